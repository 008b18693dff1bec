// The income step's figures: each party's sources and months, as the engine counts them.
import type { CaseFile, Evaluation } from "../bindings";
import { type Edit } from "./Field";
import { useWords } from "../language";

export function Income({ draft, edit, evaluation }: { draft: CaseFile; edit: Edit; evaluation: Evaluation | null }) {
  const { t, money, percent, word } = useWords();
  const period = evaluation?.income.period ?? [];
  return (
    <div>
      <h4>{t("income.caseTitle")}</h4>
      {draft.parties.map((p, pi) => (
        <div className="card" key={pi}>
          <h3>{p.full_name}</h3>
          <table className="grid compact">
            <thead>
              <tr>
                <th>{t("income.col.source")}</th>
                {period.map((m) => <th key={m}>{m}</th>)}
                <th>{t("income.col.weight")}</th>
                <th>{t("income.col.counted")}</th>
              </tr>
            </thead>
            <tbody>
              {p.incomes.map((src, si) => {
                const info = evaluation?.income.sources.find((s) => s.party === pi && s.source === si);
                return (
                  <tr key={si}>
                    <td>{word("kind", src.kind)}{src.employer ? ` — ${src.employer}` : ""}{src.kind === "entrepreneur_receipts" ? (src.at_this_bank ? t("income.atThisBank") : t("income.otherBank")) : ""}</td>
                    {period.map((m) => (
                      <td key={m}>
                        <input
                          className="num cell"
                          name={`parties.${pi}.incomes.${si}.months.${m}`}
                          value={src.months[m] ?? ""}
                          placeholder={t("income.noData")}
                          onChange={(e) => {
                            const months = { ...src.months } as Record<string, string>;
                            if (e.target.value === "") delete months[m];
                            else months[m] = e.target.value;
                            edit(`parties.${pi}.incomes.${si}.months`, months);
                          }}
                        />
                      </td>
                    ))}
                    <td className="num">{info ? percent(String(Number(info.weight) * 100)) : ""}</td>
                    <td>{info ? (info.excluded ? <span className="pill decision-reject">{info.excluded}</span> : <span className="pill decision-approve">{t("common.yes")}</span>) : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            {t("income.partyAverage")}{" "}
            <b className="num">{money(evaluation?.income.parties[pi]?.average_monthly_income)}</b> {t("unit.currency")}
          </p>
        </div>
      ))}
      <p>
        {t("income.household")} <b data-testid="household-income">{money(evaluation?.metrics.average_monthly_income)}</b> {t("unit.currency")}
      </p>
    </div>
  );
}
