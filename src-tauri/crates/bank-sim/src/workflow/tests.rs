#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestCaseError;
use serde_json::json;
use uw_bank_link::api::{SignedStatement, Statement, StatementAction, StatementFigures};

use super::*;

const CASE: &str = "AUTO-2026-000123";
const AT: &str = "2026-12-02T09:00:00Z";
/// When the bank stored the versions of these tests (an hour before they are signed off).
const STORED: &str = "2026-12-02T08:00:00Z";

fn received() -> DateTime<Utc> {
    time(AT).unwrap()
}

fn hash(n: u64) -> String {
    format!("{n:064x}")
}

fn figures() -> StatementFigures {
    StatementFigures {
        decision: "approve".into(),
        amount: "150000000.00".into(),
        term_months: 36,
        rate: Some("23.00".into()),
        average_monthly_income: "12500000.00".into(),
        dti: Some("45.87".into()),
        ltv: "75.00".into(),
    }
}

fn statement(action: StatementAction, signer: &str, version: i64, content_hash: &str) -> Statement {
    Statement {
        case_id: CASE.into(),
        version,
        content_hash: content_hash.into(),
        action,
        figures: (action != StatementAction::Edit).then(figures),
        signer: signer.into(),
        signed_at: AT.into(),
    }
}

fn signed(s: Statement) -> SignedStatement {
    SignedStatement {
        statement: s,
        algorithm: "ed25519".into(),
        signature: "c2ln".into(),
    }
}

fn person(underwriter: bool, reviewer: bool, administrator: bool) -> SignerFacts {
    SignerFacts {
        key: KeyVerdict::Current,
        person: PersonVerdict::Found {
            roles: DirectoryRoles {
                underwriter,
                reviewer,
                administrator,
                supervisor: false,
            },
            branches: vec!["BXM-07".into()],
        },
    }
}

fn underwriter() -> SignerFacts {
    person(true, false, false)
}
fn reviewer() -> SignerFacts {
    person(false, true, false)
}
fn both() -> SignerFacts {
    person(true, true, false)
}

/// The case file every version of these tests carries unless a test says otherwise.
fn base_case() -> &'static Value {
    static CASE_FILE: OnceLock<Value> = OnceLock::new();
    CASE_FILE.get_or_init(|| {
        json!({
            "case_id": CASE,
            "branch": "BXM-07",
            "parties": [{"role": "borrower", "name": "A"}],
            "loan": {"amount": "150000000.00", "term_months": 36},
            "insurance": [{"kind": "vehicle", "policy": "K-1"}],
            "documents": [
                {"kind": "identity", "status": "verified"},
                {"kind": "down_payment_proof", "status": "pending"}
            ],
            "pledge": {"vin_lien": "none"},
            "review": null
        })
    })
}

/// The base case with changes.
fn case_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut case = base_case().clone();
    change(&mut case);
    case
}

fn version_delivery(content_hash: &str) -> Delivery<'_> {
    version_delivery_of(content_hash, base_case(), Some("approve"))
}

fn version_delivery_of<'a>(
    content_hash: &'a str,
    case: &'a Value,
    proposal: Option<&'a str>,
) -> Delivery<'a> {
    Delivery {
        case_id: CASE,
        received_at: received(),
        carrying: Carrying::Version {
            content_hash,
            case,
            proposal,
        },
        accepted_before: None,
    }
}

fn signoff_delivery(comment: Option<&str>) -> Delivery<'_> {
    Delivery {
        case_id: CASE,
        received_at: received(),
        carrying: Carrying::SignOff {
            comment,
            foreign_pledge: None,
        },
        accepted_before: None,
    }
}

fn stored(version: i64, hash: String, case: Value) -> Held {
    Held {
        version,
        hash,
        stored_at: STORED.into(),
        case,
    }
}

/// A case at the bank (version 1, `hash(1)`).
fn held_case() -> CaseReview {
    CaseReview {
        current: Some(stored(1, hash(1), base_case().clone())),
        ..CaseReview::default()
    }
}

/// Applies a case version statement as the handler does: version + 1, the content's hash.
fn put(state: &mut CaseReview, s: Statement, facts: &SignerFacts) -> Result<Next, Refusal> {
    put_case(state, s, base_case().clone(), facts)
}

/// [`put`] of a version with this case file.
fn put_case(
    state: &mut CaseReview,
    s: Statement,
    case: Value,
    facts: &SignerFacts,
) -> Result<Next, Refusal> {
    let content = s.content_hash.clone();
    let next = judge(
        state,
        &s,
        &version_delivery_of(&content, &case, Some("approve")),
        facts,
    )?;
    let version = state.current.as_ref().map_or(0, |c| c.version) + 1;
    state.accept(
        &signed(s),
        next,
        Some(stored(version, content, case)),
        AT,
        Some("justified".into()),
    );
    Ok(next)
}

fn sign_off(
    state: &mut CaseReview,
    s: Statement,
    facts: &SignerFacts,
    comment: Option<&str>,
) -> Result<Next, Refusal> {
    let next = judge(state, &s, &signoff_delivery(comment), facts)?;
    let decided = (next == Next::Decide).then(|| {
        let v = state.current.as_ref().map_or(0, |c| c.version) + 1;
        let case = case_with(|c| c["review"] = review_block(state, &s));
        stored(v, hash(9000 + v as u64), case)
    });
    state.accept(&signed(s), next, decided, AT, comment.map(str::to_string));
    Ok(next)
}

/// alice edits and submits; the submission is version 3 with `hash(3)`.
fn submitted_by_alice() -> CaseReview {
    let mut st = held_case();
    put(
        &mut st,
        statement(StatementAction::Edit, "alice", 2, &hash(2)),
        &underwriter(),
    )
    .unwrap();
    put(
        &mut st,
        statement(StatementAction::Submit, "alice", 3, &hash(3)),
        &underwriter(),
    )
    .unwrap();
    st
}

fn code(r: Result<Next, Refusal>) -> &'static str {
    r.map_or_else(|e| e.code(), |_| "OK")
}

#[test]
fn rule_codes_are_distinct_and_statuses_are_http_refusals() {
    let rules = [
        Rule::SignatureInvalid,
        Rule::KeyUnknown,
        Rule::KeyRevoked,
        Rule::RoleMissing,
        Rule::SelfReview,
        Rule::EditorReview,
        Rule::HashMismatch,
        Rule::NotSubmitted,
        Rule::AlreadyDecided,
        Rule::CaseDecided,
        Rule::StaleStatement,
        Rule::CaseExists,
        Rule::CaseUnderReview,
        Rule::NotTheMaker,
        Rule::CommentRequired,
        Rule::NotApproved,
        Rule::UseSignoffs,
        Rule::NotFound,
        Rule::DirectoryUnavailable,
        Rule::AuthFailed,
        Rule::AccountDisabled,
        Rule::InvalidKey,
        Rule::InvalidJustification,
        Rule::Standalone,
        Rule::EngineNotApprove,
        Rule::ExceptionReasonRequired,
        Rule::ExceptionNoAuthority,
        Rule::ExceptionOverLimit,
        Rule::VinPledged,
    ];
    let codes: BTreeSet<_> = rules.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), rules.len());
    assert!(rules.iter().all(|r| (400..600).contains(&r.status())));
    for s in Stage::ALL {
        assert_eq!(Stage::parse(s.as_str()), Some(s));
    }
    assert_eq!(Stage::parse("pending"), None);
}

#[test]
fn a_submitted_case_is_approved_once_by_a_reviewer_who_did_not_shape_it() {
    let mut st = submitted_by_alice();
    assert_eq!(st.stage, Stage::Submitted);
    assert_eq!(st.maker.as_deref(), Some("alice"));
    let sub = st.submission.clone().unwrap();
    assert_eq!((sub.version, sub.hash.as_str()), (3, hash(3).as_str()));
    assert_eq!(sub.justification, "justified");
    let approve = statement(StatementAction::Approve, "bob", 3, &hash(3));
    assert_eq!(
        sign_off(&mut st, approve.clone(), &reviewer(), None),
        Ok(Next::Decide)
    );
    assert_eq!(st.stage, Stage::Approved);
    assert_eq!(st.current.as_ref().unwrap().version, 4);
    // A second sign-off names the first.
    let second = statement(StatementAction::Reject, "dave", 3, &hash(3));
    let e = sign_off(&mut st, second, &reviewer(), Some("no")).unwrap_err();
    assert_eq!(e.code(), "ALREADY_DECIDED");
    assert!(
        e.message
            .contains("bob signed approve at 2026-12-02T09:00:00Z"),
        "{}",
        e.message
    );
    // A submit of a decided case too; an edit that keeps its terms (evidence after the
    // approval) is accepted.
    let resubmit = statement(StatementAction::Submit, "alice", 5, &hash(5));
    assert_eq!(
        code(put(&mut st, resubmit, &underwriter())),
        "ALREADY_DECIDED"
    );
    let evidence = statement(StatementAction::Edit, "alice", 5, &hash(5));
    assert_eq!(put(&mut st, evidence, &underwriter()), Ok(Next::Edit));
    assert_eq!(st.stage, Stage::Approved);
}

#[test]
fn an_approval_agrees_with_the_engine_and_the_maker_or_is_an_exception_within_the_limit() {
    let limits = coherence::limits(r#"{"exception_limits": {"reviewer": "150000000.00"}}"#);
    // The maker proposes `proposal`; the engine's decision in the maker's statement is
    // `makers`; the submitted case asks `amount`.
    let submitted = |proposal: &str, makers: &str, amount: &str| {
        let mut st = submitted_by_alice();
        let sub = st.submission.as_mut().unwrap();
        sub.proposal = Some(proposal.into());
        sub.statement.statement.figures.as_mut().unwrap().decision = makers.into();
        st.submitted.as_mut().unwrap().case["loan"]["amount"] = amount.into();
        st
    };
    let approve = |checkers: &str| {
        let mut s = statement(StatementAction::Approve, "bob", 3, &hash(3));
        s.figures.as_mut().unwrap().decision = checkers.into();
        s
    };
    let check = |st: &CaseReview, s: &Statement, reason: Option<&str>, facts: SignerFacts| {
        coherence::check_with(st, s, reason, &facts.person, &limits)
            .map_or_else(|e| e.code(), |_| "OK")
    };
    let limit = "150000000.00";
    /// (proposal, the maker's engine decision, the checker's, amount, reason, signer,
    /// expected)
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        SignerFacts,
        &'a str,
    );
    let table: [Row; 9] = [
        (
            "approve",
            "approve",
            "approve",
            limit,
            None,
            reviewer(),
            "OK",
        ),
        (
            "approve",
            "approve",
            "refer",
            limit,
            None,
            reviewer(),
            "ENGINE_NOT_APPROVE",
        ),
        (
            "approve",
            "reject",
            "approve",
            limit,
            None,
            reviewer(),
            "ENGINE_NOT_APPROVE",
        ),
        (
            "reject",
            "reject",
            "reject",
            limit,
            Some("x"),
            reviewer(),
            "ENGINE_NOT_APPROVE",
        ),
        (
            "reject",
            "approve",
            "approve",
            limit,
            None,
            reviewer(),
            "EXCEPTION_REASON_REQUIRED",
        ),
        (
            "reject",
            "approve",
            "approve",
            limit,
            Some(" "),
            reviewer(),
            "EXCEPTION_REASON_REQUIRED",
        ),
        (
            "reject",
            "approve",
            "approve",
            limit,
            Some("called the employer"),
            reviewer(),
            "OK",
        ),
        (
            "reject",
            "approve",
            "approve",
            "150000000.01",
            Some("x"),
            reviewer(),
            "EXCEPTION_OVER_LIMIT",
        ),
        (
            "reject",
            "approve",
            "approve",
            "1.00",
            Some("x"),
            person(true, false, true),
            "EXCEPTION_NO_AUTHORITY",
        ),
    ];
    for (proposal, makers, checkers, amount, reason, facts, expected) in table {
        let st = submitted(proposal, makers, amount);
        assert_eq!(
            check(&st, &approve(checkers), reason, facts),
            expected,
            "{proposal} {makers} {checkers} {amount} {reason:?}"
        );
    }
    // Through the judge with the bank's shipped limits: the reason is kept as the
    // sign-off's words; a rejection against the maker's approval needs no exception.
    let mut st = submitted("reject", "approve", limit);
    let reason = Some("salary confirmed by the employer");
    assert_eq!(
        sign_off(&mut st, approve("approve"), &reviewer(), reason),
        Ok(Next::Decide)
    );
    assert_eq!(st.decided.unwrap().comment.as_deref(), reason);
    let mut st = submitted("approve", "approve", limit);
    let reject = statement(StatementAction::Reject, "bob", 3, &hash(3));
    assert_eq!(
        sign_off(&mut st, reject, &reviewer(), Some("no")),
        Ok(Next::Decide)
    );
    // A missing or refusing engine figure in a statement never reads as approve.
    let mut st = submitted("approve", "approve", limit);
    st.submission.as_mut().unwrap().statement.statement.figures = None;
    assert_eq!(
        check(&st, &approve("approve"), None, reviewer()),
        "ENGINE_NOT_APPROVE"
    );
    // Another creditor's prohibition on the VIN: no approval at all; a rejection stands.
    let pledged = |action: StatementAction, comment: Option<&str>| {
        let st = submitted("approve", "approve", limit);
        let delivery = Delivery {
            carrying: Carrying::SignOff {
                comment,
                foreign_pledge: Some("Hamkorbank"),
            },
            ..signoff_delivery(None)
        };
        let s = Statement {
            action,
            ..approve("approve")
        };
        code(judge(&st, &s, &delivery, &reviewer()))
    };
    assert_eq!(pledged(StatementAction::Approve, None), "VIN_PLEDGED");
    assert_eq!(pledged(StatementAction::Reject, Some("pledged")), "OK");
    // An unreadable table grants no exception.
    assert!(coherence::limits("[").is_empty());
    assert!(coherence::limits(r#"{"exception_limits": {"reviewer": "-1"}}"#).is_empty());
}

#[test]
fn the_spec_s_refusals_each_have_their_code() {
    let st = submitted_by_alice();
    let d = signoff_delivery(None);
    let j = |s: &Statement, f: &SignerFacts| code(judge(&st, s, &d, f));
    let approve = |who: &str| statement(StatementAction::Approve, who, 3, &hash(3));
    // The maker, even with both roles.
    assert_eq!(j(&approve("alice"), &both()), "SELF_REVIEW");
    // No reviewer role: alice as an underwriter only, the administrator.
    assert_eq!(j(&approve("alice"), &underwriter()), "ROLE_MISSING");
    assert_eq!(
        j(&approve("admin"), &person(false, false, true)),
        "ROLE_MISSING"
    );
    // Another hash or version than the submitted one.
    assert_eq!(
        j(
            &statement(StatementAction::Approve, "bob", 3, &hash(2)),
            &reviewer()
        ),
        "HASH_MISMATCH"
    );
    assert_eq!(
        j(
            &statement(StatementAction::Approve, "bob", 2, &hash(3)),
            &reviewer()
        ),
        "HASH_MISMATCH"
    );
    // Keys.
    let key = |k: KeyVerdict| SignerFacts {
        key: k,
        ..reviewer()
    };
    assert_eq!(j(&approve("bob"), &key(KeyVerdict::Unknown)), "KEY_UNKNOWN");
    assert_eq!(
        j(&approve("bob"), &key(KeyVerdict::Mismatch)),
        "SIGNATURE_INVALID"
    );
    let revoked = |at: &str| {
        key(KeyVerdict::Revoked {
            revoked_at: at.into(),
        })
    };
    assert_eq!(
        j(&approve("bob"), &revoked("2026-12-02T09:00:00Z")),
        "KEY_REVOKED"
    );
    assert_eq!(
        j(&approve("bob"), &revoked("2026-12-02T09:00:00.001Z")),
        "OK"
    );
    // The directory.
    let dir = |p: PersonVerdict| SignerFacts {
        key: KeyVerdict::Current,
        person: p,
    };
    assert_eq!(
        j(&approve("bob"), &dir(PersonVerdict::Disabled)),
        "ROLE_MISSING"
    );
    assert_eq!(
        j(&approve("bob"), &dir(PersonVerdict::Absent)),
        "ROLE_MISSING"
    );
    let down = judge(
        &st,
        &approve("bob"),
        &d,
        &dir(PersonVerdict::Unreachable("x".into())),
    )
    .unwrap_err();
    assert_eq!((down.code(), down.status), ("DIRECTORY_UNAVAILABLE", 503));
    // The key is judged before the directory is needed.
    let both_bad = SignerFacts {
        key: KeyVerdict::Unknown,
        person: PersonVerdict::Unreachable("x".into()),
    };
    assert_eq!(j(&approve("bob"), &both_bad), "KEY_UNKNOWN");
    // A reject or a return says why.
    let reject = statement(StatementAction::Reject, "bob", 3, &hash(3));
    assert_eq!(j(&reject, &reviewer()), "COMMENT_REQUIRED");
    let blank = signoff_delivery(Some("  "));
    assert_eq!(
        code(judge(&st, &reject, &blank, &reviewer())),
        "COMMENT_REQUIRED"
    );
    let said = signoff_delivery(Some("income unproven"));
    assert_eq!(judge(&st, &reject, &said, &reviewer()), Ok(Next::Decide));
    // Form: another case, a version action, a date ahead of the clock, a broken form.
    let mut other = approve("bob");
    other.case_id = "AUTO-2026-000999".into();
    assert_eq!(j(&other, &reviewer()), "SIGNATURE_INVALID");
    assert_eq!(
        j(
            &statement(StatementAction::Submit, "bob", 3, &hash(3)),
            &reviewer()
        ),
        "SIGNATURE_INVALID"
    );
    let mut ahead = approve("bob");
    ahead.signed_at = "2026-12-02T09:05:01Z".into();
    assert_eq!(j(&ahead, &reviewer()), "SIGNATURE_INVALID");
    ahead.signed_at = "2026-12-02T09:05:00Z".into();
    assert_eq!(j(&ahead, &reviewer()), "OK");
    let mut no_figures = approve("bob");
    no_figures.figures = None;
    assert_eq!(j(&no_figures, &reviewer()), "SIGNATURE_INVALID");
}

#[test]
fn anyone_who_signed_an_edit_of_any_version_never_signs_the_case_off() {
    let mut st = held_case();
    // dave (a reviewer who may also underwrite) edits the draft; alice submits.
    put(
        &mut st,
        statement(StatementAction::Edit, "dave", 2, &hash(2)),
        &both(),
    )
    .unwrap();
    put(
        &mut st,
        statement(StatementAction::Submit, "alice", 3, &hash(3)),
        &underwriter(),
    )
    .unwrap();
    let approve = statement(StatementAction::Approve, "dave", 3, &hash(3));
    assert_eq!(
        code(sign_off(&mut st, approve, &both(), None)),
        "EDITOR_REVIEW"
    );
    // A return, then the maker resubmits: the earlier hash is stale, dave still an editor.
    let ret = statement(StatementAction::Return, "bob", 3, &hash(3));
    assert_eq!(
        sign_off(&mut st, ret, &reviewer(), Some("the payslip")),
        Ok(Next::Return)
    );
    assert_eq!(st.stage, Stage::Returned);
    assert_eq!(st.current.as_ref().unwrap().version, 3);
    // A second sign-off of the returned submission names the return; one of another
    // version finds the case not submitted.
    let second = statement(StatementAction::Approve, "carol", 3, &hash(3));
    let e = judge(&st, &second, &signoff_delivery(None), &reviewer()).unwrap_err();
    assert_eq!(e.code(), "ALREADY_DECIDED");
    assert!(
        e.message
            .contains("bob signed return at 2026-12-02T09:00:00Z"),
        "{}",
        e.message
    );
    let draft_signoff = statement(StatementAction::Approve, "carol", 2, &hash(2));
    let e = judge(&st, &draft_signoff, &signoff_delivery(None), &reviewer()).unwrap_err();
    assert_eq!(e.code(), "NOT_SUBMITTED");
    assert!(e.message.contains("bob returned it"), "{}", e.message);
    // Only the maker resubmits; an edit of the returned case keeps it returned.
    assert_eq!(
        code(put(
            &mut st,
            statement(StatementAction::Submit, "carol", 4, &hash(4)),
            &both()
        )),
        "NOT_THE_MAKER"
    );
    put(
        &mut st,
        statement(StatementAction::Edit, "alice", 4, &hash(4)),
        &underwriter(),
    )
    .unwrap();
    assert_eq!(st.stage, Stage::Returned);
    put(
        &mut st,
        statement(StatementAction::Submit, "alice", 5, &hash(5)),
        &underwriter(),
    )
    .unwrap();
    assert_eq!(st.stage, Stage::Submitted);
    assert_eq!(st.submission.as_ref().unwrap().version, 5);
    let stale = statement(StatementAction::Approve, "bob", 3, &hash(3));
    assert_eq!(
        code(sign_off(&mut st, stale, &reviewer(), None)),
        "HASH_MISMATCH"
    );
    // Under review, no version is taken.
    let edit = statement(StatementAction::Edit, "alice", 6, &hash(6));
    let e = put(&mut st, edit, &underwriter()).unwrap_err();
    assert_eq!(e.code(), "CASE_UNDER_REVIEW");
    assert!(
        e.message.contains("returned to the maker first"),
        "{}",
        e.message
    );
    assert_eq!(
        st.to_remote().editors,
        vec!["alice".to_string(), "dave".to_string()]
    );
    let approve = statement(StatementAction::Approve, "bob", 5, &hash(5));
    assert_eq!(
        sign_off(&mut st, approve, &reviewer(), None),
        Ok(Next::Decide)
    );
}

#[test]
fn a_version_is_refused_for_its_form_role_content_and_a_draft_is_not_signed_off() {
    let st = held_case();
    let edit = statement(StatementAction::Edit, "alice", 2, &hash(2));
    assert_eq!(
        code(judge(
            &st,
            &edit,
            &version_delivery(&hash(7)),
            &underwriter()
        )),
        "HASH_MISMATCH"
    );
    assert_eq!(
        code(judge(&st, &edit, &version_delivery(&hash(2)), &reviewer())),
        "ROLE_MISSING"
    );
    let approve = statement(StatementAction::Approve, "alice", 2, &hash(2));
    assert_eq!(
        code(judge(&st, &approve, &version_delivery(&hash(2)), &both())),
        "SIGNATURE_INVALID"
    );
    let draft = statement(StatementAction::Approve, "bob", 1, &hash(1));
    assert_eq!(
        code(judge(&st, &draft, &signoff_delivery(None), &reviewer())),
        "NOT_SUBMITTED"
    );
    let absent = CaseReview::default();
    assert_eq!(
        code(judge(&absent, &draft, &signoff_delivery(None), &reviewer())),
        "NOT_FOUND"
    );
    // A new case may be submitted at once.
    let submit = statement(StatementAction::Submit, "alice", 1, &hash(1));
    assert_eq!(
        judge(
            &absent,
            &submit,
            &version_delivery(&hash(1)),
            &underwriter()
        ),
        Ok(Next::Submit)
    );
}

fn order_delivery(stage: u64, amount: Option<&Value>) -> Delivery<'_> {
    Delivery {
        case_id: CASE,
        received_at: received(),
        carrying: Carrying::Order {
            stage: Some(stage),
            amount,
        },
        accepted_before: None,
    }
}

/// An order of `stage` for the amount that stage's recorded order has in [`recorded`].
fn order_code(st: &CaseReview, stage: u64, action: StatementAction, h: &str) -> &'static str {
    let s = statement(action, "alice", 9, h);
    let amount = json!(if stage == 1 {
        "60000000.00"
    } else {
        "90000000.00"
    });
    code(judge(
        st,
        &s,
        &order_delivery(stage, Some(&amount)),
        &underwriter(),
    ))
}

/// The base case with the disbursement's orders of both stages recorded.
fn recorded() -> Value {
    case_with(|c| {
        c["disbursement"] = json!({"orders": [
            {"stage": 1, "amount": "60000000.00", "funds": "loan"},
            {"stage": 2, "amount": "90000000.00", "funds": "loan"}
        ]});
    })
}

/// alice's case, approved by bob, with the orders recorded in an edit (version 5,
/// `hash(5)`).
fn approved_with_orders() -> CaseReview {
    let mut st = submitted_by_alice();
    sign_off(
        &mut st,
        statement(StatementAction::Approve, "bob", 3, &hash(3)),
        &reviewer(),
        None,
    )
    .unwrap();
    put_case(
        &mut st,
        statement(StatementAction::Edit, "alice", 5, &hash(5)),
        recorded(),
        &underwriter(),
    )
    .unwrap();
    st
}

#[test]
fn an_order_needs_the_approved_case_s_current_hash_and_its_stage() {
    let st = submitted_by_alice();
    assert_eq!(
        order_code(&st, 1, StatementAction::OrderStage1, &hash(3)),
        "NOT_APPROVED"
    );
    let st = approved_with_orders();
    let current = st.current.clone().unwrap().hash;
    assert_eq!(
        order_code(&st, 1, StatementAction::OrderStage1, &current),
        "OK"
    );
    assert_eq!(
        order_code(&st, 2, StatementAction::OrderStage2, &current),
        "OK"
    );
    assert_eq!(
        order_code(&st, 1, StatementAction::OrderStage1, &hash(3)),
        "HASH_MISMATCH"
    );
    assert_eq!(
        order_code(&st, 2, StatementAction::OrderStage1, &current),
        "SIGNATURE_INVALID"
    );
    assert_eq!(
        order_code(&st, 3, StatementAction::OrderStage2, &current),
        "SIGNATURE_INVALID"
    );
    let reviewer_order = statement(StatementAction::OrderStage1, "bob", 9, &current);
    let amount = json!("60000000.00");
    let d = order_delivery(1, Some(&amount));
    assert_eq!(
        code(judge(&st, &reviewer_order, &d, &reviewer())),
        "ROLE_MISSING"
    );
}

#[test]
fn the_review_block_is_written_in_order_in_place() {
    let mut st = submitted_by_alice();
    let s = statement(StatementAction::Approve, "bob", 3, &hash(3));
    let block = review_block(&st, &s);
    assert_eq!(
        block.to_string(),
        "{\"decision\":\"approve\",\"maker\":\"alice\",\"checker\":\"bob\",\"signed_at\":\"2026-12-02T09:00:00Z\",\"case_version\":3}"
    );
    let case = "{\"case_id\":\"X\",\"review\":null,\"pledge\":{}}";
    let out = with_review(case, block.clone()).unwrap();
    assert!(
        out.starts_with("{\"case_id\":\"X\",\"review\":{\"decision\""),
        "{out}"
    );
    assert!(out.ends_with(",\"pledge\":{}}"), "{out}");
    assert!(with_review("{\"case_id\":\"X\"}", block.clone())
        .unwrap()
        .ends_with("\"case_version\":3}}"));
    assert_eq!(with_review("[1]", block.clone()), None);
    assert_eq!(with_review("{nope", block), None);
    st.accept(
        &signed(statement(StatementAction::Reject, "bob", 3, &hash(3))),
        Next::Decide,
        None,
        AT,
        Some("why".into()),
    );
    assert_eq!(st.stage, Stage::Rejected);
    assert_eq!(
        review_block(&st, &statement(StatementAction::Reject, "bob", 3, &hash(3)))["decision"],
        "reject"
    );
}

#[test]
fn the_key_verdict_prefers_the_current_key_and_names_the_revocation() {
    let key = |pk: &str, revoked: Option<&str>| StaffKey {
        staff_id: "bob".into(),
        algorithm: "ed25519".into(),
        public_key: pk.into(),
        enrolled_at: AT.into(),
        revoked_at: revoked.map(str::to_string),
    };
    assert_eq!(key_verdict(&[], |_| true), KeyVerdict::Unknown);
    let keys = [
        key("new", None),
        key("old", Some("T2")),
        key("older", Some("T1")),
    ];
    assert_eq!(
        key_verdict(&keys, |k| k.public_key == "new"),
        KeyVerdict::Current
    );
    assert_eq!(
        key_verdict(&keys, |k| k.public_key == "older"),
        KeyVerdict::Revoked {
            revoked_at: "T1".into()
        }
    );
    assert_eq!(key_verdict(&keys, |_| false), KeyVerdict::Mismatch);
}

#[test]
fn a_signed_read_request_is_dated_near_the_clock_and_signed_with_the_current_key() {
    let now = received();
    assert_eq!(
        check_reader("bob", "2026-12-02T08:55:00Z", now, &KeyVerdict::Current),
        Ok(())
    );
    for (at, key, expect) in [
        (
            "2026-12-02T08:54:59Z",
            KeyVerdict::Current,
            "SIGNATURE_INVALID",
        ),
        (
            "2026-12-02T09:05:01Z",
            KeyVerdict::Current,
            "SIGNATURE_INVALID",
        ),
        ("yesterday", KeyVerdict::Current, "SIGNATURE_INVALID"),
        (AT, KeyVerdict::Unknown, "KEY_UNKNOWN"),
        (AT, KeyVerdict::Mismatch, "SIGNATURE_INVALID"),
        (
            AT,
            KeyVerdict::Revoked {
                revoked_at: "2027-01-01T00:00:00Z".into(),
            },
            "KEY_REVOKED",
        ),
    ] {
        assert_eq!(
            check_reader("bob", at, now, &key).unwrap_err().code(),
            expect,
            "{at}"
        );
    }
    let mut st = submitted_by_alice();
    let branches = vec!["BXM-07".to_string()];
    assert!(st.in_inbox_of("BXM-07", "bob", &branches));
    assert!(!st.in_inbox_of("BXO-02", "bob", &branches));
    assert!(!st.in_inbox_of("BXM-07", "alice", &branches));
    st.editors.insert("dave".into());
    assert!(!st.in_inbox_of("BXM-07", "dave", &branches));
    st.stage = Stage::Approved;
    assert!(!st.in_inbox_of("BXM-07", "bob", &branches));
}

#[test]
fn enrolment_keys_and_directory_answers_map_to_their_codes() {
    let good = uw_bank_link::signing::to_base64(&uw_bank_link::signing::Signer::public_key(
        &uw_bank_link::signing::Ed25519Signer::from_seed(&[3; 32]),
    ));
    assert!(check_enrolment_key("ed25519", &good).is_ok());
    for (alg, pk) in [
        ("rsa", good.as_str()),
        ("ed25519", "not base64!"),
        ("ed25519", "AAAA"),
        ("ed25519", ""),
    ] {
        assert_eq!(
            check_enrolment_key(alg, pk).unwrap_err().code(),
            "INVALID_KEY",
            "{alg} {pk}"
        );
    }
    let r = |e: DirectoryError| authentication_refusal("bob", &e).code();
    assert_eq!(r(DirectoryError::WrongCredentials), "AUTH_FAILED");
    assert_eq!(
        r(DirectoryError::AccountNotFound("bob".into())),
        "AUTH_FAILED"
    );
    assert_eq!(
        r(DirectoryError::AccountDisabled("bob".into())),
        "ACCOUNT_DISABLED"
    );
    assert_eq!(
        r(DirectoryError::Unreachable("down".into())),
        "DIRECTORY_UNAVAILABLE"
    );
    assert_eq!(r(DirectoryError::Timeout(5)), "DIRECTORY_UNAVAILABLE");
    assert_eq!(
        PersonVerdict::of_error(&DirectoryError::AccountDisabled("x".into())),
        PersonVerdict::Disabled
    );
    assert_eq!(
        PersonVerdict::of_error(&DirectoryError::AccountNotFound("x".into())),
        PersonVerdict::Absent
    );
}

fn revoked(at: &str, base: SignerFacts) -> SignerFacts {
    SignerFacts {
        key: KeyVerdict::Revoked {
            revoked_at: at.into(),
        },
        ..base
    }
}

fn at(t: &str) -> DateTime<Utc> {
    time(t).unwrap()
}

#[test]
fn a_revoked_key_s_statement_counts_only_after_its_version_before_the_revocation_within_72_hours() {
    // alice's submission is stored at 08:00; bob's key is revoked at 10:00.
    let st = submitted_by_alice();
    let bob_revoked = revoked("2026-12-02T10:00:00Z", reviewer());
    let approve_at = |signed_at: &str| {
        let mut s = statement(StatementAction::Approve, "bob", 3, &hash(3));
        s.signed_at = signed_at.into();
        s
    };
    let signoff_received = |received_at: &str| Delivery {
        received_at: at(received_at),
        ..signoff_delivery(None)
    };
    let j = |signed_at: &str, received_at: &str| {
        judge(
            &st,
            &approve_at(signed_at),
            &signoff_received(received_at),
            &bob_revoked,
        )
    };
    // (a)+(b)+(c): dated between the stored submission and the revocation, arriving
    // within 72 hours of the revocation.
    assert_eq!(
        j("2026-12-02T08:00:00Z", "2026-12-02T11:00:00Z"),
        Ok(Next::Decide)
    );
    assert_eq!(
        j("2026-12-02T09:59:59Z", "2026-12-05T10:00:00Z"),
        Ok(Next::Decide)
    );
    // (a) dated at or after the revocation.
    let e = j("2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z").unwrap_err();
    assert_eq!(e.code(), "KEY_REVOKED");
    assert!(
        e.message.contains("revoked at 2026-12-02T10:00:00Z"),
        "{}",
        e.message
    );
    // (b) backdated before the submitted version existed at the bank.
    let e = j("2026-12-02T07:59:59.999Z", "2026-12-02T11:00:00Z").unwrap_err();
    assert_eq!((e.code(), e.status), ("KEY_REVOKED", 403));
    assert!(
        e.message.contains(
            "before the bank stored version 3 of case AUTO-2026-000123 (at 2026-12-02T08:00:00Z)"
        ),
        "{}",
        e.message
    );
    // (c) arriving more than 72 hours after the revocation.
    let e = j("2026-12-02T09:00:00Z", "2026-12-05T10:00:00.001Z").unwrap_err();
    assert_eq!(e.code(), "KEY_REVOKED");
    assert!(e.message.contains("more than 72 hours"), "{}", e.message);

    // An edit acts on the current version it is made from; a new case on none.
    let alice_revoked = revoked("2026-12-02T10:00:00Z", underwriter());
    let mut edit = statement(StatementAction::Edit, "alice", 2, &hash(2));
    edit.signed_at = "2026-12-02T08:30:00Z".into();
    let draft = held_case();
    let h2 = hash(2);
    let d = version_delivery(&h2);
    assert_eq!(judge(&draft, &edit, &d, &alice_revoked), Ok(Next::Edit));
    edit.signed_at = "2026-12-02T07:00:00Z".into();
    assert_eq!(
        code(judge(&draft, &edit, &d, &alice_revoked)),
        "KEY_REVOKED"
    );
    edit.signed_at = "2026-12-02T08:30:00Z".into();
    let e = judge(&CaseReview::default(), &edit, &d, &alice_revoked).unwrap_err();
    assert_eq!(e.code(), "KEY_REVOKED");
    assert!(e.message.contains("holds no version"), "{}", e.message);

    // An order acts on the current version: here stored at 08:00 too.
    let approved = approved_with_orders();
    let current = approved.current.clone().unwrap().hash;
    let mut order = statement(StatementAction::OrderStage1, "alice", 9, &current);
    let amount = json!("60000000.00");
    let od = order_delivery(1, Some(&amount));
    order.signed_at = "2026-12-02T08:00:00Z".into();
    assert_eq!(
        judge(&approved, &order, &od, &alice_revoked),
        Ok(Next::Order)
    );
    order.signed_at = "2026-12-01T08:00:00Z".into();
    assert_eq!(
        code(judge(&approved, &order, &od, &alice_revoked)),
        "KEY_REVOKED"
    );
}

#[test]
fn a_decided_case_takes_only_the_disbursement_s_evidence() {
    let mut st = submitted_by_alice();
    sign_off(
        &mut st,
        statement(StatementAction::Approve, "bob", 3, &hash(3)),
        &reviewer(),
        None,
    )
    .unwrap();
    let edit = statement(StatementAction::Edit, "alice", 5, &hash(5));
    let j = |case: &Value| {
        judge(
            &st,
            &edit,
            &version_delivery_of(&hash(5), case, None),
            &underwriter(),
        )
    };
    // The evidence: the review block, the disbursement, the pledge, the insurance, the
    // down-payment proof (changed, added, removed); an absent key reads as null.
    let held_review = st.current.as_ref().unwrap().case["review"].clone();
    let evidence = case_with(|c| {
        c["review"] = held_review.clone();
        c["disbursement"] = json!({"orders": [{"stage": 1, "amount": "1.00"}]});
        c["pledge"] = json!({"vin_lien": "registered", "history": [{"status": "requested"}]});
        c["insurance"] = json!([]);
        c["documents"][1]["status"] = "verified".into();
        c["documents"]
            .as_array_mut()
            .unwrap()
            .push(json!({"kind": "down_payment_proof", "status": "verified"}));
        c["note"] = Value::Null;
    });
    assert_eq!(j(&evidence), Ok(Next::Edit));
    // Before a decision a version carries no review block: the bank writes it.
    let draft = held_case();
    let typed = case_with(|c| c["review"] = json!({"decision": "approve", "checker": "bob"}));
    let e = judge(
        &draft,
        &statement(StatementAction::Edit, "alice", 2, &hash(5)),
        &version_delivery_of(&hash(5), &typed, None),
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "OWNED_FIELD", "{}", e.message);
    // Nor does a draft's version move it to another branch (whose people would claim it).
    let moved = case_with(|c| c["branch"] = "BXO-02".into());
    let e = judge(
        &draft,
        &statement(StatementAction::Edit, "alice", 2, &hash(5)),
        &version_delivery_of(&hash(5), &moved, None),
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "OWNED_FIELD", "{}", e.message);
    assert!(e.message.starts_with("branch: "), "{}", e.message);
    // The bank's review block is its own: another one is refused.
    let forged = case_with(|c| c["review"] = json!({"decision": "approve", "checker": "dave"}));
    assert!(j(&forged)
        .unwrap_err()
        .message
        .ends_with("(field review is the bank's record of the decision)"));
    let without_proof = case_with(|c| {
        c["documents"].as_array_mut().unwrap().truncate(1);
        c.as_object_mut().unwrap().remove("review");
    });
    assert_eq!(j(&without_proof), Ok(Next::Edit));
    // Anything else names the first key that differs.
    for (change, key) in [
        (
            Box::new(|c: &mut Value| c["loan"]["term_months"] = 48.into())
                as Box<dyn Fn(&mut Value)>,
            "loan",
        ),
        (
            Box::new(|c: &mut Value| c["parties"][0]["name"] = "B".into()),
            "parties",
        ),
        (
            Box::new(|c: &mut Value| c["documents"][0]["status"] = "pending".into()),
            "documents",
        ),
        (
            Box::new(|c: &mut Value| c["documents"][1]["kind"] = "income".into()),
            "documents",
        ),
        (
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("branch");
            }),
            "branch",
        ),
        (
            Box::new(|c: &mut Value| c["vehicle"] = json!({"vin": "X"})),
            "vehicle",
        ),
    ] {
        let case = case_with(|c| change(c));
        let e = j(&case).unwrap_err();
        assert_eq!((e.code(), e.status), ("CASE_DECIDED", 409), "{key}");
        assert_eq!(
            e.message,
            format!("case AUTO-2026-000123 is approved: its terms are closed; only the disbursement's evidence changes (field {key} differs)")
        );
    }
    // Two changes: the first in the file's order is named.
    let both = case_with(|c| {
        c["documents"][0]["status"] = "pending".into();
        c["loan"]["amount"] = "1.00".into();
    });
    assert!(j(&both)
        .unwrap_err()
        .message
        .ends_with("(field loan differs)"));
    // A rejected case alike; a submitted one is under review; a draft takes any edit.
    let mut rejected = st.clone();
    rejected.stage = Stage::Rejected;
    let longer = case_with(|c| c["loan"]["term_months"] = 48.into());
    let e = judge(
        &rejected,
        &edit,
        &version_delivery_of(&hash(5), &longer, None),
        &underwriter(),
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("case AUTO-2026-000123 is rejected"),
        "{}",
        e.message
    );
    let draft = held_case();
    let edit2 = statement(StatementAction::Edit, "alice", 2, &hash(5));
    assert_eq!(
        judge(
            &draft,
            &edit2,
            &version_delivery_of(&hash(5), &longer, None),
            &underwriter()
        ),
        Ok(Next::Edit)
    );
    // Without the decided version's content, nothing is taken.
    let mut unreadable = st.clone();
    unreadable.submitted = None;
    let e = judge(
        &unreadable,
        &edit,
        &version_delivery_of(&hash(5), &evidence, None),
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "CASE_DECIDED");
    assert!(e.message.contains("cannot be read"), "{}", e.message);
}

#[test]
fn an_order_is_the_one_its_signed_version_records() {
    let st = approved_with_orders();
    let current = st.current.clone().unwrap().hash;
    let j = |stage: u64, amount: Option<Value>| {
        let action = if stage == 1 {
            StatementAction::OrderStage1
        } else {
            StatementAction::OrderStage2
        };
        let s = statement(action, "alice", 9, &current);
        judge(
            &st,
            &s,
            &order_delivery(stage, amount.as_ref()),
            &underwriter(),
        )
    };
    assert_eq!(j(1, Some(json!("60000000.00"))), Ok(Next::Order));
    // The same decimal written otherwise, a number.
    assert_eq!(j(1, Some(json!("60000000"))), Ok(Next::Order));
    assert_eq!(j(2, Some(json!(90000000))), Ok(Next::Order));
    for (stage, amount, message) in [
        (
            1,
            Some(json!("999")),
            "body.amount 999 is not the order the signed version records: 60000000.00",
        ),
        (
            2,
            Some(json!("60000000.00")),
            "body.amount 60000000.00 is not the order the signed version records: 90000000.00",
        ),
        (
            1,
            None,
            "body.amount (missing) is not the order the signed version records: 60000000.00",
        ),
    ] {
        let e = j(stage, amount).unwrap_err();
        assert_eq!((e.code(), e.message.as_str()), ("HASH_MISMATCH", message));
    }
    // A version that records no order of the stage.
    let mut one_stage = st.clone();
    one_stage.current.as_mut().unwrap().case["disbursement"]["orders"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    let s = statement(StatementAction::OrderStage2, "alice", 9, &current);
    let amount = json!("90000000.00");
    let e = judge(
        &one_stage,
        &s,
        &order_delivery(2, Some(&amount)),
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "HASH_MISMATCH");
    assert!(
        e.message.contains("records no order of stage 2"),
        "{}",
        e.message
    );
}

#[test]
fn a_statement_counts_once_and_a_submit_signed_before_the_return_is_stale() {
    // Accepted before: refused whatever it is about, before the key and the role.
    let st = submitted_by_alice();
    let approve = statement(StatementAction::Approve, "bob", 3, &hash(3));
    let replay = Delivery {
        accepted_before: Some("2026-12-02T09:00:01.000Z"),
        ..signoff_delivery(None)
    };
    let unknown = SignerFacts {
        key: KeyVerdict::Unknown,
        ..reviewer()
    };
    let e = judge(&st, &approve, &replay, &unknown).unwrap_err();
    assert_eq!((e.code(), e.status), ("SIGNATURE_INVALID", 403));
    assert_eq!(
        e.message,
        "this signed statement was accepted before (at 2026-12-02T09:00:01.000Z); a statement counts once"
    );

    // bob returns the case at 09:30 (the bank's time).
    let mut st = submitted_by_alice();
    let ret = statement(StatementAction::Return, "bob", 3, &hash(3));
    let next = judge(&st, &ret, &signoff_delivery(Some("payslip")), &reviewer()).unwrap();
    st.accept(
        &signed(ret),
        next,
        None,
        "2026-12-02T09:30:00.000Z",
        Some("payslip".into()),
    );
    let resubmit = |signed_at: &str| {
        let mut s = statement(StatementAction::Submit, "alice", 4, &hash(4));
        s.signed_at = signed_at.into();
        s
    };
    let h4 = hash(4);
    let later = Delivery {
        received_at: at("2026-12-02T10:00:00Z"),
        ..version_delivery(&h4)
    };
    let e = judge(
        &st,
        &resubmit("2026-12-02T09:29:59.999Z"),
        &later,
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!((e.code(), e.status), ("STALE_STATEMENT", 409));
    assert!(
        e.message
            .contains("signed before the case was returned at 2026-12-02T09:30:00.000Z"),
        "{}",
        e.message
    );
    assert_eq!(
        judge(
            &st,
            &resubmit("2026-12-02T09:30:00Z"),
            &later,
            &underwriter()
        ),
        Ok(Next::Submit)
    );
    // An edit is not a decision to review again: it is not stale.
    let mut edit = statement(StatementAction::Edit, "alice", 4, &hash(4));
    edit.signed_at = "2026-12-02T09:00:00Z".into();
    assert_eq!(judge(&st, &edit, &later, &underwriter()), Ok(Next::Edit));
    // A submit names the maker's proposal.
    let no_proposal = Delivery {
        carrying: Carrying::Version {
            content_hash: &h4,
            case: base_case(),
            proposal: None,
        },
        ..later
    };
    let e = judge(
        &st,
        &resubmit("2026-12-02T09:45:00Z"),
        &no_proposal,
        &underwriter(),
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.status, e.message.as_str()),
        (
            "INVALID_JUSTIFICATION",
            422,
            "UW-Proposal: a submit names the maker's proposed decision, approve or reject"
        )
    );
    let h1 = hash(1);
    let d = version_delivery_of(&h1, base_case(), None);
    assert_eq!(
        code(judge(
            &CaseReview::default(),
            &statement(StatementAction::Submit, "alice", 1, &hash(1)),
            &d,
            &underwriter()
        )),
        "INVALID_JUSTIFICATION"
    );
}

#[test]
fn a_new_case_id_equal_but_for_letter_case_to_a_held_one_is_refused() {
    assert_eq!(check_new_case_id("AUTO-2026-000999", None), Ok(()));
    // The same id exactly is the If-None-Match conflict, not this rule.
    assert_eq!(
        check_new_case_id("AUTO-2026-000123", Some("AUTO-2026-000123")),
        Ok(())
    );
    let e = check_new_case_id("auto-2026-000123", Some("AUTO-2026-000123")).unwrap_err();
    assert_eq!((e.code(), e.status), ("CASE_EXISTS", 409));
    assert!(
        e.message.contains("holds case AUTO-2026-000123"),
        "{}",
        e.message
    );
}

/// One step of the property test: who signs what, and how well.
#[derive(Clone, Debug)]
struct Step {
    who: usize,
    action: usize,
    /// For a sign-off: 0–2 the submitted version, 3 the current one, 4 another.
    target: u8,
    /// A version's content matches its statement (else a mismatch).
    honest: bool,
    comment: bool,
    /// 0–5 the current key, 6 unknown, 7 mismatch.
    key: u8,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        (
            0usize..5,
            0usize..5,
            0u8..5,
            proptest::bool::weighted(0.9),
            any::<bool>(),
            0u8..8,
        )
            .prop_map(|(who, action, target, honest, comment, key)| Step {
                who,
                action,
                target,
                honest,
                comment,
                key,
            }),
        1..40,
    )
}

const ACTIONS: [StatementAction; 5] = [
    StatementAction::Edit,
    StatementAction::Submit,
    StatementAction::Approve,
    StatementAction::Reject,
    StatementAction::Return,
];

type Roles = Vec<(bool, bool, bool)>;

/// Plays the steps through `judge` and `accept`, checking every accepted sign-off against
/// an oracle kept apart from the state under test. The number of decisions accepted.
fn play(roles: &Roles, steps: &[Step]) -> Result<usize, TestCaseError> {
    let names = ["p0", "p1", "p2", "p3", "p4"];
    let mut st = held_case();
    let mut shapers: BTreeSet<String> = BTreeSet::new();
    let mut maker_of: BTreeMap<i64, String> = BTreeMap::new();
    let mut decisions: BTreeMap<i64, usize> = BTreeMap::new();
    let mut fresh = 100u64;
    for step in steps {
        fresh += 1;
        let who = names[step.who];
        let (u, r, a) = roles[step.who];
        let action = ACTIONS[step.action];
        let facts = SignerFacts {
            key: match step.key {
                6 => KeyVerdict::Unknown,
                7 => KeyVerdict::Mismatch,
                _ => KeyVerdict::Current,
            },
            person: PersonVerdict::Found {
                roles: DirectoryRoles {
                    underwriter: u,
                    reviewer: r,
                    administrator: a,
                    supervisor: false,
                },
                branches: vec!["BXM-07".into()],
            },
        };
        let current = st.current.clone().unwrap();
        if action.shapes_the_case() {
            let s = statement(action, who, current.version + 1, &hash(fresh));
            let delivered = if step.honest {
                hash(fresh)
            } else {
                hash(fresh + 50_000)
            };
            if let Ok(next) = judge(&st, &s, &version_delivery(&delivered), &facts) {
                prop_assert!(u, "{} shaped the case without the underwriter role", who);
                prop_assert_eq!(step.key < 6, true);
                let held = stored(current.version + 1, delivered, base_case().clone());
                shapers.insert(who.to_string());
                if next == Next::Submit {
                    maker_of.insert(held.version, who.to_string());
                }
                st.accept(&signed(s), next, Some(held), AT, None);
            }
        } else {
            let (version, h) = match (step.target, &st.submission) {
                (0..=2, Some(sub)) => (sub.version, sub.hash.clone()),
                (4, _) => (current.version, hash(fresh)),
                _ => (current.version, current.hash.clone()),
            };
            let s = statement(action, who, version, &h);
            let comment = step.comment.then_some("why");
            let submitted = st.submission.as_ref().map(|x| x.version);
            if let Ok(next) = judge(&st, &s, &signoff_delivery(comment), &facts) {
                prop_assert!(r, "{} signed off without the reviewer role", who);
                prop_assert_eq!(step.key < 6, true);
                let sub = submitted.unwrap();
                prop_assert_eq!(sub, version);
                prop_assert_ne!(maker_of.get(&sub).map(String::as_str), Some(who));
                prop_assert!(
                    !shapers.contains(who),
                    "{} shaped the case and signed it off",
                    who
                );
                let mut kept = None;
                if next == Next::Decide {
                    let n = decisions.entry(sub).or_default();
                    *n += 1;
                    prop_assert!(*n <= 1, "two decisions on submission {}", sub);
                    kept = Some(stored(
                        current.version + 1,
                        hash(fresh + 90_000),
                        base_case().clone(),
                    ));
                }
                st.accept(&signed(s), next, kept, AT, comment.map(str::to_string));
            }
        }
    }
    // Once decided, a case is decided for good.
    let total = decisions.values().sum::<usize>();
    prop_assert!(total <= 1);
    Ok(total)
}

fn roles() -> impl Strategy<Value = Roles> {
    proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Whatever people sign in whatever order, no approve or reject is accepted from the
    /// maker or from anyone who signed an edit or submit of the case, none without the
    /// reviewer role or a good key, and at most one per submission.
    #[test]
    fn no_accepted_decision_breaks_the_two_person_rule(roles in roles(), steps in steps()) {
        play(&roles, &steps)?;
    }
}

/// The property is not vacuous: the generated sequences do reach accepted decisions.
#[test]
fn the_property_s_sequences_reach_decisions() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (roles(), steps());
    let mut decided = 0;
    for _ in 0..500 {
        let (roles, steps) = strategy.new_tree(&mut runner).unwrap().current();
        decided += play(&roles, &steps).unwrap();
    }
    assert!(
        decided >= 25,
        "only {decided} of 500 sequences reached a decision"
    );
}
