//! The support bundle as support opens it: the health report and two weeks of log, none of
//! the demo's personal data, written privately — or a coded refusal, nothing written.

use std::io::Read;
use std::path::Path;

use super::*;
use crate::logs::tests::{assert_nothing_personal, one_log, personal};
use crate::tests::options;

/// Every entry of a bundle: its name and text.
pub(crate) fn entries(zip_file: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(zip_file).expect("the bundle opens");
    let mut zip = zip::ZipArchive::new(file).expect("the bundle is a zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("an entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("UTF-8 text");
            (
                entry.name().map(|n| n.to_string()).unwrap_or_default(),
                text,
            )
        })
        .collect()
}

fn demo_desk(dir: &Path) -> Workstation {
    let ws = Workstation::open(options(dir, "os-user", true, true)).expect("opens");
    ws.login("alice", "alice-demo-2026", None)
        .expect("alice logs in");
    ws
}

fn day_file(days_ago: i64) -> String {
    let day = chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago);
    format!("uw.{}.log", day.format("%Y-%m-%d"))
}

#[test]
fn the_bundle_holds_the_report_and_two_weeks_of_log_and_nothing_personal() {
    let _turn = one_log();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let logs = crate::logs::folder(&data);
    std::fs::create_dir_all(&logs).expect("mkdir");
    let (kept, dropped) = (day_file(DAYS - 1), day_file(DAYS));
    for name in [&kept, &dropped] {
        std::fs::write(logs.join(name), format!("{{\"from\":\"{name}\"}}\n")).expect("write");
    }
    let _guard = crate::logs::init(&data).expect("the log starts");
    let ws = demo_desk(&data);
    let _ = ws.login("31502901234569", "Karimov Aziz Rustamovich", None);
    ws.open_case("AUTO-2026-000123").expect("the demo case");
    let out = dir.path().join("support.zip");
    let bundle = ws.support_bundle(&out).expect("written");

    let entries = entries(&out);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    let today = format!("logs/{}", day_file(0));
    assert_eq!(names.first(), Some(&"doctor.json"), "{names:?}");
    assert!(names.contains(&today.as_str()), "{names:?}");
    assert!(
        names.contains(&format!("logs/{kept}").as_str()),
        "{names:?}"
    );
    assert!(
        !names.contains(&format!("logs/{dropped}").as_str()),
        "{names:?}"
    );
    assert_eq!(bundle.log_files, names[1..].to_vec());
    let report: serde_json::Value = serde_json::from_str(&entries[0].1).expect("the report");
    assert!(
        report["checks"].as_array().is_some_and(|c| c.len() >= 8),
        "{report}"
    );
    let log = &entries
        .iter()
        .find(|(n, _)| *n == today)
        .expect("today's log")
        .1;
    assert!(log.contains(r#""staff_id":"alice""#), "{log}");
    for (name, text) in &entries {
        assert_nothing_personal(text, &personal("no token here"));
        assert!(!text.contains("alice-demo-2026"), "{name}");
    }
    assert_eq!(
        bundle.bytes,
        std::fs::metadata(&out).expect("written").len()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn nobody_logged_in_saves_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workstation::open(options(dir.path(), "os-user", true, true)).expect("opens");
    let out = dir.path().join("support.zip");
    let err = ws.support_bundle(&out).expect_err("refused");
    assert_eq!(err.code, ErrorCode::NotLoggedIn);
    assert!(!out.exists());
}

#[test]
fn a_missing_folder_or_a_folder_as_the_file_is_a_coded_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let ws = demo_desk(&data);
    let missing = dir.path().join("no such folder").join("support.zip");
    let err = ws.support_bundle(&missing).expect_err("refused");
    assert_eq!(err.code, ErrorCode::Io, "{err:?}");
    assert!(err.message.contains("does not exist"), "{err:?}");
    let folder = dir.path().join("a folder");
    std::fs::create_dir(&folder).expect("mkdir");
    let err = ws.support_bundle(&folder).expect_err("refused");
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
    assert!(err.message.contains("a folder"), "{err:?}");
    assert_eq!(std::fs::read_dir(&folder).expect("reads").count(), 0);
    for nameless in ["", "/", ".."] {
        let err = ws.support_bundle(Path::new(nameless)).expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidInput, "{nameless:?}: {err:?}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("reads")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(
        left.len(),
        2,
        "only the data folder and the empty folder: {left:?}"
    );
}

#[test]
fn a_huge_day_goes_in_by_its_last_whole_lines() {
    let log = b"first line\nsecond line\nthird\n".to_vec();
    assert_eq!(last_lines(log.clone(), 1000), log);
    assert_eq!(last_lines(log.clone(), 14), b"third\n".to_vec());
    assert_eq!(
        last_lines(b"no newline at all".to_vec(), 5),
        b"t all".to_vec()
    );
    assert_eq!(last_lines(Vec::new(), 0), Vec::<u8>::new());
}
