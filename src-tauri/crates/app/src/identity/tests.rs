//! Logging in with a real OpenLDAP slapd (started here, seeded from the fixture), online
//! and offline; the signing key's life. No bank: enrolment waits (the bank's side is in
//! `crate::signoff_tests`).

use std::io::{Read, Write};
use std::net::TcpListener;

use uw_directory::slapd::{fixture_password as pw, Slapd};

use super::*;
use crate::tests::options;

fn open(dir: &std::path::Path, config: uw_directory::DirectoryConfig) -> Workstation {
    Workstation::open(crate::OpenOptions {
        directory: Some(config),
        ..options(dir, "os-user", false, true)
    })
    .expect("the workstation opens")
}

fn slapd() -> Slapd {
    Slapd::fixture().expect("slapd starts (Debian's slapd package, see .ci/setup)")
}

/// The audit trail holds an entry of `action`.
fn assert_audited(ws: &Workstation, action: &str) {
    let kinds: Vec<String> = ws
        .store()
        .unwrap()
        .audit_tail(1000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        kinds.iter().any(|k| k == action),
        "{action} not in {kinds:?}"
    );
}

fn code(r: Result<Session>) -> ErrorCode {
    r.expect_err("refused").code
}

#[test]
fn an_online_login_gives_the_directory_s_roles_branches_and_a_key_of_one_s_own() {
    let dir = tempfile::tempdir().unwrap();
    let directory = slapd();
    let ws = open(dir.path(), directory.config());
    let status = ws.session_status().unwrap();
    assert_eq!(status.mode, "directory");
    assert!(!status.needs_setup, "no local administrator to set up");

    let s = ws.login("  Bob ", &pw("bob"), None).unwrap();
    assert_eq!(s.username, "bob");
    assert_eq!(s.display_name, "Bobur Toshmatov");
    assert_eq!(s.mode, LoginMode::Directory);
    assert!(s.reviewer && !s.underwriter && !s.admin);
    assert_eq!(s.branches, ["BXM-07", "BXO-02", "BXO-11"]);
    // No bank here: the key waits to be enrolled.
    assert_eq!(s.signing_key, "waiting");
    let key = ws.store().unwrap().signing_key("bob").unwrap().unwrap();
    assert_eq!(key.algorithm, "ed25519");
    assert_eq!(key.public_key.len(), 32);
    assert_eq!(key.enrolled_at, None);
    // The private key is kept wrapped, never as it is.
    let seed = ws.signer().unwrap().seed();
    assert!(!key.wrapped.windows(32).any(|w| w == seed.as_slice()));

    // Logging in again opens the same key.
    ws.logout().unwrap();
    ws.login("bob", &pw("bob"), None).unwrap();
    let again = ws.store().unwrap().signing_key("bob").unwrap().unwrap();
    assert_eq!(again.public_key, key.public_key);
    assert_eq!(ws.signer().unwrap().public_key(), key.public_key);

    // People are the directory's: no local accounts, no local second factor.
    let e = ws
        .create_user(&crate::NewUser {
            username: "mallory".into(),
            display_name: "M".into(),
            staff_id: Some("mallory".into()),
            password: "long enough pw".into(),
            admin: false,
            underwriter: true,
            reviewer: true,
            supervisor: None,
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingRole, "bob is no administrator");
    assert_eq!(
        ws.begin_totp("x", None).unwrap_err().code,
        ErrorCode::DirectoryMode
    );
    assert!(ws.verify_audit().unwrap().intact);
}

#[test]
fn a_wrong_password_and_an_unknown_name_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let directory = slapd();
    let ws = open(dir.path(), directory.config());
    for (user, password) in [
        ("alice", "not-her-password"),
        ("nobody", "whatever-it-is"),
        ("alice", ""),
        ("", "x"),
        ("al\u{0}ice", "alice-demo-2026"),
    ] {
        let e = ws.login(user, password, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthFailed, "{user:?}");
        assert_eq!(e.message, "the user name or the password is wrong");
    }
    assert!(ws.session().is_none());
}

#[test]
fn a_disabled_or_removed_account_is_refused_and_its_offline_login_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut directory = slapd();
    let ws = open(dir.path(), directory.config());
    // erin is disabled in the fixture: the right password says so, a wrong one does not.
    assert_eq!(
        code(ws.login("erin", &pw("erin"), None)),
        ErrorCode::AccountDisabled
    );
    assert_eq!(
        code(ws.login("erin", "wrong-password", None)),
        ErrorCode::AuthFailed
    );

    ws.login("alice", &pw("alice"), None).unwrap();
    ws.login("carol", &pw("carol"), None).unwrap();
    ws.logout().unwrap();
    directory.disable("alice").unwrap();
    let e = ws.login("alice", &pw("alice"), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::AccountDisabled);
    assert!(e.message.contains("offline login"), "{}", e.message);
    assert_eq!(ws.store().unwrap().cached_person("alice").unwrap(), None);
    assert_eq!(ws.store().unwrap().signing_key("alice").unwrap(), None);

    directory.remove("carol").unwrap();
    let e = ws.login("carol", &pw("carol"), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::AccountRemoved);
    assert_eq!(ws.store().unwrap().cached_person("carol").unwrap(), None);

    // With the directory gone, neither can log in offline: nothing is cached any more.
    directory.stop();
    assert_eq!(
        code(ws.login("alice", &pw("alice"), None)),
        ErrorCode::DirectoryUnreachable
    );
    assert_eq!(
        code(ws.login("carol", &pw("carol"), None)),
        ErrorCode::DirectoryUnreachable
    );
    assert_audited(&ws, "offline_login_dropped");
}

#[test]
fn offline_the_last_online_login_holds_until_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let mut directory = slapd();
    let ws = open(dir.path(), directory.config());
    ws.login("bob", &pw("bob"), None).unwrap();
    let public = ws.signer().unwrap().public_key();
    ws.logout().unwrap();

    directory.stop();
    let s = ws.login("bob", &pw("bob"), None).unwrap();
    assert_eq!(s.mode, LoginMode::Offline);
    assert!(s.reviewer);
    assert_eq!(s.branches, ["BXM-07", "BXO-02", "BXO-11"]);
    assert_eq!(ws.signer().unwrap().public_key(), public);
    ws.logout().unwrap();
    // A wrong password and a person who never logged in here read alike offline.
    let wrong = ws.login("bob", "not-bobs", None).unwrap_err();
    let stranger = ws.login("dave", &pw("dave"), None).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::DirectoryUnreachable);
    assert_eq!(
        (wrong.code, wrong.message.clone()),
        (stranger.code, stranger.message)
    );

    // Past its time the offline login is refused, saying why, and dropped.
    let mut cached = ws.store().unwrap().cached_person("bob").unwrap().unwrap();
    cached.cached_until = "2026-01-01T00:00:00Z".into();
    ws.store().unwrap().remember_person(&cached).unwrap();
    let e = ws.login("bob", &pw("bob"), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::OfflineLoginExpired);
    assert!(e.message.contains("expired"), "{}", e.message);
    assert_eq!(ws.store().unwrap().cached_person("bob").unwrap(), None);
    assert_eq!(
        code(ws.login("bob", &pw("bob"), None)),
        ErrorCode::DirectoryUnreachable
    );

    // Back online, bob logs in again and keeps his key.
    directory.restart().unwrap();
    let s = ws.login("bob", &pw("bob"), None).unwrap();
    assert_eq!(s.mode, LoginMode::Directory);
    assert_eq!(ws.signer().unwrap().public_key(), public);
}

/// Offline nobody else counts wrong passwords: after five in a row the offline login is
/// dropped, and the right password no longer opens it until the directory answers.
#[test]
fn wrong_offline_passwords_drop_the_offline_login() {
    let dir = tempfile::tempdir().unwrap();
    let mut directory = slapd();
    let ws = open(dir.path(), directory.config());
    ws.login("alice", &pw("alice"), None).unwrap();
    ws.logout().unwrap();
    directory.stop();
    for _ in 0..crate::identity::OFFLINE_FAILURES {
        assert_eq!(
            code(ws.login("alice", "guess-guess", None)),
            ErrorCode::DirectoryUnreachable
        );
    }
    assert_eq!(ws.store().unwrap().cached_person("alice").unwrap(), None);
    assert_eq!(
        code(ws.login("alice", &pw("alice"), None)),
        ErrorCode::DirectoryUnreachable
    );
    directory.restart().unwrap();
    ws.login("alice", &pw("alice"), None).unwrap();
}

/// The directory spells a person with capitals (as Active Directory often does): the
/// offline login, typed in any case, opens the key wrapped under the directory's spelling.
#[test]
fn a_staff_id_with_capitals_logs_in_offline_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut directory = slapd();
    directory.add_login_name("bob", "Bobur.T").unwrap();
    let ws = open(dir.path(), directory.config());
    let s = ws.login("bob", &pw("bob"), None).unwrap();
    assert_eq!(
        s.username, "Bobur.T",
        "one staff id: the directory's first name"
    );
    let public = ws.signer().unwrap().public_key();
    ws.logout().unwrap();
    directory.stop();
    let s = ws.login("bobur.t", &pw("bob"), None).unwrap();
    assert_eq!(
        (s.mode, s.username.as_str()),
        (LoginMode::Offline, "Bobur.T")
    );
    assert_eq!(ws.signer().unwrap().public_key(), public);
}

#[test]
fn the_offline_time_is_the_configuration_s() {
    let dir = tempfile::tempdir().unwrap();
    let directory = slapd();
    let mut config = directory.config();
    config.offline_hours = 8;
    let ws = open(dir.path(), config);
    let s = ws.login("alice", &pw("alice"), None).unwrap();
    let until = chrono::DateTime::parse_from_rfc3339(s.offline_until.as_deref().unwrap()).unwrap();
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((7 * 60 + 58..=8 * 60).contains(&hours), "{hours} minutes");
}

/// A directory that answers garbage, or nothing at all: coded errors, no panic, no
/// session; nothing is cached.
#[test]
fn a_directory_answering_garbage_or_nothing_is_a_coded_error() {
    let garbage = TcpListener::bind("127.0.0.1:0").unwrap();
    let garbage_port = garbage.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in garbage.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = c.read(&mut buf);
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        }
    });
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for c in silent.incoming().flatten() {
            keep.lock().unwrap().push(c);
        }
    });
    let directory = slapd();
    for (port, expected) in [
        (garbage_port, ErrorCode::DirectoryBadAnswer),
        (silent_port, ErrorCode::DirectoryUnreachable),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = directory.config();
        config.url = format!("ldap://127.0.0.1:{port}");
        config.timeout_ms = 400;
        let ws = open(dir.path(), config);
        let started = std::time::Instant::now();
        let e = ws.login("alice", &pw("alice"), None).unwrap_err();
        assert_eq!(e.code, expected, "{}", e.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(3));
        assert!(ws.session().is_none());
        assert_eq!(ws.store().unwrap().cached_person("alice").unwrap(), None);
    }
}

#[test]
fn a_damaged_stored_key_stops_the_offline_login_and_is_replaced_online() {
    let dir = tempfile::tempdir().unwrap();
    let mut directory = slapd();
    let ws = open(dir.path(), directory.config());
    ws.login("alice", &pw("alice"), None).unwrap();
    ws.logout().unwrap();
    let mut key = ws.store().unwrap().signing_key("alice").unwrap().unwrap();
    let old_public = key.public_key.clone();
    key.wrapped[40] ^= 0xff;
    ws.store()
        .unwrap()
        .put_signing_key(&key, "2026-12-02T09:00:00Z", "test_damage")
        .unwrap();

    directory.stop();
    let e = ws.login("alice", &pw("alice"), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::SigningKeyUnreadable);
    assert!(ws.session().is_none());

    directory.restart().unwrap();
    ws.login("alice", &pw("alice"), None).unwrap();
    let new = ws.store().unwrap().signing_key("alice").unwrap().unwrap();
    assert_ne!(new.public_key, old_public);
    assert_audited(&ws, "signing_key_replaced");
}

#[test]
fn a_password_changed_here_rewraps_the_key_and_one_changed_elsewhere_makes_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let directory = slapd();
    let ws = open(dir.path(), directory.config());
    ws.login("carol", &pw("carol"), None).unwrap();
    let public = ws.signer().unwrap().public_key();
    assert_eq!(
        ws.change_directory_password("wrong-old-one", "carol-new-2026")
            .unwrap_err()
            .code,
        ErrorCode::AuthFailed
    );
    ws.change_directory_password(&pw("carol"), "carol-new-2026")
        .unwrap();
    ws.logout().unwrap();
    assert_eq!(
        code(ws.login("carol", &pw("carol"), None)),
        ErrorCode::AuthFailed
    );
    ws.login("carol", "carol-new-2026", None).unwrap();
    assert_eq!(
        ws.signer().unwrap().public_key(),
        public,
        "the same key, re-wrapped"
    );
    ws.logout().unwrap();

    // Changed by the directory's administrator: the old wrap no longer opens.
    directory.set_password("carol", "carol-reset-2026").unwrap();
    ws.login("carol", "carol-reset-2026", None).unwrap();
    assert_ne!(ws.signer().unwrap().public_key(), public);
}
