//! The demo: a store seeded with realistic cases, so that a newcomer sees a working queue
//! at once (README, command 1). The cases are data under `assets/demo/cases/`.

use crate::error::Result;
use crate::Workstation;

pub const DEMO_CASES: &[(&str, &str)] = &[
    (
        "AUTO-2026-000123.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json"),
    ),
    (
        "AUTO-2026-000124.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000124.json"),
    ),
    (
        "AUTO-2026-000125.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000125.json"),
    ),
    (
        "AUTO-2026-000126.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000126.json"),
    ),
    (
        "AUTO-2026-000127.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000127.json"),
    ),
    (
        "AUTO-2026-000128.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000128.json"),
    ),
    (
        "AUTO-2026-000129.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000129.json"),
    ),
    (
        "AUTO-2026-000130.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000130.json"),
    ),
    (
        "AUTO-2026-000131.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000131.json"),
    ),
    (
        "AUTO-2026-000132.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000132.json"),
    ),
    (
        "AUTO-2026-000133.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000133.json"),
    ),
    (
        "AUTO-2026-000134.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000134.json"),
    ),
    (
        "AUTO-2026-000135.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000135.json"),
    ),
    (
        "AUTO-2026-000136.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000136.json"),
    ),
    (
        "AUTO-2026-000137.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000137.json"),
    ),
    (
        "AUTO-2026-000138.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000138.json"),
    ),
    (
        // In BXS-04, whose book is over the product-stop limits: the stop can be tried.
        "AUTO-2026-000139.json",
        include_str!("../../../../assets/demo/cases/AUTO-2026-000139.json"),
    ),
];

/// Seeds the demo cases, received over the last hours so that the queue shows ages —
/// the oldest first, so that the audit trail's times do not go back (`uw audit verify`).
pub fn seed(ws: &Workstation) -> Result<()> {
    let now = chrono::Utc::now();
    for (i, (name, text)) in DEMO_CASES.iter().enumerate().rev() {
        let received = now - chrono::Duration::minutes(37 * i as i64 + 5);
        let at = received.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        ws.import_texts_at(&[(name.to_string(), text.to_string())], &at, "demo", false)?;
    }
    Ok(())
}

/// The demo's ready-made users (README, "Logging in to the demo"): an underwriter, a
/// reviewer, one person with both roles, an administrator and a supervisor (admin,
/// underwriter, reviewer, supervisor).
pub const DEMO_USERS: &[(&str, &str, &str, bool, bool, bool, bool)] = &[
    (
        "alice",
        "Alisher Karimov (underwriter)",
        "alice-demo-2026",
        false,
        true,
        false,
        false,
    ),
    (
        "bob",
        "Bobur Toshmatov (reviewer)",
        "bob-demo-2026",
        false,
        false,
        true,
        false,
    ),
    (
        "carol",
        "Kamola Yusupova (underwriter, reviewer)",
        "carol-demo-2026",
        false,
        true,
        true,
        false,
    ),
    (
        "admin",
        "Administrator",
        "admin-demo-2026",
        true,
        false,
        false,
        false,
    ),
    (
        "sara",
        "Saida Alimova (supervisor)",
        "sara-demo-2026",
        false,
        false,
        false,
        true,
    ),
];

pub fn seed_users(ws: &Workstation) -> Result<()> {
    for (username, name, password, admin, underwriter, reviewer, supervisor) in DEMO_USERS {
        ws.insert_user(
            &crate::NewUser {
                username: username.to_string(),
                display_name: name.to_string(),
                staff_id: None,
                password: password.to_string(),
                admin: *admin,
                underwriter: *underwriter,
                reviewer: *reviewer,
                supervisor: Some(*supervisor),
            },
            "demo",
            false,
            false,
        )?;
    }
    Ok(())
}
