//! Properties over generated, coherent sandbox accounts: the on-hand history the importer
//! rebuilds backwards from current stock equals the sandbox's own record (its opening stock plus
//! every movement up to each period's end), for every regular item and location, in any time
//! zone, and never goes below zero.

mod common;

use chrono::{DateTime, Utc, Weekday};
use chrono_tz::Tz;
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::{self, ImportRequest};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project, calendar};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::account::Account;
use cin7_planner::sandbox::{Preset, Sandbox, SandboxConfig, generate};
use common::{KEY, USERNAME, movements, utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn now() -> DateTime<Utc> {
    utc(2026, 6, 30, 12, 0)
}

fn import(account: &Account, group_by: GroupBy, zone: Tz, week_start: Weekday) -> Project {
    let mut config = SandboxConfig::new(account.clone(), USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    let sandbox = Sandbox::start(config).unwrap();
    let starting_date = (now() - chrono::Duration::days(45)).date_naive();
    let request = ImportRequest {
        connection: ConnectionInfo {
            base_url: sandbox.base_url().into(),
            username: USERNAME.into(),
        },
        key: ApiKey::new(KEY),
        settings: ImportSettings {
            week_start,
            ..ImportSettings::new(starting_date, group_by, zone)
        },
        rate_limits: RateLimits::unlimited(),
        retry: RetryPolicy::never(),
        call_log: None,
        page_store: None,
    };
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
        match &series.on_hand {
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
