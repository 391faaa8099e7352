//! How the window looks, compared with the images in tests/snapshots (egui_kittest's
//! `snapshot`, rendered by wgpu on Mesa's software Vulkan driver, which `.ci/run` installs):
//! the start page, the connection dialog with its date picker open, and the project view with
//! a selected item's chart and what it plans with (its open orders listed), each in the light and the dark theme, in windows of 1024×700 and
//! 1280×800 pixels at 100% and 150%. (The progress panel's images come from its own unit test,
//! with the same windows.) Everything that could change between runs is fixed: the window's
//! date, the project's clock, the sandbox's port, the files' paths and times.
//! `UPDATE_SNAPSHOTS=1 cargo test --test ui looks` rewrites the images after a wanted change.

use super::{Setup, menu, step_until, type_into};
use crate::common::{USERNAME, fixture_account, line, order, serve, utc};
use chrono::NaiveDate;
use cin7_planner::import::{self};
use cin7_planner::project::{GroupBy, ImportSettings, file};
use cin7_planner::sandbox::account::Account;
use cin7_planner::ui::PlannerApp;
use cin7_planner::ui::file_dialogs::Choice;
use egui::{Key, Modifiers, Theme};
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, HarnessBuilder};
use std::path::{Path, PathBuf};

const BASE_URL: &str = "https://api.cin7.com/api";

/// The windows every look is checked in: width and height in pixels, and the scale.
const WINDOWS: [(f32, f32, f32); 4] = [
    (1024.0, 700.0, 1.0),
    (1024.0, 700.0, 1.5),
    (1280.0, 800.0, 1.0),
    (1280.0, 800.0, 1.5),
];

/// Checks `name` in both themes and every window: `show` brings the window built from the
/// builder it is given to the state to look at. Every image is compared before any failure is
/// reported.
fn in_every_window(
    name: &str,
    show: impl Fn(HarnessBuilder<PlannerApp>) -> Harness<'static, PlannerApp>,
) {
    let mut failed = Vec::new();
    for theme in [Theme::Light, Theme::Dark] {
        for (width, height, scale) in WINDOWS {
            let builder = Harness::builder()
                .with_size(egui::vec2(width / scale, height / scale))
                .with_pixels_per_point(scale)
                .with_theme(theme)
                .wgpu();
            let mut harness = show(builder);
            let theme_name = if theme == Theme::Light {
                "light"
            } else {
                "dark"
            };
            let image = format!("{name}_{theme_name}_{width}x{height}_{:.0}", scale * 100.0);
            if let Err(error) = harness.try_snapshot(&image) {
                failed.push(error.to_string());
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

fn first_of_june() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

/// A file at `path` dated 1 June 2026, 10:30 UTC.
fn dated_file(path: &Path) {
    std::fs::write(path, b"{}").unwrap();
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_780_309_800);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(at)
        .unwrap();
}

#[test]
fn the_start_page_looks_as_it_did() {
    // Recent projects at fixed paths and times (one since deleted), and the option to reopen
    // the last one (off here, so that the page stays).
    let dir = std::env::temp_dir().join("cin7-planner-looks-start");
    std::fs::create_dir_all(&dir).unwrap();
    let (shop, other) = (dir.join("shop.json"), dir.join("other shop.json"));
    dated_file(&shop);
    dated_file(&other);
    in_every_window("start", |builder| {
        let mut setup = Setup::new(BASE_URL);
        setup.state.recent = vec![shop.clone(), other.clone(), dir.join("gone.json")];
        setup.state.reopen_last = false;
        setup.harness_from(builder)
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_dialog_with_its_date_picker_looks_as_it_did() {
    in_every_window("dialog", |builder| {
        let mut setup = Setup::new(BASE_URL);
        setup.today = first_of_june;
        let mut harness = setup.harness_from(builder);
        menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
        type_into(&mut harness, "API username", USERNAME);
        harness.get_by_label("Starting date").click();
        harness.run_ok();
        harness.get_by_label("Previous month");
        harness
    });
}

/// The fixture with orders still open for MUG-RED at the Warehouse: a purchase order due on
/// 16 February 2024 and one without a date (to receive), and an order promised for 20 February
/// (to ship).
fn fixture_with_open_orders() -> Account {
    let mut account = fixture_account();
    let mut purchase = account.purchase_orders[0].clone();
    for (id, due, qty) in [(202, Some(utc(2024, 2, 16, 0, 0)), "12"), (203, None, "5")] {
        let mut line = line(id * 10, 9002, qty, "4", "0");
        line.qty_shipped = rust_decimal::Decimal::ZERO;
        purchase.id = id;
        purchase.reference = format!("PO-{id}");
        purchase.created = utc(2024, 2, 5, 0, 0);
        purchase.estimated_delivery = due;
        purchase.stage = "Ordered".into();
        purchase.lines = vec![line];
        account.add_purchase_order(purchase.clone());
    }
    let mut open = order(
        90,
        1,
        utc(2024, 2, 8, 0, 0),
        None,
        vec![line(901, 9002, "2", "15", "0")],
    );
    open.stage = "Approved".into();
    open.dispatched = None;
    open.lines[0].qty_shipped = rust_decimal::Decimal::ZERO;
    open.estimated_delivery = Some(utc(2024, 2, 20, 0, 0));
    account.add_sales_order(open);
    account
}

/// The fixture (with open orders) imported by weeks as of 10 February 2024, saved at a fixed
/// path with what differs from run to run (the sandbox's port, the run's clock) set to fixed
/// values.
fn fixture_project(name: &str) -> PathBuf {
    let sandbox = serve(fixture_with_open_orders());
    let ran_at = utc(2024, 2, 10, 0, 0);
    let request = crate::common::request(
        sandbox.base_url(),
        ImportSettings::new(
            NaiveDate::from_ymd_opt(2024, 1, 3).unwrap(),
            GroupBy::Week,
            chrono_tz::Pacific::Auckland,
        ),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut project = runtime
        .block_on(import::run(&request, |_| {}, ran_at))
        .unwrap();
    project.connection.base_url = BASE_URL.into();
    project.report.started_at = ran_at;
    project.report.finished_at = ran_at;
    project.report.elapsed_ms = 0;
    for run in &mut project.history {
        run.started_at = ran_at;
        run.finished_at = ran_at;
    }
    // The status line names the file: a fixed path, not a random temporary folder.
    let dir = std::env::temp_dir().join(format!("cin7-planner-looks-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shop.json");
    file::save(&project, &path).unwrap();
    path
}

#[test]
fn the_project_view_with_a_chart_looks_as_it_did() {
    let path = fixture_project("project");
    in_every_window("project", |builder| {
        let setup = Setup::new(BASE_URL).answers([Choice::Picked(path.clone())]);
        let mut harness = setup.harness_from(builder);
        harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
        harness.run_ok();
        step_until(&mut harness, "the project to open", |h| {
            h.state().project().is_some()
        });
        // The first row, then Down twice to MUG-RED at the Warehouse (it sold there by weeks),
        // as the table may show only a few rows.
        harness
            .query_all_by_label("MUG-BLU")
            .next()
            .unwrap()
            .click();
        harness.run_ok();
        for _ in 0..2 {
            harness.key_press(Key::ArrowDown);
            harness.run_ok();
        }
        harness.get_by_label_contains("MUG-RED at ");
        // What it plans with, its open orders listed.
        harness.get_by_label_contains("Open orders: ").click();
        harness.run_ok();
        // Soonest first, whichever way the goods go; the undated last.
        let top = |label: &str| harness.get_by_label(label).rect().top();
        let rows = [
            top("purchase PO-202"),
            top("sales SO-90"),
            top("purchase PO-203"),
        ];
        assert!(rows.is_sorted(), "the open orders by date: {rows:?}");
        harness
    });
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
