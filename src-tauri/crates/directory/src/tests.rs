//! The directory against a real OpenLDAP slapd (the `slapd` harness, started by the
//! tests: one shared server for the tests that only read, one of its own for each test
//! that changes the directory or stops it), and against fake servers that never answer or
//! answer bytes that are not LDAP.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::slapd::{fixture_password, Slapd, SERVICE_PASSWORD};
use crate::{Directory, DirectoryConfig, DirectoryError, DirectoryRoles, Person};

/// The server of the tests that do not change the directory.
fn shared() -> &'static Slapd {
    static SLAPD: OnceLock<Slapd> = OnceLock::new();
    SLAPD.get_or_init(|| Slapd::fixture().expect("slapd starts (Debian: apt-get install slapd)"))
}

fn own() -> Slapd {
    Slapd::fixture().expect("slapd starts (Debian: apt-get install slapd)")
}

fn directory(config: DirectoryConfig) -> Directory {
    Directory::new(config).expect("the configuration is valid")
}

fn login(d: &Directory, uid: &str) -> Result<Person, DirectoryError> {
    d.authenticate(uid, &fixture_password(uid))
}

fn roles(underwriter: bool, reviewer: bool, administrator: bool) -> DirectoryRoles {
    DirectoryRoles {
        underwriter,
        reviewer,
        administrator,
        supervisor: false,
    }
}

// ----- the fixture's people -----------------------------------------------------------

#[test]
fn the_fixture_people_log_in_with_their_roles_branches_and_names() {
    let d = directory(shared().config());

    let alice = login(&d, "alice").expect("alice logs in");
    assert_eq!(alice.staff_id, "alice");
    assert_eq!(alice.dn, "uid=alice,ou=people,dc=bank,dc=uz");
    assert_eq!(alice.display_name, "Alisher Karimov");
    assert_eq!(alice.roles, roles(true, false, false));
    assert_eq!(alice.branches, ["BXM-07"]);

    let bob = login(&d, "bob").expect("bob logs in");
    assert_eq!(bob.display_name, "Bobur Toshmatov");
    assert_eq!(bob.roles, roles(false, true, false));
    assert_eq!(bob.branches, ["BXM-07", "BXO-02", "BXO-11"]);

    let carol = login(&d, "carol").expect("carol logs in");
    assert_eq!(carol.display_name, "Kamola Yusupova");
    assert_eq!(carol.roles, roles(true, true, false));
    assert_eq!(carol.branches, ["BXM-07"]);

    let dave = login(&d, "dave").expect("dave logs in");
    assert_eq!(dave.roles, roles(false, true, false));
    assert_eq!(dave.branches.len(), 3);

    let admin = login(&d, "admin").expect("admin logs in");
    assert_eq!(admin.display_name, "Administrator");
    assert_eq!(admin.roles, roles(false, false, true));
    assert_eq!(admin.branches, ["BXM-07"]);

    let sara = login(&d, "sara").expect("sara logs in");
    assert_eq!(
        sara.roles,
        DirectoryRoles {
            supervisor: true,
            ..roles(false, false, false)
        }
    );
    assert_eq!(sara.branches, ["BXM-07", "BXO-02", "BXO-11"]);
    // A configuration without a supervisors' group gives no one the role.
    let mut config = shared().config();
    config.groups.supervisor = None;
    let sara = login(&directory(config), "sara").expect("sara logs in");
    assert!(!sara.roles.supervisor);
}

#[test]
fn the_staff_id_comes_back_as_the_directory_spells_it() {
    let d = directory(shared().config());
    let alice = d
        .authenticate("ALICE", &fixture_password("alice"))
        .expect("uid matches without regard to case");
    assert_eq!(alice.staff_id, "alice");
}

/// One person, one staff id: a second login name of the same entry logs in as the
/// same person, so no one acts as two people at the bank.
#[test]
fn a_person_with_two_login_names_is_one_staff_id() {
    let slapd = own();
    slapd.add_login_name("alice", "akarimova").unwrap();
    let d = directory(slapd.config());
    for typed in ["alice", "akarimova", "AKARIMOVA"] {
        let p = d
            .authenticate(typed, &fixture_password("alice"))
            .unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert_eq!(p.staff_id, "akarimova", "{typed}");
        assert_eq!(d.lookup(typed).unwrap().staff_id, "akarimova");
    }
}

#[test]
fn a_wrong_password_is_wrong_credentials() {
    let d = directory(shared().config());
    assert_eq!(
        d.authenticate("alice", "alice-demo-2025"),
        Err(DirectoryError::WrongCredentials)
    );
    // Another person's password is just as wrong.
    assert_eq!(
        d.authenticate("alice", &fixture_password("bob")),
        Err(DirectoryError::WrongCredentials)
    );
    assert_eq!(
        DirectoryError::WrongCredentials.code(),
        "AUTH_FAILED",
        "the code the application shows"
    );
}

#[test]
fn an_empty_password_is_refused_before_any_connection() {
    // A server that would hang every call: a refusal after connecting would be a timeout.
    let (port, connections) = silent_server();
    let mut config = shared().config();
    config.url = format!("ldap://127.0.0.1:{port}");
    let d = directory(config);
    let started = Instant::now();
    assert_eq!(
        d.authenticate("alice", ""),
        Err(DirectoryError::WrongCredentials)
    );
    assert_eq!(
        d.change_password("alice", "", "new-password-2026"),
        Err(DirectoryError::WrongCredentials)
    );
    assert!(started.elapsed() < Duration::from_millis(100));
    thread::sleep(Duration::from_millis(50));
    assert_eq!(connections(), 0, "no connection was opened");

    // Against the real directory too (where an unauthenticated bind would succeed).
    let d = directory(shared().config());
    assert_eq!(
        d.authenticate("alice", ""),
        Err(DirectoryError::WrongCredentials)
    );
}

#[test]
fn unusable_staff_ids_are_wrong_credentials_without_asking() {
    let d = directory(shared().config());
    let long = "a".repeat(65);
    for id in ["", "   ", "ali\nce", "alice\0", long.as_str()] {
        assert_eq!(
            d.authenticate(id, "whatever-2026"),
            Err(DirectoryError::WrongCredentials),
            "{id:?}"
        );
    }
    // Filter characters are only characters.
    for id in ["*", "a*", "alice)(uid=*", "(uid=*)", "\\2a"] {
        assert_eq!(
            d.authenticate(id, &fixture_password("alice")),
            Err(DirectoryError::AccountNotFound(id.to_owned())),
            "{id:?}"
        );
    }
}

#[test]
fn an_unknown_person_is_account_not_found() {
    let d = directory(shared().config());
    let e = d
        .authenticate("mallory", "mallory-demo-2026")
        .expect_err("no such person");
    assert_eq!(e, DirectoryError::AccountNotFound("mallory".into()));
    assert_eq!(e.code(), "ACCOUNT_REMOVED");
    assert!(!e.is_unreachable());
}

#[test]
fn a_disabled_account_is_refused_and_says_so_only_to_its_password() {
    let d = directory(shared().config());
    assert_eq!(
        login(&d, "erin"),
        Err(DirectoryError::AccountDisabled("erin".into()))
    );
    assert_eq!(
        d.authenticate("erin", "erin-demo-2025"),
        Err(DirectoryError::WrongCredentials)
    );
    assert_eq!(
        d.lookup("erin"),
        Err(DirectoryError::AccountDisabled("erin".into()))
    );
}

#[test]
fn without_a_disabled_filter_only_the_bind_decides() {
    let mut config = shared().config();
    config.disabled_filter = None;
    let erin = login(&directory(config), "erin").expect("nothing marks her disabled");
    assert_eq!(erin.roles, roles(true, false, false));
}

#[test]
fn lookup_reads_a_person_without_their_password() {
    let d = directory(shared().config());
    let bob = d.lookup("bob").expect("bob is there");
    assert_eq!(bob.roles, roles(false, true, false));
    assert_eq!(bob.branches, ["BXM-07", "BXO-02", "BXO-11"]);
    assert_eq!(bob.display_name, "Bobur Toshmatov");
    assert_eq!(bob, login(&d, "bob").expect("bob logs in"));
    assert_eq!(
        d.lookup("mallory"),
        Err(DirectoryError::AccountNotFound("mallory".into()))
    );
    assert!(matches!(
        d.lookup("bad\nid"),
        Err(DirectoryError::AccountNotFound(_))
    ));
}

#[test]
fn the_display_name_falls_back_to_cn_and_then_to_the_staff_id() {
    let mut config = shared().config();
    config.display_name_attribute = "title".into(); // nobody has one
    let alice = directory(config.clone())
        .lookup("alice")
        .expect("alice is there");
    assert_eq!(alice.display_name, "Alisher Karimov", "from cn");
    // A login attribute of another spelling: the values still come back.
    config.branch_attribute = "DEPARTMENTNUMBER".into();
    let bob = directory(config).lookup("bob").expect("bob is there");
    assert_eq!(bob.branches.len(), 3);
}

#[test]
fn test_connection_checks_the_bind_the_base_and_the_groups() {
    let slapd = shared();
    directory(slapd.config())
        .test_connection()
        .expect("the fixture's configuration works");

    let mut config = slapd.config();
    config.service_password = Some("not-the-password".into());
    let e = directory(config.clone())
        .test_connection()
        .expect_err("a wrong service password");
    assert_eq!(e.code(), "DIRECTORY_CONFIG");
    assert!(e.to_string().contains("service_dn"), "{e}");
    // A login through a wrong service account blames the configuration, not the person.
    assert_eq!(login(&directory(config), "alice").map(|_| ()), Err(e));

    let mut config = slapd.config();
    config.base_dn = "ou=staff,dc=bank,dc=uz".into();
    let e = directory(config.clone())
        .test_connection()
        .expect_err("no such base");
    assert!(e.to_string().contains("base_dn"), "{e}");
    let e = login(&directory(config), "alice").expect_err("no such base");
    assert!(e.to_string().contains("base_dn"), "{e}");

    let mut config = slapd.config();
    config.groups.reviewer = "cn=uw-checkers,ou=groups,dc=bank,dc=uz".into();
    let e = directory(config.clone())
        .test_connection()
        .expect_err("no such group");
    assert!(e.to_string().contains("groups.reviewer"), "{e}");
    let e = login(&directory(config), "bob").expect_err("no such group");
    assert!(e.to_string().contains("groups.reviewer"), "{e}");

    // Anonymous: the fixture's ACLs show it nothing.
    let mut config = slapd.config();
    config.service_dn = None;
    config.service_password = None;
    assert!(directory(config.clone()).test_connection().is_err());
    assert_eq!(
        login(&directory(config), "alice"),
        Err(DirectoryError::InvalidConfig(
            "base_dn: the directory has no entry \"ou=people,dc=bank,dc=uz\" (or the service account may not read it)"
                .into()
        ))
    );
}

// ----- changes while it runs ---------------------------------------------------------

#[test]
fn a_person_disabled_or_removed_at_runtime_is_refused() {
    let slapd = own();
    let d = directory(slapd.config());
    login(&d, "dave").expect("dave logs in");

    slapd.disable("dave").expect("disabled");
    assert_eq!(
        login(&d, "dave"),
        Err(DirectoryError::AccountDisabled("dave".into()))
    );
    assert_eq!(
        d.lookup("dave"),
        Err(DirectoryError::AccountDisabled("dave".into()))
    );
    slapd.enable("dave").expect("enabled");
    login(&d, "dave").expect("dave logs in again");

    slapd.enable("erin").expect("enabled");
    assert_eq!(
        login(&d, "erin").expect("erin logs in").roles,
        roles(true, false, false)
    );

    slapd.remove("dave").expect("removed");
    assert_eq!(
        login(&d, "dave"),
        Err(DirectoryError::AccountNotFound("dave".into()))
    );
    assert_eq!(
        d.lookup("dave"),
        Err(DirectoryError::AccountNotFound("dave".into()))
    );
    // The others are untouched.
    assert_eq!(
        login(&d, "bob").expect("bob logs in").roles,
        roles(false, true, false)
    );
}

#[test]
fn roles_follow_the_groups_at_once() {
    let slapd = own();
    let d = directory(slapd.config());

    slapd
        .set_role("alice", "reviewer", true)
        .expect("alice reviews");
    assert_eq!(
        login(&d, "alice").expect("alice").roles,
        roles(true, true, false)
    );
    slapd
        .set_role("alice", "reviewer", true)
        .expect("twice is once");
    slapd
        .set_role("alice", "underwriter", false)
        .expect("alice no longer underwrites");
    assert_eq!(
        d.lookup("alice").expect("alice").roles,
        roles(false, true, false)
    );

    // The administrators' only member leaves: the group stays, with nobody in it.
    slapd
        .set_role("admin", "administrator", false)
        .expect("the last member leaves");
    assert_eq!(
        login(&d, "admin").expect("admin").roles,
        roles(false, false, false)
    );
    slapd
        .set_role("carol", "administrator", true)
        .expect("carol administers");
    assert_eq!(
        d.lookup("carol").expect("carol").roles,
        roles(true, true, true)
    );
    assert!(slapd.set_role("carol", "auditor", true).is_err());
    assert!(slapd.disable("mallory").is_err());
    directory(slapd.config())
        .test_connection()
        .expect("the group is still there");
}

#[test]
fn a_changed_password_replaces_the_old_one() {
    let slapd = own();
    let d = directory(slapd.config());
    let old = fixture_password("dave");

    assert_eq!(
        d.change_password("dave", "not-his", "dave-new-2026"),
        Err(DirectoryError::WrongCredentials)
    );
    assert_eq!(
        d.change_password("dave", &old, ""),
        Err(DirectoryError::PasswordRefused(
            "the new password is empty".into()
        ))
    );
    assert_eq!(
        d.change_password("mallory", "x-2026", "y-2026"),
        Err(DirectoryError::AccountNotFound("mallory".into()))
    );
    assert_eq!(
        d.change_password("erin", &fixture_password("erin"), "erin-new-2026"),
        Err(DirectoryError::AccountDisabled("erin".into()))
    );

    d.change_password("dave", &old, "dave-new-2026")
        .expect("the password changes");
    assert_eq!(
        d.authenticate("dave", &old),
        Err(DirectoryError::WrongCredentials)
    );
    let dave = d
        .authenticate("dave", "dave-new-2026")
        .expect("the new one works");
    assert_eq!(dave.roles, roles(false, true, false));

    // The administrator resets it.
    slapd
        .set_password("dave", "dave-reset-2026")
        .expect("reset");
    assert_eq!(
        d.authenticate("dave", "dave-new-2026"),
        Err(DirectoryError::WrongCredentials)
    );
    d.authenticate("dave", "dave-reset-2026")
        .expect("the reset one works");
    // Nobody else's changed.
    login(&d, "bob").expect("bob logs in");
}

// ----- transport -----------------------------------------------------------------------

#[test]
fn ldaps_with_the_runs_ca_works_and_without_it_fails_as_tls() {
    let slapd = shared();
    let config = slapd.config_ldaps();
    assert!(config.url.starts_with("ldaps://localhost:"));
    let alice = login(&directory(config.clone()), "alice").expect("over LDAPS");
    assert_eq!(alice.roles, roles(true, false, false));
    directory(config.clone())
        .test_connection()
        .expect("over LDAPS");

    let mut system_roots = config;
    system_roots.ca_file = None;
    let e = login(&directory(system_roots), "alice").expect_err("an unknown CA");
    assert!(matches!(e, DirectoryError::Tls(_)), "{e:?}");
    assert_eq!(e.code(), "DIRECTORY_TLS");
    assert!(!e.is_unreachable());
}

#[test]
fn starttls_with_the_runs_ca_works_and_without_it_fails_as_tls() {
    let slapd = shared();
    let config = slapd.config_starttls();
    assert!(config.starttls);
    let carol = login(&directory(config.clone()), "carol").expect("over StartTLS");
    assert_eq!(carol.roles, roles(true, true, false));

    let mut system_roots = config;
    system_roots.ca_file = None;
    let e = login(&directory(system_roots), "carol").expect_err("an unknown CA");
    assert!(matches!(e, DirectoryError::Tls(_)), "{e:?}");
}

#[test]
fn ldaps_to_the_plain_port_fails_as_tls_not_as_a_hang() {
    let slapd = shared();
    let mut config = slapd.config_ldaps();
    config.url = format!("ldaps://localhost:{}", slapd.ldap_port());
    let e = login(&directory(config), "alice").expect_err("no TLS there");
    assert!(matches!(e, DirectoryError::Tls(_)), "{e:?}");
}

#[test]
fn a_directory_that_is_not_there_is_unreachable() {
    let port = closed_port();
    let mut config = shared().config();
    config.url = format!("ldap://127.0.0.1:{port}");
    let d = directory(config);
    let e = login(&d, "alice").expect_err("nobody listens");
    assert!(matches!(e, DirectoryError::Unreachable(_)), "{e:?}");
    assert!(e.is_unreachable());
    assert_eq!(e.code(), "DIRECTORY_UNREACHABLE");
    assert!(matches!(
        d.lookup("alice"),
        Err(DirectoryError::Unreachable(_))
    ));
    assert!(matches!(
        d.test_connection(),
        Err(DirectoryError::Unreachable(_))
    ));
}

#[test]
fn a_stopped_directory_is_unreachable_until_it_restarts() {
    let mut slapd = own();
    let d = directory(slapd.config());
    let ldaps = directory(slapd.config_ldaps());
    login(&d, "alice").expect("alice logs in");

    slapd.stop();
    let e = login(&d, "alice").expect_err("stopped");
    assert!(matches!(e, DirectoryError::Unreachable(_)), "{e:?}");
    let e = login(&ldaps, "alice").expect_err("stopped");
    assert!(matches!(e, DirectoryError::Unreachable(_)), "{e:?}");

    slapd.restart().expect("it starts again");
    login(&d, "alice").expect("alice logs in again");
    login(&ldaps, "alice").expect("over LDAPS too");
}

#[test]
fn a_silent_server_is_a_timeout_within_the_deadline() {
    let (port, _) = silent_server();
    for url in [
        format!("ldap://127.0.0.1:{port}"),
        format!("ldaps://localhost:{port}"),
    ] {
        let mut config = shared().config_ldaps();
        config.url = url.clone();
        config.timeout_ms = 400;
        let d = directory(config);
        let started = Instant::now();
        let e = login(&d, "alice").expect_err("no answer");
        let took = started.elapsed();
        assert_eq!(e, DirectoryError::Timeout(400), "{url}");
        assert!(e.is_unreachable());
        assert!(
            took >= Duration::from_millis(350) && took < Duration::from_millis(1_500),
            "{url}: {took:?}"
        );
    }
}

#[test]
fn a_caller_on_an_async_runtime_is_not_disturbed() {
    let slapd = shared();
    let d = directory(slapd.config());
    let runtime = ldap3::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let person = runtime.block_on(async { login(&d, "bob") });
    assert_eq!(person.expect("bob logs in").staff_id, "bob");
    let person = runtime.block_on(async { d.lookup("carol") });
    assert_eq!(person.expect("carol is there").staff_id, "carol");
}

#[test]
fn calls_run_side_by_side() {
    let slapd = shared();
    let d = directory(slapd.config());
    let handles: Vec<_> = [
        "alice", "bob", "carol", "dave", "admin", "alice", "bob", "carol",
    ]
    .into_iter()
    .map(|uid| {
        let d = d.clone();
        thread::spawn(move || login(&d, uid).map(|p| p.staff_id))
    })
    .collect();
    for (handle, uid) in handles.into_iter().zip([
        "alice", "bob", "carol", "dave", "admin", "alice", "bob", "carol",
    ]) {
        assert_eq!(handle.join().expect("no panic"), Ok(uid.to_owned()));
    }
}

#[test]
fn bytes_that_are_not_ldap_are_a_bad_answer_never_a_panic() {
    let answers: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        // An empty LDAPMessage.
        &[0x30, 0x00],
        // A BindResponse with nothing in it.
        &[0x30, 0x05, 0x02, 0x01, 0x01, 0x61, 0x00],
        // A BindResponse to another message.
        &[
            0x30, 0x0c, 0x02, 0x01, 0x07, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
        ],
        // A length far beyond what follows, then the end.
        &[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01],
    ];
    for answer in answers {
        let port = garbage_server(answer.to_vec());
        let mut config = shared().config();
        config.url = format!("ldap://127.0.0.1:{port}");
        config.timeout_ms = 1_000;
        let d = directory(config);
        let e = login(&d, "alice").expect_err("not LDAP");
        assert!(
            matches!(e, DirectoryError::BadAnswer(_)),
            "{answer:?}: {e:?}"
        );
        assert!(matches!(
            d.lookup("alice"),
            Err(DirectoryError::BadAnswer(_))
        ));
    }

    // Over LDAPS the same bytes fail the handshake.
    let port = garbage_server(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec());
    let mut config = shared().config_ldaps();
    config.url = format!("ldaps://localhost:{port}");
    let e = login(&directory(config), "alice").expect_err("not TLS");
    assert!(matches!(e, DirectoryError::Tls(_)), "{e:?}");
}

#[test]
fn an_http_server_is_a_bad_answer() {
    let port = garbage_server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec());
    let mut config = shared().config();
    config.url = format!("ldap://127.0.0.1:{port}");
    let e = login(&directory(config), "alice").expect_err("not LDAP");
    assert!(matches!(e, DirectoryError::BadAnswer(_)), "{e:?}");
    assert_eq!(e.code(), "DIRECTORY_BAD_ANSWER");
    assert!(!e.is_unreachable());
}

// ----- the configuration -----------------------------------------------------------------

fn valid_config() -> Value {
    json!({
        "url": "ldaps://dc1.bank.uz:636",
        "base_dn": "OU=Staff,DC=bank,DC=uz",
        "user_attribute": "sAMAccountName",
        "user_object_class": "user",
        "branch_attribute": "department",
        "service_dn": "CN=uw-reader,OU=Services,DC=bank,DC=uz",
        "service_password": "reader-secret",
        "groups": {
            "underwriter": "CN=UW Underwriters,OU=Groups,DC=bank,DC=uz",
            "reviewer": "CN=UW Reviewers,OU=Groups,DC=bank,DC=uz",
            "administrator": "CN=UW Administrators,OU=Groups,DC=bank,DC=uz"
        },
        "disabled_filter": "(userAccountControl:1.2.840.113556.1.4.803:=2)"
    })
}

/// The configuration with `path` (`a` or `a.b`) set to `value`, or removed for `null`.
fn with(path: &str, value: Value) -> Value {
    let mut config = valid_config();
    let mut target = &mut config;
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap_or_default();
    for key in keys {
        target = &mut target[key];
    }
    let Some(object) = target.as_object_mut() else {
        panic!("{path} is not inside an object");
    };
    if value.is_null() {
        object.remove(last);
    } else {
        object.insert(last.to_owned(), value);
    }
    config
}

/// Parses `config`: "" expects it accepted, anything else the refusal's message to
/// contain it.
fn check(config: Value, expected: &str) {
    let text = config.to_string();
    match DirectoryConfig::parse(&text) {
        Ok(parsed) => {
            assert!(
                expected.is_empty(),
                "accepted, expected {expected:?}: {text}"
            );
            Directory::new(parsed).expect("a checked configuration makes a directory");
        }
        Err(e) => {
            assert_eq!(e.code(), "DIRECTORY_CONFIG", "{e}");
            assert!(
                !expected.is_empty() && e.to_string().contains(expected),
                "{text}\n  gave {e}\n  expected {expected:?}"
            );
        }
    }
}

#[test]
fn the_configuration_is_checked_naming_the_field() {
    let not_pem = tempfile::NamedTempFile::new().expect("a file");
    std::fs::write(not_pem.path(), "not a certificate").expect("written");
    let not_pem = not_pem.path().display().to_string();
    let ca = shared().ca_file().display().to_string();

    let cases: Vec<(Value, &str)> = vec![
        (valid_config(), ""),
        // The transport.
        (
            with("url", json!("ldap://dc1.bank.uz:389")),
            "url: plain LDAP only to a loopback address; use ldaps:// or starttls",
        ),
        (
            with("url", json!("ldap://10.1.2.3")),
            "url: plain LDAP only to a loopback address",
        ),
        (
            with("url", json!("ldap://localhost.bank.uz")),
            "url: plain LDAP only to a loopback address",
        ),
        (with("url", json!("ldap://127.0.0.1:389")), ""),
        (with("url", json!("ldap://localhost:389")), ""),
        (with("url", json!("ldap://[::1]:389")), ""),
        (with("url", json!("ldap://127.0.0.2")), ""),
        (
            with("starttls", json!(true)),
            "starttls: StartTLS is for ldap://",
        ),
        (
            {
                let mut c = with("url", json!("ldap://dc1.bank.uz:389"));
                c["starttls"] = json!(true);
                c
            },
            "",
        ),
        (with("url", json!("dc1.bank.uz:636")), "url: the scheme"),
        (with("url", json!("not an address")), "url: not an address"),
        (
            with("url", json!("https://dc1.bank.uz")),
            "url: the scheme is ldaps://",
        ),
        (with("url", json!("ldaps://")), "url: no host"),
        (
            with("url", json!("ldaps://reader:secret@dc1.bank.uz")),
            "url: no user name or password",
        ),
        (with("url", json!(null)), "missing field `url`"),
        // The names.
        (with("base_dn", json!("")), "base_dn: must not be empty"),
        (
            with("base_dn", json!("staff")),
            "base_dn: not a distinguished name",
        ),
        (
            with("branch_attribute", json!("")),
            "branch_attribute: must not be empty",
        ),
        (
            with("branch_attribute", json!(null)),
            "missing field `branch_attribute`",
        ),
        (
            with("user_attribute", json!("")),
            "user_attribute: must not be empty",
        ),
        (
            with("user_attribute", json!("uid)(uid=*")),
            "user_attribute: not an attribute name",
        ),
        (
            with("user_object_class", json!("user*")),
            "user_object_class: not an attribute name",
        ),
        (with("display_name_attribute", json!("cn;lang-uz")), ""),
        (with("display_name_attribute", json!("2.5.4.3")), ""),
        (
            with("display_name_attribute", json!("display name")),
            "display_name_attribute: not an attribute name",
        ),
        (
            with("groups.underwriter", json!("")),
            "groups.underwriter: must not be empty",
        ),
        (
            with("groups.reviewer", json!(" ")),
            "groups.reviewer: must not be empty",
        ),
        (
            with("groups.administrator", json!("admins")),
            "groups.administrator: not a distinguished name",
        ),
        (
            with("groups.auditor", json!("cn=x")),
            "unknown field `auditor`",
        ),
        (with("groups", json!(null)), "missing field `groups`"),
        (with("colour", json!("blue")), "unknown field `colour`"),
        // The service account.
        (
            with("service_password", json!(null)),
            "service_password: missing",
        ),
        (with("service_dn", json!(null)), "service_dn: missing"),
        (
            with("service_password", json!("")),
            "service_password: must not be empty",
        ),
        (
            with("service_dn", json!("")),
            "service_dn: must not be empty",
        ),
        (
            {
                let mut c = with("service_dn", json!(null));
                c.as_object_mut()
                    .expect("an object")
                    .remove("service_password");
                c
            },
            "",
        ),
        // The filter, the numbers, the CA.
        (
            with("disabled_filter", json!("(employeeType=disabled")),
            "disabled_filter: not an LDAP filter",
        ),
        (
            with("disabled_filter", json!("")),
            "disabled_filter: not an LDAP filter",
        ),
        (
            with("disabled_filter", json!("(employeeType=disabled)")),
            "",
        ),
        (with("timeout_ms", json!(99)), "timeout_ms: 100..=120000"),
        (with("timeout_ms", json!(120_001)), "timeout_ms"),
        (with("timeout_ms", json!(100)), ""),
        (with("timeout_ms", json!(-1)), "invalid value"),
        (with("offline_hours", json!(0)), "offline_hours: 1..=720"),
        (with("offline_hours", json!(721)), "offline_hours"),
        (with("offline_hours", json!(720)), ""),
        (
            with("ca_file", json!("/nonexistent/bank-ca.pem")),
            "ca_file: cannot read /nonexistent/bank-ca.pem",
        ),
        (with("ca_file", json!(not_pem)), "ca_file:"),
        (with("ca_file", json!("")), "ca_file:"),
        (with("ca_file", json!(ca)), ""),
    ];
    for (config, expected) in cases {
        check(config, expected);
    }

    // Defaults: OpenLDAP's names.
    let minimal = json!({
        "url": "ldaps://dc1.bank.uz",
        "base_dn": "ou=people,dc=bank,dc=uz",
        "branch_attribute": "departmentNumber",
        "groups": {"underwriter": "cn=a,dc=x", "reviewer": "cn=b,dc=x", "administrator": "cn=c,dc=x"}
    });
    let parsed = DirectoryConfig::parse(&minimal.to_string()).expect("valid");
    assert_eq!(parsed.user_attribute, "uid");
    assert_eq!(parsed.user_object_class, "inetOrgPerson");
    assert_eq!(parsed.display_name_attribute, "displayName");
    assert_eq!(parsed.timeout_ms, 5_000);
    assert_eq!(parsed.offline_hours, 72);
    assert!(!parsed.starttls && parsed.service_dn.is_none());
}

#[test]
fn the_harness_configurations_are_valid_and_round_trip() {
    let slapd = shared();
    for config in [
        slapd.config(),
        slapd.config_ldaps(),
        slapd.config_starttls(),
    ] {
        let json = serde_json::to_string(&config).expect("serialises");
        assert_eq!(DirectoryConfig::parse(&json).expect("valid"), config);
    }
    assert_eq!(
        slapd.config().service_password.as_deref(),
        Some(SERVICE_PASSWORD)
    );
    assert!(slapd.ca_file().is_file());
    assert!(Directory::new(DirectoryConfig {
        url: "ldap://dc1.bank.uz".into(),
        ..slapd.config()
    })
    .is_err());
}

// ----- fake servers --------------------------------------------------------------------

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
    listener.local_addr().expect("its address").port()
}

/// A server that accepts connections and never says anything; the closure counts the
/// connections it accepted.
fn silent_server() -> (u16, impl Fn() -> usize) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
    let port = listener.local_addr().expect("its address").port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, move || {
        count.load(std::sync::atomic::Ordering::SeqCst)
    })
}

/// A server that reads a little, answers `bytes` and closes the connection.
fn garbage_server(bytes: Vec<u8>) -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
    let port = listener.local_addr().expect("its address").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let bytes = bytes.clone();
            thread::spawn(move || answer_once(stream, &bytes));
        }
    });
    port
}

fn answer_once(mut stream: TcpStream, bytes: &[u8]) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
    let mut request = [0u8; 512];
    let _ = stream.read(&mut request);
    let _ = stream.write_all(bytes);
    let _ = stream.flush();
    thread::sleep(Duration::from_millis(50));
}
