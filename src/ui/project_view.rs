//! The opened project: a summary, the data warnings, the grouping and sales options it can be
//! regrouped by, and a table of items with their sales.

use super::options::GroupingChoices;
use crate::project::{ImportSettings, Project, RegroupError};
use egui::RichText;
use egui_extras::{Column, TableBuilder};
use rust_decimal::Decimal;

/// View state that is not part of the project.
#[derive(Default)]
pub struct ProjectView {
    pub filter: String,
    /// The grouping being edited, with the project settings it started from.
    grouping: Option<(ImportSettings, GroupingChoices)>,
}

impl ProjectView {
    /// Shows the project; returns the settings to regroup it by when the planner applies new
    /// ones (`busy`: a regrouping is already running).
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        project: &Project,
        path: Option<&std::path::Path>,
        busy: bool,
    ) -> Option<ImportSettings> {
        let first = project
            .periods
            .first()
            .map(|p| p.start.to_string())
            .unwrap_or_default();
        let last = project
            .periods
            .last()
            .map(|p| p.last_day().to_string())
            .unwrap_or_default();
        let sized = project.items.iter().filter(|i| i.sized).count();
        ui.heading(match path {
            Some(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            None => "Unsaved project".to_owned(),
        });
        ui.label(format!(
            "{} items ({sized} sized) at {} locations · {} {} from {first} to {last} ({})",
            project.items.len(),
            project.locations.len(),
            project.periods.len(),
            project.settings.group_by.label().to_lowercase(),
            project.settings.time_zone,
        ));
        let r = &project.report;
        ui.label(
            RichText::new(format!(
                "Imported from {} as {} on {}: {} calls, {} retries, {:.1} s waiting on rate limits.",
                project.connection.base_url,
                project.connection.username,
                r.finished_at.format("%Y-%m-%d %H:%M UTC"),
                r.calls,
                r.retries,
                r.rate_limit_wait_ms as f64 / 1000.0
            ))
            .weak(),
        );
        let w = &r.warnings;
        if let Some(sentence) = w.not_counted_sentence() {
            ui.label(RichText::new(sentence).weak());
        }
        if let Some(sentence) = w.negative_on_hand_sentence() {
            ui.label(RichText::new(sentence).color(ui.visuals().warn_fg_color));
        }
        if sized > 0 {
            ui.label(
                RichText::new(format!(
                    "{sized} sized items have sales history but no on-hand history (Cin7 gives no per-size stock movements): inventory turnover, stockout days and lost sales cannot be analysed for them."
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        let regroup = self.grouping_ui(ui, project, busy);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Search items");
            ui.text_edit_singleline(&mut self.filter)
                .labelled_by(label.id);
        });
        ui.add_space(4.0);
        self.table(ui, project);
        regroup
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

    /// The series whose item matches the filter, by index.
    fn filtered_rows(&self, project: &Project) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        (0..project.series.len())
            .filter(|&i| {
                let item = &project.items[project.series[i].item];
                needle.is_empty()
                    || item.code.to_lowercase().contains(&needle)
                    || item.description.to_lowercase().contains(&needle)
            })
            .collect()
    }

    fn table(&self, ui: &mut egui::Ui, project: &Project) {
        let rows = self.filtered_rows(project);
        let last_label = project
            .periods
            .last()
            .map(|p| {
                let partial = if project.last_period_in_progress {
                    ", so far"
                } else {
                    ""
                };
                format!("Last period ({}{partial})", p.start)
            })
            .unwrap_or_default();
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .column(Column::auto().at_least(110.0))
            .column(Column::auto().at_least(180.0).clip(true))
            .column(Column::auto().at_least(120.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(210.0))
            .header(22.0, |mut header| {
                for title in [
                    "Item",
                    "Description",
                    "Location",
                    "Units sold",
                    "Revenue",
                    last_label.as_str(),
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows.len(), |mut row| {
                    let series = &project.series[rows[row.index()]];
                    table_row(&mut row, project, series);
                });
            });
    }
}

/// One row of the item table: the item, its location and its figures.
fn table_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    project: &Project,
    series: &crate::project::Series,
) {
    let item = &project.items[series.item];
    let (qty, revenue) = series.totals();
    let last = project
        .periods
        .len()
        .checked_sub(1)
        .map_or(Decimal::ZERO, |p| series.qty_in(p));
    row.col(|ui| {
        ui.add(egui::Label::new(&item.code).truncate());
        if item.sized {
            ui.label(RichText::new("sized").small().weak());
        }
    });
    row.col(|ui| {
        ui.add(egui::Label::new(&item.description).truncate());
    });
    row.col(|ui| {
        ui.add(egui::Label::new(&project.locations[series.location].name).truncate());
    });
    let numbers = [
        qty.normalize().to_string(),
        format!("{revenue:.2}"),
        last.normalize().to_string(),
    ];
    let count = numbers.len();
    for (i, number) in numbers.into_iter().enumerate() {
        row.col(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                // The floating scroll bar lies over the last column's
                // right edge: keep its numbers clear of it.
                if i + 1 == count {
                    let scroll = &ui.spacing().scroll;
                    ui.add_space(scroll.bar_width + scroll.bar_outer_margin);
                }
                ui.label(number)
            });
        });
    }
}
