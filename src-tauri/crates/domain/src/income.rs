//! Average monthly income from a case's income sources (rule book §2: P-INC-6M,
//! P-INC-AVG, P-INC-IE-ACC).
//!
//! Interpretations fixed here:
//! - the window is the `history_months` full calendar months before the application month;
//!   a source is usable only when every month of the window carries an amount (zero is an
//!   amount; a missing key is a gap);
//! - a party's average is rounded to the product's rounding unit (it is money), and the
//!   household income is the sum of the rounded party averages, so the figures an
//!   underwriter sees add up and reproduce the debt-burden ratio;
//! - a total or an average beyond 10^15 UZS, the largest amount, is held at 10^15. Each
//!   month of a source is at most that (the case file's bound), so only an absurd file gets
//!   there, and holding can only understate an income, which keeps P-DTI strict.

pub mod official;
pub mod statements;

use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::case::{CaseFile, IncomeKind};
use crate::money::{Money, YearMonth};
use crate::product::ProductConfig;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// P-INC-6M: a month of the window has no data.
    HistoryShort,
    /// P-INC-IE-ACC: entrepreneur receipts on an account at another bank.
    IeAccountNotAtBank,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct SourceIncome {
    pub party: usize,
    pub source: usize,
    pub kind: IncomeKind,
    pub payer: Option<String>,
    pub weight: String,
    pub window_total: Money,
    pub missing_months: Vec<YearMonth>,
    pub excluded: Option<Exclusion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PartyIncome {
    pub party: usize,
    pub average_monthly_income: Money,
    pub listed_sources: usize,
    pub usable_sources: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct HouseholdIncome {
    pub period: Vec<YearMonth>,
    pub sources: Vec<SourceIncome>,
    pub parties: Vec<PartyIncome>,
    pub average_monthly_income: Money,
}

pub fn household_income(case: &CaseFile, product: &ProductConfig) -> HouseholdIncome {
    let n = product.income.history_months;
    let period = YearMonth::of(case.application_date).months_before(n);
    let months = Decimal::from(n as u64);
    let unit = product.schedule.rounding_unit;
    let mut sources = Vec::new();
    let mut parties = Vec::new();
    for (pi, party) in case.parties.iter().enumerate() {
        let mut weighted = Decimal::ZERO;
        let mut usable = 0;
        for (si, src) in party.incomes.iter().enumerate() {
            let missing: Vec<YearMonth> = period
                .iter()
                .filter(|m| !src.months.contains_key(m))
                .copied()
                .collect();
            let total =
                Money::saturating_sum(period.iter().filter_map(|m| src.months.get(m)).copied());
            let excluded = if !missing.is_empty() {
                Some(Exclusion::HistoryShort)
            } else if src.kind == IncomeKind::EntrepreneurReceipts
                && product.income.entrepreneur_account_must_be_at_bank
                && !src.at_this_bank
            {
                Some(Exclusion::IeAccountNotAtBank)
            } else {
                None
            };
            let weight = product.weight(src.kind);
            if excluded.is_none() {
                usable += 1;
                weighted += total.decimal() * weight;
            }
            sources.push(SourceIncome {
                party: pi,
                source: si,
                kind: src.kind,
                payer: src.employer.clone(),
                weight: weight.normalize().to_string(),
                window_total: total,
                missing_months: missing,
                excluded,
            });
        }
        parties.push(PartyIncome {
            party: pi,
            average_monthly_income: Money::round_half_up_saturating(weighted / months, unit),
            listed_sources: party.incomes.len(),
            usable_sources: usable,
        });
    }
    let average = Money::saturating_sum(parties.iter().map(|p| p.average_monthly_income));
    HouseholdIncome {
        period,
        sources,
        parties,
        average_monthly_income: average,
    }
}
