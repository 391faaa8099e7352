//! How the window looks, compared with the images in tests/snapshots (egui_kittest's
//! `snapshot`, rendered by wgpu on Mesa's software Vulkan driver, which `.ci/run` installs):
//! the connection dialog at 100% and 150%, and the project view with a selected item's chart
//! in the light and the dark theme. Everything that could change between runs is fixed: the
//! window's date, the project's clock, the sandbox's port and the file's path.
//! `UPDATE_SNAPSHOTS=1 cargo test --test ui looks` rewrites the images after a wanted change.

use super::{Setup, menu, step_until, type_into};
use crate::common::{KEY, USERNAME, fixture_account, serve, utc};
use chrono::NaiveDate;
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportRequest};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, file};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::ui::PlannerApp;
use cin7_planner::ui::file_dialogs::Choice;
use egui::{Key, Modifiers, Theme};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;

const BASE_URL: &str = "https://api.cin7.com/api";

fn first_of_june() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn dialog(pixels_per_point: f32) -> Harness<'static, PlannerApp> {
    let mut setup = Setup::new(BASE_URL);
    setup.today = first_of_june;
    let mut harness = setup.harness_from(
        Harness::builder()
            .with_size(egui::vec2(720.0, 560.0))
            .with_pixels_per_point(pixels_per_point)
            .with_theme(Theme::Light)
            .wgpu(),
    );
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    type_into(&mut harness, "API username", USERNAME);
    harness
}

#[test]
fn the_dialog_looks_as_it_did() {
    dialog(1.0).snapshot("dialog");
}

#[test]
fn the_dialog_is_readable_at_150_percent() {
    dialog(1.5).snapshot("dialog_150");
}

/// The fixture imported by weeks as of 10 February 2024, saved at a fixed path with what differs
/// from run to run (the sandbox's port, the run's clock) set to fixed values.
fn fixture_project(name: &str) -> PathBuf {
    let sandbox = serve(fixture_account());
    let ran_at = utc(2024, 2, 10, 0, 0);
    let request = ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().into(),
            username: USERNAME.into(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings::new(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            GroupBy::Week,
            chrono_tz::Pacific::Auckland,
        ),
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        run_store: None,
    };
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

fn project_view(theme: Theme, name: &str) {
    let path = fixture_project(name);
    let setup = Setup::new(BASE_URL).answers([Choice::Picked(path.clone())]);
    let mut harness = setup.harness_from(
        Harness::builder()
            .with_size(egui::vec2(1024.0, 720.0))
            .with_theme(theme)
            .wgpu(),
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_ok();
    step_until(&mut harness, "the project to open", |h| {
        h.state().project().is_some()
    });
    // The item's first row (it sold at both locations by weeks).
    harness
        .query_all_by_label("MUG-RED")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
    harness.get_by_label_contains("MUG-RED at ");
    harness.snapshot(name);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn the_project_view_with_a_chart_looks_as_it_did_in_the_light_theme() {
    project_view(Theme::Light, "project_light");
}

#[test]
fn the_project_view_with_a_chart_looks_as_it_did_in_the_dark_theme() {
    project_view(Theme::Dark, "project_dark");
}
