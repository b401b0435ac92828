-- The role each service principal (a response plan's or rule target's roleArn) acts with
-- when it runs a runbook; a principal without a row is a responder.
CREATE TABLE service_roles (
    role_arn TEXT PRIMARY KEY,
    body     TEXT NOT NULL -- the ServiceRole as JSON
);
