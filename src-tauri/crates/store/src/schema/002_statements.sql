-- Statement files attached to one party of a case, kept as the bytes the client brought:
-- the income analysis is always re-derived from the originals, so a reviewer (or a later
-- version of the classification) sees exactly what the maker saw.
CREATE TABLE case_statements (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    party       INTEGER NOT NULL CHECK (party >= 0),
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    attached_at TEXT NOT NULL,
    attached_by TEXT NOT NULL,
    UNIQUE (case_id, party, file_name)
) STRICT;

-- The underwriter's decision on single transactions, each with the note that justifies
-- it. `kind` NULL takes the credit out of income.
CREATE TABLE case_reclassifications (
    case_id   TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    party     INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    line      INTEGER NOT NULL,
    kind      TEXT,
    note      TEXT NOT NULL CHECK (length(trim(note)) > 0),
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    PRIMARY KEY (case_id, party, file_name, line)
) STRICT;
