//! Conditions beyond the passport's §6: "approve subject to …" — what must still be
//! brought, by whom, by when, and which disbursement stage waits for it.
//!
//! Invariants:
//! - [`raise`] and [`close`] are the only ways a condition comes into being or changes;
//!   each refuses with a named [`Refusal`] (its stable code, the field it names) and
//!   returns a new value — the caller stores it or nothing;
//! - a condition is open, then met (with the evidence) or waived (by a reviewer, with the
//!   reason) — once, for good: a closed condition never reopens, and its text, owner, due
//!   date and stage never change (a different condition is a new one);
//! - closing a condition is a second person's act, once the case is submitted (so its
//!   maker is known): never the case's maker or anyone who edited it — the maker brings
//!   the evidence (a scan, a note), another person finds it and marks the condition met;
//!   a waiver is a checker's act besides: the reviewer role, and not the person who raised
//!   the condition (the maker is never the checker);
//! - an open condition blocks the disbursement stage it names and every later one
//!   ([`blocks`]): stage 2 cannot pay while stage 1's condition is open.
//!
//! Readings fixed here:
//! - The owner is whoever must bring the evidence — the client, the seller, a named
//!   employee — so it is free text (the client is in no directory), 1 to 100 characters.
//! - A condition is not case data: raising, meeting or waiving one changes no version of
//!   the case and asks for no new review (§6's "do not change the underwriting decision"
//!   holds for these too); the bank keeps them beside the case and checks them itself
//!   before it takes a disbursement order.
//! - The due date may not lie before the day the condition is raised; a condition past
//!   its due date stays open (and shows as overdue) until met or waived — the date warns,
//!   it does not close anything.
//! - Closing one is a second person's act, although the §6 evidence is recorded by the
//!   underwriter alone: these conditions are the checker's demand, so the maker does not
//!   declare them met.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::Date;

/// The longest condition text, and the longest evidence or reason, in characters.
pub const TEXT_MAX_CHARS: usize = 500;
/// The longest owner, in characters.
pub const OWNER_MAX_CHARS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ConditionState")]
pub enum Status {
    Open,
    Met,
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Met => "met",
            Status::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "open" => Some(Status::Open),
            "met" => Some(Status::Met),
            "waived" => Some(Status::Waived),
            _ => None,
        }
    }
}

/// A condition of the approval, as it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApprovalCondition {
    pub condition_id: String,
    pub text: String,
    pub owner: String,
    pub due: Date,
    /// The disbursement stage (1 or 2) that waits for it, and every later one.
    pub stage: u8,
    pub raised_by: String,
    pub raised_at: String,
    pub status: Status,
    /// Who met or waived it, when, and the evidence or the reason.
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub words: Option<String>,
}

impl ApprovalCondition {
    /// Open with its due date behind `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.status == Status::Open && self.due < today
    }
}

/// A new condition as a person types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, TS)]
pub struct NewCondition {
    pub text: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub stage: u8,
}

/// How a condition closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "ConditionClosing")]
pub enum Closing {
    /// Met, with the evidence.
    Meet,
    /// Waived by a reviewer, with the reason.
    Waive,
}

impl Closing {
    pub fn as_str(self) -> &'static str {
        match self {
            Closing::Meet => "meet",
            Closing::Waive => "waive",
        }
    }
}

/// The person acting, with their roles.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub underwriter: bool,
    pub reviewer: bool,
}

/// Why a condition cannot be raised or closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("text: a condition says what must be brought")]
    TextRequired,
    #[error("{field}: {chars} characters, at most {max}")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("{field}: the control character U+{code:04X} has no place here")]
    ControlCharacter { field: &'static str, code: u32 },
    #[error("owner: a condition names who must meet it")]
    OwnerRequired,
    #[error("due: a condition has a due date")]
    DueRequired,
    #[error("due: {0:?} is not a date (YYYY-MM-DD)")]
    DueInvalid(String),
    #[error("due: {due} lies before today, {today}")]
    DuePast { due: Date, today: Date },
    #[error("stage: {0} is not a disbursement stage (1 or 2)")]
    StageInvalid(u8),
    #[error("{0} holds neither the underwriter nor the reviewer role")]
    NotStaff(String),
    #[error("condition {id} is {status} already: a closed condition never reopens")]
    Closed { id: String, status: &'static str },
    #[error("evidence: a met condition says what shows it")]
    EvidenceRequired,
    #[error("reason: a waiver says why")]
    ReasonRequired,
    #[error("{0} lacks the reviewer role: only a reviewer waives a condition")]
    WaiveNotReviewer(String),
    #[error("{0} raised this condition: its waiver is a second person's")]
    WaiveOwn(String),
    #[error("{0} made or edited this case: its conditions are closed by a second person")]
    ClosedByMaker(String),
    #[error("the case is {0}: its conditions are closed once it is submitted")]
    NotSubmitted(&'static str),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TextRequired => "CONDITION_TEXT_REQUIRED",
            Refusal::TooLong { .. } | Refusal::ControlCharacter { .. } => "INVALID_INPUT",
            Refusal::OwnerRequired => "CONDITION_OWNER_REQUIRED",
            Refusal::DueRequired => "CONDITION_DUE_REQUIRED",
            Refusal::DueInvalid(_) | Refusal::DuePast { .. } => "CONDITION_DUE_INVALID",
            Refusal::StageInvalid(_) => "CONDITION_STAGE_INVALID",
            Refusal::NotStaff(_) | Refusal::WaiveNotReviewer(_) => "MISSING_ROLE",
            Refusal::Closed { .. } => "CONDITION_CLOSED",
            Refusal::EvidenceRequired => "CONDITION_EVIDENCE_REQUIRED",
            Refusal::ReasonRequired => "CONDITION_REASON_REQUIRED",
            Refusal::WaiveOwn(_) => "CONDITION_WAIVE_OWN",
            Refusal::ClosedByMaker(_) => "CONDITION_SECOND_PERSON",
            Refusal::NotSubmitted(_) => "CONDITION_NOT_SUBMITTED",
        }
    }
}

/// `text` trimmed, or why it cannot stand in `field`: empty (`empty`), too long, or with a
/// control character other than a line break or tab.
fn words(field: &'static str, text: &str, max: usize, empty: Refusal) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(empty);
    }
    let chars = t.chars().count();
    if chars > max {
        return Err(Refusal::TooLong { field, chars, max });
    }
    if let Some(c) = t
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(Refusal::ControlCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(t.to_string())
}

/// A new open condition raised by `by` at `at` on `today`, or the first thing wrong with
/// it, in the form's order: text, owner, due date, stage, the person.
pub fn raise(
    id: &str,
    new: &NewCondition,
    by: Actor,
    at: &str,
    today: Date,
) -> Result<ApprovalCondition, Refusal> {
    let text = words("text", &new.text, TEXT_MAX_CHARS, Refusal::TextRequired)?;
    let owner = words("owner", &new.owner, OWNER_MAX_CHARS, Refusal::OwnerRequired)?;
    let due = match new.due.trim() {
        "" => return Err(Refusal::DueRequired),
        d => d
            .parse::<Date>()
            .map_err(|_| Refusal::DueInvalid(d.to_string()))?,
    };
    if due < today {
        return Err(Refusal::DuePast { due, today });
    }
    if !(1..=2).contains(&new.stage) {
        return Err(Refusal::StageInvalid(new.stage));
    }
    if !(by.underwriter || by.reviewer) {
        return Err(Refusal::NotStaff(by.name.to_string()));
    }
    Ok(ApprovalCondition {
        condition_id: id.to_string(),
        text,
        owner,
        due,
        stage: new.stage,
        raised_by: by.name.to_string(),
        raised_at: at.to_string(),
        status: Status::Open,
        closed_by: None,
        closed_at: None,
        words: None,
    })
}

/// Where the case stands for closing its conditions: its review stage, and who made or
/// edited it (the maker first).
#[derive(Clone, Copy, Debug)]
pub struct CaseHands<'a> {
    pub stage: crate::review::Stage,
    pub makers: &'a [&'a str],
}

/// The condition met or waived by `by` at `at` with `said` (the evidence or the reason),
/// or why not.
pub fn close(
    c: &ApprovalCondition,
    how: Closing,
    said: &str,
    by: Actor,
    case: CaseHands,
    at: &str,
) -> Result<ApprovalCondition, Refusal> {
    if c.status != Status::Open {
        return Err(Refusal::Closed {
            id: c.condition_id.clone(),
            status: c.status.as_str(),
        });
    }
    let (field, empty) = match how {
        Closing::Meet => ("evidence", Refusal::EvidenceRequired),
        Closing::Waive => ("reason", Refusal::ReasonRequired),
    };
    let said = words(field, said, TEXT_MAX_CHARS, empty)?;
    use crate::review::Stage;
    if !matches!(case.stage, Stage::Submitted | Stage::Approved) {
        return Err(Refusal::NotSubmitted(case.stage.as_str()));
    }
    if case.makers.contains(&by.name) {
        return Err(Refusal::ClosedByMaker(by.name.to_string()));
    }
    match how {
        Closing::Meet if !(by.underwriter || by.reviewer) => {
            return Err(Refusal::NotStaff(by.name.to_string()))
        }
        Closing::Waive if !by.reviewer => {
            return Err(Refusal::WaiveNotReviewer(by.name.to_string()))
        }
        Closing::Waive if by.name == c.raised_by => {
            return Err(Refusal::WaiveOwn(by.name.to_string()))
        }
        _ => {}
    }
    Ok(ApprovalCondition {
        status: match how {
            Closing::Meet => Status::Met,
            Closing::Waive => Status::Waived,
        },
        closed_by: Some(by.name.to_string()),
        closed_at: Some(at.to_string()),
        words: Some(said),
        ..c.clone()
    })
}

/// Whether `c` keeps disbursement stage `stage` from being ordered: open, and naming this
/// stage or an earlier one.
pub fn blocks(c: &ApprovalCondition, stage: u8) -> bool {
    c.status == Status::Open && c.stage <= stage
}

#[cfg(test)]
mod tests;
