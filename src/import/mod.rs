//! The import engine: reads an account through the Cin7 client and builds the project. The
//! window and the command line both run it through [`ImportJob`], on a worker thread.

mod engine;
mod mapping;
mod progress;
mod record;
mod sales;

pub use engine::{minimum_calls, run};

use crate::cin7::{ApiKey, CallLog, Cin7Error, PageStore, Resource, RetryPolicy};
use crate::project::{ConnectionInfo, ImportSettings, Project};
use crate::rate_limit::RateLimits;
use std::collections::BTreeMap;
use std::sync::mpsc;
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
    /// Where pages read are kept until the import finishes, for a run that picks up after a
    /// stop (`None`: not kept).
    pub page_store: Option<PageStore>,
}

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
}

impl Progress {
    pub fn records_total(&self) -> u64 {
        self.records.values().sum()
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
    #[error("{0}")]
    Limits(#[from] crate::project::LimitError),
}

/// What the worker sends to its front end.
#[derive(Debug)]
pub enum ImportEvent {
    Progress(Progress),
    Finished(Box<Result<Project, ImportError>>),
}

/// A running import on its own thread. Dropping the job cancels it.
pub struct ImportJob {
    events: mpsc::Receiver<ImportEvent>,
    cancel: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ImportJob {
    /// Starts the import; `wake` is called after every event is sent (the window repaints).
    pub fn spawn(request: ImportRequest, wake: impl Fn() + Send + 'static) -> Self {
        let (sender, events) = mpsc::channel();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let thread = std::thread::Builder::new().name("cin7-import".into()).spawn(move || {
            let send = |event| {
                sender.send(event).ok();
                wake();
            };
            let result = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(runtime) => runtime.block_on(async {
                    tokio::select! {
                        result = run(&request, |p| send(ImportEvent::Progress(p)), chrono::Utc::now()) => result,
                        _ = token.cancelled() => Err(ImportError::Cancelled),
                    }
                }),
                Err(e) => Err(ImportError::Start(e.to_string())),
            };
            send(ImportEvent::Finished(Box::new(result)));
        });
        match thread {
            Ok(thread) => Self {
                events,
                cancel,
                thread: Some(thread),
            },
            Err(e) => {
                let (sender, events) = mpsc::channel();
                sender
                    .send(ImportEvent::Finished(Box::new(Err(ImportError::Start(
                        e.to_string(),
                    )))))
                    .ok();
                Self {
                    events,
                    cancel,
                    thread: None,
                }
            }
        }
    }

    /// Asks the import to stop; a `Finished(Err(Cancelled))` event follows promptly.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The next event, if one is waiting.
    pub fn try_next(&self) -> Option<ImportEvent> {
        self.events.try_recv().ok()
    }

    /// Waits for the next event; `None` once the worker is gone.
    pub fn next_timeout(&self, timeout: Duration) -> Option<ImportEvent> {
        self.events.recv_timeout(timeout).ok()
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
