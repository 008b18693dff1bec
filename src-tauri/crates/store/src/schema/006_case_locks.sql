-- One editor at a time: the user who holds a case while editing it, since when. A lock
-- older than the session idle time is stale and may be taken over.
CREATE TABLE case_locks (
    case_id  TEXT PRIMARY KEY NOT NULL COLLATE NOCASE REFERENCES cases (case_id) ON DELETE CASCADE,
    username TEXT NOT NULL COLLATE NOCASE,
    since    TEXT NOT NULL
) STRICT;
