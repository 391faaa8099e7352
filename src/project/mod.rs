//! The planning project: what an import produces and the app saves, reopens and updates.

pub mod calendar;
pub mod csv;
pub mod file;
pub mod ledger;
pub mod rebuild;

pub use calendar::{Calendar, GroupBy, Period};
pub use ledger::Ledger;
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
        }
    }

    /// Whether documents at this branch are imported.
    pub fn includes_branch(&self, branch_id: i64) -> bool {
        self.branches
            .as_ref()
            .is_none_or(|chosen| chosen.contains(&branch_id))
    }
}

impl ImportSettings {
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
    /// The product's supplier (a Cin7 contact's company).
    #[serde(default)]
    pub supplier: Option<String>,
    pub status: Option<String>,
    /// A size-grid item: it has sales history but no on-hand history.
    pub sized: bool,
}

/// A Cin7 branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub branch_id: i64,
    pub name: String,
    pub branch_type: Option<String>,
    pub is_active: bool,
}

/// The history of one item at one location, one value per period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// Index into [`Project::items`].
    pub item: usize,
    /// Index into [`Project::locations`].
    pub location: usize,
    pub sales_qty: Vec<Decimal>,
    pub sales_revenue: Vec<Decimal>,
    /// On-hand at the end of each period; `None` where the project has none for this pair.
    pub on_hand: Option<Vec<Decimal>>,
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
}

/// How an import went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A whole planning project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Ledger>,
}

impl Project {
    /// Total quantity and revenue sold per item, over every location and period.
    pub fn item_totals(&self) -> Vec<(Decimal, Decimal)> {
        let mut totals = vec![(Decimal::ZERO, Decimal::ZERO); self.items.len()];
        for series in &self.series {
            let total = &mut totals[series.item];
            total.0 += series.sales_qty.iter().sum::<Decimal>();
            total.1 += series.sales_revenue.iter().sum::<Decimal>();
        }
        totals
    }

    /// Checks the cross-references a file could have broken.
    pub fn validate(&self) -> Result<(), String> {
        let periods = self.periods.len();
        for (i, s) in self.series.iter().enumerate() {
            if s.item >= self.items.len() || s.location >= self.locations.len() {
                return Err(format!(
                    "series {i} refers to an item or location that does not exist"
                ));
            }
            let lengths_match = s.sales_qty.len() == periods
                && s.sales_revenue.len() == periods
                && s.on_hand.as_ref().is_none_or(|o| o.len() == periods);
            if !lengths_match {
                return Err(format!("series {i} does not have one value per period"));
            }
        }
        if self.periods.windows(2).any(|w| w[0].end != w[1].start) {
            return Err("the periods are not contiguous".into());
        }
        match &self.ledger {
            Some(ledger) => ledger.validate(self.items.len(), self.locations.len()),
            None => Ok(()),
        }
    }
}
