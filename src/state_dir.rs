//! Where the app keeps its state between runs: the daily call count and the checkpoints of
//! stopped runs. `$CIN7_PLANNER_STATE_DIR` when set (tests and scripts), else the platform's
//! state (or local data) folder, under `cin7-planner`.

use std::path::PathBuf;

pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("CIN7_PLANNER_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            dirs::state_dir()
                .or_else(dirs::data_local_dir)
                .map(|d| d.join("cin7-planner"))
        })
}
