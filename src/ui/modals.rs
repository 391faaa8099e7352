//! What the window asks the planner, one thing at a time: the connection dialog, and the
//! questions queued above it. A new question never replaces an open one: it waits its turn
//! (the same kind of question is not queued twice). Each returns the commands its answer
//! stands for.

use super::commands::Command;
use super::connection_dialog::{ConnectionDialog, DialogAnswer};
use super::prompts::{Answer, Prompt};
use chrono::NaiveDate;
use std::collections::VecDeque;
use std::mem::discriminant;

#[derive(Default)]
pub(super) struct Modals {
    dialog: Option<Box<ConnectionDialog>>,
    prompts: VecDeque<Prompt>,
}

impl Modals {
    /// Whether the dialog or a question is open (shortcuts then do nothing).
    pub(super) fn is_open(&self) -> bool {
        self.dialog.is_some() || !self.prompts.is_empty()
    }

    pub(super) fn dialog(&self) -> Option<&ConnectionDialog> {
        self.dialog.as_deref()
    }

    pub(super) fn dialog_mut(&mut self) -> Option<&mut ConnectionDialog> {
        self.dialog.as_deref_mut()
    }

    /// Opens `dialog`, unless one is open already (the open one stays); whether it opened.
    pub(super) fn open_dialog(&mut self, dialog: Box<ConnectionDialog>) -> bool {
        if self.dialog.is_some() {
            return false;
        }
        self.dialog = Some(dialog);
        true
    }

    /// Takes the dialog away (OK started its run, or it was cancelled).
    pub(super) fn take_dialog(&mut self) -> Option<Box<ConnectionDialog>> {
        self.dialog.take()
    }

    /// Queues `prompt` after those open; one of the same kind already queued stays alone.
    pub(super) fn ask(&mut self, prompt: Prompt) {
        if !self
            .prompts
            .iter()
            .any(|p| discriminant(p) == discriminant(&prompt))
        {
            self.prompts.push_back(prompt);
        }
    }

    /// The run under way has ended: a question about stopping it no longer applies, and is
    /// withdrawn; what it was to do is handed back, to be asked again as things now stand (a
    /// project the run left unsaved asks about saving).
    pub(super) fn run_ended(&mut self) -> Vec<Command> {
        let mut again = Vec::new();
        self.prompts.retain_mut(|prompt| match prompt {
            Prompt::StopRun { then, .. } => {
                again.push(then.clone());
                false
            }
            Prompt::Unsaved { running, .. } => {
                *running = None;
                true
            }
            _ => true,
        });
        again
    }

    /// Draws the dialog, then the first question above it; what their answers stand for.
    pub(super) fn show(
        &mut self,
        ctx: &egui::Context,
        today: NaiveDate,
        name: &str,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        if let Some(dialog) = &mut self.dialog {
            let answer = dialog.show(ctx, today);
            // A question above the dialog takes the keyboard (Enter, Escape) first.
            let answer = if self.prompts.is_empty() {
                answer
            } else {
                DialogAnswer::Pending
            };
            commands.extend(match answer {
                DialogAnswer::Pending => None,
                DialogAnswer::Ok => Some(Command::DialogOk),
                DialogAnswer::Test => Some(Command::DialogTest),
                DialogAnswer::Cancel => Some(Command::DialogCancel),
            });
        }
        if let Some(prompt) = self.prompts.front_mut() {
            match prompt.show(ctx, name) {
                Answer::Pending => {}
                Answer::Closed => {
                    commands.extend(prompt.on_close());
                    self.prompts.pop_front();
                }
                Answer::Commands(answered) => {
                    commands.extend(answered);
                    self.prompts.pop_front();
                }
            }
        }
        commands
    }
}
