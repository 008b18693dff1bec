//! The bank's side, simulated: the core bank (daily queue, case versions, decisions,
//! review sign-offs, audit chain heads, disbursement orders, portfolio figures), the state
//! Pledge Registry and the official income service, over HTTP on 127.0.0.1, with its own
//! SQLite file and fault injection. It serves the wire types of `uw-bank-link`
//! (`openapi.yaml` documents them), so the workstation's client and this server cannot
//! disagree on a field.
//!
//! It is not part of the workstation: it stands for systems outside it, so the
//! workstation's crate invariants (only uw-store touches SQLite) do not bind it.
//!
//! Two modes. **Standalone** (no directory): case versions and messages are accepted
//! unsigned, as a bank that keeps no workflow. **Enforcing** (`SimConfig::directory`): the
//! bank is the authority on the two-person rule (`assets/spec/dual-review.md`) — every
//! case version carries its author's signed statement, sign-offs come as signed
//! statements to `/signoffs`, keys are enrolled against the directory's password check,
//! and each refusal is a coded rule (the `workflow` module decides, the `review` module applies
//! its verdict).

mod anchors;
mod assignment;
mod conditions;
mod db;
pub mod faults;
mod http;
mod notes;
mod registers;
mod review;
mod workflow;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use db::Digest;
pub use faults::Faults;

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub db: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    pub token: String,
    /// How long the Pledge Registry takes to register a requested prohibition.
    pub pledge_delay: Duration,
    pub faults: Faults,
    /// Case files (`*.json`) to put in the daily queue at start, with their parties'
    /// declared salaries and pensions as official income records.
    pub seed_cases: Option<PathBuf>,
    /// VINs under another creditor's prohibition.
    pub foreign_vins: Vec<String>,
    /// Underwriters the unassigned cases are assigned to, in turn.
    pub assign_to: Vec<String>,
    /// A loan-book file: each branch's auto-loan book for the product stop.
    pub loan_book: Option<PathBuf>,
    /// The bank's staff directory: with one the bank enforces signed statements and the
    /// two-person rule; without one it runs standalone.
    pub directory: Option<uw_directory::DirectoryConfig>,
}

impl SimConfig {
    pub fn new(db: &Path) -> SimConfig {
        SimConfig {
            db: db.to_path_buf(),
            port: 0,
            token: "demo-bank-token".into(),
            pledge_delay: Duration::from_secs(30),
            faults: Faults::default(),
            seed_cases: None,
            foreign_vins: Vec::new(),
            assign_to: Vec::new(),
            loan_book: None,
            directory: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the simulator's database {path}: {message}")]
    Db { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Seed { path: PathBuf, message: String },
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Listen { port: u16, message: String },
    #[error("the directory: {0}")]
    Directory(String),
}

/// A running simulator; dropping it stops the server.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    state: Arc<http::Sim>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Changes the faults while running.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// Sets a VIN's state in the Pledge Registry, as `PUT /_sim/pledges/{vin}` does (the
    /// registry's own doing: a release, another creditor's prohibition).
    pub fn set_pledge(
        &self,
        vin: &str,
        status: uw_bank_link::api::PledgeState,
        creditor: Option<&str>,
    ) -> Result<(), SimError> {
        db::set_pledge(
            &self.state.db(),
            &vin.to_uppercase(),
            status,
            creditor,
            &http::now(),
        )
        .map_err(|e| SimError::Db {
            path: PathBuf::from("(running)"),
            message: e.to_string(),
        })
    }

    /// Sets a branch's loan book, as `PUT /_sim/loan-book/{branch}` does.
    pub fn set_book(
        &self,
        branch: &str,
        book: &uw_bank_link::api::BranchBook,
    ) -> Result<(), SimError> {
        let fail = |message: String| SimError::Db {
            path: PathBuf::from("(running)"),
            message,
        };
        http::check_book(book).map_err(fail)?;
        db::set_book(&self.state.db(), branch, book).map_err(|e| fail(e.to_string()))
    }

    /// Sets a PINFL's entry in the state identity register (status valid | expired |
    /// revoked | not_found), as `PUT /_sim/identity/{pinfl}` does.
    pub fn set_identity(
        &self,
        pinfl: &str,
        document: &str,
        status: &str,
        full_name: &str,
    ) -> Result<(), SimError> {
        registers::set_identity(&self.state.db(), pinfl, document, status, full_name).map_err(
            |message| SimError::Db {
                path: PathBuf::from("(running)"),
                message,
            },
        )
    }

    /// Replaces the credit bureau's report on a PINFL with this JSON — any JSON, so that a
    /// test can serve a malformed report.
    pub fn set_bureau(&self, pinfl: &str, report: &serde_json::Value) -> Result<(), SimError> {
        registers::set_bureau(&self.state.db(), pinfl, report).map_err(|e| SimError::Db {
            path: PathBuf::from("(running)"),
            message: e.to_string(),
        })
    }

    /// Serves this JSON — any JSON — as the official income service's answer on a PINFL,
    /// so that a test can serve a malformed one.
    pub fn set_official_income(
        &self,
        pinfl: &str,
        answer: &serde_json::Value,
    ) -> Result<(), SimError> {
        registers::set_income_answer(&self.state.db(), pinfl, answer).map_err(|e| SimError::Db {
            path: PathBuf::from("(running)"),
            message: e.to_string(),
        })
    }

    /// Whether the bank enforces signed statements (it has a directory).
    pub fn enforcing(&self) -> bool {
        self.state.directory().is_some()
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.state.requests()
    }

    pub fn digest(&self) -> Digest {
        self.state.digest()
    }

    /// Blocks until the server stops (the binary's main thread).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Opens the database, seeds it, binds 127.0.0.1 and serves on a thread of its own.
pub fn start(config: SimConfig) -> Result<Running, SimError> {
    let db_err = |e: rusqlite::Error| SimError::Db {
        path: config.db.clone(),
        message: e.to_string(),
    };
    let directory = config
        .directory
        .clone()
        .map(uw_directory::Directory::new)
        .transpose()
        .map_err(|e| SimError::Directory(e.to_string()))?;
    let conn = db::open(&config.db).map_err(db_err)?;
    if let Some(dir) = &config.seed_cases {
        http::seed(&conn, dir)?;
    }
    if let Some(file) = &config.loan_book {
        http::seed_books(&conn, file)?;
    }
    db::assign_round_robin(&conn, &config.assign_to).map_err(db_err)?;
    let at = http::now();
    for vin in &config.foreign_vins {
        db::set_pledge(
            &conn,
            vin,
            uw_bank_link::api::PledgeState::Foreign,
            Some("another creditor"),
            &at,
        )
        .map_err(db_err)?;
    }
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", config.port)).map_err(|e| SimError::Listen {
            port: config.port,
            message: e.to_string(),
        })?;
    let listen_err = |e: std::io::Error| SimError::Listen {
        port: config.port,
        message: e.to_string(),
    };
    listener.set_nonblocking(true).map_err(listen_err)?;
    let addr = listener.local_addr().map_err(listen_err)?;
    let state = Arc::new(http::Sim::new(Mutex::new(conn), &config, directory));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(listen_err)?;
    let app = http::router(state.clone());
    let thread = std::thread::Builder::new()
        .name("bank-sim".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                // Stopping drops open connections (a dripping answer is not waited for).
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        })
        .map_err(listen_err)?;
    Ok(Running {
        addr,
        stop: Some(stop),
        thread: Some(thread),
        state,
    })
}
