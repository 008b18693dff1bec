// Users: the table of local accounts, the form that creates one, and the actions on the
// chosen one. With the bank's directory, people are the directory's: nothing to do here.
import { useCallback, useEffect, useState } from "react";
import type { AppError, UserView } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { CreateUser } from "./CreateUser";
import { UserActions } from "./UserActions";
import { useWords, type Words } from "../language";

function roles(u: UserView, t: Words["t"]): string {
  return [u.underwriter && t("role.underwriter"), u.reviewer && t("role.reviewer"), u.supervisor && t("role.supervisor"), u.admin && t("role.admin")].filter(Boolean).join(", ");
}

function state(u: UserView, { t, dateTime }: Pick<Words, "t" | "dateTime">): string {
  const parts = [
    u.deactivated_at ? t("admin.users.deactivated", { at: dateTime(u.deactivated_at) }) : t("admin.users.active"),
    u.locked_until && t("admin.users.lockedUntil", { at: dateTime(u.locked_until) }),
    u.must_change_password && t("admin.users.mustChange"),
    u.second_factor && t("admin.users.secondFactor"),
  ];
  return parts.filter(Boolean).join(" · ");
}

export function Users({ me, directory }: { me: string; directory: boolean }) {
  const { t, dateTime } = useWords();
  const [users, setUsers] = useState<UserView[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const reload = useCallback(() => {
    if (!directory) api.adminUsers().then(setUsers, setError);
  }, [directory]);
  useEffect(reload, [reload]);
  if (directory) return <p className="not-yet" data-testid="users-directory">{t("admin.users.directoryMode")}</p>;
  const user = users.find((u) => u.username === chosen) ?? null;
  return (
    <div className="cards">
      <div className="card wide">
        <ErrorBanner error={error} />
        <table className="grid" data-testid="users">
          <thead>
            <tr>
              <th>{t("admin.users.username")}</th><th>{t("admin.users.name")}</th><th>{t("admin.users.staffId")}</th>
              <th>{t("admin.users.roles")}</th><th>{t("admin.users.state")}</th><th>{t("admin.users.lastLogin")}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} data-testid="user-row" data-user={u.username} className={u.username === chosen ? "selected" : ""} onClick={() => setChosen(u.username)}>
                <td className="mono">{u.username} {u.username === me ? t("admin.users.you") : ""}</td>
                <td>{u.display_name}</td>
                <td className="mono">{u.staff_id}</td>
                <td>{roles(u, t)}</td>
                <td className={u.deactivated_at || u.locked_until ? "bad" : ""}>{state(u, { t, dateTime })}</td>
                <td>{dateTime(u.last_login_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {user ? <UserActions key={user.username} user={user} me={me} onChanged={reload} /> : <p className="muted">{t("admin.users.pick")}</p>}
      <CreateUser onCreated={reload} />
    </div>
  );
}
