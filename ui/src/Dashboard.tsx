// The head of underwriting's panel: decisions and pipeline of the local book, and each
// branch's portfolio figures against the product-stop limits (passport §9). Everything is
// computed in Rust (uw-app dashboard); this file only draws it.
import { useEffect, useState } from "react";
import type { AppError, Count, Dashboard as DashboardData, Figure, Measure, ScopeHealth } from "./bindings";
import { LienAlerts } from "./LienAlerts";
import { api } from "./api";
import { ErrorBanner } from "./App";
import { percent, type Key, type Lang } from "./i18n";
import { useWords } from "./language";

const MEASURES: Record<Measure, Key> = {
  past_due_30: "dash.pd30",
  npl: "dash.npl",
  cost_of_risk: "dash.cor",
};

/** A share "0.0312" as "3.12 %" (display only: never money). */
function pct(share: string | null | undefined, lang: Lang): string {
  if (share === null || share === undefined) return "—";
  return percent((Number(share) * 100).toFixed(2), lang);
}

function ratio(n: number, total: number, lang: Lang): string {
  return total === 0 ? "—" : percent(((n / total) * 100).toFixed(1), lang);
}

/** Horizontal bars, one per count, scaled to the largest. */
/** Horizontal bars, one per count, scaled to the largest; shares of `total` (by default
 * the sum: a case fails several rules, so rejections pass the rejected cases). */
function Bars({ items, label, testid, total }: { items: Count[]; label: (k: string) => string; testid: string; total?: number }) {
  const { lang, count } = useWords();
  const max = Math.max(1, ...items.map((c) => c.n));
  const whole = total ?? items.reduce((s, c) => s + c.n, 0);
  return (
    <svg className="bars" data-testid={testid} width="100%" viewBox={`0 0 460 ${items.length * 26}`} role="img">
      {items.map((c, i) => (
        <g key={c.key} transform={`translate(0 ${i * 26})`}>
          <text x="0" y="16" className="bar-label">{label(c.key)}</text>
          <rect x="150" y="4" height="16" width={(c.n / max) * 200} className={`bar bar-${c.key}`} />
          <text x={156 + (c.n / max) * 200} y="16" className="bar-value">
            {count(c.n)} · {ratio(c.n, whole, lang)}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** A figure against its limit: the bar, the limit's line, red when above. */
function Bullet({ f }: { f: Figure }) {
  const { lang, t } = useWords();
  const limit = Number(f.limit);
  const share = f.share === null ? 0 : Number(f.share);
  const scale = 160 / (limit * 2); // the limit sits in the middle
  const w = Math.min(160, share * scale);
  return (
    <svg width="170" height="18" role="img" aria-label={t("dash.ofLimit", { share: pct(f.share, lang), limit: pct(f.limit, lang) })}>
      <rect x="0" y="3" width="160" height="12" className="bullet-track" />
      <rect x="0" y="3" width={w} height="12" className={f.breached ? "bullet over" : "bullet"} />
      <line x1={limit * scale} x2={limit * scale} y1="0" y2="18" className="bullet-limit" />
    </svg>
  );
}

function ScopeRow({ name, scope, h, cases }: { name: string; scope: string; h: ScopeHealth | null; cases?: number }) {
  const { lang, t } = useWords();
  return (
    <tr data-testid="scope-row" data-scope={scope} className={h?.suspended ? "suspended" : ""}>
      <td>
        <b>{name}</b>
        {h?.suspended && <span className="pill decision-reject" data-testid="suspended">{t("dash.suspended")}</span>}
      </td>
      <td className="num">{cases ?? ""}</td>
      {(["past_due_30", "npl", "cost_of_risk"] as Measure[]).map((m) => {
        const f = h?.figures.find((x) => x.measure === m);
        return (
          <td key={m} className={f?.breached ? "bad" : ""}>
            {f ? (
              <>
                <Bullet f={f} /> <span className="num">{pct(f.share, lang)}</span>
              </>
            ) : (
              t("dash.noBook")
            )}
          </td>
        );
      })}
    </tr>
  );
}

export function Dashboard({ onBack }: { onBack: () => void }) {
  const { lang, t, count, dateTime, duration, word } = useWords();
  const [d, setD] = useState<DashboardData | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.dashboard().then(setD, setError);
  }, []);
  const refresh = () => {
    setBusy(true);
    api.refreshPortfolio().then((x) => { setD(x); setError(null); }, setError).finally(() => setBusy(false));
  };
  const [exported, setExported] = useState<string | null>(null);
  const exportXlsx = () =>
    api.exportDashboardXlsx().then((x) => x && setExported(t("export.done", { n: x.rows, path: x.path })), setError);
  const decided = d ? d.decisions.reduce((s, c) => s + c.n, 0) : 0;
  const dec = (k: string) => d?.decisions.find((c) => c.key === k)?.n ?? 0;
  return (
    <main className="dashboard" data-testid="dashboard">
      <div className="toolbar">
        <button onClick={onBack}>{t("dash.back")}</button>
        <h1>{t("dash.title")}</h1>
        <span className="spacer" />
        <button id="dashboard-xlsx" onClick={exportXlsx}>{t("export.xlsx")}</button>
        <button id="portfolio-refresh" onClick={refresh} disabled={busy}>{t("dash.refresh")}</button>
      </div>
      {exported && <div className="notice" data-testid="exported">{exported}</div>}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {d && (
        <div className="cards">
          <LienAlerts alerts={d.lien_alerts} />
          <div className="card wide">
            <h3>{t("dash.portfolio")}</h3>
            {d.portfolio ? (
              <>
                <p className="muted">
                  {t("dash.portfolioNote", {
                    at: dateTime(d.portfolio.fetched_at),
                    pd30: pct(d.portfolio.bank.figures[0]?.limit, lang),
                    npl: pct(d.portfolio.bank.figures[1]?.limit, lang),
                    cor: pct(d.portfolio.bank.figures[2]?.limit, lang),
                    planned: d.planned_cost_of_risk ? t("dash.planned", { p: pct(d.planned_cost_of_risk, lang) }) : "",
                  })}
                </p>
                <table className="grid" data-testid="portfolio">
                  <thead>
                    <tr>
                      <th>{t("dash.scope")}</th><th>{t("dash.applications")}</th>
                      {Object.values(MEASURES).map((m) => <th key={m}>{t(m)}</th>)}
                    </tr>
                  </thead>
                  <tbody>
                    <ScopeRow name={t("dash.bank")} scope="bank" h={d.portfolio.bank} />
                    {d.portfolio.branches.map((b) => (
                      <ScopeRow key={b.branch} name={b.branch} scope={b.branch} h={b.health} cases={b.cases} />
                    ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p className="muted" data-testid="no-portfolio">
                {t("dash.noPortfolio")}
              </p>
            )}
          </div>
          <div className="card">
            <h3>{t("dash.decisions")}</h3>
            <div className="kpis">
              <div><b data-testid="rate-approve">{ratio(dec("approve"), decided, lang)}</b><span>{t("decision.approve")}</span></div>
              <div><b data-testid="rate-refer">{ratio(dec("refer"), decided, lang)}</b><span>{t("decision.refer")}</span></div>
              <div><b data-testid="rate-reject">{ratio(dec("reject"), decided, lang)}</b><span>{t("decision.reject")}</span></div>
            </div>
            <Bars items={d.decisions} label={(k) => word("decision", k)} testid="chart-decisions" />
          </div>
          <div className="card">
            <h3>{t("dash.pipeline")}</h3>
            <Bars items={d.pipeline} label={(k) => word("status", k)} testid="chart-pipeline" />
            <p className="muted">{t("dash.localBook", { n: d.cases })}</p>
          </div>
          <div className="card">
            <h3>{t("dash.ttd")}</h3>
            {d.time_to_decision ? (
              <div className="kpis">
                <div><b data-testid="ttd-median">{duration(d.time_to_decision.median_seconds)}</b><span>{t("dash.median")}</span></div>
                <div><b>{duration(d.time_to_decision.p90_seconds)}</b><span>{t("dash.p90")}</span></div>
                <div><b>{count(d.time_to_decision.signed)}</b><span>{t("dash.signed")}</span></div>
              </div>
            ) : (
              <p className="muted">{t("dash.noneSigned")}</p>
            )}
            <h3>{t("dash.offers")}</h3>
            <div className="kpis">
              <div><b data-testid="offers-issued">{count(d.counter_offers_issued)}</b><span>{t("dash.issued")}</span></div>
              <div><b data-testid="offers-taken">{count(d.counter_offers_taken)}</b><span>{t("dash.taken")}</span></div>
              <div><b>{ratio(d.counter_offers_taken, d.counter_offers_issued, lang)}</b><span>{t("dash.takeUp")}</span></div>
            </div>
          </div>
          <div className="card">
            <h3>{t("dash.rejections")}</h3>
            <p className="muted">{t("dash.rejectionsNote", { n: dec("reject") })}</p>
            {d.rejections_by_rule.length > 0 ? (
              <Bars items={d.rejections_by_rule} label={(k) => k} testid="chart-rejections" total={dec("reject")} />
            ) : (
              <p className="muted">{t("dash.noRejections")}</p>
            )}
          </div>
          <div className="card wide">
            <h3>{t("dash.workload")}</h3>
            {d.workload.length === 0 ? (
              <p className="muted">{t("dash.noWorkload")}</p>
            ) : (
              <table className="grid compact" data-testid="workload">
                <thead>
                  <tr>
                    <th>{t("dash.person")}</th>
                    <th className="num">{t("dash.assignedOpen")}</th>
                    <th className="num">{t("dash.submitted")}</th>
                    <th className="num">{t("dash.signedOff")}</th>
                    <th className="num">{t("dash.medianMade")}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.workload.map((w) => (
                    <tr key={w.person} data-person={w.person}>
                      <td>{w.person}</td>
                      <td className="num">{count(w.assigned_open)}</td>
                      <td className="num">{count(w.submitted)}</td>
                      <td className="num">{count(w.signed)}</td>
                      <td className="num">{w.median_seconds === null ? "—" : duration(w.median_seconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </main>
  );
}
