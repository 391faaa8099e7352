//! Sale lines and on-hand history → per item × location × period series. A pure function of
//! its inputs.

use super::sales::SaleLine;
use crate::project::{Calendar, Item, Series};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One series per item–location pair with a sale line in the periods or some stock, ordered
/// by item, then location. Regular items carry on-hand history (zeros where there was never
/// any stock); sized items carry none.
pub fn series(
    lines: &[SaleLine],
    on_hand: BTreeMap<(usize, usize), Vec<Decimal>>,
    items: &[Item],
    calendar: &Calendar,
) -> Vec<Series> {
    let periods = calendar.periods.len();
    let empty = |(item, location): (usize, usize)| Series {
        item,
        location,
        sales_qty: vec![Decimal::ZERO; periods],
        sales_revenue: vec![Decimal::ZERO; periods],
        on_hand: None,
    };
    let mut by_pair: BTreeMap<(usize, usize), Series> = BTreeMap::new();
    for line in lines {
        let Some(p) = calendar.index_of(line.at) else {
            continue;
        };
        let series = by_pair
            .entry((line.item, line.location))
            .or_insert_with(|| empty((line.item, line.location)));
        series.sales_qty[p] += line.qty;
        series.sales_revenue[p] += line.revenue;
    }
    for (pair, values) in on_hand {
        if by_pair.contains_key(&pair) || values.iter().any(|v| !v.is_zero()) {
            by_pair.entry(pair).or_insert_with(|| empty(pair)).on_hand = Some(values);
        }
    }
    for series in by_pair.values_mut() {
        if series.on_hand.is_none() && !items[series.item].sized {
            series.on_hand = Some(vec![Decimal::ZERO; periods]);
        }
    }
    by_pair.into_values().collect()
}
