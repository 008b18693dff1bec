//! `uw-bank-sim`: the bank's side on 127.0.0.1 for the demo and the tests.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use uw_bank_sim::{Faults, SimConfig};

#[derive(Parser)]
#[command(
    name = "uw-bank-sim",
    about = "The core bank, the Pledge Registry and the official income service, simulated on 127.0.0.1"
)]
struct Args {
    /// The simulator's SQLite file (created if absent).
    #[arg(long, default_value = "bank-sim.db")]
    db: PathBuf,
    /// The port on 127.0.0.1 (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8480)]
    port: u16,
    /// The bearer token the workstation must present.
    #[arg(long, default_value = "demo-bank-token")]
    token: String,
    /// Seconds the Pledge Registry takes to register a requested prohibition.
    #[arg(long, default_value_t = 30)]
    pledge_delay_secs: u64,
    /// A folder of case files for the daily queue (and their official income).
    #[arg(long)]
    seed_cases: Option<PathBuf>,
    /// Assign the unassigned cases to these underwriters in turn (comma-separated).
    #[arg(long, value_delimiter = ',')]
    assign_to: Vec<String>,
    /// A loan-book file (JSON array of {branch, book}) for the product-stop figures.
    #[arg(long)]
    loan_book: Option<PathBuf>,
    /// A VIN under another creditor's prohibition (repeatable).
    #[arg(long = "foreign-vin")]
    foreign_vins: Vec<String>,
    /// Percentage of requests answered 503 before anything is done.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    failure_pct: u8,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Percentage of requests done and committed whose connection is then cut.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    reset_pct: u8,
    /// Percentage of requests that arrive twice.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    duplicate_pct: u8,
    /// Percentage of answers that are not the promised JSON.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    wrong_json_pct: u8,
    /// Percentage of answers of 64 MiB.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    huge_body_pct: u8,
    /// Percentage of answers dripped one byte per 100 ms.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    drip_pct: u8,
    /// The seed of the fault dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Disturb only requests whose path starts with this (e.g. /v1/pledges).
    #[arg(long)]
    faults_only: Option<String>,
    /// The staff directory's configuration (JSON): the bank then enforces signed
    /// statements and the two-person rule; without it, it runs standalone.
    #[arg(long, value_name = "FILE.json")]
    directory: Option<PathBuf>,
}

/// Reads a directory configuration, the error naming the file.
fn directory(path: &std::path::Path) -> Result<uw_directory::DirectoryConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    uw_directory::DirectoryConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let a = Args::parse();
    let directory = match a.directory.as_deref().map(directory).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("uw-bank-sim: --directory {e}");
            return ExitCode::FAILURE;
        }
    };
    let mode = match &directory {
        Some(d) => format!("enforcing signed statements (directory {})", d.url),
        None => "standalone (no directory: unsigned versions and messages accepted)".to_string(),
    };
    let config = SimConfig {
        db: a.db,
        port: a.port,
        token: a.token,
        pledge_delay: Duration::from_secs(a.pledge_delay_secs),
        faults: Faults {
            failure_pct: a.failure_pct,
            latency_ms: a.latency_ms,
            reset_pct: a.reset_pct,
            duplicate_pct: a.duplicate_pct,
            wrong_json_pct: a.wrong_json_pct,
            huge_body_pct: a.huge_body_pct,
            drip_pct: a.drip_pct,
            seed: a.seed,
            only: a.faults_only,
        },
        seed_cases: a.seed_cases,
        foreign_vins: a.foreign_vins,
        assign_to: a.assign_to,
        loan_book: a.loan_book,
        directory,
    };
    match uw_bank_sim::start(config) {
        Ok(running) => {
            println!("uw-bank-sim listening on {}: {mode}", running.url());
            running.wait();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("uw-bank-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
