import { useEffect, useMemo, useRef, useState } from "react";
import type {
  AppError,
  CaseEvent,
  CaseFile,
  CaseView,
  DocumentKind,
  DocumentStatus,
  Evaluation,
  Reason,
  ReviewDecision,
  ReviewView,
  VinReport,
} from "./bindings";
import { typing } from "./keys";
import { api } from "./api";
import { getIn, money, percent, SECTIONS, setIn } from "./format";
import { ErrorBanner } from "./App";
import { Statements } from "./IncomeStep";
import { DisbursementStep } from "./DisbursementStep";
import { AgreementStep } from "./AgreementStep";

type Step = "parties" | "income" | "vehicle" | "loan" | "documents" | "review" | "disbursement" | "agreement" | "history";

const STEPS: { key: Step; label: string }[] = [
  { key: "parties", label: "Parties" },
  { key: "income", label: "Income" },
  { key: "vehicle", label: "Vehicle" },
  { key: "loan", label: "Loan & decision" },
  { key: "documents", label: "Documents" },
  { key: "review", label: "Review" },
  { key: "disbursement", label: "Lien & disbursement" },
  { key: "agreement", label: "Agreement" },
  { key: "history", label: "History" },
];

type Edit = (path: string, value: unknown) => void;

function Field(props: {
  label: string;
  path: string;
  draft: CaseFile;
  edit: Edit;
  kind?: "text" | "int" | "date" | "money" | "bool" | "optional-money";
  options?: string[];
  hint?: string;
}) {
  const { path, draft, edit, kind = "text", options } = props;
  const value = getIn(draft, path);
  let input;
  if (options) {
    input = (
      <select name={path} value={String(value ?? "")} onChange={(e) => edit(path, e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    );
  } else if (kind === "bool") {
    input = <input type="checkbox" name={path} checked={Boolean(value)} onChange={(e) => edit(path, e.target.checked)} />;
  } else {
    input = (
      <input
        name={path}
        type={kind === "date" ? "date" : "text"}
        inputMode={kind === "int" || kind.endsWith("money") ? "decimal" : undefined}
        className={kind.endsWith("money") || kind === "int" ? "num" : ""}
        value={value === null || value === undefined ? "" : String(value)}
        onChange={(e) => {
          const v = e.target.value;
          if (kind === "int") edit(path, /^\d+$/.test(v) ? Number(v) : v);
          else if (kind === "optional-money") edit(path, v.trim() === "" ? null : v);
          else edit(path, v);
        }}
      />
    );
  }
  return (
    <label className="field">
      <span>{props.label}</span>
      {input}
      {props.hint && <small className="muted">{props.hint}</small>}
    </label>
  );
}

function NotInThisBuild({ children }: { children: React.ReactNode }) {
  return <div className="not-yet" data-testid="not-yet">{children}</div>;
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
        if (keys.current.dirty) setNotice("Unsaved edits: save them (Ctrl+S) before leaving the case");
        else go();
      };
      if (e.key === "Escape") leave(onBack);
      else if (e.key === "n" && onNext) leave(onNext);
      else if (e.key === "?") { e.preventDefault(); onShortcuts(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onBack, onNext, onShortcuts]);

  if (error && !view) return <main className="case"><button onClick={onBack}>‹ Queue</button><ErrorBanner error={error} /></main>;
  if (!view || !draft) return <main className="case">Loading…</main>;

  const edit: Edit = (path, value) => setDraft((d) => (d ? setIn(d, path, value) : d));
  const save = () =>
    api.saveCase(caseId, view.version, draft).then(
      (v) => { load(v); setNotice(`Saved version ${v.version}`); setError(null); },
      setError,
    );
  const exportCase = () =>
    api.exportCase(caseId).then((p) => p && setNotice(`Exported to ${p}`), setError);
  // One editor at a time, and no edits while a case is under review or decided (the
  // service enforces both; the window says so up front).
  const readOnly = view.editing_by
    ? `${view.editing_by} is editing this case`
    : view.status === "submitted"
      ? "the case is under review; the reviewer signs or returns it"
      : view.status === "approved"
        ? "the case is approved; its terms are closed (the lien and the disbursement go on under Lien & disbursement)"
        : view.status === "rejected"
          ? "the case is rejected"
          : null;
  const borrower = draft.parties.find((p) => p.role === "borrower") ?? draft.parties[0];
  keys.current = { save, canSave: dirty && readOnly === null, dirty };

  return (
    <main className="case" data-testid="case-view" data-case-id={caseId}>
      <div className="case-head">
        <button id="back-to-queue" onClick={onBack}>‹ Queue</button>
        <h1 className="mono">{caseId}</h1>
        <span className="muted">{borrower?.full_name}</span>
        <span className={`pill status-${view.status}`}>{view.status}</span>
        {evaluation && <span className={`pill decision-${evaluation.decision}`} data-testid="decision">{evaluation.decision}</span>}
        <span className="muted">v{view.version}</span>
        <span className="spacer" />
        {onNext && <button id="next-case" onClick={onNext} disabled={dirty} title="Next case (n)">Next case ›</button>}
        <button onClick={exportCase}>Export…</button>
        <button id="save-case" className="primary" disabled={!dirty || readOnly !== null} onClick={save}>
          {dirty ? "Save" : "Saved"}
        </button>
      </div>
      <nav className="steps">
        {STEPS.map((s) => (
          <button key={s.key} data-step={s.key} className={step === s.key ? "active" : ""} onClick={() => setStep(s.key)}>
            {s.label}
          </button>
        ))}
      </nav>
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
      {readOnly && step !== "disbursement" && step !== "agreement" && <div className="not-yet" data-testid="read-only">Read-only: {readOnly}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {draftError && <ErrorBanner error={draftError} />}
      <section className="step-body">
        {step === "parties" && <Parties draft={draft} edit={edit} />}
        {step === "income" && (
          <>
            <Statements
              view={view}
              dirty={dirty}
              onCaseChanged={(v) => { load(v); setNotice(`Statement income used in the case (version ${v.version})`); setError(null); }}
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
                (v) => { load(v); setNotice(`Counter-offer taken: ${term} months (version ${v.version})`); setError(null); },
                setError,
              )}
          />
        )}
        {step === "documents" && <Documents draft={draft} setDraft={setDraft} />}
        {step === "review" && (
          <Review
            caseId={caseId}
            view={view}
            dirty={dirty}
            engine={evaluation}
            onCaseChanged={(v) => { load(v); setNotice(`Case ${v.status} (version ${v.version})`); setError(null); }}
          />
        )}
        {step === "disbursement" && (
          <DisbursementStep caseId={caseId} onCaseChanged={() => api.openCase(caseId).then(load, setError)} />
        )}
        {step === "agreement" && <AgreementStep caseId={caseId} version={view.version} />}
        {step === "history" && <History caseId={caseId} version={view.version} />}
      </section>
    </main>
  );
}

function Parties({ draft, edit }: { draft: CaseFile; edit: Edit }) {
  return (
    <div className="cards">
      {draft.parties.map((p, i) => (
        <div className="card" key={i}>
          <h3>{p.role === "borrower" ? "Borrower" : `Co-borrower ${i}`}</h3>
          <div className="form">
            <Field label="Full name" path={`parties.${i}.full_name`} draft={draft} edit={edit} />
            <Field label="PINFL" path={`parties.${i}.pinfl`} draft={draft} edit={edit} />
            <Field label="Citizenship" path={`parties.${i}.citizenship`} draft={draft} edit={edit} />
            <Field label="Birth date" path={`parties.${i}.birth_date`} draft={draft} edit={edit} kind="date" />
            {p.identity && (
              <>
                <Field label="Identity document" path={`parties.${i}.identity.kind`} draft={draft} edit={edit} />
                <Field label="Document number" path={`parties.${i}.identity.number`} draft={draft} edit={edit} />
              </>
            )}
          </div>
          <h4>Credit history</h4>
          <div className="form">
            <Field label="Overdue now" path={`parties.${i}.credit_history.current_overdue`} draft={draft} edit={edit} kind="bool" />
            <Field label="Episodes 90+ days" path={`parties.${i}.credit_history.delinquencies_90_plus`} draft={draft} edit={edit} kind="int" />
            <Field label="Existing monthly payments, UZS" path={`parties.${i}.credit_history.existing_monthly_payments`} draft={draft} edit={edit} kind="money" />
          </div>
          <p className="muted small">
            Identity verification against the state register and the credit-bureau report are not
            part of this build yet; these figures are the case file's.
          </p>
        </div>
      ))}
    </div>
  );
}

function Income({ draft, edit, evaluation }: { draft: CaseFile; edit: Edit; evaluation: Evaluation | null }) {
  const period = evaluation?.income.period ?? [];
  return (
    <div>
      <h4>In the case file — what the engine checks (P-INC-6M) and averages (P-INC-AVG)</h4>
      {draft.parties.map((p, pi) => (
        <div className="card" key={pi}>
          <h3>{p.full_name}</h3>
          <table className="grid compact">
            <thead>
              <tr>
                <th>Source</th>
                {period.map((m) => <th key={m}>{m}</th>)}
                <th>Weight</th>
                <th>Counted</th>
              </tr>
            </thead>
            <tbody>
              {p.incomes.map((src, si) => {
                const info = evaluation?.income.sources.find((s) => s.party === pi && s.source === si);
                return (
                  <tr key={si}>
                    <td>{src.kind}{src.employer ? ` — ${src.employer}` : ""}{src.kind === "entrepreneur_receipts" ? (src.at_this_bank ? " (at this bank)" : " (other bank)") : ""}</td>
                    {period.map((m) => (
                      <td key={m}>
                        <input
                          className="num cell"
                          name={`parties.${pi}.incomes.${si}.months.${m}`}
                          value={src.months[m] ?? ""}
                          placeholder="no data"
                          onChange={(e) => {
                            const months = { ...src.months } as Record<string, string>;
                            if (e.target.value === "") delete months[m];
                            else months[m] = e.target.value;
                            edit(`parties.${pi}.incomes.${si}.months`, months);
                          }}
                        />
                      </td>
                    ))}
                    <td className="num">{info ? `${Number(info.weight) * 100} %` : ""}</td>
                    <td>{info ? (info.excluded ? <span className="pill decision-reject">{info.excluded}</span> : <span className="pill decision-approve">yes</span>) : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            Average monthly income:{" "}
            <b className="num">{money(evaluation?.income.parties[pi]?.average_monthly_income)}</b> UZS
          </p>
        </div>
      ))}
      <p>
        Household average monthly income (P-DTI): <b data-testid="household-income">{money(evaluation?.metrics.average_monthly_income)}</b> UZS
      </p>
    </div>
  );
}

const CATEGORIES: { code: string; text: string }[] = [
  { code: "M1", text: "passenger car, at most 8 seats besides the driver" },
  { code: "M2", text: "passenger vehicle, more than 8 seats besides the driver, max mass ≤ 5 t" },
  { code: "N1", text: "goods vehicle, max mass ≤ 3.5 t" },
];

const SELLERS: { kind: string; text: string }[] = [
  { kind: "manufacturer", text: "Manufacturer — stage 1: the contract's advance; stage 2: the rest after the delivery notice; both once the VIN prohibition is registered" },
  { kind: "official_dealer", text: "Official dealer — stage 1: the contract's advance; stage 2: the rest after the delivery notice; both once the VIN prohibition is registered" },
  { kind: "dealer_in_stock", text: "Seller with the car in stock — stage 1: the client's down payment; stage 2: the loan after the VIN prohibition" },
  { kind: "private_person", text: "Private person — not eligible (P-VEH-SELLER)" },
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
        <h3>Vehicle</h3>
        <div className="form">
          <Field label="VIN" path="vehicle.vin" draft={draft} edit={edit} />
          <div className={`vin ${vin.valid ? (vin.warnings.length ? "warn" : "ok") : "bad"}`} data-testid="vin-report" data-valid={String(vin.valid)}>
            {vin.valid ? (vin.warnings.length ? "Valid VIN, with a warning" : "Valid VIN") : "Invalid VIN"}
            {vin.errors.map((e) => <div key={e} className="bad">✗ {e}</div>)}
            {vin.warnings.map((w) => <div key={w} className="warn">⚠ {w}</div>)}
            {vin.valid && vin.model_year !== null && Math.abs(vin.model_year - Number(v.production_year)) > 1 && (
              <div className="warn" data-testid="vin-year">
                ⚠ the VIN's model-year character reads {vin.model_year}, the production year is {v.production_year}: check the VIN against the contract
              </div>
            )}
            <div className="muted">
              WMI {vin.wmi ?? "—"} · {vin.manufacturer ?? "manufacturer not in the table"} · {vin.country ?? "—"} · model year {vin.model_year ?? "—"} · check digit {vin.check_digit ?? "—"}
            </div>
          </div>
          <label className="field">
            <span>Category</span>
            <select name="vehicle.category" value={category ? v.category : "other"} onChange={(e) => edit("vehicle.category", e.target.value === "other" ? "" : e.target.value)}>
              {CATEGORIES.map((c) => <option key={c.code} value={c.code}>{c.code} — {c.text}</option>)}
              <option value="other">another category (not eligible)</option>
            </select>
            {!category && <input name="vehicle.category.other" value={v.category} placeholder="e.g. N2" onChange={(e) => edit("vehicle.category", e.target.value)} />}
            <small className="muted">{category ? `${category.code}: ${category.text}` : "Only M1, M2 and N1 are financed (P-VEH-CAT)"}</small>
          </label>
          <Field label="Make" path="vehicle.make" draft={draft} edit={edit} />
          <Field label="Model" path="vehicle.model" draft={draft} edit={edit} />
          <Field label="Production year" path="vehicle.production_year" draft={draft} edit={edit} kind="int" hint={`New: never used and produced in ${appYear - 1} or ${appYear} (the application year ${appYear} or the one before)`} />
          <Field label="Never used" path="vehicle.new" draft={draft} edit={edit} kind="bool" />
          <label className="field">
            <span>Seller</span>
            <select name="vehicle.seller_kind" value={v.seller_kind} onChange={(e) => edit("vehicle.seller_kind", e.target.value)}>
              {SELLERS.map((o) => <option key={o.kind} value={o.kind}>{o.kind.replace(/_/g, " ")}</option>)}
            </select>
            <small className="muted">{SELLERS.find((o) => o.kind === v.seller_kind)?.text}</small>
          </label>
          <Field label="Customs VAT applies" path="vehicle.customs_vat_applies" draft={draft} edit={edit} kind="bool" />
          {v.customs_vat_applies && (
            <div className="warn small" data-testid="customs-required">
              The seller's customs declaration (form IM-40) and invoice are now a required document (P-CUSTOMS):{" "}
              <b>{customsDoc ? customsDoc.status : "not yet presented"}</b>.
            </div>
          )}
          <Field label="Contract price, UZS" path="vehicle.contract_price" draft={draft} edit={edit} kind="money" />
          <Field label="Appraised value, UZS" path="vehicle.appraised_value" draft={draft} edit={edit} kind="optional-money" hint="P-LTV values the car at the lower of price and appraisal" />
        </div>
        <div data-testid="vehicle-rules">
          {vehicleReasons.length === 0 ? (
            <p className="ok">The vehicle rules (§4) pass.</p>
          ) : (
            vehicleReasons.map((r) => (
              <div key={r.rule} className="reason bad" data-rule={r.rule}><span className="mono">{r.rule} {r.code}</span> {r.message}</div>
            ))
          )}
        </div>
      </div>
      <div className="card">
        <h3>Pledge Registry</h3>
        <p>VIN prohibition: <b data-testid="vehicle-lien">{draft.pledge.vin_lien}</b>{draft.pledge.creditor ? ` (${draft.pledge.creditor})` : ""}</p>
        <p className="muted small">
          The prohibition is requested and followed, with the conditions and the two disbursement stages, once the case is approved.
        </p>
        <button onClick={onLien}>Lien & disbursement ›</button>
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
          <h4>{SECTIONS[s] ?? `§${s}`}</h4>
          {rs.map((r, i) => (
            <div key={i} className="reason" data-rule={r.rule}>
              <span className="mono rule">{r.rule}</span> <span className="mono code">{r.code}</span> {r.message}
              {r.value !== null && r.limit !== null && <span className="muted"> ({r.value} vs {r.limit})</span>}
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
        <h3>Loan terms</h3>
        <div className="form">
          <Field label="Amount, UZS" path="loan.amount" draft={draft} edit={edit} kind="money" />
          <Field label="Down payment, UZS" path="loan.down_payment" draft={draft} edit={edit} kind="money" />
          <Field label="Term, months" path="loan.term_months" draft={draft} edit={edit} kind="int" />
          <Field label="Schedule" path="loan.schedule" draft={draft} edit={edit} options={["annuity", "differentiated"]} />
          <Field label="Grace on principal, months" path="loan.grace_months" draft={draft} edit={edit} kind="int" />
          <Field label="First payment" path="loan.first_payment_date" draft={draft} edit={edit} kind="date" />
        </div>
        <p className="muted small">The rate is derived from the term (P-RATE); it is never typed in.</p>
      </div>
      {evaluation && (
        <div className="card">
          <h3>
            Decision: <span className={`pill big decision-${evaluation.decision}`} data-testid="live-decision">{evaluation.decision}</span>
          </h3>
          <dl className="metrics" data-testid="metrics">
            <dt>Rate</dt><dd data-testid="metric-rate">{percent(m?.rate)}</dd>
            <dt>Household income</dt><dd>{money(m?.average_monthly_income)}</dd>
            <dt>Debt burden (DTI)</dt><dd>{percent(m?.dti)}</dd>
            <dt>Loan-to-value</dt><dd>{percent(m?.ltv)}</dd>
            <dt>Down payment share</dt><dd>{percent(m?.down_payment_ratio)}</dd>
            <dt>Largest payment</dt><dd data-testid="metric-max-payment">{money(m?.max_monthly_payment)}</dd>
            <dt>Total interest</dt><dd>{money(m?.total_interest)}</dd>
            <dt>Effective annual rate</dt><dd>{percent(m?.effective_annual_rate)}</dd>
            <dt>Maturity</dt><dd>{m?.maturity_date ?? "—"}</dd>
          </dl>
          {evaluation.reasons.length > 0 ? <ReasonList reasons={evaluation.reasons} /> : <p>Every rule passes.</p>}
          {evaluation.warnings.length > 0 && (
            <div className="warnings">
              <h4>Warnings</h4>
              {evaluation.warnings.map((w, i) => (
                <div key={i} className="warn"><span className="mono">{w.rule} {w.code}</span> {w.message}</div>
              ))}
            </div>
          )}
          {evaluation.counter_offer && (
            <div className="offers" data-testid="counter-offers">
              <h4>Counter-offers</h4>
              {evaluation.counter_offer.length === 0 && <p>No amount passes at any term.</p>}
              <table className="grid compact">
                <thead><tr><th>Term</th><th>Amount, UZS</th><th>Largest payment</th><th /></tr></thead>
                <tbody>
                  {evaluation.counter_offer.map((o) => (
                    <tr key={o.term_months}>
                      <td>{o.term_months} mo</td>
                      <td className="num">{money(o.amount)}</td>
                      <td className="num">{money(o.max_monthly_payment)}</td>
                      <td>
                        <button
                          data-testid="take-offer"
                          onClick={() => (onTake ? onTake(o.term_months) : (edit("loan.term_months", o.term_months), edit("loan.amount", o.amount)))}
                        >
                          Apply
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h4>Conditions before disbursement</h4>
          {evaluation.conditions.map((c) => (
            <div key={c.rule} className="condition">
              <span className={`pill cond-${c.status}`}>{c.status}</span> <span className="mono">{c.rule}</span> {c.message}
            </div>
          ))}
        </div>
      )}
      {evaluation?.schedule && (
        <div className="card wide">
          <h3>Schedule</h3>
          <table className="grid compact" data-testid="schedule">
            <thead><tr><th>#</th><th>Date</th><th>Payment</th><th>Principal</th><th>Interest</th><th>Balance</th></tr></thead>
            <tbody>
              {evaluation.schedule.map((r) => (
                <tr key={r.n}>
                  <td className="num">{r.n}</td><td>{r.date}</td>
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

const DOC_KINDS: DocumentKind[] = ["identity", "income", "purchase_contract", "customs_declaration", "down_payment_proof", "other"];

function Documents({ draft, setDraft }: { draft: CaseFile; setDraft: (f: (d: CaseFile | null) => CaseFile | null) => void }) {
  const setStatus = (kind: DocumentKind, party: number, status: DocumentStatus) =>
    setDraft((d) => {
      if (!d) return d;
      const docs = d.documents.filter((x) => !(x.kind === kind && x.party === party));
      return { ...d, documents: [...docs, { kind, party, status }] };
    });
  return (
    <div>
      <NotInThisBuild>
        Attaching and viewing scans is not part of this build yet; the underwriter records each
        document's status here (P-DOCS, P-DOCS-REJ).
      </NotInThisBuild>
      <table className="grid compact" data-testid="documents">
        <thead><tr><th>Party</th><th>Document</th><th>Status</th></tr></thead>
        <tbody>
          {draft.parties.flatMap((p, pi) =>
            DOC_KINDS.filter((k) => pi === 0 || k === "identity" || k === "income").map((k) => {
              const entry = draft.documents.filter((x) => x.kind === k && x.party === pi).pop();
              return (
                <tr key={`${pi}-${k}`}>
                  <td>{p.full_name}</td>
                  <td>{k}</td>
                  <td>
                    <select
                      name={`doc.${pi}.${k}`}
                      value={entry?.status ?? ""}
                      onChange={(e) => setStatus(k, pi, e.target.value as DocumentStatus)}
                    >
                      <option value="" disabled>absent</option>
                      <option value="pending">pending</option>
                      <option value="verified">verified</option>
                      <option value="rejected">rejected</option>
                    </select>
                  </td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </div>
  );
}

function Review(props: { caseId: string; view: CaseView; dirty: boolean; engine: Evaluation | null; onCaseChanged: (v: CaseView) => void }) {
  const { caseId, view } = props;
  const [review, setReview] = useState<ReviewView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [decision, setDecision] = useState<ReviewDecision>(props.engine?.decision === "approve" ? "approve" : "reject");
  const [text, setText] = useState("");
  const [password, setPassword] = useState("");
  useEffect(() => {
    api.review(caseId).then(setReview, setError);
  }, [caseId, view.version]);
  if (!review) return <ErrorBanner error={error} />;
  const w = review.workflow;
  const can = (a: string) => review.allowed.includes(a);
  const done = (p: Promise<CaseView>) =>
    p.then((v) => { setText(""); setPassword(""); setError(null); props.onCaseChanged(v); }, setError);
  return (
    <div className="card" data-testid="review">
      <p>
        Stage: <span className={`pill status-${w.stage}`} data-testid="review-stage">{w.stage}</span>
        {w.maker && <> · maker <b>{w.maker}</b></>}
        {w.checker && <> · checker <b>{w.checker}</b></>}
      </p>
      {w.proposal && (
        <p data-testid="proposal">
          The maker proposes <b>{w.proposal.decision}</b>: {w.proposal.justification}
        </p>
      )}
      {w.return_comment && <p className="warn">Returned: {w.return_comment}</p>}
      {w.proposal && w.stage === "submitted" && (
        <table className="grid compact figures" data-testid="figures">
          <thead><tr><th>Figure</th><th className="num">The maker's, at submission</th><th className="num">Re-derived now from the stored inputs</th></tr></thead>
          <tbody>
            {([
              ["Average monthly income", w.proposal.figures.average_monthly_income, review.rederived.average_monthly_income],
              ["DTI %", w.proposal.figures.dti, review.rederived.dti],
              ["LTV %", w.proposal.figures.ltv, review.rederived.ltv],
              ["Largest payment", w.proposal.figures.max_monthly_payment, review.rederived.max_monthly_payment],
            ] as [string, string | null, string | null][]).map(([name, a, b]) => (
              <tr key={name} className={a !== b ? "differs" : ""}>
                <td>{name}</td><td className="num">{money(a)}</td><td className="num">{money(b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {review.differences.length > 0 && (
        <p className="bad" data-testid="differences">The figures differ; approval waits until the maker submits again.</p>
      )}
      {w.stage === "submitted" && w.edited_since_submission.length > 0 && (
        <p className="muted small">Edited since submission by {w.edited_since_submission.join(", ")}: they cannot sign it off.</p>
      )}
      {can("submit") && (
        <div className="form">
          <label className="field">
            <span>My decision</span>
            <select name="review-decision" value={decision} onChange={(e) => setDecision(e.target.value as ReviewDecision)}>
              <option value="approve">approve</option>
              <option value="reject">reject</option>
            </select>
          </label>
          <label className="field"><span>Justification</span><input name="review-text" value={text} onChange={(e) => setText(e.target.value)} /></label>
          <div>
            <button id="submit-case" className="primary" disabled={props.dirty || text.trim() === ""} onClick={() => done(api.submit(caseId, view.version, decision, text))}>
              Submit for review
            </button>
            {props.dirty && <small className="muted"> save your edits first</small>}
          </div>
        </div>
      )}
      {(can("approve") || can("reject") || can("return")) && (
        <div className="form">
          <label className="field"><span>Comment (for a rejection or a return)</span><input name="review-text" value={text} onChange={(e) => setText(e.target.value)} /></label>
          <label className="field"><span>Your password (to sign)</span><input name="signoff-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <div className="import-row">
            {can("approve") && <button id="approve-case" className="primary" disabled={!password || review.differences.length > 0} onClick={() => done(api.approve(caseId, view.version, password))}>Approve</button>}
            {can("reject") && <button id="reject-case" disabled={!password || !text.trim()} onClick={() => done(api.reject(caseId, view.version, text, password))}>Reject</button>}
            {can("return") && <button id="return-case" disabled={!text.trim()} onClick={() => done(api.returnCase(caseId, view.version, text))}>Return to the maker</button>}
          </div>
        </div>
      )}
      {w.stage === "submitted" && !can("approve") && (
        <p className="muted" data-testid="review-waiting">Waiting for a second person's review: the maker cannot sign their own case.</p>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <p className="small muted">
        Review recorded in the case file:{" "}
        {view.case.review
          ? `${view.case.review.decision} — maker ${view.case.review.maker}, checker ${view.case.review.checker}, ${view.case.review.signed_at}`
          : "none"}
      </p>
    </div>
  );
}

function History({ caseId, version }: { caseId: string; version: number }) {
  const [events, setEvents] = useState<CaseEvent[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.history(caseId).then(setEvents, setError);
  }, [caseId, version]);
  return (
    <div>
      <ErrorBanner error={error} />
      <table className="grid compact" data-testid="history">
        <thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr></thead>
        <tbody>
          {events.map((e) => {
            let detail = e.detail;
            try {
              const d = JSON.parse(e.detail);
              if (d.field) detail = `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`;
              else if (d.note) detail = `${d.file}:${d.line} ${d.before ?? "not income"} → ${d.after ?? "not income"}: ${d.note}`;
              else if (d.files) detail = `party ${d.party}: ${d.files.join(", ")}`;
              else if (d.file) detail = d.file;
              else detail = "";
            } catch { /* shown raw */ }
            return (
              <tr key={e.id}><td>{e.at}</td><td>{e.actor}</td><td>{e.kind}</td><td className="mono">{detail}</td></tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
