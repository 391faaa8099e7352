//! Frame time of the project view with the `large` preset's project (about 18,600 items at 10
//! locations, three years of weeks), through the real window in egui_kittest (layout, and the
//! tessellation eframe does on the CPU; no GPU): the CPU time of each frame, median and 99th
//! percentile, idle, while scrolling the table, while typing in the filter with a chart
//! shown, while Update data runs behind the project (its progress in a panel above it), and
//! while a new import, read newest first, shows the project it has so far under its progress.
//! Goal: median under 4 ms, p99 under 16 ms. Also the time from the window's start to the
//! last project shown, with "reopen the last project" on (Monday's start).
//!
//! Run with `cargo bench --bench frames`. Asserts nothing; prints figures.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // a benchmark's main reads as its report

use chrono::{Duration as Days, Utc};
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportRequest};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, file};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use cin7_planner::secrets::{MemoryStore, SecretStore};
use cin7_planner::ui::file_dialogs::{Choice, ScriptedDialogs};
use cin7_planner::ui::{DialogDefaults, PersistedState, PlannerApp, Services, local_today};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut times: Vec<Duration>) {
    let median = percentile(&mut times, 0.5);
    let p99 = percentile(&mut times, 0.99);
    println!(
        "{what}: {} frames, median {:.2} ms, p99 {:.2} ms",
        times.len(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    );
}

fn main() {
    let started = Instant::now();
    let account = generate(Preset::Large, 1, Utc::now());
    let mut config = SandboxConfig::new(account, "bench", "bench-key");
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    let request = ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().to_owned(),
            username: "bench".into(),
        },
        key: ApiKey::new("bench-key"),
        settings: ImportSettings::new(
            (Utc::now() - Days::days(3 * 365)).date_naive(),
            GroupBy::Week,
            chrono_tz::Pacific::Auckland,
        ),
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        run_store: None,
        newest_first: true,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let project = runtime
        .block_on(import::run(&request, |_| {}, Utc::now()))
        .unwrap();
    // The same account again for Update data, on the same address, its answers slowed down so
    // that the update runs while frames are timed.
    let port = url::Url::parse(sandbox.base_url()).unwrap().port().unwrap();
    let account = sandbox.account();
    drop(sandbox);
    let mut config = SandboxConfig::new(account, "bench", "bench-key");
    config.rate_limits = RateLimits::unlimited();
    config.latency = Duration::from_millis(400);
    config.port = port;
    let _sandbox = Sandbox::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.json");
    file::save(&project, &path).unwrap();
    println!(
        "large project: {} items, {} locations, {} periods, {} series (made in {:.0} s)",
        project.items.len(),
        project.locations.len(),
        project.periods.len(),
        project.series.len(),
        started.elapsed().as_secs_f64()
    );

    let secrets = Arc::new(MemoryStore::default());
    secrets
        .set(&project.connection, &ApiKey::new("bench-key"))
        .unwrap();
    let services = Services {
        dialogs: Box::new(ScriptedDialogs::new([Choice::Picked(path.clone())])),
        secrets: secrets.clone(),
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        state_dir: None,
        today: local_today,
    };
    let defaults = DialogDefaults {
        base_url: Some(_sandbox.base_url().to_owned()),
        ..DialogDefaults::default()
    };
    let app = PlannerApp::new(services, defaults, PersistedState::default());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(|ui, app: &mut PlannerApp| app.ui(ui), app);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    while harness.state().project().is_none() {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..5 {
        harness.step();
    }
    // A frame as eframe spends it on the CPU: the app's layout, then tessellating its shapes
    // into meshes (kittest leaves that to a renderer, which this bench has none of).
    let frame = |harness: &mut Harness<'_, PlannerApp>| {
        let start = Instant::now();
        harness.step();
        let output = harness.output();
        let meshes = harness
            .ctx
            .tessellate(output.shapes.clone(), output.pixels_per_point);
        std::hint::black_box(meshes);
        start.elapsed()
    };

    let idle: Vec<Duration> = (0..300).map(|_| frame(&mut harness)).collect();
    report("idle", idle);

    // The pointer over the table, as a wheel only scrolls what is under it.
    harness.event(egui::Event::PointerMoved(egui::pos2(720.0, 600.0)));
    let mut scrolling = Vec::new();
    for _ in 0..300 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, -3.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        scrolling.push(frame(&mut harness));
    }
    report("scrolling the table", scrolling);

    // A row selected (its chart shown), then the filter typed into, a letter a frame.
    // A row in view: rows scrolled under the header are still laid out, behind it.
    let header = harness.get_by_label("Last on-hand").rect().bottom();
    let at = harness
        .query_all_by_label_contains("L0")
        .map(|n| n.rect())
        .find(|row| row.top() > header)
        .expect("a row to select")
        .center();
    harness.event(egui::Event::PointerMoved(at));
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    harness.step();
    harness.step();
    assert!(
        harness
            .query_by_label("Choose an item in the table to see its history.")
            .is_none(),
        "the selected row's chart is shown"
    );
    harness.get_by_label("Search items").click();
    harness.step();
    let mut typing = Vec::new();
    for letter in "kitchen item 1".chars().cycle().take(200) {
        if letter == ' ' {
            harness.key_press(egui::Key::Backspace);
        } else {
            harness.event(egui::Event::Text(letter.to_string()));
        }
        typing.push(frame(&mut harness));
    }
    report("typing in the filter with the chart shown", typing);

    // Update data: the project stays on screen, with the run's progress in a panel above it.
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness.key_press(egui::Key::F5);
    while harness.query_by_label("Updating from Cin7").is_none() {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut updating = Vec::new();
    while harness.query_by_label("Updating from Cin7").is_some() && updating.len() < 300 {
        updating.push(frame(&mut harness));
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, if updating.len() % 40 < 20 { -3.0 } else { 3.0 }),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
    }
    report("scrolling while Update data runs behind", updating);
    growing(&mut harness, &frame);
    drop(harness);

    // Monday: the window starts, and the last project is on screen.
    let mut state = PersistedState::default();
    state.opened(&path);
    let started = Instant::now();
    let services = Services {
        dialogs: Box::new(ScriptedDialogs::new([])),
        secrets,
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        state_dir: None,
        today: local_today,
    };
    let app = PlannerApp::new(services, DialogDefaults::default(), state);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(|ui, app: &mut PlannerApp| app.ui(ui), app);
    while harness.state().project().is_none() {
        harness.step();
        std::thread::sleep(Duration::from_millis(2));
    }
    harness.step();
    println!(
        "start to the last project shown (reopen on): {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// A new import of the same account from the dialog: once the project so far is shown (the
/// last 147 days exact), frames while it grows and the table scrolls; then Cancel.
fn growing(
    harness: &mut Harness<'_, PlannerApp>,
    frame: &dyn Fn(&mut Harness<'_, PlannerApp>) -> Duration,
) {
    // The update ends first: one run at a time.
    while harness.state().is_busy() {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run_steps(3);
    // The update left the project changed: New asks first.
    harness.get_by_label("Don't save").click();
    harness.run_steps(3);
    for (label, text) in [("API username", "bench"), ("API key", "bench-key")] {
        harness.get_by_label(label).click();
        harness.run_steps(2);
        harness.get_by_label(label).type_text(text);
        harness.run_steps(2);
    }
    harness.get_by_label("OK").click();
    let started = Instant::now();
    while harness.query_by_label_contains("Exact back to ").is_none() {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(3);
    println!(
        "new import: the project so far shown after {:.1} s, {} rows in view",
        started.elapsed().as_secs_f64(),
        // Each row's three planning columns say "loading".
        harness.query_all_by_label("loading").count() / 3
    );
    harness.event(egui::Event::PointerMoved(egui::pos2(720.0, 650.0)));
    let mut growing = Vec::new();
    for i in 0..300 {
        growing.push(frame(harness));
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, if i % 40 < 20 { -3.0 } else { 3.0 }),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
    }
    report("scrolling while a new import grows the project", growing);
    harness.get_by_label("Cancel").click();
    harness.run_steps(3);
}
