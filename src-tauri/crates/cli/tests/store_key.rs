//! `uw store rekey` and `uw store recover` as an administrator runs them: the `uw` binary on
//! real encrypted stores, secrets on standard input, and a rekey killed (SIGKILL) midway.
//! No Secret Service runs here: the binary's keyring is the real `secret-tool`, which
//! these tests keep away from any session bus, so a keyring write is refused.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use uw_app::recovery::RecoveryKey;
use uw_app::StoreKey;

const OLD: &str = "the first passphrase of the bank";
const NEW: &str = "the second passphrase of the bank";

/// `uw` on `data_dir`, its store's passphrase `passphrase` (none: the keyring's key), with
/// no session bus: `secret-tool` reaches no keyring of whoever runs the tests.
fn uw_command(args: &[&str], data_dir: &Path, passphrase: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uw"));
    c.args(args)
        .env("UW_DATA_DIR", data_dir)
        .env_remove("UW_STORE_PASSPHRASE")
        .env_remove("UW_BANK_URL")
        .env_remove("UW_BANK_TOKEN")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env("XDG_RUNTIME_DIR", data_dir.parent().unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = passphrase {
        c.env("UW_STORE_PASSPHRASE", p);
    }
    c
}

fn spawn(args: &[&str], data_dir: &Path, passphrase: Option<&str>, stdin: &str) -> Child {
    let mut child = uw_command(args, data_dir, passphrase).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    child
}

/// `uw args`, `stdin` on its standard input.
fn uw(args: &[&str], data_dir: &Path, passphrase: Option<&str>, stdin: &str) -> Output {
    spawn(args, data_dir, passphrase, stdin)
        .wait_with_output()
        .unwrap()
}

fn ok(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn refused(o: &Output, code: &str) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains(code), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

mod common;

/// A store under `key` with the demo's cases and `mb` megabytes of scans; its case count.
fn store(data: &Path, key: StoreKey, mb: usize) -> i64 {
    common::store_with_scans(data, key, mb)
}

/// The store's cases under `key`, or the code it is refused with.
fn cases(data: &Path, key: StoreKey) -> Result<i64, String> {
    uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: data.to_path_buf(),
        key,
        actor: "cli:test".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
    })
    .and_then(|ws| ws.status())
    .map(|s| s.case_count)
    .map_err(|e| e.code_name())
}

fn store_file(data: &Path) -> PathBuf {
    data.join("cases.db")
}

fn passphrase(p: &str) -> StoreKey {
    StoreKey::Passphrase(p.into())
}

#[test]
fn a_passphrase_store_takes_its_new_passphrase_from_standard_input_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let n = store(&data, passphrase(OLD), 0);
    let before = std::fs::read(store_file(&data)).unwrap();
    // Too short, a sheet a passphrase store has not, the passphrase on the command line:
    // refused, the store as it was.
    refused(
        &uw(&["store", "rekey"], &data, Some(OLD), "short\n"),
        "INVALID_INPUT",
    );
    let sheet = dir.path().join("sheet.pdf");
    let sheet_arg = sheet.to_str().unwrap();
    refused(
        &uw(
            &["store", "rekey", "-o", sheet_arg],
            &data,
            Some(OLD),
            &format!("{NEW}\n"),
        ),
        "INVALID_INPUT",
    );
    assert!(!sheet.exists());
    refused(
        &uw(&["store", "rekey", NEW], &data, Some(OLD), ""),
        "unexpected argument",
    );
    refused(
        &uw(&["store", "rekey"], &data, Some(OLD), ""),
        "INVALID_INPUT",
    );
    refused(
        &uw(
            &["store", "rekey"],
            &data,
            Some("not the passphrase"),
            &format!("{NEW}\n"),
        ),
        "STORE_WRONG_KEY",
    );
    assert_eq!(std::fs::read(store_file(&data)).unwrap(), before);

    let done = ok(&uw(
        &["store", "rekey"],
        &data,
        Some(OLD),
        &format!("{NEW}\n"),
    ));
    assert_eq!(
        (done["key"].as_str(), done["cases"].as_i64()),
        (Some("passphrase"), Some(n))
    );
    assert_eq!(cases(&data, passphrase(NEW)), Ok(n));
    assert_eq!(cases(&data, passphrase(OLD)), Err("STORE_WRONG_KEY".into()));
    refused(
        &uw(&["audit", "verify"], &data, Some(OLD), ""),
        "STORE_WRONG_KEY",
    );
    let trail = ok(&uw(&["audit", "verify"], &data, Some(NEW), ""));
    assert_eq!(trail["intact"], true, "{trail}");
}

#[test]
fn uw_store_recover_reads_the_key_from_standard_input_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (keyed, other) = (dir.path().join("keyed"), dir.path().join("other"));
    let key = uw_app::store_key::random_key();
    let n = store(&keyed, StoreKey::Raw(*key.bytes()), 0);
    store(&other, passphrase(OLD), 0);
    let (keyed_before, other_before) = (
        std::fs::read(store_file(&keyed)).unwrap(),
        std::fs::read(store_file(&other)).unwrap(),
    );
    let shown = key.display().to_string();

    let mut groups = key.groups();
    let typo = if groups[4].ends_with('7') { '8' } else { '7' };
    groups[4].replace_range(4..5, &typo.to_string());
    let err = refused(
        &uw(
            &["store", "recover"],
            &keyed,
            None,
            &format!("{}\n", groups.join("-")),
        ),
        "RECOVERY_KEY_TYPO",
    );
    assert!(
        err.contains("the recovery key has a typo in group 5"),
        "{err}"
    );
    refused(
        &uw(&["store", "recover"], &keyed, None, "7K2QF-U\n"),
        "INVALID_INPUT",
    );
    refused(
        &uw(&["store", "recover"], &keyed, None, ""),
        "INVALID_INPUT",
    );
    // Never from the command line, where every user of the computer sees it.
    refused(
        &uw(&["store", "recover", &shown], &keyed, None, ""),
        "unexpected argument",
    );
    // A well-formed key of another store: the store's own wrong-key refusal.
    refused(
        &uw(&["store", "recover"], &other, None, &format!("{shown}\n")),
        "STORE_WRONG_KEY",
    );
    assert_eq!(std::fs::read(store_file(&keyed)).unwrap(), keyed_before);
    assert_eq!(std::fs::read(store_file(&other)).unwrap(), other_before);
    assert!(!err.contains(&shown) && !err.contains(&key.groups()[0]));

    // The right key, typed in lower case: it opens the store and the recovery is audited,
    // but no keyring is there to keep it, and `uw` says so.
    let err = refused(
        &uw(
            &["store", "recover"],
            &keyed,
            None,
            &format!("{}\n", shown.to_lowercase()),
        ),
        "STORE_KEY_MISSING",
    );
    assert!(err.contains("the recovery key opens the store"), "{err}");
    let ws = uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: keyed.clone(),
        key: StoreKey::Raw(*key.bytes()),
        actor: "cli:test".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
    })
    .unwrap();
    assert_eq!(ws.status().unwrap().case_count, n);
    let trail = ws.verify_audit().unwrap();
    assert!(trail.problems.is_empty(), "{trail:?}");
    let log = ok(&uw(&["audit", "verify"], &other, Some(OLD), ""));
    assert_eq!(log["intact"], true);
    // A keyring store's rekey needs the keyring's key, which is not there.
    refused(
        &uw(&["store", "rekey"], &keyed, None, ""),
        "STORE_KEY_MISSING",
    );
    assert!(RecoveryKey::parse(&shown).is_ok());
}

/// When a rekey is killed.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// Once the store's WAL holds more than so many bytes: the rekey rewriting its pages.
    WalPast(u64),
    /// Once the rewrite committed and the WAL was emptied into the store.
    Committed,
    /// So many milliseconds after it started.
    After(u64),
}

/// Whether the store's WAL holds more than `bytes`: the rekey rewriting its pages.
fn wal_over(data: &Path, bytes: u64) -> bool {
    std::fs::metadata(data.join("cases.db-wal")).is_ok_and(|m| m.len() > bytes)
}

#[test]
fn a_rekey_killed_at_any_moment_leaves_the_store_under_exactly_one_key_with_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let n = store(&data, passphrase(OLD), 32);
    let (mut current, mut next) = (OLD, NEW);
    let mut caught = 0;
    let size = std::fs::metadata(store_file(&data)).unwrap().len();
    // Killed before the rewrite of the pages, midway through it (the WAL past 4 MB), near
    // its end, once it committed (the WAL checkpointed and emptied), and at once.
    for moment in [
        Kill::WalPast(4 << 20),
        Kill::WalPast(size * 99 / 100),
        Kill::Committed,
        Kill::After(0),
        Kill::After(300),
    ] {
        let mut child = spawn(
            &["store", "rekey"],
            &data,
            Some(current),
            &format!("{next}\n"),
        );
        let start = Instant::now();
        let mut rewriting = false;
        loop {
            rewriting |= wal_over(&data, 4 << 20);
            let due = match moment {
                Kill::WalPast(bytes) => wal_over(&data, bytes),
                Kill::Committed => rewriting && !wal_over(&data, 1 << 20),
                Kill::After(ms) => start.elapsed() >= Duration::from_millis(ms),
            };
            if due
                || start.elapsed() > Duration::from_secs(60)
                || child.try_wait().unwrap().is_some()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_none() {
            caught += 1;
        }
        child.kill().unwrap_or(()); // SIGKILL
        child.wait().unwrap();
        let opens = (
            cases(&data, passphrase(current)),
            cases(&data, passphrase(next)),
        );
        match opens {
            (Ok(c), Err(_)) => assert_eq!(c, n),
            (Err(_), Ok(c)) => {
                assert_eq!(c, n);
                std::mem::swap(&mut current, &mut next);
            }
            other => panic!("killed at {moment:?}: {other:?}"),
        }
        let trail = ok(&uw(&["audit", "verify"], &data, Some(current), ""));
        assert_eq!(trail["intact"], true, "{trail}");
    }
    assert!(caught > 0, "no rekey was caught midway");
    // And one left to finish.
    ok(&uw(
        &["store", "rekey"],
        &data,
        Some(current),
        &format!("{next}\n"),
    ));
    assert_eq!(cases(&data, passphrase(next)), Ok(n));
    assert_eq!(
        cases(&data, passphrase(current)),
        Err("STORE_WRONG_KEY".into())
    );
}
