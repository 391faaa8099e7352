//! An import and a reimport: everything read from the history's start, recorded and built
//! into a project. The checkpoint kept from the first call lets a stopped run resume with the
//! same queries and the same "as of".

use super::checkpoint::Checkpoint;
use super::fetch::{AccountRead, Session};
use super::plan::Plan;
use super::steps::{
    Digested, DocumentChanges, Recorded, Reference, begin, finish, record_documents,
};
use super::{ImportError, ImportRequest, Phase, Progress};
use crate::project::stock::Extent;
use crate::project::{ImportSettings, Item, Ledger, Location, Project, RunEntry, RunKind};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Runs one import to the end: reads the account, then builds the project as of `now` (or as
/// of the start of the stopped run it resumes).
pub async fn run(
    request: &ImportRequest,
    progress: impl Fn(Progress),
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
    read_everything(request, nothing, progress, now).await
}

/// Reads everything again for the project `base` (kept at `path`): a fresh import that is the
/// project's next run, so its history goes on, and a stopped reimport is one of that project.
pub async fn reimport(
    request: &ImportRequest,
    base: &Project,
    path: Option<PathBuf>,
    progress: impl Fn(Progress),
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
    read_everything(request, base, progress, now).await
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
    progress: impl Fn(Progress),
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    request.settings.check(now)?;
    let started_at = Utc::now();
    let as_of = begin(
        request.run_store.as_ref(),
        &Checkpoint {
            kind: base.kind,
            connection: request.connection.clone(),
            settings: request.settings.clone(),
            as_of: now,
            project: base.project,
            base_as_of: base.ledger.map(|l| l.as_of),
        },
    )?;
    let session = Session::open(request)?;
    progress(session.progress(Phase::Reading));
    let read = session
        .read(&Plan::import(&request.settings), &progress)
        .await?;
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

/// What an import read, as the project's items, locations and ledger as of `as_of`.
fn record_account(
    mut read: AccountRead,
    settings: &ImportSettings,
    as_of: DateTime<Utc>,
) -> (Vec<Item>, Vec<Location>, Ledger) {
    let reference = Reference::from_read(&mut read, settings);
    let mut ledger = record_documents(
        &read,
        &reference.catalogue,
        &reference.locations,
        reference.branch_ids,
        as_of,
        Extent::Full,
    );
    ledger.rejected_records += reference.rejected;
    (reference.catalogue.items, reference.locations, ledger)
}
