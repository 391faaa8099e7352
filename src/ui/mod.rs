//! The egui front end. Nothing outside this module knows about egui.
//!
//! The window's state has owners: `document` (the project on screen), `runs` (one run at a
//! time), `modals` (one question at a time), `tasks` (background work), `status` (the status
//! line). Views (`menu`, `start_page`, `project_view` with `table`, `chart` and `report`,
//! `progress_view`), the `connection_dialog` and the `prompts` draw and return `commands`,
//! which `app` (the frame) and `command_handling` (what each command does, with runs in its
//! `run_flow` and files in its `files`) apply. No module but those two implements the app, and
//! no two files import each other.

mod app;
mod button_popup;
mod chart;
mod column;
mod command_handling;
mod commands;
mod connection_dialog;
mod connection_test;
mod date_picker;
mod document;
mod escape;
pub mod file_browser;
pub mod file_dialogs;
mod format;
mod item_planning;
mod menu;
mod modals;
mod options;
mod progress_view;
mod project_view;
mod prompts;
mod report;
mod runs;
mod services;
mod start_page;
pub mod state;
mod status;
mod table;
mod tasks;
mod zone_picker;

pub use app::{DialogDefaults, PlannerApp};
pub use commands::Command;
pub use services::{Services, local_today};
pub use state::PersistedState;
pub use status::{Notice, Tone};

use crate::cin7::{ApiKey, RetryPolicy};
use crate::identity::{APP_ID, APP_NAME};
use crate::rate_limit::RateLimits;
use crate::sandbox::{self, Sandbox, SandboxConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const ICON: &[u8] = include_bytes!("../../assets/icon.png");

struct WindowApp {
    app: PlannerApp,
    /// The demo's sandbox lives as long as the window.
    _sandbox: Option<Sandbox>,
    /// When the window was asked for, until its first frame is drawn: the start-up time a
    /// planner waits, which `benches/first_frame.sh` reads from the log.
    opening: Option<Instant>,
}

impl eframe::App for WindowApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
        if let Some(opening) = self.opening.take() {
            tracing::info!(
                ms = opening.elapsed().as_millis() as u64,
                "first frame drawn"
            );
        }
    }

    /// The window's state (never the key), every half minute and on closing, beside the
    /// window's size and place that eframe keeps itself.
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.persisted().to_storage(storage);
    }
}

/// The demo's sandbox and what the dialog is filled in with for it.
fn demo() -> Result<(Sandbox, DialogDefaults), String> {
    let account = sandbox::generate(sandbox::Preset::Demo, 1, chrono::Utc::now());
    let server = Sandbox::start(SandboxConfig::new(
        account,
        sandbox::DEMO_USERNAME,
        sandbox::DEMO_KEY,
    ))
    .map_err(|e| {
        format!(
            "The demo sandbox could not start ({}).",
            crate::io_error::listen_reason(&e)
        )
    })?;
    let defaults = DialogDefaults {
        base_url: Some(server.base_url().to_owned()),
        username: Some(sandbox::DEMO_USERNAME.to_owned()),
        key: Some(ApiKey::new(sandbox::DEMO_KEY)),
    };
    Ok((server, defaults))
}

/// Opens the window, with `project` open if one is given; with `demo`, a sandbox serves the
/// demo account and the dialog is filled in.
pub fn run_window(demo_account: bool, project: Option<PathBuf>) -> Result<(), String> {
    let opening = Instant::now();
    let (sandbox, defaults) = if demo_account {
        let (server, defaults) = demo()?;
        (Some(server), defaults)
    } else {
        (None, DialogDefaults::default())
    };
    let services = Services {
        dialogs: Box::new(file_dialogs::NativeDialogs),
        secrets: Arc::new(crate::secrets::KeyringStore::new()),
        rate_limits: RateLimits::cin7(),
        retry: RetryPolicy::for_limits(&RateLimits::cin7()),
        call_log: crate::cin7::CallLog::for_user(),
        state_dir: crate::state_dir(),
        today: local_today,
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(APP_NAME)
        // The window's class on X11 and Wayland: the desktop entry's StartupWMClass.
        .with_app_id(APP_ID)
        .with_inner_size([1200.0, 760.0])
        .with_min_inner_size([720.0, 480.0])
        .with_drag_and_drop(true);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        // With the app's other state, so that CIN7_PLANNER_STATE_DIR moves it too.
        persistence_path: crate::state_dir().map(|dir| dir.join(state::FILE)),
        ..Default::default()
    };
    eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |cc| {
            let state = PersistedState::from_storage(cc.storage);
            cc.egui_ctx.set_theme(state.theme.preference());
            cc.egui_ctx.set_zoom_factor(state.zoom);
            let mut app = PlannerApp::new(services, defaults, state);
            if let Some(path) = project {
                app.open_first(path);
            }
            if let Some(server) = &sandbox {
                app.info(format!(
                    "Demo: the built-in Cin7 sandbox is serving the demo account at {}; press OK to import it.",
                    server.base_url()
                ));
                app.send(Command::NewConnection);
            }
            Ok(Box::new(WindowApp {
                app,
                _sandbox: sandbox,
                opening: Some(opening),
            }))
        }),
    )
    .map_err(|e| format!("The window could not open ({e})."))
}
