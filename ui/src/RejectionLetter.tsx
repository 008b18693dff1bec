// The rejection letter of a rejected case: the reasons in plain words, what the client
// could change and the engine's counter-offers, written by Rust (uw-agreement) in Uzbek or
// Russian and handed to the system's viewer. What may be printed is Rust's decision; a
// refusal names why.
import { api } from "./api";
import { LangButtons, PrintOutcome, usePrint } from "./PrintPaper";
import { useWords } from "./language";

export function RejectionLetter({ caseId }: { caseId: string }) {
  const { t } = useWords();
  const p = usePrint((lang) => api.printRejectionLetter(caseId, lang));
  return (
    <div data-testid="rejection-letter">
      <p>{t("letter.about")}</p>
      <div className="actions">
        <span>{t("letter.language")}</span>
        <LangButtons lang={p.lang} setLang={p.setLang} />
        <span className="spacer" />
        <button id="print-letter" className="primary" disabled={p.busy} onClick={p.run}>
          {t("letter.print")}
        </button>
      </div>
      <PrintOutcome error={p.error} printed={p.printed} testid="letter" />
    </div>
  );
}
