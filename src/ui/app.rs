//! The application window: menus, the connection dialog, the running import, the project.

use super::connection_dialog::{ConnectionDialog, DialogInput, DialogOutcome, to_jiff};
use super::file_dialogs::FileDialogs;
use super::options::GroupingChoices;
use super::project_view::ProjectView;
use crate::cin7::{ApiKey, PRODUCTION_BASE_URL, RetryPolicy};
use crate::import::{ImportEvent, ImportJob, ImportRequest, Progress, RunStore};
use crate::project::{ConnectionInfo, GroupBy, ImportSettings, Project, file};
use crate::rate_limit::RateLimits;
use crate::secrets::SecretStore;
use egui::{Key, KeyboardShortcut, Modifiers, RichText};
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
}

/// What a new connection dialog is pre-filled with.
#[derive(Clone, Debug)]
pub struct DialogDefaults {
    pub base_url: String,
    pub username: String,
    pub key: Option<ApiKey>,
}

impl Default for DialogDefaults {
    fn default() -> Self {
        Self {
            base_url: PRODUCTION_BASE_URL.to_owned(),
            username: String::new(),
            key: None,
        }
    }
}

struct RunningImport {
    job: ImportJob,
    progress: Option<Progress>,
    connection: ConnectionInfo,
    key: ApiKey,
    remember_key: bool,
    run_store: Option<RunStore>,
}

struct OpenProject {
    project: Arc<Project>,
    path: Option<PathBuf>,
    /// The checkpoint of the run that made the project, deleted once the project is saved.
    checkpoint: Option<RunStore>,
}

/// Results of work done on background threads (file and keychain access).
enum Outcome {
    Saved(PathBuf),
    Opened(PathBuf, Box<Project>),
    /// `from`, regrouped.
    Regrouped {
        from: Arc<Project>,
        to: Box<Project>,
    },
    KeyStored,
    Failed(String),
}

struct Notice {
    text: String,
    error: bool,
}

pub struct PlannerApp {
    services: Services,
    defaults: DialogDefaults,
    dialog: Option<ConnectionDialog>,
    import: Option<RunningImport>,
    project: Option<OpenProject>,
    view: ProjectView,
    notice: Option<Notice>,
    outcomes: (Sender<Outcome>, Receiver<Outcome>),
    busy: usize,
}

const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);

impl PlannerApp {
    pub fn new(services: Services, defaults: DialogDefaults) -> Self {
        Self {
            services,
            defaults,
            dialog: None,
            import: None,
            project: None,
            view: ProjectView::default(),
            notice: None,
            outcomes: mpsc::channel(),
            busy: 0,
        }
    }

    /// The project on screen, if any.
    pub fn project(&self) -> Option<&Project> {
        self.project.as_ref().map(|p| p.project.as_ref())
    }

    pub fn project_path(&self) -> Option<&std::path::Path> {
        self.project.as_ref().and_then(|p| p.path.as_deref())
    }

    /// Whether file or keychain work is still running in the background.
    pub fn is_busy(&self) -> bool {
        self.busy > 0 || self.import.is_some()
    }

    /// Shows a line in the status bar.
    pub fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// Runs `work` on a thread and delivers its outcome to the next frames.
    fn in_background(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce() -> Outcome + Send + 'static,
    ) {
        let sender = self.outcomes.0.clone();
        let ctx = ctx.clone();
        self.busy += 1;
        let deliver = move |outcome: Result<Outcome, crate::panics::Panicked>| {
            let outcome = outcome.unwrap_or_else(|p| {
                Outcome::Failed(format!(
                    "An internal error stopped this, at {}; nothing was changed.",
                    p.place
                ))
            });
            sender.send(outcome).ok();
            ctx.request_repaint();
        };
        if let Err(e) = crate::panics::spawn("cin7-background", work, deliver) {
            self.busy -= 1;
            self.error(format!("The app could not start a background task: {e}."));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll(&ctx);
        if ctx.input_mut(|i| i.consume_shortcut(&OPEN)) {
            self.open(&ctx);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&SAVE)) {
            self.save(&ctx, false);
        }
        egui::Panel::top("menu").show(ui, |ui| self.menu(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status(ui));
        let mut regroup = None;
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(running) = &self.import {
                progress_view(ui, running.progress.as_ref(), &mut || running.job.cancel());
            } else if let Some(open) = &self.project {
                regroup = self
                    .view
                    .show(ui, &open.project, open.path.as_deref(), self.busy > 0);
            } else {
                ui.add_space(40.0);
                ui.vertical_centered(|ui| {
                    ui.heading("No project open");
                    ui.label("Choose File > New > Cin7 connection to import a Cin7 Omni account, or File > Open… to reopen a project.");
                });
            }
        });
        if let Some(settings) = regroup {
            self.regroup(&ctx, settings);
        }
        self.dialog_ui(&ctx);
    }

    /// Rebuilds the open project's series under `settings` from its ledger, in the background.
    fn regroup(&mut self, ctx: &egui::Context, settings: ImportSettings) {
        let Some(open) = &self.project else { return };
        let from = Arc::clone(&open.project);
        self.in_background(ctx, move || match from.regrouped(settings) {
            Ok(to) => Outcome::Regrouped {
                from,
                to: Box::new(to),
            },
            Err(e) => Outcome::Failed(e.to_string()),
        });
    }

    fn menu(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let idle = self.import.is_none();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                ui.add_enabled_ui(idle, |ui| {
                    ui.menu_button("New", |ui| {
                        if ui.button("Cin7 connection…").clicked() {
                            self.open_dialog();
                        }
                    });
                    if ui
                        .add(egui::Button::new("Open…").shortcut_text(ctx.format_shortcut(&OPEN)))
                        .clicked()
                    {
                        self.open(&ctx);
                    }
                });
                let has_project = self.project.is_some() && idle;
                if ui
                    .add_enabled(
                        has_project,
                        egui::Button::new("Save").shortcut_text(ctx.format_shortcut(&SAVE)),
                    )
                    .clicked()
                {
                    self.save(&ctx, false);
                }
                if ui
                    .add_enabled(has_project, egui::Button::new("Save As…"))
                    .clicked()
                {
                    self.save(&ctx, true);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
        });
    }

    fn status(&self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if self.busy > 0 {
                ui.spinner();
            }
            if let Some(notice) = &self.notice {
                let text = RichText::new(&notice.text);
                ui.label(if notice.error {
                    text.color(ui.visuals().error_fg_color)
                } else {
                    text
                });
            }
        });
    }

    /// Opens File > New > Cin7 connection, pre-filled from the defaults.
    pub fn open_dialog(&mut self) {
        let today = chrono::Local::now().date_naive();
        let start = today - chrono::Months::new(12);
        self.dialog = Some(ConnectionDialog {
            username: self.defaults.username.clone(),
            key: self
                .defaults
                .key
                .as_ref()
                .map(|k| k.expose().to_owned())
                .unwrap_or_default()
                .into(),
            starting_date: to_jiff(start),
            options: GroupingChoices::of(&ImportSettings::new(
                start,
                GroupBy::Week,
                crate::project::calendar::system_time_zone(),
            )),
            base_url: self.defaults.base_url.clone(),
            remember_key: false,
            branches: String::new(),
        });
    }

    fn dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let outcome = dialog.show(ctx, chrono::Local::now().date_naive());
        if !matches!(outcome, DialogOutcome::Open) {
            self.dialog = None;
            ConnectionDialog::forget_key_field(ctx);
        }
        if let DialogOutcome::Ok(input) = outcome {
            self.start_import(ctx, input);
        }
    }

    fn start_import(&mut self, ctx: &egui::Context, input: DialogInput) {
        let run_store = self
            .services
            .state_dir
            .as_ref()
            .map(|dir| RunStore::for_import(dir, &input.connection, &input.settings));
        // A new import from the dialog starts afresh.
        if let Some(store) = &run_store {
            store.remove().ok();
        }
        let request = ImportRequest {
            connection: input.connection.clone(),
            key: input.key.clone(),
            settings: input.settings,
            rate_limits: self.services.rate_limits.clone(),
            retry: self.services.retry.clone(),
            call_log: self.services.call_log.clone(),
            run_store: run_store.clone(),
        };
        let waker = ctx.clone();
        let job = ImportJob::spawn(request, move || waker.request_repaint());
        self.notice = None;
        self.import = Some(RunningImport {
            job,
            progress: None,
            connection: input.connection,
            key: input.key,
            remember_key: input.remember_key,
            run_store,
        });
    }

    fn poll(&mut self, ctx: &egui::Context) {
        while let Some(event) = self.import.as_ref().and_then(|r| r.job.try_next()) {
            match event {
                ImportEvent::Progress(p) => {
                    if let Some(running) = &mut self.import {
                        running.progress = Some(p);
                    }
                }
                ImportEvent::Finished(result) => {
                    let Some(running) = self.import.take() else {
                        break;
                    };
                    self.finish_import(ctx, running, *result);
                }
            }
        }
        while let Ok(outcome) = self.outcomes.1.try_recv() {
            self.busy = self.busy.saturating_sub(1);
            match outcome {
                Outcome::Saved(path) => {
                    self.info(format!("Saved {}.", path.display()));
                    if let Some(open) = &mut self.project {
                        open.path = Some(path);
                        // The project is safe on disk: the run's checkpoint has done its job.
                        if let Some(store) = open.checkpoint.take() {
                            store.remove().ok();
                        }
                    }
                }
                Outcome::Opened(path, project) => {
                    self.info(format!("Opened {}.", path.display()));
                    self.project = Some(OpenProject {
                        project: Arc::new(*project),
                        path: Some(path),
                        checkpoint: None,
                    });
                }
                Outcome::Regrouped { from, to } => {
                    // Only onto the project it was made from: another may have been opened since.
                    if let Some(open) = self
                        .project
                        .as_mut()
                        .filter(|open| Arc::ptr_eq(&open.project, &from))
                    {
                        let text = format!(
                            "Regrouped into {} {} from the project's ledger, without calling Cin7. File > Save keeps the change.",
                            to.periods.len(),
                            to.settings.group_by.label().to_lowercase()
                        );
                        open.project = Arc::new(*to);
                        self.info(text);
                    }
                }
                Outcome::KeyStored => {}
                Outcome::Failed(message) => self.error(message),
            }
        }
    }

    fn finish_import(
        &mut self,
        ctx: &egui::Context,
        running: RunningImport,
        result: Result<Project, crate::import::ImportError>,
    ) {
        match result {
            Ok(project) => {
                self.info(format!(
                    "Imported {} items at {} locations with {} calls. Save the project with File > Save.",
                    project.items.len(),
                    project.locations.len(),
                    project.report.calls
                ));
                self.project = Some(OpenProject {
                    project: Arc::new(project),
                    path: None,
                    checkpoint: running.run_store.clone(),
                });
                self.defaults.username = running.connection.username.clone();
                self.defaults.base_url = running.connection.base_url.clone();
                if running.remember_key {
                    let secrets = Arc::clone(&self.services.secrets);
                    self.in_background(ctx, move || {
                        match secrets.set(&running.connection, &running.key) {
                            Ok(()) => Outcome::KeyStored,
                            Err(e) => Outcome::Failed(e.to_string()),
                        }
                    });
                }
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    fn open(&mut self, ctx: &egui::Context) {
        if self.import.is_some() {
            return;
        }
        let Some(path) = self.services.dialogs.open_project() else {
            return;
        };
        self.in_background(ctx, move || match file::open(&path) {
            Ok(project) => Outcome::Opened(path, Box::new(project)),
            Err(e) => Outcome::Failed(e.to_string()),
        });
    }

    fn save(&mut self, ctx: &egui::Context, ask: bool) {
        let Some(open) = &self.project else { return };
        if self.import.is_some() {
            return;
        }
        let path = match (&open.path, ask) {
            (Some(path), false) => Some(path.clone()),
            _ => {
                let name = format!(
                    "{}-{}.json",
                    open.project.connection.username,
                    open.project.report.finished_at.format("%Y-%m-%d")
                );
                self.services.dialogs.save_project(&name)
            }
        };
        let Some(path) = path else { return };
        let project = Arc::clone(&open.project);
        self.in_background(ctx, move || match file::save(&project, &path) {
            Ok(()) => Outcome::Saved(path),
            Err(e) => Outcome::Failed(e.to_string()),
        });
    }
}

fn progress_view(ui: &mut egui::Ui, progress: Option<&Progress>, cancel: &mut dyn FnMut()) {
    ui.add_space(30.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(520.0);
        ui.heading("Importing from Cin7");
        let phase = progress.map(|p| p.phase.describe()).unwrap_or("Connecting");
        ui.label(format!("{phase}…"));
        let fraction = progress.and_then(|p| p.fraction).map(|f| 0.05 + 0.9 * f as f32);
        ui.add(egui::ProgressBar::new(fraction.unwrap_or_else(|| phase_fraction(progress))).animate(true));
        if let Some(eta) = progress.and_then(|p| p.eta).filter(|eta| !eta.is_zero()) {
            ui.label(format!("About {} left at Cin7's rate limit", crate::duration::text(eta)));
        }
        if let Some(p) = progress {
            let records: Vec<String> = p.records.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            ui.label(if records.is_empty() { "No records yet".to_owned() } else { records.join(" · ") });
            ui.label(
                RichText::new(format!(
                    "{} calls · {} retries · {:.1} s waiting on Cin7's rate limit · {:.0} s elapsed",
                    p.calls,
                    p.retries,
                    p.rate_limit_wait.as_secs_f64(),
                    p.elapsed.as_secs_f64()
                ))
                .weak(),
            );
        }
        ui.add_space(8.0);
        if ui.button("Cancel").clicked() {
            cancel();
        }
    });
}

/// Cin7 gives no totals, so the bar shows how far through the phases the import is.
fn phase_fraction(progress: Option<&Progress>) -> f32 {
    use crate::import::Phase;
    match progress.map(|p| p.phase) {
        None => 0.0,
        Some(Phase::Reading) => 0.1,
        Some(Phase::Building) => 0.95,
    }
}
