//! A generated 1C client-bank file (CP1251) of 100,000 and 1,000,000 documents: read,
//! classified and tabled, in process. `cargo bench -p uw-app --bench statements`.
//! Target: 100,000 documents ≤ 0.5 s and ≤ 100 MB peak RSS; time linear in the count.
#![allow(clippy::float_arithmetic)]

use std::fmt::Write;
use std::time::Instant;

fn vm(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn generate(n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 330);
    s.push_str("1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nДатаНачала=01.05.2026\r\nДатаКонца=31.10.2026\r\n");
    s.push_str("СекцияРасчСчет\r\nДатаНачала=01.05.2026\r\nДатаКонца=31.10.2026\r\nРасчСчет=20206000900123456001\r\nКонецРасчСчет\r\n");
    let purposes = [
        "Заработная плата",
        "Ish haqi",
        "Оплата по договору 15",
        "Pensiya",
        "Dividend",
        "Возврат",
    ];
    for i in 0..n {
        let day = 1 + i % 28;
        let month = 5 + (i / 28) % 6;
        let credit = i % 3 != 0;
        let _ = write!(
            s,
            "СекцияДокумент=Платежное поручение\r\nНомер={i}\r\nДата={day:02}.{month:02}.2026\r\nСумма={}.{:02}\r\n\
             ПлательщикСчет={}\r\nПлательщикИНН={}\r\nПлательщик=Payer {}\r\nПолучательСчет={}\r\nПолучательМФО=00440\r\n\
             НазначениеПлатежа={}\r\nКонецДокумента\r\n",
            100_000 + (i * 7919) % 9_000_000,
            i % 100,
            if credit { format!("2021000040098{:07}", i % 500) } else { "20206000900123456001".into() },
            200_000_000 + i % 500,
            i % 500,
            if credit { "20206000900123456001".to_string() } else { format!("2020800010000{:07}", i) },
            purposes[i % purposes.len()],
        );
    }
    s.push_str("КонецФайла\r\n");
    encoding_rs::WINDOWS_1251.encode(&s).0.into_owned()
}

/// Reads, classifies and tables one file in a process of its own, so that its peak RSS is
/// the work's alone (the generator's strings are not in it); prints one line of figures.
fn child(path: &str, n: usize) {
    let product = uw_app::default_product();
    let rules = uw_app::income_classification();
    let layouts = uw_app::csv_layouts();
    let as_of = "2026-11-20".parse().expect("date");
    let before = vm("VmHWM:");
    let t = Instant::now();
    let bytes = std::fs::read(path).expect("read the generated file");
    let st = uw_statements::read_statement("bench.txt", &bytes, &layouts).expect("parse");
    let read = t.elapsed().as_secs_f64();
    let income = uw_domain::income::statements::analyse(
        std::slice::from_ref(&st),
        as_of,
        &product,
        &rules,
        &[],
    );
    let total = t.elapsed().as_secs_f64();
    assert_eq!(income.transactions.len(), n);
    println!(
        "{n:>9} documents ({:.0} MB file): file read + parsed {read:.3} s, + classified and tabled {total:.3} s; \
         peak RSS {:.0} MiB ({:.0} MiB before reading); {} sources, {} flags",
        bytes.len() as f64 / 1e6,
        vm("VmHWM:") as f64 / 1024.0,
        before as f64 / 1024.0,
        income.sources.len(),
        income.flags.len(),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let n = args[i + 2].parse().expect("count");
        return child(&args[i + 1], n);
    }
    // UW_BENCH_DIR keeps the generated files (for a profiler: `--child FILE N`).
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("UW_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let exe = std::env::current_exe().expect("own path");
    // Several runs per size (each its own process): the median is the figure, the range
    // shows how much the machine's other load moved it.
    for (n, runs) in [(100_000usize, 7), (300_000, 3), (1_000_000, 1)] {
        let path = dir.join(format!("{n}.txt"));
        std::fs::write(&path, generate(n)).expect("write the generated file");
        let mut lines = Vec::new();
        for _ in 0..runs {
            let out = std::process::Command::new(&exe)
                .arg("--child")
                .arg(&path)
                .arg(n.to_string())
                .output()
                .expect("run the measuring process");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            lines.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        // Sort by the total time (the figure after "tabled ").
        let total = |l: &String| -> f64 {
            l.split("tabled ")
                .nth(1)
                .and_then(|t| t.split(' ').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or(f64::MAX)
        };
        lines.sort_by(|a, b| total(a).total_cmp(&total(b)));
        println!(
            "{} (median of {runs}; totals {:.3}–{:.3} s)",
            lines[runs / 2],
            total(&lines[0]),
            total(&lines[runs - 1])
        );
    }
}
