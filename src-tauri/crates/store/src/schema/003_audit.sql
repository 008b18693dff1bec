-- The audit trail: every action, on a case or not (login), appended with a hash that
-- covers the entry and the hash of the one before (uw_domain::audit). It replaces
-- `case_events`, whose entries it takes over; those are sealed into the chain when the
-- store is first opened after the upgrade (`hash = ''` until then).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    case_id   TEXT COLLATE NOCASE,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_case ON audit_log (case_id, id);

INSERT INTO audit_log (id, at, actor, action, case_id, detail, prev_hash, hash)
    SELECT id, at, actor, kind, case_id, detail, '', '' FROM case_events ORDER BY id;
DROP TABLE case_events;

-- Append-only through SQL: a sealed entry cannot be updated, none can be deleted. (A
-- change made to the file by other means is what the hash chain finds.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN OLD.hash <> ''
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
