//! Who works a case: an underwriter claims an unassigned case; a supervisor gives a case
//! to another underwriter (the queue as a team uses it).
//!
//! Invariants: [`give`] is the one check, at the desk; the bank runs its own, with the
//! directory's roles and branches, before any assignment counts. Only a draft changes
//! hands: a submitted case is the reviewer's to pick from the inbox, a decided one is no
//! one's work any more, and a returned one goes back to its maker — the only one who
//! submits it again.

use crate::review::Stage;

/// The person giving the case, with their roles.
#[derive(Clone, Copy, Debug)]
pub struct Giver<'a> {
    pub name: &'a str,
    pub underwriter: bool,
    pub supervisor: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("assignee: {0:?} is not a staff id (1 to 64 letters, digits, '.', '-' or '_')")]
    InvalidAssignee(String),
    #[error("the case is {0}: only a draft changes hands")]
    Closed(&'static str),
    #[error("{0} lacks the underwriter role: only an underwriter claims a case")]
    NotUnderwriter(String),
    #[error("the case is with {0}: a supervisor gives it to someone else")]
    AlreadyAssigned(String),
    #[error("{0} lacks the supervisor role: only a supervisor gives a case to someone else")]
    NotSupervisor(String),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::InvalidAssignee(_) => "INVALID_INPUT",
            Refusal::Closed(_) => "ASSIGNMENT_CLOSED",
            Refusal::NotUnderwriter(_) | Refusal::NotSupervisor(_) => "MISSING_ROLE",
            Refusal::AlreadyAssigned(_) => "ALREADY_ASSIGNED",
        }
    }
}

/// A staff id as directories spell them.
pub fn staff_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Whether `by` may give the case (at `stage`, now with `current`) to `to`: a claim when
/// `to` is `by`, else a supervisor's reassignment.
pub fn give(stage: Stage, current: Option<&str>, by: Giver, to: &str) -> Result<(), Refusal> {
    if !staff_id(to) {
        return Err(Refusal::InvalidAssignee(to.to_string()));
    }
    if stage != Stage::Draft {
        return Err(Refusal::Closed(stage.as_str()));
    }
    if to == by.name {
        if !by.underwriter {
            return Err(Refusal::NotUnderwriter(by.name.to_string()));
        }
        return match current {
            Some(other) if other != by.name => Err(Refusal::AlreadyAssigned(other.to_string())),
            _ => Ok(()),
        };
    }
    if !by.supervisor {
        return Err(Refusal::NotSupervisor(by.name.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: Giver = Giver {
        name: "alice",
        underwriter: true,
        supervisor: false,
    };
    const SARA: Giver = Giver {
        name: "sara",
        underwriter: false,
        supervisor: true,
    };

    /// (stage, current, giver, to) → "OK" or the refusal's code.
    fn check(stage: Stage, current: Option<&str>, by: Giver, to: &str, expected: &str) {
        let got = match give(stage, current, by, to) {
            Ok(()) => "OK",
            Err(r) => r.code(),
        };
        assert_eq!(got, expected, "{stage:?} {current:?} {} → {to}", by.name);
    }

    #[test]
    fn claims_and_reassignments() {
        check(Stage::Draft, None, ALICE, "alice", "OK");
        check(Stage::Draft, Some("alice"), ALICE, "alice", "OK");
        check(
            Stage::Returned,
            Some("alice"),
            SARA,
            "carol",
            "ASSIGNMENT_CLOSED",
        );
        check(
            Stage::Draft,
            Some("carol"),
            ALICE,
            "alice",
            "ALREADY_ASSIGNED",
        );
        check(Stage::Draft, None, SARA, "sara", "MISSING_ROLE");
        check(Stage::Draft, Some("alice"), ALICE, "carol", "MISSING_ROLE");
        check(Stage::Draft, Some("alice"), SARA, "carol", "OK");
        check(Stage::Draft, None, SARA, "carol", "OK");
        for stage in [Stage::Submitted, Stage::Approved, Stage::Rejected] {
            check(stage, Some("alice"), SARA, "carol", "ASSIGNMENT_CLOSED");
            check(stage, None, ALICE, "alice", "ASSIGNMENT_CLOSED");
        }
        for bad in ["", "car ol", "../x", "ä", &"x".repeat(65)] {
            check(Stage::Draft, None, SARA, bad, "INVALID_INPUT");
        }
        let e = give(Stage::Submitted, None, SARA, "carol").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the case is submitted: only a draft changes hands"
        );
    }
}
