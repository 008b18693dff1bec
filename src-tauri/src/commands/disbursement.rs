//! After the sign-off: the VIN prohibition's request, the facts of §6 and the orders of
//! the two stages (each decided by the bank).

use tauri::State;
use uw_app::{DisbursementView, Result};
use uw_domain::disbursement::Fact;

use crate::run::logged;
use crate::state::Ws;

#[tauri::command]
pub(crate) fn disbursement(ws: State<'_, Ws>, case_id: String) -> Result<DisbursementView> {
    logged("disbursement", || ws.signed_in()?.disbursement(&case_id))
}

/// The request goes to the registry with the next sync pass, started now.
#[tauri::command]
pub(crate) fn request_lien(ws: State<'_, Ws>, case_id: String) -> Result<DisbursementView> {
    logged("request_lien", || {
        ws.changed_urgently(ws.signed_in()?.request_lien(&case_id))
    })
}

#[tauri::command]
pub(crate) fn record_disbursement_fact(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    fact: Fact,
) -> Result<DisbursementView> {
    logged("record_disbursement_fact", || {
        ws.changed(
            ws.signed_in()?
                .record_disbursement_fact(&case_id, version, fact),
        )
    })
}

#[tauri::command]
pub(crate) fn order_disbursement(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    stage: u8,
) -> Result<DisbursementView> {
    logged("order_disbursement", || {
        ws.changed_urgently(ws.signed_in()?.order_disbursement(&case_id, version, stage))
    })
}
