//! Paragraphs: characters measured in their face, broken into lines (linebreak), and each line set as
//! text runs with the slack of justified lines spread over the gaps next to CJK characters.

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::Item;
use crate::render::layout::linebreak::{LineSpan, Piece, break_lines};
use crate::render::layout::paginate::Chunk;
use crate::render::markup::{Align, Inline, Para};

/// A character (or blank) with its face and size, ready for line breaking.
#[derive(Debug, Clone, Copy)]
pub(in crate::render::layout) struct Styled {
    pub(in crate::render::layout) piece: Piece,
    pub(in crate::render::layout) role: FontRole,
    pub(in crate::render::layout) blank: bool,
}

impl Engine<'_> {
    pub(in crate::render::layout) fn text_width(
        &self,
        text: &str,
        role: FontRole,
        size: f32,
    ) -> f32 {
        text.chars()
            .map(|c| self.metrics.advance(role, c) * size)
            .sum()
    }

    pub(in crate::render::layout) fn line_height(&self, size: f32) -> f32 {
        size * self.setup.leading
    }

    pub(in crate::render::layout) fn styled(&self, runs: &[Inline], size: f32) -> Vec<Styled> {
        let mut out = Vec::new();
        for run in runs {
            match run {
                Inline::Text { text, role } => {
                    for c in text.chars() {
                        out.push(Styled {
                            piece: Piece {
                                c,
                                width: self.metrics.advance(*role, c) * size,
                            },
                            role: *role,
                            blank: false,
                        });
                    }
                }
                Inline::Blank { em } => out.push(Styled {
                    piece: Piece {
                        c: '\u{FFFC}',
                        width: em * size,
                    },
                    role: FontRole::Body,
                    blank: true,
                }),
                // A zero-width piece that line breaking ends a line after; it is never drawn.
                Inline::Break => out.push(Styled {
                    piece: Piece {
                        c: '\n',
                        width: 0.0,
                    },
                    role: FontRole::Body,
                    blank: false,
                }),
            }
        }
        out
    }

    /// Items for one line of styled pieces, starting at `x` on baseline `y` (relative), `avail` wide.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::render::layout) fn line_items(
        &self,
        styled: &[Styled],
        span: &LineSpan,
        x: f32,
        y: f32,
        avail: f32,
        align: Align,
        size: f32,
    ) -> Vec<Item> {
        let mut end = span.end;
        while end > span.start && matches!(styled[end - 1].piece.c, ' ' | '\n') {
            end -= 1;
        }
        let pieces = &styled[span.start..end];
        let slack = (avail - span.width).max(0.0);
        // Slack goes into the gaps next to CJK characters, blanks and spaces; a Latin word or a number
        // keeps its letters together (no letter-spacing inside "2025").
        let stretchy = |k: usize| -> bool {
            k + 1 < pieces.len() && (loose(&pieces[k]) || loose(&pieces[k + 1]))
        };
        let gaps = (0..pieces.len()).filter(|k| stretchy(*k)).count() as f32;
        let (mut cursor, spacing) = match align {
            Align::Center => (x + slack / 2.0, 0.0),
            Align::Right => (x + slack, 0.0),
            // A short forced line would look gappy; justify only when the slack is modest.
            Align::Justify if !span.last && gaps > 0.0 && slack / gaps <= size * 0.5 => {
                (x, slack / gaps)
            }
            _ => (x, 0.0),
        };
        let extra = |k: usize| if stretchy(k) { spacing } else { 0.0 };
        let mut items = Vec::new();
        let mut k = 0;
        while k < pieces.len() {
            let p = pieces[k];
            if p.piece.c == '\n' {
                k += 1;
                continue;
            }
            if p.blank {
                items.push(Item::Line {
                    x1: cursor,
                    y1: y + size * 0.2,
                    x2: cursor + p.piece.width,
                    y2: y + size * 0.2,
                    width: 0.6,
                    dashed: false,
                });
                cursor += p.piece.width + extra(k);
                k += 1;
                continue;
            }
            // One text run per face and spacing; the PDF applies the spacing after every glyph of a run.
            let mut text = String::new();
            let start_x = cursor;
            let run_spacing = extra(k);
            // A glyph may join the run when the glyph before it was followed by the run's spacing.
            loop {
                text.push(pieces[k].piece.c);
                let after = extra(k);
                cursor += pieces[k].piece.width + after;
                k += 1;
                if k == pieces.len()
                    || pieces[k].blank
                    || pieces[k].piece.c == '\n'
                    || pieces[k].role != p.role
                    || after != run_spacing
                {
                    break;
                }
            }
            items.push(Item::Text {
                x: start_x,
                y,
                size,
                font: p.role,
                text,
                spacing: run_spacing,
            });
        }
        items
    }

    /// Lays out a paragraph at `x`, `width` wide; one chunk per line.
    pub(in crate::render::layout) fn para_chunks(
        &self,
        para: &Para,
        x: f32,
        width: f32,
    ) -> Vec<Chunk> {
        let styled = self.styled(&para.runs, para.size);
        let lh = self.line_height(para.size);
        if styled.is_empty() {
            return vec![Chunk {
                height: lh,
                space_before: para.space_before,
                ..Chunk::default()
            }];
        }
        let first = para.first_indent * para.size;
        let rest = para.rest_indent * para.size;
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        let spans = break_lines(&pieces, width - first, width - rest);
        let baseline = lh / 2.0 + para.size * 0.35;
        let n = spans.len();
        let mut chunks: Vec<Chunk> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let indent = if i == 0 { first } else { rest };
                Chunk {
                    height: lh,
                    items: self.line_items(
                        &styled,
                        span,
                        x + indent,
                        baseline,
                        width - indent,
                        para.align,
                        para.size,
                    ),
                    // No orphan first line and no widow last line.
                    glue_next: n <= 3 || i == 0 || i + 2 == n,
                    ..Chunk::default()
                }
            })
            .collect();
        chunks[0].space_before = para.space_before;
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
            last.height += para.space_after;
        }
        chunks
    }
}

/// Whether justification may widen the gap beside this piece: CJK text, blanks and spaces, not Latin letters
/// or digits inside a word.
fn loose(p: &Styled) -> bool {
    p.blank || p.piece.c == ' ' || crate::util::chars::is_cjk(p.piece.c)
}
