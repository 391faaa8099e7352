//! The window as a planner uses it, through the real `PlannerApp` driven by egui_kittest (with
//! its accessibility check on): the connection dialog and Test connection, the import and its
//! progress, Cancel and Continue import, the project view (sort, filter, location, the chart),
//! Save As, Close with each answer of the unsaved prompt, Open Recent, a restart with the state
//! remembered, the remembered key, Update data, Forget API key, and every error's sentence.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;
#[path = "ui/desk.rs"]
mod desk;
#[path = "ui/looks.rs"]
mod looks;

use chrono::Datelike;
use cin7_planner::cin7::ApiKey;
use cin7_planner::cin7::RetryPolicy;
use cin7_planner::import::RunStore;
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, SaleDate};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::{Sandbox, SandboxConfig};
use cin7_planner::secrets::{MemoryStore, SecretError, SecretStore};
use cin7_planner::ui::file_dialogs::{Choice, Purpose, ScriptedDialogs};
use cin7_planner::ui::{DialogDefaults, PersistedState, PlannerApp, Services, local_today};
use common::*;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::{Harness, HarnessBuilder};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a window is made with in these tests.
struct Setup {
    base_url: String,
    dialogs: Arc<ScriptedDialogs>,
    secrets: Arc<dyn SecretStore>,
    state_dir: Option<PathBuf>,
    state: PersistedState,
    today: fn() -> chrono::NaiveDate,
    /// The window of `--demo`: the dialog comes with the sandbox's key.
    demo: bool,
    /// How runs retry (not at all, unless a test says).
    retry: RetryPolicy,
    /// A project named on the command line.
    open_first: Option<std::path::PathBuf>,
    /// The limits runs keep to (none, unless a test says: the sandbox enforces none).
    rate_limits: RateLimits,
}

impl Setup {
    fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            dialogs: Arc::new(ScriptedDialogs::new([])),
            secrets: Arc::new(MemoryStore::default()),
            state_dir: None,
            state: PersistedState::default(),
            today: local_today,
            demo: false,
            retry: RetryPolicy::never(),
            open_first: None,
            rate_limits: RateLimits::unlimited(),
        }
    }

    fn answers(mut self, answers: impl IntoIterator<Item = Choice>) -> Self {
        self.dialogs = Arc::new(ScriptedDialogs::new(answers));
        self
    }

    fn app(&self) -> PlannerApp {
        let services = Services {
            dialogs: Box::new(Arc::clone(&self.dialogs)),
            secrets: Arc::clone(&self.secrets),
            rate_limits: self.rate_limits.clone(),
            retry: self.retry.clone(),
            call_log: None,
            state_dir: self.state_dir.clone(),
            today: self.today,
        };
        let defaults = DialogDefaults {
            base_url: Some(self.base_url.clone()),
            key: self.demo.then(|| ApiKey::new(KEY)),
            ..DialogDefaults::default()
        };
        let mut app = PlannerApp::new(services, defaults, self.state.clone());
        if let Some(path) = &self.open_first {
            app.open_first(path.clone());
        }
        app
    }

    /// A window with the fixture imported through the dialog, as a planner does it.
    fn imported(&self) -> Harness<'static, PlannerApp> {
        let mut harness = self.harness();
        import_fixture(&mut harness);
        harness
    }

    fn harness(&self) -> Harness<'static, PlannerApp> {
        self.harness_from(Harness::builder().with_size(egui::vec2(1280.0, 800.0)))
    }

    fn harness_from(&self, builder: HarnessBuilder<PlannerApp>) -> Harness<'static, PlannerApp> {
        let mut harness = builder.build_ui_state(|ui, app: &mut PlannerApp| app.ui(ui), self.app());
        harness.run_ok();
        harness
    }
}

/// Runs frames, as the real event loop would, until `done` holds (or fails after 20 s).
fn step_until(
    harness: &mut Harness<'_, PlannerApp>,
    what: &str,
    done: impl Fn(&Harness<'_, PlannerApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
    harness.step();
}

fn idle(harness: &mut Harness<'_, PlannerApp>) {
    step_until(harness, "the background work", |h| !h.state().is_busy());
}

fn menu(harness: &mut Harness<'_, PlannerApp>, path: &[&str]) {
    for entry in path {
        harness.get_by_label(entry).click();
        harness.run_ok();
    }
}

/// The window's close button, as the window manager reports it (run a frame to see it).
fn press_close_button(harness: &mut Harness<'_, PlannerApp>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
}

fn click(harness: &mut Harness<'_, PlannerApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_ok();
}

fn type_into(harness: &mut Harness<'_, PlannerApp>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_ok();
    harness.key_press(Key::Backspace);
    harness.run_ok();
    harness.get_by_label(label).type_text(text);
    harness.run_ok();
}

/// The item codes the table shows, top to bottom.
fn shown_codes(harness: &Harness<'_, PlannerApp>) -> Vec<String> {
    let mut shown: Vec<(f32, String)> = ["MUG-BLU", "MUG-RED", "TEE-RED-S", "TEE-RED-M"]
        .into_iter()
        .flat_map(|code| {
            harness
                .query_all_by_label(code)
                .map(move |cell| (cell.rect().top(), code.to_owned()))
        })
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().map(|(_, code)| code).collect()
}

/// eframe's storage as its file keeps it: strings by key.
#[derive(Default)]
struct Kept(std::collections::HashMap<String, String>);

impl eframe::Storage for Kept {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// A file dropped on the window, as the integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// What the next window starts with: the state as eframe's storage gives it back.
fn through_storage(state: &PersistedState) -> PersistedState {
    let mut kept = Kept::default();
    state.to_storage(&mut kept);
    PersistedState::from_storage(Some(&kept))
}

/// (code, location, units, revenue) of every series, in the project's order.
fn rows(app: &PlannerApp) -> Vec<(String, String, String, String)> {
    let project = app.project().expect("a project is open");
    project
        .series
        .iter()
        .map(|s| {
            let sold = s.totals();
            (
                project.items[s.item].code.clone(),
                project.locations[s.location].name.clone(),
                sold.qty.normalize().to_string(),
                format!("{:.2}", sold.revenue),
            )
        })
        .collect()
}

fn row(code: &str, location: &str, units: &str, revenue: &str) -> (String, String, String, String) {
    (code.into(), location.into(), units.into(), revenue.into())
}

fn expected_rows() -> Vec<(String, String, String, String)> {
    vec![
        row("MUG-BLU", "Warehouse", "2", "20.00"),
        row("MUG-BLU", "Shop, Main St", "2", "20.00"),
        row("MUG-RED", "Warehouse", "1", "14.00"),
        row("TEE-RED-S", "Shop, Main St", "1", "18.00"),
        row("TEE-RED-M", "Shop, Main St", "1", "18.00"),
    ]
}

/// Clicks Test connection and waits until it has every answer (or its one failure), among
/// them `shown`.
fn test_connection(harness: &mut Harness<'_, PlannerApp>, shown: &str) {
    click(harness, "Test connection");
    step_until(harness, "the test", |h| {
        h.query_by_label_contains(shown).is_some()
    });
    test_connection_done(harness);
}

/// File > New > Cin7 connection, with the fixture's username and `key` typed in.
fn new_dialog_with(harness: &mut Harness<'_, PlannerApp>, key: &str) {
    menu(harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    type_into(harness, "API username", USERNAME);
    type_into(harness, "API key", key);
}

/// The dialog filled in for the fixture: January 2024, by months, in Auckland.
fn fill_dialog(harness: &mut Harness<'_, PlannerApp>, key: &str) {
    type_into(harness, "API username", USERNAME);
    type_into(harness, "API key", key);
    // The date picker opens on its date; the date is typed into it, as a planner may.
    click(harness, "Starting date");
    type_into(harness, "Type a date", "2024-01-01");
    click(harness, "Set");
    click(harness, "Months");
    open_import_options(harness);
    choose_zone(harness, "Auckland", "Pacific/Auckland");
}

/// Opens the dialog's Import options (they stay open once opened), waiting for them to unfold
/// as a planner would before clicking in them.
fn open_import_options(harness: &mut Harness<'_, PlannerApp>) {
    if harness.query_by_label("Time zone").is_none() {
        click(harness, "Import options");
    }
    harness.run_steps(10);
}

/// Chooses a time zone from its searchable list: `search` typed, then `zone` clicked.
fn choose_zone(harness: &mut Harness<'_, PlannerApp>, search: &str, zone: &str) {
    click(harness, "Time zone");
    type_into(harness, "Search zones", search);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, zone)
        .click();
    harness.run_ok();
    assert!(
        harness.query_by_label("Search zones").is_none(),
        "the list closes"
    );
}

fn import_fixture(harness: &mut Harness<'_, PlannerApp>) {
    menu(harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    fill_dialog(harness, KEY);
    click(harness, "OK");
    step_until(harness, "the import to finish", |h| {
        h.state().project().is_some()
    });
}

#[test]
fn the_planners_loop_from_the_dialog_to_a_saved_project_reopened_from_recent() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let setup = Setup::new(sandbox.base_url()).answers([Choice::Picked(saved.clone())]);
    let mut harness = setup.harness();
    // The start page: New, Open, and the option to reopen the last project.
    harness.get_by_label("Reopen the last project when the app starts");
    assert_eq!(harness.state().title(), "Cin7 Planner");

    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    harness.get_by_label("Cin7 connection");
    // Nothing is said to be missing before anything is typed; the keyboard is in the first
    // field; OK says what is missing, each at its field. The defaults: two years, weeks.
    assert!(harness.query_by_label("Enter the API username.").is_none());
    assert!(
        harness
            .get_by_label("API username")
            .accesskit_node()
            .is_focused()
    );
    click(&mut harness, "OK");
    harness.get_by_label("Enter the API username.");
    harness.get_by_label("Enter the API key.");
    assert!(harness.state().project().is_none() && !harness.state().is_busy());
    let weeks = harness.get_by_label("Weeks").accesskit_node().toggled();
    assert_eq!(weeks, Some(egui::accesskit::Toggled::True));
    fill_dialog(&mut harness, KEY);
    // Test connection: the credentials, then every permission, each ticked.
    test_connection(&mut harness, "✔ Adjustments");
    for resource in [
        "Branches",
        "Products",
        "Contacts",
        "Stock",
        "Sales Orders",
        "Credit Notes",
    ] {
        harness.get_by_label(&format!("✔ {resource}"));
    }
    click(&mut harness, "OK");
    step_until(&mut harness, "the import to finish", |h| {
        h.state().project().is_some()
    });
    harness.get_by_label(&format!(
        "Imported 4 items at 2 locations with {} calls. Save the project with File > Save.",
        common::fixture_import_calls()
    ));
    assert_eq!(harness.state().title(), "*Untitled — Cin7 Planner");
    let project = harness.state().project().unwrap().clone();
    let start = project.settings.starting_date;
    assert_eq!((start.year(), start.month()), (2024, 1));
    assert_eq!(project.settings.group_by, GroupBy::Month);
    assert_eq!(project.settings.time_zone, chrono_tz::Pacific::Auckland);
    assert_eq!(rows(harness.state()), expected_rows());
    // What to check is counted in the header, as in the data report; a click opens the report.
    click(&mut harness, "⏷ Data report");
    assert!(harness.query_by_label("2 sized items").is_none());
    click(&mut harness, "⚠ 3 things to check");
    harness.get_by_label("2 sized items");
    // The warnings' sentences are in the details.
    click(&mut harness, "Details");
    harness.get_by_label_contains("2 sized items have sales history but no on-hand history");
    click(&mut harness, "Details");
    assert!(
        harness
            .query_by_label_contains("2 sized items have sales history")
            .is_none()
    );
    // The key went to the (in-memory) keychain: Remember API key is on by default.
    idle(&mut harness);
    assert_eq!(
        setup
            .secrets
            .get(&project.connection)
            .unwrap()
            .unwrap()
            .expose(),
        KEY
    );

    // The table: sorted by units (ties in the project's order), filtered, one location; a row
    // selected shows its chart.
    click(&mut harness, "Units sold");
    assert_eq!(
        shown_codes(&harness),
        ["MUG-RED", "TEE-RED-S", "TEE-RED-M", "MUG-BLU", "MUG-BLU"]
    );
    click(&mut harness, "Units sold ⏶");
    assert_eq!(
        shown_codes(&harness),
        ["MUG-BLU", "MUG-BLU", "TEE-RED-M", "TEE-RED-S", "MUG-RED"]
    );
    type_into(&mut harness, "Search items", "tee");
    assert!(harness.query_by_label("MUG-BLU").is_none());
    harness.get_by_label("TEE-RED-S");
    type_into(&mut harness, "Search items", "");
    click(&mut harness, "Show location");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Warehouse")
        .click();
    harness.run_ok();
    assert!(harness.query_by_label("TEE-RED-S").is_none());
    click(&mut harness, "MUG-RED");
    harness.get_by_label("MUG-RED at Warehouse");
    harness.get_by_label("Units sold");

    // Save As: the chooser's path, saved; the title loses its star.
    click(&mut harness, "File");
    harness.get_by_label_contains("Save As…").click();
    harness.run_ok();
    step_until(&mut harness, "the save", |h| {
        h.state().project_path().is_some()
    });
    harness.get_by_label(&format!("Saved {}.", saved.display()));
    assert_eq!(harness.state().title(), "shop.json — Cin7 Planner");
    assert!(!std::fs::read_to_string(&saved).unwrap().contains(KEY));
    assert_eq!(harness.state().persisted().recent, vec![saved.clone()]);

    // A new window with the state eframe kept: the theme, the connection, the dialog's
    // choices, and the project in Open Recent.
    menu(&mut harness, &["View", "Theme: dark"]);
    let mut restarted = Setup::new(sandbox.base_url());
    restarted.state = through_storage(harness.state().persisted());
    let kept = &restarted.state;
    assert_eq!(kept.theme, cin7_planner::ui::state::Theme::Dark);
    assert_eq!(
        (kept.last_username.as_str(), kept.last_base_url.as_str()),
        (USERNAME, sandbox.base_url())
    );
    assert_eq!(
        (kept.dialog.group_by, kept.dialog.time_zone.as_str()),
        (GroupBy::Month, "Pacific/Auckland")
    );
    assert_eq!(kept.recent, vec![saved.clone()]);
    let mut reopened = restarted.harness();
    menu(
        &mut reopened,
        &["File", "Open Recent", &saved.display().to_string()],
    );
    step_until(&mut reopened, "the project to open", |h| {
        h.state().project().is_some()
    });
    assert_eq!(reopened.state().project(), Some(&project));
    assert_eq!(reopened.state().title(), "shop.json — Cin7 Planner");

    // Regrouping by order date in UTC without returns needs no Cin7: its sandbox is gone.
    drop(sandbox);
    click(&mut reopened, "Grouping…");
    click(&mut reopened, "Order date");
    choose_zone(&mut reopened, "UTC", "UTC");
    click(&mut reopened, "Subtract returns (credit notes)");
    click(&mut reopened, "Apply");
    step_until(&mut reopened, "the regrouping", |h| {
        h.state().project().is_some_and(|p| !p.settings.returns)
    });
    let by_order_date = ImportSettings {
        sale_date: SaleDate::Order,
        time_zone: chrono_tz::UTC,
        returns: false,
        ..project.settings.clone()
    };
    assert_eq!(
        reopened.state().project().unwrap(),
        &project.regrouped(by_order_date).unwrap()
    );
    assert_eq!(reopened.state().title(), "*shop.json — Cin7 Planner");
}

#[test]
fn test_connection_names_the_permission_that_is_off() {
    let mut config = SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.credentials[0].denied = vec![
        cin7_planner::cin7::Resource::Stock,
        cin7_planner::cin7::Resource::Adjustments,
    ];
    let sandbox = Sandbox::start(config).unwrap();
    let mut harness = Setup::new(sandbox.base_url()).harness();
    // Wrong credentials stand for every resource: one sentence.
    new_dialog_with(&mut harness, "wrong");
    test_connection(&mut harness, "HTTP 401");
    type_into(&mut harness, "API key", KEY);
    test_connection(&mut harness, "✖ Adjustments");
    harness.get_by_label("✖ Stock: turn on Read for Stock in the connection's Permissions");
    harness.get_by_label("✔ Sales Orders");
    // The help names the same permissions.
    click(&mut harness, "Where do these come from?");
    harness.get_by_label(
        "3. In the connection's Permissions, allow Read on Contacts, Branches, Products, Stock, Sales Orders, Credit Notes, Purchase Orders, Branch Transfers, Adjustments and Bill of Materials.",
    );
    harness.key_press(Key::Escape);
    harness.run_ok();
    // OK asks first, naming every permission found off.
    click(&mut harness, "OK");
    harness.get_by_label("Test connection found that this API connection may not read Stock and Adjustments, so the import would stop at the first of them.");
    click(&mut harness, "Back to the dialog");
    harness.get_by_label("API username");
    assert!(!harness.state().is_busy());
    // Import anyway: the import stops at the first of them, reading nothing, and the dialog
    // comes back with what was typed and the permission named.
    click(&mut harness, "OK");
    click(&mut harness, "Import anyway");
    let refusal = |resource: &str| {
        format!(
            "The API connection may not read {resource} (HTTP 403): in Cin7, turn on Read for {resource} in the connection's Permissions."
        )
    };
    step_until(&mut harness, "the import to fail", |h| {
        ["Stock", "Adjustments"]
            .iter()
            .any(|r| h.query_by_label(&refusal(r)).is_some())
    });
    assert_eq!(
        harness.get_by_label("API username").value().as_deref(),
        Some(USERNAME)
    );
    assert!(harness.state().project().is_none());
}

/// OK in the dialog: the import fails with `sentence`, and no project comes of it.
fn import_fails_saying(harness: &mut Harness<'_, PlannerApp>, sentence: &str) {
    click(harness, "OK");
    step_until(harness, "the import to fail", |h| {
        h.query_by_label(sentence).is_some()
    });
    assert!(harness.state().project().is_none());
}

/// A test's answers are about the credentials it was run with, in the dialog it was run from:
/// editing the key forgets them, and a dialog opened after Cancel never shows them.
#[test]
fn a_test_s_answers_show_only_in_its_own_dialog_for_its_own_credentials() {
    let sandbox = serve_slow("slow=Stock:2s");
    let mut harness = Setup::new(sandbox.base_url()).harness();
    new_dialog_with(&mut harness, KEY);
    let quick_answers = |h: &Harness<'_, PlannerApp>| h.query_by_label("✔ Adjustments").is_some();
    click(&mut harness, "Test connection");
    step_until(&mut harness, "the quick answers", quick_answers);
    type_into(&mut harness, "API key", KEY);
    assert!(harness.query_by_label("✔ Adjustments").is_none());
    assert!(harness.query_by_label("Testing the connection…").is_none());
    click(&mut harness, "Test connection");
    step_until(&mut harness, "the quick answers", quick_answers);
    click(&mut harness, "Cancel");
    // By the shortcut, once the dialog is gone: on a loaded machine the File menu opened by a
    // click was now and then not open in the next frame while the tests' answers arrived
    // (why is not found yet; the menu is not what this test is about).
    step_until(&mut harness, "the dialog to close", |h| {
        h.query_by_label("API username").is_none()
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_ok();
    // Both tests end (Stock answers) while the new dialog is open.
    idle(&mut harness);
    harness.get_by_label("API username");
    assert_eq!(harness.query_all_by_label_contains("✔").count(), 0);
    assert!(harness.query_by_label("Testing the connection…").is_none());
}

/// A keychain whose lookups wait until it is let go, as a locked one waits for its password.
#[derive(Default)]
struct SlowKeychain {
    keys: MemoryStore,
    held: std::sync::Mutex<bool>,
    let_go: std::sync::Condvar,
}

impl SlowKeychain {
    fn hold(&self, held: bool) {
        *self.held.lock().unwrap() = held;
        self.let_go.notify_all();
    }
}

impl SecretStore for SlowKeychain {
    fn get(&self, connection: &ConnectionInfo) -> Result<Option<ApiKey>, SecretError> {
        let held = self.held.lock().unwrap();
        drop(self.let_go.wait_while(held, |held| *held).unwrap());
        self.keys.get(connection)
    }
    fn set(&self, connection: &ConnectionInfo, key: &ApiKey) -> Result<(), SecretError> {
        self.keys.set(connection, key)
    }
    fn delete(&self, connection: &ConnectionInfo) -> Result<(), SecretError> {
        self.keys.delete(connection)
    }
}

/// The fixture imported and saved (to the first of `answers`), then Update data pressed with
/// `keychain` holding its lookup.
fn saved_then_updating(
    sandbox: &Sandbox,
    keychain: &Arc<SlowKeychain>,
    answers: impl IntoIterator<Item = Choice>,
) -> Harness<'static, PlannerApp> {
    let mut setup = Setup::new(sandbox.base_url()).answers(answers);
    setup.secrets = keychain.clone();
    let mut harness = setup.imported();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    keychain.hold(true);
    harness.key_press(Key::F5);
    harness.run_ok();
    harness
}

/// Update data on one project waits for the keychain: opening another waits too, until the
/// planner cancels the wait; the key, once found, then starts nothing on the project now on
/// screen.
#[test]
fn an_update_waiting_for_the_keychain_does_not_start_on_a_project_opened_meanwhile() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (
        dir.path().join("first.json"),
        dir.path().join("second.json"),
    );
    let keychain = Arc::new(SlowKeychain::default());
    let mut harness = saved_then_updating(
        &sandbox,
        &keychain,
        [
            Choice::Picked(first.clone()),
            Choice::Picked(second.clone()),
        ],
    );
    std::fs::copy(&first, &second).unwrap();
    let calls = sandbox.requests().len();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_ok();
    harness.get_by_label(
        "Update data is waiting for the keychain: wait for it to end, or cancel it first.",
    );
    assert_eq!(harness.state().project_path(), Some(first.as_path()));
    click(&mut harness, "Cancel");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_ok();
    step_until(&mut harness, "the second project to open", |h| {
        h.state().project_path() == Some(second.as_path())
    });
    keychain.hold(false);
    idle(&mut harness);
    harness.run_steps(5);
    assert_eq!(sandbox.requests().len(), calls);
    assert_eq!(harness.state().title(), "second.json — Cin7 Planner");
}

/// F5 while another project is being opened (its file still arriving), with the keychain
/// slow: the other project is on screen when the key comes, so nothing starts, and the status
/// line says so.
#[test]
fn a_key_that_comes_after_the_project_changed_starts_nothing_and_says_so() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let (saved, other) = (dir.path().join("shop.json"), dir.path().join("other.json"));
    let keychain = Arc::new(SlowKeychain::default());
    let mut setup = Setup::new(sandbox.base_url())
        .answers([Choice::Picked(saved.clone()), Choice::Picked(other.clone())]);
    setup.secrets = keychain.clone();
    let mut harness = setup.imported();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    // The other project's file is a pipe: opening it waits until the test writes it.
    let made = std::process::Command::new("mkfifo")
        .arg(&other)
        .status()
        .unwrap();
    assert!(made.success());
    let other_project = std::fs::read(&saved).unwrap();
    keychain.hold(true);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_steps(3);
    harness.key_press(Key::F5);
    harness.run_steps(3);
    assert!(
        harness.state().is_busy(),
        "Update data waits for the keychain"
    );
    std::fs::write(&other, other_project).unwrap();
    step_until(&mut harness, "the other project to open", |h| {
        h.state().project_path() == Some(other.as_path())
    });
    let calls = sandbox.requests().len();
    keychain.hold(false);
    idle(&mut harness);
    harness.run_steps(5);
    assert_eq!(sandbox.requests().len(), calls);
    assert_eq!(harness.state().project().unwrap().history.len(), 1);
    harness.get_by_label(
        "The project on screen changed while the key was looked up, so nothing was started: ask again.",
    );
}

/// F5 while the keychain is slow, then Ctrl+N and OK: one run at a time. The pending key
/// lookup counts as a run under way, so New waits with a sentence; the update, once its key
/// comes, runs to its end on its own project and nothing cancels it.
#[test]
fn new_while_an_update_waits_for_the_keychain_waits_and_the_update_finishes() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let keychain = Arc::new(SlowKeychain::default());
    let mut harness = saved_then_updating(&sandbox, &keychain, [Choice::Picked(saved.clone())]);
    // The wait shows, with its Cancel.
    harness.get_by_label("Update data is waiting for the keychain…");
    // Before, Ctrl+N opened the dialog and its OK, once the key had come and the update had
    // started behind it, started an import that cancelled the update.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_ok();
    harness.get_by_label(
        "Update data is waiting for the keychain: wait for it to end, or cancel it first.",
    );
    assert!(harness.query_by_label("API username").is_none());
    keychain.hold(false);
    step_until(&mut harness, "the update to finish", |h| {
        h.state().project().is_some_and(|p| p.history.len() == 2)
    });
    idle(&mut harness);
    let project = harness.state().project().unwrap();
    assert_eq!(
        project.history[1].kind,
        cin7_planner::project::RunKind::Update
    );
    assert_eq!(harness.state().project_path(), Some(saved.as_path()));
    assert_eq!(harness.state().title(), "*shop.json — Cin7 Planner");
}

/// Whether the window was told to close in the last frame.
fn closing(harness: &Harness<'_, PlannerApp>) -> bool {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|out| out.commands.contains(&egui::ViewportCommand::Close))
}

/// Quit waits for a task under way (a keychain lookup for Update data) before it closes the
/// window, and the key, once found, starts nothing.
#[test]
fn quit_closes_the_window_once_the_task_under_way_is_done() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(SlowKeychain::default());
    let answers = [Choice::Picked(dir.path().join("shop.json"))];
    let mut harness = saved_then_updating(&sandbox, &keychain, answers);
    let calls = sandbox.requests().len();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    harness.step();
    harness.step();
    assert!(!closing(&harness));
    harness.get_by_label("Closing as soon as what is under way is finished.");
    keychain.hold(false);
    step_until(&mut harness, "the window to close", closing);
    assert_eq!(sandbox.requests().len(), calls);
}

/// Every way of leaving a project with unsaved changes asks first, and Cancel keeps it; a file
/// dropped while a question is open does not replace the question.
#[test]
fn every_way_of_leaving_an_unsaved_project_asks_first() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.json");
    let mut setup = Setup::new(sandbox.base_url());
    setup.state.recent = vec![other.clone()];
    let mut harness = setup.imported();
    let question = "Save the changes to Untitled first?";
    let recent = other.display().to_string();
    let drop_other = || -> egui::DroppedFileHandle { Arc::new(Dropped(other.clone())) };
    type Leave<'a> = Box<dyn Fn(&mut Harness<'static, PlannerApp>) + 'a>;
    let ways: Vec<(&str, Leave<'_>)> = vec![
        (
            "Ctrl+N",
            Box::new(|h| h.key_press_modifiers(Modifiers::COMMAND, Key::N)),
        ),
        (
            "Ctrl+O",
            Box::new(|h| h.key_press_modifiers(Modifiers::COMMAND, Key::O)),
        ),
        (
            "Ctrl+W",
            Box::new(|h| h.key_press_modifiers(Modifiers::COMMAND, Key::W)),
        ),
        (
            "Ctrl+Q",
            Box::new(|h| h.key_press_modifiers(Modifiers::COMMAND, Key::Q)),
        ),
        (
            "Open Recent",
            Box::new(|h| menu(h, &["File", "Open Recent", &recent])),
        ),
        ("the close button", Box::new(press_close_button)),
        (
            "a dropped file",
            Box::new(|h| h.input_mut().dropped_files.push(drop_other())),
        ),
    ];
    for (way, leave) in ways {
        leave(&mut harness);
        harness.run_ok();
        assert!(
            harness.query_by_label(question).is_some(),
            "{way} did not ask"
        );
        if way == "Ctrl+W" {
            harness.input_mut().dropped_files.push(drop_other());
            harness.run_ok();
            harness.get_by_label(question);
            harness.get_by_label("Finish with the open dialog first, then drop the file again.");
        }
        click(&mut harness, "Cancel");
        assert!(harness.query_by_label(question).is_none(), "{way}");
        assert_eq!(harness.state().title(), "*Untitled — Cin7 Planner", "{way}");
    }
}

/// Each answer of Test connection shows as it comes: with Stock slow to answer, the others are
/// ticked while the test still runs.
#[test]
fn test_connection_ticks_each_resource_as_its_answer_comes() {
    let sandbox = serve_slow("slow=Stock:3s");
    let mut harness = Setup::new(sandbox.base_url()).harness();
    new_dialog_with(&mut harness, KEY);
    click(&mut harness, "Test connection");
    step_until(&mut harness, "the quick answers", |h| {
        h.query_by_label("✔ Adjustments").is_some() && h.query_by_label("✔ Branches").is_some()
    });
    harness.get_by_label("Testing the connection…");
    assert!(harness.query_by_label("✔ Stock").is_none());
    let buttons_at = |h: &Harness<'_, PlannerApp>| {
        ["Test connection", "Cancel", "OK"].map(|label| h.get_by_label(label).rect())
    };
    let while_testing = buttons_at(&harness);
    test_connection_done(&mut harness);
    harness.get_by_label("✔ Stock");
    harness.get_by_label("Connection tested: the import may read everything it needs.");
    // The buttons stay where the planner may be reaching for one.
    assert_eq!(buttons_at(&harness), while_testing);
}

/// The fixture account, unpaced, with one resource slow to answer (`slow=PATH:D`).
fn serve_slow(fault: &str) -> Sandbox {
    let mut config = SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.faults = fault.parse().unwrap();
    Sandbox::start(config).unwrap()
}

/// An import from the dialog, keeping its state in `state`, under way with the eight other
/// walks done but Sales Orders, which the sandbox answers a second late (the import reads
/// them in several windows, one after another), and Stock, which waits for the first
/// windows.
fn import_waiting_on_sales_orders(
    state: &std::path::Path,
) -> (Sandbox, Setup, Harness<'static, PlannerApp>) {
    let sandbox = serve_slow("slow=SalesOrders:1s");
    let mut setup = Setup::new(sandbox.base_url());
    setup.state_dir = Some(state.to_owned());
    let mut harness = setup.harness();
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    fill_dialog(&mut harness, KEY);
    click(&mut harness, "OK");
    step_until(&mut harness, "the other walks done", |h| {
        h.query_all_by_label_contains("done").count() == 8
    });
    (sandbox, setup, harness)
}

/// Waits for a Test connection under way to end.
fn test_connection_done(harness: &mut Harness<'_, PlannerApp>) {
    step_until(harness, "the test to end", |h| {
        h.query_by_label("Testing the connection…").is_none()
    });
}

#[test]
fn close_asks_first_and_each_answer_does_what_it_says() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("kept.json");
    let setup = Setup::new(sandbox.base_url()).answers([Choice::Picked(saved.clone())]);
    let mut harness = setup.imported();

    // Cancel: nothing happens.
    menu(&mut harness, &["File", "Close project Ctrl+W"]);
    harness.get_by_label("Save the changes to Untitled first?");
    click(&mut harness, "Cancel");
    assert!(harness.state().project().is_some());
    // Shortcuts do nothing while a prompt is open: Ctrl+O would ask the (scripted) chooser.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::W);
    harness.run_ok();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_ok();
    assert!(
        setup.dialogs.asked().is_empty(),
        "{:?}",
        setup.dialogs.asked()
    );
    // Save: saved (through the chooser), then closed.
    click(&mut harness, "Save");
    step_until(&mut harness, "the save and the close", |h| {
        h.state().project().is_none()
    });
    assert!(cin7_planner::project::file::open(&saved).is_ok());
    assert_eq!(
        setup.dialogs.asked(),
        vec![(
            Purpose::SaveProject,
            format!(
                "{USERNAME}-{}.cin7plan",
                chrono::Utc::now().format("%Y-%m-%d")
            )
        )]
    );

    // Don't save: closed, nothing written.
    import_fixture(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::W);
    harness.run_ok();
    click(&mut harness, "Don't save");
    assert!(harness.state().project().is_none());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Without a native file chooser, the window's own browser: the name field has the keyboard;
/// a whole path, a name relative to the folder shown, a folder that does not exist (said
/// under the field, the browser staying open); replacing a file asks first.
#[test]
fn without_a_file_chooser_the_window_browses_and_asks_before_replacing_a_file() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(sandbox.base_url())
        .answers(std::iter::repeat_with(|| Choice::Unavailable).take(6));
    let mut harness = setup.imported();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    harness.get_by_label("Save project");
    // The name field has the keyboard, with a name in it already.
    harness.run_ok();
    let field = harness.get_by_label("File name");
    assert!(field.accesskit_node().is_focused());
    assert_eq!(
        field.value(),
        Some(format!(
            "{USERNAME}-{}.cin7plan",
            chrono::Utc::now().format("%Y-%m-%d")
        ))
    );
    // A folder that does not exist: said at the field, and the browser stays.
    let missing = dir.path().join("missing").join("shop.json");
    type_into(&mut harness, "File name", &missing.display().to_string());
    click(&mut harness, "Save");
    harness.get_by_label(&format!(
        "There is no folder {}: choose one in the list, or type the name of one that exists.",
        missing.parent().unwrap().display()
    ));
    // The keyboard is still in the field, to put the name right.
    harness.run_ok();
    assert!(
        harness
            .get_by_label("File name")
            .accesskit_node()
            .is_focused()
    );
    let typed = dir.path().join("typed");
    type_into(&mut harness, "File name", &typed.display().to_string());
    click(&mut harness, "Save");
    let saved = dir.path().join("typed.cin7plan");
    step_until(&mut harness, "the save", |h| {
        h.state().project_path() == Some(saved.as_path())
    });
    // Save As: the browser shows the project's folder; a bare name is saved there, and the
    // same name again asks before replacing the file.
    for attempt in ["first", "again"] {
        harness.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
        harness.run_ok();
        harness.get_by_label(&dir.path().display().to_string());
        type_into(&mut harness, "File name", "relative");
        click(&mut harness, "Save");
        let relative = dir.path().join("relative.cin7plan");
        if attempt == "again" {
            harness.get_by_label(&format!("{} exists already.", relative.display()));
            click(&mut harness, "Replace");
        }
        idle(&mut harness);
        harness.get_by_label(&format!("Saved {}.", relative.display()));
    }

    // An export over a file asks too: Cancel keeps it, Replace writes the whole CSV.
    let csv = dir.path().join("sales.csv");
    std::fs::write(&csv, "kept").unwrap();
    let typed_csv = dir.path().join("sales").display().to_string();
    for (answer, expected_start) in [("Cancel", "kept"), ("Replace", "item_code,")] {
        menu(&mut harness, &["File", "Export", "Sales history CSV…"]);
        type_into(&mut harness, "File name", &typed_csv);
        click(&mut harness, "Export");
        harness.get_by_label(&format!("{} exists already.", csv.display()));
        click(&mut harness, answer);
        idle(&mut harness);
        let written = std::fs::read_to_string(&csv).unwrap();
        assert!(
            written.starts_with(expected_start),
            "{answer}: {written:.40}"
        );
    }
    // The workbook of every table, named .xlsx when typed without an extension.
    let typed_book = dir.path().join("plan").display().to_string();
    menu(
        &mut harness,
        &["File", "Export", "Excel workbook (every table)…"],
    );
    type_into(&mut harness, "File name", &typed_book);
    click(&mut harness, "Export");
    idle(&mut harness);
    harness.get_by_label(&format!(
        "Exported {}.",
        dir.path().join("plan.xlsx").display()
    ));
    let book = std::fs::read(dir.path().join("plan.xlsx")).unwrap();
    assert_eq!(&book[..2], b"PK", "an xlsx is a zip archive");
}

#[test]
fn a_cancelled_import_is_offered_to_continue_and_finishes() {
    // Everything answers at once but Sales Orders, a second each: the import is under way,
    // with pages kept, for as long as the test needs to press Cancel.
    let state = tempfile::tempdir().unwrap();
    let (_sandbox, setup, mut harness) = import_waiting_on_sales_orders(state.path());
    // Per resource: what is done, what is read.
    harness.get_by_label("Importing from Cin7");
    harness.get_by_label("Sales Orders");
    assert_eq!(harness.query_all_by_label_contains(" record").count(), 10);
    // Another run cannot start meanwhile, by menu or shortcut.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_ok();
    assert!(harness.query_by_label("Cin7 connection").is_none());
    harness.get_by_label("An import is reading Cin7: wait for it to end, or cancel it first.");
    let clicked = Instant::now();
    click(&mut harness, "Cancel");
    step_until(&mut harness, "the cancellation", |h| !h.state().is_busy());
    assert!(
        clicked.elapsed() < Duration::from_secs(2),
        "cancel waited for the slow server"
    );
    harness.get_by_label(&format!(
        "The import of {USERNAME} was cancelled: what it read is kept, and File > Continue picks it up."
    ));
    assert!(harness.state().project().is_none());
    harness.get_by_label_contains("not saved yet: what it read is kept.");

    // A new window offers it too; Continue import asks for the key (a cancelled import stored
    // none) and finishes with the pages kept.
    let mut restarted = setup.harness();
    click(&mut restarted, "Continue import");
    step_until(&mut restarted, "the key prompt", |h| {
        h.query_by_label("Cin7 API key").is_some()
    });
    type_into(&mut restarted, "API key", KEY);
    click(&mut restarted, "OK");
    step_until(&mut restarted, "the continued import", |h| {
        h.state().project().is_some()
    });
    let project = restarted.state().project().unwrap();
    assert!(project.report.pages_reused >= 1, "{:?}", project.report);
    assert_eq!(rows(restarted.state()), expected_rows());
}

#[test]
fn quitting_during_an_import_asks_and_the_next_window_offers_to_continue_it() {
    let state = tempfile::tempdir().unwrap();
    let (_sandbox, setup, mut harness) = import_waiting_on_sales_orders(state.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    harness.run_ok();
    harness.get_by_label("An import is running");
    click(&mut harness, "Stop it");
    assert!(!harness.state().is_busy(), "the run was stopped");
    drop(harness);

    let mut restarted = setup.harness();
    restarted.get_by_label_contains("not saved yet: what it read is kept.");
    click(&mut restarted, "Continue import");
    step_until(&mut restarted, "the key prompt", |h| {
        h.query_by_label("Cin7 API key").is_some()
    });
    type_into(&mut restarted, "API key", KEY);
    click(&mut restarted, "OK");
    step_until(&mut restarted, "the continued import", |h| {
        h.state().project().is_some()
    });
    assert!(restarted.state().project().unwrap().report.pages_reused >= 1);
    assert_eq!(rows(restarted.state()), expected_rows());
}

#[test]
fn the_remembered_key_fills_the_dialog_update_data_uses_it_and_forget_removes_it() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let setup = Setup::new(sandbox.base_url()).answers([Choice::Picked(saved.clone())]);
    let mut harness = setup.imported();
    idle(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);

    // A new window: the dialog comes up with the username and, from the keychain, the key.
    let mut restarted = Setup::new(sandbox.base_url());
    restarted.secrets = Arc::clone(&setup.secrets);
    restarted.state = through_storage(harness.state().persisted());
    let mut second = restarted.harness();
    menu(&mut second, &["File", "New", "Cin7 connection… Ctrl+N"]);
    idle(&mut second);
    assert_eq!(
        second.get_by_label("API username").value().as_deref(),
        Some(USERNAME)
    );
    click(&mut second, "Show");
    assert_eq!(second.get_by_label("API key").value().as_deref(), Some(KEY));
    click(&mut second, "Cancel");

    // Update data with the stored key, no question asked: the new order shows.
    let at = chrono::Utc::now();
    sandbox.update(|a| {
        let mut order = a.sales_orders[1].clone();
        order.id = 9;
        order.created = at;
        order.modified = at;
        order.invoiced = Some(at);
        order.dispatched = Some(at);
        a.add_sales_order(order);
    });
    let before = rows(harness.state());
    harness.key_press(Key::F5);
    step_until(&mut harness, "the update", |h| h.state().is_dirty());
    harness.get_by_label(
        "Updated: 1 document added, none changed, none voided (13 calls). File > Save keeps it.",
    );
    let after = rows(harness.state());
    assert_eq!(after[2], row("MUG-RED", "Warehouse", "2", "28.00"));
    assert_ne!(before, after);
    assert_eq!(harness.state().project().unwrap().history.len(), 2);

    // Forget API key: gone from the keychain; the next update asks for it.
    let connection = harness.state().project().unwrap().connection.clone();
    menu(&mut harness, &["File", "Forget API key"]);
    idle(&mut harness);
    harness.get_by_label(&format!(
        "The API key of {USERNAME} is forgotten: the next run asks for it."
    ));
    assert_eq!(setup.secrets.get(&connection).unwrap(), None);
    harness.key_press(Key::F5);
    step_until(&mut harness, "the key prompt", |h| {
        h.query_by_label("Cin7 API key").is_some()
    });
}

#[test]
fn saving_after_an_update_of_an_unsaved_import_leaves_no_run_to_continue() {
    let sandbox = serve(fixture_account());
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut setup =
        Setup::new(sandbox.base_url()).answers([Choice::Picked(dir.path().join("shop.json"))]);
    setup.state_dir = Some(state.path().to_owned());
    let mut harness = setup.imported();
    idle(&mut harness);
    assert_eq!(
        RunStore::stopped(state.path()).len(),
        1,
        "the import's, until it is saved"
    );
    harness.key_press(Key::F5);
    step_until(&mut harness, "the update", |h| {
        h.query_by_label_contains("Updated:").is_some()
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    assert!(RunStore::stopped(state.path()).is_empty());
    let restarted = setup.harness();
    assert!(restarted.query_by_label("Continue import").is_none());
}

#[test]
fn the_demo_s_connection_is_not_remembered_for_the_next_window() {
    let sandbox = serve(fixture_account());
    let mut setup = Setup::new(sandbox.base_url());
    setup.demo = true;
    let mut harness = setup.imported();
    idle(&mut harness);
    let remembered = harness.state().persisted();
    assert_eq!(
        (
            remembered.last_username.as_str(),
            remembered.last_base_url.as_str()
        ),
        ("", cin7_planner::cin7::PRODUCTION_BASE_URL)
    );
}

/// A desktop where no credential store answers.
struct NoKeychain;

impl SecretStore for NoKeychain {
    fn get(&self, _: &ConnectionInfo) -> Result<Option<ApiKey>, SecretError> {
        Err(SecretError::unavailable("no Secret Service answers"))
    }
    fn set(&self, _: &ConnectionInfo, _: &ApiKey) -> Result<(), SecretError> {
        Err(SecretError::unavailable("no Secret Service answers"))
    }
    fn delete(&self, _: &ConnectionInfo) -> Result<(), SecretError> {
        Err(SecretError::unavailable("no Secret Service answers"))
    }
}

#[test]
fn without_a_keychain_the_key_is_kept_for_the_session_and_said_so() {
    let sandbox = serve(fixture_account());
    let mut setup = Setup::new(sandbox.base_url());
    setup.secrets = Arc::new(NoKeychain);
    let mut harness = setup.imported();
    idle(&mut harness);
    // In words, not the keychain's own error, after what the import said.
    harness.get_by_label(&format!(
        "Imported 4 items at 2 locations with {} calls. Save the project with File > Save. The keychain could not keep the API key (no keychain answers on this computer), so it is kept for this session only.",
        common::fixture_import_calls()
    ));
    // Update data goes on with the key of this session, no question asked.
    harness.key_press(Key::F5);
    step_until(&mut harness, "the update", |h| {
        h.query_by_label_contains("Updated:").is_some()
    });
    assert!(harness.query_by_label("Cin7 API key").is_none());
}

#[test]
fn a_stored_key_that_cin7_rejects_is_asked_for_again() {
    let sandbox = serve(fixture_account());
    let setup = Setup::new(sandbox.base_url());
    let mut harness = setup.imported();
    idle(&mut harness);
    // The key was reset in Cin7 since it was stored.
    let connection = harness.state().project().unwrap().connection.clone();
    setup
        .secrets
        .set(&connection, &ApiKey::new("reset-in-cin7"))
        .unwrap();
    harness.key_press(Key::F5);
    step_until(&mut harness, "the key prompt", |h| {
        h.query_by_label("Cin7 API key").is_some()
    });
    harness.get_by_label(
        "Cin7 rejected the stored API key (HTTP 401): it was probably reset, so enter the new one.",
    );
    type_into(&mut harness, "API key", KEY);
    click(&mut harness, "OK");
    step_until(&mut harness, "the update", |h| {
        h.query_by_label_contains("Updated:").is_some()
    });
    assert_eq!(
        setup.secrets.get(&connection).unwrap().unwrap().expose(),
        KEY
    );
}

#[test]
fn errors_appear_in_the_window_as_one_sentence() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).harness();
    new_dialog_with(&mut harness, "wrong-key");
    import_fails_saying(
        &mut harness,
        "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1.",
    );
    // A damaged file says so.
    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.json");
    std::fs::write(
        &damaged,
        br#"{"format":"cin7-planner project","version":3,"proj"#,
    )
    .unwrap();
    let mut opening = Setup::new(sandbox.base_url())
        .answers([Choice::Picked(damaged.clone())])
        .harness();
    opening.key_press_modifiers(Modifiers::COMMAND, Key::O);
    opening.run_ok();
    idle(&mut opening);
    opening.get_by_label(&format!(
        "{} is damaged (it ends too early, as if cut off) and was not opened.",
        damaged.display()
    ));
}

/// What cannot be written, read or reached says so in one sentence, and loses nothing: a save
/// into a folder that is gone leaves the project unsaved, a recent file since deleted is not
/// opened, and an address nothing answers at is named.
#[test]
fn what_cannot_be_saved_opened_or_reached_says_why_and_loses_nothing() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone").join("shop.json");
    let mut harness = Setup::new(sandbox.base_url())
        .answers([Choice::Picked(gone.clone())])
        .harness();
    import_fixture(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    // No OS error number, no temporary file's name.
    harness.get_by_label(&format!(
        "Could not save {} (it or its folder does not exist); the previous file, if any, is unchanged.",
        gone.display()
    ));
    assert_eq!(harness.state().title(), "*Untitled — Cin7 Planner");
    assert!(harness.state().project().is_some());

    let deleted = dir.path().join("deleted.json");
    let mut setup = Setup::new(sandbox.base_url());
    setup.state.recent = vec![deleted.clone()];
    let mut opening = setup.harness();
    menu(
        &mut opening,
        &["File", "Open Recent", &deleted.display().to_string()],
    );
    idle(&mut opening);
    opening.get_by_label(&format!(
        "Could not read {} (it or its folder does not exist).",
        deleted.display()
    ));
    assert!(opening.state().project().is_none());

    // Port 9 (discard) has nothing listening on this machine's loopback.
    new_dialog_with(&mut opening, KEY);
    open_import_options(&mut opening);
    type_into(&mut opening, "API address", "http://127.0.0.1:9/api");
    test_connection(&mut opening, "Could not reach Cin7");
    let said = opening
        .get_by_label_contains("Could not reach Cin7 while reading")
        .value()
        .unwrap_or_default();
    assert!(
        said.ends_with(": check the connection and try again."),
        "{said}"
    );
}

/// The line over the project so far gives the share the import's progress beside it gives
/// ("45% · 1 min elapsed…"), once that is known.
fn assert_line_says_the_progress_s_share(harness: &Harness<'_, PlannerApp>) {
    let line = harness
        .get_by_label_contains("; older history loading")
        .value()
        .unwrap_or_default();
    let progress = harness
        .get_by_label_contains(" elapsed")
        .value()
        .unwrap_or_default();
    let share = |text: &str| text.split_once('%').map(|(before, _)| before.to_owned());
    let in_line = line
        .split_once("loading (")
        .and_then(|(_, rest)| share(rest));
    assert_eq!(in_line, share(&progress), "{line} / {progress}");
}

#[test]
fn an_import_shows_its_exact_periods_while_the_older_history_loads() {
    // Each call for sales orders takes a second: the first three windows (the last 147 days)
    // come in a few seconds, the older ones after the stock.
    let sandbox = serve_slow("slow=SalesOrders:1s");
    let mut harness = Setup::new(sandbox.base_url()).harness();
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    fill_dialog(&mut harness, KEY);
    click(&mut harness, "OK");
    step_until(&mut harness, "the project so far", |h| {
        h.query_by_label_contains("Exact back to ").is_some()
    });
    // The import's progress above the project so far, its share the line's.
    assert_line_says_the_progress_s_share(&harness);
    harness.get_by_label("Importing from Cin7");
    // Once the stock is read, every item with stock has a row; its open orders and lead time
    // wait for the end.
    step_until(&mut harness, "the stock read", |h| {
        h.query_by_label_contains("on-hand follows the current stock")
            .is_none()
    });
    assert_line_says_the_progress_s_share(&harness);
    assert!(harness.query_all_by_label("loading").count() >= 3);
    assert!(harness.state().project().is_none(), "not a document yet");
    // Meanwhile the planner filters, sorts and looks at an item's chart, and the finished
    // project keeps what they chose.
    type_into(&mut harness, "Search items", "mug");
    assert!(harness.query_by_label("TEE-RED-S").is_none());
    click(&mut harness, "Units sold");
    click(&mut harness, "MUG-RED");
    harness.get_by_label("MUG-RED at Warehouse");
    // Its chart's legend says what the hatching over the older periods is.
    harness.get_by_label("Loading, not exact yet");
    // Saving waits for the end, and says so.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    let notice = harness.state().status_line().map(|n| n.text.clone());
    assert_eq!(
        notice.as_deref(),
        Some(
            "The import is still reading the older history: the project can be saved once it is complete."
        )
    );
    step_until(&mut harness, "the import to finish", |h| {
        h.state().project().is_some()
    });
    assert!(harness.query_by_label_contains("Exact back to ").is_none());
    assert_eq!(harness.query_all_by_label("loading").count(), 0);
    harness.get_by_label("MUG-RED at Warehouse");
    assert!(harness.query_by_label("Loading, not exact yet").is_none());
    assert!(harness.query_by_label("TEE-RED-S").is_none());
    harness.get_by_label("Units sold ⏶");
    harness.get_by_label(&format!(
        "Imported 4 items at 2 locations with {} calls. Save the project with File > Save.",
        common::fixture_import_calls()
    ));
}

/// A new import over an open project shows what it has so far in a view of its own, not
/// filtered by the open project's search; cancelled, it leaves that project as it was viewed.
#[test]
fn a_new_import_over_an_open_project_has_its_own_view_and_cancelled_leaves_the_project_as_viewed() {
    let sandbox = serve_slow("slow=SalesOrders:1s");
    let mut harness = Setup::new(sandbox.base_url()).imported();
    type_into(&mut harness, "Search items", "tee");
    assert_eq!(shown_codes(&harness), ["TEE-RED-M", "TEE-RED-S"]);

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_ok();
    click(&mut harness, "Don't save");
    fill_dialog(&mut harness, KEY);
    click(&mut harness, "OK");
    step_until(&mut harness, "the stock read", |h| {
        h.query_by_label_contains("Exact back to ").is_some()
            && h.query_by_label_contains("on-hand follows the current stock")
                .is_none()
    });
    let search = harness.get_by_label("Search items").value();
    assert_eq!(search.as_deref(), Some(""));
    // The mugs, which the open project's search hides, have stock: they have rows.
    let shown = shown_codes(&harness);
    assert!(shown.iter().any(|c| c == "MUG-RED"), "{shown:?}");

    click(&mut harness, "Cancel");
    step_until(&mut harness, "the import to stop", |h| !h.state().is_busy());
    assert_eq!(shown_codes(&harness), ["TEE-RED-M", "TEE-RED-S"]);
}

/// The daily budget runs out while the oldest sales orders are read: the window says how far
/// back what was read is exact, and when the rest can run.
#[test]
fn a_daily_budget_ending_mid_history_says_how_far_back_the_import_is_exact() {
    // Sales orders come last (each call takes a while); the budget ends before the last
    // page of the oldest window, which holds them all.
    let sandbox = serve_slow("slow=SalesOrders:300ms");
    let start = utc(2023, 12, 25, 0, 0);
    let before = chrono::Utc::now();
    let windows = windows_back_to(start, before);
    let budget = 22 + (windows - 1) - 1;
    // What was read is kept in the state folder, for the next run.
    let state = tempfile::tempdir().unwrap();
    let mut setup = Setup::new(sandbox.base_url());
    setup.state_dir = Some(state.path().to_owned());
    setup.rate_limits = format!("{budget}/1d").parse().unwrap();
    let mut harness = setup.harness();
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    fill_dialog(&mut harness, KEY);
    click(&mut harness, "OK");
    step_until(&mut harness, "the budget to end", |h| {
        h.state().status_line().is_some()
    });
    let said = harness.state().status_line().map(|n| n.text.clone());
    let said = said.unwrap_or_default();
    assert!(
        said.starts_with(&format!(
            "Cin7's daily limit of {budget} calls for this API connection is used up, so the import stopped before going over it, at Sales Orders page 2: it can run again in "
        )),
        "{said}"
    );
    // Every window but the oldest is read: exact back to the oldest one's upper edge.
    let after = chrono::Utc::now();
    let exact = |as_of: chrono::DateTime<chrono::Utc>| {
        let read: i64 = [14, 42, 91, 182]
            .into_iter()
            .chain(std::iter::repeat(365))
            .take(windows - 1)
            .sum();
        let since = as_of - chrono::Duration::days(read);
        let local = since.with_timezone(&chrono_tz::Pacific::Auckland);
        let day = if local.time() == chrono::NaiveTime::MIN {
            local.date_naive()
        } else {
            local.date_naive().succ_opt().unwrap()
        };
        let percent = (read * 86_400) as f64 / (as_of - start).num_seconds() as f64;
        format!(
            " It is exact back to {} ({}% of the history read).",
            day.format("%-d %B %Y"),
            (percent * 100.0).floor()
        )
    };
    assert!(
        said.ends_with(&exact(before)) || said.ends_with(&exact(after)),
        "{said} (expected to end with{})",
        exact(before)
    );
    assert!(harness.state().project().is_none());
}
