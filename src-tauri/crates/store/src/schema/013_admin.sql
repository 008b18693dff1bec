-- Administration of local accounts (uw-app `admin`).
--
-- One person, one account: `staff_id` is the bank's staff number of the person, unique
-- whatever its case, so no one holds a second account (with other roles) beside their own.
-- The accounts made before it existed take their user name as their staff id.
ALTER TABLE users ADD COLUMN staff_id TEXT NOT NULL DEFAULT '';
UPDATE users SET staff_id = username;
CREATE UNIQUE INDEX users_by_staff_id ON users (staff_id COLLATE NOCASE);

-- A password set by an administrator (a new account, a reset) is changed by its owner at
-- the next login before anything else.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

-- Accounts are deactivated, never deleted: the audit trail keeps naming them.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;

-- The last successful login, as the administrator's list shows it; taken from the audit
-- trail for the accounts that logged in before.
ALTER TABLE users ADD COLUMN last_login_at TEXT;
UPDATE users SET last_login_at = (
    SELECT max(a.at) FROM audit_log a WHERE a.actor = users.username AND a.action = 'login'
);
