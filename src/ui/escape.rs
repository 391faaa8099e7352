//! When a modal dialog or question closes without an answer: on Escape only, when it is the
//! top one and no popup (a date picker, a list) is open over it. A click beside it does not
//! close it, so that a stray click never throws away what was typed.

use egui::{Key, Modifiers};

/// Whether the planner pressed Escape to close `modal` (the key is taken).
pub(super) fn pressed<T>(modal: &egui::ModalResponse<T>) -> bool {
    modal.is_top_modal
        && !modal.any_popup_open
        && !egui::Popup::is_any_open(&modal.response.ctx)
        && modal
            .response
            .ctx
            .input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
}
