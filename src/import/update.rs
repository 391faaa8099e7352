//! Update data: the project made current without reading its history again. Master data is
//! read in full (new items and branches appear); documents and stock rows only where modified
//! since the last run, less an overlap. Each document read again replaces all it contributed to
//! the ledger; the stock rows read are the project's next stock reading; the periods run on to
//! now. After any change on the server, the result equals a fresh import at the same moment,
//! but for what only the earlier readings can give (measured values of earlier periods, stock
//! drift).

use super::checkpoint::Checkpoint;
use super::engine::{DocumentChanges, Recorded, begin, finish, master, record_documents};
use super::fetch::Session;
use super::plan::Plan;
use super::{ImportError, ImportRequest, Phase, Progress};
use crate::project::calendar::earliest_start;
use crate::project::ledger::Ledger;
use crate::project::{Project, RunKind};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// The overlap an update reads back by: a day, as other Cin7 connectors do, so that clocks a
/// little apart and documents saved while the last run read lose nothing.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(86_400);

/// Everything one update needs: the connection (its settings are the project's) and the
/// project as it is.
pub struct UpdateRequest {
    pub run: ImportRequest,
    /// Shared with the window, which keeps showing it while the update runs.
    pub project: std::sync::Arc<Project>,
    /// Where the project is kept, for its checkpoint.
    pub path: Option<std::path::PathBuf>,
    pub overlap: Duration,
}

/// Runs one update to the end: the project as of `now` (or of the start of the stopped update
/// it resumes).
pub async fn update(
    request: &UpdateRequest,
    progress: impl Fn(Progress),
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let base = &request.project;
    let old = base.ledger.as_ref().ok_or(ImportError::NoLedger)?;
    let run = &request.run;
    run.settings.check(now)?;
    let started_at = Utc::now();
    // Never from before what the project was first read from.
    let since = (old.as_of - chrono::TimeDelta::from_std(request.overlap).unwrap_or_default())
        .max(earliest_start(run.settings.starting_date));
    let as_of = begin(
        run.run_store.as_ref(),
        Checkpoint {
            kind: RunKind::Update,
            connection: run.connection.clone(),
            settings: run.settings.clone(),
            as_of: now,
            project: request.path.clone(),
            base_as_of: Some(old.as_of),
        },
    )?;
    let session = Session::open(run)?;
    progress(session.progress(Phase::Reading));
    let mut read = session.read(&Plan::update(since), &progress).await?;
    progress(session.progress(Phase::Building));

    let master = master(&mut read, &run.settings);
    let (items, item_map) = merge(master.catalogue.items.clone(), &base.items, |i| {
        (i.product_option_id, i.size.clone())
    });
    let (locations, location_map) =
        merge(master.locations.clone(), &base.locations, |l| l.branch_id);
    let newer = record_documents(
        &read,
        &master.catalogue,
        &locations,
        master.branch_ids,
        as_of,
        false,
    );
    let changes = DocumentChanges::between(old, &newer);
    let mut ledger = remapped(old, &item_map, &location_map);
    ledger.replace_documents(newer);
    ledger.rejected_records += master.rejected;

    let recorded = Recorded {
        items,
        locations,
        ledger,
        kind: RunKind::Update,
        started_at,
        changes,
    };
    finish(run, &session, recorded, base.history.clone())
}

/// `fresh` (as a fresh import has them, in its order), then the `older` ones it no longer
/// lists (a deleted product or branch keeps its history); and where each older one is now.
fn merge<T: Clone, K: std::hash::Hash + Eq>(
    fresh: Vec<T>,
    older: &[T],
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Vec<u32>) {
    let mut merged = fresh;
    let mut at: HashMap<K, u32> = merged
        .iter()
        .enumerate()
        .map(|(i, x)| (key(x), i as u32))
        .collect();
    let map = older
        .iter()
        .map(|x| {
            *at.entry(key(x)).or_insert_with(|| {
                merged.push(x.clone());
                (merged.len() - 1) as u32
            })
        })
        .collect();
    (merged, map)
}

/// The ledger with its item and location indexes moved to the merged lists.
fn remapped(old: &Ledger, items: &[u32], locations: &[u32]) -> Ledger {
    let mut ledger = old.clone();
    for item in ledger
        .sales
        .item
        .iter_mut()
        .chain(ledger.movements.item.iter_mut())
    {
        *item = items[*item as usize];
    }
    for location in &mut ledger.movements.location {
        *location = locations[*location as usize];
    }
    ledger
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_lists_keep_what_the_fresh_one_dropped() {
        let (merged, map) = merge(vec!['b', 'c', 'd'], &['a', 'b', 'c'], |x| *x);
        assert_eq!(merged, vec!['b', 'c', 'd', 'a']);
        assert_eq!(map, vec![3, 0, 1]);
    }
}
