//! A Cin7 account as the sandbox holds it: typed records, one type per resource, and the rows
//! of its lists. How a record renders to Cin7's JSON is `wire`'s job; the changes tests make
//! to an account between calls are `edits`'.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct BranchRecord {
    pub id: i64,
    pub name: String,
    pub branch_type: String,
    pub is_active: bool,
    pub modified: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct ProductRecord {
    pub id: i64,
    pub name: String,
    pub style_code: String,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    pub brand: Option<String>,
    pub status: String,
    pub supplier_id: i64,
    /// Per unit, in the account's units; zero where not entered, as Cin7 sends it.
    pub weight: Decimal,
    pub volume: Decimal,
    /// The size names of the product's size range; empty for a product without a size grid.
    pub sizes: Vec<String>,
    pub size_range_id: i64,
    pub options: Vec<OptionRecord>,
    pub modified: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct OptionRecord {
    pub id: i64,
    pub code: String,
    pub barcode: Option<String>,
    pub option1: Option<String>,
    pub option2: Option<String>,
    pub status: String,
    pub retail_price: Decimal,
    pub cost: Decimal,
    /// The supplier's own code for the option.
    pub supplier_code: Option<String>,
    /// The option's own weight (`optionWeight`); zero where it takes the product's.
    pub weight: Decimal,
}

/// Current stock on hand of one option (and size) at one branch.
#[derive(Clone, Debug)]
pub struct StockRecord {
    pub product_option_id: i64,
    pub size: Option<String>,
    pub branch_id: i64,
    pub on_hand: Decimal,
    pub modified: DateTime<Utc>,
}

/// A document line: a sales, credit-note, purchase or transfer line (one per option; a sized
/// option's split in `sizes`), or an adjustment line.
#[derive(Clone, Debug)]
pub struct LineRecord {
    pub id: i64,
    /// The kit line this is a component of; 0 for an ordinary line.
    pub parent_id: i64,
    pub product_option_id: i64,
    pub qty: Decimal,
    pub unit_price: Decimal,
    /// The unit cost Cin7 recorded on the line when it was made (`unitCost`): on sales,
    /// credit-note and transfer lines, never on purchase lines (Cin7 sends none there), and
    /// missing on some lines, as on freight or an item costed later.
    pub unit_cost: Option<Decimal>,
    pub discount: Decimal,
    /// Dispatched (sales) or received (purchases) so far.
    pub qty_shipped: Decimal,
    /// Per-size quantities of a sized line, in size order.
    pub sizes: Vec<(String, Decimal)>,
    /// The size an adjustment line applied to. Cin7 does not say (adjustment lines carry no
    /// size), so it is never rendered; the sandbox keeps it to keep its stock coherent.
    pub hidden_size: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SalesOrderRecord {
    pub id: i64,
    pub reference: String,
    /// The channel that created it: `POS`, `B2B`, `Shopify`, `API`…
    pub source: String,
    pub branch_id: i64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub invoiced: Option<DateTime<Utc>>,
    pub dispatched: Option<DateTime<Utc>>,
    /// The delivery date promised to the customer (`estimatedDeliveryDate`), where entered.
    pub estimated_delivery: Option<DateTime<Utc>>,
    pub is_approved: bool,
    pub is_void: bool,
    pub stage: String,
    pub lines: Vec<LineRecord>,
}

#[derive(Clone, Debug)]
pub struct CreditNoteRecord {
    pub id: i64,
    pub reference: String,
    pub sales_reference: String,
    /// The channel of the order it credits (`source`).
    pub source: String,
    pub branch_id: i64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub credit_note_date: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub is_void: bool,
    /// Lines carry negative quantities, as Cin7's do.
    pub lines: Vec<LineRecord>,
}

#[derive(Clone, Debug)]
pub struct PurchaseOrderRecord {
    pub id: i64,
    pub reference: String,
    pub branch_id: i64,
    pub supplier_id: i64,
    /// The supplier's currency, which the order's prices are in.
    pub currency_code: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// When the supplier said the goods would arrive (`estimatedDeliveryDate`, the ETD), and
    /// for an indent order its `estimatedArrivalDate`; either may be missing.
    pub estimated_delivery: Option<DateTime<Utc>>,
    pub estimated_arrival: Option<DateTime<Utc>>,
    pub fully_received: Option<DateTime<Utc>>,
    pub is_approved: bool,
    pub is_void: bool,
    pub stage: String,
    pub lines: Vec<LineRecord>,
}

#[derive(Clone, Debug)]
pub struct TransferRecord {
    pub id: i64,
    pub reference: String,
    pub source_branch_id: i64,
    pub destination_branch_id: i64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub dispatched: Option<DateTime<Utc>>,
    pub received: Option<DateTime<Utc>>,
    pub is_approved: bool,
    pub lines: Vec<LineRecord>,
}

#[derive(Clone, Debug)]
pub struct AdjustmentRecord {
    pub id: i64,
    pub reference: String,
    pub branch_id: i64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub completed: Option<DateTime<Utc>>,
    pub is_approved: bool,
    pub reason: String,
    pub lines: Vec<LineRecord>,
}

#[derive(Clone, Debug)]
pub struct ContactRecord {
    pub id: i64,
    pub company: String,
    pub contact_type: String,
    pub modified: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// A bill of materials (`/v1/BomMasters`): a kit option, and what `qty` kits are made of.
#[derive(Clone, Debug)]
pub struct BomRecord {
    pub id: i64,
    pub reference: String,
    pub product_id: i64,
    pub option_id: i64,
    /// How many kits the components make (Cin7's `product.qty`): a component's quantity per
    /// kit is its own `qty` divided by this.
    pub qty: Decimal,
    pub components: Vec<BomComponent>,
    pub modified: DateTime<Utc>,
}

/// One component of a bill of materials.
#[derive(Clone, Debug)]
pub struct BomComponent {
    pub product_id: i64,
    pub option_id: i64,
    pub qty: Decimal,
}

/// Stock key: (product option id, size, branch id).
pub type StockKey = (i64, Option<String>, i64);

/// Everything one sandbox account holds.
#[derive(Clone, Debug, Default)]
pub struct Account {
    pub branches: Vec<BranchRecord>,
    pub products: Vec<ProductRecord>,
    pub stock: Vec<StockRecord>,
    pub sales_orders: Vec<SalesOrderRecord>,
    pub credit_notes: Vec<CreditNoteRecord>,
    pub purchase_orders: Vec<PurchaseOrderRecord>,
    pub transfers: Vec<TransferRecord>,
    pub adjustments: Vec<AdjustmentRecord>,
    pub contacts: Vec<ContactRecord>,
    pub users: Vec<UserRecord>,
    pub boms: Vec<BomRecord>,
    /// Stock on hand before the first document, per stock key (the generator's starting point;
    /// empty for hand-made accounts).
    pub opening_stock: HashMap<StockKey, Decimal>,
}

/// One row of a resource's list: which record, and for product options which size row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Branch(usize),
    Product(usize),
    /// Product, option, and size index (for a size-grid product).
    ProductOption(usize, usize, Option<usize>),
    SizeRange(usize),
    Stock(usize),
    SalesOrder(usize),
    CreditNote(usize),
    PurchaseOrder(usize),
    Transfer(usize),
    Adjustment(usize),
    Contact(usize),
    User(usize),
    Bom(usize),
}

pub fn size_code(option: &OptionRecord, size: &str) -> String {
    format!("{}-{size}", option.code)
}

/// A line's quantities per size (the size name of a sized line, or its hidden size).
pub(super) fn line_parts(line: &LineRecord) -> Vec<(Option<String>, Decimal)> {
    if line.sizes.is_empty() {
        vec![(line.hidden_size.clone(), line.qty)]
    } else {
        line.sizes
            .iter()
            .map(|(s, q)| (Some(s.clone()), *q))
            .collect()
    }
}
