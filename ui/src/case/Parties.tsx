// The parties' step: each party's fields, the identity register's and the credit bureau's
// answers, asked one call at a time.
import { useState } from "react";
import type { BureauReport, CaseFile, CaseView, HistorySource } from "../bindings";
import { api } from "../api";
import { Field, type Edit } from "./Field";
import { useWords } from "../language";

/** The call to the bank in flight, by its button's test id: the button says it waits
 * (the top bar counts the seconds), the others wait for it, the rest of the window goes on. */
function useCalling(run: (p: Promise<CaseView>) => void): [string | null, (id: string, p: Promise<CaseView>) => void] {
  const [calling, setCalling] = useState<string | null>(null);
  const call = (id: string, p: Promise<CaseView>) => {
    setCalling(id);
    run(p.finally(() => setCalling(null)));
  };
  return [calling, call];
}

export function Parties({ draft, edit, view, busy, run }: { draft: CaseFile; edit: Edit; view: CaseView; busy: boolean; run: (p: Promise<CaseView>) => void }) {
  const { t } = useWords();
  const [calling, call] = useCalling(run);
  const waiting = busy || calling !== null;
  return (
    <>
    <div className="actions">
      <button data-testid="pull-bureau-all" disabled={waiting} data-busy={calling === "pull-bureau-all" ? "1" : undefined} onClick={() => call("pull-bureau-all", api.pullBureauAll(view.case_id, view.version))}>
        {calling === "pull-bureau-all" ? t("bureau.pulling") : t("bureau.pullAll")}
      </button>
    </div>
    <div className="cards">
      {draft.parties.map((p, i) => (
        <div className="card" key={i}>
          <h3>{p.role === "borrower" ? t("party.borrower") : t("party.coBorrower", { i })}</h3>
          <div className="form">
            <Field label="party.fullName" path={`parties.${i}.full_name`} draft={draft} edit={edit} />
            <Field label="party.pinfl" path={`parties.${i}.pinfl`} draft={draft} edit={edit} />
            <Field label="party.citizenship" path={`parties.${i}.citizenship`} draft={draft} edit={edit} />
            <Field label="party.birthDate" path={`parties.${i}.birth_date`} draft={draft} edit={edit} kind="date" />
            {p.identity && (
              <>
                <Field label="party.idKind" path={`parties.${i}.identity.kind`} draft={draft} edit={edit} />
                <Field label="party.idNumber" path={`parties.${i}.identity.number`} draft={draft} edit={edit} />
                <Field label="party.idIssued" path={`parties.${i}.identity.issued`} draft={draft} edit={edit} kind="optional-date" />
                <Field label="party.idExpires" path={`parties.${i}.identity.expires`} draft={draft} edit={edit} kind="optional-date" />
              </>
            )}
          </div>
          <IdentityChecks party={i} view={view} busy={busy} calling={calling} call={call} />
          <h4>{t("party.creditHistory")}</h4>
          <p><HistoryOriginNote source={p.credit_history.source ?? null} /></p>
          <div className="form">
            <Field label="party.overdue" path={`parties.${i}.credit_history.current_overdue`} draft={draft} edit={edit} kind="bool" />
            <Field label="party.episodes" path={`parties.${i}.credit_history.delinquencies_90_plus`} draft={draft} edit={edit} kind="int" />
            <Field label="party.payments" path={`parties.${i}.credit_history.existing_monthly_payments`} draft={draft} edit={edit} kind="money" />
          </div>
          <div className="actions">
            <button data-testid={`pull-bureau-${i}`} disabled={waiting} data-busy={calling === `pull-bureau-${i}` ? "1" : undefined} onClick={() => call(`pull-bureau-${i}`, api.pullBureau(view.case_id, view.version, i))}>
              {calling === `pull-bureau-${i}` ? t("bureau.pulling") : t("bureau.pull")}
            </button>
            {busy && <small className="muted">{t("common.saveFirst")}</small>}
          </div>
          {p.bureau && <BureauTable report={p.bureau} />}
        </div>
      ))}
    </div>
    </>
  );
}

/** The PINFL's own check and the state register's answer, on the identity document. */
function IdentityChecks({ party, view, busy, calling, call }: { party: number; view: CaseView; busy: boolean; calling: string | null; call: (id: string, p: Promise<CaseView>) => void }) {
  const { t, date, dateTime, word } = useWords();
  const id = `verify-identity-${party}`;
  const check = view.identity_checks[party];
  const state = view.case.parties[party]?.identity?.state_check ?? null;
  return (
    <div className="identity-checks" data-testid={`identity-${party}`}>
      {check && (check.valid ? (
        <p className="ok" data-testid={`pinfl-ok-${party}`}>
          ✓ {t("identity.pinflOk", { sex: check.sex ? t(`sex.${check.sex}`) : "—", date: date(check.birth_date) })}
        </p>
      ) : (
        <div className="bad" data-testid={`pinfl-errors-${party}`}>
          {check.errors.map((e) => <div key={e}>✗ {e}</div>)}
          <small className="muted">{t("identity.blocks")}</small>
        </div>
      ))}
      <p>
        {t("identity.register")}{" "}
        {state ? (
          <>
            <span className={`pill ${state.status === "valid" ? "cond-met" : "cond-failed"}`} data-testid={`register-status-${party}`}>
              {word("register", state.status)}
            </span>{" "}
            {state.registered_name && (
              <span className={state.name_matches ? "" : "bad"} data-testid={`register-name-${party}`}>
                {state.registered_name} {state.name_matches ? "✓" : `✗ ${t("identity.nameDiffers")}`}
              </span>
            )}{" "}
            <small className="muted">{dateTime(state.at)}</small>
          </>
        ) : (
          <span className="muted">{t("identity.notAsked")}</span>
        )}{" "}
        <button data-testid={id} disabled={busy || calling !== null} data-busy={calling === id ? "1" : undefined} onClick={() => call(id, api.verifyIdentity(view.case_id, view.version, party))}>
          {calling === id ? t("identity.asking") : t("identity.ask")}
        </button>
      </p>
    </div>
  );
}

function HistoryOriginNote({ source }: { source: HistorySource | null }) {
  const { t, dateTime } = useWords();
  if (!source) return <small className="muted">{t("history.fromFile")}</small>;
  return (
    <small className={source.origin === "typed" ? "warn" : "muted"} data-testid="history-origin">
      {t(source.origin === "bureau" ? "history.pulled" : "history.typed", { by: source.by, at: dateTime(source.at) })}
    </small>
  );
}

function BureauTable({ report }: { report: BureauReport }) {
  const { t, money, date } = useWords();
  return (
    <div className="bureau" data-testid="bureau-report">
      <h4>{t("bureau.title", { date: date(report.as_of) })}</h4>
      <table className="grid compact">
        <thead><tr><th>{t("bureau.lender")}</th><th>{t("bureau.kind")}</th><th>{t("bureau.opened")}</th><th className="num">{t("bureau.outstanding")}</th><th className="num">{t("bureau.monthly")}</th></tr></thead>
        <tbody>
          {report.loans.map((l, i) => (
            <tr key={`l${i}`}><td>{l.lender}</td><td>{l.kind}</td><td>{date(l.opened)}</td><td className="num">{money(l.outstanding)}</td><td className="num">{money(l.monthly_payment)}</td></tr>
          ))}
          {report.guarantees.map((g, i) => (
            <tr key={`g${i}`}><td>{g.lender}</td><td>{t("bureau.guarantee", { borrower: g.borrower })}</td><td /><td /><td className="num">{money(g.monthly_payment)}</td></tr>
          ))}
          {report.loans.length + report.guarantees.length === 0 && <tr><td colSpan={5} className="muted">{t("bureau.noLoans")}</td></tr>}
        </tbody>
      </table>
      <p className={Number(report.overdue_days) > 0 ? "bad" : ""}>
        {t("bureau.overdue", { amount: money(report.overdue_amount), days: report.overdue_days })}
      </p>
      {report.episodes_90_plus.length > 0 && (
        <ul>
          {report.episodes_90_plus.map((e, i) => (
            <li key={i}>{t("bureau.episode", { lender: e.lender, from: date(e.from), to: e.to ? date(e.to) : "…", days: e.max_days_past_due })}</li>
          ))}
        </ul>
      )}
      {report.closed_loans.length > 0 && (
        <p className="muted small">
          {t("bureau.closed", { n: report.closed_loans.length })}: {report.closed_loans.map((c) => `${c.lender} ${date(c.opened)}–${date(c.closed)}`).join("; ")}
        </p>
      )}
    </div>
  );
}
