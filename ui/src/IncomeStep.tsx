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
import { ErrorBanner } from "./App";
import { partyAt } from "./drop";
import { OfficialIncome } from "./OfficialIncome";
import { useWords, type Words } from "./language";

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
  const { t } = useWords();
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
        const panels = targets.current.map((x) => ({ party: x.party, rect: x.el?.getBoundingClientRect() ?? null }));
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
          <h3>{t("income.statementsFor", { name: p.full_name })}</h3>
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
  const { t, money } = useWords();
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
  const askOfficial = () => {
    setBusy(true);
    setError(null);
    api
      .pullOfficialIncome(caseId, props.version, party)
      .then(props.onCaseChanged, setError)
      .finally(() => setBusy(false));
  };

  return (
    <div>
      <div className="import-row">
        <button id={`pick-statements-${party}`} disabled={busy} onClick={() => run(api.pickStatements(caseId, party, setProgress))}>
          {t("income.attach")}
        </button>
        <input
          name={`statement-path-${party}`}
          placeholder={t("income.pathHint")}
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button
          id={`attach-path-${party}`}
          disabled={busy || path.trim() === ""}
          onClick={() => attach(path.split(";").map((s) => s.trim()).filter(Boolean))}
        >
          {t("income.attachButton")}
        </button>
      </div>
      {busy && <ProgressBar progress={progress} />}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {income && income.files.length === 0 && (
        <p className="muted">
          {t("income.none", { from: income.income.period[0], to: income.income.period[5] })}
        </p>
      )}
      {income && income.files.length > 0 && (
        <>
          <FileList income={income} onRemove={(id) => run(api.removeStatement(caseId, party, id))} />
          <SourceTable income={income} />
          <Chart income={income} />
          <p>
            {t("income.statementAverage")}{" "}
            <b className="num" data-testid={`statement-average-${party}`}>{money(income.income.average_monthly_income)}</b> {t("unit.currency")}{" "}
            {income.applied ? (
              <span className="pill decision-approve" data-testid={`applied-${party}`}>{t("income.inCase")}</span>
            ) : (
              <>
                <button id={`apply-income-${party}`} className="primary" disabled={props.dirty} onClick={apply}>
                  {t("income.useSources")}
                </button>
                {props.dirty && <small className="muted"> {t("common.saveFirst")}</small>}
              </>
            )}
          </p>
          <Flags flags={income.income.flags} onJump={(f) => f.line !== null && setSelected({ file: f.file, line: f.line })} />
          <OfficialIncome party={party} official={income.official} busy={busy || props.dirty} onAsk={askOfficial} />
          <Transactions
            income={income}
            selected={selected}
            onSelect={setSelected}
            onReclassify={(tx, kind, note) => run(api.reclassify(caseId, party, tx.file, tx.line, kind, note))}
          />
        </>
      )}
    </div>
  );
}

function ProgressBar({ progress }: { progress: ReadProgress | null }) {
  const { t } = useWords();
  const total = progress?.bytes_total ?? 0;
  const pct = total > 0 ? Math.round(((progress?.bytes_read ?? 0) / total) * 100) : 0;
  const label =
    progress === null
      ? t("income.starting")
      : progress.stage === "analysing"
        ? t("income.analysing")
        : t("income.reading", { file: progress.file, i: progress.index, n: progress.files, read: (progress.bytes_read / 1e6).toFixed(1), total: (total / 1e6).toFixed(1) });
  return (
    <div className="progress" data-testid="statement-progress">
      <progress max={100} value={progress?.stage === "analysing" ? undefined : pct} />
      <span className="small muted">{label}</span>
    </div>
  );
}

function FileList({ income, onRemove }: { income: IncomeView; onRemove: (id: number) => void }) {
  const { t, date, dateTime } = useWords();
  return (
    <table className="grid compact files">
      <thead>
        <tr>
          <th>{t("income.col.file")}</th><th>{t("income.col.format")}</th><th>{t("income.col.encoding")}</th><th>{t("income.col.period")}</th><th>{t("income.col.documents")}</th><th>{t("income.col.attached")}</th><th></th>
        </tr>
      </thead>
      <tbody>
        {income.files.map((f) => (
          <tr key={f.id} data-testid="statement-file">
            <td className="mono">{f.file}</td>
            <td>{f.format}</td>
            <td>{f.encoding}</td>
            <td>{f.period_from ? date(f.period_from) : "?"} – {f.period_to ? date(f.period_to) : "?"}</td>
            <td className="num">{f.documents}</td>
            <td className="small muted">{dateTime(f.attached_at)} {f.attached_by}</td>
            <td><button onClick={() => onRemove(f.id)}>{t("income.remove")}</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function sourceName(s: StatementSource, { t, word }: Pick<Words, "t" | "word">): string {
  const kind = word("kind", s.kind);
  return s.payer ? `${kind} — ${s.payer}${s.payer_inn ? ` (${t("income.inn", { inn: s.payer_inn })})` : ""}` : kind;
}

function SourceTable({ income }: { income: IncomeView }) {
  const { t, money, percent, word } = useWords();
  const period = income.income.period;
  return (
    <table className="grid compact sources" data-testid="source-table">
      <thead>
        <tr>
          <th>{t("income.col.source")}</th>
          {period.map((m) => <th key={m} className="num">{m}</th>)}
          <th>{t("income.col.weight")}</th>
          <th>{t("income.col.counted")}</th>
        </tr>
      </thead>
      <tbody>
        {income.income.sources.map((s, i) => (
          <tr key={i} data-kind={s.kind}>
            <td>
              <span className="swatch" style={{ background: KIND_COLOUR[s.kind] }} />
              {sourceName(s, { t, word })}
            </td>
            {period.map((m) => (
              <td key={m} className="num">{s.months[m] !== undefined ? money(s.months[m]) : <span className="bad">{t("income.notCovered")}</span>}</td>
            ))}
            <td className="num">{s.weight === "1" ? percent("100") : `${s.weight.replace(".", t("unit.decimal"))} ×`}</td>
            <td>
              {s.usable ? (
                <span className="pill decision-approve">{t("common.yes")}</span>
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
  const { t, money, word } = useWords();
  const period = income.income.period;
  // Pixel heights only: money stays a string everywhere else.
  const value = (s: StatementSource, m: string) => Number(s.months[m] ?? "0");
  const totals = period.map((m) => income.income.sources.reduce((a, s) => a + value(s, m), 0));
  const max = Math.max(1, ...totals);
  const W = 90;
  const H = 140;
  return (
    <div className="chart">
      <svg width={period.length * W + 20} height={H + 36} role="img" aria-label={t("income.chartLabel")}>
        {period.map((m, i) => {
          let y = H;
          return (
            <g key={m} transform={`translate(${10 + i * W},0)`}>
              {income.income.sources.map((s, si) => {
                const h = (value(s, m) / max) * H;
                y -= h;
                return (
                  <rect key={si} x={18} y={y} width={W - 36} height={h} fill={KIND_COLOUR[s.kind]}>
                    <title>{`${sourceName(s, { t, word })}: ${money(s.months[m])}`}</title>
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
          <span key={k}><span className="swatch" style={{ background: KIND_COLOUR[k] }} />{word("kind", k)}</span>
        ))}
      </div>
    </div>
  );
}

function Flags({ flags, onJump }: { flags: Flag[]; onJump: (f: Flag) => void }) {
  const { t, explain, detail } = useWords();
  if (flags.length === 0) return <p className="notice">{t("income.noFlags")}</p>;
  return (
    <div className="flags" data-testid="flags">
      <h4>{t("income.flags", { n: flags.length })}</h4>
      {flags.map((f, i) => (
        <div key={i} className="flag">
          <span className={`pill ${f.code === "ZERO_MONTH" ? "" : "decision-refer"}`} title={detail(f.message)}>{f.code}</span>{" "}
          {explain(f.code, f.message)}{" "}
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
  onReclassify: (tx: ClassifiedTransaction, kind: IncomeKind | null, note: string) => void;
}) {
  const { t, money, date, word } = useWords();
  const { income, selected } = props;
  const [creditsOnly, setCreditsOnly] = useState(true);
  const [page, setPage] = useState(0);
  const all = income.income.transactions;
  const isSel = (tx: ClassifiedTransaction) => selected !== null && tx.file === selected.file && tx.line === selected.line;
  const rows = creditsOnly && !all.some((tx) => isSel(tx) && tx.direction === "debit") ? all.filter((tx) => tx.direction === "credit") : all;
  const selIndex = rows.findIndex(isSel);
  const shownPage = selIndex >= 0 ? Math.floor(selIndex / PAGE) : page;
  const pageRows = rows.slice(shownPage * PAGE, (shownPage + 1) * PAGE);
  const selectedRow = useRef<HTMLTableRowElement | null>(null);
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: "center" });
  }, [selected]);
  const note = (tx: ClassifiedTransaction) =>
    income.reclassifications.find((r) => r.file === tx.file && r.line === tx.line);
  const sel = all.find(isSel) ?? null;
  const multiFile = income.files.length > 1;

  return (
    <div className="transactions">
      <h4>
        {t("income.transactions", { n: rows.length })}{" "}
        <label className="small">
          <input type="checkbox" checked={creditsOnly} onChange={(e) => setCreditsOnly(e.target.checked)} /> {t("income.creditsOnly")}
        </label>
      </h4>
      {sel && sel.direction === "credit" && (
        <Reclassify key={`${sel.file}:${sel.line}`} tx={sel} existing={note(sel)?.note ?? ""} onSave={props.onReclassify} />
      )}
      <table className="grid compact">
        <thead>
          <tr>
            <th>{t("income.col.line")}</th><th>{t("income.col.date")}</th><th className="num">{t("income.col.amount")}</th><th></th><th>{t("income.col.payer")}</th><th>{t("income.col.purpose")}</th><th>{t("income.col.countedAs")}</th><th>{t("income.col.why")}</th>
          </tr>
        </thead>
        <tbody>
          {pageRows.map((tx) => (
            <tr
              key={`${tx.file}:${tx.line}`}
              ref={isSel(tx) ? selectedRow : undefined}
              className={isSel(tx) ? "selected" : ""}
              data-line={tx.line}
              onClick={() => props.onSelect({ file: tx.file, line: tx.line })}
            >
              <td className="mono small nowrap" title={`${tx.file}:${tx.line}`}>{multiFile ? `${tx.file}:` : ""}{tx.line}</td>
              <td className="nowrap">{date(tx.date)}</td>
              <td className="num nowrap">{money(tx.amount)}</td>
              <td>{tx.direction === "credit" ? t("income.in") : t("income.out")}</td>
              <td>{tx.payer}</td>
              <td>{tx.purpose}</td>
              <td>{tx.excluded ? <span className="muted">{t("income.notIncome")} ({tx.excluded})</span> : tx.kind ? word("kind", tx.kind) : ""}</td>
              <td className="small muted">{tx.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > PAGE && (
        <div className="pager">
          <button disabled={shownPage === 0} onClick={() => { props.onSelect(null); setPage(shownPage - 1); }}>‹</button>
          <span>{t("common.ofTotal", { from: shownPage * PAGE + 1, to: Math.min(rows.length, (shownPage + 1) * PAGE), total: rows.length })}</span>
          <button disabled={(shownPage + 1) * PAGE >= rows.length} onClick={() => { props.onSelect(null); setPage(shownPage + 1); }}>›</button>
        </div>
      )}
    </div>
  );
}

function Reclassify(props: {
  tx: ClassifiedTransaction;
  existing: string;
  onSave: (tx: ClassifiedTransaction, kind: IncomeKind | null, note: string) => void;
}) {
  const { t, sum, date, word } = useWords();
  const { tx } = props;
  const [kind, setKind] = useState<string>(tx.excluded ? "" : tx.kind ?? "");
  const [note, setNote] = useState(props.existing);
  return (
    <div className="reclassify card" data-testid="reclassify">
      <b>{tx.file}:{tx.line}</b> {date(tx.date)} · {sum(tx.amount)} · {tx.payer} · «{tx.purpose}»
      <div className="import-row">
        <label>{t("income.countAs")}{" "}
          <select name="reclassify-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => <option key={k} value={k}>{word("kind", k)}</option>)}
            <option value="">{t("income.notIncome")}</option>
          </select>
        </label>
        <input name="reclassify-note" placeholder={t("income.whyRequired")} value={note} onChange={(e) => setNote(e.target.value)} />
        <button
          id="reclassify-save"
          className="primary"
          disabled={note.trim() === ""}
          onClick={() => props.onSave(tx, kind === "" ? null : (kind as IncomeKind), note)}
        >
          {t("income.reclassify")}
        </button>
      </div>
    </div>
  );
}
