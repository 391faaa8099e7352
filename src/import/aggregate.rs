//! Sale lines > per item × location × period series. A pure function of its inputs.

use super::sales::SaleLine;
use crate::project::{Calendar, Series};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One series per item–location pair that has at least one sale line in the periods, ordered
/// by item, then location.
pub fn sales_series(lines: &[SaleLine], calendar: &Calendar) -> Vec<Series> {
    let periods = calendar.periods.len();
    let mut by_pair: BTreeMap<(usize, usize), Series> = BTreeMap::new();
    for line in lines {
        let Some(p) = calendar.index_of(line.at) else {
            continue;
        };
        let series = by_pair
            .entry((line.item, line.location))
            .or_insert_with(|| Series {
                item: line.item,
                location: line.location,
                sales_qty: vec![Decimal::ZERO; periods],
                sales_revenue: vec![Decimal::ZERO; periods],
                on_hand: None,
            });
        series.sales_qty[p] += line.qty;
        series.sales_revenue[p] += line.revenue;
    }
    by_pair.into_values().collect()
}
