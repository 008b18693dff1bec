// The first-start setup (creates the administrator) and the login screen. Passwords go
// to Rust, which hashes them (Argon2id); nothing about them is kept here.
import { useState } from "react";
import type { AppError, Session, SessionStatus, TotpSetup } from "./bindings";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { RecoveryUnlock } from "./Recovery";
import { useWords } from "./language";

export function Login({ status, onSession }: { status: SessionStatus; onSession: (s: Session) => void }) {
  const { t } = useWords();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    api
      .login(username, password, code)
      .then(onSession, (err: AppError) => {
        if (err.code === "TOTP_REQUIRED") {
          setCode(""); // the password was right: ask for the code, keep the password
          setError(null);
        } else {
          setError(err);
          setPassword("");
          setCode(code === null ? null : "");
        }
      })
      .finally(() => setBusy(false));
  };
  return (
    <main className="login">
      <form className="card" onSubmit={submit} data-testid="login">
        <h3>{t("login.title")}</h3>
        <p className="small muted" data-testid="login-mode">
          {status.mode === "directory" ? t("login.modeDirectory", { url: status.directory ?? "" }) : t("login.modeStandalone")}
        </p>
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the screen's one form: its first field takes the keyboard */}
        <label className="field"><span>{t("login.user")}</span><input name="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} /></label>
        <label className="field"><span>{t("login.password")}</span><input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        {code !== null && (
          // eslint-disable-next-line jsx-a11y/no-autofocus -- the code asked for after the password takes the keyboard
          <label className="field"><span>{t("login.code")}</span><input name="totp-code" inputMode="numeric" autoFocus value={code} onChange={(e) => setCode(e.target.value)} /></label>
        )}
        <ErrorBanner error={error} />
        <button id="login-button" className="primary" type="submit" disabled={busy || !username || !password}>{t("login.button")}</button>
        {status.demo && (
          <p className="small muted">
            {t("login.demo")}
            <span className="mono"> &lt;name&gt;-demo-2026</span>.
          </p>
        )}
      </form>
    </main>
  );
}

export function Setup({ onSession }: { onSession: (s: Session) => void }) {
  const { t } = useWords();
  const [user, setUser] = useState({ username: "", display_name: "", password: "", repeat: "" });
  const [roles, setRoles] = useState({ underwriter: true, reviewer: false });
  const [error, setError] = useState<AppError | null>(null);
  const set = (k: keyof typeof user) => (e: React.ChangeEvent<HTMLInputElement>) => setUser({ ...user, [k]: e.target.value });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (user.password !== user.repeat) {
      setError({ code: "INVALID_INPUT", message: t("setup.differ") });
      return;
    }
    api
      .setupAdmin({ username: user.username, display_name: user.display_name, password: user.password, admin: true, ...roles })
      .then(onSession, setError);
  };
  return (
    <main className="login">
      <form className="card" onSubmit={submit} data-testid="setup">
        <h3>{t("setup.title")}</h3>
        <p className="small muted">{t("setup.intro")}</p>
        <label className="field"><span>{t("login.user")}</span><input name="setup-username" value={user.username} onChange={set("username")} /></label>
        <label className="field"><span>{t("setup.name")}</span><input name="setup-name" value={user.display_name} onChange={set("display_name")} /></label>
        <label className="field"><span>{t("setup.password")}</span><input name="setup-password" type="password" value={user.password} onChange={set("password")} /></label>
        <label className="field"><span>{t("setup.repeat")}</span><input name="setup-repeat" type="password" value={user.repeat} onChange={set("repeat")} /></label>
        <label className="field"><span>{t("setup.underwriter")}</span><input type="checkbox" checked={roles.underwriter} onChange={(e) => setRoles({ ...roles, underwriter: e.target.checked })} /></label>
        <label className="field"><span>{t("setup.reviewer")}</span><input type="checkbox" checked={roles.reviewer} onChange={(e) => setRoles({ ...roles, reviewer: e.target.checked })} /></label>
        <ErrorBanner error={error} />
        <button id="setup-button" className="primary" type="submit">{t("setup.button")}</button>
      </form>
    </main>
  );
}

/** Sets up the current user's second factor: the secret is shown once, a code confirms it. */
export function TotpPanel({ onClose }: { onClose: () => void }) {
  const { t } = useWords();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState(false);
  // The owner proves it first: the password, and the current code where a factor is set
  // (asked for once the service says so).
  const [password, setPassword] = useState("");
  const [current, setCurrent] = useState<string | null>(null);
  const begin = (e: React.FormEvent) => {
    e.preventDefault();
    api.beginTotp(password, current).then(
      (s) => { setSetup(s); setError(null); setPassword(""); },
      (err: AppError) => {
        if (err.code === "TOTP_REQUIRED" && current === null) setCurrent("");
        setError(err);
      },
    );
  };
  return (
    <div className="card totp" data-testid="totp">
      <h3>{t("totp.title")}</h3>
      {!setup && !done && (
        <form onSubmit={begin}>
          <p className="small">{t("totp.owner")}</p>
          <label>
            {t("login.password")}
            <input name="totp-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          {current !== null && (
            <label>
              {t("login.code")}
              <input name="totp-current" inputMode="numeric" autoComplete="one-time-code" value={current} onChange={(e) => setCurrent(e.target.value)} />
            </label>
          )}
          <button id="totp-begin" type="submit" disabled={password === ""}>{t("totp.create")}</button>
        </form>
      )}
      {setup && !done && (
        <>
          <p className="small">{t("totp.intro")}</p>
          <p className="mono" data-testid="totp-secret">{setup.secret}</p>
          <p className="mono small muted">{setup.uri}</p>
          <div className="import-row">
            <input name="totp-confirm" inputMode="numeric" aria-label={t("login.code")} value={code} onChange={(e) => setCode(e.target.value)} />
            <button id="totp-confirm-button" className="primary" disabled={code.trim().length !== 6} onClick={() => api.confirmTotp(code).then(() => setDone(true), setError)}>{t("totp.confirm")}</button>
          </div>
        </>
      )}
      {done && <p className="notice">{t("totp.done")}</p>}
      <ErrorBanner error={error} />
      <button onClick={onClose}>{t("common.close")}</button>
    </div>
  );
}

/** The person's password, changed here: a local account's (`required` when an administrator
 * set it: nothing else until it is changed), or a directory person's, whose signing key is
 * re-wrapped with it. */
export function PasswordPanel({ onClose, standalone = false, required = false, onChanged }: { onClose: () => void; standalone?: boolean; required?: boolean; onChanged?: () => void }) {
  const { t } = useWords();
  const [old, setOld] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setError({ code: "INVALID_INPUT", message: t("password.differ") });
      return;
    }
    setBusy(true);
    api
      .changePassword(old, next)
      .then(() => { setDone(true); setError(null); setOld(""); setNext(""); setRepeat(""); onChanged?.(); }, setError)
      .finally(() => setBusy(false));
  };
  return (
    <form className="card totp" data-testid={required ? "password-required" : "password"} onSubmit={submit}>
      <h3>{required ? t("password.requiredTitle") : t("password.title")}</h3>
      <p className="small muted">{required ? t("password.requiredIntro") : standalone ? t("password.localIntro") : t("password.intro")}</p>
      <label className="field"><span>{t("password.old")}</span><input name="password-old" type="password" value={old} onChange={(e) => setOld(e.target.value)} /></label>
      <label className="field"><span>{t("password.new")}</span><input name="password-new" type="password" value={next} onChange={(e) => setNext(e.target.value)} /></label>
      <label className="field"><span>{t("password.repeat")}</span><input name="password-repeat" type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} /></label>
      <ErrorBanner error={error} />
      {done && <p className="notice">{t("password.done")}</p>}
      <div className="import-row">
        <button id="password-change" className="primary" type="submit" disabled={busy || !old || !next}>{t("password.change")}</button>
        <button type="button" id={required ? "password-logout" : undefined} onClick={onClose}>{required ? t("app.logout") : t("common.close")}</button>
      </div>
    </form>
  );
}

/** The case store's passphrase, asked where no OS keyring keeps its key. */
export function Unlock({ newStore, onUnlocked }: { newStore: boolean; onUnlocked: () => void }) {
  const { t } = useWords();
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  // An existing store whose key the keyring lost opens with its recovery key.
  const [recovery, setRecovery] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (newStore && passphrase !== repeat) {
      setError({ code: "INVALID_INPUT", message: t("unlock.differ") });
      return;
    }
    setBusy(true);
    api
      .unlockStore(passphrase)
      .then(onUnlocked, (err) => {
        setError(err);
        setPassphrase("");
      })
      .finally(() => setBusy(false));
  };
  if (recovery) return <RecoveryUnlock onUnlocked={onUnlocked} onBack={() => setRecovery(false)} />;
  return (
    <main className="login">
      <form className="card" onSubmit={submit} data-testid="unlock">
        <h3>{newStore ? t("unlock.newTitle") : t("unlock.title")}</h3>
        <p className="small muted">
          {t("unlock.intro")}{newStore ? ` ${t("unlock.newNote")}` : ""}
        </p>
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the screen's one form: its first field takes the keyboard */}
        <label className="field"><span>{t("unlock.passphrase")}</span><input name="store-passphrase" type="password" autoFocus value={passphrase} onChange={(e) => setPassphrase(e.target.value)} /></label>
        {newStore && (
          <label className="field"><span>{t("unlock.repeat")}</span><input name="store-passphrase-repeat" type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} /></label>
        )}
        <ErrorBanner error={error} />
        <button id="unlock-button" className="primary" type="submit" disabled={busy || !passphrase}>
          {newStore ? t("unlock.create") : t("unlock.button")}
        </button>
        {!newStore && <button id="recovery-use" type="button" onClick={() => setRecovery(true)}>{t("recovery.use")}</button>}
      </form>
    </main>
  );
}
