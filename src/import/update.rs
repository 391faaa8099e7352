//! Update data: the project made current without reading its history again. Suppliers and
//! branches are read in full; products, documents and stock rows only where modified since
//! the last run, less an overlap (a product's options are part of it: a new or changed option
//! dates the product; should a document name an option nothing read has, every product is
//! read). Each document read again replaces all it contributed to
//! the ledger; the stock rows read are the project's next stock reading; the periods run on to
//! now. After any change on the server, the result equals a fresh import at the same moment,
//! but for what only the earlier readings can give (measured values of earlier periods, stock
//! drift).

use super::checkpoint::Checkpoint;
use super::fetch::{AccountRead, Session};
use super::mapping::Catalogue;
use super::plan::Plan;
use super::steps::{
    Digested, DocumentChanges, Recorded, Reference, begin, finish, record_documents,
};
use super::{ImportError, ImportRequest, Listener, Phase};
use crate::project::calendar::earliest_start;
use crate::project::ledger::Ledger;
use crate::project::stock::Extent;
use crate::project::{ImportSettings, Item, Project, RunKind};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// The overlap an update reads back by, so that a document saved while the last run read (and
/// dated a little before its start) is not lost. The last run's start is taken by Cin7's clock,
/// as that run measured it against this computer's, so an hour is plenty.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(3600);

/// The overlap when the last run could not tell Cin7's clock (a project from before it was
/// measured, or a server that dated nothing believably): a day, as other Cin7 connectors use,
/// covers clocks that are hours apart.
const UNMEASURED_CLOCK_OVERLAP: Duration = Duration::from_secs(86_400);

/// Where an update starts reading: the last run's start by Cin7's clock, less the overlap;
/// never before what the project was first read from.
fn read_since(old: &Ledger, settings: &ImportSettings, overlap: Duration) -> DateTime<Utc> {
    let believable = |secs: &i64| secs.abs() <= crate::cin7::BELIEVABLE_CLOCK_GAP.num_seconds();
    let (ahead, overlap) = match old.cin7_clock_ahead_secs.filter(believable) {
        Some(secs) => (chrono::TimeDelta::seconds(secs), overlap),
        None => (
            chrono::TimeDelta::zero(),
            overlap.max(UNMEASURED_CLOCK_OVERLAP),
        ),
    };
    let overlap = chrono::TimeDelta::from_std(overlap).unwrap_or(chrono::TimeDelta::MAX);
    (old.as_of + ahead)
        .checked_sub_signed(overlap)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
        .max(earliest_start(settings.starting_date))
}

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
    listener: impl Listener,
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let base = &request.project;
    let old = base.ledger.as_ref().ok_or(ImportError::NoLedger)?;
    let run = &request.run;
    run.settings.check(now)?;
    let started_at = Utc::now();
    let since = read_since(old, &run.settings, request.overlap);
    let as_of = begin(
        run.run_store.as_ref(),
        Checkpoint {
            kind: RunKind::Update,
            connection: run.connection.clone(),
            settings: run.settings.clone(),
            as_of: now,
            project: request.path.clone(),
            base_as_of: Some(old.as_of),
            newest_first: false,
            edits_since: None,
            exact: None,
        },
    )?
    .as_of;
    let session = Session::open(run)?;
    let progress = |p| listener.progress(p);
    progress(session.progress(Phase::Reading));
    let mut read = session.read(&Plan::update(since), &progress).await?;
    if names_unknown_options(&read, base.items.iter().map(|i| i.product_option_id)) {
        // Cin7 may change a product's options without dating the product: read them all.
        let every_product = &Plan::import(&run.settings).products;
        read.reference.products = session.read_all_products(every_product, &progress).await?;
    }
    progress(session.progress(Phase::Building));

    let reference = Reference::from_read(&mut read, &run.settings);
    let listed = items_now(&base.items, &reference);
    let (items, item_map) = merge(listed, &base.items, |i| {
        (i.product_option_id, i.size.clone())
    });
    let catalogue = Catalogue::from_items(items.clone());
    let (locations, location_map) = merge(reference.locations.clone(), &base.locations, |l| {
        l.branch_id
    });
    let newer = record_documents(
        &read,
        &catalogue,
        &locations,
        reference.branch_ids,
        as_of,
        Extent::Changes,
    );
    let digested = Digested::new(&newer, &items, &locations);
    let changes = DocumentChanges::between(
        &Digested::those_in(old, &base.items, &base.locations, &digested),
        &digested,
    );
    let mut ledger = remapped(old, &item_map, &location_map);
    ledger.replace_documents(newer);
    ledger.rejected_records += reference.rejected;

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

/// Whether a document read names an option that neither `known` (the project's items' or
/// the products read before) nor the products read have.
pub(super) fn names_unknown_options(
    read: &AccountRead,
    known: impl IntoIterator<Item = i64>,
) -> bool {
    let known: HashSet<i64> = known
        .into_iter()
        .chain(
            read.reference
                .products
                .iter()
                .flat_map(|p| p.product_options.iter().flatten())
                .filter_map(|o| *o.id),
        )
        .collect();
    let d = &read.documents;
    let lines = d
        .orders
        .iter()
        .map(|o| &o.line_items)
        .chain(d.credit_notes.iter().map(|c| &c.line_items))
        .chain(d.purchase_orders.iter().map(|p| &p.line_items))
        .chain(d.transfers.iter().map(|t| &t.line_items))
        .chain(d.adjustments.iter().map(|a| &a.line_items))
        .flat_map(|items| items.iter().flatten());
    lines
        .filter_map(|line| *line.product_option_id)
        .any(|id| id != 0 && !known.contains(&id))
}

/// The items a fresh import would list now, in its order (by product, as products are read):
/// the project's, but those of the products read again, which come as they are now. Supplier
/// names are as the suppliers read now give them.
fn items_now(base: &[Item], reference: &Reference) -> Vec<Item> {
    let mut items: Vec<Item> = base
        .iter()
        .filter(|i| {
            i.product_id
                .is_none_or(|id| !reference.product_ids.contains(&id))
        })
        .cloned()
        .chain(reference.catalogue.items.iter().cloned())
        .collect();
    // Stable: the options of one product keep their order.
    items.sort_by_key(|i| (i.product_id.is_none(), i.product_id));
    for item in &mut items {
        if let Some(id) = item.supplier_id {
            item.supplier = reference.suppliers.get(&id).cloned();
        }
    }
    items
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
        .chain(ledger.open_lines.item.iter_mut())
        .chain(ledger.receipts.item.iter_mut())
    {
        *item = items[*item as usize];
    }
    for location in ledger
        .movements
        .location
        .iter_mut()
        .chain(ledger.open_lines.location.iter_mut())
        .chain(ledger.receipts.location.iter_mut())
    {
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
