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
    let summary = s.backup(&key(), &file).expect("backed up");
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
    assert_eq!(s.backup(&key(), &file).expect("again").cases, 4);
}

#[test]
fn bad_backups_are_refused_by_name_and_nothing_is_restored() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("cases.db");
    let s = store_with_cases(&store, 2);
    let good = dir.path().join("good.uwb");
    s.backup(&key(), &good).expect("backed up");
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
        s.backup(&StoreKey::Raw([9; 32]), &other_key)
            .expect("backed up");
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
        let e = restore_file(file, &key(), &store, "t").expect_err("refused");
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
    s.backup(&key(), &file).expect("backed up");
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
    let (summary, kept) = restore_file(&file, &key(), &store, "20261124T0900").expect("restored");
    assert_eq!(summary.cases, 2);
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
