//! Reading tables teachers make in Excel: CSV (comma or tab; UTF-8, BOM, UTF-16 or GBK/GB18030 as Excel on
//! Chinese Windows writes it) and the first sheet of an .xlsx workbook, as rows of cells. Shared by
//! rosters, grade responses and the spreadsheet import.

use std::path::Path;

use crate::error::{Error, Result};

/// Decodes a text table's bytes: UTF-8 (BOM allowed), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8], path: &Path) -> Result<String> {
    if let Some(text) = crate::util::utf16::decode_utf16(bytes) {
        return Ok(text);
    }
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
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let padded = zero_padded_cells(path);
        return Ok(range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let r = first_row + i as u32;
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let width = padded.get(&(r, first_col + j as u32)).copied();
                        workbook_cell(c, width)
                    })
                    .collect();
                (r as usize + 1, cells)
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
        // examgen's own CSVs guard formula-like cells with a `'`; reading one back gives the cell as it was.
        rows.push((line, record.iter().map(crate::util::csv::unguard).collect()));
    }
    Ok(rows)
}

/// A workbook cell as the teacher sees it: whole numbers without `.0`, padded with the zeros of a number
/// format such as `00000`; a number too long for Excel's 15 digits in Excel's scientific form, so that
/// [`restore_number`] refuses it.
fn workbook_cell(cell: &calamine::Data, zero_width: Option<usize>) -> String {
    let whole = |f: f64| -> Option<String> {
        (f.fract() == 0.0 && f.abs() < 1e15).then(|| format!("{}", f as i64))
    };
    let text = match cell {
        calamine::Data::Float(f) => match whole(*f) {
            Some(t) => t,
            None if f.fract() == 0.0 => format!("{f:.14E}"),
            None => f.to_string(),
        },
        calamine::Data::Int(i) => i.to_string(),
        other => return other.to_string().trim().to_string(),
    };
    match zero_width {
        Some(w) if text.len() < w && text.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{text:0>w$}")
        }
        _ => text,
    }
}

/// A number Excel wrote in scientific notation (`2.0250001E+07`, a long 学号 in a narrow column): the
/// integer when the mantissa holds every digit, an error in plain words when Excel dropped some. Other
/// text is `Ok(None)`.
pub fn restore_number(text: &str) -> std::result::Result<Option<String>, String> {
    let t = text.trim();
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else {
        return Ok(None);
    };
    let Ok(exponent) = exponent.trim_start_matches('+').parse::<usize>() else {
        return Ok(None);
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() != 1
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok(None);
    }
    if frac.len() == exponent {
        return Ok(Some(format!("{int}{frac}")));
    }
    Err(format!(
        "`{t}` is a number Excel shortened to scientific notation; its last digits are lost"
    ))
}

/// Cells of the first sheet whose number format pads with zeros (`00000`, `000000000`), as
/// (0-based row, 0-based column) → digits. calamine reads values but not these formats; without them a
/// 学号 00123 would come back as 123. Any trouble reading them leaves the values as they are.
fn zero_padded_cells(path: &Path) -> std::collections::HashMap<(u32, u32), usize> {
    read_zero_padded(path).unwrap_or_default()
}

fn read_zero_padded(path: &Path) -> Option<std::collections::HashMap<(u32, u32), usize>> {
    use std::collections::HashMap;
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let mut part = |name: &str| -> Option<String> {
        let mut text = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut text).ok()?;
        Some(text)
    };
    let styles = part("xl/styles.xml")?;
    let workbook = part("xl/workbook.xml")?;
    let rels = part("xl/_rels/workbook.xml.rels")?;
    let styles = roxmltree::Document::parse(&styles).ok()?;
    let codes: HashMap<&str, &str> = styles
        .descendants()
        .filter(|n| n.has_tag_name("numFmt"))
        .filter_map(|n| Some((n.attribute("numFmtId")?, n.attribute("formatCode")?)))
        .collect();
    let widths: Vec<Option<usize>> = styles
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))?
        .children()
        .filter(|n| n.has_tag_name("xf"))
        .map(|xf| {
            let code = codes.get(xf.attribute("numFmtId")?)?;
            (code.len() > 1 && code.bytes().all(|b| b == b'0')).then_some(code.len())
        })
        .collect();
    if widths.iter().all(Option::is_none) {
        return Some(HashMap::new());
    }
    let workbook = roxmltree::Document::parse(&workbook).ok()?;
    let rid = workbook
        .descendants()
        .find(|n| n.has_tag_name("sheet"))?
        .attributes()
        .find(|a| a.name() == "id")?
        .value()
        .to_string();
    let rels = roxmltree::Document::parse(&rels).ok()?;
    let target = rels
        .descendants()
        .find(|n| n.has_tag_name("Relationship") && n.attribute("Id") == Some(rid.as_str()))?
        .attribute("Target")?
        .to_string();
    let sheet_name = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let sheet = part(&sheet_name)?;
    let sheet = roxmltree::Document::parse(&sheet).ok()?;
    let mut out = HashMap::new();
    for c in sheet.descendants().filter(|n| n.has_tag_name("c")) {
        let Some(Some(w)) = c
            .attribute("s")
            .and_then(|s| s.parse::<usize>().ok())
            .and_then(|s| widths.get(s))
        else {
            continue;
        };
        if let Some(pos) = c.attribute("r").and_then(cell_ref) {
            out.insert(pos, *w);
        }
    }
    Some(out)
}

/// `B3` → (2, 1).
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let letters = r.bytes().take_while(u8::is_ascii_uppercase).count();
    let col = r[..letters]
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + (b - b'A' + 1) as u32);
    let row: u32 = r[letters..].parse().ok()?;
    (letters > 0 && row > 0).then(|| (row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_numbers_are_restored_only_when_exact() {
        assert_eq!(restore_number("2.0250001E+07"), Ok(Some("20250001".into())));
        assert_eq!(restore_number("2.0250001e7"), Ok(Some("20250001".into())));
        assert!(restore_number("2.03E+07").is_err());
        assert!(restore_number("1.23456789012346E17").is_err());
        assert_eq!(restore_number("20250001"), Ok(None));
        assert_eq!(restore_number("E3"), Ok(None));
        assert_eq!(restore_number("高"), Ok(None));
        assert_eq!(cell_ref("AB12"), Some((11, 27)));
    }
}
