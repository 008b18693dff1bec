-- A case's notes: a thread (who, when, what), never edited or deleted — a correction is a
-- new note. `note_id` is made where the note is written and names it at the bank and at
-- every desk, so a note comes in once; `bank_at` is when the bank accepted it (NULL: not
-- yet, or a note of a workstation without a bank).
CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY,
    note_id    TEXT NOT NULL UNIQUE,
    case_id    TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    author     TEXT NOT NULL,
    written_at TEXT NOT NULL,
    text       TEXT NOT NULL CHECK (length(trim(text)) > 0),
    bank_at    TEXT
) STRICT;
CREATE INDEX case_notes_by_case ON case_notes (case_id, written_at, id);
-- Only the bank's acceptance time is ever written after the note.
CREATE TRIGGER case_notes_never_edited BEFORE UPDATE OF note_id, case_id, author, written_at, text ON case_notes
BEGIN
    SELECT RAISE(ABORT, 'a note is never edited: a correction is a new note');
END;
-- Nor deleted: only with its case (the foreign key's cascade, when the case row is gone).
CREATE TRIGGER case_notes_never_deleted BEFORE DELETE ON case_notes
WHEN EXISTS (SELECT 1 FROM cases WHERE case_id = OLD.case_id)
BEGIN
    SELECT RAISE(ABORT, 'a note is never deleted: a correction is a new note');
END;
