//! The dual review: submission, the second person's approval, rejection or return, a
//! claim released, and the conditions an approval is subject to.

use tauri::AppHandle;
use tauri::State;
use uw_app::{CaseView, ConditionView, Result, ReviewView};
use uw_domain::approval_conditions::{Closing, NewCondition};
use uw_domain::case::ReviewDecision;

use crate::run::{logged, off_main, task};
use crate::state::Ws;

#[tauri::command]
pub(crate) fn case_review(ws: State<'_, Ws>, case_id: String) -> Result<ReviewView> {
    logged("case_review", || ws.signed_in()?.review(&case_id))
}

/// Async: the submission asks the Pledge Registry first.
#[tauri::command]
pub(crate) async fn submit_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    decision: ReviewDecision,
    justification: String,
) -> Result<CaseView> {
    off_main(app, task("submit_case").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .submit(&case_id, version, decision, &justification),
        )
    })
    .await
}

/// Async: Argon2 checks the password.
#[tauri::command]
pub(crate) async fn approve_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    password: String,
    exception: Option<String>,
) -> Result<CaseView> {
    off_main(app, task("approve_case").on(&case_id), move |ws| {
        let ws_in = ws.signed_in()?;
        ws.changed(match exception.as_deref() {
            None => ws_in.approve(&case_id, version, &password),
            Some(reason) => ws_in.approve_by_exception(&case_id, version, &password, reason),
        })
    })
    .await
}

#[tauri::command]
pub(crate) async fn reject_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    comment: String,
    password: String,
) -> Result<CaseView> {
    off_main(app, task("reject_case").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .reject(&case_id, version, &comment, &password),
        )
    })
    .await
}

#[tauri::command]
pub(crate) fn return_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    comment: String,
) -> Result<CaseView> {
    logged("return_case", || {
        ws.changed(ws.signed_in()?.return_case(&case_id, version, &comment))
    })
}

#[tauri::command]
pub(crate) fn release_case(ws: State<'_, Ws>, case_id: String) -> Result<()> {
    logged("release_case", || ws.signed_in()?.release_case(&case_id))
}

#[tauri::command]
pub(crate) fn case_conditions(ws: State<'_, Ws>, case_id: String) -> Result<Vec<ConditionView>> {
    logged("case_conditions", || ws.signed_in()?.conditions(&case_id))
}

#[tauri::command]
pub(crate) fn raise_condition(
    ws: State<'_, Ws>,
    case_id: String,
    condition: NewCondition,
) -> Result<Vec<ConditionView>> {
    logged("raise_condition", || {
        ws.signed_in()?.raise_condition(&case_id, &condition)
    })
}

#[tauri::command]
pub(crate) fn close_condition(
    ws: State<'_, Ws>,
    case_id: String,
    condition_id: String,
    how: Closing,
    words: String,
) -> Result<Vec<ConditionView>> {
    logged("close_condition", || {
        ws.signed_in()?
            .close_condition(&case_id, &condition_id, how, &words)
    })
}
