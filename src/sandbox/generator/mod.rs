//! Deterministic synthetic accounts. The same preset, seed and end date always give the same
//! account, and every account is coherent: its current `Stock` is its opening stock plus every
//! stock movement its documents record (the table of docs/import-rules.md), and stock never goes
//! below zero at any instant, because the generator replays the movements in time order and
//! only ships, transfers or writes off what is there.
//! What each preset holds (its branches and catalogue) is `catalogue`'s.

mod bills;
mod catalogue;
mod older;
mod planning;
mod replay;

use super::account::{
    Account, AdjustmentRecord, BranchRecord, ContactRecord, CreditNoteRecord, LineRecord,
    OptionRecord, ProductRecord, PurchaseOrderRecord, SalesOrderRecord, StockKey, StockRecord,
    TransferRecord, UserRecord, line_parts,
};
use catalogue::{Shape, shape};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// The named account shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// What `--demo` shows: four branches (one closed), a catalogue with size grids, 18 months.
    Demo,
    /// A quick account for tests: two branches, a few products, two months.
    Small,
    /// About 200,000 sales orders over three years, 20,000 items, 10 branches.
    Large,
}

fn money(value: f64) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(2)
}

/// Whether a document that moves stock completes at that moment or stays open to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Completion {
    StaysOpen,
    Completes,
}

/// A stock-moving event, replayed in time order once every document exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Dispatch(usize),
    /// A credit note's goods back in stock, and whether it completes then or is not completed
    /// by the end (the rules then date it by its credit-note date).
    Return(usize, Completion),
    /// A purchase order's goods arrive: in full, or (some orders of several lines arriving
    /// near the end) only the first line.
    Receive(usize),
    TransferOut(usize),
    TransferIn(usize),
    /// An adjustment applied, and whether it completes then (as for `Return`).
    Adjust(usize, Completion),
}

/// A sellable unit: option and size (if sized), with its product index.
#[derive(Clone)]
struct Sku {
    option_id: i64,
    size: Option<String>,
    price: Decimal,
    cost: Decimal,
}

pub fn generate(preset: Preset, seed: u64, end: DateTime<Utc>) -> Account {
    Generator::new(preset, seed, end).run()
}

struct Generator {
    rng: ChaCha8Rng,
    shape: Shape,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    account: Account,
    /// Options of each product (index), for picking lines.
    skus: Vec<(i64, Vec<Sku>)>,
    stock: BTreeMap<StockKey, Decimal>,
    /// When each stock row last moved: Cin7's `modifiedDate` of a stock row.
    last_moved: BTreeMap<StockKey, DateTime<Utc>>,
    /// The moment of the event being replayed.
    clock: DateTime<Utc>,
    events: BinaryHeap<Reverse<(DateTime<Utc>, Event)>>,
    next_id: i64,
}

impl Generator {
    fn new(preset: Preset, seed: u64, end: DateTime<Utc>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let shape = shape(preset, &mut rng);
        let start = end - Duration::days(shape.days);
        Self {
            rng,
            shape,
            start,
            end,
            account: Account::default(),
            skus: Vec::new(),
            stock: BTreeMap::new(),
            last_moved: BTreeMap::new(),
            clock: start,
            events: BinaryHeap::new(),
            next_id: 1_000,
        }
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn run(mut self) -> Account {
        self.master_data();
        self.opening_stock();
        for day in 0..self.shape.days {
            self.documents_of_day(day);
        }
        self.bills_of_materials();
        self.older_open_orders();
        self.replay();
        self.stock_rows();
        self.account
    }

    fn master_data(&mut self) {
        self.branches_suppliers_and_users();
        self.catalogue();
    }

    fn branches_suppliers_and_users(&mut self) {
        let start = self.start;
        for (i, (name, kind, active)) in self.shape.branches.iter().enumerate() {
            self.account.branches.push(BranchRecord {
                id: i as i64 + 1,
                name: name.clone(),
                branch_type: (*kind).to_owned(),
                is_active: *active,
                modified: start,
            });
        }
        for (i, supplier) in [
            "Harbour Imports Ltd",
            "Kōwhai Textiles",
            "Smith, Jones & Co",
        ]
        .iter()
        .enumerate()
        {
            self.account.contacts.push(ContactRecord {
                id: 200 + i as i64,
                company: (*supplier).to_owned(),
                contact_type: "Supplier".to_owned(),
                modified: start,
            });
        }
        self.account.users.push(UserRecord {
            id: 1,
            first_name: "Sandbox".into(),
            last_name: "Admin".into(),
            email: "admin@example.com".into(),
        });
    }

    /// One product per style, its options by colour and their sizes, with what can be sold.
    fn catalogue(&mut self) {
        let mut option_id = 9_000;
        let mut size_range = 0;
        for (p, style) in self.shape.catalogue.iter().enumerate() {
            let options: Vec<OptionRecord> = style
                .colours
                .iter()
                .enumerate()
                .map(|(c, colour)| {
                    option_id += 1;
                    OptionRecord {
                        id: option_id,
                        code: format!("{}-{}", style.code, colour.to_uppercase()),
                        barcode: Some(format!("94219{option_id:08}")),
                        option1: Some((*colour).to_owned()),
                        option2: None,
                        // Every 7th product's second option is discontinued: it still has history.
                        status: if p % 7 == 1 && c == 1 {
                            "Disabled"
                        } else {
                            "Active"
                        }
                        .to_owned(),
                        retail_price: money(style.price),
                        cost: money(style.price * 0.42),
                        // Most options carry the supplier's code; a second colour of a
                        // sized style has its own weight.
                        supplier_code: (option_id % 6 != 0)
                            .then(|| format!("V{}-{option_id}", 200 + (p % 3))),
                        weight: if c == 1 && !style.sizes.is_empty() {
                            planning::weight(p) + Decimal::new(5, 2)
                        } else {
                            Decimal::ZERO
                        },
                    }
                })
                .collect();
            if !style.sizes.is_empty() {
                size_range += 1;
            }
            let skus = options
                .iter()
                .flat_map(|o| {
                    let sizes: Vec<Option<String>> = if style.sizes.is_empty() {
                        vec![None]
                    } else {
                        style.sizes.iter().map(|s| Some((*s).to_owned())).collect()
                    };
                    sizes.into_iter().map(|size| Sku {
                        option_id: o.id,
                        size,
                        price: o.retail_price,
                        cost: o.cost,
                    })
                })
                .collect();
            let product_id = 500 + p as i64;
            self.skus.push((product_id, skus));
            self.account.products.push(ProductRecord {
                id: product_id,
                name: style.name.clone(),
                style_code: style.code.clone(),
                category: Some(style.category.to_owned()),
                sub_category: planning::sub_category(p, style.category),
                brand: Some("Harbour & Co".to_owned()),
                status: if p % 11 == 3 { "Inactive" } else { "Public" }.to_owned(),
                supplier_id: 200 + (p % 3) as i64,
                weight: planning::weight(p),
                volume: planning::volume(p),
                sizes: style.sizes.iter().map(|s| (*s).to_owned()).collect(),
                size_range_id: if style.sizes.is_empty() {
                    0
                } else {
                    size_range
                },
                options,
                modified: self.start,
            });
        }
    }

    fn opening_stock(&mut self) {
        let branches: Vec<i64> = self.account.branches.iter().map(|b| b.id).collect();
        let skus: Vec<Sku> = self
            .skus
            .iter()
            .flat_map(|(_, s)| s.iter().cloned())
            .collect();
        for sku in &skus {
            for &branch in &branches {
                let qty = Decimal::from(self.rng.random_range(0..=self.shape.opening_stock));
                self.stock
                    .insert((sku.option_id, sku.size.clone(), branch), qty);
            }
        }
        self.account.opening_stock = self.stock.iter().map(|(k, v)| (k.clone(), *v)).collect();
    }

    /// A moment in the `day`th UTC day of the history; one in ten is within a minute of
    /// midnight UTC.
    fn moment(&mut self, day: i64) -> DateTime<Utc> {
        let base = (self.start + Duration::days(day))
            .date_naive()
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let seconds = match self.rng.random_range(0..20) {
            0 => self.rng.random_range(0..60),
            1 => 86_340 + self.rng.random_range(0..60),
            _ => self.rng.random_range(60..86_340),
        };
        base + Duration::seconds(seconds)
    }

    fn schedule(&mut self, at: DateTime<Utc>, event: Event) {
        if at <= self.end {
            self.events.push(Reverse((at, event)));
        }
    }

    fn pick_sku(&mut self) -> (i64, Sku, Vec<Sku>) {
        let (product, skus) = &self.skus[self.rng.random_range(0..self.skus.len())];
        let sku = skus[self.rng.random_range(0..skus.len())].clone();
        let siblings = skus
            .iter()
            .filter(|s| s.option_id == sku.option_id)
            .cloned()
            .collect();
        (*product, sku, siblings)
    }

    /// One document line for an option: a sized option gets a per-size split.
    fn line(&mut self, max_qty: u32) -> LineRecord {
        let (_, sku, siblings) = self.pick_sku();
        let mut sizes = Vec::new();
        let qty = if sku.size.is_some() {
            // One sized line in four is split exactly three ways, one of each size.
            let three_ways = siblings.len() >= 3 && self.rng.random_bool(0.25);
            for s in &siblings {
                let chosen = if three_ways {
                    sizes.len() < 3
                } else {
                    self.rng.random_bool(0.5) || sizes.is_empty() && s.size == sku.size
                };
                if chosen {
                    let qty = if three_ways {
                        1
                    } else {
                        self.rng.random_range(1..=2)
                    };
                    sizes.push((s.size.clone().unwrap_or_default(), Decimal::from(qty)));
                }
            }
            sizes.iter().map(|(_, q)| *q).sum()
        } else {
            Decimal::from(self.rng.random_range(1..=max_qty))
        };
        let id = self.id();
        LineRecord {
            id,
            parent_id: 0,
            product_option_id: sku.option_id,
            qty,
            unit_price: sku.price,
            // One line in 23 was never costed.
            unit_cost: (id % 23 != 0).then_some(sku.cost),
            discount: Decimal::ZERO,
            qty_shipped: Decimal::ZERO,
            sizes,
            hidden_size: None,
        }
    }

    /// A line that takes goods back on an order (an exchange): negative quantities, its sizes
    /// too, shipped as written.
    fn exchange_line(&mut self) -> LineRecord {
        let mut line = self.line(2);
        line.qty = -line.qty;
        line.sizes = line.sizes.into_iter().map(|(s, q)| (s, -q)).collect();
        line
    }

    fn active_branch(&mut self, day: i64) -> i64 {
        loop {
            let b = &self.account.branches[self.rng.random_range(0..self.account.branches.len())];
            // The closed branch traded for the first half of the history only.
            if b.is_active || day < self.shape.days / 2 {
                return b.id;
            }
        }
    }

    fn documents_of_day(&mut self, day: i64) {
        let branches: Vec<(i64, bool)> = self
            .account
            .branches
            .iter()
            .map(|b| (b.id, b.is_active))
            .collect();
        for (branch, active) in branches {
            if !active && day >= self.shape.days / 2 {
                continue;
            }
            for _ in 0..self.rng.random_range(0..=self.shape.orders_per_branch_day) {
                self.sales_order(day, branch);
            }
        }
        if day % 7 == 3 {
            for b in 0..self.account.branches.len() {
                self.purchase_order(day, self.account.branches[b].id);
            }
        }
        if self.rng.random_bool(0.3) && self.account.branches.len() > 1 {
            self.transfer(day);
        }
        if self.rng.random_bool(0.2) {
            self.adjustment(day);
        }
    }

    fn sales_order(&mut self, day: i64, branch: i64) {
        let id = self.id();
        let created = self.moment(day);
        if created > self.end {
            return;
        }
        let (lines, source) = self.order_lines();
        let roll: f64 = self.rng.random();
        let (is_approved, is_void) = match roll {
            r if r < 0.03 => (false, false),
            r if r < 0.05 => (true, true),
            _ => (true, false),
        };
        let invoiced = match self.rng.random::<f64>() {
            _ if !is_approved || is_void => None,
            r if r < 0.05 => None,
            r if r < 0.12 => Some(created + Duration::days(self.rng.random_range(1..45))),
            _ => Some(created + Duration::minutes(self.rng.random_range(0..90))),
        }
        .filter(|t| *t <= self.end);
        let index = self.account.sales_orders.len();
        self.account.sales_orders.push(SalesOrderRecord {
            id,
            reference: if source == "Shopify" {
                format!("#{id}")
            } else {
                format!("SO-{id}")
            },
            source: source.to_owned(),
            branch_id: branch,
            created,
            modified: invoiced.unwrap_or(created).max(created),
            invoiced,
            dispatched: None,
            estimated_delivery: planning::promised_delivery(id, created),
            is_approved,
            is_void,
            stage: "New".to_owned(),
            lines,
        });
        if is_approved && !is_void && self.rng.random_bool(0.97) {
            let ship_at =
                invoiced.unwrap_or(created + Duration::hours(self.rng.random_range(1..72)));
            self.schedule(ship_at, Event::Dispatch(index));
        }
        if is_approved && !is_void && self.rng.random_bool(0.04) {
            self.credit_note(index);
        }
    }

    /// An order's lines: one to three, sometimes a discount, an exchange on counter and trade
    /// orders, a kit, freight; and the channel the order came from.
    fn order_lines(&mut self) -> (Vec<LineRecord>, &'static str) {
        let mut lines: Vec<LineRecord> = (0..self.rng.random_range(1..=3))
            .map(|_| self.line(4))
            .collect();
        for line in &mut lines {
            if self.rng.random_bool(0.1) {
                line.discount = (line.qty * line.unit_price * Decimal::new(1, 1)).round_dp(2);
            } else if line.sizes.len() >= 3 && self.rng.random_bool(0.5) {
                // A cent off a line of three sizes: its revenue does not divide evenly.
                line.discount = Decimal::new(1, 2);
            }
        }
        // Web orders come from the store; counter and trade orders may carry an exchange.
        let source = match self.rng.random::<f64>() {
            r if r < 0.3 => "Shopify",
            r if r < 0.75 => "POS",
            _ => "B2B",
        };
        if source != "Shopify" && self.rng.random_bool(0.04) {
            lines.push(self.exchange_line());
        }
        if self.rng.random_bool(0.03) {
            // A kit: a parent line with two component lines of its own.
            let parent = self.line(1);
            let parent_id = parent.id;
            lines.push(parent);
            for _ in 0..2 {
                let mut component = self.line(2);
                component.parent_id = parent_id;
                component.unit_price = Decimal::ZERO;
                lines.push(component);
            }
        }
        if self.rng.random_bool(0.02) {
            // Freight, or an item deleted since: no known product option.
            let mut freight = self.line(1);
            freight.product_option_id = 0;
            freight.sizes.clear();
            freight.qty = Decimal::ONE;
            freight.unit_price = Decimal::new(895, 2);
            freight.unit_cost = None;
            lines.push(freight);
        }
        (lines, source)
    }

    fn credit_note(&mut self, order: usize) {
        let o = &self.account.sales_orders[order];
        let (branch_id, created, reference) = (o.branch_id, o.created, o.reference.clone());
        let source = o.source.clone();
        let returned: Vec<LineRecord> = o
            .lines
            .iter()
            .filter(|l| l.parent_id == 0 && l.product_option_id != 0 && l.qty > Decimal::ZERO)
            .take(1)
            .cloned()
            .collect();
        let at = created + Duration::days(self.rng.random_range(2..30));
        if at > self.end {
            return;
        }
        let id = self.id();
        // Cin7 writes returned quantities negative; one credit note in five here is written
        // positive, as other systems feeding Cin7 do, and must count the same.
        let sign = if self.rng.random_bool(0.2) {
            Decimal::ONE
        } else {
            -Decimal::ONE
        };
        let lines = returned
            .into_iter()
            .map(|mut l| {
                l.id += 50_000_000;
                l.qty *= sign;
                l.sizes = l.sizes.into_iter().map(|(s, q)| (s, sign * q)).collect();
                l.discount = Decimal::ZERO;
                l
            })
            .collect();
        let index = self.account.credit_notes.len();
        self.account.credit_notes.push(CreditNoteRecord {
            id,
            reference: format!("CN-{id}"),
            sales_reference: reference,
            source,
            branch_id,
            created: at,
            modified: at,
            credit_note_date: Some(at),
            completed: None,
            is_void: self.rng.random_bool(0.05),
            lines,
        });
        if !self.account.credit_notes[index].is_void {
            let complete_at = at + Duration::hours(self.rng.random_range(0..48));
            if complete_at <= self.end {
                self.schedule(complete_at, Event::Return(index, Completion::Completes));
            } else {
                self.schedule(at, Event::Return(index, Completion::StaysOpen));
            }
        }
    }

    fn purchase_order(&mut self, day: i64, branch: i64) {
        let id = self.id();
        let created = self.moment(day);
        if created > self.end {
            return;
        }
        let lines: Vec<LineRecord> = (0..self.rng.random_range(2..=12))
            .map(|_| {
                let mut l = self.line(30);
                l.sizes = l
                    .sizes
                    .into_iter()
                    .map(|(s, q)| (s, q * Decimal::from(5)))
                    .collect();
                if !l.sizes.is_empty() {
                    l.qty = l.sizes.iter().map(|(_, q)| *q).sum();
                }
                l.unit_price = (l.unit_price * Decimal::new(42, 2)).round_dp(2);
                // Cin7 records no unit cost on purchase lines.
                l.unit_cost = None;
                l
            })
            .collect();
        let index = self.account.purchase_orders.len();
        let is_void = self.rng.random_bool(0.02);
        let supplier_id = 200 + self.rng.random_range(0..3);
        let (estimated_delivery, estimated_arrival) = planning::expected(id, created);
        self.account.purchase_orders.push(PurchaseOrderRecord {
            id,
            reference: format!("PO-{id}"),
            branch_id: branch,
            supplier_id,
            currency_code: planning::currency(supplier_id).to_owned(),
            created,
            modified: created,
            estimated_delivery,
            estimated_arrival,
            fully_received: None,
            is_approved: true,
            is_void,
            stage: "Ordered".to_owned(),
            lines,
        });
        if !is_void {
            let arrive = created
                + Duration::days(self.rng.random_range(3..21))
                + Duration::minutes(self.rng.random_range(0..600));
            self.schedule(arrive, Event::Receive(index));
        }
    }

    fn transfer(&mut self, day: i64) {
        let source = self.active_branch(day);
        let destination = loop {
            let b = self.active_branch(day);
            if b != source {
                break b;
            }
        };
        let id = self.id();
        let created = self.moment(day);
        let lines = (0..self.rng.random_range(1..=4))
            .map(|_| self.line(6))
            .collect();
        if created > self.end {
            return;
        }
        let index = self.account.transfers.len();
        self.account.transfers.push(TransferRecord {
            id,
            reference: format!("TR-{id}"),
            source_branch_id: source,
            destination_branch_id: destination,
            created,
            modified: created,
            dispatched: None,
            received: None,
            is_approved: true,
            lines,
        });
        let out = created + Duration::hours(self.rng.random_range(1..30));
        self.schedule(out, Event::TransferOut(index));
    }

    fn adjustment(&mut self, day: i64) {
        let branch = self.active_branch(day);
        let id = self.id();
        let created = self.moment(day);
        if created > self.end {
            return;
        }
        let lines = (0..self.rng.random_range(1..=3))
            .map(|_| {
                let (_, sku, _) = self.pick_sku();
                let qty = Decimal::from(self.rng.random_range(-4..=3));
                LineRecord {
                    id: self.id(),
                    parent_id: 0,
                    product_option_id: sku.option_id,
                    qty: if qty.is_zero() { Decimal::ONE } else { qty },
                    unit_price: (sku.price * Decimal::new(42, 2)).round_dp(2),
                    unit_cost: Some(sku.cost),
                    discount: Decimal::ZERO,
                    qty_shipped: Decimal::ZERO,
                    sizes: Vec::new(),
                    hidden_size: sku.size,
                }
            })
            .collect();
        let index = self.account.adjustments.len();
        let is_approved = self.rng.random_bool(0.95);
        self.account.adjustments.push(AdjustmentRecord {
            id,
            reference: format!("ADJ-{id}"),
            branch_id: branch,
            created,
            modified: created,
            completed: None,
            is_approved,
            reason: "Stocktake".to_owned(),
            lines,
        });
        if is_approved {
            let at = created + Duration::minutes(self.rng.random_range(0..240));
            if at <= self.end {
                self.schedule(at, Event::Adjust(index, Completion::Completes));
            } else {
                self.schedule(created, Event::Adjust(index, Completion::StaysOpen));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_same_seed_gives_the_same_account() {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let a = generate(Preset::Small, 7, end);
        let b = generate(Preset::Small, 7, end);
        let c = generate(Preset::Small, 8, end);
        assert_eq!(
            format!("{:?}", a.sales_orders),
            format!("{:?}", b.sales_orders)
        );
        assert_eq!(format!("{:?}", a.stock), format!("{:?}", b.stock));
        assert_ne!(
            format!("{:?}", a.sales_orders),
            format!("{:?}", c.sales_orders)
        );
        assert!(
            a.sales_orders.len() > 100,
            "{} orders",
            a.sales_orders.len()
        );
        assert!(
            a.sales_orders
                .iter()
                .all(|o| o.created <= end && o.modified >= o.created)
        );
    }
}
