//! The menu bar: File (New, Open, Open Recent, Save, Save As, Update data, Reimport, Export,
//! Continue import, Forget API key, Close, Quit), View (theme) and Help. Items only queue
//! commands; those that cannot apply now are disabled.

use super::app::PlannerApp;
use super::commands::{self, Command, Export};
use super::state::Theme;
use egui::KeyboardShortcut;

/// A menu entry with its shortcut shown; queues `command` when clicked.
fn item(
    ui: &mut egui::Ui,
    commands: &mut Vec<Command>,
    enabled: bool,
    text: &str,
    shortcut: Option<&KeyboardShortcut>,
    command: Command,
) {
    let mut button = egui::Button::new(text);
    if let Some(shortcut) = shortcut {
        button = button.shortcut_text(ui.ctx().format_shortcut(shortcut));
    }
    if ui.add_enabled(enabled, button).clicked() {
        commands.push(command);
        ui.close();
    }
}

/// A submenu of `entries`, disabled when there are none or `enabled` is false.
fn submenu(
    ui: &mut egui::Ui,
    commands: &mut Vec<Command>,
    enabled: bool,
    text: &str,
    entries: Vec<(String, Command)>,
) {
    ui.add_enabled_ui(enabled && !entries.is_empty(), |ui| {
        ui.menu_button(text, |ui| {
            for (text, command) in entries {
                item(ui, commands, true, &text, None, command);
            }
        });
    });
}

impl PlannerApp {
    pub(super) fn menu(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| self.file_menu(ui));
            ui.menu_button("View", |ui| self.view_menu(ui));
            ui.menu_button("Help", |ui| {
                let c = &mut self.commands;
                item(
                    ui,
                    c,
                    true,
                    "Finding your Cin7 API credentials",
                    None,
                    Command::Help,
                );
                item(ui, c, true, "About", None, Command::About);
            });
        });
    }

    fn file_menu(&mut self, ui: &mut egui::Ui) {
        let idle = self.run.is_none();
        let has = self.project.is_some() && idle;
        let has_ledger = has && self.project().is_some_and(|p| p.ledger.is_some());
        let recent = self.state.recent.clone();
        let stopped = self.stopped_names();
        let c = &mut self.commands;
        ui.menu_button("New", |ui| {
            let new = Command::NewConnection;
            item(ui, c, idle, "Cin7 connection…", Some(&commands::NEW), new);
        });
        item(ui, c, idle, "Open…", Some(&commands::OPEN), Command::Open);
        let paths = recent
            .into_iter()
            .map(|p| (p.display().to_string(), Command::OpenPath(p)));
        submenu(ui, c, idle, "Open Recent", paths.collect());
        ui.separator();
        item(ui, c, has, "Save", Some(&commands::SAVE), Command::Save);
        item(
            ui,
            c,
            has,
            "Save As…",
            Some(&commands::SAVE_AS),
            Command::SaveAs,
        );
        ui.separator();
        let update = Command::UpdateData;
        item(
            ui,
            c,
            has_ledger,
            "Update data",
            Some(&commands::UPDATE),
            update,
        );
        item(
            ui,
            c,
            has,
            "Reimport everything…",
            None,
            Command::AskReimport,
        );
        let runs = stopped
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, Command::ContinueRun(i)));
        submenu(ui, c, idle, "Continue import", runs.collect());
        let exports = vec![
            ("Sales CSV…".to_owned(), Command::Export(Export::Sales)),
            ("Items CSV…".to_owned(), Command::Export(Export::Items)),
        ];
        submenu(ui, c, has, "Export", exports);
        ui.separator();
        item(ui, c, true, "Forget API key", None, Command::ForgetKey);
        ui.separator();
        item(
            ui,
            c,
            has,
            "Close project",
            Some(&commands::CLOSE),
            Command::Close,
        );
        item(ui, c, true, "Quit", Some(&commands::QUIT), Command::Quit);
    }

    /// The stopped runs, as Continue import lists them.
    fn stopped_names(&self) -> Vec<String> {
        self.stopped
            .iter()
            .map(|(_, c)| {
                format!(
                    "{} from {}",
                    c.connection.username, c.settings.starting_date
                )
            })
            .collect()
    }

    fn view_menu(&mut self, ui: &mut egui::Ui) {
        let current = self.state.theme;
        for (theme, text) in [
            (Theme::System, "Theme: as the system"),
            (Theme::Light, "Theme: light"),
            (Theme::Dark, "Theme: dark"),
        ] {
            if ui.radio(current == theme, text).clicked() {
                self.commands.push(Command::Theme(theme));
                ui.close();
            }
        }
    }
}
