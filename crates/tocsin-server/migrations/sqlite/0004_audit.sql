-- The audit log: one row per state-changing call made by a principal (not event ingest),
-- appended in the same transaction as the change. Each row's mac is an HMAC-SHA256, keyed
-- with the server key, over the previous row's mac and this row's body, so a row edited in
-- the database breaks the chain even if every later hash is recomputed without the key.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,   -- 1, 2, 3 … (assigned under the writer lock)
    at        REAL NOT NULL,
    principal TEXT NOT NULL,
    operation TEXT NOT NULL,
    body      TEXT NOT NULL,         -- tocsin_api::audit::AuditEntry without its mac
    mac       TEXT NOT NULL          -- hex
);
CREATE INDEX audit_log_principal ON audit_log (principal, seq);
CREATE INDEX audit_log_operation ON audit_log (operation, seq);
