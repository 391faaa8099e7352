//! The daily call budget of each API connection (Cin7 allows 5,000 calls a day), remembered
//! across runs of the app: every call's time is kept for a day in a small JSON file in the
//! user's state folder, so a second import the same day knows what the first one spent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: Duration = Duration::from_secs(86_400);

/// Call times per connection (`username@base_url`), in milliseconds since 1970.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Ledger {
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
        let dir = std::env::var_os("CIN7_PLANNER_STATE_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                dirs::state_dir()
                    .or_else(dirs::data_local_dir)
                    .map(|d| d.join("cin7-planner"))
            })?;
        Some(Self::at(dir.join("calls.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Ledger {
        // A missing or unreadable log only means the app does not know of earlier calls.
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The times of the connection's calls in the last day, oldest first.
    pub fn recent(&self, connection: &str, now: SystemTime) -> Vec<SystemTime> {
        let since = millis(now).saturating_sub(DAY.as_millis() as u64);
        let mut times: Vec<SystemTime> = self
            .read()
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

    /// Adds calls to the connection's log and forgets what is more than a day old.
    pub fn add(
        &self,
        connection: &str,
        calls: &[SystemTime],
        now: SystemTime,
    ) -> std::io::Result<()> {
        if calls.is_empty() {
            return Ok(());
        }
        let since = millis(now).saturating_sub(DAY.as_millis() as u64);
        let mut ledger = self.read();
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
        crate::atomic_file::write_bytes(&self.path, &bytes)
    }
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
        assert_eq!(log.recent("a@x", now), vec![recent]);
        assert_eq!(log.recent("b@x", now), vec![now]);
        assert_eq!(log.recent("c@x", now), vec![]);
        // A day later everything has aged out.
        assert_eq!(log.recent("b@x", now + DAY), vec![]);
        std::fs::write(log.path(), "garbage").unwrap();
        assert_eq!(log.recent("a@x", now), vec![]);
    }
}
