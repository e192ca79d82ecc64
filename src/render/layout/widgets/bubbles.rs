//! Answer-sheet bubbles: choice bubbles in blocks of five questions, and the sheet's identification row —
//! the 试卷类型 bubbles, the 准考证号 digit grid and the QR code. Every bubble and the QR code also leave a
//! [`Spot`] with their exact printed box, which the workflow writes into the manifest for the scanner.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::{Item, Spot, SpotBox};
use crate::render::layout::paginate::Chunk;
use crate::render::layout::stamp::{Stamp, StampBox, placeholders_in};
use crate::render::layout::{Engine, MM};

impl Engine<'_> {
    /// One small bubble: a bracket-like box with its label centred, as on printed answer sheets; its spot
    /// is the outline's own rectangle, which is what the scanner measures inside.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::render::layout) fn bubble(
        &self,
        label: &str,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        size: f32,
        spot: Spot,
        items: &mut Vec<Item>,
    ) {
        items.push(Item::Rect {
            x,
            y,
            w,
            h,
            width: 0.5,
        });
        items.push(Item::Spot(SpotBox { x, y, w, h, spot }));
        let lw = self.text_width(label, FontRole::Body, size);
        items.push(Item::Text {
            x: x + (w - lw) / 2.0,
            y: y + h / 2.0 + size * 0.35,
            size,
            font: FontRole::Body,
            text: label.into(),
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
                        text: number.as_str().into(),
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
                            Spot::Answer {
                                question: number.clone(),
                                option: choice.clone(),
                            },
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

    /// The id grid: per digit a writing box, then bubbles 0–9 in a column; the 试卷类型 row to its left
    /// and the QR code to its right when given.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::render::layout) fn digits(
        &self,
        count: usize,
        value: &str,
        qr: &str,
        variants: &[String],
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
        // A class's sheet laid out once: each column keeps a box for each student's digit.
        let reserved = placeholders_in(value) > 0;
        for d in 0..count {
            let cx = x0 + d as f32 * col_w;
            items.push(Item::Rect {
                x: cx,
                y: 1.0 * MM,
                w: bubble_w,
                h: box_h - 1.5 * MM,
                width: 0.5,
            });
            let digit_y = 1.0 * MM + (box_h - 1.5 * MM) / 2.0 + size * 0.45;
            if reserved {
                let stamp = Stamp::IdDigit {
                    column: d,
                    x: cx,
                    y: digit_y,
                    w: bubble_w,
                    size: size * 1.3,
                };
                items.push(Item::Stamp(StampBox::new(stamp, value.to_string())));
            } else if let Some(c) = written.get(d) {
                items.push(self.id_digit(*c, cx, digit_y, bubble_w, size * 1.3));
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
                    Spot::IdDigit {
                        column: d as u32,
                        digit: n,
                    },
                    &mut items,
                );
            }
        }
        let grid_h = box_h + 10.0 * row_h + 2.0 * MM;
        if !variants.is_empty() {
            self.variant_row(variants, x, grid_h * 0.35, size, &mut items);
        }
        if !qr.is_empty() {
            // Right-aligned, well clear of the grid: the code needs ~3 mm of white around it.
            let side = QR_SIDE_MM * MM;
            let qx = x + width - side;
            if qx > x0 + total_w + 4.0 * MM {
                qr_items(&self.with_sheet_page(qr), qx, 1.0 * MM, side, &mut items);
            }
        }
        Chunk {
            height: box_h + 10.0 * row_h + 3.0 * MM,
            items,
            ..Chunk::default()
        }
    }

    /// The 试卷类型 row: its label, then one bubble per variant letter.
    fn variant_row(&self, letters: &[String], x: f32, y: f32, size: f32, items: &mut Vec<Item>) {
        let label = "试卷类型";
        items.push(Item::Text {
            x,
            y,
            size: size * 1.1,
            font: FontRole::Heading,
            text: label.into(),
            spacing: 0.0,
        });
        for (k, letter) in letters.iter().enumerate() {
            self.bubble(
                letter,
                x + k as f32 * 6.2 * MM,
                y + 2.5 * MM,
                5.0 * MM,
                3.2 * MM,
                size * 0.9,
                Spot::Variant {
                    letter: letter.clone(),
                },
                items,
            );
        }
    }
}

/// The printed QR code's side (modules only), mm: ~0.7 mm a module for the ~30-module codes sheets carry,
/// four pixels a module at 150 dpi.
const QR_SIDE_MM: f32 = 20.0;

/// The QR code of `text` as filled squares in a `side`-point square at (x, y): each row's run of dark
/// modules is one rectangle, so the PDF stays small and the modules meet without hairline gaps.
fn qr_items(text: &str, x: f32, y: f32, side: f32, items: &mut Vec<Item>) {
    if placeholders_in(text) > 0 {
        // A class's sheet laid out once: the square is kept for each student's code.
        let stamp = Stamp::Qr { x, y, side };
        items.push(Item::Stamp(StampBox::new(stamp, text.to_string())));
    } else if !qr_fills(text, x, y, side, items) {
        return;
    }
    qr_spot(x, y, side, items);
}

/// The modules of `text`'s QR code as filled rectangles, one per run of dark modules in a row; false (and
/// nothing) when the text is too long for a code.
pub(in crate::render::layout) fn qr_fills(
    text: &str,
    x: f32,
    y: f32,
    side: f32,
    items: &mut Vec<Item>,
) -> bool {
    let Some((n, dark)) = super::qr::modules(text.as_bytes()) else {
        // Only text beyond a version-40 code fails; sheets carry a few dozen bytes.
        return false;
    };
    let module = side / n as f32;
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if !dark[row * n + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && dark[row * n + col] {
                col += 1;
            }
            items.push(Item::Fill {
                x: x + start as f32 * module,
                y: y + row as f32 * module,
                w: (col - start) as f32 * module,
                h: module,
                shade: 0.0,
            });
        }
    }
    true
}

/// The spot of a QR code's square.
fn qr_spot(x: f32, y: f32, side: f32, items: &mut Vec<Item>) {
    items.push(Item::Spot(SpotBox {
        x,
        y,
        w: side,
        h: side,
        spot: Spot::Qr,
    }));
}
