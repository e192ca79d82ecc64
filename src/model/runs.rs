//! Runs of printed text, as templates receive them: a stem split at its answer slot, blanks and line
//! breaks (the slot normalised to one （　　）), and note text with its key phrases and images.

use serde::Serialize;

use crate::input::bank::{Answer, QuestionType, SLOT, answer_slots, blank_spans, normalize_slots};

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

/// Splits a stem at its blanks and line breaks, and adds the answer slot （　） a choice or judge question
/// needs.
pub(crate) fn stem_runs(stem: &str, kind: QuestionType, answer: &Answer) -> Vec<StemRun> {
    let mut out = Vec::new();
    for run in slot_and_blank_runs(stem, kind, answer) {
        if run.blank {
            out.push(run);
            continue;
        }
        let mut blank_lines = 0;
        for (i, line) in run.text.split('\n').enumerate() {
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
                    ..run.clone()
                });
            }
        }
    }
    out
}

fn slot_and_blank_runs(stem: &str, kind: QuestionType, answer: &Answer) -> Vec<StemRun> {
    let text = |t: &str| StemRun {
        text: t.to_string(),
        blank: false,
        br: false,
        em: 0,
        image: None,
    };
    match kind {
        QuestionType::Blank => {
            let widths: Vec<u32> = match answer {
                Answer::Blank(blanks) => blanks
                    .iter()
                    .map(|alts| {
                        (alts.iter().map(|a| a.chars().count()).max().unwrap_or(4) as u32 + 2)
                            .clamp(4, 14)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut runs = Vec::new();
            let mut last = 0;
            for (i, span) in blank_spans(stem).into_iter().enumerate() {
                if span.start > last {
                    runs.push(text(&stem[last..span.start]));
                }
                runs.push(StemRun {
                    text: String::new(),
                    blank: true,
                    br: false,
                    em: widths.get(i).copied().unwrap_or(6),
                    image: None,
                });
                last = span.end;
            }
            if last < stem.len() {
                runs.push(text(&stem[last..]));
            }
            runs
        }
        // However the teacher typed the slot, one slot of one width is printed, and none is added twice.
        QuestionType::Judge | QuestionType::Single | QuestionType::Multiple => {
            if answer_slots(stem).is_empty() {
                vec![text(&format!("{}{SLOT}", stem.trim_end()))]
            } else {
                vec![text(&normalize_slots(stem))]
            }
        }
        QuestionType::Short => vec![text(stem)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
