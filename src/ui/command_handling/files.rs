//! What the window does with files: choosing one, opening a project, saving it (never over a
//! file the user may not write), exporting, and regrouping the open project.

use crate::project::{ImportSettings, Project, file};
use crate::ui::app::PlannerApp;
use crate::ui::document::OpenProject;
use crate::ui::file_browser::FileBrowser;
use crate::ui::file_dialogs::{Choice, Export, Purpose};
use crate::ui::prompts::Prompt;
use crate::ui::tasks::{Outcome, Recipient};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where Save writes: the project's own file (asking only when it has none), or a file the
/// planner chooses (Save As).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SaveTo {
    ItsFile,
    Chosen,
}

/// Where a file was chosen: a native chooser asks itself before replacing the very name it
/// gives; the window's own browser does not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ChosenIn {
    NativeChooser,
    Browser,
}

impl PlannerApp {
    /// Asks for a file: the native chooser, or the window's own browser where there is none.
    pub(super) fn choose(&mut self, ctx: &egui::Context, purpose: Purpose, suggested: &str) {
        match self.services.dialogs.choose(purpose, suggested) {
            Choice::Picked(path) => self.chosen(ctx, purpose, &path, ChosenIn::NativeChooser),
            Choice::Cancelled => {
                if purpose == Purpose::SaveProject {
                    self.document.save_abandoned();
                }
            }
            Choice::Unavailable => {
                let folder = self
                    .document
                    .path()
                    .and_then(Path::parent)
                    .map(Path::to_owned)
                    .or_else(dirs::document_dir)
                    .or_else(dirs::home_dir)
                    .unwrap_or_default();
                let recent = self.state.recent_folders();
                let browser = FileBrowser::new(purpose, folder, suggested, &recent);
                self.modals.ask(Prompt::Browse(browser));
            }
        }
    }

    /// A file chosen for `purpose`: its extension added where it has none, a read-only file
    /// refused (offering another name), an existing one replaced only once the planner agrees
    /// (a native chooser asked already about the very name it gave).
    pub(super) fn chosen(
        &mut self,
        ctx: &egui::Context,
        purpose: Purpose,
        path: &Path,
        chosen_in: ChosenIn,
    ) {
        let target = if path.extension().is_none() && purpose != Purpose::OpenProject {
            path.with_extension(purpose.extensions()[0])
        } else {
            path.to_owned()
        };
        if purpose == Purpose::OpenProject {
            return self.open_path(ctx, target);
        }
        if target.exists() && !crate::atomic_file::may_replace(&target) {
            self.refuse_read_only(purpose, target);
        } else if target.exists() && !(chosen_in == ChosenIn::NativeChooser && target == path) {
            self.modals.ask(Prompt::Replace {
                purpose,
                path: target,
            });
        } else {
            self.write_to(ctx, purpose, target);
        }
    }

    pub(super) fn write_to(&mut self, ctx: &egui::Context, purpose: Purpose, path: PathBuf) {
        match purpose {
            Purpose::OpenProject => self.open_path(ctx, path),
            Purpose::SaveProject => self.write_project(ctx, path),
            Purpose::Export(what) => self.write_export(ctx, what, path),
        }
    }

    /// Opens `path` in place of what is on screen, if that is still on screen when the file
    /// has been read.
    pub(super) fn open_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match file::open(&path) {
                Ok(project) => Outcome::Opened(path, Box::new(project)),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }

    pub(super) fn opened(&mut self, path: &Path, project: Project) {
        self.status.info(format!("Opened {}.", path.display()));
        self.state.opened(path);
        let follow = self.document.take_after_open(path);
        let replaced = self
            .document
            .show(OpenProject::opened(project, path.to_owned()));
        for store in replaced {
            self.runs.keep_stopped(&store);
        }
        self.view = Default::default();
        match follow {
            Some(then) => self.send(then),
            None => {
                if let Some(stopped) = self.runs.stopped_of_project(path) {
                    let text = crate::ui::start_page::stopped_text(stopped);
                    self.status
                        .info(format!("{text} {} picks it up.", stopped.continue_label()));
                }
            }
        }
    }

    /// `path` may not be written: nothing is, the status line says so (no earlier "Saved"
    /// stays there to mislead), and the planner is offered another name.
    fn refuse_read_only(&mut self, purpose: Purpose, path: PathBuf) {
        let name = path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy();
        self.status
            .warn(format!("{name} is read-only, so it was not replaced."));
        self.modals.ask(Prompt::ReadOnly { purpose, path });
    }

    /// Save (to the project's file, or asking for one) or Save As. A file that may not be
    /// written is never replaced: the planner is offered another name.
    pub(super) fn save(&mut self, ctx: &egui::Context, to: SaveTo) {
        let Some(open) = self.document.open() else {
            if self.runs.loading().is_some() {
                self.status.warn(
                    "The import is still reading the older history: the project can be saved once it is complete.",
                );
            }
            self.document.save_abandoned();
            return;
        };
        match (&open.path, to) {
            (Some(path), SaveTo::ItsFile) if !crate::atomic_file::may_replace(path) => {
                let path = path.clone();
                self.refuse_read_only(Purpose::SaveProject, path);
            }
            (Some(path), SaveTo::ItsFile) => {
                let path = path.clone();
                self.write_project(ctx, path);
            }
            _ => {
                // The file's own name, or one made of the account and the day.
                let name = match &open.path {
                    Some(_) => open.name(),
                    None => format!(
                        "{}-{}.{}",
                        open.project.connection.username,
                        open.project.report.finished_at.format("%Y-%m-%d"),
                        file::EXTENSIONS[0]
                    ),
                };
                self.choose(ctx, Purpose::SaveProject, &name);
            }
        }
    }

    fn write_project(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match file::save(&project, &path) {
                Ok(()) => Outcome::Saved(path),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }

    pub(super) fn saved(&mut self, path: PathBuf) {
        self.status.info(format!("Saved {}.", path.display()));
        self.state.opened(&path);
        let (stores, then) = self.document.saved(path);
        // The project is safe on disk: the runs that made it have done their job.
        for store in &stores {
            store.forget();
        }
        if let Some(then) = then {
            self.send(then);
        }
    }

    /// File > Export > a table's CSV, or the workbook of every table.
    pub(super) fn export(&mut self, ctx: &egui::Context, what: Export) {
        let stem = file::stem(&self.document.name()).to_owned();
        self.choose(ctx, Purpose::Export(what), &what.suggested_name(&stem));
    }

    fn write_export(&mut self, ctx: &egui::Context, what: Export, path: PathBuf) {
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        // Exported from the project as it was: said whatever is on screen by then.
        self.spawn(ctx, Recipient::Window, move || {
            let written = match what {
                Export::Csv(table) => crate::project::csv::export(&path, |out| {
                    crate::project::csv::write_table(table.of(&project), out)
                }),
                Export::Workbook => crate::project::xlsx::export(&project, &path),
            };
            match written {
                Ok(()) => Outcome::Exported(path),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        });
    }

    /// Rebuilds the open project's series under `settings`, in the background.
    pub(super) fn regroup(&mut self, ctx: &egui::Context, settings: ImportSettings) {
        // Apply is greyed out while a run is under way, but a click and F5 can share a frame.
        if let Some(busy) = self.runs.busy() {
            self.status.info(busy.sentence());
            return;
        }
        let Some(project) = self.document.project().map(Arc::clone) else {
            return;
        };
        self.spawn(
            ctx,
            Recipient::Screen(self.document.screen()),
            move || match project.regrouped(settings) {
                Ok(to) => Outcome::Regrouped(Box::new(to)),
                Err(e) => Outcome::Failed(e.to_string()),
            },
        );
    }
}
