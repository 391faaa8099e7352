use super::mapping::{self, Catalogue};
use super::{ImportError, ImportRequest, Phase, Progress, aggregate, sales};
use crate::cin7::model::{Branch, Product, SalesOrder};
use crate::cin7::{Client, ClientConfig, ListQuery, Resource};
use crate::project::{DataWarnings, ImportReport, Project};
use chrono::{DateTime, SecondsFormat, Utc};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// The sales-order fields the project uses (a projection keeps pages small).
const SALES_ORDER_FIELDS: &str = "id,createdDate,modifiedDate,invoiceDate,dispatchedDate,isApproved,isVoid,status,branchId,lineItems";

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
    let count = |resource: Resource, phase: Phase| {
        move |n: usize| {
            *records.borrow_mut().entry(resource).or_default() += n as u64;
            report(phase);
        }
    };

    report(Phase::Branches);
    let by_id = ListQuery {
        order: "id ASC".into(),
        ..ListQuery::default()
    };
    let branches: Vec<Branch> = client
        .list_all(
            Resource::Branches,
            &by_id,
            count(Resource::Branches, Phase::Branches),
        )
        .await?;
    report(Phase::Products);
    let products: Vec<Product> = client
        .list_all(
            Resource::Products,
            &by_id,
            count(Resource::Products, Phase::Products),
        )
        .await?;
    report(Phase::SalesOrders);
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
    let orders: Vec<SalesOrder> = client
        .list_all(
            Resource::SalesOrders,
            &orders_query,
            count(Resource::SalesOrders, Phase::SalesOrders),
        )
        .await?;
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
            rate_limit_wait_ms: s.waited.as_millis() as u64,
            records: records_cell
                .into_inner()
                .into_iter()
                .map(|(r, n)| (r.path().to_owned(), n))
                .collect(),
            warnings,
        },
    })
}
