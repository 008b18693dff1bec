//! Logging in with the bank's directory, online and offline, and each person's signing
//! key (`assets/spec/dual-review.md`, "People").
//!
//! Online: the directory checks the password by a bind as the person and gives their
//! roles and branches (`uw-directory`); the workstation then keeps an Argon2id verifier of
//! the password with the roles for the configured time (default 72 h), and opens — or
//! creates — the person's Ed25519 key, wrapped in the store under a key derived from the
//! password (`crate::keys`), and makes sure the bank holds its public half: an enrolment
//! the bank accepts only after it checked the same password with the directory (and that
//! revokes the person's previous key).
//!
//! Offline (the directory cannot be reached): the cached verifier and roles, until they
//! expire. Past that, and for an account the directory has disabled or removed (seen at an
//! online login), the login is refused with a code that says why and the cached verifier
//! is dropped.
//!
//! Readings fixed here:
//! - only a directory that cannot be reached (refused, silent past its deadline) allows
//!   the offline login; one that answers garbage does not (`DIRECTORY_BAD_ANSWER`);
//! - a wrong password never says whether the account exists; only an account that has an
//!   offline login here is told `ACCOUNT_REMOVED` when the directory no longer has it;
//! - offline, a wrong password and a name with no offline login here get the same answer,
//!   and five wrong passwords in a row drop the offline login: the directory, which keeps
//!   its own lockout, is not there to count;
//! - an expired offline login is dropped whatever password was typed (it is of no use);
//! - a password changed in the directory (the old wrap no longer opens) gives the person a
//!   new key, enrolled in place of the old one; a password changed through this workstation
//!   re-wraps the same key ([`Workstation::change_directory_password`]);
//! - a person enrolls one key at a time: logging in at another desk enrolls that desk's key
//!   and revokes this one, which is replaced at the next online login here;
//! - the bank not answering does not stop an online login: the key waits to be enrolled at
//!   the next sync or online login (the session says `waiting`), and statements signed
//!   meanwhile wait in the outbox.

use std::sync::Arc;
use std::time::Duration;

use uw_bank_link::api::Enrolment;
use uw_bank_link::signing::{self, Ed25519Signer, Signer as _};
use uw_bank_link::LinkError;
use uw_directory::{Directory, DirectoryError, Person};
use uw_store::{CachedPerson, StoredKey};

use crate::error::{AppError, ErrorCode, Result};
use crate::keys::{self, KeyError};
use crate::users::{auth_failed, hash_password, verify_password, LoginMode, Session};
use crate::{now_rfc3339, Workstation};

/// The pause after a refused directory login (the directory keeps its own lockout).
const FAILED_PAUSE: Duration = Duration::from_millis(250);
/// Wrong passwords in a row after which an offline login is dropped (the directory, which
/// keeps its own lockout, is not there to count them).
pub(crate) const OFFLINE_FAILURES: u32 = 5;

/// Runs `f` on a thread of its own and waits for it: the bank client blocks, and must not
/// run on a caller's async runtime (a Tauri command's).
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

pub(crate) fn directory_error(e: &DirectoryError) -> AppError {
    let code = match e {
        DirectoryError::WrongCredentials => ErrorCode::AuthFailed,
        DirectoryError::AccountDisabled(_) => ErrorCode::AccountDisabled,
        DirectoryError::AccountNotFound(_) => ErrorCode::AccountRemoved,
        DirectoryError::Unreachable(_) | DirectoryError::Timeout(_) => {
            ErrorCode::DirectoryUnreachable
        }
        DirectoryError::Tls(_) => ErrorCode::DirectoryTls,
        DirectoryError::InvalidConfig(_) => ErrorCode::DirectoryConfig,
        DirectoryError::PasswordRefused(_) => ErrorCode::PasswordRefused,
        DirectoryError::BadAnswer(_) => ErrorCode::DirectoryBadAnswer,
    };
    AppError::new(code, e.to_string())
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A login name as typed: trimmed; the directory compares it without regard to case, and
/// so does the store.
fn staff_id_of(typed: &str) -> Result<String> {
    let id = typed.trim().to_ascii_lowercase();
    if id.is_empty() || id.len() > 64 || id.chars().any(char::is_control) {
        return Err(auth_failed());
    }
    Ok(id)
}

impl Workstation {
    pub(crate) fn directory_login(
        &self,
        directory: &Directory,
        typed: &str,
        password: &str,
    ) -> Result<Session> {
        let id = match staff_id_of(typed) {
            Ok(id) => id,
            Err(e) => {
                std::thread::sleep(FAILED_PAUSE);
                return Err(e);
            }
        };
        match directory.authenticate(&id, password) {
            Ok(person) => self.online_login(&person, password),
            Err(e) if e.is_unreachable() => self.offline_login(&id, password, &e),
            Err(e) => {
                let at = now_rfc3339();
                let known = match &e {
                    DirectoryError::AccountDisabled(_) | DirectoryError::AccountNotFound(_) => {
                        self.store()?.forget_person(&id, true, &at, e.code())?
                    }
                    _ => false,
                };
                let detail = serde_json::json!({"why": e.code(), "directory": true}).to_string();
                // A name the directory does not know and nobody logged in with here is no
                // one's: the audit keeps only its hash.
                let name = match &e {
                    DirectoryError::AccountNotFound(_) if !known => crate::users::unknown_name(&id),
                    _ => id.clone(),
                };
                self.store()?.audit(&at, &name, "login_failed", &detail)?;
                std::thread::sleep(FAILED_PAUSE);
                Err(match e {
                    // Only a person who logged in here before learns that the account is
                    // gone; anyone else reads a wrong name or password.
                    DirectoryError::AccountNotFound(_) if !known => auth_failed(),
                    DirectoryError::AccountNotFound(_) => AppError::new(
                        ErrorCode::AccountRemoved,
                        format!("{id}: the bank's directory no longer has this account; its offline login on this workstation was dropped"),
                    ),
                    DirectoryError::AccountDisabled(_) => AppError::new(
                        ErrorCode::AccountDisabled,
                        format!("{id}: the bank's directory has disabled this account; its offline login on this workstation was dropped"),
                    ),
                    other => directory_error(&other),
                })
            }
        }
    }

    fn online_login(&self, person: &Person, password: &str) -> Result<Session> {
        // The directory's spelling: the bank knows the person by it.
        let id = person.staff_id.clone();
        let roles = person.roles;
        if !(roles.underwriter || roles.reviewer || roles.administrator || roles.supervisor) {
            let at = now_rfc3339();
            self.store()?
                .audit(&at, &id, "login_failed", r#"{"why":"NO_ROLE"}"#)?;
            return Err(AppError::new(
                ErrorCode::MissingRole,
                format!("{id}: the directory gives this account none of the workstation's roles (underwriter, reviewer, administrator, supervisor)"),
            ));
        }
        let now = chrono::Utc::now();
        let hours = self
            .directory
            .as_ref()
            .map_or(72, |d| d.config().offline_hours);
        let until = rfc3339(now + chrono::Duration::hours(i64::from(hours)));
        let cached = CachedPerson {
            staff_id: id.clone(),
            display_name: person.display_name.clone(),
            dn: person.dn.clone(),
            is_admin: roles.administrator,
            is_underwriter: roles.underwriter,
            is_reviewer: roles.reviewer,
            is_supervisor: roles.supervisor,
            branches: serde_json::to_string(&person.branches).unwrap_or_else(|_| "[]".into()),
            verifier: hash_password(password)?,
            online_at: rfc3339(now),
            cached_until: until.clone(),
        };
        self.store()?.remember_person(&cached)?;
        let mut signer = self.open_or_make_key(&id, password, false)?;
        let mut signing_key = self.enrol_if_needed(&id, password, &signer);
        if signing_key == "revoked" {
            // Enrolled here once, revoked since by an enrolment at another desk: a revoked
            // key never comes back, so this desk makes a new one.
            signer = self.open_or_make_key(&id, password, true)?;
            signing_key = self.enrol_if_needed(&id, password, &signer);
        }
        let detail = serde_json::json!({"directory": true, "signing_key": signing_key}).to_string();
        self.store()?.audit(&now_rfc3339(), &id, "login", &detail)?;
        let waiting = signing_key == "waiting";
        let s = session_of(&cached, LoginMode::Directory, signing_key);
        self.begin_session(s.clone(), Some(signer));
        if waiting {
            self.keep_for_enrolment(password);
        }
        Ok(s)
    }

    fn offline_login(
        &self,
        typed: &str,
        password: &str,
        cause: &DirectoryError,
    ) -> Result<Session> {
        let at = now_rfc3339();
        // One answer for a name that has no offline login here and for a wrong password:
        // which people logged in at this desk stays unsaid.
        let unreachable = || {
            AppError::new(
                ErrorCode::DirectoryUnreachable,
                format!("{cause}; offline, only a person who logged in here online within the allowed hours logs in, with the same password"),
            )
        };
        let Some(cached) = self.store()?.cached_person(typed)? else {
            // As slow as a real check.
            verify_password(&hash_password("no offline login")?, password);
            let detail = serde_json::json!({"why": "DIRECTORY_UNREACHABLE"}).to_string();
            let name = crate::users::unknown_name(typed);
            self.store()?.audit(&at, &name, "login_failed", &detail)?;
            std::thread::sleep(FAILED_PAUSE);
            return Err(unreachable());
        };
        // The directory's spelling, as the key was wrapped and the bank knows the person.
        let id = cached.staff_id.as_str();
        if cached.cached_until.as_str() <= at.as_str() {
            self.store()?
                .forget_person(id, false, &at, "OFFLINE_LOGIN_EXPIRED")?;
            return Err(AppError::new(
                ErrorCode::OfflineLoginExpired,
                format!("{cause}; the offline login of {id} expired at {} UTC: log in while the directory answers", cached.cached_until),
            ));
        }
        if !verify_password(&cached.verifier, password) {
            // Offline nobody else counts the failures: after a few the offline login is
            // dropped, and only the directory lets the person in again.
            let failures = self.offline_failed(id);
            let dropped = failures >= OFFLINE_FAILURES;
            if dropped {
                self.store()?
                    .forget_person(id, false, &at, "OFFLINE_LOGIN_FAILURES")?;
            }
            let detail = serde_json::json!({"why": "AUTH_FAILED", "offline": true, "failures": failures, "dropped": dropped}).to_string();
            self.store()?.audit(&at, id, "login_failed", &detail)?;
            std::thread::sleep(FAILED_PAUSE * failures.min(8));
            return Err(unreachable());
        }
        self.offline_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id.to_ascii_lowercase());
        let stored = self.store()?.signing_key(id)?;
        let signer = match stored {
            Some(k) => keys::unwrap(&k.wrapped, password, id)
                .map(|seed| Ed25519Signer::from_seed(&seed))
                .map_err(|e| {
                    AppError::new(
                        ErrorCode::SigningKeyUnreadable,
                        format!("{id}: {e}: log in while the directory answers to make a new one"),
                    )
                })?,
            None => {
                return Err(AppError::new(
                    ErrorCode::SigningKeyUnreadable,
                    format!("{id} has no signing key on this workstation: log in while the directory answers"),
                ))
            }
        };
        let enrolled = self
            .store()?
            .signing_key(id)?
            .and_then(|k| k.enrolled_at)
            .is_some();
        let signing_key = if enrolled { "enrolled" } else { "waiting" };
        let detail = serde_json::json!({"directory": false, "offline": true}).to_string();
        self.store()?.audit(&at, id, "login", &detail)?;
        let s = session_of(&cached, LoginMode::Offline, signing_key.into());
        self.begin_session(s.clone(), Some(Arc::new(signer)));
        if !enrolled {
            self.keep_for_enrolment(password);
        }
        Ok(s)
    }

    /// Counts a wrong offline password for `id`; returns how many in a row.
    fn offline_failed(&self, id: &str) -> u32 {
        let mut counts = self
            .offline_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(id.to_ascii_lowercase()).or_insert(0);
        *n += 1;
        *n
    }

    /// Keeps the password of the session's person while their key waits for the bank: in
    /// the session only, wiped at logout, until a sync reaches the bank and enrolls the key
    /// ([`Self::finish_enrolment`]). Their statements wait in the outbox meanwhile instead
    /// of being refused (`KEY_UNKNOWN`).
    fn keep_for_enrolment(&self, password: &str) {
        if let Some(a) = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            a.enrolment = Some(zeroize::Zeroizing::new(password.to_string()));
        }
    }

    /// The sync's first step: enrolls the logged-in person's key that the bank did not
    /// hold yet (it was unreachable at the login), and then forgets the password. A key the
    /// bank revoked meanwhile is replaced first.
    pub(crate) fn finish_enrolment(&self) {
        let pending = {
            let guard = self.session.lock().unwrap_or_else(|p| p.into_inner());
            guard.as_ref().and_then(|a| {
                Some((
                    a.session.username.clone(),
                    a.enrolment.clone()?,
                    a.signer.clone()?,
                ))
            })
        };
        let Some((id, password, mut signer)) = pending else {
            return;
        };
        let mut state = self.enrol_if_needed(&id, &password, &signer);
        if state == "revoked" {
            if let Ok(fresh) = self.open_or_make_key(&id, &password, true) {
                signer = fresh;
                state = self.enrol_if_needed(&id, &password, &signer);
            }
        }
        if state != "enrolled" {
            return;
        }
        let mut guard = self.session.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = guard.as_mut().filter(|a| a.session.username == id) {
            a.enrolment = None;
            a.session.signing_key = "enrolled".into();
            a.signer = Some(signer);
        }
    }

    /// The person's key, opened with the password; a new one when there is none, when the
    /// stored one does not open (a password changed in the directory, or a damaged row),
    /// or when the bank revoked it (`revoked`).
    fn open_or_make_key(
        &self,
        id: &str,
        password: &str,
        revoked: bool,
    ) -> Result<Arc<Ed25519Signer>> {
        let at = now_rfc3339();
        let stored = self.store()?.signing_key(id)?;
        let why = match &stored {
            Some(_) if revoked => "signing_key_replaced",
            Some(k) => match keys::unwrap(&k.wrapped, password, id) {
                Ok(seed) => return Ok(Arc::new(Ed25519Signer::from_seed(&seed))),
                Err(KeyError::Derive(e)) => {
                    return Err(AppError::new(ErrorCode::Internal, e));
                }
                Err(_) => "signing_key_replaced",
            },
            None => "signing_key_created",
        };
        let seed = keys::new_seed();
        let signer = Ed25519Signer::from_seed(&seed);
        let wrapped = keys::wrap(&seed, password, id)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.store()?.put_signing_key(
            &StoredKey {
                staff_id: id.to_string(),
                algorithm: signer.algorithm().to_string(),
                public_key: signer.public_key(),
                wrapped,
                created_at: at.clone(),
                enrolled_at: None,
            },
            &at,
            why,
        )?;
        Ok(Arc::new(signer))
    }

    /// Makes sure the bank holds the person's current public key: asks, and enrolls it
    /// when the bank holds another or none. Returns `enrolled`, `revoked` (this key was
    /// enrolled once and the bank has revoked it since: the caller makes a new one) or
    /// `waiting` (no bank, or it did not answer; a refusal is audited and also reads
    /// `waiting`).
    fn enrol_if_needed(&self, id: &str, password: &str, signer: &Ed25519Signer) -> String {
        let public = signer.public_key();
        if !self.bank_configured() {
            return "waiting".into();
        }
        let ours = signing::to_base64(&public);
        let enrolled_before = self
            .store()
            .ok()
            .and_then(|s| s.signing_key(id).ok().flatten())
            .is_some_and(|k| k.public_key == public && k.enrolled_at.is_some());
        let result = off_runtime(|| -> std::result::Result<bool, LinkError> {
            let bank = self
                .bank()
                .map_err(|e| LinkError::Offline(e.message.clone()))?;
            match bank.staff_key(id) {
                Ok(k) if k.public_key == ours && k.revoked_at.is_none() => return Ok(true),
                // Another key is current: ours, once enrolled, was revoked by it.
                Ok(_) if enrolled_before => return Ok(false),
                Ok(_) | Err(LinkError::Rejected { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
            let enrolment = Enrolment {
                algorithm: signer.algorithm().to_string(),
                public_key: ours.clone(),
                password: password.to_string(),
            };
            // One key per attempt: a retry of the same enrolment after a lost answer is
            // the bank's business (it answers the current key as it is).
            let nonce = keys::new_seed();
            let key = format!("enrol-{id}-{}", signing::to_base64(&nonce[..12]));
            match bank.enrol(id, &enrolment, &key) {
                Ok(_) => Ok(true),
                Err(LinkError::Rejected { code, .. }) if code == "KEY_REVOKED" => Ok(false),
                Err(e) => Err(e),
            }
        });
        let at = now_rfc3339();
        match result {
            Ok(false) => "revoked".into(),
            Ok(true) => {
                let _ = self.store().map(|mut s| s.key_enrolled(id, &public, &at));
                "enrolled".into()
            }
            Err(e) => {
                let detail = serde_json::json!({"error": e.to_string()}).to_string();
                let _ = self
                    .store()
                    .map(|mut s| s.audit(&at, id, "signing_key_not_enrolled", &detail));
                "waiting".into()
            }
        }
    }

    /// Changes the logged-in person's directory password and re-wraps their signing key
    /// with the new one (the same key: nothing to enroll again).
    pub fn change_directory_password(&self, old: &str, new: &str) -> Result<()> {
        let s = self.require_session()?;
        let Some(directory) = &self.directory else {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "a standalone workstation's passwords are not the directory's",
            ));
        };
        if new.chars().count() < 10 {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "new_password: at least 10 characters",
            ));
        }
        let id = s.username.clone();
        let stored = self.store()?.signing_key(&id)?;
        let seed = match &stored {
            Some(k) => Some(keys::unwrap(&k.wrapped, old, &id).map_err(|_| auth_failed())?),
            None => None,
        };
        directory
            .change_password(&id, old, new)
            .map_err(|e| directory_error(&e))?;
        let at = now_rfc3339();
        if let (Some(k), Some(seed)) = (stored, seed) {
            let wrapped = keys::wrap(&seed, new, &id)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            self.store()?.put_signing_key(
                &StoredKey { wrapped, ..k },
                &at,
                "signing_key_rewrapped",
            )?;
        }
        // Bound first: a guard in the scrutinee would live through the block.
        let cached = self.store()?.cached_person(&id)?;
        if let Some(mut p) = cached {
            p.verifier = hash_password(new)?;
            self.store()?.remember_person(&p)?;
        }
        self.store()?.audit(&at, &id, "password_changed", "{}")?;
        Ok(())
    }
}

fn session_of(p: &CachedPerson, mode: LoginMode, signing_key: String) -> Session {
    Session {
        username: p.staff_id.clone(),
        display_name: p.display_name.clone(),
        admin: p.is_admin,
        underwriter: p.is_underwriter,
        reviewer: p.is_reviewer,
        supervisor: p.is_supervisor,
        mode,
        offline_until: Some(p.cached_until.clone()),
        branches: serde_json::from_str(&p.branches).unwrap_or_default(),
        signing_key,
        // The directory's passwords are the directory's to expire.
        must_change_password: false,
    }
}

#[cfg(test)]
mod tests;
