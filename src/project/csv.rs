//! The long-table CSV export: one row per period of every item–location pair with data.

use super::Project;
use std::io::{self, Write};

pub const HEADER: &str =
    "item_code,item_description,location,period_start,period_end,sales_qty,sales_revenue,on_hand";

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
pub fn write_long_table(project: &Project, out: &mut impl Write) -> io::Result<()> {
    write!(out, "{HEADER}\r\n")?;
    for series in &project.series {
        let item = &project.items[series.item];
        let location = &project.locations[series.location];
        for (p, period) in project.periods.iter().enumerate() {
            let on_hand = series
                .on_hand
                .as_ref()
                .map(|o| o[p].normalize().to_string())
                .unwrap_or_default();
            write!(
                out,
                "{},{},{},{},{},{},{},{}\r\n",
                field(&item.code),
                field(&item.description),
                field(&location.name),
                period.start,
                period.last_day(),
                series.sales_qty[p].normalize(),
                series.sales_revenue[p].normalize(),
                on_hand
            )?;
        }
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
