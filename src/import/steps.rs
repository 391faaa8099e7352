//! The steps every run takes, an import's, a reimport's and an update's: beginning (or
//! resuming) from the checkpoint, what the read gives besides documents, the documents as a
//! ledger, the changes against the project before, and the finished project with its report.

use super::checkpoint::{Checkpoint, RunStore};
use super::fetch::{AccountRead, Session};
use super::mapping::{self, Catalogue};
use super::progress::Tracker;
use super::record::{self, Older, Read};
use super::{ImportError, ImportRequest};
use crate::cin7::model::Bounded;
use crate::project::ledger::DocumentKind;
use crate::project::rebuild::{Places, Rebuilt, rebuild};
use crate::project::stock::Extent;
use crate::project::{
    ConnectionInfo, DataWarnings, ImportReport, ImportSettings, Item, Ledger, Location, Project,
    RunEntry, RunKind,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// The fewest calls that can read `records` records: one per 250, plus the empty page that
/// proves the end.
pub fn minimum_calls(records: u64) -> u64 {
    records.div_ceil(u64::from(crate::cin7::MAX_ROWS)) + 1
}

/// The resources every run walks, whose Read permission an import needs.
pub const RESOURCES_READ: [crate::cin7::Resource; 10] = {
    use crate::cin7::Resource as R;
    [
        R::Contacts,
        R::Branches,
        R::Products,
        R::Stock,
        R::SalesOrders,
        R::CreditNotes,
        R::PurchaseOrders,
        R::BranchTransfers,
        R::Adjustments,
        R::BomMasters,
    ]
};

/// Starts or resumes a run: the checkpoint it goes by (the moment it is as of, and how it
/// reads). A checkpoint of the same run (kind, connection, settings and the project it
/// started from) is resumed; anything else in the store is a stopped run of something else,
/// or a finished one whose project moved on, and is replaced.
pub(super) fn begin(
    store: Option<&RunStore>,
    fresh: Checkpoint,
) -> Result<Checkpoint, ImportError> {
    let Some(store) = store else {
        return Ok(fresh);
    };
    if let Some(stopped) = store.load()
        && stopped.kind == fresh.kind
        && stopped.connection == fresh.connection
        && stopped.settings == fresh.settings
        && stopped.base_as_of == fresh.base_as_of
    {
        return Ok(stopped);
    }
    let kept = store.remove().and_then(|()| store.save(&fresh));
    kept.map_err(|e| ImportError::Checkpoint {
        dir: store.dir().to_owned(),
        reason: crate::io_error::reason(&e),
    })?;
    Ok(fresh)
}

/// What a run's documents did to the ledger, for its entry in the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct DocumentChanges {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub voided: u64,
}

impl DocumentChanges {
    /// What `newer`'s documents are to `old`'s: new, void now and counted before, changed, or
    /// the same, by their digests ([`Ledger::digests`]) in each.
    pub(super) fn between(old: &Digested<'_>, newer: &Digested<'_>) -> Self {
        let counted: HashMap<(DocumentKind, i64), bool> = (0..old.ledger.documents.len())
            .map(|i| {
                let d = &old.ledger.documents;
                ((d.kind[i], d.id[i]), d.counted[i])
            })
            .collect();
        let mut changes = Self::default();
        let d = &newer.ledger.documents;
        for i in 0..d.len() {
            let key = (d.kind[i], d.id[i]);
            match counted.get(&key) {
                None => changes.added += 1,
                Some(true) if !d.counted[i] && is_sale(d.kind[i]) => changes.voided += 1,
                Some(_) if old.digests.get(&key) == newer.digests.get(&key) => {
                    changes.unchanged += 1;
                }
                Some(_) => changes.changed += 1,
            }
        }
        changes
    }
}

/// A ledger and the digests of its documents.
pub(super) struct Digested<'a> {
    pub ledger: &'a Ledger,
    pub digests: HashMap<(DocumentKind, i64), u64>,
}

impl<'a> Digested<'a> {
    /// Every document of `ledger`, digested.
    pub(super) fn new(ledger: &'a Ledger, items: &[Item], locations: &[Location]) -> Self {
        Self {
            ledger,
            digests: ledger.digests(items, locations, |_| true),
        }
    }

    /// The documents of `ledger` that `newer` has too, digested: the others are not compared.
    pub(super) fn those_in(
        ledger: &'a Ledger,
        items: &[Item],
        locations: &[Location],
        newer: &Digested<'_>,
    ) -> Self {
        Self {
            ledger,
            digests: ledger.digests(items, locations, |key| newer.digests.contains_key(key)),
        }
    }
}

fn is_sale(kind: DocumentKind) -> bool {
    matches!(kind, DocumentKind::SalesOrder | DocumentKind::CreditNote)
}

/// A run about to become the project: what it recorded, and what its history entry will say.
pub(super) struct Recorded {
    pub items: Vec<Item>,
    pub locations: Vec<Location>,
    pub ledger: Ledger,
    pub kind: RunKind,
    pub started_at: DateTime<Utc>,
    pub changes: DocumentChanges,
}

/// The project a run ends with: its ledger rebuilt under the run's settings, the run's report,
/// and `history` with the run's entry added.
pub(super) fn finish(
    run: &ImportRequest,
    session: &Session<'_>,
    recorded: Recorded,
    mut history: Vec<RunEntry>,
) -> Result<Project, ImportError> {
    let Recorded {
        items,
        locations,
        ledger,
        kind,
        started_at,
        changes,
    } = recorded;
    let mut ledger = ledger;
    ledger.cin7_clock_ahead_secs = session
        .client
        .stats()
        .cin7_clock_ahead()
        .map(|ahead| ahead.num_seconds());
    let rebuilt = rebuild(&ledger, &run.settings, &items, &locations)?;
    let report = import_report(&session.tracker.borrow(), started_at, &rebuilt.warnings);
    history.push(RunEntry {
        kind,
        started_at,
        finished_at: report.finished_at,
        calls: report.calls,
        documents_added: changes.added,
        documents_changed: changes.changed,
        documents_unchanged: changes.unchanged,
        documents_voided: changes.voided,
    });
    Ok(Project {
        report,
        ledger: Some(ledger),
        history,
        ..project_of(&run.connection, &run.settings, items, locations, rebuilt)
    })
}

/// The project of `items` and `locations` with the series `rebuilt` gives them, without a
/// ledger, a report or a history.
fn project_of(
    connection: &ConnectionInfo,
    settings: &ImportSettings,
    items: Vec<Item>,
    locations: Vec<Location>,
    rebuilt: Rebuilt,
) -> Project {
    Project {
        connection: connection.clone(),
        settings: settings.clone(),
        items,
        locations,
        periods: rebuilt.calendar.periods,
        last_period_in_progress: true,
        series: rebuilt.series,
        report: ImportReport {
            warnings: rebuilt.warnings,
            ..ImportReport::default()
        },
        ledger: None,
        measured_at: rebuilt.measured_at,
        history: Vec::new(),
        planning: rebuilt.planning,
    }
}

/// The project a newest-first import has so far, from what it has read, as of `as_of`: only
/// what its periods show (its ledger, report and history come with the finished project).
pub(super) fn partial(
    read: AccountRead,
    connection: &ConnectionInfo,
    settings: &ImportSettings,
    as_of: DateTime<Utc>,
) -> Result<Project, crate::project::LimitError> {
    let (items, locations, ledger) = record_account(read, settings, as_of);
    let rebuilt = rebuild(&ledger, settings, &items, &locations)?;
    Ok(project_of(connection, settings, items, locations, rebuilt))
}

/// What an import read, as the project's items, locations and ledger as of `as_of`.
pub(super) fn record_account(
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

/// How the run went: its calls against the fewest that could have read the same records.
pub(super) fn import_report(
    tracker: &Tracker,
    started_at: DateTime<Utc>,
    warnings: &DataWarnings,
) -> ImportReport {
    let s = tracker.stats().snapshot();
    let records = tracker.records();
    ImportReport {
        started_at,
        finished_at: Utc::now(),
        calls: s.calls,
        pages_reused: s.reused_pages,
        // Every walk ends with its empty page, a walk with no records too (a resource walked
        // twice has two); the probe for the highest order id, where there was one, is one
        // call beyond.
        minimum_calls: RESOURCES_READ
            .iter()
            .map(|r| minimum_calls(records.get(r).copied().unwrap_or(0)))
            .sum::<u64>()
            + tracker.second_walks()
            + u64::from(tracker.probed()),
        retries: s.retries,
        elapsed_ms: tracker.elapsed().as_millis() as u64,
        rate_limit_wait_ms: s.waited.as_millis() as u64,
        records: records
            .iter()
            .map(|(r, n)| (r.path().to_owned(), *n))
            .collect(),
        warnings: warnings.clone(),
    }
}

/// Keeps the records inside [`crate::bounds`], and says how many were not.
fn within_bounds<T: Bounded>(records: Vec<T>) -> (Vec<T>, u64) {
    let before = records.len();
    let kept: Vec<T> = records.into_iter().filter(Bounded::within_bounds).collect();
    let rejected = (before - kept.len()) as u64;
    (kept, rejected)
}

/// What the run knows of the account besides its documents: the catalogue, suppliers and
/// branches a read gives (its [`super::fetch::ReferenceRead`]), and how many records it left out.
pub(super) struct Reference {
    pub catalogue: Catalogue,
    /// Supplier names by contact id.
    pub suppliers: HashMap<i64, String>,
    /// The products read, by id (an update reads only those modified since).
    pub product_ids: HashSet<i64>,
    pub locations: Vec<Location>,
    pub branch_ids: Vec<i64>,
    pub rejected: u64,
}

impl Reference {
    /// What `read` gives, within bounds, its locations limited to the branches `settings`
    /// wants; the records it takes are moved out of the read.
    pub(super) fn from_read(read: &mut AccountRead, settings: &ImportSettings) -> Self {
        let m = &mut read.reference;
        let (suppliers, rejected_suppliers) = within_bounds(std::mem::take(&mut m.suppliers));
        let (products, rejected_products) = within_bounds(std::mem::take(&mut m.products));
        let (branches, rejected_branches) = within_bounds(std::mem::take(&mut m.branches));
        let suppliers: HashMap<i64, String> = suppliers
            .into_iter()
            .filter_map(|c| Some(((*c.id)?, c.company.0?)))
            .collect();
        Self {
            catalogue: Catalogue::from_products(&products, &suppliers),
            product_ids: products.iter().filter_map(|p| *p.id).collect(),
            suppliers,
            branch_ids: branches.iter().filter_map(|b| *b.id).collect(),
            locations: mapping::locations(&branches)
                .into_iter()
                .filter(|l| settings.includes_branch(l.branch_id))
                .collect(),
            rejected: rejected_suppliers + rejected_products + rejected_branches,
        }
    }
}

/// The documents and stock of a read, as a ledger as of `as_of` against `catalogue` and
/// `locations` (which may hold more than the read's own, for an update).
pub(super) fn record_documents(
    read: &AccountRead,
    catalogue: &Catalogue,
    locations: &[Location],
    branch_ids: Vec<i64>,
    as_of: DateTime<Utc>,
    stock_extent: Extent,
) -> Ledger {
    let places = Places::new(locations, branch_ids.iter().copied());
    let d = &read.documents;
    let branch_names: HashMap<i64, String> = mapping::locations(&read.reference.branches)
        .into_iter()
        .map(|l| (l.branch_id, l.name))
        .collect();
    let documents = Read {
        orders: &d.orders,
        credit_notes: &d.credit_notes,
        purchase_orders: &d.purchase_orders,
        transfers: &d.transfers,
        adjustments: &d.adjustments,
        older: Older {
            orders: &d.older.orders,
            purchase_orders: &d.older.purchase_orders,
            transfers: &d.older.transfers,
        },
        boms: &read.reference.boms,
        branch_names: &branch_names,
        stock: &read.reference.stock,
        stock_extent,
    };
    let mut ledger = record::ledger(&documents, catalogue, &places, as_of, branch_ids);
    ledger.older_open_orders_missing = d.older.refused;
    ledger
}
