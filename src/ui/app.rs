//! The application window: who owns which state, and one frame. Each part of the state has
//! one owner that keeps its own rules: [`Document`] (the project on screen and what follows
//! its save), [`Runs`] (one run at a time, a key lookup counting as one), [`Modals`] (one
//! question at a time, never replaced), [`Tasks`] (background work and whom its outcome is
//! for), [`StatusLine`]. Views, the dialog and the prompts draw and return [`Command`]s; the
//! frame applies them once, after drawing (`command_handling`, the only other module that
//! implements the app, with its `run_flow` and `files`).

use super::commands::{Command, SHORTCUTS};
use super::document::{Document, OpenProject, Screen};
use super::menu::{self, MenuState};
use super::modals::Modals;
use super::progress_view::{self, Layout};
use super::project_view::ProjectView;
use super::prompts::AboutPlaces;
use super::runs::Runs;
use super::services::Services;
use super::start_page::{Shown, StartPage};
use super::state::PersistedState;
use super::status::StatusLine;
use super::tasks::Tasks;
use crate::cin7::{ApiKey, PRODUCTION_BASE_URL};
use crate::project::ConnectionInfo;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a new connection dialog is pre-filled with, beyond the remembered state (the demo's
/// sandbox and its key).
#[derive(Clone, Debug, Default)]
pub struct DialogDefaults {
    pub base_url: Option<String>,
    pub username: Option<String>,
    pub key: Option<ApiKey>,
}

impl DialogDefaults {
    /// Whether these are the demo's: only the demo fills in a key.
    pub fn is_demo(&self) -> bool {
        self.key.is_some()
    }
}

/// How long Quit waits for the background tasks under way before closing all the same.
const QUIT_WAIT: Duration = Duration::from_secs(10);

pub struct PlannerApp {
    pub(super) services: Services,
    pub(super) defaults: DialogDefaults,
    pub(super) state: PersistedState,
    pub(super) document: Document,
    pub(super) runs: Runs,
    pub(super) modals: Modals,
    pub(super) tasks: Tasks,
    pub(super) status: StatusLine,
    pub(super) view: ProjectView,
    /// The view of the project an import has so far: its own sort, filter and selection,
    /// apart from the project's still open, which it becomes the view of if the import ends.
    pub(super) growing: ProjectView,
    pub(super) about: AboutPlaces,
    start: StartPage,
    commands: Vec<Command>,
    /// Ids for dialogs and Test connections, so that their outcomes find them.
    next_id: u64,
    /// The planner chose to quit, at this instant: the window closes once the background tasks
    /// under way (a save, an export, the keychain) are done.
    pub(super) quitting: Option<Instant>,
    title: String,
}

impl PlannerApp {
    /// The window's state; with "reopen the last project" on (and not the demo), the last
    /// project is opened at once.
    pub fn new(services: Services, defaults: DialogDefaults, state: PersistedState) -> Self {
        let runs = Runs::new(services.state_dir.as_deref());
        let about = AboutPlaces {
            settings: services
                .state_dir
                .as_ref()
                .map(|d| d.join(super::state::FILE)),
            state: services.state_dir.clone(),
            log: services
                .state_dir
                .as_ref()
                .map(|d| d.join(crate::log_file::NAME)),
        };
        let mut app = Self {
            services,
            defaults,
            state,
            document: Document::default(),
            runs,
            modals: Modals::default(),
            tasks: Tasks::default(),
            status: StatusLine::default(),
            view: ProjectView::default(),
            growing: ProjectView::default(),
            about,
            start: StartPage::default(),
            commands: Vec::new(),
            next_id: 0,
            quitting: None,
            title: String::new(),
        };
        if let Some(last) = app.state.recent.first().cloned()
            && app.state.reopen_last
            && !app.defaults.is_demo()
        {
            app.send(Command::OpenPath(last));
        }
        app
    }

    /// The project on screen, if any.
    pub fn project(&self) -> Option<&crate::project::Project> {
        self.document.project().map(AsRef::as_ref)
    }

    pub fn project_path(&self) -> Option<&std::path::Path> {
        self.document.path()
    }

    /// Whether the open project has changes not saved.
    pub fn is_dirty(&self) -> bool {
        self.document.is_dirty()
    }

    /// Whether file, keychain or Cin7 work is still under way.
    pub fn is_busy(&self) -> bool {
        self.tasks.under_way() > 0 || self.runs.busy().is_some()
    }

    /// What the window remembers between runs (saved in the state folder).
    pub fn persisted(&self) -> &PersistedState {
        &self.state
    }

    /// The window's title: `NAME — Cin7 Planner`, with a `*` while there are unsaved changes.
    pub fn title(&self) -> String {
        match self.document.open() {
            Some(open) => format!(
                "{}{} — Cin7 Planner",
                if open.dirty { "*" } else { "" },
                open.name()
            ),
            None => "Cin7 Planner".to_owned(),
        }
    }

    /// Shows a line in the status bar.
    pub fn info(&mut self, text: impl Into<String>) {
        self.status.info(text);
    }

    /// What the status line says, and in which tone.
    pub fn status_line(&self) -> Option<&super::status::Notice> {
        self.status.notice()
    }

    /// Queues a command, applied at the end of the next frame.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Opens `path` first, in place of the last project the window would have reopened: a
    /// project the desktop's "Open with" (or the command line) names.
    pub fn open_first(&mut self, path: PathBuf) {
        // A relative path is kept whole ("../shop.cin7plan" resolved): the recent list must
        // find it from any folder.
        let path = std::fs::canonicalize(&path)
            .or_else(|_| std::path::absolute(&path))
            .unwrap_or(path);
        self.commands
            .retain(|command| !matches!(command, Command::OpenPath(_)));
        self.send(Command::OpenPath(path));
    }

    pub(super) fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The connection the dialog starts with: the demo's, else the last one used.
    pub(super) fn last_connection(&self) -> ConnectionInfo {
        let remembered = Some(self.state.last_base_url.clone()).filter(|u| !u.is_empty());
        ConnectionInfo {
            base_url: self
                .defaults
                .base_url
                .clone()
                .filter(|u| !u.is_empty())
                .or(remembered)
                .unwrap_or_else(|| PRODUCTION_BASE_URL.to_owned()),
            username: self
                .defaults
                .username
                .clone()
                .unwrap_or_else(|| self.state.last_username.clone()),
        }
    }

    /// One frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll(&ctx);
        self.shortcuts(&ctx);
        self.dropped_files(&ctx);
        self.close_request(&ctx);
        self.close_when_done(&ctx);
        let menu = self.menu_state();
        let chosen = egui::Panel::top("menu")
            .show(ui, |ui| menu::show(ui, &menu))
            .inner;
        self.commands.extend(chosen);
        let waiting = self.runs.waiting().map(super::runs::KeyWait::describe);
        let working = self.tasks.under_way() > 0;
        let status = egui::Panel::bottom("status")
            .show(ui, |ui| self.status.show(ui, waiting.as_deref(), working))
            .inner;
        self.commands.extend(status);
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        let today = self.services.today();
        let name = self.document.name();
        let answered = self.modals.show(&ctx, today, &name);
        self.commands.extend(answered);
        for command in std::mem::take(&mut self.commands) {
            self.apply(&ctx, command);
        }
        self.update_title(&ctx);
        // Ctrl+Plus and Ctrl+Minus are egui's own: the zoom is kept for the next start.
        self.state.zoom = ctx.zoom_factor();
        if self.runs.run().is_some() {
            // The time spent moves on even while Cin7 is slow to answer.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn menu_state(&self) -> MenuState<'_> {
        let idle = self.runs.busy().is_none();
        MenuState {
            idle,
            has_project: self.document.open().is_some(),
            loading: self.runs.loading().is_some(),
            has_ledger: self.project().is_some_and(|p| p.ledger.is_some()),
            recent: &self.state.recent,
            stopped: self.runs.stopped(),
            theme: self.state.theme,
        }
    }

    /// An import fills the window with its progress, and once it is exact for some recent
    /// periods, shows the project so far under it; a project shows with an update's progress
    /// above it; with neither, the start page.
    fn central(&mut self, ui: &mut egui::Ui) {
        let run = self.runs.run();
        let updating = run.filter(|r| r.base.is_some() && self.document.open().is_some());
        let importing = run.filter(|_| updating.is_none());
        if let Some(run) = importing {
            let (label, elapsed) = (run.label(), run.started.elapsed());
            let Some(partial) = &run.partial else {
                if progress_view::show(ui, label, run.progress.as_ref(), elapsed, Layout::Full) {
                    self.commands.push(Command::CancelRun);
                }
                return;
            };
            let open = OpenProject::loading(Arc::clone(&partial.project));
            let shown = super::project_view::Shown {
                screen: Screen::of_partial(run.partials_shown),
                updating: Some((label, run.progress.as_ref(), elapsed)),
                busy: true,
                keys: !self.modals.is_open(),
                loading: Some(partial),
            };
            let commands = self.growing.show(ui, &open, &shown);
            self.commands.extend(commands);
        } else if let Some(open) = self.document.open() {
            let shown = super::project_view::Shown {
                screen: self.document.screen(),
                updating: updating.map(|r| (r.label(), r.progress.as_ref(), r.started.elapsed())),
                busy: self.runs.busy().is_some() || self.tasks.under_way() > 0,
                keys: !self.modals.is_open(),
                loading: None,
            };
            let commands = self.view.show(ui, open, &shown);
            self.commands.extend(commands);
        } else {
            let shown = Shown {
                recent: &self.state.recent,
                reopen_last: self.state.reopen_last,
                stopped: self.runs.stopped(),
            };
            let commands = self.start.show(ui, &shown);
            self.commands.extend(commands);
        }
    }

    /// Turns shortcuts into commands, unless a dialog or a question is open.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.modals.is_open() {
            return;
        }
        for shortcut in &SHORTCUTS {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut.keys)) {
                self.commands.push((shortcut.command)());
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Dropping a project file on the window opens it; not over a dialog or a question.
    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Option<PathBuf> =
            ctx.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_owned()));
        let Some(path) = dropped else { return };
        if self.modals.is_open() {
            self.status
                .info("Finish with the open dialog first, then drop the file again.");
        } else {
            self.commands.push(Command::OpenPath(path));
        }
    }

    /// The window's close button asks first when there are unsaved changes or a run, and
    /// waits for the background tasks under way, as Quit does.
    fn close_request(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.quitting.is_some() {
            return;
        }
        if self.is_busy() || self.is_dirty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.commands.push(Command::Quit);
        }
    }

    /// Once quitting, closes the window when no background task is left; one that hangs (a
    /// keychain waiting for its password) is not waited for past [`QUIT_WAIT`].
    fn close_when_done(&mut self, ctx: &egui::Context) {
        let Some(since) = self.quitting else { return };
        if self.tasks.under_way() == 0 || since.elapsed() >= QUIT_WAIT {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }
}
