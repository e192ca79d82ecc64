//! Reading tables teachers make in Excel: CSV (comma or tab; UTF-8, BOM or GBK/GB18030 as Excel on
//! Chinese Windows writes it) and the first sheet of an .xlsx workbook, as rows of cells. Shared by
//! rosters, grade responses and the spreadsheet import.

use std::path::Path;

use crate::error::{Error, Result};

/// Decodes a text table's bytes: UTF-8 (BOM allowed), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8], path: &Path) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(
            Error::input(format!("{} is neither UTF-8 nor GBK text", path.display()))
                .because("save it from Excel as “CSV UTF-8” or as plain CSV"),
        );
    }
    Ok(text.into_owned())
}

pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"))
}

/// The rows of a table file — CSV (comma or tab; UTF-8, BOM or GBK) or the first sheet of a workbook — as
/// (1-based line, cells), empty rows included. Shared by rosters and grade responses.
pub fn read_rows(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    if !path.is_file() {
        return Err(Error::input(format!("{} does not exist", path.display())));
    }
    if is_workbook(path) {
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto(path).map_err(|e| {
            Error::input(format!("cannot open the workbook {}", path.display())).because(e)
        })?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| Error::input(format!("the workbook {} has no sheets", path.display())))?
            .map_err(|e| {
                Error::input(format!("cannot read the first sheet of {}", path.display()))
                    .because(e)
            })?;
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        return Ok(range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                (
                    first_row + i + 1,
                    row.iter()
                        .map(|c| c.to_string().trim().to_string())
                        .collect(),
                )
            })
            .collect());
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    csv_rows(&decode(&bytes, path)?, path)
}

/// The rows of CSV text (comma, or tab when the first line has one) as (1-based line, cells).
pub fn csv_rows(text: &str, path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    let delimiter = if text.lines().next().unwrap_or("").contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            Error::input(format!(
                "{}:{line}: the file cannot be read as CSV",
                path.display()
            ))
            .because(e)
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}
