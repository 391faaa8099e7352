//! Ledger → series: which sale lines count, in which period and where, under the settings;
//! on-hand history rebuilt backwards from current stock; the data warnings that go with them.
//! A pure function of the ledger and the settings, run by every import and every regrouping
//! (docs/import-rules.md).

use super::ledger::{DocumentKind, Documents, Ledger};
use super::{
    Calendar, DataWarnings, ImportReport, ImportSettings, Item, Location, Project, SaleDate, Series,
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
}

/// The series and warnings of `ledger` under `settings`.
pub fn rebuild(
    ledger: &Ledger,
    settings: &ImportSettings,
    items: &[Item],
    locations: &[Location],
) -> Rebuilt {
    let calendar = settings.calendar(ledger.as_of);
    let mut warnings = DataWarnings::default();
    let places = Places::new(locations, ledger.branches.iter().copied());
    let slots = sale_slots(
        &ledger.documents,
        settings,
        &calendar,
        &places,
        &mut warnings,
    );
    let periods = calendar.periods.len();
    let zeros = || vec![Decimal::ZERO; periods];

    let mut sales = PairTable::new(items.len(), locations.len());
    let s = &ledger.sales;
    for i in 0..s.len() {
        let Some((period, location)) = slots[s.document[i] as usize] else {
            continue;
        };
        let (qty, revenue) = sales.entry(s.item[i], location, || (zeros(), zeros()));
        qty[period as usize] += s.qty[i];
        revenue[period as usize] += s.revenue[i];
    }
    let on_hand = on_hand(
        ledger,
        &calendar,
        items.len(),
        locations.len(),
        &mut warnings,
    );

    let mut with_stock = HashMap::new();
    for ((item, location), values) in on_hand {
        if sales.contains(item, location) || values.iter().any(|v| !v.is_zero()) {
            sales.entry(item, location, || (zeros(), zeros()));
            with_stock.insert((item, location), values);
        }
    }
    let series = sales
        .into_sorted()
        .into_iter()
        .map(|((item, location), (sales_qty, sales_revenue))| {
            let on_hand = with_stock.remove(&(item, location)).or_else(|| {
                // A regular item's history where it never had stock is zeros; a sized item has
                // none.
                (!items[item as usize].sized).then(zeros)
            });
            Series {
                item: item as usize,
                location: location as usize,
                sales_qty,
                sales_revenue,
                on_hand,
            }
        })
        .collect();
    Rebuilt {
        calendar,
        series,
        warnings,
    }
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

/// On-hand at the end of each period, per regular item and location: the last period's is the
/// current stock; each earlier one is the next one's less the movements dated in the next
/// period. Movements outside the periods change no period's end. Negative values are kept, and
/// counted in `warnings`. Sorted by item, then location.
fn on_hand(
    ledger: &Ledger,
    calendar: &Calendar,
    items: usize,
    locations: usize,
    warnings: &mut DataWarnings,
) -> Vec<((u32, u32), Vec<Decimal>)> {
    let periods = calendar.periods.len();
    let mut pairs = PairTable::new(items, locations);
    let start = || (Decimal::ZERO, vec![Decimal::ZERO; periods]);
    let m = &ledger.movements;
    for i in 0..m.len() {
        if let Some(p) = calendar.index_at(m.at[i]) {
            pairs.entry(m.item[i], m.location[i], start).1[p] += m.qty[i];
        }
    }
    let k = &ledger.stock;
    for i in 0..k.qty.len() {
        pairs.entry(k.item[i], k.location[i], start).0 += k.qty[i];
    }
    pairs
        .into_sorted()
        .into_iter()
        .map(|(pair, (current, mut values))| {
            // In place: each bucket's movements become the level at the period's end.
            let mut level = current;
            for value in values.iter_mut().rev() {
                let moved = *value;
                *value = level;
                level -= moved;
            }
            warnings.negative_on_hand_values +=
                values.iter().filter(|v| **v < Decimal::ZERO).count() as u64;
            (pair, values)
        })
        .collect()
}

/// Values per item–location pair behind a dense index (4 bytes per pair the project could
/// have), so that adding up a row costs no hashing.
struct PairTable<T> {
    locations: usize,
    slots: Vec<u32>,
    entries: Vec<(u32, u32, T)>,
}

impl<T> PairTable<T> {
    const EMPTY: u32 = u32::MAX;

    fn new(items: usize, locations: usize) -> Self {
        Self {
            locations,
            slots: vec![Self::EMPTY; items * locations],
            entries: Vec::new(),
        }
    }

    fn entry(&mut self, item: u32, location: u32, make: impl FnOnce() -> T) -> &mut T {
        let slot = &mut self.slots[item as usize * self.locations + location as usize];
        if *slot == Self::EMPTY {
            *slot = self.entries.len() as u32;
            self.entries.push((item, location, make()));
        }
        &mut self.entries[*slot as usize].2
    }

    fn contains(&self, item: u32, location: u32) -> bool {
        self.slots[item as usize * self.locations + location as usize] != Self::EMPTY
    }

    /// The entries by item, then location.
    fn into_sorted(self) -> Vec<((u32, u32), T)> {
        let mut entries = self.entries;
        entries.sort_unstable_by_key(|(item, location, _)| (*item, *location));
        entries
            .into_iter()
            .map(|(item, location, value)| ((item, location), value))
            .collect()
    }
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
        let rebuilt = rebuild(ledger, &settings, &self.items, &self.locations);
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
        })
    }
}
