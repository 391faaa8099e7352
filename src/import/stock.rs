//! Stock movements and on-hand history (docs/import-rules.md, "On-hand history"): current stock
//! from `Stock`, rebuilt backwards through every movement the documents record.

use super::mapping::Catalogue;
use super::sales::Places;
use crate::cin7::model::{
    Adjustment, BranchTransfer, CreditNote, PurchaseOrder, SalesOrder, SalesOrderLine, StockRow,
    is_void,
};
use crate::project::{Calendar, DataWarnings};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// A change of one regular item's stock at one location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Movement {
    pub item: usize,
    pub location: usize,
    pub at: DateTime<Utc>,
    pub qty: Decimal,
}

/// The documents that move stock.
pub struct Documents<'a> {
    pub orders: &'a [SalesOrder],
    pub credit_notes: &'a [CreditNote],
    pub purchase_orders: &'a [PurchaseOrder],
    pub transfers: &'a [BranchTransfer],
    pub adjustments: &'a [Adjustment],
}

struct Collector<'a> {
    catalogue: &'a Catalogue,
    places: &'a Places<'a>,
    out: Vec<Movement>,
}

impl Collector<'_> {
    /// A line's quantity into (or out of) a branch at a moment. Sized options have no on-hand
    /// history, and unknown options and branches move nothing the project holds.
    fn add(
        &mut self,
        line: &SalesOrderLine,
        qty: Decimal,
        branch: Option<i64>,
        at: Option<DateTime<Utc>>,
    ) {
        let (Some(option), Some(at)) = (line.product_option_id, at) else {
            return;
        };
        if qty.is_zero() || self.catalogue.is_sized_option(option) {
            return;
        }
        let Some(item) = self.catalogue.regular(option) else {
            return;
        };
        let Some(&location) = branch.and_then(|b| self.places.locations.get(&b)) else {
            return;
        };
        self.out.push(Movement {
            item,
            location,
            at,
            qty,
        });
    }
}

fn lines(lines: &Option<Vec<SalesOrderLine>>) -> &[SalesOrderLine] {
    lines.as_deref().unwrap_or_default()
}

fn positive(qty: Option<Decimal>) -> Option<Decimal> {
    qty.filter(|q| *q > Decimal::ZERO)
}

/// Every stock movement of the table in docs/import-rules.md.
pub fn movements(docs: &Documents, catalogue: &Catalogue, places: &Places) -> Vec<Movement> {
    let mut c = Collector {
        catalogue,
        places,
        out: Vec::new(),
    };
    for o in docs.orders.iter().filter(|o| o.counts_as_sale()) {
        let at = o.dispatched_date.or(o.invoice_date).or(o.modified_date);
        for line in lines(&o.line_items) {
            if let Some(shipped) = positive(line.qty_shipped) {
                c.add(line, -shipped, o.branch_id, at);
            }
        }
    }
    for n in docs.credit_notes.iter().filter(|n| n.counts()) {
        let at = n.completed_date.or(n.credit_note_date).or(n.created_date);
        for line in lines(&n.line_items) {
            c.add(line, line.qty.unwrap_or_default().abs(), n.branch_id, at);
        }
    }
    for p in docs.purchase_orders.iter() {
        if p.is_approved != Some(true) || is_void(p.is_void, p.status.as_deref()) {
            continue;
        }
        let at = p.fully_received_date.or(p.modified_date);
        for line in lines(&p.line_items) {
            if let Some(received) = positive(line.qty_shipped) {
                c.add(line, received, p.branch_id, at);
            }
        }
    }
    for t in docs.transfers {
        for line in lines(&t.line_items) {
            let qty = line.qty.unwrap_or_default();
            c.add(line, -qty, t.source_branch_id, t.dispatched_date);
            c.add(line, qty, t.destination_branch_id, t.received_date);
        }
    }
    for a in docs
        .adjustments
        .iter()
        .filter(|a| a.is_approved == Some(true))
    {
        let at = a.completed_date.or(a.created_date);
        for line in lines(&a.line_items) {
            c.add(line, line.qty.unwrap_or_default(), a.branch_id, at);
        }
    }
    c.out
}

/// Current stock on hand of each regular item at each included location.
pub fn current_stock(
    rows: &[StockRow],
    catalogue: &Catalogue,
    places: &Places,
) -> HashMap<(usize, usize), Decimal> {
    let mut current = HashMap::new();
    for row in rows {
        let Some(option) = row.product_option_id else {
            continue;
        };
        if catalogue.is_sized_option(option) {
            continue;
        }
        let (Some(item), Some(&location)) = (
            catalogue.regular(option),
            row.branch_id.and_then(|b| places.locations.get(&b)),
        ) else {
            continue;
        };
        *current.entry((item, location)).or_insert(Decimal::ZERO) +=
            row.stock_on_hand.unwrap_or_default();
    }
    current
}

/// On-hand at the end of each period, per item and location: the last period's is the current
/// stock; each earlier one is the next one's less the movements dated in the next period.
/// Movements before the first period change no period's end. Negative values are kept, and
/// counted in `warnings`.
pub fn on_hand(
    current: &HashMap<(usize, usize), Decimal>,
    movements: &[Movement],
    calendar: &Calendar,
    warnings: &mut DataWarnings,
) -> BTreeMap<(usize, usize), Vec<Decimal>> {
    let periods = calendar.periods.len();
    let mut moved: BTreeMap<(usize, usize), Vec<Decimal>> = BTreeMap::new();
    for m in movements {
        let buckets = moved
            .entry((m.item, m.location))
            .or_insert_with(|| vec![Decimal::ZERO; periods]);
        if let Some(p) = calendar.index_of(m.at) {
            buckets[p] += m.qty;
        }
    }
    for &pair in current.keys() {
        moved
            .entry(pair)
            .or_insert_with(|| vec![Decimal::ZERO; periods]);
    }
    let mut history = BTreeMap::new();
    for (pair, buckets) in moved {
        let mut values = vec![Decimal::ZERO; periods];
        let mut level = current.get(&pair).copied().unwrap_or_default();
        for p in (0..periods).rev() {
            values[p] = level;
            level -= buckets[p];
        }
        warnings.negative_on_hand_values +=
            values.iter().filter(|v| **v < Decimal::ZERO).count() as u64;
        history.insert(pair, values);
    }
    history
}
