//! Users, passwords and the session of the person at the workstation.
//!
//! Two modes, and the window always says which: with the bank's directory configured, people
//! log in with their directory account (`crate::identity`), each with a signing key; without
//! one (the demo, a standalone workstation) the local accounts below are used.
//!
//! Local passwords are hashed with Argon2id at 19 MiB, t = 2, p = 1 (the OWASP minimum). A
//! wrong user name and a wrong password give the same message; failed logins are slowed (a
//! growing pause) and five in a row lock the account for 15 minutes. Every login, failure
//! and logout is in the audit trail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uw_bank_link::signing::Ed25519Signer;
use uw_domain::review::Roles;
use uw_store::StoredUser;

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

pub const LOCK_AFTER_FAILURES: i64 = 5;
/// A session locks after this long without an action, unless an administrator set
/// another value (`settings.session_idle_minutes`).
pub const DEFAULT_IDLE_MINUTES: u64 = 10;
pub(crate) const IDLE_SETTING: &str = "session_idle_minutes";
pub const LOCK_MINUTES: i64 = 15;
const MIN_PASSWORD_CHARS: usize = 10;

/// How the person at the workstation logged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LoginMode {
    /// A local account of a standalone workstation (the demo without a directory).
    Standalone,
    /// The bank's directory checked the password now.
    Directory,
    /// The directory could not be reached: the verifier of the last online login, valid
    /// until `offline_until`.
    Offline,
}

impl LoginMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginMode::Standalone => "standalone",
            LoginMode::Directory => "directory",
            LoginMode::Offline => "offline",
        }
    }
}

/// Who is logged in, as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Session {
    pub username: String,
    pub display_name: String,
    pub admin: bool,
    pub underwriter: bool,
    pub reviewer: bool,
    /// Reassigns cases between underwriters.
    pub supervisor: bool,
    pub mode: LoginMode,
    /// Until when an offline login is possible (the directory modes).
    pub offline_until: Option<String>,
    /// The branches the directory gives the person (none for a local account).
    pub branches: Vec<String>,
    /// Whether the bank holds the person's signing key: `enrolled`, `waiting` (the bank
    /// not reached yet; statements signed meanwhile wait for it), `none` (standalone).
    pub signing_key: String,
    /// The password was set by an administrator: the person changes it before anything
    /// else (every other command is `PASSWORD_CHANGE_REQUIRED`).
    pub must_change_password: bool,
}

impl Session {
    pub fn roles(&self) -> Roles {
        Roles {
            underwriter: self.underwriter,
            reviewer: self.reviewer,
        }
    }
}

/// The logged-in user, their signing key (directory modes) and when they last did
/// something.
pub(crate) struct Active {
    pub(crate) session: Session,
    pub(crate) signer: Option<Arc<Ed25519Signer>>,
    /// The password, kept only while the bank has not yet accepted the person's key: the
    /// enrolment needs it, and the sync completes it once the bank answers.
    pub(crate) enrolment: Option<zeroize::Zeroizing<String>>,
    pub(crate) last_seen: Instant,
}

/// A second factor being set up: shown once.
#[derive(Clone, Debug, Serialize, TS)]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
}

#[derive(Clone, Debug, Deserialize, TS)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// The bank's staff number of the person (one account per person). An administrator
    /// gives it for every new user; the first administrator's defaults to the user name.
    #[serde(default)]
    #[ts(optional)]
    pub staff_id: Option<String>,
    pub password: String,
    pub admin: bool,
    pub underwriter: bool,
    pub reviewer: bool,
    /// Reassigns cases between underwriters (absent: no).
    #[serde(default)]
    #[ts(optional)]
    pub supervisor: Option<bool>,
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants within range; `Params::new` cannot fail for them.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("password hashing: {e}")))
}

/// Checks against a stored PHC string; a malformed stored hash verifies nothing.
pub fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

fn check_new_user(u: &NewUser) -> Result<()> {
    let bad = |field: &str, why: &str| {
        Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("{field}: {why}"),
        ))
    };
    let name_ok = (2..=32).contains(&u.username.len())
        && u.username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !name_ok {
        return bad(
            "username",
            "2–32 characters: lower-case letters, digits, '.', '_' or '-'",
        );
    }
    if u.display_name.trim().is_empty() {
        return bad("display_name", "required");
    }
    if u.password.chars().count() < MIN_PASSWORD_CHARS {
        return bad("password", "at least 10 characters");
    }
    if !(u.admin || u.underwriter || u.reviewer || u.supervisor.unwrap_or(false)) {
        return bad("roles", "a user needs at least one role");
    }
    if let Some(id) = &u.staff_id {
        crate::admin::check_staff_id(id)?;
    }
    Ok(())
}

fn session_of(u: &StoredUser) -> Session {
    Session {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        admin: u.is_admin,
        underwriter: u.is_underwriter,
        reviewer: u.is_reviewer,
        supervisor: u.is_supervisor,
        mode: LoginMode::Standalone,
        offline_until: None,
        branches: Vec::new(),
        signing_key: "none".into(),
        must_change_password: u.must_change_password,
    }
}

/// What an account's second factor says of `code` at `now`: `Ok(None)` where none is set,
/// `Ok(Some(step))` for a code accepted at that step, else why not (`TOTP_REQUIRED` for no
/// code). A factor that is set but cannot be read fails closed: refused until an
/// administrator resets it, never passed over.
fn second_factor(
    user: &StoredUser,
    code: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<u64>> {
    let Some(stored) = user.totp_secret.as_deref() else {
        return Ok(None);
    };
    let Some(secret) = crate::totp::from_base32(stored) else {
        return Err(AppError::new(
            ErrorCode::AuthFailed,
            "code: the second factor stored for this account cannot be read; an administrator resets it",
        ));
    };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(AppError::new(
            ErrorCode::TotpRequired,
            "code: enter the 6-digit code of your authenticator",
        ));
    };
    let unix = u64::try_from(now.timestamp()).unwrap_or_default();
    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
    match crate::totp::check(&secret, code, unix, last) {
        crate::totp::Check::Accepted(step) => Ok(Some(step)),
        crate::totp::Check::Wrong => Err(AppError::new(
            ErrorCode::AuthFailed,
            "code: the code is wrong",
        )),
        crate::totp::Check::Reused => Err(code_reused()),
    }
}

/// How the audit names a typed login name that is no account here: `unknown:` and the
/// first 12 hex digits of its SHA-256. A password typed into the name's field never lands
/// in the append-only log, and the attempts of one name still read as one.
pub(crate) fn unknown_name(typed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(typed.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("unknown:{hex}")
}

/// A second factor's code that counted already: each counts once.
fn code_reused() -> AppError {
    AppError::new(
        ErrorCode::TotpReused,
        "code: this code was used already; wait for the next one",
    )
}

pub(crate) fn auth_failed() -> AppError {
    AppError::new(
        ErrorCode::AuthFailed,
        "the user name or the password is wrong",
    )
}

/// What the window needs at start: the setup screen, the login screen, or the user.
#[derive(Clone, Debug, Serialize, TS)]
pub struct SessionStatus {
    pub needs_setup: bool,
    pub session: Option<Session>,
    /// The demo's ready-made users are in the README; the login screen says so.
    pub demo: bool,
    /// Whose accounts log in here: the bank's directory (`directory`, with its address) or
    /// this workstation's own (`standalone`).
    pub mode: String,
    pub directory: Option<String>,
}

impl Workstation {
    pub fn session_status(&self) -> Result<SessionStatus> {
        Ok(SessionStatus {
            needs_setup: self.needs_setup()?,
            session: self.session(),
            demo: self.demo,
            mode: if self.directory.is_some() {
                "directory"
            } else {
                "standalone"
            }
            .into(),
            directory: self.directory.as_ref().map(|d| d.config().url.clone()),
        })
    }

    /// No user exists yet: the window shows the first-start setup (a standalone
    /// workstation; with the directory, people come from it).
    pub fn needs_setup(&self) -> Result<bool> {
        Ok(self.directory.is_none() && self.store()?.count_users()? == 0)
    }

    /// Adds a local account; `must_change` when someone else chose its password (an
    /// administrator), so its owner changes it at the first login.
    pub(crate) fn insert_user(
        &self,
        u: &NewUser,
        actor: &str,
        first: bool,
        must_change: bool,
    ) -> Result<()> {
        self.standalone_only("local accounts")?;
        check_new_user(u)?;
        let staff_id = u
            .staff_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .unwrap_or(&u.username);
        let stored = StoredUser {
            username: u.username.clone(),
            display_name: u.display_name.trim().to_string(),
            staff_id: staff_id.to_string(),
            must_change_password: must_change,
            deactivated_at: None,
            last_login_at: None,
            password_hash: hash_password(&u.password)?,
            is_admin: u.admin,
            is_underwriter: u.underwriter,
            is_reviewer: u.reviewer,
            is_supervisor: u.supervisor.unwrap_or(false),
            failed_logins: 0,
            locked_until: None,
            totp_secret: None,
            totp_last_step: None,
        };
        self.store()?
            .insert_user(&stored, &now_rfc3339(), actor, first)?;
        Ok(())
    }

    /// The first start: creates the administrator (refused once any user exists) and
    /// logs them in.
    pub fn create_first_admin(&self, u: &NewUser) -> Result<Session> {
        if !u.admin {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "roles: the first user is the administrator",
            ));
        }
        self.insert_user(u, &u.username, true, false)?;
        self.login(&u.username, &u.password, None)
    }

    /// An administrator adds a user, with the person's staff id (one account per person);
    /// the password the administrator chose is changed at the user's first login.
    pub fn create_user(&self, u: &NewUser) -> Result<()> {
        let s = self.require_admin()?;
        self.standalone_only("local accounts")?;
        if u.staff_id.as_deref().is_none_or(|id| id.trim().is_empty()) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "staff_id: required (the bank's staff number of the person)",
            ));
        }
        self.insert_user(u, &s.username, false, true)
    }

    /// Logs in; a user with a second factor also gives the current code (`TOTP_REQUIRED`
    /// asks for it once the password is right).
    pub fn login(&self, username: &str, password: &str, code: Option<&str>) -> Result<Session> {
        let checked = self.check_login(username, password, code);
        match &checked {
            Ok(s) => crate::logs::session("login", &s.username, s.mode.as_str()),
            // Nobody named: what was typed as a name may be a password.
            Err(e) => crate::logs::login_refused(e.code),
        }
        checked
    }

    fn check_login(&self, username: &str, password: &str, code: Option<&str>) -> Result<Session> {
        if let Some(directory) = &self.directory {
            return self.directory_login(directory, username, password);
        }
        let username = username.trim().to_ascii_lowercase();
        let user = self.store()?.user(&username)?;
        let Some(user) = user else {
            // As slow as a real check, so a wrong name cannot be told from a wrong password.
            verify_password(&hash_password("unknown user")?, password);
            let detail = serde_json::json!({"unknown_user": true}).to_string();
            self.store()?.audit(
                &now_rfc3339(),
                &unknown_name(&username),
                "login_failed",
                &detail,
            )?;
            std::thread::sleep(Duration::from_millis(300));
            return Err(auth_failed());
        };
        let now = chrono::Utc::now();
        if let Some(until) = user
            .locked_until
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        {
            if until > now {
                self.store()?
                    .audit(&now_rfc3339(), &username, "login_refused_locked", "{}")?;
                return Err(AppError::new(
                    ErrorCode::AccountLocked,
                    format!(
                        "{username} is locked after {} failed logins until {} UTC",
                        user.failed_logins,
                        until.format("%H:%M")
                    ),
                ));
            }
        }
        let mut totp_step = None;
        let mut refusal = (!verify_password(&user.password_hash, password)).then(auth_failed);
        // Told only to whoever knows the password, like a lock by the directory.
        if refusal.is_none() && user.deactivated_at.is_some() {
            self.store()?
                .audit(&now_rfc3339(), &username, "login_refused_deactivated", "{}")?;
            return Err(AppError::new(
                ErrorCode::AccountDisabled,
                format!("{username}: the account is deactivated; an administrator reactivates it"),
            ));
        }
        if refusal.is_none() {
            match second_factor(&user, code, now) {
                Ok(step) => totp_step = step.and_then(|s| i64::try_from(s).ok()),
                // Asked for, not refused: the password was right.
                Err(e) if e.code == ErrorCode::TotpRequired => return Err(e),
                Err(e) => refusal = Some(e),
            }
        }
        if let Some(refusal) = refusal {
            let failures = user.failed_logins + 1;
            let lock = (failures >= LOCK_AFTER_FAILURES).then(|| {
                (now + chrono::Duration::minutes(LOCK_MINUTES))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            });
            let detail = serde_json::json!({"failures": failures, "locked_until": lock, "why": refusal.code}).to_string();
            self.store()?.record_login(
                &username,
                false,
                lock.as_deref(),
                None,
                &now_rfc3339(),
                &detail,
            )?;
            // A growing pause slows guessing; capped so a typo costs little.
            let pause = 250 * failures.clamp(1, 8) as u64;
            std::thread::sleep(Duration::from_millis(pause));
            return Err(refusal);
        }
        if !self
            .store()?
            .record_login(&username, true, None, totp_step, &now_rfc3339(), "{}")?
        {
            // Another login took this code between its check and now: it counts once.
            return Err(code_reused());
        }
        let s = session_of(&user);
        self.begin_session(s.clone(), None);
        Ok(s)
    }

    /// The person is in: their session (and signing key) replace any earlier one, whose
    /// edit locks are let go and whose end is audited.
    pub(crate) fn begin_session(&self, s: Session, signer: Option<Arc<Ed25519Signer>>) {
        let earlier = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(Active {
                session: s,
                signer,
                enrolment: None,
                last_seen: Instant::now(),
            });
        if let Some(earlier) = earlier {
            if let Ok(mut store) = self.store() {
                let _ = store.unlock_cases(&earlier.session.username, None);
                let _ = store.audit(
                    &now_rfc3339(),
                    &earlier.session.username,
                    "logout",
                    r#"{"replaced_by_login":true}"#,
                );
            }
        }
    }

    /// Refuses what only a standalone workstation has (local accounts, their second
    /// factor): with the directory, people and passwords are the directory's.
    pub(crate) fn standalone_only(&self, what: &str) -> Result<()> {
        match &self.directory {
            None => Ok(()),
            Some(_) => Err(AppError::new(
                ErrorCode::DirectoryMode,
                format!("{what} are kept in the bank's directory on this workstation"),
            )),
        }
    }

    /// Starts enrolling the current user's second factor: a fresh secret, shown once (as
    /// base32 and as an `otpauth://` address for an authenticator app). It takes effect
    /// only when [`Workstation::confirm_totp`] gets a correct code from it.
    ///
    /// Whoever sits at an unlocked session is not yet its owner: the owner's password is
    /// asked, and where a second factor is set, a current code of it too — so nobody binds
    /// their own authenticator to another's account. Argon2 checks the password: the
    /// window calls this off its thread.
    pub fn begin_totp(&self, password: &str, code: Option<&str>) -> Result<TotpSetup> {
        use argon2::password_hash::rand_core::RngCore;
        let s = self.require_session()?;
        self.standalone_only("second factors")?;
        self.owner_of_session(&s.username, password, code)?;
        let mut secret = [0u8; 20];
        OsRng.fill_bytes(&mut secret);
        let b32 = crate::totp::base32(&secret);
        *self.pending_totp.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((s.username.clone(), secret.to_vec()));
        Ok(TotpSetup {
            uri: format!(
                "otpauth://totp/Underwriter%20Workstation:{}?secret={b32}&issuer=Underwriter%20Workstation&digits=6&period=30",
                s.username
            ),
            secret: b32,
        })
    }

    /// The session's owner proves it: the password, and the current code where a second
    /// factor is set (a code used before is refused, as at a login). A refusal is audited
    /// and costs a pause, as a failed login does.
    fn owner_of_session(&self, username: &str, password: &str, code: Option<&str>) -> Result<()> {
        let user = self.store()?.user(username)?.ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, format!("{username}: no such account"))
        })?;
        let refusal = if verify_password(&user.password_hash, password) {
            second_factor(&user, code, chrono::Utc::now()).err()
        } else {
            Some(AppError::new(
                ErrorCode::AuthFailed,
                "password: the password is wrong",
            ))
        };
        let Some(refusal) = refusal else {
            return Ok(());
        };
        let detail = serde_json::json!({"why": refusal.code}).to_string();
        self.store()?
            .audit(&now_rfc3339(), username, "totp_setup_refused", &detail)?;
        std::thread::sleep(Duration::from_millis(250));
        Err(refusal)
    }

    pub fn confirm_totp(&self, code: &str) -> Result<()> {
        let s = self.require_session()?;
        let pending = self
            .pending_totp
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|(u, _)| *u == s.username)
            .ok_or_else(|| {
                AppError::new(ErrorCode::InvalidInput, "code: start the set-up first")
            })?;
        let unix = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default();
        let crate::totp::Check::Accepted(step) = crate::totp::check(&pending.1, code, unix, None)
        else {
            return Err(AppError::new(
                ErrorCode::AuthFailed,
                "code: the code is wrong",
            ));
        };
        self.store()?.set_totp(
            &s.username,
            Some(&crate::totp::base32(&pending.1)),
            i64::try_from(step).ok(),
            &now_rfc3339(),
            &s.username,
        )?;
        *self.pending_totp.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    pub fn logout(&self) -> Result<()> {
        let s = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .map(|a| a.session);
        if let Some(s) = s {
            let mut store = self.store()?;
            store.unlock_cases(&s.username, None)?;
            store.audit(&now_rfc3339(), &s.username, "logout", "{}")?;
            crate::logs::session("logout", &s.username, s.mode.as_str());
        }
        self.clear_printed();
        Ok(())
    }

    /// With the bank's directory, the logged-in person's signature over `bytes` — the
    /// algorithm and the signature, base64 — for `what` the bank is sent (a note, an act on
    /// a condition, an assignment); a standalone desk signs nothing.
    pub(crate) fn sign_for_bank(
        &self,
        what: &str,
        bytes: &[u8],
    ) -> Result<Option<(String, String)>> {
        use uw_bank_link::signing::Signer as _;
        if !self.directory_mode() {
            return Ok(None);
        }
        let signer = self.signer().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotLoggedIn,
                format!("{what} for the bank needs a logged-in person with a signing key"),
            )
        })?;
        let signature = signer
            .sign(bytes)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("signing: {e}")))?;
        Ok(Some((
            signer.algorithm().to_string(),
            uw_bank_link::signing::to_base64(&signature),
        )))
    }

    /// The logged-in person's signing key (directory modes), if the session has not
    /// locked.
    pub(crate) fn signer(&self) -> Option<Arc<Ed25519Signer>> {
        self.current(false).ok().flatten()?;
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|a| a.signer.clone())
    }

    /// The logged-in user, if the session has not locked; does not count as activity.
    pub fn session(&self) -> Option<Session> {
        self.current(false).ok().flatten()
    }

    /// The session, dropped (and audited) once it has been idle longer than the setting;
    /// `touch` counts the call as activity.
    fn current(&self, touch: bool) -> Result<Option<Session>> {
        let idle = self.idle_limit();
        let mut guard = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let Some(active) = guard.as_mut() else {
            return Ok(None);
        };
        if active.last_seen.elapsed() > idle {
            let user = active.session.username.clone();
            *guard = None;
            drop(guard);
            let detail = serde_json::json!({"idle_minutes": idle.as_secs() / 60}).to_string();
            self.store()?
                .audit(&now_rfc3339(), &user, "session_locked", &detail)?;
            return Err(AppError::new(
                ErrorCode::SessionLocked,
                format!(
                    "the session locked after {} idle minutes: log in again",
                    idle.as_secs().div_ceil(60)
                ),
            ));
        }
        if touch {
            active.last_seen = Instant::now();
        }
        Ok(Some(active.session.clone()))
    }

    pub(crate) fn require_admin(&self) -> Result<Session> {
        let s = self.require_session()?;
        if !s.admin {
            return Err(AppError::new(
                ErrorCode::MissingRole,
                format!("{} is not an administrator", s.username),
            ));
        }
        Ok(s)
    }

    /// The logged-in person, or `NOT_LOGGED_IN` / `SESSION_LOCKED` — or
    /// `PASSWORD_CHANGE_REQUIRED` while the password an administrator set is unchanged;
    /// counts as activity.
    pub fn require_session(&self) -> Result<Session> {
        self.require_session_to_change_password()
            .and_then(fit_for_work)
    }

    /// The logged-in person even before they changed the password an administrator set:
    /// only for changing it.
    pub fn require_session_to_change_password(&self) -> Result<Session> {
        self.current(true)?
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "log in first"))
    }

    /// Changes the logged-in person's password: a local account's here (the current one
    /// checked, the administrator's demand to change it cleared), a directory person's at
    /// the directory.
    pub fn change_password(&self, old: &str, new: &str) -> Result<()> {
        let s = self.require_session_to_change_password()?;
        if self.directory.is_some() {
            return self.change_directory_password(old, new);
        }
        if new.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "new_password: at least 10 characters",
            ));
        }
        if new == old {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "new_password: the same as the current one; choose another",
            ));
        }
        let user = self.store()?.user(&s.username)?.ok_or_else(auth_failed)?;
        if !verify_password(&user.password_hash, old) {
            return Err(AppError::new(
                ErrorCode::AuthFailed,
                "old_password: the current password is wrong",
            ));
        }
        let hash = hash_password(new)?;
        let change = uw_store::UserChange::Password {
            hash: &hash,
            must_change: false,
        };
        self.store()?
            .update_user(&s.username, change, &now_rfc3339(), &s.username)?;
        if let Some(a) = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            a.session.must_change_password = false;
        }
        Ok(())
    }

    pub(crate) fn idle_limit(&self) -> Duration {
        *self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An administrator sets how long a session may stay idle before it locks (kept in
    /// the store; 1–240 minutes).
    pub fn set_idle_minutes(&self, minutes: u32) -> Result<()> {
        let s = self.require_admin()?;
        if !(1..=240).contains(&minutes) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "idle_minutes: 1 to 240",
            ));
        }
        let detail = serde_json::json!({ "idle_minutes": minutes }).to_string();
        self.store()?.set_settings_audited(
            &[(IDLE_SETTING, &minutes.to_string())],
            &now_rfc3339(),
            &s.username,
            &detail,
        )?;
        *self.idle.lock().unwrap_or_else(|p| p.into_inner()) =
            Duration::from_secs(u64::from(minutes) * 60);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn idle_limit_for_test(&self) -> Duration {
        self.idle_limit()
    }

    #[cfg(test)]
    pub(crate) fn set_idle_for_test(&self, d: Duration) {
        *self.idle.lock().unwrap_or_else(|p| p.into_inner()) = d;
    }

    /// Who acts and with which roles: the logged-in user; without a login (the `uw`
    /// command line, which has no workflow commands) the operating-system user as an
    /// underwriter — unless this workstation requires a login, as the desktop does.
    pub(crate) fn acting(&self) -> Result<(String, Roles)> {
        match self.current(true)?.map(fit_for_work).transpose()? {
            Some(s) => Ok((s.username.clone(), s.roles())),
            None if !self.require_login => Ok((
                self.actor.clone(),
                Roles {
                    underwriter: true,
                    reviewer: false,
                },
            )),
            None => Err(AppError::new(ErrorCode::NotLoggedIn, "log in first")),
        }
    }

    /// The current user's password again, for a sign-off (a directory person's against
    /// the verifier of their login).
    pub(crate) fn confirm_password(&self, s: &Session, password: &str) -> Result<()> {
        let stored = match s.mode {
            LoginMode::Standalone => self.store()?.user(&s.username)?.map(|u| u.password_hash),
            LoginMode::Directory | LoginMode::Offline => self
                .store()?
                .cached_person(&s.username)?
                .map(|p| p.verifier),
        };
        let stored = stored.ok_or_else(auth_failed)?;
        if verify_password(&stored, password) {
            Ok(())
        } else {
            Err(AppError::new(
                ErrorCode::AuthFailed,
                "password: a sign-off needs your own password, and this one is wrong",
            ))
        }
    }
}

/// A session whose password an administrator set does nothing until it is changed.
fn fit_for_work(s: Session) -> Result<Session> {
    if s.must_change_password {
        return Err(AppError::new(
            ErrorCode::PasswordChangeRequired,
            format!(
                "{}: change the password an administrator set before anything else",
                s.username
            ),
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests;
