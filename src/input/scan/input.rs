//! Page images from what a teacher hands in: a copier's PDF (one embedded image per page — JPEG, Flate raw
//! samples, CCITT G4 fax or JBIG2 — or a page of image strips put back together), PNG/JPEG files, TIFF files of one or many pages, or a folder of them. Every page that cannot be read is a
//! [`PageProblem`] of its own; the other pages still read.
//!
//! Listing ([`page_sources`]) reads no page's image: a file's head, a TIFF's directories, a PDF's objects
//! without its image streams ([`pdf_file`]). Decoding ([`PageSource::decode`]) reads the page's bytes from
//! the file; it is the slow part and is pure, so pages are decoded in parallel and never all held at once.

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::GrayImage;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::pdf_file;

/// One page as a grayscale image.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// The file it came from.
    pub source: PathBuf,
    /// 1-based page within that file (1 for an image file).
    pub page: usize,
    pub image: GrayImage,
}

/// A page (or a whole file) that could not be turned into an image, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageProblem {
    pub source: PathBuf,
    /// The 1-based page, when the problem is one page's; `None` when the whole file failed.
    pub page: Option<usize>,
    pub message: String,
}

impl fmt::Display for PageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some(p) => write!(f, "{} page {}: {}", self.source.display(), p, self.message),
            None => write!(f, "{}: {}", self.source.display(), self.message),
        }
    }
}

/// A page not yet decoded.
#[derive(Debug, Clone)]
pub struct PageSource {
    pub source: PathBuf,
    pub page: usize,
    data: Encoded,
}

#[derive(Debug, Clone)]
enum Encoded {
    /// A PNG/JPEG file read when it is decoded.
    ImageAt(PathBuf),
    /// One page (0-based) of a TIFF file, which scanners write with many pages; the file is opened
    /// again when the page is decoded.
    TiffPage(PathBuf, usize),
    /// An image XObject taken out of a PDF page.
    Pdf(PdfImage),
    /// A page some copiers and office scanners write as several images (bands), each placed by the
    /// content stream: the images with where each lies on the page.
    PdfStrips(Vec<Strip>),
}

/// One image of a page made of several, and where the content stream puts it.
#[derive(Debug, Clone)]
struct Strip {
    image: PdfImage,
    /// The image's unit square → page space (PDF points, y up): `a b c d e f` as in `cm`.
    matrix: [f64; 6],
}

/// What decoding a PDF image needs, copied out of the document.
#[derive(Debug, Clone)]
struct PdfImage {
    width: usize,
    height: usize,
    bits: usize,
    colour: Colour,
    /// The Decode array says 1 is black (an inverted gray or 1-bit image).
    inverted: bool,
    codec: Codec,
    /// The stream's bytes, or where they lie in the file.
    data: PdfData,
}

/// A PDF image's bytes: in memory with the general-purpose filters (Flate, LZW, ASCII85) undone, or left
/// in the file (a PDF read piece by piece) and read, and the filters undone, when the page is decoded.
#[derive(Debug, Clone)]
enum PdfData {
    Here(Vec<u8>),
    InFile {
        path: PathBuf,
        offset: u64,
        length: u64,
        /// The stream's dictionary and its general-purpose filters, to undo them after reading.
        dict: Dictionary,
        generic: Vec<Vec<u8>>,
    },
}

impl PdfData {
    fn bytes(&self, codec: &Codec) -> Result<std::borrow::Cow<'_, [u8]>, String> {
        match self {
            PdfData::Here(b) => Ok(std::borrow::Cow::Borrowed(b)),
            PdfData::InFile {
                path,
                offset,
                length,
                dict,
                generic,
            } => {
                let raw = pdf_file::read_bytes(path, *offset, *length)?;
                undo_generic_filters(dict, raw, generic, codec).map(std::borrow::Cow::Owned)
            }
        }
    }
}

/// Undoes a stream's general-purpose filters (lopdf knows Flate with PNG predictors, LZW and ASCII85);
/// the image codec's own filter, if any, stays.
fn undo_generic_filters(
    dict: &Dictionary,
    content: Vec<u8>,
    generic: &[Vec<u8>],
    codec: &Codec,
) -> Result<Vec<u8>, String> {
    if generic.is_empty() {
        return Ok(content);
    }
    let mut s = lopdf::Stream::new(dict.clone(), content);
    let names: Vec<Object> = generic.iter().map(|n| Object::Name(n.clone())).collect();
    s.dict.set("Filter", Object::Array(names));
    if !matches!(codec, Codec::Raw) {
        s.dict.remove(b"DecodeParms");
    }
    s.decompressed_content_with_limit(1 << 30)
        .map_err(|e| format!("the page's image data is damaged ({e})"))
}

#[derive(Debug, Clone)]
enum Colour {
    Gray,
    Rgb,
    Cmyk,
    /// A palette of `base` colours (Gray or Rgb), one entry per index.
    Indexed {
        base: Box<Colour>,
        palette: Vec<u8>,
    },
}

impl Colour {
    fn components(&self) -> usize {
        match self {
            Colour::Gray | Colour::Indexed { .. } => 1,
            Colour::Rgb => 3,
            Colour::Cmyk => 4,
        }
    }
}

#[derive(Debug, Clone)]
enum Codec {
    /// Samples as they are.
    Raw,
    /// A JPEG file in the stream (DCTDecode).
    Jpeg,
    /// CCITT fax: `k` < 0 is Group 4, 0 Group 3 one-dimensional.
    Fax {
        k: i64,
        columns: usize,
        black_is_1: bool,
    },
    /// JPEG 2000 (a JP2 file or a bare codestream), which carries its own colour.
    Jpx,
    /// JBIG2 (embedded organisation), with the shared symbol dictionaries of `JBIG2Globals` if any:
    /// what copiers write for 1-bit pages to keep them small.
    Jbig2 { globals: Option<Vec<u8>> },
}

/// Every page of `path` (a PDF, an image file or a folder of them), decoded.
pub fn load_pages(path: &Path) -> Vec<Result<PageImage, PageProblem>> {
    page_sources(path)
        .into_iter()
        .map(|s| s.and_then(|s| s.decode()))
        .collect()
}

/// The pages of `path` without decoding them: a folder's files in natural order (hidden files and what
/// is no scan skipped), a PDF's pages in order.
pub fn page_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    list_pages(path).pages
}

/// What a scans folder or file holds: its pages, and the files of a folder left out because they are no
/// scan (Thumbs.db, desktop.ini, a stray .docx), each with a note saying so.
#[derive(Debug)]
pub struct Listing {
    pub pages: Vec<Result<PageSource, PageProblem>>,
    pub skipped: Vec<String>,
}

/// Extensions of the files a scanner writes: such a file that does not read as one is reported (a
/// damaged or empty scan), where any other file that is no image is only noted and left out.
const SCAN_EXTENSIONS: &[&str] = &[
    "pdf", "png", "jpg", "jpeg", "jpe", "tif", "tiff", "jp2", "jpx", "webp", "bmp", "heic", "heif",
];

/// The pages of `path` (see [`page_sources`]) with the notes on files left out.
pub fn list_pages(path: &Path) -> Listing {
    let whole = |message: String| PageProblem {
        source: path.to_path_buf(),
        page: None,
        message,
    };
    if !path.is_dir() {
        return Listing {
            pages: file_sources(path),
            skipped: Vec::new(),
        };
    }
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) => {
            return Listing {
                pages: vec![Err(whole(format!("cannot read the folder: {e}")))],
                skipped: Vec::new(),
            };
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    // As Explorer and Finder list them: 扫描 (2).jpg before 扫描 (10).jpg.
    files.sort_by(|a, b| name_order(&file_name(a), &file_name(b)).then_with(|| a.cmp(b)));
    if files.is_empty() {
        return Listing {
            pages: vec![Err(whole("the folder holds no files".into()))],
            skipped: Vec::new(),
        };
    }
    let mut listing = Listing {
        pages: Vec::new(),
        skipped: Vec::new(),
    };
    for f in &files {
        let name = file_name(f);
        let lower = name.to_lowercase();
        if let Some(what) = system_file(&lower) {
            listing
                .skipped
                .push(format!("{}: {what}, left out", f.display()));
            continue;
        }
        let sources = file_sources(f);
        let scan_extension = f
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| SCAN_EXTENSIONS.contains(&x.to_lowercase().as_str()));
        let no_image = matches!(sources.as_slice(), [Err(p)] if p.page.is_none() && p.message.starts_with(NOT_A_SCAN));
        if no_image && !scan_extension {
            listing.skipped.push(format!(
                "{}: not a scan (neither a PDF nor a PNG, JPEG, TIFF, WebP or BMP image), left out",
                f.display()
            ));
            continue;
        }
        listing.pages.extend(sources);
    }
    if listing.pages.is_empty() {
        listing.pages.push(Err(whole(
            "the folder holds no scans (no PDF, PNG, JPEG, TIFF, WebP or BMP file)".into(),
        )));
    }
    listing
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a file Windows, macOS or Office leaves in a folder is, by its lower-case name.
fn system_file(lower: &str) -> Option<&'static str> {
    match lower {
        "thumbs.db" | "ehthumbs.db" | "ehthumbs_vista.db" => Some("a Windows thumbnail cache"),
        "desktop.ini" => Some("a Windows folder setting"),
        _ if lower.starts_with("~$") => Some("an Office lock file"),
        _ => None,
    }
}

/// File names in the order Explorer lists them: by name without the extension first (`扫描.jpg` before
/// `扫描 (1).jpg`), then by extension, each as [`natural_order`] compares.
fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |n: &str| match n.rfind('.') {
        Some(i) if i > 0 => (n[..i].to_string(), n[i + 1..].to_string()),
        _ => (n.to_string(), String::new()),
    };
    let ((sa, xa), (sb, xb)) = (split(a), split(b));
    natural_order(&sa, &sb).then_with(|| natural_order(&xa, &xb))
}

/// Names compared as people read them: runs of digits by their value (`2` before `10`), the rest
/// character by character, case ignored.
fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut digits = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(c);
                        it.next();
                    }
                    digits
                };
                let (da, db) = (run(&mut a), run(&mut b));
                let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(x), Some(y)) => {
                let by_char = x.to_lowercase().cmp(y.to_lowercase());
                if by_char != Ordering::Equal {
                    return by_char;
                }
                a.next();
                b.next();
            }
        }
    }
}

#[cfg(test)]
pub(super) fn luma_for_tests(r: u8, g: u8, b: u8) -> u8 {
    luma(r, g, b)
}

#[cfg(test)]
pub(super) fn natural_order_for_tests(a: &str, b: &str) -> std::cmp::Ordering {
    name_order(a, b)
}

/// How the message for a file that is no PDF or image begins.
const NOT_A_SCAN: &str = "neither a PDF nor";

fn file_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    let whole = |message: String| PageProblem {
        source: path.to_path_buf(),
        page: None,
        message,
    };
    // Only the head is read to tell the kind: a page's bytes are read when the page is decoded, so a
    // folder of a thousand scans, or a PDF or TIFF of a thousand pages, is never held in memory at once.
    let head = match read_head(path) {
        Ok(b) => b,
        Err(e) => return vec![Err(whole(format!("cannot read the file: {e}")))],
    };
    if head.is_empty() {
        return vec![Err(whole(
            "the file is empty (0 bytes): the scan was not saved; scan the page again".into(),
        ))];
    }
    if head.starts_with(b"%PDF") || head.windows(5).any(|w| w == b"%PDF-") {
        return pdf_sources(path);
    }
    match image::guess_format(&head) {
        Ok(image::ImageFormat::Tiff) => tiff_sources(path),
        Ok(
            image::ImageFormat::Png
            | image::ImageFormat::Jpeg
            | image::ImageFormat::WebP
            | image::ImageFormat::Bmp,
        ) => {
            vec![Ok(PageSource {
                source: path.to_path_buf(),
                page: 1,
                data: Encoded::ImageAt(path.to_path_buf()),
            })]
        }
        Ok(other) => vec![Err(whole(format!(
            "{other:?} images are not read; scan to PDF, PNG, JPEG or TIFF"
        )))],
        Err(_) if crate::input::images::is_heif(&head) => vec![Err(whole(
            "an iPhone photo in HEIC, which examgen cannot read: send the photos as JPEG (on the iPhone: \
             Settings → Camera → Formats → Most Compatible; or share them through WeChat or e-mail, \
             which send JPEG) or save them as JPEG on the computer"
                .into(),
        ))],
        Err(_) => vec![Err(whole(format!(
            "{NOT_A_SCAN} a PNG, JPEG, TIFF, WebP or BMP image"
        )))],
    }
}

/// The first kilobyte of a file (less when the file is shorter).
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// A TIFF's pages, counted by walking its directories (the images are not read).
fn tiff_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    let mut count = 0;
    if let Ok(mut d) = open_tiff(path) {
        count = 1;
        while d.more_images() && d.next_image().is_ok() {
            count += 1;
        }
    }
    // A TIFF the tiff crate cannot even open still gets its one page, to fail with the decoder's words.
    (0..count.max(1))
        .map(|i| {
            Ok(PageSource {
                source: path.to_path_buf(),
                page: i + 1,
                data: Encoded::TiffPage(path.to_path_buf(), i),
            })
        })
        .collect()
}

fn open_tiff(
    path: &Path,
) -> Result<tiff::decoder::Decoder<std::io::BufReader<std::fs::File>>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    tiff::decoder::Decoder::new(std::io::BufReader::new(file))
        .map_err(|e| format!("the TIFF page cannot be decoded ({e})"))
}

/// One page of a TIFF in gray: 1-bit (fax), 8-bit gray, RGB and RGBA; other kinds of the first page go
/// to `image`, which knows more of them.
fn decode_tiff_page(path: &Path, index: usize) -> Result<GrayImage, String> {
    use tiff::ColorType;
    use tiff::decoder::DecodingResult;
    let fail = |e: tiff::TiffError| format!("the TIFF page cannot be decoded ({e})");
    let mut d = open_tiff(path)?;
    d.seek_to_image(index).map_err(fail)?;
    let (w, h) = d.dimensions().map_err(fail)?;
    let colour = d.colortype().map_err(fail)?;
    let (w, h) = (w as usize, h as usize);
    if let Some(gray) = tiff_strips_gray(&mut d, colour, w, h) {
        return gray;
    }
    let data = match d.read_image() {
        Ok(DecodingResult::U8(data)) => Some(data),
        Ok(_) => None,
        Err(e) if index > 0 => return Err(fail(e)),
        Err(_) => None,
    };
    let gray: Option<Vec<u8>> = data.and_then(|data| match colour {
        ColorType::Gray(8) if data.len() >= w * h => Some(data[..w * h].to_vec()),
        ColorType::Gray(1) => {
            let row = w.div_ceil(8);
            (data.len() >= row * h).then(|| {
                (0..w * h)
                    .map(|i| {
                        let (x, y) = (i % w, i / w);
                        if data[y * row + x / 8] & (0x80 >> (x % 8)) != 0 {
                            255
                        } else {
                            0
                        }
                    })
                    .collect()
            })
        }
        ColorType::RGB(8) if data.len() >= 3 * w * h => Some(
            data.chunks_exact(3)
                .take(w * h)
                .map(|c| luma(c[0], c[1], c[2]))
                .collect(),
        ),
        ColorType::RGBA(8) if data.len() >= 4 * w * h => Some(
            data.chunks_exact(4)
                .take(w * h)
                .map(|c| luma(c[0], c[1], c[2]))
                .collect(),
        ),
        _ => None,
    });
    match gray {
        Some(px) => GrayImage::from_raw(w as u32, h as u32, px)
            .ok_or_else(|| "the TIFF page cannot be decoded".to_string()),
        None if index == 0 => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Tiff)
                .map(|i| i.into_luma8())
                .map_err(|e| format!("the TIFF image cannot be decoded ({e})"))
        }
        None => Err(format!("the TIFF page is {colour:?}, which is not read")),
    }
}

/// A TIFF page of strips (what scanners write) or tiles in gray, one strip or tile at a time, so a colour
/// or 16-bit page is never held whole in its own samples: 8- and 16-bit gray, RGB and RGBA (alpha over
/// white paper). `None` when the page is of another kind (1-bit, separate colour planes) for the
/// whole-page path.
fn tiff_strips_gray<R: std::io::Read + std::io::Seek>(
    d: &mut tiff::decoder::Decoder<R>,
    colour: tiff::ColorType,
    w: usize,
    h: usize,
) -> Option<Result<GrayImage, String>> {
    use tiff::ColorType;
    use tiff::decoder::{ChunkType, DecodingResult};
    let channels = match colour {
        ColorType::Gray(8 | 16) => 1,
        ColorType::RGB(8 | 16) => 3,
        ColorType::RGBA(8 | 16) => 4,
        _ => return None,
    };
    // A strip is a tile as wide as the page.
    let (chunk_w, chunk_h, chunks) = match d.get_chunk_type() {
        ChunkType::Strip => (w, d.chunk_dimensions().1 as usize, d.strip_count().ok()?),
        ChunkType::Tile => {
            let (cw, ch) = d.chunk_dimensions();
            (cw as usize, ch as usize, d.tile_count().ok()?)
        }
    };
    if chunk_w == 0 || chunk_h == 0 {
        return None;
    }
    let across = w.div_ceil(chunk_w);
    if chunks as usize != across * h.div_ceil(chunk_h) {
        return None; // separate colour planes
    }
    let mut gray = vec![0u8; w * h];
    for i in 0..chunks {
        let (x0, y0) = (
            (i as usize % across) * chunk_w,
            (i as usize / across) * chunk_h,
        );
        let (data_w, data_h) = d.chunk_data_dimensions(i);
        let (data_w, data_h) = (data_w as usize, data_h as usize);
        let (cols, rows) = (data_w.min(w - x0), data_h.min(h - y0));
        let short = || {
            Some(Err(
                "the TIFF page's strips or tiles are shorter than its size".to_string(),
            ))
        };
        let place = Place {
            x0,
            y0,
            cols,
            rows,
            data_w,
            channels,
        };
        match d.read_chunk(i) {
            Ok(DecodingResult::U8(v)) if v.len() >= data_h * data_w * channels => {
                place.put(&mut gray, w, &v, |s| s)
            }
            Ok(DecodingResult::U16(v)) if v.len() >= data_h * data_w * channels => {
                place.put(&mut gray, w, &v, |s| (s >> 8) as u8)
            }
            Ok(DecodingResult::U8(_) | DecodingResult::U16(_)) => return short(),
            Ok(_) => return None,
            Err(e) => return Some(Err(format!("the TIFF page cannot be decoded ({e})"))),
        }
    }
    Some(
        GrayImage::from_raw(w as u32, h as u32, gray)
            .ok_or_else(|| "the TIFF page cannot be decoded".to_string()),
    )
}

/// Where a strip's or tile's pixels go on the page: its top left, how much of it is on the page, its
/// stored width and samples a pixel.
struct Place {
    x0: usize,
    y0: usize,
    cols: usize,
    rows: usize,
    data_w: usize,
    channels: usize,
}

impl Place {
    /// The chunk's samples to gray, as 8-bit values, each of its rows into its place on the `w`-wide page.
    fn put<T: Copy>(&self, gray: &mut [u8], w: usize, samples: &[T], to8: impl Fn(T) -> u8) {
        for r in 0..self.rows {
            let row = &mut gray[(self.y0 + r) * w + self.x0..][..self.cols];
            let from = &samples[r * self.data_w * self.channels..];
            for (g, p) in row.iter_mut().zip(from.chunks_exact(self.channels)) {
                *g = match self.channels {
                    1 => to8(p[0]),
                    3 => luma(to8(p[0]), to8(p[1]), to8(p[2])),
                    _ => over_white(luma(to8(p[0]), to8(p[1]), to8(p[2])), to8(p[3])),
                };
            }
        }
    }
}

/// A PDF's pages. Its structure is read piece by piece ([`pdf_file`]) and each page's image stays in the
/// file until the page is decoded; a PDF that reading cannot follow (encrypted, a damaged
/// cross-reference) is loaded whole by lopdf instead, which repairs what it can.
fn pdf_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    let whole = |message: String| {
        vec![Err(PageProblem {
            source: path.to_path_buf(),
            page: None,
            message,
        })]
    };
    let (doc, in_file) = match pdf_file::read_skeleton(path) {
        Ok(s) if !s.doc.get_pages().is_empty() => (s.doc, Some(path)),
        _ => {
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => return whole(format!("cannot read the file: {e}")),
            };
            match Document::load_mem(&bytes) {
                Ok(d) => (d, None),
                Err(e) => return whole(format!("not a readable PDF ({e})")),
            }
        }
    };
    let pages = doc.get_pages();
    if pages.is_empty() {
        return vec![Err(PageProblem {
            source: path.to_path_buf(),
            page: None,
            message: "the PDF has no pages".into(),
        })];
    }
    pages
        .into_iter()
        .map(|(n, id)| {
            let page = n as usize;
            pdf_page_data(&doc, id, in_file)
                .map(|data| PageSource {
                    source: path.to_path_buf(),
                    page,
                    data,
                })
                .map_err(|message| PageProblem {
                    source: path.to_path_buf(),
                    page: Some(page),
                    message,
                })
        })
        .collect()
}

/// What a PDF page's scan is made of: one image (what copiers write), or several images the content
/// stream places side by side or in bands (what some office scanners write), to be put back together.
fn pdf_page_data(
    doc: &Document,
    page: ObjectId,
    in_file: Option<&Path>,
) -> Result<Encoded, String> {
    let placed = placed_images(doc, page);
    let area = |m: &[f64; 6]| (m[0] * m[3] - m[1] * m[2]).abs();
    let total: f64 = placed.iter().map(|(_, m)| area(m)).sum();
    // Pieces of the scan, not a logo or a stamp laid over it.
    let pieces: Vec<&(&lopdf::Stream, [f64; 6])> = placed
        .iter()
        .filter(|(_, m)| area(m) >= 0.02 * total)
        .collect();
    if pieces.len() < 2 {
        return pdf_page_image(doc, page, in_file).map(Encoded::Pdf);
    }
    let mut strips = Vec::with_capacity(pieces.len());
    for (k, (stream, matrix)) in pieces.iter().enumerate() {
        let image = pdf_image(doc, stream, in_file).map_err(|e| {
            format!(
                "image {} of the {} the page is made of: {e}",
                k + 1,
                pieces.len()
            )
        })?;
        strips.push(Strip {
            image,
            matrix: *matrix,
        });
    }
    Ok(Encoded::PdfStrips(strips))
}

/// Every image XObject the page's content stream paints, with the matrix it is painted through (the
/// unit square → page points), looking two forms deep.
fn placed_images(doc: &Document, page: ObjectId) -> Vec<(&lopdf::Stream, [f64; 6])> {
    let Ok(content) = doc.get_and_decode_page_content(page) else {
        return Vec::new();
    };
    let Ok((own, inherited)) = doc.get_page_resources(page) else {
        return Vec::new();
    };
    let mut dicts: Vec<&Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    let mut out = Vec::new();
    walk_content(doc, &content.operations, &dicts, IDENTITY, 0, &mut out);
    out
}

const IDENTITY: [f64; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`: the matrix PDF's `cm` makes of the current one.
fn then(m: &[f64; 6], n: &[f64; 6]) -> [f64; 6] {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn matrix_of(operands: &[Object]) -> Option<[f64; 6]> {
    let v: Vec<f64> = operands
        .iter()
        .filter_map(|o| o.as_float().ok().map(f64::from))
        .collect();
    (v.len() == 6).then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
}

fn walk_content<'a>(
    doc: &'a Document,
    ops: &[lopdf::content::Operation],
    resources: &[&'a Dictionary],
    start: [f64; 6],
    depth: usize,
    out: &mut Vec<(&'a lopdf::Stream, [f64; 6])>,
) {
    let mut ctm = start;
    let mut saved = Vec::new();
    for op in ops {
        match op.operator.as_str() {
            "q" => saved.push(ctm),
            "Q" => ctm = saved.pop().unwrap_or(start),
            "cm" => {
                if let Some(m) = matrix_of(&op.operands) {
                    ctm = then(&m, &ctm);
                }
            }
            "Do" => {
                let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else {
                    continue;
                };
                let Some(stream) = resources.iter().find_map(|res| {
                    let xobjects = res
                        .get(b"XObject")
                        .and_then(|o| doc.dereference(o))
                        .and_then(|(_, o)| o.as_dict())
                        .ok()?;
                    let (_, obj) = doc.dereference(xobjects.get(name).ok()?).ok()?;
                    obj.as_stream().ok()
                }) else {
                    continue;
                };
                match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                    Ok(b"Image") => out.push((stream, ctm)),
                    Ok(b"Form") if depth < 2 => {
                        let matrix = stream
                            .dict
                            .get(b"Matrix")
                            .and_then(Object::as_array)
                            .ok()
                            .and_then(|a| matrix_of(a))
                            .unwrap_or(IDENTITY);
                        let Ok(bytes) = stream
                            .decompressed_content()
                            .or_else(|_| Ok::<_, ()>(stream.content.clone()))
                        else {
                            continue;
                        };
                        let Ok(content) = lopdf::content::Content::decode(&bytes) else {
                            continue;
                        };
                        let mut inner: Vec<&Dictionary> = Vec::new();
                        if let Ok((_, res)) = stream
                            .dict
                            .get(b"Resources")
                            .and_then(|o| doc.dereference(o))
                            && let Ok(res) = res.as_dict()
                        {
                            inner.push(res);
                        }
                        inner.extend(resources.iter().copied());
                        walk_content(
                            doc,
                            &content.operations,
                            &inner,
                            then(&matrix, &ctm),
                            depth + 1,
                            out,
                        );
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// The page's largest image XObject (a copier puts exactly one on each page), looking one form deep.
fn pdf_page_image(
    doc: &Document,
    page: ObjectId,
    in_file: Option<&Path>,
) -> Result<PdfImage, String> {
    let (own, inherited) = doc
        .get_page_resources(page)
        .map_err(|e| format!("unreadable page resources ({e})"))?;
    let mut dicts: Vec<&Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    let mut images: Vec<&lopdf::Stream> = Vec::new();
    for res in dicts {
        collect_images(doc, res, 0, &mut images);
    }
    let stream = images
        .into_iter()
        .max_by_key(|s| int(doc, &s.dict, b"Width") * int(doc, &s.dict, b"Height"))
        .ok_or("the page holds no scanned image (is this PDF a scan?)")?;
    pdf_image(doc, stream, in_file)
}

fn collect_images<'a>(
    doc: &'a Document,
    resources: &'a Dictionary,
    depth: usize,
    out: &mut Vec<&'a lopdf::Stream>,
) {
    let Ok(xobjects) = resources
        .get(b"XObject")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
    else {
        return;
    };
    for (_, value) in xobjects.iter() {
        let Ok((_, obj)) = doc.dereference(value) else {
            continue;
        };
        let Ok(stream) = obj.as_stream() else {
            continue;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => out.push(stream),
            Ok(b"Form") if depth < 2 => {
                if let Ok((_, res)) = stream
                    .dict
                    .get(b"Resources")
                    .and_then(|o| doc.dereference(o))
                    && let Ok(res) = res.as_dict()
                {
                    collect_images(doc, res, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

fn int(doc: &Document, dict: &Dictionary, key: &[u8]) -> i64 {
    dict.get(key)
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_i64())
        .unwrap_or(0)
}

/// The image `stream` as a page to decode; `in_file` is the PDF when `doc` was read piece by piece
/// ([`pdf_file`]), whose image streams' bytes are still in the file.
fn pdf_image(
    doc: &Document,
    stream: &lopdf::Stream,
    in_file: Option<&Path>,
) -> Result<PdfImage, String> {
    let dict = &stream.dict;
    let width = int(doc, dict, b"Width");
    let height = int(doc, dict, b"Height");
    if width <= 0 || height <= 0 || width > 40_000 || height > 40_000 {
        return Err(format!(
            "the page's image has an impossible size {width}×{height}"
        ));
    }
    let image_mask = dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    let bits = if image_mask {
        1
    } else {
        int(doc, dict, b"BitsPerComponent").max(0) as usize
    };
    let filters: Vec<Vec<u8>> = match dict.get(b"Filter").and_then(|o| doc.dereference(o)) {
        Ok((_, Object::Name(n))) => vec![n.clone()],
        Ok((_, Object::Array(a))) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(|n| n.to_vec()))
            .collect(),
        _ => Vec::new(),
    };
    // Parameters of the last filter: the image codec's.
    let params: Option<&Dictionary> =
        match dict.get(b"DecodeParms").and_then(|o| doc.dereference(o)) {
            Ok((_, Object::Dictionary(d))) => Some(d),
            Ok((_, Object::Array(a))) => a
                .last()
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok()),
            _ => None,
        };
    let (codec, generic) = match filters.last().map(Vec::as_slice) {
        Some(b"DCTDecode") => (Codec::Jpeg, &filters[..filters.len() - 1]),
        Some(b"CCITTFaxDecode") => {
            let p = |k: &[u8], default: i64| {
                params
                    .and_then(|d| d.get(k).ok())
                    .and_then(|o| o.as_i64().ok())
                    .unwrap_or(default)
            };
            let black_is_1 = params
                .and_then(|d| d.get(b"BlackIs1").ok())
                .and_then(|o| o.as_bool().ok())
                .unwrap_or(false);
            (
                Codec::Fax {
                    k: p(b"K", 0),
                    columns: p(b"Columns", 1728).max(1) as usize,
                    black_is_1,
                },
                &filters[..filters.len() - 1],
            )
        }
        Some(b"JPXDecode") => (Codec::Jpx, &filters[..filters.len() - 1]),
        Some(b"JBIG2Decode") => {
            let globals = match params.and_then(|d| d.get(b"JBIG2Globals").ok()) {
                Some(o) => {
                    let stream = doc
                        .dereference(o)
                        .ok()
                        .and_then(|(_, o)| o.as_stream().ok())
                        .ok_or("the page's JBIG2 image names shared dictionaries (JBIG2Globals) that are not in the file; scan again, or with G4 or JPEG")?;
                    let content = match (in_file, pdf_file::stream_place(stream)) {
                        (Some(path), Some((offset, length))) => {
                            let raw = pdf_file::read_bytes(path, offset, length)?;
                            lopdf::Stream::new(stream.dict.clone(), raw)
                        }
                        _ => stream.clone(),
                    };
                    Some(
                        content
                            .decompressed_content()
                            .unwrap_or_else(|_| content.content.clone()),
                    )
                }
                None => None,
            };
            (Codec::Jbig2 { globals }, &filters[..filters.len() - 1])
        }
        _ => (Codec::Raw, &filters[..]),
    };
    let data = match (in_file, pdf_file::stream_place(stream)) {
        (Some(path), Some((offset, length))) => PdfData::InFile {
            path: path.to_path_buf(),
            offset,
            length,
            dict: stream.dict.clone(),
            generic: generic.to_vec(),
        },
        _ => PdfData::Here(undo_generic_filters(
            &stream.dict,
            stream.content.clone(),
            generic,
            &codec,
        )?),
    };
    let colour = if image_mask {
        Colour::Gray
    } else {
        match dict.get(b"ColorSpace").and_then(|o| doc.dereference(o)) {
            Ok((_, o)) => colour_space(doc, o)?,
            // JPEG and fax streams carry their own colour; raw samples without one are taken as gray.
            Err(_) => Colour::Gray,
        }
    };
    let decode: Vec<f32> = dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .map(|a| a.iter().filter_map(|o| o.as_float().ok()).collect())
        .unwrap_or_default();
    // An image mask paints its 0 samples, like a gray image's black; [1 0] turns either around.
    let inverted = matches!(decode.as_slice(), [a, b, ..] if a > b);
    Ok(PdfImage {
        width: width as usize,
        height: height as usize,
        bits,
        colour,
        inverted,
        codec,
        data,
    })
}

fn colour_space(doc: &Document, o: &Object) -> Result<Colour, String> {
    let unsupported = |n: &[u8]| {
        format!(
            "the page's image has colour space {}, which is not read",
            String::from_utf8_lossy(n)
        )
    };
    match o {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(Colour::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(Colour::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Colour::Cmyk),
            other => Err(unsupported(other)),
        },
        Object::Array(a) => {
            let kind = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            match kind {
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_stream().ok())
                        .map(|s| int(doc, &s.dict, b"N"))
                        .unwrap_or(0);
                    match n {
                        1 => Ok(Colour::Gray),
                        3 => Ok(Colour::Rgb),
                        4 => Ok(Colour::Cmyk),
                        _ => Err(unsupported(b"ICCBased")),
                    }
                }
                b"CalGray" => Ok(Colour::Gray),
                b"CalRGB" => Ok(Colour::Rgb),
                b"Indexed" | b"I" => {
                    let base = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .ok_or_else(|| unsupported(b"Indexed"))?
                        .1;
                    let base = colour_space(doc, base)?;
                    if matches!(base, Colour::Indexed { .. }) {
                        return Err(unsupported(b"Indexed"));
                    }
                    let palette = match a.get(3).and_then(|o| doc.dereference(o).ok()) {
                        Some((_, Object::String(s, _))) => s.clone(),
                        Some((_, Object::Stream(s))) => s
                            .get_plain_content()
                            .map_err(|e| format!("the page's image palette is damaged ({e})"))?,
                        _ => return Err(unsupported(b"Indexed")),
                    };
                    Ok(Colour::Indexed {
                        base: Box::new(base),
                        palette,
                    })
                }
                other => Err(unsupported(other)),
            }
        }
        _ => Err(unsupported(b"?")),
    }
}

impl PageSource {
    /// Decodes the page into a grayscale image.
    pub fn decode(&self) -> Result<PageImage, PageProblem> {
        let problem = |message: String| PageProblem {
            source: self.source.clone(),
            page: Some(self.page),
            message,
        };
        let image = match &self.data {
            Encoded::ImageAt(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| problem(format!("cannot read the file: {e}")))?;
                decode_image_file(&bytes)
                    .map_err(|e| {
                        problem(format!(
                            "the image cannot be decoded ({e}): a damaged or cut-off file? scan the page again"
                        ))
                    })?
            }
            Encoded::Pdf(p) => decode_pdf_image(p).map_err(problem)?,
            Encoded::PdfStrips(strips) => assemble_strips(strips).map_err(problem)?,
            Encoded::TiffPage(path, index) => decode_tiff_page(path, *index).map_err(problem)?,
        };
        let image = to_reading_resolution(image);
        if image.width() < 16 || image.height() < 16 {
            return Err(problem(format!(
                "the image is only {}×{} pixels",
                image.width(),
                image.height()
            )));
        }
        Ok(PageImage {
            source: self.source.clone(),
            page: self.page,
            image,
        })
    }
}

/// A page's short side above this many pixels (an A4 sheet finer than about 340 dpi) is more than the
/// bubbles need: such pages are halved until it is not (600 dpi → 300 dpi), which also quarters the
/// reading's work.
const READING_SHORT_SIDE: u32 = 4000;

/// How many times over a `w` × `h` page is halved to come to the reading's resolution (1, 2, 4…).
fn reduction(w: u32, h: u32) -> u32 {
    let mut f = 1;
    while w.min(h) / f > READING_SHORT_SIDE {
        f *= 2;
    }
    f
}

/// The page at the resolution the bubbles need: 2×2 averages while its short side is over
/// [`READING_SHORT_SIDE`] (a 600 dpi scan), else as it is. The averages are written over the front of
/// the page's own buffer (output pixel (x, y) lies at or before every source pixel still to be read),
/// which is then cut to size: no second page is allocated.
fn to_reading_resolution(img: GrayImage) -> GrayImage {
    let f = reduction(img.width(), img.height());
    if f == 1 {
        return img;
    }
    let (w, h) = (img.width() / f, img.height() / f);
    let src_w = img.width() as usize;
    let mut raw = img.into_raw();
    let f = f as usize;
    let (w_us, h_us) = (w as usize, h as usize);
    for y in 0..h_us {
        for x in 0..w_us {
            let mut sum = 0u32;
            for dy in 0..f {
                let row = &raw[(y * f + dy) * src_w + x * f..][..f];
                sum += row.iter().map(|&g| g as u32).sum::<u32>();
            }
            raw[y * w_us + x] = ((sum + (f * f / 2) as u32) / (f * f) as u32) as u8;
        }
    }
    raw.truncate(w_us * h_us);
    raw.shrink_to_fit();
    GrayImage::from_raw(w, h, raw).expect("w × h pixels")
}

/// A PNG or JPEG file in gray, turned the way its EXIF orientation says (a phone stores a photo as the
/// sensor saw it and records how to show it). Decoded to gray directly, never to colour pixels first:
/// JPEG's luma channel, PNG row by row (16-bit samples cut to 8, transparency over white paper), halved
/// as the rows come when the scan is finer than reading needs.
fn decode_image_file(bytes: &[u8]) -> Result<GrayImage, String> {
    let (img, orientation) = match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => decode_jpeg_gray(bytes)?,
        Ok(image::ImageFormat::Png) => decode_png_gray(bytes)?,
        _ => {
            use image::ImageDecoder;
            let mut decoder = image::ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| e.to_string())?
                .into_decoder()
                .map_err(|e| e.to_string())?;
            let orientation = decoder.orientation().ok();
            let img = image::DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
            (img.into_luma8(), orientation)
        }
    };
    Ok(match orientation {
        Some(o) if o != image::metadata::Orientation::NoTransforms => {
            let mut turned = image::DynamicImage::ImageLuma8(img);
            turned.apply_orientation(o);
            turned.into_luma8()
        }
        _ => img,
    })
}

/// A JPEG in gray and its EXIF orientation: a gray or colour (YCbCr) JPEG decoded to its luma channel
/// alone, so a 24-bit page takes a third of the memory and no colour conversion; CMYK (what some copiers
/// write), YCCK and RGB JPEGs to RGB and then to grey in the same buffer ([`colour_jpeg_gray`]).
fn decode_jpeg_gray(
    bytes: &[u8],
) -> Result<(GrayImage, Option<image::metadata::Orientation>), String> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| format!("{e:?}"))?;
    let orientation = decoder
        .exif()
        .and_then(|e| image::metadata::Orientation::from_exif_chunk(e));
    if matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::Luma)
    ) {
        let (w, h) = decoder
            .dimensions()
            .ok_or_else(|| "the JPEG has no size".to_string())?;
        let pixels = decoder.decode().map_err(|e| format!("{e:?}"))?;
        let img = GrayImage::from_raw(w as u32, h as u32, pixels)
            .ok_or_else(|| "the JPEG decodes to fewer pixels than its size".to_string())?;
        // A colour photo of a screen: its grey from the three channels alike (see [`super::chroma`]).
        let colour = decoder.input_colorspace() == Some(ColorSpace::YCbCr);
        if colour && super::spectrum::is_screen_photo(&img) {
            if let Some(mean) = super::chroma::jpeg_mean_grey(bytes) {
                return Ok((mean, orientation));
            }
        }
        return Ok((img, orientation));
    }
    let (img, _) = colour_jpeg_gray(bytes)?;
    Ok((img, orientation))
}

/// Colour pages at least this large (three bytes a pixel: an A4 page at about 400 dpi) are decoded one
/// at a time, so two pages read side by side never hold two such buffers at once.
const LARGE_COLOUR_JPEG: usize = 48 << 20;

/// A CMYK, YCCK or RGB JPEG in grey, the same pixels `image` gave (zune-jpeg's conversion to RGB, then
/// `image`'s grey) without its copies: `image` held the file again, the page in RGB and the page in grey
/// (a 600 dpi A4 page about 150 MB); here the decoder fills one RGB buffer (zune-jpeg gives no rows),
/// the grey is written over the front of it band by band, and the rest is handed back, so the page is
/// held in RGB once and then in grey. Also hands back the most bytes that buffer held.
fn colour_jpeg_gray(bytes: &[u8]) -> Result<(GrayImage, usize), String> {
    let mut decoder = super::chroma::rgb_jpeg_decoder(bytes);
    decoder.decode_headers().map_err(|e| format!("{e:?}"))?;
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| "the JPEG has no size".to_string())?;
    let pixels = w
        .checked_mul(h)
        .ok_or_else(|| "the JPEG is too large".to_string())?;
    let held = pixels
        .checked_mul(3)
        .ok_or_else(|| "the JPEG is too large".to_string())?;
    static LARGE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = (held >= LARGE_COLOUR_JPEG).then(|| {
        LARGE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    });
    let mut buf = vec![0u8; held];
    decoder
        .decode_into(&mut buf)
        .map_err(|e| format!("{e:?}"))?;
    // A band of rows at a time is copied out and turned grey by `image` itself (its grey of an RGB
    // pixel, whatever way it computes it), the grey written over the front of the buffer: row y's grey
    // ends before row y's RGB begins, so nothing unread is overwritten.
    const BAND: usize = 64;
    for y0 in (0..h).step_by(BAND) {
        let rows = BAND.min(h - y0);
        let rgb = buf[3 * w * y0..3 * w * (y0 + rows)].to_vec();
        let band = image::RgbImage::from_raw(w as u32, rows as u32, rgb)
            .expect("the band's rows are whole");
        let grey = image::DynamicImage::ImageRgb8(band).into_luma8();
        buf[w * y0..w * (y0 + rows)].copy_from_slice(grey.as_raw());
    }
    buf.truncate(pixels);
    buf.shrink_to_fit();
    let img = GrayImage::from_raw(w as u32, h as u32, buf)
        .ok_or_else(|| "the JPEG decodes to fewer pixels than its size".to_string())?;
    Ok((img, held))
}

/// A PNG in gray, row by row: palettes expanded, 16-bit samples cut to 8, colour to luma, transparency
/// over white paper, and 2×2 (or 4×4…) blocks averaged as the rows come when the page is finer than
/// reading needs, so only the gray page at reading resolution is ever held.
fn decode_png_gray(
    bytes: &[u8],
) -> Result<(GrayImage, Option<image::metadata::Orientation>), String> {
    use png::ColorType;
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let (w, h) = (reader.info().width, reader.info().height);
    let orientation = reader
        .info()
        .exif_metadata
        .as_deref()
        .and_then(image::metadata::Orientation::from_exif_chunk);
    let (colour, _) = reader.output_color_type();
    let channels = match colour {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => return Err("an unexpanded palette PNG".into()),
    };
    let f = reduction(w, h) as usize;
    let (ow, oh) = ((w as usize / f).max(1), (h as usize / f).max(1));
    let mut sums = vec![0u32; ow];
    let mut out: Vec<u8> = Vec::with_capacity(ow * oh);
    let mut rows_in_block = 0;
    while out.len() < ow * oh {
        let Some(row) = reader.next_row().map_err(|e| e.to_string())? else {
            return Err("the PNG ends before its last row".into());
        };
        let data = row.data();
        for (x, sum) in sums.iter_mut().enumerate() {
            for k in x * f..(x + 1) * f {
                let px = &data[k * channels..][..channels];
                let gray = match channels {
                    1 => px[0],
                    2 => over_white(px[0], px[1]),
                    3 => luma(px[0], px[1], px[2]),
                    _ => over_white(luma(px[0], px[1], px[2]), px[3]),
                };
                *sum += gray as u32;
            }
        }
        rows_in_block += 1;
        if rows_in_block == f {
            let n = (f * f) as u32;
            out.extend(sums.iter().map(|&s| ((s + n / 2) / n) as u8));
            sums.iter_mut().for_each(|s| *s = 0);
            rows_in_block = 0;
        }
    }
    let img = GrayImage::from_raw(ow as u32, oh as u32, out).expect("ow × oh pixels");
    Ok((img, orientation))
}

/// A gray sample with transparency, as printed on white paper.
fn over_white(gray: u8, alpha: u8) -> u8 {
    let a = alpha as u32;
    ((gray as u32 * a + 255 * (255 - a) + 127) / 255) as u8
}

/// A page of several images put back together at the finest image's resolution, each image drawn where
/// its matrix places it (later ones over earlier ones, as a viewer paints them); paper no image covers
/// stays white.
fn assemble_strips(strips: &[Strip]) -> Result<GrayImage, String> {
    let mut decoded = Vec::with_capacity(strips.len());
    for (k, s) in strips.iter().enumerate() {
        let img = decode_pdf_image(&s.image).map_err(|e| {
            format!(
                "image {} of the {} the page is made of: {e}",
                k + 1,
                strips.len()
            )
        })?;
        decoded.push(img);
    }
    // Pixels per point: the finest image's, along its own width.
    let mut res = 0.0f64;
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (s, img) in strips.iter().zip(&decoded) {
        let m = &s.matrix;
        let placed_w = m[0].hypot(m[1]);
        if placed_w > 1e-6 {
            res = res.max(img.width() as f64 / placed_w);
        }
        for (u, v) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
            let (x, y) = (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5]);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
    }
    let w = ((x1 - x0) * res).round();
    let h = ((y1 - y0) * res).round();
    if !(res > 0.0 && w >= 1.0 && h >= 1.0 && w <= 40_000.0 && h <= 40_000.0) {
        return Err("the page's images are placed at an impossible size".into());
    }
    let (w, h) = (w as u32, h as u32);
    let mut page = GrayImage::from_pixel(w, h, image::Luma([255]));
    for (s, img) in strips.iter().zip(&decoded) {
        let m = &s.matrix;
        let det = m[0] * m[3] - m[1] * m[2];
        if det.abs() < 1e-9 {
            continue;
        }
        let (iw, ih) = (img.width() as f64, img.height() as f64);
        // Its box on the page image (y grows downwards there).
        let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .map(|(u, v): (f64, f64)| (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5]));
        let px = |x: f64| ((x - x0) * res).clamp(0.0, w as f64);
        let py = |y: f64| ((y1 - y) * res).clamp(0.0, h as f64);
        let bx0 = corners
            .iter()
            .map(|c| px(c.0))
            .fold(f64::MAX, f64::min)
            .floor() as u32;
        let bx1 = corners
            .iter()
            .map(|c| px(c.0))
            .fold(f64::MIN, f64::max)
            .ceil() as u32;
        let by0 = corners
            .iter()
            .map(|c| py(c.1))
            .fold(f64::MAX, f64::min)
            .floor() as u32;
        let by1 = corners
            .iter()
            .map(|c| py(c.1))
            .fold(f64::MIN, f64::max)
            .ceil() as u32;
        for y in by0..by1.min(h) {
            let pyt = y1 - (y as f64 + 0.5) / res;
            for x in bx0..bx1.min(w) {
                let pxt = x0 + (x as f64 + 0.5) / res;
                // Page point → the image's unit square.
                let (dx, dy) = (pxt - m[4], pyt - m[5]);
                let u = (m[3] * dx - m[2] * dy) / det;
                let v = (m[0] * dy - m[1] * dx) / det;
                if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
                    continue;
                }
                // The image's first row is painted at the top of its square (v = 1).
                let (i, j) = ((u * iw) as u32, ((1.0 - v) * ih) as u32);
                let g = img.get_pixel(i.min(img.width() - 1), j.min(img.height() - 1));
                page.put_pixel(x, y, *g);
            }
        }
    }
    Ok(page)
}

fn decode_pdf_image(p: &PdfImage) -> Result<GrayImage, String> {
    let bytes = p.data.bytes(&p.codec)?;
    let bytes = bytes.as_ref();
    match &p.codec {
        Codec::Jpeg => {
            let (mut g, _) = decode_jpeg_gray(bytes)
                .map_err(|e| format!("the page's JPEG image cannot be decoded ({e})"))?;
            if p.inverted {
                image::imageops::invert(&mut g);
            }
            Ok(g)
        }
        Codec::Fax {
            k,
            columns,
            black_is_1,
        } => decode_fax(p, bytes, *k, *columns, *black_is_1),
        Codec::Raw => decode_raw(p, bytes),
        Codec::Jbig2 { globals } => decode_jbig2(p, bytes, globals.as_deref()),
        Codec::Jpx => decode_jpx(p, bytes),
    }
}

/// A JPEG 2000 image with `hayro-jpeg2000`, in gray: one channel as it is, three as RGB, four as CMYK
/// (or RGB with alpha, the alpha dropped).
fn decode_jpx(p: &PdfImage, bytes: &[u8]) -> Result<GrayImage, String> {
    let fail = |e: hayro_jpeg2000::DecodeError| {
        format!("the page's JPEG 2000 image cannot be decoded ({e}); scan with JPEG")
    };
    let settings = hayro_jpeg2000::DecodeSettings::default();
    let image = hayro_jpeg2000::Image::new(bytes, &settings).map_err(fail)?;
    let (w, h) = (image.width() as usize, image.height() as usize);
    if w == 0 || h == 0 || w > 40_000 || h > 40_000 {
        return Err(format!(
            "the page's JPEG 2000 image has an impossible size {w}×{h}"
        ));
    }
    let alpha = image.has_alpha();
    let cmyk = matches!(image.color_space(), hayro_jpeg2000::ColorSpace::CMYK);
    let mut ctx = hayro_jpeg2000::DecoderContext::default();
    let decoded = image.decode(&mut ctx).map_err(fail)?;
    let channels = decoded.components().len();
    let data = decoded.data_u8();
    if channels == 0 || data.len() < w * h * channels {
        return Err("the page's JPEG 2000 image cannot be decoded (too little data)".into());
    }
    let colour = channels - usize::from(alpha && channels > 1);
    let gray: Vec<u8> = data
        .chunks_exact(channels)
        .take(w * h)
        .map(|c| {
            let g = match colour {
                1 | 2 => c[0],
                4 if cmyk => {
                    let k = 255 - c[3] as u32;
                    let ch = |v: u8| ((255 - v as u32) * k / 255) as u8;
                    luma(ch(c[0]), ch(c[1]), ch(c[2]))
                }
                _ => luma(c[0], c[1], c[2]),
            };
            if p.inverted { 255 - g } else { g }
        })
        .collect();
    GrayImage::from_raw(w as u32, h as u32, gray)
        .ok_or_else(|| "the page's JPEG 2000 image cannot be decoded".into())
}

/// A JBIG2 page (PDF's embedded organisation) with `hayro-jbig2`: 1 is black there, as in a fax; the
/// Decode array [1 0] turns it round.
fn decode_jbig2(p: &PdfImage, bytes: &[u8], globals: Option<&[u8]>) -> Result<GrayImage, String> {
    struct Gray {
        px: Vec<u8>,
        black: u8,
        white: u8,
    }
    impl hayro_jbig2::Decoder for Gray {
        fn push_pixel(&mut self, black: bool) {
            self.px.push(if black { self.black } else { self.white });
        }
        fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
            let v = if black { self.black } else { self.white };
            self.px
                .extend(std::iter::repeat_n(v, chunk_count as usize * 8));
        }
        fn next_line(&mut self) {}
    }
    let fail = |what: &str, e: hayro_jbig2::DecodeError| {
        format!("the page's JBIG2 image cannot be decoded ({what}{e}); scan with G4 or JPEG")
    };
    let settings = hayro_jbig2::DecodeSettings::default();
    let globals = globals
        .map(|g| hayro_jbig2::Globals::new(g, &settings))
        .transpose()
        .map_err(|e| fail("its shared dictionaries: ", e))?;
    let page = hayro_jbig2::Page::new_embedded(bytes, globals.as_ref(), &settings)
        .map_err(|e| fail("", e))?;
    let (w, h) = (page.width() as usize, page.height() as usize);
    if w == 0 || h == 0 || w > 40_000 || h > 40_000 {
        return Err(format!(
            "the page's JBIG2 image has an impossible size {w}×{h}"
        ));
    }
    let (black, white) = if p.inverted { (255, 0) } else { (0, 255) };
    let mut sink = Gray {
        px: Vec::with_capacity(w * h),
        black,
        white,
    };
    page.decode(&mut sink).map_err(|e| fail("", e))?;
    sink.px.resize(w * h, white);
    GrayImage::from_raw(w as u32, h as u32, sink.px)
        .ok_or_else(|| "the page's JBIG2 image cannot be decoded".into())
}

/// CCITT fax data: runs of white and black. BlackIs1 and the Decode array only matter for how a viewer
/// maps the decoded bits, and combined they say whether black runs show black.
fn decode_fax(
    p: &PdfImage,
    bytes: &[u8],
    k: i64,
    columns: usize,
    black_is_1: bool,
) -> Result<GrayImage, String> {
    let width = columns.min(u16::MAX as usize) as u16;
    let mut px: Vec<u8> = Vec::with_capacity(columns * p.height);
    // A black run shows black unless exactly one of BlackIs1 and an inverting Decode array is set.
    let (black, white) = if black_is_1 != p.inverted {
        (255u8, 0u8)
    } else {
        (0u8, 255u8)
    };
    let mut push_line = |transitions: &[u16]| {
        let start = px.len();
        px.extend(fax::decoder::pels(transitions, width).map(|c| match c {
            fax::Color::Black => black,
            fax::Color::White => white,
        }));
        px.resize(start + columns, white);
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(
            bytes.iter().copied(),
            width,
            Some(p.height.min(u16::MAX as usize) as u16),
            |t| push_line(t),
        )
        .is_some()
    } else if k == 0 {
        fax::decoder::decode_g3(bytes.iter().copied(), |t| push_line(t)).is_some()
    } else {
        return Err(
            "the page's image is mixed 2-D Group 3 fax, which is not read; scan with G4".into(),
        );
    };
    let rows = px.len() / columns;
    if rows == 0 || (!ok && rows < p.height / 2) {
        return Err("the page's fax image cannot be decoded".into());
    }
    // A stream that ends early still gives its top; rows it never had stay white.
    px.resize(columns * p.height.max(rows), white);
    GrayImage::from_raw(columns as u32, p.height.max(rows) as u32, px)
        .ok_or_else(|| "the page's fax image cannot be decoded".into())
}

/// Raw samples, 1, 2, 4 or 8 bits per component, rows padded to whole bytes.
fn decode_raw(p: &PdfImage, bytes: &[u8]) -> Result<GrayImage, String> {
    if !matches!(p.bits, 1 | 2 | 4 | 8) {
        return Err(format!(
            "the page's image has {} bits per component, which is not read",
            p.bits
        ));
    }
    let comps = p.colour.components();
    let row_bytes = (p.width * comps * p.bits).div_ceil(8);
    if bytes.len() < row_bytes * p.height {
        return Err(format!(
            "the page's image data is short: {} bytes for {}×{} pixels",
            bytes.len(),
            p.width,
            p.height
        ));
    }
    let max = ((1u32 << p.bits) - 1) as f32;
    let mut out = Vec::with_capacity(p.width * p.height);
    let mut samples = vec![0u8; p.width * comps];
    for y in 0..p.height {
        let row = &bytes[y * row_bytes..(y + 1) * row_bytes];
        // Samples scaled to 0–255 (palette indices are kept as they are).
        for (i, s) in samples.iter_mut().enumerate() {
            let v = match p.bits {
                8 => row[i] as u32,
                b => {
                    let bit = i * b;
                    ((row[bit / 8] >> (8 - b - bit % 8)) as u32) & ((1 << b) - 1)
                }
            };
            *s = if matches!(p.colour, Colour::Indexed { .. }) {
                v as u8
            } else {
                (v as f32 * 255.0 / max).round() as u8
            };
        }
        for x in 0..p.width {
            let s = &samples[x * comps..(x + 1) * comps];
            let mut g = match &p.colour {
                Colour::Gray => s[0],
                Colour::Rgb => luma(s[0], s[1], s[2]),
                Colour::Cmyk => {
                    let k = 255 - s[3] as u32;
                    let ch = |c: u8| ((255 - c as u32) * k / 255) as u8;
                    luma(ch(s[0]), ch(s[1]), ch(s[2]))
                }
                Colour::Indexed { base, palette } => {
                    let n = base.components();
                    let at = s[0] as usize * n;
                    match palette.get(at..at + n) {
                        Some(c) if n == 3 => luma(c[0], c[1], c[2]),
                        Some(c) if n == 1 => c[0],
                        _ => 255,
                    }
                }
            };
            if p.inverted {
                g = 255 - g;
            }
            out.push(g);
        }
    }
    GrayImage::from_raw(p.width as u32, p.height as u32, out)
        .ok_or_else(|| "the page's image cannot be decoded".into())
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    impl PageSource {
        /// Bytes of the page's image held in memory before it is decoded.
        fn bytes_held(&self) -> usize {
            let image = |p: &PdfImage| match &p.data {
                PdfData::Here(b) => b.len(),
                PdfData::InFile { .. } => 0,
            };
            match &self.data {
                Encoded::ImageAt(_) | Encoded::TiffPage(..) => 0,
                Encoded::Pdf(p) => image(p),
                Encoded::PdfStrips(strips) => strips.iter().map(|s| image(&s.image)).sum(),
            }
        }
    }

    /// A page of noise (so JPEG cannot shrink it much) with its number written as a solid gray top row.
    fn numbered_page(n: u8) -> GrayImage {
        let mut state = 0x9e37_79b9u32.wrapping_mul(n as u32 + 1);
        GrayImage::from_fn(300, 400, |_, y| {
            if y < 40 {
                image::Luma([n * 8])
            } else {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                image::Luma([(state >> 24) as u8])
            }
        })
    }

    /// A copier's PDF: one JPEG (or Flate) image per page, saved with a table or with object streams.
    fn copier_pdf(pages: u8, jpeg: bool, modern: bool) -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut kids = Vec::new();
        for n in 0..pages {
            let img = numbered_page(n);
            let (filter, data) = if jpeg {
                let mut out = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                    .encode_image(&img)
                    .unwrap();
                ("DCTDecode", out)
            } else {
                use std::io::Write;
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(img.as_raw()).unwrap();
                ("FlateDecode", z.finish().unwrap())
            };
            // The length as its own object, as some writers put it.
            let length = doc.add_object(data.len() as i64);
            let mut image = Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => 300, "Height" => 400,
                    "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => filter,
                },
                data,
            );
            image.dict.set("Length", Object::Reference(length));
            image.allows_compression = false;
            let image_id = doc.add_object(image);
            let content = doc.add_object(Stream::new(
                dictionary! {},
                b"q 216 0 0 288 0 0 cm /Im0 Do Q".to_vec(),
            ));
            kids.push(Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 216.into(), 288.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
                "Contents" => content,
            })));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        if modern {
            let options = lopdf::SaveOptions::builder()
                .use_object_streams(true)
                .use_xref_streams(true)
                .build();
            doc.save_with_options(&mut out, options).unwrap();
        } else {
            doc.save_to(&mut out).unwrap();
        }
        out
    }

    #[test]
    fn a_copier_pdf_is_listed_without_its_images_and_each_page_read_when_decoded() {
        let dir = tempfile::tempdir().unwrap();
        for (jpeg, modern) in [(true, false), (true, true), (false, false)] {
            let pages = 30;
            let bytes = copier_pdf(pages, jpeg, modern);
            let path = dir.path().join(format!("copier-{jpeg}-{modern}.pdf"));
            std::fs::write(&path, &bytes).unwrap();
            let skeleton = pdf_file::read_skeleton(&path).unwrap();
            // The structure is a small part of the file: the images were not read.
            assert!(
                skeleton.bytes_read * 10 < bytes.len() as u64,
                "read {} of {} bytes (jpeg {jpeg}, object streams {modern})",
                skeleton.bytes_read,
                bytes.len()
            );
            let sources: Vec<PageSource> = page_sources(&path)
                .into_iter()
                .map(|s| s.unwrap())
                .collect();
            assert_eq!(sources.len(), pages as usize);
            assert_eq!(sources.iter().map(PageSource::bytes_held).sum::<usize>(), 0);
            // Pages decode in any order, each its own image.
            for k in (0..pages as usize).rev() {
                let page = sources[k].decode().unwrap();
                assert_eq!(page.page, k + 1);
                assert_eq!((page.image.width(), page.image.height()), (300, 400));
                let top = page.image.get_pixel(150, 20).0[0] as i32;
                assert!((top - k as i32 * 8).abs() <= 2, "page {}: {top}", k + 1);
                if !jpeg {
                    assert_eq!(page.image, numbered_page(k as u8));
                }
            }
        }
    }

    #[test]
    fn a_pdf_whose_cross_reference_misses_its_objects_is_one_clear_problem() {
        let mut bytes = copier_pdf(3, true, false);
        // Two bytes before the first object: every offset in the table now misses.
        let at = bytes.windows(7).position(|w| w == b"1 0 obj").unwrap();
        bytes.splice(at..at, *b"\n\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shifted.pdf");
        std::fs::write(&path, &bytes).unwrap();
        assert!(pdf_file::read_skeleton(&path).is_err());
        let pages = load_pages(&path);
        assert_eq!(pages.len(), 1);
        let problem = pages[0].as_ref().unwrap_err();
        assert_eq!(problem.page, None);
        assert!(problem.message.contains("PDF"), "{problem}");
    }

    #[test]
    fn a_cmyk_jpeg_is_held_in_rgb_once_and_reads_as_image_read_it() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/scan/sheet-crop-cmyk.jpg");
        let bytes = std::fs::read(&path).unwrap();
        let mut decoder =
            zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(&bytes[..]));
        decoder.decode_headers().unwrap();
        assert!(matches!(
            decoder.input_colorspace(),
            Some(zune_core::colorspace::ColorSpace::CMYK | zune_core::colorspace::ColorSpace::YCCK)
        ));
        let (w, h) = decoder.dimensions().unwrap();
        let (grey, held) = colour_jpeg_gray(&bytes).unwrap();
        // Three bytes a pixel at most while decoding (never four of CMYK, nor RGB and grey side by
        // side), one byte a pixel once done.
        assert_eq!(held, 3 * w * h);
        assert_eq!(grey.as_raw().len(), w * h);
        assert!(grey.as_raw().capacity() < 2 * w * h);
        // The very pixels `image` gave before.
        let before = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
            .unwrap()
            .into_luma8();
        assert!(grey == before, "the CMYK page's grey moved");
        assert!(decode_jpeg_gray(&bytes).unwrap().0 == before);
    }

    #[test]
    fn a_page_halved_in_its_own_buffer_is_the_block_means() {
        for (w, h) in [(4003, 4005)] {
            let img =
                GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 7 + y * 13) % 251) as u8]));
            let f = reduction(w, h) as usize;
            let expected = GrayImage::from_fn(w / f as u32, h / f as u32, |x, y| {
                let mut sum = 0u32;
                for dy in 0..f {
                    for dx in 0..f {
                        sum += img
                            .get_pixel(x * f as u32 + dx as u32, y * f as u32 + dy as u32)
                            .0[0] as u32;
                    }
                }
                image::Luma([((sum + (f * f / 2) as u32) / (f * f) as u32) as u8])
            });
            assert_eq!(f, 2);
            assert!(to_reading_resolution(img) == expected, "{w}×{h}");
        }
    }

    #[test]
    fn a_multi_page_tiff_is_listed_from_its_directories() {
        let mut bytes = std::io::Cursor::new(Vec::new());
        {
            let mut enc = tiff::encoder::TiffEncoder::new(&mut bytes).unwrap();
            for n in 0..5 {
                let img = numbered_page(n);
                enc.write_image::<tiff::encoder::colortype::Gray8>(300, 400, img.as_raw())
                    .unwrap();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stack.tif");
        std::fs::write(&path, bytes.into_inner()).unwrap();
        let sources: Vec<PageSource> = page_sources(&path)
            .into_iter()
            .map(|s| s.unwrap())
            .collect();
        assert_eq!(sources.len(), 5);
        assert_eq!(sources.iter().map(PageSource::bytes_held).sum::<usize>(), 0);
        assert_eq!(sources[3].decode().unwrap().image, numbered_page(3));
    }
}
