//! The escalation engine at the middle boundary: engagements and pages driven with explicit
//! times on an in-memory store, so stage timing, channel retries, acceptance and
//! acknowledgement holds are checked to the second without waiting.

use serde_json::{Value, json};
use tocsin_server::ServerConfig;
use tocsin_server::domain::{contacts, engagements};
use tocsin_server::store::Store;
use tocsin_server::store::sqlite::SqliteStore;

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// A personal contact with one activated email channel (retry every `retry` minutes);
/// returns (contact ARN, channel ARN).
async fn person(s: &SqliteStore, alias: &str, retry: i32, stages: usize) -> (String, String) {
    let config = ServerConfig::default();
    let mut tx = s.write().await.unwrap();
    let contact = contacts::create_contact(
        tx.as_mut(),
        &config,
        from(json!({"Alias": alias, "Type": "PERSONAL", "Plan": {"Stages": []}})),
        0.0,
    )
    .await
    .unwrap();
    let channel = contacts::create_channel(
        tx.as_mut(),
        &config,
        from(json!({"ContactId": contact, "Name": "mail", "Type": "EMAIL", "DeliveryAddress": {"SimpleAddress": format!("{alias}@example.com")}})),
        0.0,
    )
    .await
    .unwrap();
    let code = tx
        .channel(&channel)
        .await
        .unwrap()
        .unwrap()
        .activation_code
        .unwrap();
    contacts::activate_channel(
        tx.as_mut(),
        from(json!({"ContactChannelId": channel, "ActivationCode": code})),
    )
    .await
    .unwrap();
    if stages > 0 {
        let stage = json!({"DurationInMinutes": 5, "Targets": [{"ChannelTargetInfo": {"ContactChannelId": channel, "RetryIntervalInMinutes": retry}}]});
        contacts::update_contact(
            tx.as_mut(),
            from(json!({"ContactId": contact, "Plan": {"Stages": vec![stage; stages]}})),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    (contact, channel)
}

/// How many page messages went to each address, in the notification outbox.
async fn pages_sent(s: &SqliteStore, address: &str) -> usize {
    let mut tx = s.read().await.unwrap();
    tx.notifications(None, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.delivery.kind == "Page" && n.delivery.endpoint == address)
        .count()
}

/// Runs the scheduler's turns due at `now` (engagements, then pages).
async fn tick(s: &SqliteStore, now: f64) {
    let config = ServerConfig::default();
    let mut tx = s.write().await.unwrap();
    let due = tx.due_escalations(now).await.unwrap();
    for arn in &due.acknowledgements {
        engagements::lapse_acknowledgement(tx.as_mut(), &config, arn, now)
            .await
            .unwrap();
    }
    for arn in &due.engagements {
        engagements::advance_engagement(tx.as_mut(), &config, arn, now)
            .await
            .unwrap();
    }
    for arn in &due.pages {
        engagements::advance_page(tx.as_mut(), &config, arn, now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn stages_run_on_their_schedule_and_an_essential_read_stops_them() {
    let s = SqliteStore::open("sqlite::memory:").await.unwrap();
    let (maria, _) = person(&s, "maria", 0, 0).await;
    let (tom, _) = person(&s, "tom", 0, 0).await;
    let (ana, _) = person(&s, "ana", 0, 0).await;
    let config = ServerConfig::default();
    let mut tx = s.write().await.unwrap();
    let plan = contacts::create_contact(
        tx.as_mut(),
        &config,
        from(json!({"Alias": "oncall", "Type": "ESCALATION", "Plan": {"Stages": [
            {"DurationInMinutes": 2, "Targets": [{"ContactTargetInfo": {"ContactId": maria, "IsEssential": false}}]},
            {"DurationInMinutes": 3, "Targets": [{"ContactTargetInfo": {"ContactId": tom, "IsEssential": true}}]},
            {"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": ana, "IsEssential": true}}]},
        ]}})),
        0.0,
    )
    .await
    .unwrap();
    let eng = engagements::start_engagement(
        tx.as_mut(),
        &config,
        from(json!({"ContactId": plan, "Sender": "ops", "Subject": "s", "Content": "c"})),
        1000.0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pages_sent(&s, "maria@example.com").await, 1);
    // A late scheduler turn (1130) still starts stage 2 at its original time (1120), so
    // stage 3 is due at 1120 + 180, not 1130 + 180.
    tick(&s, 1119.0).await;
    assert_eq!(
        pages_sent(&s, "tom@example.com").await,
        0,
        "not before the stage ends"
    );
    tick(&s, 1130.0).await;
    assert_eq!(pages_sent(&s, "tom@example.com").await, 1);
    let e = s
        .read()
        .await
        .unwrap()
        .engagement(&eng)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.stage, e.stage_started_at, e.wake_at),
        (1, 1120.0, Some(1300.0))
    );
    tick(&s, 1130.0).await;
    assert_eq!(
        pages_sent(&s, "tom@example.com").await,
        1,
        "a repeated turn pages nobody twice"
    );

    // Maria (not essential) reads: the escalation goes on. Tom (essential) reads: it stops.
    let page = |contact: String| {
        let s = s.clone();
        async move {
            let mut tx = s.read().await.unwrap();
            tx.pages_by_contact(&contact).await.unwrap().remove(0)
        }
    };
    let maria_page = page(maria.clone()).await;
    let mut tx = s.write().await.unwrap();
    engagements::accept_page(
        tx.as_mut(),
        from(json!({"PageId": maria_page.page.page_arn, "AcceptType": "READ", "AcceptCode": maria_page.accept_code, "AcceptCodeValidation": "ENFORCE"})),
        1140.0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        s.read()
            .await
            .unwrap()
            .engagement(&eng)
            .await
            .unwrap()
            .unwrap()
            .engagement
            .stop_time
            .is_none()
    );
    let tom_page = page(tom.clone()).await;
    let mut tx = s.write().await.unwrap();
    let wrong = engagements::accept_page(
        tx.as_mut(),
        from(json!({"PageId": tom_page.page.page_arn, "AcceptType": "READ", "AcceptCode": "999999x", "AcceptCodeValidation": "ENFORCE"})),
        1150.0,
    )
    .await
    .unwrap_err();
    assert_eq!(wrong.code(), "ValidationException");
    engagements::accept_page(
        tx.as_mut(),
        from(json!({"PageId": tom_page.page.page_arn, "AcceptType": "DELIVERED", "AcceptCode": "ignored"})),
        1150.0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tick(&s, 1299.0).await;
    let mut tx = s.write().await.unwrap();
    engagements::accept_page(
        tx.as_mut(),
        from(json!({"PageId": tom_page.page.page_arn, "AcceptType": "READ", "AcceptCode": tom_page.accept_code})),
        1299.5,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tick(&s, 1400.0).await;
    assert_eq!(
        pages_sent(&s, "ana@example.com").await,
        0,
        "stopped before stage 3"
    );
    let e = s
        .read()
        .await
        .unwrap()
        .engagement(&eng)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.engagement.stop_time, Some(1299.5));
}

#[tokio::test]
async fn a_personal_plan_retries_its_channel_and_moves_through_its_stages() {
    let s = SqliteStore::open("sqlite::memory:").await.unwrap();
    let (maria, _) = person(&s, "maria", 2, 2).await;
    let config = ServerConfig::default();
    let mut tx = s.write().await.unwrap();
    engagements::start_engagement(
        tx.as_mut(),
        &config,
        from(json!({"ContactId": maria, "Sender": "ops", "Subject": "s", "Content": "c"})),
        0.0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Stage 1 (5 min, retry every 2): sent at 0, 120, 240; stage 2 begins at 300.
    for (now, expected) in [
        (60.0, 1),
        (120.0, 2),
        (239.0, 2),
        (240.0, 3),
        (300.0, 4),
        (420.0, 5),
    ] {
        tick(&s, now).await;
        assert_eq!(
            pages_sent(&s, "maria@example.com").await,
            expected,
            "at {now}"
        );
    }
}

#[tokio::test]
async fn an_acknowledgement_holds_the_escalation_until_it_lapses() {
    let s = SqliteStore::open("sqlite::memory:").await.unwrap();
    let (maria, _) = person(&s, "maria", 0, 0).await;
    let (tom, _) = person(&s, "tom", 0, 0).await;
    let config = ServerConfig::default();
    let mut tx = s.write().await.unwrap();
    let plan = contacts::create_contact(
        tx.as_mut(),
        &config,
        from(json!({"Alias": "oncall", "Type": "ESCALATION", "Plan": {"Stages": [
            {"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": maria, "IsEssential": true}}]},
            {"DurationInMinutes": 1, "Targets": [{"ContactTargetInfo": {"ContactId": tom, "IsEssential": true}}]},
        ]}})),
        0.0,
    )
    .await
    .unwrap();
    tocsin_server::domain::plans::create_response_plan(
        tx.as_mut(),
        &config,
        from(json!({"name": "db", "incidentTemplate": {"title": "t", "impact": 2}, "engagements": [plan]})),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.write().await.unwrap();
    let started = tocsin_server::domain::incidents::start_incident(
        tx.as_mut(),
        &config,
        tocsin_server::domain::incidents::NewIncident {
            response_plan_arn: "arn:aws:ssm-incidents::000000000000:response-plan/db".into(),
            title: None,
            impact: None,
            summary: None,
            trigger: tocsin_api::incidents::TriggerDetails {
                source: "test".into(),
                timestamp: 0.0,
                trigger_arn: None,
                raw_data: None,
            },
            related_items: vec![],
            fallback_dedupe: None,
            client_token: None,
            created_by: "arn:aws:iam::000000000000:user/test".into(),
            invoked_by: None,
        },
    )
    .await;
    let incident = match started {
        Ok(o) => o.arn().to_owned(),
        Err(e) => panic!("{e}"),
    };
    tx.commit().await.unwrap();
    assert_eq!(
        pages_sent(&s, "maria@example.com").await,
        1,
        "the plan engaged the escalation plan"
    );
    let now = tocsin_server::clock::now();
    let caller = tocsin_server::domain::identity::Caller::of_key(
        "000000000000",
        "K",
        "maria",
        tocsin_api::auth::Role::Responder,
    );
    let mut tx = s.write().await.unwrap();
    engagements::acknowledge_incident(
        tx.as_mut(),
        &config,
        &caller,
        from(json!({"incidentRecordArn": incident, "expiresInSeconds": 120})),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tick(&s, now + 90.0).await;
    assert_eq!(
        pages_sent(&s, "tom@example.com").await,
        0,
        "held: stage 2 waits"
    );
    tick(&s, now + 120.0).await;
    assert_eq!(
        pages_sent(&s, "maria@example.com").await,
        2,
        "lapsed: the stage is paged again"
    );
    let ack = s
        .read()
        .await
        .unwrap()
        .acknowledgement(&incident)
        .await
        .unwrap()
        .unwrap();
    assert!(ack.lapsed);
    tick(&s, now + 180.0).await;
    assert_eq!(
        pages_sent(&s, "tom@example.com").await,
        1,
        "and escalation goes on a stage later"
    );

    // Resolving the incident stops its engagements: nobody is paged for it again.
    let mut tx = s.write().await.unwrap();
    tocsin_server::domain::incidents::update_incident(
        tx.as_mut(),
        &config,
        "arn:aws:iam::000000000000:user/maria",
        from(json!({"arn": incident, "status": "RESOLVED"})),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.read().await.unwrap();
    let all = tx.engagements(Some(&incident)).await.unwrap();
    assert!(
        all.iter()
            .all(|e| e.engagement.stop_time.is_some() && e.wake_at.is_none())
    );
    drop(tx);
    tick(&s, now + 10_000.0).await;
    assert_eq!(pages_sent(&s, "tom@example.com").await, 1);
    assert_eq!(pages_sent(&s, "maria@example.com").await, 2);
}
