//! The importer against the sandbox's `large` preset, with both sides' rate windows scaled down
//! by the same factor so that a run takes well under a minute. Prints, for server latencies of
//! 0.5×, 1.5× and 3× the per-call interval: achieved call rate ÷ allowed rate (goal ≥ 0.95),
//! 429s caused (goal 0), calls made ÷ minimum calls (goal ≤ 1.02), and the wall time of a
//! sequential client that sleeps 1.01 intervals between calls (the public Singer tap's way)
//! against ours. Then the same import under faults, compared with the fault-free result.
//!
//! Run with `cargo bench --bench import`. Asserts nothing; prints figures.

#![allow(clippy::too_many_lines)] // a benchmark's main reads as its report

use chrono::{Duration as Days, Utc};
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportRequest};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Account, Faults, Preset, Sandbox, SandboxConfig, generate};
use std::time::{Duration, Instant};

const USERNAME: &str = "bench";
const KEY: &str = "bench-key";
/// Cin7's second and minute windows divided by this: 3 per 25 ms and 60 per 1.5 s. The daily
/// budget (5,000 calls) stays as it is: an import of the whole preset needs fewer calls.
const SCALE: u32 = 40;

fn limits() -> RateLimits {
    let mut limits = RateLimits::cin7();
    for window in limits
        .windows
        .iter_mut()
        .filter(|w| w.per < cin7_planner::rate_limit::BUDGET_WINDOW)
    {
        window.per /= SCALE;
    }
    limits
}

fn interval() -> Duration {
    Duration::from_secs_f64(1.0 / limits().sustained_rate().expect("a rate"))
}

fn serve(account: &Account, latency: Duration, faults: Faults) -> Sandbox {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = limits();
    config.latency = latency;
    config.faults = faults;
    Sandbox::start(config).expect("the sandbox starts")
}

fn request(base_url: &str) -> ImportRequest {
    let starting_date = (Utc::now() - Days::days(3 * 365 + 7)).date_naive();
    ImportRequest {
        connection: ConnectionInfo {
            base_url: base_url.to_owned(),
            username: USERNAME.to_owned(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings::new(starting_date, GroupBy::Week, chrono_tz::Pacific::Auckland),
        rate_limits: limits(),
        retry: RetryPolicy::for_limits(&limits()),
        call_log: None,
        page_store: None,
    }
}

struct Run {
    project: Project,
    wall: Duration,
    calls: usize,
    rate_ratio: f64,
    too_many: usize,
    /// The list walks the import made (path and query without `page`), for the baseline.
    walks: Vec<String>,
}

/// The distinct list walks in a sandbox's log, without the probe for the highest id (a
/// sequential peer has no use for it).
fn walks(sandbox: &Sandbox) -> Vec<String> {
    let mut walks: Vec<String> = Vec::new();
    for request in sandbox.requests() {
        let query: Vec<&str> = request
            .query
            .split('&')
            .filter(|p| !p.starts_with("page="))
            .collect();
        let walk = format!(
            "{}?{}",
            request.path.trim_start_matches("/api/"),
            query.join("&")
        );
        if !walk.contains("DESC") && !walks.contains(&walk) {
            walks.push(walk);
        }
    }
    walks
}

/// Achieved call rate over the run ÷ the sustained rate the windows allow.
fn rate_ratio(sandbox: &Sandbox) -> (usize, f64, usize) {
    let log = sandbox.requests();
    let (first, last) = (
        log.first().expect("calls").at,
        log.last().expect("calls").at,
    );
    let span = (last - first).as_secs_f64();
    let achieved = (log.len() - 1) as f64 / span;
    let too_many = log.iter().filter(|r| r.status == 429).count();
    (
        log.len(),
        achieved / limits().sustained_rate().expect("a rate"),
        too_many,
    )
}

fn ours(
    runtime: &tokio::runtime::Runtime,
    account: &Account,
    latency: Duration,
    faults: Faults,
) -> Run {
    let sandbox = serve(account, latency, faults);
    let request = request(sandbox.base_url());
    let started = Instant::now();
    let project = runtime
        .block_on(import::run(&request, |_| {}, Utc::now()))
        .expect("the import succeeds");
    let wall = started.elapsed();
    let (calls, rate_ratio, too_many) = rate_ratio(&sandbox);
    Run {
        project,
        wall,
        calls,
        rate_ratio,
        too_many,
        walks: walks(&sandbox),
    }
}

/// The peer baseline: the same pages, one call at a time, sleeping 1.01 intervals between
/// calls, stopping at the first empty page.
fn sequential(
    runtime: &tokio::runtime::Runtime,
    account: &Account,
    latency: Duration,
    queries: &[String],
) -> (Duration, usize) {
    let sandbox = serve(account, latency, Faults::none());
    let http = reqwest::Client::new();
    let started = Instant::now();
    runtime.block_on(async {
        for query in queries {
            for page in 1.. {
                let url = format!("{}/{query}&page={page}", sandbox.base_url());
                let response = http
                    .get(url)
                    .basic_auth(USERNAME, Some(KEY))
                    .send()
                    .await
                    .expect("a response");
                assert!(response.status().is_success(), "{}", response.status());
                let body = response.bytes().await.expect("a body");
                tokio::time::sleep(interval().mul_f64(1.01)).await;
                if body.as_ref() == b"[]" {
                    break;
                }
            }
        }
    });
    (started.elapsed(), sandbox.requests().len())
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let started = Instant::now();
    let account = generate(Preset::Large, 1, Utc::now());
    println!(
        "large preset: {} sales orders, {} products, {} branches (generated in {:.1} s)",
        account.sales_orders.len(),
        account.products.len(),
        account.branches.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "rate windows scaled by 1/{SCALE}: {:?} (one call per {:?} sustained)",
        limits().windows,
        interval()
    );

    let mut reference: Option<Project> = None;
    for factor in [0.5, 1.5, 3.0] {
        let latency = interval().mul_f64(factor);
        let run = ours(&runtime, &account, latency, Faults::none());
        let minimum = run.project.report.minimum_calls;
        let queries = run.walks.clone();
        let (baseline_wall, baseline_calls) = sequential(&runtime, &account, latency, &queries);
        println!(
            "latency {factor}× ({latency:?}): call rate {:.3} of the limit, {} 429s, calls {} ÷ minimum {} = {:.4}, wall {:.1} s; sequential peer {:.1} s ({} calls): ours ÷ peer = {:.2}",
            run.rate_ratio,
            run.too_many,
            run.calls,
            minimum,
            run.calls as f64 / minimum as f64,
            run.wall.as_secs_f64(),
            baseline_wall.as_secs_f64(),
            baseline_calls,
            run.wall.as_secs_f64() / baseline_wall.as_secs_f64()
        );
        reference.get_or_insert(run.project);
    }

    let faults: Faults = "500@20,drop@50,jitter=4ms".parse().expect("a fault spec");
    let latency = interval().mul_f64(1.5);
    let run = ours(&runtime, &account, latency, faults);
    let reference = reference.expect("a fault-free run");
    let same = run.project.items == reference.items
        && run.project.locations == reference.locations
        && run.project.periods == reference.periods
        && run.project.series == reference.series
        && run.project.report.warnings == reference.report.warnings;
    println!(
        "faults (500 every 20th call, a dropped connection every 50th, ±10% latency jitter) at 1.5×: {} retries, {} calls, call rate {:.3} of the limit, {} 429s, wall {:.1} s; result identical to the fault-free run: {same}",
        run.project.report.retries,
        run.calls,
        run.rate_ratio,
        run.too_many,
        run.wall.as_secs_f64()
    );
}
