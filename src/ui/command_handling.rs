//! What the window does: each command, applied once per frame after drawing; each background
//! outcome, applied while whom it is for is still on screen; each run's end. The rules of who
//! may do what live with the state's owners (`Runs`, `Modals`, `Document`); this file only
//! joins them.

use super::app::PlannerApp;
use super::commands::{Command, KeyGiven, RunPurpose, Zoom};
use super::connection_dialog::{ConnectionDialog, DialogInput, Fault, TestState};
use super::document::OpenProject;
use super::file_browser::FileBrowser;
use super::file_dialogs::{Choice, Export, Purpose};
use super::prompts::{KeyPrompt, Prompt};
use super::runs::{KeySource, Run, RunBase, RunStart};
use super::tasks::{Outcome, Recipient};
use crate::cin7::{ApiKey, Cin7Error};
use crate::import::{ImportError, RunStore};
use crate::project::{ConnectionInfo, GroupBy, ImportSettings, Project, RunKind, file};
use crate::secrets::SecretError;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl PlannerApp {
    /// Applies one command.
    pub(super) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let (confirmed, command) = match command {
            Command::Confirmed(inner) => (true, *inner),
            command => (false, command),
        };
        if let Some(busy) = self.runs.busy().filter(|_| command.waits_for_run()) {
            self.status.info(busy.sentence());
            return;
        }
        if !confirmed && command.drops_project() && self.ask_first(&command) {
            return;
        }
        match command {
            Command::NewConnection => self.open_dialog(ctx),
            Command::DialogOk => self.import_from_dialog(ctx, false),
            Command::DialogOkAnyway => self.import_from_dialog(ctx, true),
            Command::DialogTest => self.test_connection(ctx),
            Command::DialogCancel => self.close_dialog(ctx),
            Command::Open => self.choose(ctx, Purpose::OpenProject, ""),
            Command::OpenPath(path) => self.open_path(ctx, path),
            Command::Save => self.save(ctx, false),
            Command::SaveAs => self.save(ctx, true),
            Command::SaveThen(then) => {
                self.document.after_save(*then);
                self.save(ctx, false);
            }
            Command::SaveAbandoned => self.document.save_abandoned(),
            Command::Export(what) => self.export(ctx, what),
            Command::Chosen(purpose, path) => self.chosen(ctx, purpose, &path, false),
            Command::WriteTo(purpose, path) => self.write_to(ctx, purpose, path),
            Command::Close => self.close_project(),
            Command::Quit => self.quit(ctx),
            Command::UpdateData => self.start_with_key(ctx, RunPurpose::Update),
            Command::AskReimport => self.modals.ask(Prompt::Reimport),
            Command::Reimport => self.start_with_key(ctx, RunPurpose::Reimport),
            Command::ContinueRun(dir) => self.continue_run(ctx, &dir),
            Command::DiscardRun(dir) => self.runs.discard(&dir),
            Command::CancelRun => self.runs.cancel(),
            Command::KeyGiven(given) => self.key_given(ctx, given),
            Command::ForgetKey => self.forget_key(ctx),
            Command::Regroup(settings) => self.regroup(ctx, *settings),
            Command::ShowSeries(series) => self.view.show_series(series),
            Command::Theme(theme) => {
                self.state.theme = theme;
                ctx.set_theme(theme.preference());
            }
            Command::Zoom(zoom) => self.zoom(ctx, zoom),
            Command::ReopenLastProject(on) => self.state.reopen_last = on,
            Command::CredentialsHelp => self.modals.ask(Prompt::CredentialsHelp),
            Command::Shortcuts => self.modals.ask(Prompt::Shortcuts),
            Command::About => self.modals.ask(Prompt::About(self.about.clone())),
            Command::Confirmed(_) => {}
        }
    }

    /// Asks before `command` drops unsaved changes or stops a run; whether it asked.
    fn ask_first(&mut self, command: &Command) -> bool {
        let then = command.clone();
        let running = self.runs.run().map(|r| r.kind);
        let (prompt, why) = if self.document.is_dirty() {
            (Prompt::Unsaved { then, running }, "unsaved changes")
        } else if let (Some(run), Command::Quit) = (self.runs.run(), command) {
            let kind = run.kind;
            (Prompt::StopRun { then, kind }, "a run under way")
        } else {
            return false;
        };
        tracing::info!("asking before {}: {why}", command.describe());
        self.modals.ask(prompt);
        true
    }

    fn zoom(&mut self, ctx: &egui::Context, zoom: Zoom) {
        match zoom {
            Zoom::In => egui::gui_zoom::zoom_in(ctx),
            Zoom::Out => egui::gui_zoom::zoom_out(ctx),
            Zoom::Reset => ctx.set_zoom_factor(1.0),
        }
    }

    /// Quits: the run stops, and the window closes once the tasks under way are done.
    fn quit(&mut self, ctx: &egui::Context) {
        self.runs.abandon();
        if self.tasks.under_way() > 0 {
            self.status
                .info("Closing as soon as what is under way is finished.");
        }
        self.quitting = Some(std::time::Instant::now());
        ctx.request_repaint();
    }

    /// Closes the project on screen; its runs, not saved, are offered to continue.
    fn close_project(&mut self) {
        for store in self.document.close() {
            self.runs.keep_stopped(&store);
        }
        self.view = Default::default();
    }

    /// Runs `work` in the background for `to`; a thread that cannot start is said.
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        to: Recipient,
        work: impl FnOnce() -> Outcome + Send + 'static,
    ) {
        if let Err(sentence) = self.tasks.spawn(ctx, to, work) {
            self.status.error(sentence);
        }
    }

    // The connection dialog.

    /// File > New > Cin7 connection: the last connection and choices, two years back and by
    /// weeks the first time; the key looked up in the keychain.
    fn open_dialog(&mut self, ctx: &egui::Context) {
        let connection = self.last_connection();
        let id = self.fresh_id();
        let choices = &self.state.dialog;
        let today = self.services.today();
        let start = today - chrono::Months::new(choices.months_back.max(1));
        let zone = choices
            .time_zone
            .parse()
            .unwrap_or_else(|_| crate::project::calendar::system_time_zone());
        let branches: Vec<i64> = choices
            .branches
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        let settings = ImportSettings {
            week_start: choices.week_start,
            sale_date: choices.sale_date,
            dispatched_only: choices.dispatched_only,
            returns: choices.returns,
            branches: (!branches.is_empty()).then_some(branches),
            ..ImportSettings::new(start, choices.group_by, zone)
        };
        let remember = choices.remember_key;
        let dialog = Box::new(ConnectionDialog::new(
            id,
            &connection,
            self.defaults.key.as_ref(),
            &settings,
            remember,
        ));
        if !self.modals.open_dialog(dialog) {
            return;
        }
        if !self.defaults.is_demo() && !connection.username.is_empty() {
            let secrets = Arc::clone(&self.services.secrets);
            self.spawn(ctx, Recipient::Dialog(id), move || {
                let found = secrets.get(&connection);
                Outcome::KeyFound(connection, found)
            });
        }
    }

    fn close_dialog(&mut self, ctx: &egui::Context) {
        self.modals.take_dialog();
        ConnectionDialog::forget_key_field(ctx);
    }

    /// OK in the dialog: the import starts, keeping the dialog to come back to if the run reads
    /// nothing. With permissions Test connection found off, the planner is told first.
    fn import_from_dialog(&mut self, ctx: &egui::Context, anyway: bool) {
        let today = self.services.today();
        let Some(dialog) = self.modals.dialog() else {
            return;
        };
        let Some(input) = dialog.input(today) else {
            return;
        };
        let refused = dialog.refused();
        if !refused.is_empty() && !anyway {
            self.modals.ask(Prompt::Refused(refused));
            return;
        }
        self.remember_choices(&input);
        let Some(dialog) = self.modals.take_dialog() else {
            return;
        };
        ConnectionDialog::forget_key_field(ctx);
        let store = self
            .services
            .state_dir
            .as_ref()
            .map(|dir| RunStore::for_import(dir, &input.connection, &input.settings));
        if let Some(store) = &store {
            store.forget();
        }
        let DialogInput {
            connection,
            key,
            settings,
            remember_key,
            key_from_keychain,
        } = input;
        let start = RunStart {
            request: self.services.request(connection, key, settings, store),
            kind: RunKind::Import,
            key_source: if key_from_keychain {
                KeySource::Keychain
            } else {
                KeySource::Typed
            },
            remember_key,
            base: None,
            origin: Some(dialog),
        };
        self.start_run(ctx, start);
    }

    /// The dialog's choices, for the next time it opens (the demo's connection is not kept).
    fn remember_choices(&mut self, input: &DialogInput) {
        if !self.defaults.is_demo() {
            self.state.last_username = input.connection.username.clone();
            self.state.last_base_url = input.connection.base_url.clone();
        }
        let s = &input.settings;
        let months = (self.services.today() - s.starting_date).num_days().max(0) / 30;
        let d = &mut self.state.dialog;
        d.group_by = s.group_by;
        d.months_back = u32::try_from(months).unwrap_or(24).max(1);
        if d.group_by == GroupBy::Day {
            d.months_back = d.months_back.min(36);
        }
        d.week_start = s.week_start;
        d.time_zone = s.time_zone.name().to_owned();
        d.sale_date = s.sale_date;
        d.dispatched_only = s.dispatched_only;
        d.returns = s.returns;
        d.remember_key = input.remember_key;
        d.branches = s.branch_list().unwrap_or_default();
    }

    /// Test connection: the credentials, every permission and the branches, off the window's
    /// thread, each answer shown as it comes.
    fn test_connection(&mut self, ctx: &egui::Context) {
        let today = self.services.today();
        let id = self.fresh_id();
        let Some(dialog) = self.modals.dialog_mut() else {
            return;
        };
        let Some(input) = dialog.input(today) else {
            return;
        };
        dialog.test = TestState::Running {
            id,
            so_far: Vec::new(),
        };
        dialog.fault = None;
        // Paced, retried and counted in the daily budget as a run's calls are.
        let request = self
            .services
            .request(input.connection, input.key, input.settings, None);
        let answer = self.tasks.reporter(ctx, Recipient::Test(id));
        self.spawn(ctx, Recipient::Test(id), move || {
            Outcome::Tested(super::connection_test::run(request, |checked| {
                answer(Outcome::Checked(checked));
            }))
        });
    }

    // Runs.

    /// Starts a run, saying why not when another is under way (a dialog it came from comes
    /// back).
    fn start_run(&mut self, ctx: &egui::Context, start: RunStart) {
        let waker = ctx.clone();
        match self.runs.start(start, move || waker.request_repaint()) {
            Ok(()) => self.status.clear(),
            Err((busy, origin)) => {
                if let Some(dialog) = origin {
                    self.modals.open_dialog(dialog);
                }
                self.status.info(busy.sentence());
            }
        }
    }

    /// The connection a run for `purpose` reads.
    fn connection_for(&self, purpose: &RunPurpose) -> Option<ConnectionInfo> {
        match purpose {
            RunPurpose::Update | RunPurpose::Reimport => Some(self.project()?.connection.clone()),
            RunPurpose::Continue(dir) => {
                Some(self.runs.stopped_in(dir)?.checkpoint.connection.clone())
            }
        }
    }

    /// Goes on with `purpose` once its key is known: from this session, else the keychain
    /// (looked up off the window's thread; the run counts as under way meanwhile).
    fn start_with_key(&mut self, ctx: &egui::Context, purpose: RunPurpose) {
        let Some(connection) = self.connection_for(&purpose) else {
            return;
        };
        if purpose == RunPurpose::Update && self.project().is_some_and(|p| p.ledger.is_none()) {
            self.status.warn(ImportError::NoLedger.to_string());
            return;
        }
        if let Some(key) = self.runs.session_key(&connection) {
            return self.run_with_key(ctx, purpose, key, KeySource::Session);
        }
        match self.runs.wait_for_key(purpose, self.document.screen()) {
            Ok(id) => {
                let secrets = Arc::clone(&self.services.secrets);
                self.spawn(ctx, Recipient::KeyWait(id), move || {
                    let found = secrets.get(&connection);
                    Outcome::KeyFound(connection, found)
                });
            }
            Err(busy) => self.status.info(busy.sentence()),
        }
    }

    /// A stopped run: an import goes on with its key; an update or reimport opens its
    /// project and goes on from there.
    fn continue_run(&mut self, ctx: &egui::Context, dir: &Path) {
        let Some(stopped) = self.runs.stopped_in(dir) else {
            return;
        };
        let checkpoint = stopped.checkpoint.clone();
        match (checkpoint.kind, checkpoint.project) {
            (RunKind::Import, _) | (_, None) => {
                self.start_with_key(ctx, RunPurpose::Continue(dir.to_owned()));
            }
            (kind, Some(path)) => {
                let again = if kind == RunKind::Reimport {
                    Command::Reimport
                } else {
                    Command::UpdateData
                };
                self.document.after_open(path.clone(), again);
                self.open_path(ctx, path);
            }
        }
    }

    /// The key prompt's OK: the key goes to the keychain if asked, and the run starts.
    fn key_given(&mut self, ctx: &egui::Context, given: KeyGiven) {
        if given.remember {
            self.store_key(ctx, given.connection.clone(), given.key.clone());
        }
        self.run_with_key(ctx, given.purpose, given.key, KeySource::Typed);
    }

    /// Starts the update, reimport or continued import `purpose` with `key`.
    fn run_with_key(
        &mut self,
        ctx: &egui::Context,
        purpose: RunPurpose,
        key: ApiKey,
        source: KeySource,
    ) {
        let start = match purpose {
            RunPurpose::Update => self.project_run(RunKind::Update, key, source),
            RunPurpose::Reimport => self.project_run(RunKind::Reimport, key, source),
            RunPurpose::Continue(dir) => self.runs.stopped_in(&dir).map(|stopped| RunStart {
                request: self.services.request(
                    stopped.checkpoint.connection.clone(),
                    key,
                    stopped.checkpoint.settings.clone(),
                    Some(stopped.store.clone()),
                ),
                kind: RunKind::Import,
                key_source: source,
                remember_key: false,
                base: None,
                origin: None,
            }),
        };
        if let Some(start) = start {
            self.start_run(ctx, start);
        }
    }

    /// An update or reimport of the project on screen.
    fn project_run(&self, kind: RunKind, key: ApiKey, source: KeySource) -> Option<RunStart> {
        let open = self.document.open()?;
        let project = Arc::clone(&open.project);
        let store = match (&self.services.state_dir, &open.path) {
            (Some(dir), Some(path)) => {
                Some(RunStore::for_project(dir, kind, &project.connection, path))
            }
            _ => None,
        };
        Some(RunStart {
            request: self.services.request(
                project.connection.clone(),
                key,
                project.settings.clone(),
                store,
            ),
            kind,
            key_source: source,
            remember_key: false,
            base: Some((
                project,
                RunBase {
                    screen: self.document.screen(),
                    path: open.path.clone(),
                },
            )),
            origin: None,
        })
    }

    /// Takes in what the run and the background tasks report.
    pub(super) fn poll(&mut self, ctx: &egui::Context) {
        if let Some((run, result)) = self.runs.poll() {
            self.run_ended(ctx, run, result);
        }
        for (to, outcome) in self.tasks.drain() {
            self.deliver(ctx, to, outcome);
        }
    }

    fn run_ended(&mut self, ctx: &egui::Context, run: Run, result: Result<Project, ImportError>) {
        for again in self.modals.run_ended() {
            self.send(again);
        }
        match result {
            Ok(project) => self.run_succeeded(ctx, run, project),
            Err(ImportError::Cancelled) => {
                let read = run.read_something();
                if let Some(store) = &run.store {
                    self.runs.keep_stopped(store);
                }
                self.status.info(if read {
                    "Cancelled: what was read so far is kept, and Continue picks it up."
                } else {
                    "Cancelled before anything was read."
                });
            }
            Err(ImportError::Cin7(Cin7Error::Unauthorized))
                if run.key_source != KeySource::Typed && run.origin.is_none() =>
            {
                self.stored_key_rejected(run);
            }
            Err(error) if !run.read_something() && run.origin.is_some() => {
                self.dialog_back(run, &error);
            }
            Err(error) => {
                if let Some(store) = &run.store {
                    self.runs.keep_stopped(store);
                }
                self.status.error(error.to_string());
            }
        }
    }

    fn run_succeeded(&mut self, ctx: &egui::Context, run: Run, project: Project) {
        let stores: Vec<RunStore> = run.store.iter().cloned().collect();
        let text = if let Some(base) = &run.base {
            if base.screen != self.document.screen() {
                self.run_outdated(&run);
                return;
            }
            let text = updated_text(&project);
            self.document.changed(project, stores);
            text
        } else {
            let text = format!(
                "Imported {} items at {} locations with {} calls. Save the project with File > Save.",
                project.items.len(),
                project.locations.len(),
                project.report.calls
            );
            let replaced = self.document.show(OpenProject::made(project, None, stores));
            for store in replaced {
                self.runs.keep_stopped(&store);
            }
            self.view = Default::default();
            text
        };
        self.status.info(text);
        // Remembered, the key goes to the keychain now that it has shown it works.
        if run.remember_key {
            self.store_key(ctx, run.connection.clone(), run.key.clone());
        }
    }

    /// An update or reimport ended after the project it started from left the screen (a
    /// regrouping or an open landed while it ran): it never replaces what is there now; what it
    /// read is kept, for Continue.
    fn run_outdated(&mut self, run: &Run) {
        if let Some(store) = &run.store {
            self.runs.keep_stopped(store);
        }
        let (run_name, again) = match run.kind {
            RunKind::Reimport => ("The reimport", "Reimport everything"),
            _ => ("The update", "Update data"),
        };
        self.status.warn(format!(
            "{run_name} finished after the project on screen changed, so it was not applied; what it read is kept, and the next {again} picks it up."
        ));
    }

    /// A stored key Cin7 rejects was reset: asked for again, and the run goes on.
    fn stored_key_rejected(&mut self, run: Run) {
        self.runs.forget_session_key(&run.connection);
        let purpose = match run.kind {
            RunKind::Update => Some(RunPurpose::Update),
            RunKind::Reimport => Some(RunPurpose::Reimport),
            RunKind::Import => run.store.as_ref().map(|store| {
                self.runs.keep_stopped(store);
                RunPurpose::Continue(store.dir().to_owned())
            }),
        };
        let Some(purpose) = purpose.filter(|p| match p {
            RunPurpose::Continue(dir) => self.runs.stopped_in(dir).is_some(),
            _ => true,
        }) else {
            self.status.error(Cin7Error::Unauthorized.to_string());
            return;
        };
        self.modals.ask(Prompt::Key(KeyPrompt::new(
            run.connection,
            purpose,
            Some("Cin7 rejected the stored API key (HTTP 401): it was probably reset, so enter the new one.".into()),
        )));
    }

    /// A run from the dialog read nothing: the dialog comes back as it was, with what went
    /// wrong at the field at fault, and there is nothing to continue.
    fn dialog_back(&mut self, mut run: Run, error: &ImportError) {
        if let Some(store) = &run.store {
            store.forget();
        }
        let text = error.to_string();
        let fault = match error {
            ImportError::Cin7(Cin7Error::Unauthorized) => Fault::Credentials(text),
            ImportError::Cin7(Cin7Error::Forbidden(_)) => Fault::Permission(text),
            ImportError::Cin7(Cin7Error::UnknownBranches { .. }) => Fault::Branches(text),
            ImportError::Cin7(
                Cin7Error::Network { .. }
                | Cin7Error::NotFound { .. }
                | Cin7Error::Redirected { .. }
                | Cin7Error::Malformed { .. },
            ) => Fault::Address(text),
            _ => Fault::Other(text),
        };
        if let Some(mut dialog) = run.origin.take() {
            dialog.came_back(fault);
            self.modals.open_dialog(dialog);
        }
        self.status.clear();
    }

    // Background outcomes.

    /// Applies an outcome while whom it is for is still there; a failure is always said, and
    /// a failed save or open of the project takes what was to follow it along (a failed
    /// export or keychain call leaves them be).
    fn deliver(&mut self, ctx: &egui::Context, to: Recipient, outcome: Outcome) {
        let here = match to {
            Recipient::Window => true,
            Recipient::Screen(screen) => screen == self.document.screen(),
            Recipient::Dialog(id) => self.modals.dialog().is_some_and(|d| d.id() == id),
            Recipient::Test(id) => self.modals.dialog().is_some_and(|d| d.is_testing(id)),
            Recipient::KeyWait(id) => self.runs.awaits(id),
        };
        match outcome {
            Outcome::Failed(sentence) => {
                if matches!(to, Recipient::Screen(_)) {
                    self.document.file_failed();
                }
                self.status.error(sentence);
            }
            _ if !here => {}
            Outcome::Saved(path) => self.saved(path),
            Outcome::Opened(path, project) => self.opened(path, *project),
            Outcome::Regrouped(project) => {
                let text = format!(
                    "Regrouped into {} {} from the project's ledger, without calling Cin7. File > Save keeps the change.",
                    project.periods.len(),
                    project.settings.group_by.label().to_lowercase()
                );
                self.document.changed(*project, Vec::new());
                self.status.info(text);
            }
            Outcome::Exported(path) => self.status.info(format!("Exported {}.", path.display())),
            Outcome::KeyFound(connection, found) => self.key_found(ctx, to, connection, found),
            Outcome::KeyStored => {}
            Outcome::KeyNotStored(connection, key, error) => {
                self.runs.keep_session_key(&connection, key);
                self.status.warn(error.not_kept_sentence());
            }
            Outcome::KeyForgotten(connection, result) => self.key_forgotten(&connection, result),
            Outcome::Checked(answer) => {
                if let Some(TestState::Running { so_far, .. }) =
                    self.modals.dialog_mut().map(|d| &mut d.test)
                {
                    so_far.push(answer);
                }
            }
            Outcome::Tested(result) => {
                if let Some(dialog) = self.modals.dialog_mut() {
                    dialog.test = TestState::Done(result);
                }
            }
        }
    }

    /// The keychain answered: the dialog is filled in, or the waiting run starts (asking for
    /// the key when none was found or the keychain failed).
    fn key_found(
        &mut self,
        ctx: &egui::Context,
        to: Recipient,
        connection: ConnectionInfo,
        found: Result<Option<ApiKey>, SecretError>,
    ) {
        match to {
            Recipient::Dialog(_) => match found {
                Ok(Some(key)) => {
                    if let Some(dialog) = self.modals.dialog_mut()
                        && dialog.connection_is(&connection)
                    {
                        dialog.key_found(&key);
                    }
                }
                Ok(None) => {}
                Err(error) => self.status.warn(error.lookup_sentence()),
            },
            Recipient::KeyWait(id) => {
                let Some(wait) = self.runs.key_arrived(id) else {
                    return;
                };
                // The window is closing, or the project changed on screen (another opened, or
                // this one regrouped): no run starts now.
                if self.quitting.is_some() {
                    return;
                }
                if wait.screen != self.document.screen() {
                    self.status.info(
                        "The project on screen changed while the key was looked up, so nothing was started: ask again.",
                    );
                    return;
                }
                match found {
                    Ok(Some(key)) => self.run_with_key(ctx, wait.purpose, key, KeySource::Keychain),
                    found => {
                        let reason = found.err().map(|e| e.lookup_sentence());
                        self.modals.ask(Prompt::Key(KeyPrompt::new(
                            connection,
                            wait.purpose,
                            reason,
                        )));
                    }
                }
            }
            _ => {}
        }
    }

    fn store_key(&mut self, ctx: &egui::Context, connection: ConnectionInfo, key: ApiKey) {
        let secrets = Arc::clone(&self.services.secrets);
        self.spawn(ctx, Recipient::Window, move || {
            match secrets.set(&connection, &key) {
                Ok(()) => Outcome::KeyStored,
                Err(error) => Outcome::KeyNotStored(connection, key, error),
            }
        });
    }

    /// File > Forget API key: the open project's connection (or the last one used).
    fn forget_key(&mut self, ctx: &egui::Context) {
        let connection = self
            .project()
            .map(|p| p.connection.clone())
            .unwrap_or_else(|| self.last_connection());
        self.runs.forget_session_key(&connection);
        let secrets = Arc::clone(&self.services.secrets);
        self.spawn(ctx, Recipient::Window, move || {
            let result = secrets.delete(&connection);
            Outcome::KeyForgotten(connection, result)
        });
    }

    fn key_forgotten(&mut self, connection: &ConnectionInfo, result: Result<(), SecretError>) {
        match result {
            Ok(()) => self.status.info(format!(
                "The API key of {} is forgotten: the next run asks for it.",
                connection.username
            )),
            Err(error) => self.status.warn(error.forget_sentence()),
        }
    }

    // Files.

    /// Asks for a file: the native chooser, or the window's own browser where there is none.
    fn choose(&mut self, ctx: &egui::Context, purpose: Purpose, suggested: &str) {
        match self.services.dialogs.choose(purpose, suggested) {
            Choice::Picked(path) => self.chosen(ctx, purpose, &path, true),
            Choice::Cancelled => {
                if purpose == Purpose::SaveProject {
                    self.document.save_abandoned();
                }
            }
            Choice::Unavailable => {
                let folder = self
                    .document
                    .path()
                    .and_then(Path::parent)
                    .map(Path::to_owned)
                    .or_else(dirs::document_dir)
                    .or_else(dirs::home_dir)
                    .unwrap_or_default();
                let recent = self.state.recent_folders();
                let browser = FileBrowser::new(purpose, folder, suggested, &recent);
                self.modals.ask(Prompt::Browse(browser));
            }
        }
    }

    /// A file chosen for `purpose`: its extension added where it has none, a read-only file
    /// refused (offering another name), an existing one replaced only once the planner agrees
    /// (a native chooser asked already about the very name it gave).
    fn chosen(&mut self, ctx: &egui::Context, purpose: Purpose, path: &Path, chooser_asked: bool) {
        let extension = match purpose {
            Purpose::Export(_) => "csv",
            _ => "json",
        };
        let target = if path.extension().is_none() && purpose != Purpose::OpenProject {
            path.with_extension(extension)
        } else {
            path.to_owned()
        };
        if purpose == Purpose::OpenProject {
            return self.open_path(ctx, target);
        }
        if target.exists() && !crate::atomic_file::may_replace(&target) {
            self.refuse_read_only(purpose, target);
        } else if target.exists() && !(chooser_asked && target == path) {
            self.modals.ask(Prompt::Replace {
                purpose,
                path: target,
            });
        } else {
            self.write_to(ctx, purpose, target);
        }
    }

    fn write_to(&mut self, ctx: &egui::Context, purpose: Purpose, path: PathBuf) {
        match purpose {
            Purpose::OpenProject => self.open_path(ctx, path),
            Purpose::SaveProject => self.write_project(ctx, path),
            Purpose::Export(what) => self.write_export(ctx, what, path),
        }
    }

    /// Opens `path` in place of what is on screen, if that is still on screen when the file
    /// has been read.
    fn open_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match file::open(&path) {
                Ok(project) => Outcome::Opened(path, Box::new(project)),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }

    fn opened(&mut self, path: PathBuf, project: Project) {
        self.status.info(format!("Opened {}.", path.display()));
        self.state.opened(&path);
        let follow = self.document.take_after_open(&path);
        let replaced = self
            .document
            .show(OpenProject::opened(project, path.clone()));
        for store in replaced {
            self.runs.keep_stopped(&store);
        }
        self.view = Default::default();
        match follow {
            Some(then) => self.send(then),
            None => {
                if let Some(stopped) = self.runs.stopped_of_project(&path) {
                    let text = super::start_page::stopped_text(stopped);
                    self.status
                        .info(format!("{text} {} picks it up.", stopped.continue_label()));
                }
            }
        }
    }

    /// `path` may not be written: nothing is, the status line says so (no earlier "Saved"
    /// stays there to mislead), and the planner is offered another name.
    fn refuse_read_only(&mut self, purpose: Purpose, path: PathBuf) {
        let name = path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy();
        self.status
            .warn(format!("{name} is read-only, so it was not replaced."));
        self.modals.ask(Prompt::ReadOnly { purpose, path });
    }

    /// Save (to the project's file, or asking for one) or Save As. A file that may not be
    /// written is never replaced: the planner is offered another name.
    fn save(&mut self, ctx: &egui::Context, ask: bool) {
        let Some(open) = self.document.open() else {
            self.document.save_abandoned();
            return;
        };
        match (&open.path, ask) {
            (Some(path), false) if !crate::atomic_file::may_replace(path) => {
                let path = path.clone();
                self.refuse_read_only(Purpose::SaveProject, path);
            }
            (Some(path), false) => {
                let path = path.clone();
                self.write_project(ctx, path);
            }
            _ => {
                // The file's own name, or one made of the account and the day.
                let name = match &open.path {
                    Some(_) => open.name(),
                    None => format!(
                        "{}-{}.json",
                        open.project.connection.username,
                        open.project.report.finished_at.format("%Y-%m-%d")
                    ),
                };
                self.choose(ctx, Purpose::SaveProject, &name);
            }
        }
    }

    fn write_project(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match file::save(&project, &path) {
                Ok(()) => Outcome::Saved(path),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }

    fn saved(&mut self, path: PathBuf) {
        self.status.info(format!("Saved {}.", path.display()));
        self.state.opened(&path);
        let (stores, then) = self.document.saved(path);
        // The project is safe on disk: the runs that made it have done their job.
        for store in &stores {
            store.forget();
        }
        if let Some(then) = then {
            self.send(then);
        }
    }

    /// File > Export > Sales CSV… or Items CSV….
    fn export(&mut self, ctx: &egui::Context, what: Export) {
        let stem = self.document.name().trim_end_matches(".json").to_owned();
        let suggested = match what {
            Export::Sales => format!("{stem}-sales.csv"),
            Export::Items => format!("{stem}-items.csv"),
        };
        self.choose(ctx, Purpose::Export(what), &suggested);
    }

    fn write_export(&mut self, ctx: &egui::Context, what: Export, path: PathBuf) {
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        // Exported from the project as it was: said whatever is on screen by then.
        self.spawn(ctx, Recipient::Window, move || {
            let written = crate::project::csv::export(&path, |out| match what {
                Export::Sales => crate::project::csv::write_long_table(&project, out),
                Export::Items => crate::project::csv::write_items(&project, out),
            });
            match written {
                Ok(()) => Outcome::Exported(path),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        });
    }

    /// Rebuilds the open project's series under `settings`, in the background.
    fn regroup(&mut self, ctx: &egui::Context, settings: ImportSettings) {
        // Apply is greyed out while a run is under way, but a click and F5 can share a frame.
        if let Some(busy) = self.runs.busy() {
            self.status.info(busy.sentence());
            return;
        }
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match project.regrouped(settings) {
                Ok(to) => Outcome::Regrouped(Box::new(to)),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }
}

/// "Updated: 1 document added, none changed or voided (12 calls). File > Save keeps it.", or
/// what a reimport or an unchanged account says.
fn updated_text(project: &Project) -> String {
    let Some(run) = project.history.last() else {
        return "Updated. File > Save keeps it.".to_owned();
    };
    let done = match run.kind {
        RunKind::Reimport => "Reimported everything",
        _ => "Updated",
    };
    format!(
        "{done}: {} ({} calls). File > Save keeps it.",
        run.changes_text(),
        run.calls
    )
}
