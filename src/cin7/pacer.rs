//! The pacer: when each call of one API connection may go out so that every window of its
//! rate limits holds at the server, and when a budget window is spent.

use super::round_trip::RoundTrips;
use crate::rate_limit::{self, RateLimits, SlidingWindows};
use crate::sync::lock;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// Spaces the calls of one API connection so that every window of its rate limits holds at
/// the server. Shared by every request of an import; each call first waits for its slot. A
/// window of an hour or more is a budget: when it is spent the pacer refuses instead of
/// waiting for hours.
///
/// The server counts a call when it arrives, and calls sent in order arrive out of step
/// (connection set-up, scheduling, the network), so each window is treated as longer than it
/// is by a margin; a call whose answer is back was counted by then, less the shortest round
/// trip (see `round_trip`), which may be sooner. The margin learns: a 429 widens the margin
/// of the window that had the least room when that call went out, and every call that
/// succeeds shrinks what was learned again, slowly.
#[derive(Debug)]
pub struct Pacer {
    windows: Mutex<SlidingWindows>,
    margins: Mutex<Vec<LearnedMargin>>,
    /// Wall time during which some call was held back, however many were waiting at once.
    held_back: Mutex<HeldBack>,
    round_trips: Mutex<RoundTrips>,
    /// Wakes the calls waiting for a slot when an answer may have brought theirs closer.
    answers: tokio::sync::Notify,
    /// In a long run, calls go evenly (see [`Pacer::pace_evenly`]): when the next is due.
    even: Mutex<Option<EvenPace>>,
}

/// Calls at the sustained rate: each is due one interval after the one before (or after it
/// went, when it went late), and may go up to `in_hand` − 1 intervals before it is due, so
/// that calls held up by a stall make up for it.
#[derive(Clone, Copy, Debug)]
struct EvenPace {
    due: Option<std::time::Instant>,
    in_hand: u32,
}

/// One window's margin: what it starts with, and what 429s taught it on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LearnedMargin {
    per: Duration,
    calls: u32,
    /// Whether this window sets the sustained rate (Cin7's minute).
    binding: bool,
    base: Duration,
    learned: Duration,
    /// The most it may learn: a share of the window that keeps the sustained rate.
    most: Duration,
}

#[derive(Debug, Default)]
struct HeldBack {
    /// The latest slot a waiting call was told to wait for (what the window shows).
    planned_until: Option<std::time::Instant>,
    /// The end of the waits already added to `total`.
    counted_until: Option<std::time::Instant>,
    total: Duration,
}

/// The daily budget is spent: no call fits until `resets_in` has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetSpent {
    pub limit: u32,
    pub resets_in: Duration,
}

/// A call let out: when (the instant the pacer recorded it at) and how long it waited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub at: std::time::Instant,
    pub waited: Duration,
}

/// How much of one window is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowUse {
    pub window: crate::rate_limit::Window,
    /// Calls in the window's last stretch.
    pub used: u32,
}

/// What each success takes off a learned margin: about half of it in 70 calls.
const UNLEARN: f64 = 0.99;

/// The starting margins, and the most each may learn. The window that sets the sustained rate
/// (Cin7's minute) gets 2%, which costs 2% of the call rate; the burst windows (Cin7's second)
/// get a whole window, which costs nothing as long as they still allow half again the
/// sustained rate. At least 20 ms either way.
fn margins(limits: &RateLimits) -> Vec<LearnedMargin> {
    let rate = limits.sustained_rate();
    let floor = Duration::from_millis(20);
    limits
        .windows
        .iter()
        .filter(|w| !limits.is_budget(w))
        .map(|w| {
            let own_rate = f64::from(w.calls) / w.per.as_secs_f64();
            let binding = rate.is_some_and(|r| own_rate <= r);
            let (base, most) = if binding {
                ((w.per / 50).max(floor), w.per / 10)
            } else {
                let spare = rate.map_or(w.per, |r| {
                    Duration::try_from_secs_f64(f64::from(w.calls) / (1.5 * r))
                        .unwrap_or(w.per)
                        .saturating_sub(w.per)
                });
                let base = spare.clamp(floor, w.per.max(floor));
                // A call answered at once counts from its answer, and its starting margin
                // then bounds nothing: what is learned may reach both.
                (base, base + spare.max(floor))
            };
            LearnedMargin {
                per: w.per,
                calls: w.calls,
                binding,
                base,
                learned: Duration::ZERO,
                most,
            }
        })
        .collect()
}

impl Pacer {
    pub fn new(limits: RateLimits) -> Self {
        Self::with_history(limits, &[])
    }

    /// A pacer that knows the connection's earlier calls (from other runs), so that budgets
    /// count them.
    pub fn with_history(limits: RateLimits, earlier: &[SystemTime]) -> Self {
        let pacer = Self {
            margins: Mutex::new(margins(&limits)),
            windows: Mutex::new(SlidingWindows::new(limits)),
            held_back: Mutex::new(HeldBack::default()),
            round_trips: Mutex::new(RoundTrips::default()),
            answers: tokio::sync::Notify::new(),
            even: Mutex::new(None),
        };
        pacer.count_elsewhere(earlier);
        pacer
    }

    /// Counts calls other runs made on the connection. They wrote them down after sending
    /// them, so each is taken to have reached the server by now.
    pub fn count_elsewhere(&self, calls: &[SystemTime]) {
        let (now, wall) = (Instant::now().into_std(), SystemTime::now());
        let mut windows = lock(&self.windows);
        for &t in calls {
            // A call from before this computer started cannot be placed; it is left out.
            if let Some(at) = wall
                .duration_since(t)
                .ok()
                .and_then(|ago| now.checked_sub(ago))
            {
                windows.record(at);
                windows.counted_by(at, now);
            }
        }
    }

    /// Wall time during which the rate limit held back some call.
    pub fn held_back(&self) -> Duration {
        lock(&self.held_back).total
    }

    /// A call is told to wait until `slot`.
    fn plan_wait(&self, slot: std::time::Instant) {
        let mut held = lock(&self.held_back);
        held.planned_until = Some(held.planned_until.map_or(slot, |until| until.max(slot)));
    }

    /// A call waited from `from` to `to`: adds the part not already counted to the time held
    /// back (an answer can end a wait before its planned slot, so only real waits count).
    fn waited(&self, from: std::time::Instant, to: std::time::Instant) {
        let mut held = lock(&self.held_back);
        let start = held.counted_until.map_or(from, |until| until.max(from));
        if to > start {
            held.total += to - start;
            held.counted_until = Some(to);
        }
    }

    /// Calls made in each window's last stretch, against its limit.
    pub fn window_use(&self) -> Vec<WindowUse> {
        let now = std::time::Instant::now();
        let windows = lock(&self.windows);
        windows
            .limits()
            .windows
            .iter()
            .map(|&window| WindowUse {
                window,
                used: windows.calls_within(window.per, now),
            })
            .collect()
    }

    /// Whether the rate limit is holding a call back now.
    pub fn holding_back(&self) -> bool {
        lock(&self.held_back)
            .planned_until
            .is_some_and(|until| until > std::time::Instant::now())
    }

    /// The margins a window of length `per` is treated as longer by, now: its starting one for
    /// arrivals, and what 429s taught beyond it.
    fn margin(&self, per: Duration) -> rate_limit::Margin {
        lock(&self.margins)
            .iter()
            .find(|m| m.per == per)
            .map_or_else(rate_limit::Margin::default, |m| rate_limit::Margin {
                arrival: m.base,
                beyond: m.learned,
            })
    }

    /// Waits until one more call fits, claims the slot and returns it; or, when a budget
    /// window is spent, returns when it frees up instead of waiting.
    pub async fn acquire(&self) -> Result<Slot, BudgetSpent> {
        let started = Instant::now();
        loop {
            let answer = self.answers.notified();
            let now = Instant::now().into_std();
            let slot = {
                let mut windows = lock(&self.windows);
                if let Some((limit, free_at)) = windows.budget_spent(now) {
                    return Err(BudgetSpent {
                        limit,
                        resets_in: free_at - now,
                    });
                }
                let slot = windows
                    .next_slot(now, |per| self.margin(per))
                    .max(self.evenly_due().unwrap_or(now));
                if slot <= now {
                    windows.record(now);
                    self.went_evenly(now);
                    self.waited(started.into_std(), now);
                    return Ok(Slot {
                        at: now,
                        waited: Instant::from_std(now) - started,
                    });
                }
                self.plan_wait(slot);
                slot
            };
            tokio::select! {
                () = tokio::time::sleep_until(Instant::from_std(slot)) => {}
                () = answer => {}
            }
        }
    }

    /// From now on, calls go one by one at the sustained rate (the rate-setting window and
    /// its margin over its calls) rather than in bursts. A long run loses nothing by it, since
    /// the minute window sets its pace anyway, while a run that bursts its first minute's calls
    /// has every later minute repeat that burst and the pause after it, where any late call
    /// or late arrival costs the window a share of its calls. A run shorter than a minute's
    /// calls is better off bursting, so this is the long runs' choice.
    pub fn pace_evenly(&self) {
        let in_hand = lock(&self.margins)
            .iter()
            .map(|m| m.calls)
            .min()
            .unwrap_or(1);
        // The calls in hand are for making good a stall, not for a burst at the start.
        let due = self
            .even_interval()
            .map(|interval| Instant::now().into_std() + interval * in_hand.saturating_sub(1));
        *lock(&self.even) = Some(EvenPace { due, in_hand });
    }

    /// One interval at the sustained rate, with the rate-setting window's margins.
    fn even_interval(&self) -> Option<Duration> {
        lock(&self.margins)
            .iter()
            .find(|m| m.binding)
            .map(|m| (m.per + m.base + m.learned) / m.calls.max(1))
    }

    /// When evenly paced: the soonest the next call may go.
    fn evenly_due(&self) -> Option<std::time::Instant> {
        let pace = (*lock(&self.even))?;
        let due = pace.due?;
        let ahead = self.even_interval()? * pace.in_hand.saturating_sub(1);
        Some(due.checked_sub(ahead).unwrap_or(due))
    }

    /// A call went at `at`: when evenly paced, the next is due an interval after it, or after
    /// the one it was due at when it went early.
    fn went_evenly(&self, at: std::time::Instant) {
        let interval = self.even_interval();
        if let (Some(pace), Some(interval)) = (lock(&self.even).as_mut(), interval) {
            pace.due = Some(pace.due.map_or(at, |due| due.max(at)) + interval);
        }
    }

    /// The server answered the call let out at `at` with a 429: the window that had the
    /// least room then learns twice the margin it had (at least its starting one more).
    pub fn rate_limited(&self, at: std::time::Instant) {
        let Some(per) = lock(&self.windows).tightest(at) else {
            return;
        };
        if let Some(m) = lock(&self.margins).iter_mut().find(|m| m.per == per) {
            m.learned = (m.learned * 2).max(m.base).min(m.most);
            tracing::debug!(
                window_ms = per.as_millis() as u64,
                margin_ms = (m.base + m.learned).as_millis() as u64,
                "429: wider margin"
            );
        }
    }

    /// The answer to the call let out at `at` has begun to arrive, over a connection that had
    /// carried a call before (`warm`) or a new one: the server counted the call by now, less
    /// the shortest round trip, which may be sooner than the margin assumes.
    pub fn answered(&self, at: std::time::Instant, warm: bool) {
        let now = Instant::now().into_std();
        let credit = lock(&self.round_trips).answered(now.saturating_duration_since(at), warm);
        lock(&self.windows).counted_by(at, now - credit);
        self.answers.notify_waiters();
    }

    /// A call succeeded: what the margins learned shrinks a little.
    pub fn succeeded(&self) {
        for m in lock(&self.margins).iter_mut() {
            m.learned = m.learned.mul_f64(UNLEARN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(margin: rate_limit::Margin) -> Duration {
        margin.arrival + margin.beyond
    }

    async fn waited(pacer: &Pacer) -> Duration {
        pacer.acquire().await.unwrap().waited
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_next_slot() {
        let pacer = Pacer::new("2/100ms,4/1s".parse().unwrap());
        assert_eq!(waited(&pacer).await, Duration::ZERO);
        assert_eq!(waited(&pacer).await, Duration::ZERO);
        // The third call waits the burst window plus its margin: a whole window, since two
        // per 200 ms is still more than half again the sustained four a second…
        assert_eq!(waited(&pacer).await, Duration::from_millis(200));
        assert_eq!(waited(&pacer).await, Duration::ZERO);
        // …and the fifth the rate-setting window plus its 2%: a second and 20 ms from the first.
        assert_eq!(waited(&pacer).await, Duration::from_millis(1020 - 200));
        assert_eq!(pacer.held_back(), Duration::from_millis(1020));
    }

    /// How long a third call waits after two, sent together on "2/100ms,4/1s", are both
    /// answered 30 ms later over open connections (`warm`) or new ones.
    async fn third_waits_after_two_answered(warm: bool) -> Duration {
        let pacer = Pacer::new("2/100ms,4/1s".parse().unwrap());
        let first = pacer.acquire().await.unwrap().at;
        let second = pacer.acquire().await.unwrap().at;
        tokio::time::advance(Duration::from_millis(30)).await;
        pacer.answered(first, warm);
        pacer.answered(second, warm);
        waited(&pacer).await
    }

    #[tokio::test(start_paused = true)]
    async fn answered_calls_free_the_burst_window_from_their_answer() {
        // Both arrived by 30 ms: the third goes 100 ms after that, not after the margin.
        assert_eq!(
            third_waits_after_two_answered(false).await,
            Duration::from_millis(100)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn answers_over_open_connections_count_their_calls_a_round_trip_earlier() {
        // The shortest round trip is 30 ms, 27 of it credited: both were counted by 3 ms, so
        // the third goes at 103 ms, 73 ms from now.
        assert_eq!(
            third_waits_after_two_answered(true).await,
            Duration::from_millis(73)
        );
    }

    /// When each of `calls` calls goes, in milliseconds from the first.
    async fn offsets(pacer: &Pacer, calls: usize) -> Vec<u128> {
        let first = Instant::now().into_std();
        let mut offsets = Vec::new();
        for _ in 0..calls {
            offsets.push((pacer.acquire().await.unwrap().at - first).as_millis());
        }
        offsets
    }

    #[tokio::test(start_paused = true)]
    async fn evenly_paced_calls_go_one_interval_apart_and_make_up_for_a_stall() {
        // Six a second sets the rate: with its 20 ms margin, one call per 170 ms. The burst
        // window lets three go at once and the next 200 ms later.
        let limits: RateLimits = "3/100ms,6/1s".parse().unwrap();
        let bursting = Pacer::new(limits.clone());
        assert_eq!(
            offsets(&bursting, 10).await,
            [0, 0, 0, 200, 200, 200, 1020, 1020, 1020, 1220]
        );
        let even = Pacer::new(limits);
        even.pace_evenly();
        // One per interval from the first…
        assert_eq!(
            offsets(&even, 10).await,
            [0, 170, 340, 510, 680, 850, 1020, 1190, 1360, 1530]
        );
        // …and after a stall, the three in hand (the burst window's calls) go at once to make
        // up for it; the burst window then holds the fourth.
        tokio::time::advance(Duration::from_millis(1000)).await;
        assert_eq!(offsets(&even, 4).await, [0, 0, 0, 200]);
    }

    #[test]
    fn burst_margins_stop_where_they_would_cost_rate() {
        let at_cin7 = margins(&RateLimits::cin7());
        assert_eq!(
            (at_cin7[0].base, at_cin7[1].base),
            (Duration::from_secs(1), Duration::from_millis(1200))
        );
        // Two a second against one a second sustained: the burst window grows by 1/3 s only.
        let tight = margins(&"2/1s,60/60s".parse().unwrap());
        assert_eq!(tight[0].base.as_millis(), 333);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_widens_the_tightest_window_and_successes_shrink_it_again() {
        let pacer = Pacer::new("3/1s,60/60s".parse().unwrap());
        let mut last = None;
        for _ in 0..4 {
            last = Some(pacer.acquire().await.unwrap().at);
        }
        // The fourth call had the least room in the second window.
        pacer.rate_limited(last.unwrap());
        let second = Duration::from_secs(1);
        assert_eq!(
            total(pacer.margin(second)),
            Duration::from_secs(1) + Duration::from_secs(1)
        );
        pacer.rate_limited(last.unwrap());
        pacer.rate_limited(last.unwrap());
        // Answered at once, three calls per three seconds would be the sustained rate: it
        // learns no more than the starting margin and the spare.
        assert_eq!(
            pacer.margin(second).beyond,
            Duration::from_secs(2),
            "learned at most the margin and the spare"
        );
        for _ in 0..69 {
            pacer.succeeded();
        }
        let learned = pacer.margin(second).beyond;
        assert!(
            (Duration::from_millis(990)..Duration::from_millis(1010)).contains(&learned),
            "{learned:?}"
        );
        assert_eq!(
            total(pacer.margin(Duration::from_secs(60))),
            Duration::from_millis(1200)
        );
    }

    #[tokio::test]
    async fn a_spent_budget_refuses_with_the_time_it_frees_up() {
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let pacer = Pacer::with_history("5/1d".parse().unwrap(), &[an_hour_ago; 4]);
        assert!(
            waited(&pacer).await < Duration::from_millis(5),
            "the fifth call fits"
        );
        let spent = pacer.acquire().await.unwrap_err();
        assert_eq!(spent.limit, 5);
        let expected = Duration::from_secs(23 * 3600);
        assert!(
            spent.resets_in <= expected && spent.resets_in > expected - Duration::from_secs(5),
            "{spent:?}"
        );
    }
}
