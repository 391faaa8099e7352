//! Periods: the days, weeks or months the project's series are grouped by, in the planner's
//! time zone. The first period contains the starting date, from its natural start; the last
//! contains the moment of the import and is marked as still in progress.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    #[value(alias = "days")]
    Day,
    #[default]
    #[value(alias = "weeks")]
    Week,
    #[value(alias = "months")]
    Month,
}

impl GroupBy {
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Day => "Days",
            GroupBy::Week => "Weeks",
            GroupBy::Month => "Months",
        }
    }
}

/// One period: `[start, end)` in local dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
}

impl Period {
    /// The last day inside the period.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }
}

/// The calendar of one project: how local dates map to period indexes.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    pub group_by: GroupBy,
    pub time_zone: Tz,
    /// Start of the first period.
    pub origin: NaiveDate,
    pub periods: Vec<Period>,
}

/// The natural start of the period that contains `date`.
pub fn period_start(date: NaiveDate, group_by: GroupBy, week_start: Weekday) -> NaiveDate {
    match group_by {
        GroupBy::Day => date,
        GroupBy::Week => {
            let back =
                (7 + date.weekday().num_days_from_monday() - week_start.num_days_from_monday()) % 7;
            date - Duration::days(i64::from(back))
        }
        GroupBy::Month => date.with_day(1).unwrap_or(date),
    }
}

fn next_start(start: NaiveDate, group_by: GroupBy) -> NaiveDate {
    match group_by {
        GroupBy::Day => start + Duration::days(1),
        GroupBy::Week => start + Duration::days(7),
        GroupBy::Month => start.checked_add_months(Months::new(1)).unwrap_or(start),
    }
}

impl Calendar {
    /// Periods from the one containing `starting_date` to the one containing `now`.
    pub fn new(
        starting_date: NaiveDate,
        group_by: GroupBy,
        time_zone: Tz,
        week_start: Weekday,
        now: DateTime<Utc>,
    ) -> Self {
        let origin = period_start(starting_date, group_by, week_start);
        let today = now.with_timezone(&time_zone).date_naive();
        let mut periods = Vec::new();
        let mut start = origin;
        while start <= today {
            let end = next_start(start, group_by);
            periods.push(Period { start, end });
            start = end;
        }
        Self {
            group_by,
            time_zone,
            origin,
            periods,
        }
    }

    /// The UTC instant at which the first period starts (the fetch's lower bound).
    pub fn first_instant(&self) -> DateTime<Utc> {
        local_midnight_utc(self.origin, self.time_zone)
    }

    /// The index of the period that contains `at`, if any.
    pub fn index_of(&self, at: DateTime<Utc>) -> Option<usize> {
        let date = at.with_timezone(&self.time_zone).date_naive();
        if date < self.origin {
            return None;
        }
        let index = match self.group_by {
            GroupBy::Day => (date - self.origin).num_days() as usize,
            GroupBy::Week => (date - self.origin).num_days() as usize / 7,
            GroupBy::Month => {
                let months = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
                (months(date) - months(self.origin)) as usize
            }
        };
        (index < self.periods.len()).then_some(index)
    }
}

/// The UTC instant of local midnight (or the first instant of the day, where a DST change
/// skips midnight) of `date` in `zone`.
pub fn local_midnight_utc(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let mut time = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&time).earliest() {
            return t.with_timezone(&Utc);
        }
        time += Duration::minutes(30);
    }
    time.and_utc()
}

/// The computer's own IANA time zone, or UTC where it cannot be told.
pub fn system_time_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn natural_period_starts() {
        // 2024-03-14 is a Thursday.
        assert_eq!(
            period_start(d(2024, 3, 14), GroupBy::Week, Weekday::Mon),
            d(2024, 3, 11)
        );
        assert_eq!(
            period_start(d(2024, 3, 14), GroupBy::Week, Weekday::Sun),
            d(2024, 3, 10)
        );
        assert_eq!(
            period_start(d(2024, 3, 10), GroupBy::Week, Weekday::Sun),
            d(2024, 3, 10)
        );
        assert_eq!(
            period_start(d(2024, 3, 14), GroupBy::Month, Weekday::Mon),
            d(2024, 3, 1)
        );
        assert_eq!(
            period_start(d(2024, 3, 14), GroupBy::Day, Weekday::Mon),
            d(2024, 3, 14)
        );
    }

    #[test]
    fn months_run_to_the_month_containing_now() {
        let now = Utc.with_ymd_and_hms(2024, 3, 31, 12, 0, 0).unwrap(); // 1 April in Auckland
        let cal = Calendar::new(
            d(2024, 1, 15),
            GroupBy::Month,
            chrono_tz::Pacific::Auckland,
            Weekday::Mon,
            now,
        );
        let starts: Vec<NaiveDate> = cal.periods.iter().map(|p| p.start).collect();
        assert_eq!(
            starts,
            vec![d(2024, 1, 1), d(2024, 2, 1), d(2024, 3, 1), d(2024, 4, 1)]
        );
        assert_eq!(cal.periods[1].end, d(2024, 3, 1));
        assert_eq!(cal.periods[1].last_day(), d(2024, 2, 29));
        assert_eq!(
            cal.first_instant(),
            Utc.with_ymd_and_hms(2023, 12, 31, 11, 0, 0).unwrap()
        );
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2024, 2, 29, 11, 30, 0).unwrap()),
            Some(2)
        );
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2023, 12, 31, 10, 59, 59).unwrap()),
            None
        );
    }
}
