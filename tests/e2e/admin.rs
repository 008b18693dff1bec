//! Administration through the window: an administrator creates an underwriter and resets
//! their password; the underwriter must change it before anything else; once deactivated,
//! their login is refused. The backup folder is set and "Back up now" writes a backup there.

use uw_e2e::{
    click, demo_password, find, login, retype, screenshot, serial, wait_text, Display, Driver,
    Result,
};

const TEMPORARY: &str = "temporary-pass-2026";
const OWN: &str = "nodiras-own-pass-2026";

async fn open_admin(c: &fantoccini::Client) -> Result<()> {
    click(c, "#admin-open").await?;
    find(c, "[data-testid=admin] [data-testid=users]").await?;
    Ok(())
}

async fn choose(c: &fantoccini::Client, user: &str) -> Result<()> {
    click(c, &format!("[data-testid=user-row][data-user={user}] td")).await?;
    wait_text(c, "[data-testid=user-actions] h3", |t| t.contains(user)).await?;
    Ok(())
}

#[tokio::test]
async fn an_administrator_creates_resets_and_deactivates_an_underwriter() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;

    login(&c, "admin", &demo_password("admin")).await?;
    open_admin(&c).await?;
    retype(&c, "input[name=new-username]", "nodira").await?;
    retype(&c, "input[name=new-name]", "Nodira Karimova").await?;
    retype(&c, "input[name=new-staff-id]", "S-2041").await?;
    retype(&c, "input[name=new-password]", "initial-pass-2026").await?;
    click(&c, "#create-user").await?;
    wait_text(
        &c,
        "[data-testid=create-user] [data-testid=admin-notice]",
        |t| t.contains("nodira"),
    )
    .await?;
    // One person, one account: the staff id again is refused with its code.
    retype(&c, "input[name=new-username]", "nodira2").await?;
    retype(&c, "input[name=new-name]", "Nodira again").await?;
    retype(&c, "input[name=new-staff-id]", "S-2041").await?;
    retype(&c, "input[name=new-password]", "initial-pass-2026").await?;
    click(&c, "#create-user").await?;
    wait_text(&c, "[data-testid=create-user] [data-testid=error]", |t| {
        t.contains("STAFF_ID_TAKEN")
    })
    .await?;

    choose(&c, "nodira").await?;
    retype(&c, "input[name=temporary-password]", TEMPORARY).await?;
    click(&c, "#reset-password").await?;
    wait_text(
        &c,
        "[data-testid=user-actions] [data-testid=admin-notice]",
        |t| t.contains("nodira"),
    )
    .await?;
    // The administrator's own account is not theirs to deactivate here.
    choose(&c, "admin").await?;
    click(&c, "#deactivate-user").await?;
    wait_text(&c, "[data-testid=user-actions] [data-testid=error]", |t| {
        t.contains("SELF_ADMINISTRATION")
    })
    .await?;
    choose(&c, "nodira").await?;
    screenshot(&display, "admin-users");
    click(&c, "#admin-bank").await?;
    find(
        &c,
        "[data-testid=admin-bank] [data-testid=bank-token-state]",
    )
    .await?;
    screenshot(&display, "admin-bank");

    // The daily backup's folder, then "Back up now": a checked backup lands there.
    // Apart from the data folder, as the settings require (a backup belongs on another disk).
    let elsewhere = tempfile::tempdir()?;
    let backups = elsewhere.path().join("backups");
    std::fs::create_dir(&backups)?;
    click(&c, "#admin-backup").await?;
    retype(
        &c,
        "input[name=backup-folder]",
        &backups.display().to_string(),
    )
    .await?;
    retype(&c, "input[name=backup-time]", "18:00").await?;
    click(&c, "#save-backup").await?;
    wait_text(
        &c,
        "[data-testid=admin-backup] [data-testid=admin-notice]",
        |t| !t.is_empty(),
    )
    .await?;
    click(&c, "#backup-now").await?;
    wait_text(
        &c,
        "[data-testid=backup-now-outcome] [data-testid=admin-notice]",
        |t| !t.is_empty(),
    )
    .await?;
    let made: Vec<_> = std::fs::read_dir(&backups)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("uw-backup-") && n.ends_with(".uwb"))
        .collect();
    assert!(!made.is_empty(), "no backup in {}", backups.display());
    screenshot(&display, "admin-backup");
    click(&c, "#logout").await?;

    // The underwriter logs in with the temporary password: a new one first, nothing else.
    login(&c, "nodira", TEMPORARY).await?;
    find(&c, "[data-testid=password-required]").await?;
    assert!(c
        .find_all(fantoccini::Locator::Css("[data-testid=queue-row]"))
        .await?
        .is_empty());
    screenshot(&display, "admin-password-required");
    retype(&c, "input[name=password-old]", TEMPORARY).await?;
    retype(&c, "input[name=password-new]", OWN).await?;
    retype(&c, "input[name=password-repeat]", OWN).await?;
    click(&c, "#password-change").await?;
    find(&c, "[data-testid=queue-row]").await?;
    click(&c, "#logout").await?;

    // Deactivated: the right password no longer logs in.
    login(&c, "admin", &demo_password("admin")).await?;
    open_admin(&c).await?;
    choose(&c, "nodira").await?;
    click(&c, "#deactivate-user").await?;
    // The list reloads with the account deactivated: it offers reactivation now.
    find(&c, "#reactivate-user").await?;
    click(&c, "#logout").await?;
    retype(&c, "input[name=username]", "nodira").await?;
    retype(&c, "input[name=password]", OWN).await?;
    click(&c, "#login-button").await?;
    wait_text(&c, "[data-testid=login] [data-testid=error]", |t| {
        t.contains("ACCOUNT_DISABLED")
    })
    .await?;
    c.close().await?;
    Ok(())
}
