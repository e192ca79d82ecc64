//! The bank's pictures as every backend needs them: read once (the bank's [`Images`]), SVG parsed with the
//! document's own fonts, and bitmaps for Word. Photos and PNGs are downsampled to about 300 dpi at their
//! printed size (a 4000×3000 phone photo would otherwise add megabytes); the PDF writer makes its own
//! objects from the same pictures (render/pdf/xobject.rs).
//!
//! Word takes bitmaps only, so its pictures are [`Bitmap`]s: PNG and JPEG downsampled the same way (and kept
//! in their own format), SVG rasterised at the printed size and 300 dpi.
//!
//! Both print a photo upright: its pixels are turned by its EXIF orientation before anything else, and an
//! upright file (orientation 1, or none) goes through exactly as before.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::input::images::{Format, Images, Picture};
use crate::render::fonts::FontSet;

/// Printed resolution of photos and bitmaps.
pub const PRINT_DPI: f32 = 300.0;
pub(crate) const JPEG_QUALITY: u8 = 85;

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

/// The images of a run, shared by every backend and document: bitmaps made once per (file, pixel width),
/// SVG read with the run's fonts.
pub struct Pictures {
    images: Arc<Images>,
    bitmaps: Mutex<HashMap<(String, u32), MadeBitmap>>,
    fontdb: Arc<usvg::fontdb::Database>,
    serif: String,
}

impl Pictures {
    pub fn new(fonts: &FontSet, images: Arc<Images>) -> Pictures {
        // SVG text is drawn as outlines from our own faces: labels print in the paper's fonts, and
        // nothing depends on the fonts of the machine.
        // The built-in faces are lent, not copied: a copy of both was 18 MB in every run, SVG or none.
        let mut db = usvg::fontdb::Database::new();
        for face in [&fonts.body, &fonts.heading] {
            let data: Arc<dyn AsRef<[u8]> + Sync + Send> = match &face.bytes {
                std::borrow::Cow::Borrowed(built_in) => Arc::new(*built_in),
                std::borrow::Cow::Owned(loaded) => Arc::new(loaded.clone()),
            };
            db.load_font_source(usvg::fontdb::Source::Binary(data));
        }
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
        Pictures {
            images,
            bitmaps: Mutex::new(HashMap::new()),
            fontdb: Arc::new(db),
            serif,
        }
    }

    /// The run's image files, read once.
    pub fn images(&self) -> &Images {
        &self.images
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

    /// An SVG file parsed, its text set in the run's fonts.
    pub(crate) fn svg_tree(&self, picture: &Picture) -> Result<usvg::Tree, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pictures over files written into a temporary folder.
    fn cache_with(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Pictures) {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let cache = Pictures::new(&FontSet::builtin(), Arc::new(Images::new()));
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
}
