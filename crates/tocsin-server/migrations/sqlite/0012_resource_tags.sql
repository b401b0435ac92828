-- Tags of AWS-shaped resources (EventBridge rules today; Incident Manager resources next),
-- by ARN. Deleted with their resource.
CREATE TABLE resource_tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);
