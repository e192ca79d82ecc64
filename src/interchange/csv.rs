//! The bank as a spreadsheet in the import layout — Chinese headers by default, English on request — for
//! Excel and for a lossless round trip: every question with its id, answer, tags, group, points, note and
//! quote, and the notes themselves as rows of type 考点.

use crate::input::bank::{self, Answer, Bank, QuestionType};

/// Which header row (and type names) the sheet uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headers {
    /// 章节, 题型, 题干, 选项A … and 单选, 多选 …: what a Chinese teacher's Excel template has.
    Chinese,
    /// section, type, stem, A … and single, multiple …
    English,
}

const ZH: [&str; 22] = [
    "章节",
    "章节名称",
    "编号",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "选项G",
    "选项H",
    "答案",
    "难度",
    "解析",
    "标签",
    "组",
    "分值",
    "考点",
    "原文",
    "标题",
];
const EN: [&str; 22] = [
    "section",
    "section_title",
    "id",
    "type",
    "stem",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "answer",
    "difficulty",
    "explanation",
    "tags",
    "group",
    "points",
    "note",
    "quote",
    "title",
];

fn type_name(kind: QuestionType, headers: Headers) -> &'static str {
    match headers {
        Headers::English => kind.name(),
        Headers::Chinese => match kind {
            QuestionType::Single => "单选",
            QuestionType::Multiple => "多选",
            QuestionType::Judge => "判断",
            QuestionType::Blank => "填空",
            QuestionType::Short => "简答",
        },
    }
}

/// The bank as a spreadsheet in the import layout, section by section: its notes, then its questions.
pub fn export(bank: &Bank, headers: Headers) -> Vec<u8> {
    let names = match headers {
        Headers::Chinese => ZH,
        Headers::English => EN,
    };
    let mut rows = vec![names.map(str::to_string).to_vec()];
    let blank_row = || vec![String::new(); names.len()];
    for (si, section) in bank.sections.iter().enumerate() {
        for note in bank.notes.iter().filter(|n| n.section == si) {
            let mut row = blank_row();
            row[0] = section.id.clone();
            row[1] = section.title.clone();
            row[2] = note.id.clone();
            row[3] = match headers {
                Headers::Chinese => "考点",
                Headers::English => "note",
            }
            .into();
            row[4] = note.text.source().to_string();
            row[16] = note.tags.join("、");
            row[21] = note.title.clone();
            rows.push(row);
        }
        for q in bank.questions.iter().filter(|q| q.section == si) {
            let mut row = vec![
                section.id.clone(),
                section.title.clone(),
                q.id.clone(),
                type_name(q.kind, headers).to_string(),
                q.stem.source().to_string(),
            ];
            for i in 0..8 {
                row.push(
                    q.options
                        .get(i)
                        .map(|o| o.source().to_string())
                        .unwrap_or_default(),
                );
            }
            row.push(match &q.answer {
                Answer::Judge(b) => if *b { "对" } else { "错" }.to_string(),
                Answer::Blank(blanks) => blanks
                    .iter()
                    .map(|a| a.join("|"))
                    .collect::<Vec<_>>()
                    .join("；"),
                other => bank::answer_text(other),
            });
            row.push(q.difficulty.to_string());
            row.push(
                q.explanation
                    .as_ref()
                    .map(|e| e.source().to_string())
                    .unwrap_or_default(),
            );
            row.push(q.tags.join("、"));
            row.push(q.group.clone().unwrap_or_default());
            row.push(
                q.points
                    .map(|p| p.normalize().to_string())
                    .unwrap_or_default(),
            );
            row.push(
                q.note
                    .and_then(|n| bank.notes.get(n))
                    .map(|n| n.id.clone())
                    .unwrap_or_default(),
            );
            row.push(q.quote.clone().unwrap_or_default());
            row.push(String::new());
            rows.push(row);
        }
    }
    crate::util::csv::write_csv(&rows)
}
