use rust_decimal::Decimal;

use super::*;
use crate::product::tests::default_product;
use crate::statement::AccountSection;

const OWN: &str = "20206000900123456001";
const IE: &str = "20208000900765432001";

fn rules() -> Classification {
    serde_json::from_str(include_str!(
        "../../../../../../assets/income/classification.json"
    ))
    .unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn money(d: Decimal) -> Money {
    Money::try_from_decimal(d).unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn credit(
    line: usize,
    date: &str,
    amount: &str,
    payer: &str,
    inn: &str,
    purpose: &str,
) -> Transaction {
    Transaction {
        line,
        kind: "Платежное поручение".into(),
        number: line.to_string().into(),
        date: Some(d(date)),
        amount: m(amount),
        payer: payer.into(),
        payer_inn: inn.into(),
        payer_account: format!("2021000040098765{line:04}").into(),
        payer_bank: "00873".into(),
        receiver: "Karimov Aziz".into(),
        receiver_account: OWN.into(),
        receiver_bank: "00440".into(),
        purpose: purpose.into(),
        credited_on: Some(d(date)),
        ..Default::default()
    }
}

fn debit(line: usize, date: &str, amount: &str) -> Transaction {
    Transaction {
        line,
        number: line.to_string().into(),
        date: Some(d(date)),
        amount: m(amount),
        payer_account: OWN.into(),
        receiver_account: "20208000100000000001".into(),
        purpose: "Оплата по карте".into(),
        debited_on: Some(d(date)),
        ..Default::default()
    }
}

/// A statement over [from, to] whose section totals agree with its documents.
fn statement(file: &str, from: &str, to: &str, txs: Vec<Transaction>) -> Statement {
    let credited: Decimal = txs
        .iter()
        .filter(|t| &*t.receiver_account == OWN)
        .map(|t| t.amount.decimal())
        .sum();
    let debited: Decimal = txs
        .iter()
        .filter(|t| &*t.payer_account == OWN)
        .map(|t| t.amount.decimal())
        .sum();
    Statement {
        file: file.into(),
        format: "1CClientBankExchange".into(),
        encoding: "UTF-8".into(),
        version: Some("1.03".into()),
        period_from: Some(d(from)),
        period_to: Some(d(to)),
        accounts: vec![AccountSection {
            line: 8,
            account: OWN.into(),
            from: Some(d(from)),
            to: Some(d(to)),
            opening: Some(m("1000")),
            credited: Some(money(credited)),
            debited: Some(money(debited)),
            closing: Some(money(Decimal::from(1000) + credited - debited)),
        }],
        transactions: txs,
    }
}

fn salaries(amount: &str) -> Vec<Transaction> {
    ["05", "06", "07", "08", "09", "10"]
        .iter()
        .enumerate()
        .map(|(i, mo)| {
            credit(
                20 + i,
                &format!("2026-{mo}-05"),
                amount,
                "Uzbekneftegaz AJ",
                "201234567",
                "Ish haqi",
            )
        })
        .collect()
}

fn run(sts: &[Statement], overrides: &[Reclassification]) -> StatementIncome {
    analyse(
        sts,
        d("2026-11-20"),
        &default_product(),
        &rules(),
        overrides,
    )
}

fn codes(r: &StatementIncome) -> Vec<&str> {
    r.flags.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn six_months_of_salary() {
    let r = run(
        &[statement(
            "a.txt",
            "2026-05-01",
            "2026-10-31",
            salaries("12500000"),
        )],
        &[],
    );
    assert_eq!(r.period.first().unwrap().to_string(), "2026-05");
    assert_eq!(r.sources.len(), 1);
    let s = &r.sources[0];
    assert_eq!(
        (s.kind, s.usable, s.payer_inn.as_str()),
        (IncomeKind::Salary, true, "201234567")
    );
    assert_eq!(s.months.len(), 6);
    assert_eq!(r.average_monthly_income, m("12500000"));
    assert!(r.flags.is_empty(), "{:?}", r.flags);
    assert_eq!(
        &*r.transactions[0].reason,
        "the purpose contains «ish haqi»"
    );
}

#[test]
fn an_uncovered_month_makes_the_source_unusable_and_a_silent_month_counts_zero() {
    let r = run(
        &[statement(
            "a.txt",
            "2026-06-01",
            "2026-10-31",
            salaries("12500000"),
        )],
        &[],
    );
    assert!(!r.sources[0].usable);
    assert!(r.sources[0].reasons[0].contains("2026-05"));
    assert_eq!(r.average_monthly_income, Money::ZERO);
    assert!(codes(&r).contains(&"PERIOD_NOT_COVERED"));

    let mut txs = salaries("12000000");
    txs.remove(3); // no salary in August
    let r = run(&[statement("a.txt", "2026-05-01", "2026-10-31", txs)], &[]);
    assert!(r.sources[0].usable);
    assert_eq!(
        r.sources[0].months[&"2026-08".parse().unwrap()],
        Money::ZERO
    );
    assert_eq!(r.average_monthly_income, m("10000000"));
    assert!(codes(&r).contains(&"ZERO_MONTH"));
}

#[test]
fn exclusions_and_entrepreneur_receipts() {
    let mut txs = salaries("10000000");
    let mut own = credit(
        40,
        "2026-06-10",
        "5000000",
        "Karimov Aziz",
        "",
        "Пополнение",
    );
    own.payer_account = OWN.into();
    txs.push(own);
    txs.push(credit(
        41,
        "2026-06-11",
        "50000000",
        "SQB",
        "200833833",
        "Kredit ajratish, shartnoma 77",
    ));
    txs.push(credit(
        42,
        "2026-06-12",
        "300000",
        "Korzinka",
        "301",
        "Возврат товара",
    ));
    let r = run(&[statement("a.txt", "2026-05-01", "2026-10-31", txs)], &[]);
    let excluded: Vec<_> = r
        .transactions
        .iter()
        .filter_map(|t| t.excluded.as_deref())
        .collect();
    assert_eq!(excluded, ["own_transfer", "loan_disbursement", "refund"]);
    assert_eq!(r.average_monthly_income, m("10000000"));

    let ie_txs: Vec<Transaction> = ["05", "06", "07", "08", "09", "10"]
        .iter()
        .enumerate()
        .map(|(i, mo)| {
            let mut t = credit(
                60 + i,
                &format!("2026-{mo}-15"),
                "30000000",
                "Buyer LLC",
                &format!("30{i}"),
                "Tovar uchun to'lov",
            );
            t.receiver_account = IE.into();
            t
        })
        .collect();
    let mut ie = statement("ie.txt", "2026-05-01", "2026-10-31", ie_txs.clone());
    ie.accounts[0].account = IE.into();
    let r = run(&[ie.clone()], &[]);
    let src = r
        .sources
        .iter()
        .find(|s| s.kind == IncomeKind::EntrepreneurReceipts)
        .unwrap();
    assert!(src.usable);
    assert_eq!(src.weight, "0.2");
    assert_eq!(r.average_monthly_income, m("6000000"), "20 % of 30,000,000");
    for t in &mut ie.transactions {
        t.receiver_bank = "00014".into();
    }
    let r = run(&[ie], &[]);
    assert!(!r.sources[0].usable);
    assert!(r.sources[0].reasons[0].starts_with("P-INC-IE-ACC"));
}

#[test]
fn integrity_flags() {
    let mut txs = salaries("10000000");
    txs.push(credit(
        50,
        "2026-09-20",
        "45000000",
        "Uzbekneftegaz AJ",
        "201234567",
        "Ish haqi, mukofot",
    ));
    txs.push(credit(
        51,
        "2026-07-01",
        "7000000",
        "Akfa",
        "309876543",
        "Заработная плата за июнь",
    ));
    txs.push(credit(
        52,
        "2026-08-01",
        "2500000",
        "Ali Valiyev",
        "",
        "Qarz",
    ));
    txs.push(debit(53, "2026-08-03", "2500000"));
    let st = statement("a.txt", "2026-05-01", "2026-10-31", txs);
    let mut broken = st.clone();
    broken.accounts[0].closing = Some(m("1"));
    let r = run(&[broken, st], &[]);
    let c = codes(&r);
    for code in [
        "BALANCE_MISMATCH",
        "DUPLICATE_DOCUMENT",
        "ONE_OFF_INFLOW",
        "ROUND_TRIP",
        "MULTIPLE_EMPLOYERS",
    ] {
        assert!(c.contains(&code), "{code} missing in {c:?}");
    }
    assert_eq!(c.iter().filter(|x| **x == "DUPLICATE_DOCUMENT").count(), 10);
    let dup = r
        .flags
        .iter()
        .find(|f| f.code == "DUPLICATE_DOCUMENT")
        .unwrap();
    assert_eq!(dup.line, Some(20));
    // The first of the two is named: the first file's line.
    assert_eq!(dup.message, "the same document as a.txt:20; counted once");
}

#[test]
fn the_underwriter_can_reclassify_with_a_note() {
    let mut txs = salaries("10000000");
    txs.push(credit(
        70,
        "2026-07-01",
        "4000000",
        "Ota-onam",
        "",
        "Sovg'a",
    ));
    let st = statement("a.txt", "2026-05-01", "2026-10-31", txs);
    let r = run(std::slice::from_ref(&st), &[]);
    assert_eq!(r.transactions[6].kind, Some(IncomeKind::AccountInflow));
    let note = Reclassification {
        file: "a.txt".into(),
        line: 70,
        kind: None,
        note: "a family gift, not income".into(),
    };
    let r = run(&[st], &[note]);
    assert_eq!(r.transactions[6].excluded.as_deref(), Some("reclassified"));
    assert!(r.transactions[6].reason.contains("a family gift"));
}

#[test]
fn flags_point_at_the_transaction_behind_them() {
    let mut txs = salaries("8000000");
    // A single large inflow among empty months: the median month is zero.
    txs.push(credit(
        60,
        "2026-08-14",
        "40000000",
        "Toshmatov Bobur",
        "",
        "O'tkazma",
    ));
    // A second employer in September.
    txs.push(credit(
        61,
        "2026-09-05",
        "3000000",
        "Akfa",
        "309876543",
        "Ish haqi avans",
    ));
    let r = run(&[statement("a.txt", "2026-05-01", "2026-10-31", txs)], &[]);
    let one_off: Vec<_> = r
        .flags
        .iter()
        .filter(|f| f.code == "ONE_OFF_INFLOW")
        .collect();
    // The inflow, and the second employer's single month: both above 3× a zero median.
    let lines: Vec<_> = one_off.iter().map(|f| (f.file.as_str(), f.line)).collect();
    assert_eq!(
        lines,
        [("a.txt", Some(61)), ("a.txt", Some(60))],
        "{:?}",
        r.flags
    );
    let employers: Vec<_> = r
        .flags
        .iter()
        .filter(|f| f.code == "MULTIPLE_EMPLOYERS")
        .collect();
    assert_eq!(employers.len(), 1, "{:?}", r.flags);
    assert_eq!(employers[0].line, Some(61));
    // The inflow is counted until the underwriter says otherwise.
    let inflow = r
        .sources
        .iter()
        .find(|s| s.kind == IncomeKind::AccountInflow)
        .unwrap();
    assert_eq!(
        inflow.months[&YearMonth::of(d("2026-08-01"))],
        m("40000000")
    );
    let r = run(
        &[statement("a.txt", "2026-05-01", "2026-10-31", r_txs())],
        &[Reclassification {
            file: "a.txt".into(),
            line: 60,
            kind: None,
            note: "a loan from a relative, repaid".into(),
        }],
    );
    assert!(r
        .sources
        .iter()
        .all(|s| s.kind != IncomeKind::AccountInflow));
    assert!(!codes(&r).contains(&"ONE_OFF_INFLOW"));
}

fn r_txs() -> Vec<Transaction> {
    let mut txs = salaries("8000000");
    txs.push(credit(
        60,
        "2026-08-14",
        "40000000",
        "Toshmatov Bobur",
        "",
        "O'tkazma",
    ));
    txs
}

/// One section per month: each month's identity is checked against that month's
/// documents, and each month must open with the previous closing.
#[test]
fn monthly_sections_check_the_identity_per_month() {
    let mut txs = salaries("8000000");
    txs.push(debit(70, "2026-06-10", "1500000"));
    let base = statement("m.txt", "2026-05-01", "2026-10-31", txs.clone());
    let months = [
        ("2026-05-01", "2026-05-31"),
        ("2026-06-01", "2026-06-30"),
        ("2026-07-01", "2026-07-31"),
        ("2026-08-01", "2026-08-31"),
        ("2026-09-01", "2026-09-30"),
        ("2026-10-01", "2026-10-31"),
    ];
    let mut balance = m("1000");
    let mut accounts = Vec::new();
    for (i, (from, to)) in months.iter().enumerate() {
        let inside = |t: &&Transaction| t.date.is_some_and(|x| x >= d(from) && x <= d(to));
        let credited: Decimal = txs
            .iter()
            .filter(inside)
            .filter(|t| &*t.receiver_account == OWN)
            .map(|t| t.amount.decimal())
            .sum();
        let debited: Decimal = txs
            .iter()
            .filter(inside)
            .filter(|t| &*t.payer_account == OWN)
            .map(|t| t.amount.decimal())
            .sum();
        let closing = money(balance.decimal() + credited - debited);
        accounts.push(AccountSection {
            line: 100 + i,
            account: OWN.into(),
            from: Some(d(from)),
            to: Some(d(to)),
            opening: Some(balance),
            credited: Some(money(credited)),
            debited: Some(money(debited)),
            closing: Some(closing),
        });
        balance = closing;
    }
    let monthly = Statement {
        accounts: accounts.clone(),
        ..base.clone()
    };
    assert!(!codes(&run(&[monthly], &[])).contains(&"BALANCE_MISMATCH"));

    // June's section omits its debit: June's totals and identity no longer hold, and July
    // opens with a balance June did not close with.
    let mut broken = accounts;
    broken[1].debited = Some(m("0"));
    broken[1].closing = Some(money(
        broken[1].opening.unwrap().decimal() + broken[1].credited.unwrap().decimal(),
    ));
    let r = run(
        &[Statement {
            accounts: broken,
            ..base
        }],
        &[],
    );
    let lines: Vec<Option<usize>> = r
        .flags
        .iter()
        .filter(|f| f.code == "BALANCE_MISMATCH")
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [Some(101), Some(102)], "{:?}", r.flags);
}

/// Statements fed as a reader streams them — a file's sections may come after its
/// documents, a later file's sections are own accounts too — give, with the second pass
/// the analysis asks for, exactly what the held statements give.
mod streamed {
    use super::*;
    use proptest::prelude::*;

    const ACCOUNTS: [&str; 5] = [OWN, IE, "20210000400987650001", "20208000100000000001", ""];
    const PURPOSES: [&str; 6] = [
        "Ish haqi",
        "Pensiya",
        "Возврат",
        "Kredit",
        "Оплата",
        "Dividend",
    ];
    const AMOUNTS: [&str; 5] = ["1000000", "2500000.50", "999.99", "1000000", "30000000"];

    fn tx() -> impl Strategy<Value = Transaction> {
        (
            (
                0usize..5,
                0usize..5,
                0usize..6,
                0usize..5,
                1u32..29,
                3u32..12,
            ),
            (
                0usize..3,
                0usize..3,
                any::<bool>(),
                any::<bool>(),
                0usize..4,
            ),
        )
            .prop_map(
                |((pa, ra, pu, am, day, month), (payer, num, cr, db, bank))| Transaction {
                    line: 0,
                    kind: "Платежное поручение".into(),
                    number: num.to_string().into(),
                    date: Some(d(&format!("2026-{month:02}-{day:02}"))),
                    amount: m(AMOUNTS[am]),
                    payer: ["Akfa", "Uzbekneftegaz AJ", ""][payer].into(),
                    payer_inn: ["201234567", "", "301234567"][payer].into(),
                    payer_account: ACCOUNTS[pa].into(),
                    payer_bank: "00873".into(),
                    receiver: "Karimov".into(),
                    receiver_inn: ["", "201234567", "", ""][bank].into(),
                    receiver_account: ACCOUNTS[ra].into(),
                    receiver_bank: ["00440", "00873", "", "00440"][bank].into(),
                    purpose: PURPOSES[pu].into(),
                    credited_on: cr.then(|| d(&format!("2026-{month:02}-{day:02}"))),
                    debited_on: db.then(|| d(&format!("2026-{month:02}-{day:02}"))),
                },
            )
    }

    fn section() -> impl Strategy<Value = AccountSection> {
        (0usize..5, 3u32..8, 0u32..6, 0usize..5, 0usize..5).prop_map(|(a, from, len, o, c)| {
            AccountSection {
                line: 3,
                account: ACCOUNTS[a].into(),
                from: Some(d(&format!("2026-{from:02}-01"))),
                to: Some(
                    Date::ymd(2026, (from + len).min(12), 1)
                        .unwrap()
                        .add_months(1)
                        .add_days(-1),
                ),
                opening: Some(m(AMOUNTS[o])),
                credited: Some(m(AMOUNTS[c])),
                debited: (o != c).then(|| m(AMOUNTS[o])),
                closing: Some(m(AMOUNTS[(o + c) % 5])),
            }
        })
    }

    fn any_statement() -> impl Strategy<Value = Statement> {
        (
            proptest::collection::vec(section(), 0..3),
            proptest::collection::vec(tx(), 0..40),
            3u32..7,
            any::<bool>(),
        )
            .prop_map(|(accounts, mut txs, from, period)| {
                for (i, t) in txs.iter_mut().enumerate() {
                    t.line = 10 + i * 3;
                }
                Statement {
                    file: String::new(),
                    format: "1C".into(),
                    encoding: "UTF-8".into(),
                    version: None,
                    period_from: period.then(|| d(&format!("2026-{from:02}-01"))),
                    period_to: period.then(|| d("2026-10-31")),
                    accounts,
                    transactions: txs,
                }
            })
    }

    /// Feeds the statements, each file's sections after its documents when `late`.
    fn stream(
        sts: &[Statement],
        known: &Known,
        late: bool,
        o: &[Reclassification],
    ) -> (StatementIncome, Known, bool) {
        stream_compacted(sts, known, late, o, None).0
    }

    /// [`stream`], the index compacted above `window` entries rather than
    /// [`super::super::analysis::WINDOW`]; and the most index entries held after a
    /// document.
    fn stream_compacted(
        sts: &[Statement],
        known: &Known,
        late: bool,
        o: &[Reclassification],
        window: Option<usize>,
    ) -> ((StatementIncome, Known, bool), usize) {
        let (product, rules) = (default_product(), rules());
        let mut a = Analysis::new(d("2026-11-20"), &product, &rules, o, known);
        if let Some(w) = window {
            a.compact_above(w);
        }
        let mut most = 0;
        let mut txs = Vec::new();
        for st in sts {
            a.begin_file(&st.file);
            a.period(st.period_from, st.period_to);
            if !late {
                st.accounts.iter().for_each(|s| a.account(s.clone()));
            }
            for t in &st.transactions {
                txs.extend(a.transaction(t));
                most = most.max(a.index_len());
            }
            if late {
                st.accounts.iter().for_each(|s| a.account(s.clone()));
            }
        }
        let (again, known) = (a.needs_second_pass(), a.known());
        (
            (
                StatementIncome {
                    transactions: txs,
                    ..a.finish()
                },
                known,
                again,
            ),
            most,
        )
    }

    /// Each statement's documents by date (a bank's order), in one month when `narrow`
    /// (round trips and same-day duplicates are then common), lines renumbered.
    fn in_date_order(sts: &mut [Statement], narrow: bool) {
        for s in sts {
            if narrow {
                for t in &mut s.transactions {
                    let day = t.date.map_or(1, |x| chrono::Datelike::day(&x.0));
                    t.date = Some(Date::ymd(2026, 5, day).unwrap());
                }
            }
            s.transactions.sort_by_key(|t| t.date);
            for (i, t) in s.transactions.iter_mut().enumerate() {
                t.line = 10 + i * 3;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn streamed_in_any_order_equals_the_held_statements(
            mut sts in proptest::collection::vec(any_statement(), 1..4),
            dup in any::<bool>(),
            late in any::<bool>(),
            over in proptest::option::of((0usize..40, proptest::option::of(Just(IncomeKind::Salary)))),
        ) {
            for (i, s) in sts.iter_mut().enumerate() {
                s.file = format!("s{i}.txt");
            }
            if dup && sts.len() > 1 {
                let t = sts[0].transactions.clone();
                sts[1].transactions.extend(t);
            }
            let overrides: Vec<Reclassification> = over
                .map(|(l, kind)| Reclassification { file: "s0.txt".into(), line: 10 + l * 3, kind, note: "n".into() })
                .into_iter()
                .collect();
            let held = analyse(&sts, d("2026-11-20"), &default_product(), &rules(), &overrides);
            let (first, known, again) = stream(&sts, &Known::default(), late, &overrides);
            let streamed = if again {
                let (second, _, again) = stream(&sts, &known, late, &overrides);
                prop_assert!(!again, "a pass that knew every section asked for another");
                second
            } else {
                first
            };
            prop_assert_eq!(streamed, held);
        }

        /// With the index compacted (above a few entries), in date order or not: exactly
        /// the held analysis, a second pass asked for when the order broke after a drop.
        #[test]
        fn a_compacted_index_gives_exactly_the_whole_ones(
            mut sts in proptest::collection::vec(any_statement(), 1..4),
            dup in 0usize..3,
            sorted in any::<bool>(),
            narrow in any::<bool>(),
            late in any::<bool>(),
            window in 1usize..24,
            undated in any::<bool>(),
        ) {
            for (i, s) in sts.iter_mut().enumerate() {
                s.file = format!("s{i}.txt");
            }
            match dup {
                // A later file repeats the first: a duplicate across files.
                1 if sts.len() > 1 => {
                    let t = sts[0].transactions.clone();
                    sts[1].transactions.extend(t);
                }
                // The first repeats some of its own documents: same-day duplicates.
                2 => {
                    let t: Vec<_> = sts[0].transactions.iter().step_by(3).cloned().collect();
                    sts[0].transactions.extend(t);
                }
                _ => {}
            }
            if sorted {
                in_date_order(&mut sts, narrow);
            }
            if undated {
                // Every fifth document without a date: never dropped, never met.
                for t in sts.iter_mut().flat_map(|s| s.transactions.iter_mut()).step_by(5) {
                    t.date = None;
                }
            }
            let held = analyse(&sts, d("2026-11-20"), &default_product(), &rules(), &[]);
            let ((first, known, again), _) =
                stream_compacted(&sts, &Known::default(), late, &[], Some(window));
            let streamed = if again {
                let ((second, _, again), _) =
                    stream_compacted(&sts, &known, late, &[], Some(window));
                prop_assert!(!again, "a pass that knew every section asked for another");
                second
            } else {
                first
            };
            prop_assert_eq!(streamed, held);
        }
    }

    /// A first pass out of date order (nothing dropped yet) keeps its second pass whole: a
    /// late section turns excluded credits into debits there, so the second holds more
    /// entries and would compact where the first did not, then lose the order it needed.
    #[test]
    fn a_second_pass_after_a_first_out_of_order_keeps_the_index_whole() {
        const X: &str = "20206000900999999001"; // the party's second account, sectioned late
        let base = Date::ymd(2026, 5, 1).unwrap();
        let doc = |i: usize| Transaction {
            line: 10 + 3 * i,
            kind: "Платежное поручение".into(),
            number: i.to_string().into(),
            date: Some(base.add_days(i as i64)),
            amount: m("1000000"),
            payer: "Karimov".into(),
            payer_inn: "401234567".into(),
            payer_account: X.into(),
            receiver: "Karimov".into(),
            receiver_inn: "401234567".into(),
            receiver_account: "20208000100000000001".into(),
            purpose: "Перевод".into(),
            credited_on: Some(base.add_days(i as i64)),
            ..Default::default()
        };
        let mut txs: Vec<Transaction> = (0..6).map(doc).collect();
        let mut again = doc(0); // printed twice, out of date order
        again.line = 100;
        txs.push(again);
        let mut st = statement("a.txt", "2026-05-01", "2026-10-31", txs);
        st.accounts = vec![AccountSection {
            line: 3,
            account: X.into(),
            from: None,
            to: None,
            opening: None,
            credited: None,
            debited: None,
            closing: None,
        }];
        let sts = [st];
        let held = analyse(&sts, d("2026-11-20"), &default_product(), &rules(), &[]);
        assert!(codes(&held).contains(&"DUPLICATE_DOCUMENT"));
        let ((_, known, again), _) = stream_compacted(&sts, &Known::default(), true, &[], Some(8));
        assert!(again && known.whole_index);
        let ((second, _, again), _) = stream_compacted(&sts, &known, true, &[], Some(8));
        assert!(!again);
        assert_eq!(second, held);
    }

    /// One statement in date order, compacted: no second pass, and the index holds about
    /// the round-trip window's documents, not the statement's.
    #[test]
    fn a_statement_in_date_order_is_compacted_in_one_pass() {
        // Five documents a day over four months: a salary credit, and every fourth day a
        // debit of a credit's amount two days later (a round trip), and a document twice.
        let mut txs = Vec::new();
        for i in 0..600usize {
            let day = Date::ymd(2026, 5, 1).unwrap().add_days((i / 5) as i64);
            let amount = format!("{}", 1000 + i % 7);
            let line = 10 + txs.len() * 3;
            let mut t = if i % 20 == 12 {
                debit(line, &day.to_string(), &amount)
            } else {
                credit(line, &day.to_string(), &amount, "Akfa", "", "Ish haqi")
            };
            t.number = i.to_string().into();
            if i % 50 == 7 {
                let mut again = t.clone();
                again.line += 1;
                txs.push(t);
                txs.push(again);
            } else {
                txs.push(t);
            }
        }
        for (i, t) in txs.iter_mut().enumerate() {
            t.line = 10 + i * 3;
        }
        let sts = [statement("a.txt", "2026-05-01", "2026-10-31", txs)];
        let held = analyse(&sts, d("2026-11-20"), &default_product(), &rules(), &[]);
        let ((streamed, _, again), most) =
            stream_compacted(&sts, &Known::default(), false, &[], Some(40));
        assert!(!again);
        assert_eq!(streamed, held);
        assert!(codes(&held).contains(&"ROUND_TRIP"), "{:?}", held.flags);
        assert!(codes(&held).contains(&"DUPLICATE_DOCUMENT"));
        // Five documents a day, a few days' credits and debits and one day's digests
        // kept: far below the whole index, two entries a document.
        assert!(most <= 100, "{most} entries held");
        let ((_, _, _), whole) = stream_compacted(&sts, &Known::default(), false, &[], None);
        assert_eq!(
            whole, 1200,
            "the whole index: a digest and a credit or debit each"
        );

        // Out of order before the window filled (the last document first): kept whole, in
        // one pass. Out of order after it (a second file): a second pass, kept whole.
        let mut reversed = sts.clone();
        let last = reversed[0].transactions.pop().unwrap();
        reversed[0].transactions.insert(0, last);
        let ((r, known, again), most) =
            stream_compacted(&reversed, &Known::default(), false, &[], Some(40));
        assert!(
            !again && known.whole_index,
            "kept whole from the disorder on"
        );
        assert_eq!(most, 1200);
        assert_eq!(
            r,
            analyse(
                &reversed,
                d("2026-11-20"),
                &default_product(),
                &rules(),
                &[]
            )
        );
        let two = [
            sts[0].clone(),
            Statement {
                file: "b.txt".into(),
                ..sts[0].clone()
            },
        ];
        let ((_, known, again), _) =
            stream_compacted(&two, &Known::default(), false, &[], Some(40));
        assert!(again && known.whole_index);
        let ((r, _, again), most) = stream_compacted(&two, &known, false, &[], Some(40));
        assert!(!again);
        assert_eq!(
            most, 1200,
            "every document of b.txt a duplicate: no new entries"
        );
        assert_eq!(
            r,
            analyse(&two, d("2026-11-20"), &default_product(), &rules(), &[])
        );
    }

    #[test]
    fn a_section_after_documents_asks_for_a_second_pass_and_sections_first_do_not() {
        let sts = [statement(
            "a.txt",
            "2026-05-01",
            "2026-10-31",
            salaries("1000000"),
        )];
        assert!(!stream(&sts, &Known::default(), false, &[]).2);
        let (_, known, again) = stream(&sts, &Known::default(), true, &[]);
        assert!(again);
        assert_eq!(known.files, Known::of(&sts).files);
        // A second file's sections are the party's own accounts for the first file too.
        let two = [
            sts[0].clone(),
            Statement {
                file: "b.txt".into(),
                ..sts[0].clone()
            },
        ];
        let mut other = two.clone();
        other[1].accounts[0].account = IE.into();
        assert!(stream(&other, &Known::default(), false, &[]).2);
    }
}

proptest::proptest! {
    /// The one-pass lower case is `str::to_lowercase`, apostrophes unified after it: on
    /// any text, Cyrillic, Latin and Greek (a final sigma) among it.
    #[test]
    fn normalise_is_lowercase_then_apostrophes(
        s in proptest::prop_oneof!["[AzЯяЁЎқҒΣσΑ ʻʼ’`'.İẞА-Яа-яЀ-ӿ№]{0,12}", "\\PC{0,40}"]
    ) {
        let reference = s.to_lowercase().replace(['ʻ', 'ʼ', '’', '‘', '`', 'ʹ'], "'");
        proptest::prop_assert_eq!(super::normalise(&s), reference);
    }
}
