use crate::rate_limit::{RateLimits, SlidingWindows};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// Spaces the calls of one API connection so that every window of its rate limits holds at
/// the server. Shared by every request of an import; each call first waits for its slot. A
/// window of an hour or more is a budget: when it is spent the pacer refuses instead of
/// waiting for hours.
#[derive(Debug)]
pub struct Pacer {
    windows: Mutex<SlidingWindows>,
    /// The window that sets the sustained rate (Cin7's minute), which gets the tight margin.
    binding: Option<Duration>,
    /// Wall time during which some call was held back, however many were waiting at once.
    held_back: Mutex<HeldBack>,
}

#[derive(Debug, Default)]
struct HeldBack {
    until: Option<std::time::Instant>,
    total: Duration,
}

/// The daily budget is spent: no call fits until `resets_in` has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetSpent {
    pub limit: u32,
    pub resets_in: Duration,
}

impl Pacer {
    pub fn new(limits: RateLimits) -> Self {
        Self::with_history(limits, &[])
    }

    /// A pacer that knows the connection's earlier calls (from other runs), so that budgets
    /// count them.
    pub fn with_history(limits: RateLimits, earlier: &[SystemTime]) -> Self {
        let binding = limits
            .windows
            .iter()
            .filter(|w| w.per < crate::rate_limit::BUDGET_WINDOW)
            .min_by(|a, b| {
                (f64::from(a.calls) / a.per.as_secs_f64())
                    .total_cmp(&(f64::from(b.calls) / b.per.as_secs_f64()))
            })
            .map(|w| w.per);
        let mut windows = SlidingWindows::new(limits);
        let (now, wall) = (std::time::Instant::now(), SystemTime::now());
        for &t in earlier {
            // A call from before this computer started cannot be placed; it is left out.
            if let Some(at) = wall
                .duration_since(t)
                .ok()
                .and_then(|ago| now.checked_sub(ago))
            {
                windows.record(at);
            }
        }
        Self {
            windows: Mutex::new(windows),
            binding,
            held_back: Mutex::new(HeldBack::default()),
        }
    }

    /// Wall time during which the rate limit held back some call.
    pub fn held_back(&self) -> Duration {
        self.held_back
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .total
    }

    /// Adds the part of `[now, slot)` not already counted to the time held back.
    fn hold(&self, now: std::time::Instant, slot: std::time::Instant) {
        let mut held = self.held_back.lock().unwrap_or_else(|p| p.into_inner());
        let from = held.until.map_or(now, |until| until.max(now));
        if slot > from {
            held.total += slot - from;
            held.until = Some(slot);
        }
    }

    /// Waits until one more call fits, claims the slot, and returns how long it waited; or,
    /// when a budget window is spent, returns when it frees up instead of waiting.
    pub async fn acquire(&self) -> Result<Duration, BudgetSpent> {
        let started = Instant::now();
        loop {
            let now = Instant::now();
            let slot = {
                let mut windows = self
                    .windows
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some((limit, free_at)) = windows.budget_spent(now.into_std()) {
                    return Err(BudgetSpent {
                        limit,
                        resets_in: free_at - now.into_std(),
                    });
                }
                let slot = windows.next_slot(now.into_std(), |per| self.safety_margin(per));
                if slot <= now.into_std() {
                    windows.record(now.into_std());
                    return Ok(now - started);
                }
                self.hold(now.into_std(), slot);
                slot
            };
            tokio::time::sleep_until(Instant::from_std(slot)).await;
        }
    }
}

impl Pacer {
    /// The server counts a call when it arrives, not when it was sent, and concurrent requests
    /// arrive a little out of step with the order they were sent in. Each window is treated
    /// as longer than it is (by at least 20 ms): by 2% for the window that sets the sustained rate,
    /// which costs 2% of the call rate, and by 10% for the burst windows, which costs nothing
    /// since they do not set the rate.
    fn safety_margin(&self, per: Duration) -> Duration {
        let share = if Some(per) == self.binding {
            per / 50
        } else {
            per / 10
        };
        share.max(Duration::from_millis(20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_next_slot() {
        let pacer = Pacer::new("2/100ms,4/1s".parse().unwrap());
        assert_eq!(pacer.acquire().await, Ok(Duration::ZERO));
        assert_eq!(pacer.acquire().await, Ok(Duration::ZERO));
        // The third call waits the burst window plus its margin (10%, at least 20 ms)…
        assert_eq!(pacer.acquire().await, Ok(Duration::from_millis(120)));
        assert_eq!(pacer.acquire().await, Ok(Duration::ZERO));
        // …and the fifth the rate-setting window plus its 2%: a second and 20 ms from the first.
        assert_eq!(pacer.acquire().await, Ok(Duration::from_millis(1020 - 120)));
        assert_eq!(pacer.held_back(), Duration::from_millis(120 + 1020 - 120));
    }

    #[tokio::test]
    async fn a_spent_budget_refuses_with_the_time_it_frees_up() {
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let pacer = Pacer::with_history("5/1d".parse().unwrap(), &[an_hour_ago; 4]);
        assert!(
            pacer.acquire().await.unwrap() < Duration::from_millis(5),
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
