//! Income from statements: files read off the window's thread with their progress, a
//! transaction's kind changed by the person, the verified figure applied to the case.

use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::AppHandle;
use uw_app::{CaseView, IncomeView, ReadProgress, Result};
use uw_domain::case::IncomeKind;

use crate::run::{off_main, pick_then, task, Filter};

/// Async: every stored statement of the party is read again.
#[tauri::command]
pub(crate) async fn statement_income(
    app: AppHandle,
    case_id: String,
    party: usize,
) -> Result<IncomeView> {
    off_main(app, task("statement_income").on(&case_id), move |ws| {
        ws.signed_in()?.statement_income(&case_id, party)
    })
    .await
}

/// Attaches files by path (typed, or dropped on the window); progress goes to the channel.
#[tauri::command]
pub(crate) async fn attach_statements(
    app: AppHandle,
    case_id: String,
    party: usize,
    paths: Vec<String>,
    on_progress: Channel<ReadProgress>,
) -> Result<IncomeView> {
    off_main(app, task("attach_statements").on(&case_id), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?
            .attach_statement_files(&case_id, party, &paths, &mut |p| {
                let _ = on_progress.send(p); // a closed window only loses the bar
            })
    })
    .await
}

#[tauri::command]
pub(crate) async fn pick_statements(
    app: AppHandle,
    case_id: String,
    party: usize,
    on_progress: Channel<ReadProgress>,
) -> Result<Option<IncomeView>> {
    const STATEMENTS: &[Filter] = &[
        ("Bank statements", &["txt", "csv", "xlsx", "xls"]),
        ("All files", &["*"]),
    ];
    let work = task("attach_statements").on(&case_id);
    pick_then(
        app,
        "pick_statements",
        STATEMENTS,
        work,
        move |_, signed, paths| {
            signed.attach_statement_files(&case_id, party, paths, &mut |p| {
                let _ = on_progress.send(p);
            })
        },
    )
    .await
}

#[tauri::command]
pub(crate) async fn remove_statement(
    app: AppHandle,
    case_id: String,
    party: usize,
    id: i64,
) -> Result<IncomeView> {
    off_main(app, task("remove_statement").on(&case_id), move |ws| {
        ws.signed_in()?.remove_statement(&case_id, party, id)
    })
    .await
}

#[tauri::command]
pub(crate) async fn reclassify_transaction(
    app: AppHandle,
    case_id: String,
    party: usize,
    file: String,
    line: usize,
    kind: Option<IncomeKind>,
    note: String,
) -> Result<IncomeView> {
    off_main(
        app,
        task("reclassify_transaction").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .reclassify(&case_id, party, &file, line, kind, &note)
        },
    )
    .await
}

#[tauri::command]
pub(crate) async fn apply_statement_income(
    app: AppHandle,
    case_id: String,
    party: usize,
    version: i64,
) -> Result<CaseView> {
    off_main(
        app,
        task("apply_statement_income").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .apply_statement_income(&case_id, party, version)
        },
    )
    .await
}
