//! What the selected item plans with, on its chart's title line so that the chart keeps its
//! room: the lead time to plan with (where it comes from, and from how many receipts, on
//! hover), and its open orders at the location (how much to ship and to receive; their
//! numbers, quantities and dates in a list the button opens).

use super::format;
use crate::project::planning::{LeadTime, LeadTimeSource, OpenOrder};
use crate::project::{Project, Series};
use egui::{RichText, Ui};
use rust_decimal::Decimal;

/// The lead time and open orders of `series`' item at its location, right to left (the
/// caller lays them out at the end of a line).
pub(super) fn show(ui: &mut Ui, project: &Project, series: &Series) {
    let pair = (series.item, series.location);
    let mut orders: Vec<&OpenOrder> = project
        .planning
        .open_orders
        .iter()
        .filter(|o| (o.item, o.location) == pair)
        .collect();
    // Soonest first, undated last: a planner reads the list as a calendar. The planning keeps
    // them by number, which sorts as text ("SO-10074" before "SO-2059").
    orders.sort_by_key(|o| (o.date.is_none(), o.date));
    if orders.is_empty() {
        ui.label(RichText::new("No open orders").weak());
    } else {
        ui.menu_button(open_orders_heading(&orders), |ui| {
            // An item with many orders scrolls its list rather than run off the window.
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| orders_grid(ui, project, &orders));
        });
    }
    let lead = project
        .planning
        .lead_times
        .iter()
        .find(|l| (l.item, l.location) == pair);
    let short = match lead.and_then(|l| l.plan_days.map(|d| (d, l.plan_source))) {
        Some((d, LeadTimeSource::Supplier)) => format!("Lead time {} (supplier)", days(d)),
        Some((d, _)) => format!("Lead time {}", days(d)),
        None => "No lead time".to_owned(),
    };
    let details = format!(
        "{}\n{}",
        lead_time_sentence(project, lead),
        lead_time_details(lead)
    );
    ui.label(short).on_hover_text(details);
}

fn days(value: Decimal) -> String {
    match value.round_dp(1).normalize() {
        one if one == Decimal::ONE => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

fn receipts(n: u32) -> String {
    match n {
        1 => "1 receipt".to_owned(),
        n => format!("{n} receipts"),
    }
}

/// "Lead time to plan with: 5 days, this item's own mean over 3 receipts here."
fn lead_time_sentence(project: &Project, lead: Option<&LeadTime>) -> String {
    let own = lead.and_then(|l| l.own).map_or(0, |s| s.receipts);
    match lead.and_then(|l| l.plan_days.map(|d| (d, l))) {
        Some((d, l)) if l.plan_source == LeadTimeSource::Item => format!(
            "Lead time to plan with: {}, this item's own mean over {} here.",
            days(d),
            receipts(own)
        ),
        Some((d, l)) => {
            let supplier = project.items[l.item]
                .supplier
                .as_deref()
                .unwrap_or("its supplier");
            let orders = project.items[l.item]
                .supplier_id
                .and_then(|s| project.planning.suppliers.get(&s))
                .map_or(0, |s| s.receipts);
            format!(
                "Lead time to plan with: {}, the mean of {supplier} over {orders} orders (this item has {} here).",
                days(d),
                receipts(own)
            )
        }
        None => format!(
            "No lead time to plan with: {} here, and its supplier has fewer than 3 orders received.",
            receipts(own)
        ),
    }
}

/// The item's own figures, on hover.
fn lead_time_details(lead: Option<&LeadTime>) -> String {
    let Some(own) = lead.and_then(|l| l.own) else {
        return "No purchase order of this item has been received here.".to_owned();
    };
    let mut lines = vec![format!(
        "{} here: mean {}",
        receipts(own.receipts),
        days(own.mean_days)
    )];
    if let Some(sd) = own.sd_days {
        lines.push(format!("Standard deviation: {}", days(sd)));
    }
    if let Some(last) = lead.and_then(|l| l.last_receipt) {
        lines.push(format!("Last receipt: {}", format::date(last)));
    }
    lines.join("\n")
}

/// "Open orders: 5 to ship, 24 to receive ⏷" (the list says on which orders).
fn open_orders_heading(orders: &[&OpenOrder]) -> String {
    let total = |inbound: bool| -> Decimal {
        orders
            .iter()
            .filter(|o| o.inbound == inbound)
            .map(|o| o.qty)
            .sum()
    };
    let parts: Vec<String> = [(false, "to ship"), (true, "to receive")]
        .into_iter()
        .filter(|(inbound, _)| orders.iter().any(|o| o.inbound == *inbound))
        .map(|(inbound, what)| format!("{} {what}", format::quantity(total(inbound))))
        .collect();
    format!("Open orders: {} ⏷", parts.join(", "))
}

/// One line per order: which way, its type and number, the quantity and the date promised.
fn orders_grid(ui: &mut Ui, project: &Project, orders: &[&OpenOrder]) {
    egui::Grid::new("open_orders_grid")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for heading in ["", "Order", "Qty", "Date", "From"] {
                ui.label(RichText::new(heading).strong());
            }
            ui.end_row();
            for order in orders {
                ui.label(if order.inbound {
                    "To receive"
                } else {
                    "To ship"
                });
                ui.label(format!(
                    "{} {}",
                    order.order_type.label(),
                    order.number(project)
                ));
                ui.label(format::quantity(order.qty));
                ui.label(
                    order
                        .date
                        .map_or_else(|| "no date".to_owned(), format::date),
                );
                ui.label(match order.source_from(project) {
                    "" if order.inbound => "not named",
                    named => named,
                });
                ui.end_row();
            }
        });
}
