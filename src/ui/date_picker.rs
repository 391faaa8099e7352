//! The Starting date control: a button showing the date, which opens a calendar of the month
//! and year it names, with labelled arrows (a month, a year), Today, a field to type a date in,
//! and the days after the latest allowed greyed out. It opens on every click and always starts
//! from the date it shows. Written here rather than taken from egui_extras, whose picker opens
//! under a modal dialog after a click elsewhere in it, shows no month or year without its
//! unlabelled combo boxes, and keeps a date browsed to for the next dialog.

use super::button_popup;
use super::format;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use egui::{Button, Id, RichText, Ui};

/// What the open calendar shows, kept while it is open.
#[derive(Clone, Debug, Default)]
struct Browsing {
    /// The first day of the month shown.
    month: Option<NaiveDate>,
    /// The date being typed.
    typed: String,
    problem: Option<String>,
}

pub(super) struct DatePicker<'a> {
    date: &'a mut NaiveDate,
    id_salt: &'a str,
    earliest: NaiveDate,
    latest: NaiveDate,
    today: NaiveDate,
}

impl<'a> DatePicker<'a> {
    /// A picker of `date` from 1900 up to `today`.
    pub(super) fn new(date: &'a mut NaiveDate, id_salt: &'a str, today: NaiveDate) -> Self {
        Self {
            date,
            id_salt,
            earliest: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
            latest: today,
            today,
        }
    }

    /// Shows the button and, when open, the calendar; the response is `changed()` when a date
    /// was chosen.
    pub(super) fn show(self, ui: &mut Ui) -> egui::Response {
        // An id of its own: the popup's open state is kept under it, whatever else the dialog
        // shows above it from one frame to the next.
        let mut button = ui
            .push_id(self.id_salt, |ui| {
                ui.add(Button::new(format::date(*self.date)).min_size(egui::vec2(140.0, 0.0)))
            })
            .inner;
        let id = ui.make_persistent_id(self.id_salt);
        let start = *self.date;
        let mut chosen = None;
        button_popup::show(
            ui,
            &button,
            "Choose a date",
            || {
                ui.data_mut(|d| {
                    d.insert_temp(
                        id,
                        Browsing {
                            month: start.with_day(1),
                            typed: start.format("%Y-%m-%d").to_string(),
                            problem: None,
                        },
                    );
                });
            },
            |ui| {
                let mut browsing: Browsing = ui.data(|d| d.get_temp(id)).unwrap_or_default();
                chosen = self.calendar(ui, &mut browsing, id);
                ui.data_mut(|d| d.insert_temp(id, browsing));
            },
        );
        if let Some(date) = chosen {
            *self.date = date;
            button.mark_changed();
            egui::Popup::close_id(ui.ctx(), egui::Popup::default_response_id(&button));
        }
        button
    }

    /// The month's calendar with its arrows, Today and the typed date; the date chosen, if any.
    fn calendar(&self, ui: &mut Ui, browsing: &mut Browsing, id: Id) -> Option<NaiveDate> {
        let month = *browsing
            .month
            .get_or_insert_with(|| self.date.with_day(1).unwrap_or(*self.date));
        ui.set_min_width(250.0);
        ui.horizontal(|ui| {
            let steps = [
                ("«", "Previous year", Step::Back(12)),
                ("‹", "Previous month", Step::Back(1)),
            ];
            for (text, name, step) in steps {
                self.arrow(ui, text, name, month, step, browsing);
            }
            ui.add_sized(
                [110.0, 20.0],
                egui::Label::new(RichText::new(month.format("%B %Y").to_string()).strong()),
            );
            for (text, name, step) in [
                ("›", "Next month", Step::Forward(1)),
                ("»", "Next year", Step::Forward(12)),
            ] {
                self.arrow(ui, text, name, month, step, browsing);
            }
        });
        let mut chosen = self.days(ui, month);
        ui.separator();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.allows(self.today), Button::new("Today"))
                .clicked()
            {
                chosen = Some(self.today);
            }
            let label = ui.label("Type a date");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut browsing.typed)
                        .id(id.with("typed"))
                        .hint_text("2024-01-31")
                        .desired_width(100.0),
                )
                .labelled_by(label.id);
            if field.changed() {
                browsing.problem = None;
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if entered || ui.button("Set").clicked() {
                match self.typed(&browsing.typed) {
                    Ok(date) => chosen = Some(date),
                    Err(problem) => {
                        browsing.problem = Some(problem);
                        // Back in the field, to put it right.
                        field.request_focus();
                    }
                }
            }
        });
        if let Some(problem) = &browsing.problem {
            ui.label(RichText::new(problem).color(ui.visuals().warn_fg_color));
        }
        chosen
    }

    fn arrow(
        &self,
        ui: &mut Ui,
        text: &str,
        name: &str,
        month: NaiveDate,
        step: Step,
        browsing: &mut Browsing,
    ) {
        let to = step.from(month);
        let allowed = to.is_some_and(|to| {
            to <= self.latest.with_day(1).unwrap_or(self.latest)
                && to
                    .checked_add_months(Months::new(1))
                    .is_some_and(|end| end > self.earliest)
        });
        let arrow = ui
            .add_enabled(allowed, Button::new(text).min_size(egui::vec2(24.0, 0.0)))
            .on_hover_text(name)
            .accessible_name(name);
        if arrow.clicked() {
            browsing.month = to;
        }
    }

    /// The weekday names and the month's days, Monday first; the day clicked.
    fn days(&self, ui: &mut Ui, month: NaiveDate) -> Option<NaiveDate> {
        let mut chosen = None;
        let leading = month.weekday().num_days_from_monday() as usize;
        let days = days_in(month);
        egui::Grid::new(("calendar", month))
            .spacing([2.0, 2.0])
            .show(ui, |ui| {
                for day in super::options::WEEKDAYS {
                    ui.label(RichText::new(weekday_short(day)).weak());
                }
                ui.end_row();
                // Always six weeks, so that the calendar keeps its height from month to month
                // and Today and the field stay under the pointer.
                for cell in 0..6 * 7_usize {
                    let date = cell
                        .checked_sub(leading)
                        .filter(|d| *d < days)
                        .and_then(|d| month.checked_add_days(Days::new(d as u64)));
                    match date {
                        Some(date) => {
                            if self.day(ui, date) {
                                chosen = Some(date);
                            }
                        }
                        None => {
                            ui.label("");
                        }
                    }
                    if cell % 7 == 6 {
                        ui.end_row();
                    }
                }
            });
        chosen
    }

    /// One day's button: the date shown selected, today in bold, days out of range disabled.
    fn day(&self, ui: &mut Ui, date: NaiveDate) -> bool {
        let mut text = RichText::new(date.day().to_string());
        if date == self.today {
            text = text.strong().underline();
        }
        ui.add_enabled(
            self.allows(date),
            Button::selectable(date == *self.date, text).min_size(egui::vec2(30.0, 22.0)),
        )
        .accessible_name(format::date(date))
        .clicked()
    }

    fn allows(&self, date: NaiveDate) -> bool {
        (self.earliest..=self.latest).contains(&date)
    }

    /// A typed date, in the range; or why not.
    fn typed(&self, text: &str) -> Result<NaiveDate, String> {
        let date = parse_date(text).ok_or_else(|| {
            format!(
                "\"{}\" is not a date: type one like 2024-01-31.",
                text.trim()
            )
        })?;
        if date > self.latest {
            Err(format!(
                "{} is after today: the history cannot start in the future.",
                format::date(date)
            ))
        } else if date < self.earliest {
            Err("Choose a date from 1900 on.".to_owned())
        } else {
            Ok(date)
        }
    }
}

/// A step of the calendar's arrows, in months.
#[derive(Clone, Copy)]
enum Step {
    Back(u32),
    Forward(u32),
}

impl Step {
    fn from(self, month: NaiveDate) -> Option<NaiveDate> {
        match self {
            Step::Back(n) => month.checked_sub_months(Months::new(n)),
            Step::Forward(n) => month.checked_add_months(Months::new(n)),
        }
    }
}

fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mo",
        Weekday::Tue => "Tu",
        Weekday::Wed => "We",
        Weekday::Thu => "Th",
        Weekday::Fri => "Fr",
        Weekday::Sat => "Sa",
        Weekday::Sun => "Su",
    }
}

fn days_in(month: NaiveDate) -> usize {
    month
        .checked_add_months(Months::new(1))
        .map_or(31, |next| (next - month).num_days() as usize)
}

/// A date typed as 2024-01-31, 31 Jan 2024 or 31 January 2024.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d", "%d %b %Y", "%d %B %Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_planners_type_them() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 31);
        assert_eq!(parse_date(" 2024-01-31 "), day);
        assert_eq!(parse_date("31 Jan 2024"), day);
        assert_eq!(parse_date("31 January 2024"), day);
        assert_eq!(parse_date("31/01/2024"), None);
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(format::date(day.unwrap()), "31 January 2024");
        let february = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        assert_eq!(days_in(february), 29);
    }
}
