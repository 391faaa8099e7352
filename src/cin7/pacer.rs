use crate::rate_limit::{RateLimits, SlidingWindows};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Spaces the calls of one API connection so that every window of its rate limits holds at
/// the server. Shared by every request of an import; each call first waits for its slot.
#[derive(Debug)]
pub struct Pacer {
    windows: Mutex<SlidingWindows>,
}

impl Pacer {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            windows: Mutex::new(SlidingWindows::new(limits)),
        }
    }

    /// Waits until one more call fits, claims the slot, and returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let started = Instant::now();
        loop {
            let now = Instant::now();
            let slot = {
                let mut windows = self
                    .windows
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let slot = windows.next_slot(now.into_std(), safety_margin);
                if slot <= now.into_std() {
                    windows.record(now.into_std());
                    return now - started;
                }
                slot
            };
            tokio::time::sleep_until(Instant::from_std(slot)).await;
        }
    }
}

/// The server sees a call when it arrives, not when it was sent; a window treated as 1% (at
/// least 2 ms) longer absorbs that jitter at a cost of 1% of the call rate.
fn safety_margin(window: Duration) -> Duration {
    (window / 100).max(Duration::from_millis(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_next_slot() {
        let pacer = Pacer::new("2/100ms".parse().unwrap());
        assert_eq!(pacer.acquire().await, Duration::ZERO);
        assert_eq!(pacer.acquire().await, Duration::ZERO);
        // The third call waits a full window plus the 2 ms margin.
        assert_eq!(pacer.acquire().await, Duration::from_millis(102));
    }
}
