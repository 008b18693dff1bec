// Who works the case, in the case's head: the assignee; "Take the case" for an underwriter
// when it is free; "Give to …" for a supervisor. The window offers what the service would
// accept (`may_claim`, `may_reassign`); the bank decides, and its assignee comes back with
// the next sync.
import { useEffect, useState } from "react";
import type { AppError, AssignmentView } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { useWords } from "../language";

function Give({ caseId, onDone }: { caseId: string; onDone: (p: Promise<AssignmentView>) => void }) {
  const { t } = useWords();
  const [to, setTo] = useState("");
  return (
    <span className="assignment-give">
      <input name="reassign-to" aria-label={t("assignment.to")} placeholder={t("assignment.to")} value={to} onChange={(e) => setTo(e.target.value)} size={12} />
      <button id="reassign-case" disabled={to.trim() === ""} onClick={() => { onDone(api.reassignCase(caseId, to)); setTo(""); }}>
        {t("assignment.give")}
      </button>
    </span>
  );
}

export function Assignment({ caseId, synced }: { caseId: string; synced: number }) {
  const { t } = useWords();
  const [view, setView] = useState<AssignmentView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.caseAssignment(caseId).then(setView, setError);
  }, [caseId, synced]);
  const run = (p: Promise<AssignmentView>) => p.then((v) => { setView(v); setError(null); }, setError);
  if (!view) return <ErrorBanner error={error} />;
  return (
    <span className="assignment" data-testid="assignment">
      <span data-testid="assignee">
        {view.assignee ? t("assignment.with", { who: view.assignee }) : t("assignment.none")}
        {view.waiting && <span className="muted" title={t("assignment.waitingTitle")}> · {t("assignment.waiting")}</span>}
      </span>
      {view.may_claim && <button id="claim-case" onClick={() => run(api.claimCase(caseId))}>{t("assignment.claim")}</button>}
      {view.may_reassign && <Give caseId={caseId} onDone={run} />}
      <ErrorBanner error={error} onClose={() => setError(null)} />
    </span>
  );
}
