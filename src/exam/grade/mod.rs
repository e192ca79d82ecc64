//! Grading: reads the class's responses against a manifest, scores them exactly (the exam's partial-credit
//! rule for multiple choice), and analyses every item: facility, discrimination, option counts, flags.

mod analysis;
mod cells;
mod responses;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Pos, Severity};
use crate::error::{Error, Result};
use crate::input::bank::{Answer, QuestionType};
use crate::input::blueprint::Scoring;
use crate::input::manifest::{Manifest, QuestionRecord, VariantRecord};

pub use analysis::{Item, item_analysis, ranks, section_averages};
pub use cells::{Given, fold, parse_cell};
pub use responses::{IdMatch, match_id, question_number};

/// Points earned for `given` on question `q` under its part's `scoring`. Short answers return None (marked
/// by hand).
pub fn score(q: &QuestionRecord, scoring: Scoring, given: &Given) -> Option<Decimal> {
    let full = q.points;
    Some(match (&q.answer, given) {
        (Answer::Short(_), _) => return None,
        (_, Given::Empty) => Decimal::ZERO,
        (Answer::Single(key), Given::Letters(v)) => {
            if v[..] == [*key] {
                full
            } else {
                Decimal::ZERO
            }
        }
        (Answer::Multiple(key), Given::Letters(v)) => {
            if v.is_empty() || v.iter().any(|l| !key.contains(l)) {
                Decimal::ZERO
            } else if v.len() == key.len() {
                full
            } else {
                match scoring {
                    Scoring::Partial(each) => (each * Decimal::from(v.len())).min(full),
                    Scoring::AllOrNothing => Decimal::ZERO,
                }
            }
        }
        (Answer::Judge(key), Given::Judge(b)) => {
            if key == b {
                full
            } else {
                Decimal::ZERO
            }
        }
        (Answer::Blank(keys), Given::Blanks(parts)) => {
            if keys.is_empty() {
                return Some(Decimal::ZERO);
            }
            // Compared folded: `１８` = `18`, `共建 共治` = `共建共治`, `18。` = `18`.
            let right = keys
                .iter()
                .zip(parts)
                .filter(|(alts, given)| {
                    !given.trim().is_empty() && alts.iter().any(|a| fold(a) == fold(given))
                })
                .count();
            // Each blank carries an equal share of the question's points.
            full * Decimal::from(right) / Decimal::from(keys.len())
        }
        _ => Decimal::ZERO,
    })
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

/// An error, or under `--lenient` a warning: what the teacher asked for when the file has problems.
fn report(
    d: Diagnostic,
    lenient: bool,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    if lenient {
        warnings.push(Diagnostic {
            severity: Severity::Warning,
            ..d
        });
    } else {
        errors.push(d);
    }
}

/// A choice question's cell holding `?` (or full-width `？`): what `examgen scan` writes where a person
/// must look. Blank and short answers keep `?` as text.
fn is_doubtful(kind: QuestionType, raw: &str) -> bool {
    matches!(
        kind,
        QuestionType::Single | QuestionType::Multiple | QuestionType::Judge
    ) && matches!(raw.trim(), "?" | "？")
}

/// Reads a responses table — `id`, optional `variant` and `姓名`, one column per question — and grades it.
/// With a class batch's manifest every row must be a student of the class on the variant the manifest
/// gave them; students without a row are reported. Short answers take their points from `manual`.
pub fn grade(
    manifest: &Manifest,
    responses: &Path,
    manual: Option<&Path>,
    options: &Options,
) -> Result<Grading> {
    let lenient = options.lenient;
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
    let mut warnings = Vec::new();
    let numbers: BTreeSet<usize> = manifest
        .variants
        .iter()
        .flat_map(|v| v.questions.iter().map(|q| q.number))
        .collect();
    let columns = responses::read_header(
        responses,
        header_row,
        &header,
        &numbers,
        lenient,
        &mut warnings,
    )?;
    let batch = !manifest.students.is_empty();
    let class_ids = || manifest.students.iter().map(|s| s.id.as_str());

    let mut errors = Vec::new();
    // Errors --lenient would turn into warnings, so the message offers the flag only when it helps.
    let mut lenient_fixes = 0usize;
    let mut students = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        let cell = |c: usize| cells.get(c).map(|s| s.trim()).unwrap_or("");
        let id_at = Pos::new(row, columns.id + 1);
        let typed = cell(columns.id);
        if typed.is_empty() {
            errors.push(Diagnostic::error(
                responses,
                id_at,
                format!("row {row}: the student id is empty"),
            ));
            continue;
        }
        if typed.contains(['?', '？']) {
            // examgen scan writes `?` in a 准考证号 column it could not read: whose paper this is stays
            // a person's decision, never a guess.
            let d = Diagnostic::error(
                responses,
                id_at,
                format!(
                    "row {row}: the id {typed} is doubtful (`?`: a 准考证号 column with no mark, two marks or a light one)"
                ),
            )
            .with_help(
                "look at the sheet (review.pdf and scan-report.csv from examgen scan) and type the id; --lenient leaves the row out",
            );
            lenient_fixes += usize::from(!lenient);
            report(d, lenient, &mut errors, &mut warnings);
            continue;
        }
        let id = if batch {
            match match_id(typed, class_ids()) {
                IdMatch::Exact => typed.to_string(),
                IdMatch::Padded(full) => {
                    warnings.push(Diagnostic::warning(responses, id_at, format!("row {row}: id {typed} read as student {full} (Excel drops leading zeros)"))
                        .with_help("format the id column as text in Excel to keep the zeros"));
                    full
                }
                IdMatch::Ambiguous(fits) => {
                    errors.push(
                        Diagnostic::error(
                            responses,
                            id_at,
                            format!("row {row}: id {typed} could be any of {}", fits.join(", ")),
                        )
                        .with_help("type the id in full, with its leading zeros"),
                    );
                    continue;
                }
                IdMatch::Unknown => {
                    let d = Diagnostic::error(
                        responses,
                        id_at,
                        format!(
                            "row {row}: {typed} is not a student of the class batch ({} students in the manifest)",
                            manifest.students.len()
                        ),
                    )
                    .with_help("check the id against the roster the papers were printed for; --lenient grades the row anyway when it names its variant, else leaves it out");
                    let graded_anyway =
                        lenient && columns.variant.is_some_and(|c| !cell(c).is_empty());
                    lenient_fixes += usize::from(!lenient);
                    report(d, lenient, &mut errors, &mut warnings);
                    if !graded_anyway {
                        continue;
                    }
                    typed.to_string()
                }
            }
        } else {
            typed.to_string()
        };
        if let Some(&first) = seen.get(&id) {
            // The same student twice (a sheet scanned twice, or two sheets with one id): never both.
            let d = Diagnostic::error(
                responses,
                id_at,
                format!("row {row}: student {id} already has answers in row {first}"),
            );
            if !lenient {
                errors.push(d.with_help(format!(
                    "keep one row per student: delete row {first} or row {row} (scan-report.csv names the pages); --lenient grades the later row"
                )));
                lenient_fixes += 1;
                continue;
            }
            report(
                d.with_help(format!(
                    "graded from row {row}, the later one; row {first} left out"
                )),
                lenient,
                &mut errors,
                &mut warnings,
            );
            students.retain(|s: &Graded| s.id != id);
        }
        seen.insert(id.clone(), row);
        let student = manifest.students.iter().find(|s| s.id == id);
        let stated = columns.variant.map(cell).filter(|v| !v.is_empty());
        let label = match (student, stated) {
            (Some(s), Some(v)) if !v.eq_ignore_ascii_case(&s.variant) => {
                let d = Diagnostic::error(
                    responses,
                    Pos::new(row, columns.variant.map_or(1, |c| c + 1)),
                    format!(
                        "row {row}: {id} {} sat variant {} by the batch manifest, but the row says {v}",
                        s.name, s.variant
                    ),
                )
                .with_help(format!(
                    "correct the cell or leave the variant column empty; --lenient grades variant {}",
                    s.variant
                ));
                lenient_fixes += usize::from(!lenient);
                report(d, lenient, &mut errors, &mut warnings);
                if !lenient {
                    continue;
                }
                s.variant.clone()
            }
            (Some(s), _) => s.variant.clone(),
            (None, Some(v)) => v.to_string(),
            (None, None) if manifest.variants.len() == 1 => manifest.variants[0].label.clone(),
            (None, None) => {
                errors.push(Diagnostic::error(responses, Pos::new(row, 1), format!("row {row}: which variant did {id} sit?"))
                    .with_help("add a `variant` column, or grade with the manifest of the class batch that lists the students"));
                continue;
            }
        };
        let Some(variant) = variant_of(manifest, &label) else {
            errors.push(Diagnostic::error(
                responses,
                Pos::new(row, columns.variant.map_or(1, |c| c + 1)),
                format!("row {row}: the manifest has no variant {label}"),
            ));
            continue;
        };
        let mut answers = Vec::new();
        let mut bad_row = false;
        for q in &variant.questions {
            let col = columns.questions.get(&q.number).copied();
            let raw = col.map(cell).unwrap_or("");
            let blanks = match &q.answer {
                Answer::Blank(keys) => keys.len(),
                _ => 1,
            };
            if is_doubtful(q.kind(), raw) {
                // The scanner could not decide: unanswered, and nobody's score is final until a person looks.
                let d = Diagnostic::error(
                    responses,
                    Pos::new(row, col.map_or(1, |c| c + 1)),
                    format!("row {row}, question {}: `?` — a doubtful mark", q.number),
                );
                bad_row |= !lenient;
                lenient_fixes += usize::from(!lenient);
                report(
                    d.with_help(
                        "look at the sheet (review.pdf from examgen scan; the note column has the best reading) and write the answer, or --lenient scores it as unanswered",
                    ),
                    lenient,
                    &mut errors,
                    &mut warnings,
                );
                answers.push((Given::Empty, Some(Decimal::ZERO)));
                continue;
            }
            let given = match parse_cell(q.kind(), q.option_order.len(), blanks, raw) {
                Ok(g) => g,
                Err(why) => {
                    let d = Diagnostic::error(
                        responses,
                        Pos::new(row, col.map_or(1, |c| c + 1)),
                        format!("row {row}, question {}: {why}", q.number),
                    );
                    bad_row |= !lenient;
                    lenient_fixes += usize::from(!lenient);
                    report(
                        d.with_help("correct the cell; --lenient scores it as wrong"),
                        lenient,
                        &mut errors,
                        &mut warnings,
                    );
                    Given::Empty
                }
            };
            let earned = score(q, manifest.parts[q.part - 1].scoring, &given);
            answers.push((given, earned));
        }
        if bad_row {
            continue;
        }
        let name = student
            .map(|s| s.name.clone())
            .filter(|n| !n.is_empty())
            .or_else(|| columns.name.map(|c| cell(c).to_string()))
            .unwrap_or_default();
        students.push(Graded {
            id,
            name,
            variant: variant.label.clone(),
            row,
            answers,
            parts: Vec::new(),
            total: Decimal::ZERO,
        });
    }
    if batch {
        let absent: Vec<String> = manifest
            .students
            .iter()
            .filter(|s| !seen.contains_key(&s.id))
            .map(|s| format!("{} {}", s.id, s.name).trim().to_string())
            .collect();
        if !absent.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    responses,
                    Pos::new(header_row, columns.id + 1),
                    format!(
                        "{} student(s) of the class have no answer row: {}",
                        absent.len(),
                        absent.join(", ")
                    ),
                )
                .with_help(
                    "absent students are left out of the ranking; add their rows to grade them",
                ),
            );
        }
    }
    if !errors.is_empty() {
        let advice = if lenient_fixes == errors.len() {
            "; correct them, or --lenient grades anyway (each problem says how)"
        } else if lenient_fixes > 0 {
            "; correct them (--lenient settles only some of them: each problem says which)"
        } else {
            "; correct them"
        };
        return Err(Error::diagnostics(
            format!(
                "{} bad cell(s) or row(s) in {}; nothing was graded{advice}",
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
    let marks = match manual {
        Some(path) => {
            let ids: Vec<String> = students.iter().map(|s| s.id.clone()).collect();
            let short: BTreeSet<usize> = manifest
                .variants
                .iter()
                .flat_map(|v| v.questions.iter())
                .filter(|q| q.kind() == QuestionType::Short)
                .map(|q| q.number)
                .collect();
            responses::read_manual(path, &ids, &short, &mut warnings)?
        }
        None => HashMap::new(),
    };
    for s in &mut students {
        let Some(variant) = variant_of(manifest, &s.variant) else {
            continue;
        };
        let mut parts = vec![Decimal::ZERO; manifest.parts.len()];
        for (q, (_, earned)) in variant.questions.iter().zip(&mut s.answers) {
            if q.kind() == QuestionType::Short {
                *earned = marks
                    .get(&(s.id.clone(), q.number))
                    .map(|p| (*p).min(q.points).max(Decimal::ZERO));
            }
            parts[q.part - 1] += earned.unwrap_or(Decimal::ZERO);
        }
        s.total = parts.iter().sum();
        s.parts = parts;
    }
    Ok(Grading { students, warnings })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn q(answer: Answer, points: i64) -> QuestionRecord {
        QuestionRecord {
            number: 1,
            id: "q".into(),
            part: 1,
            section: "s".into(),
            points: Decimal::from(points),
            option_order: vec![0, 1, 2, 3, 4],
            answer,
        }
    }

    #[test]
    fn multiple_choice_follows_the_exam_rule() {
        let key = q(Answer::Multiple(vec![0, 2, 3]), 2);
        let rule = Scoring::Partial(Decimal::new(5, 1));
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
            let g = parse_cell(QuestionType::Multiple, 5, 1, given).unwrap();
            assert_eq!(
                score(&key, rule, &g),
                Some(Decimal::from_str(want).unwrap()),
                "{given}"
            );
        }
        let g = parse_cell(QuestionType::Multiple, 5, 1, "AC").unwrap();
        assert_eq!(score(&key, Scoring::AllOrNothing, &g), Some(Decimal::ZERO));
    }

    #[test]
    fn single_judge_and_blank_scoring() {
        let single = q(Answer::Single(2), 1);
        assert_eq!(
            score(
                &single,
                Scoring::AllOrNothing,
                &parse_cell(QuestionType::Single, 4, 1, "c").unwrap()
            ),
            Some(Decimal::ONE)
        );
        assert!(parse_cell(QuestionType::Single, 4, 1, "AC").is_err());
        assert!(parse_cell(QuestionType::Single, 4, 1, "E").is_err());
        let judge = q(Answer::Judge(true), 1);
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
                    Scoring::AllOrNothing,
                    &parse_cell(QuestionType::Judge, 0, 1, cell).unwrap()
                ),
                Some(Decimal::from(want)),
                "{cell}"
            );
        }
        assert!(parse_cell(QuestionType::Judge, 0, 1, "maybe").is_err());
        let blank = q(
            Answer::Blank(vec![
                vec!["18".into()],
                vec!["2025".into(), "二〇二五".into()],
            ]),
            2,
        );
        assert_eq!(
            score(
                &blank,
                Scoring::AllOrNothing,
                &parse_cell(QuestionType::Blank, 0, 2, "18；二〇二五").unwrap()
            ),
            Some(Decimal::from(2))
        );
        assert_eq!(
            score(
                &blank,
                Scoring::AllOrNothing,
                &parse_cell(QuestionType::Blank, 0, 2, "18;2030").unwrap()
            ),
            Some(Decimal::ONE)
        );
        assert_eq!(
            score(
                &q(Answer::Short("x".into()), 5),
                Scoring::AllOrNothing,
                &Given::Text("x".into())
            ),
            None
        );
    }
}
