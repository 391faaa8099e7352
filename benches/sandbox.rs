//! Figures for the sandbox: how long the `large` preset takes to generate, how big it is, and
//! how many requests per second the sandbox serves. Prints figures; asserts nothing.
//!
//! Run with `cargo bench --bench sandbox`.

#![allow(clippy::too_many_lines)] // a benchmark's main reads as its report

use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use std::time::{Duration, Instant};

const USERNAME: &str = "bench";
const KEY: &str = "bench-key";

fn main() {
    let started = Instant::now();
    let account = generate(Preset::Large, 1, chrono::Utc::now());
    let generated = started.elapsed();
    let items: usize = account
        .products
        .iter()
        .map(|p| p.options.len() * p.sizes.len().max(1))
        .sum();
    let lines: usize = account.sales_orders.iter().map(|o| o.lines.len()).sum();
    println!(
        "large preset: generated in {:.2} s",
        generated.as_secs_f64()
    );
    println!(
        "  {} sales orders ({lines} lines), {} credit notes, {} purchase orders, {} transfers, {} adjustments",
        account.sales_orders.len(),
        account.credit_notes.len(),
        account.purchase_orders.len(),
        account.transfers.len(),
        account.adjustments.len()
    );
    println!(
        "  {items} items in {} products, {} branches, {} stock rows",
        account.products.len(),
        account.branches.len(),
        account.stock.len()
    );

    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let started = Instant::now();
    let sandbox = Sandbox::start(config).expect("the sandbox starts");
    println!(
        "  served after {:.2} s more",
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let base = sandbox.base_url().to_owned();
    let (pages, bytes, first) = runtime.block_on(walk(&base));
    println!(
        "  full sales-order walk: {pages} pages of 250, {:.1} MB of JSON ({:.0} kB a page); first page {:.0} ms (builds the query), the rest {:.1} ms each on average",
        bytes as f64 / 1e6,
        bytes as f64 / pages as f64 / 1e3,
        first.0.as_secs_f64() * 1e3,
        first.1.as_secs_f64() * 1e3 / (pages - 1).max(1) as f64
    );
    for concurrency in [1, 4, 16] {
        let (requests, elapsed) =
            runtime.block_on(hammer(&base, concurrency, Duration::from_secs(3)));
        println!(
            "  {concurrency:>2} concurrent clients, pages of 250 orders: {:.0} requests/s ({requests} in {:.1} s)",
            requests as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64()
        );
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(http: &reqwest::Client, url: &str) -> usize {
    let response = http
        .get(url)
        .basic_auth(USERNAME, Some(KEY))
        .send()
        .await
        .expect("a response");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("a body").len()
}

/// Every page of sales orders since the start, as the importer asks for them.
async fn walk(base: &str) -> (usize, usize, (Duration, Duration)) {
    let http = client();
    let (mut pages, mut bytes) = (0, 0);
    let mut first = Duration::ZERO;
    let started = Instant::now();
    for page in 1.. {
        let url = format!(
            "{base}/v1/SalesOrders?rows=250&page={page}&order=id%20ASC&where=modifiedDate%3E%3D'2000-01-01T00:00:00Z'"
        );
        let t = Instant::now();
        let n = get(&http, &url).await;
        if page == 1 {
            first = t.elapsed();
        }
        if n <= 2 {
            break;
        }
        pages += 1;
        bytes += n;
    }
    (pages, bytes, (first, started.elapsed() - first))
}

/// `concurrency` clients asking for pages of orders for `length`.
async fn hammer(base: &str, concurrency: usize, length: Duration) -> (usize, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|c| {
            let base = base.to_owned();
            tokio::spawn(async move {
                let http = client();
                let mut n = 0;
                while started.elapsed() < length {
                    let page = 1 + (n * concurrency + c) % 700;
                    get(
                        &http,
                        &format!("{base}/v1/SalesOrders?rows=250&page={page}&order=id%20ASC"),
                    )
                    .await;
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("a client task");
    }
    (total, started.elapsed())
}
