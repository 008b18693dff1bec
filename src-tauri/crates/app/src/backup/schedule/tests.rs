use chrono::NaiveDate;

use super::*;
use crate::tests::options;
use crate::{BACKUP_FOLDER, BACKUP_KEEP, BACKUP_TIME};

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a test time")
}

#[test]
fn a_backup_is_due_once_a_day_after_its_time() {
    let eighteen = NaiveTime::from_hms_opt(18, 0, 0).expect("time");
    let check = |last: Option<&str>, now: &str, expected: bool| {
        assert_eq!(
            due(last.map(at), at(now), eighteen),
            expected,
            "last {last:?}, now {now}"
        );
    };
    // A schedule just set backs up at once.
    check(None, "2026-12-02 17:59", true);
    check(None, "2026-12-02 18:00", true);
    check(Some("2026-12-01 18:00"), "2026-12-02 17:59", false);
    check(Some("2026-12-01 18:00"), "2026-12-02 18:05", true);
    check(Some("2026-12-02 18:00"), "2026-12-02 18:05", false);
    check(Some("2026-12-02 18:00"), "2026-12-02 23:59", false);
    // Off at six yesterday: it backs up the next morning, and again at six.
    check(Some("2026-11-29 18:00"), "2026-12-01 09:00", true);
    check(Some("2026-12-01 09:00"), "2026-12-01 17:00", false);
    check(Some("2026-12-01 09:00"), "2026-12-01 18:00", true);
    // A clock put back does not make a second backup of the same day.
    check(Some("2026-12-03 18:00"), "2026-12-02 19:00", false);
}

#[test]
fn malformed_schedules_are_named() {
    for bad in [
        "",
        "18",
        "24:00",
        "18:60",
        "6:00",
        "18:00:00",
        "ab:cd",
        "١٨:٠٠",
    ] {
        let e = parse_time(bad).expect_err(bad);
        assert!(e.message.starts_with("backup.time:"), "{}", e.message);
    }
    assert_eq!(
        parse_time(" 06:30 ").expect("ok"),
        NaiveTime::from_hms_opt(6, 30, 0).expect("time")
    );
}

#[test]
fn pruning_keeps_the_newest_and_touches_nothing_else() {
    let dir = tempfile::tempdir().expect("tmp");
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let names: Vec<String> = (0..5)
        .map(|i| {
            file_name(
                (day + chrono::Days::new(i))
                    .and_hms_opt(18, 0, 0)
                    .expect("t"),
            )
        })
        .collect();
    for n in &names {
        std::fs::write(dir.path().join(n), b"x").expect("write");
    }
    let others = [
        "notes.txt",
        "uw-backup-latest.uwb",
        "uw-backup-20261201-180000.uwb.partial",
    ];
    for n in others {
        std::fs::write(dir.path().join(n), b"x").expect("write");
    }
    std::fs::create_dir(dir.path().join("uw-backup-20261101-180000.uwb")).expect("a folder");
    // Planted with a future date: neither counted nor able to push the new one out.
    let planted = "uw-backup-20991231-235959.uwb";
    std::fs::write(dir.path().join(planted), b"x").expect("write");
    let removed = prune(dir.path(), 2, &names[4]).expect("pruned");
    assert_eq!(removed.len(), 3);
    for (i, n) in names.iter().enumerate() {
        assert_eq!(dir.path().join(n).exists(), i >= 3, "{n}");
    }
    for n in others.iter().chain([&planted]) {
        assert!(dir.path().join(n).exists(), "{n} is not a backup of ours");
    }
    assert!(prune(&dir.path().join("missing"), 2, &names[4]).is_err());
}

fn admin_workstation(data: &Path) -> Workstation {
    let ws = Workstation::open(options(data, "os-user", true, true)).expect("opens");
    ws.login("admin", "admin-demo-2026", None)
        .expect("the administrator");
    ws
}

fn set(ws: &Workstation, folder: &Path, time: &str, keep: &str) {
    let mut store = ws.store().expect("store");
    store
        .set_setting(BACKUP_FOLDER, &folder.display().to_string())
        .expect("set");
    store.set_setting(BACKUP_TIME, time).expect("set");
    store.set_setting(BACKUP_KEEP, keep).expect("set");
}

fn backups(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[test]
fn the_daily_backup_runs_once_a_day_and_keeps_the_last_n() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).expect("folder");
    let ws = admin_workstation(&dir.path().join("ws"));
    assert_eq!(
        ws.scheduled_backup(at("2026-12-01 18:30"))
            .expect("no folder"),
        None
    );
    set(&ws, &folder, "18:00", "2");
    ws.logout().expect("logout");

    // The workstation's own job: nobody logged in. Set at five, it backs up at once.
    let made = ws.scheduled_backup(at("2026-12-01 17:00")).expect("due");
    assert!(made.is_some_and(|s| s.cases > 0));
    assert!(ws
        .scheduled_backup(at("2026-12-01 17:30"))
        .expect("not yet")
        .is_none());
    let made = ws.scheduled_backup(at("2026-12-01 18:00")).expect("due");
    assert!(made.is_some_and(|s| s.cases > 0));
    assert!(ws
        .scheduled_backup(at("2026-12-01 20:00"))
        .expect("done")
        .is_none());
    for day in ["2026-12-02 18:01", "2026-12-03 19:00"] {
        assert!(
            ws.scheduled_backup(at(day)).expect("due").is_some(),
            "{day}"
        );
    }
    assert_eq!(
        backups(&folder),
        [
            "uw-backup-20261202-180100.uwb",
            "uw-backup-20261203-190000.uwb"
        ]
    );
    let trail = ws.store().expect("store").audit_tail(1000).expect("trail");
    let made = trail
        .iter()
        .filter(|e| e.action == "backup_made" && e.actor == "workstation");
    assert_eq!(made.count(), 4);
}

#[test]
fn a_failed_backup_is_audited_once_and_tried_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).expect("folder");
    let ws = admin_workstation(&dir.path().join("ws"));
    set(&ws, &folder, "18:00", "1");
    assert!(ws
        .scheduled_backup(at("2026-12-01 18:00"))
        .expect("made")
        .is_some());
    std::fs::remove_dir_all(&folder).expect("the folder goes away");
    let e = ws
        .scheduled_backup(at("2026-12-02 18:00"))
        .expect_err("no folder");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
    assert!(e.message.starts_with("backup.folder:"), "{}", e.message);
    // Tried again a quarter of an hour later, audited once.
    assert!(ws
        .scheduled_backup(at("2026-12-02 18:10"))
        .expect("waits")
        .is_none());
    assert!(ws.scheduled_backup(at("2026-12-02 18:15")).is_err());
    let trail = ws.store().expect("store").audit_tail(1000).expect("trail");
    assert_eq!(
        trail.iter().filter(|e| e.action == "backup_failed").count(),
        1
    );
    // The folder is back: the day's backup is made.
    std::fs::create_dir(&folder).expect("folder");
    assert!(ws
        .scheduled_backup(at("2026-12-02 18:30"))
        .expect("made")
        .is_some());
    assert_eq!(backups(&folder), ["uw-backup-20261202-183000.uwb"]);
}

#[test]
fn back_up_now_is_an_administrators_and_needs_a_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).expect("folder");
    let ws = admin_workstation(&dir.path().join("ws"));
    let e = ws
        .backup_now(at("2026-12-01 10:00"))
        .expect_err("no folder");
    assert!(e.message.starts_with("backup.folder:"), "{}", e.message);
    set(&ws, &folder, "18:00", "3");
    ws.backup_now(at("2026-12-01 10:00")).expect("made");
    assert_eq!(backups(&folder), ["uw-backup-20261201-100000.uwb"]);
    ws.logout().expect("logout");
    ws.login("alice", "alice-demo-2026", None).expect("alice");
    let e = ws
        .backup_now(at("2026-12-01 11:00"))
        .expect_err("not an administrator");
    assert_eq!(e.code, ErrorCode::MissingRole);
}
