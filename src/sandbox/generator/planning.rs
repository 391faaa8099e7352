//! What generated records carry for planning beside their history (a product's
//! sub-category, weight and volume; the dates promised on orders; a supplier's currency),
//! worked out from a record's place or id rather than drawn at random, so that adding them
//! changed no account the generator made before.

use chrono::{DateTime, Duration, Utc};
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

/// The delivery date promised on three sales orders in five: two to 13 days after the order.
pub(super) fn promised_delivery(order: i64, created: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (order % 5 < 3).then(|| created + Duration::days(2 + order % 12))
}

/// A purchase order's estimated delivery (ETD) and arrival dates: an ETD one to three weeks
/// out on most, an arrival date instead on one in six (an indent order), neither on one in
/// five.
pub(super) fn expected(
    order: i64,
    created: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let at = created + Duration::days(7 + order % 15);
    match order % 30 {
        0..=5 => (None, None),
        6..=10 => (None, Some(at)),
        _ => (Some(at), None),
    }
}

/// The currency a supplier invoices in: one of the three is overseas.
pub(super) fn currency(supplier: i64) -> &'static str {
    if supplier == 202 { "USD" } else { "NZD" }
}
