//! The rows of a responses table, one student each: whose row it is (id, batch roster, duplicates), which
//! variant they sat, and their answers read cell by cell — with every problem reported at its cell, as an
//! error or, under `--lenient`, a warning saying what was done instead.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::responses::Header;
use super::{
    Given, Graded, IdMatch, Lookup, MISSING_PAGE, is_doubtful, match_id, number_runs, parse_cell,
    score,
};
use crate::diag::{Diagnostic, Pos, Severity};
use crate::input::bank::Answer;
use crate::input::manifest::{Manifest, StudentRecord, VariantRecord};
use crate::input::tables::{EXCEL_TEXT_IDS, restore_number};

/// What reading the rows found wrong.
pub(super) struct Findings {
    pub lenient: bool,
    pub errors: Vec<Diagnostic>,
    /// Problems `--lenient` settled, and facts the teacher should know (ids Excel cut short, absent students).
    pub warnings: Vec<Diagnostic>,
    /// Errors --lenient would turn into warnings, so the message offers the flag only when it helps.
    pub lenient_fixes: usize,
}

impl Findings {
    /// A problem `--lenient` settles: an error, or under `--lenient` a warning.
    fn settled_by_lenient(&mut self, d: Diagnostic) {
        if self.lenient {
            self.warnings.push(Diagnostic {
                severity: Severity::Warning,
                ..d
            });
        } else {
            self.lenient_fixes += 1;
            self.errors.push(d);
        }
    }
}

/// Reads the rows of one responses table into graded students.
pub(super) struct RowReader<'a> {
    pub manifest: &'a Manifest,
    pub lookup: &'a Lookup<'a>,
    pub responses: &'a Path,
    pub columns: &'a Header,
    pub findings: Findings,
    /// Student id → the row their answers came from.
    pub seen: HashMap<String, usize>,
    pub students: Vec<Graded>,
}

/// A cell's text, trimmed; a row shorter than the header has empty cells.
fn cell(cells: &[String], column: usize) -> &str {
    cells.get(column).map(|s| s.trim()).unwrap_or("")
}

impl<'a> RowReader<'a> {
    /// Grades one row, or reports why it cannot be.
    pub fn read(&mut self, row: usize, cells: &[String]) {
        let Some(id) = self.student_id(row, cells) else {
            return;
        };
        if !self.once_per_student(row, &id) {
            return;
        }
        self.seen.insert(id.clone(), row);
        let student = self.lookup.student(&id);
        let Some(variant) = self.variant(row, &id, student, cells) else {
            return;
        };
        let Some(answers) = self.answers(row, variant, cells) else {
            return;
        };
        let name = student
            .map(|s| s.name.clone())
            .filter(|n| !n.is_empty())
            .or_else(|| self.columns.name.map(|c| cell(cells, c).to_string()))
            .unwrap_or_default();
        self.students.push(Graded {
            id,
            name,
            variant: variant.label.clone(),
            row,
            answers,
            parts: Vec::new(),
            total: Decimal::ZERO,
        });
    }

    /// Whose row this is: the id as typed, or a batch student's id it stands for. None: the row is left out.
    fn student_id(&mut self, row: usize, cells: &[String]) -> Option<String> {
        let responses = self.responses;
        let id_at = Pos::new(row, self.columns.id + 1);
        let typed = cell(cells, self.columns.id);
        if typed.is_empty() {
            self.findings.errors.push(Diagnostic::error(
                responses,
                id_at,
                format!("row {row}: the student id is empty"),
            ));
            return None;
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
            .with_help(if self.findings.lenient {
                "left out of the grading: look at the sheet (review.pdf and scan-report.csv from examgen scan) and type the id to grade it"
            } else {
                "look at the sheet (review.pdf and scan-report.csv from examgen scan) and type the id; --lenient leaves the row out"
            });
            self.findings.settled_by_lenient(d);
            return None;
        }
        let matched = if self.manifest.students.is_empty() {
            // No roster to check the id against: as typed, or the whole number Excel showed for it.
            match restore_number(typed) {
                Ok(Some(whole)) => IdMatch::Scientific(whole),
                Ok(None) => IdMatch::Exact,
                Err(why) => IdMatch::Rounded(why),
            }
        } else if self.lookup.student(typed).is_some() {
            IdMatch::Exact
        } else {
            // Not a student's id as typed: Excel may have cut its leading zeros or shown it in scientific
            // notation (searched only then).
            match_id(typed, self.manifest.students.iter().map(|s| s.id.as_str()))
        };
        match matched {
            IdMatch::Exact => Some(typed.to_string()),
            IdMatch::Padded(full) => {
                self.findings.warnings.push(Diagnostic::warning(responses, id_at, format!("row {row}: id {typed} read as student {full} (Excel drops leading zeros)"))
                    .with_help("format the id column as text in Excel to keep the zeros"));
                Some(full)
            }
            IdMatch::Ambiguous(fits) => {
                self.findings.errors.push(
                    Diagnostic::error(
                        responses,
                        id_at,
                        format!("row {row}: id {typed} could be any of {}", fits.join(", ")),
                    )
                    .with_help("type the id in full, with its leading zeros"),
                );
                None
            }
            IdMatch::Scientific(full) => {
                self.findings.warnings.push(
                    Diagnostic::warning(
                        responses,
                        id_at,
                        format!("row {row}: id {typed} read as student {full} (Excel showed it in scientific notation)"),
                    )
                    .with_help(EXCEL_TEXT_IDS),
                );
                Some(full)
            }
            IdMatch::Rounded(why) => {
                let d = Diagnostic::error(responses, id_at, format!("row {row}: the id {why}"));
                self.findings.settled_by_lenient(d.with_help(if self.findings.lenient {
                    "left out of the grading: type the id from the sheet to grade it"
                } else {
                    "type the id from the sheet (in Excel, format the id column as 文本 first); --lenient leaves the row out"
                }));
                None
            }
            IdMatch::Unknown => {
                let d = Diagnostic::error(
                    responses,
                    id_at,
                    format!(
                        "row {row}: {typed} is not a student of the class batch ({} students in the manifest)",
                        self.manifest.students.len()
                    ),
                );
                let names_variant = self
                    .columns
                    .variant
                    .is_some_and(|c| !cell(cells, c).is_empty());
                let graded_anyway = self.findings.lenient && names_variant;
                let d = d.with_help(match (self.findings.lenient, graded_anyway) {
                    (false, _) => "check the id against the roster the papers were printed for; --lenient grades the row anyway when it names its variant, else leaves it out",
                    (true, true) => "graded anyway, as the variant its row names; check the id against the roster the papers were printed for",
                    (true, false) => "left out of the grading: its row names no variant; check the id against the roster the papers were printed for",
                });
                self.findings.settled_by_lenient(d);
                graded_anyway.then(|| typed.to_string())
            }
        }
    }

    /// The same student twice (a sheet scanned twice, or two sheets with one id): never both. Under
    /// `--lenient` the later row replaces the earlier; false: this row is left out.
    fn once_per_student(&mut self, row: usize, id: &str) -> bool {
        let Some(&first) = self.seen.get(id) else {
            return true;
        };
        let d = Diagnostic::error(
            self.responses,
            Pos::new(row, self.columns.id + 1),
            format!("row {row}: student {id} already has answers in row {first}"),
        );
        if !self.findings.lenient {
            self.findings.settled_by_lenient(d.with_help(format!(
                "keep one row per student: delete row {first} or row {row} (scan-report.csv names the pages); --lenient grades the later row"
            )));
            return false;
        }
        self.findings.settled_by_lenient(d.with_help(format!(
            "graded from row {row}, the later one; row {first} left out"
        )));
        self.students.retain(|s| s.id != id);
        true
    }

    /// The variant the row's student sat: the batch manifest's word for its students, else the row's
    /// `variant` cell, else the exam's only variant.
    fn variant(
        &mut self,
        row: usize,
        id: &str,
        student: Option<&StudentRecord>,
        cells: &[String],
    ) -> Option<&'a VariantRecord> {
        let responses = self.responses;
        let variant_at = Pos::new(row, self.columns.variant.map_or(1, |c| c + 1));
        // Read after NFKC, as the answers are: a teacher's input method types `Ａ` for A.
        let stated = self
            .columns
            .variant
            .map(|c| super::cells::nfkc(cell(cells, c)).trim().to_string())
            .filter(|v| !v.is_empty());
        let label = match (student, stated) {
            (Some(s), Some(v)) if !v.eq_ignore_ascii_case(&s.variant) => {
                let d = Diagnostic::error(
                    responses,
                    variant_at,
                    format!(
                        "row {row}: {id} {} sat variant {} by the batch manifest, but the row says {v}",
                        s.name, s.variant
                    ),
                )
                .with_help(format!(
                    "correct the cell or leave the variant column empty; --lenient grades variant {}",
                    s.variant
                ));
                self.findings.settled_by_lenient(d);
                if !self.findings.lenient {
                    return None;
                }
                s.variant.clone()
            }
            (Some(s), _) => s.variant.clone(),
            (None, Some(v)) => v.to_string(),
            (None, None) if self.manifest.variants.len() == 1 => {
                self.manifest.variants[0].label.clone()
            }
            (None, None) => {
                self.findings.errors.push(Diagnostic::error(responses, Pos::new(row, 1), format!("row {row}: which variant did {id} sit?"))
                    .with_help("add a `variant` column, or grade with the manifest of the class batch that lists the students"));
                return None;
            }
        };
        let variant = self.lookup.variant(&label);
        if variant.is_none() {
            self.findings.errors.push(Diagnostic::error(
                responses,
                variant_at,
                format!("row {row}: the manifest has no variant {label}"),
            ));
        }
        variant
    }

    /// The row's answers, each with the points it earned (None: a short answer, marked by hand). None: a
    /// cell is bad and `--lenient` was not given, so the row is not graded.
    fn answers(
        &mut self,
        row: usize,
        variant: &VariantRecord,
        cells: &[String],
    ) -> Option<Vec<(Given, Option<Decimal>)>> {
        let lenient = self.findings.lenient;
        // Exactly as many as the questions: a class's answers are most of what grading holds.
        let mut answers = Vec::with_capacity(variant.questions.len());
        let mut bad_row = false;
        // Questions on a page of the answer sheet that was never scanned, and the first one's cell.
        let mut unscanned: Vec<u32> = Vec::new();
        let mut unscanned_at = None;
        for q in &variant.questions {
            let col = self.columns.questions.get(&q.number).copied();
            let at = Pos::new(row, col.map_or(1, |c| c + 1));
            let raw = col.map_or("", |c| cell(cells, c));
            let blanks = match &q.answer {
                Answer::Blank(keys) => keys.len(),
                _ => 1,
            };
            if raw == MISSING_PAGE {
                // Not a blank answer: the student's page never reached the scanner.
                unscanned.push(q.number as u32);
                unscanned_at.get_or_insert(at);
                bad_row |= !lenient;
                answers.push((Given::Empty, Some(Decimal::ZERO)));
                continue;
            }
            if is_doubtful(q.kind(), raw) {
                // The scanner could not decide: unanswered, and nobody's score is final until a person looks.
                let d = Diagnostic::error(
                    self.responses,
                    at,
                    format!("row {row}, question {}: `?` — a doubtful mark", q.number),
                );
                bad_row |= !lenient;
                self.findings.settled_by_lenient(d.with_help(
                    "look at the sheet (review.pdf from examgen scan; the note column has the best reading) and write the answer, or --lenient scores it as unanswered",
                ));
                answers.push((Given::Empty, Some(Decimal::ZERO)));
                continue;
            }
            let given = match parse_cell(q.kind(), q.option_order.len(), blanks, raw) {
                Ok(g) => g,
                Err(why) => {
                    let d = Diagnostic::error(
                        self.responses,
                        at,
                        format!("row {row}, question {}: {why}", q.number),
                    );
                    bad_row |= !lenient;
                    self.findings.settled_by_lenient(
                        d.with_help("correct the cell; --lenient scores it as wrong"),
                    );
                    Given::Empty
                }
            };
            let earned = score(&q, self.manifest.parts[q.part - 1].scoring, &given);
            answers.push((given, earned));
        }
        if let Some(at) = unscanned_at {
            let d = Diagnostic::error(
                self.responses,
                at,
                format!(
                    "row {row}: questions {} are `{MISSING_PAGE}` — their page of the answer sheet was not scanned",
                    number_runs(&unscanned)
                ),
            );
            self.findings.settled_by_lenient(d.with_help(if lenient {
                "scored as unanswered: scan the page with the student's other pages (examgen scan) or type its answers to grade them"
            } else {
                "scan the page with the student's other pages (examgen scan, scan-report.csv names it) or type its answers; --lenient scores them as unanswered"
            }));
        }
        (!bad_row).then_some(answers)
    }
}
