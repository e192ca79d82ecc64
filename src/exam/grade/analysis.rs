//! Item analysis of a graded class: ranks, per-question facility, discrimination and option counts, and
//! class averages per bank section.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{Given, Graded, Grading, Lookup};
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

/// One bank question's answers across the class, counted as they are read (a class of 10,000 on 80
/// questions would otherwise keep 800,000 answers here).
struct Answered {
    kind: QuestionType,
    section: String,
    correct: Vec<usize>,
    /// Students who had it.
    n: usize,
    /// Answers marked (a short answer may await hand marking), those with full credit, and the points
    /// they earned of those possible.
    marked: usize,
    marked_full: usize,
    earned: Decimal,
    possible: Decimal,
    /// Per group (upper, lower): students of the group who had it, and of them those with full credit.
    groups: [(usize, usize); 2],
    /// Times each original option (bank order) was chosen.
    option_counts: Vec<usize>,
}

/// Which discrimination groups a student is in (bit 0: the upper, bit 1: the lower; a class of one is in both).
const UPPER: u8 = 1;
const LOWER: u8 = 2;

pub fn item_analysis(manifest: &Manifest, grading: &Grading) -> Vec<Item> {
    let students = &grading.students;
    let mut by_total: Vec<usize> = (0..students.len()).collect();
    by_total.sort_by(|a, b| students[*b].total.cmp(&students[*a].total).then(a.cmp(b)));
    let group = ((students.len() as f64 * 0.27).round() as usize)
        .max(1)
        .min(students.len());
    let mut groups = vec![0u8; students.len()];
    for &i in &by_total[..group] {
        groups[i] |= UPPER;
    }
    for &i in &by_total[students.len() - group..] {
        groups[i] |= LOWER;
    }
    let mut items: Vec<Item> = answered(manifest, students, &groups)
        .into_iter()
        .map(|(id, a)| item(id, a, students.len()))
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
fn answered(manifest: &Manifest, students: &[Graded], groups: &[u8]) -> BTreeMap<String, Answered> {
    let lookup = Lookup::new(manifest);
    let mut acc: BTreeMap<String, Answered> = BTreeMap::new();
    for (si, s) in students.iter().enumerate() {
        let Some(variant) = lookup.variant(&s.variant) else {
            continue;
        };
        for (q, (given, earned)) in variant.questions.iter().zip(&s.answers) {
            let original =
                |printed: &usize| q.option_order.get(*printed).copied().unwrap_or(*printed);
            let a = acc.entry(q.id.clone()).or_insert_with(|| Answered {
                kind: q.kind(),
                section: q.section.clone(),
                correct: q.key_letters().iter().map(original).collect(),
                n: 0,
                marked: 0,
                marked_full: 0,
                earned: Decimal::ZERO,
                possible: Decimal::ZERO,
                groups: [(0, 0); 2],
                option_counts: vec![0; q.option_order.len()],
            });
            let full = earned.is_some_and(|e| e == q.points);
            a.n += 1;
            if let Some(e) = earned {
                a.marked += 1;
                a.marked_full += usize::from(full);
                a.earned += e;
                a.possible += q.points;
            }
            for (g, bit) in [UPPER, LOWER].into_iter().enumerate() {
                if groups[si] & bit != 0 {
                    a.groups[g].0 += 1;
                    a.groups[g].1 += usize::from(full);
                }
            }
            if let Given::Letters(v) = given {
                for o in v.iter().map(|printed| original(&printed)) {
                    if let Some(c) = a.option_counts.get_mut(o) {
                        *c += 1;
                    }
                }
            }
        }
    }
    acc
}

/// One question's figures: facility and mean score over the marked answers, discrimination between the
/// upper and lower groups of the class (`class_size` students), option counts and flags.
fn item(id: String, a: Answered, class_size: usize) -> Item {
    let share = |(had, full): (usize, usize)| {
        if had == 0 {
            0.0
        } else {
            full as f64 / had as f64
        }
    };
    let facility = if a.marked == 0 {
        0.0
    } else {
        a.marked_full as f64 / a.marked as f64
    };
    let mean_score = if a.possible.is_zero() {
        0.0
    } else {
        (a.earned / a.possible).to_f64().unwrap_or(0.0)
    };
    let discrimination = share(a.groups[0]) - share(a.groups[1]);
    let mut flags = Vec::new();
    if a.marked > 0 {
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
        n: a.n,
        facility,
        mean_score,
        discrimination,
        option_counts: a.option_counts,
        correct: a.correct,
        flags,
        unmarked: a.n - a.marked,
    }
}

/// Class average per bank section, as a share of the points available there.
pub fn section_averages(manifest: &Manifest, grading: &Grading) -> Vec<(String, f64)> {
    let mut sums: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let lookup = Lookup::new(manifest);
    for s in &grading.students {
        let Some(variant) = lookup.variant(&s.variant) else {
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
