use std::path::PathBuf;

use serde_json::Value;

use super::*;

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");

/// The options every test opens its workstation with: the tests' fixed store key and no
/// core bank (a test that needs one sets `bank` over these).
pub(crate) fn options(
    dir: &std::path::Path,
    actor: &str,
    demo: bool,
    require_login: bool,
) -> OpenOptions {
    OpenOptions {
        data_dir: dir.to_path_buf(),
        actor: actor.into(),
        demo,
        require_login,
        bank: None,
        directory: None,
        key: StoreKey::Raw([7; 32]),
    }
}

fn open(dir: &std::path::Path, demo: bool) -> Workstation {
    Workstation::open(options(dir, "alice", demo, false)).unwrap()
}

/// The two-person check as the unit tests need it done: the logged-in user submits the
/// case for approval, then bob (a reviewer) signs it off with his password; bob stays
/// logged in.
pub(crate) fn submit_and_approve(ws: &Workstation, case_id: &str, justification: &str) -> CaseView {
    let v = ws.open_case(case_id).expect("the case opens");
    ws.submit(
        case_id,
        v.version,
        uw_domain::case::ReviewDecision::Approve,
        justification,
    )
    .expect("the maker submits");
    ws.logout().expect("log out");
    ws.login("bob", "bob-demo-2026", None).expect("bob logs in");
    let v = ws.open_case(case_id).expect("the case opens");
    ws.approve(case_id, v.version, "bob-demo-2026")
        .expect("bob approves")
}

/// A demo workstation (login required) pointed at a core bank — the simulator, in the
/// tests — with short retry and hold times.
pub(crate) fn open_with_bank(dir: &std::path::Path, bank: crate::BankConfig) -> Workstation {
    let ws = Workstation::open(OpenOptions {
        bank: Some(bank),
        ..options(dir, "os-user", true, true)
    })
    .expect("the workstation opens");
    ws.set_sync_options(crate::SyncOptions {
        retry_min: std::time::Duration::from_millis(2),
        retry_max: std::time::Duration::from_millis(20),
        retries: 1,
        hold_min: std::time::Duration::from_millis(10),
        hold_max: std::time::Duration::from_millis(50),
        ..crate::SyncOptions::default()
    });
    ws
}

/// A CA certificate (`bank-ca.pem`) and its key (`bank-ca.key`) in `dir`, made with the
/// `openssl` command.
pub(crate) fn ca_pem(dir: &std::path::Path) -> PathBuf {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "bank-ca.key",
            "-out",
            "bank-ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=bank CA",
        ])
        .output()
        .expect("the tests need the openssl command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("bank-ca.pem")
}

#[test]
fn bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/bindings.ts");
    let generated = ipc::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p uw-app bindings`"
    );
}

#[test]
fn the_shipped_assets_load() {
    assert_eq!(default_product().loan.max_term_months, 60);
    assert!(wmi_table().manufacturers.iter().any(|m| m.wmi == "XWB"));
    assert!(!income_classification().rules.is_empty());
    assert!(csv_layouts().layouts.len() >= 2);
    assert_eq!(sla_rules().hours_to_decision, 24);
}

#[test]
fn the_demo_has_every_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    let page = ws
        .queue(&QueueQuery {
            limit: 500,
            ..Default::default()
        })
        .unwrap();
    assert!(page.total >= 12);
    let decisions: std::collections::BTreeSet<_> = page
        .rows
        .iter()
        .filter_map(|r| r.decision.clone())
        .collect();
    assert_eq!(
        decisions.into_iter().collect::<Vec<_>>(),
        ["approve", "refer", "reject"]
    );
    // Reopening does not seed twice.
    drop(ws);
    assert_eq!(
        open(dir.path(), true).status().unwrap().case_count,
        page.total
    );
}

#[test]
fn open_cases_carry_their_sla_deadlines_and_decided_ones_none() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    submit_and_approve(&ws, "AUTO-2026-000123", "salary at this bank");
    let page = ws
        .queue(&QueueQuery {
            limit: 500,
            ..Default::default()
        })
        .unwrap();
    for r in &page.rows {
        if r.status == "approved" {
            assert_eq!((&r.due_at, &r.due_soon_at), (&None, &None), "{r:?}");
            continue;
        }
        // Unassigned demo cases: 24 h from their arrival, due soon 4 h before.
        let since = chrono::DateTime::parse_from_rfc3339(&r.received_at).unwrap();
        let due = chrono::DateTime::parse_from_rfc3339(r.due_at.as_deref().unwrap()).unwrap();
        let soon = chrono::DateTime::parse_from_rfc3339(r.due_soon_at.as_deref().unwrap()).unwrap();
        assert_eq!(due - since, chrono::Duration::hours(24), "{r:?}");
        assert_eq!(due - soon, chrono::Duration::hours(4), "{r:?}");
    }
    assert!(page.rows.iter().any(|r| r.status == "approved"));
}

#[test]
fn the_language_choice_is_remembered_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), false);
    // UW_LANGUAGE is not set in the unit tests: Uzbek.
    assert_eq!(ws.status().unwrap().language, "uz");
    ws.set_language("ru").unwrap();
    let e = ws.set_language("de").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.starts_with("language: \"de\""), "{e:?}");
    drop(ws);
    assert_eq!(open(dir.path(), false).status().unwrap().language, "ru");
}

#[test]
fn a_normal_start_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), false);
    assert_eq!(ws.status().unwrap().case_count, 0);
}

#[test]
fn import_is_all_or_nothing_and_names_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), false);
    let good = ("good.json".to_string(), EXAMPLE.to_string());
    let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
    v["case_id"] = "AUTO-2026-999999".into();
    v["parties"][0]["birth_date"] = "1990-13-01".into();
    let bad = ("bad.json".to_string(), v.to_string());
    let err = ws.import_texts(&[good.clone(), bad]).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidCase);
    assert_eq!(
        err.message,
        "bad.json: parties[0].birth_date: not a date: \"1990-13-01\""
    );
    assert_eq!(ws.status().unwrap().case_count, 0, "nothing saved");

    ws.import_texts(std::slice::from_ref(&good)).unwrap();
    let err = ws.import_texts(&[good]).unwrap_err();
    assert_eq!(err.code, ErrorCode::CaseExists);
    assert_eq!(ws.status().unwrap().case_count, 1);

    let missing = ws
        .import_files(&[dir.path().join("nope.json")])
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::Io);
    assert!(missing.message.contains("nope.json"));
    // A batch past the limits is refused before it is read whole, naming the file that
    // passes the bytes allowed; nothing is saved.
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let mut second: Value = serde_json::from_str(EXAMPLE).unwrap();
    second["case_id"] = "AUTO-2026-999998".into();
    std::fs::write(&a, EXAMPLE.replace("AUTO-2026-000123", "AUTO-2026-999997")).unwrap();
    std::fs::write(&b, second.to_string()).unwrap();
    let limits = |files, bytes| crate::cases::ImportLimits { files, bytes };
    let two = [a.clone(), b.clone()];
    let err = ws
        .import_files_within(&two, limits(1, u64::MAX))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::FileOverLimit);
    assert!(
        err.message.starts_with("2 files in one import: at most 1"),
        "{err}"
    );
    let first = std::fs::metadata(&a).unwrap().len();
    let err = ws.import_files_within(&two, limits(2, first)).unwrap_err();
    assert_eq!(err.code, ErrorCode::FileOverLimit);
    assert!(
        err.message
            .starts_with(&format!("{}: the import passes", b.display())),
        "{err}"
    );
    assert_eq!(ws.status().unwrap().case_count, 1, "nothing more saved");
    let report = ws.import_files_within(&two, limits(2, u64::MAX)).unwrap();
    assert_eq!(
        report.imported.len(),
        2,
        "within the limits, the same files import"
    );

    let binary = dir.path().join("scan.pdf");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let err = ws.import_files(&[binary]).unwrap_err();
    assert!(
        err.message.contains("scan.pdf") && err.message.contains("UTF-8"),
        "{err}"
    );
}

#[test]
fn edits_persist_with_their_history_and_versions_guard_them() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ws = open(dir.path(), false);
        ws.import_texts(&[("a.json".into(), EXAMPLE.into())])
            .unwrap();
        let view = ws.open_case("AUTO-2026-000123").unwrap();
        assert_eq!(view.version, 1);
        assert_eq!(
            view.evaluation.decision,
            uw_domain::decision::Decision::Approve
        );
        let mut edited = serde_json::to_value(&view.case).unwrap();
        edited["loan"]["term_months"] = 60.into();
        let saved = ws.save_case("AUTO-2026-000123", 1, edited.clone()).unwrap();
        assert_eq!(saved.version, 2);
        assert_eq!(saved.evaluation.metrics.rate.as_deref(), Some("24.00"));

        // A save based on the old version is refused; nothing changes.
        edited["loan"]["term_months"] = 12.into();
        let err = ws
            .save_case("AUTO-2026-000123", 1, edited.clone())
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::VersionConflict);

        // A malformed edit names the field and changes nothing.
        edited["loan"]["amount"] = "abc".into();
        let err = ws.save_case("AUTO-2026-000123", 2, edited).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidCase);
        assert!(err.message.contains("loan.amount"), "{err}");
    }
    let ws = open(dir.path(), false);
    let view = ws.open_case("AUTO-2026-000123").unwrap();
    assert_eq!((view.version, view.case.loan.term_months), (2, 60));
    let history = ws.history("AUTO-2026-000123").unwrap();
    let edit = history.iter().find(|e| e.kind == "edit").unwrap();
    let detail: Value = serde_json::from_str(&edit.detail).unwrap();
    assert_eq!(detail["field"], "loan.term_months");
    assert_eq!(
        (detail["before"].as_i64(), detail["after"].as_i64()),
        (Some(36), Some(60))
    );
    assert_eq!(edit.actor, "alice");
    let q = ws.queue(&QueueQuery::default()).unwrap();
    assert_eq!(q.rows[0].term_months, 60);
}

#[test]
fn export_gives_back_the_case_file() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), false);
    ws.import_texts(&[("a.json".into(), EXAMPLE.into())])
        .unwrap();
    let out = dir.path().join("out.json");
    ws.export_case_to("AUTO-2026-000123", &out).unwrap();
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let original: Value = serde_json::from_str(EXAMPLE).unwrap();
    assert_eq!(exported, original);
    assert!(ws
        .history("AUTO-2026-000123")
        .unwrap()
        .iter()
        .any(|e| e.kind == "export"));
    assert_eq!(
        ws.export_case("NOPE").unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn a_foreign_database_is_refused_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cases.db"),
        b"definitely not a database, just text",
    )
    .unwrap();
    let err = Workstation::open(options(dir.path(), "a", true, false))
        .err()
        .unwrap();
    // Not plain SQLite, so it is read as an encrypted store, which this key does not open.
    assert_eq!(err.code, ErrorCode::StoreWrongKey);
    assert!(err.message.contains("left untouched"), "{}", err.message);
}

include!("../../../command_list.rs");

/// The desktop shell's security surface, read from its files: every command registered in
/// `src/commands/` has its permission generated by `build.rs` and granted by the capability,
/// nothing else is granted, and the CSP allows no eval and no inline script.
#[test]
fn the_window_may_call_exactly_the_workstation_commands() {
    let shell = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(shell.join(p)).unwrap();
    // One list: the #[tauri::command] functions of src/commands/ make build.rs's manifest
    // and the handler (command_list.rs).
    let registered: Vec<String> = app_commands(&shell.join("src/commands"))
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert!(registered.len() > 50, "{registered:?}");
    assert!(read("build.rs").contains("app_commands("));
    let handler = read("src/commands/mod.rs");
    assert!(handler.contains(r#"include!(concat!(env!("OUT_DIR"), "/handler.rs"))"#));
    // Every file of the shell: no hand-written handler, and every #[tauri::command] in an
    // area file, each named by the list.
    let mut attributes = 0;
    for dir in ["src", "src/commands"] {
        for file in std::fs::read_dir(shell.join(dir)).unwrap() {
            let path = file.unwrap().path();
            if path.is_dir() {
                assert_eq!(path, shell.join("src/commands"), "no deeper area");
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("generate_handler!["),
                "{}: the handler is generated",
                path.display()
            );
            let here = text
                .lines()
                .filter(|l| l.trim_start().starts_with("#[tauri::command"))
                .count();
            if dir == "src" || path.ends_with("mod.rs") {
                assert_eq!(here, 0, "{}: commands live in an area file", path.display());
            }
            attributes += here;
        }
    }
    assert_eq!(
        attributes,
        registered.len(),
        "a command the list does not name"
    );
    // The reader names what stands after comments, blank lines and other attributes, and
    // stops at what it cannot name.
    let source = "#[tauri::command] // why\n\n/// doc\n#[allow(x)]\npub(crate) async fn a(\n";
    assert_eq!(command_names(source), ["a"]);
    assert!(
        std::panic::catch_unwind(|| command_names("#[tauri::command]\nstatic X: u8 = 1;")).is_err()
    );

    let capability: Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut expected: Vec<String> = registered
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // Listening to the window's own events is how a drop of files reaches the income step
    // (the paths only; Rust reads the files). Emitting stays forbidden.
    expected.extend([
        "core:event:allow-listen".into(),
        "core:event:allow-unlisten".into(),
    ]);
    granted.sort();
    expected.sort();
    assert_eq!(
        granted, expected,
        "the capability must grant exactly the app's commands"
    );
    assert_eq!(capability["windows"], serde_json::json!(["main"]));

    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
    assert_eq!(conf["identifier"], paths::APP_IDENTIFIER);
}

/// The attacks on the records only the system writes: typed into the window's save, or
/// carried in by an imported file.
#[test]
fn records_only_the_system_writes_are_refused_on_save_and_dropped_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(options(dir.path(), "os-user", true, true)).unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let id = "AUTO-2026-000123";
    let v = ws.open_case(id).unwrap();
    let forge = |change: &dyn Fn(&mut Value)| {
        let mut case = serde_json::to_value(&v.case).unwrap();
        change(&mut case);
        ws.save_case(id, v.version, case).unwrap_err()
    };
    for (change, path) in [
        (
            Box::new(|c: &mut Value| {
                c["review"] = serde_json::json!({"decision": "approve", "maker": "alice",
                    "checker": "bob", "signed_at": "2026-11-23T10:15:00Z", "case_version": 1})
            }) as Box<dyn Fn(&mut Value)>,
            "review",
        ),
        (
            Box::new(|c: &mut Value| c["pledge"]["vin_lien"] = "registered".into()),
            "pledge",
        ),
        (
            Box::new(|c: &mut Value| c["documents"][3]["status"] = "verified".into()),
            "documents[3].status",
        ),
        (
            Box::new(|c: &mut Value| {
                c["disbursement"] = serde_json::json!({"advance": "60000000.00"})
            }),
            "disbursement",
        ),
    ] {
        let e = forge(&*change);
        assert_eq!(e.code, ErrorCode::OwnedField, "{path}: {}", e.message);
        assert!(e.message.starts_with(path), "{}", e.message);
    }
    // Nothing was saved.
    assert_eq!(ws.open_case(id).unwrap().version, v.version);

    // The same records in an imported file are left out, and the import says which.
    let mut file: Value = serde_json::from_str(EXAMPLE).unwrap();
    file["case_id"] = "AUTO-2026-900001".into();
    file["review"] = serde_json::json!({"decision": "approve", "maker": "alice",
        "checker": "bob", "signed_at": "2026-11-23T10:15:00Z", "case_version": 1});
    file["pledge"] = serde_json::json!({"vin_lien": "registered"});
    file["documents"][0]["checked"] =
        serde_json::json!({"by": "bob", "at": "2026-11-23T10:00:00Z"});
    let report = ws
        .import_texts(&[("forged.json".into(), file.to_string())])
        .unwrap();
    assert_eq!(
        report.dropped,
        [
            "AUTO-2026-900001: review",
            "AUTO-2026-900001: pledge",
            "AUTO-2026-900001: documents[0].checked"
        ]
    );
    let imported = ws.open_case("AUTO-2026-900001").unwrap().case;
    assert_eq!(imported.review, None);
    assert_eq!(imported.pledge, uw_domain::case::Pledge::default());
    assert_eq!(imported.documents[0].checked, None);
}

/// Swapping the passport scan of a submitted case: refused (the case is with its
/// reviewer); a scan removed from a draft is kept, marked removed.
#[test]
fn scans_change_through_the_workflow_and_removed_ones_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(options(dir.path(), "os-user", true, true)).unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let id = "AUTO-2026-000123";
    let pdf = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/passport-scan.pdf"),
    )
    .unwrap();
    let list = ws
        .attach_scan(id, "identity", 0, "passport.pdf", &pdf)
        .unwrap();
    let scan = list.scans[0].id;
    ws.remove_scan(id, scan).unwrap();
    assert!(ws.scans(id).unwrap().scans.is_empty());
    // Kept, with its bytes, reachable by its id for the record.
    assert_eq!(ws.scan_content(id, scan).unwrap().1, pdf);
    let kinds: Vec<String> = ws
        .history(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"scan_removed".to_string()), "{kinds:?}");
    // An editor of the case: the workflow knows her.
    assert!(ws.review(id).unwrap().workflow.editors.contains("alice"));

    let again = ws
        .attach_scan(id, "identity", 0, "passport.pdf", &pdf)
        .unwrap();
    let v = ws.open_case(id).unwrap();
    ws.submit(
        id,
        v.version,
        uw_domain::case::ReviewDecision::Approve,
        "ok",
    )
    .unwrap();
    ws.logout().unwrap();
    ws.login("carol", "carol-demo-2026", None).unwrap();
    for e in [
        ws.attach_scan(id, "identity", 0, "other.pdf", &pdf)
            .unwrap_err(),
        ws.remove_scan(id, again.scans[0].id).unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::WrongStage, "{}", e.message);
    }
    assert_eq!(ws.scans(id).unwrap().scans.len(), 1);
}
