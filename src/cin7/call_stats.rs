//! Counters of one client's calls (calls, retries, waits, response time, Cin7's clock),
//! kept as the calls go and read by the progress while they do.

use super::retry::Retry;
use crate::sync::lock;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Counters of one client's calls, readable while it works.
#[derive(Debug, Default)]
pub struct CallStats {
    calls: AtomicU64,
    successes: AtomicU64,
    retries: AtomicU64,
    waited_ms: AtomicU64,
    /// Recent response time (exponentially weighted), in microseconds.
    latency_us: AtomicU64,
    /// When each call went out, for the daily budget kept across runs.
    sent_at: Mutex<Vec<SystemTime>>,
    /// Pages found in the page store instead of being asked for.
    reused: AtomicU64,
    /// How far Cin7's clock ran ahead of this computer's, by the first answer's `Date`.
    clock_ahead: Mutex<Option<chrono::TimeDelta>>,
    /// The last call that failed and waits to be tried again, until a call succeeds.
    retrying: Mutex<Option<Retrying>>,
}

/// A call that failed and will be tried again: why, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retrying {
    /// What went wrong, as a clause: "Cin7 cannot be reached (its name could not be found)".
    pub trouble: String,
    pub next_attempt: SystemTime,
    /// The attempt that comes next, and how many there are in all.
    pub attempt: u32,
    pub attempts: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub calls: u64,
    /// Pages read from the page store (kept by an earlier run) instead of from Cin7.
    pub reused_pages: u64,
    pub retries: u64,
    pub waited: Duration,
}

impl CallStats {
    pub(super) fn observe_latency(&self, latency: Duration) {
        let sample = latency.as_micros() as u64;
        let old = self.latency_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            (old * 7 + sample) / 8
        };
        self.latency_us.store(new, Ordering::Relaxed);
    }

    /// When each call went out, in order.
    pub fn sent_at(&self) -> Vec<SystemTime> {
        lock(&self.sent_at).clone()
    }

    /// How far Cin7's clock ran ahead of this computer's (negative: behind), to the second;
    /// `None` before an answer with a believable `Date` came.
    pub fn cin7_clock_ahead(&self) -> Option<chrono::TimeDelta> {
        *lock(&self.clock_ahead)
    }

    pub(super) fn observe_date(&self, headers: &reqwest::header::HeaderMap) {
        let mut ahead = lock(&self.clock_ahead);
        if ahead.is_none() {
            *ahead = clock_ahead(headers, chrono::Utc::now());
        }
    }

    /// The call waiting to be tried again, if the last to fail has not been followed by a
    /// success.
    pub fn retrying(&self) -> Option<Retrying> {
        lock(&self.retrying).clone()
    }

    /// Counts a call going out after the pacer held the run back `held_back` in all; returns
    /// the calls made so far, this one included.
    pub(super) fn sent(&self, held_back: Duration) -> u64 {
        // Concurrent calls wait together: the report counts the wall time the limit held the
        // import back, not the sum of every call's wait.
        self.waited_ms
            .store(held_back.as_millis() as u64, Ordering::Relaxed);
        lock(&self.sent_at).push(SystemTime::now());
        self.calls.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Counts a call that succeeded: nothing waits to be tried again.
    pub(super) fn succeeded(&self) {
        self.successes.fetch_add(1, Ordering::Relaxed);
        lock(&self.retrying).take();
    }

    /// Whether any call has succeeded yet.
    pub(super) fn any_succeeded(&self) -> bool {
        self.successes.load(Ordering::Relaxed) > 0
    }

    /// Counts a retry; a fault (not Cin7's pace) is shown as the call waiting to be tried again.
    pub(super) fn retried(&self, retry: &Retry) {
        if let Some(trouble) = &retry.trouble {
            *lock(&self.retrying) = Some(Retrying {
                trouble: trouble.clone(),
                next_attempt: SystemTime::now() + retry.delay,
                attempt: retry.attempt,
                attempts: retry.attempts,
            });
        }
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a page found in the page store instead of asked for.
    pub(super) fn reused_page(&self) {
        self.reused.fetch_add(1, Ordering::Relaxed);
    }

    /// The recent response time.
    pub(super) fn latency(&self) -> Duration {
        Duration::from_micros(self.latency_us.load(Ordering::Relaxed))
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            reused_pages: self.reused.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            waited: Duration::from_millis(self.waited_ms.load(Ordering::Relaxed)),
        }
    }
}

/// Beyond a day, a server's `Date` is taken for a broken clock rather than this computer's.
pub const BELIEVABLE_CLOCK_GAP: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Within this, two clocks agree: a `Date` gives whole seconds, written before the answer
/// travelled, so a clock in step with this computer's reads up to a second and a round trip
/// behind it. (Without this, two imports a moment apart could say 0 and −1 s of the same
/// clocks, and their projects differ.)
const AGREEING_CLOCKS: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

/// How far the clock that dated an answer (`Date`, as HTTP writes it) runs ahead of `now`.
fn clock_ahead(
    headers: &reqwest::header::HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::TimeDelta> {
    let date = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    let dated = chrono::DateTime::parse_from_rfc2822(date).ok()?;
    let ahead = dated.signed_duration_since(now);
    if ahead.abs() < AGREEING_CLOCKS {
        return Some(chrono::TimeDelta::zero());
    }
    (ahead.abs() <= BELIEVABLE_CLOCK_GAP).then_some(ahead)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_of_an_answer_is_read_from_its_date_within_a_day() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T06:00:00Z")
            .unwrap()
            .to_utc();
        let dated = |date: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::DATE, date.parse().unwrap());
            clock_ahead(&headers, now)
        };
        assert_eq!(
            dated("Wed, 02 Dec 2026 02:59:30 GMT"),
            Some(chrono::TimeDelta::seconds(-3 * 3600 - 30))
        );
        assert_eq!(
            dated("Wed, 02 Dec 2026 06:00:05 GMT"),
            Some(chrono::TimeDelta::seconds(5))
        );
        // A second behind, or just ahead: the same clock, read in whole seconds.
        assert_eq!(
            dated("Wed, 02 Dec 2026 05:59:59 GMT"),
            Some(chrono::TimeDelta::zero())
        );
        assert_eq!(
            dated("Wed, 02 Dec 2026 06:00:01 GMT"),
            Some(chrono::TimeDelta::zero())
        );
        assert_eq!(dated("Fri, 04 Dec 2026 06:00:00 GMT"), None, "two days out");
        assert_eq!(dated("yesterday"), None);
        assert_eq!(clock_ahead(&reqwest::header::HeaderMap::new(), now), None);
    }
}
