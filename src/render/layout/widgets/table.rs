//! Ruled tables (the score table, the key's answer grid, the report's class list).

use crate::render::layout::Engine;
use crate::render::layout::frame::{Item, shift};
use crate::render::layout::linebreak::{LineSpan, Piece};
use crate::render::layout::paginate::{Chunk, Header};
use crate::render::markup::{Align, Table};

impl Engine<'_> {
    pub(in crate::render::layout) fn table(&self, t: &Table, x: f32, width: f32) -> Vec<Chunk> {
        let total_width = width * t.width_share;
        let x0 = x + (width - total_width) / 2.0;
        let sum: f32 = t.widths.iter().sum();
        let cols: Vec<f32> = t.widths.iter().map(|w| w / sum * total_width).collect();
        let h = t.row_em * t.size;
        let baseline = h / 2.0 + t.size * 0.35;
        let mut chunks = Vec::new();
        for (r, row) in t.rows.iter().enumerate() {
            let mut items = vec![Item::Rect {
                x: x0,
                y: 0.0,
                w: cols.iter().take(row.len().max(1)).sum(),
                h,
                width: 0.6,
            }];
            let mut cx = x0;
            for (c, cell) in row.iter().enumerate() {
                let w = cols[c];
                if c > 0 {
                    items.push(Item::Line {
                        x1: cx,
                        y1: 0.0,
                        x2: cx,
                        y2: h,
                        width: 0.6,
                        dashed: false,
                    });
                }
                let styled = self.styled(&cell.runs, t.size);
                if !styled.is_empty() {
                    let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
                    let natural: f32 = pieces.iter().map(|p| p.width).sum();
                    let span = LineSpan {
                        start: 0,
                        end: pieces.len(),
                        width: natural,
                        last: true,
                    };
                    items.extend(self.line_items(
                        &styled,
                        &span,
                        cx + 2.0,
                        baseline,
                        w - 4.0,
                        Align::Center,
                        t.size,
                    ));
                }
                cx += w;
            }
            chunks.push(Chunk {
                height: h,
                items,
                glue_next: (r + 1) % t.keep_rows != 0,
                ..Chunk::default()
            });
        }
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
        }
        // A table that runs onto another page repeats its header there; the header stays with a first row.
        let header_rows = t.header_rows.min(chunks.len().saturating_sub(1));
        if header_rows > 0 {
            let header = std::rc::Rc::new(Header {
                height: chunks[..header_rows].iter().map(|c| c.height).sum(),
                items: chunks[..header_rows]
                    .iter()
                    .scan(0.0, |y, c| {
                        let items: Vec<Item> = c.items.iter().map(|i| shift(i, *y)).collect();
                        *y += c.height;
                        Some(items)
                    })
                    .flatten()
                    .collect(),
            });
            for c in &mut chunks[..header_rows] {
                c.glue_next = true;
            }
            for c in &mut chunks[header_rows..] {
                c.header = Some(header.clone());
            }
        }
        chunks
    }
}
