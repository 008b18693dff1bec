-- Full-text search over the queue's identifying columns: case id, borrower name, PINFL and
-- VIN, by word prefix in any order ("aziz karim" finds "Karimov Aziz Rustamovich"). An
-- external-content FTS5 index over `cases`, kept by triggers in the same transaction as
-- every write. '-' is part of a token, so a case id stays one word.
CREATE VIRTUAL TABLE cases_fts USING fts5(
    case_id, borrower_name, pinfl, vin,
    content = 'cases', content_rowid = 'rowid',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '-'"
);

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, case_id, borrower_name, pinfl, vin)
    VALUES (new.rowid, new.case_id, new.borrower_name, new.pinfl, new.vin);
END;

CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, case_id, borrower_name, pinfl, vin)
    VALUES ('delete', old.rowid, old.case_id, old.borrower_name, old.pinfl, old.vin);
END;

CREATE TRIGGER cases_fts_update AFTER UPDATE OF case_id, borrower_name, pinfl, vin ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, case_id, borrower_name, pinfl, vin)
    VALUES ('delete', old.rowid, old.case_id, old.borrower_name, old.pinfl, old.vin);
    INSERT INTO cases_fts (rowid, case_id, borrower_name, pinfl, vin)
    VALUES (new.rowid, new.case_id, new.borrower_name, new.pinfl, new.vin);
END;

-- Cases stored before this version.
INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
