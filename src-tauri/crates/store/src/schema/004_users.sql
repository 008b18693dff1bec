-- The workstation's users. Passwords are Argon2id PHC strings (uw-app::users); the roles
-- are flags, and a person may hold underwriter and reviewer: the review workflow, not the
-- roles, keeps the maker from checking their own case.
CREATE TABLE users (
    username       TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    is_admin       INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
    is_underwriter INTEGER NOT NULL CHECK (is_underwriter IN (0, 1)),
    is_reviewer    INTEGER NOT NULL CHECK (is_reviewer IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    created_at     TEXT NOT NULL
) STRICT;

-- Where each case stands in review (uw_domain::review::Workflow as JSON); the queue's
-- `cases.status` carries its stage, written in the same transaction.
CREATE TABLE case_workflow (
    case_id  TEXT PRIMARY KEY NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    workflow TEXT NOT NULL
) STRICT;
