//! Cin7 documents → the project's ledger: every document once, with the items its lines sold
//! and what they cost, the stock it moved, what it still has to ship or receive and what it
//! received (docs/import-rules.md, "Sales history", "On-hand history", "Cost and channel of a
//! sale", "Open orders", "Lead times"), the current stock and the kits. Nothing here depends
//! on the settings the ledger is later grouped by.

use super::mapping::Catalogue;
use super::open_orders::{purchase_cost, purchase_unit_price, remaining, shares, transfer_cost};
use super::sales::{LineSign, document_sales};
use crate::cin7::model::{
    Adjustment, BomMaster, Bounded, BranchTransfer, CreditNote, DocumentLine, PurchaseOrder,
    SalesOrder, StockRow, is_void,
};
use crate::project::ledger::{Document, DocumentKind, Ledger, Movement, OpenLine, Receipt};
use crate::project::rebuild::Places;
use crate::project::stock::{Extent, StockKey, StockReading};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The longest channel name kept, in characters: a `source` is a short name ("POS",
/// "Shopify"); anything longer is cut there rather than carried into every file and screen.
const CHANNEL_CHARS: usize = 100;

/// What an import read that the ledger is made of.
pub(super) struct Read<'a> {
    pub orders: &'a [SalesOrder],
    pub credit_notes: &'a [CreditNote],
    pub purchase_orders: &'a [PurchaseOrder],
    pub transfers: &'a [BranchTransfer],
    pub adjustments: &'a [Adjustment],
    /// Documents still open though last modified before the history: open orders only.
    pub older: Older<'a>,
    pub boms: &'a [BomMaster],
    /// Every branch's name, by id (the source of a transfer may be left out of the project).
    pub branch_names: &'a HashMap<i64, String>,
    pub stock: &'a [StockRow],
    /// Whether `stock` is every row (an import), or only those changed (an update).
    pub stock_extent: Extent,
}

/// The open documents last modified before the history's start.
#[derive(Clone, Copy, Default)]
pub(super) struct Older<'a> {
    pub orders: &'a [SalesOrder],
    pub purchase_orders: &'a [PurchaseOrder],
    pub transfers: &'a [BranchTransfer],
}

/// The ledger of what was read as of `as_of`, for an account listing `branches`.
pub(super) fn ledger(
    read: &Read,
    catalogue: &Catalogue,
    places: &Places,
    as_of: DateTime<Utc>,
    branches: Vec<i64>,
) -> Ledger {
    let mut recorder = Recorder {
        catalogue,
        places,
        branch_names: read.branch_names,
        ledger: Ledger::new(as_of, branches),
        stock_extent: read.stock_extent,
    };
    read.orders
        .iter()
        .for_each(|o| recorder.order(o, Read::IN_HISTORY));
    read.credit_notes
        .iter()
        .for_each(|n| recorder.credit_note(n));
    read.purchase_orders
        .iter()
        .for_each(|p| recorder.purchase_order(p, Read::IN_HISTORY));
    read.transfers
        .iter()
        .for_each(|t| recorder.transfer(t, Read::IN_HISTORY));
    read.adjustments.iter().for_each(|a| recorder.adjustment(a));
    // An older document read by both walks (modified between them) is the newer walk's.
    let o = &read.older;
    not_read_in(o.orders, read.orders).for_each(|o| recorder.order(o, Read::OPEN_ONLY));
    not_read_in(o.purchase_orders, read.purchase_orders)
        .for_each(|p| recorder.purchase_order(p, Read::OPEN_ONLY));
    not_read_in(o.transfers, read.transfers).for_each(|t| recorder.transfer(t, Read::OPEN_ONLY));
    recorder.stock(read.stock);
    recorder.ledger.kits = super::kits::kits(read.boms);
    recorder.ledger.sort_documents();
    recorder.ledger
}

impl Read<'_> {
    /// A document of the history (it may also be open).
    const IN_HISTORY: bool = false;
    /// An open document older than the history.
    const OPEN_ONLY: bool = true;
}

/// The documents of `older` whose ids `newer` does not have.
fn not_read_in<'a, T: crate::cin7::model::Identified>(
    older: &'a [T],
    newer: &[T],
) -> impl Iterator<Item = &'a T> {
    let read: HashSet<i64> = newer.iter().filter_map(T::id).collect();
    older
        .iter()
        .filter(move |d| d.id().is_none_or(|id| !read.contains(&id)))
}

/// A `source` as the channel a ledger keeps: trimmed, at most [`CHANNEL_CHARS`] characters.
fn channel(source: Option<&str>) -> String {
    source
        .unwrap_or_default()
        .trim()
        .chars()
        .take(CHANNEL_CHARS)
        .collect()
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().trim().to_owned()
}

/// Promised dates as a ledger keeps them: a date outside the years 1900 to 2200 (a
/// placeholder such as 9999-12-31) is left out and counted in `implausible`.
fn promised(dates: &[Option<DateTime<Utc>>], implausible: &mut u32) -> Option<i64> {
    let at = dates.iter().flatten().next()?.timestamp();
    if Ledger::holds_instant(at) {
        Some(at)
    } else {
        *implausible += 1;
        None
    }
}

fn seconds(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(|at| at.timestamp())
}

fn lines(lines: &Option<Vec<DocumentLine>>) -> &[DocumentLine] {
    lines.as_deref().unwrap_or_default()
}

fn positive(qty: Option<Decimal>) -> Option<Decimal> {
    qty.filter(|q| *q > Decimal::ZERO)
}

/// Which way an open line's goods go, and so what its lot costs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Out of a branch: an order to ship.
    Out,
    /// Into a branch from a supplier: a purchase order's, costed at its net price.
    InFromSupplier,
    /// Into a branch from another: a transfer's, costed at its unit cost.
    InFromBranch,
}

struct Recorder<'a> {
    catalogue: &'a Catalogue,
    places: &'a Places,
    branch_names: &'a HashMap<i64, String>,
    ledger: Ledger,
    stock_extent: Extent,
}

impl Recorder<'_> {
    /// Adds a document beyond the bounds: kept so that an update replaces it, and counted,
    /// but it adds nothing.
    fn reject(&mut self, kind: DocumentKind, id: Option<i64>) {
        self.ledger.documents.push(Document {
            rejected: true,
            ..Document::new(kind, id.unwrap_or_default())
        });
    }

    /// Adds a sales order or a credit note with what its `lines` sold; a counted one at an
    /// included branch with its sale lines. Returns the document's index, or `None` when a
    /// line's revenue is beyond the bounds (the document is then rejected).
    fn sale_document(
        &mut self,
        document: Document,
        lines: &[DocumentLine],
        sign: LineSign,
    ) -> Option<u32> {
        let Some(sold) = document_sales(lines, sign, self.catalogue) else {
            self.reject(document.kind, Some(document.id));
            return None;
        };
        let at_included_branch = self.places.location(document.branch).is_some();
        let counted = document.counted;
        let index = self.ledger.documents.push(Document {
            kit_lines: sold.kit_lines,
            unknown_lines: sold.unknown_lines,
            ..document
        });
        if counted && at_included_branch {
            for line in sold.parts {
                self.ledger.sales.push(index, line);
            }
        }
        Some(index)
    }

    fn order(&mut self, order: &SalesOrder, open_only: bool) {
        if !order.within_bounds() {
            return self.reject(DocumentKind::SalesOrder, *order.id);
        }
        let items = lines(&order.line_items);
        let counted = order.counts_as_sale();
        let mut implausible_dates = 0;
        let document = Document {
            branch: *order.branch_id,
            counted,
            ordered: seconds(*order.created_date),
            invoiced: seconds(*order.invoice_date),
            dispatched: seconds(*order.dispatched_date),
            channel: channel(order.source.as_deref()),
            reference: text(order.reference.as_deref()),
            promised: promised(&[*order.estimated_delivery_date], &mut implausible_dates),
            open_only,
            implausible_dates,
            ..Document::new(DocumentKind::SalesOrder, order.id.unwrap_or_default())
        };
        let index = if open_only {
            self.ledger.documents.push(document)
        } else {
            let Some(index) = self.sale_document(document, items, LineSign::Sale) else {
                return;
            };
            index
        };
        if !counted {
            return;
        }
        if order.dispatched_date.is_none() {
            for line in items {
                if let Some(left) = remaining(line) {
                    self.open_line(index, line, left, *order.branch_id, Direction::Out);
                }
            }
        }
        if open_only {
            return;
        }
        let at = order
            .dispatched_date
            .or(*order.invoice_date)
            .or(*order.modified_date);
        for line in items {
            if let Some(shipped) = positive(*line.qty_shipped) {
                self.movement(index, line, -shipped, *order.branch_id, at);
            }
        }
    }

    fn credit_note(&mut self, note: &CreditNote) {
        if !note.within_bounds() {
            return self.reject(DocumentKind::CreditNote, *note.id);
        }
        let items = lines(&note.line_items);
        let counted = note.counts();
        let document = Document {
            branch: *note.branch_id,
            counted,
            returned: seconds(note.return_date()),
            channel: channel(note.source.as_deref()),
            ..Document::new(DocumentKind::CreditNote, note.id.unwrap_or_default())
        };
        let Some(index) = self.sale_document(document, items, LineSign::Return) else {
            return;
        };
        if !counted {
            return;
        }
        let at = note
            .completed_date
            .or(*note.credit_note_date)
            .or(*note.created_date);
        for line in items {
            let returned = line.qty.unwrap_or_default().abs();
            self.movement(index, line, returned, *note.branch_id, at);
        }
    }

    fn purchase_order(&mut self, order: &PurchaseOrder, open_only: bool) {
        if !order.within_bounds() {
            return self.reject(DocumentKind::PurchaseOrder, *order.id);
        }
        let counted =
            *order.is_approved == Some(true) && !is_void(*order.is_void, order.status.as_deref());
        let mut implausible_dates = 0;
        let dates = [
            *order.estimated_delivery_date,
            *order.estimated_arrival_date,
        ];
        let index = self.ledger.documents.push(Document {
            branch: *order.branch_id,
            counted,
            ordered: seconds(*order.created_date),
            received: seconds(*order.fully_received_date),
            supplier: *order.member_id,
            source_from: text(order.company.as_deref()),
            currency: text(order.currency_code.as_deref()),
            reference: text(order.reference.as_deref()),
            promised: promised(&dates, &mut implausible_dates),
            open_only,
            implausible_dates,
            ..Document::new(DocumentKind::PurchaseOrder, order.id.unwrap_or_default())
        });
        if !counted {
            return;
        }
        let items = lines(&order.line_items);
        if order.fully_received_date.is_none() {
            for line in items {
                if let Some(left) = remaining(line) {
                    self.open_line(
                        index,
                        line,
                        left,
                        *order.branch_id,
                        Direction::InFromSupplier,
                    );
                }
            }
        } else if !open_only {
            for line in items {
                self.receipt(index, line, *order.branch_id);
            }
        }
        if open_only {
            return;
        }
        let at = order.fully_received_date.or(*order.modified_date);
        for line in items {
            if let Some(received) = positive(*line.qty_shipped) {
                self.movement(index, line, received, *order.branch_id, at);
            }
        }
    }

    fn transfer(&mut self, transfer: &BranchTransfer, open_only: bool) {
        if !transfer.within_bounds() {
            return self.reject(DocumentKind::BranchTransfer, *transfer.id);
        }
        let (from, to) = (*transfer.source_branch_id, *transfer.destination_branch_id);
        let source_from = from
            .and_then(|id| self.branch_names.get(&id))
            .cloned()
            .unwrap_or_default();
        let index = self.ledger.documents.push(Document {
            counted: *transfer.is_approved == Some(true),
            dispatched: seconds(*transfer.dispatched_date),
            received: seconds(*transfer.received_date),
            reference: text(transfer.reference.as_deref()),
            source_from,
            open_only,
            ..Document::new(
                DocumentKind::BranchTransfer,
                transfer.id.unwrap_or_default(),
            )
        });
        let items = lines(&transfer.line_items);
        if transfer.received_date.is_none() {
            let approved = *transfer.is_approved == Some(true);
            let dispatched = transfer.dispatched_date.is_some();
            for line in items {
                let Some(qty) = positive(*line.qty) else {
                    continue;
                };
                if approved && !dispatched {
                    self.open_line(index, line, qty, from, Direction::Out);
                }
                if approved || dispatched {
                    self.open_line(index, line, qty, to, Direction::InFromBranch);
                }
            }
        }
        if open_only {
            return;
        }
        for line in items {
            // A non-positive quantity moves nothing, as for shipped and received lines.
            let Some(qty) = positive(*line.qty) else {
                continue;
            };
            self.movement(index, line, -qty, from, *transfer.dispatched_date);
            self.movement(index, line, qty, to, *transfer.received_date);
        }
    }

    /// `qty` of a line still to go out of (or come into) a branch. A line whose item is
    /// unknown, or whose branch is left out, is counted on its document instead.
    fn open_line(
        &mut self,
        document: u32,
        line: &DocumentLine,
        qty: Decimal,
        branch: Option<i64>,
        direction: Direction,
    ) {
        let parts = self
            .places
            .location(branch)
            .zip(shares(line, qty, self.catalogue));
        let Some((location, parts)) = parts else {
            self.ledger.documents.open_lines_skipped[document as usize] += 1;
            return;
        };
        for (item, qty) in parts {
            let lot_cost = match direction {
                Direction::Out => None,
                Direction::InFromSupplier => purchase_cost(line, qty),
                Direction::InFromBranch => transfer_cost(line, qty),
            };
            let inbound = direction != Direction::Out;
            let row = OpenLine {
                item,
                location,
                inbound,
                qty,
                lot_cost,
            };
            self.ledger.open_lines.push(document, row);
        }
    }

    /// A received line of a fully received purchase order at an included branch, per item.
    fn receipt(&mut self, document: u32, line: &DocumentLine, branch: Option<i64>) {
        let Some(received) = positive(*line.qty_shipped) else {
            return;
        };
        let Some(location) = self.places.location(branch) else {
            return;
        };
        let unit_price = purchase_unit_price(line);
        for (item, qty) in shares(line, received, self.catalogue).unwrap_or_default() {
            if qty > Decimal::ZERO {
                let row = Receipt {
                    item,
                    location,
                    qty,
                    unit_price,
                };
                self.ledger.receipts.push(document, row);
            }
        }
    }

    fn adjustment(&mut self, adjustment: &Adjustment) {
        if !adjustment.within_bounds() {
            return self.reject(DocumentKind::Adjustment, *adjustment.id);
        }
        let index = self.ledger.documents.push(Document::new(
            DocumentKind::Adjustment,
            adjustment.id.unwrap_or_default(),
        ));
        if *adjustment.is_approved != Some(true) {
            return;
        }
        let at = adjustment.completed_date.or(*adjustment.created_date);
        for line in lines(&adjustment.line_items) {
            let qty = line.qty.unwrap_or_default();
            self.movement(index, line, qty, *adjustment.branch_id, at);
        }
    }

    /// A line's quantity into (or out of) a branch at a moment. Sized options have no on-hand
    /// history, and unknown options and branches left out move nothing the project holds.
    fn movement(
        &mut self,
        document: u32,
        line: &DocumentLine,
        qty: Decimal,
        branch: Option<i64>,
        at: Option<DateTime<Utc>>,
    ) {
        let (Some(option), Some(at)) = (*line.product_option_id, at) else {
            return;
        };
        if qty.is_zero() || self.catalogue.is_sized_option(option) {
            return;
        }
        let (Some(item), Some(location)) =
            (self.catalogue.regular(option), self.places.location(branch))
        else {
            return;
        };
        let row = Movement {
            item: item as u32,
            location,
            at: at.timestamp(),
            qty,
        };
        self.ledger.movements.push(document, row);
    }

    /// The stock as read, every row within the bounds (rows of one key added up), as one
    /// full reading at the ledger's moment. Rows of options and branches the project does not
    /// have are kept too: an update may bring them in.
    fn stock(&mut self, rows: &[StockRow]) {
        let mut levels: BTreeMap<StockKey, Decimal> = BTreeMap::new();
        for row in rows {
            let (Some(option), Some(branch)) = (*row.product_option_id, *row.branch_id) else {
                continue;
            };
            if !row.within_bounds() {
                self.ledger.rejected_records += 1;
                continue;
            }
            let size = row.size.as_deref().unwrap_or_default().trim().to_owned();
            *levels.entry((option, size, branch)).or_default() +=
                row.stock_on_hand.unwrap_or_default();
        }
        // Rows inside the bounds can still add up beyond them (a server repeating a row).
        let before = levels.len();
        levels.retain(|_, qty| crate::bounds::within(*qty));
        self.ledger.rejected_records += (before - levels.len()) as u64;
        let mut reading = StockReading::new(self.ledger.as_of, self.stock_extent);
        for (key, qty) in levels {
            reading.push(key, qty);
        }
        self.ledger.stock_readings.push(reading);
    }
}
