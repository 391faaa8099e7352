//! The open project: a header (its name, Update data, the account and periods in a line, the
//! details and warnings collapsible), an update's progress while one runs (the project stays
//! usable), the grouping and sales options it can be regrouped by, the item table and the
//! selected item's chart (side by side in a wide window, one above the other in a narrow one,
//! the chart never lower than it can be read), and the data report's collapsible panel. It
//! fits 1024×700 at 150%. While an import reads the older history newest first, it shows the
//! project so far the same way, with the import's progress above it and a line saying how
//! far back it is exact.

use super::commands::Command;
use super::document::{OpenProject, Screen};
use super::format;
use super::options::GroupingChoices;
use super::progress_view::{self, Layout};
use super::report::{self, Act, Note};
use super::table::ItemTable;
use crate::import::{PartialProject, Progress};
use crate::project::{ImportSettings, Project, RegroupError};
use egui::{RichText, Ui};
use std::sync::Arc;
use std::time::Duration;

/// Below this width (in points) the chart goes under the table instead of beside it.
const SIDE_BY_SIDE: f32 = 980.0;
/// The least height of the chart, one above the other: its heading and legend, two plots.
const CHART_LEAST: f32 = 2.0 * super::chart::MIN_PLOT_HEIGHT + 52.0;
/// The height the table keeps above the chart: its controls, header, four rows and totals.
const TABLE_LEAST: f32 = 170.0;
/// The width the table wants beside the chart: its columns, the spaces between them and the
/// scroll bar.
const TABLE_WIDTH: f32 = 760.0;
/// The chart's least width beside the table.
const CHART_NARROWEST: f32 = 320.0;
/// Below this height the data report starts collapsed.
const ROOM_FOR_REPORT: f32 = 620.0;

/// An update under way behind the project: its label, progress and time spent.
pub(super) type Updating<'a> = (&'a str, Option<&'a Progress>, Duration);

/// What the view shows besides the project.
pub(super) struct Shown<'a> {
    pub screen: Screen,
    pub updating: Option<Updating<'a>>,
    /// A run or a background task is under way (regrouping waits).
    pub busy: bool,
    /// Nothing else has the keyboard (no dialog or question open).
    pub keys: bool,
    /// The project is an import's so far, still loading the older history.
    pub loading: Option<&'a PartialProject>,
}

/// "Exact back to 3 September 2026; older history loading (62%)", and what on-hand waits for.
/// The share is the import's, as its progress beside the line gives it, once known (the share
/// of the history's time read would stay put while a long window is read, then jump).
fn loading_line(partial: &PartialProject, progress: Option<&Progress>) -> String {
    let exact = &partial.exact;
    let back_to = format::date(exact.back_to(partial.project.settings.time_zone));
    let share = progress_view::share(progress)
        .map(|share| format!(" ({share})"))
        .unwrap_or_default();
    let line = format!("Exact back to {back_to}; older history loading{share}");
    match exact.on_hand_since {
        Some(_) => line,
        None => format!("{line}; on-hand follows the current stock"),
    }
}

/// View state that is not part of the project.
#[derive(Default)]
pub(super) struct ProjectView {
    pub table: ItemTable,
    /// The grouping being edited, with the project settings it started from.
    grouping: Option<(ImportSettings, GroupingChoices)>,
    details_open: bool,
    grouping_open: bool,
    /// `None` until the first frame decides it from the room there is.
    report_open: Option<bool>,
    /// What the header and the report say of the project on the screen it was worked out for.
    summary: Option<(Screen, Summary)>,
    /// The project the table's selection is of, to carry it to the next (an update).
    shown: Option<Arc<Project>>,
}

/// What the header and the data report say of one project, worked out once: each part walks
/// every item or document, too much for every frame on a large project.
struct Summary {
    notes: Vec<Note>,
    facts: String,
    last_run: String,
    warnings: Vec<String>,
    currency: Option<String>,
}

impl Summary {
    fn of(project: &Project) -> Self {
        Self {
            notes: report::notes(project),
            facts: facts_line(project),
            last_run: last_run_line(project),
            warnings: warnings(project),
            currency: project.currency().map(str::to_owned),
        }
    }
}

impl ProjectView {
    /// Selects a series (from the data report).
    pub(super) fn show_series(&mut self, series: usize) {
        self.table.select_only(series);
    }

    pub(super) fn show(
        &mut self,
        ui: &mut Ui,
        open: &OpenProject,
        shown: &Shown<'_>,
    ) -> Vec<Command> {
        let project = &open.project;
        self.follow(project);
        if self
            .summary
            .as_ref()
            .is_none_or(|(of, _)| *of != shown.screen)
        {
            self.summary = Some((shown.screen, Summary::of(project)));
        }
        let mut commands = Vec::new();
        self.header(ui, open, shown, &mut commands);
        if let Some(partial) = shown.loading {
            let progress = shown.updating.and_then(|(_, progress, _)| progress);
            let line =
                RichText::new(loading_line(partial, progress)).color(ui.visuals().warn_fg_color);
            ui.label(line).on_hover_text(
                "The periods from that day on are exact; the older ones are hatched in the chart until the import has read them. To ship, to receive and lead times need every document: they come at the end.",
            );
        }
        if let Some((label, progress, elapsed)) = shown.updating {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                if progress_view::show(ui, label, progress, elapsed, Layout::Panel) {
                    commands.push(Command::CancelRun);
                }
            });
        }
        if let Some(settings) = self.grouping_ui(ui, project, shown.busy) {
            commands.push(Command::Regroup(Box::new(settings)));
        }
        commands.extend(self.report_panel(ui, project));
        if ui.available_width() >= SIDE_BY_SIDE {
            // The table keeps the width its columns want; the chart takes the rest. (A
            // resizable panel grew with the plots inside it, frame after frame.)
            let width = ui.available_width();
            egui::Panel::right("item_detail")
                .exact_size((width - TABLE_WIDTH).clamp(CHART_NARROWEST, width * 0.6))
                .show(ui, |ui| self.detail(ui, project, shown.loading));
        } else {
            let room = ui.available_height();
            // The table keeps a few rows; the chart never goes below what can be read.
            let chart = (room - TABLE_LEAST).clamp(CHART_LEAST, (room * 0.6).max(CHART_LEAST));
            egui::Panel::bottom("item_detail_below")
                .resizable(true)
                .default_size(chart)
                .size_range(CHART_LEAST..=room.max(CHART_LEAST))
                .show(ui, |ui| self.detail(ui, project, shown.loading));
        }
        let currency = self
            .summary
            .as_ref()
            .and_then(|(_, s)| s.currency.as_deref());
        egui::CentralPanel::default().show(ui, |ui| {
            self.table.controls(ui, project);
            ui.add_space(4.0);
            let planning_loading = shown.loading.is_some();
            self.table.show(
                ui,
                shown.screen,
                project,
                currency,
                shown.keys,
                planning_loading,
            );
        });
        commands
    }

    /// A new project on screen (updated, regrouped, an import's so far or finished) keeps
    /// the table's selection of the series it still has, and the grouping form what was
    /// typed into it, offering the channels the new project's sales came from.
    fn follow(&mut self, project: &Arc<Project>) {
        if let Some(before) = self.shown.as_ref().filter(|p| !Arc::ptr_eq(p, project)) {
            self.table.carry_selection(before, project);
            if let Some((_, choices)) = &mut self.grouping {
                choices.offer_channels(project.channels());
            }
        }
        self.shown = Some(Arc::clone(project));
    }

    /// One row: the name, Update data, the grouping options' and the details' toggles, the
    /// warnings' count and the key facts (cut to the room there is; in full in Details).
    /// Under it, when open, the details.
    fn header(
        &mut self,
        ui: &mut Ui,
        open: &OpenProject,
        shown: &Shown<'_>,
        commands: &mut Vec<Command>,
    ) {
        let project = &open.project;
        let Some((_, summary)) = &self.summary else {
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(open.name());
            if open.dirty {
                ui.label(RichText::new("unsaved").weak())
                    .on_hover_text("Changed since it was saved: File > Save keeps it");
            }
            let can_update = project.ledger.is_some() && shown.updating.is_none();
            if ui
                .add_enabled(can_update, egui::Button::new("Update data"))
                .on_hover_text("Read what changed in Cin7 since the last run (F5)")
                .clicked()
            {
                commands.push(Command::UpdateData);
            }
            ui.toggle_value(&mut self.grouping_open, "Grouping…")
                .on_hover_text(
                    "Grouping and sales options: regroup the history without calling Cin7",
                );
            ui.toggle_value(&mut self.details_open, "Details");
            // What the data report asks to check, the same count; a click opens it.
            let to_check = summary.notes.iter().filter(|n| n.act == Act::Check).count();
            if to_check > 0 {
                let text = format!("⚠ {}", report::headline(&summary.notes).to_lowercase());
                let link = egui::Button::new(RichText::new(text).color(ui.visuals().warn_fg_color))
                    .frame(false);
                if ui.add(link).on_hover_text("Open the data report").clicked() {
                    self.report_open = Some(true);
                }
            }
            ui.add(egui::Label::new(RichText::new(&summary.facts).weak()).truncate())
                .on_hover_text(&summary.facts);
        });
        if self.details_open {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(format!(
                    "{} at {}",
                    project.connection.username, project.connection.base_url
                ));
                ui.add(egui::Label::new(&summary.facts).wrap());
                ui.label(RichText::new(&summary.last_run).weak());
                for sentence in &summary.warnings {
                    ui.add(egui::Label::new(
                        RichText::new(sentence).color(ui.visuals().warn_fg_color),
                    ));
                }
            });
        }
    }

    /// The selected item's chart, with what it plans with on its title line (while the
    /// project is still `loading`, its periods not exact yet hatched, and no planning).
    fn detail(&mut self, ui: &mut Ui, project: &Project, loading: Option<&PartialProject>) {
        match self.table.current().and_then(|i| project.series.get(i)) {
            Some(series) => {
                let currency = self.summary().and_then(|s| s.currency.as_deref());
                let hatched = loading.map(|p| super::chart::Loading {
                    sales_from: p.first_exact_period(),
                    on_hand_from: p.first_exact_on_hand(),
                });
                super::chart::show(ui, project, series, currency, hatched, |ui| {
                    if loading.is_some() {
                        ui.label(RichText::new("Open orders and lead time: loading").weak());
                    } else {
                        super::item_planning::show(ui, project, series);
                    }
                });
            }
            None => {
                ui.add_space(12.0);
                ui.label(RichText::new("Choose an item in the table to see its history.").weak());
            }
        }
    }

    fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref().map(|(_, summary)| summary)
    }

    /// The data report's panel at the bottom: its heading says what there is to check; open,
    /// it lists the notes.
    fn report_panel(&mut self, ui: &mut Ui, project: &Project) -> Vec<Command> {
        let open = *self
            .report_open
            .get_or_insert_with(|| ui.available_height() >= ROOM_FOR_REPORT);
        let notes = self.summary().map_or(&[][..], |s| s.notes.as_slice());
        let mut commands = Vec::new();
        let mut toggled = false;
        // Open, it takes a third of a short window at first, more if dragged.
        let height = (ui.available_height() * 0.33).clamp(96.0, 170.0);
        egui::Panel::bottom("data_report")
            .resizable(open)
            .default_size(height)
            .min_size(24.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    let arrow = if open { "⏷" } else { "⏵" };
                    toggled = ui
                        .selectable_label(
                            false,
                            RichText::new(format!("{arrow} Data report")).strong(),
                        )
                        .clicked();
                    ui.label(RichText::new(report::headline(notes)).weak());
                });
                if open {
                    egui::ScrollArea::vertical()
                        .id_salt("data_report")
                        .auto_shrink([false, false])
                        .show(ui, |ui| commands = report::show(ui, project, notes));
                }
            });
        if toggled {
            self.report_open = Some(!open);
        }
        commands
    }

    /// The options the ledger can be regrouped by, and Apply.
    fn grouping_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        busy: bool,
    ) -> Option<ImportSettings> {
        // A new project, or one just regrouped, starts the form afresh.
        if self
            .grouping
            .as_ref()
            .is_none_or(|(base, _)| *base != project.settings)
        {
            let mut choices = GroupingChoices::of(&project.settings);
            choices.offer_channels(project.channels());
            self.grouping = Some((project.settings.clone(), choices));
        }
        let (_, choices) = self.grouping.as_mut()?;
        let mut request = None;
        if !self.grouping_open {
            return None;
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
                egui::Grid::new("grouping_options")
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        choices.group_by_row(ui);
                        choices.calendar_rows(ui, "project");
                        choices.sales_rows(ui);
                    });
                let wanted = choices.apply(&project.settings);
                let note = match &project.ledger {
                    None => RegroupError::NoLedger.to_string(),
                    Some(_) => "Rebuilt from the project's ledger, without calling Cin7. The starting date and the branches need a new import.".to_owned(),
                };
                ui.horizontal_wrapped(|ui| {
                    let ready = project.ledger.is_some() && wanted != project.settings && !busy;
                    if ui.add_enabled(ready, egui::Button::new("Apply")).clicked() {
                        request = Some(wanted.clone());
                    }
                    ui.label(RichText::new(note).weak());
                });
            });
        request
    }
}

/// "4 items (2 sized) at 2 locations · 12 weeks, 1 Jan 2024 to 24 Mar 2024 (last in
/// progress) · Pacific/Auckland".
fn facts_line(project: &Project) -> String {
    let sized = project.items.iter().filter(|i| i.sized).count();
    let periods = match (project.periods.first(), project.periods.last()) {
        (Some(first), Some(last)) => format!(
            "{} {}, {} to {}{}",
            project.periods.len(),
            project.settings.group_by.label().to_lowercase(),
            first.start.format("%-d %b %Y"),
            last.last_day().format("%-d %b %Y"),
            if project.last_period_in_progress {
                " (last in progress)"
            } else {
                ""
            }
        ),
        _ => "no periods".to_owned(),
    };
    format!(
        "{} items ({sized} sized) at {} locations · {periods} · {}",
        format::count(project.items.len()),
        project.locations.len(),
        project.settings.time_zone
    )
}

/// "Last update on 3 Dec 2026 10:42 NZDT: 12 calls, 0 retries, 3.0 s waiting on rate limits."
fn last_run_line(project: &Project) -> String {
    let zone = project.settings.time_zone;
    let r = &project.report;
    let last = match project.history.last() {
        Some(run) => format!(
            "Last {} on {}",
            run.kind.label().to_lowercase(),
            format::instant(run.finished_at, zone)
        ),
        None => format!("Imported on {}", format::instant(r.finished_at, zone)),
    };
    format!(
        "{last}: {} calls, {} retries, {:.1} s waiting on rate limits.",
        r.calls,
        r.retries,
        r.rate_limit_wait_ms as f64 / 1000.0
    )
}

/// The warnings a planner must see at once; the rest is in the data report.
fn warnings(project: &Project) -> Vec<String> {
    let w = &project.report.warnings;
    let mut sentences: Vec<String> = [
        w.older_open_orders_sentence(),
        w.negative_on_hand_sentence(),
        w.stock_drift_sentence(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let sized = project.items.iter().filter(|i| i.sized).count();
    if sized > 0 {
        sentences.push(format!(
            "{sized} sized items have sales history but no on-hand history (Cin7 gives no per-size stock movements): inventory turnover, stockout days and lost sales cannot be analysed for them."
        ));
    }
    sentences
}
