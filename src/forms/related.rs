//! The add-related-item form (`form#related-form` on `/incident`): `UpdateRelatedItems`
//! with `itemToAdd`, any `ItemType` and any kind of value.

use tocsin_api::incidents::{ITEM_TYPES, ItemIdentifier, ItemValue, RelatedItem};

use super::{non_empty, required};

/// The value kinds of an `ItemValue` (its union members), with what the form calls them.
pub const VALUE_KINDS: [(&str, &str); 4] = [
    ("arn", "ARN"),
    ("url", "URL"),
    ("metricDefinition", "CloudWatch metric definition"),
    ("pagerDutyIncidentDetail", "PagerDuty incident id"),
];

/// The message for an item without a value.
pub const VALUE_MESSAGE: &str = "A value is required.";

/// The message for an unknown item type or value kind.
pub const KIND_MESSAGE: &str = "Choose a type and a kind of value.";

/// The add-related-item form, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedItemForm {
    /// One of [`ITEM_TYPES`].
    pub item_type: String,
    /// One of the [`VALUE_KINDS`].
    pub kind: String,
    /// The ARN, URL, metric definition or PagerDuty incident id.
    pub value: String,
    /// A display title (optional).
    pub title: String,
}

impl Default for RelatedItemForm {
    fn default() -> Self {
        Self {
            item_type: "OTHER".to_owned(),
            kind: "url".to_owned(),
            value: String::new(),
            title: String::new(),
        }
    }
}

impl RelatedItemForm {
    /// The item to attach. The value is trimmed; the server checks the rest (lengths, the
    /// item type), and says so in its own words.
    pub fn item(&self) -> Result<RelatedItem, String> {
        if !ITEM_TYPES.contains(&self.item_type.as_str()) {
            return Err(KIND_MESSAGE.to_owned());
        }
        let value = required(&self.value, VALUE_MESSAGE)?.to_owned();
        let mut item_value = ItemValue {
            arn: None,
            url: None,
            metric_definition: None,
            pager_duty_incident_detail: None,
        };
        match self.kind.as_str() {
            "arn" => item_value.arn = Some(value),
            "url" => item_value.url = Some(value),
            "metricDefinition" => item_value.metric_definition = Some(value),
            "pagerDutyIncidentDetail" => {
                item_value.pager_duty_incident_detail = Some(serde_json::json!({ "id": value }));
            }
            _ => return Err(KIND_MESSAGE.to_owned()),
        }
        Ok(RelatedItem {
            identifier: ItemIdentifier {
                item_type: self.item_type.clone(),
                value: item_value,
            },
            title: non_empty(&self.title),
            generated_id: None,
        })
    }
}

/// The item types in the order the incident page lists their groups, each with its group's
/// heading: what is broken first, then what explains it, then the rest.
pub const GROUPS: [(&str, &str); 9] = [
    ("INVOLVED_RESOURCE", "Involved resources"),
    ("PARENT", "Parent incident"),
    ("INCIDENT", "Related incidents"),
    ("METRIC", "Metrics"),
    ("ANALYSIS", "Analyses"),
    ("AUTOMATION", "Runbooks"),
    ("TASK", "Tasks"),
    ("ATTACHMENT", "Attachments"),
    ("OTHER", "Other links"),
];

/// `items` grouped by type as (type, heading, items in their order), groups in [`GROUPS`]
/// order; a type outside it comes last under its own name.
pub fn group_by_type(items: Vec<RelatedItem>) -> Vec<(String, String, Vec<RelatedItem>)> {
    let mut groups: Vec<(String, String, Vec<RelatedItem>)> = Vec::new();
    for item in items {
        let item_type = item.identifier.item_type.clone();
        match groups.iter_mut().find(|(t, _, _)| *t == item_type) {
            Some((_, _, list)) => list.push(item),
            None => {
                let heading = GROUPS
                    .iter()
                    .find(|(t, _)| *t == item_type)
                    .map_or_else(|| item_type.clone(), |(_, h)| (*h).to_owned());
                groups.push((item_type, heading, vec![item]));
            }
        }
    }
    groups.sort_by_key(|(t, _, _)| {
        GROUPS
            .iter()
            .position(|(g, _)| g == t)
            .unwrap_or(GROUPS.len())
    });
    groups
}

/// Which of the [`VALUE_KINDS`] a value is (`""` when none is set).
pub fn value_kind(value: &ItemValue) -> &'static str {
    if value.arn.is_some() {
        "arn"
    } else if value.url.is_some() {
        "url"
    } else if value.metric_definition.is_some() {
        "metricDefinition"
    } else if value.pager_duty_incident_detail.is_some() {
        "pagerDutyIncidentDetail"
    } else {
        ""
    }
}

/// A value as text: the ARN, URL or metric definition as it is; a PagerDuty incident as
/// `PagerDuty incident ID` (its JSON when it has no string id).
pub fn value_text(value: &ItemValue) -> String {
    if let Some(text) = value
        .arn
        .as_ref()
        .or(value.url.as_ref())
        .or(value.metric_definition.as_ref())
    {
        return text.clone();
    }
    match &value.pager_duty_incident_detail {
        Some(detail) => match detail.get("id").and_then(|id| id.as_str()) {
            Some(id) => format!("PagerDuty incident {id}"),
            None => detail.to_string(),
        },
        None => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_grouped_by_type_involved_resources_first() {
        let item = |t: &str, url: &str| {
            RelatedItemForm {
                item_type: t.to_owned(),
                kind: "url".to_owned(),
                value: url.to_owned(),
                title: String::new(),
            }
            .item()
            .unwrap()
        };
        let groups = group_by_type(vec![
            item("OTHER", "https://a"),
            item("INVOLVED_RESOURCE", "https://b"),
            item("OTHER", "https://c"),
            item("METRIC", "https://d"),
        ]);
        let shape: Vec<(&str, &str, Vec<&str>)> = groups
            .iter()
            .map(|(t, h, items)| {
                (
                    t.as_str(),
                    h.as_str(),
                    items
                        .iter()
                        .map(|i| i.identifier.value.url.as_deref().unwrap_or_default())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("INVOLVED_RESOURCE", "Involved resources", vec!["https://b"]),
                ("METRIC", "Metrics", vec!["https://d"]),
                ("OTHER", "Other links", vec!["https://a", "https://c"]),
            ]
        );
        assert_eq!(GROUPS.len(), ITEM_TYPES.len());
        assert!(
            ITEM_TYPES
                .iter()
                .all(|t| GROUPS.iter().any(|(g, _)| g == t))
        );
    }

    fn form(item_type: &str, kind: &str, value: &str) -> RelatedItemForm {
        RelatedItemForm {
            item_type: item_type.to_owned(),
            kind: kind.to_owned(),
            value: value.to_owned(),
            title: String::new(),
        }
    }

    #[test]
    fn every_kind_of_value() {
        let json = |f: RelatedItemForm| serde_json::to_value(f.item().unwrap()).unwrap();
        assert_eq!(
            json(form("INVOLVED_RESOURCE", "arn", " arn:aws:s3:::b ")),
            serde_json::json!({"identifier": {"type": "INVOLVED_RESOURCE", "value": {"arn": "arn:aws:s3:::b"}}})
        );
        assert_eq!(
            json(form("ATTACHMENT", "url", "https://x")),
            serde_json::json!({"identifier": {"type": "ATTACHMENT", "value": {"url": "https://x"}}})
        );
        assert_eq!(
            json(form("METRIC", "metricDefinition", "{\"m\":1}")),
            serde_json::json!({"identifier": {"type": "METRIC", "value": {"metricDefinition": "{\"m\":1}"}}})
        );
        let mut titled = form("OTHER", "pagerDutyIncidentDetail", "PD1");
        titled.title = " Pager ".to_owned();
        assert_eq!(
            json(titled),
            serde_json::json!({"identifier": {"type": "OTHER", "value": {"pagerDutyIncidentDetail": {"id": "PD1"}}}, "title": "Pager"})
        );
    }

    #[test]
    fn bad_forms_say_why() {
        assert_eq!(
            form("OTHER", "url", " ").item().err(),
            Some(VALUE_MESSAGE.to_owned())
        );
        assert_eq!(
            form("NOPE", "url", "x").item().err(),
            Some(KIND_MESSAGE.to_owned())
        );
        assert_eq!(
            form("OTHER", "nope", "x").item().err(),
            Some(KIND_MESSAGE.to_owned())
        );
    }

    #[test]
    fn values_as_text_and_kind() {
        for (kind, _) in VALUE_KINDS {
            let item = form("TASK", kind, "v").item().unwrap();
            assert_eq!(value_kind(&item.identifier.value), kind);
        }
        let pd = form("TASK", "pagerDutyIncidentDetail", "P1")
            .item()
            .unwrap();
        assert_eq!(value_text(&pd.identifier.value), "PagerDuty incident P1");
        let url = form("TASK", "url", "javascript:alert(1)").item().unwrap();
        assert_eq!(value_text(&url.identifier.value), "javascript:alert(1)");
    }
}
