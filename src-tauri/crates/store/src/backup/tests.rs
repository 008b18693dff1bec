use super::*;
use crate::tests::{case, key};

fn store_with_cases(path: &Path, n: usize) -> Store {
    let mut s = Store::open(path, &key()).expect("opens");
    let cases: Vec<_> = (0..n)
        .map(|i| case(&format!("A-{i}"), "Karimov", 100 + i as i64, "draft"))
        .collect();
    s.insert_cases(&cases, "2026-11-23T08:00:00Z", "alice", "imported")
        .expect("inserted");
    s
}

fn code(e: &StoreError) -> &'static str {
    match e {
        StoreError::Foreign { .. } => "foreign",
        StoreError::WrongKey { .. } => "wrong key",
        StoreError::TooNew { .. } => "too new",
        StoreError::Open { .. } => "open",
        _ => "other",
    }
}

#[test]
fn a_backup_is_the_store_checked_and_encrypted() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = store_with_cases(&dir.path().join("cases.db"), 3);
    let file = dir.path().join("out/backup.uwb");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
    let summary = backup_file(&s.path, &key(), &file).expect("backed up");
    assert_eq!((summary.cases, summary.scans), (3, 0));
    assert!(
        summary.audit_entries > 0 && summary.audit_head.is_some(),
        "{summary:?}"
    );
    assert_eq!(
        summary.audit_head,
        s.audit_head().expect("head").map(|(i, h, _)| (i, h))
    );
    assert!(
        !crate::plain_sqlite(&file).expect("read"),
        "the copy is encrypted"
    );
    assert!(!with_suffix(&file, ".partial").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // The store goes on while its backup exists, and a second backup replaces the first.
    drop(s);
    let mut s = store_with_cases(&dir.path().join("cases.db"), 0);
    s.insert_cases(
        &[case("B-1", "Aliyev", 5, "draft")],
        "2026-11-23T09:00:00Z",
        "bob",
        "imported",
    )
    .expect("one more");
    assert_eq!(backup_file(&s.path, &key(), &file).expect("again").cases, 4);
}

#[test]
fn bad_backups_are_refused_by_name_and_nothing_is_restored() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("cases.db");
    let s = store_with_cases(&store, 2);
    let good = dir.path().join("good.uwb");
    backup_file(&s.path, &key(), &good).expect("backed up");
    drop(s);
    let bytes = std::fs::read(&good).expect("read");

    let truncated = dir.path().join("truncated.uwb");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let empty = dir.path().join("empty.uwb");
    std::fs::write(&empty, b"").expect("write");
    let garbage = dir.path().join("garbage.uwb");
    std::fs::write(&garbage, vec![0x5a; 8192]).expect("write");
    let other_key = dir.path().join("other-key.uwb");
    {
        let other = dir.path().join("other/cases.db");
        let s = Store::open(&other, &StoreKey::Raw([9; 32])).expect("opens");
        backup_file(&s.path, &StoreKey::Raw([9; 32]), &other_key).expect("backed up");
    }
    let newer = dir.path().join("newer.uwb");
    {
        std::fs::copy(&good, &newer).expect("copy");
        let c = Connection::open(&newer).expect("open");
        key().apply(&c).expect("key");
        c.pragma_update(None, "user_version", 999).expect("set");
    }
    let plain = dir.path().join("plain.uwb");
    Connection::open(&plain)
        .and_then(|c| c.execute_batch("CREATE TABLE t (x)"))
        .expect("plain");

    for (file, expected) in [
        (&truncated, ["foreign", "wrong key"].as_slice()),
        (&empty, &["foreign"]),
        (&garbage, &["wrong key"]),
        (&other_key, &["wrong key"]),
        (&newer, &["too new"]),
        (&plain, &["foreign"]),
        (&dir.path().join("missing.uwb"), &["open"]),
    ] {
        let e = stage_restore(file, &key(), &store)
            .map(|_| ())
            .expect_err("refused");
        assert!(expected.contains(&code(&e)), "{}: {e}", file.display());
        assert!(e.to_string().contains(&file.display().to_string()), "{e}");
        // The store is untouched and opens with its two cases.
        let s = Store::open(&store, &key()).expect("the store still opens");
        assert_eq!(s.count_cases().expect("count"), 2, "{}", file.display());
    }
}

#[test]
fn a_restore_keeps_the_store_it_replaces() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("cases.db");
    let s = store_with_cases(&store, 2);
    let file = dir.path().join("b.uwb");
    backup_file(&s.path, &key(), &file).expect("backed up");
    drop(s);
    let mut s = Store::open(&store, &key()).expect("opens");
    s.insert_cases(
        &[case("C-1", "Later", 7, "draft")],
        "2026-11-24T08:00:00Z",
        "alice",
        "imported",
    )
    .expect("later case");
    drop(s);
    let incoming = stage_restore(&file, &key(), &store).expect("checked");
    assert_eq!(incoming.summary().cases, 2);
    assert_eq!(incoming.summary().file, file.display().to_string());
    let kept = incoming.commit("20261124T0900").expect("restored");
    assert!(!with_suffix(&store, ".restoring").exists());
    let kept = kept.expect("the replaced store is kept");
    assert!(kept.ends_with("cases.db.before-restore-20261124T0900"));
    assert_eq!(
        Store::open(&store, &key())
            .expect("opens")
            .count_cases()
            .expect("n"),
        2
    );
    assert_eq!(
        Store::open(&kept, &key())
            .expect("opens")
            .count_cases()
            .expect("n"),
        3
    );
}

#[test]
fn what_is_checked_is_what_is_restored() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("cases.db");
    let s = store_with_cases(&store, 2);
    let file = dir.path().join("b.uwb");
    backup_file(&s.path, &key(), &file).expect("backed up");
    let other = dir.path().join("other.uwb");
    drop(s);
    let s = store_with_cases(&dir.path().join("other/cases.db"), 5);
    backup_file(&s.path, &key(), &other).expect("backed up");

    // The administrator's file is swapped after the check: the checked copy goes in.
    let incoming = stage_restore(&file, &key(), &store).expect("checked");
    std::fs::copy(&other, &file).expect("swapped");
    incoming.commit("t").expect("restored");
    let restored = Store::open(&store, &key()).expect("opens");
    assert_eq!(restored.count_cases().expect("n"), 2);

    // A staged copy that is not committed leaves nothing behind.
    let incoming = stage_restore(&other, &key(), &store).expect("checked");
    assert!(with_suffix(&store, ".restoring").exists());
    drop(incoming);
    assert!(!with_suffix(&store, ".restoring").exists());
    assert_eq!(restored.count_cases().expect("n"), 2);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_not_copied() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("cases.db");
    drop(store_with_cases(&store, 1));
    let link = dir.path().join("zero.uwb");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("link");
    let e = stage_restore(&link, &key(), &store)
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(code(&e), "foreign", "{e}");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    assert!(!with_suffix(&store, ".restoring").exists());
}
