// The printed credit agreement: the pages as they will print (SVG drawn by Rust from the
// same layout as the PDF), in Uzbek or Russian, and Print, which writes the PDF and hands it
// to the system's viewer. What may be printed is Rust's decision; a refusal names what is
// missing.
import { useEffect, useState } from "react";
import type { AgreementPreview, AppError, PrintedFile } from "./bindings";
import { api } from "./api";

type Lang = "uz" | "ru";

export function AgreementStep({ caseId, version }: { caseId: string; version: number }) {
  const [lang, setLang] = useState<Lang>("uz");
  const [preview, setPreview] = useState<AgreementPreview | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [printed, setPrinted] = useState<PrintedFile | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setPrinted(null);
    api.agreementPreview(caseId, lang).then(
      (p) => { setPreview(p); setError(null); },
      (e) => { setPreview(null); setError(e); },
    );
  }, [caseId, lang, version]);
  const print = () => {
    setBusy(true);
    api.printAgreement(caseId, lang).then(setPrinted, setError).finally(() => setBusy(false));
  };
  return (
    <div data-testid="agreement">
      <div className="actions">
        <span>Language:</span>
        {(["uz", "ru"] as Lang[]).map((l) => (
          <button key={l} data-lang={l} className={lang === l ? "active" : ""} onClick={() => setLang(l)}>
            {l === "uz" ? "Oʻzbekcha" : "Русский"}
          </button>
        ))}
        <span className="spacer" />
        <button id="print-agreement" className="primary" disabled={!preview || busy} onClick={print}>
          Print…
        </button>
      </div>
      {error && (
        <div className="not-yet" data-testid="agreement-refused">
          <span className="mono">{error.code}</span> {error.message}
        </div>
      )}
      {printed && (
        <div className="notice" data-testid="agreement-printed">
          Saved <span className="mono">{printed.path}</span>
          {printed.opened ? " — opened in the system's viewer; print it from there." : " — open it with a PDF viewer to print."}
        </div>
      )}
      {preview && (
        <>
          <p className="muted small" data-testid="agreement-stamp">
            {preview.pages.length} pages · printed from case version v{preview.version} · SHA-256 {preview.short_hash}
          </p>
          <div className="pages">
            {preview.pages.map((svg, i) => (
              <img
                key={i}
                className="page"
                data-testid="agreement-page"
                alt={`page ${i + 1}`}
                src={"data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg)}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
