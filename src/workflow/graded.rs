//! A class's grading as `grade` records it (graded.json) and back: what review-book and calibrate start from.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::exam::grade::{Given, Graded, Grading, Letters};
use crate::input::bank::QuestionType;
use crate::input::graded::{AnswerResult, GRADED_FORMAT, GradedRecord, ManifestRef, StudentResult};
use crate::input::manifest::{Manifest, slash_path};

/// Writes graded.json for a finished grading to `out`: a [`GradedRecord`] as it serializes, made student
/// by student as it is written, so neither the record nor its text is ever held (for a class of 10,000 on
/// 80 questions the text is 76 MB).
pub fn write_record(
    out: &mut impl std::io::Write,
    manifest_path: &Path,
    responses: &Path,
    manifest: &Manifest,
    grading: &Grading,
    ranks: &[usize],
    pass_mark: Decimal,
) -> std::io::Result<()> {
    let by_label: std::collections::HashMap<&str, &crate::input::manifest::VariantRecord> =
        manifest
            .variants
            .iter()
            .rev()
            .map(|v| (v.label.as_str(), v))
            .collect();
    let view = RecordView {
        format: GRADED_FORMAT,
        tool: format!("examgen {}", env!("CARGO_PKG_VERSION")),
        manifest: ManifestRef {
            path: slash_path(manifest_path),
            draw: manifest.draw_digest(),
        },
        responses: slash_path(responses),
        total_points: manifest.total_points,
        pass_mark,
        students: StudentsView {
            grading,
            ranks,
            numbers: &|label: &str| {
                by_label
                    .get(label)
                    .map(|v| v.questions.iter().map(|q| q.number).collect())
                    .unwrap_or_default()
            },
        },
    };
    serde_json::to_writer_pretty(&mut *out, &view)?;
    out.write_all(b"\n")
}

/// [`GradedRecord`] as its fields are printed, its students made one at a time as they are written.
#[derive(serde::Serialize)]
struct RecordView<'a> {
    format: &'a str,
    tool: String,
    manifest: ManifestRef,
    responses: String,
    total_points: Decimal,
    pass_mark: Decimal,
    students: StudentsView<'a>,
}

struct StudentsView<'a> {
    grading: &'a Grading,
    ranks: &'a [usize],
    /// The printed numbers of a variant's questions, by label.
    numbers: &'a dyn Fn(&str) -> Vec<usize>,
}

impl serde::Serialize for StudentsView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(
            self.grading
                .students
                .iter()
                .zip(self.ranks)
                .map(|(student, rank)| {
                    student_result(student, *rank, (self.numbers)(&student.variant))
                }),
        )
    }
}

/// A student's result as graded.json records it; `numbers` are the printed numbers of their variant's
/// questions.
fn student_result(s: &Graded, rank: usize, numbers: Vec<usize>) -> StudentResult {
    StudentResult {
        id: s.id.clone(),
        name: s.name.clone(),
        variant: s.variant.clone(),
        total: s.total,
        rank,
        answers: s
            .answers
            .iter()
            .zip(numbers)
            .map(|((given, earned), number)| AnswerResult {
                number,
                given: given_json(given),
                earned: *earned,
            })
            .collect(),
    }
}

fn given_json(given: &Given) -> serde_json::Value {
    match given {
        Given::Empty => serde_json::Value::Null,
        Given::Letters(v) => v.to_string().into(),
        Given::Judge(b) => (*b).into(),
        Given::Blanks(v) => v[..].into(),
        Given::Text(t) => t[..].into(),
    }
}

/// The answer back, read as the question's type says (a short answer `AC` is text, not letters).
fn given_from_json(kind: QuestionType, value: &serde_json::Value) -> Option<Given> {
    use serde_json::Value;
    Some(match (kind, value) {
        (_, Value::Null) => Given::Empty,
        (QuestionType::Judge, Value::Bool(b)) => Given::Judge(*b),
        (QuestionType::Blank, Value::Array(a)) => Given::Blanks(
            a.iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        (QuestionType::Single | QuestionType::Multiple, Value::String(s))
            if s.chars().all(|c| c.is_ascii_uppercase()) =>
        {
            Given::Letters(Letters::of(s.bytes().map(|b| (b - b'A') as usize)).ok()?)
        }
        (QuestionType::Short, Value::String(s)) => Given::Text(s[..].into()),
        _ => return None,
    })
}

/// A graded class read back: the grades folder, its manifest (and where it was found), and the grading.
pub struct GradedClass {
    pub dir: PathBuf,
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
    pub record: GradedRecord,
    pub grading: Grading,
}

impl GradedClass {
    /// Reads `dir/graded.json` and its manifest (`manifest` overrides where it is looked for), checking that
    /// every student's answers fit the paper they sat.
    pub fn load(dir: &Path, manifest: Option<&Path>) -> Result<GradedClass> {
        let record = GradedRecord::read(dir)?;
        let (manifest_path, manifest) = record.manifest(dir, manifest)?;
        let file = dir.join(crate::input::graded::GRADED_FILE);
        let mut students = Vec::new();
        // By label, the first of each as a search finds it: a class with a variant per student is not
        // searched once per student.
        let mut variants = std::collections::HashMap::new();
        for v in &manifest.variants {
            variants.entry(v.label.as_str()).or_insert(v);
        }
        for (row, s) in record.students.iter().enumerate() {
            let bad = |why: String| {
                Error::input(format!(
                    "{}: student {} ({}th in the file): {why}",
                    file.display(),
                    s.id,
                    row + 1
                ))
                .because("the file was changed by hand or belongs to other papers; grade the class again")
            };
            let variant = variants
                .get(s.variant.as_str())
                .copied()
                .ok_or_else(|| bad(format!("the manifest has no variant {}", s.variant)))?;
            if variant.questions.len() != s.answers.len()
                || variant
                    .questions
                    .iter()
                    .zip(&s.answers)
                    .any(|(q, a)| q.number != a.number)
            {
                return Err(bad(format!(
                    "the answers do not match the {} questions of variant {}",
                    variant.questions.len(),
                    s.variant
                )));
            }
            let mut answers = Vec::new();
            let mut parts = vec![Decimal::ZERO; manifest.parts.len()];
            for (q, a) in variant.questions.iter().zip(&s.answers) {
                let given = given_from_json(q.kind(), &a.given)
                    .ok_or_else(|| bad(format!("question {}: unreadable answer", a.number)))?;
                if let Some(p) = parts.get_mut(q.part.saturating_sub(1)) {
                    *p += a.earned.unwrap_or(Decimal::ZERO);
                }
                answers.push((given, a.earned));
            }
            students.push(Graded {
                id: s.id.clone(),
                name: s.name.clone(),
                variant: s.variant.clone(),
                row: row + 1,
                answers,
                total: parts.iter().sum(),
                parts,
            });
        }
        if students.is_empty() {
            return Err(Error::input(format!(
                "{} holds no students",
                file.display()
            )));
        }
        Ok(GradedClass {
            dir: dir.to_path_buf(),
            manifest_path,
            manifest,
            record,
            grading: Grading {
                students,
                warnings: Vec::new(),
            },
        })
    }

    /// A student's class (from a batch manifest's roster; empty otherwise).
    pub fn class_of(&self, id: &str) -> String {
        self.manifest
            .students
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.class.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_answers_survive_the_record() {
        for (kind, given) in [
            (QuestionType::Single, Given::Empty),
            (
                QuestionType::Multiple,
                Given::Letters(Letters::of([0, 2, 3]).unwrap()),
            ),
            (QuestionType::Judge, Given::Judge(false)),
            (
                QuestionType::Blank,
                Given::Blanks(["18".into(), "".into()].into()),
            ),
            (QuestionType::Short, Given::Text("AC".into())),
        ] {
            assert_eq!(given_from_json(kind, &given_json(&given)), Some(given));
        }
        assert_eq!(given_from_json(QuestionType::Single, &"3".into()), None);
    }
}
