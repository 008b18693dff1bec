-- People of the bank's directory who logged in here online: what lets them log in offline
-- until `cached_until` (an Argon2id verifier of their password, their roles and branches as
-- the directory gave them). Dropped when the directory says the account is disabled or gone.
CREATE TABLE directory_people (
    staff_id       TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    dn             TEXT NOT NULL,
    is_admin       INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
    is_underwriter INTEGER NOT NULL CHECK (is_underwriter IN (0, 1)),
    is_reviewer    INTEGER NOT NULL CHECK (is_reviewer IN (0, 1)),
    branches       TEXT NOT NULL,
    verifier       TEXT NOT NULL,
    online_at      TEXT NOT NULL,
    cached_until   TEXT NOT NULL
) STRICT;

-- Each person's signing key (dual-review.md): the private key wrapped with a key derived
-- from their password (Argon2id salt, ChaCha20-Poly1305 nonce and ciphertext), its public
-- half, and when the bank accepted it (NULL until it has).
CREATE TABLE signing_keys (
    staff_id    TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    algorithm   TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    wrapped     BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    enrolled_at TEXT
) STRICT;

-- The review inbox the bank last served each reviewer at this desk: the queue's reviewer
-- view (the submitted cases of their branches that they neither made nor edited).
CREATE TABLE review_inbox (
    staff_id TEXT NOT NULL COLLATE NOCASE,
    case_id  TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, case_id)
) STRICT;

-- A scan removed from a case is kept, marked removed (who, when): evidence is never lost.
ALTER TABLE case_attachments ADD COLUMN removed_at TEXT;
ALTER TABLE case_attachments ADD COLUMN removed_by TEXT;

-- The outbox gains the author's signed statement of a case version (or of a sign-off,
-- kept in its body), and a refused state: the bank said no, with its code, and the entry
-- is kept for the record, never sent again.
CREATE TABLE outbox_next (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         TEXT NOT NULL COLLATE NOCASE,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    statement       TEXT,
    idempotency_key TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'superseded', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    sent_at         TEXT,
    answer          TEXT
) STRICT;
INSERT INTO outbox_next (id, case_id, kind, body, idempotency_key, created_at, state, attempts,
                         last_error, next_attempt_at, sent_at, answer)
    SELECT id, case_id, kind, body, idempotency_key, created_at, state, attempts,
           last_error, next_attempt_at, sent_at, answer FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (case_id, id) WHERE state = 'pending';
