//! The session first: every command of the app's manifest (`src-tauri/build.rs`), called
//! from the window with well-formed arguments and nobody logged in, answers
//! `NOT_LOGGED_IN` — nothing is read, written, asked of the bank or opened — except the few
//! the login screen itself needs.

use serde_json::{json, Value};
use uw_e2e::{find, serial, Display, Driver, Result};

/// What the login screen calls before anyone is in: the store's lock, the status bar, the
/// language, the session's state, logging in and out, the first administrator, and the
/// store's recovery key (a new store's shown once; the unlock with it).
const BEFORE_LOGIN: [&str; 12] = [
    "store_state",
    "unlock_store",
    "new_recovery_key",
    "save_recovery_sheet",
    "confirm_recovery_key",
    "unlock_with_recovery_key",
    "app_status",
    "set_language",
    "session_status",
    "login",
    "logout",
    "setup_admin",
];

/// Well-formed arguments for each command (a new command must be added here: the test
/// refuses a command it cannot call).
fn args(command: &str) -> Option<Value> {
    let case = "AUTO-2026-000123";
    let user = json!({"username": "mallory", "display_name": "M", "password": "long enough pw",
                      "admin": true, "underwriter": true, "reviewer": true});
    let channel = "__CHANNEL__:1";
    Some(match command {
        "app_status"
        | "pick_and_import"
        | "session_status"
        | "logout"
        | "sync_status"
        | "sync_now"
        | "sync_conflicts"
        | "pick_what_if"
        | "dashboard"
        | "backup_now"
        | "refresh_portfolio"
        | "store_state"
        | "export_dashboard_xlsx" => json!({}),
        "export_queue_xlsx" => json!({"query": {}}),
        "queue" | "queue_total" => json!({"query": {}}),
        "open_case" | "export_case" | "case_history" | "case_review" | "release_case"
        | "case_notes" | "case_conditions" | "case_assignment" | "claim_case" | "disbursement"
        | "request_lien" | "scans" => {
            json!({"caseId": case})
        }
        "reassign_case" => json!({"caseId": case, "to": "carol"}),
        "raise_condition" => {
            json!({"caseId": case, "condition": {"text": "t", "owner": "o", "due": "2030-01-01", "stage": 1}})
        }
        "close_condition" => {
            json!({"caseId": case, "conditionId": "c", "how": "meet", "words": "w"})
        }
        "evaluate_case" => json!({"case": {}}),
        "add_case_note" => json!({"caseId": case, "text": "a note"}),
        "save_case" => json!({"caseId": case, "version": 1, "case": {}}),
        "import_files" => json!({"paths": []}),
        "check_vin" => json!({"vin": "XWBJA69V9LA123456"}),
        "statement_income" => json!({"caseId": case, "party": 0}),
        "attach_statements" => {
            json!({"caseId": case, "party": 0, "paths": [], "onProgress": channel})
        }
        "pick_statements" => json!({"caseId": case, "party": 0, "onProgress": channel}),
        "remove_statement" => json!({"caseId": case, "party": 0, "id": 1}),
        "reclassify_transaction" => {
            json!({"caseId": case, "party": 0, "file": "a.txt", "line": 1, "kind": null, "note": "n"})
        }
        "apply_statement_income" | "verify_identity" | "pull_bureau" | "pull_official_income" => {
            json!({"caseId": case, "party": 0, "version": 1})
        }
        "pull_bureau_all" => json!({"caseId": case, "version": 1}),
        "unlock_store" => json!({"passphrase": "not the store's"}),
        "new_recovery_key" | "confirm_recovery_key" => json!({}),
        "save_recovery_sheet" => json!({"lang": "en"}),
        "unlock_with_recovery_key" => json!({"key": "0000-not-a-key"}),
        "login" => json!({"username": "nobody", "password": "wrong password", "code": null}),
        "confirm_totp" => json!({"code": "123456"}),
        "begin_totp" => json!({"password": "long enough pw", "code": null}),
        "change_password" => json!({"old": "old password", "new": "new password"}),
        "setup_admin" | "create_user" => json!({"user": user}),
        "submit_case" => {
            json!({"caseId": case, "version": 1, "decision": "approve", "justification": "j"})
        }
        "approve_case" => json!({"caseId": case, "version": 1, "password": "p"}),
        "reject_case" => json!({"caseId": case, "version": 1, "comment": "c", "password": "p"}),
        "return_case" => json!({"caseId": case, "version": 1, "comment": "c"}),
        "resolve_conflict" => json!({"id": 1, "keep": "bank"}),
        "record_disbursement_fact" => {
            json!({"caseId": case, "version": 1, "fact": {"kind": "advance", "amount": "1.00"}})
        }
        "order_disbursement" => json!({"caseId": case, "version": 1, "stage": 1}),
        "agreement_preview"
        | "print_agreement"
        | "print_rejection_letter"
        | "print_decision_memo" => {
            json!({"caseId": case, "lang": "uz"})
        }
        "what_if" => json!({"path": "/etc/hostname"}),
        "set_language" => json!({"lang": "en"}),
        "attach_scans" => json!({"caseId": case, "kind": "identity", "party": 0, "paths": []}),
        "pick_scans" => json!({"caseId": case, "kind": "identity", "party": 0}),
        "scan_content" | "remove_scan" => json!({"caseId": case, "id": 1}),
        "mark_document" => json!({"caseId": case, "version": 1, "kind": "identity", "party": 0,
                                   "status": "verified", "reason": null}),
        "take_counter_offer" => json!({"caseId": case, "version": 1, "termMonths": 36}),
        // Administration and settings.
        "admin_users" | "admin_settings" | "admin_test_bank" | "admin_test_directory" => json!({}),
        "admin_reset_second_factor" | "admin_unlock" => json!({"username": "bob"}),
        "admin_set_roles" => json!({"username": "bob",
                                     "roles": {"admin": true, "underwriter": true, "reviewer": true}}),
        "admin_reset_password" => json!({"username": "bob", "password": "temporary password"}),
        "admin_set_active" => json!({"username": "bob", "active": false}),
        "admin_set_idle_minutes" => json!({"minutes": 240}),
        "admin_set_language" => json!({"lang": "en"}),
        "admin_set_bank" => json!({"bank": {"url": "https://elsewhere.example/", "token": "t",
                                            "branch": "", "ca_file": null, "clear_ca": true}}),
        "admin_set_backup" => json!({"backup": {"folder": "/tmp", "time": "20:00", "keep": 7}}),
        "admin_set_directory" => json!({"directory": {"url": "", "starttls": false, "ca_file": "",
            "base_dn": "", "user_attribute": "", "branch_attribute": "", "service_dn": "",
            "service_password": null, "underwriter_group": "", "reviewer_group": "",
            "administrator_group": "", "disabled_filter": ""}}),
        "save_support_bundle" => json!({}),
        _ => return None,
    })
}

include!("../../src-tauri/command_list.rs");

fn workspace_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// The app's commands, as `src-tauri/build.rs` makes its manifest: every
/// `#[tauri::command]` of `src-tauri/src/commands/`.
fn manifest() -> Vec<String> {
    let commands: Vec<String> = app_commands(&workspace_file("src-tauri/src/commands"))
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert!(
        !commands.is_empty(),
        "no command in src-tauri/src/commands/"
    );
    commands
}

/// `text` with `from`'s list (up to the next `]`) replaced by `lines`, one per line.
fn with_list(text: &str, from: &str, lines: &[String], indent: &str) -> String {
    let Some(start) = text.find(from).map(|i| i + from.len()) else {
        return text.to_string();
    };
    let end = start + text[start..].find(']').unwrap_or(0);
    let body: Vec<String> = lines.iter().map(|l| format!("{indent}{l}")).collect();
    format!(
        "{}\n{}\n{}{}",
        &text[..start],
        body.join(",\n"),
        &indent[..indent.len().saturating_sub(2)],
        &text[end..]
    )
}

/// Checks a generated file against what the command list says; UPDATE_BINDINGS=1 writes
/// it instead (as the IPC types' bindings are).
fn fresh(path: &str, want: &str) {
    let file = workspace_file(path);
    let have = std::fs::read_to_string(&file).unwrap_or_default();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&file, want).expect("the file is writable");
        return;
    }
    assert!(
        have == want,
        "{path} does not follow the commands of src-tauri/src/commands/: run UPDATE_BINDINGS=1 cargo test -p uw-e2e --test e2e commands_"
    );
}

/// The window's capability grants exactly the app's commands (and listening to the
/// window's own events), nothing else.
#[test]
fn commands_are_exactly_what_the_capability_grants() {
    let mut granted: Vec<String> = manifest()
        .iter()
        .map(|c| format!("\"{}\"", permission_of(c)))
        .collect();
    granted.push("\"core:event:allow-listen\"".into());
    granted.push("\"core:event:allow-unlisten\"".into());
    let path = "src-tauri/capabilities/main.json";
    let have = std::fs::read_to_string(workspace_file(path)).unwrap_or_default();
    fresh(
        path,
        &with_list(&have, "\"permissions\": [", &granted, "    "),
    );
}

/// The window's client names the commands by a type made from the same list: a command
/// the window calls that Rust lacks does not compile.
#[test]
fn commands_are_exactly_what_the_window_s_client_names() {
    let names: Vec<String> = manifest().iter().map(|c| format!("  | \"{c}\"")).collect();
    let want = format!(
        "// Generated from the #[tauri::command] functions of src-tauri/src/commands/; do not\n\
         // edit (UPDATE_BINDINGS=1 cargo test -p uw-e2e --test e2e commands_).\n\
         export type Command =\n{};\n",
        names.join("\n")
    );
    fresh("ui/src/commands.ts", &want);
}

#[tokio::test]
async fn every_command_but_the_login_screen_s_needs_a_session() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;
    find(&c, "[data-testid=login]").await?;
    let commands = manifest();
    assert!(commands.len() > 50, "{commands:?}");
    let mut wrong = Vec::new();
    for command in &commands {
        let Some(args) = args(command) else {
            wrong.push(format!("{command}: no arguments in the test's table"));
            continue;
        };
        let answer = c
            .execute_async(
                "const [cmd, args, done] = arguments;\
                 window.__TAURI_INTERNALS__.invoke(cmd, args)\
                   .then(() => done('ok'), (e) => done(typeof e === 'object' && e ? (e.code || JSON.stringify(e)) : String(e)));",
                vec![json!(command), args],
            )
            .await?;
        let answer = answer.as_str().unwrap_or_default().to_string();
        let before_login = BEFORE_LOGIN.contains(&command.as_str());
        match (before_login, answer == "NOT_LOGGED_IN") {
            (false, false) => wrong.push(format!("{command}: {answer}, not NOT_LOGGED_IN")),
            (true, true) => wrong.push(format!("{command}: the login screen needs it")),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Nothing was written for nobody: the demo store still has no agreement, no export.
    assert!(!data.path().join("agreements").exists());
    // Each call has its line in the window's log, by the command's name, with its outcome.
    let log = uw_e2e::read_log(data.path())?.1;
    let unlogged: Vec<&String> = commands
        .iter()
        .filter(|cmd| {
            !log.iter().any(|l| {
                l["event"] == "command"
                    && l["name"] == cmd.as_str()
                    && (BEFORE_LOGIN.contains(&cmd.as_str()) || l["outcome"] == "NOT_LOGGED_IN")
            })
        })
        .collect();
    assert!(unlogged.is_empty(), "not in the log: {unlogged:?}");
    c.close().await?;
    Ok(())
}
