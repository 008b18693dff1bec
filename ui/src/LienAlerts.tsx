// The lien watch's alerts on the dashboard: paid-out loans whose car is no longer under the
// bank's prohibition in the Pledge Registry (released, or another creditor's). The sync
// asks the registry once a day per paid-out case (uw-app `refresh_liens`); nothing is
// judged here.
import type { LienAlert } from "./bindings";
import { useWords } from "./language";

export function LienAlerts({ alerts }: { alerts: LienAlert[] }) {
  const { t, dateTime, word } = useWords();
  if (alerts.length === 0) return null;
  return (
    <div className="card wide error" role="alert" data-testid="lien-alerts">
      <h3>{t("lienWatch.title", { n: alerts.length })}</h3>
      <p>{t("lienWatch.about")}</p>
      <table className="grid compact">
        <thead>
          <tr><th>{t("lienWatch.case")}</th><th>{t("lienWatch.status")}</th><th>{t("lienWatch.since")}</th><th>{t("lienWatch.checked")}</th></tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.case_id} data-case-id={a.case_id} data-status={a.status}>
              <td className="mono">{a.case_id}</td>
              <td>{word("lien", a.status)}{a.creditor ? ` — ${a.creditor}` : ""}</td>
              <td>{dateTime(a.since)}</td>
              <td>{dateTime(a.checked_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
