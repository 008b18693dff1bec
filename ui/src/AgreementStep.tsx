// The printed credit agreement: the pages as they will print (SVG drawn by Rust from the
// same layout as the PDF), in Uzbek or Russian, and Print, which writes the PDF and hands it
// to the system's viewer. What may be printed is Rust's decision; a refusal names what is
// missing.
import { useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { AgreementPreview, AppError, PrintedFile } from "./bindings";
import { api } from "./api";
import { RejectionLetter } from "./RejectionLetter";
import { DecisionMemo } from "./DecisionMemo";
import { useWords } from "./language";

/** The agreement's own language (its templates exist in Uzbek and Russian), apart from
 * the window's. */
type Lang = "uz" | "ru";

export function AgreementStep({ caseId, version, status }: { caseId: string; version: number; status: string }) {
  // A rejected case's paper is the letter to the client; a decided case's credit file
  // gets the decision memo, above the paper (whose preview loads after and would move it).
  const decided = status === "approved" || status === "rejected";
  return (
    <>
      {decided && <DecisionMemo caseId={caseId} />}
      {status === "rejected" ? <RejectionLetter caseId={caseId} /> : <Agreement caseId={caseId} version={version} />}
    </>
  );
}

function Agreement({ caseId, version }: { caseId: string; version: number }) {
  const { lang: windowLang, t } = useWords();
  const [lang, setLang] = useState<Lang>(windowLang === "ru" ? "ru" : "uz");
  const [preview, setPreview] = useState<AgreementPreview | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [printed, setPrinted] = useState<PrintedFile | null>(null);
  const [busy, setBusy] = useState(false);
  // Asked again after each sync while refused: the bank's acceptance of the approval, which
  // the agreement waits for, arrives with a sync.
  const [synced, setSynced] = useState(0);
  useEffect(() => {
    setPrinted(null);
    api.agreementPreview(caseId, lang).then(
      (p) => { setPreview(p); setError(null); },
      (e) => { setPreview(null); setError(e); },
    );
  }, [caseId, lang, version, synced]);
  const refused = preview === null && error !== null;
  useEffect(() => {
    if (!refused) return;
    const unlisten = listen("sync-status", () => setSynced((n) => n + 1));
    return () => void unlisten.then((f) => f());
  }, [refused]);
  const print = () => {
    setBusy(true);
    api.printAgreement(caseId, lang).then(setPrinted, setError).finally(() => setBusy(false));
  };
  return (
    <div data-testid="agreement">
      <div className="actions">
        <span>{t("agreement.language")}</span>
        {(["uz", "ru"] as Lang[]).map((l) => (
          <button key={l} data-lang={l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
            {t(`lang.${l}`)}
          </button>
        ))}
        <span className="spacer" />
        <button id="print-agreement" className="primary" disabled={!preview || busy} onClick={print}>
          {t("agreement.print")}
        </button>
      </div>
      {error && (
        <div className="not-yet" data-testid="agreement-refused">
          <span className="mono">{error.code}</span> {error.message}
        </div>
      )}
      {printed && (
        <div className="notice" data-testid="agreement-printed">
          {t("agreement.saved")} <span className="mono">{printed.path}</span>
          {printed.opened ? t("agreement.opened") : t("agreement.openIt")}
        </div>
      )}
      {preview && (
        <>
          <p className="muted small" data-testid="agreement-stamp">
            {t("agreement.stamp", { n: preview.pages.length, v: preview.version, hash: preview.short_hash })}
          </p>
          <div className="pages">
            {preview.pages.map((svg, i) => (
              <img
                key={i}
                className="page"
                data-testid="agreement-page"
                alt={t("agreement.page", { n: i + 1 })}
                src={"data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg)}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
