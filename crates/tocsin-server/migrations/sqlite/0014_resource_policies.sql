-- Resource policies of response plans (PutResourcePolicy): stored and returned; a
-- single-account Tocsin grants nothing through them.
CREATE TABLE resource_policies (
    policy_id    TEXT PRIMARY KEY,
    resource_arn TEXT NOT NULL,
    created_at   REAL NOT NULL,
    document     TEXT NOT NULL
);
CREATE INDEX resource_policies_resource ON resource_policies (resource_arn, created_at);
