-- What the dashboard and the queue's timers read without opening a case file: the rule IDs
-- of the engine's reasons (space-separated), how many counter-offers the evaluation made,
-- and when the case was last given to its assignee. NULL reasons = written before this
-- version; the workstation derives them again when it opens the store.
ALTER TABLE cases ADD COLUMN reasons TEXT;
ALTER TABLE cases ADD COLUMN counter_offers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN assigned_at TEXT;
UPDATE cases SET assigned_at = received_at WHERE assignee IS NOT NULL;
-- Opening the store looks for rows still to derive: a partial index keeps that instant
-- with a large book (it holds only those rows).
CREATE INDEX cases_not_derived ON cases (case_id) WHERE reasons IS NULL;
