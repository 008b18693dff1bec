-- Scanned documents of the §7 checklist, kept as the bytes brought (PDF, PNG, JPEG), in
-- the encrypted store with their case. `kind` and `party` name the checklist line.
CREATE TABLE case_attachments (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    party       INTEGER NOT NULL CHECK (party >= 0),
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    pages       INTEGER NOT NULL CHECK (pages >= 1),
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    attached_at TEXT NOT NULL,
    attached_by TEXT NOT NULL
) STRICT;
CREATE INDEX case_attachments_by_case ON case_attachments (case_id, kind, party, id);
