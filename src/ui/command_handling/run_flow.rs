//! What the window does to start a run (with a key from the dialog, the keychain or a
//! prompt), to end one (applied, outdated, refused, or back to the dialog), and with keys.

use crate::cin7::{ApiKey, Cin7Error};
use crate::import::{ImportError, RunStore};
use crate::project::{ConnectionInfo, Project, RunKind};
use crate::secrets::SecretError;
use crate::ui::app::PlannerApp;
use crate::ui::commands::{Command, KeyGiven, RunPurpose};
use crate::ui::connection_dialog::Fault;
use crate::ui::document::OpenProject;
use crate::ui::prompts::{KeyPrompt, Prompt};
use crate::ui::runs::{KeySource, Run, RunBase, RunStart};
use crate::ui::tasks::{Outcome, Recipient};
use std::path::Path;
use std::sync::Arc;

impl PlannerApp {
    /// Starts a run, saying why not when another is under way (a dialog it came from comes
    /// back).
    pub(super) fn start_run(&mut self, ctx: &egui::Context, start: RunStart) {
        let waker = ctx.clone();
        match self.runs.start(start, move || waker.request_repaint()) {
            Ok(()) => {
                self.status.clear();
                self.growing = Default::default();
            }
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
    pub(super) fn start_with_key(&mut self, ctx: &egui::Context, purpose: RunPurpose) {
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
    pub(super) fn continue_run(&mut self, ctx: &egui::Context, dir: &Path) {
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
    pub(super) fn key_given(&mut self, ctx: &egui::Context, given: KeyGiven) {
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
    pub(in crate::ui) fn poll(&mut self, ctx: &egui::Context) {
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
            Ok(project) => self.run_succeeded(ctx, &run, project),
            Err(ImportError::Cancelled) => {
                let read = run.read_something();
                if let Some(store) = &run.store {
                    self.runs.keep_stopped(store);
                }
                let what = run.what();
                self.status.info(if read {
                    format!("{what} was cancelled: what it read is kept, and File > Continue picks it up.")
                } else {
                    format!("{what} was cancelled before anything was read.")
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
                // An import stopped mid-history: how far back what it read is exact.
                let so_far = run
                    .partial
                    .as_ref()
                    .map(|p| super::super::start_page::exact_so_far(&p.exact, &p.project.settings));
                match so_far {
                    Some(so_far) => self.status.error(format!("{error} {so_far}")),
                    None => self.status.error(error.to_string()),
                }
            }
        }
    }

    fn run_succeeded(&mut self, ctx: &egui::Context, run: &Run, project: Project) {
        let stores: Vec<RunStore> = run.store.iter().cloned().collect();
        let text = if let Some(base) = &run.base {
            if base.screen != self.document.screen() {
                self.run_outdated(run);
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
            // The planner may have worked in the project so far: its sort, filter and
            // selection stay on the finished one.
            self.view = match run.partial {
                Some(_) => std::mem::take(&mut self.growing),
                None => Default::default(),
            };
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

    /// The keychain answered: the dialog is filled in, or the waiting run starts (asking for
    /// the key when none was found or the keychain failed).
    pub(super) fn key_found(
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
    pub(super) fn forget_key(&mut self, ctx: &egui::Context) {
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

    pub(super) fn key_forgotten(
        &mut self,
        connection: &ConnectionInfo,
        result: Result<(), SecretError>,
    ) {
        match result {
            Ok(()) => self.status.info(format!(
                "The API key of {} is forgotten: the next run asks for it.",
                connection.username
            )),
            Err(error) => self.status.warn(error.forget_sentence()),
        }
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
