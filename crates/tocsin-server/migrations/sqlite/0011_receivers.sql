-- Receivers (inbound integrations), the alerts they track, Alertmanager silences,
-- heartbeats and maintenance windows. Documents live in `body` (JSON); the other columns
-- are what queries select on. `wake_at` is when a scheduler next acts on the row.

-- A receiver's secret is sealed with the server key inside `body`; `secret_hash` (SHA-256,
-- hex) finds the receiver a PagerDuty routing key names.
CREATE TABLE receivers (
    name        TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  REAL NOT NULL,
    body        TEXT NOT NULL
);

-- Delivery ids a signed webhook was accepted with (`webhook-id`, `X-GitHub-Delivery`): each
-- is accepted once.
CREATE TABLE receiver_deliveries (
    receiver    TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (receiver, delivery_id)
);

-- What is firing at the source (an Alertmanager alert, a PagerDuty dedup key, a CloudWatch
-- alarm), and the open incidents it fed (one alert can feed several plans' incidents).
CREATE TABLE alert_sources (
    source_key TEXT PRIMARY KEY,
    firing     INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    body       TEXT NOT NULL
);
CREATE TABLE alert_links (
    source_key   TEXT NOT NULL,
    incident_arn TEXT NOT NULL,
    PRIMARY KEY (source_key, incident_arn)
);
CREATE INDEX alert_links_incident ON alert_links (incident_arn);

-- Silences Tocsin keeps in an Alertmanager for acknowledged incidents.
CREATE TABLE silences (
    incident_arn TEXT NOT NULL,
    source_key   TEXT NOT NULL,
    wake_at      REAL,
    body         TEXT NOT NULL,
    PRIMARY KEY (incident_arn, source_key)
);
CREATE INDEX silences_wake ON silences (wake_at) WHERE wake_at IS NOT NULL;

CREATE TABLE heartbeats (
    name    TEXT PRIMARY KEY,
    wake_at REAL,
    body    TEXT NOT NULL
);
CREATE INDEX heartbeats_wake ON heartbeats (wake_at) WHERE wake_at IS NOT NULL;

CREATE TABLE maintenance_windows (
    id         TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    wake_at    REAL,
    body       TEXT NOT NULL
);
CREATE INDEX maintenance_windows_wake ON maintenance_windows (wake_at) WHERE wake_at IS NOT NULL;

-- Events whose effects a window suppressed; `released` once the window's end decided them.
CREATE TABLE suppressions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    window_id  TEXT NOT NULL,
    source_key TEXT NOT NULL,
    at         REAL NOT NULL,
    released   INTEGER NOT NULL DEFAULT 0,
    body       TEXT NOT NULL
);
CREATE INDEX suppressions_window ON suppressions (window_id, released, source_key);
