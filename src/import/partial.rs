//! The project a newest-first import has so far, as the window shows it while the older
//! history loads: only what is exact. Sales before the first exact period are left out (so
//! the table's totals are those of the exact periods), on-hand only once the current stock is
//! read, and no open orders, lead times or data warnings, which need every document.

use super::Exactness;
use crate::project::planning::Planning;
use crate::project::{DataWarnings, Project};
use std::sync::Arc;

/// The project so far and how far back it is exact.
#[derive(Debug)]
pub struct PartialProject {
    pub project: Arc<Project>,
    pub exact: Exactness,
}

impl PartialProject {
    /// `project` (built from what was read so far) cut to what `exact` says is exact.
    pub(super) fn new(mut project: Project, exact: Exactness) -> Self {
        let zone = project.settings.time_zone;
        let sales_from = exact.first_exact_period(&project.periods, zone) as u32;
        let stock_read = exact.on_hand_since.is_some();
        for series in &mut project.series {
            series.sales.retain(|s| s.period >= sales_from);
            if !stock_read {
                series.on_hand = None;
                series.measured.clear();
            }
        }
        if !stock_read {
            project.measured_at.clear();
        }
        project.planning = Planning::default();
        project.report.warnings = DataWarnings::default();
        Self {
            project: Arc::new(project),
            exact,
        }
    }

    /// The first period whose sales are exact.
    pub fn first_exact_period(&self) -> usize {
        let p = &self.project;
        self.exact
            .first_exact_period(&p.periods, p.settings.time_zone)
    }

    /// The first period whose on-hand is exact (the number of periods before the stock is
    /// read).
    pub fn first_exact_on_hand(&self) -> usize {
        let p = &self.project;
        self.exact
            .first_exact_on_hand(&p.periods, p.settings.time_zone)
    }
}
