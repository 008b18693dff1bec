//! `uw`'s log as support reads it: a line per command in the data folder's `logs/`, by name
//! and outcome, never a word of the cases it worked on; and `uw support-bundle`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn uw(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(args)
        .env("UW_DATA_DIR", data_dir)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .env_remove("UW_BANK_URL")
        .output()
        .expect("run uw")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn demo_cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases")
}

/// The log's text and its lines, parsed.
fn read_log(data_dir: &Path) -> (String, Vec<serde_json::Value>) {
    let mut text = String::new();
    for file in uw_app::logs::files(&uw_app::logs::folder(data_dir)) {
        text.push_str(&std::fs::read_to_string(file).expect("the log reads"));
    }
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (text, lines)
}

#[test]
fn each_command_is_logged_by_name_and_outcome_and_nothing_personal() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let mut files: Vec<String> = std::fs::read_dir(demo_cases())
        .expect("the demo cases")
        .map(|e| e.expect("an entry").path().display().to_string())
        .collect();
    files.sort();
    let case = files[0].as_str();
    let mut import = vec!["import"];
    import.extend(files.iter().map(String::as_str));
    assert!(uw(&import, &data).status.success());
    let again = uw(&["import", case], &data);
    assert!(stderr(&again).contains("CASE_EXISTS"), "{}", stderr(&again));
    assert!(uw(&["evaluate", case], &data).status.success());
    assert!(uw(&["export", "AUTO-2026-000123"], &data).status.success());
    let pinfl = [
        "identity",
        "--pinfl",
        "31502901234569",
        "--birth-date",
        "1990-02-15",
    ];
    assert!(uw(&pinfl, &data).status.success());
    let out = dir.path().join("support.zip");
    let o = uw(
        &["support-bundle", "-o", out.to_str().expect("utf-8")],
        &data,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bundle: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(
        bundle["log_files"]
            .as_array()
            .is_some_and(|f| !f.is_empty()),
        "{bundle}"
    );
    assert!(std::fs::read(&out).expect("written").starts_with(b"PK"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let missing = dir.path().join("no such folder/support.zip");
    let o = uw(
        &["support-bundle", "-o", missing.to_str().expect("utf-8")],
        &data,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("IO") && stderr(&o).contains("does not exist"),
        "{}",
        stderr(&o)
    );
    let o = uw(
        &["support-bundle", "-o", dir.path().to_str().expect("utf-8")],
        &data,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("INVALID_INPUT"), "{}", stderr(&o));

    let (text, lines) = read_log(&data);
    let mut needles = uw_app::privacy::needles_of_case_files(&demo_cases()).expect("needles");
    needles.push(uw_app::privacy::Needle {
        whose: "the store's passphrase".into(),
        text: "cli test passphrase".into(),
    });
    let found = uw_app::privacy::scan(&text, &needles);
    assert!(found.is_empty(), "{found:#?}");
    let logged = |name: &str, outcome: &str| {
        lines.iter().any(|l| {
            l["event"] == "command"
                && l["via"] == "uw"
                && l["name"] == name
                && l["outcome"] == outcome
        })
    };
    for (name, outcome) in [
        ("import", "ok"),
        ("import", "CASE_EXISTS"),
        ("evaluate", "ok"),
        ("export", "ok"),
        ("identity", "ok"),
        ("support-bundle", "ok"),
        ("support-bundle", "IO"),
        ("support-bundle", "INVALID_INPUT"),
    ] {
        assert!(logged(name, outcome), "no {name} {outcome}: {text}");
    }
}

#[test]
fn a_check_that_needs_no_store_makes_no_data_folder_to_log_in() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("not yet");
    assert!(uw(&["vin", "XWBJA69V9LA123456"], &data).status.success());
    assert!(!data.exists());
}
