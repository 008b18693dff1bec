// The decision memo of a decided case, for the credit file: the engine's figures and
// reasons with their rule IDs, the conditions, the proposal, an exception, the notes and
// the signatures' fingerprints — written by Rust (uw-agreement), marked as an internal
// paper, handed to the system's viewer. What may be printed is Rust's decision.
import { useState } from "react";
import type { AppError, PrintedFile } from "./bindings";
import { api } from "./api";
import { language, t } from "./i18n";

type Lang = "uz" | "ru";

export function DecisionMemo({ caseId }: { caseId: string }) {
  const [lang, setLang] = useState<Lang>(language() === "ru" ? "ru" : "uz");
  const [error, setError] = useState<AppError | null>(null);
  const [printed, setPrinted] = useState<PrintedFile | null>(null);
  const [busy, setBusy] = useState(false);
  const print = () => {
    setBusy(true);
    setError(null);
    setPrinted(null);
    api.printDecisionMemo(caseId, lang).then(setPrinted, setError).finally(() => setBusy(false));
  };
  return (
    <div className="card" data-testid="decision-memo">
      <h3>{t("memo.title")}</h3>
      <p className="muted">{t("memo.about")}</p>
      <div className="actions">
        {(["uz", "ru"] as Lang[]).map((l) => (
          <button key={l} data-lang={l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
            {t(`lang.${l}`)}
          </button>
        ))}
        <span className="spacer" />
        <button id="print-memo" disabled={busy} onClick={print}>{t("memo.print")}</button>
      </div>
      {error && (
        <div className="not-yet" data-testid="memo-refused">
          <span className="mono">{error.code}</span> {error.message}
        </div>
      )}
      {printed && (
        <div className="notice" data-testid="memo-printed">
          {t("agreement.saved")} <span className="mono">{printed.path}</span>
          {printed.opened ? t("agreement.opened") : t("agreement.openIt")}
        </div>
      )}
    </div>
  );
}
