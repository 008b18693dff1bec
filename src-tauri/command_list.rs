// The app's commands: every `#[tauri::command]` function of `src/commands/<area>.rs`, the
// areas in their names' order and each file in its own — the one source of the command
// list. `build.rs` makes the manifest (each command's permission) and the handler from it;
// the e2e crate's surface tests check the capability (`capabilities/main.json`) and the
// window's client (`ui/src/commands.ts`) against it, and rewrite both with
// UPDATE_BINDINGS=1. Included by both: no crate of its own for two functions.

/// `(area, command)` for every `#[tauri::command]` of the `.rs` files in `dir` but
/// `mod.rs`; an unreadable folder is an empty list (its users assert it is not empty).
#[allow(dead_code)] // each includer uses what it needs
fn app_commands(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("mod.rs"));
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let area = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        out.extend(command_names(&source).into_iter().map(|c| (area.clone(), c)));
    }
    out
}

/// The names of the `#[tauri::command]` functions in `source`, in order. Between the
/// attribute and its `fn` may stand blank lines, comments and other attributes (one line
/// each); anything else there is a command this reader cannot name, and it panics rather
/// than drop it (`build.rs` then stops: a command left out of the list would be left out
/// of the handler and the capability alike, and no test could tell).
fn command_names(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        // `#[tauri::command]` or `#[tauri::command(async)]`, maybe with a comment after.
        let t = line.trim();
        if !(t.starts_with("#[tauri::command]") || t.starts_with("#[tauri::command(")) {
            continue;
        }
        let name = lines.by_ref().map(str::trim).find_map(|next| {
            if next.is_empty() || next.starts_with("//") || next.starts_with("#[") {
                return None;
            }
            let mut t = next;
            for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async "] {
                t = t.strip_prefix(prefix).unwrap_or(t);
            }
            Some(
                t.strip_prefix("fn ")
                    .map(|rest| {
                        rest.chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .filter(|name| !name.is_empty())
                    .unwrap_or_else(|| panic!("{t:?} follows a #[tauri::command]: no fn to name")),
            )
        });
        out.push(name.unwrap_or_else(|| panic!("a #[tauri::command] ends the file")));
    }
    out
}

/// A command's permission, as tauri-build names it (`open_case` → `allow-open-case`).
#[allow(dead_code)]
fn permission_of(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}
