//! The daily call budget of each API connection (Cin7 allows 5,000 calls a day), remembered
//! across runs of the app: every call's time is kept for a day in a small JSON file in the
//! user's state folder, so a second import the same day knows what the first one spent. Runs
//! write their calls as they make them, every few seconds, so that a killed process does not
//! forget calls it spent; a window and a command-line run may share the file, so every change
//! is made under a lock. A file that does not read is kept aside and said so, never taken for
//! "no calls made".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: Duration = Duration::from_secs(86_400);

/// The calls made, per connection (`username@base_url`), in milliseconds since 1970.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CallTimes {
    connections: BTreeMap<String, Vec<u64>>,
}

/// Where call times are kept.
#[derive(Clone, Debug)]
pub struct CallLog {
    path: PathBuf,
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

impl CallLog {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The user's own log: `$CIN7_PLANNER_STATE_DIR/calls.json`, else the platform's state
    /// (or local data) folder, under `cin7-planner`.
    pub fn for_user() -> Option<Self> {
        Some(Self::at(crate::state_dir()?.join("calls.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The log as kept; a file that does not parse is moved aside (and said so in the
    /// returned notice) and counting starts again. A file that cannot be read at all is an
    /// error: it may hold every connection's calls, so it is never written over.
    fn read(&self) -> std::io::Result<(CallTimes, Option<String>)> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((CallTimes::default(), None));
            }
            Err(e) => return Err(e),
        };
        match serde_json::from_slice(&bytes) {
            Ok(ledger) => Ok((ledger, None)),
            Err(_) => {
                let aside = self
                    .path
                    .with_extension(format!("damaged-{}.json", millis(SystemTime::now())));
                let moved = std::fs::rename(&self.path, &aside).is_ok();
                let notice = format!(
                    "The daily call count in {} was damaged{}; calls made before today's first run since are not counted.",
                    self.path.display(),
                    if moved {
                        format!(" and was kept aside as {}", aside.display())
                    } else {
                        String::new()
                    }
                );
                tracing::warn!("{notice}");
                Ok((CallTimes::default(), Some(notice)))
            }
        }
    }

    /// Holds the log's lock while it lives, so that two runs never overwrite each other.
    fn lock(&self) -> std::io::Result<std::fs::File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.path.with_extension("lock"))?;
        file.lock()?;
        Ok(file)
    }

    /// The times of the connection's calls in the last day, oldest first, and a notice when
    /// the log was damaged.
    pub fn recent(&self, connection: &str, now: SystemTime) -> (Vec<SystemTime>, Option<String>) {
        let since = millis(now).saturating_sub(DAY.as_millis() as u64);
        let _lock = self.lock();
        let (ledger, notice) = self.read().unwrap_or_else(|e| {
            let notice = format!(
                "The daily call count in {} could not be read ({e}); calls made before this run are not counted.",
                self.path.display()
            );
            tracing::warn!("{notice}");
            (CallTimes::default(), Some(notice))
        });
        (times_since(&ledger, connection, since), notice)
    }

    /// Adds calls to the connection's log and forgets what is more than a day old; returns the
    /// connection's calls of the last day, every run's, oldest first.
    pub fn add(
        &self,
        connection: &str,
        calls: &[SystemTime],
        now: SystemTime,
    ) -> std::io::Result<Vec<SystemTime>> {
        let since = millis(now).saturating_sub(DAY.as_millis() as u64);
        let _lock = self.lock()?;
        let (mut ledger, _) = self.read()?;
        if calls.is_empty() {
            return Ok(times_since(&ledger, connection, since));
        }
        for times in ledger.connections.values_mut() {
            times.retain(|&ms| ms > since);
        }
        let times = ledger.connections.entry(connection.to_owned()).or_default();
        times.extend(calls.iter().map(|&t| millis(t)));
        times.sort_unstable();
        ledger.connections.retain(|_, t| !t.is_empty());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec(&ledger).map_err(std::io::Error::other)?;
        crate::atomic_file::write_bytes(&self.path, &bytes)?;
        Ok(times_since(&ledger, connection, since))
    }
}

/// The connection's calls after `since` (ms), oldest first.
fn times_since(ledger: &CallTimes, connection: &str, since: u64) -> Vec<SystemTime> {
    let mut times: Vec<SystemTime> = ledger
        .connections
        .get(connection)
        .map(|t| {
            t.iter()
                .filter(|&&ms| ms > since)
                .map(|&ms| UNIX_EPOCH + Duration::from_millis(ms))
                .collect()
        })
        .unwrap_or_default();
    times.sort();
    times
}

/// `all` less one of each of `some`, to the millisecond the log keeps: the calls of other runs
/// in a log that holds this one's too.
pub fn calls_without(all: &[SystemTime], some: &[SystemTime]) -> Vec<SystemTime> {
    let mut left: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    for &t in some {
        *left.entry(millis(t)).or_default() += 1;
    }
    all.iter()
        .copied()
        .filter(|&t| match left.get_mut(&millis(t)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_day_of_calls_per_connection() {
        let dir = tempfile::tempdir().unwrap();
        let log = CallLog::at(dir.path().join("state").join("calls.json"));
        let now = UNIX_EPOCH + Duration::from_secs(10 * 86_400);
        let old = now - DAY - Duration::from_secs(1);
        let recent = now - Duration::from_secs(60);
        log.add("a@x", &[old, recent], now).unwrap();
        log.add("b@x", &[now], now).unwrap();
        assert_eq!(log.recent("a@x", now), (vec![recent], None));
        assert_eq!(log.recent("b@x", now).0, vec![now]);
        assert_eq!(log.recent("c@x", now).0, vec![]);
        // A day later everything has aged out.
        assert_eq!(log.recent("b@x", now + DAY).0, vec![]);
        // A damaged log is kept aside, and said so.
        std::fs::write(log.path(), "garbage").unwrap();
        let (times, notice) = log.recent("a@x", now);
        assert_eq!(times, vec![]);
        let notice = notice.unwrap();
        assert!(
            notice.contains("was damaged and was kept aside as"),
            "{notice}"
        );
        let aside: Vec<_> = std::fs::read_dir(log.path().parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"garbage");
    }

    #[test]
    fn every_runs_calls_come_back_and_another_runs_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let log = CallLog::at(dir.path().join("calls.json"));
        let now = UNIX_EPOCH + Duration::from_secs(10 * 86_400);
        let at = |s: u64| now - Duration::from_secs(s);
        let mine = [at(50), at(30)];
        log.add("a@x", &mine, now).unwrap();
        // Another run's calls, one at the same millisecond as one of these.
        let all = log.add("a@x", &[at(40), at(30)], now).unwrap();
        assert_eq!(all, vec![at(50), at(40), at(30), at(30)]);
        assert_eq!(calls_without(&all, &mine), vec![at(40), at(30)]);
        // Nothing to add still tells what is there.
        assert_eq!(log.add("a@x", &[], now).unwrap(), all);
    }

    #[test]
    fn a_count_that_cannot_be_read_is_said_and_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: it exists, and reading it fails.
        std::fs::create_dir(dir.path().join("calls.json")).unwrap();
        let log = CallLog::at(dir.path().join("calls.json"));
        let (times, notice) = log.recent("a@x", UNIX_EPOCH + DAY);
        assert_eq!(times, vec![]);
        let notice = notice.unwrap();
        assert!(notice.contains("could not be read"), "{notice}");
        // Nor is it written over with this run's calls alone.
        assert!(
            log.add("a@x", &[UNIX_EPOCH + DAY], UNIX_EPOCH + DAY)
                .is_err()
        );
        assert!(log.path().is_dir());
    }
}
