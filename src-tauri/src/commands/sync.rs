//! The sync with the core bank: its status, a pass now, and the conflicts it found.

use tauri::State;
use uw_app::{CaseView, ConflictView, Keep, Result, SyncStatus};

use crate::run::logged;
use crate::state::Ws;

#[tauri::command(async)]
pub(crate) fn sync_status(ws: State<'_, Ws>) -> Result<SyncStatus> {
    logged("sync_status", || ws.signed_in()?.sync_status())
}

/// Starts a pass now; the `sync-status` event tells when it is done.
#[tauri::command]
pub(crate) fn sync_now(ws: State<'_, Ws>) -> Result<()> {
    logged("sync_now", || {
        ws.signed_in()?;
        ws.poke_sync(true);
        Ok(())
    })
}

#[tauri::command]
pub(crate) fn sync_conflicts(ws: State<'_, Ws>) -> Result<Vec<ConflictView>> {
    logged("sync_conflicts", || ws.signed_in()?.conflicts(true))
}

#[tauri::command]
pub(crate) fn resolve_conflict(ws: State<'_, Ws>, id: i64, keep: Keep) -> Result<CaseView> {
    logged("resolve_conflict", || {
        ws.changed_urgently(ws.signed_in()?.resolve_conflict(id, keep))
    })
}
