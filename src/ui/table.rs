//! The item table: code, description, location, sized, units sold, revenue, profit, last
//! on-hand, what is still to ship and to receive, and the lead time to plan with, of every
//! item–location series, sorted by any column, filtered as the planner types, one
//! location or all. Rows are selected by click (Ctrl toggles, Shift extends) and by the arrow
//! keys; Ctrl+A selects the rows shown and Ctrl+C copies the selected ones, tab separated, for
//! a spreadsheet. Under it: the row count and the totals of the rows shown (or selected).
//! What each row shows is worked out once per project, and the rows shown once per change of
//! filter, location, sort or project, never per frame: 200,000 series scroll as smoothly as ten.

use super::document::Screen;
use super::format;
use crate::project::{Project, Series};
use egui::{Key, RichText};
use egui_extras::{Column, TableBuilder};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

/// A column of the table, which it can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum SortBy {
    #[default]
    Code,
    Description,
    Location,
    Sized,
    Units,
    Revenue,
    Profit,
    OnHand,
    ToShip,
    ToReceive,
    LeadTime,
}

const COLUMNS: [(SortBy, &str); 11] = [
    (SortBy::Code, "Code"),
    (SortBy::Description, "Description"),
    (SortBy::Location, "Location"),
    (SortBy::Sized, "Sized"),
    (SortBy::Units, "Units sold"),
    (SortBy::Revenue, "Revenue"),
    (SortBy::Profit, "Profit"),
    (SortBy::OnHand, "Last on-hand"),
    (SortBy::ToShip, "To ship"),
    (SortBy::ToReceive, "To receive"),
    (SortBy::LeadTime, "Lead time"),
];

/// The height of the column headers.
const HEADER_HEIGHT: f32 = 22.0;

/// The width each column wants; the description's is its least, and it takes what is left.
/// (Codes get the most: Cin7's often run to a style, a colour and a size.)
const WIDTHS: [f32; 11] = [
    124.0, 86.0, 110.0, 44.0, 74.0, 104.0, 96.0, 86.0, 64.0, 74.0, 68.0,
];

/// The columns' widths in `room` points (with `spacing` between them): as wanted, the
/// description taking what is left; in less room, every column narrower in proportion, so
/// that all of them stay in view (their text cut short, never the column).
fn column_widths(room: f32, spacing: f32) -> [f32; 11] {
    let room = (room - spacing * WIDTHS.len() as f32).max(0.0);
    let wanted: f32 = WIDTHS.iter().sum();
    if room >= wanted {
        let mut widths = WIDTHS;
        widths[1] += room - wanted;
        widths
    } else {
        WIDTHS.map(|w| w * room / wanted)
    }
}

/// What one series shows, worked out once per project.
struct Facts {
    code: String,
    description: String,
    /// Lower case, for the filter.
    search: String,
    units: Decimal,
    revenue: Decimal,
    profit: Decimal,
    on_hand: Option<Decimal>,
    /// The on-hand is Cin7's last stock reading, not the end of a rebuilt history (a sized
    /// item has none).
    on_hand_read: bool,
    open: Open,
    /// The lead time to plan with, in days.
    lead_time: Option<Decimal>,
}

/// What open orders still have to ship from and receive at one item–location pair, and how
/// many order lines that is.
#[derive(Clone, Copy, Debug, Default)]
struct Open {
    to_ship: Decimal,
    to_receive: Decimal,
    lines: usize,
}

/// Each pair's open orders and lead time to plan with, from the project's planning.
fn planning_by_pair(project: &Project) -> HashMap<(usize, usize), (Open, Option<Decimal>)> {
    let mut pairs: HashMap<(usize, usize), (Open, Option<Decimal>)> = HashMap::new();
    for order in &project.planning.open_orders {
        let open = &mut pairs.entry((order.item, order.location)).or_default().0;
        if order.inbound {
            open.to_receive += order.qty;
        } else {
            open.to_ship += order.qty;
        }
        open.lines += 1;
    }
    for lead in &project.planning.lead_times {
        pairs.entry((lead.item, lead.location)).or_default().1 = lead.plan_days;
    }
    pairs
}

fn facts(
    project: &Project,
    series: &Series,
    planning: &HashMap<(usize, usize), (Open, Option<Decimal>)>,
) -> Facts {
    let item = &project.items[series.item];
    let sold = series.totals();
    let (units, revenue) = (sold.qty, sold.revenue);
    let (open, lead_time) = planning
        .get(&(series.item, series.location))
        .copied()
        .unwrap_or_default();
    let rebuilt = series
        .on_hand
        .as_ref()
        .map(|changes| changes.last().map(|c| c.1));
    let (on_hand, on_hand_read) = match rebuilt {
        Some(level) => (level, false),
        None => (series.measured.last().map(|c| c.1), true),
    };
    Facts {
        code: item.code.clone(),
        description: item.description.clone(),
        search: format!("{}\u{0}{}", item.code, item.description).to_lowercase(),
        units,
        revenue,
        profit: sold.profit(),
        on_hand,
        on_hand_read,
        open,
        lead_time,
    }
}

/// A series by what it is (its item's code and its branch), to find it again in an updated or
/// regrouped project.
type SeriesKey = (String, i64);

fn key_of(project: &Project, series: usize) -> SeriesKey {
    let s = &project.series[series];
    (
        project.items[s.item].code.clone(),
        project.locations[s.location].branch_id,
    )
}

/// The table's state: what the planner chose, and the rows that gives.
#[derive(Default)]
pub(super) struct ItemTable {
    pub filter: String,
    /// `None` for every location.
    pub location: Option<usize>,
    pub sort: SortBy,
    pub descending: bool,
    /// The series selected, by index.
    selected: BTreeSet<usize>,
    /// The row the arrow keys move from (and whose chart shows), and where Shift extends from.
    cursor: Option<usize>,
    anchor: Option<usize>,
    /// Scroll the cursor's row into view in the next frame.
    reveal: bool,
    /// The project the facts are of (its screen), and them.
    facts: Option<(Screen, Vec<Facts>)>,
    /// The project is an import's so far: its open orders and lead times come at the end.
    planning_loading: bool,
    /// What `rows` are sorted for: sorting 200,000 series takes longer than a frame, so a
    /// keystroke in the filter only filters.
    sorted: Option<OrderKey>,
    /// The sorted series of the location (filter ""), then those matching each longer filter
    /// typed since, up to the filter: a letter more filters only the rows shown, and
    /// Backspace filters nothing.
    rows: Vec<(String, Vec<usize>)>,
    /// Counts the changes of the rows shown and of the selection, so that the totals are
    /// added up once per change, not per frame (200,000 rows take milliseconds).
    rows_version: u64,
    selection_version: u64,
    /// The totals line, and the versions it was added up for.
    totals: Option<((u64, u64), Totals)>,
}

/// What the totals line says.
#[derive(Default)]
struct Totals {
    what: String,
    units: Decimal,
    revenue: Decimal,
    profit: Decimal,
    open: Open,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct OrderKey {
    project: Screen,
    location: Option<usize>,
    sort: SortBy,
    descending: bool,
}

impl ItemTable {
    /// The series whose chart shows: the one the keys or the last click moved to.
    pub(super) fn current(&self) -> Option<usize> {
        self.cursor
    }

    /// Selects `series` alone (from the data report), and shows it.
    pub(super) fn select_only(&mut self, series: usize) {
        self.selection_version += 1;
        self.location = None;
        self.filter.clear();
        self.selected = BTreeSet::from([series]);
        self.cursor = Some(series);
        self.anchor = Some(series);
        self.reveal = true;
    }

    /// Works out the series shown, in order, again when something changed.
    fn rows(&mut self, id: Screen, project: &Project) {
        if self.facts.as_ref().is_none_or(|(of, _)| *of != id) {
            let planning = planning_by_pair(project);
            let facts = project
                .series
                .iter()
                .map(|s| facts(project, s, &planning))
                .collect();
            self.facts = Some((id, facts));
        }
        let facts = self
            .facts
            .as_ref()
            .map(|(_, f)| f.as_slice())
            .unwrap_or(&[]);
        let order = OrderKey {
            project: id,
            location: self.location,
            sort: self.sort,
            descending: self.descending,
        };
        if self.sorted.as_ref() != Some(&order) {
            self.rows = vec![(String::new(), sorted_rows(project, facts, &order))];
            self.sorted = Some(order);
            self.rows_version += 1;
        }
        let filter = self.filter.trim().to_lowercase();
        // What matches `filter` matches every filter it starts with.
        while self.rows.len() > 1 && !self.rows.last().is_some_and(|(f, _)| filter.starts_with(f)) {
            self.rows.pop();
            self.rows_version += 1;
        }
        if let Some((narrower, rows)) = self.rows.last()
            && *narrower != filter
        {
            let rows = rows
                .iter()
                .copied()
                .filter(|&i| facts[i].search.contains(&filter))
                .collect();
            self.rows.push((filter, rows));
            self.rows_version += 1;
        }
    }

    /// Moves the selection from the project it was of to `project`, by each series' item and
    /// branch (an update or a regroup may number them otherwise).
    pub(super) fn carry_selection(&mut self, from: &Project, to: &Project) {
        self.selection_version += 1;
        let index: HashMap<SeriesKey, usize> =
            (0..to.series.len()).map(|i| (key_of(to, i), i)).collect();
        let moved = |i: usize| {
            (i < from.series.len())
                .then(|| index.get(&key_of(from, i)).copied())
                .flatten()
        };
        self.selected = self.selected.iter().filter_map(|&i| moved(i)).collect();
        self.cursor = self.cursor.and_then(moved);
        self.anchor = self.anchor.and_then(moved);
        if self.location.is_some_and(|l| l >= to.locations.len()) {
            self.location = None;
        }
    }

    /// The filter field and the location selector.
    pub(super) fn controls(&mut self, ui: &mut egui::Ui, project: &Project) {
        ui.horizontal(|ui| {
            let label = ui.label("Search items");
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(180.0))
                .labelled_by(label.id);
            let label = ui.label("Show location");
            let shown = self
                .location
                .and_then(|l| project.locations.get(l))
                .map_or("All locations", |l| l.name.as_str());
            egui::ComboBox::from_id_salt("table_location")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.location, None, "All locations");
                    for (i, location) in project.locations.iter().enumerate() {
                        ui.selectable_value(&mut self.location, Some(i), &location.name);
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }

    /// The table, its keys (`keys`: nothing else has the keyboard) and its totals line.
    pub(super) fn show(
        &mut self,
        ui: &mut egui::Ui,
        id: Screen,
        project: &Project,
        currency: Option<&str>,
        keys: bool,
        planning_loading: bool,
    ) {
        self.planning_loading = planning_loading;
        self.rows(id, project);
        if keys {
            self.keys(ui, project);
        }
        // Taken out while drawing, which reads the rest of the table's state.
        let facts = self.facts.take();
        let filtered = std::mem::take(&mut self.rows);
        let all_facts = facts.as_ref().map(|(_, f)| f.as_slice()).unwrap_or(&[]);
        let rows = filtered.last().map(|(_, r)| r.as_slice()).unwrap_or(&[]);
        // The totals line first, at the bottom of the room; the rows take the rest.
        egui::Panel::bottom("table_totals")
            .frame(egui::Frame::NONE)
            .show_separator_line(false)
            .show(ui, |ui| self.totals(ui, rows, all_facts, currency));
        let (clicked_sort, clicked_row) = self.table(ui, project, rows, all_facts, currency);
        self.facts = facts;
        self.rows = filtered;
        if let Some(column) = clicked_sort {
            self.descending = self.sort == column && !self.descending;
            self.sort = column;
        }
        if let Some((index, modifiers)) = clicked_row {
            self.click(index, modifiers);
        }
    }

    /// A click on a row: alone, Ctrl toggles it, Shift extends from the anchor.
    fn click(&mut self, index: usize, modifiers: egui::Modifiers) {
        self.selection_version += 1;
        let shown = self.rows.last().map_or(&[][..], |(_, r)| r.as_slice());
        if modifiers.shift {
            if let Some(span) = span(shown, self.anchor, index) {
                self.selected = span;
            }
        } else if modifiers.command {
            if !self.selected.remove(&index) {
                self.selected.insert(index);
            }
            self.anchor = Some(index);
        } else {
            self.selected = BTreeSet::from([index]);
            self.anchor = Some(index);
        }
        self.cursor = Some(index);
    }

    /// Up and Down move the selection (Shift extends it), Ctrl+A selects the rows shown,
    /// Ctrl+C copies the selected rows.
    fn keys(&mut self, ui: &egui::Ui, project: &Project) {
        let (up, down, all, copy, shift) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, Key::ArrowUp)
                    || i.consume_key(egui::Modifiers::SHIFT, Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, Key::ArrowDown)
                    || i.consume_key(egui::Modifiers::SHIFT, Key::ArrowDown),
                i.consume_key(egui::Modifiers::COMMAND, Key::A),
                // The desktop turns Ctrl+C into a copy event; a key press stands for it too.
                i.events.iter().any(|e| matches!(e, egui::Event::Copy))
                    || i.consume_key(egui::Modifiers::COMMAND, Key::C),
                i.modifiers.shift,
            )
        });
        if !(up || down || all || copy) {
            return;
        }
        self.selection_version += 1;
        let shown = self.rows.last().map_or(&[][..], |(_, r)| r.as_slice());
        if up || down {
            let at = self.cursor.and_then(|c| shown.iter().position(|&r| r == c));
            let to = match (at, down) {
                (None, _) => 0,
                (Some(at), true) => (at + 1).min(shown.len().saturating_sub(1)),
                (Some(at), false) => at.saturating_sub(1),
            };
            if let Some(&index) = shown.get(to) {
                if shift {
                    if let Some(span) = span(shown, self.anchor, index) {
                        self.selected = span;
                    }
                } else {
                    self.selected = BTreeSet::from([index]);
                    self.anchor = Some(index);
                }
                self.cursor = Some(index);
                self.reveal = true;
            }
        }
        if all {
            self.selected = shown.iter().copied().collect();
        }
        if copy && !self.selected.is_empty() {
            let text = self.copied(project, shown);
            ui.ctx().copy_text(text);
        }
    }

    /// The selected rows in the order shown, tab separated under a header, with plain numbers
    /// (no thousands separators) for a spreadsheet to read.
    fn copied(&self, project: &Project, shown: &[usize]) -> String {
        let facts = self
            .facts
            .as_ref()
            .map(|(_, f)| f.as_slice())
            .unwrap_or(&[]);
        let mut lines = vec![COLUMNS.map(|(_, title)| title).join("\t")];
        for &i in shown.iter().filter(|i| self.selected.contains(i)) {
            let (s, f) = (&project.series[i], &facts[i]);
            let cells = [
                f.code.clone(),
                f.description.clone(),
                project.locations[s.location].name.clone(),
                if project.items[s.item].sized {
                    "sized"
                } else {
                    ""
                }
                .to_owned(),
                f.units.normalize().to_string(),
                format!("{:.2}", f.revenue),
                format!("{:.2}", f.profit),
                f.on_hand
                    .map(|q| q.normalize().to_string())
                    .unwrap_or_default(),
                f.open.to_ship.normalize().to_string(),
                f.open.to_receive.normalize().to_string(),
                f.lead_time
                    .map(|d| d.round_dp(1).normalize().to_string())
                    .unwrap_or_default(),
            ];
            lines.push(cells.map(|c| c.replace(['\t', '\n'], " ")).join("\t"));
        }
        lines.join("\n") + "\n"
    }

    /// Draws the rows; returns the column whose header was clicked and the row clicked.
    fn table(
        &mut self,
        ui: &mut egui::Ui,
        project: &Project,
        rows: &[usize],
        all_facts: &[Facts],
        currency: Option<&str>,
    ) -> (Option<SortBy>, Option<(usize, egui::Modifiers)>) {
        let mut clicked_sort = None;
        let mut clicked_row = None;
        // Scroll bars beside the rows, never over them.
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        let modifiers = ui.input(|i| i.modifiers);
        // The scroll bar's room is kept aside, so that the last column is never under it.
        let scroll = ui.spacing().scroll.bar_width + ui.spacing().scroll.bar_outer_margin;
        let widths = column_widths(ui.available_width() - scroll, ui.spacing().item_spacing.x);
        // The rows scroll within the room left under the header (the builder's own cap is a
        // fixed 800 points, which a short window does not have).
        let room = (ui.available_height() - HEADER_HEIGHT).max(0.0);
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .min_scrolled_height(0.0)
            .max_scroll_height(room)
            .auto_shrink([false, false])
            .sense(egui::Sense::click())
            .columns(Column::auto(), 0);
        for width in widths {
            table = table.column(Column::exact(width).clip(true));
        }
        if std::mem::take(&mut self.reveal)
            && let Some(at) = self.cursor.and_then(|c| rows.iter().position(|&r| r == c))
        {
            table = table.scroll_to_row(at, None);
        }
        table
            .header(HEADER_HEIGHT, |mut header| {
                for (column, title) in COLUMNS {
                    header.col(|ui| {
                        let arrow = match (self.sort == column, self.descending) {
                            (true, false) => " ⏶",
                            (true, true) => " ⏷",
                            _ => "",
                        };
                        let title = match (column, currency) {
                            (SortBy::Revenue, Some(code)) => format!("{title} ({code})"),
                            _ => title.to_owned(),
                        };
                        let button =
                            egui::Button::new(RichText::new(format!("{title}{arrow}")).strong())
                                .frame(false);
                        if ui
                            .add(button)
                            .on_hover_text(format!("Sort by {title}"))
                            .clicked()
                        {
                            clicked_sort = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows.len(), |mut row| {
                    let index = rows[row.index()];
                    row.set_selected(self.selected.contains(&index));
                    let facts = &all_facts[index];
                    let planning = (!self.planning_loading).then_some(facts);
                    cells(&mut row, project, &project.series[index], facts, planning);
                    if row.response().clicked() {
                        clicked_row = Some((index, modifiers));
                    }
                });
            });
        (clicked_sort, clicked_row)
    }

    /// "5 rows · Units sold 1,234 · Revenue NZD 12,345.00", of the selected rows when there
    /// are several, else of every row shown.
    fn totals(
        &mut self,
        ui: &mut egui::Ui,
        rows: &[usize],
        facts: &[Facts],
        currency: Option<&str>,
    ) {
        let versions = (self.rows_version, self.selection_version);
        if self.totals.as_ref().is_none_or(|(of, _)| *of != versions) {
            self.totals = Some((versions, self.add_up(rows, facts)));
        }
        let Some((_, totals)) = &self.totals else {
            return;
        };
        // Wrapped: with every figure it is wider than a narrow table.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&totals.what).strong());
            ui.label(format!(
                "· Units sold {} · Revenue {} · Profit {} · To ship {} · To receive {} · {}",
                format::quantity(totals.units),
                format::money(totals.revenue, currency),
                format::money(totals.profit, currency),
                format::quantity(totals.open.to_ship),
                format::quantity(totals.open.to_receive),
                match totals.open.lines {
                    1 => "1 open order line".to_owned(),
                    n => format!("{} open order lines", format::count(n)),
                }
            ));
        });
    }

    /// The totals of the rows selected, where there are several, else of every row shown.
    fn add_up(&self, rows: &[usize], facts: &[Facts]) -> Totals {
        let selected: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|i| self.selected.contains(i))
            .collect();
        let (over, what): (&[usize], String) = if selected.len() > 1 {
            (
                &selected,
                format!("{} of {} rows selected", selected.len(), rows.len()),
            )
        } else {
            (
                rows,
                match rows.len() {
                    1 => "1 row".to_owned(),
                    n => format!("{} rows", format::count(n)),
                },
            )
        };
        let mut totals = Totals {
            what,
            ..Totals::default()
        };
        for f in over.iter().map(|&i| &facts[i]) {
            totals.units += f.units;
            totals.revenue += f.revenue;
            totals.profit += f.profit;
            totals.open.to_ship += f.open.to_ship;
            totals.open.to_receive += f.open.to_receive;
            totals.open.lines += f.open.lines;
        }
        totals
    }
}

/// The series of `key`'s location, in its order.
fn sorted_rows(project: &Project, facts: &[Facts], key: &OrderKey) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..facts.len())
        .filter(|&i| key.location.is_none_or(|l| project.series[i].location == l))
        .collect();
    let location = |i: usize| project.locations[project.series[i].location].name.as_str();
    let sized = |i: usize| project.items[project.series[i].item].sized;
    rows.sort_by(|&a, &b| {
        let (fa, fb) = (&facts[a], &facts[b]);
        let order = match key.sort {
            SortBy::Code => natural(&fa.code, &fb.code),
            SortBy::Description => natural(&fa.description, &fb.description),
            SortBy::Location => natural(location(a), location(b)),
            SortBy::Sized => sized(a).cmp(&sized(b)),
            SortBy::Units => fa.units.cmp(&fb.units),
            SortBy::Revenue => fa.revenue.cmp(&fb.revenue),
            SortBy::Profit => fa.profit.cmp(&fb.profit),
            SortBy::OnHand => fa.on_hand.cmp(&fb.on_hand),
            SortBy::ToShip => fa.open.to_ship.cmp(&fb.open.to_ship),
            SortBy::ToReceive => fa.open.to_receive.cmp(&fb.open.to_receive),
            SortBy::LeadTime => fa.lead_time.cmp(&fb.lead_time),
        };
        // Ties keep the project's order (item, then location).
        let order = order.then(a.cmp(&b));
        if key.descending {
            order.reverse()
        } else {
            order
        }
    });
    rows
}

/// Text in the order people read it: numbers inside it by their value ("TEE-8" before
/// "TEE-14"), the rest as written.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(x), Some(y)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        let order = if x.is_ascii_digit() && y.is_ascii_digit() {
            let digits = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
            let (n, m) = (digits(a), digits(b));
            let (p, q) = (
                a[..n].trim_start_matches('0'),
                b[..m].trim_start_matches('0'),
            );
            let order = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
            (a, b) = (&a[n..], &b[m..]);
            order
        } else {
            (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            x.cmp(&y)
        };
        if order.is_ne() {
            return order;
        }
    }
}

/// The rows shown from `anchor` (or `index`, without one shown) to `index`: a Shift selection.
fn span(shown: &[usize], anchor: Option<usize>, index: usize) -> Option<BTreeSet<usize>> {
    let at = |i: usize| shown.iter().position(|&r| r == i);
    let to = at(index)?;
    let from = anchor.and_then(at).unwrap_or(to);
    let (low, high) = (from.min(to), from.max(to));
    Some(shown[low..=high].iter().copied().collect())
}

/// A row's cells; the planning columns from `planning`, or "loading" without it.
fn cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    project: &Project,
    series: &Series,
    facts: &Facts,
    planning: Option<&Facts>,
) {
    let item = &project.items[series.item];
    // Not selectable text: a click anywhere on a row selects the row. Centred in the row's
    // height, as the numbers are.
    let text = |ui: &mut egui::Ui, text: &str| {
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            ui.add(egui::Label::new(text).truncate().selectable(false));
        });
    };
    row.col(|ui| text(ui, &facts.code));
    row.col(|ui| text(ui, &facts.description));
    row.col(|ui| text(ui, &project.locations[series.location].name));
    row.col(|ui| text(ui, if item.sized { "sized" } else { "" }));
    let number = |ui: &mut egui::Ui, text: RichText| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add(egui::Label::new(text).selectable(false))
        })
        .inner
    };
    row.col(|ui| {
        number(ui, format::quantity(facts.units).into());
    });
    row.col(|ui| {
        number(ui, format::amount(facts.revenue).into());
    });
    row.col(|ui| {
        number(ui, format::amount(facts.profit).into());
    });
    row.col(|ui| {
        let level = facts
            .on_hand
            .map_or_else(|| "–".to_owned(), format::quantity);
        if facts.on_hand_read {
            number(ui, RichText::new(level).weak())
                .on_hover_text("Cin7's last stock reading: a sized item has no on-hand history");
        } else {
            number(ui, level.into());
        }
    });
    let open = |ui: &mut egui::Ui, qty: Decimal| {
        let shown = if qty.is_zero() {
            RichText::new("–").weak()
        } else {
            format::quantity(qty).into()
        };
        number(ui, shown);
    };
    let Some(planning) = planning else {
        for _ in 0..3 {
            row.col(|ui| {
                number(ui, RichText::new("loading").weak());
            });
        }
        return;
    };
    row.col(|ui| open(ui, planning.open.to_ship));
    row.col(|ui| open(ui, planning.open.to_receive));
    row.col(|ui| {
        let days = planning.lead_time.map_or_else(
            || RichText::new("–").weak(),
            |d| format!("{} d", d.round_dp(1).normalize()).into(),
        );
        number(ui, days);
    });
}

#[cfg(test)]
mod tests {
    use super::{column_widths, natural};
    use std::cmp::Ordering;

    #[test]
    fn codes_sort_by_the_numbers_in_them() {
        let mut codes = ["JKT-14", "JKT-8", "JKT-10", "JKT-008A", "JKT", "MUG-2"];
        codes.sort_by(|a, b| natural(a, b));
        assert_eq!(
            codes,
            ["JKT", "JKT-8", "JKT-008A", "JKT-10", "JKT-14", "MUG-2"]
        );
        // Equal by value: the table breaks ties by the project's order.
        assert_eq!(natural("A1", "A01"), Ordering::Equal);
    }

    #[test]
    fn every_column_stays_in_view_at_any_width() {
        // Wide: as wanted, the description taking the rest.
        let wide = column_widths(1400.0 + 11.0 * 8.0, 8.0);
        assert_eq!(
            wide,
            [
                124.0, 556.0, 110.0, 44.0, 74.0, 104.0, 96.0, 86.0, 64.0, 74.0, 68.0
            ]
        );
        // Narrow: all eleven, each narrower in proportion (half of the 930 wanted).
        let narrow = column_widths(465.0 + 11.0 * 8.0, 8.0);
        assert_eq!(narrow.iter().sum::<f32>(), 465.0);
        assert!((narrow[0] - 62.0).abs() < 0.01, "{narrow:?}");
    }
}
