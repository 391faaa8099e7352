//! The time zone control: a button naming the zone, which opens a searchable list of every
//! IANA zone ("auck", "new york" and "los_angeles" all find theirs).

use super::button_popup;
use chrono_tz::Tz;
use egui::{Id, Ui};

/// Shows the zone's button and, when open, the list; the response is `changed()` when a zone
/// was chosen.
pub(super) fn show(ui: &mut Ui, zone: &mut Tz, id_salt: &str) -> egui::Response {
    // An id of its own: the popup's open state is kept under it, whatever else the dialog
    // shows above it from one frame to the next.
    let mut button = ui.push_id(id_salt, |ui| ui.button(zone.name())).inner;
    let id = ui.make_persistent_id(id_salt).with("search");
    let mut chosen = None;
    button_popup::show(
        ui,
        &button,
        "Choose a time zone",
        || {
            ui.data_mut(|d| d.insert_temp(id, String::new()));
        },
        |ui| chosen = list(ui, id, *zone),
    );
    if let Some(picked) = chosen {
        *zone = picked;
        button.mark_changed();
        egui::Popup::close_id(ui.ctx(), egui::Popup::default_response_id(&button));
    }
    button
}

/// The search field and the zones it matches; the zone clicked.
fn list(ui: &mut Ui, id: Id, current: Tz) -> Option<Tz> {
    let mut search: String = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.set_min_width(260.0);
    let label = ui.label("Search zones");
    let field = ui
        .add(egui::TextEdit::singleline(&mut search).hint_text("e.g. Auckland"))
        .labelled_by(label.id);
    if !field.has_focus() && search.is_empty() {
        field.request_focus();
    }
    ui.data_mut(|d| d.insert_temp(id, search.clone()));
    let wanted = wanted(&search);
    let matching: Vec<Tz> = chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .filter(|tz| tz.name().to_lowercase().contains(&wanted))
        .collect();
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .max_height(240.0)
        .show(ui, |ui| {
            for tz in &matching {
                if ui.selectable_label(*tz == current, tz.name()).clicked() {
                    chosen = Some(*tz);
                }
            }
            if matching.is_empty() {
                ui.weak("No zone matches.");
            }
        });
    // Enter takes the first match.
    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        chosen = chosen.or(matching.first().copied());
    }
    chosen
}

/// What a zone's lower-case name must hold to match what was typed: case ignored, and
/// underscores typed as spaces.
fn wanted(search: &str) -> String {
    search.trim().to_lowercase().replace(' ', "_")
}

#[cfg(test)]
mod tests {
    use super::wanted;

    fn matches(name: &str, search: &str) -> bool {
        name.to_lowercase().contains(&wanted(search))
    }

    #[test]
    fn zones_match_as_typed() {
        assert!(matches("Pacific/Auckland", "auck"));
        assert!(matches("America/New_York", "new york"));
        assert!(matches("America/Los_Angeles", " los_ANGELES "));
        assert!(!matches("Europe/Paris", "auck"));
        assert!(matches("UTC", ""));
    }
}
