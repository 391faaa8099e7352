//! Deserializers that accept what Cin7 actually sends, not only what its docs promise:
//! numbers as numbers or strings, enums as strings or numbers, dates with or without
//! fractional seconds and with `Z`, an offset, or no zone at all. `null` is always `None`.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::str::FromStr;

fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// A decimal from a JSON number or a numeric string.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
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

fn parse_decimal(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("{text:?} is not a number"))
}

/// An integer id or count from a JSON number or a numeric string.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// A boolean from `true`/`false`, `"true"`/`"false"` or `1`/`0`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) => Ok(Some(n.as_f64() != Some(0.0))),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(serde::de::Error::custom(format!("{s:?} is not a boolean"))),
        },
        other => Err(serde::de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}

/// Text from a string, or from a number (enum fields some schemas type as integers).
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected text, got {other}"
        ))),
    }
}

/// A UTC instant from any of the date shapes Cin7 produces.
pub fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match value(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a date"))),
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
        #[serde(default, deserialize_with = "decimal")]
        qty: Option<Decimal>,
        #[serde(default, deserialize_with = "int")]
        id: Option<i64>,
        #[serde(default, deserialize_with = "boolean")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "text")]
        status: Option<String>,
    }

    #[test]
    fn numbers_strings_and_nulls() {
        let p: Probe =
            serde_json::from_str(r#"{"qty": 49.95, "id": "12", "flag": "True", "status": 2}"#)
                .unwrap();
        assert_eq!(p.qty, Some(Decimal::new(4995, 2)));
        assert_eq!(p.id, Some(12));
        assert_eq!(p.flag, Some(true));
        assert_eq!(p.status.as_deref(), Some("2"));
        let p: Probe = serde_json::from_str(r#"{"qty": null, "id": 3.0, "flag": null}"#).unwrap();
        assert_eq!((p.qty, p.id, p.flag, p.status), (None, Some(3), None, None));
        assert!(serde_json::from_str::<Probe>(r#"{"qty": "lots"}"#).is_err());
    }
}
