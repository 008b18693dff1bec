//! The daily backup an administrator schedules, and "Back up now".
//!
//! The settings are the administrator's (`admin::settings`, kept in the encrypted store):
//! the folder, the time of day (`HH:MM`, the workstation's local time) and how many
//! backups to keep. Backups are
//! named `uw-backup-YYYYMMDD-HHMMSS.uwb`, so their names sort by age; pruning removes only
//! files of that pattern in that folder, oldest first, and only after a new backup has
//! passed its checks — a failed backup never costs a good one.
//!
//! A backup is due once a day: when the latest time of day that has come has no automatic
//! backup after it. A workstation that was off at that time backs up when it next runs,
//! and a schedule just set backs up at once. Time comes in as a parameter ([`due`] is
//! pure).

use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, NaiveTime};
use uw_store::BackupSummary;

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// When the last automatic backup was made (the workstation's local time).
const BACKUP_LAST: &str = "backup_last_auto";
/// When the automatic backup last failed, since its last success (empty: it has not).
const BACKUP_FAILED: &str = "backup_failed_at";
/// How long after a failure the automatic backup is tried again.
pub const RETRY_MINUTES: i64 = 15;

/// The time of day when none is set.
pub const DEFAULT_TIME: &str = "18:00";
const PREFIX: &str = "uw-backup-";
const SUFFIX: &str = ".uwb";
const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Where, when and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub folder: PathBuf,
    pub at: NaiveTime,
    pub keep: usize,
}

/// Whether the automatic backup is due at `now`, the last one made at `last`: the latest
/// time of day that has come (today's, else yesterday's) has no backup after it.
pub fn due(last: Option<NaiveDateTime>, now: NaiveDateTime, at: NaiveTime) -> bool {
    let today = now.date().and_time(at);
    let slot = if now >= today {
        today
    } else {
        today - chrono::Days::new(1)
    };
    last.is_none_or(|l| l < slot)
}

/// `HH:MM`, 00:00–23:59.
pub fn parse_time(text: &str) -> Result<NaiveTime> {
    let t = text.trim();
    let well_formed = t.len() == 5 && t.as_bytes()[2] == b':';
    well_formed
        .then(|| NaiveTime::parse_from_str(t, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                format!("backup.time: \"{text}\" is not a time of day as HH:MM (00:00–23:59)"),
            )
        })
}

/// The file name of a backup made at `now`.
pub fn file_name(now: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", now.format("%Y%m%d-%H%M%S"))
}

fn is_backup_name(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|r| r.strip_suffix(SUFFIX))
        .is_some_and(|stamp| NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").is_ok())
}

/// Removes the oldest backups of `folder` beyond `keep`, `newest` (the one just made)
/// last; returns what it removed. Only files named as this workstation names its backups
/// are counted or touched, and none named after `newest`: a file planted with a future
/// date is neither counted nor can it push the new backup out.
pub fn prune(folder: &Path, keep: usize, newest: &str) -> Result<Vec<PathBuf>> {
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", folder.display()));
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map_err(io)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_backup_name(n) && n.as_str() <= newest)
        .collect();
    names.sort();
    let extra = names.len().saturating_sub(keep.max(1));
    let mut removed = Vec::with_capacity(extra);
    for name in names.into_iter().take(extra) {
        let path = folder.join(name);
        std::fs::remove_file(&path).map_err(io)?;
        removed.push(path);
    }
    Ok(removed)
}

impl Workstation {
    /// The administrator's schedule (Administration → Backup), if a backup folder is set.
    pub fn backup_schedule(&self) -> Result<Option<Schedule>> {
        let settings = self.backup_settings()?;
        if settings.folder.trim().is_empty() {
            return Ok(None);
        }
        let time = Some(settings.time.as_str()).filter(|t| !t.is_empty());
        let at = parse_time(time.unwrap_or(DEFAULT_TIME))?;
        let folder = PathBuf::from(settings.folder);
        if !folder.is_dir() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "backup.folder: {} is not a folder that exists here",
                    folder.display()
                ),
            ));
        }
        Ok(Some(Schedule {
            folder,
            at,
            keep: usize::try_from(settings.keep).unwrap_or(1),
        }))
    }

    /// "Back up now": a backup into the configured folder, the oldest pruned beyond what
    /// the folder keeps. An administrator's, as every backup is when people log in.
    pub fn backup_now(&self, now: NaiveDateTime) -> Result<BackupSummary> {
        let schedule = self.backup_schedule()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                "backup.folder: no backup folder is set; an administrator sets it under Administration → Backup",
            )
        })?;
        let name = file_name(now);
        let summary = self.backup(&schedule.folder.join(&name))?;
        prune(&schedule.folder, schedule.keep, &name)?;
        Ok(summary)
    }

    /// The daily backup, when due at `now` (the workstation's own job: no session, the
    /// audit names `workstation`). A failure is returned, audited once for its day's
    /// time, and tried again `RETRY_MINUTES` later.
    pub fn scheduled_backup(&self, now: NaiveDateTime) -> Result<Option<BackupSummary>> {
        let setting = |key: &str| -> Result<Option<NaiveDateTime>> {
            Ok(self
                .store()?
                .setting(key)?
                .and_then(|t| NaiveDateTime::parse_from_str(&t, LOCAL_FORMAT).ok()))
        };
        let failed = setting(BACKUP_FAILED)?;
        if failed.is_some_and(|f| now >= f && now < f + chrono::Duration::minutes(RETRY_MINUTES)) {
            return Ok(None);
        }
        let made = self.backup_schedule().and_then(|schedule| {
            let Some(schedule) = schedule else {
                return Ok(None);
            };
            if !due(setting(BACKUP_LAST)?, now, schedule.at) {
                return Ok(None);
            }
            let name = file_name(now);
            let summary = self.backup_as(&schedule.folder.join(&name), "workstation")?;
            prune(&schedule.folder, schedule.keep, &name)?;
            Ok(Some(summary))
        });
        let mut store = self.store()?;
        match &made {
            Ok(Some(_)) => {
                store.set_setting(BACKUP_LAST, &now.format(LOCAL_FORMAT).to_string())?;
                store.set_setting(BACKUP_FAILED, "")?;
            }
            Ok(None) => {}
            Err(e) => {
                if failed.is_none() {
                    let detail = serde_json::json!({"code": e.code}).to_string();
                    store.audit(&now_rfc3339(), "workstation", "backup_failed", &detail)?;
                }
                store.set_setting(BACKUP_FAILED, &now.format(LOCAL_FORMAT).to_string())?;
            }
        }
        made
    }
}

#[cfg(test)]
mod tests;
