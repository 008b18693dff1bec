// The sync badge (online/offline, waiting, last sync, last error, the audit alarm, "Sync
// now") and the conflicts, each shown with both versions side by side. The sync itself
// runs in Rust (a worker thread); the window only asks and listens for its `sync-status`
// event.
import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { AppError, ConflictView, Keep, SyncStatus } from "./bindings";
import { api, asAppError } from "./api";
import { useWords } from "./language";

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function useSyncStatus(enabled: boolean): [SyncStatus | null, () => void] {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const refresh = useCallback(() => {
    api.syncStatus().then(setStatus, () => undefined);
  }, []);
  useEffect(() => {
    if (!enabled) return;
    refresh();
    const poll = setInterval(refresh, 10_000);
    const unlisten = listen("sync-status", refresh);
    return () => {
      clearInterval(poll);
      unlisten.then((f) => f());
    };
  }, [enabled, refresh]);
  return [status, refresh];
}

export function SyncBadge({ status, onConflicts }: { status: SyncStatus | null; onConflicts: () => void }) {
  const { t, dateTime } = useWords();
  const [busy, setBusy] = useState(false);
  if (!status) return null;
  if (!status.configured) {
    return (
      <span className="badge offline" data-testid="sync-badge" title={t("sync.notConnectedTitle")}>
        {t("sync.notConnected")}
      </span>
    );
  }
  const online = status.online === true;
  const title = [
    t("sync.bank", { url: status.bank_url ?? "" }),
    t("sync.lastSuccess", { at: dateTime(status.last_success) }),
    status.last_error ? t("sync.lastError", { at: dateTime(status.last_error_at), error: status.last_error }) : "",
    status.audit_alarm ? t("sync.auditAlarmDetail", { alarm: status.audit_alarm }) : "",
  ]
    .filter(Boolean)
    .join("\n");
  const syncNow = () => {
    setBusy(true);
    api.syncNow().finally(() => setTimeout(() => setBusy(false), 800));
  };
  return (
    <span className="sync" data-testid="sync-badge" title={title}>
      <span className={`badge ${online ? "online" : "offline"}`} data-testid="sync-state">
        {online ? t("sync.online") : t("sync.offline")}
      </span>
      <span data-testid="sync-waiting">{t("sync.waiting", { n: status.waiting })}</span>
      <span className="muted" data-testid="sync-last">{t("sync.last", { at: dateTime(status.last_success) })}</span>
      {status.last_error && !online && (
        <span className="sync-error" data-testid="sync-error">{status.last_error}</span>
      )}
      {status.audit_alarm && (
        <span
          className="sync-error"
          role="alert"
          data-testid="sync-audit-alarm"
          title={t("sync.auditAlarmDetail", { alarm: status.audit_alarm })}
        >
          {t("sync.auditAlarm")}
        </span>
      )}
      {status.conflicts > 0 && (
        <button className="conflicts" id="sync-conflicts" onClick={onConflicts}>
          {t("sync.conflicts", { n: status.conflicts })}
        </button>
      )}
      <button id="sync-now" onClick={syncNow} disabled={busy}>
        {busy ? t("sync.syncing") : t("sync.now")}
      </button>
    </span>
  );
}

export function Conflicts({ onClose, onResolved }: { onClose: () => void; onResolved: () => void }) {
  const { t, dateTime } = useWords();
  const [list, setList] = useState<ConflictView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const load = useCallback(() => {
    api.conflicts().then(setList, (e) => setError(asAppError(e)));
  }, []);
  useEffect(load, [load]);
  const resolve = (id: number, keep: Keep) =>
    api.resolveConflict(id, keep).then(
      () => {
        onResolved();
        load();
      },
      (e) => setError(asAppError(e)),
    );
  return (
    <section className="panel conflicts-panel" role="dialog" aria-labelledby="conflicts-title" data-testid="conflicts">
      <h2 id="conflicts-title">
        {t("conflicts.title")}
        <button className="link" onClick={onClose}>{t("common.close")}</button>
      </h2>
      <p className="muted">
        {t("conflicts.intro")}
      </p>
      {error && (
        <div className="error" role="alert">
          <strong>{error.code}</strong> {error.message}
        </div>
      )}
      {list?.length === 0 && <p>{t("conflicts.none")}</p>}
      {list?.map((c) => (
        <div className="conflict" key={c.id} data-testid={`conflict-${c.case_id}`}>
          <h3>
            {c.case_id} <span className="muted">{t("conflicts.found", { at: dateTime(c.detected_at) })}</span>
          </h3>
          <table>
            <thead>
              <tr>
                <th>{t("conflicts.field")}</th>
                <th>{t("conflicts.local", { v: c.local_version })}</th>
                <th>{t("conflicts.bank", { v: c.bank_version })}</th>
              </tr>
            </thead>
            <tbody>
              {c.differences.map((d) => (
                <tr key={d.field}>
                  <td>{d.field}</td>
                  <td className="local">{show(d.local)}</td>
                  <td className="bank">{show(d.bank)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button id={`keep-local-${c.case_id}`} onClick={() => resolve(c.id, "local")}>{t("conflicts.keepMine")}</button>{" "}
          <button id={`take-bank-${c.case_id}`} onClick={() => resolve(c.id, "bank")}>{t("conflicts.takeBank")}</button>
        </div>
      ))}
    </section>
  );
}
