//! ARNs and target kinds: what a rule target's `Arn` points at, and how Tocsin spells the
//! ARNs it issues (shaped as AWS shapes them, so SDKs and Terraform accept them). One
//! definition for the server (which routes on it) and the web app (which labels it).

use crate::events::DEFAULT_EVENT_BUS;

/// What a rule target's `Arn` names (EventBridge `Target.Arn`, whose model has no pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind<'a> {
    /// An ssm-incidents response plan: a match opens (or dedupes into) an incident.
    ResponsePlan {
        /// The plan's name.
        name: &'a str,
    },
    /// An `http://` or `https://` URL: a match is POSTed there (with retries).
    Http,
    /// An Automation runbook (`arn:aws:ssm:<region>:<account>:automation-definition/<name>`,
    /// optionally `:<version>`): a match starts an execution.
    Automation {
        /// The document's name.
        document: &'a str,
        /// `$DEFAULT`, `$LATEST` or a number; `None`: the default version.
        version: Option<&'a str>,
    },
    /// An EventBridge API destination
    /// (`arn:aws:events:<region>:<account>:api-destination/<name>/<id>`): a match is sent to
    /// its endpoint with its connection's authorization, at most at its rate.
    ApiDestination {
        /// The destination's name.
        name: &'a str,
    },
    /// Anything else: PutTargets refuses it; one stored by an earlier version is listed,
    /// and each event it gets is dead-lettered.
    Other,
}

impl<'a> TargetKind<'a> {
    /// Classifies a target `Arn`.
    pub fn of(arn: &'a str) -> Self {
        if let Some(name) = response_plan_name(arn) {
            TargetKind::ResponsePlan { name }
        } else if let Some((document, version)) = automation_definition(arn) {
            TargetKind::Automation { document, version }
        } else if let Some(name) = api_destination_name(arn) {
            TargetKind::ApiDestination { name }
        } else if is_http_url(arn) {
            TargetKind::Http
        } else {
            TargetKind::Other
        }
    }

    /// The kind in words, for people: `response plan`, `HTTP endpoint`, `other`.
    pub fn describe(self) -> &'static str {
        match self {
            TargetKind::ResponsePlan { .. } => "response plan",
            TargetKind::Http => "HTTP endpoint",
            TargetKind::Automation { .. } => "runbook",
            TargetKind::ApiDestination { .. } => "API destination",
            TargetKind::Other => "other",
        }
    }
}

/// The name in an API destination ARN
/// (`arn:aws:events:<region>:<account>:api-destination/<name>/<id>`), if it is one.
pub fn api_destination_name(arn: &str) -> Option<&str> {
    let (head, rest) = arn.split_once(":api-destination/")?;
    let (name, id) = rest.split_once('/')?;
    (head.starts_with("arn:aws") && head.contains(":events:") && !name.is_empty() && !id.is_empty())
        .then_some(name)
}

/// Whether `arn` is an `http://` or `https://` URL (an HTTP target).
pub fn is_http_url(arn: &str) -> bool {
    arn.starts_with("http://") || arn.starts_with("https://")
}

/// The document name and version of an Automation target ARN
/// (`arn:aws:ssm:<region>:<account>:automation-definition/<name>[:<version>]`), if it is one.
pub fn automation_definition(arn: &str) -> Option<(&str, Option<&str>)> {
    let (head, rest) = arn.split_once(":automation-definition/")?;
    if !(head.starts_with("arn:aws") && head.contains(":ssm:")) || rest.is_empty() {
        return None;
    }
    Some(match rest.split_once(':') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => (name, Some(version)),
        Some(_) => return None,
        None => (rest, None),
    })
}

/// `arn:aws:ssm-incidents::<account>:response-plan/<name>`.
pub fn response_plan(account: &str, name: &str) -> String {
    format!("arn:aws:ssm-incidents::{account}:response-plan/{name}")
}

/// The plan name of a response-plan ARN, if it is one.
pub fn response_plan_name(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":response-plan/")?;
    (head.starts_with("arn:aws") && head.contains(":ssm-incidents:") && !name.is_empty())
        .then_some(name)
}

/// `arn:aws:events:<region>:<account>:rule/<name>` on the default bus,
/// `…:rule/<bus>/<name>` on others.
pub fn rule(region: &str, account: &str, event_bus_name: &str, name: &str) -> String {
    if event_bus_name == DEFAULT_EVENT_BUS {
        format!("arn:aws:events:{region}:{account}:rule/{name}")
    } else {
        format!("arn:aws:events:{region}:{account}:rule/{event_bus_name}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_kinds() {
        let plan = response_plan("123456789012", "db-down");
        let cases = [
            (
                plan.as_str(),
                TargetKind::ResponsePlan { name: "db-down" },
                "response plan",
            ),
            (
                "https://hooks.example.com/x",
                TargetKind::Http,
                "HTTP endpoint",
            ),
            ("http://10.0.0.1/x", TargetKind::Http, "HTTP endpoint"),
            (
                "arn:aws:events:us-east-1:000000000000:api-destination/pager/6f1c3b9e-0000-4000-8000-000000000000",
                TargetKind::ApiDestination { name: "pager" },
                "API destination",
            ),
            (
                "arn:aws:events:us-east-1:000000000000:api-destination/pager",
                TargetKind::Other,
                "other",
            ),
            ("arn:aws:sns:us-east-1:1:topic", TargetKind::Other, "other"),
            (
                "arn:aws:sns:us-east-1:1:response-plan/x",
                TargetKind::Other,
                "other",
            ),
            ("ftp://x", TargetKind::Other, "other"),
            (
                "arn:aws:ssm:us-east-1:1:automation-definition/restart-web",
                TargetKind::Automation {
                    document: "restart-web",
                    version: None,
                },
                "runbook",
            ),
            (
                "arn:aws:ssm:us-east-1:1:automation-definition/restart-web:$LATEST",
                TargetKind::Automation {
                    document: "restart-web",
                    version: Some("$LATEST"),
                },
                "runbook",
            ),
            (
                "arn:aws:ssm:us-east-1:1:automation-definition/",
                TargetKind::Other,
                "other",
            ),
            (
                "arn:aws:sns:us-east-1:1:automation-definition/x",
                TargetKind::Other,
                "other",
            ),
        ];
        for (arn, kind, words) in cases {
            assert_eq!(TargetKind::of(arn), kind, "{arn}");
            assert_eq!(kind.describe(), words);
        }
        assert_eq!(
            rule("us-east-1", "000000000000", "default", "r"),
            "arn:aws:events:us-east-1:000000000000:rule/r"
        );
        assert_eq!(
            rule("us-east-1", "000000000000", "ops", "r"),
            "arn:aws:events:us-east-1:000000000000:rule/ops/r"
        );
    }
}
