//! Rich text: a bank text field (stem, option, explanation, table cell, note) parsed once, when the bank
//! loads, into blocks — paragraphs of runs (text, key phrases, answer slots, blanks, line breaks, images)
//! and tables. The papers, Word files, exporters and checks read these runs; none parses the markup again.
//! Every run keeps the byte range of the field's text it was read from, which `check` turns into
//! file:line:column.
//!
//! Formulas (`$…$`) are to come as one more [`Inline`] variant, parsed here with the rest; every consumer
//! matches `Inline` exhaustively, so the compiler names each place that must decide how a formula prints.

use std::ops::Range;

use super::{answer_slots, blank_spans, key_phrase_runs, note_paragraphs_text};
use crate::input::figures::{self, FigureBlock, ImageRef, MarkupProblem, Piece};

/// One text field of the bank, as typed and as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rich {
    /// The field as the bank stores it (trimmed as the loader trims it): what the exporters write back
    /// as bank markup and what quotes are matched against.
    source: String,
    blocks: Vec<Block>,
    /// Every image of the field (outside tables), with its span in `source`, for loading and checking.
    images: Vec<ImageRef>,
    /// Problems with figure markup, for `check` to report where they are.
    problems: Vec<MarkupProblem>,
    /// The field holds figure markup (an image or a pipe table). Plain fields take the plain paths of the
    /// printers, which predate figures, so their papers print byte for byte as they always have.
    figures: bool,
}

/// A paragraph of runs, or a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Text and inline images; a paragraph that is one image alone prints centred on its own line.
    Para(Vec<Run>),
    Table(Table),
}

/// A pipe table; its first row is the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub rows: Vec<Vec<Rich>>,
    /// Where the table's lines are in the field.
    pub span: Range<usize>,
}

/// One run of a paragraph and where it was typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub inline: Inline,
    /// Bytes of the field's text this run was read from (for a note's runs, whose lines are joined into
    /// paragraphs, the best match: the run's own text where it stands as typed).
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Text as typed (within one line).
    Text(String),
    /// A key phrase of a note (`**…**`), without its markers.
    Key(String),
    /// An answer slot as typed: a bracket holding only spaces or underscores (（　）, (  ), 【__】). `blanks`
    /// are the runs of three or more `_` inside it (byte ranges into `typed`), which a fill-in-the-blank
    /// stem prints as blanks.
    Slot {
        typed: String,
        blanks: Vec<Range<usize>>,
    },
    /// A blank: three or more `_`, as typed.
    Blank(String),
    /// A line break typed inside a paragraph.
    Break,
    Image(ImageRef),
    // `$…$` formulas (issue #30) go here as `Math(…)`.
}

impl Run {
    /// The text this run prints where markup is printed as typed: text, a slot or blank as typed, a
    /// line break as `\n`; an image prints nothing.
    pub fn typed(&self) -> &str {
        match &self.inline {
            Inline::Text(t) | Inline::Key(t) | Inline::Blank(t) => t,
            Inline::Slot { typed, .. } => typed,
            Inline::Break => "\n",
            Inline::Image(_) => "",
        }
    }
}

impl Rich {
    /// Parses a stem, option, explanation or table cell: figures, then per line answer slots and blanks.
    pub fn parse(text: &str) -> Rich {
        Rich::parse_at(text, 0)
    }

    /// Parses `text`, which stands at byte `base` of the field it belongs to (a table cell), so spans
    /// point into that field.
    fn parse_at(text: &str, base: usize) -> Rich {
        let figures = figures::has_figures(text);
        let (parsed, problems) = if figures {
            figures::parse(text)
        } else {
            (
                vec![FigureBlock::Para(vec![Piece::Text(text.to_string())])],
                Vec::new(),
            )
        };
        let mut blocks = Vec::new();
        let mut images = Vec::new();
        let mut cursor = 0;
        for block in parsed {
            match block {
                FigureBlock::Table { rows, span } => {
                    let mut at = span.start;
                    let rows = rows
                        .iter()
                        .map(|row| {
                            row.iter()
                                .map(|cell| {
                                    at = locate(text, at, cell);
                                    let rich = Rich::parse_at(cell, base + at);
                                    at += cell.len();
                                    rich
                                })
                                .collect()
                        })
                        .collect();
                    cursor = span.end;
                    blocks.push(Block::Table(Table {
                        rows,
                        span: base + span.start..base + span.end,
                    }));
                }
                FigureBlock::Para(pieces) => {
                    let mut runs = Vec::new();
                    for piece in pieces {
                        match piece {
                            Piece::Image(image) => {
                                cursor = image.span.end;
                                images.push(image.clone());
                                runs.push(Run {
                                    span: base + image.span.start..base + image.span.end,
                                    inline: Inline::Image(image),
                                });
                            }
                            Piece::Text(piece) => {
                                let at = locate(text, cursor, &piece);
                                text_runs(&piece, base + at, &mut runs);
                                cursor = at + piece.len();
                            }
                        }
                    }
                    blocks.push(Block::Para(runs));
                }
            }
        }
        Rich {
            source: text.to_string(),
            blocks,
            images,
            problems,
            figures,
        }
    }

    /// Parses a note's text: paragraphs at blank lines (a line that is only an image is a paragraph of
    /// its own), the lines of a paragraph joined, key phrases marked, images split out. A paragraph whose
    /// `**` do not pair (the loader reports it) stays plain text.
    pub fn note(text: &str) -> Rich {
        let figures = figures::has_figures(text);
        let (images, problems) = if figures {
            (figures::images(text), figures::parse(text).1)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut cursor = 0;
        let blocks = note_paragraphs_text(&image_lines_apart(text))
            .into_iter()
            .map(|p| {
                let runs = key_phrase_runs(&p).unwrap_or_else(|| vec![(p.clone(), false)]);
                // A paragraph with an image has every run read for figures (blank runs then vanish).
                let split = runs.iter().any(|(r, _)| r.contains("!["));
                let mut out = Vec::new();
                for (run, key) in runs {
                    note_run(text, &mut cursor, (run, key), split, &mut out);
                }
                Block::Para(out)
            })
            .collect();
        Rich {
            source: text.to_string(),
            blocks,
            images,
            problems,
            figures,
        }
    }

    /// The field as typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Whether the field holds figure markup (images or tables).
    pub fn has_figures(&self) -> bool {
        self.figures
    }

    /// The field's images outside tables, in order, with their spans in the field.
    pub fn images(&self) -> &[ImageRef] {
        &self.images
    }

    pub fn problems(&self) -> &[MarkupProblem] {
        &self.problems
    }

    /// The runs of every paragraph, in order (tables left out).
    pub fn runs(&self) -> impl Iterator<Item = &Run> {
        self.blocks.iter().flat_map(|b| match b {
            Block::Para(runs) => runs.as_slice(),
            Block::Table(_) => &[],
        })
    }

    /// The paragraphs (a note's paragraphs; tables left out).
    pub fn paragraphs(&self) -> impl Iterator<Item = &[Run]> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Para(runs) => Some(runs.as_slice()),
            Block::Table(_) => None,
        })
    }

    /// The text with its images taken out, trimmed (for places that print plain text: answer grids,
    /// table cells, GIFT, the grade report).
    pub fn text_without_images(&self) -> String {
        if self.images.is_empty() {
            return if self.source.contains("![") {
                self.source.trim().to_string()
            } else {
                self.source.clone()
            };
        }
        let mut out = self.source.clone();
        for image in self.images.iter().rev() {
            out.replace_range(image.span.clone(), "");
        }
        out.trim().to_string()
    }

    /// The text a reader reads: every paragraph's runs as typed (a note's key phrases without their
    /// `**`, its lines joined), images left out, paragraphs one after another.
    pub fn plain_text(&self) -> String {
        self.runs().map(Run::typed).collect()
    }

    /// Byte ranges of the answer slots, in order, tables included.
    pub fn slot_spans(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        self.visit(&mut |run| {
            if let Inline::Slot { .. } = run.inline {
                out.push(run.span.clone());
            }
        });
        out
    }

    /// Byte ranges of the blanks (runs of three or more `_`, inside a slot too), in order, tables included.
    pub fn blank_spans(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        self.visit(&mut |run| match &run.inline {
            Inline::Blank(_) => out.push(run.span.clone()),
            Inline::Slot { blanks, .. } => out.extend(
                blanks
                    .iter()
                    .map(|b| run.span.start + b.start..run.span.start + b.end),
            ),
            _ => {}
        });
        out
    }

    /// Where a candidate sees a gap: every slot, and every blank outside a slot, in order.
    pub fn gap_spans(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        self.visit(&mut |run| {
            if let Inline::Slot { .. } | Inline::Blank(_) = run.inline {
                out.push(run.span.clone());
            }
        });
        out.sort_by_key(|s| s.start);
        out
    }

    /// The key phrases of a note, in order.
    pub fn key_phrases(&self) -> Vec<String> {
        self.runs()
            .filter_map(|r| match &r.inline {
                Inline::Key(k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every run of every paragraph, table cells included, in the order typed.
    fn visit(&self, f: &mut dyn FnMut(&Run)) {
        for block in &self.blocks {
            match block {
                Block::Para(runs) => runs.iter().for_each(&mut *f),
                Block::Table(table) => {
                    for cell in table.rows.iter().flatten() {
                        cell.visit(f);
                    }
                }
            }
        }
    }
}

/// A stem, option or explanation parsed from its text (tools and tests that build questions in code).
impl From<&str> for Rich {
    fn from(text: &str) -> Rich {
        Rich::parse(text)
    }
}

impl From<String> for Rich {
    fn from(text: String) -> Rich {
        Rich::parse(&text)
    }
}

/// The field as typed.
impl std::fmt::Display for Rich {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq<str> for Rich {
    fn eq(&self, other: &str) -> bool {
        self.source == other
    }
}

impl PartialEq<&str> for Rich {
    fn eq(&self, other: &&str) -> bool {
        self.source == *other
    }
}

/// Where `piece` stands in `text` at or after `from` (pieces come in the order typed); `from` when it
/// does not stand there as typed (a table cell with `\|` in it).
fn locate(text: &str, from: usize, piece: &str) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(piece))
        .map_or(from, |i| from + i)
}

/// Splits one piece of text (between images) into runs: line breaks, then per line answer slots (with
/// any blanks inside them), blanks and text. Slots and blanks never span a line.
fn text_runs(piece: &str, at: usize, runs: &mut Vec<Run>) {
    let mut start = at;
    for (i, line) in piece.split('\n').enumerate() {
        if i > 0 {
            runs.push(Run {
                inline: Inline::Break,
                span: start - 1..start,
            });
        }
        line_runs(line, start, runs);
        start += line.len() + 1;
    }
}

fn line_runs(line: &str, at: usize, runs: &mut Vec<Run>) {
    let slots = answer_slots(line);
    let blanks = blank_spans(line);
    let mut gaps: Vec<(Range<usize>, bool)> = slots.iter().map(|s| (s.clone(), true)).collect();
    gaps.extend(
        blanks
            .iter()
            .filter(|b| !slots.iter().any(|s| s.start <= b.start && b.end <= s.end))
            .map(|b| (b.clone(), false)),
    );
    gaps.sort_by_key(|(s, _)| s.start);
    let mut last = 0;
    let text = |runs: &mut Vec<Run>, r: Range<usize>| {
        if r.start < r.end {
            runs.push(Run {
                inline: Inline::Text(line[r.clone()].to_string()),
                span: at + r.start..at + r.end,
            });
        }
    };
    for (gap, slot) in gaps {
        text(runs, last..gap.start);
        let typed = line[gap.clone()].to_string();
        let inline = if slot {
            Inline::Slot {
                blanks: blanks
                    .iter()
                    .filter(|b| gap.start <= b.start && b.end <= gap.end)
                    .map(|b| b.start - gap.start..b.end - gap.start)
                    .collect(),
                typed,
            }
        } else {
            Inline::Blank(typed)
        };
        runs.push(Run {
            inline,
            span: at + gap.start..at + gap.end,
        });
        last = gap.end;
    }
    text(runs, last..line.len());
}

/// Note text with every line that is only an image set apart by blank lines, so it is a paragraph of its
/// own (printed centred).
fn image_lines_apart(text: &str) -> String {
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

/// One run of a note paragraph (its text, whether it is a key phrase), split at its images when `split`.
fn note_run(
    source: &str,
    cursor: &mut usize,
    (run, key): (String, bool),
    split: bool,
    out: &mut Vec<Run>,
) {
    let mut push = |inline: Inline, typed: &str| {
        let at = locate(source, *cursor, typed);
        let found = source.get(at..).is_some_and(|s| s.starts_with(typed));
        let span = if found { at..at + typed.len() } else { at..at };
        *cursor = span.end;
        out.push(Run { inline, span });
    };
    if !split {
        let inline = if key {
            Inline::Key(run.clone())
        } else {
            Inline::Text(run.clone())
        };
        push(inline, &run);
        return;
    }
    let (blocks, _) = figures::parse(&run);
    for block in blocks {
        if let FigureBlock::Para(pieces) = block {
            for piece in pieces {
                match piece {
                    Piece::Text(text) if key => push(Inline::Key(text.clone()), &text),
                    Piece::Text(text) => push(Inline::Text(text.clone()), &text),
                    Piece::Image(image) => {
                        let typed = run[image.span.clone()].to_string();
                        push(Inline::Image(image), &typed)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inlines(rich: &Rich) -> Vec<Inline> {
        rich.runs().map(|r| r.inline.clone()).collect()
    }

    #[test]
    fn a_stem_parses_into_text_slots_blanks_and_breaks_with_their_spans() {
        let text = "每万人______人，\n标准是（　）人（___）。";
        let rich = Rich::parse(text);
        assert!(!rich.has_figures());
        let runs: Vec<&Run> = rich.runs().collect();
        assert_eq!(runs[0].inline, Inline::Text("每万人".into()));
        assert_eq!(runs[1].inline, Inline::Blank("______".into()));
        assert_eq!(&text[runs[1].span.clone()], "______");
        assert_eq!(runs[3].inline, Inline::Break);
        assert_eq!(&text[runs[5].span.clone()], "（　）");
        let Inline::Slot { typed, blanks } = &runs[7].inline else {
            panic!("{runs:?}")
        };
        assert_eq!(&typed[blanks[0].clone()], "___");
        assert_eq!(rich.slot_spans().len(), 2);
        // The blank inside the last slot counts as a blank, and as a gap only once.
        assert_eq!(rich.blank_spans().len(), 2);
        assert_eq!(rich.gap_spans().len(), 3);
        let concat: String = rich.runs().map(Run::typed).collect();
        assert_eq!(concat, text);
    }

    #[test]
    fn figures_and_table_cells_keep_spans_into_the_whole_field() {
        let text = "见图：![图](img/a.png){width=50%}\n| 季度 | 人次（　） |\n|---|---|\n| 一 | 120 |\n合计___人";
        let rich = Rich::parse(text);
        assert!(rich.has_figures());
        assert_eq!(rich.images().len(), 1);
        let Block::Table(table) = &rich.blocks()[1] else {
            panic!("{:?}", rich.blocks())
        };
        assert_eq!(table.rows[0][1].source(), "人次（　）");
        let slot = rich.slot_spans()[0].clone();
        assert_eq!(&text[slot], "（　）");
        assert_eq!(&text[rich.blank_spans()[0].clone()], "___");
        assert_eq!(
            Rich::parse("A![x](a.png)B").text_without_images(),
            "AB".to_string()
        );
    }

    #[test]
    fn a_note_is_paragraphs_of_text_key_phrases_and_images() {
        let text = "按**每万人18人**配备，\n到2025年。\n\n![流程](img/flow.svg)\n第二段";
        let rich = Rich::note(text);
        let paragraphs: Vec<&[Run]> = rich.paragraphs().collect();
        assert_eq!(paragraphs.len(), 3);
        assert_eq!(paragraphs[0][1].inline, Inline::Key("每万人18人".into()));
        assert_eq!(&text[paragraphs[0][1].span.clone()], "每万人18人");
        assert!(matches!(paragraphs[1][0].inline, Inline::Image(_)));
        assert_eq!(inlines(&Rich::note("a **b** c")).len(), 3);
        assert_eq!(rich.key_phrases(), vec!["每万人18人"]);
    }
}
