-- The audit trail anchored at the core bank (`uw-store/src/audit.rs`).
--
-- The workstation's own id at the bank: random, made once here, never a folder path or a
-- user name. A store put back from an old copy keeps it — which is how the bank tells the
-- copy from the store it replaced (its anchor of this id is past the copy's chain).
INSERT OR IGNORE INTO settings (key, value)
    VALUES ('audit.workstation', lower(hex(randomblob(16))));

-- Every case version is written with its audit entry, at the same time (`cases.updated_at`
-- is the entry's `at`): `uw audit verify` asks each stored version for its entry. Versions
-- found without one when this check arrived (written before the chain existed, or by a
-- version that did not hold to it) are listed here and not asked; any later version is.
CREATE TABLE audit_unrecorded_versions (
    case_id TEXT NOT NULL COLLATE NOCASE,
    version INTEGER NOT NULL,
    PRIMARY KEY (case_id, version)
) STRICT;
INSERT INTO audit_unrecorded_versions (case_id, version)
    SELECT c.case_id, c.version FROM cases c
    WHERE NOT EXISTS (
        SELECT 1 FROM audit_log a WHERE a.case_id = c.case_id AND a.at = c.updated_at
    );
