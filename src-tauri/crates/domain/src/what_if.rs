//! Passport what-if: a case under the current product configuration and under a revised
//! one — whether its decision changes, and the rules behind the change.

use serde::Serialize;
use ts_rs::TS;

use crate::decision::{evaluate, Decision, EvalOptions, Reason};
use crate::{CaseFile, ProductConfig};

/// A case whose decision the revision changes.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Change {
    pub before: Decision,
    pub after: Decision,
    /// Rules that fail under the revision and did not before (with the revised limits).
    pub now_failing: Vec<Reason>,
    /// Rules that failed before and pass under the revision.
    pub no_longer_failing: Vec<Reason>,
}

fn same_rule(a: &Reason, b: &Reason) -> bool {
    a.rule == b.rule && a.code == b.code
}

/// `None` when the revision leaves the decision as it is.
pub fn compare(
    case: &CaseFile,
    current: &ProductConfig,
    revised: &ProductConfig,
) -> Option<Change> {
    let opts = EvalOptions::default();
    let before = evaluate(case, current, &opts);
    let after = evaluate(case, revised, &opts);
    if before.decision == after.decision {
        return None;
    }
    let missing_from = |from: &[Reason], other: &[Reason]| -> Vec<Reason> {
        from.iter()
            .filter(|r| !other.iter().any(|o| same_rule(r, o)))
            .cloned()
            .collect()
    };
    Some(Change {
        before: before.decision,
        after: after.decision,
        now_failing: missing_from(&after.reasons, &before.reasons),
        no_longer_failing: missing_from(&before.reasons, &after.reasons),
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::case::tests::EXAMPLE;
    use crate::product::tests::default_product;

    #[test]
    fn a_tighter_debt_burden_limit_turns_the_example_into_a_reject_saying_why() {
        let case = crate::parse_case(EXAMPLE).unwrap();
        let current = default_product();
        assert_eq!(compare(&case, &current, &current), None);
        let mut revised = current.clone();
        revised.credit.max_dti = Decimal::new(40, 2);
        let change = compare(&case, &current, &revised).unwrap();
        assert_eq!(
            (change.before, change.after),
            (Decision::Approve, Decision::Reject)
        );
        assert_eq!(change.now_failing.len(), 1);
        assert_eq!(change.now_failing[0].code, "DTI_EXCEEDED");
        assert_eq!(change.now_failing[0].limit.as_deref(), Some("40.00"));
        assert!(change.no_longer_failing.is_empty());
        // And back: the reject under the tighter limit passes under the shipped one.
        let back = compare(&case, &revised, &current).unwrap();
        assert_eq!(back.no_longer_failing[0].code, "DTI_EXCEEDED");
    }
}
