//! The review picture: the scanned page with every bubble outlined in the colour of what was read, so a
//! teacher checks doubtful marks by looking instead of re-scanning.

use image::{GrayImage, Rgb, RgbImage};

use super::PageReading;
use super::bubbles::BubbleState;
use super::geometry::SheetGeometry;

/// Outline colour of a bubble read as filled.
pub const FILLED_COLOUR: [u8; 3] = [0, 90, 230];
/// Outline colour of a bubble read as empty.
pub const EMPTY_COLOUR: [u8; 3] = [60, 180, 75];
/// Outline colour of a doubtful bubble.
pub const DOUBTFUL_COLOUR: [u8; 3] = [230, 25, 40];

/// The page in colour with each bubble outlined by its state (doubtful ones drawn thicker).
pub fn review_image(img: &GrayImage, geom: &SheetGeometry, reading: &PageReading) -> RgbImage {
    let mut out = RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let v = img.get_pixel(x, y).0[0];
        Rgb([v, v, v])
    });
    let h = &reading.registration.to_image;
    let ppm = reading.registration.pixels_per_mm.max(1.0);
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
        .map(|(x, y)| h.map_f32(x, y));
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
