//! The 姓名/准考证号 line: labels with write-on lines, values printed on them when known.

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::Item;
use crate::render::layout::paginate::Chunk;
use crate::render::layout::stamp::{Stamp, StampBox, placeholders_in};

impl Engine<'_> {
    pub(in crate::render::layout) fn fields(
        &self,
        fields: &[crate::render::markup::Field],
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let lh = self.line_height(size) * 1.4;
        let gap = 2.0 * size;
        let label = |f: &crate::render::markup::Field| format!("{}：", f.label);
        let total: f32 = fields
            .iter()
            .map(|f| self.text_width(&label(f), FontRole::Body, size) + f.em * size)
            .sum::<f32>()
            + gap * fields.len().saturating_sub(1) as f32;
        let mut cursor = x + ((width - total) / 2.0).max(0.0);
        let baseline = lh / 2.0 + size * 0.35;
        let mut items = Vec::new();
        for f in fields {
            let text = label(f);
            let w = self.text_width(&text, FontRole::Body, size);
            items.push(Item::Text {
                x: cursor,
                y: baseline,
                size,
                font: FontRole::Body,
                text: text.into(),
                spacing: 0.0,
            });
            cursor += w;
            if placeholders_in(&f.value) > 0 {
                // A class's document laid out once: the box is kept for each student's value.
                let stamp = Stamp::Field {
                    x: cursor,
                    y: baseline,
                    w: f.em * size,
                    size,
                };
                items.push(Item::Stamp(StampBox::new(stamp, f.value.clone())));
            } else if !f.value.is_empty() {
                items.push(self.field_value(f.value.clone(), cursor, baseline, f.em * size, size));
            }
            items.push(Item::Line {
                x1: cursor,
                y1: baseline + 2.0,
                x2: cursor + f.em * size,
                y2: baseline + 2.0,
                width: 0.6,
                dashed: false,
            });
            cursor += f.em * size + gap;
        }
        Chunk {
            height: lh,
            items,
            ..Chunk::default()
        }
    }
}
