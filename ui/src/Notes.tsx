// The case's notes: a thread (who, when, what) the maker and the reviewer write in, kept
// with the case and synced with the bank. Nothing here edits or deletes a note — the
// service offers neither; a correction is a new note. Checks (empty, too long) are the
// service's, shown with their codes.
import { useEffect, useState } from "react";
import type { AppError, StoredNote } from "./bindings";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { useWords } from "./language";

function Note({ note }: { note: StoredNote }) {
  const { t, dateTime } = useWords();
  return (
    <li data-testid="note" data-author={note.author}>
      <p className="small muted">
        <b>{note.author}</b> · {dateTime(note.written_at)} {note.bank_at ? "" : <span title={t("notes.unsentTitle")}>· {t("notes.unsent")}</span>}
      </p>
      <p className="note-text">{note.text}</p>
    </li>
  );
}

export function Notes({ caseId, synced }: { caseId: string; synced: number }) {
  const { t } = useWords();
  const [notes, setNotes] = useState<StoredNote[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  // One note per press: a note is never deleted, so a double press must not write two.
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.notes(caseId).then(setNotes, setError);
  }, [caseId, synced]);
  const add = () => {
    setBusy(true);
    api
      .addNote(caseId, text)
      .then((n) => { setNotes(n); setText(""); setError(null); }, setError)
      .finally(() => setBusy(false));
  };
  return (
    <div className="card" data-testid="notes">
      <h3>{t("notes.title")}</h3>
      {notes.length === 0 ? <p className="muted">{t("notes.none")}</p> : <ul className="notes">{notes.map((n) => <Note key={n.note_id} note={n} />)}</ul>}
      <label className="field">
        <span>{t("notes.new")}</span>
        <textarea name="note-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div>
        <button id="add-note" disabled={busy || text.trim() === ""} onClick={add}>{t("notes.add")}</button>
        <small className="muted"> {t("notes.never")}</small>
      </div>
      <ErrorBanner error={error} onClose={() => setError(null)} />
    </div>
  );
}
