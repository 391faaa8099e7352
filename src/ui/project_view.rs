//! The open project: a summary (account, periods, items and locations, the last update, the
//! warnings) with Update data, the grouping and sales options it can be regrouped by, the item
//! table, beside it the selected item's chart, and below both the data report's own panel.

use super::app::OpenProject;
use super::commands::Command;
use super::options::GroupingChoices;
use super::table::ItemTable;
use crate::project::{ImportSettings, Project, RegroupError};
use egui::RichText;

/// View state that is not part of the project.
#[derive(Default)]
pub struct ProjectView {
    pub table: ItemTable,
    /// The grouping being edited, with the project settings it started from.
    grouping: Option<(ImportSettings, GroupingChoices)>,
}

impl ProjectView {
    /// Shows the project; returns what the planner asked for (`busy`: a background task runs).
    pub fn show(&mut self, ui: &mut egui::Ui, open: &OpenProject, busy: bool) -> Vec<Command> {
        let project = &open.project;
        let mut commands = Vec::new();
        summary(ui, open, &mut commands);
        warnings(ui, project);
        if let Some(settings) = self.grouping_ui(ui, project, busy) {
            commands.push(Command::Regroup(Box::new(settings)));
        }
        ui.add_space(6.0);
        egui::Panel::bottom("data_report")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| data_report(ui, project));
        egui::Panel::right("item_detail")
            .resizable(true)
            .default_size(420.0)
            .show(ui, |ui| self.detail(ui, project));
        egui::CentralPanel::default().show(ui, |ui| {
            self.table.controls(ui, project);
            ui.add_space(4.0);
            self.table.show(ui, open.id, project);
        });
        commands
    }

    /// The selected item's chart.
    fn detail(&mut self, ui: &mut egui::Ui, project: &Project) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            match self.table.selected.and_then(|i| project.series.get(i)) {
                Some(series) => super::chart::show(ui, project, series),
                None => {
                    ui.label(
                        RichText::new("Choose an item in the table to see its history.").weak(),
                    );
                }
            }
        });
    }

    /// The options the ledger can be regrouped by, and Apply.
    fn grouping_ui(
        &mut self,
        ui: &mut egui::Ui,
        project: &Project,
        busy: bool,
    ) -> Option<ImportSettings> {
        // A new project, or one just regrouped, starts the form afresh.
        if self
            .grouping
            .as_ref()
            .is_none_or(|(base, _)| *base != project.settings)
        {
            self.grouping = Some((
                project.settings.clone(),
                GroupingChoices::of(&project.settings),
            ));
        }
        let (_, choices) = self.grouping.as_mut()?;
        let mut request = None;
        egui::CollapsingHeader::new("Grouping and sales options")
            .default_open(false)
            .show(ui, |ui| {
                egui::Grid::new("grouping_options")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        choices.group_by_row(ui);
                        choices.calendar_rows(ui);
                        choices.sales_rows(ui);
                    });
                let wanted = choices.apply(&project.settings);
                let note = match (&project.ledger, &wanted) {
                    (None, _) => RegroupError::NoLedger.to_string(),
                    (_, Err(reason)) => reason.clone(),
                    (Some(_), Ok(_)) => "Rebuilt from the project's ledger, without calling Cin7. The starting date and the branches need a new import.".to_owned(),
                };
                let changed = wanted.as_ref().is_ok_and(|s| *s != project.settings);
                ui.horizontal(|ui| {
                    let ready = project.ledger.is_some() && changed && !busy;
                    if ui.add_enabled(ready, egui::Button::new("Apply")).clicked() {
                        request = wanted.clone().ok();
                    }
                    ui.label(RichText::new(note).weak());
                });
            });
        request
    }
}

/// The account, the periods, the counts, the last run, and Update data.
fn summary(ui: &mut egui::Ui, open: &OpenProject, commands: &mut Vec<Command>) {
    let project = &open.project;
    let (first, last) = match (project.periods.first(), project.periods.last()) {
        (Some(f), Some(l)) => (f.start.to_string(), l.last_day().to_string()),
        _ => ("-".into(), "-".into()),
    };
    ui.horizontal(|ui| {
        ui.heading(open.name());
        if ui
            .add_enabled(project.ledger.is_some(), egui::Button::new("Update data"))
            .on_hover_text("Read what changed in Cin7 since the last run (F5)")
            .clicked()
        {
            commands.push(Command::UpdateData);
        }
    });
    let sized = project.items.iter().filter(|i| i.sized).count();
    ui.label(format!(
        "{} at {} · {} items ({sized} sized) at {} locations · {} {} from {first} to {last} in {}",
        project.connection.username,
        project.connection.base_url,
        project.items.len(),
        project.locations.len(),
        project.periods.len(),
        project.settings.group_by.label().to_lowercase(),
        project.settings.time_zone,
    ));
    let r = &project.report;
    let last_run = match project.history.last() {
        Some(run) => format!(
            "Last {} on {}",
            run.kind.label().to_lowercase(),
            run.finished_at.format("%Y-%m-%d %H:%M UTC")
        ),
        None => format!("Imported on {}", r.finished_at.format("%Y-%m-%d %H:%M UTC")),
    };
    ui.label(
        RichText::new(format!(
            "{last_run}: {} calls, {} retries, {:.1} s waiting on rate limits.",
            r.calls,
            r.retries,
            r.rate_limit_wait_ms as f64 / 1000.0
        ))
        .weak(),
    );
}

/// The warnings a planner must see at once; the rest is in the data report.
fn warnings(ui: &mut egui::Ui, project: &Project) {
    let w = &project.report.warnings;
    for sentence in [w.negative_on_hand_sentence(), w.stock_drift_sentence()]
        .into_iter()
        .flatten()
    {
        ui.label(RichText::new(sentence).color(ui.visuals().warn_fg_color));
    }
    let sized = project.items.iter().filter(|i| i.sized).count();
    if sized > 0 {
        ui.label(
            RichText::new(format!(
                "{sized} sized items have sales history but no on-hand history (Cin7 gives no per-size stock movements): inventory turnover, stockout days and lost sales cannot be analysed for them."
            ))
            .color(ui.visuals().warn_fg_color),
        );
    }
}

/// The data report, in its own panel under the table and the chart.
fn data_report(ui: &mut egui::Ui, project: &Project) {
    ui.add_space(4.0);
    ui.label(RichText::new("Data report").strong());
    egui::ScrollArea::vertical()
        .id_salt("data_report")
        .auto_shrink([false, false])
        .show(ui, |ui| super::report::show(ui, project));
}
