//! The people of the bank's directory as this workstation remembers them
//! (`schema/011_identity.sql`): the offline-login verifier with its roles and expiry, and
//! each person's wrapped signing key. The store keeps them; uw-app derives, wraps and
//! decides. Every change lands with its audit entry in one transaction.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// What a successful online login left for the offline one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedPerson {
    pub staff_id: String,
    pub display_name: String,
    pub dn: String,
    pub is_admin: bool,
    pub is_underwriter: bool,
    pub is_reviewer: bool,
    pub is_supervisor: bool,
    /// JSON array of the directory's branches.
    pub branches: String,
    /// Argon2id PHC string of the password.
    pub verifier: String,
    pub online_at: String,
    pub cached_until: String,
}

/// A person's signing key as kept here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub staff_id: String,
    pub algorithm: String,
    pub public_key: Vec<u8>,
    /// Salt, nonce and ciphertext of the wrapped private key (uw-app's format).
    pub wrapped: Vec<u8>,
    pub created_at: String,
    /// When the bank accepted it; `None` until it has.
    pub enrolled_at: Option<String>,
}

impl Store {
    /// The review inbox the bank served `staff_id` now (the case ids held here), replacing
    /// the last one.
    pub fn set_inbox(&mut self, staff_id: &str, case_ids: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM review_inbox WHERE staff_id = ?1", [staff_id])?;
        for id in case_ids {
            tx.execute(
                "INSERT OR IGNORE INTO review_inbox (staff_id, case_id) \
                 SELECT ?1, case_id FROM cases WHERE case_id = ?2",
                params![staff_id, id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Remembers (or refreshes) a person after an online login.
    pub fn remember_person(&mut self, p: &CachedPerson) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO directory_people (staff_id, display_name, dn, is_admin, is_underwriter, is_reviewer, \
             branches, verifier, online_at, cached_until, is_supervisor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (staff_id) DO UPDATE SET display_name = excluded.display_name, dn = excluded.dn, \
             is_admin = excluded.is_admin, is_underwriter = excluded.is_underwriter, \
             is_reviewer = excluded.is_reviewer, branches = excluded.branches, verifier = excluded.verifier, \
             online_at = excluded.online_at, cached_until = excluded.cached_until, \
             is_supervisor = excluded.is_supervisor",
            params![
                p.staff_id,
                p.display_name,
                p.dn,
                p.is_admin,
                p.is_underwriter,
                p.is_reviewer,
                p.branches,
                p.verifier,
                p.online_at,
                p.cached_until,
                p.is_supervisor
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn cached_person(&self, staff_id: &str) -> Result<Option<CachedPerson>> {
        Ok(self
            .conn
            .query_row(
                "SELECT staff_id, display_name, dn, is_admin, is_underwriter, is_reviewer, branches, verifier, \
                 online_at, cached_until, is_supervisor FROM directory_people WHERE staff_id = ?1",
                [staff_id],
                |r| {
                    Ok(CachedPerson {
                        staff_id: r.get(0)?,
                        display_name: r.get(1)?,
                        dn: r.get(2)?,
                        is_admin: r.get(3)?,
                        is_underwriter: r.get(4)?,
                        is_reviewer: r.get(5)?,
                        branches: r.get(6)?,
                        verifier: r.get(7)?,
                        online_at: r.get(8)?,
                        cached_until: r.get(9)?,
                        is_supervisor: r.get(10)?,
                    })
                },
            )
            .optional()?)
    }

    /// Drops a person's offline login (and, with `and_key`, their signing key): the
    /// directory disabled or removed them, or the cache expired. Audited with `why`.
    pub fn forget_person(
        &mut self,
        staff_id: &str,
        and_key: bool,
        at: &str,
        why: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM directory_people WHERE staff_id = ?1",
            [staff_id],
        )?;
        let k = if and_key {
            tx.execute("DELETE FROM signing_keys WHERE staff_id = ?1", [staff_id])?
        } else {
            0
        };
        if n + k > 0 {
            let detail = serde_json::json!({ "why": why, "key_dropped": k > 0 }).to_string();
            crate::audit::append(&tx, at, staff_id, "offline_login_dropped", None, &detail)?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    pub fn signing_key(&self, staff_id: &str) -> Result<Option<StoredKey>> {
        Ok(self
            .conn
            .query_row(
                "SELECT staff_id, algorithm, public_key, wrapped, created_at, enrolled_at \
                 FROM signing_keys WHERE staff_id = ?1",
                [staff_id],
                |r| {
                    Ok(StoredKey {
                        staff_id: r.get(0)?,
                        algorithm: r.get(1)?,
                        public_key: r.get(2)?,
                        wrapped: r.get(3)?,
                        created_at: r.get(4)?,
                        enrolled_at: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps a person's key (new, or re-wrapped under a new password); `why` is audited
    /// (`signing_key_created`, `signing_key_rewrapped`, …) with the public key.
    pub fn put_signing_key(&mut self, k: &StoredKey, at: &str, why: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO signing_keys (staff_id, algorithm, public_key, wrapped, created_at, enrolled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (staff_id) DO UPDATE SET algorithm = excluded.algorithm, \
             public_key = excluded.public_key, wrapped = excluded.wrapped, created_at = excluded.created_at, \
             enrolled_at = excluded.enrolled_at",
            params![k.staff_id, k.algorithm, k.public_key, k.wrapped, k.created_at, k.enrolled_at],
        )?;
        let public: String = k.public_key.iter().map(|b| format!("{b:02x}")).collect();
        let detail =
            serde_json::json!({ "algorithm": k.algorithm, "public_key": public }).to_string();
        crate::audit::append(&tx, at, &k.staff_id, why, None, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// The bank accepted the key with this public half (a key replaced meanwhile is not
    /// marked).
    pub fn key_enrolled(&mut self, staff_id: &str, public_key: &[u8], at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE signing_keys SET enrolled_at = ?3 WHERE staff_id = ?1 AND public_key = ?2",
            params![staff_id, public_key, at],
        )?;
        if n > 0 {
            crate::audit::append(&tx, at, staff_id, "signing_key_enrolled", None, "{}")?;
        }
        tx.commit()?;
        Ok(())
    }
}
