//! Help → "Save a support bundle" and `uw support-bundle -o FILE`: one file for the bank's
//! support holding the log of the last [`DAYS`] days and the health report of `uw doctor`.
//!
//! Invariant: nothing personal. The log holds nothing personal (`logs`), the report neither
//! (`doctor`); the bundle adds their names and when it was made, nothing else. It is
//! written whole or not at all, private (0600, `paths::write_atomically`).
//!
//! Readings:
//! - a zip: the `zip` crate is already built for the spreadsheets' reader, and every desk
//!   and mail client opens one; the entries are `doctor.json` and `logs/uw.YYYY-MM-DD.log`;
//! - anyone logged in may save it: a support call starts with whoever is at the desk, and
//!   the bundle holds nothing that person may not see. It is audited (who, how many log
//!   files), not where it went: a path may name a person;
//! - a day's file larger than [`MAX_LOG_BYTES`] goes in by its last lines (what support
//!   needs is the latest).

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The days of log a bundle holds (today's included).
pub const DAYS: i64 = 14;
/// The most of one day's log a bundle holds.
pub const MAX_LOG_BYTES: usize = 64 * 1024 * 1024;

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SupportBundle {
    pub file: String,
    pub bytes: u64,
    /// The log files it holds, by name (`logs/uw.2026-12-01.log`).
    pub log_files: Vec<String>,
    /// Whether every check of the health report passed.
    pub healthy: bool,
}

impl Workstation {
    /// Writes the support bundle to `out` (see the module's header). A folder, or a file
    /// in a folder that does not exist, is refused before anything is gathered.
    pub fn support_bundle(&self, out: &Path) -> Result<SupportBundle> {
        let actor = if self.require_login {
            self.require_session()?.username
        } else {
            self.actor.clone()
        };
        check_output(out)?;
        let now = chrono::Utc::now();
        let health = self.doctor(now);
        let report = serde_json::to_vec_pretty(&health)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let logs = recent_logs(&crate::logs::folder(&self.data_dir), now.date_naive());
        let bytes = zip_bundle(&report, &logs, now)?;
        crate::paths::write_atomically(out, &bytes)?;
        let log_files: Vec<String> = logs.into_iter().map(|(name, _)| name).collect();
        let detail = serde_json::json!({"log_files": log_files.len(), "healthy": health.ok});
        self.store()?.audit(
            &now_rfc3339(),
            &actor,
            "support_bundle_saved",
            &detail.to_string(),
        )?;
        crate::logs::support_bundle(log_files.len(), health.ok);
        Ok(SupportBundle {
            file: out.display().to_string(),
            bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            log_files,
            healthy: health.ok,
        })
    }
}

/// The name the save dialog suggests: `uw-support-2026-12-02.zip`.
pub fn support_file_name() -> String {
    format!("uw-support-{}.zip", chrono::Utc::now().format("%Y-%m-%d"))
}

/// A file name in a folder that exists; not a folder itself.
fn check_output(out: &Path) -> Result<()> {
    if out.is_dir() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("{}: a folder; give the bundle's file name", out.display()),
        ));
    }
    if out.file_name().is_none() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("{:?}: not a file name", out.display().to_string()),
        ));
    }
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(AppError::new(
            ErrorCode::Io,
            format!(
                "{}: the folder {} does not exist",
                out.display(),
                folder.display()
            ),
        ));
    }
    Ok(())
}

/// The log files of the last [`DAYS`] days, oldest first, each as its entry's name and
/// content. A file that cannot be read is left out (the report says what is wrong).
fn recent_logs(dir: &Path, today: chrono::NaiveDate) -> Vec<(String, Vec<u8>)> {
    let first = today - chrono::Duration::days(DAYS - 1);
    crate::logs::files(dir)
        .into_iter()
        .filter(|p| crate::logs::file_date(p).is_some_and(|d| d >= first && d <= today))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let content = std::fs::read(&p).ok()?;
            Some((format!("logs/{name}"), last_lines(content, MAX_LOG_BYTES)))
        })
        .collect()
}

/// At most `max` bytes of a log: its last whole lines.
fn last_lines(content: Vec<u8>, max: usize) -> Vec<u8> {
    if content.len() <= max {
        return content;
    }
    let tail = &content[content.len() - max..];
    let start = tail.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
    tail[start..].to_vec()
}

fn zip_bundle(
    report: &[u8],
    logs: &[(String, Vec<u8>)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| {
        AppError::new(ErrorCode::Internal, format!("the support bundle: {e}"))
    };
    let mut options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    if let Ok(at) = zip_time(now) {
        options = options.last_modified_time(at);
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let entries = std::iter::once(("doctor.json", report))
        .chain(logs.iter().map(|(n, c)| (n.as_str(), c.as_slice())));
    for (name, content) in entries {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(content).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// The entries' time (a zip's is local and without a zone: UTC here, as the log's).
fn zip_time(
    now: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<zip::DateTime, zip::result::DateTimeRangeError> {
    use chrono::{Datelike, Timelike};
    let narrow = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
    zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(0),
        narrow(now.month()),
        narrow(now.day()),
        narrow(now.hour()),
        narrow(now.minute()),
        narrow(now.second()),
    )
}

#[cfg(test)]
pub(crate) mod tests;
