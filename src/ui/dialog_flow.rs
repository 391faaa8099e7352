//! The connection dialog's life in the window: opened with the last connection and choices
//! (and the key from the keychain, looked up off the window's thread), tested, confirmed or
//! cancelled; its choices remembered, its key field wiped.

use super::app::PlannerApp;
use super::background::{For, KeyWanted, Outcome};
use super::connection_dialog::{ConnectionDialog, DialogInput, DialogOutcome, TestState, to_jiff};
use super::options::GroupingChoices;
use crate::project::{GroupBy, ImportSettings};
use std::sync::Arc;

impl PlannerApp {
    /// File > New > Cin7 connection: the last connection and choices, two years back and by
    /// weeks the first time; the key looked up in the keychain.
    pub fn open_dialog(&mut self, ctx: &egui::Context) {
        let connection = self.last_connection();
        let choices = self.state.dialog.clone();
        let today = (self.services.today)();
        let start = today - chrono::Months::new(choices.months_back.max(1));
        let zone = choices
            .time_zone
            .parse()
            .unwrap_or_else(|_| crate::project::calendar::system_time_zone());
        let settings = ImportSettings {
            week_start: choices.week_start,
            sale_date: choices.sale_date,
            dispatched_only: choices.dispatched_only,
            returns: choices.returns,
            ..ImportSettings::new(start, choices.group_by, zone)
        };
        let demo_key = self.defaults.key.as_ref().map(|k| k.expose().to_owned());
        self.dialog = Some(ConnectionDialog {
            username: connection.username.clone(),
            key: demo_key.clone().unwrap_or_default().into(),
            key_from_keychain: false,
            show_key: false,
            starting_date: to_jiff(start),
            options: GroupingChoices::of(&settings),
            base_url: connection.base_url.clone(),
            remember_key: choices.remember_key,
            branches: choices.branches.clone(),
            test: TestState::NotRun,
        });
        if demo_key.is_none() && !connection.username.is_empty() {
            let secrets = Arc::clone(&self.services.secrets);
            // Checked against the dialog on screen when it comes (`key_looked_up`).
            self.in_background(ctx, For::Window, move || Outcome::KeyLookedUp {
                found: secrets.get(&connection).map_err(|e| e.to_string()),
                connection,
                wanted_for: KeyWanted::Dialog,
            });
        }
    }

    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let today = (self.services.today)();
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let outcome = dialog.show(ctx, today);
        match outcome {
            DialogOutcome::Open => {}
            DialogOutcome::Test(input) => self.test_connection(ctx, input),
            DialogOutcome::Cancel => self.close_dialog(ctx),
            DialogOutcome::Ok(input) => {
                self.remember_choices(&input);
                self.close_dialog(ctx);
                self.start_import(ctx, input);
            }
        }
    }

    fn close_dialog(&mut self, ctx: &egui::Context) {
        self.dialog = None;
        ConnectionDialog::forget_key_field(ctx);
    }

    /// The dialog's choices, for the next time it opens.
    fn remember_choices(&mut self, input: &DialogInput) {
        let s = &input.settings;
        let today = (self.services.today)();
        let months = (today - s.starting_date).num_days().max(0) / 30;
        let d = &mut self.state.dialog;
        d.group_by = s.group_by;
        d.months_back = u32::try_from(months).unwrap_or(24).max(1);
        d.week_start = s.week_start;
        d.time_zone = s.time_zone.name().to_owned();
        d.sale_date = s.sale_date;
        d.dispatched_only = s.dispatched_only;
        d.returns = s.returns;
        d.remember_key = input.remember_key;
        d.branches = s.branch_list().unwrap_or_default();
        if d.group_by == GroupBy::Day && d.months_back > 36 {
            d.months_back = 36;
        }
    }

    /// Test connection: the credentials and every permission, off the window's thread.
    fn test_connection(&mut self, ctx: &egui::Context, input: DialogInput) {
        let id = self.fresh_id();
        if let Some(dialog) = &mut self.dialog {
            dialog.test = TestState::Running {
                id,
                so_far: Vec::new(),
            };
        }
        // Paced, retried and counted in the daily budget as a run's calls are.
        let request = self.request(input.connection, input.key, input.settings, None);
        let (answers, repaint) = (self.outcomes.0.clone(), ctx.clone());
        let on_checked = move |answer| {
            answers.send((For::Test(id), Outcome::Checked(answer))).ok();
            repaint.request_repaint();
        };
        self.in_background(ctx, For::Test(id), move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
                .and_then(|rt| {
                    rt.block_on(super::connection_dialog::test_connection(
                        &request, on_checked,
                    ))
                });
            Outcome::Tested(result)
        });
    }
}
