//! Two (and more) desks, one decision: workstations on their own data folders, one
//! simulated bank that enforces the dual review, one real OpenLDAP directory. Every part
//! is real and started here; the desks meet only through the bank.

use std::path::Path;

use proptest::prelude::*;
use uw_bank_link::api::{SignOff, StatementAction};
use uw_bank_link::signing::Signer as _;
use uw_bank_link::BankConfig;
use uw_directory::slapd::{fixture_password as pw, Slapd};
use uw_domain::review::Stage;

use super::*;
use crate::tests::options;

const TOKEN: &str = "desks-bank";
const CASE: &str = "AUTO-2026-000123";

pub(crate) struct Bank {
    pub sim: uw_bank_sim::Running,
    pub slapd: Slapd,
    pub dir: tempfile::TempDir,
}

/// The enforcing bank with the demo queue, and its directory.
pub(crate) fn bank_with(slapd: Slapd) -> Bank {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut c = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    c.assign_to = vec!["alice".into(), "carol".into()];
    c.directory = Some(slapd.config());
    c.pledge_delay = std::time::Duration::ZERO;
    let sim = uw_bank_sim::start(c).expect("the simulator starts");
    assert!(sim.enforcing());
    Bank { sim, slapd, dir }
}

pub(crate) fn bank() -> Bank {
    bank_with(Slapd::fixture().expect("slapd starts (see .ci/setup)"))
}

/// A desk: its own data folder, the bank and the directory.
pub(crate) fn desk(bank: &Bank, name: &str) -> Workstation {
    let ws = Workstation::open(crate::OpenOptions {
        bank: Some(BankConfig::new(&bank.sim.url(), TOKEN)),
        directory: Some(bank.slapd.config()),
        ..options(&bank.dir.path().join(name), "os-user", false, true)
    })
    .expect("the desk opens");
    ws.set_sync_options(crate::SyncOptions {
        retry_min: std::time::Duration::from_millis(2),
        retry_max: std::time::Duration::from_millis(10),
        retries: 1,
        hold_min: std::time::Duration::from_millis(1),
        hold_max: std::time::Duration::from_millis(5),
        ..crate::SyncOptions::default()
    });
    ws
}

fn login(ws: &Workstation, who: &str) {
    let s = ws.login(who, &pw(who), None).expect("logs in");
    assert_eq!(s.signing_key, "enrolled", "{who}'s key at the bank");
}

fn stage(ws: &Workstation, id: &str) -> Workflow {
    ws.load_workflow(id).expect("a workflow")
}

/// A desk where `who` logged in and synced.
fn desk_of(bank: &Bank, name: &str, who: &str) -> Workstation {
    let ws = desk(bank, name);
    login(&ws, who);
    ws.sync().expect("the desk syncs");
    ws
}

/// A desk where `who` submitted the case and the bank heard it.
fn submitted_at(bank: &Bank, name: &str, who: &str) -> Workstation {
    let ws = desk_of(bank, name, who);
    submit(&ws, CASE);
    let report = ws.sync().expect("the submission goes");
    assert!(report.refused.is_empty(), "{report:?}");
    ws
}

/// The logged-in person signs `action` of the submitted version and sends it straight to
/// the bank, past the window's check: the bank's answer, as the service reads it.
fn forged_signoff(ws: &Workstation, action: StatementAction, key: &str) -> AppError {
    let submitted = stage(ws, CASE).submitted.expect("a version under review");
    let (_, case) = ws.stored_case(CASE).expect("the case");
    let st = ws
        .statement(
            CASE,
            submitted.version,
            submitted.hash,
            action,
            Some(ws.statement_figures(&case)),
        )
        .expect("a statement");
    let signoff = SignOff {
        statement: ws.sign(st).expect("signed"),
        comment: None,
    };
    let bank = ws.bank().expect("the bank");
    match bank.sign_off(CASE, &signoff, key) {
        Ok(ack) => panic!("the bank accepted {ack:?}"),
        Err(e) => AppError::from(e),
    }
}

fn approve_here(ws: &Workstation, who: &str) {
    let v = ws.open_case(CASE).expect("opens");
    ws.approve(CASE, v.version, &pw(who)).expect("signs");
}

fn submit(ws: &Workstation, id: &str) -> CaseView {
    let v = ws.open_case(id).expect("opens");
    ws.submit(
        id,
        v.version,
        ReviewDecision::Approve,
        "salary at this bank; DTI within 50 %",
    )
    .expect("submits")
}

#[test]
fn two_desks_alice_submits_bob_approves_at_his_own_and_the_maker_sees_it() {
    let bank = bank();
    let one = desk(&bank, "desk-1");
    let two = desk(&bank, "desk-2");

    login(&one, "alice");
    one.sync().expect("desk 1 syncs");
    let v = submit(&one, CASE);
    assert_eq!(v.status, "submitted");
    let w = stage(&one, CASE);
    assert_eq!(
        w.pending.as_ref().map(|p| p.action.as_str()),
        Some("submit")
    );
    let report = one.sync().expect("desk 1 sends the submission");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let w = stage(&one, CASE);
    assert_eq!((w.stage, w.pending.clone()), (Stage::Submitted, None));
    let submitted = w.submitted.clone().expect("the bank's submitted version");

    // Bob at his own desk: his inbox brings the case, submitted by alice.
    login(&two, "bob");
    two.sync().expect("desk 2 syncs");
    let r = two.review(CASE).expect("the review");
    assert_eq!(r.workflow.maker.as_deref(), Some("alice"));
    assert_eq!(r.workflow.submitted.as_ref(), Some(&submitted));
    assert_eq!(
        r.workflow
            .proposal
            .as_ref()
            .map(|p| p.justification.as_str()),
        Some("salary at this bank; DTI within 50 %")
    );
    assert!(
        r.allowed.contains(&"approve".to_string()),
        "{:?}",
        r.allowed
    );
    assert!(r.differences.is_empty(), "{:?}", r.differences);

    // Signed here: waiting for the bank, not approved yet.
    let v = two.open_case(CASE).unwrap();
    let wrong = two.approve(CASE, v.version, "not-bobs").unwrap_err();
    assert_eq!(wrong.code, ErrorCode::AuthFailed);
    two.approve(CASE, v.version, &pw("bob")).expect("bob signs");
    let w = stage(&two, CASE);
    assert_eq!(w.stage, Stage::Submitted);
    assert_eq!(w.pending.as_ref().map(|p| p.signer.as_str()), Some("bob"));
    assert_eq!(
        two.approve(CASE, v.version, &pw("bob")).unwrap_err().code,
        ErrorCode::AwaitingBank
    );
    assert_eq!(
        two.print_agreement(CASE, "uz").unwrap_err().code,
        ErrorCode::NotPrintable
    );
    let report = two.sync().expect("desk 2 sends the sign-off");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let w = stage(&two, CASE);
    assert_eq!(
        (w.stage, w.checker.as_deref()),
        (Stage::Approved, Some("bob"))
    );
    assert!(w.accepted_at.is_some());
    // The bank wrote the review into its version, which came back with the pull.
    let review = two.open_case(CASE).unwrap().case.review.expect("a review");
    assert_eq!(
        (review.maker.as_str(), review.checker.as_str()),
        ("alice", "bob")
    );

    // The maker's desk learns it by its own sync and prints the agreement.
    one.sync().expect("desk 1 syncs again");
    let v = one.open_case(CASE).unwrap();
    assert_eq!(v.status, "approved");
    assert_eq!(v.case.review.expect("a review").checker, "bob");
    let pdf = one.print_agreement(CASE, "uz").expect("the agreement");
    assert!(std::fs::read(pdf).unwrap().starts_with(b"%PDF-"));
    for ws in [&one, &two] {
        assert!(ws.verify_audit().unwrap().intact);
    }
}

/// An approval against the maker's proposal at another desk: the bank refuses one signed
/// past the window without its reason, accepts the reasoned one, and the maker's desk
/// learns the exception by its sync.
#[test]
fn an_approval_against_the_maker_s_proposal_is_an_exception_the_bank_holds_to_its_reason() {
    let bank = bank();
    let one = desk_of(&bank, "desk-1", "alice");
    let v = one.open_case(CASE).unwrap();
    one.submit(
        CASE,
        v.version,
        ReviewDecision::Reject,
        "the employer did not answer",
    )
    .unwrap();
    assert!(one.sync().unwrap().refused.is_empty());

    let two = desk_of(&bank, "desk-2", "bob");
    let need = two.review(CASE).unwrap().approval;
    assert!(need.exception, "{need:?}");
    // Past the window: a signed approval with no reason is refused by the bank.
    let e = forged_signoff(&two, StatementAction::Approve, "bob-without-a-reason");
    assert_eq!(e.code, ErrorCode::ExceptionReasonRequired, "{}", e.message);
    let v = two.open_case(CASE).unwrap();
    two.approve_by_exception(
        CASE,
        v.version,
        &pw("bob"),
        "the employer confirmed by phone",
    )
    .expect("bob signs the exception");
    let report = two.sync().unwrap();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let w = stage(&two, CASE);
    assert_eq!(w.stage, Stage::Approved);
    let e = w.exception.expect("the exception kept");
    assert_eq!(
        (e.reason.as_str(), e.role.as_deref()),
        ("the employer confirmed by phone", Some("reviewer"))
    );

    one.sync().unwrap();
    let w = stage(&one, CASE);
    assert_eq!(w.stage, Stage::Approved);
    let e = w
        .exception
        .clone()
        .expect("the maker's desk learns the exception");
    assert_eq!(e.reason, "the employer confirmed by phone");
    assert_eq!(e.overrules, ReviewDecision::Reject);
    // Both desks hold the fingerprints of both signed statements, the same ones, for the
    // decision memo.
    let theirs = stage(&two, CASE);
    for desk in [&w, &theirs] {
        for fp in [&desk.maker_signature, &desk.checker_signature] {
            let fp = fp.as_deref().expect("a fingerprint");
            assert!(
                fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
                "{fp}"
            );
        }
    }
    assert_eq!(
        (&w.maker_signature, &w.checker_signature),
        (&theirs.maker_signature, &theirs.checker_signature)
    );
    assert_ne!(w.maker_signature, w.checker_signature);
    one.decision_memo_pdf(CASE, "uz", |_, pdf| {
        assert!(pdf.starts_with(b"%PDF-"));
        Ok(())
    })
    .expect("the memo of the accepted decision");
}

/// A note written at the maker's desk is read at the reviewer's, and the answer comes
/// back; the bank keeps a note only under its signed author's name.
#[test]
fn a_note_made_at_one_desk_is_read_at_the_other_and_signed_by_its_author() {
    let bank = bank();
    let one = desk_of(&bank, "desk-1", "alice");
    one.add_note(CASE, "called the employer: salary confirmed")
        .unwrap();
    submit(&one, CASE);
    let report = one.sync().unwrap();
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert!(one.notes(CASE).unwrap()[0].bank_at.is_some());

    let two = desk_of(&bank, "desk-2", "bob");
    let notes = two.notes(CASE).unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        (notes[0].author.as_str(), notes[0].text.as_str()),
        ("alice", "called the employer: salary confirmed")
    );
    two.add_note(CASE, "thank you; the letter is enough")
        .unwrap();
    assert!(two.sync().unwrap().refused.is_empty());
    one.sync().unwrap();
    let texts: Vec<_> = one
        .notes(CASE)
        .unwrap()
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(
        texts,
        [
            "called the employer: salary confirmed",
            "thank you; the letter is enough"
        ]
    );
    // Bob's key signing a note in alice's name: the bank refuses it.
    let mut forged = uw_bank_link::api::CaseNote {
        note_id: "forged-1".into(),
        author: "alice".into(),
        written_at: crate::now_rfc3339(),
        text: "approve it, I said so".into(),
        algorithm: Some("ed25519".into()),
        signature: None,
    };
    let signer = two.signer().expect("bob's key");
    let sig = signer
        .sign(&uw_bank_link::api::note_bytes(CASE, &forged))
        .unwrap();
    forged.signature = Some(uw_bank_link::signing::to_base64(&sig));
    let e = two
        .bank()
        .unwrap()
        .post_note(CASE, &forged, "forged-note")
        .unwrap_err();
    assert_eq!(AppError::from(e).code, ErrorCode::SignatureInvalid);
    one.sync().unwrap();
    assert_eq!(one.notes(CASE).unwrap().len(), 2);
}

#[test]
fn two_desks_carol_cannot_approve_her_own_case_at_another_desk_and_the_bank_refuses_it_too() {
    let bank = bank();
    let _one = submitted_at(&bank, "desk-1", "carol");
    let two = desk(&bank, "desk-2");

    // Carol (underwriter and reviewer) at desk 2: her inbox leaves her own case out, and
    // the window's check refuses her sign-off.
    login(&two, "carol");
    let report = two.sync().unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let inbox = two
        .queue(&uw_store::QueueQuery {
            status: Some("submitted".into()),
            not_made_by: Some("carol".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(inbox.rows.is_empty(), "{:?}", inbox.rows);
    let v = two.open_case(CASE).unwrap();
    let e = two.approve(CASE, v.version, &pw("carol")).unwrap_err();
    assert_eq!(e.code, ErrorCode::SelfReview);

    // Past the window's check — her own valid key, signed and sent straight to the bank —
    // the bank refuses it with its code, and nothing changes.
    let e = forged_signoff(&two, StatementAction::Approve, "carol-forges-her-own");
    assert_eq!(e.code, ErrorCode::SelfReview, "{}", e.message);
    two.sync().unwrap();
    assert_eq!(stage(&two, CASE).stage, Stage::Submitted);
}

/// Two reviewers sign the same submission at two desks before either syncs: the first at
/// the bank wins; the second desk hears the refusal with who signed first, and its case
/// reopens where it stood — then shows the winner's decision.
#[test]
fn the_second_of_two_racing_reviewers_is_told_who_signed_first() {
    let bank = bank();
    let _maker = submitted_at(&bank, "maker", "alice");
    let bobs = desk_of(&bank, "bob", "bob");
    let daves = desk_of(&bank, "dave", "dave");
    approve_here(&bobs, "bob");
    approve_here(&daves, "dave");
    assert!(bobs.sync().unwrap().refused.is_empty());
    let report = daves.sync().unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let refused = &report.refused[0];
    assert_eq!(
        (
            refused.code.as_str(),
            refused.action.as_str(),
            refused.signer.as_str()
        ),
        ("ALREADY_DECIDED", "approve", "dave")
    );
    assert!(refused.message.contains("bob"), "{}", refused.message);
    let w = stage(&daves, CASE);
    assert_eq!(w.pending, None);
    assert_eq!(
        w.refusal.as_ref().map(|r| r.code.as_str()),
        Some("ALREADY_DECIDED")
    );
    assert_eq!(
        (w.stage, w.checker.as_deref()),
        (Stage::Approved, Some("bob"))
    );
    // The refused entry is kept for the record and never sent again.
    let states: Vec<String> = daves
        .outbox_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == SIGNOFF)
        .map(|e| e.state)
        .collect();
    assert_eq!(states, ["refused"]);
    assert_eq!(daves.sync().unwrap().refused.len(), 0);
}

/// The bank cannot be reached: the sign-off is signed at once and waits in the outbox,
/// "signed, waiting for the bank", until the bank is back.
#[test]
fn a_sign_off_made_while_the_bank_is_away_waits_and_then_counts() {
    let bank = bank();
    let _one = submitted_at(&bank, "desk-1", "alice");
    let two = desk_of(&bank, "desk-2", "dave");

    bank.sim.set_faults(uw_bank_sim::Faults {
        failure_pct: 100,
        ..uw_bank_sim::Faults::default()
    });
    approve_here(&two, "dave");
    let away = two.sync();
    assert!(
        away.is_err() || away.as_ref().is_ok_and(|r| r.waiting == 1),
        "{away:?}"
    );
    let w = stage(&two, CASE);
    assert_eq!((w.stage, w.pending.is_some()), (Stage::Submitted, true));
    assert_eq!(two.sync_status().unwrap().waiting, 1);

    bank.sim.set_faults(uw_bank_sim::Faults::default());
    let report = two.sync().unwrap();
    assert!(
        report.refused.is_empty() && report.waiting == 0,
        "{report:?}"
    );
    assert_eq!(stage(&two, CASE).stage, Stage::Approved);
}

/// A reviewer who edited the draft at one desk is refused as an editor when they sign
/// off at another — even if that desk never saw the edit: the bank told it.
#[test]
fn an_editor_of_the_draft_is_refused_by_the_bank_at_another_desk() {
    let bank = bank();
    // Carol (underwriter and reviewer) corrects the draft at desk 1; it reaches the bank.
    let one = desk_of(&bank, "desk-1", "carol");
    let v = one.open_case(CASE).unwrap();
    let mut case = v.case.clone();
    case.loan.term_months = 48;
    one.save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap();
    assert!(one.sync().unwrap().refused.is_empty());
    one.logout().unwrap();
    // Alice submits at desk 2 (after pulling carol's version).
    let _two = submitted_at(&bank, "desk-2", "alice");
    // Desk 3 has never seen carol's edit; the bank's record says she is an editor.
    let three = desk_of(&bank, "desk-3", "carol");
    let w = stage(&three, CASE);
    assert!(w.editors.contains("carol"), "{:?}", w.editors);
    let v = three.open_case(CASE).unwrap();
    let e = three.approve(CASE, v.version, &pw("carol")).unwrap_err();
    assert_eq!(e.code, ErrorCode::EditorReview);
    // Past the window's check, the bank refuses her signed sign-off — a return as much as
    // an approval — with its own code.
    for (action, key) in [
        (StatementAction::Approve, "carol-signs-her-edit"),
        (StatementAction::Return, "carol-returns-her-edit"),
    ] {
        let e = forged_signoff(&three, action, key);
        assert_eq!(e.code, ErrorCode::EditorReview, "{}", e.message);
    }
}

/// A reviewer at a desk whose key the bank no longer holds (the person enrolled another
/// key at another desk since): the sign-off is refused as signed with a revoked key, and
/// the next online login here enrolls a new one.
#[test]
fn a_key_revoked_by_a_later_enrolment_elsewhere_is_refused_and_replaced_at_the_next_login() {
    let bank = bank();
    let _maker = submitted_at(&bank, "maker", "alice");
    let old = desk_of(&bank, "old-desk", "bob");
    let new = desk(&bank, "new-desk");
    let old_key = old.signer().unwrap().public_key();
    // Bob logs in at another desk: that desk enrolls its own key, revoking this one.
    login(&new, "bob");
    assert_ne!(new.signer().unwrap().public_key(), old_key);
    let v = old.open_case(CASE).unwrap();
    old.approve(CASE, v.version, &pw("bob")).unwrap();
    let report = old.sync().unwrap();
    assert_eq!(
        report
            .refused
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>(),
        ["KEY_REVOKED"]
    );
    assert_eq!(stage(&old, CASE).stage, Stage::Submitted);
    // Logging in again here enrolls a key of this desk, and the sign-off goes through.
    old.logout().unwrap();
    login(&old, "bob");
    let v = old.open_case(CASE).unwrap();
    old.approve(CASE, v.version, &pw("bob")).unwrap();
    assert!(old.sync().unwrap().refused.is_empty());
    assert_eq!(stage(&old, CASE).stage, Stage::Approved);
}

/// The maker's signed submission meets a newer bank version (a conflict); she takes the
/// bank's: her submission is superseded unheard, and the case reopens saying so instead of
/// waiting for an answer that will never come. She submits again and the bank hears it.
#[test]
fn a_submission_superseded_by_the_bank_s_version_reopens_the_case() {
    let bank = bank();
    let one = desk_of(&bank, "desk-1", "alice");
    let two = desk_of(&bank, "desk-2", "carol");
    let v = two.open_case(CASE).unwrap();
    let mut case = v.case.clone();
    case.loan.term_months = 48;
    two.save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap();
    assert!(two.sync().unwrap().refused.is_empty());

    submit(&one, CASE);
    let report = one.sync().unwrap();
    assert_eq!(report.conflicts, 1, "{report:?}");
    let conflict = one.conflicts(true).unwrap().remove(0);
    one.resolve_conflict(conflict.id, crate::Keep::Bank)
        .unwrap();
    let w = stage(&one, CASE);
    assert_eq!(w.pending, None);
    assert_eq!(w.stage, Stage::Draft);
    assert_eq!(
        w.refusal.as_ref().map(|r| r.code.as_str()),
        Some("NOT_SENT")
    );
    assert_eq!(one.open_case(CASE).unwrap().case.loan.term_months, 48);
    submit(&one, CASE);
    let report = one.sync().unwrap();
    assert!(
        report.refused.is_empty() && report.waiting == 0,
        "{report:?}"
    );
    assert!(stage(&one, CASE).submitted.is_some());
}

/// The bank could not be reached when bob logged in: his key waits to be enrolled, his
/// sign-off waits with it (it is not sent to be refused), and the first sync that reaches
/// the bank enrolls the key and then delivers the sign-off.
#[test]
fn a_key_the_bank_did_not_hold_at_login_is_enrolled_by_the_next_sync() {
    let bank = bank();
    let _one = submitted_at(&bank, "desk-1", "alice");
    // Desk 2 pulls the case with dave, then bob logs in while the bank is away.
    let two = desk_of(&bank, "desk-2", "dave");
    two.logout().unwrap();
    bank.sim.set_faults(uw_bank_sim::Faults {
        failure_pct: 100,
        ..uw_bank_sim::Faults::default()
    });
    let s = two.login("bob", &pw("bob"), None).unwrap();
    assert_eq!(s.signing_key, "waiting");
    approve_here(&two, "bob");
    bank.sim.set_faults(uw_bank_sim::Faults::default());
    let report = two.sync().unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(two.session().unwrap().signing_key, "enrolled");
    assert_eq!(stage(&two, CASE).stage, Stage::Approved);
}

/// After the bank's approval the maker's side records the evidence and orders stage 1:
/// the order's version and the order itself are signed, and the bank accepts both.
#[test]
fn an_approved_case_s_disbursement_order_is_signed_and_accepted() {
    let bank = bank();
    let one = submitted_at(&bank, "desk-1", "alice");
    let two = desk_of(&bank, "desk-2", "bob");
    approve_here(&two, "bob");
    two.sync().unwrap();
    one.sync().unwrap();

    crate::disbursement::tests::stage_one_facts(&one);
    one.request_lien(CASE).unwrap();
    for _ in 0..50 {
        one.sync().unwrap();
        if one.disbursement(CASE).unwrap().lien.vin_lien == uw_domain::case::LienStatus::Registered
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let view = one.disbursement(CASE).unwrap();
    one.order_disbursement(CASE, view.version, 1).unwrap();
    let report = one.sync().unwrap();
    assert!(
        report.refused.is_empty() && report.waiting == 0,
        "{report:?}"
    );
    assert_eq!(bank.sim.digest().orders.get("1"), Some(&1));
    // The order went with alice's signed statement about the version that records it.
    let order = one
        .outbox_entries()
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "disbursement_order")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&order.body).unwrap();
    assert_eq!(
        body["body"]["statement"]["statement"]["action"],
        "order_stage_1"
    );
    assert_eq!(body["body"]["statement"]["statement"]["signer"], "alice");
}

/// "Approve subject to …" across two desks: the maker's condition is read at the
/// reviewer's desk, the reviewer's at the maker's; the reviewer waives the maker's, and the
/// bank refuses the reviewer's waiver of his own even past his desk's check; stage 1 then
/// pays (the bank accepts the order) while stage 2 waits for the open condition.
#[test]
fn conditions_travel_between_desks_and_the_bank_judges_the_waiver() {
    use uw_domain::approval_conditions::{Closing, NewCondition, Status};
    let bank = bank();
    let one = submitted_at(&bank, "desk-1", "alice");
    let due = crate::disbursement::today().add_days(10).to_string();
    let raise = |ws: &Workstation, text: &str, stage: u8| {
        ws.raise_condition(
            CASE,
            &NewCondition {
                text: text.into(),
                owner: "the client".into(),
                due: due.clone(),
                stage,
            },
        )
        .expect("raised")
    };
    let letter = raise(&one, "the employer's letter", 1)[0].condition.clone();
    assert!(one.sync().unwrap().refused.is_empty());
    assert!(!one.conditions(CASE).unwrap()[0].waiting);

    let two = desk_of(&bank, "desk-2", "bob");
    let seen = two.conditions(CASE).unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (
            seen[0].condition.text.as_str(),
            seen[0].condition.raised_by.as_str()
        ),
        ("the employer's letter", "alice")
    );
    // bob approves subject to a condition of his own for stage 2.
    let title = raise(&two, "the title's copy", 2)[1].condition.clone();
    approve_here(&two, "bob");
    assert!(two.sync().unwrap().refused.is_empty());
    let own = two
        .close_condition(CASE, &title.condition_id, Closing::Waive, "not needed")
        .unwrap_err();
    assert_eq!(own.code, ErrorCode::ConditionWaiveOwn);
    // Past his desk's check, signed with his own key: the bank refuses it too.
    let mut act = uw_bank_link::api::ConditionAct {
        condition_id: title.condition_id.clone(),
        action: uw_bank_link::api::ConditionAction::Waive,
        author: "bob".into(),
        at: crate::now_rfc3339(),
        text: None,
        owner: None,
        due: None,
        stage: None,
        words: Some("not needed".into()),
        algorithm: Some("ed25519".into()),
        signature: None,
    };
    let sig = two
        .signer()
        .expect("bob's key")
        .sign(&uw_bank_link::api::condition_bytes(CASE, &act))
        .unwrap();
    act.signature = Some(uw_bank_link::signing::to_base64(&sig));
    let e = two
        .bank()
        .unwrap()
        .post_condition(CASE, &act, "own-waiver")
        .unwrap_err();
    assert_eq!(AppError::from(e).code, ErrorCode::ConditionWaiveOwn);
    // His waiver of alice's condition stands.
    two.close_condition(
        CASE,
        &letter.condition_id,
        Closing::Waive,
        "payroll at this bank",
    )
    .unwrap();
    assert!(two.sync().unwrap().refused.is_empty());

    one.sync().unwrap();
    let here = one.conditions(CASE).unwrap();
    let standing: Vec<_> = here
        .iter()
        .map(|c| (c.condition.text.as_str(), c.condition.status, c.waiting))
        .collect();
    assert_eq!(
        standing,
        [
            ("the employer's letter", Status::Waived, false),
            ("the title's copy", Status::Open, false)
        ]
    );
    crate::disbursement::tests::stage_one_facts(&one);
    one.request_lien(CASE).unwrap();
    for _ in 0..50 {
        one.sync().unwrap();
        if one.disbursement(CASE).unwrap().lien.vin_lien == uw_domain::case::LienStatus::Registered
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let view = one.disbursement(CASE).unwrap();
    let view = one.order_disbursement(CASE, view.version, 1).unwrap();
    let report = one.sync().unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(bank.sim.digest().orders.get("1"), Some(&1));
    assert!(view.stages[1]
        .blockers
        .iter()
        .any(|b| b.code == "CONDITION_OPEN" && b.message.contains("the title's copy")));
    // Stage 1 is ordered: a condition for it comes too late.
    let late = one
        .raise_condition(
            CASE,
            &NewCondition {
                text: "x".into(),
                owner: "y".into(),
                due: due.clone(),
                stage: 1,
            },
        )
        .unwrap_err();
    assert_eq!(late.code, ErrorCode::WrongStage);
}

/// The queue as a team uses it: sara, a supervisor, gives alice's case to carol at her own
/// desk; the bank takes it and alice's desk learns it. alice cannot take it back — her
/// desk says so, and so does the bank past her desk — and the bank refuses giving a case
/// to a reviewer; that desk then hears the bank's assignee again.
#[test]
fn a_supervisor_reassigns_at_her_desk_and_the_bank_decides_who_works_a_case() {
    let bank = bank();
    let one = desk_of(&bank, "desk-1", "alice");
    let before = one.case_assignment(CASE).unwrap().assignee;
    let three = desk_of(&bank, "desk-3", "sara");
    let v = three.case_assignment(CASE).unwrap();
    assert!(v.may_reassign && !v.may_claim, "{v:?}");
    assert_eq!(v.assignee, before);
    three.reassign_case(CASE, "carol").unwrap();
    assert!(three.case_assignment(CASE).unwrap().waiting);
    let report = three.sync().unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    let remote = three.bank().unwrap().get_case(CASE).unwrap();
    assert_eq!(remote.assignee.as_deref(), Some("carol"));
    // Her signed assignment sent again (under a new key): it counted once.
    let sent = three
        .outbox_entries()
        .unwrap()
        .into_iter()
        .find(|e| e.kind == crate::assignment::ASSIGNMENT)
        .unwrap();
    let replay: uw_bank_link::api::Assignment = serde_json::from_str(&sent.body).unwrap();
    let e = three
        .bank()
        .unwrap()
        .post_assignment(CASE, &replay, "replayed")
        .unwrap_err();
    assert!(
        matches!(&e, uw_bank_link::LinkError::Rejected { code, .. } if code == "STALE_ASSIGNMENT"),
        "{e:?}"
    );

    one.sync().unwrap();
    let mine = one.case_assignment(CASE).unwrap();
    assert_eq!(mine.assignee.as_deref(), Some("carol"));
    assert!(!mine.may_claim);
    assert_eq!(
        one.claim_case(CASE).unwrap_err().code,
        ErrorCode::AlreadyAssigned
    );
    // Past her desk, signed with her own key: the bank refuses it too.
    let mut claim = uw_bank_link::api::Assignment {
        assignee: "alice".into(),
        by: "alice".into(),
        at: crate::now_rfc3339(),
        expected: Some("carol".into()),
        algorithm: Some("ed25519".into()),
        signature: None,
    };
    let sig = one
        .signer()
        .expect("alice's key")
        .sign(&uw_bank_link::api::assignment_bytes(CASE, &claim))
        .unwrap();
    claim.signature = Some(uw_bank_link::signing::to_base64(&sig));
    let e = one
        .bank()
        .unwrap()
        .post_assignment(CASE, &claim, "alice-takes-it")
        .unwrap_err();
    assert_eq!(AppError::from(e).code, ErrorCode::AlreadyAssigned);

    // bob reviews; he is no underwriter: the bank refuses the case to him, and sara's
    // desk hears carol again.
    three.reassign_case(CASE, "bob").unwrap();
    let report = three.sync().unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert_eq!(
        (
            report.refused[0].code.as_str(),
            report.refused[0].action.as_str()
        ),
        ("ASSIGNEE_NOT_UNDERWRITER", "assign")
    );
    three.sync().unwrap();
    assert_eq!(
        three.case_assignment(CASE).unwrap().assignee.as_deref(),
        Some("carol")
    );
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Edit,
    Submit,
    Approve,
    Reject,
    Return,
    Sync,
}

const PEOPLE: [&str; 4] = ["alice", "bob", "carol", "dave"];
const CASES: [&str; 2] = ["AUTO-2026-000123", "AUTO-2026-000125"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Edit),
        Just(Op::Submit),
        Just(Op::Approve),
        Just(Op::Reject),
        Just(Op::Return),
        Just(Op::Sync),
    ]
}

/// One step of the script: `who` at `desk` does `op` on `case`, through the service as
/// the window would; refusals are part of the game.
fn play(ws: &Workstation, who: &str, op: Op, case: &str, term: u32) {
    if ws.session().map(|s| s.username) != Some(who.to_string()) {
        let _ = ws.logout();
        if ws.login(who, &pw(who), None).is_err() {
            return;
        }
    }
    let Ok(v) = ws.open_case(case) else {
        let _ = ws.sync();
        return;
    };
    let _ = match op {
        Op::Edit => {
            let mut c = v.case.clone();
            c.loan.term_months = term;
            ws.save_case(
                case,
                v.version,
                serde_json::to_value(&c).unwrap_or_default(),
            )
            .map(|_| ())
        }
        Op::Submit => ws
            .submit(
                case,
                v.version,
                ReviewDecision::Approve,
                "as the figures say",
            )
            .map(|_| ()),
        Op::Approve => ws.approve(case, v.version, &pw(who)).map(|_| ()),
        Op::Reject => ws.reject(case, v.version, "no", &pw(who)).map(|_| ()),
        Op::Return => ws.return_case(case, v.version, "see my note").map(|_| ()),
        Op::Sync => ws.sync().map(|_| ()),
    };
    let _ = ws.release_case(case);
}

/// (signer, action) of every statement an outbox entry carried, as the bank accepted or
/// refused it.
fn statements_of(ws: &Workstation) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for e in ws.outbox_entries().unwrap_or_default() {
        let signed = if e.kind == SIGNOFF {
            serde_json::from_str::<SignOff>(&e.body)
                .ok()
                .map(|s| s.statement)
        } else {
            e.statement
                .as_deref()
                .and_then(|s| serde_json::from_str::<crate::statements::Outbound>(s).ok())
                .map(|o| o.signed)
        };
        if let Some(s) = signed {
            out.push((
                e.case_id.clone(),
                s.statement.signer.clone(),
                s.statement.action.as_str().to_string(),
                e.state.clone(),
            ));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]
    /// Random people at random desks doing random things, the bank answering by its
    /// sync: no sign-off the bank accepted was signed by the case's maker or by anyone
    /// whose edit or submission of the case the bank accepted — checked against what the
    /// desks sent and what the bank answered, not against anyone's workflow record.
    #[test]
    fn no_desk_gets_a_sign_off_accepted_from_the_maker_or_an_editor(
        script in proptest::collection::vec(
            (0usize..4, 0usize..3, op(), 0usize..2, 24u32..60), 4..14),
    ) {
        let b = bank();
        let desks: Vec<Workstation> =
            (0..3).map(|i| desk(&b, &format!("desk-{i}"))).collect();
        // Every run starts with a submission at the bank, so that sign-offs have
        // something to be about; the script does the rest.
        let opening = [(0, 0, Op::Sync, 0, 36), (0, 0, Op::Submit, 0, 36), (0, 0, Op::Sync, 0, 36)];
        for (who, at, op, case, term) in opening.into_iter().chain(script) {
            play(&desks[at], PEOPLE[who], op, CASES[case], term);
        }
        for ws in &desks {
            let _ = ws.sync();
        }
        let all: Vec<_> = desks.iter().flat_map(statements_of).collect();
        for (case, signer, action, state) in &all {
            if state != "sent" || !(action == "approve" || action == "reject") {
                continue;
            }
            let shaped = all.iter().any(|(c, s, a, st)| {
                c == case && s == signer && st == "sent" && (a == "edit" || a == "submit")
            });
            prop_assert!(!shaped, "{signer} {action} of {case} accepted after shaping it: {all:?}");
        }
        drop(desks);
        drop(b);
    }
}
