use uw_domain::case::ReviewDecision;

use super::*;
use crate::tests::options;

const CASE: &str = "AUTO-2026-000133";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(options(dir, "os-user", true, true)).unwrap()
}

/// A memo only of a decided case; the facts are the workflow's: the proposal, the
/// exception with its limit, the checker's time, the notes; no fingerprint standalone.
#[test]
fn the_memo_is_of_a_decided_case_and_carries_the_workflow_s_facts() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let none = |_: &str, _: &[u8]| Ok(());
    assert_eq!(
        ws.decision_memo_pdf(CASE, "uz", none).unwrap_err().code,
        ErrorCode::NotLoggedIn
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.add_note(CASE, "called the employer twice: no answer")
        .unwrap();
    let due = crate::disbursement::today().add_days(7).to_string();
    ws.raise_condition(
        CASE,
        &uw_domain::approval_conditions::NewCondition {
            text: "the employer's letter".into(),
            owner: "the client".into(),
            due: due.clone(),
            stage: 1,
        },
    )
    .unwrap();
    let e = ws.decision_memo_pdf(CASE, "uz", none).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotPrintable);
    assert!(e.message.contains("is draft"), "{}", e.message);
    let v = ws.open_case(CASE).unwrap();
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Reject,
            "no answer from the employer",
        )
        .unwrap();
    assert_eq!(
        ws.decision_memo_pdf(CASE, "ru", none).unwrap_err().code,
        ErrorCode::NotPrintable
    );
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.approve_by_exception(
        CASE,
        v.version,
        "bob-demo-2026",
        "the employer's letter came",
    )
    .unwrap();
    assert_eq!(
        ws.decision_memo_pdf(CASE, "xx", none).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    let mut written = (String::new(), 0);
    let printed = ws
        .decision_memo_pdf(CASE, "ru", |name, pdf| {
            written = (name.to_string(), pdf.len());
            Ok(())
        })
        .unwrap();
    assert!(printed.pdf.starts_with(b"%PDF-"));
    assert_eq!(
        written,
        (
            "AUTO-2026-000133-v3-memo-ru.pdf".to_string(),
            printed.pdf.len()
        )
    );
    assert!(ws
        .history(CASE)
        .unwrap()
        .iter()
        .any(|e| e.kind == "memo_printed"));

    let w = ws.load_workflow(CASE).unwrap();
    // One store guard at a time: each is let go before the next is taken.
    let notes = ws.store().unwrap().notes(CASE).unwrap();
    let conditions = ws.store().unwrap().conditions(CASE).unwrap();
    let f = facts(
        &w,
        Some("2026-12-02T10:00:00Z"),
        None,
        notes,
        conditions,
        false,
    );
    assert_eq!(f.stage, "approved");
    assert_eq!(
        f.proposal,
        Some((
            "reject".to_string(),
            "no answer from the employer".to_string()
        ))
    );
    let e = f.exception.unwrap();
    assert_eq!(
        (e.reason.as_str(), e.role.as_deref(), e.limit.as_deref()),
        (
            "the employer's letter came",
            Some("reviewer"),
            Some("150000000.00")
        )
    );
    assert_eq!(f.checker.as_ref().unwrap().name, "bob");
    assert_eq!(f.checker.unwrap().fingerprint, None);
    assert_eq!(f.notes.len(), 1);
    let c = &f.conditions[0];
    assert_eq!(
        (
            c.text.as_str(),
            c.owner.as_str(),
            c.due.as_str(),
            c.status.as_str()
        ),
        ("the employer's letter", "the client", due.as_str(), "open")
    );
}

/// A rejection's memo carries the checker's words of the rejection that decided it.
#[test]
fn a_rejected_case_s_memo_has_the_checker_s_words() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let id = "AUTO-2026-000128";
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case(id).unwrap();
    let v = ws
        .submit(id, v.version, ReviewDecision::Reject, "DTI above 50 %")
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.reject(
        id,
        v.version,
        "  the debt burden is too high  ",
        "bob-demo-2026",
    )
    .unwrap();
    let w = ws.load_workflow(id).unwrap();
    assert_eq!(
        w.decision_comment.as_deref(),
        Some("the debt burden is too high")
    );
    let f = facts(
        &w,
        None,
        w.decision_comment.clone(),
        Vec::new(),
        Vec::new(),
        false,
    );
    assert_eq!(f.stage, "rejected");
    assert_eq!(f.comment.as_deref(), Some("the debt burden is too high"));
    assert!(ws.decision_memo_pdf(id, "uz", |_, _| Ok(())).is_ok());
}
