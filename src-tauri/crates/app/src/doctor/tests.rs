//! The health report on real stores: whole, tampered, with a bank that does not answer —
//! and never a word of a client's.

use std::path::Path;

use super::*;
use crate::tests::{open_with_bank, options};

const CASE: &str = "AUTO-2026-000123";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn check<'a>(h: &'a Health, name: &str) -> &'a Check {
    h.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}: {h:?}"))
}

#[test]
fn a_whole_desk_is_healthy_and_the_report_holds_nothing_personal() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = crate::Workstation::open(options(dir.path(), "alice", true, false)).expect("opens");
    let h = ws.doctor(now());
    for name in [
        "store_integrity",
        "audit_chain",
        "audit_anchor",
        "outbox",
        "bank",
        "directory",
        "reader",
    ] {
        assert!(check(&h, name).ok, "{name}: {h:?}");
    }
    assert_eq!(h.versions.schema, uw_store::schema_version());
    assert!(!h.versions.cipher.starts_with("unknown"), "{h:?}");
    // Not a name, PINFL, passport number, phone or amount of the demo's cases.
    let report = serde_json::to_string(&h).expect("json");
    let case = ws.open_case(CASE).expect("the demo case");
    let json = serde_json::to_value(&case.case).expect("json");
    let person = &json["parties"][0];
    let personal = [
        &person["full_name"],
        &person["pinfl"],
        &person["identity"]["number"],
        &json["loan"]["amount"],
    ];
    for value in personal {
        let value = value.as_str().expect("the demo case carries it");
        assert!(!report.contains(value), "{value} in {report}");
    }
}

#[test]
fn a_broken_chain_and_a_silent_bank_fail_their_checks_and_the_others_still_run() {
    let dir = tempfile::tempdir().expect("tmp");
    // A bank at an address where nothing listens, and an entry waiting for it.
    let silent = uw_bank_link::BankConfig::new("http://127.0.0.1:9", "token");
    let data = dir.path().join("ws");
    {
        let ws = open_with_bank(&data, silent.clone());
        ws.login("alice", "alice-demo-2026", None).expect("alice");
        let text = include_str!("../../../../../assets/demo/cases/AUTO-2026-000123.json");
        ws.import_texts(&[("case.json".into(), text.into())])
            .expect("imported, it waits for the bank");
    }
    tamper(&data, "DELETE FROM audit_log WHERE id = 2;");
    let ws = open_with_bank(&data, silent);
    let in_two_days = now() + chrono::Duration::days(2);
    let h = ws.doctor(in_two_days);
    assert!(!h.ok);
    assert!(!check(&h, "audit_chain").ok, "{h:?}");
    assert!(check(&h, "audit_chain").detail.contains("entry"), "{h:?}");
    assert!(!check(&h, "bank").ok, "{h:?}");
    let outbox = check(&h, "outbox");
    assert!(!outbox.ok && outbox.detail.contains("2 d"), "{outbox:?}");
    assert!(check(&h, "store_integrity").ok, "{h:?}");
}

/// The insider's tool: the store opened with its key, the append-only triggers dropped.
fn tamper(data: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(data.join("cases.db")).expect("open");
    let hex: String = [7u8; 32].iter().map(|b| format!("{b:02x}")).collect();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .expect("key");
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .expect("triggers");
    conn.execute_batch(sql).expect("tampered");
}

#[test]
fn a_recent_backup_stands_for_the_scans_and_a_scheduled_one_must_be_recent() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).expect("folder");
    let ws = crate::Workstation::open(options(&dir.path().join("ws"), "alice", true, false))
        .expect("opens");
    let detail = |h: &Health, name: &str| check(h, name).detail.clone();

    let h = ws.doctor(now());
    assert_eq!(detail(&h, "store_integrity"), "integrity_check: ok");
    assert!(check(&h, "backup").ok, "no folder: by hand only: {h:?}");

    ws.store()
        .expect("store")
        .set_setting(crate::BACKUP_FOLDER, &folder.display().to_string())
        .expect("set");
    let h = ws.doctor(now());
    assert!(!check(&h, "backup").ok, "scheduled and never made: {h:?}");
    assert!(!h.ok);

    ws.backup(&folder.join("by-hand.uwb")).expect("backed up");
    let h = ws.doctor(now());
    assert!(check(&h, "backup").ok, "{h:?}");
    let d = detail(&h, "store_integrity");
    assert!(d.contains("the scans as checked by the backup of"), "{d}");
    assert!(check(&h, "store_integrity").ok);

    // Three days on, the backup stands for nothing: the whole store is checked, and the
    // schedule's check fails.
    let later = now() + chrono::Duration::days(3);
    let h = ws.doctor(later);
    assert_eq!(detail(&h, "store_integrity"), "integrity_check: ok");
    assert!(!check(&h, "backup").ok, "{h:?}");
}
