//! Administration and settings (`uw_app::admin`): each checks the session here and the
//! administrator's role in the service, before any work.

use tauri::AppHandle;
use tauri::State;
use uw_app::{
    AdminSettings, BackupSettings, BankInput, DirectoryInput, NewUser, Result, UserRoles, UserView,
};

use crate::run::{logged, off_main, task};
use crate::state::Ws;

#[tauri::command]
pub(crate) fn admin_users(ws: State<'_, Ws>) -> Result<Vec<UserView>> {
    logged("admin_users", || ws.signed_in()?.admin_users())
}

#[tauri::command]
pub(crate) fn admin_set_roles(ws: State<'_, Ws>, username: String, roles: UserRoles) -> Result<()> {
    logged("admin_set_roles", || {
        ws.signed_in()?.admin_set_roles(&username, roles)
    })
}

/// Async: Argon2 hashes the temporary password.
#[tauri::command]
pub(crate) async fn admin_reset_password(
    app: AppHandle,
    username: String,
    password: String,
) -> Result<()> {
    off_main(app, task("admin_reset_password"), move |ws| {
        ws.signed_in()?.admin_reset_password(&username, &password)
    })
    .await
}

#[tauri::command]
pub(crate) fn admin_reset_second_factor(ws: State<'_, Ws>, username: String) -> Result<()> {
    logged("admin_reset_second_factor", || {
        ws.signed_in()?.admin_reset_second_factor(&username)
    })
}

#[tauri::command]
pub(crate) fn admin_unlock(ws: State<'_, Ws>, username: String) -> Result<()> {
    logged("admin_unlock", || ws.signed_in()?.admin_unlock(&username))
}

#[tauri::command]
pub(crate) fn admin_set_active(ws: State<'_, Ws>, username: String, active: bool) -> Result<()> {
    logged("admin_set_active", || {
        ws.signed_in()?.admin_set_active(&username, active)
    })
}

#[tauri::command]
pub(crate) async fn create_user(app: AppHandle, user: NewUser) -> Result<()> {
    off_main(app, task("create_user"), move |ws| {
        ws.signed_in()?.create_user(&user)
    })
    .await
}

#[tauri::command]
pub(crate) fn admin_settings(ws: State<'_, Ws>) -> Result<AdminSettings> {
    logged("admin_settings", || ws.signed_in()?.admin_settings())
}

#[tauri::command]
pub(crate) fn admin_set_idle_minutes(ws: State<'_, Ws>, minutes: u32) -> Result<()> {
    logged("admin_set_idle_minutes", || {
        ws.signed_in()?.set_idle_minutes(minutes)
    })
}

/// Async: a CA bundle is read and checked.
#[tauri::command]
pub(crate) async fn admin_set_bank(app: AppHandle, bank: BankInput) -> Result<()> {
    off_main(app, task("admin_set_bank"), move |ws| {
        ws.signed_in()?.admin_set_bank(&bank)
    })
    .await
}

/// Async: the bank is asked.
#[tauri::command]
pub(crate) async fn admin_test_bank(app: AppHandle) -> Result<()> {
    off_main(app, task("admin_test_bank"), |ws| {
        ws.signed_in()?.admin_test_bank()
    })
    .await
}

/// Async: the backup folder is checked.
#[tauri::command]
pub(crate) async fn admin_set_backup(app: AppHandle, backup: BackupSettings) -> Result<()> {
    off_main(app, task("admin_set_backup"), move |ws| {
        ws.signed_in()?.admin_set_backup(&backup)
    })
    .await
}

/// "Back up now": the window goes on while the copy is made and checked.
#[tauri::command]
pub(crate) async fn backup_now(app: AppHandle) -> Result<uw_app::BackupSummary> {
    off_main(app, task("backup_now"), |ws| {
        ws.signed_in()?
            .backup_now(chrono::Local::now().naive_local())
    })
    .await
}

#[tauri::command]
pub(crate) fn admin_set_language(ws: State<'_, Ws>, lang: String) -> Result<()> {
    logged("admin_set_language", || {
        ws.signed_in()?.admin_set_language(&lang)
    })
}

#[tauri::command]
pub(crate) fn admin_set_directory(ws: State<'_, Ws>, directory: DirectoryInput) -> Result<()> {
    logged("admin_set_directory", || {
        ws.signed_in()?.admin_set_directory(&directory)
    })
}

/// Async: the directory is asked.
#[tauri::command]
pub(crate) async fn admin_test_directory(app: AppHandle) -> Result<()> {
    off_main(app, task("admin_test_directory"), |ws| {
        ws.signed_in()?.admin_test_directory()
    })
    .await
}
