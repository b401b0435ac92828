//! Boards: named, saved wall views (a Tocsin extension; AWS has none). A board filters the
//! open incidents by response plan, impact, incident tag and acknowledgement, and groups
//! them by impact or by response plan. The wall shows one with `?board=<name>` and rotates
//! between several with `?boards=a,b,c&every=<seconds>` (a kiosk rotation).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::native::WallIncident;

/// How a board groups its incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BoardGroupBy {
    /// One group per impact, most severe first (the wall's default).
    #[default]
    Impact,
    /// One group per response plan, the plan with the most severe incident first.
    ResponsePlan,
}

/// An open incident's acknowledgement state, as a board filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BoardStatus {
    /// No acknowledgement in force (nobody has it, or the last one lapsed).
    Unacknowledged,
    /// Somebody acknowledged it and the acknowledgement is in force.
    Acknowledged,
}

/// A saved wall view. JSON (`POST /v1/boards`, `GET /v1/boards`):
/// `{"name": "payments", "title": "Payments", "responsePlanArns": [...], "impacts": [1, 2],
/// "tags": {"team": "payments"}, "statuses": ["unacknowledged"], "groupBy": "responsePlan"}`.
/// Every filter left empty lets every incident through; filters combine with AND, the
/// values inside one filter with OR (tags: every tag given must match).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// Its name, the key in the URL: 1-64 of `A-Z a-z 0-9 _ . -`.
    pub name: String,
    /// What the wall's heading says (at most 100 characters); none: the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Only incidents opened from these response plans (at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_plan_arns: Vec<String>,
    /// Only incidents of these impacts (1-5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impacts: Vec<i32>,
    /// Only incidents carrying every one of these tags (key: value; at most 50).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Only incidents in one of these acknowledgement states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<BoardStatus>,
    /// How the wall groups them.
    #[serde(default)]
    pub group_by: BoardGroupBy,
    /// Who saved it last (set by the server; ignored on input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// When, epoch seconds (set by the server; ignored on input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<f64>,
}

impl Board {
    /// Whether `incident` belongs on this board (see the type's docs for how filters
    /// combine).
    pub fn shows(&self, incident: &WallIncident) -> bool {
        let plan = self.response_plan_arns.is_empty()
            || self
                .response_plan_arns
                .contains(&incident.response_plan_arn);
        let impact = self.impacts.is_empty() || self.impacts.contains(&incident.incident.impact);
        let tags = self
            .tags
            .iter()
            .all(|(k, v)| incident.tags.get(k) == Some(v));
        let status = self.statuses.is_empty() || self.statuses.contains(&status_of(incident));
        plan && impact && tags && status
    }

    /// The heading: the title, or the name.
    pub fn heading(&self) -> &str {
        self.title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.name)
    }
}

/// The acknowledgement state of an open incident.
pub fn status_of(incident: &WallIncident) -> BoardStatus {
    match &incident.acknowledgement {
        Some(a) if !a.lapsed => BoardStatus::Acknowledged,
        _ => BoardStatus::Unacknowledged,
    }
}

/// `POST /v1/boards/delete` `{"name"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBoard {
    /// The board.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::Acknowledgement;

    fn incident(plan: &str, impact: i32, tags: &[(&str, &str)], acked: bool) -> WallIncident {
        let mut i: WallIncident = serde_json::from_value(serde_json::json!({
            "incident": {
                "arn": "arn:aws:ssm-incidents::123456789012:incident-record/p/1",
                "title": "t", "impact": impact, "status": "OPEN", "dedupeString": "d",
                "creationTime": 1.0, "lastModifiedTime": 1.0, "lastModifiedBy": "me",
                "incidentRecordSource": {"createdBy": "me", "source": "aws.ssm-incidents.custom"}
            },
            "responsePlanArn": plan,
            "responsePlanName": "p"
        }))
        .expect("incident");
        i.tags = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if acked {
            i.acknowledgement = Some(Acknowledgement {
                by: "maria".into(),
                name: "maria".into(),
                at: 2.0,
                note: None,
                until: None,
                lapsed: false,
            });
        }
        i
    }

    #[test]
    fn an_empty_board_shows_everything() {
        let b = Board {
            name: "all".into(),
            ..Board::default()
        };
        assert!(b.shows(&incident("a", 5, &[], true)));
        assert_eq!(b.heading(), "all");
    }

    #[test]
    fn filters_combine_with_and_values_with_or() {
        let b = Board {
            name: "pay".into(),
            title: Some("Payments".into()),
            response_plan_arns: vec!["a".into(), "b".into()],
            impacts: vec![1, 2],
            tags: [("team".to_owned(), "pay".to_owned())].into(),
            statuses: vec![BoardStatus::Unacknowledged],
            ..Board::default()
        };
        assert_eq!(b.heading(), "Payments");
        assert!(b.shows(&incident("b", 2, &[("team", "pay"), ("x", "y")], false)));
        assert!(
            !b.shows(&incident("c", 2, &[("team", "pay")], false)),
            "plan"
        );
        assert!(
            !b.shows(&incident("a", 3, &[("team", "pay")], false)),
            "impact"
        );
        assert!(
            !b.shows(&incident("a", 1, &[("team", "web")], false)),
            "tag value"
        );
        assert!(!b.shows(&incident("a", 1, &[], false)), "tag missing");
        assert!(
            !b.shows(&incident("a", 1, &[("team", "pay")], true)),
            "acknowledged"
        );
    }

    #[test]
    fn a_lapsed_acknowledgement_is_unacknowledged() {
        let mut i = incident("a", 1, &[], true);
        assert_eq!(status_of(&i), BoardStatus::Acknowledged);
        if let Some(a) = i.acknowledgement.as_mut() {
            a.lapsed = true;
        }
        assert_eq!(status_of(&i), BoardStatus::Unacknowledged);
    }

    #[test]
    fn json_shape() {
        let b: Board = serde_json::from_str(
            r#"{"name":"x","impacts":[1],"statuses":["acknowledged"],"groupBy":"responsePlan"}"#,
        )
        .expect("board");
        assert_eq!(b.group_by, BoardGroupBy::ResponsePlan);
        assert_eq!(b.statuses, vec![BoardStatus::Acknowledged]);
        let back = serde_json::to_value(&b).expect("json");
        assert_eq!(back["groupBy"], "responsePlan");
        assert!(back.get("tags").is_none());
    }
}
