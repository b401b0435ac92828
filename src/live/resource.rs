//! [`use_live_resource`]: a resource that follows the change feed.

use std::future::Future;

use leptos::prelude::*;
use tocsin_api::native::{Change, ChangeFeedEntry, timeline_event_types as kinds};

use super::feed::ChangeFeed;

/// A resource loaded by `fetcher` that refetches when `relevant` says an entry of `feed`
/// concerns it, and after every [resync](ChangeFeed::resyncs) of `feed` (the connection
/// reopened where entries may have been missed).
///
/// Like any [`LocalResource`], it also refetches when a signal `fetcher` reads (outside its
/// future) changes, and keeps its last value while a refetch runs. The caller starts `feed`
/// (a page's feed serves every live resource on it).
pub fn use_live_resource<T, Fut>(
    feed: ChangeFeed,
    fetcher: impl Fn() -> Fut + 'static,
    relevant: impl Fn(&ChangeFeedEntry) -> bool + 'static,
) -> LocalResource<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let resource = LocalResource::new(fetcher);
    feed.subscribe(move |entry| {
        if relevant(entry) {
            resource.refetch();
        }
    });
    Effect::watch(
        move || feed.resyncs().get(),
        move |_, _, _| resource.refetch(),
        false,
    );
    resource
}

/// Whether a change-feed entry concerns the incident `arn` (a relevance predicate for
/// [`use_live_resource`]).
pub fn is_about_incident(entry: &ChangeFeedEntry, arn: &str) -> bool {
    entry.change.incident_arn() == Some(arn)
}

/// Whether a change-feed entry is a notification delivery (queued, attempted, delivered or
/// given up) about the incident `arn`: what an incident's delivery log follows.
pub fn is_notification_about(entry: &ChangeFeedEntry, arn: &str) -> bool {
    matches!(&entry.change, Change::NotificationChanged(n) if n.incident_arn.as_deref() == Some(arn))
}

/// The timeline entries that mean an incident's engagements, pages or acknowledgement
/// moved on.
pub const ENGAGEMENT_EVENT_TYPES: [&str; 7] = [
    kinds::ENGAGEMENT_STARTED,
    kinds::PAGE_SENT,
    kinds::PAGE_ACCEPTED,
    kinds::ENGAGEMENT_ESCALATED,
    kinds::ENGAGEMENT_STOPPED,
    kinds::INCIDENT_ACKNOWLEDGED,
    kinds::ACKNOWLEDGEMENT_LAPSED,
];

/// Whether a change-feed entry is one of [`ENGAGEMENT_EVENT_TYPES`] on the incident `arn`'s
/// timeline: what an incident's engagement progress follows.
pub fn is_engagement_news(entry: &ChangeFeedEntry, arn: &str) -> bool {
    matches!(&entry.change, Change::TimelineEventAdded(e)
        if e.incident_record_arn == arn && ENGAGEMENT_EVENT_TYPES.contains(&e.event_type.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::delivery::DeliveryStatus;
    use tocsin_api::incidents::TimelineEvent;
    use tocsin_api::sns::NotificationDelivery;

    fn entry(change: Change) -> ChangeFeedEntry {
        ChangeFeedEntry {
            id: 1,
            at: 0.0,
            change,
        }
    }

    #[test]
    fn entries_about_an_incident() {
        let event = TimelineEvent {
            event_id: "e".to_owned(),
            incident_record_arn: "a".to_owned(),
            event_time: 1.0,
            event_updated_time: 1.0,
            event_type: "Custom Event".to_owned(),
            event_data: String::new(),
            event_references: None,
        };
        let added = entry(Change::TimelineEventAdded(event.clone()));
        assert!(is_about_incident(&added, "a"));
        assert!(!is_engagement_news(&added, "a"));
        let paged = entry(Change::TimelineEventAdded(TimelineEvent {
            event_type: kinds::PAGE_SENT.to_owned(),
            ..event
        }));
        assert!(is_engagement_news(&paged, "a"));
        assert!(!is_engagement_news(&paged, "b"));
        assert!(!is_about_incident(&added, "b"));
        let rule = entry(Change::RuleChanged {
            arn: "a".to_owned(),
        });
        assert!(!is_about_incident(&rule, "a"));
    }

    #[test]
    fn notification_entries_about_an_incident() {
        let delivery = |incident: Option<&str>| NotificationDelivery {
            id: 1,
            message_id: "m".to_owned(),
            kind: "Notification".to_owned(),
            topic_arn: "arn:aws:sns:us-east-1:000000000000:ops".to_owned(),
            subscription_arn: "arn:aws:sns:us-east-1:000000000000:ops:1".to_owned(),
            protocol: "slack".to_owned(),
            endpoint: "REDACTED".to_owned(),
            incident_arn: incident.map(str::to_owned),
            subject: None,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            max_attempts: 5,
            created_at: 1.0,
            updated_at: 1.0,
        };
        let about = entry(Change::NotificationChanged(delivery(Some("a"))));
        assert!(is_notification_about(&about, "a"));
        assert!(!is_notification_about(&about, "b"));
        let test_message = entry(Change::NotificationChanged(delivery(None)));
        assert!(!is_notification_about(&test_message, "a"));
        let created = entry(Change::RuleChanged {
            arn: "a".to_owned(),
        });
        assert!(!is_notification_about(&created, "a"));
    }
}
