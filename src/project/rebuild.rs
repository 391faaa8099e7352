//! Ledger → series: which sale lines count, in which period and where, under the settings;
//! on-hand history rebuilt backwards from current stock; the data warnings that go with them.
//! A pure function of the ledger and the settings, run by every import, every opening of a
//! project file and every regrouping (docs/import-rules.md).

use super::ledger::{DocumentKind, Documents, Ledger, SaleLines};
use super::planning::{Planning, planning};
use super::stock::{KeyPlaces, PairStock};
use super::{
    Calendar, DataWarnings, ImportReport, ImportSettings, Item, LimitError, Location, PeriodSales,
    Project, SaleDate, Series, StockDrift,
};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// Where documents go: branch id → location index for the branches the project includes, and
/// every branch the account lists.
pub struct Places {
    locations: HashMap<i64, u32>,
    known: HashSet<i64>,
}

impl Places {
    pub fn new(locations: &[Location], known: impl IntoIterator<Item = i64>) -> Self {
        Self {
            locations: (0u32..)
                .zip(locations)
                .map(|(i, l)| (l.branch_id, i))
                .collect(),
            known: known.into_iter().collect(),
        }
    }

    /// The location of an included branch.
    pub fn location(&self, branch: Option<i64>) -> Option<u32> {
        self.locations.get(&branch.unwrap_or_default()).copied()
    }

    /// The location of a document's branch, counting in `warnings` why there is none.
    fn of(&self, branch: Option<i64>, warnings: &mut DataWarnings) -> Option<u32> {
        let location = self.location(branch);
        if location.is_none() {
            if self.known.contains(&branch.unwrap_or_default()) {
                warnings.documents_at_other_branches += 1;
            } else {
                warnings.unknown_branch_documents += 1;
            }
        }
        location
    }
}

/// What the ledger gives under one set of settings.
pub struct Rebuilt {
    pub calendar: Calendar,
    pub series: Vec<Series>,
    pub warnings: DataWarnings,
    /// The periods that hold a stock reading, with the instant of the latest in each.
    pub measured_at: Vec<(u32, chrono::DateTime<chrono::Utc>)>,
    pub planning: Planning,
}

/// The series and warnings of `ledger` under `settings`, or why the project cannot hold them.
///
/// Rows are gathered per item–location pair by a counting sort on the pair's place in a dense
/// (item, location) grid, which is also the order the series come out in: no hashing and no
/// sort across pairs (each pair's rows are sorted by period in place), so a million rows take
/// a fraction of a second.
pub fn rebuild(
    ledger: &Ledger,
    settings: &ImportSettings,
    items: &[Item],
    locations: &[Location],
) -> Result<Rebuilt, LimitError> {
    settings.check(ledger.as_of)?;
    let pairs = super::limits::check_pairs(items.len(), locations.len())?;
    let calendar = settings.calendar(ledger.as_of);
    let mut warnings = DataWarnings {
        records_beyond_bounds: ledger.rejected_records,
        ..DataWarnings::default()
    };
    let places = Places::new(locations, ledger.branches.iter().copied());
    let slots = sale_slots(
        &ledger.documents,
        settings,
        &calendar,
        &places,
        &mut warnings,
    );
    let periods = calendar.periods.len();
    let grid = Grid {
        locations: locations.len(),
        pairs,
    };

    let mut sales = sales_by_pair(&ledger.sales, &slots, &grid, &mut warnings);
    let m = &ledger.movements;
    let mut moves = Grouped::new(
        grid.pairs,
        (0..m.len()).filter_map(|i| {
            let period = calendar.index_at(m.at[i])? as u32;
            Some((
                grid.pair(m.item[i], m.location[i]),
                (period, m.qty[i], m.at[i]),
            ))
        }),
    );
    let mut stock = PairStock::of(
        &ledger.stock_readings,
        &KeyPlaces::new(items, locations),
        grid.locations,
        grid.pairs,
        |at| calendar.index_at(at),
    );
    warnings.stock_drift = drift(&stock.earlier, &stock.current, &mut moves, &grid, items);
    let mut series = Vec::new();
    for (pair, &current) in stock.current.iter().enumerate() {
        let item = pair / grid.locations;
        // Sized items have no on-hand history; a regular item's is zeros where it never had
        // stock.
        let on_hand = (!items[item].sized).then(|| {
            let levels = levels(current.unwrap_or_default(), moves.get_mut(pair), periods);
            warnings.negative_on_hand_values += negative_periods(&levels, periods);
            levels
        });
        let has_stock = on_hand
            .as_ref()
            .is_some_and(|levels| levels.iter().any(|(_, level)| !level.is_zero()));
        let measured = std::mem::take(&mut stock.measured[pair]);
        let lines = sales.get_mut(pair);
        if lines.is_empty() && !has_stock && measured.iter().all(|(_, q)| q.is_zero()) {
            continue;
        }
        series.push(Series {
            item,
            location: pair % grid.locations,
            sales: per_period(lines),
            on_hand,
            measured,
        });
    }
    let pairs = series.iter().map(|s| (s.item, s.location));
    let zone = settings.time_zone;
    let planning = planning(ledger, zone, items, locations, pairs, &mut warnings);
    Ok(Rebuilt {
        calendar,
        series,
        warnings,
        measured_at: stock.measured_at,
        planning,
    })
}

/// The sale lines that count, as what they sold in their period, grouped by pair; a line
/// without a cost is counted in `warnings`.
fn sales_by_pair(
    s: &SaleLines,
    slots: &[Option<(u32, u32)>],
    grid: &Grid,
    warnings: &mut DataWarnings,
) -> Grouped<PeriodSales> {
    Grouped::new(
        grid.pairs,
        (0..s.len()).filter_map(|i| {
            let (period, location) = slots[s.document[i] as usize]?;
            let cost = s.cost[i].unwrap_or_else(|| {
                warnings.sale_lines_without_cost += 1;
                Decimal::ZERO
            });
            let sold = PeriodSales {
                period,
                qty: s.qty[i],
                revenue: s.revenue[i],
                cost,
            };
            Some((grid.pair(s.item[i], location), sold))
        }),
    )
}

/// Where on-hand history rebuilt backwards from the latest reading differs from what an
/// earlier reading measured at its instant, for regular items: movements Cin7's API does not
/// show (production jobs, manual edits) moved the stock.
fn drift(
    earlier: &[(usize, i64, Decimal)],
    current: &[Option<Decimal>],
    moves: &mut Grouped<(u32, Decimal, i64)>,
    grid: &Grid,
    items: &[Item],
) -> Vec<StockDrift> {
    let mut drifts = Vec::new();
    for &(pair, at, measured) in earlier {
        let item = pair / grid.locations;
        if items[item].sized {
            continue;
        }
        let later: Decimal = moves
            .get_mut(pair)
            .iter()
            .filter(|m| m.2 > at)
            .map(|m| m.1)
            .sum();
        let rebuilt = current[pair].unwrap_or_default() - later;
        if rebuilt != measured {
            drifts.push(StockDrift {
                item,
                location: pair % grid.locations,
                at: chrono::DateTime::from_timestamp(at, 0).unwrap_or_default(),
                measured,
                rebuilt,
            });
        }
    }
    drifts
}

/// Item–location pairs numbered by item, then location.
struct Grid {
    locations: usize,
    pairs: usize,
}

impl Grid {
    fn pair(&self, item: u32, location: u32) -> usize {
        item as usize * self.locations + location as usize
    }
}

/// Values grouped by pair with a counting sort, each pair's in the order they came.
struct Grouped<T> {
    /// Where each pair's values start in `values`, then the end of the last.
    starts: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy + Default> Grouped<T> {
    fn new(pairs: usize, keyed: impl Iterator<Item = (usize, T)>) -> Self {
        let keyed: Vec<(usize, T)> = keyed.collect();
        let mut starts = vec![0u32; pairs + 1];
        for &(pair, _) in &keyed {
            starts[pair + 1] += 1;
        }
        for i in 0..pairs {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut values = vec![T::default(); keyed.len()];
        for (pair, value) in keyed {
            values[next[pair] as usize] = value;
            next[pair] += 1;
        }
        Self { starts, values }
    }

    /// One pair's values, to be sorted in place.
    fn get_mut(&mut self, pair: usize) -> &mut [T] {
        &mut self.values[self.starts[pair] as usize..self.starts[pair + 1] as usize]
    }
}

/// Sale lines added up per period, in period order, without the periods where they cancel out.
fn per_period(lines: &mut [PeriodSales]) -> Vec<PeriodSales> {
    lines.sort_by_key(|line| line.period);
    let mut sums: Vec<PeriodSales> = Vec::with_capacity(lines.len());
    for line in lines.iter() {
        match sums.last_mut() {
            Some(last) if last.period == line.period => {
                last.qty += line.qty;
                last.revenue += line.revenue;
                last.cost += line.cost;
            }
            _ => sums.push(*line),
        }
    }
    sums.retain(|s| !(s.qty.is_zero() && s.revenue.is_zero() && s.cost.is_zero()));
    sums
}

/// The sale date of a counted order under the settings, or `None` when it is not a sale under
/// them (not dispatched where dispatch matters).
fn sale_date(documents: &Documents, i: usize, settings: &ImportSettings) -> Option<i64> {
    if settings.dispatched_only && documents.dispatched[i].is_none() {
        return None;
    }
    match settings.sale_date {
        SaleDate::Invoice => documents.invoiced[i].or(documents.ordered[i]),
        SaleDate::Order => documents.ordered[i],
        SaleDate::Dispatch => documents.dispatched[i],
    }
}

/// For each of `ledger`'s documents, whether its sale lines count in the history under
/// `settings` at `locations`: the documents behind the counts of unknown-item and kit lines.
pub fn documents_counted(
    ledger: &Ledger,
    settings: &ImportSettings,
    locations: &[Location],
) -> Vec<bool> {
    let calendar = settings.calendar(ledger.as_of);
    let places = Places::new(locations, ledger.branches.iter().copied());
    let mut ignored = DataWarnings::default();
    sale_slots(
        &ledger.documents,
        settings,
        &calendar,
        &places,
        &mut ignored,
    )
    .iter()
    .map(Option::is_some)
    .collect()
}

/// For each document, the period and location its sale lines count in, if they count; every
/// document that does not count is counted in `warnings` with the reason.
fn sale_slots(
    documents: &Documents,
    settings: &ImportSettings,
    calendar: &Calendar,
    places: &Places,
    warnings: &mut DataWarnings,
) -> Vec<Option<(u32, u32)>> {
    (0..documents.len())
        .map(|i| {
            if documents.rejected[i] {
                warnings.records_beyond_bounds += 1;
                return None;
            }
            if documents.open_only[i] {
                return None;
            }
            let is_sale = matches!(
                documents.kind[i],
                DocumentKind::SalesOrder | DocumentKind::CreditNote
            );
            if is_sale && !settings.includes_channel(&documents.channel[i]) {
                warnings.documents_in_other_channels += 1;
                return None;
            }
            let period = match documents.kind[i] {
                DocumentKind::SalesOrder => {
                    if !documents.counted[i] {
                        warnings.orders_not_counted += 1;
                        return None;
                    }
                    let Some(at) = sale_date(documents, i, settings) else {
                        warnings.orders_not_dispatched += 1;
                        return None;
                    };
                    let Some(period) = calendar.index_at(at) else {
                        warnings.orders_outside_periods += 1;
                        return None;
                    };
                    period
                }
                DocumentKind::CreditNote => {
                    if !settings.returns {
                        return None;
                    }
                    if !documents.counted[i] {
                        warnings.credit_notes_not_counted += 1;
                        return None;
                    }
                    let Some(period) = documents.returned[i].and_then(|at| calendar.index_at(at))
                    else {
                        warnings.credit_notes_outside_periods += 1;
                        return None;
                    };
                    period
                }
                _ => return None,
            };
            let location = places.of(documents.branch[i], warnings)?;
            warnings.kit_component_lines += u64::from(documents.kit_lines[i]);
            warnings.unknown_item_lines += u64::from(documents.unknown_lines[i]);
            Some((period as u32, location))
        })
        .collect()
}

/// On-hand levels as [`Series::on_hand`] keeps them: (first period, level), in period order.
type Levels = Vec<(u32, Decimal)>;

/// On-hand at the end of each period from the current stock and the movements dated in the
/// periods: the last period's is the current stock; each earlier one is the next one's less the
/// movements of the next period.
fn levels(current: Decimal, moved: &mut [(u32, Decimal, i64)], periods: usize) -> Levels {
    if periods == 0 {
        return Vec::new();
    }
    moved.sort_by_key(|m| m.0);
    // Backwards from now: the level holds from the latest movement's period on; before it, the
    // level less what that period moved.
    let mut level = current;
    let mut changes = Vec::with_capacity(moved.len() + 1);
    let mut i = moved.len();
    while i > 0 {
        let period = moved[i - 1].0;
        changes.push((period, level));
        while i > 0 && moved[i - 1].0 == period {
            level -= moved[i - 1].1;
            i -= 1;
        }
    }
    if changes.last().is_none_or(|c| c.0 > 0) {
        changes.push((0, level));
    }
    changes.reverse();
    changes.dedup_by(|later, earlier| later.1 == earlier.1);
    changes
}

/// How many of `periods` periods end with a level below zero.
fn negative_periods(changes: &[(u32, Decimal)], periods: usize) -> u64 {
    let mut count = 0;
    for (i, &(from, level)) in changes.iter().enumerate() {
        if level < Decimal::ZERO {
            let until = changes.get(i + 1).map_or(periods, |next| next.0 as usize);
            count += (until - from as usize) as u64;
        }
    }
    count
}

/// Why a project cannot be regrouped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegroupError {
    #[error(
        "This project was saved before projects kept their ledger, so it cannot be regrouped: import it again."
    )]
    NoLedger,
    #[error(
        "The starting date and the branches decide what is read from Cin7: import again to change them."
    )]
    NeedsImport,
    #[error("{0}")]
    Limits(#[from] LimitError),
}

impl Project {
    /// The project under other grouping, week start, time zone, sale date, dispatched-only or
    /// returns settings, rebuilt from its ledger without calling Cin7.
    pub fn regrouped(&self, settings: ImportSettings) -> Result<Project, RegroupError> {
        let ledger = self.ledger.as_ref().ok_or(RegroupError::NoLedger)?;
        if settings.starting_date != self.settings.starting_date
            || settings.branches != self.settings.branches
        {
            return Err(RegroupError::NeedsImport);
        }
        let rebuilt = rebuild(ledger, &settings, &self.items, &self.locations)?;
        Ok(Project {
            connection: self.connection.clone(),
            settings,
            items: self.items.clone(),
            locations: self.locations.clone(),
            periods: rebuilt.calendar.periods,
            last_period_in_progress: self.last_period_in_progress,
            series: rebuilt.series,
            report: ImportReport {
                warnings: rebuilt.warnings,
                ..self.report.clone()
            },
            ledger: self.ledger.clone(),
            measured_at: rebuilt.measured_at,
            planning: rebuilt.planning,
            history: self.history.clone(),
        })
    }
}
