//! The read of a newest-first import, under one pacer:
//! - master data, kits and every document but the sales orders, each in one walk as a single
//!   pass reads them, all at once with
//! - the sales orders' windows and the current stock (which every on-hand value is worked
//!   back from), one after another: the first three windows (the last 147 days), the stock,
//!   then the older windows. Each starts when the one before has had its last records, so
//!   that the pacer never waits on a walk's closing empty page;
//! - then what changed since the run started, read as an update reads it (suppliers and
//!   branches in full again), so that what was edited while the import ran is as it is at
//!   the end.
//!
//! After each window the project so far goes to the front end (when it shows it), with how
//! far back it is exact; the checkpoint keeps that too, and the instant windows take edits
//! from, so that a resumed run makes the same queries.

use super::checkpoint::Checkpoint;
use super::fetch::{AccountRead, DocumentsRead, ReferenceRead, Session};
use super::merge;
use super::plan::Plan;
use super::update::{DEFAULT_OVERLAP, names_unknown_options};
use super::windows::{Exactness, Windows};
use super::{ImportRequest, Listener, PartialProject, PartialSink, Phase, Progress};
use crate::cin7::model::{SalesOrder, StockRow};
use crate::cin7::{Cin7Error, Resource};
use crate::project::calendar::earliest_start;
use chrono::{DateTime, TimeDelta, Utc};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};
use tokio::sync::Notify;

/// How many windows are read before the stock: the last 147 days, which cover the quarter
/// a planner looks at first, come within the first tenth of the calls; the stock, nearly
/// half of them, comes next.
const WINDOWS_BEFORE_STOCK: usize = 3;

/// One newest-first read of an account.
pub(super) struct NewestFirst<'s, 'r, L: Listener> {
    session: &'s Session<'r>,
    request: &'r ImportRequest,
    listener: &'s L,
    windows: Windows,
    as_of: DateTime<Utc>,
    start: DateTime<Utc>,
    checkpoint: RefCell<Checkpoint>,
    reads: RefCell<Reads>,
    /// How far back the project was last said to be exact.
    said: Cell<Option<Exactness>>,
    builder: Option<PartialBuilder>,
}

/// A walk of those read one after another: a window of sales orders, or the stock.
#[derive(Clone, Copy)]
enum Walk {
    Window(usize),
    Stock,
}

/// What the phases have read so far, shared with the builder of partial projects.
#[derive(Clone, Default)]
struct Reads {
    /// Suppliers, branches, products and kits (the stock is read on its own).
    reference: Option<Arc<ReferenceRead>>,
    /// Every document but the sales orders, and the older open ones of all three kinds.
    documents: Option<Arc<DocumentsRead>>,
    /// The sales orders of each window read, by window (0 the newest).
    windows: BTreeMap<usize, Arc<Vec<SalesOrder>>>,
    stock: Option<Arc<Vec<StockRow>>>,
}

impl<'s, 'r, L: Listener> NewestFirst<'s, 'r, L> {
    pub(super) fn new(
        session: &'s Session<'r>,
        request: &'r ImportRequest,
        checkpoint: Checkpoint,
        listener: &'s L,
    ) -> Self {
        let as_of = checkpoint.as_of;
        let start = earliest_start(request.settings.starting_date);
        let builder = listener
            .partials()
            .and_then(|sink| PartialBuilder::start(sink, request, as_of));
        Self {
            session,
            request,
            listener,
            windows: Windows::new(as_of, start),
            as_of,
            start,
            checkpoint: RefCell::new(checkpoint),
            reads: RefCell::default(),
            said: Cell::new(None),
            builder,
        }
    }

    /// Reads the account, newest first: everything a single pass reads, as it is at the end.
    pub(super) async fn read(mut self) -> Result<AccountRead, Cin7Error> {
        let progress = |p: Progress| self.listener.progress(p);
        let read = self
            .session
            .reading(self.phases(&progress), &progress)
            .await;
        if let Some(builder) = self.builder.take() {
            builder.finish();
        }
        read
    }

    async fn phases(&self, progress: &impl Fn(Progress)) -> Result<AccountRead, Cin7Error> {
        let session = self.session;
        session.client.pace_evenly();
        // Both show as waiting from the start: the windows, and the stock that follows the
        // first of them.
        for resource in [Resource::SalesOrders, Resource::Stock] {
            session.tracker.borrow_mut().planned(resource);
        }
        let plan = Plan {
            stock: None,
            ..Plan::newest_first(&self.request.settings)
        };
        let first = WINDOWS_BEFORE_STOCK.min(self.windows.len());
        let in_turn: Vec<Walk> = (0..first)
            .map(Walk::Window)
            .chain([Walk::Stock])
            .chain((first..self.windows.len()).map(Walk::Window))
            .collect();
        let (reference, documents, in_turn) = tokio::join!(
            async {
                let read = session.read_reference(&plan, progress).await?;
                self.reads.borrow_mut().reference = Some(Arc::new(read));
                self.advance(progress);
                Ok::<_, Cin7Error>(())
            },
            async {
                let read = session.read_documents(&plan, progress).await?;
                self.reads.borrow_mut().documents = Some(Arc::new(read));
                self.advance(progress);
                Ok(())
            },
            self.read_in_turn(&in_turn, progress),
        );
        reference?;
        documents?;
        in_turn?;
        let read = self.reads.take().into_account();
        self.catch_up(read, progress).await
    }

    /// Reads `walks` one after another. Each starts once the one before has had its last
    /// records (a page short of 250): while that walk waits for its empty page, the next one's
    /// first pages keep the pacer busy.
    async fn read_in_turn(
        &self,
        walks: &[Walk],
        progress: &impl Fn(Progress),
    ) -> Result<(), Cin7Error> {
        let gates: Vec<Notify> = walks.iter().map(|_| Notify::new()).collect();
        let counts: Vec<Cell<u64>> = walks.iter().map(|_| Cell::new(0)).collect();
        let reads = walks.iter().enumerate().map(|(i, walk)| {
            let (gates, counts) = (&gates, &counts);
            async move {
                if i > 0 {
                    gates[i].notified().await;
                }
                let open_next = || gates.get(i + 1).map(Notify::notify_one);
                let seen = |records: usize| {
                    counts[i].set(counts[i].get() + records as u64);
                    if records < crate::cin7::MAX_ROWS as usize {
                        open_next();
                    }
                };
                let read = match *walk {
                    Walk::Stock => self.read_stock(seen, progress).await,
                    Walk::Window(k) => {
                        // The window before, for its eagerness: what it has read so far.
                        let before = walks[..i]
                            .iter()
                            .rposition(|w| matches!(w, Walk::Window(_)));
                        let newer = before.map_or(0, |b| counts[b].get());
                        self.read_window(k, newer, seen, progress).await
                    }
                };
                open_next();
                read
            }
        });
        futures_util::future::try_join_all(reads).await.map(|_| ())
    }

    /// Reads the current stock, showing the size of each page to `seen`.
    async fn read_stock(
        &self,
        seen: impl FnMut(usize),
        progress: &impl Fn(Progress),
    ) -> Result<(), Cin7Error> {
        let Some(query) = Plan::newest_first(&self.request.settings).stock else {
            return Ok(());
        };
        let stock = self
            .session
            .walk_seeing(Resource::Stock, &query, progress, seen)
            .await?;
        self.reads.borrow_mut().stock = Some(Arc::new(stock));
        self.advance(progress);
        Ok(())
    }

    /// Reads window `k` (the one before it held `newer` orders), showing the size of each page
    /// to `seen`.
    async fn read_window(
        &self,
        k: usize,
        newer: u64,
        seen: impl FnMut(usize),
        progress: &impl Fn(Progress),
    ) -> Result<(), Cin7Error> {
        // The first window has no upper edge, so it needs no instant to take edits from.
        let edits_since = if k == 0 {
            self.as_of
        } else {
            self.edits_since()
        };
        let query = self.windows.query(k, newer, edits_since);
        let orders = self
            .session
            .list_seeing(Resource::SalesOrders, &query, progress, seen)
            .await;
        let orders = orders.inspect_err(|_| {
            self.session
                .tracker
                .borrow_mut()
                .ended(Resource::SalesOrders, false);
        })?;
        let all_read = {
            let mut reads = self.reads.borrow_mut();
            reads.windows.insert(k, Arc::new(orders));
            reads.windows.len() == self.windows.len()
        };
        if all_read {
            let mut tracker = self.session.tracker.borrow_mut();
            tracker.ended(Resource::SalesOrders, true);
        }
        self.advance(progress);
        Ok(())
    }

    /// The instant a window takes edits from: the run's start by Cin7's clock, less the
    /// overlap an update takes; fixed at the first window that needs it (an answer has come
    /// by then, so Cin7's clock is measured) and kept in the checkpoint.
    fn edits_since(&self) -> DateTime<Utc> {
        if let Some(since) = self.checkpoint.borrow().edits_since {
            return since;
        }
        let overlap = TimeDelta::from_std(DEFAULT_OVERLAP).unwrap_or(TimeDelta::hours(1));
        let since = match self.session.client.stats().cin7_clock_ahead() {
            Some(ahead) => self.as_of + ahead - overlap,
            // A clock that dated nothing believably: a day covers clocks hours apart.
            None => self.as_of - TimeDelta::days(1),
        };
        self.checkpoint.borrow_mut().edits_since = Some(since);
        self.keep_checkpoint();
        since
    }

    /// After a phase's walk: once the master data, the other documents and some windows are
    /// in, how far back the project is exact, said to the front end and kept in the
    /// checkpoint, with the project so far for a front end that shows it.
    fn advance(&self, progress: &impl Fn(Progress)) {
        let reads = self.reads.borrow();
        // The newest windows read, one after another from the first.
        let in_order = (0..).take_while(|k| reads.windows.contains_key(k)).count();
        let (Some(_), Some(_), Some(read)) =
            (&reads.reference, &reads.documents, in_order.checked_sub(1))
        else {
            return;
        };
        let since = self.windows.lower_edge(read);
        let exact = Exactness::since(since, reads.stock.is_some(), self.as_of, self.start);
        if self.said.replace(Some(exact)) == Some(exact) {
            return;
        }
        self.session.tracker.borrow_mut().exact(exact);
        self.checkpoint.borrow_mut().exact = Some(exact);
        self.keep_checkpoint();
        progress(self.session.progress(Phase::Reading));
        // The whole history read: the finished project follows within a few calls.
        let complete = read + 1 == self.windows.len() && reads.stock.is_some();
        if let (Some(builder), false) = (&self.builder, complete) {
            builder.send(reads.clone(), exact);
        }
    }

    /// Keeps the checkpoint; a failure costs only a resume's calls, so it is logged.
    fn keep_checkpoint(&self) {
        let Some(store) = self.request.run_store.as_ref() else {
            return;
        };
        if let Err(error) = store.save(&self.checkpoint.borrow()) {
            tracing::warn!(%error, dir = %store.dir().display(), "could not keep the run's checkpoint");
        }
    }

    /// Phase 4: what changed since the windows took edits from, read as an update reads it,
    /// replacing what the windows read of the same records.
    async fn catch_up(
        &self,
        mut read: AccountRead,
        progress: &impl Fn(Progress),
    ) -> Result<AccountRead, Cin7Error> {
        let mut plan = Plan::update(self.edits_since());
        // Read in full in phase 1 under the same queries: asked again, not taken from the
        // run's pages, so that a supplier or branch added meanwhile is found.
        for query in [&mut plan.suppliers, &mut plan.branches]
            .into_iter()
            .flatten()
        {
            query.fresh = true;
        }
        let mut changes = self.session.read_plan(&plan, progress).await?;
        let known = read
            .reference
            .products
            .iter()
            .chain(&changes.reference.products)
            .flat_map(|p| p.product_options.iter().flatten())
            .filter_map(|o| *o.id);
        if names_unknown_options(&changes, known) {
            // Cin7 may change a product's options without dating the product: read them all.
            let every_product = Plan::newest_first(&self.request.settings).products;
            read.reference.products = Vec::new();
            changes.reference.products = self
                .session
                .walk(Resource::Products, &every_product, progress)
                .await?;
        }
        let read = merged(read, changes);
        self.session
            .tracker
            .borrow_mut()
            .distinct(records_in(&read));
        Ok(read)
    }
}

/// How many records of each resource `read` holds (the older open documents with their
/// kind's), for the resources it has any of.
fn records_in(read: &AccountRead) -> BTreeMap<Resource, u64> {
    let (r, d) = (&read.reference, &read.documents);
    let count = |n: usize| n as u64;
    let mut records = BTreeMap::from([
        (Resource::Contacts, count(r.suppliers.len())),
        (Resource::Branches, count(r.branches.len())),
        (Resource::Products, count(r.products.len())),
        (Resource::BomMasters, count(r.boms.len())),
        (Resource::Stock, count(r.stock.len())),
        (
            Resource::SalesOrders,
            count(d.orders.len() + d.older.orders.len()),
        ),
        (Resource::CreditNotes, count(d.credit_notes.len())),
        (
            Resource::PurchaseOrders,
            count(d.purchase_orders.len() + d.older.purchase_orders.len()),
        ),
        (
            Resource::BranchTransfers,
            count(d.transfers.len() + d.older.transfers.len()),
        ),
        (Resource::Adjustments, count(d.adjustments.len())),
    ]);
    records.retain(|_, n| *n > 0);
    records
}

impl Reads {
    /// Everything read, as one read: the windows' sales orders merged (see [`merge::by_id`]).
    /// The reads are cloned where the builder of partial projects still holds them.
    fn into_account(self) -> AccountRead {
        let mut reference = self.reference.map(Arc::unwrap_or_clone).unwrap_or_default();
        reference.stock = self.stock.map(Arc::unwrap_or_clone).unwrap_or_default();
        let mut documents = self.documents.map(Arc::unwrap_or_clone).unwrap_or_default();
        documents.orders = merge::by_id(self.windows.into_values().map(Arc::unwrap_or_clone));
        AccountRead {
            reference,
            documents,
        }
    }
}

/// `read` with `changes` read after it taking the place of what it had of the same records
/// (the suppliers and branches, read in full both times, are the later read's).
fn merged(read: AccountRead, changes: AccountRead) -> AccountRead {
    let (r, c) = (read.reference, changes.reference);
    let (d, n) = (read.documents, changes.documents);
    AccountRead {
        reference: ReferenceRead {
            suppliers: c.suppliers,
            branches: c.branches,
            products: merge::by_id([r.products, c.products]),
            boms: merge::by_id([r.boms, c.boms]),
            stock: merge::stock(r.stock, c.stock),
        },
        documents: DocumentsRead {
            orders: merge::by_id([d.orders, n.orders]),
            credit_notes: merge::by_id([d.credit_notes, n.credit_notes]),
            purchase_orders: merge::by_id([d.purchase_orders, n.purchase_orders]),
            transfers: merge::by_id([d.transfers, n.transfers]),
            adjustments: merge::by_id([d.adjustments, n.adjustments]),
            older: d.older,
        },
    }
}

/// Builds the partial projects on a thread of its own, so that the reading never waits for
/// one: a newer read waiting replaces an older one not yet built.
struct PartialBuilder {
    reads: mpsc::Sender<(Reads, Exactness)>,
    thread: std::thread::JoinHandle<()>,
}

impl PartialBuilder {
    fn start(sink: PartialSink, request: &ImportRequest, as_of: DateTime<Utc>) -> Option<Self> {
        let (reads, waiting) = mpsc::channel::<(Reads, Exactness)>();
        let (connection, settings) = (request.connection.clone(), request.settings.clone());
        let build = move || {
            while let Ok(mut next) = waiting.recv() {
                while let Ok(newer) = waiting.try_recv() {
                    next = newer;
                }
                let (reads, exact) = next;
                let read = reads.into_account();
                let built = super::steps::partial(read, &connection, &settings, as_of);
                match built {
                    Ok(project) => sink(PartialProject::new(project, exact)),
                    Err(error) => tracing::warn!(%error, "could not build the project so far"),
                }
            }
        };
        let thread = std::thread::Builder::new()
            .name("cin7-partial".into())
            .spawn(build);
        match thread {
            Ok(thread) => Some(Self { reads, thread }),
            Err(error) => {
                tracing::warn!(%error, "could not start the builder of partial projects");
                None
            }
        }
    }

    fn send(&self, reads: Reads, exact: Exactness) {
        self.reads.send((reads, exact)).ok();
    }

    /// Waits for the last partial project, so that none follows the finished one.
    fn finish(self) {
        drop(self.reads);
        self.thread.join().ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_read_of_a_record_takes_its_place() {
        let mut read = AccountRead::default();
        let mut changes = AccountRead::default();
        let order = |id: i64, reference: &str| {
            let mut o = SalesOrder::default();
            o.id.0 = Some(id);
            o.reference.0 = Some(reference.into());
            o
        };
        read.documents.orders = vec![order(1, "a"), order(4, "b")];
        changes.documents.orders = vec![order(2, "new"), order(4, "b edited")];
        let merged = merged(read, changes);
        let references: Vec<&str> = merged
            .documents
            .orders
            .iter()
            .filter_map(|o| o.reference.as_deref())
            .collect();
        assert_eq!(references, vec!["a", "new", "b edited"]);
    }
}
