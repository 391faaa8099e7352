//! The **Cin7 connection** dialog, true to the planning tool's: API username, API key,
//! Starting date, Group by, then OK. Around them: a show/hide toggle on the key, where the
//! credentials come from, Remember API key, the collapsed Import options (sales, branches by
//! name, calendar, the API address), and Test connection (the credentials, then Read on every
//! resource, each ticked as its answer comes). A field's problem shows at the field once the
//! planner has left it or pressed OK; what a run from the dialog found wrong (the key, the
//! address, a permission) shows at its field when the dialog comes back. The dialog keeps its
//! place and width whatever it says.

use super::connection_test::{Checked, Findings};
use super::date_picker::DatePicker;
use super::options::GroupingChoices;
use crate::cin7::{ApiKey, BaseUrl};
use crate::project::{ConnectionInfo, GroupBy, ImportSettings, Location};
use chrono::NaiveDate;
use egui::{Align2, Id, Modal, RichText, Ui};
use std::collections::BTreeSet;

/// How wide the dialog is, whatever it says.
const WIDTH: f32 = 500.0;
/// How wide its fields and their messages are.
const FIELD_WIDTH: f32 = 320.0;

/// Which branches an import reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum BranchChoice {
    All,
    Only(BTreeSet<i64>),
}

/// Where Test connection stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) enum TestState {
    #[default]
    NotRun,
    /// The test by this id (its outcomes name it), with the answers so far, as they come.
    Running { id: u64, so_far: Vec<Checked> },
    /// What it found; or why it could not tell.
    Done(Result<Findings, String>),
}

/// The field a run from the dialog found at fault, with what it said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    /// The username or the key (Cin7 answered 401).
    Credentials(String),
    /// The API address (unreachable, not Cin7, redirected…).
    Address(String),
    /// A permission is off (403): shown with the test's answers.
    Permission(String),
    /// A branch chosen is not in the account.
    Branches(String),
    /// Anything else that stopped the run before it read anything.
    Other(String),
}

/// Valid input, ready to start an import.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DialogInput {
    pub connection: ConnectionInfo,
    pub key: ApiKey,
    pub settings: ImportSettings,
    pub remember_key: bool,
    pub key_from_keychain: bool,
}

/// What the planner did with the dialog this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DialogAnswer {
    Pending,
    /// OK, with valid input.
    Ok,
    Test,
    Cancel,
}

/// What is wrong with the input, field by field.
#[derive(Debug, Default)]
struct Problems {
    username: Option<&'static str>,
    key: Option<&'static str>,
    address: Option<String>,
    branches: Option<&'static str>,
}

impl Problems {
    fn any(&self) -> bool {
        self.username.is_some()
            || self.key.is_some()
            || self.address.is_some()
            || self.branches.is_some()
    }
}

/// What the dialog holds while it is open.
pub(super) struct ConnectionDialog {
    id: u64,
    pub username: String,
    /// Wiped from memory when the dialog goes.
    pub key: zeroize::Zeroizing<String>,
    /// The key was filled in from the keychain.
    pub key_from_keychain: bool,
    show_key: bool,
    pub starting_date: NaiveDate,
    pub options: GroupingChoices,
    pub base_url: String,
    pub remember_key: bool,
    pub branches: BranchChoice,
    pub test: TestState,
    pub fault: Option<Fault>,
    /// The fields the planner has left: their problems show from then on.
    left: BTreeSet<&'static str>,
    /// OK was pressed: every problem shows.
    tried: bool,
    focus_given: bool,
    options_open: bool,
}

/// Whether a field is the first to fill, which takes the keyboard as the dialog opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyboard {
    FirstToFill,
    Later,
}

impl Keyboard {
    fn first_if(first: bool) -> Self {
        if first {
            Self::FirstToFill
        } else {
            Self::Later
        }
    }
}

impl ConnectionDialog {
    /// A dialog by `id`, filled in with `connection`, the demo's `key` if any, and `settings`.
    pub(super) fn new(
        id: u64,
        connection: &ConnectionInfo,
        key: Option<&ApiKey>,
        settings: &ImportSettings,
        remember_key: bool,
    ) -> Self {
        Self {
            id,
            username: connection.username.clone(),
            key: key
                .map(|k| k.expose().to_owned())
                .unwrap_or_default()
                .into(),
            key_from_keychain: false,
            show_key: false,
            starting_date: settings.starting_date,
            options: GroupingChoices::of(settings),
            base_url: connection.base_url.clone(),
            remember_key,
            branches: settings.branches.as_ref().map_or(BranchChoice::All, |ids| {
                BranchChoice::Only(ids.iter().copied().collect())
            }),
            test: TestState::NotRun,
            fault: None,
            left: BTreeSet::new(),
            tried: false,
            focus_given: false,
            options_open: false,
        }
    }

    pub(super) fn id(&self) -> u64 {
        self.id
    }

    /// Forgets what the window kept of the key field (copies of its text for undo): call when
    /// the dialog closes.
    pub(super) fn forget_key_field(ctx: &egui::Context) {
        ctx.data_mut(|data| data.remove::<egui::text_edit::TextEditState>(key_field_id()));
    }

    /// Whether the dialog is about `connection` (to fill in a key looked up for it).
    pub(super) fn connection_is(&self, connection: &ConnectionInfo) -> bool {
        self.username.trim() == connection.username
            && BaseUrl::parse(&self.base_url).is_ok_and(|b| b.as_str() == connection.base_url)
    }

    /// The key the keychain found for the dialog's connection, unless one was typed.
    pub(super) fn key_found(&mut self, key: &ApiKey) {
        if self.key.is_empty() {
            self.key = key.expose().to_owned().into();
            self.key_from_keychain = true;
        }
    }

    /// Whether Test connection by `id` is the one under way.
    pub(super) fn is_testing(&self, id: u64) -> bool {
        matches!(&self.test, TestState::Running { id: running, .. } if *running == id)
    }

    /// The branches Test connection found, to choose from.
    fn known_branches(&self) -> &[Location] {
        match &self.test {
            TestState::Done(Ok(findings)) => &findings.branches,
            _ => &[],
        }
    }

    /// What a test found off, if it found any.
    pub(super) fn refused(&self) -> Vec<crate::cin7::Resource> {
        match &self.test {
            TestState::Done(Ok(findings)) => findings.refused(),
            _ => Vec::new(),
        }
    }

    /// Comes back after a run from it read nothing: `fault` at its field.
    pub(super) fn came_back(&mut self, fault: Fault) {
        if matches!(fault, Fault::Address(_) | Fault::Branches(_)) {
            self.options_open = true;
        }
        self.fault = Some(fault);
        self.focus_given = false;
    }

    fn problems(&self) -> Problems {
        Problems {
            username: self
                .username
                .trim()
                .is_empty()
                .then_some("Enter the API username."),
            key: self.key.trim().is_empty().then_some("Enter the API key."),
            address: BaseUrl::parse(&self.base_url).err().map(|e| e.to_string()),
            branches: matches!(&self.branches, BranchChoice::Only(ids) if ids.is_empty())
                .then_some("Choose at least one branch, or All branches."),
        }
    }

    /// Whether every field holds what an import needs.
    fn valid(&self, today: NaiveDate) -> bool {
        !self.problems().any() && self.starting_date <= today
    }

    /// The import the dialog describes, if its input is valid.
    pub(super) fn input(&self, today: NaiveDate) -> Option<DialogInput> {
        if !self.valid(today) {
            return None;
        }
        let base_url = BaseUrl::parse(&self.base_url).ok()?;
        let branches = match &self.branches {
            BranchChoice::All => None,
            BranchChoice::Only(ids) => Some(ids.iter().copied().collect()),
        };
        let settings = self.options.apply(&ImportSettings {
            branches,
            ..ImportSettings::new(self.starting_date, GroupBy::Week, chrono_tz::UTC)
        });
        Some(DialogInput {
            connection: ConnectionInfo {
                base_url: base_url.as_str().to_owned(),
                username: self.username.trim().to_owned(),
            },
            key: ApiKey::new(self.key.as_str()),
            settings,
            remember_key: self.remember_key,
            key_from_keychain: self.key_from_keychain,
        })
    }

    /// Draws the dialog; returns what the planner did.
    pub(super) fn show(&mut self, ctx: &egui::Context, today: NaiveDate) -> DialogAnswer {
        let mut answer = DialogAnswer::Pending;
        let id = Id::unique(("cin7_connection_dialog", self.id));
        // Its top stays where it is as it grows (messages, answers, options opened).
        let area = Modal::default_area(id).anchor(Align2::CENTER_TOP, [0.0, 36.0]);
        let room = ctx.content_rect().height() - 72.0;
        // Enter in a picker (a typed date) is the picker's, even as it closes this frame.
        let picker_was_open = egui::Popup::is_any_open(ctx);
        let modal = Modal::new(id).area(area).show(ctx, |ui| {
            ui.set_width(WIDTH);
            heading(ui);
            egui::ScrollArea::vertical()
                .max_height(room.max(200.0) - 80.0)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    let problems = self.problems();
                    self.fields(ui, &problems, today);
                    ui.checkbox(&mut self.remember_key, "Remember API key")
                        .on_hover_text("Keep the key in this computer's keychain for Update data");
                    self.import_options(ui, &problems);
                    self.findings(ui);
                });
            ui.separator();
            answer = self.buttons(ui, today, picker_was_open);
        });
        if answer == DialogAnswer::Pending && super::escape::pressed(&modal) {
            answer = DialogAnswer::Cancel;
        }
        answer
    }

    /// A field's problem, under it, once the planner has left the field or pressed OK.
    /// Its line is there whether or not there is something to say, so that nothing moves
    /// under the pointer when a message appears (a click would land on what moved).
    fn problem(&self, ui: &mut Ui, field: &'static str, problem: Option<&str>) {
        let shown = problem.filter(|_| self.tried || self.left.contains(field));
        ui.label("");
        let text = RichText::new(shown.unwrap_or(" ")).small();
        ui.label(text.color(ui.visuals().warn_fg_color));
        ui.end_row();
    }

    /// Notes that the planner left `field`, and gives the keyboard to the first field to fill
    /// as the dialog opens.
    fn track(&mut self, field: &'static str, response: &egui::Response, keyboard: Keyboard) {
        if response.lost_focus() {
            self.left.insert(field);
        }
        if !self.focus_given && keyboard == Keyboard::FirstToFill {
            response.request_focus();
            self.focus_given = true;
        }
        if response.changed() {
            // Edited credentials: what a test or a run found was about others.
            self.test = TestState::NotRun;
            if matches!(self.fault, Some(Fault::Credentials(_) | Fault::Address(_))) {
                self.fault = None;
            }
        }
    }

    /// API username, API key (with show/hide), Starting date, Group by.
    fn fields(&mut self, ui: &mut Ui, problems: &Problems, today: NaiveDate) {
        egui::Grid::new(("connection_fields", self.id))
            .num_columns(2)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                let label = ui.label("API username");
                let username = ui
                    .add(egui::TextEdit::singleline(&mut self.username).desired_width(320.0))
                    .labelled_by(label.id);
                // The keyboard goes to the first field to fill, else to the first field.
                self.track(
                    "username",
                    &username,
                    Keyboard::first_if(self.username.is_empty() || !self.key.is_empty()),
                );
                ui.end_row();
                self.problem(ui, "username", problems.username);

                let label = ui.label("API key");
                ui.horizontal(|ui| {
                    let key = ui
                        .add(
                            egui::TextEdit::singleline(&mut *self.key)
                                .id(key_field_id())
                                .password(!self.show_key)
                                .desired_width(256.0),
                        )
                        .labelled_by(label.id);
                    let first = !self.username.is_empty() && self.key.is_empty();
                    self.track("key", &key, Keyboard::first_if(first));
                    let toggle = if self.show_key { "Hide" } else { "Show" };
                    ui.toggle_value(&mut self.show_key, toggle)
                        .on_hover_text("Show or hide the API key");
                });
                ui.end_row();
                self.problem(ui, "key", problems.key);
                if let Some(Fault::Credentials(text)) = &self.fault {
                    ui.label("");
                    message(ui, text, ui.visuals().error_fg_color);
                    ui.end_row();
                }

                let label = ui.label("Starting date");
                DatePicker::new(&mut self.starting_date, "starting_date", today)
                    .show(ui)
                    .labelled_by(label.id);
                ui.end_row();

                self.options.group_by_row(ui);
            });
    }

    /// The collapsed options: sales, branches, calendar, the API address.
    fn import_options(&mut self, ui: &mut Ui, problems: &Problems) {
        let header = egui::CollapsingHeader::new("Import options")
            .id_salt(("import_options", self.id))
            .open(self.options_open.then_some(true))
            .show(ui, |ui| {
                egui::Grid::new(("import_options_grid", self.id))
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        self.options.sales_rows(ui);
                        self.branch_rows(ui, problems);
                        self.options.calendar_rows(ui, "dialog");
                        let label = ui.label("API address");
                        let address = ui
                            .add(
                                egui::TextEdit::singleline(&mut self.base_url).desired_width(320.0),
                            )
                            .labelled_by(label.id);
                        self.track("address", &address, Keyboard::Later);
                        ui.end_row();
                        self.problem(ui, "address", problems.address.as_deref());
                        if let Some(Fault::Address(text)) = &self.fault {
                            ui.label("");
                            message(ui, text, ui.visuals().error_fg_color);
                            ui.end_row();
                        }
                    });
            });
        self.options_open = header.openness > 0.5;
    }

    /// All branches, or those ticked by name (once Test connection has listed them).
    fn branch_rows(&mut self, ui: &mut Ui, problems: &Problems) {
        let known = self.known_branches().to_vec();
        let label = ui.label("Branches");
        ui.vertical(|ui| {
            let mut all = self.branches == BranchChoice::All;
            if ui.checkbox(&mut all, "All branches").changed() {
                self.branches = if all {
                    BranchChoice::All
                } else {
                    BranchChoice::Only(known.iter().map(|b| b.branch_id).collect())
                };
            }
            if known.is_empty() {
                let note = match &self.branches {
                    BranchChoice::Only(ids) if !ids.is_empty() => format!(
                        "Only branches {}: Test connection names them.",
                        ids.iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => "Test connection lists the account's branches to choose from.".to_owned(),
                };
                ui.label(RichText::new(note).weak());
            } else if let BranchChoice::Only(ids) = &mut self.branches {
                for branch in &known {
                    let mut on = ids.contains(&branch.branch_id);
                    let text = format!("{} ({})", branch.name, branch.branch_id);
                    if ui.checkbox(&mut on, text).changed() {
                        if on {
                            ids.insert(branch.branch_id);
                        } else {
                            ids.remove(&branch.branch_id);
                        }
                    }
                }
            }
        })
        .response
        .labelled_by(label.id);
        ui.end_row();
        self.problem(ui, "branches", problems.branches);
        if let Some(Fault::Branches(text)) = &self.fault {
            ui.label("");
            message(ui, text, ui.visuals().error_fg_color);
            ui.end_row();
        }
    }

    /// What Test connection found (or is finding), and a permission a run found off.
    fn findings(&self, ui: &mut Ui) {
        match &self.test {
            TestState::NotRun => {}
            TestState::Running { so_far, .. } => {
                status_row(ui, |ui| {
                    ui.spinner();
                    ui.label("Testing the connection…");
                });
                checked_grid(ui, so_far);
            }
            TestState::Done(Err(reason)) => {
                ui.label(RichText::new(reason).color(ui.visuals().error_fg_color));
            }
            TestState::Done(Ok(findings)) => {
                // Where the spinner was, the same height: the buttons below do not move as
                // the planner reaches for one.
                let refused = findings.refused().len();
                status_row(ui, |ui| match refused {
                    0 => ui.label("Connection tested: the import may read everything it needs."),
                    _ => ui.label(format!(
                        "Connection tested: the import may not read {refused} of what it needs (✖)."
                    )),
                });
                checked_grid(ui, &findings.resources);
            }
        }
        if let Some(Fault::Permission(text) | Fault::Other(text)) = &self.fault {
            message(ui, text, ui.visuals().error_fg_color);
        }
    }

    /// Test connection on the left; Cancel and OK on the right, OK last. OK with a problem
    /// shows every problem at its field instead.
    fn buttons(&mut self, ui: &mut Ui, today: NaiveDate, picker_was_open: bool) -> DialogAnswer {
        let mut answer = DialogAnswer::Pending;
        let valid = self.valid(today);
        ui.horizontal(|ui| {
            let testing = matches!(self.test, TestState::Running { .. });
            if ui
                .add_enabled(!testing, egui::Button::new("Test connection"))
                .on_hover_text("Check the username, the key and every permission the import needs")
                .clicked()
            {
                answer = self.checked(valid, DialogAnswer::Test);
            }
            ui.menu_button(
                "Where do these come from?",
                super::prompts::credentials_help,
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let ok = ui.add(egui::Button::new("OK").min_size(egui::vec2(64.0, 0.0)));
                let cancel = ui.button("Cancel");
                // Enter confirms, as in any dialog, unless a picker is open.
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && !picker_was_open
                    && !egui::Popup::is_any_open(ui.ctx());
                if ok.clicked() || enter {
                    answer = self.checked(valid, DialogAnswer::Ok);
                }
                if cancel.clicked() {
                    answer = DialogAnswer::Cancel;
                }
            });
        });
        answer
    }

    /// `wanted` if the input is valid; else every problem is shown, and nothing happens.
    fn checked(&mut self, valid: bool, wanted: DialogAnswer) -> DialogAnswer {
        self.tried = true;
        if valid { wanted } else { DialogAnswer::Pending }
    }
}

/// A message at a field, wrapped at the field's width, so that the dialog keeps its width.
fn message(ui: &mut Ui, text: &str, colour: egui::Color32) {
    ui.scope(|ui| {
        ui.set_max_width(FIELD_WIDTH);
        ui.add(egui::Label::new(RichText::new(text).color(colour)).wrap());
    });
}

/// The key field's id, so that its state (which keeps copies of the text for undo) can be
/// dropped with the dialog.
fn key_field_id() -> Id {
    Id::unique("cin7_connection_dialog_api_key")
}

/// A row as high as a spinner, whatever it holds.
fn status_row<R>(ui: &mut Ui, content: impl FnOnce(&mut Ui) -> R) {
    ui.horizontal(|ui| {
        ui.set_min_height(ui.spacing().interact_size.y);
        content(ui);
    });
}

/// A tick per readable resource, the permission to turn on for the others, and (while the
/// test runs) a line for each resource still to answer, so that the dialog does not grow
/// under the pointer as answers come.
fn checked_grid(ui: &mut Ui, results: &[Checked]) {
    egui::Grid::new("test_results")
        .num_columns(1)
        .show(ui, |ui| {
            for resource in crate::import::RESOURCES_READ {
                match results.iter().find(|(r, _)| *r == resource) {
                    Some((_, None)) => ui.label(format!("✔ {resource}")),
                    Some((_, Some(problem))) => ui.label(
                        RichText::new(format!("✖ {resource}: {problem}"))
                            .color(ui.visuals().error_fg_color),
                    ),
                    None => ui.label(RichText::new(format!("… {resource}")).weak()),
                };
                ui.end_row();
            }
        });
}

fn heading(ui: &mut Ui) {
    ui.heading("Cin7 connection");
    ui.add_space(6.0);
}
