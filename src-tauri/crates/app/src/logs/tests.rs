//! The log as support reads it: JSON lines of the workstation's own events only, in a
//! private folder, two weeks kept — and, through a whole demo run against the bank
//! simulator, never a word of a client's.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use uw_bank_link::BankConfig;

use super::*;
use crate::privacy::{needles_of_case_files, scan, Needle};
use crate::sync::RefusedStatement;
use crate::Workstation;

const CASE: &str = "AUTO-2026-000123";

static ONE_LOG: Mutex<()> = Mutex::new(());

/// The process has one log: the tests that point it at a folder take turns. (Other tests
/// running meanwhile add their own lines, which are as free of personal data.)
pub(crate) fn one_log() -> MutexGuard<'static, ()> {
    ONE_LOG.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn demo_cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases")
}

/// The text of every log file of a data folder, and its lines parsed: a line that is not
/// JSON fails the test.
pub(crate) fn read_log(data_dir: &Path) -> (String, Vec<Value>) {
    let mut text = String::new();
    for file in files(&folder(data_dir)) {
        text.push_str(&std::fs::read_to_string(&file).expect("the log reads as UTF-8"));
    }
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (text, lines)
}

/// The demo's personal data: every party's name, PINFL, document number and phone, the
/// loan and income amounts in each form, and the bank's token.
pub(crate) fn personal(token: &str) -> Vec<Needle> {
    let mut needles = needles_of_case_files(&demo_cases()).expect("the demo cases read");
    needles.push(crate::privacy::token(token));
    needles
}

pub(crate) fn assert_nothing_personal(text: &str, needles: &[Needle]) {
    let found = scan(text, needles);
    assert!(
        found.is_empty(),
        "personal data in the log:\n{}",
        found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn has(lines: &[Value], pred: impl Fn(&Value) -> bool) -> bool {
    lines.iter().any(pred)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn only_the_workstation_s_events_reach_the_file_as_json_lines_in_a_private_folder() {
    let _turn = one_log();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let guard = init(&data).expect("the log starts");
    command("uw", "import", Duration::from_millis(12), None);
    command(
        "window",
        "open_case",
        Duration::from_millis(3),
        Some(ErrorCode::NotFound),
    );
    tracing::info!(target: "hyper", pinfl = "31502901234569", "another crate's event");
    tracing::info!(
        pinfl = "31502901234569",
        "an event under this module's own target"
    );
    tracing::debug!(target: TARGET, event = "command", name = "below_info");
    drop(guard);
    command("uw", "after_the_guard", Duration::ZERO, None);

    let (text, lines) = read_log(&data);
    assert!(!text.contains("31502901234569"), "{text}");
    let commands: Vec<&Value> = lines.iter().filter(|l| l["event"] == "command").collect();
    assert_eq!(commands.len(), 2, "{text}");
    let (ok, failed) = (commands[0], commands[1]);
    assert_eq!(
        (
            &ok["via"],
            &ok["name"],
            &ok["ms"],
            &ok["outcome"],
            &ok["level"]
        ),
        (
            &Value::from("uw"),
            &Value::from("import"),
            &Value::from(12),
            &Value::from("ok"),
            &Value::from("INFO")
        )
    );
    assert_eq!(
        (&failed["outcome"], &failed["level"]),
        (&Value::from("NOT_FOUND"), &Value::from("WARN"))
    );
    assert!(
        ok["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{ok}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&folder(&data)), 0o700);
        for f in files(&folder(&data)) {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }
}

#[test]
fn two_weeks_of_files_are_kept_and_nothing_else_is_touched() {
    let _turn = one_log();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let logs = folder(&data);
    std::fs::create_dir_all(&logs).expect("mkdir");
    for day in 1..=20 {
        std::fs::write(logs.join(format!("uw.2020-01-{day:02}.log")), "{}\n").expect("write");
    }
    std::fs::write(logs.join("notes.txt"), "kept").expect("write");
    let _guard = init(&data).expect("the log starts");
    let kept = files(&logs);
    assert_eq!(kept.len(), KEEP_FILES, "{kept:?}");
    let today = chrono::Utc::now().date_naive();
    assert!(kept.iter().any(|p| file_date(p) == Some(today)), "{kept:?}");
    assert!(logs.join("notes.txt").exists());
}

#[test]
fn a_log_file_is_known_by_its_name_only() {
    let day = |name: &str| file_date(Path::new(name));
    assert_eq!(
        day("/x/uw.2026-12-02.log"),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
    );
    for name in [
        "uw.2026-13-02.log",
        "uw.2026-12-02.log.bak",
        "uw..log",
        "uw.log",
        "xuw.2026-12-02.log",
        "uw.2026-12-02",
        "",
    ] {
        assert_eq!(day(name), None, "{name:?}");
    }
}

#[test]
fn a_data_folder_that_is_a_file_is_a_coded_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("data");
    std::fs::write(&file, "not a folder").expect("write");
    let err = init(&file).err().expect("refused");
    assert_eq!(err.code, ErrorCode::StoreUnavailable, "{err:?}");
    // A data folder whose `logs` is a file.
    let data = dir.path().join("other");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(folder(&data), "not a folder").expect("write");
    let err = init(&data).err().expect("refused");
    assert_eq!(err.code, ErrorCode::StoreUnavailable, "{err:?}");
}

#[test]
fn a_pass_s_codes_are_the_workstation_s_and_a_bank_s_unknown_code_is_not_repeated() {
    let refused = |code: &str| RefusedStatement {
        case_id: CASE.into(),
        action: "submit".into(),
        signer: "alice".into(),
        code: code.into(),
        message: "Karimov Aziz Rustamovich".into(),
    };
    let report = SyncReport {
        error_codes: vec![ErrorCode::BankOffline, ErrorCode::BankOffline],
        refused: vec![refused("31502901234569"), refused("SELF_REVIEW")],
        errors: vec!["case of Karimov Aziz Rustamovich: 135000000.00".into()],
        ..SyncReport::default()
    };
    assert_eq!(
        pass_codes(&report),
        vec!["BANK_OFFLINE", "BANK_REFUSED", "SELF_REVIEW"]
    );
}

/// A demo workstation against the bank simulator seeded with the demo's cases, as the
/// end-to-end demo runs: every step that reaches the log, then every line scanned.
#[test]
fn the_demo_leaves_nothing_personal_in_the_log() {
    let _turn = one_log();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("ws");
    let token = "log-test-token-4Qv8Zr";
    let guard = init(&data).expect("the log starts");
    let mut sim = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    sim.token = token.into();
    sim.seed_cases = Some(demo_cases());
    sim.assign_to = vec!["alice".into(), "carol".into()];
    let bank = uw_bank_sim::start(sim).expect("the simulator starts");
    let ws = crate::tests::open_with_bank(&data, BankConfig::new(&bank.url(), token));
    run_the_demo(&ws, dir.path(), token);
    drop(ws);
    drop(guard);

    let (text, lines) = read_log(&data);
    assert_nothing_personal(&text, &personal(token));
    let event = |l: &Value, e: &str| l["event"] == e;
    let refused = |l: &Value| event(l, "login") && l["outcome"] == "AUTH_FAILED";
    assert_eq!(lines.iter().filter(|l| refused(l)).count(), 2, "{text}");
    assert!(
        lines
            .iter()
            .filter(|l| refused(l))
            .all(|l| l.get("staff_id").is_none()),
        "{text}"
    );
    for who in ["alice", "bob"] {
        assert!(
            has(&lines, |l| event(l, "login") && l["staff_id"] == who),
            "{who}: {text}"
        );
    }
    assert!(
        has(&lines, |l| event(l, "sync_pass") && l["pulled_new"] == 17),
        "{text}"
    );
    for path in [
        "/v1/queue",
        "/v1/identity/{pinfl}",
        "/v1/bureau/{pinfl}",
        "/v1/cases/AUTO-2026-000123",
    ] {
        assert!(
            has(&lines, |l| event(l, "bank_call") && l["path"] == path),
            "{path}: {text}"
        );
    }
    assert!(has(&lines, |l| event(l, "support_bundle")), "{text}");
    assert!(has(&lines, |l| event(l, "logout")), "{text}");
}

/// The demo's steps: refused logins, the first sync, a case opened, evaluated, edited,
/// checked with the registers, its statement read, submitted, approved and printed, and
/// the support bundle — whose every entry is scanned too.
fn run_the_demo(ws: &Workstation, dir: &Path, token: &str) {
    // Refused: a wrong password (a client's name), and a PINFL typed as the user name.
    for (user, password) in [
        ("alice", "Karimov Aziz Rustamovich"),
        ("31502901234569", "AA1234567"),
    ] {
        let err = ws.login(user, password, None).expect_err("refused");
        assert_eq!(err.code, ErrorCode::AuthFailed);
    }
    ws.login("alice", "alice-demo-2026", None)
        .expect("alice logs in");
    let first = ws.sync().expect("the first sync");
    assert_eq!(first.pulled_new, 17, "{first:?}");
    let view = ws.open_case(CASE).expect("the case opens");
    let mut case = serde_json::to_value(&view.case).expect("json");
    ws.evaluate_value(case.clone()).expect("it evaluates");
    case["loan"]["term_months"] = Value::from(48);
    let view = ws.save_case(CASE, view.version, case).expect("saved");
    let view = ws.verify_identity(CASE, view.version, 0).expect("identity");
    ws.pull_bureau(CASE, view.version, 0).expect("bureau");
    let statement = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo/statements/karimov-sqb-2026-05-10.txt");
    ws.attach_statement_files(CASE, 0, &[statement], &mut |_| {})
        .expect("the statement reads");
    assert!(ws.sync().expect("a sync").pushed > 0);
    crate::tests::submit_and_approve(
        ws,
        CASE,
        "Karimov Aziz Rustamovich earns 12 800 000 a month: 135 000 000 over 48 months fits",
    );
    ws.print_agreement(CASE, "uz")
        .expect("the agreement prints");
    ws.sync().expect("a sync");
    let out = dir.join("bundle.zip");
    let bundle = ws.support_bundle(&out).expect("the bundle is written");
    assert!(!bundle.log_files.is_empty(), "{bundle:?}");
    let needles = personal(token);
    for (name, text) in crate::support::tests::entries(&out) {
        let found = scan(&text, &needles);
        assert!(found.is_empty(), "{name}: {found:?}");
    }
    ws.logout().expect("logout");
}

/// With the bank's directory (a real slapd): each call is logged by operation and code;
/// neither what was typed nor the person's display name.
#[test]
fn directory_calls_are_logged_by_operation_and_code_only() {
    let _turn = one_log();
    let directory = uw_directory::slapd::Slapd::fixture()
        .expect("slapd starts (Debian's slapd package, see .ci/setup)");
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("ws");
    let guard = init(&data).expect("the log starts");
    let ws = Workstation::open(crate::OpenOptions {
        directory: Some(directory.config()),
        ..crate::tests::options(&data, "os-user", false, true)
    })
    .expect("opens");
    let wrong = ws.login("bob", "Karimov Aziz Rustamovich", None).err();
    assert_eq!(wrong.map(|e| e.code), Some(ErrorCode::AuthFailed));
    let password = uw_directory::slapd::fixture_password("bob");
    let session = ws.login("bob", &password, None).expect("bob logs in");
    drop(ws);
    drop(guard);

    let (text, lines) = read_log(&data);
    assert_nothing_personal(&text, &personal("no token here"));
    assert!(!text.contains(&password), "{text}");
    assert!(!text.contains(&session.display_name), "{text}");
    let call = |outcome: &str| {
        has(&lines, |l| {
            l["event"] == "directory_call" && l["op"] == "authenticate" && l["outcome"] == outcome
        })
    };
    assert!(call("AUTH_FAILED") && call("ok"), "{text}");
    assert!(
        has(&lines, |l| l["event"] == "login"
            && l["staff_id"] == "bob"
            && l["mode"] == "directory"),
        "{text}"
    );
}
