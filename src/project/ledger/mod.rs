//! The ledger: the normalized sale lines, stock movements and current stock an import read,
//! kept in the project so that its series can be rebuilt under other settings (grouping, week
//! start, time zone, sale date, dispatched only, returns) without calling Cin7, and so that an
//! update can replace one document's contribution.
//!
//! Every table is stored column by column: a million rows stay small in the file and fast to
//! read, write and add up. docs/project-format.md describes each column.

mod documents;
mod rows;

pub use documents::{Document, DocumentKind, Documents};
pub use rows::{
    DocumentRows, Kits, Movement, Movements, OpenLine, OpenLines, Receipt, Receipts, SaleLine,
    SaleLines,
};

use super::stock::{Extent, StockReading};
use super::{Item, Location};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Current stock on hand of each regular item at each included location, one row per pair:
/// what files of format version 2 keep instead of stock readings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevels {
    pub item: Vec<u32>,
    pub location: Vec<u32>,
    pub qty: Vec<Decimal>,
}

/// Everything the series are rebuilt from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The moment the account was read: the last period is the one containing it.
    pub as_of: DateTime<Utc>,
    /// Every branch id the account lists, included or not (to tell a branch left out by the
    /// import options from one Cin7 does not know).
    pub branches: Vec<i64>,
    pub documents: Documents,
    pub sales: SaleLines,
    pub movements: Movements,
    /// What open documents still have to ship and to receive, as of the ledger's moment.
    #[serde(default)]
    pub open_lines: OpenLines,
    #[serde(default)]
    pub receipts: Receipts,
    #[serde(default)]
    pub kits: Kits,
    /// Cin7 refused the walks of open documents older than the history (an `IS NULL` filter
    /// answered with 400): open orders older than the history may be missing.
    #[serde(default)]
    pub older_open_orders_missing: bool,
    /// Every reading of Cin7's stock, oldest first: the import's full one, then each update's
    /// changed rows.
    #[serde(default)]
    pub stock_readings: Vec<StockReading>,
    /// The stock a file of format version 2 kept, read once and turned into a reading.
    #[serde(default, rename = "stock", skip_serializing)]
    legacy_stock: Option<StockLevels>,
    /// Master data and stock rows left out because a number was beyond [`crate::bounds`].
    #[serde(default)]
    pub rejected_records: u64,
    /// How many seconds Cin7's clock ran ahead of this computer's when the account was read
    /// (negative: behind), so that an update asks for what changed since then by Cin7's
    /// clock; `None` when no answer said.
    #[serde(default)]
    pub cin7_clock_ahead_secs: Option<i64>,
}

/// The earliest and latest instants a ledger may hold (1 January 1900 and 2200, UTC).
const EARLIEST: i64 = -2_208_988_800;
const LATEST: i64 = 7_258_118_400;

impl Ledger {
    pub fn new(as_of: DateTime<Utc>, branches: Vec<i64>) -> Self {
        Self {
            as_of,
            branches,
            documents: Documents::default(),
            sales: SaleLines::default(),
            movements: Movements::default(),
            open_lines: OpenLines::default(),
            receipts: Receipts::default(),
            kits: Kits::default(),
            older_open_orders_missing: false,
            stock_readings: Vec::new(),
            legacy_stock: None,
            rejected_records: 0,
            cin7_clock_ahead_secs: None,
        }
    }

    /// A fingerprint of each document and the rows it gave, by kind and id, naming items and
    /// locations by what they are (`items`, `locations`: the project's), so that documents read
    /// again compare equal when nothing of theirs changed, whatever their indexes. Only the
    /// documents `wanted` are digested: an update compares a few dozen with years of them.
    pub fn digests(
        &self,
        items: &[Item],
        locations: &[Location],
        wanted: impl Fn(&(DocumentKind, i64)) -> bool,
    ) -> HashMap<(DocumentKind, i64), u64> {
        let item = |i: u32| {
            items
                .get(i as usize)
                .map(|i| (i.product_option_id, i.size.as_str()))
        };
        let place = |l: u32| locations.get(l as usize).map(|l| l.branch_id);
        let d = &self.documents;
        let keep: Vec<bool> = (0..d.len())
            .map(|i| wanted(&(d.kind[i], d.id[i])))
            .collect();
        let mut digests: Vec<u64> = (0..d.len())
            .map(|i| if keep[i] { hash(&d.get(i)) } else { 0 })
            .collect();
        // Rows add to their document's digest: their order does not matter.
        let mut add = |document: u32, row: u64| {
            if keep.get(document as usize) == Some(&true) {
                let digest = &mut digests[document as usize];
                *digest = digest.wrapping_add(row);
            }
        };
        let s = &self.sales;
        for r in 0..s.len() {
            add(
                s.document[r],
                hash(&(item(s.item[r]), s.qty[r], s.revenue[r], s.cost[r])),
            );
        }
        let m = &self.movements;
        for r in 0..m.len() {
            let row = (
                item(m.item[r]),
                place(m.location[r]),
                m.at[r],
                m.qty[r],
                1u8,
            );
            add(m.document[r], hash(&row));
        }
        let o = &self.open_lines;
        for r in 0..o.len() {
            let row = (
                item(o.item[r]),
                place(o.location[r]),
                o.inbound[r],
                o.qty[r],
                o.lot_cost[r],
                2u8,
            );
            add(o.document[r], hash(&row));
        }
        let p = &self.receipts;
        for r in 0..p.len() {
            let row = (
                item(p.item[r]),
                place(p.location[r]),
                p.qty[r],
                p.unit_price[r],
                3u8,
            );
            add(p.document[r], hash(&row));
        }
        (0..d.len())
            .filter(|&i| keep[i])
            .map(|i| ((d.kind[i], d.id[i]), digests[i]))
            .collect()
    }

    /// Makes the documents' text printable (a file may have been written by anyone).
    pub fn make_text_printable(&mut self) {
        let d = &mut self.documents;
        for text in d
            .channel
            .iter_mut()
            .chain(&mut d.reference)
            .chain(&mut d.source_from)
            .chain(&mut d.currency)
        {
            crate::text::make_printable(text);
        }
    }

    /// Whether an instant may be kept in a ledger (1900 to 2200).
    pub fn holds_instant(at: i64) -> bool {
        (EARLIEST..=LATEST).contains(&at)
    }

    /// Sale lines and movements: the rows the series are added up from.
    pub fn rows(&self) -> usize {
        self.sales.len() + self.movements.len()
    }

    /// Checks that every column of a table has one value per row, that every reference
    /// points at something that exists, and that every number and instant is inside its
    /// bounds, after filling the columns older files lack.
    pub fn validate(&mut self, items: usize, locations: usize) -> Result<(), String> {
        self.check_shape(items, locations)?;
        self.check_values()
    }

    /// Turns what a file of an earlier format kept into what this one keeps: the stock of a
    /// version 2 file becomes the reading it was, at the ledger's moment.
    pub fn upgrade(&mut self, items: &[Item], locations: &[Location]) -> Result<(), String> {
        let Some(levels) = self.legacy_stock.take() else {
            return Ok(());
        };
        let mut reading = StockReading::new(self.as_of, Extent::Full);
        for i in 0..levels.qty.len() {
            let (item, location) = (levels.item.get(i), levels.location.get(i));
            let (Some(item), Some(location)) = (
                item.and_then(|&n| items.get(n as usize)),
                location.and_then(|&n| locations.get(n as usize)),
            ) else {
                return Err(
                    "the ledger's stock refers to an item or location that does not exist".into(),
                );
            };
            reading.push(
                (
                    item.product_option_id,
                    item.size.clone(),
                    location.branch_id,
                ),
                levels.qty[i],
            );
        }
        self.stock_readings = vec![reading];
        Ok(())
    }

    /// Puts documents in kind, then id order, with their rows following them: the order a
    /// fresh import reads them in, so that an updated ledger equals a fresh one row by row.
    pub(crate) fn sort_documents(&mut self) {
        let d = &self.documents;
        let mut order: Vec<usize> = (0..d.len()).collect();
        order.sort_by_key(|&i| (d.kind[i], d.id[i]));
        if order.iter().enumerate().all(|(new, &old)| new == old) {
            return;
        }
        let mut new_index = vec![0u32; order.len()];
        let mut documents = Documents::default();
        for (new, &i) in order.iter().enumerate() {
            new_index[i] = new as u32;
            documents.push(self.documents.get(i));
        }
        self.documents = documents;
        reorder(&mut self.sales, &new_index);
        reorder(&mut self.movements, &new_index);
        reorder(&mut self.open_lines, &new_index);
        reorder(&mut self.receipts, &new_index);
    }

    fn check_values(&self) -> Result<(), String> {
        use crate::bounds::within;
        let within_all = |values: &[Decimal]| values.iter().all(|v| within(*v));
        let within_known = |values: &[Option<Decimal>]| values.iter().flatten().all(|v| within(*v));
        let numbers_hold = within_all(&self.sales.qty)
            && within_all(&self.sales.revenue)
            && within_known(&self.sales.cost)
            && within_all(&self.movements.qty)
            && within_all(&self.open_lines.qty)
            && within_known(&self.open_lines.lot_cost)
            && within_all(&self.receipts.qty)
            && within_known(&self.receipts.unit_price)
            && within_all(&self.kits.multiplier)
            && self
                .stock_readings
                .iter()
                .all(|r| r.qty.iter().all(|q| within(*q)));
        if !numbers_hold {
            return Err("a quantity or amount in its ledger is beyond 10^15".into());
        }
        let d = &self.documents;
        let as_of = self.as_of.timestamp();
        let readings: Vec<i64> = self
            .stock_readings
            .iter()
            .map(|r| r.at.timestamp())
            .collect();
        let instants = [
            &d.ordered,
            &d.invoiced,
            &d.dispatched,
            &d.returned,
            &d.promised,
            &d.received,
        ]
        .into_iter()
        .flat_map(|column| column.iter().flatten())
        .chain(&self.movements.at)
        .chain(&readings)
        .chain([&as_of]);
        if !instants
            .into_iter()
            .all(|&t| (EARLIEST..=LATEST).contains(&t))
        {
            return Err("a date in its ledger is outside the years 1900 to 2200".into());
        }
        Ok(())
    }

    fn check_shape(&mut self, items: usize, locations: usize) -> Result<(), String> {
        let documents = self.documents.len();
        self.documents.fill_missing_columns();
        if !self.documents.columns_agree() {
            return Err("the ledger's documents do not have one value per column".into());
        }
        if !self.sales.fill_and_check() {
            return Err("the ledger's sale lines do not have one value per column".into());
        }
        if !self.movements.fill_and_check() {
            return Err("the ledger's movements do not have one value per column".into());
        }
        let planning_rows_agree = self.open_lines.fill_and_check()
            && self.receipts.fill_and_check()
            && self.kits.columns_agree();
        if !planning_rows_agree {
            return Err(
                "the ledger's open orders, receipts or kits do not have one value per column"
                    .into(),
            );
        }
        if !self.stock_readings.iter().all(StockReading::columns_agree) {
            return Err("the ledger's stock does not have one value per column".into());
        }
        let below = |values: &[u32], limit: usize| values.iter().all(|&v| (v as usize) < limit);
        let (s, m, o, r) = (
            &self.sales,
            &self.movements,
            &self.open_lines,
            &self.receipts,
        );
        let references_hold = [s.documents(), m.documents(), o.documents(), r.documents()]
            .iter()
            .all(|rows| below(rows, documents))
            && [&s.item, &m.item, &o.item, &r.item]
                .iter()
                .all(|rows| below(rows, items))
            && [&m.location, &o.location, &r.location]
                .iter()
                .all(|rows| below(rows, locations));
        if !references_hold {
            return Err(
                "the ledger refers to a document, item or location that does not exist".into(),
            );
        }
        Ok(())
    }

    /// Adds the rows of `from` whose document `document` maps to an index of this ledger's,
    /// under that index.
    fn copy_rows(&mut self, from: &Ledger, document: impl Fn(u32) -> Option<u32>) {
        copy(&mut self.sales, &from.sales, &document);
        copy(&mut self.movements, &from.movements, &document);
        copy(&mut self.open_lines, &from.open_lines, &document);
        copy(&mut self.receipts, &from.receipts, &document);
    }

    /// Replaces the contribution of every document `newer` holds with what `newer` says of it,
    /// keeps every other document's rows, adds `newer`'s stock readings to its own, and takes
    /// `newer`'s branches and moment: what an update does with the documents modified since the
    /// last import. Documents stay in kind and id order, as a fresh import has them. `newer`'s item and
    /// location indexes must be this ledger's.
    pub fn replace_documents(&mut self, newer: Ledger) {
        let replaced: HashSet<(DocumentKind, i64)> = newer
            .documents
            .kind
            .iter()
            .copied()
            .zip(newer.documents.id.iter().copied())
            .collect();
        let old = std::mem::replace(self, Ledger::new(newer.as_of, newer.branches.clone()));
        // Old index → new index, for the documents kept.
        let kept: Vec<Option<u32>> = (0..old.documents.len())
            .map(|i| {
                let key = (old.documents.kind[i], old.documents.id[i]);
                (!replaced.contains(&key)).then(|| self.documents.push(old.documents.get(i)))
            })
            .collect();
        self.copy_rows(&old, |d| kept[d as usize]);
        let offset = self.documents.len() as u32;
        for i in 0..newer.documents.len() {
            self.documents.push(newer.documents.get(i));
        }
        self.copy_rows(&newer, |d| Some(offset + d));
        self.stock_readings = old.stock_readings;
        self.stock_readings.extend(newer.stock_readings);
        self.rejected_records = newer.rejected_records;
        self.kits = old.kits;
        self.kits.replace(&newer.kits);
        self.older_open_orders_missing = old.older_open_orders_missing;
        self.sort_documents();
    }
}

/// A value's fingerprint.
fn hash(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Adds the rows of `from` whose document maps to one of `to`'s.
fn copy<T: DocumentRows>(to: &mut T, from: &T, document: impl Fn(u32) -> Option<u32>) {
    for (row, &d) in from.documents().iter().enumerate() {
        if let Some(d) = document(d) {
            to.push_from(from, row, d);
        }
    }
}

/// Renumbers a table's documents by `new_index` and puts its rows in their documents' new
/// order, the rows of one document keeping theirs.
fn reorder<T: DocumentRows>(table: &mut T, new_index: &[u32]) {
    let old = std::mem::take(table);
    let mut rows: Vec<usize> = (0..old.documents().len()).collect();
    rows.sort_by_key(|&i| new_index[old.documents()[i] as usize]);
    for i in rows {
        table.push_from(&old, i, new_index[old.documents()[i] as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn order(id: i64) -> Document {
        Document {
            branch: Some(1),
            counted: true,
            ordered: Some(1_700_000_000),
            ..Document::new(DocumentKind::SalesOrder, id)
        }
    }

    fn sale(item: u32, qty: Decimal, revenue: Decimal) -> SaleLine {
        SaleLine {
            item,
            qty,
            revenue,
            cost: None,
        }
    }

    fn moved(item: u32, at: i64, qty: Decimal) -> Movement {
        Movement {
            item,
            location: 0,
            at,
            qty,
        }
    }

    fn ledger(day: u32) -> Ledger {
        Ledger::new(
            Utc.with_ymd_and_hms(2024, 5, day, 0, 0, 0).unwrap(),
            vec![1],
        )
    }

    #[test]
    fn an_update_replaces_what_each_document_it_read_contributed() {
        let mut earlier = ledger(1);
        let a = earlier.documents.push(order(10));
        let b = earlier.documents.push(order(11));
        let p = earlier
            .documents
            .push(Document::new(DocumentKind::PurchaseOrder, 10));
        earlier.sales.push(a, sale(0, Decimal::ONE, Decimal::TEN));
        earlier.sales.push(b, sale(1, Decimal::TWO, Decimal::TEN));
        earlier.movements.push(a, moved(0, 5, -Decimal::ONE));
        earlier.movements.push(p, moved(0, 6, Decimal::TEN));
        let mut reading = StockReading::new(earlier.as_of, Extent::Full);
        reading.push((1, String::new(), 1), Decimal::TEN);
        earlier.stock_readings.push(reading);

        // Order 10 was voided (no rows now); purchase order 10 is the same number of another
        // kind and stays as it was.
        let mut newer = ledger(2);
        newer.documents.push(Document {
            counted: false,
            ..order(10)
        });
        let c = newer.documents.push(order(12));
        newer
            .sales
            .push(c, sale(0, Decimal::from(3), Decimal::from(30)));
        let mut changed = StockReading::new(newer.as_of, Extent::Changes);
        changed.push((1, String::new(), 1), Decimal::ONE);
        newer.stock_readings.push(changed);

        earlier.replace_documents(newer);
        // In kind, then id order, as a fresh import reads them.
        let d = &earlier.documents;
        assert_eq!(d.id, vec![10, 11, 12, 10]);
        assert_eq!(
            d.kind,
            vec![
                DocumentKind::SalesOrder,
                DocumentKind::SalesOrder,
                DocumentKind::SalesOrder,
                DocumentKind::PurchaseOrder
            ]
        );
        assert_eq!(d.counted, vec![false, true, true, false]);
        assert_eq!(earlier.sales.document, vec![1, 2]);
        assert_eq!(earlier.sales.qty, vec![Decimal::TWO, Decimal::from(3)]);
        assert_eq!(earlier.movements.document, vec![3]);
        assert_eq!(earlier.movements.qty, vec![Decimal::TEN]);
        let readings: Vec<bool> = earlier.stock_readings.iter().map(|r| r.full).collect();
        assert_eq!(
            readings,
            vec![true, false],
            "the update's reading follows the import's"
        );
        assert_eq!(earlier.as_of, ledger(2).as_of);
        assert_eq!(earlier.validate(2, 1), Ok(()));
    }

    #[test]
    fn validation_names_what_is_broken() {
        let mut l = ledger(1);
        l.documents.push(order(9));
        l.documents.rejected.clear();
        assert_eq!(
            l.validate(1, 1),
            Ok(()),
            "a file without the rejected column"
        );
        assert_eq!(l.documents.rejected, vec![false]);
        let mut l = ledger(1);
        let a = l.documents.push(order(1));
        l.sales.push(a, sale(4, Decimal::ONE, Decimal::ONE));
        assert_eq!(
            l.validate(4, 1),
            Err("the ledger refers to a document, item or location that does not exist".into())
        );
        assert_eq!(l.validate(5, 1), Ok(()));
        l.sales.qty[0] = Decimal::from(1_000_000_000_000_000_i64);
        assert_eq!(
            l.validate(5, 1),
            Err("a quantity or amount in its ledger is beyond 10^15".into())
        );
        l.sales.qty[0] = Decimal::ONE;
        l.documents.ordered[0] = Some(i64::MAX);
        assert_eq!(
            l.validate(5, 1),
            Err("a date in its ledger is outside the years 1900 to 2200".into())
        );
        l.sales.qty.pop();
        assert_eq!(
            l.validate(5, 1),
            Err("the ledger's sale lines do not have one value per column".into())
        );
    }
}
