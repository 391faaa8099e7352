//! Where the app keeps its state between runs: the window's size and recent projects, the
//! daily call count, the checkpoints of stopped runs and the window's log.
//! `$CIN7_PLANNER_STATE_DIR` when set (tests and scripts), else the platform's state (or local
//! data) folder, under the app's id.

use crate::identity::APP_ID;
use std::path::{Path, PathBuf};

/// The folder's name before the app had a reverse-DNS id.
const FOLDER_BEFORE_THE_ID: &str = "cin7-planner";

pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CIN7_PLANNER_STATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(settled(&base))
}

/// The app's folder under `base`. The folder of the versions before the id is moved there the
/// first time, so that the window's state, the day's calls and stopped runs carry over; if it
/// cannot be moved, it goes on being used where it is.
fn settled(base: &Path) -> PathBuf {
    let dir = base.join(APP_ID);
    let before = base.join(FOLDER_BEFORE_THE_ID);
    if dir.exists() || !before.is_dir() {
        return dir;
    }
    match std::fs::rename(&before, &dir) {
        Ok(()) => {
            tracing::info!(from = %before.display(), to = %dir.display(), "moved the state folder to the app's id");
            dir
        }
        // Another instance may have moved it a moment ago.
        Err(_) if dir.exists() => dir,
        Err(error) => {
            tracing::warn!(%error, "the state folder could not take the app's id; it stays where it is");
            before
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_before_the_id_is_moved_once_with_what_it_holds() {
        let base = tempfile::tempdir().expect("a folder");
        let before = base.path().join(FOLDER_BEFORE_THE_ID);
        std::fs::create_dir_all(before.join("runs")).expect("the old folder");
        std::fs::write(before.join("window.ron"), "(zoom: 1.5)").expect("the old state");

        let dir = settled(base.path());
        assert_eq!(dir, base.path().join("com.cin7planner.Cin7Planner"));
        assert_eq!(
            std::fs::read_to_string(dir.join("window.ron")).expect("moved"),
            "(zoom: 1.5)"
        );
        assert!(dir.join("runs").is_dir());
        assert!(!before.exists());

        // An old folder made again later (an old version run once more) is left alone.
        std::fs::create_dir_all(&before).expect("the old folder again");
        assert_eq!(settled(base.path()), dir);
        assert!(before.is_dir());
    }

    #[test]
    fn a_new_install_uses_the_id_and_makes_nothing_yet() {
        let base = tempfile::tempdir().expect("a folder");
        let dir = settled(base.path());
        assert_eq!(dir, base.path().join(APP_ID));
        assert!(!dir.exists());
    }
}
