//! The data folder, files at rest, the bank from outside and what a child process sees.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use super::*;
use crate::tests::ca_pem;
use crate::{OpenOptions, Workstation};

fn options(dir: &Path) -> OpenOptions {
    crate::tests::options(dir, "alice", false, false)
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// What a child sees

fn vars(list: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    list.iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect()
}

#[test]
fn a_child_gets_the_display_the_session_and_the_language_and_nothing_uw() {
    let parent = vars(&[
        ("PATH", "/usr/bin:/bin"),
        ("HOME", "/home/alice"),
        ("DISPLAY", ":0"),
        ("XAUTHORITY", "/run/user/1000/gdm/Xauthority"),
        ("WAYLAND_DISPLAY", "wayland-0"),
        ("XDG_RUNTIME_DIR", "/run/user/1000"),
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus"),
        ("LANG", "uz_UZ.UTF-8"),
        ("LC_TIME", "ru_RU.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("UW_STORE_PASSPHRASE", "the store's passphrase"),
        ("UW_BANK_TOKEN", "the bank's token"),
        ("UW_BANK_URL", "https://core.bank.uz/"),
        ("UW_DATA_DIR", "/srv/uw"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
        ("LD_PRELOAD", "/tmp/evil.so"),
        ("SSH_AUTH_SOCK", "/tmp/ssh-agent"),
    ]);
    let child: Vec<String> = child_env(parent)
        .into_iter()
        .map(|(k, _)| k.into_string().unwrap())
        .collect();
    assert_eq!(
        child,
        [
            "PATH",
            "HOME",
            "DISPLAY",
            "XAUTHORITY",
            "WAYLAND_DISPLAY",
            "XDG_RUNTIME_DIR",
            "DBUS_SESSION_BUS_ADDRESS",
            "LANG",
            "LC_TIME",
            "LC_ALL",
        ]
    );
    assert!(CHILD_ENV.iter().all(|k| !k.starts_with("UW_")));
    assert!(!child_may_see("UW_OPEN_WITH"));
}

/// Run in a process of its own by the test below (which sets its environment); does
/// nothing otherwise.
#[test]
fn child_env_probe() {
    if std::env::var_os("UW_CHILD_ENV_PROBE").is_none() {
        return;
    }
    let env = if Path::new("/usr/bin/env").exists() {
        "/usr/bin/env"
    } else {
        "env"
    };
    let out = child_command(env).output().expect("env runs");
    assert!(out.status.success());
    println!(
        "--- child env ---\n{}--- end ---",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_child_started_by_the_workstation_sees_no_secret_of_its_parent() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "paths::tests::child_env_probe",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env("PATH", &path)
        .env("HOME", "/home/alice")
        .env("DISPLAY", ":99")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
        .env("LC_TIME", "uz_UZ.UTF-8")
        .env("UW_STORE_PASSPHRASE", "the store's passphrase")
        .env("UW_BANK_TOKEN", "the bank's token")
        .env("UW_CHILD_ENV_PROBE", "1")
        .env("SOMETHING_ELSE", "not for the viewer")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let start = stdout.find("--- child env ---\n").expect("the probe ran") + 18;
    let end = start + stdout[start..].find("--- end ---").unwrap();
    let mut seen: Vec<&str> = stdout[start..end].lines().collect();
    seen.sort_unstable();
    let path_line = format!("PATH={}", path.to_string_lossy());
    let mut expected = vec![
        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus",
        "DISPLAY=:99",
        "HOME=/home/alice",
        "LC_TIME=uz_UZ.UTF-8",
        path_line.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(seen, expected);
    assert!(!stdout[start..end].contains("UW_"));
    assert!(!stdout[start..end].contains("passphrase"));
}

#[test]
fn secret_tool_is_the_installed_one_when_there_is_one() {
    let tool = secret_tool();
    if Path::new("/usr/bin/secret-tool").is_file() {
        assert_eq!(tool, Path::new("/usr/bin/secret-tool"));
    } else {
        assert_eq!(tool, Path::new("secret-tool"));
    }
}

// ---------------------------------------------------------------------------------------
// The data folder

#[test]
fn a_new_data_folder_is_private_and_an_existing_one_is_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("a/b/data");
    drop(Workstation::open(options(&new)).unwrap());
    assert_eq!(mode(&new), 0o700);
    assert_eq!(mode(&dir.path().join("a")), 0o700);

    let existing = dir.path().join("shared-by-mistake");
    std::fs::create_dir(&existing).unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(Workstation::open(options(&existing)).unwrap());
    assert_eq!(mode(&existing), 0o700);
    // Opened again: still private, still opens.
    drop(Workstation::open(options(&existing)).unwrap());
    assert_eq!(mode(&existing), 0o700);

    // A folder shared by everyone (sticky, like /tmp) is not the workstation's own.
    let tmp_like = dir.path().join("tmp-like");
    std::fs::create_dir(&tmp_like).unwrap();
    std::fs::set_permissions(&tmp_like, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let err = Workstation::open(options(&tmp_like)).err().unwrap();
    assert_eq!(err.code, ErrorCode::StoreUnavailable);
    assert!(
        err.message.contains("a folder of its own"),
        "{}",
        err.message
    );
    assert!(!tmp_like.join("cases.db").exists());
}

// ---------------------------------------------------------------------------------------
// Files written whole

#[test]
fn a_file_is_written_whole_private_and_without_a_temporary_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("AUTO-1.json");
    write_atomically(&path, b"first").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    assert_eq!(mode(&path), 0o600);
    // Over a file others could read: replaced, and private now.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_atomically(&path, b"second, longer").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(names_in(dir.path()), ["AUTO-1.json"]);

    // Where it cannot go: an error naming the file, and nothing left behind.
    let missing = dir.path().join("no-such-folder/AUTO-1.json");
    let err = write_atomically(&missing, b"x").unwrap_err();
    assert_eq!(err.code, ErrorCode::Io);
    assert!(
        err.message.contains("no-such-folder/AUTO-1.json"),
        "{}",
        err.message
    );
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let err = write_atomically(&folder, b"x").unwrap_err();
    assert!(err.message.contains("a-folder"), "{}", err.message);
    assert_eq!(names_in(dir.path()), ["AUTO-1.json", "a-folder"]);
    assert!(names_in(&folder).is_empty());
}

#[test]
fn an_exported_case_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(crate::tests::options(dir.path(), "alice", true, false)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let file = out.join("AUTO-2026-000123.json");
    ws.export_case_to("AUTO-2026-000123", &file).unwrap();
    assert_eq!(mode(&file), 0o600);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("AUTO-2026-000123"));
    assert!(
        names_in(&out).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        names_in(&out)
    );
}

// ---------------------------------------------------------------------------------------
// A plain store

/// An empty plain (unencrypted) store of this workstation as a version before the
/// schema wrote it: one SQLite page with the workstation's application id, made byte by
/// byte (only uw-store speaks SQLite).
fn legacy_plain_store(path: &Path) {
    let mut page = vec![0u8; 4096];
    page[..16].copy_from_slice(b"SQLite format 3\0");
    page[16..18].copy_from_slice(&4096u16.to_be_bytes()); // page size
    page[18] = 1; // file format write version (legacy journal)
    page[19] = 1; // read version
    page[21] = 64; // max embedded payload fraction
    page[22] = 32; // min embedded payload fraction
    page[23] = 32; // leaf payload fraction
    page[24..28].copy_from_slice(&1u32.to_be_bytes()); // change counter
    page[28..32].copy_from_slice(&1u32.to_be_bytes()); // pages in the file
    page[44..48].copy_from_slice(&4u32.to_be_bytes()); // schema format
    page[56..60].copy_from_slice(&1u32.to_be_bytes()); // UTF-8
    page[68..72].copy_from_slice(&uw_store::APPLICATION_ID.to_be_bytes());
    page[92..96].copy_from_slice(&1u32.to_be_bytes()); // version-valid-for
    page[96..100].copy_from_slice(&3_045_000u32.to_be_bytes());
    page[100] = 0x0d; // an empty leaf table b-tree: sqlite_master
    page[105..107].copy_from_slice(&4096u16.to_be_bytes()); // cell content start
    std::fs::write(path, page).unwrap();
}

#[test]
fn a_plain_store_in_the_data_folder_is_refused_and_adopted_only_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let planted = data.join("cases.db");
    legacy_plain_store(&planted);
    let before = std::fs::read(&planted).unwrap();

    let err = Workstation::open(options(&data)).err().unwrap();
    assert_eq!(err.code, ErrorCode::StorePlain);
    assert!(
        err.message.contains("uw store adopt FILE"),
        "{}",
        err.message
    );
    assert_eq!(std::fs::read(&planted).unwrap(), before, "left untouched");
    assert_eq!(names_in(&data), ["cases.db"]);

    let key = uw_store::StoreKey::Raw([7; 32]);
    // Not over it: the administrator moves it out first.
    let err = adopt_store(&data, &planted, &key, "admin").unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists);
    let legacy = dir.path().join("legacy.db");
    std::fs::rename(&planted, &legacy).unwrap();

    let adopted = adopt_store(&data, &legacy, &key, "admin").unwrap();
    assert_eq!(adopted.cases, 0);
    assert_eq!(adopted.store, planted.display().to_string());
    assert_eq!(
        std::fs::read(&legacy).unwrap(),
        before,
        "the original untouched"
    );
    assert_ne!(
        &std::fs::read(&planted).unwrap()[..16],
        b"SQLite format 3\0"
    );
    let ws = Workstation::open(options(&data)).unwrap();
    let audit = ws.verify_audit().unwrap();
    assert!(audit.intact && audit.entries >= 1, "{audit:?}");
    drop(ws);
    // Once is enough.
    let err = adopt_store(&data, &legacy, &key, "admin").unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists);
}

// ---------------------------------------------------------------------------------------
// The bank from outside and in the settings

#[test]
fn the_bank_s_ca_file_is_checked_when_set_and_its_text_kept_in_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(options(&dir.path().join("data"))).unwrap();
    let missing = dir.path().join("missing-ca.pem");
    let err = ws
        .set_bank("https://core.bank.uz/", "t", None, Some(&missing))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CaUnreadable);
    assert!(err.message.contains("missing-ca.pem"), "{}", err.message);
    assert!(!ws.bank_configured(), "nothing was kept");

    let key_only = dir.path().join("bank-ca.key");
    let ca = ca_pem(dir.path());
    let err = ws
        .set_bank("https://core.bank.uz/", "t", None, Some(&key_only))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CaNotPem);
    assert!(err.message.contains("bank-ca.key"), "{}", err.message);

    // A name relative to where `uw sync` ran: read there, the text kept (the desktop
    // starts elsewhere, and the file may change).
    let up = std::env::current_dir().unwrap().components().count() - 1;
    let relative: std::path::PathBuf = std::iter::repeat_n(Path::new(".."), up)
        .collect::<std::path::PathBuf>()
        .join(ca.strip_prefix("/").unwrap());
    ws.set_bank(
        "https://core.bank.uz/",
        "t",
        Some("BXM-07"),
        Some(&relative),
    )
    .unwrap();
    assert!(ws.bank_configured());
    let setting = |k: &str| ws.store().unwrap().setting(k).unwrap().unwrap_or_default();
    assert_eq!(
        setting(crate::BANK_CA_PEM),
        std::fs::read_to_string(&ca).unwrap()
    );
    assert!(Path::new(&setting(crate::BANK_CA_SOURCE)).is_absolute());
    // Set again without one: the built-in roots.
    ws.set_bank("https://core.bank.uz/", "t", None, None)
        .unwrap();
    assert_eq!(setting(crate::BANK_CA_PEM), "");
    // Audited, as `uw`'s user, never with the token.
    let last = ws.store().unwrap().audit_tail(1).unwrap().pop().unwrap();
    assert_eq!(last.action, "setting_changed");
    assert!(
        last.detail.contains(r#""ca_bundle":"removed""#),
        "{}",
        last.detail
    );
}

#[test]
fn a_redirect_from_the_bank_is_a_refusal_with_its_code() {
    let err = crate::AppError::from(uw_bank_link::LinkError::Redirected {
        what: "the daily queue".into(),
        status: 307,
        location: "https://elsewhere.example/v1/queue".into(),
    });
    assert_eq!(err.code, ErrorCode::BankRefused);
    assert!(err.message.contains("https://elsewhere.example/v1/queue"));
}
