use super::mapping::{self, Catalogue};
use super::progress::Tracker;
use super::record::{self, Read};
use super::{ImportError, ImportRequest, Phase, Progress};
use crate::cin7::model::Contact;
use crate::cin7::model::{
    Adjustment, Branch, BranchTransfer, CreditNote, Identified, Product, PurchaseOrder, SalesOrder,
    StockRow,
};
use crate::cin7::{CallLog, CallStats, Cin7Error, Client, ClientConfig, ListQuery, Resource};
use crate::project::calendar::earliest_start;
use crate::project::rebuild::{Places, rebuild};
use crate::project::{ImportReport, Project};
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

/// Runs one import to the end: reads the account, then builds the project as of `now`.
pub async fn run(
    request: &ImportRequest,
    progress: impl Fn(Progress),
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let started_at = Utc::now();
    let connection = format!(
        "{}@{}",
        request.connection.username, request.connection.base_url
    );
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
        .map(|log| log.recent(&connection, SystemTime::now()))
        .unwrap_or_default();
    config.page_store = request.page_store.clone();
    let client = Client::new(config)?;
    let _record_calls = RecordCalls {
        log: request.call_log.as_ref(),
        connection,
        stats: client.stats(),
    };

    let tracker = RefCell::new(Tracker::new(
        client.stats(),
        request.rate_limits.sustained_rate(),
    ));
    // Shared references only, so the closures below are Copy and can be handed out freely.
    let (tracker, progress) = (&tracker, &progress);
    let report = |phase: Phase| progress(tracker.borrow().snapshot(phase));
    report(Phase::Reading);
    let by_id = |fields: &str| ListQuery {
        order: "id ASC".into(),
        filter: None,
        fields: Some(fields.into()),
    };
    // Every order that can place a sale in the periods was modified at or after its sale date.
    // Reading from the earliest start any grouping, week start or time zone could give lets
    // the project be regrouped later without calling Cin7.
    let since = format!(
        "modifiedDate>='{}'",
        earliest_start(request.settings.starting_date).to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let orders_query = ListQuery {
        filter: Some(since.clone()),
        order: "id ASC".into(),
        fields: Some(SALES_ORDER_FIELDS.into()),
    };
    // One call that tells how far the order walk will go, for the estimate of the time left.
    let probe = ListQuery {
        filter: Some(since),
        order: "id DESC".into(),
        fields: Some("id".into()),
    };
    let highest_order = async {
        let top: Vec<IdOnly> = client.get_page(Resource::SalesOrders, &probe, 1).await?;
        tracker
            .borrow_mut()
            .orders_end(top.first().and_then(|o| o.id));
        Ok::<_, Cin7Error>(())
    };
    // All walks at once: they share the connection's pacer, which keeps the call rate at the
    // limit while any of them has pages left.
    let (branches_query, products_query) = (by_id(BRANCH_FIELDS), by_id(PRODUCT_FIELDS));
    // The documents that move stock, from the same moment: only their movements from the
    // first period on change a period's end.
    let since_query = |fields: &str| ListQuery {
        fields: Some(fields.into()),
        ..orders_query.clone()
    };
    let (credit_notes_query, purchases_query) = (
        since_query(CREDIT_NOTE_FIELDS),
        since_query(PURCHASE_ORDER_FIELDS),
    );
    let (transfers_query, adjustments_query) =
        (since_query(TRANSFER_FIELDS), since_query(ADJUSTMENT_FIELDS));
    let suppliers_query = ListQuery {
        order: "id ASC".into(),
        filter: Some("type='Supplier'".into()),
        fields: Some(CONTACT_FIELDS.into()),
    };
    let stock_query = ListQuery {
        order: "productOptionId ASC,branchId ASC,size ASC".into(),
        filter: None,
        fields: Some(STOCK_FIELDS.into()),
    };
    let (
        (),
        suppliers,
        branches,
        products,
        orders,
        credit_notes,
        stock,
        purchase_orders,
        transfers,
        adjustments,
    ) = tokio::try_join!(
        highest_order,
        walk::<Contact>(
            &client,
            Resource::Contacts,
            &suppliers_query,
            tracker,
            progress
        ),
        walk::<Branch>(
            &client,
            Resource::Branches,
            &branches_query,
            tracker,
            progress
        ),
        walk::<Product>(
            &client,
            Resource::Products,
            &products_query,
            tracker,
            progress
        ),
        walk::<SalesOrder>(
            &client,
            Resource::SalesOrders,
            &orders_query,
            tracker,
            progress
        ),
        walk::<CreditNote>(
            &client,
            Resource::CreditNotes,
            &credit_notes_query,
            tracker,
            progress
        ),
        walk::<StockRow>(&client, Resource::Stock, &stock_query, tracker, progress),
        walk::<PurchaseOrder>(
            &client,
            Resource::PurchaseOrders,
            &purchases_query,
            tracker,
            progress
        ),
        walk::<BranchTransfer>(
            &client,
            Resource::BranchTransfers,
            &transfers_query,
            tracker,
            progress
        ),
        walk::<Adjustment>(
            &client,
            Resource::Adjustments,
            &adjustments_query,
            tracker,
            progress
        ),
    )?;
    report(Phase::Building);
    // Everything is read: the pages kept in case the import stopped are not needed any more.
    client.forget_kept_pages();

    let settings = &request.settings;
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
    let read = Read {
        orders: &orders,
        credit_notes: &credit_notes,
        purchase_orders: &purchase_orders,
        transfers: &transfers,
        adjustments: &adjustments,
        stock: &stock,
    };
    let ledger = record::ledger(&read, &catalogue, &places, now, branch_ids);
    let rebuilt = rebuild(&ledger, settings, &catalogue.items, &locations);
    let tracker = tracker.borrow();
    let s = client.stats().snapshot();
    let records = tracker.records();
    Ok(Project {
        connection: request.connection.clone(),
        settings: request.settings.clone(),
        items: catalogue.items,
        locations,
        periods: rebuilt.calendar.periods,
        last_period_in_progress: true,
        series: rebuilt.series,
        report: ImportReport {
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
            warnings: rebuilt.warnings,
        },
        ledger: Some(ledger),
    })
}
