//! `uw backup` and `uw restore` as an administrator runs them: the `uw` binary on a real
//! encrypted store, and a backup killed (SIGKILL) in the middle.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{ok, refused, uw_command, PASSPHRASE};

fn uw(args: &[&str], data_dir: &Path) -> Output {
    uw_command(args, data_dir, None).output().expect("run uw")
}

/// A store with the demo case and `mb` megabytes of scans.
fn store(data: &Path, mb: usize) {
    common::store_with_scans(data, uw_app::StoreKey::Passphrase(PASSPHRASE.into()), mb);
}

fn partial(file: &Path) -> PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

#[test]
fn a_backup_restores_into_a_new_machine_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    store(&data, 8);
    let file = dir.path().join("backup.uwb");
    let made = ok(&uw(&["backup", "-o", file.to_str().unwrap()], &data));
    assert_eq!(made["scans"], 1);
    let cases = made["cases"].as_i64().unwrap();
    assert!(cases > 0, "{made}");

    // A new machine: the backup restored into an empty folder opens with its trail whole.
    let new = dir.path().join("new");
    let restored = ok(&uw(&["restore", file.to_str().unwrap()], &new));
    assert_eq!(restored["backup"]["cases"], cases);
    assert_eq!(restored["kept"], serde_json::Value::Null);
    ok(&uw(&["audit", "verify"], &new));

    // Truncated, from another key, no backup at all: refused, the store untouched.
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.path().join("cut.uwb");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let text = dir.path().join("notes.uwb");
    std::fs::write(&text, "not a backup").unwrap();
    // A cut file may fail as not ours or as not decrypting, as its bytes fall.
    let unreadable = ["STORE_FOREIGN", "STORE_WRONG_KEY"].as_slice();
    for (bad, codes) in [
        (&cut, unreadable),
        (&text, unreadable),
        (&dir.path().join("none.uwb"), &["STORE_UNAVAILABLE"]),
    ] {
        let o = uw(&["restore", bad.to_str().unwrap()], &data);
        let code = codes
            .iter()
            .find(|c| common::says(&o, c))
            .unwrap_or(&codes[0]);
        let err = refused(&o, code);
        assert!(err.contains(bad.to_str().unwrap()), "{err}");
    }
    let other = uw_command(&["restore", file.to_str().unwrap()], &data, None)
        .env("UW_STORE_PASSPHRASE", "another passphrase entirely")
        .output()
        .unwrap();
    refused(&other, "STORE_WRONG_KEY");
    ok(&uw(&["audit", "verify"], &data));
    refused(
        &uw(
            &["restore", "--force", "oops", file.to_str().unwrap()],
            &data,
        ),
        "COMMENT_REQUIRED",
    );
}

#[test]
fn a_backup_killed_midway_leaves_the_store_and_the_last_good_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    store(&data, 96);
    let file = dir.path().join("backup.uwb");
    let first = ok(&uw(&["backup", "-o", file.to_str().unwrap()], &data));
    let good = std::fs::read(&file).unwrap();

    // Killed while it writes its copy, as often as it takes to catch it midway.
    let mut caught = false;
    for _ in 0..5 {
        let mut child = uw_command(&["backup", "-o", file.to_str().unwrap()], &data, None)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            let written = std::fs::metadata(partial(&file)).map_or(0, |m| m.len());
            if written > 0 || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap_or(()); // SIGKILL
        child.wait().unwrap();
        if running {
            caught = true;
            break;
        }
    }
    assert!(caught, "no backup was caught midway");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        good,
        "the last good backup is as it was"
    );
    ok(&uw(&["audit", "verify"], &data));
    let new = dir.path().join("new");
    let restored = ok(&uw(&["restore", file.to_str().unwrap()], &new));
    assert_eq!(restored["backup"]["scans"], first["scans"]);
    // The next backup takes the partial file's place.
    ok(&uw(&["backup", "-o", file.to_str().unwrap()], &data));
    assert!(!partial(&file).exists());
}
