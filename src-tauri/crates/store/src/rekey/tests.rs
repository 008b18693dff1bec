use std::path::Path;

use super::*;
use crate::tests::{case, key};

fn store_with_cases(path: &Path, key: &StoreKey, n: usize) -> Store {
    let mut s = Store::open(path, key).expect("opens");
    let cases: Vec<_> = (0..n)
        .map(|i| case(&format!("R-{i}"), "Karimov", 100 + i as i64, "draft"))
        .collect();
    s.insert_cases(&cases, "2026-11-23T08:00:00Z", "alice", "imported")
        .expect("inserted");
    s
}

fn opens(path: &Path, key: &StoreKey) -> std::result::Result<i64, String> {
    Store::open(path, key)
        .and_then(|s| s.count_cases())
        .map_err(|e| match e {
            StoreError::WrongKey { .. } => "wrong key".to_string(),
            other => other.to_string(),
        })
}

#[test]
fn after_a_rekey_the_new_key_opens_the_store_and_the_old_one_does_not() {
    let passphrase = StoreKey::Passphrase("a long passphrase 2026".into());
    for (old, new) in [
        (key(), StoreKey::Raw([42; 32])),
        (key(), passphrase.clone()),
        (passphrase.clone(), StoreKey::Raw([43; 32])),
    ] {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("cases.db");
        let s = store_with_cases(&path, &old, 30);
        let s = s.rekey(&old, &new).expect("rekeyed");
        assert_eq!(s.count_cases().expect("count"), 30);
        assert_eq!(s.integrity_check().expect("check"), "ok");
        assert!(s.verify_audit().expect("verify").problems.is_empty());
        drop(s);
        assert_eq!(opens(&path, &new), Ok(30));
        assert_eq!(opens(&path, &old), Err("wrong key".into()));
        // Nothing under the old key is left beside the file.
        let wal = dir.path().join("cases.db-wal");
        assert!(
            !wal.exists() || std::fs::metadata(&wal).expect("meta").len() == 0,
            "the WAL was checkpointed"
        );
    }
}

#[test]
fn a_store_open_elsewhere_is_not_rekeyed_and_stays_as_it_was() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cases.db");
    let window = store_with_cases(&path, &key(), 3);
    let admin = Store::open(&path, &key()).expect("a second connection");
    let e = admin
        .rekey(&key(), &StoreKey::Raw([42; 32]))
        .err()
        .expect("refused while the window holds the store");
    assert!(e.to_string().contains("open elsewhere"), "{e}");
    assert_eq!(window.count_cases().expect("the window reads on"), 3);
    drop(window);
    assert_eq!(opens(&path, &key()), Ok(3));
    assert_eq!(
        opens(&path, &StoreKey::Raw([42; 32])),
        Err("wrong key".into())
    );
}
