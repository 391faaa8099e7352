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
    "category,brand,barcode,retail_price,cost,supplier,status"
);

/// Quotes a field per RFC 4180 when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes the table with CRLF line ends, as RFC 4180 specifies. `period_end` is the last day
/// inside the period.
pub fn write_long_table(project: &Project, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    write!(out, "{HEADER}\r\n")?;
    let periods = project.periods.len();
    for series in &project.series {
        let item = &project.items[series.item];
        let location = &project.locations[series.location];
        let (qty, revenue) = (series.sales_qty(periods), series.sales_revenue(periods));
        let on_hand = series.on_hand_values(periods);
        let measured = series.measured_values(periods, &project.measured_at);
        for (p, period) in project.periods.iter().enumerate() {
            let on_hand = on_hand
                .as_ref()
                .map(|o| o[p].normalize().to_string())
                .unwrap_or_default();
            let (measured_qty, measured_at) = measured[p]
                .map(|(qty, at)| {
                    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    (qty.normalize().to_string(), at)
                })
                .unwrap_or_default();
            write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{measured_qty},{measured_at}\r\n",
                field(&item.code),
                field(&item.description),
                field(&location.name),
                period.start,
                period.last_day(),
                qty[p].normalize(),
                revenue[p].normalize(),
                on_hand,
                item.product_option_id,
                field(&item.size),
                item.sized,
                location.branch_id
            )?;
        }
    }
    Ok(())
}

fn money(value: Option<rust_decimal::Decimal>) -> String {
    value.map(|v| v.normalize().to_string()).unwrap_or_default()
}

/// The item info table: one row per item, as planners keep it beside the history.
pub fn write_items(project: &Project, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    write!(out, "{ITEMS_HEADER}\r\n")?;
    let text = |value: &Option<String>| field(value.as_deref().unwrap_or(""));
    for item in &project.items {
        write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            field(&item.code),
            field(&item.description),
            item.product_option_id,
            field(&item.size),
            item.sized,
            item.product_id.map(|id| id.to_string()).unwrap_or_default(),
            text(&item.style_code),
            field(&item.options.join(" / ")),
            text(&item.category),
            text(&item.brand),
            text(&item.barcode),
            money(item.retail_price),
            money(item.cost),
            text(&item.supplier),
            text(&item.status),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(field("MUG-BLU"), "MUG-BLU");
        assert_eq!(
            field("Café \"Barista\" Apron, Long"),
            "\"Café \"\"Barista\"\" Apron, Long\""
        );
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
