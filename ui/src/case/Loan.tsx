// The loan and the decision: the terms, the engine's reasons by passport section, the
// figures, the schedule and the counter-offers.
import type { CaseFile, Evaluation, Reason } from "../bindings";
import { Field, type Edit } from "./Field";
import { useWords } from "../language";

function ReasonList({ reasons }: { reasons: Reason[] }) {
  const { t, word, explain, detail } = useWords();
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
export function LoanDecision({ draft, edit, evaluation, onTake }: { draft: CaseFile; edit: Edit; evaluation: Evaluation | null; onTake: ((term: number) => void) | null }) {
  const { t, money, percent, date, word, decisionText, explain, detail } = useWords();
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
