//! The window's state: the workstation once its store is open, and the session check every
//! command makes before any work ([`Shared::signed_in`]).

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};

use uw_app::{AppError, ErrorCode, OpenOptions, Result, StoreKey, Workstation};

/// The window's state. The store opens on a thread of its own while the window and its
/// web view start (the key's lookup and derivation, the schema check): the commands that
/// need it wait for that opening to be over, and nothing waits for it before.
pub struct Ws(Arc<Shared>);

impl std::ops::Deref for Ws {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The workstation, or why it could not open (a foreign database, an unwritable folder):
/// the window still opens and shows that error instead of vanishing. Without a key (no
/// OS keyring, no passphrase given) it waits for the passphrase from the unlock screen.
pub struct Shared {
    opened: OnceLock<std::result::Result<Workstation, AppError>>,
    /// Set when the start's opening is over (opened, refused, or waiting for a key);
    /// every reader of `opened` and `recovery` waits for it.
    settled: OnceLock<()>,
    pub(crate) data_dir: PathBuf,
    demo: bool,
    /// Wakes the sync worker: `true` for "sync now" (backoff ignored).
    sync_wake: Mutex<Option<Sender<bool>>>,
    /// A store made at this start: its recovery key, until the person says they stored it.
    recovery: OnceLock<uw_app::store_key::ShownOnce>,
    /// The log, for as long as the window runs.
    _log: Option<uw_app::logs::LogGuard>,
}

impl Ws {
    /// The state at once; the store's opening starts on its own thread.
    pub fn start(demo: bool) -> Ws {
        let data_dir = uw_app::paths::data_dir(demo);
        let ws = Ws(Arc::new(Shared {
            opened: OnceLock::new(),
            settled: OnceLock::new(),
            _log: start_log(&data_dir),
            data_dir,
            demo,
            sync_wake: Mutex::new(None),
            recovery: OnceLock::new(),
        }));
        let shared = Arc::clone(&ws.0);
        let spawned = std::thread::Builder::new()
            .name("open-store".into())
            .spawn(move || shared.open_at_start());
        if spawned.is_err() {
            ws.open_at_start();
        }
        ws
    }
}

impl Shared {
    fn open_at_start(&self) {
        // Settled however this ends, a panic included: no command waits for ever.
        struct Settle<'a>(&'a OnceLock<()>);
        impl Drop for Settle<'_> {
            fn drop(&mut self) {
                let _ = self.0.set(());
            }
        }
        let _settle = Settle(&self.settled);
        let started = std::time::Instant::now();
        let found =
            uw_app::store_key::for_window(&uw_app::keyring::SecretTool, &self.data_dir, self.demo);
        // The opening's line in the log: its duration, and why the store is not open.
        let refused = match found {
            Ok(found) => {
                let _ = self
                    .recovery
                    .set(uw_app::store_key::ShownOnce::new(found.new_recovery));
                match self.open_with(found.key) {
                    // The keyring's key no longer opens the store (a rekey whose keyring
                    // write was lost): the unlock screen takes its recovery key.
                    Err(e) if found.from_keyring && e.code == ErrorCode::StoreWrongKey => {
                        Some(e.code)
                    }
                    opened => {
                        let code = opened.as_ref().err().map(|e| e.code);
                        let _ = self.opened.set(opened);
                        code
                    }
                }
            }
            // The unlock screen asks.
            Err(e) if e.code == ErrorCode::StoreKeyMissing => Some(e.code),
            Err(e) => {
                let code = Some(e.code);
                let _ = self.opened.set(Err(e));
                code
            }
        };
        uw_app::logs::command("window", "open_store", started.elapsed(), refused);
    }

    /// The store as the start's opening left it: open, refused, or not yet (no key).
    pub(crate) fn opened(&self) -> Option<&std::result::Result<Workstation, AppError>> {
        self.settled.wait();
        self.opened.get()
    }

    /// The store the unlock screen opened (a passphrase, a recovery key); a store already
    /// open stays as it was.
    pub(crate) fn set_opened(&self, ws: Workstation) {
        let _ = self.opened.set(Ok(ws));
    }

    /// The sync worker's wake-up.
    pub(crate) fn set_sync_wake(&self, wake: Sender<bool>) {
        *self.sync_wake.lock().unwrap_or_else(|p| p.into_inner()) = Some(wake);
    }

    /// The recovery key of a store made at this start (none for a store found).
    pub(crate) fn recovery(&self) -> &uw_app::store_key::ShownOnce {
        self.settled.wait();
        self.recovery.get_or_init(Default::default)
    }

    pub(crate) fn open_with(&self, key: StoreKey) -> Result<Workstation> {
        Workstation::open(OpenOptions {
            data_dir: self.data_dir.clone(),
            key,
            actor: uw_app::paths::os_user(),
            demo: self.demo,
            require_login: true,
            bank: uw_app::paths::bank_from_env(),
            directory: uw_app::paths::directory_from_env()?,
        })
    }

    /// The workstation with a logged-in person: every command but those of the login
    /// screen checks the session before any work (a locked or absent session is
    /// `NOT_LOGGED_IN` / `SESSION_LOCKED`, and nothing is read, written or asked).
    pub(crate) fn signed_in(&self) -> Result<&Workstation> {
        let ws = self.get()?;
        ws.require_session()?;
        Ok(ws)
    }

    /// Like `signed_in`, for the one thing a person does before anything else when an
    /// administrator set their password: changing it.
    pub(crate) fn signed_in_to_change_password(&self) -> Result<&Workstation> {
        let ws = self.get()?;
        ws.require_session_to_change_password()?;
        Ok(ws)
    }

    pub(crate) fn get(&self) -> Result<&Workstation> {
        match self.opened() {
            Some(opened) => opened.as_ref().map_err(Clone::clone),
            None => Err(AppError::new(
                ErrorCode::StoreLocked,
                "the case store is locked: enter its passphrase",
            )),
        }
    }

    /// A change went into the outbox: the worker takes it on its next pass, now.
    pub(crate) fn changed<T>(&self, done: Result<T>) -> Result<T> {
        if done.is_ok() {
            self.poke_sync(false);
        }
        done
    }

    /// A change the user waits to see at the bank (a resolved conflict, a prohibition
    /// request, an order): a pass now, whatever the backoff.
    pub(crate) fn changed_urgently<T>(&self, done: Result<T>) -> Result<T> {
        if done.is_ok() {
            self.poke_sync(true);
        }
        done
    }

    /// Asks the sync worker for a pass now (a change waits in the outbox meanwhile).
    pub(crate) fn poke_sync(&self, now: bool) {
        if let Some(wake) = self
            .sync_wake
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = wake.send(now);
        }
    }
}

/// The log in `<data folder>/logs/`; a workstation whose log cannot start works on.
fn start_log(data_dir: &std::path::Path) -> Option<uw_app::logs::LogGuard> {
    uw_app::logs::init(data_dir)
        .map_err(|e| {
            eprintln!(
                "underwriter-workstation: no log ({}): {}",
                e.code_name(),
                e.message
            )
        })
        .ok()
}
