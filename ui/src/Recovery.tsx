// The store's recovery key in the window, before anyone logs in: a new store's key shown
// this once (its sheet saved by a dialog Rust opens, and "I have stored it" before going
// on), and the unlock with it where the OS keyring lost the store's key. What is typed goes
// to Rust, which reads it (a typo is named by its group); nothing of it is kept here.
import { useState } from "react";
import type { AppError, NewRecoveryKey } from "./bindings";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { useWords } from "./language";

export function RecoveryKeyShown({ shown, onStored }: { shown: NewRecoveryKey; onStored: () => void }) {
  const { lang, t } = useWords();
  const [stored, setStored] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const save = () =>
    api.saveRecoverySheet(lang).then((file) => {
      if (file) setSaved(file);
      setError(null);
    }, setError);
  return (
    <main className="login">
      <div className="card recovery" data-testid="recovery-key">
        <h3>{t("recovery.title")}</h3>
        <p className="small muted">{t("recovery.intro", { folder: shown.data_dir })}</p>
        <ol className="recovery-groups mono" data-testid="recovery-groups">
          {shown.groups.map((g, i) => <li key={i}>{g}</li>)}
        </ol>
        <p className="small">{t("recovery.safe")}</p>
        <button id="recovery-save" onClick={save}>{t("recovery.save")}</button>
        {saved && <p className="notice small">{t("recovery.saved", { file: saved })}</p>}
        <label className="field">
          <span>{t("recovery.stored")}</span>
          <input id="recovery-stored" type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />
        </label>
        <ErrorBanner error={error} />
        <button id="recovery-continue" className="primary" disabled={!stored} onClick={() => api.confirmRecoveryKey().then(onStored, setError)}>
          {t("recovery.continue")}
        </button>
      </div>
    </main>
  );
}

/** The unlock with the recovery key; `onBack` returns to the passphrase. */
export function RecoveryUnlock({ onUnlocked, onBack }: { onUnlocked: () => void; onBack: () => void }) {
  const { t } = useWords();
  const [key, setKey] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  // The store opened, but the keyring did not take the key back: said before going on.
  const [notKept, setNotKept] = useState<string | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    api
      .unlockWithRecoveryKey(key)
      .then((done) => {
        setKey("");
        if (done.keyring_restored) onUnlocked();
        else setNotKept(done.keyring_error ?? "");
      }, setError)
      .finally(() => setBusy(false));
  };
  if (notKept !== null) {
    return (
      <main className="login">
        <div className="card" data-testid="recovery-not-kept">
          <p className="notice">{t("recovery.notKept", { why: notKept })}</p>
          <button id="recovery-go-on" className="primary" onClick={onUnlocked}>{t("recovery.continue")}</button>
        </div>
      </main>
    );
  }
  return (
    <main className="login">
      <form className="card" onSubmit={submit} data-testid="recovery-unlock">
        <h3>{t("recovery.unlockTitle")}</h3>
        <p className="small muted">{t("recovery.unlockIntro")}</p>
        <label className="field">
          <span>{t("recovery.key")}</span>
          {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the screen's one form: its first field takes the keyboard */}
          <input name="recovery-key" className="mono" autoFocus autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <ErrorBanner error={error} />
        <div className="import-row">
          <button id="recovery-unlock" className="primary" type="submit" disabled={busy || !key.trim()}>{t("recovery.unlock")}</button>
          <button type="button" onClick={onBack}>{t("recovery.back")}</button>
        </div>
      </form>
    </main>
  );
}
