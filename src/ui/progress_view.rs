//! A run's progress as a planner can read it: one row per resource (waiting, reading page N,
//! done, failed, and the records read), the calls against the per-minute and daily limits, a
//! visible "waiting for Cin7's rate limit", the time spent and an honest estimate of what is
//! left, and Cancel, always there.

use crate::import::{Phase, Progress};
use egui::RichText;

/// Shows the run; returns whether Cancel was pressed.
pub fn show(ui: &mut egui::Ui, label: &str, progress: Option<&Progress>) -> bool {
    let mut cancel = false;
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(560.0);
        ui.heading(label);
        let phase = progress.map_or("Connecting", |p| p.phase.describe());
        ui.label(format!("{phase}…"));
        let fraction = progress
            .and_then(|p| p.fraction)
            .map(|f| 0.05 + 0.9 * f as f32);
        let fraction = fraction.unwrap_or(match progress.map(|p| p.phase) {
            None => 0.0,
            Some(Phase::Reading) => 0.05,
            Some(Phase::Building) => 0.95,
        });
        ui.add(
            egui::ProgressBar::new(fraction)
                .animate(true)
                .show_percentage(),
        );
        if let Some(p) = progress {
            ui.label(p.times_text());
            limits(ui, p);
            walks(ui, p);
            for notice in &p.notices {
                ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
            }
        }
        ui.add_space(8.0);
        cancel = ui.button("Cancel").clicked();
    });
    cancel
}

/// Calls against each window, and the wait when the limit holds calls back.
fn limits(ui: &mut egui::Ui, p: &Progress) {
    if let Some(used) = p.limits_text() {
        ui.label(RichText::new(used).weak());
    }
    if let Some(waiting) = p.waiting_text() {
        ui.label(RichText::new(waiting).color(ui.visuals().warn_fg_color));
    }
}

/// One row per resource.
fn walks(ui: &mut egui::Ui, p: &Progress) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cin7::{Resource, WindowUse};
    use crate::import::{WalkProgress, WalkStatus};
    use crate::rate_limit::RateLimits;
    use std::time::Duration;

    /// Half-way through a large account: some walks done, Sales Orders being read, one waiting,
    /// and the per-minute limit holding calls back.
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
        }
    }

    #[test]
    fn the_progress_panel_looks_as_it_did() {
        let progress = half_way();
        let mut harness = egui_kittest::Harness::builder()
            .with_size(egui::vec2(640.0, 420.0))
            .with_theme(egui::Theme::Light)
            .wgpu()
            .build_ui(|ui| {
                show(ui, "Importing from Cin7", Some(&progress));
            });
        // The bar animates: a fixed number of frames, on the harness's fixed clock.
        harness.run_steps(4);
        harness.snapshot("progress_panel");
    }
}
