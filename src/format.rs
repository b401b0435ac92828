//! Pure text helpers: ages, clock times, impact classes, truncation, URL encoding, UUIDs,
//! how audit-log entries read, and how topics, subscriptions and notification deliveries
//! read.
//! (Impact levels and their words are [`Impact`], shared with the server.)
//!
//! Nothing here touches the DOM or the network, so everything is unit-tested natively with
//! `cargo test -p tocsin-web`.

use tocsin_api::impact::Impact;

/// CSS class carrying an impact's colour (`impact-1` … `impact-5`).
/// Out-of-range impacts get the nearest level's (see [`Impact::clamped`]).
pub fn impact_class(impact: i32) -> String {
    format!("impact-{}", Impact::clamped(impact).get())
}

/// Formats an age in whole seconds the way a wall screen shows it: `12s`, `4m 12s`,
/// `3h 04m 12s`, `2d 3h 04m`. Negative ages (clock skew) show as `0s`.
pub fn format_age(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 {
        seconds.floor() as u64
    } else {
        0
    };
    let (d, h, m, s) = (
        total / 86_400,
        (total % 86_400) / 3_600,
        (total % 3_600) / 60,
        total % 60,
    );
    if d > 0 {
        format!("{d}d {h}h {m:02}m")
    } else if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// `HH:MM:SS` from clock parts.
pub fn format_hms(hours: u32, minutes: u32, seconds: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

/// "open incident" or "open incidents", to follow a count.
pub fn open_incidents_noun(count: usize) -> &'static str {
    if count == 1 {
        "open incident"
    } else {
        "open incidents"
    }
}

/// A short, readable stand-in for an incident without a known title: the first 8 characters
/// of the id at the end of its ARN.
pub fn short_incident_id(arn: &str) -> String {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    id.chars().take(8).collect()
}

/// Shortens untrusted text for a one-line display: whitespace runs collapse to one space
/// and the result is cut at `max_chars` characters with an ellipsis.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count == max_chars {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Pretty-prints JSON event data for the detail timeline; other text is returned unchanged.
pub fn pretty_event_data(data: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(data) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| data.to_owned())
        }
        _ => data.to_owned(),
    }
}

/// Percent-encodes a query-string component (everything but RFC 3986 unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The in-app link to an incident's detail page.
pub fn incident_href(arn: &str) -> String {
    format!("/incident?arn={}", encode_component(arn))
}

/// The in-app link to a response plan's edit page.
pub fn plan_edit_href(arn: &str) -> String {
    format!("/plans/edit?arn={}", encode_component(arn))
}

/// The in-app link to a runbook document's page.
pub fn runbook_href(name: &str) -> String {
    format!("/runbooks/edit?name={}", encode_component(name))
}

/// The in-app link to an automation execution's page.
pub fn execution_href(id: &str) -> String {
    format!("/runbooks/execution?id={}", encode_component(id))
}

/// Formats 16 random bytes as an RFC 4122 version-4 UUID.
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Normalises an API base URL typed by a person: trims, drops trailing slashes, and
/// accepts only `http://` and `https://` URLs with a host.
pub fn normalize_base_url(input: &str) -> Option<String> {
    let trimmed = input.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return None;
    }
    Some(trimmed.to_owned())
}

/// Picks the API base URL: a valid `?api=` parameter wins, then a valid stored value, then the
/// page's own origin.
pub fn choose_base_url(query: Option<&str>, stored: Option<&str>, origin: &str) -> String {
    query
        .and_then(normalize_base_url)
        .or_else(|| stored.and_then(normalize_base_url))
        .unwrap_or_else(|| origin.trim_end_matches('/').to_owned())
}

/// The API base URL of a deploy-time `config.json` (`{"apiBaseUrl": "https://…"}`, served
/// beside `index.html` when the app is hosted apart from the API), normalised like a typed
/// URL; `None` for anything else (no such key, not http(s), not JSON).
pub fn config_api_base(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    normalize_base_url(value.get("apiBaseUrl")?.as_str()?)
}

/// The API base URL a `?api=` parameter suggests, when it is a valid URL other than `current`
/// (it is never used before the user saves it in Settings).
pub fn suggested_api(query: Option<&str>, current: &str) -> Option<String> {
    query
        .and_then(normalize_base_url)
        .filter(|url| url != current.trim_end_matches('/'))
}

/// Whether a related item's URL is safe to render as a link (http or https only, so a
/// `javascript:` URL stays text).
pub fn is_safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Longest wait between two reconnect attempts, before jitter. Small on purpose: a wall must
/// be live again within 10 s of the server's return however long it was away (each attempt
/// while it is down costs one refused connection).
pub const RECONNECT_MAX_MS: u32 = 4_000;

/// Reconnect delay after `failures` consecutive failures: 1 s doubling up to
/// [`RECONNECT_MAX_MS`], plus `jitter_ms` (0..1000) so many wall screens do not reconnect in
/// lock-step.
pub fn backoff_delay_ms(failures: u32, jitter_ms: u32) -> u32 {
    let base = 1_000u32.saturating_mul(1u32 << failures.saturating_sub(1).min(5));
    base.min(RECONNECT_MAX_MS) + jitter_ms.min(1_000)
}

/// An audit entry's `result` for a call that went through.
pub const AUDIT_SUCCESS: &str = "success";

/// Whether an audit entry's `result` is a failure (anything but `success`: an AWS error code).
pub fn audit_failed(result: &str) -> bool {
    result != AUDIT_SUCCESS
}

/// An audit entry's result as the Audit page shows it, marked in words and a sign (not only
/// by colour): `✓ success`, or `✗ failed: <error code>`.
pub fn audit_result_label(result: &str) -> String {
    if !audit_failed(result) {
        format!("✓ {AUDIT_SUCCESS}")
    } else if result.trim().is_empty() {
        "✗ failed".to_owned()
    } else {
        format!("✗ failed: {result}")
    }
}

/// Who a principal is, shortly: the key name of `arn:aws:iam::<account>:user/<name>`,
/// otherwise the principal as it is (`local:tocsin-cli`).
pub fn principal_label(principal: &str) -> &str {
    match principal.rsplit_once(":user/") {
        Some((account, name)) if account.starts_with("arn:") && !name.is_empty() => name,
        _ => principal,
    }
}

/// `text`, or `—` when it is empty (an audit entry without a resource or source address).
pub fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

/// What a secret subscription endpoint (a chat incoming-webhook URL) is shown as.
pub const SECRET_ENDPOINT_LABEL: &str = "(secret webhook URL)";

/// What a subscription still waiting for its subscriber's confirmation says.
pub const PENDING_CONFIRMATION: &str = "pending confirmation";

/// The last `:`-separated part of an ARN: a topic's name (`arn:aws:sns:…:ops` → `ops`), or
/// `—` when there is no ARN (a page sent straight to a contact channel has no topic).
pub fn arn_last_segment(arn: &str) -> &str {
    match arn.rsplit(':').next() {
        Some(last) if !last.trim().is_empty() => last,
        _ => "—",
    }
}

/// How a subscription's (or a delivery's) endpoint is shown: a chat webhook's, which the
/// server redacts, as [`SECRET_ENDPOINT_LABEL`]; any other as it is.
pub fn endpoint_label(protocol: &str, endpoint: &str) -> String {
    if endpoint == tocsin_api::sns::REDACTED_ENDPOINT || tocsin_api::sns::secret_endpoint(protocol)
    {
        SECRET_ENDPOINT_LABEL.to_owned()
    } else {
        endpoint.to_owned()
    }
}

/// Whether a subscription ARN names a confirmed subscription (an ARN, not SNS's
/// `PendingConfirmation` or `pending confirmation`): only those can be unsubscribed.
pub fn is_confirmed_subscription_arn(arn: &str) -> bool {
    arn.starts_with("arn:")
}

/// What "Send test message" reports: `Test message queued for N subscription(s).`
pub fn test_message_queued(deliveries: usize) -> String {
    format!("Test message queued for {deliveries} subscription(s).")
}

/// What subscribing reports, from the answer's subscription ARN.
pub fn subscribed_message(protocol: &str, subscription_arn: &str) -> String {
    if is_confirmed_subscription_arn(subscription_arn) {
        format!("Subscribed a {protocol} endpoint; it is confirmed and gets messages now.")
    } else {
        format!(
            "Subscribed a {protocol} endpoint: {PENDING_CONFIRMATION}. It gets messages once the subscriber confirms."
        )
    }
}

/// The error of the most recent failed attempt (its message, else its status code), or `—`
/// when no attempt failed.
pub fn last_attempt_error(attempts: &[tocsin_api::sns::NotificationAttempt]) -> String {
    attempts
        .iter()
        .rev()
        .find(|a| !a.ok)
        .map(|a| match (&a.error, a.code) {
            (Some(error), _) if !error.trim().is_empty() => one_line(error, 300),
            (_, Some(code)) => format!("HTTP {code}"),
            _ => "failed".to_owned(),
        })
        .unwrap_or_else(|| "—".to_owned())
}

/// What an acknowledgement in force reads as: `Acknowledged by NAME`.
pub fn acknowledged_by(name: &str) -> String {
    format!("Acknowledged by {name}")
}

/// A response metric (seconds) as a human duration (`4m 12s`, see [`format_age`]), or `—`
/// when there is none yet.
pub fn metric_duration(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) if s.is_finite() => format_age(s),
        _ => "—".to_owned(),
    }
}

/// The contact alias an Incident Manager Contacts ARN names: `…:contact/maria`,
/// `…:page/maria/<id>` and `…:engagement/maria/<id>` all give `maria`; anything else its
/// last `:`-separated part.
pub fn contact_alias(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or(arn);
    let mut parts = resource.split('/');
    let first = parts.next().unwrap_or(resource);
    match parts.next() {
        Some(alias) if !alias.is_empty() => alias,
        _ => first,
    }
}

/// How far a page got: `read`, `delivered`, `sent` or `not sent`.
pub fn page_progress(sent: Option<f64>, delivered: Option<f64>, read: Option<f64>) -> &'static str {
    if read.is_some() {
        "read"
    } else if delivered.is_some() {
        "delivered"
    } else if sent.is_some() {
        "sent"
    } else {
        "not sent"
    }
}

/// How long ago `at` was, from `now` (both epoch seconds): `4m 12s ago`.
pub fn ago(at: f64, now: f64) -> String {
    format!("{} ago", format_age(now - at))
}

/// A receiver's last event: `never`, or `4m 12s ago · CloudWatch Alarm State Change` (the
/// summary is untrusted text, kept to one line).
pub fn last_event_line(at: Option<f64>, summary: Option<&str>, now: f64) -> String {
    match (
        at,
        summary.map(|s| one_line(s, 120)).filter(|s| !s.is_empty()),
    ) {
        (None, _) => "never".to_owned(),
        (Some(at), None) => ago(at, now),
        (Some(at), Some(summary)) => format!("{} · {summary}", ago(at, now)),
    }
}

/// A maintenance window's status as its badge reads: `UPCOMING`, `ACTIVE`, `ENDED`.
pub fn window_status_label(status: tocsin_api::receivers::WindowStatus) -> &'static str {
    use tocsin_api::receivers::WindowStatus;
    match status {
        WindowStatus::Upcoming => "UPCOMING",
        WindowStatus::Active => "ACTIVE",
        WindowStatus::Ended => "ENDED",
    }
}

/// CSS class of a window status badge: `window-upcoming`, `window-active`, `window-ended`.
pub fn window_status_class(status: tocsin_api::receivers::WindowStatus) -> String {
    format!(
        "window-{}",
        window_status_label(status).to_ascii_lowercase()
    )
}

/// A heartbeat's state as its badge reads: `WAITING`, `OK`, `MISSED`.
pub fn heartbeat_state_label(state: tocsin_api::receivers::HeartbeatState) -> &'static str {
    use tocsin_api::receivers::HeartbeatState;
    match state {
        HeartbeatState::Waiting => "WAITING",
        HeartbeatState::Ok => "OK",
        HeartbeatState::Missed => "MISSED",
    }
}

/// CSS class of a heartbeat state badge: `heartbeat-waiting`, `heartbeat-ok`,
/// `heartbeat-missed`.
pub fn heartbeat_state_class(state: tocsin_api::receivers::HeartbeatState) -> String {
    format!(
        "heartbeat-{}",
        heartbeat_state_label(state).to_ascii_lowercase()
    )
}

/// A recurrence as it reads: `0 2 * * SUN (Europe/Berlin)`.
pub fn recurrence_label(recurrence: &tocsin_api::receivers::Recurrence) -> String {
    format!("{} ({})", recurrence.cron, recurrence.time_zone)
}

/// What a suppression's outcome reads: the outcome, or that the window still lasts.
pub fn suppression_outcome(outcome: Option<&str>) -> &str {
    match outcome {
        Some(o) if !o.trim().is_empty() => o,
        _ => "— (window still on)",
    }
}

/// The settings of a receiver that its kind reads, as (label, value) lines; defaults left
/// out but for Alertmanager's auto-resolve, which is always said.
pub fn receiver_settings_lines(
    kind: tocsin_api::receivers::ReceiverKind,
    settings: &tocsin_api::receivers::ReceiverSettings,
) -> Vec<(&'static str, String)> {
    use tocsin_api::receivers::ReceiverKind;
    let mut lines = Vec::new();
    let mut some = |label: &'static str, value: &Option<String>| {
        if let Some(v) = value {
            lines.push((label, v.clone()));
        }
    };
    match kind {
        ReceiverKind::Alertmanager => {
            some("Silence URL", &settings.silence_url);
            lines.insert(
                0,
                (
                    "Auto-resolve",
                    if settings.auto_resolve { "on" } else { "off" }.to_owned(),
                ),
            );
        }
        ReceiverKind::Webhook => {
            some("Source", &settings.source);
            some("Detail type", &settings.detail_type);
            some("Resources JSONPath", &settings.resources_path);
            some("Dedupe JSONPath", &settings.dedupe_path);
        }
        ReceiverKind::Eventbridge => some("API-key header", &settings.api_key_header),
        ReceiverKind::Sns => {
            if !settings.topic_arns.is_empty() {
                lines.push(("Topics", settings.topic_arns.join(", ")));
            }
        }
        ReceiverKind::Pagerduty => {
            if !settings.severity_impacts.is_empty() {
                let table = settings
                    .severity_impacts
                    .iter()
                    .map(|(severity, impact)| format!("{severity}→{impact}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                lines.push(("Severity impacts", table));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {

    #[test]
    fn acknowledgements_metrics_and_contacts() {
        assert_eq!(acknowledged_by("maria"), "Acknowledged by maria");
        assert_eq!(metric_duration(None), "—");
        assert_eq!(metric_duration(Some(252.4)), "4m 12s");
        assert_eq!(metric_duration(Some(f64::NAN)), "—");
        assert_eq!(
            contact_alias("arn:aws:ssm-contacts:us-east-1:000000000000:contact/maria"),
            "maria"
        );
        assert_eq!(
            contact_alias("arn:aws:ssm-contacts:us-east-1:000000000000:page/maria/1f2e"),
            "maria"
        );
        assert_eq!(contact_alias("plain"), "plain");
        assert_eq!(page_progress(Some(1.0), None, None), "sent");
        assert_eq!(page_progress(Some(1.0), Some(2.0), None), "delivered");
        assert_eq!(page_progress(Some(1.0), Some(2.0), Some(3.0)), "read");
        assert_eq!(page_progress(None, None, None), "not sent");
    }
    use super::*;

    #[test]
    fn audit_results() {
        assert!(!audit_failed("success"));
        assert!(audit_failed("AccessDeniedException"));
        assert!(audit_failed(""));
        assert!(audit_failed("Success"));
        assert_eq!(audit_result_label("success"), "✓ success");
        assert_eq!(
            audit_result_label("ConflictException"),
            "✗ failed: ConflictException"
        );
        assert_eq!(audit_result_label(" "), "✗ failed");
    }

    #[test]
    fn audit_principals_and_blanks() {
        assert_eq!(
            principal_label("arn:aws:iam::000000000000:user/ci-bot"),
            "ci-bot"
        );
        assert_eq!(principal_label("local:tocsin-cli"), "local:tocsin-cli");
        assert_eq!(
            principal_label("arn:aws:iam::000000000000:user/"),
            "arn:aws:iam::000000000000:user/"
        );
        assert_eq!(principal_label("x:user/y"), "x:user/y");
        assert_eq!(or_dash(""), "—");
        assert_eq!(or_dash("  "), "—");
        assert_eq!(or_dash("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn ages() {
        assert_eq!(format_age(0.0), "0s");
        assert_eq!(format_age(-5.0), "0s");
        assert_eq!(format_age(f64::NAN), "0s");
        assert_eq!(format_age(12.9), "12s");
        assert_eq!(format_age(252.0), "4m 12s");
        assert_eq!(format_age(3_600.0 * 3.0 + 4.0 * 60.0 + 12.0), "3h 04m 12s");
        assert_eq!(
            format_age(86_400.0 * 2.0 + 3_600.0 * 3.0 + 240.0),
            "2d 3h 04m"
        );
    }

    #[test]
    fn impacts() {
        let label = |impact| Impact::clamped(impact).label();
        assert_eq!(label(1), "Critical");
        assert_eq!(label(2), "High");
        assert_eq!(label(3), "Medium");
        assert_eq!(label(4), "Low");
        assert_eq!(label(5), "No impact");
        assert_eq!(label(0), "Critical");
        assert_eq!(label(9), "No impact");
        assert_eq!(impact_class(7), "impact-5");
        assert_eq!(impact_class(-1), "impact-1");
        assert_eq!(Impact::ALL.map(|i| impact_class(i.get()))[2], "impact-3");
    }

    #[test]
    fn clock() {
        assert_eq!(format_hms(9, 5, 7), "09:05:07");
        assert_eq!(format_hms(23, 59, 59), "23:59:59");
    }

    #[test]
    fn one_line_collapses_and_truncates() {
        assert_eq!(one_line("  a \n\t b  ", 10), "a b");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("abc", 3), "abc");
        assert_eq!(one_line("ab cd", 2), "ab…");
        assert_eq!(one_line("ééé", 2), "éé…");
    }

    #[test]
    fn wall_words() {
        assert_eq!(open_incidents_noun(1), "open incident");
        assert_eq!(open_incidents_noun(0), "open incidents");
        assert_eq!(open_incidents_noun(3), "open incidents");
        assert_eq!(
            short_incident_id(
                "arn:aws:ssm-incidents::1:incident-record/plan/6f1c2a3b-1111-2222-3333-444455556666"
            ),
            "6f1c2a3b"
        );
        assert_eq!(short_incident_id("abc"), "abc");
    }

    #[test]
    fn event_data_pretty_printed() {
        assert!(pretty_event_data(r#"{"a":1}"#).contains("\n"));
        assert_eq!(pretty_event_data("<b>x</b>"), "<b>x</b>");
    }

    #[test]
    fn encoding() {
        assert_eq!(
            encode_component("arn:aws:ssm-incidents::1:incident-record/p/ab"),
            "arn%3Aaws%3Assm-incidents%3A%3A1%3Aincident-record%2Fp%2Fab"
        );
        assert_eq!(encode_component("a b&c=é"), "a%20b%26c%3D%C3%A9");
        assert_eq!(incident_href("x/y"), "/incident?arn=x%2Fy");
        assert_eq!(plan_edit_href("p"), "/plans/edit?arn=p");
        assert_eq!(runbook_href("a b"), "/runbooks/edit?name=a%20b");
        assert_eq!(execution_href("e-1"), "/runbooks/execution?id=e-1");
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_v4_from_bytes([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4_from_bytes([0; 16]);
        assert_eq!(u, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            normalize_base_url(" https://h:8787/ ").as_deref(),
            Some("https://h:8787")
        );
        assert_eq!(normalize_base_url("ftp://h"), None);
        assert_eq!(normalize_base_url("javascript:alert(1)"), None);
        assert_eq!(normalize_base_url("http://"), None);
        assert_eq!(
            choose_base_url(Some("http://q:1"), Some("http://s:2"), "http://o"),
            "http://q:1"
        );
        assert_eq!(
            choose_base_url(Some("bad"), Some("http://s:2"), "http://o"),
            "http://s:2"
        );
        assert_eq!(choose_base_url(None, None, "http://o/"), "http://o");
    }

    #[test]
    fn a_deploy_config_names_the_api_or_nothing() {
        assert_eq!(
            config_api_base(r#"{"apiBaseUrl": "https://tocsin.example.com:8443/"}"#).as_deref(),
            Some("https://tocsin.example.com:8443")
        );
        assert_eq!(
            config_api_base(r#"{"apiBaseUrl": "javascript:alert(1)"}"#),
            None
        );
        assert_eq!(config_api_base(r#"{"apiBaseUrl": 1}"#), None);
        assert_eq!(config_api_base("<!doctype html>"), None);
        assert_eq!(config_api_base("{}"), None);
    }

    #[test]
    fn links() {
        assert!(is_safe_link("https://example.com"));
        assert!(is_safe_link("HTTP://example.com"));
        assert!(!is_safe_link("javascript:alert(1)"));
        assert!(!is_safe_link("data:text/html,x"));
    }

    #[test]
    fn backoff() {
        assert_eq!(backoff_delay_ms(0, 0), 1_000);
        assert_eq!(backoff_delay_ms(1, 0), 1_000);
        assert_eq!(backoff_delay_ms(2, 0), 2_000);
        assert_eq!(backoff_delay_ms(3, 500), 4_500);
        assert_eq!(backoff_delay_ms(4, 0), 4_000);
        assert_eq!(backoff_delay_ms(10, 0), 4_000);
        assert_eq!(backoff_delay_ms(u32::MAX, 5_000), 5_000);
    }

    #[test]
    fn api_links_are_only_suggestions() {
        assert_eq!(
            suggested_api(Some("https://api.example:8787/"), "http://127.0.0.1:8787"),
            Some("https://api.example:8787".to_owned())
        );
        assert_eq!(
            suggested_api(Some("http://127.0.0.1:8787"), "http://127.0.0.1:8787/"),
            None,
            "already in use"
        );
        assert_eq!(suggested_api(Some("javascript:alert(1)"), "http://x"), None);
        assert_eq!(suggested_api(None, "http://x"), None);
    }

    #[test]
    fn topics_and_deliveries_read() {
        use tocsin_api::sns::NotificationAttempt;
        assert_eq!(
            arn_last_segment("arn:aws:sns:us-east-1:000000000000:ops-alerts"),
            "ops-alerts"
        );
        assert_eq!(arn_last_segment(""), "—");
        assert_eq!(arn_last_segment("plain"), "plain");
        assert_eq!(endpoint_label("slack", "REDACTED"), SECRET_ENDPOINT_LABEL);
        assert_eq!(
            endpoint_label("msteams", "https://x"),
            SECRET_ENDPOINT_LABEL
        );
        assert_eq!(endpoint_label("https", "REDACTED"), SECRET_ENDPOINT_LABEL);
        assert_eq!(
            endpoint_label("email", "oncall@example.com"),
            "oncall@example.com"
        );
        assert!(is_confirmed_subscription_arn("arn:aws:sns:r:a:t:1"));
        assert!(!is_confirmed_subscription_arn("PendingConfirmation"));
        assert!(!is_confirmed_subscription_arn("pending confirmation"));
        assert_eq!(
            test_message_queued(2),
            "Test message queued for 2 subscription(s)."
        );
        assert!(subscribed_message("email", "pending confirmation").contains(PENDING_CONFIRMATION));
        assert!(subscribed_message("slack", "arn:aws:sns:r:a:t:1").contains("confirmed"));

        let attempt = |ok, code, error: Option<&str>| NotificationAttempt {
            at: 1.0,
            ok,
            code,
            error: error.map(str::to_owned),
        };
        assert_eq!(last_attempt_error(&[]), "—");
        assert_eq!(last_attempt_error(&[attempt(true, Some(200), None)]), "—");
        assert_eq!(
            last_attempt_error(&[
                attempt(false, None, Some("connection refused")),
                attempt(false, Some(503), None),
            ]),
            "HTTP 503"
        );
        assert_eq!(
            last_attempt_error(&[
                attempt(false, Some(500), Some("HTTP 500: boom")),
                attempt(true, Some(200), None),
            ]),
            "HTTP 500: boom"
        );
        assert_eq!(last_attempt_error(&[attempt(false, None, None)]), "failed");
    }
    #[test]
    fn receivers_heartbeats_and_windows_read() {
        use tocsin_api::receivers::{
            HeartbeatState, ReceiverKind, ReceiverSettings, Recurrence, WindowStatus,
        };
        assert_eq!(ago(100.0, 352.0), "4m 12s ago");
        assert_eq!(last_event_line(None, Some("x"), 5.0), "never");
        assert_eq!(last_event_line(Some(0.0), None, 5.0), "5s ago");
        assert_eq!(
            last_event_line(Some(0.0), Some("CloudWatch\nAlarm"), 5.0),
            "5s ago · CloudWatch Alarm"
        );
        assert_eq!(window_status_label(WindowStatus::Active), "ACTIVE");
        assert_eq!(
            window_status_class(WindowStatus::Upcoming),
            "window-upcoming"
        );
        assert_eq!(heartbeat_state_label(HeartbeatState::Missed), "MISSED");
        assert_eq!(heartbeat_state_class(HeartbeatState::Ok), "heartbeat-ok");
        assert_eq!(
            recurrence_label(&Recurrence {
                cron: "0 2 * * SUN".to_owned(),
                time_zone: "UTC".to_owned()
            }),
            "0 2 * * SUN (UTC)"
        );
        assert_eq!(suppression_outcome(Some("OPENED")), "OPENED");
        assert_eq!(suppression_outcome(None), "— (window still on)");

        let settings = ReceiverSettings {
            silence_url: Some("http://am:9093".to_owned()),
            source: Some("github".to_owned()),
            ..ReceiverSettings::default()
        };
        assert_eq!(
            receiver_settings_lines(ReceiverKind::Alertmanager, &settings),
            [
                ("Auto-resolve", "on".to_owned()),
                ("Silence URL", "http://am:9093".to_owned())
            ]
        );
        assert_eq!(
            receiver_settings_lines(ReceiverKind::Webhook, &settings),
            [("Source", "github".to_owned())]
        );
        assert!(receiver_settings_lines(ReceiverKind::Pagerduty, &settings).is_empty());
        let sns = ReceiverSettings {
            topic_arns: vec!["arn:a".to_owned(), "arn:b".to_owned()],
            ..ReceiverSettings::default()
        };
        assert_eq!(
            receiver_settings_lines(ReceiverKind::Sns, &sns),
            [("Topics", "arn:a, arn:b".to_owned())]
        );
    }
}
