//! What open documents still have to ship and to receive, and what fully received purchase
//! orders brought in (docs/import-rules.md, "Open orders" and "Lead times"): a line's
//! quantity by item, a sized line's split pro rata to its sizes at full precision with the
//! last size taking the remainder; lot costs and net unit prices.

use super::mapping::Catalogue;
use crate::bounds;
use crate::cin7::model::DocumentLine;
use rust_decimal::Decimal;

/// The items `qty` of `line` belongs to, with their shares: the line's regular item, or each
/// of its sizes pro rata to the sizes' quantities, the last taking the remainder. `None`
/// when the option or a size is unknown, the sized line gives no sizes, or a share is beyond
/// the bounds.
pub(super) fn shares(
    line: &DocumentLine,
    qty: Decimal,
    catalogue: &Catalogue,
) -> Option<Vec<(u32, Decimal)>> {
    let option = (*line.product_option_id)?;
    if !catalogue.is_sized_option(option) {
        return Some(vec![(catalogue.regular(option)? as u32, qty)]);
    }
    let sizes: Vec<(String, Decimal)> = line
        .size_quantities()
        .into_iter()
        .map(|(size, q)| (size, q.abs()))
        .collect();
    let total: Decimal = sizes.iter().map(|(_, q)| *q).sum();
    if sizes.is_empty() || total.is_zero() {
        return None;
    }
    let mut parts = Vec::with_capacity(sizes.len());
    let mut allocated = Decimal::ZERO;
    for (i, (size, size_qty)) in sizes.iter().enumerate() {
        let item = catalogue.sized(option, size)? as u32;
        let share = if i + 1 == sizes.len() {
            qty.checked_sub(allocated)?
        } else {
            qty.checked_mul(*size_qty)?.checked_div(total)?
        };
        allocated = allocated.checked_add(share)?;
        parts.push((item, share));
    }
    parts
        .iter()
        .all(|(_, q)| bounds::within(*q))
        .then_some(parts)
}

/// What `qty` units of a purchase line cost: `qty` × `unitPrice` − `discount` × `qty` ÷ the
/// line's `qty`. Unknown where the discount has no quantity to be shared over, where it is
/// larger than what it discounts (a cost below nothing is a mistake, not a price), or where
/// the result is beyond the bounds.
pub(super) fn purchase_cost(line: &DocumentLine, qty: Decimal) -> Option<Decimal> {
    let price = line.unit_price.unwrap_or_default();
    let discount = line.discount.unwrap_or_default();
    let gross = qty.checked_mul(price)?;
    let share = if discount.is_zero() {
        Decimal::ZERO
    } else {
        discount
            .checked_mul(qty)?
            .checked_div(line.qty.filter(|q| !q.is_zero())?)?
    };
    let cost = gross.checked_sub(share)?;
    let below_nothing = cost < Decimal::ZERO && gross >= Decimal::ZERO;
    (!below_nothing && bounds::within(cost)).then_some(cost)
}

/// What one unit of a purchase line cost: `unitPrice` − `discount` ÷ `qty` (see
/// [`purchase_cost`]).
pub(super) fn purchase_unit_price(line: &DocumentLine) -> Option<Decimal> {
    purchase_cost(line, Decimal::ONE)
}

/// What `qty` units of a transfer line cost: `qty` × `unitCost`, unknown without one.
pub(super) fn transfer_cost(line: &DocumentLine, qty: Decimal) -> Option<Decimal> {
    qty.checked_mul((*line.unit_cost)?)
        .filter(|c| bounds::within(*c))
}

/// What is left of a line: `qty` − `qtyShipped`, where positive.
pub(super) fn remaining(line: &DocumentLine) -> Option<Decimal> {
    let left = line
        .qty
        .unwrap_or_default()
        .checked_sub(line.qty_shipped.unwrap_or_default())?;
    (left > Decimal::ZERO).then_some(left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::tests::catalogue;

    fn line(json: &str) -> DocumentLine {
        serde_json::from_str(json).unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_purchase_of_three_with_a_discount_of_ten_partly_received() {
        // 3 at 20 less 10: 50 in all; 1 received, 2 to receive costing 2 × 20 − 10 × 2 ÷ 3.
        let po = line(
            r#"{"productOptionId": 8, "qty": 3, "qtyShipped": 1, "unitPrice": 20, "discount": 10}"#,
        );
        let left = remaining(&po).unwrap();
        assert_eq!(left, d("2"));
        assert_eq!(shares(&po, left, &catalogue()), Some(vec![(3, d("2"))]));
        assert_eq!(
            purchase_cost(&po, left),
            Some(d("33.333333333333333333333333333"))
        );
        assert_eq!(
            purchase_cost(&po, d("3")),
            Some(d("50")),
            "the whole line less its whole discount"
        );
        assert_eq!(
            purchase_unit_price(&po),
            Some(d("16.666666666666666666666666667"))
        );
    }

    #[test]
    fn a_sized_line_partly_shipped_splits_what_is_left_pro_rata() {
        // 7 ordered as S 3, M 2, L 2; 3 shipped; the 4 left go 12/7, 8/7 and the remainder.
        let sized = line(
            r#"{"productOptionId": 5, "qty": 7, "qtyShipped": 3,
                "sizes": [{"name": "S", "quantity": 3}, {"name": "M", "quantity": 2}, {"name": "L", "quantity": 2}]}"#,
        );
        let parts = shares(&sized, remaining(&sized).unwrap(), &catalogue()).unwrap();
        assert_eq!(
            parts,
            vec![
                (0, d("1.7142857142857142857142857143")),
                (1, d("1.1428571428571428571428571429")),
                (2, d("1.1428571428571428571428571428")),
            ]
        );
        assert_eq!(parts.iter().map(|p| p.1).sum::<Decimal>(), d("4"));
    }

    #[test]
    fn odd_lines_give_nothing_rather_than_a_wrong_number() {
        // More shipped than ordered: nothing left.
        let over = line(r#"{"productOptionId": 8, "qty": 2, "qtyShipped": 5}"#);
        assert_eq!(remaining(&over), None);
        // A discount larger than the line: no cost, rather than one below nothing.
        let over = line(r#"{"productOptionId": 8, "qty": 1, "unitPrice": 5, "discount": 20}"#);
        assert_eq!(purchase_cost(&over, d("1")), None);
        assert_eq!(purchase_unit_price(&over), None);
        // A zero quantity with a discount: no unit price to speak of.
        let zero = line(r#"{"productOptionId": 8, "qty": 0, "unitPrice": 5, "discount": 3}"#);
        assert_eq!(purchase_unit_price(&zero), None);
        // Unknown option, unknown size, sizes missing.
        let catalogue = catalogue();
        assert_eq!(
            shares(&line(r#"{"productOptionId": 99}"#), d("1"), &catalogue),
            None
        );
        let xl = line(r#"{"productOptionId": 5, "sizes": [{"name": "XL", "quantity": 1}]}"#);
        assert_eq!(shares(&xl, d("1"), &catalogue), None);
        assert_eq!(
            shares(&line(r#"{"productOptionId": 5}"#), d("1"), &catalogue),
            None
        );
        // A transfer line costs its unit cost, or is unknown.
        let moved = line(r#"{"productOptionId": 8, "qty": 4, "unitCost": 2.5}"#);
        assert_eq!(transfer_cost(&moved, d("4")), Some(d("10.0")));
        assert_eq!(transfer_cost(&over, d("4")), None);
    }
}
