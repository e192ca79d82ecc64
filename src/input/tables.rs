//! Reading tables teachers make in Excel: CSV (comma or tab; UTF-8, BOM, UTF-16 or GBK/GB18030 as Excel on
//! Chinese Windows writes it) and the first sheet of an .xlsx workbook, as rows of cells. Shared by
//! rosters, grade responses and the spreadsheet import.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

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
    rows(path)?.collect()
}

/// The rows of a table file as [`read_rows`] gives them, one at a time: a UTF-8 CSV is read from the file as
/// the rows are taken, so a table of 20,000 students is never held (only the row being read). UTF-16 and
/// GBK text is decoded whole first (the text, never its rows); a workbook's sheet is read whole by calamine.
pub fn rows(path: &Path) -> Result<Rows<'static>> {
    if !path.is_file() {
        return Err(Error::input(format!("{} does not exist", path.display())));
    }
    if is_workbook(path) {
        return Ok(Rows {
            source: RowSource::Workbook(workbook_rows(path)?.into_iter()),
        });
    }
    let source: Box<dyn BufRead> = match sniff_text(path)? {
        TextKind::Utf8 => {
            let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
            Box::new(std::io::BufReader::with_capacity(1 << 16, file))
        }
        TextKind::Other => {
            let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
            Box::new(std::io::Cursor::new(decode(&bytes, path)?.into_bytes()))
        }
    };
    csv_stream(source, path)
}

/// The rows of CSV text (comma, or tab when the first line has one) as (1-based line, cells).
pub fn csv_rows(text: &str, path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    csv_stream(text.as_bytes(), path)?.collect()
}

/// A table's rows, read as they are taken ([`rows`]). A row that cannot be read as CSV is an error naming
/// the file and line; the rows after it are not read.
pub struct Rows<'a> {
    source: RowSource<'a>,
}

enum RowSource<'a> {
    Csv {
        reader: csv::Reader<Box<dyn Read + 'a>>,
        record: csv::StringRecord,
        path: PathBuf,
        failed: bool,
    },
    Workbook(std::vec::IntoIter<(usize, Vec<String>)>),
}

impl Iterator for Rows<'_> {
    type Item = Result<(usize, Vec<String>)>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            RowSource::Workbook(rows) => rows.next().map(Ok),
            RowSource::Csv {
                reader,
                record,
                path,
                failed,
            } => {
                if *failed {
                    return None;
                }
                match reader.read_record(record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| p.line() as usize);
                        // examgen's own CSVs guard formula-like cells with a `'`; reading one back gives
                        // the cell as it was.
                        Some(Ok((
                            line,
                            record.iter().map(crate::util::csv::unguard).collect(),
                        )))
                    }
                    Err(e) => {
                        *failed = true;
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        Some(Err(Error::input(format!(
                            "{}:{line}: the file cannot be read as CSV",
                            path.display()
                        ))
                        .because(e)))
                    }
                }
            }
        }
    }
}

/// CSV rows from UTF-8 text without its BOM, delimited by a comma, or a tab when the first line has one.
fn csv_stream<'a>(mut text: impl BufRead + 'a, path: &Path) -> Result<Rows<'a>> {
    let mut first = Vec::new();
    text.read_until(b'\n', &mut first)
        .map_err(|e| Error::io("read", path, e))?;
    if first.starts_with(b"\xEF\xBB\xBF") {
        first.drain(..3);
    }
    let delimiter = if first.contains(&b'\t') { b'\t' } else { b',' };
    let text: Box<dyn Read + 'a> =
        Box::new(LfLineEnds::new(std::io::Cursor::new(first).chain(text)));
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text);
    Ok(Rows {
        source: RowSource::Csv {
            reader,
            record: csv::StringRecord::new(),
            path: path.to_path_buf(),
            failed: false,
        },
    })
}

/// Text with Windows (CR LF) and old Mac (CR) line ends read as LF, and a blank line outside quotes read as
/// a line holding one space. The csv crate takes a record's line where the previous record ended, so the
/// LF of a CR LF and any blank lines skipped before a record were counted as the record's own: each row
/// of a CSV that Excel saved on Windows, and every row below a blank line, was named lines too early in
/// messages. A blank line read as one empty cell is an empty row, which every reader of rows skips.
struct LfLineEnds<R> {
    inner: R,
    /// The last byte read was a CR, so an LF next is that line end's second half.
    after_cr: bool,
    /// No byte of the current line has been handed out yet.
    line_start: bool,
    /// Inside a quoted cell, where a line end is the cell's text.
    quoted: bool,
    /// The LF of a blank line whose space filled the caller's buffer.
    pending: Option<u8>,
}

impl<R> LfLineEnds<R> {
    fn new(inner: R) -> Self {
        LfLineEnds {
            inner,
            after_cr: false,
            line_start: true,
            quoted: false,
            pending: None,
        }
    }
}

impl<R: BufRead> Read for LfLineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut written = 0;
        if let Some(byte) = self.pending.take() {
            out[0] = byte;
            written = 1;
        }
        while written < out.len() {
            let block = self.inner.fill_buf()?;
            if block.is_empty() {
                break;
            }
            let mut taken = 0;
            for &byte in block {
                if written == out.len() {
                    break;
                }
                taken += 1;
                if byte == b'\n' && self.after_cr {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = byte == b'\r';
                let byte = if self.after_cr { b'\n' } else { byte };
                if byte == b'"' {
                    self.quoted = !self.quoted;
                }
                if byte == b'\n' && self.line_start && !self.quoted {
                    out[written] = b' ';
                    written += 1;
                    if written == out.len() {
                        self.pending = Some(b'\n');
                        break;
                    }
                }
                out[written] = byte;
                written += 1;
                self.line_start = byte == b'\n';
            }
            self.inner.consume(taken);
        }
        Ok(written)
    }
}

/// How a text table's bytes are to be read.
enum TextKind {
    /// UTF-8 (a BOM allowed): read from the file as the rows are taken.
    Utf8,
    /// UTF-16 or GBK (or neither): decoded whole by [`decode`], which names the file if it is neither.
    Other,
}

/// Looks through the file once, a block at a time: UTF-8 when every byte sequence is UTF-8 and no byte is
/// NUL (UTF-16 has one in every ASCII character) and there is no UTF-16 byte-order mark.
fn sniff_text(path: &Path) -> Result<TextKind> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut block = vec![0u8; 1 << 16];
    // The bytes of a character the previous block cut in two.
    let mut carry: Vec<u8> = Vec::new();
    let mut start = true;
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", path, e)),
        };
        let read = &block[..n];
        if start && (read.starts_with(b"\xFF\xFE") || read.starts_with(b"\xFE\xFF")) {
            return Ok(TextKind::Other);
        }
        start = false;
        if read.contains(&0) {
            return Ok(TextKind::Other);
        }
        carry.extend_from_slice(read);
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            // Cut at the block's end: the rest of the character comes with the next block.
            Err(e) if e.error_len().is_none() => {
                carry.drain(..e.valid_up_to());
            }
            Err(_) => return Ok(TextKind::Other),
        }
    }
    Ok(if carry.is_empty() {
        TextKind::Utf8
    } else {
        TextKind::Other
    })
}

/// The rows of a workbook's first sheet as (1-based line, cells).
fn workbook_rows(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        Error::input(format!("cannot open the workbook {}", path.display())).because(e)
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Error::input(format!("the workbook {} has no sheets", path.display())))?
        .map_err(|e| {
            Error::input(format!("cannot read the first sheet of {}", path.display())).because(e)
        })?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let padded = zero_padded_cells(path);
    Ok(range
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
        .collect())
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

/// What to do about ids Excel showed as numbers in scientific notation.
pub const EXCEL_TEXT_IDS: &str = "in Excel, format the id column as 文本 (Text), type the ids again and save; \
     a CSV keeps what Excel showed, not the number";

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

    /// Excel on Windows ends lines with CR LF; messages name the file's own lines all the same, for CR LF,
    /// LF and CR alike, with a quoted cell running over two lines.
    #[test]
    fn rows_are_numbered_by_the_file_s_lines_whatever_ends_them() {
        for end in ["\r\n", "\n", "\r"] {
            let text = ["学号,姓名", "1,张三", "", "2,\"李\r\n四\"", "3,王五"].join(end) + end;
            // The reader hands out a byte at a time too: a blank line's space and LF cut apart.
            let mut tiny = LfLineEnds::new(text.as_bytes());
            let mut bytes = Vec::new();
            let mut one = [0u8; 1];
            while tiny.read(&mut one).unwrap() == 1 {
                bytes.push(one[0]);
            }
            let whole = String::from_utf8(bytes).unwrap();
            assert_eq!(whole.matches('\n').count(), 6, "{whole:?}");
            assert!(whole.contains("\n \n"), "{whole:?}");
            let rows = csv_rows(&text, Path::new("r.csv")).unwrap();
            let lines: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, [1, 2, 3, 4, 6], "line ends {end:?}: {rows:?}");
            assert_eq!(rows[2].1, [""], "the blank line, line ends {end:?}");
            assert_eq!(rows[3].1, ["2", "李\n四"], "line ends {end:?}");
            assert_eq!(rows[4].1, ["3", "王五"], "line ends {end:?}");
        }
    }

    /// A table file in a fresh folder.
    fn table(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.csv");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    /// Rows of `n` cells `r{row}c{col}`, `学` at the end of each row so that blocks cut characters in two.
    fn big_text(rows: usize) -> String {
        (1..=rows)
            .map(|r| format!("r{r}c1,r{r}c2,学{r}\n"))
            .collect::<String>()
    }

    #[test]
    fn a_streamed_utf8_table_gives_every_row_with_its_line() {
        // Larger than two read blocks, with a BOM, a quoted cell over two lines and a guarded formula.
        let mut text = String::from("\u{FEFF}id,note,name\n\"s1\",\"two\nlines\",'=1+1\n");
        text.push_str(&big_text(12_000));
        assert!(text.len() > 3 << 16);
        let (_dir, path) = table(text.as_bytes());
        let rows: Vec<(usize, Vec<String>)> = rows(&path).unwrap().collect::<Result<_>>().unwrap();
        assert_eq!(rows.len(), 2 + 12_000);
        assert_eq!(
            rows[0],
            (1, vec!["id".into(), "note".into(), "name".into()])
        );
        assert_eq!(
            rows[1],
            (2, vec!["s1".into(), "two\nlines".into(), "=1+1".into()])
        );
        // The quoted line break counts: row r1 starts on line 4.
        assert_eq!(rows[2].0, 4);
        let last = rows.last().unwrap();
        assert_eq!(last.0, 3 + 12_000);
        assert_eq!(last.1, vec!["r12000c1", "r12000c2", "学12000"]);
        // Every row of the stream is the row the whole text gives.
        let whole = csv_rows(&decode(text.as_bytes(), &path).unwrap(), &path).unwrap();
        assert_eq!(rows, whole);
    }

    #[test]
    fn gbk_after_the_first_block_and_utf16_are_decoded_and_tabs_found() {
        // Plain ASCII for 70,000 bytes, then a GBK name: only the whole file shows it is not UTF-8.
        let mut bytes = Vec::new();
        for r in 0..7_000 {
            bytes.extend(format!("{r:>9}\n").as_bytes());
        }
        let (gbk, _, _) = encoding_rs::GBK.encode("张三,甲\n");
        bytes.extend_from_slice(&gbk);
        let (_dir, path) = table(&bytes);
        let rows: Vec<_> = super::rows(&path)
            .unwrap()
            .collect::<Result<Vec<_>>>()
            .unwrap();
        assert_eq!(rows.len(), 7_001);
        assert_eq!(rows[7_000], (7_001, vec!["张三".to_string(), "甲".into()]));

        let mut utf16 = vec![0xFF, 0xFE];
        for u in "学号\t1\n20250001\tA\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let (_dir, path) = table(&utf16);
        let rows: Vec<_> = super::rows(&path)
            .unwrap()
            .collect::<Result<Vec<_>>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["学号".to_string(), "1".into()]),
                (2, vec!["20250001".to_string(), "A".into()]),
            ]
        );
    }

    #[test]
    fn a_file_neither_utf8_nor_gbk_is_named_and_a_missing_one_too() {
        let mut bytes = big_text(5_000).into_bytes();
        bytes.extend_from_slice(b"\x81\x20,x\n");
        let (dir, path) = table(&bytes);
        let e = rows(&path).err().expect("not GBK");
        assert!(e.to_string().contains("neither UTF-8 nor GBK"), "{e}");
        let e = rows(&dir.path().join("gone.csv")).err().expect("no file");
        assert!(e.to_string().contains("gone.csv does not exist"), "{e}");
    }
}
