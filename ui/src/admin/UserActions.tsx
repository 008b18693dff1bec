// What an administrator does to another person's account: roles, a temporary password,
// the second factor, the lock, deactivation. Rust refuses these on their own account
// (SELF_ADMINISTRATION) and for the last administrator (LAST_ADMINISTRATOR); the refusal
// shows with its code.
import { useState } from "react";
import type { UserView } from "../bindings";
import { api } from "../api";
import { Field, Outcome, useAction, type Pending } from "./Form";
import { useWords } from "../language";

export function UserActions({ user, me, onChanged }: { user: UserView; me: string; onChanged: () => void }) {
  const { t } = useWords();
  const [roles, setRoles] = useState({ admin: user.admin, underwriter: user.underwriter, reviewer: user.reviewer, supervisor: user.supervisor });
  const [temporary, setTemporary] = useState("");
  const action = useAction();
  const name = user.username;
  const done = t("admin.users.done", { user: name });
  const run = (call: () => Pending) => action.run(call, done, onChanged);
  const role = (k: keyof typeof roles) => (
    <input name={`role-${k}`} type="checkbox" checked={roles[k]} onChange={(e) => setRoles({ ...roles, [k]: e.target.checked })} />
  );
  return (
    <div className="card form" data-testid="user-actions">
      <h3>{t("admin.users.of", { user: name })} {name === me ? t("admin.users.you") : ""}</h3>
      <Field label={t("role.underwriter")}>{role("underwriter")}</Field>
      <Field label={t("role.reviewer")}>{role("reviewer")}</Field>
      <Field label={t("role.supervisor")}>{role("supervisor")}</Field>
      <Field label={t("role.admin")}>{role("admin")}</Field>
      <div className="import-row">
        <button id="save-roles" disabled={action.busy} onClick={() => run(() => api.adminSetRoles(name, roles))}>{t("admin.users.saveRoles")}</button>
      </div>
      <Field label={t("admin.users.temporary")}>
        <input name="temporary-password" type="password" autoComplete="new-password" value={temporary} onChange={(e) => setTemporary(e.target.value)} />
      </Field>
      <div className="import-row">
        <button id="reset-password" disabled={action.busy || !temporary} onClick={() => { run(() => api.adminResetPassword(name, temporary)); setTemporary(""); }}>{t("admin.users.resetPassword")}</button>
        <button id="reset-second-factor" disabled={action.busy || !user.second_factor} onClick={() => run(() => api.adminResetSecondFactor(name))}>{t("admin.users.resetSecondFactor")}</button>
        <button id="unlock-user" disabled={action.busy || !user.locked_until} onClick={() => run(() => api.adminUnlock(name))}>{t("admin.users.unlock")}</button>
        {user.deactivated_at ? (
          <button id="reactivate-user" disabled={action.busy} onClick={() => run(() => api.adminSetActive(name, true))}>{t("admin.users.reactivate")}</button>
        ) : (
          <button id="deactivate-user" disabled={action.busy} onClick={() => run(() => api.adminSetActive(name, false))}>{t("admin.users.deactivate")}</button>
        )}
      </div>
      <Outcome error={action.error} notice={action.notice} />
    </div>
  );
}
