//! The settings of the administration screen: checked, kept, audited, secrets write-only.

use std::path::Path;

use super::*;
use crate::admin::tests::desk;
use crate::error::ErrorCode;
use crate::tests::ca_pem;

const TOKEN: &str = "tok-SECRET-4711";

fn bank(url: &str, token: Option<&str>) -> BankInput {
    BankInput {
        url: url.into(),
        token: token.map(Into::into),
        branch: "BXM-07".into(),
        ca_file: None,
        clear_ca: false,
    }
}

fn with_ca(url: &str, ca: &Path) -> BankInput {
    BankInput {
        ca_file: Some(ca.display().to_string()),
        ..bank(url, Some(TOKEN))
    }
}

fn audit_details(ws: &Workstation) -> String {
    let trail = ws.store().unwrap().audit_tail(100_000).unwrap();
    trail
        .iter()
        .map(|e| format!("{} {} {}\n", e.actor, e.action, e.detail))
        .collect()
}

/// `input` is refused with `code`, the message naming `says`, and nothing changes.
fn check_bank(ws: &Workstation, input: BankInput, code: ErrorCode, says: &str) {
    let before = ws.admin_settings().unwrap().bank;
    let err = ws.admin_set_bank(&input).unwrap_err();
    assert_eq!(err.code, code, "{input:?}: {err:?}");
    assert!(err.message.contains(says), "{input:?}: {}", err.message);
    assert!(!err.message.contains(TOKEN), "{}", err.message);
    let after = ws.admin_settings().unwrap().bank;
    assert_eq!(format!("{before:?}"), format!("{after:?}"), "nothing kept");
}

#[test]
fn the_bank_s_address_is_https_or_http_to_this_computer_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(&dir.path().join("ws"), "admin");
    let bad = ErrorCode::InvalidInput;
    let cases = [
        (
            bank("http://core.bank.uz/", Some(TOKEN)),
            bad,
            "url: the bank's address",
        ),
        (bank("http://10.0.0.5:8480/", Some(TOKEN)), bad, "url:"),
        (bank("not a url", Some(TOKEN)), bad, "url:"),
        (bank("ftp://core.bank.uz/", Some(TOKEN)), bad, "url:"),
        (bank("https://", Some(TOKEN)), bad, "url:"),
        (bank("https://core.bank.uz/", None), bad, "token: required"),
        (
            bank("https://core.bank.uz/", Some("two words")),
            bad,
            "token:",
        ),
        (bank("https://core.bank.uz/", Some("  ")), bad, "token:"),
        (
            bank("https://core.bank.uz/", Some("line\nbreak")),
            bad,
            "token:",
        ),
        (
            BankInput {
                branch: "BXM 07; drop".into(),
                ..bank("https://core.bank.uz/", Some(TOKEN))
            },
            bad,
            "branch:",
        ),
    ];
    for (input, code, says) in cases {
        check_bank(&ws, input, code, says);
    }
    for good in [
        "https://core.bank.uz/",
        "http://127.0.0.1:8480/",
        "http://localhost:8480/api",
    ] {
        ws.admin_set_bank(&bank(good, Some(TOKEN))).unwrap();
        assert_eq!(ws.admin_settings().unwrap().bank.url, good);
    }
    // No address: a workstation without a bank.
    ws.admin_set_bank(&bank("", None)).unwrap();
    assert!(!ws.bank_configured());
}

#[test]
fn the_token_is_write_only_and_kept_until_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(&dir.path().join("ws"), "admin");
    assert!(!ws.admin_settings().unwrap().bank.token_set);
    ws.admin_set_bank(&bank("https://core.bank.uz/", Some(TOKEN)))
        .unwrap();
    // Saved again without a token, to the same address: the saved one stays.
    ws.admin_set_bank(&bank("https://core.bank.uz/", None))
        .unwrap();
    // Another address without the token: refused, so that the saved token never goes to
    // a server it was not given for ("Test connection" would carry it there).
    let err = ws
        .admin_set_bank(&bank("http://127.0.0.1:9/", None))
        .unwrap_err();
    assert!(err.message.starts_with("token:"), "{}", err.message);
    assert_eq!(
        ws.admin_settings().unwrap().bank.url,
        "https://core.bank.uz/"
    );
    let settings = ws.admin_settings().unwrap();
    assert!(settings.bank.token_set);
    assert_eq!(settings.bank.branch, "BXM-07");
    let shown = serde_json::to_string(&settings).unwrap();
    assert!(!shown.contains(TOKEN), "{shown}");
    assert_eq!(ws.bank_config().unwrap().unwrap().token, TOKEN, "in use");
    let trail = audit_details(&ws);
    assert!(!trail.contains(TOKEN), "{trail}");
    assert!(trail.contains(r#""token":"replaced""#), "{trail}");
    assert!(trail.contains(r#""token":"kept""#), "{trail}");
    assert!(trail.contains("admin setting_changed"), "{trail}");
}

#[test]
fn the_ca_bundle_is_pem_certificates_read_once_and_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(&dir.path().join("ws"), "admin");
    let files = dir.path();
    let ca = ca_pem(files);
    let write = |name: &str, bytes: &[u8]| {
        let p = files.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let empty = write("empty.pem", b"");
    let blank = write("blank.pem", b"\n  \n");
    let text = write("notes.txt", b"the bank's CA, see the e-mail\n");
    let der = write("bank-ca.der", &[0x30, 0x82, 0x01, 0x0a, 0xff, 0xfe, 0x00]);
    let garbage = write(
        "garbage.pem",
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    let mut with_key = std::fs::read(&ca).unwrap();
    with_key.extend(std::fs::read(files.join("bank-ca.key")).unwrap());
    let with_key = write("with-key.pem", &with_key);
    let url = "https://core.bank.uz/";
    let (not_pem, unreadable) = (ErrorCode::CaNotPem, ErrorCode::CaUnreadable);
    let cases = [
        (with_ca(url, &empty), not_pem, "empty.pem: is empty"),
        (with_ca(url, &blank), not_pem, "blank.pem: is empty"),
        (
            with_ca(url, &text),
            not_pem,
            "notes.txt: holds no certificate",
        ),
        (with_ca(url, &der), not_pem, "bank-ca.der: not PEM text"),
        (with_ca(url, &garbage), not_pem, "garbage.pem"),
        (
            with_ca(url, &files.join("bank-ca.key")),
            not_pem,
            "bank-ca.key: holds a private key",
        ),
        (
            with_ca(url, &with_key),
            not_pem,
            "with-key.pem: holds a private key",
        ),
        (
            with_ca(url, &files.join("missing.pem")),
            unreadable,
            "missing.pem: No such file",
        ),
        (with_ca(url, files), unreadable, "not a file"),
    ];
    for (input, code, says) in cases {
        check_bank(&ws, input, code, says);
    }

    ws.admin_set_bank(&with_ca(url, &ca)).unwrap();
    let shown = ws.admin_settings().unwrap().bank.ca_bundle.unwrap();
    assert_eq!(shown.source, ca.display().to_string());
    assert!(shown.stored);
    assert_eq!(shown.certificates, 1);
    assert_eq!(shown.sha256.len(), 64);
    let kept = std::fs::read_to_string(&ca).unwrap();
    // Kept as its text: the file may go, or change, and the workstation trusts the same.
    std::fs::write(&ca, "changed under the app").unwrap();
    let config = ws.bank_config().unwrap().unwrap();
    assert_eq!(config.ca_pem.as_deref(), Some(kept.as_str()));
    assert_eq!(config.ca_file, None);
    assert!(audit_details(&ws).contains(&format!(r#""sha256":"{}""#, shown.sha256)));
    // Saved again without a file: kept; then dropped on request.
    ws.admin_set_bank(&bank(url, None)).unwrap();
    assert!(ws.admin_settings().unwrap().bank.ca_bundle.is_some());
    ws.admin_set_bank(&BankInput {
        clear_ca: true,
        ..bank(url, None)
    })
    .expect_err("another CA takes the token typed again");
    ws.admin_set_bank(&BankInput {
        clear_ca: true,
        ..bank(url, Some(TOKEN))
    })
    .unwrap();
    assert!(ws.admin_settings().unwrap().bank.ca_bundle.is_none());
    assert_eq!(ws.bank_config().unwrap().unwrap().ca_pem, None);
}

fn sim(dir: &Path, token: &str) -> uw_bank_sim::Running {
    let mut c = uw_bank_sim::SimConfig::new(&dir.join("bank.db"));
    c.token = token.into();
    uw_bank_sim::start(c).expect("the simulator starts")
}

#[test]
fn test_connection_says_what_failed_as_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(&dir.path().join("ws"), "admin");
    let err = ws.admin_test_bank().unwrap_err();
    assert_eq!(err.code, ErrorCode::BankNotConfigured);

    let running = sim(dir.path(), TOKEN);
    let url = running.url().to_string();
    ws.admin_set_bank(&bank(&url, Some(TOKEN))).unwrap();
    ws.admin_test_bank().unwrap();

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cases = [
        (
            bank(&url, Some("not-the-token")),
            ErrorCode::BankUnauthorized,
            "401",
        ),
        (
            bank(&format!("http://127.0.0.1:{closed}/"), Some(TOKEN)),
            ErrorCode::BankConnectionRefused,
            "connection refused",
        ),
        (
            bank("https://no-such-bank.invalid/", Some(TOKEN)),
            ErrorCode::BankDns,
            "no-such-bank.invalid",
        ),
    ];
    for (input, code, says) in cases {
        ws.admin_set_bank(&input).unwrap();
        let err = ws.admin_test_bank().unwrap_err();
        assert_eq!(err.code, code, "{input:?}: {err:?}");
        assert!(err.message.contains(says), "{}", err.message);
        assert!(!err.message.contains(TOKEN) && !err.message.contains("not-the-token"));
    }
}

/// `input` is refused naming `field`, and the saved backup settings stay.
fn check_backup(ws: &Workstation, input: BackupInput, field: &str) {
    let before = ws.backup_settings().unwrap();
    let err = ws.admin_set_backup(&input).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{input:?}");
    assert!(err.message.starts_with(field), "{input:?}: {}", err.message);
    assert_eq!(ws.backup_settings().unwrap(), before);
}

#[test]
fn the_backup_folder_is_absolute_existing_writable_and_apart_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    let ws = desk(&data, "admin");
    assert_eq!(
        ws.backup_settings().unwrap(),
        BackupSettings {
            folder: String::new(),
            time: String::new(),
            keep: DEFAULT_BACKUP_KEEP
        }
    );
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let at = |folder: &Path, time: &str, keep: u32| BackupInput {
        folder: folder.display().to_string(),
        time: time.into(),
        keep,
    };
    let cases = [
        (
            at(Path::new("backups"), "20:00", 7),
            "backup.folder: backups: not an absolute path",
        ),
        (at(&dir.path().join("missing"), "20:00", 7), "backup.folder"),
        (at(&file, "20:00", 7), "backup.folder"),
        (at(&data, "20:00", 7), "backup.folder"),
        (at(&data.join("agreements"), "20:00", 7), "backup.folder"),
        (at(&folder, "24:00", 7), "backup.time"),
        (at(&folder, "7:00", 7), "backup.time"),
        (at(&folder, "07:60", 7), "backup.time"),
        (at(&folder, "", 7), "backup.time"),
        (at(&folder, "ab:cd", 7), "backup.time"),
        (at(&folder, "20:00", 0), "backup.keep"),
        (at(&folder, "20:00", 91), "backup.keep"),
    ];
    for (input, field) in cases {
        check_backup(&ws, input, field);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("read-only");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        // Root writes anywhere: the check is the folder's, as the workstation meets it.
        if std::fs::write(locked.join("probe"), "x").is_err() {
            check_backup(&ws, at(&locked, "20:00", 7), "backup.folder");
        }
    }
    ws.admin_set_backup(&at(&folder, "23:30", 14)).unwrap();
    assert_eq!(ws.backup_settings().unwrap(), at(&folder, "23:30", 14));
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        0,
        "the probe is gone"
    );
    assert!(audit_details(&ws).contains(r#""keep":14"#));
    // No folder: no daily backup.
    ws.admin_set_backup(&at(Path::new(""), "", 7)).unwrap();
    assert_eq!(ws.backup_settings().unwrap().folder, "");
}

#[test]
fn the_language_is_checked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    let err = ws.admin_set_language("de").unwrap_err();
    assert!(err.message.starts_with("language:"), "{}", err.message);
    ws.admin_set_language("ru").unwrap();
    assert_eq!(ws.admin_settings().unwrap().language, "ru");
    assert_eq!(ws.status().unwrap().language, "ru");
    assert!(audit_details(&ws)
        .contains(r#"admin setting_changed {"setting":"language","language":"ru"}"#));
}

fn directory(url: &str, password: Option<&str>) -> DirectoryInput {
    DirectoryInput {
        url: url.into(),
        starttls: false,
        ca_file: String::new(),
        base_dn: "ou=people,dc=bank,dc=uz".into(),
        user_attribute: "sAMAccountName".into(),
        branch_attribute: "department".into(),
        service_dn: "cn=uw-reader,ou=service,dc=bank,dc=uz".into(),
        service_password: password.map(Into::into),
        underwriter_group: "cn=underwriters,ou=groups,dc=bank,dc=uz".into(),
        reviewer_group: "cn=reviewers,ou=groups,dc=bank,dc=uz".into(),
        administrator_group: "cn=admins,ou=groups,dc=bank,dc=uz".into(),
        supervisor_group: String::new(),
        disabled_filter: "(userAccountControl:1.2.840.113556.1.4.803:=2)".into(),
    }
}

const BIND: &str = "bind-SECRET-0815";

#[test]
fn the_directory_is_checked_as_uw_directory_checks_it_and_the_bind_password_is_write_only() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    let url = "ldaps://dc1.bank.uz:636";
    let cases = [
        (
            directory("ldap://dc1.bank.uz", Some(BIND)),
            "url: plain LDAP only to a loopback",
        ),
        (
            DirectoryInput {
                starttls: true,
                ..directory(url, Some(BIND))
            },
            "starttls",
        ),
        (directory("http://dc1.bank.uz", Some(BIND)), "url:"),
        (directory(url, None), "service_password: missing"),
        (
            directory(url, Some("")),
            "service_password: must not be empty",
        ),
        (
            DirectoryInput {
                reviewer_group: " ".into(),
                ..directory(url, Some(BIND))
            },
            "groups.reviewer",
        ),
        (
            DirectoryInput {
                base_dn: "people".into(),
                ..directory(url, Some(BIND))
            },
            "base_dn",
        ),
        (
            DirectoryInput {
                branch_attribute: "dept)(uid=*".into(),
                ..directory(url, Some(BIND))
            },
            "branch_attribute",
        ),
        (
            DirectoryInput {
                disabled_filter: "(disabled".into(),
                ..directory(url, Some(BIND))
            },
            "disabled_filter",
        ),
    ];
    for (input, says) in cases {
        let err = ws.admin_set_directory(&input).unwrap_err();
        assert_eq!(err.code, ErrorCode::DirectoryConfig, "{input:?}");
        assert!(err.message.contains(says), "{input:?}: {}", err.message);
        assert!(!err.message.contains(BIND));
        assert!(!ws.admin_settings().unwrap().directory.saved);
    }

    ws.admin_set_directory(&directory(url, Some(BIND))).unwrap();
    // Saved again without the password, to the same address: it stays.
    ws.admin_set_directory(&directory(url, None)).unwrap();
    // Another address (StartTLS on plain LDAP is as good): the saved password is not
    // carried there; it is typed again.
    let moved = DirectoryInput {
        starttls: true,
        ..directory("ldap://dc1.bank.uz:389", None)
    };
    let err = ws.admin_set_directory(&moved).unwrap_err();
    assert!(err.message.contains("service_password"), "{}", err.message);
    let starttls = DirectoryInput {
        starttls: true,
        ..directory("ldap://dc1.bank.uz:389", Some(BIND))
    };
    ws.admin_set_directory(&starttls).unwrap();
    let settings = ws.admin_settings().unwrap();
    let d = &settings.directory;
    assert!(
        d.saved && !d.active && !d.from_environment,
        "used from the next start"
    );
    assert_eq!(settings.mode, "standalone");
    assert!(d.service_password_set && d.starttls);
    assert_eq!(d.url, "ldap://dc1.bank.uz:389");
    assert_eq!(d.branch_attribute, "department");
    assert_eq!(d.user_attribute, "sAMAccountName");
    let shown = serde_json::to_string(&settings).unwrap();
    assert!(!shown.contains(BIND), "{shown}");
    let trail = audit_details(&ws);
    assert!(!trail.contains(BIND), "{trail}");
    assert!(
        trail.contains(r#""service_password":"replaced""#),
        "{trail}"
    );
    assert!(trail.contains(r#""service_password":"kept""#), "{trail}");
    let saved = ws
        .store()
        .unwrap()
        .setting(crate::DIRECTORY_SETTING)
        .unwrap()
        .unwrap();
    let saved = uw_directory::DirectoryConfig::parse(&saved).unwrap();
    assert_eq!(saved.service_password.as_deref(), Some(BIND));
    // The saved one is what "Test connection" asks, before it is in use; nobody there.
    let err = ws.admin_test_directory().unwrap_err();
    assert!(
        matches!(
            err.code,
            ErrorCode::DirectoryUnreachable | ErrorCode::DirectoryTls
        ),
        "{err:?}"
    );
    // Without a service account no password is kept.
    let anonymous = DirectoryInput {
        service_dn: String::new(),
        ..starttls
    };
    ws.admin_set_directory(&anonymous).unwrap();
    assert!(!ws.admin_settings().unwrap().directory.service_password_set);
    // An empty address removes it: standalone at the next start too.
    ws.admin_set_directory(&DirectoryInput::default()).unwrap();
    assert!(!ws.admin_settings().unwrap().directory.saved);
    drop(ws);
    let ws = Workstation::open(crate::tests::options(dir.path(), "os-user", true, true)).unwrap();
    assert!(!ws.directory_mode());
}

#[test]
fn a_saved_directory_is_the_one_the_next_start_uses_and_test_connection_reaches_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = desk(dir.path(), "admin");
    let slapd = uw_directory::slapd::Slapd::fixture()
        .expect("slapd starts (Debian's slapd package, see .ci/setup)");
    let c = slapd.config();
    let input = DirectoryInput {
        url: c.url.clone(),
        starttls: c.starttls,
        ca_file: c.ca_file.clone().unwrap_or_default(),
        base_dn: c.base_dn.clone(),
        user_attribute: c.user_attribute.clone(),
        branch_attribute: c.branch_attribute.clone(),
        service_dn: c.service_dn.clone().unwrap_or_default(),
        service_password: c.service_password.clone(),
        underwriter_group: c.groups.underwriter.clone(),
        reviewer_group: c.groups.reviewer.clone(),
        administrator_group: c.groups.administrator.clone(),
        supervisor_group: c.groups.supervisor.clone().unwrap_or_default(),
        disabled_filter: c.disabled_filter.clone().unwrap_or_default(),
    };
    ws.admin_set_directory(&input).unwrap();
    ws.admin_test_directory().unwrap();
    assert_eq!(
        ws.admin_settings().unwrap().directory.supervisor_group,
        uw_directory::slapd::SUPERVISORS_DN
    );
    // A supervisors' group that is not there is named by its field too.
    let no_group = DirectoryInput {
        supervisor_group: "cn=nobody,dc=nowhere".into(),
        service_password: None,
        ..input.clone()
    };
    ws.admin_set_directory(&no_group).unwrap();
    let err = ws.admin_test_directory().unwrap_err();
    assert!(err.message.contains("groups.supervisor"), "{err:?}");
    // A group that is not there is named by its field.
    let wrong = DirectoryInput {
        reviewer_group: "cn=nobody,dc=nowhere".into(),
        service_password: None,
        ..input
    };
    ws.admin_set_directory(&wrong).unwrap();
    let err = ws.admin_test_directory().unwrap_err();
    assert!(err.message.contains("groups.reviewer"), "{err:?}");
    drop(ws);
    let ws = Workstation::open(crate::tests::options(dir.path(), "os-user", true, true)).unwrap();
    assert!(
        ws.directory_mode(),
        "the next start logs in with the directory"
    );
}
