//! The login screen and the session: who is at the desk, their password and second
//! factor, the first administrator, the person's language.

use tauri::AppHandle;
use tauri::State;
use uw_app::{NewUser, Result, Session, SessionStatus, TotpSetup};

use crate::run::{logged, off_main, task};
use crate::state::Ws;

#[tauri::command(async)]
pub(crate) fn session_status(ws: State<'_, Ws>) -> Result<SessionStatus> {
    logged("session_status", || ws.get()?.session_status())
}

/// Async: Argon2id, and with the bank's directory the bind and the key's enrolment, take a
/// moment. A login syncs at once (a reviewer's inbox, statements waiting for the person).
#[tauri::command]
pub(crate) async fn login(
    app: AppHandle,
    username: String,
    password: String,
    code: Option<String>,
) -> Result<Session> {
    off_main(app, task("login"), move |ws| {
        ws.changed_urgently(ws.get()?.login(&username, &password, code.as_deref()))
    })
    .await
}

/// Async: Argon2 checks the owner's password.
#[tauri::command]
pub(crate) async fn begin_totp(
    app: AppHandle,
    password: String,
    code: Option<String>,
) -> Result<TotpSetup> {
    off_main(app, task("begin_totp"), move |ws| {
        ws.signed_in()?.begin_totp(&password, code.as_deref())
    })
    .await
}

#[tauri::command]
pub(crate) fn confirm_totp(ws: State<'_, Ws>, code: String) -> Result<()> {
    logged("confirm_totp", || ws.signed_in()?.confirm_totp(&code))
}

/// The person's password: a local account's (also the one an administrator set, changed
/// before anything else), or a directory person's, whose signing key is re-wrapped with the
/// new one. Async: the directory is asked, or Argon2 hashes.
#[tauri::command]
pub(crate) async fn change_password(app: AppHandle, old: String, new: String) -> Result<()> {
    off_main(app, task("change_password"), move |ws| {
        ws.signed_in_to_change_password()?
            .change_password(&old, &new)
    })
    .await
}

#[tauri::command]
pub(crate) fn logout(ws: State<'_, Ws>) -> Result<()> {
    logged("logout", || ws.get()?.logout())
}

#[tauri::command]
pub(crate) async fn setup_admin(app: AppHandle, user: NewUser) -> Result<Session> {
    off_main(app, task("setup_admin"), move |ws| {
        ws.get()?.create_first_admin(&user)
    })
    .await
}

#[tauri::command]
pub(crate) fn set_language(ws: State<'_, Ws>, lang: String) -> Result<()> {
    logged("set_language", || ws.get()?.set_language(&lang))
}
