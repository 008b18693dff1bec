//! The store's key through its life on an in-memory keyring: a new store's recovery key,
//! the keyring losing it, recovery, typos, another store's key, and rekeys.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use super::*;
use crate::keyring::MemoryKeyring;
use crate::tests::options;
use crate::Workstation;

const ADMIN: &str = "cli:1000";

fn store_of(dir: &Path) -> PathBuf {
    store_file(dir)
}

/// A new store as the window makes it (the demo's cases seeded into it): its key and the
/// recovery key shown once.
fn new_store(keyring: &MemoryKeyring, dir: &Path) -> (StoreKey, RecoveryKey) {
    let made = window_key(None, keyring, dir, false).expect("a keyring key for a new store");
    let recovery = made
        .new_recovery
        .expect("its recovery key, to be shown once");
    assert!(made.from_keyring);
    let ws = Workstation::open(under(made.key.clone(), dir)).expect("opens");
    assert!(ws.status().expect("status").case_count > 0);
    (made.key, recovery)
}

/// The test workstation's options under `key`, the demo's cases seeded.
fn under(key: StoreKey, dir: &Path) -> crate::OpenOptions {
    crate::OpenOptions {
        key,
        ..options(dir, "alice", true, false)
    }
}

/// The cases of the store under `key`, or the code it is refused with.
fn cases(dir: &Path, key: &StoreKey) -> std::result::Result<i64, ErrorCode> {
    Store::open(&store_of(dir), key)
        .map_err(AppError::from)
        .and_then(|s| Ok(s.count_cases()?))
        .map_err(|e| e.code)
}

/// The audit trail's entries of `action`, each checked to hold nothing of `keys`.
fn audited(dir: &Path, key: &StoreKey, action: &str, keys: &[&RecoveryKey]) -> Vec<String> {
    let store = Store::open(&store_of(dir), key).expect("opens");
    let entries = store.audit_tail(10_000).expect("the trail");
    for e in &entries {
        for k in keys {
            let hex: String = k.bytes().iter().map(|b| format!("{b:02x}")).collect();
            for secret in k.groups().into_iter().chain([hex]) {
                assert!(!e.detail.contains(&secret), "{}: {}", e.action, e.detail);
            }
        }
    }
    entries
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.detail)
        .collect()
}

fn refused<T: std::fmt::Debug>(r: Result<T>, code: ErrorCode) -> String {
    let e = r.expect_err("refused");
    assert_eq!(e.code, code, "{e:?}");
    e.message
}

/// The files of the data folder, bytes and all.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_new_store_s_recovery_key_reopens_it_once_the_keyring_lost_it_and_restores_the_entry() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let (key, recovery) = new_store(&keyring, dir.path());
    let n = cases(dir.path(), &key).expect("opens");
    // Shown once: the next start finds the store and shows nothing.
    let again = window_key(None, &keyring, dir.path(), false).expect("the keyring's key");
    assert!(again.new_recovery.is_none());

    keyring.forget(dir.path());
    let message = refused(
        window_key(None, &keyring, dir.path(), false).map(|k| k.key),
        ErrorCode::StoreKeyMissing,
    );
    assert!(message.contains("recovery key"), "{message}");

    // Typed as a person may: lower case, spaces for dashes.
    let typed = recovery.display().to_lowercase().replace('-', " ");
    let (opened, done) = recover(&keyring, dir.path(), &typed, ADMIN).expect("recovered");
    assert!(
        done.keyring_restored && done.keyring_error.is_none(),
        "{done:?}"
    );
    assert_eq!(cases(dir.path(), &opened), Ok(n));
    assert_eq!(
        keyring.lookup(dir.path()),
        Ok(Some(*recovery.bytes())),
        "the entry is back"
    );
    let back = window_key(None, &keyring, dir.path(), false).expect("the keyring's key");
    assert_eq!(cases(dir.path(), &back.key), Ok(n));
    assert_eq!(
        audited(dir.path(), &key, "store_recovered", &[&recovery]),
        vec![r#"{"keyring":"restored"}"#.to_string()]
    );
}

#[test]
fn a_typo_is_named_by_its_group_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let (_, recovery) = new_store(&keyring, dir.path());
    keyring.forget(dir.path());
    let before = snapshot(dir.path());
    let mut groups = recovery.groups();
    let wrong = if groups[4].starts_with('7') { "8" } else { "7" };
    groups[4].replace_range(0..1, wrong);
    let message = refused(
        recover(&keyring, dir.path(), &groups.join("-"), ADMIN),
        ErrorCode::RecoveryKeyTypo,
    );
    assert_eq!(message, "the recovery key has a typo in group 5");
    let message = refused(
        recover(&keyring, dir.path(), &recovery.display()[..40], ADMIN),
        ErrorCode::InvalidInput,
    );
    assert!(message.contains("65"), "{message}");
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(keyring.lookup(dir.path()), Ok(None));
}

#[test]
fn another_store_s_key_is_refused_and_the_store_is_left_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tmp");
    let (here, there) = (dir.path().join("here"), dir.path().join("there"));
    let keyring = MemoryKeyring::new();
    let (key, _) = new_store(&keyring, &here);
    let (_, other) = new_store(&keyring, &there);
    keyring.forget(&here);
    let before = std::fs::read(store_of(&here)).expect("read");
    refused(
        recover(&keyring, &here, &other.display(), ADMIN),
        ErrorCode::StoreWrongKey,
    );
    assert_eq!(std::fs::read(store_of(&here)).expect("read"), before);
    assert_eq!(keyring.lookup(&here), Ok(None), "nothing kept for it");
    assert!(cases(&here, &key).is_ok());
    // A folder with no store has nothing to recover, and none is made.
    let empty = dir.path().join("empty");
    refused(
        recover(&keyring, &empty, &other.display(), ADMIN),
        ErrorCode::NotFound,
    );
    assert!(!store_of(&empty).exists());
}

#[test]
fn without_a_keyring_the_recovered_store_is_open_for_this_run_and_the_answer_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let (key, recovery) = new_store(&MemoryKeyring::new(), dir.path());
    let none = MemoryKeyring::unavailable();
    let (opened, done) = recover(&none, dir.path(), &recovery.display(), ADMIN).expect("opens");
    assert!(!done.keyring_restored);
    assert!(
        done.keyring_error
            .as_deref()
            .is_some_and(|e| e.contains("not available")),
        "{done:?}"
    );
    assert!(Workstation::open(under(opened, dir.path())).is_ok());
    assert_eq!(
        audited(dir.path(), &key, "store_recovered", &[&recovery]),
        vec![r#"{"keyring":"not written"}"#.to_string()]
    );
    // And a new store without a keyring: the window asks for a passphrase.
    refused(
        window_key(None, &none, &dir.path().join("new"), false).map(|k| k.key),
        ErrorCode::StoreKeyMissing,
    );
}

/// Rekeys the store of `dir` to a random key; returns the key announced.
fn rekey_random(keyring: &MemoryKeyring, dir: &Path, current: &StoreKey) -> (Rekeyed, RecoveryKey) {
    let announced = RefCell::new(None);
    let done = rekey(keyring, dir, current, NewKey::Random, ADMIN, |k| {
        *announced.borrow_mut() = k.cloned();
        Ok(())
    })
    .expect("rekeyed");
    let key = announced.into_inner().expect("a recovery key announced");
    (done, key)
}

#[test]
fn after_a_rekey_the_new_key_opens_the_store_with_every_case_and_the_old_one_does_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let (old, old_recovery) = new_store(&keyring, dir.path());
    let n = cases(dir.path(), &old).expect("opens");
    let (done, new_recovery) = rekey_random(&keyring, dir.path(), &old);
    assert_eq!(
        (done.cases, done.key, done.keyring_error.clone()),
        (n, "keyring", None)
    );
    assert_ne!(new_recovery, old_recovery);
    let new = StoreKey::Raw(*new_recovery.bytes());
    assert_eq!(cases(dir.path(), &new), Ok(n));
    assert_eq!(cases(dir.path(), &old), Err(ErrorCode::StoreWrongKey));
    assert_eq!(keyring.lookup(dir.path()), Ok(Some(*new_recovery.bytes())));
    // The old recovery key opens nothing now; the new one does.
    keyring.forget(dir.path());
    refused(
        recover(&keyring, dir.path(), &old_recovery.display(), ADMIN),
        ErrorCode::StoreWrongKey,
    );
    recover(&keyring, dir.path(), &new_recovery.display(), ADMIN).expect("the new key");
    let rekeyed = audited(
        dir.path(),
        &new,
        "store_rekeyed",
        &[&old_recovery, &new_recovery],
    );
    assert_eq!(rekeyed, vec![r#"{"key":"keyring"}"#.to_string()]);
    let store = Store::open(&store_of(dir.path()), &new).expect("opens");
    assert!(store.verify_audit().expect("verify").problems.is_empty());
}

#[test]
fn a_rekey_whose_keyring_write_failed_is_opened_by_the_key_it_announced() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let (old, _) = new_store(&keyring, dir.path());
    let (done, printed) = rekey_random(&MemoryKeyring::unavailable(), dir.path(), &old);
    assert!(done.keyring_error.is_some(), "{done:?}");
    // The keyring still holds the previous key, which opens nothing now.
    let stale = window_key(None, &keyring, dir.path(), false).expect("the keyring's key");
    assert!(stale.from_keyring);
    assert_eq!(cases(dir.path(), &stale.key), Err(ErrorCode::StoreWrongKey));
    recover(&keyring, dir.path(), &printed.display(), ADMIN).expect("the printed key");
    let fixed = window_key(None, &keyring, dir.path(), false).expect("the keyring's key");
    assert!(cases(dir.path(), &fixed.key).is_ok());
}

#[test]
fn a_rekey_that_cannot_go_through_changes_nothing_and_announces_nothing_void() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let (old, _) = new_store(&keyring, dir.path());
    let n = cases(dir.path(), &old).expect("opens");
    let entry = keyring.lookup(dir.path());
    // The announcement fails (stdout closed, the sheet's folder unwritable).
    let e = rekey(&keyring, dir.path(), &old, NewKey::Random, ADMIN, |_| {
        Err(AppError::new(ErrorCode::Io, "the sheet cannot be written"))
    })
    .expect_err("refused");
    assert_eq!(e.code, ErrorCode::Io);
    // The window has the store open: refused before any key is announced.
    let window = Workstation::open(under(old.clone(), dir.path())).expect("opens");
    let announced = RefCell::new(false);
    let e = rekey(&keyring, dir.path(), &old, NewKey::Random, ADMIN, |_| {
        *announced.borrow_mut() = true;
        Ok(())
    })
    .expect_err("refused while the window holds the store");
    assert!(!announced.into_inner(), "nothing announced");
    assert!(e.message.contains("open elsewhere"), "{e:?}");
    assert_eq!(window.status().expect("the window reads on").case_count, n);
    drop(window);
    // A passphrase too short for a store.
    refused(
        rekey(
            &keyring,
            dir.path(),
            &old,
            NewKey::Passphrase(Zeroizing::new("short".into())),
            ADMIN,
            |_| Ok(()),
        ),
        ErrorCode::InvalidInput,
    );
    assert_eq!(cases(dir.path(), &old), Ok(n));
    assert_eq!(keyring.lookup(dir.path()), entry);
    assert!(audited(dir.path(), &old, "store_rekeyed", &[]).is_empty());
}

#[test]
fn a_passphrase_store_takes_a_new_passphrase_and_leaves_the_keyring_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let old = StoreKey::Passphrase("the first passphrase".into());
    drop(Workstation::open(under(old.clone(), dir.path())).expect("opens"));
    let n = cases(dir.path(), &old).expect("opens");
    let announced = RefCell::new(Some(None));
    let done = rekey(
        &keyring,
        dir.path(),
        &old,
        NewKey::Passphrase(Zeroizing::new("the second passphrase".into())),
        ADMIN,
        |k| {
            *announced.borrow_mut() = Some(k.cloned());
            Ok(())
        },
    )
    .expect("rekeyed");
    assert_eq!(announced.into_inner(), Some(None), "no recovery key");
    assert_eq!((done.key, done.cases), ("passphrase", n));
    let new = StoreKey::Passphrase("the second passphrase".into());
    assert_eq!(cases(dir.path(), &new), Ok(n));
    assert_eq!(cases(dir.path(), &old), Err(ErrorCode::StoreWrongKey));
    assert_eq!(keyring.lookup(dir.path()), Ok(None));
}

#[test]
fn the_recovery_key_is_shown_until_confirmed_then_never_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = crate::store_key::random_key();
    let shown = ShownOnce::new(Some(key.clone()));
    let view = shown.view(dir.path()).expect("shown");
    assert_eq!(view.groups, key.groups());
    let sheet = dir.path().join("sheet.pdf");
    shown.save_sheet(dir.path(), "ru", &sheet).expect("saved");
    assert!(std::fs::read(&sheet).expect("read").starts_with(b"%PDF"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sheet)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    refused(
        shown.save_sheet(dir.path(), "de", &sheet),
        ErrorCode::InvalidInput,
    );
    assert!(shown.waiting().is_ok());
    shown.confirm();
    assert!(shown.view(dir.path()).is_none());
    refused(shown.waiting(), ErrorCode::NotFound);
    refused(
        shown.save_sheet(dir.path(), "uz", &dir.path().join("again.pdf")),
        ErrorCode::NotFound,
    );
    assert!(!dir.path().join("again.pdf").exists());
    assert!(ShownOnce::default().view(dir.path()).is_none());
}

#[test]
fn uw_store_init_shows_a_keyring_store_s_recovery_key_once_and_makes_no_second_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let keyring = MemoryKeyring::new();
    let data = dir.path().join("ws");
    let sheet = dir.path().join("sheet.pdf");
    let made = init_with(None, &keyring, &data, ADMIN, Some((&sheet, "en"))).expect("made");
    assert_eq!(made.key, "keyring");
    let shown = made.recovery_key.expect("shown");
    let recovery = RecoveryKey::parse(&shown).expect("a recovery key");
    assert_eq!(keyring.lookup(&data), Ok(Some(*recovery.bytes())));
    assert!(sheet.exists());
    assert_eq!(cases(&data, &StoreKey::Raw(*recovery.bytes())), Ok(0));
    refused(
        init_with(None, &keyring, &data, ADMIN, None),
        ErrorCode::AlreadyExists,
    );
    // `uw` opens it through the keyring, and makes no key for a folder without a store.
    assert!(existing_key(None, &keyring, &data, false).is_ok());
    let message = refused(
        existing_key(None, &keyring, &dir.path().join("none"), false),
        ErrorCode::StoreKeyMissing,
    );
    assert!(message.contains("uw store init"), "{message}");
    assert_eq!(keyring.lookup(&dir.path().join("none")), Ok(None));
    // A passphrase store: no recovery key, and so no sheet.
    let other = dir.path().join("pass");
    let pass = Some("a passphrase of the bank".to_string());
    refused(
        init_with(pass.clone(), &keyring, &other, ADMIN, Some((&sheet, "en"))),
        ErrorCode::InvalidInput,
    );
    let made = init_with(pass, &keyring, &other, ADMIN, None).expect("made");
    assert_eq!((made.key, made.recovery_key), ("passphrase", None));
}
