//! The product stop (passport §9): the product is suspended for a branch, or for the whole
//! bank, when its auto-loan book has more than 8 % of loans 30+ days past due, more than
//! 3 % non-performing, or a cost of risk above 3 % (the limits come from the product file).
//!
//! Readings fixed here:
//! - each share is of the product's outstanding principal in that scope; cost of risk is
//!   the credit-loss charge of the last twelve months over that principal;
//! - "exceed" is strictly above the limit: a book at exactly 3 % NPL is not suspended;
//! - the bank is a scope of its own, judged on the sum of its branches' books, so a bank
//!   stop suspends every branch, and a branch stop only that branch;
//! - a scope with no outstanding principal has no shares and is never suspended on them;
//! - the original passport wins over the rule book, which names bank and branch: it
//!   watches the 30+ days share per bank, branch and client manager ("Bank va
//!   BXO/BXM/Mijoz menejerlar kesimida"). The core bank's figures carry no client manager,
//!   so that third scope is not judged.

use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::product::ProductStopLimits;

/// One branch's book as the core bank reports it (principal amounts, not counts).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub portfolio: Decimal,
    pub past_due_30: Decimal,
    pub npl: Decimal,
    pub credit_losses_12m: Decimal,
}

impl std::ops::Add for Book {
    type Output = Book;
    fn add(self, o: Book) -> Book {
        Book {
            portfolio: self.portfolio + o.portfolio,
            past_due_30: self.past_due_30 + o.past_due_30,
            npl: self.npl + o.npl,
            credit_losses_12m: self.credit_losses_12m + o.credit_losses_12m,
        }
    }
}

/// Which of the three limits a scope breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    #[serde(rename = "past_due_30")]
    PastDue30,
    Npl,
    CostOfRisk,
}

/// One figure of a scope against its limit.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Figure {
    pub measure: Measure,
    /// The share (0.0312 = 3.12 %), to four places; None without outstanding principal.
    pub share: Option<String>,
    pub limit: String,
    pub breached: bool,
}

/// A branch, or the bank (`branch` None), with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ScopeHealth {
    pub branch: Option<String>,
    /// Outstanding principal, decimal text.
    pub portfolio: String,
    pub figures: Vec<Figure>,
    pub suspended: bool,
}

impl ScopeHealth {
    /// "branch BXM-07" or "the bank", as the reason of a refusal names it.
    pub fn name(&self) -> String {
        self.branch
            .as_ref()
            .map_or_else(|| "the bank".to_string(), |b| format!("branch {b}"))
    }

    fn breaches(&self) -> String {
        self.figures
            .iter()
            .filter(|f| f.breached)
            .map(|f| {
                let what = match f.measure {
                    Measure::PastDue30 => "30+ days past due",
                    Measure::Npl => "NPL",
                    Measure::CostOfRisk => "cost of risk",
                };
                format!(
                    "{what} {} > {}",
                    percent(f.share.as_deref().unwrap_or("0")),
                    percent(&f.limit)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn percent(share: &str) -> String {
    share
        .parse::<Decimal>()
        .map(|d| format!("{} %", (d * Decimal::ONE_HUNDRED).round_dp(2).normalize()))
        .unwrap_or_else(|_| share.to_string())
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Health {
    pub bank: ScopeHealth,
    pub branches: Vec<ScopeHealth>,
}

fn judge(branch: Option<String>, book: &Book, limits: &ProductStopLimits) -> ScopeHealth {
    let measures = [
        (
            Measure::PastDue30,
            book.past_due_30,
            limits.max_past_due_30_share,
        ),
        (Measure::Npl, book.npl, limits.max_npl_share),
        (
            Measure::CostOfRisk,
            book.credit_losses_12m,
            limits.max_cost_of_risk,
        ),
    ];
    let figures: Vec<Figure> = measures
        .into_iter()
        .map(|(measure, amount, limit)| {
            let share = (book.portfolio > Decimal::ZERO).then(|| amount / book.portfolio);
            Figure {
                measure,
                share: share.map(|s| s.round_dp(4).to_string()),
                limit: limit.to_string(),
                breached: share.is_some_and(|s| s > limit),
            }
        })
        .collect();
    ScopeHealth {
        branch,
        portfolio: book.portfolio.to_string(),
        suspended: figures.iter().any(|f| f.breached),
        figures,
    }
}

/// Judges every branch and the bank.
pub fn assess(books: &[(String, Book)], limits: &ProductStopLimits) -> Health {
    let total = books
        .iter()
        .fold(Book::default(), |acc, (_, b)| acc + b.clone());
    Health {
        bank: judge(None, &total, limits),
        branches: books
            .iter()
            .map(|(name, b)| judge(Some(name.clone()), b, limits))
            .collect(),
    }
}

/// Why the product is suspended for a case of `branch`, or None: the text that goes into
/// [`crate::EvalOptions::product_suspended`] and the refusal of an approval.
pub fn suspension(health: &Health, branch: &str) -> Option<String> {
    std::iter::once(&health.bank)
        .chain(
            health
                .branches
                .iter()
                .filter(|b| b.branch.as_deref() == Some(branch)),
        )
        .find(|s| s.suspended)
        .map(|s| format!("{} ({})", s.name(), s.breaches()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("a decimal")
    }

    fn limits() -> ProductStopLimits {
        ProductStopLimits {
            max_past_due_30_share: dec("0.08"),
            max_npl_share: dec("0.03"),
            max_cost_of_risk: dec("0.03"),
        }
    }

    fn book(portfolio: Decimal, pd30: Decimal, npl: Decimal, cor: Decimal) -> Book {
        Book {
            portfolio,
            past_due_30: pd30,
            npl,
            credit_losses_12m: cor,
        }
    }

    #[test]
    fn a_branch_over_one_limit_is_suspended_alone() {
        let h = assess(
            &[
                (
                    "A".into(),
                    book(dec("1000"), dec("50"), dec("20"), dec("10")),
                ),
                // NPL 3.1 % > 3 %.
                (
                    "B".into(),
                    book(dec("1000"), dec("50"), dec("31"), dec("10")),
                ),
            ],
            &limits(),
        );
        assert!(!h.bank.suspended, "{h:?}");
        assert_eq!(h.bank.figures[1].share.as_deref(), Some("0.0255"));
        assert!(!h.branches[0].suspended);
        assert!(h.branches[1].suspended);
        assert_eq!(suspension(&h, "A"), None);
        assert_eq!(
            suspension(&h, "B").as_deref(),
            Some("branch B (NPL 3.1 % > 3 %)")
        );
    }

    #[test]
    fn exactly_at_the_limit_is_not_a_breach() {
        let h = assess(
            &[("A".into(), book(dec("100"), dec("8"), dec("3"), dec("3")))],
            &limits(),
        );
        assert!(!h.branches[0].suspended, "{h:?}");
        let h = assess(
            &[(
                "A".into(),
                book(dec("100"), dec("8.01"), dec("3"), dec("3")),
            )],
            &limits(),
        );
        assert!(h.branches[0].suspended);
        assert_eq!(h.branches[0].figures[0].measure, Measure::PastDue30);
        assert!(h.branches[0].figures[0].breached);
    }

    #[test]
    fn a_bank_stop_suspends_every_branch() {
        // Cost of risk 4 % over the whole book: even a branch without a book of its own
        // falls under the bank's stop.
        let h = assess(
            &[
                ("A".into(), book(dec("500"), dec("0"), dec("0"), dec("20"))),
                ("B".into(), book(dec("500"), dec("0"), dec("0"), dec("20"))),
            ],
            &limits(),
        );
        assert!(h.bank.suspended);
        let why = suspension(&h, "NEW-01").unwrap();
        assert!(why.starts_with("the bank (cost of risk 4 % > 3 %"), "{why}");
    }

    #[test]
    fn a_scope_without_principal_has_no_shares() {
        let h = assess(&[("A".into(), Book::default())], &limits());
        assert!(!h.bank.suspended);
        assert!(h.branches[0].figures.iter().all(|f| f.share.is_none()));
    }
}
