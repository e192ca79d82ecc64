//! The header of an answers or marks table as teachers head it (`学号`, `第1题`, `Q1`, Excel's `1.0`), and
//! student ids as Excel leaves them (leading zeros stripped). Anything not understood is reported at its
//! column, never read as a silent 0.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::cells::nfkc;
use crate::diag::{Diagnostic, Pos, Severity};
use crate::error::{Error, Result};
use crate::input::columns::{self, CARRIED, CLASS, ID, NAME, SEAT};

const VARIANT: &[&str] = &["variant", "试卷类型", "卷型", "试卷"];
/// Columns an answers table carries along that say nothing about answers (besides a class list's
/// class, seat, row number and gender).
const INFO: &[&str] = &["total", "总分", "成绩", "得分", "note", "备注"];

/// The question number a header names: `7`, `第7题`, `题7`, `7题`, `Q7`, `q 7`, `question 7`, `No.7`, or
/// `7.0` as Excel writes a number-formatted header cell.
pub fn question_number(header: &str) -> Option<usize> {
    let h: String = nfkc(header)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut core = h.as_str();
    for prefix in ["question", "no.", "第", "题", "q"] {
        if let Some(rest) = core.strip_prefix(prefix) {
            core = rest;
            break;
        }
    }
    core = core.strip_suffix('题').unwrap_or(core);
    if let Ok(n) = core.parse::<usize>() {
        return Some(n).filter(|n| *n > 0);
    }
    // `7.0`, `7.00`: a number cell; `7.5` is not a question.
    let (whole, fraction) = core.split_once('.')?;
    (!fraction.is_empty() && fraction.chars().all(|c| c == '0'))
        .then(|| whole.parse::<usize>().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// Where the columns of an answers table are.
#[derive(Debug)]
pub struct Header {
    pub id: usize,
    pub variant: Option<usize>,
    pub name: Option<usize>,
    /// Question number → column (0-based).
    pub questions: BTreeMap<usize, usize>,
}

fn is(header: &str, names: &[&str]) -> bool {
    columns::names(header, names)
}

fn carried(header: &str) -> bool {
    [CLASS, SEAT, CARRIED, INFO]
        .iter()
        .any(|names| is(header, names))
}

/// Reads the header row of an answers table against the paper's question `numbers`. A column that is not
/// a question of the paper, a question with two columns, or a question with none is an error (with
/// `lenient`, a warning pushed to `warnings`, the column ignored and the question unanswered).
pub fn read_header(
    path: &Path,
    row: usize,
    cells: &[String],
    numbers: &BTreeSet<usize>,
    lenient: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Header> {
    let mut problems = Vec::new();
    let at = |c: usize| Pos::new(row, c + 1);
    let (mut id, mut variant, mut name) = (None, None, None);
    let mut questions: BTreeMap<usize, usize> = BTreeMap::new();
    let range = match (numbers.first(), numbers.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "none".into(),
    };
    for (c, h) in cells.iter().enumerate() {
        let shown = h.trim().trim_start_matches('\u{FEFF}');
        if shown.is_empty() {
            continue;
        }
        if is(h, ID) && id.is_none() {
            id = Some(c);
        } else if is(h, VARIANT) && variant.is_none() {
            variant = Some(c);
        } else if is(h, NAME) && name.is_none() {
            name = Some(c);
        } else if carried(h) {
        } else if let Some(n) = question_number(h) {
            if !numbers.contains(&n) {
                problems.push(
                    Diagnostic::error(
                        path,
                        at(c),
                        format!(
                            "column `{shown}` is question {n}, but the paper has questions {range}"
                        ),
                    )
                    .with_help(
                        "check the column against the manifest the papers were printed with",
                    ),
                );
            } else if let Some(first) = questions.get(&n) {
                problems.push(
                    Diagnostic::error(
                        path,
                        at(c),
                        format!(
                            "column `{shown}` is question {n} again (first in column {})",
                            first + 1
                        ),
                    )
                    .with_help("keep one column per question; delete or renumber the other"),
                );
            } else {
                questions.insert(n, c);
            }
        } else {
            problems.push(
                Diagnostic::error(path, at(c), format!("column `{shown}` is not a question of the paper"))
                    .with_help("head question columns 1, 2, 3 … (or 第1题, Q1); other columns: 学号/id, 姓名/name, 试卷类型/variant, 班级, 座位号"),
            );
        }
    }
    let Some(id) = id else {
        return Err(Error::diagnostics(
            format!("the answers file {} has no id column", path.display()),
            vec![Diagnostic::error(path, Pos::new(row, 1), "the header row has no `id` (学号) column")
                .with_help("the header is: id,variant,1,2,3,... (variant may be left out for batch manifests)")],
        ));
    };
    let missing: Vec<String> = numbers
        .iter()
        .filter(|n| !questions.contains_key(n))
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        problems.push(
            Diagnostic::error(
                path,
                Pos::new(row, cells.len().max(1)),
                format!("no column for question(s) {}", missing.join(", ")),
            )
            .with_help("add a column for every question of the paper (empty cells are unanswered)"),
        );
    }
    settle_header_problems(path, problems, lenient, warnings)?;
    Ok(Header {
        id,
        variant,
        name,
        questions,
    })
}

/// How many title rows (`2025年模拟考试成绩录入表`, `考试日期：…`) may stand above a table's header.
const TITLE_ROWS: usize = 3;

/// A title above the header: at most two cells filled, none an id heading or a question number.
fn is_title_row(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
    filled.len() <= 2
        && !filled
            .iter()
            .any(|c| is(c, ID) || question_number(c).is_some())
}

/// The header row of a table read row by row (empty rows already left out): the first row after up to
/// three title rows.
pub fn header_row(
    rows: &mut impl Iterator<Item = Result<(usize, Vec<String>)>>,
) -> Result<Option<(usize, Vec<String>)>> {
    for _ in 0..TITLE_ROWS {
        match rows.next().transpose()? {
            Some((_, cells)) if is_title_row(&cells) => continue,
            other => return Ok(other),
        }
    }
    rows.next().transpose()
}

/// The header's problems stop the grading, or under `lenient` become warnings.
fn settle_header_problems(
    path: &Path,
    problems: Vec<Diagnostic>,
    lenient: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    if !lenient {
        let n = problems.len();
        return Err(Error::diagnostics(
            format!(
                "{n} problem(s) in the header of {}; nothing was graded (--lenient grades anyway, a missing question as unanswered)",
                path.display()
            ),
            problems,
        ));
    }
    warnings.extend(problems.into_iter().map(|d| Diagnostic {
        severity: Severity::Warning,
        ..d
    }));
    Ok(())
}

/// How a typed id matches the known ones.
#[derive(Debug, PartialEq)]
pub enum IdMatch {
    Exact,
    /// Excel dropped the leading zeros (`12` for `0012`) and only this id fits.
    Padded(String),
    /// Several ids fit once zeros are dropped.
    Ambiguous(Vec<String>),
    /// Excel showed the id as a number in scientific notation (`2.0250001E+07`) that still holds every
    /// digit, and this id is the one it stands for.
    Scientific(String),
    /// Excel showed the id in scientific notation and rounded it: the plain-words reason; its last digits
    /// cannot be guessed.
    Rounded(String),
    Unknown,
}

/// Matches `typed` against `known` ids: exactly, or with leading zeros dropped when only one fits, or as
/// the whole number Excel showed in scientific notation (a long 学号 in a narrow column).
pub fn match_id<'k>(typed: &str, known: impl IntoIterator<Item = &'k str> + Clone) -> IdMatch {
    if known.clone().into_iter().any(|k| k == typed) {
        return IdMatch::Exact;
    }
    match crate::input::tables::restore_number(typed) {
        Ok(Some(whole)) => {
            return match match_id(&whole, known) {
                IdMatch::Exact => IdMatch::Scientific(whole),
                IdMatch::Padded(full) => IdMatch::Scientific(full),
                other => other,
            };
        }
        Err(why) => return IdMatch::Rounded(why),
        Ok(None) => {}
    }
    let bare = typed.trim_start_matches('0');
    if bare.is_empty() || !typed.chars().all(|c| c.is_ascii_digit()) {
        return IdMatch::Unknown;
    }
    let fits: Vec<String> = known
        .into_iter()
        .filter(|k| k.len() > typed.len() && k.chars().all(|c| c.is_ascii_digit()))
        .filter(|k| k.trim_start_matches('0') == bare)
        .map(str::to_string)
        .collect();
    match fits.len() {
        0 => IdMatch::Unknown,
        1 => IdMatch::Padded(fits.into_iter().next().unwrap_or_default()),
        _ => IdMatch::Ambiguous(fits),
    }
}

/// The marks columns of a manual.csv header as (column, question number), and the columns that name no
/// short-answer question of the paper.
fn manual_columns(
    path: &Path,
    header_row: usize,
    header: &[String],
    id_col: usize,
    numbers: &BTreeSet<usize>,
) -> (Vec<(usize, usize)>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut columns: Vec<(usize, usize)> = Vec::new();
    for (c, h) in header.iter().enumerate() {
        if c == id_col || h.trim().is_empty() || is(h, NAME) || carried(h) {
            continue;
        }
        match question_number(h) {
            Some(n) if numbers.contains(&n) => columns.push((c, n)),
            _ => errors.push(Diagnostic::error(
                path,
                Pos::new(header_row, c + 1),
                format!("column `{}` is not a question of the paper", h.trim()),
            ).with_help("head the columns id and the short-answer questions' numbers, as manual.csv is written")),
        }
    }
    (columns, errors)
}

/// Hand-marked short answers: `id` and one column per question number with the points awarded, keyed by
/// the graded students' ids. Ids that match no student are an error listing them; ids Excel stripped of
/// leading zeros are matched when only one student fits, with a warning.
pub fn read_manual(
    path: &Path,
    students: &[String],
    numbers: &BTreeSet<usize>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<HashMap<(String, usize), Decimal>> {
    let mut rows = crate::input::tables::rows(path)?.filter(|row| {
        row.as_ref()
            .map_or(true, |(_, c)| c.iter().any(|x| !x.trim().is_empty()))
    });
    let Some((header_row, header)) = header_row(&mut rows)? else {
        return Ok(HashMap::new());
    };
    let id_col = header.iter().position(|h| is(h, ID)).unwrap_or(0);
    let (columns, mut errors) = manual_columns(path, header_row, &header, id_col, numbers);
    let known = || students.iter().map(String::as_str);
    // Ids as typed are looked up; all are searched only for one that is not (Excel's cut zeros).
    let exact: std::collections::HashSet<&str> = known().collect();
    let mut out = HashMap::new();
    let mut unknown = Vec::new();
    for row in rows {
        let (row, cells) = row?;
        let typed = cells.get(id_col).map(|s| s.trim()).unwrap_or("");
        let matched = if exact.contains(typed) {
            IdMatch::Exact
        } else {
            match_id(typed, known())
        };
        let id = match matched {
            IdMatch::Exact => typed.to_string(),
            IdMatch::Padded(full) => {
                warnings.push(Diagnostic::warning(
                    path,
                    Pos::new(row, id_col + 1),
                    format!("row {row}: id {typed} read as student {full} (Excel drops leading zeros)"),
                ).with_help("format the id column as text in Excel to keep the zeros"));
                full
            }
            IdMatch::Ambiguous(fits) => {
                errors.push(
                    Diagnostic::error(
                        path,
                        Pos::new(row, id_col + 1),
                        format!("row {row}: id {typed} could be any of {}", fits.join(", ")),
                    )
                    .with_help("type the id in full, with its leading zeros"),
                );
                continue;
            }
            IdMatch::Scientific(full) => {
                warnings.push(
                    Diagnostic::warning(
                        path,
                        Pos::new(row, id_col + 1),
                        format!("row {row}: id {typed} read as student {full} (Excel showed it in scientific notation)"),
                    )
                    .with_help(crate::input::tables::EXCEL_TEXT_IDS),
                );
                full
            }
            IdMatch::Rounded(why) => {
                errors.push(
                    Diagnostic::error(
                        path,
                        Pos::new(row, id_col + 1),
                        format!("row {row}: the id {why}"),
                    )
                    .with_help(crate::input::tables::EXCEL_TEXT_IDS),
                );
                continue;
            }
            IdMatch::Unknown => {
                unknown.push(format!("{typed} (row {row})"));
                continue;
            }
        };
        for &(c, n) in &columns {
            let value = cells.get(c).map(|s| s.trim()).unwrap_or("");
            if value.is_empty() {
                continue;
            }
            match Decimal::from_str(&nfkc(value)) {
                Ok(p) if p >= Decimal::ZERO => {
                    out.insert((id.clone(), n), p);
                }
                _ => errors.push(Diagnostic::error(
                    path,
                    Pos::new(row, c + 1),
                    format!("row {row}, question {n}: `{value}` is not a number of points"),
                )),
            }
        }
    }
    if !unknown.is_empty() {
        errors.push(
            Diagnostic::error(
                path,
                Pos::new(header_row, id_col + 1),
                format!(
                    "{} id(s) match no student in the answers: {}",
                    unknown.len(),
                    unknown.join(", ")
                ),
            )
            .with_help("marks must belong to students of the answers file; check for typos"),
        );
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::diagnostics(
            format!("{} has bad marks; nothing was graded", path.display()),
            errors,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_headers_as_teachers_write_them() {
        for (h, n) in [
            ("1", Some(1)),
            ("第1题", Some(1)),
            ("题12", Some(12)),
            ("Q3", Some(3)),
            ("q 3", Some(3)),
            ("1.0", Some(1)),
            ("５", Some(5)),
            ("第５题", Some(5)),
            ("3题", Some(3)),
            ("1.5", None),
            ("0", None),
            ("姓名", None),
            ("总分", None),
        ] {
            assert_eq!(question_number(h), n, "{h}");
        }
    }

    #[test]
    fn ids_without_their_leading_zeros() {
        let known = ["0012", "0345", "1200"];
        let k = || known.iter().copied();
        assert_eq!(match_id("0012", k()), IdMatch::Exact);
        assert_eq!(match_id("12", k()), IdMatch::Padded("0012".into()));
        assert_eq!(match_id("345", k()), IdMatch::Padded("0345".into()));
        assert_eq!(match_id("99", k()), IdMatch::Unknown);
        assert_eq!(match_id("张三", k()), IdMatch::Unknown);
        let both = ["012", "0012"];
        assert!(matches!(
            match_id("12", both.iter().copied()),
            IdMatch::Ambiguous(_)
        ));
    }

    #[test]
    fn ids_excel_showed_in_scientific_notation() {
        let known = ["202500000012", "0020250001"];
        let k = || known.iter().copied();
        assert_eq!(
            match_id("2.02500000012E+11", k()),
            IdMatch::Scientific("202500000012".into())
        );
        // Excel dropped the zeros first, then showed the rest in scientific notation.
        assert_eq!(
            match_id("2.0250001E+07", k()),
            IdMatch::Scientific("0020250001".into())
        );
        assert!(matches!(
            match_id("2.025E+11", k()),
            IdMatch::Rounded(why) if why.contains("last digits are lost")
        ));
        assert_eq!(match_id("3.02500000012E+11", k()), IdMatch::Unknown);
    }

    #[test]
    fn a_class_list_exported_with_answers_keeps_its_own_columns() {
        let cells: Vec<String> = [
            "序号",
            "学 号",
            "姓　名",
            "性别",
            "班级：",
            "1",
            "2",
            "成绩",
        ]
        .map(String::from)
        .to_vec();
        let numbers = BTreeSet::from([1, 2]);
        let mut warnings = Vec::new();
        let header = read_header(
            Path::new("a.csv"),
            1,
            &cells,
            &numbers,
            false,
            &mut warnings,
        )
        .unwrap();
        assert_eq!((header.id, header.name), (1, Some(2)));
        assert_eq!(header.questions, BTreeMap::from([(1, 5), (2, 6)]));
        assert!(warnings.is_empty());
    }
}
