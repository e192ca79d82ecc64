//! Runs of printed text, as templates receive them: a stem's parsed runs cut at its blanks and line breaks
//! (the slot normalised to one （　　）), and note text with its key phrases and images.

use serde::Serialize;

use crate::input::bank::{Answer, Inline, QuestionType, Run, SLOT};

/// An image as the template passes it on to the page markup: `<image src="…" width="…"/>`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImageData {
    /// The file, resolved against the section file's folder.
    pub src: String,
    pub alt: String,
    /// "50%", "40mm" or "" (the image's own size).
    pub width: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StemRun {
    /// Text, or empty for a blank or a line break.
    pub text: String,
    pub blank: bool,
    /// A line break: the stem's own line breaks are kept (a reading passage, a list); a blank line in the
    /// stem is two breaks, an empty line between paragraphs.
    pub br: bool,
    /// Width of a blank in em.
    pub em: u32,
    /// An image (`![…](…)` in the bank text) in place of text.
    pub image: Option<ImageData>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TextRun {
    pub text: String,
    pub key: bool,
    pub image: Option<ImageData>,
}

/// What a piece of a stem prints in place of its runs, before it is cut into lines: text, a line break, or
/// a blank of some width.
enum Token {
    Text(String),
    Break,
    Gap,
}

/// One piece of a stem (its runs between images) as printed runs: split at its blanks (a blank question)
/// and line breaks, with the answer slot （　） a choice or judge question needs — however the teacher
/// typed the slot, one slot of one width is printed, and none is added twice. `kind` Short prints slots
/// and blanks as typed.
pub(crate) fn stem_runs(piece: &[Run], kind: QuestionType, answer: &Answer) -> Vec<StemRun> {
    let choice = matches!(
        kind,
        QuestionType::Judge | QuestionType::Single | QuestionType::Multiple
    );
    let has_slot = piece
        .iter()
        .any(|r| matches!(r.inline, Inline::Slot { .. }));
    let mut tokens = Vec::new();
    for run in piece {
        match &run.inline {
            Inline::Break => tokens.push(Token::Break),
            Inline::Slot { typed, blanks } if kind == QuestionType::Blank => {
                let mut last = 0;
                for b in blanks {
                    tokens.push(Token::Text(typed[last..b.start].to_string()));
                    tokens.push(Token::Gap);
                    last = b.end;
                }
                tokens.push(Token::Text(typed[last..].to_string()));
            }
            Inline::Slot { .. } if choice => tokens.push(Token::Text(SLOT.to_string())),
            Inline::Blank(_) if kind == QuestionType::Blank => tokens.push(Token::Gap),
            _ => tokens.push(Token::Text(run.typed().to_string())),
        }
    }
    let widths: Vec<u32> = match answer {
        Answer::Blank(blanks) if kind == QuestionType::Blank => blanks
            .iter()
            .map(|alts| {
                (alts.iter().map(|a| a.chars().count()).max().unwrap_or(4) as u32 + 2).clamp(4, 14)
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    let mut segments = tokens.split(|t| matches!(t, Token::Gap)).peekable();
    let mut blank = 0;
    while let Some(segment) = segments.next() {
        let mut lines = vec![String::new()];
        for token in segment {
            match token {
                Token::Text(t) => lines.last_mut().expect("one line at least").push_str(t),
                Token::Break => lines.push(String::new()),
                Token::Gap => {}
            }
        }
        if choice && !has_slot {
            append_slot(&mut lines);
        }
        push_lines(&lines, &mut out);
        if segments.peek().is_some() {
            out.push(StemRun {
                text: String::new(),
                blank: true,
                br: false,
                em: widths.get(blank).copied().unwrap_or(6),
                image: None,
            });
            blank += 1;
        }
    }
    out
}

/// The slot a choice stem lacks, after its last printed character.
fn append_slot(lines: &mut Vec<String>) {
    while lines.len() > 1 && lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let last = lines.last_mut().expect("one line at least");
    last.truncate(last.trim_end().len());
    last.push_str(SLOT);
}

/// Lines as runs: each line's trailing spaces dropped, a line break between lines, two for an empty line
/// between them (the stem's own paragraphs); empty lines at the end print nothing.
fn push_lines(lines: &[String], out: &mut Vec<StemRun>) {
    let mut blank_lines = 0;
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end();
        if i > 0 {
            if line.is_empty() {
                blank_lines += 1;
                continue;
            }
            let breaks = if blank_lines > 0 { 2 } else { 1 };
            for _ in 0..breaks {
                out.push(StemRun {
                    text: String::new(),
                    blank: false,
                    br: true,
                    em: 0,
                    image: None,
                });
            }
            blank_lines = 0;
        }
        if !line.is_empty() {
            out.push(StemRun {
                text: line.to_string(),
                blank: false,
                br: false,
                em: 0,
                image: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::bank::Rich;

    fn stem_runs(stem: &str, kind: QuestionType, answer: &Answer) -> Vec<StemRun> {
        let rich = Rich::parse(stem);
        super::stem_runs(&rich.runs().cloned().collect::<Vec<_>>(), kind, answer)
    }

    #[test]
    fn blank_stems_split_at_underscores_and_judge_stems_get_a_slot() {
        let runs = stem_runs(
            "每万人______人，到___年",
            QuestionType::Blank,
            &Answer::Blank(vec![vec!["18".into()], vec!["2025".into()]]),
        );
        assert_eq!(runs.len(), 5);
        assert!(runs[1].blank && runs[3].blank);
        assert_eq!(runs[4].text, "年");
        assert_eq!(runs[1].em, 4);
        assert_eq!(runs[2].text, "人，到");
        let runs = stem_runs(
            "社区工作者每年培训一次。",
            QuestionType::Judge,
            &Answer::Judge(true),
        );
        assert_eq!(runs[0].text, "社区工作者每年培训一次。（　　）");
        let runs = stem_runs("标准是（　）人。", QuestionType::Single, &Answer::Single(0));
        assert_eq!(runs[0].text, "标准是（　　）人。");
        // A judge stem that already has a slot, typed any way, gets no second one.
        let runs = stem_runs(
            "社区工作者每年培训一次(    )。",
            QuestionType::Judge,
            &Answer::Judge(true),
        );
        assert_eq!(runs[0].text, "社区工作者每年培训一次（　　）。");
        let runs = stem_runs(
            "第1题（____）",
            QuestionType::Multiple,
            &Answer::Multiple(vec![0, 1]),
        );
        assert_eq!(runs[0].text, "第1题（　　）");
    }
}
