//! Live updates: the change feed ([`feed`]) and the one way views follow it
//! ([`resource::use_live_resource`]).
//!
//! A page opens one [`ChangeFeed`] and hands it to each live resource it shows; a resource
//! refetches when an entry it cares about arrives, and after every resync (the connection
//! reopened where entries may have been missed). The wall, which patches its state in place
//! instead of refetching, uses the same hook with a predicate that is never true, so the
//! reconnect rule lives in one place.

pub mod feed;
pub mod resource;

pub use feed::{ChangeFeed, ConnectionState, state_after_failures};
pub use resource::{
    is_about_incident, is_engagement_news, is_notification_about, use_live_resource,
};
