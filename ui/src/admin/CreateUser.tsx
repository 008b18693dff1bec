// A new local account, with the person's staff id (one account per person); its password
// is changed at the first login.
import { useState } from "react";
import { api } from "../api";
import { Field, Outcome, useAction } from "./Form";
import { useWords } from "../language";

const EMPTY = { username: "", display_name: "", staff_id: "", password: "" };

export function CreateUser({ onCreated }: { onCreated: () => void }) {
  const { t } = useWords();
  const [user, setUser] = useState(EMPTY);
  const [roles, setRoles] = useState({ admin: false, underwriter: true, reviewer: false, supervisor: false });
  const action = useAction();
  const set = (k: keyof typeof EMPTY) => (e: React.ChangeEvent<HTMLInputElement>) => setUser({ ...user, [k]: e.target.value });
  const role = (k: keyof typeof roles) => (
    <input name={`new-${k}`} type="checkbox" checked={roles[k]} onChange={(e) => setRoles({ ...roles, [k]: e.target.checked })} />
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    action.run(() => api.createUser({ ...user, ...roles }), t("admin.users.created", { user: user.username }), () => {
      setUser(EMPTY);
      onCreated();
    });
  };
  return (
    <form className="card form" data-testid="create-user" onSubmit={submit}>
      <h3>{t("admin.users.new")}</h3>
      <Field label={t("admin.users.username")}><input name="new-username" value={user.username} onChange={set("username")} /></Field>
      <Field label={t("admin.users.name")}><input name="new-name" value={user.display_name} onChange={set("display_name")} /></Field>
      <Field label={t("admin.users.staffId")}><input name="new-staff-id" value={user.staff_id} onChange={set("staff_id")} /></Field>
      <Field label={t("admin.users.password")}><input name="new-password" type="password" autoComplete="new-password" value={user.password} onChange={set("password")} /></Field>
      <Field label={t("role.underwriter")}>{role("underwriter")}</Field>
      <Field label={t("role.reviewer")}>{role("reviewer")}</Field>
      <Field label={t("role.supervisor")}>{role("supervisor")}</Field>
      <Field label={t("role.admin")}>{role("admin")}</Field>
      <Outcome error={action.error} notice={action.notice} />
      <button id="create-user" className="primary" type="submit" disabled={action.busy}>{t("admin.users.create")}</button>
    </form>
  );
}
