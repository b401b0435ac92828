//! The runbook forms: the document editor (`/runbooks/new`, `/runbooks/edit`) and "Start
//! runbook" on the incident page, whose fields come from the document's declared parameters.

use tocsin_api::ssm::{
    CreateDocumentRequest, DocumentParameter, ParameterMap, StartAutomationExecutionRequest,
    UpdateDocumentRequest,
};

use super::{non_empty, required};

/// The message for a document without a name.
pub const NAME_MESSAGE: &str = "A name is required.";

/// The message for a name Systems Manager would refuse.
pub const NAME_RULES: &str =
    "A runbook name is 3-128 letters, digits and _ . - and cannot start with AWS, Amazon or amzn.";

/// The message for an empty document.
pub const CONTENT_MESSAGE: &str = "The document is empty.";

/// The message for a start without a runbook.
pub const DOCUMENT_MESSAGE: &str = "Choose a runbook.";

/// The two content formats.
pub const FORMATS: [&str; 2] = ["YAML", "JSON"];

/// The parameter that names the incident a runbook responds to.
pub const INCIDENT_PARAMETER: &str = "IncidentRecordArn";

/// A new document's content: a valid schema 0.3 runbook to start from.
pub const NEW_DOCUMENT_YAML: &str = "\
description: What this runbook does.
schemaVersion: '0.3'
parameters:
  IncidentRecordArn:
    type: String
    description: The incident this runbook responds to.
mainSteps:
- name: confirm
  action: aws:pause
  inputs: {}
";

/// A document name as Systems Manager accepts it (3-128 of `[a-zA-Z0-9_.-]`, not starting
/// with `AWS`, `Amazon` or `amzn` in any case). Returns the trimmed name.
pub fn check_document_name(name: &str) -> Result<String, String> {
    let name = required(name, NAME_MESSAGE)?;
    let lower = name.to_ascii_lowercase();
    let ok = (3..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && !["aws", "amazon", "amzn"]
            .iter()
            .any(|p| lower.starts_with(p));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(NAME_RULES.to_owned())
    }
}

/// The document editor, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentForm {
    /// Name (fixed once created).
    pub name: String,
    /// `YAML` or `JSON`: the format of `content`.
    pub format: String,
    /// The document.
    pub content: String,
    /// An optional name for the version this save creates.
    pub version_name: String,
}

impl Default for DocumentForm {
    /// A new YAML document from [`NEW_DOCUMENT_YAML`].
    fn default() -> Self {
        Self {
            name: String::new(),
            format: "YAML".to_owned(),
            content: NEW_DOCUMENT_YAML.to_owned(),
            version_name: String::new(),
        }
    }
}

impl DocumentForm {
    fn format(&self) -> String {
        if FORMATS.contains(&self.format.as_str()) {
            self.format.clone()
        } else {
            "YAML".to_owned()
        }
    }

    fn content(&self) -> Result<String, String> {
        if self.content.trim().is_empty() {
            Err(CONTENT_MESSAGE.to_owned())
        } else {
            Ok(self.content.clone())
        }
    }

    /// `CreateDocument` input for an Automation document.
    pub fn create_input(&self) -> Result<CreateDocumentRequest, String> {
        Ok(CreateDocumentRequest {
            name: check_document_name(&self.name)?,
            content: self.content()?,
            document_type: Some("Automation".to_owned()),
            document_format: Some(self.format()),
            version_name: non_empty(&self.version_name),
            ..CreateDocumentRequest::default()
        })
    }

    /// `UpdateDocument` input: a new version on top of the latest one.
    pub fn update_input(&self) -> Result<UpdateDocumentRequest, String> {
        Ok(UpdateDocumentRequest {
            name: self.name.trim().to_owned(),
            content: self.content()?,
            document_version: Some("$LATEST".to_owned()),
            document_format: Some(self.format()),
            version_name: non_empty(&self.version_name),
            ..UpdateDocumentRequest::default()
        })
    }
}

/// Whether a parameter type takes a list of values.
pub fn is_list(kind: &str) -> bool {
    kind == "StringList" || kind.starts_with("List") || kind == "MapList"
}

/// The items of a list typed into one field: one per line when there are several lines,
/// otherwise separated by commas; blanks dropped.
pub fn split_list(text: &str) -> Vec<String> {
    let separator = if text.trim().contains('\n') {
        '\n'
    } else {
        ','
    };
    text.split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first value of a parameter field: the incident's ARN for [`INCIDENT_PARAMETER`] (when
/// there is an incident), otherwise the declared default; a list default one item per line.
pub fn initial_value(parameter: &DocumentParameter, incident_arn: Option<&str>) -> String {
    if parameter.name == INCIDENT_PARAMETER
        && let Some(arn) = incident_arn
    {
        return arn.to_owned();
    }
    let Some(default) = &parameter.default_value else {
        return String::new();
    };
    if is_list(&parameter.kind)
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str(default)
    {
        return items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    default.clone()
}

/// `StartAutomationExecution` input for `document` with the typed `values` (parameter,
/// text): a list parameter's text is split by [`split_list`]; an empty field is left out,
/// so the document's default applies.
pub fn start_input(
    document: &str,
    values: &[(DocumentParameter, String)],
    client_token: String,
) -> Result<StartAutomationExecutionRequest, String> {
    let document = required(document, DOCUMENT_MESSAGE)?;
    let mut parameters = ParameterMap::new();
    for (parameter, text) in values {
        let items = if is_list(&parameter.kind) {
            split_list(text)
        } else {
            non_empty(text).into_iter().collect()
        };
        if !items.is_empty() {
            parameters.insert(parameter.name.clone(), items);
        }
    }
    Ok(StartAutomationExecutionRequest {
        document_name: document.to_owned(),
        parameters: (!parameters.is_empty()).then_some(parameters),
        client_token: Some(client_token),
        ..StartAutomationExecutionRequest::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameter(name: &str, kind: &str, default: Option<&str>) -> DocumentParameter {
        DocumentParameter {
            name: name.to_owned(),
            kind: kind.to_owned(),
            description: None,
            default_value: default.map(str::to_owned),
        }
    }

    #[test]
    fn document_names_follow_ssm_rules() {
        assert_eq!(
            check_document_name(" restart-web.v2 "),
            Ok("restart-web.v2".to_owned())
        );
        assert_eq!(check_document_name(" "), Err(NAME_MESSAGE.to_owned()));
        for bad in ["ab", "has space", "AWS-x", "amazonian", "AMZN1", "a/b"] {
            assert_eq!(
                check_document_name(bad),
                Err(NAME_RULES.to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn creating_and_updating_documents() {
        let form = DocumentForm {
            name: "restart-web".to_owned(),
            format: "JSON".to_owned(),
            content: "{}".to_owned(),
            version_name: " ".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(form.create_input().ok()).ok(),
            Some(serde_json::json!({
                "Name": "restart-web",
                "Content": "{}",
                "DocumentType": "Automation",
                "DocumentFormat": "JSON"
            }))
        );
        let update = DocumentForm {
            version_name: "v2".to_owned(),
            ..form.clone()
        };
        assert_eq!(
            serde_json::to_value(update.update_input().ok()).ok(),
            Some(serde_json::json!({
                "Name": "restart-web",
                "Content": "{}",
                "VersionName": "v2",
                "DocumentVersion": "$LATEST",
                "DocumentFormat": "JSON"
            }))
        );
        let empty = DocumentForm {
            content: " \n".to_owned(),
            ..form
        };
        assert_eq!(empty.create_input(), Err(CONTENT_MESSAGE.to_owned()));
        assert_eq!(empty.update_input(), Err(CONTENT_MESSAGE.to_owned()));
    }

    #[test]
    fn a_new_document_starts_valid_looking() {
        let form = DocumentForm::default();
        assert_eq!(form.format, "YAML");
        assert_eq!(crate::runbook::document_steps(&form.content), ["confirm"]);
    }

    #[test]
    fn lists_split_by_lines_or_commas() {
        assert_eq!(split_list("a, b ,,c"), ["a", "b", "c"]);
        assert_eq!(split_list("a,1\n b \n\n"), ["a,1", "b"]);
        assert_eq!(split_list("  "), Vec::<String>::new());
    }

    #[test]
    fn fields_start_from_defaults_and_the_incident() {
        let incident = "arn:aws:ssm-incidents::0:incident-record/p/1";
        let arn = Some(incident);
        assert_eq!(
            initial_value(&parameter(INCIDENT_PARAMETER, "String", None), arn),
            incident
        );
        assert_eq!(
            initial_value(&parameter(INCIDENT_PARAMETER, "String", Some("x")), None),
            "x"
        );
        assert_eq!(
            initial_value(&parameter("Who", "StringList", Some(r#"["a","b"]"#)), arn),
            "a\nb"
        );
        assert_eq!(
            initial_value(&parameter("N", "String", Some("3")), arn),
            "3"
        );
        assert_eq!(initial_value(&parameter("N", "String", None), arn), "");
    }

    #[test]
    fn starting_sends_typed_parameters_only() {
        let values = vec![
            (
                parameter(INCIDENT_PARAMETER, "String", None),
                " arn:i ".to_owned(),
            ),
            (parameter("Who", "StringList", None), "a, b".to_owned()),
            (parameter("Empty", "String", Some("d")), " ".to_owned()),
            (parameter("None", "StringList", None), String::new()),
        ];
        let input = start_input(" restart-web ", &values, "tok".to_owned()).ok();
        assert_eq!(
            serde_json::to_value(input).ok(),
            Some(serde_json::json!({
                "DocumentName": "restart-web",
                "Parameters": {"IncidentRecordArn": ["arn:i"], "Who": ["a", "b"]},
                "ClientToken": "tok"
            }))
        );
        let bare = start_input("d", &[], "t".to_owned()).ok();
        assert_eq!(
            serde_json::to_value(bare).ok(),
            Some(serde_json::json!({"DocumentName": "d", "ClientToken": "t"}))
        );
        assert_eq!(
            start_input(" ", &values, "t".to_owned()).err(),
            Some(DOCUMENT_MESSAGE.to_owned())
        );
    }
}
