//! The papers: the agreement (its preview and its PDF), the rejection letter and the
//! decision memo, each handed to the system's viewer.

use tauri::AppHandle;
use uw_app::{AgreementPreview, PrintedFile, Result};

use crate::run::{off_main, task};

#[tauri::command]
pub(crate) async fn agreement_preview(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<AgreementPreview> {
    off_main(app, task("agreement_preview").on(&case_id), move |ws| {
        ws.signed_in()?.agreement_preview(&case_id, &lang)
    })
    .await
}

/// Writes the agreement's PDF and hands it to the system's viewer, whose Print prints it.
#[tauri::command]
pub(crate) async fn print_agreement(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<PrintedFile> {
    off_main(app, task("print_agreement").on(&case_id), move |ws| {
        ws.signed_in()?
            .print_agreement(&case_id, &lang)
            .map(to_the_viewer)
    })
    .await
}

/// Writes the rejection letter's PDF and hands it to the system's viewer.
#[tauri::command]
pub(crate) async fn print_rejection_letter(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<PrintedFile> {
    off_main(
        app,
        task("print_rejection_letter").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .print_rejection_letter(&case_id, &lang)
                .map(to_the_viewer)
        },
    )
    .await
}

/// Writes the decision memo's PDF and hands it to the system's viewer.
#[tauri::command]
pub(crate) async fn print_decision_memo(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<PrintedFile> {
    off_main(app, task("print_decision_memo").on(&case_id), move |ws| {
        ws.signed_in()?
            .print_decision_memo(&case_id, &lang)
            .map(to_the_viewer)
    })
    .await
}

/// A printed file handed to the system's viewer.
fn to_the_viewer(path: std::path::PathBuf) -> PrintedFile {
    let opened = open_with_system(&path);
    PrintedFile {
        path: path.display().to_string(),
        opened,
    }
}

/// The system's own opener (`UW_OPEN_WITH` names another program; `none` opens nothing),
/// started with a cleared environment.
fn open_with_system(path: &std::path::Path) -> bool {
    let opener = std::env::var("UW_OPEN_WITH").unwrap_or_else(|_| {
        if cfg!(target_os = "windows") {
            "explorer".into()
        } else if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    if opener == "none" {
        return false;
    }
    // A cleared environment: the viewer sees the display and the session, never the
    // store's passphrase or the bank's token (`uw_app::paths::CHILD_ENV`).
    uw_app::paths::child_command(opener)
        .arg(path)
        .spawn()
        .is_ok()
}
