//! Automation documents, schema 0.3: parsed from JSON or YAML and validated before they are
//! stored, so an execution never meets an unknown action, a missing input, a jump to a step
//! that does not exist, a flow with no way out, or a reference to nothing.
//!
//! Mirrors `CreateDocument` / `UpdateDocument` for `DocumentType: Automation` (SSM
//! 2014-11-06): refusals are `InvalidDocumentContent` (or `InvalidDocumentSchemaVersion`)
//! with a message naming the step and the problem.

use std::collections::{BTreeSet, HashMap};

use regex::Regex;
use serde_json::{Map, Value};
use tocsin_transform::JsonPath;

use crate::branch::{self, Branch};
use crate::params::{ParamType, Parameter};
use crate::template::{self, AUTOMATION_VARIABLES, GLOBALS};

/// The only schema version Automation documents have.
pub const SCHEMA_VERSION: &str = "0.3";
/// Most steps in one document.
pub const MAX_STEPS: usize = 500;
/// Largest document content, in bytes (SSM's limit for a document).
pub const MAX_CONTENT_BYTES: usize = 64 * 1024;
/// Longest an approval may wait, in seconds (30 days; the default is 7 days).
pub const MAX_APPROVE_TIMEOUT_SECS: u64 = 30 * 24 * 3600;

/// The content format (`DocumentFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (the default, as in SSM).
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// Parses `DocumentFormat` (`JSON`, `YAML`); `None` is JSON.
    ///
    /// Errors: `TEXT` or anything else (`InvalidDocumentContent`).
    pub fn parse(text: Option<&str>) -> Result<Self, DocumentError> {
        match text {
            None | Some("JSON") => Ok(Self::Json),
            Some("YAML") => Ok(Self::Yaml),
            Some(other) => Err(DocumentError::Content(format!(
                "DocumentFormat {other} is not supported for Automation documents; use JSON or YAML."
            ))),
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Yaml => "YAML",
        }
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// `InvalidDocumentContent`: the message names the step and the problem.
    #[error("{0}")]
    Content(String),
    /// `InvalidDocumentSchemaVersion`.
    #[error("{0}")]
    SchemaVersion(String),
}

/// The actions Tocsin runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `aws:sleep`: waits for a `Duration` or until a `Timestamp`.
    Sleep,
    /// `aws:pause`: waits for a `Resume` signal.
    Pause,
    /// `aws:approve`: waits for approvals from named principals.
    Approve,
    /// `aws:branch`: picks the next step.
    Branch,
    /// `aws:executeAwsApi`: calls one of Tocsin's own APIs.
    ExecuteAwsApi,
    /// `aws:invokeWebhook`: calls an outbound webhook an admin configured.
    InvokeWebhook,
    /// `aws:executeScript`: runs a local Python script (off unless the operator enables it).
    ExecuteScript,
}

impl Action {
    /// Every action, for messages.
    pub const ALL: [Action; 7] = [
        Self::Sleep,
        Self::Pause,
        Self::Approve,
        Self::Branch,
        Self::ExecuteAwsApi,
        Self::InvokeWebhook,
        Self::ExecuteScript,
    ];

    /// The document spelling (`aws:sleep`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sleep => "aws:sleep",
            Self::Pause => "aws:pause",
            Self::Approve => "aws:approve",
            Self::Branch => "aws:branch",
            Self::ExecuteAwsApi => "aws:executeAwsApi",
            Self::InvokeWebhook => "aws:invokeWebhook",
            Self::ExecuteScript => "aws:executeScript",
        }
    }

    /// Parses the document spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// Outputs the action always has (beyond those the step declares).
    pub fn builtin_outputs(self) -> &'static [&'static str] {
        match self {
            Self::Approve => &["ApprovalStatus", "ApproverDecisions"],
            Self::InvokeWebhook => &["Response", "ResponseCode"],
            Self::ExecuteScript => &["OutputPayload"],
            Self::ExecuteAwsApi => &["Response"],
            _ => &[],
        }
    }
}

/// The `(Service, Api)` pairs `aws:executeAwsApi` may call: Tocsin's own APIs.
pub const AWS_APIS: [(&str, &str); 6] = [
    ("ssm-incidents", "CreateTimelineEvent"),
    ("ssm-incidents", "GetIncidentRecord"),
    ("ssm-incidents", "UpdateIncidentRecord"),
    ("ssm-incidents", "UpdateRelatedItems"),
    ("events", "PutEvents"),
    ("tocsin", "AcknowledgeIncident"),
];

/// Where a failed (or cancelled) step leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnFailure {
    /// End the execution (the default).
    Abort,
    /// Go on as if the step had succeeded (`onFailure` only).
    Continue,
    /// Run the named step.
    Step(String),
}

/// A declared step output: `Name`, `Selector` (a JSON path into the step's response), `Type`.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// Referenced as `{{ step.Name }}`.
    pub name: String,
    /// Where in the response.
    pub selector: JsonPath,
    /// Its type.
    pub kind: ParamType,
}

/// One step of `mainSteps`.
#[derive(Debug, Clone)]
pub struct Step {
    /// Unique name.
    pub name: String,
    /// The action.
    pub action: Action,
    /// The inputs, references unrendered.
    pub inputs: Map<String, Value>,
    /// Declared outputs.
    pub outputs: Vec<OutputSpec>,
    /// Where a failure leads.
    pub on_failure: OnFailure,
    /// Where a cancellation leads (`Abort` or a step).
    pub on_cancel: OnFailure,
    /// The next step when this one succeeds (none: the following one).
    pub next_step: Option<String>,
    /// The execution ends when this step succeeds.
    pub is_end: bool,
    /// A failure of this step fails the execution even when `onFailure` goes on (default
    /// true, but false when `onFailure` is `Continue`).
    pub is_critical: bool,
    /// Longest the step may run, in seconds (none: the action's default).
    pub timeout_seconds: Option<u64>,
    /// Attempts before the step fails (default 1).
    pub max_attempts: u32,
    /// The parsed choices of an `aws:branch` step.
    pub branch: Option<Branch>,
}

/// A validated Automation document.
#[derive(Debug, Clone)]
pub struct Document {
    /// `description`.
    pub description: Option<String>,
    /// `assumeRole`, stored as given.
    pub assume_role: Option<String>,
    /// `parameters`, in document order.
    pub parameters: Vec<Parameter>,
    /// `mainSteps`.
    pub steps: Vec<Step>,
    /// `outputs` (`step.Output` names).
    pub outputs: Vec<String>,
}

fn content_error(message: impl Into<String>) -> DocumentError {
    DocumentError::Content(message.into())
}

/// Parses `content` in `format` into a JSON value.
///
/// Errors: not JSON/YAML, larger than [`MAX_CONTENT_BYTES`], or not an object.
pub fn parse_content(content: &str, format: Format) -> Result<Value, DocumentError> {
    if content.len() > MAX_CONTENT_BYTES {
        return Err(content_error(format!(
            "Document content is {} bytes; at most {MAX_CONTENT_BYTES} are allowed.",
            content.len()
        )));
    }
    let value: Value = match format {
        Format::Json => serde_json::from_str(content)
            .map_err(|e| content_error(format!("Document content is not valid JSON: {e}")))?,
        Format::Yaml => serde_saphyr::from_str(content)
            .map_err(|e| content_error(format!("Document content is not valid YAML: {e}")))?,
    };
    if !value.is_object() {
        return Err(content_error("Document content must be an object."));
    }
    Ok(value)
}

/// Renders `value` back in `format` (for `GetDocument` with another format).
pub fn render_content(value: &Value, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
        Format::Yaml => serde_saphyr::to_string(value).unwrap_or_default(),
    }
}

impl Document {
    /// Parses and validates a document.
    ///
    /// Errors: [`DocumentError`], naming the step and the problem.
    pub fn parse(content: &str, format: Format) -> Result<Self, DocumentError> {
        Self::from_value(&parse_content(content, format)?)
    }

    /// Validates a parsed document.
    ///
    /// Errors: [`DocumentError`], naming the step and the problem.
    pub fn from_value(value: &Value) -> Result<Self, DocumentError> {
        let root = value
            .as_object()
            .ok_or_else(|| content_error("Document content must be an object."))?;
        match root.get("schemaVersion") {
            Some(Value::String(v)) if v == SCHEMA_VERSION => {}
            Some(v) => {
                return Err(DocumentError::SchemaVersion(format!(
                    "schemaVersion {v} is not supported for Automation documents; use '0.3'."
                )));
            }
            None => {
                return Err(DocumentError::SchemaVersion(
                    "schemaVersion is missing; Automation documents use '0.3'.".into(),
                ));
            }
        }
        let parameters = parse_parameters(root.get("parameters"))?;
        let steps_value = root
            .get("mainSteps")
            .and_then(Value::as_array)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| content_error("mainSteps must be a non-empty list of steps."))?;
        if steps_value.len() > MAX_STEPS {
            return Err(content_error(format!(
                "mainSteps has {} steps; at most {MAX_STEPS} are allowed.",
                steps_value.len()
            )));
        }
        let mut steps = Vec::new();
        for (i, s) in steps_value.iter().enumerate() {
            steps.push(parse_step(i, s)?);
        }
        let outputs = match root.get("outputs") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|o| {
                    o.as_str().map(str::to_owned).ok_or_else(|| {
                        content_error("outputs must be a list of step.Output names.")
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(content_error(
                    "outputs must be a list of step.Output names.",
                ));
            }
        };
        let doc = Document {
            description: root
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            assume_role: root
                .get("assumeRole")
                .and_then(Value::as_str)
                .map(str::to_owned),
            parameters,
            steps,
            outputs,
        };
        doc.check_names_and_jumps()?;
        doc.check_flow()?;
        doc.check_references()?;
        Ok(doc)
    }

    /// The index of the step called `name`.
    pub fn step_index(&self, name: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.name == name)
    }

    fn check_names_and_jumps(&self) -> Result<(), DocumentError> {
        let mut seen = BTreeSet::new();
        for s in &self.steps {
            if !seen.insert(s.name.as_str()) {
                return Err(content_error(format!(
                    "Step name {} is used more than once.",
                    s.name
                )));
            }
        }
        for s in &self.steps {
            for (what, target) in self.jumps(s) {
                if self.step_index(&target).is_none() {
                    return Err(content_error(format!(
                        "Step {}: {what} names step {target}, which does not exist.",
                        s.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The named jumps of a step: (what, step name).
    fn jumps(&self, s: &Step) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(n) = &s.next_step {
            out.push(("nextStep", n.clone()));
        }
        if let OnFailure::Step(n) = &s.on_failure {
            out.push(("onFailure", n.clone()));
        }
        if let OnFailure::Step(n) = &s.on_cancel {
            out.push(("onCancel", n.clone()));
        }
        if let Some(b) = &s.branch {
            for c in &b.choices {
                out.push(("a choice's NextStep", c.next_step.clone()));
            }
            if let Some(d) = &b.default {
                out.push(("Default", d.clone()));
            }
        }
        out
    }

    /// Where step `i` may lead: `None` stands for the end of the execution. With
    /// `failures_end`, an aborting failure counts as an end (for reachability); without it,
    /// only the flow a document designs does (success, branches, `onFailure` jumps and
    /// `Continue`), which is what "a way out" of a cycle means.
    fn successors(&self, i: usize, failures_end: bool) -> Vec<Option<usize>> {
        let s = &self.steps[i];
        let following = || {
            if s.is_end || i + 1 >= self.steps.len() {
                None
            } else {
                Some(i + 1)
            }
        };
        let mut out = Vec::new();
        match &s.branch {
            Some(b) => {
                out.extend(b.choices.iter().map(|c| self.step_index(&c.next_step)));
                match &b.default {
                    Some(d) => out.push(self.step_index(d)),
                    None => out.push(following()), // no choice matched: the following step
                }
            }
            None => match &s.next_step {
                Some(n) if !s.is_end => out.push(self.step_index(n)),
                _ => out.push(following()),
            },
        }
        match &s.on_failure {
            OnFailure::Abort if failures_end => out.push(None),
            OnFailure::Abort => {}
            OnFailure::Continue => out.push(following()),
            OnFailure::Step(n) => out.push(self.step_index(n)),
        }
        if let OnFailure::Step(n) = &s.on_cancel
            && failures_end
        {
            out.push(self.step_index(n));
        }
        out
    }

    /// Every step reachable from the first, and every reachable step able to end.
    fn check_flow(&self) -> Result<(), DocumentError> {
        let n = self.steps.len();
        let mut reachable = vec![false; n];
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reachable[i], true) {
                continue;
            }
            stack.extend(self.successors(i, true).into_iter().flatten());
        }
        if let Some(i) = reachable.iter().position(|r| !r) {
            return Err(content_error(format!(
                "Step {} is unreachable: no step leads to it.",
                self.steps[i].name
            )));
        }
        // Steps that can reach the end: a fixed point over the successor graph.
        let mut can_end = vec![false; n];
        loop {
            let mut changed = false;
            for i in 0..n {
                if !can_end[i]
                    && self
                        .successors(i, false)
                        .into_iter()
                        .any(|next| next.is_none_or(|j| can_end[j]))
                {
                    can_end[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if let Some(i) = can_end.iter().position(|c| !c) {
            return Err(content_error(format!(
                "Step {} is in a cycle with no way out: no path from it ends the execution.",
                self.steps[i].name
            )));
        }
        Ok(())
    }

    fn known_reference(&self, reference: &str, outputs: &HashMap<&str, Vec<String>>) -> bool {
        if self.parameters.iter().any(|p| p.name == reference)
            || GLOBALS.contains(&reference)
            || AUTOMATION_VARIABLES.contains(&reference)
        {
            return true;
        }
        reference.split_once('.').is_some_and(|(step, out)| {
            outputs
                .get(step)
                .is_some_and(|o| o.iter().any(|x| x == out))
        })
    }

    fn check_references(&self) -> Result<(), DocumentError> {
        let outputs: HashMap<&str, Vec<String>> = self
            .steps
            .iter()
            .map(|s| {
                let mut names: Vec<String> = s.outputs.iter().map(|o| o.name.clone()).collect();
                names.extend(s.action.builtin_outputs().iter().map(|o| (*o).to_owned()));
                (s.name.as_str(), names)
            })
            .collect();
        for s in &self.steps {
            let mut refs = template::references_in(&Value::Object(s.inputs.clone()));
            if let Some(b) = &s.branch {
                for c in &b.choices {
                    refs.extend(c.condition.references());
                }
            }
            if let Some(bad) = refs.iter().find(|r| !self.known_reference(r, &outputs)) {
                return Err(content_error(format!(
                    "Step {}: {{{{ {bad} }}}} does not name a parameter, a step output or a variable.",
                    s.name
                )));
            }
        }
        for o in &self.outputs {
            if !self.known_reference(o, &outputs) || !o.contains('.') {
                return Err(content_error(format!(
                    "outputs: {o} does not name a step output."
                )));
            }
        }
        if let Some(role) = &self.assume_role {
            for r in template::references(role) {
                if !self.known_reference(r, &outputs) {
                    return Err(content_error(format!(
                        "assumeRole: {{{{ {r} }}}} does not name a parameter."
                    )));
                }
            }
        }
        Ok(())
    }
}

fn parse_parameters(value: Option<&Value>) -> Result<Vec<Parameter>, DocumentError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let map = value
        .as_object()
        .ok_or_else(|| content_error("parameters must be an object of name → declaration."))?;
    let mut out = Vec::new();
    for (name, decl) in map {
        let bad = |why: String| content_error(format!("Parameter {name}: {why}"));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("a name is letters, digits and underscores.".into()));
        }
        let decl = decl
            .as_object()
            .ok_or_else(|| bad("the declaration must be an object.".into()))?;
        let kind_text = decl
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("type is missing.".into()))?;
        let kind = ParamType::parse(kind_text).ok_or_else(|| {
            bad(format!(
                "type {kind_text} is not one of String, StringList, Integer, Boolean, StringMap, MapList."
            ))
        })?;
        let allowed_values = match decl.get("allowedValues") {
            None => Vec::new(),
            Some(Value::Array(items)) => items.iter().map(template::as_text).collect(),
            Some(_) => return Err(bad("allowedValues must be a list.".into())),
        };
        let allowed_pattern = match decl.get("allowedPattern") {
            None => None,
            Some(Value::String(p)) => Some(Regex::new(p).map_err(|e| {
                bad(format!(
                    "allowedPattern is not a valid regular expression: {e}"
                ))
            })?),
            Some(_) => return Err(bad("allowedPattern must be a string.".into())),
        };
        let count = |key: &str| -> Result<Option<usize>, DocumentError> {
            match decl.get(key) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(|n| Some(n as usize))
                    .ok_or_else(|| bad(format!("{key} must be a whole number."))),
            }
        };
        let parameter = Parameter {
            name: name.clone(),
            kind,
            description: decl
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            default: decl.get("default").cloned(),
            allowed_values,
            allowed_pattern,
            min_items: count("minItems")?,
            max_items: count("maxItems")?,
        };
        if let Some(default) = &parameter.default {
            parameter
                .check(default)
                .map_err(|e| bad(format!("the default is not valid: {e}")))?;
        }
        out.push(parameter);
    }
    Ok(out)
}

fn parse_jump(
    step: &str,
    key: &str,
    value: Option<&Value>,
    allow_continue: bool,
) -> Result<OnFailure, DocumentError> {
    match value.map(|v| v.as_str()) {
        None => Ok(OnFailure::Abort),
        Some(Some("Abort")) => Ok(OnFailure::Abort),
        Some(Some("Continue")) if allow_continue => Ok(OnFailure::Continue),
        Some(Some(text)) if text.starts_with("step:") && text.len() > 5 => {
            Ok(OnFailure::Step(text[5..].to_owned()))
        }
        Some(other) => Err(content_error(format!(
            "Step {step}: {key} must be Abort{}, or step:NAME; got {}.",
            if allow_continue { ", Continue" } else { "" },
            other.map_or_else(|| "a non-string".to_owned(), |t| format!("{t:?}"))
        ))),
    }
}

fn parse_step(index: usize, value: &Value) -> Result<Step, DocumentError> {
    let object = value
        .as_object()
        .ok_or_else(|| content_error(format!("mainSteps[{index}] must be an object.")))?;
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| content_error(format!("mainSteps[{index}] has no name.")))?
        .to_owned();
    let bad = |why: String| content_error(format!("Step {name}: {why}"));
    if name.is_empty()
        || name.len() > 128
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(bad("a step name is 1-128 letters, digits and '_'.".into()));
    }
    let action_text = object
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("action is missing.".into()))?;
    let action = Action::parse(action_text).ok_or_else(|| {
        bad(format!(
            "action {action_text} is not supported; Tocsin runs {}.",
            Action::ALL.map(Action::as_str).join(", ")
        ))
    })?;
    let inputs = match object.get("inputs") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(bad("inputs must be an object.".into())),
    };
    let outputs = match object.get("outputs") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|o| {
                let field = |k: &str| o.get(k).and_then(Value::as_str);
                let out_name = field("Name").ok_or_else(|| bad("an output has no Name.".into()))?;
                let selector = field("Selector")
                    .ok_or_else(|| bad(format!("output {out_name} has no Selector.")))?;
                let selector = JsonPath::parse(selector)
                    .map_err(|e| bad(format!("output {out_name}: {e}")))?;
                let kind_text = field("Type").unwrap_or("String");
                let kind = ParamType::parse(kind_text).ok_or_else(|| {
                    bad(format!("output {out_name}: type {kind_text} is not known."))
                })?;
                Ok(OutputSpec {
                    name: out_name.to_owned(),
                    selector,
                    kind,
                })
            })
            .collect::<Result<_, DocumentError>>()?,
        Some(_) => return Err(bad("outputs must be a list.".into())),
    };
    let flag = |key: &str, default: bool| -> Result<bool, DocumentError> {
        match object.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            Some(_) => Err(bad(format!("{key} must be true or false."))),
        }
    };
    let number = |key: &str| -> Result<Option<u64>, DocumentError> {
        match object.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .map(Some)
                .ok_or_else(|| bad(format!("{key} must be a whole number."))),
        }
    };
    let max_attempts = number("maxAttempts")?.unwrap_or(1);
    if max_attempts == 0 || max_attempts > 100 {
        return Err(bad("maxAttempts must be 1-100.".into()));
    }
    let timeout_seconds = number("timeoutSeconds")?;
    if timeout_seconds == Some(0) {
        return Err(bad("timeoutSeconds must be at least 1.".into()));
    }
    let next_step = match object.get("nextStep") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("nextStep must be a step name.".into())),
    };
    let on_failure = parse_jump(&name, "onFailure", object.get("onFailure"), true)?;
    let mut step = Step {
        // "If the onFailure property is set to Continue, the default value is false.
        // Otherwise, the default value for this option is true." (aws: common properties)
        is_critical: flag("isCritical", on_failure != OnFailure::Continue)?,
        on_failure,
        on_cancel: parse_jump(&name, "onCancel", object.get("onCancel"), false)?,
        next_step,
        is_end: flag("isEnd", false)?,
        timeout_seconds,
        max_attempts: max_attempts as u32,
        branch: None,
        name: name.clone(),
        action,
        inputs,
        outputs,
    };
    check_inputs(&mut step).map_err(bad)?;
    Ok(step)
}

/// Parses an ISO 8601 duration of days, hours, minutes and seconds (`PT10M`, `P1DT2H`,
/// `PT0.5S`) into seconds, as `aws:sleep`'s `Duration` takes.
///
/// Errors: anything else.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let bad = || format!("Duration {text:?} is not an ISO 8601 duration such as PT10M or P1DT2H");
    let rest = text.strip_prefix('P').ok_or_else(bad)?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0.0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Result<(), String> {
        let mut number = String::new();
        let mut unit_at = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let pos = units.iter().position(|(u, _)| *u == c).ok_or_else(bad)?;
            if pos < unit_at || number.is_empty() {
                return Err(bad());
            }
            unit_at = pos + 1;
            total += number.parse::<f64>().map_err(|_| bad())? * units[pos].1;
            number.clear();
            any = true;
        }
        if number.is_empty() {
            Ok(())
        } else {
            Err(bad())
        }
    };
    take(days, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if text.contains('T') && time.is_empty() {
        return Err(bad());
    }
    take(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    if !any {
        return Err(bad());
    }
    Ok(total)
}

fn required<'a>(
    inputs: &'a Map<String, Value>,
    key: &str,
    action: Action,
) -> Result<&'a Value, String> {
    inputs
        .get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{} needs the input {key}.", action.as_str()))
}

fn is_template(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| !template::references(s).is_empty())
}

fn check_inputs(step: &mut Step) -> Result<(), String> {
    let inputs = &step.inputs;
    let action = step.action;
    match action {
        Action::Sleep => match (inputs.get("Duration"), inputs.get("Timestamp")) {
            (Some(_), Some(_)) | (None, None) => {
                return Err("aws:sleep needs exactly one of Duration or Timestamp.".into());
            }
            (Some(d), None) if !is_template(d) => {
                let text = d
                    .as_str()
                    .ok_or("Duration must be a string such as PT10M.")?;
                let secs = parse_duration(text)?;
                if secs > 7.0 * 86_400.0 {
                    return Err("Duration is longer than 7 days, the longest aws:sleep.".into());
                }
            }
            (None, Some(t)) if !is_template(t) => {
                let text = t.as_str().ok_or("Timestamp must be an ISO 8601 time.")?;
                chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|e| format!("Timestamp {text:?} is not an ISO 8601 time: {e}"))?;
            }
            _ => {}
        },
        Action::Pause => {}
        Action::Approve => {
            let approvers = required(inputs, "Approvers", action)?;
            let ok = is_template(approvers)
                || approvers.as_array().is_some_and(|a| {
                    !a.is_empty() && a.len() <= 10 && a.iter().all(Value::is_string)
                });
            if !ok {
                return Err(
                    "Approvers must be a list of 1-10 principals (or a {{ reference }}).".into(),
                );
            }
            if let Some(min) = inputs.get("MinRequiredApprovals")
                && !is_template(min)
            {
                let n = min
                    .as_u64()
                    .or_else(|| min.as_str().and_then(|s| s.parse().ok()))
                    .ok_or("MinRequiredApprovals must be a whole number.")?;
                if n == 0 || n > 10 {
                    return Err("MinRequiredApprovals must be 1-10.".into());
                }
                if let Some(list) = approvers.as_array()
                    && n as usize > list.len()
                {
                    return Err(format!(
                        "MinRequiredApprovals is {n} but only {} approvers are named.",
                        list.len()
                    ));
                }
            }
            if step
                .timeout_seconds
                .is_some_and(|t| t > MAX_APPROVE_TIMEOUT_SECS)
            {
                return Err("timeoutSeconds of aws:approve is at most 30 days (2592000).".into());
            }
        }
        Action::Branch => {
            step.branch = Some(branch::parse(inputs)?);
            if step.next_step.is_some() {
                return Err("aws:branch picks the next step with Choices; remove nextStep.".into());
            }
        }
        Action::ExecuteAwsApi => {
            let service = required(inputs, "Service", action)?
                .as_str()
                .unwrap_or_default();
            let api = required(inputs, "Api", action)?
                .as_str()
                .unwrap_or_default();
            if !AWS_APIS.contains(&(service, api)) {
                return Err(format!(
                    "aws:executeAwsApi cannot call {service} {api}; Tocsin answers {}.",
                    AWS_APIS.map(|(s, a)| format!("{s} {a}")).join(", ")
                ));
            }
        }
        Action::InvokeWebhook => {
            let name = required(inputs, "IntegrationName", action)?;
            if !name.is_string() {
                return Err("IntegrationName must name an outbound webhook.".into());
            }
        }
        Action::ExecuteScript => {
            let runtime = required(inputs, "Runtime", action)?
                .as_str()
                .unwrap_or_default();
            if !runtime.starts_with("python3") {
                return Err(format!(
                    "Runtime {runtime:?} is not supported; use python3.x."
                ));
            }
            required(inputs, "Handler", action)?;
            required(inputs, "Script", action)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(steps: Value) -> Result<Document, DocumentError> {
        Document::from_value(&json!({
            "schemaVersion": "0.3",
            "parameters": {
                "IncidentRecordArn": {"type": "String"},
                "Ids": {"type": "StringList", "default": []}
            },
            "mainSteps": steps
        }))
    }

    #[test]
    fn a_document_with_every_action_validates() {
        let d = doc(json!([
            {"name": "wait", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}},
            {"name": "note", "action": "aws:executeAwsApi", "inputs": {
                "Service": "ssm-incidents", "Api": "CreateTimelineEvent",
                "incidentRecordArn": "{{ IncidentRecordArn }}", "eventType": "Custom Event",
                "eventTime": "{{ global:DATE_TIME }}", "eventData": "\"started {{ automation:EXECUTION_ID }}\""
             }, "outputs": [{"Name": "EventId", "Selector": "$.eventId", "Type": "String"}]},
            {"name": "approve", "action": "aws:approve", "inputs": {"Approvers": ["alice"], "Message": "ok?"},
             "onFailure": "step:rejected"},
            {"name": "pick", "action": "aws:branch", "inputs": {"Choices": [
                {"NextStep": "hook", "Variable": "{{ approve.ApprovalStatus }}", "StringEquals": "Approved"}
            ], "Default": "rejected"}},
            {"name": "hook", "action": "aws:invokeWebhook", "inputs": {"IntegrationName": "chat", "Body": "{{ note.EventId }}"}, "isEnd": true},
            {"name": "rejected", "action": "aws:pause", "inputs": {}, "nextStep": "script"},
            {"name": "script", "action": "aws:executeScript", "inputs": {"Runtime": "python3.11", "Handler": "h", "Script": "def h(e, c): return 1"}}
        ]))
        .unwrap();
        assert_eq!(d.steps.len(), 7);
        assert_eq!(d.steps[2].on_failure, OnFailure::Step("rejected".into()));
        assert!(d.steps[3].branch.is_some());
    }

    #[test]
    fn every_invalid_case_is_refused_naming_the_step_and_the_problem() {
        let cases = [
            (
                json!([{"name": "a", "action": "aws:runCommand"}]),
                "Step a: action aws:runCommand is not supported",
            ),
            (
                json!([{"name": "a", "action": "aws:sleep"}]),
                "Step a: aws:sleep needs exactly one of Duration or Timestamp",
            ),
            (
                json!([{"name": "a", "action": "aws:sleep", "inputs": {"Duration": "10 minutes"}}]),
                "Step a: Duration \"10 minutes\" is not an ISO 8601 duration",
            ),
            (
                json!([{"name": "a", "action": "aws:approve", "inputs": {}}]),
                "Step a: aws:approve needs the input Approvers",
            ),
            (
                json!([{"name": "a", "action": "aws:approve", "inputs": {"Approvers": ["x"], "MinRequiredApprovals": 2}}]),
                "only 1 approvers",
            ),
            (
                json!([{"name": "a", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2", "Api": "TerminateInstances"}}]),
                "Step a: aws:executeAwsApi cannot call ec2 TerminateInstances",
            ),
            (
                json!([{"name": "a", "action": "aws:invokeWebhook", "inputs": {}}]),
                "Step a: aws:invokeWebhook needs the input IntegrationName",
            ),
            (
                json!([{"name": "a", "action": "aws:executeScript", "inputs": {"Runtime": "python3.11", "Handler": "h"}}]),
                "Step a: aws:executeScript needs the input Script",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "nextStep": "nowhere"}]),
                "Step a: nextStep names step nowhere, which does not exist",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "onFailure": "step:gone"}]),
                "Step a: onFailure names step gone, which does not exist",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "onFailure": "Retry"}]),
                "Step a: onFailure must be Abort, Continue, or step:NAME",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "isEnd": true}, {"name": "b", "action": "aws:pause"}]),
                "Step b is unreachable",
            ),
            (
                json!([
                    {"name": "a", "action": "aws:pause", "nextStep": "b"},
                    {"name": "b", "action": "aws:pause", "nextStep": "a", "onFailure": "step:a"}
                ]),
                "Step a is in a cycle with no way out",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "inputs": {"x": "{{ Nope }}"}}]),
                "Step a: {{ Nope }} does not name a parameter",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "inputs": {"x": "{{ b.Out }}"}}, {"name": "b", "action": "aws:pause"}]),
                "Step a: {{ b.Out }} does not name",
            ),
            (
                json!([{"name": "a", "action": "aws:branch", "inputs": {"Choices": [{"NextStep": "zz", "Variable": "{{ IncidentRecordArn }}", "StringEquals": "x"}]}}]),
                "Step a: a choice's NextStep names step zz",
            ),
            (
                json!([{"name": "a", "action": "aws:pause"}, {"name": "a", "action": "aws:pause"}]),
                "Step name a is used more than once",
            ),
            (
                json!([{"name": "a", "action": "aws:pause", "outputs": [{"Name": "x", "Selector": "detail"}]}]),
                "Step a: output x: JSON path 'detail' is not valid",
            ),
            (json!([]), "mainSteps must be a non-empty list"),
            (json!([{"action": "aws:pause"}]), "mainSteps[0] has no name"),
        ];
        for (steps, expected) in cases {
            let err = doc(steps.clone()).unwrap_err();
            assert!(matches!(err, DocumentError::Content(_)), "{steps}: {err:?}");
            assert!(
                err.to_string().contains(expected),
                "{steps}:\n  {err}\n  wanted: {expected}"
            );
        }
    }

    #[test]
    fn schema_versions_formats_and_parameter_declarations_are_checked() {
        let err = Document::parse(r#"{"schemaVersion": "2.2", "mainSteps": []}"#, Format::Json)
            .unwrap_err();
        assert!(matches!(err, DocumentError::SchemaVersion(_)), "{err:?}");
        let yaml = "schemaVersion: '0.3'\nparameters:\n  N:\n    type: Integer\n    default: 2\nmainSteps:\n  - name: a\n    action: aws:pause\n";
        let d = Document::parse(yaml, Format::Yaml).unwrap();
        assert_eq!(d.parameters[0].kind, ParamType::Integer);
        assert!(
            Document::parse("{not json", Format::Json)
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
        assert!(
            Document::parse("a: [", Format::Yaml)
                .unwrap_err()
                .to_string()
                .contains("not valid YAML")
        );
        let cases = [
            (
                json!({"P": {"type": "Float"}}),
                "Parameter P: type Float is not one of",
            ),
            (
                json!({"P": {"type": "String", "default": 3}}),
                "Parameter P: the default is not valid",
            ),
            (
                json!({"P": {"type": "String", "allowedPattern": "("}}),
                "Parameter P: allowedPattern is not a valid regular expression",
            ),
            (
                json!({"P": {"type": "String", "allowedValues": ["a"], "default": "b"}}),
                "not one of the allowed values",
            ),
        ];
        for (params, expected) in cases {
            let err = Document::from_value(&json!({"schemaVersion": "0.3", "parameters": params, "mainSteps": [{"name": "a", "action": "aws:pause"}]})).unwrap_err();
            assert!(err.to_string().contains(expected), "{params}: {err}");
        }
    }

    #[test]
    fn durations_are_iso_8601() {
        for (text, secs) in [
            ("PT10M", 600.0),
            ("P1DT2H", 93_600.0),
            ("PT0.5S", 0.5),
            ("P1W", 604_800.0),
            ("PT1H30M5S", 5405.0),
        ] {
            assert_eq!(parse_duration(text).unwrap(), secs, "{text}");
        }
        for bad in ["", "P", "PT", "10M", "PT10", "PTM", "PT1S1H", "P1H"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
