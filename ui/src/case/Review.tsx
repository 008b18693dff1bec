// The review step: where the case stands in the two-person check, the maker's figures beside
// the ones re-derived now, the submission, and the reviewer's sign-off (approve — or by
// exception —, reject, return). What is allowed is the service's (`review::step`, the
// coherent-approval gate); this shows it and sends.
import { useEffect, useState } from "react";
import type { AppError, CaseView, Evaluation, ReviewDecision, ReviewView } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { type Key } from "../i18n";
import { ApprovalNotice, approvable, ExceptionRecord } from "../ApprovalException";
import { useWords } from "../language";

export function Review(props: { caseId: string; view: CaseView; synced: number; dirty: boolean; engine: Evaluation | null; onCaseChanged: (v: CaseView) => void }) {
  const { t, money, dateTime, word, statusText, decisionText } = useWords();
  const { caseId, view } = props;
  const [review, setReview] = useState<ReviewView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [decision, setDecision] = useState<ReviewDecision>(props.engine?.decision === "approve" ? "approve" : "reject");
  const [text, setText] = useState("");
  const [password, setPassword] = useState("");
  const [reason, setReason] = useState("");
  useEffect(() => {
    api.review(caseId).then(setReview, setError);
  }, [caseId, view.version, props.synced]);
  if (!review) return <ErrorBanner error={error} />;
  const w = review.workflow;
  const can = (a: string) => review.allowed.includes(a);
  const done = (p: Promise<CaseView>) =>
    p.then((v) => { setText(""); setPassword(""); setReason(""); setError(null); props.onCaseChanged(v); }, setError);
  return (
    <div className="card" data-testid="review">
      <p>
        {t("review.stage")} <span className={`pill status-${w.stage}`} data-testid="review-stage">{statusText(w.stage)}</span>
        {w.maker && <> · {t("review.maker")} <b>{w.maker}</b></>}
        {w.checker && <> · {t("review.checker")} <b>{w.checker}</b></>}
      </p>
      {w.proposal && (
        <p data-testid="proposal">
          {t("review.proposes")} <b>{decisionText(w.proposal.decision)}</b>: {w.proposal.justification}
        </p>
      )}
      {w.return_comment && <p className="warn">{t("review.returned", { comment: w.return_comment })}</p>}
      {w.proposal && w.stage === "submitted" && (
        <table className="grid compact figures" data-testid="figures">
          <thead><tr><th>{t("review.figure")}</th><th className="num">{t("review.makers")}</th><th className="num">{t("review.rederived")}</th></tr></thead>
          <tbody>
            {([
              ["review.avgIncome", w.proposal.figures.average_monthly_income, review.rederived.average_monthly_income],
              ["review.dti", w.proposal.figures.dti, review.rederived.dti],
              ["review.ltv", w.proposal.figures.ltv, review.rederived.ltv],
              ["metric.maxPayment", w.proposal.figures.max_monthly_payment, review.rederived.max_monthly_payment],
            ] as [Key, string | null, string | null][]).map(([name, a, b]) => (
              <tr key={name} className={a !== b ? "differs" : ""}>
                <td>{t(name)}</td><td className="num">{money(a)}</td><td className="num">{money(b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {review.differences.length > 0 && (
        <p className="bad" data-testid="differences">{t("review.differ")}</p>
      )}
      {w.editors.length > 0 && w.stage !== "approved" && w.stage !== "rejected" && (
        <p className="muted small" data-testid="review-editors">{t("review.editors", { who: w.editors.join(", ") })}</p>
      )}
      {w.pending && (
        <p className="notice" data-testid="review-pending">
          {t("review.pending", { action: word("action", w.pending.action), who: w.pending.signer, at: dateTime(w.pending.signed_at) })}
        </p>
      )}
      {w.refusal && (
        <div className="error" role="alert" data-testid="review-refusal">
          {t("review.refused", { action: word("action", w.refusal.action), who: w.refusal.signer })} <strong>{w.refusal.code}</strong> {w.refusal.message}
        </div>
      )}
      {w.exception && <ExceptionRecord exception={w.exception} />}
      {w.accepted_at && <p className="small muted" data-testid="review-accepted">{t("review.accepted", { at: dateTime(w.accepted_at) })}</p>}
      {can("submit") && (
        <div className="form">
          <label className="field">
            <span>{t("review.myDecision")}</span>
            <select name="review-decision" value={decision} onChange={(e) => setDecision(e.target.value as ReviewDecision)}>
              <option value="approve">{t("decision.approve")}</option>
              <option value="reject">{t("decision.reject")}</option>
            </select>
          </label>
          <label className="field"><span>{t("review.justification")}</span><input name="review-text" value={text} onChange={(e) => setText(e.target.value)} /></label>
          <div>
            <button id="submit-case" className="primary" disabled={props.dirty || text.trim() === ""} onClick={() => done(api.submit(caseId, view.version, decision, text))}>
              {t("review.submit")}
            </button>
            {props.dirty && <small className="muted"> {t("common.saveFirst")}</small>}
          </div>
        </div>
      )}
      {(can("approve") || can("reject") || can("return")) && (
        <div className="form">
          <label className="field"><span>{t("review.comment")}</span><input name="review-text" value={text} onChange={(e) => setText(e.target.value)} /></label>
          {can("approve") && <ApprovalNotice need={review.approval} reason={reason} onReason={setReason} />}
          <label className="field"><span>{t("review.password")}</span><input name="signoff-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <div className="import-row">
            {can("approve") && (
              <button id="approve-case" className="primary" disabled={!password || review.differences.length > 0 || !approvable(review.approval, reason)}
                onClick={() => done(api.approve(caseId, view.version, password, review.approval.exception ? reason : null))}>
                {t("review.approve")}
              </button>
            )}
            {can("reject") && <button id="reject-case" disabled={!password || !text.trim()} onClick={() => done(api.reject(caseId, view.version, text, password))}>{t("review.reject")}</button>}
            {can("return") && <button id="return-case" disabled={!text.trim()} onClick={() => done(api.returnCase(caseId, view.version, text))}>{t("review.return")}</button>}
          </div>
        </div>
      )}
      {w.stage === "submitted" && !can("approve") && (
        <p className="muted" data-testid="review-waiting">{t("review.waiting")}</p>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <p className="small muted">
        {t("review.recorded")}{" "}
        {view.case.review
          ? t("review.recordedLine", { decision: decisionText(view.case.review.decision), maker: view.case.review.maker, checker: view.case.review.checker, at: dateTime(view.case.review.signed_at) })
          : t("common.none")}
      </p>
    </div>
  );
}
