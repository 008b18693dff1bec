//! Users (`schema/004_users.sql`) and each case's review workflow. The store keeps them;
//! uw-app hashes passwords and decides who may do what.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUser {
    pub username: String,
    pub display_name: String,
    /// The bank's staff number of the person: one account per staff id.
    pub staff_id: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub is_underwriter: bool,
    pub is_reviewer: bool,
    /// Reassigns cases between underwriters.
    pub is_supervisor: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    /// Base32; `None` when the user has no second factor.
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    /// Set by an administrator's password (a new account, a reset): changed at the next
    /// login before anything else.
    pub must_change_password: bool,
    /// Deactivated accounts stay (the audit names them) and cannot log in.
    pub deactivated_at: Option<String>,
    pub last_login_at: Option<String>,
}

/// What an administrator (or, for its own password, the user) changes on an account; each
/// written with its audit entry in one transaction ([`Store::update_user`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserChange<'a> {
    Roles {
        admin: bool,
        underwriter: bool,
        reviewer: bool,
        supervisor: bool,
    },
    /// A new password hash; `must_change` for a temporary one set by an administrator.
    Password {
        hash: &'a str,
        must_change: bool,
    },
    ClearSecondFactor,
    /// Failed logins and the lock cleared.
    Unlock,
    Deactivate,
    Reactivate,
}

const USER_COLUMNS: &str = "username, display_name, staff_id, password_hash, is_admin, is_underwriter, is_reviewer, \
     failed_logins, locked_until, totp_secret, totp_last_step, must_change_password, deactivated_at, last_login_at, \
     is_supervisor";

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<StoredUser> {
    Ok(StoredUser {
        username: r.get(0)?,
        display_name: r.get(1)?,
        staff_id: r.get(2)?,
        password_hash: r.get(3)?,
        is_admin: r.get(4)?,
        is_underwriter: r.get(5)?,
        is_reviewer: r.get(6)?,
        failed_logins: r.get(7)?,
        locked_until: r.get(8)?,
        totp_secret: r.get(9)?,
        totp_last_step: r.get(10)?,
        must_change_password: r.get(11)?,
        deactivated_at: r.get(12)?,
        last_login_at: r.get(13)?,
        is_supervisor: r.get(14)?,
    })
}

impl Store {
    pub fn count_users(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    /// Adds a user; `only_if_none` makes it the first-start admin, refused once anyone
    /// exists (checked in the same transaction).
    pub fn insert_user(
        &mut self,
        u: &StoredUser,
        at: &str,
        actor: &str,
        only_if_none: bool,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        if only_if_none {
            let n: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
            if n > 0 {
                return Err(StoreError::Duplicate(
                    "the workstation already has users: the first-start setup is closed".into(),
                ));
            }
        }
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM users WHERE username = ?1",
                [&u.username],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(StoreError::Duplicate(format!(
                "user {} already exists",
                u.username
            )));
        }
        let holder: Option<String> = tx
            .query_row(
                "SELECT username FROM users WHERE staff_id = ?1 COLLATE NOCASE",
                [&u.staff_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(username) = holder {
            return Err(StoreError::StaffIdTaken {
                staff_id: u.staff_id.clone(),
                username,
            });
        }
        tx.execute(
            "INSERT INTO users (username, display_name, staff_id, password_hash, is_admin, is_underwriter, is_reviewer, \
             must_change_password, created_at, is_supervisor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                u.username,
                u.display_name,
                u.staff_id,
                u.password_hash,
                u.is_admin,
                u.is_underwriter,
                u.is_reviewer,
                u.must_change_password,
                at,
                u.is_supervisor
            ],
        )?;
        let detail = serde_json::json!({
            "user": u.username, "staff_id": u.staff_id, "admin": u.is_admin, "underwriter": u.is_underwriter,
            "reviewer": u.is_reviewer, "supervisor": u.is_supervisor, "must_change_password": u.must_change_password
        })
        .to_string();
        crate::audit::append(&tx, at, actor, "user_created", None, &detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn user(&self, username: &str) -> Result<Option<StoredUser>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                [username],
                user_row,
            )
            .optional()?)
    }

    /// Every local account, deactivated ones included, by user name.
    pub fn users(&self) -> Result<Vec<StoredUser>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username COLLATE NOCASE"
        ))?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Changes an account and appends its audit entry (`actor` did it) in one
    /// transaction. Refused, with nothing written, when the account does not exist or when
    /// the change would leave no active administrator.
    pub fn update_user(
        &mut self,
        username: &str,
        change: UserChange,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let user = tx
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
                [username],
                user_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NoUser(username.to_string()))?;
        let takes_admin = match change {
            UserChange::Roles { admin, .. } => !admin,
            UserChange::Deactivate => true,
            _ => false,
        };
        if takes_admin && user.is_admin && user.deactivated_at.is_none() {
            let others: i64 = tx.query_row(
                "SELECT count(*) FROM users WHERE is_admin = 1 AND deactivated_at IS NULL AND username <> ?1",
                [&user.username],
                |r| r.get(0),
            )?;
            if others == 0 {
                return Err(StoreError::LastAdmin(user.username));
            }
        }
        let (action, detail) = apply(&tx, &user, change, at)?;
        crate::audit::append(&tx, at, actor, action, None, &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Sets or clears a user's second factor (with the step its confirming code used).
    pub fn set_totp(
        &mut self,
        username: &str,
        secret: Option<&str>,
        step: Option<i64>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE users SET totp_secret = ?2, totp_last_step = ?3 WHERE username = ?1",
            params![username, secret, step],
        )?;
        let action = if secret.is_some() {
            "totp_enabled"
        } else {
            "totp_disabled"
        };
        let detail = serde_json::json!({ "user": username }).to_string();
        crate::audit::append(&tx, at, actor, action, None, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a login attempt: a failure counts (and may lock until a time), a success
    /// clears the count and keeps the TOTP step it used. Audited either way. A success
    /// whose step is not past the last one kept (another login used that code since it was
    /// checked) is `false`, audited as a failed login and nothing else: a code counts once,
    /// even for two logins at the same moment.
    pub fn record_login(
        &mut self,
        username: &str,
        ok: bool,
        locked_until: Option<&str>,
        totp_step: Option<i64>,
        at: &str,
        detail: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        if ok {
            let changed = tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, \
                 totp_last_step = coalesce(?2, totp_last_step), last_login_at = ?3 \
                 WHERE username = ?1 AND (?2 IS NULL OR totp_last_step IS NULL OR totp_last_step < ?2)",
                params![username, totp_step, at],
            )?;
            if changed == 0 {
                crate::audit::append(
                    &tx,
                    at,
                    username,
                    "login_failed",
                    None,
                    r#"{"why":"TOTP_REUSED"}"#,
                )?;
                tx.commit()?;
                return Ok(false);
            }
        } else {
            tx.execute(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until = coalesce(?2, locked_until) WHERE username = ?1",
                params![username, locked_until],
            )?;
        }
        let action = if ok { "login" } else { "login_failed" };
        crate::audit::append(&tx, at, username, action, None, detail)?;
        tx.commit()?;
        Ok(true)
    }

    /// Appends an action on no case (logout, a session lock) to the audit trail.
    pub fn audit(&mut self, at: &str, actor: &str, action: &str, detail: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        crate::audit::append(&tx, at, actor, action, None, detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_workflow(&mut self, case_id: &str, json: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        put_workflow(&tx, case_id, json)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes (or refreshes) the edit lock of a case for `user`, unless another user holds
    /// one taken at or after `fresh_since` (RFC 3339 times compare as text); returns that
    /// holder and since when.
    pub fn lock_case(
        &mut self,
        case_id: &str,
        user: &str,
        now: &str,
        fresh_since: &str,
    ) -> Result<Option<(String, String)>> {
        let tx = self.conn.transaction()?;
        let holder: Option<(String, String)> = tx
            .query_row(
                "SELECT username, since FROM case_locks WHERE case_id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((who, since)) = holder {
            if !who.eq_ignore_ascii_case(user) && since.as_str() >= fresh_since {
                return Ok(Some((who, since)));
            }
        }
        tx.execute(
            "INSERT INTO case_locks (case_id, username, since) VALUES (?1, ?2, ?3) \
             ON CONFLICT (case_id) DO UPDATE SET username = excluded.username, since = excluded.since",
            params![case_id, user, now],
        )?;
        tx.commit()?;
        Ok(None)
    }

    /// Who holds a case's edit lock, since when.
    pub fn case_lock(&self, case_id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT username, since FROM case_locks WHERE case_id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Releases `user`'s locks: one case, or all of them (`None`, at logout).
    pub fn unlock_cases(&mut self, user: &str, case_id: Option<&str>) -> Result<()> {
        match case_id {
            Some(id) => self.conn.execute(
                "DELETE FROM case_locks WHERE username = ?1 AND case_id = ?2",
                params![user, id],
            )?,
            None => self
                .conn
                .execute("DELETE FROM case_locks WHERE username = ?1", [user])?,
        };
        Ok(())
    }

    /// The stored workflow JSON of a case; `None` for a case never moved (a draft).
    pub fn workflow(&self, case_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT workflow FROM case_workflow WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Writes one account change inside the caller's transaction; its audit action and detail
/// (who and what — never a password or its hash).
fn apply(
    tx: &rusqlite::Transaction,
    user: &StoredUser,
    change: UserChange,
    at: &str,
) -> Result<(&'static str, serde_json::Value)> {
    let name = user.username.as_str();
    let (action, detail) = match change {
        UserChange::Roles {
            admin,
            underwriter,
            reviewer,
            supervisor,
        } => {
            tx.execute(
                "UPDATE users SET is_admin = ?2, is_underwriter = ?3, is_reviewer = ?4, is_supervisor = ?5 \
                 WHERE username = ?1",
                params![name, admin, underwriter, reviewer, supervisor],
            )?;
            let roles = |a: bool, u: bool, r: bool, s: bool| serde_json::json!({"admin": a, "underwriter": u, "reviewer": r, "supervisor": s});
            (
                "user_roles_changed",
                serde_json::json!({
                    "user": name,
                    "before": roles(user.is_admin, user.is_underwriter, user.is_reviewer, user.is_supervisor),
                    "after": roles(admin, underwriter, reviewer, supervisor),
                }),
            )
        }
        UserChange::Password { hash, must_change } => {
            tx.execute(
                "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE username = ?1",
                params![name, hash, must_change],
            )?;
            let action = if must_change {
                "password_reset"
            } else {
                "password_changed"
            };
            (
                action,
                serde_json::json!({"user": name, "must_change_password": must_change}),
            )
        }
        UserChange::ClearSecondFactor => {
            tx.execute(
                "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE username = ?1",
                [name],
            )?;
            ("totp_reset", serde_json::json!({"user": name}))
        }
        UserChange::Unlock => {
            tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?1",
                [name],
            )?;
            (
                "user_unlocked",
                serde_json::json!({"user": name, "failed_logins": user.failed_logins}),
            )
        }
        UserChange::Deactivate => {
            tx.execute(
                "UPDATE users SET deactivated_at = coalesce(deactivated_at, ?2) WHERE username = ?1",
                params![name, at],
            )?;
            ("user_deactivated", serde_json::json!({"user": name}))
        }
        UserChange::Reactivate => {
            tx.execute(
                "UPDATE users SET deactivated_at = NULL, failed_logins = 0, locked_until = NULL WHERE username = ?1",
                [name],
            )?;
            ("user_reactivated", serde_json::json!({"user": name}))
        }
    };
    Ok((action, detail))
}

/// Writes a case's workflow inside the caller's transaction.
pub(crate) fn put_workflow(tx: &rusqlite::Transaction, case_id: &str, json: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO case_workflow (case_id, workflow) VALUES (?1, ?2) \
         ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow",
        params![case_id, json],
    )?;
    Ok(())
}
