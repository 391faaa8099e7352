//! One run's conversation with Cin7: the client for the connection (knowing its calls of the
//! last day), the walks of a plan all at once under one pacer, progress as pages arrive, and
//! the calls written to the daily log as they are made.

use super::ImportRequest;
use super::plan::Plan;
use super::progress::Tracker;
use super::{Phase, Progress};
use crate::cin7::model::{
    Adjustment, BomMaster, Branch, BranchTransfer, Contact, CreditNote, Identified, Product,
    PurchaseOrder, SalesOrder, StockRow,
};
use crate::cin7::{CallLog, Cin7Error, Client, ClientConfig, ListQuery, Resource};
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};
use std::time::{Duration, SystemTime};

/// How often calls are written to the daily log while a run goes on, and other runs' calls
/// read from it: every two seconds, or every two calls' time at the sustained rate if that is
/// sooner (windows scaled down), so that two runs at once overshoot the daily budget by a
/// few calls at most.
fn flush_every(sustained_rate: Option<f64>) -> Duration {
    let most = Duration::from_secs(2);
    sustained_rate
        .and_then(|rate| Duration::try_from_secs_f64(2.0 / rate).ok())
        .map_or(most, |two_calls| two_calls.min(most))
}

/// Everything a run reads from Cin7.
#[derive(Default)]
pub(super) struct AccountRead {
    pub reference: ReferenceRead,
    pub documents: DocumentsRead,
}

/// What is read in full every time (and the stock, in full or its changes).
#[derive(Clone, Default)]
pub(super) struct ReferenceRead {
    pub suppliers: Vec<Contact>,
    pub branches: Vec<Branch>,
    pub products: Vec<Product>,
    pub boms: Vec<BomMaster>,
    pub stock: Vec<StockRow>,
}

/// The documents that can change a number of the project.
#[derive(Clone, Default)]
pub(super) struct DocumentsRead {
    pub orders: Vec<SalesOrder>,
    pub credit_notes: Vec<CreditNote>,
    pub purchase_orders: Vec<PurchaseOrder>,
    pub transfers: Vec<BranchTransfer>,
    pub adjustments: Vec<Adjustment>,
    /// Open documents last modified before the history (an import's).
    pub older: OlderRead,
}

/// The open documents last modified before the history, and whether Cin7 refused to list
/// some of them.
#[derive(Clone, Default)]
pub(super) struct OlderRead {
    pub orders: Vec<SalesOrder>,
    pub purchase_orders: Vec<PurchaseOrder>,
    pub transfers: Vec<BranchTransfer>,
    /// A walk's `IS NULL` filter was refused (400): open orders older than the history may
    /// be missing.
    pub refused: bool,
}

/// A sales-order record with only its id (the probe for the highest id).
#[derive(serde::Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: crate::cin7::lenient::LenientInt,
}

/// A run's client and its tally. Dropping it writes the last calls to the daily log, however
/// the run ended.
pub(super) struct Session<'a> {
    pub client: Client,
    pub tracker: RefCell<Tracker>,
    log: Option<&'a CallLog>,
    connection: String,
    /// Calls already written to the log.
    logged: Cell<usize>,
    /// The call rate the windows allow (how often the log is written depends on it).
    sustained_rate: Option<f64>,
    /// Calls other runs on the connection made in the last day, as the pacer counts them: a
    /// window and a command-line run at once share Cin7's limits.
    elsewhere: RefCell<Vec<SystemTime>>,
}

impl<'a> Session<'a> {
    pub(super) fn open(request: &'a ImportRequest) -> Result<Self, Cin7Error> {
        let connection = request.connection.key();
        let mut config = ClientConfig::new(
            &request.connection.base_url,
            &request.connection.username,
            request.key.clone(),
        );
        config.rate_limits = request.rate_limits.clone();
        config.retry = request.retry.clone();
        let (mut notices, mut elsewhere) = (Vec::new(), Vec::new());
        if let Some(log) = &request.call_log {
            let (earlier, notice) = log.recent(&connection, SystemTime::now());
            config.earlier_calls.clone_from(&earlier);
            elsewhere = earlier;
            notices.extend(notice);
        }
        config.page_store = request.run_store.as_ref().map(|store| store.pages());
        let client = Client::new(config)?;
        let mut tracker = Tracker::new(client.stats(), request.rate_limits.sustained_rate());
        for notice in notices {
            tracker.notice(notice);
        }
        Ok(Self {
            client,
            tracker: RefCell::new(tracker),
            log: request.call_log.as_ref(),
            connection,
            logged: Cell::new(0),
            sustained_rate: request.rate_limits.sustained_rate(),
            elsewhere: RefCell::new(elsewhere),
        })
    }

    pub(super) fn progress(&self, phase: Phase) -> Progress {
        let mut progress = self.tracker.borrow().snapshot(phase);
        progress.limits = self.client.window_use();
        progress.waiting_for_limit = self.client.held_back_now();
        progress
    }

    /// Writes the calls made since the last time to the daily log, and has the pacer count
    /// the calls other runs wrote there since.
    fn log_calls(&self) {
        let Some(log) = self.log else { return };
        let mut sent = self.client.stats().sent_at();
        let new = &sent[self.logged.get().min(sent.len())..];
        match log.add(&self.connection, new, SystemTime::now()) {
            Ok(all) => {
                self.logged.set(sent.len());
                sent.sort();
                let others = crate::cin7::calls_without(&all, &sent);
                let since = crate::cin7::calls_without(&others, &self.elsewhere.borrow());
                self.client.count_elsewhere(&since);
                self.elsewhere.replace(others);
            }
            Err(error) => {
                tracing::warn!(%error, path = %log.path().display(), "could not save the daily call count");
            }
        }
    }

    /// Reads everything the plan asks for (see [`Session::read_plan`]).
    pub(super) async fn read(
        &self,
        plan: &Plan,
        progress: &impl Fn(Progress),
    ) -> Result<AccountRead, Cin7Error> {
        self.reading(self.read_plan(plan, progress), progress).await
    }

    /// Runs `work`, a run's reading, writing its calls to the daily log as it goes and
    /// sending progress every second, so that the time and a retry's wait show while no page
    /// arrives.
    pub(super) async fn reading<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, Cin7Error>>,
        progress: &impl Fn(Progress),
    ) -> Result<T, Cin7Error> {
        let ticking = async {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                progress(self.progress(Phase::Reading));
            }
        };
        tokio::select! {
            read = self.logging_calls(work) => read,
            _ = ticking => unreachable!("the progress ticker never ends"),
        }
    }

    /// Every walk of the plan at once: they share the connection's pacer, which keeps the
    /// call rate at the limit while any of them has pages left. Every walk runs to its end,
    /// its failure or the budget's: a walk that fails for good stops the others at once (the
    /// client sees to it), while the budget lets the pages under way arrive and be kept, so
    /// that a resumed run asks for none of them again.
    pub(super) async fn read_plan(
        &self,
        plan: &Plan,
        progress: &impl Fn(Progress),
    ) -> Result<AccountRead, Cin7Error> {
        if plan.evenly_paced {
            self.client.pace_evenly();
        }
        let (probe, reference, documents) = tokio::join!(
            self.highest_order(plan),
            self.read_reference(plan, progress),
            self.read_documents(plan, progress),
        );
        probe?;
        Ok(AccountRead {
            reference: reference?,
            documents: documents?,
        })
    }

    /// Every product in full (an update that met an option no product it read has).
    pub(super) async fn read_all_products(
        &self,
        query: &ListQuery,
        progress: &impl Fn(Progress),
    ) -> Result<Vec<Product>, Cin7Error> {
        self.logging_calls(self.walk(Resource::Products, query, progress))
            .await
    }

    /// Runs `work`, writing its calls to the daily log as it goes.
    async fn logging_calls<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, Cin7Error>>,
    ) -> Result<T, Cin7Error> {
        let every = flush_every(self.sustained_rate);
        let logging = async {
            loop {
                tokio::time::sleep(every).await;
                self.log_calls();
            }
        };
        tokio::select! {
            done = work => done.map_err(|e| self.client.with_kept_pages(e)),
            _ = logging => unreachable!("the logging loop never ends"),
        }
    }

    async fn highest_order(&self, plan: &Plan) -> Result<(), Cin7Error> {
        let Some(probe) = &plan.highest_order else {
            return Ok(());
        };
        let top: Vec<IdOnly> = self
            .client
            .get_page(Resource::SalesOrders, probe, 1)
            .await?;
        self.tracker
            .borrow_mut()
            .orders_end(top.first().and_then(|o| *o.id));
        Ok(())
    }

    /// Reads every record of one resource, counting each page as it arrives.
    pub(super) async fn walk<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: &ListQuery,
        progress: &impl Fn(Progress),
    ) -> Result<Vec<T>, Cin7Error> {
        self.walk_seeing(resource, query, progress, |_| {}).await
    }

    /// Reads every record of one resource, counting each page as it arrives, its size shown
    /// to `seen`.
    pub(super) async fn walk_seeing<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: &ListQuery,
        progress: &impl Fn(Progress),
        seen: impl FnMut(usize),
    ) -> Result<Vec<T>, Cin7Error> {
        self.tracker.borrow_mut().planned(resource);
        let read = self.list_seeing(resource, query, progress, seen).await;
        self.tracker.borrow_mut().ended(resource, read.is_ok());
        progress(self.progress(Phase::Reading));
        read
    }

    /// The walk of `query` where the plan has one; no records, and no call, where it has not.
    async fn walk_planned<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: Option<&ListQuery>,
        progress: &impl Fn(Progress),
    ) -> Result<Vec<T>, Cin7Error> {
        match query {
            Some(query) => self.walk(resource, query, progress).await,
            None => Ok(Vec::new()),
        }
    }

    /// Reads every record of one resource (where the plan has its walk), then, where the plan
    /// has it, the older open ones in a second walk counted as the same resource's: `Ok(None)`
    /// for those when Cin7 refused their filter.
    async fn walk_with_older<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: Option<&ListQuery>,
        older: Option<&ListQuery>,
        progress: &impl Fn(Progress),
    ) -> Result<(Vec<T>, Option<Vec<T>>), Cin7Error> {
        if query.is_none() && older.is_none() {
            return Ok((Vec::new(), Some(Vec::new())));
        }
        // Without its own walk the resource is read elsewhere (by windows), which says how
        // its walk stands.
        let own_walk = query.is_some();
        if own_walk {
            self.tracker.borrow_mut().planned(resource);
        }
        let read = async {
            let records = match query {
                Some(query) => self.list(resource, query, progress).await?,
                None => Vec::new(),
            };
            let Some(older) = older else {
                return Ok((records, Some(Vec::new())));
            };
            self.tracker.borrow_mut().second_walk();
            match self.list(resource, older, progress).await {
                Ok(open) => Ok((records, Some(open))),
                Err(Cin7Error::BadRequest { message, .. }) => {
                    tracing::warn!(%resource, %message, "Cin7 refused the walk of older open documents");
                    Ok((records, None))
                }
                Err(error) => Err(error),
            }
        }
        .await;
        if own_walk {
            self.tracker.borrow_mut().ended(resource, read.is_ok());
        }
        progress(self.progress(Phase::Reading));
        read
    }

    /// The pages of one walk, each counted as it arrives.
    pub(super) async fn list<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: &ListQuery,
        progress: &impl Fn(Progress),
    ) -> Result<Vec<T>, Cin7Error> {
        self.list_seeing(resource, query, progress, |_| {}).await
    }

    /// The pages of one walk, each counted as it arrives, its size shown to `seen`.
    pub(super) async fn list_seeing<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: &ListQuery,
        progress: &impl Fn(Progress),
        mut seen: impl FnMut(usize),
    ) -> Result<Vec<T>, Cin7Error> {
        let count = |records: &[T]| {
            self.tracker.borrow_mut().page(
                resource,
                records.len(),
                records.iter().filter_map(T::id),
            );
            progress(self.progress(Phase::Reading));
            seen(records.len());
        };
        self.client.list_all(resource, query, count).await
    }

    /// Suppliers, branches, products, kits and stock, where the plan has their walks.
    pub(super) async fn read_reference(
        &self,
        plan: &Plan,
        progress: &impl Fn(Progress),
    ) -> Result<ReferenceRead, Cin7Error> {
        let (suppliers, branches, products, boms, stock) = tokio::join!(
            self.walk_planned(Resource::Contacts, plan.suppliers.as_ref(), progress),
            self.branches(plan, progress),
            self.walk(Resource::Products, &plan.products, progress),
            self.walk(Resource::BomMasters, &plan.boms, progress),
            self.walk_planned(Resource::Stock, plan.stock.as_ref(), progress),
        );
        Ok(ReferenceRead {
            suppliers: suppliers?,
            branches: branches?,
            products: products?,
            boms: boms?,
            stock: stock?,
        })
    }

    /// Every branch; one the plan wants that the account does not list stops every walk.
    async fn branches(
        &self,
        plan: &Plan,
        progress: &impl Fn(Progress),
    ) -> Result<Vec<Branch>, Cin7Error> {
        let branches: Vec<Branch> = self
            .walk_planned(Resource::Branches, plan.branches.as_ref(), progress)
            .await?;
        let Some(wanted) = &plan.branches_wanted else {
            return Ok(branches);
        };
        let listed: Vec<i64> = branches.iter().filter_map(|b| *b.id).collect();
        let unknown: Vec<i64> = wanted
            .iter()
            .copied()
            .filter(|id| !listed.contains(id))
            .collect();
        if unknown.is_empty() {
            return Ok(branches);
        }
        let known = super::mapping::locations(&branches)
            .into_iter()
            .map(|l| (l.branch_id, l.name))
            .collect();
        Err(self
            .client
            .fail(Cin7Error::UnknownBranches { unknown, known }))
    }

    /// The documents the plan selects.
    pub(super) async fn read_documents(
        &self,
        plan: &Plan,
        progress: &impl Fn(Progress),
    ) -> Result<DocumentsRead, Cin7Error> {
        let older = plan.older.as_ref();
        let (orders, credit_notes, purchase_orders, transfers, adjustments) = tokio::join!(
            self.walk_with_older(
                Resource::SalesOrders,
                plan.orders.as_ref(),
                older.map(|o| &o.orders),
                progress
            ),
            self.walk(Resource::CreditNotes, &plan.credit_notes, progress),
            self.walk_with_older(
                Resource::PurchaseOrders,
                Some(&plan.purchase_orders),
                older.map(|o| &o.purchase_orders),
                progress
            ),
            self.walk_with_older(
                Resource::BranchTransfers,
                Some(&plan.transfers),
                older.map(|o| &o.transfers),
                progress
            ),
            self.walk(Resource::Adjustments, &plan.adjustments, progress),
        );
        let (
            (orders, older_orders),
            (purchase_orders, older_purchases),
            (transfers, older_transfers),
        ) = (orders?, purchase_orders?, transfers?);
        let refused =
            older_orders.is_none() || older_purchases.is_none() || older_transfers.is_none();
        Ok(DocumentsRead {
            orders,
            credit_notes: credit_notes?,
            purchase_orders,
            transfers,
            adjustments: adjustments?,
            older: OlderRead {
                orders: older_orders.unwrap_or_default(),
                purchase_orders: older_purchases.unwrap_or_default(),
                transfers: older_transfers.unwrap_or_default(),
                refused,
            },
        })
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.log_calls();
    }
}
