//! Ledger → what a planner plans a purchase with (docs/import-rules.md, "Open orders", "Lead
//! times", "Item information", "Kits"): the open orders to ship and to receive, lead times per
//! item and location and per supplier with the one to plan with, each item's last purchase
//! price, and the kits by item. Dates are local dates in the settings' time zone, so a regroup
//! to another zone recomputes them; nothing here calls Cin7.

use super::ledger::{DocumentKind, Documents, Kits, Ledger};
use super::{DataWarnings, Item, Location, Project};
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::{Decimal, MathematicalOps};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Receipts an item (or a supplier) needs before its own mean lead time is planned with.
pub const RECEIPTS_TO_PLAN_WITH: u32 = 3;

/// What a project knows for planning beyond its history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planning {
    /// Orders to ship, then orders to receive, each by item, location, type and number.
    pub open_orders: Vec<OpenOrder>,
    /// Per item–location pair with history, receipts or open orders, in item then location
    /// order.
    pub lead_times: Vec<LeadTime>,
    /// Per supplier (a contact id): one receipt per purchase order.
    pub suppliers: BTreeMap<i64, LeadStats>,
    /// Per item (as [`super::Project::items`]): its last purchase price.
    pub last_purchase: Vec<Option<LastPurchase>>,
    /// Each kit's components, by item.
    pub kits: Vec<KitComponent>,
}

/// Which kind of document an open order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrderType {
    Sales,
    Purchase,
    Transfer,
}

impl OrderType {
    /// As the exports write it.
    pub fn label(self) -> &'static str {
        match self {
            OrderType::Sales => "sales",
            OrderType::Purchase => "purchase",
            OrderType::Transfer => "transfer",
        }
    }
}

/// What one order still has to ship from, or to receive at, one location, for one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOrder {
    pub item: usize,
    pub location: usize,
    /// To receive (rather than to ship).
    pub inbound: bool,
    pub order_type: OrderType,
    /// The ledger's document of its first line, which gives its number, source, currency
    /// and channel (kept there once, not copied into each of a large account's orders).
    pub document: u32,
    pub qty: Decimal,
    /// When it is promised: the shipment date of an order to ship, the delivery date of one
    /// to receive.
    pub date: Option<NaiveDate>,
    /// When an order to receive was sent out (a purchase order's creation, a transfer's
    /// dispatch).
    pub sendout: Option<NaiveDate>,
    /// What the goods to receive cost, in [`OpenOrder::currency`]; none where unknown.
    pub lot_cost: Option<Decimal>,
}

impl OpenOrder {
    /// A text column of its document in `project`'s ledger.
    fn text<'a>(&self, project: &'a Project, column: fn(&Documents) -> &[String]) -> &'a str {
        project
            .ledger
            .as_ref()
            .and_then(|l| column(&l.documents).get(self.document as usize))
            .map_or("", String::as_str)
    }

    /// The order number.
    pub fn number<'a>(&self, project: &'a Project) -> &'a str {
        self.text(project, |d| &d.reference)
    }

    /// Who goods to receive come from: the supplier, or the branch a transfer leaves.
    pub fn source_from<'a>(&self, project: &'a Project) -> &'a str {
        if self.inbound {
            self.text(project, |d| &d.source_from)
        } else {
            ""
        }
    }

    /// The currency of a purchase order's lot cost.
    pub fn currency<'a>(&self, project: &'a Project) -> &'a str {
        if self.order_type == OrderType::Purchase {
            self.text(project, |d| &d.currency)
        } else {
            ""
        }
    }

    /// The channel of a sales order.
    pub fn channel<'a>(&self, project: &'a Project) -> &'a str {
        self.text(project, |d| &d.channel)
    }
}

/// Lead times in days: how many, their mean and sample standard deviation (none below two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeadStats {
    pub receipts: u32,
    pub mean_days: Decimal,
    pub sd_days: Option<Decimal>,
}

impl LeadStats {
    /// The statistics of `days`; `None` when there are none.
    pub fn of(days: &[i64]) -> Option<Self> {
        let n = Decimal::from(days.len());
        if days.is_empty() {
            return None;
        }
        let mean = Decimal::from(days.iter().sum::<i64>()) / n;
        let sd = (days.len() >= 2).then(|| {
            let squares: Decimal = days
                .iter()
                .map(|d| (Decimal::from(*d) - mean) * (Decimal::from(*d) - mean))
                .sum();
            (squares / (n - Decimal::ONE)).sqrt().unwrap_or_default()
        });
        Some(Self {
            receipts: days.len() as u32,
            mean_days: mean,
            sd_days: sd,
        })
    }

    fn plannable(&self) -> bool {
        self.receipts >= RECEIPTS_TO_PLAN_WITH
    }
}

/// Where the lead time to plan with comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadTimeSource {
    Item,
    Supplier,
    None,
}

impl LeadTimeSource {
    /// As the exports write it.
    pub fn label(self) -> &'static str {
        match self {
            LeadTimeSource::Item => "item",
            LeadTimeSource::Supplier => "supplier",
            LeadTimeSource::None => "none",
        }
    }
}

/// The lead times of one item at one location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadTime {
    pub item: usize,
    pub location: usize,
    /// From its own receipts; none without any.
    pub own: Option<LeadStats>,
    pub last_receipt: Option<NaiveDate>,
    /// The lead time to plan with, in days, and where it comes from.
    pub plan_days: Option<Decimal>,
    pub plan_source: LeadTimeSource,
}

/// The price an item was last bought at, net of discount, in its order's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastPurchase {
    pub price: Decimal,
    pub currency: String,
}

/// One component of a kit: `multiplier` units of it make one kit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KitComponent {
    pub kit: usize,
    pub component: usize,
    pub multiplier: Decimal,
}

/// A moment's local date in `zone`.
fn local_date(at: Option<i64>, zone: Tz) -> Option<NaiveDate> {
    Some(
        DateTime::from_timestamp(at?, 0)?
            .with_timezone(&zone)
            .date_naive(),
    )
}

/// What the ledger gives for planning under `zone`, for the pairs of `pairs` (those with a
/// history) and any with receipts or open orders; what it could not use goes in `warnings`.
pub fn planning(
    ledger: &Ledger,
    zone: Tz,
    items: &[Item],
    locations: &[Location],
    pairs: impl IntoIterator<Item = (usize, usize)>,
    warnings: &mut DataWarnings,
) -> Planning {
    let d = &ledger.documents;
    for i in (0..d.len()).filter(|&i| !d.rejected[i]) {
        warnings.open_lines_left_out += u64::from(d.open_lines_skipped[i]);
        warnings.implausible_dates += u64::from(d.implausible_dates[i]);
    }
    warnings.older_open_orders_missing = ledger.older_open_orders_missing;
    let open_orders = open_orders(ledger, zone);
    let receipts = Receipts::of(ledger, zone, warnings);
    let mut pairs: Vec<(usize, usize)> = pairs.into_iter().collect();
    pairs.extend(receipts.days.keys().copied());
    pairs.extend(open_orders.iter().map(|o| (o.item, o.location)));
    pairs.sort_unstable();
    pairs.dedup();
    let lead_times = pairs
        .into_iter()
        .filter(|&(item, location)| item < items.len() && location < locations.len())
        .map(|pair| receipts.lead_time(pair, items))
        .collect();
    Planning {
        open_orders,
        lead_times,
        last_purchase: last_purchases(ledger, items.len()),
        suppliers: receipts.suppliers,
        kits: kits(&ledger.kits, items, warnings),
    }
}

/// The open lines added up by direction, item, location, type and order number, in that
/// order. The lines are sorted by that key and each run of equal keys added up: a large account
/// has hundreds of thousands of them, and no map or copied text is needed to find their group.
fn open_orders(ledger: &Ledger, zone: Tz) -> Vec<OpenOrder> {
    let (d, o) = (&ledger.documents, &ledger.open_lines);
    let key = |r: usize| {
        let doc = o.document[r] as usize;
        let kind = order_type(d, doc)?;
        Some((
            o.inbound[r],
            o.item[r],
            o.location[r],
            kind,
            d.reference[doc].as_str(),
        ))
    };
    let mut rows: Vec<(usize, OrderKey<'_>)> =
        (0..o.len()).filter_map(|r| Some((r, key(r)?))).collect();
    rows.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut orders: Vec<OpenOrder> = Vec::new();
    let mut current = None;
    for (r, key) in rows {
        if current != Some(key) {
            current = Some(key);
            orders.push(open_order(d, o.document[r] as usize, key, zone));
        }
        if let Some(order) = orders.last_mut() {
            order.qty += o.qty[r];
            order.lot_cost = order.lot_cost.zip(o.lot_cost[r]).map(|(a, b)| a + b);
        }
    }
    orders
}

/// What open lines are added up by: direction, item, location, type and order number.
type OrderKey<'a> = (bool, u32, u32, OrderType, &'a str);

/// An open order of nothing yet, as its first line's document `doc` describes it.
fn open_order(
    d: &Documents,
    doc: usize,
    (inbound, item, location, order_type, _): OrderKey<'_>,
    zone: Tz,
) -> OpenOrder {
    OpenOrder {
        item: item as usize,
        location: location as usize,
        inbound,
        order_type,
        document: doc as u32,
        qty: Decimal::ZERO,
        date: local_date(d.promised[doc], zone),
        sendout: match order_type {
            OrderType::Purchase => local_date(d.ordered[doc], zone),
            OrderType::Transfer if inbound => local_date(d.dispatched[doc], zone),
            _ => None,
        },
        // Goods to receive start from a known cost of nothing; any line of unknown cost makes
        // the lot's unknown. Goods to ship carry none.
        lot_cost: inbound.then_some(Decimal::ZERO),
    }
}

fn order_type(d: &Documents, doc: usize) -> Option<OrderType> {
    match d.kind[doc] {
        DocumentKind::SalesOrder => Some(OrderType::Sales),
        DocumentKind::PurchaseOrder => Some(OrderType::Purchase),
        DocumentKind::BranchTransfer => Some(OrderType::Transfer),
        DocumentKind::CreditNote | DocumentKind::Adjustment => None,
    }
}

/// The lead times the ledger's receipts give.
struct Receipts {
    /// Per pair: each receipt's lead time, and its last local date.
    days: BTreeMap<(usize, usize), (Vec<i64>, NaiveDate)>,
    suppliers: BTreeMap<i64, LeadStats>,
}

impl Receipts {
    fn of(ledger: &Ledger, zone: Tz, warnings: &mut DataWarnings) -> Self {
        let (d, r) = (&ledger.documents, &ledger.receipts);
        // Each received purchase order's lead time, once, by document index (a large account
        // has a hundred thousand of them: a table, not a map).
        let mut received: Vec<usize> = r.document.iter().map(|&doc| doc as usize).collect();
        received.sort_unstable();
        received.dedup();
        let mut lead: Vec<Option<(i64, NaiveDate)>> = vec![None; d.len()];
        let mut per_supplier: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for doc in received {
            let (Some(ordered), Some(received)) = (
                local_date(d.ordered[doc], zone),
                local_date(d.received[doc], zone),
            ) else {
                continue;
            };
            let days = (received - ordered).num_days();
            if days < 0 {
                warnings.negative_lead_times += 1;
                continue;
            }
            lead[doc] = Some((days, received));
            if let Some(supplier) = d.supplier[doc] {
                per_supplier.entry(supplier).or_default().push(days);
            }
        }
        let mut days: BTreeMap<(usize, usize), (Vec<i64>, NaiveDate)> = BTreeMap::new();
        for i in 0..r.len() {
            let Some((lead_days, received)) = lead[r.document[i] as usize] else {
                continue;
            };
            let entry = days
                .entry((r.item[i] as usize, r.location[i] as usize))
                .or_insert((Vec::new(), received));
            entry.0.push(lead_days);
            entry.1 = entry.1.max(received);
        }
        Self {
            days,
            suppliers: per_supplier
                .into_iter()
                .filter_map(|(supplier, days)| Some((supplier, LeadStats::of(&days)?)))
                .collect(),
        }
    }

    /// One pair's lead times, falling back to its item's supplier, then to none.
    fn lead_time(&self, (item, location): (usize, usize), items: &[Item]) -> LeadTime {
        let own = self.days.get(&(item, location));
        let stats = own.and_then(|(days, _)| LeadStats::of(days));
        let supplier = items[item]
            .supplier_id
            .and_then(|s| self.suppliers.get(&s))
            .filter(|s| s.plannable());
        let (plan_days, plan_source) = match (stats.filter(LeadStats::plannable), supplier) {
            (Some(own), _) => (Some(own.mean_days), LeadTimeSource::Item),
            (None, Some(supplier)) => (Some(supplier.mean_days), LeadTimeSource::Supplier),
            (None, None) => (None, LeadTimeSource::None),
        };
        LeadTime {
            item,
            location,
            own: stats,
            last_receipt: own.map(|(_, last)| *last),
            plan_days,
            plan_source,
        }
    }
}

/// Each item's price on its most recently received purchase order (latest received, then
/// highest id) that gives one.
fn last_purchases(ledger: &Ledger, items: usize) -> Vec<Option<LastPurchase>> {
    let (d, r) = (&ledger.documents, &ledger.receipts);
    let mut latest: Vec<Option<((i64, i64), LastPurchase)>> = vec![None; items];
    for i in 0..r.len() {
        let doc = r.document[i] as usize;
        let (Some(price), Some(received)) = (r.unit_price[i], d.received[doc]) else {
            continue;
        };
        let Some(slot) = latest.get_mut(r.item[i] as usize) else {
            continue;
        };
        let when = (received, d.id[doc]);
        if slot.as_ref().is_none_or(|(best, _)| when >= *best) {
            let currency = d.currency[doc].clone();
            *slot = Some((when, LastPurchase { price, currency }));
        }
    }
    latest
        .into_iter()
        .map(|l| l.map(|(_, last)| last))
        .collect()
}

/// The kits by item; bills naming an option the project does not have, or making a kit of
/// itself (directly or through another kit), are left out and counted with the unusable.
fn kits(kits: &Kits, items: &[Item], warnings: &mut DataWarnings) -> Vec<KitComponent> {
    // An option's item: a regular option's own, a sized one's first size (bills name options).
    let mut item_of: HashMap<i64, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        item_of.entry(item.product_option_id).or_insert(i);
    }
    let mut made_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (_, kit, component, _) in kits.rows() {
        made_of.entry(kit).or_default().push(component);
    }
    let mut bad: BTreeSet<i64> = BTreeSet::new();
    for (bom, kit, component, _) in kits.rows() {
        let known = item_of.contains_key(&kit) && item_of.contains_key(&component);
        if !known || reaches(&made_of, component, kit) {
            bad.insert(bom);
        }
    }
    warnings.kits_left_out += (bad.len() + kits.unusable.len()) as u64;
    kits.rows()
        .filter(|(bom, ..)| !bad.contains(bom))
        .map(|(_, kit, component, multiplier)| KitComponent {
            kit: item_of[&kit],
            component: item_of[&component],
            multiplier,
        })
        .collect()
}

/// Whether `target` is `from` or among what `from` is made of, at any depth.
fn reaches(made_of: &HashMap<i64, Vec<i64>>, from: i64, target: i64) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(option) = stack.pop() {
        if option == target {
            return true;
        }
        if seen.insert(option) {
            stack.extend(made_of.get(&option).into_iter().flatten());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::ledger::{Document, Receipt};
    use chrono::{TimeZone, Utc};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn at(day: u32) -> Option<i64> {
        Some(
            Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0)
                .unwrap()
                .timestamp(),
        )
    }

    fn item(option: i64, supplier: i64) -> Item {
        Item {
            product_option_id: option,
            code: format!("SKU-{option}"),
            supplier_id: Some(supplier),
            ..Item::default()
        }
    }

    fn location() -> Location {
        Location {
            branch_id: 1,
            name: "Warehouse".into(),
            branch_type: None,
            is_active: true,
        }
    }

    /// A received purchase order from `supplier`, created on 1 March, received `days` later,
    /// bringing 1 of each of `items`.
    fn receive(ledger: &mut Ledger, id: i64, supplier: i64, days: i64, items: &[u32]) {
        let doc = ledger.documents.push(Document {
            counted: true,
            ordered: at(1),
            received: at(1).map(|t| t + days * 86_400),
            supplier: Some(supplier),
            currency: "USD".into(),
            ..Document::new(DocumentKind::PurchaseOrder, id)
        });
        for &item in items {
            let receipt = Receipt {
                item,
                location: 0,
                qty: Decimal::ONE,
                unit_price: Some(Decimal::from(10 + id)),
            };
            ledger.receipts.push(doc, receipt);
        }
    }

    #[test]
    fn three_receipts_of_2_4_and_9_days_and_the_fall_backs() {
        let mut ledger = Ledger::new(Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap(), vec![1]);
        // Item 0 (supplier 7): three receipts. Item 1 (supplier 7): one. Item 2 (supplier 8):
        // one, and its supplier has no more. One order was received before it was made.
        receive(&mut ledger, 1, 7, 2, &[0, 1]);
        receive(&mut ledger, 2, 7, 4, &[0]);
        receive(&mut ledger, 3, 7, 9, &[0]);
        receive(&mut ledger, 4, 8, 6, &[2]);
        receive(&mut ledger, 5, 8, -1, &[2]);
        let items = [item(10, 7), item(11, 7), item(12, 8)];
        let mut warnings = DataWarnings::default();
        let planned = planning(&ledger, Tz::UTC, &items, &[location()], [], &mut warnings);
        let own = planned.lead_times[0].own.unwrap();
        assert_eq!((own.receipts, own.mean_days), (3, d("5")));
        assert_eq!(own.sd_days.unwrap().round_dp(4), d("3.6056"));
        let plans: Vec<_> = planned
            .lead_times
            .iter()
            .map(|l| (l.item, l.plan_days, l.plan_source))
            .collect();
        assert_eq!(
            plans,
            vec![
                (0, Some(d("5")), LeadTimeSource::Item),
                (1, Some(d("5")), LeadTimeSource::Supplier),
                (2, None, LeadTimeSource::None),
            ]
        );
        assert_eq!(planned.lead_times[1].own.unwrap().sd_days, None);
        assert_eq!(warnings.negative_lead_times, 1);
        assert_eq!(planned.suppliers[&7].receipts, 3);
        // The last purchase: the latest received order (2 + 9 days) for item 0.
        let last = planned.last_purchase[0].clone().unwrap();
        assert_eq!((last.price, last.currency.as_str()), (d("13"), "USD"));
        assert_eq!(
            planned.lead_times[0].last_receipt,
            NaiveDate::from_ymd_opt(2025, 3, 10)
        );
    }

    #[test]
    fn a_kit_made_of_itself_is_left_out_and_counted() {
        let mut ledger = Ledger::new(Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap(), vec![1]);
        ledger.kits.push(1, 10, 11, d("2"));
        // 12 is made of 13, which is made of 12.
        ledger.kits.push(2, 12, 13, Decimal::ONE);
        ledger.kits.push(3, 13, 12, Decimal::ONE);
        ledger.kits.push(4, 10, 99, Decimal::ONE);
        ledger.kits.unusable.push(5);
        let items = [item(10, 7), item(11, 7), item(12, 7), item(13, 7)];
        let mut warnings = DataWarnings::default();
        let planned = planning(&ledger, Tz::UTC, &items, &[location()], [], &mut warnings);
        assert_eq!(
            planned.kits,
            vec![KitComponent {
                kit: 0,
                component: 1,
                multiplier: d("2")
            }]
        );
        assert_eq!(
            warnings.kits_left_out, 4,
            "two in a loop, one unknown, one unusable"
        );
    }
}
