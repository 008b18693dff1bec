//! The installed package, run by `.ci/install-test` once it has installed the `.deb`: the
//! app from /usr/bin starts under Xvfb to its first screen, the one a bank's workstation
//! shows on its first day (no OS keyring: a new store asks for its passphrase, then for its
//! first administrator), creates its store in the data folder under HOME, and reads a
//! client's statement through the `uw-parse` installed beside it.
//!
//! `.ci/install-test` names the installed program (`UW_APP_BINARY`), the HOME to start it
//! in (`UW_INSTALLED_HOME`) and the store's passphrase (`UW_INSTALLED_PASSPHRASE`).

use std::path::{Path, PathBuf};

use uw_e2e::{click, find, open_step, retype, screenshot, serial, wait_text, Display, Driver};
use uw_e2e::{workspace_root, Result};

fn env(name: &str) -> Result<String> {
    std::env::var(name)
        .map_err(|_| format!("{name} is not set: run `bash .ci/install-test`").into())
}

#[tokio::test]
#[ignore = "run by .ci/install-test against the installed package"]
async fn the_installed_app_starts_to_its_first_screen_and_reads_with_its_uw_parse() -> Result<()> {
    let _one = serial().await;
    let app = PathBuf::from(env("UW_APP_BINARY")?);
    let home = env("UW_INSTALLED_HOME")?;
    let passphrase = env("UW_INSTALLED_PASSPHRASE")?;
    assert!(
        app.starts_with("/usr/bin"),
        "{} is not the installed program",
        app.display()
    );
    let display = Display::start()?;
    // UW_DATA_DIR and XDG_DATA_HOME empty are unset: the data folder is HOME's own.
    let driver = Driver::start_env(
        &display,
        Path::new(""),
        None,
        &[("HOME", home.as_str()), ("XDG_DATA_HOME", "")],
    )?;
    let c = driver.launch(&[]).await?;

    // The first screen: a new store, no keyring, so its passphrase is chosen here.
    wait_text(&c, "[data-testid=unlock] h3", |t| {
        t.contains("new case store")
    })
    .await?;
    screenshot(&display, "installed-first-screen");
    retype(&c, "input[name=store-passphrase]", &passphrase).await?;
    retype(&c, "input[name=store-passphrase-repeat]", &passphrase).await?;
    click(&c, "#unlock-button").await?;
    // Then the standalone workstation's first administrator.
    find(&c, "[data-testid=setup]").await?;
    retype(&c, "input[name=setup-username]", "admin").await?;
    retype(&c, "input[name=setup-name]", "Branch Administrator").await?;
    retype(&c, "input[name=setup-password]", "installed admin pw").await?;
    retype(&c, "input[name=setup-repeat]", "installed admin pw").await?;
    click(&c, "#setup-button").await?;
    wait_text(&c, "[data-testid=user]", |t| t == "Branch Administrator").await?;

    // A case, and a client's statement read by /usr/bin/uw-parse (none: READER_MISSING).
    let case = workspace_root().join("assets/demo/cases/AUTO-2026-000123.json");
    retype(&c, "#import-path", &case.display().to_string()).await?;
    click(&c, "#import-button").await?;
    wait_text(&c, "[data-testid=notice]", |t| {
        t.contains("AUTO-2026-000123")
    })
    .await?;
    open_step(&c, "AUTO-2026-000123", "income").await?;
    let statement = workspace_root().join("assets/demo/statements/karimov-sqb-2026-05-10.txt");
    retype(
        &c,
        "input[name=statement-path-0]",
        &statement.display().to_string(),
    )
    .await?;
    click(&c, "#attach-path-0").await?;
    wait_text(&c, "[data-testid=statement-file]", |t| {
        t.contains("karimov-sqb-2026-05-10.txt")
    })
    .await?;
    screenshot(&display, "installed-statement-read");
    c.close().await?;
    drop(driver);

    let store = Path::new(&home).join(".local/share/uz.sqb.underwriter-workstation/cases.db");
    assert!(store.is_file(), "{} is missing", store.display());
    Ok(())
}
