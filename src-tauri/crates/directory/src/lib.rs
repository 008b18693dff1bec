//! The bank's staff directory (LDAP / Active Directory), as the workstation and the bank
//! simulator ask it: is this person's password right, are they still an active member of
//! staff, which roles do their groups give them, which branch do they work for.
//!
//! Invariants:
//! - the only crate that speaks LDAP (`ldap3`); callers see [`Person`] and coded
//!   [`DirectoryError`]s, never an LDAP result code;
//! - a password is checked by a simple bind as the person, over LDAPS or StartTLS — plain
//!   LDAP only to a loopback address ([`DirectoryConfig::check`]); an empty password is
//!   refused before any bind (an LDAP "unauthenticated bind" would succeed without one);
//! - every call runs on a thread of its own with the configured deadline, so a caller on
//!   an async runtime never blocks it and a silent server never hangs the caller;
//! - nothing here caches or remembers: the offline login lives in the application service.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[cfg(feature = "slapd")]
pub mod slapd;

/// Where the directory is and how to read it. Active Directory's usual names are in the
/// field docs; the defaults are OpenLDAP's (inetOrgPerson, groupOfNames).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DirectoryConfig {
    /// `ldaps://dc1.bank.uz:636`, or `ldap://…` with `starttls`; plain `ldap://` without
    /// StartTLS only to 127.0.0.1 / ::1 / localhost.
    pub url: String,
    #[serde(default)]
    pub starttls: bool,
    /// A PEM bundle of the CA(s) that signed the directory's certificate (the bank's own
    /// CA); without it the system's roots are trusted.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Where people are searched (subtree), e.g. `ou=people,dc=bank,dc=uz`
    /// (AD: `OU=Staff,DC=bank,DC=uz`).
    pub base_dn: String,
    /// The login name's attribute: `uid` (AD: `sAMAccountName`).
    #[serde(default = "default_user_attribute")]
    pub user_attribute: String,
    /// The people's object class: `inetOrgPerson` (AD: `user`).
    #[serde(default = "default_user_class")]
    pub user_object_class: String,
    /// The display name: `displayName`, else `cn`.
    #[serde(default = "default_display_attribute")]
    pub display_name_attribute: String,
    /// The branch (may hold several values: a reviewer covering several branches):
    /// `departmentNumber` (AD: `department` or `physicalDeliveryOfficeName`).
    pub branch_attribute: String,
    /// The read-only service account that searches for people and their groups (AD needs
    /// one; OpenLDAP may allow anonymous search when these are absent).
    #[serde(default)]
    pub service_dn: Option<String>,
    #[serde(default)]
    pub service_password: Option<String>,
    /// The group whose members hold each role (groupOfNames / AD group, by `member`).
    pub groups: RoleGroups,
    /// A filter that matches a disabled account, checked on the person's own entry:
    /// `(employeeType=disabled)` in the test directory; AD:
    /// `(userAccountControl:1.2.840.113556.1.4.803:=2)` (AD also refuses the bind of a
    /// disabled account, which reads as disabled too).
    #[serde(default)]
    pub disabled_filter: Option<String>,
    /// The deadline of one call (connect, bind, searches), in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// How long after an online login the workstation lets the person log in offline.
    #[serde(default = "default_offline_hours")]
    pub offline_hours: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoleGroups {
    pub underwriter: String,
    pub reviewer: String,
    pub administrator: String,
}

fn default_user_attribute() -> String {
    "uid".into()
}
fn default_user_class() -> String {
    "inetOrgPerson".into()
}
fn default_display_attribute() -> String {
    "displayName".into()
}
fn default_timeout_ms() -> u64 {
    5_000
}
fn default_offline_hours() -> u32 {
    72
}

/// The roles the directory's groups give a person (several may hold at once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DirectoryRoles {
    pub underwriter: bool,
    pub reviewer: bool,
    pub administrator: bool,
}

/// A member of staff as the directory describes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Person {
    /// The login name (the staff id), as the directory spells it.
    pub staff_id: String,
    pub dn: String,
    pub display_name: String,
    pub roles: DirectoryRoles,
    pub branches: Vec<String>,
}

/// Why the directory said no, or could not say. Each has a stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("directory configuration: {0}")]
    InvalidConfig(String),
    #[error("the directory cannot be reached ({0})")]
    Unreachable(String),
    #[error("the directory did not answer within {0} ms")]
    Timeout(u64),
    #[error("the directory's certificate or TLS failed: {0}")]
    Tls(String),
    #[error("the user name or the password is wrong")]
    WrongCredentials,
    #[error("{0}: the directory has disabled this account")]
    AccountDisabled(String),
    #[error("{0}: the directory has no such account")]
    AccountNotFound(String),
    #[error("the directory refused the new password: {0}")]
    PasswordRefused(String),
    #[error("the directory's answer is not what LDAP promises: {0}")]
    BadAnswer(String),
}

impl DirectoryError {
    pub fn code(&self) -> &'static str {
        match self {
            DirectoryError::InvalidConfig(_) => "DIRECTORY_CONFIG",
            DirectoryError::Unreachable(_) => "DIRECTORY_UNREACHABLE",
            DirectoryError::Timeout(_) => "DIRECTORY_TIMEOUT",
            DirectoryError::Tls(_) => "DIRECTORY_TLS",
            DirectoryError::WrongCredentials => "AUTH_FAILED",
            DirectoryError::AccountDisabled(_) => "ACCOUNT_DISABLED",
            DirectoryError::AccountNotFound(_) => "ACCOUNT_REMOVED",
            DirectoryError::PasswordRefused(_) => "PASSWORD_REFUSED",
            DirectoryError::BadAnswer(_) => "DIRECTORY_BAD_ANSWER",
        }
    }

    /// The directory could not be asked at all (as opposed to answering): the workstation
    /// may fall back to the offline login.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            DirectoryError::Unreachable(_) | DirectoryError::Timeout(_)
        )
    }
}

pub type Result<T, E = DirectoryError> = std::result::Result<T, E>;

impl DirectoryConfig {
    /// Reads a configuration (JSON), refusing an unusable one with the field named.
    pub fn parse(json: &str) -> Result<DirectoryConfig> {
        let c: DirectoryConfig = serde_json::from_str(json)
            .map_err(|e| DirectoryError::InvalidConfig(e.to_string()))?;
        c.check()?;
        Ok(c)
    }

    /// The transport rule (LDAPS, StartTLS, or plain LDAP to a loopback address only) and
    /// the required fields.
    pub fn check(&self) -> Result<()> {
        Err(DirectoryError::InvalidConfig("not built yet".into()))
    }
}

/// A client of one directory.
#[derive(Clone, Debug)]
pub struct Directory {
    config: DirectoryConfig,
}

impl Directory {
    pub fn new(config: DirectoryConfig) -> Result<Directory> {
        config.check()?;
        Ok(Directory { config })
    }

    pub fn config(&self) -> &DirectoryConfig {
        &self.config
    }

    /// Checks the person's password by a bind as them, then reads who they are: their
    /// display name, roles and branches. A disabled account is refused even with the
    /// right password; a wrong password never says whether the account exists.
    pub fn authenticate(&self, staff_id: &str, password: &str) -> Result<Person> {
        let _ = (staff_id, password);
        Err(DirectoryError::Unreachable("not built yet".into()))
    }

    /// Reads a person without their password (the service account's view): what the bank
    /// checks a signer's roles and branches against. A disabled or absent account is an
    /// error.
    pub fn lookup(&self, staff_id: &str) -> Result<Person> {
        let _ = staff_id;
        Err(DirectoryError::Unreachable("not built yet".into()))
    }

    /// Changes the person's password in the directory (RFC 3062 Password Modify, as the
    /// person), so that the workstation can re-wrap their signing key with the new one.
    pub fn change_password(&self, staff_id: &str, old: &str, new: &str) -> Result<()> {
        let _ = (staff_id, old, new);
        Err(DirectoryError::Unreachable("not built yet".into()))
    }

    /// Connects (and binds as the service account, when there is one): "Test connection".
    pub fn test_connection(&self) -> Result<()> {
        Err(DirectoryError::Unreachable("not built yet".into()))
    }
}
