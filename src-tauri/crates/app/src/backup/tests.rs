//! Backups and restores on real stores, the bank simulator over HTTP on 127.0.0.1 holding
//! the anchor a restore answers to.

use std::path::Path;

use uw_bank_link::BankConfig;

use super::*;
use crate::tests::{open_with_bank, options};

const TOKEN: &str = "backup-bank";

fn sim(dir: &Path) -> uw_bank_sim::Running {
    let mut c = uw_bank_sim::SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    uw_bank_sim::start(c).expect("the simulator starts")
}

fn config(bank: &uw_bank_sim::Running) -> BankConfig {
    BankConfig::new(&bank.url(), TOKEN)
}

fn key() -> StoreKey {
    options(Path::new("."), "x", false, false).key
}

/// Some work on the desk: entries in its trail.
fn work(ws: &Workstation, what: &str) {
    ws.store()
        .expect("store")
        .audit(&now_rfc3339(), "alice", what, "{}")
        .expect("audited");
}

fn synced(ws: &Workstation) {
    let report = ws.sync().expect("the pass reaches the bank");
    assert!(report.errors.is_empty(), "{report:?}");
}

#[test]
fn a_backup_behind_the_bank_is_refused_unless_forced_and_the_forcing_is_audited() {
    let dir = tempfile::tempdir().expect("tmp");
    let bank = sim(dir.path());
    let data = dir.path().join("ws");
    let old = dir.path().join("old.uwb");
    let fresh = dir.path().join("fresh.uwb");
    {
        let ws = open_with_bank(&data, config(&bank));
        ws.login("admin", "admin-demo-2026", None)
            .expect("the administrator");
        work(&ws, "morning");
        synced(&ws);
        ws.backup(&old).expect("backed up");
        work(&ws, "afternoon");
        synced(&ws);
        ws.backup(&fresh).expect("backed up");
        work(&ws, "evening");
    }
    let restore = |file: &Path, force: Option<&str>| {
        restore(&data, &key(), Some(config(&bank)), file, "cli:1000", force)
    };
    let e = restore(&old, None).expect_err("behind the bank");
    assert_eq!(e.code, ErrorCode::BackupBehindBank, "{}", e.message);
    assert!(e.message.contains("the bank anchored"), "{}", e.message);
    assert!(!data.join("cases.db.restoring").exists());
    let e = restore(&old, Some("short")).expect_err("a reason is a sentence");
    assert_eq!(e.code, ErrorCode::CommentRequired);

    // The fresh one holds the bank's anchor: restored, the replaced store kept beside it.
    let done = restore(&fresh, None).expect("restored");
    assert_eq!(
        done.anchor.as_deref().map(|a| a.ends_with("(the bank)")),
        Some(true)
    );
    let kept = done.kept.expect("kept");
    assert!(Path::new(&kept).exists());

    // Forced, with its reason in the restored store's trail.
    let done = restore(&old, Some("disk failure, ticket IT-4411")).expect("forced");
    assert_eq!(done.forced.as_deref(), Some("disk failure, ticket IT-4411"));
    let ws = open_with_bank(&data, config(&bank));
    let tail = ws.store().expect("store").audit_tail(1).expect("tail");
    assert_eq!(tail[0].action, "store_restored");
    assert_eq!(tail[0].actor, "cli:1000");
    assert!(tail[0].detail.contains("IT-4411"), "{}", tail[0].detail);
    // The bank is not fooled: the restored trail does not extend its anchor.
    let report = ws.sync().expect("the pass");
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.starts_with("AUDIT_NOT_EXTENDED")),
        "{report:?}"
    );
}

#[test]
fn without_a_bank_a_restore_answers_to_the_anchor_the_store_recorded() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("ws");
    let file = dir.path().join("b.uwb");
    {
        let ws = Workstation::open(options(&data, "alice", true, false)).expect("opens");
        ws.backup(&file).expect("backed up");
        let tail = ws.store().expect("store").audit_tail(1).expect("tail");
        assert_eq!(tail[0].action, "backup_made");
        // The bank once took entry 1 with another hash than the backup's.
        ws.store()
            .expect("store")
            .set_audit_anchor(1, "0000")
            .expect("recorded");
    }
    let e = restore(&data, &key(), None, &file, "cli:1000", None).expect_err("behind");
    assert_eq!(e.code, ErrorCode::BackupBehindBank);
    assert!(
        e.message.contains("this store's last sync"),
        "{}",
        e.message
    );
    // Into an empty folder (a new machine) nothing is anchored yet.
    let elsewhere = dir.path().join("new-machine");
    let done = restore(&elsewhere, &key(), None, &file, "cli:1000", None).expect("restored");
    assert!(done.kept.is_none() && done.backup.cases > 0, "{done:?}");
}

#[test]
fn an_administrator_backs_up_when_people_log_in() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workstation::open(options(dir.path(), "os-user", true, true)).expect("opens");
    let file = dir.path().join("b.uwb");
    assert_eq!(
        ws.backup(&file).expect_err("no session").code,
        ErrorCode::NotLoggedIn
    );
    ws.login("alice", "alice-demo-2026", None).expect("alice");
    assert_eq!(
        ws.backup(&file)
            .expect_err("alice is no administrator")
            .code,
        ErrorCode::MissingRole
    );
    assert!(!file.exists());
}
