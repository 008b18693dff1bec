//! Sync against the bank simulator as a real HTTP server on 127.0.0.1 with its own
//! SQLite file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use uw_bank_link::{Bank, BankConfig};
use uw_bank_sim::{Faults, SimConfig};

use super::*;
use crate::OpenOptions;

const EXAMPLE: &str = include_str!("../../../../../assets/demo/cases/AUTO-2026-000123.json");
const TOKEN: &str = "test-token";

fn demo_cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases")
}

fn sim(dir: &Path, seed_cases: bool) -> uw_bank_sim::Running {
    let mut c = SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases = seed_cases.then(demo_cases);
    c.assign_to = vec!["alice".into(), "carol".into()];
    uw_bank_sim::start(c).unwrap()
}

fn open(dir: &Path, bank: BankConfig) -> Workstation {
    let ws = Workstation::open(OpenOptions {
        bank: Some(bank),
        ..crate::tests::options(dir, "alice", false, false)
    })
    .unwrap();
    ws.set_sync_options(SyncOptions {
        retry_min: Duration::from_millis(2),
        retry_max: Duration::from_millis(50),
        hold_min: Duration::from_millis(10),
        hold_max: Duration::from_millis(50),
        ..SyncOptions::default()
    });
    ws
}

fn config(url: &str) -> BankConfig {
    BankConfig::new(url, TOKEN)
}

/// A case file like the example under another id.
fn case_text(n: usize) -> (String, String) {
    let id = format!("AUTO-2026-{:06}", 500_000 + n);
    (
        format!("{id}.json"),
        EXAMPLE.replace("AUTO-2026-000123", &id),
    )
}

fn edit_amount(ws: &Workstation, case_id: &str, amount: &str) {
    let view = ws.open_case(case_id).unwrap();
    let mut case = serde_json::to_value(&view.case).unwrap();
    case["loan"]["amount"] = Value::String(amount.into());
    ws.save_case(case_id, view.version, case).unwrap();
}

#[test]
fn the_daily_queue_is_pulled_once_and_new_cases_are_pushed() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), true);
    let ws = open(&dir.path().join("ws"), config(&bank.url()));
    let first = ws.sync().unwrap();
    assert_eq!(first.pulled_new, 17, "{first:?}");
    assert!(first.online && first.errors.is_empty(), "{first:?}");
    // The same applications again: one case each, nothing new.
    let again = ws.sync().unwrap();
    assert_eq!(
        (again.pulled_new, again.pulled_updated, again.pushed),
        (0, 0, 0)
    );
    assert_eq!(ws.status().unwrap().case_count, 17);
    // The bank's assignments show in the queue.
    let alices = ws
        .queue(&crate::QueueQuery {
            assignee: Some("alice".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(alices.total, 9);
    // A case born here goes to the bank, with the same content.
    ws.import_texts(&[case_text(1)]).unwrap();
    assert_eq!(ws.sync_status().unwrap().waiting, 1);
    let pushed = ws.sync().unwrap();
    assert_eq!(pushed.pushed, 1, "{pushed:?}");
    let status = ws.sync_status().unwrap();
    assert_eq!((status.waiting, status.online), (0, Some(true)));
    assert!(status.last_success.is_some());
    let digest = bank.digest();
    let local = ws.content_hashes().unwrap();
    assert_eq!(
        digest.cases.get("AUTO-2026-500001"),
        local.get("AUTO-2026-500001")
    );
    // A newer bank version of a case with nothing unsent replaces the local one.
    let other = Bank::new(config(&bank.url())).unwrap();
    let remote = other.get_case("AUTO-2026-000124").unwrap();
    let mut changed = remote.case.clone();
    changed["loan"]["term_months"] = Value::from(48);
    other
        .put_case(
            "AUTO-2026-000124",
            &changed.to_string(),
            Some(remote.version),
            "bank-side-edit-1",
            None,
        )
        .unwrap();
    let pulled = ws.sync().unwrap();
    assert_eq!(pulled.pulled_updated, 1, "{pulled:?}");
    assert_eq!(
        ws.open_case("AUTO-2026-000124")
            .unwrap()
            .case
            .loan
            .term_months,
        48
    );
    let history = ws.history("AUTO-2026-000124").unwrap();
    assert!(history
        .iter()
        .any(|e| e.kind == "pulled_update" && e.actor == BANK_ACTOR));
    // A malformed application is named, field and all; the rest of the queue still merges.
    let remote = other.get_case("AUTO-2026-000125").unwrap();
    let mut broken = remote.case.clone();
    broken["loan"]["amount"] = Value::String("abc".into());
    other
        .put_case(
            "AUTO-2026-000125",
            &broken.to_string(),
            Some(remote.version),
            "bank-side-broken",
            None,
        )
        .unwrap();
    let report = ws.sync().unwrap();
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.contains("AUTO-2026-000125") && e.contains("loan.amount")),
        "{report:?}"
    );
    assert_eq!(
        ws.open_case("AUTO-2026-000125")
            .unwrap()
            .case
            .loan
            .amount
            .to_string(),
        "195000000.00"
    );
}

#[test]
fn a_thousand_cases_through_thirty_percent_faults_arrive_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), false);
    let ws = open(&dir.path().join("ws"), config(&bank.url()));
    let files: Vec<_> = (0..1000).map(case_text).collect();
    ws.import_texts(&files).unwrap();
    // A tenth edited twice more: their versions must arrive in order.
    for n in (0..1000).step_by(10) {
        let id = format!("AUTO-2026-{:06}", 500_000 + n);
        edit_amount(&ws, &id, "120000000.00");
        edit_amount(&ws, &id, "125000000.00");
    }
    bank.set_faults(Faults {
        failure_pct: 10,
        reset_pct: 10,
        duplicate_pct: 10,
        seed: 42,
        ..Faults::default()
    });
    let mut passes = 0;
    while ws.sync_status().unwrap().waiting > 0 {
        passes += 1;
        let r = ws.sync();
        assert!(
            passes <= 30,
            "still waiting after 30 passes: {r:?} {:?}",
            ws.sync_status()
        );
    }
    bank.set_faults(Faults::default());
    let digest = bank.digest();
    // Exactly the workstation's content, nothing lost…
    assert_eq!(digest.cases, ws.content_hashes().unwrap());
    // …and nothing twice: one bank version per outbox entry.
    assert_eq!(digest.versions, 1000 + 2 * 100);
    let entries = ws.outbox_entries().unwrap();
    assert_eq!(entries.len(), 1200);
    assert!(entries.iter().all(|e| e.state == "sent"));
    assert_eq!(ws.integrity_check().unwrap(), "ok");
}

#[test]
fn an_edit_on_both_sides_is_a_conflict_with_both_versions_kept() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), true);
    let ws = open(&dir.path().join("ws"), config(&bank.url()));
    ws.sync().unwrap();
    let id = "AUTO-2026-000123";
    // The bank's side changes the term…
    let other = Bank::new(config(&bank.url())).unwrap();
    let remote = other.get_case(id).unwrap();
    let mut theirs = remote.case.clone();
    theirs["loan"]["term_months"] = Value::from(48);
    other
        .put_case(
            id,
            &theirs.to_string(),
            Some(remote.version),
            "bank-edit",
            None,
        )
        .unwrap();
    // …while the underwriter changes the amount.
    edit_amount(&ws, id, "130000000.00");
    let report = ws.sync().unwrap();
    assert_eq!(report.conflicts, 1, "{report:?}");
    let status = ws.sync_status().unwrap();
    assert_eq!((status.conflicts, status.waiting), (1, 1));
    // Nothing was overwritten on either side.
    assert_eq!(ws.open_case(id).unwrap().case.loan.term_months, 36);
    assert_eq!(
        other.get_case(id).unwrap().case["loan"]["amount"],
        "135000000.00"
    );
    // The conflict shows both versions and what differs; the case waits meanwhile.
    let c = &ws.conflicts(true).unwrap()[0];
    let fields: Vec<_> = c.differences.iter().map(|d| d.field.as_str()).collect();
    assert!(
        fields.contains(&"loan.amount") && fields.contains(&"loan.term_months"),
        "{fields:?}"
    );
    assert_eq!(c.local["loan"]["amount"], "130000000.00");
    assert_eq!(c.bank["loan"]["term_months"], 48);
    assert_eq!(ws.sync().unwrap().pushed, 0);
    // Keeping the workstation's version sends it over the bank's…
    ws.resolve_conflict(c.id, Keep::Local).unwrap();
    ws.sync().unwrap();
    let at_bank = other.get_case(id).unwrap();
    assert_eq!(at_bank.case["loan"]["amount"], "130000000.00");
    assert_eq!(at_bank.version, remote.version + 2);
    // …and the record keeps both.
    let all = ws.conflicts(false).unwrap();
    assert_eq!(all[0].resolution.as_deref(), Some("kept_local"));
    assert_eq!(all[0].bank["loan"]["term_months"], 48);
    assert_eq!(
        ws.resolve_conflict(c.id, Keep::Bank).unwrap_err().code,
        ErrorCode::AlreadyExists
    );

    // The other way: the bank's version taken, the local waiting version superseded.
    let remote = other.get_case(id).unwrap();
    let mut theirs = remote.case.clone();
    theirs["loan"]["grace_months"] = Value::from(2);
    other
        .put_case(
            id,
            &theirs.to_string(),
            Some(remote.version),
            "bank-edit-2",
            None,
        )
        .unwrap();
    edit_amount(&ws, id, "131000000.00");
    ws.sync().unwrap();
    let c = ws.conflicts(true).unwrap().remove(0);
    let view = ws.resolve_conflict(c.id, Keep::Bank).unwrap();
    assert_eq!(view.case.loan.grace_months, 2);
    assert_eq!(view.case.loan.amount.to_string(), "130000000.00");
    let report = ws.sync().unwrap();
    assert_eq!(
        (report.pushed, report.conflicts, report.waiting),
        (0, 0, 0),
        "{report:?}"
    );
    assert!(ws
        .outbox_entries()
        .unwrap()
        .iter()
        .any(|e| e.case_id == id && e.state == "superseded"));
    let history = ws.history(id).unwrap();
    assert_eq!(
        history.iter().filter(|e| e.kind == "sync_resolved").count(),
        2
    );
}

#[test]
fn offline_work_waits_in_the_outbox_and_goes_when_the_bank_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), false);
    let port = bank.addr.port();
    let url = bank.url();
    drop(bank);
    let ws = open(&dir.path().join("ws"), config(&url));
    ws.import_texts(&[case_text(1), case_text(2)]).unwrap();
    edit_amount(&ws, "AUTO-2026-500001", "120000000.00");
    let err = ws.sync().unwrap_err();
    assert_eq!(err.code, ErrorCode::BankOffline, "{err:?}");
    let status = ws.sync_status().unwrap();
    assert_eq!(status.online, Some(false));
    assert_eq!(status.waiting, 3);
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("cannot be reached"),
        "{status:?}"
    );
    assert!(!ws.status().unwrap().online);
    // The bank is back on its port.
    let mut c = SimConfig::new(&dir.path().join("bank.db"));
    c.token = TOKEN.into();
    c.port = port;
    let bank = uw_bank_sim::start(c).unwrap();
    let report = ws.sync().unwrap();
    assert_eq!((report.pushed, report.waiting), (3, 0), "{report:?}");
    assert!(ws.status().unwrap().online);
    assert_eq!(bank.digest().cases, ws.content_hashes().unwrap());
}

/// Answers that are not what the API promises: a clear error, the entry kept, the bank
/// (which did act) not asked to act twice.
#[test]
fn bad_answers_keep_the_entry_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), false);
    let mut cfg = config(&bank.url());
    cfg.timeout = Duration::from_millis(800);
    cfg.max_body = 1024 * 1024;
    let ws = std::sync::Arc::new(open(&dir.path().join("ws"), cfg));
    ws.set_sync_options(SyncOptions {
        retries: 0,
        hold_min: Duration::from_millis(1),
        hold_max: Duration::from_millis(1),
        ..SyncOptions::default()
    });
    ws.import_texts(&[case_text(1)]).unwrap();
    for (faults, expect) in [
        (
            Faults {
                wrong_json_pct: 100,
                ..Faults::default()
            },
            "not what the API promises",
        ),
        (
            Faults {
                huge_body_pct: 100,
                ..Faults::default()
            },
            "larger than 1 MiB",
        ),
        (
            Faults {
                drip_pct: 100,
                ..Faults::default()
            },
            "did not answer within",
        ),
    ] {
        bank.set_faults(faults);
        let worker = {
            let ws = ws.clone();
            std::thread::spawn(move || ws.sync())
        };
        // The window stays usable while a sync waits on the bank.
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(ws.queue(&crate::QueueQuery::default()).unwrap().total, 1);
        let report = worker.join().unwrap();
        let text = match report {
            Ok(r) => r.errors.join("; "),
            Err(e) => e.message,
        };
        assert!(
            text.contains(expect) && text.contains("AUTO-2026-500001"),
            "{text}"
        );
        let status = ws.sync_status().unwrap();
        assert_eq!(status.waiting, 1);
        assert!(status.last_error.is_some());
    }
    bank.set_faults(Faults::default());
    assert_eq!(ws.sync().unwrap().pushed, 1);
    // Each spoiled answer came after the bank had acted: the retries were replays.
    assert_eq!(bank.digest().versions, 1);
}

/// The demo against the bank: the queue comes from it (nothing seeded locally); a
/// submission and a sign-off reach it as a decision and a review, after their versions,
/// and show in the branch's portfolio.
#[test]
fn the_decision_and_the_sign_off_reach_the_bank() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), true);
    let ws = Workstation::open(OpenOptions {
        bank: Some(config(&bank.url())),
        ..crate::tests::options(&dir.path().join("ws"), "os-user", true, true)
    })
    .unwrap();
    assert_eq!(ws.status().unwrap().case_count, 0);
    assert_eq!(ws.sync().unwrap().pulled_new, 17);
    let id = "AUTO-2026-000123";
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case(id).unwrap();
    let v = ws
        .submit(
            id,
            v.version,
            uw_domain::case::ReviewDecision::Approve,
            "DTI 32 %, income verified",
        )
        .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    ws.approve(id, v.version, "bob-demo-2026").unwrap();
    let report = ws.sync().unwrap();
    // Two case versions and two messages.
    assert_eq!((report.pushed, report.waiting), (4, 0), "{report:?}");
    let kinds: Vec<_> = ws
        .outbox_entries()
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["case_version", "decision", "case_version", "review"]
    );
    let digest = bank.digest();
    // The decision and the review (the audit chain's heads are the bank's anchors).
    assert_eq!(digest.messages, 2);
    let anchor = other_anchor(&bank, &ws);
    assert_eq!(Some(anchor), ws.store().unwrap().audit_anchor().unwrap());
    assert_eq!(digest.cases.get(id), ws.content_hashes().unwrap().get(id));
    let other = Bank::new(config(&bank.url())).unwrap();
    let at_bank = other.get_case(id).unwrap();
    assert_eq!(at_bank.case["review"]["checker"], "bob");
    let portfolio = other.portfolio().unwrap();
    let branch = portfolio
        .branches
        .iter()
        .find(|b| b.branch == "BXM-07")
        .unwrap();
    assert_eq!((branch.approved, branch.rejected), (1, 0));
    // An edit alone sends no message.
    assert!(review_message(
        &Action::Edit,
        &Value::Null,
        "bob",
        "t",
        &Workflow::default()
    )
    .is_empty());
}

/// The bank's anchor of the desk's audit trail (its entry id and hash).
fn other_anchor(bank: &uw_bank_sim::Running, ws: &Workstation) -> (i64, String) {
    let a = Bank::new(config(&bank.url()))
        .unwrap()
        .audit_anchor(&ws.workstation_id().unwrap())
        .unwrap()
        .expect("the bank anchored the trail");
    (a.entry_id, a.hash)
}

/// Two processes on one store (a second window, `uw sync` beside the app) sync one pass
/// at a time: while another holds the store's sync lock, a pass waits; once it is let
/// go, the pass runs, and what the other left waiting is sent once.
#[test]
fn a_pass_waits_for_another_process_s_pass_on_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), false);
    let ws = open(&dir.path().join("ws"), config(&bank.url()));
    ws.import_texts(&[case_text(1)]).unwrap();
    // The other process's pass, as the system sees it: the lock on the same file.
    let other = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join("ws").join(SYNC_LOCK))
        .unwrap();
    other.lock().unwrap();
    let (done_to, done) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| done_to.send(ws.sync()).unwrap());
        // However long it is given, the pass does not run while the lock is held.
        assert!(
            done.recv_timeout(Duration::from_millis(500)).is_err(),
            "a pass ran beside another's"
        );
        other.unlock().unwrap();
        let report = done.recv_timeout(Duration::from_secs(20)).unwrap().unwrap();
        assert_eq!(report.pushed, 1, "{report:?}");
        assert!(report.errors.is_empty(), "{report:?}");
    });
    assert_eq!(ws.sync().unwrap().pushed, 0, "sent once");
}

#[test]
fn no_bank_configured_is_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(crate::tests::options(dir.path(), "alice", false, false)).unwrap();
    assert_eq!(ws.sync().unwrap_err().code, ErrorCode::BankNotConfigured);
    assert!(!ws.sync_status().unwrap().configured);
    // A bad address is bad input, named by its field.
    let err = ws.set_bank("ftp://bank", "t", None, None).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.starts_with("url: "), "{}", err.message);
    ws.set_bank("http://127.0.0.1:9/", "t", Some("BXM-07"), None)
        .unwrap();
    assert!(ws.sync_status().unwrap().configured);
}

/// A desk logged in as the demo's people, on a bank of the demo queue (standalone: the
/// workstation's workflow decides, the bank keeps none).
fn demo_desk(dir: &Path, bank: &uw_bank_sim::Running) -> Workstation {
    let ws = crate::tests::open_with_bank(dir, config(&bank.url()));
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.sync().unwrap();
    ws
}

/// The bank's side changes a case's term under the workstation.
fn bank_changes_the_term(bank: &uw_bank_sim::Running, id: &str, key: &str) {
    let other = Bank::new(config(&bank.url())).unwrap();
    let remote = other.get_case(id).unwrap();
    let mut theirs = remote.case.clone();
    theirs["loan"]["term_months"] = Value::from(48);
    other
        .put_case(id, &theirs.to_string(), Some(remote.version), key, None)
        .unwrap();
}

/// The attack: the terms change after the approval. A pull is a conflict, never taken
/// over; a change that reaches the store anyway holds the money (and the printing).
#[test]
fn a_change_of_an_approved_case_s_terms_is_a_conflict_and_holds_the_money() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), true);
    let ws = demo_desk(&dir.path().join("ws"), &bank);
    let id = "AUTO-2026-000123";
    crate::tests::submit_and_approve(&ws, id, "salary at this bank");
    ws.sync().unwrap();
    bank_changes_the_term(&bank, id, "bank-edit-after-approval");
    let report = ws.sync().unwrap();
    assert_eq!(report.conflicts, 1, "{report:?}");
    assert_eq!(ws.open_case(id).unwrap().case.loan.term_months, 36);
    // Taking the bank's side needs an underwriter: bob, a reviewer, may not.
    let conflict = ws.conflicts(true).unwrap().remove(0);
    assert_eq!(
        ws.resolve_conflict(conflict.id, Keep::Bank)
            .unwrap_err()
            .code,
        ErrorCode::MissingRole
    );
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.resolve_conflict(conflict.id, Keep::Bank).unwrap();
    assert_eq!(ws.open_case(id).unwrap().case.loan.term_months, 48);
    // The terms are not the approved ones now: no order.
    let v = ws.open_case(id).unwrap();
    let e = ws.order_disbursement(id, v.version, 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::TermsChanged, "{}", e.message);
    let kinds: Vec<String> = ws
        .history(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.iter().any(|k| k == "sync_resolved"), "{kinds:?}");
}

/// The attack: the bank's copy of a submitted case changes before the reviewer signs. The
/// pull returns the case to its maker with the bank's reason; nobody signs what the maker
/// never submitted.
#[test]
fn a_pull_that_changes_a_submitted_case_returns_it_to_its_maker() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path(), true);
    let ws = demo_desk(&dir.path().join("ws"), &bank);
    let id = "AUTO-2026-000123";
    let v = ws.open_case(id).unwrap();
    ws.submit(
        id,
        v.version,
        uw_domain::case::ReviewDecision::Approve,
        "salary",
    )
    .unwrap();
    ws.sync().unwrap();
    bank_changes_the_term(&bank, id, "bank-edit-under-review");
    let report = ws.sync().unwrap();
    assert_eq!(report.pulled_updated, 1, "{report:?}");
    let v = ws.open_case(id).unwrap();
    assert_eq!(
        (v.status.as_str(), v.case.loan.term_months),
        ("returned", 48)
    );
    let r = ws.review(id).unwrap();
    assert!(
        r.workflow
            .return_comment
            .as_deref()
            .is_some_and(|c| c.contains("core bank changed")),
        "{:?}",
        r.workflow.return_comment
    );
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert_eq!(
        ws.approve(id, v.version, "bob-demo-2026").unwrap_err().code,
        ErrorCode::WrongStage
    );
}
