//! What the window remembers between runs, in `window.json` in the state folder, written
//! whole or not at all like every small file the app keeps: the recent projects, the last
//! connection (username and address, never the key), the dialog's last choices and the theme.
//! Every field has a default (`serde(default)`), so that a state saved by an older build still
//! opens the window; a damaged file is kept aside and the window starts afresh. eframe keeps
//! the window's size and place itself.

use crate::project::{GroupBy, SaleDate};
use chrono::Weekday;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file the state is kept in, in the state folder.
const FILE: &str = "window.json";
/// How many recent projects File > Open Recent lists.
pub const RECENT: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersistedState {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    pub last_username: String,
    pub last_base_url: String,
    pub dialog: DialogChoices,
    pub theme: Theme,
}

impl Default for PersistedState {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            last_username: String::new(),
            last_base_url: crate::cin7::PRODUCTION_BASE_URL.to_owned(),
            dialog: DialogChoices::default(),
            theme: Theme::System,
        }
    }
}

impl PersistedState {
    /// The state kept in `state_dir`; the defaults where there is none. A file that does not
    /// read is moved aside (and said so in the log).
    pub fn load(state_dir: &Path) -> Self {
        let path = state_dir.join(FILE);
        let Ok(bytes) = std::fs::read(&path) else {
            return Self::default();
        };
        serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            let aside = path.with_extension("damaged.json");
            let kept = std::fs::rename(&path, &aside).is_ok();
            tracing::warn!(%error, kept, aside = %aside.display(), "the window's saved state was damaged");
            Self::default()
        })
    }

    /// Keeps the state in `state_dir`, whole or not at all.
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(state_dir)?;
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::atomic_file::write_bytes(&state_dir.join(FILE), &bytes)
    }

    /// Puts `path` first among the recent projects.
    pub fn opened(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_owned());
        self.recent.truncate(RECENT);
    }
}

/// What the connection dialog was last left with, besides the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogChoices {
    pub group_by: GroupBy,
    /// How far back the starting date goes, in months.
    pub months_back: u32,
    pub week_start: Weekday,
    /// Empty for the computer's own zone.
    pub time_zone: String,
    pub sale_date: SaleDate,
    pub dispatched_only: bool,
    pub returns: bool,
    pub remember_key: bool,
}

impl Default for DialogChoices {
    fn default() -> Self {
        Self {
            group_by: GroupBy::Week,
            months_back: 24,
            week_start: Weekday::Mon,
            time_zone: String::new(),
            sale_date: SaleDate::Invoice,
            dispatched_only: false,
            returns: true,
            remember_key: true,
        }
    }
}

/// Light, dark, or whatever the system uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_are_most_recent_first_and_at_most_eight() {
        let mut state = PersistedState::default();
        for i in 0..10 {
            state.opened(Path::new(&format!("/p/{i}.json")));
        }
        state.opened(Path::new("/p/5.json"));
        assert_eq!(state.recent.len(), RECENT);
        assert_eq!(state.recent[0], Path::new("/p/5.json"));
        assert_eq!(state.recent[1], Path::new("/p/9.json"));
        // A state saved by an older build, with fields missing, reads with defaults.
        let old: PersistedState = serde_json::from_str(r#"{"last_username": "shop"}"#).unwrap();
        assert_eq!(old.last_username, "shop");
        assert_eq!(old.dialog, DialogChoices::default());
    }

    #[test]
    fn the_state_is_kept_in_its_file_and_a_damaged_one_is_put_aside() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PersistedState::load(dir.path()), PersistedState::default());
        let mut state = PersistedState::default();
        state.opened(Path::new("/p/shop.json"));
        state.last_username = "shop".into();
        state.save(dir.path()).unwrap();
        assert_eq!(PersistedState::load(dir.path()), state);
        std::fs::write(dir.path().join(FILE), "{ not json").unwrap();
        assert_eq!(PersistedState::load(dir.path()), PersistedState::default());
        let aside = std::fs::read(dir.path().join("window.damaged.json")).unwrap();
        assert_eq!(aside, b"{ not json");
    }
}
