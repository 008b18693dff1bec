//! `uw audit verify` and `uw sync` against the attacks on the audit trail, as a user runs
//! them: the `uw` binary on a real encrypted store, the bank simulator over HTTP on
//! 127.0.0.1, and the insider's tools — the store's file opened with its key, an old
//! copy of the file put back.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::path::Path;
use std::process::Output;

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const TOKEN: &str = "cli-audit";

mod common;
use common::{json, ok, refused, stderr, uw_command, PASSPHRASE};

fn uw(args: &[&str], data_dir: &Path, bank: Option<&str>) -> Output {
    uw_command(args, data_dir, bank.map(|url| (url, TOKEN)))
        .output()
        .expect("run uw")
}

/// The insider's tool: the store's file opened with its passphrase, the append-only
/// triggers dropped, `sql` run.
fn tamper(data_dir: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(data_dir.join("cases.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = '{PASSPHRASE}';"))
        .unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn bank(dir: &Path) -> uw_bank_sim::Running {
    let mut c = uw_bank_sim::SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    uw_bank_sim::start(c).unwrap()
}

/// A store with the example case and two exports: three entries.
fn store(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let file = dir.join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    ok(&uw(&["import", file.to_str().unwrap()], &data, None));
    let out = dir.join("exported.json");
    for _ in 0..2 {
        let o = uw(
            &["export", "AUTO-2026-000123", "-o", out.to_str().unwrap()],
            &data,
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    data
}

/// An old copy of `cases.db` put back after more work was anchored: `uw sync` is refused
/// `AUDIT_NOT_EXTENDED` and its status shows the alarm; `uw audit verify` says
/// `AUDIT_ROLLED_BACK`, naming the entry the bank anchored.
#[test]
fn an_old_copy_put_back_is_refused_by_the_bank_and_named_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let sim = bank(dir.path());
    let url = sim.url();
    let data = store(dir.path());
    ok(&uw(&["sync"], &data, Some(&url)));
    let v = ok(&uw(&["audit", "verify"], &data, Some(&url)));
    assert_eq!(
        (v["intact"].as_bool(), v["entries"].as_u64()),
        (Some(true), Some(3))
    );
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("holds the bank's anchor: entry 3"),
        "{v}"
    );

    let db = data.join("cases.db");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    // More work, anchored.
    let out = dir.path().join("again.json");
    for _ in 0..3 {
        let o = uw(
            &["export", "AUTO-2026-000123", "-o", out.to_str().unwrap()],
            &data,
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    ok(&uw(&["sync"], &data, Some(&url)));

    // The copy put back.
    std::fs::copy(&copy, &db).unwrap();
    for side in ["cases.db-wal", "cases.db-shm"] {
        let _ = std::fs::remove_file(data.join(side));
    }
    // Locally the copy is a whole trail…
    ok(&uw(&["audit", "verify"], &data, None));
    // …the bank refuses its head…
    let err = refused(&uw(&["sync"], &data, Some(&url)), "AUDIT_NOT_EXTENDED");
    assert!(err.contains("entry 6"), "{err}");
    let status = ok(&uw(&["sync", "--status"], &data, Some(&url)));
    assert!(
        status["audit_alarm"].as_str().unwrap().contains("entry 6"),
        "{status}"
    );
    assert!(
        status["last_error"]
            .as_str()
            .unwrap()
            .starts_with("AUDIT_NOT_EXTENDED"),
        "{status}"
    );
    // …and verification against the bank names what was rolled back.
    let o = uw(&["audit", "verify"], &data, Some(&url));
    let err = refused(&o, "AUDIT_ROLLED_BACK");
    assert!(
        err.contains("audit entry 6: the bank anchored this entry"),
        "{err}"
    );
    let report = json(&o);
    assert_eq!(report["intact"], false);
    assert_eq!(report["problems"][0]["code"], "AUDIT_ROLLED_BACK");
    assert_eq!(report["problems"][0]["entry_id"], 6);
}

/// The insider cuts the trail's last entries off with the store's key: the chain
/// verifies locally, the bank refuses the next head.
#[test]
fn a_cut_tail_is_refused_at_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let sim = bank(dir.path());
    let url = sim.url();
    let data = store(dir.path());
    ok(&uw(&["sync"], &data, Some(&url)));
    tamper(&data, "DELETE FROM audit_log WHERE id > 1;");
    ok(&uw(&["audit", "verify"], &data, None));
    let err = refused(&uw(&["sync"], &data, Some(&url)), "AUDIT_NOT_EXTENDED");
    assert!(err.contains("entry 3"), "{err}");
    refused(
        &uw(&["audit", "verify"], &data, Some(&url)),
        "AUDIT_ROLLED_BACK",
    );
}

/// A hole in the ids and a time that goes back, each named by its entry; exit 1.
#[test]
fn a_gap_and_time_going_back_are_named_by_their_entries() {
    let dir = tempfile::tempdir().unwrap();
    let data = store(dir.path());
    tamper(&data, "DELETE FROM audit_log WHERE id = 2;");
    let o = uw(&["audit", "verify"], &data, None);
    let err = refused(&o, "AUDIT_BROKEN");
    assert!(
        err.contains("audit entry 3: it follows entry 1: entries 2 to 2 are missing (AUDIT_GAP)"),
        "{err}"
    );
    assert!(
        err.contains("audit entry 3 does not fit the chain"),
        "{err}"
    );
    let report = json(&o);
    let codes: Vec<_> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["entry_id"].as_i64()))
        .collect();
    assert_eq!(codes, [("AUDIT_BROKEN", Some(3)), ("AUDIT_GAP", Some(3))]);

    let dir = tempfile::tempdir().unwrap();
    let data = store(dir.path());
    tamper(
        &data,
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE id = 3;",
    );
    let err = refused(&uw(&["audit", "verify"], &data, None), "AUDIT_BROKEN");
    assert!(
        err.contains("audit entry 3: its time 2020-01-01T00:00:00Z is before the time")
            && err.contains("(AUDIT_TIME_BACKWARDS)"),
        "{err}"
    );
}
