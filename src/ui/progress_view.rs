//! A run's progress as a planner can read it: the phase and the share read (from 0, with a
//! spinner beside the bar, never over it), the time spent counted by the window's own clock
//! (so it moves while Cin7 is slow to answer) and an honest estimate of what is left, a
//! retrying state with its reason and the next attempt's time while Cin7 cannot be reached,
//! the calls against Cin7's limits, one row per resource, and Cancel, always there. An import
//! fills the window; an update shows in a panel above the project, which stays usable.

use crate::import::{Phase, Progress};
use egui::{RichText, Ui};
use std::time::Duration;

/// How a run's progress is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// The whole window (an import: there is no project to show yet).
    Full,
    /// A panel above the project view (an update or reimport of it).
    Panel,
}

/// Shows the run; returns whether Cancel was pressed. `elapsed` is the window's count of the
/// run's time.
pub(super) fn show(
    ui: &mut Ui,
    label: &str,
    progress: Option<&Progress>,
    elapsed: Duration,
    layout: Layout,
) -> bool {
    let live = progress.map(|p| Progress {
        elapsed: elapsed.max(p.elapsed),
        ..p.clone()
    });
    match layout {
        Layout::Full => full(ui, label, live.as_ref()),
        Layout::Panel => panel(ui, label, live.as_ref()),
    }
}

fn full(ui: &mut Ui, label: &str, progress: Option<&Progress>) -> bool {
    let mut cancel = false;
    ui.add_space(24.0);
    super::column::centred(ui, 600.0, |ui| {
        ui.heading(label);
        ui.add_space(4.0);
        bar(ui, progress);
        if let Some(p) = progress {
            ui.label(p.times_text());
            retrying(ui, p);
            limits(ui, p);
            walks(ui, p);
            notices(ui, p);
        }
        ui.add_space(8.0);
        cancel = ui.button("Cancel").clicked();
    });
    cancel
}

/// The share of the run read, "45%", once it is known.
pub(super) fn share(progress: Option<&Progress>) -> Option<String> {
    let fraction = progress?.fraction?;
    Some(format!("{:.0}%", fraction * 100.0))
}

/// The panel above a project: one line (what runs, its share, the time, Cancel) and a line
/// only for what needs saying (a retry, a notice), so that the project keeps its room.
fn panel(ui: &mut Ui, label: &str, progress: Option<&Progress>) -> bool {
    let mut cancel = false;
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(RichText::new(label).strong());
        cancel = ui.button("Cancel").clicked();
        let share = share(progress)
            .map(|share| format!("{share} · "))
            .unwrap_or_default();
        let times = progress.map(Progress::times_text).unwrap_or_default();
        let line = ui.add(egui::Label::new(format!("{share}{times}")).truncate());
        if let Some(p) = progress {
            let limits = [p.limits_text(), p.waiting_text()];
            let limits: Vec<String> = limits.into_iter().flatten().collect();
            line.on_hover_text(limits.join("\n"));
        }
    });
    if let Some(p) = progress {
        retrying(ui, p);
        notices(ui, p);
    }
    cancel
}

/// The phase, and the bar with the share read, a spinner beside it.
fn bar(ui: &mut Ui, progress: Option<&Progress>) {
    let phase = progress.map_or("Connecting to Cin7", |p| p.phase.describe());
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(format!("{phase}…"));
    });
    let fraction = match progress {
        None => 0.0,
        Some(p) if p.phase == Phase::Building => 1.0,
        Some(p) => p.fraction.unwrap_or(0.0) as f32,
    };
    let known = progress.is_some_and(|p| p.fraction.is_some() || p.phase == Phase::Building);
    if known {
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_height(18.0)
                .show_percentage(),
        );
    } else {
        // Nothing to count against yet: said, rather than a bar at nothing.
        ui.label(RichText::new("Working out how much there is to read.").weak());
    }
}

/// While Cin7 cannot be reached or fails: why, and when the next attempt goes.
fn retrying(ui: &mut Ui, p: &Progress) {
    if let Some(text) = p.retry_text() {
        ui.label(RichText::new(text).color(ui.visuals().warn_fg_color));
    }
}

/// Calls against each window, and the pace the limit sets (a warning only near the daily
/// budget's end).
fn limits(ui: &mut Ui, p: &Progress) {
    if let Some(used) = p.limits_text() {
        let daily = p.limits.iter().max_by_key(|u| u.window.per);
        let near_end = daily.is_some_and(|u| u.used * 10 >= u.window.calls * 9);
        let text = RichText::new(used);
        ui.label(if near_end {
            text.color(ui.visuals().warn_fg_color)
        } else {
            text.weak()
        });
    }
    if let Some(waiting) = p.waiting_text() {
        ui.label(RichText::new(waiting).weak());
    }
}

/// One row per resource.
fn walks(ui: &mut Ui, p: &Progress) {
    egui::Grid::new("run_walks")
        .num_columns(3)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for walk in &p.walks {
                ui.label(walk.resource.to_string());
                ui.label(walk.status_text());
                ui.label(walk.records_text());
                ui.end_row();
            }
        });
}

fn notices(ui: &mut Ui, p: &Progress) {
    for notice in &p.notices {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cin7::{Resource, WindowUse};
    use crate::import::{WalkProgress, WalkStatus};
    use crate::rate_limit::RateLimits;

    /// Half-way through a large account: some walks done, Sales Orders being read, one waiting,
    /// the calls well inside the limits, and one call waiting to be tried again.
    fn half_way() -> Progress {
        let walk = |resource, status, pages, records| WalkProgress {
            resource,
            status,
            pages,
            records,
        };
        let used = [3, 58, 1_204];
        Progress {
            phase: Phase::Reading,
            calls: 1_204,
            retries: 2,
            rate_limit_wait: Duration::from_secs(41),
            elapsed: Duration::from_secs(1_260),
            records: [(Resource::SalesOrders, 150_000)].into(),
            fraction: Some(0.48),
            eta: Some(Duration::from_secs(1_380)),
            notices: Vec::new(),
            walks: vec![
                walk(Resource::Branches, WalkStatus::Done, 1, 10),
                walk(Resource::Products, WalkStatus::Done, 24, 6_000),
                walk(Resource::Stock, WalkStatus::Done, 240, 60_000),
                walk(Resource::SalesOrders, WalkStatus::Reading, 600, 150_000),
                walk(Resource::CreditNotes, WalkStatus::Waiting, 0, 0),
            ],
            limits: RateLimits::cin7()
                .windows
                .into_iter()
                .zip(used)
                .map(|(window, used)| WindowUse { window, used })
                .collect(),
            waiting_for_limit: true,
            retrying: None,
            exact: None,
        }
    }

    /// The progress panel of an import, in the windows and themes the window's looks are
    /// checked in (tests/ui/looks.rs).
    #[test]
    fn the_progress_panel_looks_as_it_did() {
        let progress = half_way();
        let mut failed = Vec::new();
        for theme in [egui::Theme::Light, egui::Theme::Dark] {
            for (width, height, scale) in [
                (1024.0, 700.0, 1.0),
                (1024.0, 700.0, 1.5),
                (1280.0, 800.0, 1.0),
                (1280.0, 800.0, 1.5),
            ] {
                let mut harness = egui_kittest::Harness::builder()
                    .with_size(egui::vec2(width / scale, height / scale))
                    .with_pixels_per_point(scale)
                    .with_theme(theme)
                    .wgpu()
                    .build_ui(|ui| {
                        let elapsed = Duration::from_secs(1_262);
                        egui::CentralPanel::default().show(ui, |ui| {
                            let p = Some(&progress);
                            show(ui, "Importing from Cin7", p, elapsed, Layout::Full);
                        });
                    });
                // The spinner turns: a fixed number of frames, on the harness's fixed clock.
                harness.run_steps(4);
                let theme = if theme == egui::Theme::Light {
                    "light"
                } else {
                    "dark"
                };
                let name = format!("progress_{theme}_{width}x{height}_{:.0}", scale * 100.0);
                if let Err(error) = harness.try_snapshot(&name) {
                    failed.push(error.to_string());
                }
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn a_retry_says_why_and_when() {
        let mut progress = half_way();
        let at = std::time::SystemTime::now() + Duration::from_secs(30);
        progress.retrying = Some(crate::cin7::Retrying {
            trouble: "Cin7 cannot be reached (the connection was refused)".into(),
            next_attempt: at,
            attempt: 2,
            attempts: 6,
        });
        let local = chrono::DateTime::<chrono::Local>::from(at).format("%H:%M:%S");
        assert_eq!(
            progress.retry_text().unwrap(),
            format!(
                "Cin7 cannot be reached (the connection was refused): trying again at {local}, attempt 2 of 6."
            )
        );
    }
}
