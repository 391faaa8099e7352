//! How the window writes numbers, money, dates and times for planners: thousands separated
//! ("12,345.5"), money with two decimals and the account's currency where it is known
//! ("NZD 1,234.50"), dates in words ("3 December 2026"), instants in the project's time zone
//! with the zone named ("3 Dec 2026 10:42 NZDT") and file times in this computer's.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// A quantity as it is, with thousands separated: "12,345.5", "-3", "0".
pub(super) fn quantity(value: Decimal) -> String {
    grouped(&value.normalize().to_string())
}

/// A count, with thousands separated: "12,345".
pub(super) fn count(n: usize) -> String {
    crate::text::thousands(n as u64)
}

/// An amount with two decimals and thousands separated: "1,234.50".
pub(super) fn amount(value: Decimal) -> String {
    let rounded =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    grouped(&format!("{rounded:.2}"))
}

/// An amount with its currency where it is known: "NZD 1,234.50".
pub(super) fn money(value: Decimal, currency: Option<&str>) -> String {
    match currency {
        Some(code) => format!("{code} {}", amount(value)),
        None => amount(value),
    }
}

/// An instant in `zone`, with the zone's abbreviation: "3 Dec 2026 10:42 NZDT".
pub(super) fn instant(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%-d %b %Y %H:%M %Z")
        .to_string()
}

/// "3 December 2026".
pub(super) fn date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A file's time in this computer's time zone: "3 Dec 2026 10:42".
pub(super) fn local_time(at: std::time::SystemTime) -> String {
    DateTime::<chrono::Local>::from(at)
        .format("%-d %b %Y %H:%M")
        .to_string()
}

/// A number written with a comma between each group of three digits before the point (its
/// whole part is far inside a `u64`: every number is bounded by 10^15).
fn grouped(number: &str) -> String {
    let (sign, digits) = number
        .strip_prefix('-')
        .map_or(("", number), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_owned(), crate::text::thousands);
    match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_money_and_times_read_as_planners_expect() {
        assert_eq!(quantity(d("1234567.50")), "1,234,567.5");
        assert_eq!(quantity(d("-1000")), "-1,000");
        assert_eq!(quantity(d("999")), "999");
        assert_eq!(quantity(d("0.000")), "0");
        assert_eq!(amount(d("1234.5")), "1,234.50");
        assert_eq!(amount(d("-12.345")), "-12.35");
        assert_eq!(money(d("1000000"), Some("NZD")), "NZD 1,000,000.00");
        assert_eq!(money(d("5"), None), "5.00");
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 2, 21, 42, 0).unwrap();
        assert_eq!(
            instant(at, chrono_tz::Pacific::Auckland),
            "3 Dec 2026 10:42 NZDT"
        );
        assert_eq!(instant(at, chrono_tz::UTC), "2 Dec 2026 21:42 UTC");
    }
}
