//! Test-only damage done to fabricated scans the way sheets come back from a class and a copier: a corner
//! torn off, folded over or blackened, the QR code stained, the page skewed on a bed exactly its size (so
//! corner marks are clipped), fed a quarter turn round, a JPEG carrying an EXIF orientation, a PDF page
//! made of image strips. Kept apart from [`synth`](super::synth), which marks the bubbles.

use image::{GrayImage, Luma};

use super::geometry::BoxMm;
use super::synth::Rng;

/// Which image corner: 0 top-left, clockwise.
fn corner_point(img: &GrayImage, corner: usize) -> (f32, f32) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    match corner % 4 {
        0 => (0.0, 0.0),
        1 => (w, 0.0),
        2 => (w, h),
        _ => (0.0, h),
    }
}

/// The corner of the page torn off along a ragged line `depth` pixels in from the corner on both
/// edges: what shows there is the scanner's lid (`lid` gray: white lids, or black on some copiers).
pub fn tear_corner(img: &mut GrayImage, corner: usize, depth: f32, lid: u8, rng: &mut Rng) {
    let (cx, cy) = corner_point(img, corner);
    // Ragged: the tear line's reach wobbles along its length.
    let wobble: Vec<f32> = (0..64).map(|_| rng.range(-0.08, 0.08) * depth).collect();
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (dx, dy) = ((x as f32 - cx).abs(), (y as f32 - cy).abs());
            if dx + dy > depth * 1.2 {
                continue;
            }
            let along = ((dx - dy) / depth * 16.0 + 32.0).clamp(0.0, 63.0) as usize;
            if dx + dy < depth + wobble[along] {
                img.put_pixel(x, y, Luma([lid]));
            }
        }
    }
}

/// The corner folded over: a triangle of the paper's blank back laid over the page, with the crease's
/// shadow.
pub fn fold_corner(img: &mut GrayImage, corner: usize, depth: f32) {
    let (cx, cy) = corner_point(img, corner);
    for y in 0..img.height() {
        for x in 0..img.width() {
            let d = (x as f32 - cx).abs() + (y as f32 - cy).abs();
            if d < depth {
                img.put_pixel(x, y, Luma([238]));
            } else if d < depth + 3.0 {
                img.put_pixel(x, y, Luma([150]));
            }
        }
    }
}

/// A blot of black (marker, toner, a thumb dipped in ink) over a rectangle of the image, ragged at the
/// edges, e.g. over a corner mark and well past it.
pub fn blacken(img: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32, rng: &mut Rng) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Luma([12 + rng.below(20) as u8]));
        }
    }
}

/// A stain over the QR code (box in mm at `ppm` pixels a mm on the upright sheet): dark blobs and a gray
/// wash over most of it, as a spilled drink or an ink smear leaves, enough that no reader decodes it.
pub fn stain_qr(img: &mut GrayImage, qr: &BoxMm, ppm: f32, rng: &mut Rng) {
    let (x0, y0) = (qr.x * ppm, qr.y * ppm);
    let (w, h) = (qr.w * ppm, qr.h * ppm);
    // A wash: the light modules turn mid-gray, so module contrast drops.
    for y in y0 as u32..(y0 + h) as u32 {
        for x in x0 as u32..(x0 + w) as u32 {
            if x < img.width() && y < img.height() {
                let p = img.get_pixel_mut(x, y);
                p.0[0] = p.0[0].min(120 + rng.below(30) as u8);
            }
        }
    }
    // Blobs over two of the three finder patterns and across the middle.
    for (fx, fy, r) in [(0.15, 0.15, 0.2), (0.85, 0.15, 0.2), (0.5, 0.55, 0.3)] {
        let (cx, cy, r) = (x0 + fx * w, y0 + fy * h, r * w);
        for y in (cy - r) as i64..(cy + r) as i64 {
            for x in (cx - r) as i64..(cx + r) as i64 {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if d < r
                    && x >= 0
                    && y >= 0
                    && (x as u32) < img.width()
                    && (y as u32) < img.height()
                {
                    img.put_pixel(x as u32, y as u32, Luma([30 + rng.below(25) as u8]));
                }
            }
        }
    }
}

/// The page turned by `degrees` about its centre on a bed exactly its own size: what leaves the image is
/// lost, the bed shows `bed` gray where the page is not (a skewed feed on an A4 scan area).
pub fn skew_on_exact_bed(img: &GrayImage, degrees: f32, bed: u8) -> GrayImage {
    let (c, s) = (degrees.to_radians().cos(), degrees.to_radians().sin());
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (mx, my) = (w / 2.0, h / 2.0);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - mx, y as f32 + 0.5 - my);
        // Output → upright page: the inverse turn.
        let (u, v) = (mx + c * dx + s * dy, my - s * dx + c * dy);
        if u < 0.0 || v < 0.0 || u >= w - 1.0 || v >= h - 1.0 {
            return Luma([bed]);
        }
        Luma([super::qr::bilinear(img, u - 0.5, v - 0.5)])
    })
}

/// The page turned `quarters` quarter turns clockwise, as a sheet fed sideways or upside down lies.
pub fn quarter_turns(img: &GrayImage, quarters: u8) -> GrayImage {
    match quarters % 4 {
        1 => image::imageops::rotate90(img),
        2 => image::imageops::rotate180(img),
        3 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

/// A JPEG file carrying an EXIF orientation tag (1–8), as a phone writes a photo: the pixels stored as
/// the sensor saw them, the tag saying how to turn them for display.
pub fn jpeg_with_exif_orientation(stored: &GrayImage, quality: u8, orientation: u16) -> Vec<u8> {
    let jpeg = super::synth::jpeg_bytes(stored, quality);
    // TIFF header (little-endian), one IFD entry: Orientation (0x0112), SHORT, count 1.
    let mut tiff: Vec<u8> = vec![b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0];
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The stored pixels of a photo shown as `upright` with EXIF orientation 6 (the phone held upright, the
/// sensor landscape): turned a quarter counter-clockwise.
pub fn stored_for_orientation_6(upright: &GrayImage) -> GrayImage {
    image::imageops::rotate270(upright)
}

/// The page cut into `n` horizontal bands, top first, each as (pixels, its top row).
pub fn bands(img: &GrayImage, n: u32) -> Vec<(GrayImage, u32)> {
    let h = img.height();
    (0..n)
        .map(|k| {
            let (y0, y1) = (h * k / n, h * (k + 1) / n);
            (
                image::imageops::crop_imm(img, 0, y0, img.width(), y1 - y0).to_image(),
                y0,
            )
        })
        .collect()
}

/// The page as a copier's 1-bit JBIG2 stream in PDF's embedded organisation: a page information segment
/// and one immediate lossless generic region coded with MMR (T.6, the G4 code JBIG2 allows), dark below
/// `cut`. Any JBIG2 decoder reads it; 1 is black.
pub fn jbig2_embedded(img: &GrayImage, cut: u8) -> Vec<u8> {
    let (w, h) = (img.width(), img.height());
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..h {
        let row = (0..w).map(|x| {
            if img.get_pixel(x, y).0[0] < cut {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        enc.encode_line(row, w as u16).expect("fax line");
    }
    let mmr = enc.finish().expect("fax end").finish();
    let segment = |number: u32, kind: u8, data: &[u8]| {
        let mut s = number.to_be_bytes().to_vec();
        // Type; one-byte page association; no referred-to segments; page 1.
        s.extend_from_slice(&[kind, 0, 1]);
        s.extend_from_slice(&(data.len() as u32).to_be_bytes());
        s.extend_from_slice(data);
        s
    };
    let mut page_info = Vec::new();
    page_info.extend_from_slice(&w.to_be_bytes());
    page_info.extend_from_slice(&h.to_be_bytes());
    page_info.extend_from_slice(&[0; 8]); // resolution unknown
    page_info.extend_from_slice(&[0, 0, 0]); // flags, no striping
    let mut region = Vec::new();
    region.extend_from_slice(&w.to_be_bytes());
    region.extend_from_slice(&h.to_be_bytes());
    region.extend_from_slice(&[0; 8]); // at (0, 0)
    region.push(0); // combination operator OR
    region.push(1); // generic region flags: MMR
    region.extend_from_slice(&mmr);
    let mut out = segment(0, 48, &page_info);
    out.extend(segment(1, 39, &region));
    out.extend(segment(2, 49, &[]));
    out
}
