//! Two desks, one decision: two app instances (two data folders, two screens) against
//! one enforcing bank simulator and one real OpenLDAP slapd, all started here. The desks
//! meet only through the bank.

use std::time::Duration;

use fantoccini::{Client, Locator};
use uw_directory::slapd::{fixture_password as pw, Slapd};
use uw_e2e::{
    click, find, login, open_step, retype, screenshot, serial, set_value, wait_text, Display,
    Driver, Result,
};

const TOKEN: &str = "two-desks-bank";
const MAKERS: &str = "AUTO-2026-000123";
const CAROLS: &str = "AUTO-2026-000124";
/// A case still being made, which the supervisor gives to someone.
const OTHER: &str = "AUTO-2026-000126";

async fn logout_and_login(c: &Client, who: &str) -> Result<()> {
    click(c, "#logout").await?;
    login(c, who, &pw(who)).await
}

/// Back to the queue and into a case's step again (the case as the last sync left it).
async fn reopen(c: &Client, id: &str, step: &str) -> Result<()> {
    if c.find(Locator::Css("#back-to-queue")).await.is_ok() {
        click(c, "#back-to-queue").await?;
    }
    open_step(c, id, step).await
}

/// Sync now, then wait until nothing waits in the outbox.
async fn synced(c: &Client) -> Result<()> {
    click(c, "#sync-now").await?;
    wait_text(c, "[data-testid=sync-waiting]", |t| t == "0 waiting").await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    Ok(())
}

async fn submit(c: &Client, id: &str, words: &str) -> Result<()> {
    open_step(c, id, "review").await?;
    retype(c, "[data-testid=review] input[name=review-text]", words).await?;
    click(c, "#submit-case").await?;
    wait_text(c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    synced(c).await
}

#[tokio::test]
async fn two_desks_alice_submits_bob_approves_at_his_desk_and_carol_cannot_check_her_own(
) -> Result<()> {
    let _one = serial().await;
    let slapd = Slapd::fixture()?;
    let data = tempfile::tempdir()?;
    let directory = data.path().join("directory.json");
    std::fs::write(&directory, serde_json::to_string(&slapd.config())?)?;
    let mut config = uw_bank_sim::SimConfig::new(&data.path().join("bank.db"));
    config.token = TOKEN.into();
    config.seed_cases =
        Some(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/cases"));
    config.assign_to = vec!["alice".into(), "carol".into()];
    config.directory = Some(slapd.config());
    let bank = uw_bank_sim::start(config)?;
    let url = bank.url();
    let env = [
        ("UW_BANK_URL", url.as_str()),
        ("UW_BANK_TOKEN", TOKEN),
        ("UW_OPEN_WITH", "none"),
        (
            "UW_DIRECTORY_CONFIG",
            directory.to_str().unwrap_or_default(),
        ),
    ];
    // A screen per desk, so that each screenshot shows its own window.
    let screen_1 = Display::start()?;
    let screen_2 = Display::start()?;
    let desk_1 = Driver::start_env(
        &screen_1,
        &data.path().join("desk-1"),
        Some(uw_e2e::E2E_PASSPHRASE),
        &env,
    )?;
    let desk_2 = Driver::start_env(
        &screen_2,
        &data.path().join("desk-2"),
        Some(uw_e2e::E2E_PASSPHRASE),
        &env,
    )?;

    // Desk 1: alice logs in with her directory account and submits.
    let one = desk_1.launch(&[]).await?;
    wait_text(&one, "[data-testid=login-mode]", |t| {
        t.contains("bank's directory")
    })
    .await?;
    login(&one, "alice", &pw("alice")).await?;
    wait_text(&one, "[data-testid=login-mode-badge]", |t| t == "directory").await?;
    wait_text(&one, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    submit(&one, MAKERS, "salary at this bank; DTI 45.87 %").await?;
    screenshot(&screen_1, "two-desks-1-alice-submitted");
    // A note for the reviewer, made at the maker's desk.
    retype(
        &one,
        "textarea[name=note-text]",
        "called the employer: salary confirmed",
    )
    .await?;
    click(&one, "#add-note").await?;
    wait_text(&one, "[data-testid=notes]", |t| {
        t.contains("salary confirmed")
    })
    .await?;
    // "Approve subject to …": a condition for the reviewer, made at the maker's desk —
    // first without its owner (refused, naming it), then whole.
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs()
        / 86_400;
    let due = uw_domain::money::Date::ymd(1970, 1, 1)
        .map(|d| d.add_days(days as i64 + 10).to_string())
        .unwrap_or_default();
    retype(
        &one,
        "input[name=condition-text]",
        "the employer's letter on company paper",
    )
    .await?;
    set_value(&one, "input[name=condition-due]", &due).await?;
    click(&one, "#raise-condition").await?;
    wait_text(&one, "[data-testid=conditions] [data-testid=error]", |t| {
        t.contains("CONDITION_OWNER_REQUIRED")
    })
    .await?;
    retype(&one, "input[name=condition-owner]", "the client").await?;
    click(&one, "#raise-condition").await?;
    wait_text(&one, "[data-testid=condition]", |t| {
        t.contains("the employer's letter on company paper") && t.contains(&due)
    })
    .await?;
    synced(&one).await?;

    // Desk 2: bob's review inbox brings alice's case.
    let two = desk_2.launch(&[]).await?;
    login(&two, "bob", &pw("bob")).await?;
    wait_text(&two, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    click(&two, "#review-inbox").await?;
    find(
        &two,
        &format!("[data-testid=queue-row][data-case-id='{MAKERS}']"),
    )
    .await?;
    // The queue's badge: one open condition.
    wait_text(
        &two,
        &format!("[data-testid=queue-row][data-case-id='{MAKERS}'] [data-testid=conditions-badge]"),
        |t| t.contains('1'),
    )
    .await?;
    screenshot(&screen_2, "two-desks-2-inbox-condition-badge");
    open_step(&two, MAKERS, "review").await?;
    // The maker's condition is read here; bob waives it with his reason.
    wait_text(&two, "[data-testid=condition]", |t| {
        t.contains("the employer's letter on company paper") && t.contains("raised by alice")
    })
    .await?;
    retype(
        &two,
        "input[name=condition-words]",
        "the payroll of this bank shows the salary",
    )
    .await?;
    click(&two, "[data-testid=condition-waive]").await?;
    wait_text(&two, "[data-testid=condition][data-status=waived]", |t| {
        t.contains("the payroll of this bank shows the salary") && t.contains("bob")
    })
    .await?;
    two.execute(
        "document.querySelector('[data-testid=conditions]').scrollIntoView()",
        vec![],
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&screen_2, "two-desks-2-conditions");
    wait_text(&two, "[data-testid=proposal]", |t| t.contains("DTI 45.87")).await?;
    assert!(two.find_all(Locator::Css("tr.differs")).await?.is_empty());
    // The maker's note is read at the reviewer's desk; his answer is a note of his own
    // (a note is no edit: he still signs).
    let note = wait_text(&two, "[data-testid=note][data-author=alice]", |t| {
        t.contains("called the employer: salary confirmed")
    })
    .await?;
    assert!(!note.contains("not at the bank"), "{note}");
    retype(
        &two,
        "textarea[name=note-text]",
        "thank you; the letter is in the scans",
    )
    .await?;
    click(&two, "#add-note").await?;
    wait_text(&two, "[data-testid=note][data-author=bob]", |_| true).await?;
    two.execute(
        "document.querySelector('[data-testid=notes]').scrollIntoView()",
        vec![],
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&screen_2, "two-desks-2-notes");

    // Meanwhile bob logs in at desk 1 too: that desk enrolls its own key for him, which
    // revokes desk 2's. His sign-off at desk 2 is refused by the bank, and desk 2 says so.
    logout_and_login(&one, "bob").await?;
    retype(&two, "input[name=signoff-password]", &pw("bob")).await?;
    click(&two, "#approve-case").await?;
    wait_text(&two, "[data-testid=review-refusal]", |t| {
        t.contains("KEY_REVOKED")
    })
    .await?;
    wait_text(&two, "[data-testid=review-stage]", |t| t == "submitted").await?;
    screenshot(&screen_2, "two-desks-2-refused-by-the-bank");

    // Logging in again at desk 2 enrolls a key of desk 2; now the bank accepts.
    logout_and_login(&two, "bob").await?;
    reopen(&two, MAKERS, "review").await?;
    retype(&two, "input[name=signoff-password]", &pw("bob")).await?;
    click(&two, "#approve-case").await?;
    wait_text(&two, "[data-testid=review-stage]", |t| t == "approved").await?;
    wait_text(&two, "[data-testid=review-accepted]", |t| {
        t.contains("Accepted by the bank")
    })
    .await?;
    screenshot(&screen_2, "two-desks-2-bob-approved");

    // Desk 1 shows the approval after its sync, and prints the agreement.
    logout_and_login(&one, "alice").await?;
    synced(&one).await?;
    reopen(&one, MAKERS, "review").await?;
    wait_text(&one, "[data-testid=review-stage]", |t| t == "approved").await?;
    wait_text(&one, "[data-testid=review]", |t| {
        t.contains("maker alice, checker bob")
    })
    .await?;
    // The agreement waits for the bank's acceptance, which desk 1 hears with a sync.
    wait_text(&one, "[data-testid=review-accepted]", |t| {
        t.contains("Accepted by the bank")
    })
    .await?;
    click(&one, "[data-step=agreement]").await?;
    wait_text(&one, "[data-testid=agreement-stamp]", |t| {
        t.contains("SHA-256")
    })
    .await?;
    uw_e2e::print_agreement(&one, "-uz.pdf").await?;
    screenshot(&screen_1, "two-desks-1-alice-agreement");

    // Carol (underwriter and reviewer) submits at desk 1 and cannot approve at desk 2.
    logout_and_login(&one, "carol").await?;
    if let Err(e) = submit(&one, CAROLS, "pension and salary; DTI within 50 %").await {
        screenshot(&screen_1, "two-desks-debug");
        return Err(e);
    }
    logout_and_login(&two, "carol").await?;
    synced(&two).await?;
    if let Err(e) = reopen(&two, CAROLS, "review").await {
        screenshot(&screen_2, "two-desks-debug");
        return Err(e);
    }
    wait_text(&two, "[data-testid=review-stage]", |t| t == "submitted").await?;
    wait_text(&two, "[data-testid=review-waiting]", |t| {
        t.contains("cannot sign their own")
    })
    .await?;
    assert!(two
        .find_all(Locator::Css("#approve-case"))
        .await?
        .is_empty());
    let answer = two
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];\
                 window.__TAURI_INTERNALS__.invoke('approve_case', {{caseId: '{CAROLS}', version: 99, password: '{}'}})\
                   .then(() => done('approved'), (e) => done(e.code + ': ' + e.message));",
                pw("carol")
            ),
            vec![],
        )
        .await?;
    let answer = answer.as_str().unwrap_or_default().to_string();
    assert!(
        answer.starts_with("SELF_REVIEW") || answer.starts_with("VERSION_CONFLICT"),
        "{answer}"
    );
    screenshot(&screen_2, "two-desks-2-carol-cannot-check-her-own");

    // sara, the supervisor, gives a case being made to carol; the bank takes it.
    logout_and_login(&one, "sara").await?;
    synced(&one).await?;
    reopen(&one, OTHER, "parties").await?;
    retype(&one, "input[name=reassign-to]", "carol").await?;
    click(&one, "#reassign-case").await?;
    // (The desk's sync may take it to the bank at once: "not at the bank yet" is brief.)
    wait_text(&one, "[data-testid=assignee]", |t| t.contains("with carol")).await?;
    screenshot(&screen_1, "two-desks-1-sara-reassigns");
    synced(&one).await?;
    // The bank's client blocks: off the test's async thread.
    let bank_url = url.clone();
    let held = tokio::task::spawn_blocking(move || {
        uw_bank_link::Bank::new(uw_bank_link::BankConfig::new(&bank_url, TOKEN))
            .and_then(|b| b.get_case(OTHER))
    })
    .await??;
    assert_eq!(held.assignee.as_deref(), Some("carol"));
    // Given to a reviewer, the bank refuses it, and the desk hears carol again.
    reopen(&one, OTHER, "parties").await?;
    retype(&one, "input[name=reassign-to]", "bob").await?;
    click(&one, "#reassign-case").await?;
    wait_text(&one, "[data-testid=assignee]", |t| t.contains("with bob")).await?;
    click(&one, "#sync-now").await?;
    reopen(&one, OTHER, "parties").await?;
    click(&one, "#sync-now").await?;
    wait_text(&one, "[data-testid=assignee]", |t| {
        t.contains("with carol") && !t.contains("not at the bank")
    })
    .await?;
    one.close().await?;
    two.close().await?;
    Ok(())
}
