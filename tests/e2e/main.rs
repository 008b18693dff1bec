//! End-to-end tests of the desktop app: one binary, run by `.ci/test` after the app is
//! built. Each test starts its own driver and app on a fresh data folder.

mod admin;
mod installed;
mod recovery;
mod session_first;
mod two_desks;

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::Locator;
use uw_e2e::{
    bank_and_window, click, demo_password, find, login, open_step, press, retype, screenshot,
    serial, wait_text, Display, Driver, Result, BANK_TOKEN,
};

const EXAMPLE: &str = include_str!("../../assets/demo/cases/AUTO-2026-000123.json");

async fn queue_rows(c: &fantoccini::Client) -> Result<usize> {
    Ok(c.find_all(Locator::Css("[data-testid=queue-row]"))
        .await?
        .len())
}

#[tokio::test]
async fn import_edit_restart_keeps_the_edit() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let case_file = data.path().join("incoming-case.json");
    std::fs::write(&case_file, EXAMPLE)?;
    let display = Display::start()?;
    let driver = Driver::start(&display, &data.path().join("store"))?;

    let c = driver.launch(&[]).await?;
    // The first start creates the administrator, who is then logged in.
    find(&c, "[data-testid=setup]").await?;
    screenshot(&display, "first-start-setup");
    retype(&c, "input[name=setup-username]", "dilnoza").await?;
    retype(&c, "input[name=setup-name]", "Dilnoza Rahimova").await?;
    retype(&c, "input[name=setup-password]", "a long enough one").await?;
    retype(&c, "input[name=setup-repeat]", "a long enough one").await?;
    click(&c, "#setup-button").await?;
    wait_text(&c, "[data-testid=user]", |t| t == "Dilnoza Rahimova").await?;
    // A normal start on an empty store says how to fill it.
    find(&c, "[data-testid=empty-queue]").await?;
    screenshot(&display, "empty-queue");

    // Import through the window.
    retype(&c, "#import-path", &case_file.display().to_string()).await?;
    click(&c, "#import-button").await?;
    wait_text(&c, "[data-testid=notice]", |t| {
        t.contains("AUTO-2026-000123")
    })
    .await?;
    let row = find(
        &c,
        "[data-testid=queue-row][data-case-id='AUTO-2026-000123']",
    )
    .await?;
    assert!(row.text().await?.contains("Karimov Aziz Rustamovich"));

    // Open it, edit the borrower's name, save.
    open_step(&c, "AUTO-2026-000123", "parties").await?;
    retype(
        &c,
        "input[name='parties.0.full_name']",
        "Karimov Aziz Rustam o'g'li",
    )
    .await?;
    click(&c, "#save-case").await?;
    wait_text(&c, "[data-testid=notice]", |t| {
        t.contains("Saved version 2")
    })
    .await?;
    c.close().await?;
    drop(driver);

    // Restart: the edit is still there, in the queue and in the case.
    let driver = Driver::start(&display, &data.path().join("store"))?;
    let c = driver.launch(&[]).await?;
    // A wrong password is refused with a clear message; the right one opens the queue.
    retype(&c, "input[name=username]", "dilnoza").await?;
    retype(&c, "input[name=password]", "not the one").await?;
    click(&c, "#login-button").await?;
    wait_text(&c, "[data-testid=login] [data-testid=error]", |t| {
        t.contains("AUTH_FAILED") && t.contains("user name or the password is wrong")
    })
    .await?;
    login(&c, "dilnoza", "a long enough one").await?;
    let row = find(
        &c,
        "[data-testid=queue-row][data-case-id='AUTO-2026-000123']",
    )
    .await?;
    assert!(
        row.text().await?.contains("Karimov Aziz Rustam o'g'li"),
        "{}",
        row.text().await?
    );
    open_step(&c, "AUTO-2026-000123", "parties").await?;
    let name = find(&c, "input[name='parties.0.full_name']").await?;
    assert_eq!(
        name.prop("value").await?.as_deref(),
        Some("Karimov Aziz Rustam o'g'li")
    );
    click(&c, "[data-step=history]").await?;
    wait_text(&c, "[data-testid=history]", |t| {
        t.contains("parties[0].full_name")
    })
    .await?;
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn editing_the_term_changes_rate_schedule_and_decision() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    open_step(&c, "AUTO-2026-000123", "loan").await?;
    wait_text(&c, "[data-testid=metric-rate]", |t| t == "23.00 %").await?;
    wait_text(&c, "[data-testid=live-decision]", |t| t == "approve").await?;
    let rows = c
        .find_all(Locator::Css("[data-testid=schedule] tbody tr"))
        .await?;
    assert_eq!(rows.len(), 36);
    screenshot(&display, "decision-36");

    // 60 months: the grid's 24 % and 60 rows, live, before any save.
    retype(&c, "input[name='loan.term_months']", "60").await?;
    wait_text(&c, "[data-testid=metric-rate]", |t| t == "24.00 %").await?;
    let start = std::time::Instant::now();
    loop {
        let n = c
            .find_all(Locator::Css("[data-testid=schedule] tbody tr"))
            .await?
            .len();
        if n == 60 {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 20,
            "schedule has {n} rows, not 60"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 61 months is outside the product: the decision turns to reject on P-TERM.
    retype(&c, "input[name='loan.term_months']", "61").await?;
    wait_text(&c, "[data-testid=live-decision]", |t| t == "reject").await?;
    wait_text(&c, "[data-testid=reasons]", |t| {
        t.contains("P-TERM") && t.contains("TERM_OUT_OF_RANGE")
    })
    .await?;
    assert!(c
        .find_all(Locator::Css("[data-testid=schedule]"))
        .await?
        .is_empty());
    screenshot(&display, "decision-61");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_demo_opens_on_a_full_queue() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    find(&c, "[data-testid=queue-row]").await?;
    assert!(queue_rows(&c).await? >= 12);
    wait_text(&c, "[data-testid=status]", |t| t.contains("DEMO")).await?;
    // Sorting by amount: the first click sorts ascending, the second descending; the page
    // re-queries asynchronously, so wait for the header and the rows to show it.
    click(&c, "th:nth-child(3)").await?;
    wait_text(&c, "th:nth-child(3)", |t| t.ends_with('▲')).await?;
    find(&c, "tbody tr:first-child[data-case-id='AUTO-2026-000134']").await?;
    click(&c, "th:nth-child(3)").await?;
    wait_text(&c, "th:nth-child(3)", |t| t.ends_with('▼')).await?;
    find(&c, "tbody tr:first-child[data-case-id='AUTO-2026-000136']").await?;
    screenshot(&display, "demo-queue");
    // A second factor is set up by the account's owner only: the password first.
    click(&c, "#totp-open").await?;
    retype(&c, "input[name=totp-password]", "not-alices-password").await?;
    click(&c, "#totp-begin").await?;
    wait_text(&c, "[data-testid=totp] [data-testid=error]", |t| {
        t.contains("AUTH_FAILED")
    })
    .await?;
    retype(&c, "input[name=totp-password]", &demo_password("alice")).await?;
    click(&c, "#totp-begin").await?;
    wait_text(&c, "[data-testid=totp-secret]", |t| t.len() >= 32).await?;
    screenshot(&display, "totp-setup");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_foreign_database_is_reported_in_the_window_and_left_alone() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let db = data.path().join("cases.db");
    let junk = b"this is somebody's notes, not a database".repeat(50);
    std::fs::write(&db, &junk)?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&[]).await?;
    // Encrypted stores look like noise, so junk reads as "not this key, or not ours".
    wait_text(&c, "[data-testid=error]", |t| {
        t.contains("STORE_WRONG_KEY") && t.contains("left untouched")
    })
    .await?;
    c.close().await?;
    assert_eq!(std::fs::read(&db)?, junk);
    Ok(())
}

/// The income step: a failed file attaches nothing; a CP1251 1C statement gives the
/// month × source table and the flags; a flag jumps to its transaction, which is
/// reclassified with a note; the result goes into the case and so into the decision.
#[tokio::test]
async fn statements_give_the_income_table_flags_and_reclassification() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    let statements = uw_e2e::workspace_root().join("assets/demo/statements");
    let good = statements.join("karimov-sqb-2026-05-10.txt");
    let truncated = statements.join("karimov-truncated.txt");

    open_step(&c, "AUTO-2026-000123", "income").await?;
    // The window's drop events reach the panel (the capability allows listening).
    find(&c, "[data-testid=statements-0][data-drop-ready=true]").await?;

    // A batch with a truncated file: the error names file and line, nothing is attached.
    retype(
        &c,
        "input[name=statement-path-0]",
        &format!("{}; {}", good.display(), truncated.display()),
    )
    .await?;
    click(&c, "#attach-path-0").await?;
    wait_text(&c, "[data-testid=statements-0] [data-testid=error]", |t| {
        t.contains("karimov-truncated.txt:61") && t.contains("nothing was attached")
    })
    .await?;
    assert!(c
        .find_all(Locator::Css("[data-testid=statement-file]"))
        .await?
        .is_empty());

    // The good file alone.
    retype(
        &c,
        "input[name=statement-path-0]",
        &good.display().to_string(),
    )
    .await?;
    click(&c, "#attach-path-0").await?;
    let file = wait_text(&c, "[data-testid=statement-file]", |t| {
        t.contains("karimov-sqb-2026-05-10.txt")
    })
    .await?;
    assert!(
        file.contains("windows-1251") && file.contains("21"),
        "{file}"
    );
    let table = wait_text(&c, "[data-testid=source-table]", |t| t.contains("2026-10")).await?;
    assert!(table.contains("O'zbekneftgaz"), "{table}");
    assert!(table.contains("12,800,000.00"), "{table}");
    wait_text(&c, "[data-testid=statement-average-0]", |t| {
        t == "19,366,666.67"
    })
    .await?;
    let flags = find(&c, "[data-testid=flags]").await?.text().await?;
    assert!(
        flags.contains("ROUND_TRIP") && flags.contains("ONE_OFF_INFLOW"),
        "{flags}"
    );
    screenshot(&display, "income-attached");

    // The round-trip flag jumps to its credit; it is taken out of income with a note.
    click(&c, "button.jump[data-flag=ROUND_TRIP]").await?;
    let row = find(&c, "tr.selected").await?;
    assert!(row.text().await?.contains("Toshmatov Bobur"));
    find(&c, "[data-testid=reclassify]").await?;
    c.find(Locator::Css("select[name=reclassify-kind]"))
        .await?
        .select_by_value("")
        .await?;
    retype(
        &c,
        "input[name=reclassify-note]",
        "paid on to the car dealer the next day",
    )
    .await?;
    click(&c, "#reclassify-save").await?;
    wait_text(&c, "[data-testid=statement-average-0]", |t| {
        t == "12,700,000.00"
    })
    .await?;
    let row = find(&c, "tr.selected").await?.text().await?;
    assert!(
        row.contains("not income") && row.contains("paid on to the car dealer"),
        "{row}"
    );
    screenshot(&display, "income-reclassified");

    // Into the case: a new version, the engine's income is the statements'.
    click(&c, "#apply-income-0").await?;
    wait_text(&c, "[data-testid=notice]", |t| t.contains("version 2")).await?;
    find(&c, "[data-testid=applied-0]").await?;
    wait_text(&c, "[data-testid=household-income]", |t| {
        t == "12,700,000.00"
    })
    .await?;
    click(&c, "[data-step=history]").await?;
    wait_text(&c, "[data-testid=history]", |t| {
        t.contains("reclassified") && t.contains("statements attached")
    })
    .await?;
    c.close().await?;
    Ok(())
}

/// Two people: alice submits; she has no approve action, and calling the command directly
/// is refused; bob approves with his password.
#[tokio::test]
async fn the_maker_cannot_approve_and_the_reviewer_signs() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, data.path())?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "carol", &demo_password("carol")).await?;
    open_step(&c, "AUTO-2026-000123", "review").await?;
    retype(
        &c,
        "[data-testid=review] input[name=review-text]",
        "income verified from the statements; DTI 45.87 %",
    )
    .await?;
    click(&c, "#submit-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    wait_text(&c, "[data-testid=read-only]", |t| {
        t.contains("under review")
    })
    .await?;
    // Carol holds the reviewer role too, yet the window offers her no sign-off...
    find(&c, "[data-testid=review-waiting]").await?;
    assert!(c.find_all(Locator::Css("#approve-case")).await?.is_empty());
    screenshot(&display, "review-submitted");
    // ...and the command, called directly past the window, is refused.
    let answer = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('approve_case', {caseId: 'AUTO-2026-000123', version: 2, password: 'carol-demo-2026'})\
               .then(() => done('approved'), (e) => done(e.code + ': ' + e.message));",
            vec![],
        )
        .await?;
    let answer = answer.as_str().unwrap_or_default().to_string();
    assert!(answer.starts_with("SELF_REVIEW"), "{answer}");

    click(&c, "#logout").await?;
    login(&c, "bob", &demo_password("bob")).await?;
    // Bob's inbox: the submitted cases he did not make.
    click(&c, "#review-inbox").await?;
    let start = std::time::Instant::now();
    while queue_rows(&c).await? != 1 {
        assert!(
            start.elapsed().as_secs() < 20,
            "the inbox shows {} rows",
            queue_rows(&c).await?
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    open_step(&c, "AUTO-2026-000123", "review").await?;
    wait_text(&c, "[data-testid=proposal]", |t| t.contains("DTI 45.87")).await?;
    // The maker's figures beside the ones re-derived now: the same, nothing highlighted.
    let figures = find(&c, "[data-testid=figures]").await?.text().await?;
    assert!(figures.contains("45.87"), "{figures}");
    assert!(c.find_all(Locator::Css("tr.differs")).await?.is_empty());
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    click(&c, "#approve-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "approved").await?;
    wait_text(&c, "[data-testid=review]", |t| {
        t.contains("maker carol, checker bob")
    })
    .await?;
    screenshot(&display, "review-approved");
    // The dashboard's workload: carol submitted (her case decided), bob signed it off.
    click(&c, "#back-to-queue").await?;
    click(&c, "#dashboard-open").await?;
    let carol = wait_text(&c, "[data-testid=workload] tr[data-person=carol]", |_| true).await?;
    let bob = find(&c, "[data-testid=workload] tr[data-person=bob]")
        .await?
        .text()
        .await?;
    // (The row's text is its cells' run together: person, assigned, submitted, signed.)
    assert!(
        carol.starts_with("carol010") && carol.ends_with("min"),
        "{carol}"
    );
    assert!(bob.starts_with("bob001"), "{bob}");
    c.execute(
        "document.querySelector('[data-testid=workload]').scrollIntoView()",
        vec![],
    )
    .await?;
    // A frame for the scroll before the picture.
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&display, "dashboard-workload");
    c.close().await?;
    Ok(())
}

/// Alice (the maker) submits `case_id` proposing `decision`, from the queue.
async fn propose(c: &fantoccini::Client, case_id: &str, decision: &str) -> Result<()> {
    open_step(c, case_id, "review").await?;
    // The review panel comes with the case's workflow: wait for it.
    find(c, "select[name=review-decision]")
        .await?
        .select_by_value(decision)
        .await?;
    retype(
        c,
        "[data-testid=review] input[name=review-text]",
        "the employer did not answer my call",
    )
    .await?;
    click(c, "#submit-case").await?;
    wait_text(c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    click(c, "#back-to-queue").await?;
    Ok(())
}

/// Coherent sign-offs in the window: the engine refers 126, so no one approves it; alice
/// proposes to reject 133 (100,000,000) and 125 (195,000,000), which the engine approves:
/// bob approves 133 by exception with his reason, within his 150,000,000 limit, and is
/// told 125 is above it.
#[tokio::test]
async fn an_approval_against_the_maker_is_an_exception_within_the_reviewer_s_limit() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start_env(
        &display,
        data.path(),
        Some(uw_e2e::E2E_PASSPHRASE),
        &[("UW_OPEN_WITH", "none")],
    )?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    propose(&c, "AUTO-2026-000126", "approve").await?;
    propose(&c, "AUTO-2026-000133", "reject").await?;
    propose(&c, "AUTO-2026-000125", "reject").await?;
    click(&c, "#logout").await?;
    login(&c, "bob", &demo_password("bob")).await?;

    open_step(&c, "AUTO-2026-000126", "review").await?;
    let refused = find(&c, "[data-testid=approval-refused]").await?;
    assert_eq!(
        refused.attr("data-code").await?.as_deref(),
        Some("ENGINE_NOT_APPROVE")
    );
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    assert!(!find(&c, "#approve-case").await?.is_enabled().await?);
    click(&c, "#back-to-queue").await?;

    open_step(&c, "AUTO-2026-000125", "review").await?;
    let refused = find(&c, "[data-testid=approval-refused]").await?;
    assert_eq!(
        refused.attr("data-code").await?.as_deref(),
        Some("EXCEPTION_OVER_LIMIT")
    );
    // A frame for the panel before the picture.
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&display, "review-exception-over-limit");
    click(&c, "#back-to-queue").await?;

    open_step(&c, "AUTO-2026-000133", "review").await?;
    let notice = wait_text(&c, "[data-testid=approval-exception]", |t| {
        t.contains("150")
    })
    .await?;
    let digits: String = notice.chars().filter(char::is_ascii_digit).collect();
    assert!(digits.contains("15000000000"), "{notice}");
    // "Approve subject to …": bob's condition for stage 2, before he signs.
    retype(
        &c,
        "input[name=condition-text]",
        "the title's copy from the seller",
    )
    .await?;
    retype(&c, "input[name=condition-owner]", "the seller").await?;
    uw_e2e::set_value(&c, "input[name=condition-due]", "2099-12-31").await?;
    uw_e2e::set_value(&c, "select[name=condition-stage]", "2").await?;
    click(&c, "#raise-condition").await?;
    wait_text(&c, "[data-testid=condition]", |t| {
        t.contains("the title's copy from the seller") && t.contains("stage 2")
    })
    .await?;
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    // No reason, no approval.
    assert!(!find(&c, "#approve-case").await?.is_enabled().await?);
    retype(
        &c,
        "input[name=exception-reason]",
        "the employer confirmed the salary in writing",
    )
    .await?;
    screenshot(&display, "review-exception");
    click(&c, "#approve-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "approved").await?;
    let record = wait_text(&c, "[data-testid=review-exception]", |t| {
        t.contains("confirmed the salary in writing")
    })
    .await?;
    assert!(record.contains("reviewer"), "{record}");
    screenshot(&display, "review-exception-approved");

    // The decision memo for the credit file, read back: the engine's figures, the
    // proposal it overruled, the exception with its reason and limit, maker and checker.
    click(&c, "[data-step=agreement]").await?;
    click(&c, "[data-testid=decision-memo] button[data-lang=ru]").await?;
    click(&c, "#print-memo").await?;
    let notice = match wait_text(&c, "[data-testid=memo-printed]", |t| {
        t.contains("memo-ru.pdf")
    })
    .await
    {
        Ok(n) => n,
        Err(e) => {
            screenshot(&display, "decision-memo-debug");
            return Err(e);
        }
    };
    let path = notice
        .split_whitespace()
        .find(|w| w.ends_with(".pdf"))
        .unwrap_or_default()
        .to_string();
    let text = uw_e2e::pdf_text(std::path::Path::new(&path))?;
    for needle in [
        "МЕМОРАНДУМ КРЕДИТНОГО РЕШЕНИЯ",
        "AUTO-2026-000133",
        "43.99 %",
        "the employer did not answer my call",
        "the employer confirmed the salary in writing",
        "Полномочия: reviewer, лимит 150 000 000,00",
        "Условия одобрения",
        "the title's copy from the seller — ответственный the seller, срок 2099-12-31",
        "alice",
        "bob",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the memo: {text}");
    }
    uw_e2e::pdf_first_page(std::path::Path::new(&path), "decision-memo-ru")?;
    screenshot(&display, "decision-memo-printed");
    c.close().await?;
    Ok(())
}

/// The submission asks the Pledge Registry: another creditor's prohibition on the VIN is
/// known before the review — the engine rejects the case (P-VEH-LIEN, VIN_PLEDGED) and the
/// reviewer's approval is refused before it is signed.
#[tokio::test]
async fn a_foreign_vin_found_at_submission_blocks_the_approval() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(3))?;
    bank.set_pledge(
        "XWBJA69V9LA123456",
        uw_bank_link::api::PledgeState::Foreign,
        Some("Hamkorbank"),
    )?;
    let c = driver.launch(&["--demo"]).await?;
    let id = "AUTO-2026-000123";
    login(&c, "carol", &demo_password("carol")).await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    open_step(&c, id, "review").await?;
    retype(
        &c,
        "[data-testid=review] input[name=review-text]",
        "salary at this bank; DTI 45.87 %",
    )
    .await?;
    click(&c, "#submit-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    click(&c, "#logout").await?;
    login(&c, "bob", &demo_password("bob")).await?;
    open_step(&c, id, "review").await?;
    let refused = find(&c, "[data-testid=approval-refused]").await?;
    assert_eq!(
        refused.attr("data-code").await?.as_deref(),
        Some("ENGINE_NOT_APPROVE")
    );
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    assert!(!find(&c, "#approve-case").await?.is_enabled().await?);
    click(&c, "[data-step=loan]").await?;
    let reason = wait_text(&c, "[data-testid=reasons] [data-rule=P-VEH-LIEN]", |t| {
        t.contains("VIN_PLEDGED")
    })
    .await?;
    assert!(reason.contains("Hamkorbank"), "{reason}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&display, "foreign-vin-blocks-approval");
    c.close().await?;
    Ok(())
}

/// A case the reviewer rejects: its paper is the rejection letter, printed from the
/// window in the client's language; the printing is in the history.
#[tokio::test]
async fn a_rejected_case_prints_its_rejection_letter() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start_env(
        &display,
        data.path(),
        Some(uw_e2e::E2E_PASSPHRASE),
        &[("UW_OPEN_WITH", "none")],
    )?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "carol", &demo_password("carol")).await?;
    open_step(&c, "AUTO-2026-000123", "review").await?;
    retype(
        &c,
        "[data-testid=review] input[name=review-text]",
        "DTI 45.87 %",
    )
    .await?;
    click(&c, "#submit-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    click(&c, "#logout").await?;
    login(&c, "bob", &demo_password("bob")).await?;
    open_step(&c, "AUTO-2026-000123", "review").await?;
    retype(
        &c,
        "[data-testid=review] input[name=review-text]",
        "the employer did not confirm the salary",
    )
    .await?;
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    click(&c, "#reject-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "rejected").await?;
    click(&c, "[data-step=agreement]").await?;
    find(&c, "[data-testid=rejection-letter]").await?;
    click(&c, "[data-testid=rejection-letter] button[data-lang=ru]").await?;
    click(&c, "#print-letter").await?;
    let notice = wait_text(&c, "[data-testid=letter-printed]", |t| t.contains(".pdf")).await?;
    assert!(notice.contains("letter-ru.pdf"), "{notice}");
    screenshot(&display, "rejection-letter");
    click(&c, "[data-step=history]").await?;
    wait_text(&c, "[data-testid=history]", |t| {
        t.contains("rejection letter printed")
    })
    .await?;
    c.close().await?;
    Ok(())
}

/// No OS keyring and no passphrase given: the window asks for the store's passphrase — a
/// new one for a new store, the right one afterwards — and the file is encrypted.
#[tokio::test]
async fn without_a_keyring_the_store_asks_for_its_passphrase() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start_with(&display, data.path(), None)?;
    let c = driver.launch(&[]).await?;
    wait_text(&c, "[data-testid=unlock] h3", |t| {
        t.contains("new case store")
    })
    .await?;
    retype(&c, "input[name=store-passphrase]", "too short").await?;
    retype(&c, "input[name=store-passphrase-repeat]", "too short").await?;
    click(&c, "#unlock-button").await?;
    wait_text(&c, "[data-testid=unlock] [data-testid=error]", |t| {
        t.contains("at least 12 characters")
    })
    .await?;
    let passphrase = "tashkent branch 07 store";
    retype(&c, "input[name=store-passphrase]", passphrase).await?;
    retype(&c, "input[name=store-passphrase-repeat]", passphrase).await?;
    click(&c, "#unlock-button").await?;
    find(&c, "[data-testid=setup]").await?;
    c.close().await?;
    drop(driver);
    let db = std::fs::read(data.path().join("cases.db"))?;
    assert!(!db.starts_with(b"SQLite format 3"), "the file is encrypted");

    let driver = Driver::start_with(&display, data.path(), None)?;
    let c = driver.launch(&[]).await?;
    wait_text(&c, "[data-testid=unlock] h3", |t| t.contains("Unlock")).await?;
    retype(&c, "input[name=store-passphrase]", "not the passphrase").await?;
    click(&c, "#unlock-button").await?;
    wait_text(&c, "[data-testid=unlock] [data-testid=error]", |t| {
        t.contains("STORE_WRONG_KEY")
            && t.contains("passphrase is wrong")
            && t.contains("left untouched")
    })
    .await?;
    screenshot(&display, "unlock-wrong-passphrase");
    retype(&c, "input[name=store-passphrase]", passphrase).await?;
    click(&c, "#unlock-button").await?;
    find(&c, "[data-testid=setup]").await?;
    c.close().await?;
    Ok(())
}

/// The demo against the bank simulator: the queue arrives from the bank, the badge says
/// online; a case changed at the bank and in the window becomes a conflict shown with
/// both versions, and the underwriter's choice syncs.
#[tokio::test]
async fn the_queue_comes_from_the_bank_and_a_two_sided_edit_is_a_conflict() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(30))?;
    let url = bank.url();
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    // Nothing was seeded locally: the 17 cases come from the bank's daily queue.
    wait_text(&c, "[data-testid=sync-state]", |t| t == "online").await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    wait_text(&c, "[data-testid=sync-waiting]", |t| t == "0 waiting").await?;
    screenshot(&display, "sync-online");

    // The bank's side changes the term of a case… (The bank client blocks: off the
    // test's async runtime.)
    let id = "AUTO-2026-000123";
    let bank_url = url.clone();
    let base = tokio::task::spawn_blocking(move || -> std::result::Result<i64, String> {
        let other = uw_bank_link::Bank::new(uw_bank_link::BankConfig::new(&bank_url, BANK_TOKEN))
            .map_err(|e| e.to_string())?;
        let remote = other.get_case(id).map_err(|e| e.to_string())?;
        let mut theirs = remote.case.clone();
        theirs["loan"]["term_months"] = 48.into();
        other
            .put_case(
                id,
                &theirs.to_string(),
                Some(remote.version),
                "e2e-bank-edit",
                None,
            )
            .map_err(|e| e.to_string())?;
        Ok(remote.version)
    })
    .await??;
    // …while the underwriter changes the borrower's name.
    open_step(&c, id, "parties").await?;
    retype(&c, "input[name='parties.0.full_name']", "Karimov Aziz R.").await?;
    click(&c, "#save-case").await?;
    wait_text(&c, "[data-testid=notice]", |t| {
        t.contains("Saved version 2")
    })
    .await?;
    // The save wakes the sync: the bank refuses the stale version, a conflict shows.
    wait_text(&c, "#sync-conflicts", |t| t == "1 conflict").await?;
    click(&c, "#sync-conflicts").await?;
    wait_text(&c, &format!("[data-testid=conflict-{id}]"), |t| {
        t.contains("loan.term_months")
            && t.contains("48")
            && t.contains("parties[0].full_name")
            && t.contains("Karimov Aziz R.")
    })
    .await?;
    screenshot(&display, "sync-conflict");
    // Keep the underwriter's version: it goes to the bank over the bank's.
    click(&c, &format!("#keep-local-{id}")).await?;
    wait_text(&c, "[data-testid=conflicts]", |t| {
        t.contains("No conflicts.")
    })
    .await?;
    let bank_url = url.clone();
    tokio::task::spawn_blocking(move || -> std::result::Result<(), String> {
        let other = uw_bank_link::Bank::new(uw_bank_link::BankConfig::new(&bank_url, BANK_TOKEN))
            .map_err(|e| e.to_string())?;
        let start = std::time::Instant::now();
        loop {
            let at_bank = other.get_case(id).map_err(|e| e.to_string())?;
            if at_bank.case["parties"][0]["full_name"] == "Karimov Aziz R." {
                assert_eq!(at_bank.version, base + 2);
                return Ok(());
            }
            if start.elapsed().as_secs() > 30 {
                return Err("the kept version never reached the bank".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    })
    .await??;
    wait_text(&c, "[data-testid=sync-waiting]", |t| t == "0 waiting").await?;
    c.close().await?;
    Ok(())
}

/// The two-stage disbursement in the window against the simulator: carol submits, bob
/// approves, alice records the evidence; loan money waits for the VIN prohibition, which
/// alice requests and the registry registers after its delay; stage 1 goes, the delivery
/// notice unlocks stage 2, and each order reaches the bank once.
#[tokio::test]
async fn an_approved_case_gets_its_lien_and_stage_two_unlocks() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(3))?;
    let c = driver.launch(&["--demo"]).await?;
    let id = "AUTO-2026-000123";
    login(&c, "carol", &demo_password("carol")).await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    // The vehicle step: the VIN decoded, the §4 rules live, the lien's place.
    open_step(&c, id, "vehicle").await?;
    wait_text(&c, "[data-testid=vin-report]", |t| t.contains("Valid VIN")).await?;
    wait_text(&c, "[data-testid=vehicle-rules]", |t| t.contains("pass")).await?;
    screenshot(&display, "vehicle-step");
    // No agreement before the approval: the refusal says why.
    click(&c, "[data-step=agreement]").await?;
    wait_text(&c, "[data-testid=agreement-refused]", |t| {
        t.contains("NOT_PRINTABLE") && t.contains("approved and reviewed")
    })
    .await?;
    click(&c, "[data-step=review]").await?;
    retype(
        &c,
        "[data-testid=review] input[name=review-text]",
        "salary at this bank; DTI 45.87 %",
    )
    .await?;
    click(&c, "#submit-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "submitted").await?;
    click(&c, "#logout").await?;
    login(&c, "bob", &demo_password("bob")).await?;
    open_step(&c, id, "review").await?;
    retype(&c, "input[name=signoff-password]", &demo_password("bob")).await?;
    click(&c, "#approve-case").await?;
    wait_text(&c, "[data-testid=review-stage]", |t| t == "approved").await?;
    click(&c, "#logout").await?;

    login(&c, "alice", &demo_password("alice")).await?;
    open_step(&c, id, "disbursement").await?;
    // Stage 1 waits for the evidence, each blocker named.
    wait_text(&c, "[data-testid=stage-1-blockers]", |t| {
        t.contains("ADVANCE_MISSING") && t.contains("DOWN_PAYMENT_PROOF")
    })
    .await?;
    retype(&c, "input[name=advance]", "60000000.00").await?;
    click(&c, "#record-advance").await?;
    wait_text(&c, "[data-testid=stage-1]", |t| t.contains("60,000,000.00")).await?;
    retype(&c, "input[name=proof-reference]", "K3-0012345").await?;
    click(&c, "#record-proof").await?;
    wait_text(&c, "[data-testid=conditions]", |t| t.contains("K3-0012345")).await?;
    // The passport: no loan money before the prohibition — stage 1 (the dealer's advance)
    // waits for it too, and says so.
    wait_text(&c, "[data-testid=stage-1-blockers]", |t| {
        t.contains("VIN_LIEN") && !t.contains("DOWN_PAYMENT_PROOF")
    })
    .await?;
    assert!(
        !find(&c, "[data-testid=order-stage-1]")
            .await?
            .is_enabled()
            .await?
    );
    click(&c, "[data-testid=request-lien]").await?;
    wait_text(&c, "[data-testid=lien-status]", |t| t == "requested").await?;
    screenshot(&display, "lien-requested");
    // The registry registers after its delay; the sync pass hears it.
    let start = std::time::Instant::now();
    loop {
        click(&c, "[data-testid=check-registry]").await?;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let lien = find(&c, "[data-testid=lien-status]").await?.text().await?;
        if lien == "registered" {
            break;
        }
        assert!(start.elapsed().as_secs() < 30, "lien still {lien}");
    }
    click(&c, "[data-testid=order-stage-1]").await?;
    wait_text(&c, "[data-testid=stage-1]", |t| t.contains("ordered")).await?;
    // Stage 2 waits for the delivery notice, then unlocks.
    wait_text(&c, "[data-testid=stage-2-blockers]", |t| {
        t.contains("DELIVERY_NOTICE_MISSING") && !t.contains("VIN_LIEN")
    })
    .await?;
    retype(&c, "input[name=delivery-notice]", "DN-2026-118").await?;
    click(&c, "#record-delivery").await?;
    wait_text(&c, "[data-testid=stage-2]", |t| t.contains("ready")).await?;
    click(&c, "[data-testid=order-stage-2]").await?;
    wait_text(&c, "[data-testid=stage-2]", |t| t.contains("ordered")).await?;
    screenshot(&display, "disbursement-ordered");
    // Each order reaches the bank once.
    let start = std::time::Instant::now();
    loop {
        let d = bank.digest();
        if d.orders.get("2") == Some(&1) {
            assert_eq!(d.orders.get("1"), Some(&1), "{d:?}");
            assert_eq!(d.pledge_requests, 1, "{d:?}");
            break;
        }
        assert!(start.elapsed().as_secs() < 30, "{d:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_text(&c, "[data-testid=sync-waiting]", |t| t == "0 waiting").await?;
    assert_eq!(bank.digest().orders.get("2"), Some(&1));

    // The approved case prints its agreement: the pages in the window, then the PDF.
    click(&c, "[data-step=agreement]").await?;
    wait_text(&c, "[data-testid=agreement-stamp]", |t| {
        t.contains("SHA-256")
    })
    .await?;
    let pages = c
        .find_all(Locator::Css("[data-testid=agreement-page]"))
        .await?
        .len();
    assert!(pages >= 2, "{pages} pages in the preview");
    screenshot(&display, "agreement-preview");
    click(&c, "[data-testid=agreement] [data-lang=ru]").await?;
    uw_e2e::print_agreement(&c, "-ru.pdf").await?;
    c.close().await?;
    Ok(())
}

/// Passport what-if in the window: a revised configuration (debt-burden limit 40 %) named
/// by its path; the cases it turns are listed with the rule why.
#[tokio::test]
async fn a_what_if_run_lists_the_cases_a_revised_passport_changes() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let mut revised: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/product/salary-auto-loan.json"))?;
    revised["name"] = "Passport rev. 2 (DTI 40 %)".into();
    revised["credit"]["max_dti"] = "0.40".into();
    let file = data.path().join("revised.json");
    std::fs::write(&file, revised.to_string())?;
    let display = Display::start()?;
    let driver = Driver::start(&display, &data.path().join("store"))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    click(&c, "#what-if-open").await?;
    retype(&c, "input[name=what-if-path]", &file.display().to_string()).await?;
    click(&c, "#what-if-run").await?;
    let summary = wait_text(&c, "[data-testid=what-if-summary]", |t| {
        t.contains("Passport rev. 2") && t.contains("of 17 open cases")
    })
    .await?;
    assert!(
        !summary.starts_with("Passport rev. 2 (DTI 40 %): 0 of"),
        "{summary}"
    );
    wait_text(
        &c,
        "[data-testid=what-if-row][data-case-id='AUTO-2026-000123']",
        |t| t.contains("approve") && t.contains("reject") && t.contains("DTI_EXCEEDED"),
    )
    .await?;
    screenshot(&display, "what-if");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_dashboard_shows_the_branches_against_the_product_stop() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(30))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    click(&c, "#dashboard-open").await?;
    // The demo book: 5 approve, 2 refer, 10 reject of 17 (the BXS-04 case stopped); BXS-04 over all three limits.
    wait_text(&c, "[data-testid=rate-approve]", |t| t == "29.4 %").await?;
    wait_text(&c, "[data-testid=offers-issued]", |t| t == "3").await?;
    let bxs = wait_text(&c, "[data-testid=scope-row][data-scope='BXS-04']", |t| {
        t.contains("suspended")
    })
    .await?;
    assert!(bxs.contains("3.59 %"), "{bxs}");
    let bxm = wait_text(&c, "[data-testid=scope-row][data-scope='BXM-07']", |t| {
        t.contains("1.80 %")
    })
    .await?;
    assert!(!bxm.contains("suspended"), "{bxm}");
    find(&c, "[data-testid=chart-rejections]").await?;
    screenshot(&display, "dashboard");

    // BXM-07's NPL goes over 3 %: after Refresh the branch is suspended.
    bank.set_book(
        "BXM-07",
        &uw_bank_link::api::BranchBook {
            portfolio: "184250000000".into(),
            past_due_30: "9120000000".into(),
            npl: "5711750000".into(),
            credit_losses_12m: "3870000000".into(),
            as_of: "2026-11-20".into(),
        },
    )?;
    click(&c, "#portfolio-refresh").await?;
    wait_text(&c, "[data-testid=scope-row][data-scope='BXM-07']", |t| {
        t.contains("suspended") && t.contains("3.10 %")
    })
    .await?;
    let whole = wait_text(&c, "[data-testid=scope-row][data-scope='bank']", |_| true).await?;
    assert!(!whole.contains("suspended"), "{whole}");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_queue_is_searched_by_vin_and_worked_from_the_keyboard() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    let driver = Driver::start(&display, &data.path().join("store"))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "17 cases").await?;
    // Every open case shows its SLA clock (the demo cases arrived just now: on time).
    let first = find(&c, "[data-testid=queue-row]").await?;
    assert_eq!(first.attr("data-sla").await?.as_deref(), Some("on_time"));

    // "/" goes to the search; a VIN prefix in lower case, then the whole VIN.
    press(&c, &['/']).await?;
    press(&c, &['x', 'w', 'b', 'j']).await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "3 cases").await?;
    retype(&c, "#queue-search", "LGX7HDX71TA180334").await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "1 case").await?;
    find(
        &c,
        "[data-testid=queue-row][data-case-id='AUTO-2026-000136']",
    )
    .await?;
    screenshot(&display, "queue-vin-search");
    // Enter leaves the field; Enter again opens the selected case; Esc comes back with
    // the search kept.
    press(&c, &[Key::Enter.into(), Key::Enter.into()]).await?;
    find(
        &c,
        "[data-testid=case-view][data-case-id='AUTO-2026-000136']",
    )
    .await?;
    press(&c, &[Key::Escape.into()]).await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "1 case").await?;

    // The whole queue again: j moves the selection, o opens, n goes to the next case.
    retype(&c, "#queue-search", "").await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "17 cases").await?;
    press(&c, &[Key::Escape.into()]).await?;
    let ids = {
        let mut ids = Vec::new();
        for row in c.find_all(Locator::Css("[data-testid=queue-row]")).await? {
            ids.push(row.attr("data-case-id").await?.unwrap_or_default());
        }
        ids
    };
    press(&c, &['j', 'j', 'k', 'o']).await?;
    find(
        &c,
        &format!("[data-testid=case-view][data-case-id='{}']", ids[1]),
    )
    .await?;
    press(&c, &['n']).await?;
    find(
        &c,
        &format!("[data-testid=case-view][data-case-id='{}']", ids[2]),
    )
    .await?;
    // ? lists the shortcuts.
    press(&c, &['?']).await?;
    wait_text(&c, "[data-testid=shortcuts]", |t| {
        t.contains("next case of the queue")
    })
    .await?;
    screenshot(&display, "shortcuts");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_window_speaks_uzbek_first_and_remembers_russian() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let display = Display::start()?;
    // No default language given: Uzbek.
    let driver = Driver::start_env(
        &display,
        &data.path().join("store"),
        Some(uw_e2e::E2E_PASSPHRASE),
        &[("UW_LANGUAGE", "")],
    )?;
    let c = driver.launch(&["--demo"]).await?;
    wait_text(&c, "[data-testid=login] h3", |t| t == "Tizimga kirish").await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "main.queue h1", |t| t == "Kunlik navbat").await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "17 ta ariza").await?;
    screenshot(&display, "queue-uz");
    // Money as Uzbek writes it: 135 000 000,00 (no-break spaces, which WebDriver's text
    // gives as spaces; decimal comma).
    wait_text(
        &c,
        "[data-testid=queue-row][data-case-id='AUTO-2026-000123']",
        |t| t.contains("135 000 000,00") && t.contains("qoralama"),
    )
    .await?;
    screenshot(&display, "queue-uz");

    click(&c, "#language option[value=ru]").await?;
    wait_text(&c, "main.queue h1", |t| t == "Очередь дня").await?;
    // CLDR plural: 17 → "заявок" (many).
    wait_text(&c, "[data-testid=queue-total]", |t| t == "17 заявок").await?;
    retype(&c, "#queue-search", "XWBJ").await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "3 заявки").await?;
    retype(&c, "#queue-search", "LGX7HDX71TA180334").await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "1 заявка").await?;
    screenshot(&display, "queue-ru");
    c.close().await?;

    // The choice is the workstation's: the next start speaks Russian from the login on.
    let c = driver.launch(&[]).await?;
    wait_text(&c, "[data-testid=login] h3", |t| t == "Вход").await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "main.queue h1", |t| t == "Очередь дня").await?;
    click(
        &c,
        "[data-testid=queue-row][data-case-id='AUTO-2026-000123'] td",
    )
    .await?;
    wait_text(&c, "[data-step=loan]", |t| t == "Кредит и решение").await?;
    click(&c, "[data-step=loan]").await?;
    wait_text(&c, "[data-testid=live-decision]", |t| t == "одобрить").await?;
    screenshot(&display, "case-ru");
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_parties_step_asks_the_register_and_the_bureau() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(30))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;

    // A slow bureau freezes nothing: while a pull waits 10 s at the bank, the queue is
    // searched and scrolled, and every answer comes while the pull is still in flight.
    let (answers, outcome) =
        uw_e2e::answers_while_the_bureau_waits(&c, &bank, Some(&display), 3).await?;
    let (median, max) = uw_e2e::median_max_ms(&answers, |a| a.took);
    let (screen_median, screen_max) = uw_e2e::median_max_ms(&answers, |a| a.on_screen);
    println!(
        "answers while a {} s bureau pull is in flight: median {median} ms, max {max} ms through WebDriver; keys sent → frame median {screen_median} ms, max {screen_max} ms ({} answers)",
        uw_e2e::BUREAU_LATENCY.as_secs(),
        answers.len()
    );
    for a in &answers {
        println!(
            "  {}: {} ms ({} ms to the frame, {} ms of it in the page)",
            a.action,
            a.took.as_millis(),
            a.on_screen.as_millis(),
            a.in_page.as_millis()
        );
        assert!(a.pull_in_flight, "answered after the pull ended: {a:?}");
    }
    // The pull then ends on its own: the bureau's report, or its coded error.
    match outcome.state.as_str() {
        "done" => {
            open_step(&c, "AUTO-2026-000123", "parties").await?;
            wait_text(&c, "[data-testid=bureau-report]", |t| {
                t.contains("Hamkorbank")
            })
            .await?;
            click(&c, "#back-to-queue").await?;
        }
        _ => assert!(outcome.text.contains("BANK_"), "{outcome:?}"),
    }
    open_step(&c, "AUTO-2026-000123", "parties").await?;
    wait_text(&c, "[data-testid=pinfl-ok-0]", |t| t.contains("male")).await?;
    click(&c, "[data-testid=verify-identity-0]").await?;
    wait_text(&c, "[data-testid=register-status-0]", |t| t == "valid").await?;
    click(&c, "[data-testid=pull-bureau-0]").await?;
    let report = wait_text(&c, "[data-testid=bureau-report]", |t| {
        t.contains("Hamkorbank")
    })
    .await?;
    assert!(report.contains("134"), "{report}");
    wait_text(&c, "[data-testid=history-origin]", |t| {
        t.contains("pulled from the credit bureau")
    })
    .await?;
    wait_text(
        &c,
        "input[name='parties.0.credit_history.existing_monthly_payments']",
        |_| true,
    )
    .await?;
    let payments = find(
        &c,
        "input[name='parties.0.credit_history.existing_monthly_payments']",
    )
    .await?
    .prop("value")
    .await?;
    assert_eq!(payments.as_deref(), Some("350000.00"));
    screenshot(&display, "parties-bureau");
    click(&c, "[data-step=history]").await?;
    wait_text(&c, "[data-testid=history]", |t| {
        t.contains("identity checked") && t.contains("bureau report pulled")
    })
    .await?;
    // Help → "Save a support bundle…" is in the top bar (the file dialog is the system's).
    click(&c, "#help-open").await?;
    wait_text(&c, "#support-bundle", |t| t.contains("support bundle")).await?;
    c.close().await?;
    // The window's log: every line scanned for the demo's personal data, and the calls of
    // this run in it — the PINFL of each register's path replaced.
    let log = uw_e2e::log_without_personal_data(&data.path().join("store"), BANK_TOKEN)?;
    let logged = |event: &str, key: &str, value: &str| {
        log.iter().any(|l| l["event"] == event && l[key] == value)
    };
    for (event, key, value) in [
        ("command", "name", "login"),
        ("command", "name", "verify_identity"),
        ("command", "name", "pull_bureau"),
        ("login", "staff_id", "alice"),
        ("bank_call", "path", "/v1/identity/{pinfl}"),
        ("bank_call", "path", "/v1/bureau/{pinfl}"),
        ("sync_pass", "outcome", "ok"),
    ] {
        assert!(
            logged(event, key, value),
            "no {event} {key}={value} in {log:#?}"
        );
    }
    Ok(())
}

/// The income step asks the official income service: its months beside the statements',
/// per source, and a gap above 10 % flagged for the reviewer; the pull is in the history.
#[tokio::test]
async fn the_official_income_is_shown_beside_the_statements_and_a_gap_is_flagged() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let (bank, display, driver) = bank_and_window(data.path(), Duration::from_secs(30))?;
    // The service records 15,000,000 a month from the employer the statement names by its
    // INN: some 18 % above the statements' 12,500,000–12,800,000.
    let months = [
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
    ];
    let records: Vec<serde_json::Value> = months
        .iter()
        .map(|m| {
            serde_json::json!({"month": m, "kind": "salary", "payer": "Oʻzbekneftgaz AJ",
                               "payer_inn": "201234567", "amount": "15000000.00"})
        })
        .collect();
    bank.set_official_income(
        "31502901234569",
        &serde_json::json!({"pinfl": "31502901234569", "records": records}),
    )?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "[data-testid=status]", |t| t.contains("17 cases")).await?;
    open_step(&c, "AUTO-2026-000123", "income").await?;
    let good = uw_e2e::workspace_root().join("assets/demo/statements/karimov-sqb-2026-05-10.txt");
    retype(
        &c,
        "input[name=statement-path-0]",
        &good.display().to_string(),
    )
    .await?;
    click(&c, "#attach-path-0").await?;
    wait_text(&c, "[data-testid=statement-file]", |t| {
        t.contains("karimov-sqb")
    })
    .await?;
    wait_text(&c, "[data-testid=official-0]", |t| {
        t.contains("Not asked yet")
    })
    .await?;
    click(&c, "#ask-official-0").await?;
    let panel = wait_text(&c, "[data-testid=official-0]", |t| {
        t.contains("OFFICIAL_INCOME_GAP")
    })
    .await?;
    assert!(
        panel.contains("15,000,000.00") && panel.contains("12,800,000.00"),
        "{panel}"
    );
    assert!(panel.contains("same INN"), "{panel}");
    find(&c, "[data-testid=official-row][data-flagged=true]").await?;
    screenshot(&display, "income-official");
    click(&c, "[data-step=history]").await?;
    wait_text(&c, "[data-testid=history]", |t| {
        t.contains("official income pulled")
    })
    .await?;
    c.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_scan_is_attached_viewed_verified_and_a_rejection_rejects_the_case() -> Result<()> {
    let _one = serial().await;
    let data = tempfile::tempdir()?;
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let display = Display::start()?;
    let driver = Driver::start(&display, &data.path().join("store"))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    // Referred: its income document is still pending.
    open_step(&c, "AUTO-2026-000126", "documents").await?;
    find(&c, "[data-testid=documents]").await?;
    wait_text(&c, "[data-testid=decision]", |t| t == "refer").await?;

    // A text file named .pdf: refused by its content, nothing attached.
    retype(
        &c,
        "input[name='scan-path-identity-0']",
        &fixtures.join("not-a-scan.pdf").display().to_string(),
    )
    .await?;
    click(&c, "[data-testid='attach-identity-0']").await?;
    wait_text(&c, "[data-testid=error]", |t| {
        t.contains("not a PDF, PNG or JPEG") && t.contains("nothing was attached")
    })
    .await?;
    assert!(c
        .find_all(Locator::Css("[data-testid=scan]"))
        .await?
        .is_empty());

    // The passport as a two-page PDF: shown page by page, zoomed.
    retype(
        &c,
        "input[name='scan-path-identity-0']",
        &fixtures.join("passport-scan.pdf").display().to_string(),
    )
    .await?;
    click(&c, "[data-testid='attach-identity-0']").await?;
    wait_text(
        &c,
        "[data-testid=doc-line][data-kind=identity][data-party='0']",
        |t| t.contains("passport-scan.pdf") && t.contains("2 pages"),
    )
    .await?;
    click(
        &c,
        "[data-testid=doc-line][data-kind=identity][data-party='0'] [data-testid=scan]",
    )
    .await?;
    find(&c, "[data-testid=pdf-page][data-rendered='1']").await?;
    click(&c, "[data-testid=page-next]").await?;
    find(&c, "[data-testid=pdf-page][data-rendered='2']").await?;
    wait_text(&c, "[data-testid=page-of]", |t| t == "page 2 of 2").await?;
    click(&c, "[data-testid=zoom-in]").await?;
    wait_text(&c, "[data-testid=zoom]", |t| t == "125 %").await?;
    screenshot(&display, "documents-pdf");

    // An income certificate as PNG.
    retype(
        &c,
        "input[name='scan-path-income-0']",
        &fixtures
            .join("income-certificate.png")
            .display()
            .to_string(),
    )
    .await?;
    click(&c, "[data-testid='attach-income-0']").await?;
    click(
        &c,
        "[data-testid=doc-line][data-kind=income][data-party='0'] [data-testid=scan]",
    )
    .await?;
    find(&c, "[data-testid=scan-image]").await?;

    // The income verified on its scan: who and when are kept, the case approves. Then the
    // purchase contract rejected with a reason: the decision turns to reject (P-DOCS-REJ).
    click(&c, "[data-testid='verify-income-0']").await?;
    wait_text(&c, "[data-testid='doc-status-income-0']", |t| {
        t == "verified"
    })
    .await?;
    wait_text(&c, "[data-testid='doc-checked-income-0']", |t| {
        t.contains("alice")
    })
    .await?;
    wait_text(&c, "[data-testid=decision]", |t| t == "approve").await?;
    retype(
        &c,
        "input[name='reject-reason-purchase_contract-0']",
        "the VIN differs from the car's",
    )
    .await?;
    click(&c, "[data-testid='reject-purchase_contract-0']").await?;
    wait_text(&c, "[data-testid='doc-status-purchase_contract-0']", |t| {
        t == "rejected"
    })
    .await?;
    wait_text(&c, "[data-testid=decision]", |t| t == "reject").await?;
    // The rejection stays: no verdict on that version again; the line says how on.
    find(&c, "[data-testid='doc-final-purchase_contract-0']").await?;
    assert!(
        !find(&c, "[data-testid='verify-purchase_contract-0']")
            .await?
            .is_enabled()
            .await?
    );
    screenshot(&display, "documents-rejected");
    click(&c, "[data-step=loan]").await?;
    wait_text(&c, "[data-testid=reasons]", |t| {
        t.contains("P-DOCS-REJ") && t.contains("DOCUMENT_REJECTED")
    })
    .await?;

    // A new scan of the contract is version 2, pending (refer), the rejected version 1
    // listed under it; verified, the case approves again.
    click(&c, "[data-step=documents]").await?;
    retype(
        &c,
        "input[name='scan-path-purchase_contract-0']",
        &fixtures.join("passport-scan.pdf").display().to_string(),
    )
    .await?;
    click(&c, "[data-testid='attach-purchase_contract-0']").await?;
    wait_text(&c, "[data-testid='doc-version-purchase_contract-0']", |t| {
        t == "v2"
    })
    .await?;
    wait_text(&c, "[data-testid='doc-status-purchase_contract-0']", |t| {
        t == "pending"
    })
    .await?;
    wait_text(&c, "[data-testid='doc-earlier-purchase_contract-0']", |t| {
        t.contains("version 1") && t.contains("the VIN differs")
    })
    .await?;
    wait_text(&c, "[data-testid=decision]", |t| t == "refer").await?;
    click(&c, "[data-testid='verify-purchase_contract-0']").await?;
    wait_text(&c, "[data-testid='doc-status-purchase_contract-0']", |t| {
        t == "verified"
    })
    .await?;
    wait_text(&c, "[data-testid=decision]", |t| t == "approve").await?;
    screenshot(&display, "documents-version-2");
    c.close().await?;
    Ok(())
}
