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
//! - nothing here caches or remembers: the offline login lives in the application service;
//! - each call is one line of the workstation's log (`tracing`, target `uw`): the
//!   operation, its duration and its outcome's code — never whom it asked about.
//!
//! One call is one conversation on one connection (`client`): connect (TLS as configured),
//! bind as the service account (or stay anonymous), find the person's entry by the login
//! attribute, read whether the entry is disabled and which role groups list it as a
//! `member`, and only then — for [`Directory::authenticate`] and
//! [`Directory::change_password`] — bind as the person. What was read before that bind is
//! told only after it succeeds: a wrong password says nothing about the account.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod client;

#[cfg(any(test, feature = "slapd"))]
pub mod slapd;

#[cfg(test)]
mod tests;

/// Where the directory is and how to read it. Active Directory's usual names are in the
/// field docs; the defaults are OpenLDAP's (inetOrgPerson, groupOfNames).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// Everything but the service account's password, which a log or a panic never shows.
impl std::fmt::Debug for DirectoryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryConfig")
            .field("url", &self.url)
            .field("starttls", &self.starttls)
            .field("ca_file", &self.ca_file)
            .field("base_dn", &self.base_dn)
            .field("user_attribute", &self.user_attribute)
            .field("user_object_class", &self.user_object_class)
            .field("display_name_attribute", &self.display_name_attribute)
            .field("branch_attribute", &self.branch_attribute)
            .field("service_dn", &self.service_dn)
            .field(
                "service_password",
                &self.service_password.as_ref().map(|_| "…"),
            )
            .field("groups", &self.groups)
            .field("disabled_filter", &self.disabled_filter)
            .field("timeout_ms", &self.timeout_ms)
            .field("offline_hours", &self.offline_hours)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoleGroups {
    pub underwriter: String,
    pub reviewer: String,
    pub administrator: String,
    /// The credit department's supervisors, who reassign cases (absent: no one does; a
    /// configuration of before the role keeps working).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub supervisor: Option<String>,
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
    /// Reassigns cases between underwriters (`groups.supervisor`).
    #[serde(default)]
    pub supervisor: bool,
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
        let c: DirectoryConfig =
            serde_json::from_str(json).map_err(|e| DirectoryError::InvalidConfig(e.to_string()))?;
        c.check()?;
        Ok(c)
    }

    /// The transport rule (LDAPS, StartTLS, or plain LDAP to a loopback address only) and
    /// the required fields; each refusal names its field (`url: plain LDAP only to a
    /// loopback address; …`). A `ca_file` must hold a PEM certificate.
    pub fn check(&self) -> Result<()> {
        check_url(&self.url, self.starttls)?;
        check_dn("base_dn", &self.base_dn)?;
        check_attribute("user_attribute", &self.user_attribute)?;
        check_attribute("user_object_class", &self.user_object_class)?;
        check_attribute("display_name_attribute", &self.display_name_attribute)?;
        check_attribute("branch_attribute", &self.branch_attribute)?;
        match (&self.service_dn, &self.service_password) {
            (None, None) => {}
            (Some(dn), Some(password)) => {
                check_dn("service_dn", dn)?;
                if password.is_empty() {
                    // An empty password would make the service bind an unauthenticated one.
                    return Err(invalid("service_password", "must not be empty"));
                }
            }
            (Some(_), None) => {
                return Err(invalid(
                    "service_password",
                    "missing: service_dn and service_password come together",
                ))
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "service_dn",
                    "missing: service_dn and service_password come together",
                ))
            }
        }
        check_dn("groups.underwriter", &self.groups.underwriter)?;
        check_dn("groups.reviewer", &self.groups.reviewer)?;
        check_dn("groups.administrator", &self.groups.administrator)?;
        if let Some(dn) = &self.groups.supervisor {
            check_dn("groups.supervisor", dn)?;
        }
        if let Some(filter) = &self.disabled_filter {
            if filter.trim().is_empty() || ldap3::parse_filter(filter).is_err() {
                return Err(invalid(
                    "disabled_filter",
                    "not an LDAP filter such as (employeeType=disabled)",
                ));
            }
        }
        if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(invalid(
                "timeout_ms",
                &format!(
                    "{MIN_TIMEOUT_MS}..={MAX_TIMEOUT_MS} milliseconds, not {}",
                    self.timeout_ms
                ),
            ));
        }
        if !(1..=MAX_OFFLINE_HOURS).contains(&self.offline_hours) {
            return Err(invalid(
                "offline_hours",
                &format!("1..={MAX_OFFLINE_HOURS} hours, not {}", self.offline_hours),
            ));
        }
        // Read now, so that a wrong file is refused with the configuration.
        if let Some(ca) = &self.ca_file {
            client::load_ca_file(ca).map_err(|e| match e {
                DirectoryError::Tls(m) => invalid("ca_file", &m),
                other => other,
            })?;
        }
        Ok(())
    }
}

/// The shortest and the longest deadline of one call.
pub const MIN_TIMEOUT_MS: u64 = 100;
pub const MAX_TIMEOUT_MS: u64 = 120_000;
/// The longest offline window after an online login (30 days).
pub const MAX_OFFLINE_HOURS: u32 = 720;

fn invalid(field: &str, message: &str) -> DirectoryError {
    DirectoryError::InvalidConfig(format!("{field}: {message}"))
}

/// `ldaps://host[:port]`, `ldap://host[:port]` with StartTLS, or plain `ldap://` to a
/// loopback host.
fn check_url(url: &str, starttls: bool) -> Result<()> {
    let parsed = url::Url::parse(url)
        .map_err(|e| invalid("url", &format!("not an address ({e}): {url:?}")))?;
    let scheme = parsed.scheme();
    if scheme != "ldap" && scheme != "ldaps" {
        return Err(invalid(
            "url",
            &format!("the scheme is ldaps:// (or ldap:// with starttls), not {scheme}://"),
        ));
    }
    let host = parsed.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(invalid("url", &format!("no host in {url:?}")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "url",
            "no user name or password in the address (service_dn and service_password)",
        ));
    }
    match scheme {
        "ldaps" if starttls => Err(invalid(
            "starttls",
            "StartTLS is for ldap:// addresses; ldaps:// is TLS from the start",
        )),
        "ldaps" => Ok(()),
        "ldap" if starttls || is_loopback(host) => Ok(()),
        "ldap" => Err(invalid(
            "url",
            "plain LDAP only to a loopback address; use ldaps:// or starttls",
        )),
        other => Err(invalid(
            "url",
            &format!("the scheme is ldaps:// (or ldap:// with starttls), not {other}://"),
        )),
    }
}

/// 127.0.0.0/8, ::1 or localhost: the only hosts plain LDAP may go to (the password never
/// leaves the machine).
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_dn(field: &str, dn: &str) -> Result<()> {
    if dn.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if !dn.contains('=') || dn.chars().any(char::is_control) {
        return Err(invalid(
            field,
            &format!("not a distinguished name such as ou=people,dc=bank,dc=uz: {dn:?}"),
        ));
    }
    Ok(())
}

/// An attribute or object class name (`uid`, `sAMAccountName`, `cn;lang-uz`) or an OID:
/// it goes into search filters, so nothing else may.
fn check_attribute(field: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    let mut parts = name.split(';');
    let base = parts.next().unwrap_or_default();
    let descriptor = base.starts_with(|c: char| c.is_ascii_alphabetic())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let oid = !base.is_empty()
        && base
            .split('.')
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let options_ok =
        parts.all(|o| !o.is_empty() && o.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if (descriptor || oid) && options_ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            &format!("not an attribute name such as uid or sAMAccountName: {name:?}"),
        ))
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
    /// right password; a wrong password never says whether the account is disabled (only
    /// [`DirectoryError::WrongCredentials`]). An id the directory does not have is
    /// [`DirectoryError::AccountNotFound`], which the caller answers like a wrong password
    /// (the code tells it to forget an offline login of a removed person). An empty
    /// password, and an empty, blank, over-long (> [`MAX_STAFF_ID_CHARS`]) or
    /// control-character id, are `WrongCredentials` without any connection.
    pub fn authenticate(&self, staff_id: &str, password: &str) -> Result<Person> {
        // Refused before any connection: an empty password would be an LDAP
        // "unauthenticated bind", which a directory answers with success.
        if password.is_empty() || !staff_id_is_usable(staff_id) {
            return Err(DirectoryError::WrongCredentials);
        }
        let staff_id = staff_id.to_owned();
        let password = password.to_owned();
        client::run(&self.config, "authenticate", move |conn| {
            let found = conn.read_person(&staff_id)?;
            conn.bind_as_person(&found, &password)?;
            found.into_active()
        })
    }

    /// Reads a person without their password (the service account's view): what the bank
    /// checks a signer's roles and branches against. A disabled or absent account is an
    /// error.
    pub fn lookup(&self, staff_id: &str) -> Result<Person> {
        if !staff_id_is_usable(staff_id) {
            return Err(DirectoryError::AccountNotFound(
                staff_id.escape_default().to_string(),
            ));
        }
        let staff_id = staff_id.to_owned();
        client::run(&self.config, "lookup", move |conn| {
            conn.read_person(&staff_id)?.into_active()
        })
    }

    /// Changes the person's password in the directory (RFC 3062 Password Modify, as the
    /// person), so that the workstation can re-wrap their signing key with the new one.
    pub fn change_password(&self, staff_id: &str, old: &str, new: &str) -> Result<()> {
        if old.is_empty() || !staff_id_is_usable(staff_id) {
            return Err(DirectoryError::WrongCredentials);
        }
        if new.is_empty() {
            return Err(DirectoryError::PasswordRefused(
                "the new password is empty".into(),
            ));
        }
        let staff_id = staff_id.to_owned();
        let old = old.to_owned();
        let new = new.to_owned();
        client::run(&self.config, "change_password", move |conn| {
            let found = conn.read_person(&staff_id)?;
            conn.bind_as_person(&found, &old)?;
            let person = found.into_active()?;
            conn.modify_password(&person.dn, &old, &new)
        })
    }

    /// Connects (and binds as the service account, when there is one): "Test connection".
    /// Besides the bind, it reads `base_dn` and each role group, so that a wrong name in the
    /// configuration shows here (naming the field) rather than at the first login.
    pub fn test_connection(&self) -> Result<()> {
        client::run(&self.config, "test_connection", |conn| conn.check_entries())
    }
}

/// The longest staff id asked about.
pub const MAX_STAFF_ID_CHARS: usize = 64;

/// A staff id worth asking the directory about: not empty (nor blank), at most
/// [`MAX_STAFF_ID_CHARS`] characters, no control characters.
fn staff_id_is_usable(staff_id: &str) -> bool {
    !staff_id.trim().is_empty()
        && staff_id.chars().count() <= MAX_STAFF_ID_CHARS
        && !staff_id.chars().any(char::is_control)
}
