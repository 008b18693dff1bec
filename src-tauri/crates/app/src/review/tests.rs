use uw_domain::case::ReviewDecision;

use super::*;
use crate::OpenOptions;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(OpenOptions {
        data_dir: dir.to_path_buf(),
        actor: "os-user".into(),
        demo: true,
        require_login: true,
    })
    .unwrap()
}

fn edit_term(ws: &Workstation, term: u32) -> Result<CaseView> {
    let v = ws.open_case(CASE)?;
    let mut case = v.case;
    case.loan.term_months = term;
    ws.save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
}

#[test]
fn alice_submits_bob_approves_and_no_one_signs_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    // Nothing moves without a login.
    assert_eq!(
        ws.submit(CASE, 1, ReviewDecision::Approve, "ok")
            .unwrap_err()
            .code,
        ErrorCode::NotLoggedIn
    );
    assert_eq!(edit_term(&ws, 48).unwrap_err().code, ErrorCode::NotLoggedIn);

    ws.login("carol", "carol-demo-2026").unwrap();
    let v = edit_term(&ws, 48).unwrap();
    assert_eq!(
        ws.submit(CASE, v.version, ReviewDecision::Approve, "  ")
            .unwrap_err()
            .code,
        ErrorCode::CommentRequired
    );
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Approve,
            "income from statements, DTI within 50 %",
        )
        .unwrap();
    assert_eq!(v.status, "submitted");
    // Carol holds the reviewer role too, and is refused as the maker.
    assert_eq!(ws.review(CASE).unwrap().allowed, ["edit"]);
    let e = ws.approve(CASE, v.version, "carol-demo-2026").unwrap_err();
    assert_eq!(e.code, ErrorCode::MakerCannotCheck);
    ws.logout().unwrap();

    // Bob edits the submitted case: he may no longer sign it.
    ws.login("bob", "bob-demo-2026").unwrap();
    assert!(ws
        .review(CASE)
        .unwrap()
        .allowed
        .contains(&"approve".to_string()));
    let v = edit_term(&ws, 36).unwrap();
    assert_eq!(
        ws.approve(CASE, v.version, "bob-demo-2026")
            .unwrap_err()
            .code,
        ErrorCode::EditedAfterSubmission
    );
    ws.logout().unwrap();

    // Alice (underwriter only) cannot review at all.
    ws.login("alice", "alice-demo-2026").unwrap();
    assert_eq!(
        ws.approve(CASE, v.version, "alice-demo-2026")
            .unwrap_err()
            .code,
        ErrorCode::MissingRole
    );
    ws.logout().unwrap();

    // Bob returns it to Carol; she re-submits; Bob's earlier edit no longer counts.
    ws.login("bob", "bob-demo-2026").unwrap();
    let v = ws
        .return_case(
            CASE,
            v.version,
            "why 36 months? say so in the justification",
        )
        .unwrap();
    assert_eq!(v.status, "returned");
    ws.logout().unwrap();
    ws.login("carol", "carol-demo-2026").unwrap();
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Approve,
            "36 months: the client's wish",
        )
        .unwrap();
    ws.logout().unwrap();

    ws.login("bob", "bob-demo-2026").unwrap();
    // The sign-off asks for the password again.
    assert_eq!(
        ws.approve(CASE, v.version, "wrong").unwrap_err().code,
        ErrorCode::AuthFailed
    );
    let v = ws.approve(CASE, v.version, "bob-demo-2026").unwrap();
    assert_eq!(v.status, "approved");
    let review = v.case.review.clone().unwrap();
    assert_eq!(
        (
            review.maker.as_str(),
            review.checker.as_str(),
            review.decision
        ),
        ("carol", "bob", ReviewDecision::Approve)
    );
    // Decided: closed to edits and to further transitions.
    assert_eq!(edit_term(&ws, 24).unwrap_err().code, ErrorCode::WrongStage);
    assert_eq!(
        ws.return_case(CASE, v.version, "again").unwrap_err().code,
        ErrorCode::WrongStage
    );

    let kinds: Vec<String> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in ["submit", "return", "approve"] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing in {kinds:?}");
    }
    assert!(ws.verify_audit().unwrap().intact);
}
