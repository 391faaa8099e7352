//! The CSV exports: the long table (one row per period of every item–location pair with data)
//! and the item info table.

use super::Project;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An export that could not be written, in a sentence.
#[derive(Debug, thiserror::Error)]
#[error("Could not write {} ({reason}); the file that was there, if any, is unchanged.", path.display())]
pub struct ExportError {
    pub path: PathBuf,
    pub reason: String,
}

/// Writes an export to `path` with `write` (one of the tables below), replacing what was there
/// only once it is whole.
pub fn export(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), ExportError> {
    crate::atomic_file::write(path, write).map_err(|e| ExportError {
        path: path.to_owned(),
        reason: crate::io_error::reason(&e),
    })
}

pub const HEADER: &str = concat!(
    "item_code,item_description,location,period_start,period_end,sales_qty,sales_revenue,on_hand,",
    "product_option_id,size,sized,branch_id,measured_on_hand,measured_at"
);

pub const ITEMS_HEADER: &str = concat!(
    "item_code,item_description,product_option_id,size,sized,product_id,style_code,options,",
    "category,brand,barcode,retail_price,cost,supplier,status,sub_category,supplier_item_code,",
    "weight,volume"
);

/// A CSV writer over `out`: RFC 4180 (fields quoted only when they hold a comma, a quote or a
/// line break, CRLF line ends).
fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

/// The failure under a CSV error: a write's own (a full disk stays a full disk), or a record
/// the writer refused, which these tables never make.
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn header(table: &str) -> impl Iterator<Item = &str> {
    table.split(',')
}

/// A quantity or an amount as written: exact, without trailing zeros.
fn number(value: rust_decimal::Decimal) -> String {
    value.normalize().to_string()
}

/// The long table. `period_end` is the last day inside the period.
pub fn write_long_table(project: &Project, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut csv = writer(out);
    csv.write_record(header(HEADER)).map_err(io_error)?;
    let periods = project.periods.len();
    for series in &project.series {
        let item = &project.items[series.item];
        let location = &project.locations[series.location];
        let (qty, revenue) = (series.sales_qty(periods), series.sales_revenue(periods));
        let on_hand = series.on_hand_values(periods);
        let measured = series.measured_values(periods, &project.measured_at);
        for (p, period) in project.periods.iter().enumerate() {
            let on_hand = on_hand.as_ref().map(|o| number(o[p])).unwrap_or_default();
            let (measured_qty, measured_at) = measured[p]
                .map(|(qty, at)| {
                    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    (number(qty), at)
                })
                .unwrap_or_default();
            csv.write_record([
                item.code.as_str(),
                &item.description,
                &location.name,
                &period.start.to_string(),
                &period.last_day().to_string(),
                &number(qty[p]),
                &number(revenue[p]),
                &on_hand,
                &item.product_option_id.to_string(),
                &item.size,
                &item.sized.to_string(),
                &location.branch_id.to_string(),
                &measured_qty,
                &measured_at,
            ])
            .map_err(io_error)?;
        }
    }
    csv.flush()
}

/// The item info table: one row per item, as planners keep it beside the history.
pub fn write_items(project: &Project, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut csv = writer(out);
    csv.write_record(header(ITEMS_HEADER)).map_err(io_error)?;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let exact = |value: Option<rust_decimal::Decimal>| value.map(number).unwrap_or_default();
    for item in &project.items {
        csv.write_record([
            item.code.clone(),
            item.description.clone(),
            item.product_option_id.to_string(),
            item.size.clone(),
            item.sized.to_string(),
            item.product_id.map(|id| id.to_string()).unwrap_or_default(),
            text(&item.style_code),
            item.options.join(" / "),
            text(&item.category),
            text(&item.brand),
            text(&item.barcode),
            exact(item.retail_price),
            exact(item.cost),
            text(&item.supplier),
            text(&item.status),
            text(&item.sub_category),
            text(&item.supplier_item_code),
            exact(item.weight),
            exact(item.volume),
        ])
        .map_err(io_error)?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::{io_error, writer};

    #[test]
    fn a_write_failure_keeps_its_kind() {
        let full = csv::Error::from(std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert_eq!(io_error(full).kind(), std::io::ErrorKind::StorageFull);
    }

    /// The text `fields` make as one CSV record.
    fn record(fields: &[&str]) -> String {
        let mut out = Vec::new();
        let mut csv = writer(&mut out);
        csv.write_record(fields).unwrap();
        drop(csv);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(record(&["MUG-BLU", ""]), "MUG-BLU,\r\n");
        assert_eq!(
            record(&["Café \"Barista\" Apron, Long"]),
            "\"Café \"\"Barista\"\" Apron, Long\"\r\n"
        );
        assert_eq!(record(&["two\nlines"]), "\"two\nlines\"\r\n");
    }
}
