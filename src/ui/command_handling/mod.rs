//! What the window does: each command, applied once per frame after drawing; each background
//! outcome, applied while whom it is for is still on screen; each run's end. The rules of who
//! may do what live with the state's owners (`Runs`, `Modals`, `Document`); this file only
//! joins them. Runs (starting, ending, their keys) are `run_flow`'s; files (choosing,
//! opening, saving, exporting, regrouping) are `files`'.

mod files;
mod run_flow;

use files::{ChosenIn, SaveTo};

use super::app::PlannerApp;
use super::commands::{Command, RunPurpose, Zoom};
use super::connection_dialog::{ConnectionDialog, DialogInput, TestState};
use super::file_dialogs::Purpose;
use super::prompts::Prompt;
use super::runs::{KeySource, RunStart};
use super::tasks::{Outcome, Recipient};
use crate::import::RunStore;
use crate::project::{GroupBy, ImportSettings, RunKind};
use std::sync::Arc;

/// What OK does when Test connection found permissions missing: asks first, or (the planner
/// having agreed) goes ahead.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refusals {
    Ask,
    GoAhead,
}

impl PlannerApp {
    /// Applies one command.
    pub(super) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let (confirmed, command) = match command {
            Command::Confirmed(inner) => (true, *inner),
            command => (false, command),
        };
        if let Some(busy) = self.runs.busy().filter(|_| command.waits_for_run()) {
            self.status.info(busy.sentence());
            return;
        }
        if !confirmed && command.drops_project() && self.ask_first(&command) {
            return;
        }
        match command {
            Command::NewConnection => self.open_dialog(ctx),
            Command::DialogOk => self.import_from_dialog(ctx, Refusals::Ask),
            Command::DialogOkAnyway => self.import_from_dialog(ctx, Refusals::GoAhead),
            Command::DialogTest => self.test_connection(ctx),
            Command::DialogCancel => self.close_dialog(ctx),
            Command::Open => self.choose(ctx, Purpose::OpenProject, ""),
            Command::OpenPath(path) => self.open_path(ctx, path),
            Command::Save => self.save(ctx, SaveTo::ItsFile),
            Command::SaveAs => self.save(ctx, SaveTo::Chosen),
            Command::SaveThen(then) => {
                self.document.after_save(*then);
                self.save(ctx, SaveTo::ItsFile);
            }
            Command::SaveAbandoned => self.document.save_abandoned(),
            Command::Export(what) => self.export(ctx, what),
            Command::Chosen(purpose, path) => self.chosen(ctx, purpose, &path, ChosenIn::Browser),
            Command::WriteTo(purpose, path) => self.write_to(ctx, purpose, path),
            Command::Close => self.close_project(),
            Command::Quit => self.quit(ctx),
            Command::UpdateData => self.start_with_key(ctx, RunPurpose::Update),
            Command::AskReimport => self.modals.ask(Prompt::Reimport),
            Command::Reimport => self.start_with_key(ctx, RunPurpose::Reimport),
            Command::ContinueRun(dir) => self.continue_run(ctx, &dir),
            Command::DiscardRun(dir) => self.runs.discard(&dir),
            Command::CancelRun => self.runs.cancel(),
            Command::KeyGiven(given) => self.key_given(ctx, given),
            Command::ForgetKey => self.forget_key(ctx),
            Command::Regroup(settings) => self.regroup(ctx, *settings),
            Command::ShowSeries(series) => self.view_on_screen().show_series(series),
            Command::Theme(theme) => {
                self.state.theme = theme;
                ctx.set_theme(theme.preference());
            }
            Command::Zoom(zoom) => apply_zoom(ctx, zoom),
            Command::ReopenLastProject(on) => self.state.reopen_last = on,
            Command::CredentialsHelp => self.modals.ask(Prompt::CredentialsHelp),
            Command::Shortcuts => self.modals.ask(Prompt::Shortcuts),
            Command::About => self.modals.ask(Prompt::About(self.about.clone())),
            Command::Confirmed(_) => {}
        }
    }

    /// Asks before `command` drops unsaved changes or stops a run; whether it asked.
    fn ask_first(&mut self, command: &Command) -> bool {
        let then = command.clone();
        let running = self.runs.run().map(|r| r.kind);
        let (prompt, why) = if self.document.is_dirty() {
            (Prompt::Unsaved { then, running }, "unsaved changes")
        } else if let (Some(run), Command::Quit) = (self.runs.run(), command) {
            let kind = run.kind;
            (Prompt::StopRun { then, kind }, "a run under way")
        } else {
            return false;
        };
        tracing::info!("asking before {}: {why}", command.describe());
        self.modals.ask(prompt);
        true
    }

    /// Quits: the run stops, and the window closes once the tasks under way are done.
    fn quit(&mut self, ctx: &egui::Context) {
        self.runs.abandon();
        if self.tasks.under_way() > 0 {
            self.status
                .info("Closing as soon as what is under way is finished.");
        }
        self.quitting = Some(std::time::Instant::now());
        ctx.request_repaint();
    }

    /// The view on screen: of the project an import has so far while it shows, else of the
    /// open project.
    fn view_on_screen(&mut self) -> &mut super::project_view::ProjectView {
        match self.runs.loading() {
            Some(_) => &mut self.growing,
            None => &mut self.view,
        }
    }

    /// Closes the project on screen; its runs, not saved, are offered to continue.
    fn close_project(&mut self) {
        for store in self.document.close() {
            self.runs.keep_stopped(&store);
        }
        self.view = Default::default();
    }

    /// Runs `work` in the background for `to`; a thread that cannot start is said.
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        to: Recipient,
        work: impl FnOnce() -> Outcome + Send + 'static,
    ) {
        if let Err(sentence) = self.tasks.spawn(ctx, to, work) {
            self.status.error(sentence);
        }
    }

    // The connection dialog.

    /// File > New > Cin7 connection: the last connection and choices, two years back and by
    /// weeks the first time; the key looked up in the keychain.
    fn open_dialog(&mut self, ctx: &egui::Context) {
        let connection = self.last_connection();
        let id = self.fresh_id();
        let choices = &self.state.dialog;
        let today = self.services.today();
        let start = today - chrono::Months::new(choices.months_back.max(1));
        let zone = choices
            .time_zone
            .parse()
            .unwrap_or_else(|_| crate::project::calendar::system_time_zone());
        let branches: Vec<i64> = choices
            .branches
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        let settings = ImportSettings {
            week_start: choices.week_start,
            sale_date: choices.sale_date,
            dispatched_only: choices.dispatched_only,
            returns: choices.returns,
            branches: (!branches.is_empty()).then_some(branches),
            ..ImportSettings::new(start, choices.group_by, zone)
        };
        let remember = choices.remember_key;
        let dialog = Box::new(ConnectionDialog::new(
            id,
            &connection,
            self.defaults.key.as_ref(),
            &settings,
            remember,
        ));
        if !self.modals.open_dialog(dialog) {
            return;
        }
        if !self.defaults.is_demo() && !connection.username.is_empty() {
            let secrets = Arc::clone(&self.services.secrets);
            self.spawn(ctx, Recipient::Dialog(id), move || {
                let found = secrets.get(&connection);
                Outcome::KeyFound(connection, found)
            });
        }
    }

    fn close_dialog(&mut self, ctx: &egui::Context) {
        self.modals.take_dialog();
        ConnectionDialog::forget_key_field(ctx);
    }

    /// OK in the dialog: the import starts, keeping the dialog to come back to if the run reads
    /// nothing. With permissions Test connection found off, the planner is told first.
    fn import_from_dialog(&mut self, ctx: &egui::Context, refusals: Refusals) {
        let today = self.services.today();
        let Some(dialog) = self.modals.dialog() else {
            return;
        };
        let Some(input) = dialog.input(today) else {
            return;
        };
        let refused = dialog.refused();
        if !refused.is_empty() && refusals == Refusals::Ask {
            self.modals.ask(Prompt::Refused(refused));
            return;
        }
        self.remember_choices(&input);
        let Some(dialog) = self.modals.take_dialog() else {
            return;
        };
        ConnectionDialog::forget_key_field(ctx);
        let store = self
            .services
            .state_dir
            .as_ref()
            .map(|dir| RunStore::for_import(dir, &input.connection, &input.settings));
        if let Some(store) = &store {
            store.forget();
        }
        let DialogInput {
            connection,
            key,
            settings,
            remember_key,
            key_from_keychain,
        } = input;
        let start = RunStart {
            request: self.services.request(connection, key, settings, store),
            kind: RunKind::Import,
            key_source: if key_from_keychain {
                KeySource::Keychain
            } else {
                KeySource::Typed
            },
            remember_key,
            base: None,
            origin: Some(dialog),
        };
        self.start_run(ctx, start);
    }

    /// The dialog's choices, for the next time it opens (the demo's connection is not kept).
    fn remember_choices(&mut self, input: &DialogInput) {
        if !self.defaults.is_demo() {
            self.state.last_username = input.connection.username.clone();
            self.state.last_base_url = input.connection.base_url.clone();
        }
        let s = &input.settings;
        let months = (self.services.today() - s.starting_date).num_days().max(0) / 30;
        let d = &mut self.state.dialog;
        d.group_by = s.group_by;
        d.months_back = u32::try_from(months).unwrap_or(24).max(1);
        if d.group_by == GroupBy::Day {
            d.months_back = d.months_back.min(36);
        }
        d.week_start = s.week_start;
        d.time_zone = s.time_zone.name().to_owned();
        d.sale_date = s.sale_date;
        d.dispatched_only = s.dispatched_only;
        d.returns = s.returns;
        d.remember_key = input.remember_key;
        d.branches = s.branch_list().unwrap_or_default();
    }

    /// Test connection: the credentials, every permission and the branches, off the window's
    /// thread, each answer shown as it comes.
    fn test_connection(&mut self, ctx: &egui::Context) {
        let today = self.services.today();
        let id = self.fresh_id();
        let Some(dialog) = self.modals.dialog_mut() else {
            return;
        };
        let Some(input) = dialog.input(today) else {
            return;
        };
        dialog.test = TestState::Running {
            id,
            so_far: Vec::new(),
        };
        dialog.fault = None;
        // Paced, retried and counted in the daily budget as a run's calls are.
        let request = self
            .services
            .request(input.connection, input.key, input.settings, None);
        let answer = self.tasks.reporter(ctx, Recipient::Test(id));
        self.spawn(ctx, Recipient::Test(id), move || {
            Outcome::Tested(super::connection_test::run(request, |checked| {
                answer(Outcome::Checked(checked));
            }))
        });
    }

    /// Applies an outcome while whom it is for is still there; a failure is always said, and
    /// a failed save or open of the project takes what was to follow it along (a failed
    /// export or keychain call leaves them be).
    fn deliver(&mut self, ctx: &egui::Context, to: Recipient, outcome: Outcome) {
        let here = match to {
            Recipient::Window => true,
            Recipient::Screen(screen) => screen == self.document.screen(),
            Recipient::Dialog(id) => self.modals.dialog().is_some_and(|d| d.id() == id),
            Recipient::Test(id) => self.modals.dialog().is_some_and(|d| d.is_testing(id)),
            Recipient::KeyWait(id) => self.runs.awaits(id),
        };
        match outcome {
            Outcome::Failed(sentence) => {
                if matches!(to, Recipient::Screen(_)) {
                    self.document.file_failed();
                }
                self.status.error(sentence);
            }
            _ if !here => {}
            Outcome::Saved(path) => self.saved(path),
            Outcome::Opened(path, project) => self.opened(&path, *project),
            Outcome::Regrouped(project) => {
                let text = format!(
                    "Regrouped into {} {} from the project's ledger, without calling Cin7. File > Save keeps the change.",
                    project.periods.len(),
                    project.settings.group_by.label().to_lowercase()
                );
                self.document.changed(*project, Vec::new());
                self.status.info(text);
            }
            Outcome::Exported(path) => self.status.info(format!("Exported {}.", path.display())),
            Outcome::KeyFound(connection, found) => self.key_found(ctx, to, connection, found),
            Outcome::KeyStored => {}
            Outcome::KeyNotStored(connection, key, error) => {
                self.runs.keep_session_key(&connection, key);
                self.status.warn_after(error.not_kept_sentence());
            }
            Outcome::KeyForgotten(connection, result) => self.key_forgotten(&connection, result),
            Outcome::Checked(answer) => {
                if let Some(TestState::Running { so_far, .. }) =
                    self.modals.dialog_mut().map(|d| &mut d.test)
                {
                    so_far.push(answer);
                }
            }
            Outcome::Tested(result) => {
                if let Some(dialog) = self.modals.dialog_mut() {
                    dialog.test = TestState::Done(result);
                }
            }
        }
    }
}

fn apply_zoom(ctx: &egui::Context, zoom: Zoom) {
    match zoom {
        Zoom::In => egui::gui_zoom::zoom_in(ctx),
        Zoom::Out => egui::gui_zoom::zoom_out(ctx),
        Zoom::Reset => ctx.set_zoom_factor(1.0),
    }
}
