//! A centred column of at most a given width, its content aligned left: how the start page and
//! an import's progress lay out in a window of any width.

use egui::Ui;

/// Lays `add` out in a column of at most `max_width`, centred in the room there is.
pub(super) fn centred<R>(ui: &mut Ui, max_width: f32, add: impl FnOnce(&mut Ui) -> R) -> R {
    let width = ui.available_width().min(max_width);
    let margin = ((ui.available_width() - width) / 2.0).max(0.0);
    ui.horizontal_top(|ui| {
        ui.add_space(margin);
        ui.vertical(|ui| {
            ui.set_width(width);
            add(ui)
        })
        .inner
    })
    .inner
}
