//! Opening, saving and exporting, off the window's thread. The extension is added before the
//! question of replacing a file is settled: when the chooser was asked about another name (the
//! planner typed none), or there was no chooser, the window asks itself.

use super::app::PlannerApp;
use super::background::{For, Outcome};
use super::commands::{Command, Export};
use super::file_dialogs::Purpose;
use super::prompts::Prompt;
use crate::project::file;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `path` with `extension` where it has none.
fn with_extension(path: &Path, extension: &str) -> PathBuf {
    if path.extension().is_none() {
        path.with_extension(extension)
    } else {
        path.to_owned()
    }
}

impl PlannerApp {
    pub(super) fn choose_and_open(&mut self, ctx: &egui::Context) {
        if let Some(path) = self.choose(Purpose::OpenProject, "", Command::OpenPath) {
            self.open_path(ctx, path);
        }
    }

    /// Opens `path` in place of the project on screen, if that is still the one on screen
    /// when the file has been read.
    pub(super) fn open_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        let replacing = For::Project(self.project_id());
        self.in_background(ctx, replacing, move || match file::open(&path) {
            Ok(project) => Outcome::Opened(path, Box::new(project)),
            Err(e) => Outcome::Failed(e.to_string()),
        });
    }

    /// Save (to the project's file, or asking for one) or Save As.
    pub(super) fn save(&mut self, ctx: &egui::Context, ask: bool) {
        let Some(open) = &self.project else {
            self.after_save = None;
            return;
        };
        match (&open.path, ask) {
            (Some(path), false) => {
                let path = path.clone();
                self.write_project(ctx, path);
            }
            _ => {
                let name = format!(
                    "{}-{}.json",
                    open.project.connection.username,
                    open.project.report.finished_at.format("%Y-%m-%d")
                );
                match self.choose(Purpose::SaveProject, &name, Command::SaveTo) {
                    Some(picked) => self.save_to_checked(ctx, picked, true),
                    None if self.prompt.is_none() => self.after_save = None,
                    None => {}
                }
            }
        }
    }

    /// A path typed in the window: nothing asked yet about replacing it.
    pub(super) fn save_to(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.save_to_checked(ctx, path, false);
    }

    /// Saves to `path` (with `.json` added where it has no extension), asking first when it
    /// exists and no chooser asked about that very name.
    fn save_to_checked(&mut self, ctx: &egui::Context, path: PathBuf, chooser_asked: bool) {
        let target = with_extension(&path, "json");
        let asked = chooser_asked && target == path;
        if !asked && target.exists() {
            let then = Command::Confirmed(Box::new(Command::SaveChecked(target.clone())));
            self.prompt = Some(Prompt::Overwrite { path: target, then });
            return;
        }
        self.write_project(ctx, target);
    }

    pub(super) fn write_project(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(open) = &self.project else { return };
        let (project, id) = (Arc::clone(&open.project), open.id);
        self.in_background(ctx, For::Project(id), move || {
            match file::save(&project, &path) {
                Ok(()) => Outcome::Saved(path),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        });
    }

    /// File > Export > Sales CSV… or Items CSV….
    pub(super) fn export(&mut self, ctx: &egui::Context, what: Export) {
        let Some(open) = &self.project else { return };
        let stem = open.name().trim_end_matches(".json").to_owned();
        let suggested = match what {
            Export::Sales => format!("{stem}-sales.csv"),
            Export::Items => format!("{stem}-items.csv"),
        };
        let then = move |path: PathBuf| Command::ExportTo(what, path);
        if let Some(path) = self.choose(Purpose::ExportCsv, &suggested, then) {
            self.export_checked(ctx, what, path, true);
        }
    }

    /// A path typed in the window: nothing asked yet about replacing it.
    pub(super) fn export_to(&mut self, ctx: &egui::Context, what: Export, path: PathBuf) {
        self.export_checked(ctx, what, path, false);
    }

    /// Exports to `path` (with `.csv` added where it has no extension), asking first when it
    /// exists and no chooser asked about that very name.
    fn export_checked(&mut self, ctx: &egui::Context, what: Export, path: PathBuf, asked: bool) {
        let target = with_extension(&path, "csv");
        if !(asked && target == path) && target.exists() {
            let then = Command::Confirmed(Box::new(Command::ExportChecked(what, target.clone())));
            self.prompt = Some(Prompt::Overwrite { path: target, then });
            return;
        }
        self.write_export(ctx, what, target);
    }

    pub(super) fn write_export(&mut self, ctx: &egui::Context, what: Export, path: PathBuf) {
        let Some(open) = &self.project else { return };
        let project = Arc::clone(&open.project);
        // Exported from the project as it was: said whatever is on screen by then.
        self.in_background(ctx, For::Window, move || {
            let written = crate::atomic_file::write(&path, |out| match what {
                Export::Sales => crate::project::csv::write_long_table(&project, out),
                Export::Items => crate::project::csv::write_items(&project, out),
            });
            match written {
                Ok(()) => Outcome::Exported(path),
                Err(e) => Outcome::Failed(format!(
                    "Could not write {}: {e}; the file that was there, if any, is unchanged.",
                    path.display()
                )),
            }
        });
    }
}
