//! The wire records the importer reads, as Cin7 sends them: camelCase keys, every field
//! optional (Cin7 sends explicit nulls and omits what `fields` leaves out), unknown fields
//! ignored. Only the fields the project uses are declared.

use super::lenient::{LenientBool, LenientDate, LenientDecimal, LenientInt, LenientText};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

/// `GET /v1/Branches`. The branch's name is its `company`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Branch {
    pub id: LenientInt,
    pub company: LenientText,
    pub branch_type: LenientText,
    pub is_active: LenientBool,
}

/// `GET /v1/Products`, with its options embedded (one element per size for size-grid products).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Product {
    pub id: LenientInt,
    pub name: LenientText,
    pub style_code: LenientText,
    pub status: LenientText,
    pub category: LenientText,
    pub sub_category: LenientText,
    pub brand: LenientText,
    /// Per unit; Cin7 sends 0 where none was entered.
    pub weight: LenientDecimal,
    pub volume: LenientDecimal,
    pub size_range_id: LenientInt,
    /// A contact of type Supplier.
    pub supplier_id: LenientInt,
    pub product_options: Option<Vec<ProductOption>>,
}

/// `GET /v1/Contacts` (suppliers): who a product is bought from.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    pub id: LenientInt,
    pub company: LenientText,
}

/// A product option row (per size for size-grid products: the `id` repeats across sizes).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProductOption {
    pub id: LenientInt,
    pub status: LenientText,
    pub code: LenientText,
    pub product_option_code: LenientText,
    pub product_option_size_code: LenientText,
    pub product_option_barcode: LenientText,
    pub product_option_size_barcode: LenientText,
    pub option1: LenientText,
    pub option2: LenientText,
    pub option3: LenientText,
    pub size: LenientText,
    /// The supplier's own code for the option.
    pub supplier_code: LenientText,
    /// The option's own weight; 0 where it takes the product's.
    pub option_weight: LenientDecimal,
    pub retail_price: LenientDecimal,
    /// Account-specific price columns, e.g. `{"priceNZD": 19.9, "costNZD": 6.1}`.
    pub price_columns: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ProductOption {
    /// The cost, where the account has a price column named `cost…` (e.g. `costNZD`).
    pub fn cost(&self) -> Option<Decimal> {
        let (_, value) = self.cost_column()?;
        serde_json::from_value::<LenientDecimal>(value.clone())
            .ok()
            .and_then(|cost| cost.0)
    }

    /// The currency the cost column names (`costNZD`: "NZD"), where it names a currency code.
    pub fn cost_currency(&self) -> Option<String> {
        let (name, _) = self.cost_column()?;
        let code = name.get(4..)?;
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| code.to_ascii_uppercase())
    }

    fn cost_column(&self) -> Option<(&String, &serde_json::Value)> {
        self.price_columns
            .as_ref()?
            .iter()
            .find(|(name, _)| name.to_ascii_lowercase().starts_with("cost"))
    }
}

/// `GET /v1/SalesOrders`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SalesOrder {
    pub id: LenientInt,
    /// The order number.
    pub reference: LenientText,
    /// The channel the order came from (e.g. "POS", "Shopify").
    pub source: LenientText,
    pub created_date: LenientDate,
    pub modified_date: LenientDate,
    pub invoice_date: LenientDate,
    pub dispatched_date: LenientDate,
    /// When the customer was promised the goods.
    pub estimated_delivery_date: LenientDate,
    pub is_approved: LenientBool,
    pub is_void: LenientBool,
    pub status: LenientText,
    pub branch_id: LenientInt,
    pub line_items: Option<Vec<DocumentLine>>,
}

/// `GET /v1/CreditNotes`: returns. Lines have the sales-line shape, with negative `qty`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreditNote {
    pub id: LenientInt,
    /// The channel, as on sales orders.
    pub source: LenientText,
    pub created_date: LenientDate,
    pub credit_note_date: LenientDate,
    pub completed_date: LenientDate,
    pub is_void: LenientBool,
    pub status: LenientText,
    pub branch_id: LenientInt,
    pub line_items: Option<Vec<DocumentLine>>,
}

impl CreditNote {
    /// The date a return counts on: credit-note date, else completed, else created.
    pub fn return_date(&self) -> Option<DateTime<Utc>> {
        self.credit_note_date
            .or(*self.completed_date)
            .or(*self.created_date)
    }

    pub fn counts(&self) -> bool {
        !is_void(*self.is_void, self.status.as_deref())
    }
}

/// `GET /v1/Stock`: current stock on hand of one option (and size) at one branch.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StockRow {
    pub product_option_id: LenientInt,
    pub size: LenientText,
    pub branch_id: LenientInt,
    pub stock_on_hand: LenientDecimal,
}

/// `GET /v1/PurchaseOrders`: stock in, when received (`qtyShipped` on its lines).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PurchaseOrder {
    pub id: LenientInt,
    /// The order number.
    pub reference: LenientText,
    /// The supplier (a contact).
    pub member_id: LenientInt,
    /// The supplier's company name.
    pub company: LenientText,
    /// The currency of the order's prices.
    pub currency_code: LenientText,
    pub created_date: LenientDate,
    pub modified_date: LenientDate,
    pub fully_received_date: LenientDate,
    pub estimated_delivery_date: LenientDate,
    pub estimated_arrival_date: LenientDate,
    pub is_approved: LenientBool,
    pub is_void: LenientBool,
    pub status: LenientText,
    pub branch_id: LenientInt,
    pub line_items: Option<Vec<DocumentLine>>,
}

/// `GET /v1/BranchTransfers`: stock out of one branch when dispatched, into another when received.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BranchTransfer {
    pub id: LenientInt,
    pub reference: LenientText,
    pub is_approved: LenientBool,
    pub dispatched_date: LenientDate,
    pub received_date: LenientDate,
    pub source_branch_id: LenientInt,
    pub destination_branch_id: LenientInt,
    pub line_items: Option<Vec<DocumentLine>>,
}

/// `GET /v1/Adjustments`: stocktake and write-off changes; lines carry no size.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Adjustment {
    pub id: LenientInt,
    pub created_date: LenientDate,
    pub completed_date: LenientDate,
    pub is_approved: LenientBool,
    pub branch_id: LenientInt,
    pub line_items: Option<Vec<DocumentLine>>,
}

/// `GET /v1/BomMasters`: a bill of materials, the kit as `product` with its `components`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BomMaster {
    pub id: LenientInt,
    pub modified_date: LenientDate,
    pub product: Option<BomPart>,
}

/// A kit or one of its components: an option and its quantity in the bill.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BomPart {
    pub product_option_id: LenientInt,
    pub code: LenientText,
    pub qty: LenientDecimal,
    pub components: Option<Vec<BomPart>>,
}

/// One line of a sales order: one per option; a sized option's split is in `sizes`/`sizeCodes`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DocumentLine {
    pub id: LenientInt,
    pub parent_id: LenientInt,
    pub product_option_id: LenientInt,
    pub qty: LenientDecimal,
    pub unit_price: LenientDecimal,
    /// What one unit cost the business (sales lines; transfers), where Cin7 knows it.
    pub unit_cost: LenientDecimal,
    pub discount: LenientDecimal,
    /// Dispatched (sales) or received (purchases) so far.
    pub qty_shipped: LenientDecimal,
    pub size_codes: LenientText,
    pub sizes: Option<Vec<LineSize>>,
}

/// An element of a line's `sizes[]`; older transcriptions name the fields `size` and `qty`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LineSize {
    #[serde(alias = "size")]
    pub name: LenientText,
    #[serde(alias = "qty")]
    pub quantity: LenientDecimal,
}

/// Parses `sizeCodes`: `Qty|Size|Code|Barcode` entries separated by `;`, `,` or line breaks.
/// Quantities keep their sign.
pub fn parse_size_codes(packed: &str) -> Vec<(String, Decimal)> {
    packed
        .split([';', ',', '\n', '\r'])
        .filter_map(|entry| {
            let mut parts = entry.split('|');
            let qty = super::lenient::parse_decimal(parts.next()?.trim()).ok()?;
            let size = parts.next()?.trim();
            (!size.is_empty()).then(|| (size.to_owned(), qty))
        })
        .collect()
}

/// A record with an id, whatever its resource, and its place in the order a walk reads it in.
pub trait Identified {
    fn id(&self) -> Option<i64>;

    /// Where the record sits in its walk's order (`order=id ASC` unless said otherwise).
    fn position(&self) -> Option<(i64, i64)> {
        self.id().map(|id| (id, 0))
    }

    /// Whether no two records of a walk share a position.
    const UNIQUE_POSITIONS: bool = true;
}

/// Whether every number of a record is inside [`crate::bounds`]: a record beyond them is
/// skipped and counted, never added up.
pub trait Bounded {
    fn within_bounds(&self) -> bool;
}

fn id_ok(id: Option<i64>) -> bool {
    id.is_none_or(crate::bounds::id_within)
}

fn lines_ok(lines: &Option<Vec<DocumentLine>>) -> bool {
    lines.iter().flatten().all(DocumentLine::within_bounds)
}

impl DocumentLine {
    /// A sized line's quantities per size, as the line gives them (signs included): from
    /// `sizes[]`, else from the packed `sizeCodes`.
    pub fn size_quantities(&self) -> Vec<(String, Decimal)> {
        let structured: Vec<(String, Decimal)> = self
            .sizes
            .iter()
            .flatten()
            .filter_map(|s| Some((s.name.as_deref()?.trim().to_owned(), (*s.quantity)?)))
            .collect();
        if !structured.is_empty() {
            return structured;
        }
        parse_size_codes(self.size_codes.as_deref().unwrap_or(""))
    }

    fn within_bounds(&self) -> bool {
        use crate::bounds::within_opt;
        [self.id, self.parent_id, self.product_option_id]
            .into_iter()
            .all(|id| id_ok(*id))
            && [
                self.qty,
                self.unit_price,
                self.unit_cost,
                self.discount,
                self.qty_shipped,
            ]
            .into_iter()
            .all(|value| within_opt(*value))
            && self
                .sizes
                .iter()
                .flatten()
                .all(|size| within_opt(*size.quantity))
            && parse_size_codes(self.size_codes.as_deref().unwrap_or(""))
                .iter()
                .all(|(_, qty)| crate::bounds::within(*qty))
    }
}

/// Documents: the id, the branches and every line.
macro_rules! bounded_document {
    ($($record:ty: $($branch:ident),*);*) => {$(
        impl Bounded for $record {
            fn within_bounds(&self) -> bool {
                id_ok(*self.id) $(&& id_ok(*self.$branch))* && lines_ok(&self.line_items)
            }
        }
    )*};
}

bounded_document!(
    SalesOrder: branch_id;
    CreditNote: branch_id;
    PurchaseOrder: branch_id, member_id;
    BranchTransfer: source_branch_id, destination_branch_id;
    Adjustment: branch_id
);

impl Bounded for Product {
    fn within_bounds(&self) -> bool {
        id_ok(*self.id)
            && id_ok(*self.supplier_id)
            && crate::bounds::within_opt(*self.weight)
            && crate::bounds::within_opt(*self.volume)
            && self.product_options.iter().flatten().all(|o| {
                id_ok(*o.id)
                    && crate::bounds::within_opt(*o.retail_price)
                    && crate::bounds::within_opt(*o.option_weight)
                    && crate::bounds::within_opt(o.cost())
            })
    }
}

impl Bounded for BomMaster {
    fn within_bounds(&self) -> bool {
        let part_ok =
            |p: &BomPart| id_ok(*p.product_option_id) && crate::bounds::within_opt(*p.qty);
        id_ok(*self.id)
            && self
                .product
                .iter()
                .all(|kit| part_ok(kit) && kit.components.iter().flatten().all(part_ok))
    }
}

impl Bounded for StockRow {
    fn within_bounds(&self) -> bool {
        id_ok(*self.product_option_id)
            && id_ok(*self.branch_id)
            && crate::bounds::within_opt(*self.stock_on_hand)
    }
}

impl Bounded for Branch {
    fn within_bounds(&self) -> bool {
        id_ok(*self.id)
    }
}

impl Bounded for Contact {
    fn within_bounds(&self) -> bool {
        id_ok(*self.id)
    }
}

macro_rules! identified {
    ($($record:ty),*) => {$(
        impl Identified for $record {
            fn id(&self) -> Option<i64> {
                *self.id
            }
        }
    )*};
}

identified!(
    Branch,
    Product,
    Contact,
    SalesOrder,
    CreditNote,
    PurchaseOrder,
    BranchTransfer,
    Adjustment,
    BomMaster
);

/// Stock rows have no id; they are read in option, branch and size order, and the sizes of an
/// option at a branch share a position.
impl Identified for StockRow {
    fn id(&self) -> Option<i64> {
        None
    }

    fn position(&self) -> Option<(i64, i64)> {
        Some(((*self.product_option_id)?, (*self.branch_id)?))
    }

    const UNIQUE_POSITIONS: bool = false;
}

impl SalesOrder {
    /// Approved and not void (`isVoid`, or `status` `Void` in any letter case).
    pub fn counts_as_sale(&self) -> bool {
        *self.is_approved == Some(true) && !is_void(*self.is_void, self.status.as_deref())
    }
}

/// The "not void" test docs/import-rules.md applies to every document.
pub fn is_void(is_void: Option<bool>, status: Option<&str>) -> bool {
    is_void == Some(true) || status.is_some_and(|s| s.trim().eq_ignore_ascii_case("void"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_sample_order() {
        let json = r#"{ "id": 48211, "createdDate": "2024-07-01T23:12:09Z", "isApproved": true,
          "status": "Approved", "branchId": 3, "isVoid": false, "invoiceDate": null, "unknownField": {"x": 1},
          "lineItems": [ { "id": 771002, "parentId": 0, "productOptionId": 9120, "qty": 3.0,
            "sizeCodes": "2|M|TEE-V-RED-M|9421900012019;1|L|TEE-V-RED-L|9421900012026",
            "sizes": [ { "name": "M", "quantity": 2.0 }, { "size": "L", "qty": 1 } ],
            "unitPrice": 36.6, "discount": 0.0 } ] }"#;
        let order: SalesOrder = serde_json::from_str(json).unwrap();
        assert!(order.counts_as_sale());
        assert_eq!(*order.invoice_date, None);
        let line = &order.line_items.as_ref().unwrap()[0];
        assert_eq!(*line.unit_price, Some(Decimal::new(366, 1)));
        let sizes = line.sizes.as_ref().unwrap();
        assert_eq!(sizes[1].name.as_deref(), Some("L"));
        assert_eq!(*sizes[1].quantity, Some(Decimal::ONE));
    }

    #[test]
    fn records_beyond_the_bounds_say_so() {
        let order = |line: &str| -> SalesOrder {
            serde_json::from_str(&format!(
                r#"{{"id": 1, "branchId": 2, "lineItems": [{line}]}}"#
            ))
            .unwrap()
        };
        assert!(order(r#"{"qty": 2, "unitPrice": 999999999999999}"#).within_bounds());
        assert!(!order(r#"{"qty": 1e15}"#).within_bounds());
        assert!(
            !order(r#"{"qty": 1, "sizes": [{"name": "M", "quantity": -1e20}]}"#).within_bounds()
        );
        assert!(!order(r#"{"qty": 1, "sizeCodes": "1e16|M|X|"}"#).within_bounds());
        assert!(!order(r#"{"productOptionId": 1e18}"#).within_bounds());
        let stock: StockRow = serde_json::from_str(r#"{"stockOnHand": 1e300}"#).unwrap();
        assert!(!stock.within_bounds());
    }

    #[test]
    fn size_codes_in_every_separator_keep_their_sign() {
        let expected = vec![
            ("M".to_owned(), Decimal::TWO),
            ("L".to_owned(), Decimal::ONE),
        ];
        assert_eq!(parse_size_codes("2|M|TEE-M|111;1|L|TEE-L|222"), expected);
        assert_eq!(parse_size_codes("2|M|TEE-M|111,1|L|TEE-L|"), expected);
        assert_eq!(
            parse_size_codes("2|M|TEE-M|111\r\n1|L|TEE-L|222\n"),
            expected
        );
        assert_eq!(
            parse_size_codes("-2|M|TEE-M|"),
            vec![("M".to_owned(), -Decimal::TWO)]
        );
        assert_eq!(parse_size_codes(""), vec![]);
        assert_eq!(parse_size_codes("x|M"), vec![]);
    }

    #[test]
    fn void_in_any_letter_case() {
        assert!(is_void(None, Some("VOID")));
        assert!(is_void(Some(true), Some("Approved")));
        assert!(!is_void(Some(false), Some("Approved")));
    }
}
