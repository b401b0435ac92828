//! Single-use stream tickets: browsers' `EventSource` cannot send an `Authorization`
//! header, so a signed-in app trades its key for a ticket (`POST /v1/stream-tickets`) and
//! opens `GET /v1/stream?ticket=…`. No long-lived secret goes into a URL. Tickets live in
//! this node's memory for 60 s and are used once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::identity::Caller;
use crate::domain::keys;

/// How long a stream ticket is valid.
pub const TICKET_TTL: Duration = Duration::from_secs(60);

/// Single-use stream tickets, in memory on this node.
#[derive(Default)]
pub struct Tickets {
    issued: Mutex<HashMap<String, (Caller, Instant)>>,
}

impl Tickets {
    /// Issues a ticket for `caller`, valid for [`TICKET_TTL`].
    pub fn issue(&self, caller: Caller) -> String {
        let ticket = keys::new_secret();
        if let Ok(mut issued) = self.issued.lock() {
            let now = Instant::now();
            issued.retain(|_, (_, at)| now.duration_since(*at) < TICKET_TTL);
            issued.insert(ticket.clone(), (caller, now));
        }
        ticket
    }

    /// Redeems a ticket once; `None` if unknown, used or expired.
    pub fn redeem(&self, ticket: &str) -> Option<Caller> {
        let (caller, at) = self.issued.lock().ok()?.remove(ticket)?;
        (at.elapsed() < TICKET_TTL).then_some(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_single_use() {
        let tickets = Tickets::default();
        let t = tickets.issue(Caller::anonymous_admin());
        assert_eq!(t.len(), 40);
        assert_eq!(
            tickets.redeem(&t).map(|c| c.name),
            Some("anonymous".to_owned())
        );
        assert_eq!(tickets.redeem(&t), None, "used");
        assert_eq!(tickets.redeem("nope"), None);
    }
}
