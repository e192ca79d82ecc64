//! Test-only damage done to fabricated scans the way sheets come back from a class, a copier and a phone:
//! a corner torn off, folded over or blackened, the QR code stained; the page skewed, scaled and shifted by
//! a feeder, skewed on a bed exactly its size (so corner marks are clipped), fed a quarter turn round,
//! photographed in perspective on a desk through a lens that bows it, stored by a phone with an EXIF orientation; noise and blur; and
//! the files offices make of it — PDF pages of JPEG, raw, JBIG2 or JPEG 2000 images, whole or in strips.
//! The one fabricator of damage for unit and integration tests (`tests/it/scan_synth.rs` compiles this
//! file); kept apart from [`synth`](super::synth), which draws and marks the sheets.
// Each test binary uses its own part of the fabricator.
#![allow(dead_code)]

use image::{GrayImage, Luma};

use super::geometry::BoxMm;
use super::synth::{self, Distortion, Rng};

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

/// The page resampled through `map`, which takes an output pixel's centre to the point of the upright page
/// it shows; `bed` gray where that point is off the page (the scanner's lid, a desk).
pub fn warp(
    src: &GrayImage,
    (width, height): (u32, u32),
    bed: u8,
    map: impl Fn(f32, f32) -> (f32, f32),
) -> GrayImage {
    let (w, h) = (src.width() as i64, src.height() as i64);
    let raw = src.as_raw();
    let bed = bed as f32;
    GrayImage::from_fn(width, height, |x, y| {
        let (u, v) = map(x as f32 + 0.5, y as f32 + 0.5);
        let (fx, fy) = ((u - 0.5).floor(), (v - 0.5).floor());
        let (tx, ty) = (u - 0.5 - fx, v - 0.5 - fy);
        let at = |x: i64, y: i64| -> f32 {
            if x < 0 || y < 0 || x >= w || y >= h {
                bed
            } else {
                raw[(y * w + x) as usize] as f32
            }
        };
        let (ix, iy) = (fx as i64, fy as i64);
        let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
        let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
        Luma([(top * (1.0 - ty) + bottom * ty).round().clamp(0.0, 255.0) as u8])
    })
}

/// The page on a scanner bed a little larger than the sheet (`bed` gray around it, 8 % of the width and
/// 6 % of the height on each side), so a skewed feed keeps its corners in the image as real copiers do.
pub fn on_bed(src: &GrayImage, bed: u8) -> GrayImage {
    let (px, py) = (src.width() * 8 / 100, src.height() * 6 / 100);
    let mut out = GrayImage::from_pixel(src.width() + 2 * px, src.height() + 2 * py, Luma([bed]));
    image::imageops::replace(&mut out, src, px as i64, py as i64);
    out
}

/// A feeder's skew: turned by `degrees` (clockwise on screen) about the centre, scaled by `scale` and
/// shifted by `shift` pixels, in an image of the same size; `bed` gray where the page is not.
pub fn turned(src: &GrayImage, degrees: f32, scale: f32, shift: (f32, f32), bed: u8) -> GrayImage {
    let (c, s) = (degrees.to_radians().cos(), degrees.to_radians().sin());
    let (mx, my) = (src.width() as f32 / 2.0, src.height() as f32 / 2.0);
    warp(src, src.dimensions(), bed, |x, y| {
        let (dx, dy) = ((x - mx - shift.0) / scale, (y - my - shift.1) / scale);
        (mx + c * dx + s * dy, my - s * dx + c * dy)
    })
}

/// The page turned by `degrees` about its centre on a bed exactly its own size: what leaves the image is
/// lost, the bed shows `bed` gray where the page is not (a skewed feed on an A4 scan area).
pub fn skew_on_exact_bed(img: &GrayImage, degrees: f32, bed: u8) -> GrayImage {
    turned(img, degrees, 1.0, (0.0, 0.0), bed)
}

/// A phone photo: the page on a `desk` of that gray (a twelfth of the width and a sixteenth of the height
/// round it), seen in true perspective as a camera held over the sheet's bottom edge sees it — the far
/// (top) edge smaller.
pub fn phone_perspective(src: &GrayImage, desk: u8) -> GrayImage {
    let (mx, my) = (src.width() / 12, src.height() / 16);
    let mut on_desk =
        GrayImage::from_pixel(src.width() + 2 * mx, src.height() + 2 * my, Luma([desk]));
    image::imageops::replace(&mut on_desk, src, mx as i64, my as i64);
    let (w, h) = (on_desk.width() as f32, on_desk.height() as f32);
    warp(&on_desk, on_desk.dimensions(), desk, |x, y| {
        let d = 1.0 - 0.1 * y / h;
        (0.92 * (x - w / 2.0) / d + w / 2.0, 0.9 * y / d)
    })
}

/// A phone's wide lens: straight lines bow outwards (barrel distortion), `k` at the image's corners. The
/// pixel at distance r from the image's centre shows what lies at r (1 + k r² / rn²), rn the half-diagonal
/// (the third field check's model); `bed` gray where that is off the image.
pub fn barrel(src: &GrayImage, k: f32, bed: u8) -> GrayImage {
    let (cx, cy) = (src.width() as f32 / 2.0, src.height() as f32 / 2.0);
    let rn2 = cx * cx + cy * cy;
    warp(src, src.dimensions(), bed, |x, y| {
        let (dx, dy) = (x - cx, y - cy);
        let f = 1.0 + k * (dx * dx + dy * dy) / rn2;
        (cx + dx * f, cy + dy * f)
    })
}

/// A hand shaking while the phone takes the picture: each pixel the mean of `length` pixels along a
/// straight line at `degrees` (a box filter along the motion).
pub fn motion_blur(src: &GrayImage, length: u32, degrees: f32) -> GrayImage {
    let (w, h) = src.dimensions();
    let (c, s) = (degrees.to_radians().cos(), degrees.to_radians().sin());
    let mut out = src.clone();
    for y in 0..h {
        for x in 0..w {
            let (mut sum, mut n) = (0u32, 0u32);
            for k in 0..length {
                let t = k as f32 - (length as f32 - 1.0) / 2.0;
                let (u, v) = (x as f32 + t * c, y as f32 + t * s);
                if u >= 0.0 && v >= 0.0 && (u as u32) < w && (v as u32) < h {
                    sum += src.get_pixel(u as u32, v as u32).0[0] as u32;
                    n += 1;
                }
            }
            out.put_pixel(x, y, Luma([(sum / n.max(1)) as u8]));
        }
    }
    out
}

/// Sensor noise (uniform, ±14 gray levels) and, with `blur`, a slight optical blur (the 5-point cross).
pub fn noise_and_blur(img: &mut GrayImage, rng: &mut Rng, blur: bool) {
    if blur {
        let src = img.clone();
        let (w, h) = (img.width(), img.height());
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let mut sum = 0u32;
                for (dx, dy) in [(0i32, 0i32), (-1, 0), (1, 0), (0, -1), (0, 1)] {
                    sum += src
                        .get_pixel((x as i32 + dx) as u32, (y as i32 + dy) as u32)
                        .0[0] as u32;
                }
                img.put_pixel(x, y, Luma([(sum / 5) as u8]));
            }
        }
    }
    for p in img.pixels_mut() {
        p.0[0] = (p.0[0] as f32 + rng.range(-14.0, 14.0)).clamp(0.0, 255.0) as u8;
    }
}

/// Through a copier: turned by `degrees`, shifted by `shift` (fractions of the size), noise, blur and
/// JPEG, on a light gray scan area a little larger than the page.
pub fn copier(img: &GrayImage, degrees: f32, shift: (f32, f32), seed: u64) -> GrayImage {
    synth::distort(img, &Distortion::turned(degrees, 1.0, shift), seed)
}

/// Noise, blur and JPEG only: the page stays exactly where it is in the image.
pub fn in_place(img: &GrayImage, seed: u64) -> GrayImage {
    let mut d = Distortion::turned(0.0, 1.0, (0.0, 0.0));
    d.corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
    synth::distort(img, &d, seed)
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

/// The pixels a phone stores for a photo shown as `upright` with EXIF `orientation` (1–8): the turn (and
/// mirror) the tag asks for, undone. 6 is a phone held upright with its sensor landscape, 3 upside down, 8
/// the other way round; 2, 4, 5 and 7 are mirrored (front cameras).
pub fn stored_for_orientation(upright: &GrayImage, orientation: u8) -> GrayImage {
    use image::metadata::Orientation;
    // Every orientation undoes itself but the quarter turns, which undo each other.
    let undo = match orientation {
        6 => 8,
        8 => 6,
        o => o,
    };
    let mut img = image::DynamicImage::ImageLuma8(upright.clone());
    img.apply_orientation(Orientation::from_exif(undo).expect("an EXIF orientation, 1–8"));
    img.into_luma8()
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

/// The page as a copier's 1-bit mode leaves it: every pixel black below `cut`, white from it up.
pub fn one_bit(img: &mut GrayImage, cut: u8) {
    for p in img.pixels_mut() {
        p.0[0] = if p.0[0] < cut { 0 } else { 255 };
    }
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

/// The page as a copier's 1-bit JBIG2 stream coded the way most copiers code it: one immediate lossless
/// generic region, arithmetic (MQ) coded with template 0 and its nominal adaptive pixels, dark below
/// `cut`; the encoder of T.88 Annex E, written here from the standard.
pub fn jbig2_arithmetic(img: &GrayImage, cut: u8) -> Vec<u8> {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let black = |x: i64, y: i64| -> u32 {
        u32::from(x >= 0 && y >= 0 && x < w && raw[(y * w + x) as usize] < cut)
    };
    let mut mq = MqEncoder::new();
    let mut contexts = vec![(0u8, 0u8); 1 << 16];
    for y in 0..h {
        for x in 0..w {
            // Template 0 (T.88 figure 3) with the adaptive pixels at (3,−1), (−3,−1), (2,−2), (−2,−2):
            // any fixed order of the sixteen neighbours names the same contexts as the decoder's.
            let neighbours = [
                (-1, -2),
                (0, -2),
                (1, -2),
                (2, -2),
                (-2, -2),
                (-2, -1),
                (-1, -1),
                (0, -1),
                (1, -1),
                (2, -1),
                (3, -1),
                (-3, -1),
                (-4, 0),
                (-3, 0),
                (-2, 0),
                (-1, 0),
            ];
            let cx = neighbours.iter().fold(0usize, |c, &(dx, dy)| {
                (c << 1) | black(x + dx, y + dy) as usize
            });
            mq.encode(black(x, y) as u8, &mut contexts[cx]);
        }
    }
    let coded = mq.finish();
    let segment = |number: u32, kind: u8, data: &[u8]| {
        let mut s = number.to_be_bytes().to_vec();
        s.extend_from_slice(&[kind, 0, 1]);
        s.extend_from_slice(&(data.len() as u32).to_be_bytes());
        s.extend_from_slice(data);
        s
    };
    let (w, h) = (img.width(), img.height());
    let mut page_info = Vec::new();
    page_info.extend_from_slice(&w.to_be_bytes());
    page_info.extend_from_slice(&h.to_be_bytes());
    page_info.extend_from_slice(&[0; 8]);
    page_info.extend_from_slice(&[0, 0, 0]);
    let mut region = Vec::new();
    region.extend_from_slice(&w.to_be_bytes());
    region.extend_from_slice(&h.to_be_bytes());
    region.extend_from_slice(&[0; 8]);
    region.push(0); // combination operator OR
    region.push(0); // generic region flags: arithmetic, template 0, no typical prediction
    for (dx, dy) in [(3i8, -1i8), (-3, -1), (2, -2), (-2, -2)] {
        region.extend_from_slice(&[dx as u8, dy as u8]);
    }
    region.extend_from_slice(&coded);
    let mut out = segment(0, 48, &page_info);
    out.extend(segment(1, 39, &region));
    out.extend(segment(2, 49, &[]));
    out
}

/// Probability estimates of the MQ coder (T.88 table E.1): Qe, next index after an MPS, after an LPS,
/// and whether an LPS swaps the sense of the MPS.
#[rustfmt::skip]
const MQ_STATES: [(u32, u8, u8, bool); 47] = [
    (0x5601, 1, 1, true), (0x3401, 2, 6, false), (0x1801, 3, 9, false), (0x0AC1, 4, 12, false),
    (0x0521, 5, 29, false), (0x0221, 38, 33, false), (0x5601, 7, 6, true), (0x5401, 8, 14, false),
    (0x4801, 9, 14, false), (0x3801, 10, 14, false), (0x3001, 11, 17, false), (0x2401, 12, 18, false),
    (0x1C01, 13, 20, false), (0x1601, 29, 21, false), (0x5601, 15, 14, true), (0x5401, 16, 14, false),
    (0x5101, 17, 15, false), (0x4801, 18, 16, false), (0x3801, 19, 17, false), (0x3401, 20, 18, false),
    (0x3001, 21, 19, false), (0x2801, 22, 19, false), (0x2401, 23, 20, false), (0x2201, 24, 21, false),
    (0x1C01, 25, 22, false), (0x1801, 26, 23, false), (0x1601, 27, 24, false), (0x1401, 28, 25, false),
    (0x1201, 29, 26, false), (0x1101, 30, 27, false), (0x0AC1, 31, 28, false), (0x09C1, 32, 29, false),
    (0x08A1, 33, 30, false), (0x0521, 34, 31, false), (0x0441, 35, 32, false), (0x02A1, 36, 33, false),
    (0x0221, 37, 34, false), (0x0141, 38, 35, false), (0x0111, 39, 36, false), (0x0085, 40, 37, false),
    (0x0049, 41, 38, false), (0x0025, 42, 39, false), (0x0015, 43, 40, false), (0x0009, 44, 41, false),
    (0x0005, 45, 42, false), (0x0001, 45, 43, false), (0x5601, 46, 46, false),
];

/// The MQ arithmetic encoder of T.88 E.2: registers A and C, the bit count CT, and the bytes out (the
/// first a placeholder for the byte "before" the stream, which a carry can never reach).
struct MqEncoder {
    a: u32,
    c: u32,
    ct: u32,
    out: Vec<u8>,
}

impl MqEncoder {
    fn new() -> MqEncoder {
        MqEncoder {
            a: 0x8000,
            c: 0,
            ct: 12,
            out: vec![0],
        }
    }

    /// Codes `bit` in a context: (state index, MPS).
    fn encode(&mut self, bit: u8, context: &mut (u8, u8)) {
        let (qe, nmps, nlps, switch) = MQ_STATES[context.0 as usize];
        self.a -= qe;
        if bit == context.1 {
            if self.a & 0x8000 != 0 {
                self.c += qe;
                return;
            }
            if self.a < qe {
                self.a = qe;
            } else {
                self.c += qe;
            }
            context.0 = nmps;
        } else {
            if self.a < qe {
                self.c += qe;
            } else {
                self.a = qe;
            }
            if switch {
                context.1 = 1 - context.1;
            }
            context.0 = nlps;
        }
        while self.a & 0x8000 == 0 {
            self.a <<= 1;
            self.c <<= 1;
            self.ct -= 1;
            if self.ct == 0 {
                self.byte_out();
            }
        }
    }

    fn byte_out(&mut self) {
        let b = self.out.last_mut().expect("the placeholder byte");
        if *b == 0xFF {
            self.out.push((self.c >> 20) as u8);
            self.c &= 0xF_FFFF;
            self.ct = 7;
        } else if self.c < 0x800_0000 {
            self.out.push((self.c >> 19) as u8);
            self.c &= 0x7_FFFF;
            self.ct = 8;
        } else {
            *b += 1;
            if *b == 0xFF {
                self.c &= 0x7FF_FFFF;
                self.out.push((self.c >> 20) as u8);
                self.c &= 0xF_FFFF;
                self.ct = 7;
            } else {
                self.out.push((self.c >> 19) as u8);
                self.c &= 0x7_FFFF;
                self.ct = 8;
            }
        }
    }

    /// FLUSH (E.2.9): the last bits out, then the marker 0xFF 0xAC that ends the stream.
    fn finish(mut self) -> Vec<u8> {
        let top = self.c + self.a;
        self.c |= 0xFFFF;
        if self.c >= top {
            self.c -= 0x8000;
        }
        self.c <<= self.ct;
        self.byte_out();
        self.c <<= self.ct;
        self.byte_out();
        if *self.out.last().expect("bytes") != 0xFF {
            self.out.push(0xFF);
        }
        self.out.push(0xAC);
        self.out.remove(0);
        self.out
    }
}

// ==== The files offices make: PDF pages of images ====

/// One image stream of a PDF page, coded as a copier codes it.
pub struct PdfImage {
    pub width: u32,
    pub height: u32,
    /// `/Filter`, none for raw samples.
    pub filter: Option<&'static str>,
    /// `/ColorSpace` and `/BitsPerComponent`, none where the codestream says (JPEG 2000).
    pub gray_bits: Option<u8>,
    pub data: Vec<u8>,
}

impl PdfImage {
    /// Baseline JPEG (`/DCTDecode`), gray.
    pub fn jpeg(img: &GrayImage, quality: u8) -> PdfImage {
        PdfImage {
            width: img.width(),
            height: img.height(),
            filter: Some("DCTDecode"),
            gray_bits: Some(8),
            data: synth::jpeg_bytes(img, quality),
        }
    }

    /// Raw 8-bit gray samples, no filter.
    pub fn raw(img: &GrayImage) -> PdfImage {
        PdfImage {
            width: img.width(),
            height: img.height(),
            filter: None,
            gray_bits: Some(8),
            data: img.as_raw().clone(),
        }
    }

    /// 1-bit JBIG2 MMR coded (`/JBIG2Decode`, [`jbig2_embedded`]), dark below `cut`.
    pub fn jbig2(img: &GrayImage, cut: u8) -> PdfImage {
        PdfImage {
            width: img.width(),
            height: img.height(),
            filter: Some("JBIG2Decode"),
            gray_bits: Some(1),
            data: jbig2_embedded(img, cut),
        }
    }

    /// 1-bit JBIG2 arithmetic coded ([`jbig2_arithmetic`]), as most copiers write it, dark below `cut`.
    pub fn jbig2_arithmetic(img: &GrayImage, cut: u8) -> PdfImage {
        PdfImage {
            width: img.width(),
            height: img.height(),
            filter: Some("JBIG2Decode"),
            gray_bits: Some(1),
            data: jbig2_arithmetic(img, cut),
        }
    }

    /// A JPEG 2000 file (`/JPXDecode`) another tool wrote, `width` × `height` pixels.
    pub fn jpx(width: u32, height: u32, jp2: Vec<u8>) -> PdfImage {
        PdfImage {
            width,
            height,
            filter: Some("JPXDecode"),
            gray_bits: None,
            data: jp2,
        }
    }
}

/// An image placed on a page by its own `cm`: `at` is x, y, width, height in points, y up from the
/// bottom as PDF has it.
pub struct Placed {
    pub image: PdfImage,
    pub at: [f64; 4],
}

/// The A4 page's size in points.
pub const A4_POINTS: (f64, f64) = (595.0, 842.0);

/// One image filling the whole A4 page, as most copiers write a page.
pub fn whole_page(image: PdfImage) -> Vec<Placed> {
    vec![Placed {
        image,
        at: [0.0, 0.0, A4_POINTS.0, A4_POINTS.1],
    }]
}

/// The page as `n` horizontal strips (see [`bands`]), each its own image placed over its band of the A4
/// page, coded by `code`; listed bottom strip first, as some office scanners draw them.
pub fn strip_page(img: &GrayImage, n: u32, code: impl Fn(&GrayImage) -> PdfImage) -> Vec<Placed> {
    let (pw, ph) = A4_POINTS;
    let full = img.height() as f64;
    bands(img, n)
        .into_iter()
        .rev()
        .map(|(band, top)| {
            let h = ph * band.height() as f64 / full;
            let y = ph - ph * top as f64 / full - h;
            Placed {
                image: code(&band),
                at: [0.0, y, pw, h],
            }
        })
        .collect()
}

/// A PDF of A4 pages, each drawing its images where they are placed, in order.
pub fn pdf(pages: &[Vec<Placed>]) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let pages = pages.iter().map(|images| {
        images
            .iter()
            .map(|placed| {
                let im = &placed.image;
                let mut dict = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => im.width as i64, "Height" => im.height as i64,
                };
                if let Some(bits) = im.gray_bits {
                    dict.set("ColorSpace", Object::Name(b"DeviceGray".to_vec()));
                    dict.set("BitsPerComponent", bits as i64);
                }
                if let Some(filter) = im.filter {
                    dict.set("Filter", Object::Name(filter.as_bytes().to_vec()));
                }
                (Stream::new(dict, im.data.clone()), placed.at)
            })
            .collect()
    });
    pdf_of_streams(pages)
}

/// A PDF of A4 pages, each drawing its image XObjects (any dictionary: filters, decode parameters) at
/// `[x, y, w, h]` in points, in order; a page without images has none.
pub fn pdf_of_streams(pages: impl IntoIterator<Item = Vec<(lopdf::Stream, [f64; 4])>>) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for images in pages {
        let mut xobjects = lopdf::Dictionary::new();
        let mut content = String::new();
        for (k, (stream, [x, y, w, h])) in images.into_iter().enumerate() {
            let id = doc.add_object(stream);
            xobjects.set(format!("Im{k}").into_bytes(), id);
            content += &format!("q {w:.4} 0 0 {h:.4} {x:.4} {y:.4} cm /Im{k} Do Q\n");
        }
        let content = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => xobjects },
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF in memory");
    out
}

/// Dirt on a copier's glass: a line `width` pixels wide straight down the whole image at column `x`,
/// passing `factor` of the light (a little more or less along its length, as the dirt is uneven), through
/// the margins, the print and the boxes alike.
pub fn copier_streak(img: &mut GrayImage, x: u32, width: u32, factor: f32) {
    let h = img.height();
    for y in 0..h {
        let along = factor * (1.0 + 0.15 * (y as f32 / h as f32 * 9.0).sin());
        for xx in x..(x + width).min(img.width()) {
            let p = img.get_pixel_mut(xx, y);
            p.0[0] = (p.0[0] as f32 * along.clamp(0.0, 1.0)).round() as u8;
        }
    }
}

/// A sheet folded in half across and opened again: at row `y` a thin grey crease (a fifth darker at its
/// middle, a pixel or two wide) and, on the side below, the paper shaded `shade` darker at the crease,
/// fading over `reach` pixels; the side above catches the light a little.
pub fn fold_crease(img: &mut GrayImage, y: u32, shade: f32, reach: f32) {
    for (_, row, p) in img.enumerate_pixels_mut() {
        let d = row as f32 - y as f32;
        let side = if d > 0.0 {
            1.0 - shade * (-d / reach).exp()
        } else {
            1.0 + 0.03 * (d / reach).exp()
        };
        let crease = 1.0 - 0.22 * (-(d / 1.5).powi(2)).exp();
        p.0[0] = (p.0[0] as f32 * side * crease).round().clamp(0.0, 255.0) as u8;
    }
}

/// A shadow over a phone photo (the phone, a hand, a head): beyond the straight edge through `at` facing
/// `angle` (radians; the shadow lies where the direction points), the paper and everything on it
/// `depth` darker, the edge soft over about `soft` pixels.
pub fn shadow(img: &mut GrayImage, at: (f32, f32), angle: f32, depth: f32, soft: f32) {
    let (c, s) = (angle.cos(), angle.sin());
    for (x, y, p) in img.enumerate_pixels_mut() {
        let t = (x as f32 - at.0) * c + (y as f32 - at.1) * s;
        let inside = 1.0 / (1.0 + (-t / (soft / 4.0)).exp());
        p.0[0] = (p.0[0] as f32 * (1.0 - depth * inside)).round() as u8;
    }
}

/// Correction tape (修正带) laid over box `a` (mm) of an upright page at `ppm` pixels per mm, the way a
/// pen's mark is taken back: a white film 4.6–5.2 mm wide across the box and 0.3–1.5 mm past both its
/// ends, hiding the printed outline too; 4–10 % of what lies under it shows through, and the film's two
/// raised edges throw a thin shadow.
pub fn correction_tape(img: &mut GrayImage, a: &BoxMm, ppm: f32, rng: &mut Rng) {
    let (_, cy) = a.centre();
    let width = rng.range(4.6, 5.2);
    let top = cy - width / 2.0 + rng.range(-0.4, 0.4);
    let (left, right) = (a.x - rng.range(0.3, 1.5), a.x + a.w + rng.range(0.3, 1.5));
    let cover = rng.range(0.9, 0.96);
    let px = |mm: f32| (mm * ppm).round().max(0.0) as u32;
    let (y0, y1) = (px(top), px(top + width).min(img.height()));
    let (x0, x1) = (px(left), px(right).min(img.width()));
    for y in y0..y1 {
        let edge = if y == y0 || y + 1 == y1 {
            rng.range(0.8, 0.9)
        } else {
            1.0
        };
        for x in x0..x1 {
            let film = 253.0 * (1.0 + 0.01 * rng.range(-1.7, 1.7));
            let p = img.get_pixel_mut(x, y);
            let v = p.0[0] as f32 * (1.0 - cover) + film * cover;
            p.0[0] = (v * edge).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// A coffee cup set down on the sheet and the ring left to dry: the coffee-ring effect carries the
/// solids out to the drop's rim, so the ring is darkest at its outer edge (`rim` of the light absorbed
/// there), which is sharp (falling off outside over about a third of `width`), and fades inward over
/// `width` pixels (the ramp), over a pale tint (`tint`) inside; a cup lifted at a tilt leaves the rim
/// fainter on one side. Centre and radius in pixels.
pub fn coffee_ring(
    img: &mut GrayImage,
    centre: (f32, f32),
    radius: f32,
    width: f32,
    rim: f32,
    tint: f32,
    rng: &mut Rng,
) {
    let tilt = rng.range(0.0, std::f32::consts::TAU);
    // The rim's slow wobble round the ring: a drop's edge is no perfect circle.
    let wobble: Vec<(f32, f32)> = (1..=4)
        .map(|k| {
            (
                rng.range(-0.01, 0.01) / k as f32,
                rng.range(0.0, std::f32::consts::TAU),
            )
        })
        .collect();
    let reach = radius * 1.1 + 3.0 * width;
    let (x0, x1) = (
        (centre.0 - reach).max(0.0) as u32,
        ((centre.0 + reach) as u32).min(img.width()),
    );
    let (y0, y1) = (
        (centre.1 - reach).max(0.0) as u32,
        ((centre.1 + reach) as u32).min(img.height()),
    );
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
            let theta = dy.atan2(dx);
            let warp: f32 = wobble
                .iter()
                .enumerate()
                .map(|(k, (a, p))| a * ((k + 1) as f32 * theta + p).cos())
                .sum();
            let d = radius - (dx * dx + dy * dy).sqrt() * (1.0 + warp);
            let mut od = if d >= 0.0 {
                (-d / width).exp()
            } else {
                (-(d / (0.35 * width)).powi(2)).exp()
            };
            od *= rim * (0.35 + 0.65 / (1.0 + (-3.0 * (theta - tilt).cos()).exp()));
            if d > 0.0 {
                od += tint;
            }
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (p.0[0] as f32 * (-od).exp()).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// A normal deviate (Box–Muller) from two of `rng`'s uniform ones.
fn gaussian(rng: &mut Rng) -> f32 {
    let (a, b) = (rng.unit().max(1e-7), rng.unit());
    (-2.0 * a.ln()).sqrt() * (std::f32::consts::TAU * b).cos()
}

/// `buf` (`w` × `h`) blurred by a Gaussian of `sigma` pixels, rows then columns.
fn gaussian_blur(buf: &mut [f32], w: usize, h: usize, sigma: f32) {
    let r = (3.0 * sigma).ceil() as i64;
    let mut k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= sum);
    let mut line = Vec::new();
    for y in 0..h {
        line.clear();
        line.extend_from_slice(&buf[y * w..(y + 1) * w]);
        for x in 0..w {
            let mut s = 0.0;
            for (t, kv) in k.iter().enumerate() {
                let xx = (x as i64 + t as i64 - r).clamp(0, w as i64 - 1) as usize;
                s += line[xx] * kv;
            }
            buf[y * w + x] = s;
        }
    }
    for x in 0..w {
        line.clear();
        line.extend((0..h).map(|y| buf[y * w + x]));
        for y in 0..h {
            let mut s = 0.0;
            for (t, kv) in k.iter().enumerate() {
                let yy = (y as i64 + t as i64 - r).clamp(0, h as i64 - 1) as usize;
                s += line[yy] * kv;
            }
            buf[y * w + x] = s;
        }
    }
}

/// The scan shown on a monitor and photographed (the third field check's `screen-moire`): the page
/// drawn at the screen's own pixels (about 5.5 a millimetre, 140 dpi: 1550–1750 down a portrait
/// screen), each pixel three stripes, red, green and blue, as bright in grey as their share of luma,
/// over a dark row (the panel's black matrix); photographed turned by up to 3°, tilted (its far edge
/// 2–6 % shorter), at 0.55–0.65 camera pixels a stripe, no whole ratio of them. The lens blurs the
/// stripes (σ 0.8–1.3 px); what it leaves of their second harmonic beats with the camera's pixels into
/// a moiré of about a millimetre that darkens and lightens the paper by a tenth of white, its phase
/// different in every box. The camera exposes for the glowing page (its white at 200–235, a gamma of
/// 0.85–1), adds shot noise and stores a JPEG (quality 78–92).
pub fn screen_photo(upright: &GrayImage, rng: &mut Rng) -> GrayImage {
    const STRIPE: [f32; 3] = [0.299, 0.587, 0.114];
    const DESK: f32 = 6.0;
    let (w, h) = upright.dimensions();
    let sh = ((h as f32 * rng.range(0.65, 0.74)).round() as u32).max(1);
    let sw = ((sh as f32 * w as f32 / h as f32).round() as u32).max(1);
    let screen = image::imageops::resize(upright, sw, sh, image::imageops::FilterType::Triangle);
    let screen = screen.as_raw();
    let (pw, ph) = (3 * sw as i64, 3 * sh as i64);
    let panel = |u: i64, v: i64| -> f32 {
        if u < 0 || v < 0 || u >= pw || v >= ph {
            DESK
        } else if v % 3 == 2 {
            0.0
        } else {
            screen[((v / 3) * sw as i64 + u / 3) as usize] as f32 * STRIPE[(u % 3) as usize]
        }
    };
    let s = rng.range(0.55, 0.65);
    let (oh, rot, tilt) = (
        (ph as f32 * s / 0.9).round() as usize,
        rng.range(-3.0, 3.0).to_radians(),
        rng.range(0.02, 0.06),
    );
    let ow = oh * 3 / 4;
    let (c, sn) = (rot.cos(), rot.sin());
    let mut buf = vec![0.0f32; ow * oh];
    for y in 0..oh {
        for x in 0..ow {
            let (xc, yc) = (
                x as f32 + 0.5 - ow as f32 / 2.0,
                y as f32 + 0.5 - oh as f32 / 2.0,
            );
            let (xr, yr) = (c * xc + sn * yc, -sn * xc + c * yc);
            let d = s * (1.0 + tilt * yr / oh as f32);
            let (u, v) = (
                xr / d + pw as f32 / 2.0 - 0.5,
                yr / d + ph as f32 / 2.0 - 0.5,
            );
            let (fu, fv) = (u.floor(), v.floor());
            let (tu, tv) = (u - fu, v - fv);
            let (iu, iv) = (fu as i64, fv as i64);
            let top = panel(iu, iv) * (1.0 - tu) + panel(iu + 1, iv) * tu;
            let bottom = panel(iu, iv + 1) * (1.0 - tu) + panel(iu + 1, iv + 1) * tu;
            buf[y * ow + x] = top * (1.0 - tv) + bottom * tv;
        }
    }
    gaussian_blur(&mut buf, ow, oh, rng.range(0.8, 1.3));
    // The exposure: the 97th percentile (the glowing page's white) brought to the camera's white.
    let mut hist = [0u32; 256];
    for v in &buf {
        hist[v.clamp(0.0, 255.0) as usize] += 1;
    }
    let (mut seen, mut white) = (0u32, 255.0f32);
    for (k, n) in hist.iter().enumerate() {
        seen += n;
        if seen as f32 >= 0.97 * buf.len() as f32 {
            white = (k as f32 + 0.5).max(1.0);
            break;
        }
    }
    let (gamma, gain) = (rng.range(0.85, 1.0), rng.range(0.8, 0.92));
    let mut out = GrayImage::new(ow as u32, oh as u32);
    for (p, v) in out.pixels_mut().zip(&buf) {
        let e = 255.0 * (v.max(0.0) / white).powf(gamma) * gain;
        let noisy = e + gaussian(rng) * e.clamp(1.0, 255.0).sqrt() * 0.22;
        p.0[0] = noisy.round().clamp(0.0, 255.0) as u8;
    }
    let quality = 78 + rng.below(15) as u8;
    synth::jpeg_round_trip(&out, quality)
}
