//! The head of underwriting's panel: the local book's decisions and pipeline, and the
//! branches' portfolio figures against the product stop (passport §9).
//!
//! The portfolio comes from the core bank (`GET /v1/portfolio`) with every sync pass and
//! is kept in the store's settings with the time it was fetched, so the stop still holds
//! offline. When the set of suspended scopes changes, the open cases' decisions in the
//! queue are derived again (an open case in a suspended scope fails P-STOP).
//!
//! Readings fixed here:
//! - the stop refuses new approvals only: an open case (draft, submitted, returned) in a
//!   suspended scope fails P-STOP and an approval of it is refused (`PRODUCT_SUSPENDED`);
//!   an approved loan keeps its agreement and its disbursement;
//! - the rates are of the engine's decision of every case in the local book; the time to
//!   decision runs from a case's arrival to each sign-off (approve or reject), its median
//!   and 90th percentile by nearest rank;
//! - rejections by rule count the cases the engine rejects per failing rule (a case may
//!   fail several; P-DOCS, which only refers, is left out);
//! - a counter-offer is issued to a case whose evaluation offers one now or that took one,
//!   and taken when the underwriter applies one to the saved case (`counter_offer_taken`);
//! - the workload is each person's, by staff id, from the queue and the audit trail:
//!   undecided cases assigned to them, the cases they submitted, the sign-offs they gave,
//!   and the median time to decision of the cases they submitted (a decision's maker is
//!   the person of the case's last submission before it).

use std::collections::BTreeMap;
use uw_domain::rule::Rule;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uw_bank_link::api::BranchFigures;
use uw_bank_link::Bank;
use uw_domain::product_stop::{self, Book, Health, ScopeHealth};

use crate::error::{AppError, ErrorCode, Result};
use crate::sync::SyncReport;
use crate::{now_rfc3339, Workstation};

const PORTFOLIO: &str = "portfolio";

/// The core bank's answer as kept in the store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PortfolioState {
    pub fetched_at: String,
    pub branches: Vec<BranchFigures>,
}

impl PortfolioState {
    fn health(&self, limits: &uw_domain::product::ProductStopLimits) -> Health {
        let books: Vec<(String, Book)> = self
            .branches
            .iter()
            .filter_map(|b| Some((b.branch.clone(), book(b.book.as_ref()?)?)))
            .collect();
        product_stop::assess(&books, limits)
    }
}

/// The bank's decimal text as a book; a branch whose figures do not parse is left out
/// (the simulator and the bank validate them; the refusal would be no better).
fn book(b: &uw_bank_link::api::BranchBook) -> Option<Book> {
    Some(Book {
        portfolio: b.portfolio.parse().ok()?,
        past_due_30: b.past_due_30.parse().ok()?,
        npl: b.npl.parse().ok()?,
        credit_losses_12m: b.credit_losses_12m.parse().ok()?,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

/// Time from a case's arrival to its sign-off, nearest-rank percentiles, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct DecisionTimes {
    pub signed: i64,
    pub median_seconds: i64,
    pub p90_seconds: i64,
}

/// One branch: the local pipeline beside the bank's figures.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct BranchView {
    pub branch: String,
    pub cases: i64,
    pub approved: i64,
    pub rejected: i64,
    pub as_of: Option<String>,
    /// None when the bank keeps no book for the branch.
    pub health: Option<ScopeHealth>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PortfolioView {
    pub fetched_at: String,
    pub bank: ScopeHealth,
    pub branches: Vec<BranchView>,
}

/// One person's load on the desk: assigned open cases, submissions, sign-offs, and the
/// median time to decision of the cases they submitted.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Workload {
    pub person: String,
    pub assigned_open: i64,
    pub submitted: i64,
    pub signed: i64,
    pub decided: i64,
    pub median_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Dashboard {
    pub cases: i64,
    /// Each person's load, by staff id.
    pub workload: Vec<Workload>,
    /// Workflow stage → cases, in the workflow's order.
    pub pipeline: Vec<Count>,
    /// The engine's decision → cases (approve, refer, reject).
    pub decisions: Vec<Count>,
    /// Rule ID → cases the engine rejects on it, most first.
    pub rejections_by_rule: Vec<Count>,
    pub counter_offers_issued: i64,
    pub counter_offers_taken: i64,
    pub time_to_decision: Option<DecisionTimes>,
    /// None until the first answer from the core bank.
    pub portfolio: Option<PortfolioView>,
    /// The passport's planned cost of risk (for the panel's reference line).
    pub planned_cost_of_risk: Option<String>,
    /// Paid-out cases whose VIN is no longer under the bank's prohibition (the lien watch).
    pub lien_alerts: Vec<uw_store::LienAlert>,
}

/// The nearest-rank percentile `p` (0 < p ≤ 100) of sorted values.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    let n = sorted.len();
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn counts(map: BTreeMap<String, i64>, order: &[&str]) -> Vec<Count> {
    let mut out: Vec<Count> = order
        .iter()
        .map(|k| Count {
            key: (*k).to_string(),
            n: map.get(*k).copied().unwrap_or(0),
        })
        .collect();
    // Anything the order does not name (a stage a newer bank sends) still shows.
    out.extend(
        map.into_iter()
            .filter(|(k, _)| !order.contains(&k.as_str()))
            .map(|(key, n)| Count { key, n }),
    );
    out
}

impl Workstation {
    pub fn dashboard(&self) -> Result<Dashboard> {
        let c = self.store()?.case_counts()?;
        // A rejected case's missing documents only refer it: not a reason it was rejected.
        let mut rejections: Vec<Count> = c
            .rejections_by_rule
            .into_iter()
            .filter(|(key, _)| Rule::Docs != key.as_str())
            .map(|(key, n)| Count { key, n })
            .collect();
        rejections.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.key.cmp(&b.key)));
        let mut seconds = c.decision_seconds;
        seconds.sort_unstable();
        let time_to_decision = percentile(&seconds, 50).map(|median| DecisionTimes {
            signed: i64::try_from(seconds.len()).unwrap_or(i64::MAX),
            median_seconds: median,
            p90_seconds: percentile(&seconds, 90).unwrap_or(median),
        });
        let portfolio = self.portfolio_state()?.map(|p| self.portfolio_view(&p));
        let workload = self
            .store()?
            .workload()?
            .into_iter()
            .map(|mut p| {
                p.decision_seconds.sort_unstable();
                Workload {
                    decided: i64::try_from(p.decision_seconds.len()).unwrap_or(i64::MAX),
                    median_seconds: percentile(&p.decision_seconds, 50),
                    person: p.person,
                    assigned_open: p.assigned_open,
                    submitted: p.submitted,
                    signed: p.signed,
                }
            })
            .collect();
        Ok(Dashboard {
            cases: c.by_status.values().sum(),
            workload,
            pipeline: counts(
                c.by_status,
                &["draft", "submitted", "returned", "approved", "rejected"],
            ),
            decisions: counts(c.by_decision, &["approve", "refer", "reject"]),
            rejections_by_rule: rejections,
            counter_offers_issued: c.counter_offers_issued,
            counter_offers_taken: c.counter_offers_taken,
            time_to_decision,
            portfolio,
            planned_cost_of_risk: self
                .product
                .planned_economics
                .get("cost_of_risk")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            lien_alerts: self.store()?.lien_alerts()?,
        })
    }

    fn portfolio_view(&self, p: &PortfolioState) -> PortfolioView {
        let health = p.health(&self.product.product_stop);
        PortfolioView {
            fetched_at: p.fetched_at.clone(),
            branches: p
                .branches
                .iter()
                .map(|b| BranchView {
                    branch: b.branch.clone(),
                    cases: b.cases,
                    approved: b.approved,
                    rejected: b.rejected,
                    as_of: b.book.as_ref().map(|k| k.as_of.clone()),
                    health: health
                        .branches
                        .iter()
                        .find(|h| h.branch.as_deref() == Some(b.branch.as_str()))
                        .cloned(),
                })
                .collect(),
            bank: health.bank,
        }
    }

    fn portfolio_state(&self) -> Result<Option<PortfolioState>> {
        let Some(text) = self.store()?.setting(PORTFOLIO)? else {
            return Ok(None);
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("the stored portfolio figures: {e}"),
            )
        })
    }

    /// Why new approvals are refused for `branch` (passport §9), from the last figures the
    /// core bank sent; None when none came yet or the scope is within the limits.
    pub(crate) fn suspension(&self, branch: &str) -> Option<String> {
        let health = self.stop_health();
        product_stop::suspension(health.as_ref().as_ref()?, branch)
    }

    fn stop_health(&self) -> std::sync::Arc<Option<Health>> {
        let mut cached = self.stop.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .get_or_insert_with(|| {
                let state = self.portfolio_state().ok().flatten();
                std::sync::Arc::new(state.map(|s| s.health(&self.product.product_stop)))
            })
            .clone()
    }

    /// Asks the core bank for the portfolio now (the dashboard's Refresh).
    pub fn refresh_portfolio(&self) -> Result<Dashboard> {
        let bank = self.bank()?;
        self.fetch_portfolio(&bank)?;
        self.dashboard()
    }

    /// The sync pass's part: a failure is reported, not fatal (the last figures hold).
    pub(crate) fn refresh_portfolio_in_pass(&self, bank: &Bank, report: &mut SyncReport) {
        if let Err(e) = self.fetch_portfolio(bank) {
            report.error_codes.push(e.code);
            report
                .errors
                .push(format!("the portfolio figures: {}", e.message));
        }
    }

    fn fetch_portfolio(&self, bank: &Bank) -> Result<()> {
        let answer = bank.portfolio()?;
        let before = self.portfolio_state()?.unwrap_or_default();
        let after = PortfolioState {
            fetched_at: now_rfc3339(),
            branches: answer.branches,
        };
        let text = serde_json::to_string(&after)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.store()?.set_setting(PORTFOLIO, &text)?;
        *self.stop.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let limits = &self.product.product_stop;
        if suspended_scopes(&before.health(limits)) != suspended_scopes(&after.health(limits)) {
            self.derive_open_cases_again()?;
        }
        Ok(())
    }

    /// Writes the queue's derived columns (decision, reasons, counter-offers) of every
    /// open case again: their decision depends on the stop.
    fn derive_open_cases_again(&self) -> Result<()> {
        let ids = self
            .store()?
            .cases_in(&["draft", "submitted", "returned"])?
            .into_iter()
            .map(|(id, _, _)| id);
        self.derive_again(ids)
    }

    /// Derives the columns of the cases stored before those columns existed (once, when a
    /// store of an older version is first opened).
    pub(crate) fn derive_missing(&self) -> Result<()> {
        let ids = self.store()?.cases_not_derived()?;
        self.derive_again(ids.into_iter())
    }

    fn derive_again(&self, ids: impl Iterator<Item = String>) -> Result<()> {
        for id in ids {
            let (stored, case) = self.stored_case(&id)?;
            let row = self.row_for(&case, String::new(), &stored.status);
            self.store()?.set_derived(
                &id,
                row.decision.as_deref(),
                &row.reasons,
                row.counter_offers,
            )?;
        }
        Ok(())
    }
}

fn suspended_scopes(h: &Health) -> Vec<Option<String>> {
    std::iter::once(&h.bank)
        .chain(&h.branches)
        .filter(|s| s.suspended)
        .map(|s| s.branch.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 100), Some(10));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
    }
}

#[cfg(test)]
mod stop_tests;
