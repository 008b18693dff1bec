// The decision memo of a decided case, for the credit file: the engine's figures and
// reasons with their rule IDs, the conditions, the proposal, an exception, the notes and
// the signatures' fingerprints — written by Rust (uw-agreement), marked as an internal
// paper, handed to the system's viewer. What may be printed is Rust's decision.
import { api } from "./api";
import { LangButtons, PrintOutcome, usePrint } from "./PrintPaper";
import { useWords } from "./language";

export function DecisionMemo({ caseId }: { caseId: string }) {
  const { t } = useWords();
  const p = usePrint((lang) => api.printDecisionMemo(caseId, lang));
  return (
    <div className="card" data-testid="decision-memo">
      <h3>{t("memo.title")}</h3>
      <p className="muted">{t("memo.about")}</p>
      <div className="actions">
        <LangButtons lang={p.lang} setLang={p.setLang} />
        <span className="spacer" />
        <button id="print-memo" disabled={p.busy} onClick={p.run}>{t("memo.print")}</button>
      </div>
      <PrintOutcome error={p.error} printed={p.printed} testid="memo" />
    </div>
  );
}
