//! The **Cin7 connection** dialog: API username, API key, Starting date, Group by, OK/Cancel,
//! plus the connection's address and time zone under "Import options".

use super::options::GroupingChoices;
use crate::cin7::{ApiKey, BaseUrl};
use crate::project::{ConnectionInfo, GroupBy, ImportSettings};
use chrono::{Datelike, NaiveDate};
use egui::{Id, Modal, RichText};

/// What the dialog holds while it is open.
pub struct ConnectionDialog {
    pub username: String,
    /// Wiped from memory when the dialog goes.
    pub key: zeroize::Zeroizing<String>,
    pub starting_date: jiff::civil::Date,
    pub options: GroupingChoices,
    pub base_url: String,
    pub remember_key: bool,
    /// Branch ids, comma separated; empty for every branch.
    pub branches: String,
}

/// Valid input, ready to start an import.
pub struct DialogInput {
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub settings: ImportSettings,
    pub remember_key: bool,
}

pub enum DialogOutcome {
    Open,
    Ok(DialogInput),
    Cancel,
}

/// Branch ids from "1, 3"; `None` (every branch) when blank.
fn parse_branches(text: &str) -> Result<Option<Vec<i64>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.split(',')
        .map(|id| {
            id.trim()
                .parse::<i64>()
                .map_err(|_| format!("\"{}\" is not a branch id; list ids like 1, 3.", id.trim()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The date picker works in jiff dates; the project in chrono's.
pub fn to_naive(d: jiff::civil::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
}

pub fn to_jiff(d: NaiveDate) -> jiff::civil::Date {
    jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8).unwrap_or_default()
}

/// The key field's id, so that its state (which keeps copies of the text for undo) can be
/// dropped with the dialog.
fn key_field_id() -> Id {
    Id::unique("cin7_connection_dialog_api_key")
}

impl ConnectionDialog {
    /// Forgets what the window kept of the key field: call when the dialog closes.
    pub fn forget_key_field(ctx: &egui::Context) {
        ctx.data_mut(|data| data.remove::<egui::text_edit::TextEditState>(key_field_id()));
    }

    /// Why OK is disabled, or the input it would start.
    pub fn validate(&self, today: NaiveDate) -> Result<DialogInput, String> {
        let username = self.username.trim();
        if username.is_empty() {
            return Err("Enter the API username.".into());
        }
        let key = ApiKey::new(self.key.as_str());
        if key.is_empty() {
            return Err("Enter the API key.".into());
        }
        let starting_date = to_naive(self.starting_date).ok_or("Choose a valid starting date.")?;
        if starting_date > today {
            return Err("The starting date cannot be in the future.".into());
        }
        let settings = self.options.apply(&ImportSettings {
            branches: parse_branches(&self.branches)?,
            ..ImportSettings::new(starting_date, GroupBy::Week, chrono_tz::UTC)
        })?;
        let base_url = BaseUrl::parse(&self.base_url).map_err(|e| e.to_string())?;
        Ok(DialogInput {
            connection: ConnectionInfo {
                base_url: base_url.as_str().to_owned(),
                username: username.to_owned(),
            },
            key,
            settings,
            remember_key: self.remember_key,
        })
    }

    /// API username, API key, Starting date, Group by.
    fn fields(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("connection_fields")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let label = ui.label("API username");
                ui.add(egui::TextEdit::singleline(&mut self.username).desired_width(280.0))
                    .labelled_by(label.id);
                ui.end_row();

                let label = ui.label("API key");
                ui.add(
                    egui::TextEdit::singleline(&mut *self.key)
                        .id(key_field_id())
                        .password(true)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
                ui.end_row();

                let label = ui.label("Starting date");
                ui.add(
                    egui_extras::DatePickerButton::new(&mut self.starting_date)
                        .id_salt("starting_date")
                        .combo_boxes(false)
                        .calendar_week(false),
                )
                .labelled_by(label.id);
                ui.end_row();

                self.options.group_by_row(ui);
            });
    }

    /// The collapsed options: sales, branches, calendar, the API address.
    fn import_options(&mut self, ui: &mut egui::Ui) {
        egui::CollapsingHeader::new("Import options")
            .default_open(false)
            .show(ui, |ui| {
                egui::Grid::new("import_options")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        self.options.sales_rows(ui);
                        let label = ui.label("Branches");
                        ui.add(
                            egui::TextEdit::singleline(&mut self.branches)
                                .hint_text("all")
                                .desired_width(220.0),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                        self.options.calendar_rows(ui);
                        let label = ui.label("API address");
                        ui.add(egui::TextEdit::singleline(&mut self.base_url).desired_width(280.0))
                            .labelled_by(label.id);
                        ui.end_row();
                    });
            });
    }

    pub fn show(&mut self, ctx: &egui::Context, today: NaiveDate) -> DialogOutcome {
        let mut outcome = DialogOutcome::Open;
        let modal = Modal::new(Id::unique("cin7_connection_dialog")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading("Cin7 connection");
            ui.label(
                RichText::new(
                    "In Cin7 Omni, Settings > Integrations & API > API v1 shows the API username; \
                     Add New API Connection shows its key once. Allow Read on Branches, Products, \
                     Contacts, Stock, Sales Orders, Credit Notes, Purchase Orders, Branch Transfers and \
                     Adjustments.",
                )
                .weak(),
            );
            ui.add_space(6.0);
            self.fields(ui);
            ui.checkbox(
                &mut self.remember_key,
                "Remember the API key in the system keychain",
            );
            self.import_options(ui);
            ui.separator();
            let valid = self.validate(today);
            ui.horizontal(|ui| {
                let ok = ui.add_enabled(valid.is_ok(), egui::Button::new("OK"));
                if ui.button("Cancel").clicked() {
                    outcome = DialogOutcome::Cancel;
                }
                // Enter confirms, as in any dialog, once the input is valid.
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                match valid {
                    Ok(input) if ok.clicked() || enter => outcome = DialogOutcome::Ok(input),
                    Ok(_) => {}
                    Err(reason) => {
                        ui.label(RichText::new(reason).color(ui.visuals().warn_fg_color));
                    }
                }
            });
        });
        // Escape meant for the open date picker must not close the whole dialog.
        if modal.should_close() && !ctx.any_popup_open() && matches!(outcome, DialogOutcome::Open) {
            outcome = DialogOutcome::Cancel;
        }
        outcome
    }
}
