//! The **Cin7 connection** dialog, true to the planning tool's: API username, API key,
//! Starting date, Group by, then OK. Around them: a show/hide toggle on the key, a help popup
//! on where the credentials come from, why OK is disabled, the collapsed Import options,
//! Remember API key, and Test connection (the credentials, then Read on every resource the
//! import needs, one call each).

use super::options::GroupingChoices;
use crate::cin7::{ApiKey, BaseUrl, Resource};
use crate::project::{ConnectionInfo, GroupBy, ImportSettings};
use chrono::{Datelike, NaiveDate};
use egui::{Id, Modal, RichText};

/// What the dialog holds while it is open.
pub struct ConnectionDialog {
    pub username: String,
    /// Wiped from memory when the dialog goes.
    pub key: zeroize::Zeroizing<String>,
    /// The key was filled in from the keychain.
    pub key_from_keychain: bool,
    pub show_key: bool,
    pub starting_date: jiff::civil::Date,
    pub options: GroupingChoices,
    pub base_url: String,
    pub remember_key: bool,
    /// Branch ids, comma separated; empty for every branch.
    pub branches: String,
    pub test: TestState,
}

/// Where Test connection stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TestState {
    #[default]
    NotRun,
    /// The run by this id (its outcomes name it), with the answers so far, as they come.
    Running { id: u64, so_far: Vec<Checked> },
    /// Each resource's answer; or one failure for them all.
    Done(Result<Vec<Checked>, String>),
}

impl TestState {
    /// Whether this is the Test connection by `id`, still under way.
    pub fn is_run(&self, id: u64) -> bool {
        matches!(self, TestState::Running { id: running, .. } if *running == id)
    }
}

/// One resource's answer to Test connection: `None` when readable, else what to turn on.
pub type Checked = (Resource, Option<String>);

/// Valid input, ready to start an import.
pub struct DialogInput {
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub settings: ImportSettings,
    pub remember_key: bool,
    pub key_from_keychain: bool,
}

pub enum DialogOutcome {
    Open,
    Ok(DialogInput),
    Cancel,
    /// Test connection with this input.
    Test(DialogInput),
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

    /// Whether the dialog is about `connection` (to fill in a key looked up for it).
    pub fn connection_is(&self, connection: &ConnectionInfo) -> bool {
        self.username.trim() == connection.username
            && BaseUrl::parse(&self.base_url).is_ok_and(|b| b.as_str() == connection.base_url)
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
        if starting_date.year() < 1900 {
            return Err("Choose a starting date from 1900 on.".into());
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
            key_from_keychain: self.key_from_keychain,
        })
    }

    pub fn show(&mut self, ctx: &egui::Context, today: NaiveDate) -> DialogOutcome {
        let mut outcome = DialogOutcome::Open;
        let modal = Modal::new(Id::unique("cin7_connection_dialog")).show(ctx, |ui| {
            ui.set_width(480.0);
            ui.horizontal(|ui| {
                ui.heading("Cin7 connection");
                ui.menu_button(
                    "Where do these come from?",
                    super::prompts::credentials_help,
                );
            });
            ui.add_space(6.0);
            self.fields(ui);
            ui.checkbox(&mut self.remember_key, "Remember API key");
            self.import_options(ui);
            self.test_results(ui);
            ui.separator();
            outcome = self.buttons(ui, today);
        });
        // Escape meant for the open date picker must not close the whole dialog.
        if modal.should_close() && !ctx.any_popup_open() && matches!(outcome, DialogOutcome::Open) {
            outcome = DialogOutcome::Cancel;
        }
        outcome
    }

    /// API username, API key (with show/hide), Starting date, Group by.
    fn fields(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("connection_fields")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let label = ui.label("API username");
                let username = ui
                    .add(egui::TextEdit::singleline(&mut self.username).desired_width(300.0))
                    .labelled_by(label.id);
                self.forget_test_if(username.changed());
                ui.end_row();

                let label = ui.label("API key");
                ui.horizontal(|ui| {
                    let key = ui
                        .add(
                            egui::TextEdit::singleline(&mut *self.key)
                                .id(key_field_id())
                                .password(!self.show_key)
                                .desired_width(236.0),
                        )
                        .labelled_by(label.id);
                    self.forget_test_if(key.changed());
                    let toggle = if self.show_key { "Hide" } else { "Show" };
                    ui.toggle_value(&mut self.show_key, toggle)
                        .on_hover_text("Show or hide the API key");
                });
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
                        let address = ui
                            .add(
                                egui::TextEdit::singleline(&mut self.base_url).desired_width(300.0),
                            )
                            .labelled_by(label.id);
                        self.forget_test_if(address.changed());
                        ui.end_row();
                    });
            });
    }

    /// Credentials edited: what Test connection found (or is finding) was about others.
    fn forget_test_if(&mut self, edited: bool) {
        if edited {
            self.test = TestState::NotRun;
        }
    }

    /// What Test connection found: a tick per readable resource, the permission to turn on
    /// for the others; while it runs, the answers so far under a spinner.
    fn test_results(&self, ui: &mut egui::Ui) {
        match &self.test {
            TestState::NotRun => {}
            TestState::Running { so_far, .. } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Testing the connection…");
                });
                checked_grid(ui, so_far);
            }
            TestState::Done(Err(reason)) => {
                ui.label(RichText::new(reason).color(ui.visuals().error_fg_color));
            }
            TestState::Done(Ok(results)) => checked_grid(ui, results),
        }
    }

    fn buttons(&mut self, ui: &mut egui::Ui, today: NaiveDate) -> DialogOutcome {
        let valid = self.validate(today);
        let mut outcome = DialogOutcome::Open;
        ui.horizontal(|ui| {
            let ok = ui.add_enabled(valid.is_ok(), egui::Button::new("OK"));
            let testing = matches!(self.test, TestState::Running { .. });
            let test = ui.add_enabled(
                valid.is_ok() && !testing,
                egui::Button::new("Test connection"),
            );
            if ui.button("Cancel").clicked() {
                outcome = DialogOutcome::Cancel;
            }
            // Enter confirms, as in any dialog, once the input is valid.
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter)) && !ui.ctx().any_popup_open();
            match valid {
                Ok(input) if ok.clicked() || enter => outcome = DialogOutcome::Ok(input),
                Ok(input) if test.clicked() => outcome = DialogOutcome::Test(input),
                Ok(_) => {}
                Err(reason) => {
                    ui.label(RichText::new(reason).color(ui.visuals().warn_fg_color));
                }
            }
        });
        outcome
    }
}

/// A tick per readable resource, the permission to turn on for the others.
fn checked_grid(ui: &mut egui::Ui, results: &[Checked]) {
    egui::Grid::new("test_results")
        .num_columns(2)
        .show(ui, |ui| {
            for (resource, problem) in results {
                match problem {
                    None => ui.label(format!("✔ {resource}")),
                    Some(problem) => ui.label(
                        RichText::new(format!("✖ {resource}: {problem}"))
                            .color(ui.visuals().error_fg_color),
                    ),
                };
                ui.end_row();
            }
        });
}

/// Checks the credentials, then Read on every resource an import needs (one call each), and
/// says what to turn on where one is refused; `on_checked` sees each answer as it comes. A
/// failure of the credentials (or of the address) stands for them all.
pub async fn test_connection(
    request: &crate::import::ImportRequest,
    on_checked: impl Fn(Checked),
) -> Result<Vec<Checked>, String> {
    let found = crate::import::check_permissions(request, |resource, refused| {
        on_checked((resource, refused.map(|_| fix(resource))));
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(found
        .into_iter()
        .map(|(resource, refused)| (resource, refused.map(|_| fix(resource))))
        .collect())
}

/// What to do about a refused resource.
fn fix(resource: Resource) -> String {
    format!("turn on Read for {resource} in the connection's Permissions")
}
