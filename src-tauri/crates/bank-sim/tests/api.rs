//! The simulator's API through the workstation's own client, over 127.0.0.1.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::path::PathBuf;
use std::time::Duration;

use uw_bank_link::api::{CaseMessage, MessageKind, PledgeState};
use uw_bank_link::{Bank, BankConfig, LinkError};
use uw_bank_sim::{start, SimConfig};

fn seeded(dir: &std::path::Path, delay: Duration) -> uw_bank_sim::Running {
    let mut c = SimConfig::new(&dir.join("bank.db"));
    c.seed_cases =
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    c.pledge_delay = delay;
    c.foreign_vins = vec!["WVWZZZ1KZAW000001".into()];
    c.assign_to = vec!["alice".into(), "carol".into()];
    c.loan_book = Some(demo_asset("loan-book.json"));
    start(c).unwrap()
}

fn demo_asset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo")
        .join(name)
}

fn client(sim: &uw_bank_sim::Running) -> Bank {
    Bank::new(BankConfig::new(&sim.url(), "demo-bank-token")).unwrap()
}

#[test]
fn a_prohibition_requested_twice_is_one_request_and_registers_after_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_millis(600));
    let bank = client(&sim);
    let vin = "XWBJA69V9LA123456";
    assert_eq!(bank.pledge(vin).unwrap().status, PledgeState::None);
    let first = bank.request_pledge(vin, "req-1").unwrap();
    assert_eq!(first.status, PledgeState::Requested);
    // Asked again under another key: still the one request, same time.
    let second = bank.request_pledge(vin, "req-2").unwrap();
    assert_eq!(second.requested_at, first.requested_at);
    std::thread::sleep(Duration::from_millis(700));
    let later = bank.pledge(vin).unwrap();
    assert_eq!(later.status, PledgeState::Registered);
    assert!(later.registered_at.is_some());
    // Another creditor's prohibition refuses the request, naming it.
    let foreign = bank
        .request_pledge("WVWZZZ1KZAW000001", "req-3")
        .unwrap_err();
    match foreign {
        LinkError::Rejected {
            status,
            code,
            message,
        } => {
            assert_eq!((status, code.as_str()), (409, "FOREIGN_PLEDGE"));
            assert!(message.contains("another creditor"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        bank.pledge("SHORT"),
        Err(LinkError::Rejected { status: 422, .. })
    ));
    assert_eq!(sim.digest().pledge_requests, 1);
}

#[test]
fn the_bank_refuses_a_final_payment_without_its_registered_prohibition() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_millis(300));
    let bank = client(&sim);
    let vin = "XWBJA69V9LA123456";
    let order = |stage: u8, vin: Option<&str>| CaseMessage {
        kind: MessageKind::DisbursementOrder,
        body: serde_json::json!({"stage": stage, "amount": "75000000.00", "vin": vin}),
    };
    let case = "AUTO-2026-000123";
    // Stage 1 waits for no prohibition.
    bank.post_message(case, &order(1, Some(vin)), "o-1")
        .unwrap();
    for (key, vin) in [("o-2", Some(vin)), ("o-3", None)] {
        match bank.post_message(case, &order(2, vin), key).unwrap_err() {
            LinkError::Rejected { status, code, .. } => {
                assert!(
                    (status, code.as_str()) == (409, "LIEN_NOT_REGISTERED")
                        || (status, code.as_str()) == (422, "INVALID_MESSAGE"),
                    "{status} {code}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    bank.request_pledge(vin, "p-1").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    // Refused under a key, the same key goes once the cause is cleared.
    bank.post_message(case, &order(2, Some(vin)), "o-2")
        .unwrap();
    bank.post_message(case, &order(2, Some(vin)), "o-2")
        .unwrap();
    let digest = sim.digest();
    assert_eq!(digest.orders.get("1"), Some(&1));
    assert_eq!(digest.orders.get("2"), Some(&1));
}

#[test]
fn official_income_and_the_portfolio_come_from_the_seeded_cases() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_secs(30));
    let bank = client(&sim);
    let income = bank.official_income("31502901234569").unwrap();
    assert_eq!(income.records.len(), 6);
    assert_eq!(income.records[0].month, "2026-05");
    assert_eq!(income.records[0].amount, "12500000.00");
    assert!(matches!(
        bank.official_income("00000000000000"),
        Err(LinkError::Rejected { status: 404, .. })
    ));
    assert!(matches!(
        bank.official_income("12ab"),
        Err(LinkError::Rejected { status: 422, .. })
    ));
    let portfolio = bank.portfolio().unwrap();
    let total: i64 = portfolio.branches.iter().map(|b| b.cases).sum();
    assert_eq!(total, 17);
    let queue = bank.queue(Some("BXM-07"), None).unwrap();
    assert!(queue.applications.iter().all(|a| a.branch == "BXM-07"));
    let alices = bank.queue(None, Some("alice")).unwrap();
    assert_eq!(alices.applications.len(), 9);
    assert!(alices
        .applications
        .iter()
        .all(|a| a.assignee.as_deref() == Some("alice")));
    assert_eq!(
        queue.applications.len() as i64,
        portfolio
            .branches
            .iter()
            .find(|b| b.branch == "BXM-07")
            .unwrap()
            .cases
    );
}

#[test]
fn each_branch_reports_its_loan_book_and_a_test_may_change_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_secs(30));
    let bank = client(&sim);
    let p = bank.portfolio().unwrap();
    let names: Vec<_> = p.branches.iter().map(|b| b.branch.as_str()).collect();
    // BXS-04 has a book and one application in the queue.
    assert_eq!(names, ["BXM-07", "BXO-02", "BXO-11", "BXS-04"]);
    let bxs = &p.branches[3];
    assert_eq!(bxs.cases, 1);
    assert_eq!(bxs.book.as_ref().unwrap().npl, "1880000000");
    let mut book = bxs.book.clone().unwrap();
    book.npl = "1".into();
    sim.set_book("BXS-04", &book).unwrap();
    let p = bank.portfolio().unwrap();
    assert_eq!(p.branches[3].book.as_ref().unwrap().npl, "1");
    book.npl = "-5".into();
    let e = sim.set_book("BXS-04", &book).unwrap_err().to_string();
    assert!(e.contains("npl: \"-5\""), "{e}");
}

#[test]
fn a_malformed_loan_book_file_is_refused_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.json");
    for (text, expect) in [
        ("[{\"branch\": \"A\", \"book\": {\"portfolio\": \"10\", \"past_due_30\": \"11\", \"npl\": \"0\", \"credit_losses_12m\": \"0\", \"as_of\": \"2026-11-01\"}}]", "[0].book.past_due_30: 11 is more than the portfolio 10"),
        ("[{\"branch\": \"A\", \"book\": {\"portfolio\": \"10\", \"past_due_30\": \"1\", \"npl\": \"0\", \"credit_losses_12m\": \"0\", \"as_of\": \"1 Nov\"}}]", "[0].book.as_of"),
        ("[{\"branch\": \"A\"}]", "missing field `book`"),
        ("[", "EOF"),
    ] {
        std::fs::write(&file, text).unwrap();
        let mut c = SimConfig::new(&dir.path().join("bank.db"));
        c.loan_book = Some(file.clone());
        let e = start(c).err().expect("refused").to_string();
        assert!(e.contains("book.json") && e.contains(expect), "{e}");
    }
}

#[test]
fn keys_replay_the_first_answer_and_refuse_another_request() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_secs(30));
    let bank = client(&sim);
    let id = "AUTO-2026-000123";
    let remote = bank.get_case(id).unwrap();
    let mut case = remote.case.clone();
    case["loan"]["term_months"] = 48.into();
    let text = case.to_string();
    let a = bank.put_case(id, &text, Some(1), "k-1", None).unwrap();
    let b = bank.put_case(id, &text, Some(1), "k-1", None).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.version, 2);
    // The same key with another body is refused, not applied.
    let reused = bank.put_case(
        id,
        "{\"case_id\":\"AUTO-2026-000123\",\"branch\":\"X\"}",
        Some(2),
        "k-1",
        None,
    );
    assert!(
        matches!(reused, Err(LinkError::Rejected { status: 422, ref code, .. }) if code == "IDEMPOTENCY_KEY_REUSED")
    );
    // A stale base is a conflict carrying the bank's version.
    match bank.put_case(id, &text, Some(1), "k-2", None) {
        Err(LinkError::Conflict(m)) => assert_eq!(m.current.version, 2),
        other => panic!("{other:?}"),
    }
    // A body that is not a case of this id is refused naming the field.
    match bank.put_case(
        id,
        "{\"case_id\":\"OTHER\",\"branch\":\"X\"}",
        Some(2),
        "k-3",
        None,
    ) {
        Err(LinkError::Rejected {
            status: 422,
            message,
            ..
        }) => {
            assert!(message.starts_with("case_id:"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.digest().versions, 18);
}

#[test]
fn a_wrong_token_is_unauthorized() {
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::from_secs(30));
    let bank = Bank::new(BankConfig::new(&sim.url(), "wrong")).unwrap();
    assert_eq!(bank.queue(None, None).unwrap_err(), LinkError::Unauthorized);
}

#[test]
fn every_route_is_in_the_openapi_file() {
    let spec =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml"))
            .unwrap();
    let routes = include_str!("../src/http.rs");
    // Each `.route(` is followed by its path, on its line or the next (rustfmt splits
    // long ones).
    let paths: Vec<&str> = routes
        .split(".route(")
        .skip(1)
        .map(|rest| rest.split('"').nth(1).unwrap())
        .collect();
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths {
        assert!(
            spec.contains(&format!("  {path}:")),
            "{path} is not in openapi.yaml"
        );
    }
}

/// A note is kept once by its id, never changed, served with its case; bad notes are
/// refused naming the field.
#[test]
fn a_note_is_kept_once_never_changed_and_served_with_its_case() {
    use uw_bank_link::api::CaseNote;
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::ZERO);
    let bank = client(&sim);
    let case = "AUTO-2026-000123";
    let note = |id: &str, text: &str| CaseNote {
        note_id: id.into(),
        author: "alice".into(),
        written_at: "2026-12-02T09:00:00Z".into(),
        text: text.into(),
        algorithm: None,
        signature: None,
    };
    let first = note("n-1", "called the employer, salary confirmed");
    let kept = bank.post_note(case, &first, "k-1").unwrap();
    assert_eq!(
        (kept.note_id.as_str(), kept.author.as_str()),
        ("n-1", "alice")
    );
    // Sent again (another key, same note): the one kept.
    assert_eq!(bank.post_note(case, &first, "k-2").unwrap(), kept);
    let code = |r: Result<_, LinkError>| match r {
        Err(LinkError::Rejected {
            status,
            code,
            message,
        }) => format!("{status} {code} {message}"),
        other => format!("{other:?}"),
    };
    let changed = code(bank.post_note(case, &note("n-1", "salary NOT confirmed"), "k-3"));
    assert!(changed.starts_with("409 NOTE_EXISTS"), "{changed}");
    assert!(code(bank.post_note(case, &note("n-2", " \n "), "k-4")).starts_with("422 NOTE_EMPTY"));
    let long = "x".repeat(4001);
    assert!(code(bank.post_note(case, &note("n-3", &long), "k-5")).starts_with("422 NOTE_TOO_LONG"));
    let bad_id = code(bank.post_note(case, &note("../1", "x"), "k-6"));
    assert!(
        bad_id.starts_with("422 INVALID_NOTE") && bad_id.contains("note_id"),
        "{bad_id}"
    );
    let mut undated = note("n-4", "x");
    undated.written_at = "yesterday".into();
    assert!(code(bank.post_note(case, &undated, "k-8")).contains("written_at"));
    assert!(
        code(bank.post_note("AUTO-2026-999999", &note("n-5", "x"), "k-9"))
            .starts_with("404 NOT_FOUND")
    );
    bank.post_note(case, &note("n-6", "a correction is a new note"), "k-10")
        .unwrap();
    let held = bank.get_case(case).unwrap();
    let texts: Vec<_> = held.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "called the employer, salary confirmed",
            "a correction is a new note"
        ]
    );
    let queue = bank.queue(None, None).unwrap();
    let listed = queue
        .applications
        .iter()
        .find(|c| c.case_id == case)
        .unwrap();
    assert_eq!(listed.notes.len(), 2);
    assert!(queue
        .applications
        .iter()
        .filter(|c| c.case_id != case)
        .all(|c| c.notes.is_empty()));
}

/// A condition of the approval is raised once, closed once, served with its case, and
/// keeps the disbursement order of its stage (and every later one) out until it closes.
#[test]
fn an_open_condition_keeps_its_stage_s_order_out_until_it_is_met() {
    use uw_bank_link::api::{ConditionAct, ConditionAction};
    let dir = tempfile::tempdir().unwrap();
    let sim = seeded(dir.path(), Duration::ZERO);
    let bank = client(&sim);
    let case = "AUTO-2026-000123";
    let at = chrono::Utc::now().to_rfc3339();
    let due = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let raise = ConditionAct {
        condition_id: "k-1".into(),
        action: ConditionAction::Raise,
        author: "alice".into(),
        at: at.clone(),
        text: Some("the employer's letter".into()),
        owner: Some("the client".into()),
        due: Some(due.clone()),
        stage: Some(1),
        words: None,
        algorithm: None,
        signature: None,
    };
    let kept = bank.post_condition(case, &raise, "c-1").unwrap();
    assert_eq!(
        (kept.status.as_str(), kept.due.as_str()),
        ("open", due.as_str())
    );
    assert_eq!(bank.post_condition(case, &raise, "c-2").unwrap(), kept);
    fn code<T: std::fmt::Debug>(r: Result<T, LinkError>) -> String {
        match r {
            Err(LinkError::Rejected {
                status,
                code,
                message,
            }) => format!("{status} {code} {message}"),
            other => format!("{other:?}"),
        }
    }
    let order = CaseMessage {
        kind: MessageKind::DisbursementOrder,
        body: serde_json::json!({"stage": 1, "amount": "75000000.00"}),
    };
    let refused = code(bank.post_message(case, &order, "o-1"));
    assert!(refused.starts_with("409 CONDITION_OPEN"), "{refused}");
    assert!(
        refused.contains("k-1") && refused.contains(&due),
        "{refused}"
    );
    let mut no_owner = raise.clone();
    no_owner.condition_id = "k-2".into();
    no_owner.owner = Some(" ".into());
    assert!(code(bank.post_condition(case, &no_owner, "c-3"))
        .starts_with("422 CONDITION_OWNER_REQUIRED"));
    let meet = ConditionAct {
        action: ConditionAction::Meet,
        author: "bob".into(),
        text: None,
        owner: None,
        due: None,
        stage: None,
        words: Some("letter no. 45, scanned".into()),
        ..raise.clone()
    };
    let met = bank.post_condition(case, &meet, "c-4").unwrap();
    assert_eq!(
        (met.status.as_str(), met.closed_by.as_deref()),
        ("met", Some("bob"))
    );
    let waive = ConditionAct {
        action: ConditionAction::Waive,
        words: Some("no need".into()),
        ..meet.clone()
    };
    assert!(code(bank.post_condition(case, &waive, "c-5")).starts_with("409 CONDITION_CLOSED"));
    bank.post_message(case, &order, "o-2").unwrap();
    let held = bank.get_case(case).unwrap();
    assert_eq!(held.conditions, [met]);
    let queue = bank.queue(None, None).unwrap();
    assert!(queue
        .applications
        .iter()
        .all(|c| (c.case_id == case) != c.conditions.is_empty()));
}
