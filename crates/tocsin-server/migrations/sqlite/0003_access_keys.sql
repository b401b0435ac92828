-- Access keys: an id, a role, and the secret encrypted with the server key (kept outside the
-- database, in --key-file). The secret is never stored in plain text.
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('producer', 'viewer', 'responder', 'admin')),
    secret_nonce  BLOB NOT NULL,       -- XChaCha20-Poly1305 nonce (24 bytes)
    secret_sealed BLOB NOT NULL,       -- ciphertext + tag; the key id is the associated data
    created_at    REAL NOT NULL,
    last_used_at  REAL,
    enabled       INTEGER NOT NULL DEFAULT 1
);

-- Facts about this database that outlive any row: whether it ever had a key (so deleting
-- every key does not mint a new admin key), and a check value of the server key (so a wrong
-- --key-file is refused at start instead of failing every request).
CREATE TABLE server_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
