//! An import and a reimport: everything read from the history's start (newest first, or in
//! one pass), recorded and built into a project. The checkpoint kept from the first call lets
//! a stopped run resume with the same queries and the same "as of".

use super::checkpoint::Checkpoint;
use super::fetch::Session;
use super::newest_first::NewestFirst;
use super::plan::Plan;
use super::steps::{Digested, DocumentChanges, Recorded, begin, finish, record_account};
use super::{ImportError, ImportRequest, Listener, Phase};
use crate::project::{Item, Ledger, Location, Project, RunEntry, RunKind};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Runs one import to the end: reads the account, then builds the project as of `now` (or as
/// of the start of the stopped run it resumes).
pub async fn run(
    request: &ImportRequest,
    listener: impl Listener,
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let nothing = Base {
        kind: RunKind::Import,
        project: None,
        ledger: None,
        items: &[],
        locations: &[],
        history: Vec::new(),
    };
    read_everything(request, nothing, listener, now).await
}

/// Reads everything again for the project `base` (kept at `path`): a fresh import that is the
/// project's next run, so its history goes on, and a stopped reimport is one of that project.
pub async fn reimport(
    request: &ImportRequest,
    base: &Project,
    path: Option<PathBuf>,
    listener: impl Listener,
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let base = Base {
        kind: RunKind::Reimport,
        project: path,
        ledger: base.ledger.as_ref(),
        items: &base.items,
        locations: &base.locations,
        history: base.history.clone(),
    };
    read_everything(request, base, listener, now).await
}

/// What a run that reads everything starts from.
struct Base<'a> {
    /// An import, or a reimport of a project.
    kind: RunKind,
    /// Where that project is kept.
    project: Option<PathBuf>,
    /// Its ledger, which the run's documents are counted against, with its items and
    /// locations.
    ledger: Option<&'a Ledger>,
    items: &'a [Item],
    locations: &'a [Location],
    /// Its runs so far.
    history: Vec<RunEntry>,
}

async fn read_everything(
    request: &ImportRequest,
    base: Base<'_>,
    listener: impl Listener,
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    request.settings.check(now)?;
    let started_at = Utc::now();
    let checkpoint = begin(
        request.run_store.as_ref(),
        Checkpoint {
            kind: base.kind,
            connection: request.connection.clone(),
            settings: request.settings.clone(),
            as_of: now,
            project: base.project,
            base_as_of: base.ledger.map(|l| l.as_of),
            newest_first: request.newest_first,
            edits_since: None,
            exact: None,
        },
    )?;
    let as_of = checkpoint.as_of;
    let session = Session::open(request)?;
    let progress = |p| listener.progress(p);
    progress(session.progress(Phase::Reading));
    // A stopped run resumes as it read (one of an earlier version, in one pass).
    let read = if checkpoint.newest_first {
        NewestFirst::new(&session, request, checkpoint, &listener)
            .read()
            .await?
    } else {
        let plan = Plan::import(&request.settings);
        session.read(&plan, &progress).await?
    };
    progress(session.progress(Phase::Building));
    let (items, locations, ledger) = record_account(read, &request.settings, as_of);
    // A reimport says what it found changed against the project it read again.
    let changes = match base.ledger {
        Some(old) => {
            let newer = Digested::new(&ledger, &items, &locations);
            DocumentChanges::between(
                &Digested::those_in(old, base.items, base.locations, &newer),
                &newer,
            )
        }
        None => DocumentChanges {
            added: ledger.documents.len() as u64,
            ..DocumentChanges::default()
        },
    };
    let recorded = Recorded {
        items,
        locations,
        ledger,
        kind: base.kind,
        started_at,
        changes,
    };
    finish(request, &session, recorded, base.history)
}
