//! Sales orders and credit notes → normalized sale lines (docs/import-rules.md, "Sales history").

use super::mapping::Catalogue;
use crate::cin7::model::{CreditNote, SalesOrder, SalesOrderLine};
use crate::project::{DataWarnings, ImportSettings, SaleDate};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// One item's part of one order line, placed at a location and an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleLine {
    pub order_id: i64,
    pub item: usize,
    pub location: usize,
    pub at: DateTime<Utc>,
    pub qty: Decimal,
    pub revenue: Decimal,
}

/// Where documents go: branch id → location index, for the branches the import includes.
pub struct Places<'a> {
    pub locations: &'a HashMap<i64, usize>,
    /// Every branch the account lists, included or not.
    pub known: &'a HashSet<i64>,
}

impl Places<'_> {
    /// The location of a document's branch, counting in `warnings` why there is none.
    fn of(&self, branch: Option<i64>, warnings: &mut DataWarnings) -> Option<usize> {
        let branch = branch.unwrap_or_default();
        match self.locations.get(&branch) {
            Some(&location) => Some(location),
            None if self.known.contains(&branch) => {
                warnings.documents_at_other_branches += 1;
                None
            }
            None => {
                warnings.unknown_branch_documents += 1;
                None
            }
        }
    }
}

/// The sale date of an order under the settings, or `None` when it is not a sale under them
/// (not dispatched where dispatch matters).
fn sale_date(order: &SalesOrder, settings: &ImportSettings) -> Option<DateTime<Utc>> {
    if settings.dispatched_only && order.dispatched_date.is_none() {
        return None;
    }
    match settings.sale_date {
        SaleDate::Invoice => order.invoice_date.or(order.created_date),
        SaleDate::Order => order.created_date,
        SaleDate::Dispatch => order.dispatched_date,
    }
}

/// Maps counted orders to sale lines, counting in `warnings` what does not become a sale.
/// `in_range` says whether a sale date falls inside the imported periods.
pub fn sale_lines(
    orders: &[SalesOrder],
    catalogue: &Catalogue,
    places: &Places,
    settings: &ImportSettings,
    in_range: impl Fn(DateTime<Utc>) -> bool,
    warnings: &mut DataWarnings,
) -> Vec<SaleLine> {
    let mut lines = Vec::new();
    for order in orders {
        if !order.counts_as_sale() {
            warnings.orders_not_counted += 1;
            continue;
        }
        let Some(at) = sale_date(order, settings) else {
            warnings.orders_not_dispatched += 1;
            continue;
        };
        if !in_range(at) {
            warnings.orders_outside_periods += 1;
            continue;
        }
        let Some(location) = places.of(order.branch_id, warnings) else {
            continue;
        };
        let document = order.id.unwrap_or_default();
        let items = order.line_items.as_deref().unwrap_or_default();
        lines.extend(document_lines(
            document,
            items,
            location,
            at,
            Decimal::ONE,
            catalogue,
            warnings,
        ));
    }
    lines
}

/// Maps counted credit notes to negative sale lines: each line takes back |qty| and
/// |qty| × unitPrice − discount, on the credit note's date.
pub fn return_lines(
    credit_notes: &[CreditNote],
    catalogue: &Catalogue,
    places: &Places,
    in_range: impl Fn(DateTime<Utc>) -> bool,
    warnings: &mut DataWarnings,
) -> Vec<SaleLine> {
    let mut lines = Vec::new();
    for note in credit_notes {
        if !note.counts() {
            warnings.credit_notes_not_counted += 1;
            continue;
        }
        let Some(at) = note.return_date().filter(|at| in_range(*at)) else {
            warnings.credit_notes_outside_periods += 1;
            continue;
        };
        let Some(location) = places.of(note.branch_id, warnings) else {
            continue;
        };
        let document = note.id.unwrap_or_default();
        let items = note.line_items.as_deref().unwrap_or_default();
        lines.extend(document_lines(
            document,
            items,
            location,
            at,
            -Decimal::ONE,
            catalogue,
            warnings,
        ));
    }
    lines
}

/// The sale lines of one document's lines, with `sign` +1 for sales and −1 for returns.
fn document_lines(
    document: i64,
    items: &[SalesOrderLine],
    location: usize,
    at: DateTime<Utc>,
    sign: Decimal,
    catalogue: &Catalogue,
    warnings: &mut DataWarnings,
) -> Vec<SaleLine> {
    let mut lines = Vec::new();
    for line in items {
        if line.parent_id.unwrap_or(0) != 0 {
            warnings.kit_component_lines += 1;
            continue;
        }
        let Some(option_id) = line.product_option_id else {
            warnings.unknown_item_lines += 1;
            continue;
        };
        let qty = line.qty.unwrap_or_default().abs();
        let revenue = qty * line.unit_price.unwrap_or_default() - line.discount.unwrap_or_default();
        let parts = if catalogue.is_sized_option(option_id) {
            split_by_size(line, option_id, catalogue, revenue)
        } else {
            catalogue
                .regular(option_id)
                .map(|item| vec![(item, qty, revenue)])
        };
        match parts {
            Some(parts) => lines.extend(parts.into_iter().map(|(item, qty, revenue)| SaleLine {
                order_id: document,
                item,
                location,
                at,
                qty: sign * qty,
                revenue: sign * revenue,
            })),
            None => warnings.unknown_item_lines += 1,
        }
    }
    lines
}

/// A sized line's quantities per size, from `sizes[]`, else from the packed `sizeCodes`.
fn size_quantities(line: &SalesOrderLine) -> Vec<(String, Decimal)> {
    let structured: Vec<(String, Decimal)> = line
        .sizes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|s| Some((s.name.clone()?.trim().to_owned(), s.quantity?.abs())))
        .collect();
    if !structured.is_empty() {
        return structured;
    }
    parse_size_codes(line.size_codes.as_deref().unwrap_or(""))
}

/// Parses `Qty|Size|Code|Barcode` entries separated by `;`, `,` or line breaks.
pub fn parse_size_codes(packed: &str) -> Vec<(String, Decimal)> {
    packed
        .split([';', ',', '\n', '\r'])
        .filter_map(|entry| {
            let mut parts = entry.split('|');
            let qty: Decimal = parts.next()?.trim().parse::<Decimal>().ok()?.abs();
            let size = parts.next()?.trim();
            (!size.is_empty()).then(|| (size.to_owned(), qty))
        })
        .collect()
}

/// Splits a sized line into (item, qty, revenue) per size, revenue pro rata to quantity; the
/// last size takes the rounding remainder so the parts add up to the line exactly. The sizes'
/// quantities are the truth for quantities.
fn split_by_size(
    line: &SalesOrderLine,
    option_id: i64,
    catalogue: &Catalogue,
    line_revenue: Decimal,
) -> Option<Vec<(usize, Decimal, Decimal)>> {
    let sizes = size_quantities(line);
    if sizes.is_empty() {
        return None;
    }
    let total: Decimal = sizes.iter().map(|(_, q)| *q).sum();
    let mut parts = Vec::with_capacity(sizes.len());
    let mut allocated = Decimal::ZERO;
    for (i, (size, qty)) in sizes.iter().enumerate() {
        let item = catalogue.sized(option_id, size)?;
        let revenue = if i + 1 == sizes.len() {
            line_revenue - allocated
        } else if total.is_zero() {
            Decimal::ZERO
        } else {
            (line_revenue * qty / total).round_dp(4)
        };
        allocated += revenue;
        parts.push((item, *qty, revenue));
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cin7::model::Product;
    use chrono::TimeZone;

    fn tee() -> Catalogue {
        let product: Product = serde_json::from_str(
            r#"{"id": 1, "name": "Tee", "sizeRangeId": 7, "productOptions": [
                {"id": 5, "productOptionCode": "TEE", "size": "S"},
                {"id": 5, "productOptionCode": "TEE", "size": "M"},
                {"id": 5, "productOptionCode": "TEE", "size": "L"}]}"#,
        )
        .unwrap();
        Catalogue::from_products(&[product], &HashMap::new())
    }

    /// One order of a sized line at branch 1, with the given size fields.
    fn sell(size_fields: &str) -> (Vec<SaleLine>, DataWarnings) {
        let order: SalesOrder = serde_json::from_str(&format!(
            r#"{{"id": 9, "isApproved": true, "branchId": 1, "createdDate": "2024-01-05T00:00:00Z",
               "lineItems": [{{"productOptionId": 5, "qty": 3, "unitPrice": 10, "discount": 1, {size_fields}}}]}}"#
        ))
        .unwrap();
        let locations = HashMap::from([(1, 0)]);
        let known = HashSet::from([1]);
        let places = Places {
            locations: &locations,
            known: &known,
        };
        let settings = ImportSettings::new(
            chrono::NaiveDate::MIN,
            crate::project::GroupBy::Day,
            chrono_tz::UTC,
        );
        let mut warnings = DataWarnings::default();
        let lines = sale_lines(
            &[order],
            &tee(),
            &places,
            &settings,
            |_| true,
            &mut warnings,
        );
        (lines, warnings)
    }

    fn parts(lines: &[SaleLine]) -> Vec<(usize, String, String)> {
        lines
            .iter()
            .map(|l| (l.item, l.qty.to_string(), l.revenue.to_string()))
            .collect()
    }

    #[test]
    fn a_sized_line_splits_by_sizes_and_else_by_size_codes() {
        // Revenue 3 × 10 − 1 = 29: M takes a third (9.6667), L the rest (19.3333).
        let expected = vec![
            (1, "1".to_owned(), "9.6667".to_owned()),
            (2, "2".to_owned(), "19.3333".to_owned()),
        ];
        let (by_sizes, _) = sell(
            r#""sizes": [{"name": "M", "quantity": 1}, {"name": "L", "quantity": 2}], "sizeCodes": null"#,
        );
        assert_eq!(parts(&by_sizes), expected);
        let (by_codes, _) = sell(r#""sizes": [], "sizeCodes": "1|M|TEE-M|;2|L|TEE-L|""#);
        assert_eq!(parts(&by_codes), expected);
        assert_eq!(
            by_codes[0].at,
            Utc.with_ymd_and_hms(2024, 1, 5, 0, 0, 0).unwrap()
        );
        // Without either, the line is no sale of any item, and says so.
        let (none, warnings) = sell(r#""sizes": null"#);
        assert_eq!((none.len(), warnings.unknown_item_lines), (0, 1));
    }

    #[test]
    fn size_codes_in_every_separator() {
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
        assert_eq!(parse_size_codes(""), vec![]);
        assert_eq!(parse_size_codes("x|M"), vec![]);
    }
}
