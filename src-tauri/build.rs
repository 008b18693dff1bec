//! Generates the permission of each app command; `capabilities/main.json` grants the main
//! window exactly these, and nothing of any plugin.

/// Every `#[tauri::command]` in `src/commands.rs`. A command missing here cannot be called.
const COMMANDS: &[&str] = &[
    "app_status",
    "queue",
    "open_case",
    "evaluate_case",
    "save_case",
    "import_files",
    "pick_and_import",
    "export_case",
    "case_history",
    "check_vin",
    "statement_income",
    "attach_statements",
    "pick_statements",
    "remove_statement",
    "reclassify_transaction",
    "apply_statement_income",
    "store_state",
    "unlock_store",
    "session_status",
    "login",
    "logout",
    "begin_totp",
    "confirm_totp",
    "setup_admin",
    "create_user",
    "case_review",
    "release_case",
    "submit_case",
    "approve_case",
    "reject_case",
    "return_case",
    "sync_status",
    "sync_now",
    "sync_conflicts",
    "resolve_conflict",
    "disbursement",
    "request_lien",
    "record_disbursement_fact",
    "order_disbursement",
    "agreement_preview",
    "print_agreement",
    "what_if",
    "pick_what_if",
    "dashboard",
    "refresh_portfolio",
    "take_counter_offer",
    "set_language",
    "verify_identity",
    "pull_bureau",
    "scans",
    "attach_scans",
    "pick_scans",
    "scan_content",
    "remove_scan",
    "mark_document",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
