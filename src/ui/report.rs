//! The data report: what the data held that did not become a number and why, the stock drift
//! per item and location, and every run of the project.

use crate::project::Project;
use egui::RichText;

pub fn show(ui: &mut egui::Ui, project: &Project) {
    let w = &project.report.warnings;
    egui::Grid::new("not_counted")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (count, what) in w.not_counted() {
                ui.label(what);
                ui.label(count.to_string());
                ui.end_row();
            }
            ui.label("rebuilt on-hand values below zero");
            ui.label(w.negative_on_hand_values.to_string());
            ui.end_row();
        });
    if !w.stock_drift.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new("Stock drift").strong());
        egui::Grid::new("stock_drift")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                for heading in ["Item", "Location", "At", "Drift"] {
                    ui.label(RichText::new(heading).weak());
                }
                ui.end_row();
                for drift in w.stock_drift.iter().take(200) {
                    ui.label(&project.items[drift.item].code);
                    ui.label(&project.locations[drift.location].name);
                    ui.label(drift.at.format("%Y-%m-%d %H:%M").to_string());
                    ui.label(drift.size().normalize().to_string());
                    ui.end_row();
                }
            });
        if w.stock_drift.len() > 200 {
            ui.label(format!(
                "…and {} more (inspect lists them all)",
                w.stock_drift.len() - 200
            ));
        }
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Runs").strong());
    egui::Grid::new("runs")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for run in &project.history {
                ui.label(format!(
                    "{} {}",
                    run.kind.label(),
                    run.finished_at.format("%Y-%m-%d %H:%M")
                ));
                ui.label(format!(
                    "{} calls · {} added, {} changed, {} voided",
                    run.calls, run.documents_added, run.documents_changed, run.documents_voided
                ));
                ui.end_row();
            }
        });
}
