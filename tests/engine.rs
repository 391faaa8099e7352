//! The engine against the hand-worked fixture account (tests/common), over loopback: items,
//! locations and sales series checked cell by cell for day, week and month grouping, and a
//! time zone that moves a sale across midnight and into another week.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportError, ImportRequest};
use cin7_planner::project::SaleDate;
use cin7_planner::project::{DataWarnings, GroupBy, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use common::*;
use rust_decimal::Decimal;

const AUCKLAND: Tz = chrono_tz::Pacific::Auckland;

fn now() -> DateTime<Utc> {
    utc(2024, 2, 10, 0, 0)
}

fn request(base_url: &str, start: NaiveDate, group_by: GroupBy, time_zone: Tz) -> ImportRequest {
    common::request(base_url, ImportSettings::new(start, group_by, time_zone))
}

fn run(request: &ImportRequest) -> Result<Project, ImportError> {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(import::run(request, |_| {}, now()))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// (quantities, revenues) of one item at one location, as text, one per period.
fn cells(project: &Project, code: &str, location: &str) -> (Vec<String>, Vec<String>) {
    let series = project
        .series
        .iter()
        .find(|s| {
            project.items[s.item].code == code && project.locations[s.location].name == location
        })
        .unwrap_or_else(|| panic!("no series for {code} at {location}"));
    let text = |v: &[Decimal]| v.iter().map(|d| d.normalize().to_string()).collect();
    let periods = project.periods.len();
    (
        text(&series.sales_qty(periods)),
        text(&series.sales_revenue(periods)),
    )
}

/// A series of `len` zeros with the given (index, value) cells set.
fn expect(len: usize, set: &[(usize, &str)]) -> Vec<String> {
    let mut v = vec!["0".to_owned(); len];
    for (i, value) in set {
        v[*i] = (*value).to_owned();
    }
    v
}

#[test]
fn months_in_auckland() {
    let sandbox = serve(fixture_account());
    // A starting date mid-month: the first period still starts on the 1st.
    let project = run(&request(
        sandbox.base_url(),
        date(2024, 1, 10),
        GroupBy::Month,
        AUCKLAND,
    ))
    .unwrap();

    let starts: Vec<NaiveDate> = project.periods.iter().map(|p| p.start).collect();
    assert_eq!(starts, vec![date(2024, 1, 1), date(2024, 2, 1)]);
    assert!(project.last_period_in_progress);

    let codes: Vec<(&str, &str, bool)> = project
        .items
        .iter()
        .map(|i| (i.code.as_str(), i.size.as_str(), i.sized))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("MUG-BLU", "", false),
            ("MUG-RED", "", false),
            ("TEE-RED-S", "S", true),
            ("TEE-RED-M", "M", true)
        ]
    );
    assert_eq!(project.items[0].description, "Mug");
    assert_eq!(project.items[0].options, vec!["Blue".to_owned()]);
    assert_eq!(project.items[0].category.as_deref(), Some("Kitchen"));
    let locations: Vec<&str> = project.locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(locations, vec!["Warehouse", "Shop, Main St"]);

    assert_eq!(project.series.len(), 5);
    assert_eq!(
        cells(&project, "MUG-BLU", "Warehouse"),
        (expect(2, &[(0, "2")]), expect(2, &[(0, "20")]))
    );
    assert_eq!(
        cells(&project, "MUG-RED", "Warehouse"),
        (expect(2, &[(0, "1")]), expect(2, &[(0, "14")]))
    );
    // Three sold, one returned on 20 January.
    assert_eq!(
        cells(&project, "MUG-BLU", "Shop, Main St"),
        (expect(2, &[(0, "2")]), expect(2, &[(0, "20")]))
    );
    assert_eq!(
        cells(&project, "TEE-RED-S", "Shop, Main St"),
        (expect(2, &[(1, "1")]), expect(2, &[(1, "18")]))
    );
    // Two sold, one returned on 3 February.
    assert_eq!(
        cells(&project, "TEE-RED-M", "Shop, Main St"),
        (expect(2, &[(1, "1")]), expect(2, &[(1, "18")]))
    );

    assert_eq!(
        project.report.warnings,
        DataWarnings {
            unknown_item_lines: 1,
            unknown_branch_documents: 1,
            orders_not_counted: 2,
            orders_outside_periods: 1,
            kit_component_lines: 1,
            credit_notes_not_counted: 1,
            // MUG-RED at the warehouse at the end of January, below.
            negative_on_hand_values: 1,
            ..DataWarnings::default()
        }
    );
    // At the least: ten list walks (suppliers, branches, products, kits, sales orders, credit
    // notes, stock, purchase orders, transfers, adjustments), each one page (the kits: none)
    // and one empty page, and the three walks of open documents older than the history, each
    // an empty page. Read newest first, the sales orders' 47 days are two windows of 14 and 33
    // days, each a page and its empty page (two calls more), and what changed since the run
    // started is read again: suppliers and branches in full (four calls), the five kinds of
    // document, products, kits and stock (eight).
    assert_eq!(
        (project.report.calls, project.report.minimum_calls),
        (36, 22)
    );
    let records: Vec<(&str, u64)> = project
        .report
        .records
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        records,
        vec![
            ("Adjustments", 2),
            ("BranchTransfers", 1),
            ("Branches", 2),
            ("Contacts", 1),
            ("CreditNotes", 3),
            ("Products", 2),
            ("PurchaseOrders", 1),
            ("SalesOrders", 8),
            ("Stock", 3)
        ]
    );
}

#[test]
fn weeks_in_auckland_and_in_utc() {
    let sandbox = serve(fixture_account());
    let nz = run(&request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Week,
        AUCKLAND,
    ))
    .unwrap();
    let starts: Vec<NaiveDate> = nz.periods.iter().map(|p| p.start).collect();
    assert_eq!(
        starts,
        vec![
            date(2024, 1, 1),
            date(2024, 1, 8),
            date(2024, 1, 15),
            date(2024, 1, 22),
            date(2024, 1, 29),
            date(2024, 2, 5)
        ]
    );
    assert_eq!(cells(&nz, "MUG-BLU", "Warehouse").0, expect(6, &[(0, "2")]));
    // Sunday 7 January 11:30 UTC is Monday 8 January in Auckland: the second week.
    assert_eq!(cells(&nz, "MUG-RED", "Warehouse").0, expect(6, &[(1, "1")]));
    // The return of 20 January falls in the week of 15 January, with the sale it undoes.
    assert_eq!(
        cells(&nz, "MUG-BLU", "Shop, Main St").0,
        expect(6, &[(2, "2")])
    );
    assert_eq!(
        cells(&nz, "TEE-RED-M", "Shop, Main St"),
        (expect(6, &[(4, "1")]), expect(6, &[(4, "18")]))
    );

    let utc_project = run(&request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Week,
        Tz::UTC,
    ))
    .unwrap();
    assert_eq!(
        cells(&utc_project, "MUG-RED", "Warehouse").0,
        expect(6, &[(0, "1")])
    );
    assert_eq!(
        cells(&utc_project, "MUG-BLU", "Warehouse").0,
        expect(6, &[(0, "2")])
    );
}

#[test]
fn days_in_auckland() {
    let sandbox = serve(fixture_account());
    let project = run(&request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Day,
        AUCKLAND,
    ))
    .unwrap();
    // 1 January to 10 February inclusive.
    assert_eq!(project.periods.len(), 41);
    assert_eq!(project.periods[40].start, date(2024, 2, 10));
    assert_eq!(
        cells(&project, "MUG-BLU", "Warehouse").0,
        expect(41, &[(1, "2")])
    );
    assert_eq!(
        cells(&project, "MUG-RED", "Warehouse").0,
        expect(41, &[(7, "1")])
    );
    assert_eq!(
        cells(&project, "MUG-BLU", "Shop, Main St").0,
        expect(41, &[(14, "3"), (19, "-1")])
    );
    assert_eq!(
        cells(&project, "TEE-RED-S", "Shop, Main St").1,
        expect(41, &[(31, "18")])
    );
}

#[test]
fn failures_carry_their_one_sentence() {
    let sandbox = serve(fixture_account());
    let mut wrong_key = request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Month,
        AUCKLAND,
    );
    wrong_key.key = ApiKey::new("not-the-key");
    let error = run(&wrong_key).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1."
    );
    assert!(!format!("{error:?}").contains("not-the-key"));
}

fn months(
    sandbox: &cin7_planner::sandbox::Sandbox,
    change: impl FnOnce(&mut ImportSettings),
) -> Project {
    let mut request = request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Month,
        AUCKLAND,
    );
    change(&mut request.settings);
    run(&request).unwrap()
}

#[test]
fn the_sale_date_option_moves_sales_between_months() {
    let sandbox = serve(fixture_account());
    // Order date: the tee ordered on 30 January sells in January.
    let by_order = months(&sandbox, |s| s.sale_date = SaleDate::Order);
    assert_eq!(
        cells(&by_order, "MUG-BLU", "Warehouse").0,
        expect(2, &[(0, "2")])
    );
    assert_eq!(
        cells(&by_order, "TEE-RED-S", "Shop, Main St"),
        (expect(2, &[(0, "1")]), expect(2, &[(0, "18")]))
    );
    assert_eq!(
        cells(&by_order, "TEE-RED-M", "Shop, Main St").0,
        expect(2, &[(0, "2"), (1, "-1")])
    );
    // Dispatch date: order 1 dispatched on 5 February sells in February; order 3, never
    // dispatched, does not sell (its return still counts).
    let by_dispatch = months(&sandbox, |s| s.sale_date = SaleDate::Dispatch);
    assert_eq!(
        cells(&by_dispatch, "MUG-BLU", "Warehouse"),
        (expect(2, &[(1, "2")]), expect(2, &[(1, "20")]))
    );
    assert_eq!(
        cells(&by_dispatch, "MUG-BLU", "Shop, Main St"),
        (expect(2, &[(0, "-1")]), expect(2, &[(0, "-10")]))
    );
    assert_eq!(by_dispatch.report.warnings.orders_not_dispatched, 1);
    assert_eq!(by_dispatch.report.warnings.orders_not_counted, 2);
}

#[test]
fn only_dispatched_orders_keeps_the_invoice_date() {
    let sandbox = serve(fixture_account());
    let project = months(&sandbox, |s| s.dispatched_only = true);
    assert_eq!(
        cells(&project, "MUG-BLU", "Warehouse").0,
        expect(2, &[(0, "2")])
    );
    assert_eq!(
        cells(&project, "MUG-BLU", "Shop, Main St").0,
        expect(2, &[(0, "-1")])
    );
    assert_eq!(project.report.warnings.orders_not_dispatched, 1);
}

#[test]
fn returns_can_be_left_in() {
    let sandbox = serve(fixture_account());
    let project = months(&sandbox, |s| s.returns = false);
    assert_eq!(
        cells(&project, "MUG-BLU", "Shop, Main St"),
        (expect(2, &[(0, "3")]), expect(2, &[(0, "30")]))
    );
    assert_eq!(
        cells(&project, "TEE-RED-M", "Shop, Main St"),
        (expect(2, &[(1, "2")]), expect(2, &[(1, "36")]))
    );
    // Credit notes are still read, for the stock they bring back, but are not returns.
    assert_eq!(
        on_hand(&project, "MUG-BLU", "Shop, Main St"),
        Some(vec!["3".to_owned(), "4".to_owned()])
    );
    assert_eq!(project.report.warnings.credit_notes_not_counted, 0);
}

#[test]
fn a_branch_subset_leaves_the_other_branches_out() {
    let sandbox = serve(fixture_account());
    let project = months(&sandbox, |s| s.branches = Some(vec![2]));
    let locations: Vec<&str> = project.locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(locations, vec!["Shop, Main St"]);
    let pairs: Vec<(&str, &str)> = project
        .series
        .iter()
        .map(|s| {
            (
                project.items[s.item].code.as_str(),
                project.locations[s.location].name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("MUG-BLU", "Shop, Main St"),
            ("TEE-RED-S", "Shop, Main St"),
            ("TEE-RED-M", "Shop, Main St")
        ]
    );
    let w = &project.report.warnings;
    // Orders 1 and 2 are at the warehouse; order 8 at a branch the account does not list.
    assert_eq!(
        (w.documents_at_other_branches, w.unknown_branch_documents),
        (2, 1)
    );
}

#[test]
fn weeks_can_start_on_sunday() {
    let sandbox = serve(fixture_account());
    let mut request = request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Week,
        AUCKLAND,
    );
    request.settings.week_start = Weekday::Sun;
    let project = run(&request).unwrap();
    let starts: Vec<NaiveDate> = project.periods.iter().map(|p| p.start).collect();
    assert_eq!(
        starts,
        vec![
            date(2023, 12, 31),
            date(2024, 1, 7),
            date(2024, 1, 14),
            date(2024, 1, 21),
            date(2024, 1, 28),
            date(2024, 2, 4)
        ]
    );
    // Monday 8 January is in the week of Sunday 7 January; the return of Saturday 20 January
    // in the week of Sunday 14 January.
    assert_eq!(
        cells(&project, "MUG-RED", "Warehouse").0,
        expect(6, &[(1, "1")])
    );
    assert_eq!(
        cells(&project, "MUG-BLU", "Shop, Main St").0,
        expect(6, &[(2, "2")])
    );
    assert_eq!(
        cells(&project, "TEE-RED-M", "Shop, Main St").0,
        expect(6, &[(4, "1")])
    );
}

/// On-hand at the end of each period of one item at one location, as text.
fn on_hand(project: &Project, code: &str, location: &str) -> Option<Vec<String>> {
    let series = project.series.iter().find(|s| {
        project.items[s.item].code == code && project.locations[s.location].name == location
    })?;
    series
        .on_hand_values(project.periods.len())
        .map(|v| v.iter().map(|d| d.normalize().to_string()).collect())
}

#[test]
fn on_hand_history_is_rebuilt_backwards_from_current_stock() {
    let sandbox = serve(fixture_account());
    let project = months(&sandbox, |_| {});
    let text = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    // The warehouse has 10 now; order 1 shipped 2 in February: 12 at the end of January.
    assert_eq!(
        on_hand(&project, "MUG-BLU", "Warehouse"),
        text(&["12", "10"])
    );
    // The shop has 4 now; in February the transfer brought 2 and the stocktake wrote off 1.
    assert_eq!(
        on_hand(&project, "MUG-BLU", "Shop, Main St"),
        text(&["3", "4"])
    );
    // The warehouse has 3 now, after receiving 6 in February: −3 at the end of January, kept
    // as computed and counted as a warning.
    assert_eq!(
        on_hand(&project, "MUG-RED", "Warehouse"),
        text(&["-3", "3"])
    );
    // The shop's MUG-RED went out as a kit component and never came back: nothing to show.
    assert!(
        project
            .series
            .iter()
            .all(|s| !(project.items[s.item].code == "MUG-RED" && s.location == 1))
    );
    // Sized items have no on-hand history.
    assert_eq!(on_hand(&project, "TEE-RED-S", "Shop, Main St"), None);
    assert_eq!(on_hand(&project, "TEE-RED-M", "Shop, Main St"), None);

    // Days: the transfer leaves the warehouse on 25 January, order 1 on 5 February.
    let days = run(&request(
        sandbox.base_url(),
        date(2024, 1, 20),
        GroupBy::Day,
        AUCKLAND,
    ))
    .unwrap();
    let warehouse = on_hand(&days, "MUG-BLU", "Warehouse").unwrap();
    assert_eq!(warehouse.len(), 22);
    let expected: Vec<String> = (0..22)
        .map(|day| match day {
            0..=4 => "14",  // 20–24 January
            5..=15 => "12", // 25 January – 4 February
            _ => "10",      // 5 February on
        })
        .map(String::from)
        .collect();
    assert_eq!(warehouse, expected);
}

/// Every sign case by hand, at the warehouse in January 2024 (Auckland), against the
/// warehouse's 10 MUG-BLU in stock now:
///
/// | document | line | counts as | moves stock |
/// |---|---|---|---|
/// | order 1, 10 Jan | MUG-BLU 3 × 10 − 1 | 3, 29.00 | −3 |
/// | order 2, 12 Jan | MUG-BLU 2 × 10; an exchange MUG-BLU −1 × 10 | 2, 20.00; −1, −10.00 | −2; none |
/// | credit note 11, 15 Jan, written positive | MUG-BLU 2 × 10 − 1 | −2, −19.00 | +2 |
/// | credit note 12, 16 Jan, written negative | MUG-BLU −1 × 10 | −1, −10.00 | +1 |
/// | order 3, 20 Jan | kit MUG-RED 1 × 15 of two MUG-BLU | MUG-RED 1, 15.00 | MUG-BLU −2 |
/// | order 4, 22 Jan | an exchange of TEE-RED −2 × 20, sizes S 1 and M 1 written positive | S −1, −20.00; M −1, −20.00 | none |
///
/// and the fixture's transfer takes two more MUG-BLU out on 25 January.
#[test]
fn every_sign_case_counts_as_the_rules_say() {
    let mut account = fixture_account();
    let jan = |day| utc(2024, 1, day, 0, 0);
    let mut exchange = line(22, 9001, "-1", "10", "0");
    exchange.qty_shipped = dec("-1");
    let mut kit_component = line(32, 9001, "2", "0", "0");
    kit_component.parent_id = 31;
    let mut tee_exchange = line(41, 9100, "-2", "20", "0");
    tee_exchange.sizes = vec![("S".into(), dec("1")), ("M".into(), dec("1"))];
    account.sales_orders = vec![
        order(
            1,
            1,
            jan(10),
            Some(jan(10)),
            vec![line(11, 9001, "3", "10", "1")],
        ),
        order(
            2,
            1,
            jan(12),
            Some(jan(12)),
            vec![line(21, 9001, "2", "10", "0"), exchange],
        ),
        order(
            3,
            1,
            jan(20),
            Some(jan(20)),
            vec![line(31, 9002, "1", "15", "0"), kit_component],
        ),
        order(4, 1, jan(22), Some(jan(22)), vec![tee_exchange]),
    ];
    account.credit_notes = vec![
        credit_note(11, 1, jan(15), false, vec![line(111, 9001, "2", "10", "1")]),
        credit_note(
            12,
            1,
            jan(16),
            false,
            vec![line(121, 9001, "-1", "10", "0")],
        ),
    ];
    let sandbox = serve(account);
    let project = run(&request(
        sandbox.base_url(),
        date(2023, 12, 1),
        GroupBy::Month,
        AUCKLAND,
    ))
    .unwrap();
    // 3 + 2 − 1 − 2 − 1 units; 29 + 20 − 10 − 19 − 10.
    assert_eq!(
        cells(&project, "MUG-BLU", "Warehouse"),
        (expect(3, &[(1, "1")]), expect(3, &[(1, "10")]))
    );
    assert_eq!(
        cells(&project, "MUG-RED", "Warehouse"),
        (expect(3, &[(1, "1")]), expect(3, &[(1, "15")]))
    );
    for size in ["TEE-RED-S", "TEE-RED-M"] {
        assert_eq!(
            cells(&project, size, "Warehouse"),
            (expect(3, &[(1, "-1")]), expect(3, &[(1, "-20")])),
            "{size}"
        );
    }
    // January moved −3 − 2 + 2 + 1 − 2 − 2 = −6 (the exchange line none): 16 at the end of
    // December, 10 since.
    assert_eq!(
        on_hand(&project, "MUG-BLU", "Warehouse"),
        Some(vec!["16".to_owned(), "10".to_owned(), "10".to_owned()])
    );
    assert_eq!(project.report.warnings.kit_component_lines, 1);
}

/// A sized line of 3 × 10 − 0.01 over S 1 and M 2: S takes a third of 29.99 at full precision,
/// M the rest, and the CSV writes both exactly.
#[test]
fn a_split_that_does_not_divide_is_kept_and_exported_exactly() {
    let mut account = fixture_account();
    let mut tee = line(51, 9100, "3", "10", "0.01");
    tee.sizes = vec![("S".into(), dec("1")), ("M".into(), dec("2"))];
    let at = utc(2024, 1, 10, 0, 0);
    account.sales_orders = vec![order(5, 1, at, Some(at), vec![tee])];
    account.credit_notes.clear();
    let sandbox = serve(account);
    let project = run(&request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Month,
        AUCKLAND,
    ))
    .unwrap();
    let third = "9.996666666666666666666666667";
    let rest = "19.993333333333333333333333333";
    assert_eq!(
        cells(&project, "TEE-RED-S", "Warehouse").1,
        expect(2, &[(0, third)])
    );
    assert_eq!(
        cells(&project, "TEE-RED-M", "Warehouse").1,
        expect(2, &[(0, rest)])
    );
    let mut csv = Vec::new();
    let table = cin7_planner::project::tables::transactions(&project);
    cin7_planner::project::csv::write_table(table, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(&format!(
        "TEE-RED-S,Tee,Warehouse,2024-01-01,2024-01-31,1,{third},"
    )));
    assert!(csv.contains(&format!(
        "TEE-RED-M,Tee,Warehouse,2024-01-01,2024-01-31,2,{rest},"
    )));
}

#[test]
fn a_worker_that_panics_ends_in_one_sentence_and_never_hangs() {
    use cin7_planner::import::{ImportEvent, ImportJob, Partials};
    let job = ImportJob::start(
        |_reporter| async { panic!("the worker broke") },
        Partials::NotShown,
        || {},
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let result = loop {
        assert!(std::time::Instant::now() < deadline, "no end");
        match job.next_timeout(std::time::Duration::from_millis(100)) {
            Some(ImportEvent::Finished(result)) => break *result,
            Some(ImportEvent::Progress(_) | ImportEvent::Partial(_)) | None => {}
        }
    };
    let error = result.unwrap_err();
    assert!(matches!(error, ImportError::Internal { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with("An internal error stopped the import, at tests/engine.rs:")
            && text.ends_with("; nothing was saved."),
        "{text}"
    );
    // The channel is closed now, and that is the end, not another failure.
    assert!(
        job.next_timeout(std::time::Duration::from_millis(10))
            .is_none()
    );
}

/// Test connection's check: one call for each resource a run reads (the branches' whole page,
/// to choose them by name), the refusal named, a 503 retried as a run's page is, and every call
/// counted in the daily budget.
#[test]
fn the_permission_check_names_a_refusal_retries_and_counts_its_calls() {
    let mut config = cin7_planner::sandbox::SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config.credentials[0].denied = vec![cin7_planner::cin7::Resource::Stock];
    config.faults = "503@7".parse().unwrap();
    let sandbox = cin7_planner::sandbox::Sandbox::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = cin7_planner::cin7::CallLog::at(dir.path().join("calls.json"));
    let mut request = request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Week,
        chrono_tz::UTC,
    );
    request.call_log = Some(log.clone());
    request.retry = RetryPolicy {
        max_attempts: 3,
        max_rate_limited: 3,
        first_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(50),
    };
    let found = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(import::check_permissions(&request, |_, _| {}))
        .unwrap();
    let refused: Vec<_> = found
        .resources
        .iter()
        .filter(|(_, refusal)| refusal.is_some())
        .map(|(resource, _)| *resource)
        .collect();
    assert_eq!(refused, vec![cin7_planner::cin7::Resource::Stock]);
    assert_eq!(found.resources.len(), import::RESOURCES_READ.len());
    // The branches by name, to choose from.
    let branches: Vec<(i64, &str)> = found
        .branches
        .iter()
        .map(|b| (b.branch_id, b.name.as_str()))
        .collect();
    assert_eq!(branches, [(1, "Warehouse"), (2, "Shop, Main St")]);
    // Nine probes of one row, the branches' page, and the 503's retry.
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 11);
    let rows_asked = |r: &cin7_planner::sandbox::LoggedRequest| {
        if r.path.ends_with("/Branches") {
            "rows=250&"
        } else {
            "rows=1&"
        }
    };
    assert!(
        requests.iter().all(|r| r.query.contains(rows_asked(r))),
        "{requests:?}"
    );
    let connection = request.connection.key();
    let (counted, _) = log.recent(&connection, std::time::SystemTime::now());
    assert_eq!(counted.len(), 11);
}

#[test]
fn every_item_keeps_the_information_its_product_and_option_give() {
    use cin7_planner::sandbox::{Preset, generate};
    let account = generate(Preset::Demo, 5, now());
    let sandbox = serve(account.clone());
    let project = run(&request(
        sandbox.base_url(),
        date(2024, 1, 1),
        GroupBy::Month,
        chrono_tz::UTC,
    ))
    .unwrap();
    let entered = |measure: Decimal| (!measure.is_zero()).then_some(measure);
    assert!(project.items.len() > 20, "{} items", project.items.len());
    for item in &project.items {
        let (product, option) = account
            .products
            .iter()
            .find_map(|p| {
                let option = p.options.iter().find(|o| o.id == item.product_option_id)?;
                Some((p, option))
            })
            .unwrap();
        assert_eq!(item.sub_category, product.sub_category, "{}", item.code);
        assert_eq!(
            item.supplier_item_code, option.supplier_code,
            "{}",
            item.code
        );
        assert_eq!(
            item.weight,
            entered(option.weight).or(entered(product.weight)),
            "{}",
            item.code
        );
        assert_eq!(item.volume, entered(product.volume), "{}", item.code);
    }
    // The account varies each of them, so each rule above is put to the test.
    let items = &project.items;
    assert!(items.iter().any(|i| i.sub_category.is_none()));
    assert!(items.iter().any(|i| i.supplier_item_code.is_none()));
    assert!(items.iter().any(|i| i.weight.is_none()));
    let own_weight: Vec<i64> = account
        .products
        .iter()
        .flat_map(|p| &p.options)
        .filter(|o| !o.weight.is_zero())
        .map(|o| o.id)
        .collect();
    assert!(
        items
            .iter()
            .any(|i| own_weight.contains(&i.product_option_id))
    );
}
