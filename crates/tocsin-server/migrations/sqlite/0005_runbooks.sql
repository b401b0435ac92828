-- Runbooks: Automation documents with their versions, and durable automation executions.

-- One row per document version; the content is kept exactly as given.
CREATE TABLE documents (
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    body          TEXT NOT NULL,      -- the StoredDocumentVersion as JSON
    created_at    REAL NOT NULL,
    PRIMARY KEY (name, version)
);

-- One row per document: its default and latest version, tags, owner.
CREATE TABLE document_heads (
    name            TEXT PRIMARY KEY,
    default_version INTEGER NOT NULL,
    latest_version  INTEGER NOT NULL,
    created_at      REAL NOT NULL,
    body            TEXT NOT NULL     -- the StoredDocumentHead as JSON
);

-- Executions. `wake_at` is when the runbook worker must look at one next (NULL: only a
-- signal or a stop moves it); the worker waits for the smallest one, never scans them all.
CREATE TABLE automation_executions (
    id            TEXT PRIMARY KEY,
    document_name TEXT NOT NULL,
    status        TEXT NOT NULL,
    started_at    REAL NOT NULL,
    wake_at       REAL,
    incident_arn  TEXT,
    client_token  TEXT UNIQUE,
    body          TEXT NOT NULL       -- the execution state as JSON
);
CREATE INDEX automation_executions_wake ON automation_executions (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX automation_executions_started ON automation_executions (started_at);
CREATE INDEX automation_executions_incident ON automation_executions (incident_arn) WHERE incident_arn IS NOT NULL;

-- Step executions, in the order they ran (a step run twice, e.g. in a loop, is two rows).
CREATE TABLE automation_steps (
    execution_id TEXT NOT NULL REFERENCES automation_executions (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    body         TEXT NOT NULL,       -- the StepExecution as JSON
    PRIMARY KEY (execution_id, seq)
);
