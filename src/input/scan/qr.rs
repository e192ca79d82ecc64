//! Reading the sheet's QR code with `rqrr`: first from the box the geometry names, straightened through the
//! registration (small, upright, fast), then from the whole image when that fails.

use image::GrayImage;

use super::geometry::BoxMm;
use super::homography::Homography;

/// Quiet zone added around the QR box when cutting it out (mm); the code needs white around it.
const QUIET_MM: f32 = 3.0;

/// The QR code's text from its box on the sheet, the box mapped through `to_image`.
pub fn decode_region(img: &GrayImage, qr: &BoxMm, to_image: &Homography) -> Option<String> {
    let (cx, cy) = qr.centre();
    let ppm = to_image.local_scale(cx as f64, cy as f64) as f32;
    // Straightened at the scan's own resolution, but no finer than rqrr needs: about four pixels a module
    // for codes up to version 6 (41 modules) keeps the cut-out small and the search quick. A noisy,
    // blurred low-resolution scan can defeat that first try; twice as fine and cut to black and white
    // at its own mid-grey usually reads.
    let scale = ppm.min(164.0 / qr.w.min(qr.h).max(1.0)).max(3.0);
    decode_straightened(img, qr, to_image, scale, false)
        .or_else(|| decode_straightened(img, qr, to_image, (2.0 * scale).min(12.0), true))
}

fn decode_straightened(
    img: &GrayImage,
    qr: &BoxMm,
    to_image: &Homography,
    scale: f32,
    binarize: bool,
) -> Option<String> {
    let (w, h, px) = straightened(img, qr, to_image, scale, binarize);
    decode_pixels(w, h, &px)
}

/// The QR box and its quiet zone cut out of the image through `to_image`, upright, `scale` pixels a mm.
fn straightened(
    img: &GrayImage,
    qr: &BoxMm,
    to_image: &Homography,
    scale: f32,
    binarize: bool,
) -> (usize, usize, Vec<u8>) {
    let (x0, y0) = (qr.x - QUIET_MM, qr.y - QUIET_MM);
    let w = ((qr.w + 2.0 * QUIET_MM) * scale).ceil() as usize;
    let h = ((qr.h + 2.0 * QUIET_MM) * scale).ceil() as usize;
    let mut px = vec![255u8; w * h];
    for j in 0..h {
        for i in 0..w {
            let (u, v) =
                to_image.map_f32(x0 + (i as f32 + 0.5) / scale, y0 + (j as f32 + 0.5) / scale);
            px[j * w + i] = bilinear(img, u - 0.5, v - 0.5);
        }
    }
    if binarize {
        let (lo, hi) = px
            .iter()
            .fold((255u8, 0u8), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let mid = ((lo as u16 + hi as u16) / 2) as u8;
        for v in &mut px {
            *v = if *v < mid { 0 } else { 255 };
        }
    }
    (w, h, px)
}

/// A point of the sheet (mm) and where it is in the image (pixels).
pub type Pair = ((f64, f64), (f64, f64));

/// The QR code's four corners found where `to_image` puts its box: the sheet's printed corners and
/// where the code's own finder patterns place them in the image. Lets a rough fit (two corner marks)
/// be pinned down by the code.
pub fn locate_region(img: &GrayImage, qr: &BoxMm, to_image: &Homography) -> Option<Vec<Pair>> {
    let (cx, cy) = qr.centre();
    let ppm = to_image.local_scale(cx as f64, cy as f64) as f32;
    let scale = ppm.clamp(4.0, 12.0);
    let (w, h, px) = straightened(img, qr, to_image, scale, false);
    let (bounds, modules) = bounds_of(w, h, &px)?;
    let (x0, y0) = ((qr.x - QUIET_MM) as f64, (qr.y - QUIET_MM) as f64);
    let printed = printed_corners(qr, modules);
    Some(
        (0..4)
            .map(|k| {
                let (bx, by) = bounds[k];
                let approx = (x0 + bx / scale as f64, y0 + by / scale as f64);
                (printed[k], to_image.map(approx.0, approx.1))
            })
            .collect(),
    )
}

/// The QR code found anywhere in the image: its four printed corners on the sheet and in the image.
pub fn locate_whole(img: &GrayImage, qr: &BoxMm) -> Option<[Pair; 4]> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (bounds, modules) = if w.max(h) > 2400 {
        let (hw, hh, px) = halved(img);
        let (b, n) = bounds_of(hw, hh, &px)?;
        (b.map(|(x, y)| (2.0 * x, 2.0 * y)), n)
    } else {
        bounds_of(w, h, img.as_raw())?
    };
    let printed = printed_corners(qr, modules);
    Some([0, 1, 2, 3].map(|k| (printed[k], bounds[k])))
}

/// Where rqrr's bounds of a code of `modules` modules lie on the sheet: it measures them in modules
/// from the code's top-left corner, out to `modules + 1` (its own convention), clockwise from the
/// code's top left.
fn printed_corners(qr: &BoxMm, modules: usize) -> [(f64, f64); 4] {
    let module = qr.w as f64 / modules as f64;
    let far = module * (modules as f64 + BOUND_EXTRA);
    let (x, y) = (qr.x as f64, qr.y as f64);
    [(x, y), (x + far, y), (x + far, y + far), (x, y + far)]
}

/// rqrr's bounds reach this many modules past the code's last module.
const BOUND_EXTRA: f64 = 1.0;

/// The corners of the first code that decodes, and its size in modules.
fn bounds_of(w: usize, h: usize, px: &[u8]) -> Option<([(f64, f64); 4], usize)> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
    prepared.detect_grids().into_iter().find_map(|g| {
        let (meta, _) = g.decode().ok()?;
        let b = g.bounds;
        Some((
            [0, 1, 2, 3].map(|k| (b[k].x as f64, b[k].y as f64)),
            meta.version.to_size(),
        ))
    })
}

fn halved(img: &GrayImage) -> (usize, usize, Vec<u8>) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let (hw, hh) = (w / 2, h / 2);
    let mut px = vec![0u8; hw * hh];
    for y in 0..hh {
        for x in 0..hw {
            let s = raw[2 * y * w + 2 * x] as u32
                + raw[2 * y * w + 2 * x + 1] as u32
                + raw[(2 * y + 1) * w + 2 * x] as u32
                + raw[(2 * y + 1) * w + 2 * x + 1] as u32;
            px[y * hw + x] = (s / 4) as u8;
        }
    }
    (hw, hh, px)
}

/// The QR code's text found anywhere in the image (large scans are halved first to keep this quick).
pub fn decode_whole(img: &GrayImage) -> Option<String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    if w.max(h) > 2400 {
        let (hw, hh, px) = halved(img);
        if let Some(t) = decode_pixels(hw, hh, &px) {
            return Some(t);
        }
    }
    decode_pixels(w, h, raw)
}

fn decode_pixels(w: usize, h: usize, px: &[u8]) -> Option<String> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
}

/// The image's brightness at (x, y) in pixel-centre coordinates, white outside the image.
pub fn bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (fx, fy) = (floor(x), floor(y));
    let (ix, iy) = (fx as i64, fy as i64);
    let (tx, ty) = (x - fx, y - fy);
    let raw = img.as_raw();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w || y >= h {
            255.0
        } else {
            raw[(y * w + x) as usize] as f32
        }
    };
    let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
    let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
    round(top * (1.0 - ty) + bottom * ty).clamp(0.0, 255.0) as u8
}

// A QR cut-out and a review picture sample the page a few hundred thousand times, and without SSE4.1
// `f32::floor` and `f32::round` are library calls. Below 2^23 every f32 is an integer plus an exact
// fraction `x - trunc(x)`, so both follow from the truncating cast; NaN and larger values go to the
// library. The same value (but for the sign of a zero, which the cast to an integer ignores).
#[inline]
fn floor(x: f32) -> f32 {
    if x.is_nan() || x.abs() >= 8_388_608.0 {
        return x.floor();
    }
    let t = x as i32 as f32;
    if t > x { t - 1.0 } else { t }
}

#[inline]
fn round(x: f32) -> f32 {
    if x.is_nan() || x.abs() >= 8_388_608.0 {
        return x.round();
    }
    let t = x as i32 as f32;
    let f = x - t;
    if f >= 0.5 {
        t + 1.0
    } else if f <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_round_are_the_library_s() {
        let mut values = vec![
            0.0f32,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999997,
            -0.49999997,
            8_388_607.5,
            8_388_608.0,
            -8_388_609.0,
            1e20,
            f32::MAX,
            f32::MIN_POSITIVE,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        // Every quarter and some odd fractions over a range a page's pixels span, both signs.
        for k in -40_000..40_000 {
            values.push(k as f32 / 4.0);
            values.push(k as f32 * 0.1373);
        }
        for x in values {
            assert_eq!(floor(x), x.floor(), "floor({x})");
            assert_eq!(round(x), x.round(), "round({x})");
            assert_eq!(floor(x) as i64, x.floor() as i64, "floor({x})");
        }
        assert!(floor(f32::NAN).is_nan() && round(f32::NAN).is_nan());
    }
}
