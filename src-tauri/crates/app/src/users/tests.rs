use super::*;
use crate::OpenOptions;

fn open(dir: &std::path::Path, require_login: bool) -> Workstation {
    Workstation::open(OpenOptions {
        data_dir: dir.to_path_buf(),
        actor: "os-user".into(),
        demo: true,
        require_login,
    })
    .unwrap()
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
    let unknown = ws.login("mallory", "whatever-it-is").unwrap_err();
    let wrong = ws.login("alice", "not-her-password").unwrap_err();
    assert_eq!(
        (unknown.code, wrong.code),
        (ErrorCode::AuthFailed, ErrorCode::AuthFailed)
    );
    assert_eq!(unknown.message, wrong.message);
    assert!(ws.session().is_none());

    let s = ws.login(" Alice ", "alice-demo-2026").unwrap();
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
            ws.login("bob", "guess").unwrap_err().code,
            ErrorCode::AuthFailed
        );
    }
    // Locked: even the right password is refused now.
    let locked = ws.login("bob", "bob-demo-2026").unwrap_err();
    assert_eq!(locked.code, ErrorCode::AccountLocked);
    assert!(
        locked.message.contains("locked after 5 failed logins"),
        "{}",
        locked.message
    );

    let report = ws.verify_audit().unwrap();
    assert!(report.intact);
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
    let ws = Workstation::open(OpenOptions {
        data_dir: dir.path().to_path_buf(),
        actor: "os-user".into(),
        demo: false,
        require_login: true,
    })
    .unwrap();
    assert!(ws.needs_setup().unwrap());
    let admin = NewUser {
        username: "dilnoza".into(),
        display_name: "Dilnoza Rahimova".into(),
        password: "a long enough one".into(),
        admin: true,
        underwriter: true,
        reviewer: false,
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
        admin: false,
        reviewer: true,
        underwriter: false,
        ..admin.clone()
    })
    .unwrap();
    ws.logout().unwrap();
    ws.login("ulugbek", "a long enough one").unwrap();
    let e = ws
        .create_user(&NewUser {
            username: "x2".into(),
            ..admin
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingRole);
}
