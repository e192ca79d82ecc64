//! Class rosters: a CSV with a header (id/学号, name/姓名, class/班级, seat/座位号) or a plain list of names,
//! in UTF-8 (with or without BOM) or GBK/GB18030 as Excel on Chinese Windows writes it.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::input::tables::{csv_rows, decode, is_workbook, read_rows, restore_number};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub name: String,
    pub class: String,
    pub seat: String,
    /// 1-based line in the file, for messages.
    pub row: usize,
}

const ID: &[&str] = &["id", "学号", "准考证号", "考号"];
const NAME: &[&str] = &["name", "姓名"];
const CLASS: &[&str] = &["class", "班级"];
const SEAT: &[&str] = &["seat", "座位号", "座号"];

/// Reads a roster file (.csv, .txt or .xlsx); every bad row is reported with its row and column.
pub fn read(path: &Path) -> Result<Vec<Student>> {
    if is_workbook(path) {
        let students = from_rows(read_rows(path)?, path)?;
        if students.is_empty() {
            return Err(Error::input(format!(
                "the roster {} has no students",
                path.display()
            )));
        }
        return Ok(students);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read the roster", path, e))?;
    let text = decode(&bytes, path)?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<Student>> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let header: Vec<String> = first
        .split([',', '\t'])
        .map(|h| h.trim().to_lowercase())
        .collect();
    let is_csv = header.iter().any(|h| NAME.contains(&h.as_str()));
    let students = if is_csv {
        parse_csv(text, path)?
    } else {
        parse_list(text)
    };
    if students.is_empty() {
        return Err(Error::input(format!("the roster {} has no students", path.display()))
            .because("write one name per line, or a CSV with a header row: id,name,class,seat (学号,姓名,班级,座位号)"));
    }
    Ok(students)
}

fn parse_list(text: &str) -> Vec<Student> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .enumerate()
        .map(|(n, (row, line))| Student {
            id: format!("{:02}", n + 1),
            name: line.trim().to_string(),
            class: String::new(),
            seat: String::new(),
            row: row + 1,
        })
        .collect()
}

fn parse_csv(text: &str, path: &Path) -> Result<Vec<Student>> {
    from_rows(csv_rows(text, path)?, path)
}

/// Students from rows of cells (the first non-empty row is the header), with located errors.
fn from_rows(rows: Vec<(usize, Vec<String>)>, path: &Path) -> Result<Vec<Student>> {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let headers: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{FEFF}').to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let Some(name_col) = column(NAME) else {
        return Err(Error::diagnostics(
            format!("the roster {} has no name column", path.display()),
            vec![
                Diagnostic::error(
                    path,
                    Pos::new(header_row, 1),
                    "the header row has no `name` or `姓名` column",
                )
                .with_help(
                    "the first row names the columns: id,name,class,seat or 学号,姓名,班级,座位号",
                ),
            ],
        ));
    };
    let (id_col, class_col, seat_col) = (column(ID), column(CLASS), column(SEAT));
    let mut diags = Vec::new();
    let mut students = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, record) in rows {
        let cell = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let name = cell(Some(name_col));
        if name.is_empty() {
            diags.push(
                Diagnostic::error(
                    path,
                    Pos::new(row, name_col + 1),
                    format!("row {row}, column {}: the name is empty", name_col + 1),
                )
                .with_help("every student needs a name"),
            );
            continue;
        }
        let id = match id_col {
            Some(c) => match id_cell(path, row, c, cell(id_col), &name) {
                Ok(id) => id,
                Err(d) => {
                    diags.push(*d);
                    continue;
                }
            },
            None => format!("{:02}", students.len() + 1),
        };
        if let Some(first) = seen.get(&id) {
            diags.push(
                Diagnostic::error(
                    path,
                    Pos::new(row, id_col.unwrap_or(0) + 1),
                    format!("row {row}: id {id} is already used in row {first}"),
                )
                .with_help("ids (学号/准考证号) must be unique"),
            );
            continue;
        }
        seen.insert(id.clone(), row);
        students.push(Student {
            id,
            name,
            class: cell(class_col),
            seat: cell(seat_col),
            row,
        });
    }
    if diags.is_empty() {
        Ok(students)
    } else {
        Err(Error::diagnostics(
            format!(
                "the roster {} has {} bad row(s)",
                path.display(),
                diags.len()
            ),
            diags,
        ))
    }
}

/// The id in the roster's id column (0-based `column`) of `name`'s row: as typed, or the number Excel
/// showed as 2.0250001E+07 (20250001). Err: an empty id, or one Excel rounded, whose digits cannot be
/// guessed.
fn id_cell(
    path: &Path,
    row: usize,
    column: usize,
    typed: String,
    name: &str,
) -> std::result::Result<String, Box<Diagnostic>> {
    let c = column + 1;
    let id = match restore_number(&typed) {
        Ok(Some(restored)) => restored,
        Ok(None) => typed,
        Err(why) => {
            return Err(Box::new(
                Diagnostic::error(
                    path,
                    Pos::new(row, c),
                    format!("row {row}, column {c}: the id of {name}: {why}"),
                )
                .with_help(
                    "in Excel, format the id column as 文本 (Text), type the ids again and save; \
                     a CSV keeps what Excel showed, not the number",
                ),
            ));
        }
    };
    if id.is_empty() {
        return Err(Box::new(Diagnostic::error(
            path,
            Pos::new(row, c),
            format!("row {row}, column {c}: the id of {name} is empty"),
        )));
    }
    Ok(id)
}

/// Seat order for assigning variants: numeric seats by number, then other seats by text, then students
/// without a seat in roster order. Returns indices into `students`.
pub fn seat_order(students: &[Student]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..students.len()).collect();
    order.sort_by_key(|&i| {
        let seat = students[i].seat.trim();
        match seat.parse::<u64>() {
            Ok(n) => (0, n, String::new(), i),
            Err(_) if !seat.is_empty() => (1, 0, seat.to_string(), i),
            Err(_) => (2, 0, String::new(), i),
        }
    });
    order
}

/// A file name made safe for every file system: no separators or reserved characters.
pub fn safe_file_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.').to_string();
    if trimmed.is_empty() {
        "_".into()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_chinese_headers_and_plain_lists() {
        let s = parse(
            "学号,姓名,班级\n2025001,张喆,一班\n2025002,李堃,一班\n",
            Path::new("r.csv"),
        )
        .unwrap();
        assert_eq!(
            s[1],
            Student {
                id: "2025002".into(),
                name: "李堃".into(),
                class: "一班".into(),
                seat: String::new(),
                row: 3
            }
        );
        let s = parse("王赟\n\n陈昇\n", Path::new("r.txt")).unwrap();
        assert_eq!(
            (s[1].id.as_str(), s[1].name.as_str(), s[1].row),
            ("02", "陈昇", 3)
        );
    }

    #[test]
    fn bad_rows_are_located() {
        let err = parse("id,name\n1,甲\n1,乙\n2,\n", Path::new("r.csv")).unwrap_err();
        let shown = err.render();
        assert!(
            shown.contains("r.csv:3:1: error: row 3: id 1 is already used in row 2"),
            "{shown}"
        );
        assert!(
            shown.contains("r.csv:4:2: error: row 4, column 2: the name is empty"),
            "{shown}"
        );
        assert!(parse("\n\n", Path::new("e.csv")).is_err());
    }

    #[test]
    fn gbk_is_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名\n张三\n");
        assert_eq!(decode(&bytes, Path::new("g.csv")).unwrap(), "姓名\n张三\n");
        assert_eq!(
            decode(b"\xEF\xBB\xBFname\n", Path::new("b.csv")).unwrap(),
            "name\n"
        );
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("a/b:c"), "a_b_c");
        assert_eq!(safe_file_name(".."), "_");
        assert_eq!(safe_file_name("张喆"), "张喆");
    }
}
