-- A case is its case-file JSON plus the columns the daily queue filters and sorts on.
CREATE TABLE cases (
    case_id          TEXT PRIMARY KEY NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1),
    case_json        TEXT NOT NULL,
    status           TEXT NOT NULL,
    decision         TEXT,
    assignee         TEXT,
    branch           TEXT NOT NULL,
    application_date TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    borrower_name    TEXT NOT NULL,
    pinfl            TEXT NOT NULL,
    vin              TEXT NOT NULL,
    amount           TEXT NOT NULL,
    amount_tiyin     INTEGER NOT NULL,
    term_months      INTEGER NOT NULL
) STRICT;

CREATE INDEX cases_status_received ON cases (status, received_at);
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_status_amount ON cases (status, amount_tiyin);
CREATE INDEX cases_amount ON cases (amount_tiyin);
CREATE INDEX cases_assignee ON cases (assignee, received_at);
CREATE INDEX cases_branch ON cases (branch, received_at);
CREATE INDEX cases_application_date ON cases (application_date);
CREATE INDEX cases_borrower ON cases (borrower_name);
CREATE INDEX cases_pinfl ON cases (pinfl);
CREATE INDEX cases_vin ON cases (vin);

-- What happened to a case, in order: import, edits (field, before, after), export.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE,
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
