-- The lien after the final payment: the sync asks the Pledge Registry about each case
-- whose stage 2 is paid at most once a day (`checked_at`) and keeps what it said. A
-- status other than the bank's registered prohibition (released, another creditor's) is
-- an alert the dashboard shows until the registry reports the bank's again.
CREATE TABLE lien_watch (
    case_id    TEXT PRIMARY KEY NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    checked_at TEXT NOT NULL,
    status     TEXT NOT NULL,
    creditor   TEXT,
    -- Since when the status is not the bank's registered prohibition (NULL: no alert).
    alert_since TEXT
) STRICT;
CREATE INDEX lien_watch_alerts ON lien_watch (alert_since) WHERE alert_since IS NOT NULL;
