//! Where a delivery stands: shared by HTTP target deliveries ([`crate::native::Delivery`])
//! and notification deliveries ([`crate::sns::NotificationDelivery`]).

use serde::{Deserialize, Serialize};

/// State of a delivery (an HTTP target's or a notification's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The target answered 2xx.
    Delivered,
    /// Given up: a non-retryable answer, a forbidden address, or retries exhausted (the
    /// dead letter).
    Failed,
}

impl DeliveryStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Delivered => "DELIVERED",
            Self::Failed => "FAILED",
        }
    }
}
