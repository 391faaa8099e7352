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
    /// The Unix second at which each period starts, then the end of the last one: placing an
    /// instant is a binary search, with no time-zone arithmetic per instant.
    bounds: Vec<i64>,
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
        let bounds = std::iter::once(origin)
            .chain(periods.iter().map(|p| p.end))
            .map(|date| local_midnight_utc(date, time_zone).timestamp())
            .collect();
        Self {
            group_by,
            time_zone,
            origin,
            periods,
            bounds,
        }
    }

    /// The index of the period that contains the Unix second `at`, if any. Periods start at
    /// local midnights, whole seconds, so the second an instant falls in decides its period.
    pub fn index_at(&self, at: i64) -> Option<usize> {
        let started = self.bounds.partition_point(|&start| start <= at);
        (started >= 1 && started < self.bounds.len()).then(|| started - 1)
    }
}

/// The earliest instant at which any calendar from `starting_date` can start, whatever its
/// grouping, week start and time zone: the start of its month or of a week up to six days
/// before it, a day earlier still for the zones ahead of UTC. An import reads the documents
/// from here, so that its ledger can be regrouped any of those ways without calling Cin7.
pub fn earliest_start(starting_date: NaiveDate) -> DateTime<Utc> {
    let month_start = starting_date.with_day(1).unwrap_or(starting_date);
    let earliest_day = month_start.min(starting_date - Duration::days(6)) - Duration::days(1);
    earliest_day.and_time(chrono::NaiveTime::MIN).and_utc()
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

    /// What the tests ask of a calendar beyond what the app does.
    impl Calendar {
        /// The UTC instant at which the first period starts.
        pub fn first_instant(&self) -> DateTime<Utc> {
            local_midnight_utc(self.origin, self.time_zone)
        }

        /// The index of the period that contains `at`, if any.
        pub fn index_of(&self, at: DateTime<Utc>) -> Option<usize> {
            self.index_at(at.timestamp())
        }
    }

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
        // 1 May in Auckland is after the last period.
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2024, 4, 30, 12, 0, 0).unwrap()),
            None
        );
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2024, 4, 30, 11, 59, 59).unwrap()),
            Some(3)
        );
    }

    #[test]
    fn a_period_starts_at_the_first_instant_of_a_day_that_skips_midnight() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08: that day starts at
        // 01:00 local, 04:00 UTC.
        let zone = chrono_tz::America::Santiago;
        let now = Utc.with_ymd_and_hms(2024, 9, 10, 12, 0, 0).unwrap();
        let cal = Calendar::new(d(2024, 9, 7), GroupBy::Day, zone, Weekday::Mon, now);
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2024, 9, 8, 3, 59, 59).unwrap()),
            Some(0)
        );
        assert_eq!(
            cal.index_of(Utc.with_ymd_and_hms(2024, 9, 8, 4, 0, 0).unwrap()),
            Some(1)
        );
    }

    #[test]
    fn the_earliest_start_covers_every_grouping_and_zone() {
        // 2024-03-03 is a Sunday: a Monday week starts on 26 February, before the month.
        assert_eq!(
            earliest_start(d(2024, 3, 3)),
            Utc.with_ymd_and_hms(2024, 2, 25, 0, 0, 0).unwrap()
        );
        assert_eq!(
            earliest_start(d(2024, 3, 20)),
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap()
        );
        for zone in [
            chrono_tz::Pacific::Kiritimati,
            chrono_tz::Pacific::Pago_Pago,
        ] {
            for group_by in [GroupBy::Day, GroupBy::Week, GroupBy::Month] {
                for week_start in [Weekday::Mon, Weekday::Sun, Weekday::Thu] {
                    let now = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
                    let cal = Calendar::new(d(2024, 3, 3), group_by, zone, week_start, now);
                    assert!(cal.first_instant() >= earliest_start(d(2024, 3, 3)));
                }
            }
        }
    }
}
