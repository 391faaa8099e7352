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
            times(ui, p);
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

fn times(ui: &mut egui::Ui, p: &Progress) {
    let left = match p.eta {
        Some(eta) if !eta.is_zero() => format!(", about {} left", crate::duration::text(eta)),
        Some(_) => String::new(),
        None => ", time left not known yet".to_owned(),
    };
    ui.label(format!(
        "{} elapsed{left} · {} calls, {} retries",
        crate::duration::text(p.elapsed),
        p.calls,
        p.retries
    ));
}

/// Calls against each window, and the wait when the limit holds calls back.
fn limits(ui: &mut egui::Ui, p: &Progress) {
    let used: Vec<String> = p
        .limits
        .iter()
        .map(|u| {
            format!(
                "{} of {} per {}",
                u.used,
                u.window.calls,
                crate::duration::text(u.window.per)
            )
        })
        .collect();
    if !used.is_empty() {
        ui.label(RichText::new(format!("Calls: {}", used.join(" · "))).weak());
    }
    if p.waiting_for_limit {
        ui.label(
            RichText::new(format!(
                "Waiting for Cin7's rate limit ({:.0} s so far)",
                p.rate_limit_wait.as_secs_f64()
            ))
            .color(ui.visuals().warn_fg_color),
        );
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
                ui.label(walk.status.describe(walk.pages));
                ui.label(format!("{} records", walk.records));
                ui.end_row();
            }
        });
}
