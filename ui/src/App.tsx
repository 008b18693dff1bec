import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import type { AppError, AppStatus, NewRecoveryKey, Session, SessionStatus, StoreState } from "./bindings";
import { api, SESSION_ENDED } from "./api";
import { BASE_QUERY, Queue, type QueuePosition } from "./Queue";
import type { QueueQuery } from "./bindings";
import { Shortcuts } from "./Shortcuts";
import { Login, PasswordPanel, Setup, TotpPanel, Unlock } from "./Login";
import { Conflicts, SyncBadge, useSyncStatus } from "./Sync";
import { DEFAULT_LANG, isLang, LANGS, type Lang } from "./i18n";
import { RecoveryKeyShown } from "./Recovery";
import { HelpMenu } from "./Help";
import { Working } from "./Working";
import { opened, start, type Opened } from "./start";
import { Language, useWords, wordsFor } from "./language";

// The screens after the queue load when first opened: the start (login, then the queue)
// parses only what it shows.
const CaseScreen = lazy(() => import("./CaseScreen").then((m) => ({ default: m.CaseScreen })));
const WhatIf = lazy(() => import("./WhatIf").then((m) => ({ default: m.WhatIf })));
const Dashboard = lazy(() => import("./Dashboard").then((m) => ({ default: m.Dashboard })));
const Admin = lazy(() => import("./admin/Admin").then((m) => ({ default: m.Admin })));

export function ErrorBanner({ error, onClose }: { error: AppError | null; onClose?: () => void }) {
  const { t } = useWords();
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error">
      <strong>{error.code}</strong> {error.message}
      {onClose && (
        <button className="link" onClick={onClose} aria-label={t("common.dismiss")}>
          ×
        </button>
      )}
    </div>
  );
}

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  // The language: the store's remembered choice once it is open, Uzbek until then. The
  // App gives it to every component below (`Language`) and speaks it itself.
  const [lang, setLang] = useState<Lang>(DEFAULT_LANG);
  const { t, dateTime } = wordsFor(lang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const chooseLanguage = (l: Lang) => {
    setLang(l);
    if (status) api.setLanguage(l).catch(setFatal);
  };
  const [fatal, setFatal] = useState<AppError | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [auth, setAuth] = useState<SessionStatus | null>(null);
  const [totp, setTotp] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);
  // Without an OS keyring the store waits for its passphrase before anything else.
  const [store, setStore] = useState<StoreState | null>(null);
  // A store made at this start shows its recovery key before anything else, once.
  const [newKey, setNewKey] = useState<NewRecoveryKey | null>(null);
  const showOpened = (o: Opened) => {
    setStatus(o.status);
    setAuth(o.auth);
    setNewKey(o.newKey);
  };
  useEffect(() => {
    start.then((s) => {
      setStore(s.store);
      if (s.opened) showOpened(s.opened);
    }, setFatal);
  }, []);
  const unlocked = store !== null && !store.locked;
  useEffect(() => {
    if (status && isLang(status.language)) setLang(status.language);
    else if (!status && store && isLang(store.default_language)) setLang(store.default_language);
    // Keyed on the two languages only: the status and the store change often, these rarely.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status?.language, store?.default_language]);

  const refreshStatus = useCallback(() => {
    api.status().then(setStatus, setFatal);
  }, []);
  // The session locks in Rust after the idle time; the window follows: on the first
  // refused call, and by asking every 30 seconds (asking is not activity).
  // "idle": the session locked after the idle time (said in the language of the moment).
  const [ended, setEnded] = useState<AppError | "idle" | null>(null);
  useEffect(() => {
    const onEnd = (e: Event) => {
      setEnded((e as CustomEvent<AppError>).detail);
      setOpenId(null);
      setAuth((a) => (a ? { ...a, session: null } : a));
    };
    window.addEventListener(SESSION_ENDED, onEnd);
    const poll = setInterval(() => {
      if (!unlocked) return;
      api.sessionStatus().then((st) => {
        setAuth((a) => {
          if (a?.session && !st.session) {
            setOpenId(null);
            setEnded("idle");
          }
          return st;
        });
      }, () => undefined);
    }, 30_000);
    return () => {
      window.removeEventListener(SESSION_ENDED, onEnd);
      clearInterval(poll);
    };
  }, [unlocked]);
  // The status (with its case count) comes after the queue's first page (`onShown`),
  // which must not wait for it; without the queue (a password to change first), at once.
  const loggedIn = (s: Session) => {
    setEnded(null);
    setAuth((a) => (a ? { ...a, needs_setup: false, session: s } : a));
    if (s.must_change_password) refreshStatus();
  };
  const logout = () =>
    api.logout().then(() => {
      // The next person starts from the whole queue (the review inbox is per person).
      setQueueQuery(BASE_QUERY);
      setPosition(null);
      setOpenId(null);
      setAdminOpen(false);
      setAuth((a) => (a ? { ...a, session: null } : a));
      refreshStatus();
    }, setFatal);
  const session = auth?.session ?? null;
  // A password an administrator set is changed before anything else.
  const mustChange = session?.must_change_password === true;
  const passwordChanged = () => api.sessionStatus().then(setAuth, setFatal);
  // The sync's state is the logged-in person's to see: no session, no asking.
  const [sync, refreshSync] = useSyncStatus(unlocked && session !== null && !mustChange);
  const [conflictsOpen, setConflictsOpen] = useState(false);
  const [whatIfOpen, setWhatIfOpen] = useState(false);
  const [dashboardOpen, setDashboardOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [adminOpen, setAdminOpen] = useState(false);
  // Where the open case was in the queue: "next case" follows the same query.
  const [position, setPosition] = useState<QueuePosition | null>(null);
  const [queueQuery, setQueueQuery] = useState<QueueQuery>(BASE_QUERY);
  const openFromQueue = (id: string, at: QueuePosition) => { setPosition(at); setOpenId(id); };
  const nextCase = useCallback(() => {
    if (!position || !openId) return;
    // The case just worked may have left the query (decided, say): then the next one
    // moved up to its place.
    api.queue({ ...position.query, offset: position.index, limit: 2 }).then((rows) => {
      const [here, after] = rows;
      const next = here && here.case_id !== openId ? { row: here, index: position.index } : after ? { row: after, index: position.index + 1 } : null;
      if (next) { setPosition({ ...position, index: next.index }); setOpenId(next.row.case_id); }
    }, setFatal);
  }, [position, openId]);

  return (
    <Language lang={lang}>
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo">✓</span> {t("app.title")}
          <span className="product">{status?.product ?? ""}</span>
        </div>
        <div className="status" data-testid="status">
          <select id="language" aria-label={t("lang.label")} value={lang} onChange={(e) => isLang(e.target.value) && chooseLanguage(e.target.value)}>
            {LANGS.map((l) => <option key={l} value={l}>{t(`lang.${l}`)}</option>)}
          </select>
          {status?.demo && <span className="badge demo">DEMO</span>}
          <SyncBadge status={sync} onConflicts={() => setConflictsOpen(true)} />
          <span data-testid="case-count">{status && session ? t("app.cases", { n: status.case_count }) : ""}</span>
          {session && (
            <>
              <span data-testid="user" title={[session.underwriter && t("role.underwriter"), session.reviewer && t("role.reviewer"), session.supervisor && t("role.supervisor"), session.admin && t("role.admin")].filter(Boolean).join(", ")}>
                {session.display_name}
              </span>
              <span className={`badge mode-${session.mode}`} data-testid="login-mode-badge" title={session.signing_key === "waiting" ? t("mode.keyWaiting") : undefined}>
                {session.mode === "offline" ? t("mode.offline", { until: dateTime(session.offline_until) }) : t(`mode.${session.mode}`)}
                {session.signing_key === "waiting" ? " ⚠" : ""}
              </span>
              {!mustChange && (
                <>
                  {session.admin && <button id="admin-open" onClick={() => { setOpenId(null); setAdminOpen(true); }}>{t("app.admin")}</button>}
                  <button id="dashboard-open" onClick={() => { setOpenId(null); setDashboardOpen(true); }}>{t("app.dashboard")}</button>
                  <button id="what-if-open" onClick={() => setWhatIfOpen(true)}>{t("app.whatIf")}</button>
                  {session.mode === "standalone" && <button id="totp-open" onClick={() => setTotp(true)}>{t("app.secondFactor")}</button>}
                  {session.mode !== "offline" && <button id="password-open" onClick={() => setPasswordOpen(true)}>{t("app.password")}</button>}
                </>
              )}
              <button id="logout" onClick={logout}>{t("app.logout")}</button>
            </>
          )}
          {session && <HelpMenu />}
        </div>
      </header>
      <Working />
      <ErrorBanner error={fatal} />
      {!fatal && store?.locked && <Unlock newStore={store.new_store} onUnlocked={() => { setStore({ ...store, locked: false }); opened().then(showOpened, setFatal); }} />}
      {!fatal && newKey && <RecoveryKeyShown shown={newKey} onStored={() => setNewKey(null)} />}
      {!fatal && !newKey && auth?.needs_setup && <Setup onSession={loggedIn} />}
      {!fatal && !newKey && auth && !auth.needs_setup && !session && (
        <>
          {ended && <div className="notice" data-testid="session-ended">{ended === "idle" ? t("app.sessionLocked") : ended.message}</div>}
          <Login status={auth} onSession={loggedIn} />
        </>
      )}
      {totp && session && <TotpPanel onClose={() => setTotp(false)} />}
      {passwordOpen && session && !mustChange && <PasswordPanel standalone={session.mode === "standalone"} onClose={() => setPasswordOpen(false)} />}
      {!fatal && mustChange && <PasswordPanel standalone required onClose={logout} onChanged={passwordChanged} />}
      {!fatal && session && conflictsOpen && (
        <Conflicts
          onClose={() => setConflictsOpen(false)}
          onResolved={() => { refreshSync(); refreshStatus(); }}
        />
      )}
      {session && shortcutsOpen && <Shortcuts onClose={() => setShortcutsOpen(false)} />}
      <Suspense fallback={null}>
      {!fatal && session && whatIfOpen && (
        <WhatIf onClose={() => setWhatIfOpen(false)} onOpen={(id) => { setWhatIfOpen(false); setDashboardOpen(false); setPosition(null); setOpenId(id); }} />
      )}
      </Suspense>
      <Suspense fallback={null}>
      {!fatal && session && !mustChange &&
        (adminOpen && session.admin && !openId ? (
          <Admin me={session.username} onBack={() => setAdminOpen(false)} onLanguage={(l) => { setLang(l); refreshStatus(); }} />
        ) : dashboardOpen && !openId ? (
          <Dashboard onBack={() => setDashboardOpen(false)} />
        ) : openId ? (
          <CaseScreen
            key={openId}
            caseId={openId}
            onBack={() => setOpenId(null)}
            onNext={position ? nextCase : null}
            onShortcuts={() => setShortcutsOpen(true)}
          />
        ) : (
          <Queue
            query={queueQuery}
            setQuery={setQueueQuery}
            selected={position?.index ?? 0}
            status={status}
            onOpen={openFromQueue} onImported={refreshStatus} onShortcuts={() => setShortcutsOpen(true)}
            onShown={refreshStatus} />
        ))}
      </Suspense>
    </div>
    </Language>
  );
}
