// The bank's directory: address (ldaps://, or ldap:// with StartTLS), the service account
// (its password write-only), the base, the groups that give the roles, the branch
// attribute and the disabled filter — checked in Rust, used from the next start. "Test
// connection" asks the saved directory and says what failed, as its code.
import { useState } from "react";
import type { DirectorySettings } from "../bindings";
import { api } from "../api";
import { type Key } from "../i18n";
import { Field, Outcome, Secret, useAction } from "./Form";
import { useWords } from "../language";

const TEXT: [keyof DirectorySettings & string, Key][] = [
  ["url", "admin.dir.url"],
  ["ca_file", "admin.dir.caFile"],
  ["base_dn", "admin.dir.baseDn"],
  ["user_attribute", "admin.dir.userAttribute"],
  ["service_dn", "admin.dir.bindDn"],
  ["underwriter_group", "admin.dir.underwriters"],
  ["reviewer_group", "admin.dir.reviewers"],
  ["administrator_group", "admin.dir.admins"],
  ["supervisor_group", "admin.dir.supervisors"],
  ["branch_attribute", "admin.dir.branch"],
  ["disabled_filter", "admin.dir.disabled"],
];

export function DirectorySection({ settings, onSaved }: { settings: DirectorySettings; onSaved: () => void }) {
  const { t } = useWords();
  const [form, setForm] = useState({ ...settings, service_password: "" });
  const action = useAction();
  const save = () =>
    action.run(
      () => api.adminSetDirectory({ ...form, service_password: form.service_password || null }),
      t("admin.dir.nextStart"),
      () => { setForm({ ...form, service_password: "" }); onSaved(); },
    );
  return (
    <div className="card form" data-testid="admin-directory">
      <p className="not-yet">
        {settings.active ? t("admin.dir.active") : t("admin.dir.standalone")}
        {settings.from_environment ? ` ${t("admin.dir.fromEnv")}` : ""}
      </p>
      {TEXT.map(([k, label]) => (
        <Field key={k} label={t(label)}>
          <input name={`dir-${k}`} className="mono" value={String(form[k] ?? "")} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
        </Field>
      ))}
      <Field label={t("admin.dir.starttls")}>
        <input name="dir-starttls" type="checkbox" checked={form.starttls} onChange={(e) => setForm({ ...form, starttls: e.target.checked })} />
      </Field>
      <Secret label={t("admin.dir.bindPassword")} name="dir-bind-password" isSet={settings.service_password_set} value={form.service_password} onChange={(v) => setForm({ ...form, service_password: v })} />
      <Outcome error={action.error} notice={action.notice} />
      <div className="import-row">
        <button id="save-directory" className="primary" disabled={action.busy} onClick={save}>{t("admin.save")}</button>
        <button id="test-directory" disabled={action.busy} onClick={() => action.run(api.adminTestDirectory, t("admin.testOk"))}>{t("admin.test")}</button>
      </div>
    </div>
  );
}
