// The daily backup: where (an absolute folder apart from the store; empty: none), when
// (HH:MM) and how many are kept (1–90). Rust checks the folder exists and is writable.
// "Back up now" writes one into the saved folder, checked before it counts.
import { useState } from "react";
import type { BackupSettings } from "../bindings";
import { api } from "../api";
import { Field, Outcome, useAction } from "./Form";
import { useWords } from "../language";

export function BackupSection({ settings, onSaved }: { settings: BackupSettings; onSaved: () => void }) {
  const { t } = useWords();
  const [form, setForm] = useState({ folder: settings.folder, time: settings.time, keep: String(settings.keep) });
  const action = useAction();
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  const save = () => action.run(() => api.adminSetBackup({ folder: form.folder, time: form.time, keep: Number(form.keep) }), t("admin.saved"), onSaved);
  // Back up now: into the saved folder, checked on the copy; the window goes on meanwhile.
  const now = useAction();
  const backUp = () => now.run(() => api.backupNow(), t("admin.backup.made"));
  return (
    <div className="card form" data-testid="admin-backup">
      <Field label={t("admin.backup.folder")}><input name="backup-folder" className="mono" value={form.folder} onChange={set("folder")} /></Field>
      <Field label={t("admin.backup.time")}><input name="backup-time" value={form.time} onChange={set("time")} /></Field>
      <Field label={t("admin.backup.keep")}><input name="backup-keep" inputMode="numeric" value={form.keep} onChange={set("keep")} /></Field>
      <Outcome error={action.error} notice={action.notice} />
      <button id="save-backup" className="primary" disabled={action.busy} onClick={save}>{t("admin.save")}</button>
      <div data-testid="backup-now-outcome"><Outcome error={now.error} notice={now.notice} /></div>
      <button id="backup-now" disabled={now.busy || !settings.folder} onClick={backUp}>{now.busy ? t("admin.backup.running") : t("admin.backup.now")}</button>
    </div>
  );
}
