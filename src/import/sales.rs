//! Sales order and credit note lines → the items they sold (docs/import-rules.md, "Sales
//! history"): sized lines split by size, kit components and unknown items counted aside.

use super::mapping::Catalogue;
use crate::cin7::model::SalesOrderLine;
use rust_decimal::Decimal;

/// What one document's lines sold: (item, qty, revenue) parts, and the lines that sold no item.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DocumentSales {
    pub parts: Vec<(u32, Decimal, Decimal)>,
    /// Kit component lines (not sales in themselves).
    pub kit_lines: u32,
    /// Lines whose option, or size, is not in the catalogue.
    pub unknown_lines: u32,
}

/// The items a document's lines sold, with `sign` +1 for a sales order and −1 for a credit note
/// (which takes back |qty| and |qty| × unitPrice − discount).
pub fn document_sales(
    lines: &[SalesOrderLine],
    sign: Decimal,
    catalogue: &Catalogue,
) -> DocumentSales {
    let mut sales = DocumentSales::default();
    for line in lines {
        if line.parent_id.unwrap_or(0) != 0 {
            sales.kit_lines += 1;
            continue;
        }
        let Some(option_id) = line.product_option_id else {
            sales.unknown_lines += 1;
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
            Some(parts) => sales.parts.extend(
                parts
                    .into_iter()
                    .map(|(item, qty, revenue)| (item as u32, sign * qty, sign * revenue)),
            ),
            None => sales.unknown_lines += 1,
        }
    }
    sales
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
    use std::collections::HashMap;

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

    /// A sized line of 3 at 10 less 1 discount, with the given size fields.
    fn sell(size_fields: &str) -> DocumentSales {
        let line: SalesOrderLine = serde_json::from_str(&format!(
            r#"{{"productOptionId": 5, "qty": 3, "unitPrice": 10, "discount": 1, {size_fields}}}"#
        ))
        .unwrap();
        document_sales(&[line], Decimal::ONE, &tee())
    }

    fn parts(sales: &DocumentSales) -> Vec<(u32, String, String)> {
        sales
            .parts
            .iter()
            .map(|(item, qty, revenue)| (*item, qty.to_string(), revenue.to_string()))
            .collect()
    }

    #[test]
    fn a_sized_line_splits_by_sizes_and_else_by_size_codes() {
        // Revenue 3 × 10 − 1 = 29: M takes a third (9.6667), L the rest (19.3333).
        let expected = vec![
            (1, "1".to_owned(), "9.6667".to_owned()),
            (2, "2".to_owned(), "19.3333".to_owned()),
        ];
        let by_sizes = sell(
            r#""sizes": [{"name": "M", "quantity": 1}, {"name": "L", "quantity": 2}], "sizeCodes": null"#,
        );
        assert_eq!(parts(&by_sizes), expected);
        let by_codes = sell(r#""sizes": [], "sizeCodes": "1|M|TEE-M|;2|L|TEE-L|""#);
        assert_eq!(parts(&by_codes), expected);
        // Without either, the line is no sale of any item, and says so.
        let none = sell(r#""sizes": null"#);
        assert_eq!((none.parts.len(), none.unknown_lines), (0, 1));
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
