//! The project on screen: the project, its file, whether it changed since it was saved, the
//! checkpoints of the runs that made it, and what is to follow its save. Every change of what
//! is on screen (another project, the same one regrouped or updated, none) gets a new
//! [`Screen`], so that work begun for one screen never lands on another.

use super::commands::Command;
use crate::import::RunStore;
use crate::project::Project;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What was on screen when something began: compare with [`Document::screen`] to know
/// whether it still is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Screen(u64);

impl Screen {
    /// The screen of the `n`th project an import has shown so far, apart from every
    /// document's screen (an import's project is not a document until it ends).
    pub(super) fn of_partial(n: u64) -> Self {
        Self(n | 1 << 63)
    }
}

/// The project on screen.
pub(super) struct OpenProject {
    pub project: Arc<Project>,
    /// The file it was opened from or saved to.
    pub path: Option<PathBuf>,
    /// Changed since it was opened or saved.
    pub dirty: bool,
    /// The checkpoints of the runs that made it since it was last saved (an import, then
    /// updates): deleted once it is saved, offered to continue if it is closed unsaved.
    checkpoints: Vec<RunStore>,
}

impl OpenProject {
    /// A project read from `path`, unchanged.
    pub(super) fn opened(project: Project, path: PathBuf) -> Self {
        Self {
            project: Arc::new(project),
            path: Some(path),
            dirty: false,
            checkpoints: Vec::new(),
        }
    }

    /// A project a run made, not saved yet, with the checkpoints of the runs behind it.
    pub(super) fn made(
        project: Project,
        path: Option<PathBuf>,
        checkpoints: Vec<RunStore>,
    ) -> Self {
        Self {
            project: Arc::new(project),
            path,
            dirty: true,
            checkpoints,
        }
    }

    /// The project an import has so far, shown while it reads the older history: no file,
    /// nothing to save yet.
    pub(super) fn loading(project: Arc<Project>) -> Self {
        Self {
            project,
            path: None,
            dirty: false,
            checkpoints: Vec::new(),
        }
    }

    /// The file's name, or "Untitled".
    pub(super) fn name(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || "Untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

pub(super) struct Document {
    open: Option<OpenProject>,
    screen: Screen,
    /// What to do once the project on this screen is saved (the planner chose Save first).
    after_save: Option<(Screen, Command)>,
    /// What to do once the project at this path has opened (a stopped update goes on).
    after_open: Option<(PathBuf, Command)>,
}

impl Default for Document {
    fn default() -> Self {
        Self {
            open: None,
            screen: Screen(1),
            after_save: None,
            after_open: None,
        }
    }
}

impl Document {
    pub(super) fn screen(&self) -> Screen {
        self.screen
    }

    pub(super) fn open(&self) -> Option<&OpenProject> {
        self.open.as_ref()
    }

    pub(super) fn project(&self) -> Option<&Arc<Project>> {
        self.open.as_ref().map(|o| &o.project)
    }

    pub(super) fn path(&self) -> Option<&Path> {
        self.open.as_ref().and_then(|o| o.path.as_deref())
    }

    pub(super) fn is_dirty(&self) -> bool {
        self.open.as_ref().is_some_and(|o| o.dirty)
    }

    /// The project's name for the title and the questions ("" with none).
    pub(super) fn name(&self) -> String {
        self.open
            .as_ref()
            .map(OpenProject::name)
            .unwrap_or_default()
    }

    fn next_screen(&mut self) {
        self.screen = Screen(self.screen.0 + 1);
    }

    /// Shows `open` in place of what is on screen; returns the checkpoints of the project it
    /// replaces, which was not saved since its runs (to offer them to continue).
    pub(super) fn show(&mut self, open: OpenProject) -> Vec<RunStore> {
        let replaced = self.close();
        self.open = Some(open);
        replaced
    }

    /// Closes the project on screen; returns its unsaved runs' checkpoints.
    pub(super) fn close(&mut self) -> Vec<RunStore> {
        self.next_screen();
        self.after_save = None;
        self.open.take().map(|o| o.checkpoints).unwrap_or_default()
    }

    /// The project on screen, changed in place (regrouped, updated): same file, unsaved, a new
    /// screen (what was worked out for the old one no longer applies). `checkpoints` join
    /// those of the runs before.
    pub(super) fn changed(&mut self, project: Project, checkpoints: Vec<RunStore>) {
        self.next_screen();
        self.after_save = None;
        if let Some(open) = &mut self.open {
            open.project = Arc::new(project);
            open.dirty = true;
            for store in checkpoints {
                if !open.checkpoints.iter().any(|s| s.dir() == store.dir()) {
                    open.checkpoints.push(store);
                }
            }
        }
    }

    /// The project on screen was saved to `path`: returns the checkpoints its runs no longer
    /// need, and what was to follow the save.
    pub(super) fn saved(&mut self, path: PathBuf) -> (Vec<RunStore>, Option<Command>) {
        let Some(open) = &mut self.open else {
            return (Vec::new(), None);
        };
        open.path = Some(path);
        open.dirty = false;
        let then = self
            .after_save
            .take()
            .filter(|(screen, _)| *screen == self.screen)
            .map(|(_, then)| then);
        (std::mem::take(&mut open.checkpoints), then)
    }

    /// `then` follows the next save of the project on screen.
    pub(super) fn after_save(&mut self, then: Command) {
        self.after_save = Some((self.screen, then));
    }

    /// The save did not happen: nothing follows it.
    pub(super) fn save_abandoned(&mut self) {
        self.after_save = None;
    }

    /// A save or an open of a project failed: nothing that was to follow it follows.
    pub(super) fn file_failed(&mut self) {
        self.after_save = None;
        self.after_open = None;
    }

    /// `then` follows the opening of the project at `path`.
    pub(super) fn after_open(&mut self, path: PathBuf, then: Command) {
        self.after_open = Some((path, then));
    }

    /// What was to follow the opening of `path`, if anything.
    pub(super) fn take_after_open(&mut self, path: &Path) -> Option<Command> {
        self.after_open
            .take_if(|(waiting, _)| waiting == path)
            .map(|(_, then)| then)
    }
}
