//! The product configuration: every number of the product passport, as data.
//!
//! The bank revises the passport; a revision is a new configuration file under
//! `assets/product/`, never a code change. [`parse_product`] refuses an inconsistent file
//! (an unsorted rate grid, a limit above 100 %) naming the field, because a wrong limit
//! silently approves loans.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::case::{IncomeKind, SellerKind};
use crate::money::{strict_decimal, Money};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductConfig {
    pub product: String,
    pub name: String,
    pub currency: String,
    pub parties: PartyLimits,
    pub income: IncomeRules,
    pub credit: CreditLimits,
    pub vehicle: VehicleRules,
    pub loan: LoanLimits,
    pub schedule: ScheduleConventions,
    pub counter_offer: CounterOfferRules,
    pub product_stop: ProductStopLimits,
    #[serde(default)]
    pub planned_economics: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartyLimits {
    pub citizenship: String,
    pub min_age_years: i32,
    pub max_age_at_maturity_years: i32,
    pub max_co_borrowers: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncomeRules {
    pub history_months: usize,
    pub weights: BTreeMap<IncomeKind, Weight>,
    pub entrepreneur_account_must_be_at_bank: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Weight(#[serde(with = "strict_decimal")] pub Decimal);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditLimits {
    pub max_delinquencies_90_plus: u32,
    #[serde(with = "strict_decimal")]
    pub max_dti: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleRules {
    pub categories: Vec<String>,
    /// 1 = "the current or the previous calendar year".
    pub max_age_calendar_years: i32,
    pub eligible_sellers: Vec<SellerKind>,
    pub check_digit_required_wmi_prefixes: Vec<String>,
    /// P-VEH-LIEN: another creditor's prohibition on the VIN in the Pledge Registry is a
    /// stop factor (the car cannot be pledged to the bank). A configuration without the
    /// key keeps it on.
    #[serde(default = "stop")]
    pub foreign_lien_is_stop_factor: bool,
}

fn stop() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateBand {
    pub max_term_months: u32,
    #[serde(with = "strict_decimal")]
    pub annual_rate: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoanLimits {
    pub min_term_months: u32,
    pub max_term_months: u32,
    pub rate_grid: Vec<RateBand>,
    pub max_amount: Money,
    #[serde(with = "strict_decimal")]
    pub min_down_payment: Decimal,
    #[serde(with = "strict_decimal")]
    pub max_ltv: Decimal,
    pub max_grace_months: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum DayCount {
    #[default]
    #[serde(rename = "30/360")]
    Thirty360,
    #[serde(rename = "actual/365")]
    Actual365,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleConventions {
    #[serde(with = "strict_decimal")]
    pub rounding_unit: Decimal,
    pub day_count: DayCount,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CounterOfferRules {
    pub terms_months: Vec<u32>,
    pub amount_step: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductStopLimits {
    #[serde(with = "strict_decimal")]
    pub max_past_due_30_share: Decimal,
    #[serde(with = "strict_decimal")]
    pub max_npl_share: Decimal,
    #[serde(with = "strict_decimal")]
    pub max_cost_of_risk: Decimal,
}

/// An unusable product configuration: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("product configuration {path}: {message}")]
pub struct ProductError {
    pub path: String,
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> ProductError {
    ProductError {
        path: path.to_string(),
        message: message.into(),
    }
}

pub fn parse_product(json: &str) -> Result<ProductConfig, ProductError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let p: ProductConfig = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        err(&path, e.into_inner().to_string())
    })?;
    validate_product(&p)?;
    Ok(p)
}

pub fn validate_product(p: &ProductConfig) -> Result<(), ProductError> {
    let one = Decimal::ONE;
    let ratio = |path: &str, d: Decimal| {
        if d < Decimal::ZERO || d > one {
            Err(err(path, format!("{d} is outside 0..1 (0 %..100 %)")))
        } else {
            Ok(())
        }
    };
    ratio("credit.max_dti", p.credit.max_dti)?;
    ratio("loan.min_down_payment", p.loan.min_down_payment)?;
    ratio("loan.max_ltv", p.loan.max_ltv)?;
    ratio(
        "product_stop.max_past_due_30_share",
        p.product_stop.max_past_due_30_share,
    )?;
    ratio("product_stop.max_npl_share", p.product_stop.max_npl_share)?;
    ratio(
        "product_stop.max_cost_of_risk",
        p.product_stop.max_cost_of_risk,
    )?;
    for (kind, w) in &p.income.weights {
        ratio(&format!("income.weights.{}", kind.as_str()), w.0)?;
    }
    if p.income.history_months == 0 {
        return Err(err("income.history_months", "must be at least 1"));
    }
    if p.parties.min_age_years >= p.parties.max_age_at_maturity_years {
        return Err(err(
            "parties.min_age_years",
            "must be below parties.max_age_at_maturity_years",
        ));
    }
    let l = &p.loan;
    if l.min_term_months < 1 || l.min_term_months > l.max_term_months {
        return Err(err(
            "loan.min_term_months",
            "must be 1..=loan.max_term_months",
        ));
    }
    if l.rate_grid.is_empty() {
        return Err(err("loan.rate_grid", "must have at least one band"));
    }
    for (i, w) in l.rate_grid.windows(2).enumerate() {
        if w[1].max_term_months <= w[0].max_term_months {
            return Err(err(
                &format!("loan.rate_grid[{}].max_term_months", i + 1),
                "bands must be sorted by strictly increasing max_term_months",
            ));
        }
    }
    for (i, b) in l.rate_grid.iter().enumerate() {
        if b.annual_rate <= Decimal::ZERO || b.annual_rate > one {
            return Err(err(
                &format!("loan.rate_grid[{i}].annual_rate"),
                format!("{} is outside (0, 1]", b.annual_rate),
            ));
        }
    }
    let last = l.rate_grid.last().map_or(0, |b| b.max_term_months);
    if last < l.max_term_months {
        return Err(err(
            "loan.rate_grid",
            format!(
                "the last band ends at {last} months, below loan.max_term_months {}",
                l.max_term_months
            ),
        ));
    }
    if l.max_amount <= Money::ZERO {
        return Err(err("loan.max_amount", "must be greater than zero"));
    }
    if p.schedule.rounding_unit <= Decimal::ZERO {
        return Err(err("schedule.rounding_unit", "must be greater than zero"));
    }
    // Rounded figures are Money, which holds whole tiyin only.
    if p.schedule.rounding_unit.round_dp(2) != p.schedule.rounding_unit {
        return Err(err(
            "schedule.rounding_unit",
            format!(
                "{} is not a whole number of tiyin (0.01, 1, 1000…)",
                p.schedule.rounding_unit
            ),
        ));
    }
    if p.counter_offer.amount_step <= Money::ZERO {
        return Err(err(
            "counter_offer.amount_step",
            "must be greater than zero",
        ));
    }
    if p.counter_offer.terms_months.contains(&0) {
        return Err(err(
            "counter_offer.terms_months",
            "terms must be at least 1 month",
        ));
    }
    Ok(())
}

impl ProductConfig {
    /// The fixed annual rate for a term (P-RATE), or `None` when no band covers it.
    pub fn rate_for_term(&self, term_months: u32) -> Option<Decimal> {
        self.loan
            .rate_grid
            .iter()
            .find(|b| term_months <= b.max_term_months)
            .map(|b| b.annual_rate)
    }

    pub fn weight(&self, kind: IncomeKind) -> Decimal {
        self.income
            .weights
            .get(&kind)
            .map_or(Decimal::ZERO, |w| w.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const DEFAULT: &str = include_str!("../../../../assets/product/salary-auto-loan.json");

    pub fn default_product() -> ProductConfig {
        parse_product(DEFAULT).unwrap()
    }

    #[test]
    fn the_shipped_configuration_holds_the_passport_numbers() {
        let p = default_product();
        assert_eq!(p.parties.min_age_years, 18);
        assert_eq!(p.parties.max_age_at_maturity_years, 70);
        assert_eq!(p.loan.max_amount.to_string(), "800000000.00");
        let rates: Vec<String> = [6, 12, 24, 36, 48, 60, 61]
            .iter()
            .map(|t| p.rate_for_term(*t).map_or("-".into(), |r| r.to_string()))
            .collect();
        assert_eq!(rates, ["0.20", "0.21", "0.22", "0.23", "0.23", "0.24", "-"]);
        assert_eq!(p.rate_for_term(7).unwrap().to_string(), "0.21");
    }

    fn mutate(f: impl FnOnce(&mut serde_json::Value)) -> ProductError {
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT).unwrap();
        f(&mut v);
        parse_product(&v.to_string()).unwrap_err()
    }

    #[test]
    fn inconsistent_configurations_are_refused_naming_the_field() {
        let e = mutate(|v| v["loan"]["rate_grid"][2]["max_term_months"] = 10.into());
        assert_eq!(e.path, "loan.rate_grid[2].max_term_months");
        let e = mutate(|v| v["credit"]["max_dti"] = "1.5".into());
        assert_eq!(e.path, "credit.max_dti");
        let e = mutate(|v| v["loan"]["max_ltv"] = "abc".into());
        assert_eq!(e.path, "loan.max_ltv");
        let e = mutate(|v| v["loan"]["max_term_months"] = 72.into());
        assert_eq!(e.path, "loan.rate_grid");
        let e = mutate(|v| v["schedule"]["day_count"] = "30/365".into());
        assert_eq!(e.path, "schedule.day_count");
        let e = mutate(|v| v["income"]["weights"]["entrepreneur_receipts"] = "2".into());
        assert_eq!(e.path, "income.weights.entrepreneur_receipts");
        let e = mutate(|v| v["schedule"]["rounding_unit"] = "0.001".into());
        assert_eq!(e.path, "schedule.rounding_unit");
        let e = mutate(|v| v["loan"]["max_amount"] = "800000000.001".into());
        assert_eq!(e.path, "loan.max_amount");
        assert!(e.message.contains("more than 2 decimals"), "{e}");
        let e = mutate(|v| v["counter_offer"]["amount_step"] = "1e6".into());
        assert_eq!(e.path, "counter_offer.amount_step");
        assert!(parse_product("{").is_err());
    }
}
