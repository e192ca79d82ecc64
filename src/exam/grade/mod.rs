//! Grading: reads the class's responses against a manifest, scores them exactly (the exam's partial-credit
//! rule for multiple choice), and analyses every item: facility, discrimination, option counts, flags.

mod analysis;
mod cells;
mod responses;
mod rows;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rust_decimal::Decimal;

use crate::diag::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::input::bank::{Answer, QuestionType};
use crate::input::blueprint::Scoring;
use crate::input::manifest::{Manifest, QuestionRecord, StudentRecord, VariantRecord};

pub use analysis::{Flag, Item, item_analysis, ranks, section_averages};
pub use cells::{Given, Letters, fold, parse_cell};
pub use responses::{IdMatch, match_id, question_number};
use rows::{Findings, RowReader};

/// Points earned for `given` on question `q` under its part's `scoring`. Short answers return None (marked
/// by hand).
pub fn score(q: &QuestionRecord, scoring: Scoring, given: &Given) -> Option<Decimal> {
    let full = q.points;
    Some(match (&q.answer, given) {
        (Answer::Short(_), _) => return None,
        (_, Given::Empty) => Decimal::ZERO,
        (Answer::Single(key), Given::Letters(v)) => {
            if v.len() == 1 && v.contains(*key) {
                full
            } else {
                Decimal::ZERO
            }
        }
        (Answer::Multiple(key), Given::Letters(v)) => {
            if v.is_empty() || v.iter().any(|l| !key.contains(&l)) {
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
                .zip(parts.iter())
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

/// The manifest's variants by label (ASCII case aside: a teacher types `a` for A) and its students by id,
/// indexed once: with a variant per student, searching them for every row of a class of 10,000 made grading
/// quadratic in the class.
struct Lookup<'m> {
    /// By label in lower case; the first variant of a label, as a search would find it.
    variants: HashMap<String, &'m VariantRecord>,
    students: HashMap<&'m str, &'m StudentRecord>,
}

impl<'m> Lookup<'m> {
    fn new(manifest: &'m Manifest) -> Lookup<'m> {
        let mut variants = HashMap::with_capacity(manifest.variants.len());
        for v in &manifest.variants {
            variants.entry(v.label.to_ascii_lowercase()).or_insert(v);
        }
        let mut students = HashMap::with_capacity(manifest.students.len());
        for s in &manifest.students {
            students.entry(s.id.as_str()).or_insert(s);
        }
        Lookup { variants, students }
    }

    fn variant(&self, label: &str) -> Option<&'m VariantRecord> {
        self.variants.get(&label.to_ascii_lowercase()).copied()
    }

    fn student(&self, id: &str) -> Option<&'m StudentRecord> {
        self.students.get(id).copied()
    }
}

/// What `examgen scan` writes in responses.csv in every question of an answer-sheet page that was not
/// scanned: graded as unanswered only under `--lenient`, never silently.
pub const MISSING_PAGE: &str = "缺页";

/// Question numbers as runs: `1–5, 8, 10–12`.
pub fn number_runs(numbers: &[u32]) -> String {
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        runs.push(if i == j {
            numbers[i].to_string()
        } else {
            format!("{}–{}", numbers[i], numbers[j])
        });
        i = j + 1;
    }
    runs.join(", ")
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
    // Row by row as the file is read: a class's table is never held, only the row being graded.
    let mut rows = crate::input::tables::rows(responses)?.filter(|row| {
        row.as_ref()
            .map_or(true, |(_, c)| c.iter().any(|x| !x.trim().is_empty()))
    });
    let Some((header_row, header)) = responses::header_row(&mut rows)? else {
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
    let lookup = Lookup::new(manifest);
    let mut reader = RowReader {
        manifest,
        lookup: &lookup,
        responses,
        columns: &columns,
        findings: Findings {
            lenient,
            errors: Vec::new(),
            warnings,
            lenient_fixes: 0,
        },
        seen: HashMap::new(),
        students: Vec::new(),
    };
    for row in rows {
        let (row, cells) = row?;
        reader.read(row, &cells);
    }
    let RowReader {
        findings,
        seen,
        mut students,
        ..
    } = reader;
    let Findings {
        errors,
        mut warnings,
        lenient_fixes,
        ..
    } = findings;
    if !manifest.students.is_empty() {
        warnings.extend(absent_students(
            manifest, &seen, responses, &columns, header_row,
        ));
    }
    if !errors.is_empty() {
        return Err(nothing_graded(responses, errors, lenient_fixes));
    }
    if students.is_empty() {
        return Err(Error::input(format!(
            "{} has no students' answers",
            responses.display()
        )));
    }
    let marks = match manual {
        Some(path) => hand_marks(manifest, path, &students, &mut warnings)?,
        None => HashMap::new(),
    };
    for s in &mut students {
        total_with_hand_marks(manifest, &lookup, s, &marks);
    }
    Ok(Grading { students, warnings })
}

/// The refusal when rows or cells are bad: how many, and whether `--lenient` would settle them.
fn nothing_graded(responses: &Path, errors: Vec<Diagnostic>, lenient_fixes: usize) -> Error {
    let advice = if lenient_fixes == errors.len() {
        "; correct them, or --lenient grades anyway (each problem says how)"
    } else if lenient_fixes > 0 {
        "; correct them (--lenient settles only some of them: each problem says which)"
    } else {
        "; correct them"
    };
    Error::diagnostics(
        format!(
            "{} bad cell(s) or row(s) in {}; nothing was graded{advice}",
            errors.len(),
            responses.display()
        ),
        errors,
    )
}

/// The teacher's marks for short answers (`--manual`), per (student id, question number).
fn hand_marks(
    manifest: &Manifest,
    path: &Path,
    students: &[Graded],
    warnings: &mut Vec<Diagnostic>,
) -> Result<HashMap<(String, usize), Decimal>> {
    let ids: Vec<String> = students.iter().map(|s| s.id.clone()).collect();
    let short: BTreeSet<usize> = manifest
        .variants
        .iter()
        .flat_map(|v| v.questions.iter())
        .filter(|q| q.kind() == QuestionType::Short)
        .map(|q| q.number)
        .collect();
    responses::read_manual(path, &ids, &short, warnings)
}

/// A batch's students without an answer row: left out of the ranking, and the teacher is told.
fn absent_students(
    manifest: &Manifest,
    seen: &HashMap<String, usize>,
    responses: &Path,
    columns: &responses::Header,
    header_row: usize,
) -> Option<Diagnostic> {
    let absent: Vec<String> = manifest
        .students
        .iter()
        .filter(|s| !seen.contains_key(&s.id))
        .map(|s| format!("{} {}", s.id, s.name).trim().to_string())
        .collect();
    if absent.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            responses,
            Pos::new(header_row, columns.id + 1),
            format!(
                "{} student(s) of the class have no answer row: {}",
                absent.len(),
                absent.join(", ")
            ),
        )
        .with_help("absent students are left out of the ranking; add their rows to grade them"),
    )
}

/// A student's short answers take their hand marks (at most the question's points); then part scores and
/// the total are summed.
fn total_with_hand_marks(
    manifest: &Manifest,
    lookup: &Lookup,
    s: &mut Graded,
    marks: &HashMap<(String, usize), Decimal>,
) {
    let Some(variant) = lookup.variant(&s.variant) else {
        return;
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
    fn the_lookup_finds_what_a_search_found() {
        let json = r#"{"format":"examgen-manifest/1","tool":"examgen 0.1.0","bank":{"path":"b","digest":"d"},"blueprint":{"path":"p","digest":"d","title":"t"},"seed":1,"distinct":false,"parts":[],"total_points":"0","variants":[{"label":"A","total_points":"1","questions":[]},{"label":"AB","total_points":"2","questions":[]},{"label":"ab","total_points":"3","questions":[]}],"students":[{"id":"007","name":"甲","variant":"A"},{"id":"7","name":"乙","variant":"AB"},{"id":"007","name":"丙","variant":"ab"}]}"#;
        let m: Manifest = serde_json::from_str(json).unwrap();
        let lookup = Lookup::new(&m);
        // Labels as a teacher types them, the first variant of a label as a search in order finds it.
        let points = |label: &str| lookup.variant(label).map(|v| v.total_points);
        assert_eq!(points("a"), Some(Decimal::ONE));
        assert_eq!(points("Ab"), Some(Decimal::TWO));
        assert_eq!(points("B"), None);
        // Ids exactly as written (Excel's cut zeros are matched elsewhere), the first student of an id.
        assert_eq!(lookup.student("007").map(|s| s.name.as_str()), Some("甲"));
        assert_eq!(lookup.student("7").map(|s| s.name.as_str()), Some("乙"));
        assert!(lookup.student("07").is_none());
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
