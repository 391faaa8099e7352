//! Imports that stop and resume exactly, through the real `cin7-planner` process: killed with
//! SIGKILL at five points (the first call, mid-way, most of the way, while building, while
//! saving), stopped by Ctrl+C, and stopped by the daily budget and resumed once
//! the window frees up, or by an outage beyond the retries; and an update stopped by the
//! budget, picked up by the next `update`.
//! Each resumed run equals an uninterrupted one, and no damaged or partial project file ever
//! exists.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use cin7_planner::project::{Project, file};
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use common::{KEY, USERNAME};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// No pacing: only the tests of the daily budget, and the kill test, pace their runs.
const UNPACED: &str = "none";

/// Cin7's windows at a tenth. The kill test counts the calls asked twice (those in flight when
/// the run was killed), which the pacer bounds: unpaced, a dozen are in flight at the first
/// call, and the number of pages asked ahead depends on the pace.
const TENTH: &str = "3/100ms,60/6s,5000/1d";

fn sandbox() -> Sandbox {
    sandbox_answering_in(Duration::ZERO)
}

/// A sandbox whose every answer takes `latency`, so that an unpaced import lasts long enough
/// to be stopped at a chosen call.
fn sandbox_answering_in(latency: Duration) -> Sandbox {
    let account = generate(Preset::Demo, 2, chrono::Utc::now());
    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.rate_limits = cin7_planner::rate_limit::RateLimits::unlimited();
    config.latency = latency;
    Sandbox::start(config).unwrap()
}

fn command(sandbox: &Sandbox, out: &Path, state: &Path, pace: &str, extra: &[&str]) -> Command {
    command_from("2025-06-01", sandbox, out, state, pace, extra)
}

/// An import starting at `start` (another start is another run, with its own checkpoint).
fn command_from(
    start: &str,
    sandbox: &Sandbox,
    out: &Path,
    state: &Path,
    pace: &str,
    extra: &[&str],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cin7-planner"));
    command
        .args([
            "import",
            "--username",
            USERNAME,
            "--start",
            start,
            "--group-by",
            "week",
        ])
        .args([
            "--tz",
            "Pacific/Auckland",
            "--rate-limits",
            pace,
            "--base-url",
        ])
        .arg(sandbox.base_url())
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("CIN7_API_KEY", KEY)
        .env("CIN7_PLANNER_STATE_DIR", state)
        .env("CIN7_PLANNER_LOG", "cin7_planner=debug")
        .stdin(Stdio::null());
    command
}

fn run(sandbox: &Sandbox, out: &Path, state: &Path, extra: &[&str]) -> Output {
    command(sandbox, out, state, UNPACED, extra)
        .output()
        .unwrap()
}

/// What must be the same whether or not the import stopped on the way (the moment it is as
/// of aside: a resumed import keeps the moment it first started).
fn essence(project: &Project) -> String {
    let ledger = project.ledger.as_ref().unwrap();
    let series: Vec<_> = project
        .series
        .iter()
        .map(|s| (s.item, s.location, &s.sales, &s.on_hand))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{series:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        project.items,
        project.locations,
        project.periods,
        project.report.warnings,
        ledger.documents,
        ledger.sales,
        ledger.movements,
        ledger
            .stock_readings
            .iter()
            .map(|r| r.rows().collect::<Vec<_>>())
            .collect::<Vec<_>>()
    )
}

/// The file is either absent or a whole project.
fn assert_whole_or_absent(out: &Path) {
    if out.exists() {
        file::open(out).unwrap_or_else(|e| panic!("a partial project file: {e}"));
    }
}

/// Where an import is stopped.
#[derive(Clone, Copy, Debug)]
enum Point {
    /// Once the sandbox has answered this many calls.
    Calls(usize),
    /// When every page is read and the project is being built.
    Building,
    /// When the log says the project is being saved.
    Saving,
}

/// Sends `signal` (a name such as `STOP`) to `child`, through kill(1).
fn signal(child: &Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -s {signal}");
}

/// Kills the import at `point`; false when it finished before (a save can be that quick).
fn kill_at(mut child: Child, sandbox: &Sandbox, already: usize, point: Point, out: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    match point {
        Point::Calls(n) => {
            while sandbox.requests().len() < already + n {
                assert!(
                    Instant::now() < deadline,
                    "the import never got to {n} calls"
                );
                assert!(
                    child.try_wait().unwrap().is_none(),
                    "it ended before {n} calls"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Point::Building => {
            let stderr = child.stderr.take().unwrap();
            let mut lines = BufReader::new(stderr).lines();
            while !lines
                .next()
                .unwrap()
                .unwrap()
                .starts_with("Building the project")
            {}
        }
        Point::Saving => {
            let stderr = child.stderr.take().unwrap();
            for line in BufReader::new(stderr).lines() {
                if line.unwrap().contains("saving the project") {
                    signal(&child, "STOP");
                    break;
                }
            }
            // Stepped a few microseconds at a time until its temporary file is there.
            while !saving(out) {
                if out.exists() {
                    child.kill().unwrap();
                    child.wait().unwrap();
                    return false;
                }
                signal(&child, "CONT");
                std::thread::sleep(Duration::from_micros(20));
                signal(&child, "STOP");
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    true
}

/// How many pages the runs under `state` have kept on disk.
fn pages_kept(state: &Path) -> usize {
    let Ok(runs) = std::fs::read_dir(state.join("runs")) else {
        return 0;
    };
    runs.flatten()
        .filter_map(|run| std::fs::read_dir(run.path().join("pages")).ok())
        .map(|pages| pages.count())
        .sum()
}

/// Whether a save of `out` is under way: its temporary file is there.
fn saving(out: &Path) -> bool {
    let name = format!(".{}.", out.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with(&name))
}

#[test]
fn a_killed_import_resumes_exactly_wherever_it_was_killed() {
    let sandbox = sandbox();
    let reference_dir = tempfile::tempdir().unwrap();
    let reference_out = reference_dir.path().join("reference.json");
    let output = command(
        &sandbox,
        &reference_out,
        &reference_dir.path().join("state"),
        TENTH,
        &[],
    )
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reference = file::open(&reference_out).unwrap();
    let total = sandbox.requests().len();
    assert!(total >= 20, "{total} calls: too few to stop in between");

    for point in [
        Point::Calls(1),
        Point::Calls(total / 2),
        Point::Calls(total - 3),
        Point::Building,
        Point::Saving,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (out, state) = (dir.path().join("shop.json"), dir.path().join("state"));
        let before = sandbox.requests().len();
        let mut attempts = 0;
        loop {
            let child = command(&sandbox, &out, &state, TENTH, &[])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            attempts += 1;
            if kill_at(child, &sandbox, before, point, &out) {
                break;
            }
            assert!(
                attempts < 5,
                "{point:?}: the save was never caught under way"
            );
            std::fs::remove_file(&out).unwrap();
        }
        assert_whole_or_absent(&out);
        if let Point::Saving = point {
            assert!(
                !out.exists(),
                "killed before the rename, the file is not there"
            );
        }
        assert!(
            state.join("runs").read_dir().unwrap().count() == 1,
            "{point:?}: killed before the project was saved, its checkpoint is there"
        );
        let killed_calls = sandbox.requests().len() - before;
        let killed_calls = killed_calls - (attempts - 1) * total;
        let output = command(&sandbox, &out, &state, TENTH, &["--resume"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{point:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let resumed_calls = sandbox.requests().len() - before - killed_calls;
        let resumed = file::open(&out).unwrap();
        assert_eq!(essence(&resumed), essence(&reference), "{point:?}");
        // Only what was lost in flight is asked for twice.
        assert!(
            killed_calls + resumed_calls <= total + 6,
            "{point:?}: {killed_calls} + {resumed_calls} calls against {total}"
        );
        // The checkpoint goes once the project is saved, and no temporary is left.
        assert_eq!(
            std::fs::read_dir(state.join("runs")).unwrap().count(),
            0,
            "{point:?}"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "state")
            .collect();
        assert_eq!(names, vec!["shop.json".to_owned()], "{point:?}");
    }
}

#[test]
fn ctrl_c_stops_cleanly_and_the_import_resumes() {
    let sandbox = sandbox_answering_in(Duration::from_millis(250));
    let dir = tempfile::tempdir().unwrap();
    let (out, state) = (dir.path().join("shop.json"), dir.path().join("state"));
    let mut child = command(&sandbox, &out, &state, UNPACED, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted once a few pages are kept (answered and on disk), with more still to come.
    while sandbox.requests().len() < 5 || pages_kept(&state) < 3 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert_eq!(
        stderr.lines().last().unwrap(),
        "Stopped: what was read so far is kept, and the same command with --resume (or update again) goes on from there."
    );
    assert!(!out.exists());
    // The calls it made are counted.
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.join("calls.json")).unwrap()).unwrap();
    let logged = log["connections"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert!(logged.as_array().unwrap().len() >= 5);
    let output = run(&sandbox, &out, &state, &["--resume"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let resumed = file::open(&out).unwrap();
    assert!(
        resumed.report.pages_reused >= 1,
        "the pages read before Ctrl+C are used"
    );
}

/// The run ended with exit code 1 and the daily limit's sentence, for a limit of `calls`.
fn assert_stopped_by_the_budget(output: &Output, calls: u32) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let expected =
        format!("Cin7's daily limit of {calls} calls for this API connection is used up");
    assert!(
        stderr.lines().last().unwrap().starts_with(&expected),
        "{stderr}"
    );
}

#[test]
fn an_import_stopped_by_the_daily_budget_resumes_once_it_frees_up() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let (out, state) = (dir.path().join("shop.json"), dir.path().join("state"));
    // A "day" of three seconds (a hundred of the 30 ms minutes) with 12 calls in it.
    let pace = "3/2ms,60/30ms,12/3s";
    let output = command(&sandbox, &out, &state, pace, &[]).output().unwrap();
    assert_stopped_by_the_budget(&output, 12);
    assert!(!out.exists());
    let mut runs = 1;
    loop {
        std::thread::sleep(Duration::from_millis(3_100));
        let output = command(&sandbox, &out, &state, pace, &["--resume"])
            .output()
            .unwrap();
        runs += 1;
        if output.status.success() {
            break;
        }
        assert!(runs < 6, "{}", String::from_utf8_lossy(&output.stderr));
    }
    let reference_dir = tempfile::tempdir().unwrap();
    let reference_out = reference_dir.path().join("reference.json");
    let reference = run(
        &sandbox,
        &reference_out,
        &reference_dir.path().join("state"),
        &[],
    );
    assert!(reference.status.success());
    assert_eq!(
        essence(&file::open(&out).unwrap()),
        essence(&file::open(&reference_out).unwrap())
    );
}

/// `update FILE --out OUT`, which picks up a stopped update of the same file.
/// A window and a command-line run on one connection at once (here, two command-line runs
/// sharing the state folder): each reads the other's calls from the daily log as it goes, so
/// together they spend the daily budget once, less a few calls, not twice.
#[test]
fn two_runs_at_once_share_the_daily_budget() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    // Cin7's windows at a tenth and a "day" of 30 calls, which one import alone overruns.
    let pace = "3/100ms,60/6s,30/1d";
    let spawn = |start: &str, name: &str| {
        command_from(start, &sandbox, &dir.path().join(name), &state, pace, &[])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn("2025-06-01", "a.json"), spawn("2025-07-01", "b.json"));
    for child in [first, second] {
        assert_stopped_by_the_budget(&child.wait_with_output().unwrap(), 30);
    }
    // Each learns the other's calls at most two flushes (two calls' time each, 200 ms here)
    // after they were made, while both together make up to 20 a second: at most 8 over, never
    // the 60 two runs blind to each other make.
    let calls = sandbox.requests().len();
    assert!((30..=38).contains(&calls), "{calls} calls");
}

fn update(file: &Path, out: &Path, state: &Path, pace: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cin7-planner"))
        .arg("update")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(["--rate-limits", pace])
        .env("CIN7_API_KEY", KEY)
        .env("CIN7_PLANNER_STATE_DIR", state)
        .env("CIN7_PLANNER_LOG", "cin7_planner=debug")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn an_update_stopped_by_the_daily_budget_is_picked_up_by_the_next_update() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let (imported, state) = (dir.path().join("shop.json"), dir.path().join("state"));
    assert!(run(&sandbox, &imported, &state, &[]).status.success());
    let now = chrono::Utc::now();
    sandbox.update(|a| {
        let open = |o: &&cin7_planner::sandbox::account::SalesOrderRecord| {
            o.is_approved && !o.is_void && o.dispatched.is_none()
        };
        let id = a.sales_orders.iter().rev().find(open).unwrap().id;
        assert!(a.dispatch_sales_order(id, now));
    });

    // A "day" of three seconds with 6 calls in it: the update stops, then goes on.
    let (updated, pace) = (dir.path().join("updated.json"), "3/2ms,60/30ms,6/3s");
    let mut stopped = 0;
    loop {
        let output = update(&imported, &updated, &state, pace);
        if output.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr
                .lines()
                .last()
                .unwrap()
                .starts_with("Cin7's daily limit of 6 calls"),
            "{stderr}"
        );
        assert!(!updated.exists());
        stopped += 1;
        assert!(stopped < 8, "{stderr}");
        std::thread::sleep(Duration::from_millis(3_100));
    }
    assert!(stopped >= 1);
    let resumed = file::open(&updated).unwrap();
    assert!(resumed.report.pages_reused >= 1, "{:?}", resumed.report);

    let reference_dir = tempfile::tempdir().unwrap();
    let reference = reference_dir.path().join("reference.json");
    let output = update(
        &imported,
        &reference,
        &reference_dir.path().join("state"),
        UNPACED,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(essence(&resumed), essence(&file::open(&reference).unwrap()));
}

/// An outage beyond the retries stops the import with its pages kept; the next run, once Cin7
/// answers again, reads only the rest and equals an uninterrupted import.
#[test]
fn an_import_stopped_by_an_outage_resumes_exactly() {
    use cin7_planner::cin7::{ApiKey, RetryPolicy};
    use cin7_planner::import::{self, ImportError, ImportRequest, RunStore};
    use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings};
    let mut config =
        SandboxConfig::new(generate(Preset::Demo, 2, chrono::Utc::now()), USERNAME, KEY);
    config.rate_limits = cin7_planner::rate_limit::RateLimits::unlimited();
    // Every 40th call fails: without retries, that ends the run there. (Late enough that some
    // full page, which is what a run keeps, has come by then whatever order the walks run
    // in: at the 12th call, newest first had often read only short pages.)
    config.faults = "503@40".parse().unwrap();
    let sandbox = Sandbox::start(config).unwrap();
    let state = tempfile::tempdir().unwrap();
    let connection = ConnectionInfo {
        base_url: sandbox.base_url().to_owned(),
        username: USERNAME.into(),
    };
    let settings = ImportSettings::new(
        chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        GroupBy::Week,
        chrono_tz::Pacific::Auckland,
    );
    let request = |retry: RetryPolicy, store: Option<RunStore>| ImportRequest {
        retry,
        run_store: store,
        ..ImportRequest::new(
            connection.clone(),
            ApiKey::new(KEY),
            settings.clone(),
            cin7_planner::rate_limit::RateLimits::unlimited(),
        )
    };
    let store = RunStore::for_import(state.path(), &connection, &settings);
    let now = chrono::Utc::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stopped = runtime.block_on(import::run(
        &request(RetryPolicy::never(), Some(store.clone())),
        |_| {},
        now,
    ));
    assert!(
        matches!(stopped, Err(ImportError::Cin7(_))),
        "{:?}",
        stopped.map(|_| ())
    );
    assert!(store.load().is_some(), "the checkpoint is kept");
    let retrying = RetryPolicy {
        max_attempts: 3,
        max_rate_limited: 3,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    let resumed = runtime
        .block_on(import::run(
            &request(retrying.clone(), Some(store)),
            |_| {},
            now,
        ))
        .unwrap();
    assert!(resumed.report.pages_reused >= 1, "{:?}", resumed.report);
    let fresh = runtime
        .block_on(import::run(&request(retrying, None), |_| {}, now))
        .unwrap();
    assert_eq!(essence(&resumed), essence(&fresh));
}
