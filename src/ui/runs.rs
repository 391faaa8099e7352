//! Runs that read Cin7, one at a time: the run under way, a run waiting for its key from the
//! keychain (which counts as under way: a locked keychain may answer minutes later), the
//! stopped runs that can be continued, and the keys the keychain refused, kept for this
//! session. A second run is refused here, whoever asks.

use super::commands::RunPurpose;
use super::connection_dialog::ConnectionDialog;
use super::document::Screen;
use crate::cin7::ApiKey;
use crate::import::{
    Checkpoint, DEFAULT_OVERLAP, ImportError, ImportEvent, ImportJob, ImportRequest,
    PartialProject, Partials, Progress, RunStore, UpdateRequest,
};
use crate::project::{ConnectionInfo, Project, RunKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Where the key of a run came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeySource {
    /// Typed in the dialog or the key prompt.
    Typed,
    /// From the keychain (a 401 then means it was reset).
    Keychain,
    /// Kept for this session where the keychain refused it.
    Session,
}

/// The project an update or reimport is of.
#[derive(Clone, Debug)]
pub(super) struct RunBase {
    pub screen: Screen,
    pub path: Option<PathBuf>,
}

/// A run under way.
pub(super) struct Run {
    job: ImportJob,
    pub progress: Option<Progress>,
    /// The project an import reading newest first has so far, and how many it has shown.
    pub partial: Option<Arc<PartialProject>>,
    pub partials_shown: u64,
    pub kind: RunKind,
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    /// Keep the key in the keychain once the run has shown it works.
    pub remember_key: bool,
    pub key_source: KeySource,
    pub store: Option<RunStore>,
    /// The project an update or reimport is of.
    pub base: Option<RunBase>,
    /// The dialog an import was started from, to come back to if the run reads nothing.
    pub origin: Option<Box<ConnectionDialog>>,
    pub started: Instant,
}

/// How a run begins: what it reads, with what key, for whom.
pub(super) struct RunStart {
    pub request: ImportRequest,
    pub kind: RunKind,
    pub key_source: KeySource,
    pub remember_key: bool,
    /// For an update or reimport: the project, where it is kept, and its screen.
    pub base: Option<(Arc<Project>, RunBase)>,
    pub origin: Option<Box<ConnectionDialog>>,
}

impl Run {
    /// Starts the run on its worker; `wake` is called after every event it sends.
    fn spawn(start: RunStart, wake: impl Fn() + Send + Sync + 'static) -> Self {
        let RunStart {
            request,
            kind,
            key_source,
            remember_key,
            base,
            origin,
        } = start;
        let (connection, key, store) = (
            request.connection.clone(),
            request.key.clone(),
            request.run_store.clone(),
        );
        let (job, base) = match (kind, base) {
            (RunKind::Update, Some((project, base))) => {
                let update = UpdateRequest {
                    run: request,
                    project,
                    path: base.path.clone(),
                    overlap: DEFAULT_OVERLAP,
                };
                (ImportJob::spawn_update(update, wake), Some(base))
            }
            (RunKind::Reimport, Some((project, base))) => (
                ImportJob::spawn_reimport(request, project, base.path.clone(), wake),
                Some(base),
            ),
            _ => (ImportJob::spawn(request, Partials::Shown, wake), None),
        };
        Self {
            job,
            progress: None,
            partial: None,
            partials_shown: 0,
            kind,
            connection,
            key,
            remember_key,
            key_source,
            store,
            base,
            origin,
            started: Instant::now(),
        }
    }

    /// "Importing from Cin7", "Updating from Cin7" or "Reimporting everything from Cin7".
    pub(super) fn label(&self) -> &'static str {
        match self.kind {
            RunKind::Import => "Importing from Cin7",
            RunKind::Update => "Updating from Cin7",
            RunKind::Reimport => "Reimporting everything from Cin7",
        }
    }

    /// What the run is of, for a sentence: "The import of demo", "The update of shop.json".
    pub(super) fn what(&self) -> String {
        let project = self.base.as_ref().and_then(|b| b.path.as_deref());
        format!(
            "The {}",
            run_subject(self.kind, project, &self.connection.username)
        )
    }

    /// Whether the run read any page (a run that read none has nothing to continue).
    pub(super) fn read_something(&self) -> bool {
        self.store.as_ref().is_some_and(|s| !s.pages().is_empty())
    }
}

/// Why another run cannot start now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Busy {
    Reading(RunKind),
    WaitingForKey(RunPurpose),
}

impl Busy {
    /// The sentence the window says when the planner asks for something that must wait.
    pub(super) fn sentence(&self) -> String {
        let what = match self {
            Busy::Reading(RunKind::Import) => "An import is reading Cin7",
            Busy::Reading(RunKind::Update) => "Update data is reading Cin7",
            Busy::Reading(RunKind::Reimport) => "Reimport everything is reading Cin7",
            Busy::WaitingForKey(purpose) => waiting_for_key(purpose),
        };
        format!("{what}: wait for it to end, or cancel it first.")
    }
}

/// A run waiting for its key from the keychain.
#[derive(Clone, Debug)]
pub(super) struct KeyWait {
    id: u64,
    pub purpose: RunPurpose,
    /// What was on screen when it was asked for.
    pub screen: Screen,
}

impl KeyWait {
    /// "Update data is waiting for the keychain…", for the status line.
    pub(super) fn describe(&self) -> String {
        format!("{}…", waiting_for_key(&self.purpose))
    }
}

/// What a run is of, for a sentence: "import of demo" (the username), "update of shop.json",
/// "reimport of an unsaved project".
pub(super) fn run_subject(kind: RunKind, project: Option<&Path>, username: &str) -> String {
    let file = project
        .and_then(Path::file_name)
        .map_or_else(|| "an unsaved project".into(), |n| n.to_string_lossy());
    match kind {
        RunKind::Import => format!("import of {username}"),
        RunKind::Update => format!("update of {file}"),
        RunKind::Reimport => format!("reimport of {file}"),
    }
}

fn waiting_for_key(purpose: &RunPurpose) -> &'static str {
    match purpose {
        RunPurpose::Update => "Update data is waiting for the keychain",
        RunPurpose::Reimport => "Reimport everything is waiting for the keychain",
        RunPurpose::Continue(_) => "Continue import is waiting for the keychain",
    }
}

/// A run that stopped before its project was saved.
#[derive(Clone, Debug)]
pub(super) struct Stopped {
    pub store: RunStore,
    pub checkpoint: Checkpoint,
}

impl Stopped {
    /// "Continue import", "Continue update" or "Continue reimport".
    pub(super) fn continue_label(&self) -> &'static str {
        match self.checkpoint.kind {
            RunKind::Import => "Continue import",
            RunKind::Update => "Continue update",
            RunKind::Reimport => "Continue reimport",
        }
    }
}

#[derive(Default)]
pub(super) struct Runs {
    run: Option<Run>,
    waiting: Option<KeyWait>,
    next_wait: u64,
    stopped: Vec<Stopped>,
    /// Keys the keychain refused, kept for this session only, by connection.
    session_keys: HashMap<String, ApiKey>,
}

impl Runs {
    /// The runs stopped before their project was saved, under `state_dir`.
    pub(super) fn new(state_dir: Option<&Path>) -> Self {
        let stopped = state_dir
            .map(RunStore::stopped)
            .unwrap_or_default()
            .into_iter()
            .map(|(store, checkpoint)| Stopped { store, checkpoint })
            .collect();
        Self {
            stopped,
            ..Self::default()
        }
    }

    /// Why no other run can start now, if one is under way or waiting for its key.
    pub(super) fn busy(&self) -> Option<Busy> {
        match (&self.run, &self.waiting) {
            (Some(run), _) => Some(Busy::Reading(run.kind)),
            (None, Some(wait)) => Some(Busy::WaitingForKey(wait.purpose.clone())),
            (None, None) => None,
        }
    }

    pub(super) fn run(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    /// The project an import under way has so far, while it reads the older history.
    pub(super) fn loading(&self) -> Option<&PartialProject> {
        let run = self.run.as_ref().filter(|r| r.base.is_none())?;
        run.partial.as_deref()
    }

    pub(super) fn waiting(&self) -> Option<&KeyWait> {
        self.waiting.as_ref()
    }

    /// Starts a run, unless another is under way: then it is not started, and its dialog (if
    /// it came from one) is handed back.
    pub(super) fn start(
        &mut self,
        start: RunStart,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Result<(), (Busy, Option<Box<ConnectionDialog>>)> {
        if let Some(busy) = self.busy() {
            return Err((busy, start.origin));
        }
        // Its project will be on screen: it is not a stopped one any more.
        if let Some(store) = &start.request.run_store {
            self.stopped.retain(|s| s.store.dir() != store.dir());
        }
        self.run = Some(Run::spawn(start, wake));
        Ok(())
    }

    /// Notes that a run waits for its key; the lookup's outcome is for the returned id.
    pub(super) fn wait_for_key(
        &mut self,
        purpose: RunPurpose,
        screen: Screen,
    ) -> Result<u64, Busy> {
        if let Some(busy) = self.busy() {
            return Err(busy);
        }
        self.next_wait += 1;
        self.waiting = Some(KeyWait {
            id: self.next_wait,
            purpose,
            screen,
        });
        Ok(self.next_wait)
    }

    /// The keychain answered the lookup `id`: the wait it was for, if it still waits.
    pub(super) fn key_arrived(&mut self, id: u64) -> Option<KeyWait> {
        self.waiting.take_if(|wait| wait.id == id)
    }

    /// Whether the lookup `id` is still awaited.
    pub(super) fn awaits(&self, id: u64) -> bool {
        self.waiting.as_ref().is_some_and(|w| w.id == id)
    }

    /// Cancels the run under way (its end follows), or the wait for a key.
    pub(super) fn cancel(&mut self) {
        if let Some(run) = &self.run {
            run.job.cancel();
        }
        self.waiting = None;
    }

    /// Stops the run under way and forgets it (the window is closing): its checkpoint stays
    /// on disk, for the next window to offer.
    pub(super) fn abandon(&mut self) {
        self.waiting = None;
        if let Some(run) = self.run.take() {
            run.job.cancel();
        }
    }

    /// Takes in what the run reports: the run and its result once it has ended.
    pub(super) fn poll(&mut self) -> Option<(Run, Result<Project, ImportError>)> {
        while let Some(event) = self.run.as_ref().and_then(|r| r.job.try_next()) {
            match event {
                ImportEvent::Progress(p) => {
                    if let Some(run) = &mut self.run {
                        run.progress = Some(*p);
                    }
                }
                ImportEvent::Partial(partial) => {
                    if let Some(run) = &mut self.run {
                        run.partial = Some(partial);
                        run.partials_shown += 1;
                    }
                }
                ImportEvent::Finished(result) => {
                    return self.run.take().map(|run| (run, *result));
                }
            }
        }
        None
    }

    /// The key kept for this session for `connection`.
    pub(super) fn session_key(&self, connection: &ConnectionInfo) -> Option<ApiKey> {
        self.session_keys.get(&connection.key()).cloned()
    }

    pub(super) fn keep_session_key(&mut self, connection: &ConnectionInfo, key: ApiKey) {
        self.session_keys.insert(connection.key(), key);
    }

    pub(super) fn forget_session_key(&mut self, connection: &ConnectionInfo) {
        self.session_keys.remove(&connection.key());
    }

    /// The runs that can be continued, newest first.
    pub(super) fn stopped(&self) -> &[Stopped] {
        &self.stopped
    }

    /// Lists the run kept in `store` among those to continue (once), if it read anything: a
    /// run that read nothing has nothing to continue, and its checkpoint goes.
    pub(super) fn keep_stopped(&mut self, store: &RunStore) {
        if self.stopped.iter().any(|s| s.store.dir() == store.dir()) {
            return;
        }
        if store.pages().is_empty() {
            store.forget();
            return;
        }
        if let Some(checkpoint) = store.load() {
            self.stopped.insert(
                0,
                Stopped {
                    store: store.clone(),
                    checkpoint,
                },
            );
        }
    }

    /// The stopped run kept in `dir`.
    pub(super) fn stopped_in(&self, dir: &Path) -> Option<&Stopped> {
        self.stopped.iter().find(|s| s.store.dir() == dir)
    }

    /// Drops the stopped run kept in `dir`, and its pages.
    pub(super) fn discard(&mut self, dir: &Path) {
        if let Some(i) = self.stopped.iter().position(|s| s.store.dir() == dir) {
            self.stopped.remove(i).store.forget();
        }
    }

    /// The stopped update or reimport of the project at `path`, if there is one.
    pub(super) fn stopped_of_project(&self, path: &Path) -> Option<&Stopped> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.stopped.iter().find(|s| {
            s.checkpoint.kind != RunKind::Import
                && s.checkpoint
                    .project
                    .as_ref()
                    .is_some_and(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()) == path)
        })
    }
}
