//! Item analysis of a graded class: ranks, per-question facility, discrimination and option counts, and
//! class averages per bank section.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{Given, Graded, Grading, variant_of};
use crate::input::bank::QuestionType;
use crate::input::manifest::Manifest;

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

/// What the item analysis flags a question for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Flag {
    /// Facility over 0.9.
    #[serde(rename = "too easy")]
    TooEasy,
    /// Facility under 0.3.
    #[serde(rename = "too hard")]
    TooHard,
    /// The weaker students did better than the stronger: often a wrong key.
    #[serde(rename = "negative discrimination")]
    NegativeDiscrimination,
}

impl Flag {
    /// As items.csv writes it.
    pub fn name(self) -> &'static str {
        match self {
            Flag::TooEasy => "too easy",
            Flag::TooHard => "too hard",
            Flag::NegativeDiscrimination => "negative discrimination",
        }
    }

    /// As the class report prints it.
    pub fn chinese_name(self) -> &'static str {
        match self {
            Flag::TooEasy => "过易",
            Flag::TooHard => "过难",
            Flag::NegativeDiscrimination => "负区分",
        }
    }
}

/// Per bank question, across variants.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
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
    pub flags: Vec<Flag>,
    /// Whether it is still awaiting hand marking for some student.
    pub unmarked: usize,
}

/// One bank question's answers across the class: per student index, (earned, max, the options chosen
/// in bank order).
struct Answered {
    kind: QuestionType,
    section: String,
    options: usize,
    correct: Vec<usize>,
    seen: BTreeMap<usize, (Option<Decimal>, Decimal, Vec<usize>)>,
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
    let mut items: Vec<Item> = answered(manifest, students)
        .into_iter()
        .map(|(id, a)| item(id, a, &upper, &lower, students.len()))
        .collect();
    items.sort_by(|a, b| {
        a.facility
            .partial_cmp(&b.facility)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.id.cmp(&b.id))
    });
    items
}

/// Every bank question's answers, by bank id: the variants' printed options mapped back to bank order.
fn answered(manifest: &Manifest, students: &[Graded]) -> BTreeMap<String, Answered> {
    let mut acc: BTreeMap<String, Answered> = BTreeMap::new();
    for (si, s) in students.iter().enumerate() {
        let Some(variant) = variant_of(manifest, &s.variant) else {
            continue;
        };
        for (q, (given, earned)) in variant.questions.iter().zip(&s.answers) {
            let original =
                |printed: &usize| q.option_order.get(*printed).copied().unwrap_or(*printed);
            let entry = acc.entry(q.id.clone()).or_insert_with(|| Answered {
                kind: q.kind(),
                section: q.section.clone(),
                options: q.option_order.len(),
                correct: q.key_letters().iter().map(original).collect(),
                seen: BTreeMap::new(),
            });
            let chosen = match given {
                Given::Letters(v) => v.iter().map(original).collect(),
                _ => Vec::new(),
            };
            entry.seen.insert(si, (*earned, q.points, chosen));
        }
    }
    acc
}

/// One question's figures: facility and mean score over the marked answers, discrimination between the
/// `upper` and `lower` groups of the class (`class_size` students), option counts and flags.
fn item(id: String, a: Answered, upper: &[usize], lower: &[usize], class_size: usize) -> Item {
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
        marked.iter().filter(|(e, max, _)| *e == Some(*max)).count() as f64 / marked.len() as f64
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
    let discrimination = share(upper) - share(lower);
    let mut flags = Vec::new();
    if !marked.is_empty() {
        if facility > 0.9 {
            flags.push(Flag::TooEasy);
        }
        if facility < 0.3 {
            flags.push(Flag::TooHard);
        }
        if discrimination < 0.0 && class_size >= 5 {
            flags.push(Flag::NegativeDiscrimination);
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
