// The rejection letter of a rejected case: the reasons in plain words, what the client
// could change and the engine's counter-offers, written by Rust (uw-agreement) in Uzbek or
// Russian and handed to the system's viewer. What may be printed is Rust's decision; a
// refusal names why.
import { useState } from "react";
import type { AppError, PrintedFile } from "./bindings";
import { api } from "./api";
import { language, t } from "./i18n";

type Lang = "uz" | "ru";

export function RejectionLetter({ caseId }: { caseId: string }) {
  const [lang, setLang] = useState<Lang>(language() === "ru" ? "ru" : "uz");
  const [error, setError] = useState<AppError | null>(null);
  const [printed, setPrinted] = useState<PrintedFile | null>(null);
  const [busy, setBusy] = useState(false);
  const print = () => {
    setBusy(true);
    setError(null);
    setPrinted(null);
    api.printRejectionLetter(caseId, lang).then(setPrinted, setError).finally(() => setBusy(false));
  };
  return (
    <div data-testid="rejection-letter">
      <p>{t("letter.about")}</p>
      <div className="actions">
        <span>{t("letter.language")}</span>
        {(["uz", "ru"] as Lang[]).map((l) => (
          <button key={l} data-lang={l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
            {t(`lang.${l}`)}
          </button>
        ))}
        <span className="spacer" />
        <button id="print-letter" className="primary" disabled={busy} onClick={print}>
          {t("letter.print")}
        </button>
      </div>
      {error && (
        <div className="not-yet" data-testid="letter-refused">
          <span className="mono">{error.code}</span> {error.message}
        </div>
      )}
      {printed && (
        <div className="notice" data-testid="letter-printed">
          {t("agreement.saved")} <span className="mono">{printed.path}</span>
          {printed.opened ? t("agreement.opened") : t("agreement.openIt")}
        </div>
      )}
    </div>
  );
}
