//! Native open/save dialogs behind a trait, so tests script the answers and never open one.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

pub trait FileDialogs {
    /// Asks for a project to open; `None` if the user cancels.
    fn open_project(&self) -> Option<PathBuf>;
    /// Asks where to save a project, suggesting a file name; `None` if the user cancels.
    fn save_project(&self, suggested_name: &str) -> Option<PathBuf>;
}

/// The operating system's dialogs (XDG portal on Linux), through rfd.
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn open_project(&self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .add_filter("Cin7 planner project", &["json"])
            .set_title("Open project")
            .pick_file()
    }

    fn save_project(&self, suggested_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .add_filter("Cin7 planner project", &["json"])
            .set_title("Save project")
            .set_file_name(suggested_name)
            .save_file()
            .map(|path| {
                if path.extension().is_none() {
                    path.with_extension("json")
                } else {
                    path
                }
            })
    }
}

/// Answers queued in advance, for tests and automation: each call takes the next answer.
#[derive(Default)]
pub struct ScriptedDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
}

impl ScriptedDialogs {
    pub fn new(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        Self {
            answers: Mutex::new(answers.into_iter().collect()),
        }
    }

    fn next(&self) -> Option<PathBuf> {
        self.answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
            .flatten()
    }
}

impl FileDialogs for ScriptedDialogs {
    fn open_project(&self) -> Option<PathBuf> {
        self.next()
    }

    fn save_project(&self, _suggested_name: &str) -> Option<PathBuf> {
        self.next()
    }
}
