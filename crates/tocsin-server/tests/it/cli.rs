//! `tocsin pattern test` exit codes and messages, on the real binary and the shared samples.

use std::process::Command;

fn run(pattern: &str, event: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (p, e) = (dir.path().join("p.json"), dir.path().join("e.json"));
    std::fs::write(&p, pattern).unwrap();
    std::fs::write(&e, event).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["pattern", "test", "--pattern"])
        .arg(&p)
        .arg("--event")
        .arg(&e)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const ALARM: &str =
    include_str!("../../../../examples/events/cloudwatch-alarm-state-change-single-metric.json");

#[test]
fn match_no_match_and_invalid_have_distinct_exit_codes() {
    let (code, out, _) = run(
        r#"{"source": ["aws.cloudwatch"], "detail": {"state": {"value": ["ALARM"]}}}"#,
        ALARM,
    );
    assert_eq!((code, out.lines().next()), (0, Some("matches")));
    let (code, out, _) = run(r#"{"source": ["aws.ec2"]}"#, ALARM);
    assert_eq!((code, out.lines().next()), (1, Some("does not match")));
    assert!(out.contains("deciding field: source"), "{out}");
    let (code, _, err) = run(r#"{"source": "aws.ec2"}"#, ALARM);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("Event pattern is not valid. Reason: "),
        "{err}"
    );
    let (code, _, err) = run(r#"{"source": ["aws.ec2"]}"#, "[1, 2]");
    assert_eq!(code, 2);
    assert!(err.contains("JSON object"), "{err}");
}
