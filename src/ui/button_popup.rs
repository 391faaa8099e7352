//! A popup that a button opens and closes, for the date and time-zone pickers. Drawn inside a
//! modal dialog, an egui popup is an area of the same order as the dialog, and a press on the
//! dialog can sink it underneath, where it looks closed and takes no input (the fault behind
//! egui_extras' date picker not opening on click after typing in a field). Tying it to the
//! dialog's layer as a sublayer, every frame it shows, keeps it above.

use egui::{Popup, PopupCloseBehavior, Response, Ui};

/// Shows the popup of `button` (open after a click, closed by another, a click outside or
/// Escape) with `content`; `on_open` runs in the frame it opens, before it is drawn.
pub(super) fn show<R>(
    ui: &Ui,
    button: &Response,
    name: &str,
    on_open: impl FnOnce(),
    content: impl FnOnce(&mut Ui) -> R,
) -> Option<R> {
    let id = Popup::default_response_id(button);
    if button.clicked() && !Popup::is_id_open(ui.ctx(), id) {
        on_open();
    }
    let shown = Popup::from_toggle_button_response(button)
        .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
        .accessible_name(name)
        .show(content)?;
    // (Only a popup over a dialog needs it, and egui ties only layers of one order.)
    if ui.layer_id().order == shown.response.layer_id.order {
        ui.ctx()
            .set_sublayer(ui.layer_id(), shown.response.layer_id);
    }
    Some(shown.inner)
}
