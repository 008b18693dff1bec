// The approval's conditions beyond §6: "approve subject to …" with an owner, a due date and
// the disbursement stage that waits for it; met with the evidence or waived by a reviewer
// with the reason — once. The window offers what the service would accept now
// (`may_meet`, `may_waive`); every check (owner, due date, second person) is the service's,
// and the bank's again, shown with its code.
import { useEffect, useState } from "react";
import type { AppError, ConditionClosing, ConditionView, NewCondition } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { useWords } from "../language";

// Whether the service took it (the form clears) or refused it (the banner says why).
type Taken = Promise<boolean>;
type Run = (p: Promise<ConditionView[]>) => Taken;
type Closer = (how: ConditionClosing, words: string) => Taken;

function Standing({ view }: { view: ConditionView }) {
  const { word } = useWords();
  const c = view.condition;
  const state = view.refused ? "refused" : view.overdue ? "overdue" : c.status;
  return <span className={`badge condition-${state}`} data-testid="condition-state">{word("conditions.state", state)}</span>;
}

function Closed({ view }: { view: ConditionView }) {
  const { t, dateTime } = useWords();
  const c = view.condition;
  if (c.status === "open") return null;
  const label = c.status === "met" ? t("conditions.evidence") : t("conditions.reason");
  return (
    <p className="small">
      {label}: <span className="note-text">{c.words}</span> — <b>{c.closed_by}</b> · {dateTime(c.closed_at)}
    </p>
  );
}

function Close({ view, run }: { view: ConditionView; run: Closer }) {
  const { t } = useWords();
  const [words, setWords] = useState("");
  const [busy, setBusy] = useState(false);
  if (!view.may_meet && !view.may_waive) return null;
  const press = (how: ConditionClosing) => {
    setBusy(true);
    run(how, words).then((ok) => { if (ok) setWords(""); }).finally(() => setBusy(false));
  };
  const empty = busy || words.trim() === "";
  return (
    <div className="condition-close">
      <label className="field">
        <span>{t("conditions.words")}</span>
        <input name="condition-words" value={words} onChange={(e) => setWords(e.target.value)} />
      </label>
      {view.may_meet && <button data-testid="condition-meet" disabled={empty} onClick={() => press("meet")}>{t("conditions.meet")}</button>}
      {view.may_waive && <button data-testid="condition-waive" disabled={empty} onClick={() => press("waive")}>{t("conditions.waive")}</button>}
    </div>
  );
}

function Condition({ view, onClose }: { view: ConditionView; onClose: Closer }) {
  const { t, dateTime } = useWords();
  const c = view.condition;
  return (
    <li data-testid="condition" data-status={c.status} data-overdue={view.overdue ? "1" : undefined}>
      <p>
        <Standing view={view} /> <b className="note-text">{c.text}</b>
      </p>
      <p className="small muted">
        {t("conditions.owner")}: {c.owner} · {t("conditions.due")}: {c.due} · {t("conditions.stage", { stage: c.stage })} · {t("conditions.raisedBy", { who: c.raised_by, when: dateTime(c.raised_at) })}
        {view.waiting && <span title={t("conditions.unsentTitle")}> · {t("conditions.unsent")}</span>}
      </p>
      {view.refused && <p className="small" data-testid="condition-refused">{t("conditions.refusedBy", { why: view.refused })}</p>}
      <Closed view={view} />
      <Close view={view} run={onClose} />
    </li>
  );
}

const EMPTY: NewCondition = { text: "", owner: "", due: "", stage: 1 };

function RaiseForm({ run, caseId }: { run: Run; caseId: string }) {
  const { t } = useWords();
  const [draft, setDraft] = useState<NewCondition>(EMPTY);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<NewCondition>) => setDraft({ ...draft, ...patch });
  // One condition per press: a condition is never deleted, so a double press must not raise two.
  const raise = () => {
    setBusy(true);
    run(api.raiseCondition(caseId, draft)).then((ok) => { if (ok) setDraft(EMPTY); }).finally(() => setBusy(false));
  };
  return (
    <div className="form condition-form">
      <label className="field wide">
        <span>{t("conditions.text")}</span>
        <input name="condition-text" value={draft.text} onChange={(e) => set({ text: e.target.value })} />
      </label>
      <label className="field">
        <span>{t("conditions.owner")}</span>
        <input name="condition-owner" value={draft.owner} onChange={(e) => set({ owner: e.target.value })} />
      </label>
      <label className="field">
        <span>{t("conditions.due")}</span>
        <input name="condition-due" type="date" value={draft.due} onChange={(e) => set({ due: e.target.value })} />
      </label>
      <label className="field">
        <span>{t("conditions.blocks")}</span>
        <select name="condition-stage" value={draft.stage} onChange={(e) => set({ stage: Number(e.target.value) })}>
          <option value={1}>{t("conditions.stage", { stage: 1 })}</option>
          <option value={2}>{t("conditions.stage", { stage: 2 })}</option>
        </select>
      </label>
      <div>
        <button id="raise-condition" disabled={busy || draft.text.trim() === ""} onClick={raise}>{t("conditions.raise")}</button>
      </div>
    </div>
  );
}

export function Conditions({ caseId, synced }: { caseId: string; synced: number }) {
  const { t } = useWords();
  const [list, setList] = useState<ConditionView[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.conditions(caseId).then(setList, setError);
  }, [caseId, synced]);
  const run: Run = (p) =>
    p.then(
      (l) => { setList(l); setError(null); return true; },
      (e: AppError) => { setError(e); return false; },
    );
  return (
    <div className="card" data-testid="conditions">
      <h3>{t("conditions.title")}</h3>
      <p className="small muted">{t("conditions.hint")}</p>
      {list.length === 0 ? (
        <p className="muted">{t("conditions.none")}</p>
      ) : (
        <ul className="notes">
          {list.map((v) => (
            <Condition key={v.condition.condition_id} view={v} onClose={(how, words) => run(api.closeCondition(caseId, v.condition.condition_id, how, words))} />
          ))}
        </ul>
      )}
      <RaiseForm run={run} caseId={caseId} />
      <ErrorBanner error={error} onClose={() => setError(null)} />
    </div>
  );
}
