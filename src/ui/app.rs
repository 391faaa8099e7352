//! The application window: its state, and one frame of it. Widgets never change the app
//! directly: they queue [`Command`]s, applied once per frame (`commands.rs`); background work
//! (files, the keychain, runs) reports back tagged with the project it was started for
//! (`background.rs`, `runs.rs`), so that an outcome never lands on another project.

use super::background::Outcome;
use super::commands::Command;
use super::connection_dialog::ConnectionDialog;
use super::file_dialogs::FileDialogs;
use super::project_view::ProjectView;
use super::prompts::Prompt;
use super::runs::Run;
use super::state::PersistedState;
use crate::cin7::{ApiKey, PRODUCTION_BASE_URL, RetryPolicy};
use crate::import::{Checkpoint, RunStore};
use crate::project::{ConnectionInfo, Project};
use crate::rate_limit::RateLimits;
use crate::secrets::SecretStore;
use egui::RichText;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

/// What the app talks to outside itself; tests pass scripted dialogs and an in-memory store.
pub struct Services {
    pub dialogs: Box<dyn FileDialogs>,
    pub secrets: Arc<dyn SecretStore>,
    pub rate_limits: RateLimits,
    pub retry: RetryPolicy,
    /// Where each connection's daily call count is kept (`None`: not kept).
    pub call_log: Option<crate::cin7::CallLog>,
    /// Where runs keep their checkpoints (`None`: not kept, nothing to resume).
    pub state_dir: Option<PathBuf>,
    /// Today's date where the window counts from it (the dialog's default starting date and
    /// its check that a start is not in the future); tests fix it.
    pub today: fn() -> chrono::NaiveDate,
}

/// Today in the computer's time zone.
pub fn local_today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

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

/// The project on screen.
pub(super) struct OpenProject {
    /// Tells this project apart from any opened before or after it.
    pub id: u64,
    pub project: Arc<Project>,
    pub path: Option<PathBuf>,
    /// Changed since it was opened or saved.
    pub dirty: bool,
    /// The checkpoints of the runs that made it since it was last saved (an import, then
    /// updates), deleted once it is saved.
    pub checkpoints: Vec<RunStore>,
}

impl OpenProject {
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Untitled".to_owned())
    }
}

/// How long Quit waits for the background tasks under way before closing all the same.
const QUIT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// An outcome with whom it is for.
pub(super) type Tagged = (super::background::For, Outcome);

pub(super) struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct PlannerApp {
    pub(super) services: Services,
    pub(super) defaults: DialogDefaults,
    pub(super) state: PersistedState,
    pub(super) dialog: Option<ConnectionDialog>,
    pub(super) run: Option<Run>,
    pub(super) project: Option<OpenProject>,
    pub(super) view: ProjectView,
    pub(super) notice: Option<Notice>,
    pub(super) outcomes: (Sender<Tagged>, Receiver<Tagged>),
    /// Background tasks under way.
    pub(super) busy: usize,
    pub(super) prompt: Option<Prompt>,
    /// What to do once the save under way of the project by this id has succeeded (the
    /// planner chose Save first).
    pub(super) after_save: Option<(u64, Command)>,
    pub(super) commands: Vec<Command>,
    /// Runs that stopped before their project was saved, which can be continued.
    pub(super) stopped: Vec<(RunStore, Checkpoint)>,
    /// Keys the keychain refused, kept for this session only.
    pub(super) session_keys: HashMap<String, ApiKey>,
    pub(super) next_id: u64,
    /// The planner chose to quit, at this instant: the window closes once the background tasks
    /// under way (a save, an export, the keychain) are done, and the next close request goes
    /// through.
    pub(super) quitting: Option<std::time::Instant>,
    title: String,
}

impl PlannerApp {
    pub fn new(services: Services, defaults: DialogDefaults, state: PersistedState) -> Self {
        let stopped = services
            .state_dir
            .as_deref()
            .map(RunStore::stopped)
            .unwrap_or_default();
        Self {
            services,
            defaults,
            state,
            dialog: None,
            run: None,
            project: None,
            view: ProjectView::default(),
            notice: None,
            outcomes: mpsc::channel(),
            busy: 0,
            prompt: None,
            after_save: None,
            commands: Vec::new(),
            stopped,
            session_keys: HashMap::new(),
            next_id: 1,
            quitting: None,
            title: String::new(),
        }
    }

    /// The project on screen, if any.
    pub fn project(&self) -> Option<&Project> {
        self.project.as_ref().map(|p| p.project.as_ref())
    }

    pub fn project_path(&self) -> Option<&std::path::Path> {
        self.project.as_ref().and_then(|p| p.path.as_deref())
    }

    /// Whether the open project has changes not saved.
    pub fn is_dirty(&self) -> bool {
        self.project.as_ref().is_some_and(|p| p.dirty)
    }

    /// Whether file, keychain or Cin7 work is still running in the background.
    pub fn is_busy(&self) -> bool {
        self.busy > 0 || self.run.is_some()
    }

    /// What the window remembers between runs (saved in the state folder).
    pub fn persisted(&self) -> &PersistedState {
        &self.state
    }

    /// The window's title: `NAME — Cin7 Planner`, with a `*` while there are unsaved changes.
    pub fn title(&self) -> String {
        match &self.project {
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
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// The connection the dialog starts with: the demo's, else the last one used.
    pub(super) fn last_connection(&self) -> ConnectionInfo {
        ConnectionInfo {
            base_url: self
                .defaults
                .base_url
                .clone()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| {
                    Some(self.state.last_base_url.clone())
                        .filter(|u| !u.is_empty())
                        .unwrap_or_else(|| PRODUCTION_BASE_URL.to_owned())
                }),
            username: self
                .defaults
                .username
                .clone()
                .unwrap_or_else(|| self.state.last_username.clone()),
        }
    }

    /// Queues a command, applied at the start of the next frame.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// One frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll(&ctx);
        self.keyboard(&ctx);
        self.dropped_files(&ctx);
        self.close_request(&ctx);
        self.close_when_done(&ctx);
        egui::Panel::top("menu").show(ui, |ui| self.menu(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status(ui));
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.dialog_ui(&ctx);
        self.prompt_ui(&ctx);
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(&ctx, command);
        }
        self.update_title(&ctx);
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        if let Some(run) = &self.run {
            if super::progress_view::show(ui, run.label(), run.progress.as_ref()) {
                self.commands.push(Command::CancelRun);
            }
        } else if let Some(open) = &self.project {
            let busy = self.busy > 0;
            let commands = self.view.show(ui, open, busy);
            self.commands.extend(commands);
        } else {
            self.empty(ui);
        }
    }

    /// No project: what to do, and any stopped run to continue.
    fn empty(&mut self, ui: &mut egui::Ui) {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.heading("No project open");
            ui.label("Choose File > New > Cin7 connection to import a Cin7 Omni account, or File > Open… to reopen a project.");
            ui.add_space(16.0);
            for (i, (_, checkpoint)) in self.stopped.iter().enumerate() {
                ui.label(super::runs::stopped_text(checkpoint));
                ui.horizontal(|ui| {
                    if ui.button("Continue import").clicked() {
                        self.commands.push(Command::ContinueRun(i));
                    }
                    if ui.button("Discard").clicked() {
                        self.commands.push(Command::DiscardRun(i));
                    }
                });
                ui.add_space(8.0);
            }
        });
    }

    fn status(&self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if self.busy > 0 {
                ui.spinner();
            }
            if let Some(notice) = &self.notice {
                let text = RichText::new(&notice.text);
                let text = if notice.error {
                    text.color(ui.visuals().error_fg_color)
                } else {
                    text
                };
                // A long sentence wraps rather than running off the window.
                ui.add(egui::Label::new(text).wrap());
            }
        });
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Dropping a project file on the window opens it; not over a dialog or a question, which
    /// it would replace.
    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect()
        });
        let Some(path) = dropped.into_iter().next() else {
            return;
        };
        if self.dialog.is_some() || self.prompt.is_some() {
            self.info("Finish with the open dialog first, then drop the file again.");
        } else {
            self.commands.push(Command::OpenPath(path));
        }
    }

    /// The window's close button asks first when there are unsaved changes, and waits for
    /// the background tasks under way, as Quit does.
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
        if self.busy == 0 || since.elapsed() >= QUIT_WAIT {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}
