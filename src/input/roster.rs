//! Class rosters: a CSV with a header (id/学号, name/姓名, class/班级, seat/座位号) or a plain list of names,
//! in UTF-8 (with or without BOM) or GBK/GB18030 as Excel on Chinese Windows writes it.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::input::columns::{self, CLASS, ID, NAME, SEAT};
use crate::input::tables::{
    EXCEL_TEXT_IDS, csv_rows, decode, is_workbook, read_rows, restore_number,
};
use crate::util::chars::is_han;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub name: String,
    pub class: String,
    pub seat: String,
    /// 1-based line in the file, for messages.
    pub row: usize,
}

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
    let lines: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(TITLE_ROWS + 1)
        .map(|l| l.split([',', '\t']).map(str::to_string).collect())
        .collect();
    let is_csv = header_index(&lines).is_some();
    let students = if is_csv {
        parse_csv(text, path)?
    } else {
        parse_list(text, path)?
    };
    if students.is_empty() {
        return Err(Error::input(format!("the roster {} has no students", path.display()))
            .because("write one name per line, or a CSV with a header row: id,name,class,seat (学号,姓名,班级,座位号)"));
    }
    Ok(students)
}

/// A plain list, one name per line. A line with a comma or a tab is a table whose header names no
/// 姓名 column (or a row of several names): refused, since its whole line would be printed as a name.
fn parse_list(text: &str, path: &Path) -> Result<Vec<Student>> {
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let mut students = Vec::new();
    for (n, (row, line)) in lines.enumerate() {
        if let Some(at) = line.find([',', '，', '\t']) {
            let column = line[..at].chars().count() + 1;
            let (what, help) = if n == 0 {
                (
                    format!(
                        "the first row `{}` has several columns, but none is headed 姓名 or name",
                        line.trim()
                    ),
                    "head the columns in the first row: 学号,姓名,班级,座位号 (or id,name,class,seat); \
                     or write a plain list, one name per line",
                )
            } else {
                (
                    format!("row {}: `{}` is not one name", row + 1, line.trim()),
                    "a list of names has one name per line; for ids and classes, head the columns: 学号,姓名,班级,座位号",
                )
            };
            return Err(Error::diagnostics(
                format!("the roster {} is not a list of names", path.display()),
                vec![Diagnostic::error(path, Pos::new(row + 1, column), what).with_help(help)],
            ));
        }
        students.push(Student {
            id: format!("{:02}", n + 1),
            name: tidy_name(line),
            class: String::new(),
            seat: String::new(),
            row: row + 1,
        });
    }
    Ok(students)
}

/// A name as it is printed: without the spaces Excel users pad two-character names with to line them up
/// with three-character ones (`李　四`, `王 五`); spaces between Western words stay (`Anna Li`).
fn tidy_name(typed: &str) -> String {
    let chars: Vec<char> = typed.trim().chars().collect();
    let mut name = String::with_capacity(typed.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if before.is_some_and(|&b| is_han(b)) && after.is_some_and(|&a| is_han(a)) {
                continue;
            }
        }
        name.push(c);
    }
    name
}

fn parse_csv(text: &str, path: &Path) -> Result<Vec<Student>> {
    from_rows(csv_rows(text, path)?, path)
}

/// Title rows a school system's export may put above the header (`2025级1班学生名单`, `制表日期：…`).
const TITLE_ROWS: usize = 3;

/// Which of the first non-empty `rows` is the header: the first with a 姓名 heading, when the rows above
/// it are titles (at most two cells filled each); none when no such row opens the table.
fn header_index(rows: &[Vec<String>]) -> Option<usize> {
    let filled = |cells: &Vec<String>| cells.iter().filter(|c| !c.trim().is_empty()).count();
    rows.iter()
        .take(TITLE_ROWS + 1)
        .position(|cells| cells.iter().any(|h| columns::names(h, NAME)))
        .filter(|&at| rows[..at].iter().all(|cells| filled(cells) <= 2))
}

/// Students from rows of cells (the header is the first non-empty row, after any title rows), with
/// located errors.
fn from_rows(rows: Vec<(usize, Vec<String>)>, path: &Path) -> Result<Vec<Student>> {
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .take(TITLE_ROWS + 1)
        .map(|(_, c)| c.clone())
        .collect();
    let mut rows = rows.into_iter().skip(header_index(&cells).unwrap_or(0));
    let Some((header_row, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let column = |names: &[&str]| header.iter().position(|h| columns::names(h, names));
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
        let name = tidy_name(&cell(Some(name_col)));
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
                .with_help(EXCEL_TEXT_IDS),
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

    #[test]
    fn headings_and_names_as_school_systems_export_them() {
        let s = parse(
            "\u{FEFF}序号,姓 名,准考证号 ,班级：\n1,李　四,2025000001,一班\n\n2, Anna Li ,2025000002,一班\n,,,\n",
            Path::new("r.csv"),
        )
        .unwrap();
        let got: Vec<_> = s
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str(), s.class.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("2025000001", "李四", "一班"),
                ("2025000002", "Anna Li", "一班")
            ]
        );
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let text = "2025级社会工作1班学生名单,,,\n制表日期：2025-09-01,,班主任：王老师,\n\n序号,姓名,学号,备注\n1,张三,2025001,\n2,李四,2025002,班长\n,,,\n";
        let s = parse(text, Path::new("r.csv")).unwrap();
        let got: Vec<(&str, &str, usize)> = s
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str(), s.row))
            .collect();
        assert_eq!(got, [("2025001", "张三", 5), ("2025002", "李四", 6)]);
        // A first row of three or more cells is a table of its own, not a title: still refused.
        let shown = parse(
            "学号,学生,班级\n序号,姓名,学号\n1,张三,2025001\n",
            Path::new("r.csv"),
        )
        .unwrap_err()
        .render();
        assert!(shown.contains("r.csv:1:3: error: the first row"), "{shown}");
    }

    #[test]
    fn a_table_without_a_name_heading_is_not_read_as_names() {
        let shown = parse("学号,学生\n2025001,张三\n", Path::new("r.csv"))
            .unwrap_err()
            .render();
        assert!(
            shown.contains("r.csv:1:3: error: the first row `学号,学生` has several columns"),
            "{shown}"
        );
        let shown = parse("张三\n李四，王五\n", Path::new("r.txt"))
            .unwrap_err()
            .render();
        assert!(
            shown.contains("r.txt:2:3: error: row 2: `李四，王五` is not one name"),
            "{shown}"
        );
    }
}
