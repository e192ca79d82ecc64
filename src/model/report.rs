//! `examgen grade`: writes scores.csv, items.csv, sections.csv, manual.csv and report.pdf from a grading,
//! or explains one student's paper question by question.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::exam::grade::{self, Graded, Grading, Item, Options};
use crate::input::bank::{Bank, QuestionType};
use crate::input::manifest::Manifest;
use crate::model::paper::points_text;
use crate::render::Renderer;
use crate::render::layout::PageSetup;

pub struct GradeArgs<'a> {
    pub manifest: &'a Path,
    pub responses: &'a Path,
    pub out: &'a Path,
    pub lenient: bool,
    pub pass: Option<&'a str>,
    pub manual: Option<&'a Path>,
    pub explain: Option<&'a str>,
}

#[derive(Serialize)]
struct ReportData {
    title: String,
    total_points: String,
    count: usize,
    mean: String,
    median: String,
    highest: String,
    lowest: String,
    pass_mark: String,
    passed: usize,
    pass_rate: String,
    histogram: Vec<Bar>,
    sections: Vec<SectionBar>,
    students: Vec<Row>,
    flagged: Vec<Flagged>,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    value: usize,
}

#[derive(Serialize)]
struct SectionBar {
    label: String,
    title: String,
    value: String,
}

#[derive(Serialize)]
struct Row {
    rank: usize,
    id: String,
    name: String,
    variant: String,
    total: String,
    pass: String,
}

#[derive(Serialize)]
struct Flagged {
    id: String,
    type_name: String,
    section: String,
    facility: String,
    discrimination: String,
    flags: String,
    options: String,
    stem: String,
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The pass mark in points: `60` is points, `60%` a share of `total`.
pub fn pass_mark(spec: Option<&str>, total: Decimal) -> Result<Decimal> {
    let spec = spec.unwrap_or("60%").trim();
    let parsed = match spec.strip_suffix('%') {
        Some(p) => Decimal::from_str(p.trim())
            .ok()
            .map(|p| total * p / Decimal::from(100)),
        None => Decimal::from_str(spec).ok(),
    };
    parsed.filter(|p| *p >= Decimal::ZERO).ok_or_else(|| {
        Error::usage(format!(
            "--pass {spec}: give points (60) or a share of the total (60%)"
        ))
    })
}

pub fn run(args: &GradeArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let manifest = Manifest::read(args.manifest)?;
    let grading = grade::grade(
        &manifest,
        args.responses,
        args.manual,
        &Options {
            lenient: args.lenient,
        },
    )?;
    if !grading.warnings.is_empty() {
        let _ = writeln!(err, "{}", crate::diag::render_all(&grading.warnings));
    }
    let fail = |e: std::io::Error| Error::internal("cannot write the output").because(e);
    if let Some(id) = args.explain {
        let student = grading
            .students
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| {
                Error::input(format!(
                    "{} has no answers of student {id}",
                    args.responses.display()
                ))
            })?;
        return out
            .write_all(explain(&manifest, student).as_bytes())
            .map_err(fail);
    }
    let bank = load_bank_for(&manifest, args.manifest, err);
    let total = manifest.total_points;
    let mark = pass_mark(args.pass, total)?;
    let ranks = grade::ranks(&grading.students);
    let items = grade::item_analysis(&manifest, &grading);
    let mut sections = grade::section_averages(&manifest, &grading);
    if let Some(bank) = &bank {
        // Bank order, so the chart reads like the syllabus.
        sections.sort_by_key(|(id, _)| bank.section_index(id).unwrap_or(usize::MAX));
    }

    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    files.push((
        args.out.join("scores.csv"),
        scores_csv(&manifest, &grading, &ranks, mark),
    ));
    files.push((args.out.join("items.csv"), items_csv(&items)));
    let mut section_rows = vec![vec![
        "section".to_string(),
        "title".into(),
        "average".into(),
    ]];
    for (id, share) in &sections {
        section_rows.push(vec![
            id.clone(),
            section_title(bank.as_ref(), id),
            format!("{share:.3}"),
        ]);
    }
    files.push((
        args.out.join("sections.csv"),
        grade::write_csv(&section_rows),
    ));
    let short_numbers: Vec<usize> = manifest.variants[0]
        .questions
        .iter()
        .filter(|q| q.kind == "short")
        .map(|q| q.number)
        .collect();
    if !short_numbers.is_empty() && args.manual.is_none() {
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
        files.push((args.out.join("manual.csv"), grade::write_csv(&rows)));
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
    let fonts = crate::render::fonts::FontSet::builtin();
    let renderer = Renderer::new(&fonts, None, PageSetup::a4())?;
    let report = renderer.render("report", &data)?;
    files.push((args.out.join("report.pdf"), report.pdf));
    for (path, bytes) in &files {
        crate::render::pdf::write_atomically(path, bytes)?;
    }
    for (path, _) in &files {
        writeln!(out, "wrote {}", path.display()).map_err(fail)?;
    }
    writeln!(
        out,
        "{} students, mean {} of {}, {} passed (mark {}); {} question(s) flagged{}",
        grading.students.len(),
        data.mean,
        points_text(total),
        data.passed,
        data.pass_mark,
        data.flagged.len(),
        if short_numbers.is_empty() || args.manual.is_some() {
            String::new()
        } else {
            format!(
                "; short answers unmarked: fill in {} and rerun with --manual",
                args.out.join("manual.csv").display()
            )
        }
    )
    .map_err(fail)
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

fn section_title(bank: Option<&Bank>, id: &str) -> String {
    bank.and_then(|b| b.section_index(id).map(|i| b.sections[i].title.clone()))
        .unwrap_or_default()
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
    grade::write_csv(&rows)
}

fn option_summary(item: &Item) -> String {
    item.option_counts
        .iter()
        .enumerate()
        .map(|(o, n)| {
            format!(
                "{}:{n}{}",
                crate::input::bank::letter(o),
                if item.correct.contains(&o) { "√" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
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
            i.kind.clone(),
            i.section.clone(),
            i.n.to_string(),
            format!("{:.3}", i.facility),
            format!("{:.3}", i.mean_score),
            format!("{:.3}", i.discrimination),
            option_summary(i),
            i.flags.join("; "),
            i.unmarked.to_string(),
        ]);
    }
    grade::write_csv(&rows)
}

fn report_data(
    manifest: &Manifest,
    grading: &Grading,
    ranks: &[usize],
    items: &[Item],
    sections: &[(String, f64)],
    mark: Decimal,
    bank: Option<&Bank>,
) -> ReportData {
    let total = manifest.total_points;
    let mut totals: Vec<Decimal> = grading.students.iter().map(|s| s.total).collect();
    totals.sort();
    let n = totals.len();
    let mean = totals.iter().sum::<Decimal>() / Decimal::from(n.max(1));
    let median = if n % 2 == 1 {
        totals[n / 2]
    } else {
        (totals[n / 2 - 1] + totals[n / 2]) / Decimal::TWO
    };
    let mut histogram: Vec<Bar> = (0..10)
        .map(|b| Bar {
            label: format!("{}–{}", b * 10, if b == 9 { 100 } else { b * 10 + 9 }),
            value: 0,
        })
        .collect();
    for t in &totals {
        let share: f64 = if total.is_zero() {
            0.0
        } else {
            (*t / total).to_string().parse().unwrap_or(0.0)
        };
        histogram[((share * 10.0).floor() as usize).min(9)].value += 1;
    }
    let passed = grading.students.iter().filter(|s| s.total >= mark).count();
    let mut order: Vec<usize> = (0..grading.students.len()).collect();
    order.sort_by_key(|i| (ranks[*i], *i));
    let students = order
        .iter()
        .map(|&i| {
            let s: &Graded = &grading.students[i];
            Row {
                rank: ranks[i],
                id: s.id.clone(),
                name: s.name.clone(),
                variant: s.variant.clone(),
                total: points_text(s.total),
                pass: if s.total >= mark {
                    "是".into()
                } else {
                    "否".into()
                },
            }
        })
        .collect();
    let flagged = items
        .iter()
        .filter(|i| !i.flags.is_empty())
        .map(|i| Flagged {
            id: i.id.clone(),
            type_name: QuestionType::ALL
                .iter()
                .find(|t| t.name() == i.kind)
                .map_or(i.kind.clone(), |t| t.chinese_name().to_string()),
            section: Some(section_title(bank, &i.section))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| i.section.clone()),
            facility: percent(i.facility),
            discrimination: format!("{:.2}", i.discrimination),
            flags: i
                .flags
                .iter()
                .map(|f| match *f {
                    "too easy" => "过易",
                    "too hard" => "过难",
                    _ => "负区分",
                })
                .collect::<Vec<_>>()
                .join("、"),
            options: if i.option_counts.is_empty() {
                String::new()
            } else {
                option_summary(i).replace(':', " ")
            },
            stem: bank
                .and_then(|b| b.question(&i.id))
                .map_or(String::new(), |q| q.stem.clone()),
        })
        .collect();
    let round = |d: Decimal| points_text(d.round_dp(1));
    ReportData {
        title: manifest.blueprint.title.clone(),
        total_points: points_text(total),
        count: n,
        mean: round(mean),
        median: round(median),
        highest: round(*totals.last().unwrap_or(&Decimal::ZERO)),
        lowest: round(*totals.first().unwrap_or(&Decimal::ZERO)),
        pass_mark: round(mark),
        passed,
        pass_rate: percent(passed as f64 / n.max(1) as f64),
        histogram,
        sections: sections
            .iter()
            .map(|(id, share)| SectionBar {
                label: id.clone(),
                title: section_title(bank, id),
                value: format!("{:.0}", share * 100.0),
            })
            .collect(),
        students,
        flagged,
    }
}

/// One student's paper, question by question, for checking a disputed score by hand.
pub fn explain(manifest: &Manifest, student: &Graded) -> String {
    let mut out = format!(
        "{} {}  variant {}  total {} of {}\n",
        student.id,
        student.name,
        student.variant,
        points_text(student.total),
        points_text(manifest.total_points)
    );
    out.push_str(&format!(
        "{:>4}  {:<14} {:<9} {:<12} {:<12} {:>6}\n",
        "no.", "id", "type", "answer", "key", "points"
    ));
    let Some(variant) = manifest
        .variants
        .iter()
        .find(|v| v.label == student.variant)
    else {
        return out;
    };
    for (q, (given, earned)) in variant.questions.iter().zip(&student.answers) {
        let key = match &q.answer {
            serde_json::Value::Bool(true) => "√".to_string(),
            serde_json::Value::Bool(false) => "×".to_string(),
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            serde_json::Value::String(s) => {
                s.lines().next().unwrap_or("").chars().take(12).collect()
            }
            other => other.to_string(),
        };
        let points = match earned {
            Some(e) => format!("{}/{}", points_text(*e), points_text(q.points)),
            None => format!("?/{}", points_text(q.points)),
        };
        let answer: String = given.show().chars().take(12).collect();
        out.push_str(&format!(
            "{:>4}  {:<14} {:<9} {:<12} {:<12} {:>6}\n",
            q.number, q.id, q.kind, answer, key, points
        ));
    }
    for (p, part) in manifest.parts.iter().zip(&student.parts) {
        out.push_str(&format!(
            "{}: {} of {}\n",
            p.title,
            points_text(*part),
            points_text(p.points * Decimal::from(p.count))
        ));
    }
    out
}
