//! The egui front end. Nothing outside this module knows about egui.

mod app;
pub mod connection_dialog;
pub mod file_dialogs;
mod options;
mod project_view;

pub use app::{DialogDefaults, PlannerApp, Services};

use crate::cin7::{ApiKey, RetryPolicy};
use crate::rate_limit::RateLimits;
use crate::sandbox::{self, Sandbox, SandboxConfig};
use std::sync::Arc;

const ICON: &[u8] = include_bytes!("../../assets/icon.png");

struct WindowApp {
    app: PlannerApp,
    /// The demo's sandbox lives as long as the window.
    _sandbox: Option<Sandbox>,
}

impl eframe::App for WindowApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
    }
}

/// Opens the window; with `demo`, a sandbox serves the demo account and the dialog is filled in.
pub fn run_window(demo: bool) -> Result<(), String> {
    let (sandbox, defaults) = if demo {
        let account = sandbox::generate(sandbox::Preset::Demo, 1, chrono::Utc::now());
        let server = Sandbox::start(SandboxConfig::new(
            account,
            sandbox::DEMO_USERNAME,
            sandbox::DEMO_KEY,
        ))
        .map_err(|e| format!("The demo sandbox could not start: {e}."))?;
        let defaults = DialogDefaults {
            base_url: server.base_url().to_owned(),
            username: sandbox::DEMO_USERNAME.to_owned(),
            key: Some(ApiKey::new(sandbox::DEMO_KEY)),
        };
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
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Cin7 Planner")
        .with_app_id("cin7-planner")
        .with_inner_size([1100.0, 720.0])
        .with_min_inner_size([640.0, 420.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let mut app = PlannerApp::new(services, defaults);
    if let Some(server) = &sandbox {
        app.info(format!(
            "Demo: the built-in Cin7 sandbox is serving the demo account at {}; press OK to import it.",
            server.base_url()
        ));
        app.open_dialog();
    }
    eframe::run_native(
        "Cin7 Planner",
        options,
        Box::new(move |_cc| {
            Ok(Box::new(WindowApp {
                app,
                _sandbox: sandbox,
            }))
        }),
    )
    .map_err(|e| format!("The window could not open: {e}."))
}
