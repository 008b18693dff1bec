//! Users (`schema/004_users.sql`) and each case's review workflow. The store keeps them;
//! uw-app hashes passwords and decides who may do what.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub is_underwriter: bool,
    pub is_reviewer: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    /// Base32; `None` when the user has no second factor.
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
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
        tx.execute(
            "INSERT INTO users (username, display_name, password_hash, is_admin, is_underwriter, is_reviewer, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![u.username, u.display_name, u.password_hash, u.is_admin, u.is_underwriter, u.is_reviewer, at],
        )?;
        let detail = serde_json::json!({
            "user": u.username, "admin": u.is_admin, "underwriter": u.is_underwriter, "reviewer": u.is_reviewer
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
                "SELECT username, display_name, password_hash, is_admin, is_underwriter, is_reviewer, failed_logins, locked_until, \
                 totp_secret, totp_last_step FROM users WHERE username = ?1",
                [username],
                |r| {
                    Ok(StoredUser {
                        username: r.get(0)?,
                        display_name: r.get(1)?,
                        password_hash: r.get(2)?,
                        is_admin: r.get(3)?,
                        is_underwriter: r.get(4)?,
                        is_reviewer: r.get(5)?,
                        failed_logins: r.get(6)?,
                        locked_until: r.get(7)?,
                        totp_secret: r.get(8)?,
                        totp_last_step: r.get(9)?,
                    })
                },
            )
            .optional()?)
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
    /// clears the count and keeps the TOTP step it used. Audited either way.
    pub fn record_login(
        &mut self,
        username: &str,
        ok: bool,
        locked_until: Option<&str>,
        totp_step: Option<i64>,
        at: &str,
        detail: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        if ok {
            tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, \
                 totp_last_step = coalesce(?2, totp_last_step) WHERE username = ?1",
                params![username, totp_step],
            )?;
        } else {
            tx.execute(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until = coalesce(?2, locked_until) WHERE username = ?1",
                params![username, locked_until],
            )?;
        }
        let action = if ok { "login" } else { "login_failed" };
        crate::audit::append(&tx, at, username, action, None, detail)?;
        tx.commit()?;
        Ok(())
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

/// Writes a case's workflow inside the caller's transaction.
pub(crate) fn put_workflow(tx: &rusqlite::Transaction, case_id: &str, json: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO case_workflow (case_id, workflow) VALUES (?1, ?2) \
         ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow",
        params![case_id, json],
    )?;
    Ok(())
}
