-- HTTP target deliveries: an outbox written in the same transaction as the event that
-- matched, drained by the delivery worker with retries. FAILED rows are the dead letters.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    next_attempt_at REAL NOT NULL,
    body            TEXT NOT NULL        -- tocsin_api::native::Delivery
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
