//! A colour JPEG of a page shown on a screen and photographed decodes to a grey page without the beat
//! of the screen's coloured stripes, its pencil as dark as before (see [`super::chroma`]); an ordinary
//! colour JPEG still decodes to its luma.

use image::{GrayImage, RgbImage};

use super::input::{load_pages, luma_for_tests};

/// Page size in screen pixels, and camera pixels per sub-pixel stripe (0.55–0.65 in the field checks:
/// no whole ratio of them, so each channel's stripes beat with the camera's pixels).
const SW: usize = 300;
const SH: usize = 400;
const CAMERA_PER_STRIPE: f32 = 0.6;
/// The camera turned against the screen: a beat square to the pixel grid would lie on the spectrum's
/// axes, which the screen test leaves out (JPEG's blocks put their own lines there).
const TURN_DEG: f32 = 2.0;

/// The page on the screen: white paper with a pencil bar (grey 120) across its middle third, rows
/// 180–219.
fn screen_page() -> Vec<u8> {
    let mut p = vec![250u8; SW * SH];
    for y in 180..220 {
        for x in SW / 3..2 * SW / 3 {
            p[y * SW + x] = 120;
        }
    }
    p
}

/// The screen photographed square on: each screen pixel three stripes side by side (red, green, blue,
/// each its own channel at the pixel's grey) over a dark row, sampled at [`CAMERA_PER_STRIPE`]
/// bilinearly, then a lens blur of about a pixel.
fn photographed(page: &[u8]) -> RgbImage {
    let (pw, ph) = (3 * SW, 3 * SH);
    let panel = |u: i64, v: i64, c: usize| -> f32 {
        if u < 0 || v < 0 || u >= pw as i64 || v >= ph as i64 || v % 3 == 2 || (u % 3) as usize != c
        {
            0.0
        } else {
            page[(v as usize / 3) * SW + u as usize / 3] as f32
        }
    };
    let (ow, oh) = (
        (pw as f32 * CAMERA_PER_STRIPE) as usize,
        (ph as f32 * CAMERA_PER_STRIPE) as usize,
    );
    let (sin, cos) = TURN_DEG.to_radians().sin_cos();
    let mut chans = vec![vec![0.0f32; ow * oh]; 3];
    for (c, buf) in chans.iter_mut().enumerate() {
        for y in 0..oh {
            for x in 0..ow {
                let (xc, yc) = (
                    x as f32 + 0.5 - ow as f32 / 2.0,
                    y as f32 + 0.5 - oh as f32 / 2.0,
                );
                let (u, v) = (
                    (cos * xc + sin * yc) / CAMERA_PER_STRIPE + pw as f32 / 2.0 - 0.5,
                    (-sin * xc + cos * yc) / CAMERA_PER_STRIPE + ph as f32 / 2.0 - 0.5,
                );
                let (fu, fv) = (u.floor(), v.floor());
                let (tu, tv) = (u - fu, v - fv);
                let (iu, iv) = (fu as i64, fv as i64);
                let top = panel(iu, iv, c) * (1.0 - tu) + panel(iu + 1, iv, c) * tu;
                let bottom = panel(iu, iv + 1, c) * (1.0 - tu) + panel(iu + 1, iv + 1, c) * tu;
                buf[y * ow + x] = top * (1.0 - tv) + bottom * tv;
            }
        }
        blur(buf, ow, oh);
        blur(buf, ow, oh);
    }
    // The camera exposes for the glowing page: the 97th percentile of the channels' mean at 215.
    let mut level: Vec<f32> = (0..ow * oh)
        .map(|k| (chans[0][k] + chans[1][k] + chans[2][k]) / 3.0)
        .collect();
    let at = level.len() * 97 / 100;
    let white = level.select_nth_unstable_by(at, f32::total_cmp).1.max(1.0);
    let gain = 215.0 / white;
    RgbImage::from_fn(ow as u32, oh as u32, |x, y| {
        let k = y as usize * ow + x as usize;
        image::Rgb([0, 1, 2].map(|c| (chans[c][k] * gain).round().clamp(0.0, 255.0) as u8))
    })
}

/// A Gaussian blur of σ 1 px (kernel 1 4 6 4 1 / 16), rows then columns: the lens's, taken twice.
fn blur(buf: &mut [f32], w: usize, h: usize) {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
    let src = buf.to_vec();
    for y in 0..h {
        for x in 0..w {
            buf[y * w + x] = (0..5)
                .map(|k| K[k] * src[y * w + (x + k).saturating_sub(2).min(w - 1)])
                .sum();
        }
    }
    let src = buf.to_vec();
    for y in 0..h {
        for x in 0..w {
            buf[y * w + x] = (0..5)
                .map(|k| K[k] * src[(y + k).saturating_sub(2).min(h - 1) * w + x])
                .sum();
        }
    }
}

/// The image written as a JPEG (quality 90) and read back as the scanner reads a page.
fn through_jpeg(img: &RgbImage) -> GrayImage {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .unwrap();
    std::fs::write(&path, out).unwrap();
    let mut pages = load_pages(&path);
    assert_eq!(pages.len(), 1);
    pages.remove(0).unwrap().image
}

/// The amplitude (grey levels) of the wave of frequency `k` (cycles a pixel, across and down) in a
/// rectangle of `img`: the stripes' beat is one such wave, the dark rows' another, at right angles.
fn wave(img: &GrayImage, k: (f32, f32), (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> f32 {
    let m = mean_of(img, (x0, x1), (y0, y1));
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for y in y0..y1 {
        for x in x0..x1 {
            let g = (img.get_pixel(x, y).0[0] as f32 - m) as f64;
            let a = std::f64::consts::TAU * (k.0 as f64 * x as f64 + k.1 as f64 * y as f64);
            re += g * a.cos();
            im += g * a.sin();
        }
    }
    let n = ((x1 - x0) * (y1 - y0)) as f64;
    (2.0 * re.hypot(im) / n) as f32
}

/// The mean grey of a rectangle.
fn mean_of(img: &GrayImage, (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> f32 {
    let mut s = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            s += img.get_pixel(x, y).0[0] as f32;
        }
    }
    s / ((x1 - x0) * (y1 - y0)) as f32
}

/// The screen photo's stripes beat in its luma by about 20 grey levels (what the scanner read before);
/// decoded as a screen photo, by less than half that (a quarter with the JPEG's chroma at half
/// resolution, nothing without), while the dark rows' beat, alike in all channels, stays; the pencil
/// bar stands as far under the paper as in the luma.
#[test]
fn a_screen_photo_decodes_without_its_stripes_beat_and_keeps_its_pencil() {
    let photo = photographed(&screen_page());
    let luma = GrayImage::from_fn(photo.width(), photo.height(), |x, y| {
        let p = photo.get_pixel(x, y).0;
        image::Luma([luma_for_tests(p[0], p[1], p[2])])
    });
    let grey = through_jpeg(&photo);
    assert_eq!(grey.dimensions(), photo.dimensions());
    assert!(
        super::spectrum::is_screen_photo(&luma),
        "the fabricated photo must read as a screen's"
    );
    // A stripe's second harmonic (two cycles a screen pixel, turned with the camera) less the camera's
    // own sampling: the beat the stripes leave; the dark rows' beat is the same at right angles.
    let f = 2.0 / (3.0 * CAMERA_PER_STRIPE);
    let (sin, cos) = TURN_DEG.to_radians().sin_cos();
    let stripes = (f * cos - 1.0, f * sin);
    let rows = (-f * sin, f * cos - 1.0);
    // Blank paper above the bar (screen rows 40–140), and the bar's middle (rows 190–210).
    let c = |v: usize| (v as f32 * 3.0 * CAMERA_PER_STRIPE) as u32;
    let paper = ((c(20), c(SW - 20)), (c(40), c(140)));
    let bar = ((c(SW / 3 + 10), c(2 * SW / 3 - 10)), (c(190), c(210)));
    let (beat_luma, beat) = (
        wave(&luma, stripes, paper.0, paper.1),
        wave(&grey, stripes, paper.0, paper.1),
    );
    assert!(beat_luma > 8.0, "the luma's beat {beat_luma}");
    assert!(
        beat < 0.5 * beat_luma,
        "beat left {beat} (luma {beat_luma})"
    );
    let (rows_luma, rows_left) = (
        wave(&luma, rows, paper.0, paper.1),
        wave(&grey, rows, paper.0, paper.1),
    );
    assert!(
        (rows_left - rows_luma).abs() < 0.25 * rows_luma,
        "rows {rows_left} luma {rows_luma}"
    );
    let depth = |img: &GrayImage| {
        let p = mean_of(img, paper.0, paper.1);
        (p - mean_of(img, bar.0, bar.1)) / p
    };
    let (d_luma, d) = (depth(&luma), depth(&grey));
    assert!((d - d_luma).abs() < 0.05, "bar {d} luma {d_luma}");
}

/// A colour photo of paper (no screen: no beat) decodes to its luma as before: a warm page with a green
/// mark reads the green mark as luma weighs it, not as the channels' mean.
#[test]
fn an_ordinary_colour_jpeg_still_decodes_to_its_luma() {
    let photo = RgbImage::from_fn(600, 800, |x, y| {
        if (300..340).contains(&y) && (200..400).contains(&x) {
            image::Rgb([40, 200, 40])
        } else {
            image::Rgb([235, 225, 200])
        }
    });
    let grey = through_jpeg(&photo);
    let mark = mean_of(&grey, (220, 380), (310, 330));
    let want = luma_for_tests(40, 200, 40) as f32;
    let mean = (40.0 + 200.0 + 40.0) / 3.0;
    assert!(
        (mark - want).abs() < 4.0,
        "mark {mark} luma {want} mean {mean}"
    );
}
