//! Cin7's rate limits as data: a set of sliding windows ("3 calls per second, 60 per minute,
//! 5,000 per day"), and the importer's record of its own calls against them. The sandbox
//! enforces the same limits with code of its own (`sandbox::limiter`), so that the pacer is
//! never checked only against itself.

use std::collections::VecDeque;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// A window at least this many times longer than the next shorter one is a call budget (Cin7's
/// day against its minute) rather than a rate: a run stops when it is spent instead of waiting.
/// Relative, so that windows scaled down together for tests keep their nature.
const BUDGET_FACTOR: u32 = 100;

/// One window: at most `calls` calls in any interval of length `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub calls: u32,
    pub per: Duration,
}

/// Every window that applies to one API connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub windows: Vec<Window>,
}

/// Cin7 Omni's documented limits, as the command line writes them.
pub const CIN7_LIMITS: &str = "3/1s,60/60s,5000/1d";

impl RateLimits {
    /// Whether `window` (one of these) is a budget: an hour or longer, or at least a hundred
    /// times as long as the next shorter window.
    pub fn is_budget(&self, window: &Window) -> bool {
        window.per >= Duration::from_secs(3600)
            || self
                .windows
                .iter()
                .filter(|w| w.per < window.per)
                .map(|w| w.per)
                .max()
                .is_some_and(|shorter| window.per >= shorter * BUDGET_FACTOR)
    }

    /// Cin7 Omni's documented limits per API connection ([`CIN7_LIMITS`]).
    pub fn cin7() -> Self {
        Self {
            windows: vec![
                Window {
                    calls: 3,
                    per: Duration::from_secs(1),
                },
                Window {
                    calls: 60,
                    per: Duration::from_secs(60),
                },
                Window {
                    calls: 5_000,
                    per: Duration::from_secs(86_400),
                },
            ],
        }
    }

    /// No limit at all (tests that exercise something else).
    pub fn unlimited() -> Self {
        Self {
            windows: Vec::new(),
        }
    }

    /// The call rate the windows allow while an import runs, in calls per second. Budgets
    /// (Cin7's 5,000 a day) end an import rather than pace it, so they do not count here;
    /// `None` when nothing shorter limits the rate.
    pub fn sustained_rate(&self) -> Option<f64> {
        self.windows
            .iter()
            .filter(|w| !self.is_budget(w))
            .map(|w| f64::from(w.calls) / w.per.as_secs_f64())
            .min_by(f64::total_cmp)
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::cin7()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid rate-limit spec {spec:?}: {reason} (expected e.g. 3/1s,60/60s,5000/1d)")]
pub struct RateLimitSpecError {
    spec: String,
    reason: &'static str,
}

impl FromStr for RateLimits {
    type Err = RateLimitSpecError;

    /// Parses `3/1s,60/60s,5000/1d`; durations take `ms`, `s`, `m`, `h` or `d`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let fail = |reason| RateLimitSpecError {
            spec: spec.to_owned(),
            reason,
        };
        let trimmed = spec.trim();
        if trimmed.eq_ignore_ascii_case("none") {
            return Ok(Self::unlimited());
        }
        let mut windows = Vec::new();
        for part in trimmed.split(',') {
            let (calls, per) = part
                .trim()
                .split_once('/')
                .ok_or_else(|| fail("a window needs calls/duration"))?;
            let calls: u32 = calls
                .trim()
                .parse()
                .map_err(|_| fail("the call count must be a whole number"))?;
            let per = crate::duration::parse(per)
                .ok_or_else(|| fail("the duration must be a number with ms, s, m, h or d"))?;
            if calls == 0 || per.is_zero() {
                return Err(fail("calls and duration must be above zero"));
            }
            windows.push(Window { calls, per });
        }
        Ok(Self { windows })
    }
}

/// The record of recent calls against a [`RateLimits`]: answers "when may the next call go?"
/// and "does this call fit?". Keeps only as many calls as the largest window allows.
#[derive(Debug)]
pub struct SlidingWindows {
    limits: RateLimits,
    /// Recent calls, oldest sent first.
    history: VecDeque<Call>,
}

/// How much longer than it is a window is treated as, in two parts: `arrival`, the most a call
/// may reach the server after it was sent (which an answer bounds), and `beyond`, what the
/// server's 429s taught on top (a window longer than believed, which no answer bounds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Margin {
    pub arrival: Duration,
    pub beyond: Duration,
}

/// One call: when it was sent, and the latest its answer shows the server can have counted
/// it. The server counted it somewhere between the two.
#[derive(Clone, Copy, Debug)]
struct Call {
    sent: Instant,
    counted_by: Option<Instant>,
}

impl Call {
    /// The latest the server can have counted this call, when it is assumed to arrive at most
    /// `margin` after it was sent.
    fn latest_arrival(&self, margin: Duration) -> Instant {
        let assumed = self.sent + margin;
        self.counted_by.map_or(assumed, |by| by.min(assumed))
    }
}

impl SlidingWindows {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            history: VecDeque::new(),
        }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    fn sent(&self, index: usize) -> Instant {
        self.history[index].sent
    }

    /// The earliest instant at or after `now` at which one more call fits every window, where
    /// a call is taken to arrive up to the window's arrival margin after it was sent (and
    /// never after its answer shows it was counted), and the window to last its `beyond`
    /// margin longer.
    pub fn next_slot(&self, now: Instant, margin: impl Fn(Duration) -> Margin) -> Instant {
        let mut slot = now;
        for window in &self.limits.windows {
            let margin = margin(window.per);
            if let Some(blocking) = self.blocking_arrival(window.calls as usize, margin.arrival) {
                slot = slot.max(blocking + margin.beyond + window.per);
            }
        }
        slot
    }

    /// The `calls`-th latest arrival of the recent calls: the one that must leave a window of
    /// that many calls before another fits. Only calls sent within `margin` of the
    /// `calls`-th latest send can arrive later than it, so only those are looked at.
    fn blocking_arrival(&self, calls: usize, margin: Duration) -> Option<Instant> {
        let len = self.history.len();
        if calls == 0 || len < calls {
            return None;
        }
        let floor = self.sent(len - calls);
        if margin.is_zero() {
            // Arrivals are the sends (a budget's case, over thousands of calls).
            return Some(floor);
        }
        let mut arrivals: Vec<Instant> = self
            .history
            .iter()
            .rev()
            .take_while(|call| call.sent + margin >= floor)
            .map(|call| call.latest_arrival(margin))
            .collect();
        arrivals.sort_unstable_by(|a, b| b.cmp(a));
        arrivals.get(calls - 1).copied()
    }

    /// A budget window (an hour or longer) that is full at `now`: its size, and when its
    /// oldest call ages out.
    pub fn budget_spent(&self, now: Instant) -> Option<(u32, Instant)> {
        self.limits
            .windows
            .iter()
            .filter(|w| self.limits.is_budget(w) && self.history.len() >= w.calls as usize)
            .map(|w| {
                (
                    w.calls,
                    self.sent(self.history.len() - w.calls as usize) + w.per,
                )
            })
            .filter(|(_, free_at)| *free_at > now)
            .max_by_key(|(_, free_at)| *free_at)
    }

    /// The window with the least room when the call recorded at `at` was let out: the one a
    /// server's 429 for that call most likely came from. Budgets are not rates and never are.
    pub fn tightest(&self, at: Instant) -> Option<Duration> {
        let index = self.history.iter().rposition(|call| call.sent == at)?;
        self.limits
            .windows
            .iter()
            .filter(|w| !self.limits.is_budget(w) && index >= w.calls as usize)
            .map(|w| {
                let room = (at - self.sent(index - w.calls as usize)).saturating_sub(w.per);
                (room, w.per)
            })
            .min()
            .map(|(_, per)| per)
    }

    /// Calls recorded in the `per` before `now`.
    pub fn calls_within(&self, per: Duration, now: Instant) -> u32 {
        self.history
            .iter()
            .rev()
            .take_while(|call| call.sent + per > now)
            .count() as u32
    }

    /// Records a call sent at `at` unconditionally (in time order: earlier calls first).
    pub fn record(&mut self, at: Instant) {
        let position = self
            .history
            .iter()
            .rposition(|call| call.sent <= at)
            .map_or(0, |i| i + 1);
        self.history.insert(
            position,
            Call {
                sent: at,
                counted_by: None,
            },
        );
        let keep = self
            .limits
            .windows
            .iter()
            .map(|w| w.calls as usize)
            .max()
            .unwrap_or(0);
        while self.history.len() > keep {
            self.history.pop_front();
        }
    }

    /// The answer to the call sent at `sent` shows that the server had counted it by `by`.
    pub fn counted_by(&mut self, sent: Instant, by: Instant) {
        if let Some(call) = self
            .history
            .iter_mut()
            .rev()
            .find(|call| call.sent == sent && call.counted_by.is_none())
        {
            call.counted_by = Some(by.max(sent));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_default_spec() {
        let limits: RateLimits = CIN7_LIMITS.parse().unwrap();
        assert_eq!(limits, RateLimits::cin7());
        assert_eq!(limits.sustained_rate(), Some(1.0));
        let scaled: RateLimits = "3/50ms,60/3s".parse().unwrap();
        assert_eq!(scaled.windows[0].per, Duration::from_millis(50));
        assert_eq!(scaled.windows[1].per, Duration::from_secs(3));
        assert_eq!(scaled.sustained_rate(), Some(20.0));
        let budgets: Vec<bool> = limits.windows.iter().map(|w| limits.is_budget(w)).collect();
        assert_eq!(budgets, vec![false, false, true]);
        // Scaled down together, the day stays a budget.
        let small: RateLimits = "3/5ms,10/100ms,40/10s".parse().unwrap();
        assert!(small.is_budget(&small.windows[2]) && !small.is_budget(&small.windows[1]));
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in ["", "3", "3/1", "x/1s", "3/1y", "0/1s", "3/0s"] {
            assert!(bad.parse::<RateLimits>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn windows_allow_bursts_up_to_the_limit_then_wait() {
        let mut windows = SlidingWindows::new("3/1s,5/10s".parse().unwrap());
        let t0 = Instant::now();
        let no_margin = |_| Margin::default();
        for _ in 0..3 {
            assert_eq!(windows.next_slot(t0, no_margin), t0);
            windows.record(t0);
        }
        assert_eq!(
            windows.next_slot(t0, no_margin),
            t0 + Duration::from_secs(1)
        );
        assert_eq!(
            windows.next_slot(t0, |per| Margin {
                arrival: per / 10,
                beyond: Duration::ZERO,
            }),
            t0 + Duration::from_millis(1100),
            "with a margin of a tenth"
        );
        windows.record(t0 + Duration::from_secs(1));
        windows.record(t0 + Duration::from_secs(1));
        // Five calls within ten seconds: the sixth waits for the first to age out.
        assert_eq!(
            windows.next_slot(t0 + Duration::from_secs(2), no_margin),
            t0 + Duration::from_secs(10)
        );
        // The fifth call (at 1 s) had no room left in the second window, plenty in the other.
        assert_eq!(
            windows.tightest(t0 + Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(windows.tightest(t0 + Duration::from_secs(5)), None);
    }

    #[test]
    fn an_answered_call_arrived_by_its_answer_and_frees_its_window_sooner() {
        let mut windows = SlidingWindows::new("2/1s".parse().unwrap());
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let half_a_second = |_| Margin {
            arrival: ms(500),
            beyond: Duration::ZERO,
        };
        windows.record(t0);
        windows.record(t0 + ms(100));
        // Unanswered, both may arrive half a second late: the next call waits for the first.
        assert_eq!(windows.next_slot(t0, half_a_second), t0 + ms(1500));
        // The first is answered 200 ms after it was sent, the second not yet.
        windows.counted_by(t0, t0 + ms(200));
        assert_eq!(windows.next_slot(t0, half_a_second), t0 + ms(1200));
        // An answer later than the margin changes nothing: the margin already bounds it.
        windows.counted_by(t0 + ms(100), t0 + ms(900));
        assert_eq!(windows.next_slot(t0, half_a_second), t0 + ms(1200));
        // The first answered call is the one that blocks, not the earliest sent.
        let mut late_first = SlidingWindows::new("2/1s".parse().unwrap());
        late_first.record(t0);
        late_first.record(t0 + ms(100));
        late_first.counted_by(t0 + ms(100), t0 + ms(150));
        assert_eq!(late_first.next_slot(t0, half_a_second), t0 + ms(1150));
        // What 429s taught is added after the answer: it stands for a longer window.
        let taught = |_| Margin {
            arrival: ms(500),
            beyond: ms(300),
        };
        assert_eq!(late_first.next_slot(t0, taught), t0 + ms(1450));
    }
}
