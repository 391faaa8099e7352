//! What an import tells its front end while it reads: counts per resource, and an estimate of
//! the time left from the rate limit and what is known of the account's size.

use super::{Exactness, Phase, Progress, WalkProgress, WalkStatus};
use crate::cin7::{CallStats, MAX_ROWS, Resource};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How far the sales-order walk has come, by ids: the walk goes in id order, and a probe tells
/// the highest id it will reach.
#[derive(Debug, Default)]
struct IdRange {
    lowest: Option<i64>,
    highest_seen: Option<i64>,
    highest: Option<i64>,
}

impl IdRange {
    /// The share of the id range read so far.
    fn fraction(&self) -> Option<f64> {
        let (low, seen, high) = (self.lowest?, self.highest_seen?, self.highest?);
        // In floating point: ids from a server are anything, and their difference may not fit.
        let (low, seen, high) = (low as f64, seen as f64, high as f64);
        (high > low).then(|| ((seen - low) / (high - low)).clamp(0.0, 1.0))
    }
}

/// The running tally of one import.
pub(super) struct Tracker {
    started: Instant,
    stats: Arc<CallStats>,
    /// Calls a second the rate limit allows, for the estimate.
    rate: Option<f64>,
    records: BTreeMap<Resource, u64>,
    walks: BTreeMap<Resource, (WalkStatus, u32)>,
    orders: IdRange,
    probed: bool,
    /// Walks beyond one per resource (the older open documents'), each ending with its own
    /// empty page.
    second_walks: u64,
    notices: Vec<String>,
    /// How far back a newest-first import is exact so far.
    exact: Option<Exactness>,
    /// The records of each resource counted once, where some were read twice.
    distinct: Option<BTreeMap<Resource, u64>>,
}

impl Tracker {
    pub(super) fn new(stats: Arc<CallStats>, rate: Option<f64>) -> Self {
        Self {
            started: Instant::now(),
            stats,
            rate,
            records: BTreeMap::new(),
            walks: BTreeMap::new(),
            orders: IdRange::default(),
            probed: false,
            second_walks: 0,
            notices: Vec::new(),
            exact: None,
            distinct: None,
        }
    }

    pub(super) fn stats(&self) -> &CallStats {
        &self.stats
    }

    pub(super) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The records read of each resource: each once, where the run read some twice and said
    /// how many there are ([`Tracker::distinct`]).
    pub(super) fn records(&self) -> &BTreeMap<Resource, u64> {
        self.distinct.as_ref().unwrap_or(&self.records)
    }

    /// The run read some records more than once (a newest-first import's windows and its
    /// catch-up): these are the records it has, each once.
    pub(super) fn distinct(&mut self, records: BTreeMap<Resource, u64>) {
        self.distinct = Some(records);
    }

    /// A walk of `resource` is planned.
    pub(super) fn planned(&mut self, resource: Resource) {
        self.walks.insert(resource, (WalkStatus::Waiting, 0));
    }

    /// A walk ended, read to its end or not.
    pub(super) fn ended(&mut self, resource: Resource, read: bool) {
        let walk = self
            .walks
            .entry(resource)
            .or_insert((WalkStatus::Waiting, 0));
        walk.0 = if read {
            WalkStatus::Done
        } else {
            WalkStatus::Failed
        };
    }

    /// A page of `count` records of `resource` arrived, with these ids.
    pub(super) fn page(
        &mut self,
        resource: Resource,
        count: usize,
        ids: impl Iterator<Item = i64>,
    ) {
        *self.records.entry(resource).or_default() += count as u64;
        let walk = self
            .walks
            .entry(resource)
            .or_insert((WalkStatus::Waiting, 0));
        walk.0 = WalkStatus::Reading;
        walk.1 += 1;
        if resource == Resource::SalesOrders {
            for id in ids {
                self.orders.lowest = Some(self.orders.lowest.map_or(id, |low| low.min(id)));
                self.orders.highest_seen =
                    Some(self.orders.highest_seen.map_or(id, |high| high.max(id)));
            }
        }
    }

    /// The highest sales-order id the walk will reach, from the probe.
    pub(super) fn orders_end(&mut self, highest: Option<i64>) {
        self.orders.highest = highest;
        self.probed = true;
    }

    /// Whether the run probed for the highest order id (one call beyond its pages).
    pub(super) fn probed(&self) -> bool {
        self.probed
    }

    /// A resource is walked a second time, with another filter.
    pub(super) fn second_walk(&mut self) {
        self.second_walks += 1;
    }

    /// Walks beyond one per resource.
    pub(super) fn second_walks(&self) -> u64 {
        self.second_walks
    }

    /// A newest-first import is exact back to `exact` now.
    pub(super) fn exact(&mut self, exact: Exactness) {
        self.exact = Some(exact);
    }

    /// How much of the sales orders' walk is done: by the id range in a single pass; by the
    /// history's time in a newest-first import, once the stock (nearly half the calls) is read,
    /// never all of it before what changed meanwhile is read.
    fn orders_fraction(&self) -> Option<f64> {
        let by_time = self
            .exact
            .and_then(|e| e.on_hand_since.map(|_| e.history_read.min(0.99)));
        self.orders.fraction().or(by_time)
    }

    /// Something the planner should know, shown with the progress.
    pub(super) fn notice(&mut self, text: String) {
        self.notices.push(text);
    }

    /// The time left: the sales-order pages still to come, and at least a page of every other
    /// walk not yet done (their sizes are not known ahead), at the rate the limit allows: every
    /// walk draws on the same calls.
    fn eta(&self) -> Option<Duration> {
        let fraction = self.orders_fraction().filter(|f| *f > 0.0)?;
        let read = *self.records.get(&Resource::SalesOrders)? as f64 / f64::from(MAX_ROWS);
        let order_pages_left = (read * (1.0 - fraction) / fraction).ceil();
        let other_walks_left = self
            .walks
            .iter()
            .filter(|(resource, (status, _))| {
                **resource != Resource::SalesOrders
                    && matches!(status, WalkStatus::Waiting | WalkStatus::Reading)
            })
            .count();
        let calls_left = order_pages_left + other_walks_left as f64;
        Some(Duration::from_secs_f64(calls_left / self.rate?))
    }

    pub(super) fn snapshot(&self, phase: Phase) -> Progress {
        let s = self.stats.snapshot();
        Progress {
            phase,
            calls: s.calls,
            retries: s.retries,
            rate_limit_wait: s.waited,
            elapsed: self.elapsed(),
            records: self.records.clone(),
            fraction: match phase {
                Phase::Reading => self.orders_fraction(),
                Phase::Building => Some(1.0),
            },
            eta: match phase {
                Phase::Reading => self.eta(),
                Phase::Building => Some(Duration::ZERO),
            },
            notices: self.notices.clone(),
            walks: self
                .walks
                .iter()
                .map(|(&resource, &(status, pages))| WalkProgress {
                    resource,
                    status,
                    pages,
                    records: self.records.get(&resource).copied().unwrap_or(0),
                })
                .collect(),
            limits: Vec::new(),
            waiting_for_limit: false,
            retrying: self.stats.retrying(),
            exact: self.exact,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_from_the_id_range_and_the_rate() {
        let mut tracker = Tracker::new(Arc::new(CallStats::default()), Some(1.0));
        assert_eq!(tracker.snapshot(Phase::Reading).eta, None);
        tracker.orders_end(Some(10_995));
        // Two pages of 250 cover ids 1,000 to 2,999 of 1,000 to 10,995: a fifth of the range.
        tracker.page(Resource::SalesOrders, 250, 1_000..1_250);
        tracker.page(
            Resource::SalesOrders,
            250,
            [1_251, 2_999].into_iter().chain(1_260..1_508),
        );
        let progress = tracker.snapshot(Phase::Reading);
        assert_eq!(progress.records.get(&Resource::SalesOrders), Some(&500));
        assert_eq!(progress.fraction, Some(0.2));
        // Eight more pages at one call a second.
        assert_eq!(progress.eta, Some(Duration::from_secs(8)));
        // Walks still to read take at least a call each; those done, none.
        for resource in [Resource::Stock, Resource::CreditNotes, Resource::Products] {
            tracker.planned(resource);
        }
        tracker.page(Resource::CreditNotes, 250, 1..=250);
        tracker.ended(Resource::Products, true);
        assert_eq!(
            tracker.snapshot(Phase::Reading).eta,
            Some(Duration::from_secs(10))
        );
    }
}
