//! The administration of local accounts, through the service as the window calls it.

use super::*;
use crate::error::ErrorCode;
use crate::{NewUser, Workstation};

/// A demo workstation that requires a login (demo users: alice, bob, carol, admin), with
/// `who` logged in.
pub(crate) fn desk(dir: &std::path::Path, who: &str) -> Workstation {
    let ws = Workstation::open(crate::tests::options(dir, "os-user", true, true)).unwrap();
    ws.login(who, &format!("{who}-demo-2026"), None).unwrap();
    ws
}

fn new_user(username: &str, staff_id: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("{username} (test)"),
        staff_id: Some(staff_id.into()),
        password: "initial-pass-1".into(),
        admin: false,
        underwriter: true,
        reviewer: false,
        supervisor: None,
    }
}

fn user(ws: &Workstation, name: &str) -> UserView {
    ws.admin_users()
        .unwrap()
        .into_iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("{name} is listed"))
}

const ROLES: UserRoles = UserRoles {
    admin: false,
    underwriter: true,
    reviewer: true,
    supervisor: None,
};

type Op = fn(&Workstation) -> crate::Result<()>;

/// Every operation of the screen, by name.
pub(crate) fn operations() -> Vec<(&'static str, Op)> {
    vec![
        ("users", |ws| ws.admin_users().map(drop)),
        ("create", |ws| ws.create_user(&new_user("zafar", "S-9"))),
        ("roles", |ws| ws.admin_set_roles("bob", ROLES)),
        ("reset password", |ws| {
            ws.admin_reset_password("bob", "temporary-pass-1")
        }),
        ("reset second factor", |ws| {
            ws.admin_reset_second_factor("bob")
        }),
        ("unlock", |ws| ws.admin_unlock("bob")),
        ("deactivate", |ws| ws.admin_set_active("bob", false)),
        ("reactivate", |ws| ws.admin_set_active("bob", true)),
        ("settings", |ws| ws.admin_settings().map(drop)),
        ("idle minutes", |ws| ws.set_idle_minutes(30)),
        ("language", |ws| ws.admin_set_language("ru")),
        ("bank", |ws| {
            ws.admin_set_bank(&crate::BankInput {
                url: "https://core.bank.uz/".into(),
                token: Some("t".into()),
                branch: String::new(),
                ca_file: None,
                clear_ca: false,
            })
        }),
        ("test bank", |ws| ws.admin_test_bank()),
        ("backup", |ws| {
            ws.admin_set_backup(&crate::BackupInput {
                folder: String::new(),
                time: "20:00".into(),
                keep: 7,
            })
        }),
        ("directory", |ws| {
            ws.admin_set_directory(&crate::DirectoryInput::default())
        }),
        ("test directory", |ws| ws.admin_test_directory()),
    ]
}

#[test]
fn every_operation_needs_a_logged_in_administrator_and_changes_nothing_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "alice");
    let entries = |ws: &Workstation| ws.store().unwrap().audit_tail(100_000).unwrap().len();
    let before = entries(&ws);
    for (name, op) in operations() {
        let err = op(&ws).unwrap_err();
        assert_eq!(err.code, ErrorCode::MissingRole, "{name}: {err:?}");
        assert!(
            err.message.contains("alice is not an administrator"),
            "{name}"
        );
    }
    ws.logout().unwrap();
    let after_logout = entries(&ws);
    for (name, op) in operations() {
        assert_eq!(op(&ws).unwrap_err().code, ErrorCode::NotLoggedIn, "{name}");
    }
    assert_eq!(
        entries(&ws),
        after_logout,
        "nothing audited: nothing changed"
    );
    assert_eq!(after_logout, before + 1, "only the logout");
    assert!(ws.store().unwrap().user("zafar").unwrap().is_none());
}

#[test]
fn an_administrator_does_not_administer_their_own_account() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    let me = [
        ("roles", ws.admin_set_roles(" Admin ", ROLES)),
        (
            "password",
            ws.admin_reset_password("admin", "temporary-pass-1"),
        ),
        ("second_factor", ws.admin_reset_second_factor("ADMIN")),
        ("unlock", ws.admin_unlock("admin")),
        ("active", ws.admin_set_active("admin", false)),
    ];
    for (what, result) in me {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::SelfAdministration, "{what}");
        assert!(err.message.starts_with(what), "{what}: {}", err.message);
    }
    let admin = user(&ws, "admin");
    assert!(admin.admin && !admin.reviewer && admin.deactivated_at.is_none());
    // Nor a second account of their own, with the reviewer role: one staff id, one account.
    let second = NewUser {
        reviewer: true,
        supervisor: None,
        ..new_user("admin2", "admin")
    };
    let err = ws.create_user(&second).unwrap_err();
    assert_eq!(err.code, ErrorCode::StaffIdTaken);
    assert!(err.message.contains("(admin)"), "{}", err.message);
}

#[test]
fn the_last_active_administrator_keeps_the_role_and_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    // A second administrator, made by the first.
    let dilnoza = NewUser {
        admin: true,
        underwriter: false,
        ..new_user("dilnoza", "S-2")
    };
    ws.create_user(&dilnoza).unwrap();
    // While admin works, dilnoza's desk deactivates admin (their session here is stale).
    ws.store()
        .unwrap()
        .update_user("admin", uw_store::UserChange::Deactivate, "t", "dilnoza")
        .unwrap();
    // dilnoza is the only active administrator now: the stale session cannot remove her.
    for result in [
        ws.admin_set_roles("dilnoza", ROLES),
        ws.admin_set_active("dilnoza", false),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::LastAdministrator, "{err:?}");
        assert!(err.message.contains("dilnoza"), "{}", err.message);
    }
    let d = user(&ws, "dilnoza");
    assert!(d.admin && d.deactivated_at.is_none());
    // With admin active again, dilnoza may lose the role: someone stays.
    ws.store()
        .unwrap()
        .update_user("admin", uw_store::UserChange::Reactivate, "t", "dilnoza")
        .unwrap();
    ws.admin_set_roles("dilnoza", ROLES).unwrap();
    assert!(!user(&ws, "dilnoza").admin);
}

fn check_create(ws: &Workstation, u: NewUser, code: ErrorCode, says: &str) {
    let err = ws.create_user(&u).unwrap_err();
    assert_eq!(err.code, code, "{u:?}: {err:?}");
    assert!(err.message.contains(says), "{u:?}: {}", err.message);
}

#[test]
fn one_person_one_account_by_the_staff_id() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    ws.create_user(&new_user("nodira", "S-100")).unwrap();
    let n = user(&ws, "nodira");
    assert_eq!((n.staff_id.as_str(), n.underwriter), ("S-100", true));
    assert!(
        n.must_change_password,
        "the administrator chose the password"
    );
    let long = "S".repeat(65);
    let cases = [
        (
            new_user("nodira2", "S-100"),
            ErrorCode::StaffIdTaken,
            "S-100",
        ),
        (
            new_user("nodira3", "s-100"),
            ErrorCode::StaffIdTaken,
            "(nodira)",
        ),
        // The demo users took their user names as staff ids.
        (new_user("robert", "bob"), ErrorCode::StaffIdTaken, "(bob)"),
        (
            new_user("nodira", "S-101"),
            ErrorCode::AlreadyExists,
            "nodira",
        ),
        (
            NewUser {
                staff_id: None,
                ..new_user("zafar", "")
            },
            ErrorCode::InvalidInput,
            "staff_id: required",
        ),
        (new_user("zafar", "  "), ErrorCode::InvalidInput, "staff_id"),
        (
            new_user("zafar", " S-5"),
            ErrorCode::InvalidInput,
            "staff_id",
        ),
        (
            new_user("zafar", "S-\u{7}5"),
            ErrorCode::InvalidInput,
            "staff_id",
        ),
        (
            new_user("zafar", &long),
            ErrorCode::InvalidInput,
            "staff_id",
        ),
        (
            new_user("Zafar X", "S-5"),
            ErrorCode::InvalidInput,
            "username",
        ),
        (
            NewUser {
                password: "short".into(),
                ..new_user("zafar", "S-5")
            },
            ErrorCode::InvalidInput,
            "password",
        ),
        (
            NewUser {
                underwriter: false,
                ..new_user("zafar", "S-5")
            },
            ErrorCode::InvalidInput,
            "roles",
        ),
    ];
    for (u, code, says) in cases {
        check_create(&ws, u, code, says);
    }
    assert!(ws.store().unwrap().user("zafar").unwrap().is_none());
}

#[test]
fn a_password_an_administrator_set_is_changed_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    ws.create_user(&new_user("nodira", "S-100")).unwrap();
    ws.logout().unwrap();

    let s = ws.login("nodira", "initial-pass-1", None).unwrap();
    assert!(s.must_change_password);
    let status = ws.session_status().unwrap();
    assert!(status.session.unwrap().must_change_password);
    // The commands check the session first (`require_session`), and the services that
    // act for someone (`acting`) too.
    let refused = [
        ws.require_session().map(drop),
        ws.begin_totp("initial-pass-1", None).map(drop),
        ws.import_texts(&[("x.json".into(), "{}".into())]).map(drop),
        ws.admin_users().map(drop),
    ];
    for r in refused {
        let err = r.unwrap_err();
        assert_eq!(err.code, ErrorCode::PasswordChangeRequired, "{err:?}");
        assert!(err.message.starts_with("nodira:"), "{}", err.message);
    }
    let attempts = [
        (
            "wrong-current-1",
            "a-new-password-1",
            ErrorCode::AuthFailed,
            "old_password",
        ),
        (
            "initial-pass-1",
            "short",
            ErrorCode::InvalidInput,
            "new_password",
        ),
        (
            "initial-pass-1",
            "initial-pass-1",
            ErrorCode::InvalidInput,
            "new_password",
        ),
    ];
    for (old, new, code, field) in attempts {
        let err = ws.change_password(old, new).unwrap_err();
        assert_eq!(err.code, code, "{old} → {new}");
        assert!(err.message.starts_with(field), "{}", err.message);
        assert!(!err.message.contains(old) && !err.message.contains(new));
    }
    ws.change_password("initial-pass-1", "nodiras-own-pass-1")
        .unwrap();
    assert!(!ws.session().unwrap().must_change_password);
    ws.require_session().unwrap();
    ws.logout().unwrap();

    // A reset: the temporary password, changed again at the next login.
    ws.login("admin", "admin-demo-2026", None).unwrap();
    ws.admin_reset_password("nodira", "temporary-pass-2")
        .unwrap();
    assert!(user(&ws, "nodira").must_change_password);
    ws.logout().unwrap();
    let err = ws.login("nodira", "nodiras-own-pass-1", None).unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthFailed, "the old password is gone");
    assert!(
        ws.login("nodira", "temporary-pass-2", None)
            .unwrap()
            .must_change_password
    );
    ws.change_password("temporary-pass-2", "nodiras-next-pass-1")
        .unwrap();
    ws.logout().unwrap();
    assert!(
        !ws.login("nodira", "nodiras-next-pass-1", None)
            .unwrap()
            .must_change_password
    );

    let trail = ws.store().unwrap().audit_tail(100_000).unwrap();
    let mine: Vec<(&str, &str)> = trail
        .iter()
        .filter(|e| e.detail.contains("\"nodira\"") && e.action.starts_with("password"))
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        mine,
        [
            ("nodira", "password_changed"),
            ("admin", "password_reset"),
            ("nodira", "password_changed"),
        ]
    );
    for secret in [
        "initial-pass-1",
        "temporary-pass-2",
        "nodiras-own-pass-1",
        "$argon2",
    ] {
        assert!(
            trail.iter().all(|e| !e.detail.contains(secret)),
            "{secret} in the audit"
        );
    }
}

#[test]
fn a_deactivated_account_cannot_log_in_and_stays_in_the_list_and_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    ws.admin_set_active("bob", false).unwrap();
    let bob = user(&ws, "bob");
    assert!(bob.deactivated_at.is_some(), "listed, deactivated");
    ws.logout().unwrap();

    let err = ws.login("bob", "bob-demo-2026", None).unwrap_err();
    assert_eq!(err.code, ErrorCode::AccountDisabled);
    assert!(err.message.contains("deactivated"), "{}", err.message);
    // A wrong password learns nothing of it.
    let wrong = ws.login("bob", "not-his-password", None).unwrap_err();
    let unknown = ws.login("nobody", "not-his-password", None).unwrap_err();
    assert_eq!(
        (wrong.code, &wrong.message),
        (unknown.code, &unknown.message)
    );
    assert!(ws.session().is_none());

    ws.login("admin", "admin-demo-2026", None).unwrap();
    ws.admin_set_active("bob", true).unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    let trail = ws.store().unwrap().audit_tail(100_000).unwrap();
    let of_bob: Vec<&str> = trail
        .iter()
        .filter(|e| e.detail.contains("\"bob\"") || e.actor == "bob")
        .map(|e| e.action.as_str())
        .collect();
    assert!(
        of_bob.ends_with(&[
            "user_deactivated",
            "login_refused_deactivated",
            "login_failed",
            "user_reactivated",
            "login"
        ]),
        "{of_bob:?}"
    );
}

#[test]
fn unlock_clears_the_failures_and_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    ws.logout().unwrap();
    for _ in 0..crate::users::LOCK_AFTER_FAILURES {
        let _ = ws.login("carol", "wrong-password", None);
    }
    assert_eq!(
        ws.login("carol", "carol-demo-2026", None).unwrap_err().code,
        ErrorCode::AccountLocked
    );
    ws.login("admin", "admin-demo-2026", None).unwrap();
    let carol = user(&ws, "carol");
    assert!(
        carol.locked_until.is_some() && carol.failed_logins == 5,
        "{carol:?}"
    );
    ws.admin_unlock("carol").unwrap();
    let carol = user(&ws, "carol");
    assert_eq!((carol.locked_until, carol.failed_logins), (None, 0));
    let last = ws.store().unwrap().audit_tail(1).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.detail.as_str()
        ),
        (
            "admin",
            "user_unlocked",
            r#"{"user":"carol","failed_logins":5}"#
        )
    );
    ws.logout().unwrap();
    ws.login("carol", "carol-demo-2026", None).unwrap();
}

#[test]
fn a_reset_second_factor_is_gone_and_the_password_alone_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    let secret = crate::totp::base32(b"12345678901234567890");
    ws.store()
        .unwrap()
        .set_totp("alice", Some(&secret), None, "t", "alice")
        .unwrap();
    assert!(user(&ws, "alice").second_factor);
    ws.admin_reset_second_factor("alice").unwrap();
    assert!(!user(&ws, "alice").second_factor);
    let listed = serde_json::to_string(&ws.admin_users().unwrap()).unwrap();
    assert!(
        !listed.contains(&secret) && !listed.contains("argon2"),
        "{listed}"
    );
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
}

#[test]
fn roles_change_for_others_with_the_before_and_after_in_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    ws.admin_set_roles("alice", ROLES).unwrap();
    let alice = user(&ws, "alice");
    assert!(alice.underwriter && alice.reviewer && !alice.admin);
    let last = ws.store().unwrap().audit_tail(1).unwrap().pop().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("admin", "user_roles_changed")
    );
    let d: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(d["before"]["reviewer"], false);
    assert_eq!(d["after"]["reviewer"], true);
    let none = UserRoles {
        admin: false,
        underwriter: false,
        reviewer: false,
        supervisor: None,
    };
    let err = ws.admin_set_roles("alice", none).unwrap_err();
    assert!(err.message.starts_with("roles:"), "{}", err.message);
    let err = ws.admin_set_roles("nobody", ROLES).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn local_accounts_are_the_directory_s_in_directory_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = uw_directory::DirectoryConfig::parse(
        r#"{"url": "ldap://127.0.0.1:9", "base_dn": "ou=people,dc=bank,dc=uz",
            "branch_attribute": "departmentNumber",
            "groups": {"underwriter": "cn=uw,dc=bank,dc=uz", "reviewer": "cn=rv,dc=bank,dc=uz",
                       "administrator": "cn=adm,dc=bank,dc=uz"}}"#,
    )
    .unwrap();
    let ws = Workstation::open(crate::OpenOptions {
        directory: Some(config),
        ..crate::tests::options(dir.path(), "os-user", false, true)
    })
    .unwrap();
    ws.begin_session(
        crate::Session {
            username: "dave".into(),
            display_name: "Dave".into(),
            admin: true,
            underwriter: false,
            reviewer: false,
            supervisor: false,
            mode: crate::LoginMode::Directory,
            offline_until: None,
            branches: vec![],
            signing_key: "none".into(),
            must_change_password: false,
        },
        None,
    );
    // The local accounts' operations: the directory's people are not kept here.
    const ACCOUNTS: [&str; 7] = [
        "users",
        "create",
        "roles",
        "reset password",
        "reset second factor",
        "unlock",
        "deactivate",
    ];
    let ops: Vec<(&str, Op)> = operations()
        .into_iter()
        .filter(|(name, _)| ACCOUNTS.contains(name))
        .collect();
    assert_eq!(ops.len(), ACCOUNTS.len());
    for (name, op) in ops {
        assert_eq!(
            op(&ws).unwrap_err().code,
            ErrorCode::DirectoryMode,
            "{name}"
        );
    }
    // The settings are the directory administrator's too.
    let settings = ws.admin_settings().unwrap();
    assert_eq!(settings.mode, "directory");
    assert!(settings.directory.active && settings.directory.from_environment);
    assert_eq!(settings.directory.url, "ldap://127.0.0.1:9");
    // Nothing listens there: what failed, as its code.
    let err = ws.admin_test_directory().unwrap_err();
    assert_eq!(err.code, ErrorCode::DirectoryUnreachable, "{err:?}");
}
