//! Embeds the fonts of one PDF ourselves: the document's glyphs subset once, /W widths from the advances
//! layout already measured, a ToUnicode map from the characters, and the objects numbered where printpdf
//! would have put them, so the file is the same byte for byte. printpdf would parse the subset again and
//! decode every glyph outline to learn those widths; and it needs each whole face parsed (and copied)
//! first, where the subsetter and the few metrics the dictionaries carry read the font bytes as they are.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId, Stream};
use printpdf::FontId;

/// Glyphs a document shows in one face: original glyph id → (advance in font units, the character), in
/// id order; a glyph noted again for another character keeps the last (as a map's insert would). Kept as
/// one sorted list: a page's glyphs are noted through [`Noting`] and merged into a file's in one pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Used {
    /// Sorted by glyph id, each id once.
    entries: Vec<(u16, (u16, char))>,
}

impl Used {
    pub fn new() -> Used {
        Used::default()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each glyph id with its advance and character, in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&u16, &(u16, char))> + '_ {
        self.entries.iter().map(|(g, v)| (g, v))
    }

    /// The glyph ids, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &u16> + '_ {
        self.entries.iter().map(|(g, _)| g)
    }

    pub fn get(&self, g: &u16) -> Option<&(u16, char)> {
        let at = self.entries.binary_search_by_key(g, |(k, _)| *k).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn contains_key(&self, g: &u16) -> bool {
        self.get(g).is_some()
    }

    /// Notes glyph `g` with its advance and character; one noted before keeps the new value.
    pub fn insert(&mut self, g: u16, v: (u16, char)) {
        match self.entries.binary_search_by_key(&g, |(k, _)| *k) {
            Ok(at) => self.entries[at].1 = v,
            Err(at) => self.entries.insert(at, (g, v)),
        }
    }

    /// Merges `more` (sorted by id, each id once) into this list in one pass, `more`'s values winning.
    fn merge_sorted(&mut self, more: &[(u16, (u16, char))]) {
        if more.is_empty() {
            return;
        }
        if self.entries.is_empty() {
            self.entries.extend_from_slice(more);
            return;
        }
        // Mostly every glyph is known already (a class's pages show the same few thousand): then the
        // values are written over in place.
        let mut at = 0;
        let mut all_known = true;
        for (g, v) in more {
            while at < self.entries.len() && self.entries[at].0 < *g {
                at += 1;
            }
            match self.entries.get_mut(at) {
                Some(entry) if entry.0 == *g => entry.1 = *v,
                _ => {
                    all_known = false;
                    break;
                }
            }
        }
        if all_known {
            return;
        }
        let old = std::mem::take(&mut self.entries);
        let mut merged = Vec::with_capacity(old.len() + more.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < more.len() {
            let (x, y) = (old[i], more[j]);
            if x.0 < y.0 {
                merged.push(x);
                i += 1;
            } else {
                merged.push(y);
                j += 1;
                if x.0 == y.0 {
                    i += 1;
                }
            }
        }
        merged.extend_from_slice(&old[i..]);
        merged.extend_from_slice(&more[j..]);
        self.entries = merged;
    }
}

impl Extend<(u16, (u16, char))> for Used {
    /// Notes each glyph in turn, as that many inserts would (a later value for a glyph wins).
    fn extend<I: IntoIterator<Item = (u16, (u16, char))>>(&mut self, iter: I) {
        let mut more: Vec<(u16, (u16, char))> = iter.into_iter().collect();
        if !more.windows(2).all(|w| w[0].0 < w[1].0) {
            // Stable: of one glyph's values the last stays last, and is the one kept.
            more.sort_by_key(|(g, _)| *g);
            let mut unique: Vec<(u16, (u16, char))> = Vec::with_capacity(more.len());
            for entry in more {
                match unique.last_mut() {
                    Some(last) if last.0 == entry.0 => *last = entry,
                    _ => unique.push(entry),
                }
            }
            more = unique;
        }
        self.merge_sorted(&more);
    }
}

impl FromIterator<(u16, (u16, char))> for Used {
    fn from_iter<I: IntoIterator<Item = (u16, (u16, char))>>(iter: I) -> Used {
        let mut used = Used::new();
        used.extend(iter);
        used
    }
}

/// Notes the glyphs of pages as they are shown, character by character, for one face: a glyph is
/// noted in a few steps (a bit, a slot, the value) instead of a search, and the glyphs come out in id
/// order by walking the bits. Kept per thread ([`with_noting`]): its tables (136 KB) are made once.
pub struct Noting {
    /// The glyph ids noted, a bit each.
    bits: Box<[u64; 1024]>,
    /// Where each noted glyph is in `entries`.
    slots: Box<[u16; 65536]>,
    /// The glyphs noted, in the order first seen, each with its last value.
    entries: Vec<(u16, (u16, char))>,
}

impl Default for Noting {
    fn default() -> Noting {
        Noting {
            bits: Box::new([0; 1024]),
            slots: vec![0; 65536]
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("65536 slots")),
            entries: Vec::new(),
        }
    }
}

impl Noting {
    /// Notes glyph `g` (`units` wide) shown for `c`; a glyph noted before keeps the last character.
    #[inline]
    pub fn note(&mut self, g: u16, units: u16, c: char) {
        let (word, bit) = (usize::from(g >> 6), 1u64 << (g & 63));
        if self.bits[word] & bit != 0 {
            let at = usize::from(self.slots[usize::from(g)]);
            self.entries[at].1 = (units, c);
            return;
        }
        self.bits[word] |= bit;
        // At most 65536 glyphs, so the place fits in a u16.
        self.slots[usize::from(g)] = self.entries.len() as u16;
        self.entries.push((g, (units, c)));
    }

    /// The glyphs noted since the last `take`, in id order; the noting starts afresh.
    pub fn take(&mut self) -> Used {
        let mut entries = Vec::with_capacity(self.entries.len());
        if self.entries.len() * 8 < self.bits.len() {
            // Few glyphs: sorting them is quicker than walking every word.
            for (g, _) in &self.entries {
                self.bits[usize::from(g >> 6)] = 0;
            }
            entries.append(&mut self.entries);
            entries.sort_unstable_by_key(|(g, _)| *g);
        } else {
            for (word, bits) in self.bits.iter_mut().enumerate() {
                let mut rest = std::mem::take(bits);
                while rest != 0 {
                    let g = (word << 6 | rest.trailing_zeros() as usize) as u16;
                    rest &= rest - 1;
                    entries.push(self.entries[usize::from(self.slots[usize::from(g)])]);
                }
            }
            self.entries.clear();
        }
        Used { entries }
    }
}

/// Runs `f` with this thread's notings for [body, heading], emptied when it is done. A nested call
/// (none is made today) gets fresh ones.
pub fn with_noting<T>(f: impl FnOnce(&mut [Noting; 2]) -> T) -> T {
    thread_local! {
        static NOTING: std::cell::RefCell<Option<Box<[Noting; 2]>>> = const { std::cell::RefCell::new(None) };
    }
    let mut noting = NOTING
        .with(|n| n.try_borrow_mut().ok().and_then(|mut n| n.take()))
        .unwrap_or_default();
    let out = f(&mut noting);
    for n in noting.iter_mut() {
        // Whatever `f` left un-taken is dropped, so the next caller starts clean.
        n.take();
    }
    NOTING.with(|n| {
        if let Ok(mut n) = n.try_borrow_mut() {
            *n = Some(noting);
        }
    });
    out
}

/// One face as a document embeds it: how its glyphs are renumbered, and the objects, streams deflated.
#[derive(Clone)]
pub struct Embedded {
    /// Original glyph id → id in the subset; the content stream shows the latter.
    pub remap: BTreeMap<u16, u16>,
    program: std::sync::Arc<Program>,
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
    /// Subsets `source` (font bytes) to `used` (glyph ids of `source`), named and measured as `meta` says
    /// (resource name `id`), or None when the subsetter fails. `source` is the face's file or a face already
    /// cut down from it.
    pub fn new(
        source: &[u8],
        meta: &FaceMeta,
        id: &str,
        used: &Used,
        programs: Option<&Programs>,
    ) -> Option<Embedded> {
        let program = program(source, used, programs)?;
        let remap = program.glyph_mapping.clone();
        // Subset ids ascend with the original ids, as /W runs and ToUnicode ranges need.
        let coded: Vec<(u16, u16, char)> = used
            .iter()
            .filter_map(|(g, (units, c))| remap.get(g).map(|new| (*new, *units, *c)))
            .collect();
        let unicode: Vec<(u16, char)> = coded.iter().map(|(n, _, c)| (*n, *c)).collect();
        let cmap = cmap_string(id, &unicode);

        let scale = 1000.0 / meta.units_per_em as f32;
        let widths = width_runs(
            coded
                .iter()
                .map(|(n, units, _)| (*n, (*units as f32 * scale) as i64)),
        );

        let to_unicode = deflated(Stream::new(Dictionary::new(), cmap.into_bytes()));

        let name = meta.name.clone().unwrap_or_else(|| id.to_string());
        let face_name = format!("{}+{name}", id.get(0..6).unwrap_or(id)).into_bytes();
        Some(Embedded {
            remap,
            program,
            to_unicode,
            widths,
            descriptor: descriptor(meta, &face_name),
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
            .insert(program, Object::Stream(self.program.stream.clone()));
        doc.objects
            .insert(to_unicode, Object::Stream(self.to_unicode.clone()));
        let mut d = Dictionary::from_iter(self.descriptor.clone());
        d.set("FontFile2", Object::Reference(program));
        doc.objects.insert(descriptor, Object::Dictionary(d));
        let dict = type0_font(
            &self.face_name,
            &self.widths,
            to_unicode,
            descriptor,
            Object::Name(b"Identity".to_vec()),
        );
        doc.objects.insert(font, Object::Dictionary(dict));
        font
    }
}

/// A face cut down to the glyphs of all documents of a run: subsetting reads every glyph record of the
/// font it is given, so each document's subset is taken from this small face instead of the whole font.
pub struct Narrow {
    bytes: Vec<u8>,
    /// Glyph id in the whole font → id in this face.
    ids: BTreeMap<u16, u16>,
}

impl Narrow {
    pub fn new(font: &[u8], used: &Used) -> Option<Narrow> {
        let subset = subset(font, used)?;
        Some(Narrow {
            bytes: subset.bytes,
            ids: subset.glyph_mapping,
        })
    }

    /// `used` embedded from this face, when it has all of its glyphs. Renumbering keeps the order of
    /// glyph ids, so the subset is the one the whole font would give.
    pub fn embed(
        &self,
        meta: &FaceMeta,
        id: &str,
        used: &Used,
        programs: Option<&Programs>,
    ) -> Option<Embedded> {
        let mut narrow = Used::new();
        for (g, v) in used.iter() {
            narrow.insert(*self.ids.get(g)?, *v);
        }
        let mut embedded = Embedded::new(&self.bytes, meta, id, &narrow, programs)?;
        embedded.remap = used
            .keys()
            .filter_map(|g| Some((*g, *embedded.remap.get(self.ids.get(g)?)?)))
            .collect();
        Some(embedded)
    }
}

/// A face's objects as [`insert_fonts`] puts them into a document: `COUNT` of them, numbered from `first`.
pub trait FontObjects {
    const COUNT: u32;
    /// Adds the objects and returns the font's id.
    fn insert_objects(&self, doc: &mut lopdf::Document, first: u32) -> ObjectId;
}

impl FontObjects for Embedded {
    const COUNT: u32 = 4;
    fn insert_objects(&self, doc: &mut lopdf::Document, first: u32) -> ObjectId {
        self.insert(doc, first)
    }
}

impl FontObjects for KeptIds {
    const COUNT: u32 = 5;
    fn insert_objects(&self, doc: &mut lopdf::Document, first: u32) -> ObjectId {
        for (n, object) in self.objects(first + 4, first) {
            doc.objects.insert((n, 0), object);
        }
        (first + 4, 0)
    }
}

/// One face for a file whose pages were drawn before all its glyphs were known (a print file written page
/// by page): the pages show each glyph by its id in the whole face (the CID), and a CIDToGIDMap points each
/// CID at the glyph's place in the subset, which is cut once, at the end, to every glyph the pages showed.
pub struct KeptIds {
    /// The glyphs (ids in the whole face) it has, a bit each: every glyph of every page drawn on the
    /// faces is looked up here.
    glyphs: Box<[u64; 1024]>,
    program: std::sync::Arc<Program>,
    to_unicode: Stream,
    cid_to_gid: Stream,
    widths: Vec<Object>,
    face_name: Vec<u8>,
    descriptor: Vec<(&'static str, Object)>,
}

impl KeptIds {
    /// `used` (glyph ids of `source`, the whole face) subset from `source`, or None when the subsetter fails.
    pub fn new(
        source: &[u8],
        meta: &FaceMeta,
        id: &str,
        used: &Used,
        programs: Option<&Programs>,
    ) -> Option<KeptIds> {
        let program = program(source, used, programs)?;
        let unicode: Vec<(u16, char)> = used.iter().map(|(g, (_, c))| (*g, *c)).collect();
        let scale = 1000.0 / meta.units_per_em as f32;
        let widths = width_runs(
            used.iter()
                .map(|(g, (units, _))| (*g, (*units as f32 * scale) as i64)),
        );
        let last = used.keys().next_back().copied().unwrap_or(0) as usize;
        let mut map = vec![0u8; 2 * (last + 1)];
        for (g, new) in &program.glyph_mapping {
            let at = 2 * *g as usize;
            map[at..at + 2].copy_from_slice(&new.to_be_bytes());
        }
        let name = meta.name.clone().unwrap_or_else(|| id.to_string());
        let face_name = format!("{}+{name}", id.get(0..6).unwrap_or(id)).into_bytes();
        Some(KeptIds {
            glyphs: {
                let mut bits = Box::new([0u64; 1024]);
                for g in used.keys() {
                    bits[usize::from(*g >> 6)] |= 1 << (g & 63);
                }
                bits
            },
            program,
            to_unicode: deflated(Stream::new(
                Dictionary::new(),
                cmap_string(id, &unicode).into_bytes(),
            )),
            cid_to_gid: deflated(Stream::new(Dictionary::new(), map)),
            widths,
            descriptor: descriptor(meta, &face_name),
            face_name,
        })
    }

    /// The contents of the face's streams (font program, ToUnicode, CIDToGIDMap), in the order of
    /// [`KeptIds::objects`].
    pub fn streams(&self) -> [&[u8]; 3] {
        [
            &self.program.stream.content,
            &self.to_unicode.content,
            &self.cid_to_gid.content,
        ]
    }

    /// Whether the face has glyph `g` (an id in the whole face).
    pub fn has(&self, g: u16) -> bool {
        self.glyphs[usize::from(g >> 6)] & (1 << (g & 63)) != 0
    }

    /// The face's objects: the Type0 font as `font`, the others numbered from `first` (font program,
    /// ToUnicode, CIDToGIDMap, descriptor); returns them in that order, the font last.
    pub fn objects(&self, font: u32, first: u32) -> Vec<(u32, Object)> {
        let (program, to_unicode, map, descriptor) = (first, first + 1, first + 2, first + 3);
        let mut d = Dictionary::from_iter(self.descriptor.clone());
        d.set("FontFile2", Object::Reference((program, 0)));
        let dict = type0_font(
            &self.face_name,
            &self.widths,
            (to_unicode, 0),
            (descriptor, 0),
            Object::Reference((map, 0)),
        );
        vec![
            (program, Object::Stream(self.program.stream.clone())),
            (to_unicode, Object::Stream(self.to_unicode.clone())),
            (map, Object::Stream(self.cid_to_gid.clone())),
            (descriptor, Object::Dictionary(d)),
            (font, Object::Dictionary(dict)),
        ]
    }
}

/// Things lately made, by key, each made once and shared; a few are kept, the oldest dropped first.
pub struct Recent<K, T> {
    kept: std::sync::Mutex<std::collections::VecDeque<(K, std::sync::Arc<T>)>>,
    size: usize,
}

impl<K: PartialEq, T> Recent<K, T> {
    pub fn new(size: usize) -> Recent<K, T> {
        Recent {
            kept: Default::default(),
            size,
        }
    }

    /// The thing made for `key` before, or made by `make` now (None when it fails, which is not kept).
    /// Two threads may make the same thing at once; both get equal values.
    pub fn get_or_make(
        &self,
        key: K,
        make: impl FnOnce() -> Option<T>,
    ) -> Option<std::sync::Arc<T>> {
        let lock = || self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, made)) = lock().iter().find(|(k, _)| *k == key) {
            return Some(std::sync::Arc::clone(made));
        }
        let made = std::sync::Arc::new(make()?);
        let mut kept = lock();
        if kept.len() >= self.size {
            kept.pop_front();
        }
        kept.push_back((key, std::sync::Arc::clone(&made)));
        Some(made)
    }
}

/// A face's glyphs subset and the font program deflated — the slow part of embedding a face — and how the
/// glyphs were renumbered.
pub struct Program {
    stream: Stream,
    glyph_mapping: BTreeMap<u16, u16>,
}

/// Font programs lately made, by the font they were cut from (its bytes' address and length: the faces
/// and cut-down faces a writer holds, which outlive it) and their glyph ids. A batch with a variant per
/// student prints the same questions in other orders, so its papers (its keys, its sheets) show the same
/// glyphs and would otherwise cut and deflate the same program again for the same bytes. Only the
/// glyphs count: which character a glyph stands for (the ToUnicode map) may differ between documents
/// and is made for each.
pub type Programs = Recent<(usize, usize, Vec<u16>), Program>;

/// How many programs a writer keeps: body and heading of a batch's paper, answer sheet and key.
pub const PROGRAMS_KEPT: usize = 8;

/// `used` (glyph ids of `source`) subset from `source` and deflated, from `programs` when it has it; None
/// when the subsetter fails or the subset is not TrueType.
fn program(
    source: &[u8],
    used: &Used,
    programs: Option<&Programs>,
) -> Option<std::sync::Arc<Program>> {
    let make = || {
        let subset = subset(source, used)?;
        if !is_truetype(&subset.bytes) {
            return None;
        }
        let mut dict = Dictionary::new();
        dict.set("Length1", Object::Integer(subset.bytes.len() as i64));
        Some(Program {
            stream: deflated(Stream::new(dict, subset.bytes).with_compression(true)),
            glyph_mapping: subset.glyph_mapping,
        })
    };
    match programs {
        Some(programs) => programs.get_or_make(
            (
                source.as_ptr() as usize,
                source.len(),
                used.keys().copied().collect(),
            ),
            make,
        ),
        None => make().map(std::sync::Arc::new),
    }
}

/// A Type0 font over one CIDFontType2 descendant, glyphs addressed by 2-byte CIDs (Identity-H), the
/// way every face of ours is embedded; `cid_to_gid` is `/Identity` or a map stream's reference.
fn type0_font(
    face_name: &[u8],
    widths: &[Object],
    to_unicode: ObjectId,
    descriptor: ObjectId,
    cid_to_gid: Object,
) -> Dictionary {
    let name = || Object::Name(face_name.to_vec());
    let literal = |s: &[u8]| Object::String(s.to_vec(), lopdf::StringFormat::Literal);
    let cid_font = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("BaseFont", name()),
        ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
        (
            "CIDSystemInfo",
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Registry", literal(b"Adobe")),
                ("Ordering", literal(b"Identity")),
                ("Supplement", Object::Integer(0)),
            ])),
        ),
        ("W", Object::Array(widths.to_vec())),
        ("DW", Object::Integer(1000)),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("CIDToGIDMap", cid_to_gid),
    ]);
    Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", name()),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        ("ToUnicode", Object::Reference(to_unicode)),
        (
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(cid_font)]),
        ),
    ])
}

struct Subset {
    bytes: Vec<u8>,
    /// Original glyph id → id in the subset.
    glyph_mapping: BTreeMap<u16, u16>,
}

/// The font in `bytes` cut down to the glyphs of `used`, as printpdf's `subset_font` does it: .notdef
/// first, then the glyphs in id order, each renumbered to its place in that list (composite glyphs'
/// parts come after them).
fn subset(bytes: &[u8], used: &Used) -> Option<Subset> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};
    let data = ReadScope::new(bytes).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    let ids: Vec<u16> = std::iter::once(0)
        .chain(used.keys().copied().filter(|g| *g != 0))
        .collect();
    let bytes =
        allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
    let glyph_mapping = ids
        .iter()
        .enumerate()
        .filter(|(_, g)| used.contains_key(g))
        .map(|(i, g)| (*g, i as u16))
        .collect();
    Some(Subset {
        bytes,
        glyph_mapping,
    })
}

/// The ToUnicode CMap printpdf writes for (code, text) pairs.
fn cmap_string(id: &str, codes: &[(u16, char)]) -> String {
    let mappings = codes
        .iter()
        .map(|(code, c)| (*code as u32, vec![*c as u32]))
        .collect();
    printpdf::cmap::ToUnicodeCMap { mappings }.to_cmap_string(&FontId(id.into()).0)
}

/// What a font's dictionaries say about its face, read from the font's own tables (head, hhea, OS/2,
/// name) as printpdf's parser reads them.
pub struct FaceMeta {
    /// The PostScript name.
    name: Option<String>,
    units_per_em: u16,
    bbox: [i16; 4],
    ascender: i16,
    descender: i16,
    caret_slope_rise: i16,
    caret_slope_run: i16,
    weight_class: u16,
}

impl FaceMeta {
    pub fn read(bytes: &[u8]) -> Option<FaceMeta> {
        let face = ttf_parser::Face::parse(bytes, 0).ok()?;
        let raw = face.raw_face();
        let table = |tag: &[u8; 4]| raw.table(ttf_parser::Tag::from_bytes(tag));
        let at = |t: &[u8], offset: usize| -> Option<[u8; 2]> {
            t.get(offset..offset + 2).map(|b| [b[0], b[1]])
        };
        let i16_at = |t: &[u8], o: usize| at(t, o).map(i16::from_be_bytes);
        let (head, hhea) = (table(b"head")?, table(b"hhea")?);
        let weight_class = table(b"OS/2")
            .and_then(|t| at(t, 4))
            .map_or(0, u16::from_be_bytes);
        let name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string());
        Some(FaceMeta {
            name,
            units_per_em: u16::from_be_bytes(at(head, 18)?),
            bbox: [
                i16_at(head, 36)?,
                i16_at(head, 38)?,
                i16_at(head, 40)?,
                i16_at(head, 42)?,
            ],
            ascender: i16_at(hhea, 4)?,
            descender: i16_at(hhea, 6)?,
            caret_slope_rise: i16_at(hhea, 18)?,
            caret_slope_run: i16_at(hhea, 20)?,
            weight_class,
        })
    }
}

/// Puts `fonts` (resource name and face, in name order) into a document printpdf wrote without them: the
/// objects from its empty font dictionary on move up to make room, as if printpdf had embedded them.
pub fn insert_fonts<F: FontObjects>(doc: &mut lopdf::Document, fonts: &[(&str, &F)]) {
    let Some(dict_id) = font_dictionary(doc) else {
        return;
    };
    let room = F::COUNT * fonts.len() as u32;
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
        let font = embedded.insert_objects(doc, start + F::COUNT * k as u32);
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
fn descriptor(m: &FaceMeta, face_name: &[u8]) -> Vec<(&'static str, Object)> {
    let scale = if m.units_per_em == 0 {
        1.0
    } else {
        1000.0 / m.units_per_em as f32
    };
    let ascent = (m.ascender as f32 * scale).round() as i64;
    let descent = (m.descender as f32 * scale).round() as i64;
    let s16 = |v: i16| Object::Integer((v as f32 * scale).round() as i64);
    // printpdf's parser leaves the cap height unknown and writes the ascent.
    let cap_height = ascent;
    let italic_angle = if m.caret_slope_rise == 0 {
        0
    } else {
        (-(m.caret_slope_run as f32)
            .atan2(m.caret_slope_rise as f32)
            .to_degrees())
        .round() as i64
    };
    let flags = (1 << 5) | if italic_angle != 0 { 1 << 6 } else { 0 };
    let stem_v = if m.weight_class == 0 {
        80
    } else {
        50 + ((m.weight_class as f32 / 65.0).powi(2)).round() as i64
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
            Object::Array(m.bbox.iter().map(|v| s16(*v)).collect()),
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
    thread_local! {
        static DEFLATER: std::cell::RefCell<flate2::Compress> = deflater(3);
    }
    deflate_with(&DEFLATER, bytes)
}

/// A page's content stream deflated, at level 2 when that saves more than the filter entry costs: a
/// batch deflates every page of every student, and level 2 takes about 60 % of level 3's time for
/// pages a few percent larger (fonts and pictures, written once, stay at level 3).
pub fn deflate_content(bytes: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        static DEFLATER: std::cell::RefCell<flate2::Compress> = deflater(2);
    }
    deflate_with(&DEFLATER, bytes)
}

fn deflater(level: u32) -> std::cell::RefCell<flate2::Compress> {
    std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::new(level), true))
}

/// `bytes` deflated by this thread's compressor `deflater` when that saves more than the filter entry
/// costs.
fn deflate_with(
    deflater: &'static std::thread::LocalKey<std::cell::RefCell<flate2::Compress>>,
    bytes: &[u8],
) -> Option<Vec<u8>> {
    use flate2::{FlushCompress, Status};
    // lopdf's own `compress` uses the best level, which costs about three times as long on the
    // embedded fonts for a few percent of size. A batch deflates every page of every student: each
    // thread keeps one compressor per level (its window and tables, a few hundred KB) and resets it,
    // the same stream as a new one makes.
    let compressed = deflater.with(|deflater| {
        let mut deflater = deflater.borrow_mut();
        deflater.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        loop {
            let read = usize::try_from(deflater.total_in()).ok()?;
            let status = deflater
                .compress_vec(&bytes[read..], &mut out, FlushCompress::Finish)
                .ok()?;
            if status == Status::StreamEnd {
                return Some(out);
            }
            out.reserve(out.capacity().max(4096));
        }
    })?;
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
                Some((g.id, (g.units, c)))
            })
            .collect()
    }

    #[test]
    fn deflate_with_a_kept_compressor_makes_the_stream_a_new_encoder_makes() {
        use std::io::Write;
        let fresh = |bytes: &[u8]| {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(3));
            e.write_all(bytes).unwrap();
            e.finish().unwrap()
        };
        let page: Vec<u8> = (0..40_000u32)
            .flat_map(|i| {
                format!(
                    "BT /EGBODY 10.5 Tf {} {} Td <{:04X}> Tj ET\n",
                    i % 595,
                    i % 842,
                    i * 7 % 30_000
                )
                .into_bytes()
            })
            .collect();
        // Long and short, one after another on the same thread.
        for bytes in [&page[..], &page[..300], &page[..100_000], b"q Q".as_slice()] {
            let want = fresh(bytes);
            match deflate(bytes) {
                Some(got) => assert_eq!(got, want),
                None => assert!(want.len() + 19 >= bytes.len()),
            }
        }
    }

    #[test]
    fn recent_makes_each_key_once_and_drops_the_oldest() {
        let recent: Recent<u32, String> = Recent::new(2);
        let made = std::cell::Cell::new(0);
        let get = |k: u32| {
            recent
                .get_or_make(k, || {
                    made.set(made.get() + 1);
                    (k != 9).then(|| format!("v{k}"))
                })
                .map(|v| v.to_string())
        };
        assert_eq!(get(1).as_deref(), Some("v1"));
        assert_eq!(get(1).as_deref(), Some("v1"));
        assert_eq!(made.get(), 1);
        // A failure is not kept: asked again, it is tried again.
        assert_eq!(get(9), None);
        assert_eq!(get(9), None);
        assert_eq!(made.get(), 3);
        get(2);
        get(3);
        assert_eq!(made.get(), 5);
        get(1);
        assert_eq!(made.get(), 6, "1 was dropped for 3");
    }

    #[test]
    fn kept_ids_have_exactly_the_glyphs_they_were_cut_to() {
        let fonts = FontSet::builtin();
        let font: &[u8] = &fonts.body.bytes;
        let meta = FaceMeta::read(font).unwrap();
        let kept = used(&fonts, "社会工作者 A．2025（　）");
        let face = KeptIds::new(font, &meta, "EGBODY", &kept, None).unwrap();
        let ids: Vec<u16> = kept.keys().copied().collect();
        for g in 0..=u16::MAX {
            assert_eq!(face.has(g), ids.contains(&g), "{g}");
        }
    }

    /// Glyph notes as a map keeps them: the reference for [`Used`] and [`Noting`].
    type Map = std::collections::BTreeMap<u16, (u16, char)>;

    /// A page's worth of notes: ids from a small range, repeated, some ids for two characters.
    fn notes(seed: u32, n: usize, spread: u32) -> Vec<(u16, (u16, char))> {
        let mut x = seed.wrapping_mul(2_654_435_761).max(1);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let g = (x % spread) as u16 * 7;
                let c = char::from_u32(0x4E00 + (x >> 20) % 3).unwrap();
                (g, (g % 1000 + 1, c))
            })
            .collect()
    }

    fn same(used: &Used, map: &Map) {
        let got: Vec<(u16, (u16, char))> = used.iter().map(|(g, v)| (*g, *v)).collect();
        let want: Vec<(u16, (u16, char))> = map.iter().map(|(g, v)| (*g, *v)).collect();
        assert_eq!(got, want);
        assert_eq!(used.is_empty(), map.is_empty());
        assert_eq!(used.keys().next_back(), map.keys().next_back());
        for g in [0, 7, 14, 700, 9999] {
            assert_eq!(used.get(&g), map.get(&g));
            assert_eq!(used.contains_key(&g), map.contains_key(&g));
        }
    }

    #[test]
    fn noted_glyphs_come_out_as_a_map_keeps_them() {
        let mut noting = Noting::default();
        // Few glyphs (sorted on taking) and many (the bits walked), the same noting reused, and
        // glyphs at both ends of the id range.
        for (seed, n, spread) in [
            (1, 40, 30),
            (2, 5000, 3000),
            (3, 300, 9000),
            (4, 0, 1),
            (5, 20_000, 9362),
        ] {
            let mut map = Map::new();
            let mut inserted = Used::new();
            for (g, (units, c)) in notes(seed, n, spread).into_iter().chain([
                (0, (500, 'a')),
                (u16::MAX, (1, 'z')),
                (0, (600, 'b')),
            ]) {
                noting.note(g, units, c);
                map.insert(g, (units, c));
                inserted.insert(g, (units, c));
            }
            same(&noting.take(), &map);
            same(&inserted, &map);
        }
        // Taking empties it.
        assert!(noting.take().is_empty());
        assert!(with_noting(|n| n[1].take()).is_empty());
    }

    #[test]
    fn glyphs_merged_into_a_file_are_those_a_map_extended_page_by_page_has() {
        let mut map = Map::new();
        let mut used = Used::new();
        for page in 0..60u32 {
            // Pages of known glyphs only, of new ones, of both; and an unsorted run with repeats.
            let spread = [50, 400, 3000][page as usize % 3];
            let page_notes: Map = notes(page + 11, 700, spread).into_iter().collect();
            let page_used: Used = notes(page + 11, 700, spread).into_iter().collect();
            same(&page_used, &page_notes);
            map.extend(page_notes.iter().map(|(g, v)| (*g, *v)));
            used.extend(page_used.iter().map(|(g, v)| (*g, *v)));
            same(&used, &map);
            let raw = notes(page + 99, 30, 200);
            map.extend(raw.iter().copied());
            used.extend(raw.iter().copied());
            same(&used, &map);
        }
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
        let font: &[u8] = &fonts.body.bytes;
        let meta = FaceMeta::read(font).unwrap();
        let paper = used(&fonts, "社会工作者的职业道德是（　）。A．助人自助 2025年");
        let class = used(
            &fonts,
            "社会工作者的职业道德是（　）。A．助人自助 2025年张喆李堃王赟",
        );
        let whole = Embedded::new(font, &meta, "EGBODY", &paper, None).unwrap();
        let narrow = Narrow::new(font, &class).unwrap();
        let cut = narrow.embed(&meta, "EGBODY", &paper, None).unwrap();
        assert_eq!(cut.remap, whole.remap);
        assert_eq!(cut.program.stream.content, whole.program.stream.content);
        assert_eq!(cut.to_unicode.content, whole.to_unicode.content);
        assert_eq!(cut.widths, whole.widths);
        // A character the cut-down face lacks is not faked: the caller falls back to the whole font.
        assert!(
            narrow
                .embed(&meta, "EGBODY", &used(&fonts, "翀"), None)
                .is_none()
        );
        // Full-width characters are 1000 units wide in /W.
        let wide =
            |w: &Object| matches!(w, Object::Array(ws) if ws.contains(&Object::Integer(1000)));
        assert!(whole.widths.iter().any(wide));
    }
}
