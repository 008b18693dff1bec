// The case's history: every change and event, who and when, with its detail made readable.
import { useEffect, useState } from "react";
import type { AppError, CaseEvent } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { useWords } from "../language";

export function History({ caseId, version }: { caseId: string; version: number }) {
  const { t, dateTime, word } = useWords();
  const [events, setEvents] = useState<CaseEvent[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    api.history(caseId).then(setEvents, setError);
  }, [caseId, version]);
  return (
    <div>
      <ErrorBanner error={error} />
      <table className="grid compact" data-testid="history">
        <thead><tr><th>{t("hist.when")}</th><th>{t("hist.who")}</th><th>{t("hist.what")}</th><th>{t("hist.detail")}</th></tr></thead>
        <tbody>
          {events.map((e) => {
            let detail = e.detail;
            try {
              const d = JSON.parse(e.detail);
              if (d.field) detail = `${d.field}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`;
              else if (d.note) detail = `${d.file}:${d.line} ${d.before ?? t("income.notIncome")} → ${d.after ?? t("income.notIncome")}: ${d.note}`;
              else if (d.files) detail = t("hist.party", { party: d.party, files: d.files.join(", ") });
              else if (d.file) detail = d.file;
              else detail = "";
            } catch { /* shown raw */ }
            return (
              <tr key={e.id}><td>{dateTime(e.at)}</td><td>{e.actor}</td><td>{word("action", e.kind)}</td><td className="mono">{detail}</td></tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
