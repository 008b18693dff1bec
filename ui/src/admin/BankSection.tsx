// The bank: its address (https, or http only to this computer), the workstation's token
// (write-only), the branch, and the bank's CA bundle — read from a file when saved and kept
// as text in the encrypted store. "Test connection" says what failed, as its code.
import { useState } from "react";
import type { BankSettings } from "../bindings";
import { api } from "../api";
import { Field, Outcome, Secret, useAction } from "./Form";
import { useWords } from "../language";

function CaBundle({ settings }: { settings: BankSettings }) {
  const { t } = useWords();
  const ca = settings.ca_bundle;
  if (!ca) return <span className="muted" data-testid="ca-bundle">{t("admin.bank.caNone")}</span>;
  return (
    <span className="mono small" data-testid="ca-bundle">
      {t("admin.bank.caShown", { file: ca.source, n: ca.certificates, hash: ca.sha256.slice(0, 16) })}
    </span>
  );
}

export function BankSection({ settings, onSaved }: { settings: BankSettings; onSaved: () => void }) {
  const { t } = useWords();
  const [form, setForm] = useState({ url: settings.url, token: "", branch: settings.branch, ca_file: "" });
  const [clearCa, setClearCa] = useState(false);
  const action = useAction();
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  const save = () =>
    action.run(
      () => api.adminSetBank({ url: form.url, token: form.token || null, branch: form.branch, ca_file: form.ca_file || null, clear_ca: clearCa }),
      t("admin.saved"),
      () => { setForm({ ...form, token: "", ca_file: "" }); setClearCa(false); onSaved(); },
    );
  return (
    <div className="card form" data-testid="admin-bank">
      {settings.environment_url && <p className="not-yet">{t("admin.bank.fromEnv", { url: settings.environment_url })}</p>}
      <Field label={t("admin.bank.url")}><input name="bank-url" className="mono" value={form.url} onChange={set("url")} /></Field>
      <Secret label={t("admin.bank.token")} name="bank-token" isSet={settings.token_set} value={form.token} onChange={(v) => setForm({ ...form, token: v })} />
      <Field label={t("admin.bank.branch")}><input name="bank-branch" value={form.branch} onChange={set("branch")} /></Field>
      <Field label={t("admin.bank.ca")}><CaBundle settings={settings} /></Field>
      <Field label={t("admin.bank.caFile")}><input name="bank-ca-file" className="mono" value={form.ca_file} onChange={set("ca_file")} /></Field>
      {settings.ca_bundle && (
        <Field label={t("admin.bank.caClear")}><input name="bank-ca-clear" type="checkbox" checked={clearCa} onChange={(e) => setClearCa(e.target.checked)} /></Field>
      )}
      <Outcome error={action.error} notice={action.notice} />
      <div className="import-row">
        <button id="save-bank" className="primary" disabled={action.busy} onClick={save}>{t("admin.save")}</button>
        <button id="test-bank" disabled={action.busy} onClick={() => action.run(api.adminTestBank, t("admin.testOk"))}>{t("admin.test")}</button>
      </div>
    </div>
  );
}
