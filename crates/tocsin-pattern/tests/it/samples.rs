//! The repository's sample patterns and events (`examples/eventbridge/patterns/` and
//! `examples/events/`, read from there): every pattern parses, every documented matching
//! example matches and every non-matching one does not; the sample events are routed as the
//! samples README (`examples/SOURCES.md`) says.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tocsin_pattern::Pattern;

use crate::pattern;

/// The JSON files of `examples/<dir>` in the repository, sorted by name.
fn samples(dir: &str) -> Vec<(String, Value)> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(dir);
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).expect("samples dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = fs::read_to_string(&path).expect("sample readable");
            let value: Value = serde_json::from_str(&text).expect("sample is JSON");
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, value));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn sample_pattern(name: &str) -> Pattern {
    let (_, doc) = samples("eventbridge/patterns")
        .into_iter()
        .find(|(n, _)| n == name)
        .expect("sample exists");
    pattern(&doc["pattern"].to_string())
}

fn event(name: &str) -> Value {
    samples("events")
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .expect("event exists")
}

#[test]
fn every_sample_pattern_parses_and_its_examples_agree() {
    let samples = samples("eventbridge/patterns");
    assert!(samples.len() >= 26, "expected all sample patterns");
    for (name, doc) in samples {
        let p =
            Pattern::parse(&doc["pattern"].to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        for key in ["matching_event_example", "matching_event_fragment"] {
            if let Some(ev) = doc.get(key) {
                assert!(p.matches(ev), "{name}: {key} should match");
            }
        }
        if let Some(ev) = doc.get("non_matching_event_example") {
            assert!(!p.matches(ev), "{name}: non-matching example matched");
        }
    }
}

#[test]
fn sample_patterns_also_parse_when_pretty_printed() {
    for (name, doc) in samples("eventbridge/patterns") {
        let pretty = serde_json::to_string_pretty(&doc["pattern"]).expect("serialize");
        assert!(Pattern::parse(&pretty).is_ok(), "{name}");
    }
}

#[test]
fn cloudwatch_alarm_pattern_routes_exactly_the_alarm_events() {
    let p = sample_pattern("cloudwatch-alarm-state-change.json");
    for (name, ev) in samples("events") {
        let expected = name.starts_with("cloudwatch-alarm-state-change");
        assert_eq!(p.matches(&ev), expected, "{name}");
    }
}

#[test]
fn ec2_patterns_against_ec2_events() {
    let terminated = event("ec2-instance-state-change.json");
    let pending = event("ec2-instance-state-change-pending.json");
    let eq = sample_pattern("equals-ec2-terminated.json");
    assert!(eq.matches(&terminated));
    assert!(!eq.matches(&pending));
    let stopped_or_terminated = sample_pattern("ec2-stopped-or-terminated.json");
    assert!(stopped_or_terminated.matches(&terminated));
    assert!(!stopped_or_terminated.matches(&pending));
    let exists = sample_pattern("exists-true.json");
    assert!(exists.matches(&terminated));
    assert!(exists.matches(&pending));
    assert!(!exists.matches(&event("health-event.json")));
}

#[test]
fn securityhub_pattern_checks_nested_finding_fields() {
    let p = sample_pattern("securityhub-findings-imported.json");
    let mut ev = event("securityhub-findings-imported.json");
    // The sample finding is a Security Hub (FSBP) finding, not Inspector's.
    assert!(!p.matches(&ev));
    ev["detail"]["findings"][0]["ProductArn"] =
        json!("arn:aws:securityhub:us-east-1::product/aws/inspector");
    ev["detail"]["findings"][0]["Severity"] = json!({"Label": "LOW"});
    assert!(p.matches(&ev));
    ev["detail"]["findings"][0]["Severity"] = json!({"Label": "HIGH"});
    assert!(!p.matches(&ev));
}

#[test]
fn field_paths_of_samples() {
    let p = sample_pattern("complex-multiple.json");
    assert_eq!(
        p.field_paths(),
        vec![
            "detail.c-count",
            "detail.d-count",
            "detail.state",
            "detail.x-limit",
            "time"
        ]
    );
    let p = sample_pattern("securityhub-findings-imported.json");
    assert_eq!(
        p.field_paths(),
        vec![
            "detail-type",
            "detail.findings.ProductArn",
            "detail.findings.Severity.Label",
            "source"
        ]
    );
}

#[test]
fn prefix_samples() {
    let p = sample_pattern("prefix-time.json");
    assert!(p.matches(&json!({"time": "2017-10-02T18:43:48Z"})));
    assert!(!p.matches(&json!({"time": "2017-10-03T18:43:48Z"})));
    let p = sample_pattern("prefix-region-autoscaling.json");
    assert!(p.matches(&json!({"source": "aws.autoscaling", "region": "eu-west-1"})));
    assert!(!p.matches(&json!({"source": "aws.autoscaling", "region": "us-east-1"})));
    assert!(!p.matches(&json!({"source": "aws.ec2", "region": "eu-west-1"})));
}

/// The `tocsin pattern test` example in `docs/patterns.md`.
#[test]
fn explanation_of_the_documented_example() {
    let p = pattern(r#"{"detail": {"state": {"value": ["ALARM"]}}}"#);
    let e = p.explain(&event("cloudwatch-alarm-state-change-ok.json"));
    assert!(!e.matched);
    assert_eq!(e.deciding_field.as_deref(), Some("detail.state.value"));
    assert_eq!(
        e.reason,
        r#"detail.state.value: "OK" is not one of ["ALARM"]"#
    );
}
