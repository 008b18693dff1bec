-- The approval's conditions beyond §6 ("approve subject to …"): raised with an owner, a
-- due date and the disbursement stage that waits for them, then met (the evidence) or
-- waived (the reason) once. `condition_id` is made where the condition is raised and names
-- it at the bank and at every desk; `bank_at` is when the bank accepted its last act
-- (NULL: not yet, or a workstation without a bank); with a bank, a close made here counts
-- only once the bank accepted it.
CREATE TABLE case_conditions (
    id           INTEGER PRIMARY KEY,
    condition_id TEXT NOT NULL UNIQUE,
    case_id      TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    text         TEXT NOT NULL CHECK (length(trim(text)) > 0),
    owner        TEXT NOT NULL CHECK (length(trim(owner)) > 0),
    due          TEXT NOT NULL CHECK (due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    stage        INTEGER NOT NULL CHECK (stage IN (1, 2)),
    raised_by    TEXT NOT NULL,
    raised_at    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'met', 'waived')),
    closed_by    TEXT,
    closed_at    TEXT,
    words        TEXT,
    bank_at      TEXT,
    -- The bank refused the raise made here (its code and words): no condition at all.
    refused      TEXT
) STRICT;
-- The queue's badge counts a case's open conditions and finds the earliest due date.
CREATE INDEX case_conditions_by_case ON case_conditions (case_id, status, due);
-- What was raised never changes: another condition is a new one.
CREATE TRIGGER case_conditions_raised_never_edited
BEFORE UPDATE OF condition_id, case_id, text, owner, due, stage, raised_by, raised_at ON case_conditions
BEGIN
    SELECT RAISE(ABORT, 'a condition never changes: another condition is a new one');
END;
-- Nor is a condition deleted: only with its case.
CREATE TRIGGER case_conditions_never_deleted BEFORE DELETE ON case_conditions
WHEN EXISTS (SELECT 1 FROM cases WHERE case_id = OLD.case_id)
BEGIN
    SELECT RAISE(ABORT, 'a condition is never deleted: it is met or waived');
END;
