// The VIN prohibition in the Pledge Registry, the conditions before disbursement (§6) and
// the two stages (§8). Every rule is Rust's (uw-app `disbursement`): the window shows the
// service's view, what blocks each stage in the service's words, and sends the user's
// actions. It reloads when the sync worker reports a pass (the registry's answers).
import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { AppError, DisbursementView, DocumentStatus, Fact, InsuranceKind, LienStatus, StagePlan } from "./bindings";
import { api } from "./api";
import { money } from "./format";
import { ErrorBanner } from "./App";

const LIEN_STEPS: LienStatus[] = ["none", "requested", "registered"];

const SELLER: Record<string, string> = {
  manufacturer: "manufacturer",
  official_dealer: "official dealer",
  dealer_in_stock: "seller with the car in stock",
  private_person: "private person (not eligible)",
};

function when(at: string): string {
  const d = new Date(at);
  return isNaN(d.getTime()) ? at : d.toLocaleString();
}

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
  const lien = view.lien;
  const history = lien.history ?? [];
  const at = (s: LienStatus) => [...history].reverse().find((e) => e.status === s)?.at;
  const reached = LIEN_STEPS.indexOf(lien.vin_lien);
  return (
    <div data-testid="lien-timeline">
      <ol className="timeline">
        {LIEN_STEPS.map((s, i) => (
          <li key={s} className={reached >= i ? "done" : ""} data-lien-step={s}>
            <b>{s}</b>
            <small className="muted">{reached >= i && at(s) ? when(at(s)!) : ""}</small>
          </li>
        ))}
        {(lien.vin_lien === "foreign" || lien.vin_lien === "released") && (
          <li className="bad" data-lien-step={lien.vin_lien}>
            <b>{lien.vin_lien}</b>
            <small>{lien.vin_lien === "foreign" ? lien.creditor ?? "another creditor" : at("released") ? when(at("released")!) : ""}</small>
          </li>
        )}
      </ol>
      {history.length > 0 && (
        <table className="grid compact">
          <thead><tr><th>When</th><th>Status</th><th>By</th><th>Note</th></tr></thead>
          <tbody>
            {history.map((e, i) => (
              <tr key={i}><td>{when(e.at)}</td><td>{e.status}</td><td>{e.by}</td><td>{e.note ?? ""}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Stage({ plan, onOrder, busy }: { plan: StagePlan; onOrder: () => void; busy: boolean }) {
  const ready = !plan.order && plan.blockers.length === 0;
  return (
    <div className="card stage" data-testid={`stage-${plan.stage}`} data-state={plan.order ? "ordered" : ready ? "ready" : "blocked"}>
      <h3>
        Stage {plan.stage}{" "}
        <span className={`pill ${plan.order ? "cond-met" : ready ? "cond-open" : "cond-failed"}`}>
          {plan.order ? "ordered" : ready ? "ready" : "blocked"}
        </span>
      </h3>
      <p>{plan.description}</p>
      <p>
        Amount: <b className="num">{money(plan.amount)}</b> UZS · {plan.funds === "loan" ? "loan money" : "the client's down payment"} → seller
      </p>
      {plan.order ? (
        <p className="muted">
          Ordered {plan.order.value_date} by {plan.order.created_by} ({when(plan.order.created_at)}); it goes to the core bank with the sync.
        </p>
      ) : plan.blockers.length > 0 ? (
        <ul className="blockers" data-testid={`stage-${plan.stage}-blockers`}>
          {plan.blockers.map((b) => (
            <li key={b.code} data-code={b.code}><span className="mono">{b.code}</span> {b.message}</li>
          ))}
        </ul>
      ) : null}
      {!plan.order && (
        <button className="primary" data-testid={`order-stage-${plan.stage}`} disabled={!ready || busy} onClick={onOrder}>
          Order stage {plan.stage}
        </button>
      )}
    </div>
  );
}

function FactForms({ view, record, busy }: { view: DisbursementView; record: (f: Fact) => void; busy: boolean }) {
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
      <h3>Evidence</h3>
      {dealer && (
        <div className="form inline">
          <label className="field"><span>Contract's advance, UZS</span>
            <input name="advance" className="num" inputMode="decimal" value={advance} onChange={(e) => setAdvance(e.target.value)} />
          </label>
          <button id="record-advance" disabled={busy || advance.trim() === ""} onClick={() => record({ kind: "advance", amount: advance.trim() })}>Record advance</button>
        </div>
      )}
      {dealer && (
        <div className="form inline">
          <label className="field"><span>Delivery notice no.</span>
            <input name="delivery-notice" value={notice} onChange={(e) => setNotice(e.target.value)} />
          </label>
          <label className="field"><span>Date</span>
            <input name="delivery-date" type="date" value={noticeDate} onChange={(e) => setNoticeDate(e.target.value)} />
          </label>
          <button id="record-delivery" disabled={busy || notice.trim() === ""} onClick={() => record({ kind: "delivery_notice", reference: notice, date: noticeDate })}>Record delivery notice</button>
        </div>
      )}
      <div className="form inline">
        <label className="field"><span>Down-payment proof no. (Kafolat-3 deposit or transfer)</span>
          <input name="proof-reference" value={proofRef} onChange={(e) => setProofRef(e.target.value)} />
        </label>
        <label className="field"><span>Date</span>
          <input name="proof-date" type="date" value={proofDate} onChange={(e) => setProofDate(e.target.value)} />
        </label>
        <label className="field"><span>Status</span>
          <select name="proof-status" value={proofStatus} onChange={(e) => setProofStatus(e.target.value as DocumentStatus)}>
            <option value="verified">verified</option>
            <option value="rejected">rejected</option>
            <option value="pending">pending</option>
          </select>
        </label>
        <button id="record-proof" disabled={busy} onClick={() => record({ kind: "down_payment_proof", status: proofStatus, reference: proofRef || null, date: proofDate || null })}>Record proof</button>
      </div>
      <div className="form inline">
        <label className="field"><span>Policy</span>
          <select name="policy-kind" value={polKind} onChange={(e) => setPolKind(e.target.value as InsuranceKind)}>
            <option value="vehicle">vehicle (by VIN)</option>
            <option value="non_repayment">non-repayment</option>
          </select>
        </label>
        <label className="field"><span>Number</span><input name="policy-number" value={polNo} onChange={(e) => setPolNo(e.target.value)} /></label>
        <label className="field"><span>From</span><input name="policy-from" type="date" value={polFrom} onChange={(e) => setPolFrom(e.target.value)} /></label>
        <label className="field"><span>To</span><input name="policy-to" type="date" value={polTo} onChange={(e) => setPolTo(e.target.value)} /></label>
        <button id="record-policy" disabled={busy || polNo.trim() === "" || polTo === ""} onClick={() => record({ kind: "policy", policy: { kind: polKind, policy: polNo, from: polFrom, to: polTo } })}>Record policy</button>
      </div>
    </div>
  );
}

export function DisbursementStep({ caseId, onCaseChanged }: { caseId: string; onCaseChanged: () => void }) {
  const [view, loadError, setView, reload] = useDisbursement(caseId);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!view) return loadError ? <ErrorBanner error={loadError} /> : <p>Loading…</p>;
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
          Money moves only for an approved case signed off by a second person; this case is <b>{view.stage}</b>.
          What blocks each stage is listed below.
        </div>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <div className="cards">
        <div className="card" data-testid="lien">
          <h3>Pledge Registry — VIN <span className="mono">{view.vin}</span></h3>
          <p>
            Prohibition in the bank's favour: <b data-testid="lien-status">{lien}</b>
            {view.request_waiting && <span className="pill cond-open" data-testid="lien-waiting"> request waiting to be sent</span>}
          </p>
          <LienTimeline view={view} />
          {lien === "foreign" && (
            <p className="bad">
              {view.lien.creditor ?? "Another creditor"} holds a prohibition on this VIN. The final payment waits until it is released and the
              bank's own is registered.
            </p>
          )}
          <div className="actions">
            <button
              data-testid="request-lien"
              disabled={busy || !approved || lien === "requested" || lien === "registered" || lien === "foreign"}
              onClick={() => act(api.requestLien(caseId))}
            >
              Request prohibition
            </button>
            <button data-testid="check-registry" onClick={() => { api.syncNow().catch(() => undefined); reload(); }}>Check the registry now</button>
          </div>
        </div>
        <div className="card" data-testid="conditions">
          <h3>Conditions before disbursement (§6) — {view.today}</h3>
          {view.conditions.map((c) => (
            <div key={c.rule} className="condition" data-code={c.code}>
              <span className={`pill cond-${c.status}`}>{c.status}</span> <span className="mono">{c.rule}</span> {c.message}
            </div>
          ))}
          <p className="muted small">Seller: {SELLER[view.seller_kind] ?? view.seller_kind}. Loan money waits for the registered prohibition (passport §3); the client's own down payment does not.</p>
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
