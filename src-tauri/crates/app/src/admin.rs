//! Administration: the local accounts, and (`settings`) the directory's configuration and
//! the workstation's settings — one screen, for administrators only.
//!
//! Invariants:
//! - every call checks `require_admin` first (`MISSING_ROLE`), before it reads or changes
//!   anything;
//! - every change is written with its audit entry — who, and what — in one store
//!   transaction (`Store::update_user`, `Store::insert_user`, `Store::set_settings_audited`);
//! - a password, the bank's token and the directory's bind password are write-only: no
//!   view, audit entry or error message holds one (a view says only whether it is set);
//! - accounts are deactivated, never deleted: the audit trail keeps naming them;
//! - local accounts exist only on a standalone workstation (`DIRECTORY_MODE` otherwise:
//!   the directory keeps the people).
//!
//! Readings fixed here:
//! - "An administrator gains no sign-off power from this screen": an administrator does
//!   not act on their own account here (`SELF_ADMINISTRATION`) — not their roles, not its
//!   state, nor its password or second factor (those they change as any user does, with
//!   the current password; someone at an unlocked desk must not strip the second factor).
//!   A reviewer role comes from another administrator, and the two-person rule of the
//!   workflow still holds for everyone. Nor can they make themselves a second account:
//!   one person, one account, by the staff id (`STAFF_ID_TAKEN`).
//! - The last active administrator keeps the role and the account
//!   (`LAST_ADMINISTRATOR`): a workstation without one could not be administered again.
//!   The check is made inside the store's transaction.
//! - A password an administrator chose (a new account, a reset) is temporary: its owner
//!   changes it at the next login before anything else (`PASSWORD_CHANGE_REQUIRED`). The
//!   administrator types it (the window is never sent a password) and hands it over; a
//!   reset neither unlocks the account nor removes its second factor — each is an action
//!   of its own.
//! - A deactivated account's login is refused (`ACCOUNT_DISABLED`) only once its password
//!   is right; a wrong one is an ordinary failure, so the refusal says nothing to a guesser.

mod settings;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uw_store::{StoredUser, UserChange};

use crate::error::{AppError, ErrorCode, Result};
use crate::users::{hash_password, Session};
use crate::{now_rfc3339, Workstation};

pub(crate) use settings::{read_ca_bundle, CaChange};
pub use settings::{
    AdminSettings, BackupInput, BackupSettings, BankInput, BankSettings, CaBundleView,
    DirectoryInput, DirectorySettings, BACKUP_FOLDER, BACKUP_KEEP, BACKUP_TIME, BANK_CA_PEM,
    BANK_CA_SOURCE, DEFAULT_BACKUP_KEEP,
};

/// A local account as the administrator's list shows it (never its password hash or
/// second-factor secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub staff_id: String,
    pub admin: bool,
    pub underwriter: bool,
    pub reviewer: bool,
    pub supervisor: bool,
    /// Until when failed logins lock the account; `None` when it is not locked now.
    pub locked_until: Option<String>,
    pub failed_logins: i64,
    pub second_factor: bool,
    pub must_change_password: bool,
    pub deactivated_at: Option<String>,
    pub last_login_at: Option<String>,
}

/// The roles an administrator gives an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, TS)]
pub struct UserRoles {
    pub admin: bool,
    pub underwriter: bool,
    pub reviewer: bool,
    /// Reassigns cases between underwriters (absent: no).
    #[serde(default)]
    #[ts(optional)]
    pub supervisor: Option<bool>,
}

const MAX_STAFF_ID_CHARS: usize = 64;
const MIN_PASSWORD_CHARS: usize = 10;

fn invalid(field: &str, why: &str) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {why}"))
}

/// A staff id as the bank writes it: 1–64 characters, no control characters, no spaces
/// around it.
pub(crate) fn check_staff_id(id: &str) -> Result<()> {
    let ok = !id.trim().is_empty()
        && id.trim() == id
        && id.chars().count() <= MAX_STAFF_ID_CHARS
        && !id.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "staff_id",
            "1–64 characters, no control characters or surrounding spaces",
        ))
    }
}

fn view(u: StoredUser, now: &str) -> UserView {
    UserView {
        // RFC 3339 UTC times compare as text.
        locked_until: u.locked_until.filter(|t| t.as_str() > now),
        username: u.username,
        display_name: u.display_name,
        staff_id: u.staff_id,
        admin: u.is_admin,
        underwriter: u.is_underwriter,
        reviewer: u.is_reviewer,
        supervisor: u.is_supervisor,
        failed_logins: u.failed_logins,
        second_factor: u.totp_secret.is_some(),
        must_change_password: u.must_change_password,
        deactivated_at: u.deactivated_at,
        last_login_at: u.last_login_at,
    }
}

/// The administrator acts on another person's account only.
fn not_self(s: &Session, username: &str, what: &str) -> Result<()> {
    if s.username.eq_ignore_ascii_case(username.trim()) {
        return Err(AppError::new(
            ErrorCode::SelfAdministration,
            format!(
                "{what}: an administrator does not change this on their own account (another administrator does)"
            ),
        ));
    }
    Ok(())
}

impl Workstation {
    /// An administrator of local accounts: `MISSING_ROLE`, then `DIRECTORY_MODE`.
    fn account_admin(&self) -> Result<Session> {
        let s = self.require_admin()?;
        self.standalone_only("local accounts")?;
        Ok(s)
    }

    /// Every local account, deactivated ones included.
    pub fn admin_users(&self) -> Result<Vec<UserView>> {
        self.account_admin()?;
        let now = now_rfc3339();
        let users = self.store()?.users()?;
        Ok(users.into_iter().map(|u| view(u, &now)).collect())
    }

    /// One audited change of another person's account.
    fn change_user(&self, username: &str, what: &str, change: UserChange) -> Result<()> {
        let s = self.account_admin()?;
        not_self(&s, username, what)?;
        let username = username.trim();
        self.store()?
            .update_user(username, change, &now_rfc3339(), &s.username)?;
        Ok(())
    }

    pub fn admin_set_roles(&self, username: &str, roles: UserRoles) -> Result<()> {
        let supervisor = roles.supervisor.unwrap_or(false);
        if !(roles.admin || roles.underwriter || roles.reviewer || supervisor) {
            self.account_admin()?;
            return Err(invalid("roles", "a user needs at least one role"));
        }
        let change = UserChange::Roles {
            admin: roles.admin,
            underwriter: roles.underwriter,
            reviewer: roles.reviewer,
            supervisor,
        };
        self.change_user(username, "roles", change)
    }

    /// Sets a temporary password, which its owner changes at the next login.
    pub fn admin_reset_password(&self, username: &str, temporary: &str) -> Result<()> {
        let s = self.account_admin()?;
        not_self(&s, username, "password")?;
        if temporary.chars().count() < MIN_PASSWORD_CHARS {
            return Err(invalid("password", "at least 10 characters"));
        }
        let hash = hash_password(temporary)?;
        let change = UserChange::Password {
            hash: &hash,
            must_change: true,
        };
        self.change_user(username, "password", change)
    }

    /// Removes the account's second factor (a lost phone); its owner may set up a new one.
    pub fn admin_reset_second_factor(&self, username: &str) -> Result<()> {
        self.change_user(username, "second_factor", UserChange::ClearSecondFactor)
    }

    /// Clears the failed logins and the lock they set.
    pub fn admin_unlock(&self, username: &str) -> Result<()> {
        self.change_user(username, "unlock", UserChange::Unlock)
    }

    /// Deactivates (`active: false`) or reactivates an account; none is ever deleted.
    pub fn admin_set_active(&self, username: &str, active: bool) -> Result<()> {
        let change = if active {
            UserChange::Reactivate
        } else {
            UserChange::Deactivate
        };
        self.change_user(username, "active", change)
    }
}

#[cfg(test)]
mod tests;
