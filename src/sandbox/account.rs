//! A Cin7 account as the sandbox holds it: typed records that render to the exact JSON Cin7
//! sends (camelCase keys, every documented field, explicit nulls, enums as strings, UTC dates).

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

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

#[derive(Clone, Debug)]
pub struct StockRecord {
    pub product_option_id: i64,
    pub size: Option<String>,
    pub branch_id: i64,
    pub on_hand: Decimal,
    pub modified: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct SalesOrderRecord {
    pub id: i64,
    pub reference: String,
    pub branch_id: i64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub invoiced: Option<DateTime<Utc>>,
    pub dispatched: Option<DateTime<Utc>>,
    pub is_approved: bool,
    pub is_void: bool,
    pub stage: String,
    pub lines: Vec<SalesLineRecord>,
}

#[derive(Clone, Debug)]
pub struct SalesLineRecord {
    pub id: i64,
    pub parent_id: i64,
    pub product_option_id: i64,
    pub qty: Decimal,
    pub unit_price: Decimal,
    pub discount: Decimal,
    pub qty_shipped: Decimal,
    /// Per-size quantities of a sized line, in size order.
    pub sizes: Vec<(String, Decimal)>,
}

/// Everything one sandbox account holds.
#[derive(Clone, Debug, Default)]
pub struct Account {
    pub branches: Vec<BranchRecord>,
    pub products: Vec<ProductRecord>,
    pub stock: Vec<StockRecord>,
    pub sales_orders: Vec<SalesOrderRecord>,
}

pub fn date(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn opt_date(t: Option<DateTime<Utc>>) -> Value {
    t.map(date).unwrap_or(Value::Null)
}

fn num(d: Decimal) -> Value {
    // Cin7 sends quantities and prices as JSON numbers; every sandbox value has few digits.
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn size_code(option: &OptionRecord, size: &str) -> String {
    format!("{}-{size}", option.code)
}

impl Account {
    fn option(&self, option_id: i64) -> Option<(&ProductRecord, &OptionRecord)> {
        self.products
            .iter()
            .find_map(|p| p.options.iter().find(|o| o.id == option_id).map(|o| (p, o)))
    }

    pub fn branch_json(&self, b: &BranchRecord) -> Value {
        json!({
            "id": b.id, "createdDate": date(b.modified), "modifiedDate": date(b.modified),
            "isActive": b.is_active, "company": b.name, "firstName": null, "lastName": null,
            "jobTitle": null, "email": null, "website": null, "phone": null, "fax": null, "mobile": null,
            "address1": null, "address2": null, "city": null, "state": null, "postCode": null,
            "country": null, "postalAddress1": null, "postalAddress2": null, "postalCity": null,
            "postalPostCode": null, "postalState": null, "postalCountry": null, "notes": null,
            "integrationRef": null, "customFields": {}, "secondaryContacts": [],
            "branchType": b.branch_type, "stockControlOptions": null, "taxStatus": "Incl",
            "accountNumber": null, "branchLocations": []
        })
    }

    /// A product with its option rows embedded: one row per option, or per option and size.
    pub fn product_json(&self, p: &ProductRecord) -> Value {
        let rows: Vec<Value> = p
            .options
            .iter()
            .flat_map(|o| self.option_rows(p, o))
            .collect();
        json!({
            "id": p.id, "status": p.status, "createdDate": date(p.modified), "modifiedDate": date(p.modified),
            "styleCode": p.style_code, "name": p.name, "description": null, "tags": null,
            "images": [], "pdfUpload": null, "pdfDescription": null, "supplierId": 0,
            "brand": p.brand, "category": p.category, "subCategory": null, "channels": null,
            "categoryIdArray": [], "weight": 0.0, "height": 0.0, "width": 0.0, "length": 0.0,
            "volume": 0.0, "stockControl": "FIFO", "orderType": "Order", "productType": null,
            "productSubtype": null, "projectName": null, "optionLabel1": "Colour",
            "optionLabel2": null, "optionLabel3": null, "salesAccount": null,
            "purchasesAccount": null, "importCustomsDuty": null, "sizeRangeId": p.size_range_id,
            "customFields": {}, "productOptions": rows
        })
    }

    fn option_rows(&self, p: &ProductRecord, o: &OptionRecord) -> Vec<Value> {
        let row = |size: Option<&str>, size_id: i64| {
            json!({
                "id": o.id, "createdDate": date(p.modified), "modifiedDate": date(p.modified),
                "status": o.status, "productId": p.id,
                // The obsolete `code` is null on size rows in some accounts.
                "code": if size.is_some() { Value::Null } else { Value::String(o.code.clone()) },
                "barcode": o.barcode, "productOptionCode": o.code,
                "productOptionSizeCode": size.map(|s| size_code(o, s)),
                "productOptionBarcode": o.barcode, "productOptionSizeBarcode": null,
                "supplierCode": null, "option1": o.option1, "option2": o.option2, "option3": null,
                "optionWeight": 0.0, "size": size, "sizeId": size_id,
                "retailPrice": num(o.retail_price), "wholesalePrice": num(o.retail_price / Decimal::TWO),
                "vipPrice": 0.0, "specialPrice": 0.0, "specialsStartDate": null, "specialDays": 0,
                "stockAvailable": 0.0, "stockOnHand": 0.0, "uomOptions": [], "image": {"link": null},
                "priceColumns": {"costNZD": num(o.cost)}
            })
        };
        if p.sizes.is_empty() {
            vec![row(None, 0)]
        } else {
            p.sizes
                .iter()
                .enumerate()
                .map(|(i, s)| row(Some(s), i as i64 + 1))
                .collect()
        }
    }

    pub fn stock_json(&self, s: &StockRecord) -> Value {
        let (product, option) = match self.option(s.product_option_id) {
            Some((p, o)) => (Some(p), Some(o)),
            None => (None, None),
        };
        let branch = self.branches.iter().find(|b| b.id == s.branch_id);
        json!({
            "productId": product.map(|p| p.id), "productOptionId": s.product_option_id,
            "modifiedDate": date(s.modified), "styleCode": product.map(|p| p.style_code.clone()),
            "code": option.map(|o| o.code.clone()), "barcode": option.and_then(|o| o.barcode.clone()),
            "branchId": s.branch_id, "branchName": branch.map(|b| b.name.clone()),
            "productName": product.map(|p| p.name.clone()),
            "option1": option.and_then(|o| o.option1.clone()), "option2": option.and_then(|o| o.option2.clone()),
            "option3": null, "size": s.size, "available": num(s.on_hand), "stockOnHand": num(s.on_hand),
            "openSales": 0.0, "incoming": 0.0, "virtual": 0.0, "holding": 0.0
        })
    }

    pub fn sales_order_json(&self, o: &SalesOrderRecord) -> Value {
        let lines: Vec<Value> = o
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| self.sales_line_json(o, l, i))
            .collect();
        let total: Decimal = o
            .lines
            .iter()
            .filter(|l| l.parent_id == 0)
            .map(|l| l.qty * l.unit_price - l.discount)
            .sum();
        let status = if o.is_void {
            "Void"
        } else if o.is_approved {
            "Approved"
        } else {
            "Draft"
        };
        json!({
            "id": o.id, "createdDate": date(o.created), "modifiedDate": date(o.modified),
            "createdBy": 1, "processedBy": 1, "isApproved": o.is_approved, "reference": o.reference,
            "memberId": 0, "firstName": null, "lastName": null, "company": null, "email": null,
            "phone": null, "mobile": null, "fax": null, "memberEmail": null,
            "deliveryFirstName": null, "deliveryLastName": null, "deliveryCompany": null,
            "deliveryAddress1": null, "deliveryAddress2": null, "deliveryCity": null,
            "deliveryState": null, "deliveryPostalCode": null, "deliveryCountry": null,
            "billingFirstName": null, "billingLastName": null, "billingCompany": null,
            "billingAddress1": null, "billingAddress2": null, "billingCity": null,
            "billingState": null, "billingPostalCode": null, "billingCountry": null,
            "branchId": o.branch_id, "distributionBranchId": 0, "branchEmail": null,
            "projectName": null, "trackingCode": null, "internalComments": null,
            "customerOrderNo": null, "paymentTerms": null, "voucherCode": null,
            "deliveryInstructions": null, "costCenter": null, "memberCostCenter": null,
            "alternativeTaxRate": null, "memberAlternativeTaxRate": null,
            "productTotal": num(total), "freightTotal": 0.0, "surcharge": 0.0, "discountTotal": 0.0,
            "total": num(total), "freightDescription": null, "surchargeDescription": null,
            "discountDescription": null, "currencyId": 1, "currencyCode": "NZD",
            "currencySymbol": "$", "currencyRate": 1.0, "taxStatus": "Incl", "taxRate": 15.0,
            "source": "API", "customFields": {}, "status": status, "stage": o.stage,
            "invoiceDate": opt_date(o.invoiced), "invoiceNumber": o.invoiced.map(|_| o.id),
            "dispatchedDate": opt_date(o.dispatched), "estimatedDeliveryDate": null,
            "cancellationDate": null, "modifiedCOGSDate": null, "logisticsCarrier": null,
            "logisticsStatus": 0, "ediStatus": 0, "departmentNumber": null,
            "storeLocationNumber": null, "distributionCenter": null, "isVoid": o.is_void,
            "accountingAttributes": {"importDate": null, "accountingImportStatus": null},
            "lineItems": lines
        })
    }

    fn sales_line_json(
        &self,
        order: &SalesOrderRecord,
        l: &SalesLineRecord,
        index: usize,
    ) -> Value {
        let found = self.option(l.product_option_id);
        let option = found.map(|(_, o)| o);
        let sizes: Vec<Value> = l
            .sizes
            .iter()
            .map(|(name, qty)| {
                json!({"name": name, "code": option.map(|o| size_code(o, name)), "barcode": null, "quantity": num(*qty)})
            })
            .collect();
        let size_codes = (!l.sizes.is_empty()).then(|| {
            l.sizes
                .iter()
                .map(|(name, qty)| {
                    format!(
                        "{}|{name}|{}|",
                        qty.normalize(),
                        option.map(|o| size_code(o, name)).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(";")
        });
        json!({
            "id": l.id, "createdDate": date(order.created), "transactionId": order.id,
            "parentId": l.parent_id, "productId": found.map(|(p, _)| p.id).unwrap_or(0),
            "productOptionId": l.product_option_id, "integrationRef": null, "sort": index + 1,
            "code": option.map(|o| o.code.clone()), "name": found.map(|(p, _)| p.name.clone()),
            "option1": option.and_then(|o| o.option1.clone()), "option2": option.and_then(|o| o.option2.clone()),
            "option3": null, "qty": num(l.qty), "styleCode": found.map(|(p, _)| p.style_code.clone()),
            "barcode": option.and_then(|o| o.barcode.clone()), "supplierCode": null,
            "sizeCodes": size_codes, "sizes": sizes, "lineComments": null,
            "unitCost": option.map(|o| num(o.cost)), "unitPrice": num(l.unit_price),
            "uomPrice": num(l.unit_price), "uomQtyOrdered": num(l.qty), "uomQtyShipped": num(l.qty_shipped),
            "uomSize": 1.0, "discount": num(l.discount), "qtyShipped": num(l.qty_shipped),
            "holdingQty": 0.0, "accountCode": null, "stockControl": "FIFO",
            "stockMovements": [], "taxRate": 15.0
        })
    }
}
