//! Cin7 documents → the project's ledger: every document once, with the items its lines sold
//! and the stock it moved (docs/import-rules.md, "Sales history" and "On-hand history"), and
//! the current stock. Nothing here depends on the settings the ledger is later grouped by.

use super::mapping::Catalogue;
use super::sales::{LineSign, document_sales};
use crate::cin7::model::{
    Adjustment, Bounded, BranchTransfer, CreditNote, DocumentLine, PurchaseOrder, SalesOrder,
    StockRow, is_void,
};
use crate::project::ledger::{Document, DocumentKind, Ledger};
use crate::project::rebuild::Places;
use crate::project::stock::{Extent, StockKey, StockReading};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What an import read that the ledger is made of.
pub(super) struct Read<'a> {
    pub orders: &'a [SalesOrder],
    pub credit_notes: &'a [CreditNote],
    pub purchase_orders: &'a [PurchaseOrder],
    pub transfers: &'a [BranchTransfer],
    pub adjustments: &'a [Adjustment],
    pub stock: &'a [StockRow],
    /// Whether `stock` is every row (an import), or only those changed (an update).
    pub stock_extent: Extent,
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
        ledger: Ledger::new(as_of, branches),
        stock_extent: read.stock_extent,
    };
    read.orders.iter().for_each(|o| recorder.order(o));
    read.credit_notes
        .iter()
        .for_each(|n| recorder.credit_note(n));
    read.purchase_orders
        .iter()
        .for_each(|p| recorder.purchase_order(p));
    read.transfers.iter().for_each(|t| recorder.transfer(t));
    read.adjustments.iter().for_each(|a| recorder.adjustment(a));
    recorder.stock(read.stock);
    recorder.ledger
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

struct Recorder<'a> {
    catalogue: &'a Catalogue,
    places: &'a Places,
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
            for (item, qty, revenue) in sold.parts {
                self.ledger.sales.push(index, item, qty, revenue);
            }
        }
        Some(index)
    }

    fn order(&mut self, order: &SalesOrder) {
        if !order.within_bounds() {
            return self.reject(DocumentKind::SalesOrder, *order.id);
        }
        let items = lines(&order.line_items);
        let counted = order.counts_as_sale();
        let document = Document {
            branch: *order.branch_id,
            counted,
            ordered: seconds(*order.created_date),
            invoiced: seconds(*order.invoice_date),
            dispatched: seconds(*order.dispatched_date),
            ..Document::new(DocumentKind::SalesOrder, order.id.unwrap_or_default())
        };
        let Some(index) = self.sale_document(document, items, LineSign::Sale) else {
            return;
        };
        if !counted {
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

    fn purchase_order(&mut self, order: &PurchaseOrder) {
        if !order.within_bounds() {
            return self.reject(DocumentKind::PurchaseOrder, *order.id);
        }
        let index = self.ledger.documents.push(Document::new(
            DocumentKind::PurchaseOrder,
            order.id.unwrap_or_default(),
        ));
        if *order.is_approved != Some(true) || is_void(*order.is_void, order.status.as_deref()) {
            return;
        }
        let at = order.fully_received_date.or(*order.modified_date);
        for line in lines(&order.line_items) {
            if let Some(received) = positive(*line.qty_shipped) {
                self.movement(index, line, received, *order.branch_id, at);
            }
        }
    }

    fn transfer(&mut self, transfer: &BranchTransfer) {
        if !transfer.within_bounds() {
            return self.reject(DocumentKind::BranchTransfer, *transfer.id);
        }
        let index = self.ledger.documents.push(Document::new(
            DocumentKind::BranchTransfer,
            transfer.id.unwrap_or_default(),
        ));
        for line in lines(&transfer.line_items) {
            // A non-positive quantity moves nothing, as for shipped and received lines.
            let Some(qty) = positive(*line.qty) else {
                continue;
            };
            let (from, to) = (transfer.source_branch_id, transfer.destination_branch_id);
            self.movement(index, line, -qty, *from, *transfer.dispatched_date);
            self.movement(index, line, qty, *to, *transfer.received_date);
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
        self.ledger
            .movements
            .push(document, item as u32, location, at.timestamp(), qty);
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
