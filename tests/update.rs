//! Update data against a sandbox whose account changes between two runs: orders voided,
//! dispatched and edited, new orders, a credit note, a purchase order received, a new option
//! and a new branch, with the stock changes that follow them. After it, an update equals a
//! fresh import at the same moment, cell by cell and ledger row by ledger row, in two time zones
//! and two groupings, and reads only what changed.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use cin7_planner::import::{self, ImportRequest, RunStore, UpdateRequest};
use cin7_planner::project::stock::{StockKey, apply};
use cin7_planner::project::{GroupBy, ImportSettings, Project, RunKind};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::account::*;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use common::{KEY, USERNAME, dec, line, order};
use std::collections::HashMap;

fn first_run() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

/// The stock as of the latest of `readings`, folded in order.
fn latest_state(
    readings: &[cin7_planner::project::stock::StockReading],
) -> HashMap<StockKey, rust_decimal::Decimal> {
    let mut state = HashMap::new();
    for reading in readings {
        apply(&mut state, reading);
    }
    state
}

fn request(sandbox: &Sandbox, settings: &ImportSettings) -> ImportRequest {
    common::request(sandbox.base_url(), settings.clone())
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

fn import_at(sandbox: &Sandbox, settings: &ImportSettings, now: DateTime<Utc>) -> Project {
    block_on(import::run(&request(sandbox, settings), |_| {}, now)).unwrap()
}

/// `project` updated at `now`, with the default overlap.
fn update_at(
    sandbox: &Sandbox,
    settings: &ImportSettings,
    project: Project,
    now: DateTime<Utc>,
) -> Project {
    let request = UpdateRequest {
        run: request(sandbox, settings),
        project: project.into(),
        path: None,
        overlap: import::DEFAULT_OVERLAP,
    };
    block_on(import::update(&request, |_| {}, now)).unwrap()
}

/// An order of one line of `option`, invoiced at `at` and not yet shipped.
fn new_order(id: i64, branch: i64, option: i64, qty: &str, at: DateTime<Utc>) -> SalesOrderRecord {
    let mut unshipped = line(id * 10, option, qty, "12.5", "0");
    unshipped.qty_shipped = dec("0");
    SalesOrderRecord {
        dispatched: None,
        stage: "New".into(),
        ..order(id, branch, at, Some(at), vec![unshipped])
    }
}

/// The changes between the runs, all at `at`; returns how many documents they added.
fn change(account: &mut Account, at: DateTime<Utc>) -> u64 {
    let untouched = |o: &SalesOrderRecord| {
        o.is_approved
            && !o.is_void
            && o.dispatched.is_none()
            && o.lines
                .iter()
                .all(|l| l.qty_shipped.is_zero() && l.sizes.is_empty())
            && o.lines.iter().all(|l| l.qty > dec("0"))
    };
    // Recent ones, which the first run read.
    let open: Vec<i64> = account
        .sales_orders
        .iter()
        .filter(|o| untouched(o) && o.created > at - Duration::days(40))
        .map(|o| o.id)
        .collect();
    assert!(open.len() >= 3, "{} open orders to change", open.len());
    assert!(account.void_sales_order(open[0], at));
    assert!(account.dispatch_sales_order(open[1], at));
    let line = account
        .sales_orders
        .iter()
        .find(|o| o.id == open[2])
        .unwrap()
        .lines[0]
        .id;
    assert!(account.edit_line_qty(open[2], line, dec("7"), at));

    let regular = account
        .products
        .iter()
        .find(|p| p.sizes.is_empty())
        .unwrap()
        .clone();
    let option = regular.options[0].id;
    let next_id = account.sales_orders.iter().map(|o| o.id).max().unwrap() + 1;
    for k in 0..3 {
        let mut order = new_order(next_id + k, 1, option, "2", at);
        if k == 0 {
            order.dispatched = Some(at);
        }
        account.add_sales_order(order);
    }
    assert!(account.dispatch_sales_order(next_id + 1, at));

    return_one(account, option, next_id, at);

    let waiting = account
        .purchase_orders
        .iter()
        .find(|p| {
            p.is_approved
                && !p.is_void
                && p.fully_received.is_none()
                && p.lines.iter().all(|l| l.qty_shipped.is_zero())
        })
        .map(|p| p.id)
        .expect("a purchase order nothing of which has arrived");
    assert!(account.receive_purchase_order(waiting, at));
    // A purchase order of several lines, none received yet, arrives in part (one of which
    // some had arrived would show as drift: the rules date a receipt by its order's last one);
    // the one placed longest ago, long before the history, arrives in full and leaves the
    // orders to receive.
    let open = |p: &&PurchaseOrderRecord| p.is_approved && !p.is_void && p.fully_received.is_none();
    let several = account
        .purchase_orders
        .iter()
        .filter(open)
        .find(|p| p.lines.len() >= 2 && p.lines.iter().all(|l| l.qty_shipped.is_zero()))
        .map(|p| p.id)
        .expect("a purchase order of several lines not yet received");
    assert!(account.receive_purchase_order_in_part(several, at));
    let oldest = account
        .purchase_orders
        .iter()
        .filter(open)
        .min_by_key(|p| p.created)
        .map(|p| p.id)
        .unwrap();
    assert!(account.receive_purchase_order(oldest, at));

    let new_option = OptionRecord {
        id: 99_001,
        code: format!("{}-NEW", regular.style_code),
        barcode: None,
        option1: Some("New".into()),
        option2: None,
        status: "Active".into(),
        retail_price: dec("12.5"),
        cost: dec("5"),
        supplier_code: Some("V200-NEW".into()),
        weight: rust_decimal::Decimal::ZERO,
    };
    assert!(account.add_option(regular.id, new_option, at));
    account.add_sales_order(new_order(next_id + 3, 1, 99_001, "1", at));

    account.add_branch(BranchRecord {
        id: 99,
        name: "New Store".into(),
        branch_type: "Retail Branch".into(),
        is_active: true,
        modified: at,
    });
    account.add_sales_order(new_order(next_id + 4, 99, option, "4", at));

    // Five more on hand at the first stock row of the regular option, from something no
    // document records (a production job): the update shows it as drift.
    let row = account
        .stock
        .iter_mut()
        .find(|s| s.product_option_id == option && s.branch_id == 2)
        .unwrap();
    row.on_hand += dec("5");
    row.modified = at;
    // Three orders, one for the new option, one at the new branch, and the credit note.
    6
}

/// A credit note at branch 1 taking back one of `option` sold by order `order_id`, at `at`.
fn return_one(account: &mut Account, option: i64, order_id: i64, at: DateTime<Utc>) {
    let credit_id = account.credit_notes.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    let mut returned = new_order(0, 1, option, "-1", at).lines;
    returned[0].id = credit_id * 10;
    account.add_credit_note(CreditNoteRecord {
        id: credit_id,
        reference: format!("CN-{credit_id}"),
        sales_reference: format!("SO-{order_id}"),
        source: "POS".into(),
        branch_id: 1,
        created: at,
        modified: at,
        credit_note_date: Some(at),
        completed: Some(at),
        is_void: false,
        lines: returned,
    });
}

/// Everything an update must share with a fresh import at the same moment.
fn assert_same(updated: &Project, fresh: &Project) {
    assert_eq!(updated.items, fresh.items);
    assert_eq!(updated.locations, fresh.locations);
    assert_eq!(updated.periods, fresh.periods);
    // Measured values of earlier periods come only from the earlier reading.
    let without_measured = |p: &Project| {
        p.series
            .iter()
            .map(|s| (s.item, s.location, s.sales.clone(), s.on_hand.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(without_measured(updated), without_measured(fresh));
    let warnings = |p: &Project| {
        let mut w = p.report.warnings.clone();
        w.stock_drift.clear();
        w
    };
    assert_eq!(warnings(updated), warnings(fresh));
    let (u, f) = (
        updated.ledger.as_ref().unwrap(),
        fresh.ledger.as_ref().unwrap(),
    );
    assert_eq!(u.as_of, f.as_of);
    assert_eq!(u.branches, f.branches);
    assert_eq!(u.documents, f.documents);
    assert_eq!(u.sales, f.sales);
    assert_eq!(u.movements, f.movements);
    assert_eq!(u.open_lines, f.open_lines);
    assert_eq!(u.receipts, f.receipts);
    assert_eq!(u.kits, f.kits);
    assert_eq!(updated.planning, fresh.planning);
    assert_eq!(
        latest_state(&u.stock_readings),
        latest_state(&f.stock_readings)
    );
}

/// The demo account served (no rate limit), the settings from September 2025, and the
/// project imported at the first run.
fn imported(group_by: GroupBy, zone: Tz) -> (Sandbox, ImportSettings, Project) {
    let t0 = first_run();
    let mut config = SandboxConfig::new(generate(Preset::Demo, 4, t0), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    let settings =
        ImportSettings::new(NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(), group_by, zone);
    let project = import_at(&sandbox, &settings, t0);
    (sandbox, settings, project)
}

fn check(group_by: GroupBy, zone: Tz) {
    let t0 = first_run();
    let (sandbox, settings, project) = imported(group_by, zone);
    let first_calls = sandbox.requests().len();

    let t1 = t0 + Duration::days(9);
    let mut added = 0;
    sandbox.update(|a| added = change(a, t1));
    let now = t1 + Duration::hours(1);
    let before_update = sandbox.requests().len();
    let updated = update_at(&sandbox, &settings, project.clone(), now);
    let update_calls = sandbox.requests().len() - before_update;
    let fresh = import_at(&sandbox, &settings, now);
    assert_same(&updated, &fresh);
    // The purchase order placed long before the history, received today, leaves the orders
    // to receive.
    let account = sandbox.account();
    let oldest = account
        .purchase_orders
        .iter()
        .min_by_key(|p| p.created)
        .unwrap();
    assert!(oldest.created < t0 - Duration::days(365), "placed long ago");
    let to_receive = |p: &Project| {
        p.planning
            .open_orders
            .iter()
            .any(|o| o.inbound && o.number(p) == oldest.reference)
    };
    assert!(to_receive(&project) && !to_receive(&updated));

    // The five units no document explains, and nothing else, show as drift at the first
    // reading: rebuilt from now, the history has them, the reading then did not.
    let drift = &updated.report.warnings.stock_drift;
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].size(), dec("-5"));
    assert_eq!(drift[0].at, t0);
    assert_eq!(updated.locations[drift[0].location].branch_id, 2);
    assert!(
        fresh.report.warnings.stock_drift.is_empty(),
        "one reading, nothing to compare"
    );
    // Each period with a reading has measured values: the import's (31 May in Los Angeles)
    // and the update's.
    assert_eq!(updated.measured_at.len(), 2);
    assert_eq!(updated.measured_at.last().unwrap().1, now);
    // Sized items have no on-hand history, but measured values at both readings.
    let periods = updated.periods.len();
    let sized = updated
        .series
        .iter()
        .find(|s| updated.items[s.item].sized && !s.measured.is_empty())
        .expect("a sized item with stock");
    assert_eq!(sized.on_hand, None);
    let measured: Vec<_> = sized
        .measured_values(periods, &updated.measured_at)
        .into_iter()
        .flatten()
        .map(|(_, at)| at)
        .collect();
    assert_eq!(measured, vec![t0, now]);
    let run = updated.history.last().unwrap();
    assert_eq!(run.kind, RunKind::Update);
    assert_eq!((run.documents_added, run.documents_voided), (added, 1));
    // Changed: the order dispatched, the order edited, the three purchase orders received (one
    // in part).
    assert_eq!(run.documents_changed, 5, "{run:?}");
    assert_eq!(updated.history.len(), 2);
    assert!(updated.locations.iter().any(|l| l.name == "New Store"));
    assert!(updated.items.iter().any(|i| i.product_option_id == 99_001));

    // The update read what changed since the first run (less the overlap, Cin7's clock being
    // this computer's), not the history: every order it read was modified since, and it made
    // the fewest calls that reads them.
    let since = t0 - Duration::from_std(import::DEFAULT_OVERLAP).unwrap();
    let account = sandbox.account();
    let changed_orders = account
        .sales_orders
        .iter()
        .filter(|o| o.modified >= since)
        .count() as u64;
    assert_eq!(
        updated.report.records.get("SalesOrders"),
        Some(&changed_orders)
    );
    let changed_stock = account.stock.iter().filter(|s| s.modified >= since).count() as u64;
    assert_eq!(updated.report.records.get("Stock"), Some(&changed_stock));
    assert!(changed_orders * 10 < project.report.records["SalesOrders"]);
    // No call beyond the fewest: one per page of what it read and one empty page per walk.
    assert_eq!(update_calls as u64, updated.report.minimum_calls);
    assert!(
        update_calls < first_calls,
        "{update_calls} calls against {first_calls}"
    );
}

/// This computer's clock runs three hours ahead of Cin7's: what changed ten minutes after the
/// import began, by Cin7's clock, is hours "before" it by this computer's. The import measured
/// the gap from the answers' `Date`, so the update reads back from the import's start by
/// Cin7's clock and misses nothing.
#[test]
fn an_update_reads_back_by_cin7s_clock_when_this_computers_runs_ahead() {
    let t0 = first_run();
    let mut config = SandboxConfig::new(generate(Preset::Demo, 4, t0), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.faults = "clock=-3h".parse().unwrap();
    let sandbox = Sandbox::start(config).unwrap();
    let settings = ImportSettings::new(
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
        GroupBy::Week,
        chrono_tz::Pacific::Auckland,
    );
    let project = import_at(&sandbox, &settings, t0);
    let ahead = project
        .ledger
        .as_ref()
        .unwrap()
        .cin7_clock_ahead_secs
        .unwrap();
    assert!((ahead + 3 * 3600).abs() <= 2, "Cin7 {ahead} s ahead");

    sandbox.update(|a| {
        change(a, t0 - Duration::hours(3) + Duration::minutes(10));
    });
    let now = t0 + Duration::hours(2);
    let updated = update_at(&sandbox, &settings, project, now);
    assert_same(&updated, &import_at(&sandbox, &settings, now));
    assert!(updated.items.iter().any(|i| i.product_option_id == 99_001));
}

/// Cin7 may add an option to a product without dating the product. An order for it then names
/// an option the update did not read: the update reads every product, and still equals a
/// fresh import.
#[test]
fn an_option_added_without_dating_its_product_is_still_found() {
    let t0 = first_run();
    let (sandbox, settings, project) = imported(GroupBy::Week, chrono_tz::Pacific::Auckland);
    let t1 = t0 + Duration::days(2);
    sandbox.update(|a| {
        let product = a.products.iter_mut().find(|p| p.sizes.is_empty()).unwrap();
        let mut option = product.options[0].clone();
        option.id = 99_002;
        option.code = format!("{}-QUIET", product.style_code);
        product.options.push(option);
        a.add_sales_order(new_order(900_000, 1, 99_002, "3", t1));
    });
    let now = t1 + Duration::hours(1);
    let before = sandbox.requests().len();
    let updated = update_at(&sandbox, &settings, project, now);
    let products_read = sandbox.requests()[before..]
        .iter()
        .filter(|r| r.path.ends_with("/Products"))
        .count();
    assert_same(&updated, &import_at(&sandbox, &settings, now));
    assert!(updated.items.iter().any(|i| i.product_option_id == 99_002));
    // One call for the products modified since (none), then every product's pages and the
    // empty one after them.
    let pages = sandbox.account().products.len().div_ceil(250);
    assert_eq!(products_read, 1 + pages + 1);
}

#[test]
fn an_update_equals_a_fresh_import_by_weeks_in_auckland() {
    check(GroupBy::Week, chrono_tz::Pacific::Auckland);
}

#[test]
fn an_update_equals_a_fresh_import_by_months_in_los_angeles() {
    check(GroupBy::Month, chrono_tz::America::Los_Angeles);
}

/// Reimport everything reads the account again as a fresh import would, goes on with the
/// project's history, and keeps its checkpoint as a reimport of that project's file.
#[test]
fn a_reimport_equals_a_fresh_import_and_goes_on_with_the_history() {
    let t0 = first_run();
    let (sandbox, settings, project) = imported(GroupBy::Week, chrono_tz::Pacific::Auckland);
    let t1 = t0 + Duration::days(9);
    let mut added = 0;
    sandbox.update(|a| added = change(a, t1));

    let state = tempfile::tempdir().unwrap();
    let path = state.path().join("shop.json");
    let store = RunStore::for_project(state.path(), RunKind::Reimport, &project.connection, &path);
    let run = ImportRequest {
        run_store: Some(store.clone()),
        ..request(&sandbox, &settings)
    };
    let now = t1 + Duration::hours(1);
    let reimported = block_on(import::reimport(
        &run,
        &project,
        Some(path.clone()),
        |_| {},
        now,
    ))
    .unwrap();
    let fresh = import_at(&sandbox, &settings, now);
    assert_same(&reimported, &fresh);
    assert_eq!(reimported.series, fresh.series);
    let kinds: Vec<RunKind> = reimported.history.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![RunKind::Import, RunKind::Reimport]);
    assert_eq!(reimported.history[0], project.history[0]);
    // What it found changed against the project it read again, as an update says it: the
    // order dispatched, the order edited, the three purchase orders received (one in part);
    // every other document read again the same.
    let run = &reimported.history[1];
    assert_eq!((run.documents_added, run.documents_voided), (added, 1));
    assert_eq!(run.documents_changed, 5);
    assert_eq!(
        run.documents_unchanged,
        project.ledger.as_ref().unwrap().documents.len() as u64 - 1 - 5
    );
    // Until the project is saved, its checkpoint says what stopped: a reimport of this file.
    let checkpoint = store.load().unwrap();
    assert_eq!(
        (checkpoint.kind, checkpoint.project, checkpoint.as_of),
        (RunKind::Reimport, Some(path), now)
    );
}

/// The checkpoint of a finished update stays until the project is saved. A second update of
/// the project it made (Update data again before saving) starts from that project, not from
/// the checkpoint, and an update of the older file starts from the file.
#[test]
fn a_second_update_before_saving_starts_from_the_first_not_from_its_checkpoint() {
    let t0 = first_run();
    let (sandbox, settings, project) = imported(GroupBy::Week, chrono_tz::Pacific::Auckland);
    let state = tempfile::tempdir().unwrap();
    let path = state.path().join("shop.json");
    let store = RunStore::for_project(state.path(), RunKind::Update, &project.connection, &path);
    let update = |base: &Project, now| {
        let request = UpdateRequest {
            run: ImportRequest {
                run_store: Some(store.clone()),
                ..request(&sandbox, &settings)
            },
            project: base.clone().into(),
            path: Some(path.clone()),
            overlap: import::DEFAULT_OVERLAP,
        };
        block_on(import::update(&request, |_| {}, now)).unwrap()
    };
    let t1 = t0 + Duration::days(9);
    sandbox.update(|a| {
        change(a, t1);
    });
    let first = update(&project, t1 + Duration::hours(1));

    let t2 = t1 + Duration::days(7);
    let second = update(&first, t2);
    let fresh = import_at(&sandbox, &settings, t2);
    assert_same(&second, &fresh);
    assert_eq!(second.history.len(), 3);
    // Were the window to stop now, the file would still hold the import. An update of it
    // must not take the second update's pages, which hold only what changed since the first.
    assert_eq!(
        store.load().unwrap().base_as_of,
        Some(first.ledger.as_ref().unwrap().as_of)
    );
    let t3 = t2 + Duration::hours(1);
    let again = update(&project, t3);
    assert_same(&again, &import_at(&sandbox, &settings, t3));
}

/// Edits the account while a newest-first import reads it: at the first page of sales orders
/// after the stock, when the windows of the last 147 days are read and the older ones are not
/// (the fourth window is under way); and again once every window is read.
struct EditingMidway<'a> {
    sandbox: &'a Sandbox,
    at: DateTime<Utc>,
    state: &'a std::sync::Mutex<Edits>,
}

#[derive(Default)]
struct Edits {
    /// The sales-order pages read when the stock was done.
    pages_at_stock: Option<u32>,
    midway: bool,
    after_the_windows: bool,
}

impl import::Listener for EditingMidway<'_> {
    fn progress(&self, p: import::Progress) {
        let pages = p
            .walks
            .iter()
            .find(|w| w.resource == cin7_planner::cin7::Resource::SalesOrders)
            .map_or(0, |w| w.pages);
        let stock_read = p.exact.is_some_and(|e| e.on_hand_since.is_some());
        let all_read = p.exact.is_some_and(|e| e.history_read >= 1.0);
        let mut state = self.state.lock().unwrap();
        if stock_read && state.pages_at_stock.is_none() {
            state.pages_at_stock = Some(pages);
        }
        if !state.midway
            && state
                .pages_at_stock
                .is_some_and(|at_stock| pages > at_stock)
        {
            state.midway = true;
            self.sandbox.update(|a| edit_midway(a, self.at));
        }
        if state.midway && all_read && !state.after_the_windows {
            state.after_the_windows = true;
            // Read by the first window, which no later window reads again.
            self.sandbox.update(|a| {
                let recent = open_orders_modified(a, first_run() - Duration::days(14), self.at);
                assert!(a.dispatch_sales_order(recent[0], self.at));
            });
        }
    }
}

/// The first, newest and oldest orders of `account` last modified in `[from, to)` that
/// nothing has shipped of, by id.
fn open_orders_modified(account: &Account, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<i64> {
    let mut ids: Vec<i64> = account
        .sales_orders
        .iter()
        .filter(|o| from <= o.modified && o.modified < to)
        .filter(|o| o.is_approved && !o.is_void && o.dispatched.is_none())
        .filter(|o| o.lines.iter().all(|l| l.qty_shipped.is_zero()))
        .map(|o| o.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// What staff do in Cin7 while the import runs, at `at`: in a window already read, an order
/// voided; in the window being read, the first order by id (on its first page, read) voided
/// and another dispatched; in the oldest window, not read yet, an order dispatched; and a
/// new order, a credit note, a purchase order received and a new branch with an order.
fn edit_midway(account: &mut Account, at: DateTime<Utc>) {
    let as_of = first_run();
    let day = |days: i64| as_of - Duration::days(days);
    // The windows' edges, as of the run: 14, 42, 91 and 182 days back, then the start.
    let read = open_orders_modified(account, day(14), as_of);
    let reading = open_orders_modified(account, day(329), day(147));
    let unread = open_orders_modified(account, DateTime::<Utc>::MIN_UTC, day(329));
    assert!(!read.is_empty() && reading.len() >= 2 && !unread.is_empty());
    assert!(account.void_sales_order(read[read.len() - 1], at));
    assert!(account.void_sales_order(reading[0], at));
    assert!(account.dispatch_sales_order(reading[reading.len() / 2], at));
    assert!(account.dispatch_sales_order(unread[unread.len() / 2], at));

    let option = account.products[0].options[0].id;
    let next_id = account.sales_orders.iter().map(|o| o.id).max().unwrap() + 1;
    account.add_sales_order(new_order(next_id, 1, option, "3", at));
    account.add_branch(BranchRecord {
        id: 77,
        name: "Pop-up".into(),
        branch_type: "Retail Branch".into(),
        is_active: true,
        modified: at,
    });
    account.add_sales_order(new_order(next_id + 1, 77, option, "2", at));
    return_one(account, option, next_id, at);
    let waiting = account
        .purchase_orders
        .iter()
        .find(|p| p.is_approved && !p.is_void && p.fully_received.is_none())
        .map(|p| p.id)
        .expect("a purchase order to receive");
    assert!(account.receive_purchase_order(waiting, at));
}

#[test]
fn edits_made_while_a_newest_first_import_runs_are_in_its_project() {
    let t0 = first_run();
    let mut config = SandboxConfig::new(generate(Preset::Demo, 4, t0), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    // About 520 days: windows of 14, 42, 91 and 182 days, then 190 to the start.
    let settings = ImportSettings::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        GroupBy::Week,
        chrono_tz::Pacific::Auckland,
    );
    let state = std::sync::Mutex::new(Edits::default());
    let editing = EditingMidway {
        sandbox: &sandbox,
        at: t0 + Duration::minutes(10),
        state: &state,
    };
    let before = sandbox.account();
    // Kept pages, as the window and the command line keep them: the suppliers and branches
    // read again at the end are asked of Cin7, not taken from the pages of their first read.
    let state_dir = tempfile::tempdir().unwrap();
    let kept = ImportRequest {
        run_store: Some(RunStore::at(state_dir.path())),
        ..request(&sandbox, &settings)
    };
    let project = block_on(import::run(&kept, editing, t0)).unwrap();
    let edits = state.lock().unwrap();
    assert!(
        edits.midway && edits.after_the_windows,
        "the edits were made"
    );
    let after = sandbox.account();
    assert_ne!(before.sales_orders.len(), after.sales_orders.len());

    let single_pass = ImportRequest {
        newest_first: false,
        ..request(&sandbox, &settings)
    };
    let at_the_end = block_on(import::run(&single_pass, |_| {}, t0)).unwrap();
    common::assert_same_project(&project, &at_the_end, "edited midway");
    assert!(project.locations.iter().any(|l| l.name == "Pop-up"));
}
