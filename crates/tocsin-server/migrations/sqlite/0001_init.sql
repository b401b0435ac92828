-- Tocsin's SQLite schema. Each entity keeps its API shape as JSON in `body` (the single
-- source of truth for what clients read) plus the columns queries filter, sort or join on.

CREATE TABLE response_plans (
    arn        TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,            -- GetResponsePlanOutput
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);

CREATE TABLE incidents (
    arn               TEXT PRIMARY KEY,
    response_plan_arn TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
    impact            INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    dedupe_string     TEXT NOT NULL,
    creation_time     REAL NOT NULL,
    body              TEXT NOT NULL      -- IncidentRecord
);
-- At most one OPEN incident per non-empty dedupe string: the database enforces the merge.
CREATE UNIQUE INDEX incidents_open_dedupe ON incidents (dedupe_string)
    WHERE status = 'OPEN' AND dedupe_string <> '';
CREATE INDEX incidents_by_status_time ON incidents (status, creation_time);
CREATE INDEX incidents_by_time ON incidents (creation_time);

CREATE TABLE timeline_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    incident_arn TEXT NOT NULL REFERENCES incidents (arn),
    event_time   REAL NOT NULL,
    body         TEXT NOT NULL           -- TimelineEvent
);
CREATE INDEX timeline_by_incident ON timeline_events (incident_arn, event_time, seq);

CREATE TABLE related_items (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_arn TEXT NOT NULL REFERENCES incidents (arn),
    generated_id TEXT NOT NULL,
    identity     TEXT NOT NULL,          -- type + value, to attach each item once
    body         TEXT NOT NULL,          -- RelatedItem
    UNIQUE (incident_arn, generated_id),
    UNIQUE (incident_arn, identity)
);

-- Idempotency: (operation, clientToken) -> the result the first request produced.
CREATE TABLE client_tokens (
    operation  TEXT NOT NULL,
    token      TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (operation, token)
);

CREATE TABLE rules (
    arn            TEXT PRIMARY KEY,
    event_bus_name TEXT NOT NULL,
    name           TEXT NOT NULL,
    body           TEXT NOT NULL,        -- Rule
    UNIQUE (event_bus_name, name)
);

CREATE TABLE targets (
    rule_arn  TEXT NOT NULL REFERENCES rules (arn) ON DELETE CASCADE,
    target_id TEXT NOT NULL,
    body      TEXT NOT NULL,             -- Target
    PRIMARY KEY (rule_arn, target_id)
);

-- Every accepted event, committed before PutEvents answers 200.
CREATE TABLE events (
    event_id       TEXT PRIMARY KEY,
    event_bus_name TEXT NOT NULL,
    received_at    REAL NOT NULL,
    body           TEXT NOT NULL         -- the EventBridge envelope
);

-- The change feed: appended in the same transaction as each change; ids only grow.
CREATE TABLE change_feed (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    at   REAL NOT NULL,
    body TEXT NOT NULL                   -- tocsin_api::native::Change
);
