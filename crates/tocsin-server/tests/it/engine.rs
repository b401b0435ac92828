//! The engines tested at the middle boundary: response plans, incidents and rules called
//! directly on a store, without HTTP: the store suite, run on both backends (an in-memory
//! SQLite database, and a new database on a real PostgreSQL cluster). Each test is a table
//! of cases; each case runs on a fresh store.

#![allow(
    clippy::type_complexity,
    reason = "case tables are tuples, read as rows"
)]

use serde_json::{Value, json};
use tocsin_api::incidents::{IncidentRecordStatus, TriggerDetails};
use tocsin_api::native::Change;
use tocsin_server::ServerConfig;
use tocsin_server::domain::error::ApiError;
use tocsin_server::domain::incidents::{self, NewIncident, StartOutcome};
use tocsin_server::domain::{plans, rules};
use tocsin_server::store::Store;
use tocsin_server::store::postgres::PgStore;
use tocsin_server::store::sqlite::SqliteStore;

/// Which backend a test's stores are on.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty store on `backend`.
async fn store(backend: Backend) -> Box<dyn Store> {
    match backend {
        Backend::Sqlite => Box::new(SqliteStore::open("sqlite::memory:").await.unwrap()),
        Backend::Postgres => Box::new(
            PgStore::open(&crate::postgres::fresh_database().await)
                .await
                .unwrap(),
        ),
    }
}

/// Runs the store-suite test `$name(backend)` on both backends, as `$name::sqlite` and
/// `$name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await;
            }
        }
    )*};
}

on_both_backends!(
    start_incident_dedupe_and_client_tokens,
    bad_start_requests_fail_and_write_nothing,
    update_and_resolve,
    response_plans,
    rule_changes_write_a_feed_entry,
    get_timeline_event,
    rule_and_target_limits,
    a_summary_override_applies_to_a_new_incident_only,
    a_write_cancelled_while_it_begins_leaves_no_transaction_behind,
);

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// The error's AWS code, for comparing with the table.
fn code(err: &ApiError) -> &'static str {
    err.code()
}

async fn create_plan(s: &dyn Store, body: Value) -> Result<String, ApiError> {
    let mut tx = s.write().await.unwrap();
    let out = plans::create_response_plan(tx.as_mut(), &ServerConfig::default(), from(body)).await;
    if out.is_ok() {
        tx.commit().await.unwrap();
    }
    out
}

/// Creates plan `web` (title T, impact 3) and opens one incident from it; returns its ARN.
async fn web_incident(s: &dyn Store) -> String {
    create_plan(
        s,
        json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 3}}),
    )
    .await
    .unwrap();
    let mut tx = s.write().await.unwrap();
    let arn = incidents::start_incident(tx.as_mut(), &ServerConfig::default(), trigger(None, None))
        .await
        .unwrap()
        .arn()
        .to_owned();
    tx.commit().await.unwrap();
    arn
}

fn trigger(dedupe: Option<&str>, token: Option<&str>) -> NewIncident {
    NewIncident {
        response_plan_arn: "arn:aws:ssm-incidents::000000000000:response-plan/web".into(),
        title: None,
        impact: None,
        summary: None,
        trigger: TriggerDetails {
            source: "aws.cloudwatch".into(),
            timestamp: 1_700_000_000.0,
            trigger_arn: None,
            raw_data: None,
        },
        related_items: vec![from(json!({
            "identifier": {"type": "INVOLVED_RESOURCE", "value": {"arn": "arn:aws:ec2:us-east-1:000000000000:instance/i-1"}}
        }))],
        fallback_dedupe: dedupe.map(str::to_owned),
        client_token: token.map(str::to_owned),
        created_by: "arn:aws:iam::000000000000:user/test".into(),
        invoked_by: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Created,
    Deduplicated,
    Replayed,
}

fn kind(o: &StartOutcome) -> Kind {
    match o {
        StartOutcome::Created(_) => Kind::Created,
        StartOutcome::Deduplicated(_) => Kind::Deduplicated,
        StartOutcome::Replayed(_) => Kind::Replayed,
    }
}

async fn start_incident_dedupe_and_client_tokens(backend: Backend) {
    // (case, plan's dedupeString, triggers as (fallback dedupe, clientToken), expected
    // outcomes, incidents, timeline entries across incidents, related items across incidents)
    type Trigger = (Option<&'static str>, Option<&'static str>);
    let cases: &[(&str, Option<&str>, &[Trigger], &[Kind], usize, usize, usize)] = &[
        (
            "one trigger opens one incident",
            None,
            &[(None, None)],
            &[Kind::Created],
            1,
            1,
            1,
        ),
        (
            "no dedupe string: every trigger opens its own",
            None,
            &[(None, None), (None, None)],
            &[Kind::Created, Kind::Created],
            2,
            2,
            2,
        ),
        (
            "the plan's dedupe string merges triggers; repeats fold into one timeline entry",
            Some("db-down"),
            &[(None, None), (None, None), (None, None)],
            &[Kind::Created, Kind::Deduplicated, Kind::Deduplicated],
            1,
            2,
            1,
        ),
        (
            "a rule's derived dedupe string merges when the plan has none",
            None,
            &[
                (Some("rule|i-1"), None),
                (Some("rule|i-1"), None),
                (Some("rule|i-2"), None),
            ],
            &[Kind::Created, Kind::Deduplicated, Kind::Created],
            2,
            3,
            2,
        ),
        (
            "the plan's dedupe string wins over a derived one",
            Some("plan-wide"),
            &[(Some("a"), None), (Some("b"), None)],
            &[Kind::Created, Kind::Deduplicated],
            1,
            2,
            1,
        ),
        (
            "a client token replays without a second effect",
            None,
            &[(None, Some("t1")), (None, Some("t1")), (None, Some("t2"))],
            &[Kind::Created, Kind::Replayed, Kind::Created],
            2,
            2,
            2,
        ),
        (
            "a replayed token does not count as a dedupe trigger",
            Some("d"),
            &[(None, Some("t")), (None, Some("t")), (None, None)],
            &[Kind::Created, Kind::Replayed, Kind::Deduplicated],
            1,
            2,
            1,
        ),
    ];
    for (name, plan_dedupe, triggers, expected, n_incidents, n_timeline, n_items) in cases {
        let s = store(backend).await;
        let mut template = json!({"title": "Web is down", "impact": 2});
        if let Some(d) = plan_dedupe {
            template["dedupeString"] = json!(d);
        }
        create_plan(
            s.as_ref(),
            json!({"name": "web", "incidentTemplate": template}),
        )
        .await
        .unwrap();
        let mut outcomes = Vec::new();
        let mut arns = Vec::new();
        for (dedupe, token) in triggers.iter() {
            let mut tx = s.write().await.unwrap();
            let o = incidents::start_incident(
                tx.as_mut(),
                &ServerConfig::default(),
                trigger(*dedupe, *token),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            outcomes.push(kind(&o));
            arns.push(o.arn().to_owned());
        }
        assert_eq!(&outcomes, expected, "{name}");
        let mut tx = s.read().await.unwrap();
        let all = tx
            .incidents(&tocsin_server::store::IncidentQuery {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), *n_incidents, "{name}: incidents");
        let (mut timeline, mut items) = (0, 0);
        for i in &all {
            assert_eq!(i.record.impact, 2, "{name}: impact from the template");
            assert_eq!(i.record.title, "Web is down", "{name}");
            timeline += tx.timeline_events(&i.record.arn).await.unwrap().len();
            items += tx.related_items(&i.record.arn).await.unwrap().len();
        }
        assert_eq!(timeline, *n_timeline, "{name}: timeline entries");
        assert_eq!(
            items, *n_items,
            "{name}: related items (each attached once)"
        );
        // A replay answers with the first ARN.
        for (i, k) in outcomes.iter().enumerate() {
            if *k == Kind::Replayed {
                assert_eq!(arns[i], arns[i - 1], "{name}: replay returns the first ARN");
            }
        }
    }
}

async fn bad_start_requests_fail_and_write_nothing(backend: Backend) {
    // (case, how the request is spoiled, expected code, words in the message)
    type Spoil = fn(&mut NewIncident);
    let cases: &[(&str, Spoil, &str, &str)] = &[
        (
            "unknown plan",
            |r| {
                r.response_plan_arn =
                    "arn:aws:ssm-incidents::000000000000:response-plan/nope".into()
            },
            "ResourceNotFoundException",
            "does not exist",
        ),
        (
            "malformed plan ARN",
            |r| r.response_plan_arn = "web".into(),
            "ValidationException",
            "responsePlanArn",
        ),
        (
            "impact 0",
            |r| r.impact = Some(0),
            "ValidationException",
            "greater than or equal to 1",
        ),
        (
            "impact 6",
            |r| r.impact = Some(6),
            "ValidationException",
            "less than or equal to 5",
        ),
        (
            "title of 201 characters",
            |r| r.title = Some("x".repeat(201)),
            "ValidationException",
            "title",
        ),
        (
            "client token of 129 characters",
            |r| r.client_token = Some("t".repeat(129)),
            "ValidationException",
            "clientToken",
        ),
        (
            "source of 51 characters",
            |r| r.trigger.source = "s".repeat(51),
            "ValidationException",
            "triggerDetails.source",
        ),
        (
            "related item of an unknown type",
            |r| r.related_items[0].identifier.item_type = "BOGUS".into(),
            "ValidationException",
            "enum value set",
        ),
        (
            "101 related items",
            |r| r.related_items = vec![r.related_items[0].clone(); 101],
            "ValidationException",
            "relatedItems",
        ),
    ];
    for (name, spoil, expected, words) in cases {
        let s = store(backend).await;
        create_plan(
            s.as_ref(),
            json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 3}}),
        )
        .await
        .unwrap();
        let before = s.latest_change_id().await.unwrap();
        let mut req = trigger(None, Some("tok"));
        spoil(&mut req);
        let mut tx = s.write().await.unwrap();
        let err = incidents::start_incident(tx.as_mut(), &ServerConfig::default(), req)
            .await
            .unwrap_err();
        drop(tx);
        assert_eq!(code(&err), *expected, "{name}: {err}");
        assert!(err.to_string().contains(words), "{name}: {err}");
        assert_eq!(
            s.latest_change_id().await.unwrap(),
            before,
            "{name}: nothing written"
        );
    }
}

async fn update_and_resolve(backend: Backend) {
    // (case, updates applied in order, expected final status, impact, timeline event types
    // after "Incident Created")
    let cases: &[(&str, &[Value], IncidentRecordStatus, i32, &[&str])] = &[
        (
            "nothing changes",
            &[json!({})],
            IncidentRecordStatus::Open,
            3,
            &[],
        ),
        (
            "same values change nothing",
            &[json!({"impact": 3, "title": "T"})],
            IncidentRecordStatus::Open,
            3,
            &[],
        ),
        (
            "impact",
            &[json!({"impact": 1})],
            IncidentRecordStatus::Open,
            1,
            &["Incident Updated"],
        ),
        (
            "resolve",
            &[json!({"status": "RESOLVED"})],
            IncidentRecordStatus::Resolved,
            3,
            &["Incident Updated", "Incident Resolved"],
        ),
        (
            "resolve then reopen",
            &[json!({"status": "RESOLVED"}), json!({"status": "OPEN"})],
            IncidentRecordStatus::Open,
            3,
            &["Incident Updated", "Incident Resolved", "Incident Updated"],
        ),
        (
            "a repeated client token applies once",
            &[
                json!({"impact": 2, "clientToken": "u"}),
                json!({"impact": 4, "clientToken": "u"}),
            ],
            IncidentRecordStatus::Open,
            2,
            &["Incident Updated"],
        ),
    ];
    for (name, updates, status, impact, types) in cases {
        let s = store(backend).await;
        let arn = web_incident(s.as_ref()).await;
        for u in updates.iter() {
            let mut body = u.clone();
            body["arn"] = json!(arn);
            let mut tx = s.write().await.unwrap();
            incidents::update_incident(
                tx.as_mut(),
                &ServerConfig::default(),
                "arn:aws:iam::000000000000:user/r",
                from(body),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let mut tx = s.read().await.unwrap();
        let record = tx.incident(&arn).await.unwrap().unwrap().record;
        assert_eq!(record.status, *status, "{name}");
        assert_eq!(record.impact, *impact, "{name}");
        assert_eq!(
            record.resolved_time.is_some(),
            *status == IncidentRecordStatus::Resolved,
            "{name}"
        );
        let got: Vec<String> = tx
            .timeline_events(&arn)
            .await
            .unwrap()
            .into_iter()
            .skip(1)
            .map(|e| e.event_type)
            .collect();
        assert_eq!(got, *types, "{name}");
    }
    // Unknown incident, bad impact.
    let s = store(backend).await;
    let mut tx = s.write().await.unwrap();
    let missing = incidents::update_incident(
        tx.as_mut(),
        &ServerConfig::default(),
        "p",
        from(json!({"arn": "arn:aws:ssm-incidents::000000000000:incident-record/web/x"})),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&missing), "ResourceNotFoundException");
    let bad = incidents::update_incident(
        tx.as_mut(),
        &ServerConfig::default(),
        "p",
        from(json!({"arn": "arn:aws:ssm-incidents::000000000000:incident-record/web/x", "impact": 9})),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&bad), "ValidationException");
}

async fn response_plans(backend: Backend) {
    // (case, create requests in order, expected result of each: Ok or an error code)
    let cases: &[(&str, &[Value], &[Result<(), &str>])] = &[
        (
            "create",
            &[json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 1}})],
            &[Ok(())],
        ),
        (
            "a taken name conflicts",
            &[
                json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 1}}),
                json!({"name": "web", "incidentTemplate": {"title": "U", "impact": 2}}),
            ],
            &[Ok(()), Err("ConflictException")],
        ),
        (
            "a client token replays",
            &[
                json!({"name": "web", "clientToken": "c", "incidentTemplate": {"title": "T", "impact": 1}}),
                json!({"name": "web", "clientToken": "c", "incidentTemplate": {"title": "T", "impact": 1}}),
            ],
            &[Ok(()), Ok(())],
        ),
        (
            "bad name",
            &[json!({"name": "web site", "incidentTemplate": {"title": "T", "impact": 1}})],
            &[Err("ValidationException")],
        ),
        (
            "impact 6",
            &[json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 6}})],
            &[Err("ValidationException")],
        ),
        (
            "two actions",
            &[
                json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 1}, "actions": [{}, {}]}),
            ],
            &[Err("ValidationException")],
        ),
        (
            "six engagements",
            &[
                json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 1}, "engagements": ["a", "b", "c", "d", "e", "f"]}),
            ],
            &[Err("ValidationException")],
        ),
    ];
    for (name, creates, expected) in cases {
        let s = store(backend).await;
        let mut results = Vec::new();
        for c in creates.iter() {
            let before = s.latest_change_id().await.unwrap();
            let r = create_plan(s.as_ref(), c.clone()).await;
            if r.is_err() {
                assert_eq!(
                    s.latest_change_id().await.unwrap(),
                    before,
                    "{name}: nothing written"
                );
            }
            results.push(r.map(|_| ()).map_err(|e| code(&e)));
        }
        assert_eq!(&results, expected, "{name}");
    }
    // Update keeps absent members, validates the result; delete is idempotent.
    let s = store(backend).await;
    let arn = create_plan(
        s.as_ref(),
        json!({"name": "web", "displayName": "Web", "incidentTemplate": {"title": "T", "impact": 3, "summary": "S"}}),
    )
    .await
    .unwrap();
    let mut tx = s.write().await.unwrap();
    plans::update_response_plan(
        tx.as_mut(),
        from(json!({"arn": arn, "incidentTemplateImpact": 1})),
    )
    .await
    .unwrap();
    let err = plans::update_response_plan(
        tx.as_mut(),
        from(json!({"arn": arn, "incidentTemplateImpact": 0})),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "ValidationException");
    tx.commit().await.unwrap();
    let mut tx = s.read().await.unwrap();
    let plan = plans::get_response_plan(tx.as_mut(), &arn)
        .await
        .unwrap()
        .plan;
    drop(tx);
    assert_eq!(plan.incident_template.impact, 1);
    assert_eq!(
        plan.incident_template.summary.as_deref(),
        Some("S"),
        "absent members stay"
    );
    assert_eq!(plan.display_name.as_deref(), Some("Web"));
    let mut tx = s.write().await.unwrap();
    assert!(
        plans::delete_response_plan(tx.as_mut(), from(json!({"arn": arn})))
            .await
            .unwrap()
    );
    assert!(
        !plans::delete_response_plan(tx.as_mut(), from(json!({"arn": arn})))
            .await
            .unwrap()
    );
    let gone = plans::get_response_plan(tx.as_mut(), &arn)
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "ResourceNotFoundException");
}

async fn rule_changes_write_a_feed_entry(backend: Backend) {
    let config = ServerConfig::default();
    // (case, PutRule request, expected error code or None)
    let put_cases: &[(&str, Value, Option<&str>)] = &[
        (
            "valid",
            json!({"Name": "r", "EventPattern": "{\"source\":[\"a\"]}"}),
            None,
        ),
        (
            "bad pattern",
            json!({"Name": "r", "EventPattern": "{\"source\":\"a\"}"}),
            Some("InvalidEventPatternException"),
        ),
        (
            "no pattern",
            json!({"Name": "r"}),
            Some("ValidationException"),
        ),
        (
            "schedule",
            json!({"Name": "r", "ScheduleExpression": "rate(5 minutes)"}),
            None,
        ),
        (
            "bad schedule",
            json!({"Name": "r", "ScheduleExpression": "rate(5 minute)"}),
            Some("ValidationException"),
        ),
        (
            "bad name",
            json!({"Name": "r r", "EventPattern": "{}"}),
            Some("ValidationException"),
        ),
        (
            "unknown bus",
            json!({"Name": "r", "EventPattern": "{}", "EventBusName": "other"}),
            Some("ResourceNotFoundException"),
        ),
        (
            "pattern over 4096",
            json!({"Name": "r", "EventPattern": format!("{{\"source\":[\"{}\"]}}", "a".repeat(4100))}),
            Some("ValidationException"),
        ),
    ];
    for (name, req, expected) in put_cases {
        let s = store(backend).await;
        let before = s.latest_change_id().await.unwrap();
        let mut tx = s.write().await.unwrap();
        match (
            rules::put_rule(tx.as_mut(), &config, from(req.clone()), 0.0).await,
            expected,
        ) {
            (Ok(change), None) => {
                let id = change.feed_id.expect("a feed entry");
                tx.commit().await.unwrap();
                let entries = s.changes_after(before, 10).await.unwrap();
                assert_eq!(entries.len(), 1, "{name}");
                assert_eq!(entries[0].id, id, "{name}");
                assert!(
                    matches!(&entries[0].change, Change::RuleChanged { arn } if *arn == change.output.rule_arn),
                    "{name}"
                );
            }
            (Err(e), Some(code_expected)) => assert_eq!(code(&e), *code_expected, "{name}: {e}"),
            (other, _) => panic!("{name}: unexpected {other:?}"),
        }
    }
    // Targets: a bad one fails the call and writes nothing; a rule with targets can't be
    // deleted; removing a missing target is a failed entry.
    let s = store(backend).await;
    let mut tx = s.write().await.unwrap();
    rules::put_rule(
        tx.as_mut(),
        &config,
        from(json!({"Name": "r", "EventPattern": "{\"source\":[\"a\"]}"})),
        0.0,
    )
    .await
    .unwrap();
    let targets = |list: Value| from(json!({"Rule": "r", "Targets": list}));
    let bad = rules::put_targets(
        tx.as_mut(),
        &config,
        targets(json!([{"Id": "ok", "Arn": "https://example.com/x"}, {"Id": "bad", "Arn": "https://example.com/y", "InputPath": "not a path"}])),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&bad), "ValidationException");
    assert!(
        tx.targets("arn:aws:events:us-east-1:000000000000:rule/r")
            .await
            .unwrap()
            .is_empty()
    );
    rules::put_targets(
        tx.as_mut(),
        &config,
        targets(json!([{"Id": "t", "Arn": "https://example.com/x"}])),
    )
    .await
    .unwrap();
    let refused = rules::delete_rule(tx.as_mut(), &config, from(json!({"Name": "r"})))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "ValidationException");
    let removed = rules::remove_targets(
        tx.as_mut(),
        &config,
        from(json!({"Rule": "r", "Ids": ["t", "nope"]})),
    )
    .await
    .unwrap();
    assert_eq!(removed.output.failed_entry_count, 1);
    assert_eq!(removed.output.failed_entries[0].target_id, "nope");
    let deleted = rules::delete_rule(tx.as_mut(), &config, from(json!({"Name": "r"})))
        .await
        .unwrap();
    assert!(deleted.feed_id.is_some());
    let again = rules::delete_rule(tx.as_mut(), &config, from(json!({"Name": "r"})))
        .await
        .unwrap();
    assert_eq!(
        again.feed_id, None,
        "deleting a missing rule changes nothing"
    );
}

async fn get_timeline_event(backend: Backend) {
    let s = store(backend).await;
    let arn = web_incident(s.as_ref()).await;
    let mut tx = s.read().await.unwrap();
    let first = tx.timeline_events(&arn).await.unwrap().remove(0);
    let other = "arn:aws:ssm-incidents::000000000000:incident-record/web/other";
    // (case, incident ARN, event id, expected: the entry or an error code)
    let cases: &[(&str, &str, &str, Result<(), &str>)] = &[
        ("the entry", &arn, &first.event_id, Ok(())),
        (
            "unknown entry",
            &arn,
            "00000000-0000-0000-0000-000000000000",
            Err("ResourceNotFoundException"),
        ),
        (
            "unknown incident",
            other,
            &first.event_id,
            Err("ResourceNotFoundException"),
        ),
        (
            "malformed ARN",
            "incident",
            &first.event_id,
            Err("ValidationException"),
        ),
        ("empty event id", &arn, "", Err("ValidationException")),
        (
            "event id of 51 characters",
            &arn,
            &"e".repeat(51),
            Err("ValidationException"),
        ),
    ];
    for (name, incident, event_id, expected) in cases {
        match (
            incidents::get_timeline_event(tx.as_mut(), incident, event_id).await,
            expected,
        ) {
            (Ok(event), Ok(())) => assert_eq!(event, first, "{name}"),
            (Err(e), Err(c)) => assert_eq!(code(&e), *c, "{name}: {e}"),
            (got, _) => panic!("{name}: unexpected {got:?}"),
        }
    }
}

async fn rule_and_target_limits(backend: Backend) {
    let config = ServerConfig {
        max_rules_per_bus: 2,
        ..ServerConfig::default()
    };
    let s = store(backend).await;
    let mut tx = s.write().await.unwrap();
    let put = |name: &str| from(json!({"Name": name, "EventPattern": "{\"source\":[\"a\"]}"}));
    // (case, rule name, expected: Ok or an error code)
    let rule_cases: &[(&str, &str, Result<(), &str>)] = &[
        ("first", "r1", Ok(())),
        ("second", "r2", Ok(())),
        (
            "a third is over the quota",
            "r3",
            Err("LimitExceededException"),
        ),
        ("replacing an existing rule is not a new one", "r1", Ok(())),
    ];
    for (name, rule, expected) in rule_cases {
        let got = rules::put_rule(tx.as_mut(), &config, put(rule), 0.0)
            .await
            .map(|_| ())
            .map_err(|e| code(&e));
        assert_eq!(&got, expected, "{name}");
    }
    let target = |id: &str| json!({"Id": id, "Arn": "https://example.com/hook"});
    // (case, target ids in one call, expected)
    let target_cases: &[(&str, &[&str], Result<(), &str>)] = &[
        ("five at once", &["a", "b", "c", "d", "e"], Ok(())),
        ("replacing one keeps five", &["c"], Ok(())),
        (
            "a sixth is over the limit",
            &["f"],
            Err("LimitExceededException"),
        ),
        ("a reserved header", &[], Err("ValidationException")),
    ];
    for (name, ids, expected) in target_cases {
        let targets: Vec<Value> = if ids.is_empty() {
            vec![
                json!({"Id": "a", "Arn": "https://example.com/hook", "HttpParameters": {"HeaderParameters": {"Host": "internal"}}}),
            ]
        } else {
            ids.iter().map(|id| target(id)).collect()
        };
        let got = rules::put_targets(
            tx.as_mut(),
            &config,
            from(json!({"Rule": "r1", "Targets": targets})),
        )
        .await
        .map(|_| ())
        .map_err(|e| code(&e));
        assert_eq!(&got, expected, "{name}");
    }
    let stored = tx
        .targets("arn:aws:events:us-east-1:000000000000:rule/r1")
        .await
        .unwrap();
    assert_eq!(stored.len(), 5, "nothing written by the refused calls");
}

async fn a_summary_override_applies_to_a_new_incident_only(backend: Backend) {
    // (case, summary sent with the first trigger, with the second (merged by dedupe
    // string), expected summary of the one open incident or the error code)
    let cases: &[(&str, Option<&str>, Option<&str>, Result<Option<&str>, &str>)] = &[
        ("none: the plan's", None, None, Ok(Some("Plan summary"))),
        (
            "blank: the plan's",
            Some("  "),
            None,
            Ok(Some("Plan summary")),
        ),
        (
            "override",
            Some("EU checkout"),
            None,
            Ok(Some("EU checkout")),
        ),
        (
            "a merge keeps the open incident's",
            Some("EU checkout"),
            Some("Something else"),
            Ok(Some("EU checkout")),
        ),
        (
            "too long",
            Some(&*"x".repeat(8001)),
            None,
            Err("ValidationException"),
        ),
    ];
    for (case, first, second, expected) in cases {
        let s = store(backend).await;
        create_plan(
            s.as_ref(),
            json!({"name": "web", "incidentTemplate": {"title": "T", "impact": 3,
                   "summary": "Plan summary", "dedupeString": "web"}}),
        )
        .await
        .unwrap();
        let sends = match second {
            Some(_) => vec![*first, *second],
            None => vec![*first],
        };
        let mut outcome = Err("not started");
        for summary in sends {
            let mut req = trigger(None, None);
            req.summary = summary.map(|s| s.to_string());
            let mut tx = s.write().await.unwrap();
            match incidents::start_incident(tx.as_mut(), &ServerConfig::default(), req).await {
                Ok(o) => {
                    tx.commit().await.unwrap();
                    outcome = Ok(o.arn().to_owned());
                }
                Err(e) => outcome = Err(code(&e)),
            }
        }
        match (expected, outcome) {
            (Ok(summary), Ok(arn)) => {
                let mut tx = s.read().await.unwrap();
                let record = incidents::get_incident_record(tx.as_mut(), &arn)
                    .await
                    .unwrap()
                    .record;
                assert_eq!(record.summary.as_deref(), *summary, "{case}");
            }
            (Err(code), Err(got)) => assert_eq!(*code, got, "{case}"),
            (want, got) => panic!("{case}: expected {want:?}, got {got:?}"),
        }
    }
}

/// A request whose client goes away drops its handler, and with it a `Store::write` that may
/// be half-way through beginning its transaction. Dropped at every point (the future polled
/// 1 to 60 times, the database's own threads running meanwhile), none may leave a pooled
/// connection inside a transaction: on SQLite that connection would keep the write lock, so
/// every later write would fail after the busy timeout (sqlx#3932); on PostgreSQL it would
/// keep the writer lock until the idle-transaction timeout. The SQLite store is a file, as
/// in production, so the pool has several connections.
async fn a_write_cancelled_while_it_begins_leaves_no_transaction_behind(backend: Backend) {
    use std::task::Poll;
    let dir = tempfile::tempdir().unwrap();
    let s: Box<dyn Store> = match backend {
        Backend::Sqlite => Box::new(
            SqliteStore::open(&format!("sqlite://{}/t.db", dir.path().display()))
                .await
                .unwrap(),
        ),
        Backend::Postgres => store(backend).await,
    };
    for polls in 1..=60 {
        for _ in 0..4 {
            let mut begin = s.write();
            for _ in 0..polls {
                match futures::poll!(&mut begin) {
                    Poll::Ready(tx) => {
                        drop(tx);
                        break;
                    }
                    Poll::Pending => tokio::task::yield_now().await,
                }
            }
            drop(begin);
        }
    }
    // Every connection of the pool is used again: each write begins and commits promptly.
    for i in 0..12 {
        let write = async {
            let mut tx = s.write().await?;
            plans::create_response_plan(
                tx.as_mut(),
                &ServerConfig::default(),
                from(json!({"name": format!("after-{i}"), "incidentTemplate": {"title": "T", "impact": 3}})),
            )
            .await
            .expect("creates the plan");
            tx.commit().await
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), write)
            .await
            .unwrap_or_else(|_| {
                panic!("write {i} waited 5 s: a cancelled write kept its transaction")
            })
            .unwrap_or_else(|e| panic!("write {i}: {e}"));
    }
    s.checkpoint()
        .await
        .expect("no pooled connection is inside a transaction");
}
