import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { AppError, AppStatus, ImportReport, QueueQuery, QueueRow, SortKey } from "./bindings";
import { api } from "./api";
import { type Key } from "./i18n";
import { ErrorBanner } from "./App";
import { typing } from "./keys";
import { pagesFor, PAGE_SIZE, ROW_HEIGHT, scrollToShow, slaState, visibleRange } from "./virtual";
import { useWords } from "./language";

const COLUMNS: { key: SortKey; label: Key }[] = [
  { key: "case_id", label: "queue.col.case" },
  { key: "borrower", label: "queue.col.borrower" },
  { key: "amount", label: "queue.col.amount" },
  { key: "term", label: "queue.col.term" },
  { key: "status", label: "queue.col.status" },
  { key: "decision", label: "queue.col.engine" },
  { key: "received", label: "queue.col.received" },
  { key: "assignee", label: "queue.col.assignee" },
];

/** Where an opened case sits in the queue, so that "next case" can follow it. */
export type QueuePosition = { query: QueueQuery; index: number };

export const BASE_QUERY: QueueQuery = {
  status: null, assignee: null, branch: null, search: null, not_made_by: null, inbox_of: null,
  sort: "received", descending: true, offset: 0, limit: PAGE_SIZE,
};

// The query lives in the App, so that coming back from a case finds the queue as it was
// left (search, filter, sort and the selected row).
export function Queue(props: {
  query: QueueQuery;
  setQuery: (f: (q: QueueQuery) => QueueQuery) => void;
  selected: number;
  status: AppStatus | null;
  onOpen: (id: string, at: QueuePosition) => void;
  onImported: () => void;
  onShortcuts: () => void;
  /** The first page is on screen: what was put off for it (the top bar's count) may come. */
  onShown?: () => void;
}) {
  const { t, money, dateTime, age, statusText, decisionText } = useWords();
  const { query, setQuery } = props;
  // Rows by index, filled a page at a time; `gen` drops answers to an older query. The
  // count comes after the first page is on screen (it walks an index; a page does not):
  // until then the list is as long as the rows known.
  const cache = useRef<Map<number, QueueRow>>(new Map());
  const asked = useRef<Set<number>>(new Set());
  const gen = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [known, setKnown] = useState(0);
  const [shown, setShown] = useState(0);
  const announced = useRef(false);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [sel, setSel] = useState(props.selected);
  const firstLoad = useRef(true);
  const [error, setError] = useState<AppError | null>(null);
  const [importPath, setImportPath] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(() => new Date());
  const scroller = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);

  // The SLA timers move every half minute.
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);

  const fetchPage = useCallback((page: number, g: number) => {
    if (asked.current.has(page)) return;
    asked.current.add(page);
    api.queue({ ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((rows) => {
      if (g !== gen.current) return;
      rows.forEach((r, i) => cache.current.set(page * PAGE_SIZE + i, r));
      // A short page is the last one: the count is known without asking.
      if (rows.length < PAGE_SIZE && (rows.length > 0 || page === 0)) setTotal(page * PAGE_SIZE + rows.length);
      setKnown((n) => Math.max(n, page * PAGE_SIZE + rows.length));
      setShown(g);
      setError(null);
    }, (e) => { asked.current.delete(page); setError(e); });
  }, [query]);

  // Once the query's first page is painted: its count, and (once) the top bar's.
  useEffect(() => {
    if (shown === 0 || shown !== gen.current) return;
    const frame = requestAnimationFrame(() => {
      if (total === null) {
        api.queueTotal(query).then((n) => { if (shown === gen.current) setTotal(n); }, setError);
      }
      if (!announced.current) {
        announced.current = true;
        props.onShown?.();
      }
    });
    return () => cancelAnimationFrame(frame);
    // Once per page shown: the query, the count and the callback as they are then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);

  // A new query (or an import) starts from the top with an empty cache.
  useEffect(() => {
    gen.current += 1;
    cache.current = new Map();
    asked.current = new Set();
    setTotal(null);
    setKnown(0);
    // Back from a case: the row that was open stays selected and in view.
    const keep = firstLoad.current ? props.selected : 0;
    firstLoad.current = false;
    setSel(keep);
    const top = Math.max(0, keep * ROW_HEIGHT - 3 * ROW_HEIGHT);
    setScrollTop(top);
    if (scroller.current) scroller.current.scrollTop = top;
    fetchPage(Math.floor(keep / PAGE_SIZE), gen.current);
    // The selection is read on the first load only: a later one must not reset the queue.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetchPage, tick]);

  // The list's frame exists once the count is known: measured again then.
  const counting = total === null;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight || 600);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [counting]);

  const count = total ?? known;
  const { first, last } = visibleRange(scrollTop, viewport, count);
  useEffect(() => {
    pagesFor(first, last).forEach((p) => fetchPage(p, gen.current));
  }, [first, last, fetchPage]);

  const open = useCallback((index: number) => {
    const row = cache.current.get(index);
    if (row) props.onOpen(row.case_id, { query, index });
  }, [props, query]);

  const select = useCallback((index: number) => {
    const i = Math.max(0, Math.min(count - 1, index));
    setSel(i);
    const el = scroller.current;
    if (el) {
      const top = scrollToShow(i, el.scrollTop, el.clientHeight);
      if (top !== el.scrollTop) { el.scrollTop = top; setScrollTop(top); }
    }
  }, [count]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      if (typing(e)) {
        if (e.key === "Escape") (e.target as HTMLElement).blur();
        return;
      }
      const screen = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
      const moves: Record<string, () => void> = {
        ArrowDown: () => select(sel + 1), j: () => select(sel + 1),
        ArrowUp: () => select(sel - 1), k: () => select(sel - 1),
        PageDown: () => select(sel + screen), PageUp: () => select(sel - screen),
        Home: () => select(0), End: () => select(count - 1),
        Enter: () => open(sel), o: () => open(sel),
        "/": () => search.current?.focus(),
        "?": props.onShortcuts,
      };
      const act = moves[e.key];
      if (act) { e.preventDefault(); act(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [sel, count, viewport, select, open, props.onShortcuts]);

  const sortBy = (key: SortKey) =>
    setQuery((q) => ({ ...q, sort: key, descending: q.sort === key ? !q.descending : key === "received" }));

  const afterImport = (r: ImportReport) => {
    const dropped = r.dropped.length > 0 ? " " + t("queue.importDropped", { paths: r.dropped.join("; ") }) : "";
    setNotice(t("queue.imported", { ids: r.imported.join(", ") }) + dropped);
    setImportPath("");
    setTick((t) => t + 1);
    props.onImported();
  };
  const importTyped = () => {
    const paths = importPath.split("\n").map((s) => s.trim()).filter(Boolean);
    if (paths.length === 0) return;
    api.importFiles(paths).then(afterImport, setError);
  };
  const pick = () =>
    api.pickAndImport().then((r) => r && afterImport(r), setError);

  const empty = total === 0 && !query.search && !query.status;
  const rows: { index: number; row: QueueRow | undefined }[] = [];
  for (let i = first; i < last; i++) rows.push({ index: i, row: cache.current.get(i) });

  return (
    <main className="queue">
      <div className="toolbar">
        <h1>{t("queue.title")}</h1>
        <input
          id="queue-search"
          ref={search}
          aria-label={t("queue.search")}
          placeholder={t("queue.search")}
          value={query.search ?? ""}
          onChange={(e) => setQuery((q) => ({ ...q, search: e.target.value || null }))}
          onKeyDown={(e) => { if (e.key === "Enter" || e.key === "ArrowDown") { e.preventDefault(); e.currentTarget.blur(); } }}
        />
        <select
          id="queue-status"
          value={query.status ?? ""}
          onChange={(e) => setQuery((q) => ({ ...q, status: e.target.value || null }))}
        >
          <option value="">{t("queue.allStatuses")}</option>
          {(["draft", "submitted", "approved", "rejected", "returned"] as const).map((s) => (
            <option key={s} value={s}>{t(`status.${s}`)}</option>
          ))}
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
                    ? { ...q, status: "submitted", not_made_by: props.status?.actor ?? null }
                    : { ...q, status: null, not_made_by: null },
                )
              }
            />{" "}
            {t("queue.myReview")}
          </label>
        )}
        {props.status && (
          <label className="small">
            <input
              type="checkbox"
              id="my-cases"
              checked={query.assignee !== null && query.assignee === props.status.actor}
              onChange={(e) =>
                setQuery((q) => ({ ...q, assignee: e.target.checked ? (props.status?.actor ?? null) : null }))
              }
            />{" "}
            {t("queue.myCases")}
          </label>
        )}
        <input
          id="queue-branch"
          className="short"
          placeholder={t("queue.branch")}
          value={query.branch ?? ""}
          onChange={(e) => setQuery((q) => ({ ...q, branch: e.target.value.trim() || null }))}
        />
        <span className="muted" data-testid="queue-total">{total === null ? "" : t("queue.total", { n: total })}</span>
        <span className="spacer" />
        <button id="shortcuts-open" onClick={props.onShortcuts} title={t("queue.shortcutsTitle")}>{t("queue.shortcuts")}</button>
        <button
          id="queue-xlsx"
          onClick={() =>
            api.exportQueueXlsx(query).then(
              (x) => x && setNotice(t("export.done", { n: x.rows, path: x.path })),
              setError,
            )
          }
        >
          {t("export.xlsx")}
        </button>
        <button onClick={pick} id="import-pick">{t("queue.import")}</button>
      </div>
      <div className="import-row">
        <input
          id="import-path"
          placeholder={t("queue.importPath")}
          value={importPath}
          onChange={(e) => setImportPath(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && importTyped()}
        />
        <button id="import-button" onClick={importTyped} disabled={!importPath.trim()}>
          {t("queue.importButton")}
        </button>
      </div>
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {empty ? (
        <div className="empty" data-testid="empty-queue">
          <h2>{t("queue.empty.title")}</h2>
          <p>
            {t("queue.empty.1")} <b>{t("queue.import")}</b> {t("queue.empty.2")}{" "}
            <code>uw import CASE.json</code>. {t("queue.empty.3")} (<code>uw sync --url URL --token-file FILE</code>).{" "}
            {t("queue.empty.4")} <code>--demo</code>.
          </p>
        </div>
      ) : (
        <div className="queue-scroll" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <table className="grid virtual" data-testid="queue">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    className={query.sort === c.key ? "sorted" : ""}
                    aria-sort={query.sort === c.key ? (query.descending ? "descending" : "ascending") : "none"}
                  >
                    {/* A button: the sort is reached and pressed from the keyboard too. */}
                    <button type="button" className="th-sort" onClick={() => sortBy(c.key)}>
                      {t(c.label)}
                      {query.sort === c.key ? (query.descending ? " ▼" : " ▲") : ""}
                    </button>
                  </th>
                ))}
                <th>{t("queue.col.sla")}</th>
              </tr>
            </thead>
            <tbody>
              {first > 0 && <tr className="spacer-row" style={{ height: first * ROW_HEIGHT }} />}
              {rows.map(({ index, row: r }) => {
                if (!r) return <tr key={`i${index}`} className="loading-row" style={{ height: ROW_HEIGHT }}><td colSpan={COLUMNS.length + 1}>…</td></tr>;
                const sla = slaState(r, now);
                return (
                  <tr
                    key={r.case_id}
                    data-testid="queue-row"
                    data-case-id={r.case_id}
                    data-index={index}
                    data-sla={sla ?? ""}
                    aria-selected={index === sel}
                    className={`${index === sel ? "selected" : ""} ${sla === "overdue" ? "overdue" : ""}`}
                    style={{ height: ROW_HEIGHT }}
                    onClick={() => { setSel(index); open(index); }}
                  >
                    <td className="mono">{r.case_id}</td>
                    <td>{r.borrower_name}</td>
                    <td className="num">{money(r.amount)}</td>
                    <td className="num">{t("unit.months", { n: Number(r.term_months) })}</td>
                    <td>
                      <span className={`pill status-${r.status}`}>{statusText(r.status)}</span>
                      <ConditionsBadge row={r} now={now} />
                    </td>
                    <td><span className={`pill decision-${r.decision}`}>{decisionText(r.decision)}</span></td>
                    <td className="num">{age(r.received_at, now)}</td>
                    <td>{r.assignee ?? "—"}</td>
                    <td className={`sla sla-${sla ?? "none"}`} title={r.due_at ? t("queue.due", { at: dateTime(r.due_at) }) : t("queue.decided")}>
                      {sla === null ? "—" : `${age(r.assigned_at ?? r.received_at, now)}${sla === "overdue" ? ` · ${t("queue.overdue")}` : sla === "due_soon" ? ` · ${t("queue.dueSoon")}` : ""}`}
                    </td>
                  </tr>
                );
              })}
              {last < count && <tr className="spacer-row" style={{ height: (count - last) * ROW_HEIGHT }} />}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** The case's open conditions of the approval (beyond §6): how many, the first due date;
 * past it, the badge says overdue. */
function ConditionsBadge({ row, now }: { row: QueueRow; now: Date }) {
  const { t } = useWords();
  const n = Number(row.open_conditions);
  if (n === 0 || !row.conditions_due) return null;
  // The bank's business day: Tashkent is UTC+5 all year (as the service counts it).
  const today = new Date(now.getTime() + 5 * 3600_000).toISOString().slice(0, 10);
  const overdue = row.conditions_due < today;
  return (
    <span
      className={`pill conditions-badge ${overdue ? "overdue" : ""}`}
      data-testid="conditions-badge"
      data-overdue={overdue ? "1" : undefined}
      title={t("queue.conditions", { n, due: row.conditions_due })}
      aria-label={t("queue.conditions", { n, due: row.conditions_due })}
    >
      ⚑ {n}{overdue ? ` · ${t("conditions.state.overdue")}` : ""}
    </span>
  );
}
