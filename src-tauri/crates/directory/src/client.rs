//! One conversation with the directory, on a thread of its own.
//!
//! - [`run`] starts the thread, and waits for its answer no longer than the configured
//!   deadline (plus a small margin): a caller on an async runtime never meets ldap3's own
//!   runtime, and a silent server never hangs the caller. The thread ends by itself through
//!   ldap3's connect and operation timeouts, which share the same deadline.
//! - A panic inside ldap3 (it panics on some malformed answers) ends the thread, not the
//!   caller: it reads as [`DirectoryError::BadAnswer`].
//! - Search entries are read here, field by field, without ldap3's panicking
//!   `SearchEntry::construct`; references and intermediate answers are skipped.
//! - TLS trusts the configured CA file, else the system's roots; rustls with ring, never
//!   without verification.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ldap3::asn1::{StructureTag, TagClass, PL};
use ldap3::exop::PasswordModify;
use ldap3::result::ExopResult;
use ldap3::{
    ldap_escape, LdapConn, LdapConnSettings, LdapError, LdapResult, Scope, SearchOptions,
    SearchResult,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::{DirectoryConfig, DirectoryError, DirectoryRoles, Person, Result};

/// How much longer than the deadline the caller waits for the thread's own answer (its
/// timeouts fire at the deadline; this lets their error, rather than ours, arrive).
const MARGIN: Duration = Duration::from_millis(500);

/// Runs `call` on a fresh connection on a thread of its own, within the configured
/// deadline, and writes its line in the workstation's log: the operation, how long it
/// took, its outcome's code — never whom it asked about.
pub(crate) fn run<T, F>(config: &DirectoryConfig, op: &'static str, call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Conversation) -> Result<T> + Send + 'static,
{
    let started = Instant::now();
    let result = run_call(config, call);
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match &result {
        Ok(_) => tracing::info!(target: "uw", event = "directory_call", op, ms, outcome = "ok"),
        Err(e) => {
            tracing::warn!(target: "uw", event = "directory_call", op, ms, outcome = e.code());
        }
    }
    result
}

fn run_call<T, F>(config: &DirectoryConfig, call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Conversation) -> Result<T> + Send + 'static,
{
    let config = config.clone();
    let timeout_ms = config.timeout_ms;
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("uw-directory".into())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(move || {
                let mut conversation = Conversation::open(config)?;
                let outcome = call(&mut conversation);
                if outcome.is_ok() {
                    conversation.close();
                }
                outcome
            }))
            .unwrap_or_else(|_| Err(unreadable()));
            // The caller may have stopped waiting: nobody to tell then.
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Err(DirectoryError::Unreachable(format!(
            "no thread for the call: {e}"
        )));
    }
    match rx.recv_timeout(Duration::from_millis(timeout_ms) + MARGIN) {
        Ok(outcome) => outcome,
        Err(RecvTimeoutError::Timeout) => Err(DirectoryError::Timeout(timeout_ms)),
        Err(RecvTimeoutError::Disconnected) => Err(unreadable()),
    }
}

fn unreadable() -> DirectoryError {
    DirectoryError::BadAnswer("the directory's answer could not be read".into())
}

/// A person's entry as the service account reads it, before the person's own bind.
pub(crate) struct Found {
    person: Person,
    disabled: bool,
}

impl Found {
    /// The person, unless the directory marks the account disabled. Told only after the
    /// person's bind (when there is one) succeeded.
    pub(crate) fn into_active(self) -> Result<Person> {
        if self.disabled {
            Err(DirectoryError::AccountDisabled(self.person.staff_id))
        } else {
            Ok(self.person)
        }
    }
}

/// An open connection, bound as the service account (or anonymous), with the call's
/// deadline.
pub(crate) struct Conversation {
    ldap: LdapConn,
    config: DirectoryConfig,
    deadline: Instant,
}

impl Conversation {
    fn open(config: DirectoryConfig) -> Result<Conversation> {
        let deadline = Instant::now() + Duration::from_millis(config.timeout_ms);
        let ldaps = url::Url::parse(&config.url)
            .map_err(|e| DirectoryError::InvalidConfig(format!("url: {e}")))?
            .scheme()
            == "ldaps";
        let mut settings = LdapConnSettings::new();
        if ldaps || config.starttls {
            let tls = tls_config(config.ca_file.as_deref())?;
            settings = settings
                .set_config(Arc::new(tls))
                .set_starttls(config.starttls && !ldaps);
        }
        let left = left_until(deadline, config.timeout_ms)?;
        let ldap =
            LdapConn::with_settings(settings.set_conn_timeout(left), &config.url).map_err(|e| {
                match e {
                    // The only LDAP operation of the connect is StartTLS.
                    LdapError::LdapResult { result } => DirectoryError::Tls(format!(
                        "the directory refused StartTLS: {}",
                        describe(&result)
                    )),
                    other => map_error(other, config.timeout_ms),
                }
            })?;
        let mut conversation = Conversation {
            ldap,
            config,
            deadline,
        };
        conversation.bind_service()?;
        Ok(conversation)
    }

    /// Unbinds politely after a successful call (a failed one just drops the connection).
    fn close(mut self) {
        let _ = self.ldap.unbind();
    }

    fn error(&self, e: LdapError) -> DirectoryError {
        map_error(e, self.config.timeout_ms)
    }

    fn left(&self) -> Result<Duration> {
        left_until(self.deadline, self.config.timeout_ms)
    }

    fn bind(&mut self, dn: &str, password: &str) -> Result<LdapResult> {
        let left = self.left()?;
        self.ldap
            .with_timeout(left)
            .simple_bind(dn, password)
            .map_err(|e| self.error(e))
    }

    /// Binds as the service account when one is configured; else the connection stays
    /// anonymous.
    fn bind_service(&mut self) -> Result<()> {
        let (Some(dn), Some(password)) = (
            self.config.service_dn.clone(),
            self.config.service_password.clone(),
        ) else {
            return Ok(());
        };
        if password.is_empty() {
            return Err(DirectoryError::InvalidConfig(
                "service_password: must not be empty".into(),
            ));
        }
        let result = self.bind(&dn, &password)?;
        match result.rc {
            0 => Ok(()),
            49 => Err(DirectoryError::InvalidConfig(format!(
                "service_dn: the directory refused the service account's bind ({})",
                describe(&result)
            ))),
            8 | 13 => Err(needs_tls(&result)),
            _ => Err(unexpected("the service account's bind", &result)),
        }
    }

    fn search(
        &mut self,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: &[&str],
        size_limit: i32,
    ) -> Result<(Vec<Entry>, LdapResult)> {
        let left = self.left()?;
        let SearchResult(raw, result) = self
            .ldap
            .with_search_options(SearchOptions::new().sizelimit(size_limit))
            .with_timeout(left)
            .search(base, scope, filter, attrs.to_vec())
            .map_err(|e| self.error(e))?;
        let mut entries = Vec::with_capacity(raw.len());
        for item in raw {
            if let Some(entry) = read_entry(item.0)? {
                entries.push(entry);
            }
        }
        Ok((entries, result))
    }

    /// Finds the person by the login attribute and reads their names, branches, roles and
    /// whether the account is disabled: the service account's view.
    pub(crate) fn read_person(&mut self, staff_id: &str) -> Result<Found> {
        let config = self.config.clone();
        let filter = format!(
            "(&(objectClass={})({}={}))",
            config.user_object_class,
            config.user_attribute,
            ldap_escape(staff_id)
        );
        let attrs = [
            config.user_attribute.as_str(),
            config.display_name_attribute.as_str(),
            "cn",
            config.branch_attribute.as_str(),
        ];
        let (entries, result) = self.search(&config.base_dn, Scope::Subtree, &filter, &attrs, 2)?;
        match result.rc {
            // 4: the size limit of 2 was reached — more than one account, refused below.
            0 | 4 => {}
            32 => {
                return Err(DirectoryError::InvalidConfig(format!(
                "base_dn: the directory has no entry {:?} (or the service account may not read it)",
                config.base_dn
            )))
            }
            8 | 13 => return Err(needs_tls(&result)),
            _ => return Err(unexpected("the search for the account", &result)),
        }
        let mut entries = entries.into_iter();
        let entry = match (entries.next(), entries.next()) {
            (None, _) => return Err(DirectoryError::AccountNotFound(staff_id.to_owned())),
            (Some(entry), None) => entry,
            (Some(_), Some(_)) => {
                return Err(DirectoryError::BadAnswer(format!(
                    "more than one account answers to {}={staff_id}",
                    config.user_attribute
                )))
            }
        };
        if entry.dn.trim().is_empty() {
            return Err(DirectoryError::BadAnswer(
                "the account's entry has no name (DN)".into(),
            ));
        }

        let disabled = match &config.disabled_filter {
            Some(filter) => self.own_entry_matches(&entry.dn, filter, staff_id)?,
            None => false,
        };
        let roles = DirectoryRoles {
            underwriter: self.is_member(
                "groups.underwriter",
                &config.groups.underwriter,
                &entry.dn,
            )?,
            reviewer: self.is_member("groups.reviewer", &config.groups.reviewer, &entry.dn)?,
            administrator: self.is_member(
                "groups.administrator",
                &config.groups.administrator,
                &entry.dn,
            )?,
            supervisor: match &config.groups.supervisor {
                Some(group) => self.is_member("groups.supervisor", group, &entry.dn)?,
                None => false,
            },
        };

        // One person, one staff id: an entry with several login names (a multi-valued
        // `uid`) is known by the first of them in order, whichever was typed, so that no one
        // acts as two people at the bank.
        let spelled = entry
            .values(&config.user_attribute)
            .iter()
            .min()
            .cloned()
            .unwrap_or_else(|| staff_id.to_owned());
        let display_name = entry
            .first_filled(&config.display_name_attribute)
            .or_else(|| entry.first_filled("cn"))
            .unwrap_or_else(|| spelled.clone());
        let mut branches: Vec<String> = Vec::new();
        for value in entry.values(&config.branch_attribute) {
            let value = value.trim();
            if !value.is_empty() && !branches.iter().any(|b| b == value) {
                branches.push(value.to_owned());
            }
        }
        Ok(Found {
            person: Person {
                staff_id: spelled,
                dn: entry.dn,
                display_name,
                roles,
                branches,
            },
            disabled,
        })
    }

    /// Does the disabled filter match the person's own entry?
    fn own_entry_matches(&mut self, dn: &str, filter: &str, staff_id: &str) -> Result<bool> {
        let (entries, result) = self.search(dn, Scope::Base, filter, &["1.1"], 1)?;
        match result.rc {
            0 => Ok(!entries.is_empty()),
            // Removed between the two searches.
            32 => Err(DirectoryError::AccountNotFound(staff_id.to_owned())),
            _ => Err(unexpected("the account's status", &result)),
        }
    }

    /// Does the group (read as one entry) list `member_dn` as a `member`?
    fn is_member(&mut self, field: &str, group_dn: &str, member_dn: &str) -> Result<bool> {
        let filter = format!("(member={})", ldap_escape(member_dn));
        let (entries, result) = self.search(group_dn, Scope::Base, &filter, &["1.1"], 1)?;
        match result.rc {
            0 => Ok(!entries.is_empty()),
            32 => Err(no_such_entry(field, group_dn)),
            _ => Err(unexpected("the role groups", &result)),
        }
    }

    /// Checks the person's password by a simple bind as them.
    pub(crate) fn bind_as_person(&mut self, found: &Found, password: &str) -> Result<()> {
        if password.is_empty() {
            // Never an unauthenticated bind.
            return Err(DirectoryError::WrongCredentials);
        }
        let result = self.bind(&found.person.dn, password)?;
        match result.rc {
            0 => Ok(()),
            49 => match active_directory_reason(&result.text) {
                // Active Directory: 533 disabled, 701 expired, 775 locked out.
                Some("533" | "701" | "775") => Err(DirectoryError::AccountDisabled(
                    found.person.staff_id.clone(),
                )),
                _ => Err(DirectoryError::WrongCredentials),
            },
            8 | 13 => Err(needs_tls(&result)),
            _ => Err(unexpected("the bind", &result)),
        }
    }

    /// RFC 3062 Password Modify on the connection bound as the person.
    pub(crate) fn modify_password(&mut self, dn: &str, old: &str, new: &str) -> Result<()> {
        let left = self.left()?;
        let ExopResult(_, result) = self
            .ldap
            .with_timeout(left)
            .extended(PasswordModify {
                user_id: Some(dn),
                old_pass: Some(old),
                new_pass: Some(new),
            })
            .map_err(|e| self.error(e))?;
        match result.rc {
            0 => Ok(()),
            49 => Err(DirectoryError::WrongCredentials),
            _ => Err(DirectoryError::PasswordRefused(describe(&result))),
        }
    }

    /// "Test connection": `base_dn` and each role group are there and readable.
    pub(crate) fn check_entries(&mut self) -> Result<()> {
        let config = self.config.clone();
        let mut entries = vec![
            ("base_dn", config.base_dn.as_str()),
            ("groups.underwriter", config.groups.underwriter.as_str()),
            ("groups.reviewer", config.groups.reviewer.as_str()),
            ("groups.administrator", config.groups.administrator.as_str()),
        ];
        if let Some(dn) = &config.groups.supervisor {
            entries.push(("groups.supervisor", dn.as_str()));
        }
        for (field, dn) in entries {
            let (found, result) = self.search(dn, Scope::Base, "(objectClass=*)", &["1.1"], 1)?;
            match result.rc {
                0 if !found.is_empty() => {}
                0 | 32 => return Err(no_such_entry(field, dn)),
                8 | 13 => return Err(needs_tls(&result)),
                _ => return Err(unexpected(&format!("the entry of {field}"), &result)),
            }
        }
        Ok(())
    }
}

fn left_until(deadline: Instant, timeout_ms: u64) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(DirectoryError::Timeout(timeout_ms))
    } else {
        Ok(left)
    }
}

fn no_such_entry(field: &str, dn: &str) -> DirectoryError {
    DirectoryError::InvalidConfig(format!(
        "{field}: the directory has no entry {dn:?} (or the service account may not read it)"
    ))
}

fn needs_tls(result: &LdapResult) -> DirectoryError {
    DirectoryError::Tls(format!(
        "the directory asks for a protected connection: {}",
        describe(result)
    ))
}

fn unexpected(what: &str, result: &LdapResult) -> DirectoryError {
    DirectoryError::BadAnswer(format!("{what}: {}", describe(result)))
}

/// The result code's name and the server's diagnostic text.
fn describe(result: &LdapResult) -> String {
    let name = match result.rc {
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        19 => "constraintViolation",
        21 => "invalidAttributeSyntax",
        32 => "noSuchObject",
        34 => "invalidDNSyntax",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => "result",
    };
    let text = result.text.trim();
    if text.is_empty() {
        format!("{name} ({})", result.rc)
    } else {
        format!("{name} ({}): {text}", result.rc)
    }
}

/// Active Directory's reason inside an invalidCredentials answer:
/// `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563`.
fn active_directory_reason(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once(" data ")?;
    let code = rest.split([',', ' ']).next()?;
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_hexdigit())).then_some(code)
}

/// What ldap3 reports, as the directory's coded errors.
fn map_error(e: LdapError, timeout_ms: u64) -> DirectoryError {
    match e {
        LdapError::Timeout { .. } => DirectoryError::Timeout(timeout_ms),
        LdapError::Io { source } => io_error(source),
        LdapError::Rustls { source } => DirectoryError::Tls(source.to_string()),
        LdapError::DNSName { source } => DirectoryError::Tls(format!(
            "the host is not a name a certificate can carry: {source}"
        )),
        LdapError::UrlParsing { source } => DirectoryError::InvalidConfig(format!("url: {source}")),
        LdapError::UnknownScheme(scheme) => {
            DirectoryError::InvalidConfig(format!("url: unknown scheme {scheme}"))
        }
        LdapError::FilterParsing => {
            DirectoryError::InvalidConfig("a search filter does not parse".into())
        }
        // The connection's task ended: the server closed the connection, or sent bytes
        // that are not LDAP.
        LdapError::ResultRecv { .. }
        | LdapError::OpSend { .. }
        | LdapError::IdScrubSend { .. }
        | LdapError::MiscSend { .. }
        | LdapError::EndOfStream => DirectoryError::BadAnswer(
            "the connection ended without an LDAP answer (is it an LDAP server?)".into(),
        ),
        LdapError::LdapResult { result } => unexpected("the directory", &result),
        other => DirectoryError::BadAnswer(other.to_string()),
    }
}

fn io_error(e: io::Error) -> DirectoryError {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return DirectoryError::Tls(tls.to_string());
    }
    match e.kind() {
        // Only the TLS handshake reads during the connect: these are its failures.
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            DirectoryError::Tls(format!("the TLS handshake failed: {e}"))
        }
        _ => DirectoryError::Unreachable(e.to_string()),
    }
}

/// The CA certificates of a PEM file (the bank's own CA). Used by the configuration check
/// too, so a wrong file is refused when the configuration is read.
pub(crate) fn load_ca_file(path: &str) -> Result<Vec<CertificateDer<'static>>> {
    if path.trim().is_empty() {
        return Err(DirectoryError::Tls("the CA file's name is empty".into()));
    }
    let mut certs = Vec::new();
    let iter = CertificateDer::pem_file_iter(path)
        .map_err(|e| DirectoryError::Tls(format!("cannot read {path}: {e}")))?;
    for cert in iter {
        certs
            .push(cert.map_err(|e| DirectoryError::Tls(format!("{path} is not a PEM file: {e}")))?);
    }
    if certs.is_empty() {
        return Err(DirectoryError::Tls(format!(
            "{path} holds no PEM certificate"
        )));
    }
    Ok(certs)
}

/// rustls with ring, trusting the CA file when there is one, else the system's roots.
fn tls_config(ca_file: Option<&str>) -> Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in load_ca_file(path)? {
                roots
                    .add(cert)
                    .map_err(|e| DirectoryError::Tls(format!("{path}: {e}")))?;
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
            if roots.is_empty() {
                return Err(DirectoryError::Tls(
                    "the system has no CA certificates; set ca_file".into(),
                ));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DirectoryError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// One search result entry: its DN and attributes (names as the server spelled them).
struct Entry {
    dn: String,
    attrs: Vec<(String, Vec<String>)>,
}

impl Entry {
    /// The values of an attribute (names compare case-insensitively, as LDAP's do).
    fn values(&self, name: &str) -> &[String] {
        self.attrs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .unwrap_or_default()
    }

    fn first_filled(&self, name: &str) -> Option<String> {
        self.values(name)
            .iter()
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

fn malformed(what: &str) -> DirectoryError {
    DirectoryError::BadAnswer(format!("a search result is malformed ({what})"))
}

/// SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN, attributes
/// PartialAttributeList }; references (19) and intermediate responses (25) give `None`.
fn read_entry(tag: StructureTag) -> Result<Option<Entry>> {
    if tag.class != TagClass::Application {
        return Err(malformed("not an application tag"));
    }
    match tag.id {
        4 => {}
        19 | 25 => return Ok(None),
        _ => return Err(malformed("not an entry")),
    }
    let PL::C(parts) = tag.payload else {
        return Err(malformed("entry"));
    };
    let mut parts = parts.into_iter();
    let dn = octets(parts.next(), "DN")?;
    let Some(StructureTag {
        payload: PL::C(list),
        ..
    }) = parts.next()
    else {
        return Err(malformed("attribute list"));
    };
    let mut attrs = Vec::with_capacity(list.len());
    for attribute in list {
        let PL::C(pair) = attribute.payload else {
            return Err(malformed("attribute"));
        };
        let mut pair = pair.into_iter();
        let name = octets(pair.next(), "attribute name")?;
        let Some(StructureTag {
            payload: PL::C(raw_values),
            ..
        }) = pair.next()
        else {
            return Err(malformed("attribute values"));
        };
        let mut values = Vec::with_capacity(raw_values.len());
        for value in raw_values {
            let PL::P(bytes) = value.payload else {
                return Err(malformed("attribute value"));
            };
            values.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        attrs.push((name, values));
    }
    Ok(Some(Entry { dn, attrs }))
}

fn octets(tag: Option<StructureTag>, what: &str) -> Result<String> {
    match tag {
        Some(StructureTag {
            payload: PL::P(bytes),
            ..
        }) => String::from_utf8(bytes).map_err(|_| malformed(what)),
        _ => Err(malformed(what)),
    }
}

/// The DN of a search result entry (the slapd harness's searches).
#[cfg(any(test, feature = "slapd"))]
pub(crate) fn entry_dn(tag: StructureTag) -> Option<String> {
    read_entry(tag).ok().flatten().map(|entry| entry.dn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn octet(bytes: &[u8]) -> StructureTag {
        StructureTag {
            class: TagClass::Universal,
            id: 4,
            payload: PL::P(bytes.to_vec()),
        }
    }

    fn constructed(class: TagClass, id: u64, inner: Vec<StructureTag>) -> StructureTag {
        StructureTag {
            class,
            id,
            payload: PL::C(inner),
        }
    }

    fn entry(dn: &[u8], attrs: Vec<(&[u8], Vec<&[u8]>)>) -> StructureTag {
        let list = attrs
            .into_iter()
            .map(|(name, values)| {
                constructed(
                    TagClass::Universal,
                    16,
                    vec![
                        octet(name),
                        constructed(
                            TagClass::Universal,
                            17,
                            values.into_iter().map(octet).collect(),
                        ),
                    ],
                )
            })
            .collect();
        constructed(
            TagClass::Application,
            4,
            vec![octet(dn), constructed(TagClass::Universal, 16, list)],
        )
    }

    #[test]
    fn entries_are_read_without_trusting_their_shape() {
        let read = read_entry(entry(
            b"uid=bob,ou=people,dc=bank,dc=uz",
            vec![
                (b"departmentNumber", vec![b"BXM-07", b" BXO-02 ", b""]),
                (b"displayName", vec![b"Bobur \xff"]),
            ],
        ))
        .expect("an entry")
        .expect("not a reference");
        assert_eq!(read.dn, "uid=bob,ou=people,dc=bank,dc=uz");
        assert_eq!(read.values("DEPARTMENTNUMBER"), ["BXM-07", " BXO-02 ", ""]);
        assert_eq!(
            read.first_filled("displayname").as_deref(),
            Some("Bobur \u{fffd}")
        );
        assert!(read.values("cn").is_empty());

        // A reference and an intermediate answer are skipped.
        for id in [19, 25] {
            let skipped = constructed(TagClass::Application, id, vec![octet(b"ldap://x/")]);
            assert!(matches!(read_entry(skipped), Ok(None)));
        }

        let malformed_entries = [
            constructed(TagClass::Universal, 4, vec![]),
            constructed(TagClass::Application, 5, vec![]),
            StructureTag {
                class: TagClass::Application,
                id: 4,
                payload: PL::P(b"flat".to_vec()),
            },
            constructed(TagClass::Application, 4, vec![]),
            constructed(TagClass::Application, 4, vec![octet(b"uid=x")]),
            constructed(TagClass::Application, 4, vec![octet(b"\xff"), octet(b"")]),
            constructed(
                TagClass::Application,
                4,
                vec![
                    octet(b"uid=x"),
                    constructed(TagClass::Universal, 16, vec![octet(b"cn")]),
                ],
            ),
            constructed(
                TagClass::Application,
                4,
                vec![
                    octet(b"uid=x"),
                    constructed(
                        TagClass::Universal,
                        16,
                        vec![constructed(TagClass::Universal, 16, vec![octet(b"cn")])],
                    ),
                ],
            ),
        ];
        for tag in malformed_entries {
            assert!(
                matches!(read_entry(tag.clone()), Err(DirectoryError::BadAnswer(_))),
                "{tag:?}"
            );
        }
    }

    #[test]
    fn active_directory_reasons_are_read_from_the_diagnostic() {
        let text = |code: &str| {
            format!(
                "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data {code}, v4563\u{0}"
            )
        };
        assert_eq!(active_directory_reason(&text("533")), Some("533"));
        assert_eq!(active_directory_reason(&text("775")), Some("775"));
        assert_eq!(active_directory_reason(&text("52e")), Some("52e"));
        assert_eq!(active_directory_reason("data 701"), None, "not AD's shape");
        assert_eq!(active_directory_reason(""), None);
        assert_eq!(active_directory_reason("invalid credentials"), None);
        assert_eq!(active_directory_reason("x data zzz, v1"), None);
    }

    #[test]
    fn ldap3_errors_become_coded_errors() {
        let io = |kind: io::ErrorKind| map_error(LdapError::from(io::Error::from(kind)), 700);
        assert!(matches!(
            io(io::ErrorKind::ConnectionRefused),
            DirectoryError::Unreachable(_)
        ));
        assert!(matches!(
            io(io::ErrorKind::UnexpectedEof),
            DirectoryError::Tls(_)
        ));
        let certificate = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(matches!(
            map_error(LdapError::from(certificate), 700),
            DirectoryError::Tls(m) if m.contains("UnknownIssuer")
        ));
        assert!(matches!(
            map_error(LdapError::EndOfStream, 700),
            DirectoryError::BadAnswer(_)
        ));
        assert!(matches!(
            map_error(LdapError::DecodingUTF8, 700),
            DirectoryError::BadAnswer(_)
        ));
        let refused = LdapResult {
            rc: 53,
            matched: String::new(),
            text: "no".into(),
            refs: vec![],
            ctrls: vec![],
        };
        assert_eq!(
            map_error(LdapError::from(refused.clone()), 700),
            DirectoryError::BadAnswer("the directory: unwillingToPerform (53): no".into())
        );
        assert_eq!(
            describe(&LdapResult {
                text: String::new(),
                ..refused
            }),
            "unwillingToPerform (53)"
        );
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().expect("a folder");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").expect("written");
        let path = empty.display().to_string();
        assert!(
            matches!(load_ca_file(&path), Err(DirectoryError::Tls(m)) if m.contains("no PEM certificate"))
        );
        assert!(matches!(load_ca_file(""), Err(DirectoryError::Tls(_))));
        assert!(matches!(
            load_ca_file("/nonexistent/ca.pem"),
            Err(DirectoryError::Tls(m)) if m.contains("cannot read")
        ));
    }
}
