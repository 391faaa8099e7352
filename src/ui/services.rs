//! What the window talks to outside itself (file choosers, the keychain, Cin7's limits, the
//! state folder, today's date), gathered in one place so that tests can pass scripted
//! choosers, an in-memory keychain and a fixed date.

use super::file_dialogs::FileDialogs;
use crate::cin7::{ApiKey, CallLog, RetryPolicy};
use crate::import::{ImportRequest, RunStore};
use crate::project::{ConnectionInfo, ImportSettings};
use crate::rate_limit::RateLimits;
use crate::secrets::SecretStore;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Services {
    pub dialogs: Box<dyn FileDialogs>,
    pub secrets: Arc<dyn SecretStore>,
    pub rate_limits: RateLimits,
    pub retry: RetryPolicy,
    /// Where each connection's daily call count is kept (`None`: not kept).
    pub call_log: Option<CallLog>,
    /// Where runs keep their checkpoints (`None`: not kept, nothing to resume).
    pub state_dir: Option<PathBuf>,
    /// Today's date where the window counts from it (the dialog's default starting date and
    /// its check that a start is not in the future); tests fix it.
    pub today: fn() -> chrono::NaiveDate,
}

impl Services {
    /// A run's request, paced and retried as every run of the window is.
    pub fn request(
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
            rate_limits: self.rate_limits.clone(),
            retry: self.retry.clone(),
            call_log: self.call_log.clone(),
            run_store,
            newest_first: true,
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        (self.today)()
    }
}

/// Today in the computer's time zone.
pub fn local_today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
