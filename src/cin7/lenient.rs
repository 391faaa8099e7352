//! Wire field types ([`Lenient`]: `LenientInt`, `LenientDecimal`, …) that accept what Cin7
//! actually sends, not only what its docs promise:
//! numbers as numbers or strings, enums as strings or numbers, dates with or without
//! fractional seconds and with `Z`, an offset, or no zone at all. `null` is always `None`.
//!
//! A number too large for its type is not an error of the page: it saturates (to the largest
//! decimal or id), so that the record it is in reads, fails [`crate::bounds`] and is skipped
//! and counted, while the rest of the page is kept. Text loses its control characters here,
//! so nothing a server sends can drive a terminal.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::str::FromStr;

/// A wire field read leniently: `None` for `null` (and, for numbers and dates, an empty
/// string), else the value however Cin7 wrote it; a missing field is `None` through the
/// records' `#[serde(default)]`. It reads as the `Option` it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lenient<T>(pub Option<T>);

/// An id or a count: a number or a numeric string.
pub type LenientInt = Lenient<i64>;
/// A quantity or an amount: a number or a numeric string.
pub type LenientDecimal = Lenient<Decimal>;
/// A flag: `true`, `"true"` or `1`.
pub type LenientBool = Lenient<bool>;
/// Text, also from a number, without control characters.
pub type LenientText = Lenient<String>;
/// An instant in any of Cin7's date shapes.
pub type LenientDate = Lenient<DateTime<Utc>>;

impl<T> std::ops::Deref for Lenient<T> {
    type Target = Option<T>;

    fn deref(&self) -> &Option<T> {
        &self.0
    }
}

impl<T> From<Option<T>> for Lenient<T> {
    fn from(value: Option<T>) -> Self {
        Self(value)
    }
}

macro_rules! lenient_from {
    ($type:ty, $read:ident) => {
        impl<'de> Deserialize<'de> for Lenient<$type> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $read(d).map(Lenient)
            }
        }
    };
}

lenient_from!(i64, int);
lenient_from!(Decimal, decimal);
lenient_from!(bool, boolean);
lenient_from!(String, text);
lenient_from!(DateTime<Utc>, datetime);

fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// A decimal from a JSON number or a numeric string.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        // The number's own text (e.g. 49.95) is exactly the decimal it denotes.
        Value::Number(n) => parse_decimal(&n.to_string())
            .map(Some)
            .map_err(serde::de::Error::custom),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_decimal(s.trim())
            .map(Some)
            .map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, got {other}"
        ))),
    }
}

/// A decimal from its text; a number beyond the decimal type's range saturates, and one with
/// more digits after the point than it keeps is rounded.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    if let Ok(d) = Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)) {
        return Ok(d);
    }
    let float: f64 = text
        .parse()
        .map_err(|_| format!("{:?} is not a number", crate::text::shortened(text, 40)))?;
    if float.is_nan() {
        return Err("NaN is not a number".into());
    }
    if float.abs() >= 1e15 {
        return Ok(if float < 0.0 {
            Decimal::MIN
        } else {
            Decimal::MAX
        });
    }
    Decimal::try_from(float).map_err(|_| format!("{float} is not a number"))
}

/// A whole number, saturating at the ends of `i64`.
fn saturating_int(float: f64) -> Option<i64> {
    (float.fract() == 0.0).then_some(float as i64)
}

/// An integer id or count from a JSON number or a numeric string.
fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .or_else(|| n.as_f64().and_then(saturating_int))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => {
            let s = s.trim();
            s.parse()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(saturating_int))
                .map(Some)
                .ok_or_else(|| {
                    let shown = crate::text::shortened(s, 40);
                    serde::de::Error::custom(format!("{shown:?} is not a whole number"))
                })
        }
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// A boolean from `true`/`false`, `"true"`/`"false"` or `1`/`0`.
fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) => Ok(Some(n.as_f64() != Some(0.0))),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(serde::de::Error::custom(format!(
                "{:?} is not a boolean",
                crate::text::shortened(&s, 40)
            ))),
        },
        other => Err(serde::de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}

/// Text from a string, or from a number (enum fields some schemas type as integers), without
/// control characters.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(mut s) => {
            crate::text::make_printable(&mut s);
            Ok(Some(s))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected text, got {other}"
        ))),
    }
}

/// A UTC instant from any of the date shapes Cin7 produces.
fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_datetime(&s).map(Some).ok_or_else(|| {
            let shown = crate::text::shortened(&s, 40);
            serde::de::Error::custom(format!("{shown:?} is not a date"))
        }),
        other => Err(serde::de::Error::custom(format!(
            "expected a date, got {other}"
        ))),
    }
}

/// Parses `2024-03-20T13:30:44Z`, `…44.5184481+13:00`, or a zoneless `…44` (taken as UTC).
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d"]
        .iter()
        .find_map(|format| {
            NaiveDateTime::parse_from_str(text, format)
                .ok()
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(text, format)
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                })
        })
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_in_every_documented_shape() {
        let expected = Utc.with_ymd_and_hms(2024, 3, 20, 0, 30, 44).unwrap();
        assert_eq!(parse_datetime("2024-03-20T00:30:44Z"), Some(expected));
        assert_eq!(parse_datetime("2024-03-20T13:30:44+13:00"), Some(expected));
        assert_eq!(parse_datetime("2024-03-20T00:30:44"), Some(expected));
        let fractional = parse_datetime("2024-03-20T13:30:44.5184481+13:00").unwrap();
        assert_eq!(fractional.timestamp_subsec_nanos(), 518_448_100);
        assert_eq!(parse_datetime("20/03/2024"), None);
    }

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        qty: LenientDecimal,
        #[serde(default)]
        id: LenientInt,
        #[serde(default)]
        flag: LenientBool,
        #[serde(default)]
        status: LenientText,
    }

    #[test]
    fn numbers_strings_and_nulls() {
        let p: Probe =
            serde_json::from_str(r#"{"qty": 49.95, "id": "12", "flag": "True", "status": 2}"#)
                .unwrap();
        assert_eq!(p.qty.0, Some(Decimal::new(4995, 2)));
        assert_eq!(p.id.0, Some(12));
        assert_eq!(p.flag.0, Some(true));
        assert_eq!(p.status.0.as_deref(), Some("2"));
        let p: Probe = serde_json::from_str(r#"{"qty": null, "id": 3.0, "flag": null}"#).unwrap();
        assert_eq!(
            (p.qty.0, p.id.0, p.flag.0, p.status.0),
            (None, Some(3), None, None)
        );
        assert!(serde_json::from_str::<Probe>(r#"{"qty": "lots"}"#).is_err());
    }

    #[test]
    fn huge_numbers_saturate_so_the_record_fails_its_bounds() {
        let p: Probe = serde_json::from_str(
            r#"{"qty": 1e300, "id": 99999999999999999999999, "status": "a\u001b[2Jb"}"#,
        )
        .unwrap();
        assert_eq!((p.qty.0, p.id.0), (Some(Decimal::MAX), Some(i64::MAX)));
        assert_eq!(p.status.0.as_deref(), Some("a[2Jb"));
        let p: Probe = serde_json::from_str(r#"{"qty": "-1e400", "id": "-1e30"}"#).unwrap();
        assert_eq!((p.qty.0, p.id.0), (Some(Decimal::MIN), Some(i64::MIN)));
        let p: Probe = serde_json::from_str(r#"{"qty": 1e-40}"#).unwrap();
        assert_eq!(p.qty.0, Some(Decimal::ZERO));
        let p: Probe = serde_json::from_str(r#"{"qty": 123456789012345678901234567890}"#).unwrap();
        assert_eq!(p.qty.0, Some(Decimal::MAX));
        assert!(!crate::bounds::within(p.qty.0.unwrap()));
    }
}
