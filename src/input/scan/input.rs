//! Page images from what a teacher hands in: a copier's PDF (one embedded image per page — JPEG, Flate raw
//! samples or CCITT G4 fax), PNG/JPEG files, TIFF files of one or many pages, or a folder of them. Every page that cannot be read is a
//! [`PageProblem`] of its own; the other pages still read.
//!
//! Listing ([`page_sources`]) only copies the encoded bytes; decoding ([`PageSource::decode`]) is the slow
//! part and is pure, so pages can be decoded in parallel.

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::GrayImage;
use lopdf::{Dictionary, Document, Object, ObjectId};

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
    /// A whole PNG/JPEG file.
    ImageFile(Vec<u8>),
    /// A PNG/JPEG file read when it is decoded.
    ImageAt(PathBuf),
    /// One page (0-based) of a TIFF file, which scanners write with many pages.
    TiffPage(Arc<Vec<u8>>, usize),
    /// An image XObject taken out of a PDF page.
    Pdf(PdfImage),
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
    /// Stream bytes with the general-purpose filters (Flate, LZW, ASCII85) already undone.
    bytes: Vec<u8>,
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
}

/// Every page of `path` (a PDF, an image file or a folder of them), decoded.
pub fn load_pages(path: &Path) -> Vec<Result<PageImage, PageProblem>> {
    page_sources(path)
        .into_iter()
        .map(|s| s.and_then(|s| s.decode()))
        .collect()
}

/// The pages of `path` without decoding them: a folder's files sorted by name (hidden files skipped),
/// a PDF's pages in order.
pub fn page_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    let whole = |message: String| PageProblem {
        source: path.to_path_buf(),
        page: None,
        message,
    };
    if path.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(e) => e,
            Err(e) => return vec![Err(whole(format!("cannot read the folder: {e}")))],
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
        files.sort();
        if files.is_empty() {
            return vec![Err(whole("the folder holds no files".into()))];
        }
        return files.iter().flat_map(|f| file_sources(f)).collect();
    }
    file_sources(path)
}

fn file_sources(path: &Path) -> Vec<Result<PageSource, PageProblem>> {
    let whole = |message: String| PageProblem {
        source: path.to_path_buf(),
        page: None,
        message,
    };
    // Only the head is read to tell the kind: an image file is read again when its page is decoded, so a
    // folder of a thousand scans is never held in memory at once.
    let head = match read_head(path) {
        Ok(b) => b,
        Err(e) => return vec![Err(whole(format!("cannot read the file: {e}")))],
    };
    if let Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg) = image::guess_format(&head) {
        return vec![Ok(PageSource {
            source: path.to_path_buf(),
            page: 1,
            data: Encoded::ImageAt(path.to_path_buf()),
        })];
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return vec![Err(whole(format!("cannot read the file: {e}")))],
    };
    if bytes.starts_with(b"%PDF") || bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return pdf_sources(path, &bytes);
    }
    match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Tiff) => tiff_sources(path, bytes),
        Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg) => {
            vec![Ok(PageSource {
                source: path.to_path_buf(),
                page: 1,
                data: Encoded::ImageFile(bytes),
            })]
        }
        Ok(other) => vec![Err(whole(format!(
            "{other:?} images are not read; scan to PDF, PNG, JPEG or TIFF"
        )))],
        Err(_) => vec![Err(whole(
            "neither a PDF nor a PNG, JPEG or TIFF image".into(),
        ))],
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

fn tiff_sources(path: &Path, bytes: Vec<u8>) -> Vec<Result<PageSource, PageProblem>> {
    let mut count = 0;
    if let Ok(mut d) = tiff::decoder::Decoder::new(Cursor::new(&bytes)) {
        count = 1;
        while d.more_images() && d.next_image().is_ok() {
            count += 1;
        }
    }
    // A TIFF the tiff crate cannot even open still gets its one page, to fail with the decoder's words.
    let bytes = Arc::new(bytes);
    (0..count.max(1))
        .map(|i| {
            Ok(PageSource {
                source: path.to_path_buf(),
                page: i + 1,
                data: Encoded::TiffPage(bytes.clone(), i),
            })
        })
        .collect()
}

/// One page of a TIFF in gray: 1-bit (fax), 8-bit gray, RGB and RGBA; other kinds of the first page go
/// to `image`, which knows more of them.
fn decode_tiff_page(bytes: &[u8], index: usize) -> Result<GrayImage, String> {
    use tiff::ColorType;
    use tiff::decoder::DecodingResult;
    let fail = |e: tiff::TiffError| format!("the TIFF page cannot be decoded ({e})");
    let mut d = tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(fail)?;
    d.seek_to_image(index).map_err(fail)?;
    let (w, h) = d.dimensions().map_err(fail)?;
    let colour = d.colortype().map_err(fail)?;
    let (w, h) = (w as usize, h as usize);
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
        None if index == 0 => image::load_from_memory_with_format(bytes, image::ImageFormat::Tiff)
            .map(|i| i.into_luma8())
            .map_err(|e| format!("the TIFF image cannot be decoded ({e})")),
        None => Err(format!("the TIFF page is {colour:?}, which is not read")),
    }
}

fn pdf_sources(path: &Path, bytes: &[u8]) -> Vec<Result<PageSource, PageProblem>> {
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(e) => {
            return vec![Err(PageProblem {
                source: path.to_path_buf(),
                page: None,
                message: format!("not a readable PDF ({e})"),
            })];
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
            pdf_page_image(&doc, id)
                .map(|img| PageSource {
                    source: path.to_path_buf(),
                    page,
                    data: Encoded::Pdf(img),
                })
                .map_err(|message| PageProblem {
                    source: path.to_path_buf(),
                    page: Some(page),
                    message,
                })
        })
        .collect()
}

/// The page's largest image XObject (a copier puts exactly one on each page), looking one form deep.
fn pdf_page_image(doc: &Document, page: ObjectId) -> Result<PdfImage, String> {
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
    pdf_image(doc, stream)
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

fn pdf_image(doc: &Document, stream: &lopdf::Stream) -> Result<PdfImage, String> {
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
        Some(b"JPXDecode") => {
            return Err("the page's image is JPEG 2000, which is not read; scan with JPEG".into());
        }
        Some(b"JBIG2Decode") => {
            return Err(
                "the page's image is JBIG2, which is not read; scan with G4 or JPEG".into(),
            );
        }
        _ => (Codec::Raw, &filters[..]),
    };
    let bytes = if generic.is_empty() {
        stream.content.clone()
    } else {
        // lopdf undoes Flate (with PNG predictors), LZW and ASCII85 when they are all the stream has.
        let mut s = lopdf::Stream::new(stream.dict.clone(), stream.content.clone());
        let names: Vec<Object> = generic.iter().map(|n| Object::Name(n.clone())).collect();
        s.dict.set("Filter", Object::Array(names));
        if !matches!(codec, Codec::Raw) {
            s.dict.remove(b"DecodeParms");
        }
        s.decompressed_content_with_limit(1 << 30)
            .map_err(|e| format!("the page's image data is damaged ({e})"))?
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
        bytes,
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
            Encoded::ImageFile(bytes) => image::load_from_memory(bytes)
                .map_err(|e| problem(format!("the image cannot be decoded ({e})")))?
                .into_luma8(),
            Encoded::ImageAt(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| problem(format!("cannot read the file: {e}")))?;
                image::load_from_memory(&bytes)
                    .map_err(|e| problem(format!("the image cannot be decoded ({e})")))?
                    .into_luma8()
            }
            Encoded::Pdf(p) => decode_pdf_image(p).map_err(problem)?,
            Encoded::TiffPage(bytes, index) => decode_tiff_page(bytes, *index).map_err(problem)?,
        };
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

fn decode_pdf_image(p: &PdfImage) -> Result<GrayImage, String> {
    match &p.codec {
        Codec::Jpeg => {
            let img = image::load_from_memory_with_format(&p.bytes, image::ImageFormat::Jpeg)
                .map_err(|e| format!("the page's JPEG image cannot be decoded ({e})"))?;
            let mut g = img.into_luma8();
            if p.inverted {
                image::imageops::invert(&mut g);
            }
            Ok(g)
        }
        Codec::Fax {
            k,
            columns,
            black_is_1,
        } => decode_fax(p, *k, *columns, *black_is_1),
        Codec::Raw => decode_raw(p),
    }
}

/// CCITT fax data: runs of white and black. BlackIs1 and the Decode array only matter for how a viewer
/// maps the decoded bits, and combined they say whether black runs show black.
fn decode_fax(p: &PdfImage, k: i64, columns: usize, black_is_1: bool) -> Result<GrayImage, String> {
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
            p.bytes.iter().copied(),
            width,
            Some(p.height.min(u16::MAX as usize) as u16),
            |t| push_line(t),
        )
        .is_some()
    } else if k == 0 {
        fax::decoder::decode_g3(p.bytes.iter().copied(), |t| push_line(t)).is_some()
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
fn decode_raw(p: &PdfImage) -> Result<GrayImage, String> {
    if !matches!(p.bits, 1 | 2 | 4 | 8) {
        return Err(format!(
            "the page's image has {} bits per component, which is not read",
            p.bits
        ));
    }
    let comps = p.colour.components();
    let row_bytes = (p.width * comps * p.bits).div_ceil(8);
    if p.bytes.len() < row_bytes * p.height {
        return Err(format!(
            "the page's image data is short: {} bytes for {}×{} pixels",
            p.bytes.len(),
            p.width,
            p.height
        ));
    }
    let max = ((1u32 << p.bits) - 1) as f32;
    let mut out = Vec::with_capacity(p.width * p.height);
    let mut samples = vec![0u8; p.width * comps];
    for y in 0..p.height {
        let row = &p.bytes[y * row_bytes..(y + 1) * row_bytes];
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
