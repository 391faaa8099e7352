//! Native open/save dialogs behind a trait, so tests script the answers and never open one.
//! A desktop may have no file chooser at all (a bare X session answers no XDG portal): the
//! dialogs then say so instead of doing nothing, and the window asks for a path itself. No
//! chooser is told by there being no session bus nor zenity, or by an answer faster than a
//! person could give.

use crate::project::tables::TableKind;
use crate::sync::lock;
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
    Export(Export),
}

impl Purpose {
    /// The extensions of the files it lists and picks; a name given without one gets the
    /// first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Purpose::OpenProject | Purpose::SaveProject => &crate::project::file::EXTENSIONS,
            Purpose::Export(Export::Csv(_)) => &["csv"],
            Purpose::Export(Export::Workbook) => &["xlsx"],
        }
    }
}

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// One table as CSV.
    Csv(TableKind),
    /// Every table in one Excel workbook.
    Workbook,
}

impl Export {
    /// Every export the menu offers, in its order.
    pub fn all() -> impl Iterator<Item = Export> {
        TableKind::ALL
            .into_iter()
            .map(Export::Csv)
            .chain([Export::Workbook])
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        Purpose::Export(self).extensions()[0]
    }

    /// The kind of file, as a chooser's filter names it.
    pub fn file_kind(self) -> &'static str {
        match self {
            Export::Csv(_) => "CSV",
            Export::Workbook => "Excel workbook",
        }
    }

    /// The title of the window's own file browser for it.
    pub fn title(self) -> &'static str {
        match self {
            Export::Csv(TableKind::Transactions) => "Export the sales history",
            Export::Csv(TableKind::ItemInfo) => "Export the item info",
            Export::Csv(TableKind::OrdersToShip) => "Export the orders to ship",
            Export::Csv(TableKind::OrdersToReceive) => "Export the orders to receive",
            Export::Csv(TableKind::LeadTimes) => "Export the lead times",
            Export::Csv(TableKind::Kits) => "Export the kits",
            Export::Workbook => "Export every table as a workbook",
        }
    }

    /// The menu entry.
    pub fn menu_label(self) -> String {
        match self {
            Export::Csv(table) => format!("{} CSV…", table.label()),
            Export::Workbook => "Excel workbook (every table)…".to_owned(),
        }
    }

    /// The file name suggested after the project's stem.
    pub fn suggested_name(self, stem: &str) -> String {
        match self {
            Export::Csv(table) => format!("{stem}-{}.csv", table.file_suffix()),
            Export::Workbook => format!("{stem}.xlsx"),
        }
    }
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
        if !chooser_reachable() {
            return Choice::Unavailable;
        }
        let started = Instant::now();
        let dialog = rfd::FileDialog::new();
        let picked = match purpose {
            Purpose::OpenProject => dialog
                .add_filter("Cin7 Planner project", purpose.extensions())
                .set_title("Open project")
                .pick_file(),
            Purpose::SaveProject => dialog
                .add_filter("Cin7 Planner project", purpose.extensions())
                .set_title("Save project")
                .set_file_name(suggested_name)
                .save_file(),
            Purpose::Export(what) => dialog
                .add_filter(what.file_kind(), &[what.extension()])
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

/// Whether rfd can show a chooser at all. On Linux it needs the session bus (for the XDG
/// portal) or zenity (its fallback); without either it tries to start a bus, which can take
/// long enough to pass for a person cancelling, and returns nothing.
#[cfg(target_os = "linux")]
fn chooser_reachable() -> bool {
    use std::env::var_os;
    reachable_with(
        var_os("DBUS_SESSION_BUS_ADDRESS").as_deref(),
        var_os("XDG_RUNTIME_DIR").as_deref(),
        var_os("PATH").as_deref(),
    )
}

/// [`chooser_reachable`] from the session bus's address, the runtime folder (where a
/// desktop's bus socket is) and the search path.
#[cfg(target_os = "linux")]
fn reachable_with(
    bus_address: Option<&std::ffi::OsStr>,
    runtime_dir: Option<&std::ffi::OsStr>,
    search_path: Option<&std::ffi::OsStr>,
) -> bool {
    let bus = bus_address.is_some()
        || runtime_dir.is_some_and(|dir| std::path::Path::new(dir).join("bus").exists());
    let zenity = search_path
        .is_some_and(|path| std::env::split_paths(path).any(|dir| dir.join("zenity").is_file()));
    bus || zenity
}

/// The system's own dialogs are always there.
#[cfg(not(target_os = "linux"))]
fn chooser_reachable() -> bool {
    true
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
        lock(&self.asked).clone()
    }
}

impl FileDialogs for ScriptedDialogs {
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice {
        lock(&self.asked).push((purpose, suggested_name.to_owned()));
        lock(&self.answers).pop_front().unwrap_or(Choice::Cancelled)
    }
}

impl<T: FileDialogs + ?Sized> FileDialogs for std::sync::Arc<T> {
    fn choose(&self, purpose: Purpose, suggested_name: &str) -> Choice {
        (**self).choose(purpose, suggested_name)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::reachable_with;
    use std::ffi::OsStr;

    #[test]
    fn a_chooser_needs_a_session_bus_or_zenity() {
        let runtime = tempfile::tempdir().unwrap();
        let tools = tempfile::tempdir().unwrap();
        let (runtime_dir, tools_dir) = (runtime.path().as_os_str(), tools.path().as_os_str());
        // A bare X session: no bus address, no bus socket, no zenity.
        assert!(!reachable_with(None, Some(runtime_dir), Some(tools_dir)));
        assert!(!reachable_with(None, None, None));
        assert!(reachable_with(
            Some(OsStr::new("unix:path=/run/user/1000/bus")),
            None,
            None
        ));
        std::fs::write(runtime.path().join("bus"), b"").unwrap();
        assert!(reachable_with(None, Some(runtime_dir), None));
        std::fs::write(tools.path().join("zenity"), b"").unwrap();
        assert!(reachable_with(None, None, Some(tools_dir)));
    }
}
