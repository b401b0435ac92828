-- Retention (worker::retention) deletes the oldest rows in small batches; these indexes
-- let each batch find them without scanning the table.
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE INDEX IF NOT EXISTS client_tokens_created ON client_tokens (created_at);
