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
pub enum Layout {
    /// The whole window (an import: there is no project to show yet).
    Full,
    /// A panel above the project view (an update or reimport of it).
    Panel,
}

/// Shows the run; returns whether Cancel was pressed. `elapsed` is the window's count of the
/// run's time.
pub fn show(
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
    ui.vertical_centered(|ui| {
        ui.set_max_width(560.0);
        ui.heading(label);
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

fn panel(ui: &mut Ui, label: &str, progress: Option<&Progress>) -> bool {
    let mut cancel = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new(label).strong());
        cancel = ui.button("Cancel").clicked();
        if let Some(p) = progress {
            ui.label(p.times_text());
        }
    });
    bar(ui, progress);
    if let Some(p) = progress {
        retrying(ui, p);
        limits(ui, p);
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
    let bar = egui::ProgressBar::new(fraction).desired_height(18.0);
    ui.add(if known {
        bar.show_percentage()
    } else {
        bar.text("working out how much there is to read")
    });
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
