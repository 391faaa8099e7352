//! The largest magnitude a quantity or an amount of money may have: 10¹⁵. Cin7's own numbers
//! are far below it (a quantity of a trillion units is not a sale). Every number is checked
//! against it where it enters, from Cin7 or from a project file, so that sums over every row
//! of a project (fewer than 2³² rows, each below 10¹⁵) stay far inside the decimal type's
//! range of about 7.9 × 10²⁸ and can never overflow.

use rust_decimal::Decimal;

/// 10¹⁵, exclusive.
pub const LIMIT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Whether `value` is strictly inside ±10¹⁵.
pub fn within(value: Decimal) -> bool {
    value.abs() < LIMIT
}

/// Whether an optional value is absent or inside the bound.
pub fn within_opt(value: Option<Decimal>) -> bool {
    value.is_none_or(within)
}

/// Whether an id or count is strictly inside ±10¹⁵.
pub fn id_within(value: i64) -> bool {
    value.unsigned_abs() < 1_000_000_000_000_000
}

/// `a × b − c`, or `None` when it would leave the bound (or overflow on the way).
pub fn product_less(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    a.checked_mul(b)?.checked_sub(c).filter(|v| within(*v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_ten_to_the_fifteenth() {
        assert_eq!(LIMIT, Decimal::from(1_000_000_000_000_000_i64));
        assert!(within("999999999999999.9999".parse().unwrap()));
        assert!(!within(LIMIT) && !within(-LIMIT));
        assert!(id_within(999_999_999_999_999) && !id_within(i64::MIN));
        assert_eq!(
            product_less(Decimal::from(3), Decimal::from(10), Decimal::ONE),
            Some(Decimal::from(29))
        );
        assert_eq!(
            product_less(Decimal::MAX, Decimal::MAX, Decimal::ZERO),
            None
        );
        let big = Decimal::from(100_000_000_i64);
        assert_eq!(
            product_less(big, big, Decimal::ZERO),
            None,
            "10¹⁶ is beyond"
        );
    }
}
