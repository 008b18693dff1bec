-- The daily queue reads only the narrow `cases` table: the columns it filters, sorts and
-- searches on. The case-file JSON lives beside it in `case_documents`, so that a scan of
-- the queue never drags kilobytes of JSON per row through the page cache.
CREATE TABLE cases (
    case_id          TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    version          INTEGER NOT NULL CHECK (version >= 1),
    status           TEXT NOT NULL,
    decision         TEXT,
    assignee         TEXT,
    branch           TEXT NOT NULL,
    application_date TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    borrower_name    TEXT NOT NULL COLLATE NOCASE,
    pinfl            TEXT NOT NULL COLLATE NOCASE,
    vin              TEXT NOT NULL COLLATE NOCASE,
    amount           TEXT NOT NULL,
    amount_tiyin     INTEGER NOT NULL,
    term_months      INTEGER NOT NULL
) STRICT;

CREATE TABLE case_documents (
    case_id   TEXT PRIMARY KEY NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    case_json TEXT NOT NULL
) STRICT;

-- One index per sort key (with the case id as tie-break, so ORDER BY k, case_id walks the
-- index), and the same under the status filter, the queue's usual view.
CREATE INDEX cases_by_received ON cases (received_at, case_id);
CREATE INDEX cases_by_amount ON cases (amount_tiyin, case_id);
CREATE INDEX cases_by_borrower ON cases (borrower_name, case_id);
CREATE INDEX cases_by_term ON cases (term_months, case_id);
CREATE INDEX cases_by_status ON cases (status, case_id);
CREATE INDEX cases_by_decision ON cases (decision, case_id);
CREATE INDEX cases_by_assignee ON cases (assignee, received_at, case_id);
CREATE INDEX cases_by_branch ON cases (branch, received_at, case_id);
CREATE INDEX cases_status_received ON cases (status, received_at, case_id);
CREATE INDEX cases_status_amount ON cases (status, amount_tiyin, case_id);
CREATE INDEX cases_status_borrower ON cases (status, borrower_name, case_id);
CREATE INDEX cases_status_term ON cases (status, term_months, case_id);
CREATE INDEX cases_status_decision ON cases (status, decision, case_id);
-- Prefix search (LIKE 'x%' on NOCASE columns uses these).
CREATE INDEX cases_pinfl ON cases (pinfl);
CREATE INDEX cases_vin ON cases (vin);

-- What happened to a case, in order: import, edits (field, before, after), export.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    detail   TEXT NOT NULL
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
