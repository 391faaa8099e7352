//! Work off the window's thread (opening, saving and exporting files, regrouping, the keychain,
//! Test connection): each task runs on a named thread under `panics::catch`, and its outcome
//! comes back on a channel with whom it is for. The frame applies an outcome only while that
//! is still on screen; a failure is always said.

use super::connection_test::{Checked, Findings};
use super::document::Screen;
use crate::cin7::ApiKey;
use crate::project::{ConnectionInfo, Project};
use crate::secrets::SecretError;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

/// What a background task found.
pub(super) enum Outcome {
    Saved(PathBuf),
    Opened(PathBuf, Box<Project>),
    Regrouped(Box<Project>),
    Exported(PathBuf),
    /// The keychain's answer for a connection's key.
    KeyFound(ConnectionInfo, Result<Option<ApiKey>, SecretError>),
    KeyStored,
    /// The keychain refused the key: it is kept for this session instead.
    KeyNotStored(ConnectionInfo, ApiKey, SecretError),
    KeyForgotten(ConnectionInfo, Result<(), SecretError>),
    /// One answer of a Test connection under way (not the end of its task).
    Checked(Checked),
    /// What Test connection found, or why it could not tell.
    Tested(Result<Findings, String>),
    Failed(String),
}

impl Outcome {
    /// Whether it ends its task (an answer of Test connection on the way does not).
    fn ends_task(&self) -> bool {
        !matches!(self, Outcome::Checked(_))
    }
}

/// Whom an outcome is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Recipient {
    /// The window itself (a message, the keychain): applied whatever is on screen.
    Window,
    /// What was on screen when the task began (a project, or none): a file opened or saved,
    /// a regrouped project, never lands on another.
    Screen(Screen),
    /// The connection dialog by this id, while it is open.
    Dialog(u64),
    /// The Test connection by this id, while its dialog still waits for it.
    Test(u64),
    /// The run waiting for its key by this id, while it still waits.
    KeyWait(u64),
}

type Delivered = (Recipient, Outcome);

/// The tasks under way and the channel their outcomes come back on.
pub(super) struct Tasks {
    sender: Sender<Delivered>,
    receiver: Receiver<Delivered>,
    under_way: usize,
}

impl Default for Tasks {
    fn default() -> Self {
        let (sender, receiver) = mpsc::channel();
        Self {
            sender,
            receiver,
            under_way: 0,
        }
    }
}

impl Tasks {
    /// How many tasks have not reported their end yet.
    pub(super) fn under_way(&self) -> usize {
        self.under_way
    }

    /// Runs `work` on a named thread for `to`; its outcome reaches [`Tasks::drain`], a panic
    /// as a one-sentence failure. Fails only when no thread can be started.
    pub(super) fn spawn(
        &mut self,
        ctx: &egui::Context,
        to: Recipient,
        work: impl FnOnce() -> Outcome + Send + 'static,
    ) -> Result<(), String> {
        let report = self.reporter(ctx, to);
        let deliver = move |outcome: Result<Outcome, crate::panics::Panicked>| {
            report(outcome.unwrap_or_else(|p| {
                Outcome::Failed(format!(
                    "An internal error stopped this, at {}; nothing was changed.",
                    p.place
                ))
            }));
        };
        crate::panics::spawn("cin7-background", work, deliver)
            .map(|_| self.under_way += 1)
            .map_err(|_| {
                "The app could not start a background task: close other programs and try again."
                    .to_owned()
            })
    }

    /// Sends outcomes for `to` from another thread, waking the window each time (for answers
    /// a task reports on its way).
    pub(super) fn reporter(
        &self,
        ctx: &egui::Context,
        to: Recipient,
    ) -> impl Fn(Outcome) + Send + use<> {
        let (sender, ctx) = (self.sender.clone(), ctx.clone());
        move |outcome| {
            sender.send((to, outcome)).ok();
            ctx.request_repaint();
        }
    }

    /// Every outcome delivered since the last frame, in order.
    pub(super) fn drain(&mut self) -> Vec<Delivered> {
        let delivered: Vec<Delivered> = self.receiver.try_iter().collect();
        let ended = delivered.iter().filter(|(_, o)| o.ends_task()).count();
        self.under_way = self.under_way.saturating_sub(ended);
        delivered
    }
}
