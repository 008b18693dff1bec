// The pieces every section of the administration screen shares: a labelled field, a
// write-only secret, and a save (or test) whose outcome shows with its code.
import { useState, type ReactNode } from "react";
import type { AppError } from "../bindings";
import { ErrorBanner } from "../App";
import { useWords } from "../language";

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return <label className="field"><span>{label}</span>{children}</label>;
}

/** A secret is never shown: only whether one is set, and a field for a new one. */
export function Secret({ label, name, isSet, value, onChange }: { label: string; name: string; isSet: boolean; value: string; onChange: (v: string) => void }) {
  const { t } = useWords();
  return (
    <Field label={label}>
      <span className="secret">
        <span className={isSet ? "pill set" : "pill"} data-testid={`${name}-state`}>{isSet ? t("admin.set") : t("admin.notSet")}</span>
        <input name={name} type="password" autoComplete="new-password" placeholder={t("admin.newSecret")} value={value} onChange={(e) => onChange(e.target.value)} />
      </span>
    </Field>
  );
}

/** A call to Rust whose answer the section does not need. */
export type Pending = Promise<unknown>;

/** Runs one call at a time; keeps its error (shown with its code) or its notice. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = (call: () => Pending, done: string, then?: () => void) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    call()
      .then(() => { setNotice(done); then?.(); }, setError)
      .finally(() => setBusy(false));
  };
  return { busy, error, notice, run };
}

export function Outcome({ error, notice }: { error: AppError | null; notice: string | null }) {
  return (
    <>
      <ErrorBanner error={error} />
      {notice && <p className="notice" data-testid="admin-notice">{notice}</p>}
    </>
  );
}
