use std::str::FromStr;

use super::*;
use crate::income::statements::StatementSource;

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

const WINDOW: [&str; 6] = [
    "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
];

fn source(kind: IncomeKind, payer: &str, inn: &str, amount: &str) -> StatementSource {
    StatementSource {
        kind,
        payer: payer.into(),
        payer_inn: inn.into(),
        months: WINDOW.iter().map(|w| (ym(w), m(amount))).collect(),
        weight: "1".into(),
        at_this_bank: true,
        usable: true,
        reasons: Vec::new(),
    }
}

fn income(sources: Vec<StatementSource>) -> StatementIncome {
    StatementIncome {
        period: WINDOW.iter().map(|w| ym(w)).collect(),
        sources,
        average_monthly_income: Money::ZERO,
        flags: Vec::new(),
        transactions: Vec::new(),
    }
}

/// Six months (and one outside the window) of `amount` from a payer.
fn official(kind: IncomeKind, payer: &str, inn: &str, amount: &str) -> Vec<OfficialRecord> {
    WINDOW
        .iter()
        .chain(["2026-11"].iter())
        .map(|w| OfficialRecord {
            month: ym(w),
            kind,
            payer: payer.into(),
            payer_inn: inn.into(),
            amount: m(amount),
        })
        .collect()
}

fn answer(records: Vec<Vec<OfficialRecord>>) -> OfficialIncome {
    OfficialIncome {
        at: "2026-11-21T09:00:00Z".into(),
        records: records.into_iter().flatten().collect(),
    }
}

/// (kind, official payer, statement payer, matched, gap %, flagged) of each row.
fn rows(c: &OfficialComparison) -> Vec<(IncomeKind, &str, &str, Matched, &str, bool)> {
    c.sources
        .iter()
        .map(|r| {
            (
                r.kind,
                r.official_payer.as_str(),
                r.statement_payer.as_str(),
                r.matched,
                r.gap_percent.as_str(),
                r.flagged,
            )
        })
        .collect()
}

#[test]
fn sources_pair_by_inn_then_name_then_the_only_one_left_and_gaps_above_the_share_flag() {
    use IncomeKind::{AccountInflow, Pension, Salary};
    let share = Decimal::new(10, 2);
    let check = |o: Vec<Vec<OfficialRecord>>,
                 s: Vec<StatementSource>,
                 want: Vec<(IncomeKind, &str, &str, Matched, &str, bool)>| {
        let c = compare(&answer(o), &income(s), share);
        assert_eq!(rows(&c), want);
        assert_eq!(c.flags.len(), want.iter().filter(|r| r.5).count());
        assert!(c.flags.iter().all(|f| f.code == "OFFICIAL_INCOME_GAP"));
        assert_eq!(c.limit_percent, "10.00");
    };
    // By INN, whatever the names; equal: no gap. The month outside the window is left out.
    check(
        vec![official(
            Salary,
            "Uzbekneftegaz JSC",
            "201234567",
            "12500000.00",
        )],
        vec![source(
            Salary,
            "\"O'zbekneftgaz\" AJ",
            "201234567",
            "12500000.00",
        )],
        vec![(
            Salary,
            "Uzbekneftegaz JSC",
            "\"O'zbekneftgaz\" AJ",
            Matched::Inn,
            "0.00",
            false,
        )],
    );
    // By name (quotes, case, apostrophes aside); a gap of exactly 10 % is not above it.
    check(
        vec![official(Salary, "«Akfa» mchj", "", "1000000.00")],
        vec![source(Salary, "\"AKFA\"   MChJ", "301234567", "900000.00")],
        vec![(
            Salary,
            "«Akfa» mchj",
            "\"AKFA\"   MChJ",
            Matched::Name,
            "10.00",
            false,
        )],
    );
    // The only salary left on each side: paired and shown as such; 10.01 % flags.
    check(
        vec![official(Salary, "Uzbekneftegaz JSC", "", "1000000.00")],
        vec![source(
            Salary,
            "\"O'zbekneftgaz\" AJ",
            "201234567",
            "899900.00",
        )],
        vec![(
            Salary,
            "Uzbekneftegaz JSC",
            "\"O'zbekneftgaz\" AJ",
            Matched::OnlyOne,
            "10.01",
            true,
        )],
    );
    // Two salaries each side, none the same: no guessing; each alone, each 100 %. A
    // pension pairs on its own; an account inflow is not the service's to know.
    check(
        vec![
            official(Salary, "A", "1", "100.00"),
            official(Salary, "B", "2", "100.00"),
            official(Pension, "Pensiya jamgʻarmasi", "", "50.00"),
        ],
        vec![
            source(Salary, "C", "3", "100.00"),
            source(Salary, "D", "4", "100.00"),
            source(Pension, "Pension Fund", "", "50.00"),
            source(AccountInflow, "", "", "999.00"),
        ],
        vec![
            (
                Pension,
                "Pensiya jamgʻarmasi",
                "Pension Fund",
                Matched::OnlyOne,
                "0.00",
                false,
            ),
            (Salary, "A", "", Matched::Unmatched, "100.00", true),
            (Salary, "B", "", Matched::Unmatched, "100.00", true),
            (Salary, "", "C", Matched::Unmatched, "100.00", true),
            (Salary, "", "D", Matched::Unmatched, "100.00", true),
        ],
    );
    // Nothing recorded officially: a statement salary is a gap of 100 %.
    check(
        vec![],
        vec![source(Salary, "Akfa", "", "100.00")],
        vec![(Salary, "", "Akfa", Matched::Unmatched, "100.00", true)],
    );
}

#[test]
fn the_months_and_the_flag_say_what_differs() {
    let mut s = source(IncomeKind::Salary, "Akfa", "301234567", "1000000.00");
    s.months.remove(&ym("2026-07"));
    let c = compare(
        &answer(vec![official(
            IncomeKind::Salary,
            "Akfa",
            "301234567",
            "1000000.00",
        )]),
        &income(vec![s]),
        Decimal::new(10, 2),
    );
    let row = &c.sources[0];
    assert_eq!(row.months.len(), 6);
    let july = &row.months[2];
    assert_eq!(
        (july.official, july.statements),
        (Some(m("1000000.00")), Money::ZERO)
    );
    assert_eq!(
        (row.official_total, row.statements_total),
        (m("6000000.00"), m("5000000.00"))
    );
    assert_eq!(row.gap_percent, "16.67");
    assert_eq!(
        c.flags[0].message,
        "salary from Akfa: official 6000000.00 against statements 5000000.00 over the months compared, a gap of 16.67 % (above 10.00 %)"
    );
}

#[test]
fn a_bad_record_refuses_the_answer_naming_it() {
    let raw = |month: &'static str, kind: &'static str, amount: &'static str| RawRecord {
        month,
        kind,
        payer: " Akfa ",
        payer_inn: None,
        amount,
    };
    let ok = records([
        raw("2026-05", "salary", "100.50"),
        raw("2026-06", "pension", "0"),
    ])
    .unwrap();
    assert_eq!(
        (ok[0].payer.as_str(), ok[1].kind),
        ("Akfa", IncomeKind::Pension)
    );
    for (bad, want) in [
        (raw("2026-13", "salary", "1"), "records[1].month"),
        (raw("2026-05", "bonus", "1"), "records[1].kind: \"bonus\""),
        (raw("2026-05", "salary", "1.005"), "records[1].amount"),
        (
            raw("2026-05", "salary", "-1"),
            "records[1].amount: -1 is negative",
        ),
        (raw("2026-05", "salary", "1e9"), "records[1].amount"),
        (raw("2026-05", "salary", ""), "records[1].amount"),
        (
            RawRecord {
                payer: " ",
                ..raw("2026-05", "salary", "1")
            },
            "records[1].payer",
        ),
    ] {
        let e = records([raw("2026-05", "salary", "1"), bad]).unwrap_err();
        assert!(e.starts_with(want), "{e}");
    }
}

/// The answer reaches only part of the window (pulled a month late): the months it does
/// not span are not compared, so no gap is invented.
#[test]
fn months_the_answer_does_not_reach_are_not_compared() {
    let mut records = official(IncomeKind::Salary, "Akfa", "301234567", "1000000.00");
    records.retain(|r| r.month != ym("2026-05"));
    let c = compare(
        &answer(vec![records]),
        &income(vec![source(
            IncomeKind::Salary,
            "Akfa",
            "301234567",
            "1000000.00",
        )]),
        Decimal::new(10, 2),
    );
    let row = &c.sources[0];
    assert_eq!(row.months[0].official, None);
    assert_eq!(
        (row.official_total, row.statements_total),
        (m("5000000.00"), m("5000000.00"))
    );
    assert!(!row.flagged && c.flags.is_empty());
}

/// One payer's records, with and without its INN, in any order, are one source; two known
/// INNs are two payers, whatever their names or how alone they are.
#[test]
fn a_payer_is_one_source_whatever_the_order_and_two_inns_are_two() {
    use IncomeKind::Salary;
    let rec = |month: &str, payer: &str, inn: &str| OfficialRecord {
        month: ym(month),
        kind: Salary,
        payer: payer.into(),
        payer_inn: inn.into(),
        amount: m("100.00"),
    };
    let mixed = vec![
        rec("2026-05", "Akfa", ""),
        rec("2026-06", "Akfa MChJ", "1"),
        rec("2026-07", "Akfa", "1"),
    ];
    for order in [mixed.clone(), mixed.iter().rev().cloned().collect()] {
        let c = compare(
            &OfficialIncome {
                at: String::new(),
                records: order,
            },
            &income(vec![]),
            Decimal::new(10, 2),
        );
        assert_eq!(c.sources.len(), 1, "{:?}", rows(&c));
        assert_eq!(c.sources[0].official_total, m("300.00"));
    }
    let c = compare(
        &answer(vec![official(Salary, "Akfa", "1", "100.00")]),
        &income(vec![source(Salary, "Akfa", "2", "100.00")]),
        Decimal::new(10, 2),
    );
    assert_eq!(
        rows(&c),
        vec![
            (Salary, "Akfa", "", Matched::Unmatched, "100.00", true),
            (Salary, "", "Akfa", Matched::Unmatched, "100.00", true),
        ]
    );
}
