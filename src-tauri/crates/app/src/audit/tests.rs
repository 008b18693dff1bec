//! The audit trail anchored at the bank, each test an attack with real parts: the
//! workstation's encrypted SQLite file (changed with its key, as the insider who holds it
//! would: the triggers dropped, entries deleted or rewritten with their hashes
//! recomputed, an old copy of the file put back) and the bank simulator over HTTP on
//! 127.0.0.1.

use std::path::Path;

use uw_bank_link::BankConfig;
use uw_domain::case::ReviewDecision;
use uw_store::audit::{codes, entry_hash, Entry};

use super::*;
use crate::tests::{open_with_bank, options};
use crate::OpenOptions;

const TOKEN: &str = "audit-bank";
const CASE: &str = "AUTO-2026-000123";

fn sim(dir: &Path) -> uw_bank_sim::Running {
    let mut c = uw_bank_sim::SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    c.assign_to = vec!["alice".into(), "carol".into()];
    uw_bank_sim::start(c).expect("the simulator starts")
}

fn config(bank: &uw_bank_sim::Running) -> BankConfig {
    BankConfig::new(&bank.url(), TOKEN)
}

/// The desk's data folder: `dir/ws`.
fn desk(dir: &Path, bank: &uw_bank_sim::Running) -> Workstation {
    open_with_bank(&dir.join("ws"), config(bank))
}

/// The bank's anchor of this desk, asked as anyone with the token could.
fn bank_anchor(bank: &uw_bank_sim::Running, ws: &Workstation) -> Option<api::AnchoredHead> {
    uw_bank_link::Bank::new(config(bank))
        .unwrap()
        .audit_anchor(&ws.workstation_id().unwrap())
        .unwrap()
}

fn head(ws: &Workstation) -> (i64, String) {
    let (id, hash, _) = ws.store().unwrap().audit_head().unwrap().unwrap();
    (id, hash)
}

/// A pass that reaches the bank and leaves nothing out.
fn clean_sync(ws: &Workstation) {
    let report = ws.sync().expect("the pass reaches the bank");
    assert!(report.errors.is_empty(), "{report:?}");
    assert_eq!(ws.sync_status().unwrap().audit_alarm, None);
}

/// The insider's tool: the store's file opened with its key (the tests' raw key), the
/// append-only triggers dropped, and `sql` run.
fn tamper(dir: &Path, sql: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(dir.join("ws/cases.db")).unwrap();
    let hex: String = [7u8; 32].iter().map(|b| format!("{b:02x}")).collect();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
    conn
}

/// Rewrites every entry's chain fields, as the insider recomputes them.
fn recompute_chain(conn: &rusqlite::Connection) {
    let rows: Vec<(i64, String, String, String, Option<String>, String)> = conn
        .prepare("SELECT id, at, actor, action, case_id, detail FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = uw_store::audit::GENESIS.to_string();
    for (id, at, actor, action, case_id, detail) in rows {
        let e = Entry {
            id,
            at: &at,
            actor: &actor,
            action: &action,
            case_id: case_id.as_deref(),
            detail: &detail,
        };
        let h = entry_hash(&prev, &e);
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            rusqlite::params![id, prev, h],
        )
        .unwrap();
        prev = h;
    }
}

fn problem_codes(r: &uw_store::AuditReport) -> Vec<(String, Option<i64>)> {
    r.problems
        .iter()
        .map(|p| (p.code.clone(), p.entry_id))
        .collect()
}

fn assert_alarm(ws: &Workstation, report: &SyncReport, anchored: i64) {
    let first = report.errors.first().expect("the pass reports the refusal");
    assert!(first.starts_with("AUDIT_NOT_EXTENDED: "), "{report:?}");
    let status = ws.sync_status().unwrap();
    let alarm = status.audit_alarm.expect("the status shows the alarm");
    assert!(alarm.contains(&format!("entry {anchored}")), "{alarm}");
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("AUDIT_NOT_EXTENDED")),
        "{:?}",
        status.last_error
    );
}

#[test]
fn each_pass_anchors_the_head_under_the_store_s_own_id() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    let id = ws.workstation_id().unwrap();
    assert_eq!(id.len(), 32);
    assert!(
        !id.contains("ws") && !id.contains('/'),
        "never the folder: {id}"
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    let a = bank_anchor(&bank, &ws).expect("anchored");
    assert_eq!((a.entry_id, a.hash.clone()), head(&ws));
    assert_eq!(a.previous_anchor, None);
    assert_eq!(ws.store().unwrap().audit_unanchored().unwrap(), 0);
    // Nothing new: the pass confirms the anchor.
    clean_sync(&ws);
    assert_eq!(bank_anchor(&bank, &ws).unwrap().entry_id, a.entry_id);
    ws.logout().unwrap();
    clean_sync(&ws);
    let b = bank_anchor(&bank, &ws).unwrap();
    assert_eq!(b.previous_anchor.unwrap().entry_id, a.entry_id);
    assert!(b.entry_id > a.entry_id);
    let report = ws.verify_audit().unwrap();
    assert!(report.intact, "{report:?}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("holds the bank's anchor")),
        "{report:?}"
    );
}

/// The insider deletes the last entries with the store's key: the next pass's head does
/// not extend the bank's anchor, the bank refuses it, and the status raises the alarm.
#[test]
fn a_cut_tail_is_refused_at_the_next_sync_and_the_status_shows_the_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.logout().unwrap();
    clean_sync(&ws);
    let anchored = bank_anchor(&bank, &ws).unwrap().entry_id;
    assert_eq!(anchored, head(&ws).0);
    drop(ws);

    tamper(
        dir.path(),
        &format!("DELETE FROM audit_log WHERE id > {};", anchored - 2),
    );
    let ws = desk(dir.path(), &bank);
    assert!(
        ws.store().unwrap().verify_audit().unwrap().intact,
        "locally a cut tail shows nothing"
    );
    let report = ws.sync().unwrap();
    assert_alarm(&ws, &report, anchored);
    assert_eq!(bank_anchor(&bank, &ws).unwrap().entry_id, anchored);
    // Verification against the bank names the entry the bank anchored.
    let r = ws.verify_audit().unwrap();
    assert_eq!(
        problem_codes(&r),
        [(codes::ROLLED_BACK.to_string(), Some(anchored))]
    );
    // The alarm stays while the trail does not extend the anchor: new work does not
    // clear it.
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let report = ws.sync().unwrap();
    assert_alarm(&ws, &report, anchored);
}

/// An old copy of `cases.db` put back over the store: the bank anchored entries the copy
/// never had; the pass is refused and `verify_audit` says AUDIT_ROLLED_BACK.
#[test]
fn an_old_copy_put_back_is_refused_and_named_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    ws.logout().unwrap();
    drop(ws);
    let db = dir.path().join("ws/cases.db");
    let copy = dir.path().join("copy-of-cases.db");
    std::fs::copy(&db, &copy).unwrap();

    // More work, anchored.
    let ws = desk(dir.path(), &bank);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case(CASE).unwrap();
    let mut case = serde_json::to_value(&v.case).unwrap();
    case["loan"]["term_months"] = serde_json::json!(48);
    ws.save_case(CASE, v.version, case).unwrap();
    ws.logout().unwrap();
    clean_sync(&ws);
    let anchored = bank_anchor(&bank, &ws).unwrap().entry_id;
    let id = ws.workstation_id().unwrap();
    drop(ws);

    // The copy put back (its WAL went with the close).
    std::fs::copy(&copy, &db).unwrap();
    for side in ["cases.db-wal", "cases.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join("ws").join(side));
    }
    let ws = desk(dir.path(), &bank);
    assert_eq!(
        ws.workstation_id().unwrap(),
        id,
        "the copy carries the store's id"
    );
    assert!(head(&ws).0 < anchored);
    assert!(ws.store().unwrap().verify_audit().unwrap().intact);
    let report = ws.sync().unwrap();
    assert_alarm(&ws, &report, anchored);
    let r = ws.verify_audit().unwrap();
    assert!(!r.intact);
    assert_eq!(
        problem_codes(&r),
        [(codes::ROLLED_BACK.to_string(), Some(anchored))]
    );
    // Work past the anchored id does not hide it: the entry there is another one.
    while head(&ws).0 <= anchored {
        ws.login("alice", "alice-demo-2026", None).unwrap();
        ws.logout().unwrap();
    }
    let report = ws.sync().unwrap();
    assert_alarm(&ws, &report, anchored);
    let r = ws.verify_audit().unwrap();
    assert_eq!(
        problem_codes(&r),
        [(codes::ROLLED_BACK.to_string(), Some(anchored))]
    );
    assert!(r.problems[0].message.contains("holds another"), "{r:?}");
}

/// The insider changes an anchored entry and recomputes every hash after it: the chain
/// verifies on its own, but no longer holds the bank's anchor — verification says so,
/// and the next head is refused.
#[test]
fn a_chain_rewritten_with_recomputed_hashes_no_longer_holds_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    ws.logout().unwrap();
    clean_sync(&ws);
    let anchored = bank_anchor(&bank, &ws).unwrap().entry_id;
    drop(ws);

    let conn = tamper(
        dir.path(),
        "UPDATE audit_log SET actor = 'bob' WHERE action = 'login' AND actor = 'alice';",
    );
    recompute_chain(&conn);
    drop(conn);

    // Without the bank the chain holds up…
    let alone = Workstation::open(options(&dir.path().join("ws"), "os-user", false, true)).unwrap();
    let r = alone.verify_audit().unwrap();
    assert!(r.intact, "{r:?}");
    assert!(r.notes[0].contains("no bank is configured"), "{r:?}");
    drop(alone);
    // …against the bank it does not.
    let ws = desk(dir.path(), &bank);
    let r = ws.verify_audit().unwrap();
    assert_eq!(
        problem_codes(&r),
        [(codes::ROLLED_BACK.to_string(), Some(anchored))]
    );
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let report = ws.sync().unwrap();
    assert_alarm(&ws, &report, anchored);
}

/// Decisions and disbursement orders wait while more entries than the limit lie past the
/// bank's anchor, and go once a sync anchors them. Without a bank nothing waits.
#[test]
fn decisions_wait_past_the_unanchored_limit_and_go_after_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    assert_eq!(ws.unanchored_limit().unwrap(), AUDIT_UNANCHORED_LIMIT);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    assert_eq!(
        ws.set_unanchored_limit(3).unwrap_err().code,
        ErrorCode::MissingRole
    );
    ws.logout().unwrap();
    ws.login("admin", "admin-demo-2026", None).unwrap();
    assert_eq!(
        ws.set_unanchored_limit(0).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    ws.set_unanchored_limit(3).unwrap();
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    for _ in 0..2 {
        ws.logout().unwrap();
        ws.login("alice", "alice-demo-2026", None).unwrap();
    }
    assert_eq!(ws.store().unwrap().audit_unanchored().unwrap(), 4);
    let v = ws.open_case(CASE).unwrap();
    let e = ws
        .submit(CASE, v.version, ReviewDecision::Approve, "DTI 32 %")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuditUnanchored);
    assert!(
        e.message
            .contains("4 audit entries since the bank last anchored the audit trail")
            && e.message.contains("sync with the bank first"),
        "{}",
        e.message
    );
    let e = ws.order_disbursement(CASE, v.version, 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::AuditUnanchored);

    clean_sync(&ws);
    let v = ws
        .submit(CASE, v.version, ReviewDecision::Approve, "DTI 32 %")
        .expect("after the sync the decision goes");
    assert_eq!(v.status, "submitted");
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    while ws.store().unwrap().audit_unanchored().unwrap() <= 3 {
        ws.logout().unwrap();
        ws.login("bob", "bob-demo-2026", None).unwrap();
    }
    let v = ws.open_case(CASE).unwrap();
    let e = ws
        .return_case(CASE, v.version, "the income needs a second look")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuditUnanchored, "{}", e.message);
    clean_sync(&ws);
    ws.return_case(CASE, v.version, "the income needs a second look")
        .unwrap();

    // A workstation without a bank has nothing to anchor to: its decisions never wait.
    let alone_dir = tempfile::tempdir().unwrap();
    let alone = Workstation::open(options(alone_dir.path(), "os-user", true, true)).unwrap();
    alone.login("admin", "admin-demo-2026", None).unwrap();
    alone.set_unanchored_limit(1).unwrap();
    alone.logout().unwrap();
    alone.login("alice", "alice-demo-2026", None).unwrap();
    assert!(alone.store().unwrap().audit_unanchored().unwrap() > 1);
    let v = alone.open_case(CASE).unwrap();
    alone
        .submit(CASE, v.version, ReviewDecision::Approve, "DTI 32 %")
        .expect("no bank, no wait");
}

/// The bank took a head and the answer never arrived: the next pass finds the bank's
/// anchor in its own chain and goes on from it, with no alarm.
#[test]
fn a_lost_answer_is_no_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = desk(dir.path(), &bank);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    ws.logout().unwrap();
    bank.set_faults(uw_bank_sim::Faults {
        reset_pct: 100,
        only: Some("/v1/audit-heads".into()),
        ..uw_bank_sim::Faults::default()
    });
    let report = ws.sync().unwrap();
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.starts_with("audit chain head:")),
        "{report:?}"
    );
    bank.set_faults(uw_bank_sim::Faults::default());
    let taken = bank_anchor(&bank, &ws).unwrap();
    assert_eq!(taken.entry_id, head(&ws).0, "the bank acted");
    assert_ne!(
        ws.store().unwrap().audit_anchor().unwrap().unwrap().0,
        taken.entry_id
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    clean_sync(&ws);
    assert_eq!(bank_anchor(&bank, &ws).unwrap().entry_id, head(&ws).0);
}

/// With the bank's directory, the head goes signed by the person logged in, and the bank
/// names them; with nobody logged in it goes unsigned.
#[test]
fn with_the_directory_the_logged_in_person_signs_the_head() {
    use uw_directory::slapd::{fixture_password as pw, Slapd};
    let slapd = Slapd::fixture().expect("slapd starts (see .ci/setup)");
    let dir = tempfile::tempdir().unwrap();
    let mut c = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    c.token = TOKEN.into();
    c.directory = Some(slapd.config());
    let bank = uw_bank_sim::start(c).unwrap();
    assert!(bank.enforcing());
    let ws = Workstation::open(OpenOptions {
        bank: Some(config(&bank)),
        directory: Some(slapd.config()),
        ..options(&dir.path().join("ws"), "os-user", false, true)
    })
    .unwrap();
    let s = ws.login("alice", &pw("alice"), None).unwrap();
    assert_eq!(s.signing_key, "enrolled");
    clean_sync(&ws);
    assert_eq!(
        bank_anchor(&bank, &ws).unwrap().signer.as_deref(),
        Some("alice")
    );
    ws.logout().unwrap();
    clean_sync(&ws);
    let a = bank_anchor(&bank, &ws).unwrap();
    assert_eq!((a.entry_id, a.signer), (head(&ws).0, None));
}
