-- ListRelatedItems reads its pages in the database (issue 12): an incident's items in
-- attachment order without a sort.
CREATE INDEX related_items_by_incident ON related_items (incident_arn, seq);
