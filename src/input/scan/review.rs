//! The review picture: the scanned page straightened and upright, every bubble outlined in the colour of
//! what was read, so a teacher checks doubtful marks by looking instead of re-scanning.

use image::{GrayImage, Rgb, RgbImage};

use super::PageReading;
use super::bubbles::BubbleState;
use super::geometry::SheetGeometry;
use super::qr::bilinear;

/// Outline colour of a bubble read as filled.
pub const FILLED_COLOUR: [u8; 3] = [0, 90, 230];
/// Outline colour of a bubble read as empty.
pub const EMPTY_COLOUR: [u8; 3] = [60, 180, 75];
/// Outline colour of a doubtful bubble.
pub const DOUBTFUL_COLOUR: [u8; 3] = [230, 25, 40];

/// The sheet upright, as the teacher reads it, at `ppm` pixels per mm, whichever way it lay in the scan
/// (turned, upside down, photographed in perspective): every pixel taken from the image through the
/// registration, each bubble outlined by its state (doubtful ones drawn thicker). Paper the image does
/// not show (a torn or clipped corner) is left white.
pub fn review_image(
    img: &GrayImage,
    geom: &SheetGeometry,
    reading: &PageReading,
    ppm: f32,
) -> RgbImage {
    let h = &reading.registration.to_image;
    let ppm = ppm.max(1.0);
    let w = (geom.page_width_mm * ppm).round().max(1.0) as u32;
    let ht = (geom.page_height_mm * ppm).round().max(1.0) as u32;
    let mut out = RgbImage::new(w, ht);
    for (y, row) in out.rows_mut().enumerate() {
        let sy = (y as f32 + 0.5) / ppm;
        for (x, p) in row.enumerate() {
            let (u, v) = h.map_f32((x as f32 + 0.5) / ppm, sy);
            let g = bilinear(img, u - 0.5, v - 0.5);
            *p = Rgb([g, g, g]);
        }
    }
    for (b, r) in geom.bubbles.iter().zip(&reading.bubbles) {
        let (colour, mm) = match r.state {
            BubbleState::Filled => (FILLED_COLOUR, 0.35),
            BubbleState::Empty => (EMPTY_COLOUR, 0.2),
            BubbleState::Doubtful => (DOUBTFUL_COLOUR, 0.6),
        };
        let thick = (mm * ppm).round().max(1.0) as i64;
        // Drawn just outside the printed outline so the mark itself stays visible.
        let a = b.area.shrunk(-0.4, -0.4);
        let corners = [
            (a.x, a.y),
            (a.x + a.w, a.y),
            (a.x + a.w, a.y + a.h),
            (a.x, a.y + a.h),
        ]
        .map(|(x, y)| (x * ppm, y * ppm));
        for i in 0..4 {
            line(
                &mut out,
                corners[i],
                corners[(i + 1) % 4],
                thick,
                Rgb(colour),
            );
        }
    }
    out
}

/// A straight line of square dots `thick` pixels wide.
fn line(img: &mut RgbImage, a: (f32, f32), b: (f32, f32), thick: i64, colour: Rgb<u8>) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0) as usize;
    let half = thick / 2;
    for s in 0..=steps {
        let t = s as f32 / steps as f32;
        let x = (a.0 + (b.0 - a.0) * t).round() as i64;
        let y = (a.1 + (b.1 - a.1) * t).round() as i64;
        for yy in y - half..y - half + thick {
            for xx in x - half..x - half + thick {
                if xx >= 0 && yy >= 0 && xx < w && yy < h {
                    img.put_pixel(xx as u32, yy as u32, colour);
                }
            }
        }
    }
}
