//! `examgen grade` as a job: grades a class against its manifest and writes scores.csv, items.csv,
//! graded.json, sections.csv, manual.csv and report.pdf, each as soon as it is made, or explains one
//! student's paper question by question.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::exam::grade::{self, Grading, Item, Options};
use crate::input::bank::{Bank, QuestionType};
use crate::input::manifest::Manifest;
use crate::model::paper::points_text;
use crate::model::report::{explain, option_summary, report_data, section_title};
use crate::render::layout::PageSetup;
use crate::render::{Template, Typesetter};
use crate::util::fs::StagedRun;

/// The pass mark in points: `60` is points, `60%` a share of `total` (full-width `６０％` too). A mark
/// above the total would fail the whole class, so it is refused.
pub fn pass_mark(spec: Option<&str>, total: Decimal) -> Result<Decimal> {
    let written = spec.unwrap_or("60%").trim();
    let spec = crate::exam::grade::fold(written);
    let parsed = match spec.strip_suffix('%') {
        Some(p) => Decimal::from_str(p)
            .ok()
            .filter(|p| *p <= Decimal::from(100))
            .map(|p| total * p / Decimal::from(100)),
        None => Decimal::from_str(&spec).ok(),
    };
    let mark = parsed.filter(|p| *p >= Decimal::ZERO).ok_or_else(|| {
        Error::usage(format!(
            "--pass {written}: give points (60) or a share of the total (60%)"
        ))
    })?;
    if mark > total {
        return Err(Error::usage(format!(
            "--pass {written}: the paper has only {} points, so nobody could pass",
            points_text(total)
        ))
        .because(format!(
            "give at most {} points, or a share such as 60%",
            points_text(total)
        )));
    }
    Ok(mark)
}

/// What to grade and how: the command line's `grade` arguments, without the command line.
pub struct GradeRequest<'a> {
    pub manifest: &'a Path,
    pub responses: &'a Path,
    pub out: &'a Path,
    pub lenient: bool,
    pub pass: Option<&'a str>,
    pub manual: Option<&'a Path>,
    /// Folder whose report.hbs overrides the built-in one (`--templates`).
    pub templates: Option<&'a Path>,
}

/// A finished grading: the files written and the one-line summary for the teacher.
pub struct Graded {
    /// In the order they are listed to the teacher.
    pub files: Vec<PathBuf>,
    pub summary: String,
    /// Warnings about the responses (bad cells under `--lenient`, absent students, ...).
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// What the run decided on its own that the teacher should know (which marks file it read).
    pub notes: Vec<String>,
}

/// One student's paper, question by question (`--explain ID`).
pub fn explain_student(
    req: &GradeRequest,
    id: &str,
) -> Result<(String, Vec<crate::diag::Diagnostic>)> {
    let manifest = Manifest::read(req.manifest)?;
    let grading = grading(req, &manifest)?;
    let student = grading
        .students
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| {
            Error::input(format!(
                "{} has no answers of student {id}",
                req.responses.display()
            ))
        })?;
    Ok((explain(&manifest, student), grading.warnings.clone()))
}

/// The hand marks to read: `--manual`, else the manual.csv an earlier run left in the output folder (the
/// teacher may have filled it in, so it is read, never overwritten).
fn manual_marks(req: &GradeRequest) -> Option<PathBuf> {
    req.manual.map(Path::to_path_buf).or_else(|| {
        let earlier = req.out.join("manual.csv");
        earlier.is_file().then_some(earlier)
    })
}

fn grading(req: &GradeRequest, manifest: &Manifest) -> Result<Grading> {
    grade::grade(
        manifest,
        req.responses,
        manual_marks(req).as_deref(),
        &Options {
            lenient: req.lenient,
        },
    )
}

/// Grades the class and writes every output file into `out` as soon as it is made (graded.json student by
/// student), so no file is held in memory beside the class; `out` moves them into place once all are made.
pub fn run(req: &GradeRequest, out: &StagedRun, err: &mut dyn Write) -> Result<Graded> {
    let manifest = Manifest::read(req.manifest)?;
    let total = manifest.total_points;
    // A bad --pass is found before the class is graded, not after.
    let mark = pass_mark(req.pass, total)?;
    let grading = grading(req, &manifest)?;
    let bank = load_bank_for(&manifest, req.manifest, err);
    let manual = manual_marks(req);
    let mut notes = Vec::new();
    if req.manual.is_none()
        && let Some(path) = &manual
    {
        notes.push(format!(
            "note: read the hand marks in {} (left by an earlier run; it is never overwritten)",
            path.display()
        ));
    }
    let ranks = grade::ranks(&grading.students);
    let items = grade::item_analysis(&manifest, &grading);
    let mut sections = grade::section_averages(&manifest, &grading);
    if let Some(bank) = &bank {
        // Bank order, so the chart reads like the syllabus.
        sections.sort_by_key(|(id, _)| bank.section_index(id).unwrap_or(usize::MAX));
    }

    let write = |name: &str, bytes: &[u8]| -> Result<PathBuf> {
        let path = req.out.join(name);
        out.write(&path, bytes)?;
        Ok(path)
    };
    let mut files: Vec<PathBuf> = vec![
        write("scores.csv", &scores_csv(&manifest, &grading, &ranks, mark))?,
        write("items.csv", &items_csv(&items))?,
        // What review-book and calibrate read: the manifest graded against, and every answer as scored.
        write_graded_json(req, out, &manifest, &grading, &ranks, mark)?,
        write("sections.csv", &sections_csv(&sections, bank.as_ref()))?,
    ];
    let short_numbers: Vec<usize> = manifest.variants[0]
        .questions
        .iter()
        .filter(|q| q.kind() == QuestionType::Short)
        .map(|q| q.number)
        .collect();
    if !short_numbers.is_empty() && manual.is_none() {
        files.push(write("manual.csv", &manual_csv(&short_numbers, &grading))?);
    }

    let data = report_data(
        &manifest,
        &grading,
        &ranks,
        &items,
        &sections,
        mark,
        bank.as_ref(),
    );
    let summary = format!(
        "{} students, mean {} of {}, {} passed (mark {}); {} question(s) flagged{}",
        grading.students.len(),
        data.mean,
        points_text(total),
        data.passed,
        data.pass_mark,
        data.flagged.len(),
        if short_numbers.is_empty() || manual.is_some() {
            String::new()
        } else {
            format!(
                "; short answers unmarked: fill in {} and run the same command again",
                req.out.join("manual.csv").display()
            )
        }
    );
    let templates = report_templates(req, &manifest);
    // The report needs only its data: the class's answers, the manifest and the bank are let go before it
    // is laid out, so that a large class's answers and its report (each tens of MB at 10,000 students) are
    // never held together.
    let Grading { students, warnings } = grading;
    drop((students, manifest, bank));
    crate::util::memory::release_freed();
    files.push(write(
        "report.pdf",
        &report_pdf(templates.as_deref(), &data)?,
    )?);
    Ok(Graded {
        files,
        summary,
        warnings,
        notes,
    })
}

/// Writes graded.json into `out` as it is made, student by student (76 MB of text for 10,000 students of 80
/// questions, never held); its path.
fn write_graded_json(
    req: &GradeRequest,
    out: &StagedRun,
    manifest: &Manifest,
    grading: &Grading,
    ranks: &[usize],
    mark: Decimal,
) -> Result<PathBuf> {
    let path = req.out.join(crate::input::graded::GRADED_FILE);
    let failed = |e: std::io::Error| Error::output("write", &path, e);
    let mut file = std::io::BufWriter::with_capacity(1 << 16, out.create(&path)?);
    crate::workflow::graded::write_record(
        &mut file,
        req.manifest,
        req.responses,
        manifest,
        grading,
        ranks,
        mark,
    )
    .map_err(failed)?;
    let file = file.into_inner().map_err(|e| failed(e.into_error()))?;
    out.close(&path, file)?;
    Ok(path)
}

/// The folder whose report.hbs the report uses: `--templates`, else the blueprint's templates (None: the
/// built-in one).
fn report_templates(req: &GradeRequest, manifest: &Manifest) -> Option<PathBuf> {
    match req.templates {
        Some(dir) => Some(dir.to_path_buf()),
        None => blueprint_templates(manifest, req.manifest),
    }
}

/// The class report, with report.hbs from `templates` or the built-in one.
fn report_pdf(
    templates: Option<&Path>,
    data: &crate::model::report::ReportData,
) -> Result<Vec<u8>> {
    let fonts = crate::render::fonts::FontSet::builtin();
    let typeset = Typesetter::new(&fonts, templates, PageSetup::a4())?;
    Ok(crate::render::single_pdf(&typeset, Template::Report, data)?.1)
}

/// Each bank section's class average, with the section's title when the bank is at hand.
fn sections_csv(sections: &[(String, f64)], bank: Option<&Bank>) -> Vec<u8> {
    let mut rows = vec![vec![
        "section".to_string(),
        "title".into(),
        "average".into(),
    ]];
    for (id, share) in sections {
        rows.push(vec![
            id.clone(),
            section_title(bank, id),
            format!("{share:.3}"),
        ]);
    }
    crate::util::csv::write_csv(&rows)
}

/// The form for hand marks: a row per student, an empty cell per short answer.
fn manual_csv(short_numbers: &[usize], grading: &Grading) -> Vec<u8> {
    let mut rows = vec![
        std::iter::once("id".to_string())
            .chain(short_numbers.iter().map(|n| n.to_string()))
            .collect::<Vec<_>>(),
    ];
    for s in &grading.students {
        rows.push(
            std::iter::once(s.id.clone())
                .chain(short_numbers.iter().map(|_| String::new()))
                .collect(),
        );
    }
    crate::util::csv::write_csv(&rows)
}

/// The `templates:` folder of the blueprint the papers were made from, so the report looks like the
/// papers; skipped if the blueprint is gone.
fn blueprint_templates(manifest: &Manifest, manifest_path: &Path) -> Option<PathBuf> {
    crate::workflow::blueprint_for(manifest, manifest_path)?.templates
}

/// The bank the papers came from, for stems in the report; a missing or changed bank only costs the stems.
fn load_bank_for(manifest: &Manifest, manifest_path: &Path, err: &mut dyn Write) -> Option<Bank> {
    let as_written = PathBuf::from(&manifest.bank.path);
    let beside = manifest_path.parent().map(|p| p.join(&manifest.bank.path));
    let path = [Some(as_written), beside]
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())?;
    match Bank::load(&path) {
        Ok(bank) => {
            if bank.digest != manifest.bank.digest {
                let _ = writeln!(
                    err,
                    "warning: the bank {} changed since the papers were made; stems in the report are today's",
                    path.display()
                );
            }
            Some(bank)
        }
        Err(_) => None,
    }
}

fn scores_csv(manifest: &Manifest, grading: &Grading, ranks: &[usize], mark: Decimal) -> Vec<u8> {
    let mut header = vec!["id".to_string(), "name".into(), "variant".into()];
    header.extend(manifest.parts.iter().map(|p| p.title.clone()));
    header.extend(["total".to_string(), "rank".into(), "pass".into()]);
    let mut rows = vec![header];
    for (s, rank) in grading.students.iter().zip(ranks) {
        let mut row = vec![s.id.clone(), s.name.clone(), s.variant.clone()];
        row.extend(s.parts.iter().map(|p| points_text(*p)));
        row.extend([
            points_text(s.total),
            rank.to_string(),
            if s.total >= mark {
                "yes".into()
            } else {
                "no".into()
            },
        ]);
        rows.push(row);
    }
    crate::util::csv::write_csv(&rows)
}

fn items_csv(items: &[Item]) -> Vec<u8> {
    let mut rows = vec![
        [
            "id",
            "type",
            "section",
            "n",
            "facility",
            "mean_score",
            "discrimination",
            "options",
            "flags",
            "unmarked",
        ]
        .map(str::to_string)
        .to_vec(),
    ];
    for i in items {
        rows.push(vec![
            i.id.clone(),
            i.kind.name().to_string(),
            i.section.clone(),
            i.n.to_string(),
            format!("{:.3}", i.facility),
            format!("{:.3}", i.mean_score),
            format!("{:.3}", i.discrimination),
            option_summary(i),
            i.flags
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join("; "),
            i.unmarked.to_string(),
        ]);
    }
    crate::util::csv::write_csv(&rows)
}
