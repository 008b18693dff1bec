//! The store's recovery key in the window: a new keyring store shows its key once before
//! anything else; a store whose keyring lost its key opens with it from the unlock screen,
//! a typo named by its group.

use std::path::Path;

use uw_app::recovery::RecoveryKey;
use uw_app::StoreKey;
use uw_e2e::{click, find, login, retype, screenshot, serial, wait_text, Display, Driver, Result};

/// A store under `key` with the demo's cases and people, made as the window makes one.
fn store_under(data: &Path, key: &RecoveryKey) -> Result<()> {
    uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: data.to_path_buf(),
        key: StoreKey::Raw(*key.bytes()),
        actor: "e2e".into(),
        demo: true,
        require_login: true,
        bank: None,
        directory: None,
    })?;
    Ok(())
}

#[tokio::test]
async fn a_store_whose_keyring_lost_its_key_opens_with_its_recovery_key() -> Result<()> {
    let _one = serial().await;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("store");
    let key = uw_app::store_key::random_key();
    store_under(&data, &key)?;
    let display = Display::start()?;
    // No passphrase, and no keyring to be reached: the key is nowhere but on its sheet.
    let driver = Driver::start_env(
        &display,
        &data,
        None,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    )?;
    let c = driver.launch(&[]).await?;
    find(&c, "[data-testid=unlock]").await?;
    click(&c, "#recovery-use").await?;
    find(&c, "[data-testid=recovery-unlock]").await?;

    let mut groups = key.groups();
    let typo = if groups[4].starts_with('7') { "8" } else { "7" };
    groups[4].replace_range(0..1, typo);
    retype(&c, "input[name=recovery-key]", &groups.join("-")).await?;
    click(&c, "#recovery-unlock").await?;
    let error = wait_text(
        &c,
        "[data-testid=recovery-unlock] [data-testid=error]",
        |t| t.contains("RECOVERY_KEY_TYPO"),
    )
    .await?;
    assert!(error.contains("group 5"), "{error}");
    screenshot(&display, "recovery-key-typo");

    // Typed as a person may: lower case, spaces between the groups.
    let typed = key.display().to_lowercase().replace('-', " ");
    retype(&c, "input[name=recovery-key]", &typed).await?;
    click(&c, "#recovery-unlock").await?;
    // The store is open; the keyring could not take the key back, and the window says so.
    wait_text(&c, "[data-testid=recovery-not-kept]", |t| {
        t.contains("this run")
    })
    .await?;
    click(&c, "#recovery-go-on").await?;
    login(&c, "alice", &uw_e2e::demo_password("alice")).await?;
    find(&c, "[data-testid=queue-row]").await?;
    Ok(())
}

/// A stand-in for `secret-tool` that keeps one entry in `file`: the window's own calls
/// (lookup, store) reach it through PATH where the distribution's is not installed.
fn fake_secret_tool(bin: &Path, file: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin)?;
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n  lookup) cat '{f}' 2>/dev/null || exit 1 ;;\n  store) cat > '{f}' ;;\nesac\n",
        f = file.display()
    );
    let tool = bin.join("secret-tool");
    std::fs::write(&tool, script)?;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[tokio::test]
async fn a_new_store_shows_its_recovery_key_once_and_the_key_reopens_it() -> Result<()> {
    if Path::new("/usr/bin/secret-tool").is_file() {
        // The workstation calls the installed one, which no test may stand in for.
        eprintln!("skipped: /usr/bin/secret-tool is installed; this test needs its stand-in");
        return Ok(());
    }
    let _one = serial().await;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("store");
    let (bin, entry) = (dir.path().join("bin"), dir.path().join("keyring-entry"));
    fake_secret_tool(&bin, &entry)?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let display = Display::start()?;
    let driver = Driver::start_env(&display, &data, None, &[("PATH", path.as_str())])?;

    let c = driver.launch(&[]).await?;
    find(&c, "[data-testid=recovery-key]").await?;
    screenshot(&display, "recovery-key-shown");
    let mut groups = Vec::new();
    for li in c
        .find_all(fantoccini::Locator::Css("[data-testid=recovery-groups] li"))
        .await?
    {
        groups.push(li.text().await?);
    }
    let shown = RecoveryKey::parse(&groups.join("-"))?;
    let kept = std::fs::read_to_string(&entry)?;
    let hex: String = shown.bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        kept.trim(),
        hex,
        "the key shown is the store's key in the keyring"
    );
    // Nothing goes on before "I have stored it".
    let next = find(&c, "#recovery-continue").await?;
    assert!(next.attr("disabled").await?.is_some());
    click(&c, "#recovery-stored").await?;
    click(&c, "#recovery-continue").await?;
    find(&c, "[data-testid=setup]").await?;
    c.close().await?;

    // The keyring loses the entry: the key reopens the store and puts it back; it is not
    // shown again.
    std::fs::remove_file(&entry)?;
    let c = driver.launch(&[]).await?;
    click(&c, "#recovery-use").await?;
    retype(&c, "input[name=recovery-key]", &shown.display()).await?;
    click(&c, "#recovery-unlock").await?;
    find(&c, "[data-testid=setup]").await?;
    assert!(c
        .find_all(fantoccini::Locator::Css("[data-testid=recovery-key]"))
        .await?
        .is_empty());
    assert_eq!(std::fs::read_to_string(&entry)?.trim(), hex);
    c.close().await?;
    Ok(())
}
