import { useEffect, useMemo, useRef, useState } from "react";
import type {
  AppError,
  CaseFile,
  BureauReport,
  CaseView,
  HistorySource,
  Evaluation,
  Reason,
  VinReport,
} from "./bindings";
import { typing } from "./keys";
import { api } from "./api";
import { listen } from "@tauri-apps/api/event";
import { getIn, setIn } from "./format";
import { date, dateTime, money, percent, t, type Key } from "./i18n";
import { decisionText, detail, explain, statusText, word } from "./words";
import { Review } from "./case/Review";
import { History } from "./case/History";
import { Notes } from "./Notes";
import { Assignment } from "./case/Assignment";
import { Conditions } from "./case/Conditions";
import { ErrorBanner } from "./App";
import { Statements } from "./IncomeStep";
import { DisbursementStep } from "./DisbursementStep";
import { AgreementStep } from "./AgreementStep";
import { DocumentsStep } from "./DocumentsStep";

type Step = "parties" | "income" | "vehicle" | "loan" | "documents" | "review" | "disbursement" | "agreement" | "history";

const STEPS: Step[] = ["parties", "income", "vehicle", "loan", "documents", "review", "disbursement", "agreement", "history"];

type Edit = (path: string, value: unknown) => void;

function Field(props: {
  label: Key;
  path: string;
  draft: CaseFile;
  edit: Edit;
  kind?: "text" | "int" | "date" | "optional-date" | "money" | "bool" | "optional-money";
  options?: string[];
  /** The catalog prefix that names each option ("schedule" → schedule.annuity). */
  optionWords?: string;
  hint?: string;
}) {
  const { path, draft, edit, kind = "text", options } = props;
  const value = getIn(draft, path);
  let input;
  if (options) {
    input = (
      <select name={path} value={String(value ?? "")} onChange={(e) => edit(path, e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>{props.optionWords ? word(props.optionWords, o) : o}</option>
        ))}
      </select>
    );
  } else if (kind === "bool") {
    input = <input type="checkbox" name={path} checked={Boolean(value)} onChange={(e) => edit(path, e.target.checked)} />;
  } else {
    input = (
      <input
        name={path}
        type={kind.endsWith("date") ? "date" : "text"}
        inputMode={kind === "int" || kind.endsWith("money") ? "decimal" : undefined}
        className={kind.endsWith("money") || kind === "int" ? "num" : ""}
        value={value === null || value === undefined ? "" : String(value)}
        onChange={(e) => {
          const v = e.target.value;
          if (kind === "int") edit(path, /^\d+$/.test(v) ? Number(v) : v);
          else if (kind === "optional-money" || kind === "optional-date") edit(path, v.trim() === "" ? null : v);
          else edit(path, v);
        }}
      />
    );
  }
  return (
    <label className="field">
      <span>{t(props.label)}</span>
      {input}
      {props.hint && <small className="muted">{props.hint}</small>}
    </label>
  );
}

export function CaseScreen({ caseId, onBack, onNext, onShortcuts }: { caseId: string; onBack: () => void; onNext: (() => void) | null; onShortcuts: () => void }) {
  const [view, setView] = useState<CaseView | null>(null);
  const [draft, setDraft] = useState<CaseFile | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [draftError, setDraftError] = useState<AppError | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [step, setStep] = useState<Step>("parties");
  const [notice, setNotice] = useState<string | null>(null);

  const load = (v: CaseView) => {
    setView(v);
    setDraft(v.case);
    setEvaluation(v.evaluation);
  };
  useEffect(() => {
    api.openCase(caseId).then(load, setError);
    // Leaving the case releases its edit lock for the next person.
    return () => void api.releaseCase(caseId).catch(() => undefined);
  }, [caseId]);

  const dirty = useMemo(() => view !== null && JSON.stringify(draft) !== JSON.stringify(view.case), [draft, view]);

  // A sync pass may bring the bank's answer (a sign-off accepted or refused, a newer
  // version): the case is read again — unless it holds unsaved edits, which stay as typed.
  const [synced, setSynced] = useState(0);
  const dirtyNow = useRef(false);
  dirtyNow.current = dirty;
  useEffect(() => {
    const unlisten = listen("sync-status", () => {
      setSynced((n) => n + 1);
      if (!dirtyNow.current) api.openCase(caseId).then(load, () => undefined);
    });
    return () => void unlisten.then((f) => f());
  }, [caseId]);

  // Live decision: every edit is re-evaluated (unsaved) after a short pause.
  useEffect(() => {
    if (!draft || !dirty) {
      if (view) { setEvaluation(view.evaluation); setDraftError(null); }
      return;
    }
    const t = setTimeout(() => {
      api.evaluate(draft).then((e) => { setEvaluation(e); setDraftError(null); }, setDraftError);
    }, 150);
    return () => clearTimeout(t);
  }, [draft, dirty, view]);

  // Keyboard: n next case, Esc back to the queue, Ctrl+S save, ? the list. Unsaved edits
  // keep the case open (a notice says so) rather than being dropped by a key.
  const keys = useRef({ save: () => undefined as unknown, canSave: false, dirty: false });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        if (keys.current.canSave) keys.current.save();
        return;
      }
      if (e.ctrlKey || e.altKey || e.metaKey || typing(e)) return;
      const leave = (go: () => void) => {
        e.preventDefault();
        if (keys.current.dirty) setNotice(t("case.unsavedLeave"));
        else go();
      };
      if (e.key === "Escape") leave(onBack);
      else if (e.key === "n" && onNext) leave(onNext);
      else if (e.key === "?") { e.preventDefault(); onShortcuts(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onBack, onNext, onShortcuts]);

  if (error && !view) return <main className="case"><button onClick={onBack}>{t("case.back")}</button><ErrorBanner error={error} /></main>;
  if (!view || !draft) return <main className="case">{t("common.loading")}</main>;

  const edit: Edit = (path, value) => setDraft((d) => (d ? setIn(d, path, value) : d));
  const save = () =>
    api.saveCase(caseId, view.version, draft).then(
      (v) => { load(v); setNotice(t("case.savedVersion", { v: v.version })); setError(null); },
      setError,
    );
  const exportCase = () =>
    api.exportCase(caseId).then((p) => p && setNotice(t("case.exportedTo", { path: p })), setError);
  // One editor at a time, and no edits while a case is under review or decided (the
  // service enforces both; the window says so up front).
  const readOnly = view.editing_by
    ? t("case.ro.editing", { who: view.editing_by })
    : view.status === "submitted"
      ? t("case.ro.submitted")
      : view.status === "approved"
        ? t("case.ro.approved")
        : view.status === "rejected"
          ? t("case.ro.rejected")
          : null;
  const borrower = draft.parties.find((p) => p.role === "borrower") ?? draft.parties[0];
  keys.current = { save, canSave: dirty && readOnly === null, dirty };

  return (
    <main className="case" data-testid="case-view" data-case-id={caseId}>
      <div className="case-head">
        <button id="back-to-queue" onClick={onBack}>{t("case.back")}</button>
        <h1 className="mono">{caseId}</h1>
        <span className="muted">{borrower?.full_name}</span>
        <span className={`pill status-${view.status}`}>{statusText(view.status)}</span>
        {evaluation && <span className={`pill decision-${evaluation.decision}`} data-testid="decision">{decisionText(evaluation.decision)}</span>}
        <span className="muted">v{view.version}</span>
        <Assignment caseId={caseId} synced={synced} />
        <span className="spacer" />
        {onNext && <button id="next-case" onClick={onNext} disabled={dirty} title={t("case.nextTitle")}>{t("case.next")}</button>}
        <button onClick={exportCase}>{t("case.export")}</button>
        <button id="save-case" className="primary" disabled={!dirty || readOnly !== null} onClick={save}>
          {dirty ? t("case.save") : t("case.saved")}
        </button>
      </div>
      <nav className="steps">
        {STEPS.map((s) => (
          <button key={s} data-step={s} className={step === s ? "active" : ""} onClick={() => setStep(s)}>
            {t(`step.${s}`)}
          </button>
        ))}
      </nav>
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
      {readOnly && step !== "disbursement" && step !== "agreement" && <div className="not-yet" data-testid="read-only">{t("case.readOnly", { why: readOnly })}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {draftError && <ErrorBanner error={draftError} />}
      <section className="step-body">
        {step === "parties" && (
          <Parties
            draft={draft}
            edit={edit}
            view={view}
            busy={dirty || readOnly !== null}
            run={(p) => p.then((v) => { load(v); setError(null); }, setError)}
          />
        )}
        {step === "income" && (
          <>
            <Statements
              view={view}
              dirty={dirty}
              onCaseChanged={(v) => { load(v); setNotice(t("case.statementUsed", { v: v.version })); setError(null); }}
            />
            <Income draft={draft} edit={edit} evaluation={evaluation} />
          </>
        )}
        {step === "vehicle" && <Vehicle draft={draft} edit={edit} savedVin={view.vin} evaluation={evaluation} onLien={() => setStep("disbursement")} />}
        {step === "loan" && (
          <LoanDecision
            draft={draft}
            edit={edit}
            evaluation={evaluation}
            onTake={dirty || readOnly ? null : (term) =>
              api.takeCounterOffer(caseId, view.version, term).then(
                (v) => { load(v); setNotice(t("case.offerTaken", { term, v: v.version })); setError(null); },
                setError,
              )}
          />
        )}
        {step === "documents" && (
          <DocumentsStep view={view} dirty={dirty} onCaseChanged={(v) => { load(v); setNotice(t("case.savedVersion", { v: v.version })); setError(null); }} />
        )}
        {step === "review" && (
          <Review
            caseId={caseId}
            view={view}
            synced={synced}
            dirty={dirty}
            engine={evaluation}
            onCaseChanged={(v) => {
              // A sign-off waiting for the bank moves no stage: the review step says so.
              const moved = v.status !== view.status;
              load(v);
              setNotice(moved ? t("case.stageNotice", { status: statusText(v.status), v: v.version }) : null);
              setError(null);
            }}
          />
        )}
        {step === "review" && <Conditions caseId={caseId} synced={synced} />}
        {step === "review" && <Notes caseId={caseId} synced={synced} />}
        {step === "disbursement" && (
          <DisbursementStep caseId={caseId} onCaseChanged={() => api.openCase(caseId).then(load, setError)} />
        )}
        {step === "disbursement" && <Conditions caseId={caseId} synced={synced} />}
        {step === "agreement" && <AgreementStep caseId={caseId} version={view.version} status={view.status} />}
        {step === "history" && <History caseId={caseId} version={view.version} />}
      </section>
    </main>
  );
}

/** The call to the bank in flight, by its button's test id: the button says it waits
 * (the top bar counts the seconds), the others wait for it, the rest of the window goes on. */
function useCalling(run: (p: Promise<CaseView>) => void): [string | null, (id: string, p: Promise<CaseView>) => void] {
  const [calling, setCalling] = useState<string | null>(null);
  const call = (id: string, p: Promise<CaseView>) => {
    setCalling(id);
    run(p.finally(() => setCalling(null)));
  };
  return [calling, call];
}

function Parties({ draft, edit, view, busy, run }: { draft: CaseFile; edit: Edit; view: CaseView; busy: boolean; run: (p: Promise<CaseView>) => void }) {
  const [calling, call] = useCalling(run);
  const waiting = busy || calling !== null;
  return (
    <>
    <div className="actions">
      <button data-testid="pull-bureau-all" disabled={waiting} data-busy={calling === "pull-bureau-all" ? "1" : undefined} onClick={() => call("pull-bureau-all", api.pullBureauAll(view.case_id, view.version))}>
        {calling === "pull-bureau-all" ? t("bureau.pulling") : t("bureau.pullAll")}
      </button>
    </div>
    <div className="cards">
      {draft.parties.map((p, i) => (
        <div className="card" key={i}>
          <h3>{p.role === "borrower" ? t("party.borrower") : t("party.coBorrower", { i })}</h3>
          <div className="form">
            <Field label="party.fullName" path={`parties.${i}.full_name`} draft={draft} edit={edit} />
            <Field label="party.pinfl" path={`parties.${i}.pinfl`} draft={draft} edit={edit} />
            <Field label="party.citizenship" path={`parties.${i}.citizenship`} draft={draft} edit={edit} />
            <Field label="party.birthDate" path={`parties.${i}.birth_date`} draft={draft} edit={edit} kind="date" />
            {p.identity && (
              <>
                <Field label="party.idKind" path={`parties.${i}.identity.kind`} draft={draft} edit={edit} />
                <Field label="party.idNumber" path={`parties.${i}.identity.number`} draft={draft} edit={edit} />
                <Field label="party.idIssued" path={`parties.${i}.identity.issued`} draft={draft} edit={edit} kind="optional-date" />
                <Field label="party.idExpires" path={`parties.${i}.identity.expires`} draft={draft} edit={edit} kind="optional-date" />
              </>
            )}
          </div>
          <IdentityChecks party={i} view={view} busy={busy} calling={calling} call={call} />
          <h4>{t("party.creditHistory")}</h4>
          <p><HistoryOriginNote source={p.credit_history.source ?? null} /></p>
          <div className="form">
            <Field label="party.overdue" path={`parties.${i}.credit_history.current_overdue`} draft={draft} edit={edit} kind="bool" />
            <Field label="party.episodes" path={`parties.${i}.credit_history.delinquencies_90_plus`} draft={draft} edit={edit} kind="int" />
            <Field label="party.payments" path={`parties.${i}.credit_history.existing_monthly_payments`} draft={draft} edit={edit} kind="money" />
          </div>
          <div className="actions">
            <button data-testid={`pull-bureau-${i}`} disabled={waiting} data-busy={calling === `pull-bureau-${i}` ? "1" : undefined} onClick={() => call(`pull-bureau-${i}`, api.pullBureau(view.case_id, view.version, i))}>
              {calling === `pull-bureau-${i}` ? t("bureau.pulling") : t("bureau.pull")}
            </button>
            {busy && <small className="muted">{t("common.saveFirst")}</small>}
          </div>
          {p.bureau && <BureauTable report={p.bureau} />}
        </div>
      ))}
    </div>
    </>
  );
}

/** The PINFL's own check and the state register's answer, on the identity document. */
function IdentityChecks({ party, view, busy, calling, call }: { party: number; view: CaseView; busy: boolean; calling: string | null; call: (id: string, p: Promise<CaseView>) => void }) {
  const id = `verify-identity-${party}`;
  const check = view.identity_checks[party];
  const state = view.case.parties[party]?.identity?.state_check ?? null;
  return (
    <div className="identity-checks" data-testid={`identity-${party}`}>
      {check && (check.valid ? (
        <p className="ok" data-testid={`pinfl-ok-${party}`}>
          ✓ {t("identity.pinflOk", { sex: check.sex ? t(`sex.${check.sex}`) : "—", date: date(check.birth_date) })}
        </p>
      ) : (
        <div className="bad" data-testid={`pinfl-errors-${party}`}>
          {check.errors.map((e) => <div key={e}>✗ {e}</div>)}
          <small className="muted">{t("identity.blocks")}</small>
        </div>
      ))}
      <p>
        {t("identity.register")}{" "}
        {state ? (
          <>
            <span className={`pill ${state.status === "valid" ? "cond-met" : "cond-failed"}`} data-testid={`register-status-${party}`}>
              {word("register", state.status)}
            </span>{" "}
            {state.registered_name && (
              <span className={state.name_matches ? "" : "bad"} data-testid={`register-name-${party}`}>
                {state.registered_name} {state.name_matches ? "✓" : `✗ ${t("identity.nameDiffers")}`}
              </span>
            )}{" "}
            <small className="muted">{dateTime(state.at)}</small>
          </>
        ) : (
          <span className="muted">{t("identity.notAsked")}</span>
        )}{" "}
        <button data-testid={id} disabled={busy || calling !== null} data-busy={calling === id ? "1" : undefined} onClick={() => call(id, api.verifyIdentity(view.case_id, view.version, party))}>
          {calling === id ? t("identity.asking") : t("identity.ask")}
        </button>
      </p>
    </div>
  );
}

function HistoryOriginNote({ source }: { source: HistorySource | null }) {
  if (!source) return <small className="muted">{t("history.fromFile")}</small>;
  return (
    <small className={source.origin === "typed" ? "warn" : "muted"} data-testid="history-origin">
      {t(source.origin === "bureau" ? "history.pulled" : "history.typed", { by: source.by, at: dateTime(source.at) })}
    </small>
  );
}

function BureauTable({ report }: { report: BureauReport }) {
  return (
    <div className="bureau" data-testid="bureau-report">
      <h4>{t("bureau.title", { date: date(report.as_of) })}</h4>
      <table className="grid compact">
        <thead><tr><th>{t("bureau.lender")}</th><th>{t("bureau.kind")}</th><th>{t("bureau.opened")}</th><th className="num">{t("bureau.outstanding")}</th><th className="num">{t("bureau.monthly")}</th></tr></thead>
        <tbody>
          {report.loans.map((l, i) => (
            <tr key={`l${i}`}><td>{l.lender}</td><td>{l.kind}</td><td>{date(l.opened)}</td><td className="num">{money(l.outstanding)}</td><td className="num">{money(l.monthly_payment)}</td></tr>
          ))}
          {report.guarantees.map((g, i) => (
            <tr key={`g${i}`}><td>{g.lender}</td><td>{t("bureau.guarantee", { borrower: g.borrower })}</td><td /><td /><td className="num">{money(g.monthly_payment)}</td></tr>
          ))}
          {report.loans.length + report.guarantees.length === 0 && <tr><td colSpan={5} className="muted">{t("bureau.noLoans")}</td></tr>}
        </tbody>
      </table>
      <p className={Number(report.overdue_days) > 0 ? "bad" : ""}>
        {t("bureau.overdue", { amount: money(report.overdue_amount), days: report.overdue_days })}
      </p>
      {report.episodes_90_plus.length > 0 && (
        <ul>
          {report.episodes_90_plus.map((e, i) => (
            <li key={i}>{t("bureau.episode", { lender: e.lender, from: date(e.from), to: e.to ? date(e.to) : "…", days: e.max_days_past_due })}</li>
          ))}
        </ul>
      )}
      {report.closed_loans.length > 0 && (
        <p className="muted small">
          {t("bureau.closed", { n: report.closed_loans.length })}: {report.closed_loans.map((c) => `${c.lender} ${date(c.opened)}–${date(c.closed)}`).join("; ")}
        </p>
      )}
    </div>
  );
}

function Income({ draft, edit, evaluation }: { draft: CaseFile; edit: Edit; evaluation: Evaluation | null }) {
  const period = evaluation?.income.period ?? [];
  return (
    <div>
      <h4>{t("income.caseTitle")}</h4>
      {draft.parties.map((p, pi) => (
        <div className="card" key={pi}>
          <h3>{p.full_name}</h3>
          <table className="grid compact">
            <thead>
              <tr>
                <th>{t("income.col.source")}</th>
                {period.map((m) => <th key={m}>{m}</th>)}
                <th>{t("income.col.weight")}</th>
                <th>{t("income.col.counted")}</th>
              </tr>
            </thead>
            <tbody>
              {p.incomes.map((src, si) => {
                const info = evaluation?.income.sources.find((s) => s.party === pi && s.source === si);
                return (
                  <tr key={si}>
                    <td>{word("kind", src.kind)}{src.employer ? ` — ${src.employer}` : ""}{src.kind === "entrepreneur_receipts" ? (src.at_this_bank ? t("income.atThisBank") : t("income.otherBank")) : ""}</td>
                    {period.map((m) => (
                      <td key={m}>
                        <input
                          className="num cell"
                          name={`parties.${pi}.incomes.${si}.months.${m}`}
                          value={src.months[m] ?? ""}
                          placeholder={t("income.noData")}
                          onChange={(e) => {
                            const months = { ...src.months } as Record<string, string>;
                            if (e.target.value === "") delete months[m];
                            else months[m] = e.target.value;
                            edit(`parties.${pi}.incomes.${si}.months`, months);
                          }}
                        />
                      </td>
                    ))}
                    <td className="num">{info ? percent(String(Number(info.weight) * 100)) : ""}</td>
                    <td>{info ? (info.excluded ? <span className="pill decision-reject">{info.excluded}</span> : <span className="pill decision-approve">{t("common.yes")}</span>) : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            {t("income.partyAverage")}{" "}
            <b className="num">{money(evaluation?.income.parties[pi]?.average_monthly_income)}</b> {t("unit.currency")}
          </p>
        </div>
      ))}
      <p>
        {t("income.household")} <b data-testid="household-income">{money(evaluation?.metrics.average_monthly_income)}</b> {t("unit.currency")}
      </p>
    </div>
  );
}

const CATEGORIES: { code: string; text: Key }[] = [
  { code: "M1", text: "cat.M1" },
  { code: "M2", text: "cat.M2" },
  { code: "N1", text: "cat.N1" },
];

const SELLERS: { kind: string; text: Key }[] = [
  { kind: "manufacturer", text: "sellerText.manufacturer" },
  { kind: "official_dealer", text: "sellerText.official_dealer" },
  { kind: "dealer_in_stock", text: "sellerText.dealer_in_stock" },
  { kind: "private_person", text: "sellerText.private_person" },
];

function Vehicle({ draft, edit, savedVin, evaluation, onLien }: { draft: CaseFile; edit: Edit; savedVin: VinReport; evaluation: Evaluation | null; onLien: () => void }) {
  const [vin, setVin] = useState<VinReport>(savedVin);
  useEffect(() => {
    const t = setTimeout(() => api.checkVin(draft.vehicle.vin).then(setVin, () => undefined), 120);
    return () => clearTimeout(t);
  }, [draft.vehicle.vin]);
  const v = draft.vehicle;
  const appYear = Number(draft.application_date.slice(0, 4));
  const category = CATEGORIES.find((c) => c.code === v.category);
  const vehicleReasons = (evaluation?.reasons ?? []).filter((r) => r.section === 4);
  const customsDoc = draft.documents.find((d) => d.kind === "customs_declaration");
  return (
    <div className="cards">
      <div className="card">
        <h3>{t("veh.title")}</h3>
        <div className="form">
          <Field label="veh.vin" path="vehicle.vin" draft={draft} edit={edit} />
          <div className={`vin ${vin.valid ? (vin.warnings.length ? "warn" : "ok") : "bad"}`} data-testid="vin-report" data-valid={String(vin.valid)}>
            {vin.valid ? (vin.warnings.length ? t("veh.validWarn") : t("veh.valid")) : t("veh.invalid")}
            {vin.errors.map((e) => <div key={e} className="bad">✗ {e}</div>)}
            {vin.warnings.map((w) => <div key={w} className="warn">⚠ {w}</div>)}
            {vin.valid && vin.model_year !== null && Math.abs(vin.model_year - Number(v.production_year)) > 1 && (
              <div className="warn" data-testid="vin-year">
                {t("veh.yearMismatch", { vinYear: vin.model_year, year: v.production_year })}
              </div>
            )}
            <div className="muted">
              WMI {vin.wmi ?? "—"} · {vin.manufacturer ?? t("veh.notInTable")} · {vin.country ?? "—"} · {t("veh.modelYear", { y: vin.model_year ?? "—" })} · {t("veh.checkDigit", { d: vin.check_digit ?? "—" })}
            </div>
          </div>
          <label className="field">
            <span>{t("veh.category")}</span>
            <select name="vehicle.category" value={category ? v.category : "other"} onChange={(e) => edit("vehicle.category", e.target.value === "other" ? "" : e.target.value)}>
              {CATEGORIES.map((c) => <option key={c.code} value={c.code}>{c.code} — {t(c.text)}</option>)}
              <option value="other">{t("veh.otherCategory")}</option>
            </select>
            {!category && <input name="vehicle.category.other" value={v.category} placeholder={t("veh.eg")} onChange={(e) => edit("vehicle.category", e.target.value)} />}
            <small className="muted">{category ? `${category.code}: ${t(category.text)}` : t("veh.onlyCats")}</small>
          </label>
          <Field label="veh.make" path="vehicle.make" draft={draft} edit={edit} />
          <Field label="veh.model" path="vehicle.model" draft={draft} edit={edit} />
          <Field label="veh.year" path="vehicle.production_year" draft={draft} edit={edit} kind="int" hint={t("veh.newHint", { prev: appYear - 1, year: appYear })} />
          <Field label="veh.neverUsed" path="vehicle.new" draft={draft} edit={edit} kind="bool" />
          <label className="field">
            <span>{t("veh.seller")}</span>
            <select name="vehicle.seller_kind" value={v.seller_kind} onChange={(e) => edit("vehicle.seller_kind", e.target.value)}>
              {SELLERS.map((o) => <option key={o.kind} value={o.kind}>{word("seller", o.kind)}</option>)}
            </select>
            <small className="muted">{(() => { const s = SELLERS.find((o) => o.kind === v.seller_kind); return s ? t(s.text) : ""; })()}</small>
          </label>
          <Field label="veh.vat" path="vehicle.customs_vat_applies" draft={draft} edit={edit} kind="bool" />
          {v.customs_vat_applies && (
            <div className="warn small" data-testid="customs-required">
              {t("veh.customsRequired")}{" "}
              <b>{customsDoc ? word("doc", customsDoc.status) : t("veh.notPresented")}</b>.
            </div>
          )}
          <Field label="veh.price" path="vehicle.contract_price" draft={draft} edit={edit} kind="money" />
          <Field label="veh.appraised" path="vehicle.appraised_value" draft={draft} edit={edit} kind="optional-money" hint={t("veh.ltvHint")} />
        </div>
        <div data-testid="vehicle-rules">
          {vehicleReasons.length === 0 ? (
            <p className="ok">{t("veh.rulesPass")}</p>
          ) : (
            vehicleReasons.map((r) => (
              <div key={r.rule} className="reason bad" data-rule={r.rule} title={detail(r.message)}><span className="mono">{r.rule} {r.code}</span> {explain(r.code, r.message)}</div>
            ))
          )}
        </div>
      </div>
      <div className="card">
        <h3>{t("veh.registry")}</h3>
        <p>{t("veh.prohibition")} <b data-testid="vehicle-lien">{word("lien", draft.pledge.vin_lien)}</b>{draft.pledge.creditor ? ` (${draft.pledge.creditor})` : ""}</p>
        <p className="muted small">
          {t("veh.registryNote")}
        </p>
        <button onClick={onLien}>{t("step.disbursement")} ›</button>
      </div>
    </div>
  );
}

function ReasonList({ reasons }: { reasons: Reason[] }) {
  const bySection = new Map<number, Reason[]>();
  reasons.forEach((r) => bySection.set(r.section, [...(bySection.get(r.section) ?? []), r]));
  return (
    <div data-testid="reasons">
      {[...bySection.entries()].sort(([a], [b]) => a - b).map(([s, rs]) => (
        <div key={s} className="reason-group">
          <h4>{word("section", String(s)) === String(s) ? `§${s}` : word("section", String(s))}</h4>
          {rs.map((r, i) => (
            <div key={i} className="reason" data-rule={r.rule} title={detail(r.message)}>
              <span className="mono rule">{r.rule}</span> <span className="mono code">{r.code}</span> {explain(r.code, r.message)}
              {r.value !== null && r.limit !== null && <span className="muted">{t("reason.vs", { value: r.value, limit: r.limit })}</span>}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

// A counter-offer of the saved case is taken in Rust as one named change (counted on the
// dashboard); one of unsaved edits is applied to the draft like any edit.
function LoanDecision({ draft, edit, evaluation, onTake }: { draft: CaseFile; edit: Edit; evaluation: Evaluation | null; onTake: ((term: number) => void) | null }) {
  const m = evaluation?.metrics;
  return (
    <div className="decision-layout">
      <div className="card">
        <h3>{t("loan.terms")}</h3>
        <div className="form">
          <Field label="loan.amount" path="loan.amount" draft={draft} edit={edit} kind="money" />
          <Field label="loan.down" path="loan.down_payment" draft={draft} edit={edit} kind="money" />
          <Field label="loan.term" path="loan.term_months" draft={draft} edit={edit} kind="int" />
          <Field label="loan.schedule" path="loan.schedule" draft={draft} edit={edit} options={["annuity", "differentiated"]} optionWords="schedule" />
          <Field label="loan.grace" path="loan.grace_months" draft={draft} edit={edit} kind="int" />
          <Field label="loan.first" path="loan.first_payment_date" draft={draft} edit={edit} kind="date" />
        </div>
        <p className="muted small">{t("loan.rateNote")}</p>
      </div>
      {evaluation && (
        <div className="card">
          <h3>
            {t("loan.decision")} <span className={`pill big decision-${evaluation.decision}`} data-testid="live-decision">{decisionText(evaluation.decision)}</span>
          </h3>
          <dl className="metrics" data-testid="metrics">
            <dt>{t("metric.rate")}</dt><dd data-testid="metric-rate">{percent(m?.rate)}</dd>
            <dt>{t("metric.household")}</dt><dd>{money(m?.average_monthly_income)}</dd>
            <dt>{t("metric.dti")}</dt><dd>{percent(m?.dti)}</dd>
            <dt>{t("metric.ltv")}</dt><dd>{percent(m?.ltv)}</dd>
            <dt>{t("metric.downShare")}</dt><dd>{percent(m?.down_payment_ratio)}</dd>
            <dt>{t("metric.maxPayment")}</dt><dd data-testid="metric-max-payment">{money(m?.max_monthly_payment)}</dd>
            <dt>{t("metric.interest")}</dt><dd>{money(m?.total_interest)}</dd>
            <dt>{t("metric.ear")}</dt><dd>{percent(m?.effective_annual_rate)}</dd>
            <dt>{t("metric.maturity")}</dt><dd>{date(m?.maturity_date)}</dd>
          </dl>
          {evaluation.reasons.length > 0 ? <ReasonList reasons={evaluation.reasons} /> : <p>{t("loan.allPass")}</p>}
          {evaluation.warnings.length > 0 && (
            <div className="warnings">
              <h4>{t("loan.warnings")}</h4>
              {evaluation.warnings.map((w, i) => (
                <div key={i} className="warn" title={detail(w.message)}><span className="mono">{w.rule} {w.code}</span> {explain(w.code, w.message)}</div>
              ))}
            </div>
          )}
          {evaluation.counter_offer && (
            <div className="offers" data-testid="counter-offers">
              <h4>{t("loan.offers")}</h4>
              {evaluation.counter_offer.length === 0 && <p>{t("loan.noOffer")}</p>}
              <table className="grid compact">
                <thead><tr><th>{t("loan.col.term")}</th><th>{t("loan.col.amount")}</th><th>{t("loan.col.max")}</th><th /></tr></thead>
                <tbody>
                  {evaluation.counter_offer.map((o) => (
                    <tr key={o.term_months}>
                      <td>{t("unit.months", { n: o.term_months })}</td>
                      <td className="num">{money(o.amount)}</td>
                      <td className="num">{money(o.max_monthly_payment)}</td>
                      <td>
                        <button
                          data-testid="take-offer"
                          onClick={() => (onTake ? onTake(o.term_months) : (edit("loan.term_months", o.term_months), edit("loan.amount", o.amount)))}
                        >
                          {t("loan.apply")}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h4>{t("loan.conditions")}</h4>
          {evaluation.conditions.map((c) => (
            <div key={c.rule} className="condition" title={detail(c.message)}>
              <span className={`pill cond-${c.status}`}>{word("cond", c.status)}</span> <span className="mono">{c.rule}</span> {explain(c.code, c.message)}
            </div>
          ))}
        </div>
      )}
      {evaluation?.schedule && (
        <div className="card wide">
          <h3>{t("sched.title")}</h3>
          <table className="grid compact" data-testid="schedule">
            <thead><tr><th>#</th><th>{t("sched.date")}</th><th>{t("sched.payment")}</th><th>{t("sched.principal")}</th><th>{t("sched.interest")}</th><th>{t("sched.balance")}</th></tr></thead>
            <tbody>
              {evaluation.schedule.map((r) => (
                <tr key={r.n}>
                  <td className="num">{r.n}</td><td>{date(r.date)}</td>
                  <td className="num">{money(r.payment)}</td><td className="num">{money(r.principal)}</td>
                  <td className="num">{money(r.interest)}</td><td className="num">{money(r.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
