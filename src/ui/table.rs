//! The item table: code, description, location, sized, units sold, revenue and last on-hand
//! of every item–location series, sorted by any column, filtered as the planner types, and one
//! location or all. What each row shows is worked out once per project, and the rows shown once
//! per change of filter, location, sort or project, never per frame: a project of 200,000
//! series scrolls as smoothly as one of ten.

use crate::project::{Project, Series};
use egui::RichText;
use egui_extras::{Column, TableBuilder};
use rust_decimal::Decimal;

/// A column of the table, which it can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Code,
    Description,
    Location,
    Sized,
    Units,
    Revenue,
    OnHand,
}

const COLUMNS: [(SortBy, &str); 7] = [
    (SortBy::Code, "Code"),
    (SortBy::Description, "Description"),
    (SortBy::Location, "Location"),
    (SortBy::Sized, "Sized"),
    (SortBy::Units, "Units sold"),
    (SortBy::Revenue, "Revenue"),
    (SortBy::OnHand, "Last on-hand"),
];

/// The width each column of `COLUMNS` starts at (the description's at its narrowest; it takes
/// what is left).
const WIDTHS: [f32; 7] = [120.0, 140.0, 120.0, 50.0, 80.0, 90.0, 100.0];

/// The width the columns start at, with the spacing between them.
fn min_table_width(ui: &egui::Ui) -> f32 {
    let spacing = ui.spacing().item_spacing.x;
    WIDTHS.iter().map(|w| w + spacing).sum()
}

/// What one series shows, worked out once per project.
struct Facts {
    code: String,
    description: String,
    /// Lower case, for the filter.
    search: String,
    units: Decimal,
    revenue: Decimal,
    on_hand: Option<Decimal>,
}

fn facts(project: &Project, series: &Series) -> Facts {
    let item = &project.items[series.item];
    let (units, revenue) = series.totals();
    let on_hand = series
        .on_hand
        .as_ref()
        .and_then(|changes| changes.last().map(|c| c.1));
    Facts {
        code: item.code.clone(),
        description: item.description.clone(),
        search: format!("{}\u{0}{}", item.code, item.description).to_lowercase(),
        units,
        revenue,
        on_hand,
    }
}

/// The table's state: what the planner chose, and the rows that gives.
#[derive(Default)]
pub struct ItemTable {
    pub filter: String,
    /// `None` for every location.
    pub location: Option<usize>,
    pub sort: SortBy,
    pub descending: bool,
    /// The series selected, by index.
    pub selected: Option<usize>,
    /// The project the facts are of (its id), and them.
    facts: Option<(u64, Vec<Facts>)>,
    /// What `rows` are sorted for: sorting 200,000 series takes longer than a frame, so a
    /// keystroke in the filter only filters.
    sorted: Option<OrderKey>,
    /// The sorted series of the location (filter ""), then those matching each longer filter
    /// typed since, up to the filter: a letter more filters only the rows shown, and
    /// Backspace filters nothing.
    rows: Vec<(String, Vec<usize>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct OrderKey {
    project: u64,
    location: Option<usize>,
    sort: SortBy,
    descending: bool,
}

impl ItemTable {
    /// The series shown, in order (worked out again only when something changed).
    pub fn rows(&mut self, id: u64, project: &Project) -> &[usize] {
        if self.facts.as_ref().is_none_or(|(of, _)| *of != id) {
            let facts = project.series.iter().map(|s| facts(project, s)).collect();
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
        }
        let filter = self.filter.trim().to_lowercase();
        // What matches `filter` matches every filter it starts with.
        while self.rows.len() > 1 && !self.rows.last().is_some_and(|(f, _)| filter.starts_with(f)) {
            self.rows.pop();
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
        }
        self.rows.last().map(|(_, r)| r.as_slice()).unwrap_or(&[])
    }

    /// The filter field and the location selector.
    pub fn controls(&mut self, ui: &mut egui::Ui, project: &Project) {
        ui.horizontal(|ui| {
            let label = ui.label("Search items");
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(220.0))
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

    /// The table itself; clicking a row selects its series.
    pub fn show(&mut self, ui: &mut egui::Ui, id: u64, project: &Project) {
        self.rows(id, project);
        // Taken out while drawing, which reads the rest of the table's state.
        let facts = self.facts.take();
        let filtered = std::mem::take(&mut self.rows);
        let all_facts = facts.as_ref().map(|(_, f)| f.as_slice()).unwrap_or(&[]);
        let rows = filtered.last().map(|(_, r)| r.as_slice()).unwrap_or(&[]);
        // A window too narrow for every column scrolls sideways rather than clipping one; a
        // wide one gives the description what is left.
        let (clicked_sort, clicked_row) = if ui.available_width() >= min_table_width(ui) {
            self.table(ui, project, rows, all_facts)
        } else {
            egui::ScrollArea::horizontal()
                .show(ui, |ui| self.table(ui, project, rows, all_facts))
                .inner
        };
        self.facts = facts;
        self.rows = filtered;
        if let Some(column) = clicked_sort {
            self.descending = self.sort == column && !self.descending;
            self.sort = column;
        }
        if let Some(index) = clicked_row {
            self.selected = Some(index);
        }
    }

    /// Draws the rows; returns the column whose header was clicked and the row clicked.
    fn table(
        &self,
        ui: &mut egui::Ui,
        project: &Project,
        rows: &[usize],
        all_facts: &[Facts],
    ) -> (Option<SortBy>, Option<usize>) {
        let mut clicked_sort = None;
        let mut clicked_row = None;
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .column(Column::initial(WIDTHS[0]).at_least(40.0).clip(true))
            .column(Column::remainder().at_least(WIDTHS[1]).clip(true))
            .column(Column::initial(WIDTHS[2]).at_least(40.0).clip(true))
            .column(Column::initial(WIDTHS[3]).at_least(40.0))
            .column(Column::initial(WIDTHS[4]).at_least(40.0))
            .column(Column::initial(WIDTHS[5]).at_least(40.0))
            .column(Column::initial(WIDTHS[6]).at_least(40.0))
            .header(22.0, |mut header| {
                for (column, title) in COLUMNS {
                    header.col(|ui| {
                        let arrow = match (self.sort == column, self.descending) {
                            (true, false) => " ⏶",
                            (true, true) => " ⏷",
                            _ => "",
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
                    row.set_selected(self.selected == Some(index));
                    cells(&mut row, project, &project.series[index], &all_facts[index]);
                    if row.response().clicked() {
                        clicked_row = Some(index);
                    }
                });
            });
        (clicked_sort, clicked_row)
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
            SortBy::Code => fa.code.cmp(&fb.code),
            SortBy::Description => fa.description.cmp(&fb.description),
            SortBy::Location => location(a).cmp(location(b)),
            SortBy::Sized => sized(a).cmp(&sized(b)),
            SortBy::Units => fa.units.cmp(&fb.units),
            SortBy::Revenue => fa.revenue.cmp(&fb.revenue),
            SortBy::OnHand => fa.on_hand.cmp(&fb.on_hand),
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

fn cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    project: &Project,
    series: &Series,
    facts: &Facts,
) {
    let item = &project.items[series.item];
    // Not selectable text: a click anywhere on a row selects the row.
    let text = |ui: &mut egui::Ui, text: &str| {
        ui.add(egui::Label::new(text).truncate().selectable(false));
    };
    row.col(|ui| text(ui, &facts.code));
    row.col(|ui| text(ui, &facts.description));
    row.col(|ui| text(ui, &project.locations[series.location].name));
    row.col(|ui| text(ui, if item.sized { "sized" } else { "" }));
    let numbers = [
        facts.units.normalize().to_string(),
        format!("{:.2}", facts.revenue),
        facts
            .on_hand
            .map(|q| q.normalize().to_string())
            .unwrap_or_else(|| "–".to_owned()),
    ];
    let count = numbers.len();
    for (i, number) in numbers.into_iter().enumerate() {
        row.col(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                // The floating scroll bar lies over the last column's right edge: keep its
                // numbers clear of it.
                if i + 1 == count {
                    let scroll = &ui.spacing().scroll;
                    ui.add_space(scroll.bar_width + scroll.bar_outer_margin);
                }
                ui.add(egui::Label::new(number).selectable(false))
            });
        });
    }
}
