-- EventBridge resources kept whole as JSON bodies, by kind and name: event buses,
-- archives, replays, connections and API destinations. Secrets inside a body are sealed
-- with the server key before they get here.
CREATE TABLE aws_resources (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
