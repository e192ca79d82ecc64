//! Figures for templates: bank text with `![…](…)` images and pipe tables turned into runs that carry an
//! image, and body blocks (paragraphs and tables) printed under a stem or an explanation. Text without
//! figure markup takes the plain paths unchanged, so existing papers print byte for byte as before.

use std::path::Path;

use serde::Serialize;

use crate::input::bank::answer_slots;
use crate::input::bank::{Answer, QuestionType, resolve_image};
use crate::input::figures::{self, FigureBlock, ImageRef, Piece};
pub use crate::model::runs::ImageData;
use crate::model::runs::{StemRun, TextRun, stem_runs};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableData {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A block under the stem (or the explanation): a paragraph of runs, or a table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BodyBlock {
    pub runs: Vec<StemRun>,
    pub table: Option<TableData>,
}

pub fn image_data(image: &ImageRef, file: &Path) -> ImageData {
    ImageData {
        src: resolve_image(file, &image.path)
            .to_string_lossy()
            .to_string(),
        alt: image.alt.clone(),
        width: image.width.attr(),
    }
}

/// Plain text of a figure stem, its own line breaks kept as in a plain stem.
fn text_runs(text: &str) -> Vec<StemRun> {
    stem_runs(text, QuestionType::Short, &Answer::Short(String::new()))
}

fn image_run(image: &ImageRef, file: &Path) -> StemRun {
    StemRun {
        text: String::new(),
        blank: false,
        br: false,
        em: 0,
        image: Some(image_data(image, file)),
    }
}

/// A stem as its first paragraph's runs and the blocks after it. Blanks are numbered across the whole
/// stem; the answer slot （　） a choice or judge stem lacks goes at the end of its last text.
pub fn stem(
    stem: &str,
    kind: QuestionType,
    answer: &Answer,
    file: &Path,
) -> (Vec<StemRun>, Vec<BodyBlock>) {
    if !figures::has_figures(stem) {
        return (stem_runs(stem, kind, answer), Vec::new());
    }
    let (blocks, _) = figures::parse(stem);
    // The last text piece of the stem gets the slot, as a plain stem ending in it would.
    let last_text = blocks
        .iter()
        .enumerate()
        .flat_map(|(b, block)| match block {
            FigureBlock::Para(pieces) => pieces
                .iter()
                .enumerate()
                .filter(|(_, p)| matches!(p, Piece::Text(t) if !t.trim().is_empty()))
                .map(|(i, _)| (b, i))
                .collect::<Vec<_>>(),
            FigureBlock::Table { .. } => Vec::new(),
        })
        .next_back();
    let mut blank_index = 0;
    let mut paragraphs: Vec<BodyBlock> = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        match block {
            FigureBlock::Table { rows, .. } => paragraphs.push(BodyBlock {
                runs: Vec::new(),
                table: Some(TableData {
                    head: rows[0].iter().map(|c| figures::strip_images(c)).collect(),
                    rows: rows[1..]
                        .iter()
                        .map(|r| r.iter().map(|c| figures::strip_images(c)).collect())
                        .collect(),
                }),
            }),
            FigureBlock::Para(pieces) => {
                let mut runs = Vec::new();
                for (i, piece) in pieces.iter().enumerate() {
                    match piece {
                        Piece::Image(image) => runs.push(image_run(image, file)),
                        Piece::Text(text) => match kind {
                            QuestionType::Blank => {
                                let count = crate::input::bank::blank_spans(text).len();
                                let rest = match answer {
                                    Answer::Blank(all) => Answer::Blank(
                                        all.iter().skip(blank_index).cloned().collect(),
                                    ),
                                    other => other.clone(),
                                };
                                blank_index += count;
                                runs.extend(stem_runs(text, kind, &rest));
                            }
                            _ if last_text == Some((b, i))
                                && (kind == QuestionType::Judge
                                    || answer_slots(stem).is_empty()) =>
                            {
                                runs.extend(stem_runs(text, kind, answer))
                            }
                            _ => runs.extend(text_runs(text)),
                        },
                    }
                }
                paragraphs.push(BodyBlock { runs, table: None });
            }
        }
    }
    // The first paragraph is the stem proper (beside the question number); a stem that opens with a
    // figure or a table starts with an empty first line instead.
    match paragraphs.first() {
        Some(first) if first.table.is_none() && !is_lone_image(&first.runs) => {
            let first = paragraphs.remove(0);
            (first.runs, paragraphs)
        }
        _ => (Vec::new(), paragraphs),
    }
}

fn is_lone_image(runs: &[StemRun]) -> bool {
    matches!(runs, [r] if r.image.is_some())
}

/// An option's text and its image (`![…](…)` anywhere in it), for the option grid.
pub fn option(text: &str, file: &Path) -> (String, Option<ImageData>) {
    let images = figures::images(text);
    match images.first() {
        None => (text.to_string(), None),
        Some(image) => (figures::strip_images(text), Some(image_data(image, file))),
    }
}

/// An explanation (or reference answer) as its first paragraph's text and the blocks after it; images
/// always print on their own lines there.
pub fn explanation(text: &str, file: &Path) -> (String, Vec<BodyBlock>) {
    if !figures::has_figures(text) {
        return (text.to_string(), Vec::new());
    }
    let (first, body) = stem(
        text,
        QuestionType::Short,
        &Answer::Short(String::new()),
        file,
    );
    let mut lead = String::new();
    let mut blocks = Vec::new();
    for run in first {
        match &run.image {
            Some(_) => blocks.push(BodyBlock {
                runs: vec![run],
                table: None,
            }),
            None => lead.push_str(&run.text),
        }
    }
    blocks.extend(body);
    (lead.trim().to_string(), blocks)
}

/// Note text with images: a line that is only an image becomes its own paragraph (printed centred).
pub fn note_text(text: &str) -> String {
    if !text.contains("![") {
        return text.to_string();
    }
    text.lines()
        .map(|line| {
            let t = line.trim();
            if t.starts_with("![") && figures::strip_images(t).is_empty() {
                format!("\n\n{t}\n\n")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits note runs at their images.
pub fn note_runs(runs: Vec<TextRun>, file: &Path) -> Vec<TextRun> {
    if !runs.iter().any(|r| r.text.contains("![")) {
        return runs;
    }
    let mut out = Vec::new();
    for run in runs {
        let (blocks, _) = figures::parse(&run.text);
        for block in blocks {
            if let FigureBlock::Para(pieces) = block {
                for piece in pieces {
                    out.push(match piece {
                        Piece::Text(text) => TextRun {
                            text,
                            key: run.key,
                            image: None,
                        },
                        Piece::Image(image) => TextRun {
                            text: String::new(),
                            key: false,
                            image: Some(image_data(&image, file)),
                        },
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_stem_keeps_its_question_text_and_slot() {
        let file = Path::new("bank/stats.yaml");
        let (runs, body) = stem(
            "某社区2024年各季度服务人次如下图所示。\n![服务人次](img/chart.png){width=60%}\n服务人次最多的季度是",
            QuestionType::Single,
            &Answer::Single(0),
            file,
        );
        assert_eq!(runs[0].text, "某社区2024年各季度服务人次如下图所示。");
        assert_eq!(body.len(), 2);
        let image = body[0].runs[0].image.as_ref().unwrap();
        assert_eq!(image.src, Path::new("bank/img/chart.png").to_string_lossy());
        assert_eq!(image.width, "60%");
        assert_eq!(
            body[1].runs[0].text,
            format!("服务人次最多的季度是{}", crate::input::bank::SLOT)
        );
    }

    #[test]
    fn tables_come_out_as_rows_and_blanks_number_on() {
        let (runs, body) = stem(
            "填表：______\n| 季度 | 人次 |\n|---|---|\n| 一 | 120 |\n合计______人次",
            QuestionType::Blank,
            &Answer::Blank(vec![vec!["甲".into()], vec!["乙乙乙乙乙乙乙乙".into()]]),
            Path::new("b.yaml"),
        );
        assert!(runs[1].blank);
        let table = body[0].table.as_ref().unwrap();
        assert_eq!(table.head, vec!["季度", "人次"]);
        assert_eq!(table.rows, vec![vec!["一".to_string(), "120".into()]]);
        // The second blank is sized from the second answer.
        assert_eq!(body[1].runs[1].em, 10);
    }

    #[test]
    fn options_and_notes_carry_their_images() {
        let (text, image) = option(
            "![禁止通行](img/sign-a.svg){width=20mm}",
            Path::new("b/x.yaml"),
        );
        assert_eq!(text, "");
        assert_eq!(image.unwrap().width, "20mm");
        assert_eq!(option("18", Path::new("x.yaml")), ("18".to_string(), None));
        let text = note_text("见下图：\n![图](a.png)\n完。");
        assert_eq!(text.split("\n\n").count(), 3);
    }
}
