//! The store's key through its life: found (the environment's passphrase, the demo's, the
//! keyring's random key), made with a new store and its recovery key shown once,
//! recovered when the keyring lost it, and changed (`uw store rekey`).
//!
//! Readings fixed here:
//! - **Shown once.** A keyring key made for a store not yet in its folder comes with its
//!   recovery key, which the window holds in memory ([`ShownOnce`]) until the person says
//!   they stored it — before anyone logs in, as there is no one yet on a new store. After
//!   that it is shown nowhere: `uw store rekey` makes a new one. `uw` makes a keyring
//!   store only through `uw store init` (and `uw store adopt`), which print it once on
//!   stdout; its other commands never make a key a person has not seen.
//! - **Recovery** opens the existing store with the typed key (a wrong one is the store's
//!   own wrong-key refusal, the file untouched), records `store_recovered` (whether the
//!   keyring took the key back; never the key), then puts the key back into the keyring.
//!   A keyring that cannot be written leaves the window's store open for that run, and the
//!   answer says so.
//! - **Rekey**, in an order that loses nothing at any crash: the new key is made, then
//!   announced — the recovery key printed and its sheet written — while the store is still
//!   under the previous key, which opens it until the rekey commits; then `PRAGMA rekey`
//!   (one transaction: `uw_store`'s rekey); then `store_rekeyed` in the audit trail; then
//!   the keyring. A crash before the commit: the previous key, the keyring's, opens the
//!   store. After it: the keyring may still hold the previous key, which no longer opens
//!   it, and the recovery key just printed is the way in (the window's unlock screen, or
//!   `uw store recover`, which puts it in the keyring); a crash between the commit and
//!   the audit entry leaves the rekey unrecorded, the trail whole. A passphrase store (no
//!   keyring) takes its new passphrase from the person, as when it was made.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;
use uw_store::{Store, StoreKey};
use zeroize::Zeroizing;

use crate::error::{AppError, ErrorCode, Result};
use crate::keyring::Keyring;
use crate::paths::{check_new_passphrase, DEMO_PASSPHRASE, PASSPHRASE_ENV};
use crate::recovery::RecoveryKey;

/// The store's file inside its data folder.
fn store_file(data_dir: &Path) -> PathBuf {
    crate::backup::store_file(data_dir)
}

fn exists(data_dir: &Path) -> bool {
    store_file(data_dir).exists()
}

/// `UW_STORE_PASSPHRASE`, when set (tests, CI, a computer without a keyring).
fn env_passphrase() -> Option<String> {
    std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty())
}

/// 32 bytes from the operating system's generator.
pub fn random_key() -> RecoveryKey {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut key = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(key.as_mut());
    RecoveryKey::from_bytes(*key)
}

fn no_keyring(data_dir: &Path, why: &str) -> AppError {
    AppError::new(
        ErrorCode::StoreKeyMissing,
        format!("no key for the case store in {}: {why}; set {PASSPHRASE_ENV} to its passphrase, or run where an OS keyring is available", data_dir.display()),
    )
}

/// The key `uw` opens a store with: the environment's passphrase, the demo's, else the
/// keyring's. It never makes one: a new keyring store is made by `uw store init`, which
/// shows its recovery key.
pub fn existing(keyring: &dyn Keyring, data_dir: &Path, demo: bool) -> Result<StoreKey> {
    existing_key(env_passphrase(), keyring, data_dir, demo)
}

/// [`existing`] with the passphrase given.
pub(crate) fn existing_key(
    passphrase: Option<String>,
    keyring: &dyn Keyring,
    data_dir: &Path,
    demo: bool,
) -> Result<StoreKey> {
    if let Some(p) = passphrase {
        return Ok(StoreKey::Passphrase(p));
    }
    if demo {
        return Ok(StoreKey::Passphrase(DEMO_PASSPHRASE.into()));
    }
    match keyring.lookup(data_dir) {
        Ok(Some(key)) => Ok(StoreKey::Raw(key)),
        Ok(None) if exists(data_dir) => Err(AppError::new(
            ErrorCode::StoreKeyMissing,
            format!("the OS keyring holds no key for the case store in {}: its recovery key opens it (`uw store recover`, or the window's unlock screen)", data_dir.display()),
        )),
        Ok(None) => Err(AppError::new(
            ErrorCode::StoreKeyMissing,
            format!("there is no case store in {} yet: `uw store init` makes one and shows its recovery key once (or start the window)", data_dir.display()),
        )),
        Err(why) => Err(no_keyring(data_dir, &why)),
    }
}

/// The key the window opens its store with.
pub struct WindowKey {
    pub key: StoreKey,
    /// The key is the keyring's: when it does not open the store (a rekey whose keyring
    /// write was lost), the recovery key does.
    pub from_keyring: bool,
    /// The recovery key of a store this start makes, to be shown once.
    pub new_recovery: Option<RecoveryKey>,
}

/// The key the window opens its store with: as [`existing`], and for a folder without a
/// store a keyring key — the entry found, or a random one kept there — with its recovery
/// key, to be shown once. Without a keyring the window asks for a passphrase
/// (`STORE_KEY_MISSING`).
pub fn for_window(keyring: &dyn Keyring, data_dir: &Path, demo: bool) -> Result<WindowKey> {
    window_key(env_passphrase(), keyring, data_dir, demo)
}

/// [`for_window`] with the passphrase given.
pub(crate) fn window_key(
    passphrase: Option<String>,
    keyring: &dyn Keyring,
    data_dir: &Path,
    demo: bool,
) -> Result<WindowKey> {
    if passphrase.is_some() || demo || exists(data_dir) {
        let key = existing_key(passphrase, keyring, data_dir, demo)?;
        let from_keyring = matches!(key, StoreKey::Raw(_));
        return Ok(WindowKey {
            key,
            from_keyring,
            new_recovery: None,
        });
    }
    let key = keyring_key_for_new_store(keyring, data_dir)?;
    Ok(WindowKey {
        key: StoreKey::Raw(*key.bytes()),
        from_keyring: true,
        new_recovery: Some(key),
    })
}

/// The key for a store about to be made in `data_dir` (`uw store adopt`): the
/// environment's passphrase, else a keyring key with its recovery key, to be shown.
pub fn for_new_store(
    keyring: &dyn Keyring,
    data_dir: &Path,
) -> Result<(StoreKey, Option<RecoveryKey>)> {
    if exists(data_dir) {
        return Err(AppError::new(
            ErrorCode::AlreadyExists,
            format!(
                "a case store already exists in {}; nothing was changed",
                data_dir.display()
            ),
        ));
    }
    if let Some(p) = env_passphrase() {
        return Ok((StoreKey::Passphrase(p), None));
    }
    let key = keyring_key_for_new_store(keyring, data_dir)?;
    Ok((StoreKey::Raw(*key.bytes()), Some(key)))
}

/// For a folder without a store: the keyring's entry for it (left by a start that did not
/// finish making the store), else a random key, kept in the keyring before any store is
/// made under it.
fn keyring_key_for_new_store(keyring: &dyn Keyring, data_dir: &Path) -> Result<RecoveryKey> {
    match keyring.lookup(data_dir) {
        Ok(Some(key)) => Ok(RecoveryKey::from_bytes(key)),
        Ok(None) => {
            let key = random_key();
            keyring
                .store(data_dir, key.bytes())
                .map_err(|why| no_keyring(data_dir, &why))?;
            Ok(key)
        }
        Err(why) => Err(no_keyring(data_dir, &why)),
    }
}

/// A new store's recovery key, held in memory for the first-start setup only: shown until
/// the person confirms they stored it, then forgotten.
#[derive(Default)]
pub struct ShownOnce(Mutex<Option<RecoveryKey>>);

/// What the setup shows of a new store's recovery key.
#[derive(Clone, Debug, Serialize, TS)]
pub struct NewRecoveryKey {
    /// The 13 groups of 5, in order.
    pub groups: Vec<String>,
    pub data_dir: String,
}

impl ShownOnce {
    pub fn new(key: Option<RecoveryKey>) -> ShownOnce {
        ShownOnce(Mutex::new(key))
    }

    fn key(&self) -> Option<RecoveryKey> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The key, while it waits to be confirmed.
    pub fn view(&self, data_dir: &Path) -> Option<NewRecoveryKey> {
        self.key().map(|k| NewRecoveryKey {
            groups: k.groups(),
            data_dir: data_dir.display().to_string(),
        })
    }

    /// Whether a key waits (asked before a save dialog is opened for it).
    pub fn waiting(&self) -> Result<()> {
        self.key().map(drop).ok_or_else(not_waiting)
    }

    /// Writes the waiting key's sheet to `path`.
    pub fn save_sheet(&self, data_dir: &Path, lang: &str, path: &Path) -> Result<()> {
        let key = self.key().ok_or_else(not_waiting)?;
        write_sheet(&key, data_dir, lang, path)
    }

    /// The person stored the key: it is shown no more.
    pub fn confirm(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

fn not_waiting() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "no recovery key waits to be shown: it is shown once, when its store is made; `uw store rekey -o FILE` makes a new one",
    )
}

/// The recovery sheet (an A4 PDF) of `key`, dated today.
pub fn sheet_pdf(key: &RecoveryKey, data_dir: &Path, lang: &str) -> Result<Vec<u8>> {
    let date = chrono::Local::now().format("%Y-%m-%d").to_string();
    let groups = key.groups();
    uw_agreement::recovery_sheet(&uw_agreement::Sheet {
        lang,
        data_dir: &data_dir.display().to_string(),
        date: &date,
        groups: &groups,
    })
    .map(|p| p.pdf)
    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

/// Writes the sheet of `key` to `path`, whole or not at all (0600).
pub fn write_sheet(key: &RecoveryKey, data_dir: &Path, lang: &str, path: &Path) -> Result<()> {
    if !crate::paths::LANGUAGES.contains(&lang) {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("language: {lang:?} is not one of uz, ru, en"),
        ));
    }
    crate::paths::write_atomically(path, &sheet_pdf(key, data_dir, lang)?)
}

/// What `uw store init` made.
#[derive(Clone, Debug, Serialize)]
pub struct Initialized {
    pub store: String,
    /// `keyring` or `passphrase`.
    pub key: &'static str,
    /// A keyring store's recovery key, shown this once.
    pub recovery_key: Option<String>,
    pub sheet: Option<String>,
}

/// Makes the store of `data_dir` (`uw store init`): under the environment's passphrase
/// when it is set, else under a keyring key whose recovery key is returned — and its
/// sheet written to `sheet` (path, language) — before the store is made.
pub fn init_store(
    keyring: &dyn Keyring,
    data_dir: &Path,
    actor: &str,
    sheet: Option<(&Path, &str)>,
) -> Result<Initialized> {
    init_with(env_passphrase(), keyring, data_dir, actor, sheet)
}

/// [`init_store`] with the passphrase given.
pub(crate) fn init_with(
    passphrase: Option<String>,
    keyring: &dyn Keyring,
    data_dir: &Path,
    actor: &str,
    sheet: Option<(&Path, &str)>,
) -> Result<Initialized> {
    if exists(data_dir) {
        return Err(AppError::new(
            ErrorCode::AlreadyExists,
            format!(
                "a case store already exists in {}; nothing was changed",
                data_dir.display()
            ),
        ));
    }
    crate::paths::private_dir(data_dir)?;
    let (key, recovery) = match passphrase {
        Some(p) => {
            if sheet.is_some() {
                return Err(no_sheet());
            }
            check_new_passphrase(data_dir, &p)?;
            (StoreKey::Passphrase(p), None)
        }
        None => {
            let key = keyring_key_for_new_store(keyring, data_dir)?;
            if let Some((path, lang)) = sheet {
                write_sheet(&key, data_dir, lang, path)?;
            }
            (StoreKey::Raw(*key.bytes()), Some(key))
        }
    };
    let mut store = Store::open(&store_file(data_dir), &key)?;
    let kind = audit_key_kind(&mut store, actor, "store_created", recovery.is_some())?;
    Ok(Initialized {
        store: store_file(data_dir).display().to_string(),
        key: kind,
        recovery_key: recovery.map(|k| k.display().to_string()),
        sheet: sheet.map(|(p, _)| p.display().to_string()),
    })
}

fn no_sheet() -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        "-o: a passphrase store has no recovery key, so no sheet: its passphrase is the way in",
    )
}

/// What a recovery did.
#[derive(Clone, Debug, Serialize, TS)]
pub struct Recovered {
    pub store: String,
    /// The keyring keeps the key again; if not, the store is open for this run only.
    pub keyring_restored: bool,
    /// Why the keyring did not take it.
    pub keyring_error: Option<String>,
}

/// Opens the existing store of `data_dir` with the recovery key `typed`, records the
/// recovery and puts the key back into the keyring. Returns the key to open it with.
pub fn recover(
    keyring: &dyn Keyring,
    data_dir: &Path,
    typed: &str,
    actor: &str,
) -> Result<(StoreKey, Recovered)> {
    let recovery = RecoveryKey::parse(typed)?;
    if !exists(data_dir) {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!(
                "there is no case store in {} to recover",
                data_dir.display()
            ),
        ));
    }
    let key = StoreKey::Raw(*recovery.bytes());
    let mut store = Store::open(&store_file(data_dir), &key)?;
    let kept = keyring.store(data_dir, recovery.bytes());
    let detail = serde_json::json!({
        "keyring": if kept.is_ok() { "restored" } else { "not written" },
    });
    store.audit(
        &crate::now_rfc3339(),
        actor,
        "store_recovered",
        &detail.to_string(),
    )?;
    Ok((
        key,
        Recovered {
            store: store_file(data_dir).display().to_string(),
            keyring_restored: kept.is_ok(),
            keyring_error: kept.err(),
        },
    ))
}

/// The key a rekey puts the store under.
pub enum NewKey {
    /// A random key, kept in the keyring, whose recovery key is announced.
    Random,
    /// A passphrase the person chose (12 characters or more).
    Passphrase(Zeroizing<String>),
}

/// What a rekey did.
#[derive(Clone, Debug, Serialize)]
pub struct Rekeyed {
    pub store: String,
    pub cases: i64,
    /// `keyring` or `passphrase`.
    pub key: &'static str,
    /// The keyring did not take the new key (the store is under it all the same): why.
    pub keyring_error: Option<String>,
}

/// Puts the store of `data_dir`, opened with `current`, under a new key, in the order the
/// module's header gives: `announce` receives the new recovery key (none for a
/// passphrase) before anything changes, and an error from it leaves the store as it was.
pub fn rekey(
    keyring: &dyn Keyring,
    data_dir: &Path,
    current: &StoreKey,
    new: NewKey,
    actor: &str,
    announce: impl FnOnce(Option<&RecoveryKey>) -> Result<()>,
) -> Result<Rekeyed> {
    if !exists(data_dir) {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("there is no case store in {} to rekey", data_dir.display()),
        ));
    }
    let (key, recovery) = match new {
        NewKey::Random => {
            let k = random_key();
            (StoreKey::Raw(*k.bytes()), Some(k))
        }
        NewKey::Passphrase(p) => {
            if p.chars().count() < 12 {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    "new passphrase: at least 12 characters",
                ));
            }
            (StoreKey::Passphrase(p.to_string()), None)
        }
    };
    let store = Store::open(&store_file(data_dir), current)?;
    // Alone with the store before anything is announced: a key announced for a rekey
    // that the open window then refuses would be void.
    store.exclusive()?;
    announce(recovery.as_ref())?;
    let mut store = store.rekey(current, &key)?;
    let kind = audit_key_kind(&mut store, actor, "store_rekeyed", recovery.is_some())?;
    let keyring_error = recovery
        .as_ref()
        .and_then(|k| keyring.store(data_dir, k.bytes()).err());
    Ok(Rekeyed {
        store: store_file(data_dir).display().to_string(),
        cases: store.count_cases()?,
        key: kind,
        keyring_error,
    })
}

/// Audits `action` on the store's key with its kind (never the key); returns the kind.
fn audit_key_kind(
    store: &mut Store,
    actor: &str,
    action: &str,
    keyring: bool,
) -> Result<&'static str> {
    let kind = if keyring { "keyring" } else { "passphrase" };
    let detail = serde_json::json!({ "key": kind }).to_string();
    store.audit(&crate::now_rfc3339(), actor, action, &detail)?;
    Ok(kind)
}

#[cfg(test)]
mod tests;
