//! The 错题本 model: what review-book.hbs sees for one student (their missed questions as printed on their
//! paper, grouped by knowledge point, with practice questions and their key) and what review-book-class.hbs
//! sees for the class (the most-missed questions with the options the class chose).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::exam::grade::{Given, Item};
use crate::input::bank::Bank;
use crate::model::paper::{QuestionData, StudentData, chinese_numeral, points_text};
use crate::model::rich::TextRun;

#[derive(Debug, Clone, Serialize)]
pub struct BookData {
    /// The exam's title.
    pub title: String,
    pub student: StudentData,
    pub score: String,
    pub total_points: String,
    /// Where the student stands: the rank band (前25%, 25%～50%, 50%～75%, 后25%), or with `--rank` the
    /// exact rank (第3名（共40人）).
    pub standing: String,
    pub missed_count: usize,
    pub question_count: usize,
    pub group_count: usize,
    /// Short answers still waiting for the teacher's marks (left out of the book).
    pub unmarked: usize,
    pub groups: Vec<BookGroup>,
    /// Practice questions asked per knowledge point.
    pub practice_per_group: usize,
    pub practice_key: Vec<PracticeKey>,
    pub autospace: bool,
}

/// One knowledge point the student missed questions of (or, for questions without a note, their section).
#[derive(Debug, Clone, Serialize)]
pub struct BookGroup {
    /// 一, 二, … in the book.
    pub numeral: String,
    /// The note's id; null for the questions of a section that name no note.
    pub note: Option<String>,
    pub title: String,
    pub section_title: String,
    /// The note's text: paragraphs of runs, `key` runs are key phrases (printed bold).
    pub paragraphs: Vec<Vec<TextRun>>,
    pub missed: Vec<MissedQuestion>,
    /// Practice questions, numbered on through the book.
    pub practice: Vec<QuestionData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissedQuestion {
    /// The question as printed on the student's paper: same number, same option order, the answer in
    /// printed letters.
    pub question: QuestionData,
    /// The student's answer as printed (「未作答」 when empty).
    pub given: String,
    pub earned: String,
    /// Some points earned, not all.
    pub partly: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PracticeKey {
    pub number: usize,
    pub answer: String,
    pub answer_lines: Vec<String>,
    pub explanation: Option<String>,
}

/// A missed question before it is grouped: the printed question, the answer given and the points.
pub struct Miss {
    pub question: QuestionData,
    /// Index into `Bank::questions`.
    pub bank_index: usize,
    pub given: Given,
    pub earned: Decimal,
    pub points: Decimal,
}

/// Where a missed question belongs in the book: its note, else its section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupKey {
    Note(usize),
    Section(usize),
}

pub fn group_key(bank: &Bank, question: usize) -> GroupKey {
    let q = &bank.questions[question];
    match q.note {
        Some(n) => GroupKey::Note(n),
        None => GroupKey::Section(q.section),
    }
}

/// Groups the misses (in printed order) by knowledge point; groups follow the paper: ordered by their
/// first missed question.
pub fn group_misses(bank: &Bank, misses: Vec<Miss>) -> Vec<(GroupKey, Vec<Miss>)> {
    let mut groups: Vec<(GroupKey, Vec<Miss>)> = Vec::new();
    for miss in misses {
        let key = group_key(bank, miss.bank_index);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(miss),
            None => groups.push((key, vec![miss])),
        }
    }
    groups
}

/// The rank band a competition rank falls in among `count` students: 前25%, 25%～50%, 50%～75%, 后25%.
pub fn rank_band(rank: usize, count: usize) -> &'static str {
    const BANDS: [&str; 4] = ["前25%", "25%～50%", "50%～75%", "后25%"];
    let quarter = ((rank.max(1) - 1) * 4) / count.max(1);
    BANDS[quarter.min(3)]
}

/// One group of the book: the note's title and text (key phrases marked), or the section's title.
pub fn book_group(
    bank: &Bank,
    index: usize,
    key: GroupKey,
    misses: Vec<Miss>,
    practice: Vec<QuestionData>,
) -> BookGroup {
    let (note, title, section, paragraphs) = match key {
        GroupKey::Note(n) => {
            let note = &bank.notes[n];
            (
                Some(note.id.clone()),
                note.title.clone(),
                note.section,
                crate::model::rich::note_paragraphs(&note.text, &note.origin.file),
            )
        }
        GroupKey::Section(s) => (
            None,
            format!("{}（未标考点的题目）", bank.sections[s].title),
            s,
            Vec::new(),
        ),
    };
    BookGroup {
        numeral: chinese_numeral(index + 1),
        note,
        title,
        section_title: bank.sections[section].title.clone(),
        paragraphs,
        missed: misses
            .into_iter()
            .map(|m| MissedQuestion {
                given: match &m.given {
                    Given::Empty => "未作答".into(),
                    g => g.show(),
                },
                earned: points_text(m.earned),
                partly: m.earned > Decimal::ZERO,
                question: m.question,
            })
            .collect(),
        practice,
    }
}

pub fn practice_key(questions: &[QuestionData]) -> Vec<PracticeKey> {
    questions
        .iter()
        .map(|q| PracticeKey {
            number: q.number,
            answer: q.answer.clone(),
            answer_lines: q.answer_lines.clone(),
            explanation: q.explanation.clone(),
        })
        .collect()
}

/// The class edition: the most-missed questions, for the teacher's review lesson.
#[derive(Debug, Clone, Serialize)]
pub struct ClassData {
    pub title: String,
    pub count: usize,
    pub mean: String,
    pub total_points: String,
    pub items: Vec<ClassItem>,
    pub autospace: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassItem {
    /// 1 = the most missed.
    pub rank: usize,
    pub id: String,
    /// Where it stood: 「A卷第3题、B卷第12题」.
    pub printed: String,
    /// Share with full credit, as a percentage.
    pub facility: String,
    pub discrimination: String,
    /// Students who had it, and of those how many missed it (not full credit).
    pub n: usize,
    pub missed: usize,
    /// The question as printed on the first variant that had it.
    pub question: QuestionData,
    /// Its options in that variant's order, each with how many students chose it.
    pub options: Vec<ClassOption>,
    /// The wrong option most chosen: 「C（12人）」; empty when no wrong option drew anyone.
    pub trap: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassOption {
    pub label: String,
    pub text: String,
    pub correct: bool,
    pub count: usize,
    /// The wrong option that drew most students.
    pub trap: bool,
}

/// A class item from the item analysis and the question as printed in `variant` (`option_order`: printed
/// position → bank option, for mapping the counts, which are in bank order).
pub fn class_item(
    rank: usize,
    item: &Item,
    printed: String,
    question: QuestionData,
    option_order: &[usize],
) -> ClassItem {
    let marked = item.n - item.unmarked;
    let full = (item.facility * marked as f64).round() as usize;
    let count_of = |pos: usize| {
        option_order
            .get(pos)
            .and_then(|o| item.option_counts.get(*o))
            .copied()
            .unwrap_or(0)
    };
    let trap_pos = (0..question.options.len())
        .filter(|p| !question.options[*p].correct && count_of(*p) > 0)
        // The most chosen; on a tie the first printed.
        .max_by_key(|p| (count_of(*p), std::cmp::Reverse(*p)));
    let options = question
        .options
        .iter()
        .enumerate()
        .map(|(pos, o)| ClassOption {
            label: o.label.clone(),
            text: o.text.clone(),
            correct: o.correct,
            count: count_of(pos),
            trap: Some(pos) == trap_pos,
        })
        .collect();
    ClassItem {
        rank,
        id: item.id.clone(),
        printed,
        facility: format!("{:.0}%", item.facility * 100.0),
        discrimination: format!("{:.2}", item.discrimination),
        n: item.n,
        missed: marked - full,
        trap: trap_pos.map_or(String::new(), |p| {
            format!("{}（{}人）", question.options[p].label, count_of(p))
        }),
        options,
        question,
    }
}

/// 「A卷第3题、B卷第12题」 from (variant, number) pairs; a single-variant exam says 「第3题」; more than
/// three variants (`--per-student`) are cut short: 「A卷第3题、B卷第7题、C卷第1题等40份试卷」.
pub fn printed_places(places: &BTreeMap<String, usize>, variants: usize) -> String {
    const SHOWN: usize = 3;
    let listed = places
        .iter()
        .take(SHOWN)
        .map(|(v, n)| {
            if variants > 1 {
                format!("{v}卷第{n}题")
            } else {
                format!("第{n}题")
            }
        })
        .collect::<Vec<_>>()
        .join("、");
    if places.len() > SHOWN {
        format!("{listed}等{}份试卷", places.len())
    } else {
        listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_bands_split_the_class_in_quarters() {
        let bands: Vec<&str> = (1..=8).map(|r| rank_band(r, 8)).collect();
        assert_eq!(
            bands,
            [
                "前25%",
                "前25%",
                "25%～50%",
                "25%～50%",
                "50%～75%",
                "50%～75%",
                "后25%",
                "后25%"
            ]
        );
        assert_eq!(rank_band(1, 1), "前25%");
        assert_eq!(rank_band(4, 4), "后25%");
    }

    #[test]
    fn places_name_the_variants_and_stop_after_three() {
        let places = |n: usize| -> BTreeMap<String, usize> {
            (0..n)
                .map(|i| (((b'A' + i as u8) as char).to_string(), i + 1))
                .collect()
        };
        assert_eq!(printed_places(&places(1), 1), "第1题");
        assert_eq!(printed_places(&places(2), 2), "A卷第1题、B卷第2题");
        assert_eq!(
            printed_places(&places(5), 5),
            "A卷第1题、B卷第2题、C卷第3题等5份试卷"
        );
    }
}
