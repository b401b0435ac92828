-- Topics and subscriptions (Tocsin's subset of SNS 2010-03-31), and the notification outbox,
-- which is also each incident's delivery log. Bodies are JSON (store::notify); a chat
-- subscription's webhook URL is sealed inside its body with the server key.
CREATE TABLE topics (
    arn        TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE subscriptions (
    arn        TEXT PRIMARY KEY,
    topic_arn  TEXT NOT NULL,
    token      TEXT UNIQUE,        -- the confirmation token while pending
    created_at REAL NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX subscriptions_topic ON subscriptions (topic_arn, created_at);
-- Written in the same transaction as the change it announces; drained by the notify worker.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    next_attempt_at REAL NOT NULL,
    incident_arn    TEXT,
    body            TEXT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_incident ON notifications (incident_arn, id);
