//! The project's tables as planners take them out, cell by cell, for the CSV files and the
//! Excel workbook alike: the history (the planning tool's "Transactions"), the item info, the
//! orders to ship and to receive, the lead times and the kits ("Substitutions"). Numbers stay
//! exact; dates are local dates in the project's time zone.

use super::planning::OpenOrder;
use super::{Item, Project};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Each table the project exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    Transactions,
    ItemInfo,
    OrdersToShip,
    OrdersToReceive,
    LeadTimes,
    Kits,
}

impl TableKind {
    pub const ALL: [TableKind; 6] = [
        TableKind::Transactions,
        TableKind::ItemInfo,
        TableKind::OrdersToShip,
        TableKind::OrdersToReceive,
        TableKind::LeadTimes,
        TableKind::Kits,
    ];

    /// The table, made from `project` as it is written.
    pub fn of(self, project: &Project) -> Table<'_> {
        match self {
            TableKind::Transactions => transactions(project),
            TableKind::ItemInfo => item_info(project),
            TableKind::OrdersToShip => orders_to_ship(project),
            TableKind::OrdersToReceive => orders_to_receive(project),
            TableKind::LeadTimes => lead_times(project),
            TableKind::Kits => kits(project),
        }
    }

    /// What a file of it is called after the project's name: `shop-sales.csv`.
    pub fn file_suffix(self) -> &'static str {
        match self {
            TableKind::Transactions => "sales",
            TableKind::ItemInfo => "items",
            TableKind::OrdersToShip => "orders-to-ship",
            TableKind::OrdersToReceive => "orders-to-receive",
            TableKind::LeadTimes => "lead-times",
            TableKind::Kits => "kits",
        }
    }

    /// What it holds, as a menu names it.
    pub fn label(self) -> &'static str {
        match self {
            TableKind::Transactions => "Sales history",
            TableKind::ItemInfo => "Item info",
            TableKind::OrdersToShip => "Orders to ship",
            TableKind::OrdersToReceive => "Orders to receive",
            TableKind::LeadTimes => "Lead times",
            TableKind::Kits => "Kits",
        }
    }
}

/// One cell: what it is decides how each format writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
    Integer(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn text(value: &str) -> Self {
        Cell::Text(value.to_owned())
    }

    fn number(value: Option<Decimal>) -> Self {
        value.map_or(Cell::Empty, Cell::Number)
    }

    fn date(value: Option<NaiveDate>) -> Self {
        value.map_or(Cell::Empty, Cell::Date)
    }

    fn optional(value: &Option<String>) -> Self {
        value.as_deref().map_or(Cell::Empty, Cell::text)
    }
}

/// A column: its CSV name, and its header in the workbook as the planning tool names the
/// data type.
pub struct Column {
    pub csv: &'static str,
    pub title: &'static str,
}

const fn col(csv: &'static str, title: &'static str) -> Column {
    Column { csv, title }
}

/// A table: its sheet's name, its columns, and its rows, made as they are written.
pub struct Table<'a> {
    pub sheet: &'static str,
    pub columns: &'static [Column],
    pub rows: Box<dyn Iterator<Item = Vec<Cell>> + 'a>,
}

pub const TRANSACTIONS: &[Column] = &[
    col("item_code", "Item code"),
    col("item_description", "Description"),
    col("location", "Location"),
    col("period_start", "Date"),
    col("period_end", "Period end"),
    col("sales_qty", "Qty sold"),
    col("sales_revenue", "Revenue"),
    col("on_hand", "On hand"),
    col("product_option_id", "Product option id"),
    col("size", "Size"),
    col("sized", "Sized"),
    col("branch_id", "Branch id"),
    col("measured_on_hand", "Measured on hand"),
    col("measured_at", "Measured at"),
    col("sales_cost", "Cost of sales"),
];

/// The history: one row per period of every item–location pair with data.
/// `period_end` is the last day inside the period.
pub fn transactions(project: &Project) -> Table<'_> {
    let periods = project.periods.len();
    let rows = project.series.iter().flat_map(move |series| {
        let item = &project.items[series.item];
        let location = &project.locations[series.location];
        let (qty, revenue) = (series.sales_qty(periods), series.sales_revenue(periods));
        let cost = series.sales_cost(periods);
        let on_hand = series.on_hand_values(periods);
        let measured = series.measured_values(periods, &project.measured_at);
        project.periods.iter().enumerate().map(move |(p, period)| {
            let (measured_qty, measured_at) = match measured[p] {
                Some((qty, at)) => (
                    Cell::Number(qty),
                    Cell::Text(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ),
                None => (Cell::Empty, Cell::Empty),
            };
            vec![
                Cell::text(&item.code),
                Cell::text(&item.description),
                Cell::text(&location.name),
                Cell::Date(period.start),
                Cell::Date(period.last_day()),
                Cell::Number(qty[p]),
                Cell::Number(revenue[p]),
                Cell::number(on_hand.as_ref().map(|o| o[p])),
                Cell::Integer(item.product_option_id),
                Cell::text(&item.size),
                Cell::text(if item.sized { "true" } else { "false" }),
                Cell::Integer(location.branch_id),
                measured_qty,
                measured_at,
                Cell::Number(cost[p]),
            ]
        })
    });
    Table {
        sheet: "Transactions",
        columns: TRANSACTIONS,
        rows: Box::new(rows),
    }
}

pub const ITEM_INFO: &[Column] = &[
    col("item_code", "Item code"),
    col("item_description", "Description"),
    col("product_option_id", "Product option id"),
    col("size", "Size"),
    col("sized", "Sized"),
    col("product_id", "Product id"),
    col("style_code", "Style code"),
    col("options", "Options"),
    col("category", "Category"),
    col("brand", "Brand"),
    col("barcode", "Barcode"),
    col("retail_price", "Item sales price"),
    col("cost", "Item cost"),
    col("supplier", "Supplier"),
    col("status", "Status"),
    col("sub_category", "Sub-category"),
    col("supplier_item_code", "Supplier's item code"),
    col("weight", "Weight"),
    col("volume", "Volume"),
    col("last_purchase_price", "Item purchase price"),
    col("last_purchase_currency", "Purchase price currency"),
];

/// The item info: one row per item.
pub fn item_info(project: &Project) -> Table<'_> {
    let rows = project.items.iter().enumerate().map(|(i, item)| {
        let last = project.planning.last_purchase.get(i).cloned().flatten();
        item_row(item, last)
    });
    Table {
        sheet: "Item info",
        columns: ITEM_INFO,
        rows: Box::new(rows),
    }
}

fn item_row(item: &Item, last: Option<super::planning::LastPurchase>) -> Vec<Cell> {
    vec![
        Cell::text(&item.code),
        Cell::text(&item.description),
        Cell::Integer(item.product_option_id),
        Cell::text(&item.size),
        Cell::text(if item.sized { "true" } else { "false" }),
        item.product_id.map_or(Cell::Empty, Cell::Integer),
        Cell::optional(&item.style_code),
        Cell::Text(item.options.join(" / ")),
        Cell::optional(&item.category),
        Cell::optional(&item.brand),
        Cell::optional(&item.barcode),
        Cell::number(item.retail_price),
        Cell::number(item.cost),
        Cell::optional(&item.supplier),
        Cell::optional(&item.status),
        Cell::optional(&item.sub_category),
        Cell::optional(&item.supplier_item_code),
        Cell::number(item.weight),
        Cell::number(item.volume),
        Cell::number(last.as_ref().map(|l| l.price)),
        last.map_or(Cell::Empty, |l| Cell::Text(l.currency)),
    ]
}

/// The cells both open-order tables begin with: item, location, type, number, quantity and
/// the date promised.
fn order_cells(project: &Project, o: &OpenOrder) -> Vec<Cell> {
    vec![
        Cell::text(&project.items[o.item].code),
        Cell::text(&project.locations[o.location].name),
        Cell::text(o.order_type.label()),
        Cell::text(o.number(project)),
        Cell::Number(o.qty),
        Cell::date(o.date),
    ]
}

pub const ORDERS_TO_SHIP: &[Column] = &[
    col("item_code", "Item code"),
    col("location", "Location"),
    col("order_type", "Order type"),
    col("order_number", "Order number"),
    col("qty_to_ship", "Qty to ship"),
    col("shipment_date", "Shipment date"),
    col("channel", "Channel"),
];

/// What open sales orders and transfers still have to ship.
pub fn orders_to_ship(project: &Project) -> Table<'_> {
    let rows = project
        .planning
        .open_orders
        .iter()
        .filter(|o| !o.inbound)
        .map(|o| {
            let mut cells = order_cells(project, o);
            cells.push(Cell::text(o.channel(project)));
            cells
        });
    Table {
        sheet: "Orders to ship",
        columns: ORDERS_TO_SHIP,
        rows: Box::new(rows),
    }
}

pub const ORDERS_TO_RECEIVE: &[Column] = &[
    col("item_code", "Item code"),
    col("location", "Location"),
    col("order_type", "Order type"),
    col("order_number", "Order number"),
    col("qty_to_receive", "Qty to receive"),
    col("delivery_date", "Delivery date"),
    col("sendout_date", "Sendout date"),
    col("source_from", "Source from"),
    col("lot_cost", "Lot cost"),
    col("currency", "Currency"),
];

/// What open purchase orders and transfers still have to bring in.
pub fn orders_to_receive(project: &Project) -> Table<'_> {
    let rows = project
        .planning
        .open_orders
        .iter()
        .filter(|o| o.inbound)
        .map(|o| {
            let mut cells = order_cells(project, o);
            cells.extend([
                Cell::date(o.sendout),
                Cell::text(o.source_from(project)),
                Cell::number(o.lot_cost),
                Cell::text(o.currency(project)),
            ]);
            cells
        });
    Table {
        sheet: "Orders to receive",
        columns: ORDERS_TO_RECEIVE,
        rows: Box::new(rows),
    }
}

pub const LEAD_TIMES: &[Column] = &[
    col("item_code", "Item code"),
    col("location", "Location"),
    col("receipts", "Receipts"),
    col("lead_time_days", "Lead time"),
    col("lead_time_sd_days", "Lead time variance"),
    col("last_receipt", "Last receipt"),
    col("planning_lead_time_days", "Planning lead time"),
    col("planning_lead_time_source", "Planning lead time from"),
];

/// Lead times per item and location, with the one to plan with and where it comes from.
pub fn lead_times(project: &Project) -> Table<'_> {
    let rows = project.planning.lead_times.iter().map(|l| {
        vec![
            Cell::text(&project.items[l.item].code),
            Cell::text(&project.locations[l.location].name),
            Cell::Integer(l.own.map_or(0, |s| i64::from(s.receipts))),
            Cell::number(l.own.map(|s| s.mean_days)),
            Cell::number(l.own.and_then(|s| s.sd_days)),
            Cell::date(l.last_receipt),
            Cell::number(l.plan_days),
            Cell::text(l.plan_source.label()),
        ]
    });
    Table {
        sheet: "Lead times",
        columns: LEAD_TIMES,
        rows: Box::new(rows),
    }
}

pub const KITS: &[Column] = &[
    col("kit_code", "Item code"),
    col("component_code", "Substitute item code"),
    col("multiplier", "Multiplier"),
];

/// Each kit's components and how many of each one kit takes.
pub fn kits(project: &Project) -> Table<'_> {
    let rows = project.planning.kits.iter().map(|k| {
        vec![
            Cell::text(&project.items[k.kit].code),
            Cell::text(&project.items[k.component].code),
            Cell::Number(k.multiplier),
        ]
    });
    Table {
        sheet: "Substitutions",
        columns: KITS,
        rows: Box::new(rows),
    }
}
