//! Answer-sheet bubbles: choice bubbles in blocks of five questions, and the 准考证号 digit grid.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::Item;
use crate::render::layout::paginate::Chunk;
use crate::render::layout::{Engine, MM};

impl Engine<'_> {
    /// One small bubble: a bracket-like box with its label centred, as on printed answer sheets.
    pub(in crate::render::layout) fn bubble(
        &self,
        label: &str,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        size: f32,
        items: &mut Vec<Item>,
    ) {
        items.push(Item::Rect {
            x,
            y,
            w,
            h,
            width: 0.5,
        });
        let lw = self.text_width(label, FontRole::Body, size);
        items.push(Item::Text {
            x: x + (w - lw) / 2.0,
            y: y + h / 2.0 + size * 0.35,
            size,
            font: FontRole::Body,
            text: label.to_string(),
            spacing: 0.0,
        });
    }

    /// Choice bubbles in blocks of five questions; blocks fill the width left to right, one chunk per row
    /// of blocks so a long sheet can break between rows.
    pub(in crate::render::layout) fn bubbles(
        &self,
        questions: &[(String, Vec<String>)],
        x: f32,
        width: f32,
        size: f32,
    ) -> Vec<Chunk> {
        let cell_w = 6.2 * MM;
        let bubble_w = 5.0 * MM;
        let row_h = 4.6 * MM;
        let bubble_h = 3.2 * MM;
        let number_w = 7.0 * MM;
        let gap = 4.0 * MM;
        let blocks: Vec<&[(String, Vec<String>)]> = questions.chunks(5).collect();
        let widest = questions
            .iter()
            .map(|(_, c)| c.len())
            .max()
            .unwrap_or(4)
            .max(1);
        let block_w = number_w + widest as f32 * cell_w;
        let per_row = (((width + gap) / (block_w + gap)).floor() as usize).max(1);
        let mut chunks = Vec::new();
        for row in blocks.chunks(per_row) {
            let mut items = Vec::new();
            let mut tallest = 0;
            for (b, block) in row.iter().enumerate() {
                let bx = x + b as f32 * (block_w + gap);
                // A thin frame around each block keeps the rows readable when scanned.
                items.push(Item::Rect {
                    x: bx - 1.0 * MM,
                    y: 0.6 * MM,
                    w: block_w + 1.0 * MM,
                    h: block.len() as f32 * row_h + 0.8 * MM,
                    width: 0.3,
                });
                for (r, (number, choices)) in block.iter().enumerate() {
                    let ry = 1.0 * MM + r as f32 * row_h;
                    let nw = self.text_width(number, FontRole::Body, size);
                    items.push(Item::Text {
                        x: bx + number_w - nw - 1.5 * MM,
                        y: ry + row_h / 2.0 + size * 0.35,
                        size,
                        font: FontRole::Body,
                        text: number.clone(),
                        spacing: 0.0,
                    });
                    for (k, choice) in choices.iter().enumerate() {
                        let cx = bx + number_w + k as f32 * cell_w;
                        self.bubble(
                            choice,
                            cx,
                            ry + (row_h - bubble_h) / 2.0,
                            bubble_w,
                            bubble_h,
                            size * 0.9,
                            &mut items,
                        );
                    }
                }
                tallest = tallest.max(block.len());
            }
            chunks.push(Chunk {
                height: tallest as f32 * row_h + 3.0 * MM,
                items,
                ..Chunk::default()
            });
        }
        chunks
    }

    /// The id grid: per digit a writing box, then bubbles 0–9 in a column.
    pub(in crate::render::layout) fn digits(
        &self,
        count: usize,
        value: &str,
        x: f32,
        width: f32,
        size: f32,
    ) -> Chunk {
        let col_w = 6.2 * MM;
        let bubble_w = 5.0 * MM;
        let bubble_h = 3.2 * MM;
        let row_h = 4.2 * MM;
        let box_h = 6.5 * MM;
        let total_w = count as f32 * col_w;
        let x0 = x + ((width - total_w) / 2.0).max(0.0);
        let mut items = vec![Item::Rect {
            x: x0 - 1.0 * MM,
            y: 0.0,
            w: total_w + 1.2 * MM,
            h: box_h + 10.0 * row_h + 2.0 * MM,
            width: 0.5,
        }];
        let written: Vec<char> = value.chars().collect();
        for d in 0..count {
            let cx = x0 + d as f32 * col_w;
            items.push(Item::Rect {
                x: cx,
                y: 1.0 * MM,
                w: bubble_w,
                h: box_h - 1.5 * MM,
                width: 0.5,
            });
            if let Some(c) = written.get(d) {
                let s = c.to_string();
                let lw = self.text_width(&s, FontRole::Body, size * 1.3);
                items.push(Item::Text {
                    x: cx + (bubble_w - lw) / 2.0,
                    y: 1.0 * MM + (box_h - 1.5 * MM) / 2.0 + size * 0.45,
                    size: size * 1.3,
                    font: FontRole::Body,
                    text: s,
                    spacing: 0.0,
                });
            }
            for n in 0..10 {
                let y = box_h + 1.0 * MM + n as f32 * row_h + (row_h - bubble_h) / 2.0;
                self.bubble(
                    &n.to_string(),
                    cx,
                    y,
                    bubble_w,
                    bubble_h,
                    size * 0.9,
                    &mut items,
                );
            }
        }
        Chunk {
            height: box_h + 10.0 * row_h + 3.0 * MM,
            items,
            ..Chunk::default()
        }
    }
}
