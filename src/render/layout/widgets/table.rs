//! Ruled tables (the score table, the key's answer grid, the report's class list, tables in stems): cells
//! that are too long for their column wrap onto more lines, and their row grows to hold them.

use crate::render::layout::Engine;
use crate::render::layout::frame::{Item, shift};
use crate::render::layout::linebreak::{LineSpan, Piece, break_lines};
use crate::render::layout::paginate::{Chunk, Header};
use crate::render::layout::paragraph::LineBox;
use crate::render::layout::spacing::Styled;
use crate::render::markup::{Align, Cell, Table};

/// Space between a cell's rule and its text, in points.
const CELL_PAD: f32 = 2.0;

impl Engine<'_> {
    pub(in crate::render::layout) fn table(&self, t: &Table, x: f32, width: f32) -> Vec<Chunk> {
        let total_width = width * t.width_share;
        let x0 = x + (width - total_width) / 2.0;
        let sum: f32 = t.widths.iter().sum();
        let cols: Vec<f32> = t.widths.iter().map(|w| w / sum * total_width).collect();
        let h = t.row_em * t.size;
        let lh = self.line_height(t.size);
        let mut chunks = Vec::new();
        for (r, row) in t.rows.iter().enumerate() {
            // Each cell's lines first: the row is as tall as its tallest cell, at least `row-height`.
            let cells: Vec<_> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| self.cell_lines(cell, cols[c] - 2.0 * CELL_PAD, t.size))
                .collect();
            let most = cells.iter().map(|(_, s)| s.len()).max().unwrap_or(1);
            let row_h = if most <= 1 {
                h
            } else {
                h.max(most as f32 * lh + t.size * 0.6)
            };
            let mut items = vec![Item::Rect {
                x: x0,
                y: 0.0,
                w: cols.iter().take(row.len().max(1)).sum(),
                h: row_h,
                width: 0.6,
            }];
            let mut cx = x0;
            for (c, (styled, spans)) in cells.iter().enumerate() {
                let w = cols[c];
                if c > 0 {
                    items.push(Item::Line {
                        x1: cx,
                        y1: 0.0,
                        x2: cx,
                        y2: row_h,
                        width: 0.6,
                        dashed: false,
                    });
                }
                if !styled.is_empty() {
                    let top = (row_h - spans.len() as f32 * lh) / 2.0;
                    // A wrapped cell reads as a paragraph; a one-line cell stays centred.
                    let align = if spans.len() > 1 {
                        Align::Left
                    } else {
                        Align::Center
                    };
                    for (i, span) in spans.iter().enumerate() {
                        let baseline = if spans.len() == 1 {
                            row_h / 2.0 + t.size * 0.35
                        } else {
                            top + i as f32 * lh + lh / 2.0 + t.size * 0.35
                        };
                        items.extend(self.line_items(
                            styled,
                            span,
                            LineBox {
                                x: cx + CELL_PAD,
                                y: baseline,
                                avail: w - 2.0 * CELL_PAD,
                                align,
                                size: t.size,
                            },
                        ));
                    }
                }
                cx += w;
            }
            chunks.push(Chunk {
                height: row_h,
                items,
                glue_next: (r + 1) % t.keep_rows != 0,
                ..Chunk::default()
            });
        }
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
        }
        repeat_header(&mut chunks, t.header_rows);
        chunks
    }

    /// A cell's styled pieces and its lines, `inner` wide.
    fn cell_lines(&self, cell: &Cell, inner: f32, size: f32) -> (Vec<Styled>, Vec<LineSpan>) {
        let styled = self.styled(&cell.runs, size);
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        let natural: f32 = pieces.iter().map(|p| p.width).sum();
        let spans = if natural <= inner || pieces.is_empty() {
            // One line, even a slightly over-full one, as before wrapping existed.
            vec![LineSpan {
                start: 0,
                end: pieces.len(),
                width: natural,
                last: true,
            }]
        } else {
            break_lines(&pieces, inner, inner)
        };
        (styled, spans)
    }
}

/// A table that runs onto another page repeats its header there; the header stays with a first row.
fn repeat_header(chunks: &mut [Chunk], header_rows: usize) {
    let header_rows = header_rows.min(chunks.len().saturating_sub(1));
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
}

#[cfg(test)]
mod tests {
    use crate::render::fonts::FontRole;
    use crate::render::layout::{Item, Metrics, PageSetup, layout};
    use crate::render::markup::{Block, Cell, Document, Inline, Table};

    struct Fixed;
    impl Metrics for Fixed {
        fn advance(&self, _: FontRole, _: char) -> f32 {
            1.0
        }
        fn ink(&self, _: FontRole, _: char) -> Option<(f32, f32)> {
            None
        }
    }

    fn cell(text: &str) -> Cell {
        Cell {
            runs: vec![Inline::Text {
                text: text.into(),
                role: FontRole::Body,
            }],
        }
    }

    #[test]
    fn a_long_table_cell_wraps_inside_its_column_and_its_row_grows() {
        let long = "为辖区内六十周岁以上独居、空巢老人提供每日午餐配送与集中就餐服务";
        let table = Table {
            widths: vec![1.0, 1.0, 1.0],
            rows: vec![
                vec![cell("项目"), cell("人次"), cell("内容")],
                vec![cell("长者助餐"), cell("1200"), cell(long)],
            ],
            size: 10.5,
            row_em: 2.0,
            keep_rows: 1,
            width_share: 1.0,
            header_rows: 0,
        };
        let doc = Document {
            title: String::new(),
            footer: None,
            duplex: false,
            blank_page_text: String::new(),
            corner_marks: false,
            seal_warning: String::new(),
            seal_fields: Vec::new(),
            autospace: false,
            continued: None,
            blocks: vec![Block::Table(table)],
        };
        let setup = PageSetup::a4();
        let l = layout(&doc, &Fixed, &setup);
        let rects: Vec<(f32, f32)> = l.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rect { y, h, .. } => Some((*y, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(rects[0].1, 21.0, "a one-line row keeps its height");
        assert!(rects[1].1 > 2.0 * 21.0, "the wrapped row grows: {rects:?}");
        let column = setup.column_width() / 3.0;
        let third = setup.left + 2.0 * column;
        let pieces: Vec<(f32, f32, String)> = l.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, y, text, .. } if *x >= third => Some((*x, *y, text.to_string())),
                _ => None,
            })
            .collect();
        // The cell's lines, top to bottom, hold the whole text and stay inside the column.
        let lines: Vec<_> = pieces.iter().filter(|p| p.1 > rects[1].0).collect();
        assert!(lines.len() >= 2, "{pieces:?}");
        assert_eq!(lines.iter().map(|p| p.2.as_str()).collect::<String>(), long);
        for (x, y, text) in &lines {
            assert!(x + text.chars().count() as f32 * 10.5 <= third + column + 0.01);
            assert!(*y < rects[1].0 + rects[1].1);
        }
    }
}
