// The official income service's six months beside the statements', per source, for the
// income step: asked by the underwriter, kept with the party, compared in Rust (uw-app);
// a source whose gap is above the configured share carries OFFICIAL_INCOME_GAP for the
// reviewer. Nothing is computed here. A month the service's answer does not reach shows
// "—" and is not compared (uw-domain `income/official.rs`).
import type { OfficialComparison, SourceComparison } from "./bindings";
import { type Key } from "./i18n";
import { useWords, type Words } from "./language";

function payers(s: SourceComparison, word: Words["word"]): string {
  const kind = word("kind", s.kind);
  if (s.official_payer && s.statement_payer && s.official_payer !== s.statement_payer) {
    return `${kind} — ${s.official_payer} / ${s.statement_payer}`;
  }
  return `${kind} — ${s.official_payer || s.statement_payer}`;
}

function Row({ s }: { s: SourceComparison }) {
  const { t, money, percent, word } = useWords();
  return (
    <tr data-testid="official-row" data-flagged={s.flagged} data-matched={s.matched}>
      <td>
        {payers(s, word)} <small className="muted">{t(`official.matched.${s.matched}` as Key)}</small>
      </td>
      {s.months.map((m) => (
        <td key={m.month} className="num">
          {m.official === null ? <span className="muted" title={t("official.notReached")}>—</span> : money(m.official)}
          <br />
          <small className={m.official === null || m.official === m.statements ? "muted" : "bad"}>{money(m.statements)}</small>
        </td>
      ))}
      <td className="num">
        {s.flagged ? (
          <span className="pill decision-refer" data-testid="official-gap">{percent(s.gap_percent)}</span>
        ) : (
          percent(s.gap_percent)
        )}
      </td>
    </tr>
  );
}

export function OfficialIncome(props: {
  party: number;
  official: OfficialComparison | null;
  busy: boolean;
  onAsk: () => void;
}) {
  const { t, percent, dateTime, explain, detail } = useWords();
  const { official } = props;
  return (
    <div className="card official" data-testid={`official-${props.party}`}>
      <h4>
        {t("official.title")}{" "}
        <button id={`ask-official-${props.party}`} disabled={props.busy} onClick={props.onAsk}>
          {official ? t("official.askAgain") : t("official.ask")}
        </button>
      </h4>
      {!official && <p className="muted">{t("official.none")}</p>}
      {official && (
        <>
          <p className="muted">
            {t("official.answered", { at: dateTime(official.at), limit: percent(official.limit_percent) })}
          </p>
          {official.sources.length === 0 ? (
            <p className="notice">{t("official.nothing")}</p>
          ) : (
            <table className="grid compact" data-testid="official-table">
              <thead>
                <tr>
                  <th>{t("official.col.source")}</th>
                  {official.sources[0].months.map((m) => (
                    <th key={m.month} className="num">{m.month}</th>
                  ))}
                  <th className="num">{t("official.col.gap")}</th>
                </tr>
              </thead>
              <tbody>
                {official.sources.map((s, i) => (
                  <Row key={i} s={s} />
                ))}
              </tbody>
            </table>
          )}
          {official.flags.map((f, i) => (
            <div key={i} className="flag" data-testid="official-flag">
              <span className="pill decision-refer" title={detail(f.message)}>{f.code}</span> {explain(f.code, f.message)}
            </div>
          ))}
        </>
      )}
    </div>
  );
}
