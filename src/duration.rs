//! Durations as people write and read them: the one parser (`250ms`, `1.5s`, `10m`, `2h`,
//! `1d`) behind rate-limit specs, fault specs and command-line options, and the one formatter
//! behind every message and progress line ("45 s", "12 min", "3 h 20 min", "2 days").

use std::time::Duration;

/// Parses a number (whole or decimal) followed by `ms`, `s`, `m`, `h` or `d`.
pub fn parse(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let seconds_per_unit = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(n * seconds_per_unit).ok()
}

/// A duration for people, rounded up to the unit shown.
pub fn text(d: Duration) -> String {
    let seconds = d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
    if seconds < 60 {
        return format!("{seconds} s");
    }
    let minutes = seconds.div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, _) if h >= 48 => format!("{} days", minutes.div_ceil(1_440)),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse(" 1d "), Some(Duration::from_secs(86_400)));
        for bad in ["", "5", "s", "1y", "-1s", "1e400s", "fast"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reads_as_people_write() {
        assert_eq!(text(Duration::from_millis(400)), "1 s");
        assert_eq!(text(Duration::from_secs(45)), "45 s");
        assert_eq!(text(Duration::from_secs(61)), "2 min");
        assert_eq!(text(Duration::from_secs(3600)), "1 h");
        assert_eq!(text(Duration::from_secs(3 * 3600 + 20 * 60)), "3 h 20 min");
        assert_eq!(text(Duration::from_secs(86_400)), "24 h");
        assert_eq!(text(Duration::from_secs(5 * 86_400)), "5 days");
        assert!(text(Duration::MAX).ends_with(" days"), "no overflow");
    }
}
