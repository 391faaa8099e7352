//! The selected item's chart: its sales per period as bars, its on-hand history as a line, and
//! what Cin7's stock readings measured as points; hovering shows the period's values. A sized
//! item says why it has no on-hand line and which analyses that rules out.

use crate::project::{Project, Series};
use egui::RichText;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints, Points};
use rust_decimal::Decimal;
use std::rc::Rc;

/// Why a sized item has no on-hand history, and what that rules out (PRODUCT.md).
pub const SIZED_NOTE: &str = "Sized item: Cin7 gives no per-size stock movements, so there is no on-hand history. Inventory turnover, stockout days, and telling lost sales from zero demand cannot be analysed for it. Points show what Cin7's stock said when the project read it.";

pub fn show(ui: &mut egui::Ui, project: &Project, series: &Series) {
    let item = &project.items[series.item];
    let location = &project.locations[series.location];
    ui.heading(format!("{} at {}", item.code, location.name));
    ui.label(RichText::new(&item.description).weak());
    if item.sized {
        ui.label(RichText::new(SIZED_NOTE).color(ui.visuals().warn_fg_color));
    }
    let values = Rc::new(PeriodValues::of(project, series));
    let bars: Vec<Bar> = values
        .sold
        .iter()
        .enumerate()
        .map(|(p, q)| Bar::new(p as f64, number(*q)).width(0.8))
        .collect();
    let on_hand: Option<Vec<[f64; 2]>> = values.on_hand.as_ref().map(|levels| {
        levels
            .iter()
            .enumerate()
            .map(|(p, l)| [p as f64, number(*l)])
            .collect()
    });
    let measured: Vec<[f64; 2]> = values
        .measured
        .iter()
        .enumerate()
        .filter_map(|(p, m)| m.map(|q| [p as f64, number(q)]))
        .collect();
    let (axis, hover, bar_hover) = (Rc::clone(&values), Rc::clone(&values), values);
    Plot::new(("item_chart", series.item, series.location))
        .height(260.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| axis.start_at(mark.value).unwrap_or_default())
        .label_formatter(move |position| match position {
            egui_plot::HoverPosition::NearDataPoint { position, .. } => {
                hover.summary_at(position.x)
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("Units sold", bars).element_formatter(Box::new(move |bar, _| {
                    bar_hover.summary_at(bar.argument).unwrap_or_default()
                })),
            );
            if let Some(levels) = on_hand {
                plot.line(Line::new("On hand", PlotPoints::from(levels)));
            }
            if !measured.is_empty() {
                plot.points(Points::new("Measured", PlotPoints::from(measured)).radius(4.0));
            }
        });
}

/// A plotted value (quantities are far inside what an `f64` holds exactly).
fn number(value: Decimal) -> f64 {
    f64::try_from(value).unwrap_or(0.0)
}

/// One series' values in each period, for the chart and its tooltips.
struct PeriodValues {
    starts: Vec<chrono::NaiveDate>,
    sold: Vec<Decimal>,
    revenue: Vec<Decimal>,
    on_hand: Option<Vec<Decimal>>,
    measured: Vec<Option<Decimal>>,
}

impl PeriodValues {
    fn of(project: &Project, series: &Series) -> Self {
        let periods = project.periods.len();
        Self {
            starts: project.periods.iter().map(|p| p.start).collect(),
            sold: series.sales_qty(periods),
            revenue: series.sales_revenue(periods),
            on_hand: series.on_hand_values(periods),
            measured: series
                .measured_values(periods, &project.measured_at)
                .into_iter()
                .map(|m| m.map(|(qty, _)| qty))
                .collect(),
        }
    }

    /// The period at `x` (a period index), if `x` is one.
    fn period_at(&self, x: f64) -> Option<usize> {
        let index = x.round();
        let near = index >= 0.0 && (x - index).abs() <= 0.01;
        near.then_some(index as usize)
            .filter(|&p| p < self.starts.len())
    }

    /// The start of the period at `x`, for the axis.
    fn start_at(&self, x: f64) -> Option<String> {
        let period = self.period_at(x)?;
        Some(self.starts[period].format("%Y-%m-%d").to_string())
    }

    /// Every value of the period at `x`, for the tooltip: whichever of its bar, line or point
    /// the pointer is near, the planner sees the whole period.
    fn summary_at(&self, x: f64) -> Option<String> {
        let period = self.period_at(x)?;
        let mut lines = vec![
            format!("Period from {}", self.starts[period].format("%Y-%m-%d")),
            format!("Units sold: {}", self.sold[period].normalize()),
            format!("Revenue: {:.2}", self.revenue[period]),
        ];
        if let Some(level) = self.on_hand.as_ref().and_then(|levels| levels.get(period)) {
            lines.push(format!("On hand at the end: {}", level.normalize()));
        }
        if let Some(Some(qty)) = self.measured.get(period) {
            lines.push(format!("Measured by Cin7: {}", qty.normalize()));
        }
        Some(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn values() -> PeriodValues {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        PeriodValues {
            starts: vec![start, start + chrono::Days::new(7)],
            sold: vec![dec("12.50"), dec("0")],
            revenue: vec![dec("187.5"), dec("0")],
            on_hand: Some(vec![dec("40"), dec("-2")]),
            measured: vec![None, Some(dec("3"))],
        }
    }

    #[test]
    fn the_tooltip_shows_every_value_of_the_period_under_the_pointer() {
        let values = values();
        assert_eq!(
            values.summary_at(0.0).unwrap(),
            "Period from 2026-03-02\nUnits sold: 12.5\nRevenue: 187.50\nOn hand at the end: 40"
        );
        assert_eq!(
            values.summary_at(1.004).unwrap(),
            "Period from 2026-03-09\nUnits sold: 0\nRevenue: 0.00\nOn hand at the end: -2\nMeasured by Cin7: 3"
        );
        // Between periods and past the last, there is nothing to show.
        assert_eq!(values.summary_at(0.5), None);
        assert_eq!(values.summary_at(2.0), None);
        assert_eq!(values.start_at(-1.0), None);
        assert_eq!(values.start_at(1.0).unwrap(), "2026-03-09");
    }
}
