-- The version of its checklist line a scan was attached to (NULL: a scan of a line
-- without versions, or attached before versions were kept): a rejected version's scans
-- never vouch for the next one.
ALTER TABLE case_attachments ADD COLUMN doc_version INTEGER;
