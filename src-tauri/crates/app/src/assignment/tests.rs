use super::*;
use crate::tests::options;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(options(dir, "os-user", true, true)).unwrap()
}

#[test]
fn an_underwriter_claims_and_a_supervisor_reassigns_on_a_standalone_desk() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    assert_eq!(
        ws.claim_case(CASE).unwrap_err().code,
        ErrorCode::NotLoggedIn
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let before = ws.case_assignment(CASE).unwrap();
    assert!(!before.may_reassign);
    // The demo's cases come assigned or not; alice takes this one if it is free.
    if before.assignee.is_some() && before.assignee.as_deref() != Some("alice") {
        assert_eq!(
            ws.claim_case(CASE).unwrap_err().code,
            ErrorCode::AlreadyAssigned
        );
    } else {
        assert!(before.assignee.is_some() || before.may_claim);
        let v = ws.claim_case(CASE).unwrap();
        assert_eq!(v.assignee.as_deref(), Some("alice"));
        assert!(!v.may_claim);
    }
    // alice is no supervisor: she does not hand it on.
    assert_eq!(
        ws.reassign_case(CASE, "carol").unwrap_err().code,
        ErrorCode::MissingRole
    );
    ws.logout().unwrap();

    ws.login("sara", "sara-demo-2026", None).unwrap();
    let v = ws.case_assignment(CASE).unwrap();
    assert!(v.may_reassign && !v.may_claim);
    // Only to an active local underwriter, by a well-formed name.
    assert_eq!(
        ws.reassign_case(CASE, "bob").unwrap_err().code,
        ErrorCode::AssigneeNotUnderwriter
    );
    assert_eq!(
        ws.reassign_case(CASE, "nobody").unwrap_err().code,
        ErrorCode::AssigneeNotUnderwriter
    );
    assert_eq!(
        ws.reassign_case(CASE, "car ol").unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        ws.reassign_case("AUTO-2026-999999", "carol")
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let v = ws.reassign_case(CASE, " carol ").unwrap();
    assert_eq!(v.assignee.as_deref(), Some("carol"));
    let row = ws
        .queue(&uw_store::QueueQuery::default())
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.case_id == CASE)
        .unwrap();
    assert_eq!(row.assignee.as_deref(), Some("carol"));
    let assigned: Vec<_> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "assigned")
        .map(|e| e.actor)
        .collect();
    assert_eq!(assigned.last().map(String::as_str), Some("sara"));
    ws.logout().unwrap();

    // Submitted, the case is the reviewer's to pick: it no longer changes hands.
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let version = ws.open_case(CASE).unwrap().version;
    ws.submit(
        CASE,
        version,
        uw_domain::case::ReviewDecision::Approve,
        "salary at this bank",
    )
    .unwrap();
    ws.logout().unwrap();
    ws.login("sara", "sara-demo-2026", None).unwrap();
    assert!(!ws.case_assignment(CASE).unwrap().may_reassign);
    assert_eq!(
        ws.reassign_case(CASE, "alice").unwrap_err().code,
        ErrorCode::AssignmentClosed
    );
}
