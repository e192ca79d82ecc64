//! A table-of-contents entry: title, dotted leader and page number on one line.

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::Item;
use crate::render::layout::linebreak::{LineSpan, Piece, break_lines};
use crate::render::layout::paginate::Chunk;
use crate::render::layout::paragraph::LineBox;
use crate::render::markup::{Align, Inline};

impl Engine<'_> {
    pub(in crate::render::layout) fn entry(
        &self,
        runs: &[Inline],
        page: &str,
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let lh = self.line_height(size);
        let baseline = lh / 2.0 + size * 0.35;
        let page_w = self.text_width(page, FontRole::Body, size);
        let styled = self.styled(runs, size);
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        // A title too long for the line is cut at the first line; contents lines stay one line each.
        let avail = width - page_w - 2.0 * size;
        let span = break_lines(&pieces, avail, avail)
            .first()
            .copied()
            .unwrap_or(LineSpan {
                start: 0,
                end: 0,
                width: 0.0,
                last: true,
            });
        let mut items = self.line_items(
            &styled,
            &LineSpan { last: true, ..span },
            LineBox {
                x,
                y: baseline,
                avail,
                align: Align::Left,
                size,
            },
        );
        let dots_from = x + span.width + size * 0.5;
        let dots_to = x + width - page_w - size * 0.5;
        if dots_to > dots_from {
            items.push(Item::Line {
                x1: dots_from,
                y1: baseline,
                x2: dots_to,
                y2: baseline,
                width: 0.6,
                dashed: true,
            });
        }
        items.push(Item::Text {
            x: x + width - page_w,
            y: baseline,
            size,
            font: FontRole::Body,
            text: page.to_string().into(),
            spacing: 0.0,
        });
        Chunk {
            height: lh,
            items,
            ..Chunk::default()
        }
    }
}
