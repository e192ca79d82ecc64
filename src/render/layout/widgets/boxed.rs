//! A framed box of blocks with an optional title (the notice to candidates, a handout's key box).

use crate::render::fonts::FontRole;
use crate::render::layout::Engine;
use crate::render::layout::frame::{Item, moved};
use crate::render::layout::paginate::Chunk;
use crate::render::markup::{Align, Block, Inline, Para};

impl Engine<'_> {
    pub(in crate::render::layout) fn boxed(
        &self,
        title: Option<&str>,
        blocks: &[Block],
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let pad = size;
        let mut inner = Vec::new();
        if let Some(title) = title {
            let para = Para {
                runs: vec![Inline::Text {
                    text: title.to_string(),
                    role: FontRole::Heading,
                }],
                size,
                align: Align::Center,
                first_indent: 0.0,
                rest_indent: 0.0,
                space_before: 0.0,
                space_after: 0.0,
            };
            inner.extend(self.para_chunks(&para, x + pad, width - 2.0 * pad));
        }
        for b in blocks {
            self.block(b, x + pad, width - 2.0 * pad, &mut inner);
        }
        let mut items = Vec::new();
        let mut y = pad * 0.6;
        for c in inner {
            y += c.space_before;
            items.extend(c.items.into_iter().map(|i| moved(i, y)));
            y += c.height;
        }
        let height = y + pad * 0.6;
        items.push(Item::Rect {
            x,
            y: 0.0,
            w: width,
            h: height,
            width: 0.8,
        });
        Chunk {
            height,
            items,
            ..Chunk::default()
        }
    }
}
