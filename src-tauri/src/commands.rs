//! The IPC commands. Each is a thin call into `uw_app::Workstation`; errors cross as
//! `{code, message}` (`uw_app::AppError`).

use std::path::PathBuf;

use serde_json::Value;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use uw_app::{
    AppError, AppStatus, CaseEvent, CaseView, ErrorCode, ImportReport, OpenOptions, QueuePage,
    QueueQuery, Result, Workstation,
};
use uw_domain::vin::VinReport;
use uw_domain::Evaluation;

/// The workstation, or why it could not open (a foreign database, an unwritable folder):
/// the window still opens and shows that error instead of vanishing.
pub struct Ws(std::result::Result<Workstation, AppError>);

impl Ws {
    pub fn open(demo: bool) -> Ws {
        Ws(Workstation::open(OpenOptions {
            data_dir: uw_app::paths::data_dir(demo),
            actor: uw_app::paths::os_user(),
            demo,
        }))
    }

    fn get(&self) -> Result<&Workstation> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_status,
        queue,
        open_case,
        evaluate_case,
        save_case,
        import_files,
        pick_and_import,
        export_case,
        case_history,
        check_vin,
    ]
}

#[tauri::command]
fn app_status(ws: State<'_, Ws>) -> Result<AppStatus> {
    ws.get()?.status()
}

#[tauri::command]
fn queue(ws: State<'_, Ws>, query: QueueQuery) -> Result<QueuePage> {
    ws.get()?.queue(&query)
}

#[tauri::command]
fn open_case(ws: State<'_, Ws>, case_id: String) -> Result<CaseView> {
    ws.get()?.open_case(&case_id)
}

#[tauri::command]
fn evaluate_case(ws: State<'_, Ws>, case: Value) -> Result<Evaluation> {
    ws.get()?.evaluate_value(case)
}

#[tauri::command]
fn save_case(ws: State<'_, Ws>, case_id: String, version: i64, case: Value) -> Result<CaseView> {
    ws.get()?.save_case(&case_id, version, case)
}

#[tauri::command]
fn import_files(ws: State<'_, Ws>, paths: Vec<String>) -> Result<ImportReport> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    ws.get()?.import_files(&paths)
}

/// Opens the system file picker from Rust (the web view has no dialog permission).
#[tauri::command]
async fn pick_and_import(app: AppHandle, ws: State<'_, Ws>) -> Result<Option<ImportReport>> {
    let picked = app
        .dialog()
        .file()
        .add_filter("Case files", &["json"])
        .blocking_pick_files();
    let Some(files) = picked else { return Ok(None) };
    let paths = files
        .into_iter()
        .map(|f| {
            f.into_path()
                .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    ws.get()?.import_files(&paths).map(Some)
}

#[tauri::command]
async fn export_case(app: AppHandle, ws: State<'_, Ws>, case_id: String) -> Result<Option<String>> {
    let picked = app
        .dialog()
        .file()
        .add_filter("Case files", &["json"])
        .set_file_name(format!("{case_id}.json"))
        .blocking_save_file();
    let Some(file) = picked else { return Ok(None) };
    let path = file
        .into_path()
        .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    ws.get()?
        .export_case_to(&case_id, &path)
        .map(|p| Some(p.display().to_string()))
}

#[tauri::command]
fn case_history(ws: State<'_, Ws>, case_id: String) -> Result<Vec<CaseEvent>> {
    ws.get()?.history(&case_id)
}

#[tauri::command]
fn check_vin(ws: State<'_, Ws>, vin: String) -> Result<VinReport> {
    Ok(ws.get()?.check_vin(&vin))
}
