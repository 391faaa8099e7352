//! A Cin7 account as the sandbox holds it: typed records, and how each renders to the JSON
//! Cin7 sends. Every record type lists Cin7's documented top-level fields (`FIELDS`, in the
//! documented order) and answers one field at a time ([`Account::field`]): a whole record is
//! rendered from the same answers, so a `where` filter, an `order` and the body always agree.
//! Fields the sandbox does not model come back as explicit `null`, as unset fields do in Cin7.

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
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
    pub brand: Option<String>,
    pub status: String,
    pub supplier_id: i64,
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
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
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
}

pub fn date(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn opt_date(t: Option<DateTime<Utc>>) -> Value {
    t.map(date).unwrap_or(Value::Null)
}

/// A decimal as the JSON number Cin7 sends (every sandbox value has few digits).
pub fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn opt_text(s: &Option<String>) -> Value {
    s.as_ref().map(|s| text(s)).unwrap_or(Value::Null)
}

pub fn size_code(option: &OptionRecord, size: &str) -> String {
    format!("{}-{size}", option.code)
}

const BRANCH_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "isActive",
    "company",
    "firstName",
    "lastName",
    "jobTitle",
    "email",
    "website",
    "phone",
    "fax",
    "mobile",
    "address1",
    "address2",
    "city",
    "state",
    "postCode",
    "country",
    "postalAddress1",
    "postalAddress2",
    "postalCity",
    "postalPostCode",
    "postalState",
    "postalCountry",
    "notes",
    "integrationRef",
    "customFields",
    "secondaryContacts",
    "branchType",
    "stockControlOptions",
    "taxStatus",
    "accountNumber",
    "branchLocations",
];

const CONTACT_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "isActive",
    "type",
    "company",
    "firstName",
    "lastName",
    "jobTitle",
    "email",
    "website",
    "phone",
    "fax",
    "mobile",
    "address1",
    "address2",
    "city",
    "state",
    "postCode",
    "country",
    "postalAddress1",
    "postalAddress2",
    "postalCity",
    "postalPostCode",
    "postalState",
    "postalCountry",
    "notes",
    "integrationRef",
    "customFields",
    "secondaryContacts",
    "salesPersonId",
    "accountNumber",
    "billingCompany",
    "billingEmail",
    "priceColumn",
    "percentageOff",
    "paymentTerms",
    "taxStatus",
    "taxNumber",
    "creditLimit",
    "balanceOwing",
    "onHold",
    "group",
    "subGroup",
    "stages",
    "accountingIntegrationId",
];

const PRODUCT_FIELDS: &[&str] = &[
    "id",
    "status",
    "createdDate",
    "modifiedDate",
    "styleCode",
    "name",
    "description",
    "tags",
    "images",
    "pdfUpload",
    "pdfDescription",
    "supplierId",
    "brand",
    "category",
    "subCategory",
    "channels",
    "categoryIdArray",
    "weight",
    "height",
    "width",
    "length",
    "volume",
    "stockControl",
    "orderType",
    "productType",
    "productSubtype",
    "projectName",
    "optionLabel1",
    "optionLabel2",
    "optionLabel3",
    "salesAccount",
    "purchasesAccount",
    "importCustomsDuty",
    "sizeRangeId",
    "customFields",
    "productOptions",
];

const OPTION_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "status",
    "productId",
    "code",
    "barcode",
    "productOptionCode",
    "productOptionSizeCode",
    "productOptionBarcode",
    "productOptionSizeBarcode",
    "supplierCode",
    "option1",
    "option2",
    "option3",
    "optionWeight",
    "size",
    "sizeId",
    "retailPrice",
    "wholesalePrice",
    "vipPrice",
    "specialPrice",
    "specialsStartDate",
    "specialDays",
    "stockAvailable",
    "stockOnHand",
    "uomOptions",
    "image",
    "priceColumns",
];

const SIZE_RANGE_FIELDS: &[&str] = &["id", "sizeRangeName", "sizes"];

const STOCK_FIELDS: &[&str] = &[
    "productId",
    "productOptionId",
    "modifiedDate",
    "styleCode",
    "code",
    "barcode",
    "branchId",
    "branchName",
    "productName",
    "option1",
    "option2",
    "option3",
    "size",
    "available",
    "stockOnHand",
    "openSales",
    "incoming",
    "virtual",
    "holding",
];

/// The "transaction" header every sales-type document shares.
const TRANSACTION_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "createdBy",
    "processedBy",
    "isApproved",
    "reference",
    "memberId",
    "firstName",
    "lastName",
    "company",
    "email",
    "phone",
    "mobile",
    "fax",
    "deliveryFirstName",
    "deliveryLastName",
    "deliveryCompany",
    "deliveryAddress1",
    "deliveryAddress2",
    "deliveryCity",
    "deliveryState",
    "deliveryPostalCode",
    "deliveryCountry",
    "billingFirstName",
    "billingLastName",
    "billingCompany",
    "billingAddress1",
    "billingAddress2",
    "billingCity",
    "billingState",
    "billingPostalCode",
    "billingCountry",
    "branchId",
    "branchEmail",
    "projectName",
    "trackingCode",
    "internalComments",
    "productTotal",
    "freightTotal",
    "freightDescription",
    "surcharge",
    "surchargeDescription",
    "discountTotal",
    "discountDescription",
    "total",
    "currencyId",
    "currencyCode",
    "currencyRate",
    "currencySymbol",
    "taxStatus",
    "taxRate",
    "source",
    "customFields",
];

const SALES_ORDER_EXTRA: &[&str] = &[
    "memberEmail",
    "distributionBranchId",
    "customerOrderNo",
    "paymentTerms",
    "voucherCode",
    "deliveryInstructions",
    "costCenter",
    "memberCostCenter",
    "alternativeTaxRate",
    "memberAlternativeTaxRate",
    "status",
    "stage",
    "invoiceDate",
    "invoiceNumber",
    "dispatchedDate",
    "estimatedDeliveryDate",
    "cancellationDate",
    "modifiedCOGSDate",
    "logisticsCarrier",
    "logisticsStatus",
    "ediStatus",
    "departmentNumber",
    "storeLocationNumber",
    "distributionCenter",
    "isVoid",
    "accountingAttributes",
    "lineItems",
];

const CREDIT_NOTE_EXTRA: &[&str] = &[
    "status",
    "memberEmail",
    "salesReference",
    "creditNoteNumber",
    "creditNoteDate",
    "completedDate",
    "customerReport",
    "alternativeAccountCode",
    "salesPersonId",
    "logisticsCarrier",
    "logisticsStatus",
    "accountingAttributes",
    "modifiedCOGSDate",
    "isVoid",
    "lineItems",
];

const PURCHASE_ORDER_EXTRA: &[&str] = &[
    "stage",
    "status",
    "supplierInvoiceReference",
    "supplierAcceptanceDate",
    "port",
    "estimatedArrivalDate",
    "fullyReceivedDate",
    "invoiceDate",
    "isVoid",
    "lineItems",
];

const TRANSFER_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "createdBy",
    "processedBy",
    "isApproved",
    "reference",
    "sourceBranchId",
    "destinationBranchId",
    "approvalDate",
    "dispatchedDate",
    "receivedDate",
    "stage",
    "firstName",
    "lastName",
    "company",
    "email",
    "phone",
    "trackingCode",
    "logisticsCarrier",
    "internalComments",
    "lineItems",
];

const ADJUSTMENT_FIELDS: &[&str] = &[
    "id",
    "createdDate",
    "modifiedDate",
    "createdBy",
    "processedBy",
    "isApproved",
    "reference",
    "branchId",
    "completedDate",
    "adjustInAccountingSystem",
    "adjustmentReason",
    "alternativeAccountCode",
    "productTotal",
    "source",
    "lineItems",
];

const USER_FIELDS: &[&str] = &["id", "firstName", "lastName", "email", "isActive"];

fn concat(a: &'static [&'static str], b: &'static [&'static str]) -> Vec<&'static str> {
    a.iter().chain(b).copied().collect()
}

/// An account ready to be served: the records plus the lookups that rendering needs, so a
/// page renders in time proportional to its size, whatever the account's.
pub struct Wire {
    account: Account,
    options: HashMap<i64, (usize, usize)>,
    stock_totals: HashMap<(i64, Option<String>), Decimal>,
    branch_names: HashMap<i64, String>,
}

impl std::ops::Deref for Wire {
    type Target = Account;

    fn deref(&self) -> &Account {
        &self.account
    }
}

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
        let Some(order) = self.purchase_orders.iter_mut().find(|p| p.id == id) else {
            return false;
        };
        if !order.is_approved || order.is_void || order.fully_received.is_some() {
            return false;
        }
        let mut moves = Vec::new();
        for line in &mut order.lines {
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
        order.fully_received = Some(at);
        order.stage = "Received".to_owned();
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

    /// The product and option of an option id (a scan; [`Wire`] has the indexed lookup).
    pub fn option(&self, option_id: i64) -> Option<(&ProductRecord, &OptionRecord)> {
        self.products
            .iter()
            .find_map(|p| p.options.iter().find(|o| o.id == option_id).map(|o| (p, o)))
    }
}

/// A line's quantities per size (the size name of a sized line, or its hidden size).
pub(crate) fn line_parts(line: &LineRecord) -> Vec<(Option<String>, Decimal)> {
    if line.sizes.is_empty() {
        vec![(line.hidden_size.clone(), line.qty)]
    } else {
        line.sizes
            .iter()
            .map(|(s, q)| (Some(s.clone()), *q))
            .collect()
    }
}

impl Wire {
    pub fn new(account: Account) -> Self {
        let mut options = HashMap::new();
        for (p, product) in account.products.iter().enumerate() {
            for (o, option) in product.options.iter().enumerate() {
                options.entry(option.id).or_insert((p, o));
            }
        }
        let mut stock_totals: HashMap<(i64, Option<String>), Decimal> = HashMap::new();
        for row in &account.stock {
            *stock_totals
                .entry((row.product_option_id, row.size.clone()))
                .or_default() += row.on_hand;
        }
        let branch_names = account
            .branches
            .iter()
            .map(|b| (b.id, b.name.clone()))
            .collect();
        Self {
            account,
            options,
            stock_totals,
            branch_names,
        }
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The documented top-level fields of a resource, in Cin7's order.
    pub fn field_names(resource: crate::cin7::Resource) -> Vec<&'static str> {
        use crate::cin7::Resource as R;
        match resource {
            R::Branches => BRANCH_FIELDS.to_vec(),
            R::Contacts => CONTACT_FIELDS.to_vec(),
            R::Products => PRODUCT_FIELDS.to_vec(),
            R::ProductOptions => OPTION_FIELDS.to_vec(),
            R::SizeRanges => SIZE_RANGE_FIELDS.to_vec(),
            R::Stock => STOCK_FIELDS.to_vec(),
            R::SalesOrders => concat(TRANSACTION_FIELDS, SALES_ORDER_EXTRA),
            R::CreditNotes => concat(TRANSACTION_FIELDS, CREDIT_NOTE_EXTRA),
            R::PurchaseOrders => concat(TRANSACTION_FIELDS, PURCHASE_ORDER_EXTRA),
            R::BranchTransfers => TRANSFER_FIELDS.to_vec(),
            R::Adjustments => ADJUSTMENT_FIELDS.to_vec(),
            R::Users => USER_FIELDS.to_vec(),
        }
    }

    /// Every row of a resource, in storage order.
    pub fn rows(&self, resource: crate::cin7::Resource) -> Vec<Row> {
        use crate::cin7::Resource as R;
        match resource {
            R::Branches => (0..self.branches.len()).map(Row::Branch).collect(),
            R::Products => (0..self.products.len()).map(Row::Product).collect(),
            R::ProductOptions => (0..self.products.len())
                .flat_map(|p| self.option_rows(p))
                .collect(),
            R::SizeRanges => (0..self.products.len())
                .filter(|&p| {
                    let id = self.products[p].size_range_id;
                    id != 0 && self.products.iter().position(|q| q.size_range_id == id) == Some(p)
                })
                .map(Row::SizeRange)
                .collect(),
            R::Stock => (0..self.stock.len()).map(Row::Stock).collect(),
            R::SalesOrders => (0..self.sales_orders.len()).map(Row::SalesOrder).collect(),
            R::CreditNotes => (0..self.credit_notes.len()).map(Row::CreditNote).collect(),
            R::PurchaseOrders => (0..self.purchase_orders.len())
                .map(Row::PurchaseOrder)
                .collect(),
            R::BranchTransfers => (0..self.transfers.len()).map(Row::Transfer).collect(),
            R::Adjustments => (0..self.adjustments.len()).map(Row::Adjustment).collect(),
            R::Contacts => (0..self.contacts.len()).map(Row::Contact).collect(),
            R::Users => (0..self.users.len()).map(Row::User).collect(),
        }
    }

    /// The option rows of one product: one per option, or per option and size.
    fn option_rows(&self, p: usize) -> Vec<Row> {
        let product = &self.products[p];
        (0..product.options.len())
            .flat_map(|o| {
                if product.sizes.is_empty() {
                    vec![Row::ProductOption(p, o, None)]
                } else {
                    (0..product.sizes.len())
                        .map(|s| Row::ProductOption(p, o, Some(s)))
                        .collect()
                }
            })
            .collect()
    }

    /// The whole record of a row, with every documented field.
    pub fn render(&self, resource: crate::cin7::Resource, row: Row) -> Map<String, Value> {
        Self::field_names(resource)
            .into_iter()
            .map(|name| (name.to_owned(), self.field(row, name)))
            .collect()
    }

    /// One top-level field of a row, by its canonical name.
    pub fn field(&self, row: Row, name: &str) -> Value {
        match row {
            Row::Branch(i) => self.branch_field(&self.branches[i], name),
            Row::Product(i) => self.product_field(i, name),
            Row::ProductOption(p, o, s) => self.option_field(p, o, s, name),
            Row::SizeRange(p) => {
                let product = &self.products[p];
                match name {
                    "id" => json!(product.size_range_id),
                    "sizeRangeName" => json!(format!("{} sizes", product.name)),
                    "sizes" => json!(product.sizes),
                    _ => Value::Null,
                }
            }
            Row::Stock(i) => self.stock_field(&self.stock[i], name),
            Row::SalesOrder(i) => self.sales_order_field(&self.sales_orders[i], name),
            Row::CreditNote(i) => self.credit_note_field(&self.credit_notes[i], name),
            Row::PurchaseOrder(i) => self.purchase_order_field(&self.purchase_orders[i], name),
            Row::Transfer(i) => self.transfer_field(&self.transfers[i], name),
            Row::Adjustment(i) => self.adjustment_field(&self.adjustments[i], name),
            Row::Contact(i) => {
                let c = &self.contacts[i];
                match name {
                    "id" => json!(c.id),
                    "createdDate" | "modifiedDate" => date(c.modified),
                    "isActive" => json!(true),
                    "type" => text(&c.contact_type),
                    "company" => text(&c.company),
                    "customFields" | "accountingIntegrationId" => json!({}),
                    "secondaryContacts" => json!([]),
                    _ => Value::Null,
                }
            }
            Row::User(i) => {
                let u = &self.users[i];
                match name {
                    "id" => json!(u.id),
                    "firstName" => text(&u.first_name),
                    "lastName" => text(&u.last_name),
                    "email" => text(&u.email),
                    "isActive" => json!(true),
                    _ => Value::Null,
                }
            }
        }
    }

    /// The product and option of an option id.
    pub fn option(&self, option_id: i64) -> Option<(&ProductRecord, &OptionRecord)> {
        let &(p, o) = self.options.get(&option_id)?;
        let product = &self.products[p];
        Some((product, &product.options[o]))
    }

    fn branch_field(&self, b: &BranchRecord, name: &str) -> Value {
        match name {
            "id" => json!(b.id),
            "createdDate" | "modifiedDate" => date(b.modified),
            "isActive" => json!(b.is_active),
            "company" => text(&b.name),
            "customFields" => json!({}),
            "secondaryContacts" | "branchLocations" => json!([]),
            "branchType" => text(&b.branch_type),
            "taxStatus" => text("Incl"),
            _ => Value::Null,
        }
    }

    fn product_field(&self, index: usize, name: &str) -> Value {
        let p = &self.products[index];
        match name {
            "id" => json!(p.id),
            "status" => text(&p.status),
            "createdDate" | "modifiedDate" => date(p.modified),
            "styleCode" => text(&p.style_code),
            "name" => text(&p.name),
            "images" | "categoryIdArray" => json!([]),
            "supplierId" => json!(p.supplier_id),
            "brand" => opt_text(&p.brand),
            "category" => opt_text(&p.category),
            "weight" | "height" | "width" | "length" | "volume" => json!(0.0),
            "stockControl" => text("FIFO"),
            "orderType" => text("Order"),
            "optionLabel1" => text("Colour"),
            "optionLabel2" if !p.sizes.is_empty() => text("Size"),
            "sizeRangeId" => json!(p.size_range_id),
            "customFields" => json!({}),
            "productOptions" => Value::Array(
                self.option_rows(index)
                    .into_iter()
                    .map(|row| {
                        Value::Object(self.render(crate::cin7::Resource::ProductOptions, row))
                    })
                    .collect(),
            ),
            _ => Value::Null,
        }
    }

    fn option_field(&self, p: usize, o: usize, s: Option<usize>, name: &str) -> Value {
        let product = &self.products[p];
        let option = &product.options[o];
        let size = s.map(|s| product.sizes[s].as_str());
        match name {
            "id" => json!(option.id),
            "createdDate" | "modifiedDate" => date(product.modified),
            "status" => text(&option.status),
            "productId" => json!(product.id),
            // The obsolete `code` is null on size rows in some accounts.
            "code" if size.is_none() => text(&option.code),
            "barcode" | "productOptionBarcode" => opt_text(&option.barcode),
            "productOptionCode" => text(&option.code),
            "productOptionSizeCode" => size
                .map(|s| json!(size_code(option, s)))
                .unwrap_or(Value::Null),
            "productOptionSizeBarcode" => size
                .zip(option.barcode.as_ref())
                .map(|(s, b)| json!(format!("{b}-{s}")))
                .unwrap_or(Value::Null),
            "option1" => opt_text(&option.option1),
            "option2" => opt_text(&option.option2),
            "optionWeight" | "vipPrice" | "specialPrice" => json!(0.0),
            "size" => size.map(text).unwrap_or(Value::Null),
            "sizeId" => json!(s.map(|s| s as i64 + 1).unwrap_or(0)),
            "retailPrice" => num(option.retail_price),
            "wholesalePrice" => num(option.retail_price / Decimal::TWO),
            "specialDays" => json!(0),
            "stockAvailable" | "stockOnHand" => num(self
                .stock_totals
                .get(&(option.id, size.map(str::to_owned)))
                .copied()
                .unwrap_or_default()),
            "uomOptions" => json!([]),
            "image" => json!({"link": null}),
            "priceColumns" => {
                json!({"costNZD": num(option.cost), "priceNZD": num(option.retail_price)})
            }
            _ => Value::Null,
        }
    }

    fn stock_field(&self, s: &StockRecord, name: &str) -> Value {
        let found = self.option(s.product_option_id);
        let option = found.map(|(_, o)| o);
        match name {
            "productId" => found.map(|(p, _)| json!(p.id)).unwrap_or(Value::Null),
            "productOptionId" => json!(s.product_option_id),
            "modifiedDate" => date(s.modified),
            "styleCode" => found
                .map(|(p, _)| text(&p.style_code))
                .unwrap_or(Value::Null),
            "code" => option.map(|o| text(&o.code)).unwrap_or(Value::Null),
            "barcode" => option.map(|o| opt_text(&o.barcode)).unwrap_or(Value::Null),
            "branchId" => json!(s.branch_id),
            "branchName" => self
                .branch_names
                .get(&s.branch_id)
                .map(|n| text(n))
                .unwrap_or(Value::Null),
            "productName" => found.map(|(p, _)| text(&p.name)).unwrap_or(Value::Null),
            "option1" => option.map(|o| opt_text(&o.option1)).unwrap_or(Value::Null),
            "option2" => option.map(|o| opt_text(&o.option2)).unwrap_or(Value::Null),
            "size" => opt_text(&s.size),
            "available" | "stockOnHand" => num(s.on_hand),
            "openSales" | "incoming" | "virtual" | "holding" => json!(0.0),
            _ => Value::Null,
        }
    }

    /// Fields every transaction-type document answers alike.
    fn transaction_field(
        &self,
        id: i64,
        reference: &str,
        branch_id: i64,
        lines: &[LineRecord],
        name: &str,
    ) -> Value {
        match name {
            "id" => json!(id),
            "createdBy" | "processedBy" => json!(1),
            "reference" => text(reference),
            "memberId" | "currencyId" => json!(1),
            "branchId" => json!(branch_id),
            "productTotal" | "total" => num(lines
                .iter()
                .filter(|l| l.parent_id == 0)
                .map(|l| l.qty * l.unit_price - l.discount)
                .sum()),
            "freightTotal" | "surcharge" | "discountTotal" => json!(0.0),
            "currencyCode" => text("NZD"),
            "currencyRate" => json!(1.0),
            "currencySymbol" => text("$"),
            "taxStatus" => text("Incl"),
            "taxRate" => json!(15.0),
            "source" => text("API"),
            "customFields" => json!({}),
            _ => Value::Null,
        }
    }

    fn sales_order_field(&self, o: &SalesOrderRecord, name: &str) -> Value {
        match name {
            "createdDate" => date(o.created),
            "modifiedDate" => date(o.modified),
            "isApproved" => json!(o.is_approved),
            "distributionBranchId" | "logisticsStatus" | "ediStatus" => json!(0),
            "status" => text(document_status(o.is_approved, o.is_void)),
            "stage" => text(&o.stage),
            "invoiceDate" => opt_date(o.invoiced),
            "invoiceNumber" => o.invoiced.map(|_| json!(o.id)).unwrap_or(Value::Null),
            "dispatchedDate" => opt_date(o.dispatched),
            "isVoid" => json!(o.is_void),
            "accountingAttributes" => json!({"importDate": null, "accountingImportStatus": null}),
            "lineItems" => self.lines_json(o.id, o.created, &o.lines, LineKind::Sales),
            "source" => text(&o.source),
            _ => self.transaction_field(o.id, &o.reference, o.branch_id, &o.lines, name),
        }
    }

    fn credit_note_field(&self, c: &CreditNoteRecord, name: &str) -> Value {
        match name {
            "createdDate" => date(c.created),
            "modifiedDate" => date(c.modified),
            "isApproved" => json!(true),
            "status" => text(document_status(true, c.is_void)),
            "salesReference" => text(&c.sales_reference),
            "creditNoteNumber" => json!(c.id),
            "creditNoteDate" => opt_date(c.credit_note_date),
            "completedDate" => opt_date(c.completed),
            "logisticsStatus" => json!(0),
            "isVoid" => json!(c.is_void),
            "accountingAttributes" => json!({"importDate": null, "accountingImportStatus": null}),
            "lineItems" => self.lines_json(c.id, c.created, &c.lines, LineKind::Credit),
            _ => self.transaction_field(c.id, &c.reference, c.branch_id, &c.lines, name),
        }
    }

    fn purchase_order_field(&self, po: &PurchaseOrderRecord, name: &str) -> Value {
        match name {
            "createdDate" => date(po.created),
            "modifiedDate" => date(po.modified),
            "isApproved" => json!(po.is_approved),
            "memberId" => json!(po.supplier_id),
            "stage" => text(&po.stage),
            "status" => text(document_status(po.is_approved, po.is_void)),
            "fullyReceivedDate" => opt_date(po.fully_received),
            "isVoid" => json!(po.is_void),
            "lineItems" => self.lines_json(po.id, po.created, &po.lines, LineKind::Purchase),
            _ => self.transaction_field(po.id, &po.reference, po.branch_id, &po.lines, name),
        }
    }

    fn transfer_field(&self, t: &TransferRecord, name: &str) -> Value {
        match name {
            "id" => json!(t.id),
            "createdDate" => date(t.created),
            "modifiedDate" => date(t.modified),
            "createdBy" | "processedBy" => json!(1),
            "isApproved" => json!(t.is_approved),
            "reference" => text(&t.reference),
            "sourceBranchId" => json!(t.source_branch_id),
            "destinationBranchId" => json!(t.destination_branch_id),
            "approvalDate" => {
                if t.is_approved {
                    date(t.created)
                } else {
                    Value::Null
                }
            }
            "dispatchedDate" => opt_date(t.dispatched),
            "receivedDate" => opt_date(t.received),
            "stage" => text(match (t.dispatched, t.received) {
                (_, Some(_)) => "Received",
                (Some(_), None) => "In Transit",
                (None, None) => "New",
            }),
            "lineItems" => self.lines_json(t.id, t.created, &t.lines, LineKind::Transfer),
            _ => Value::Null,
        }
    }

    fn adjustment_field(&self, a: &AdjustmentRecord, name: &str) -> Value {
        match name {
            "id" => json!(a.id),
            "createdDate" => date(a.created),
            "modifiedDate" => date(a.modified),
            "createdBy" | "processedBy" => json!(1),
            "isApproved" => json!(a.is_approved),
            "reference" => text(&a.reference),
            "branchId" => json!(a.branch_id),
            "completedDate" => opt_date(a.completed),
            "adjustmentReason" => text(&a.reason),
            "productTotal" => num(a.lines.iter().map(|l| l.qty * l.unit_price).sum()),
            "source" => text("Stocktake"),
            "lineItems" => self.lines_json(a.id, a.created, &a.lines, LineKind::Adjustment),
            _ => Value::Null,
        }
    }

    fn lines_json(
        &self,
        document_id: i64,
        created: DateTime<Utc>,
        lines: &[LineRecord],
        kind: LineKind,
    ) -> Value {
        Value::Array(
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| Value::Object(self.line_json(document_id, created, l, i, kind)))
                .collect(),
        )
    }

    /// The fields every kind of line has: ids, the option's names, the quantity.
    fn line_identity(
        &self,
        document_id: i64,
        created: DateTime<Utc>,
        l: &LineRecord,
        index: usize,
    ) -> Map<String, Value> {
        let found = self.option(l.product_option_id);
        let option = found.map(|(_, o)| o);
        let mut line = Map::new();
        let mut put = |k: &str, v: Value| {
            line.insert(k.to_owned(), v);
        };
        put("id", json!(l.id));
        put("createdDate", date(created));
        put("transactionId", json!(document_id));
        put("parentId", json!(l.parent_id));
        put("productId", json!(found.map(|(p, _)| p.id).unwrap_or(0)));
        put("productOptionId", json!(l.product_option_id));
        put("integrationRef", Value::Null);
        put("sort", json!(index + 1));
        put("code", option.map(|o| text(&o.code)).unwrap_or(Value::Null));
        put(
            "name",
            found
                .map(|(p, _)| text(&p.name))
                .unwrap_or_else(|| text("Freight")),
        );
        put(
            "option1",
            option.map(|o| opt_text(&o.option1)).unwrap_or(Value::Null),
        );
        put(
            "option2",
            option.map(|o| opt_text(&o.option2)).unwrap_or(Value::Null),
        );
        put("option3", Value::Null);
        put("qty", num(l.qty));
        line
    }

    fn line_json(
        &self,
        document_id: i64,
        created: DateTime<Utc>,
        l: &LineRecord,
        index: usize,
        kind: LineKind,
    ) -> Map<String, Value> {
        let found = self.option(l.product_option_id);
        let option = found.map(|(_, o)| o);
        let mut line = self.line_identity(document_id, created, l, index);
        let mut put = |k: &str, v: Value| {
            line.insert(k.to_owned(), v);
        };
        let unit_cost = option.map(|o| num(o.cost)).unwrap_or(Value::Null);
        if kind == LineKind::Adjustment {
            // Adjustment lines carry no size information at all.
            put("qtyAdjusted", num(l.qty));
            put("holdingQty", json!(0.0));
            put("account", Value::Null);
            put("unitCost", unit_cost);
            return line;
        }

        put(
            "styleCode",
            found
                .map(|(p, _)| text(&p.style_code))
                .unwrap_or(Value::Null),
        );
        put(
            "barcode",
            option.map(|o| opt_text(&o.barcode)).unwrap_or(Value::Null),
        );
        put("supplierCode", Value::Null);
        let sizes: Vec<Value> = l
            .sizes
            .iter()
            .map(|(name, qty)| {
                json!({"name": name, "code": option.map(|o| size_code(o, name)), "barcode": null, "quantity": num(*qty)})
            })
            .collect();
        if kind == LineKind::Transfer {
            put("qtyTransferred", num(l.qty_shipped));
            put("unitCost", unit_cost);
            put("sizes", Value::Array(sizes));
            return line;
        }
        let size_codes = (!l.sizes.is_empty()).then(|| {
            l.sizes
                .iter()
                .map(|(name, qty)| {
                    let code = option.map(|o| size_code(o, name)).unwrap_or_default();
                    format!("{}|{name}|{code}|", qty.normalize())
                })
                .collect::<Vec<_>>()
                .join(";")
        });
        put(
            "sizeCodes",
            size_codes.map(Value::String).unwrap_or(Value::Null),
        );
        put("sizes", Value::Array(sizes));
        put("lineComments", Value::Null);
        put("unitCost", unit_cost);
        put("unitPrice", num(l.unit_price));
        put("discount", num(l.discount));
        put("qtyShipped", num(l.qty_shipped));
        put("holdingQty", json!(0.0));
        put("accountCode", Value::Null);
        if kind == LineKind::Sales {
            put("uomPrice", num(l.unit_price));
            put("uomQtyOrdered", num(l.qty));
            put("uomQtyShipped", num(l.qty_shipped));
            put("uomSize", json!(1.0));
            put("stockControl", text("FIFO"));
            put("stockMovements", stock_movements(l));
            put("taxRate", json!(15.0));
        }
        line
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Sales,
    Credit,
    Purchase,
    Transfer,
    Adjustment,
}

fn document_status(approved: bool, void: bool) -> &'static str {
    match (approved, void) {
        (_, true) => "Void",
        (true, false) => "Approved",
        (false, false) => "Draft",
    }
}

/// What a sales line dispatched: per size (the size name in `batch`) or in one movement.
fn stock_movements(l: &LineRecord) -> Value {
    if l.qty_shipped.is_zero() {
        return json!([]);
    }
    if l.sizes.is_empty() {
        return json!([{"quantity": num(l.qty_shipped), "batch": null, "serial": null}]);
    }
    Value::Array(
        l.sizes
            .iter()
            .map(|(s, q)| json!({"quantity": num(*q), "batch": s, "serial": null}))
            .collect(),
    )
}
