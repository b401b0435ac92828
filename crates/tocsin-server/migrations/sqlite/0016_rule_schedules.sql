-- Scheduled rules: when each fires next (epoch seconds). A firing's event and the
-- advanced next_at are committed together, so a restart neither repeats nor skips one.
CREATE TABLE rule_schedules (
    rule_arn TEXT PRIMARY KEY,
    next_at  REAL NOT NULL
);
CREATE INDEX rule_schedules_next ON rule_schedules (next_at);
