//! Keeping a project current, against the sandbox's `large` preset with Cin7's windows scaled
//! to a tenth on both sides and 150 ms of latency: the calls and wall time of a full import, of
//! an update after 1% of the documents (and stock rows) changed, and of an import stopped half
//! way and resumed from its checkpoint. Prints update ÷ import (goal ≤ 0.02) and resumed ÷
//! uninterrupted (goal ≤ 1.02); and, for the import and the update, the calls of the walks the
//! planning data added (the kits, the open documents older than the history) against the
//! calls without them, as before (goal ≤ 1.02).
//!
//! Run with `cargo bench --bench update`. Asserts nothing; prints figures.

#![allow(clippy::too_many_lines)] // a benchmark's main reads as its report

use chrono::{Duration as Days, Utc};
use cin7_planner::cin7::{ApiKey, CallLog, RetryPolicy};
use cin7_planner::import::{
    self, ImportEvent, ImportJob, ImportRequest, Partials, RunStore, UpdateRequest,
};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Account, Preset, Sandbox, SandboxConfig, generate};
use std::time::{Duration, Instant};

const USERNAME: &str = "bench";
const KEY: &str = "bench-key";

fn limits() -> RateLimits {
    "3/100ms,60/6s,5000/1d".parse().expect("a spec")
}

fn serve(account: &Account) -> Sandbox {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = limits();
    config.latency = Duration::from_millis(150);
    Sandbox::start(config).expect("the sandbox starts")
}

/// The daily call count the runs share, as the app's do: an update right after an import
/// paces against the import's last calls.
fn call_log() -> CallLog {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a folder"));
    CallLog::at(dir.path().join("calls.json"))
}

fn request(sandbox: &Sandbox, run_store: Option<RunStore>) -> ImportRequest {
    let starting_date = (Utc::now() - Days::days(3 * 365 + 7)).date_naive();
    ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().to_owned(),
            username: USERNAME.to_owned(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings::new(starting_date, GroupBy::Week, chrono_tz::Pacific::Auckland),
        rate_limits: limits(),
        retry: RetryPolicy::for_limits(&limits()),
        call_log: Some(call_log()),
        run_store,
        newest_first: true,
    }
}

/// Runs a job to its end; with `stop_at`, cancels it once the sandbox has answered that many.
fn follow(job: &ImportJob, sandbox: &Sandbox, stop_at: Option<usize>) -> Option<Project> {
    loop {
        if stop_at.is_some_and(|n| sandbox.requests().len() >= n) {
            job.cancel();
        }
        match job.next_timeout(Duration::from_millis(20)) {
            Some(ImportEvent::Finished(result)) => return (*result).ok(),
            Some(ImportEvent::Progress(_) | ImportEvent::Partial(_)) | None => {}
        }
    }
}

/// Every hundredth document and stock row modified now, as edits in Cin7 would.
fn touch_one_percent(account: &mut Account) {
    let now = Utc::now();
    for order in account.sales_orders.iter_mut().step_by(100) {
        order.modified = now;
    }
    for note in account.credit_notes.iter_mut().step_by(100) {
        note.modified = now;
    }
    for po in account.purchase_orders.iter_mut().step_by(100) {
        po.modified = now;
    }
    for row in account.stock.iter_mut().step_by(100) {
        row.modified = now;
    }
}

/// The calls of the walks issue 19 added: the bills of materials, and the documents still
/// open from before the history (their `IS NULL` filters). The rest is what a run made before.
fn planning_calls(log: &[cin7_planner::sandbox::LoggedRequest]) -> usize {
    log.iter()
        .filter(|r| r.path.ends_with("/BomMasters") || r.query.contains("NULL"))
        .count()
}

/// `Products 25, SalesOrders 14, …`: how many calls went to each path, most first.
fn calls_by_path(log: &[cin7_planner::sandbox::LoggedRequest]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for request in log {
        let resource = request.path.rsplit('/').next().unwrap_or(&request.path);
        *counts.entry(resource).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .iter()
        .map(|(resource, n)| format!("{resource} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    let account = generate(Preset::Large, 1, Utc::now());
    println!(
        "large preset: {} sales orders, {} stock rows; windows {:?}, 150 ms latency",
        account.sales_orders.len(),
        account.stock.len(),
        limits().windows
    );

    let sandbox = serve(&account);
    let started = Instant::now();
    let job = ImportJob::spawn(request(&sandbox, None), Partials::NotShown, || {});
    let project = follow(&job, &sandbox, None).expect("the import succeeds");
    let (import_calls, import_wall) = (sandbox.requests().len(), started.elapsed());
    println!(
        "full import: {import_calls} calls, {:.1} s",
        import_wall.as_secs_f64()
    );
    let added = planning_calls(&sandbox.requests());
    println!(
        "  of which {added} for kits and older open orders; without them {} calls: ÷ before = {:.4} (goal ≤ 1.02)",
        import_calls - added,
        import_calls as f64 / (import_calls - added) as f64
    );

    // 1% of the documents changed since.
    sandbox.update(touch_one_percent);
    let before = sandbox.requests().len();
    let started = Instant::now();
    let update = UpdateRequest {
        run: request(&sandbox, None),
        project: project.into(),
        path: None,
        overlap: import::DEFAULT_OVERLAP,
    };
    let job = ImportJob::spawn_update(update, || {});
    let updated = follow(&job, &sandbox, None).expect("the update succeeds");
    let update_calls = sandbox.requests().len() - before;
    println!(
        "update after 1% changed: {update_calls} calls, {:.1} s; calls ÷ full import = {:.4}; read {:?}",
        started.elapsed().as_secs_f64(),
        update_calls as f64 / import_calls as f64,
        updated.report.records
    );
    let update_log = &sandbox.requests()[before..];
    println!(
        "  the update's calls by resource: {}; {} 429s",
        calls_by_path(update_log),
        update_log.iter().filter(|r| r.status == 429).count()
    );
    let added = planning_calls(update_log);
    println!(
        "  of which {added} for kits; without them {} calls: ÷ before = {:.4} (goal ≤ 1.02)",
        update_calls - added,
        update_calls as f64 / (update_calls - added) as f64
    );

    let state = tempfile::tempdir().expect("a folder");
    let fresh = serve(&account);
    let store = |s: &Sandbox| {
        let r = request(s, None);
        RunStore::for_import(state.path(), &r.connection, &r.settings)
    };
    let job = ImportJob::spawn(
        request(&fresh, Some(store(&fresh))),
        Partials::NotShown,
        || {},
    );
    follow(&job, &fresh, Some(import_calls / 2));
    drop(job);
    let stopped_calls = fresh.requests().len();
    let job = ImportJob::spawn(
        request(&fresh, Some(store(&fresh))),
        Partials::NotShown,
        || {},
    );
    let resumed = follow(&job, &fresh, None).expect("the resumed import succeeds");
    let total = fresh.requests().len();
    println!(
        "stopped at {stopped_calls} calls and resumed: {total} calls in all ({} pages reused); ÷ uninterrupted = {:.4}",
        resumed.report.pages_reused,
        total as f64 / import_calls as f64
    );
}
