use uw_domain::case::ReviewDecision;

use super::*;
use crate::tests::options;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(options(dir, "os-user", true, true)).unwrap()
}

fn new(text: &str, due: Date, stage: u8) -> NewCondition {
    NewCondition {
        text: text.into(),
        owner: "the client".into(),
        due: due.to_string(),
        stage,
    }
}

fn blockers(ws: &Workstation, stage: usize) -> Vec<String> {
    ws.disbursement(CASE).unwrap().stages[stage - 1]
        .blockers
        .iter()
        .map(|b| b.code.clone())
        .collect()
}

#[test]
fn a_condition_is_raised_checked_and_closed_once_and_holds_its_stage_until_then() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let today = crate::disbursement::today();
    let due = today.add_days(14);
    let letter = new("the employer's letter confirming the salary", due, 1);
    assert_eq!(
        ws.raise_condition(CASE, &letter).unwrap_err().code,
        ErrorCode::NotLoggedIn
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let version = ws.open_case(CASE).unwrap().version;
    // Bad conditions: coded, naming the field, nothing written.
    let bad = |patch: fn(&mut NewCondition)| {
        let mut n = letter.clone();
        patch(&mut n);
        ws.raise_condition(CASE, &n).unwrap_err()
    };
    assert_eq!(
        bad(|n| n.owner = " ".into()).code,
        ErrorCode::ConditionOwnerRequired
    );
    assert_eq!(
        bad(|n| n.due = "".into()).code,
        ErrorCode::ConditionDueRequired
    );
    let past = bad(|n| n.due = "2020-01-01".into());
    assert_eq!(past.code, ErrorCode::ConditionDueInvalid);
    assert!(
        past.message
            .starts_with("due: 2020-01-01 lies before today"),
        "{past:?}"
    );
    assert_eq!(
        bad(|n| n.due = "soon".into()).code,
        ErrorCode::ConditionDueInvalid
    );
    assert_eq!(
        bad(|n| n.text = "".into()).code,
        ErrorCode::ConditionTextRequired
    );
    assert_eq!(bad(|n| n.stage = 3).code, ErrorCode::ConditionStageInvalid);
    assert_eq!(
        ws.raise_condition("AUTO-2026-999999", &letter)
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert!(ws.conditions(CASE).unwrap().is_empty());

    let list = ws.raise_condition(CASE, &letter).unwrap();
    let list2 = ws
        .raise_condition(CASE, &new("the title's copy", due, 2))
        .unwrap();
    assert_eq!((list.len(), list2.len()), (1, 2));
    let c = &list2[0];
    assert_eq!(
        (
            c.condition.raised_by.as_str(),
            c.condition.status,
            c.overdue,
            c.waiting
        ),
        // No bank here: nothing waits for one.
        ("alice", Status::Open, false, false)
    );
    // Not case data: no new version, and the history says it.
    assert_eq!(ws.open_case(CASE).unwrap().version, version);
    assert!(ws
        .history(CASE)
        .unwrap()
        .iter()
        .any(|e| e.kind == "condition_raised"));

    // The maker submits; bob approves. Stage 1 waits for the letter, stage 2 for both.
    let v = ws
        .submit(
            CASE,
            version,
            ReviewDecision::Approve,
            "salary at this bank",
        )
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.approve(CASE, v.version, "bob-demo-2026").unwrap();
    assert!(blockers(&ws, 1).contains(&"CONDITION_OPEN".to_string()));
    let (letter_id, title_id) = (
        list2[0].condition.condition_id.clone(),
        list2[1].condition.condition_id.clone(),
    );
    let e = ws
        .close_condition(CASE, &letter_id, Closing::Waive, " ")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ConditionReasonRequired);
    let after = ws
        .close_condition(
            CASE,
            &letter_id,
            Closing::Waive,
            "the payroll of this bank shows it",
        )
        .unwrap();
    assert_eq!(after[0].condition.status, Status::Waived);
    assert!(!after[0].may_meet && !after[0].may_waive);
    assert!(after[1].may_meet && after[1].may_waive);
    assert_eq!(after[0].condition.closed_by.as_deref(), Some("bob"));
    assert!(!blockers(&ws, 1).contains(&"CONDITION_OPEN".to_string()));
    let again = ws
        .close_condition(CASE, &letter_id, Closing::Meet, "the letter came after all")
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::ConditionClosed);
    ws.logout().unwrap();

    // alice, the maker, brings the evidence; she closes none of her case's conditions.
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let mine = ws.conditions(CASE).unwrap();
    assert!(!mine[1].may_meet && !mine[1].may_waive);
    for how in [Closing::Waive, Closing::Meet] {
        let e = ws
            .close_condition(CASE, &title_id, how, "title copy no. 7, scanned")
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ConditionSecondPerson, "{e:?}");
    }
    ws.add_note(CASE, "the title's copy is in the scans")
        .unwrap();
    ws.logout().unwrap();

    // carol, an underwriter who neither made nor edited the case, finds it and marks it.
    ws.login("carol", "carol-demo-2026", None).unwrap();
    assert_eq!(
        ws.close_condition(CASE, &title_id, Closing::Meet, "")
            .unwrap_err()
            .code,
        ErrorCode::ConditionEvidenceRequired
    );
    assert_eq!(
        ws.close_condition(CASE, "nope", Closing::Meet, "x")
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert!(blockers(&ws, 2).contains(&"CONDITION_OPEN".to_string()));
    let done = ws
        .close_condition(CASE, &title_id, Closing::Meet, "title copy no. 7, scanned")
        .unwrap();
    assert_eq!(done[1].condition.status, Status::Met);
    assert!(!blockers(&ws, 2).contains(&"CONDITION_OPEN".to_string()));
    let kinds: Vec<_> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("condition"))
        .collect();
    assert_eq!(
        kinds,
        [
            "condition_raised",
            "condition_raised",
            "condition_waived",
            "condition_met"
        ]
    );
    // The queue's badge counts the open ones only.
    let row = |ws: &Workstation| {
        ws.queue(&uw_store::QueueQuery::default())
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.case_id == CASE)
            .unwrap()
    };
    assert_eq!(row(&ws).open_conditions, 0);
}

#[test]
fn a_rejected_case_takes_no_condition_and_the_queue_counts_the_open_ones() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let due = crate::disbursement::today().add_days(3);
    ws.raise_condition(CASE, &new("a", due, 1)).unwrap();
    let row = ws
        .queue(&uw_store::QueueQuery::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.case_id == CASE)
        .unwrap();
    assert_eq!(
        (row.open_conditions, row.conditions_due),
        (1, Some(due.to_string()))
    );
    let version = ws.open_case(CASE).unwrap().version;
    let v = ws
        .submit(CASE, version, ReviewDecision::Reject, "income not proven")
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.reject(CASE, v.version, "income not proven", "bob-demo-2026")
        .unwrap();
    let e = ws.raise_condition(CASE, &new("b", due, 1)).unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongStage);
}
