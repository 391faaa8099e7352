//! How a call that failed for a passing reason (a 429, a 5xx, the network) is tried again:
//! the policy's waits and counts, and the error once they are used up.

use super::{Cin7Error, Resource};
use crate::rate_limit::RateLimits;
use std::time::Duration;

/// How transient failures (429, 5xx, network) are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per call, the first included, for failures other than 429.
    pub max_attempts: u32,
    /// 429s in a row one call may meet before the import gives up: a 429 is the server's
    /// pace, not a failure of the page, so it does not use up an attempt.
    pub max_rate_limited: u32,
    pub first_delay: Duration,
    /// The longest wait between attempts; a longer `Retry-After` ends the import instead.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// No retries: the first failure is final.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            max_rate_limited: 0,
            ..Self::for_limits(&RateLimits::cin7())
        }
    }

    /// Delays in proportion to the rate limit's call interval: 2 s doubling to 60 s at
    /// Cin7's one call a second, and as much shorter as the windows are when scaled down.
    pub fn for_limits(limits: &RateLimits) -> Self {
        let interval = limits
            .sustained_rate()
            .map(|rate| 1.0 / rate)
            .unwrap_or(0.05);
        Self {
            max_attempts: 6,
            max_rate_limited: 10,
            first_delay: Duration::from_secs_f64((2.0 * interval).max(0.02)),
            max_delay: Duration::from_secs_f64((60.0 * interval).clamp(0.5, 60.0)),
        }
    }

    /// The wait before attempt `failed_attempts + 1`: exponential, with ±25% jitter so that
    /// clients that failed together do not retry together, and never less than `Retry-After`
    /// (which the caller has checked against `max_delay`).
    fn delay(&self, failed_attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .first_delay
            .saturating_mul(1 << failed_attempts.saturating_sub(1).min(16));
        let jittered = exponential
            .min(self.max_delay)
            .mul_f64(0.75 + rand::random::<f64>() * 0.5);
        jittered.max(retry_after.unwrap_or_default())
    }
}

/// A failure worth trying again.
pub(super) enum Transient {
    RateLimited,
    Server { status: u16, message: String },
    Network(String),
}

impl Transient {
    /// What went wrong, as a clause for the planner; nothing for a 429, which is no fault.
    pub(super) fn trouble(&self) -> Option<String> {
        match self {
            Transient::RateLimited => None,
            Transient::Server { status, .. } => {
                Some(format!("Cin7 answered with an error (HTTP {status})"))
            }
            Transient::Network(detail) => Some(format!("Cin7 cannot be reached ({detail})")),
        }
    }

    /// The error once the retries are used up.
    fn into_error(self, resource: Resource, page: u32, attempts: u32) -> Cin7Error {
        match self {
            Transient::RateLimited => Cin7Error::RateLimited { resource, page },
            Transient::Server { status, message } => Cin7Error::Server {
                resource,
                page,
                status,
                attempts,
                message,
            },
            Transient::Network(detail) => Cin7Error::Network {
                resource,
                page,
                attempts,
                detail,
            },
        }
    }
}

/// One call's failed attempts so far, and what comes after the next.
pub(super) struct Retries<'a> {
    policy: &'a RetryPolicy,
    failures: u32,
    rate_limited: u32,
}

/// The next attempt of a call: when, why, and which of how many.
pub(super) struct Retry {
    pub delay: Duration,
    /// What went wrong, as a clause for the planner; nothing for a 429, which is no fault.
    pub trouble: Option<String>,
    pub attempt: u32,
    pub attempts: u32,
}

impl<'a> Retries<'a> {
    pub(super) fn new(policy: &'a RetryPolicy) -> Self {
        Self {
            policy,
            failures: 0,
            rate_limited: 0,
        }
    }

    /// After a passing failure: the next attempt, or the error that ends the call once the
    /// attempts are used up or the server asks for a longer wait than the policy allows.
    pub(super) fn after(
        &mut self,
        kind: Transient,
        retry_after: Option<Duration>,
        resource: Resource,
        page: u32,
    ) -> Result<Retry, Cin7Error> {
        if let Some(wait) = retry_after.filter(|w| *w > self.policy.max_delay) {
            return Err(asked_to_wait(resource, page, wait));
        }
        // A 429 is the server's pace, not a failure of the page: it has its own count.
        let (count, most) = match kind {
            Transient::RateLimited => (&mut self.rate_limited, self.policy.max_rate_limited),
            _ => (
                &mut self.failures,
                self.policy.max_attempts.saturating_sub(1),
            ),
        };
        *count += 1;
        let count = *count;
        if count > most {
            return Err(kind.into_error(resource, page, self.failures));
        }
        Ok(Retry {
            delay: self.policy.delay(count, retry_after),
            trouble: kind.trouble(),
            attempt: count + 1,
            attempts: most + 1,
        })
    }
}

/// The error for a `Retry-After` longer than the app waits, with when to run again.
fn asked_to_wait(resource: Resource, page: u32, wait: Duration) -> Cin7Error {
    let until = chrono::TimeDelta::from_std(wait)
        .ok()
        .filter(|d| *d <= chrono::TimeDelta::days(30))
        .and_then(|d| chrono::Utc::now().checked_add_signed(d))
        .map_or_else(
            || "a month from now or later".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
    Cin7Error::AskedToWait {
        resource,
        page,
        wait,
        until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_names_its_trouble_and_a_429_is_none() {
        assert_eq!(Transient::RateLimited.trouble(), None);
        let server = Transient::Server {
            status: 503,
            message: "Service Unavailable".into(),
        };
        assert_eq!(
            server.trouble().as_deref(),
            Some("Cin7 answered with an error (HTTP 503)")
        );
        let network = Transient::Network("the connection was refused".into());
        assert_eq!(
            network.trouble().as_deref(),
            Some("Cin7 cannot be reached (the connection was refused)")
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_and_honours_retry_after() {
        let policy = RetryPolicy::for_limits(&RateLimits::cin7());
        let within = |d: Duration, nominal: f64| {
            (nominal * 0.75..=nominal * 1.25).contains(&d.as_secs_f64())
        };
        for _ in 0..50 {
            assert!(within(policy.delay(1, None), 2.0));
            assert!(within(policy.delay(3, None), 8.0));
            assert!(within(policy.delay(10, None), 60.0));
            assert!(policy.delay(1, Some(Duration::from_secs(30))) >= Duration::from_secs(30));
        }
        let scaled = RetryPolicy::for_limits(&"3/50ms,60/3s".parse().unwrap());
        assert_eq!(
            (scaled.first_delay, scaled.max_delay),
            (Duration::from_millis(100), Duration::from_secs(3))
        );
    }
}
