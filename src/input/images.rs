//! Image files named in a bank: read once per run and cached by path (several variants, the key and the
//! handout all use the same bytes), their format recognised from the bytes and their size read, so `check`
//! can report a missing, unreadable or unknown image before anything is drawn.
//!
//! Phone photos store the pixels as the sensor saw them and an EXIF Orientation tag (1–8) saying how to
//! turn them; every size here is the upright picture's, and [`Picture::upright`] gives its pixels turned.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Raster images print at this resolution when the bank gives no width: a 600-pixel chart is 10 cm wide.
pub const NATURAL_DPI: f32 = 150.0;
/// SVG user units are CSS pixels.
const SVG_DPI: f32 = 96.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Svg,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Svg => "svg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Svg => "image/svg+xml",
        }
    }
}

/// One image file: its bytes and what they are.
#[derive(Debug)]
pub struct Picture {
    pub path: PathBuf,
    pub format: Format,
    pub bytes: Vec<u8>,
    /// Pixels (PNG, JPEG) or CSS pixels (SVG), of the picture as it prints (its EXIF orientation applied).
    pub width: f32,
    pub height: f32,
    /// The EXIF orientation the file carries (1 = upright, 3 = upside down, 6 and 8 = on its side, 2, 4,
    /// 5 and 7 mirrored); 1 for files without one and for SVG.
    pub orientation: u8,
}

impl Picture {
    /// The printed width in points when the bank gives none.
    pub fn natural_width_pt(&self) -> f32 {
        let dpi = if self.format == Format::Svg {
            SVG_DPI
        } else {
            NATURAL_DPI
        };
        self.width / dpi * 72.0
    }

    /// Height over width.
    pub fn aspect(&self) -> f32 {
        self.height / self.width
    }

    /// The pixels, turned upright by the file's EXIF orientation.
    pub fn upright(&self) -> Result<image::DynamicImage, String> {
        let format = match self.format {
            Format::Png => image::ImageFormat::Png,
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Svg => {
                return Err(format!(
                    "{} is an SVG image, not a bitmap",
                    self.path.display()
                ));
            }
        };
        decode_upright(&self.bytes, format)
            .map(|(img, _)| img)
            .map_err(|e| format!("the image {} cannot be decoded: {e}", self.path.display()))
    }

    /// The bytes to package as a file (Moodle XML): the file's own when it is upright, else its pixels
    /// turned upright and encoded again in its own format (without the tag, so nothing turns them twice).
    pub fn upright_bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, String> {
        if self.orientation == 1 {
            return Ok(std::borrow::Cow::Borrowed(&self.bytes));
        }
        let img = self.upright()?;
        encode(&img, self.format, REENCODE_QUALITY)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| {
                format!(
                    "the image {} cannot be turned upright: {e}",
                    self.path.display()
                )
            })
    }

    /// What the EXIF orientation does to print the picture upright, for `check --verbose`.
    pub fn orientation_text(&self) -> &'static str {
        match self.orientation {
            2 => "mirrored left to right",
            3 => "turned 180°",
            4 => "mirrored top to bottom",
            5 => "turned 90° clockwise and mirrored",
            6 => "turned 90° clockwise",
            7 => "turned 90° anticlockwise and mirrored",
            8 => "turned 90° anticlockwise",
            _ => "printed as stored",
        }
    }

    /// The file name, for embedding (Moodle) and messages; a WebP or BMP picture, held as PNG, is named
    /// `.png`.
    pub fn file_name(&self) -> String {
        let name = self
            .path
            .file_name()
            .map_or_else(|| "image".into(), |n| n.to_string_lossy().to_string());
        let converted = self
            .path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("webp") || x.eq_ignore_ascii_case("bmp"))
            && self.format == Format::Png;
        if converted {
            let stem = self.path.file_stem().unwrap_or_default().to_string_lossy();
            format!("{stem}.png")
        } else {
            name
        }
    }
}

/// The images of one run, each read once.
#[derive(Debug, Default)]
pub struct Images {
    loaded: Mutex<BTreeMap<PathBuf, Result<Arc<Picture>, String>>>,
}

impl Images {
    pub fn new() -> Images {
        Images::default()
    }

    /// The image at `path`, read and recognised on first use; the error says what is wrong with the file.
    pub fn get(&self, path: &Path) -> Result<Arc<Picture>, String> {
        if let Some(found) = self.loaded.lock().expect("image cache").get(path) {
            return found.clone();
        }
        let result = read_picture(path).map(Arc::new);
        self.loaded
            .lock()
            .expect("image cache")
            .insert(path.to_path_buf(), result.clone());
        result
    }

    /// Registers an image made in memory (a scanned page for review.pdf) under `path`, as if read there.
    pub fn insert(&self, path: &Path, bytes: Vec<u8>) -> Result<(), String> {
        let result = picture_from_bytes(path, bytes).map(Arc::new);
        let ok = result.as_ref().map(|_| ()).map_err(Clone::clone);
        self.loaded
            .lock()
            .expect("image cache")
            .insert(path.to_path_buf(), result);
        ok
    }

    /// The pictures read so far whose EXIF orientation turns them (for `check --verbose`), by path.
    pub fn turned(&self) -> Vec<Arc<Picture>> {
        self.loaded
            .lock()
            .expect("image cache")
            .values()
            .filter_map(|r| r.as_ref().ok())
            .filter(|p| p.orientation != 1)
            .cloned()
            .collect()
    }

    /// How many files were read (for tests: every image once, however often it is used).
    pub fn files_read(&self) -> usize {
        self.loaded.lock().expect("image cache").len()
    }
}

/// JPEG quality when a turned photo is encoded again for packaging.
const REENCODE_QUALITY: u8 = 90;

/// Decodes a PNG or JPEG and turns it upright by its EXIF orientation; also gives that orientation.
pub fn decode_upright(
    bytes: &[u8],
    format: image::ImageFormat,
) -> image::ImageResult<(image::DynamicImage, image::metadata::Orientation)> {
    use image::ImageDecoder as _;
    let mut decoder =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), format).into_decoder()?;
    // A damaged EXIF block is no reason to refuse the picture: it prints as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    Ok((img, orientation))
}

/// Encodes pixels as PNG, or as JPEG at `quality` (grey stays grey).
pub fn encode(
    img: &image::DynamicImage,
    format: Format,
    quality: u8,
) -> image::ImageResult<Vec<u8>> {
    let mut bytes = Vec::new();
    if format == Format::Jpeg {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
        if img.color().has_color() {
            img.to_rgb8().write_with_encoder(encoder)?
        } else {
            img.to_luma8().write_with_encoder(encoder)?
        }
    } else {
        img.write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )?;
    }
    Ok(bytes)
}

/// usvg options that load no bitmaps an SVG links or embeds: the PDF draws an SVG's shapes and text only,
/// so Word's picture matches it, and nothing outside the bank is read (`check` warns about such images).
pub fn svg_options<'a>() -> usvg::Options<'a> {
    usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

/// What the bytes are: PNG and JPEG by their signature, SVG by an `<svg` element near the start.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    if head.contains("<svg") {
        return Some(Format::Svg);
    }
    None
}

/// Reads the picture at `path`, or at the one file whose name differs from it only in letter case, as
/// Windows and macOS would open it (the picture's `path` is then the file's own).
fn read_picture(path: &Path) -> Result<Picture, String> {
    let found = crate::util::names::find_ignoring_case(path);
    let path = found.as_deref().unwrap_or(path);
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => match crate::util::names::near_name(path) {
            Some(near) => format!(
                "the image file {} does not exist; did you mean `{near}`, in the same folder?",
                path.display()
            ),
            None => format!("the image file {} does not exist", path.display()),
        },
        _ => format!("the image file {} cannot be read: {e}", path.display()),
    })?;
    picture_from_bytes(path, bytes)
}

fn picture_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Picture, String> {
    let Some(format) = sniff(&bytes) else {
        return converted_picture(path, &bytes);
    };
    let (width, height, orientation) = match format {
        Format::Png | Format::Jpeg => {
            let f = if format == Format::Png {
                image::ImageFormat::Png
            } else {
                image::ImageFormat::Jpeg
            };
            // Decoding the whole image is what proves it readable; the pixels are dropped again.
            let (img, orientation) = decode_upright(&bytes, f).map_err(|e| {
                format!(
                    "the {} image {} cannot be decoded: {e}",
                    format.name().to_uppercase(),
                    path.display()
                )
            })?;
            (
                img.width() as f32,
                img.height() as f32,
                orientation.to_exif(),
            )
        }
        Format::Svg => {
            let tree = usvg::Tree::from_data(&bytes, &svg_options())
                .map_err(|e| format!("the SVG image {} cannot be read: {e}", path.display()))?;
            (tree.size().width(), tree.size().height(), 1)
        }
    };
    if !(width >= 1.0 && height >= 1.0) {
        return Err(format!("the image {} has no size", path.display()));
    }
    Ok(Picture {
        path: path.to_path_buf(),
        format,
        bytes,
        width,
        height,
        orientation,
    })
}

/// HEIF/HEIC (an iPhone's photos, AVIF too): an ISO media file whose `ftyp` box names a HEIF brand.
pub fn is_heif(head: &[u8]) -> bool {
    head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(
            &head[8..12],
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"avif"
        )
}

/// A WebP (saved from a web page or WeChat) or BMP picture, held as the PNG of its pixels turned upright:
/// the PDF and Word print PNG, and PNG keeps every pixel.
fn converted_picture(path: &Path, bytes: &[u8]) -> Result<Picture, String> {
    let kind = match image::guess_format(bytes) {
        Ok(f @ (image::ImageFormat::WebP | image::ImageFormat::Bmp)) => f,
        _ if is_heif(bytes) => {
            return Err(format!(
                "{} is an iPhone photo in HEIC, which examgen cannot print: save it as JPEG (on the \
                 iPhone: Settings → Camera → Formats → Most Compatible, or share it through WeChat or \
                 e-mail, which send JPEG; on the computer: open it and save as JPEG)",
                path.display()
            ));
        }
        _ => {
            return Err(format!(
                "{} is not a PNG, JPEG, SVG, WebP or BMP image (examgen prints those)",
                path.display()
            ));
        }
    };
    let name = if kind == image::ImageFormat::WebP {
        "WebP"
    } else {
        "BMP"
    };
    let (img, _) = decode_upright(bytes, kind)
        .map_err(|e| format!("the {name} image {} cannot be decoded: {e}", path.display()))?;
    let png = encode(&img, Format::Png, REENCODE_QUALITY).map_err(|e| {
        format!(
            "the {name} image {} cannot be converted: {e}",
            path.display()
        )
    })?;
    if img.width() == 0 || img.height() == 0 {
        return Err(format!("the image {} has no size", path.display()));
    }
    Ok(Picture {
        path: path.to_path_buf(),
        format: Format::Png,
        bytes: png,
        width: img.width() as f32,
        height: img.height() as f32,
        orientation: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webp_and_bmp_pictures_are_held_as_png_of_the_same_pixels() {
        let mut img = image::RgbImage::new(30, 20);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([(x * 8) as u8, (y * 12) as u8, 90]);
        }
        for format in [image::ImageFormat::WebP, image::ImageFormat::Bmp] {
            let mut bytes = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
                .unwrap();
            let pic = picture_from_bytes(Path::new("图 (1).webp"), bytes).unwrap();
            assert_eq!(
                (pic.format, pic.width, pic.height),
                (Format::Png, 30.0, 20.0)
            );
            assert_eq!(pic.file_name(), "图 (1).png");
            let back = image::load_from_memory(&pic.bytes).unwrap().to_rgb8();
            assert_eq!(back, img, "{format:?}");
        }
        let err = picture_from_bytes(Path::new("a.gif"), b"GIF89a....".to_vec()).unwrap_err();
        assert!(
            err.contains("a.gif is not a PNG, JPEG, SVG, WebP or BMP image"),
            "{err}"
        );
        // An iPhone photo kept in HEIC gets the way to JPEG, not a bare refusal.
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        let err = picture_from_bytes(Path::new("IMG_0042.HEIC"), heic).unwrap_err();
        assert!(
            err.contains("IMG_0042.HEIC is an iPhone photo in HEIC")
                && err.contains("Most Compatible"),
            "{err}"
        );
    }

    #[test]
    fn formats_are_sniffed_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some(Format::Svg)
        );
        assert_eq!(sniff(b"GIF89a"), None);
    }

    #[test]
    fn a_missing_file_is_read_once_and_explained() {
        let images = Images::new();
        let path = Path::new("/nonexistent/图.png");
        let first = images.get(path).unwrap_err();
        assert!(first.contains("does not exist"), "{first}");
        assert_eq!(images.get(path).unwrap_err(), first);
        assert_eq!(images.files_read(), 1);
    }
}
