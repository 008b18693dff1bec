// The case screen: its head (who works it, the stage, the engine's word), the steps and the
// draft they edit, saved as a whole; each step's form is a file of ./case/.
import { useEffect, useMemo, useRef, useState } from "react";
import type { AppError, CaseFile, CaseView, Evaluation } from "./bindings";
import { typing } from "./keys";
import { api } from "./api";
import { listen } from "@tauri-apps/api/event";
import { setIn } from "./format";
import { Review } from "./case/Review";
import { type Edit } from "./case/Field";
import { Parties } from "./case/Parties";
import { Income } from "./case/Income";
import { Vehicle } from "./case/Vehicle";
import { LoanDecision } from "./case/Loan";
import { History } from "./case/History";
import { Notes } from "./Notes";
import { Assignment } from "./case/Assignment";
import { Conditions } from "./case/Conditions";
import { ErrorBanner } from "./App";
import { Statements } from "./IncomeStep";
import { DisbursementStep } from "./DisbursementStep";
import { AgreementStep } from "./AgreementStep";
import { DocumentsStep } from "./DocumentsStep";
import { useWords } from "./language";

type Step = "parties" | "income" | "vehicle" | "loan" | "documents" | "review" | "disbursement" | "agreement" | "history";

const STEPS: Step[] = ["parties", "income", "vehicle", "loan", "documents", "review", "disbursement", "agreement", "history"];

export function CaseScreen({ caseId, onBack, onNext, onShortcuts }: { caseId: string; onBack: () => void; onNext: (() => void) | null; onShortcuts: () => void }) {
  const { t, statusText, decisionText } = useWords();
  const [view, setView] = useState<CaseView | null>(null);
  const [draft, setDraft] = useState<CaseFile | null>(null);
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [draftError, setDraftError] = useState<AppError | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [step, setStep] = useState<Step>("parties");
  const [notice, setNotice] = useState<string | null>(null);

  const load = (v: CaseView) => {
    setView(v);
    setDraft(v.case);
    setEvaluation(v.evaluation);
  };
  useEffect(() => {
    api.openCase(caseId).then(load, setError);
    // Leaving the case releases its edit lock for the next person.
    return () => void api.releaseCase(caseId).catch(() => undefined);
  }, [caseId]);

  const dirty = useMemo(() => view !== null && JSON.stringify(draft) !== JSON.stringify(view.case), [draft, view]);

  // A sync pass may bring the bank's answer (a sign-off accepted or refused, a newer
  // version): the case is read again — unless it holds unsaved edits, which stay as typed.
  const [synced, setSynced] = useState(0);
  const dirtyNow = useRef(false);
  dirtyNow.current = dirty;
  useEffect(() => {
    const unlisten = listen("sync-status", () => {
      setSynced((n) => n + 1);
      if (!dirtyNow.current) api.openCase(caseId).then(load, () => undefined);
    });
    return () => void unlisten.then((f) => f());
  }, [caseId]);

  // Live decision: every edit is re-evaluated (unsaved) after a short pause.
  useEffect(() => {
    if (!draft || !dirty) {
      if (view) { setEvaluation(view.evaluation); setDraftError(null); }
      return;
    }
    const t = setTimeout(() => {
      api.evaluate(draft).then((e) => { setEvaluation(e); setDraftError(null); }, setDraftError);
    }, 150);
    return () => clearTimeout(t);
  }, [draft, dirty, view]);

  // Keyboard: n next case, Esc back to the queue, Ctrl+S save, ? the list. Unsaved edits
  // keep the case open (a notice says so) rather than being dropped by a key.
  const keys = useRef({ save: () => undefined as unknown, canSave: false, dirty: false });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        if (keys.current.canSave) keys.current.save();
        return;
      }
      if (e.ctrlKey || e.altKey || e.metaKey || typing(e)) return;
      const leave = (go: () => void) => {
        e.preventDefault();
        if (keys.current.dirty) setNotice(t("case.unsavedLeave"));
        else go();
      };
      if (e.key === "Escape") leave(onBack);
      else if (e.key === "n" && onNext) leave(onNext);
      else if (e.key === "?") { e.preventDefault(); onShortcuts(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onBack, onNext, onShortcuts, t]);

  if (error && !view) return <main className="case"><button onClick={onBack}>{t("case.back")}</button><ErrorBanner error={error} /></main>;
  if (!view || !draft) return <main className="case">{t("common.loading")}</main>;

  const edit: Edit = (path, value) => setDraft((d) => (d ? setIn(d, path, value) : d));
  const save = () =>
    api.saveCase(caseId, view.version, draft).then(
      (v) => { load(v); setNotice(t("case.savedVersion", { v: v.version })); setError(null); },
      setError,
    );
  const exportCase = () =>
    api.exportCase(caseId).then((p) => p && setNotice(t("case.exportedTo", { path: p })), setError);
  // One editor at a time, and no edits while a case is under review or decided (the
  // service enforces both; the window says so up front).
  const readOnly = view.editing_by
    ? t("case.ro.editing", { who: view.editing_by })
    : view.status === "submitted"
      ? t("case.ro.submitted")
      : view.status === "approved"
        ? t("case.ro.approved")
        : view.status === "rejected"
          ? t("case.ro.rejected")
          : null;
  const borrower = draft.parties.find((p) => p.role === "borrower") ?? draft.parties[0];
  keys.current = { save, canSave: dirty && readOnly === null, dirty };

  return (
    <main className="case" data-testid="case-view" data-case-id={caseId}>
      <div className="case-head">
        <button id="back-to-queue" onClick={onBack}>{t("case.back")}</button>
        <h1 className="mono">{caseId}</h1>
        <span className="muted">{borrower?.full_name}</span>
        <span className={`pill status-${view.status}`}>{statusText(view.status)}</span>
        {evaluation && <span className={`pill decision-${evaluation.decision}`} data-testid="decision">{decisionText(evaluation.decision)}</span>}
        <span className="muted">v{view.version}</span>
        <Assignment caseId={caseId} synced={synced} />
        <span className="spacer" />
        {onNext && <button id="next-case" onClick={onNext} disabled={dirty} title={t("case.nextTitle")}>{t("case.next")}</button>}
        <button onClick={exportCase}>{t("case.export")}</button>
        <button id="save-case" className="primary" disabled={!dirty || readOnly !== null} onClick={save}>
          {dirty ? t("case.save") : t("case.saved")}
        </button>
      </div>
      <nav className="steps">
        {STEPS.map((s) => (
          <button key={s} data-step={s} className={step === s ? "active" : ""} onClick={() => setStep(s)}>
            {t(`step.${s}`)}
          </button>
        ))}
      </nav>
      {notice && <div className="notice" data-testid="notice">{notice}</div>}
      {readOnly && step !== "disbursement" && step !== "agreement" && <div className="not-yet" data-testid="read-only">{t("case.readOnly", { why: readOnly })}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {draftError && <ErrorBanner error={draftError} />}
      <section className="step-body">
        {step === "parties" && (
          <Parties
            draft={draft}
            edit={edit}
            view={view}
            busy={dirty || readOnly !== null}
            run={(p) => p.then((v) => { load(v); setError(null); }, setError)}
          />
        )}
        {step === "income" && (
          <>
            <Statements
              view={view}
              dirty={dirty}
              onCaseChanged={(v) => { load(v); setNotice(t("case.statementUsed", { v: v.version })); setError(null); }}
            />
            <Income draft={draft} edit={edit} evaluation={evaluation} />
          </>
        )}
        {step === "vehicle" && <Vehicle draft={draft} edit={edit} savedVin={view.vin} evaluation={evaluation} onLien={() => setStep("disbursement")} />}
        {step === "loan" && (
          <LoanDecision
            draft={draft}
            edit={edit}
            evaluation={evaluation}
            onTake={dirty || readOnly ? null : (term) =>
              api.takeCounterOffer(caseId, view.version, term).then(
                (v) => { load(v); setNotice(t("case.offerTaken", { term, v: v.version })); setError(null); },
                setError,
              )}
          />
        )}
        {step === "documents" && (
          <DocumentsStep view={view} dirty={dirty} onCaseChanged={(v) => { load(v); setNotice(t("case.savedVersion", { v: v.version })); setError(null); }} />
        )}
        {step === "review" && (
          <Review
            caseId={caseId}
            view={view}
            synced={synced}
            dirty={dirty}
            engine={evaluation}
            onCaseChanged={(v) => {
              // A sign-off waiting for the bank moves no stage: the review step says so.
              const moved = v.status !== view.status;
              load(v);
              setNotice(moved ? t("case.stageNotice", { status: statusText(v.status), v: v.version }) : null);
              setError(null);
            }}
          />
        )}
        {step === "review" && <Conditions caseId={caseId} synced={synced} />}
        {step === "review" && <Notes caseId={caseId} synced={synced} />}
        {step === "disbursement" && (
          <DisbursementStep caseId={caseId} onCaseChanged={() => api.openCase(caseId).then(load, setError)} />
        )}
        {step === "disbursement" && <Conditions caseId={caseId} synced={synced} />}
        {step === "agreement" && <AgreementStep caseId={caseId} version={view.version} status={view.status} />}
        {step === "history" && <History caseId={caseId} version={view.version} />}
      </section>
    </main>
  );
}

