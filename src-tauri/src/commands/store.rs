//! The store's key, before any login: its state, its passphrase, and a new store's
//! recovery key — shown by the process that made it, before anyone can log in (there is no
//! one yet), until the person confirms they stored it. None of these reads or writes a
//! case.

use tauri::AppHandle;
use tauri::State;
use uw_app::{AppError, ErrorCode, Result, StoreKey, StoreState};

use crate::run::{blocking, logged, off_main, save_file, task, ticking};
use crate::state::Ws;

#[tauri::command(async)]
pub(crate) fn store_state(ws: State<'_, Ws>) -> Result<StoreState> {
    logged("store_state", || {
        Ok(StoreState {
            locked: ws.opened().is_none(),
            new_store: !ws.data_dir.join("cases.db").exists(),
            default_language: uw_app::paths::default_language(),
        })
    })
}

/// Opens the store with the passphrase typed on the unlock screen (no OS keyring here).
/// A wrong one leaves the store locked and the file untouched. Async: the key derivation
/// takes a moment.
#[tauri::command]
pub(crate) async fn unlock_store(app: AppHandle, passphrase: String) -> Result<()> {
    off_main(app, task("unlock_store"), move |ws| {
        if ws.opened().is_some() {
            return Ok(());
        }
        uw_app::paths::check_new_passphrase(&ws.data_dir, &passphrase)?;
        let opened = ws.open_with(StoreKey::Passphrase(passphrase))?;
        ws.set_opened(opened);
        Ok(())
    })
    .await
}

/// The recovery key of a store made at this start, while it waits to be confirmed.
#[tauri::command(async)]
pub(crate) fn new_recovery_key(
    ws: State<'_, Ws>,
) -> Result<Option<uw_app::store_key::NewRecoveryKey>> {
    logged("new_recovery_key", || Ok(ws.recovery().view(&ws.data_dir)))
}

/// "Save the recovery sheet…": the save dialog (opened by Rust), then the PDF. No dialog
/// opens unless a new store's key waits to be shown.
#[tauri::command]
pub(crate) async fn save_recovery_sheet(app: AppHandle, lang: String) -> Result<Option<String>> {
    blocking(app, task("save_recovery_sheet"), move |app, ws| {
        ws.recovery().waiting()?;
        let Some(path) = save_file(app, ("PDF", &["pdf"]), "recovery-key.pdf")? else {
            return Ok(None);
        };
        ticking(app, &task("save_recovery_sheet"), || {
            ws.recovery().save_sheet(&ws.data_dir, &lang, &path)
        })?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// "I have stored it": the key is shown no more.
#[tauri::command]
pub(crate) fn confirm_recovery_key(ws: State<'_, Ws>) -> Result<()> {
    logged("confirm_recovery_key", || {
        ws.recovery().confirm();
        Ok(())
    })
}

/// Opens the store with its recovery key where the keyring has no key (or a stale one)
/// for it, and puts the key back into the keyring; the answer says whether it could.
#[tauri::command]
pub(crate) async fn unlock_with_recovery_key(
    app: AppHandle,
    key: String,
) -> Result<uw_app::store_key::Recovered> {
    off_main(app, task("unlock_with_recovery_key"), move |ws| {
        if ws.opened().is_some() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "recovery key: the case store is already open; nothing was done",
            ));
        }
        let (store_key, done) = uw_app::store_key::recover(
            &uw_app::keyring::SecretTool,
            &ws.data_dir,
            &key,
            &uw_app::paths::os_user(),
        )?;
        let opened = ws.open_with(store_key)?;
        ws.set_opened(opened);
        Ok(done)
    })
    .await
}
