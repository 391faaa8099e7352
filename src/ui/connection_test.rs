//! Test connection, as the dialog shows it: the credentials, then Read on every resource an
//! import needs (one call each), each answer as it comes, and the account's branches by name.
//! It gives up within [`TEST_DEADLINE`] when Cin7 cannot be reached, saying why.

use crate::cin7::{Cin7Error, Resource, RetryPolicy};
use crate::import::{ImportRequest, check_permissions};
use crate::project::Location;
use std::time::Duration;

/// How long Test connection waits for Cin7 before it says it could not reach it.
pub(super) const TEST_DEADLINE: Duration = Duration::from_secs(10);

/// One resource's answer: `None` when readable, else what to turn on.
pub(super) type Checked = (Resource, Option<String>);

/// What Test connection found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Findings {
    pub resources: Vec<Checked>,
    /// The account's branches, to choose from (none when they may not be read).
    pub branches: Vec<Location>,
}

impl Findings {
    /// The resources the connection may not read.
    pub(super) fn refused(&self) -> Vec<Resource> {
        self.resources
            .iter()
            .filter(|(_, problem)| problem.is_some())
            .map(|(resource, _)| *resource)
            .collect()
    }
}

/// Runs Test connection on a runtime of its own (it is called on a background thread);
/// `on_checked` sees each answer as it comes.
pub(super) fn run(
    mut request: ImportRequest,
    on_checked: impl Fn(Checked),
) -> Result<Findings, String> {
    // Quick retries: a planner waits on this, and a few failed attempts say enough.
    request.retry = RetryPolicy {
        max_attempts: request.retry.max_attempts.min(3),
        first_delay: request.retry.first_delay.min(Duration::from_secs(1)),
        max_delay: request.retry.max_delay.min(Duration::from_secs(3)),
        ..request.retry
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|_| "The app could not start Test connection: try again.".to_owned())?;
    let checking = check_permissions(&request, |resource, refused| {
        on_checked((resource, refused.map(|_| fix(resource))));
    });
    let found = runtime
        .block_on(async { tokio::time::timeout(TEST_DEADLINE, checking).await })
        .map_err(|_| {
            format!(
                "Cin7 did not answer within {} s at {}: check the API address and this computer's network, then test again.",
                TEST_DEADLINE.as_secs(),
                request.connection.base_url
            )
        })?
        .map_err(|e: Cin7Error| e.to_string())?;
    Ok(Findings {
        resources: found
            .resources
            .into_iter()
            .map(|(resource, refused)| (resource, refused.map(|_| fix(resource))))
            .collect(),
        branches: found.branches,
    })
}

/// What to do about a refused resource.
fn fix(resource: Resource) -> String {
    format!("turn on Read for {resource} in the connection's Permissions")
}
