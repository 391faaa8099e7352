//! Faults the sandbox can inject, as a real network and a real Cin7 produce them. Written as a
//! comma list, e.g. `500@20,503~0.05,drop@50,truncate@30,drip@40,revoke@100,jitter=20ms`:
//!
//! | item | meaning |
//! |---|---|
//! | `STATUS@N` | every Nth call answers STATUS (500, 502, 503 or 504) |
//! | `STATUS~P` | each call answers STATUS with probability P (seeded) |
//! | `drop@N` | every Nth call's connection is cut in the middle of the body |
//! | `truncate@N` | every Nth call sends only the first half of its JSON, framed as complete |
//! | `drip@N` | every Nth call sends its body slowly, 512 bytes every 20 ms |
//! | `revoke@N` | the key is revoked: 401 from the Nth call on |
//! | `jitter=D` | each response's latency varies by up to ±D (`ms` or `s`) |
//! | `arrive~D` | each call is counted by the rate limit up to D late (uniformly), as calls sent in order reach a server out of step |
//! | `connect=D` | the first call on each new connection is counted D late (connection set-up) |
//! | `clock=±D` | the server's clock (its `Date` header) runs D ahead (`+`) or behind (`-`) the computer's, as a planner's computer set a few hours off would see it |
//! | `slow=PATH:D` | every answer of one resource (its path, e.g. `SalesOrders`) takes D more, as Cin7's long lists answer slower than the rest |

use crate::cin7::Resource;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub status_every: Vec<(u16, u64)>,
    pub status_random: Vec<(u16, f64)>,
    pub drop_every: Option<u64>,
    pub truncate_every: Option<u64>,
    pub drip_every: Option<u64>,
    pub revoke_from: Option<u64>,
    pub jitter: Duration,
    pub arrival_jitter: Duration,
    pub connect_delay: Duration,
    pub slow: Vec<(Resource, Duration)>,
    /// How far the server's clock runs ahead of the computer's (negative: behind).
    pub clock_ahead: chrono::TimeDelta,
}

/// How one call's body is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Whole,
    Dropped,
    Truncated,
    Dripped,
}

fn every(n: u64, call: u64) -> bool {
    n > 0 && call.is_multiple_of(n)
}

impl Faults {
    pub fn none() -> Self {
        Self::default()
    }

    /// The error status the `call`th call (1-based) must answer, if any; `draw` is a uniform
    /// random number in [0, 1) for the random faults.
    pub fn status(&self, call: u64, draw: f64) -> Option<u16> {
        if let Some(&(status, _)) = self.status_every.iter().find(|(_, n)| every(*n, call)) {
            return Some(status);
        }
        let mut threshold = 0.0;
        for &(status, p) in &self.status_random {
            threshold += p;
            if draw < threshold {
                return Some(status);
            }
        }
        None
    }

    /// What a `resource` answer takes on top of the latency.
    pub fn slowness(&self, resource: Resource) -> Duration {
        self.slow
            .iter()
            .filter(|(slow, _)| *slow == resource)
            .map(|(_, extra)| *extra)
            .sum()
    }

    pub fn revoked(&self, call: u64) -> bool {
        self.revoke_from.is_some_and(|n| call >= n)
    }

    pub fn delivery(&self, call: u64) -> Delivery {
        if self.drop_every.is_some_and(|n| every(n, call)) {
            Delivery::Dropped
        } else if self.truncate_every.is_some_and(|n| every(n, call)) {
            Delivery::Truncated
        } else if self.drip_every.is_some_and(|n| every(n, call)) {
            Delivery::Dripped
        } else {
            Delivery::Whole
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid fault {item:?}: {reason}")]
pub struct FaultSpecError {
    item: String,
    reason: &'static str,
}

/// `+3h` or `-90s`: how far the server's clock runs ahead.
fn clock_offset(offset: &str) -> Result<chrono::TimeDelta, &'static str> {
    let (sign, d) = match offset.split_at_checked(1) {
        Some(("+", d)) => (1, d),
        Some(("-", d)) => (-1, d),
        _ => return Err("the clock is clock=+D or clock=-D"),
    };
    let d = crate::duration::parse(d).ok_or("this takes a duration such as 3h")?;
    let ahead = chrono::TimeDelta::from_std(d).map_err(|_| "the clock offset is too large")?;
    Ok(ahead * sign)
}

impl FromStr for Faults {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let fail = |reason| FaultSpecError {
                item: item.to_owned(),
                reason,
            };
            if item.eq_ignore_ascii_case("none") {
                continue;
            }
            let duration = |d: &str| {
                crate::duration::parse(d).ok_or_else(|| fail("this takes a duration such as 20ms"))
            };
            if let Some(d) = item.strip_prefix("jitter=") {
                faults.jitter = duration(d)?;
                continue;
            }
            if let Some(d) = item.strip_prefix("arrive~") {
                faults.arrival_jitter = duration(d)?;
                continue;
            }
            if let Some(d) = item.strip_prefix("connect=") {
                faults.connect_delay = duration(d)?;
                continue;
            }
            if let Some(offset) = item.strip_prefix("clock=") {
                faults.clock_ahead = clock_offset(offset).map_err(fail)?;
                continue;
            }
            if let Some(slow) = item.strip_prefix("slow=") {
                let (path, d) = slow
                    .split_once(':')
                    .ok_or_else(|| fail("a slow resource is slow=PATH:D"))?;
                let resource =
                    Resource::from_path(path).ok_or_else(|| fail("unknown resource path"))?;
                faults.slow.push((resource, duration(d)?));
                continue;
            }
            if let Some((what, p)) = item.split_once('~') {
                let status: u16 = what
                    .parse()
                    .map_err(|_| fail("a random fault is STATUS~P"))?;
                let p: f64 = p
                    .parse()
                    .map_err(|_| fail("the probability must be a number"))?;
                if !(500..=504).contains(&status) || !(0.0..=1.0).contains(&p) {
                    return Err(fail(
                        "the status must be 500 to 504 and the probability 0 to 1",
                    ));
                }
                faults.status_random.push((status, p));
                continue;
            }
            let (what, n) = item
                .split_once('@')
                .ok_or_else(|| fail("expected KIND@N, STATUS~P or jitter=D"))?;
            let n: u64 = n.parse().map_err(|_| fail("N must be a whole number"))?;
            if n == 0 {
                return Err(fail("N must be at least 1"));
            }
            match what {
                "drop" => faults.drop_every = Some(n),
                "truncate" => faults.truncate_every = Some(n),
                "drip" => faults.drip_every = Some(n),
                "revoke" => faults.revoke_from = Some(n),
                status => {
                    let status: u16 = status.parse().map_err(|_| fail("unknown fault"))?;
                    if !(500..=504).contains(&status) {
                        return Err(fail("the status must be 500 to 504"));
                    }
                    faults.status_every.push((status, n));
                }
            }
        }
        Ok(faults)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let f: Faults = "500@20, 503~0.25, drop@50, truncate@30, drip@40, revoke@100, jitter=15ms, arrive~30ms, connect=0.05s, slow=salesorders:2s, clock=-3h"
            .parse()
            .unwrap();
        assert_eq!(f.slowness(Resource::SalesOrders), Duration::from_secs(2));
        assert_eq!(f.slowness(Resource::Stock), Duration::ZERO);
        assert_eq!(f.clock_ahead, chrono::TimeDelta::hours(-3));
        assert_eq!(
            (f.arrival_jitter, f.connect_delay),
            (Duration::from_millis(30), Duration::from_millis(50))
        );
        assert_eq!(f.status_every, vec![(500, 20)]);
        assert_eq!(f.status_random, vec![(503, 0.25)]);
        assert_eq!(
            (f.drop_every, f.truncate_every, f.drip_every, f.revoke_from),
            (Some(50), Some(30), Some(40), Some(100))
        );
        assert_eq!(f.jitter, Duration::from_millis(15));
        assert_eq!(f.status(40, 0.9), Some(500));
        assert_eq!(f.status(41, 0.2), Some(503));
        assert_eq!(f.status(41, 0.3), None);
        assert_eq!(f.delivery(50), Delivery::Dropped);
        assert_eq!(f.delivery(60), Delivery::Truncated);
        assert_eq!(f.delivery(80), Delivery::Dripped);
        assert_eq!(f.delivery(81), Delivery::Whole);
        assert!(!f.revoked(99) && f.revoked(100) && f.revoked(250));
        assert_eq!("none".parse::<Faults>(), Ok(Faults::none()));
    }

    #[test]
    fn rejects_bad_items() {
        for bad in [
            "404@3",
            "500@0",
            "drop",
            "500~2",
            "jitter=fast",
            "arrive~soon",
            "explode@3",
            "slow=Orders:1s",
            "slow=Stock",
            "clock=3h",
            "clock=-soon",
        ] {
            assert!(bad.parse::<Faults>().is_err(), "{bad} parsed");
        }
    }
}
