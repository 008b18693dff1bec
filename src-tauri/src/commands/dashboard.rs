//! The branch's dashboard, its portfolio from the bank, its spreadsheet, and the what-if
//! of a new product configuration over the open cases.

use tauri::AppHandle;
use uw_app::{Dashboard, Exported, Result, WhatIfReport};

use crate::run::{blocking, off_main, pick_file, save_then, task, ticking, XLSX};

/// Async: the figures are counted over the whole store.
#[tauri::command]
pub(crate) async fn dashboard(app: AppHandle) -> Result<Dashboard> {
    off_main(app, task("dashboard"), |ws| ws.signed_in()?.dashboard()).await
}

#[tauri::command]
pub(crate) async fn refresh_portfolio(app: AppHandle) -> Result<Dashboard> {
    off_main(app, task("refresh_portfolio"), |ws| {
        ws.signed_in()?.refresh_portfolio()
    })
    .await
}

/// Asks where, then writes the dashboard's tables as a spreadsheet.
#[tauri::command]
pub(crate) async fn export_dashboard_xlsx(app: AppHandle) -> Result<Option<Exported>> {
    let work = task("export_dashboard_xlsx");
    save_then(app, work, XLSX, "dashboard.xlsx".into(), |ws, path| {
        ws.export_dashboard_xlsx(path)
    })
    .await
}

#[tauri::command]
pub(crate) async fn what_if(app: AppHandle, path: String) -> Result<WhatIfReport> {
    off_main(app, task("what_if"), move |ws| {
        ws.signed_in()?.what_if_file(std::path::Path::new(&path))
    })
    .await
}

#[tauri::command]
pub(crate) async fn pick_what_if(app: AppHandle) -> Result<Option<WhatIfReport>> {
    blocking(app, task("pick_what_if"), |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let Some(path) = pick_file(app, &[("Product configuration", &["json"])])? else {
            return Ok(None);
        };
        ticking(app, &task("what_if"), || signed.what_if_file(&path)).map(Some)
    })
    .await
}
