//! The window's small modal questions: unsaved changes (Save / Don't save / Cancel), a path
//! where the desktop has no file chooser, replacing a file, the API key when none is stored,
//! reimporting everything, and the help and about boxes.

use super::app::PlannerApp;
use super::commands::Command;
use super::file_dialogs::Purpose;
use crate::project::ConnectionInfo;
use egui::{Id, Modal, RichText};
use std::path::PathBuf;

pub enum Prompt {
    /// `then` would drop unsaved changes (or stop a run).
    Unsaved {
        then: Command,
        dirty: bool,
    },
    /// No file chooser: the path, typed.
    Path {
        purpose: Purpose,
        text: String,
        /// The field has been given the keyboard once, as the prompt opened.
        focused: bool,
        then: Box<dyn Fn(PathBuf) -> Command>,
    },
    /// The chosen file exists and the chooser did not ask about it.
    Overwrite {
        path: PathBuf,
        then: Command,
    },
    /// The API key for a run, when none is stored.
    Key(KeyPrompt),
    Reimport,
    Help,
    About,
}

/// What the key prompt holds.
pub struct KeyPrompt {
    pub connection: ConnectionInfo,
    pub key: zeroize::Zeroizing<String>,
    pub remember: bool,
    /// Why it is asked (the stored key was rejected, the keychain is not available).
    pub reason: Option<String>,
    pub purpose: KeyFor,
    /// The key field has been given the keyboard once, as the prompt opened.
    pub focused: bool,
}

/// What the key is wanted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFor {
    Update { full: bool },
    Continue(usize),
}

impl Prompt {
    pub fn unsaved(then: Command, dirty: bool) -> Self {
        Prompt::Unsaved { then, dirty }
    }

    pub fn path(
        purpose: Purpose,
        example: &str,
        then: impl Fn(PathBuf) -> Command + 'static,
    ) -> Self {
        Prompt::Path {
            purpose,
            text: example.to_owned(),
            focused: false,
            then: Box::new(then),
        }
    }
}

/// What the planner answered.
enum Answer {
    Open,
    Close,
    Commands(Vec<Command>),
    /// Save first, then `Command`.
    SaveThen(Command),
    Key,
}

impl PlannerApp {
    pub(super) fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(prompt) = &mut self.prompt else {
            return;
        };
        let name = self.project.as_ref().map(|p| p.name()).unwrap_or_default();
        let mut answer = Answer::Open;
        let modal = Modal::new(Id::unique("cin7_prompt")).show(ctx, |ui| {
            ui.set_max_width(440.0);
            answer = match prompt {
                Prompt::Unsaved { then, dirty } => unsaved(ui, &name, then, *dirty),
                Prompt::Path {
                    purpose,
                    text,
                    focused,
                    then,
                } => path(ui, *purpose, text, focused, then.as_ref()),
                Prompt::Overwrite { path, then } => overwrite(ui, path, then),
                Prompt::Key(key) => key_prompt(ui, key),
                Prompt::Reimport => reimport(ui),
                Prompt::Help => help(ui),
                Prompt::About => about(ui),
            };
        });
        if modal.should_close() && matches!(answer, Answer::Open) {
            answer = Answer::Close;
        }
        match answer {
            Answer::Open => {}
            Answer::Close => {
                // A save that was to go on (to Close, Quit…) was cancelled with it.
                self.prompt = None;
                self.after_save = None;
            }
            Answer::Commands(commands) => {
                self.prompt = None;
                self.commands.extend(commands);
            }
            Answer::SaveThen(then) => {
                self.prompt = None;
                self.after_save = Some((self.project_id(), then));
                self.commands.push(Command::Save);
            }
            Answer::Key => {
                if let Some(Prompt::Key(key)) = self.prompt.take() {
                    self.key_given(ctx, key);
                }
            }
        }
    }
}

fn unsaved(ui: &mut egui::Ui, name: &str, then: &Command, dirty: bool) -> Answer {
    ui.heading(if dirty {
        "Unsaved changes"
    } else {
        "An import is running"
    });
    ui.label(if dirty {
        format!("Save the changes to {name} first?")
    } else {
        "Stop it? What it read so far is kept, and Continue import picks it up later.".to_owned()
    });
    ui.add_space(8.0);
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        if dirty && ui.button("Save").clicked() {
            answer = Answer::SaveThen(Command::Confirmed(Box::new(then.clone())));
        }
        let go = if dirty { "Don't save" } else { "Stop it" };
        if ui.button(go).clicked() {
            answer = Answer::Commands(vec![Command::Confirmed(Box::new(then.clone()))]);
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Close;
        }
    });
    answer
}

fn path(
    ui: &mut egui::Ui,
    purpose: Purpose,
    text: &mut String,
    focused: &mut bool,
    then: &dyn Fn(PathBuf) -> Command,
) -> Answer {
    ui.heading(match purpose {
        Purpose::OpenProject => "Open project",
        Purpose::SaveProject => "Save project",
        Purpose::ExportCsv => "Export",
    });
    ui.label("This desktop has no file chooser, so type the file's path:");
    let label = ui.label("Path");
    let field = ui
        .add(egui::TextEdit::singleline(text).desired_width(400.0))
        .labelled_by(label.id);
    focus_once(&field, focused);
    let typed = PathBuf::from(text.trim());
    let ok = !text.trim().is_empty();
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.add_enabled(ok, egui::Button::new("OK")).clicked() || (ok && enter) {
            answer = Answer::Commands(vec![then(typed.clone())]);
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Close;
        }
    });
    answer
}

fn overwrite(ui: &mut egui::Ui, path: &std::path::Path, then: &Command) -> Answer {
    ui.heading("Replace the file?");
    ui.label(format!("{} exists already.", path.display()));
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        if ui.button("Replace").clicked() {
            answer = Answer::Commands(vec![then.clone()]);
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Close;
        }
    });
    answer
}

/// Gives `field` the keyboard as its prompt opens, so that typing goes to it at once and Enter
/// answers.
fn focus_once(field: &egui::Response, focused: &mut bool) {
    if !*focused {
        field.request_focus();
        *focused = true;
    }
}

fn key_prompt(ui: &mut egui::Ui, key: &mut KeyPrompt) -> Answer {
    ui.heading("Cin7 API key");
    if let Some(reason) = &key.reason {
        ui.label(RichText::new(reason).color(ui.visuals().warn_fg_color));
    }
    ui.label(format!(
        "The API key of {} at {}:",
        key.connection.username, key.connection.base_url
    ));
    let label = ui.label("API key");
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut *key.key)
                .password(true)
                .desired_width(320.0),
        )
        .labelled_by(label.id);
    focus_once(&field, &mut key.focused);
    ui.checkbox(&mut key.remember, "Remember API key");
    let ok = !key.key.trim().is_empty();
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        if ui.add_enabled(ok, egui::Button::new("OK")).clicked()
            || (ok && ui.input(|i| i.key_pressed(egui::Key::Enter)))
        {
            answer = Answer::Key;
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Close;
        }
    });
    answer
}

fn reimport(ui: &mut egui::Ui) -> Answer {
    ui.heading("Reimport everything");
    ui.label("Read the whole account again from Cin7, as the first import did? It takes as long, and the project's settings and history stay.");
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        if ui.button("Reimport").clicked() {
            answer = Answer::Commands(vec![Command::Reimport]);
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Close;
        }
    });
    answer
}

/// Where the credentials come from, as the planning tool's help says it, in numbered steps;
/// the permissions named are those every run reads with.
pub fn credentials_help(ui: &mut egui::Ui) {
    let names: Vec<String> = crate::import::RESOURCES_READ
        .iter()
        .map(ToString::to_string)
        .collect();
    let (last, rest) = names
        .split_last()
        .map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
    let steps = [
        "In Cin7 Omni, open Settings > Integrations & API > API v1: it shows the API username."
            .to_owned(),
        "Choose Add New API Connection: Cin7 shows the connection's API key once only (if it is lost, reset it there).".to_owned(),
        format!(
            "In the connection's Permissions, allow Read on {} and {last}.",
            rest.join(", ")
        ),
        "A dedicated connection for this app keeps its daily 5,000 calls to itself.".to_owned(),
    ];
    for (i, step) in steps.iter().enumerate() {
        ui.label(format!("{}. {step}", i + 1));
    }
}

fn help(ui: &mut egui::Ui) -> Answer {
    ui.heading("Finding your Cin7 API credentials");
    credentials_help(ui);
    close_button(ui)
}

fn about(ui: &mut egui::Ui) -> Answer {
    ui.heading("Cin7 Planner");
    ui.label(format!("Version {}", env!("CARGO_PKG_VERSION")));
    ui.label("Turns a Cin7 Omni account into a demand-planning project, and keeps it current.");
    close_button(ui)
}

fn close_button(ui: &mut egui::Ui) -> Answer {
    ui.add_space(8.0);
    if ui.button("Close").clicked() {
        Answer::Close
    } else {
        Answer::Open
    }
}
