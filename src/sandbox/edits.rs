//! The changes tests make to a sandbox account between calls, as a shop's staff would make
//! them in Cin7: orders voided, dispatched, added or edited, credits raised, purchase orders
//! received, options and branches added. Each dates its change so that an update finds it.

use super::account::{
    Account, BranchRecord, CreditNoteRecord, OptionRecord, PurchaseOrderRecord, SalesOrderRecord,
    StockRecord, line_parts,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

impl Account {
    /// Voids an order that has shipped nothing; returns whether it did.
    pub fn void_sales_order(&mut self, id: i64, at: DateTime<Utc>) -> bool {
        let Some(order) = self.sales_orders.iter_mut().find(|o| o.id == id) else {
            return false;
        };
        if order.is_void || order.lines.iter().any(|l| !l.qty_shipped.is_zero()) {
            return false;
        }
        order.is_void = true;
        order.modified = order.modified.max(at);
        true
    }

    /// Dispatches the rest of an approved order in full, taking its lines out of stock;
    /// returns whether it did.
    pub fn dispatch_sales_order(&mut self, id: i64, at: DateTime<Utc>) -> bool {
        let Some(order) = self.sales_orders.iter_mut().find(|o| o.id == id) else {
            return false;
        };
        if !order.is_approved || order.is_void || order.dispatched.is_some() {
            return false;
        }
        let mut moves = Vec::new();
        for line in &mut order.lines {
            let rest = line.qty - line.qty_shipped;
            if line.qty <= Decimal::ZERO {
                // An exchange line ships as written and moves no stock.
                line.qty_shipped = line.qty;
                continue;
            }
            if rest.is_zero() {
                continue;
            }
            if line.sizes.is_empty() {
                moves.push((line.product_option_id, None, rest));
            } else {
                // Sized lines ship whole: nothing of them has shipped before.
                moves.extend(
                    line.sizes
                        .iter()
                        .map(|(s, q)| (line.product_option_id, Some(s.clone()), *q)),
                );
            }
            line.qty_shipped = line.qty;
        }
        order.dispatched = Some(at);
        order.stage = "Dispatched".to_owned();
        order.modified = order.modified.max(at);
        let branch = order.branch_id;
        for (option, size, qty) in moves {
            self.move_stock(option, size, branch, -qty, at);
        }
        true
    }

    /// Adds a new sales order (its stock moves only when it is dispatched).
    pub fn add_sales_order(&mut self, mut order: SalesOrderRecord) {
        order.modified = [
            Some(order.created),
            order.invoiced,
            order.dispatched,
            Some(order.modified),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(order.created);
        self.sales_orders.push(order);
    }

    /// Places a purchase order not yet received: an order to receive, moving no stock until
    /// [`Account::receive_purchase_order`].
    pub fn add_purchase_order(&mut self, mut order: PurchaseOrderRecord) {
        order.fully_received = None;
        order.modified = order.modified.max(order.created);
        self.purchase_orders.push(order);
    }

    /// Changes the quantity of a line of an order that has shipped nothing of it; returns
    /// whether it did.
    pub fn edit_line_qty(
        &mut self,
        order_id: i64,
        line_id: i64,
        qty: Decimal,
        at: DateTime<Utc>,
    ) -> bool {
        let Some(order) = self.sales_orders.iter_mut().find(|o| o.id == order_id) else {
            return false;
        };
        let Some(line) = order.lines.iter_mut().find(|l| l.id == line_id) else {
            return false;
        };
        if !line.qty_shipped.is_zero() || !line.sizes.is_empty() {
            return false;
        }
        line.qty = qty;
        order.modified = order.modified.max(at);
        true
    }

    /// Adds a credit note; a completed one that is not void puts its goods back in stock.
    pub fn add_credit_note(&mut self, mut note: CreditNoteRecord) {
        note.modified = [
            Some(note.created),
            note.credit_note_date,
            note.completed,
            Some(note.modified),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(note.created);
        if let (Some(at), false) = (note.completed, note.is_void) {
            for line in &note.lines {
                for (size, qty) in line_parts(line) {
                    self.move_stock(line.product_option_id, size, note.branch_id, qty.abs(), at);
                }
            }
        }
        self.credit_notes.push(note);
    }

    /// Receives an approved purchase order in full; returns whether it did.
    pub fn receive_purchase_order(&mut self, id: i64, at: DateTime<Utc>) -> bool {
        self.receive_purchase_lines(id, at, usize::MAX)
    }

    /// Receives the first line of an approved purchase order not yet received in full (the
    /// order is fully received if that was its last); returns whether it did.
    pub fn receive_purchase_order_in_part(&mut self, id: i64, at: DateTime<Utc>) -> bool {
        self.receive_purchase_lines(id, at, 1)
    }

    /// Receives what is left of up to `lines` lines of a purchase order, in order.
    fn receive_purchase_lines(&mut self, id: i64, at: DateTime<Utc>, lines: usize) -> bool {
        let Some(order) = self.purchase_orders.iter_mut().find(|p| p.id == id) else {
            return false;
        };
        if !order.is_approved || order.is_void || order.fully_received.is_some() {
            return false;
        }
        let mut moves = Vec::new();
        let open = order.lines.iter_mut().filter(|l| l.qty_shipped < l.qty);
        for line in open.take(lines) {
            let rest = line.qty - line.qty_shipped;
            if rest > Decimal::ZERO {
                moves.extend(
                    line_parts(line)
                        .into_iter()
                        .map(|(size, qty)| (line.product_option_id, size, qty * rest / line.qty)),
                );
            }
            line.qty_shipped = line.qty;
        }
        if order.lines.iter().all(|l| l.qty_shipped >= l.qty) {
            order.fully_received = Some(at);
            order.stage = "Received".to_owned();
        } else {
            order.stage = "Partially Received".to_owned();
        }
        order.modified = order.modified.max(at);
        let branch = order.branch_id;
        for (option, size, qty) in moves {
            self.move_stock(option, size, branch, qty, at);
        }
        true
    }

    /// Adds an option to a product (it has no stock yet) and dates the product.
    pub fn add_option(&mut self, product_id: i64, option: OptionRecord, at: DateTime<Utc>) -> bool {
        let Some(product) = self.products.iter_mut().find(|p| p.id == product_id) else {
            return false;
        };
        product.options.push(option);
        product.modified = product.modified.max(at);
        true
    }

    /// Adds a branch.
    pub fn add_branch(&mut self, branch: BranchRecord) {
        self.branches.push(branch);
    }

    /// Changes a stock row (creating it if needed) and dates it.
    fn move_stock(
        &mut self,
        option: i64,
        size: Option<String>,
        branch: i64,
        qty: Decimal,
        at: DateTime<Utc>,
    ) {
        if option == 0 {
            return;
        }
        match self
            .stock
            .iter_mut()
            .find(|r| r.product_option_id == option && r.size == size && r.branch_id == branch)
        {
            Some(row) => {
                row.on_hand += qty;
                row.modified = at;
            }
            None => self.stock.push(StockRecord {
                product_option_id: option,
                size,
                branch_id: branch,
                on_hand: qty,
                modified: at,
            }),
        }
    }
}
