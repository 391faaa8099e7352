//! Orders still open but last changed before any history could start: purchase orders placed
//! long ago and never received (one overdue on its promised date), and back-orders never
//! dispatched. They move no stock, so the history is as without them; only open orders count
//! them, and only a walk that asks for what is still open finds them. Made after every other
//! document (their ids come last) and drawing nothing at random.

use super::{Decimal, Duration, Generator};
use crate::sandbox::account::{LineRecord, PurchaseOrderRecord, SalesOrderRecord};

impl Generator {
    pub(super) fn older_open_orders(&mut self) {
        let regular: Vec<(i64, Decimal)> = self
            .skus
            .iter()
            .flat_map(|(_, skus)| skus.iter())
            .filter(|s| s.size.is_none())
            .map(|s| (s.option_id, s.price))
            .take(3)
            .collect();
        let Some(&branch) = self.account.branches.first().map(|b| &b.id) else {
            return;
        };
        for (n, &(option, price)) in regular.iter().enumerate() {
            let id = self.id();
            let created = self.start - Duration::days(400 - 100 * n as i64);
            let supplier_id = 200 + n as i64;
            let line = self.open_line(
                option,
                Decimal::from(10 * (n as i64 + 1)),
                price * Decimal::new(42, 2),
            );
            self.account.purchase_orders.push(PurchaseOrderRecord {
                id,
                reference: format!("PO-{id}"),
                branch_id: branch,
                supplier_id,
                currency_code: super::planning::currency(supplier_id).to_owned(),
                created,
                modified: created,
                // The first was promised for a month after it was placed: long overdue.
                estimated_delivery: (n == 0).then(|| created + Duration::days(30)),
                estimated_arrival: None,
                fully_received: None,
                is_approved: true,
                is_void: false,
                stage: "Ordered".to_owned(),
                lines: vec![LineRecord {
                    unit_cost: None,
                    ..line
                }],
            });
        }
        for (n, &(option, price)) in regular.iter().take(2).enumerate() {
            let id = self.id();
            let created = self.start - Duration::days(60 + 30 * n as i64);
            let line = self.open_line(option, Decimal::TWO, price);
            self.account.sales_orders.push(SalesOrderRecord {
                id,
                reference: format!("SO-{id}"),
                source: "B2B".to_owned(),
                branch_id: branch,
                created,
                modified: created,
                invoiced: None,
                dispatched: None,
                estimated_delivery: None,
                is_approved: true,
                is_void: false,
                stage: "Backorder".to_owned(),
                lines: vec![line],
            });
        }
    }

    /// A line of `qty` of a regular option, nothing of it moved yet.
    fn open_line(&mut self, option: i64, qty: Decimal, unit_price: Decimal) -> LineRecord {
        LineRecord {
            id: self.id(),
            parent_id: 0,
            product_option_id: option,
            qty,
            unit_price,
            unit_cost: None,
            discount: Decimal::ZERO,
            qty_shipped: Decimal::ZERO,
            sizes: Vec::new(),
            hidden_size: None,
        }
    }
}
