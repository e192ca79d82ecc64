//! A document on shared faces written straight to bytes, the same bytes printpdf and lopdf make of it:
//! the same objects, numbered alike, in lopdf's syntax. A class's papers and sheets are thousands of such
//! documents; building each as printpdf's document, turning that into lopdf's, moving every object up to
//! make room for the fonts and copying the font program into it cost more than drawing the pages. The
//! faces' objects are the same in every document that shares them, so they are written once.

use std::io::Write;

use lopdf::{Dictionary, Object, StringFormat};
use sha2::{Digest, Sha256};

use super::embed::KeptIds;
use super::{BODY_ID, HEADING_ID, PageContent, SharedFaces};
use crate::render::layout::Layout;

/// The faces' objects as every document sharing them holds them: numbered from 2 (after the page
/// tree), written in lopdf's syntax, with where each starts in `bytes`.
pub(super) struct FaceObjects {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
    /// The faces' resource names and font objects, in the font dictionary's order.
    fonts: Vec<(&'static str, u32)>,
}

/// The first object number of the faces' objects (the page tree is 1).
const FIRST_FACE_OBJECT: u32 = 2;

impl FaceObjects {
    pub(super) fn new(faces: &SharedFaces) -> FaceObjects {
        let mut out = Vec::new();
        let mut offsets = Vec::new();
        let mut fonts = Vec::new();
        let present = [(BODY_ID, &faces.faces[0]), (HEADING_ID, &faces.faces[1])];
        let mut first = FIRST_FACE_OBJECT;
        for (id, face) in present {
            let Some(face) = face.as_ref() else { continue };
            let font = first + KEPT_COUNT - 1;
            for (n, object) in face.objects(font, first) {
                offsets.push(out.len());
                indirect(&mut out, n, &object);
            }
            fonts.push((id, font));
            first += KEPT_COUNT;
        }
        FaceObjects {
            bytes: out,
            offsets,
            fonts,
        }
    }
}

/// How many objects a face puts into a document.
const KEPT_COUNT: u32 = <KeptIds as super::embed::FontObjects>::COUNT;

/// `layout` on `faces` as printpdf and lopdf write it ([`super::render`] with shared faces and no
/// pictures), its pages' content streams `pages` in order; None when lopdf's way cannot be followed
/// (an outline whose entries all point past the last page, which printpdf refuses).
pub(super) fn write(
    layout: &Layout,
    faces: &SharedFaces,
    objects: &FaceObjects,
    pages: &[PageContent],
    size: (printpdf::Mm, printpdf::Mm),
) -> Option<Vec<u8>> {
    let n = pages.len() as u32;
    // printpdf sorts the outline by page and title and leaves out entries past the last page.
    let mut bookmarks: Vec<(usize, &str)> = layout
        .bookmarks
        .iter()
        .map(|b| (b.page + 1, b.title.as_str()))
        .collect();
    bookmarks.sort_by(|a, b| a.cmp(b));
    let outline_count = bookmarks.len();
    let entries: Vec<(usize, &str)> = bookmarks
        .into_iter()
        .filter(|(page, _)| page.saturating_sub(1) < pages.len())
        .collect();
    if outline_count > 0 && entries.is_empty() {
        return None;
    }

    let streams: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let mut out = Vec::with_capacity(objects.bytes.len() + streams + 4096 + 600 * pages.len());
    out.extend_from_slice(b"%PDF-1.3\n%\xBB\xAD\xC0\xDE\n");
    let mut offsets: Vec<usize> = vec![0];

    let fonts = FIRST_FACE_OBJECT + objects.offsets.len() as u32;
    let (xobjects, extgstates, shadings) = (fonts + 1, fonts + 2, fonts + 3);
    let first_page = fonts + 4;
    let first_resources = first_page + n;
    let outline = first_resources + 2 * n;
    let first_entry = outline + 1;
    let catalog = if outline_count > 0 {
        first_entry + entries.len() as u32
    } else {
        outline
    };
    let info = catalog + 1;

    offsets.push(out.len());
    let kids = (0..n)
        .map(|k| Object::Reference((first_page + k, 0)))
        .collect();
    let tree = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Pages".to_vec())),
        ("Count", Object::Integer(i64::from(n))),
        ("Kids", Object::Array(kids)),
    ]);
    indirect(&mut out, 1, &Object::Dictionary(tree));

    let start = out.len();
    offsets.extend(objects.offsets.iter().map(|o| start + o));
    out.extend_from_slice(&objects.bytes);

    let font_dict = Dictionary::from_iter(
        objects
            .fonts
            .iter()
            .map(|(id, font)| (*id, Object::Reference((*font, 0)))),
    );
    offsets.push(out.len());
    indirect(&mut out, fonts, &Object::Dictionary(font_dict));
    for n in [xobjects, extgstates, shadings] {
        offsets.push(out.len());
        indirect(&mut out, n, &Object::Dictionary(Dictionary::new()));
    }

    let rect = printpdf::Rect::from_wh(size.0.into(), size.1.into());
    let boxes = Object::Array(rect.to_array());
    for k in 0..n {
        let page = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Page".to_vec())),
            ("MediaBox", boxes.clone()),
            ("TrimBox", boxes.clone()),
            ("CropBox", boxes.clone()),
            ("Parent", Object::Reference((1, 0))),
            ("Resources", Object::Reference((first_resources + 2 * k, 0))),
            (
                "Contents",
                Object::Reference((first_resources + 2 * k + 1, 0)),
            ),
            ("Annots", Object::Array(Vec::new())),
        ]);
        offsets.push(out.len());
        indirect(&mut out, first_page + k, &Object::Dictionary(page));
    }
    let resources = Object::Dictionary(Dictionary::from_iter(vec![
        ("Font", Object::Reference((fonts, 0))),
        ("XObject", Object::Reference((xobjects, 0))),
        ("ExtGState", Object::Reference((extgstates, 0))),
        ("Shading", Object::Reference((shadings, 0))),
    ]));
    let mut hasher: Sha256 = faces.digest_of_streams().clone();
    for (k, content) in pages.iter().enumerate() {
        let k = k as u32;
        offsets.push(out.len());
        indirect(&mut out, first_resources + 2 * k, &resources);
        hasher.update(&content.bytes);
        offsets.push(out.len());
        let _ = write!(
            out,
            "{} 0 obj\n<</Length {}{}>>stream\n",
            first_resources + 2 * k + 1,
            content.bytes.len(),
            if content.deflated {
                "/Filter/FlateDecode"
            } else {
                ""
            }
        );
        out.extend_from_slice(&content.bytes);
        out.extend_from_slice(b"\nendstream \nendobj\n");
    }

    let mut catalog_dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("PageLayout", Object::Name(b"OneColumn".to_vec())),
        ("PageMode", Object::Name(b"UseNone".to_vec())),
        ("Pages", Object::Reference((1, 0))),
    ]);
    if outline_count > 0 {
        let last = first_entry + entries.len() as u32 - 1;
        offsets.push(out.len());
        let outlines = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Outlines".to_vec())),
            ("Count", Object::Integer(outline_count as i64)),
            ("First", Object::Reference((first_entry, 0))),
            ("Last", Object::Reference((last, 0))),
        ]);
        indirect(&mut out, outline, &Object::Dictionary(outlines));
        for (k, (page, title)) in entries.iter().enumerate() {
            let id = first_entry + k as u32;
            let page = first_page + page.saturating_sub(1) as u32;
            let mut entry = Dictionary::from_iter(vec![
                ("Parent", Object::Reference((outline, 0))),
                ("Title", utf16(title)),
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
                entry.set("Prev", Object::Reference((id - 1, 0)));
            }
            if id < last {
                entry.set("Next", Object::Reference((id + 1, 0)));
            }
            offsets.push(out.len());
            indirect(&mut out, id, &Object::Dictionary(entry));
        }
        catalog_dict.set("Outlines", Object::Reference((outline, 0)));
        catalog_dict.set(
            "PageMode",
            Object::String(b"UseOutlines".to_vec(), StringFormat::Literal),
        );
    }
    offsets.push(out.len());
    indirect(&mut out, catalog, &Object::Dictionary(catalog_dict));

    // printpdf's document information: the epoch for dates, examgen as creator and producer.
    let date = || Object::String(b"D:19700101000000+00'00'".to_vec(), StringFormat::Literal);
    let empty = || Object::String(Vec::new(), StringFormat::Literal);
    let info_dict = Dictionary::from_iter(vec![
        ("Trapped", Object::Name(b"False".to_vec())),
        ("CreationDate", date()),
        ("ModDate", date()),
        ("GTS_PDFXVersion", empty()),
        ("Title", utf16(&layout.title)),
        ("Author", empty()),
        (
            "Creator",
            utf16(&format!("examgen {}", env!("CARGO_PKG_VERSION"))),
        ),
        ("Producer", utf16("examgen (printpdf)")),
        ("Subject", empty()),
        ("Identifier", empty()),
        ("Keywords", empty()),
    ]);
    offsets.push(out.len());
    indirect(&mut out, info, &Object::Dictionary(info_dict));

    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", offsets.len());
    for offset in &offsets[1..] {
        let _ = writeln!(out, "{offset:>010} 00000 n ");
    }
    let id: String = hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let id = || Object::String(id.clone().into_bytes(), StringFormat::Hexadecimal);
    let trailer = Dictionary::from_iter(vec![
        ("Root", Object::Reference((catalog, 0))),
        ("Info", Object::Reference((info, 0))),
        ("ID", Object::Array(vec![id(), id()])),
        ("Size", Object::Integer(offsets.len() as i64)),
    ]);
    out.extend_from_slice(b"trailer\n");
    object(&mut out, &Object::Dictionary(trailer));
    let _ = write!(out, "\nstartxref\n{xref}\n%%EOF");
    Some(out)
}

/// Text as printpdf writes it in the document information and outline: UTF-16BE with a byte order
/// mark, in hex; empty text as `()`.
fn utf16(text: &str) -> Object {
    if text.is_empty() {
        return Object::String(Vec::new(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Object `n` as lopdf writes an indirect object.
fn indirect(out: &mut Vec<u8>, n: u32, object: &Object) {
    let _ = write!(out, "{n} 0 obj\n");
    if needs_separator(object) {
        out.push(b' ');
    }
    self::object(out, object);
    let end = needs_separator(object) || matches!(object, Object::Name(_) | Object::Stream(_));
    out.extend_from_slice(if end { b" \nendobj\n" } else { b"\nendobj\n" });
}

fn needs_separator(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// `object` in lopdf's syntax: no space but where two tokens would run together.
fn object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Object::Name(name) => self::name(out, name),
        Object::String(text, format) => string(out, text, format),
        Object::Array(items) => {
            out.push(b'[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 && needs_separator(item) {
                    out.push(b' ');
                }
                self::object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => dictionary(out, d),
        Object::Stream(s) => {
            dictionary(out, &s.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((n, g)) => {
            let _ = write!(out, "{n} {g} R");
        }
    }
}

fn dictionary(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in d {
        name(out, key);
        if needs_separator(value) {
            out.push(b' ');
        }
        object(out, value);
    }
    out.extend_from_slice(b">>");
}

fn name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            let _ = write!(out, "#{b:02X}");
        } else {
            out.push(b);
        }
    }
}

fn string(out: &mut Vec<u8>, text: &[u8], format: &StringFormat) {
    match format {
        StringFormat::Literal => {
            // Backslashes, carriage returns and unbalanced parentheses escaped, as lopdf does.
            let mut escape = Vec::new();
            let mut open = Vec::new();
            for (k, &b) in text.iter().enumerate() {
                match b {
                    b'(' => open.push(k),
                    b')' => {
                        if open.pop().is_none() {
                            escape.push(k);
                        }
                    }
                    b'\\' | b'\r' => escape.push(k),
                    _ => {}
                }
            }
            escape.extend(open);
            out.push(b'(');
            for (k, &b) in text.iter().enumerate() {
                if escape.contains(&k) {
                    out.push(b'\\');
                    out.push(if b == b'\r' { b'r' } else { b });
                } else {
                    out.push(b);
                }
            }
            out.push(b')');
        }
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for &b in text {
                let _ = write!(out, "{b:02X}");
            }
            out.push(b'>');
        }
    }
}
