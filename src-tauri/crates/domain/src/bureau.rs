//! The credit bureau's report on a person and the credit-history figures rule book §3
//! decides on (P-DEBT-OK, P-OVERDUE, P-90DPD, P-DTI), derived from it.
//!
//! Readings fixed here:
//! - existing monthly payments are those of every open loan *and* every guarantee the
//!   person gave: a guarantor may have to pay, and the passport's K2 counts "all existing
//!   loans of all parties" — the cautious reading; a closed loan counts nothing;
//! - overdue now: any overdue amount or any overdue days in the report;
//! - episodes 90+: every episode over 90 days past due the report lists, open or closed
//!   loans alike (the history is the person's, not the loan's).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::CreditHistory;
use crate::money::{Date, Money};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct BureauReport {
    pub pinfl: String,
    /// The day the bureau's data stands at.
    pub as_of: Date,
    #[serde(default)]
    pub loans: Vec<OpenLoan>,
    #[serde(default)]
    pub guarantees: Vec<Guarantee>,
    pub overdue_amount: Money,
    pub overdue_days: u32,
    #[serde(default)]
    pub episodes_90_plus: Vec<Episode>,
    #[serde(default)]
    pub closed_loans: Vec<ClosedLoan>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenLoan {
    pub lender: String,
    pub kind: String,
    pub opened: Date,
    pub amount: Money,
    pub outstanding: Money,
    pub monthly_payment: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Guarantee {
    pub lender: String,
    /// Whose loan the person guarantees.
    pub borrower: String,
    pub monthly_payment: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Episode {
    pub lender: String,
    pub from: Date,
    /// None while the episode goes on.
    pub to: Option<Date>,
    pub max_days_past_due: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ClosedLoan {
    pub lender: String,
    pub opened: Date,
    pub closed: Date,
    pub amount: Money,
}

/// Reads a report, naming the JSON path of what is malformed.
pub fn parse_report(value: serde_json::Value) -> Result<BureauReport, String> {
    let report: BureauReport = serde_path_to_error::deserialize(value)
        .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
    if let Some((i, e)) = report
        .episodes_90_plus
        .iter()
        .enumerate()
        .find(|(_, e)| e.max_days_past_due <= 90)
    {
        return Err(format!(
            "episodes_90_plus[{i}].max_days_past_due: {} is not over 90",
            e.max_days_past_due
        ));
    }
    Ok(report)
}

/// The case's credit-history figures from a report; refused when the monthly payments sum
/// beyond the largest amount (10^15 UZS), which no real report reaches.
pub fn credit_history(r: &BureauReport) -> Result<CreditHistory, String> {
    let payments = r
        .loans
        .iter()
        .map(|l| l.monthly_payment)
        .chain(r.guarantees.iter().map(|g| g.monthly_payment));
    let existing_monthly_payments = Money::checked_sum(payments).ok_or_else(|| {
        "the monthly payments of the loans and guarantees sum above the largest amount accepted (10^15 UZS)"
            .to_string()
    })?;
    Ok(CreditHistory {
        current_overdue: r.overdue_amount > Money::ZERO || r.overdue_days > 0,
        delinquencies_90_plus: u32::try_from(r.episodes_90_plus.len()).unwrap_or(u32::MAX),
        existing_monthly_payments,
        source: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> serde_json::Value {
        json!({
            "pinfl": "31508900011235",
            "as_of": "2026-11-20",
            "loans": [
                {"lender": "SQB", "kind": "consumer", "opened": "2025-03-01", "amount": "30000000.00",
                 "outstanding": "12000000.00", "monthly_payment": "1450000.00"},
                {"lender": "Hamkorbank", "kind": "card", "opened": "2024-06-10", "amount": "5000000.00",
                 "outstanding": "2100000.00", "monthly_payment": "350000.50"}
            ],
            "guarantees": [
                {"lender": "Ipoteka-bank", "borrower": "Karimova Dilnoza", "monthly_payment": "900000.00"}
            ],
            "overdue_amount": "0.00",
            "overdue_days": 0,
            "episodes_90_plus": [
                {"lender": "Kapitalbank", "from": "2019-02-01", "to": "2019-06-15", "max_days_past_due": 134},
                {"lender": "SQB", "from": "2021-09-01", "to": "2022-01-10", "max_days_past_due": 95}
            ],
            "closed_loans": [
                {"lender": "Kapitalbank", "opened": "2018-05-01", "closed": "2020-05-01", "amount": "20000000.00"}
            ]
        })
    }

    #[test]
    fn open_loans_and_guarantees_count_closed_loans_do_not() {
        let r = parse_report(report()).unwrap();
        let h = credit_history(&r).unwrap();
        assert_eq!(h.existing_monthly_payments.to_string(), "2700000.50");
        assert!(!h.current_overdue);
        // Both episodes, one of them on a loan since closed.
        assert_eq!(h.delinquencies_90_plus, 2);
    }

    #[test]
    fn any_overdue_amount_or_day_is_overdue_now() {
        let mut v = report();
        v["overdue_days"] = json!(12);
        assert!(
            credit_history(&parse_report(v).unwrap())
                .unwrap()
                .current_overdue
        );
        let mut v = report();
        v["overdue_amount"] = json!("15000.00");
        assert!(
            credit_history(&parse_report(v).unwrap())
                .unwrap()
                .current_overdue
        );
        // An empty history: nothing to pay, nothing overdue.
        let empty = json!({"pinfl": "31508900011235", "as_of": "2026-11-20", "overdue_amount": "0", "overdue_days": 0});
        let h = credit_history(&parse_report(empty).unwrap()).unwrap();
        assert_eq!(
            (
                h.existing_monthly_payments.to_string(),
                h.current_overdue,
                h.delinquencies_90_plus
            ),
            ("0.00".to_string(), false, 0)
        );
    }

    #[test]
    fn a_malformed_report_names_the_path() {
        let mut v = report();
        v["loans"][1]["monthly_payment"] = json!(350000.5);
        assert!(parse_report(v)
            .unwrap_err()
            .starts_with("loans[1].monthly_payment"));
        let mut v = report();
        v["loans"][1]["monthly_payment"] = json!("350000.505");
        assert_eq!(
            parse_report(v).unwrap_err(),
            "loans[1].monthly_payment: \"350000.505\": more than 2 decimals (an amount is in tiyin at most)"
        );
        let mut v = report();
        v["episodes_90_plus"][0]["max_days_past_due"] = json!(60);
        assert_eq!(
            parse_report(v).unwrap_err(),
            "episodes_90_plus[0].max_days_past_due: 60 is not over 90"
        );
        let mut v = report();
        v["extra"] = json!(1);
        assert!(parse_report(v).unwrap_err().contains("unknown field"));
        assert!(parse_report(json!([])).is_err());
    }

    #[test]
    fn payments_summing_beyond_the_largest_amount_are_refused() {
        let mut v = report();
        v["loans"][0]["monthly_payment"] = json!("1000000000000000.00");
        let r = parse_report(v).unwrap();
        assert!(credit_history(&r)
            .unwrap_err()
            .contains("above the largest amount"));
    }
}
