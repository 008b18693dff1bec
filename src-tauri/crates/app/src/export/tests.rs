use calamine::{open_workbook, Data, Reader, Xlsx};

use super::*;

fn open(dir: &Path) -> Workstation {
    Workstation::open(crate::tests::options(dir, "os-user", true, true)).unwrap()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn amounts_are_numbers_only_when_they_read_back_exactly() {
    for (amount, number) in [
        ("135000000.00", Some("135000000")),
        ("0.10", Some("0.1")),
        ("799999999.99", Some("799999999.99")),
        ("1000000000000000.00", Some("1000000000000000")),
        // Above 2^46 UZS a double cannot tell every tiyin apart: text, not a near number.
        ("80000000000000.01", None),
        ("9007199254740993.01", None),
        ("abc", None),
        ("", None),
    ] {
        assert_eq!(
            exact_number(amount).map(|n| n.to_string()).as_deref(),
            number,
            "{amount}"
        );
    }
}

/// The queue export holds every case the query matches, in its order, past a page; the
/// amounts are the store's; the dashboard's tables are sheets of their own.
#[test]
fn the_queue_and_the_dashboard_are_exported_whole() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let all = ws.queue(&QueueQuery::default()).unwrap();
    assert!(all.total > 10, "the demo's queue: {}", all.total);
    let path = dir.path().join("queue.xlsx");
    // Read four rows at a time: the pages join in the query's order.
    let done = ws
        .export_queue_in_pages(
            &QueueQuery {
                limit: 3,
                offset: 5,
                ..QueueQuery::default()
            },
            &path,
            4,
        )
        .unwrap();
    assert_eq!(
        done.rows as i64, all.total,
        "every row, whatever the page asked"
    );
    let rows = sheet(&path, "Queue");
    assert_eq!(rows.len() as i64, all.total + 1);
    assert_eq!(rows[0][0], Data::String("Case".into()));
    let whole = ws
        .queue_rows(&QueueQuery {
            limit: 500,
            ..QueueQuery::default()
        })
        .unwrap();
    for (r, want) in rows[1..].iter().zip(&whole) {
        assert_eq!(r[0], Data::String(want.case_id.clone()));
        let amount: Decimal = want.amount.parse().unwrap();
        match &r[3] {
            Data::Float(f) => assert_eq!(f.to_string().parse::<Decimal>().unwrap(), amount),
            other => panic!("{} amount {other:?}", want.case_id),
        }
    }
    // A filter: only its cases.
    let filtered = QueueQuery {
        status: Some("draft".into()),
        ..QueueQuery::default()
    };
    let n = ws.queue(&filtered).unwrap().total;
    let done = ws.export_queue_xlsx(&filtered, &path).unwrap();
    assert_eq!(done.rows as i64, n);

    // One case decided, so that the time to decision has figures.
    crate::tests::submit_and_approve(&ws, "AUTO-2026-000123", "DTI 45.87 %");
    let dash = dir.path().join("dashboard.xlsx");
    let done = ws.export_dashboard_xlsx(&dash).unwrap();
    let d = ws.dashboard().unwrap();
    let pipeline = sheet(&dash, "Pipeline");
    assert_eq!(pipeline.len(), d.pipeline.len() + 1);
    for (r, c) in pipeline[1..].iter().zip(&d.pipeline) {
        assert_eq!(
            (r[0].clone(), r[1].clone()),
            (Data::String(c.key.clone()), Data::Float(c.n as f64))
        );
    }
    assert!(done.rows >= d.pipeline.len() + d.decisions.len());
    for name in [
        "Decisions",
        "Rejections by rule",
        "Time to decision",
        "Lien alerts",
        "Branches",
    ] {
        sheet(&dash, name);
    }

    // Nowhere to write: a coded error, nothing left behind.
    let e = ws
        .export_queue_xlsx(
            &QueueQuery::default(),
            &dir.path().join("no/such/dir/q.xlsx"),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Io, "{e:?}");
}
