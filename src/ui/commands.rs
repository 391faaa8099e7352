//! Everything the planner can ask of the window, as commands: menus, buttons and shortcuts
//! queue them, and the frame applies them once, after drawing. Shortcuts do nothing while a
//! modal (the connection dialog, a prompt) is open. Commands that would drop unsaved changes
//! (New, Open, Close, Quit, a dropped file) ask first.

use super::app::PlannerApp;
use super::background::For;
use super::file_dialogs::Purpose;
use super::prompts::Prompt;
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    NewConnection,
    Open,
    OpenPath(PathBuf),
    Save,
    SaveAs,
    /// Save to this path, typed in the window (asking before replacing a file).
    SaveTo(PathBuf),
    /// Save to this path, settled (a replacement was confirmed).
    SaveChecked(PathBuf),
    UpdateData,
    /// Asks whether to read everything again.
    AskReimport,
    Reimport,
    Export(Export),
    /// Export to this path, typed in the window (asking before replacing a file).
    ExportTo(Export, PathBuf),
    /// Export to this path, settled (a replacement was confirmed).
    ExportChecked(Export, PathBuf),
    Close,
    Quit,
    ForgetKey,
    ContinueRun(usize),
    DiscardRun(usize),
    CancelRun,
    Help,
    About,
    Theme(super::state::Theme),
    /// Rebuild the open project's series under these settings, from its ledger.
    Regroup(Box<crate::project::ImportSettings>),
    /// A command the planner confirmed dropping unsaved changes for.
    Confirmed(Box<Command>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Sales,
    Items,
}

pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const SAVE_AS: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
pub const UPDATE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub const CLOSE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::W);
pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);

/// Shortcuts, longest modifier set first (Ctrl+Shift+S before Ctrl+S).
const SHORTCUTS: [(KeyboardShortcut, fn() -> Command); 7] = [
    (SAVE_AS, || Command::SaveAs),
    (NEW, || Command::NewConnection),
    (OPEN, || Command::Open),
    (SAVE, || Command::Save),
    (UPDATE, || Command::UpdateData),
    (CLOSE, || Command::Close),
    (QUIT, || Command::Quit),
];

impl Command {
    /// What it does, for the log.
    fn describe(&self) -> &'static str {
        match self {
            Command::Quit => "quitting",
            Command::Close => "closing the project",
            Command::Open | Command::OpenPath(_) => "opening another project",
            Command::NewConnection => "a new import",
            Command::ContinueRun(_) => "continuing a stopped run",
            _ => "going on",
        }
    }

    /// Whether it must wait while a run reads Cin7: it would start another run, or replace
    /// the project the run is of. Saving, exporting, quitting (which asks) and the rest go on.
    fn waits_for_run(&self) -> bool {
        matches!(
            self,
            Command::NewConnection
                | Command::Open
                | Command::OpenPath(_)
                | Command::UpdateData
                | Command::AskReimport
                | Command::Reimport
                | Command::Close
                | Command::ContinueRun(_)
                | Command::DiscardRun(_)
                | Command::Regroup(_)
        )
    }

    /// Whether it would drop the open project's unsaved changes.
    fn drops_project(&self) -> bool {
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

impl PlannerApp {
    /// Turns shortcuts into commands, unless a modal is open.
    pub(super) fn keyboard(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some() || self.prompt.is_some() {
            return;
        }
        for (shortcut, command) in SHORTCUTS {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.commands.push(command());
            }
        }
    }

    /// Applies one command.
    pub(super) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let inner = match &command {
            Command::Confirmed(inner) => inner.as_ref(),
            command => command,
        };
        if self.run.is_some() && inner.waits_for_run() {
            self.info("Cin7 is being read: wait for the run to end, or Cancel it first.");
            return;
        }
        let command = match command {
            Command::Confirmed(command) => *command,
            command if command.drops_project() && self.needs_asking(&command) => {
                let why = if self.is_dirty() {
                    "unsaved changes"
                } else {
                    "a run under way"
                };
                tracing::info!("asking before {}: {why}", command.describe());
                self.prompt = Some(Prompt::unsaved(command, self.is_dirty()));
                return;
            }
            command => command,
        };
        match command {
            Command::NewConnection => self.open_dialog(ctx),
            Command::Open => self.choose_and_open(ctx),
            Command::OpenPath(path) => self.open_path(ctx, path),
            Command::Save => self.save(ctx, false),
            Command::SaveAs => self.save(ctx, true),
            Command::SaveTo(path) => self.save_to(ctx, path),
            Command::SaveChecked(path) => self.write_project(ctx, path),
            Command::UpdateData => self.update_data(ctx, false),
            Command::AskReimport => self.prompt = Some(Prompt::Reimport),
            Command::Reimport => self.update_data(ctx, true),
            Command::Export(what) => self.export(ctx, what),
            Command::ExportTo(what, path) => self.export_to(ctx, what, path),
            Command::ExportChecked(what, path) => self.write_export(ctx, what, path),
            Command::Close => self.close_project(),
            Command::Quit => self.quit(ctx),
            Command::ForgetKey => self.forget_key(ctx),
            Command::ContinueRun(i) => self.continue_run(ctx, i),
            Command::DiscardRun(i) => self.discard_run(i),
            Command::CancelRun => self.cancel_run(),
            Command::Help => self.prompt = Some(Prompt::Help),
            Command::About => self.prompt = Some(Prompt::About),
            Command::Regroup(settings) => self.regroup(ctx, *settings),
            Command::Theme(theme) => {
                self.state.theme = theme;
                ctx.set_theme(theme.preference());
            }
            Command::Confirmed(_) => {}
        }
    }

    /// Whether `command` needs the planner's word first: the project has unsaved changes, or a
    /// run is under way (quitting or starting another stops it).
    fn needs_asking(&self, command: &Command) -> bool {
        self.is_dirty() || (self.run.is_some() && matches!(command, Command::Quit))
    }

    /// Rebuilds the open project's series under `settings`, in the background.
    fn regroup(&mut self, ctx: &egui::Context, settings: crate::project::ImportSettings) {
        let Some(open) = &self.project else { return };
        let (from, id) = (std::sync::Arc::clone(&open.project), open.id);
        self.in_background(ctx, For::Project(id), move || {
            match from.regrouped(settings) {
                Ok(to) => super::background::Outcome::Regrouped(Box::new(to)),
                Err(e) => super::background::Outcome::Failed(e.to_string()),
            }
        });
    }

    /// Closes the project on screen. Closed without saving, the run that made it is kept, to be
    /// continued.
    pub(super) fn close_project(&mut self) {
        for store in self
            .project
            .take()
            .map(|open| open.checkpoints)
            .unwrap_or_default()
        {
            self.keep_stopped(&store);
        }
    }

    /// Quits: the run stops, and the window closes once the tasks under way are done.
    fn quit(&mut self, ctx: &egui::Context) {
        if let Some(run) = self.run.take() {
            run.job.cancel();
        }
        if self.busy > 0 {
            self.info("Closing as soon as what is under way is finished.");
        }
        self.quitting = Some(std::time::Instant::now());
        ctx.request_repaint();
    }

    /// Asks for a file; `None` when the planner cancels. Without a chooser on this desktop,
    /// the window asks for the path itself and `then` runs when it is given.
    pub(super) fn choose(
        &mut self,
        purpose: Purpose,
        suggested: &str,
        then: impl Fn(PathBuf) -> Command + 'static,
    ) -> Option<PathBuf> {
        use super::file_dialogs::Choice;
        match self.services.dialogs.choose(purpose, suggested) {
            Choice::Picked(path) => Some(path),
            Choice::Cancelled => None,
            Choice::Unavailable => {
                // A whole path, in the folder a chooser would start in.
                let folder = dirs::document_dir()
                    .or_else(dirs::home_dir)
                    .unwrap_or_default();
                let example = folder.join(suggested).display().to_string();
                self.prompt = Some(Prompt::path(purpose, &example, then));
                None
            }
        }
    }
}
