//! The window's own file browser, for desktops where no native file chooser answers (a bare X
//! session, a remote desktop without a portal): places on the left (home, documents, desktop,
//! the folders of recent projects), the folder's subfolders and files of the right kind on the
//! right, and a name field that takes a file name, a whole path, or one starting with `~`. A
//! relative path is taken in the folder shown. A name that cannot be used is said under the
//! field, and the browser stays open. Written here because egui-file-dialog (0.15) is built on
//! egui 0.36, not the 0.37 this window uses.

use super::file_dialogs::{Export, Purpose};
use egui::{RichText, Ui};
use std::path::{Path, PathBuf};

/// The height of the places and the folder's entries.
const LIST_HEIGHT: f32 = 240.0;

/// What the planner did with the browser this frame.
pub enum Browsed {
    Pending,
    Chosen(PathBuf),
    Cancelled,
}

/// One entry of the folder shown.
struct Entry {
    name: String,
    folder: bool,
    /// When it was last changed, written once as it was read.
    modified: Option<String>,
}

pub struct FileBrowser {
    purpose: Purpose,
    folder: PathBuf,
    /// What the name field holds.
    name: String,
    places: Vec<(String, PathBuf)>,
    /// The folder's entries, read when the folder changes.
    entries: Vec<Entry>,
    listed: Option<PathBuf>,
    problem: Option<String>,
    focus_given: bool,
}

impl FileBrowser {
    /// A browser for `purpose`, showing `folder`, with `suggested` in the name field and
    /// `recent` folders among the places.
    pub fn new(purpose: Purpose, folder: PathBuf, suggested: &str, recent: &[PathBuf]) -> Self {
        let mut places: Vec<(String, PathBuf)> = [
            ("Home", dirs::home_dir()),
            ("Documents", dirs::document_dir()),
            ("Desktop", dirs::desktop_dir()),
        ]
        .into_iter()
        .filter_map(|(name, dir)| Some((name.to_owned(), dir?)))
        .filter(|(_, dir)| dir.is_dir())
        .collect();
        for dir in recent {
            if dir.is_dir() && !places.iter().any(|(_, p)| p == dir) {
                let name = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                places.push((name, dir.clone()));
            }
        }
        Self {
            purpose,
            folder,
            name: suggested.to_owned(),
            places,
            entries: Vec::new(),
            listed: None,
            problem: None,
            focus_given: false,
        }
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    fn title(&self) -> &'static str {
        match self.purpose {
            Purpose::OpenProject => "Open project",
            Purpose::SaveProject => "Save project",
            Purpose::Export(what) => what.title(),
        }
    }

    fn action(&self) -> &'static str {
        match self.purpose {
            Purpose::OpenProject => "Open",
            Purpose::SaveProject => "Save",
            Purpose::Export(_) => "Export",
        }
    }

    /// Reads the folder's entries when it changed: subfolders first, then the files of the
    /// kind wanted, by name; hidden ones left out.
    fn list(&mut self) {
        if self.listed.as_ref() == Some(&self.folder) {
            return;
        }
        let extensions = self.purpose.extensions();
        let mut entries: Vec<Entry> = std::fs::read_dir(&self.folder)
            .map(|read| {
                read.flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        let meta = e.metadata().ok()?;
                        let folder = meta.is_dir();
                        let wanted = folder
                            || Path::new(&name).extension().is_some_and(|x| {
                                extensions.iter().any(|e| x.eq_ignore_ascii_case(e))
                            });
                        (wanted && !name.starts_with('.')).then(|| Entry {
                            name,
                            folder,
                            modified: meta.modified().ok().map(super::format::local_time),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        entries.sort_by(|a, b| {
            (!a.folder, a.name.to_lowercase()).cmp(&(!b.folder, b.name.to_lowercase()))
        });
        self.entries = entries;
        self.listed = Some(self.folder.clone());
    }

    fn go(&mut self, folder: PathBuf) {
        self.folder = folder;
        self.problem = None;
    }

    pub fn show(&mut self, ui: &mut Ui) -> Browsed {
        self.list();
        ui.set_width(560.0);
        ui.heading(self.title());
        let mut answer = Browsed::Pending;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.folder.parent().is_some(), egui::Button::new("Up"))
                .on_hover_text("The folder above")
                .clicked()
                && let Some(up) = self.folder.parent()
            {
                self.go(up.to_owned());
            }
            ui.label(RichText::new(self.folder.display().to_string()).monospace());
        });
        // A list of a fixed size: the browser does not grow or jump with the folder shown.
        let list = egui::vec2(ui.available_width(), LIST_HEIGHT);
        ui.allocate_ui_with_layout(list, egui::Layout::left_to_right(egui::Align::Min), |ui| {
            ui.set_min_size(list);
            self.places(ui);
            ui.separator();
            if let Some(chosen) = self.entries_list(ui) {
                answer = chosen;
            }
        });
        ui.separator();
        if let Some(chosen) = self.name_field(ui) {
            answer = chosen;
        }
        answer
    }

    fn places(&mut self, ui: &mut Ui) {
        ui.vertical(|ui| {
            ui.set_width(130.0);
            ui.label(RichText::new("Places").weak());
            let mut to = None;
            for (name, dir) in &self.places {
                if ui
                    .selectable_label(*dir == self.folder, name)
                    .on_hover_text(dir.display().to_string())
                    .clicked()
                {
                    to = Some(dir.clone());
                }
            }
            if let Some(dir) = to {
                self.go(dir);
            }
        });
    }

    /// The folder's entries: a click on a file takes its name, a double click opens a folder
    /// or chooses a file.
    fn entries_list(&mut self, ui: &mut Ui) -> Option<Browsed> {
        let mut to = None;
        let mut chosen = None;
        egui::ScrollArea::vertical()
            .id_salt("file_browser_entries")
            .max_height(LIST_HEIGHT)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                // One entry a line, whatever the layout around.
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    if self.entries.is_empty() {
                        let what = match self.purpose {
                            Purpose::Export(Export::Csv(_)) => "No CSV files here.",
                            Purpose::Export(Export::Workbook) => "No Excel workbooks here.",
                            _ => "No project files here.",
                        };
                        ui.add(egui::Label::new(RichText::new(what).weak()).selectable(false));
                    }
                    for entry in &self.entries {
                        let text = if entry.folder {
                            format!("🗁 {}", entry.name)
                        } else {
                            format!("🗋 {}", entry.name)
                        };
                        let row = ui
                            .horizontal(|ui| {
                                let row = ui.selectable_label(self.name == entry.name, text);
                                if let Some(modified) = &entry.modified {
                                    ui.label(RichText::new(modified).weak());
                                }
                                row
                            })
                            .inner;
                        let path = || self.folder.join(&entry.name);
                        if row.double_clicked() {
                            if entry.folder {
                                to = Some(path());
                            } else {
                                chosen = Some(path());
                            }
                        } else if row.clicked() && !entry.folder {
                            self.name.clone_from(&entry.name);
                        } else if row.clicked() {
                            to = Some(path());
                        }
                    }
                });
            });
        if let Some(dir) = to {
            self.go(dir);
        }
        chosen.map(Browsed::Chosen)
    }

    /// The name field, its problem, and the buttons.
    fn name_field(&mut self, ui: &mut Ui) -> Option<Browsed> {
        let mut answer = None;
        let label = ui.label(match self.purpose {
            Purpose::OpenProject => "File",
            _ => "File name",
        });
        let field = ui
            .add(egui::TextEdit::singleline(&mut self.name).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if !self.focus_given {
            field.request_focus();
            self.focus_given = true;
        }
        if field.changed() {
            self.problem = None;
        }
        if let Some(problem) = &self.problem {
            ui.label(RichText::new(problem).color(ui.visuals().warn_fg_color));
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let action = ui.add_enabled(
                    !self.name.trim().is_empty(),
                    egui::Button::new(self.action()),
                );
                if ui.button("Cancel").clicked() {
                    answer = Some(Browsed::Cancelled);
                }
                if action.clicked() || entered {
                    answer = self.take_name();
                }
            })
        });
        answer
    }

    /// What the name field names: a folder is gone into; a file that will do is chosen; else
    /// why not is said.
    fn take_name(&mut self) -> Option<Browsed> {
        let path = resolve(&self.name, &self.folder);
        if path.is_dir() {
            self.name.clear();
            self.go(path);
            return None;
        }
        match check(self.purpose, &path) {
            Ok(()) => Some(Browsed::Chosen(path)),
            Err(problem) => {
                self.problem = Some(problem);
                // The keyboard stays in the field, to put the name right.
                self.focus_given = false;
                None
            }
        }
    }
}

/// A typed name as a whole path: `~` is the home folder, and a relative name is in `folder`.
pub fn resolve(typed: &str, folder: &Path) -> PathBuf {
    let typed = typed.trim();
    let home = dirs::home_dir();
    let expanded = match (typed.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home,
        (Some(rest), Some(home)) if rest.starts_with(['/', std::path::MAIN_SEPARATOR]) => {
            home.join(&rest[1..])
        }
        _ => PathBuf::from(typed),
    };
    if expanded.is_absolute() {
        expanded
    } else {
        folder.join(expanded)
    }
}

/// Whether `path` will do for `purpose`: a file to open exists; a file to write is in a folder
/// that exists.
fn check(purpose: Purpose, path: &Path) -> Result<(), String> {
    match purpose {
        Purpose::OpenProject if !path.is_file() => Err(format!(
            "There is no file {}: choose one in the list, or check the name.",
            path.display()
        )),
        Purpose::SaveProject | Purpose::Export(_) if !path.parent().is_some_and(Path::is_dir) => {
            let folder = path.parent().unwrap_or(path);
            Err(format!(
                "There is no folder {}: choose one in the list, or type the name of one that exists.",
                folder.display()
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_become_whole_paths() {
        let folder = Path::new("/data/projects");
        let home = dirs::home_dir().unwrap();
        assert_eq!(resolve("~", folder), home);
        assert_eq!(resolve(" ~/shop.json ", folder), home.join("shop.json"));
        assert_eq!(resolve("shop.json", folder), folder.join("shop.json"));
        assert_eq!(resolve("a/b.json", folder), folder.join("a/b.json"));
        assert_eq!(resolve("/tmp/x.json", folder), PathBuf::from("/tmp/x.json"));
        // "~name" is a file so named, not someone's home.
        assert_eq!(resolve("~shop.json", folder), folder.join("~shop.json"));
    }

    #[test]
    fn projects_of_both_extensions_are_listed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.cin7plan",
            "a.JSON",
            "c.csv",
            ".hidden.cin7plan",
            "d.cin7plan.bak",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("z folder")).unwrap();
        let names = |purpose| {
            let mut browser = FileBrowser::new(purpose, dir.path().to_owned(), "", &[]);
            browser.list();
            browser
                .entries
                .into_iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Purpose::OpenProject),
            ["z folder", "a.JSON", "b.cin7plan"]
        );
        assert_eq!(
            names(Purpose::Export(crate::ui::file_dialogs::Export::Workbook)),
            ["z folder"]
        );
    }

    #[test]
    fn a_name_that_will_not_do_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere/shop.json");
        assert_eq!(
            check(Purpose::SaveProject, &missing),
            Err(format!(
                "There is no folder {}: choose one in the list, or type the name of one that exists.",
                dir.path().join("nowhere").display()
            ))
        );
        assert_eq!(
            check(Purpose::SaveProject, &dir.path().join("a.json")),
            Ok(())
        );
        assert!(check(Purpose::OpenProject, &dir.path().join("a.json")).is_err());
    }
}
