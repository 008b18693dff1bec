//! The document checks: scans, each required paper's status, and the checks the bank
//! answers (identity, the credit bureau, the official income).

use std::path::PathBuf;
use tauri::AppHandle;
use tauri::State;
use uw_app::{CaseView, Result, ScanList};
use uw_domain::case::{DocumentKind, DocumentStatus};

use crate::run::{logged, off_main, pick_then, task, Filter};
use crate::state::Ws;

#[tauri::command]
pub(crate) fn scans(ws: State<'_, Ws>, case_id: String) -> Result<ScanList> {
    logged("scans", || ws.signed_in()?.scans(&case_id))
}

#[tauri::command]
pub(crate) async fn attach_scans(
    app: AppHandle,
    case_id: String,
    kind: String,
    party: usize,
    paths: Vec<String>,
) -> Result<ScanList> {
    off_main(app, task("attach_scans").on(&case_id), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.changed(
            ws.signed_in()?
                .attach_scan_files(&case_id, &kind, party, &paths),
        )
    })
    .await
}

#[tauri::command]
pub(crate) async fn pick_scans(
    app: AppHandle,
    case_id: String,
    kind: String,
    party: usize,
) -> Result<Option<ScanList>> {
    const SCANS: &[Filter] = &[
        ("Scans (PDF, PNG, JPEG)", &["pdf", "png", "jpg", "jpeg"]),
        ("All files", &["*"]),
    ];
    let work = task("attach_scans").on(&case_id);
    pick_then(app, "pick_scans", SCANS, work, move |ws, signed, paths| {
        ws.changed(signed.attach_scan_files(&case_id, &kind, party, paths))
    })
    .await
}

/// The scan's bytes as an ArrayBuffer (no JSON on the way): the viewer draws them.
#[tauri::command]
pub(crate) async fn scan_content(
    app: AppHandle,
    case_id: String,
    id: i64,
) -> Result<tauri::ipc::Response> {
    off_main(app, task("scan_content").on(&case_id), move |ws| {
        let (_, bytes) = ws.signed_in()?.scan_content(&case_id, id)?;
        Ok(tauri::ipc::Response::new(bytes))
    })
    .await
}

#[tauri::command]
pub(crate) fn remove_scan(ws: State<'_, Ws>, case_id: String, id: i64) -> Result<ScanList> {
    logged("remove_scan", || {
        ws.changed(ws.signed_in()?.remove_scan(&case_id, id))
    })
}

#[tauri::command]
pub(crate) fn mark_document(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    kind: DocumentKind,
    party: usize,
    status: DocumentStatus,
    reason: Option<String>,
) -> Result<CaseView> {
    logged("mark_document", || {
        ws.changed(ws.signed_in()?.mark_document(
            &case_id,
            version,
            kind,
            party,
            status,
            reason.as_deref(),
        ))
    })
}

#[tauri::command]
pub(crate) async fn verify_identity(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("verify_identity").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.verify_identity(&case_id, version, party))
    })
    .await
}

#[tauri::command]
pub(crate) async fn pull_bureau(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("pull_bureau").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.pull_bureau(&case_id, version, party))
    })
    .await
}

#[tauri::command]
pub(crate) async fn pull_bureau_all(
    app: AppHandle,
    case_id: String,
    version: i64,
) -> Result<CaseView> {
    off_main(app, task("pull_bureau_all").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.pull_bureau_all(&case_id, version))
    })
    .await
}

#[tauri::command]
pub(crate) async fn pull_official_income(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("pull_official_income").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .pull_official_income(&case_id, version, party),
        )
    })
    .await
}
