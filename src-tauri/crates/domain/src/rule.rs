//! The passport's rules and conditions by their IDs (`assets/spec/product-passport.md`).
//!
//! Invariants: a rule is named in code by its variant, never by a string; its `Display`
//! (and its JSON and TypeScript form) is the passport's ID, so searching `P-DTI` finds the
//! variant, and the variant finds every place the rule is checked, reported or counted;
//! [`Rule::section`] matches every variant — a new rule names its section or does not
//! compile.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A rule of the product passport (`P-…`) or a condition before disbursement (`C-…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum Rule {
    // §1 The borrower and co-borrowers.
    #[serde(rename = "P-CIT")]
    Cit,
    #[serde(rename = "P-AGE-MIN")]
    AgeMin,
    #[serde(rename = "P-AGE-MAX")]
    AgeMax,
    #[serde(rename = "P-CO-MAX")]
    CoMax,
    #[serde(rename = "P-JOB")]
    Job,
    // §2 Income.
    #[serde(rename = "P-INC-6M")]
    Inc6m,
    #[serde(rename = "P-INC-AVG")]
    IncAvg,
    #[serde(rename = "P-INC-IE-ACC")]
    IncIeAcc,
    // §3 Credit history and the debt burden.
    #[serde(rename = "P-DEBT-OK")]
    DebtOk,
    #[serde(rename = "P-OVERDUE")]
    Overdue,
    #[serde(rename = "P-90DPD")]
    Dpd90,
    #[serde(rename = "P-DTI")]
    Dti,
    // §4 The vehicle.
    #[serde(rename = "P-VEH-CAT")]
    VehCat,
    #[serde(rename = "P-VEH-NEW")]
    VehNew,
    #[serde(rename = "P-VEH-SELLER")]
    VehSeller,
    #[serde(rename = "P-VEH-LIEN")]
    VehLien,
    #[serde(rename = "P-VIN")]
    Vin,
    #[serde(rename = "P-CUSTOMS")]
    Customs,
    // §5 Loan terms.
    #[serde(rename = "P-TERM")]
    Term,
    #[serde(rename = "P-RATE")]
    Rate,
    #[serde(rename = "P-MAX")]
    Max,
    #[serde(rename = "P-DOWN")]
    Down,
    #[serde(rename = "P-LTV")]
    Ltv,
    #[serde(rename = "P-SCHED")]
    Sched,
    #[serde(rename = "P-GRACE")]
    Grace,
    #[serde(rename = "P-SUM")]
    Sum,
    // §6 Conditions before disbursement.
    #[serde(rename = "C-INS-VEH")]
    InsVehicle,
    #[serde(rename = "C-INS-NR")]
    InsNonRepayment,
    #[serde(rename = "C-DOWN")]
    DownProof,
    #[serde(rename = "C-LIEN")]
    Lien,
    // §7 Documents.
    #[serde(rename = "P-DOCS")]
    Docs,
    #[serde(rename = "P-DOCS-REJ")]
    DocsRejected,
    // §9 The product stop.
    #[serde(rename = "P-STOP")]
    Stop,
}

impl Rule {
    pub const ALL: [Rule; 33] = [
        Rule::Cit,
        Rule::AgeMin,
        Rule::AgeMax,
        Rule::CoMax,
        Rule::Job,
        Rule::Inc6m,
        Rule::IncAvg,
        Rule::IncIeAcc,
        Rule::DebtOk,
        Rule::Overdue,
        Rule::Dpd90,
        Rule::Dti,
        Rule::VehCat,
        Rule::VehNew,
        Rule::VehSeller,
        Rule::VehLien,
        Rule::Vin,
        Rule::Customs,
        Rule::Term,
        Rule::Rate,
        Rule::Max,
        Rule::Down,
        Rule::Ltv,
        Rule::Sched,
        Rule::Grace,
        Rule::Sum,
        Rule::InsVehicle,
        Rule::InsNonRepayment,
        Rule::DownProof,
        Rule::Lien,
        Rule::Docs,
        Rule::DocsRejected,
        Rule::Stop,
    ];

    /// The passport's ID.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Cit => "P-CIT",
            Rule::AgeMin => "P-AGE-MIN",
            Rule::AgeMax => "P-AGE-MAX",
            Rule::CoMax => "P-CO-MAX",
            Rule::Job => "P-JOB",
            Rule::Inc6m => "P-INC-6M",
            Rule::IncAvg => "P-INC-AVG",
            Rule::IncIeAcc => "P-INC-IE-ACC",
            Rule::DebtOk => "P-DEBT-OK",
            Rule::Overdue => "P-OVERDUE",
            Rule::Dpd90 => "P-90DPD",
            Rule::Dti => "P-DTI",
            Rule::VehCat => "P-VEH-CAT",
            Rule::VehNew => "P-VEH-NEW",
            Rule::VehSeller => "P-VEH-SELLER",
            Rule::VehLien => "P-VEH-LIEN",
            Rule::Vin => "P-VIN",
            Rule::Customs => "P-CUSTOMS",
            Rule::Term => "P-TERM",
            Rule::Rate => "P-RATE",
            Rule::Max => "P-MAX",
            Rule::Down => "P-DOWN",
            Rule::Ltv => "P-LTV",
            Rule::Sched => "P-SCHED",
            Rule::Grace => "P-GRACE",
            Rule::Sum => "P-SUM",
            Rule::InsVehicle => "C-INS-VEH",
            Rule::InsNonRepayment => "C-INS-NR",
            Rule::DownProof => "C-DOWN",
            Rule::Lien => "C-LIEN",
            Rule::Docs => "P-DOCS",
            Rule::DocsRejected => "P-DOCS-REJ",
            Rule::Stop => "P-STOP",
        }
    }

    /// The passport section the rule belongs to (1–9), for grouping on screen.
    pub fn section(self) -> u8 {
        match self {
            Rule::Cit | Rule::AgeMin | Rule::AgeMax | Rule::CoMax | Rule::Job => 1,
            Rule::Inc6m | Rule::IncAvg | Rule::IncIeAcc => 2,
            Rule::DebtOk | Rule::Overdue | Rule::Dpd90 | Rule::Dti => 3,
            Rule::VehCat
            | Rule::VehNew
            | Rule::VehSeller
            | Rule::VehLien
            | Rule::Vin
            | Rule::Customs => 4,
            Rule::Term
            | Rule::Rate
            | Rule::Max
            | Rule::Down
            | Rule::Ltv
            | Rule::Sched
            | Rule::Grace
            | Rule::Sum => 5,
            Rule::InsVehicle | Rule::InsNonRepayment | Rule::DownProof | Rule::Lien => 6,
            Rule::Docs | Rule::DocsRejected => 7,
            Rule::Stop => 9,
        }
    }

    /// The rule of a passport ID.
    pub fn parse(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A rule compared with its ID as text (a JSON value, a column of the store).
impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.id() == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_its_passport_id_everywhere() {
        let mut seen = std::collections::BTreeSet::new();
        for r in Rule::ALL {
            seen.insert(r);
            assert_eq!(r.to_string(), r.id());
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::Value::String(r.id().into())
            );
            assert_eq!(Rule::parse(r.id()), Some(r));
            assert!((1..=9).contains(&r.section()));
            assert_eq!(r.id().starts_with("C-"), r.section() == 6, "{r}");
        }
        assert_eq!(seen.len(), 33, "each rule once in ALL");
        assert_eq!(Rule::parse("P-NOPE"), None);
    }

    /// Each passport ID in the passport's tables is a rule here, and each rule here is in
    /// the passport.
    #[test]
    fn the_rules_are_the_passport_s() {
        let passport = include_str!("../../../../assets/spec/product-passport.md");
        let ids: std::collections::BTreeSet<&str> = passport
            .lines()
            .filter_map(|l| l.strip_prefix("| "))
            .filter_map(|l| l.split(" |").next())
            .filter(|id| id.starts_with("P-") || id.starts_with("C-"))
            .collect();
        for id in &ids {
            assert!(
                Rule::parse(id).is_some(),
                "{id} is in the passport, not in Rule"
            );
        }
        for r in Rule::ALL {
            // P-VEH-LIEN and P-STOP are the product configuration's (the readings in decision.rs).
            if !matches!(r, Rule::VehLien | Rule::Stop) {
                assert!(ids.contains(r.id()), "{r} is no rule of the passport");
            }
        }
    }
}
