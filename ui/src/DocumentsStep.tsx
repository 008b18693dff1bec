// The documents step: the §7 checklist per party, each document with its scans, the
// underwriter's verdict (verified, or rejected with a reason: who and when are kept), and
// the viewer beside it. What a file is, whether a verdict may be given and what it does
// to the decision are Rust's (uw-app `attachments`); this file shows and sends. "Verified"
// is disabled for an identity document whose party's PINFL or document number fails
// (`blocked`; the service refuses it too: uw-app `checks`).
import { lazy, Suspense, useEffect, useState } from "react";
import type { AppError, Attachment, CaseView, DocumentKind, DocumentStatus, ScanList } from "./bindings";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { useWords } from "./language";
// pdf.js is large: loaded when a scan is first shown, not at start.
const ScanViewer = lazy(() => import("./ScanViewer").then((m) => ({ default: m.ScanViewer })));

type Line = { kind: string; party: number; status: DocumentStatus | null; required: boolean; verdict: boolean };

/** A line's papers, oldest version first. */
function versions(view: CaseView, line: Line) {
  return view.case.documents
    .filter((d) => d.kind === line.kind && d.party === line.party)
    .sort((a, b) => (a.version ?? 1) - (b.version ?? 1));
}

/** The checklist: the required documents, the passport's "other" papers (a verdict, no
 * effect on P-DOCS), then the insurance policies' scans. */
function lines(view: CaseView): Line[] {
  const required: Line[] = view.required_documents.map((d) => ({ kind: d.kind, party: d.party, status: d.status, required: true, verdict: true }));
  const otherLine: Line = { kind: "other", party: 0, status: null, required: false, verdict: true };
  otherLine.status = versions(view, otherLine).pop()?.status ?? null;
  const policies: Line = { kind: "insurance_policy", party: 0, status: null, required: false, verdict: false };
  return [...required, otherLine, policies];
}

export function DocumentsStep({ view, dirty, onCaseChanged }: { view: CaseView; dirty: boolean; onCaseChanged: (v: CaseView) => void }) {
  const { t, dateTime, word } = useWords();
  const caseId = view.case_id;
  const [list, setList] = useState<ScanList | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [shown, setShown] = useState<Attachment | null>(null);
  const [paths, setPaths] = useState<Record<string, string>>({});
  const [reasons, setReasons] = useState<Record<string, string>>({});
  useEffect(() => {
    api.scans(caseId).then(setList, setError);
  }, [caseId, view.version]);
  // A scan may change the case too (a new version after a rejection): the case is read
  // again after each.
  const took = (p: Promise<ScanList | null>) =>
    p.then((l) => {
      if (l) {
        setList(l);
        setError(null);
        // (Never over unsaved edits: a scan waits for the save — the buttons say so.)
        if (!dirty) api.openCase(caseId).then((v) => { if (v.version !== view.version) onCaseChanged(v); }, setError);
      }
    }, setError);
  const mark = (kind: string, party: number, status: DocumentStatus, reason: string | null) =>
    api.markDocument(caseId, view.version, kind as DocumentKind, party, status, reason).then(
      (v) => { setError(null); onCaseChanged(v); },
      setError,
    );
  const checks = view.identity_checks;
  return (
    <div className="documents-layout">
      <div className="card documents" data-testid="documents">
        <ErrorBanner error={error} onClose={() => setError(null)} />
        {dirty && <p className="muted small">{t("common.saveFirst")}</p>}
        <table className="grid compact">
          <thead>
            <tr><th>{t("docs.party")}</th><th>{t("docs.document")}</th><th>{t("docs.scans")}</th><th>{t("col.status")}</th></tr>
          </thead>
          <tbody>
            {lines(view).map((line) => {
              const key = `${line.kind}-${line.party}`;
              const papers = versions(view, line);
              const doc = papers[papers.length - 1];
              // A rejected version is final: the next scan starts the next version.
              const final = line.status === "rejected";
              const scans = list?.scans.filter((s) => s.kind === line.kind && s.party === line.party) ?? [];
              const blocked = line.kind === "identity" && checks[line.party] !== undefined && !checks[line.party].valid;
              return (
                <tr key={key} data-testid="doc-line" data-kind={line.kind} data-party={line.party}>
                  <td>{view.case.parties[line.party]?.full_name}</td>
                  <td>
                    {word("docKind", line.kind)}
                    {!line.required && <small className="muted"> ({t(line.verdict ? "docs.notRequired" : "docs.optional")})</small>}
                  </td>
                  <td>
                    {scans.map((s) => (
                      <div key={s.id} className={`scan ${shown?.id === s.id ? "shown" : ""}`}>
                        <button className="link" data-testid="scan" onClick={() => setShown(s)}>
                          {s.file_name}
                        </button>{" "}
                        <small className="muted">{t("docs.pages", { n: s.pages })}</small>{" "}
                        <button className="link" title={t("docs.remove")} onClick={() => { if (shown?.id === s.id) setShown(null); took(api.removeScan(caseId, s.id)); }}>×</button>
                      </div>
                    ))}
                    <div className="import-row">
                      <input
                        name={`scan-path-${key}`}
                        placeholder={t("docs.pathHint")}
                        value={paths[key] ?? ""}
                        onChange={(e) => setPaths({ ...paths, [key]: e.target.value })}
                      />
                      <button
                        data-testid={`attach-${key}`}
                        disabled={dirty || !(paths[key] ?? "").trim()}
                        onClick={() => took(api.attachScans(caseId, line.kind, line.party, (paths[key] ?? "").split(";").map((p) => p.trim()).filter(Boolean)).then((l) => { setPaths({ ...paths, [key]: "" }); return l; }))}
                      >
                        {t("docs.attach")}
                      </button>
                      <button disabled={dirty} onClick={() => took(api.pickScans(caseId, line.kind, line.party))}>…</button>
                    </div>
                  </td>
                  <td>
                    {line.verdict ? (
                      <>
                        <span className={`pill doc-${line.status ?? "absent"}`} data-testid={`doc-status-${key}`}>
                          {word("doc", line.status ?? "absent")}
                        </span>
                        {doc && (doc.version ?? 1) > 1 && <small className="mono" data-testid={`doc-version-${key}`}> v{doc.version}</small>}
                        {doc?.checked && (
                          <small className="muted" data-testid={`doc-checked-${key}`}>
                            {" "}{t("docs.checkedBy", { by: doc.checked.by, at: dateTime(doc.checked.at) })}
                            {doc.checked.reason ? `: ${doc.checked.reason}` : ""}
                          </small>
                        )}
                        {papers.slice(0, -1).map((p) => (
                          <div key={p.version ?? 1} className="small muted" data-testid={`doc-earlier-${key}`}>
                            {t("docs.earlierVersion", { v: p.version ?? 1, status: word("doc", p.status) })}
                            {p.checked?.reason ? `: ${p.checked.reason}` : ""}
                          </div>
                        ))}
                        {final && <small className="muted" data-testid={`doc-final-${key}`}> {t("docs.rejectedFinal")}</small>}
                        <div className="import-row">
                          <button
                            data-testid={`verify-${key}`}
                            disabled={dirty || blocked || final || line.status === "verified"}
                            title={blocked ? t("identity.blockedShort") : undefined}
                            onClick={() => mark(line.kind, line.party, "verified", null)}
                          >
                            {t("docs.verify")}
                          </button>
                          <input
                            name={`reject-reason-${key}`}
                            placeholder={t("docs.reasonHint")}
                            value={reasons[key] ?? ""}
                            onChange={(e) => setReasons({ ...reasons, [key]: e.target.value })}
                          />
                          <button
                            data-testid={`reject-${key}`}
                            disabled={dirty || final || !(reasons[key] ?? "").trim()}
                            onClick={() => mark(line.kind, line.party, "rejected", reasons[key] ?? "")}
                          >
                            {t("docs.reject")}
                          </button>
                        </div>
                        {blocked && <small className="bad" data-testid={`identity-blocked-${line.party}`}>{t("identity.blockedShort")}</small>}
                      </>
                    ) : (
                      <small className="muted">{t("docs.policiesNote")}</small>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="card viewer-card">
        {shown ? (
          <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
            <ScanViewer key={shown.id} caseId={caseId} scan={shown} />
          </Suspense>
        ) : (
          <p className="muted">{t("viewer.pick")}</p>
        )}
      </div>
    </div>
  );
}
