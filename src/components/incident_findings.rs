//! The incident page's "Findings and recent changes" section: deployments and stack updates
//! that involve the incident's resources, and every change event kept around its time.

use leptos::prelude::*;
use tocsin_api::incidents::{Finding, FindingDetails};
use tocsin_api::native::{Change, ChangeFeedEntry};

use crate::api::Api;
use crate::api::native::RecentChange;
use crate::clock::local_datetime;
use crate::components::error_note::ErrorNote;
use crate::live::{ChangeFeed, use_live_resource};

/// Sources of the change events Incident Manager makes findings of.
pub const CHANGE_SOURCES: [&str; 2] = ["aws.codedeploy", "aws.cloudformation"];

/// Whether a change-feed entry may change an incident's findings or recent changes: a
/// CodeDeploy or CloudFormation event reached a bus, or the change patterns changed.
pub fn is_change_news(entry: &ChangeFeedEntry) -> bool {
    match &entry.change {
        Change::EventReceived(e) => CHANGE_SOURCES.contains(&e.source.as_str()),
        Change::ChangePatternChanged { .. } => true,
        _ => false,
    }
}

/// What a finding is, in words, with the resource it concerns: (`data-kind`, what it is,
/// its id or resource, the ARN it involves).
pub fn finding_summary(details: Option<&FindingDetails>) -> (&'static str, &'static str, String) {
    match details {
        Some(FindingDetails {
            code_deploy_deployment: Some(d),
            ..
        }) => (
            "codeDeployDeployment",
            "CodeDeploy deployment",
            format!("{} in {}", d.deployment_id, d.deployment_group_arn),
        ),
        Some(FindingDetails {
            cloud_formation_stack_update: Some(s),
            ..
        }) => (
            "cloudFormationStackUpdate",
            "CloudFormation stack update",
            s.stack_arn.clone(),
        ),
        _ => ("other", "Change", String::new()),
    }
}

/// A finding's start and end times (`None`: still in progress).
fn finding_times(details: Option<&FindingDetails>) -> Option<(f64, Option<f64>)> {
    let details = details?;
    if let Some(d) = &details.code_deploy_deployment {
        return Some((d.start_time, d.end_time));
    }
    details
        .cloud_formation_stack_update
        .as_ref()
        .map(|s| (s.start_time, s.end_time))
}

/// `section#findings`: the incident's findings (`ListIncidentFindings` +
/// `BatchGetIncidentFindings`) in `ul#finding-list`, one `li.finding[data-id][data-kind]`
/// each (a CodeDeploy deployment or CloudFormation stack update involving one of the
/// incident's related resources, when it started and ended), then its recent changes
/// (`GET /v1/incidents/recent-changes`) in `table#recent-changes`, one
/// `tr.recent-change[data-involved]` each, newest first. Both are read again when a
/// CodeDeploy or CloudFormation event reaches a bus, when the change patterns change, when
/// the incident's related resources change (`resources`), after a reconnect of `feed`, and
/// on "Refresh" (`button#findings-refresh`: events matching an admin's change pattern are
/// not followed one by one).
#[component]
pub fn IncidentFindings(
    /// The API client.
    api: Api,
    /// The page's change feed.
    feed: ChangeFeed,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// The ARNs among the incident's related items (findings are about them).
    #[prop(into)]
    resources: Signal<Vec<String>>,
) -> impl IntoView {
    let findings_api = api.clone();
    let findings = use_live_resource(
        feed,
        move || {
            let arn = incident_arn.get();
            resources.track();
            let api = findings_api.clone();
            async move {
                if arn.is_empty() {
                    return Ok(Vec::new());
                }
                api.incident_findings(&arn).await
            }
        },
        is_change_news,
    );
    let changes = use_live_resource(
        feed,
        move || {
            let arn = incident_arn.get();
            resources.track();
            let api = api.clone();
            async move {
                if arn.is_empty() {
                    return Ok(Vec::new());
                }
                api.recent_changes(&arn).await
            }
        },
        is_change_news,
    );
    let finding_rows = Memo::new(move |previous: Option<&Option<Vec<Finding>>>| {
        findings.with(|r| match r {
            Some(Ok(list)) => Some(list.clone()),
            _ => previous.cloned().flatten(),
        })
    });
    let change_rows = Memo::new(move |previous: Option<&Option<Vec<RecentChange>>>| {
        changes.with(|r| match r {
            Some(Ok(list)) => Some(list.clone()),
            _ => previous.cloned().flatten(),
        })
    });
    let findings_error = Memo::new(move |_| {
        findings.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });
    let changes_error = Memo::new(move |_| {
        changes.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });
    let on_refresh = move |_| {
        findings.refetch();
        changes.refetch();
    };

    view! {
        <section class="findings" id="findings" aria-labelledby="findings-title">
            <div class="section-head">
                <h2 id="findings-title">"Findings and recent changes"</h2>
                <button type="button" id="findings-refresh" class="small" on:click=on_refresh>
                    "Refresh"
                </button>
            </div>
            <p class="hint">
                "Deployments and stack updates from two hours before the incident opened until it was resolved that involve one of its related resources (by ARN)."
            </p>
            {move || findings_error.get().map(|m| view! { <ErrorNote id="findings-error" message=m /> })}
            {move || match finding_rows.get() {
                None if findings_error.with(Option::is_none) => {
                    view! { <p class="muted">"Loading…"</p> }.into_any()
                }
                None => ().into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted" id="no-findings">
                            "No deployment or stack update involves this incident's resources."
                        </p>
                    }
                        .into_any()
                }
                Some(list) => view! { <FindingList findings=list /> }.into_any(),
            }}
            <h3>"Recent changes"</h3>
            {move || changes_error.get().map(|m| view! { <ErrorNote id="recent-changes-error" message=m /> })}
            {move || match change_rows.get() {
                None if changes_error.with(Option::is_none) => {
                    view! { <p class="muted">"Loading…"</p> }.into_any()
                }
                None => ().into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted" id="no-recent-changes">
                            "No change events were kept around this incident's time."
                        </p>
                    }
                        .into_any()
                }
                Some(list) => view! { <RecentChangeTable changes=list /> }.into_any(),
            }}
        </section>
    }
}

/// `ul#finding-list`.
#[component]
fn FindingList(findings: Vec<Finding>) -> impl IntoView {
    view! {
        <ul class="finding-list" id="finding-list">
            {findings
                .into_iter()
                .map(|f| {
                    let (kind, what, subject) = finding_summary(f.details.as_ref());
                    let when = match finding_times(f.details.as_ref()) {
                        Some((start, Some(end))) => {
                            format!("{} – {}", local_datetime(start), local_datetime(end))
                        }
                        Some((start, None)) => format!("since {} (in progress)", local_datetime(start)),
                        None => local_datetime(f.creation_time),
                    };
                    view! {
                        <li class="finding" data-id=f.id.clone() data-kind=kind>
                            <span class="label finding-kind">{what}</span>
                            " "
                            <span class="mono finding-subject">{subject}</span>
                            " "
                            <span class="muted finding-time">{when}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// `table#recent-changes`.
#[component]
fn RecentChangeTable(changes: Vec<RecentChange>) -> impl IntoView {
    view! {
        <table class="list" id="recent-changes">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Source"</th>
                    <th>"Detail type"</th>
                    <th>"Resources"</th>
                    <th>"Involves the incident"</th>
                </tr>
            </thead>
            <tbody>
                {changes
                    .into_iter()
                    .map(|c| {
                        let involved = if c.involved { "yes" } else { "no" };
                        view! {
                            <tr
                                class="recent-change"
                                data-event-id=c.event_id.clone().unwrap_or_default()
                                data-involved=involved
                            >
                                <td class="change-time">{local_datetime(c.time)}</td>
                                <td class="mono change-source">{c.source.clone().unwrap_or_default()}</td>
                                <td class="change-detail-type">{c.detail_type.clone().unwrap_or_default()}</td>
                                <td class="mono change-resources">{c.resources.clone().unwrap_or_default().join(", ")}</td>
                                <td class="change-involved">{involved}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::incidents::{CloudFormationStackUpdate, CodeDeployDeployment};
    use tocsin_api::native::EventReceived;

    fn entry(change: Change) -> ChangeFeedEntry {
        ChangeFeedEntry {
            id: 1,
            at: 0.0,
            change,
        }
    }

    #[test]
    fn change_events_are_news() {
        let received = |source: &str| {
            entry(Change::EventReceived(EventReceived {
                event_id: "e".to_owned(),
                event_bus_name: "default".to_owned(),
                source: source.to_owned(),
                detail_type: "d".to_owned(),
                matched_rules: Vec::new(),
            }))
        };
        assert!(is_change_news(&received("aws.codedeploy")));
        assert!(is_change_news(&received("aws.cloudformation")));
        assert!(!is_change_news(&received("aws.cloudwatch")));
        assert!(is_change_news(&entry(Change::ChangePatternChanged {
            name: "n".to_owned()
        })));
        assert!(!is_change_news(&entry(Change::RuleChanged {
            arn: "a".to_owned()
        })));
    }

    #[test]
    fn findings_in_words() {
        let deploy = FindingDetails {
            code_deploy_deployment: Some(CodeDeployDeployment {
                deployment_group_arn: "arn:g".to_owned(),
                deployment_id: "d-1".to_owned(),
                start_time: 1.0,
                end_time: None,
            }),
            ..FindingDetails::default()
        };
        assert_eq!(
            finding_summary(Some(&deploy)),
            (
                "codeDeployDeployment",
                "CodeDeploy deployment",
                "d-1 in arn:g".to_owned()
            )
        );
        assert_eq!(finding_times(Some(&deploy)), Some((1.0, None)));
        let stack = FindingDetails {
            cloud_formation_stack_update: Some(CloudFormationStackUpdate {
                stack_arn: "arn:s".to_owned(),
                start_time: 1.0,
                end_time: Some(2.0),
            }),
            ..FindingDetails::default()
        };
        assert_eq!(finding_summary(Some(&stack)).0, "cloudFormationStackUpdate");
        assert_eq!(finding_times(Some(&stack)), Some((1.0, Some(2.0))));
        assert_eq!(finding_summary(None).0, "other");
        assert_eq!(finding_times(None), None);
    }
}
