//! Sales orders > normalized sale lines (IMPORT-RULES.md, "Sales history").

use super::mapping::Catalogue;
use crate::cin7::model::{SalesOrder, SalesOrderLine};
use crate::project::DataWarnings;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

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

/// The sale date of an order under the default rule: invoice date, else created date.
fn sale_date(order: &SalesOrder) -> Option<DateTime<Utc>> {
    order.invoice_date.or(order.created_date)
}

/// Maps counted orders to sale lines, counting in `warnings` what does not become a sale.
/// `in_range` says whether a sale date falls inside the imported periods.
pub fn sale_lines(
    orders: &[SalesOrder],
    catalogue: &Catalogue,
    locations: &HashMap<i64, usize>,
    in_range: impl Fn(DateTime<Utc>) -> bool,
    warnings: &mut DataWarnings,
) -> Vec<SaleLine> {
    let mut lines = Vec::new();
    for order in orders {
        if !order.counts_as_sale() {
            warnings.orders_not_counted += 1;
            continue;
        }
        let Some(at) = sale_date(order).filter(|at| in_range(*at)) else {
            warnings.orders_outside_periods += 1;
            continue;
        };
        let Some(&location) = order.branch_id.and_then(|b| locations.get(&b)) else {
            warnings.unknown_branch_documents += 1;
            continue;
        };
        let order_id = order.id.unwrap_or_default();
        for line in order.line_items.as_deref().unwrap_or_default() {
            if line.parent_id.unwrap_or(0) != 0 {
                warnings.kit_component_lines += 1;
                continue;
            }
            let Some(option_id) = line.product_option_id else {
                warnings.unknown_item_lines += 1;
                continue;
            };
            let qty = line.qty.unwrap_or_default();
            let revenue =
                qty * line.unit_price.unwrap_or_default() - line.discount.unwrap_or_default();
            let parts = if catalogue.is_sized_option(option_id) {
                split_by_size(line, option_id, catalogue, revenue)
            } else {
                catalogue
                    .regular(option_id)
                    .map(|item| vec![(item, qty, revenue)])
            };
            match parts {
                Some(parts) => {
                    lines.extend(parts.into_iter().map(|(item, qty, revenue)| SaleLine {
                        order_id,
                        item,
                        location,
                        at,
                        qty,
                        revenue,
                    }))
                }
                None => warnings.unknown_item_lines += 1,
            }
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
        .filter_map(|s| Some((s.name.clone()?.trim().to_owned(), s.quantity?)))
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
            let qty: Decimal = parts.next()?.trim().parse().ok()?;
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
