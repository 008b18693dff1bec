import { useEffect, useState } from "react";
import type { AppError, AppStatus, QueuePage, QueueQuery, SortKey } from "./bindings";
import { api } from "./api";
import { age, money } from "./format";
import { ErrorBanner } from "./App";

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "case_id", label: "Case" },
  { key: "borrower", label: "Borrower" },
  { key: "amount", label: "Amount, UZS" },
  { key: "term", label: "Term" },
  { key: "status", label: "Status" },
  { key: "decision", label: "Engine" },
  { key: "received", label: "Age" },
  { key: "assignee", label: "Assignee" },
];

const PAGE = 50;

export function Queue(props: { status: AppStatus | null; onOpen: (id: string) => void; onImported: () => void }) {
  const [query, setQuery] = useState<QueueQuery>({
    status: null, assignee: null, branch: null, search: null, not_made_by: null,
    sort: "received", descending: true, offset: 0, limit: PAGE,
  });
  const [page, setPage] = useState<QueuePage | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [importPath, setImportPath] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    api.queue(query).then((p) => { setPage(p); setError(null); }, setError);
  }, [query, tick]);

  const sortBy = (key: SortKey) =>
    setQuery((q) => ({ ...q, sort: key, descending: q.sort === key ? !q.descending : key === "received", offset: 0 }));

  const afterImport = (imported: string[]) => {
    setNotice(`Imported ${imported.join(", ")}`);
    setImportPath("");
    setTick((t) => t + 1);
    props.onImported();
  };
  const importTyped = () => {
    const paths = importPath.split("\n").map((s) => s.trim()).filter(Boolean);
    if (paths.length === 0) return;
    api.importFiles(paths).then((r) => afterImport(r.imported), setError);
  };
  const pick = () =>
    api.pickAndImport().then((r) => r && afterImport(r.imported), setError);

  const empty = page && page.total === 0 && !query.search && !query.status;

  return (
    <main className="queue">
      <div className="toolbar">
        <h1>Daily queue</h1>
        <input
          id="queue-search"
          placeholder="Search case id, borrower, PINFL, VIN"
          value={query.search ?? ""}
          onChange={(e) => setQuery((q) => ({ ...q, search: e.target.value || null, offset: 0 }))}
        />
        <select
          id="queue-status"
          value={query.status ?? ""}
          onChange={(e) => setQuery((q) => ({ ...q, status: e.target.value || null, offset: 0 }))}
        >
          <option value="">All statuses</option>
          <option value="draft">draft</option>
          <option value="submitted">submitted</option>
          <option value="approved">approved</option>
          <option value="rejected">rejected</option>
          <option value="returned">returned</option>
        </select>
        {props.status && (
          <label className="small">
            <input
              type="checkbox"
              id="review-inbox"
              checked={query.not_made_by !== null}
              onChange={(e) =>
                setQuery((q) =>
                  e.target.checked
                    ? { ...q, status: "submitted", not_made_by: props.status?.actor ?? null, offset: 0 }
                    : { ...q, status: null, not_made_by: null, offset: 0 },
                )
              }
            />{" "}
            Waiting for my review
          </label>
        )}
        <span className="spacer" />
        <button onClick={pick} id="import-pick">Import case files…</button>
      </div>
      <div className="import-row">
        <input
          id="import-path"
          placeholder="…or type the path of a case file (.json)"
          value={importPath}
          onChange={(e) => setImportPath(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && importTyped()}
        />
        <button id="import-button" onClick={importTyped} disabled={!importPath.trim()}>
          Import
        </button>
      </div>
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {empty ? (
        <div className="empty" data-testid="empty-queue">
          <h2>The queue is empty</h2>
          <p>
            Import case files with <b>Import case files…</b> above, or from a terminal:{" "}
            <code>uw import CASE.json</code>. The core bank's daily queue arrives here with each
            sync once the bank is set (<code>uw sync --url URL --token TOKEN</code>). To try the
            workstation with ready-made cases, start it with <code>--demo</code>.
          </p>
        </div>
      ) : (
        <table className="grid" data-testid="queue">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} onClick={() => sortBy(c.key)} className={query.sort === c.key ? "sorted" : ""}>
                  {c.label}
                  {query.sort === c.key ? (query.descending ? " ▼" : " ▲") : ""}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page?.rows.map((r) => (
              <tr key={r.case_id} data-testid="queue-row" data-case-id={r.case_id} onClick={() => props.onOpen(r.case_id)}>
                <td className="mono">{r.case_id}</td>
                <td>{r.borrower_name}</td>
                <td className="num">{money(r.amount)}</td>
                <td className="num">{r.term_months} mo</td>
                <td><span className={`pill status-${r.status}`}>{r.status}</span></td>
                <td><span className={`pill decision-${r.decision}`}>{r.decision}</span></td>
                <td className="num">{age(r.received_at)}</td>
                <td>{r.assignee ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.total > PAGE && (
        <div className="pager">
          <button disabled={query.offset === 0} onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - PAGE) }))}>
            ‹ Previous
          </button>
          <span>
            {query.offset + 1}–{Math.min(query.offset + PAGE, page.total)} of {page.total}
          </span>
          <button disabled={query.offset + PAGE >= page.total} onClick={() => setQuery((q) => ({ ...q, offset: q.offset + PAGE }))}>
            Next ›
          </button>
        </div>
      )}
    </main>
  );
}
