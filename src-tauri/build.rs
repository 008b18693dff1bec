//! Generates the permission of each app command and the command handler, both from the
//! `#[tauri::command]` functions of `src/commands.rs` (`command_list.rs`);
//! `capabilities/main.json` grants the main window exactly these, and nothing of any
//! plugin.

include!("command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands.rs");
    println!("cargo:rerun-if-changed=command_list.rs");
    let source = std::fs::read_to_string("src/commands.rs").expect("src/commands.rs is readable");
    let names = command_names(&source);
    assert!(!names.is_empty(), "no #[tauri::command] in src/commands.rs");
    // The handler: every command, by the same list.
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out.join("handler.rs"),
        format!("tauri::generate_handler![{}]", names.join(", ")),
    )
    .expect("OUT_DIR is writable");
    // tauri-build keeps the list for the whole build: a build script lives once.
    let commands: &'static [&'static str] = Box::leak(
        names
            .into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
