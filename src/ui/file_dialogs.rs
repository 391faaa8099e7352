//! Native open/save dialogs behind a trait, so tests script the answers and never open one.
//! A desktop may have no file chooser at all (a bare X session answers no XDG portal): the
//! dialogs then say so instead of doing nothing, and the window asks for a path itself.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a file chooser answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Picked(PathBuf),
    Cancelled,
    /// There is no chooser on this desktop.
    Unavailable,
}

/// What a chooser is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    OpenProject,
    SaveProject,
    ExportCsv,
}

pub trait FileDialogs {
    /// Asks for a file; `suggested_name` for a file to save.
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice;
}

/// The operating system's dialogs (XDG portal on Linux), through rfd.
pub struct NativeDialogs;

/// No person answers a file chooser this fast: a `None` sooner means there was none to show.
const TOO_FAST_FOR_A_PERSON: Duration = Duration::from_millis(150);

impl FileDialogs for NativeDialogs {
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice {
        let started = Instant::now();
        let dialog = rfd::FileDialog::new();
        let picked = match purpose {
            Purpose::OpenProject => dialog
                .add_filter("Cin7 planner project", &["json"])
                .set_title("Open project")
                .pick_file(),
            Purpose::SaveProject => dialog
                .add_filter("Cin7 planner project", &["json"])
                .set_title("Save project")
                .set_file_name(suggested_name)
                .save_file(),
            Purpose::ExportCsv => dialog
                .add_filter("CSV", &["csv"])
                .set_title("Export")
                .set_file_name(suggested_name)
                .save_file(),
        };
        match picked {
            Some(path) => Choice::Picked(path),
            None if started.elapsed() < TOO_FAST_FOR_A_PERSON => Choice::Unavailable,
            None => Choice::Cancelled,
        }
    }
}

/// Answers queued in advance, for tests and automation: each call takes the next answer, and
/// says what it was asked.
#[derive(Default)]
pub struct ScriptedDialogs {
    answers: Mutex<VecDeque<Choice>>,
    asked: Mutex<Vec<(Purpose, String)>>,
}

impl ScriptedDialogs {
    pub fn new(answers: impl IntoIterator<Item = Choice>) -> Self {
        Self {
            answers: Mutex::new(answers.into_iter().collect()),
            asked: Mutex::new(Vec::new()),
        }
    }

    /// Every question asked so far.
    pub fn asked(&self) -> Vec<(Purpose, String)> {
        self.asked.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl FileDialogs for ScriptedDialogs {
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice {
        self.asked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((purpose, suggested_name.to_owned()));
        self.answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
            .unwrap_or(Choice::Cancelled)
    }
}

impl<T: FileDialogs + ?Sized> FileDialogs for std::sync::Arc<T> {
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice {
        (**self).choose(purpose, suggested_name)
    }
}
