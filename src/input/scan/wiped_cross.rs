//! A light fill crossed out on a copier's 1-bit page (#23, the second field check's `cancel` by a light
//! hand on `bilevel200` pages): the threshold wipes the fill and leaves the cross, which alone would read
//! as a cross mark. Such a box goes to a person.
//!
//! What is left on the page, physically: a light pencil fill lies near the copier's threshold, so the
//! cut keeps only its darkest grains — where the hand pressed harder, where strokes overlap, where they
//! turn at the outline — as specks scattered over the box. The × drawn over the fill to cancel it adds
//! its graphite to the fill's: along its strokes the page is darkest, and the cut keeps two clean
//! lines corner to corner (a cancelling cross is drawn from corner to corner, over the whole box), with
//! the fill's specks beside them. A cross drawn as a mark on an empty box leaves its two lines and
//! nothing between them; a scribble or a hatched fill leaves strokes all over the box, most of its ink
//! off the two diagonals. So: both diagonals of the box inked along most of their length, most of the
//! ink on them, and specks off them that are not the printed letter — a wiped fill under a cross.
//!
//! Measured per box, only on 1-bit pages and only on boxes read as a mark of strokes or a line round
//! the box (the fill's grains pressed against the outline read as one): about a thousand samples of
//! the box, the same places in a few unmarked boxes of the same label for its print.

use super::geometry::{BubbleMeaning, SheetGeometry};
use super::homography::Homography;
use super::marks::Prepared;
use super::reading::{BubbleReading, BubbleState, MarkShape};

/// How far inside the outline (mm) the box is looked at: clear of the printed outline, which the
/// threshold thickens by a pixel or two.
const INSET: f32 = 0.3;
/// Spacing of the samples (mm): under a 200 dpi pixel (0.13 mm).
const STEP: f32 = 0.1;
/// Points looked at along each diagonal.
const ALONG: usize = 40;
/// How far (mm) each end of a stroke may lie off the box's corner: a hand aims at the corner.
const OFF_CORNER: f32 = 0.4;
/// The share of a diagonal's points with ink within a sample of them for a stroke to run along it: a
/// cut stroke breaks where its pencil was lightest, and the printed letter hides a little of it.
const ALONG_SHARE: f32 = 0.85;
/// How far (mm) from a stroke's middle its own ink reaches: half a broad pencil's width and a pixel.
const ON_STROKE: f32 = 0.35;
/// The least ink off both strokes (samples, 0.01 mm² each) that is specks of the fill: a cross drawn
/// on an empty box leaves nothing between its strokes but a jagged pixel of its own edge.
const SPECKS: usize = 4;
/// The most of the ink (beyond the print) that may lie off the two strokes: a scribble's or a hatched
/// fill's strokes spread over the box, most of their ink off its diagonals.
const OFF_SHARE: f32 = 0.35;
/// How many unmarked boxes of the same label lend their print, at most.
const PRINT_BOXES: usize = 8;

/// Boxes read as marks on a 1-bit page that hold a cross corner to corner over a wiped fill's specks
/// (see the module's doc) turned into smudges, which a person decides.
pub(crate) fn flag_crosses_over_wiped_fills(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    readings: &mut [BubbleReading],
) {
    if std::env::var("C10_OFF").is_ok() {
        return;
    } // TEMP
    let n = readings.len().min(geom.bubbles.len());
    for i in 0..n {
        let r = &readings[i];
        if r.state != BubbleState::Filled
            || !matches!(r.shape, MarkShape::Stroke | MarkShape::Circle)
        {
            continue;
        }
        let BubbleMeaning::Answer { option, .. } = &geom.bubbles[i].meaning else {
            continue;
        };
        let a = &geom.bubbles[i].area;
        let Some(own) = sample_box(page, h, a) else {
            // Not a 1-bit page (or the box off the image): nothing to do here.
            if page_is_grey(page, h, a) {
                return;
            }
            continue;
        };
        // The print: the same places in the nearest unmarked boxes of the same label.
        let (cx, cy) = a.centre();
        let mut alike: Vec<(f32, usize)> = (0..n)
            .filter(|&j| {
                j != i
                    && readings[j].shape == MarkShape::None
                    && matches!(&geom.bubbles[j].meaning, BubbleMeaning::Answer { option: o, .. } if o == option)
                    && (geom.bubbles[j].area.w - a.w).abs() < 0.05
                    && (geom.bubbles[j].area.h - a.h).abs() < 0.05
            })
            .map(|j| {
                let (x, y) = geom.bubbles[j].area.centre();
                ((x - cx).hypot(y - cy), j)
            })
            .collect();
        alike.sort_by(|p, q| p.0.total_cmp(&q.0));
        let prints: Vec<Grid> = alike
            .iter()
            .take(PRINT_BOXES)
            .filter_map(|&(_, j)| sample_box(page, h, &geom.bubbles[j].area))
            .collect();
        if prints.len() < 3 {
            continue;
        }
        if crossed_over_specks(&own, &prints) {
            readings[i].shape = MarkShape::Smudge;
            readings[i].state = BubbleState::Doubtful;
        }
    }
}

/// A box's inside sampled every [`STEP`]: black or not, row by row.
struct Grid {
    nx: usize,
    ny: usize,
    black: Vec<bool>,
}

impl Grid {
    fn at(&self, x: i64, y: i64) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.nx
            && (y as usize) < self.ny
            && self.black[y as usize * self.nx + x as usize]
    }
    /// Black within one sample of (x, y) (grid units).
    fn near(&self, x: f32, y: f32) -> bool {
        let (x, y) = (x.round() as i64, y.round() as i64);
        (-1..=1).any(|dy| (-1..=1).any(|dx| self.at(x + dx, y + dy)))
    }
}

/// The inside of box `a` (inset by [`INSET`]) sampled on the page, each sample the pixel under it;
/// `None` when a pixel looked at is neither pure black nor pure white (not a 1-bit page) or lies off
/// the image.
fn sample_box(page: &Prepared, h: &Homography, a: &super::geometry::BoxMm) -> Option<Grid> {
    let img = page.pixels();
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let (w, hh) = (a.w - 2.0 * INSET, a.h - 2.0 * INSET);
    if w <= 0.0 || hh <= 0.0 {
        return None;
    }
    let (nx, ny) = ((w / STEP) as usize + 1, (hh / STEP) as usize + 1);
    let mut black = Vec::with_capacity(nx * ny);
    for yk in 0..ny {
        for xk in 0..nx {
            let (u, v) = h.map_f32(
                a.x + INSET + xk as f32 * STEP,
                a.y + INSET + yk as f32 * STEP,
            );
            let (u, v) = (u.round() as i64, v.round() as i64);
            if u < 0 || v < 0 || u >= iw || v >= ih {
                return None;
            }
            let p = raw[(v * iw + u) as usize];
            if p != 0 && p != u8::MAX {
                return None;
            }
            black.push(p == 0);
        }
    }
    Some(Grid { nx, ny, black })
}

/// Whether the pixel at box `a`'s centre is grey: the page is not black and white only.
fn page_is_grey(page: &Prepared, h: &Homography, a: &super::geometry::BoxMm) -> bool {
    let img = page.pixels();
    let (cx, cy) = a.centre();
    let (u, v) = h.map_f32(cx, cy);
    let (u, v) = (u.round() as i64, v.round() as i64);
    if u < 0 || v < 0 || u >= img.width() as i64 || v >= img.height() as i64 {
        return false;
    }
    let p = img.get_pixel(u as u32, v as u32).0[0];
    p != 0 && p != u8::MAX
}

/// Whether the box `own` holds an × corner to corner with specks of a fill beside its strokes, its
/// print taken from the boxes `prints` (see the module's doc).
fn crossed_over_specks(own: &Grid, prints: &[Grid]) -> bool {
    let (nx, ny) = (own.nx, own.ny);
    // Print where most of the boxes alike are black within a sample.
    let print: Vec<bool> = (0..nx * ny)
        .map(|k| {
            let (x, y) = ((k % nx) as f32, (k / nx) as f32);
            let votes = prints
                .iter()
                .filter(|p| p.nx == nx && p.ny == ny && p.near(x, y))
                .count();
            2 * votes > prints.len()
        })
        .collect();
    // Each diagonal: the stroke through points near its corners with the most of its length inked.
    let off = (OFF_CORNER / STEP).round() as i64;
    let (w, hh) = ((nx - 1) as f32, (ny - 1) as f32);
    let mut strokes = Vec::new();
    for (from_y, to_y) in [(0.0, hh), (hh, 0.0)] {
        let mut best = (0usize, (0.0f32, 0.0f32), (0.0f32, 0.0f32));
        for d0 in -off..=off {
            for d1 in -off..=off {
                let p0 = (0.0, from_y + d0 as f32);
                let p1 = (w, to_y + d1 as f32);
                let hits = (0..ALONG)
                    .filter(|&k| {
                        let t = (k as f32 + 0.5) / ALONG as f32;
                        own.near(p0.0 + t * (p1.0 - p0.0), p0.1 + t * (p1.1 - p0.1))
                    })
                    .count();
                if hits > best.0 {
                    best = (hits, p0, p1);
                }
            }
        }
        if (best.0 as f32) < ALONG_SHARE * ALONG as f32 {
            return false;
        }
        strokes.push((best.1, best.2));
    }
    let reach = ON_STROKE / STEP;
    let (mut ink, mut off_strokes) = (0usize, 0usize);
    for k in 0..nx * ny {
        if !own.black[k] || print[k] {
            continue;
        }
        ink += 1;
        let (x, y) = ((k % nx) as f32, (k / nx) as f32);
        let far = strokes.iter().all(|&(p0, p1)| {
            let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
            ((x - p0.0) * dy - (y - p0.1) * dx).abs() / dx.hypot(dy) > reach
        });
        if far {
            off_strokes += 1;
        }
    }
    off_strokes >= SPECKS && (off_strokes as f32) <= OFF_SHARE * ink as f32
}
