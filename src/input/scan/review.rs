//! The review picture: the scanned page straightened and upright, and every bubble's outline in the colour
//! of what was read, so a teacher checks doubtful marks by looking instead of re-scanning. The picture is
//! grey (a pencil mark needs no colour); the outlines are drawn over it as lines, so they stay crisp and
//! cost the picture nothing.

use image::GrayImage;

use super::PageReading;
use super::geometry::{BoxMm, BubbleMeaning, SheetGeometry};
use super::qr::bilinear;
use super::reading::BubbleState;

/// Outline colour of a bubble read as filled.
pub const FILLED_COLOUR: [u8; 3] = [0, 90, 230];
/// Outline colour of a bubble read as empty.
pub const EMPTY_COLOUR: [u8; 3] = [60, 180, 75];
/// Outline colour of a doubtful bubble.
pub const DOUBTFUL_COLOUR: [u8; 3] = [230, 25, 40];

/// A bubble's outline on the review page: the box it is drawn along (sheet mm, just outside the printed
/// outline so the mark itself stays visible), its colour by state and its line width (doubtful ones
/// thicker).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outline {
    pub area: BoxMm,
    pub colour: [u8; 3],
    pub width_mm: f32,
}

/// The sheet upright in grey, as the teacher reads it, at `ppm` pixels per mm, whichever way it lay in the
/// scan (turned, upside down, photographed in perspective): every pixel taken from the image through the
/// registration. Paper the image does not show (a torn or clipped corner) is left white.
pub fn review_image(
    img: &GrayImage,
    geom: &SheetGeometry,
    reading: &PageReading,
    ppm: f32,
) -> GrayImage {
    let h = &reading.registration.to_image;
    let ppm = ppm.max(1.0);
    let w = (geom.page_width_mm * ppm).round().max(1.0) as u32;
    let ht = (geom.page_height_mm * ppm).round().max(1.0) as u32;
    let mut out = GrayImage::new(w, ht);
    for (y, row) in out.rows_mut().enumerate() {
        let sy = (y as f32 + 0.5) / ppm;
        for (x, p) in row.enumerate() {
            let (u, v) = h.map_f32((x as f32 + 0.5) / ppm, sy);
            p.0[0] = bilinear(img, u - 0.5, v - 0.5);
        }
    }
    out
}

/// Every bubble's outline, in the geometry's order, coloured by the state read. A clear fill in a question,
/// 准考证号 column or 试卷类型 row that is doubtful as a whole (two fills where one is allowed) is outlined
/// red too: the teacher looks for red, and that question needs them as much as a faint mark does.
pub fn review_outlines(geom: &SheetGeometry, reading: &PageReading) -> Vec<Outline> {
    let group_doubtful = |meaning: &BubbleMeaning| match meaning {
        BubbleMeaning::Answer { question, .. } => reading
            .answers
            .iter()
            .any(|a| a.question == *question && a.reading.doubtful),
        BubbleMeaning::IdDigit { column, .. } => {
            reading.id.iter().any(|d| d.column == *column && d.doubtful)
        }
        BubbleMeaning::Variant { .. } => reading.variant.as_ref().is_some_and(|v| v.doubtful),
    };
    geom.bubbles
        .iter()
        .zip(&reading.bubbles)
        .map(|(b, r)| {
            let (colour, width_mm) = match r.state {
                BubbleState::Filled if group_doubtful(&b.meaning) => (DOUBTFUL_COLOUR, 0.6),
                BubbleState::Filled => (FILLED_COLOUR, 0.35),
                BubbleState::Empty => (EMPTY_COLOUR, 0.2),
                BubbleState::Doubtful => (DOUBTFUL_COLOUR, 0.6),
            };
            // The line's inner edge 0.4 mm outside the printed outline.
            Outline {
                area: b.area.shrunk(-0.4 - width_mm / 2.0, -0.4 - width_mm / 2.0),
                colour,
                width_mm,
            }
        })
        .collect()
}
