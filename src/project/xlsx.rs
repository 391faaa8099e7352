//! The Excel workbook: every table of the project ([`super::tables`]) on a sheet of its own,
//! named and headed as the planning tool names its data, dates as Excel dates, numbers as
//! numbers, the header row frozen and the columns as wide as what they hold. Rows are
//! streamed to the workbook (rust_xlsxwriter's constant-memory sheets), so a large history
//! does not sit in memory twice; a table longer than a sheet goes on over further sheets.

use super::Project;
use super::csv::ExportError;
use super::tables::{Cell, Table, TableKind};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// The rows a sheet holds below its header (Excel's 1,048,576 less one).
const ROWS_PER_SHEET: u32 = 1_048_575;

/// The widest a column is made, in characters: long descriptions wrap past it on screen.
const WIDEST: usize = 60;

/// Writes the whole workbook to `path`, straight into the file that replaces it once whole.
pub fn export(project: &Project, path: &Path) -> Result<(), ExportError> {
    crate::atomic_file::write_file(path, |file| {
        workbook(project)
            .and_then(|mut book| book.save_to_writer(file))
            .map_err(into_io)
    })
    .map_err(|e| ExportError {
        path: path.to_owned(),
        reason: crate::io_error::reason(&e),
    })
}

/// The workbook of every table, its rows streamed to temporary files until it is saved.
pub fn workbook(project: &Project) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
    };
    for kind in TableKind::ALL {
        write_table(&mut book, kind.of(project), &formats)?;
    }
    Ok(book)
}

struct Formats {
    header: Format,
    date: Format,
}

/// One table on its sheet, and further sheets ("Transactions 2"…) while it has rows left.
fn write_table(book: &mut Workbook, table: Table<'_>, formats: &Formats) -> Result<(), XlsxError> {
    let mut rows = table.rows.peekable();
    let mut part = 1;
    loop {
        let name = match part {
            1 => table.sheet.to_owned(),
            n => format!("{} {n}", table.sheet),
        };
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        let mut widths: Vec<usize> = table
            .columns
            .iter()
            .map(|c| c.title.chars().count())
            .collect();
        for (c, column) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, column.title, &formats.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let mut row = 1;
        while row <= ROWS_PER_SHEET {
            let Some(cells) = rows.next() else { break };
            for (c, cell) in cells.into_iter().enumerate() {
                let width = write_cell(sheet, row, c as u16, cell, formats)?;
                widths[c] = widths[c].max(width);
            }
            row += 1;
        }
        for (c, width) in widths.into_iter().enumerate() {
            sheet.set_column_width(c as u16, (width.min(WIDEST) + 2) as f64)?;
        }
        if rows.peek().is_none() {
            return Ok(());
        }
        part += 1;
    }
}

/// Writes one cell; returns how many characters wide it shows.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: Cell,
    formats: &Formats,
) -> Result<usize, XlsxError> {
    Ok(match cell {
        Cell::Text(text) => {
            sheet.write_string(row, column, &text)?;
            text.chars().count()
        }
        Cell::Number(value) => {
            sheet.write_number(row, column, value.to_f64().unwrap_or_default())?;
            value.normalize().to_string().len()
        }
        Cell::Integer(value) => {
            sheet.write_number(row, column, value as f64)?;
            value.to_string().len()
        }
        Cell::Date(date) => {
            use chrono::Datelike;
            let day =
                ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
            sheet.write_datetime_with_format(row, column, &day, &formats.date)?;
            10
        }
        Cell::Empty => 0,
    })
}

/// A workbook's failure as a file's: its own input or output error (a full disk stays a full
/// disk), or what it could not make.
fn into_io(error: XlsxError) -> std::io::Error {
    match error {
        XlsxError::IoError(error) => error,
        other => std::io::Error::other(format!("the workbook could not be made: {other}")),
    }
}
