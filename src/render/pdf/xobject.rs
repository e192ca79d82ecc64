//! Pictures as PDF objects: PNG and JPEG downsampled to about 300 dpi at their printed size and embedded as
//! JPEG (from JPEG) or deflated pixels (from PNG, transparency flattened onto white paper); SVG redrawn as
//! vector paths in a form XObject, its text as outlines from the document's own fonts. Same file and size →
//! same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use printpdf::{DictItem, ExternalStream, ExternalXObject};

use crate::input::images::{Format, Picture};
use crate::render::pictures::{JPEG_QUALITY, Pictures, print_pixels};

/// A picture made into a PDF object, or why it could not be.
type Made = Result<Arc<ExternalXObject>, String>;

/// The run's pictures as PDF objects, made once per (file, pixel width) and shared by every document.
pub(crate) struct XObjects {
    pictures: Arc<Pictures>,
    made: Mutex<HashMap<(String, u32), Made>>,
}

impl XObjects {
    pub(crate) fn new(pictures: Arc<Pictures>) -> XObjects {
        XObjects {
            pictures,
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The picture at `src` printed `w_pt` wide, as an XObject drawn into the unit square (images) or its
    /// own box scaled to the unit square (SVG).
    pub(crate) fn xobject(&self, src: &str, w_pt: f32) -> Made {
        let picture = self.pictures.images().get(Path::new(src))?;
        let px = print_pixels(w_pt);
        let key = (
            src.to_string(),
            if picture.format == Format::Svg { 0 } else { px },
        );
        if let Some(found) = self.made.lock().expect("picture cache").get(&key) {
            return found.clone();
        }
        let made = match picture.format {
            Format::Svg => self.svg(&picture),
            Format::Png | Format::Jpeg => raster(&picture, px),
        }
        .map(Arc::new);
        self.made
            .lock()
            .expect("picture cache")
            .insert(key, made.clone());
        made
    }

    fn svg(&self, picture: &Picture) -> Result<ExternalXObject, String> {
        let tree = self.pictures.svg_tree(picture)?;
        let (w, h) = (tree.size().width(), tree.size().height());
        let mut content = String::new();
        // Scale the SVG box to the unit square, y up, so it is placed like an image.
        let _ = writeln!(content, "{} 0 0 {} 0 1 cm", num(1.0 / w), num(-1.0 / h));
        group(tree.root(), &mut content);
        let mut dict = BTreeMap::new();
        dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
        dict.insert("Subtype".into(), DictItem::Name(b"Form".to_vec()));
        dict.insert(
            "BBox".into(),
            DictItem::Array(vec![
                DictItem::Real(0.0),
                DictItem::Real(0.0),
                DictItem::Real(1.0),
                DictItem::Real(1.0),
            ]),
        );
        Ok(ExternalXObject {
            stream: ExternalStream {
                dict,
                content: content.into_bytes(),
                compress: true,
            },
            width: None,
            height: None,
            dpi: None,
        })
    }
}

fn num(x: f32) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn group(g: &usvg::Group, out: &mut String) {
    for node in g.children() {
        match node {
            usvg::Node::Group(g) => group(g, out),
            usvg::Node::Path(p) => path(p, out),
            usvg::Node::Text(t) => group(t.flattened(), out),
            // Bitmaps inside an SVG are left out: draw charts as shapes, or use a PNG.
            usvg::Node::Image(_) => {}
        }
    }
}

fn colour(paint: &usvg::Paint) -> (f32, f32, f32) {
    let c = match paint {
        usvg::Paint::Color(c) => *c,
        // Gradients and patterns print in their first colour: exam papers are printed in one ink.
        usvg::Paint::LinearGradient(g) => g
            .stops()
            .first()
            .map_or(usvg::Color::black(), |s| s.color()),
        usvg::Paint::RadialGradient(g) => g
            .stops()
            .first()
            .map_or(usvg::Color::black(), |s| s.color()),
        usvg::Paint::Pattern(_) => usvg::Color::black(),
    };
    (
        c.red as f32 / 255.0,
        c.green as f32 / 255.0,
        c.blue as f32 / 255.0,
    )
}

fn path(p: &usvg::Path, out: &mut String) {
    if !p.is_visible() {
        return;
    }
    let fill = p.fill().filter(|f| f.opacity().get() > 0.0);
    let stroke = p.stroke().filter(|s| s.opacity().get() > 0.0);
    if fill.is_none() && stroke.is_none() {
        return;
    }
    let t = p.abs_transform();
    let _ = writeln!(
        out,
        "q {} {} {} {} {} {} cm",
        num(t.sx),
        num(t.ky),
        num(t.kx),
        num(t.sy),
        num(t.tx),
        num(t.ty)
    );
    if let Some(f) = fill {
        let (r, g, b) = colour(f.paint());
        let _ = writeln!(out, "{} {} {} rg", num(r), num(g), num(b));
    }
    if let Some(s) = stroke {
        let (r, g, b) = colour(s.paint());
        let cap = match s.linecap() {
            usvg::LineCap::Butt => 0,
            usvg::LineCap::Round => 1,
            usvg::LineCap::Square => 2,
        };
        let join = match s.linejoin() {
            usvg::LineJoin::Round => 1,
            usvg::LineJoin::Bevel => 2,
            _ => 0,
        };
        let _ = writeln!(
            out,
            "{} {} {} RG {} w {cap} J {join} j",
            num(r),
            num(g),
            num(b),
            num(s.width().get())
        );
    }
    segments(p, out);
    let even_odd = fill.is_some_and(|f| f.rule() == usvg::FillRule::EvenOdd);
    let op = match (fill.is_some(), stroke.is_some(), even_odd) {
        (true, true, false) => "B",
        (true, true, true) => "B*",
        (true, false, false) => "f",
        (true, false, true) => "f*",
        _ => "S",
    };
    let _ = writeln!(out, "{op} Q");
}

/// A path's segments as PDF path operators, quadratic curves as the cubic ones PDF draws.
fn segments(p: &usvg::Path, out: &mut String) {
    let mut last = (0.0f32, 0.0f32);
    for seg in p.data().segments() {
        use usvg::tiny_skia_path::PathSegment as S;
        match seg {
            S::MoveTo(a) => {
                let _ = writeln!(out, "{} {} m", num(a.x), num(a.y));
                last = (a.x, a.y);
            }
            S::LineTo(a) => {
                let _ = writeln!(out, "{} {} l", num(a.x), num(a.y));
                last = (a.x, a.y);
            }
            S::QuadTo(c, a) => {
                // A quadratic curve as the cubic PDF draws.
                let c1 = (
                    last.0 + 2.0 / 3.0 * (c.x - last.0),
                    last.1 + 2.0 / 3.0 * (c.y - last.1),
                );
                let c2 = (a.x + 2.0 / 3.0 * (c.x - a.x), a.y + 2.0 / 3.0 * (c.y - a.y));
                let _ = writeln!(
                    out,
                    "{} {} {} {} {} {} c",
                    num(c1.0),
                    num(c1.1),
                    num(c2.0),
                    num(c2.1),
                    num(a.x),
                    num(a.y)
                );
                last = (a.x, a.y);
            }
            S::CubicTo(c1, c2, a) => {
                let _ = writeln!(
                    out,
                    "{} {} {} {} {} {} c",
                    num(c1.x),
                    num(c1.y),
                    num(c2.x),
                    num(c2.y),
                    num(a.x),
                    num(a.y)
                );
                last = (a.x, a.y);
            }
            S::Close => out.push_str("h\n"),
        }
    }
}

/// A PNG or JPEG as an image XObject, upright and no wider than `px` pixels.
fn raster(picture: &Picture, px: u32) -> Result<ExternalXObject, String> {
    let mut img = picture.upright()?;
    if img.width() > px {
        let h = ((img.height() as f64 * px as f64 / img.width() as f64).round() as u32).max(1);
        img = img.resize_exact(px, h, image::imageops::FilterType::Triangle);
    }
    let grey = !img.color().has_color();
    let (w, h) = (img.width(), img.height());
    // Transparent pixels become paper white.
    let pixels: Vec<u8> = if grey {
        img.to_luma_alpha8()
            .pixels()
            .map(|p| flatten(p.0[0], p.0[1]))
            .collect()
    } else {
        img.to_rgba8()
            .pixels()
            .flat_map(|p| {
                [
                    flatten(p.0[0], p.0[3]),
                    flatten(p.0[1], p.0[3]),
                    flatten(p.0[2], p.0[3]),
                ]
            })
            .collect()
    };
    let mut dict = BTreeMap::new();
    dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
    dict.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
    dict.insert("Width".into(), DictItem::Int(w as i64));
    dict.insert("Height".into(), DictItem::Int(h as i64));
    dict.insert(
        "ColorSpace".into(),
        DictItem::Name(if grey {
            b"DeviceGray".to_vec()
        } else {
            b"DeviceRGB".to_vec()
        }),
    );
    dict.insert("BitsPerComponent".into(), DictItem::Int(8));
    let (content, compress) = if picture.format == Format::Jpeg {
        let mut out = Vec::new();
        let colour = if grey {
            image::ExtendedColorType::L8
        } else {
            image::ExtendedColorType::Rgb8
        };
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode(&pixels, w, h, colour)
            .map_err(|e| {
                format!(
                    "the image {} cannot be re-encoded: {e}",
                    picture.path.display()
                )
            })?;
        dict.insert("Filter".into(), DictItem::Name(b"DCTDecode".to_vec()));
        (out, false)
    } else {
        (pixels, true)
    };
    Ok(ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            compress,
        },
        width: None,
        height: None,
        dpi: None,
    })
}

fn flatten(value: u8, alpha: u8) -> u8 {
    let a = alpha as u32;
    ((value as u32 * a + 255 * (255 - a) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparency_becomes_paper_white() {
        assert_eq!(flatten(0, 255), 0);
        assert_eq!(flatten(0, 0), 255);
        assert_eq!(flatten(100, 128), 177);
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(2.0), "2");
    }
}
