use uw_domain::case::ReviewDecision;

use super::*;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &std::path::Path) -> Workstation {
    Workstation::open(crate::tests::options(dir, "os-user", true, true)).unwrap()
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

    ws.login("carol", "carol-demo-2026", None).unwrap();
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
    // Carol holds the reviewer role too, and is refused as the maker; the submitted case
    // is with its reviewer, closed to her edits.
    assert!(ws.review(CASE).unwrap().allowed.is_empty());
    let e = ws.approve(CASE, v.version, "carol-demo-2026").unwrap_err();
    assert_eq!(e.code, ErrorCode::SelfReview);
    assert_eq!(edit_term(&ws, 36).unwrap_err().code, ErrorCode::WrongStage);
    ws.logout().unwrap();

    // Alice (underwriter only) cannot review at all.
    ws.login("alice", "alice-demo-2026", None).unwrap();
    assert_eq!(
        ws.approve(CASE, v.version, "alice-demo-2026")
            .unwrap_err()
            .code,
        ErrorCode::MissingRole
    );
    ws.logout().unwrap();

    // Bob may sign; he returns it to Carol instead, who changes and re-submits it.
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert!(ws
        .review(CASE)
        .unwrap()
        .allowed
        .contains(&"approve".to_string()));
    let v = ws
        .return_case(
            CASE,
            v.version,
            "why 48 months? say so in the justification",
        )
        .unwrap();
    assert_eq!(v.status, "returned");
    ws.logout().unwrap();
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let v = edit_term(&ws, 36).unwrap();
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Approve,
            "36 months: the client's wish",
        )
        .unwrap();
    ws.logout().unwrap();

    ws.login("bob", "bob-demo-2026", None).unwrap();
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

/// A reviewer who edited the case — even while it was a draft, long before it was
/// submitted — never signs it off, a return included. A reviewer without the underwriter
/// role does not edit at all.
#[test]
fn an_editor_of_the_draft_never_signs_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert_eq!(edit_term(&ws, 48).unwrap_err().code, ErrorCode::MissingRole);
    ws.logout().unwrap();
    // Carol holds both roles: she corrects the draft…
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let v = edit_term(&ws, 48).unwrap();
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws
        .submit(CASE, v.version, ReviewDecision::Approve, "DTI within 50 %")
        .unwrap();
    ws.logout().unwrap();
    ws.login("carol", "carol-demo-2026", None).unwrap();
    // …and is then refused as an editor, whatever she signs.
    let e = ws.approve(CASE, v.version, "carol-demo-2026").unwrap_err();
    assert_eq!(e.code, ErrorCode::EditorReview);
    assert!(
        e.message.contains("carol edited this case"),
        "{}",
        e.message
    );
    let e = ws
        .reject(CASE, v.version, "no", "carol-demo-2026")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::EditorReview);
    assert!(ws.review(CASE).unwrap().allowed.is_empty());
    ws.logout().unwrap();
    // Bob, who never touched it, signs.
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert_eq!(
        ws.approve(CASE, v.version, "bob-demo-2026").unwrap().status,
        "approved"
    );
}

/// The content changes under a submitted case (the bank's version replaces it): the
/// reviewer sees both sets of figures and cannot approve until the maker submits again.
#[test]
fn changed_figures_block_approval_until_resubmitted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.submit(CASE, 1, ReviewDecision::Approve, "DTI 45.87 %")
        .unwrap();
    let r = ws.review(CASE).unwrap();
    assert_eq!(
        r.workflow.proposal.as_ref().unwrap().figures.dti.as_deref(),
        Some("45.87")
    );
    assert!(r.differences.is_empty());
    ws.logout().unwrap();

    // The term is lengthened beneath the submission, as a pulled bank version would.
    let v = ws.open_case(CASE).unwrap();
    let mut case = v.case.clone();
    case.loan.term_months = 48;
    let row = ws.row_for(&case, uw_domain::case::to_json_pretty(&case), "submitted");
    ws.store()
        .unwrap()
        .update_case(&row, v.version, "2026-12-02T09:00:00Z", "core bank", &[])
        .unwrap();
    let v = ws.open_case(CASE).unwrap();
    assert!(v.version > 1);

    ws.login("bob", "bob-demo-2026", None).unwrap();
    let r = ws.review(CASE).unwrap();
    assert_eq!(r.differences.len(), 2, "{:?}", r.differences);
    assert!(
        r.differences[0].starts_with("DTI %: 45.87 → "),
        "{:?}",
        r.differences
    );
    let e = ws.approve(CASE, v.version, "bob-demo-2026").unwrap_err();
    assert_eq!(e.code, ErrorCode::FiguresDiffer);
    assert!(e.message.contains("DTI %"), "{}", e.message);
    let v = ws
        .return_case(CASE, v.version, "the term changed: check and submit again")
        .unwrap();
    ws.logout().unwrap();

    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Approve,
            "48 months; DTI re-checked",
        )
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert!(ws.review(CASE).unwrap().differences.is_empty());
    assert_eq!(
        ws.approve(CASE, v.version, "bob-demo-2026").unwrap().status,
        "approved"
    );
}

#[test]
fn the_reviewers_inbox_holds_submitted_cases_of_others() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("carol", "carol-demo-2026", None).unwrap();
    ws.submit(CASE, 1, ReviewDecision::Approve, "ok").unwrap();
    let inbox = |who: &str| {
        ws.queue(&uw_store::QueueQuery {
            status: Some("submitted".into()),
            not_made_by: Some(who.into()),
            ..Default::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.case_id)
        .collect::<Vec<_>>()
    };
    assert_eq!(inbox("bob"), [CASE]);
    assert!(inbox("carol").is_empty());
    assert!(inbox("CAROL").is_empty());
}

/// Two workstations on one store (two windows): one editor at a time.
#[test]
fn one_editor_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    let second = open(dir.path());
    first.login("alice", "alice-demo-2026", None).unwrap();
    second.login("carol", "carol-demo-2026", None).unwrap();
    edit_term(&first, 48).unwrap();
    let e = edit_term(&second, 24).unwrap_err();
    assert_eq!(e.code, ErrorCode::CaseLocked);
    assert!(e.message.contains("being edited by alice"), "{}", e.message);
    assert_eq!(
        second.open_case(CASE).unwrap().editing_by.as_deref(),
        Some("alice")
    );
    assert_eq!(first.open_case(CASE).unwrap().editing_by, None);
    // Statements are edits too.
    let statement = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../assets/demo/statements/karimov-sqb-2026-05-10.txt"),
    )
    .unwrap();
    let err = second
        .attach_statements(CASE, 0, vec![("a.txt".into(), statement)])
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CaseLocked);

    first.release_case(CASE).unwrap();
    assert_eq!(second.open_case(CASE).unwrap().editing_by, None);
    edit_term(&second, 24).unwrap();
    // Logging out releases every lock the user held.
    second.logout().unwrap();
    edit_term(&first, 36).unwrap();
}

/// The attack without a bank: the approved case's terms are written into the store behind
/// the workflow's back (a tampered store). The paper and the money refuse it.
#[test]
fn terms_changed_after_the_approval_print_nothing_and_move_no_money() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let id = CASE;
    crate::tests::submit_and_approve(&ws, id, "salary at this bank");
    ws.agreement_preview(id, "uz").unwrap();
    let v = ws.open_case(id).unwrap();
    let mut case = v.case.clone();
    case.loan.amount = "180000000.00".parse().unwrap();
    let row = ws.row_for(&case, uw_domain::case::to_json_pretty(&case), "approved");
    ws.store()
        .unwrap()
        .update_case(&row, v.version, "2026-12-02T10:00:00Z", "tamper", &[])
        .unwrap();
    let e = ws.agreement_preview(id, "uz").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotPrintable);
    assert!(e.message.starts_with("TERMS_CHANGED"), "{}", e.message);
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case(id).unwrap();
    assert_eq!(
        ws.order_disbursement(id, v.version, 1).unwrap_err().code,
        ErrorCode::TermsChanged
    );
}

/// The maker (alice) submits `case_id` proposing `proposal`; bob then reviews it.
fn proposed_to_bob(ws: &Workstation, case_id: &str, proposal: ReviewDecision) -> i64 {
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case(case_id).unwrap();
    let v = ws
        .submit(case_id, v.version, proposal, "my judgement of the case")
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    v.version
}

/// Coherent sign-offs: an approval agrees with the engine and the maker, or it is an
/// exception with a reason within the checker's limit (150,000,000 for a reviewer in
/// `assets/review/authority.json`); an approved case is then printable — no dead end.
#[test]
fn approvals_agree_with_the_engine_and_the_maker_or_are_exceptions_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let pw = "bob-demo-2026";

    // The engine rejects 128 (DTI) and refers 126 (a document missing): no approval, not
    // even by exception; the reviewer sees why before signing, and may still reject.
    for (id, engine) in [
        ("AUTO-2026-000128", "reject"),
        ("AUTO-2026-000126", "refer"),
    ] {
        let v = proposed_to_bob(&ws, id, ReviewDecision::Approve);
        let need = ws.review(id).unwrap().approval;
        assert_eq!(need.engine, engine);
        assert_eq!(
            need.refused.map(|e| e.code),
            Some(ErrorCode::EngineNotApprove)
        );
        assert_eq!(
            ws.approve(id, v, pw).unwrap_err().code,
            ErrorCode::EngineNotApprove
        );
        assert_eq!(
            ws.approve_by_exception(id, v, pw, "trust me")
                .unwrap_err()
                .code,
            ErrorCode::EngineNotApprove
        );
        assert_eq!(ws.open_case(id).unwrap().status, "submitted");
        assert_eq!(ws.reject(id, v, "DTI", pw).unwrap().status, "rejected");
        ws.logout().unwrap();
    }

    // 123 (135,000,000) the engine approves and alice proposes to reject: bob's approval
    // is an exception, within his limit, and says why.
    let id = CASE;
    let v = proposed_to_bob(&ws, id, ReviewDecision::Reject);
    let need = ws.review(id).unwrap().approval;
    assert!(need.exception && need.refused.is_none());
    assert_eq!(need.limit.as_deref(), Some("150000000.00"));
    assert_eq!(need.limit_role.as_deref(), Some("reviewer"));
    assert_eq!(
        ws.approve(id, v, pw).unwrap_err().code,
        ErrorCode::ExceptionReasonRequired
    );
    assert_eq!(
        ws.approve_by_exception(id, v, pw, " \t ").unwrap_err().code,
        ErrorCode::ExceptionReasonRequired
    );
    let approved = ws
        .approve_by_exception(id, v, pw, " called the employer: salary confirmed ")
        .unwrap();
    assert_eq!(approved.status, "approved");
    let e = ws.review(id).unwrap().workflow.exception.unwrap();
    assert_eq!(e.reason, "called the employer: salary confirmed");
    assert_eq!(e.overrules, ReviewDecision::Reject);
    assert_eq!(
        e.amount.map(|a| a.to_string()).as_deref(),
        Some("135000000.00")
    );
    assert_eq!(
        (e.role.as_deref(), e.limit.map(|l| l.to_string())),
        (Some("reviewer"), Some("150000000.00".to_string()))
    );
    let history = ws.history(id).unwrap();
    let signed = history.iter().rev().find(|h| h.kind == "approve").unwrap();
    assert!(
        signed.detail.contains("salary confirmed"),
        "{}",
        signed.detail
    );
    // No dead end: the approved case prints (the engine approves it).
    ws.agreement_preview(id, "uz").unwrap();
    ws.logout().unwrap();

    // 125 (195,000,000) is above bob's limit: refused, nothing recorded.
    let id = "AUTO-2026-000125";
    let v = proposed_to_bob(&ws, id, ReviewDecision::Reject);
    let need = ws.review(id).unwrap().approval;
    assert_eq!(
        need.refused.map(|e| e.code),
        Some(ErrorCode::ExceptionOverLimit)
    );
    let e = ws
        .approve_by_exception(id, v, pw, "a good client")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ExceptionOverLimit);
    assert!(e.message.contains("195000000.00"), "{}", e.message);
    let review = ws.review(id).unwrap();
    assert_eq!(review.workflow.stage, uw_domain::review::Stage::Submitted);
    assert_eq!(review.workflow.exception, None);
}
