//! The ledger: the normalized sale lines, stock movements and current stock an import read,
//! kept in the project so that its series can be rebuilt under other settings (grouping, week
//! start, time zone, sale date, dispatched only, returns) without calling Cin7, and so that an
//! update can replace one document's contribution.
//!
//! Every table is stored column by column: a million rows stay small in the file and fast to
//! read, write and add up. docs/project-format.md describes each column.

use super::stock::{Extent, StockReading};
use super::{Item, Location};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The kind of Cin7 document a row came from, in the order an import reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    SalesOrder,
    CreditNote,
    PurchaseOrder,
    BranchTransfer,
    Adjustment,
}

/// One document as the ledger keeps it. The dates are Unix seconds (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Document {
    pub kind: DocumentKind,
    pub id: i64,
    /// The branch of a sales order or a credit note.
    pub branch: Option<i64>,
    /// A sales order approved and not void, or a credit note not void.
    pub counted: bool,
    /// A sales order's `createdDate`.
    pub ordered: Option<i64>,
    /// A sales order's `invoiceDate`.
    pub invoiced: Option<i64>,
    /// A sales order's `dispatchedDate`.
    pub dispatched: Option<i64>,
    /// A credit note's return date (`creditNoteDate`, else `completedDate`, else `createdDate`).
    pub returned: Option<i64>,
    /// Kit component lines, which are not sales in themselves.
    pub kit_lines: u32,
    /// Lines whose item is not in the catalogue.
    pub unknown_lines: u32,
    /// A number of the document is beyond [`crate::bounds`]: it adds nothing and is counted.
    pub rejected: bool,
}

impl Document {
    /// A document with no branch, dates or lines of note (a purchase order, a transfer, an
    /// adjustment), not counted as a sale.
    pub fn new(kind: DocumentKind, id: i64) -> Self {
        Self {
            kind,
            id,
            branch: None,
            counted: false,
            ordered: None,
            invoiced: None,
            dispatched: None,
            returned: None,
            kit_lines: 0,
            unknown_lines: 0,
            rejected: false,
        }
    }
}

/// Every document the import read, whether or not it produced a row: an update that reads a
/// document again replaces all it contributed, even nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Documents {
    pub kind: Vec<DocumentKind>,
    pub id: Vec<i64>,
    pub branch: Vec<Option<i64>>,
    pub counted: Vec<bool>,
    pub ordered: Vec<Option<i64>>,
    pub invoiced: Vec<Option<i64>>,
    pub dispatched: Vec<Option<i64>>,
    pub returned: Vec<Option<i64>>,
    pub kit_lines: Vec<u32>,
    pub unknown_lines: Vec<u32>,
    /// Absent from files saved before documents could be rejected: none were.
    #[serde(default)]
    pub rejected: Vec<bool>,
}

impl Documents {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Adds a document and returns its index, which rows refer to.
    pub fn push(&mut self, document: Document) -> u32 {
        let index = self.id.len() as u32;
        self.kind.push(document.kind);
        self.id.push(document.id);
        self.branch.push(document.branch);
        self.counted.push(document.counted);
        self.ordered.push(document.ordered);
        self.invoiced.push(document.invoiced);
        self.dispatched.push(document.dispatched);
        self.returned.push(document.returned);
        self.kit_lines.push(document.kit_lines);
        self.unknown_lines.push(document.unknown_lines);
        self.rejected.push(document.rejected);
        index
    }

    /// The document at `index`.
    pub fn get(&self, index: usize) -> Document {
        Document {
            kind: self.kind[index],
            id: self.id[index],
            branch: self.branch[index],
            counted: self.counted[index],
            ordered: self.ordered[index],
            invoiced: self.invoiced[index],
            dispatched: self.dispatched[index],
            returned: self.returned[index],
            kit_lines: self.kit_lines[index],
            unknown_lines: self.unknown_lines[index],
            rejected: self.rejected[index],
        }
    }

    /// Fills the columns a file of an earlier version did not have.
    fn fill_missing_columns(&mut self) {
        if self.rejected.is_empty() {
            self.rejected = vec![false; self.id.len()];
        }
    }

    fn lengths(&self) -> [usize; 11] {
        [
            self.kind.len(),
            self.id.len(),
            self.branch.len(),
            self.counted.len(),
            self.ordered.len(),
            self.invoiced.len(),
            self.dispatched.len(),
            self.returned.len(),
            self.kit_lines.len(),
            self.unknown_lines.len(),
            self.rejected.len(),
        ]
    }
}

/// Sale lines: one item's part of one line of a counted sales order or credit note at an
/// included branch. Sized lines are already split by size. A credit note's lines are negative.
/// Where and when a line counts comes from its document, under the settings of the moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLines {
    pub document: Vec<u32>,
    pub item: Vec<u32>,
    pub qty: Vec<Decimal>,
    pub revenue: Vec<Decimal>,
}

impl SaleLines {
    pub fn len(&self) -> usize {
        self.document.len()
    }

    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
    }

    pub fn push(&mut self, document: u32, item: u32, qty: Decimal, revenue: Decimal) {
        self.document.push(document);
        self.item.push(item);
        self.qty.push(qty);
        self.revenue.push(revenue);
    }
}

/// Stock movements of regular items at included locations (docs/import-rules.md, "On-hand
/// history"), each dated in Unix seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movements {
    pub document: Vec<u32>,
    pub item: Vec<u32>,
    pub location: Vec<u32>,
    pub at: Vec<i64>,
    pub qty: Vec<Decimal>,
}

impl Movements {
    pub fn len(&self) -> usize {
        self.document.len()
    }

    pub fn is_empty(&self) -> bool {
        self.document.is_empty()
    }

    pub fn push(&mut self, document: u32, item: u32, location: u32, at: i64, qty: Decimal) {
        self.document.push(document);
        self.item.push(item);
        self.location.push(location);
        self.at.push(at);
        self.qty.push(qty);
    }
}

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
    ) -> std::collections::HashMap<(DocumentKind, i64), u64> {
        use std::hash::{Hash, Hasher};
        let hash = |value: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            value(&mut hasher);
            hasher.finish()
        };
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
            .map(|i| {
                if keep[i] {
                    hash(&|h| d.get(i).hash(h))
                } else {
                    0
                }
            })
            .collect();
        let kept = |document: u32| keep.get(document as usize) == Some(&true);
        // Rows add to their document's digest: their order does not matter.
        let s = &self.sales;
        for r in (0..s.len()).filter(|&r| kept(s.document[r])) {
            let row = hash(&|h| (item(s.item[r]), s.qty[r], s.revenue[r]).hash(h));
            if let Some(digest) = digests.get_mut(s.document[r] as usize) {
                *digest = digest.wrapping_add(row);
            }
        }
        let m = &self.movements;
        for r in (0..m.len()).filter(|&r| kept(m.document[r])) {
            let row = hash(&|h| {
                (
                    item(m.item[r]),
                    place(m.location[r]),
                    m.at[r],
                    m.qty[r],
                    1u8,
                )
                    .hash(h)
            });
            if let Some(digest) = digests.get_mut(m.document[r] as usize) {
                *digest = digest.wrapping_add(row);
            }
        }
        (0..d.len())
            .filter(|&i| keep[i])
            .map(|i| ((d.kind[i], d.id[i]), digests[i]))
            .collect()
    }

    /// Sale lines and movements: the rows the series are added up from.
    pub fn rows(&self) -> usize {
        self.sales.len() + self.movements.len()
    }

    /// Checks that every column of a table has one value per row, that every reference
    /// points at something that exists, and that every number and instant is inside its
    /// bounds, after filling the columns older files lack.
    pub fn validate(&mut self, items: usize, locations: usize) -> Result<(), String> {
        self.documents.fill_missing_columns();
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
    fn sort_documents(&mut self) {
        let d = &self.documents;
        let mut order: Vec<usize> = (0..d.len()).collect();
        order.sort_by_key(|&i| (d.kind[i], d.id[i]));
        if order.iter().enumerate().all(|(new, &old)| new == old) {
            return;
        }
        let mut new_index = vec![0u32; order.len()];
        let old = std::mem::replace(self, Ledger::new(self.as_of, self.branches.clone()));
        for (new, &i) in order.iter().enumerate() {
            new_index[i] = new as u32;
            self.documents.push(old.documents.get(i));
        }
        self.stock_readings = old.stock_readings.clone();
        self.rejected_records = old.rejected_records;
        // Rows in document order, each document's in the order they were.
        for i in in_document_order(&old.sales.document, &new_index) {
            let s = &old.sales;
            self.sales.push(
                new_index[s.document[i] as usize],
                s.item[i],
                s.qty[i],
                s.revenue[i],
            );
        }
        for i in in_document_order(&old.movements.document, &new_index) {
            let m = &old.movements;
            self.movements.push(
                new_index[m.document[i] as usize],
                m.item[i],
                m.location[i],
                m.at[i],
                m.qty[i],
            );
        }
    }

    fn check_values(&self) -> Result<(), String> {
        use crate::bounds::within;
        let numbers_hold = self.sales.qty.iter().all(|q| within(*q))
            && self.sales.revenue.iter().all(|r| within(*r))
            && self.movements.qty.iter().all(|q| within(*q))
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
        let instants = [&d.ordered, &d.invoiced, &d.dispatched, &d.returned]
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

    fn check_shape(&self, items: usize, locations: usize) -> Result<(), String> {
        let documents = self.documents.len();
        let same = |lengths: &[usize]| lengths.iter().all(|&n| n == lengths[0]);
        if !same(&self.documents.lengths()) {
            return Err("the ledger's documents do not have one value per column".into());
        }
        let s = &self.sales;
        if !same(&[s.document.len(), s.item.len(), s.qty.len(), s.revenue.len()]) {
            return Err("the ledger's sale lines do not have one value per column".into());
        }
        let m = &self.movements;
        if !same(&[
            m.document.len(),
            m.item.len(),
            m.location.len(),
            m.at.len(),
            m.qty.len(),
        ]) {
            return Err("the ledger's movements do not have one value per column".into());
        }
        if !self.stock_readings.iter().all(StockReading::columns_agree) {
            return Err("the ledger's stock does not have one value per column".into());
        }
        let below = |values: &[u32], limit: usize| values.iter().all(|&v| (v as usize) < limit);
        let references_hold = below(&s.document, documents)
            && below(&m.document, documents)
            && below(&s.item, items)
            && below(&m.item, items)
            && below(&m.location, locations);
        if !references_hold {
            return Err(
                "the ledger refers to a document, item or location that does not exist".into(),
            );
        }
        Ok(())
    }

    /// Adds the sale lines and movements of `from` whose document `document` maps to an index
    /// of this ledger's, under that index.
    fn copy_rows(&mut self, from: &Ledger, document: impl Fn(u32) -> Option<u32>) {
        let s = &from.sales;
        for i in 0..s.len() {
            if let Some(d) = document(s.document[i]) {
                self.sales.push(d, s.item[i], s.qty[i], s.revenue[i]);
            }
        }
        let m = &from.movements;
        for i in 0..m.len() {
            if let Some(d) = document(m.document[i]) {
                self.movements
                    .push(d, m.item[i], m.location[i], m.at[i], m.qty[i]);
            }
        }
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
        self.sort_documents();
    }
}

/// The indices of rows (each naming its document) sorted by their documents' new places, rows
/// of one document keeping their order.
fn in_document_order(documents: &[u32], new_index: &[u32]) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..documents.len()).collect();
    rows.sort_by_key(|&i| new_index[documents[i] as usize]);
    rows
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
        earlier.sales.push(a, 0, Decimal::ONE, Decimal::TEN);
        earlier.sales.push(b, 1, Decimal::TWO, Decimal::TEN);
        earlier.movements.push(a, 0, 0, 5, -Decimal::ONE);
        earlier.movements.push(p, 0, 0, 6, Decimal::TEN);
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
        newer.sales.push(c, 0, Decimal::from(3), Decimal::from(30));
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
        l.sales.push(a, 4, Decimal::ONE, Decimal::ONE);
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
