//! Sales order and credit note lines → the items they sold (docs/import-rules.md, "Sales
//! history"): signed as the rules say, sized lines split by size at full precision, kit
//! components and unknown items counted aside.

use super::mapping::Catalogue;
use crate::bounds;
use crate::cin7::model::DocumentLine;
use crate::project::ledger::SaleLine;
use rust_decimal::Decimal;

/// How a document's lines count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineSign {
    /// A sales order: each line as written, quantity `qty` and revenue `qty × unitPrice −
    /// discount`, so an exchange line with a negative `qty` takes back.
    Sale,
    /// A credit note: each line takes back |`qty`| and |`qty`| × `unitPrice` − `discount`,
    /// whichever sign its quantity was written with.
    Return,
}

/// What one document's lines sold: one sale line per item (and size), and the lines that
/// sold no item.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct DocumentSales {
    pub parts: Vec<SaleLine>,
    /// Kit component lines (not sales in themselves).
    pub kit_lines: u32,
    /// Lines whose option, or size, is not in the catalogue.
    pub unknown_lines: u32,
}

/// The items a document's lines sold, each with its cost (quantity × `unitCost`, signed as
/// the quantity; none without a `unitCost`); `None` when a line's revenue or cost is beyond
/// [`crate::bounds`] (the document is then skipped and counted).
pub(super) fn document_sales(
    lines: &[DocumentLine],
    sign: LineSign,
    catalogue: &Catalogue,
) -> Option<DocumentSales> {
    let mut sales = DocumentSales::default();
    for line in lines {
        if line.parent_id.unwrap_or(0) != 0 {
            sales.kit_lines += 1;
            continue;
        }
        let (qty, revenue) = signed_line(line, sign)?;
        let unit_cost = *line.unit_cost;
        let Some(option_id) = *line.product_option_id else {
            sales.unknown_lines += 1;
            continue;
        };
        let parts = if catalogue.is_sized_option(option_id) {
            split_by_size(line, option_id, catalogue, qty, revenue)?
        } else {
            catalogue
                .regular(option_id)
                .map(|item| vec![(item, qty, revenue)])
        };
        let Some(parts) = parts else {
            sales.unknown_lines += 1;
            continue;
        };
        for (item, qty, revenue) in parts {
            let cost = match unit_cost {
                Some(unit) => Some(bounds::product_less(qty, unit, Decimal::ZERO)?),
                None => None,
            };
            sales.parts.push(SaleLine {
                item: item as u32,
                qty,
                revenue,
                cost,
            });
        }
    }
    Some(sales)
}

/// A line's quantity and revenue as they count in sales; `None` beyond the bounds.
fn signed_line(line: &DocumentLine, sign: LineSign) -> Option<(Decimal, Decimal)> {
    let qty = line.qty.unwrap_or_default();
    let (price, discount) = (
        line.unit_price.unwrap_or_default(),
        line.discount.unwrap_or_default(),
    );
    match sign {
        LineSign::Sale => Some((qty, bounds::product_less(qty, price, discount)?)),
        LineSign::Return => {
            let taken_back = bounds::product_less(qty.abs(), price, discount)?;
            Some((-qty.abs(), -taken_back))
        }
    }
}

/// Splits a sized line into (item, qty, revenue) per size. Each size's quantity takes the sign
/// of the line (the sizes of a negative line are negative parts of it, however they were
/// written); revenue goes pro rata to quantity at full precision, the last size taking the
/// remainder so the parts add up to the line exactly. `Some(None)`: a size is not in the
/// catalogue, or the line has no sizes; `None`: a share is beyond the bounds.
fn split_by_size(
    line: &DocumentLine,
    option_id: i64,
    catalogue: &Catalogue,
    line_qty: Decimal,
    line_revenue: Decimal,
) -> Option<Option<Vec<(usize, Decimal, Decimal)>>> {
    let sizes: Vec<(String, Decimal)> = line
        .size_quantities()
        .into_iter()
        .map(|(size, qty)| {
            let part = match line_qty.cmp(&Decimal::ZERO) {
                std::cmp::Ordering::Less => -qty.abs(),
                std::cmp::Ordering::Greater => qty.abs(),
                std::cmp::Ordering::Equal => qty,
            };
            (size, part)
        })
        .collect();
    if sizes.is_empty() {
        return Some(None);
    }
    let total: Decimal = sizes.iter().map(|(_, q)| *q).sum();
    let mut parts = Vec::with_capacity(sizes.len());
    let mut allocated = Decimal::ZERO;
    for (i, (size, qty)) in sizes.iter().enumerate() {
        let Some(item) = catalogue.sized(option_id, size) else {
            return Some(None);
        };
        let revenue = if i + 1 == sizes.len() {
            line_revenue.checked_sub(allocated)?
        } else if total.is_zero() {
            Decimal::ZERO
        } else {
            line_revenue.checked_mul(*qty)?.checked_div(total)?
        };
        allocated = allocated.checked_add(revenue)?;
        parts.push((item, *qty, revenue));
    }
    parts
        .iter()
        .all(|(_, q, r)| bounds::within(*q) && bounds::within(*r))
        .then_some(Some(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::tests::catalogue;

    fn lines(json: &str) -> Vec<DocumentLine> {
        serde_json::from_str(json).unwrap()
    }

    /// (item, qty, revenue) of each part, as text.
    fn parts(json: &str, sign: LineSign) -> Vec<(u32, String, String)> {
        document_sales(&lines(json), sign, &catalogue())
            .unwrap()
            .parts
            .iter()
            .map(|p| (p.item, p.qty.to_string(), p.revenue.to_string()))
            .collect()
    }

    /// The cost of each part, as text ("none" where unknown).
    fn costs(json: &str, sign: LineSign) -> Vec<String> {
        document_sales(&lines(json), sign, &catalogue())
            .unwrap()
            .parts
            .iter()
            .map(|p| p.cost.map_or("none".to_owned(), |c| c.to_string()))
            .collect()
    }

    fn part(item: u32, qty: &str, revenue: &str) -> (u32, String, String) {
        (item, qty.to_owned(), revenue.to_owned())
    }

    #[test]
    fn every_sign_case_by_hand() {
        // A sale: 3 × 10 − 1.
        let sale = r#"[{"productOptionId": 8, "qty": 3, "unitPrice": 10, "discount": 1}]"#;
        assert_eq!(parts(sale, LineSign::Sale), vec![part(3, "3", "29")]);
        // An exchange line on an order: −1 × 10 − 0.5 takes back 1 unit and 10.50.
        let exchange = r#"[{"productOptionId": 8, "qty": -1, "unitPrice": 10, "discount": 0.5}]"#;
        assert_eq!(
            parts(exchange, LineSign::Sale),
            vec![part(3, "-1", "-10.5")]
        );
        // A credit note written positive and one written negative take back the same: 2 × 10 − 1.
        let positive = r#"[{"productOptionId": 8, "qty": 2, "unitPrice": 10, "discount": 1}]"#;
        let negative = r#"[{"productOptionId": 8, "qty": -2, "unitPrice": 10, "discount": 1}]"#;
        assert_eq!(
            parts(positive, LineSign::Return),
            vec![part(3, "-2", "-19")]
        );
        assert_eq!(
            parts(negative, LineSign::Return),
            vec![part(3, "-2", "-19")]
        );
        // A kit: the parent line sells, its components do not.
        let kit = r#"[{"id": 70, "productOptionId": 8, "qty": 1, "unitPrice": 30},
                      {"id": 71, "parentId": 70, "productOptionId": 8, "qty": 2, "unitPrice": 0}]"#;
        let sold = document_sales(&lines(kit), LineSign::Sale, &catalogue()).unwrap();
        let kit_line = SaleLine {
            item: 3,
            qty: Decimal::ONE,
            revenue: Decimal::from(30),
            cost: None,
        };
        assert_eq!(sold.parts, vec![kit_line]);
        assert_eq!((sold.kit_lines, sold.unknown_lines), (1, 0));
    }

    #[test]
    fn each_part_costs_its_quantity_times_the_unit_cost_signed_as_it_sells() {
        let sale = r#"[{"productOptionId": 8, "qty": 3, "unitPrice": 10, "unitCost": 4.15},
                       {"productOptionId": 8, "qty": 1, "unitPrice": 10}]"#;
        assert_eq!(costs(sale, LineSign::Sale), vec!["12.45", "none"]);
        let exchange = r#"[{"productOptionId": 8, "qty": -1, "unitPrice": 10, "unitCost": 4}]"#;
        assert_eq!(costs(exchange, LineSign::Sale), vec!["-4"]);
        // A credit note subtracts |qty| × unitCost, whichever sign its quantity has.
        let credit = r#"[{"productOptionId": 8, "qty": 2, "unitPrice": 10, "unitCost": 4}]"#;
        assert_eq!(costs(credit, LineSign::Return), vec!["-8"]);
        // Each size costs its own quantity.
        let sized = r#"[{"productOptionId": 5, "qty": 3, "unitPrice": 10, "unitCost": 2.5,
            "sizes": [{"name": "S", "quantity": 2}, {"name": "L", "quantity": 1}]}]"#;
        assert_eq!(costs(sized, LineSign::Sale), vec!["5.0", "2.5"]);
        let huge =
            r#"[{"productOptionId": 8, "qty": 999999999, "unitPrice": 1, "unitCost": 999999999}]"#;
        assert_eq!(
            document_sales(&lines(huge), LineSign::Sale, &catalogue()),
            None
        );
    }

    #[test]
    fn a_sized_line_splits_at_full_precision_and_adds_up_exactly() {
        // 3 × 10 − 0.01 = 29.99 over three sizes of one each: thirds that do not end.
        let line = r#"[{"productOptionId": 5, "qty": 3, "unitPrice": 10, "discount": 0.01,
            "sizes": [{"name": "S", "quantity": 1}, {"name": "M", "quantity": 1}, {"name": "L", "quantity": 1}]}]"#;
        let third = "9.996666666666666666666666667";
        let split = parts(line, LineSign::Sale);
        assert_eq!(
            split,
            vec![
                part(0, "1", third),
                part(1, "1", third),
                part(2, "1", "9.996666666666666666666666666")
            ]
        );
        let sum: Decimal = split.iter().map(|p| p.2.parse::<Decimal>().unwrap()).sum();
        assert_eq!(sum, "29.99".parse::<Decimal>().unwrap());
    }

    #[test]
    fn sizes_take_the_sign_of_their_line_however_written() {
        // An exchange of a sized line, sizes written positive; and a credit note whose
        // sizeCodes are negative: both take back, per size.
        let exchange = r#"[{"productOptionId": 5, "qty": -2, "unitPrice": 10,
            "sizes": [{"name": "M", "quantity": 1}, {"name": "L", "quantity": 1}]}]"#;
        let expected = vec![part(1, "-1", "-10"), part(2, "-1", "-10")];
        assert_eq!(parts(exchange, LineSign::Sale), expected);
        let credit = r#"[{"productOptionId": 5, "qty": -2, "unitPrice": 10, "sizes": [],
            "sizeCodes": "-1|M|TEE-M|;-1|L|TEE-L|"}]"#;
        assert_eq!(parts(credit, LineSign::Return), expected);
        let written_positive = r#"[{"productOptionId": 5, "qty": 2, "unitPrice": 10,
            "sizeCodes": "1|M|TEE-M|;1|L|TEE-L|"}]"#;
        assert_eq!(parts(written_positive, LineSign::Return), expected);
    }

    #[test]
    fn lines_without_sizes_or_items_are_counted_and_huge_revenue_is_refused() {
        let none = r#"[{"productOptionId": 5, "qty": 1, "sizes": null}, {"qty": 1}, {"productOptionId": 99, "qty": 1}]"#;
        let sold = document_sales(&lines(none), LineSign::Sale, &catalogue()).unwrap();
        assert_eq!((sold.parts.len(), sold.unknown_lines), (0, 3));
        let huge =
            r#"[{"productOptionId": 8, "qty": 999999999999999, "unitPrice": 999999999999999}]"#;
        assert_eq!(
            document_sales(&lines(huge), LineSign::Sale, &catalogue()),
            None
        );
    }
}
