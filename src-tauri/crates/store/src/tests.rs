use super::*;

pub(crate) fn case(id: &str, name: &str, tiyin: i64, status: &str) -> NewCase {
    NewCase {
        case_id: id.into(),
        case_json: format!("{{\"case_id\":\"{id}\"}}"),
        status: status.into(),
        decision: Some("approve".into()),
        assignee: None,
        branch: "BXM-07".into(),
        application_date: "2026-11-20".into(),
        borrower_name: name.into(),
        pinfl: format!("3150290{:07}", tiyin % 10_000_000),
        vin: format!("XWB{id}"),
        amount: format!("{}.{:02}", tiyin / 100, tiyin % 100),
        amount_tiyin: tiyin,
        term_months: 36,
        reasons: String::new(),
        counter_offers: 0,
    }
}

/// A raw key: no key derivation in every test.
pub(crate) fn key() -> StoreKey {
    StoreKey::Raw([7; 32])
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn creates_reopens_and_marks_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/cases.db");
    {
        let mut s = Store::open(&path, &key()).unwrap();
        s.insert_cases(
            &[case("A-1", "Karimov", 100, "draft")],
            "2026-11-23T08:00:00Z",
            "uw",
            "import",
        )
        .unwrap();
    }
    let s = Store::open(&path, &key()).unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
    let id: i32 = s
        .conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
    let mode: String = s
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = s
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn refuses_a_file_that_is_not_sqlite_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path, &key()).err().unwrap();
    // Encrypted files look like noise: junk and a wrong key cannot be told apart.
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"));
    assert_eq!(bytes(&path), junk);
}

#[test]
fn refuses_another_programs_database_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&path, &key()).err().unwrap();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    assert_eq!(bytes(&path), before);
    assert!(!dir.path().join("other.db-wal").exists());
}

#[test]
fn refuses_a_newer_schema_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    drop(Store::open(&path, &key()).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        key().apply(&c).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&path, &key()).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer version"));
    assert_eq!(bytes(&path), before);
}

#[test]
fn an_unwritable_location_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file.join("cases.db"), &key()).err().unwrap();
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot create the folder"),
        "{err}"
    );
    let err = Store::open(dir.path(), &key()).err().unwrap();
    assert!(err.to_string().contains("folder"), "{err}");
}

#[test]
fn a_batch_with_a_duplicate_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db"), &key()).unwrap();
    s.insert_cases(&[case("A-1", "Karimov", 100, "draft")], "t", "uw", "import")
        .unwrap();
    let err = s
        .insert_cases(
            &[
                case("A-2", "Aliyev", 100, "draft"),
                case("A-1", "Karimov", 100, "draft"),
            ],
            "t",
            "uw",
            "import",
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Exists(ref id) if id == "A-1"));
    assert_eq!(s.count_cases().unwrap(), 1);
    assert!(matches!(s.get_case("A-2"), Err(StoreError::NotFound(_))));
}

#[test]
fn updates_check_the_version_and_log_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db"), &key()).unwrap();
    s.insert_cases(
        &[case("A-1", "Karimov", 100, "draft")],
        "t0",
        "uw",
        "import",
    )
    .unwrap();
    let mut c = case("A-1", "Karimov Aziz", 200, "draft");
    c.case_json = "{\"edited\":true}".into();
    let ev = vec![(
        "edit".to_string(),
        "{\"field\":\"loan.amount\"}".to_string(),
    )];
    assert_eq!(s.update_case(&c, 1, "t1", "alice", &ev).unwrap(), 2);
    let err = s.update_case(&c, 1, "t2", "bob", &ev).unwrap_err();
    assert!(matches!(
        err,
        StoreError::VersionConflict {
            stored: 2,
            expected: 1,
            ..
        }
    ));
    let stored = s.get_case("A-1").unwrap();
    assert_eq!(
        (stored.version, stored.case_json.as_str()),
        (2, "{\"edited\":true}")
    );
    let kinds: Vec<String> = s
        .events("A-1")
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["import", "edit"]);
    assert!(matches!(
        s.update_case(&case("Z-9", "x", 1, "draft"), 1, "t", "a", &[]),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn queue_filters_sorts_searches_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db"), &key()).unwrap();
    let cases: Vec<NewCase> = (0..30)
        .map(|i| {
            case(
                &format!("AUTO-{i:03}"),
                &format!("Borrower {}", 29 - i),
                (i as i64 + 1) * 1000,
                if i % 3 == 0 { "submitted" } else { "draft" },
            )
        })
        .collect();
    s.insert_cases(&cases, "t", "uw", "import").unwrap();

    let page = s
        .queue(&QueueQuery {
            status: Some("draft".into()),
            sort: SortKey::Amount,
            descending: true,
            limit: 5,
            offset: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 20);
    let amounts: Vec<&str> = page.rows.iter().map(|r| r.amount.as_str()).collect();
    assert_eq!(amounts, ["230.00", "210.00", "200.00", "180.00", "170.00"]);

    let page = s
        .queue(&QueueQuery {
            search: Some("borrower 2".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 11, "case-insensitive: Borrower 2 and 20..29");
    let page = s
        .queue(&QueueQuery {
            search: Some("XWBAUTO-007".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.rows[0].case_id, "AUTO-007");
    // Text that is no word matches nothing; FTS5 syntax in the text is taken literally.
    for text in ["%", " \" ", "-"] {
        let page = s
            .queue(&QueueQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.total, 0, "{text:?}");
    }
    for text in [
        "\"borrower 7",
        "borrower OR 7",
        "NEAR(borrower 7)",
        "borrower*7",
    ] {
        assert!(s
            .queue(&QueueQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .is_ok());
    }
    // Any word of the name, in any order, by prefix; the case id and the PINFL.
    s.insert_cases(
        &[case("AUTO-100", "Karimov Aziz Rustamovich", 5, "draft")],
        "t",
        "uw",
        "import",
    )
    .unwrap();
    for text in ["aziz", "RUSTAM kari", "auto-10", "auto-100", "3150290"] {
        let page = s
            .queue(&QueueQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .unwrap();
        assert!(
            page.rows.iter().any(|r| r.case_id == "AUTO-100"),
            "{text:?}: {:?}",
            page.rows
        );
    }
    // An edit re-indexes the case: the old name no longer finds it.
    s.update_case(
        &case("AUTO-100", "Tosheva Malika", 5, "draft"),
        1,
        "t",
        "uw",
        &[],
    )
    .unwrap();
    let find = |s: &Store, text: &str| {
        s.queue(&QueueQuery {
            search: Some(text.into()),
            ..Default::default()
        })
        .unwrap()
        .total
    };
    assert_eq!(find(&s, "aziz"), 0);
    assert_eq!(find(&s, "malika"), 1);
    let page = s
        .queue(&QueueQuery {
            sort: SortKey::Borrower,
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.rows[0].borrower_name, "Borrower 0");
}

#[test]
fn the_audit_log_is_chained_and_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let mut s = Store::open(&path, &key()).unwrap();
    s.insert_cases(
        &[
            case("A-1", "Karimov", 100, "draft"),
            case("A-2", "Aliyeva", 200, "draft"),
        ],
        "2026-11-23T08:00:00Z",
        "alice",
        "import",
    )
    .unwrap();
    s.record_event("A-1", "2026-11-23T08:05:00Z", "alice", "export", "{}")
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert_eq!((report.entries, report.intact), (3, true));
    assert_eq!(s.events("A-1").unwrap().len(), 2);

    // Through SQL the log can be neither changed nor shortened.
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 3",
    ] {
        let e = s.conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    // Past the triggers (as a tool editing the file would be), the chain names the entry.
    s.conn
        .execute_batch(
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET detail = '{\"x\":1}' WHERE id = 2;",
        )
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert!(!report.intact);
    assert_eq!(report.first_break.unwrap().0, 2);
}

#[test]
fn events_from_before_the_chain_are_taken_over_and_sealed() {
    let dir = tempfile::tempdir().unwrap();
    // A plain store from before encryption, adopted explicitly.
    let path = dir.path().join("plain.db");
    {
        // A store as schema 2 wrote it, with case_events.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO cases VALUES ('A-1', 1, 'draft', NULL, NULL, 'B', '2026-11-20', 't', 't', 'K', 'P', 'V', '1.00', 100, 36);
             INSERT INTO case_events (case_id, at, actor, kind, detail) VALUES
               ('A-1', '2026-11-01T08:00:00Z', 'alice', 'import', '{}'),
               ('A-1', '2026-11-02T08:00:00Z', 'alice', 'edit', '{\"field\":\"loan.term_months\"}');",
        )
        .unwrap();
    }
    let mut s = Store::adopt(&path, &dir.path().join("cases.db"), &key()).unwrap();
    let events = s.events("A-1").unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["import", "edit"]
    );
    s.record_event("A-1", "2026-11-23T09:00:00Z", "bob", "export", "{}")
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert_eq!((report.entries, report.intact), (3, true));
}

#[test]
fn the_file_is_encrypted_and_a_wrong_key_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    {
        let mut s = Store::open(&path, &key()).unwrap();
        s.insert_cases(
            &[case("A-1", "Karimov Aziz", 100, "draft")],
            "2026-11-23T08:00:00Z",
            "uw",
            "import",
        )
        .unwrap();
    }
    let stored = bytes(&path);
    assert_ne!(
        &stored[..16],
        SQLITE_MAGIC,
        "the plain SQLite header never appears"
    );
    for secret in [&b"Karimov"[..], b"3150290", b"XWBA-1"] {
        assert!(
            !stored.windows(secret.len()).any(|w| w == secret),
            "{} in the file",
            String::from_utf8_lossy(secret)
        );
    }
    for wrong in [StoreKey::Raw([8; 32]), StoreKey::Passphrase("guess".into())] {
        let err = Store::open(&path, &wrong).err().unwrap();
        assert!(
            err.to_string().contains("cannot be read with this key"),
            "{err}"
        );
        assert_eq!(bytes(&path), stored);
    }
    let s = Store::open(&path, &key()).unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
}

/// A plain (unencrypted) store of this workstation, schema version 2, with one case.
fn plain_store(path: &Path) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    migrations().to_version(&mut conn, 2).unwrap();
    conn.execute_batch(
        "INSERT INTO cases VALUES ('A-1', 1, 'draft', NULL, NULL, 'B', '2026-11-20', 't', 't', 'Karimov', 'P', 'V', '1.00', 100, 36);",
    )
    .unwrap();
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Anyone who can write the data folder could put a crafted plain store there (their
/// own administrator, cases and audit chain): it is refused, never encrypted silently.
#[test]
fn a_plain_store_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    plain_store(&path);
    let before = bytes(&path);
    assert_eq!(&before[..16], SQLITE_MAGIC);
    let err = Store::open(&path, &key()).err().unwrap();
    assert!(matches!(err, StoreError::Plain { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("uw store adopt FILE"), "{message}");
    assert!(message.contains("left untouched"), "{message}");
    assert_eq!(bytes(&path), before);
    assert_eq!(names_in(dir.path()), ["cases.db"]);
}

/// The explicit path: the plain file is read, never written, and its content becomes
/// the encrypted store of a folder that had none, with the schema brought up to date.
#[test]
fn a_plain_store_is_adopted_explicitly_and_the_original_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("legacy's store.db");
    plain_store(&plain);
    let original = bytes(&plain);
    let beside = names_in(dir.path());
    let dest = dir.path().join("data/cases.db");
    let passphrase = StoreKey::Passphrase("it's a passphrase".into());
    let s = Store::adopt(&plain, &dest, &passphrase).unwrap();
    assert_eq!(s.count_cases().unwrap(), 1);
    let version: i64 = s
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema_version() as i64);
    drop(s);
    assert!(bytes(&plain) == original, "the plain file is untouched");
    let mut after = names_in(dir.path());
    after.retain(|n| n != "data");
    assert_eq!(after, beside, "nothing was left beside it");
    let stored = bytes(&dest);
    assert_ne!(&stored[..16], SQLITE_MAGIC);
    assert!(!stored.windows(7).any(|w| w == b"Karimov"));
    assert!(!names_in(dest.parent().unwrap())
        .iter()
        .any(|n| n.ends_with(".adopting")));
    assert_eq!(
        Store::open(&dest, &passphrase)
            .unwrap()
            .count_cases()
            .unwrap(),
        1
    );
    // Never over a store that exists.
    let stored = bytes(&dest);
    let err = Store::adopt(&plain, &dest, &passphrase).err().unwrap();
    assert!(matches!(err, StoreError::AlreadyAStore { .. }), "{err}");
    assert!(bytes(&dest) == stored, "the store is untouched");
    // An encrypted store needs no adoption; another program's database is not ours.
    let elsewhere = dir.path().join("other/cases.db");
    let err = Store::adopt(&dest, &elsewhere, &passphrase).err().unwrap();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); PRAGMA application_id = 42;")
        .unwrap();
    let err = Store::adopt(&foreign, &elsewhere, &passphrase)
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    let err = Store::adopt(&dir.path().join("missing.db"), &elsewhere, &passphrase)
        .err()
        .unwrap();
    assert!(err.to_string().contains("missing.db"), "{err}");
    assert!(!elsewhere.exists());
}

#[test]
fn deleted_content_is_overwritten_and_a_new_folder_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/folder/cases.db");
    let s = Store::open(&path, &key()).unwrap();
    let secure: i64 = s
        .conn
        .query_row("PRAGMA secure_delete", [], |r| r.get(0))
        .unwrap();
    assert_eq!(secure, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for folder in [dir.path().join("new"), dir.path().join("new/folder")] {
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
        }
    }
}

#[test]
fn an_edit_keeps_the_assignee_and_the_status_query_finds_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    let mut assigned = case("A-1", "Karimov", 100, "draft");
    assigned.assignee = Some("alice".into());
    s.insert_cases(&[assigned], "2026-11-23T08:00:00Z", "uw", "import")
        .unwrap();
    let edited = case("A-1", "Karimova", 100, "approved");
    s.update_case(&edited, 1, "2026-11-23T08:01:00Z", "uw", &[])
        .unwrap();
    assert_eq!(
        s.get_case("A-1").unwrap().assignee.as_deref(),
        Some("alice")
    );
    assert_eq!(s.case_ids_with_status("approved").unwrap(), ["A-1"]);
    assert!(s.case_ids_with_status("draft").unwrap().is_empty());
    assert!(!s.has_pending("A-1", "pledge_request").unwrap());
    assert!(s.has_pending("A-1", crate::sync::CASE_VERSION).unwrap());
}

#[test]
fn the_sla_clock_starts_at_assignment_and_restarts_only_with_another_assignee() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    let mut a = case("A-1", "Karimov", 100, "draft");
    a.assignee = Some("alice".into());
    let b = case("B-1", "Aliyev", 100, "draft");
    s.insert_cases(
        &[a.clone(), b.clone()],
        "2026-11-23T08:00:00Z",
        "uw",
        "import",
    )
    .unwrap();
    let assigned_at = |s: &Store, id: &str| {
        s.queue(&QueueQuery {
            search: Some(id.into()),
            ..Default::default()
        })
        .unwrap()
        .rows[0]
            .assigned_at
            .clone()
    };
    assert_eq!(
        assigned_at(&s, "A-1").as_deref(),
        Some("2026-11-23T08:00:00Z")
    );
    assert_eq!(assigned_at(&s, "B-1"), None);
    // An edit (no assignee known) and a sync naming the same assignee keep the clock.
    s.update_case(
        &case("A-1", "Karimov", 200, "draft"),
        1,
        "2026-11-23T09:00:00Z",
        "uw",
        &[],
    )
    .unwrap();
    s.update_case(&a, 2, "2026-11-23T09:30:00Z", "uw", &[])
        .unwrap();
    assert_eq!(
        assigned_at(&s, "A-1").as_deref(),
        Some("2026-11-23T08:00:00Z")
    );
    // Given to carol: the clock restarts; B-1 assigned later starts then.
    a.assignee = Some("carol".into());
    s.update_case(&a, 3, "2026-11-23T10:00:00Z", "uw", &[])
        .unwrap();
    assert_eq!(
        assigned_at(&s, "A-1").as_deref(),
        Some("2026-11-23T10:00:00Z")
    );
    let mut b = b;
    b.assignee = Some("bob".into());
    s.update_case(&b, 1, "2026-11-23T11:00:00Z", "uw", &[])
        .unwrap();
    assert_eq!(
        assigned_at(&s, "B-1").as_deref(),
        Some("2026-11-23T11:00:00Z")
    );
}

#[test]
fn the_dashboard_counts_come_from_the_queue_columns_and_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    let mut rejected = case("R-1", "Karimov", 100, "submitted");
    rejected.decision = Some("reject".into());
    rejected.reasons = "P-DTI P-DOCS".into();
    rejected.counter_offers = 4;
    let mut other = case("R-2", "Aliyev", 100, "draft");
    other.decision = Some("reject".into());
    other.reasons = "P-DTI P-LTV".into();
    s.insert_cases(
        &[rejected, other, case("A-1", "Usmonov", 100, "draft")],
        "2026-11-23T08:00:00Z",
        "uw",
        "import",
    )
    .unwrap();
    s.record_event("A-1", "2026-11-23T11:30:00Z", "bob", "approve", "{}")
        .unwrap();
    s.record_event(
        "R-2",
        "2026-11-23T09:00:00Z",
        "alice",
        COUNTER_OFFER_TAKEN,
        "{}",
    )
    .unwrap();
    let c = s.case_counts().unwrap();
    assert_eq!(c.by_status.get("draft"), Some(&2));
    assert_eq!(c.by_decision.get("reject"), Some(&2));
    assert_eq!(c.rejections_by_rule.get("P-DTI"), Some(&2));
    assert_eq!(c.rejections_by_rule.get("P-LTV"), Some(&1));
    // Counted as the rows name them; the service leaves out what only refers.
    assert_eq!(c.rejections_by_rule.get("P-DOCS"), Some(&1));
    assert_eq!((c.counter_offers_issued, c.counter_offers_taken), (2, 1));
    assert_eq!(c.decision_seconds, [3 * 3600 + 1800]);
    assert_eq!(c.not_derived, 0);
}

/// Each person's load: open cases assigned, submissions (a case once, however many
/// rounds), sign-offs, and the time to decision of the cases they submitted last.
#[test]
fn the_workload_is_each_persons_from_the_queue_and_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    let mut open = case("O-1", "Karimov", 100, "submitted");
    open.assignee = Some("alice".into());
    let mut decided = case("D-1", "Aliyev", 100, "approved");
    decided.assignee = Some("alice".into());
    s.insert_cases(&[open, decided], "2026-11-23T08:00:00Z", "uw", "import")
        .unwrap();
    for (case_id, at, actor, action) in [
        ("D-1", "2026-11-23T09:00:00Z", "alice", "submit"),
        ("D-1", "2026-11-23T09:30:00Z", "bob", "return"),
        ("D-1", "2026-11-23T10:00:00Z", "carol", "submit"),
        ("D-1", "2026-11-23T12:00:00Z", "bob", "approve"),
        ("O-1", "2026-11-23T10:30:00Z", "alice", "submit"),
    ] {
        s.record_event(case_id, at, actor, action, "{}").unwrap();
    }
    let w = s.workload().unwrap();
    let of = |who: &str| w.iter().find(|p| p.person == who).cloned().unwrap();
    let alice = of("alice");
    assert_eq!(
        (alice.assigned_open, alice.submitted, alice.signed),
        (1, 2, 0)
    );
    assert!(
        alice.decision_seconds.is_empty(),
        "the decision was of carol's round"
    );
    let carol = of("carol");
    assert_eq!(
        (carol.submitted, carol.decision_seconds.clone()),
        (1, vec![4 * 3600])
    );
    let bob = of("bob");
    assert_eq!((bob.assigned_open, bob.submitted, bob.signed), (0, 0, 1));
}

fn person(id: &str, until: &str) -> CachedPerson {
    CachedPerson {
        staff_id: id.into(),
        display_name: "Bobur Toshmatov".into(),
        dn: format!("uid={id},ou=people,dc=bank,dc=uz"),
        is_admin: false,
        is_underwriter: false,
        is_reviewer: true,
        is_supervisor: false,
        branches: "[\"BXM-07\"]".into(),
        verifier: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        online_at: "2026-12-02T08:00:00Z".into(),
        cached_until: until.into(),
    }
}

#[test]
fn people_and_keys_are_kept_forgotten_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    s.remember_person(&person("bob", "2026-12-05T08:00:00Z"))
        .unwrap();
    s.remember_person(&person("bob", "2026-12-06T08:00:00Z"))
        .unwrap();
    let p = s.cached_person("BOB").unwrap().unwrap();
    assert_eq!(p.cached_until, "2026-12-06T08:00:00Z");
    let k = StoredKey {
        staff_id: "bob".into(),
        algorithm: "ed25519".into(),
        public_key: vec![1; 32],
        wrapped: vec![2; 77],
        created_at: "2026-12-02T08:00:00Z".into(),
        enrolled_at: None,
    };
    s.put_signing_key(&k, "2026-12-02T08:00:00Z", "signing_key_created")
        .unwrap();
    // Only the key with this public half is marked enrolled.
    s.key_enrolled("bob", &[9; 32], "2026-12-02T08:00:01Z")
        .unwrap();
    assert_eq!(s.signing_key("bob").unwrap().unwrap().enrolled_at, None);
    s.key_enrolled("bob", &[1; 32], "2026-12-02T08:00:01Z")
        .unwrap();
    assert_eq!(
        s.signing_key("bob")
            .unwrap()
            .unwrap()
            .enrolled_at
            .as_deref(),
        Some("2026-12-02T08:00:01Z")
    );
    // Forgetting the offline login keeps the key unless asked; forgetting twice is no-op.
    assert!(s
        .forget_person(
            "bob",
            false,
            "2026-12-02T09:00:00Z",
            "OFFLINE_LOGIN_EXPIRED"
        )
        .unwrap());
    assert!(s.signing_key("bob").unwrap().is_some());
    s.remember_person(&person("bob", "2026-12-06T08:00:00Z"))
        .unwrap();
    assert!(s
        .forget_person("bob", true, "2026-12-02T09:00:00Z", "ACCOUNT_DISABLED")
        .unwrap());
    assert!(s.signing_key("bob").unwrap().is_none());
    assert!(!s
        .forget_person("bob", true, "2026-12-02T09:00:00Z", "ACCOUNT_DISABLED")
        .unwrap());
    let actions: Vec<String> = s
        .audit_tail(20)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "signing_key_created",
            "signing_key_enrolled",
            "offline_login_dropped",
            "offline_login_dropped"
        ]
    );
    assert!(s.verify_audit().unwrap().intact);
}

#[test]
fn a_version_goes_signed_unsigned_or_not_at_all_and_a_refusal_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    s.insert_cases_with(
        &[
            (
                case("A-1", "Karimov", 100, "draft"),
                Push::Signed("{\"signed\":1}"),
            ),
            (case("A-2", "Aliyev", 100, "draft"), Push::LocalOnly),
        ],
        "t",
        "alice",
        "import",
    )
    .unwrap();
    let entries = s.outbox_entries().unwrap();
    assert_eq!(entries.len(), 1, "a local-only version is not queued");
    assert_eq!(entries[0].statement.as_deref(), Some("{\"signed\":1}"));
    let head = s.outbox_head("A-1").unwrap().unwrap();
    assert_eq!(head.statement.as_deref(), Some("{\"signed\":1}"));
    // Refused: kept, never sent again, the workflow and the queue's stage with it.
    s.outbox_refused(
        head.id,
        "t2",
        "{\"code\":\"ROLE_MISSING\"}",
        Some("{\"stage\":\"draft\"}"),
        ("bank_refused", "{}"),
    )
    .unwrap();
    assert_eq!(s.outbox_head("A-1").unwrap(), None);
    assert_eq!(s.outbox_waiting().unwrap(), 0);
    assert_eq!(s.outbox_entries().unwrap()[0].state, "refused");
    assert_eq!(
        s.workflow("A-1").unwrap().as_deref(),
        Some("{\"stage\":\"draft\"}")
    );
    // Refusing it again finds no pending entry: an error, nothing changes.
    assert!(s
        .outbox_refused(head.id, "t3", "{}", None, ("bank_refused", "{}"))
        .is_err());
    assert_eq!(
        s.events("A-1").unwrap().last().unwrap().kind,
        "bank_refused"
    );
}

#[test]
fn the_reviewer_view_is_the_inbox_the_bank_served() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    let cases: Vec<NewCase> = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|id| case(id, "x", 100, "submitted"))
        .collect();
    s.insert_cases(&cases, "t", "uw", "import").unwrap();
    s.set_workflow(
        "A-2",
        "{\"stage\":\"submitted\",\"maker\":\"alice\",\"editors\":[\"alice\",\"Bob\"]}",
    )
    .unwrap();
    s.set_inbox("bob", &["A-1".into(), "A-2".into(), "NOT-HERE".into()])
        .unwrap();
    let ids = |s: &Store, q: QueueQuery| {
        s.queue(&q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.case_id)
            .collect::<Vec<_>>()
    };
    let mut inbox = ids(
        &s,
        QueueQuery {
            inbox_of: Some("BOB".into()),
            ..QueueQuery::default()
        },
    );
    inbox.sort();
    assert_eq!(inbox, ["A-1", "A-2"]);
    // Neither made nor edited by bob: his edit of A-2 leaves it out.
    let mut mine = ids(
        &s,
        QueueQuery {
            not_made_by: Some("bob".into()),
            ..QueueQuery::default()
        },
    );
    mine.sort();
    assert_eq!(mine, ["A-1", "A-3"]);
    // A newer inbox replaces the last one.
    s.set_inbox("bob", &["A-3".into()]).unwrap();
    assert_eq!(
        ids(
            &s,
            QueueQuery {
                inbox_of: Some("bob".into()),
                ..QueueQuery::default()
            }
        ),
        ["A-3"]
    );
}

#[test]
fn the_outbox_of_an_earlier_store_is_kept_across_the_identity_migration() {
    let dir = tempfile::tempdir().unwrap();
    // A plain store from before encryption, adopted explicitly.
    let path = dir.path().join("plain.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        migrations().to_version(&mut conn, 10).unwrap();
        conn.execute_batch(
            "INSERT INTO outbox (case_id, kind, body, idempotency_key, created_at, state) VALUES
               ('A-1', 'case_version', '{}', 'k-1', 't', 'sent'),
               ('A-1', 'review', '{}', 'k-2', 't', 'pending');",
        )
        .unwrap();
    }
    let mut s = Store::adopt(&path, &dir.path().join("cases.db"), &key()).unwrap();
    let e = s.outbox_entries().unwrap();
    assert_eq!(
        e.iter()
            .map(|e| (
                e.idempotency_key.as_str(),
                e.state.as_str(),
                e.statement.is_none()
            ))
            .collect::<Vec<_>>(),
        [("k-1", "sent", true), ("k-2", "pending", true)]
    );
    // New entries keep counting after the old ones (and make keys of their own).
    s.insert_cases(&[case("A-1", "x", 1, "draft")], "t", "uw", "import")
        .unwrap();
    let e = s.outbox_entries().unwrap();
    assert_eq!(e.last().unwrap().id, 3);
    assert_eq!(e.last().unwrap().idempotency_key.len(), 32);
}

fn user(name: &str, staff_id: &str, admin: bool) -> StoredUser {
    StoredUser {
        username: name.into(),
        display_name: name.to_uppercase(),
        staff_id: staff_id.into(),
        password_hash: "$argon2id$not-a-real-hash".into(),
        is_admin: admin,
        is_underwriter: !admin,
        is_reviewer: false,
        is_supervisor: false,
        failed_logins: 0,
        locked_until: None,
        totp_secret: None,
        totp_last_step: None,
        must_change_password: false,
        deactivated_at: None,
        last_login_at: None,
    }
}

/// A plain store at `path` as the version before the administration left it (schema 12),
/// holding the accounts `users` (SQL value rows).
fn store_before_admin(path: &std::path::Path, users: &str) -> rusqlite::Connection {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    migrations().to_version(&mut conn, 12).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO users (username, display_name, password_hash, is_admin, is_underwriter, is_reviewer, created_at)
           VALUES {users};"
    ))
    .unwrap();
    conn
}

#[test]
fn a_second_factor_s_code_counts_once_even_for_two_logins_checked_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    drop(store_before_admin(
        &path,
        "('dilnoza', 'Dilnoza', 'h', 1, 0, 0, 't')",
    ));
    let mut s = Store::adopt(&path, &dir.path().join("cases.db"), &key()).unwrap();
    let at = "2026-11-20T08:00:00Z";
    // Both logins checked the code against the same last step; the second to record it
    // records nothing.
    assert!(s
        .record_login("dilnoza", true, None, Some(5), at, "{}")
        .unwrap());
    assert!(!s
        .record_login("dilnoza", true, None, Some(5), at, "{}")
        .unwrap());
    assert!(!s
        .record_login("dilnoza", true, None, Some(4), at, "{}")
        .unwrap());
    assert!(s
        .record_login("dilnoza", true, None, Some(6), at, "{}")
        .unwrap());
    // A login without a second factor's code keeps the last step.
    assert!(s
        .record_login("dilnoza", true, None, None, at, "{}")
        .unwrap());
    let user = s.user("dilnoza").unwrap().unwrap();
    assert_eq!(user.totp_last_step, Some(6));
    let tail = s.audit_tail(100).unwrap();
    let count = |action: &str| tail.iter().filter(|e| e.action == action).count();
    assert_eq!(
        count("login"),
        3,
        "a refused recording is not audited as a login"
    );
    assert_eq!(count("login_failed"), 2, "but as a failed one");
    assert!(tail
        .iter()
        .filter(|e| e.action == "login_failed")
        .all(|e| e.detail.contains("TOTP_REUSED")));
}

#[test]
fn accounts_of_an_earlier_store_get_their_name_as_staff_id_and_their_last_login() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    drop(store_before_admin(
        &path,
        "('dilnoza', 'Dilnoza', 'h', 1, 0, 0, 't'), ('Aziz', 'Aziz', 'h', 0, 1, 0, 't')",
    ));
    let mut s = Store::adopt(&path, &dir.path().join("cases.db"), &key()).unwrap();
    for at in ["2026-11-20T08:00:00Z", "2026-11-21T09:00:00Z"] {
        assert!(s
            .record_login("dilnoza", true, None, None, at, "{}")
            .unwrap());
    }
    let users = s.users().unwrap();
    let got: Vec<_> = users
        .iter()
        .map(|u| {
            (
                u.username.as_str(),
                u.staff_id.as_str(),
                u.must_change_password,
                u.deactivated_at.is_none(),
                u.last_login_at.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Aziz", "Aziz", false, true, None),
            (
                "dilnoza",
                "dilnoza",
                false,
                true,
                Some("2026-11-21T09:00:00Z")
            ),
        ]
    );
    // The staff id is unique whatever its case, for the accounts taken over too.
    let err = s
        .insert_user(&user("aziz2", "AZIZ", false), "t", "dilnoza", false)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::StaffIdTaken { username, .. } if username == "Aziz"),
        "{err:?}"
    );
}

#[test]
fn the_migration_fills_the_last_login_from_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    {
        let mut conn = store_before_admin(&path, "('bob', 'Bob', 'h', 0, 0, 1, 't')");
        let tx = conn.transaction().unwrap();
        for (at, action) in [
            ("2026-11-01T08:00:00Z", "login"),
            ("2026-11-02T08:00:00Z", "login"),
            ("2026-11-03T08:00:00Z", "login_failed"),
        ] {
            audit::append(&tx, at, "bob", action, None, "{}").unwrap();
        }
        tx.commit().unwrap();
    }
    let s = Store::adopt(&path, &dir.path().join("cases.db"), &key()).unwrap();
    let bob = s.user("bob").unwrap().unwrap();
    assert_eq!(bob.last_login_at.as_deref(), Some("2026-11-02T08:00:00Z"));
    assert!(s.verify_audit().unwrap().intact);
}

/// The actions and details of the audit entries after the first `skip`.
fn audit_after(s: &Store, skip: usize) -> Vec<(String, String, String)> {
    s.audit_tail(10_000)
        .unwrap()
        .into_iter()
        .skip(skip)
        .map(|e| (e.actor, e.action, e.detail))
        .collect()
}

#[test]
fn each_account_change_is_written_with_its_audit_entry_and_keeps_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    s.insert_user(&user("root", "S-1", true), "t", "root", true)
        .unwrap();
    s.insert_user(&user("aziz", "S-2", false), "t", "root", false)
        .unwrap();
    let before = s.audit_tail(10_000).unwrap().len();

    // The only administrator keeps the role and the account.
    let demote = UserChange::Roles {
        admin: false,
        underwriter: true,
        reviewer: false,
        supervisor: false,
    };
    for change in [demote, UserChange::Deactivate] {
        let err = s.update_user("root", change, "t1", "aziz").unwrap_err();
        assert!(
            matches!(err, StoreError::LastAdmin(ref u) if u == "root"),
            "{err:?}"
        );
    }
    assert!(matches!(
        s.update_user("nobody", UserChange::Unlock, "t1", "root"),
        Err(StoreError::NoUser(_))
    ));
    assert_eq!(
        s.audit_tail(10_000).unwrap().len(),
        before,
        "nothing written"
    );

    let promote = UserChange::Roles {
        admin: true,
        underwriter: false,
        reviewer: false,
        supervisor: true,
    };
    s.update_user("aziz", promote, "t2", "root").unwrap();
    s.update_user(
        "aziz",
        UserChange::Password {
            hash: "$argon2id$secret-hash",
            must_change: true,
        },
        "t3",
        "root",
    )
    .unwrap();
    s.update_user("aziz", UserChange::Deactivate, "t4", "root")
        .unwrap();
    // A deactivated administrator is not one: root is the last active one again.
    assert!(matches!(
        s.update_user("root", demote, "t5", "root"),
        Err(StoreError::LastAdmin(_))
    ));
    s.update_user("aziz", UserChange::Reactivate, "t5", "root")
        .unwrap();
    s.update_user("root", demote, "t6", "aziz").unwrap();

    let aziz = s.user("aziz").unwrap().unwrap();
    assert!(
        aziz.is_admin
            && aziz.is_supervisor
            && aziz.must_change_password
            && aziz.deactivated_at.is_none()
    );
    assert_eq!(aziz.password_hash, "$argon2id$secret-hash");
    let entries = audit_after(&s, before);
    let actions: Vec<_> = entries
        .iter()
        .map(|(who, what, _)| (who.as_str(), what.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("root", "user_roles_changed"),
            ("root", "password_reset"),
            ("root", "user_deactivated"),
            ("root", "user_reactivated"),
            ("aziz", "user_roles_changed"),
        ]
    );
    assert!(entries.iter().all(|(_, _, d)| !d.contains("secret-hash")));
    assert!(
        entries[0].2.contains(r#""after":{"admin":true"#),
        "{}",
        entries[0].2
    );
}

#[test]
fn settings_change_with_their_audit_entry_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    s.set_settings_audited(
        &[
            ("bank.url", "https://core.bank.uz/"),
            ("bank.branch", "BXM-07"),
        ],
        "t",
        "root",
        r#"{"setting":"bank"}"#,
    )
    .unwrap();
    assert_eq!(s.setting("bank.branch").unwrap().as_deref(), Some("BXM-07"));
    let last = s.audit_tail(1).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.detail.as_str()
        ),
        ("root", "setting_changed", r#"{"setting":"bank"}"#)
    );
}

/// The key derived once per opening is the one SQLCipher derives from the passphrase: it
/// opens the store by itself (were it not, every opening would fall back to the passphrase
/// and derive it twice more, silently). A wrong passphrase's derived key opens nothing.
#[test]
fn a_passphrase_is_derived_once_into_the_key_sqlcipher_derives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let passphrase = StoreKey::Passphrase("it's a passphrase".into());
    drop(Store::open(&path, &passphrase).unwrap());
    let derived = passphrase.derived(&path).expect("a salt in the file");
    assert!(derived.starts_with("\"x'") && derived.len() == 3 + 96 + 2);
    let reads = |literal: &str| {
        let c =
            rusqlite::Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        apply_literal(&c, literal).unwrap();
        c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok()
    };
    assert!(reads(&derived));
    let wrong = StoreKey::Passphrase("it's another".into());
    assert!(!reads(&wrong.derived(&path).unwrap()));
    assert!(matches!(
        Store::open(&path, &wrong).err().unwrap(),
        StoreError::WrongKey { .. }
    ));
    assert_eq!(
        Store::open(&path, &passphrase)
            .unwrap()
            .count_cases()
            .unwrap(),
        0
    );
    assert_eq!(StoreKey::Raw([7; 32]).derived(&path), None);
    // What the salt is read from may be anything: noise is a wrong key, a file too short
    // for a salt has no derived key, and either is refused as before and left untouched.
    for junk in [
        (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<u8>>(),
        b"abc".to_vec(),
    ] {
        std::fs::write(&path, &junk).unwrap();
        assert_eq!(passphrase.derived(&path).is_some(), junk.len() >= 16);
        let err = Store::open(&path, &passphrase).err().unwrap();
        assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
        assert_eq!(bytes(&path), junk);
    }
}
