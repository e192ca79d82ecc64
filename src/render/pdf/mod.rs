//! The PDF writer: draws laid-out pages with printpdf, embedding subset fonts, with an outline (bookmarks),
//! a title in the metadata, fixed dates and a content-derived document id, so equal input gives equal bytes.
//! [`embed`] subsets and embeds the fonts, [`xobject`] makes the pictures into PDF objects, [`stream`] writes
//! a class's print file page by page.

mod content;
mod direct;
pub(crate) mod embed;
pub mod stream;
mod xobject;

use printpdf::{
    Codepoint, FontId, Line, LineDashPattern, LinePoint, Op, PageAnnotId, PageAnnotation,
    PaintMode, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, TextItem,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use std::sync::Arc;

use crate::render::fonts::{FontRole, FontSet};
use crate::render::layout::{Item, Layout};
use crate::render::pictures::Pictures;
use embed::Embedded;
use xobject::XObjects;

/// The PDF backend of a run: the fonts parsed for embedding (parsing a CJK font takes a while: once per run,
/// shared by every document) and the run's pictures as PDF objects.
pub struct PdfWriter<'f> {
    fonts: &'f FontSet,
    /// The faces parsed for printpdf, which embeds them when we do not (CFF fonts): parsing copies each.
    parsed: std::sync::OnceLock<Option<[ParsedFont; 2]>>,
    /// What the font dictionaries say about each face, when we embed them.
    meta: Option<[embed::FaceMeta; 2]>,
    /// Images as PDF objects, made once per run.
    xobjects: XObjects,
    /// The faces cut down to a run's glyphs, once `narrow_to` has seen its documents.
    narrow: std::sync::OnceLock<[Option<embed::Narrow>; 2]>,
    /// Font programs lately cut and deflated, by font and glyphs.
    programs: embed::Programs,
}

// The subset tag (`XXXXXX+Name`) is taken from the resource id: six capital letters, fixed for reproducibility.
const BODY_ID: &str = "EGBODY";

/// The teacher's edition prints answers in red, like a teacher's pen.
const ACCENT: printpdf::Color = printpdf::Color::Rgb(printpdf::Rgb {
    r: 0.78,
    g: 0.08,
    b: 0.08,
    icc_profile: None,
});

fn black() -> printpdf::Color {
    printpdf::Color::Greyscale(printpdf::Greyscale::new(0.0, None))
}
const HEADING_ID: &str = "EGHEAD";

impl<'f> PdfWriter<'f> {
    pub fn new(fonts: &'f FontSet, pictures: Arc<Pictures>) -> Result<PdfWriter<'f>> {
        let cannot = |face: &crate::render::fonts::Face| {
            Error::input(format!(
                "the font {} cannot be embedded in a PDF",
                face.name
            ))
        };
        let own = embed::is_truetype(&fonts.body.bytes) && embed::is_truetype(&fonts.heading.bytes);
        let pdf_fonts = PdfWriter {
            fonts,
            parsed: Default::default(),
            meta: None,
            xobjects: XObjects::new(pictures),
            narrow: Default::default(),
            programs: embed::Programs::new(embed::PROGRAMS_KEPT),
        };
        if own {
            let meta = |face: &crate::render::fonts::Face| {
                embed::FaceMeta::read(&face.bytes).ok_or_else(|| cannot(face))
            };
            return Ok(PdfWriter {
                meta: Some([meta(&fonts.body)?, meta(&fonts.heading)?]),
                ..pdf_fonts
            });
        }
        let parse = |face: &crate::render::fonts::Face| {
            ParsedFont::from_bytes(&face.bytes, 0, &mut Vec::new()).ok_or_else(|| cannot(face))
        };
        let parsed = [parse(&fonts.body)?, parse(&fonts.heading)?];
        let _ = pdf_fonts.parsed.set(Some(parsed));
        Ok(pdf_fonts)
    }

    /// The faces as printpdf needs them, parsed on first use.
    fn parsed(&self) -> Option<&[ParsedFont; 2]> {
        self.parsed
            .get_or_init(|| {
                let parse = |bytes: &[u8]| ParsedFont::from_bytes(bytes, 0, &mut Vec::new());
                Some([
                    parse(&self.fonts.body.bytes)?,
                    parse(&self.fonts.heading.bytes)?,
                ])
            })
            .as_ref()
    }

    /// Cuts the faces down to the glyphs of `layouts` (a run's documents, before any is drawn), so that
    /// each document's subset is taken from a small face. Documents with other glyphs still work: they
    /// are subset from the whole font. Only the first call counts.
    pub fn narrow_to<'l>(&self, layouts: impl IntoIterator<Item = &'l Layout>) {
        if self.meta.is_none() || self.narrow.get().is_some() {
            return;
        }
        let used = embed::with_noting(|noting| {
            for layout in layouts {
                note_layout(layout, self, noting);
            }
            noting.each_mut().map(embed::Noting::take)
        });
        let narrow = |i: usize, font: &[u8]| {
            (!used[i].is_empty())
                .then(|| embed::Narrow::new(font, &used[i]))
                .flatten()
        };
        let _ = self.narrow.set([
            narrow(0, &self.fonts.body.bytes),
            narrow(1, &self.fonts.heading.bytes),
        ]);
    }

    /// A laid-out document as PDF. Every picture is made (decoded, downsampled) first, so a broken file is an
    /// error here.
    pub fn write(&self, layout: &Layout) -> Result<Vec<u8>> {
        for item in layout.pages.iter().flat_map(|p| &p.items) {
            if let Item::Image { w, src, .. } = item {
                self.xobjects.xobject(src, *w).map_err(Error::input)?;
            }
        }
        Ok(render(layout, self, None, false).bytes)
    }

    /// The faces subset once for many documents: to the glyphs `layout` shows and those of `extra` in the
    /// body face (what is stamped in later: a class's names, ids and classes). None when the fonts are not
    /// ours to embed (CFF fonts) or the subsetter fails; each document is then subset for itself.
    pub fn shared(&self, layout: &Layout, extra: &str) -> Option<SharedPdf> {
        self.shared_with(layout, self.shared_faces(layout, [extra, ""])?)
    }

    /// The faces subset once to the glyphs `layout` shows and the characters of `extra` ([body, heading]
    /// face), to be shared by documents that show no other glyphs ([`PdfWriter::shared_with`]). None when
    /// the fonts are not ours to embed (CFF fonts) or the subsetter fails.
    pub fn shared_faces(&self, layout: &Layout, extra: [&str; 2]) -> Option<Arc<SharedFaces>> {
        let meta = self.meta.as_ref()?;
        let used = embed::with_noting(|noting| {
            note_layout(layout, self, noting);
            for (slot, (text, face)) in noting
                .iter_mut()
                .zip(extra.iter().zip([&self.fonts.body, &self.fonts.heading]))
            {
                for c in text.chars() {
                    if let Some((id, units)) = face.id_units(c) {
                        slot.note(id, units, c);
                    }
                }
            }
            noting.each_mut().map(embed::Noting::take)
        });
        // The pages show each glyph by its id in the whole face, so a copy's pages can go into a print
        // file as they are.
        let face = |i: usize, bytes: &[u8], id: &str| -> Option<Option<embed::KeptIds>> {
            if used[i].is_empty() {
                return Some(None);
            }
            embed::KeptIds::new(bytes, &meta[i], id, &used[i], Some(&self.programs)).map(Some)
        };
        Some(Arc::new(SharedFaces {
            faces: [
                face(0, &self.fonts.body.bytes, BODY_ID)?,
                face(1, &self.fonts.heading.bytes, HEADING_ID)?,
            ],
            digest: Default::default(),
            objects: Default::default(),
        }))
    }

    /// `layout` (a document whose copies are stamped, or one drawn once) set up to be drawn with `faces`,
    /// made for it or for documents like it; None when a page without reserved boxes shows a glyph
    /// `faces` lack (the stamped pages are checked as each copy is drawn).
    pub fn shared_with(&self, layout: &Layout, faces: Arc<SharedFaces>) -> Option<SharedPdf> {
        let stamped =
            |p: &crate::render::layout::Page| p.items.iter().any(|i| matches!(i, Item::Stamp(_)));
        let pages = layout
            .pages
            .iter()
            .map(|p| (!stamped(p)).then(std::sync::OnceLock::new))
            .collect();
        let mut glyphs = Vec::with_capacity(layout.pages.len());
        for page in &layout.pages {
            if stamped(page) {
                glyphs.push(None);
                continue;
            }
            if !faces.cover_page(page, self) {
                return None;
            }
            glyphs.push(Some(std::sync::OnceLock::new()));
        }
        Some(SharedPdf {
            faces,
            pages,
            glyphs,
        })
    }

    /// A stamped copy of the layout `shared` was made for ([`Layout::stamped`]) as PDF: the fonts embedded
    /// as they are subset, the pages without reserved boxes as the first copy drew them; otherwise as
    /// [`PdfWriter::write`]. A copy showing a glyph the subsets lack is written on its own.
    pub fn write_shared(&self, layout: &Layout, shared: &SharedPdf) -> Result<Vec<u8>> {
        Ok(self.write_shared_for_print(layout, shared, false)?.0)
    }

    /// [`PdfWriter::write_shared`], and with `print` the copy's pages as a print file takes them, drawn
    /// once for both (None when the copy is written on its own: its pages are then drawn for the print file
    /// by [`PdfWriter::print_pages`]).
    pub fn write_shared_for_print(
        &self,
        layout: &Layout,
        shared: &SharedPdf,
        print: bool,
    ) -> Result<(Vec<u8>, Option<stream::PrintPages>)> {
        if !shared.covers(layout, self) {
            return Ok((self.write(layout)?, None));
        }
        for item in layout.pages.iter().flat_map(|p| &p.items) {
            if let Item::Image { w, src, .. } = item {
                self.xobjects.xobject(src, *w).map_err(Error::input)?;
            }
        }
        let rendered = render(layout, self, Some(shared), print);
        let pages = print.then(|| {
            let glyphs = shared.glyphs_of(layout, self, rendered.glyphs);
            let pages = rendered
                .pages
                .into_iter()
                .zip(glyphs)
                .map(|(content, used)| (content.bytes, content.deflated, used))
                .collect();
            stream::PrintPages::drawn(layout, pages, rendered.pictures)
        });
        Ok((rendered.bytes, pages))
    }

    /// Several documents as PDF: the fonts cut down to all their glyphs once, then each drawn, on every core
    /// when `parallel`; so no document's subset reads the whole font. A layout's error is its document's.
    pub fn write_all(
        &self,
        layouts: Vec<Result<Layout>>,
        parallel: bool,
        drawn: &(dyn Fn() + Sync),
    ) -> Vec<Result<(Layout, Vec<u8>)>> {
        self.narrow_to(layouts.iter().filter_map(|l| l.as_ref().ok()));
        let draw = |layout: &Result<Layout>| {
            let pdf = match layout {
                Ok(layout) => self.write(layout),
                // The layout's own error is returned below.
                Err(_) => Ok(Vec::new()),
            };
            drawn();
            pdf
        };
        let pdfs: Vec<Result<Vec<u8>>> = if parallel {
            crate::util::parallel::map(&layouts, draw)
        } else {
            layouts.iter().map(draw).collect()
        };
        layouts
            .into_iter()
            .zip(pdfs)
            .map(|(layout, pdf)| Ok((layout?, pdf?)))
            .collect()
    }
}

/// What the copies of one prepared document share in PDF ([`PdfWriter::shared`]): the faces subset
/// once ([body, heading], None for a face none of them uses), and the content of each page no student's
/// values touch, drawn for the first copy.
pub struct SharedPdf {
    faces: Arc<SharedFaces>,
    /// Per page of the prepared document: None for a page with reserved boxes (drawn for each copy).
    pages: Vec<Option<std::sync::OnceLock<Option<PageContent>>>>,
    /// The glyphs of each page without reserved boxes ([body, heading]), noted when a print file first
    /// takes the page (a key is never printed); None for a page with reserved boxes.
    glyphs: Vec<Option<std::sync::OnceLock<Arc<[embed::Used; 2]>>>>,
}

/// The faces subset once for the documents that share them ([`PdfWriter::shared_faces`]): [body, heading],
/// None for a face none of them uses; glyphs keep their ids in the whole face (a CIDToGIDMap points
/// each at its place in the subset).
pub struct SharedFaces {
    faces: [Option<embed::KeptIds>; 2],
    /// The SHA-256 state after [`SharedFaces::streams`], made when first asked.
    digest: std::sync::OnceLock<Sha256>,
    /// The faces' objects as each document holds them, written when first asked.
    objects: std::sync::OnceLock<direct::FaceObjects>,
}

impl SharedFaces {
    /// The contents of the streams the faces put into a document, in the order they come there.
    fn streams(&self) -> impl Iterator<Item = &[u8]> {
        self.faces.iter().flatten().flat_map(|face| face.streams())
    }

    /// SHA-256 over [`SharedFaces::streams`], to go on with the document's own streams.
    fn digest_of_streams(&self) -> &Sha256 {
        self.digest.get_or_init(|| {
            let mut hasher = Sha256::new();
            self.streams().for_each(|c| hasher.update(c));
            hasher
        })
    }

    /// Whether these faces have every glyph `page` shows.
    fn cover_page(&self, page: &crate::render::layout::Page, fonts: &PdfWriter) -> bool {
        let mut all = true;
        page_glyphs(page, fonts, |face, id, _, _| {
            all &= self.faces[face].as_ref().is_some_and(|f| f.has(id));
        });
        all
    }
}

/// A page's content stream as the file stores it.
#[derive(Clone)]
struct PageContent {
    bytes: Vec<u8>,
    deflated: bool,
}

impl PageContent {
    /// `bytes` deflated (at the content streams' level) when that makes them smaller.
    fn new(bytes: Vec<u8>) -> PageContent {
        match embed::deflate_content(&bytes) {
            Some(bytes) => PageContent {
                bytes,
                deflated: true,
            },
            None => PageContent {
                bytes,
                deflated: false,
            },
        }
    }
}

impl SharedPdf {
    /// Whether `layout` is a stamped copy of this document whose every glyph is in these subsets (the
    /// pages without reserved boxes were checked when it was prepared).
    fn covers(&self, layout: &Layout, fonts: &PdfWriter) -> bool {
        layout.pages.len() == self.pages.len()
            && layout
                .pages
                .iter()
                .zip(&self.glyphs)
                .all(|(page, shared)| shared.is_some() || self.faces.cover_page(page, fonts))
    }

    /// The glyphs of each page of `layout`, a stamped copy [`SharedPdf::covers`]: those `drawn` noted as
    /// its pages were written (by page; None or missing for a page not noted), else noted now, the pages
    /// without reserved boxes once for every copy.
    fn glyphs_of(
        &self,
        layout: &Layout,
        fonts: &PdfWriter,
        drawn: Vec<Option<Arc<[embed::Used; 2]>>>,
    ) -> Vec<Arc<[embed::Used; 2]>> {
        let noted = |page| Arc::new(page_used(page, fonts));
        let mut drawn = drawn.into_iter();
        layout
            .pages
            .iter()
            .zip(&self.glyphs)
            .map(|(page, shared)| match (drawn.next().flatten(), shared) {
                (Some(used), _) => used,
                (None, Some(cell)) => Arc::clone(cell.get_or_init(|| noted(page))),
                (None, None) => noted(page),
            })
            .collect()
    }
}

/// A document drawn as PDF: its bytes, and when asked its pages' content streams with the pictures they
/// name (`IMG1` …) and the glyphs of the pages noted as they were drawn (None for a page drawn before or
/// not noted; empty when none was).
struct Rendered {
    bytes: Vec<u8>,
    pages: Vec<PageContent>,
    pictures: Vec<(String, u32)>,
    glyphs: Vec<Option<Arc<[embed::Used; 2]>>>,
}

/// Draws `layout` as PDF bytes, with `shared` fonts when given (else its own subsets), keeping its pages'
/// content streams when `keep_pages`; a picture that cannot be made is left out (`PdfWriter::write` makes
/// them first).
fn render(
    layout: &Layout,
    fonts: &PdfWriter,
    shared: Option<&SharedPdf>,
    keep_pages: bool,
) -> Rendered {
    let pictures = layout
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .any(|i| matches!(i, Item::Image { .. }));
    if let Some(shared) = shared
        && !pictures
        && let Some(rendered) = render_direct(layout, fonts, shared, keep_pages)
    {
        return rendered;
    }
    render_lopdf(layout, fonts, shared, keep_pages)
}

/// [`render`] for a document on shared faces without pictures, written straight to bytes (the bytes
/// [`render_lopdf`] makes); None when it cannot be.
fn render_direct(
    layout: &Layout,
    fonts: &PdfWriter,
    shared: &SharedPdf,
    keep_pages: bool,
) -> Option<Rendered> {
    let height = layout.setup.height;
    let size = (Pt(layout.setup.width).into(), Pt(height).into());
    let remaps: Remaps = [None, None];
    // For a print file each page's glyphs are noted as its stream is written (not for a page printpdf
    // draws: those are noted apart).
    type Noted = Option<Arc<[embed::Used; 2]>>;
    let draw = |page, noting: Option<&mut [embed::Noting; 2]>| -> (Option<Vec<u8>>, Noted) {
        let Some(noting) = noting else {
            return (page_bytes(page, (height, size), fonts, &remaps, &[]), None);
        };
        match content::page_stream_noting(page, height, fonts, &remaps, Some(&mut *noting)) {
            Some(bytes) => {
                let used = noting.each_mut().map(embed::Noting::take);
                (Some(bytes), Some(Arc::new(used)))
            }
            None => {
                let _ = noting.each_mut().map(embed::Noting::take);
                (page_bytes(page, (height, size), fonts, &remaps, &[]), None)
            }
        }
    };
    let mut pages: Vec<PageContent> = Vec::with_capacity(layout.pages.len());
    let mut glyphs: Vec<Noted> = Vec::new();
    embed::with_noting(|noting| {
        for (k, page) in layout.pages.iter().enumerate() {
            let notes = keep_pages.then_some(&mut *noting);
            let (content, used) = match shared.pages.get(k).and_then(Option::as_ref) {
                Some(cell) => {
                    let mut used = None;
                    let content = cell
                        .get_or_init(|| {
                            let (bytes, noted) = draw(page, notes);
                            used = noted;
                            bytes.map(PageContent::new)
                        })
                        .clone();
                    // The page's glyphs, as every later copy that shares it takes them.
                    if let (Some(used), Some(Some(cell))) = (&used, shared.glyphs.get(k)) {
                        let _ = cell.set(Arc::clone(used));
                    }
                    (content, used)
                }
                None => {
                    let (bytes, noted) = draw(page, notes);
                    (bytes.map(PageContent::new), noted)
                }
            };
            // A page printpdf would draw instead is an empty stream in the file.
            pages.push(content.unwrap_or(PageContent {
                bytes: Vec::new(),
                deflated: false,
            }));
            glyphs.push(used);
        }
    });
    let faces = &*shared.faces;
    let objects = faces
        .objects
        .get_or_init(|| direct::FaceObjects::new(faces));
    let bytes = direct::write(layout, faces, objects, &pages, size)?;
    Some(Rendered {
        bytes,
        pages: if keep_pages { pages } else { Vec::new() },
        pictures: Vec::new(),
        glyphs: if keep_pages { glyphs } else { Vec::new() },
    })
}

/// [`render`] through printpdf's document and lopdf's.
fn render_lopdf(
    layout: &Layout,
    fonts: &PdfWriter,
    shared: Option<&SharedPdf>,
    keep_pages: bool,
) -> Rendered {
    let mut doc = PdfDocument::new(&layout.title);
    doc.metadata.info.creator = format!("examgen {}", env!("CARGO_PKG_VERSION"));
    doc.metadata.info.producer = "examgen (printpdf)".into();
    // Dates stay at the epoch default: a real date would make every run's bytes differ.
    // Shared faces keep the whole face's glyph ids; a document's own subsets renumber them.
    let embedded = match shared {
        Some(_) => None,
        None => fonts
            .meta
            .as_ref()
            .and_then(|meta| embed_fonts(layout, fonts, meta)),
    };
    if embedded.is_none()
        && shared.is_none()
        && let Some([body, heading]) = fonts.parsed()
    {
        doc.resources
            .fonts
            .map
            .insert(FontId(BODY_ID.into()), PdfFont::new(body.clone()));
        doc.resources
            .fonts
            .map
            .insert(FontId(HEADING_ID.into()), PdfFont::new(heading.clone()));
    }
    let remaps = embedded.as_ref().map_or([None, None], |[body, heading]| {
        [
            body.as_ref().map(|e| &e.remap),
            heading.as_ref().map(|e| &e.remap),
        ]
    });

    let height = layout.setup.height;
    let xobjects = add_pictures(&mut doc, layout, fonts);
    // With our own fonts each page's content stream stands alone, so pages are drawn one at a time into
    // the finished file below: a class's print file never holds every page's drawing operations at once.
    let own = embedded.is_some() || shared.is_some();
    let ops_of =
        |page: &crate::render::layout::Page| page_ops(page, height, fonts, &remaps, &xobjects);
    let size = (Pt(layout.setup.width).into(), Pt(height).into());
    let pages: Vec<PdfPage> = layout
        .pages
        .iter()
        .map(|page| PdfPage::new(size.0, size.1, if own { Vec::new() } else { ops_of(page) }))
        .collect();
    doc.with_pages(pages);
    for (i, b) in layout.bookmarks.iter().enumerate() {
        // Ids sort in insertion order, so the outline lists parts in paper order.
        doc.bookmarks.map.insert(
            PageAnnotId(format!("B{i:05}")),
            PageAnnotation {
                name: b.title.clone(),
                page: b.page + 1,
            },
        );
    }

    let mut warnings = Vec::new();
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    let mut kept = Vec::new();
    if own {
        let draw = |page| page_bytes(page, (height, size), fonts, &remaps, &xobjects);
        for (k, (page, id)) in layout
            .pages
            .iter()
            .zip(lo.get_pages().into_values())
            .enumerate()
        {
            // A page every student's copy shares is drawn (and deflated) for the first copy only.
            let content = match shared.and_then(|s| s.pages.get(k)?.as_ref()) {
                Some(cell) => cell
                    .get_or_init(|| draw(page).map(PageContent::new))
                    .clone(),
                // Deflated here as `compress_streams` would, so a print file can take it as it is.
                None => draw(page).map(PageContent::new),
            };
            if keep_pages {
                kept.push(content.clone().unwrap_or(PageContent {
                    bytes: Vec::new(),
                    deflated: false,
                }));
            }
            if let Some(content) = content
                && let Ok(contents) = lo
                    .get_dictionary(id)
                    .and_then(|d| d.get(b"Contents")?.as_reference())
                && let Ok(lopdf::Object::Stream(stream)) = lo.get_object_mut(contents)
            {
                if content.deflated {
                    stream.dict.set("Filter", "FlateDecode");
                }
                // Left as drawn when deflating did not make it smaller: as the direct path writes it.
                stream.allows_compression = false;
                stream.set_content(content.bytes);
            }
        }
    }
    if let Some([body, heading]) = &embedded {
        let fonts: Vec<(&str, &Embedded)> = [(BODY_ID, body), (HEADING_ID, heading)]
            .into_iter()
            .filter_map(|(id, e)| e.as_ref().map(|e| (id, e)))
            .collect();
        embed::insert_fonts(&mut lo, &fonts);
    }
    if let Some(shared) = shared {
        let [body, heading] = &shared.faces.faces;
        let fonts: Vec<(&str, &embed::KeptIds)> = [(BODY_ID, body), (HEADING_ID, heading)]
            .into_iter()
            .filter_map(|(id, e)| e.as_ref().map(|e| (id, e)))
            .collect();
        embed::insert_fonts(&mut lo, &fonts);
    }
    Rendered {
        bytes: finish(lo, shared.map(|s| &*s.faces)),
        pages: kept,
        pictures: if keep_pages { xobjects } else { Vec::new() },
        glyphs: Vec::new(),
    }
}

/// The drawing operations of one page of a document `height` points tall, glyphs shown as `remaps` says,
/// pictures named by their place in `xobjects` (`IMG1` …).
fn page_ops(
    page: &crate::render::layout::Page,
    height: f32,
    fonts: &PdfWriter,
    remaps: &Remaps,
    xobjects: &[(String, u32)],
) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.items.len() * 6);
    for item in &page.items {
        if let Item::Image { x, y, w, h, src } = item {
            draw_picture(xobjects, (*x, *y, *w, *h), src, height, &mut ops);
            continue;
        }
        draw_item(item, height, fonts, remaps, &mut ops);
    }
    ops
}

/// The content stream (not yet deflated) of one page of a document of `size` (`height` points tall), as
/// [`page_content`] writes [`page_ops`]: written directly when it can be, else by printpdf.
fn page_bytes(
    page: &crate::render::layout::Page,
    (height, size): (f32, (printpdf::Mm, printpdf::Mm)),
    fonts: &PdfWriter,
    remaps: &Remaps,
    xobjects: &[(String, u32)],
) -> Option<Vec<u8>> {
    content::page_stream(page, height, fonts, remaps).or_else(|| {
        let ops = page_ops(page, height, fonts, remaps, xobjects);
        page_content(ops, size)
    })
}

/// The content stream (not yet deflated) printpdf writes for `ops` on a page of `size`: the page drawn on
/// its own, so that its stream stands alone. Pictures are placed with `no_auto_scale`, so the page needs no
/// XObjects of its own.
fn page_content(ops: Vec<Op>, size: (printpdf::Mm, printpdf::Mm)) -> Option<Vec<u8>> {
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut one = PdfDocument::new("");
    one.with_pages(vec![PdfPage::new(size.0, size.1, ops)]);
    let one = one.to_lopdf_document(&opts, &mut Vec::new());
    first_page_content(&one)
}

/// Each picture of `layout` (file and printed width) as one XObject of `doc`, named in order of first use;
/// the (file, width) of each, in that order.
fn add_pictures(doc: &mut PdfDocument, layout: &Layout, fonts: &PdfWriter) -> Vec<(String, u32)> {
    let mut xobjects: Vec<(String, u32)> = Vec::new();
    for item in layout.pages.iter().flat_map(|p| &p.items) {
        if let Item::Image { w, src, .. } = item {
            let key = (src.clone(), w.to_bits());
            if !xobjects.contains(&key)
                && let Ok(x) = fonts.xobjects.xobject(src, *w)
            {
                doc.resources.xobjects.map.insert(
                    printpdf::XObjectId(format!("IMG{}", xobjects.len() + 1)),
                    printpdf::XObject::External((*x).clone()),
                );
                xobjects.push(key);
            }
        }
    }
    xobjects
}

/// The finished file: streams deflated, a document id derived from the content, saved to bytes. With
/// `faces`, the shared faces the document embeds, whose streams usually come first: the hash of those
/// is taken once for every document that shares them.
fn finish(mut lo: lopdf::Document, faces: Option<&SharedFaces>) -> Vec<u8> {
    compress_streams(&mut lo);
    // printpdf fills the trailer /ID with random strings; derive it from the content instead.
    let mut contents = lo.objects.values().filter_map(|object| match object {
        lopdf::Object::Stream(stream) => Some(&stream.content[..]),
        _ => None,
    });
    let mut hasher = Sha256::new();
    if let Some(faces) = faces {
        let known: Vec<&[u8]> = faces.streams().collect();
        let first: Vec<&[u8]> = contents.by_ref().take(known.len()).collect();
        if first == known {
            hasher = faces.digest_of_streams().clone();
        } else {
            first.iter().for_each(|c| hasher.update(c));
        }
    }
    contents.for_each(|c| hasher.update(c));
    let id: String = hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let id_string =
        || lopdf::Object::String(id.clone().into_bytes(), lopdf::StringFormat::Hexadecimal);
    lo.trailer
        .set("ID", lopdf::Object::Array(vec![id_string(), id_string()]));
    // Room for the streams and as much again for the other objects: grown bit by bit, the buffer of a
    // paper (fonts and pages, a quarter of a megabyte) was copied a dozen times over.
    let streams: usize = lo
        .objects
        .values()
        .map(|o| match o {
            lopdf::Object::Stream(s) => s.content.len(),
            _ => 0,
        })
        .sum();
    let mut bytes = Vec::with_capacity(streams + streams / 4 + 16_384);
    lo.save_to(&mut bytes)
        .expect("writing a PDF to memory cannot fail");
    bytes
}

/// The content stream of a document's first page.
fn first_page_content(doc: &lopdf::Document) -> Option<Vec<u8>> {
    let page = *doc.get_pages().values().next()?;
    let contents = doc
        .get_dictionary(page)
        .ok()?
        .get(b"Contents")
        .ok()?
        .as_reference()
        .ok()?;
    match doc.get_object(contents).ok()? {
        lopdf::Object::Stream(stream) => Some(stream.content.clone()),
        _ => None,
    }
}

/// Deflates every stream not yet deflated (the embedded fonts come deflated).
fn compress_streams(doc: &mut lopdf::Document) {
    for object in doc.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
            && let Some(compressed) = embed::deflate(&stream.content)
        {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}

/// The glyphs each face shows in `layout`, subset and ready to embed: [body, heading], None for a face
/// the document does not use. None when the subsetter fails; printpdf then embeds the fonts.
fn embed_fonts(
    layout: &Layout,
    fonts: &PdfWriter,
    meta: &[embed::FaceMeta; 2],
) -> Option<[Option<Embedded>; 2]> {
    let used = embed::with_noting(|noting| {
        note_layout(layout, fonts, noting);
        noting.each_mut().map(embed::Noting::take)
    });
    subset_faces(&used, fonts, meta)
}

/// The glyphs of `used` ([body, heading]) subset, from the run's cut-down faces when they have them all.
fn subset_faces(
    used: &[embed::Used; 2],
    fonts: &PdfWriter,
    meta: &[embed::FaceMeta; 2],
) -> Option<[Option<Embedded>; 2]> {
    let one = |i: usize, bytes: &[u8], id: &str| -> Option<Option<Embedded>> {
        if used[i].is_empty() {
            return Some(None);
        }
        let narrow = fonts.narrow.get().and_then(|n| n[i].as_ref());
        let programs = Some(&fonts.programs);
        narrow
            .and_then(|n| n.embed(&meta[i], id, &used[i], programs))
            .or_else(|| Embedded::new(bytes, &meta[i], id, &used[i], programs))
            .map(Some)
    };
    Some([
        one(0, &fonts.fonts.body.bytes, BODY_ID)?,
        one(1, &fonts.fonts.heading.bytes, HEADING_ID)?,
    ])
}

/// Notes the glyphs `layout` shows in `noting` ([body, heading]).
fn note_layout(layout: &Layout, fonts: &PdfWriter, noting: &mut [embed::Noting; 2]) {
    for page in &layout.pages {
        page_glyphs(page, fonts, |face, id, units, c| {
            noting[face].note(id, units, c)
        });
    }
}

/// The glyphs `page` shows ([body, heading]); a glyph shown for two characters keeps the last.
fn page_used(page: &crate::render::layout::Page, fonts: &PdfWriter) -> [embed::Used; 2] {
    embed::with_noting(|noting| {
        page_glyphs(page, fonts, |face, id, units, c| {
            noting[face].note(id, units, c)
        });
        noting.each_mut().map(embed::Noting::take)
    })
}

/// Adds the glyphs `page` shows to `used` ([body, heading]).
fn collect_page_used(
    page: &crate::render::layout::Page,
    fonts: &PdfWriter,
    used: &mut [embed::Used; 2],
) {
    for (into, noted) in used.iter_mut().zip(page_used(page, fonts)) {
        into.extend(noted.iter().map(|(g, v)| (*g, *v)));
    }
}

/// Calls `f` with each glyph `page` shows, in order: its face (0 body, 1 heading), id, advance in font
/// units and character.
fn page_glyphs(
    page: &crate::render::layout::Page,
    fonts: &PdfWriter,
    mut f: impl FnMut(usize, u16, u16, char),
) {
    for item in &page.items {
        if let Item::Formula { font, tex, .. } = item {
            // The formula's invisible text (its glyphs are drawn as paths).
            let face = fonts.fonts.face(font.regular());
            let slot = face_index(font.regular());
            for c in formula_text(tex, face).chars() {
                if let Some((id, units)) = face.id_units(c) {
                    f(slot, id, units, c);
                }
            }
            continue;
        }
        let (Item::Text { font, text, .. } | Item::Turned { font, text, .. }) = item else {
            continue;
        };
        let face = fonts.fonts.face(*font);
        let slot = face_index(*font);
        for c in text.chars() {
            if let Some((id, units)) = face.id_units(c) {
                f(slot, id, units, c);
            }
        }
    }
}

fn face_index(font: FontRole) -> usize {
    match font {
        FontRole::Body | FontRole::BodyAccent => 0,
        FontRole::Heading | FontRole::HeadingAccent => 1,
    }
}

/// Original glyph id → the id the content stream shows, per face, when we embed the fonts.
type Remaps<'a> = [Option<&'a std::collections::BTreeMap<u16, u16>>; 2];

/// A run of text to draw: its font, size and letter spacing, and where it starts in PDF coordinates
/// (y up), straight or turned 90° anticlockwise.
struct TextRun<'a> {
    font: FontRole,
    size: f32,
    spacing: f32,
    text: &'a str,
    x: f32,
    y: f32,
    turned: bool,
}

/// A run of text in one font: BT, font and spacing, a position (straight or turned 90°), the glyphs, ET.
/// Glyph ids come from our cache with each character as its CID text, so copy and search work.
fn show_text(fonts: &PdfWriter, run: &TextRun, remaps: &Remaps, ops: &mut Vec<Op>) {
    let TextRun {
        font,
        size,
        spacing,
        text,
        x,
        y,
        turned,
    } = *run;
    let face = fonts.fonts.face(font);
    let remap = remaps[face_index(font)];
    let id = match font {
        FontRole::Body | FontRole::BodyAccent => BODY_ID,
        FontRole::Heading | FontRole::HeadingAccent => HEADING_ID,
    };
    let glyphs: Vec<Codepoint> = text
        .chars()
        .filter_map(|c| {
            face.glyph(c).map(|g| Codepoint {
                gid: remap.map_or(g.id, |r| r.get(&g.id).copied().unwrap_or(0)),
                offset: 0.0,
                // Our own embedding writes ToUnicode from the layout; printpdf's reads it from here.
                cid: remap.is_none().then(|| c.to_string()),
            })
        })
        .collect();
    if font.is_accent() {
        ops.push(Op::SetFillColor { col: ACCENT });
    }
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(FontId(id.into())),
        size: Pt(size),
    });
    ops.push(Op::SetCharacterSpacing {
        multiplier: spacing,
    });
    if turned {
        // Rotated 90° anticlockwise about the start point.
        ops.push(Op::SetTextMatrix {
            matrix: printpdf::TextMatrix::Raw([0.0, 1.0, -1.0, 0.0, x, y]),
        });
    } else {
        ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
    }
    ops.push(Op::ShowText {
        items: vec![TextItem::GlyphIds(glyphs)],
    });
    ops.push(Op::EndTextSection);
    if font.is_accent() {
        ops.push(Op::SetFillColor { col: black() });
    }
}

/// A formula with its baseline's left end at (`x`, `y`) (PDF coordinates): each glyph filled as a vector
/// path from its outline (math glyphs from STIX Math, `\text{…}` from the body face), rules as filled
/// rectangles; then the formula as plain Unicode (`x²+1/2`) in invisible text stretched over it, so a
/// reader can search and copy it.
#[allow(clippy::too_many_arguments)]
fn draw_formula(
    formula: &crate::math::layout::Formula,
    tex: &str,
    (x, y): (f32, f32),
    size: f32,
    role: FontRole,
    fonts: &PdfWriter,
    remaps: &Remaps,
    ops: &mut Vec<Op>,
) {
    use crate::math::font::outline_of;
    use crate::math::layout::Placed;
    let font = crate::math::font::builtin();
    let colour = if role.is_accent() { ACCENT } else { black() };
    ops.push(Op::SetFillColor { col: colour });
    let text_face = fonts.fonts.face(role.regular());
    let mut parsed_text_face = None;
    for item in &formula.items {
        match item {
            Placed::Glyph {
                id,
                x: gx,
                y: gy,
                scale,
            } => fill_outline(
                font.outline(ttf_parser::GlyphId(*id)),
                (x + gx * size, y + gy * size),
                size * scale,
                ops,
            ),
            Placed::Rule { x: rx, y: ry, w, h } => ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x + rx * size),
                    y: Pt(y + ry * size),
                    width: Pt(w * size),
                    height: Pt(h * size),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            }),
            Placed::Text {
                text,
                x: tx,
                y: ty,
                scale,
            } => {
                let face = parsed_text_face
                    .get_or_insert_with(|| ttf_parser::Face::parse(&text_face.bytes, 0).ok());
                let Some(face) = face.as_ref() else { continue };
                let s = size * scale;
                let mut pen = x + tx * size;
                for c in text.chars() {
                    let Some(g) = text_face.glyph(c) else {
                        continue;
                    };
                    fill_outline(
                        outline_of(face, ttf_parser::GlyphId(g.id)),
                        (pen, y + ty * size),
                        s,
                        ops,
                    );
                    pen += g.advance * s;
                }
            }
        }
    }
    ops.push(Op::SetFillColor { col: black() });
    let linear = formula_text(tex, text_face);
    let natural: f32 = linear
        .chars()
        .filter_map(|c| text_face.glyph(c))
        .map(|g| g.advance * size)
        .sum();
    if natural > 0.0 {
        ops.push(Op::SetTextRenderingMode {
            mode: printpdf::TextRenderingMode::Invisible,
        });
        ops.push(Op::SetHorizontalScaling {
            percent: formula.width * size / natural * 100.0,
        });
        let run = TextRun {
            font: role.regular(),
            size,
            spacing: 0.0,
            text: &linear,
            x,
            y,
            turned: false,
        };
        show_text(fonts, &run, remaps, ops);
        ops.push(Op::SetHorizontalScaling { percent: 100.0 });
        ops.push(Op::SetTextRenderingMode {
            mode: printpdf::TextRenderingMode::Fill,
        });
    }
}

/// A glyph outline (em, y up) filled as a path, `scale` points to the em, its origin at `origin`.
fn fill_outline(
    segs: Vec<crate::math::font::Seg>,
    (ox, oy): (f32, f32),
    scale: f32,
    ops: &mut Vec<Op>,
) {
    use crate::math::font::Seg;
    let point = |a: f32, b: f32, bezier: bool| LinePoint {
        p: Point {
            x: Pt(ox + a * scale),
            y: Pt(oy + b * scale),
        },
        bezier,
    };
    let mut rings: Vec<printpdf::PolygonRing> = Vec::new();
    let mut ring: Vec<LinePoint> = Vec::new();
    for seg in segs {
        match seg {
            Seg::Move(a, b) => {
                if !ring.is_empty() {
                    rings.push(printpdf::PolygonRing {
                        points: std::mem::take(&mut ring),
                    });
                }
                ring.push(point(a, b, false));
            }
            Seg::Line(a, b) => ring.push(point(a, b, false)),
            Seg::Cubic(a, b, c, d, e, f) => {
                ring.push(point(a, b, true));
                ring.push(point(c, d, true));
                ring.push(point(e, f, false));
            }
            Seg::Close => {}
        }
    }
    if !ring.is_empty() {
        rings.push(printpdf::PolygonRing { points: ring });
    }
    if !rings.is_empty() {
        ops.push(Op::DrawPolygon {
            polygon: printpdf::Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: printpdf::WindingOrder::NonZero,
            },
        });
    }
}

/// A formula's text as a reader copies it: plain Unicode (`x²+1/2`), in characters the body face has
/// (a subscript digit it lacks becomes `_1`, a superscript one `^4`; other missing marks are left out).
fn formula_text(tex: &str, face: &crate::render::fonts::Face) -> String {
    let linear = crate::math::parse(tex)
        .map_or_else(|_| tex.to_string(), |n| crate::math::linear::linear(&n));
    let mut out = String::with_capacity(linear.len());
    for c in linear.chars() {
        if face.glyph(c).is_some() {
            out.push(c);
            continue;
        }
        let digit = |base: u32| char::from_digit(c as u32 - base, 10);
        match c as u32 {
            0x2080..=0x2089 => out.extend(['_'].into_iter().chain(digit(0x2080))),
            0x2074..=0x2079 => out.extend(['^'].into_iter().chain(digit(0x2070))),
            _ => {}
        }
    }
    out
}

/// A picture: its XObject scaled into its box; a missing one (an unreadable file, reported before
/// layout) leaves a framed gap rather than stopping a batch.
fn draw_picture(
    xobjects: &[(String, u32)],
    (x, y, w, h): (f32, f32, f32, f32),
    src: &str,
    page_height: f32,
    ops: &mut Vec<Op>,
) {
    let Some(n) = xobjects
        .iter()
        .position(|(s, bits)| s == src && *bits == w.to_bits())
    else {
        ops.push(rectangle(x, y, w, h, page_height, PaintMode::Stroke));
        return;
    };
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetTransformationMatrix {
        matrix: printpdf::CurTransMat::Raw([w, 0.0, 0.0, h, x, page_height - y - h]),
    });
    ops.push(Op::UseXobject {
        id: printpdf::XObjectId(format!("IMG{}", n + 1)),
        transform: printpdf::XObjectTransform {
            no_auto_scale: true,
            ..Default::default()
        },
    });
    ops.push(Op::RestoreGraphicsState);
}

/// A rectangle given from the top-left (layout's coordinates) as PDF's bottom-left one.
fn rectangle(x: f32, y: f32, w: f32, h: f32, page_height: f32, mode: PaintMode) -> Op {
    Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(x),
            y: Pt(page_height - y - h),
            width: Pt(w),
            height: Pt(h),
            mode: Some(mode),
            winding_order: None,
        },
    }
}

fn draw_item(item: &Item, page_height: f32, fonts: &PdfWriter, remaps: &Remaps, ops: &mut Vec<Op>) {
    match item {
        Item::Text {
            x,
            y,
            size,
            font,
            text,
            spacing,
        } => {
            let run = TextRun {
                font: *font,
                size: *size,
                spacing: *spacing,
                text,
                x: *x,
                y: page_height - y,
                turned: false,
            };
            show_text(fonts, &run, remaps, ops);
        }
        Item::Turned {
            x,
            y,
            size,
            font,
            text,
        } => {
            let run = TextRun {
                font: *font,
                size: *size,
                spacing: 0.0,
                text,
                x: *x,
                y: page_height - y,
                turned: true,
            };
            show_text(fonts, &run, remaps, ops);
        }
        Item::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            dashed,
        } => {
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::SetLineDashPattern {
                dash: if *dashed {
                    LineDashPattern::new(0.0, &[4.0, 3.0])
                } else {
                    LineDashPattern::new(0.0, &[])
                },
            });
            let point = |x: f32, y: f32| LinePoint {
                p: Point {
                    x: Pt(x),
                    y: Pt(page_height - y),
                },
                bezier: false,
            };
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![point(*x1, *y1), point(*x2, *y2)],
                    is_closed: false,
                },
            });
        }
        Item::Fill { x, y, w, h, shade } => {
            ops.push(Op::SetFillColor {
                col: printpdf::Color::Greyscale(printpdf::Greyscale::new(*shade, None)),
            });
            ops.push(rectangle(*x, *y, *w, *h, page_height, PaintMode::Fill));
            // Text is painted with the fill colour: back to black.
            ops.push(Op::SetFillColor { col: black() });
        }
        Item::Formula {
            x,
            y,
            size,
            font,
            formula,
            tex,
        } => draw_formula(
            formula,
            tex,
            (*x, page_height - y),
            *size,
            *font,
            fonts,
            remaps,
            ops,
        ),
        // Drawn by `draw_picture`, which knows the document's XObjects.
        Item::Image { .. } => {}
        Item::Rect { x, y, w, h, width } => {
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::SetLineDashPattern {
                dash: LineDashPattern::new(0.0, &[]),
            });
            ops.push(rectangle(*x, *y, *w, *h, page_height, PaintMode::Stroke));
        }
        // Layout lifts spots out of the items; one left over prints nothing either way. A reserved box is
        // stamped before a document is drawn; an unstamped one prints nothing.
        Item::Spot(_) | Item::Stamp(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;
    use crate::render::layout::{Page, PageSetup};

    fn layout(texts: &[&str]) -> Layout {
        Layout {
            title: "试卷".into(),
            setup: PageSetup::a4(),
            pages: texts
                .iter()
                .map(|text| Page {
                    items: vec![Item::Text {
                        x: 72.0,
                        y: 100.5,
                        size: 10.5,
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

    /// The trailer's /ID and SHA-256 over every stream's content in object order, as read back.
    fn id_and_digest(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let pdf = lopdf::Document::load_mem(bytes).unwrap();
        let id = pdf.trailer.get(b"ID").unwrap().as_array().unwrap()[0]
            .as_str()
            .unwrap()
            .to_vec();
        let mut hasher = Sha256::new();
        for object in pdf.objects.values() {
            if let lopdf::Object::Stream(s) = object {
                hasher.update(&s.content);
            }
        }
        let hex: String = hasher
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        (id, hex.into_bytes())
    }

    #[test]
    fn a_document_on_shared_faces_is_written_directly_as_printpdf_and_lopdf_write_it() {
        use crate::render::layout::Bookmark;
        let fonts = FontSet::builtin();
        let pdf =
            PdfWriter::new(&fonts, Arc::new(Pictures::new(&fonts, Default::default()))).unwrap();
        let bookmark = |title: &str, page| Bookmark {
            title: title.into(),
            page,
            y: 0.0,
        };
        let mut outlined = layout(&["张喆 社会工作", "第二页", "王赟"]);
        // Out of order, two on one page, one past the last page, an empty title.
        outlined.bookmarks = vec![
            bookmark("二、多项选择题", 2),
            bookmark("一、单项选择题", 0),
            bookmark("", 0),
            bookmark("附录", 9),
        ];
        outlined.pages[1].items.push(Item::Turned {
            x: 20.0,
            y: 400.0,
            size: 8.0,
            font: FontRole::Heading,
            text: "装订线".into(),
        });
        // A page with nothing on it: an empty stream, not deflated.
        outlined.pages.push(Page {
            items: Vec::new(),
            spots: Vec::new(),
        });
        let mut a3 = layout(&["李堃 工作"]);
        a3.setup = crate::render::layout::PageSetup::a4();
        a3.setup.width = 1190.55;
        a3.setup.height = 841.89;
        a3.title = String::new();
        let body_only = layout(&["社会工作"]);
        let faces = pdf
            .shared_faces(&outlined, ["李堃王赟社会工作", "装订线"])
            .unwrap();
        let body_faces = pdf.shared_faces(&body_only, ["", ""]).unwrap();
        assert!(body_faces.faces[1].is_none());
        for (doc, faces) in [
            (&outlined, &faces),
            (&a3, &faces),
            (&body_only, &body_faces),
        ] {
            for print in [false, true] {
                let shared = pdf.shared_with(doc, Arc::clone(faces)).unwrap();
                let direct = render_direct(doc, &pdf, &shared, print).unwrap();
                let shared = pdf.shared_with(doc, Arc::clone(faces)).unwrap();
                let lopdf = render_lopdf(doc, &pdf, Some(&shared), print);
                assert_eq!(
                    String::from_utf8_lossy(&direct.bytes),
                    String::from_utf8_lossy(&lopdf.bytes),
                    "{:?}",
                    doc.title
                );
                assert_eq!(direct.pages.len(), lopdf.pages.len());
                for (a, b) in direct.pages.iter().zip(&lopdf.pages) {
                    assert_eq!((&a.bytes, a.deflated), (&b.bytes, b.deflated));
                }
            }
        }
        // Every entry past the last page: printpdf cannot write the outline, nor is it written here.
        let mut lost = layout(&["社会工作"]);
        lost.bookmarks = vec![bookmark("附录", 3)];
        let shared = pdf.shared_with(&lost, Arc::clone(&body_faces)).unwrap();
        assert!(render_direct(&lost, &pdf, &shared, false).is_none());
    }

    #[test]
    fn glyphs_noted_while_drawing_are_those_noted_from_the_page() {
        let fonts = FontSet::builtin();
        let pdf =
            PdfWriter::new(&fonts, Arc::new(Pictures::new(&fonts, Default::default()))).unwrap();
        let mut doc = layout(&["张喆 社会工作（　）A．", "第二页 2025", "王赟"]);
        doc.pages[1].items.push(Item::Turned {
            x: 20.0,
            y: 400.0,
            size: 8.0,
            font: FontRole::HeadingAccent,
            text: "装订线 社会".into(),
        });
        // U+2F2F (the Kangxi radical 工) may share 工's glyph: the character shown last is kept.
        doc.pages[2].items.push(Item::Text {
            x: 72.0,
            y: 300.0,
            size: 10.5,
            font: FontRole::Body,
            text: "工\u{2F2F}工\u{2F2F}".into(),
            spacing: 0.0,
        });
        let faces = pdf.shared_faces(&doc, ["", ""]).unwrap();
        let shared = pdf.shared_with(&doc, Arc::clone(&faces)).unwrap();
        let drawn = render_direct(&doc, &pdf, &shared, true).unwrap();
        assert_eq!(drawn.glyphs.len(), doc.pages.len());
        for (page, noted) in doc.pages.iter().zip(&drawn.glyphs) {
            assert_eq!(**noted.as_ref().unwrap(), page_used(page, &pdf));
        }
        // Noted once for the copies that share the pages: a second copy draws nothing and notes nothing,
        // and takes the glyphs the first noted.
        let again = render_direct(&doc, &pdf, &shared, true).unwrap();
        assert!(again.glyphs.iter().all(Option::is_none));
        let taken = shared.glyphs_of(&doc, &pdf, again.glyphs);
        for (page, used) in doc.pages.iter().zip(&taken) {
            assert_eq!(**used, page_used(page, &pdf));
        }
        // Not for a print file: nothing noted.
        let fresh = pdf.shared_with(&doc, faces).unwrap();
        assert!(
            render_direct(&doc, &pdf, &fresh, false)
                .unwrap()
                .glyphs
                .is_empty()
        );
    }

    #[test]
    fn a_document_sharing_faces_has_the_id_of_all_its_streams() {
        let fonts = FontSet::builtin();
        let pdf =
            PdfWriter::new(&fonts, Arc::new(Pictures::new(&fonts, Default::default()))).unwrap();
        let first = layout(&["张喆 社会工作", "第二页"]);
        let faces = pdf.shared_faces(&first, ["李堃王赟", ""]).unwrap();
        // Two documents on the same faces (the second takes the faces' hash as made for the first), and
        // one written on its own.
        for texts in [
            &["张喆 社会工作", "第二页"][..],
            &["李堃 工作", "第二页", "王赟"],
        ] {
            let doc = layout(texts);
            let shared = pdf.shared_with(&doc, Arc::clone(&faces)).unwrap();
            let bytes = pdf.write_shared(&doc, &shared).unwrap();
            let (id, digest) = id_and_digest(&bytes);
            assert_eq!(id, digest, "{texts:?}");
        }
        let (id, digest) = id_and_digest(&pdf.write(&first).unwrap());
        assert_eq!(id, digest);
    }
}
