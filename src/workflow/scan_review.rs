//! review.pdf of `examgen scan`: one A4 page per sheet with doubtful marks — the scanned page in grey with
//! every bubble outlined blue (filled), green (empty) or red (doubtful) — so the teacher corrects
//! responses.csv by looking instead of re-scanning. Each page draws a form: the picture, then the outlines
//! as coloured lines in sheet millimetres.
//!
//! A badly set scanner can make every page of a stack doubtful, so the pictures are never all held: each
//! is spilled to a temporary file as its page is read ([`ReviewSpill`]). The PDF writer lays out the
//! captions with a tiny stand-in picture per page; the file is then written piece by piece — that small
//! PDF, followed by an incremental update that replaces every stand-in with its picture, copied from the
//! spill — so memory stays the same whatever the stack's size.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use lopdf::{Document, Object, ObjectId};

use crate::error::{Error, Result};
use crate::input::images::Images;
use crate::input::scan::Outline;
use crate::render::PdfWriter;
use crate::render::fonts::{FontRole, FontSet};
use crate::render::layout::{Item, Layout, MM, Page, PageSetup};

/// One sheet to look at: a caption (file, page, id, variant, how many doubtful) and its review picture
/// (an index into the run's [`ReviewSpill`]).
pub struct ReviewPage {
    pub caption: String,
    pub picture: usize,
}

/// A review picture: a grey JPEG and its size in pixels, and the bubble outlines drawn over it (PDF
/// operators in sheet mm).
pub(crate) struct ReviewPicture {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub outlines: Vec<u8>,
    /// The sheet's size in mm: the outlines' frame.
    pub sheet_mm: (f32, f32),
}

/// A review picture (a grey JPEG) stored in the spill file, followed by its form's content (the picture
/// drawn, then the outlines; Flate-compressed).
#[derive(Debug, Clone, Copy)]
struct Spilled {
    offset: u64,
    len: u64,
    form_len: u64,
    width: u32,
    height: u32,
    sheet_mm: (f32, f32),
}

/// The review pictures of a run, written to an anonymous temporary file as they come (it goes when the
/// run ends, whatever happens) and read back one at a time when review.pdf is written.
pub struct ReviewSpill {
    file: Option<std::fs::File>,
    pictures: Vec<Spilled>,
    end: u64,
}

impl ReviewSpill {
    pub fn new() -> ReviewSpill {
        ReviewSpill {
            file: None,
            pictures: Vec::new(),
            end: 0,
        }
    }

    /// Stores a review picture and its outlines; its index for [`ReviewPage`].
    pub(crate) fn push(&mut self, picture: &ReviewPicture) -> Result<usize> {
        let failed = |e: std::io::Error| {
            Error::input(format!(
                "cannot store a review picture in a temporary file ({e}); free some disk space in {}",
                std::env::temp_dir().display()
            ))
        };
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile().map_err(failed)?);
        }
        let (w, h) = picture.sheet_mm;
        let mut content = format!("q {w:.3} 0 0 {h:.3} 0 0 cm /Scan Do Q\n").into_bytes();
        content.extend_from_slice(&picture.outlines);
        let mut deflate =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        deflate.write_all(&content).map_err(failed)?;
        let form = deflate.finish().map_err(failed)?;
        let file = self.file.as_mut().expect("opened above");
        file.write_all(&picture.jpeg).map_err(failed)?;
        file.write_all(&form).map_err(failed)?;
        self.pictures.push(Spilled {
            offset: self.end,
            len: picture.jpeg.len() as u64,
            form_len: form.len() as u64,
            width: picture.width,
            height: picture.height,
            sheet_mm: picture.sheet_mm,
        });
        self.end += (picture.jpeg.len() + form.len()) as u64;
        Ok(self.pictures.len() - 1)
    }

    /// How many pictures are stored.
    pub fn len(&self) -> usize {
        self.pictures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pictures.is_empty()
    }

    /// Copies picture `index`'s JPEG (`form` false) or its form's content (`form` true) to `out`.
    fn copy_to(&mut self, index: usize, form: bool, out: &mut dyn Write) -> std::io::Result<()> {
        let p = self.pictures[index];
        let (offset, len) = if form {
            (p.offset + p.len, p.form_len)
        } else {
            (p.offset, p.len)
        };
        let file = self.file.as_mut().ok_or(std::io::ErrorKind::NotFound)?;
        file.seek(SeekFrom::Start(offset))?;
        let copied = std::io::copy(&mut Read::by_ref(file).take(len), out)?;
        if copied != len {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}

/// The outlines as PDF operators in sheet millimetres, y upwards from the sheet's foot (`sheet_h` mm
/// tall): colour and width set only where they change.
pub(crate) fn outline_ops(outlines: &[Outline], sheet_h: f32) -> Vec<u8> {
    let mut ops = String::new();
    let mut pen: Option<([u8; 3], f32)> = None;
    for o in outlines {
        if pen != Some((o.colour, o.width_mm)) {
            let [r, g, b] = o.colour.map(|c| c as f32 / 255.0);
            ops.push_str(&format!("{r:.3} {g:.3} {b:.3} RG {:.2} w\n", o.width_mm));
            pen = Some((o.colour, o.width_mm));
        }
        let a = &o.area;
        ops.push_str(&format!(
            "{:.2} {:.2} {:.2} {:.2} re S\n",
            a.x,
            sheet_h - a.y - a.h,
            a.w,
            a.h
        ));
    }
    ops.into_bytes()
}

impl Default for ReviewSpill {
    fn default() -> Self {
        ReviewSpill::new()
    }
}

const LEGEND: &str = "蓝框：已涂　绿框：未涂　红框：存疑（请看图后在 responses.csv 中改正 ? 格）";

/// Writes review.pdf to `out` and returns its page count: one page per entry of `pages`, or a single page
/// saying so when no sheet has doubtful marks, so a review.pdf left from an earlier run is never mistaken
/// for this one's. `path` names the file in messages.
pub fn write_review_pdf(
    pages: &[ReviewPage],
    spill: &mut ReviewSpill,
    out: &mut dyn Write,
    path: &Path,
) -> Result<usize> {
    let fonts = FontSet::builtin();
    let images = Arc::new(Images::new());
    let setup = PageSetup::a4();
    let mut layout = Layout {
        title: "答题卡存疑复核 review".into(),
        setup,
        pages: Vec::new(),
        bookmarks: Vec::new(),
    };
    let text = |text: &str, y: f32, size: f32| Item::Text {
        x: 12.0 * MM,
        y,
        size,
        font: FontRole::Body,
        text: text.into(),
        spacing: 0.0,
    };
    for (i, p) in pages.iter().enumerate() {
        let picture = spill.pictures[p.picture];
        // A name no bank file can have: the stand-in only lives in this run's cache. Each is a different
        // picture, so the writer makes one image object per page for the real picture to replace.
        let src = format!("<scan review {i}>.png");
        images
            .insert(Path::new(&src), stand_in(i))
            .map_err(Error::internal)?;
        let aspect = picture.height as f32 / picture.width.max(1) as f32;
        let top = 20.0 * MM;
        let (room_w, room_h) = (setup.width - 24.0 * MM, setup.height - top - 8.0 * MM);
        let w = room_w.min(room_h / aspect);
        let h = w * aspect;
        layout.pages.push(Page {
            items: vec![
                text(&p.caption, 10.0 * MM, 10.0),
                text(LEGEND, 16.0 * MM, 8.0),
                Item::Image {
                    x: (setup.width - w) / 2.0,
                    y: top,
                    w,
                    h,
                    src,
                },
            ],
            spots: Vec::new(),
        });
    }
    if layout.pages.is_empty() {
        layout.pages.push(Page {
            items: vec![text(
                "没有存疑的答题卡：每个涂点都已读清。",
                20.0 * MM,
                12.0,
            )],
            spots: Vec::new(),
        });
    }
    let pictures = Arc::new(crate::render::pictures::Pictures::new(&fonts, images));
    let n = layout.pages.len();
    let skeleton = PdfWriter::new(&fonts, pictures)?.write(&layout)?;
    drop(layout);
    let failed = |e: std::io::Error| Error::output("write", path, e);
    out.write_all(&skeleton).map_err(failed)?;
    if pages.is_empty() {
        return Ok(n);
    }
    let (targets, size, trailer) = stand_ins_and_trailer(&skeleton, pages.len())?;
    let prev = last_startxref(&skeleton)
        .ok_or_else(|| Error::internal("review.pdf: the writer's file has no startxref"))?;
    // The incremental update: each stand-in's object again, now a form drawing the page's picture (a new
    // object) and its outlines.
    let mut at = skeleton.len() as u64;
    drop(skeleton);
    let mut offsets: Vec<(u32, u64)> = Vec::with_capacity(2 * pages.len());
    let put = |bytes: &[u8], at: &mut u64, out: &mut dyn Write| -> Result<()> {
        out.write_all(bytes).map_err(failed)?;
        *at += bytes.len() as u64;
        Ok(())
    };
    put(b"\n", &mut at, out)?;
    for (k, (p, &(id, generation))) in pages.iter().zip(&targets).enumerate() {
        let picture = spill.pictures[p.picture];
        let scan = size + k as u32;
        let (w, h) = picture.sheet_mm;
        offsets.push((id, at));
        let head = format!(
            "{id} {generation} obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 {w:.3} {h:.3}] \
             /Matrix [{:.6} 0 0 {:.6} 0 0] /Resources << /XObject << /Scan {scan} 0 R >> >> \
             /Filter /FlateDecode /Length {} >>\nstream\n",
            1.0 / w,
            1.0 / h,
            picture.form_len
        );
        put(head.as_bytes(), &mut at, out)?;
        spill.copy_to(p.picture, true, out).map_err(failed)?;
        at += picture.form_len;
        put(b"\nendstream\nendobj\n", &mut at, out)?;
        offsets.push((scan, at));
        let head = format!(
            "{scan} 0 obj\n<< /Type /XObject /Subtype /Image /Width {} /Height {} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            picture.width, picture.height, picture.len
        );
        put(head.as_bytes(), &mut at, out)?;
        spill.copy_to(p.picture, false, out).map_err(failed)?;
        at += picture.len;
        put(b"\nendstream\nendobj\n", &mut at, out)?;
    }
    let xref_at = at;
    let mut xref = String::from("xref\n");
    offsets.sort_unstable();
    for (id, offset) in &offsets {
        let generation = targets.iter().find(|t| t.0 == *id).map_or(0, |t| t.1);
        xref.push_str(&format!("{id} 1\n{offset:010} {generation:05} n \n"));
    }
    xref.push_str(&format!(
        "trailer\n<< /Size {} {trailer} /Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n",
        size + pages.len() as u32
    ));
    put(xref.as_bytes(), &mut at, out)?;
    Ok(n)
}

/// The stand-in for page `index`'s picture: a 2×2 grey PNG whose pixels spell the index, so no two are
/// alike.
fn stand_in(index: usize) -> Vec<u8> {
    let b = (index as u32).to_be_bytes();
    let img = image::GrayImage::from_raw(2, 2, b.to_vec()).expect("2×2 pixels");
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG in memory");
    png
}

/// The image object each page draws, in page order (the objects the update replaces), the file's /Size
/// (the first object number the update may add) and the other trailer entries the update repeats.
fn stand_ins_and_trailer(skeleton: &[u8], count: usize) -> Result<(Vec<ObjectId>, u32, String)> {
    let broken = |why: String| Error::internal(format!("review.pdf: {why}"));
    let doc = Document::load_mem(skeleton).map_err(|e| broken(e.to_string()))?;
    let mut found = Vec::with_capacity(count);
    for (n, page) in doc.get_pages() {
        let dict = doc
            .get_dictionary(page)
            .map_err(|e| broken(e.to_string()))?;
        // The writer may share one resource dictionary among pages: the page's own image is the one its
        // content draws (`/Name Do`).
        let xobjects = dict
            .get(b"Resources")
            .ok()
            .and_then(|r| doc.dereference(r).ok())
            .and_then(|(_, r)| r.as_dict().ok())
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| doc.dereference(x).ok())
            .and_then(|(_, x)| x.as_dict().ok());
        let content = doc
            .get_and_decode_page_content(page)
            .map_err(|e| broken(e.to_string()))?;
        let mut images: Vec<ObjectId> = content
            .operations
            .iter()
            .filter(|op| op.operator == "Do")
            .filter_map(|op| op.operands.first()?.as_name().ok())
            .filter_map(|name| xobjects?.get(name).ok()?.as_reference().ok())
            .collect();
        images.dedup();
        match images.as_slice() {
            [one] => found.push(*one),
            _ => {
                return Err(broken(format!(
                    "page {n} has {} images, not 1",
                    images.len()
                )));
            }
        }
    }
    let mut distinct = found.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if found.len() != count || distinct.len() != count {
        return Err(broken(format!(
            "{} pages with {} distinct images for {count} pictures",
            found.len(),
            distinct.len()
        )));
    }
    let (size, trailer) = trailer_of(&doc)?;
    Ok((found, size, trailer))
}

/// The offset the file's last `startxref` gives: where the update's `/Prev` points.
fn last_startxref(pdf: &[u8]) -> Option<u64> {
    let key = b"startxref";
    let at = pdf.windows(key.len()).rposition(|w| w == key)?;
    let rest = &pdf[at + key.len()..];
    let digits: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().ok()
}

/// The file's /Size, and the trailer entries an update repeats: /Root, /Info and /ID.
fn trailer_of(doc: &Document) -> Result<(u32, String)> {
    let broken = |why: String| Error::internal(format!("review.pdf: {why}"));
    let t = &doc.trailer;
    let size = t
        .get(b"Size")
        .ok()
        .and_then(|s| s.as_i64().ok())
        .unwrap_or(doc.max_id as i64 + 1)
        .max(doc.max_id as i64 + 1);
    let reference = |key: &[u8]| {
        t.get(key)
            .ok()
            .and_then(|o| o.as_reference().ok())
            .map(|(id, g)| format!(" /{} {id} {g} R", String::from_utf8_lossy(key)))
    };
    let root = reference(b"Root").ok_or_else(|| broken("no /Root".into()))?;
    let mut s = root;
    if let Some(info) = reference(b"Info") {
        s.push_str(&info);
    }
    if let Ok(Object::Array(ids)) = t.get(b"ID") {
        let hex: Vec<String> = ids
            .iter()
            .filter_map(|o| o.as_str().ok())
            .map(|b| {
                format!(
                    "<{}>",
                    b.iter().map(|x| format!("{x:02X}")).collect::<String>()
                )
            })
            .collect();
        if hex.len() == 2 {
            s.push_str(&format!(" /ID [{}]", hex.join(" ")));
        }
    }
    Ok((size as u32, s))
}
