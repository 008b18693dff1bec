//! A new key for the store (`uw store rekey`): SQLCipher's `PRAGMA rekey`, which rewrites
//! every page under the new key in one write transaction.
//!
//! The store stays in WAL mode for it, so the rewrite commits or not as a whole: a crash
//! before the commit leaves frames the next reader ignores (the previous key opens the
//! store as it was), one after it leaves every page's last frame under the new key (only
//! the new key opens it). The connection holds the file's exclusive lock throughout, so
//! no other connection — the window — reads pages under one key and then the other: a
//! store open elsewhere is refused, untouched. After the commit the WAL is checkpointed
//! into the file and truncated: no page under the previous key is left beside it.
//!
//! SQLCipher's rekey answers success even when a page failed to be rewritten (it rolls
//! back and says nothing), so the result is checked by opening the file again: with the
//! new key, else with the previous one (nothing changed: an error saying so).

use std::path::PathBuf;

use crate::{Result, Store, StoreError, StoreKey};

impl Store {
    /// Takes the file's exclusive lock and keeps it while this connection lives: refused
    /// while another connection (the window) has the store open. A connection of another
    /// process waits 5 s for the lock before it says busy.
    pub fn exclusive(&self) -> Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_millis(200))?;
        self.conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        self.conn
            .execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(|e| StoreError::Open {
                path: self.path.clone(),
                message: format!("the store is open elsewhere (close the window first); nothing was changed ({e})"),
            })
    }

    /// Puts the store under `new` in place of `current` (the key it was opened with), and
    /// opens it again under `new`. See the module's header.
    pub fn rekey(self, current: &StoreKey, new: &StoreKey) -> Result<Store> {
        self.exclusive()?;
        let path = self.path.clone();
        let refused = |why: String| StoreError::Open {
            path: path.clone(),
            message: format!("the key was not changed: {why}"),
        };
        let conn = self.conn;
        conn.execute_batch(&format!("PRAGMA rekey = {};", new.literal()))
            .map_err(|e| refused(e.to_string()))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| refused(e.to_string()))?;
        drop(conn);
        reopened(path, current, new)
    }
}

/// The store after a rekey: under `new`, or — the rekey having failed unsaid — still
/// under `current`, which is an error.
fn reopened(path: PathBuf, current: &StoreKey, new: &StoreKey) -> Result<Store> {
    match Store::open(&path, new) {
        Ok(store) => Ok(store),
        Err(StoreError::WrongKey { .. }) if Store::open(&path, current).is_ok() => {
            Err(StoreError::Open {
                path,
                message: "the key was not changed: SQLCipher could not rewrite every page; the store keeps its previous key".into(),
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
