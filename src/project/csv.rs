//! The CSV exports: each of the project's tables ([`super::tables`]) as a file of its own,
//! written with the `csv` crate, replaced only once whole.

use super::tables::{Cell, Table};
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

/// A quantity or an amount as written: exact, without trailing zeros.
fn number(value: rust_decimal::Decimal) -> String {
    value.normalize().to_string()
}

fn field(cell: Cell) -> String {
    match cell {
        Cell::Text(text) => text,
        Cell::Number(value) => number(value),
        Cell::Integer(value) => value.to_string(),
        Cell::Date(date) => date.to_string(),
        Cell::Empty => String::new(),
    }
}

/// Writes `table` as CSV: a header of its columns' names, then its rows.
pub fn write_table(table: Table<'_>, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut csv = writer(out);
    csv.write_record(table.columns.iter().map(|c| c.csv))
        .map_err(io_error)?;
    for row in table.rows {
        csv.write_record(row.into_iter().map(field))
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
