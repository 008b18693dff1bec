//! Help: the support bundle.

use tauri::AppHandle;
use uw_app::{Result, SupportBundle};

use crate::run::{save_then, task};

/// Help → "Save a support bundle…": the log of the last two weeks and the health report
/// (`uw_app::support`), to a file the person picks. The report asks the bank and the
/// directory.
#[tauri::command]
pub(crate) async fn save_support_bundle(app: AppHandle) -> Result<Option<SupportBundle>> {
    let work = task("save_support_bundle");
    let name = uw_app::support_file_name();
    save_then(app, work, ("Support bundle", &["zip"]), name, |ws, path| {
        ws.support_bundle(path)
    })
    .await
}
