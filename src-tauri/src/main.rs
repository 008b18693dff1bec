//! The desktop shell: a window, the commands, and nothing else. Every command is a few
//! lines that call `uw-app`; the rules, the store and the files live behind that API.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    let demo =
        std::env::args().any(|a| a == "--demo") || std::env::var("UW_DEMO").is_ok_and(|v| v == "1");
    let state = commands::Ws::open(demo);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(commands::handler())
        .setup(|app| {
            commands::start_sync_worker(app.handle());
            commands::start_backup_worker(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("underwriter-workstation: cannot start the window: {e}");
            std::process::exit(1);
        });
}
