//! Pacing: the importer against the sandbox's `large` preset with Cin7's windows scaled to a
//! tenth on both sides (3 per 100 ms, 60 per 6 s), a server whose calls arrive up to 30 ms out
//! of step and whose new connections take 50 ms to set up, at latencies of 0.5×, 1.5× and 3×
//! the sustained call interval. For each it prints: 429s drawn (goal 0), how full every
//! minute window was (calls in it ÷ 60, the lowest and the median over every window that lies
//! inside the run, and how many windows held the fewest calls; goal ≥ 0.95), burst windows over
//! their limit by the benchmark's own count of the server's log, and calls made ÷ the fewest
//! possible (goal ≤ 1.02). Then the same under server faults, compared with the fault-free
//! result.
//!
//! The import reads newest first: for each run it also prints when the last 30 and the last
//! 90 days became exact, for sales and for on-hand, as calls and seconds ÷ the whole import's
//! (goals ≤ 0.10 and ≤ 0.30).
//!
//! With `PACING_REAL=1` it also runs at Cin7's real windows (3 per second, 60 per minute)
//! until 2,000 calls are made (about 34 minutes) and prints the same figures; with
//! `PACING_REAL=only`, only that.
//!
//! Run with `cargo bench --bench import`. Asserts nothing; prints figures.

#![allow(clippy::too_many_lines)] // a benchmark's main reads as its report

use chrono::{Duration as Days, Utc};
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportError, ImportRequest, Listener, Progress};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Account, Faults, Preset, Sandbox, SandboxConfig, generate};
use std::time::{Duration, Instant};

const USERNAME: &str = "bench";
const KEY: &str = "bench-key";
/// The imperfections of the server: calls counted up to 30 ms late, new connections 50 ms.
const IMPERFECT: &str = "arrive~30ms,connect=50ms";

/// Cin7's second and minute windows divided by `scale`; the daily budget stays (or is the
/// given number of calls, to stop a run there).
fn limits(scale: u32, daily: u32) -> RateLimits {
    let cin7 = RateLimits::cin7();
    let mut limits = cin7.clone();
    for (window, original) in limits.windows.iter_mut().zip(&cin7.windows) {
        if cin7.is_budget(original) {
            window.calls = daily;
        } else {
            window.per /= scale;
        }
    }
    limits
}

fn interval(limits: &RateLimits) -> Duration {
    Duration::from_secs_f64(1.0 / limits.sustained_rate().expect("a rate"))
}

fn serve(account: &Account, limits: &RateLimits, latency: Duration, faults: &str) -> Sandbox {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = limits.clone();
    config.latency = latency;
    config.faults = faults.parse::<Faults>().expect("a fault spec");
    Sandbox::start(config).expect("the sandbox starts")
}

fn request(base_url: &str, limits: &RateLimits) -> ImportRequest {
    let starting_date = (Utc::now() - Days::days(3 * 365 + 7)).date_naive();
    ImportRequest {
        connection: ConnectionInfo {
            base_url: base_url.to_owned(),
            username: USERNAME.to_owned(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings::new(starting_date, GroupBy::Week, chrono_tz::Pacific::Auckland),
        rate_limits: limits.clone(),
        retry: RetryPolicy::for_limits(limits),
        call_log: None,
        run_store: None,
        newest_first: true,
    }
}

/// What the server's log says of a run, counted here, apart from both the pacer and the
/// sandbox's limiter.
struct Figures {
    calls: usize,
    too_many: usize,
    /// Calls in each minute window inside the run ÷ the window's limit: lowest and median.
    fill_lowest: f64,
    fill_median: f64,
    /// Runs of more calls than the burst limit within one burst window.
    burst_over: usize,
    wall: Duration,
    /// Where the least full minute window starts, and how long before the last call.
    lowest_at: (Duration, Duration),
    /// How many minute windows held each number of calls, fewest first (the four lowest).
    spread: Vec<(usize, usize)>,
}

fn figures(sandbox: &Sandbox, limits: &RateLimits, wall: Duration) -> Figures {
    let log = sandbox.requests();
    let mut arrivals: Vec<Instant> = log.iter().map(|r| r.at).collect();
    arrivals.sort();
    let (burst, minute) = (limits.windows[0], limits.windows[1]);
    let last = *arrivals.last().expect("calls");
    let mut fills: Vec<(f64, usize)> = (0..arrivals.len())
        .take_while(|&i| arrivals[i] + minute.per <= last)
        .map(|i| {
            let end = arrivals[i] + minute.per;
            let inside = arrivals[i..].iter().take_while(|&&t| t < end).count();
            (inside as f64 / f64::from(minute.calls), i)
        })
        .collect();
    fills.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut spread = std::collections::BTreeMap::new();
    for (fill, _) in &fills {
        *spread
            .entry((fill * f64::from(minute.calls)).round() as usize)
            .or_insert(0) += 1;
    }
    let lowest = fills.first().map_or(0, |f| f.1);
    let lowest_at = (arrivals[lowest] - arrivals[0], last - arrivals[lowest]);
    let calls = burst.calls as usize;
    let burst_over = (0..arrivals.len().saturating_sub(calls))
        .filter(|&i| arrivals[i + calls] - arrivals[i] < burst.per)
        .count();
    Figures {
        calls: log.len(),
        too_many: log.iter().filter(|r| r.status == 429).count(),
        fill_lowest: fills.first().map_or(0.0, |f| f.0),
        fill_median: fills.get(fills.len() / 2).map_or(0.0, |f| f.0),
        burst_over,
        wall,
        lowest_at,
        spread: spread.into_iter().take(4).collect(),
    }
}

/// When a recent stretch became exact: the calls Cin7 had seen and the time since the start.
type Moment = Option<(usize, Duration)>;

/// When the last 30 and 90 days became exact, for sales and for on-hand.
#[derive(Default)]
struct Milestones {
    sales: [Moment; 2],
    on_hand: [Moment; 2],
}

const STRETCHES: [i64; 2] = [30, 90];

/// Notes the milestones as the import says how far back it is exact.
struct Watching<'a> {
    sandbox: &'a Sandbox,
    started: Instant,
    as_of: chrono::DateTime<Utc>,
    milestones: &'a std::sync::Mutex<Milestones>,
}

impl Listener for Watching<'_> {
    fn progress(&self, p: Progress) {
        let Some(exact) = p.exact else { return };
        let Ok(mut m) = self.milestones.lock() else {
            return;
        };
        let mut now = None;
        let mut note = |moment: &mut Moment, since: Option<chrono::DateTime<Utc>>, days: i64| {
            if moment.is_none() && since.is_some_and(|s| s <= self.as_of - Days::days(days)) {
                *moment = *now.get_or_insert_with(|| {
                    Some((self.sandbox.requests().len(), self.started.elapsed()))
                });
            }
        };
        for (i, days) in STRETCHES.into_iter().enumerate() {
            note(&mut m.sales[i], Some(exact.sales_since), days);
            note(&mut m.on_hand[i], exact.on_hand_since, days);
        }
    }
}

fn run(
    runtime: &tokio::runtime::Runtime,
    sandbox: &Sandbox,
    limits: &RateLimits,
) -> (Result<Project, ImportError>, Figures, Milestones) {
    let request = request(sandbox.base_url(), limits);
    let started = Instant::now();
    let milestones = std::sync::Mutex::new(Milestones::default());
    let as_of = Utc::now();
    let watching = Watching {
        sandbox,
        started,
        as_of,
        milestones: &milestones,
    };
    let result = runtime.block_on(import::run(&request, watching, as_of));
    let figures = figures(sandbox, limits, started.elapsed());
    let milestones = milestones.into_inner().unwrap_or_default();
    (result, figures, milestones)
}

/// The milestones as shares of the whole run's calls and time.
fn print_milestones(milestones: &Milestones, figures: &Figures) {
    let share = |moment: &Moment| match moment {
        Some((calls, at)) => format!(
            "{:.3} of the calls ({calls}), {:.3} of the time ({:.1} s)",
            *calls as f64 / figures.calls as f64,
            at.as_secs_f64() / figures.wall.as_secs_f64(),
            at.as_secs_f64()
        ),
        None => "never".to_owned(),
    };
    for (i, days) in STRETCHES.into_iter().enumerate() {
        println!(
            "  last {days} days exact: sales at {}; on-hand too at {}",
            share(&milestones.sales[i]),
            share(&milestones.on_hand[i])
        );
    }
}

fn print(label: &str, figures: &Figures, minimum: Option<u64>) {
    let waste = minimum.map_or_else(
        || "-".to_owned(),
        |m| {
            format!(
                "{} ÷ {m} = {:.4}",
                figures.calls,
                figures.calls as f64 / m as f64
            )
        },
    );
    println!(
        "{label}: {} 429s; minute windows filled {:.3} at the lowest ({:.1} s in, {:.1} s before the end), {:.3} median; {} burst windows over; calls ÷ minimum {waste}; wall {:.1} s",
        figures.too_many,
        figures.fill_lowest,
        figures.lowest_at.0.as_secs_f64(),
        figures.lowest_at.1.as_secs_f64(),
        figures.fill_median,
        figures.burst_over,
        figures.wall.as_secs_f64()
    );
    let spread: Vec<String> = figures
        .spread
        .iter()
        .map(|(calls, windows)| format!("{calls} calls: {windows}"))
        .collect();
    println!("  minute windows by calls in them: {}", spread.join(", "));
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
    let real = std::env::var("PACING_REAL").ok();
    if real.as_deref() != Some("only") {
        at_a_tenth(&runtime, &account);
    }
    if real.is_some() {
        at_cin7_scale(&runtime, &account);
    }
}

/// The runs at a tenth of Cin7's windows: each latency, then the faults.
fn at_a_tenth(runtime: &tokio::runtime::Runtime, account: &Account) {
    let tenth = limits(10, 5_000);
    println!(
        "Cin7's windows at a tenth: {:?}, one call per {:?} sustained; server: {IMPERFECT}",
        tenth.windows,
        interval(&tenth)
    );
    let mut reference: Option<Project> = None;
    let factors: Vec<f64> = match std::env::var("PACING_LATENCY") {
        Ok(factor) => vec![factor.parse().expect("a latency factor")],
        Err(_) => vec![0.5, 1.5, 3.0],
    };
    for factor in factors {
        let latency = interval(&tenth).mul_f64(factor);
        let sandbox = serve(account, &tenth, latency, IMPERFECT);
        let (result, figures, milestones) = run(runtime, &sandbox, &tenth);
        let project = result.expect("the import succeeds");
        print(
            &format!("latency {factor}× ({latency:?})"),
            &figures,
            Some(project.report.minimum_calls),
        );
        print_milestones(&milestones, &figures);
        reference.get_or_insert(project);
    }

    let faults = format!("{IMPERFECT},500@20,drop@50,jitter=15ms");
    let latency = interval(&tenth).mul_f64(1.5);
    let sandbox = serve(account, &tenth, latency, &faults);
    let (result, figures, _) = run(runtime, &sandbox, &tenth);
    let project = result.expect("the import succeeds under faults");
    let reference = reference.expect("a fault-free run");
    let same = project.items == reference.items
        && project.locations == reference.locations
        && project.periods == reference.periods
        && project.series == reference.series
        && project.report.warnings == reference.report.warnings;
    print(
        &format!(
            "faults {faults} at 1.5×: {} retries",
            project.report.retries
        ),
        &figures,
        Some(project.report.minimum_calls),
    );
    println!("  result identical to the fault-free run: {same}");
}

/// Cin7's own windows; the client's daily budget of 2,000 stops the run there.
fn at_cin7_scale(runtime: &tokio::runtime::Runtime, account: &Account) {
    let real = limits(1, 2_000);
    let sandbox = serve(
        account,
        &limits(1, 5_000),
        Duration::from_millis(400),
        IMPERFECT,
    );
    let (result, figures, _) = run(runtime, &sandbox, &real);
    let stopped = result
        .map(|_| "finished".to_owned())
        .unwrap_or_else(|e| e.to_string());
    print(
        "Cin7's real windows, 400 ms latency, the first 2,000 calls",
        &figures,
        None,
    );
    println!("  ended: {stopped}");
}
