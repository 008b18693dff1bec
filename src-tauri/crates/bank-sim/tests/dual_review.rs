//! The enforcing bank (`assets/spec/dual-review.md`) over 127.0.0.1, through the
//! workstation's own client: a real OpenLDAP directory (the fixture's people and
//! passwords), real Ed25519 keys enrolled through the API, signed statements.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use uw_bank_link::api::{
    content_hash, CaseAck, CaseMessage, Enrolment, MessageKind, Queue, SignOff, SignOffAck,
    SignedStatement, StaffKey, Statement, StatementAction, StatementFigures, STATEMENT_HEADER,
};
use uw_bank_link::signing::{self, sign_statement, Ed25519Signer, Signer};
use uw_bank_link::{Bank, BankConfig, LinkError, StaffAuth};
use uw_bank_sim::{start, Running, SimConfig};
use uw_directory::slapd::{fixture_password, Slapd};

const TOKEN: &str = "demo-bank-token";

struct Bench {
    sim: Running,
    bank: Bank,
    slapd: Slapd,
    dir: tempfile::TempDir,
}

fn demo_cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases")
}

/// The seeded demo queue behind a bank that enforces, with the fixture directory.
fn bench() -> Bench {
    let slapd = Slapd::fixture().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = SimConfig::new(&dir.path().join("bank.db"));
    c.seed_cases = Some(demo_cases());
    c.assign_to = vec!["alice".into(), "carol".into()];
    c.directory = Some(slapd.config());
    let sim = start(c).unwrap();
    assert!(sim.enforcing());
    let bank = Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    Bench {
        sim,
        bank,
        slapd,
        dir,
    }
}

fn idem() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("k-{}", N.fetch_add(1, Ordering::SeqCst))
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn now() -> String {
    stamp(chrono::Utc::now())
}

/// Lets the clock move past the last millisecond stamped.
fn pause() {
    std::thread::sleep(Duration::from_millis(5));
}

/// The bank's own file, for a test that moves its records in time.
fn bank_db(b: &Bench) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(b.dir.path().join("bank.db")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

/// A person at a desk: their staff id and their key.
struct Desk {
    id: &'static str,
    key: Ed25519Signer,
}

fn desk(id: &'static str, seed: u8) -> Desk {
    Desk {
        id,
        key: Ed25519Signer::from_seed(&[seed; 32]),
    }
}

fn enrol(bank: &Bank, d: &Desk) -> StaffKey {
    bank.enrol(
        d.id,
        &Enrolment {
            algorithm: "ed25519".into(),
            public_key: signing::to_base64(&d.key.public_key()),
            password: fixture_password(d.id),
        },
        &idem(),
    )
    .unwrap()
}

struct People {
    alice: Desk,
    bob: Desk,
    carol: Desk,
    dave: Desk,
    admin: Desk,
}

fn people(bank: &Bank) -> People {
    let p = People {
        alice: desk("alice", 1),
        bob: desk("bob", 2),
        carol: desk("carol", 3),
        dave: desk("dave", 4),
        admin: desk("admin", 5),
    };
    for d in [&p.alice, &p.bob, &p.carol, &p.dave, &p.admin] {
        enrol(bank, d);
    }
    p
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

fn statement(
    case_id: &str,
    version: i64,
    hash: &str,
    action: StatementAction,
    signer: &str,
    signed_at: &str,
) -> Statement {
    Statement {
        case_id: case_id.into(),
        version,
        content_hash: hash.into(),
        action,
        figures: (action != StatementAction::Edit).then(figures),
        signer: signer.into(),
        signed_at: signed_at.into(),
    }
}

fn sign(d: &Desk, s: Statement) -> SignedStatement {
    sign_statement(&d.key, s).unwrap()
}

/// The bank's case with one change (the loan's term), as the next version's text.
fn changed(bank: &Bank, case_id: &str, term: u32) -> (i64, String) {
    let remote = bank.get_case(case_id).unwrap();
    let mut case = remote.case;
    case["loan"]["term_months"] = term.into();
    (remote.version, serde_json::to_string(&case).unwrap())
}

/// A signed edit or submit of the bank's current version, signed now.
fn shape(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    term: u32,
) -> Result<CaseAck, LinkError> {
    shape_at(bank, d, case_id, action, term, &now())
}

fn shape_at(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    term: u32,
    signed_at: &str,
) -> Result<CaseAck, LinkError> {
    shape_with(bank, d, case_id, action, signed_at, |case| {
        case["loan"]["term_months"] = term.into();
    })
}

/// A signed edit or submit of the bank's current version with this change.
fn shape_with(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    signed_at: &str,
    change: impl FnOnce(&mut Value),
) -> Result<CaseAck, LinkError> {
    let (base, text, s) = signed_version(bank, d, case_id, action, signed_at, change);
    push(bank, case_id, base, &text, &s)
}

/// The bank's current version with a change, and its author's signed statement (not sent).
fn signed_version(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    signed_at: &str,
    change: impl FnOnce(&mut Value),
) -> (i64, String, SignedStatement) {
    let remote = bank.get_case(case_id).unwrap();
    let mut case = remote.case;
    change(&mut case);
    let text = serde_json::to_string(&case).unwrap();
    let hash = content_hash(&text).unwrap();
    let s = sign(
        d,
        statement(case_id, remote.version + 1, &hash, action, d.id, signed_at),
    );
    (remote.version, text, s)
}

/// Sends a case version with its statement (a submit with its justification and
/// proposal), under a new Idempotency-Key.
fn push(
    bank: &Bank,
    case_id: &str,
    base: i64,
    text: &str,
    s: &SignedStatement,
) -> Result<CaseAck, LinkError> {
    let submit = s.statement.action == StatementAction::Submit;
    bank.put_case_with(
        case_id,
        text,
        Some(base),
        &idem(),
        Some(s),
        submit.then_some("Stable salary; «DTI» within the limit"),
        submit.then_some("approve"),
    )
}

/// alice edits then submits; the submitted bank version.
fn submit(bank: &Bank, d: &Desk, case_id: &str) -> CaseAck {
    shape(bank, d, case_id, StatementAction::Edit, 48).unwrap();
    shape(bank, d, case_id, StatementAction::Submit, 42).unwrap()
}

fn sign_off(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    on: &CaseAck,
    comment: Option<&str>,
) -> Result<SignOffAck, LinkError> {
    sign_off_at(bank, d, case_id, action, on, comment, &now())
}

fn sign_off_at(
    bank: &Bank,
    d: &Desk,
    case_id: &str,
    action: StatementAction,
    on: &CaseAck,
    comment: Option<&str>,
    signed_at: &str,
) -> Result<SignOffAck, LinkError> {
    let s = sign(
        d,
        statement(case_id, on.version, &on.hash, action, d.id, signed_at),
    );
    bank.sign_off(
        case_id,
        &SignOff {
            statement: s,
            comment: comment.map(str::to_string),
        },
        &idem(),
    )
}

fn inbox(bank: &Bank, d: &Desk) -> Result<Queue, LinkError> {
    let at = now();
    let signature = d
        .key
        .sign(&signing::request_bytes("inbox", d.id, &at))
        .unwrap();
    bank.inbox(&StaffAuth {
        staff_id: d.id.into(),
        at,
        signature: signing::to_base64(&signature),
    })
}

fn ids(q: &Queue) -> Vec<&str> {
    q.applications.iter().map(|a| a.case_id.as_str()).collect()
}

/// The refusal's status, code and message (503s carry no code: "").
#[track_caller]
fn refused<T: std::fmt::Debug>(r: Result<T, LinkError>) -> (u16, String, String) {
    match r {
        Err(LinkError::Rejected {
            status,
            code,
            message,
        }) => (status, code, message),
        Err(LinkError::Unavailable { status, message }) => (status, String::new(), message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[track_caller]
fn code<T: std::fmt::Debug>(r: Result<T, LinkError>) -> String {
    refused(r).1
}

#[test]
fn enrolment_checks_the_directory_password_and_a_new_key_revokes_the_old() {
    let b = bench();
    let alice = desk("alice", 1);
    let first = enrol(&b.bank, &alice);
    assert_eq!(first.staff_id, "alice");
    assert_eq!(first.revoked_at, None);
    assert_eq!(b.bank.staff_key("alice").unwrap(), first);
    // The very same key again: the current one (200), nothing revoked.
    assert_eq!(enrol(&b.bank, &alice), first);
    let again = serde_json::json!({"algorithm": "ed25519", "password": fixture_password("alice"),
        "public_key": signing::to_base64(&alice.key.public_key())});
    let (status, body) = raw(
        &b.sim,
        &format!(
            "POST /v1/staff/alice/keys HTTP/1.1\r\nIdempotency-Key: {}",
            idem()
        ),
        again.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<StaffKey>(&body).unwrap(), first);
    assert_eq!(b.bank.staff_key("alice").unwrap(), first);

    let try_enrol = |id: &str, algorithm: &str, key: String, password: &str| {
        b.bank.enrol(
            id,
            &Enrolment {
                algorithm: algorithm.into(),
                public_key: key,
                password: password.into(),
            },
            &idem(),
        )
    };
    let other_key = signing::to_base64(&desk("x", 77).key.public_key());
    for (id, password, expect) in [
        ("alice", "wrong-password", "AUTH_FAILED"),
        ("alice", "", "AUTH_FAILED"),
        ("nobody", "nobody-demo-2026", "AUTH_FAILED"),
        ("erin", "erin-demo-2026", "ACCOUNT_DISABLED"),
    ] {
        let (status, c, message) = refused(try_enrol(id, "ed25519", other_key.clone(), password));
        assert_eq!((status, c.as_str()), (403, expect), "{id}: {message}");
        assert!(
            !message.contains(password) || password.is_empty(),
            "{message}"
        );
    }
    for (algorithm, key) in [
        ("rsa", other_key.clone()),
        ("ed25519", "AAAA".to_string()),
        ("ed25519", "not base64!".to_string()),
    ] {
        let r = try_enrol("alice", algorithm, key, "alice-demo-2026");
        assert_eq!(refused(r).0, 422);
    }
    // Nothing above changed alice's key; bob has none.
    assert_eq!(b.bank.staff_key("alice").unwrap(), first);
    let (status, c, _) = refused(b.bank.staff_key("bob"));
    assert_eq!((status, c.as_str()), (404, "KEY_UNKNOWN"));

    // A second key revokes the first: statements signed (dated) before the revocation
    // — and after the version they act on was stored — stay valid, later ones do not.
    let before = now();
    pause();
    let alice2 = desk("alice", 11);
    let second = enrol(&b.bank, &alice2);
    assert_ne!(second.public_key, first.public_key);
    assert_eq!(b.bank.staff_key("alice").unwrap(), second);
    let id = "AUTO-2026-000123";
    shape_at(&b.bank, &alice, id, StatementAction::Edit, 40, &before).unwrap();
    let (status, c, message) = refused(shape(&b.bank, &alice, id, StatementAction::Edit, 41));
    assert_eq!((status, c.as_str()), (403, "KEY_REVOKED"), "{message}");
    assert!(message.contains("revoked at"), "{message}");
    shape(&b.bank, &alice2, id, StatementAction::Edit, 41).unwrap();
    // Someone else's key does not sign for alice.
    let (_, c, _) = refused(shape(
        &b.bank,
        &desk("alice", 99),
        id,
        StatementAction::Edit,
        43,
    ));
    assert_eq!(c, "SIGNATURE_INVALID");

    // The password is nowhere in the bank's files.
    drop(b.sim);
    for f in std::fs::read_dir(b.dir.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        let needle = fixture_password("alice");
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "the password is stored"
        );
    }
}

#[test]
fn a_case_goes_from_its_maker_to_a_reviewer_and_the_bank_writes_the_review() {
    let b = bench();
    let p = people(&b.bank);
    let (bank, id) = (&b.bank, "AUTO-2026-000123");
    let seeded_keys: Vec<String> = bank
        .get_case(id)
        .unwrap()
        .case
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();

    // Without a statement, no version.
    let (base, text) = changed(bank, id, 48);
    let (status, c, message) = refused(bank.put_case(id, &text, Some(base), &idem(), None));
    assert_eq!((status, c.as_str()), (403, "SIGNATURE_INVALID"));
    assert!(message.contains("signed statement"), "{message}");

    let submitted = submit(bank, &p.alice, id);
    assert_eq!(submitted.version, 3);
    let remote = bank.get_case(id).unwrap();
    let wf = remote.workflow.clone().unwrap();
    assert_eq!(wf.stage, "submitted");
    assert_eq!(wf.maker.as_deref(), Some("alice"));
    assert_eq!(wf.editors, ["alice"]);
    let sub = wf.submission.unwrap();
    assert_eq!(
        (sub.version, sub.hash.as_str()),
        (3, submitted.hash.as_str())
    );
    assert_eq!(sub.justification, "Stable salary; «DTI» within the limit");
    assert_eq!(sub.proposal.as_deref(), Some("approve"));
    assert_eq!(sub.statement.statement.action, StatementAction::Submit);
    assert!(wf.decided.is_none());

    // carol submits another case of the branch.
    let carols = "AUTO-2026-000124";
    let carols_sub = submit(bank, &p.carol, carols);

    // The inboxes: bob sees both, carol only alice's, alice has no reviewer role.
    let bobs = inbox(bank, &p.bob).unwrap();
    assert_eq!(ids(&bobs), [id, carols]);
    assert!(bobs
        .applications
        .iter()
        .all(|a| a.workflow.as_ref().is_some_and(|w| w.stage == "submitted")));
    assert_eq!(ids(&inbox(bank, &p.carol).unwrap()), [id]);
    assert_eq!(code(inbox(bank, &p.alice)), "ROLE_MISSING");
    assert_eq!(code(inbox(bank, &p.admin)), "ROLE_MISSING");

    // The spec's refusals.
    let approve = StatementAction::Approve;
    let (status, c, _) = refused(sign_off(bank, &p.carol, carols, approve, &carols_sub, None));
    assert_eq!((status, c.as_str()), (403, "SELF_REVIEW"));
    assert_eq!(
        code(sign_off(bank, &p.alice, carols, approve, &carols_sub, None)),
        "ROLE_MISSING"
    );
    assert_eq!(
        code(sign_off(bank, &p.admin, id, approve, &submitted, None)),
        "ROLE_MISSING"
    );
    let other_hash = CaseAck {
        hash: content_hash("{\"other\":1}").unwrap(),
        ..submitted.clone()
    };
    let (status, c, _) = refused(sign_off(bank, &p.bob, id, approve, &other_hash, None));
    assert_eq!((status, c.as_str()), (409, "HASH_MISMATCH"));
    let mut tampered = sign(
        &p.bob,
        statement(id, 3, &submitted.hash, approve, "bob", &now()),
    );
    let mut sig = signing::from_base64(&tampered.signature).unwrap();
    sig[5] ^= 0x40;
    tampered.signature = signing::to_base64(&sig);
    let tampered = SignOff {
        statement: tampered,
        comment: None,
    };
    assert_eq!(
        code(bank.sign_off(id, &tampered, &idem())),
        "SIGNATURE_INVALID"
    );
    let (status, c, message) = refused(shape(bank, &p.alice, id, StatementAction::Edit, 50));
    assert_eq!(
        (status, c.as_str()),
        (409, "CASE_UNDER_REVIEW"),
        "{message}"
    );
    let (status, c, _) = refused(sign_off(
        bank,
        &p.bob,
        "AUTO-2026-000126",
        approve,
        &CaseAck {
            case_id: "AUTO-2026-000126".into(),
            version: 1,
            hash: bank.get_case("AUTO-2026-000126").unwrap().hash,
        },
        None,
    ));
    assert_eq!((status, c.as_str()), (409, "NOT_SUBMITTED"));
    let (status, c, _) = refused(sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Reject,
        &submitted,
        None,
    ));
    assert_eq!((status, c.as_str()), (422, "COMMENT_REQUIRED"));
    // A disbursement order of a case not approved; decisions as messages are refused.
    let order = |d: &Desk, case_id: &str, stage: u8, hash: &str| {
        let action = if stage == 1 {
            StatementAction::OrderStage1
        } else {
            StatementAction::OrderStage2
        };
        let s = sign(d, statement(case_id, 9, hash, action, d.id, &now()));
        CaseMessage {
            kind: MessageKind::DisbursementOrder,
            body: serde_json::json!({"stage": stage, "amount": "75000000.00",
                                     "vin": "XWBJA69V9LA123456", "statement": s}),
        }
    };
    let (status, c, _) = refused(bank.post_message(
        carols,
        &order(&p.carol, carols, 1, &carols_sub.hash),
        &idem(),
    ));
    assert_eq!((status, c.as_str()), (409, "NOT_APPROVED"));
    let review_msg = CaseMessage {
        kind: MessageKind::Review,
        body: serde_json::json!({"decision": "approve"}),
    };
    let (status, c, message) = refused(bank.post_message(id, &review_msg, &idem()));
    assert_eq!((status, c.as_str()), (409, "USE_SIGNOFFS"), "{message}");

    // bob approves: a new bank version carrying the review block, keys in order, in place.
    let key = idem();
    let s = sign(
        &p.bob,
        statement(id, 3, &submitted.hash, approve, "bob", &now()),
    );
    let signoff = SignOff {
        statement: s.clone(),
        comment: None,
    };
    let ack = bank.sign_off(id, &signoff, &key).unwrap();
    // A repeat of the same request is answered the same, not ALREADY_DECIDED.
    assert_eq!(bank.sign_off(id, &signoff, &key).unwrap(), ack);
    assert_eq!(
        (ack.action, ack.signer.as_str(), ack.version),
        (approve, "bob", 4)
    );
    let remote = bank.get_case(id).unwrap();
    assert_eq!(
        (remote.version, remote.hash.as_str()),
        (4, ack.hash.as_str())
    );
    assert_eq!(
        remote.case["review"].to_string(),
        format!(
            "{{\"decision\":\"approve\",\"maker\":\"alice\",\"checker\":\"bob\",\"signed_at\":\"{}\",\"case_version\":3}}",
            s.statement.signed_at
        )
    );
    let keys: Vec<String> = remote.case.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, seeded_keys);
    assert_eq!(content_hash(&remote.case.to_string()).unwrap(), remote.hash);
    let queue = bank.queue(None, None).unwrap();
    let row = queue.applications.iter().find(|a| a.case_id == id).unwrap();
    let wf = row.workflow.as_ref().unwrap();
    assert_eq!(wf.stage, "approved");
    let decided = wf.decided.as_ref().unwrap();
    assert_eq!((decided.signer.as_str(), decided.action), ("bob", approve));
    assert!(queue.applications.iter().all(|a| a.workflow.is_some()));
    assert_eq!(ids(&inbox(bank, &p.bob).unwrap()), [carols]);
    let bxm = bank
        .portfolio()
        .unwrap()
        .branches
        .into_iter()
        .find(|x| x.branch == "BXM-07")
        .unwrap();
    assert_eq!(bxm.approved, 1);

    // After the approval the terms are closed: an edit of the term is refused; the
    // disbursement's evidence is accepted (the orders it records); a submit is not.
    let (status, c, message) = refused(shape(bank, &p.alice, id, StatementAction::Edit, 44));
    assert_eq!((status, c.as_str()), (409, "CASE_DECIDED"), "{message}");
    assert!(message.contains("(field loan differs)"), "{message}");
    let evidence = shape_with(bank, &p.alice, id, StatementAction::Edit, &now(), |case| {
        case["disbursement"] = serde_json::json!({"orders": [
            {"stage": 1, "amount": "75000000.00"},
            {"stage": 2, "amount": "75000000.00"}
        ]});
    })
    .unwrap();
    assert_ne!(evidence.hash, ack.hash);
    assert_eq!(
        bank.get_case(id).unwrap().workflow.unwrap().stage,
        "approved"
    );
    let (status, c, message) = refused(shape(bank, &p.alice, id, StatementAction::Submit, 42));
    assert_eq!((status, c.as_str()), (409, "ALREADY_DECIDED"));
    assert!(message.contains("bob signed approve at"), "{message}");
    // An order of the approved case names its current version's hash.
    let stale = order(&p.alice, id, 1, &ack.hash);
    assert_eq!(
        code(bank.post_message(id, &stale, &idem())),
        "HASH_MISMATCH"
    );
    bank.post_message(id, &order(&p.alice, id, 1, &evidence.hash), &idem())
        .unwrap();
    let (_, c, _) = refused(bank.post_message(id, &order(&p.bob, id, 1, &evidence.hash), &idem()));
    assert_eq!(c, "ROLE_MISSING");
    let unsigned = CaseMessage {
        kind: MessageKind::DisbursementOrder,
        body: serde_json::json!({"stage": 1, "amount": "75000000.00"}),
    };
    assert_eq!(
        code(bank.post_message(id, &unsigned, &idem())),
        "SIGNATURE_INVALID"
    );
    // Stage 2 waits for the registered prohibition, as in the standalone bank.
    let (status, c, _) =
        refused(bank.post_message(id, &order(&p.alice, id, 2, &evidence.hash), &idem()));
    assert_eq!((status, c.as_str()), (409, "LIEN_NOT_REGISTERED"));
}

#[test]
fn a_reviewer_who_edited_the_draft_never_signs_it_off_not_even_after_losing_the_role() {
    let b = bench();
    let p = people(&b.bank);
    let (bank, id) = (&b.bank, "AUTO-2026-000123");
    // dave is a reviewer only: his edit needs the underwriter role.
    assert_eq!(
        code(shape(bank, &p.dave, id, StatementAction::Edit, 40)),
        "ROLE_MISSING"
    );
    b.slapd.set_role("dave", "underwriter", true).unwrap();
    shape(bank, &p.dave, id, StatementAction::Edit, 40).unwrap();
    b.slapd.set_role("dave", "underwriter", false).unwrap();
    let submitted = submit(bank, &p.alice, id);
    let wf = bank.get_case(id).unwrap().workflow.unwrap();
    assert_eq!(wf.editors, ["alice", "dave"]);
    assert!(inbox(bank, &p.dave).unwrap().applications.is_empty());
    let (status, c, message) = refused(sign_off(
        bank,
        &p.dave,
        id,
        StatementAction::Approve,
        &submitted,
        None,
    ));
    assert_eq!((status, c.as_str()), (403, "EDITOR_REVIEW"), "{message}");
    // The administrator holds no waiver either, even given the reviewer role once it has
    // edited: roles are looked up, history is kept.
    b.slapd.set_role("admin", "underwriter", true).unwrap();
    b.slapd.set_role("admin", "reviewer", true).unwrap();
    let other = "AUTO-2026-000126";
    shape(bank, &p.admin, other, StatementAction::Edit, 40).unwrap();
    let other_sub = submit(bank, &p.alice, other);
    assert_eq!(
        code(sign_off(
            bank,
            &p.admin,
            other,
            StatementAction::Approve,
            &other_sub,
            None
        )),
        "EDITOR_REVIEW"
    );
    sign_off(
        bank,
        &p.bob,
        other,
        StatementAction::Approve,
        &other_sub,
        None,
    )
    .unwrap();

    // A disabled reviewer, a removed one: no role.
    b.slapd.disable("bob").unwrap();
    let (status, c, message) = refused(sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Approve,
        &submitted,
        None,
    ));
    assert_eq!((status, c.as_str()), (403, "ROLE_MISSING"));
    assert!(message.contains("disabled"), "{message}");
}

#[test]
fn two_reviewers_racing_on_one_submission_one_wins_and_the_other_is_told_who() {
    let b = bench();
    let p = people(&b.bank);
    for id in ["AUTO-2026-000123", "AUTO-2026-000124", "AUTO-2026-000126"] {
        let submitted = submit(&b.bank, &p.alice, id);
        let barrier = std::sync::Barrier::new(2);
        let url = b.sim.url();
        let results: Vec<(String, Result<SignOffAck, LinkError>)> = std::thread::scope(|s| {
            let handles: Vec<_> = [&p.bob, &p.dave]
                .into_iter()
                .map(|d| {
                    let (barrier, submitted, url) = (&barrier, &submitted, url.clone());
                    s.spawn(move || {
                        let bank = Bank::new(BankConfig::new(&url, TOKEN)).unwrap();
                        let st = sign(
                            d,
                            statement(
                                id,
                                submitted.version,
                                &submitted.hash,
                                StatementAction::Approve,
                                d.id,
                                &now(),
                            ),
                        );
                        let body = SignOff {
                            statement: st,
                            comment: None,
                        };
                        barrier.wait();
                        (d.id.to_string(), bank.sign_off(id, &body, &idem()))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            results.iter().filter(|r| r.1.is_ok()).count(),
            1,
            "{results:?}"
        );
        let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.1.is_ok());
        let winner = &won[0].0;
        let ack = won[0].1.as_ref().unwrap();
        let lost = lost.into_iter().next().unwrap();
        let (status, c, message) = refused(lost.1);
        assert_eq!((status, c.as_str()), (409, "ALREADY_DECIDED"), "{message}");
        let named = format!("{winner} signed approve at {}", ack.signed_at);
        assert!(message.contains(&named), "{message} / {named}");
        let remote = b.bank.get_case(id).unwrap();
        assert_eq!(remote.version, submitted.version + 1);
        assert_eq!(remote.case["review"]["checker"], winner.as_str());
    }
}

#[test]
fn a_returned_case_goes_back_to_its_maker_and_an_old_hash_is_stale() {
    let b = bench();
    let p = people(&b.bank);
    let (bank, id) = (&b.bank, "AUTO-2026-000123");
    let first = submit(bank, &p.alice, id);
    let ret = sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Return,
        &first,
        Some("the May payslip is missing"),
    )
    .unwrap();
    assert_eq!(
        (ret.version, ret.hash.as_str()),
        (first.version, first.hash.as_str())
    );
    let wf = bank.get_case(id).unwrap().workflow.unwrap();
    assert_eq!(wf.stage, "returned");
    assert_eq!(
        wf.decided.unwrap().comment.as_deref(),
        Some("the May payslip is missing")
    );
    let (_, c, message) = refused(sign_off(
        bank,
        &p.dave,
        id,
        StatementAction::Approve,
        &first,
        None,
    ));
    // A second sign-off of the returned submission: decided, naming who returned it.
    assert_eq!(c, "ALREADY_DECIDED");
    assert!(
        message.contains(&format!("bob signed return at {}", ret.signed_at)),
        "{message}"
    );
    assert!(inbox(bank, &p.bob).unwrap().applications.is_empty());
    // Only the maker resubmits; an edit keeps the case returned.
    assert_eq!(
        code(shape(bank, &p.carol, id, StatementAction::Submit, 44)),
        "NOT_THE_MAKER"
    );
    shape(bank, &p.alice, id, StatementAction::Edit, 45).unwrap();
    assert_eq!(
        bank.get_case(id).unwrap().workflow.unwrap().stage,
        "returned"
    );
    let second = shape(bank, &p.alice, id, StatementAction::Submit, 46).unwrap();
    let wf = bank.get_case(id).unwrap().workflow.unwrap();
    assert_eq!(wf.stage, "submitted");
    assert_eq!(wf.submission.unwrap().version, second.version);
    let (status, c, _) = refused(sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Approve,
        &first,
        None,
    ));
    assert_eq!((status, c.as_str()), (409, "HASH_MISMATCH"));
    // bob enrols a new key: his old one signs nothing from now on.
    enrol(bank, &desk("bob", 22));
    let old_key = sign_off(bank, &p.bob, id, StatementAction::Approve, &second, None);
    assert_eq!(refused(old_key).1, "KEY_REVOKED");
    let p = People {
        bob: desk("bob", 22),
        ..p
    };
    let ack = sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Reject,
        &second,
        Some("DTI"),
    )
    .unwrap();
    assert_eq!(ack.version, second.version + 1);
    let remote = bank.get_case(id).unwrap();
    assert_eq!(remote.case["review"]["decision"], "reject");
    assert_eq!(remote.case["review"]["case_version"], second.version);
    assert_eq!(remote.workflow.unwrap().stage, "rejected");
}

/// One request written by hand: (status, body), or None when the server closed the
/// connection without an answer.
fn raw(sim: &Running, head: &str, body: &[u8]) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(sim.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "{head}\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        sim.addr,
        body.len()
    );
    let _ = s
        .write_all(request.as_bytes())
        .and_then(|()| s.write_all(body));
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    Some((status, body))
}

fn error_code(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn hostile_statements_and_requests_are_refusals_never_panics() {
    let b = bench();
    let p = people(&b.bank);
    let id = "AUTO-2026-000123";
    let (base, text) = changed(&b.bank, id, 48);
    let hash = content_hash(&text).unwrap();
    let put = |statement_header: &str| {
        raw(
            &b.sim,
            &format!("PUT /v1/cases/{id} HTTP/1.1\r\nIdempotency-Key: {}\r\nIf-Match: \"{base}\"\r\n{STATEMENT_HEADER}: {statement_header}", idem()),
            text.as_bytes(),
        )
        .unwrap()
    };
    let good = sign(
        &p.alice,
        statement(id, base + 1, &hash, StatementAction::Edit, "alice", &now()),
    );
    let b64 = |v: &Value| signing::to_base64(v.to_string().as_bytes());
    let mut extra = serde_json::to_value(&good).unwrap();
    extra["statement"]["note"] = "x".into();
    let mut extra_outer = serde_json::to_value(&good).unwrap();
    extra_outer["role"] = "administrator".into();
    let another_case = sign(
        &p.alice,
        statement(
            "AUTO-2026-000124",
            base + 1,
            &hash,
            StatementAction::Edit,
            "alice",
            &now(),
        ),
    );
    let future = stamp(chrono::Utc::now() + chrono::Duration::minutes(30));
    let ahead = sign(
        &p.alice,
        statement(id, base + 1, &hash, StatementAction::Edit, "alice", &future),
    );
    let as_approve = sign(
        &p.alice,
        statement(
            id,
            base + 1,
            &hash,
            StatementAction::Approve,
            "alice",
            &now(),
        ),
    );
    for (what, header) in [
        ("garbage base64", "%%%not-base64%%%".to_string()),
        ("base64 of not JSON", signing::to_base64(b"\x00\xffhello")),
        ("JSON of another shape", signing::to_base64(b"[1,2,3]")),
        ("an unknown key in the statement", b64(&extra)),
        ("an unknown key beside it", b64(&extra_outer)),
        (
            "another case's statement",
            b64(&serde_json::to_value(&another_case).unwrap()),
        ),
        (
            "dated 30 minutes ahead",
            b64(&serde_json::to_value(&ahead).unwrap()),
        ),
        (
            "a sign-off as a version",
            b64(&serde_json::to_value(&as_approve).unwrap()),
        ),
    ] {
        let (status, body) = put(&header);
        assert_eq!(
            (status, error_code(&body).as_str()),
            (403, "SIGNATURE_INVALID"),
            "{what}: {body}"
        );
    }
    // A justification that is not base64 of UTF-8.
    let (status, body) = raw(
        &b.sim,
        &format!(
            "PUT /v1/cases/{id} HTTP/1.1\r\nIdempotency-Key: {}\r\nIf-Match: \"{base}\"\r\n{STATEMENT_HEADER}: {}\r\nUW-Justification: {}",
            idem(),
            b64(&serde_json::to_value(&good).unwrap()),
            signing::to_base64(&[0xff, 0xfe])
        ),
        text.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (status, error_code(&body).as_str()),
        (422, "INVALID_JUSTIFICATION")
    );
    // A 10 MB header is refused before any handler sees it.
    let huge = "A".repeat(10 * 1024 * 1024);
    match raw(
        &b.sim,
        &format!("PUT /v1/cases/{id} HTTP/1.1\r\nIdempotency-Key: x\r\n{STATEMENT_HEADER}: {huge}"),
        text.as_bytes(),
    ) {
        None => {}
        Some((status, _)) => assert!((400..500).contains(&status), "{status}"),
    }
    // Sign-offs: bodies that are not a sign-off.
    for body in [
        "",
        "{",
        "[]",
        "{\"statement\": 1}",
        "{\"statement\": null, \"comment\": \"x\", \"extra\": 1}",
    ] {
        let (status, answer) = raw(
            &b.sim,
            &format!("POST /v1/cases/{id}/signoffs HTTP/1.1\r\nIdempotency-Key: {}\r\nContent-Type: application/json", idem()),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            (status, error_code(&answer).as_str()),
            (403, "SIGNATURE_INVALID"),
            "{body}"
        );
    }
    // Enrolment bodies that are not an enrolment.
    let (status, answer) = raw(
        &b.sim,
        &format!(
            "POST /v1/staff/alice/keys HTTP/1.1\r\nIdempotency-Key: {}",
            idem()
        ),
        b"{\"algorithm\": \"ed25519\"}",
    )
    .unwrap();
    assert_eq!(
        (status, error_code(&answer).as_str()),
        (422, "INVALID_ENROLMENT")
    );
    // Inbox requests: unsigned, stale, signed by another key, by someone with no key.
    let inbox_req = |staff: &str, at: &str, signature: &str| {
        raw(
            &b.sim,
            &format!("GET /v1/inbox HTTP/1.1\r\nUW-Staff: {staff}\r\nUW-Staff-At: {at}\r\nUW-Staff-Signature: {signature}"),
            b"",
        )
        .unwrap()
    };
    let signed_by = |d: &Desk, staff: &str, at: &str| {
        signing::to_base64(
            &d.key
                .sign(&signing::request_bytes("inbox", staff, at))
                .unwrap(),
        )
    };
    let old = stamp(chrono::Utc::now() - chrono::Duration::minutes(10));
    let at = now();
    for (staff, at, sig, expect) in [
        ("bob", at.as_str(), "", "SIGNATURE_INVALID"),
        (
            "bob",
            old.as_str(),
            signed_by(&p.bob, "bob", &old).as_str(),
            "SIGNATURE_INVALID",
        ),
        (
            "bob",
            at.as_str(),
            signed_by(&p.carol, "bob", &at).as_str(),
            "SIGNATURE_INVALID",
        ),
        ("bob", at.as_str(), "@@@", "SIGNATURE_INVALID"),
        (
            "erin",
            at.as_str(),
            signed_by(&p.bob, "erin", &at).as_str(),
            "KEY_UNKNOWN",
        ),
    ] {
        let (status, body) = inbox_req(staff, at, sig);
        assert_eq!(
            (status, error_code(&body).as_str()),
            (403, expect),
            "{staff} {at} {sig}"
        );
    }
    assert_eq!(inbox_req("bob", &at, &signed_by(&p.bob, "bob", &at)).0, 200);
    // Through all of it the bank kept nothing and still answers.
    let remote = b.bank.get_case(id).unwrap();
    assert_eq!(remote.version, base);
    assert_eq!(remote.workflow.unwrap().stage, "draft");
}

#[test]
fn a_directory_that_cannot_be_asked_is_503_and_changes_nothing() {
    let mut b = bench();
    let alice = desk("alice", 1);
    enrol(&b.bank, &alice);
    let id = "AUTO-2026-000123";
    b.slapd.stop();
    let (status, _, message) = refused(shape(&b.bank, &alice, id, StatementAction::Edit, 40));
    assert_eq!(status, 503, "{message}");
    let r = b.bank.enrol(
        "bob",
        &Enrolment {
            algorithm: "ed25519".into(),
            public_key: signing::to_base64(&desk("bob", 2).key.public_key()),
            password: fixture_password("bob"),
        },
        &idem(),
    );
    assert_eq!(refused(r).0, 503);
    assert_eq!(b.bank.get_case(id).unwrap().version, 1);
    b.slapd.restart().unwrap();
    shape(&b.bank, &alice, id, StatementAction::Edit, 40).unwrap();
    assert_eq!(b.bank.get_case(id).unwrap().version, 2);
}

#[test]
fn a_standalone_bank_keeps_no_workflow_and_has_no_enforcing_routes() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = SimConfig::new(&dir.path().join("bank.db"));
    c.seed_cases = Some(demo_cases());
    let sim = start(c).unwrap();
    assert!(!sim.enforcing());
    let bank = Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    assert!(bank
        .queue(None, None)
        .unwrap()
        .applications
        .iter()
        .all(|a| a.workflow.is_none()));
    let id = "AUTO-2026-000123";
    let (base, text) = changed(&bank, id, 48);
    bank.put_case(id, &text, Some(base), &idem(), None).unwrap();
    assert!(bank.get_case(id).unwrap().workflow.is_none());
    let alice = desk("alice", 1);
    let e = Enrolment {
        algorithm: "ed25519".into(),
        public_key: signing::to_base64(&alice.key.public_key()),
        password: fixture_password("alice"),
    };
    assert_eq!(refused(bank.enrol("alice", &e, &idem())).1, "STANDALONE");
    assert_eq!(code(inbox(&bank, &alice)), "STANDALONE");
    let (status, c, _) = refused(bank.staff_key("alice"));
    assert_eq!((status, c.as_str()), (404, "KEY_UNKNOWN"));
}

#[test]
fn the_binary_names_a_bad_directory_file_and_says_which_mode_it_runs_in() {
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_uw-bank-sim");
    let bad = dir.path().join("directory.json");
    std::fs::write(&bad, "{\"url\": 1}").unwrap();
    for file in [bad.clone(), dir.path().join("absent.json")] {
        let out = std::process::Command::new(exe)
            .args(["--port", "0", "--db"])
            .arg(dir.path().join("bank.db"))
            .arg("--directory")
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&file.display().to_string()), "{err}");
    }
    let slapd = Slapd::fixture().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, serde_json::to_string(&slapd.config()).unwrap()).unwrap();
    for (extra, expect) in [
        (
            Some(&good),
            format!(
                "enforcing signed statements (directory {})",
                slapd.config().url
            ),
        ),
        (None, "standalone".to_string()),
    ] {
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["--port", "0", "--db"])
            .arg(dir.path().join("bank.db"));
        if let Some(f) = extra {
            cmd.arg("--directory").arg(f);
        }
        let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            line.starts_with("uw-bank-sim listening on http://127.0.0.1:"),
            "{line}"
        );
        assert!(line.contains(&expect), "{line}");
    }
}

/// A disbursement order of `stage` for `amount`, signed by `d` about the version `hash`.
fn order_of(d: &Desk, case_id: &str, stage: u8, amount: &str, hash: &str) -> CaseMessage {
    let action = if stage == 1 {
        StatementAction::OrderStage1
    } else {
        StatementAction::OrderStage2
    };
    let s = sign(d, statement(case_id, 9, hash, action, d.id, &now()));
    CaseMessage {
        kind: MessageKind::DisbursementOrder,
        body: serde_json::json!({"stage": stage, "amount": amount,
                                 "vin": "XWBJA69V9LA123456", "statement": s}),
    }
}

#[test]
fn a_revoked_key_counts_only_after_the_version_it_acts_on_and_within_72_hours() {
    let b = bench();
    let p = people(&b.bank);
    let bank = &b.bank;
    let approve = StatementAction::Approve;
    let (first, second) = ("AUTO-2026-000123", "AUTO-2026-000124");
    let before_submit = now();
    pause();
    let sub_first = submit(bank, &p.alice, first);
    let sub_second = submit(bank, &p.alice, second);
    pause();
    let between = now();
    pause();
    // bob enrols a new key at another desk: his first key is revoked now.
    enrol(bank, &desk("bob", 22));
    // Dated before the revocation, but before the submitted version existed: backdated.
    let (status, c, message) = refused(sign_off_at(
        bank,
        &p.bob,
        first,
        approve,
        &sub_first,
        None,
        &before_submit,
    ));
    assert_eq!((status, c.as_str()), (403, "KEY_REVOKED"), "{message}");
    assert!(
        message.contains(&format!(
            "before the bank stored version {} of case {first}",
            sub_first.version
        )),
        "{message}"
    );
    // Dated after it and before the revocation, sent soon after: bob's own offline
    // sign-off counts.
    let ack = sign_off_at(bank, &p.bob, first, approve, &sub_first, None, &between).unwrap();
    assert_eq!(ack.signed_at, between);
    // Signed after the revocation: refused, as before.
    assert_eq!(
        code(sign_off(bank, &p.bob, second, approve, &sub_second, None)),
        "KEY_REVOKED"
    );

    // The bank's records as they would stand days later: the version stored 75 hours ago,
    // the key revoked 73 hours ago, a sign-off dated 74 hours ago arriving now.
    let ago = |hours: i64| stamp(chrono::Utc::now() - chrono::Duration::hours(hours));
    let db = bank_db(&b);
    let set_revoked = |at: &str| {
        db.execute(
            "UPDATE staff_keys SET revoked_at = ?1 WHERE staff_id = 'bob' AND revoked_at IS NOT NULL",
            [at],
        )
        .unwrap()
    };
    db.execute(
        "UPDATE cases SET updated_at = ?1 WHERE case_id = ?2",
        [ago(75), second.to_string()],
    )
    .unwrap();
    db.execute(
        "UPDATE case_versions SET received_at = ?1 WHERE case_id = ?2",
        [ago(75), second.to_string()],
    )
    .unwrap();
    assert_eq!(set_revoked(&ago(73)), 1);
    let dated = ago(74);
    let (status, c, message) = refused(sign_off_at(
        bank,
        &p.bob,
        second,
        approve,
        &sub_second,
        None,
        &dated,
    ));
    assert_eq!((status, c.as_str()), (403, "KEY_REVOKED"), "{message}");
    assert!(message.contains("more than 72 hours"), "{message}");
    // Revoked 71 hours ago, the same statement is still within the offline-login time.
    set_revoked(&ago(71));
    sign_off_at(bank, &p.bob, second, approve, &sub_second, None, &dated).unwrap();
    assert_eq!(
        bank.get_case(second).unwrap().workflow.unwrap().stage,
        "approved"
    );
}

#[test]
fn a_decided_case_takes_only_the_disbursement_s_evidence_and_an_order_is_the_one_recorded() {
    let b = bench();
    let p = people(&b.bank);
    let (bank, id) = (&b.bank, "AUTO-2026-000123");
    let submitted = submit(bank, &p.alice, id);
    sign_off(bank, &p.bob, id, StatementAction::Approve, &submitted, None).unwrap();
    let approved = bank.get_case(id).unwrap();
    // The terms: the loan, a party, the vehicle, a document other than the down-payment
    // proof.
    for (key, change) in [
        (
            "loan",
            Box::new(|c: &mut Value| c["loan"]["amount"] = "200000000.00".into())
                as Box<dyn Fn(&mut Value)>,
        ),
        (
            "parties",
            Box::new(|c: &mut Value| c["parties"][0]["full_name"] = "Someone Else".into()),
        ),
        (
            "vehicle",
            Box::new(|c: &mut Value| c["vehicle"]["contract_price"] = "1.00".into()),
        ),
        (
            "documents",
            Box::new(|c: &mut Value| c["documents"][1]["status"] = "pending".into()),
        ),
    ] {
        let (status, c, message) = refused(shape_with(
            bank,
            &p.alice,
            id,
            StatementAction::Edit,
            &now(),
            change,
        ));
        assert_eq!(
            (status, c.as_str()),
            (409, "CASE_DECIDED"),
            "{key}: {message}"
        );
        assert_eq!(
            message,
            format!("case {id} is approved: its terms are closed; only the disbursement's evidence changes (field {key} differs)")
        );
    }
    assert_eq!(bank.get_case(id).unwrap().version, approved.version);
    // The evidence: the down-payment proof, the policies, the lien, the orders.
    let evidence = shape_with(bank, &p.alice, id, StatementAction::Edit, &now(), |c| {
        for d in c["documents"].as_array_mut().unwrap() {
            if d["kind"] == "down_payment_proof" {
                d["status"] = "verified".into();
            }
        }
        c["insurance"][0]["policy"] = "KASKO-778899".into();
        c["pledge"]["vin_lien"] = "requested".into();
        c["disbursement"] = serde_json::json!({"orders": [
            {"stage": 1, "amount": "60000000.00", "funds": "loan"}
        ]});
    })
    .unwrap();
    assert_eq!(evidence.version, approved.version + 1);
    assert_eq!(
        bank.get_case(id).unwrap().workflow.unwrap().stage,
        "approved"
    );

    // An order is the one the version its statement names records.
    let (status, c, message) = refused(bank.post_message(
        id,
        &order_of(&p.alice, id, 1, "999", &evidence.hash),
        &idem(),
    ));
    assert_eq!((status, c.as_str()), (409, "HASH_MISMATCH"));
    assert_eq!(
        message,
        "body.amount 999 is not the order the signed version records: 60000000.00"
    );
    let (status, c, message) = refused(bank.post_message(
        id,
        &order_of(&p.alice, id, 2, "60000000.00", &evidence.hash),
        &idem(),
    ));
    assert_eq!((status, c.as_str()), (409, "HASH_MISMATCH"));
    assert!(message.contains("records no order of stage 2"), "{message}");
    let order = order_of(&p.alice, id, 1, "60000000.00", &evidence.hash);
    let key = idem();
    let first = bank.post_message(id, &order, &key).unwrap();
    // Its retry under the same key is its first answer; under another key, the same
    // signed order does not pay twice.
    assert_eq!(bank.post_message(id, &order, &key).unwrap(), first);
    let (status, c, message) = refused(bank.post_message(id, &order, &idem()));
    assert_eq!((status, c.as_str()), (403, "SIGNATURE_INVALID"));
    assert!(
        message.contains("was accepted before (at ") && message.contains("a statement counts once"),
        "{message}"
    );
    assert_eq!(b.sim.digest().orders.get("1"), Some(&1));
}

#[test]
fn a_statement_counts_once_and_a_submit_signed_before_the_return_is_stale() {
    let b = bench();
    let p = people(&b.bank);
    let (bank, id) = (&b.bank, "AUTO-2026-000123");
    // alice edits the term to 48 months, then to 42.
    let (base, text, edit) =
        signed_version(bank, &p.alice, id, StatementAction::Edit, &now(), |c| {
            c["loan"]["term_months"] = 48.into();
        });
    let key = idem();
    let put = |key: &str, base: i64, s: &SignedStatement| {
        bank.put_case_with(id, &text, Some(base), key, Some(s), None, None)
    };
    let first = put(&key, base, &edit).unwrap();
    // The same request under its key: its first answer, not a replay.
    assert_eq!(put(&key, base, &edit).unwrap(), first);
    let later = shape(bank, &p.alice, id, StatementAction::Edit, 42).unwrap();
    // The 48-month edit's statement again, on the current version: it counted once.
    let (status, c, message) = refused(put(&idem(), later.version, &edit));
    assert_eq!(
        (status, c.as_str()),
        (403, "SIGNATURE_INVALID"),
        "{message}"
    );
    assert!(
        message.starts_with("this signed statement was accepted before (at ")
            && message.ends_with("); a statement counts once"),
        "{message}"
    );
    // Spelt otherwise (whitespace around the signature), it is the same statement.
    let spaced = SignedStatement {
        signature: format!(" {} ", edit.signature),
        ..edit.clone()
    };
    let (_, c, message) = refused(put(&idem(), later.version, &spaced));
    assert_eq!(c, "SIGNATURE_INVALID");
    assert!(message.contains("accepted before"), "{message}");
    assert_eq!(bank.get_case(id).unwrap().version, later.version);

    // A submit names the maker's proposal.
    let (base, text, submit_s) =
        signed_version(bank, &p.alice, id, StatementAction::Submit, &now(), |_| {});
    let (status, c, message) = refused(bank.put_case_with(
        id,
        &text,
        Some(base),
        &idem(),
        Some(&submit_s),
        Some("why"),
        None,
    ));
    assert_eq!((status, c.as_str()), (422, "INVALID_JUSTIFICATION"));
    assert_eq!(
        message,
        "UW-Proposal: a submit names the maker's proposed decision, approve or reject"
    );
    let submitted = push(bank, id, base, &text, &submit_s).unwrap();
    // alice signs another submit now and keeps it; bob returns the case.
    let (base, text, early) =
        signed_version(bank, &p.alice, id, StatementAction::Submit, &now(), |c| {
            c["loan"]["term_months"] = 36.into();
        });
    pause();
    let ret = sign_off(
        bank,
        &p.bob,
        id,
        StatementAction::Return,
        &submitted,
        Some("the May payslip"),
    )
    .unwrap();
    // The submit signed before the return does not undo it.
    let (status, c, message) = refused(push(bank, id, base, &text, &early));
    assert_eq!((status, c.as_str()), (409, "STALE_STATEMENT"), "{message}");
    assert!(
        message.contains(&format!(
            "signed before the case was returned at {}",
            ret.accepted_at
        )),
        "{message}"
    );
    // Nor does the accepted submit, sent again on the returned version.
    let returned = bank.get_case(id).unwrap();
    assert_eq!(returned.version, submitted.version);
    let (_, c, message) = refused(push(
        bank,
        id,
        returned.version,
        &returned.case.to_string(),
        &submit_s,
    ));
    assert_eq!(c, "SIGNATURE_INVALID");
    assert!(message.contains("accepted before"), "{message}");
    assert_eq!(
        bank.get_case(id).unwrap().workflow.unwrap().stage,
        "returned"
    );
    // A submit signed after the return is taken.
    let again = shape(bank, &p.alice, id, StatementAction::Submit, 36).unwrap();
    let wf = bank.get_case(id).unwrap().workflow.unwrap();
    assert_eq!(wf.stage, "submitted");
    assert_eq!(wf.submission.unwrap().version, again.version);
}

#[test]
fn a_case_id_equal_but_for_letter_case_to_a_held_one_is_not_a_new_case() {
    // Standalone.
    let dir = tempfile::tempdir().unwrap();
    let mut c = SimConfig::new(&dir.path().join("bank.db"));
    c.seed_cases = Some(demo_cases());
    let sim = start(c).unwrap();
    let bank = Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    let as_new = |bank: &Bank, id: &str| {
        let mut case = bank.get_case("AUTO-2026-000123").unwrap().case;
        case["case_id"] = id.into();
        serde_json::to_string(&case).unwrap()
    };
    let lower = "auto-2026-000123";
    let (status, code_, message) =
        refused(bank.put_case(lower, &as_new(&bank, lower), None, &idem(), None));
    assert_eq!((status, code_.as_str()), (409, "CASE_EXISTS"), "{message}");
    assert!(message.contains("holds case AUTO-2026-000123"), "{message}");
    let fresh = "AUTO-2026-000999";
    let ack = bank
        .put_case(fresh, &as_new(&bank, fresh), None, &idem(), None)
        .unwrap();
    assert_eq!(ack.version, 1);
    let mixed = "Auto-2026-000999";
    let (_, code_, message) =
        refused(bank.put_case(mixed, &as_new(&bank, mixed), None, &idem(), None));
    assert_eq!(code_, "CASE_EXISTS");
    assert!(message.contains(fresh), "{message}");
    assert!(matches!(
        bank.get_case(lower),
        Err(LinkError::Rejected { status: 404, .. })
    ));
    drop(sim);

    // Enforcing: a signed new version of the same id in other letters.
    let b = bench();
    let alice = desk("alice", 1);
    enrol(&b.bank, &alice);
    let text = as_new(&b.bank, lower);
    let s = sign(
        &alice,
        statement(
            lower,
            1,
            &content_hash(&text).unwrap(),
            StatementAction::Edit,
            "alice",
            &now(),
        ),
    );
    let r = b
        .bank
        .put_case_with(lower, &text, None, &idem(), Some(&s), None, None);
    let (status, code_, message) = refused(r);
    assert_eq!((status, code_.as_str()), (409, "CASE_EXISTS"), "{message}");

    // The seeding: two files whose ids differ only in letter case.
    let seeds = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(demo_cases().join("AUTO-2026-000123.json")).unwrap();
    std::fs::write(seeds.path().join("a.json"), &original).unwrap();
    let mut twin: Value = serde_json::from_str(&original).unwrap();
    twin["case_id"] = lower.into();
    std::fs::write(seeds.path().join("b.json"), twin.to_string()).unwrap();
    let mut c = SimConfig::new(&seeds.path().join("bank.db"));
    c.seed_cases = Some(seeds.path().to_path_buf());
    let e = start(c).err().expect("refused").to_string();
    assert!(
        e.contains("b.json") && e.contains("CASE_EXISTS") && e.contains("AUTO-2026-000123"),
        "{e}"
    );
}

/// Acts on conditions that are not acts, or not the author's: refusals naming what is
/// wrong, never a panic, nothing kept.
#[test]
fn hostile_condition_acts_are_refused_and_nothing_is_kept() {
    let b = bench();
    let _p = people(&b.bank);
    let id = "AUTO-2026-000123";
    let post = |body: &str| {
        raw(
            &b.sim,
            &format!(
                "POST /v1/cases/{id}/conditions HTTP/1.1\r\nIdempotency-Key: {}\r\nContent-Type: application/json",
                idem()
            ),
            body.as_bytes(),
        )
        .unwrap()
    };
    for body in [
        "",
        "{",
        "[]",
        "{\"condition_id\": 1}",
        "{\"condition_id\": \"k\", \"action\": \"delete\", \"author\": \"alice\", \"at\": \"2026-12-02T09:00:00Z\"}",
    ] {
        let (status, answer) = post(body);
        assert_eq!(
            (status, error_code(&answer).as_str()),
            (422, "INVALID_CONDITION"),
            "{body}: {answer}"
        );
    }
    // Well formed but unsigned, or signed with nothing: alice's enrolled key does not
    // vouch for it.
    let act = serde_json::json!({
        "condition_id": "k-1", "action": "raise", "author": "alice", "at": now(),
        "text": "a letter", "owner": "the client", "due": "2099-01-01", "stage": 1,
    });
    let (status, answer) = post(&act.to_string());
    assert_eq!(
        (status, error_code(&answer).as_str()),
        (403, "SIGNATURE_INVALID"),
        "{answer}"
    );
    let mut forged = act.clone();
    forged["algorithm"] = "ed25519".into();
    forged["signature"] = signing::to_base64(&[0u8; 64]).into();
    let (status, answer) = post(&forged.to_string());
    assert_eq!(
        (status, error_code(&answer).as_str()),
        (403, "SIGNATURE_INVALID")
    );
    // Someone the directory does not know.
    let mut stranger = act.clone();
    stranger["author"] = "mallory".into();
    let (status, answer) = post(&stranger.to_string());
    assert_eq!(status, 403, "{answer}");
    assert!(b.bank.get_case(id).unwrap().conditions.is_empty());

    // Assignments that are not assignments, or not the giver's.
    let assign = |body: &str| {
        raw(
            &b.sim,
            &format!(
                "POST /v1/cases/{id}/assignment HTTP/1.1\r\nIdempotency-Key: {}\r\nContent-Type: application/json",
                idem()
            ),
            body.as_bytes(),
        )
        .unwrap()
    };
    let before = b.bank.get_case(id).unwrap().assignee;
    for body in ["", "{", "[]", "{\"assignee\": 1}"] {
        let (status, answer) = assign(body);
        assert_eq!(
            (status, error_code(&answer).as_str()),
            (422, "INVALID_ASSIGNMENT"),
            "{body}: {answer}"
        );
    }
    let unsigned = serde_json::json!({
        "assignee": "alice", "by": "alice", "at": now(), "expected": before,
    });
    let (status, answer) = assign(&unsigned.to_string());
    assert_eq!(
        (status, error_code(&answer).as_str()),
        (403, "SIGNATURE_INVALID"),
        "{answer}"
    );
    assert_eq!(b.bank.get_case(id).unwrap().assignee, before);
}
