-- Incident Manager contacts (ssm-contacts): contacts with their plans, and contact channels.
-- Bodies are JSON (store::contacts).
CREATE TABLE contacts (
    arn        TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE contact_channels (
    arn         TEXT PRIMARY KEY,
    contact_arn TEXT NOT NULL,
    created_at  REAL NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX contact_channels_contact ON contact_channels (contact_arn, created_at);
