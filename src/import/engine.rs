use super::mapping::{self, Catalogue};
use super::progress::Tracker;
use super::record::{self, Read};
use super::{ImportError, ImportRequest, Phase, Progress};
use crate::cin7::model::Contact;
use crate::cin7::model::{
    Adjustment, Bounded, Branch, BranchTransfer, CreditNote, Identified, Product, PurchaseOrder,
    SalesOrder, StockRow,
};
use crate::cin7::{CallLog, CallStats, Cin7Error, Client, ClientConfig, ListQuery, Resource};
use crate::project::calendar::earliest_start;
use crate::project::rebuild::{Places, rebuild};
use crate::project::{ImportReport, ImportSettings, Ledger, Project};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

// The fields the project uses: projections keep pages small, so they travel and parse fast.
const BRANCH_FIELDS: &str = "id,company,branchType,isActive";
const PRODUCT_FIELDS: &str = concat!(
    "id,name,styleCode,status,category,brand,sizeRangeId,supplierId,productOptions(id,status,code,",
    "productOptionCode,productOptionSizeCode,productOptionBarcode,productOptionSizeBarcode,option1,option2,",
    "option3,size,retailPrice,priceColumns)"
);
const CONTACT_FIELDS: &str = "id,company";
const CREDIT_NOTE_FIELDS: &str = concat!(
    "id,createdDate,creditNoteDate,completedDate,isVoid,status,branchId,",
    "lineItems(id,parentId,productOptionId,qty,unitPrice,discount,sizeCodes,sizes)"
);
const SALES_ORDER_FIELDS: &str = concat!(
    "id,createdDate,modifiedDate,invoiceDate,dispatchedDate,isApproved,isVoid,status,branchId,",
    "lineItems(id,parentId,productOptionId,qty,qtyShipped,unitPrice,discount,sizeCodes,sizes)"
);
const STOCK_FIELDS: &str = "productOptionId,size,branchId,stockOnHand";
const PURCHASE_ORDER_FIELDS: &str = concat!(
    "id,modifiedDate,fullyReceivedDate,isApproved,isVoid,status,branchId,",
    "lineItems(productOptionId,qty,qtyShipped,sizeCodes,sizes)"
);
const TRANSFER_FIELDS: &str = "id,dispatchedDate,receivedDate,sourceBranchId,destinationBranchId,lineItems(productOptionId,qty,sizes)";
const ADJUSTMENT_FIELDS: &str =
    "id,createdDate,completedDate,isApproved,branchId,lineItems(productOptionId,qty)";

/// The fewest calls that can read `records` records: one per 250, plus the empty page that
/// proves the end.
pub fn minimum_calls(records: u64) -> u64 {
    records.div_ceil(u64::from(crate::cin7::MAX_ROWS)) + 1
}

/// A sales-order record with only its id (the probe for the highest id).
#[derive(serde::Deserialize)]
struct IdOnly {
    #[serde(default, deserialize_with = "crate::cin7::lenient::int")]
    id: Option<i64>,
}

/// Saves the calls an import made to the daily-budget log when the import ends, however it
/// ends (finished, failed, or cancelled and dropped).
struct RecordCalls<'a> {
    log: Option<&'a CallLog>,
    connection: String,
    stats: Arc<CallStats>,
}

impl Drop for RecordCalls<'_> {
    fn drop(&mut self) {
        if let Some(log) = self.log
            && let Err(error) = log.add(&self.connection, &self.stats.sent_at(), SystemTime::now())
        {
            tracing::warn!(%error, path = %log.path().display(), "could not save the daily call count");
        }
    }
}

/// Reads every record of one resource, counting each page as it arrives and reporting the
/// progress.
async fn walk<T: DeserializeOwned + Identified>(
    client: &Client,
    resource: Resource,
    query: &ListQuery,
    tracker: &RefCell<Tracker>,
    progress: &impl Fn(Progress),
) -> Result<Vec<T>, Cin7Error> {
    let count = |records: &[T]| {
        tracker
            .borrow_mut()
            .page(resource, records.len(), records.iter().filter_map(T::id));
        progress(tracker.borrow().snapshot(Phase::Reading));
    };
    client.list_all(resource, query, count).await
}

/// Everything an import reads from Cin7.
struct AccountRead {
    master: MasterData,
    documents: DocumentsRead,
}

/// What is read in full every time.
struct MasterData {
    suppliers: Vec<Contact>,
    branches: Vec<Branch>,
    products: Vec<Product>,
    stock: Vec<StockRow>,
}

/// The documents that can change a number of the project.
struct DocumentsRead {
    orders: Vec<SalesOrder>,
    credit_notes: Vec<CreditNote>,
    purchase_orders: Vec<PurchaseOrder>,
    transfers: Vec<BranchTransfer>,
    adjustments: Vec<Adjustment>,
}

/// The queries of one import: master data in full, documents modified since `since`.
struct Plan {
    suppliers: ListQuery,
    branches: ListQuery,
    products: ListQuery,
    orders: ListQuery,
    credit_notes: ListQuery,
    stock: ListQuery,
    purchase_orders: ListQuery,
    transfers: ListQuery,
    adjustments: ListQuery,
    /// One call that tells how far the order walk will go, for the estimate of the time left.
    highest_order: ListQuery,
}

impl Plan {
    fn new(settings: &ImportSettings) -> Self {
        let all = |fields: &str| ListQuery {
            order: "id ASC".into(),
            filter: None,
            fields: Some(fields.into()),
        };
        // Every document that can place a sale in the periods, or move stock inside them, was
        // modified at or after the date it counts on. Reading from the earliest start any
        // grouping, week start or time zone could give lets the project be regrouped later
        // without calling Cin7.
        let since = format!(
            "modifiedDate>='{}'",
            earliest_start(settings.starting_date).to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let modified = |fields: &str| ListQuery {
            filter: Some(since.clone()),
            ..all(fields)
        };
        Self {
            suppliers: ListQuery {
                filter: Some("type='Supplier'".into()),
                ..all(CONTACT_FIELDS)
            },
            branches: all(BRANCH_FIELDS),
            products: all(PRODUCT_FIELDS),
            orders: modified(SALES_ORDER_FIELDS),
            credit_notes: modified(CREDIT_NOTE_FIELDS),
            stock: ListQuery {
                order: "productOptionId ASC,branchId ASC,size ASC".into(),
                ..all(STOCK_FIELDS)
            },
            purchase_orders: modified(PURCHASE_ORDER_FIELDS),
            transfers: modified(TRANSFER_FIELDS),
            adjustments: modified(ADJUSTMENT_FIELDS),
            highest_order: ListQuery {
                order: "id DESC".into(),
                ..modified("id")
            },
        }
    }
}

/// The client for the request's connection, knowing its calls of the last day.
fn connect(request: &ImportRequest) -> Result<Client, Cin7Error> {
    let mut config = ClientConfig::new(
        &request.connection.base_url,
        &request.connection.username,
        request.key.clone(),
    );
    config.rate_limits = request.rate_limits.clone();
    config.retry = request.retry.clone();
    config.earlier_calls = request
        .call_log
        .as_ref()
        .map(|log| log.recent(&connection_name(request), SystemTime::now()))
        .unwrap_or_default();
    config.page_store = request.page_store.clone();
    Client::new(config)
}

/// The name the daily call log keeps a connection's calls under.
fn connection_name(request: &ImportRequest) -> String {
    format!(
        "{}@{}",
        request.connection.username, request.connection.base_url
    )
}

/// Reads everything the plan asks for, all walks at once: they share the connection's pacer,
/// which keeps the call rate at the limit while any of them has pages left.
async fn read_account(
    client: &Client,
    plan: &Plan,
    tracker: &RefCell<Tracker>,
    progress: &impl Fn(Progress),
) -> Result<AccountRead, Cin7Error> {
    let highest_order = async {
        let top: Vec<IdOnly> = client
            .get_page(Resource::SalesOrders, &plan.highest_order, 1)
            .await?;
        tracker
            .borrow_mut()
            .orders_end(top.first().and_then(|o| o.id));
        Ok::<_, Cin7Error>(())
    };
    let ((), master, documents) = tokio::try_join!(
        highest_order,
        read_master(client, plan, tracker, progress),
        read_documents(client, plan, tracker, progress),
    )?;
    Ok(AccountRead { master, documents })
}

/// Suppliers, branches, products and stock, in full.
async fn read_master(
    client: &Client,
    plan: &Plan,
    tracker: &RefCell<Tracker>,
    progress: &impl Fn(Progress),
) -> Result<MasterData, Cin7Error> {
    let (suppliers, branches, products, stock) = tokio::try_join!(
        walk(
            client,
            Resource::Contacts,
            &plan.suppliers,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::Branches,
            &plan.branches,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::Products,
            &plan.products,
            tracker,
            progress
        ),
        walk(client, Resource::Stock, &plan.stock, tracker, progress),
    )?;
    Ok(MasterData {
        suppliers,
        branches,
        products,
        stock,
    })
}

/// The documents modified since the plan's moment.
async fn read_documents(
    client: &Client,
    plan: &Plan,
    tracker: &RefCell<Tracker>,
    progress: &impl Fn(Progress),
) -> Result<DocumentsRead, Cin7Error> {
    let (orders, credit_notes, purchase_orders, transfers, adjustments) = tokio::try_join!(
        walk(
            client,
            Resource::SalesOrders,
            &plan.orders,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::CreditNotes,
            &plan.credit_notes,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::PurchaseOrders,
            &plan.purchase_orders,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::BranchTransfers,
            &plan.transfers,
            tracker,
            progress
        ),
        walk(
            client,
            Resource::Adjustments,
            &plan.adjustments,
            tracker,
            progress
        ),
    )?;
    Ok(DocumentsRead {
        orders,
        credit_notes,
        purchase_orders,
        transfers,
        adjustments,
    })
}

/// Runs one import to the end: reads the account, then builds the project as of `now`.
pub async fn run(
    request: &ImportRequest,
    progress: impl Fn(Progress),
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    request.settings.check(now)?;
    let started_at = Utc::now();
    let client = connect(request)?;
    let _record_calls = RecordCalls {
        log: request.call_log.as_ref(),
        connection: connection_name(request),
        stats: client.stats(),
    };
    let tracker = RefCell::new(Tracker::new(
        client.stats(),
        request.rate_limits.sustained_rate(),
    ));
    progress(tracker.borrow().snapshot(Phase::Reading));
    let read = read_account(&client, &Plan::new(&request.settings), &tracker, &progress).await?;
    progress(tracker.borrow().snapshot(Phase::Building));
    // Everything is read: the pages kept in case the import stopped are not needed any more.
    client.forget_kept_pages();
    let (items, locations, ledger) = record_account(read, &request.settings, now);
    let rebuilt = rebuild(&ledger, &request.settings, &items, &locations)?;
    let report = import_report(&tracker.borrow(), started_at, rebuilt.warnings);
    Ok(Project {
        connection: request.connection.clone(),
        settings: request.settings.clone(),
        items,
        locations,
        periods: rebuilt.calendar.periods,
        last_period_in_progress: true,
        series: rebuilt.series,
        report,
        ledger: Some(ledger),
    })
}

/// How the import went: its calls against the fewest that could have read the same records.
fn import_report(
    tracker: &Tracker,
    started_at: DateTime<Utc>,
    warnings: crate::project::DataWarnings,
) -> ImportReport {
    let s = tracker.stats().snapshot();
    let records = tracker.records();
    ImportReport {
        started_at,
        finished_at: Utc::now(),
        calls: s.calls,
        pages_reused: s.reused_pages,
        // The probe for the highest order id is one call beyond the pages.
        minimum_calls: records.values().map(|&n| minimum_calls(n)).sum::<u64>() + 1,
        retries: s.retries,
        elapsed_ms: tracker.elapsed().as_millis() as u64,
        rate_limit_wait_ms: s.waited.as_millis() as u64,
        records: records
            .iter()
            .map(|(r, n)| (r.path().to_owned(), *n))
            .collect(),
        warnings,
    }
}

/// Keeps the records inside [`crate::bounds`], and says how many were not.
fn within_bounds<T: Bounded>(records: Vec<T>) -> (Vec<T>, u64) {
    let before = records.len();
    let kept: Vec<T> = records.into_iter().filter(Bounded::within_bounds).collect();
    let rejected = (before - kept.len()) as u64;
    (kept, rejected)
}

/// What was read, as the project's items, locations and ledger as of `now`.
fn record_account(
    read: AccountRead,
    settings: &ImportSettings,
    now: DateTime<Utc>,
) -> (
    Vec<crate::project::Item>,
    Vec<crate::project::Location>,
    Ledger,
) {
    let (master, read) = (read.master, read.documents);
    let (suppliers, rejected_suppliers) = within_bounds(master.suppliers);
    let (products, rejected_products) = within_bounds(master.products);
    let (branches, rejected_branches) = within_bounds(master.branches);
    let suppliers: HashMap<i64, String> = suppliers
        .into_iter()
        .filter_map(|c| Some((c.id?, c.company?)))
        .collect();
    let catalogue = Catalogue::from_products(&products, &suppliers);
    let branch_ids: Vec<i64> = branches.iter().filter_map(|b| b.id).collect();
    let locations: Vec<_> = mapping::locations(&branches)
        .into_iter()
        .filter(|l| settings.includes_branch(l.branch_id))
        .collect();
    let places = Places::new(&locations, branch_ids.iter().copied());
    let documents = Read {
        orders: &read.orders,
        credit_notes: &read.credit_notes,
        purchase_orders: &read.purchase_orders,
        transfers: &read.transfers,
        adjustments: &read.adjustments,
        stock: &master.stock,
    };
    let mut ledger = record::ledger(&documents, &catalogue, &places, now, branch_ids);
    ledger.rejected_records += rejected_suppliers + rejected_products + rejected_branches;
    (catalogue.items, locations, ledger)
}
