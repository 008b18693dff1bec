//! The daily queue: the workstation's status, a page of rows and its count, case files
//! imported, the queue as a spreadsheet.

use std::path::PathBuf;
use tauri::AppHandle;
use tauri::State;
use uw_app::{AppStatus, Exported, ImportReport, QueueQuery, QueueRow, Result};

use crate::run::{logged, off_main, pick_then, save_then, task, XLSX};
use crate::state::Ws;

/// Off the window's thread (as every command the window asks before and right after a
/// login): it waits for the store's opening, and counts the cases.
#[tauri::command(async)]
pub(crate) fn app_status(ws: State<'_, Ws>) -> Result<AppStatus> {
    logged("app_status", || ws.get()?.status())
}

/// One page of the queue's rows, without their count (`queue_total`, asked once the page
/// is on screen): a page is read by an index, the count walks the whole of one.
#[tauri::command(async)]
pub(crate) fn queue(ws: State<'_, Ws>, query: QueueQuery) -> Result<Vec<QueueRow>> {
    logged("queue", || ws.signed_in()?.queue_rows(&query))
}

/// How many cases the queue's query matches.
#[tauri::command(async)]
pub(crate) fn queue_total(ws: State<'_, Ws>, query: QueueQuery) -> Result<i64> {
    logged("queue_total", || ws.signed_in()?.queue_total(&query))
}

#[tauri::command]
pub(crate) async fn import_files(app: AppHandle, paths: Vec<String>) -> Result<ImportReport> {
    off_main(app, task("import_files"), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?.import_files(&paths)
    })
    .await
}

/// Opens the system file picker from Rust (the web view has no dialog permission).
#[tauri::command]
pub(crate) async fn pick_and_import(app: AppHandle) -> Result<Option<ImportReport>> {
    let work = task("import_files");
    pick_then(
        app,
        "pick_and_import",
        &[("Case files", &["json"])],
        work,
        |_, signed, paths| signed.import_files(paths),
    )
    .await
}

/// Asks where, then writes every case the queue's query matches as a spreadsheet.
#[tauri::command]
pub(crate) async fn export_queue_xlsx(
    app: AppHandle,
    query: QueueQuery,
) -> Result<Option<Exported>> {
    let work = task("export_queue_xlsx");
    save_then(app, work, XLSX, "queue.xlsx".into(), move |ws, path| {
        ws.export_queue_xlsx(&query, path)
    })
    .await
}
