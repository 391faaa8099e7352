//! The selected item's chart: units sold per period as bars above, on-hand at the end of each
//! period as a step line below (with what Cin7's stock readings measured as points), each on
//! its own axis, both on one date axis that zooms and pans together (drag, Ctrl+wheel,
//! double-click to reset). The partial periods are shaded: the first when the starting date
//! falls inside it, the last while it is in progress. The legend sits above the plots, and
//! hovering shows the whole period in a tooltip that stays on screen. A sized item says why it
//! has no on-hand line. The receipts still expected at the item's location are marked ahead
//! of the last period, at their delivery dates (without one, or overdue, at the end), and
//! hovering one gives its order number and quantity. While an import still reads the older
//! history, the periods not exact yet are hatched, and hold no bars or on-hand line.

use super::format;
use crate::project::{Project, Series};
use chrono::{Datelike, Months, NaiveDate};
use egui::{Color32, RichText, Ui};
use egui_plot::{
    Bar, BarChart, GridInput, GridMark, Line, Plot, PlotPoints, PlotResponse, Points, Span,
};
use rust_decimal::Decimal;
use std::ops::RangeInclusive;

/// Why a sized item has no on-hand history, and what that rules out (the planning tool's own
/// words on size-grid items).
pub(super) const SIZED_NOTE: &str = "Sized item: Cin7 gives no per-size stock movements, so there is no on-hand history. Inventory turnover, stockout days, and telling lost sales from zero demand cannot be analysed for it. Points show what Cin7's stock said when the project read it.";

/// How near the pointer (in points) a receipt's mark answers it.
const RECEIPT_REACH: f64 = 6.0;

/// Below this width (in points) what ends the title line goes on a line of its own.
const NARROW: f32 = 600.0;

/// Each plot's least height, whatever room the window leaves.
pub(super) const MIN_PLOT_HEIGHT: f32 = 64.0;

const SOLD: Color32 = Color32::from_rgb(66, 133, 196);
const ON_HAND: Color32 = Color32::from_rgb(222, 128, 36);
const MEASURED: Color32 = Color32::from_rgb(150, 90, 200);
const RECEIPT: Color32 = Color32::from_rgb(46, 150, 90);

/// Day numbers (days since 1970-01-01) are the x axis: any grouping lays out on dates.
fn day_number(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce() - EPOCH_DAYS)
}

fn date_of(day: f64) -> Option<NaiveDate> {
    let day = i32::try_from(day.floor() as i64).ok()?;
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(EPOCH_DAYS)?)
}

/// 1970-01-01 counted from the common era.
const EPOCH_DAYS: i32 = 719_163;

/// The periods an import reading newest first has not made exact yet: sales before the
/// first, on-hand before the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Loading {
    pub sales_from: usize,
    pub on_hand_from: usize,
}

/// The chart of `series`, its money in `currency` (the project's, worked out once by the caller:
/// finding it walks the items), its periods still `loading` hatched; `title_end` draws at the
/// end of the title line, right to left.
pub(super) fn show(
    ui: &mut Ui,
    project: &Project,
    series: &Series,
    currency: Option<&str>,
    loading: Option<Loading>,
    title_end: impl FnOnce(&mut Ui),
) {
    let mut values = PeriodValues::of(project, series, currency);
    if let Some(loading) = loading {
        values.hide_loading(loading);
    }
    let hatched = loading.is_some_and(|l| l.sales_from > 0 || l.on_hand_from > 0);
    heading(ui, project, series, &values, hatched, title_end);
    // Two plots share the room, the lower one with the date axis under it.
    // A sized item that no stock reading measured has nothing to draw below its sales.
    let has_stock = values.on_hand.is_some() || values.measured.iter().any(Option::is_some);
    let plots = if has_stock { 2.0 } else { 1.0 };
    let each = ((ui.available_height() - 26.0) / plots).max(MIN_PLOT_HEIGHT);
    let link = egui::Id::unique(("item_chart", series.item, series.location));
    let sales = plot("sales_plot", link, &values, each)
        .show_axes([!has_stock, true])
        .show(ui, |plot| {
            values.shade(plot);
            plot.bar_chart(
                BarChart::new("Units sold", values.bars())
                    .color(SOLD)
                    .allow_hover(false),
            );
            if !has_stock {
                values.mark_receipts(plot);
            }
        });
    if let Some(loading) = loading {
        hatch(ui, &sales, &values, loading.sales_from);
    }
    if !has_stock {
        tooltip(ui, &sales, &values);
        return;
    }
    let stock = plot("stock_plot", link, &values, each).show(ui, |plot| {
        values.shade(plot);
        if let Some(steps) = values.steps() {
            plot.line(
                Line::new("On hand", PlotPoints::from(steps))
                    .color(ON_HAND)
                    .width(2.0)
                    // Steps rise straight up at period starts: drawn as a line, not as the
                    // band egui_plot draws dense series with.
                    .allow_band(false)
                    .allow_hover(false),
            );
        }
        let measured = values.measured_points();
        if !measured.is_empty() {
            plot.points(
                Points::new("Measured", PlotPoints::from(measured))
                    .color(MEASURED)
                    .radius(3.5),
            );
        }
        values.mark_receipts(plot);
    });
    if let Some(loading) = loading {
        hatch(ui, &stock, &values, loading.on_hand_from);
    }
    for shown in [&sales, &stock] {
        tooltip(ui, shown, &values);
    }
}

/// The chart's title line (ended by `title_end`), its legend (with the hatching, if some
/// periods are `hatched`), and a sized item's note.
fn heading(
    ui: &mut Ui,
    project: &Project,
    series: &Series,
    values: &PeriodValues,
    hatched: bool,
    title_end: impl FnOnce(&mut Ui),
) {
    let item = &project.items[series.item];
    let location = &project.locations[series.location];
    // The title and what the item is (cut short first), what ends the line (on a line of its
    // own, right-aligned, where the chart is narrow), then the legend.
    let mut title_end = Some(title_end);
    let narrow = ui.available_width() < NARROW;
    let right_to_left = egui::Layout::right_to_left(egui::Align::Center);
    ui.horizontal(|ui| {
        ui.with_layout(right_to_left, |ui| {
            if let Some(end) = title_end.take_if(|_| !narrow) {
                end(ui);
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                let title = RichText::new(format!("{} at {}", item.code, location.name)).strong();
                ui.add(egui::Label::new(title).truncate());
                ui.add(egui::Label::new(RichText::new(&item.description).weak()).truncate());
            });
        });
    });
    if let Some(end) = title_end {
        ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), 20.0), right_to_left, end);
    }
    legend(ui, values, hatched);
    if item.sized {
        // One line, the rest on hover: the chart keeps its room in a small window.
        let note = RichText::new("Sized item: no on-hand history (hover for why)")
            .color(ui.visuals().warn_fg_color);
        ui.add(egui::Label::new(note).truncate())
            .on_hover_text(SIZED_NOTE);
    }
}

/// A plot of the chart: x zooms and pans (linked with the other plot), y fits the data.
fn plot<'a>(name: &str, link: egui::Id, values: &'a PeriodValues, height: f32) -> Plot<'a> {
    let (first, last) = values.x_range();
    Plot::new((name, link))
        .height(height)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_scroll([true, false])
        .allow_axis_zoom_drag([true, false])
        .allow_boxed_zoom(false)
        .allow_double_click_reset(true)
        .default_x_bounds(first, last)
        .include_y(0.0)
        // Room above the highest value (and below the lowest), so that a label sits at each
        // end of the axis however short the plot.
        .include_y(values.headroom(name))
        .show_y(false)
        .y_axis_min_width(56.0)
        .x_grid_spacer(date_marks)
        .x_axis_formatter(date_label)
}

/// The legend, above the plots rather than over the newest values: each mark with its words,
/// as many to a line as fit.
fn legend(ui: &mut Ui, values: &PeriodValues, hatched: bool) {
    let mut entries = vec![(Swatch::Bar, SOLD, "Units sold")];
    if values.on_hand.is_some() {
        entries.push((Swatch::Line, ON_HAND, "On hand"));
    }
    if values.measured.iter().any(Option::is_some) {
        entries.push((Swatch::Dot, MEASURED, "Measured by Cin7"));
    }
    if !values.receipts.is_empty() {
        entries.push((Swatch::Diamond, RECEIPT, "Expected receipts"));
    }
    if values.first_partial || values.last_partial {
        let shade = ui.visuals().weak_text_color().gamma_multiply(0.35);
        entries.push((Swatch::Bar, shade, "Partial period"));
    }
    if hatched {
        entries.push((Swatch::Hatch, hatching(ui).color, "Loading, not exact yet"));
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let gap = ui.spacing().item_spacing.x;
    let width = |text: &str| {
        let words =
            ui.painter()
                .layout_no_wrap(text.to_owned(), font.clone(), Color32::PLACEHOLDER);
        SWATCH_WIDTH + gap + words.size().x + 2.0 * gap
    };
    let room = ui.available_width();
    let mut lines: Vec<Vec<(Swatch, Color32, &str)>> = vec![Vec::new()];
    let mut used = 0.0;
    for entry in entries {
        let needed = width(entry.2);
        if used + needed > room && !lines.last().is_none_or(Vec::is_empty) {
            lines.push(Vec::new());
            used = 0.0;
        }
        used += needed;
        if let Some(line) = lines.last_mut() {
            line.push(entry);
        }
    }
    for line in lines {
        ui.horizontal(|ui| {
            for (kind, colour, text) in line {
                swatch(ui, kind, colour, text);
            }
        });
    }
}

/// How a legend entry's mark is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    Bar,
    Line,
    Dot,
    Diamond,
    Hatch,
}

/// The width of a legend entry's mark.
const SWATCH_WIDTH: f32 = 14.0;

/// A legend entry: its mark drawn in `colour`, then `text`.
fn swatch(ui: &mut Ui, kind: Swatch, colour: Color32, text: &str) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(SWATCH_WIDTH, 12.0), egui::Sense::hover());
    let painter = ui.painter();
    match kind {
        Swatch::Bar => {
            painter.rect_filled(rect.shrink(1.0), 1.0, colour);
        }
        Swatch::Line => {
            painter.line_segment([rect.left_center(), rect.right_center()], (2.5, colour));
        }
        Swatch::Dot => {
            painter.circle_filled(rect.center(), 3.5, colour);
        }
        Swatch::Diamond => {
            let (c, r) = (rect.center(), 4.5);
            let points = vec![
                c + egui::vec2(0.0, -r),
                c + egui::vec2(r, 0.0),
                c + egui::vec2(0.0, r),
                c + egui::vec2(-r, 0.0),
            ];
            painter.add(egui::Shape::convex_polygon(
                points,
                colour,
                egui::Stroke::NONE,
            ));
        }
        Swatch::Hatch => hatch_area(&ui.painter_at(rect), rect, hatching(ui)),
    }
    ui.label(text);
    ui.add_space(ui.spacing().item_spacing.x);
}

/// The periods before `from` in the plot `shown`, hatched: still loading.
fn hatch<R>(ui: &Ui, shown: &PlotResponse<R>, values: &PeriodValues, from: usize) {
    let Some(first) = values.starts.first() else {
        return;
    };
    let until = values.starts.get(from).copied().unwrap_or(values.end);
    let frame = *shown.transform.frame();
    let x = |day: NaiveDate| {
        let point = egui_plot::PlotPoint::new(day_number(day), 0.0);
        shown.transform.position_from_point(&point).x
    };
    let (left, right) = (x(*first).max(frame.left()), x(until).min(frame.right()));
    if right <= left {
        return;
    }
    let area = egui::Rect::from_x_y_ranges(left..=right, frame.y_range());
    hatch_area(&ui.painter_at(area), area, hatching(ui));
}

/// The lines periods still loading are hatched with.
fn hatching(ui: &Ui) -> egui::Stroke {
    egui::Stroke::new(1.0, ui.visuals().weak_text_color().gamma_multiply(0.8))
}

/// Lines at 45°, 6 points apart, across `area`, drawn by `painter` (which clips to it).
fn hatch_area(painter: &egui::Painter, area: egui::Rect, stroke: egui::Stroke) {
    let mut start = area.left() - area.height();
    while start < area.right() {
        let bottom = egui::pos2(start, area.bottom());
        painter.line_segment(
            [bottom, bottom + egui::vec2(area.height(), -area.height())],
            stroke,
        );
        start += 6.0;
    }
}

/// The whole period under the pointer, in a tooltip with its own background.
fn tooltip<R>(ui: &Ui, shown: &PlotResponse<R>, values: &PeriodValues) {
    let Some(pointer) = shown.response.hover_pos() else {
        return;
    };
    let day = shown.transform.value_from_position(pointer).x;
    // A receipt is found within a few points of the pointer, however far the chart is zoomed.
    let reach = shown.transform.dvalue_dpos()[0].abs() * RECEIPT_REACH;
    let Some(text) = values.summary_at(day, reach) else {
        return;
    };
    egui::Tooltip::always_open(
        ui.ctx().clone(),
        shown.response.layer_id,
        shown.response.id,
        egui::PopupAnchor::Pointer,
    )
    .gap(12.0)
    .show(|ui| ui.label(text));
}

/// Grid marks at dates: year starts, month starts, Mondays and days, each level hiding itself
/// where it would be too dense, a date given once at its largest step.
#[allow(clippy::needless_pass_by_value)] // egui_plot's grid spacer takes its input by value
fn date_marks(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let span = high - low;
    let (Some(from), Some(to)) = (date_of(low.max(-700_000.0)), date_of(high.min(2_900_000.0)))
    else {
        return Vec::new();
    };
    let mut marks: Vec<GridMark> = Vec::new();
    let mut add = |date: NaiveDate, step: f64| {
        let value = day_number(date);
        if !marks.iter().any(|m| m.value == value) {
            marks.push(GridMark {
                value,
                step_size: step,
            });
        }
    };
    let mut year = NaiveDate::from_ymd_opt(from.year(), 1, 1);
    while let Some(start) = year.filter(|d| *d <= to) {
        add(start, 365.25);
        year = start.checked_add_months(Months::new(12));
    }
    if span < 365.0 * 60.0 {
        let mut month = from.with_day(1);
        while let Some(start) = month.filter(|d| *d <= to) {
            add(start, 30.44);
            month = start.checked_add_months(Months::new(1));
        }
    }
    if span < 365.0 * 3.0 {
        // Not a Monday that close to a month's start: their labels would run into each other.
        let near_month_start = |d: NaiveDate| d.day() <= 6 || d.day() >= 26;
        for day in from.iter_days().take_while(|d| *d <= to) {
            if day.weekday() == chrono::Weekday::Mon && !near_month_start(day) {
                add(day, 7.0);
            }
        }
    }
    if span < 120.0 {
        for day in from.iter_days().take_while(|d| *d <= to) {
            add(day, 1.0);
        }
    }
    marks
}

/// A mark's label, by the step it stands for: "2025", "Mar 2025", "12 Mar".
fn date_label(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    let Some(date) = date_of(mark.value) else {
        return String::new();
    };
    let format = if mark.step_size >= 365.0 {
        "%Y"
    } else if mark.step_size >= 28.0 {
        "%b %Y"
    } else {
        "%-d %b"
    };
    date.format(format).to_string()
}

/// A plotted value (quantities are far inside what an `f64` holds exactly).
fn number(value: Decimal) -> f64 {
    f64::try_from(value).unwrap_or(0.0)
}

/// One series' values in each period, for the chart and its tooltips.
struct PeriodValues {
    starts: Vec<NaiveDate>,
    /// The day after the last period.
    end: NaiveDate,
    sold: Vec<Decimal>,
    revenue: Vec<Decimal>,
    on_hand: Option<Vec<Decimal>>,
    measured: Vec<Option<Decimal>>,
    /// The starting date falls inside the first period (it is counted from its start).
    first_partial: bool,
    /// The last period holds the moment of the import: its figures are partial.
    last_partial: bool,
    starting_date: NaiveDate,
    currency: Option<String>,
    /// What open orders will bring to the item's location, by the day they are marked on.
    receipts: Vec<ExpectedReceipt>,
    /// The periods whose on-hand is not drawn: not exact yet.
    hidden_on_hand: usize,
}

/// A receipt still expected, as the chart marks it.
struct ExpectedReceipt {
    /// Where it is marked: its delivery date, or the end of the periods where it has none or
    /// is overdue.
    day: NaiveDate,
    /// Its delivery date as promised.
    promised: Option<NaiveDate>,
    order: String,
    qty: Decimal,
}

impl ExpectedReceipt {
    fn x(&self) -> f64 {
        day_number(self.day) + 0.5
    }

    fn text(&self) -> String {
        let when = match self.promised {
            Some(date) if date == self.day => format!("due {}", format::date(date)),
            Some(date) => format!("overdue since {}", format::date(date)),
            None => "no delivery date".to_owned(),
        };
        format!(
            "{}: {} to receive, {when}",
            self.order,
            format::quantity(self.qty)
        )
    }
}

/// The receipts `project`'s open orders still expect for `series`' item at its location, in
/// order of the day they are marked on.
fn expected_receipts(project: &Project, series: &Series, end: NaiveDate) -> Vec<ExpectedReceipt> {
    let mut receipts: Vec<ExpectedReceipt> = project
        .planning
        .open_orders
        .iter()
        .filter(|o| o.inbound && (o.item, o.location) == (series.item, series.location))
        .map(|o| ExpectedReceipt {
            day: o.date.filter(|d| *d >= end).unwrap_or(end),
            promised: o.date,
            order: format!("{} {}", o.order_type.label(), o.number(project)),
            qty: o.qty,
        })
        .collect();
    receipts.sort_by_key(|r| r.day);
    receipts
}

impl PeriodValues {
    fn of(project: &Project, series: &Series, currency: Option<&str>) -> Self {
        let periods = project.periods.len();
        let end = project.periods.last().map_or(NaiveDate::MIN, |p| p.end);
        Self {
            starts: project.periods.iter().map(|p| p.start).collect(),
            end,
            sold: series.sales_qty(periods),
            revenue: series.sales_revenue(periods),
            on_hand: series.on_hand_values(periods),
            measured: series
                .measured_values(periods, &project.measured_at)
                .into_iter()
                .map(|m| m.map(|(qty, _)| qty))
                .collect(),
            first_partial: project
                .periods
                .first()
                .is_some_and(|p| p.start < project.settings.starting_date),
            last_partial: project.last_period_in_progress,
            starting_date: project.settings.starting_date,
            currency: currency.map(str::to_owned),
            receipts: expected_receipts(project, series, end),
            hidden_on_hand: 0,
        }
    }

    /// Leaves out what is not exact yet: the bars before `loading.sales_from`, the on-hand
    /// steps before `loading.on_hand_from`.
    fn hide_loading(&mut self, loading: Loading) {
        for sold in self.sold.iter_mut().take(loading.sales_from) {
            *sold = Decimal::ZERO;
        }
        self.first_partial = false;
        self.hidden_on_hand = loading.on_hand_from;
    }

    fn end_of(&self, period: usize) -> NaiveDate {
        self.starts.get(period + 1).copied().unwrap_or(self.end)
    }

    /// The days shown at first: every period, and a little room either side so that the
    /// first and last marks and labels are not cut at the edges.
    fn x_range(&self) -> (f64, f64) {
        let first = self.starts.first().map_or(0.0, |d| day_number(*d));
        let receipts = self.receipts.iter().map(|r| r.x() + 1.0);
        let last = receipts
            .fold(day_number(self.end), f64::max)
            .max(first + 1.0);
        let room = (last - first) * 0.03 + 1.0;
        (first - room, last + room)
    }

    fn bars(&self) -> Vec<Bar> {
        (0..self.starts.len())
            .map(|p| {
                let (start, end) = (day_number(self.starts[p]), day_number(self.end_of(p)));
                Bar::new((start + end) / 2.0, number(self.sold[p]))
                    .width((end - start) * 0.8)
                    .fill(SOLD)
            })
            .collect()
    }

    /// On-hand as steps: level through each period, changing at period starts.
    fn steps(&self) -> Option<Vec<[f64; 2]>> {
        let levels = self.on_hand.as_ref()?;
        let mut points = Vec::with_capacity(levels.len() * 2);
        for (p, level) in levels.iter().enumerate().skip(self.hidden_on_hand) {
            let y = number(*level);
            points.push([day_number(self.starts[p]), y]);
            points.push([day_number(self.end_of(p)), y]);
        }
        Some(points)
    }

    fn measured_points(&self) -> Vec<[f64; 2]> {
        self.measured
            .iter()
            .enumerate()
            .filter_map(|(p, m)| m.map(|q| [day_number(self.end_of(p)) - 0.5, number(q)]))
            .collect()
    }

    /// A value a little beyond the plot's highest (or lowest, below zero) for its axis.
    fn headroom(&self, plot: &str) -> f64 {
        let widen = |(high, low): (f64, f64), v: &Decimal| {
            let v = number(*v);
            (high.max(v), low.min(v))
        };
        let (high, low) = if plot == "sales_plot" {
            self.sold.iter().fold((0.0, 0.0), widen)
        } else {
            let levels = self.on_hand.iter().flatten();
            levels
                .chain(self.measured.iter().flatten())
                .chain(self.receipts.iter().map(|r| &r.qty))
                .fold((0.0, 0.0), widen)
        };
        if high >= -low {
            high * 1.15
        } else {
            low * 1.15
        }
    }

    /// The partial periods, shaded.
    fn shade(&self, plot: &mut egui_plot::PlotUi<'_>) {
        let fill = plot
            .ctx()
            .global_style()
            .visuals
            .weak_text_color()
            .gamma_multiply(0.18);
        let last = self.starts.len().checked_sub(1);
        let partial = [(self.first_partial, Some(0)), (self.last_partial, last)];
        for period in partial.into_iter().filter_map(|(on, p)| p.filter(|_| on)) {
            let range = day_number(self.starts[period])..=day_number(self.end_of(period));
            plot.span(Span::new("", range).fill(fill).border_width(0.0));
        }
    }

    /// The receipts expected, as diamonds at their quantity on the day they are marked on.
    fn mark_receipts(&self, plot: &mut egui_plot::PlotUi<'_>) {
        if self.receipts.is_empty() {
            return;
        }
        let points: Vec<[f64; 2]> = self
            .receipts
            .iter()
            .map(|r| [r.x(), number(r.qty)])
            .collect();
        plot.points(
            Points::new("Expected receipts", PlotPoints::from(points))
                .shape(egui_plot::MarkerShape::Diamond)
                .color(RECEIPT)
                .filled(true)
                .radius(5.0)
                .allow_hover(false),
        );
    }

    /// The period holding day `x`, if any.
    fn period_at(&self, x: f64) -> Option<usize> {
        let date = date_of(x)?;
        if date >= self.end {
            return None;
        }
        self.starts.partition_point(|s| *s <= date).checked_sub(1)
    }

    /// Every value of the period at `x`, for the tooltip: whichever plot the pointer is over,
    /// the planner sees the whole period.
    fn summary_at(&self, x: f64, reach: f64) -> Option<String> {
        let Some(period) = self.period_at(x) else {
            return self.receipts_at(x, reach);
        };
        let (start, last_day) = (self.starts[period], self.end_of(period).pred_opt()?);
        let mut lines = vec![format!(
            "{} to {}",
            super::format::date(start),
            super::format::date(last_day)
        )];
        if period == 0 && self.first_partial {
            lines.push(format!(
                "Begins before the starting date ({}): counted from its start.",
                super::format::date(self.starting_date)
            ));
        }
        if period + 1 == self.starts.len() && self.last_partial {
            lines.push("In progress: figures up to the last run.".to_owned());
        }
        lines.push(format!(
            "Units sold: {}",
            format::quantity(self.sold[period])
        ));
        lines.push(format!(
            "Revenue: {}",
            format::money(self.revenue[period], self.currency.as_deref())
        ));
        if let Some(level) = self.on_hand.as_ref().and_then(|levels| levels.get(period)) {
            lines.push(format!("On hand at the end: {}", format::quantity(*level)));
        }
        if let Some(Some(qty)) = self.measured.get(period) {
            lines.push(format!("Measured by Cin7: {}", format::quantity(*qty)));
        }
        // The last period's end is where receipts without a date are marked.
        lines.extend(self.receipts_at(x, reach));
        Some(lines.join("\n"))
    }

    /// The receipts marked within `reach` days (or one day, if more) of `x`, one line each.
    fn receipts_at(&self, x: f64, reach: f64) -> Option<String> {
        let lines: Vec<String> = self
            .receipts
            .iter()
            .filter(|r| (r.x() - x).abs() <= reach.max(1.0))
            .map(ExpectedReceipt::text)
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn values() -> PeriodValues {
        PeriodValues {
            starts: vec![date(2026, 3, 2), date(2026, 3, 9)],
            end: date(2026, 3, 16),
            sold: vec![dec("1250.50"), dec("0")],
            revenue: vec![dec("18757.5"), dec("0")],
            on_hand: Some(vec![dec("40"), dec("-2")]),
            measured: vec![None, Some(dec("3"))],
            first_partial: false,
            last_partial: true,
            starting_date: date(2026, 3, 2),
            currency: Some("NZD".into()),
            hidden_on_hand: 0,
            receipts: vec![
                ExpectedReceipt {
                    day: date(2026, 3, 16),
                    promised: Some(date(2026, 3, 4)),
                    order: "purchase PO-7".into(),
                    qty: dec("12"),
                },
                ExpectedReceipt {
                    day: date(2026, 3, 20),
                    promised: Some(date(2026, 3, 20)),
                    order: "transfer TR-9".into(),
                    qty: dec("2.5"),
                },
            ],
        }
    }

    #[test]
    fn the_tooltip_shows_every_value_of_the_period_under_the_pointer() {
        let values = values();
        assert_eq!(
            date_of(day_number(date(2026, 3, 2))),
            Some(date(2026, 3, 2))
        );
        let monday = day_number(date(2026, 3, 2));
        assert_eq!(
            values.summary_at(monday + 3.5, 1.0).unwrap(),
            "2 March 2026 to 8 March 2026\nUnits sold: 1,250.5\nRevenue: NZD 18,757.50\nOn hand at the end: 40"
        );
        assert_eq!(
            values.summary_at(monday + 7.0, 1.0).unwrap(),
            "9 March 2026 to 15 March 2026\nIn progress: figures up to the last run.\nUnits sold: 0\nRevenue: NZD 0.00\nOn hand at the end: -2\nMeasured by Cin7: 3"
        );
        // Before the first period, and past the last where no receipt is marked, there is
        // nothing to show; on a receipt, its order and quantity.
        assert_eq!(values.summary_at(monday - 1.0, 1.0), None);
        assert_eq!(values.summary_at(monday + 16.0, 1.0), None);
        assert_eq!(
            values.summary_at(monday + 14.5, 1.0).unwrap(),
            "purchase PO-7: 12 to receive, overdue since 4 March 2026"
        );
        assert_eq!(
            values.summary_at(monday + 18.4, 1.0).unwrap(),
            "transfer TR-9: 2.5 to receive, due 20 March 2026"
        );
        // In the last period, within reach of a mark: the period, then the receipt.
        assert!(values.summary_at(monday + 13.8, 1.0).unwrap().ends_with(
            "Measured by Cin7: 3\npurchase PO-7: 12 to receive, overdue since 4 March 2026"
        ));
        // Zoomed out, a few points span days: both marks are within reach.
        assert_eq!(
            values.summary_at(monday + 16.0, 3.0).unwrap(),
            "purchase PO-7: 12 to receive, overdue since 4 March 2026\ntransfer TR-9: 2.5 to receive, due 20 March 2026"
        );
        // The receipts widen the days shown.
        assert!(values.x_range().1 > day_number(date(2026, 3, 21)));
    }

    #[test]
    fn the_date_axis_labels_year_month_and_day_marks() {
        let mark = |d: NaiveDate, step: f64| GridMark {
            value: day_number(d),
            step_size: step,
        };
        assert_eq!(
            date_label(mark(date(2025, 1, 1), 365.25), &(0.0..=1.0)),
            "2025"
        );
        assert_eq!(
            date_label(mark(date(2025, 3, 1), 30.44), &(0.0..=1.0)),
            "Mar 2025"
        );
        assert_eq!(
            date_label(mark(date(2025, 3, 10), 7.0), &(0.0..=1.0)),
            "10 Mar"
        );
        // Two months in view: a mark on each month start, each Monday and each day, each once.
        let marks = date_marks(GridInput {
            bounds: (day_number(date(2025, 3, 1)), day_number(date(2025, 4, 30))),
            base_step_size: 0.1,
        });
        let at = |d: NaiveDate| {
            marks
                .iter()
                .find(|m| m.value == day_number(d))
                .map(|m| m.step_size)
        };
        assert_eq!(at(date(2025, 4, 1)), Some(30.44));
        assert_eq!(at(date(2025, 3, 10)), Some(7.0));
        // A Monday two days before April: a day mark, not a week mark beside the month's.
        assert_eq!(at(date(2025, 3, 31)), Some(1.0));
        assert_eq!(at(date(2025, 3, 11)), Some(1.0));
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        let mut once = values.clone();
        once.sort_by(f64::total_cmp);
        once.dedup();
        assert_eq!(once.len(), values.len());
    }
}
