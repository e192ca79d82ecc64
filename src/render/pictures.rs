//! Images as PDF objects. Photos and PNGs are downsampled to about 300 dpi at their printed size (a
//! 4000×3000 phone photo would otherwise add megabytes) and embedded as JPEG (from JPEG) or deflated pixels
//! (from PNG, transparency flattened onto white paper); SVG is redrawn as vector paths in a form XObject,
//! its text as outlines from the document's own fonts. Same file and size → same bytes.
//!
//! Word takes bitmaps only, so its pictures are [`Bitmap`]s: PNG and JPEG downsampled the same way (and kept
//! in their own format), SVG rasterised at the printed size and 300 dpi.
//!
//! Both print a photo upright: its pixels are turned by its EXIF orientation before anything else, and an
//! upright file (orientation 1, or none) goes through exactly as before.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use printpdf::{DictItem, ExternalStream, ExternalXObject};

use crate::input::images::{Format, Images, Picture};
use crate::render::fonts::FontSet;

/// Printed resolution of photos and bitmaps.
pub const PRINT_DPI: f32 = 300.0;
const JPEG_QUALITY: u8 = 85;

/// A picture made into a PDF object, or why it could not be.
type Made = Result<Arc<ExternalXObject>, String>;

/// A picture as Word embeds it: PNG or JPEG bytes and their size in pixels.
#[derive(Debug, PartialEq)]
pub struct Bitmap {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Bitmap {
    pub fn is_jpeg(&self) -> bool {
        self.bytes.starts_with(&[0xFF, 0xD8, 0xFF])
    }
}

/// A picture made into a bitmap for Word, or why it could not be.
type MadeBitmap = Result<Arc<Bitmap>, String>;

/// The pixel width that prints `w_pt` points wide at [`PRINT_DPI`].
pub fn print_pixels(w_pt: f32) -> u32 {
    (w_pt / 72.0 * PRINT_DPI).ceil().max(1.0) as u32
}

/// The images of a run as PDF objects, made once per (file, pixel width) and shared by every document.
pub struct PictureCache {
    pub images: Arc<Images>,
    made: Mutex<HashMap<(String, u32), Made>>,
    bitmaps: Mutex<HashMap<(String, u32), MadeBitmap>>,
    fontdb: Arc<usvg::fontdb::Database>,
    serif: String,
}

impl PictureCache {
    pub fn new(fonts: &FontSet, images: Arc<Images>) -> PictureCache {
        // SVG text is drawn as outlines from our own faces: labels print in the paper's fonts, and
        // nothing depends on the fonts of the machine.
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(fonts.body.bytes.to_vec());
        db.load_font_data(fonts.heading.bytes.to_vec());
        let families: Vec<String> = db
            .faces()
            .filter_map(|f| f.families.first().map(|(name, _)| name.clone()))
            .collect();
        let serif = families.first().cloned().unwrap_or_default();
        let sans = families.get(1).cloned().unwrap_or_else(|| serif.clone());
        db.set_serif_family(serif.clone());
        db.set_sans_serif_family(sans.clone());
        db.set_monospace_family(sans.clone());
        db.set_cursive_family(serif.clone());
        db.set_fantasy_family(serif.clone());
        PictureCache {
            images,
            made: Mutex::new(HashMap::new()),
            bitmaps: Mutex::new(HashMap::new()),
            fontdb: Arc::new(db),
            serif,
        }
    }

    /// The picture at `src` printed `w_pt` wide, as an XObject drawn into the unit square (images) or its
    /// own box scaled to the unit square (SVG).
    pub fn xobject(&self, src: &str, w_pt: f32) -> Result<Arc<ExternalXObject>, String> {
        let picture = self.images.get(Path::new(src))?;
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

    /// The picture at `src` as a bitmap `px` pixels wide at most, for Word: a PNG or JPEG as it is when it is
    /// no wider, else downsampled in its own format; an SVG rasterised `px` wide, its text in our fonts.
    pub fn bitmap(&self, src: &str, px: u32) -> MadeBitmap {
        let picture = self.images.get(Path::new(src))?;
        let key = (src.to_string(), px);
        if let Some(found) = self.bitmaps.lock().expect("picture cache").get(&key) {
            return found.clone();
        }
        let made = match picture.format {
            Format::Svg => self.svg_bitmap(&picture, px),
            Format::Png | Format::Jpeg => downsample(&picture, px),
        }
        .map(Arc::new);
        self.bitmaps
            .lock()
            .expect("picture cache")
            .insert(key, made.clone());
        made
    }

    fn svg_tree(&self, picture: &Picture) -> Result<usvg::Tree, String> {
        let options = usvg::Options {
            fontdb: self.fontdb.clone(),
            font_family: self.serif.clone(),
            ..crate::input::images::svg_options()
        };
        usvg::Tree::from_data(&picture.bytes, &options).map_err(|e| {
            format!(
                "the SVG image {} cannot be read: {e}",
                picture.path.display()
            )
        })
    }

    fn svg_bitmap(&self, picture: &Picture, px: u32) -> Result<Bitmap, String> {
        let tree = self.svg_tree(picture)?;
        let (w, h) = (tree.size().width(), tree.size().height());
        let height = ((px as f32 * h / w).round() as u32).max(1);
        let mut pixmap = resvg::tiny_skia::Pixmap::new(px, height)
            .ok_or_else(|| format!("the SVG image {} is too large", picture.path.display()))?;
        let scale = resvg::tiny_skia::Transform::from_scale(px as f32 / w, height as f32 / h);
        resvg::render(&tree, scale, &mut pixmap.as_mut());
        let bytes = pixmap.encode_png().map_err(|e| {
            format!(
                "the SVG image {} cannot be drawn as a bitmap: {e}",
                picture.path.display()
            )
        })?;
        Ok(Bitmap {
            bytes,
            width: px,
            height,
        })
    }

    fn svg(&self, picture: &Picture) -> Result<ExternalXObject, String> {
        let tree = self.svg_tree(picture)?;
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

/// A PNG or JPEG upright and no wider than `px` pixels, in its own format: the file's bytes when it is
/// upright and small enough (Word is not trusted to read the EXIF orientation, so a turned photo is
/// always encoded again, turned).
fn downsample(picture: &Picture, px: u32) -> Result<Bitmap, String> {
    let (width, height) = (picture.width as u32, picture.height as u32);
    if width <= px && picture.orientation == 1 {
        return Ok(Bitmap {
            bytes: picture.bytes.clone(),
            width,
            height,
        });
    }
    let failed = |e: image::ImageError| {
        format!(
            "the image {} cannot be downsampled: {e}",
            picture.path.display()
        )
    };
    let mut img = picture.upright()?;
    if img.width() > px {
        let h = ((img.height() as f64 * px as f64 / img.width() as f64).round() as u32).max(1);
        img = img.resize_exact(px, h, image::imageops::FilterType::Triangle);
    }
    let bytes = crate::input::images::encode(&img, picture.format, JPEG_QUALITY).map_err(failed)?;
    Ok(Bitmap {
        bytes,
        width: img.width(),
        height: img.height(),
    })
}

fn flatten(value: u8, alpha: u8) -> u8 {
    let a = alpha as u32;
    ((value as u32 * a + 255 * (255 - a) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture cache over files written into a temporary folder.
    fn cache_with(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, PictureCache) {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let cache = PictureCache::new(&FontSet::builtin(), Arc::new(Images::new()));
        (dir, cache)
    }

    fn encoded(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), format)
            .unwrap();
        out
    }

    #[test]
    fn word_bitmaps_keep_small_files_shrink_photos_in_their_format_and_rasterise_svg() {
        let photo = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(1200, 900, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
        }));
        let chart = image::DynamicImage::ImageRgba8(image::RgbaImage::new(300, 200));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="red"/></svg>"#;
        let (dir, cache) = cache_with(&[
            ("photo.jpg", encoded(photo, image::ImageFormat::Jpeg)),
            ("chart.png", encoded(chart, image::ImageFormat::Png)),
            ("box.svg", svg.to_vec()),
        ]);
        let path = |n: &str| dir.path().join(n).to_string_lossy().to_string();

        // A chart already no wider than it prints: its own bytes, untouched.
        let small = cache.bitmap(&path("chart.png"), 400).unwrap();
        assert_eq!(
            small.bytes,
            std::fs::read(dir.path().join("chart.png")).unwrap()
        );
        assert_eq!((small.width, small.height), (300, 200));
        // A photo wider than 300 dpi of its printed size: downsampled, still a JPEG, same shape.
        let shrunk = cache.bitmap(&path("photo.jpg"), 600).unwrap();
        assert!(shrunk.is_jpeg());
        assert_eq!((shrunk.width, shrunk.height), (600, 450));
        let decoded = image::load_from_memory(&shrunk.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (600, 450));
        // The same request twice is the same bitmap (made once).
        assert!(Arc::ptr_eq(
            &shrunk,
            &cache.bitmap(&path("photo.jpg"), 600).unwrap()
        ));
        // SVG becomes a PNG of the asked width, its shape kept, its red drawn.
        let raster = cache.bitmap(&path("box.svg"), 200).unwrap();
        assert!(!raster.is_jpeg() && raster.bytes.starts_with(b"\x89PNG"));
        assert_eq!((raster.width, raster.height), (200, 100));
        let pixels = image::load_from_memory(&raster.bytes).unwrap().to_rgba8();
        assert_eq!(pixels.get_pixel(100, 50).0, [255, 0, 0, 255]);
        // A file that is not there is an error message, not a panic.
        let missing = cache.bitmap(&path("gone.png"), 200).unwrap_err();
        assert!(missing.contains("does not exist"), "{missing}");
        assert_eq!(print_pixels(72.0), 300);
    }

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
