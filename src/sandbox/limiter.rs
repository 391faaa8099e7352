//! The sandbox's rate limiter: Cin7's sliding windows, enforced when a call arrives. Written
//! apart from the importer's pacer (`rate_limit::SlidingWindows`), as a server would be, so
//! that a mistake in the pacer's reading of the windows shows up as a 429 here instead of
//! being agreed with.

use crate::rate_limit::RateLimits;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One window's log of the calls it admitted in its last `per`.
#[derive(Debug)]
struct Log {
    calls: usize,
    per: Duration,
    admitted: VecDeque<Instant>,
}

/// Every window of one credential.
#[derive(Debug)]
pub(super) struct Limiter {
    logs: Vec<Log>,
}

impl Limiter {
    pub(super) fn new(limits: &RateLimits) -> Self {
        Self {
            logs: limits
                .windows
                .iter()
                .map(|w| Log {
                    calls: w.calls as usize,
                    per: w.per,
                    admitted: VecDeque::new(),
                })
                .collect(),
        }
    }

    /// Admits a call arriving at `now` (later than every earlier call) if each window has
    /// admitted fewer than its limit in the `per` before it; a refused call is not counted.
    pub(super) fn admit(&mut self, now: Instant) -> bool {
        for log in &mut self.logs {
            while log
                .admitted
                .front()
                .is_some_and(|&t| now.duration_since(t) >= log.per)
            {
                log.admitted.pop_front();
            }
        }
        if self.logs.iter().any(|log| log.admitted.len() >= log.calls) {
            return false;
        }
        for log in &mut self.logs {
            log.admitted.push_back(now);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_each_limit_in_any_window() {
        let mut limiter = Limiter::new(&"3/1s,5/10s".parse().unwrap());
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        assert!(limiter.admit(at(0)) && limiter.admit(at(0)) && limiter.admit(at(10)));
        assert!(!limiter.admit(at(999)), "a fourth within the second");
        assert!(
            limiter.admit(at(1000)),
            "the first two have aged out of the second"
        );
        assert!(limiter.admit(at(1005)), "the fifth in ten seconds");
        assert!(!limiter.admit(at(1010)), "a sixth within ten seconds");
        assert!(
            limiter.admit(at(10_000)),
            "the first two have aged out of ten seconds"
        );
    }
}
