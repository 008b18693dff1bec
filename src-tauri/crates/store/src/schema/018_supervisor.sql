-- The supervisor role (reassigns cases between underwriters): for local accounts, and for
-- the directory people kept for an offline login.
ALTER TABLE users ADD COLUMN is_supervisor INTEGER NOT NULL DEFAULT 0 CHECK (is_supervisor IN (0, 1));
ALTER TABLE directory_people ADD COLUMN is_supervisor INTEGER NOT NULL DEFAULT 0 CHECK (is_supervisor IN (0, 1));
