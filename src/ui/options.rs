//! The grouping and sales options, as rows of a two-column grid: shared by the connection
//! dialog (before an import) and the project view (regrouping from the ledger).

use super::zone_picker;
use crate::project::{GroupBy, ImportSettings, SaleDate};
use chrono::Weekday;
use chrono_tz::Tz;

/// The options a project can be regrouped by, as the controls hold them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct GroupingChoices {
    pub group_by: GroupBy,
    pub week_start: Weekday,
    pub time_zone: Tz,
    pub sale_date: SaleDate,
    pub dispatched_only: bool,
    pub returns: bool,
    /// The channels whose sales count, as typed: names separated by commas, empty for all.
    pub channels: String,
    /// The channels the project's sales came from, to choose among (none before an import).
    known_channels: Vec<String>,
}

impl GroupingChoices {
    pub(super) fn of(settings: &ImportSettings) -> Self {
        Self {
            group_by: settings.group_by,
            week_start: settings.week_start,
            time_zone: settings.time_zone,
            sale_date: settings.sale_date,
            dispatched_only: settings.dispatched_only,
            returns: settings.returns,
            channels: settings
                .channels
                .as_ref()
                .map(|chosen| chosen.join(", "))
                .unwrap_or_default(),
            known_channels: Vec::new(),
        }
    }

    /// Offers `known` channels to tick (those a project's sales came from).
    pub(super) fn offer_channels(&mut self, known: Vec<String>) {
        self.known_channels = known;
    }

    /// The channels typed, `None` for all.
    fn chosen_channels(&self) -> Option<Vec<String>> {
        let names: Vec<String> = self
            .channels
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        (!names.is_empty()).then_some(names)
    }

    /// `base` with these choices.
    pub(super) fn apply(&self, base: &ImportSettings) -> ImportSettings {
        ImportSettings {
            group_by: self.group_by,
            week_start: self.week_start,
            time_zone: self.time_zone,
            sale_date: self.sale_date,
            dispatched_only: self.dispatched_only,
            returns: self.returns,
            channels: self.chosen_channels(),
            ..base.clone()
        }
    }

    pub(super) fn group_by_row(&mut self, ui: &mut egui::Ui) {
        let choices = [GroupBy::Day, GroupBy::Week, GroupBy::Month];
        radio_row(
            ui,
            "Group by",
            &mut self.group_by,
            choices.map(|g| (g, g.label())),
        );
    }

    /// Sale date, only dispatched orders, subtract returns.
    pub(super) fn sales_rows(&mut self, ui: &mut egui::Ui) {
        let choices = [SaleDate::Invoice, SaleDate::Order, SaleDate::Dispatch];
        radio_row(
            ui,
            "Sale date",
            &mut self.sale_date,
            choices.map(|d| (d, d.label())),
        );
        ui.label("");
        ui.checkbox(&mut self.dispatched_only, "Only dispatched orders");
        ui.end_row();
        ui.label("");
        ui.checkbox(&mut self.returns, "Subtract returns (credit notes)");
        ui.end_row();
        self.channels_row(ui);
    }

    /// The channels whose sales count: typed (before an import, when they are not known yet),
    /// or ticked among those the project's sales came from.
    fn channels_row(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Channels");
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.channels)
                    .hint_text("all channels")
                    .desired_width(180.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Sales of these channels only (a sale's source in Cin7, e.g. POS, Shopify), separated by commas; empty for all.");
            if self.known_channels.is_empty() {
                return;
            }
            ui.menu_button("Choose…", |ui| {
                let mut chosen = self.chosen_channels().unwrap_or_default();
                for name in &self.known_channels {
                    let mut on = chosen.iter().any(|c| c.eq_ignore_ascii_case(name));
                    if ui.checkbox(&mut on, name).changed() {
                        chosen.retain(|c| !c.eq_ignore_ascii_case(name));
                        if on {
                            chosen.push(name.clone());
                        }
                    }
                }
                self.channels = chosen.join(", ");
            });
        });
        ui.end_row();
    }

    /// Weeks start on (only when grouping by weeks), time zone.
    pub(super) fn calendar_rows(&mut self, ui: &mut egui::Ui, id_salt: &str) {
        // Always there, greyed out unless by weeks: the rows and buttons below stay where
        // they are as the grouping is chosen.
        let by_weeks = self.group_by == GroupBy::Week;
        let label = ui.add_enabled(by_weeks, egui::Label::new("Weeks start on"));
        ui.add_enabled_ui(by_weeks, |ui| {
            egui::ComboBox::from_id_salt((id_salt, "week_start"))
                .selected_text(weekday_name(self.week_start))
                .show_ui(ui, |ui| {
                    for day in WEEKDAYS {
                        ui.selectable_value(&mut self.week_start, day, weekday_name(day));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        ui.end_row();
        let label = ui.label("Time zone");
        zone_picker::show(ui, &mut self.time_zone, &format!("{id_salt}_time_zone"))
            .labelled_by(label.id);
        ui.end_row();
    }
}

/// A labelled grid row of radio buttons, one per choice.
fn radio_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    name: &str,
    value: &mut T,
    choices: impl IntoIterator<Item = (T, &'static str)>,
) {
    let label = ui.label(name);
    ui.horizontal(|ui| {
        for (choice, text) in choices {
            ui.radio_value(value, choice, text);
        }
    })
    .response
    .labelled_by(label.id);
    ui.end_row();
}

/// The days of a week, Monday first.
pub(super) const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
