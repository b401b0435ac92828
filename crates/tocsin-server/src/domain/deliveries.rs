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
    /// Not worth another try.
    Fail(Option<u16>, String),
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
        Attempt::Retry(code, reason) => {
            d.last_status_code = code;
            let next = now + backoff_secs(d.attempts);
            if d.attempts >= d.max_attempts || next > d.deadline {
                d.status = DeliveryStatus::Failed;
                d.last_error = Some(format!("{reason}; gave up after {} attempts", d.attempts));
            } else {
                d.last_error = Some(reason);
                return next;
            }
        }
    }
    now
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
}
