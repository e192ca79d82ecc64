//! Writes a page's content stream straight from layout's items: the same bytes printpdf's serializer makes
//! of the drawing operations `page_ops` builds (lopdf's operand and number formatting), without building
//! the operations, a one-page printpdf document and its lopdf objects for every page. Pages with formulas
//! or pictures are left to printpdf (None).

use std::io::Write;

use crate::render::fonts::FontRole;
use crate::render::layout::{Item, Page};

use super::embed::Noting;
use super::{BODY_ID, HEADING_ID, PdfWriter, Remaps, face_index};

/// The content stream of `page` (a document `height` points tall, glyphs shown as `remaps` says), or None
/// when it shows something only printpdf's path draws (a formula, a picture).
pub(super) fn page_stream(
    page: &Page,
    height: f32,
    fonts: &PdfWriter,
    remaps: &Remaps,
) -> Option<Vec<u8>> {
    page_stream_noting(page, height, fonts, remaps, None)
}

/// [`page_stream`], noting each glyph shown in `noting` ([body, heading]) as it is written: the glyphs
/// a print file needs of the page, in the order [`super::page_glyphs`] gives them, without a second
/// pass over the page's text. When None is returned the notes are incomplete.
pub(super) fn page_stream_noting(
    page: &Page,
    height: f32,
    fonts: &PdfWriter,
    remaps: &Remaps,
    mut noting: Option<&mut [Noting; 2]>,
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
            } => out.text(
                fonts,
                remaps,
                (*font, noting.as_deref_mut()),
                *size,
                *spacing,
                text,
                |o| {
                    o.reals(&[*x, height - y]);
                    o.operator("Td");
                },
            ),
            Item::Turned {
                x,
                y,
                size,
                font,
                text,
            } => out.text(
                fonts,
                remaps,
                (*font, noting.as_deref_mut()),
                *size,
                0.0,
                text,
                |o| {
                    o.reals(&[0.0, 1.0, -1.0, 0.0, *x, height - y]);
                    o.operator("Tm");
                },
            ),
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
/// float formatter, which prints the same digits (`-0` for negative zero); any other by [`shortest`].
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
    if !v.is_finite() {
        let _ = write!(bytes, "{v}");
        return;
    }
    // A page repeats most of its numbers (a line's baseline, sizes, rules' widths): three in four are
    // found among the last few hundred written on this thread.
    RECENT_REALS.with(|recent| {
        let mut recent = recent.borrow_mut();
        let slot =
            &mut recent[(v.to_bits().wrapping_mul(0x9E37_79B1) >> (32 - RECENT_BITS)) as usize];
        if slot.0 == v.to_bits() {
            bytes.extend_from_slice(&slot.2[..usize::from(slot.1)]);
            return;
        }
        let start = bytes.len();
        shortest(bytes, v);
        let written = &bytes[start..];
        if written.len() <= slot.2.len() {
            slot.2[..written.len()].copy_from_slice(written);
            *slot = (v.to_bits(), written.len() as u8, slot.2);
        }
    });
}

/// log2 of how many numbers [`RECENT_REALS`] keeps.
const RECENT_BITS: u32 = 9;

/// Numbers lately written on this thread, in a table indexed by a hash of their bits: (bits, length,
/// text). An empty slot holds a NaN's bits, which no number written here has.
type RecentReals = Box<[(u32, u8, [u8; 15]); 1 << RECENT_BITS]>;

thread_local! {
    static RECENT_REALS: std::cell::RefCell<RecentReals> =
        std::cell::RefCell::new(Box::new([(u32::MAX, 0, [0; 15]); 1 << RECENT_BITS]));
}

/// Writes finite `v` as `{v}` does — the shortest digits that read back as `v`, in plain decimal
/// notation — from Ryū's digits (ryu's formatter, several times faster than the standard one). The two
/// differ only where `v` lies exactly halfway between the two shortest candidates: Ryū then takes the
/// even last digit, `{v}` the upper one (tested against `{v}`).
fn shortest(bytes: &mut Vec<u8>, v: f32) {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(v).as_bytes();
    let (text, negative) = match text.split_first() {
        Some((b'-', rest)) => (rest, true),
        _ => (text, false),
    };
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (
            &text[..e],
            std::str::from_utf8(&text[e + 1..])
                .ok()
                .and_then(|x| x.parse::<i32>().ok())
                .unwrap_or(0),
        ),
        None => (text, 0),
    };
    // value = digits × 10^last, digits without trailing zeros (at most 9 of them for an f32).
    let mut digits: u64 = 0;
    let mut after_point = None;
    for &b in mantissa {
        if b == b'.' {
            after_point = Some(0);
        } else {
            digits = digits * 10 + u64::from(b - b'0');
            if let Some(n) = after_point.as_mut() {
                *n += 1;
            }
        }
    }
    let mut last = exponent - after_point.unwrap_or(0);
    if digits == 0 {
        bytes.extend_from_slice(if negative { b"-0" } else { b"0" });
        return;
    }
    while digits % 10 == 0 {
        digits /= 10;
        last += 1;
    }
    if digits % 2 == 0 && is_midpoint(v, digits, last) {
        digits += 1;
    }
    let mut text = [0u8; 20];
    let mut at = text.len();
    while digits > 0 {
        at -= 1;
        text[at] = b'0' + (digits % 10) as u8;
        digits /= 10;
    }
    let digits = &text[at..];
    let n = digits.len() as i32;
    // Where the point goes: value = 0.DIGITS × 10^point.
    let point = n + last;
    if negative {
        bytes.push(b'-');
    }
    if point <= 0 {
        bytes.extend_from_slice(b"0.");
        bytes.extend(std::iter::repeat_n(b'0', (-point) as usize));
        bytes.extend_from_slice(digits);
    } else if point < n {
        bytes.extend_from_slice(&digits[..point as usize]);
        bytes.push(b'.');
        bytes.extend_from_slice(&digits[point as usize..]);
    } else {
        bytes.extend_from_slice(digits);
        bytes.extend(std::iter::repeat_n(b'0', (point - n) as usize));
    }
}

/// Whether |`v`| is exactly (`digits` + ½) × 10^`last`: halfway between two shortest candidates.
/// Compared as integers, v = m × 2^e against (10 digits + 5) × 2^j × 5^j with j = last − 1; a side too
/// large for 128 bits cannot be such a midpoint (those have at most ten digits).
fn is_midpoint(v: f32, digits: u64, last: i32) -> bool {
    let bits = v.abs().to_bits();
    let (biased, fraction) = ((bits >> 23) as i32, bits & 0x7f_ffff);
    let (m, e) = if biased == 0 {
        (fraction, -149)
    } else {
        (fraction | 0x80_0000, biased - 150)
    };
    let j = last - 1;
    // v's exact decimal expansion ends at 10^e once m is odd (m × 5^-e / 10^-e, not a multiple of
    // 10), where a midpoint's ends at 10^j: most values are rejected here.
    let ends = e + m.trailing_zeros() as i32;
    if (ends < 0 && j != ends) || (ends >= 0 && j < 0) {
        return false;
    }
    let Some(mid) = digits.checked_mul(10).and_then(|d| d.checked_add(5)) else {
        return false;
    };
    let pow = |base: u128, exp: i32| base.checked_pow(exp.max(0) as u32);
    let shifted = |x: Option<u128>, by: i32| x.and_then(|x| x.checked_mul(pow(2, by)?));
    let left = shifted(pow(5, -j).and_then(|p| p.checked_mul(u128::from(m))), e - j);
    let right = shifted(
        pow(5, j).and_then(|p| p.checked_mul(u128::from(mid))),
        j - e,
    );
    matches!((left, right), (Some(l), Some(r)) if l == r)
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
        (font, noting): (FontRole, Option<&mut [Noting; 2]>),
        size: f32,
        spacing: f32,
        text: &str,
        place: impl FnOnce(&mut Ops),
    ) {
        let face = fonts.fonts.face(font);
        let slot = face_index(font);
        let remap = remaps[slot];
        let mut noting = noting.map(|n| &mut n[slot]);
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
            if let Some((id, units)) = face.id_units(c) {
                if let Some(noting) = noting.as_deref_mut() {
                    noting.note(id, units, c);
                }
                let gid = remap.map_or(id, |r| r.get(&id).copied().unwrap_or(0));
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
        // Every magnitude (subnormals, tiny, huge: where ryu writes an exponent), both signs, and the
        // not-finite values.
        values.extend((0..200_000u32).map(|k| f32::from_bits(k.wrapping_mul(2_654_435_761))));
        values.extend([
            1e-7,
            1.5e-7,
            1e30,
            1.234e33,
            1e-45,
            123456.79,
            f32::NAN,
            f32::INFINITY,
        ]);
        // Exactly halfway between two shortest candidates, where Ryū and `{v}` round differently.
        values.extend([
            57.601_562_5,
            0.000_976_562_5,
            1.000_000_1,
            5e-324_f64 as f32,
        ]);
        values.extend([f32::NEG_INFINITY, 0.1, 0.2, 0.3, 841.89 - 100.125, 595.28]);
        // Twice: the second time most come from the numbers kept (and collide there with others).
        for v in values.iter().chain(&values) {
            let mut got = Vec::new();
            real(&mut got, *v);
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
