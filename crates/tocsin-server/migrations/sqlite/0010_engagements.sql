-- Engagements and pages (ssm-contacts). `wake_at` is when the escalation scheduler next
-- acts on the row (a stage's end, a channel retry); NULL when nothing is pending.
CREATE TABLE engagements (
    arn         TEXT PRIMARY KEY,
    incident_id TEXT,
    started_at  REAL NOT NULL,
    wake_at     REAL,
    body        TEXT NOT NULL
);
CREATE INDEX engagements_wake ON engagements (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX engagements_incident ON engagements (incident_id);
CREATE TABLE pages (
    arn            TEXT PRIMARY KEY,
    engagement_arn TEXT NOT NULL,
    contact_arn    TEXT NOT NULL,
    sent_at        REAL NOT NULL,
    wake_at        REAL,
    body           TEXT NOT NULL
);
CREATE INDEX pages_wake ON pages (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX pages_engagement ON pages (engagement_arn, sent_at);
CREATE INDEX pages_contact ON pages (contact_arn, sent_at);
-- Incident acknowledgements (a Tocsin extension); `wake_at` is the expiry while in force.
CREATE TABLE acknowledgements (
    incident_arn TEXT PRIMARY KEY,
    wake_at      REAL,
    body         TEXT NOT NULL
);
CREATE INDEX acknowledgements_wake ON acknowledgements (wake_at) WHERE wake_at IS NOT NULL;
