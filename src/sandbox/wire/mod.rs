//! How an account renders to the JSON Cin7 sends. A record answers one field at a time
//! ([`Wire::field`]) and a whole record is rendered from the same answers, so a `where`
//! filter, an `order` and the body always agree. Fields the sandbox does not model come back
//! as explicit `null`, as unset fields do in Cin7.

mod fields;

pub use fields::field_names;

use super::account::{
    Account, AdjustmentRecord, BomRecord, BranchRecord, CreditNoteRecord, LineRecord, OptionRecord,
    ProductRecord, PurchaseOrderRecord, Row, SalesOrderRecord, StockRecord, TransferRecord,
    size_code,
};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// An account ready to be served: the records plus the lookups that rendering needs, so a
/// page renders in time proportional to its size, whatever the account's.
pub struct Wire {
    account: Account,
    options: HashMap<i64, (usize, usize)>,
    stock_totals: HashMap<(i64, Option<String>), Decimal>,
    branch_names: HashMap<i64, String>,
    /// Contacts' company names by id: a purchase order names its supplier.
    supplier_names: HashMap<i64, String>,
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
        let supplier_names = account
            .contacts
            .iter()
            .map(|c| (c.id, c.company.clone()))
            .collect();
        Self {
            account,
            options,
            stock_totals,
            branch_names,
            supplier_names,
        }
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Every row of a resource, in storage order.
    pub fn rows(&self, resource: crate::cin7::Resource) -> Vec<Row> {
        use crate::cin7::Resource as R;
        match resource {
            R::Branches => (0..self.account.branches.len()).map(Row::Branch).collect(),
            R::Products => (0..self.account.products.len()).map(Row::Product).collect(),
            R::ProductOptions => (0..self.account.products.len())
                .flat_map(|p| self.option_rows(p))
                .collect(),
            R::SizeRanges => (0..self.account.products.len())
                .filter(|&p| {
                    let id = self.account.products[p].size_range_id;
                    id != 0
                        && self
                            .account
                            .products
                            .iter()
                            .position(|q| q.size_range_id == id)
                            == Some(p)
                })
                .map(Row::SizeRange)
                .collect(),
            R::Stock => (0..self.account.stock.len()).map(Row::Stock).collect(),
            R::SalesOrders => (0..self.account.sales_orders.len())
                .map(Row::SalesOrder)
                .collect(),
            R::CreditNotes => (0..self.account.credit_notes.len())
                .map(Row::CreditNote)
                .collect(),
            R::PurchaseOrders => (0..self.account.purchase_orders.len())
                .map(Row::PurchaseOrder)
                .collect(),
            R::BranchTransfers => (0..self.account.transfers.len())
                .map(Row::Transfer)
                .collect(),
            R::Adjustments => (0..self.account.adjustments.len())
                .map(Row::Adjustment)
                .collect(),
            R::Contacts => (0..self.account.contacts.len()).map(Row::Contact).collect(),
            R::Users => (0..self.account.users.len()).map(Row::User).collect(),
            R::BomMasters => (0..self.account.boms.len()).map(Row::Bom).collect(),
        }
    }

    /// The option rows of one product: one per option, or per option and size.
    fn option_rows(&self, p: usize) -> Vec<Row> {
        let product = &self.account.products[p];
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
        field_names(resource)
            .into_iter()
            .map(|name| (name.to_owned(), self.field(row, name)))
            .collect()
    }

    /// One top-level field of a row, by its canonical name.
    pub fn field(&self, row: Row, name: &str) -> Value {
        match row {
            Row::Branch(i) => Self::branch_field(&self.account.branches[i], name),
            Row::Product(i) => self.product_field(i, name),
            Row::ProductOption(p, o, s) => self.option_field(p, o, s, name),
            Row::SizeRange(p) => {
                let product = &self.account.products[p];
                match name {
                    "id" => json!(product.size_range_id),
                    "sizeRangeName" => json!(format!("{} sizes", product.name)),
                    "sizes" => json!(product.sizes),
                    _ => Value::Null,
                }
            }
            Row::Stock(i) => self.stock_field(&self.account.stock[i], name),
            Row::SalesOrder(i) => self.sales_order_field(&self.account.sales_orders[i], name),
            Row::CreditNote(i) => self.credit_note_field(&self.account.credit_notes[i], name),
            Row::PurchaseOrder(i) => {
                self.purchase_order_field(&self.account.purchase_orders[i], name)
            }
            Row::Transfer(i) => self.transfer_field(&self.account.transfers[i], name),
            Row::Adjustment(i) => self.adjustment_field(&self.account.adjustments[i], name),
            Row::Contact(i) => {
                let c = &self.account.contacts[i];
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
                let u = &self.account.users[i];
                match name {
                    "id" => json!(u.id),
                    "firstName" => text(&u.first_name),
                    "lastName" => text(&u.last_name),
                    "email" => text(&u.email),
                    "isActive" => json!(true),
                    _ => Value::Null,
                }
            }
            Row::Bom(i) => self.bom_field(&self.account.boms[i], name),
        }
    }

    /// The product and option of an option id.
    fn option(&self, option_id: i64) -> Option<(&ProductRecord, &OptionRecord)> {
        let &(p, o) = self.options.get(&option_id)?;
        let product = &self.account.products[p];
        Some((product, &product.options[o]))
    }

    /// A bill of materials as `GET /v1/BomMasters` gives it: the kit as `product`, with its
    /// `components`, each named as its option is.
    fn bom_field(&self, b: &BomRecord, name: &str) -> Value {
        match name {
            "id" => json!(b.id),
            "createdDate" | "modifiedDate" => date(b.modified),
            "createdBy" | "modifiedBy" => json!(1),
            "reference" => text(&b.reference),
            "product" => {
                let mut kit = self.bom_part(b.id, b.product_id, b.option_id, b.qty, "Make", 0);
                let components = b.components.iter().enumerate().map(|(i, c)| {
                    Value::Object(self.bom_part(b.id, c.product_id, c.option_id, c.qty, "Use", i))
                });
                kit.insert("components".into(), Value::Array(components.collect()));
                Value::Object(kit)
            }
            _ => Value::Null,
        }
    }

    /// A kit or one of its components, in Cin7's shape for both.
    fn bom_part(
        &self,
        bom: i64,
        product: i64,
        option: i64,
        qty: Decimal,
        kind: &str,
        sort: usize,
    ) -> Map<String, Value> {
        let found = self.option(option).map(|(_, o)| o);
        let mut part = Map::new();
        let mut put = |k: &str, v: Value| {
            part.insert(k.to_owned(), v);
        };
        put("id", json!(bom * 100 + sort as i64));
        put("bomId", json!(bom));
        put("productId", json!(product));
        put("productOptionId", json!(option));
        put("type", text(kind));
        put("sort", json!(sort));
        put("code", found.map_or(Value::Null, |o| text(&o.code)));
        put("name", found.map_or(Value::Null, |o| opt_text(&o.option1)));
        put(
            "option1",
            found.map_or(Value::Null, |o| opt_text(&o.option1)),
        );
        put(
            "option2",
            found.map_or(Value::Null, |o| opt_text(&o.option2)),
        );
        put("option3", Value::Null);
        put("notes", Value::Null);
        put("qty", num(qty));
        put("unitCost", found.map_or(Value::Null, |o| num(o.cost)));
        part
    }

    fn branch_field(b: &BranchRecord, name: &str) -> Value {
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
        let p = &self.account.products[index];
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
            "subCategory" => opt_text(&p.sub_category),
            "weight" => num(p.weight),
            "volume" => num(p.volume),
            "height" | "width" | "length" => json!(0.0),
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
        let product = &self.account.products[p];
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
            "supplierCode" => opt_text(&option.supplier_code),
            "optionWeight" => num(option.weight),
            "vipPrice" | "specialPrice" => json!(0.0),
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
        id: i64,
        reference: &str,
        branch_id: i64,
        lines: &[LineRecord],
        name: &str,
    ) -> Value {
        match name {
            "id" => json!(id),
            "createdBy" | "processedBy" | "memberId" | "currencyId" => json!(1),
            "reference" => text(reference),
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
            "estimatedDeliveryDate" => opt_date(o.estimated_delivery),
            "isVoid" => json!(o.is_void),
            "accountingAttributes" => json!({"importDate": null, "accountingImportStatus": null}),
            "lineItems" => self.lines_json(o.id, o.created, &o.lines, LineKind::Sales),
            "source" => text(&o.source),
            _ => Self::transaction_field(o.id, &o.reference, o.branch_id, &o.lines, name),
        }
    }

    fn credit_note_field(&self, c: &CreditNoteRecord, name: &str) -> Value {
        match name {
            "createdDate" => date(c.created),
            "modifiedDate" => date(c.modified),
            "isApproved" => json!(true),
            "status" => text(document_status(true, c.is_void)),
            "salesReference" => text(&c.sales_reference),
            "source" => text(&c.source),
            "creditNoteNumber" => json!(c.id),
            "creditNoteDate" => opt_date(c.credit_note_date),
            "completedDate" => opt_date(c.completed),
            "logisticsStatus" => json!(0),
            "isVoid" => json!(c.is_void),
            "accountingAttributes" => json!({"importDate": null, "accountingImportStatus": null}),
            "lineItems" => self.lines_json(c.id, c.created, &c.lines, LineKind::Credit),
            _ => Self::transaction_field(c.id, &c.reference, c.branch_id, &c.lines, name),
        }
    }

    fn purchase_order_field(&self, po: &PurchaseOrderRecord, name: &str) -> Value {
        match name {
            "createdDate" => date(po.created),
            "modifiedDate" => date(po.modified),
            "isApproved" => json!(po.is_approved),
            "memberId" => json!(po.supplier_id),
            "company" => self
                .supplier_names
                .get(&po.supplier_id)
                .map_or(Value::Null, |name| text(name)),
            "currencyCode" => text(&po.currency_code),
            "estimatedDeliveryDate" => opt_date(po.estimated_delivery),
            "estimatedArrivalDate" => opt_date(po.estimated_arrival),
            "stage" => text(&po.stage),
            "status" => text(document_status(po.is_approved, po.is_void)),
            "fullyReceivedDate" => opt_date(po.fully_received),
            "isVoid" => json!(po.is_void),
            "lineItems" => self.lines_json(po.id, po.created, &po.lines, LineKind::Purchase),
            _ => Self::transaction_field(po.id, &po.reference, po.branch_id, &po.lines, name),
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
        let unit_cost = l.unit_cost.map(num).unwrap_or(Value::Null);
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
        put(
            "supplierCode",
            option
                .map(|o| opt_text(&o.supplier_code))
                .unwrap_or(Value::Null),
        );
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

fn date(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn opt_date(t: Option<DateTime<Utc>>) -> Value {
    t.map(date).unwrap_or(Value::Null)
}

/// A decimal as the JSON number Cin7 sends (every sandbox value has few digits).
fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn opt_text(s: &Option<String>) -> Value {
    s.as_ref().map(|s| text(s)).unwrap_or(Value::Null)
}
