//! Help: the support bundle.

use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;
use uw_app::{Result, SupportBundle};

use crate::run::{blocking, local_paths, task, ticking};

/// Help → "Save a support bundle…": the log of the last two weeks and the health report
/// (`uw_app::support`), to a file the person picks. The report asks the bank and the
/// directory.
#[tauri::command]
pub(crate) async fn save_support_bundle(app: AppHandle) -> Result<Option<SupportBundle>> {
    blocking(app, task("save_support_bundle"), |app, ws| {
        // The session first: no dialog opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Support bundle", &["zip"])
            .set_file_name(uw_app::support_file_name())
            .blocking_save_file();
        let Some(file) = picked else { return Ok(None) };
        let path = local_paths(vec![file])?.remove(0);
        ticking(app, &task("save_support_bundle"), || {
            signed.support_bundle(&path)
        })
        .map(Some)
    })
    .await
}
