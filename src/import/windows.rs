//! Newest first: the windows of `modifiedDate` an import reads the sales orders in, newest
//! first, and how far back the project is exact once some of them are read. Once every
//! document modified at or after an instant T has been read, every period that starts at or
//! after T is exact (docs/import-rules.md, "What a fetch may skip"), so the first windows
//! make the recent periods exact while the older history is still being read.

use super::plan::{instant, orders_where};
use crate::cin7::ListQuery;
use crate::project::calendar::local_midnight_utc;
use crate::project::{ImportSettings, Period};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The windows' lengths in days, newest first; the last repeats back to the history's start.
/// Each window costs its partly filled last page and its empty one, so the first is small
/// (the recent weeks exact within the first minutes) and they grow fast, for few windows.
const WINDOW_DAYS: [i64; 5] = [14, 42, 91, 182, 365];

/// The windows of one import: their lower edges, newest first, the last being the earliest
/// start of the history. The first window has no upper edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Windows {
    as_of: DateTime<Utc>,
    edges: Vec<DateTime<Utc>>,
}

impl Windows {
    /// The windows of an import as of `as_of` reading back to `start`. A remainder shorter
    /// than half the window before it joins that window.
    pub(super) fn new(as_of: DateTime<Utc>, start: DateTime<Utc>) -> Self {
        let mut edges = Vec::new();
        let mut upper = as_of;
        let lengths = WINDOW_DAYS.iter().chain(std::iter::repeat(&365));
        for &days in lengths {
            let lower = upper - TimeDelta::days(days);
            if lower <= start || lower - start < TimeDelta::days(days) / 2 {
                edges.push(start);
                return Self { as_of, edges };
            }
            edges.push(lower);
            upper = lower;
        }
        unreachable!("the window lengths repeat until the start is reached")
    }

    pub(super) fn len(&self) -> usize {
        self.edges.len()
    }

    /// The lower edge of window `k` (0 is the newest).
    pub(super) fn lower_edge(&self, k: usize) -> DateTime<Utc> {
        self.edges[k]
    }

    /// Whether window `k` is worth asking for eagerly (see [`ListQuery::eager`]): whether it
    /// should hold more than a page, going by the `newer` records window `k − 1` held for its
    /// time. The first is not: the other walks read meanwhile keep the pacer busy.
    fn eager(&self, k: usize, newer: u64) -> bool {
        let Some(before) = k.checked_sub(1) else {
            return false;
        };
        let upper = |k: usize| {
            k.checked_sub(1)
                .map_or(self.as_of, |newer| self.edges[newer])
        };
        let length = |k: usize| (upper(k) - self.edges[k]).num_seconds().max(1) as f64;
        newer as f64 * length(k) / length(before) > f64::from(crate::cin7::MAX_ROWS)
    }

    /// The sales orders of window `k`, the window before it having held `newer` records. A
    /// window with an upper edge also takes every order modified since `edits_since` (the
    /// run's start by Cin7's clock, less an overlap): an order edited while the import runs
    /// then stays in every window's selection, rather than leaving it and moving the orders
    /// after it up onto a page already read (the first window needs no such instant).
    pub(super) fn query(&self, k: usize, newer: u64, edits_since: DateTime<Utc>) -> ListQuery {
        let lower = instant(self.edges[k]);
        let filter = match k.checked_sub(1) {
            None => format!("modifiedDate>='{lower}'"),
            Some(newer) => format!(
                "(modifiedDate>='{lower}' AND modifiedDate<'{}') OR modifiedDate>='{}'",
                instant(self.edges[newer]),
                instant(edits_since)
            ),
        };
        orders_where(filter, self.eager(k, newer))
    }
}

/// How far back a project read newest first is exact.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exactness {
    /// Every sale of a period that starts at or after this instant is in the project.
    pub sales_since: DateTime<Utc>,
    /// Every on-hand value of such a period too; `None` until the current stock, which every
    /// on-hand value is worked back from, has been read.
    pub on_hand_since: Option<DateTime<Utc>>,
    /// The share of the history's time read (0 to 1).
    pub history_read: f64,
}

impl Exactness {
    /// Exact since `since`, for an import as of `as_of` reading back to `start`.
    pub(super) fn since(
        since: DateTime<Utc>,
        stock_read: bool,
        as_of: DateTime<Utc>,
        start: DateTime<Utc>,
    ) -> Self {
        let whole = (as_of - start).num_seconds().max(1) as f64;
        let read = (as_of - since).num_seconds() as f64;
        Self {
            sales_since: since,
            on_hand_since: stock_read.then_some(since),
            history_read: (read / whole).clamp(0.0, 1.0),
        }
    }

    /// The first day that is exact in `zone`: the day of `sales_since`, or the next one where
    /// it falls after midnight.
    pub fn back_to(&self, zone: Tz) -> NaiveDate {
        let day = self.sales_since.with_timezone(&zone).date_naive();
        if local_midnight_utc(day, zone) >= self.sales_since {
            day
        } else {
            day.succ_opt().unwrap_or(day)
        }
    }

    /// The first of `periods` whose sales are exact (`periods.len()` if none is).
    pub fn first_exact_period(&self, periods: &[Period], zone: Tz) -> usize {
        first_starting_after(periods, zone, self.sales_since)
    }

    /// The first of `periods` whose on-hand values are exact (`periods.len()` if none is).
    pub fn first_exact_on_hand(&self, periods: &[Period], zone: Tz) -> usize {
        self.on_hand_since.map_or(periods.len(), |since| {
            first_starting_after(periods, zone, since)
        })
    }

    /// The share of the history read, in whole percent (rounded down: 100 only once all of it
    /// is).
    pub fn percent(&self) -> u32 {
        (self.history_read * 100.0).floor() as u32
    }

    /// The line the command line prints after each window: "exact back to 2026-09-03 (62% of
    /// history read)", with what on-hand still waits for.
    pub fn line(&self, settings: &ImportSettings) -> String {
        let exact = format!(
            "exact back to {} ({}% of history read)",
            self.back_to(settings.time_zone).format("%Y-%m-%d"),
            self.percent()
        );
        match self.on_hand_since {
            Some(_) => exact,
            None => format!("{exact}; sales only, on-hand waits for the current stock"),
        }
    }
}

fn first_starting_after(periods: &[Period], zone: Tz, since: DateTime<Utc>) -> usize {
    periods
        .iter()
        .position(|p| local_midnight_utc(p.start, zone) >= since)
        .unwrap_or(periods.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn lengths(windows: &Windows, as_of: DateTime<Utc>) -> Vec<i64> {
        let mut upper = as_of;
        windows
            .edges
            .iter()
            .map(|&lower| {
                let days = (upper - lower).num_days();
                upper = lower;
                days
            })
            .collect()
    }

    #[test]
    fn windows_grow_back_to_the_start_and_a_short_remainder_joins_the_last() {
        let as_of = at(2026, 12, 1);
        // Three years: 14, 42, 91, 182, 365, then 409 days (a remainder of 44 joins).
        let windows = Windows::new(as_of, at(2023, 11, 24));
        assert_eq!(lengths(&windows, as_of), vec![14, 42, 91, 182, 365, 409]);
        assert_eq!(windows.lower_edge(5), at(2023, 11, 24));
        // Sixty days: 14, then the remaining 46 (more than half of 42, so a window of its own
        // would be 42 and leave 4: they join).
        let windows = Windows::new(as_of, at(2026, 10, 2));
        assert_eq!(lengths(&windows, as_of), vec![14, 46]);
        // A history shorter than the first window is one window.
        let windows = Windows::new(as_of, at(2026, 11, 25));
        assert_eq!(lengths(&windows, as_of), vec![6]);
        // A remainder of half the window or more is a window of its own.
        let windows = Windows::new(as_of, at(2026, 9, 15));
        assert_eq!(lengths(&windows, as_of), vec![14, 42, 21]);
        let windows = Windows::new(as_of, at(2026, 9, 16));
        assert_eq!(lengths(&windows, as_of), vec![14, 62]);
    }

    #[test]
    fn a_window_with_an_upper_edge_also_takes_what_was_edited_during_the_run() {
        let windows = Windows::new(at(2026, 12, 1), at(2026, 1, 1));
        let edits = Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap();
        assert_eq!(
            windows.query(0, 0, edits).filter.as_deref(),
            Some("modifiedDate>='2026-11-17T00:00:00Z'")
        );
        assert_eq!(
            windows.query(1, 0, edits).filter.as_deref(),
            Some(
                "(modifiedDate>='2026-10-06T00:00:00Z' AND modifiedDate<'2026-11-17T00:00:00Z') \
                 OR modifiedDate>='2026-11-30T23:00:00Z'"
            )
        );
        // Eager where the window before, for its time, held more than a page's worth: the
        // second window is three times the first, the third a bit over twice the second.
        let query = windows.query(2, 120, edits);
        assert_eq!(query.order, "id ASC");
        assert!(query.eager);
        assert!(!windows.query(2, 115, edits).eager);
        assert!(windows.query(1, 84, edits).eager);
        assert!(!windows.query(1, 83, edits).eager);
        assert!(!windows.query(0, 10_000, edits).eager);
    }

    #[test]
    fn exact_back_to_the_first_whole_day_in_the_zone() {
        let as_of = at(2026, 12, 1);
        let start = at(2025, 12, 1);
        let exact = Exactness::since(at(2026, 9, 3), false, as_of, start);
        let settings = ImportSettings::new(
            NaiveDate::from_ymd_opt(2025, 12, 8).unwrap(),
            crate::project::GroupBy::Week,
            chrono_tz::UTC,
        );
        assert_eq!(
            exact.line(&settings),
            "exact back to 2026-09-03 (24% of history read); sales only, on-hand waits for the \
             current stock"
        );
        // In Auckland 3 Sep 00:00 UTC is midday: the first whole day is the 4th.
        let auckland = ImportSettings {
            time_zone: chrono_tz::Pacific::Auckland,
            ..settings.clone()
        };
        let with_stock = Exactness::since(at(2026, 9, 3), true, as_of, start);
        assert_eq!(
            with_stock.line(&auckland),
            "exact back to 2026-09-04 (24% of history read)"
        );
        // Los Angeles is behind: 3 Sep 00:00 UTC is the 2nd there, so the 3rd is whole.
        assert_eq!(
            with_stock.back_to(chrono_tz::America::Los_Angeles),
            NaiveDate::from_ymd_opt(2026, 9, 3).unwrap()
        );
        assert_eq!(Exactness::since(start, true, as_of, start).percent(), 100);
        let almost = start + TimeDelta::minutes(1);
        assert_eq!(Exactness::since(almost, true, as_of, start).percent(), 99);
    }
}
