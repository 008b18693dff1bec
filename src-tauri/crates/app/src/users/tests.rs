use std::time::Duration;

use super::*;

fn open(dir: &std::path::Path, require_login: bool) -> Workstation {
    Workstation::open(crate::tests::options(dir, "os-user", true, require_login)).unwrap()
}

#[test]
fn passwords_are_argon2id_at_the_named_cost() {
    let h = hash_password("correct horse battery").unwrap();
    assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    assert!(verify_password(&h, "correct horse battery"));
    assert!(!verify_password(&h, "correct horse battery "));
    assert!(!verify_password("not a hash", "x"));
}

#[test]
fn login_failures_are_uniform_then_lock_and_everything_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    assert!(!ws.needs_setup().unwrap());
    let unknown = ws.login("mallory", "whatever-it-is", None).unwrap_err();
    let wrong = ws.login("alice", "not-her-password", None).unwrap_err();
    assert_eq!(
        (unknown.code, wrong.code),
        (ErrorCode::AuthFailed, ErrorCode::AuthFailed)
    );
    assert_eq!(unknown.message, wrong.message);
    assert!(ws.session().is_none());

    let s = ws.login(" Alice ", "alice-demo-2026", None).unwrap();
    assert_eq!(
        (s.username.as_str(), s.underwriter, s.reviewer),
        ("alice", true, false)
    );
    ws.logout().unwrap();
    assert!(ws.session().is_none());
    // Without a session the desktop changes nothing.
    let err = ws
        .import_texts(&[("x.json".into(), "{}".into())])
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotLoggedIn);

    for _ in 0..LOCK_AFTER_FAILURES {
        assert_eq!(
            ws.login("bob", "guess", None).unwrap_err().code,
            ErrorCode::AuthFailed
        );
    }
    // Locked: even the right password is refused now.
    let locked = ws.login("bob", "bob-demo-2026", None).unwrap_err();
    assert_eq!(locked.code, ErrorCode::AccountLocked);
    assert!(
        locked.message.contains("locked after 5 failed logins"),
        "{}",
        locked.message
    );

    let report = ws.verify_audit().unwrap();
    assert!(report.intact);
    // The unknown name is kept only as its hash: what was typed as a name may be a
    // password typed into the wrong field.
    let tail = ws.store().unwrap().audit_tail(10_000).unwrap();
    let failed: Vec<&str> = tail
        .iter()
        .filter(|e| e.action == "login_failed")
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(failed[0], crate::users::unknown_name("mallory"));
    assert!(failed[0].starts_with("unknown:") && failed[0].len() == 20);
    assert!(tail
        .iter()
        .all(|e| !e.actor.contains("mallory") && !e.detail.contains("mallory")));
    assert!(failed[1..].iter().all(|a| *a == "alice" || *a == "bob"));
    drop(ws);
    let conn = audit_counts(dir.path());
    assert_eq!(
        conn,
        (1, 7, 1),
        "(logins, failures incl. the unknown user, logouts)"
    );
}

/// (logins, failed logins, logouts) in the audit trail.
fn audit_counts(dir: &std::path::Path) -> (usize, usize, usize) {
    let ws = open(dir, false);
    let entries = ws.store().unwrap().audit_tail(10_000).unwrap();
    let n = |a: &str| entries.iter().filter(|e| e.action == a).count();
    (n("login"), n("login_failed"), n("logout"))
}

#[test]
fn the_first_start_creates_one_administrator_and_users_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(crate::tests::options(dir.path(), "os-user", false, true)).unwrap();
    assert!(ws.needs_setup().unwrap());
    let admin = NewUser {
        username: "dilnoza".into(),
        display_name: "Dilnoza Rahimova".into(),
        staff_id: None,
        password: "a long enough one".into(),
        admin: true,
        underwriter: true,
        reviewer: false,
        supervisor: None,
    };
    for (patch, field) in [
        (
            NewUser {
                username: "Bad Name".into(),
                ..admin.clone()
            },
            "username",
        ),
        (
            NewUser {
                password: "short".into(),
                ..admin.clone()
            },
            "password",
        ),
        (
            NewUser {
                display_name: " ".into(),
                ..admin.clone()
            },
            "display_name",
        ),
        (
            NewUser {
                admin: false,
                ..admin.clone()
            },
            "roles",
        ),
    ] {
        let e = ws.create_first_admin(&patch).unwrap_err();
        assert!(e.message.starts_with(field), "{field}: {}", e.message);
    }
    assert!(ws.needs_setup().unwrap());
    let s = ws.create_first_admin(&admin).unwrap();
    assert!(s.admin);
    assert_eq!(
        ws.create_first_admin(&NewUser {
            username: "other".into(),
            ..admin.clone()
        })
        .unwrap_err()
        .code,
        ErrorCode::AlreadyExists
    );
    ws.create_user(&NewUser {
        username: "ulugbek".into(),
        staff_id: Some("S-204".into()),
        admin: false,
        reviewer: true,
        supervisor: None,
        underwriter: false,
        ..admin.clone()
    })
    .unwrap();
    ws.logout().unwrap();
    ws.login("ulugbek", "a long enough one", None).unwrap();
    ws.change_password("a long enough one", "ulugbek's own one")
        .unwrap();
    let e = ws
        .create_user(&NewUser {
            username: "x2".into(),
            ..admin
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingRole);
}

#[test]
fn a_second_factor_is_set_up_with_a_code_then_asked_for_and_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    // Whoever sits at the session proves they are its owner.
    let e = ws.begin_totp("not-alices-password", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed);
    assert!(e.message.starts_with("password:"), "{}", e.message);
    let setup = ws.begin_totp("alice-demo-2026", None).unwrap();
    assert!(setup.uri.starts_with("otpauth://totp/"), "{}", setup.uri);
    let secret = crate::totp::from_base32(&setup.secret).unwrap();
    let now = || u64::try_from(chrono::Utc::now().timestamp()).unwrap();
    let code = |step: u64| format!("{:06}", crate::totp::code_at(&secret, step));
    assert_eq!(
        ws.confirm_totp("000000x").unwrap_err().code,
        ErrorCode::AuthFailed
    );
    // Confirm with the previous step's code (accepted: one step of drift) ...
    let step = now() / crate::totp::STEP_SECONDS;
    ws.confirm_totp(&code(step - 1)).unwrap();
    ws.logout().unwrap();

    // ... now the password alone is not enough.
    let e = ws.login("alice", "alice-demo-2026", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::TotpRequired);
    // The code that confirmed the set-up cannot be used again.
    let e = ws
        .login("alice", "alice-demo-2026", Some(&code(step - 1)))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TotpReused);
    let e = ws
        .login("alice", "alice-demo-2026", Some("123"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed);
    let next = now() / crate::totp::STEP_SECONDS + 1;
    ws.login("alice", "alice-demo-2026", Some(&code(next)))
        .unwrap();
    ws.logout().unwrap();
    // Once used, refused.
    let e = ws
        .login("alice", "alice-demo-2026", Some(&code(next)))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::TotpReused);
    // A wrong password with a fresh code is just a wrong password.
    let e = ws
        .login("alice", "wrong-password", Some(&code(next + 1)))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed);

    // Replacing the factor asks for a current code of it besides the password: nobody
    // at an unlocked session binds their own authenticator to alice's account.
    // (The codes used so far are forgotten, so that the test needs no clock's turn.)
    ws.store()
        .unwrap()
        .set_totp(
            "alice",
            Some(&setup.secret),
            None,
            "2026-12-03T10:00:00Z",
            "test",
        )
        .unwrap();
    let step = now() / crate::totp::STEP_SECONDS;
    ws.login("alice", "alice-demo-2026", Some(&code(step - 1)))
        .unwrap();
    let e = ws.begin_totp("alice-demo-2026", None).unwrap_err();
    assert_eq!(e.code, ErrorCode::TotpRequired);
    let e = ws
        .begin_totp("alice-demo-2026", Some("abcdef"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed);
    ws.begin_totp("alice-demo-2026", Some(&code(step + 1)))
        .unwrap();
    let store = ws.store().unwrap();
    let refused = store
        .audit_tail(100)
        .unwrap()
        .iter()
        .filter(|e| e.action == "totp_setup_refused")
        .count();
    assert_eq!(refused, 3, "each refusal is audited");
}

/// A second factor whose stored secret no longer decodes fails closed: the password alone
/// is refused, with or without a code, until an administrator resets the second factor.
#[test]
fn an_unreadable_second_factor_refuses_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    ws.store()
        .unwrap()
        .set_totp(
            "alice",
            Some("not base32!"),
            None,
            "2026-12-03T10:00:00Z",
            "test",
        )
        .unwrap();
    for code in [None, Some("123456")] {
        let e = ws.login("alice", "alice-demo-2026", code).unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthFailed, "{code:?}");
        assert!(e.message.contains("cannot be read"), "{}", e.message);
    }
    // A wrong password is told nothing of the second factor.
    let e = ws.login("alice", "wrong-password", None).unwrap_err();
    assert!(!e.message.contains("second factor"), "{}", e.message);
    ws.store()
        .unwrap()
        .set_totp("alice", None, None, "2026-12-03T10:01:00Z", "admin")
        .unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
}

#[test]
fn an_idle_session_locks_and_the_setting_is_the_administrators() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    assert_eq!(
        ws.set_idle_minutes(5).unwrap_err().code,
        ErrorCode::MissingRole
    );
    ws.set_idle_for_test(Duration::from_millis(150));
    ws.queue(&Default::default()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let e = ws
        .import_texts(&[("x.json".into(), "{}".into())])
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionLocked);
    assert!(ws.session().is_none());
    assert_eq!(
        ws.import_texts(&[("x.json".into(), "{}".into())])
            .unwrap_err()
            .code,
        ErrorCode::NotLoggedIn
    );

    ws.set_idle_for_test(Duration::from_secs(600));
    ws.login("admin", "admin-demo-2026", None).unwrap();
    assert_eq!(
        ws.set_idle_minutes(0).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    ws.set_idle_minutes(3).unwrap();
    drop(ws);
    // Kept in the store: a new start uses it.
    let ws = open(dir.path(), true);
    assert_eq!(ws.idle_limit_for_test(), Duration::from_secs(180));
    let kinds = audit_counts_of(&ws, &["session_locked", "setting_changed"]);
    assert_eq!(kinds, [1, 1]);
}

fn audit_counts_of(ws: &Workstation, actions: &[&str]) -> Vec<usize> {
    let entries = ws.store().unwrap().audit_tail(10_000).unwrap();
    actions
        .iter()
        .map(|a| entries.iter().filter(|e| e.action == *a).count())
        .collect()
}

/// A login over a live session ends that session as a logout would: its edit locks are let
/// go and its end is in the audit trail.
#[test]
fn a_login_over_a_session_ends_it_as_a_logout_would() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path(), true);
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case("AUTO-2026-000123").unwrap();
    let mut case = v.case.clone();
    case.loan.term_months = 48;
    ws.save_case(
        "AUTO-2026-000123",
        v.version,
        serde_json::to_value(&case).unwrap(),
    )
    .unwrap();
    assert_eq!(
        ws.store()
            .unwrap()
            .case_lock("AUTO-2026-000123")
            .unwrap()
            .map(|l| l.0),
        Some("alice".to_string())
    );
    ws.login("carol", "carol-demo-2026", None).unwrap();
    assert_eq!(
        ws.store().unwrap().case_lock("AUTO-2026-000123").unwrap(),
        None
    );
    let replaced = ws
        .store()
        .unwrap()
        .audit_tail(50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "logout" && e.actor == "alice")
        .count();
    assert_eq!(replaced, 1);
}
