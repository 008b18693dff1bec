//! Help: the support bundle.

use tauri::AppHandle;
use uw_app::{Result, SupportBundle};

use crate::run::{blocking, save_file, task, ticking};

/// Help → "Save a support bundle…": the log of the last two weeks and the health report
/// (`uw_app::support`), to a file the person picks. The report asks the bank and the
/// directory.
#[tauri::command]
pub(crate) async fn save_support_bundle(app: AppHandle) -> Result<Option<SupportBundle>> {
    blocking(app, task("save_support_bundle"), |app, ws| {
        // The session first: no dialog opens for nobody.
        let signed = ws.signed_in()?;
        let name = uw_app::support_file_name();
        let Some(path) = save_file(app, ("Support bundle", &["zip"]), &name)? else {
            return Ok(None);
        };
        ticking(app, &task("save_support_bundle"), || {
            signed.support_bundle(&path)
        })
        .map(Some)
    })
    .await
}
