//! The case itself: open, evaluate, save, export, its history, the VIN check, a
//! counter-offer taken, its notes and who works it.

use serde_json::Value;
use tauri::AppHandle;
use tauri::State;
use uw_app::{AssignmentView, CaseEvent, CaseView, Result, StoredNote};
use uw_domain::vin::VinReport;
use uw_domain::Evaluation;

use crate::run::{logged, save_then, task};
use crate::state::Ws;

#[tauri::command]
pub(crate) fn open_case(ws: State<'_, Ws>, case_id: String) -> Result<CaseView> {
    logged("open_case", || ws.signed_in()?.open_case(&case_id))
}

#[tauri::command]
pub(crate) fn evaluate_case(ws: State<'_, Ws>, case: Value) -> Result<Evaluation> {
    logged("evaluate_case", || ws.signed_in()?.evaluate_value(case))
}

#[tauri::command]
pub(crate) fn save_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    case: Value,
) -> Result<CaseView> {
    logged("save_case", || {
        ws.changed(ws.signed_in()?.save_case(&case_id, version, case))
    })
}

#[tauri::command]
pub(crate) fn take_counter_offer(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    term_months: u32,
) -> Result<CaseView> {
    logged("take_counter_offer", || {
        ws.changed(
            ws.signed_in()?
                .take_counter_offer(&case_id, version, term_months),
        )
    })
}

#[tauri::command]
pub(crate) async fn export_case(app: AppHandle, case_id: String) -> Result<Option<String>> {
    let work = task("export_case").on(&case_id);
    let name = format!("{case_id}.json");
    let saved = save_then(
        app,
        work,
        ("Case files", &["json"]),
        name,
        move |ws, path| ws.export_case_to(&case_id, path),
    )
    .await?;
    Ok(saved.map(|p| p.display().to_string()))
}

#[tauri::command]
pub(crate) fn case_history(ws: State<'_, Ws>, case_id: String) -> Result<Vec<CaseEvent>> {
    logged("case_history", || ws.signed_in()?.history(&case_id))
}

#[tauri::command]
pub(crate) fn check_vin(ws: State<'_, Ws>, vin: String) -> Result<VinReport> {
    logged("check_vin", || Ok(ws.signed_in()?.check_vin(&vin)))
}

#[tauri::command]
pub(crate) fn case_notes(ws: State<'_, Ws>, case_id: String) -> Result<Vec<StoredNote>> {
    logged("case_notes", || ws.signed_in()?.notes(&case_id))
}

#[tauri::command]
pub(crate) fn add_case_note(
    ws: State<'_, Ws>,
    case_id: String,
    text: String,
) -> Result<Vec<StoredNote>> {
    logged("add_case_note", || {
        ws.signed_in()?.add_note(&case_id, &text)
    })
}

#[tauri::command]
pub(crate) fn case_assignment(ws: State<'_, Ws>, case_id: String) -> Result<AssignmentView> {
    logged("case_assignment", || {
        ws.signed_in()?.case_assignment(&case_id)
    })
}

#[tauri::command]
pub(crate) fn claim_case(ws: State<'_, Ws>, case_id: String) -> Result<AssignmentView> {
    logged("claim_case", || ws.signed_in()?.claim_case(&case_id))
}

#[tauri::command]
pub(crate) fn reassign_case(
    ws: State<'_, Ws>,
    case_id: String,
    to: String,
) -> Result<AssignmentView> {
    logged("reassign_case", || {
        ws.signed_in()?.reassign_case(&case_id, &to)
    })
}
