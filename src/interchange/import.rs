//! Importing a spreadsheet (CSV or xlsx) of questions into YAML section files, every problem located at its cell.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::input::bank::{self, Bank, QuestionType};

/// Header names accepted for each import column, Chinese and English, as `columns::heading_key` spells
/// them (spaces and a trailing colon dropped, lower case): our own and what quiz sites and school
/// systems export (题目类型, 试题内容, 正确答案, 答案解析).
const COLUMNS: &[(&str, &[&str])] = &[
    ("id", &["id", "编号", "题号", "试题编号"]),
    ("type", &["type", "题型", "题目类型", "试题类型", "类型"]),
    (
        "stem",
        &[
            "stem",
            "题干",
            "题目",
            "试题",
            "题目内容",
            "试题内容",
            "问题",
        ],
    ),
    (
        "answer",
        &["answer", "答案", "正确答案", "参考答案", "标准答案"],
    ),
    ("difficulty", &["difficulty", "难度", "难易程度", "难易度"]),
    (
        "explanation",
        &["explanation", "解析", "答案解析", "试题解析", "解释"],
    ),
    ("section", &["section", "章节", "节", "所属章节"]),
    ("section_title", &["section_title", "章节名称"]),
    ("tags", &["tags", "标签"]),
    ("group", &["group", "组"]),
    ("points", &["points", "分值", "分数"]),
    // A question's note and quote, and a note row's title: what `examgen export --format csv` writes.
    ("note", &["note", "考点"]),
    ("quote", &["quote", "原文"]),
    ("title", &["title", "标题"]),
    ("image", &["image", "图片", "插图"]),
];

/// A row of type 考点/note is one of the section's notes (id, title, text, tags), as the CSV export writes them.
fn is_note_row(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "note" | "考点" | "知识点"
    )
}

/// The option a header names: `A`, `选项A`, `选项 A`, `A选项`, `option_a`, `Option A`.
fn option_column(header: &str) -> Option<usize> {
    let h = crate::input::columns::heading_key(header);
    let letter = h
        .strip_prefix("选项")
        .or_else(|| h.strip_prefix("option_"))
        .or_else(|| h.strip_prefix("option"))
        .or_else(|| h.strip_suffix("选项"))
        .unwrap_or(&h);
    let mut chars = letter.chars();
    let c = chars.next()?.to_ascii_uppercase();
    (chars.next().is_none() && ('A'..='H').contains(&c)).then(|| (c as u8 - b'A') as usize)
}

fn type_of(text: &str) -> Option<QuestionType> {
    let lower = text.trim().to_lowercase();
    QuestionType::from_typed(&lower).or(match lower.as_str() {
        "true/false" => Some(QuestionType::Judge),
        "问答" => Some(QuestionType::Short),
        _ => None,
    })
}

/// The position of column `name` (an entry of [`COLUMNS`]) in a lower-cased header row.
fn column_of(header: &[String], name: &str, section_column: Option<&str>) -> Option<usize> {
    if name == "section"
        && let Some(custom) = section_column
    {
        return header
            .iter()
            .position(|h| *h == crate::input::columns::heading_key(custom));
    }
    let names = COLUMNS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or(&[]);
    header.iter().position(|h| names.contains(&h.as_str()))
}

/// A difficulty as typed: `3`, `3.0` (a number cell), `３`, or a word (`中等`, `较难`); anything else is a
/// message in plain words.
fn difficulty_of(text: &str) -> std::result::Result<u8, String> {
    crate::input::typed::difficulty_level(text).ok_or_else(|| {
        format!(
            "难度 (difficulty) `{}` is not a level from 1 (easiest) to 5 (hardest), nor 易, 较易, 中, 较难, 难",
            text.trim()
        )
    })
}

/// YAML double-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A generated YAML line and the spreadsheet cell it came from.
struct Emitted {
    text: String,
    cell: (usize, usize),
}

/// One section's YAML, with the source cell of every line for mapping diagnostics back.
struct SectionOut {
    id: String,
    lines: Vec<Emitted>,
    /// The `notes:` entries, appended after the questions once every row is read.
    notes: Vec<Emitted>,
    questions: usize,
}

impl SectionOut {
    fn push(&mut self, text: String, cell: (usize, usize)) {
        self.lines.push(Emitted { text, cell });
    }

    fn yaml(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }
}

/// Imports a spreadsheet into section files in `out`; every problem is located at its row and column.
/// Returns the files written, the number of questions and notes for the user (rows skipped above the header).
pub fn import(
    file: &Path,
    out: &Path,
    section_column: Option<&str>,
) -> Result<(Vec<PathBuf>, usize, Vec<String>)> {
    let rows = crate::input::tables::read_rows(file)?;
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(Error::input(format!("{} is empty", file.display())));
    }
    let lower = |cells: &[String]| -> Vec<String> {
        cells
            .iter()
            .map(|h| crate::input::columns::heading_key(h))
            .collect()
    };
    // A title row (often merged across the sheet: 「社会工作试题库」) may sit above the header; the header
    // is the first of the top rows that names the type, stem and answer columns.
    let header_at = rows
        .iter()
        .take(5)
        .position(|(_, cells)| {
            let h = lower(cells);
            ["type", "stem", "answer"]
                .iter()
                .all(|name| column_of(&h, name, section_column).is_some())
        })
        .unwrap_or(0);
    let mut notes = Vec::new();
    for (row, cells) in &rows[..header_at] {
        let text: Vec<&str> = cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        notes.push(format!(
            "{}: row {row} ({}) is above the header row; it was skipped",
            file.display(),
            text.join(" ")
        ));
    }
    let mut rows = rows.into_iter().skip(header_at);
    let Some((header_row, header)) = rows.next() else {
        return Err(Error::input(format!("{} is empty", file.display())));
    };
    let header = lower(&header);
    let col = |name: &str| column_of(&header, name, section_column);
    let options: Vec<(usize, usize)> = header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| option_column(h).map(|o| (o, c)))
        .collect();
    let mut missing = Vec::new();
    for required in ["type", "stem", "answer"] {
        if col(required).is_none() {
            missing.push(required);
        }
    }
    if !missing.is_empty() {
        return Err(Error::diagnostics(
            format!("{} lacks required columns", file.display()),
            vec![Diagnostic::error(file, Pos::new(header_row, 1), format!("no {} column in the header row", missing.join(", ")))
                .with_help("columns: 题型, 题干, 选项A … 选项H, 答案, 难度, 解析, 章节, 标签 (or type, stem, A … H, answer, difficulty, explanation, section, tags)")],
        ));
    }
    let (type_col, stem_col, answer_col) = (
        col("type").unwrap_or(0),
        col("stem").unwrap_or(0),
        col("answer").unwrap_or(0),
    );
    let (id_col, diff_col, expl_col, section_col, tags_col, group_col, points_col) = (
        col("id"),
        col("difficulty"),
        col("explanation"),
        col("section"),
        col("tags"),
        col("group"),
        col("points"),
    );
    let section_title_col = col("section_title");
    let (note_col, quote_col, title_col) = (col("note"), col("quote"), col("title"));
    let image_col = col("image");
    let sheet_dir = file.parent().unwrap_or(Path::new("."));
    let mut images = super::import_images::Copies::default();
    // Image problems found while rewriting cells; they join the others after the rows.
    let mut image_diags = Vec::new();

    let mut diags = Vec::new();
    let mut sections: Vec<SectionOut> = Vec::new();
    let mut section_index: HashMap<String, usize> = HashMap::new();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    let mut count = 0;
    for (row, cells) in rows {
        let cell = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let at = |c: usize| (row, c + 1);
        let section_name = match cell(section_col) {
            s if s.is_empty() => "default".to_string(),
            s => s,
        };
        let si = *section_index
            .entry(section_name.clone())
            .or_insert_with(|| {
                let id = if section_name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    section_name.clone()
                } else {
                    format!("s{:02}", sections.len() + 1)
                };
                let mut out = SectionOut {
                    id: id.clone(),
                    lines: Vec::new(),
                    notes: Vec::new(),
                    questions: 0,
                };
                out.push("section:".into(), at(section_col.unwrap_or(0)));
                out.push(format!("  id: {id}"), at(section_col.unwrap_or(0)));
                let title = Some(cell(section_title_col))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| section_name.clone());
                out.push(
                    format!("  title: {}", quoted(&title)),
                    at(section_col.unwrap_or(0)),
                );
                out.push(
                    format!("  order: {}", sections.len() + 1),
                    at(section_col.unwrap_or(0)),
                );
                out.push("questions:".into(), at(0));
                sections.push(out);
                sections.len() - 1
            });
        if is_note_row(&cell(Some(type_col))) {
            let out = &mut sections[si];
            let line = |text: String, c: Option<usize>| Emitted {
                text,
                cell: at(c.unwrap_or(type_col)),
            };
            out.notes
                .push(line(format!("  - id: {}", quoted(&cell(id_col))), id_col));
            out.notes.push(line(
                format!("    title: {}", quoted(&cell(title_col))),
                title_col,
            ));
            out.notes.push(line(
                format!("    text: {}", quoted(&cell(Some(stem_col)))),
                Some(stem_col),
            ));
            let tags = cell(tags_col);
            if !tags.is_empty() {
                let list: Vec<String> = tags
                    .split([',', '，', '、', ';', '；'])
                    .map(|t| quoted(t.trim()))
                    .filter(|t| t.len() > 2)
                    .collect();
                out.notes
                    .push(line(format!("    tags: [{}]", list.join(", ")), tags_col));
            }
            continue;
        }
        let Some(kind) = type_of(&cell(Some(type_col))) else {
            diags.push(
                Diagnostic::error(
                    file,
                    Pos::new(row, type_col + 1),
                    format!(
                        "row {row}: `{}` is not a question type",
                        cell(Some(type_col))
                    ),
                )
                .with_help(
                    "use 单选, 多选, 判断, 填空, 简答 (or single, multiple, judge, blank, short)",
                ),
            );
            continue;
        };
        let stem = cell(Some(stem_col));
        let sid = sections[si].id.clone();
        // Stable ids: the given one, else the section and a hash of the stem, so re-importing the same
        // sheet (in any row order) gives the same ids.
        let mut id = cell(id_col);
        match crate::input::tables::restore_number(&id) {
            Ok(Some(restored)) => id = restored,
            Ok(None) => {}
            Err(why) => {
                let c = id_col.unwrap_or(0) + 1;
                diags.push(
                    Diagnostic::error(file, Pos::new(row, c), format!("row {row}: the id {why}"))
                        .with_help(
                            "format the id column as 文本 (Text) in Excel and type the ids again",
                        ),
                );
                continue;
            }
        }
        if id.is_empty() {
            let hash = Sha256::digest(stem.as_bytes());
            id = format!("{sid}-{:02x}{:02x}{:02x}", hash[0], hash[1], hash[2]);
        }
        let n = used_ids.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            id = format!("{id}-{n}");
        }
        let out = &mut sections[si];
        out.push(
            format!("  - id: {}", quoted(&id)),
            at(id_col.unwrap_or(stem_col)),
        );
        out.push(format!("    type: {}", kind.name()), at(type_col));
        let with_images = super::import_images::Copies::with_column(&stem, &cell(image_col));
        let mut image_cell = |text: &str, c: usize| match images.rewrite(text, sheet_dir) {
            Ok(t) => t,
            Err(message) => {
                image_diags.push(Diagnostic::error(
                    file,
                    Pos::new(row, c + 1),
                    format!("row {row}: {message}"),
                ));
                text.to_string()
            }
        };
        let stem_col_of_image = if with_images != stem {
            image_col.unwrap_or(stem_col)
        } else {
            stem_col
        };
        let figure_stem = image_cell(&with_images, stem_col_of_image);
        let out = &mut sections[si];
        out.push(format!("    stem: {}", quoted(&figure_stem)), at(stem_col));
        if kind.has_options() {
            let mut all: Vec<(usize, String, usize)> = options
                .iter()
                .map(|(o, c)| (*o, image_cell(&cell(Some(*c)), *c), *c))
                .collect();
            all.sort();
            // An empty cell before a filled one would close the options up and move the answer letter
            // onto another option.
            let last_filled = all.iter().rposition(|(_, t, _)| !t.is_empty());
            for (o, t, c) in &all {
                if t.is_empty() && last_filled.is_some_and(|l| all[l].0 > *o) {
                    diags.push(
                        Diagnostic::error(
                            file,
                            Pos::new(row, c + 1),
                            format!(
                                "row {row}: 选项{} (option {}) is empty but a later option is filled",
                                bank::letter(*o),
                                bank::letter(*o)
                            ),
                        )
                        .with_help("fill the option, or move the later options up and correct the answer"),
                    );
                }
            }
            let texts: Vec<(usize, String, usize)> =
                all.into_iter().filter(|(_, t, _)| !t.is_empty()).collect();
            let line = texts
                .iter()
                .map(|(_, t, _)| quoted(t))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                format!("    options: [{line}]"),
                at(texts.first().map_or(stem_col, |t| t.2)),
            );
        }
        let answer = cell(Some(answer_col));
        let answer_yaml = match kind {
            QuestionType::Single => quoted(&answer.to_uppercase()),
            QuestionType::Multiple => {
                let letters: Vec<String> = answer
                    .chars()
                    .filter(|c| c.is_ascii_alphabetic())
                    .map(|c| c.to_ascii_uppercase().to_string())
                    .collect();
                format!("[{}]", letters.join(", "))
            }
            QuestionType::Judge => match crate::input::typed::judge_word(&answer) {
                Some(truth) => truth.to_string(),
                None => quoted(&answer),
            },
            QuestionType::Blank => {
                let parts: Vec<String> = answer
                    .split(['；', ';'])
                    .map(|p| quoted(p.trim()))
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            QuestionType::Short => quoted(&answer),
        };
        out.push(format!("    answer: {answer_yaml}"), at(answer_col));
        let difficulty = cell(diff_col);
        if !difficulty.is_empty() {
            match difficulty_of(&difficulty) {
                Ok(d) => out.push(format!("    difficulty: {d}"), at(diff_col.unwrap_or(0))),
                Err(why) => diags.push(
                    Diagnostic::error(
                        file,
                        Pos::new(row, diff_col.unwrap_or(0) + 1),
                        format!("row {row}: {why}"),
                    )
                    .with_help("1 is the easiest, 3 average, 5 the hardest; leave it empty for 3"),
                ),
            }
        }
        let explanation = image_cell(&cell(expl_col), expl_col.unwrap_or(0));
        if !explanation.is_empty() {
            out.push(
                format!("    explanation: {}", quoted(&explanation)),
                at(expl_col.unwrap_or(0)),
            );
        }
        let tags = cell(tags_col);
        if !tags.is_empty() {
            let list: Vec<String> = tags
                .split([',', '，', '、', ';', '；'])
                .map(|t| quoted(t.trim()))
                .filter(|t| t.len() > 2)
                .collect();
            out.push(
                format!("    tags: [{}]", list.join(", ")),
                at(tags_col.unwrap_or(0)),
            );
        }
        let group = cell(group_col);
        if !group.is_empty() {
            out.push(
                format!("    group: {}", quoted(&group)),
                at(group_col.unwrap_or(0)),
            );
        }
        let points = cell(points_col);
        if !points.is_empty() {
            out.push(format!("    points: {points}"), at(points_col.unwrap_or(0)));
        }
        for (key, column) in [("note", note_col), ("quote", quote_col)] {
            let value = cell(column);
            if !value.is_empty() {
                out.push(
                    format!("    {key}: {}", quoted(&value)),
                    at(column.unwrap_or(0)),
                );
            }
        }
        out.questions += 1;
        count += 1;
    }

    // Notes go after the questions; a section of notes only has an empty question list.
    for s in &mut sections {
        if s.questions == 0
            && let Some(q) = s.lines.iter_mut().find(|l| l.text == "questions:")
        {
            q.text = "questions: []".into();
        }
        if let Some(first) = s.notes.first() {
            let cell = first.cell;
            s.lines.push(Emitted {
                text: "notes:".into(),
                cell,
            });
            s.lines.append(&mut s.notes);
        }
    }
    diags.extend(image_diags);
    // The same validation as `check`, on the generated files, with positions mapped back to the sheet.
    let mut files = Vec::new();
    for s in &sections {
        let name = format!("{}.yaml", s.id);
        let (_, file_diags) = bank::load_bytes(Path::new(&name), s.yaml().as_bytes());
        for d in file_diags.into_iter().filter(Diagnostic::is_error) {
            let (row, column) = s
                .lines
                .get(d.pos.line.saturating_sub(1))
                .map_or((header_row, 1), |l| l.cell);
            let message = format!("row {row}: {}", d.message);
            diags.push(Diagnostic {
                file: file.to_path_buf(),
                pos: Pos::new(row, column),
                source_line: None,
                width: 1,
                message,
                ..d
            });
        }
        files.push((out.join(&name), s.yaml()));
    }
    if diags.is_empty() {
        // Cross-row checks (duplicate ids across sections) come from loading the whole set.
        let tmp = tempfile::tempdir()
            .map_err(|e| Error::internal("cannot create a temporary folder").because(e))?;
        for (path, text) in &files {
            std::fs::write(tmp.path().join(path.file_name().unwrap_or_default()), text)
                .map_err(|e| Error::io("write", path, e))?;
        }
        images.copy_into(tmp.path())?;
        if let Err(e) = Bank::load(tmp.path()) {
            return Err(
                Error::input(format!("{} does not make a valid bank", file.display()))
                    .because(e.render()),
            );
        }
    }
    if !diags.is_empty() {
        return Err(Error::diagnostics(
            format!(
                "{} has {} problem(s); nothing was written",
                file.display(),
                diags.len()
            ),
            diags,
        ));
    }
    if out.is_dir() {
        for (path, _) in &files {
            if path.exists() {
                return Err(Error::input(format!(
                    "{} already exists; import into an empty folder or remove it",
                    path.display()
                )));
            }
        }
    }
    // Every section file or none: a refused or full folder leaves no half an import behind.
    let items: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_bytes()))
        .collect();
    crate::util::fs::write_run(out, &items)?;
    images.copy_into(out)?;
    Ok((files.into_iter().map(|(p, _)| p).collect(), count, notes))
}
