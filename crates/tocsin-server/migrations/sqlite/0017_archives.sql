-- Events kept by EventBridge archives: each archive keeps its own copy of the envelope
-- (the event store's retention does not touch it), by the time the event reached its bus.
CREATE TABLE archive_events (
    archive  TEXT NOT NULL,
    at       REAL NOT NULL,
    event_id TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (archive, at, event_id)
);
