//! The item information each generated product carries beside its catalogue entry
//! (sub-category, weight, volume), worked out from the product's place in the catalogue rather
//! than drawn at random, so that adding it changed no account the generator made before.

use rust_decimal::Decimal;

/// A sub-category under `category` for most products; every ninth has none.
pub(super) fn sub_category(product: usize, category: &str) -> Option<String> {
    const KINDS: [&str; 3] = ["Everyday", "Premium", "Outlet"];
    (product % 9 != 4).then(|| format!("{category} {}", KINDS[product % KINDS.len()]))
}

/// Kilograms per unit, from 0.15 in steps of 0.05; zero (not entered) for one product in 13.
pub(super) fn weight(product: usize) -> Decimal {
    if product % 13 == 5 {
        Decimal::ZERO
    } else {
        Decimal::new(15 + 5 * (product % 17) as i64, 2)
    }
}

/// Cubic metres per unit, from 0.0005 to 0.0025.
pub(super) fn volume(product: usize) -> Decimal {
    Decimal::new(5 * (1 + (product % 5)) as i64, 4)
}
