//! Printed runs for templates, made from a bank field's parsed runs (`input::bank::Rich`): a stem cut at
//! its blanks and line breaks (the slot normalised to one （　　）), images as runs that carry an image,
//! body blocks (paragraphs and tables) printed under a stem or an explanation, and note paragraphs with
//! their key phrases. Fields without figure markup take the plain paths unchanged, so existing papers
//! print byte for byte as before.

use std::path::Path;

use serde::Serialize;

use crate::input::bank::{Answer, Block, Inline, QuestionType, Rich, Run, SLOT, resolve_image};
use crate::input::figures::ImageRef;

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

/// Plain text of a piece of a figure field, slots and blanks as typed, its own line breaks kept.
fn text_runs(piece: &[Run]) -> Vec<StemRun> {
    stem_runs(piece, QuestionType::Short, &Answer::Short(String::new()))
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

/// A paragraph's runs as pieces: the runs between its images, and the images.
enum Piece<'a> {
    Text(&'a [Run]),
    Image(&'a ImageRef),
}

fn pieces(runs: &[Run]) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, run) in runs.iter().enumerate() {
        if let Inline::Image(image) = &run.inline {
            if start < i {
                out.push(Piece::Text(&runs[start..i]));
            }
            out.push(Piece::Image(image));
            start = i + 1;
        }
    }
    if start < runs.len() {
        out.push(Piece::Text(&runs[start..]));
    }
    out
}

fn table_data(table: &crate::input::bank::Table) -> TableData {
    let row = |r: &Vec<Rich>| r.iter().map(Rich::text_without_images).collect::<Vec<_>>();
    TableData {
        head: row(&table.rows[0]),
        rows: table.rows[1..].iter().map(row).collect(),
    }
}

/// A stem as its first paragraph's runs and the blocks after it. Blanks are numbered across the whole
/// stem; the answer slot （　） a choice or judge stem lacks goes at the end of its last text.
pub fn stem(
    stem: &Rich,
    kind: QuestionType,
    answer: &Answer,
    file: &Path,
) -> (Vec<StemRun>, Vec<BodyBlock>) {
    if !stem.has_figures() {
        let runs: Vec<Run> = stem.runs().cloned().collect();
        return (stem_runs(&runs, kind, answer), Vec::new());
    }
    let blocks: Vec<(&Block, Vec<Piece>)> = stem
        .blocks()
        .iter()
        .map(|b| match b {
            Block::Para(runs) => (b, pieces(runs)),
            Block::Table(_) => (b, Vec::new()),
        })
        .collect();
    // The last text piece of the stem gets the slot, as a plain stem ending in it would.
    let last_text = blocks
        .iter()
        .enumerate()
        .flat_map(|(b, (_, pieces))| {
            pieces
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    matches!(p, Piece::Text(runs)
                        if !runs.iter().map(Run::typed).collect::<String>().trim().is_empty())
                })
                .map(move |(i, _)| (b, i))
        })
        .next_back();
    let slotless = stem.slot_spans().is_empty();
    let mut blank_index = 0;
    let mut paragraphs: Vec<BodyBlock> = Vec::new();
    for (b, (block, pieces)) in blocks.iter().enumerate() {
        if let Block::Table(table) = block {
            paragraphs.push(BodyBlock {
                runs: Vec::new(),
                table: Some(table_data(table)),
            });
            continue;
        }
        let mut runs = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Image(image) => runs.push(image_run(image, file)),
                Piece::Text(text) => match kind {
                    QuestionType::Blank => {
                        let count = text
                            .iter()
                            .map(|r| match &r.inline {
                                Inline::Blank(_) => 1,
                                Inline::Slot { blanks, .. } => blanks.len(),
                                _ => 0,
                            })
                            .sum::<usize>();
                        let rest = match answer {
                            Answer::Blank(all) => {
                                Answer::Blank(all.iter().skip(blank_index).cloned().collect())
                            }
                            other => other.clone(),
                        };
                        blank_index += count;
                        runs.extend(stem_runs(text, kind, &rest));
                    }
                    _ if last_text == Some((b, i)) && (kind == QuestionType::Judge || slotless) => {
                        runs.extend(stem_runs(text, kind, answer))
                    }
                    _ => runs.extend(text_runs(text)),
                },
            }
        }
        paragraphs.push(BodyBlock { runs, table: None });
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
pub fn option(option: &Rich, file: &Path) -> (String, Option<ImageData>) {
    match option.images().first() {
        None => (option.source().to_string(), None),
        Some(image) => (option.text_without_images(), Some(image_data(image, file))),
    }
}

/// An explanation (or reference answer) as its first paragraph's text and the blocks after it; images
/// always print on their own lines there.
pub fn explanation(text: &Rich, file: &Path) -> (String, Vec<BodyBlock>) {
    if !text.has_figures() {
        return (text.source().to_string(), Vec::new());
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

/// A note as paragraphs of runs, key phrases marked, images resolved against its section file's folder.
pub fn note_paragraphs(note: &Rich, file: &Path) -> Vec<Vec<TextRun>> {
    note.paragraphs()
        .map(|runs| {
            runs.iter()
                .map(|run| match &run.inline {
                    Inline::Image(image) => TextRun {
                        text: String::new(),
                        key: false,
                        image: Some(image_data(image, file)),
                    },
                    Inline::Key(text) => TextRun {
                        text: text.clone(),
                        key: true,
                        image: None,
                    },
                    _ => TextRun {
                        text: run.typed().to_string(),
                        key: false,
                        image: None,
                    },
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem_runs(stem: &str, kind: QuestionType, answer: &Answer) -> Vec<StemRun> {
        let rich = Rich::parse(stem);
        super::stem_runs(&rich.runs().cloned().collect::<Vec<_>>(), kind, answer)
    }

    #[test]
    fn a_chart_stem_keeps_its_question_text_and_slot() {
        let file = Path::new("bank/stats.yaml");
        let (runs, body) = stem(
            &Rich::parse(
                "某社区2024年各季度服务人次如下图所示。\n![服务人次](img/chart.png){width=60%}\n服务人次最多的季度是",
            ),
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
            &Rich::parse("填表：______\n| 季度 | 人次 |\n|---|---|\n| 一 | 120 |\n合计______人次"),
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
            &Rich::parse("![禁止通行](img/sign-a.svg){width=20mm}"),
            Path::new("b/x.yaml"),
        );
        assert_eq!(text, "");
        assert_eq!(image.unwrap().width, "20mm");
        assert_eq!(
            option(&Rich::parse("18"), Path::new("x.yaml")),
            ("18".to_string(), None)
        );
        let note = note_paragraphs(
            &Rich::note("见下图：\n![图](a.png)\n完。"),
            Path::new("x.yaml"),
        );
        assert_eq!(note.len(), 3);
        assert!(note[1][0].image.is_some());
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
