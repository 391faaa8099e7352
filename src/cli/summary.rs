//! What `inspect` prints: a project's connection, settings, contents, runs and data warnings.

use crate::project::{ImportSettings, Project, RunEntry};

/// A plain-text summary of a project, as `inspect` prints it.
pub fn summary(project: &Project) -> String {
    let mut lines = vec![format!(
        "Connection: {} at {}",
        project.connection.username, project.connection.base_url
    )];
    lines.extend(settings_lines(&project.settings));
    lines.extend(content_lines(project));
    lines.extend(import_lines(project));
    let w = &project.report.warnings;
    lines.push(format!(
        "On-hand: {} regular items with history, {} sized items without (Cin7 gives no per-size stock movements), {} values below zero",
        project.items.iter().filter(|i| !i.sized).count(),
        project.items.iter().filter(|i| i.sized).count(),
        w.negative_on_hand_values,
    ));
    lines.push(
        w.not_counted_sentence()
            .unwrap_or_else(|| "Not counted: nothing.".to_owned()),
    );
    lines.extend(w.stock_drift_sentence());
    lines.extend(w.older_open_orders_sentence());
    lines.push(planning_line(project));
    lines.extend(project.history.iter().map(run_line));
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn settings_lines(s: &ImportSettings) -> [String; 2] {
    let branches = s.branch_list().unwrap_or_else(|| "all".into());
    [
        format!(
            "Settings: from {} grouped by {} in {}, weeks from {}",
            s.starting_date,
            s.group_by.label().to_lowercase(),
            s.time_zone,
            s.week_start
        ),
        format!(
            "Options: sales by {}{}, returns {}, branches {branches}",
            s.sale_date.label().to_lowercase(),
            if s.dispatched_only {
                ", dispatched orders only"
            } else {
                ""
            },
            if s.returns {
                "subtracted"
            } else {
                "not subtracted"
            },
        ),
    ]
}

/// Periods, items, locations, series and what they add up to.
fn content_lines(project: &Project) -> [String; 5] {
    let (first, last) = match (project.periods.first(), project.periods.last()) {
        (Some(f), Some(l)) => (f.start.to_string(), l.last_day().to_string()),
        _ => ("-".into(), "-".into()),
    };
    let totals = project.item_totals();
    let qty: rust_decimal::Decimal = totals.iter().map(|t| t.0).sum();
    let revenue: rust_decimal::Decimal = totals.iter().map(|t| t.1).sum();
    let in_progress = if project.last_period_in_progress {
        ", the last in progress"
    } else {
        ""
    };
    [
        format!(
            "Periods: {} ({first} to {last}){in_progress}",
            project.periods.len()
        ),
        format!(
            "Items: {} ({} sized)",
            project.items.len(),
            project.items.iter().filter(|i| i.sized).count()
        ),
        format!("Locations: {}", project.locations.len()),
        format!("Series: {}", project.series.len()),
        format!("Sales: {} units, revenue {revenue:.2}", qty.normalize()),
    ]
}

/// What the project plans with: its open orders, lead times and kits.
fn planning_line(project: &Project) -> String {
    let p = &project.planning;
    let (to_receive, to_ship): (Vec<_>, Vec<_>) = p.open_orders.iter().partition(|o| o.inbound);
    let planned = p
        .lead_times
        .iter()
        .filter(|l| l.plan_days.is_some())
        .count();
    format!(
        "Planning: {} lines to ship, {} to receive, a lead time to plan with at {} of {} item–locations, {} kit components",
        to_ship.len(),
        to_receive.len(),
        planned,
        p.lead_times.len(),
        p.kits.len()
    )
}

/// The import's calls and what it read.
fn import_lines(project: &Project) -> [String; 3] {
    let r = &project.report;
    let records: Vec<String> = r.records.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let ledger = match &project.ledger {
        Some(l) => format!(
            "{} documents, {} sale lines, {} stock movements, {} stock readings, as of {}",
            l.documents.len(),
            l.sales.len(),
            l.movements.len(),
            l.stock_readings.len(),
            l.as_of.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => "none (saved before projects kept one: import again to regroup)".into(),
    };
    [
        format!(
            "Import: {} calls ({} at the least, {} pages reused from a stopped run), {} retries, {:.1} s in all, {:.1} s waiting on rate limits, finished {}",
            r.calls,
            r.minimum_calls,
            r.pages_reused,
            r.retries,
            r.elapsed_ms as f64 / 1000.0,
            r.rate_limit_wait_ms as f64 / 1000.0,
            r.finished_at.format("%Y-%m-%d %H:%M:%S UTC"),
        ),
        format!(
            "Records read: {}",
            if records.is_empty() {
                "none".to_owned()
            } else {
                records.join(", ")
            }
        ),
        format!("Ledger: {ledger}"),
    ]
}

/// One import or update: "Run: update on 2026-12-01 10:00 UTC, 31 calls, 4 documents added,
/// 2 changed, 1 voided".
fn run_line(run: &RunEntry) -> String {
    format!(
        "Run: {} on {}, {} calls, {}",
        run.kind.label().to_lowercase(),
        run.finished_at.format("%Y-%m-%d %H:%M UTC"),
        run.calls,
        run.changes_text()
    )
}
