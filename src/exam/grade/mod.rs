//! Grading: reads the class's responses against a manifest, scores them exactly (the exam's partial-credit
//! rule for multiple choice), and analyses every item: facility, discrimination, option counts, flags.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::diag::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::input::manifest::{Manifest, QuestionRecord, VariantRecord};

/// What a student wrote for one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Empty,
    /// Printed option indices (0 = A), ascending.
    Letters(Vec<usize>),
    Judge(bool),
    /// One text per blank.
    Blanks(Vec<String>),
    /// Short answers are marked by the teacher; the cell is kept as written.
    Text(String),
}

impl Given {
    pub fn show(&self) -> String {
        match self {
            Given::Empty => "—".into(),
            Given::Letters(v) => v.iter().map(|i| crate::input::bank::letter(*i)).collect(),
            Given::Judge(true) => "√".into(),
            Given::Judge(false) => "×".into(),
            Given::Blanks(v) => v.join("；"),
            Given::Text(t) => t.clone(),
        }
    }
}

/// Reads one cell for a question of `kind` with `options` options; Err says why the cell is bad.
pub fn parse_cell(
    kind: &str,
    options: usize,
    blanks: usize,
    raw: &str,
) -> std::result::Result<Given, String> {
    let cell = raw.trim();
    if cell.is_empty() {
        return Ok(Given::Empty);
    }
    match kind {
        "single" | "multiple" => {
            let mut letters = Vec::new();
            for c in cell.chars() {
                if c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；' | '/' | '|') {
                    continue;
                }
                let up = c.to_ascii_uppercase();
                // Full-width letters (Ａ) come from Chinese input methods.
                let up = match up {
                    'Ａ'..='Ｚ' => {
                        char::from_u32(up as u32 - 'Ａ' as u32 + 'A' as u32).unwrap_or(up)
                    }
                    'ａ'..='ｚ' => {
                        char::from_u32(up as u32 - 'ａ' as u32 + 'A' as u32).unwrap_or(up)
                    }
                    other => other,
                };
                if !up.is_ascii_uppercase() {
                    return Err(format!("`{c}` is not an option letter"));
                }
                let i = (up as u8 - b'A') as usize;
                if i >= options {
                    return Err(format!(
                        "{up} is beyond the last option ({})",
                        crate::input::bank::letter(options.saturating_sub(1))
                    ));
                }
                if !letters.contains(&i) {
                    letters.push(i);
                }
            }
            letters.sort_unstable();
            if kind == "single" && letters.len() > 1 {
                return Err(format!(
                    "{} letters for a single-choice question",
                    letters.len()
                ));
            }
            Ok(Given::Letters(letters))
        }
        "judge" => match cell.to_lowercase().as_str() {
            "t" | "true" | "对" | "√" | "✓" | "1" | "y" | "yes" | "正确" => {
                Ok(Given::Judge(true))
            }
            "f" | "false" | "错" | "×" | "x" | "✗" | "0" | "n" | "no" | "错误" => {
                Ok(Given::Judge(false))
            }
            _ => Err(format!(
                "`{cell}` is not a judge answer (use T/F, 对/错, √/× or 1/0)"
            )),
        },
        "blank" => {
            let parts: Vec<String> = if blanks > 1 {
                cell.split([';', '；'])
                    .map(|s| s.trim().to_string())
                    .collect()
            } else {
                vec![cell.to_string()]
            };
            if parts.len() > blanks {
                return Err(format!(
                    "{} answers for {blanks} blank(s); separate blanks with ；",
                    parts.len()
                ));
            }
            Ok(Given::Blanks(parts))
        }
        _ => Ok(Given::Text(cell.to_string())),
    }
}

/// The scoring rule of a part, from the manifest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    AllOrNothing,
    Partial(Decimal),
}

/// Points earned for `given` on question `q` under `rule`. Short answers return None (marked by hand).
pub fn score(q: &QuestionRecord, rule: Rule, given: &Given) -> Option<Decimal> {
    let full = q.points;
    Some(match (q.kind.as_str(), given) {
        ("short", _) => return None,
        (_, Given::Empty) => Decimal::ZERO,
        ("single", Given::Letters(v)) => {
            let key = key_letters(&q.answer);
            if v.len() == 1 && key == *v {
                full
            } else {
                Decimal::ZERO
            }
        }
        ("multiple", Given::Letters(v)) => {
            let key = key_letters(&q.answer);
            if v.is_empty() || v.iter().any(|l| !key.contains(l)) {
                Decimal::ZERO
            } else if v.len() == key.len() {
                full
            } else {
                match rule {
                    Rule::Partial(each) => (each * Decimal::from(v.len())).min(full),
                    Rule::AllOrNothing => Decimal::ZERO,
                }
            }
        }
        ("judge", Given::Judge(b)) => {
            if q.answer.as_bool() == Some(*b) {
                full
            } else {
                Decimal::ZERO
            }
        }
        ("blank", Given::Blanks(parts)) => {
            let keys: Vec<Vec<String>> = q
                .answer
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|k| {
                            k.as_str()
                                .unwrap_or("")
                                .split('|')
                                .map(|s| s.trim().to_string())
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            if keys.is_empty() {
                return Some(Decimal::ZERO);
            }
            let right = keys
                .iter()
                .zip(parts)
                .filter(|(alts, given)| alts.iter().any(|a| a == given.trim()))
                .count();
            // Each blank carries an equal share of the question's points.
            full * Decimal::from(right) / Decimal::from(keys.len())
        }
        _ => Decimal::ZERO,
    })
}

fn key_letters(answer: &serde_json::Value) -> Vec<usize> {
    answer
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_uppercase())
        .map(|c| (c as u8 - b'A') as usize)
        .collect()
}

/// One student's graded paper.
#[derive(Debug, Clone)]
pub struct Graded {
    pub id: String,
    pub name: String,
    pub variant: String,
    pub row: usize,
    /// Per question in paper order: (what was given, points earned; None while a short answer is unmarked).
    pub answers: Vec<(Given, Option<Decimal>)>,
    pub parts: Vec<Decimal>,
    pub total: Decimal,
}

pub struct Grading {
    pub students: Vec<Graded>,
    /// Bad cells scored as wrong under --lenient.
    pub warnings: Vec<Diagnostic>,
}

pub struct Options {
    pub lenient: bool,
}

fn variant_of<'m>(manifest: &'m Manifest, label: &str) -> Option<&'m VariantRecord> {
    manifest
        .variants
        .iter()
        .find(|v| v.label.eq_ignore_ascii_case(label))
}

/// Reads a responses table: `id`, optional `variant`, and one column per question number.
pub fn grade(
    manifest: &Manifest,
    responses: &Path,
    manual: Option<&Path>,
    options: &Options,
) -> Result<Grading> {
    let rows = crate::input::tables::read_rows(responses)?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(Error::input(format!(
            "the responses file {} is empty",
            responses.display()
        )));
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{FEFF}').to_lowercase())
        .collect();
    let id_col = header.iter().position(|h| ["id", "学号", "准考证号", "考号"].contains(&h.as_str())).ok_or_else(|| {
        Error::diagnostics(
            format!("the responses file {} has no id column", responses.display()),
            vec![Diagnostic::error(responses, Pos::new(header_row, 1), "the header row has no `id` (学号) column")
                .with_help("the header is: id,variant,1,2,3,... (variant may be left out for batch manifests)")],
        )
    })?;
    let variant_col = header
        .iter()
        .position(|h| ["variant", "试卷类型", "卷型"].contains(&h.as_str()));
    let question_cols: Vec<(usize, usize)> = header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| h.trim().parse::<usize>().ok().map(|n| (c, n)))
        .collect();
    let manual_points = match manual {
        Some(path) => read_manual(path)?,
        None => HashMap::new(),
    };
    let rules: Vec<Rule> = manifest
        .parts
        .iter()
        .map(|p| match p.partial {
            Some(x) if p.scoring == "partial" => Rule::Partial(x),
            _ => Rule::AllOrNothing,
        })
        .collect();
    let names: HashMap<&str, (&str, &str)> = manifest
        .students
        .iter()
        .map(|s| (s.id.as_str(), (s.name.as_str(), s.variant.as_str())))
        .collect();

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut students = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        let cell = |c: usize| cells.get(c).map(|s| s.trim()).unwrap_or("");
        let id = cell(id_col).to_string();
        if id.is_empty() {
            errors.push(Diagnostic::error(
                responses,
                Pos::new(row, id_col + 1),
                format!("row {row}: the student id is empty"),
            ));
            continue;
        }
        if let Some(first) = seen.insert(id.clone(), row) {
            errors.push(Diagnostic::error(
                responses,
                Pos::new(row, id_col + 1),
                format!("row {row}: student {id} already has answers in row {first}"),
            ));
            continue;
        }
        let label = match variant_col.map(cell).filter(|v| !v.is_empty()) {
            Some(v) => v.to_string(),
            None => match names.get(id.as_str()) {
                Some((_, v)) => v.to_string(),
                None if manifest.variants.len() == 1 => manifest.variants[0].label.clone(),
                None => {
                    errors.push(Diagnostic::error(responses, Pos::new(row, 1), format!("row {row}: which variant did {id} sit?"))
                        .with_help("add a `variant` column, or grade with the manifest of the class batch that lists the students"));
                    continue;
                }
            },
        };
        let Some(variant) = variant_of(manifest, &label) else {
            errors.push(Diagnostic::error(
                responses,
                Pos::new(row, variant_col.map_or(1, |c| c + 1)),
                format!("row {row}: the manifest has no variant {label}"),
            ));
            continue;
        };
        let mut answers = Vec::new();
        let mut parts = vec![Decimal::ZERO; manifest.parts.len()];
        for q in &variant.questions {
            let col = question_cols
                .iter()
                .find(|(_, n)| *n == q.number)
                .map(|(c, _)| *c);
            let raw = col.map(cell).unwrap_or("");
            let blanks = q.answer.as_array().map_or(1, |a| a.len());
            let given = match parse_cell(&q.kind, q.option_order.len(), blanks, raw) {
                Ok(g) => g,
                Err(why) => {
                    let d = Diagnostic::error(
                        responses,
                        Pos::new(row, col.map_or(1, |c| c + 1)),
                        format!("row {row}, question {}: {why}", q.number),
                    );
                    if options.lenient {
                        warnings.push(Diagnostic {
                            severity: crate::diag::Severity::Warning,
                            ..d.with_help("scored as wrong (--lenient)")
                        });
                        Given::Empty
                    } else {
                        errors.push(d);
                        continue;
                    }
                }
            };
            let earned = match score(q, rules[q.part - 1], &given) {
                Some(points) => Some(points),
                None => manual_points
                    .get(&(id.clone(), q.number))
                    .map(|p| (*p).min(q.points).max(Decimal::ZERO)),
            };
            parts[q.part - 1] += earned.unwrap_or(Decimal::ZERO);
            answers.push((given, earned));
        }
        let total = parts.iter().sum();
        let name = names.get(id.as_str()).map_or("", |(n, _)| *n).to_string();
        students.push(Graded {
            id,
            name,
            variant: variant.label.clone(),
            row,
            answers,
            parts,
            total,
        });
    }
    if !errors.is_empty() {
        return Err(Error::diagnostics(
            format!(
                "{} bad cell(s) or row(s) in {}; nothing was graded (use --lenient to score bad cells as wrong)",
                errors.len(),
                responses.display()
            ),
            errors,
        ));
    }
    if students.is_empty() {
        return Err(Error::input(format!(
            "{} has no students' answers",
            responses.display()
        )));
    }
    Ok(Grading { students, warnings })
}

/// Hand-marked short answers: `id` and one column per question number with the points awarded.
fn read_manual(path: &Path) -> Result<HashMap<(String, usize), Decimal>> {
    let rows = crate::input::tables::read_rows(path)?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, c)| c.iter().any(|x| !x.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Ok(HashMap::new());
    };
    let numbers: Vec<Option<usize>> = header.iter().map(|h| h.trim().parse().ok()).collect();
    let mut out = HashMap::new();
    let mut errors = Vec::new();
    for (row, cells) in rows {
        let id = cells
            .first()
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        for (c, value) in cells.iter().enumerate().skip(1) {
            let (Some(Some(n)), false) = (numbers.get(c), value.trim().is_empty()) else {
                continue;
            };
            match Decimal::from_str(value.trim()) {
                Ok(p) if p >= Decimal::ZERO => {
                    out.insert((id.clone(), *n), p);
                }
                _ => errors.push(Diagnostic::error(
                    path,
                    Pos::new(row, c + 1),
                    format!(
                        "row {row}, question {n}: `{}` is not a number of points",
                        value.trim()
                    ),
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::diagnostics(
            format!("{} has bad marks", path.display()),
            errors,
        ))
    }
}

/// Competition ranking (1, 2, 2, 4) by total, highest first; ties keep roster order.
pub fn ranks(students: &[Graded]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..students.len()).collect();
    order.sort_by(|a, b| students[*b].total.cmp(&students[*a].total).then(a.cmp(b)));
    let mut rank = vec![0; students.len()];
    for (pos, &i) in order.iter().enumerate() {
        rank[i] = if pos > 0 && students[order[pos - 1]].total == students[i].total {
            rank[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    rank
}

/// Per bank question, across variants.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub section: String,
    /// Students who had it.
    pub n: usize,
    /// Share with full credit.
    pub facility: f64,
    /// Share of points earned.
    pub mean_score: f64,
    /// Full-credit share in the top 27% minus the bottom 27% by total.
    pub discrimination: f64,
    /// Times each original option (bank order, A = first) was chosen.
    pub option_counts: Vec<usize>,
    /// Original indices of the correct options.
    pub correct: Vec<usize>,
    pub flags: Vec<&'static str>,
    /// Whether it is still awaiting hand marking for some student.
    pub unmarked: usize,
}

pub fn item_analysis(manifest: &Manifest, grading: &Grading) -> Vec<Item> {
    let students = &grading.students;
    let mut by_total: Vec<usize> = (0..students.len()).collect();
    by_total.sort_by(|a, b| students[*b].total.cmp(&students[*a].total).then(a.cmp(b)));
    let group = ((students.len() as f64 * 0.27).round() as usize)
        .max(1)
        .min(students.len());
    let upper: Vec<usize> = by_total[..group].to_vec();
    let lower: Vec<usize> = by_total[students.len() - group..].to_vec();

    // Per bank id: per student index, (earned, max, given printed letters mapped to original).
    struct Acc {
        kind: String,
        section: String,
        options: usize,
        correct: Vec<usize>,
        seen: BTreeMap<usize, (Option<Decimal>, Decimal, Vec<usize>)>,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for (si, s) in students.iter().enumerate() {
        let Some(variant) = variant_of(manifest, &s.variant) else {
            continue;
        };
        for (q, (given, earned)) in variant.questions.iter().zip(&s.answers) {
            let original =
                |printed: &usize| q.option_order.get(*printed).copied().unwrap_or(*printed);
            let entry = acc.entry(q.id.clone()).or_insert_with(|| Acc {
                kind: q.kind.clone(),
                section: q.section.clone(),
                options: q.option_order.len(),
                correct: key_letters(&q.answer).iter().map(original).collect(),
                seen: BTreeMap::new(),
            });
            let chosen = match given {
                Given::Letters(v) => v.iter().map(original).collect(),
                _ => Vec::new(),
            };
            entry.seen.insert(si, (*earned, q.points, chosen));
        }
    }
    let mut items: Vec<Item> = acc
        .into_iter()
        .map(|(id, a)| {
            let n = a.seen.len();
            let full = |si: &usize| {
                a.seen
                    .get(si)
                    .is_some_and(|(e, max, _)| e.is_some_and(|e| e == *max))
            };
            let share = |group: &[usize]| {
                let had: Vec<&usize> = group.iter().filter(|s| a.seen.contains_key(s)).collect();
                if had.is_empty() {
                    0.0
                } else {
                    had.iter().filter(|s| full(s)).count() as f64 / had.len() as f64
                }
            };
            let marked: Vec<_> = a.seen.values().filter(|(e, _, _)| e.is_some()).collect();
            let facility = if marked.is_empty() {
                0.0
            } else {
                marked.iter().filter(|(e, max, _)| *e == Some(*max)).count() as f64
                    / marked.len() as f64
            };
            let earned: Decimal = marked
                .iter()
                .map(|(e, _, _)| e.unwrap_or(Decimal::ZERO))
                .sum();
            let possible: Decimal = marked.iter().map(|(_, max, _)| *max).sum();
            let mean_score = if possible.is_zero() {
                0.0
            } else {
                (earned / possible).to_f64().unwrap_or(0.0)
            };
            let mut option_counts = vec![0; a.options];
            for (_, _, chosen) in a.seen.values() {
                for o in chosen {
                    if let Some(c) = option_counts.get_mut(*o) {
                        *c += 1;
                    }
                }
            }
            let discrimination = share(&upper) - share(&lower);
            let mut flags = Vec::new();
            if !marked.is_empty() {
                if facility > 0.9 {
                    flags.push("too easy");
                }
                if facility < 0.3 {
                    flags.push("too hard");
                }
                if discrimination < 0.0 && students.len() >= 5 {
                    flags.push("negative discrimination");
                }
            }
            Item {
                id,
                kind: a.kind,
                section: a.section,
                n,
                facility,
                mean_score,
                discrimination,
                option_counts,
                correct: a.correct,
                flags,
                unmarked: n - marked.len(),
            }
        })
        .collect();
    items.sort_by(|a, b| {
        a.facility
            .partial_cmp(&b.facility)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.id.cmp(&b.id))
    });
    items
}

/// Class average per bank section, as a share of the points available there.
pub fn section_averages(manifest: &Manifest, grading: &Grading) -> Vec<(String, f64)> {
    let mut sums: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for s in &grading.students {
        let Some(variant) = variant_of(manifest, &s.variant) else {
            continue;
        };
        for (q, (_, earned)) in variant.questions.iter().zip(&s.answers) {
            let Some(e) = earned else { continue };
            if !order.contains(&q.section) {
                order.push(q.section.clone());
            }
            let entry = sums.entry(q.section.clone()).or_default();
            entry.0 += *e;
            entry.1 += q.points;
        }
    }
    order
        .into_iter()
        .map(|s| {
            let (e, p) = sums[&s];
            let share = if p.is_zero() {
                0.0
            } else {
                (e / p).to_f64().unwrap_or(0.0)
            };
            (s, share)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: &str, answer: serde_json::Value, points: i64) -> QuestionRecord {
        QuestionRecord {
            number: 1,
            id: "q".into(),
            part: 1,
            kind: kind.into(),
            section: "s".into(),
            points: Decimal::from(points),
            option_order: vec![0, 1, 2, 3, 4],
            answer,
        }
    }

    #[test]
    fn multiple_choice_follows_the_exam_rule() {
        let key = q("multiple", "ACD".into(), 2);
        let rule = Rule::Partial(Decimal::new(5, 1));
        let cases = [
            ("A", "0.5"),
            ("AC", "1.0"),
            ("ACD", "2"),
            ("AB", "0"),
            ("", "0"),
            ("a c d", "2"),
            ("C,A", "1.0"),
            ("ＡＣ", "1.0"),
        ];
        for (given, want) in cases {
            let g = parse_cell("multiple", 5, 1, given).unwrap();
            assert_eq!(
                score(&key, rule, &g),
                Some(Decimal::from_str(want).unwrap()),
                "{given}"
            );
        }
        let g = parse_cell("multiple", 5, 1, "AC").unwrap();
        assert_eq!(score(&key, Rule::AllOrNothing, &g), Some(Decimal::ZERO));
    }

    #[test]
    fn single_judge_and_blank_scoring() {
        let single = q("single", "C".into(), 1);
        assert_eq!(
            score(
                &single,
                Rule::AllOrNothing,
                &parse_cell("single", 4, 1, "c").unwrap()
            ),
            Some(Decimal::ONE)
        );
        assert!(parse_cell("single", 4, 1, "AC").is_err());
        assert!(parse_cell("single", 4, 1, "E").is_err());
        let judge = q("judge", true.into(), 1);
        for (cell, want) in [
            ("对", 1),
            ("√", 1),
            ("T", 1),
            ("1", 1),
            ("错", 0),
            ("×", 0),
            ("F", 0),
        ] {
            assert_eq!(
                score(
                    &judge,
                    Rule::AllOrNothing,
                    &parse_cell("judge", 0, 1, cell).unwrap()
                ),
                Some(Decimal::from(want)),
                "{cell}"
            );
        }
        assert!(parse_cell("judge", 0, 1, "maybe").is_err());
        let blank = q("blank", serde_json::json!(["18", "2025|二〇二五"]), 2);
        assert_eq!(
            score(
                &blank,
                Rule::AllOrNothing,
                &parse_cell("blank", 0, 2, "18；二〇二五").unwrap()
            ),
            Some(Decimal::from(2))
        );
        assert_eq!(
            score(
                &blank,
                Rule::AllOrNothing,
                &parse_cell("blank", 0, 2, "18;2030").unwrap()
            ),
            Some(Decimal::ONE)
        );
        assert_eq!(
            score(
                &q("short", "x".into(), 5),
                Rule::AllOrNothing,
                &Given::Text("x".into())
            ),
            None
        );
    }
}
