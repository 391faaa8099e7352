//! The import engine: reads an account through the Cin7 client and builds the project. The
//! window and the command line both run it through [`ImportJob`], on a worker thread.

pub mod checkpoint;
mod fetch;
mod full_read;
mod kits;
mod mapping;
mod merge;
mod newest_first;
mod open_orders;
mod partial;
mod permissions;
mod plan;
mod progress;
mod record;
mod sales;
mod steps;
mod update;
mod windows;

pub use checkpoint::{Checkpoint, RunStore};
pub use full_read::{reimport, run};
pub use partial::PartialProject;
pub use permissions::{Permissions, check_permissions};
pub use steps::{RESOURCES_READ, minimum_calls};
pub use update::{DEFAULT_OVERLAP, UpdateRequest, update};
pub use windows::Exactness;

use crate::cin7::{ApiKey, CallLog, Cin7Error, Resource, RetryPolicy};
use crate::project::{ConnectionInfo, ImportSettings, Project};
use crate::rate_limit::RateLimits;
use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Everything one import needs.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub settings: ImportSettings,
    pub rate_limits: RateLimits,
    pub retry: RetryPolicy,
    /// Where the connection's daily call count is kept across runs (`None`: not kept).
    pub call_log: Option<CallLog>,
    /// Where the run keeps its checkpoint and the pages it read, until the project it makes
    /// is saved (`None`: not kept, nothing to resume).
    pub run_store: Option<RunStore>,
    /// An import or reimport reads the sales orders newest first, by windows of
    /// `modifiedDate`, so that the recent periods are exact early (see [`Exactness`]);
    /// otherwise in one pass in id order. Both give the same project.
    pub newest_first: bool,
}

impl ImportRequest {
    /// A run of `connection` paced by `rate_limits` and retrying as they suggest, keeping
    /// neither a daily call log nor a checkpoint.
    pub fn new(
        connection: ConnectionInfo,
        key: ApiKey,
        settings: ImportSettings,
        rate_limits: RateLimits,
    ) -> Self {
        Self {
            connection,
            key,
            settings,
            retry: RetryPolicy::for_limits(&rate_limits),
            rate_limits,
            call_log: None,
            run_store: None,
            newest_first: true,
        }
    }
}

/// What a run tells its front end as it goes: progress, and, to a front end that shows them,
/// the projects a newest-first import has so far. A function of [`Progress`] is a listener
/// that shows no partial projects.
pub trait Listener {
    fn progress(&self, progress: Progress);

    /// Where the projects so far go, for a front end that shows them.
    fn partials(&self) -> Option<PartialSink> {
        None
    }
}

impl<F: Fn(Progress)> Listener for F {
    fn progress(&self, progress: Progress) {
        self(progress);
    }
}

/// Receives the projects a newest-first import has so far, on a thread of the run's.
pub type PartialSink = Arc<dyn Fn(PartialProject) + Send + Sync>;

/// What the import is doing now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading every resource the project needs, all at once.
    Reading,
    Building,
}

impl Phase {
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Reading => "Reading from Cin7",
            Phase::Building => "Building the project",
        }
    }
}

/// A snapshot of an import's progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub phase: Phase,
    pub calls: u64,
    pub retries: u64,
    pub rate_limit_wait: Duration,
    pub elapsed: Duration,
    /// Records read so far, by resource.
    pub records: BTreeMap<Resource, u64>,
    /// How much of the reading is done (0 to 1), where the account's size is known.
    pub fraction: Option<f64>,
    /// The time left, from the rate limit and what is known of the account's size.
    pub eta: Option<Duration>,
    /// Things the planner should know that did not stop the run (a damaged call log).
    pub notices: Vec<String>,
    /// Each resource's walk, in the order Cin7 names them.
    pub walks: Vec<WalkProgress>,
    /// Calls made in each window of the rate limit, against its limit.
    pub limits: Vec<crate::cin7::WindowUse>,
    /// The rate limit holds calls back right now.
    pub waiting_for_limit: bool,
    /// A call failed (Cin7 cannot be reached, or fails) and waits to be tried again.
    pub retrying: Option<crate::cin7::Retrying>,
    /// How far back a newest-first import is exact so far.
    pub exact: Option<Exactness>,
}

/// Where one resource's walk stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkProgress {
    pub resource: Resource,
    pub status: WalkStatus,
    /// Pages read so far.
    pub pages: u32,
    pub records: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkStatus {
    Waiting,
    Reading,
    Done,
    Failed,
}

impl WalkStatus {
    pub fn describe(self, pages: u32) -> String {
        match self {
            WalkStatus::Waiting => "waiting".into(),
            WalkStatus::Reading => format!("reading page {}", pages + 1),
            WalkStatus::Done => "done".into(),
            WalkStatus::Failed => "failed".into(),
        }
    }
}

impl Progress {
    pub fn records_total(&self) -> u64 {
        self.records.values().sum()
    }

    /// "2 min 5 s elapsed, about 4 min left · 51 calls, 0 retries": the same words in the
    /// window and the terminal.
    pub fn times_text(&self) -> String {
        let left = match self.eta {
            Some(eta) if !eta.is_zero() => {
                format!(", about {} left", crate::duration::text(eta))
            }
            Some(_) => String::new(),
            None => ", time left not known yet".to_owned(),
        };
        format!(
            "{} elapsed{left} · {} calls, {} retries",
            crate::duration::text(self.elapsed),
            crate::text::thousands(self.calls),
            crate::text::thousands(self.retries)
        )
    }

    /// "Calls: 12 of 60 per 1 min · 51 of 5000 per 1 day" (`None` without limits).
    pub fn limits_text(&self) -> Option<String> {
        let used: Vec<String> = self
            .limits
            .iter()
            .map(|u| {
                format!(
                    "{} of {} per {}",
                    crate::text::thousands(u.used.into()),
                    crate::text::thousands(u.window.calls.into()),
                    crate::duration::text(u.window.per)
                )
            })
            .collect();
        (!used.is_empty()).then(|| format!("Calls: {}", used.join(" · ")))
    }

    /// While a call waits to be tried again: "Cin7 cannot be reached (the connection was
    /// refused): trying again at 10:42:05, attempt 2 of 6.", in this computer's time.
    pub fn retry_text(&self) -> Option<String> {
        let r = self.retrying.as_ref()?;
        let at = chrono::DateTime::<chrono::Local>::from(r.next_attempt);
        Some(format!(
            "{}: trying again at {}, attempt {} of {}.",
            r.trouble,
            at.format("%H:%M:%S"),
            r.attempt,
            r.attempts
        ))
    }

    /// While the rate limit holds calls back: that the run goes at Cin7's pace, which is how
    /// a long run goes all along, not a fault ("Going at Cin7's pace: at most 60 calls per 1
    /// min").
    pub fn waiting_text(&self) -> Option<String> {
        // The window that sets the pace: the slowest, but for the daily budget.
        let mut windows: Vec<&crate::rate_limit::Window> =
            self.limits.iter().map(|u| &u.window).collect();
        windows.sort_by_key(|w| w.per);
        windows.pop();
        let pace = windows.into_iter().min_by(|a, b| {
            let rate = |w: &crate::rate_limit::Window| f64::from(w.calls) / w.per.as_secs_f64();
            rate(a).total_cmp(&rate(b))
        });
        self.waiting_for_limit.then(|| match pace {
            Some(w) => format!(
                "Going at Cin7's pace: at most {} calls per {}",
                w.calls,
                crate::duration::text(w.per)
            ),
            None => "Going at Cin7's pace".to_owned(),
        })
    }
}

impl WalkProgress {
    /// The walk's state and the records read, as its row shows them.
    pub fn status_text(&self) -> String {
        self.status.describe(self.pages)
    }

    pub fn records_text(&self) -> String {
        match self.records {
            1 => "1 record".to_owned(),
            n => format!("{} records", crate::text::thousands(n)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Cin7(#[from] Cin7Error),
    #[error("The import was cancelled; nothing was saved.")]
    Cancelled,
    #[error("The import could not start: {0}.")]
    Start(String),
    #[error("An internal error stopped the import, at {place}; nothing was saved.")]
    Internal { place: String },
    #[error(
        "This project was saved before projects kept their ledger, so it cannot be updated: use Reimport everything (update --full)."
    )]
    NoLedger,
    #[error("Could not keep the run's checkpoint in {dir} ({reason}); nothing was read.")]
    Checkpoint {
        dir: std::path::PathBuf,
        reason: String,
    },
    #[error("{0}")]
    Limits(#[from] crate::project::LimitError),
}

/// What the worker sends to its front end.
#[derive(Debug)]
pub enum ImportEvent {
    Progress(Box<Progress>),
    /// The project a newest-first import has so far (only to a job that shows them).
    Partial(Arc<PartialProject>),
    Finished(Box<Result<Project, ImportError>>),
}

/// Whether a job sends the projects a newest-first import has so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partials {
    /// The window's import, which shows the project growing.
    Shown,
    /// The command line, which prints how far back it is exact, and the runs of a project
    /// the window keeps showing.
    NotShown,
}

/// The listener a job's work reports to: every event goes to the job's channel, and wakes
/// the front end.
pub struct Reporter {
    events: mpsc::Sender<ImportEvent>,
    wake: Arc<dyn Fn() + Send + Sync>,
    partials: Partials,
}

impl Reporter {
    fn new(
        events: &mpsc::Sender<ImportEvent>,
        wake: &Arc<dyn Fn() + Send + Sync>,
        partials: Partials,
    ) -> Self {
        Self {
            events: events.clone(),
            wake: Arc::clone(wake),
            partials,
        }
    }

    fn send(&self, event: ImportEvent) {
        self.events.send(event).ok();
        (self.wake)();
    }
}

impl Listener for Reporter {
    fn progress(&self, progress: Progress) {
        self.send(ImportEvent::Progress(Box::new(progress)));
    }

    fn partials(&self) -> Option<PartialSink> {
        if self.partials == Partials::NotShown {
            return None;
        }
        let (events, wake) = (self.events.clone(), Arc::clone(&self.wake));
        Some(Arc::new(move |partial| {
            events.send(ImportEvent::Partial(Arc::new(partial))).ok();
            wake();
        }))
    }
}

/// A running import on its own thread. Dropping the job cancels it.
pub struct ImportJob {
    events: mpsc::Receiver<ImportEvent>,
    cancel: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
    /// A `Finished` was handed out: a closed channel after it is the normal end.
    finished: std::cell::Cell<bool>,
}

impl ImportJob {
    /// Starts the import; `wake` is called after every event is sent (the window repaints).
    /// With `partials`, the projects a newest-first import has so far come as
    /// [`ImportEvent::Partial`]s.
    pub fn spawn(
        request: ImportRequest,
        partials: Partials,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        Self::start(
            move |reporter| async move { run(&request, reporter, chrono::Utc::now()).await },
            partials,
            wake,
        )
    }

    /// Starts reading everything again for the project `base`, kept at `path`.
    pub fn spawn_reimport(
        request: ImportRequest,
        base: std::sync::Arc<Project>,
        path: Option<std::path::PathBuf>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        Self::start(
            move |reporter| async move {
                reimport(&request, &base, path, reporter, chrono::Utc::now()).await
            },
            Partials::NotShown,
            wake,
        )
    }

    /// Starts an update of a project.
    pub fn spawn_update(request: UpdateRequest, wake: impl Fn() + Send + Sync + 'static) -> Self {
        Self::start(
            move |reporter| async move { update(&request, reporter, chrono::Utc::now()).await },
            Partials::NotShown,
            wake,
        )
    }

    /// Runs `work` (an import, an update) on a thread of its own with its own runtime, handing
    /// it the reporter of its progress (and, if `partials` says so, of its projects so far).
    /// However the work ends, even by a panic, a `Finished` event follows.
    pub fn start<Work, Done>(
        work: Work,
        partials: Partials,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self
    where
        Work: FnOnce(Reporter) -> Done + Send + 'static,
        Done: std::future::Future<Output = Result<Project, ImportError>>,
    {
        let (sender, events) = mpsc::channel();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
        let reporter = Reporter::new(&sender, &wake, partials);
        let work = move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("cin7-import-io")
                .enable_all()
                .build()
                .map_err(|e| ImportError::Start(e.to_string()))?;
            runtime.block_on(async {
                tokio::select! {
                    result = work(reporter) => result,
                    _ = token.cancelled() => Err(ImportError::Cancelled),
                }
            })
        };
        let deliver =
            move |outcome: Result<Result<Project, ImportError>, crate::panics::Panicked>| {
                let result =
                    outcome.unwrap_or_else(|p| Err(ImportError::Internal { place: p.place }));
                sender.send(ImportEvent::Finished(Box::new(result))).ok();
                wake();
            };
        let (thread, events) = match crate::panics::spawn("cin7-import", work, deliver) {
            Ok(thread) => (Some(thread), events),
            Err(e) => {
                let (sender, events) = mpsc::channel();
                let failed = Err(ImportError::Start(e.to_string()));
                sender.send(ImportEvent::Finished(Box::new(failed))).ok();
                (None, events)
            }
        };
        Self {
            events,
            cancel,
            thread,
            finished: std::cell::Cell::new(false),
        }
    }

    /// Asks the import to stop; a `Finished(Err(Cancelled))` event follows promptly.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The token that stops this run, for a stop that comes from elsewhere (Ctrl+C).
    pub fn canceller(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// The next event, if one is waiting.
    pub fn try_next(&self) -> Option<ImportEvent> {
        match self.events.try_recv() {
            Ok(event) => Some(self.seen(event)),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => self.worker_gone(),
        }
    }

    /// Waits up to `timeout` for the next event.
    pub fn next_timeout(&self, timeout: Duration) -> Option<ImportEvent> {
        match self.events.recv_timeout(timeout) {
            Ok(event) => Some(self.seen(event)),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => self.worker_gone(),
        }
    }

    fn seen(&self, event: ImportEvent) -> ImportEvent {
        if matches!(event, ImportEvent::Finished(_)) {
            self.finished.set(true);
        }
        event
    }

    /// The worker is gone: the end if it said so, else a failure said once.
    fn worker_gone(&self) -> Option<ImportEvent> {
        if self.finished.replace(true) {
            return None;
        }
        let place = "the import's thread, which ended without a result".to_owned();
        Some(ImportEvent::Finished(Box::new(Err(
            ImportError::Internal { place },
        ))))
    }
}

impl Drop for ImportJob {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
