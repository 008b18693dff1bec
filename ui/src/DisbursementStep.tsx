// The VIN prohibition in the Pledge Registry, the conditions before disbursement (§6) and
// the two stages (§8). Every rule is Rust's (uw-app `disbursement`): the window shows the
// service's view, what blocks each stage in the service's words, and sends the user's
// actions. It reloads when the sync worker reports a pass (the registry's answers).
import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { AppError, DisbursementView, DocumentStatus, Fact, InsuranceKind, LienStatus, StagePlan } from "./bindings";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { useWords } from "./language";

const LIEN_STEPS: LienStatus[] = ["none", "requested", "registered"];

export function useDisbursement(caseId: string): [DisbursementView | null, AppError | null, (v: DisbursementView) => void, () => void] {
  const [view, setView] = useState<DisbursementView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const reload = useCallback(() => {
    api.disbursement(caseId).then((v) => { setView(v); setError(null); }, setError);
  }, [caseId]);
  useEffect(() => {
    reload();
    // The registry's answers arrive with the sync passes; a slow poll covers the rest.
    const unlisten = listen("sync-status", reload);
    const poll = setInterval(reload, 15_000);
    return () => { clearInterval(poll); unlisten.then((f) => f()); };
  }, [reload]);
  return [view, error, setView, reload];
}

function LienTimeline({ view }: { view: DisbursementView }) {
  const { t, dateTime, word } = useWords();
  const lien = view.lien;
  const history = lien.history ?? [];
  const at = (s: LienStatus) => [...history].reverse().find((e) => e.status === s)?.at;
  const reached = LIEN_STEPS.indexOf(lien.vin_lien);
  return (
    <div data-testid="lien-timeline">
      <ol className="timeline">
        {LIEN_STEPS.map((s, i) => (
          <li key={s} className={reached >= i ? "done" : ""} data-lien-step={s}>
            <b>{word("lien", s)}</b>
            <small className="muted">{reached >= i && at(s) ? dateTime(at(s)!) : ""}</small>
          </li>
        ))}
        {(lien.vin_lien === "foreign" || lien.vin_lien === "released") && (
          <li className="bad" data-lien-step={lien.vin_lien}>
            <b>{word("lien", lien.vin_lien)}</b>
            <small>{lien.vin_lien === "foreign" ? lien.creditor ?? t("lien.anotherCreditor") : at("released") ? dateTime(at("released")!) : ""}</small>
          </li>
        )}
      </ol>
      {history.length > 0 && (
        <table className="grid compact">
          <thead><tr><th>{t("col.when")}</th><th>{t("col.status")}</th><th>{t("col.by")}</th><th>{t("col.note")}</th></tr></thead>
          <tbody>
            {history.map((e, i) => (
              <tr key={i}><td>{dateTime(e.at)}</td><td>{word("lien", e.status)}</td><td>{e.by}</td><td>{e.note ?? ""}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Stage({ plan, onOrder, busy }: { plan: StagePlan; onOrder: () => void; busy: boolean }) {
  const { t, sum, date, dateTime, explain, detail } = useWords();
  const ready = !plan.order && plan.blockers.length === 0;
  return (
    <div className="card stage" data-testid={`stage-${plan.stage}`} data-state={plan.order ? "ordered" : ready ? "ready" : "blocked"}>
      <h3>
        {t("stage.title", { n: plan.stage })}{" "}
        <span className={`pill ${plan.order ? "cond-met" : ready ? "cond-open" : "cond-failed"}`}>
          {plan.order ? t("stage.ordered") : ready ? t("stage.ready") : t("stage.blocked")}
        </span>
      </h3>
      <p>{plan.description}</p>
      <p>
        {t("stage.amount")} <b className="num">{sum(plan.amount)}</b> · {plan.funds === "loan" ? t("stage.loanMoney") : t("stage.downPayment")} → {t("stage.toSeller")}
      </p>
      {plan.order ? (
        <p className="muted">
          {t("stage.orderedBy", { date: date(plan.order.value_date), by: plan.order.created_by, at: dateTime(plan.order.created_at) })}
        </p>
      ) : plan.blockers.length > 0 ? (
        <ul className="blockers" data-testid={`stage-${plan.stage}-blockers`}>
          {plan.blockers.map((b) => (
            <li key={b.code} data-code={b.code} title={detail(b.message)}><span className="mono">{b.code}</span> {explain(b.code, b.message)}</li>
          ))}
        </ul>
      ) : null}
      {!plan.order && (
        <button className="primary" data-testid={`order-stage-${plan.stage}`} disabled={!ready || busy} onClick={onOrder}>
          {t("stage.order", { n: plan.stage })}
        </button>
      )}
    </div>
  );
}

function FactForms({ view, record, busy }: { view: DisbursementView; record: (f: Fact) => void; busy: boolean }) {
  const { t } = useWords();
  const [advance, setAdvance] = useState(view.advance ?? "");
  const [notice, setNotice] = useState(view.delivery_notice?.reference ?? "");
  const [noticeDate, setNoticeDate] = useState(view.delivery_notice?.date ?? view.today);
  const [proofRef, setProofRef] = useState("");
  const [proofDate, setProofDate] = useState(view.today);
  const [proofStatus, setProofStatus] = useState<DocumentStatus>("verified");
  const [polKind, setPolKind] = useState<InsuranceKind>("vehicle");
  const [polNo, setPolNo] = useState("");
  const [polFrom, setPolFrom] = useState(view.today);
  const [polTo, setPolTo] = useState("");
  const dealer = view.seller_kind === "manufacturer" || view.seller_kind === "official_dealer";
  return (
    <div className="card" data-testid="disbursement-facts">
      <h3>{t("facts.title")}</h3>
      {dealer && (
        <div className="form inline">
          <label className="field"><span>{t("facts.advance")}</span>
            <input name="advance" className="num" inputMode="decimal" value={advance} onChange={(e) => setAdvance(e.target.value)} />
          </label>
          <button id="record-advance" disabled={busy || advance.trim() === ""} onClick={() => record({ kind: "advance", amount: advance.trim() })}>{t("facts.recordAdvance")}</button>
        </div>
      )}
      {dealer && (
        <div className="form inline">
          <label className="field"><span>{t("facts.notice")}</span>
            <input name="delivery-notice" value={notice} onChange={(e) => setNotice(e.target.value)} />
          </label>
          <label className="field"><span>{t("facts.date")}</span>
            <input name="delivery-date" type="date" value={noticeDate} onChange={(e) => setNoticeDate(e.target.value)} />
          </label>
          <button id="record-delivery" disabled={busy || notice.trim() === ""} onClick={() => record({ kind: "delivery_notice", reference: notice, date: noticeDate })}>{t("facts.recordNotice")}</button>
        </div>
      )}
      <div className="form inline">
        <label className="field"><span>{t("facts.proof")}</span>
          <input name="proof-reference" value={proofRef} onChange={(e) => setProofRef(e.target.value)} />
        </label>
        <label className="field"><span>{t("facts.date")}</span>
          <input name="proof-date" type="date" value={proofDate} onChange={(e) => setProofDate(e.target.value)} />
        </label>
        <label className="field"><span>{t("col.status")}</span>
          <select name="proof-status" value={proofStatus} onChange={(e) => setProofStatus(e.target.value as DocumentStatus)}>
            <option value="verified">{t("doc.verified")}</option>
            <option value="rejected">{t("doc.rejected")}</option>
            <option value="pending">{t("doc.pending")}</option>
          </select>
        </label>
        <button id="record-proof" disabled={busy} onClick={() => record({ kind: "down_payment_proof", status: proofStatus, reference: proofRef || null, date: proofDate || null })}>{t("facts.recordProof")}</button>
      </div>
      <div className="form inline">
        <label className="field"><span>{t("facts.policy")}</span>
          <select name="policy-kind" value={polKind} onChange={(e) => setPolKind(e.target.value as InsuranceKind)}>
            <option value="vehicle">{t("facts.policyVehicle")}</option>
            <option value="non_repayment">{t("facts.policyNonRepayment")}</option>
          </select>
        </label>
        <label className="field"><span>{t("facts.number")}</span><input name="policy-number" value={polNo} onChange={(e) => setPolNo(e.target.value)} /></label>
        <label className="field"><span>{t("facts.from")}</span><input name="policy-from" type="date" value={polFrom} onChange={(e) => setPolFrom(e.target.value)} /></label>
        <label className="field"><span>{t("facts.to")}</span><input name="policy-to" type="date" value={polTo} onChange={(e) => setPolTo(e.target.value)} /></label>
        <button id="record-policy" disabled={busy || polNo.trim() === "" || polTo === ""} onClick={() => record({ kind: "policy", policy: { kind: polKind, policy: polNo, from: polFrom, to: polTo } })}>{t("facts.recordPolicy")}</button>
      </div>
    </div>
  );
}

export function DisbursementStep({ caseId, onCaseChanged }: { caseId: string; onCaseChanged: () => void }) {
  const { t, date, word, explain, detail } = useWords();
  const [view, loadError, setView, reload] = useDisbursement(caseId);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!view) return loadError ? <ErrorBanner error={loadError} /> : <p>{t("common.loading")}</p>;
  const act = (p: Promise<DisbursementView>) => {
    setBusy(true);
    p.then((v) => { setView(v); setError(null); onCaseChanged(); }, setError).finally(() => setBusy(false));
  };
  const approved = view.stage === "approved";
  const lien = view.lien.vin_lien;
  return (
    <div data-testid="disbursement" data-version={view.version}>
      {!approved && (
        <div className="not-yet">
          {t("disb.notApproved")} <b>{word("status", view.stage)}</b>. {t("disb.listed")}
        </div>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <div className="cards">
        <div className="card" data-testid="lien">
          <h3>{t("disb.registry")} <span className="mono">{view.vin}</span></h3>
          <p>
            {t("disb.prohibition")} <b data-testid="lien-status">{word("lien", lien)}</b>
            {view.request_waiting && <span className="pill cond-open" data-testid="lien-waiting"> {t("disb.waiting")}</span>}
          </p>
          <LienTimeline view={view} />
          {lien === "foreign" && (
            <p className="bad">
              {view.lien.creditor ?? t("disb.anotherCreditor")} {t("disb.foreign")}
            </p>
          )}
          <div className="actions">
            <button
              data-testid="request-lien"
              disabled={busy || !approved || lien === "requested" || lien === "registered" || lien === "foreign"}
              onClick={() => act(api.requestLien(caseId))}
            >
              {t("disb.request")}
            </button>
            <button data-testid="check-registry" onClick={() => { api.syncNow().catch(() => undefined); reload(); }}>{t("disb.check")}</button>
          </div>
        </div>
        <div className="card" data-testid="conditions">
          <h3>{t("disb.conditions", { date: date(view.today) })}</h3>
          {view.conditions.map((c) => (
            <div key={c.rule} className="condition" data-code={c.code} title={detail(c.message)}>
              <span className={`pill cond-${c.status}`}>{word("cond", c.status)}</span> <span className="mono">{c.rule}</span> {explain(c.code, c.message)}
            </div>
          ))}
          <p className="muted small">{t("disb.seller", { seller: word("seller", view.seller_kind) })}</p>
        </div>
      </div>
      <div className="cards">
        {view.stages.map((s) => (
          <Stage key={s.stage} plan={s} busy={busy} onOrder={() => act(api.orderDisbursement(caseId, view.version, s.stage))} />
        ))}
      </div>
      {approved && <FactForms view={view} busy={busy} record={(f) => act(api.recordDisbursementFact(caseId, view.version, f))} />}
    </div>
  );
}
