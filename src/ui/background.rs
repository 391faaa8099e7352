//! Work off the window's thread (files, the keychain, regrouping, Test connection) and what it
//! reports back. Every outcome says whom it is for, the project on screen or the Test
//! connection it was started for, and is applied only while that is still there.

use super::app::{OpenProject, PlannerApp};
use super::prompts::{KeyFor, KeyPrompt, Prompt};
use crate::cin7::ApiKey;
use crate::project::{ConnectionInfo, Project};
use std::path::PathBuf;
use std::sync::Arc;

/// What a background task found.
pub enum Outcome {
    Saved(PathBuf),
    Opened(PathBuf, Box<Project>),
    Regrouped(Box<Project>),
    Exported(PathBuf),
    /// The stored key of a connection, if there is one (for the dialog, or a run).
    KeyLookedUp {
        connection: ConnectionInfo,
        found: Result<Option<ApiKey>, String>,
        wanted_for: KeyWanted,
    },
    KeyStored,
    /// The keychain refused the key: it is kept for this session instead.
    KeyNotStored {
        connection: ConnectionInfo,
        key: ApiKey,
        reason: String,
    },
    KeyForgotten,
    /// One answer of a Test connection under way (not the end of its task).
    Checked(super::connection_dialog::Checked),
    /// What Test connection found.
    Tested(Result<Vec<super::connection_dialog::Checked>, String>),
    Failed(String),
}

/// Whom an outcome is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum For {
    /// The window itself (a message, the keychain): applied whatever is on screen.
    Window,
    /// The project on screen when the task began, by id (0: none), so that a file opened,
    /// saved or regrouped, or a run's key, never lands on another.
    Project(u64),
    /// The Test connection by this id, while the dialog still waits for it.
    Test(u64),
}

/// Why a key was looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyWanted {
    /// To fill the connection dialog in.
    Dialog,
    /// For a run.
    Run(KeyFor),
}

impl PlannerApp {
    /// Runs `work` on a named thread for `whom` and delivers its outcome to the next frames; a
    /// panic becomes a one-sentence failure.
    pub(super) fn in_background(
        &mut self,
        ctx: &egui::Context,
        whom: For,
        work: impl FnOnce() -> Outcome + Send + 'static,
    ) {
        let sender = self.outcomes.0.clone();
        let ctx = ctx.clone();
        self.busy += 1;
        let deliver = move |outcome: Result<Outcome, crate::panics::Panicked>| {
            let outcome = outcome.unwrap_or_else(|p| {
                Outcome::Failed(format!(
                    "An internal error stopped this, at {}; nothing was changed.",
                    p.place
                ))
            });
            sender.send((whom, outcome)).ok();
            ctx.request_repaint();
        };
        if let Err(e) = crate::panics::spawn("cin7-background", work, deliver) {
            self.busy -= 1;
            self.error(format!("The app could not start a background task: {e}."));
        }
    }

    /// The id of the project on screen (0: none).
    pub(super) fn project_id(&self) -> u64 {
        self.project.as_ref().map_or(0, |p| p.id)
    }

    /// A new id for a project about to be shown.
    pub(super) fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Applies what background tasks and the run report.
    pub(super) fn poll(&mut self, ctx: &egui::Context) {
        self.poll_run(ctx);
        while let Ok((whom, outcome)) = self.outcomes.1.try_recv() {
            if !matches!(outcome, Outcome::Checked(_)) {
                self.busy = self.busy.saturating_sub(1);
            }
            // A failure is said whatever is on screen now: the planner may be waiting on it (a
            // save of a project since closed).
            let failed = matches!(outcome, Outcome::Failed(_));
            let applies = failed || self.still_there(whom);
            if failed || !applies {
                self.stop_after_save(whom);
            }
            if applies {
                self.outcome(ctx, outcome);
            }
        }
    }

    /// Whether what `whom` names is still on screen.
    fn still_there(&self, whom: For) -> bool {
        match whom {
            For::Window => true,
            For::Project(id) => id == self.project_id(),
            For::Test(id) => self.dialog.as_ref().is_some_and(|d| d.test.is_run(id)),
        }
    }

    /// A task of the project `whom` failed, or ended after it left the screen: what was to
    /// follow its save goes with it.
    fn stop_after_save(&mut self, whom: For) {
        if let For::Project(id) = whom
            && self
                .after_save
                .as_ref()
                .is_some_and(|(for_id, _)| *for_id == id)
        {
            self.after_save = None;
        }
    }

    fn outcome(&mut self, ctx: &egui::Context, outcome: Outcome) {
        match outcome {
            Outcome::Saved(path) => self.saved(path),
            Outcome::Opened(path, project) => self.opened(ctx, path, *project),
            Outcome::Regrouped(project) => {
                let text = format!(
                    "Regrouped into {} {} from the project's ledger, without calling Cin7. File > Save keeps the change.",
                    project.periods.len(),
                    project.settings.group_by.label().to_lowercase()
                );
                // Another project under the same file: what was worked out for the old one (the
                // table's rows, a save under way) does not apply to it.
                let id = self.fresh_id();
                if let Some(open) = &mut self.project {
                    open.id = id;
                    open.project = Arc::new(*project);
                    open.dirty = true;
                }
                self.info(text);
            }
            Outcome::Exported(path) => self.info(format!("Exported {}.", path.display())),
            Outcome::KeyLookedUp {
                connection,
                found,
                wanted_for,
            } => self.key_looked_up(ctx, connection, found, wanted_for),
            Outcome::KeyStored => {}
            Outcome::KeyNotStored {
                connection,
                key,
                reason,
            } => {
                self.session_keys
                    .insert(crate::import::checkpoint::connection_name(&connection), key);
                self.error(reason);
            }
            Outcome::Checked(answer) => {
                if let Some(dialog) = &mut self.dialog
                    && let super::connection_dialog::TestState::Running { so_far, .. } =
                        &mut dialog.test
                {
                    so_far.push(answer);
                }
            }
            Outcome::Tested(result) => {
                if let Some(dialog) = &mut self.dialog {
                    dialog.test = super::connection_dialog::TestState::Done(result);
                }
            }
            Outcome::KeyForgotten => {
                self.info("The API key is forgotten: the next run asks for it.")
            }
            Outcome::Failed(message) => self.error(message),
        }
    }

    fn saved(&mut self, path: PathBuf) {
        self.info(format!("Saved {}.", path.display()));
        self.state.opened(&path);
        if let Some(open) = &mut self.project {
            open.path = Some(path);
            open.dirty = false;
            // The project is safe on disk: the run that made it has done its job.
            for store in std::mem::take(&mut open.checkpoints) {
                store.remove().ok();
            }
        }
        if let Some((_, then)) = self.after_save.take() {
            self.commands.push(then);
        }
    }

    fn opened(&mut self, _ctx: &egui::Context, path: PathBuf, project: Project) {
        self.info(format!("Opened {}.", path.display()));
        self.state.opened(&path);
        self.close_project();
        let id = self.fresh_id();
        self.project = Some(OpenProject {
            id,
            project: Arc::new(project),
            path: Some(path.clone()),
            dirty: false,
            checkpoints: Vec::new(),
        });
        self.view = Default::default();
        if let Some(i) = self.stopped_update_of(&path) {
            let when = super::runs::stopped_text(&self.stopped[i].1);
            self.info(format!("{when} File > Continue import picks it up."));
        }
    }

    /// The stopped update of the project at `path`, if there is one.
    pub(super) fn stopped_update_of(&self, path: &std::path::Path) -> Option<usize> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.stopped.iter().position(|(_, c)| {
            c.project
                .as_ref()
                .is_some_and(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()) == path)
        })
    }

    /// A key lookup came back: fill the dialog in, or go on with the run (asking when none
    /// was found or the keychain failed).
    fn key_looked_up(
        &mut self,
        ctx: &egui::Context,
        connection: ConnectionInfo,
        found: Result<Option<ApiKey>, String>,
        wanted_for: KeyWanted,
    ) {
        match (wanted_for, found) {
            (KeyWanted::Dialog, Ok(Some(key))) => {
                if let Some(dialog) = &mut self.dialog
                    && dialog.connection_is(&connection)
                    && dialog.key.is_empty()
                {
                    dialog.key = key.expose().to_owned().into();
                    dialog.key_from_keychain = true;
                }
            }
            (KeyWanted::Dialog, Ok(None)) => {}
            (KeyWanted::Dialog, Err(reason)) => self.error(reason),
            // The window is closing: no run starts now.
            (KeyWanted::Run(_), _) if self.quitting.is_some() => {}
            (KeyWanted::Run(purpose), Ok(Some(key))) => self.run_with_key(ctx, purpose, key, true),
            (KeyWanted::Run(purpose), found) => {
                self.prompt = Some(Prompt::Key(KeyPrompt {
                    connection,
                    key: Default::default(),
                    remember: self.state.dialog.remember_key,
                    reason: found.err(),
                    purpose,
                    focused: false,
                }));
            }
        }
    }
}
