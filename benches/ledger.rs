//! The ledger at scale: the sandbox's `large` preset imported once (its whole history, so every
//! document is in memory), then, for day, week and month grouping, ledger → series in rows per
//! second on one core (goal ≥ 5 million), project save and open scaled to a million ledger rows
//! (goal under 1 s each), the file's size per million ledger rows, and the peak memory that
//! opening allocates against the file's size (goal under 4×). Then the monthly project's
//! exports, each table as CSV and all of them as one workbook: rows, time, peak memory and
//! file size.
//!
//! Run with `cargo bench --bench ledger`. Asserts nothing; prints figures.

#![allow(clippy::too_many_lines)] // a benchmark's main reads as its report
#![allow(unsafe_code)] // a global allocator that counts is unsafe by its trait's contract

use chrono::{Duration as Days, Utc};
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportRequest};
use cin7_planner::project::rebuild::rebuild;
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project, file};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let grown = new_size - layout.size();
            let now = IN_USE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work`, returning its result and the most memory it had allocated at once beyond what
/// was in use before it started.
fn peak_of<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = work();
    (result, PEAK.load(Ordering::Relaxed) - before)
}

/// The best of three runs.
fn best<T>(mut work: impl FnMut() -> T) -> (T, Duration) {
    let mut fastest = Duration::MAX;
    let mut last = None;
    for _ in 0..3 {
        let started = Instant::now();
        let result = work();
        fastest = fastest.min(started.elapsed());
        last = Some(result);
    }
    (last.expect("three runs"), fastest)
}

fn import_large() -> Project {
    let now = Utc::now();
    let generated = Instant::now();
    let account = generate(Preset::Large, 1, now);
    println!(
        "large preset generated in {:.1} s",
        generated.elapsed().as_secs_f64()
    );
    let mut config = SandboxConfig::new(account, "bench", "bench-key");
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).expect("the sandbox starts");
    let request = ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().to_owned(),
            username: "bench".to_owned(),
        },
        key: ApiKey::new("bench-key"),
        settings: ImportSettings::new(
            (now - Days::days(3 * 365 + 7)).date_naive(),
            GroupBy::Month,
            chrono_tz::Pacific::Auckland,
        ),
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        run_store: None,
        newest_first: true,
    };
    let started = Instant::now();
    let project = tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(import::run(&request, |_| {}, now))
        .expect("the import succeeds");
    println!(
        "imported with no rate limit in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    project
}

fn main() {
    let project = import_large();
    let ledger = project.ledger.as_ref().expect("an import keeps its ledger");
    let rows = ledger.rows();
    let per_million = |d: Duration| d.as_secs_f64() * 1e6 / rows as f64;
    println!(
        "ledger: {} documents, {} sale lines, {} movements ({rows} rows), {} stock rows; {} items at {} locations",
        ledger.documents.len(),
        ledger.sales.len(),
        ledger.movements.len(),
        ledger.stock_readings.iter().map(|r| r.len()).sum::<usize>(),
        project.items.len(),
        project.locations.len(),
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    println!(
        "{:<6} {:>8} {:>8} {:>11} {:>10} {:>9} {:>9} {:>10} {:>9} {:>9}",
        "group",
        "periods",
        "series",
        "rebuild ms",
        "Mrows/s",
        "save s/M",
        "open s/M",
        "file MB",
        "MB/Mrows",
        "peak/file"
    );
    for group_by in [GroupBy::Day, GroupBy::Week, GroupBy::Month] {
        let settings = ImportSettings {
            group_by,
            ..project.settings.clone()
        };
        let (rebuilt, took) = best(|| {
            rebuild(ledger, &settings, &project.items, &project.locations)
                .expect("the large preset fits the limits")
        });
        let regrouped = Project {
            settings: settings.clone(),
            periods: rebuilt.calendar.periods,
            series: rebuilt.series,
            ..project.clone()
        };
        let path = dir.path().join(format!("{group_by:?}.json"));
        let ((), saving) = best(|| file::save(&regrouped, &path).expect("the save succeeds"));
        let size = std::fs::metadata(&path).expect("the saved file").len() as f64;
        drop(regrouped);
        let ((opened, peak), opening) =
            best(|| peak_of(|| file::open(&path).expect("the file opens")));
        println!(
            "{:<6} {:>8} {:>8} {:>11.1} {:>10.1} {:>9.2} {:>9.2} {:>10.1} {:>9.1} {:>9.2}",
            group_by.label(),
            opened.periods.len(),
            opened.series.len(),
            took.as_secs_f64() * 1e3,
            rows as f64 / took.as_secs_f64() / 1e6,
            per_million(saving),
            per_million(opening),
            size / 1e6,
            size / 1e6 * 1e6 / rows as f64,
            peak as f64 / size,
        );
    }
    let mut warnings = cin7_planner::project::DataWarnings::default();
    let pairs: Vec<(usize, usize)> = project
        .series
        .iter()
        .map(|s| (s.item, s.location))
        .collect();
    let (_, planning) = best(|| {
        cin7_planner::project::planning::planning(
            ledger,
            project.settings.time_zone,
            &project.items,
            &project.locations,
            pairs.iter().copied(),
            &mut warnings,
        )
    });
    println!(
        "planning (open orders, lead times, kits) alone: {:.1} ms",
        planning.as_secs_f64() * 1e3
    );
    exports(&project, dir.path());
}

/// Each table's export of the monthly project, and the workbook of them all: rows, time, the
/// peak memory it allocated and the file's size.
fn exports(project: &Project, dir: &std::path::Path) {
    use cin7_planner::project::tables::TableKind;
    println!(
        "{:<18} {:>9} {:>8} {:>9} {:>9}",
        "export", "rows", "s", "peak MB", "file MB"
    );
    let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len()) as f64 / 1e6;
    for table in TableKind::ALL {
        let rows = table.of(project).rows.count();
        let path = dir.join(format!("{}.csv", table.file_suffix()));
        let started = Instant::now();
        let ((), peak) = peak_of(|| {
            cin7_planner::project::csv::export(&path, |out| {
                cin7_planner::project::csv::write_table(table.of(project), out)
            })
            .expect("the export succeeds");
        });
        println!(
            "{:<18} {:>9} {:>8.2} {:>9.1} {:>9.1}",
            format!("{} CSV", table.file_suffix()),
            rows,
            started.elapsed().as_secs_f64(),
            peak as f64 / 1e6,
            size(&path)
        );
    }
    let path = dir.join("plan.xlsx");
    let started = Instant::now();
    let ((), peak) = peak_of(|| {
        cin7_planner::project::xlsx::export(project, &path).expect("the workbook is written");
    });
    println!(
        "{:<18} {:>9} {:>8.2} {:>9.1} {:>9.1}",
        "workbook XLSX",
        "",
        started.elapsed().as_secs_f64(),
        peak as f64 / 1e6,
        size(&path)
    );
}
