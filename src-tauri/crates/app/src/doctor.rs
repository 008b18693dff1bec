//! `uw doctor`: the workstation's health as a support call needs it — the store's
//! integrity, the audit chain, how long ago the bank last anchored it, what waits in the
//! outbox, whether the bank, the directory and the file reader answer, the disk's free
//! space, the daily backup, the versions.
//!
//! Invariant: nothing personal. A check says what it checked in counts, ages, codes and
//! paths of the workstation's own files; never a case's content, a name or a token, so
//! the report can be mailed to the bank's support as it is.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::error::Result;
use crate::Workstation;

/// Free space below which the disk check fails: a backup of the store needs room.
pub const MIN_FREE_BYTES: u64 = 1_000_000_000;
/// The oldest an outbox entry may wait before the outbox check fails.
pub const MAX_OUTBOX_WAIT_HOURS: i64 = 24;
/// How long a backup's check of the store's pages stands for them (a day's backup and its
/// slack), and the oldest the last backup may be when a daily one is scheduled.
pub const FULL_CHECK_HOURS: i64 = 48;
/// The table of the scans, which the backup's check reads whole.
const SCANS_TABLE: &str = "case_attachments";

#[derive(Clone, Debug, Serialize)]
pub struct Health {
    /// Every check passed.
    pub ok: bool,
    pub checks: Vec<Check>,
    pub versions: Versions,
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub ms: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Versions {
    pub workstation: &'static str,
    pub schema: usize,
    pub cipher: String,
}

impl Workstation {
    /// Runs every check; one that cannot run fails with its error, the others go on.
    pub fn doctor(&self, now: chrono::DateTime<chrono::Utc>) -> Health {
        let checks = vec![
            timed("store_integrity", || self.integrity(now)),
            timed("audit_chain", || self.chain()),
            timed("audit_anchor", || self.anchor_age(now)),
            timed("outbox", || self.outbox(now)),
            timed("bank", || self.bank_answers()),
            timed("directory", || self.directory_answers()),
            timed("reader", reader_installed),
            timed("disk", || free_space(&self.data_dir)),
            timed("backup", || self.backup_recent(now)),
        ];
        let cipher = self
            .store()
            .and_then(|s| Ok(s.cipher_version()?))
            .unwrap_or_else(|e| format!("unknown ({})", e.code_name()));
        Health {
            ok: checks.iter().all(|c| c.ok),
            checks,
            versions: Versions {
                workstation: env!("CARGO_PKG_VERSION"),
                schema: uw_store::schema_version(),
                cipher,
            },
        }
    }

    /// The store's integrity within a support call's patience. The scans' pages — most
    /// of a store's bytes — are read whole by every backup, whose copy passes
    /// `integrity_check` before it counts; so a backup made within [`FULL_CHECK_HOURS`]
    /// stands for them, and the rest of the store is checked now. Without such a backup
    /// the whole store is checked now.
    fn integrity(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(bool, String)> {
        let store = self.store()?;
        let recent = store
            .audit_last_at("backup_made")?
            .and_then(|at| Some((hours_since(&at, now)?, at)))
            .filter(|(h, _)| (0..FULL_CHECK_HOURS).contains(h));
        Ok(match recent {
            Some((_, at)) => {
                let answer = store.integrity_check_except(&[SCANS_TABLE])?;
                (
                    answer == "ok",
                    format!(
                        "integrity_check: {answer}; the scans as checked by the backup of {} ago",
                        age(&at, now)
                    ),
                )
            }
            None => {
                let answer = store.integrity_check()?;
                (answer == "ok", format!("integrity_check: {answer}"))
            }
        })
    }

    /// The daily backup, when a folder is set: the last backup within
    /// [`FULL_CHECK_HOURS`].
    fn backup_recent(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(bool, String)> {
        let Some(schedule) = self.backup_schedule()? else {
            return Ok((true, "no backup folder set: backups by hand only".into()));
        };
        let last = self.store()?.audit_last_at("backup_made")?;
        Ok(match last {
            None => (false, format!("no backup yet into {}", schedule.folder.display())),
            Some(at) => (
                hours_since(&at, now).is_some_and(|h| h < FULL_CHECK_HOURS),
                format!(
                    "the last {} ago (at most {FULL_CHECK_HOURS} h); daily at {} into {}, keeping {}",
                    age(&at, now),
                    schedule.at.format("%H:%M"),
                    schedule.folder.display(),
                    schedule.keep
                ),
            ),
        })
    }

    fn chain(&self) -> Result<(bool, String)> {
        let report = self.store()?.verify_audit()?;
        Ok(match report.problems.first() {
            None => (true, format!("{} entries, the chain whole", report.entries)),
            Some(p) => (
                false,
                format!(
                    "{} entries, {} problems; the first: {} (entry {})",
                    report.entries,
                    report.problems.len(),
                    p.code,
                    p.entry_id.map_or("—".into(), |i| i.to_string())
                ),
            ),
        })
    }

    fn anchor_age(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(bool, String)> {
        if !self.bank_configured() {
            return Ok((true, "no bank configured: nothing to anchor to".into()));
        }
        // The limit first: it takes the store's lock, which is not taken twice.
        let limit = self.unanchored_limit()?;
        let store = self.store()?;
        let waiting = store.audit_unanchored()?;
        let age = match store.audit_anchor()? {
            None => "never anchored".to_string(),
            Some((id, _)) => store
                .audit_time_at(id)?
                .map_or("its entry is gone".into(), |at| {
                    format!("anchored {} ago (entry {id})", age(&at, now))
                }),
        };
        Ok((
            waiting <= limit,
            format!("{age}; {waiting} entries since (at most {limit} may wait)"),
        ))
    }

    fn outbox(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(bool, String)> {
        let store = self.store()?;
        let waiting = store.outbox_waiting()?;
        let Some(oldest) = store.outbox_oldest_waiting()? else {
            return Ok((true, "nothing waits".into()));
        };
        let hours = hours_since(&oldest, now);
        Ok((
            hours.is_some_and(|h| h < MAX_OUTBOX_WAIT_HOURS),
            format!(
                "{waiting} entries wait, the oldest for {} (at most {MAX_OUTBOX_WAIT_HOURS} h)",
                age(&oldest, now)
            ),
        ))
    }

    fn bank_answers(&self) -> Result<(bool, String)> {
        if !self.bank_configured() {
            return Ok((true, "not configured".into()));
        }
        let workstation = self.store()?.workstation_id()?;
        Ok(match self.bank()?.audit_anchor(&workstation) {
            Ok(_) => (true, "answers".into()),
            Err(e) => (false, format!("does not answer: {e}")),
        })
    }

    fn directory_answers(&self) -> Result<(bool, String)> {
        let Some(directory) = &self.directory else {
            return Ok((true, "standalone: local accounts".into()));
        };
        Ok(match directory.test_connection() {
            Ok(()) => (true, "answers".into()),
            Err(e) => (false, format!("does not answer: {e}")),
        })
    }
}

fn timed(name: &'static str, check: impl FnOnce() -> Result<(bool, String)>) -> Check {
    let start = Instant::now();
    let (ok, detail) =
        check().unwrap_or_else(|e| (false, format!("{}: {}", e.code_name(), e.message)));
    Check {
        name,
        ok,
        detail,
        ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

fn reader_installed() -> Result<(bool, String)> {
    Ok(match crate::untrusted::reader_program() {
        Ok(p) => (true, p.display().to_string()),
        Err(e) => (false, e.message),
    })
}

/// The free space of the data folder's disk (Unix); elsewhere not measured.
fn free_space(dir: &Path) -> Result<(bool, String)> {
    #[cfg(unix)]
    {
        let io = |e: std::io::Error| {
            crate::error::AppError::new(
                crate::error::ErrorCode::Io,
                format!("{}: {e}", dir.display()),
            )
        };
        let st = rustix::fs::statvfs(dir).map_err(|e| io(e.into()))?;
        let free = st.f_bavail.saturating_mul(st.f_frsize);
        Ok((
            free >= MIN_FREE_BYTES,
            format!(
                "{} MB free (at least {} MB)",
                free / 1_000_000,
                MIN_FREE_BYTES / 1_000_000
            ),
        ))
    }
    #[cfg(not(unix))]
    Ok((true, format!("{}: not measured here", dir.display())))
}

fn hours_since(at: &str, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| (now - t.with_timezone(&chrono::Utc)).num_hours())
}

/// "3 h 20 min", "2 d 4 h", or the time as written when it does not read.
fn age(at: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(at) else {
        return format!("since {at}");
    };
    let minutes = (now - t.with_timezone(&chrono::Utc)).num_minutes().max(0);
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), m % (24 * 60) / 60),
    }
}

#[cfg(test)]
mod tests;
