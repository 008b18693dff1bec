//! A real OpenLDAP `slapd` on 127.0.0.1 for the tests and the demo (feature `slapd`):
//! Debian's slapd binary, a fresh folder, the directory seeded from an LDIF (the fixture
//! is `tests/fixtures/directory.ldif` of the workspace), plain LDAP on one loopback port
//! and LDAPS (a certificate made for the run, its CA in `ca_file`) on another, StartTLS on
//! the plain port. Stopped (and its folder removed) on drop.

use std::path::{Path, PathBuf};

use crate::DirectoryConfig;

/// The fixture's people all have the password `<uid>-demo-2026`.
pub fn fixture_password(uid: &str) -> String {
    format!("{uid}-demo-2026")
}

/// The fixture: `tests/fixtures/directory.ldif` of the workspace.
pub fn fixture_ldif() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/directory.ldif")
}

pub struct Slapd {
    _private: (),
}

impl Slapd {
    /// Starts slapd seeded from `ldif`.
    pub fn start(ldif: &Path) -> Result<Slapd, String> {
        let _ = ldif;
        Err("not built yet".into())
    }

    /// Starts slapd seeded from the fixture.
    pub fn fixture() -> Result<Slapd, String> {
        Slapd::start(&fixture_ldif())
    }

    /// Plain LDAP on the loopback port, the fixture's service account, groups, branch
    /// attribute and disabled filter.
    pub fn config(&self) -> DirectoryConfig {
        unimplemented_config()
    }

    /// The same over LDAPS, trusting the run's CA.
    pub fn config_ldaps(&self) -> DirectoryConfig {
        unimplemented_config()
    }

    /// The same over StartTLS on the plain port, trusting the run's CA.
    pub fn config_starttls(&self) -> DirectoryConfig {
        unimplemented_config()
    }

    pub fn ca_file(&self) -> &Path {
        Path::new("")
    }

    /// Marks the account disabled (what the configured disabled filter matches).
    pub fn disable(&self, uid: &str) -> Result<(), String> {
        let _ = uid;
        Err("not built yet".into())
    }

    pub fn enable(&self, uid: &str) -> Result<(), String> {
        let _ = uid;
        Err("not built yet".into())
    }

    /// Deletes the person's entry (and their group memberships).
    pub fn remove(&self, uid: &str) -> Result<(), String> {
        let _ = uid;
        Err("not built yet".into())
    }

    /// Sets the person's password as the directory's administrator would.
    pub fn set_password(&self, uid: &str, password: &str) -> Result<(), String> {
        let _ = (uid, password);
        Err("not built yet".into())
    }

    /// Adds the person to (or removes them from) a role's group: `underwriter`,
    /// `reviewer` or `administrator`.
    pub fn set_role(&self, uid: &str, role: &str, member: bool) -> Result<(), String> {
        let _ = (uid, role, member);
        Err("not built yet".into())
    }

    /// Stops the server (the directory becomes unreachable); its data stays until drop.
    pub fn stop(&mut self) {}

    /// Starts it again on the same ports, with the same data.
    pub fn restart(&mut self) -> Result<(), String> {
        Err("not built yet".into())
    }
}

fn unimplemented_config() -> DirectoryConfig {
    DirectoryConfig {
        url: String::new(),
        starttls: false,
        ca_file: None,
        base_dn: String::new(),
        user_attribute: String::new(),
        user_object_class: String::new(),
        display_name_attribute: String::new(),
        branch_attribute: String::new(),
        service_dn: None,
        service_password: None,
        groups: crate::RoleGroups {
            underwriter: String::new(),
            reviewer: String::new(),
            administrator: String::new(),
        },
        disabled_filter: None,
        timeout_ms: 0,
        offline_hours: 0,
    }
}
