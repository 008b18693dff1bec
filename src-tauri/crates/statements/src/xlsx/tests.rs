use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::{read_statement, CsvLayouts};

fn layouts() -> CsvLayouts {
    serde_json::from_str(include_str!(
        "../../../../../assets/statements/csv-layouts.json"
    ))
    .unwrap()
}

/// An SQB-Online-style export: typed dates and numbers, a title row above the header.
fn workbook(with_header: bool, bad_date: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
    let mut row = 0;
    if with_header {
        for (c, h) in [
            "Sana",
            "Hujjat raqami",
            "Kontragent",
            "STIR",
            "Kontragent hisobi",
            "Kirim",
            "Chiqim",
            "To'lov maqsadi",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(row, c as u16, *h).unwrap();
        }
        row += 1;
    }
    for (i, month) in (5u8..=10).enumerate() {
        let r = row + i as u32;
        if bad_date && month == 7 {
            ws.write_string(r, 0, "31.02.2026").unwrap();
        } else {
            let d = ExcelDateTime::from_ymd(2026, month, 5).unwrap();
            ws.write_datetime_with_format(r, 0, &d, &date_fmt).unwrap();
        }
        ws.write_number(r, 1, f64::from(100 + i as u32)).unwrap();
        ws.write_string(r, 2, "Uzbekneftegaz AJ").unwrap();
        ws.write_string(r, 3, "201234567").unwrap();
        ws.write_number(r, 5, 12_500_000.5).unwrap();
        ws.write_string(r, 7, "Ish haqi").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn reads_typed_cells_through_the_layouts() {
    let st = read_statement("export.xlsx", &workbook(true, false), &layouts()).unwrap();
    assert_eq!(st.format, "XLSX (SQB Online (uz))");
    assert_eq!(st.transactions.len(), 6);
    let t = &st.transactions[2];
    assert_eq!(t.date.unwrap().to_string(), "2026-07-05");
    assert_eq!(t.amount.to_string(), "12500000.50");
    assert_eq!((&*t.number, &*t.payer_inn, t.line), ("102", "201234567", 4));
    assert_eq!(st.period_to.unwrap().to_string(), "2026-10-05");
}

#[test]
fn refuses_a_sheet_without_header_a_bad_cell_and_a_broken_file() {
    let e = read_statement("x.xlsx", &workbook(false, false), &layouts()).unwrap_err();
    assert!(e.message.contains("no known column layout"), "{e}");
    let e = read_statement("x.xlsx", &workbook(true, true), &layouts()).unwrap_err();
    assert_eq!(e.line, Some(4), "{e}");
    let mut broken = workbook(true, false);
    broken.truncate(broken.len() / 2);
    let e = read_statement("x.xlsx", &broken, &layouts()).unwrap_err();
    assert!(e.message.contains("spreadsheet"), "{e}");
    let e = read_statement("x.xls", b"\xD0\xCF\x11\xE0 not really", &layouts()).unwrap_err();
    assert!(e.message.contains("spreadsheet"), "{e}");
}

#[test]
fn an_amount_past_the_tiyin_names_its_row() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Sana", "Kirim", "Chiqim"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "05.05.2026").unwrap();
    ws.write_number(1, 1, 100.5).unwrap();
    ws.write_string(2, 0, "06.05.2026").unwrap();
    ws.write_number(2, 1, 12_500_000.125).unwrap();
    let e = read_statement("x.xlsx", &wb.save_to_buffer().unwrap(), &layouts()).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("more than 2 decimals"), "{e}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn mutated_workbooks_never_panic(pos in 0usize..100_000, byte in proptest::prelude::any::<u8>(), cut in 0usize..100_000) {
        let book = workbook(true, false);
        let mut m = book.clone();
        let i = pos % m.len();
        m[i] = byte;
        let _ = read_statement("m.xlsx", &m, &layouts());
        let _ = read_statement("m.xlsx", &book[..cut % book.len()], &layouts());
    }
}
