//! What a project can hold: a starting date between 1900 and 2100 and not after the moment the
//! account is read, at most [`MAX_PERIODS`] periods and [`MAX_PAIRS`] item–location pairs.
//! Checked before an import reads anything, before a regrouping, and when a file opens, so that
//! no input can make the app build millions of periods or an impossible grid.

use super::{GroupBy, ImportSettings};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Periods a project can hold: 54 years of days, or any span of weeks or months the starting
/// dates allow.
pub const MAX_PERIODS: u64 = 20_000;
/// Item–location pairs a project can hold (each costs about 30 bytes while series are built).
pub const MAX_PAIRS: u64 = 25_000_000;

const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("The starting date {0} is outside the years 1900 to 2100: choose a date in between.")]
    StartOutOfRange(NaiveDate),
    #[error(
        "The starting date {start} is after {today}, the day the account is read: choose {today} or earlier."
    )]
    StartAfterReading { start: NaiveDate, today: NaiveDate },
    #[error("From {start} grouped by {}, the project would have {periods} periods, more than the {MAX_PERIODS} it can hold: group by a longer period, or start later.", group_by.label().to_lowercase())]
    TooManyPeriods {
        start: NaiveDate,
        group_by: GroupBy,
        periods: u64,
    },
    #[error(
        "{items} items at {locations} locations are more item–location pairs than the {MAX_PAIRS} a project can hold: import fewer branches."
    )]
    TooManyPairs { items: usize, locations: usize },
}

impl LimitError {
    /// The same, as the reason a project file is damaged.
    pub fn as_damage(&self) -> String {
        match self {
            LimitError::StartOutOfRange(date) => {
                format!("its starting date {date} is outside the years 1900 to 2100")
            }
            LimitError::StartAfterReading { start, today } => {
                format!("its starting date {start} is after {today}, when it was read")
            }
            LimitError::TooManyPeriods { periods, .. } => {
                format!("it would have {periods} periods, more than {MAX_PERIODS}")
            }
            LimitError::TooManyPairs { items, locations } => format!(
                "its {items} items at {locations} locations are more pairs than {MAX_PAIRS}"
            ),
        }
    }
}

impl ImportSettings {
    /// Whether a project with these settings, read at `as_of`, fits the limits.
    pub fn check(&self, as_of: DateTime<Utc>) -> Result<(), LimitError> {
        let start = self.starting_date;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&start.year()) {
            return Err(LimitError::StartOutOfRange(start));
        }
        let today = as_of.with_timezone(&self.time_zone).date_naive();
        if start > today {
            return Err(LimitError::StartAfterReading { start, today });
        }
        let periods = period_count(self, today);
        if periods > MAX_PERIODS {
            return Err(LimitError::TooManyPeriods {
                start,
                group_by: self.group_by,
                periods,
            });
        }
        Ok(())
    }
}

/// How many periods run from the one containing the starting date to the one containing
/// `today` (both between 1900 and 2200, so nothing here can overflow).
fn period_count(settings: &ImportSettings, today: NaiveDate) -> u64 {
    let origin = super::calendar::period_start(
        settings.starting_date,
        settings.group_by,
        settings.week_start,
    );
    let days = (today - origin).num_days().max(0) as u64;
    match settings.group_by {
        GroupBy::Day => days + 1,
        GroupBy::Week => days / 7 + 1,
        GroupBy::Month => {
            let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
            (months(today) - months(origin)).max(0) as u64 + 1
        }
    }
}

/// Checks that `items × locations` fits [`MAX_PAIRS`].
pub fn check_pairs(items: usize, locations: usize) -> Result<usize, LimitError> {
    items
        .checked_mul(locations)
        .filter(|&pairs| pairs as u64 <= MAX_PAIRS)
        .ok_or(LimitError::TooManyPairs { items, locations })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn settings(y: i32, m: u32, d: u32, group_by: GroupBy) -> ImportSettings {
        ImportSettings::new(
            NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            group_by,
            chrono_tz::Pacific::Auckland,
        )
    }

    #[test]
    fn dates_periods_and_pairs_are_bounded() {
        // 1 December 2026 10:00 UTC is 11 pm in Auckland: still the 1st there.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(settings(2024, 12, 1, GroupBy::Week).check(now), Ok(()));
        assert_eq!(
            period_count(&settings(2026, 11, 1, GroupBy::Month), now.date_naive()),
            2
        );
        assert_eq!(
            period_count(&settings(2026, 11, 30, GroupBy::Day), now.date_naive()),
            2
        );
        assert_eq!(
            settings(1899, 12, 31, GroupBy::Month).check(now),
            Err(LimitError::StartOutOfRange(
                NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()
            ))
        );
        let tomorrow = settings(2026, 12, 2, GroupBy::Day).check(now).unwrap_err();
        assert_eq!(
            tomorrow.to_string(),
            "The starting date 2026-12-02 is after 2026-12-01, the day the account is read: choose 2026-12-01 or earlier."
        );
        let by_day = settings(1950, 1, 1, GroupBy::Day).check(now).unwrap_err();
        assert!(
            matches!(
                by_day,
                LimitError::TooManyPeriods {
                    periods: 28_094,
                    ..
                }
            ),
            "{by_day:?}"
        );
        assert_eq!(settings(1950, 1, 1, GroupBy::Week).check(now), Ok(()));
        assert_eq!(check_pairs(20_000, 10), Ok(200_000));
        assert!(check_pairs(usize::MAX, 2).is_err());
        assert!(check_pairs(10_000_000, 3).is_err());
    }
}
