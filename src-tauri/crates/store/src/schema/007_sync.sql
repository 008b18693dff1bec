-- What is meant for the core bank, written in the same transaction as the change it
-- carries (a case version, a review sign-off), and sent in `id` order per case. The
-- Idempotency-Key is made here, before the first attempt, so that every retry — after a
-- timeout, a crash, a restart — carries the same key and the bank applies it once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         TEXT NOT NULL COLLATE NOCASE,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    created_at      TEXT NOT NULL,
    -- pending → sent, or superseded when the underwriter takes the bank's version instead.
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    sent_at         TEXT,
    answer          TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (case_id, id) WHERE state = 'pending';

-- The bank's version of each case as last agreed (sent or pulled): a case version is
-- sent with If-Match on it.
CREATE TABLE case_sync (
    case_id      TEXT PRIMARY KEY NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    bank_version INTEGER NOT NULL,
    bank_hash    TEXT NOT NULL,
    synced_at    TEXT NOT NULL
) STRICT;

-- A case changed here and at the bank: both versions are kept, before and after the
-- underwriter chooses. An open conflict holds back the case's outbox.
CREATE TABLE sync_conflicts (
    id            INTEGER PRIMARY KEY,
    case_id       TEXT NOT NULL COLLATE NOCASE,
    detected_at   TEXT NOT NULL,
    local_version INTEGER NOT NULL,
    local_json    TEXT NOT NULL,
    bank_version  INTEGER NOT NULL,
    -- The bank's own content hash of its version, as it answered it.
    bank_hash     TEXT NOT NULL,
    bank_json     TEXT NOT NULL,
    resolved_at   TEXT,
    resolved_by   TEXT,
    resolution    TEXT CHECK (resolution IN ('kept_local', 'took_bank'))
) STRICT;
CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts (case_id) WHERE resolved_at IS NULL;
