// What the printed papers beside the agreement share (the rejection letter, the decision
// memo): the paper's own language (uz or ru, apart from the window's), one print at a
// time, the refusal with its code, and where the file went.
import { useState } from "react";
import type { AppError, PrintedFile } from "./bindings";
import { useWords } from "./language";

export type PaperLang = "uz" | "ru";

/** What prints a paper in a language. */
interface Printer {
  (lang: PaperLang): Promise<PrintedFile>;
}

export function usePrint(print: Printer) {
  const { lang: windowLang } = useWords();
  const [lang, setLang] = useState<PaperLang>(windowLang === "ru" ? "ru" : "uz");
  const [error, setError] = useState<AppError | null>(null);
  const [printed, setPrinted] = useState<PrintedFile | null>(null);
  const [busy, setBusy] = useState(false);
  const run = () => {
    setBusy(true);
    setError(null);
    setPrinted(null);
    print(lang).then(setPrinted, setError).finally(() => setBusy(false));
  };
  return { lang, setLang, error, printed, busy, run };
}

export function LangButtons({ lang, setLang }: { lang: PaperLang; setLang: (l: PaperLang) => void }) {
  const { t } = useWords();
  return (
    <>
      {(["uz", "ru"] as PaperLang[]).map((l) => (
        <button key={l} data-lang={l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
          {t(`lang.${l}`)}
        </button>
      ))}
    </>
  );
}

/** The refusal (its code first) or where the printed file went. */
export function PrintOutcome({ error, printed, testid }: { error: AppError | null; printed: PrintedFile | null; testid: string }) {
  const { t } = useWords();
  return (
    <>
      {error && (
        <div className="not-yet" data-testid={`${testid}-refused`}>
          <span className="mono">{error.code}</span> {error.message}
        </div>
      )}
      {printed && (
        <div className="notice" data-testid={`${testid}-printed`}>
          {t("agreement.saved")} <span className="mono">{printed.path}</span>
          {printed.opened ? t("agreement.opened") : t("agreement.openIt")}
        </div>
      )}
    </>
  );
}
