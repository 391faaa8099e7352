//! Properties over generated, coherent sandbox accounts: the on-hand history the importer
//! rebuilds backwards from current stock equals the sandbox's own record (its opening stock plus
//! every movement up to each period's end), for every regular item and location, in any time
//! zone, and never goes below zero; a project regrouped from its ledger equals a fresh
//! import with the new settings; and an import read newest first, stopped or not, equals one
//! read in a single pass, while every project it shows on the way is exact where it says.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::{DateTime, Utc, Weekday};
use chrono_tz::Tz;
use cin7_planner::import::{self, PartialProject, PartialSink};
use cin7_planner::project::{GroupBy, ImportSettings, PeriodSales, Project, SaleDate, calendar};
use cin7_planner::rate_limit::{RateLimits, Window};
use cin7_planner::sandbox::account::{Account, LineRecord};
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use common::{KEY, USERNAME, movements, utc};
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn now() -> DateTime<Utc> {
    utc(2026, 6, 30, 12, 0)
}

fn import(account: &Account, group_by: GroupBy, zone: Tz, week_start: Weekday) -> Project {
    let starting_date = (now() - chrono::Duration::days(45)).date_naive();
    import_with(
        account,
        ImportSettings {
            week_start,
            ..ImportSettings::new(starting_date, group_by, zone)
        },
    )
}

fn import_with(account: &Account, settings: ImportSettings) -> Project {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    let request = common::request(sandbox.base_url(), settings);
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(import::run(&request, |_| {}, now()))
        .unwrap()
}

/// The sandbox's own on-hand at the end of each period, per (option, branch), for options
/// without sizes: opening stock plus every movement before the period's end.
fn truth(account: &Account, project: &Project) -> BTreeMap<(i64, i64), Vec<Decimal>> {
    let zone = project.settings.time_zone;
    let ends: Vec<DateTime<Utc>> = project
        .periods
        .iter()
        .map(|p| calendar::local_midnight_utc(p.end, zone))
        .collect();
    let moves = movements(account);
    let mut out = BTreeMap::new();
    for ((option, size, branch), opening) in &account.opening_stock {
        if size.is_some() {
            continue;
        }
        let values = ends
            .iter()
            .map(|end| {
                let moved: Decimal = moves
                    .iter()
                    .filter(|((o, s, b), at, _)| {
                        o == option && s.is_none() && b == branch && at < end
                    })
                    .map(|(_, _, qty)| *qty)
                    .sum();
                opening + moved
            })
            .collect();
        out.insert((*option, *branch), values);
    }
    out
}

fn check(account: &Account, group_by: GroupBy, zone: Tz, week_start: Weekday) {
    let project = import(account, group_by, zone, week_start);
    let expected = truth(account, &project);
    let mut compared = 0;
    for series in &project.series {
        let item = &project.items[series.item];
        let branch = project.locations[series.location].branch_id;
        match &series.on_hand_values(project.periods.len()) {
            None => assert!(item.sized, "{} has no on-hand history", item.code),
            Some(values) => {
                let want = &expected[&(item.product_option_id, branch)];
                assert_eq!(
                    values, want,
                    "{} at branch {branch}, {group_by:?} in {zone}",
                    item.code
                );
                compared += 1;
            }
        }
    }
    // Every regular item and branch with stock at some period's end has a series.
    let with_stock = expected
        .values()
        .filter(|v| v.iter().any(|q| !q.is_zero()))
        .count();
    assert_eq!(compared, with_stock, "{group_by:?} in {zone}");
    assert!(compared >= 6, "only {compared} series compared");
    assert_eq!(project.report.warnings.negative_on_hand_values, 0);
}

#[test]
fn rebuilt_on_hand_matches_the_sandboxs_record() {
    for seed in 1..=3 {
        let account = generate(Preset::Small, seed, now());
        check(&account, GroupBy::Day, Tz::UTC, Weekday::Mon);
        check(
            &account,
            GroupBy::Week,
            chrono_tz::Pacific::Auckland,
            Weekday::Sun,
        );
    }
    let demo = generate(Preset::Demo, 5, now());
    check(
        &demo,
        GroupBy::Week,
        chrono_tz::America::Los_Angeles,
        Weekday::Mon,
    );
    check(
        &demo,
        GroupBy::Month,
        chrono_tz::Pacific::Auckland,
        Weekday::Mon,
    );
}

/// Units sold, revenue and cost of sales.
type Sold = (Decimal, Decimal, Decimal);

/// What was sold per product option over a project's periods, every size and location
/// together.
fn sales_by_option(project: &Project) -> BTreeMap<i64, Sold> {
    let mut sold = BTreeMap::new();
    for series in &project.series {
        let option = project.items[series.item].product_option_id;
        let totals = series.totals();
        let entry: &mut Sold = sold.entry(option).or_default();
        entry.0 += totals.qty;
        entry.1 += totals.revenue;
        entry.2 += totals.cost;
    }
    sold.retain(|_, (qty, revenue, cost)| !(qty.is_zero() && revenue.is_zero() && cost.is_zero()));
    sold
}

/// The same, straight from the sandbox's records under the project's settings: counted orders
/// by their sale date, less counted credit notes by theirs, between the start of the first
/// period and the end of the last, at the included branches, for the options the project knows.
fn sales_truth(account: &Account, project: &Project) -> BTreeMap<i64, Sold> {
    let s = &project.settings;
    let zone = s.time_zone;
    let from = calendar::local_midnight_utc(project.periods[0].start, zone);
    let to = calendar::local_midnight_utc(project.periods[project.periods.len() - 1].end, zone);
    let options: std::collections::HashSet<i64> =
        project.items.iter().map(|i| i.product_option_id).collect();
    let branch_counts = |branch: i64| {
        account.branches.iter().any(|b| b.id == branch)
            && s.branches
                .as_ref()
                .is_none_or(|chosen| chosen.contains(&branch))
    };
    let mut sold = BTreeMap::new();
    let channel_counts = |source: &str| {
        s.channels
            .as_ref()
            .is_none_or(|chosen| chosen.iter().any(|c| c == source))
    };
    // An order's lines count as written (an exchange line takes back): qty, and
    // qty × price − discount, costing qty × unit cost where the line has one. A credit note's
    // take back |qty|, |qty| × price − discount and |qty| × unit cost, whichever way they were
    // written.
    let mut add = |branch: i64,
                   source: &str,
                   at: Option<DateTime<Utc>>,
                   lines: &[LineRecord],
                   returns: bool| {
        let counts = at.is_some_and(|at| from <= at && at < to)
            && branch_counts(branch)
            && channel_counts(source);
        if counts {
            for line in lines.iter().filter(|l| l.parent_id == 0) {
                if options.contains(&line.product_option_id) {
                    let (qty, revenue) = if returns {
                        let qty = line.qty.abs();
                        (-qty, -(qty * line.unit_price - line.discount))
                    } else {
                        (line.qty, line.qty * line.unit_price - line.discount)
                    };
                    let entry: &mut Sold = sold.entry(line.product_option_id).or_default();
                    entry.0 += qty;
                    entry.1 += revenue;
                    entry.2 += qty * line.unit_cost.unwrap_or_default();
                }
            }
        }
    };
    for order in account
        .sales_orders
        .iter()
        .filter(|o| o.is_approved && !o.is_void)
    {
        if s.dispatched_only && order.dispatched.is_none() {
            continue;
        }
        let at = match s.sale_date {
            SaleDate::Invoice => order.invoiced.or(Some(order.created)),
            SaleDate::Order => Some(order.created),
            SaleDate::Dispatch => order.dispatched,
        };
        add(order.branch_id, &order.source, at, &order.lines, false);
    }
    if s.returns {
        for note in account.credit_notes.iter().filter(|n| !n.is_void) {
            let at = note
                .credit_note_date
                .or(note.completed)
                .or(Some(note.created));
            add(note.branch_id, &note.source, at, &note.lines, true);
        }
    }
    sold.retain(|_, (qty, revenue, cost)| !(qty.is_zero() && revenue.is_zero() && cost.is_zero()));
    sold
}

/// Settings that differ from `base` in everything a ledger can be regrouped by, at random.
fn regrouping(rng: &mut impl Rng, base: &ImportSettings) -> ImportSettings {
    // Zones at whole, half and three-quarter hours, both sides of UTC and at its far ends.
    let zones = [
        Tz::UTC,
        chrono_tz::Pacific::Auckland,
        chrono_tz::Pacific::Chatham,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Pacific::Pago_Pago,
        chrono_tz::Asia::Kolkata,
        chrono_tz::America::Los_Angeles,
        chrono_tz::America::St_Johns,
    ];
    let groupings = [GroupBy::Day, GroupBy::Week, GroupBy::Month];
    let sale_dates = [SaleDate::Invoice, SaleDate::Order, SaleDate::Dispatch];
    // The sandbox's channels, and one no sale has.
    let channels: Vec<String> = ["POS", "Shopify", "B2B", "Wholesale"]
        .iter()
        .filter(|_| rng.random_bool(0.5))
        .map(|c| (*c).to_owned())
        .collect();
    ImportSettings {
        group_by: groupings[rng.random_range(0..groupings.len())],
        time_zone: zones[rng.random_range(0..zones.len())],
        week_start: Weekday::try_from(rng.random_range(0..7u8)).unwrap(),
        sale_date: sale_dates[rng.random_range(0..sale_dates.len())],
        dispatched_only: rng.random_bool(0.3),
        returns: rng.random_bool(0.7),
        channels: rng.random_bool(0.4).then_some(channels),
        ..base.clone()
    }
}

#[test]
fn regrouping_from_the_ledger_equals_a_fresh_import() {
    let mut compared_sales = 0;
    for seed in 1..=3u64 {
        let account = generate(Preset::Small, seed, now());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        // A starting date inside the account's 60 days of history, so that weeks and months
        // reach back before it to sales the import must read too.
        let starting_date = (now() - chrono::Duration::days(rng.random_range(20..50))).date_naive();
        let first = regrouping(
            &mut rng,
            &ImportSettings {
                branches: (seed == 2).then(|| vec![1, 2]),
                ..ImportSettings::new(starting_date, GroupBy::Week, Tz::UTC)
            },
        );
        let project = import_with(&account, first.clone());
        for _ in 0..3 {
            let other = regrouping(&mut rng, &first);
            let regrouped = project.regrouped(other.clone()).unwrap();
            let fresh = import_with(&account, other.clone());
            let case = format!("seed {seed}: {first:?} regrouped to {other:?}");
            assert_eq!(regrouped.settings, other, "{case}");
            assert_eq!(regrouped.periods, fresh.periods, "{case}");
            assert_eq!(regrouped.series, fresh.series, "{case}");
            assert_eq!(regrouped.report.warnings, fresh.report.warnings, "{case}");
            assert_eq!(
                sales_by_option(&regrouped),
                sales_truth(&account, &regrouped),
                "{case}"
            );
            // The ledger does not depend on the settings it is grouped by.
            assert_eq!(regrouped.ledger, fresh.ledger, "{case}");
            compared_sales += fresh.series.iter().filter(|s| !s.sales.is_empty()).count();
        }
    }
    assert!(
        compared_sales >= 100,
        "only {compared_sales} series with sales compared"
    );
}

/// Quantities still open per (option, branch, order type, order number, inbound), every
/// size of an option together.
type Open = BTreeMap<(i64, i64, String, String, bool), Decimal>;

/// What the project says is open.
fn open_in(project: &Project) -> Open {
    let mut open = Open::new();
    for o in &project.planning.open_orders {
        let key = (
            project.items[o.item].product_option_id,
            project.locations[o.location].branch_id,
            o.order_type.label().to_owned(),
            o.number(project).to_owned(),
            o.inbound,
        );
        *open.entry(key).or_default() += o.qty;
    }
    open
}

/// What the sandbox's records say is open at the import's moment (IMPORT-RULES.md, "Open
/// orders"), for the options the project knows.
fn open_truth(account: &Account, project: &Project) -> Open {
    let known: std::collections::HashSet<i64> =
        project.items.iter().map(|i| i.product_option_id).collect();
    let mut open = Open::new();
    let mut add = |option: i64, branch: i64, kind: &str, reference: &str, inbound: bool, qty| {
        if known.contains(&option) && qty > Decimal::ZERO {
            let key = (
                option,
                branch,
                kind.to_owned(),
                reference.to_owned(),
                inbound,
            );
            *open.entry(key).or_default() += qty;
        }
    };
    for o in &account.sales_orders {
        if o.is_approved && !o.is_void && o.dispatched.is_none() {
            for l in &o.lines {
                add(
                    l.product_option_id,
                    o.branch_id,
                    "sales",
                    &o.reference,
                    false,
                    l.qty - l.qty_shipped,
                );
            }
        }
    }
    for p in &account.purchase_orders {
        if p.is_approved && !p.is_void && p.fully_received.is_none() {
            for l in &p.lines {
                add(
                    l.product_option_id,
                    p.branch_id,
                    "purchase",
                    &p.reference,
                    true,
                    l.qty - l.qty_shipped,
                );
            }
        }
    }
    for t in account.transfers.iter().filter(|t| t.received.is_none()) {
        for l in &t.lines {
            if t.is_approved && t.dispatched.is_none() {
                add(
                    l.product_option_id,
                    t.source_branch_id,
                    "transfer",
                    &t.reference,
                    false,
                    l.qty,
                );
            }
            if t.is_approved || t.dispatched.is_some() {
                add(
                    l.product_option_id,
                    t.destination_branch_id,
                    "transfer",
                    &t.reference,
                    true,
                    l.qty,
                );
            }
        }
    }
    open
}

/// Receipts (count, mean days) per (option, branch), for options without sizes.
type Leads = BTreeMap<(i64, i64), (u32, Decimal)>;

fn leads_in(project: &Project) -> Leads {
    project
        .planning
        .lead_times
        .iter()
        .filter(|l| !project.items[l.item].sized)
        .filter_map(|l| {
            let own = l.own?;
            let key = (
                project.items[l.item].product_option_id,
                project.locations[l.location].branch_id,
            );
            Some((key, (own.receipts, own.mean_days)))
        })
        .collect()
}

/// The same from the sandbox's purchase orders: days between the local dates of creation and
/// full receipt in the project's zone, for each received line.
fn leads_truth(account: &Account, project: &Project) -> Leads {
    let zone = project.settings.time_zone;
    let local = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    let sized: std::collections::HashSet<i64> = project
        .items
        .iter()
        .filter(|i| i.sized)
        .map(|i| i.product_option_id)
        .collect();
    let mut days: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    for p in account
        .purchase_orders
        .iter()
        .filter(|p| p.is_approved && !p.is_void)
    {
        let Some(received) = p.fully_received else {
            continue;
        };
        let lead = (local(received) - local(p.created)).num_days();
        for l in p.lines.iter().filter(|l| l.qty_shipped > Decimal::ZERO) {
            if !sized.contains(&l.product_option_id) && l.product_option_id != 0 {
                days.entry((l.product_option_id, p.branch_id))
                    .or_default()
                    .push(lead);
            }
        }
    }
    days.into_iter()
        .map(|(key, d)| {
            let mean = Decimal::from(d.iter().sum::<i64>()) / Decimal::from(d.len());
            (key, (d.len() as u32, mean))
        })
        .collect()
}

#[test]
fn open_orders_and_lead_times_equal_the_sandbox_record() {
    let zones = [
        Tz::UTC,
        chrono_tz::Pacific::Auckland,
        chrono_tz::America::Los_Angeles,
    ];
    let (mut compared_open, mut compared_leads) = (0, 0);
    for seed in 1..=3u64 {
        let account = generate(Preset::Small, seed, now());
        let starting_date = (now() - chrono::Duration::days(40)).date_naive();
        let zone = zones[seed as usize - 1];
        let project = import_with(
            &account,
            ImportSettings::new(starting_date, GroupBy::Week, zone),
        );
        let open = open_in(&project);
        assert_eq!(open, open_truth(&account, &project), "seed {seed}");
        let leads = leads_in(&project);
        assert_eq!(leads, leads_truth(&account, &project), "seed {seed}");
        // Another zone moves receipts across midnight: the lead times follow it.
        let elsewhere = ImportSettings {
            time_zone: chrono_tz::Asia::Kolkata,
            ..project.settings.clone()
        };
        let regrouped = project.regrouped(elsewhere.clone()).unwrap();
        assert_eq!(
            regrouped.planning,
            import_with(&account, elsewhere).planning,
            "seed {seed}"
        );
        assert_eq!(
            leads_in(&regrouped),
            leads_truth(&account, &regrouped),
            "seed {seed}"
        );
        compared_open += open.len();
        compared_leads += leads.len();
    }
    assert!(
        compared_open >= 30,
        "only {compared_open} open orders compared"
    );
    assert!(
        compared_leads >= 30,
        "only {compared_leads} lead times compared"
    );
}

/// The partial projects a newest-first import showed, collected.
#[derive(Clone, Default)]
struct Shown(Arc<Mutex<Vec<PartialProject>>>);

impl import::Listener for Shown {
    fn progress(&self, _: import::Progress) {}

    fn partials(&self) -> Option<PartialSink> {
        let shown = Arc::clone(&self.0);
        Some(Arc::new(move |partial| shown.lock().unwrap().push(partial)))
    }
}

/// An import of `account` with `settings` as of `now()`, newest first or in one pass. With a
/// daily budget of `stop_after` calls it stops there, and is resumed from its checkpoint
/// without one. Returns the project and the partial projects shown on the way.
fn import_by(
    account: &Account,
    settings: &ImportSettings,
    newest_first: bool,
    stop_after: Option<u32>,
) -> (Project, Vec<PartialProject>) {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    let state = tempfile::tempdir().unwrap();
    let request = |limits: RateLimits| import::ImportRequest {
        newest_first,
        rate_limits: limits,
        run_store: Some(import::RunStore::at(state.path())),
        ..common::request(sandbox.base_url(), settings.clone())
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shown = Shown::default();
    if let Some(calls) = stop_after {
        let budget = RateLimits {
            windows: vec![Window {
                calls,
                per: std::time::Duration::from_secs(86_400),
            }],
        };
        let stopped = runtime.block_on(import::run(&request(budget), shown.clone(), now()));
        assert!(stopped.is_err(), "{calls} calls were not enough to stop it");
    }
    let project = runtime
        .block_on(import::run(
            &request(RateLimits::unlimited()),
            shown.clone(),
            now(),
        ))
        .unwrap();
    let shown = std::mem::take(&mut *shown.0.lock().unwrap());
    (project, shown)
}

/// Where a series counts: its option, size and branch.
type SeriesKey = (i64, String, i64);

/// Each series' sales from period `from` on, and its on-hand from period `on_hand_from` on
/// (none for an item without an on-hand history, and zero where a project has no series).
fn cells_from(
    project: &Project,
    from: usize,
    on_hand_from: usize,
) -> BTreeMap<SeriesKey, (Vec<PeriodSales>, Vec<Decimal>)> {
    let n = project.periods.len();
    project
        .series
        .iter()
        .map(|s| {
            let item = &project.items[s.item];
            let key = (
                item.product_option_id,
                item.size.clone(),
                project.locations[s.location].branch_id,
            );
            let sales: Vec<PeriodSales> = s
                .sales
                .iter()
                .filter(|c| c.period as usize >= from)
                .copied()
                .collect();
            let on_hand = s
                .on_hand_values(n)
                .map(|v| v[on_hand_from..].to_vec())
                .unwrap_or_default();
            (key, (sales, on_hand))
        })
        .filter(|(_, (sales, on_hand))| !sales.is_empty() || on_hand.iter().any(|q| !q.is_zero()))
        .collect()
}

/// A partial project is the finished one in every period it says is exact.
fn assert_exact_where_it_says(partial: &PartialProject, finished: &Project, case: &str) {
    let periods = &finished.periods;
    assert_eq!(&partial.project.periods, periods, "{case}");
    let zone = finished.settings.time_zone;
    let sales_from = partial.exact.first_exact_period(periods, zone);
    let on_hand_from = partial.exact.first_exact_on_hand(periods, zone);
    assert!(sales_from < periods.len(), "{case}: no period exact");
    assert_eq!(
        cells_from(&partial.project, sales_from, on_hand_from),
        cells_from(finished, sales_from, on_hand_from),
        "{case}: {:?}",
        partial.exact
    );
}

#[test]
fn newest_first_equals_a_single_pass_stopped_or_not_and_shows_exact_periods_on_the_way() {
    let mut partials = 0;
    for seed in 1..=4u64 {
        // The demo account's 540 days read in five windows; the small one's 60 days in two.
        let (preset, days) = if seed % 2 == 0 {
            (Preset::Demo, 400..530)
        } else {
            (Preset::Small, 20..50)
        };
        let account = generate(preset, seed, now());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 20);
        let starting_date = (now() - chrono::Duration::days(rng.random_range(days))).date_naive();
        let settings = regrouping(
            &mut rng,
            &ImportSettings::new(starting_date, GroupBy::Week, Tz::UTC),
        );
        let (single, _) = import_by(&account, &settings, false, None);
        let stop_after = rng.random_range(3..25);
        let case = format!("seed {seed}, stopped after {stop_after} calls: {settings:?}");
        let (resumed, _) = import_by(&account, &settings, true, Some(stop_after));
        common::assert_same_project(&resumed, &single, &case);
        let case = format!("seed {seed}, in one go: {settings:?}");
        let (newest, shown) = import_by(&account, &settings, true, None);
        common::assert_same_project(&newest, &single, &case);
        if preset == Preset::Demo {
            assert!(!shown.is_empty(), "{case}: no partial project shown");
        }
        for partial in &shown {
            assert_exact_where_it_says(partial, &newest, &case);
        }
        partials += shown.len();
    }
    assert!(partials >= 2, "only {partials} partial projects checked");
}
