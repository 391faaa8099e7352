//! How long Test connection takes at Cin7's own rate: one `rows=1` call per resource a run
//! reads, against the sandbox with Cin7's windows (3 a second, 60 a minute) and a latency of
//! 150 ms, then 400 ms; three times in a row at each, with the daily call count kept as the
//! window keeps it (each check paces against the calls of the one before). Beside each, the
//! floor the windows set: the calls' bursts a second apart, then the last answer's latency.
//! Prints figures; asserts nothing.
//!
//! Run with `cargo bench --bench permissions`.

use chrono::NaiveDate;
use cin7_planner::cin7::{ApiKey, CallLog, RetryPolicy};
use cin7_planner::import::{self, ImportRequest, RESOURCES_READ};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use std::time::{Duration, Instant};

const USERNAME: &str = "bench";
const KEY: &str = "bench-key";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for latency in [150, 400].map(Duration::from_millis) {
        checks_at(&runtime, latency);
    }
}

/// Three checks in a row against a sandbox answering `latency` late.
fn checks_at(runtime: &tokio::runtime::Runtime, latency: Duration) {
    let account = generate(Preset::Demo, 1, chrono::Utc::now());
    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.latency = latency;
    let sandbox = Sandbox::start(config).expect("the sandbox starts");
    let limits = RateLimits::cin7();
    let state = tempfile::tempdir().expect("a folder");
    let request = ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().to_owned(),
            username: USERNAME.into(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings::new(
            NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date"),
            GroupBy::Week,
            chrono_tz::UTC,
        ),
        retry: RetryPolicy::for_limits(&limits),
        rate_limits: limits,
        call_log: Some(CallLog::at(state.path().join("calls.json"))),
        run_store: None,
        newest_first: true,
    };
    // Three calls a second: the last burst goes two seconds after the first.
    let bursts = RESOURCES_READ.len().div_ceil(3) as u32;
    let floor = Duration::from_secs(u64::from(bursts - 1)) + latency;
    for attempt in 1..=3 {
        let started = Instant::now();
        let found = runtime
            .block_on(import::check_permissions(&request, |_, _| {}))
            .expect("the check runs");
        let too_many = sandbox
            .requests()
            .iter()
            .filter(|r| r.status == 429)
            .count();
        println!(
            "latency {} ms, Test connection {attempt}: {} resources in {:.2} s (floor {:.2} s); {too_many} 429s so far",
            latency.as_millis(),
            found.resources.len(),
            started.elapsed().as_secs_f64(),
            floor.as_secs_f64()
        );
    }
}
