//! Hostile files against the reader of clients' files: how long each refusal takes and how
//! much memory the reading process used, beside an ordinary statement of 100,000 payments.
//! `cargo build --release -p uw-parse && cargo bench -p uw-app --bench hostile_files`.
//! Target: every bomb refused in under 2 s, the reader under 256 MB (its limit).
#![allow(clippy::float_arithmetic)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use uw_parse::hostile::{self, Declared};

/// The reader run by hand, as the workstation runs it: wall time, its answer (or how it
/// ended) and the peak memory it reports.
fn run(read: &str, name: &str, bytes: &[u8]) -> (Duration, String, String) {
    let program = uw_app::untrusted::reader_program().expect("uw-parse beside the bench");
    let start = Instant::now();
    let mut child = Command::new(program)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the reader starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let request = format!("{{\"read\":\"{read}\",\"name\":\"{name}\"}}\n");
    std::thread::scope(|s| {
        s.spawn(move || {
            let _ = stdin.write_all(request.as_bytes());
            let _ = stdin.write_all(bytes);
        });
        let mut out = String::new();
        let mut err = String::new();
        let _ = child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out);
        let _ = child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err);
        let status = child.wait().expect("ends");
        let elapsed = start.elapsed();
        let answer = if status.success() {
            out.chars().take(110).collect()
        } else {
            format!("ended: {status}")
        };
        let peak = err
            .trim()
            .strip_prefix("uw-parse: peak ")
            .map_or("— (stopped by its limit)".into(), |p| p.to_string());
        (elapsed, answer, peak)
    })
}

fn statement_of(n: usize) -> Vec<u8> {
    let mut s = String::from("1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nДатаНачала=01.05.2026\r\nДатаКонца=31.10.2026\r\n");
    for i in 0..n {
        s.push_str(&format!(
            "СекцияДокумент=Платежное поручение\r\nНомер={i}\r\nДата={:02}.{:02}.2026\r\nСумма={}.00\r\nПлательщик=Payer {}\r\nНазначениеПлатежа=Ish haqi\r\nКонецДокумента\r\n",
            1 + i % 28,
            5 + (i / 28) % 6,
            100_000 + i % 9_000_000,
            i % 500
        ));
    }
    s.push_str("КонецФайла\r\n");
    s.into_bytes()
}

fn main() {
    let samples: Vec<(&str, &str, Vec<u8>)> = vec![
        ("statement", "ordinary-100000.txt", statement_of(100_000)),
        (
            "statement",
            "bomb-2GB.xlsx",
            hostile::xlsx_bomb(2048, Declared::Honest),
        ),
        (
            "statement",
            "liar-2GB.xlsx",
            hostile::xlsx_bomb(2048, Declared::Lying),
        ),
        (
            "statement",
            "vast-1e10-cells.xlsx",
            hostile::xlsx_claiming("A1:XFD1048576"),
        ),
        (
            "statement",
            "announcing-1e8.xlsx",
            hostile::xlsx_announcing(100_000_000),
        ),
        ("scan", "bomb-1GB.pdf", hostile::pdf_bomb(1024)),
        (
            "scan",
            "twice.pdf",
            hostile::pdf_with(
                "/Filter [/FlateDecode /FlateDecode]",
                &hostile::zlib_repeated(0, 1),
            ),
        ),
    ];
    for (read, name, bytes) in &samples {
        let mut runs: Vec<(Duration, String, String)> =
            (0..5).map(|_| run(read, name, bytes)).collect();
        runs.sort_by_key(|r| r.0);
        let (t, answer, peak) = &runs[runs.len() / 2];
        println!(
            "figure: {name} ({} bytes) to the reader's answer: {answer} | refused < 2 s, reader < 256 MB | {:.1} ms (range {:.1}–{:.1} ms, 5 runs), reader peak {peak}",
            bytes.len(),
            t.as_secs_f64() * 1e3,
            runs[0].0.as_secs_f64() * 1e3,
            runs[runs.len() - 1].0.as_secs_f64() * 1e3,
        );
    }
    // The whole path as the workstation takes it (spawn, limits, answer), for the ordinary file.
    let (_, name, bytes) = &samples[0];
    let start = Instant::now();
    let s = uw_app::untrusted::statement(name, bytes).expect("the ordinary statement reads");
    println!(
        "through uw_app::untrusted::statement: {} payments in {:.1} ms",
        s.transactions,
        start.elapsed().as_secs_f64() * 1e3
    );
}
