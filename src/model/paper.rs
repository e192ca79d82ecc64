//! The paper model: everything a template needs to print one variant's paper, answer key and review
//! handout, built from the draw. Plain serializable data: templates decide what goes where.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::exam::draw::{DrawnPart, DrawnQuestion, Variant};
use crate::input::bank::{Answer, Bank, QuestionType, letter};
use crate::input::blueprint::{Blueprint, Part, Scoring};
pub use crate::model::rich::{ImageData, StemRun, TextRun};

#[derive(Debug, Clone, Serialize)]
pub struct PaperData {
    pub title: String,
    pub subtitle: Option<String>,
    /// "A", "B", ...
    pub variant: String,
    /// Whether the set has more than one variant (show 「A卷」 only then).
    pub has_variants: bool,
    pub duration: Option<u32>,
    pub total_points: String,
    pub question_count: usize,
    /// Lines of the 考生须知 box.
    pub notice: Vec<String>,
    /// Column heads of the score table: 一, 二, ... then 总分.
    pub score_columns: Vec<String>,
    pub parts: Vec<PartData>,
    /// The review handout: the notes the paper tested, by section in bank order.
    pub review: Vec<ReviewSection>,
    pub duplex: bool,
    /// Filled in by class batches; empty fields print as blank lines to write on.
    pub student: StudentData,
    /// Columns of the answer sheet's 准考证号 grid.
    pub id_digits: usize,
    /// The answer sheet's QR code text (which exam, variant, page and student; set by the workflow,
    /// which knows the manifest); empty: no code.
    pub sheet_qr: String,
    /// The 试卷类型 row's letters on a blank answer sheet (A, B, … up to six variants; empty otherwise).
    pub variant_letters: Vec<String>,
    /// The teacher's edition: correct options marked, answers and explanations under each question.
    pub teacher: bool,
    /// A 得分 | 评卷人 box beside each part heading.
    pub score_boxes: bool,
    /// A quarter em between Han and Western text (the blueprint's `typography: {autospace}`).
    pub autospace: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StudentData {
    pub name: String,
    pub id: String,
    pub class: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartData {
    /// 一, 二, ...
    pub numeral: String,
    pub title: String,
    /// 「一、单项选择题」
    pub heading: String,
    /// 「（共60题，每题1分。每题的备选项中，只有1个最符合题意）」
    pub instructions: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub count: usize,
    pub points: String,
    pub total: String,
    /// How the part is marked, for the key: 「错选不得分；少选，所选的每个正确选项得0.5分」.
    pub scoring: String,
    pub questions: Vec<QuestionData>,
    /// The key's answer grid: rows of up to ten questions.
    pub grid: Vec<GridRow>,
    /// Answered by marking choices (single, multiple, judge): the answer sheet gives it bubbles.
    pub choice: bool,
    /// The first and last question numbers of the part.
    pub first: usize,
    pub last: usize,
    /// The part's question numbers as printed: 「4～6」, or 「4」 for one question.
    pub numbers: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    pub numbers: Vec<String>,
    pub answers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionData {
    pub label: String,
    pub text: String,
    pub correct: bool,
    /// An image option (`![…](…)` in the option).
    pub image: Option<ImageData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionData {
    pub number: usize,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// The stem as runs of text and blanks, with （　） added where the type needs it.
    pub stem: Vec<StemRun>,
    /// What the stem holds after its first paragraph: figures on their own lines, tables, more text.
    pub body: Vec<crate::model::rich::BodyBlock>,
    pub options: Vec<OptionData>,
    /// What an answer sheet offers to mark: the option letters, or √ and × for judge questions.
    pub choices: Vec<String>,
    pub points: String,
    /// The answer as the key prints it: C, ACD, √, ×, blank answers, or the reference answer's first line.
    pub answer: String,
    /// Reference answer lines (short answers) or blank answers with alternatives, for the key.
    pub answer_lines: Vec<String>,
    pub explanation: Option<String>,
    /// Figures and tables of the explanation, printed after its text.
    pub explanation_body: Vec<crate::model::rich::BodyBlock>,
    pub note_title: Option<String>,
    pub section_title: String,
    /// Ruled lines for a short answer.
    pub lines: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewSection {
    pub title: String,
    pub notes: Vec<ReviewNote>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewNote {
    pub id: String,
    pub title: String,
    /// Paragraphs of runs; `key` runs are key phrases.
    pub paragraphs: Vec<Vec<TextRun>>,
    /// 「1、14、62」: the question numbers that tested this note.
    pub numbers: String,
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十.
pub fn chinese_numeral(n: usize) -> String {
    match n {
        1..=10 => NUMERALS[n - 1].to_string(),
        11..=19 => format!("十{}", NUMERALS[n - 11]),
        20..=99 => format!(
            "{}十{}",
            NUMERALS[n / 10 - 1],
            if n % 10 == 0 {
                ""
            } else {
                NUMERALS[n % 10 - 1]
            }
        ),
        _ => n.to_string(),
    }
}

pub fn points_text(p: Decimal) -> String {
    p.normalize().to_string()
}

fn default_instructions(kind: QuestionType, scoring: Scoring) -> String {
    match kind {
        QuestionType::Single => "每题的备选项中，只有1个最符合题意".into(),
        QuestionType::Multiple => match scoring {
            Scoring::Partial(p) => format!(
                "每题的备选项中，有2个或2个以上符合题意，至少有1个错项。错选，本题不得分；少选，所选的每个选项得{}分",
                points_text(p)
            ),
            Scoring::AllOrNothing => {
                "每题的备选项中，有2个或2个以上符合题意，至少有1个错项。错选、少选均不得分".into()
            }
        },
        QuestionType::Judge => "判断下列说法是否正确，正确的在括号内打“√”，错误的打“×”".into(),
        QuestionType::Blank => "请将答案填写在横线上".into(),
        QuestionType::Short => "请根据所学内容简要作答".into(),
    }
}

pub const DEFAULT_NOTICE: &[&str] = &[
    "1．答题前，考生务必将姓名、准考证号填写在试卷指定位置。",
    "2．选择题每题选出答案后，将答案填写在题中括号内；其他题目在试卷上作答。",
    "3．考试结束后，将试卷交回。",
];

/// Builds the template data of one variant.
pub fn build(
    bank: &Bank,
    blueprint: &Blueprint,
    variant: &Variant,
    variants: usize,
    duplex: bool,
) -> PaperData {
    build_for(bank, blueprint, variant, variants, duplex, true)
}

/// [`build`], with the review handout's notes only when `review` (empty otherwise: a run whose
/// templates never read them skips copying every tested note's text for every variant).
pub fn build_for(
    bank: &Bank,
    blueprint: &Blueprint,
    variant: &Variant,
    variants: usize,
    duplex: bool,
    review: bool,
) -> PaperData {
    let mut tested: Vec<(usize, Vec<usize>)> = Vec::new();
    let parts: Vec<PartData> = variant
        .parts
        .iter()
        .enumerate()
        .map(|(pi, dp)| {
            // No tested notes, no review sections.
            let noted = if review { &dp.questions[..] } else { &[] };
            for dq in noted {
                if let Some(n) = bank.questions[dq.question].note {
                    match tested.iter_mut().find(|(note, _)| *note == n) {
                        Some((_, numbers)) => numbers.push(dq.number),
                        None => tested.push((n, vec![dq.number])),
                    }
                }
            }
            part_data(bank, &blueprint.parts[dp.part], pi, dp)
        })
        .collect();
    // The review handout: the tested notes grouped by section in bank order, notes in bank order within
    // a section.
    tested.sort_by_key(|(n, _)| (bank.notes[*n].section, *n));
    let mut review: Vec<ReviewSection> = Vec::new();
    let mut current: Option<usize> = None;
    for (n, mut numbers) in tested {
        let note = &bank.notes[n];
        if current != Some(note.section) {
            review.push(ReviewSection {
                title: bank.sections[note.section].title.clone(),
                notes: Vec::new(),
            });
            current = Some(note.section);
        }
        numbers.sort_unstable();
        review
            .last_mut()
            .expect("pushed above")
            .notes
            .push(ReviewNote {
                id: note.id.clone(),
                title: note.title.clone(),
                paragraphs: crate::model::rich::note_paragraphs(&note.text, &note.origin.file),
                numbers: numbers
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
            });
    }
    PaperData {
        title: blueprint.title.clone(),
        subtitle: blueprint.subtitle.clone(),
        variant: variant.label.clone(),
        has_variants: variants > 1,
        duration: blueprint.duration,
        total_points: points_text(variant.total_points()),
        question_count: variant.questions().count(),
        notice: blueprint
            .notice
            .clone()
            .unwrap_or_else(|| DEFAULT_NOTICE.iter().map(|s| s.to_string()).collect()),
        score_columns: (1..=parts.len())
            .map(chinese_numeral)
            .chain(std::iter::once("总分".to_string()))
            .collect(),
        parts,
        review,
        duplex,
        student: StudentData::default(),
        id_digits: 10,
        sheet_qr: String::new(),
        // A row of more letters than this no longer fits beside the id grid.
        variant_letters: if (2..=6).contains(&variants) {
            (0..variants)
                .map(|i| crate::input::bank::letter(i).to_string())
                .collect()
        } else {
            Vec::new()
        },
        teacher: false,
        score_boxes: blueprint.score_boxes,
        autospace: blueprint.autospace,
    }
}

/// One part of the paper (the `pi`-th): its heading, instructions, scoring rule, questions and key grid.
fn part_data(bank: &Bank, part: &Part, pi: usize, dp: &DrawnPart) -> PartData {
    let uniform = dp.questions.iter().all(|q| q.points == part.points);
    let total: Decimal = dp.questions.iter().map(|q| q.points).sum();
    let count = dp.questions.len();
    let body = part
        .instructions
        .clone()
        .unwrap_or_else(|| default_instructions(part.kind, part.scoring));
    let body = body.trim_end_matches('。').to_string();
    let instructions = if uniform {
        format!(
            "（共{count}题，每题{}分。{body}）",
            points_text(part.points)
        )
    } else {
        format!("（共{count}题，共{}分。{body}）", points_text(total))
    };
    let scoring = match (part.kind, part.scoring) {
        (QuestionType::Multiple, Scoring::Partial(p)) => {
            format!(
                "全部选对得满分；错选不得分；少选，所选的每个正确选项得{}分",
                points_text(p)
            )
        }
        (QuestionType::Multiple, Scoring::AllOrNothing) => {
            "全部选对得满分；错选、少选均不得分".into()
        }
        (QuestionType::Short, _) => "按要点给分".into(),
        _ => String::new(),
    };
    let questions: Vec<QuestionData> = dp
        .questions
        .iter()
        .map(|dq| question_data(bank, dq))
        .collect();
    let grid = questions
        .chunks(10)
        .map(|row| GridRow {
            numbers: row.iter().map(|q| q.number.to_string()).collect(),
            answers: row
                .iter()
                .map(|q| {
                    if q.answer.chars().count() <= 6 {
                        q.answer.clone()
                    } else {
                        "见解析".into()
                    }
                })
                .collect(),
        })
        .collect();
    PartData {
        numeral: chinese_numeral(pi + 1),
        title: part.title.clone(),
        heading: format!("{}、{}", chinese_numeral(pi + 1), part.title),
        instructions,
        kind: part.kind,
        count,
        points: points_text(part.points),
        total: points_text(total),
        scoring,
        choice: matches!(
            part.kind,
            QuestionType::Single | QuestionType::Multiple | QuestionType::Judge
        ),
        first: questions.first().map_or(0, |q| q.number),
        last: questions.last().map_or(0, |q| q.number),
        numbers: match (questions.first(), questions.last()) {
            (Some(a), Some(b)) if a.number != b.number => format!("{}～{}", a.number, b.number),
            (Some(a), _) => a.number.to_string(),
            _ => String::new(),
        },
        questions,
        grid,
    }
}

/// One drawn question as printed: its stem runs and figures, options in the drawn order, the key's
/// answer and the explanation.
fn question_data(bank: &Bank, dq: &DrawnQuestion) -> QuestionData {
    let q = &bank.questions[dq.question];
    let options = dq
        .option_order
        .iter()
        .enumerate()
        .map(|(pos, orig)| {
            let (text, image) = crate::model::rich::option(&q.options[*orig], &q.origin.file);
            OptionData {
                label: letter(pos).to_string(),
                text,
                correct: match &dq.answer {
                    Answer::Single(i) => *i == pos,
                    Answer::Multiple(v) => v.contains(&pos),
                    _ => false,
                },
                image,
            }
        })
        .collect();
    let (answer, answer_lines) = key_texts(&dq.answer);
    let choices = match q.kind {
        QuestionType::Judge => vec!["√".to_string(), "×".to_string()],
        _ => (0..q.options.len())
            .map(|i| letter(i).to_string())
            .collect(),
    };
    let (stem, body) = crate::model::rich::stem(&q.stem, q.kind, &dq.answer, &q.origin.file);
    let (explanation, explanation_body) = match &q.explanation {
        Some(e) => {
            let (text, body) = crate::model::rich::explanation(e, &q.origin.file);
            (Some(text), body)
        }
        None => (None, Vec::new()),
    };
    QuestionData {
        number: dq.number,
        id: q.id.clone(),
        kind: q.kind,
        stem,
        body,
        options,
        choices,
        points: points_text(dq.points),
        answer,
        answer_lines,
        explanation,
        explanation_body,
        note_title: q.note.map(|n| bank.notes[n].title.clone()),
        section_title: bank.sections[q.section].title.clone(),
        lines: if q.kind == QuestionType::Short {
            q.lines
        } else {
            0
        },
    }
}

/// The answer as the key prints it (C, ACD, √, blank answers joined) and its lines: each blank with
/// its alternatives, or the reference answer's lines.
fn key_texts(answer: &Answer) -> (String, Vec<String>) {
    match answer {
        Answer::Blank(blanks) => (
            blanks
                .iter()
                .map(|alts| alts[0].clone())
                .collect::<Vec<_>>()
                .join("；"),
            blanks
                .iter()
                .enumerate()
                .map(|(i, alts)| {
                    let more = if alts.len() > 1 {
                        format!("（或：{}）", alts[1..].join("、"))
                    } else {
                        String::new()
                    };
                    format!("({}) {}{more}", i + 1, alts[0])
                })
                .collect(),
        ),
        Answer::Short(text) => (
            String::new(),
            text.lines()
                .map(str::to_string)
                .filter(|l| !l.trim().is_empty())
                .collect(),
        ),
        other => (crate::input::bank::answer_text(other), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_numeral(1), "一");
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(20), "二十");
        assert_eq!(chinese_numeral(35), "三十五");
    }

    #[test]
    fn note_paragraphs_mark_key_phrases() {
        let p = crate::model::rich::note_paragraphs(
            &crate::input::bank::Rich::note("按**每万人18人**配备。\n\n第二段"),
            std::path::Path::new("x.yaml"),
        );
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0][1],
            TextRun {
                text: "每万人18人".into(),
                key: true,
                image: None,
            }
        );
    }
}
