//! Everything the planner can ask of the window, as commands. Menus, buttons, shortcuts, the
//! connection dialog and the prompts only queue them; the frame applies them once, after
//! drawing (`command_handling`). The keyboard shortcuts are listed here once, for the
//! keyboard, the menus and Help > Keyboard shortcuts.

use super::file_dialogs::{Export, Purpose};
use super::state::Theme;
use crate::cin7::ApiKey;
use crate::project::{ConnectionInfo, ImportSettings};
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    NewConnection,
    /// OK in the connection dialog.
    DialogOk,
    /// OK again after being told which permissions Test connection found off.
    DialogOkAnyway,
    DialogTest,
    DialogCancel,
    Open,
    OpenPath(PathBuf),
    Save,
    SaveAs,
    /// Save, then this once the project is saved (the planner chose Save in a question).
    SaveThen(Box<Command>),
    /// A save the planner was asked about did not happen (a chooser or a question was
    /// cancelled): what was to follow it goes too.
    SaveAbandoned,
    Export(Export),
    /// A path chosen for `Purpose`, not yet checked (extension, replacing a file).
    Chosen(Purpose, PathBuf),
    /// Write to this path, settled: the planner chose it and agreed to replace what is there.
    WriteTo(Purpose, PathBuf),
    Close,
    Quit,
    UpdateData,
    AskReimport,
    Reimport,
    /// Continue the stopped run kept in this folder.
    ContinueRun(PathBuf),
    DiscardRun(PathBuf),
    /// Cancel the run under way, or the wait for its key.
    CancelRun,
    KeyGiven(KeyGiven),
    ForgetKey,
    /// Rebuild the open project's series under these settings, from its ledger.
    Regroup(Box<ImportSettings>),
    /// Select this series in the table (from the data report).
    ShowSeries(usize),
    Theme(Theme),
    Zoom(Zoom),
    ReopenLastProject(bool),
    CredentialsHelp,
    Shortcuts,
    About,
    /// A command the planner confirmed dropping unsaved changes (or a run) for.
    Confirmed(Box<Command>),
}

/// The key the planner typed for a run, when none was stored.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyGiven {
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub remember: bool,
    pub purpose: RunPurpose,
}

/// What a run started outside the dialog is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunPurpose {
    Update,
    Reimport,
    /// The stopped import kept in this folder.
    Continue(PathBuf),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    In,
    Out,
    Reset,
}

impl Command {
    /// What it does, for the log.
    pub fn describe(&self) -> &'static str {
        match self {
            Command::Quit => "quitting",
            Command::Close => "closing the project",
            Command::Open | Command::OpenPath(_) => "opening another project",
            Command::NewConnection => "a new import",
            Command::ContinueRun(_) => "continuing a stopped run",
            _ => "going on",
        }
    }

    /// Whether it must wait while a run reads Cin7 (or waits for its key): it would start
    /// another run, or replace the project the run is of. Saving, exporting, quitting (which
    /// asks) and the rest go on.
    pub fn waits_for_run(&self) -> bool {
        matches!(
            self,
            Command::NewConnection
                | Command::DialogOk
                | Command::DialogOkAnyway
                | Command::Open
                | Command::OpenPath(_)
                | Command::UpdateData
                | Command::AskReimport
                | Command::Reimport
                | Command::Close
                | Command::ContinueRun(_)
                | Command::DiscardRun(_)
                | Command::KeyGiven(_)
                | Command::Regroup(_)
        )
    }

    /// Whether it would drop the open project's unsaved changes.
    pub fn drops_project(&self) -> bool {
        matches!(
            self,
            Command::NewConnection
                | Command::Open
                | Command::OpenPath(_)
                | Command::Close
                | Command::Quit
                | Command::ContinueRun(_)
        )
    }
}

/// A keyboard shortcut and what it does.
pub(super) struct Shortcut {
    pub keys: KeyboardShortcut,
    pub command: fn() -> Command,
    /// What Help > Keyboard shortcuts says it does.
    pub does: &'static str,
    /// Where Help > Keyboard shortcuts lists it: in the File menu's order.
    pub menu_order: u8,
}

pub(super) const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
pub(super) const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub(super) const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub(super) const SAVE_AS: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
pub(super) const UPDATE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub(super) const CLOSE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::W);
pub(super) const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);
pub(super) const ZOOM_IN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Plus);
pub(super) const ZOOM_OUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Minus);
pub(super) const ZOOM_RESET: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num0);

/// The window's shortcuts, longest modifier set first (Ctrl+Shift+S before Ctrl+S). Zoom is
/// egui's own (it also takes Ctrl+=), listed here for the menu and the help.
pub(super) const SHORTCUTS: [Shortcut; 7] = [
    Shortcut {
        menu_order: 3,
        keys: SAVE_AS,
        command: || Command::SaveAs,
        does: "Save the project under another name",
    },
    Shortcut {
        menu_order: 0,
        keys: NEW,
        command: || Command::NewConnection,
        does: "New project from a Cin7 connection",
    },
    Shortcut {
        menu_order: 1,
        keys: OPEN,
        command: || Command::Open,
        does: "Open a project",
    },
    Shortcut {
        menu_order: 2,
        keys: SAVE,
        command: || Command::Save,
        does: "Save the project",
    },
    Shortcut {
        menu_order: 4,
        keys: UPDATE,
        command: || Command::UpdateData,
        does: "Update data: read what changed in Cin7",
    },
    Shortcut {
        menu_order: 5,
        keys: CLOSE,
        command: || Command::Close,
        does: "Close the project",
    },
    Shortcut {
        menu_order: 6,
        keys: QUIT,
        command: || Command::Quit,
        does: "Quit",
    },
];

/// Keys that are not commands of their own, for Help > Keyboard shortcuts.
pub(super) const OTHER_KEYS: [(&str, &str); 9] = [
    (
        "Ctrl+Plus, Ctrl+Minus, Ctrl+0",
        "Zoom in, out, back to 100%",
    ),
    ("Up, Down", "Select the item above or below in the table"),
    ("Shift+Up, Shift+Down", "Extend the selection"),
    ("Ctrl+A", "Select every row shown in the table"),
    (
        "Ctrl+C",
        "Copy the selected rows (paste into a spreadsheet)",
    ),
    ("Enter", "OK in a dialog"),
    ("Escape", "Cancel a dialog or close a popup"),
    (
        "Tab, Space",
        "Move between fields, press the focused button",
    ),
    (
        "Chart: Ctrl+wheel, drag, double-click",
        "Zoom the dates, move along them, show them all again",
    ),
];
