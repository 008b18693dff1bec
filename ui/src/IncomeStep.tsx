// The income step's statements: attach files (picker, typed path, or dropped on the window),
// the month × source table with its chart, the flags that jump to their transaction, and
// reclassification with a note. Every figure comes from Rust (uw-app); nothing is computed
// here but pixel heights.
import { useEffect, useRef, useState } from "react";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type {
  AppError,
  CaseView,
  ClassifiedTransaction,
  Flag,
  IncomeKind,
  IncomeView,
  ReadProgress,
  StatementSource,
} from "./bindings";
import { api } from "./api";
import { money } from "./format";
import { ErrorBanner } from "./App";
import { partyAt } from "./drop";

const KINDS: IncomeKind[] = [
  "salary",
  "pension",
  "pension_contributions",
  "account_inflow",
  "passive",
  "entrepreneur_receipts",
];

const KIND_COLOUR: Record<IncomeKind, string> = {
  salary: "#0e5c63",
  pension: "#4f7cac",
  pension_contributions: "#7a9cc6",
  account_inflow: "#e8b42c",
  passive: "#8a6bb5",
  entrepreneur_receipts: "#c4622d",
};

type Target = { party: number; el: HTMLElement | null };

export function Statements({
  view,
  dirty,
  onCaseChanged,
}: {
  view: CaseView;
  dirty: boolean;
  onCaseChanged: (v: CaseView) => void;
}) {
  const targets = useRef<Target[]>([]);
  const [dropped, setDropped] = useState<{ party: number; paths: string[]; n: number } | null>(null);
  const [dropReady, setDropReady] = useState(false);

  // Files dropped on the window arrive as paths (Rust reads them); the panel under the
  // pointer takes them.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let n = 0;
    getCurrentWebview()
      .onDragDropEvent((e) => {
        if (e.payload.type !== "drop") return;
        const panels = targets.current.map((t) => ({ party: t.party, rect: t.el?.getBoundingClientRect() ?? null }));
        const party = partyAt(panels, e.payload.position.x, e.payload.position.y, window.devicePixelRatio);
        if (party !== null) setDropped({ party, paths: e.payload.paths, n: ++n });
      })
      .then(
        (f) => {
          unlisten = f;
          setDropReady(true);
        },
        () => setDropReady(false),
      );
    return () => unlisten?.();
  }, []);

  targets.current = view.case.parties.map((_, party) => targets.current[party] ?? { party, el: null });
  return (
    <>
      {view.case.parties.map((p, party) => (
        <div
          className="card wide statements"
          key={party}
          data-testid={`statements-${party}`}
          data-drop-ready={dropReady}
          ref={(el) => {
            targets.current[party] = { party, el };
          }}
        >
          <h3>Statements — {p.full_name}</h3>
          <PartyStatements
            caseId={view.case_id}
            version={view.version}
            party={party}
            dirty={dirty}
            dropped={dropped?.party === party ? dropped : null}
            onCaseChanged={onCaseChanged}
          />
        </div>
      ))}
    </>
  );
}

function PartyStatements(props: {
  caseId: string;
  version: number;
  party: number;
  dirty: boolean;
  dropped: { paths: string[]; n: number } | null;
  onCaseChanged: (v: CaseView) => void;
}) {
  const { caseId, party } = props;
  const [income, setIncome] = useState<IncomeView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [progress, setProgress] = useState<ReadProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [path, setPath] = useState("");
  const [selected, setSelected] = useState<{ file: string; line: number } | null>(null);

  useEffect(() => {
    api.statementIncome(caseId, party).then(setIncome, setError);
  }, [caseId, party, props.version]);

  const run = (p: Promise<IncomeView | null>) => {
    setBusy(true);
    setError(null);
    setProgress(null);
    p.then(
      (v) => v && setIncome(v),
      setError,
    ).finally(() => {
      setBusy(false);
      setProgress(null);
    });
  };
  const attach = (paths: string[]) => run(api.attachStatements(caseId, party, paths, setProgress));

  const lastDrop = useRef(0);
  useEffect(() => {
    if (props.dropped && props.dropped.n !== lastDrop.current) {
      lastDrop.current = props.dropped.n;
      attach(props.dropped.paths);
    }
  });

  const apply = () =>
    api.applyStatementIncome(caseId, party, props.version).then(props.onCaseChanged, setError);

  return (
    <div>
      <div className="import-row">
        <button id={`pick-statements-${party}`} disabled={busy} onClick={() => run(api.pickStatements(caseId, party, setProgress))}>
          Attach statements…
        </button>
        <input
          name={`statement-path-${party}`}
          placeholder="…or type a file path (several separated by ;), or drop files on this panel"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button
          id={`attach-path-${party}`}
          disabled={busy || path.trim() === ""}
          onClick={() => attach(path.split(";").map((s) => s.trim()).filter(Boolean))}
        >
          Attach
        </button>
      </div>
      {busy && <ProgressBar progress={progress} />}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {income && income.files.length === 0 && (
        <p className="muted">
          No statements attached. 1C client-bank files (Windows, DOS or UTF-8), CSV and XLSX/XLS
          exports are read; the window is the six months {income.income.period[0]} – {income.income.period[5]}.
        </p>
      )}
      {income && income.files.length > 0 && (
        <>
          <FileList income={income} onRemove={(id) => run(api.removeStatement(caseId, party, id))} />
          <SourceTable income={income} />
          <Chart income={income} />
          <p>
            Average monthly income from statements:{" "}
            <b className="num" data-testid={`statement-average-${party}`}>{money(income.income.average_monthly_income)}</b> UZS{" "}
            {income.applied ? (
              <span className="pill decision-approve" data-testid={`applied-${party}`}>in the case</span>
            ) : (
              <>
                <button id={`apply-income-${party}`} className="primary" disabled={props.dirty} onClick={apply}>
                  Use these sources in the case
                </button>
                {props.dirty && <small className="muted"> save your edits first</small>}
              </>
            )}
          </p>
          <Flags flags={income.income.flags} onJump={(f) => f.line !== null && setSelected({ file: f.file, line: f.line })} />
          <Transactions
            income={income}
            selected={selected}
            onSelect={setSelected}
            onReclassify={(t, kind, note) => run(api.reclassify(caseId, party, t.file, t.line, kind, note))}
          />
        </>
      )}
    </div>
  );
}

function ProgressBar({ progress }: { progress: ReadProgress | null }) {
  const total = progress?.bytes_total ?? 0;
  const pct = total > 0 ? Math.round(((progress?.bytes_read ?? 0) / total) * 100) : 0;
  const label =
    progress === null
      ? "Starting…"
      : progress.stage === "analysing"
        ? "Reading the statements and classifying every payment…"
        : `Reading ${progress.file} (${progress.index} of ${progress.files}) — ${(progress.bytes_read / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
  return (
    <div className="progress" data-testid="statement-progress">
      <progress max={100} value={progress?.stage === "analysing" ? undefined : pct} />
      <span className="small muted">{label}</span>
    </div>
  );
}

function FileList({ income, onRemove }: { income: IncomeView; onRemove: (id: number) => void }) {
  return (
    <table className="grid compact files">
      <thead>
        <tr>
          <th>File</th><th>Format</th><th>Encoding</th><th>Period</th><th>Documents</th><th>Attached</th><th></th>
        </tr>
      </thead>
      <tbody>
        {income.files.map((f) => (
          <tr key={f.id} data-testid="statement-file">
            <td className="mono">{f.file}</td>
            <td>{f.format}</td>
            <td>{f.encoding}</td>
            <td>{f.period_from ?? "?"} – {f.period_to ?? "?"}</td>
            <td className="num">{f.documents}</td>
            <td className="small muted">{f.attached_at.replace("T", " ").replace("Z", "")} {f.attached_by}</td>
            <td><button onClick={() => onRemove(f.id)}>Remove</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function sourceName(s: StatementSource): string {
  return s.payer ? `${s.kind} — ${s.payer}${s.payer_inn ? ` (INN ${s.payer_inn})` : ""}` : s.kind;
}

function SourceTable({ income }: { income: IncomeView }) {
  const period = income.income.period;
  return (
    <table className="grid compact sources" data-testid="source-table">
      <thead>
        <tr>
          <th>Source</th>
          {period.map((m) => <th key={m} className="num">{m}</th>)}
          <th>Weight</th>
          <th>Counted</th>
        </tr>
      </thead>
      <tbody>
        {income.income.sources.map((s, i) => (
          <tr key={i} data-kind={s.kind}>
            <td>
              <span className="swatch" style={{ background: KIND_COLOUR[s.kind] }} />
              {sourceName(s)}
            </td>
            {period.map((m) => (
              <td key={m} className="num">{s.months[m] !== undefined ? money(s.months[m]) : <span className="bad">not covered</span>}</td>
            ))}
            <td className="num">{s.weight === "1" ? "100 %" : `${s.weight} ×`}</td>
            <td>
              {s.usable ? (
                <span className="pill decision-approve">yes</span>
              ) : (
                <span className="pill decision-reject" title={s.reasons.join("\n")}>{s.reasons.join("; ")}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Stacked bars per month, one colour per source kind. */
function Chart({ income }: { income: IncomeView }) {
  const period = income.income.period;
  // Pixel heights only: money stays a string everywhere else.
  const value = (s: StatementSource, m: string) => Number(s.months[m] ?? "0");
  const totals = period.map((m) => income.income.sources.reduce((a, s) => a + value(s, m), 0));
  const max = Math.max(1, ...totals);
  const W = 90;
  const H = 140;
  return (
    <div className="chart">
      <svg width={period.length * W + 20} height={H + 36} role="img" aria-label="Credits per month by source">
        {period.map((m, i) => {
          let y = H;
          return (
            <g key={m} transform={`translate(${10 + i * W},0)`}>
              {income.income.sources.map((s, si) => {
                const h = (value(s, m) / max) * H;
                y -= h;
                return (
                  <rect key={si} x={18} y={y} width={W - 36} height={h} fill={KIND_COLOUR[s.kind]}>
                    <title>{`${sourceName(s)}: ${money(s.months[m])}`}</title>
                  </rect>
                );
              })}
              <text x={W / 2} y={H + 14} textAnchor="middle" fontSize="11">{m}</text>
              <text x={W / 2} y={H + 28} textAnchor="middle" fontSize="10" fill="#6b7780">{money(String(Math.round(totals[i])))}</text>
            </g>
          );
        })}
      </svg>
      <div className="legend small">
        {KINDS.filter((k) => income.income.sources.some((s) => s.kind === k)).map((k) => (
          <span key={k}><span className="swatch" style={{ background: KIND_COLOUR[k] }} />{k}</span>
        ))}
      </div>
    </div>
  );
}

function Flags({ flags, onJump }: { flags: Flag[]; onJump: (f: Flag) => void }) {
  if (flags.length === 0) return <p className="notice">No integrity flags.</p>;
  return (
    <div className="flags" data-testid="flags">
      <h4>Flags ({flags.length})</h4>
      {flags.map((f, i) => (
        <div key={i} className="flag">
          <span className={`pill ${f.code === "ZERO_MONTH" ? "" : "decision-refer"}`}>{f.code}</span>{" "}
          {f.message}{" "}
          {f.line !== null && (
            <button className="jump" data-flag={f.code} onClick={() => onJump(f)}>
              {f.file}:{f.line} ›
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

const PAGE = 200;

function Transactions(props: {
  income: IncomeView;
  selected: { file: string; line: number } | null;
  onSelect: (s: { file: string; line: number } | null) => void;
  onReclassify: (t: ClassifiedTransaction, kind: IncomeKind | null, note: string) => void;
}) {
  const { income, selected } = props;
  const [creditsOnly, setCreditsOnly] = useState(true);
  const [page, setPage] = useState(0);
  const all = income.income.transactions;
  const isSel = (t: ClassifiedTransaction) => selected !== null && t.file === selected.file && t.line === selected.line;
  const rows = creditsOnly && !all.some((t) => isSel(t) && t.direction === "debit") ? all.filter((t) => t.direction === "credit") : all;
  const selIndex = rows.findIndex(isSel);
  const shownPage = selIndex >= 0 ? Math.floor(selIndex / PAGE) : page;
  const pageRows = rows.slice(shownPage * PAGE, (shownPage + 1) * PAGE);
  const selectedRow = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: "center" });
  }, [selected]);
  const note = (t: ClassifiedTransaction) =>
    income.reclassifications.find((r) => r.file === t.file && r.line === t.line);
  const sel = all.find(isSel) ?? null;
  const multiFile = income.files.length > 1;

  return (
    <div className="transactions">
      <h4>
        Transactions ({rows.length}){" "}
        <label className="small">
          <input type="checkbox" checked={creditsOnly} onChange={(e) => setCreditsOnly(e.target.checked)} /> credits only
        </label>
      </h4>
      {sel && sel.direction === "credit" && (
        <Reclassify key={`${sel.file}:${sel.line}`} t={sel} existing={note(sel)?.note ?? ""} onSave={props.onReclassify} />
      )}
      <table className="grid compact">
        <thead>
          <tr>
            <th>Line</th><th>Date</th><th className="num">Amount</th><th></th><th>Payer</th><th>Purpose</th><th>Counted as</th><th>Why</th>
          </tr>
        </thead>
        <tbody>
          {pageRows.map((t) => (
            <tr
              key={`${t.file}:${t.line}`}
              ref={isSel(t) ? selectedRow : undefined}
              className={isSel(t) ? "selected" : ""}
              data-line={t.line}
              onClick={() => props.onSelect({ file: t.file, line: t.line })}
            >
              <td className="mono small nowrap" title={`${t.file}:${t.line}`}>{multiFile ? `${t.file}:` : ""}{t.line}</td>
              <td className="nowrap">{t.date}</td>
              <td className="num nowrap">{money(t.amount)}</td>
              <td>{t.direction === "credit" ? "in" : "out"}</td>
              <td>{t.payer}</td>
              <td>{t.purpose}</td>
              <td>{t.excluded ? <span className="muted">not income ({t.excluded})</span> : t.kind ?? ""}</td>
              <td className="small muted">{t.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > PAGE && (
        <div className="pager">
          <button disabled={shownPage === 0} onClick={() => { props.onSelect(null); setPage(shownPage - 1); }}>‹</button>
          <span>{shownPage * PAGE + 1}–{Math.min(rows.length, (shownPage + 1) * PAGE)} of {rows.length}</span>
          <button disabled={(shownPage + 1) * PAGE >= rows.length} onClick={() => { props.onSelect(null); setPage(shownPage + 1); }}>›</button>
        </div>
      )}
    </div>
  );
}

function Reclassify(props: {
  t: ClassifiedTransaction;
  existing: string;
  onSave: (t: ClassifiedTransaction, kind: IncomeKind | null, note: string) => void;
}) {
  const { t } = props;
  const [kind, setKind] = useState<string>(t.excluded ? "" : t.kind ?? "");
  const [note, setNote] = useState(props.existing);
  return (
    <div className="reclassify card" data-testid="reclassify">
      <b>{t.file}:{t.line}</b> {t.date} · {money(t.amount)} UZS · {t.payer} · «{t.purpose}»
      <div className="import-row">
        <label>Count as{" "}
          <select name="reclassify-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            <option value="">not income</option>
          </select>
        </label>
        <input name="reclassify-note" placeholder="why (required; kept with the case)" value={note} onChange={(e) => setNote(e.target.value)} />
        <button
          id="reclassify-save"
          className="primary"
          disabled={note.trim() === ""}
          onClick={() => props.onSave(t, kind === "" ? null : (kind as IncomeKind), note)}
        >
          Reclassify
        </button>
      </div>
    </div>
  );
}
