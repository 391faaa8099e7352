//! The stock readings a project keeps: what Cin7's `Stock` said each time the project was
//! imported or updated, with the instant. The first is full (every row; a key without a row has
//! nothing on hand); an update's holds only the rows that changed since. Folded in order they
//! give the stock at each reading: the latest is the "now" on-hand history is rebuilt backwards
//! from, and the earlier ones are what that history is checked against (stock drift) and what
//! sized items get as measured values, where the rules give them no on-hand history.

use super::{Item, Location};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One reading of `Stock`, column by column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReading {
    pub at: DateTime<Utc>,
    /// Every row Cin7 has: a key absent from it has nothing on hand. Otherwise only the rows
    /// changed since the reading before.
    pub full: bool,
    pub option: Vec<i64>,
    /// Empty for a row without a size.
    pub size: Vec<String>,
    pub branch: Vec<i64>,
    pub qty: Vec<Decimal>,
}

/// How much of `Stock` a run reads: every row (an import), or the rows changed since a moment
/// (an update).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    Full,
    Changes,
}

/// A stock row's key: (product option, size, branch).
pub type StockKey = (i64, String, i64);

impl StockReading {
    pub fn new(at: DateTime<Utc>, extent: Extent) -> Self {
        Self {
            at,
            full: extent == Extent::Full,
            ..Self::default()
        }
    }

    pub fn len(&self) -> usize {
        self.option.len()
    }

    pub fn is_empty(&self) -> bool {
        self.option.is_empty()
    }

    pub fn push(&mut self, key: StockKey, qty: Decimal) {
        self.option.push(key.0);
        self.size.push(key.1);
        self.branch.push(key.2);
        self.qty.push(qty);
    }

    pub fn rows(&self) -> impl Iterator<Item = (StockKey, Decimal)> + '_ {
        (0..self.len()).map(|i| {
            (
                (self.option[i], self.size[i].clone(), self.branch[i]),
                self.qty[i],
            )
        })
    }

    pub(super) fn columns_agree(&self) -> bool {
        let n = self.option.len();
        self.size.len() == n && self.branch.len() == n && self.qty.len() == n
    }
}

/// Applies one reading to the state before it.
pub fn apply(state: &mut HashMap<StockKey, Decimal>, reading: &StockReading) {
    if reading.full {
        state.clear();
    }
    state.extend(reading.rows());
}

/// Where each stock key's quantity counts in a project: the pair (item, location) it adds to.
/// A regular item takes every row of its option at a branch, whatever its size field says; a
/// sized item the rows of its size.
pub struct KeyPlaces {
    items: HashMap<(i64, String), usize>,
    regular: HashMap<i64, usize>,
    locations: HashMap<i64, usize>,
}

impl KeyPlaces {
    pub fn new(items: &[Item], locations: &[Location]) -> Self {
        let mut places = Self {
            items: HashMap::new(),
            regular: HashMap::new(),
            locations: locations
                .iter()
                .enumerate()
                .map(|(i, l)| (l.branch_id, i))
                .collect(),
        };
        for (i, item) in items.iter().enumerate() {
            if item.sized {
                places
                    .items
                    .insert((item.product_option_id, item.size.clone()), i);
            } else {
                places.regular.insert(item.product_option_id, i);
            }
        }
        places
    }

    /// The (item, location) a key adds to, if the project has both.
    pub fn pair(&self, key: &StockKey) -> Option<(usize, usize)> {
        let item = self
            .regular
            .get(&key.0)
            .or_else(|| self.items.get(&(key.0, key.1.clone())))?;
        Some((*item, *self.locations.get(&key.2)?))
    }
}

/// What the readings say of each item–location pair of a project.
pub struct PairStock {
    /// The stock as of the latest reading, per pair (`None`: no row of the pair).
    pub current: Vec<Option<Decimal>>,
    /// For each period that holds a reading, the latest in it: (period, instant).
    pub measured_at: Vec<(u32, DateTime<Utc>)>,
    /// Per pair, what the latest reading of each of those periods measured, as the periods
    /// where it changes: (period, quantity).
    pub measured: Vec<Vec<(u32, Decimal)>>,
    /// What each reading before the latest measured, for the pairs it had rows of: (pair,
    /// instant in Unix seconds, quantity). On-hand history is checked against these.
    pub earlier: Vec<(usize, i64, Decimal)>,
}

impl PairStock {
    /// Folds `readings` (oldest first) onto a grid of `locations` columns; `period_of` places an
    /// instant in the project's periods.
    pub fn of(
        readings: &[StockReading],
        places: &KeyPlaces,
        locations: usize,
        pairs: usize,
        period_of: impl Fn(i64) -> Option<usize>,
    ) -> Self {
        let mut state: HashMap<StockKey, Decimal> = HashMap::new();
        let mut current: Vec<Option<Decimal>> = vec![None; pairs];
        let mut stock = Self {
            current: Vec::new(),
            measured_at: Vec::new(),
            measured: vec![Vec::new(); pairs],
            earlier: Vec::new(),
        };
        let index = |(item, location): (usize, usize)| item * locations + location;
        for (r, reading) in readings.iter().enumerate() {
            let mut touched: Vec<usize> = Vec::new();
            if reading.full {
                for (key, qty) in state.drain() {
                    if let Some(pair) = places.pair(&key).map(index) {
                        *current[pair].get_or_insert(Decimal::ZERO) -= qty;
                        touched.push(pair);
                    }
                }
            }
            for (key, qty) in reading.rows() {
                let before = state.insert(key.clone(), qty).unwrap_or_default();
                if let Some(pair) = places.pair(&key).map(index) {
                    *current[pair].get_or_insert(Decimal::ZERO) += qty - before;
                    touched.push(pair);
                }
            }
            touched.sort_unstable();
            touched.dedup();
            let at = reading.at.timestamp();
            let last = r + 1 == readings.len();
            if !last {
                stock.earlier.extend(
                    touched
                        .iter()
                        .map(|&p| (p, at, current[p].unwrap_or_default())),
                );
            }
            let Some(period) = period_of(at).map(|p| p as u32) else {
                continue;
            };
            let next_in_same = readings
                .get(r + 1)
                .is_some_and(|next| period_of(next.at.timestamp()) == Some(period as usize));
            if next_in_same {
                continue;
            }
            stock.measured_at.push((period, reading.at));
            for (pair, value) in current.iter().enumerate() {
                let Some(value) = *value else { continue };
                let changes = &mut stock.measured[pair];
                if changes.last().is_none_or(|&(_, v)| v != value) {
                    changes.push((period, value));
                }
            }
        }
        stock.current = current;
        stock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The stock as of the latest of `readings`, folded in order.
    fn latest_state(readings: &[StockReading]) -> HashMap<StockKey, Decimal> {
        let mut state = HashMap::new();
        for reading in readings {
            apply(&mut state, reading);
        }
        state
    }

    #[test]
    fn readings_fold_in_order_and_a_full_one_starts_over() {
        let at = |day| Utc.with_ymd_and_hms(2024, 5, day, 0, 0, 0).unwrap();
        let key = |option, size: &str| (option, size.to_owned(), 1);
        let mut first = StockReading::new(at(1), Extent::Full);
        first.push(key(1, ""), Decimal::TEN);
        first.push(key(2, "M"), Decimal::ONE);
        let mut delta = StockReading::new(at(2), Extent::Changes);
        delta.push(key(1, ""), Decimal::TWO);
        let state = latest_state(&[first.clone(), delta.clone()]);
        assert_eq!(state.get(&key(1, "")), Some(&Decimal::TWO));
        assert_eq!(state.get(&key(2, "M")), Some(&Decimal::ONE));
        let mut again = StockReading::new(at(3), Extent::Full);
        again.push(key(2, "M"), Decimal::TWO);
        let state = latest_state(&[first, delta, again]);
        assert_eq!(state.len(), 1, "a full reading starts over");
    }
}
