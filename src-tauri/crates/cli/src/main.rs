//! `uw` — the headless command line over the application services.
//!
//! Every command prints JSON on stdout, exits 0 on success and 1 when the input is
//! invalid (the error on stderr names the file, JSON path or line), and never panics.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use uw_app::{AppError, ErrorCode, OpenOptions, Workstation};
use uw_domain::case::ScheduleKind;
use uw_domain::money::{fixed2, percent2, Date, Money};
use uw_domain::product::DayCount;
use uw_domain::schedule::{self, ScheduleInput};
use uw_domain::{evaluate, parse_case, EvalOptions};

#[derive(Parser)]
#[command(name = "uw", version, about = "Underwriter workstation, headless")]
struct Cli {
    /// The data folder (default: UW_DATA_DIR, else the app's OS data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a case file against the product passport.
    Evaluate {
        /// The case file.
        #[arg(required_unless_present = "jsonl", conflicts_with = "jsonl")]
        case: Option<PathBuf>,
        /// A file with one case per line; prints one result per line.
        #[arg(long)]
        jsonl: Option<PathBuf>,
    },
    /// Print a repayment schedule with the product's rate for the term.
    Schedule {
        #[arg(long)]
        amount: String,
        #[arg(long)]
        term: u32,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long, default_value_t = 0)]
        grace: u32,
        #[arg(long = "first-payment")]
        first_payment: String,
        #[arg(long)]
        disbursed: Option<String>,
        #[arg(long = "day-count", value_enum)]
        day_count: Option<DayCountArg>,
    },
    /// Check and decode a VIN.
    Vin { vin: String },
    /// Check a PINFL (check digit, century, sex, birth date) against a birth date, and a
    /// passport or ID-card number.
    Identity {
        #[arg(long)]
        pinfl: String,
        #[arg(long = "birth-date")]
        birth_date: String,
        #[arg(long)]
        document: Option<String>,
    },
    /// The income statements show: sources by month, usable sources, average, flags.
    Income {
        /// The application date: the window is the months before its month.
        #[arg(long = "as-of")]
        as_of: String,
        /// Statement files (1C client-bank exchange).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import case files into the local store: all of them or none.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Send the waiting changes to the core bank and pull the daily queue (exit 1 while
    /// anything could not be sent; it stays in the outbox).
    Sync {
        /// Set the bank's address (kept in the store's settings).
        #[arg(long, requires = "token")]
        url: Option<String>,
        /// The bearer token for the bank (kept encrypted in the store).
        #[arg(long, requires = "url")]
        token: Option<String>,
        /// The branch whose daily queue to pull (all when absent).
        #[arg(long, requires = "url")]
        branch: Option<String>,
        /// Only print the sync status.
        #[arg(long)]
        status: bool,
    },
    /// Print the credit agreement of an approved and reviewed case file as PDF.
    Agreement {
        /// The case file (with its approving review).
        case: PathBuf,
        /// The PDF to write.
        #[arg(short, long)]
        output: PathBuf,
        /// uz (Uzbek, Latin) or ru.
        #[arg(long, default_value = "uz")]
        lang: String,
    },
    /// Re-evaluate the open queue (draft, submitted, returned) under a revised product
    /// configuration: the cases whose decision changes, and the rules why.
    WhatIf {
        /// The revised product configuration (the shape of assets/product/*.json).
        #[arg(long)]
        product: PathBuf,
    },
    /// Print a stored case as its case file.
    Export {
        case_id: String,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; name the first entry that does not fit (exit 1).
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Annuity,
    Differentiated,
}

#[derive(Clone, Copy, ValueEnum)]
enum DayCountArg {
    #[value(name = "30/360")]
    Thirty360,
    #[value(name = "actual/365")]
    Actual365,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uw: {}", e.message);
            ExitCode::from(1)
        }
    }
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, msg)
}

fn print(v: &impl serde::Serialize) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn workstation(data_dir: Option<PathBuf>) -> Result<Workstation, AppError> {
    let data_dir = data_dir.unwrap_or_else(|| uw_app::paths::data_dir(false));
    Workstation::open(OpenOptions {
        key: uw_app::paths::store_key(&data_dir, false)?,
        data_dir,
        actor: uw_app::paths::os_user(),
        demo: false,
        require_login: false,
        bank: uw_app::paths::bank_from_env(),
        directory: None,
    })
}

fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Evaluate {
            case: Some(path), ..
        } => {
            let product = uw_app::default_product();
            let text = read(&path)?;
            let case = parse_case(&text).map_err(|e| {
                AppError::new(ErrorCode::InvalidCase, format!("{}: {e}", path.display()))
            })?;
            print(&evaluate(&case, &product, &EvalOptions::default()))
        }
        Command::Evaluate {
            jsonl: Some(path), ..
        } => evaluate_jsonl(&path),
        Command::Evaluate { .. } => Err(invalid("give a case file or --jsonl FILE")),
        Command::Schedule {
            amount,
            term,
            kind,
            grace,
            first_payment,
            disbursed,
            day_count,
        } => {
            let product = uw_app::default_product();
            let amount: Money = amount
                .parse()
                .map_err(|e: String| invalid(format!("--amount: {e}")))?;
            if amount.0 <= rust_decimal_zero() {
                return Err(invalid(format!(
                    "--amount: must be greater than zero, got {amount}"
                )));
            }
            let first: Date = first_payment
                .parse()
                .map_err(|e: String| invalid(format!("--first-payment: {e}")))?;
            let disbursed = match disbursed {
                Some(d) => d
                    .parse()
                    .map_err(|e: String| invalid(format!("--disbursed: {e}")))?,
                None => schedule::default_disbursement(first),
            };
            if disbursed >= first {
                return Err(invalid(format!(
                    "--disbursed: {disbursed} must be before the first payment {first}"
                )));
            }
            if term < product.loan.min_term_months || term > product.loan.max_term_months {
                return Err(invalid(format!(
                    "--term: {term} months is outside the product's {}–{} months",
                    product.loan.min_term_months, product.loan.max_term_months
                )));
            }
            if grace > product.loan.max_grace_months {
                return Err(invalid(format!(
                    "--grace: at most {} months",
                    product.loan.max_grace_months
                )));
            }
            let rate = product
                .rate_for_term(term)
                .ok_or_else(|| invalid(format!("--term: no rate in the grid for {term} months")))?;
            let input = ScheduleInput {
                amount: amount.0,
                annual_rate: rate,
                term_months: term,
                kind: match kind {
                    Kind::Annuity => ScheduleKind::Annuity,
                    Kind::Differentiated => ScheduleKind::Differentiated,
                },
                grace_months: grace,
                first_payment: first,
                disbursed,
                day_count: match day_count {
                    Some(DayCountArg::Thirty360) => DayCount::Thirty360,
                    Some(DayCountArg::Actual365) => DayCount::Actual365,
                    None => product.schedule.day_count,
                },
                rounding_unit: product.schedule.rounding_unit,
            };
            let s = schedule::build(&input).map_err(|e| invalid(format!("--grace: {e}")))?;
            print(&json!({
                "rate": percent2(rate),
                "rows": s.rows,
                "total_interest": fixed2(s.total_interest),
                "effective_annual_rate": percent2(s.effective_annual_rate(amount.0)),
            }))
        }
        Command::Vin { vin } => {
            let product = uw_app::default_product();
            let year = chrono::Datelike::year(&chrono::Utc::now());
            print(&uw_domain::vin::check(
                &vin,
                &uw_app::wmi_table(),
                &product.vehicle.check_digit_required_wmi_prefixes,
                year,
            ))
        }
        Command::Identity {
            pinfl,
            birth_date,
            document,
        } => {
            let birth: Date = birth_date
                .parse()
                .map_err(|e: String| invalid(format!("--birth-date: {e}")))?;
            print(&uw_domain::identity::check(
                &pinfl,
                Some(birth),
                document.as_deref(),
            ))
        }
        Command::Income { as_of, files } => {
            let as_of: Date = as_of
                .parse()
                .map_err(|e: String| invalid(format!("--as-of: {e}")))?;
            print(&uw_app::income_from_files(&files, as_of)?)
        }
        Command::Import { files } => {
            let ws = workstation(cli.data_dir)?;
            print(&ws.import_files(&files)?)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = workstation(cli.data_dir)?.verify_audit()?;
            print(&report)?;
            match report.first_break {
                None => Ok(()),
                Some((id, why)) => Err(AppError::new(
                    ErrorCode::AuditBroken,
                    format!("audit entry {id} does not fit the chain: {why}"),
                )),
            }
        }
        Command::Sync {
            url,
            token,
            branch,
            status,
        } => {
            let ws = workstation(cli.data_dir)?;
            if let (Some(url), Some(token)) = (url, token) {
                ws.set_bank(&url, &token, branch.as_deref())?;
            }
            if status {
                return print(&ws.sync_status()?);
            }
            let report = ws.sync()?;
            print(&report)?;
            // A signed statement the bank refused is final: said with its code.
            if let Some(r) = report.refused.first() {
                let all: Vec<String> = report
                    .refused
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} by {}: {} {}",
                            r.case_id, r.action, r.signer, r.code, r.message
                        )
                    })
                    .collect();
                return Err(AppError::new(
                    uw_app::error::bank_code(&r.code),
                    format!(
                        "the bank refused {} signed statement(s): {}",
                        all.len(),
                        all.join("; ")
                    ),
                ));
            }
            match report.errors.first() {
                None => Ok(()),
                Some(first) => Err(AppError::new(
                    ErrorCode::BankOffline,
                    format!(
                        "{} of the changes could not be sent and wait in the outbox; first: {first}",
                        report.waiting
                    ),
                )),
            }
        }
        Command::Agreement { case, output, lang } => {
            let printed = uw_app::agreement_from_file(&case, &lang)?;
            std::fs::write(&output, &printed.pdf)
                .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", output.display())))?;
            print(&json!({
                "file": output.display().to_string(),
                "lang": lang,
                "pages": printed.pages,
                "bytes": printed.pdf.len(),
            }))
        }
        Command::WhatIf { product } => print(&workstation(cli.data_dir)?.what_if_file(&product)?),
        Command::Export { case_id, output } => {
            let ws = workstation(cli.data_dir)?;
            match output {
                Some(path) => {
                    ws.export_case_to(&case_id, &path)?;
                    print(&json!({"case_id": case_id, "file": path.display().to_string()}))
                }
                None => {
                    print!("{}", ws.export_case(&case_id)?);
                    Ok(())
                }
            }
        }
    }
}

fn rust_decimal_zero() -> rust_decimal::Decimal {
    rust_decimal::Decimal::ZERO
}

fn read(path: &PathBuf) -> Result<String, AppError> {
    std::fs::read_to_string(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))
}

/// One case per line in, one result per line out: memory stays flat in the number of
/// cases (lines are read and answered in chunks) and the chunk is evaluated on every core.
/// A malformed line prints `{"line": N, "error": …}` in its place, so output line N always
/// answers input line N; the exit code is then 1.
fn evaluate_jsonl(path: &PathBuf) -> Result<(), AppError> {
    const CHUNK: usize = 4096;
    let product = uw_app::default_product();
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file)
        .lines()
        .enumerate();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut failed = 0usize;
    loop {
        let chunk: Vec<(usize, std::io::Result<String>)> = lines.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(workers);
        let answers: Vec<Vec<(bool, String)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .map(|part| {
                    scope.spawn(|| {
                        part.iter()
                            .map(|(i, l)| answer(path, i + 1, l, &product))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for (ok, text) in answers.into_iter().flatten() {
            if text.is_empty() {
                continue;
            }
            failed += usize::from(!ok);
            out.write_all(text.as_bytes()).map_err(io)?;
            out.write_all(b"\n").map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    if failed > 0 {
        return Err(AppError::new(
            ErrorCode::InvalidCase,
            format!("{}: {failed} malformed line(s)", path.display()),
        ));
    }
    Ok(())
}

/// The output line for input line `n` (empty for a blank line), and whether it evaluated.
fn answer(
    path: &std::path::Path,
    n: usize,
    line: &std::io::Result<String>,
    product: &uw_domain::ProductConfig,
) -> (bool, String) {
    let error = |message: String| {
        eprintln!("uw: {}:{n}: {message}", path.display());
        (false, json!({"line": n, "error": {"code": "INVALID_CASE", "message": format!("line {n}: {message}")}}).to_string())
    };
    match line {
        Err(e) => error(e.to_string()),
        Ok(l) if l.trim().is_empty() => (true, String::new()),
        Ok(l) => match parse_case(l) {
            Ok(case) => {
                match serde_json::to_string(&evaluate(&case, product, &EvalOptions::default())) {
                    Ok(text) => (true, text),
                    Err(e) => error(e.to_string()),
                }
            }
            Err(e) => error(e.to_string()),
        },
    }
}
