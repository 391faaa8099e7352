//! The planning project: what an import produces and the app saves, reopens and updates.

pub mod calendar;
pub mod csv;
pub mod file;
pub mod ledger;
pub mod limits;
pub mod planning;
pub mod rebuild;
pub mod stock;
pub mod tables;
pub mod xlsx;

pub use calendar::{Calendar, GroupBy, Period};
pub use ledger::Ledger;
pub use limits::LimitError;
pub use rebuild::RegroupError;

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the data came from. Never the API key: that lives in the OS credential store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    pub base_url: String,
    pub username: String,
}

impl ConnectionInfo {
    /// The connection as one name, `username@base_url`: the keychain's account, the daily
    /// call log's and the checkpoints' key.
    pub fn key(&self) -> String {
        format!("{}@{}", self.username, self.base_url)
    }
}

/// Which date places a sale in a period.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SaleDate {
    /// `invoiceDate`, or `createdDate` for an order not invoiced.
    #[default]
    Invoice,
    /// `createdDate`.
    Order,
    /// `dispatchedDate`; orders not dispatched are not sales.
    Dispatch,
}

impl SaleDate {
    pub fn label(self) -> &'static str {
        match self {
            SaleDate::Invoice => "Invoice date",
            SaleDate::Order => "Order date",
            SaleDate::Dispatch => "Dispatch date",
        }
    }
}

fn yes() -> bool {
    true
}

/// The settings an import was made with; an update reuses them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    pub starting_date: NaiveDate,
    pub group_by: GroupBy,
    pub time_zone: Tz,
    pub week_start: Weekday,
    #[serde(default)]
    pub sale_date: SaleDate,
    /// Count only orders that have been dispatched.
    #[serde(default)]
    pub dispatched_only: bool,
    /// Subtract returns (credit notes) from sales.
    #[serde(default = "yes")]
    pub returns: bool,
    /// The branches to import; `None` for all.
    #[serde(default)]
    pub branches: Option<Vec<i64>>,
    /// The channels (a sale's `source`) whose sales count; `None` for all. An empty name
    /// stands for the sales without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<String>>,
}

impl ImportSettings {
    /// The default import options around the three choices of the dialog.
    pub fn new(starting_date: NaiveDate, group_by: GroupBy, time_zone: Tz) -> Self {
        Self {
            starting_date,
            group_by,
            time_zone,
            week_start: Weekday::Mon,
            sale_date: SaleDate::Invoice,
            dispatched_only: false,
            returns: true,
            branches: None,
            channels: None,
        }
    }

    /// Whether sales of this channel count (names compared without regard to letter case).
    pub fn includes_channel(&self, channel: &str) -> bool {
        self.channels.as_ref().is_none_or(|chosen| {
            chosen
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(channel))
        })
    }

    /// Whether documents at this branch are imported.
    pub fn includes_branch(&self, branch_id: i64) -> bool {
        self.branches
            .as_ref()
            .is_none_or(|chosen| chosen.contains(&branch_id))
    }
}

impl ImportSettings {
    /// The branch ids read, as "1,3" (`None`: every branch).
    pub fn branch_list(&self) -> Option<String> {
        let ids = self.branches.as_ref()?;
        Some(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
    }

    pub fn calendar(&self, now: DateTime<Utc>) -> Calendar {
        Calendar::new(
            self.starting_date,
            self.group_by,
            self.time_zone,
            self.week_start,
            now,
        )
    }
}

/// A product option, or one size of it: the unit planners forecast.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub product_option_id: i64,
    /// The size name for a size-grid item; empty otherwise.
    pub size: String,
    pub code: String,
    pub description: String,
    pub product_id: Option<i64>,
    pub style_code: Option<String>,
    pub options: Vec<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub barcode: Option<String>,
    pub retail_price: Option<Decimal>,
    /// From the account's `cost…` price column, where it has one.
    #[serde(default)]
    pub cost: Option<Decimal>,
    /// The currency that column names (`costNZD`: NZD), where it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_currency: Option<String>,
    /// The product's supplier (a Cin7 contact's company).
    #[serde(default)]
    pub supplier: Option<String>,
    /// That contact's id, so that an update names the supplier as it is now even when the
    /// product did not change.
    #[serde(default)]
    pub supplier_id: Option<i64>,
    pub status: Option<String>,
    /// A size-grid item: it has sales history but no on-hand history.
    pub sized: bool,
    /// The product's sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<String>,
    /// The supplier's own code for the item (its option's `supplierCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_item_code: Option<String>,
    /// Per unit: the option's own weight, else the product's; none where neither was entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
    /// Per unit, the product's; none where it was not entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<Decimal>,
}

/// A Cin7 branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub branch_id: i64,
    pub name: String,
    pub branch_type: Option<String>,
    pub is_active: bool,
}

/// The history of one item at one location, kept sparse: a large account grouped by day has
/// hundreds of thousands of item–location pairs and a thousand periods, most of them without a
/// sale or a change of stock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// Index into [`Project::items`].
    pub item: usize,
    /// Index into [`Project::locations`].
    pub location: usize,
    /// The periods with sales or returns, in order.
    pub sales: Vec<PeriodSales>,
    /// On-hand at the end of each period, as the periods where it changes, in order:
    /// (first period index, level), starting at period 0; `None` where the project has none
    /// for this pair (sized items).
    pub on_hand: Option<Vec<(u32, Decimal)>>,
    /// What Cin7's stock said at the periods holding a reading ([`Project::measured_at`]), as
    /// the periods where it changes: (period index, quantity). For every item, sized ones
    /// included: these are measured, not rebuilt.
    pub measured: Vec<(u32, Decimal)>,
}

/// What one item sold at one location in one period, net of returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeriodSales {
    pub period: u32,
    pub qty: Decimal,
    pub revenue: Decimal,
    /// The cost of the lines sold whose cost Cin7 gave (the data report counts the others).
    pub cost: Decimal,
}

impl PeriodSales {
    /// Revenue less cost.
    pub fn profit(&self) -> Decimal {
        self.revenue - self.cost
    }
}

impl Series {
    /// Quantity sold in each of `periods` periods.
    pub fn sales_qty(&self, periods: usize) -> Vec<Decimal> {
        self.sales_column(periods, |s| s.qty)
    }

    /// Revenue in each of `periods` periods.
    pub fn sales_revenue(&self, periods: usize) -> Vec<Decimal> {
        self.sales_column(periods, |s| s.revenue)
    }

    /// Cost of sales in each of `periods` periods.
    pub fn sales_cost(&self, periods: usize) -> Vec<Decimal> {
        self.sales_column(periods, |s| s.cost)
    }

    fn sales_column(
        &self,
        periods: usize,
        value: impl Fn(&PeriodSales) -> Decimal,
    ) -> Vec<Decimal> {
        let mut values = vec![Decimal::ZERO; periods];
        for sale in &self.sales {
            values[sale.period as usize] = value(sale);
        }
        values
    }

    /// On-hand at the end of each of `periods` periods.
    pub fn on_hand_values(&self, periods: usize) -> Option<Vec<Decimal>> {
        let changes = self.on_hand.as_ref()?;
        let mut values = Vec::with_capacity(periods);
        for (i, &(from, level)) in changes.iter().enumerate() {
            let until = changes.get(i + 1).map_or(periods, |next| next.0 as usize);
            values.resize(until.max(from as usize), level);
        }
        Some(values)
    }

    /// What the stock readings measured in each of `periods` periods: the quantity and the
    /// instant of the latest reading in it, for the periods in `measured_at` (the project's)
    /// where this pair had a row.
    pub fn measured_values(
        &self,
        periods: usize,
        measured_at: &[(u32, DateTime<Utc>)],
    ) -> Vec<Option<(Decimal, DateTime<Utc>)>> {
        let mut values = vec![None; periods];
        let mut changes = self.measured.iter().peekable();
        let mut value = None;
        for &(period, at) in measured_at {
            while let Some(&&(from, qty)) = changes.peek() {
                if from > period {
                    break;
                }
                value = Some(qty);
                changes.next();
            }
            if let (Some(qty), Some(slot)) = (value, values.get_mut(period as usize)) {
                *slot = Some((qty, at));
            }
        }
        values
    }

    /// Quantity, revenue and cost over every period (its `period` is 0).
    pub fn totals(&self) -> PeriodSales {
        self.sales
            .iter()
            .fold(PeriodSales::default(), |total, s| PeriodSales {
                period: 0,
                qty: total.qty + s.qty,
                revenue: total.revenue + s.revenue,
                cost: total.cost + s.cost,
            })
    }

    /// Whether every quantity, amount and level is inside [`crate::bounds`].
    fn within_bounds(&self) -> bool {
        use crate::bounds::within;
        self.sales
            .iter()
            .all(|s| within(s.qty) && within(s.revenue) && within(s.cost))
            && self
                .on_hand
                .iter()
                .flatten()
                .all(|&(_, level)| within(level))
    }

    /// Whether every entry lies inside `periods` periods, in order, on-hand from period 0.
    fn fits(&self, periods: usize) -> bool {
        let on_hand_fits = self.on_hand.as_ref().is_none_or(|changes| {
            // From period 0 whenever there is a period at all.
            changes.first().map(|c| c.0) == (periods > 0).then_some(0)
                && rising_below(changes.iter().map(|c| c.0), periods)
        });
        rising_below(self.sales.iter().map(|s| s.period), periods) && on_hand_fits
    }
}

/// Whether `periods` strictly rise and stay below `count`.
fn rising_below(periods: impl Iterator<Item = u32>, count: usize) -> bool {
    let mut previous = None;
    periods.into_iter().all(|period| {
        let fits = previous.is_none_or(|p| p < period) && (period as usize) < count;
        previous = Some(period);
        fits
    })
}

/// What the data contained that did not become a number, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataWarnings {
    /// Order lines whose product option is not in the catalogue (deleted, ad-hoc, freight).
    pub unknown_item_lines: u64,
    /// Documents at a branch the account does not list.
    pub unknown_branch_documents: u64,
    /// Orders not counted as sales: drafts and voids.
    pub orders_not_counted: u64,
    /// Counted orders whose sale date falls outside the imported periods.
    pub orders_outside_periods: u64,
    /// Kit component lines (not sales in themselves).
    pub kit_component_lines: u64,
    /// Orders skipped because they were not dispatched (dispatch date or dispatched only).
    #[serde(default)]
    pub orders_not_dispatched: u64,
    /// Void credit notes.
    #[serde(default)]
    pub credit_notes_not_counted: u64,
    /// Credit notes dated outside the imported periods.
    #[serde(default)]
    pub credit_notes_outside_periods: u64,
    /// Documents at branches left out by the import options.
    #[serde(default)]
    pub documents_at_other_branches: u64,
    /// Reconstructed on-hand values below zero (kept as computed).
    #[serde(default)]
    pub negative_on_hand_values: u64,
    /// Where on-hand rebuilt backwards from the latest stock reading differs from what an
    /// earlier reading measured: stock moved by something Cin7's API does not show.
    #[serde(default)]
    pub stock_drift: Vec<StockDrift>,
    /// Records left out because a number in them was beyond 10¹⁵ (documents, products,
    /// stock rows).
    #[serde(default)]
    pub records_beyond_bounds: u64,
    /// Sales orders and credit notes of channels the options leave out.
    #[serde(default)]
    pub documents_in_other_channels: u64,
    /// Counted sale lines without a `unitCost`: they add nothing to the cost of sales.
    #[serde(default)]
    pub sale_lines_without_cost: u64,
    /// Lines of open orders left out: their item is unknown, or their branch left out.
    #[serde(default)]
    pub open_lines_left_out: u64,
    /// Promised dates outside the years 1900 to 2200, taken as none.
    #[serde(default)]
    pub implausible_dates: u64,
    /// Receipts dated before their purchase order was created: counted, not used.
    #[serde(default)]
    pub negative_lead_times: u64,
    /// Bills of materials left out: unusable (no kit, no quantity, a component without an
    /// option), or making a kit of itself, directly or through another kit.
    #[serde(default)]
    pub kits_left_out: u64,
    /// Cin7 refused to list the open documents older than the history (its `IS NULL`
    /// filter): open orders older than the history may be missing.
    #[serde(default)]
    pub older_open_orders_missing: bool,
}

/// A regular item's stock at one location, as an earlier reading measured it and as on-hand
/// history rebuilt from the latest reading has it at the same instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockDrift {
    pub item: usize,
    pub location: usize,
    pub at: DateTime<Utc>,
    pub measured: Decimal,
    pub rebuilt: Decimal,
}

impl StockDrift {
    /// How much more the reading measured than the history says.
    pub fn size(&self) -> Decimal {
        self.measured - self.rebuilt
    }
}

/// What a run was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The first import, from the connection dialog or `import`.
    Import,
    /// An update: the documents changed since the last run.
    Update,
    /// Everything read again into an existing project.
    Reimport,
}

impl RunKind {
    /// "Import", "Update" or "Reimport".
    pub fn label(self) -> &'static str {
        match self {
            RunKind::Import => "Import",
            RunKind::Update => "Update",
            RunKind::Reimport => "Reimport",
        }
    }
}

/// One import or update of a project: when it ran, what it cost, what it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunEntry {
    pub kind: RunKind,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub calls: u64,
    /// Documents the project did not have before.
    pub documents_added: u64,
    /// Documents it had, read again and different (edited, dispatched, received, completed…).
    pub documents_changed: u64,
    /// Documents it had, read again and the same (a reimport reads every one again).
    #[serde(default)]
    pub documents_unchanged: u64,
    /// Documents that counted before and are void now.
    pub documents_voided: u64,
}

impl RunEntry {
    /// "1 document added, none changed, none voided", "no document added, none changed, none
    /// voided, 3549 read again unchanged": the same words in the window and on the command line.
    pub fn changes_text(&self) -> String {
        use crate::text::thousands;
        let some = |n: u64| match n {
            0 => "none".to_owned(),
            n => thousands(n),
        };
        let added = match self.documents_added {
            0 => "no document added".to_owned(),
            1 => "1 document added".to_owned(),
            n => format!("{} documents added", thousands(n)),
        };
        let mut text = format!(
            "{added}, {} changed, {} voided",
            some(self.documents_changed),
            some(self.documents_voided)
        );
        if self.documents_unchanged > 0 {
            text.push_str(&format!(
                ", {} read again unchanged",
                thousands(self.documents_unchanged)
            ));
        }
        text
    }
}

impl DataWarnings {
    /// What was not counted and why, each with its count, in the order the report gives them.
    pub fn not_counted(&self) -> [(u64, &'static str); 16] {
        [
            (self.orders_not_counted, "draft or void orders"),
            (self.orders_not_dispatched, "orders not dispatched"),
            (self.orders_outside_periods, "orders outside the periods"),
            (self.credit_notes_not_counted, "void credit notes"),
            (
                self.credit_notes_outside_periods,
                "credit notes outside the periods",
            ),
            (self.unknown_item_lines, "lines for unknown items"),
            (self.kit_component_lines, "kit component lines"),
            (
                self.unknown_branch_documents,
                "documents at unknown branches",
            ),
            (
                self.documents_at_other_branches,
                "documents at branches left out",
            ),
            (
                self.records_beyond_bounds,
                "records with a number beyond 10^15",
            ),
            (
                self.documents_in_other_channels,
                "documents of channels left out",
            ),
            (self.sale_lines_without_cost, "sale lines without a cost"),
            (
                self.open_lines_left_out,
                "open order lines for unknown items or branches left out",
            ),
            (
                self.implausible_dates,
                "promised dates outside 1900 to 2200",
            ),
            (
                self.negative_lead_times,
                "receipts dated before their order",
            ),
            (self.kits_left_out, "kits left out"),
        ]
    }

    /// The one sentence the window and `inspect` both show: "Not counted: 2 draft or void
    /// orders, 1 kit component lines." (`None` when everything counted).
    pub fn not_counted_sentence(&self) -> Option<String> {
        let parts: Vec<String> = self
            .not_counted()
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        (!parts.is_empty()).then(|| format!("Not counted: {}.", parts.join(", ")))
    }

    /// The sentence about stock drift, if there was any.
    pub fn stock_drift_sentence(&self) -> Option<String> {
        let largest = self.stock_drift.iter().map(|d| d.size().abs()).max()?;
        let mut pairs: Vec<(usize, usize)> = self
            .stock_drift
            .iter()
            .map(|d| (d.item, d.location))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Some(format!(
            "Stock drift at {} item–location pairs: what Cin7's stock said at an earlier reading differs from on-hand rebuilt from its documents, by up to {} units (stock moved by something its API does not show, such as production jobs or manual edits).",
            pairs.len(),
            largest.normalize()
        ))
    }

    /// The sentence about open orders older than the history Cin7 would not list, if it
    /// would not.
    pub fn older_open_orders_sentence(&self) -> Option<String> {
        self.older_open_orders_missing.then(|| {
            "Cin7 refused to list the orders still open from before the history's start (its IS NULL filter), so open orders older than the history may be missing.".to_owned()
        })
    }

    /// The sentence about on-hand values rebuilt below zero, if any were.
    pub fn negative_on_hand_sentence(&self) -> Option<String> {
        (self.negative_on_hand_values > 0).then(|| {
            format!(
                "{} rebuilt on-hand values are below zero: some stock movement is missing from Cin7's records (kept as computed).",
                self.negative_on_hand_values
            )
        })
    }
}

/// How an import went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub calls: u64,
    /// Pages read from what an earlier, stopped run had kept, instead of from Cin7.
    #[serde(default)]
    pub pages_reused: u64,
    /// The fewest calls that could have read the same records (one per 250 records of each
    /// resource, plus one empty page).
    pub minimum_calls: u64,
    pub retries: u64,
    /// From the first call to the finished project.
    pub elapsed_ms: u64,
    pub rate_limit_wait_ms: u64,
    /// Records read, by resource.
    pub records: BTreeMap<String, u64>,
    pub warnings: DataWarnings,
}

/// A whole planning project, as the app holds it (`file` says how it is kept on disk).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub connection: ConnectionInfo,
    pub settings: ImportSettings,
    pub items: Vec<Item>,
    pub locations: Vec<Location>,
    pub periods: Vec<Period>,
    /// The last period contains the moment of the import: its figures are partial.
    pub last_period_in_progress: bool,
    pub series: Vec<Series>,
    pub report: ImportReport,
    /// What the series are built from; `None` in files saved before projects kept it.
    pub ledger: Option<Ledger>,
    /// The periods holding a stock reading, with the instant of the latest in each.
    pub measured_at: Vec<(u32, DateTime<Utc>)>,
    /// Every import and update of the project, oldest first.
    pub history: Vec<RunEntry>,
    /// Open orders, lead times, last purchase prices and kits, worked out from the ledger
    /// under the settings (none without a ledger).
    pub planning: planning::Planning,
}

impl Project {
    /// The account's currency, as its cost price column names it (`costNZD`: NZD), where it
    /// has one.
    pub fn currency(&self) -> Option<&str> {
        self.items.iter().find_map(|i| i.cost_currency.as_deref())
    }

    /// The channels its sales orders and credit notes came from, sorted, each once (the sales
    /// without one not among them).
    pub fn channels(&self) -> Vec<String> {
        let Some(ledger) = &self.ledger else {
            return Vec::new();
        };
        let d = &ledger.documents;
        let names: std::collections::BTreeSet<&str> = (0..d.len())
            .filter(|&i| {
                matches!(
                    d.kind[i],
                    ledger::DocumentKind::SalesOrder | ledger::DocumentKind::CreditNote
                )
            })
            .map(|i| d.channel[i].as_str())
            .filter(|c| !c.is_empty())
            .collect();
        names.into_iter().map(str::to_owned).collect()
    }

    /// Total quantity and revenue sold per item, over every location and period.
    pub fn item_totals(&self) -> Vec<(Decimal, Decimal)> {
        let mut totals = vec![(Decimal::ZERO, Decimal::ZERO); self.items.len()];
        for series in &self.series {
            let sold = series.totals();
            let total = &mut totals[series.item];
            total.0 += sold.qty;
            total.1 += sold.revenue;
        }
        totals
    }

    /// Checks the cross-references, lengths and numbers stored series could have broken.
    pub fn validate(&self) -> Result<(), String> {
        let periods = self.periods.len();
        if periods as u64 > limits::MAX_PERIODS {
            return Err(format!(
                "it has {periods} periods, more than {}",
                limits::MAX_PERIODS
            ));
        }
        limits::check_pairs(self.items.len(), self.locations.len()).map_err(|e| e.as_damage())?;
        for (i, s) in self.series.iter().enumerate() {
            if s.item >= self.items.len() || s.location >= self.locations.len() {
                return Err(format!(
                    "series {i} refers to an item or location that does not exist"
                ));
            }
            if !s.fits(periods) {
                return Err(format!("series {i} does not fit the periods"));
            }
            if !s.within_bounds() {
                return Err(format!("series {i} holds a number beyond 10^15"));
            }
        }
        if self.periods.windows(2).any(|w| w[0].end != w[1].start) {
            return Err("the periods are not contiguous".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Series {
        /// The quantity sold in one period.
        pub fn qty_in(&self, period: usize) -> Decimal {
            self.sales
                .binary_search_by_key(&(period as u32), |s| s.period)
                .map_or(Decimal::ZERO, |i| self.sales[i].qty)
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn sold(period: u32, qty: &str, revenue: &str, cost: &str) -> PeriodSales {
        PeriodSales {
            period,
            qty: d(qty),
            revenue: d(revenue),
            cost: d(cost),
        }
    }

    #[test]
    fn a_sparse_series_reads_as_one_value_per_period() {
        let series = Series {
            item: 0,
            location: 0,
            sales: vec![sold(1, "2", "20.50", "8"), sold(4, "-1", "-10", "-4")],
            on_hand: Some(vec![(0, d("5")), (2, d("3")), (4, d("-1"))]),
            measured: Vec::new(),
        };
        let zero = Decimal::ZERO;
        assert_eq!(
            series.sales_qty(6),
            vec![zero, d("2"), zero, zero, d("-1"), zero]
        );
        assert_eq!(
            series.sales_revenue(6),
            vec![zero, d("20.50"), zero, zero, d("-10"), zero]
        );
        assert_eq!(
            series.on_hand_values(6),
            Some(vec![d("5"), d("5"), d("3"), d("3"), d("-1"), d("-1")])
        );
        assert_eq!(
            series.sales_cost(6),
            vec![zero, d("8"), zero, zero, d("-4"), zero]
        );
        let totals = series.totals();
        assert_eq!(
            (totals.qty, totals.revenue, totals.cost),
            (d("1"), d("10.50"), d("4"))
        );
        assert_eq!(totals.profit(), d("6.50"));
        assert_eq!((series.qty_in(1), series.qty_in(2)), (d("2"), zero));
        assert!(series.fits(6));
        assert!(!series.fits(4), "a sale in period 4 of 4");
        let unordered = Series {
            on_hand: Some(vec![(0, d("5")), (3, d("3")), (2, d("1"))]),
            ..series.clone()
        };
        assert!(!unordered.fits(6));
        let late_start = Series {
            on_hand: Some(vec![(1, d("5"))]),
            ..series.clone()
        };
        assert!(!late_start.fits(6));
        // No periods (a starting date after the import): no values, and nothing else fits.
        let none = Series {
            sales: Vec::new(),
            on_hand: Some(Vec::new()),
            ..series.clone()
        };
        assert!(none.fits(0));
        assert_eq!(none.on_hand_values(0), Some(Vec::new()));
        assert!(!none.fits(6), "on-hand from period 0 whenever there is one");
        assert!(!series.fits(0));
    }
}
