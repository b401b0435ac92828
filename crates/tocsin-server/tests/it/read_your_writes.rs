//! Rule changes are read-your-writes: once PutRule/PutTargets answer, the next event
//! matches. (A rule stored by a request whose client went away: `tests/supervision.rs`,
//! which can hold the matcher.)

use crate::support::TestServer;

#[tokio::test]
async fn the_next_event_after_a_rule_change_matches() {
    let server = TestServer::start().await;
    for i in 0..10 {
        // A fresh plan and rule each round; PutEvents right after PutTargets answers.
        let plan = format!("ryw-{i}");
        server.alarm_route(&plan, 3).await;
        assert_eq!(
            server.send_alarm_and_count_incidents().await,
            i + 1,
            "round {i}: the new rule matched at once"
        );
    }
    let (status, health) = server.raw_get("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert!(health["matcherFeedId"].as_i64().unwrap() > 0, "{health}");
    // The database's round trip, as this node measured it for this answer.
    let round_trip = health["databaseRoundTripMs"].as_f64().unwrap();
    assert!(round_trip > 0.0 && round_trip < 10_000.0, "{health}");
    server.stop();
}
