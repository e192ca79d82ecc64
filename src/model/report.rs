//! The grade report's data (what report.hbs sees) and the one-student explanation text.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::exam::grade::{Graded, Grading, Item};
use crate::input::bank::{Answer, Bank, letter};
use crate::input::manifest::Manifest;
use crate::model::paper::points_text;

#[derive(Serialize)]
pub struct ReportData {
    pub title: String,
    pub total_points: String,
    pub count: usize,
    pub mean: String,
    pub median: String,
    pub highest: String,
    pub lowest: String,
    pub pass_mark: String,
    pub passed: usize,
    pub pass_rate: String,
    pub histogram: Vec<Bar>,
    pub sections: Vec<SectionBar>,
    pub students: Vec<Row>,
    pub flagged: Vec<Flagged>,
}

#[derive(Serialize)]
pub struct Bar {
    pub label: String,
    pub value: usize,
}

#[derive(Serialize)]
pub struct SectionBar {
    pub label: String,
    pub title: String,
    pub value: String,
}

#[derive(Serialize)]
pub struct Row {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub variant: String,
    pub total: String,
    pub pass: String,
}

#[derive(Serialize)]
pub struct Flagged {
    pub id: String,
    pub type_name: String,
    pub section: String,
    pub facility: String,
    pub discrimination: String,
    pub flags: String,
    pub options: String,
    pub stem: String,
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub fn section_title(bank: Option<&Bank>, id: &str) -> String {
    bank.and_then(|b| b.section_index(id).map(|i| b.sections[i].title.clone()))
        .unwrap_or_default()
}
pub fn option_summary(item: &Item) -> String {
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

// Seven parameters: grading's results (grading, ranks, items, section shares) are computed by
// workflow/grade.rs in separate steps that other reports reuse; one struct of them belongs with the
// typed manifest and job list of #27, which reshape that caller.
#[allow(clippy::too_many_arguments)]
pub fn report_data(
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
    let histogram = histogram(&totals, total);
    let passed = grading.students.iter().filter(|s| s.total >= mark).count();
    let students = student_rows(grading, ranks, mark);
    let flagged = flagged_items(items, bank);
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

/// Students per tenth of the total score, 0–9 … 90–100.
fn histogram(totals: &[Decimal], total: Decimal) -> Vec<Bar> {
    let mut histogram: Vec<Bar> = (0..10)
        .map(|b| Bar {
            label: format!("{}–{}", b * 10, if b == 9 { 100 } else { b * 10 + 9 }),
            value: 0,
        })
        .collect();
    for t in totals {
        let share: f64 = if total.is_zero() {
            0.0
        } else {
            (*t / total).to_f64().unwrap_or(0.0)
        };
        histogram[((share * 10.0).floor() as usize).min(9)].value += 1;
    }
    histogram
}

/// The class list by rank.
fn student_rows(grading: &Grading, ranks: &[usize], mark: Decimal) -> Vec<Row> {
    let mut order: Vec<usize> = (0..grading.students.len()).collect();
    order.sort_by_key(|i| (ranks[*i], *i));
    order
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
        .collect()
}

/// Items that item analysis flags (too easy, too hard, negative discrimination), with their stems.
fn flagged_items(items: &[Item], bank: Option<&Bank>) -> Vec<Flagged> {
    items
        .iter()
        .filter(|i| !i.flags.is_empty())
        .map(|i| Flagged {
            id: i.id.clone(),
            type_name: i.kind.chinese_name().to_string(),
            section: Some(section_title(bank, &i.section))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| i.section.clone()),
            facility: percent(i.facility),
            discrimination: format!("{:.2}", i.discrimination),
            flags: i
                .flags
                .iter()
                .map(|f| f.chinese_name())
                .collect::<Vec<_>>()
                .join("、"),
            options: if i.option_counts.is_empty() {
                String::new()
            } else {
                option_summary(i).replace(':', " ")
            },
            stem: bank
                .and_then(|b| b.question(&i.id))
                .map_or(String::new(), |q| q.stem.text_without_images()),
        })
        .collect()
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
            Answer::Judge(true) => "√".to_string(),
            Answer::Judge(false) => "×".to_string(),
            Answer::Blank(blanks) => blanks
                .iter()
                .map(|alternatives| alternatives.join("|"))
                .collect::<Vec<_>>()
                .join("；"),
            Answer::Single(_) | Answer::Multiple(_) => {
                q.key_letters().iter().map(|i| letter(*i)).collect()
            }
            Answer::Short(s) => s.lines().next().unwrap_or("").chars().take(12).collect(),
        };
        let points = match earned {
            Some(e) => format!("{}/{}", points_text(*e), points_text(q.points)),
            None => format!("?/{}", points_text(q.points)),
        };
        let answer: String = given.show().chars().take(12).collect();
        out.push_str(&format!(
            "{:>4}  {:<14} {:<9} {:<12} {:<12} {:>6}\n",
            q.number,
            q.id,
            q.kind().name(),
            answer,
            key,
            points
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
