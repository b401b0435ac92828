//! The life of one HTTP target delivery, as pure functions: how an attempt's outcome moves
//! a [`Delivery`] on (retry with back-off, delivered, or dead letter). The delivery worker
//! ([`crate::worker::delivery`]) makes the attempts and stores the result.
//!
//! Attempts follow the target's `RetryPolicy` with exponential back-off from 1 s to 5 min;
//! a delivery that runs out of attempts or passes its deadline is FAILED (a dead letter).

use tocsin_api::native::{Delivery, DeliveryStatus};

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// 2xx.
    Delivered(u16),
    /// Worth another try (status if any, reason).
    Retry(Option<u16>, String),
    /// Worth another try no sooner than the given seconds from now: the target's
    /// `Retry-After` (on 429 or 503; RFC 9110 §10.2.3), capped at [`MAX_RETRY_AFTER_SECS`].
    RetryAfter(Option<u16>, String, f64),
    /// Not worth another try.
    Fail(Option<u16>, String),
}

/// The longest `Retry-After` honoured, seconds; a longer one waits this long.
pub const MAX_RETRY_AFTER_SECS: f64 = 3600.0;

/// Seconds a `Retry-After` value asks for: delta-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2026 07:28:00 GMT`) relative to `now` (epoch seconds). `None` when it is
/// neither; a date in the past is 0.
pub fn retry_after_secs(value: &str, now: f64) -> Option<f64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some((secs as f64).min(MAX_RETRY_AFTER_SECS));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.timestamp() as f64 - now).clamp(0.0, MAX_RETRY_AFTER_SECS))
}

/// Back-off before attempt `n + 1` after `n` failed attempts: 1 s, 2 s, 4 s … 5 min.
pub fn backoff_secs(failed_attempts: u32) -> f64 {
    f64::from(
        2u32.saturating_pow(failed_attempts.saturating_sub(1))
            .min(300),
    )
}

/// Applies an attempt's outcome to a delivery; returns the next attempt time.
pub fn record(d: &mut Delivery, outcome: Attempt, now: f64) -> f64 {
    d.attempts += 1;
    d.updated_at = now;
    match outcome {
        Attempt::Delivered(code) => {
            d.status = DeliveryStatus::Delivered;
            d.last_status_code = Some(code);
            d.last_error = None;
        }
        Attempt::Fail(code, reason) => {
            d.status = DeliveryStatus::Failed;
            d.last_status_code = code;
            d.last_error = Some(reason);
        }
        Attempt::Retry(code, reason) => return retry(d, code, reason, now, 0.0),
        Attempt::RetryAfter(code, reason, after) => return retry(d, code, reason, now, after),
    }
    now
}

/// A failed attempt worth another: the next one after the back-off, or after `after`
/// seconds when the target asked for longer; a dead letter when out of attempts or time.
fn retry(d: &mut Delivery, code: Option<u16>, reason: String, now: f64, after: f64) -> f64 {
    d.last_status_code = code;
    let next = now + backoff_secs(d.attempts).max(after);
    if d.attempts >= d.max_attempts || next > d.deadline {
        d.status = DeliveryStatus::Failed;
        d.last_error = Some(format!("{reason}; gave up after {} attempts", d.attempts));
        now
    } else {
        d.last_error = Some(reason);
        next
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::targets::HttpTarget;

    #[test]
    fn retries_back_off_and_give_up() {
        let h = HttpTarget {
            url: "https://x".into(),
            headers: BTreeMap::new(),
            max_attempts: 3,
            max_age_secs: 3600,
        };
        let mut d = h.delivery("e", "r", "t", "{}".into(), 1000.0);
        assert_eq!(
            record(&mut d, Attempt::Retry(Some(503), "503".into()), 1000.0),
            1001.0
        );
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(
            record(&mut d, Attempt::Retry(None, "timeout".into()), 1001.0),
            1003.0
        );
        record(&mut d, Attempt::Retry(Some(500), "500".into()), 1003.0);
        assert_eq!(
            d.status,
            DeliveryStatus::Failed,
            "third failure of three attempts is final"
        );
        assert!(
            d.last_error
                .as_deref()
                .unwrap()
                .contains("gave up after 3 attempts")
        );
        let mut ok = h.delivery("e", "r", "t", "{}".into(), 0.0);
        record(&mut ok, Attempt::Delivered(204), 0.0);
        assert_eq!(
            (ok.status, ok.last_status_code),
            (DeliveryStatus::Delivered, Some(204))
        );
        assert_eq!(backoff_secs(20), 300.0);
    }

    #[test]
    fn retry_after_is_honoured_when_longer_than_the_back_off() {
        let h = HttpTarget {
            url: "https://x".into(),
            headers: BTreeMap::new(),
            max_attempts: 5,
            max_age_secs: 3600,
        };
        let mut d = h.delivery("e", "r", "t", "{}".into(), 1000.0);
        let next = record(
            &mut d,
            Attempt::RetryAfter(Some(503), "503".into(), 2.0),
            1000.0,
        );
        assert_eq!(next, 1002.0);
        // A shorter Retry-After than the back-off keeps the back-off (2 s after attempt 2).
        let next = record(
            &mut d,
            Attempt::RetryAfter(Some(429), "429".into(), 0.5),
            1002.0,
        );
        assert_eq!(next, 1004.0);
        assert_eq!(retry_after_secs("120", 0.0), Some(120.0));
        assert_eq!(retry_after_secs("999999", 0.0), Some(MAX_RETRY_AFTER_SECS));
        let date = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2026 07:28:00 GMT")
            .unwrap()
            .timestamp() as f64;
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2026 07:28:00 GMT", date - 30.0),
            Some(30.0)
        );
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2026 07:28:00 GMT", date + 30.0),
            Some(0.0)
        );
        assert_eq!(retry_after_secs("soon", 0.0), None);
        // A Retry-After past the deadline gives up.
        let mut late = h.delivery("e", "r", "t", "{}".into(), 0.0);
        record(
            &mut late,
            Attempt::RetryAfter(Some(503), "503".into(), 3599.5),
            1.0,
        );
        assert_eq!(late.status, DeliveryStatus::Failed);
    }
}
