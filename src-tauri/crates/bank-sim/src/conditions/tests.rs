#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use uw_directory::DirectoryRoles;

use super::*;
use crate::workflow::{KeyVerdict, PersonVerdict};

const CASE: &str = "AUTO-2026-000123";

fn raise() -> ConditionAct {
    ConditionAct {
        condition_id: "k-1".into(),
        action: ConditionAction::Raise,
        author: "alice".into(),
        at: "2026-12-02T09:00:00Z".into(),
        text: Some("the employer's letter".into()),
        owner: Some("the client".into()),
        due: Some("2026-12-20".into()),
        stage: Some(1),
        words: None,
        algorithm: None,
        signature: None,
    }
}

fn closing(action: ConditionAction, author: &str, words: &str) -> ConditionAct {
    ConditionAct {
        action,
        author: author.into(),
        at: "2026-12-02T09:30:00Z".into(),
        text: None,
        owner: None,
        due: None,
        stage: None,
        words: Some(words.into()),
        ..raise()
    }
}

fn kept(status: &str) -> Option<(String, RemoteCondition)> {
    let closed = status != "open";
    Some((
        CASE.into(),
        RemoteCondition {
            condition_id: "k-1".into(),
            text: "the employer's letter".into(),
            owner: "the client".into(),
            due: "2026-12-20".into(),
            stage: 1,
            raised_by: "alice".into(),
            raised_at: "2026-12-02T09:00:00Z".into(),
            status: status.into(),
            closed_by: closed.then(|| "bob".into()),
            closed_at: closed.then(|| "2026-12-02T09:30:00Z".into()),
            words: closed.then(|| "seen".into()),
            accepted_at: "2026-12-02T09:00:01Z".into(),
        },
    ))
}

fn case(stage: Stage) -> Held {
    Held {
        stage: Some(stage),
        branch: "BXM-07".into(),
        makers: vec!["carol".into(), "erin".into()],
        ordered: vec![],
    }
}

fn person(underwriter: bool, reviewer: bool) -> Author {
    Author {
        key: KeyVerdict::Current,
        person: PersonVerdict::Found {
            roles: DirectoryRoles {
                underwriter,
                reviewer,
                administrator: false,
                supervisor: false,
            },
            branches: vec!["BXM-07".into()],
        },
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// One act on CASE: (act, held, kept, author) → "RAISE", "MET", "WAIVED", "AGAIN" or the
/// refusal's code.
fn check(
    act: &ConditionAct,
    held: bool,
    k: Option<(String, RemoteCondition)>,
    a: Option<Author>,
    expected: &str,
) {
    let submitted = case(Stage::Submitted);
    let got = match judge(held.then_some(&submitted), act, k, CASE, a.as_ref(), now()) {
        Ok(Verdict::Raise) => "RAISE",
        Ok(Verdict::Close("met")) => "MET",
        Ok(Verdict::Close(_)) => "WAIVED",
        Ok(Verdict::Again) => "AGAIN",
        Err(r) => r.code,
    };
    assert_eq!(got, expected, "{act:?}");
}

#[test]
fn raising_checks_every_field_and_keeps_a_condition_once() {
    check(&raise(), true, None, None, "RAISE");
    check(&raise(), true, kept("open"), None, "AGAIN");
    let mut changed = raise();
    changed.due = Some("2026-12-31".into());
    check(&changed, true, kept("open"), None, "CONDITION_EXISTS");
    check(
        &raise(),
        true,
        Some((String::from("AUTO-2026-000124"), kept("open").unwrap().1)),
        None,
        "CONDITION_EXISTS",
    );
    check(&raise(), false, None, None, "NOT_FOUND");
    type Patch = fn(&mut ConditionAct);
    let bad: [(Patch, &str); 11] = [
        (|a| a.text = None, "CONDITION_TEXT_REQUIRED"),
        (|a| a.text = Some(" \n".into()), "CONDITION_TEXT_REQUIRED"),
        (|a| a.text = Some("x".repeat(501)), "INVALID_CONDITION"),
        (|a| a.owner = Some("\u{7}x".into()), "INVALID_CONDITION"),
        (|a| a.owner = None, "CONDITION_OWNER_REQUIRED"),
        (|a| a.due = None, "CONDITION_DUE_REQUIRED"),
        (
            |a| a.due = Some("20.12.2026".into()),
            "CONDITION_DUE_INVALID",
        ),
        (
            |a| a.due = Some("2026-12-01".into()),
            "CONDITION_DUE_INVALID",
        ),
        (|a| a.stage = Some(3), "CONDITION_STAGE_INVALID"),
        (|a| a.condition_id = "../x".into(), "INVALID_CONDITION"),
        (
            |a| a.at = "2026-12-02T10:05:01Z".into(),
            "INVALID_CONDITION",
        ),
    ];
    for (patch, code) in bad {
        let mut a = raise();
        patch(&mut a);
        check(&a, true, None, None, code);
    }
}

#[test]
fn a_condition_closes_once_and_a_waiver_is_a_second_reviewer_s() {
    let meet = closing(ConditionAction::Meet, "bob", "seen");
    check(&meet, true, kept("open"), None, "MET");
    check(&meet, true, kept("met"), None, "AGAIN");
    check(
        &closing(ConditionAction::Meet, "bob", "other words"),
        true,
        kept("met"),
        None,
        "CONDITION_CLOSED",
    );
    check(
        &closing(ConditionAction::Waive, "bob", "seen"),
        true,
        kept("met"),
        None,
        "CONDITION_CLOSED",
    );
    check(&meet, true, None, None, "CONDITION_UNKNOWN");
    check(
        &meet,
        true,
        Some((String::from("AUTO-2026-000124"), kept("open").unwrap().1)),
        None,
        "CONDITION_UNKNOWN",
    );
    check(
        &closing(ConditionAction::Meet, "bob", " "),
        true,
        kept("open"),
        None,
        "CONDITION_EVIDENCE_REQUIRED",
    );
    check(
        &closing(ConditionAction::Waive, "bob", ""),
        true,
        kept("open"),
        None,
        "CONDITION_REASON_REQUIRED",
    );
    let waive = closing(
        ConditionAction::Waive,
        "bob",
        "the bank's own payroll shows it",
    );
    check(
        &waive,
        true,
        kept("open"),
        Some(person(false, true)),
        "WAIVED",
    );
    // An underwriter meets a condition but does not waive one.
    check(&meet, true, kept("open"), Some(person(true, false)), "MET");
    check(
        &waive,
        true,
        kept("open"),
        Some(person(true, false)),
        "ROLE_MISSING",
    );
    // The reviewer who raised it is not the second person.
    let own = closing(ConditionAction::Waive, "alice", "no need");
    check(
        &own,
        true,
        kept("open"),
        Some(person(true, true)),
        "CONDITION_WAIVE_OWN",
    );
    check(&own, true, kept("open"), None, "CONDITION_WAIVE_OWN");
    // Nor does the case's maker (carol), whatever roles the directory gives her.
    let maker = closing(ConditionAction::Waive, "carol", "no need");
    check(
        &maker,
        true,
        kept("open"),
        Some(person(true, true)),
        "CONDITION_SECOND_PERSON",
    );
    // The maker, or an editor, meets none either: a second person does.
    for who in ["carol", "erin"] {
        check(
            &closing(ConditionAction::Meet, who, "seen"),
            true,
            kept("open"),
            None,
            "CONDITION_SECOND_PERSON",
        );
    }
}

/// One act on CASE as it stands (`held`), by an author of branch BXM-07 or another.
fn judged(
    act: &ConditionAct,
    held: Held,
    kept: Option<(String, RemoteCondition)>,
    branch: &str,
) -> &'static str {
    let mut a = person(true, true);
    a.person = PersonVerdict::Found {
        roles: DirectoryRoles {
            underwriter: true,
            reviewer: true,
            administrator: false,
            supervisor: false,
        },
        branches: vec![branch.into()],
    };
    match judge(Some(&held), act, kept, CASE, Some(&a), now()) {
        Ok(_) => "OK",
        Err(r) => r.code,
    }
}

#[test]
fn the_bank_holds_the_case_s_stage_branch_and_orders_against_every_act() {
    let meet = closing(ConditionAction::Meet, "bob", "seen");
    assert_eq!(
        judged(&meet, case(Stage::Approved), kept("open"), "BXM-07"),
        "OK"
    );
    // Another branch's person acts on none of its conditions.
    assert_eq!(
        judged(&raise(), case(Stage::Draft), None, "BXO-02"),
        "ROLE_MISSING"
    );
    assert_eq!(
        judged(&meet, case(Stage::Approved), kept("open"), "BXO-02"),
        "ROLE_MISSING"
    );
    // Before the submission nothing closes; a rejected case takes no condition.
    for stage in [Stage::Draft, Stage::Returned, Stage::Rejected] {
        assert_eq!(
            judged(&meet, case(stage), kept("open"), "BXM-07"),
            "CONDITION_NOT_SUBMITTED"
        );
    }
    assert_eq!(
        judged(&raise(), case(Stage::Rejected), None, "BXM-07"),
        "WRONG_STAGE"
    );
    // A stage the bank has an order of takes no new condition.
    let ordered = Held {
        ordered: vec![1],
        ..case(Stage::Approved)
    };
    assert_eq!(judged(&raise(), ordered, None, "BXM-07"), "WRONG_STAGE");
    let mut later = raise();
    later.stage = Some(2);
    let ordered = Held {
        ordered: vec![1],
        ..case(Stage::Approved)
    };
    assert_eq!(judged(&later, ordered, None, "BXM-07"), "OK");
}

#[test]
fn the_words_and_times_are_kept_as_signed() {
    let untrimmed = ConditionAct {
        text: Some(" the letter".into()),
        ..raise()
    };
    check(&untrimmed, true, None, None, "INVALID_CONDITION");
    for due in ["2026-1-5", "+2026-12-20", "2026-12-20 ", "2026-12-2"] {
        let a = ConditionAct {
            due: Some(due.into()),
            ..raise()
        };
        check(&a, true, None, None, "CONDITION_DUE_INVALID");
    }
    // Older than an offline login lasts (72 h before the bank's clock).
    let stale = ConditionAct {
        at: "2026-11-29T09:59:59Z".into(),
        due: Some("2026-12-20".into()),
        ..raise()
    };
    check(&stale, true, None, None, "INVALID_CONDITION");
    // A close dated before the raise.
    let early = ConditionAct {
        at: "2026-12-02T08:00:00Z".into(),
        ..closing(ConditionAction::Meet, "bob", "seen")
    };
    check(&early, true, kept("open"), None, "INVALID_CONDITION");
}
