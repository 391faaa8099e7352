//! The window's small modal questions, each drawn by its own function that returns the
//! commands its answer stands for: unsaved changes (Save / Don't save / Cancel), a run to stop,
//! replacing a file, a file that may not be written, the API key when none is stored,
//! reimporting everything, OK with permissions Test connection found off, the in-window file
//! browser, and the help, shortcut and about boxes.

use super::commands::{Command, KeyGiven, OTHER_KEYS, RunPurpose, SHORTCUTS};
use super::file_browser::{Browsed, FileBrowser};
use super::file_dialogs::Purpose;
use crate::cin7::{ApiKey, Resource};
use crate::project::{ConnectionInfo, RunKind};
use egui::{Id, Modal, RichText, Ui};
use std::path::PathBuf;

pub(super) enum Prompt {
    /// `then` would drop the project's unsaved changes (and stop the run under way, if any).
    Unsaved {
        then: Command,
        running: Option<RunKind>,
    },
    /// `then` would stop the run under way.
    StopRun {
        then: Command,
        kind: RunKind,
    },
    /// The file chosen exists, and no chooser asked about replacing it.
    Replace {
        purpose: Purpose,
        path: PathBuf,
    },
    /// The file chosen may not be written by this user.
    ReadOnly {
        purpose: Purpose,
        path: PathBuf,
    },
    /// The API key for a run, when none is stored.
    Key(KeyPrompt),
    Reimport,
    /// OK in the dialog after Test connection found these permissions off.
    Refused(Vec<Resource>),
    Browse(FileBrowser),
    CredentialsHelp,
    Shortcuts,
    About(AboutPlaces),
}

/// Where the app keeps what it keeps, for the About box.
#[derive(Clone, Debug, Default)]
pub(super) struct AboutPlaces {
    pub settings: Option<PathBuf>,
    pub state: Option<PathBuf>,
    pub log: Option<PathBuf>,
}

/// What the key prompt holds.
pub(super) struct KeyPrompt {
    pub connection: ConnectionInfo,
    pub key: zeroize::Zeroizing<String>,
    pub remember: bool,
    /// Why it is asked (the stored key was rejected, the keychain is not available).
    pub reason: Option<String>,
    pub purpose: RunPurpose,
    /// The key field has been given the keyboard once, as the prompt opened.
    focused: bool,
}

impl KeyPrompt {
    pub(super) fn new(
        connection: ConnectionInfo,
        purpose: RunPurpose,
        reason: Option<String>,
    ) -> Self {
        Self {
            connection,
            key: Default::default(),
            remember: true,
            reason,
            purpose,
            focused: false,
        }
    }
}

/// What the planner answered.
pub(super) enum Answer {
    Pending,
    /// Closed without doing anything (Cancel, Escape).
    Closed,
    Commands(Vec<Command>),
}

impl Prompt {
    /// Draws the prompt; `name` is the open project's. Escape is Cancel.
    pub(super) fn show(&mut self, ctx: &egui::Context, name: &str) -> Answer {
        let mut answer = Answer::Pending;
        let modal = Modal::new(Id::unique("cin7_prompt")).show(ctx, |ui| {
            if !matches!(self, Prompt::Browse(_)) {
                ui.set_max_width(480.0);
            }
            answer = match self {
                Prompt::Unsaved { then, running } => unsaved(ui, name, then, *running),
                Prompt::StopRun { then, kind } => stop_run(ui, then, *kind),
                Prompt::Replace { purpose, path } => replace(ui, *purpose, path),
                Prompt::ReadOnly { purpose, path } => read_only(ui, *purpose, path),
                Prompt::Key(key) => key_prompt(ui, key),
                Prompt::Reimport => reimport(ui),
                Prompt::Refused(resources) => refused(ui, resources),
                Prompt::Browse(browser) => match browser.show(ui) {
                    Browsed::Pending => Answer::Pending,
                    Browsed::Chosen(path) => {
                        Answer::Commands(vec![Command::Chosen(browser.purpose(), path)])
                    }
                    Browsed::Cancelled => Answer::Closed,
                },
                Prompt::CredentialsHelp => help(ui),
                Prompt::Shortcuts => shortcuts(ui),
                Prompt::About(places) => about(ui, places),
            };
        });
        if matches!(answer, Answer::Pending) && super::escape::pressed(&modal) {
            answer = Answer::Closed;
        }
        answer
    }

    /// What closing it without an answer means: a save it was part of did not happen.
    pub(super) fn on_close(&self) -> Vec<Command> {
        let purpose = match self {
            Prompt::Replace { purpose, .. } | Prompt::ReadOnly { purpose, .. } => Some(*purpose),
            Prompt::Browse(browser) => Some(browser.purpose()),
            _ => None,
        };
        if purpose == Some(Purpose::SaveProject) {
            vec![Command::SaveAbandoned]
        } else {
            Vec::new()
        }
    }
}

/// The buttons of a question, left to right, the last the one Enter would press.
fn buttons(ui: &mut Ui, labels: &[&str]) -> Option<usize> {
    let mut pressed = None;
    ui.add_space(8.0);
    // A row of its own height, its buttons at the right.
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for (i, label) in labels.iter().enumerate().rev() {
                if ui.button(*label).clicked() {
                    pressed = Some(i);
                }
            }
        });
    });
    pressed
}

fn unsaved(ui: &mut Ui, name: &str, then: &Command, running: Option<RunKind>) -> Answer {
    ui.heading("Unsaved changes");
    ui.label(format!("Save the changes to {name} first?"));
    if let Some(kind) = running {
        let run = match kind {
            RunKind::Import => "The import under way stops",
            RunKind::Update => "The update under way stops",
            RunKind::Reimport => "The reimport under way stops",
        };
        ui.label(format!(
            "{run}; what it read so far is kept, to go on with later."
        ));
    }
    match buttons(ui, &["Cancel", "Don't save", "Save"]) {
        Some(0) => Answer::Closed,
        Some(1) => Answer::Commands(vec![Command::Confirmed(Box::new(then.clone()))]),
        Some(_) => Answer::Commands(vec![Command::SaveThen(Box::new(Command::Confirmed(
            Box::new(then.clone()),
        )))]),
        None => Answer::Pending,
    }
}

fn stop_run(ui: &mut Ui, then: &Command, kind: RunKind) -> Answer {
    let (heading, kept) = match kind {
        RunKind::Import => (
            "An import is running",
            "What it read so far is kept: Continue import picks it up later.",
        ),
        RunKind::Update => (
            "Update data is running",
            "What it read so far is kept: the next Update data picks it up.",
        ),
        RunKind::Reimport => (
            "Reimport everything is running",
            "What it read so far is kept: the next Reimport everything picks it up.",
        ),
    };
    ui.heading(heading);
    ui.label(format!("Stop it? {kept}"));
    match buttons(ui, &["Keep it running", "Stop it"]) {
        Some(0) => Answer::Closed,
        Some(_) => Answer::Commands(vec![Command::Confirmed(Box::new(then.clone()))]),
        None => Answer::Pending,
    }
}

fn replace(ui: &mut Ui, purpose: Purpose, path: &std::path::Path) -> Answer {
    ui.heading("Replace the file?");
    ui.label(format!("{} exists already.", path.display()));
    match buttons(ui, &["Cancel", "Replace"]) {
        Some(0) => Answer::Closed,
        Some(_) => Answer::Commands(vec![Command::WriteTo(purpose, path.to_owned())]),
        None => Answer::Pending,
    }
}

fn read_only(ui: &mut Ui, purpose: Purpose, path: &std::path::Path) -> Answer {
    ui.heading("The file is read-only");
    ui.label(format!(
        "{} may not be changed (it is read-only, or you may not write there), so it was not replaced. Save under another name instead?",
        path.display()
    ));
    let (again, command) = match purpose {
        Purpose::Export(what) => ("Export to another file…", Command::Export(what)),
        _ => ("Save As…", Command::SaveAs),
    };
    match buttons(ui, &["Cancel", again]) {
        Some(0) => Answer::Closed,
        Some(_) => Answer::Commands(vec![command]),
        None => Answer::Pending,
    }
}

fn key_prompt(ui: &mut Ui, key: &mut KeyPrompt) -> Answer {
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
    if !key.focused {
        field.request_focus();
        key.focused = true;
    }
    ui.checkbox(&mut key.remember, "Remember API key");
    let typed = !key.key.trim().is_empty();
    let enter = typed && ui.input(|i| i.key_pressed(egui::Key::Enter));
    match buttons(ui, &["Cancel", "OK"]) {
        Some(0) => Answer::Closed,
        Some(_) if typed => given(key),
        _ if enter => given(key),
        _ => Answer::Pending,
    }
}

fn given(key: &KeyPrompt) -> Answer {
    Answer::Commands(vec![Command::KeyGiven(KeyGiven {
        connection: key.connection.clone(),
        key: ApiKey::new(key.key.as_str()),
        remember: key.remember,
        purpose: key.purpose.clone(),
    })])
}

fn reimport(ui: &mut Ui) -> Answer {
    ui.heading("Reimport everything");
    ui.label("Read the whole account again from Cin7, as the first import did? It takes as long, and the project's settings and history stay.");
    match buttons(ui, &["Cancel", "Reimport"]) {
        Some(0) => Answer::Closed,
        Some(_) => Answer::Commands(vec![Command::Reimport]),
        None => Answer::Pending,
    }
}

fn refused(ui: &mut Ui, resources: &[Resource]) -> Answer {
    ui.heading("Permissions are off");
    ui.label(format!(
        "Test connection found that this API connection may not read {}, so the import would stop at the first of them.",
        list(resources)
    ));
    ui.label("In Cin7, under Settings > Integrations & API > API v1, turn on Read for them in the connection's Permissions, then test again.");
    match buttons(ui, &["Back to the dialog", "Import anyway"]) {
        Some(0) => Answer::Closed,
        Some(_) => Answer::Commands(vec![Command::DialogOkAnyway]),
        None => Answer::Pending,
    }
}

/// "A", "A and B", "A, B and C".
pub(super) fn list(resources: &[Resource]) -> String {
    let names: Vec<String> = resources.iter().map(ToString::to_string).collect();
    crate::text::joined(&names, "and")
}

/// Where the credentials come from, as the planning tool's help says it, in numbered steps;
/// the permissions named are those every run reads with.
pub(super) fn credentials_help(ui: &mut Ui) {
    let steps = [
        "In Cin7 Omni, open Settings > Integrations & API > API v1: it shows the API username."
            .to_owned(),
        "Choose Add New API Connection: Cin7 shows the connection's API key once only (if it is lost, reset it there).".to_owned(),
        format!(
            "In the connection's Permissions, allow Read on {}.",
            list(&crate::import::RESOURCES_READ)
        ),
        "A dedicated connection for this app keeps its daily 5,000 calls to itself.".to_owned(),
    ];
    for (i, step) in steps.iter().enumerate() {
        ui.label(format!("{}. {step}", i + 1));
    }
}

fn help(ui: &mut Ui) -> Answer {
    ui.heading("Finding your Cin7 API credentials");
    credentials_help(ui);
    close_button(ui)
}

fn shortcuts(ui: &mut Ui) -> Answer {
    ui.heading("Keyboard shortcuts");
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            // In the order of the File menu.
            let mut listed: Vec<&super::commands::Shortcut> = SHORTCUTS.iter().collect();
            listed.sort_by_key(|s| s.menu_order);
            for shortcut in listed {
                ui.label(RichText::new(ui.ctx().format_shortcut(&shortcut.keys)).monospace());
                ui.label(shortcut.does);
                ui.end_row();
            }
            for (keys, does) in OTHER_KEYS {
                ui.label(RichText::new(keys).monospace());
                ui.label(does);
                ui.end_row();
            }
        });
    close_button(ui)
}

fn about(ui: &mut Ui, places: &AboutPlaces) -> Answer {
    ui.heading(crate::identity::APP_NAME);
    ui.label(format!("Version {}", crate::identity::VERSION));
    ui.label("Turns a Cin7 Omni account into a demand-planning project, and keeps it current.");
    ui.add_space(6.0);
    let place = |path: &Option<PathBuf>| {
        path.as_ref().map_or_else(
            || "not kept on this computer".to_owned(),
            |p| p.display().to_string(),
        )
    };
    egui::Grid::new("about_places")
        .num_columns(2)
        .show(ui, |ui| {
            for (what, path) in [
                ("Window settings", &places.settings),
                ("Runs to continue and the daily call count", &places.state),
                ("Log", &places.log),
            ] {
                ui.label(what);
                ui.label(RichText::new(place(path)).monospace());
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(
            "The API key is never written to any of these: it is kept in this computer's keychain, or for the session only where there is none.",
        )
        .weak(),
    );
    close_button(ui)
}

fn close_button(ui: &mut Ui) -> Answer {
    match buttons(ui, &["Close"]) {
        Some(_) => Answer::Closed,
        None => Answer::Pending,
    }
}
