//! The client against the sandbox over loopback: paging, auth, permissions, the 400s of the
//! list contract, rate-limit answers and pacing.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::Duration;
use cin7_planner::cin7::model::SalesOrder;
use cin7_planner::cin7::{
    ApiKey, Cin7Error, Client, ClientConfig, ListQuery, Resource, RetryPolicy,
};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::account::{Account, LineRecord, SalesOrderRecord};
use cin7_planner::sandbox::{Credential, Sandbox, SandboxConfig};
use common::*;
use rust_decimal::Decimal;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

fn client(base_url: &str, key: &str, limits: RateLimits) -> Client {
    let mut config = ClientConfig::new(base_url, USERNAME, ApiKey::new(key));
    config.rate_limits = limits;
    config.retry = RetryPolicy::never();
    Client::new(config).unwrap()
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

/// An account of `n` single-line orders, one a day, with ids 1..=n.
fn many_orders(n: i64) -> Account {
    let mut account = fixture_account();
    account.sales_orders = (1..=n)
        .map(|id| {
            let at = utc(2024, 1, 1, 0, 0) + Duration::hours(id);
            SalesOrderRecord {
                id,
                reference: format!("#{id}"),
                source: "Shopify".into(),
                branch_id: 1,
                created: at,
                modified: at,
                invoiced: Some(at),
                dispatched: None,
                estimated_delivery: None,
                is_approved: true,
                is_void: false,
                stage: "New".into(),
                lines: vec![LineRecord {
                    id: id * 10,
                    parent_id: 0,
                    product_option_id: 9001,
                    qty: Decimal::ONE,
                    unit_price: Decimal::TEN,
                    unit_cost: None,
                    discount: Decimal::ZERO,
                    qty_shipped: Decimal::ZERO,
                    sizes: Vec::new(),
                    hidden_size: None,
                }],
            }
        })
        .collect();
    account
}

/// The tests that time calls against the server's clock run alone: another test's work on
/// the same two cores delays when the server counts a call by more than the network lateness
/// the pacer's margins are for (one run in seven drew a 429 with the others beside it).
static CLOCK: RwLock<()> = RwLock::new(());

fn alone() -> RwLockWriteGuard<'static, ()> {
    CLOCK.write().unwrap_or_else(PoisonError::into_inner)
}

fn shared() -> RwLockReadGuard<'static, ()> {
    CLOCK.read().unwrap_or_else(PoisonError::into_inner)
}

fn by_id() -> ListQuery {
    ListQuery {
        order: "id ASC".into(),
        ..ListQuery::default()
    }
}

#[test]
fn pages_through_every_record_and_stops_on_the_empty_page() {
    let _shared = shared();
    let sandbox = serve(many_orders(601));
    let client = client(sandbox.base_url(), KEY, RateLimits::unlimited());
    let mut pages = Vec::new();
    let orders: Vec<SalesOrder> = block_on(client.list_all(
        Resource::SalesOrders,
        &by_id(),
        |page: &[SalesOrder]| pages.push(page.len()),
    ))
    .unwrap();
    // Pages travel concurrently and may arrive in any order; the records come back in order.
    pages.sort_unstable();
    assert_eq!(pages, vec![101, 250, 250]);
    let ids: Vec<i64> = orders.iter().map(|o| o.id.unwrap()).collect();
    assert_eq!(ids, (1..=601).collect::<Vec<_>>());
    let mut queries: Vec<String> = sandbox.requests().iter().map(|r| r.query.clone()).collect();
    queries.sort();
    assert_eq!(queries.len(), 4);
    for (i, query) in queries.iter().enumerate() {
        assert!(
            query.starts_with(&format!("page={}&rows=250&order=id+ASC", i + 1)),
            "{query}"
        );
    }
    assert_eq!(client.stats().snapshot().calls, 4);
}

#[test]
fn filters_and_orders_are_applied_by_the_server() {
    let _shared = shared();
    let sandbox = serve(many_orders(30));
    let client = client(sandbox.base_url(), KEY, RateLimits::unlimited());
    let query = ListQuery {
        filter: Some("modifiedDate>='2024-01-01T20:00:00Z' AND reference LIKE '#2%'".into()),
        order: "id DESC".into(),
        fields: Some("id,reference".into()),
        ..ListQuery::default()
    };
    let orders: Vec<SalesOrder> =
        block_on(client.list_all(Resource::SalesOrders, &query, |_| {})).unwrap();
    let ids: Vec<i64> = orders.iter().map(|o| o.id.unwrap()).collect();
    assert_eq!(ids, vec![29, 28, 27, 26, 25, 24, 23, 22, 21, 20]);
    // The projection leaves the rest out.
    assert!(
        orders
            .iter()
            .all(|o| o.line_items.is_none() && o.branch_id.is_none())
    );
}

#[test]
fn wrong_credentials_are_401() {
    let _shared = shared();
    let sandbox = serve(fixture_account());
    let client = client(sandbox.base_url(), "wrong", RateLimits::unlimited());
    let error =
        block_on(client.get_page::<SalesOrder>(Resource::Branches, &by_id(), 1)).unwrap_err();
    assert_eq!(error, Cin7Error::Unauthorized);
    let log = sandbox.requests();
    assert_eq!(log[0].status, 401);
}

#[test]
fn a_permission_switched_off_is_403_naming_the_resource() {
    let _shared = shared();
    let mut config = SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.credentials = vec![Credential {
        username: USERNAME.into(),
        key: KEY.into(),
        denied: vec![Resource::SalesOrders],
    }];
    let sandbox = Sandbox::start(config).unwrap();
    let client = client(sandbox.base_url(), KEY, RateLimits::unlimited());
    let branches: Vec<SalesOrder> =
        block_on(client.list_all(Resource::Branches, &by_id(), |_| {})).unwrap();
    assert_eq!(branches.len(), 2);
    let error = block_on(client.list_all::<SalesOrder>(Resource::SalesOrders, &by_id(), |_| {}))
        .unwrap_err();
    assert_eq!(error, Cin7Error::Forbidden(Resource::SalesOrders));
    assert_eq!(
        error.to_string(),
        "The API connection may not read Sales Orders (HTTP 403): in Cin7, turn on Read for Sales Orders in the connection's Permissions."
    );
}

#[test]
fn the_list_contract_rejects_bad_paging_with_400() {
    let _shared = shared();
    let sandbox = serve(fixture_account());
    let http = reqwest::blocking::Client::new();
    let get = |query: &str| {
        let response = http
            .get(format!("{}/v1/SalesOrders?{query}", sandbox.base_url()))
            .basic_auth(USERNAME, Some(KEY))
            .send()
            .unwrap();
        (response.status().as_u16(), response.text().unwrap())
    };
    assert_eq!(
        get("rows=251"),
        (
            400,
            "\"The rows argument cannot be greater than 250.\"".into()
        )
    );
    assert_eq!(
        get("page=0"),
        (
            400,
            "\"The page number is out of range; the value must be greater than or equal to 1.\""
                .into()
        )
    );
    assert_eq!(get("rows=250&page=2"), (200, "[]".into()));
    let (status, body) = get("where=colour%3D%27red%27");
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "\"The where argument is invalid: unknown field 'colour'.\""
        )
    );
    // Default page size 50 and descending order.
    let (status, body) = get("order=id");
    let ids: Vec<i64> = serde_json::from_str::<Vec<serde_json::Value>>(&body)
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!((status, ids), (200, vec![8, 7, 6, 5, 4, 3, 2, 1]));
}

#[test]
fn a_bad_where_reaches_the_caller_as_a_400_with_the_servers_message() {
    let _shared = shared();
    let sandbox = serve(fixture_account());
    let client = client(sandbox.base_url(), KEY, RateLimits::unlimited());
    let query = ListQuery {
        filter: Some("modifiedDate>=".into()),
        ..by_id()
    };
    let error =
        block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &query, 1)).unwrap_err();
    assert_eq!(
        error,
        Cin7Error::BadRequest {
            resource: Resource::SalesOrders,
            page: 1,
            message: "The where argument is invalid: expected a value, found the end".into()
        }
    );
}

#[test]
fn records_keep_cin7_casing_and_explicit_nulls() {
    let _shared = shared();
    let sandbox = serve(fixture_account());
    let body = reqwest::blocking::Client::new()
        .get(format!(
            "{}/v1/products?rows=1&order=id ASC",
            sandbox.base_url()
        ))
        .basic_auth(USERNAME, Some(KEY))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let products: serde_json::Value = serde_json::from_str(&body).unwrap();
    let product = &products[0];
    assert_eq!(product["styleCode"], "MUG");
    assert_eq!(product["description"], serde_json::Value::Null);
    assert!(product.as_object().unwrap().contains_key("description"));
    assert_eq!(product["productOptions"][0]["productOptionCode"], "MUG-BLU");
    assert_eq!(
        product["productOptions"][0]["retailPrice"],
        serde_json::json!(10)
    );
    assert_eq!(product["modifiedDate"], "2023-01-01T00:00:00Z");
}

#[test]
fn a_burst_over_the_limit_gets_429_and_pacing_at_the_limit_never_does() {
    let _alone = alone();
    let limits: RateLimits = "3/200ms,10/1s".parse().unwrap();
    let mut config = SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = limits.clone();
    let sandbox = Sandbox::start(config).unwrap();

    let unpaced = client(sandbox.base_url(), KEY, RateLimits::unlimited());
    let results: Vec<Result<Vec<SalesOrder>, Cin7Error>> =
        block_on(async { unpaced_calls(&unpaced, 4).await });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    assert_eq!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .collect::<Vec<_>>(),
        vec![&Cin7Error::RateLimited {
            resource: Resource::Branches,
            page: 1
        }]
    );

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let paced = client(sandbox.base_url(), KEY, limits);
    block_on(async {
        for _ in 0..15 {
            paced
                .get_page::<SalesOrder>(Resource::Branches, &by_id(), 1)
                .await
                .unwrap();
        }
    });
    let statuses: Vec<u16> = sandbox
        .requests()
        .iter()
        .skip(4)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![200; 15]);
}

/// Sends `n` calls one after the other without pacing.
async fn unpaced_calls(client: &Client, n: usize) -> Vec<Result<Vec<SalesOrder>, Cin7Error>> {
    let mut results = Vec::new();
    for _ in 0..n {
        results.push(client.get_page(Resource::Branches, &by_id(), 1).await);
    }
    results
}

fn retrying_client(sandbox: &Sandbox) -> Client {
    let mut config = ClientConfig::new(sandbox.base_url(), USERNAME, ApiKey::new(KEY));
    config.rate_limits = RateLimits::unlimited();
    config.retry = RetryPolicy {
        max_attempts: 4,
        max_rate_limited: 4,
        first_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(20),
    };
    Client::new(config).unwrap()
}

fn sandbox_with_faults(account: Account, faults: &str) -> Sandbox {
    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.faults = faults.parse().unwrap();
    Sandbox::start(config).unwrap()
}

#[test]
fn server_errors_dropped_connections_and_cut_off_bodies_are_retried() {
    let _shared = shared();
    let clean = serve(many_orders(601));
    let expected: Vec<SalesOrder> = block_on(
        client(clean.base_url(), KEY, RateLimits::unlimited()).list_all(
            Resource::SalesOrders,
            &by_id(),
            |_: &[SalesOrder]| {},
        ),
    )
    .unwrap();
    let sandbox = sandbox_with_faults(many_orders(601), "500@4,drop@9,truncate@11");
    let client = retrying_client(&sandbox);
    let orders: Vec<SalesOrder> =
        block_on(client.list_all(Resource::SalesOrders, &by_id(), |_: &[SalesOrder]| {})).unwrap();
    assert_eq!(format!("{orders:?}"), format!("{expected:?}"));
    let stats = client.stats().snapshot();
    // Every failed call was asked again, and nothing else: four pages, plus one call per failure.
    let failing = (1..=stats.calls)
        .filter(|k| k % 4 == 0 || k % 9 == 0 || k % 11 == 0)
        .count() as u64;
    assert!(failing >= 1);
    assert_eq!((stats.calls, stats.retries), (4 + failing, failing));
    assert_eq!(sandbox.requests().len() as u64, stats.calls);
}

#[test]
fn a_failure_that_persists_names_the_resource_and_the_page() {
    let _shared = shared();
    let sandbox = sandbox_with_faults(many_orders(10), "503@1");
    let client = retrying_client(&sandbox);
    let error =
        block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &by_id(), 3)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Cin7 failed with HTTP 503 on Sales Orders, page 3, 4 times in a row (Service temporarily unavailable. Please try again later): try again later."
    );
    assert_eq!(sandbox.requests().len(), 4);
    // Never retried: a bad request.
    let sandbox = serve(many_orders(10));
    let client = retrying_client(&sandbox);
    let query = ListQuery {
        filter: Some("colour='red'".into()),
        ..by_id()
    };
    assert!(matches!(
        block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &query, 1)),
        Err(Cin7Error::BadRequest { .. })
    ));
    assert_eq!(sandbox.requests().len(), 1);
}

#[test]
fn a_key_revoked_mid_walk_says_so() {
    let _shared = shared();
    let sandbox = sandbox_with_faults(many_orders(2_000), "revoke@4");
    let client = retrying_client(&sandbox);
    for page in 1..=3 {
        block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &by_id(), page)).unwrap();
    }
    let error =
        block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &by_id(), 4)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Cin7 stopped accepting the API key after 4 calls (HTTP 401): it was probably reset or its connection deleted, so enter the new key and try again."
    );
    // A 401 is never retried.
    assert_eq!(sandbox.requests().len(), 4);
}

#[test]
fn pacing_holds_against_a_server_whose_calls_arrive_out_of_step() {
    let _alone = alone();
    // Cin7's windows at a tenth; calls counted up to 30 ms late, new connections 50 ms: the
    // margins absorb both, through the first minute window and into the second.
    let limits: RateLimits = "3/100ms,60/6s".parse().unwrap();
    let mut config = SandboxConfig::new(many_orders(15_000), USERNAME, KEY);
    config.rate_limits = limits.clone();
    config.latency = std::time::Duration::from_millis(150);
    config.faults = "arrive~30ms,connect=50ms".parse().unwrap();
    let sandbox = Sandbox::start(config).unwrap();
    let paced = client(sandbox.base_url(), KEY, limits);
    let orders: Vec<SalesOrder> =
        block_on(paced.list_all(Resource::SalesOrders, &by_id(), |_: &[SalesOrder]| {})).unwrap();
    assert_eq!(orders.len(), 15_000);
    let statuses: Vec<u16> = sandbox.requests().iter().map(|r| r.status).collect();
    assert!(statuses.len() >= 61, "60 pages and the empty one");
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
}

#[test]
fn a_429_is_waited_out_without_failing_the_page_and_the_pacer_learns() {
    let _alone = alone();
    // The server's burst window is longer than the client believes, margin included: the
    // first calls draw 429s, which the pacer learns from, so that later calls do not.
    let mut config = SandboxConfig::new(many_orders(5_000), USERNAME, KEY);
    config.rate_limits = "3/250ms".parse().unwrap();
    let sandbox = Sandbox::start(config).unwrap();
    let mut config = ClientConfig::new(sandbox.base_url(), USERNAME, ApiKey::new(KEY));
    config.rate_limits = "3/100ms,10/1s".parse().unwrap();
    config.retry = RetryPolicy {
        max_attempts: 1,
        max_rate_limited: 10,
        first_delay: std::time::Duration::from_millis(20),
        max_delay: std::time::Duration::from_millis(200),
    };
    let client = Client::new(config).unwrap();
    let orders: Vec<SalesOrder> =
        block_on(client.list_all(Resource::SalesOrders, &by_id(), |_: &[SalesOrder]| {})).unwrap();
    assert_eq!(orders.len(), 5_000);
    let log = sandbox.requests();
    let too_many = log.iter().filter(|r| r.status == 429).count();
    assert!(too_many >= 1, "the server's stricter window showed");
    let late = log
        .iter()
        .skip(log.len() / 2)
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(late, 0, "{too_many} 429s in all, none in the second half");
}
