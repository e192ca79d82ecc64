//! A part heading with a score box (得分/评卷人 cells; the labels are the template's) at its left.

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::{Item, moved};
use crate::render::layout::paginate::Chunk;
use crate::render::markup::Para;

impl Engine<'_> {
    /// A part heading with a score box at its left (得分 | 评卷人 on formal papers): a row of labels over a
    /// row of empty cells to write in.
    pub(in crate::render::layout) fn scorebox_heading(
        &self,
        para: &Para,
        labels: &[String],
        x: f32,
        width: f32,
    ) -> Chunk {
        let size = 9.0;
        let cell_w = 3.4 * size;
        let row_h = 1.9 * size;
        let box_w = labels.len() as f32 * cell_w;
        let mut items = Vec::new();
        let blank = vec![String::new(); labels.len()];
        for (r, labels) in [labels, &blank[..]].iter().enumerate() {
            let y = para.space_before + r as f32 * row_h;
            items.push(Item::Rect {
                x,
                y,
                w: box_w,
                h: row_h,
                width: 0.6,
            });
            for c in 1..labels.len() {
                let cx = x + c as f32 * cell_w;
                items.push(Item::Line {
                    x1: cx,
                    y1: y,
                    x2: cx,
                    y2: y + row_h,
                    width: 0.6,
                    dashed: false,
                });
            }
            for (c, label) in labels.iter().enumerate() {
                if !label.is_empty() {
                    let lw = self.text_width(label, FontRole::Body, size);
                    items.push(Item::Text {
                        x: x + c as f32 * cell_w + (cell_w - lw) / 2.0,
                        y: y + row_h / 2.0 + size * 0.35,
                        size,
                        font: FontRole::Body,
                        text: label.as_str().into(),
                        spacing: 0.0,
                    });
                }
            }
        }
        let text_x = x + box_w + para.size;
        let mut y = para.space_before + (2.0 * row_h - self.line_height(para.size)) / 2.0;
        let inner = Para {
            space_before: 0.0,
            ..para.clone()
        };
        for chunk in self.para_chunks(&inner, text_x, width - box_w - para.size) {
            items.extend(chunk.items.into_iter().map(|i| moved(i, y)));
            y += chunk.height;
        }
        let height = (para.space_before + 2.0 * row_h).max(y) + 0.3 * para.size;
        Chunk {
            height,
            items,
            ..Chunk::default()
        }
    }
}
