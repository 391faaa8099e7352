//! The data report, in words a planner can act on: each note says what it counts, what it
//! means, whether to do anything, and lists the items (a click shows the item) or documents
//! behind it. Then every run of the project, in its time zone. The notes are worked out once
//! per project, not per frame.

use super::commands::Command;
use super::format;
use crate::project::ledger::{DocumentKind, Documents};
use crate::project::rebuild;
use crate::project::{Project, Series};
use egui::{RichText, Ui};
use std::collections::HashSet;

/// The height of a note's list, which scrolls beyond it.
const LIST_HEIGHT: f32 = 140.0;

/// Whether a note asks the planner to do something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Act {
    /// Nothing to do: the number is as it should be.
    Nothing,
    /// Worth a look in Cin7.
    Check,
}

/// What a note lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Behind {
    /// Series, by index, with their label ("MUG-RED at Warehouse").
    Series(Vec<(usize, String)>),
    /// Items, each by its first series, with its code.
    Items(Vec<(usize, String)>),
    /// Documents, by label ("sales order 1042").
    Documents(Vec<String>),
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Note {
    /// "3 sized items", "2 draft or void orders".
    pub headline: String,
    pub meaning: &'static str,
    pub act: Act,
    pub behind: Behind,
}

/// Every note the project's data calls for, the ones to act on first.
pub(super) fn notes(project: &Project) -> Vec<Note> {
    let w = &project.report.warnings;
    let mut notes = Vec::new();
    let label = |i: usize| {
        let s = &project.series[i];
        format!(
            "{} at {}",
            project.items[s.item].code, project.locations[s.location].name
        )
    };
    let series_where = |keep: &dyn Fn(&Series) -> bool| -> Vec<(usize, String)> {
        (0..project.series.len())
            .filter(|&i| keep(&project.series[i]))
            .map(|i| (i, label(i)))
            .collect()
    };
    if w.negative_on_hand_values > 0 {
        let below = series_where(&|s| {
            s.on_hand
                .iter()
                .flatten()
                .any(|(_, q)| q.is_sign_negative() && !q.is_zero())
        });
        notes.push(Note {
            headline: match w.negative_on_hand_values {
                1 => "1 on-hand value below zero".to_owned(),
                n => format!("{} on-hand values below zero", format::quantity(n.into())),
            },
            meaning: "The history rebuilt from Cin7's documents takes stock below zero: a movement is missing from them (a stocktake, a production job or an edit Cin7's API does not show). Check these items' stock movements in Cin7.",
            act: Act::Check,
            behind: Behind::Series(below),
        });
    }
    if !w.stock_drift.is_empty() {
        let drifted: HashSet<(usize, usize)> =
            w.stock_drift.iter().map(|d| (d.item, d.location)).collect();
        notes.push(Note {
            headline: format!("Stock drift at {} item–location pairs", drifted.len()),
            meaning: "What Cin7's stock said at an earlier reading differs from the on-hand history rebuilt from its documents: stock moved by something its API does not show. Check these items in Cin7; the history keeps what the documents say.",
            act: Act::Check,
            behind: Behind::Series(series_where(&|s| drifted.contains(&(s.item, s.location)))),
        });
    }
    // Each sized item once, by its code (a click shows its first location).
    let mut seen = HashSet::new();
    let sized: Vec<(usize, String)> = (0..project.series.len())
        .filter(|&i| {
            let item = project.series[i].item;
            project.items[item].sized && seen.insert(item)
        })
        .map(|i| (i, project.items[project.series[i].item].code.clone()))
        .collect();
    if !sized.is_empty() {
        notes.push(Note {
            headline: format!("{} sized items", sized.len()),
            meaning: "Cin7 gives no per-size stock movements, so these have sales history but no on-hand history: inventory turnover, stockout days and lost sales cannot be analysed for them. Nothing to do.",
            act: Act::Nothing,
            behind: Behind::Items(sized),
        });
    }
    notes.extend(document_notes(project));
    notes
}

/// The notes on documents that did not count, with the documents behind each: first those
/// worth a look in Cin7, then those that need nothing.
fn document_notes(project: &Project) -> Vec<Note> {
    let documents = DocumentList::of(project);
    let mut notes = to_check(project, &documents);
    notes.extend(for_information(project, &documents));
    notes
}

fn to_check(project: &Project, docs: &DocumentList<'_>) -> Vec<Note> {
    let w = &project.report.warnings;
    [
        note(w.unknown_item_lines, "lines for unknown items", "Order lines whose product is not in Cin7's catalogue (deleted products, freight, ad-hoc lines) are not counted. Check that none is a product you plan.", Act::Check,
            docs.behind(|d, i| docs.in_history[i] && d.unknown_lines[i] > 0)),
        note(w.unknown_branch_documents, "documents at unknown branches", "Documents at a branch Cin7 does not list are not counted. Check the branch in Cin7.", Act::Check,
            docs.behind(|d, i| d.branch[i].is_some_and(|b| !docs.known.contains(&b)))),
        note(w.records_beyond_bounds, "records with a number beyond 10^15", "Records holding a number too large to be real were left out. Check them in Cin7.", Act::Check, Behind::None),
        note(u64::from(w.older_open_orders_missing), "walk of older open orders refused", "Cin7 refused to list the orders still open from before the history's start (its IS NULL filter): open orders older than the history may be missing. Check long-open purchase orders in Cin7.", Act::Check, Behind::None),
        note(w.open_lines_left_out, "open order lines left out", "Lines of open orders whose product is not in the catalogue, or at a branch left out, are not among the orders to ship or receive. Check that none is a product you plan.", Act::Check,
            docs.behind(|d, i| d.open_lines_skipped[i] > 0)),
        note(w.sale_lines_without_cost, "sale lines without a cost", "Lines Cin7 gave no unit cost add nothing to the cost of sales, so profit counts them at their whole revenue. Check costing in Cin7.", Act::Check, Behind::None),
        note(w.implausible_dates, "promised dates outside 1900 to 2200", "Estimated delivery or arrival dates such as 9999-12-31 are taken as no date. Check them in Cin7.", Act::Check,
            docs.behind(|d, i| d.implausible_dates[i] > 0)),
        note(w.negative_lead_times, "receipts dated before their order", "Purchase orders fully received before they were created give no lead time. Check their dates in Cin7.", Act::Check, Behind::None),
        note(w.kits_left_out, "kits left out", "Bills of materials without a kit, with a quantity of zero, naming a product not in the catalogue, or making a kit of itself are not among the kits. Check them in Cin7.", Act::Check, Behind::None),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn for_information(project: &Project, docs: &DocumentList<'_>) -> Vec<Note> {
    let w = &project.report.warnings;
    let not_counted =
        |kind: DocumentKind| docs.behind(move |d, i| d.kind[i] == kind && !d.counted[i]);
    [
        note(w.orders_not_counted, "draft or void orders", "Orders not approved, or void, are not sales. Nothing to do.", Act::Nothing,
            not_counted(DocumentKind::SalesOrder)),
        note(w.orders_not_dispatched, "orders not dispatched", "Not counted as sales until dispatched, as the import options ask. Nothing to do.", Act::Nothing, Behind::None),
        note(w.orders_outside_periods, "orders outside the periods", "Sales dated before the first period (or after now) are outside the history. Nothing to do.", Act::Nothing, Behind::None),
        note(w.credit_notes_not_counted, "void credit notes", "Void returns are not counted. Nothing to do.", Act::Nothing,
            not_counted(DocumentKind::CreditNote)),
        note(w.credit_notes_outside_periods, "credit notes outside the periods", "Returns dated outside the periods are outside the history. Nothing to do.", Act::Nothing, Behind::None),
        note(w.kit_component_lines, "kit component lines", "The components of kits sold are not sales in themselves: the kit is. Nothing to do.", Act::Nothing,
            docs.behind(|d, i| docs.in_history[i] && d.kit_lines[i] > 0)),
        note(w.documents_in_other_channels, "documents of channels left out", "Sales of the channels the options leave out are not counted. Nothing to do.", Act::Nothing, Behind::None),
        note(w.documents_at_other_branches, "documents at branches left out", "Left out by the Branches chosen in the import options. Nothing to do.", Act::Nothing,
            docs.behind(|d, i| d.branch[i].is_some_and(|b| docs.known.contains(&b) && !docs.included.contains(&b)))),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A note on `count` things, if there are any.
fn note(count: u64, what: &str, meaning: &'static str, act: Act, behind: Behind) -> Option<Note> {
    (count > 0).then(|| Note {
        headline: format!("{} {what}", format::quantity(count.into())),
        meaning,
        act,
        behind,
    })
}

/// The ledger's documents, as the notes list them, with the branches the account lists and
/// those the project includes.
struct DocumentList<'a> {
    documents: Option<&'a Documents>,
    known: HashSet<i64>,
    included: HashSet<i64>,
    /// Whether each document's lines count in the history: the lines the counts count.
    in_history: Vec<bool>,
}

impl<'a> DocumentList<'a> {
    fn of(project: &'a Project) -> Self {
        let ledger = project.ledger.as_ref();
        Self {
            documents: ledger.map(|l| &l.documents),
            known: ledger
                .map(|l| l.branches.iter().copied().collect())
                .unwrap_or_default(),
            included: project.locations.iter().map(|l| l.branch_id).collect(),
            in_history: ledger
                .map(|l| rebuild::documents_counted(l, &project.settings, &project.locations))
                .unwrap_or_default(),
        }
    }

    /// The documents `keep` keeps, by label ("sales order 1042").
    fn behind(&self, keep: impl Fn(&Documents, usize) -> bool) -> Behind {
        let Some(d) = self.documents else {
            return Behind::None;
        };
        let listed: Vec<String> = (0..d.len())
            .filter(|&i| keep(d, i))
            .map(|i| format!("{} {}", kind_name(d.kind[i]), d.id[i]))
            .collect();
        if listed.is_empty() {
            Behind::None
        } else {
            Behind::Documents(listed)
        }
    }
}

fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::SalesOrder => "sales order",
        DocumentKind::CreditNote => "credit note",
        DocumentKind::PurchaseOrder => "purchase order",
        DocumentKind::BranchTransfer => "branch transfer",
        DocumentKind::Adjustment => "adjustment",
    }
}

/// "2 things to check", "Nothing to check", for the report's heading.
pub(super) fn headline(notes: &[Note]) -> String {
    match notes.iter().filter(|n| n.act == Act::Check).count() {
        0 => "Nothing to check".to_owned(),
        1 => "1 thing to check".to_owned(),
        n => format!("{n} things to check"),
    }
}

/// Draws the notes and the runs; a click on an item shows it.
pub(super) fn show(ui: &mut Ui, project: &Project, notes: &[Note]) -> Vec<Command> {
    let mut commands = Vec::new();
    if notes.is_empty() {
        ui.label("Every document read counted, and the stock history holds together.");
    }
    for (i, note) in notes.iter().enumerate() {
        let (mark, colour) = match note.act {
            Act::Check => ("⚠", ui.visuals().warn_fg_color),
            Act::Nothing => ("ℹ", ui.visuals().weak_text_color()),
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new(mark).color(colour));
            ui.label(RichText::new(&note.headline).strong());
        });
        ui.label(note.meaning);
        behind(ui, i, &note.behind, &mut commands);
        ui.add_space(6.0);
    }
    runs(ui, project);
    commands
}

fn behind(ui: &mut Ui, note: usize, behind: &Behind, commands: &mut Vec<Command>) {
    let (count, what) = match behind {
        Behind::Series(list) => (list.len(), "item–location"),
        Behind::Items(list) => (list.len(), "item"),
        Behind::Documents(list) => (list.len(), "document"),
        Behind::None => return,
    };
    let plural = if count == 1 { "" } else { "s" };
    egui::CollapsingHeader::new(format!("Show the {count} {what}{plural}"))
        .id_salt(("report_behind", note))
        .show(ui, |ui| {
            // One a line, the list scrolling past its height; only the lines in view are laid
            // out (a list may hold every item–location of the project).
            let row_height = ui.text_style_height(&egui::TextStyle::Body);
            egui::ScrollArea::vertical()
                .id_salt(("report_list", note))
                .max_height(LIST_HEIGHT)
                .show_rows(ui, row_height, count, |ui, rows| match behind {
                    Behind::Series(list) | Behind::Items(list) => {
                        for (series, label) in &list[rows] {
                            if ui
                                .link(label)
                                .on_hover_text("Show it in the table")
                                .clicked()
                            {
                                commands.push(Command::ShowSeries(*series));
                            }
                        }
                    }
                    Behind::Documents(list) => {
                        for label in &list[rows] {
                            ui.label(label);
                        }
                    }
                    Behind::None => {}
                });
        });
}

/// Every run of the project, in its time zone.
fn runs(ui: &mut Ui, project: &Project) {
    ui.label(RichText::new("Runs").strong());
    let zone = project.settings.time_zone;
    egui::Grid::new("runs")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for run in &project.history {
                ui.label(format!(
                    "{} {}",
                    run.kind.label(),
                    format::instant(run.finished_at, zone)
                ));
                ui.label(format!("{} calls · {}", run.calls, run.changes_text()));
                ui.end_row();
            }
        });
}
