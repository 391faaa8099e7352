//! Runs from the window: an import from the connection dialog, Update data and Reimport
//! everything of the open project, and Continue import of a run that stopped. A run needs the
//! key: from the session, else the keychain (looked up off the window's thread, a locked
//! keychain may block), else a small prompt. The run's checkpoint stays until its project is
//! saved.

use super::app::{OpenProject, PlannerApp};
use super::background::{For, KeyWanted, Outcome};
use super::connection_dialog::DialogInput;
use super::prompts::{KeyFor, KeyPrompt, Prompt};
use crate::cin7::{ApiKey, Cin7Error};
use crate::import::checkpoint::connection_name;
use crate::import::{
    Checkpoint, DEFAULT_OVERLAP, ImportError, ImportEvent, ImportJob, ImportRequest, Progress,
    RunStore, UpdateRequest,
};
use crate::project::{ConnectionInfo, ImportSettings, Project, RunKind};
use std::sync::Arc;

/// A run under way.
pub(super) struct Run {
    pub job: ImportJob,
    pub progress: Option<Progress>,
    pub kind: RunKind,
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub remember_key: bool,
    /// The key came from the keychain (a 401 then means it was reset).
    pub stored_key: bool,
    pub run_store: Option<RunStore>,
    /// The project an update or reimport is of.
    pub base: Option<(u64, Option<std::path::PathBuf>)>,
}

impl Run {
    pub fn label(&self) -> &'static str {
        match self.kind {
            RunKind::Import => "Importing from Cin7",
            RunKind::Update => "Updating from Cin7",
            RunKind::Reimport => "Reimporting from Cin7",
        }
    }
}

/// "An import of shop from 2024-01-01, by weeks, stopped on 2026-12-01 10:00 UTC."
pub(super) fn stopped_text(checkpoint: &Checkpoint) -> String {
    let what = match checkpoint.kind {
        RunKind::Import => "An import",
        RunKind::Update => "An update",
        RunKind::Reimport => "A reimport",
    };
    format!(
        "{what} of {} from {}, by {}, started {}, stopped before it was saved.",
        checkpoint.connection.username,
        checkpoint.settings.starting_date,
        checkpoint.settings.group_by.label().to_lowercase(),
        checkpoint.as_of.format("%Y-%m-%d %H:%M UTC"),
    )
}

impl PlannerApp {
    pub(super) fn request(
        &self,
        connection: ConnectionInfo,
        key: ApiKey,
        settings: ImportSettings,
        run_store: Option<RunStore>,
    ) -> ImportRequest {
        ImportRequest {
            connection,
            key,
            settings,
            rate_limits: self.services.rate_limits.clone(),
            retry: self.services.retry.clone(),
            call_log: self.services.call_log.clone(),
            run_store,
        }
    }

    /// OK in the connection dialog: a fresh import.
    pub(super) fn start_import(&mut self, ctx: &egui::Context, input: DialogInput) {
        // The demo's sandbox lives only as long as its window: its connection is not kept.
        if !self.defaults.is_demo() {
            self.state.last_username = input.connection.username.clone();
            self.state.last_base_url = input.connection.base_url.clone();
        }
        let run_store = self
            .services
            .state_dir
            .as_ref()
            .map(|dir| RunStore::for_import(dir, &input.connection, &input.settings));
        if let Some(store) = &run_store {
            store.remove().ok();
        }
        let request = self.request(
            input.connection.clone(),
            input.key.clone(),
            input.settings,
            run_store.clone(),
        );
        let waker = ctx.clone();
        self.notice = None;
        self.run = Some(Run {
            job: ImportJob::spawn(request, move || waker.request_repaint()),
            progress: None,
            kind: RunKind::Import,
            connection: input.connection,
            key: input.key,
            remember_key: input.remember_key,
            stored_key: input.key_from_keychain,
            run_store,
            base: None,
        });
    }

    /// File > Update data (or Reimport everything): with the key from the session or the
    /// keychain, or asked for.
    pub(super) fn update_data(&mut self, ctx: &egui::Context, full: bool) {
        let Some(open) = &self.project else {
            return;
        };
        let connection = open.project.connection.clone();
        self.with_key(ctx, connection, KeyFor::Update { full });
    }

    /// File > Continue import: the stopped run `i`.
    pub(super) fn continue_run(&mut self, ctx: &egui::Context, i: usize) {
        let Some((_, checkpoint)) = self.stopped.get(i) else {
            return;
        };
        let connection = checkpoint.connection.clone();
        self.with_key(ctx, connection, KeyFor::Continue(i));
    }

    pub(super) fn discard_run(&mut self, i: usize) {
        if i < self.stopped.len() {
            let (store, _) = self.stopped.remove(i);
            store.remove().ok();
        }
    }

    pub(super) fn cancel_run(&mut self) {
        if let Some(run) = &self.run {
            run.job.cancel();
        }
    }

    /// Goes on with `purpose` once the key for `connection` is known.
    fn with_key(&mut self, ctx: &egui::Context, connection: ConnectionInfo, purpose: KeyFor) {
        if let Some(key) = self
            .session_keys
            .get(&connection_name(&connection))
            .cloned()
        {
            return self.run_with_key(ctx, purpose, key, false);
        }
        let secrets = Arc::clone(&self.services.secrets);
        // The run is for the project on screen (none, to continue an import): not another.
        let whom = For::Project(self.project_id());
        self.in_background(ctx, whom, move || Outcome::KeyLookedUp {
            found: secrets.get(&connection).map_err(|e| e.to_string()),
            connection,
            wanted_for: KeyWanted::Run(purpose),
        });
    }

    /// The key prompt's OK.
    pub(super) fn key_given(&mut self, ctx: &egui::Context, prompt: KeyPrompt) {
        let key = ApiKey::new(prompt.key.as_str());
        if prompt.remember {
            self.store_key(ctx, prompt.connection.clone(), key.clone());
        }
        self.run_with_key(ctx, prompt.purpose, key, false);
    }

    /// Starts the update, reimport or continued run `purpose` with `key`.
    pub(super) fn run_with_key(
        &mut self,
        ctx: &egui::Context,
        purpose: KeyFor,
        key: ApiKey,
        stored: bool,
    ) {
        // The key may come from the keychain after another run began: one run at a time.
        if self.run.is_some() {
            return;
        }
        let started = match purpose {
            KeyFor::Update { full } => self.start_update(ctx, key.clone(), full),
            KeyFor::Continue(i) => self.start_continue(ctx, key.clone(), i),
        };
        if let (Some(run), true) = (&mut self.run, started) {
            run.stored_key = stored;
        }
    }

    fn start_update(&mut self, ctx: &egui::Context, key: ApiKey, full: bool) -> bool {
        let Some(open) = &self.project else {
            return false;
        };
        let (project, path, id) = (Arc::clone(&open.project), open.path.clone(), open.id);
        let kind = if full {
            RunKind::Reimport
        } else {
            RunKind::Update
        };
        let connection = project.connection.clone();
        let run_store = match (&self.services.state_dir, &path) {
            (Some(dir), Some(path)) => Some(RunStore::for_project(dir, kind, &connection, path)),
            _ => None,
        };
        let run = self.request(
            connection.clone(),
            key.clone(),
            project.settings.clone(),
            run_store.clone(),
        );
        let waker = ctx.clone();
        let wake = move || waker.request_repaint();
        let job = if full {
            ImportJob::spawn_reimport(run, Arc::clone(&project), path.clone(), wake)
        } else {
            ImportJob::spawn_update(
                UpdateRequest {
                    run,
                    project: Arc::clone(&project),
                    path: path.clone(),
                    overlap: DEFAULT_OVERLAP,
                },
                wake,
            )
        };
        self.run = Some(Run {
            job,
            progress: None,
            kind,
            connection,
            key,
            remember_key: false,
            stored_key: false,
            run_store,
            base: Some((id, path)),
        });
        true
    }

    fn start_continue(&mut self, ctx: &egui::Context, key: ApiKey, i: usize) -> bool {
        if i >= self.stopped.len() {
            return false;
        }
        let (store, checkpoint) = self.stopped.remove(i);
        if checkpoint.kind != RunKind::Import {
            // A stopped update or reimport goes on from its project: open it, then run it again.
            self.stopped.insert(i, (store, checkpoint.clone()));
            if let Some(path) = checkpoint.project {
                self.commands.push(super::commands::Command::OpenPath(path));
            }
            let again = match checkpoint.kind {
                RunKind::Reimport => "File > Reimport everything",
                _ => "Update data",
            };
            self.info(format!(
                "Open the project, then {again}: it goes on from where it stopped."
            ));
            return false;
        }
        let request = self.request(
            checkpoint.connection.clone(),
            key.clone(),
            checkpoint.settings.clone(),
            Some(store.clone()),
        );
        let waker = ctx.clone();
        self.run = Some(Run {
            job: ImportJob::spawn(request, move || waker.request_repaint()),
            progress: None,
            kind: RunKind::Import,
            connection: checkpoint.connection,
            key,
            remember_key: false,
            stored_key: false,
            run_store: Some(store),
            base: None,
        });
        true
    }

    /// Takes in what the run reports.
    pub(super) fn poll_run(&mut self, ctx: &egui::Context) {
        while let Some(event) = self.run.as_ref().and_then(|r| r.job.try_next()) {
            match event {
                ImportEvent::Progress(p) => {
                    if let Some(run) = &mut self.run {
                        run.progress = Some(p);
                    }
                }
                ImportEvent::Finished(result) => {
                    if let Some(run) = self.run.take() {
                        self.finish_run(ctx, run, *result);
                    }
                    break;
                }
            }
        }
    }

    fn finish_run(&mut self, ctx: &egui::Context, run: Run, result: Result<Project, ImportError>) {
        match result {
            Ok(project) => self.run_succeeded(ctx, run, project),
            Err(ImportError::Cin7(Cin7Error::Unauthorized)) if run.stored_key => {
                self.session_keys.remove(&connection_name(&run.connection));
                let stopped_at = run.run_store.as_ref().and_then(|s| self.keep_stopped(s));
                let purpose = match (run.kind, stopped_at) {
                    (RunKind::Import, Some(i)) => KeyFor::Continue(i),
                    (RunKind::Import, None) => {
                        return self.error(Cin7Error::Unauthorized.to_string());
                    }
                    (RunKind::Update, _) => KeyFor::Update { full: false },
                    (RunKind::Reimport, _) => KeyFor::Update { full: true },
                };
                self.prompt = Some(Prompt::Key(KeyPrompt {
                    connection: run.connection,
                    key: Default::default(),
                    remember: true,
                    reason: Some("Cin7 rejected the stored API key (HTTP 401): it was probably reset, so enter the new one.".into()),
                    purpose,
                    focused: false,
                }));
            }
            Err(error) => {
                if let Some(store) = &run.run_store {
                    self.keep_stopped(store);
                }
                self.error(error.to_string());
            }
        }
    }

    /// A run that did not finish is offered to continue.
    /// Lists the run kept in `store` among those to continue, once; where it is in the list.
    pub(super) fn keep_stopped(&mut self, store: &RunStore) -> Option<usize> {
        if let Some(i) = self
            .stopped
            .iter()
            .position(|(s, _)| s.dir() == store.dir())
        {
            return Some(i);
        }
        let checkpoint = store.load()?;
        self.stopped.insert(0, (store.clone(), checkpoint));
        Some(0)
    }

    fn run_succeeded(&mut self, ctx: &egui::Context, run: Run, project: Project) {
        let id = self.fresh_id();
        // Its project is open now: the run is not a stopped one any more.
        if let Some(store) = &run.run_store {
            self.stopped.retain(|(s, _)| s.dir() != store.dir());
        }
        let mut checkpoints: Vec<RunStore> = run.run_store.iter().cloned().collect();
        let (path, text) = match &run.base {
            Some((base_id, path)) if *base_id == self.project_id() => {
                // The runs before it made the project too, and are not saved either.
                if let Some(open) = &mut self.project {
                    let older = std::mem::take(&mut open.checkpoints);
                    checkpoints.extend(older.into_iter().filter(|s| {
                        run.run_store
                            .as_ref()
                            .is_none_or(|new| new.dir() != s.dir())
                    }));
                }
                let last = project.history.last();
                let text = format!(
                    "Updated: {} documents added, {} changed, {} voided, {} calls. File > Save keeps it.",
                    last.map_or(0, |e| e.documents_added),
                    last.map_or(0, |e| e.documents_changed),
                    last.map_or(0, |e| e.documents_voided),
                    project.report.calls
                );
                (path.clone(), text)
            }
            // The project it was of was closed meanwhile: shown as a project of its own.
            _ => (
                None,
                format!(
                    "Imported {} items at {} locations with {} calls. Save the project with File > Save.",
                    project.items.len(),
                    project.locations.len(),
                    project.report.calls
                ),
            ),
        };
        self.project = Some(OpenProject {
            id,
            project: Arc::new(project),
            path,
            dirty: true,
            checkpoints,
        });
        if run.base.is_none() {
            self.view = Default::default();
        }
        self.info(text);
        // Not remembered, the key goes with the run; remembered, it goes to the keychain, or
        // stays for this session where the keychain refuses it.
        if run.remember_key {
            self.store_key(ctx, run.connection.clone(), run.key.clone());
        }
    }

    fn store_key(&mut self, ctx: &egui::Context, connection: ConnectionInfo, key: ApiKey) {
        let secrets = Arc::clone(&self.services.secrets);
        self.in_background(ctx, For::Window, move || {
            match secrets.set(&connection, &key) {
                Ok(()) => Outcome::KeyStored,
                Err(e) => Outcome::KeyNotStored {
                    connection,
                    key,
                    reason: e.to_string(),
                },
            }
        });
    }

    /// File > Forget API key: the open project's connection (or the last one used).
    pub(super) fn forget_key(&mut self, ctx: &egui::Context) {
        let connection = self
            .project
            .as_ref()
            .map(|p| p.project.connection.clone())
            .unwrap_or_else(|| self.last_connection());
        self.session_keys.remove(&connection_name(&connection));
        let secrets = Arc::clone(&self.services.secrets);
        self.in_background(ctx, For::Window, move || {
            match secrets.delete(&connection) {
                Ok(()) => Outcome::KeyForgotten,
                Err(e) => Outcome::Failed(e.to_string()),
            }
        });
    }
}
