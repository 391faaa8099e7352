//! The window as a new planner met it, each finding a test: a read-only project is never
//! replaced, the date picker opens on every click and starts from its date, a run that read
//! nothing gives the dialog back, Cin7 out of reach shows as retrying, branches are chosen by
//! name, permissions found off are named before OK starts anything, closing during an update
//! asks, the words say what happened; and the desk around the project: the table's keys,
//! copy and totals, the data report's items (the documents a note counts), times in the project's zone, zoom, the help and
//! about boxes, and the last project reopened on start.

use super::*;
use cin7_planner::project::file;
use cin7_planner::ui::Tone;

fn first_of_june() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

/// The fixture imported and saved to `saved` (the chooser's first answer).
fn saved_fixture(setup: &Setup, saved: &std::path::Path) -> Harness<'static, PlannerApp> {
    let mut harness = setup.imported();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(saved));
    harness
}

/// Regroups the open project by weeks (it was imported by months): a change to save.
fn regroup_by_weeks(harness: &mut Harness<'_, PlannerApp>) {
    click(harness, "Grouping…");
    // Choosing the grouping moves nothing below it: Apply stays under the pointer.
    let apply_at = harness.get_by_label("Apply").rect();
    click(harness, "Weeks");
    assert_eq!(harness.get_by_label("Apply").rect(), apply_at);
    click(harness, "Apply");
    step_until(harness, "the regrouping", |h| {
        h.state()
            .project()
            .is_some_and(|p| p.settings.group_by == GroupBy::Week)
    });
    click(harness, "Grouping…");
}

/// A project saved to `saved` in `dir`, whose updates take 2 s (Sales Orders answer late), with
/// the window's state kept in a folder of its own.
struct SlowUpdates {
    _sandbox: Sandbox,
    _state: tempfile::TempDir,
    dir: tempfile::TempDir,
    saved: std::path::PathBuf,
    setup: Setup,
}

/// Its setup answers the save with `saved`, then each of the choosers `opens` with it too.
fn slow_updates(opens: usize) -> SlowUpdates {
    let sandbox = serve_slow("slow=SalesOrders:2s");
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let answers = std::iter::repeat_with(|| Choice::Picked(saved.clone())).take(1 + opens);
    let mut setup = Setup::new(sandbox.base_url()).answers(answers);
    setup.state_dir = Some(state.path().to_owned());
    SlowUpdates {
        _sandbox: sandbox,
        _state: state,
        dir,
        saved,
        setup,
    }
}

/// F5, and the update shown under way.
fn update_under_way(harness: &mut Harness<'_, PlannerApp>) {
    harness.key_press(Key::F5);
    harness.run_ok();
    step_until(harness, "the update under way", |h| {
        h.query_by_label("Updating from Cin7").is_some()
    });
}

#[test]
fn a_read_only_project_is_not_replaced_and_save_as_is_offered() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let (saved, other) = (dir.path().join("shop.json"), dir.path().join("other.json"));
    let setup = Setup::new(sandbox.base_url()).answers([
        Choice::Picked(saved.clone()),
        Choice::Picked(saved.clone()),
        Choice::Picked(other.clone()),
    ]);
    let mut harness = saved_fixture(&setup, &saved);
    regroup_by_weeks(&mut harness);
    std::fs::set_permissions(&saved, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&saved).unwrap();
    let refusal = format!(
        "{} may not be changed (it is read-only, or you may not write there), so it was not replaced. Save under another name instead?",
        saved.display()
    );
    // Save: refused, and Save As offered; the file is as it was.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    harness.get_by_label(&refusal);
    assert_eq!(std::fs::read(&saved).unwrap(), before);
    assert!(harness.state().is_dirty());
    // The status line says so: no "Saved" from before stays there.
    assert_eq!(
        harness.state().status_line(),
        Some(&cin7_planner::ui::Notice {
            text: "shop.json is read-only, so it was not replaced.".to_owned(),
            tone: Tone::Warning,
        })
    );
    // Save As… to the same file (the chooser's answer): refused again.
    click(&mut harness, "Save As…");
    harness.run_ok();
    harness.get_by_label(&refusal);
    assert_eq!(std::fs::read(&saved).unwrap(), before);
    // Save As… to another file: saved there; the read-only one is still as it was.
    click(&mut harness, "Save As…");
    idle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(other.as_path()));
    assert_eq!(harness.state().title(), "other.json — Cin7 Planner");
    assert_eq!(std::fs::read(&saved).unwrap(), before);
    let mode = std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[test]
fn the_date_picker_opens_on_every_click_and_starts_from_the_dialog_s_date() {
    let mut setup = Setup::new("https://api.cin7.com/api");
    setup.today = first_of_june;
    let mut harness = setup.harness();
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    // Typed into a field first, as the planner did when it stopped opening.
    type_into(&mut harness, "API username", USERNAME);
    for _ in 0..2 {
        click(&mut harness, "Starting date");
        // It shows the month and the year of the dialog's date (two years back), and its
        // arrows work (it is above the dialog, which would take the click otherwise).
        harness.get_by_label("June 2024");
        click(&mut harness, "Previous month");
        harness.get_by_label("May 2024");
        // Escape closes the picker only; the dialog stays, its date unchanged.
        harness.key_press(Key::Escape);
        harness.run_ok();
        assert!(harness.query_by_label("May 2024").is_none());
        harness.get_by_label("API username");
    }
    // Days after today are greyed out, and so is the arrow to the next month.
    click(&mut harness, "Starting date");
    click(&mut harness, "Next year");
    click(&mut harness, "Next year");
    harness.get_by_label("June 2026");
    assert!(
        harness
            .get_by_label("2 June 2026")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        !harness
            .get_by_label("1 June 2026")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .get_by_label("Next month")
            .accesskit_node()
            .is_disabled()
    );
    // A typed date that is not one, or in the future, is refused in words.
    type_into(&mut harness, "Type a date", "2024-02-30");
    click(&mut harness, "Set");
    harness.get_by_label("\"2024-02-30\" is not a date: type one like 2024-01-31.");
    type_into(&mut harness, "Type a date", "2027-01-01");
    harness.key_press(Key::Enter);
    harness.run_ok();
    harness.get_by_label("1 January 2027 is after today: the history cannot start in the future.");
    // Refused by Enter, the field keeps the keyboard, to put the date right; typing clears
    // the refusal.
    harness.run_ok();
    assert!(
        harness
            .get_by_label("Type a date")
            .accesskit_node()
            .is_focused()
    );
    harness.key_press(Key::Backspace);
    harness.run_ok();
    assert!(harness.query_by_label_contains("is after today").is_none());
    // Today: chosen, and the picker closes; opened again, it shows today's month.
    click(&mut harness, "Today");
    assert!(harness.query_by_label("Previous month").is_none());
    click(&mut harness, "Starting date");
    harness.get_by_label("June 2026");
    harness.key_press(Key::Escape);
    harness.run_ok();
    // A new dialog's picker starts from the new dialog's date, on the first click after the
    // dialog opens (the keyboard in its first field).
    click(&mut harness, "Cancel");
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    click(&mut harness, "Starting date");
    harness.get_by_label("June 2024");
}

/// A run from the dialog that reads nothing gives the dialog back as it was, with what went
/// wrong at its field, and leaves nothing to continue.
#[test]
fn a_run_that_read_nothing_gives_the_dialog_back_with_the_field_at_fault() {
    let sandbox = serve(fixture_account());
    let state = tempfile::tempdir().unwrap();
    let mut setup = Setup::new(sandbox.base_url());
    setup.state_dir = Some(state.path().to_owned());
    let mut harness = setup.harness();
    new_dialog_with(&mut harness, "wrong-key");
    click(&mut harness, "OK");
    let sentence = "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1.";
    step_until(&mut harness, "the dialog back", |h| {
        h.query_by_label(sentence).is_some()
    });
    assert_eq!(
        harness.get_by_label("API username").value().as_deref(),
        Some(USERNAME)
    );
    assert!(harness.state().project().is_none());
    assert!(RunStore::stopped(state.path()).is_empty());
    // The key edited, its fault goes; an address nothing answers at is named at its field.
    type_into(&mut harness, "API key", KEY);
    assert!(harness.query_by_label(sentence).is_none());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    open_import_options(&mut harness);
    type_into(&mut harness, "API address", &address);
    click(&mut harness, "OK");
    step_until(&mut harness, "the dialog back", |h| {
        h.query_by_label_contains("Could not reach Cin7").is_some()
    });
    harness.get_by_label_contains("(the connection was refused)");
    assert!(RunStore::stopped(state.path()).is_empty());
    click(&mut harness, "Cancel");
    assert!(harness.query_by_label_contains("Continue").is_none());
}

/// Cin7 out of reach: the progress says so at once, with why and when the next attempt goes,
/// and its time moves on; Test connection gives up within ten seconds, saying why.
#[test]
fn unreachable_cin7_shows_as_retrying_and_test_connection_gives_up_in_ten_seconds() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let mut setup = Setup::new(&address);
    setup.retry = RetryPolicy {
        max_attempts: 6,
        max_rate_limited: 10,
        first_delay: Duration::from_secs(20),
        max_delay: Duration::from_secs(60),
    };
    let mut harness = setup.harness();
    new_dialog_with(&mut harness, KEY);
    click(&mut harness, "OK");
    let started = Instant::now();
    step_until(&mut harness, "the retrying state", |h| {
        h.query_by_label_contains(
            "Cin7 cannot be reached (the connection was refused): trying again at ",
        )
        .is_some()
    });
    harness.get_by_label_contains(", attempt 2 of 6.");
    assert!(started.elapsed() < Duration::from_secs(3), "said at once");
    // The time spent moves on while nothing answers.
    step_until(&mut harness, "two seconds", |h| {
        h.query_by_label_contains("2 s elapsed").is_some()
    });
    click(&mut harness, "Cancel");
    step_until(&mut harness, "the cancellation", |h| !h.state().is_busy());
    harness.get_by_label(&format!(
        "The import of {USERNAME} was cancelled before anything was read."
    ));
    assert_eq!(harness.state().status_line().unwrap().tone, Tone::Info);

    // A server that takes the connection and never answers.
    let silent = serve_slow("slow=Branches:40s");
    let mut harness = Setup::new(silent.base_url()).harness();
    new_dialog_with(&mut harness, KEY);
    let started = Instant::now();
    click(&mut harness, "Test connection");
    let deadline = Instant::now() + Duration::from_secs(15);
    while harness
        .query_by_label_contains("Cin7 did not answer within 10 s at ")
        .is_none()
    {
        assert!(Instant::now() < deadline, "Test connection did not give up");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        started.elapsed() < Duration::from_secs(11),
        "{:?}",
        started.elapsed()
    );
    harness.get_by_label(&format!(
        "Cin7 did not answer within 10 s at {}: check the API address and this computer's network, then test again.",
        silent.base_url()
    ));
}

#[test]
fn branches_are_chosen_by_name_from_what_test_connection_found() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).harness();
    menu(&mut harness, &["File", "New", "Cin7 connection… Ctrl+N"]);
    fill_dialog(&mut harness, KEY);
    harness.get_by_label("Test connection lists the account's branches to choose from.");
    test_connection(&mut harness, "✔ Adjustments");
    click(&mut harness, "All branches");
    // Every branch ticked, by name; one unticked.
    click(&mut harness, "Shop, Main St (2)");
    click(&mut harness, "OK");
    step_until(&mut harness, "the import", |h| {
        h.state().project().is_some()
    });
    let project = harness.state().project().unwrap();
    let names: Vec<&str> = project.locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Warehouse"]);
    assert_eq!(project.settings.branches, Some(vec![1]));
    assert_eq!(harness.state().persisted().dialog.branches, "1");
}

#[test]
fn closing_during_an_update_asks_and_the_stopped_update_continues() {
    let slow = slow_updates(0);
    let (saved, setup) = (&slow.saved, &slow.setup);
    let mut harness = saved_fixture(setup, saved);
    update_under_way(&mut harness);
    // The project stays on screen and usable: sorted, a row chosen, its chart shown.
    assert!(
        harness
            .get_by_label("Update data")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, "Units sold");
    assert_eq!(
        shown_codes(&harness),
        ["MUG-RED", "TEE-RED-S", "TEE-RED-M", "MUG-BLU", "MUG-BLU"]
    );
    harness
        .query_all_by_label("TEE-RED-S")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
    harness.get_by_label("TEE-RED-S at Shop, Main St");
    // The close button asks, as for an import; Stop it closes the window.
    press_close_button(&mut harness);
    harness.run_ok();
    harness.get_by_label("Update data is running");
    click(&mut harness, "Stop it");
    step_until(&mut harness, "the window to close", closing);
    drop(harness);

    // The next window offers to continue the update, by that name; it goes on to the end.
    let mut restarted = setup.harness();
    restarted
        .get_by_label_contains("An update of shop.json from 1 January 2024, by months, started ");
    click(&mut restarted, "Continue update");
    step_until(&mut restarted, "the continued update", |h| {
        h.state().project().is_some_and(|p| p.history.len() == 2)
    });
    assert_eq!(restarted.state().project_path(), Some(saved.as_path()));
}

/// Continue update with its project moved away fails in a sentence, and nothing waits on it:
/// the project opened later opens without starting an update.
#[test]
fn a_continue_that_cannot_open_its_project_leaves_nothing_waiting() {
    let slow = slow_updates(1);
    let (dir, saved, setup) = (&slow.dir, &slow.saved, &slow.setup);
    let mut harness = saved_fixture(setup, saved);
    update_under_way(&mut harness);
    press_close_button(&mut harness);
    harness.run_ok();
    click(&mut harness, "Stop it");
    step_until(&mut harness, "the window to close", closing);
    drop(harness);

    let moved = dir.path().join("moved.json");
    std::fs::rename(saved, &moved).unwrap();
    let mut restarted = setup.harness();
    click(&mut restarted, "Continue update");
    idle(&mut restarted);
    assert_eq!(restarted.state().status_line().unwrap().tone, Tone::Error);
    assert!(restarted.state().project().is_none());
    std::fs::rename(&moved, saved).unwrap();
    restarted.key_press_modifiers(Modifiers::COMMAND, Key::O);
    restarted.run_ok();
    idle(&mut restarted);
    assert_eq!(restarted.state().project_path(), Some(saved.as_path()));
    assert_eq!(restarted.state().project().unwrap().history.len(), 1);
}

/// A question about stopping an update is withdrawn when the update ends first, and what it
/// was for (closing the window) is asked again as things now stand: the updated project is
/// unsaved.
#[test]
fn a_question_about_stopping_an_update_goes_when_the_update_ends() {
    let slow = slow_updates(0);
    let (saved, setup) = (&slow.saved, &slow.setup);
    let mut harness = saved_fixture(setup, saved);
    update_under_way(&mut harness);
    press_close_button(&mut harness);
    harness.run_ok();
    harness.get_by_label("Update data is running");
    step_until(&mut harness, "the question to be withdrawn", |h| {
        h.query_by_label("Update data is running").is_none()
    });
    assert!(!harness.state().is_busy());
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Save the changes to shop.json first?");
    assert!(harness.query_by_label_contains("under way stops").is_none());
}

/// An update that ends after a regrouping landed never replaces the regrouped project: what
/// it read is kept for the next Update data, and the status line says so.
#[test]
fn an_update_ending_after_a_regrouping_never_replaces_it() {
    let mut slow = slow_updates(0);
    // The key kept for the session: F5 starts the update in the frame it is pressed.
    slow.setup.secrets = Arc::new(NoKeychain);
    let (saved, setup) = (&slow.saved, &slow.setup);
    let mut harness = saved_fixture(setup, saved);
    click(&mut harness, "Grouping…");
    click(&mut harness, "Weeks");
    // Apply and F5 in one frame (a step: `run_ok` may draw one in between): the regrouping
    // lands while the update runs.
    harness.get_by_label("Apply").click();
    harness.key_press(Key::F5);
    harness.step();
    assert!(harness.state().is_busy());
    idle(&mut harness);
    // The regrouped project stays, with its file; the update went onto it, or (when the
    // regrouping landed while it ran) waits for the next Update data, and the status says so.
    let project = harness.state().project().unwrap();
    assert_eq!(project.settings.group_by, GroupBy::Week);
    assert_eq!(harness.state().project_path(), Some(saved.as_path()));
    assert!(harness.state().is_dirty());
    let notice = harness.state().status_line().unwrap();
    if project.history.len() == 1 {
        assert_eq!(
            (notice.text.as_str(), notice.tone),
            (
                "The update finished after the project on screen changed, so it was not applied; what it read is kept, and the next Update data picks it up.",
                Tone::Warning
            )
        );
    } else {
        assert_eq!(project.history.len(), 2);
        assert_eq!(notice.tone, Tone::Info);
    }
}

#[test]
fn the_words_say_what_happened() {
    let sandbox = serve(fixture_account());
    let mut setup = Setup::new(sandbox.base_url());
    setup.secrets = Arc::new(NoKeychain);
    let mut harness = setup.imported();
    idle(&mut harness);
    // Reimport of an account where nothing changed: nothing said to have changed.
    menu(&mut harness, &["File", "Reimport everything…"]);
    click(&mut harness, "Reimport");
    step_until(&mut harness, "the reimport", |h| {
        h.query_by_label_contains("Reimported everything:")
            .is_some()
    });
    let said = harness
        .get_by_label_contains("Reimported everything:")
        .value()
        .unwrap();
    assert!(
        said.starts_with(
            "Reimported everything: no document added, none changed, none voided, 15 read again unchanged ("
        ),
        "{said}"
    );
    // Forget API key where no keychain answers: said in words, not the keychain's error.
    menu(&mut harness, &["File", "Forget API key"]);
    idle(&mut harness);
    harness.get_by_label("The keychain could not forget the API key (no keychain answers on this computer): remove it with this computer's keychain app.");
    assert_eq!(harness.state().status_line().unwrap().tone, Tone::Warning);
}

/// Arrow keys move the selection (Shift extends it), the totals follow, Ctrl+C copies the
/// rows selected for a spreadsheet, Ctrl+A selects every row shown.
#[test]
fn the_table_moves_copies_and_totals() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).imported();
    harness.get_by_label("5 rows");
    harness.get_by_label("· Units sold 7 · Revenue NZD 90.00 · Profit NZD 62.00 · To ship 0 · To receive 0 · 0 open order lines");
    harness
        .query_all_by_label("MUG-BLU")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
    harness.key_press(Key::ArrowDown);
    harness.run_ok();
    harness.get_by_label("MUG-BLU at Shop, Main St");
    harness.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
    harness.run_ok();
    harness.get_by_label("2 of 5 rows selected");
    harness.get_by_label("· Units sold 3 · Revenue NZD 34.00 · Profit NZD 22.00 · To ship 0 · To receive 0 · 0 open order lines");
    // The copy goes out in the frame that takes the key (the harness runs a frame per event).
    harness.event(egui::Event::Key {
        key: Key::C,
        pressed: true,
        modifiers: Modifiers::COMMAND,
        repeat: false,
        physical_key: None,
    });
    harness.step();
    let copied: Vec<String> = harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        copied,
        [
            "Code\tDescription\tLocation\tSized\tUnits sold\tRevenue\tProfit\tLast on-hand\tTo ship\tTo receive\tLead time\nMUG-BLU\tMug\tShop, Main St\t\t2\t20.00\t12.00\t4\t0\t0\t\nMUG-RED\tMug\tWarehouse\t\t1\t14.00\t10.00\t3\t0\t0\t\n"
        ]
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_ok();
    harness.get_by_label("5 of 5 rows selected");
}

/// The data report says what each note means and whether to act, and lists the items behind
/// it: a click shows the item. Its runs, and the details, are in the project's time zone.
#[test]
fn the_data_report_shows_the_items_behind_a_note_in_the_project_s_zone() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).imported();
    harness.get_by_label("2 sized items");
    harness.get_by_label_contains("Cin7 gives no per-size stock movements, so these have sales history but no on-hand history");
    // The list under the sized items' note (another note may list two things too).
    click(&mut harness, "Show the 2 items");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Link, "TEE-RED-S")
        .click();
    harness.run_ok();
    // Its chart, by the table's selection.
    harness.get_by_label("TEE-RED-S at Shop, Main St");
    harness.get_by_label("Sized item: no on-hand history (hover for why)");
    // In Auckland, by its own clock.
    let zone = chrono::Utc::now()
        .with_timezone(&chrono_tz::Pacific::Auckland)
        .format("%Z")
        .to_string();
    harness.get_by_label_contains(&format!(" {zone}"));
    click(&mut harness, "Details");
    harness.get_by_label_contains("Last import on ");
    assert!(harness.query_by_label_contains(" UTC:").is_none());
}

/// A note lists the documents its count counts: an unknown product's line on a void order is
/// not counted (the order is not), so that order is listed with the void orders only.
#[test]
fn a_note_lists_the_documents_its_count_counts() {
    let mut account = fixture_account();
    let void = account.sales_orders.iter_mut().find(|o| o.is_void).unwrap();
    void.lines.push(line(42, 9999, "1", "5", "0"));
    let sandbox = serve(account);
    let mut harness = Setup::new(sandbox.base_url()).imported();
    harness.get_by_label("1 lines for unknown items");
    let lists: Vec<String> = harness
        .query_all_by_label_contains("Show the ")
        .map(|node| node.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(
        lists,
        [
            "Show the 1 item–location",
            "Show the 2 items",
            "Show the 1 document",
            "Show the 1 document",
            "Show the 2 documents",
            "Show the 1 document",
            "Show the 1 document",
        ]
    );
    let unknown_items = harness
        .query_all_by_label("Show the 1 document")
        .next()
        .unwrap();
    // Below the report panel's fold in the harness's window: scrolled to first.
    unknown_items.scroll_to_me();
    harness.run_ok();
    harness
        .query_all_by_label("Show the 1 document")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
    harness.get_by_label("sales order 3");
    assert!(harness.query_by_label("sales order 4").is_none());
}

#[test]
fn zoom_the_help_the_about_box_and_the_last_project_reopened() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shop.json");
    let state = tempfile::tempdir().unwrap();
    let mut setup = Setup::new(sandbox.base_url()).answers([Choice::Picked(saved.clone())]);
    setup.state_dir = Some(state.path().to_owned());
    let mut harness = saved_fixture(&setup, &saved);
    menu(&mut harness, &["View", "Zoom in Ctrl+Plus"]);
    assert_eq!(harness.state().persisted().zoom, 1.1);
    menu(&mut harness, &["View", "Actual size Ctrl+0"]);
    assert_eq!(harness.state().persisted().zoom, 1.0);
    menu(&mut harness, &["Help", "Keyboard shortcuts"]);
    harness.get_by_label("Update data: read what changed in Cin7");
    click(&mut harness, "Close");
    menu(&mut harness, &["Help", "About Cin7 Planner"]);
    harness.get_by_label(&format!("Version {}", cin7_planner::identity::VERSION));
    harness.get_by_label(&state.path().display().to_string());
    harness.get_by_label(&state.path().join("cin7-planner.log").display().to_string());
    click(&mut harness, "Close");
    // Monday: the app starts on the last project.
    let mut restarted = Setup::new(sandbox.base_url());
    restarted.state = through_storage(harness.state().persisted());
    assert!(restarted.state.reopen_last);
    let mut monday = restarted.harness();
    step_until(&mut monday, "the last project", |h| {
        h.state().project_path() == Some(saved.as_path())
    });
}

/// The dialog keeps its place as Test connection's answers come, OK is the last button on
/// the right.
#[test]
fn the_dialog_keeps_its_place_and_ok_is_on_the_right() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).harness();
    new_dialog_with(&mut harness, KEY);
    let heading = harness.get_by_label("Cin7 connection").rect();
    let (ok, cancel) = (
        harness.get_by_label("OK").rect(),
        harness.get_by_label("Cancel").rect(),
    );
    assert!(ok.left() > cancel.right(), "{ok:?} {cancel:?}");
    test_connection(&mut harness, "✔ Adjustments");
    assert_eq!(harness.get_by_label("Cin7 connection").rect(), heading);
    assert_eq!(harness.get_by_label("OK").rect().right(), ok.right());
}

/// The channels option, in Grouping and sales options: ticked among the channels the sales
/// came from, or typed; applied from the ledger without calling Cin7.
#[test]
fn sales_of_chosen_channels_only_without_a_call() {
    let sandbox = serve(fixture_account());
    let mut harness = Setup::new(sandbox.base_url()).imported();
    harness.get_by_label_contains("· Units sold 7 ·");
    let calls = sandbox.requests().len();
    click(&mut harness, "Grouping…");
    click(&mut harness, "Choose…");
    click(&mut harness, "POS");
    harness.key_press(Key::Escape);
    harness.run_ok();
    apply_channels(&mut harness, "POS");
    // Every sale of the fixture is a POS one.
    harness.get_by_label_contains("· Units sold 7 ·");
    type_into(&mut harness, "Channels", "Shopify");
    apply_channels(&mut harness, "Shopify");
    harness.get_by_label_contains("· Units sold 0 ·");
    assert_eq!(sandbox.requests().len(), calls, "no call to Cin7");
}

/// Applies the grouping options and waits until the project counts only `channel`'s sales.
fn apply_channels(harness: &mut Harness<'_, PlannerApp>, channel: &str) {
    click(harness, "Apply");
    step_until(harness, "the regrouping", |h| {
        h.state()
            .project()
            .is_some_and(|p| p.settings.channels == Some(vec![channel.to_owned()]))
    });
}

/// New projects are saved as `.cin7plan` (the name typed without one gets it); a project saved
/// as `.json` before reopens, and Save writes it back under its own name.
#[test]
fn new_projects_are_cin7plan_files_and_json_ones_keep_their_name() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let (typed, legacy) = (dir.path().join("shop"), dir.path().join("2023.json"));
    let setup = Setup::new(sandbox.base_url())
        .answers([Choice::Picked(typed), Choice::Picked(legacy.clone())]);
    let saved = dir.path().join("shop.cin7plan");
    let mut harness = saved_fixture(&setup, &saved);
    let imported = file::open(&saved).unwrap();
    assert_eq!(imported.settings.group_by, GroupBy::Month);

    std::fs::copy(&saved, &legacy).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::O);
    harness.run_ok();
    step_until(&mut harness, "the .json project", |h| {
        h.state().project_path() == Some(legacy.as_path())
    });
    regroup_by_weeks(&mut harness);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_ok();
    idle(&mut harness);
    assert_eq!(harness.state().project_path(), Some(legacy.as_path()));
    assert_eq!(
        file::open(&legacy).unwrap().settings.group_by,
        GroupBy::Week
    );
    assert_eq!(
        file::open(&saved).unwrap().settings.group_by,
        GroupBy::Month
    );
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["2023.json", "shop.cin7plan"]);

    // Started with the .cin7plan named (a double-click on it): it opens, not the last one.
    let mut restarted = Setup::new(sandbox.base_url());
    restarted.state = through_storage(harness.state().persisted());
    assert_eq!(restarted.state.recent.first(), Some(&legacy));
    // Given relative to the folder the app starts in, as `cin7-planner ../shop.cin7plan` has
    // it: the recent list keeps it whole, to be found again from any folder.
    let up = "../".repeat(std::env::current_dir().unwrap().components().count() - 1);
    let relative = std::path::PathBuf::from(up).join(saved.strip_prefix("/").unwrap());
    assert!(relative.is_relative() && relative.is_file());
    restarted.open_first = Some(relative);
    let mut again = restarted.harness();
    step_until(&mut again, "the project named at start", |h| {
        h.state().project_path() == Some(saved.as_path())
    });
    assert_eq!(
        again.state().project().unwrap().settings.group_by,
        GroupBy::Month
    );
    assert_eq!(again.state().persisted().recent.first(), Some(&saved));
}
