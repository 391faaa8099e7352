//! The status line at the bottom of the window: the last thing the window has to say, in the
//! tone it needs (information, a warning, an error), what is waiting (a run's key from the
//! keychain, with Cancel) and a spinner while files or the keychain are at work. A run that
//! starts clears what was said before it.

use super::commands::Command;
use egui::{RichText, Ui};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub tone: Tone,
}

#[derive(Default)]
pub(super) struct StatusLine {
    notice: Option<Notice>,
}

impl StatusLine {
    pub(super) fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            tone,
        });
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.say(Tone::Info, text);
    }

    pub(super) fn warn(&mut self, text: impl Into<String>) {
        self.say(Tone::Warning, text);
    }

    /// A warning after the information the line gives, which stays in front of it (an import
    /// said done, then the keychain that could not keep its key).
    pub(super) fn warn_after(&mut self, text: impl Into<String>) {
        let text = text.into();
        match self.notice.take() {
            Some(before) if before.tone == Tone::Info => {
                self.warn(format!("{} {text}", before.text))
            }
            _ => self.warn(text),
        }
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.say(Tone::Error, text);
    }

    pub(super) fn clear(&mut self) {
        self.notice = None;
    }

    pub(super) fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Draws the line: `waiting` is what waits on the keychain (with Cancel), `working`
    /// whether background tasks are under way.
    pub(super) fn show(&self, ui: &mut Ui, waiting: Option<&str>, working: bool) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            if working || waiting.is_some() {
                ui.spinner();
            }
            if let Some(waiting) = waiting {
                ui.label(waiting);
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelRun);
                }
                ui.separator();
            }
            if let Some(notice) = &self.notice {
                let text = RichText::new(&notice.text);
                let text = match notice.tone {
                    Tone::Info => text,
                    Tone::Warning => text.color(ui.visuals().warn_fg_color),
                    Tone::Error => text.color(ui.visuals().error_fg_color),
                };
                // A long sentence wraps rather than running off the window.
                ui.add(egui::Label::new(text).wrap());
            }
        });
        commands
    }
}
