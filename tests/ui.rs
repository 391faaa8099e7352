//! The window as a planner uses it, driven through egui_kittest: File > New > Cin7 connection,
//! the dialog, the import against a sandbox, Save, then Open in a fresh window.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::Datelike;
use cin7_planner::cin7::RetryPolicy;
use cin7_planner::project::{GroupBy, ImportSettings, SaleDate};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::secrets::{MemoryStore, SecretStore};
use cin7_planner::ui::file_dialogs::ScriptedDialogs;
use cin7_planner::ui::{DialogDefaults, PlannerApp, Services};
use common::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn app(base_url: &str, answers: Vec<Option<PathBuf>>, secrets: Arc<dyn SecretStore>) -> PlannerApp {
    let services = Services {
        dialogs: Box::new(ScriptedDialogs::new(answers)),
        secrets,
        // The sandbox in these tests enforces nothing; pacing is tested elsewhere.
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        state_dir: None,
    };
    PlannerApp::new(
        services,
        DialogDefaults {
            base_url: base_url.to_owned(),
            username: String::new(),
            key: None,
        },
    )
}

fn harness(app: PlannerApp) -> Harness<'static, PlannerApp> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .build_ui_state(|ui, app: &mut PlannerApp| app.ui(ui), app)
}

/// Runs frames, as the real event loop would, until `done` holds (or fails after 20 s).
fn step_until(
    harness: &mut Harness<'_, PlannerApp>,
    what: &str,
    done: impl Fn(&Harness<'_, PlannerApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

fn menu(harness: &mut Harness<'_, PlannerApp>, path: &[&str]) {
    for entry in path {
        harness.get_by_label(entry).click();
        harness.run_ok();
    }
}

fn type_into(harness: &mut Harness<'_, PlannerApp>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_ok();
    harness.get_by_label(label).type_text(text);
    harness.run_ok();
}

/// (code, location, units, revenue) of every series, in the project's order.
fn rows(app: &PlannerApp) -> Vec<(String, String, String, String)> {
    let project = app.project().expect("a project is open");
    project
        .series
        .iter()
        .map(|s| {
            let (qty, revenue) = s.totals();
            (
                project.items[s.item].code.clone(),
                project.locations[s.location].name.clone(),
                qty.normalize().to_string(),
                format!("{revenue:.2}"),
            )
        })
        .collect()
}

fn row(code: &str, location: &str, units: &str, revenue: &str) -> (String, String, String, String) {
    (code.into(), location.into(), units.into(), revenue.into())
}

fn expected_rows() -> Vec<(String, String, String, String)> {
    vec![
        row("MUG-BLU", "Warehouse", "2", "20.00"),
        row("MUG-BLU", "Shop, Main St", "2", "20.00"),
        row("MUG-RED", "Warehouse", "1", "14.00"),
        row("TEE-RED-S", "Shop, Main St", "1", "18.00"),
        row("TEE-RED-M", "Shop, Main St", "1", "18.00"),
    ]
}

#[test]
fn dialog_import_save_and_reopen() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut harness = harness(app(
        sandbox.base_url(),
        vec![Some(saved.clone())],
        Arc::clone(&secrets),
    ));
    harness.run_ok();
    harness.get_by_label_contains("Choose File > New > Cin7 connection");

    menu(&mut harness, &["File", "New", "Cin7 connection…"]);
    harness.get_by_label("Cin7 connection");
    // OK waits for valid input and says what is missing.
    harness.get_by_label("Enter the API username.");
    type_into(&mut harness, "API username", USERNAME);
    harness.get_by_label("Enter the API key.");
    type_into(&mut harness, "API key", KEY);

    // The date picker opens on a year ago; step back to January 2024, as a planner would.
    let a_year_ago = chrono::Local::now().date_naive() - chrono::Months::new(12);
    harness.get_by_label("Starting date").click();
    harness.run_ok();
    let years_back = a_year_ago.year() - 2024;
    let months_back = a_year_ago.month0();
    for arrow in std::iter::repeat_n("<<<", years_back as usize)
        .chain(std::iter::repeat_n("<<", months_back as usize))
    {
        harness.get_by_label(arrow).click();
        harness.run_ok();
    }
    harness.get_by_label("Save").click();
    harness.run_ok();
    harness.get_by_label("Months").click();
    harness.run_ok();
    harness.get_by_label("Import options").click();
    harness.run_ok();
    type_into(&mut harness, "Time zone", "Pacific/Auckland");
    harness
        .get_by_label("Remember the API key in the system keychain")
        .click();
    harness.run_ok();

    harness.get_by_label("OK").click();
    step_until(&mut harness, "the import to finish", |h| {
        h.state().project().is_some()
    });
    harness.get_by_label(
        "Imported 4 items at 2 locations with 19 calls. Save the project with File > Save.",
    );
    let project = harness.state().project().unwrap().clone();
    let start = project.settings.starting_date;
    assert_eq!((start.year(), start.month()), (2024, 1));
    assert_eq!(project.settings.group_by, GroupBy::Month);
    assert_eq!(project.settings.time_zone, chrono_tz::Pacific::Auckland);
    assert_eq!(rows(harness.state()), expected_rows());
    // The table shows the items, the sized flag and the location names.
    harness.get_by_label("TEE-RED-M");
    assert_eq!(harness.query_all_by_label("Shop, Main St").count(), 3);
    harness.get_by_label_contains("2 sized items have sales history but no on-hand history");
    // The key went to the (in-memory) keychain, never into the project.
    step_until(&mut harness, "the key to be stored", |h| {
        !h.state().is_busy()
    });
    let stored = secrets.get(&project.connection).unwrap().unwrap();
    assert_eq!(stored.expose(), KEY);

    menu(&mut harness, &["File", "Save Ctrl+S"]);
    step_until(&mut harness, "the save", |h| {
        h.state().project_path().is_some()
    });
    harness.get_by_label(&format!("Saved {}.", saved.display()));
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains(KEY));

    // A new window opens the file and shows the same numbers.
    let mut reopened = self::harness(app(
        sandbox.base_url(),
        vec![Some(saved.clone())],
        Arc::new(MemoryStore::default()),
    ));
    reopened.run_ok();
    menu(&mut reopened, &["File", "Open… Ctrl+O"]);
    step_until(&mut reopened, "the project to open", |h| {
        h.state().project().is_some()
    });
    assert_eq!(reopened.state().project(), Some(&project));
    reopened.get_by_label("shop.json");
    reopened.get_by_label("TEE-RED-M");

    // Regrouping by order date in UTC without returns needs no Cin7: its sandbox is gone. (The
    // starting date is the picker's day in January 2024, so months keep the numbers certain.)
    drop(sandbox);
    reopened.get_by_label("Grouping and sales options").click();
    reopened.run_ok();
    reopened.get_by_label("Order date").click();
    reopened.run_ok();
    type_into(&mut reopened, "Time zone", "UTC");
    reopened
        .get_by_label("Subtract returns (credit notes)")
        .click();
    reopened.run_ok();
    reopened.get_by_label("Apply").click();
    step_until(&mut reopened, "the regrouping", |h| {
        h.state().project().is_some_and(|p| !p.settings.returns)
    });
    reopened.get_by_label_contains(
        "months from the project's ledger, without calling Cin7. File > Save keeps the change.",
    );
    let by_order_date = ImportSettings {
        sale_date: SaleDate::Order,
        time_zone: chrono_tz::UTC,
        returns: false,
        ..project.settings.clone()
    };
    let regrouped = reopened.state().project().unwrap();
    assert_eq!(regrouped, &project.regrouped(by_order_date).unwrap());
    // Order 6 was placed on 30 January: its tees move from February into January.
    assert_eq!(
        regrouped.series[4].sales_qty(regrouped.periods.len())[..2],
        [dec("2"), dec("0")]
    );
    // Credit notes 101 (MUG-BLU at the shop) and 103 (TEE-RED-M) no longer take anything back.
    let mut without_returns = expected_rows();
    without_returns[1] = row("MUG-BLU", "Shop, Main St", "3", "30.00");
    without_returns[4] = row("TEE-RED-M", "Shop, Main St", "2", "36.00");
    assert_eq!(rows(reopened.state()), without_returns);
}

/// A fresh window in which the planner starts an import with the dialog's defaults.
fn start_import(base_url: &str, key: &str) -> Harness<'static, PlannerApp> {
    let mut harness = harness(app(base_url, vec![], Arc::new(MemoryStore::default())));
    harness.run_ok();
    menu(&mut harness, &["File", "New", "Cin7 connection…"]);
    type_into(&mut harness, "API username", USERNAME);
    type_into(&mut harness, "API key", key);
    harness.get_by_label("OK").click();
    harness
}

#[test]
fn errors_appear_in_the_window_as_one_sentence() {
    let sandbox = serve(fixture_account());
    let mut harness = start_import(sandbox.base_url(), "wrong-key");
    step_until(&mut harness, "the import to fail", |h| {
        h.query_by_label_contains("HTTP 401").is_some()
    });
    harness.get_by_label(
        "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1.",
    );
    assert!(harness.state().project().is_none());
}

#[test]
fn a_running_import_can_be_cancelled() {
    let mut config = cin7_planner::sandbox::SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.latency = Duration::from_secs(3);
    let sandbox = cin7_planner::sandbox::Sandbox::start(config).unwrap();
    let mut harness = start_import(sandbox.base_url(), KEY);
    step_until(&mut harness, "the progress view", |h| {
        h.query_by_label("Importing from Cin7").is_some()
    });
    let clicked = Instant::now();
    harness.get_by_label("Cancel").click();
    step_until(&mut harness, "the cancellation", |h| !h.state().is_busy());
    assert!(
        clicked.elapsed() < Duration::from_secs(2),
        "cancel waited for the slow server"
    );
    harness.get_by_label("The import was cancelled; nothing was saved.");
    assert!(harness.state().project().is_none());
}
