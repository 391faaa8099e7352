//! What an answer shows of when the server counted its call.
//!
//! A call is counted when it reaches the server, and answered after the server's work and the
//! way back, so it was counted by its answer less those two. A call sent later still has its
//! own way there to go before it can be counted. Each of the three takes at least as long as
//! it ever does, and together those least times make the shortest round trip. So a call
//! counted "by its answer less the shortest round trip", in the time of sends, keeps windows
//! exact: a call sent a window after that instant reaches the server at least a window after
//! the first one did, however the trip splits between the way there and the way back.
//!
//! Only round trips over a connection already open are measured: a new connection's set-up
//! is a cost that a later call on an open one does not pay. Until one is measured, an answer
//! is taken as the moment its call was counted.

use std::time::Duration;

/// The share of the shortest round trip credited: a tenth is kept back for a network that
/// turns faster than any answer has shown yet, and for the client's own part of each trip.
const CREDITED: f64 = 0.9;

/// The shortest round trip seen, and whether one was over an open connection.
#[derive(Debug, Default)]
pub(super) struct RoundTrips {
    shortest: Option<Duration>,
    /// Until an answer over an open connection is in, the shortest may be a new connection's,
    /// longer than a call on an open one takes: nothing is credited.
    warm_seen: bool,
}

impl RoundTrips {
    /// Takes in an answer that came `took` after its call was sent, over a connection that
    /// had carried a call before (`warm`) or a new one; returns how long before the answer
    /// the server had counted the call, at the latest.
    pub(super) fn answered(&mut self, took: Duration, warm: bool) -> Duration {
        self.shortest = Some(self.shortest.map_or(took, |shortest| shortest.min(took)));
        self.warm_seen |= warm;
        match self.shortest {
            Some(shortest) if self.warm_seen => shortest.mul_f64(CREDITED),
            _ => Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn answers_count_from_the_shortest_round_trip_over_an_open_connection() {
        let mut trips = RoundTrips::default();
        // A new connection's trip is no measure: its set-up is not every call's.
        assert_eq!(trips.answered(MS(900), false), Duration::ZERO);
        assert_eq!(trips.answered(MS(400), true), MS(360));
        // A slower answer is credited the shortest trip, not its own…
        assert_eq!(trips.answered(MS(700), true), MS(360));
        assert_eq!(trips.answered(MS(1_200), false), MS(360));
        // …and a faster one lowers it for every answer after.
        assert_eq!(trips.answered(MS(300), true), MS(270));
        assert_eq!(trips.answered(MS(400), true), MS(270));
    }

    #[test]
    fn any_faster_answer_lowers_the_shortest_trip() {
        let mut trips = RoundTrips::default();
        trips.answered(MS(400), true);
        // A new connection that answers faster than any open one did shows the network is
        // faster than measured: the credit never exceeds what the answer itself took.
        assert_eq!(trips.answered(MS(100), false), MS(90));
        assert_eq!(trips.answered(MS(400), true), MS(90));
    }
}
