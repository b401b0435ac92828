-- Outbound webhooks: named endpoints runbooks call (aws:invokeWebhook). The URL and headers
-- are secrets: sealed with the server key (the name is the associated data), never stored in
-- plain text and never read back through the API.
CREATE TABLE outbound_webhooks (
    name       TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    created_by TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    sealed     BLOB NOT NULL
);
