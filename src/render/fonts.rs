//! Fonts: the body (宋体-style) and heading (黑体-style) faces, their glyph metrics, and coverage checks.
//!
//! The shipped Noto faces are compiled into the binary so a paper can be made from any folder; a school's
//! own fonts come from `--font-dir` or the blueprint's `fonts:`. Metrics come from ttf-parser, cached per
//! character, because layout asks for the same few thousand characters over and over.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{OnceLock, RwLock};

use crate::error::{Error, Result};

pub const BODY_FILE: &str = "NotoSerifSC-Regular.ttf";
pub const HEADING_FILE: &str = "NotoSansSC-Bold.ttf";
static BUILTIN_BODY: &[u8] = include_bytes!("../../fonts/NotoSerifSC-Regular.ttf");
static BUILTIN_HEADING: &[u8] = include_bytes!("../../fonts/NotoSansSC-Bold.ttf");

/// Which face a piece of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FontRole {
    /// 宋体-style body text.
    Body,
    /// 黑体-style headings and key phrases.
    Heading,
    /// Body text in the accent colour (answers in the teacher's edition).
    BodyAccent,
    /// Heading text in the accent colour.
    HeadingAccent,
}

impl FontRole {
    /// The same colour in the heading face.
    pub fn bold(self) -> FontRole {
        match self {
            FontRole::Body | FontRole::Heading => FontRole::Heading,
            FontRole::BodyAccent | FontRole::HeadingAccent => FontRole::HeadingAccent,
        }
    }

    /// The same colour in the body face.
    pub fn regular(self) -> FontRole {
        match self {
            FontRole::Body | FontRole::Heading => FontRole::Body,
            FontRole::BodyAccent | FontRole::HeadingAccent => FontRole::BodyAccent,
        }
    }

    /// The same face in the accent colour.
    pub fn accented(self) -> FontRole {
        match self {
            FontRole::Body | FontRole::BodyAccent => FontRole::BodyAccent,
            FontRole::Heading | FontRole::HeadingAccent => FontRole::HeadingAccent,
        }
    }

    pub fn is_accent(self) -> bool {
        matches!(self, FontRole::BodyAccent | FontRole::HeadingAccent)
    }
}

/// A glyph as layout and the PDF writer need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Advance width in em (1.0 = the font size).
    pub advance: f32,
    /// Advance width in font units, as hmtx has it: the PDF's /W widths are made from it.
    pub units: u16,
    /// Horizontal extent of the ink (left and right edge of the outline's box) in em; None for a blank.
    /// Punctuation compression reads it to know which half of a full-width mark is empty.
    pub ink: Option<(f32, f32)>,
}

/// One font file with a per-character glyph cache.
pub struct Face {
    pub name: String,
    /// The built-in fonts are borrowed from the binary rather than copied: each copy costs 10 MB of memory.
    pub bytes: Cow<'static, [u8]>,
    units_per_em: f32,
    /// Glyphs of the Basic Multilingual Plane (every CJK character a paper prints), by code point: read
    /// without a lock, as both cores' layouts and writers ask for them millions of times a batch.
    bmp: Box<[OnceLock<Option<Glyph>>]>,
    /// The glyph id and advance in font units of the Basic Multilingual Plane's characters packed into
    /// four bytes each ([`pack`]; 0 when not yet looked up): all the PDF writer asks of a character, for
    /// every character of every page several times, from a table a sixth the size of `bmp` that stays
    /// in the cache.
    packed: Box<[AtomicU32]>,
    /// Glyphs of the other planes.
    cache: RwLock<HashMap<char, Option<Glyph>>>,
}

impl Face {
    fn new(name: String, bytes: Cow<'static, [u8]>) -> Result<Face> {
        let face = ttf_parser::Face::parse(&bytes, 0)
            .map_err(|e| Error::input(format!("the font {name} cannot be read")).because(e))?;
        let units_per_em = face.units_per_em() as f32;
        Ok(Face {
            name,
            bytes,
            units_per_em,
            bmp: (0..=u16::MAX).map(|_| OnceLock::new()).collect(),
            packed: (0..=u16::MAX).map(|_| AtomicU32::new(0)).collect(),
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The glyph for `c`, or None when the font lacks it.
    pub fn glyph(&self, c: char) -> Option<Glyph> {
        if let Some(slot) = self.bmp.get(c as usize) {
            return *slot.get_or_init(|| self.look_up(c));
        }
        if let Some(hit) = self.cache.read().expect("font cache lock").get(&c) {
            return *hit;
        }
        let glyph = self.look_up(c);
        self.cache
            .write()
            .expect("font cache lock")
            .insert(c, glyph);
        glyph
    }

    /// `c`'s glyph read from the font's tables.
    fn look_up(&self, c: char) -> Option<Glyph> {
        // Parsing the table directory is cheap compared with a cache miss's cmap walk; misses are rare.
        let face = ttf_parser::Face::parse(&self.bytes, 0).ok()?;
        face.glyph_index(c).map(|id| Glyph {
            id: id.0,
            advance: face.glyph_hor_advance(id).unwrap_or(0) as f32 / self.units_per_em,
            units: face.glyph_hor_advance(id).unwrap_or(0),
            ink: face.glyph_bounding_box(id).map(|b| {
                (
                    b.x_min as f32 / self.units_per_em,
                    b.x_max as f32 / self.units_per_em,
                )
            }),
        })
    }

    /// `c`'s glyph id and advance in font units (what [`Face::glyph`] says), or None when the font
    /// lacks it.
    #[inline]
    pub fn id_units(&self, c: char) -> Option<(u16, u16)> {
        if let Some(slot) = self.packed.get(c as usize) {
            match slot.load(Ordering::Relaxed) {
                0 => {}
                MISSING => return None,
                v => return Some(unpack(v)),
            }
        }
        self.id_units_slow(c)
    }

    /// [`Face::id_units`] of a character not in the packed table yet (or outside it), noted there.
    #[cold]
    fn id_units_slow(&self, c: char) -> Option<(u16, u16)> {
        let found = self.glyph(c).map(|g| (g.id, g.units));
        if let Some(slot) = self.packed.get(c as usize) {
            // Every thread stores the same value; one that cannot be packed stays 0 and is looked up
            // in `bmp` each time.
            slot.store(found.map_or(MISSING, pack), Ordering::Relaxed);
        }
        found
    }

    pub fn has(&self, c: char) -> bool {
        c.is_control() || self.id_units(c).is_some()
    }

    /// Width of `text` in em, missing glyphs counted as 1 em.
    pub fn width_em(&self, text: &str) -> f32 {
        text.chars()
            .map(|c| self.glyph(c).map_or(1.0, |g| g.advance))
            .sum()
    }
}

/// A packed entry for a character the font lacks.
const MISSING: u32 = u32::MAX;

/// Glyph id and advance as a packed entry: id + 1 in the high half (never 0, so never an empty slot),
/// the advance in the low half; 0 (look it up again) for glyph 0xFFFF, and for glyph 0xFFFE 65535 units
/// wide, which would read as [`MISSING`].
fn pack((id, units): (u16, u16)) -> u32 {
    match id.checked_add(1) {
        Some(high) if u32::from(high) << 16 | u32::from(units) != MISSING => {
            u32::from(high) << 16 | u32::from(units)
        }
        _ => 0,
    }
}

#[inline]
fn unpack(v: u32) -> (u16, u16) {
    ((v >> 16) as u16 - 1, v as u16)
}

/// The two faces every document uses.
pub struct FontSet {
    pub body: Face,
    pub heading: Face,
    /// Where the fonts came from, for messages ("built-in" or a folder).
    pub source: String,
}

impl FontSet {
    /// The shipped Noto faces.
    pub fn builtin() -> FontSet {
        FontSet {
            body: Face::new(format!("built-in {BODY_FILE}"), Cow::Borrowed(BUILTIN_BODY))
                .expect("built-in body font parses"),
            heading: Face::new(
                format!("built-in {HEADING_FILE}"),
                Cow::Borrowed(BUILTIN_HEADING),
            )
            .expect("built-in heading font parses"),
            source: "built-in".into(),
        }
    }

    /// Fonts from a folder: `body.ttf`/`heading.ttf`, or the shipped file names, or the only .ttf/.otf files
    /// whose names say regular/serif/song and bold/sans/hei.
    pub fn from_dir(dir: &Path) -> Result<FontSet> {
        let pick = |names: &[&str]| -> Option<PathBuf> {
            names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
        };
        let body = pick(&["body.ttf", "body.otf", BODY_FILE]);
        let heading = pick(&["heading.ttf", "heading.otf", HEADING_FILE]);
        let (Some(body), Some(heading)) = (body, heading) else {
            return Err(Error::input(format!("the font folder {} has no body and heading fonts", dir.display()))
                .because("name them body.ttf (宋体-style, for text) and heading.ttf (黑体-style, for headings); TrueType or OpenType"));
        };
        let load = |p: &Path| -> Result<Face> {
            let bytes = std::fs::read(p).map_err(|e| Error::io("read the font", p, e))?;
            Face::new(p.display().to_string(), Cow::Owned(bytes))
        };
        Ok(FontSet {
            body: load(&body)?,
            heading: load(&heading)?,
            source: dir.display().to_string(),
        })
    }

    pub fn face(&self, role: FontRole) -> &Face {
        match role {
            FontRole::Body | FontRole::BodyAccent => &self.body,
            FontRole::Heading | FontRole::HeadingAccent => &self.heading,
        }
    }
}

/// A character a font cannot show, and where it occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingGlyph {
    pub c: char,
    pub font: String,
    pub place: String,
}

impl MissingGlyph {
    pub fn describe(&self) -> String {
        format!(
            "`{}` (U+{:04X}) in {} is not in the font {}",
            self.c, self.c as u32, self.place, self.font
        )
    }
}

/// Turns missing glyphs into one input error listing each character once with its first place.
pub fn missing_glyphs_error(missing: Vec<MissingGlyph>) -> Error {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<MissingGlyph> = missing
        .into_iter()
        .filter(|m| seen.insert((m.c, m.font.clone())))
        .collect();
    let mut err = Error::input(format!(
        "{} character(s) cannot be printed with the fonts in use; nothing was written",
        unique.len()
    ));
    for m in unique.iter().take(50) {
        err = err.because(m.describe());
    }
    err.because("use a font that has these characters (--font-dir), or replace them in the bank")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_fonts_cover_rare_name_characters_and_measure_cjk_as_one_em() {
        let fonts = FontSet::builtin();
        for c in "喆堃赟昇玥珺翀、。（）「」①⑳√×\u{3000}".chars() {
            assert!(fonts.body.has(c), "body lacks {c}");
            assert!(fonts.heading.has(c), "heading lacks {c}");
        }
        assert!((fonts.body.width_em("社会") - 2.0).abs() < 0.01);
        assert!(fonts.body.width_em("il") < 1.0);
        assert!(fonts.body.glyph('\u{E000}').is_none());
    }

    #[test]
    fn packed_ids_and_advances_are_the_glyphs_own() {
        let fonts = FontSet::builtin();
        let text = "社会工作者（　）A．2025 喆堃赟\u{E000}\u{1F600}𝑥\t";
        for face in [&fonts.body, &fonts.heading] {
            // Twice: first looked up and packed, then read from the packed table.
            for _ in 0..2 {
                for c in text.chars() {
                    let want = face.glyph(c).map(|g| (g.id, g.units));
                    assert_eq!(face.id_units(c), want, "{c:?} in {}", face.name);
                    assert_eq!(face.has(c), c.is_control() || want.is_some());
                }
            }
        }
        assert!(fonts.body.id_units('\u{E000}').is_none());
        for glyph in [
            (0, 0),
            (1, 1000),
            (0xFFFE, 0xFFFE),
            (0xFFFD, u16::MAX),
            (42, 0),
        ] {
            assert_eq!(unpack(pack(glyph)), glyph);
            assert!(pack(glyph) != 0 && pack(glyph) != MISSING);
        }
        // Left to the glyph cache: these cannot be told from an empty slot or a missing glyph.
        assert_eq!(pack((0xFFFF, 0)), 0);
        assert_eq!(pack((0xFFFE, u16::MAX)), 0);
    }

    #[test]
    fn full_width_punctuation_has_its_ink_on_the_side_clreq_says() {
        // Closing marks and stops are drawn in the left half, opening marks in the right half: the other
        // half is the empty space compression may drop.
        let fonts = FontSet::builtin();
        for face in [&fonts.body, &fonts.heading] {
            for c in "，。、）」》】”".chars() {
                let g = face.glyph(c).unwrap();
                let (_, right) = g.ink.unwrap();
                assert!(
                    right <= 0.55 * g.advance,
                    "{c} in {}: ink to {right}",
                    face.name
                );
            }
            for c in "（「《【“".chars() {
                let g = face.glyph(c).unwrap();
                let (left, _) = g.ink.unwrap();
                assert!(
                    left >= 0.45 * g.advance,
                    "{c} in {}: ink from {left}",
                    face.name
                );
            }
        }
    }
}
