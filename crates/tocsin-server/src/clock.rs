//! Wall-clock time in the units the AWS protocols use.

/// Now, as epoch seconds with millisecond precision (the unit of every AWS timestamp).
pub fn now() -> f64 {
    let millis = chrono::Utc::now().timestamp_millis();
    millis as f64 / 1000.0
}

/// Formats epoch seconds as RFC 3339 UTC with a `Z` suffix and whole seconds, the form of an
/// EventBridge envelope's `time` (e.g. `2019-10-02T17:04:40Z`).
pub fn rfc3339(epoch_seconds: f64) -> String {
    let secs = epoch_seconds.floor() as i64;
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
