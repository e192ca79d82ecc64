//! The math font: STIX Math (OFL, `fonts/STIXMath-Regular.otf`, compiled in) read with ttf-parser — glyph
//! metrics, the MATH table's constants, italic corrections, accent attachments, size variants and
//! assemblies, and glyph outlines as path segments for the PDF writer. All lengths are in em.

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId, math};

static STIX_MATH: &[u8] = include_bytes!("../../fonts/STIXMath-Regular.otf");

/// The face formulas are set in.
pub struct MathFont {
    face: Face<'static>,
    table: math::Table<'static>,
    upem: f32,
}

/// The built-in math font, parsed once.
pub fn builtin() -> &'static MathFont {
    static FONT: OnceLock<MathFont> = OnceLock::new();
    FONT.get_or_init(|| {
        MathFont::new(STIX_MATH).expect("the built-in STIX Math font parses and has a MATH table")
    })
}

/// A piece of a glyph outline, in em with y up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// One size of a stretchy glyph: a ready-made variant, or parts to assemble (glyph, offset along the
/// stretch direction from the start, in em).
pub enum Stretched {
    Single(GlyphId),
    Assembly(Vec<(GlyphId, f32)>, f32),
}

impl MathFont {
    pub fn new(bytes: &'static [u8]) -> Option<MathFont> {
        let face = Face::parse(bytes, 0).ok()?;
        let table = face.tables().math?;
        let upem = face.units_per_em() as f32;
        Some(MathFont { face, table, upem })
    }

    fn em(&self, units: f32) -> f32 {
        units / self.upem
    }

    pub fn glyph(&self, c: char) -> Option<GlyphId> {
        self.face.glyph_index(c)
    }

    pub fn advance(&self, g: GlyphId) -> f32 {
        self.em(self.face.glyph_hor_advance(g).unwrap_or(0) as f32)
    }

    /// (x min, y min, x max, y max) of the ink; zero for a blank glyph.
    pub fn bounds(&self, g: GlyphId) -> (f32, f32, f32, f32) {
        self.face
            .glyph_bounding_box(g)
            .map_or((0.0, 0.0, 0.0, 0.0), |b| {
                (
                    self.em(b.x_min as f32),
                    self.em(b.y_min as f32),
                    self.em(b.x_max as f32),
                    self.em(b.y_max as f32),
                )
            })
    }

    pub fn italic_correction(&self, g: GlyphId) -> f32 {
        self.table
            .glyph_info
            .and_then(|i| i.italic_corrections)
            .and_then(|v| v.get(g))
            .map_or(0.0, |v| self.em(v.value as f32))
    }

    /// Where an accent sits over the glyph (x), when the font says.
    pub fn top_accent(&self, g: GlyphId) -> Option<f32> {
        self.table
            .glyph_info
            .and_then(|i| i.top_accent_attachments)
            .and_then(|v| v.get(g))
            .map(|v| self.em(v.value as f32))
    }

    /// A MATH constant in em.
    pub fn constant(
        &self,
        pick: impl Fn(&math::Constants<'static>) -> math::MathValue<'static>,
    ) -> f32 {
        self.table
            .constants
            .as_ref()
            .map_or(0.0, |c| self.em(pick(c).value as f32))
    }

    /// Script and script-script sizes as shares of the base size.
    pub fn script_scales(&self) -> (f32, f32) {
        self.table.constants.as_ref().map_or((0.7, 0.5), |c| {
            (
                c.script_percent_scale_down() as f32 / 100.0,
                c.script_script_percent_scale_down() as f32 / 100.0,
            )
        })
    }

    pub fn display_operator_min_height(&self) -> f32 {
        self.table
            .constants
            .as_ref()
            .map_or(1.3, |c| self.em(c.display_operator_min_height() as f32))
    }

    pub fn radical_degree_bottom_raise(&self) -> f32 {
        self.table.constants.as_ref().map_or(0.6, |c| {
            c.radical_degree_bottom_raise_percent() as f32 / 100.0
        })
    }

    /// The glyph `g` at least `size` em long, vertically or horizontally: the first variant long enough,
    /// else an assembly of its parts, else the longest variant.
    pub fn stretch(&self, g: GlyphId, size: f32, vertical: bool) -> Stretched {
        let Some(variants) = self.table.variants else {
            return Stretched::Single(g);
        };
        let constructions = if vertical {
            variants.vertical_constructions
        } else {
            variants.horizontal_constructions
        };
        let Some(construction) = constructions.get(g) else {
            return Stretched::Single(g);
        };
        let mut longest = g;
        for v in construction.variants {
            longest = v.variant_glyph;
            if self.em(v.advance_measurement as f32) >= size {
                return Stretched::Single(v.variant_glyph);
            }
        }
        let Some(assembly) = construction.assembly else {
            return Stretched::Single(longest);
        };
        let parts: Vec<math::GlyphPart> = assembly.parts.into_iter().collect();
        let min_overlap = self.em(variants.min_connector_overlap as f32);
        for repeats in 0..64usize {
            let mut seq: Vec<math::GlyphPart> = Vec::new();
            for p in &parts {
                let n = if p.part_flags.extender() { repeats } else { 1 };
                seq.extend(std::iter::repeat_n(*p, n));
            }
            if seq.is_empty() {
                break;
            }
            let total: f32 = seq.iter().map(|p| self.em(p.full_advance as f32)).sum();
            let joints = seq.len().saturating_sub(1) as f32;
            let longest_reach = total - joints * min_overlap;
            if longest_reach < size && repeats < 63 {
                continue;
            }
            // Overlap the joints evenly, as far as their connectors allow, to land on `size`.
            let max_overlap = seq
                .windows(2)
                .map(|w| self.em(w[0].end_connector_length.min(w[1].start_connector_length) as f32))
                .fold(f32::INFINITY, f32::min);
            let overlap = if joints > 0.0 {
                ((total - size) / joints).clamp(min_overlap, max_overlap.max(min_overlap))
            } else {
                0.0
            };
            let mut at = 0.0;
            let mut placed = Vec::new();
            for p in &seq {
                placed.push((p.glyph_id, at));
                at += self.em(p.full_advance as f32) - overlap;
            }
            let length = at + overlap;
            return Stretched::Assembly(placed, length);
        }
        Stretched::Single(longest)
    }

    /// The outline of `g` in em, y up, quadratic curves raised to cubics.
    pub fn outline(&self, g: GlyphId) -> Vec<Seg> {
        outline_of(&self.face, g)
    }
}

/// The outline of glyph `g` of any face in em, y up (text inside formulas is drawn from the body face).
pub fn outline_of(face: &Face<'_>, g: GlyphId) -> Vec<Seg> {
    let mut b = Builder {
        scale: 1.0 / face.units_per_em() as f32,
        segs: Vec::new(),
        last: (0.0, 0.0),
    };
    face.outline_glyph(g, &mut b);
    b.segs
}

struct Builder {
    scale: f32,
    segs: Vec<Seg>,
    last: (f32, f32),
}

impl ttf_parser::OutlineBuilder for Builder {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = (x * self.scale, y * self.scale);
        self.segs.push(Seg::Move(x, y));
        self.last = (x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = (x * self.scale, y * self.scale);
        self.segs.push(Seg::Line(x, y));
        self.last = (x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1, x, y) = (
            x1 * self.scale,
            y1 * self.scale,
            x * self.scale,
            y * self.scale,
        );
        let (x0, y0) = self.last;
        self.segs.push(Seg::Cubic(
            x0 + 2.0 / 3.0 * (x1 - x0),
            y0 + 2.0 / 3.0 * (y1 - y0),
            x + 2.0 / 3.0 * (x1 - x),
            y + 2.0 / 3.0 * (y1 - y),
            x,
            y,
        ));
        self.last = (x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let s = self.scale;
        self.segs
            .push(Seg::Cubic(x1 * s, y1 * s, x2 * s, y2 * s, x * s, y * s));
        self.last = (x * s, y * s);
    }
    fn close(&mut self) {
        self.segs.push(Seg::Close);
    }
}

/// The character a letter or digit becomes in an alphabet (`\mathbb{R}` → ℝ, italic x → 𝑥).
pub fn styled(c: char, variant: super::parse::Variant) -> char {
    use super::parse::Variant::*;
    let offset =
        |base: u32, from: char| char::from_u32(base + (c as u32 - from as u32)).unwrap_or(c);
    match variant {
        Normal => match c {
            'h' => 'ℎ',
            'a'..='z' => offset(0x1D44E, 'a'),
            'A'..='Z' => offset(0x1D434, 'A'),
            'α'..='ω' => offset(0x1D6FC, 'α'),
            'ϵ' => '\u{1D716}',
            'ϑ' => '\u{1D717}',
            'ϕ' => '\u{1D719}',
            'ϱ' => '\u{1D71A}',
            'ϖ' => '\u{1D71B}',
            _ => c,
        },
        Upright => c,
        Bold => match c {
            'A'..='Z' => offset(0x1D400, 'A'),
            'a'..='z' => offset(0x1D41A, 'a'),
            '0'..='9' => offset(0x1D7CE, '0'),
            'α'..='ω' => offset(0x1D6C2, 'α'),
            _ => c,
        },
        DoubleStruck => match c {
            'C' => 'ℂ',
            'H' => 'ℍ',
            'N' => 'ℕ',
            'P' => 'ℙ',
            'Q' => 'ℚ',
            'R' => 'ℝ',
            'Z' => 'ℤ',
            'A'..='Z' => offset(0x1D538, 'A'),
            'a'..='z' => offset(0x1D552, 'a'),
            '0'..='9' => offset(0x1D7D8, '0'),
            _ => c,
        },
        Script => match c {
            'B' => 'ℬ',
            'E' => 'ℰ',
            'F' => 'ℱ',
            'H' => 'ℋ',
            'I' => 'ℐ',
            'L' => 'ℒ',
            'M' => 'ℳ',
            'R' => 'ℛ',
            'A'..='Z' => offset(0x1D49C, 'A'),
            _ => c,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_font_has_math_alphabets_and_stretchy_glyphs() {
        let f = builtin();
        for c in [
            '𝑥', 'ℎ', '𝛼', '∑', '∫', '√', '∵', '∴', '→', '\u{20D7}', 'ℝ', '⩽', '⇌',
        ] {
            assert!(
                f.glyph(c).is_some(),
                "STIX Math lacks {c} U+{:04X}",
                c as u32
            );
        }
        let paren = f.glyph('(').unwrap();
        let Stretched::Assembly(parts, length) = f.stretch(paren, 6.0, true) else {
            panic!("a 6 em parenthesis is assembled");
        };
        assert!(parts.len() >= 3 && length >= 6.0 - 1e-3, "{length}");
        assert!(f.constant(|c| c.axis_height()) > 0.2);
        assert!(!f.outline(f.glyph('𝑥').unwrap()).is_empty());
    }
}
