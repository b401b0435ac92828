-- The wall's recent activity on load (issue 13): the newest timeline entries across every
-- incident, read newest first without scanning the table.
CREATE INDEX timeline_by_time ON timeline_events (event_time, seq);
