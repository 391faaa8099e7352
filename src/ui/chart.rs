//! The selected item's chart: its sales per period as bars, its on-hand history as a line, and
//! what Cin7's stock readings measured as points; hovering shows the period's values. A sized
//! item says why it has no on-hand line and which analyses that rules out.

use crate::project::{Project, Series};
use egui::RichText;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints, Points};

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
    let periods = project.periods.len();
    let starts: Vec<chrono::NaiveDate> = project.periods.iter().map(|p| p.start).collect();
    let qty = series.sales_qty(periods);
    let bars: Vec<Bar> = qty
        .iter()
        .enumerate()
        .map(|(p, q)| Bar::new(p as f64, f64::try_from(*q).unwrap_or(0.0)).width(0.8))
        .collect();
    let on_hand: Option<Vec<[f64; 2]>> = series.on_hand_values(periods).map(|levels| {
        levels
            .iter()
            .enumerate()
            .map(|(p, l)| [p as f64, f64::try_from(*l).unwrap_or(0.0)])
            .collect()
    });
    let measured: Vec<[f64; 2]> = series
        .measured_values(periods, &project.measured_at)
        .iter()
        .enumerate()
        .filter_map(|(p, m)| m.map(|(q, _)| [p as f64, f64::try_from(q).unwrap_or(0.0)]))
        .collect();
    let label_starts = starts.clone();
    Plot::new(("item_chart", series.item, series.location))
        .height(260.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| period_label(&starts, mark.value))
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{}\n{plot_name}: {}",
                period_label(&label_starts, position.x),
                position.y
            )),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Units sold", bars));
            if let Some(levels) = on_hand {
                plot.line(Line::new("On hand", PlotPoints::from(levels)));
            }
            if !measured.is_empty() {
                plot.points(Points::new("Measured", PlotPoints::from(measured)).radius(4.0));
            }
        });
}

/// The start of the period at `x` (a period index), for the axis and the tooltip.
fn period_label(starts: &[chrono::NaiveDate], x: f64) -> String {
    let index = x.round();
    if index < 0.0 || (x - index).abs() > 0.01 {
        return String::new();
    }
    starts
        .get(index as usize)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
