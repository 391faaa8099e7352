//! The second pass of the generator: every stock movement replayed in time order, so that a
//! document only ships, transfers or writes off what is on hand at its moment, and the
//! current `Stock` rows are what the replay leaves.

use super::{
    Completion, DateTime, Decimal, Duration, Event, Generator, LineRecord, Reverse, Rng,
    StockRecord, Utc, line_parts,
};

/// Orders whose goods arrive this close to the account's end may arrive in part, the rest
/// still to come. Only these: the rules date a receipt by its order's full receipt, so a first
/// part sold before the rest came would take the history's stock below zero, which a coherent
/// account never does. Such an order stays open, partly received.
const LAST_DAYS: Duration = Duration::days(14);

/// Whether a purchase order can arrive in part: it has several lines (decided without the
/// generator's random numbers, so that nothing else changes).
fn arrives_in_part(po: &super::PurchaseOrderRecord) -> bool {
    po.lines.len() >= 2
}

impl Generator {
    fn has(&self, option: i64, size: &Option<String>, branch: i64, qty: Decimal) -> bool {
        option == 0
            || self
                .stock
                .get(&(option, size.clone(), branch))
                .is_some_and(|on_hand| *on_hand >= qty)
    }

    fn add(&mut self, option: i64, size: Option<String>, branch: i64, qty: Decimal) {
        if option != 0 {
            self.last_moved
                .insert((option, size.clone(), branch), self.clock);
            *self.stock.entry((option, size, branch)).or_default() += qty;
        }
    }

    /// Puts every line's goods (per size where sized) into a branch's stock: returns (whose
    /// quantities are negative), receipts and arriving transfers.
    fn put_away(&mut self, lines: &[LineRecord], branch: i64) {
        for line in lines {
            for (size, qty) in line_parts(line) {
                self.add(line.product_option_id, size, branch, qty.abs());
            }
        }
    }

    /// Applies every scheduled movement in time order, shipping only what is on hand.
    pub(super) fn replay(&mut self) {
        while let Some(Reverse((at, event))) = self.events.pop() {
            self.clock = at;
            match event {
                Event::Dispatch(i) => self.dispatch(i, at),
                Event::Return(i, completes) => {
                    let c = &self.account.credit_notes[i];
                    let (lines, branch) = (c.lines.clone(), c.branch_id);
                    self.put_away(&lines, branch);
                    if completes == Completion::Completes {
                        let c = &mut self.account.credit_notes[i];
                        c.completed = Some(at);
                        c.modified = c.modified.max(at);
                    }
                }
                Event::Receive(i)
                    if arrives_in_part(&self.account.purchase_orders[i])
                        && at + LAST_DAYS > self.end =>
                {
                    self.receive_lines(i, at, 1);
                    let po = &mut self.account.purchase_orders[i];
                    po.stage = "Partially Received".to_owned();
                }
                Event::Receive(i) => {
                    self.receive_lines(i, at, usize::MAX);
                    let po = &mut self.account.purchase_orders[i];
                    po.fully_received = Some(at);
                    po.stage = "Received".to_owned();
                }
                Event::TransferOut(i) => self.transfer_out(i, at),
                Event::TransferIn(i) => {
                    let t = &self.account.transfers[i];
                    let (lines, branch) = (t.lines.clone(), t.destination_branch_id);
                    self.put_away(&lines, branch);
                    let t = &mut self.account.transfers[i];
                    t.received = Some(at);
                    t.modified = t.modified.max(at);
                }
                Event::Adjust(i, completes) => self.adjust(i, at, completes),
            }
        }
    }

    /// Puts away the lines of purchase order `i` not yet received, up to `lines` of them, and
    /// dates the order.
    fn receive_lines(&mut self, i: usize, at: DateTime<Utc>, lines: usize) {
        let po = &self.account.purchase_orders[i];
        let branch = po.branch_id;
        let arriving: Vec<usize> = (0..po.lines.len())
            .filter(|&l| po.lines[l].qty_shipped < po.lines[l].qty)
            .take(lines)
            .collect();
        let goods: Vec<LineRecord> = arriving.iter().map(|&l| po.lines[l].clone()).collect();
        self.put_away(&goods, branch);
        let po = &mut self.account.purchase_orders[i];
        for l in arriving {
            po.lines[l].qty_shipped = po.lines[l].qty;
        }
        po.modified = po.modified.max(at);
    }

    /// Ships each line that is on hand. An invoiced order ships whole or waits three days for
    /// stock (for up to two months); an order not invoiced may ship in part, and since a part
    /// shipment has no dispatch date the rules date it by the order's modification date, which
    /// becomes this moment.
    fn dispatch(&mut self, i: usize, at: DateTime<Utc>) {
        let order = self.account.sales_orders[i].clone();
        let mut shipped = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            // An exchange line (a negative quantity) ships as written and, as the rules say of
            // every non-positive shipped quantity, moves no stock.
            let parts: Vec<_> = line_parts(line)
                .into_iter()
                .filter(|(_, q)| *q > Decimal::ZERO)
                .collect();
            let fits = parts
                .iter()
                .all(|(s, q)| self.has(line.product_option_id, s, order.branch_id, *q));
            if fits {
                for (s, q) in parts {
                    self.add(line.product_option_id, s, order.branch_id, -q);
                }
            }
            shipped.push(fits);
        }
        let all = shipped.iter().all(|d| *d);
        let any = shipped.iter().any(|d| *d);
        if !any || (!all && order.invoiced.is_some()) {
            for (line, done) in order.lines.iter().zip(&shipped) {
                if *done {
                    for (s, q) in line_parts(line) {
                        if q > Decimal::ZERO {
                            self.add(line.product_option_id, s, order.branch_id, q);
                        }
                    }
                }
            }
            let retry = at + Duration::days(3);
            if retry - order.created < Duration::days(60) {
                self.schedule(retry, Event::Dispatch(i));
            }
            return;
        }
        let o = &mut self.account.sales_orders[i];
        for (line, done) in o.lines.iter_mut().zip(&shipped) {
            if *done {
                line.qty_shipped = line.qty;
            }
        }
        if all {
            o.dispatched = Some(at);
            o.stage = "Dispatched".to_owned();
            o.modified = o.modified.max(at);
        } else {
            o.stage = "Partially Dispatched".to_owned();
            o.modified = at;
        }
    }

    fn transfer_out(&mut self, i: usize, at: DateTime<Utc>) {
        let t = self.account.transfers[i].clone();
        let mut lines = Vec::new();
        for mut line in t.lines {
            let parts = line_parts(&line);
            if parts
                .iter()
                .all(|(s, q)| self.has(line.product_option_id, s, t.source_branch_id, *q))
            {
                for (s, q) in parts {
                    self.add(line.product_option_id, s, t.source_branch_id, -q);
                }
                line.qty_shipped = line.qty;
                lines.push(line);
            }
        }
        let tr = &mut self.account.transfers[i];
        if lines.is_empty() {
            return;
        }
        tr.lines = lines;
        tr.dispatched = Some(at);
        tr.modified = tr.modified.max(at);
        // One in ten is still in transit at the end.
        let arrive = at + Duration::hours(self.rng.random_range(2..120));
        if self.rng.random_bool(0.9) {
            self.schedule(arrive, Event::TransferIn(i));
        }
    }

    fn adjust(&mut self, i: usize, at: DateTime<Utc>, completes: Completion) {
        let a = self.account.adjustments[i].clone();
        let mut lines = Vec::new();
        for mut line in a.lines {
            let key = (
                line.product_option_id,
                line.hidden_size.clone(),
                a.branch_id,
            );
            let on_hand = self.stock.get(&key).copied().unwrap_or_default();
            // A write-off takes no more than is there.
            if line.qty < Decimal::ZERO && -line.qty > on_hand {
                line.qty = -on_hand;
            }
            if line.qty.is_zero() {
                continue;
            }
            self.add(key.0, key.1, key.2, line.qty);
            lines.push(line);
        }
        let adj = &mut self.account.adjustments[i];
        adj.lines = lines;
        if completes == Completion::Completes {
            adj.completed = Some(at);
            adj.modified = adj.modified.max(at);
        }
    }

    /// Every stock row, dated by its last movement (its opening, for one that never moved).
    pub(super) fn stock_rows(&mut self) {
        let start = self.start;
        self.account.stock = self
            .stock
            .iter()
            .map(|(key, qty)| StockRecord {
                product_option_id: key.0,
                size: key.1.clone(),
                branch_id: key.2,
                on_hand: *qty,
                modified: self.last_moved.get(key).copied().unwrap_or(start),
            })
            .collect();
    }
}
