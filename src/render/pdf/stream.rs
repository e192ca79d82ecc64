//! Print files written as they are made: a class's print-papers.pdf is appended to page by page while the
//! students are rendered, and never held in memory. Pages show each glyph by its id in the whole face (so a
//! page can be written before the last student's name is known); the fonts, cut once to every glyph the
//! pages showed, the page tree, the outline and the cross-reference table follow the last page, in objects
//! whose numbers were reserved at the start. Identical page contents (the pages every student of a variant
//! shares) and pictures are written once and shared.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use lopdf::Object;
use sha2::{Digest, Sha256};

use super::embed::{self, KeptIds, Used};
use super::{BODY_ID, HEADING_ID, PdfWriter, collect_page_used, page_bytes};
use crate::error::{Error, Result};
use crate::render::layout::{Item, Layout, Page};

/// One document's pages drawn for a print file.
pub struct PrintPages {
    pages: Vec<Arc<PrintPage>>,
    /// Page width and height in points.
    size: (f32, f32),
    /// The document's title; the first document's names the print file.
    title: String,
}

impl PrintPages {
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// A page's content stream (deflated when that is smaller), the pictures it names `IMG1` … in order, and
/// the glyphs it shows ([body, heading]).
struct PrintPage {
    content: Vec<u8>,
    deflated: bool,
    pictures: Vec<(String, u32)>,
    used: Arc<[Used; 2]>,
}

impl PrintPages {
    /// A document's pages as drawn for its own file ([`PdfWriter::write_shared_for_print`]): each page's
    /// content (deflated or not) and glyphs, showing glyphs by their ids in the whole face, and the pictures
    /// the document names `IMG1` … (each page gets them all).
    pub(super) fn drawn(
        layout: &Layout,
        pages: Vec<(Vec<u8>, bool, Arc<[Used; 2]>)>,
        pictures: Vec<(String, u32)>,
    ) -> PrintPages {
        PrintPages {
            pages: pages
                .into_iter()
                .map(|(content, deflated, used)| {
                    Arc::new(PrintPage {
                        content,
                        deflated,
                        pictures: pictures.clone(),
                        used,
                    })
                })
                .collect(),
            size: (layout.setup.width, layout.setup.height),
            title: layout.title.clone(),
        }
    }
}

/// Pages already drawn for a print file, by document (a caller's key: kind and variant) and page number,
/// with the items they were drawn from: the students of one variant share every page but the ones their
/// name and id are stamped on, and those are drawn once. Keeps the pages of the latest few documents.
#[derive(Default)]
pub struct PrintPageCache {
    kept: Mutex<VecDeque<(PageKey, Arc<DrawnPage>)>>,
}

type PageKey = (usize, usize, usize);

/// A page's items and the page drawn from them.
type DrawnPage = (Vec<Item>, Arc<PrintPage>);

/// How many pages the cache keeps: two variants' papers and sheets, with room to spare.
const PAGES_KEPT: usize = 96;

impl PrintPageCache {
    fn get(&self, key: PageKey, page: &Page) -> Option<Arc<PrintPage>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (_, found) = kept.iter().find(|(k, _)| *k == key)?;
        (found.0 == page.items).then(|| Arc::clone(&found.1))
    }

    fn put(&self, key: PageKey, page: &Page, drawn: &Arc<PrintPage>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(k, _)| *k != key);
        if kept.len() >= PAGES_KEPT {
            kept.pop_front();
        }
        kept.push_back((key, Arc::new((page.items.clone(), Arc::clone(drawn)))));
    }
}

impl PdfWriter<'_> {
    /// Whether print files can be written page by page: the faces are TrueType, which we embed ourselves
    /// (printpdf embeds CFF faces, and only whole documents).
    pub fn streams_print_files(&self) -> bool {
        self.meta.is_some()
    }

    /// `layout`'s pages drawn for [`PrintFile::append`]. Every picture is made first, so a broken file is an
    /// error here, as in [`PdfWriter::write`]. With a cache and the document's key (`(kind, variant)`: any
    /// two numbers that name the document the layout is a copy of), a page whose items equal those of the
    /// same page drawn before is not drawn again.
    pub fn print_pages(
        &self,
        layout: &Layout,
        cache: Option<(&PrintPageCache, (usize, usize))>,
    ) -> Result<PrintPages> {
        let height = layout.setup.height;
        let size = (
            printpdf::Pt(layout.setup.width).into(),
            printpdf::Pt(height).into(),
        );
        let mut pages = Vec::with_capacity(layout.pages.len());
        for (n, page) in layout.pages.iter().enumerate() {
            let key = cache.map(|(cache, (a, b))| (cache, (a, b, n)));
            if let Some(found) = key.and_then(|(cache, key)| cache.get(key, page)) {
                pages.push(found);
                continue;
            }
            let pictures = self.page_pictures(page)?;
            let content = page_bytes(page, (height, size), self, &[None, None], &pictures)
                .unwrap_or_default();
            let (content, deflated) = match embed::deflate_content(&content) {
                Some(small) => (small, true),
                None => (content, false),
            };
            let mut used: [Used; 2] = Default::default();
            collect_page_used(page, self, &mut used);
            let drawn = Arc::new(PrintPage {
                content,
                deflated,
                pictures,
                used: Arc::new(used),
            });
            if let Some((cache, key)) = key {
                cache.put(key, page, &drawn);
            }
            pages.push(drawn);
        }
        Ok(PrintPages {
            pages,
            size: (layout.setup.width, height),
            title: layout.title.clone(),
        })
    }

    /// The pictures of `page` (file and printed width) in order of first use, each made.
    fn page_pictures(&self, page: &Page) -> Result<Vec<(String, u32)>> {
        let mut pictures: Vec<(String, u32)> = Vec::new();
        for item in &page.items {
            if let Item::Image { w, src, .. } = item {
                self.xobjects.xobject(src, *w).map_err(Error::input)?;
                let key = (src.clone(), w.to_bits());
                if !pictures.contains(&key) {
                    pictures.push(key);
                }
            }
        }
        Ok(pictures)
    }
}

// Object numbers reserved at the start, written after the last page.
const CATALOG: u32 = 1;
const PAGES: u32 = 2;
const INFO: u32 = 3;
const FONTS: u32 = 4;
const OUTLINES: u32 = 5;
/// The Type0 font of each face: [body, heading].
const FACES: [u32; 2] = [6, 7];
const RESERVED: u32 = 7;

/// A print file being written: the documents of a class appended one after another, each starting on an
/// odd page when printed on both sides, each an entry in the outline.
pub struct PrintFile<W: Write> {
    out: Counting<io::BufWriter<W>>,
    /// Where each object starts, by object number (0 unused).
    offsets: Vec<u64>,
    /// The page objects, in order, and each page's size.
    pages: Vec<u32>,
    last_size: (f32, f32),
    /// Each document's outline entry and its first page object.
    bookmarks: Vec<(String, u32)>,
    used: [Used; 2],
    /// Content streams already written, by [`content_key`].
    contents: HashMap<ContentKey, u32>,
    pictures: HashMap<(String, u32), u32>,
    /// The document id hashes every stream written.
    hasher: Sha256,
    title: String,
    duplex: bool,
}

impl<W: Write> PrintFile<W> {
    /// Starts a print file into `out` (titled as its first document); with `duplex`, each document starts
    /// on an odd page.
    pub fn new(out: W, duplex: bool) -> io::Result<PrintFile<W>> {
        let mut out = Counting {
            inner: io::BufWriter::with_capacity(1 << 16, out),
            written: 0,
        };
        out.write_all(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
        Ok(PrintFile {
            out,
            offsets: vec![0; RESERVED as usize + 1],
            pages: Vec::new(),
            last_size: (0.0, 0.0),
            bookmarks: Vec::new(),
            used: Default::default(),
            contents: HashMap::new(),
            pictures: HashMap::new(),
            hasher: Sha256::new(),
            title: String::new(),
            duplex,
        })
    }

    /// How many pages are written so far.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Appends a document's pages, with `title` as its outline entry: written to the file now, their glyphs
    /// remembered for the fonts at the end.
    pub fn append(&mut self, writer: &PdfWriter, title: &str, doc: PrintPages) -> io::Result<()> {
        if self.duplex && self.pages.len() % 2 == 1 {
            let blank = PrintPage {
                content: Vec::new(),
                deflated: false,
                pictures: Vec::new(),
                used: Default::default(),
            };
            self.page(&[], &blank, self.last_size)?;
        }
        self.last_size = doc.size;
        if self.pages.is_empty() {
            self.title = doc.title;
        }
        for (n, page) in doc.pages.iter().enumerate() {
            let mut names = Vec::with_capacity(page.pictures.len());
            for key in &page.pictures {
                names.push(self.picture(writer, key)?);
            }
            let id = self.page(&names, page, doc.size)?;
            if n == 0 {
                self.bookmarks.push((title.to_string(), id));
            }
        }
        Ok(())
    }

    /// Writes the fonts, page tree, outline, document information and cross-reference table, and hands
    /// back the output with the number of pages.
    pub fn finish(mut self, writer: &PdfWriter) -> io::Result<(W, usize)> {
        let mut font_dict = lopdf::Dictionary::new();
        for (i, (face, id)) in [
            (&writer.fonts.body, BODY_ID),
            (&writer.fonts.heading, HEADING_ID),
        ]
        .into_iter()
        .enumerate()
        {
            let used = std::mem::take(&mut self.used[i]);
            let meta = writer.meta.as_ref().map(|m| &m[i]);
            let (Some(meta), false) = (meta, used.is_empty()) else {
                self.object(FACES[i], &Object::Null)?;
                continue;
            };
            let kept = KeptIds::new(&face.bytes, meta, id, &used, None).ok_or_else(|| {
                io::Error::other(format!("the font {} could not be subset", face.name))
            })?;
            let first = self.offsets.len() as u32;
            self.offsets.extend([0; 4]);
            for (n, object) in kept.objects(FACES[i], first) {
                self.object(n, &object)?;
            }
            font_dict.set(id, Object::Reference((FACES[i], 0)));
        }
        self.object(FONTS, &Object::Dictionary(font_dict))?;

        self.begin(PAGES)?;
        write!(
            self.out,
            "<< /Type /Pages /Count {} /Kids [",
            self.pages.len()
        )?;
        for (k, page) in self.pages.iter().enumerate() {
            let sep = if k % 16 == 0 { "\n" } else { " " };
            write!(self.out, "{sep}{page} 0 R")?;
        }
        self.out.write_all(b" ] >>")?;
        self.end()?;

        let has_outline = !self.bookmarks.is_empty();
        self.outline()?;
        let text = |s: &str| Object::String(utf16(s), lopdf::StringFormat::Hexadecimal);
        let info = lopdf::Dictionary::from_iter(vec![
            ("Title", text(&self.title)),
            (
                "Creator",
                text(&format!("examgen {}", env!("CARGO_PKG_VERSION"))),
            ),
            ("Producer", text("examgen")),
        ]);
        self.object(INFO, &Object::Dictionary(info))?;
        let mut catalog = lopdf::Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference((PAGES, 0))),
        ]);
        if has_outline {
            catalog.set("Outlines", Object::Reference((OUTLINES, 0)));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        self.object(CATALOG, &Object::Dictionary(catalog))?;

        let xref = self.out.written;
        write!(
            self.out,
            "xref\n0 {}\n0000000000 65535 f \n",
            self.offsets.len()
        )?;
        for offset in &self.offsets[1..] {
            writeln!(self.out, "{offset:010} 00000 n ")?;
        }
        let id: String = std::mem::take(&mut self.hasher)
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        write!(
            self.out,
            "trailer\n<< /Size {} /Root {CATALOG} 0 R /Info {INFO} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len()
        )?;
        let pages = self.pages.len();
        let out = self.out.inner.into_inner().map_err(|e| e.into_error())?;
        Ok((out, pages))
    }

    /// The outline: one entry per document, in order, each opening at its first page.
    fn outline(&mut self) -> io::Result<()> {
        if self.bookmarks.is_empty() {
            return self.object(OUTLINES, &Object::Null);
        }
        let first = self.offsets.len() as u32;
        let count = self.bookmarks.len() as u32;
        self.offsets.extend(std::iter::repeat_n(0, count as usize));
        let outlines = lopdf::Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Outlines".to_vec())),
            ("First", Object::Reference((first, 0))),
            ("Last", Object::Reference((first + count - 1, 0))),
            ("Count", Object::Integer(count as i64)),
        ]);
        self.object(OUTLINES, &Object::Dictionary(outlines))?;
        let bookmarks = std::mem::take(&mut self.bookmarks);
        for (k, (title, page)) in bookmarks.into_iter().enumerate() {
            let n = first + k as u32;
            let mut entry = lopdf::Dictionary::from_iter(vec![
                (
                    "Title",
                    Object::String(utf16(&title), lopdf::StringFormat::Hexadecimal),
                ),
                ("Parent", Object::Reference((OUTLINES, 0))),
                (
                    "Dest",
                    Object::Array(vec![
                        Object::Reference((page, 0)),
                        Object::Name(b"XYZ".to_vec()),
                        Object::Null,
                        Object::Null,
                        Object::Null,
                    ]),
                ),
            ]);
            if k > 0 {
                entry.set("Prev", Object::Reference((n - 1, 0)));
            }
            if n + 1 < first + count {
                entry.set("Next", Object::Reference((n + 1, 0)));
            }
            self.object(n, &Object::Dictionary(entry))?;
        }
        Ok(())
    }

    /// Writes a page: its content stream (or the identical one written before, whose glyphs are counted
    /// already), with `pictures` as its XObjects `IMG1` …; returns the page's object number.
    fn page(&mut self, pictures: &[u32], page: &PrintPage, (w, h): (f32, f32)) -> io::Result<u32> {
        let key = content_key(page);
        let contents = match self.contents.get(&key) {
            Some(n) => *n,
            None => {
                let n = self.next();
                let filter = if page.deflated {
                    " /Filter /FlateDecode"
                } else {
                    ""
                };
                self.stream(n, filter, &page.content)?;
                self.contents.insert(key, n);
                for (face, used) in self.used.iter_mut().zip(page.used.iter()) {
                    face.extend(used.iter().map(|(g, v)| (*g, *v)));
                }
                n
            }
        };
        let id = self.next();
        self.begin(id)?;
        write!(
            self.out,
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {w} {h}] /Contents {contents} 0 R /Resources << /Font {FONTS} 0 R"
        )?;
        if !pictures.is_empty() {
            self.out.write_all(b" /XObject <<")?;
            for (k, n) in pictures.iter().enumerate() {
                write!(self.out, " /IMG{} {n} 0 R", k + 1)?;
            }
            self.out.write_all(b" >>")?;
        }
        self.out.write_all(b" >> >>")?;
        self.end()?;
        self.pages.push(id);
        Ok(id)
    }

    /// The object number of a picture, written the first time a page shows it.
    fn picture(&mut self, writer: &PdfWriter, key: &(String, u32)) -> io::Result<u32> {
        if let Some(n) = self.pictures.get(key) {
            return Ok(*n);
        }
        let made = writer
            .xobjects
            .xobject(&key.0, f32::from_bits(key.1))
            .map_err(io::Error::other)?;
        let stream = lopdf::Stream::new(
            printpdf::xobject::build_dict(&made.stream.dict),
            made.stream.content.clone(),
        );
        let stream = if made.stream.compress {
            embed::deflated(stream)
        } else {
            stream
        };
        let n = self.next();
        self.object(n, &Object::Stream(stream))?;
        self.pictures.insert(key.clone(), n);
        Ok(n)
    }

    /// A new object number.
    fn next(&mut self) -> u32 {
        self.offsets.push(0);
        self.offsets.len() as u32 - 1
    }

    fn begin(&mut self, n: u32) -> io::Result<()> {
        self.offsets[n as usize] = self.out.written;
        writeln!(self.out, "{n} 0 obj")
    }

    fn end(&mut self) -> io::Result<()> {
        self.out.write_all(b"\nendobj\n")
    }

    /// A stream object whose dictionary is its length and `extra`.
    fn stream(&mut self, n: u32, extra: &str, content: &[u8]) -> io::Result<()> {
        self.hasher.update(content);
        self.begin(n)?;
        write!(self.out, "<< /Length {}{extra} >>\nstream\n", content.len())?;
        self.out.write_all(content)?;
        self.out.write_all(b"\nendstream")?;
        self.end()
    }

    /// Any object (lopdf's type, which the font and picture code build).
    fn object(&mut self, n: u32, object: &Object) -> io::Result<()> {
        if let Object::Stream(s) = object {
            self.hasher.update(&s.content);
        }
        self.begin(n)?;
        write_object(&mut self.out, object)?;
        self.end()
    }
}

/// What tells a page's content stream from every other: whether it is deflated, its length and a 128-bit
/// SipHash of its bytes. Every stream a print file writes goes through SHA-256 once already (the file's
/// id); a second SHA-256 pass only to find repeated pages cost as much again. The streams are drawn by
/// examgen from the paper's text, not chosen to collide, and two different ones of the same length
/// sharing 128 bits of hash is not a chance worth counting.
type ContentKey = (bool, usize, u128);

fn content_key(page: &PrintPage) -> ContentKey {
    use siphasher::sip128::Hasher128;
    let mut hash = siphasher::sip128::SipHasher13::new_with_keys(0x6578_616d, 0x6765_6e);
    std::hash::Hasher::write(&mut hash, &page.content);
    (
        page.deflated,
        page.content.len(),
        hash.finish128().as_u128(),
    )
}

/// `object` in PDF syntax (lopdf keeps its own writer private).
fn write_object(out: &mut dyn Write, object: &Object) -> io::Result<()> {
    match object {
        Object::Null => out.write_all(b"null"),
        Object::Boolean(b) => write!(out, "{b}"),
        Object::Integer(i) => write!(out, "{i}"),
        Object::Real(r) => write!(out, "{r}"),
        Object::Name(name) => {
            out.write_all(b"/")?;
            for &b in name {
                // Delimiters, whitespace and bytes outside printable ASCII go as #xx.
                if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
                    out.write_all(&[b])?;
                } else {
                    write!(out, "#{b:02X}")?;
                }
            }
            Ok(())
        }
        Object::String(bytes, _) => {
            out.write_all(b"<")?;
            for b in bytes {
                write!(out, "{b:02x}")?;
            }
            out.write_all(b">")
        }
        Object::Array(items) => {
            out.write_all(b"[")?;
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.write_all(b" ")?;
                }
                write_object(out, item)?;
            }
            out.write_all(b"]")
        }
        Object::Dictionary(d) => write_dictionary(out, d),
        Object::Stream(s) => {
            write_dictionary(out, &s.dict)?;
            out.write_all(b"\nstream\n")?;
            out.write_all(&s.content)?;
            out.write_all(b"\nendstream")
        }
        Object::Reference((n, g)) => write!(out, "{n} {g} R"),
    }
}

fn write_dictionary(out: &mut dyn Write, d: &lopdf::Dictionary) -> io::Result<()> {
    out.write_all(b"<<")?;
    for (key, value) in d.iter() {
        out.write_all(b" ")?;
        write_object(out, &Object::Name(key.clone()))?;
        out.write_all(b" ")?;
        write_object(out, value)?;
    }
    out.write_all(b" >>")
}

/// A PDF text string: UTF-16BE with its byte-order mark.
fn utf16(s: &str) -> Vec<u8> {
    let mut out = vec![0xfe, 0xff];
    for unit in s.encode_utf16() {
        out.extend(unit.to_be_bytes());
    }
    out
}

/// A writer that counts the bytes through it: the cross-reference table needs every object's offset.
struct Counting<W: Write> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::{FontRole, FontSet};
    use crate::render::layout::{Page, PageSetup};
    use crate::render::pictures::Pictures;

    fn doc(title: &str, pages: &[&str]) -> Layout {
        Layout {
            title: title.into(),
            setup: PageSetup::a4(),
            pages: pages
                .iter()
                .map(|text| Page {
                    items: vec![Item::Text {
                        x: 72.0,
                        y: 100.0,
                        size: 12.0,
                        font: FontRole::Body,
                        text: (*text).into(),
                        spacing: 0.0,
                    }],
                    spots: Vec::new(),
                })
                .collect(),
            bookmarks: Vec::new(),
        }
    }

    #[test]
    fn a_print_file_written_page_by_page_reads_back_with_its_pages_fonts_and_outline() {
        let fonts = FontSet::builtin();
        let writer =
            PdfWriter::new(&fonts, Arc::new(Pictures::new(&fonts, Default::default()))).unwrap();
        assert!(writer.streams_print_files());
        let cache = PrintPageCache::default();
        let mut file = PrintFile::new(Vec::new(), true).unwrap();
        // Two students' three-page papers sharing pages 2 and 3, then a one-page document: duplex puts a
        // blank back after the first paper's odd page count.
        for (name, key) in [("张喆", 0), ("李堃", 0)] {
            let layout = doc("试卷", &[name, "第二页 共用", "第三页"]);
            let pages = writer
                .print_pages(&layout, Some((&cache, (0, key))))
                .unwrap();
            file.append(&writer, name, pages).unwrap();
        }
        let pages = writer.print_pages(&doc("答题卡", &["王赟"]), None).unwrap();
        file.append(&writer, "王赟", pages).unwrap();
        let (bytes, count) = file.finish(&writer).unwrap();
        assert_eq!(count, 3 + 1 + 3 + 1 + 1);

        let pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = pdf.get_pages();
        assert_eq!(pages.len(), count);
        let text = |n: u32| pdf.extract_text(&[n]).unwrap_or_default();
        // Each name on its student's first page, in order, read back through the ToUnicode map.
        assert!(text(1).contains("张喆"), "{}", text(1));
        assert!(text(5).contains("李堃"), "{}", text(5));
        assert!(text(9).contains("王赟"), "{}", text(9));
        // The shared pages are one content stream.
        let contents = |n: u32| {
            pdf.get_dictionary(pages[&n])
                .unwrap()
                .get(b"Contents")
                .unwrap()
                .as_reference()
                .unwrap()
        };
        assert_eq!(contents(2), contents(6));
        assert_ne!(contents(1), contents(5));
        // One embedded body face, its CIDs mapped to the subset's glyphs; no heading face (unused).
        let fonts = pdf.get_page_fonts(pages[&1]).unwrap();
        assert_eq!(fonts.len(), 1, "{fonts:?}");
        let outline = pdf
            .catalog()
            .unwrap()
            .get(b"Outlines")
            .unwrap()
            .as_reference()
            .unwrap();
        let outline = pdf.get_dictionary(outline).unwrap();
        assert_eq!(outline.get(b"Count").unwrap().as_i64().unwrap(), 3);
    }
}
