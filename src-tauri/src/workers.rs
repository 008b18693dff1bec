//! The window's two workers, each a thread of its own: the sync with the core bank and the
//! daily backup.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::Ws;

/// How often the worker syncs on its own.
const SYNC_EVERY: Duration = Duration::from_secs(20);

/// The sync worker: a thread of its own (the bank client blocks, and must not run on the
/// async runtime), a pass every [`SYNC_EVERY`] and whenever poked, and a `sync-status`
/// event to the window after each pass.
pub fn start_sync_worker(app: &AppHandle) {
    let (wake, woken): (Sender<bool>, Receiver<bool>) = std::sync::mpsc::channel();
    app.state::<Ws>().set_sync_wake(wake);
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            let mut now = true;
            loop {
                if let Ok(ws) = app.state::<Ws>().get() {
                    if ws.bank_configured() {
                        let _ = if now { ws.sync() } else { ws.sync_scheduled() };
                        let _ = app.emit("sync-status", ());
                    }
                }
                now = match woken.recv_timeout(SYNC_EVERY) {
                    Ok(explicit) => explicit || woken.try_iter().any(|e| e),
                    Err(RecvTimeoutError::Timeout) => false,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
            }
        });
    if let Err(e) = spawned {
        eprintln!("underwriter-workstation: no sync worker ({e}); the work waits in the outbox");
    }
}

/// How often the backup worker asks whether the daily backup is due.
const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(60);

/// The daily backup: a thread of its own, so a backup of a large store never holds the
/// window or the sync (the backup reads through connections of its own).
pub fn start_backup_worker(app: &AppHandle) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("backup".into())
        .spawn(move || loop {
            if let Ok(ws) = app.state::<Ws>().get() {
                // A failure is audited by the service and tried again at the next check.
                let _ = ws.scheduled_backup(chrono::Local::now().naive_local());
            }
            std::thread::sleep(BACKUP_CHECK_EVERY);
        });
    if let Err(e) = spawned {
        eprintln!("underwriter-workstation: no backup worker ({e}); back up by hand");
    }
}
