use uw_domain::case::ReviewDecision;

use super::*;
use crate::tests::options;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(options(dir, "os-user", true, true)).unwrap()
}

#[test]
fn notes_are_a_thread_nobody_edits_and_no_one_becomes_an_editor_by_writing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    assert_eq!(
        ws.add_note(CASE, "x").unwrap_err().code,
        ErrorCode::NotLoggedIn
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let thread = ws
        .add_note(CASE, "  called the employer, salary confirmed \n")
        .unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(
        (thread[0].author.as_str(), thread[0].text.as_str()),
        ("alice", "called the employer, salary confirmed")
    );
    // Bad notes: coded, naming the field, nothing written.
    let bad = |text: &str| ws.add_note(CASE, text).unwrap_err();
    assert_eq!(bad(" \n\t ").code, ErrorCode::NoteEmpty);
    let long = bad(&"ж".repeat(4001));
    assert_eq!(long.code, ErrorCode::NoteTooLong);
    assert!(
        long.message.starts_with("text: 4001 characters"),
        "{}",
        long.message
    );
    let control = bad("salary\u{0}confirmed");
    assert_eq!(control.code, ErrorCode::InvalidInput);
    assert!(control.message.contains("U+0000"), "{}", control.message);
    assert_eq!(
        ws.add_note("AUTO-2026-999999", "x").unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(ws.notes(CASE).unwrap().len(), 1);
    // The note is the case's history too; the case's version did not move.
    let version = ws.open_case(CASE).unwrap().version;
    assert!(ws.history(CASE).unwrap().iter().any(|e| e.kind == "note"));

    let v = ws
        .submit(
            CASE,
            version,
            ReviewDecision::Approve,
            "salary at this bank",
        )
        .unwrap();
    ws.logout().unwrap();
    // The reviewer writes on the submitted case and still signs it: a note is no edit.
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.add_note(CASE, "the employer's letter is in the scans")
        .unwrap();
    let w = ws.review(CASE).unwrap();
    assert!(
        !w.workflow.editors.contains("bob"),
        "{:?}",
        w.workflow.editors
    );
    assert_eq!(
        ws.approve(CASE, v.version, "bob-demo-2026").unwrap().status,
        "approved"
    );
    // A decided case still takes notes; the thread is in order.
    ws.add_note(CASE, "client informed").unwrap();
    let authors: Vec<_> = ws
        .notes(CASE)
        .unwrap()
        .into_iter()
        .map(|n| n.author)
        .collect();
    assert_eq!(authors, ["alice", "bob", "bob"]);
}
