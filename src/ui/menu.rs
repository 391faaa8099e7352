//! The menu bar: File (New, Open, Open Recent, Save, Save As, Update data, Reimport, Continue,
//! Export, Forget API key, Close, Quit), View (theme, zoom) and Help (credentials, keyboard
//! shortcuts, About). Entries only return commands; those that cannot apply now are disabled.

use super::commands::{self, Command, Zoom};
use super::file_dialogs::Export;
use super::runs::Stopped;
use super::state::Theme;
use egui::{KeyboardShortcut, Ui};
use std::path::PathBuf;

/// What the menus need to know of the window.
pub(super) struct MenuState<'a> {
    /// No run reads Cin7 or waits for its key.
    pub idle: bool,
    pub has_project: bool,
    /// An import shows its project so far: Save says why it must wait.
    pub loading: bool,
    /// The project keeps its ledger (it can be updated).
    pub has_ledger: bool,
    pub recent: &'a [PathBuf],
    pub stopped: &'a [Stopped],
    pub theme: Theme,
}

pub(super) fn show(ui: &mut Ui, state: &MenuState<'_>) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu(ui, state, &mut commands));
        ui.menu_button("View", |ui| view_menu(ui, state, &mut commands));
        ui.menu_button("Help", |ui| {
            let c = &mut commands;
            item(
                ui,
                c,
                "Finding your Cin7 API credentials",
                None,
                Command::CredentialsHelp,
            );
            item(ui, c, "Keyboard shortcuts", None, Command::Shortcuts);
            item(ui, c, "About Cin7 Planner", None, Command::About);
        });
    });
    commands
}

/// A menu entry always available; see [`item_if`].
fn item(
    ui: &mut Ui,
    commands: &mut Vec<Command>,
    text: &str,
    shortcut: Option<&KeyboardShortcut>,
    command: Command,
) {
    item_if(ui, commands, true, text, shortcut, command);
}

/// A menu entry with its shortcut shown, greyed out unless `enabled`; queues `command` when
/// clicked.
fn item_if(
    ui: &mut Ui,
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
    ui: &mut Ui,
    commands: &mut Vec<Command>,
    enabled: bool,
    text: &str,
    entries: Vec<(String, Command)>,
) {
    ui.add_enabled_ui(enabled && !entries.is_empty(), |ui| {
        ui.menu_button(text, |ui| {
            for (text, command) in entries {
                item(ui, commands, &text, None, command);
            }
        });
    });
}

fn file_menu(ui: &mut Ui, state: &MenuState<'_>, c: &mut Vec<Command>) {
    let idle = state.idle;
    let has = state.has_project;
    ui.menu_button("New", |ui| {
        let new = Command::NewConnection;
        item_if(ui, c, idle, "Cin7 connection…", Some(&commands::NEW), new);
    });
    item_if(ui, c, idle, "Open…", Some(&commands::OPEN), Command::Open);
    let recent = state
        .recent
        .iter()
        .map(|p| (p.display().to_string(), Command::OpenPath(p.clone())));
    submenu(ui, c, idle, "Open Recent", recent.collect());
    ui.separator();
    let savable = has || state.loading;
    item_if(ui, c, savable, "Save", Some(&commands::SAVE), Command::Save);
    item_if(
        ui,
        c,
        savable,
        "Save As…",
        Some(&commands::SAVE_AS),
        Command::SaveAs,
    );
    ui.separator();
    let ledger = state.has_ledger && idle;
    item_if(
        ui,
        c,
        ledger,
        "Update data",
        Some(&commands::UPDATE),
        Command::UpdateData,
    );
    item_if(
        ui,
        c,
        has && idle,
        "Reimport everything…",
        None,
        Command::AskReimport,
    );
    let runs = state.stopped.iter().map(|s| {
        let c = &s.checkpoint;
        (
            format!(
                "{} ({} from {})",
                s.continue_label(),
                c.connection.username,
                c.settings.starting_date
            ),
            Command::ContinueRun(s.store.dir().to_owned()),
        )
    });
    submenu(ui, c, idle, "Continue", runs.collect());
    let exports = Export::all()
        .map(|what| (what.menu_label(), Command::Export(what)))
        .collect();
    submenu(ui, c, has, "Export", exports);
    ui.separator();
    item(ui, c, "Forget API key", None, Command::ForgetKey);
    ui.separator();
    item_if(
        ui,
        c,
        has && idle,
        "Close project",
        Some(&commands::CLOSE),
        Command::Close,
    );
    item(ui, c, "Quit", Some(&commands::QUIT), Command::Quit);
}

fn view_menu(ui: &mut Ui, state: &MenuState<'_>, c: &mut Vec<Command>) {
    for (theme, text) in [
        (Theme::System, "Theme: as the system"),
        (Theme::Light, "Theme: light"),
        (Theme::Dark, "Theme: dark"),
    ] {
        if ui.radio(state.theme == theme, text).clicked() {
            c.push(Command::Theme(theme));
            ui.close();
        }
    }
    ui.separator();
    let zoom = format!("Zoom: {:.0}%", ui.ctx().zoom_factor() * 100.0);
    ui.label(zoom);
    item(
        ui,
        c,
        "Zoom in",
        Some(&commands::ZOOM_IN),
        Command::Zoom(Zoom::In),
    );
    item(
        ui,
        c,
        "Zoom out",
        Some(&commands::ZOOM_OUT),
        Command::Zoom(Zoom::Out),
    );
    item(
        ui,
        c,
        "Actual size",
        Some(&commands::ZOOM_RESET),
        Command::Zoom(Zoom::Reset),
    );
}
