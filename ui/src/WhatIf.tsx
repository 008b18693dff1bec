// Passport what-if: a revised product configuration (a file), the open queue re-evaluated
// under it in Rust, and the cases whose decision changes with the rules why. Nothing is
// stored.
import { useState } from "react";
import type { AppError, WhatIfReport } from "./bindings";
import { api, asAppError } from "./api";
import { useWords } from "./language";

export function WhatIf({ onClose, onOpen }: { onClose: () => void; onOpen: (caseId: string) => void }) {
  const { t, statusText, decisionText, explain, detail } = useWords();
  const [path, setPath] = useState("");
  const [report, setReport] = useState<WhatIfReport | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (p: Promise<WhatIfReport | null>) => {
    setBusy(true);
    p.then((r) => { if (r) { setReport(r); setError(null); } }, (e) => setError(asAppError(e))).finally(() => setBusy(false));
  };
  return (
    <section className="panel what-if-panel" role="dialog" aria-labelledby="what-if-title" data-testid="what-if">
      <h2 id="what-if-title">
        {t("whatif.title")}
        <button className="link" onClick={onClose}>{t("common.close")}</button>
      </h2>
      <p className="muted">
        {t("whatif.intro")}
      </p>
      <div className="actions">
        <input name="what-if-path" placeholder="/path/to/revised-product.json" value={path} onChange={(e) => setPath(e.target.value)} />
        <button id="what-if-run" className="primary" disabled={busy || path.trim() === ""} onClick={() => run(api.whatIf(path.trim()))}>
          {t("whatif.run")}
        </button>
        <button disabled={busy} onClick={() => run(api.pickWhatIf())}>{t("whatif.choose")}</button>
      </div>
      {error && (
        <div className="error" role="alert">
          <strong>{error.code}</strong> {error.message}
        </div>
      )}
      {report && (
        <>
          <p data-testid="what-if-summary">
            {t("whatif.summary", { product: report.product, changed: report.changed.length, cases: report.cases })}
            {report.unreadable.length > 0 && t("whatif.unreadable", { n: report.unreadable.length })}.
          </p>
          <table className="grid compact">
            <thead>
              <tr><th>{t("queue.col.case")}</th><th>{t("queue.col.borrower")}</th><th>{t("queue.col.status")}</th><th>{t("whatif.col.decision")}</th><th>{t("whatif.col.why")}</th></tr>
            </thead>
            <tbody>
              {report.changed.map((c) => (
                <tr key={c.case_id} data-testid="what-if-row" data-case-id={c.case_id}>
                  <td><button className="link mono" onClick={() => onOpen(c.case_id)}>{c.case_id}</button></td>
                  <td>{c.borrower}</td>
                  <td>{statusText(c.status)}</td>
                  <td>
                    <span className={`pill decision-${c.before}`}>{decisionText(c.before)}</span> → <span className={`pill decision-${c.after}`}>{decisionText(c.after)}</span>
                  </td>
                  <td>
                    {c.now_failing.map((r) => (
                      <div key={r.rule} className="bad" title={detail(r.message)}><span className="mono">{r.rule} {r.code}</span> {explain(r.code, r.message)}</div>
                    ))}
                    {c.no_longer_failing.map((r) => (
                      <div key={r.rule} className="ok"><span className="mono">{r.rule} {r.code}</span> {t("whatif.passesNow")}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
