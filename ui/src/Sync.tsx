// The sync badge (online/offline, waiting, last sync, last error, "Sync now") and the
// conflicts, each shown with both versions side by side. The sync itself runs in Rust
// (a worker thread); the window only asks and listens for its `sync-status` event.
import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { AppError, ConflictView, Keep, SyncStatus } from "./bindings";
import { api, asAppError } from "./api";

function time(at: string | null): string {
  if (!at) return "never";
  const d = new Date(at);
  return isNaN(d.getTime()) ? at : d.toLocaleString();
}

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
  const [busy, setBusy] = useState(false);
  if (!status) return null;
  if (!status.configured) {
    return (
      <span className="badge offline" data-testid="sync-badge" title="No core-bank address is set: the work stays here">
        offline · not connected
      </span>
    );
  }
  const online = status.online === true;
  const title = [
    `Core bank: ${status.bank_url ?? ""}`,
    `Last successful sync: ${time(status.last_success)}`,
    status.last_error ? `Last error (${time(status.last_error_at)}): ${status.last_error}` : "",
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
        {online ? "online" : "offline"}
      </span>
      <span data-testid="sync-waiting">{status.waiting} waiting</span>
      <span className="muted" data-testid="sync-last">last sync {time(status.last_success)}</span>
      {status.last_error && !online && (
        <span className="sync-error" data-testid="sync-error">{status.last_error}</span>
      )}
      {status.conflicts > 0 && (
        <button className="conflicts" id="sync-conflicts" onClick={onConflicts}>
          {status.conflicts} conflict{status.conflicts === 1 ? "" : "s"}
        </button>
      )}
      <button id="sync-now" onClick={syncNow} disabled={busy}>
        {busy ? "Syncing…" : "Sync now"}
      </button>
    </span>
  );
}

export function Conflicts({ onClose, onResolved }: { onClose: () => void; onResolved: () => void }) {
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
    <section className="panel conflicts-panel" data-testid="conflicts">
      <h2>
        Changed here and at the core bank
        <button className="link" onClick={onClose}>Close</button>
      </h2>
      <p className="muted">
        Both versions are kept whatever you choose. Keeping yours sends it over the bank's;
        taking the bank's makes it the next version here and drops your unsent changes.
      </p>
      {error && (
        <div className="error" role="alert">
          <strong>{error.code}</strong> {error.message}
        </div>
      )}
      {list?.length === 0 && <p>No conflicts.</p>}
      {list?.map((c) => (
        <div className="conflict" key={c.id} data-testid={`conflict-${c.case_id}`}>
          <h3>
            {c.case_id} <span className="muted">found {time(c.detected_at)}</span>
          </h3>
          <table>
            <thead>
              <tr>
                <th>Field</th>
                <th>This workstation (version {c.local_version})</th>
                <th>Core bank (version {c.bank_version})</th>
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
          <button id={`keep-local-${c.case_id}`} onClick={() => resolve(c.id, "local")}>Keep mine</button>{" "}
          <button id={`take-bank-${c.case_id}`} onClick={() => resolve(c.id, "bank")}>Take the bank's</button>
        </div>
      ))}
    </section>
  );
}
