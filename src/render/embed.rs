//! Embeds the fonts of one PDF ourselves: the document's glyphs subset once, /W widths from the advances
//! layout already measured, a ToUnicode map from the characters, and the objects numbered where printpdf
//! would have put them, so the file is the same byte for byte. printpdf would parse the subset again and
//! decode every glyph outline to learn those widths.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId, Stream};
use printpdf::{FontId, ParsedFont};

/// Glyphs a document shows in one face: original glyph id → (advance in font units, the character).
pub type Used = BTreeMap<u16, (u16, String)>;

/// One face as a document embeds it: how its glyphs are renumbered, and the objects, streams deflated.
#[derive(Clone)]
pub struct Embedded {
    /// Original glyph id → id in the subset; the content stream shows the latter.
    pub remap: BTreeMap<u16, u16>,
    program: Stream,
    to_unicode: Stream,
    widths: Vec<Object>,
    face_name: Vec<u8>,
    descriptor: Vec<(&'static str, Object)>,
}

/// Whether `bytes` hold TrueType outlines (`glyf`), the kind embedded here; CFF and collections are left
/// to printpdf, which knows their CID rules.
pub fn is_truetype(bytes: &[u8]) -> bool {
    matches!(bytes.get(..4), Some(b"\0\x01\0\0") | Some(b"true"))
}

impl Embedded {
    /// Subsets `source` to `used` (glyph ids of `source`), named and measured as `font` (resource name
    /// `id`), or None when the subsetter fails. `source` is `font` or a face already cut down from it.
    pub fn new(source: &ParsedFont, font: &ParsedFont, id: &str, used: &Used) -> Option<Embedded> {
        let glyph_ids: BTreeMap<u16, String> =
            used.iter().map(|(g, (_, c))| (*g, c.clone())).collect();
        let subset = printpdf::font::subset_font(source, &glyph_ids).ok()?;
        if !is_truetype(&subset.bytes) {
            return None;
        }
        let remap: BTreeMap<u16, u16> = subset
            .glyph_mapping
            .iter()
            .map(|(old, (new, _))| (*old, *new))
            .collect();
        // Subset ids ascend with the original ids, as /W runs and ToUnicode ranges need.
        let coded: Vec<(u16, u16, &String)> = used
            .iter()
            .filter_map(|(g, (units, c))| remap.get(g).map(|new| (*new, *units, c)))
            .collect();
        let unicode: Vec<(u16, String)> =
            coded.iter().map(|(n, _, c)| (*n, (*c).clone())).collect();
        let cmap = printpdf::font::generate_cmap_string(font, &FontId(id.into()), &unicode);

        let scale = 1000.0 / font.pdf_font_metrics.units_per_em as f32;
        let widths = width_runs(
            coded
                .iter()
                .map(|(n, units, _)| (*n, (*units as f32 * scale) as i64)),
        );

        let mut dict = Dictionary::new();
        dict.set("Length1", Object::Integer(subset.bytes.len() as i64));
        let program = deflated(Stream::new(dict, subset.bytes).with_compression(true));
        let to_unicode = deflated(Stream::new(Dictionary::new(), cmap.into_bytes()));

        let name = font.font_name.clone().unwrap_or_else(|| id.to_string());
        let face_name = format!("{}+{name}", id.get(0..6).unwrap_or(id)).into_bytes();
        Some(Embedded {
            remap,
            program,
            to_unicode,
            widths,
            descriptor: descriptor(font, &face_name),
            face_name,
        })
    }

    /// Adds the objects at `first..first + 4` (font program, ToUnicode, descriptor, font) in printpdf's order
    /// and returns the font's id.
    fn insert(&self, doc: &mut lopdf::Document, first: u32) -> ObjectId {
        let program = (first, 0);
        let to_unicode = (first + 1, 0);
        let descriptor = (first + 2, 0);
        let font = (first + 3, 0);
        doc.objects
            .insert(program, Object::Stream(self.program.clone()));
        doc.objects
            .insert(to_unicode, Object::Stream(self.to_unicode.clone()));
        let mut d = Dictionary::from_iter(self.descriptor.clone());
        d.set("FontFile2", Object::Reference(program));
        doc.objects.insert(descriptor, Object::Dictionary(d));
        let name = || Object::Name(self.face_name.clone());
        let cid_font = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("BaseFont", name()),
            ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
            (
                "CIDSystemInfo",
                Object::Dictionary(Dictionary::from_iter(vec![
                    (
                        "Registry",
                        Object::String(b"Adobe".to_vec(), lopdf::StringFormat::Literal),
                    ),
                    (
                        "Ordering",
                        Object::String(b"Identity".to_vec(), lopdf::StringFormat::Literal),
                    ),
                    ("Supplement", Object::Integer(0)),
                ])),
            ),
            ("W", Object::Array(self.widths.clone())),
            ("DW", Object::Integer(1000)),
            ("FontDescriptor", Object::Reference(descriptor)),
            ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
        ]);
        let dict = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("BaseFont", name()),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            ("ToUnicode", Object::Reference(to_unicode)),
            (
                "DescendantFonts",
                Object::Array(vec![Object::Dictionary(cid_font)]),
            ),
        ]);
        doc.objects.insert(font, Object::Dictionary(dict));
        font
    }
}

/// A face cut down to the glyphs of all documents of a run: subsetting reads every glyph record of the
/// font it is given, so each document's subset is taken from this small face instead of the whole font.
pub struct Narrow {
    font: ParsedFont,
    /// Glyph id in the whole font → id in this face.
    ids: BTreeMap<u16, u16>,
}

impl Narrow {
    pub fn new(font: &ParsedFont, used: &Used) -> Option<Narrow> {
        let glyph_ids: BTreeMap<u16, String> =
            used.iter().map(|(g, (_, c))| (*g, c.clone())).collect();
        let subset = printpdf::font::subset_font(font, &glyph_ids).ok()?;
        let ids = subset
            .glyph_mapping
            .iter()
            .map(|(old, (new, _))| (*old, *new))
            .collect();
        Some(Narrow {
            font: ParsedFont::from_bytes(&subset.bytes, 0, &mut Vec::new())?,
            ids,
        })
    }

    /// `used` embedded from this face, when it has all of its glyphs. Renumbering keeps the order of
    /// glyph ids, so the subset is the one the whole font would give.
    pub fn embed(&self, font: &ParsedFont, id: &str, used: &Used) -> Option<Embedded> {
        let mut narrow = Used::new();
        for (g, v) in used {
            narrow.insert(*self.ids.get(g)?, v.clone());
        }
        let mut embedded = Embedded::new(&self.font, font, id, &narrow)?;
        embedded.remap = used
            .keys()
            .filter_map(|g| Some((*g, *embedded.remap.get(self.ids.get(g)?)?)))
            .collect();
        Some(embedded)
    }
}

/// Puts `fonts` (resource name and face, in name order) into a document printpdf wrote without them: the
/// objects from its empty font dictionary on move up to make room, as if printpdf had embedded them.
pub fn insert_fonts(doc: &mut lopdf::Document, fonts: &[(&str, &Embedded)]) {
    let Some(dict_id) = font_dictionary(doc) else {
        return;
    };
    let room = 4 * fonts.len() as u32;
    let start = dict_id.0;
    let objects = std::mem::take(&mut doc.objects);
    doc.objects = objects
        .into_iter()
        .map(|((n, g), mut object)| {
            shift(&mut object, start, room);
            ((if n >= start { n + room } else { n }, g), object)
        })
        .collect();
    for (_, value) in doc.trailer.iter_mut() {
        shift(value, start, room);
    }
    doc.max_id += room;
    let mut entries = Vec::new();
    for (k, (id, embedded)) in fonts.iter().enumerate() {
        let font = embedded.insert(doc, start + 4 * k as u32);
        entries.push((id.to_string(), font));
    }
    if let Some(Object::Dictionary(d)) = doc.objects.get_mut(&(start + room, 0)) {
        for (id, font) in entries {
            d.set(id, Object::Reference(font));
        }
    }
}

/// The id of the font dictionary the pages share.
fn font_dictionary(doc: &lopdf::Document) -> Option<ObjectId> {
    doc.objects.values().find_map(|o| match o {
        Object::Dictionary(d) if d.get(b"Type").ok()?.as_name().ok()? == b"Page" => {
            let resources = d.get(b"Resources").ok()?.as_reference().ok()?;
            let resources = doc.objects.get(&resources)?.as_dict().ok()?;
            resources.get(b"Font").ok()?.as_reference().ok()
        }
        _ => None,
    })
}

fn shift(object: &mut Object, start: u32, by: u32) {
    match object {
        Object::Reference((n, _)) if *n >= start => *n += by,
        Object::Array(items) => items.iter_mut().for_each(|o| shift(o, start, by)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| shift(o, start, by)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| shift(o, start, by)),
        _ => {}
    }
}

/// The /W array: runs of consecutive codes as `first [w w …]`.
fn width_runs(entries: impl Iterator<Item = (u16, i64)>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Option<(u16, u16, Vec<Object>)> = None;
    for (code, w) in entries {
        match &mut run {
            Some((_, last, ws)) if code == *last + 1 => {
                *last = code;
                ws.push(Object::Integer(w));
            }
            _ => {
                if let Some((first, _, ws)) = run.take() {
                    out.push(Object::Integer(first as i64));
                    out.push(Object::Array(ws));
                }
                run = Some((code, code, vec![Object::Integer(w)]));
            }
        }
    }
    if let Some((first, _, ws)) = run {
        out.push(Object::Integer(first as i64));
        out.push(Object::Array(ws));
    }
    out
}

/// The FontDescriptor entries but the font file, as printpdf writes them (metrics per 1000 units).
fn descriptor(font: &ParsedFont, face_name: &[u8]) -> Vec<(&'static str, Object)> {
    let m = &font.pdf_font_metrics;
    let scale = if m.units_per_em == 0 {
        1.0
    } else {
        1000.0 / m.units_per_em as f32
    };
    let ascent = (font.font_metrics.ascent as i64 as f32 * scale).round() as i64;
    let descent = (font.font_metrics.descent as i64 as f32 * scale).round() as i64;
    let s16 = |v: i16| Object::Integer((v as f32 * scale).round() as i64);
    let cap_height = font
        .font_metrics
        .cap_height
        .map(|c| (c * scale).round() as i64)
        .unwrap_or(ascent);
    let italic_angle = if m.caret_slope_rise == 0 {
        0
    } else {
        (-(m.caret_slope_run as f32)
            .atan2(m.caret_slope_rise as f32)
            .to_degrees())
        .round() as i64
    };
    let flags = (1 << 5) | if italic_angle != 0 { 1 << 6 } else { 0 };
    let stem_v = if m.us_weight_class == 0 {
        80
    } else {
        50 + ((m.us_weight_class as f32 / 65.0).powi(2)).round() as i64
    };
    vec![
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("FontName", Object::Name(face_name.to_vec())),
        ("Ascent", Object::Integer(ascent)),
        ("Descent", Object::Integer(descent)),
        ("CapHeight", Object::Integer(cap_height)),
        ("ItalicAngle", Object::Integer(italic_angle)),
        ("Flags", Object::Integer(flags)),
        ("StemV", Object::Integer(stem_v)),
        (
            "FontBBox",
            Object::Array(vec![s16(m.x_min), s16(m.y_min), s16(m.x_max), s16(m.y_max)]),
        ),
    ]
}

/// Deflates a stream at level 3 when that makes it smaller (the rule the writer applies to every stream).
pub fn deflated(mut stream: Stream) -> Stream {
    if let Some(compressed) = deflate(&stream.content) {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
    stream
}

/// `bytes` deflated at level 3 when that saves more than the filter entry costs.
pub fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    // lopdf's own `compress` uses the best level, which costs about three times as long on the
    // embedded fonts for a few percent of size.
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(3));
    encoder.write_all(bytes).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() + 19 < bytes.len()).then_some(compressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;

    fn used(fonts: &FontSet, text: &str) -> Used {
        text.chars()
            .filter_map(|c| {
                let g = fonts.body.glyph(c)?;
                Some((g.id, (g.units, c.to_string())))
            })
            .collect()
    }

    #[test]
    fn widths_come_in_runs_of_consecutive_codes() {
        let w = width_runs([(1, 500), (2, 1000), (5, 250)].into_iter());
        assert_eq!(
            w,
            vec![
                Object::Integer(1),
                Object::Array(vec![Object::Integer(500), Object::Integer(1000)]),
                Object::Integer(5),
                Object::Array(vec![Object::Integer(250)]),
            ]
        );
    }

    #[test]
    fn a_face_cut_down_for_a_class_gives_each_document_the_subset_the_whole_font_gives() {
        let fonts = FontSet::builtin();
        let font = ParsedFont::from_bytes(&fonts.body.bytes, 0, &mut Vec::new()).unwrap();
        let paper = used(&fonts, "社会工作者的职业道德是（　）。A．助人自助 2025年");
        let class = used(
            &fonts,
            "社会工作者的职业道德是（　）。A．助人自助 2025年张喆李堃王赟",
        );
        let whole = Embedded::new(&font, &font, "EGBODY", &paper).unwrap();
        let narrow = Narrow::new(&font, &class).unwrap();
        let cut = narrow.embed(&font, "EGBODY", &paper).unwrap();
        assert_eq!(cut.remap, whole.remap);
        assert_eq!(cut.program.content, whole.program.content);
        assert_eq!(cut.to_unicode.content, whole.to_unicode.content);
        assert_eq!(cut.widths, whole.widths);
        // A character the cut-down face lacks is not faked: the caller falls back to the whole font.
        assert!(narrow.embed(&font, "EGBODY", &used(&fonts, "翀")).is_none());
        // Full-width characters are 1000 units wide in /W.
        let wide =
            |w: &Object| matches!(w, Object::Array(ws) if ws.contains(&Object::Integer(1000)));
        assert!(whole.widths.iter().any(wide));
    }
}
