-- Incident Manager's replication set (at most one): its regions are recorded, the data is
-- Tocsin's own database.
CREATE TABLE replication_sets (
    arn  TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
