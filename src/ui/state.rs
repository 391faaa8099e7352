//! What the window remembers between runs, kept in eframe's storage beside the window's size
//! and place (`window.ron` in the state folder): the recent projects, the last connection
//! (username and address, never the key), the dialog's last choices, the theme and zoom, and
//! whether to reopen the last project on start. Every
//! field has a default (`serde(default)`), so that a state saved by an older build still
//! opens the window; one that does not read is left for the defaults.

use crate::project::{GroupBy, SaleDate};
use chrono::Weekday;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file eframe keeps the window's state in, in the state folder.
pub const FILE: &str = "window.ron";
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
    /// The window's zoom (1 for 100%).
    pub zoom: f32,
    /// Open the most recent project when the window starts (Monday's routine: start, F5).
    pub reopen_last: bool,
}

impl Default for PersistedState {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            last_username: String::new(),
            last_base_url: crate::cin7::PRODUCTION_BASE_URL.to_owned(),
            dialog: DialogChoices::default(),
            theme: Theme::System,
            zoom: 1.0,
            reopen_last: true,
        }
    }
}

impl PersistedState {
    /// The state eframe kept; the defaults where there is none, or where it does not read
    /// (eframe logs why).
    pub fn from_storage(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|storage| eframe::get_value(storage, eframe::APP_KEY))
            .unwrap_or_default()
    }

    /// Hands the state to eframe, which writes it out with the window's size and place.
    pub fn to_storage(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, self);
    }

    /// The folders of the recent projects, most recent first, each once.
    pub fn recent_folders(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = Vec::new();
        for folder in self.recent.iter().filter_map(|p| p.parent()) {
            if !folders.iter().any(|f| f == folder) {
                folders.push(folder.to_owned());
            }
        }
        folders
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
    /// Branch ids as typed, comma separated; empty for every branch.
    pub branches: String,
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
            branches: String::new(),
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
        assert!(old.reopen_last, "on unless the planner turned it off");
        assert_eq!(state.recent_folders(), [Path::new("/p")]);
    }
}
