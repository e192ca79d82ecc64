//! Writes a page's content stream straight from layout's items: the same bytes printpdf's serializer makes
//! of the drawing operations `page_ops` builds (lopdf's operand and number formatting), without building
//! the operations, a one-page printpdf document and its lopdf objects for every page. Pages with formulas
//! or pictures are left to printpdf (None).

use std::io::Write;

use crate::render::fonts::FontRole;
use crate::render::layout::{Item, Page};

use super::{BODY_ID, HEADING_ID, PdfWriter, Remaps, face_index};

/// The content stream of `page` (a document `height` points tall, glyphs shown as `remaps` says), or None
/// when it shows something only printpdf's path draws (a formula, a picture).
pub(super) fn page_stream(
    page: &Page,
    height: f32,
    fonts: &PdfWriter,
    remaps: &Remaps,
) -> Option<Vec<u8>> {
    let mut out = Ops {
        bytes: Vec::with_capacity(page.items.len() * 48),
    };
    for item in &page.items {
        match item {
            Item::Text {
                x,
                y,
                size,
                font,
                text,
                spacing,
            } => out.text(fonts, remaps, *font, *size, *spacing, text, |o| {
                o.reals(&[*x, height - y]);
                o.operator("Td");
            }),
            Item::Turned {
                x,
                y,
                size,
                font,
                text,
            } => out.text(fonts, remaps, *font, *size, 0.0, text, |o| {
                o.reals(&[0.0, 1.0, -1.0, 0.0, *x, height - y]);
                o.operator("Tm");
            }),
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                dashed,
            } => {
                out.reals(&[*width]);
                out.operator("w");
                out.dash(if *dashed { &[4.0, 3.0] } else { &[] });
                out.reals(&[*x1, height - y1]);
                out.operator("m");
                out.reals(&[*x2, height - y2]);
                out.operator("l");
                out.operator("S");
            }
            Item::Fill { x, y, w, h, shade } => {
                out.reals(&[*shade]);
                out.operator("g");
                out.reals(&[*x, height - y - h, *w, *h]);
                out.operator("re");
                out.operator("f");
                out.reals(&[0.0]);
                out.operator("g");
            }
            Item::Rect { x, y, w, h, width } => {
                out.reals(&[*width]);
                out.operator("w");
                out.dash(&[]);
                out.reals(&[*x, height - y - h, *w, *h]);
                out.operator("re");
                out.operator("S");
            }
            Item::Spot(_) | Item::Stamp(_) => {}
            Item::Formula { .. } | Item::Image { .. } => return None,
        }
    }
    Some(out.bytes)
}

/// Writes `v` as lopdf does, with Rust's shortest round-trip formatting (`{v}`): a whole number of
/// less than 2^24 (exact in an f32: most sizes, widths and many positions) as an integer without the
/// float formatter, which prints the same digits (`-0` for negative zero).
fn real(bytes: &mut Vec<u8>, v: f32) {
    if v.fract() == 0.0 && v.abs() < 16_777_216.0 {
        if v == 0.0 && v.is_sign_negative() {
            bytes.extend_from_slice(b"-0");
            return;
        }
        let n = v as i32;
        if n < 0 {
            bytes.push(b'-');
        }
        let mut digits = [0u8; 10];
        let mut rest = n.unsigned_abs();
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        bytes.extend_from_slice(&digits[at..]);
        return;
    }
    let _ = write!(bytes, "{v}");
}

/// Operations as lopdf encodes a content stream: each operand followed by a space, then the operator;
/// operations separated by newlines.
struct Ops {
    bytes: Vec<u8>,
}

impl Ops {
    /// Starts an operation: a newline unless it is the stream's first.
    fn start(&mut self) {
        if !self.bytes.is_empty() && !self.bytes.ends_with(b" ") {
            self.bytes.push(b'\n');
        }
    }

    fn reals(&mut self, values: &[f32]) {
        self.start();
        for v in values {
            // lopdf writes a real with Rust's shortest round-trip formatting.
            real(&mut self.bytes, *v);
            self.bytes.push(b' ');
        }
    }

    fn operator(&mut self, op: &str) {
        self.start();
        self.bytes.extend_from_slice(op.as_bytes());
    }

    /// `[d g …] 0 d`: the dash pattern, from offset 0.
    fn dash(&mut self, pattern: &[f32]) {
        self.start();
        self.bytes.push(b'[');
        for (i, v) in pattern.iter().enumerate() {
            if i > 0 {
                self.bytes.push(b' ');
            }
            real(&mut self.bytes, *v);
        }
        self.bytes.extend_from_slice(b"] 0 d");
    }

    /// A run of text, as `show_text` draws it: the accent colour around it, BT, font and size, letter
    /// spacing, the position `place` writes (Td or Tm), the glyphs in one TJ, ET.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        fonts: &PdfWriter,
        remaps: &Remaps,
        font: FontRole,
        size: f32,
        spacing: f32,
        text: &str,
        place: impl FnOnce(&mut Ops),
    ) {
        let face = fonts.fonts.face(font);
        let remap = remaps[face_index(font)];
        let id = match font {
            FontRole::Body | FontRole::BodyAccent => BODY_ID,
            FontRole::Heading | FontRole::HeadingAccent => HEADING_ID,
        };
        if font.is_accent() {
            if let printpdf::Color::Rgb(rgb) = &super::ACCENT {
                self.reals(&[rgb.r, rgb.g, rgb.b]);
                self.operator("rg");
            }
        }
        self.operator("BT");
        self.start();
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(id.as_bytes());
        self.bytes.push(b' ');
        real(&mut self.bytes, size);
        self.bytes.extend_from_slice(b" Tf");
        self.reals(&[spacing]);
        self.operator("Tc");
        place(self);
        self.start();
        self.bytes.push(b'[');
        for c in text.chars() {
            if let Some(g) = face.glyph(c) {
                let gid = remap.map_or(g.id, |r| r.get(&g.id).copied().unwrap_or(0));
                // `<{gid:04X}>`, written by hand: a page shows thousands of glyphs.
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                self.bytes.extend_from_slice(&[
                    b'<',
                    HEX[usize::from(gid >> 12)],
                    HEX[usize::from(gid >> 8 & 0xF)],
                    HEX[usize::from(gid >> 4 & 0xF)],
                    HEX[usize::from(gid & 0xF)],
                    b'>',
                ]);
            }
        }
        self.bytes.extend_from_slice(b"] TJ");
        self.operator("ET");
        if font.is_accent() {
            self.reals(&[0.0]);
            self.operator("g");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_are_written_as_rusts_formatter_writes_them() {
        let mut values = vec![
            0.0, -0.0, 1.0, -1.0, 9.0, 10.0, -72.0, 595.0, 841.89, 0.5, -0.2, 1e-7, 3e9,
        ];
        values.extend([
            16_777_215.0,
            16_777_216.0,
            -16_777_215.0,
            f32::MAX,
            f32::MIN_POSITIVE,
        ]);
        values.extend((-3000..3000).map(|k| k as f32 * 0.25));
        values.extend((0..20_000).map(|k| f32::from_bits(0x3f80_0000u32.wrapping_add(k * 7919))));
        for v in values {
            let mut got = Vec::new();
            real(&mut got, v);
            assert_eq!(String::from_utf8(got).unwrap(), format!("{v}"), "{v:?}");
        }
    }
    use crate::render::fonts::FontSet;
    use crate::render::layout::Page;
    use crate::render::pictures::Pictures;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn text(x: f32, y: f32, size: f32, font: FontRole, text: &str, spacing: f32) -> Item {
        Item::Text {
            x,
            y,
            size,
            font,
            text: text.into(),
            spacing,
        }
    }

    /// A page of every item this writer draws, with awkward numbers (fractions, negatives, tiny ones).
    fn page() -> Page {
        Page {
            items: vec![
                text(
                    56.69,
                    100.125,
                    10.5,
                    FontRole::Body,
                    "社会工作者（　）A．助人自助 2025",
                    0.0,
                ),
                text(
                    72.0,
                    130.3,
                    16.0,
                    FontRole::Heading,
                    "第一部分 单项选择题",
                    0.75,
                ),
                text(80.5, 160.0, 9.0, FontRole::BodyAccent, "答案：B", -0.2),
                text(80.5, 170.0, 12.0, FontRole::HeadingAccent, "解析", 0.0),
                text(90.0, 180.0, 10.5, FontRole::Body, "", 0.0),
                Item::Turned {
                    x: 20.25,
                    y: 400.0,
                    size: 8.0,
                    font: FontRole::Body,
                    text: "装订线内不要答题".into(),
                },
                Item::Line {
                    x1: 56.7,
                    y1: 200.0,
                    x2: 538.58,
                    y2: 200.0,
                    width: 0.5,
                    dashed: false,
                },
                Item::Line {
                    x1: 10.0,
                    y1: 0.000_1,
                    x2: 10.0,
                    y2: 841.89,
                    width: 0.75,
                    dashed: true,
                },
                Item::Fill {
                    x: 100.0,
                    y: 300.33,
                    w: 12.5,
                    h: 6.25,
                    shade: 0.85,
                },
                Item::Rect {
                    x: 300.0,
                    y: 500.5,
                    w: 120.0,
                    h: 48.2,
                    width: 1.0,
                },
            ],
            spots: Vec::new(),
        }
    }

    #[test]
    fn a_page_is_written_as_printpdf_writes_its_operations() {
        let fonts = FontSet::builtin();
        let pdf =
            PdfWriter::new(&fonts, Arc::new(Pictures::new(&fonts, Default::default()))).unwrap();
        let page = page();
        let height = 841.89;
        let size = (printpdf::Pt(595.28).into(), printpdf::Pt(height).into());
        // Whole-face ids, and ids renumbered for a document's own subset (some glyphs missing from it).
        let remap: BTreeMap<u16, u16> = ["社会工作者", "第一部分"]
            .iter()
            .flat_map(|s| s.chars())
            .filter_map(|c| fonts.body.glyph(c).map(|g| g.id))
            .enumerate()
            .map(|(i, g)| (g, i as u16 + 1))
            .collect();
        for remaps in [[None, None], [Some(&remap), Some(&remap)]] {
            let ours = page_stream(&page, height, &pdf, &remaps).unwrap();
            let ops = super::super::page_ops(&page, height, &pdf, &remaps, &[]);
            let printpdf = super::super::page_content(ops, size).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&printpdf)
            );
        }
        // An empty page is an empty stream either way.
        let empty = Page {
            items: Vec::new(),
            spots: Vec::new(),
        };
        assert_eq!(
            page_stream(&empty, height, &pdf, &[None, None]),
            Some(Vec::new())
        );
        let ops = super::super::page_ops(&empty, height, &pdf, &[None, None], &[]);
        assert_eq!(super::super::page_content(ops, size), Some(Vec::new()));
    }
}
