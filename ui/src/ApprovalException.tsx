// Coherent sign-offs in the review panel: an approval agrees with the engine and the
// maker's proposal, or it is an exception — a reason, within the reviewer's authority
// limit. What is coherent is decided in Rust (uw_domain::review::exception) and again by
// the bank; this shows what the service says and asks for the reason.
import type { ApprovalNeed, Exception } from "./bindings";
import { useWords } from "./language";

/** Before an approval: why it would be refused, or the exception's reason field. */
export function ApprovalNotice(props: { need: ApprovalNeed; reason: string; onReason: (r: string) => void }) {
  const { t, money, explain } = useWords();
  const { need } = props;
  if (need.refused) {
    return (
      <p className="bad" data-testid="approval-refused" data-code={need.refused.code}>
        <span className="mono">{need.refused.code}</span> {explain(need.refused.code, need.refused.message)}
      </p>
    );
  }
  if (!need.exception) return null;
  return (
    <div className="notice" data-testid="approval-exception">
      <p>{t("exception.needed", { limit: money(need.limit), role: need.limit_role ?? "—" })}</p>
      <label className="field">
        <span>{t("exception.reason")}</span>
        <input name="exception-reason" value={props.reason} onChange={(e) => props.onReason(e.target.value)} />
      </label>
    </div>
  );
}

/** After an approval by exception: what it overruled and why. */
export function ExceptionRecord({ exception }: { exception: Exception }) {
  const { t, money, decisionText } = useWords();
  return (
    <p className="warn" data-testid="review-exception">
      {t("exception.recorded", { overrules: decisionText(exception.overrules), reason: exception.reason })}
      {exception.limit && <> {t("exception.within", { limit: money(exception.limit), role: exception.role ?? "—" })}</>}
    </p>
  );
}

/** Whether the approve button may be pressed. */
export function approvable(need: ApprovalNeed, reason: string): boolean {
  return !need.refused && (!need.exception || reason.trim() !== "");
}
