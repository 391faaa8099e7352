use super::mapping::{self, Catalogue};
use super::{ImportError, ImportRequest, Phase, Progress, aggregate, sales};
use crate::cin7::model::{Branch, Product, SalesOrder};
use crate::cin7::{Client, ClientConfig, ListQuery, Resource};
use crate::project::{DataWarnings, ImportReport, Project};
use chrono::{DateTime, SecondsFormat, Utc};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

// The fields the project uses: projections keep pages small, so they travel and parse fast.
const BRANCH_FIELDS: &str = "id,company,branchType,isActive";
const PRODUCT_FIELDS: &str = concat!(
    "id,name,styleCode,status,category,brand,sizeRangeId,productOptions(id,status,code,productOptionCode,",
    "productOptionSizeCode,productOptionBarcode,productOptionSizeBarcode,option1,option2,option3,size,retailPrice)"
);
const SALES_ORDER_FIELDS: &str = concat!(
    "id,createdDate,modifiedDate,invoiceDate,dispatchedDate,isApproved,isVoid,status,branchId,",
    "lineItems(id,parentId,productOptionId,qty,unitPrice,discount,sizeCodes,sizes)"
);

/// The fewest calls that can read `records` records: one per 250, plus the empty page that
/// proves the end.
pub fn minimum_calls(records: u64) -> u64 {
    records.div_ceil(u64::from(crate::cin7::MAX_ROWS)) + 1
}

/// Runs one import to the end: reads the account, then builds the project as of `now`.
pub async fn run(
    request: &ImportRequest,
    progress: impl Fn(Progress),
    now: DateTime<Utc>,
) -> Result<Project, ImportError> {
    let started_at = Utc::now();
    let clock = Instant::now();
    let mut config = ClientConfig::new(
        &request.connection.base_url,
        &request.connection.username,
        request.key.clone(),
    );
    config.rate_limits = request.rate_limits.clone();
    config.retry = request.retry.clone();
    let client = Client::new(config)?;
    let stats = client.stats();
    let calendar = request.settings.calendar(now);

    let records_cell: RefCell<BTreeMap<Resource, u64>> = RefCell::new(BTreeMap::new());
    // Shared references only, so the closures below are Copy and can be handed out freely.
    let records = &records_cell;
    let progress = &progress;
    let report = |phase: Phase| {
        let s = stats.snapshot();
        progress(Progress {
            phase,
            calls: s.calls,
            retries: s.retries,
            rate_limit_wait: s.waited,
            elapsed: clock.elapsed(),
            records: records.borrow().clone(),
        });
    };
    let count = |resource: Resource| {
        move |n: usize| {
            *records.borrow_mut().entry(resource).or_default() += n as u64;
            report(Phase::Reading);
        }
    };

    report(Phase::Reading);
    let by_id = |fields: &str| ListQuery {
        order: "id ASC".into(),
        filter: None,
        fields: Some(fields.into()),
    };
    // Every order that can place a sale in the periods was modified at or after its sale date.
    let orders_query = ListQuery {
        filter: Some(format!(
            "modifiedDate>='{}'",
            calendar
                .first_instant()
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        )),
        order: "id ASC".into(),
        fields: Some(SALES_ORDER_FIELDS.into()),
    };
    // All walks at once: they share the connection's pacer, which keeps the call rate at the
    // limit while any of them has pages left.
    let (branches_query, products_query) = (by_id(BRANCH_FIELDS), by_id(PRODUCT_FIELDS));
    let (branches, products, orders): (Vec<Branch>, Vec<Product>, Vec<SalesOrder>) = tokio::try_join!(
        client.list_all(
            Resource::Branches,
            &branches_query,
            count(Resource::Branches)
        ),
        client.list_all(
            Resource::Products,
            &products_query,
            count(Resource::Products)
        ),
        client.list_all(
            Resource::SalesOrders,
            &orders_query,
            count(Resource::SalesOrders)
        ),
    )?;
    report(Phase::Building);

    let catalogue = Catalogue::from_products(&products);
    let locations = mapping::locations(&branches);
    let location_index: HashMap<i64, usize> = locations
        .iter()
        .enumerate()
        .map(|(i, l)| (l.branch_id, i))
        .collect();
    let mut warnings = DataWarnings::default();
    let lines = sales::sale_lines(
        &orders,
        &catalogue,
        &location_index,
        |at| calendar.index_of(at).is_some(),
        &mut warnings,
    );
    let series = aggregate::sales_series(&lines, &calendar);
    let s = stats.snapshot();
    let records = records_cell.into_inner();
    let minimum_calls = records.values().map(|&n| minimum_calls(n)).sum();
    Ok(Project {
        connection: request.connection.clone(),
        settings: request.settings.clone(),
        items: catalogue.items,
        locations,
        periods: calendar.periods,
        last_period_in_progress: true,
        series,
        report: ImportReport {
            started_at,
            finished_at: Utc::now(),
            calls: s.calls,
            retries: s.retries,
            minimum_calls,
            elapsed_ms: clock.elapsed().as_millis() as u64,
            rate_limit_wait_ms: s.waited.as_millis() as u64,
            records: records
                .into_iter()
                .map(|(r, n)| (r.path().to_owned(), n))
                .collect(),
            warnings,
        },
    })
}
