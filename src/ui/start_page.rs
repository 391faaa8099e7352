//! What the window shows with no project open: New Cin7 connection and Open…, the recent
//! projects with when each was last saved, "Reopen the last project on start" (on by default:
//! Monday's routine is start, F5), and the runs that stopped before their project was saved,
//! each with Continue and Discard.

use super::commands::{self, Command};
use super::runs::Stopped;
use egui::{RichText, Ui};
use std::path::PathBuf;
use std::time::SystemTime;

/// The start page's memory of when the recent projects were saved, read once per list.
#[derive(Default)]
pub(super) struct StartPage {
    saved: Option<(Vec<PathBuf>, Vec<Option<SystemTime>>)>,
}

/// What the start page shows.
pub(super) struct Shown<'a> {
    pub recent: &'a [PathBuf],
    pub reopen_last: bool,
    pub stopped: &'a [Stopped],
}

impl StartPage {
    pub(super) fn show(&mut self, ui: &mut Ui, shown: &Shown<'_>) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.add_space(32.0);
            ui.vertical_centered(|ui| {
                ui.set_max_width(640.0);
                ui.heading("Cin7 Planner");
                ui.label(
                    "Turn a Cin7 Omni account into a planning project, then update it every week.",
                );
                ui.add_space(16.0);
                ui.horizontal(|ui| {
                    let new = egui::Button::new("New Cin7 connection…")
                        .shortcut_text(ui.ctx().format_shortcut(&commands::NEW));
                    if ui.add(new).clicked() {
                        commands.push(Command::NewConnection);
                    }
                    let open = egui::Button::new("Open…")
                        .shortcut_text(ui.ctx().format_shortcut(&commands::OPEN));
                    if ui.add(open).clicked() {
                        commands.push(Command::Open);
                    }
                });
                ui.add_space(16.0);
                self.recent(ui, shown, &mut commands);
                stopped(ui, shown, &mut commands);
            });
        });
        commands
    }

    fn recent(&mut self, ui: &mut Ui, shown: &Shown<'_>, commands: &mut Vec<Command>) {
        if self.saved.as_ref().is_none_or(|(of, _)| of != shown.recent) {
            let times = shown
                .recent
                .iter()
                .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
                .collect();
            self.saved = Some((shown.recent.to_vec(), times));
        }
        let times = self
            .saved
            .as_ref()
            .map(|(_, t)| t.as_slice())
            .unwrap_or(&[]);
        if !shown.recent.is_empty() {
            ui.label(RichText::new("Recent projects").strong());
            egui::Grid::new("recent_projects")
                .num_columns(3)
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for (path, saved) in shown.recent.iter().zip(times) {
                        let name = path.file_name().map_or_else(
                            || path.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        if ui
                            .link(name)
                            .on_hover_text(path.display().to_string())
                            .clicked()
                        {
                            commands.push(Command::OpenPath(path.clone()));
                        }
                        let folder = path
                            .parent()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        ui.label(RichText::new(folder).weak());
                        ui.label(match saved {
                            Some(at) => format!("saved {}", super::format::local_time(*at)),
                            None => "not found".to_owned(),
                        });
                        ui.end_row();
                    }
                });
        }
        let mut reopen = shown.reopen_last;
        if ui
            .checkbox(&mut reopen, "Reopen the last project when the app starts")
            .changed()
        {
            commands.push(Command::ReopenLastProject(reopen));
        }
        ui.add_space(16.0);
    }
}

fn stopped(ui: &mut Ui, shown: &Shown<'_>, commands: &mut Vec<Command>) {
    if shown.stopped.is_empty() {
        return;
    }
    ui.label(RichText::new("Runs to continue").strong());
    for run in shown.stopped {
        ui.label(stopped_text(run));
        ui.horizontal(|ui| {
            if ui.button(run.continue_label()).clicked() {
                commands.push(Command::ContinueRun(run.store.dir().to_owned()));
            }
            if ui.button("Discard").clicked() {
                commands.push(Command::DiscardRun(run.store.dir().to_owned()));
            }
        });
        ui.add_space(8.0);
    }
}

/// "An import of shop from 1 January 2024, by weeks, started 3 Dec 2026 10:42 NZDT, not saved
/// yet: what it read is kept.", the time in the run's own time zone, and how far back an
/// import read newest first is exact. (The run may have ended and its project been closed
/// unsaved: Continue reads from what was kept.)
pub(super) fn stopped_text(run: &Stopped) -> String {
    use crate::project::RunKind;
    let c = &run.checkpoint;
    let article = if c.kind == RunKind::Reimport {
        "A"
    } else {
        "An"
    };
    let subject = super::runs::run_subject(c.kind, c.project.as_deref(), &c.connection.username);
    let what = format!("{article} {subject}");
    let text = format!(
        "{what} from {}, by {}, started {}, not saved yet: what it read is kept.",
        super::format::date(c.settings.starting_date),
        c.settings.group_by.label().to_lowercase(),
        super::format::instant(c.as_of, c.settings.time_zone),
    );
    match c.exact.filter(|e| e.history_read < 1.0) {
        Some(exact) => format!("{text} {}", exact_so_far(&exact, &c.settings)),
        None => text,
    }
}

/// "It is exact back to 3 September 2026 (62% of the history read)."
pub(super) fn exact_so_far(
    exact: &crate::import::Exactness,
    settings: &crate::project::ImportSettings,
) -> String {
    format!(
        "It is exact back to {} ({}% of the history read).",
        super::format::date(exact.back_to(settings.time_zone)),
        exact.percent()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Checkpoint, Exactness, RunStore};
    use crate::project::{ConnectionInfo, GroupBy, ImportSettings, RunKind};
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn a_stopped_import_says_how_far_back_what_it_read_is_exact() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        let settings = ImportSettings::new(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            GroupBy::Week,
            chrono_tz::UTC,
        );
        let mut checkpoint = Checkpoint {
            kind: RunKind::Import,
            connection: ConnectionInfo {
                base_url: "https://api.cin7.com/api".into(),
                username: "shop".into(),
            },
            settings,
            as_of: at(2026, 12, 3),
            project: None,
            base_as_of: None,
            newest_first: true,
            edits_since: None,
            exact: None,
        };
        let text = |checkpoint: &Checkpoint| {
            stopped_text(&Stopped {
                store: RunStore::at("/nowhere"),
                checkpoint: checkpoint.clone(),
            })
        };
        let plain = "An import of shop from 1 January 2024, by weeks, started 3 Dec 2026 00:00 UTC, not saved yet: what it read is kept.";
        assert_eq!(text(&checkpoint), plain);
        checkpoint.exact = Some(Exactness {
            sales_since: at(2026, 9, 3),
            on_hand_since: Some(at(2026, 9, 3)),
            history_read: 0.625,
        });
        assert_eq!(
            text(&checkpoint),
            format!("{plain} It is exact back to 3 September 2026 (62% of the history read).")
        );
        // Every window read: nothing more to say than that it was stopped.
        checkpoint.exact = Some(Exactness {
            history_read: 1.0,
            ..checkpoint.exact.unwrap()
        });
        assert_eq!(text(&checkpoint), plain);
    }
}
