//! Reads of the same resource taken at different moments, made one. A newest-first import
//! reads the sales orders window by window and ends by reading again what changed since it
//! started; a record read again replaces the earlier read of it (the later read is never an
//! older version), and the records come out in id order, as one walk in id order gives them.

use crate::cin7::model::{Identified, StockRow};
use std::collections::{BTreeMap, HashSet};

/// The records of `reads`, in order of reading, each id once (its last read) in id order,
/// then those without an id as read.
pub(super) fn by_id<T: Identified>(reads: impl IntoIterator<Item = Vec<T>>) -> Vec<T> {
    let mut with_id = BTreeMap::new();
    let mut without_id = Vec::new();
    for record in reads.into_iter().flatten() {
        match record.id() {
            Some(id) => {
                with_id.insert(id, record);
            }
            None => without_id.push(record),
        }
    }
    with_id.into_values().chain(without_id).collect()
}

/// Where a stock row counts: its option, branch and size (rows of one place add up).
type Place = (Option<i64>, Option<i64>, String);

fn place(row: &StockRow) -> Place {
    let size = row.size.as_deref().unwrap_or_default().trim().to_owned();
    (*row.product_option_id, *row.branch_id, size)
}

/// The stock `full` read, with every place that `changed` has taken from `changed` instead.
pub(super) fn stock(full: Vec<StockRow>, changed: Vec<StockRow>) -> Vec<StockRow> {
    let replaced: HashSet<Place> = changed.iter().map(place).collect();
    full.into_iter()
        .filter(|row| !replaced.contains(&place(row)))
        .chain(changed)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cin7::model::SalesOrder;

    fn order(id: Option<i64>, reference: &str) -> SalesOrder {
        let mut order = SalesOrder::default();
        order.id.0 = id;
        order.reference.0 = Some(reference.to_owned());
        order
    }

    fn references(orders: &[SalesOrder]) -> Vec<&str> {
        orders
            .iter()
            .filter_map(|o| o.reference.as_deref())
            .collect()
    }

    #[test]
    fn the_last_read_of_each_id_in_id_order() {
        let newest = vec![order(Some(9), "9 first"), order(Some(3), "3 first")];
        let older = vec![
            order(Some(1), "1"),
            order(None, "no id"),
            order(Some(5), "5"),
        ];
        let again = vec![order(Some(3), "3 again")];
        let merged = by_id([newest, older, again]);
        assert_eq!(
            references(&merged),
            vec!["1", "3 again", "5", "9 first", "no id"]
        );
    }

    fn row(option: i64, branch: i64, size: &str, qty: i64) -> StockRow {
        let mut row = StockRow::default();
        row.product_option_id.0 = Some(option);
        row.branch_id.0 = Some(branch);
        row.size.0 = (!size.is_empty()).then(|| size.to_owned());
        row.stock_on_hand.0 = Some(qty.into());
        row
    }

    #[test]
    fn changed_stock_replaces_every_row_of_its_place() {
        // The server repeated a row of option 1 at branch 2: both go when the place changed.
        let full = vec![
            row(1, 2, "", 4),
            row(1, 2, "", 1),
            row(1, 2, "M", 7),
            row(3, 2, "", 9),
        ];
        let changed = vec![row(1, 2, " ", 2), row(5, 2, "", 6)];
        let merged = stock(full, changed);
        let seen: Vec<(i64, String, String)> = merged
            .iter()
            .map(|r| {
                let (option, _, size) = place(r);
                (option.unwrap(), size, r.stock_on_hand.unwrap().to_string())
            })
            .collect();
        let want = [(1, "M", "7"), (3, "", "9"), (1, "", "2"), (5, "", "6")];
        let want: Vec<(i64, String, String)> = want
            .iter()
            .map(|(o, s, q)| (*o, (*s).to_owned(), (*q).to_owned()))
            .collect();
        assert_eq!(seen, want);
    }
}
