//! Checkpoints: what a run (an import, an update or a full reimport) needs to resume exactly,
//! kept in the state folder from its first call until the project it made has been saved. A
//! run that stops for any reason (the daily budget, an outage beyond retries, Cancel, the
//! window closed, the process killed) leaves its checkpoint: the run's kind, connection,
//! settings and project, the instant it started (its "as of", which fixes every query it
//! makes), and the pages it read. Resumed, it makes the same queries, finds the pages it has
//! and asks only for the rest.

use crate::cin7::PageStore;
use crate::cin7::page_key;
use crate::project::{ConnectionInfo, ImportSettings, RunKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a checkpoint says of its run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub kind: RunKind,
    pub connection: ConnectionInfo,
    pub settings: ImportSettings,
    /// When the run started: the moment its project is as of.
    pub as_of: DateTime<Utc>,
    /// The project an update or reimport is of; where an import was to be saved, if known.
    pub project: Option<PathBuf>,
    /// For an update or a reimport, the instant the project it started from is as of. It
    /// resumes only onto that same project: one a finished run already moved on (an update
    /// not saved yet, then Update data again) starts a fresh run.
    #[serde(default)]
    pub base_as_of: Option<DateTime<Utc>>,
    /// The run reads the sales orders newest first (a checkpoint without it, of an earlier
    /// version, is of a single pass, and resumes as one).
    #[serde(default)]
    pub newest_first: bool,
    /// The instant its windows take edits from, once fixed (see
    /// [`super::windows::Windows::query`]).
    #[serde(default)]
    pub edits_since: Option<DateTime<Utc>>,
    /// How far back the project it read is exact so far.
    #[serde(default)]
    pub exact: Option<super::Exactness>,
}

/// One run's folder: `checkpoint.json` and `pages/`.
#[derive(Clone, Debug)]
pub struct RunStore {
    dir: PathBuf,
}

impl RunStore {
    /// The folder every run's checkpoint lives under.
    pub fn root(state_dir: &Path) -> PathBuf {
        state_dir.join("runs")
    }

    /// The store of an import of `connection` with `settings`: one per such import, so that
    /// `import --resume` with the same arguments finds it.
    pub fn for_import(
        state_dir: &Path,
        connection: &ConnectionInfo,
        settings: &ImportSettings,
    ) -> Self {
        let settings = serde_json::to_string(settings).unwrap_or_default();
        Self::keyed(state_dir, &["import", &connection.key(), &settings])
    }

    /// The store of an update (or reimport) of the project at `project`.
    pub fn for_project(
        state_dir: &Path,
        kind: RunKind,
        connection: &ConnectionInfo,
        project: &Path,
    ) -> Self {
        let project = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_owned());
        let kind = format!("{kind:?}");
        Self::keyed(
            state_dir,
            &[&kind, &connection.key(), &project.to_string_lossy()],
        )
    }

    fn keyed(state_dir: &Path, parts: &[&str]) -> Self {
        Self {
            dir: Self::root(state_dir).join(format!("{:016x}", page_key(parts))),
        }
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn checkpoint_path(&self) -> PathBuf {
        self.dir.join("checkpoint.json")
    }

    /// The checkpoint of a stopped run here, if there is one that reads.
    pub fn load(&self) -> Option<Checkpoint> {
        let bytes = std::fs::read(self.checkpoint_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Keeps `checkpoint` (before the run's first call).
    pub fn save(&self, checkpoint: &Checkpoint) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = serde_json::to_vec_pretty(checkpoint).map_err(std::io::Error::other)?;
        crate::atomic_file::write_bytes(&self.checkpoint_path(), &bytes)
    }

    /// Where the run keeps its pages.
    pub fn pages(&self) -> PageStore {
        PageStore::at(self.dir.join("pages"))
    }

    /// Deletes the checkpoint and its pages: the project the run made has been saved (or the
    /// planner chose to drop it).
    pub fn remove(&self) -> std::io::Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Deletes the run's checkpoint and pages once they are no longer needed: a failure costs
    /// only disk space, so it is logged rather than said.
    pub fn forget(&self) {
        if let Err(error) = self.remove() {
            tracing::warn!(%error, dir = %self.dir.display(), "could not delete a run's checkpoint");
        }
    }

    /// Every stopped run under `state_dir`, with its store, newest first.
    pub fn stopped(state_dir: &Path) -> Vec<(RunStore, Checkpoint)> {
        let Ok(entries) = std::fs::read_dir(Self::root(state_dir)) else {
            return Vec::new();
        };
        let mut runs: Vec<(RunStore, Checkpoint)> = entries
            .flatten()
            .map(|e| RunStore::at(e.path()))
            .filter_map(|store| store.load().map(|c| (store, c)))
            .collect();
        runs.sort_by_key(|(_, c)| std::cmp::Reverse(c.as_of));
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::GroupBy;
    use chrono::TimeZone;

    #[test]
    fn one_store_per_run_kept_until_removed() {
        let state = tempfile::tempdir().unwrap();
        let connection = ConnectionInfo {
            base_url: "https://api.cin7.com/api".into(),
            username: "shop".into(),
        };
        let settings = ImportSettings::new(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            GroupBy::Week,
            chrono_tz::UTC,
        );
        let store = RunStore::for_import(state.path(), &connection, &settings);
        assert_eq!(
            store.dir(),
            RunStore::for_import(state.path(), &connection, &settings).dir()
        );
        let monthly = ImportSettings {
            group_by: GroupBy::Month,
            ..settings.clone()
        };
        assert_ne!(
            store.dir(),
            RunStore::for_import(state.path(), &connection, &monthly).dir()
        );
        assert_eq!(store.load(), None);
        let checkpoint = Checkpoint {
            kind: RunKind::Import,
            connection,
            settings,
            as_of: Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
            project: None,
            base_as_of: None,
            newest_first: true,
            edits_since: None,
            exact: None,
        };
        store.save(&checkpoint).unwrap();
        store.pages().put(7, b"[]").unwrap();
        assert_eq!(store.load(), Some(checkpoint.clone()));
        let stopped = RunStore::stopped(state.path());
        assert_eq!(stopped.len(), 1);
        assert_eq!(stopped[0].1, checkpoint);
        store.remove().unwrap();
        assert!(!store.dir().exists());
        assert!(RunStore::stopped(state.path()).is_empty());
        store.remove().unwrap();
    }
}
