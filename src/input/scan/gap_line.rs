//! A check's long arm across the gap between two boxes on a copier's 1-bit page (#23, the second field
//! check's `check-long` on `bilevel200` pages): the box the arm crosses goes to a person, not read as
//! the mark.
//!
//! What is seen, physically: a check is written in one motion from the left, and its flat exit stroke
//! runs on through the next box on the row, so the stroke crosses the paper between the two boxes as
//! one line, at a slant of a few degrees to a few tens. Nothing is printed in that gap (the letters sit
//! inside their boxes, the question number left of the first box), so any line crossing it from one
//! box's side to the next box's is a stroke drawn through both. On a 1-bit page a thin ballpoint or
//! pencil line near the threshold comes out as dashes a pixel or two tall (200 dpi: 0.13 mm a pixel),
//! which the contour round a box, sampled along rays about 0.4 mm apart, can miss altogether when the
//! line runs almost along them; read pixel by pixel, the gap still shows the dashes near both boxes,
//! at heights one slanting line joins.
//!
//! What else lies in such a gap, and why it is no crossing line: a copier streak runs down the page, a
//! whole column of the gap dark (a run taller than a stroke is thick); a fill's overrun or a left
//! hand's smear comes from a box read as a fill (left out); a circle's line (left out, its box read as
//! a circle); a stroke overshooting its own box stops short of the next one (ink near one side only).
//!
//! Measured per pair of boxes side by side, only where the right one is read as a mark of strokes and
//! neither is a fill or a circle, only on 1-bit pages: a few hundred samples each.

use super::geometry::{BoxMm, SheetGeometry};
use super::homography::Homography;
use super::page::Prepared;
use super::reading::{BubbleReading, BubbleState, MarkShape};

/// How far (mm) from each box's side the gap is looked at: clear of the printed outline, which the
/// threshold thickens by a pixel or two (a pixel is 0.13 mm at 200 dpi).
const CLEAR_OF_OUTLINE: f32 = 0.3;
/// How wide (mm) the gap between two boxes side by side may be for them to count as neighbours on a
/// row (the answer grid's gaps are 1.2–1.4 mm).
const MAX_GAP: f32 = 2.0;
/// Spacing of the samples (mm): under a 200 dpi pixel, so no pixel of a dash is skipped.
const STEP: f32 = 0.1;
/// How far (mm) in from each end of the gap the line's ink must be seen: a stroke from box to box
/// crosses both ends; a dashed line may break in between.
const END: f32 = 0.2;
/// The tallest dark run (mm) in one column of the gap that is still a stroke crossing it: a line 0.5 mm
/// thick at up to 40° covers 0.65 mm of a column; a streak down the page covers all of it.
const MAX_RUN: f32 = 0.8;
/// The steepest slant (degrees from the row) of the line joining the ink at both ends: a check's arm
/// rises 6–18°, its dip descends at up to 60° (left out: it lies in its own box).
const MAX_SLANT: f32 = 40.0;
/// How far (mm) above or below the boxes' common height a crossing may lie.
const ABOVE_BELOW: f32 = 0.2;

/// Boxes read as strokes with a line crossing the gap to their left from the box beside it (see the
/// module's doc) go to a person; the box it comes from, read as nothing (its dip wiped out or hidden
/// under the printed letter), too.
pub(crate) fn flag_arms_across_gaps(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    readings: &mut [BubbleReading],
) {
    let n = readings.len().min(geom.bubbles.len());
    let mut flagged = Vec::new();
    for i in 0..n {
        let r = &readings[i];
        if r.state != BubbleState::Filled
            || !matches!(r.shape, MarkShape::Stroke | MarkShape::Small)
        {
            continue;
        }
        let a = &geom.bubbles[i].area;
        for j in 0..n {
            let o = &geom.bubbles[j].area;
            if j == i || matches!(readings[j].shape, MarkShape::Fill | MarkShape::Circle) {
                continue;
            }
            let gap = a.x - (o.x + o.w);
            let same_row = o.y < a.y + a.h && o.y + o.h > a.y;
            if !same_row || !(0.5..=MAX_GAP).contains(&gap) {
                continue;
            }
            match line_across(page, h, o, a) {
                Some(true) => flagged.push((i, j)),
                Some(false) => {}
                // Not a 1-bit page: nothing else to look at on it.
                None => return,
            }
        }
    }
    for (i, j) in flagged {
        readings[i].shape = MarkShape::Smudge;
        readings[i].state = BubbleState::Doubtful;
        if readings[j].shape == MarkShape::None {
            readings[j].shape = MarkShape::Smudge;
            readings[j].state = BubbleState::Doubtful;
        }
    }
}

/// Whether a line crosses the gap between box `left` and box `right` beside it (see the module's doc);
/// `None` when the page is not black and white only.
fn line_across(page: &Prepared, h: &Homography, left: &BoxMm, right: &BoxMm) -> Option<bool> {
    let img = page.pixels();
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let x0 = left.x + left.w + CLEAR_OF_OUTLINE;
    let x1 = right.x - CLEAR_OF_OUTLINE;
    let y0 = left.y.max(right.y) - ABOVE_BELOW;
    let y1 = (left.y + left.h).min(right.y + right.h) + ABOVE_BELOW;
    let cols = ((x1 - x0) / STEP).floor() as usize + 1;
    let rows = ((y1 - y0) / STEP).floor() as usize + 1;
    if x1 <= x0 || rows < 2 {
        return Some(false);
    }
    // Per column, the middles of its dark runs no taller than a stroke crossing it.
    let mut crossings: Vec<Vec<f32>> = Vec::with_capacity(cols);
    for c in 0..cols {
        let x = x0 + c as f32 * STEP;
        let mut runs = Vec::new();
        let mut start: Option<usize> = None;
        for r in 0..=rows {
            let dark = r < rows && {
                let y = y0 + r as f32 * STEP;
                let (u, v) = h.map_f32(x, y);
                let (u, v) = (u.round() as i64, v.round() as i64);
                if u < 0 || v < 0 || u >= iw || v >= ih {
                    return Some(false);
                }
                let p = raw[(v * iw + u) as usize];
                if p != 0 && p != u8::MAX {
                    return None;
                }
                p == 0
            };
            match (dark, start) {
                (true, None) => start = Some(r),
                (false, Some(s)) => {
                    // A run touching the top or bottom end may go on past it: no telling its height.
                    let len = (r - s) as f32 * STEP;
                    if len <= MAX_RUN && s > 0 && r < rows {
                        runs.push(y0 + (s + r - 1) as f32 * STEP / 2.0);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        crossings.push(runs);
    }
    let end = ((END / STEP).round() as usize).max(1).min(cols);
    let near_left: Vec<(f32, f32)> = (0..end)
        .flat_map(|c| crossings[c].iter().map(move |&y| (x0 + c as f32 * STEP, y)))
        .collect();
    let near_right: Vec<(f32, f32)> = (cols - end..cols)
        .flat_map(|c| crossings[c].iter().map(move |&y| (x0 + c as f32 * STEP, y)))
        .collect();
    let slope = MAX_SLANT.to_radians().tan();
    Some(near_left.iter().any(|&(xa, ya)| {
        near_right
            .iter()
            .any(|&(xb, yb)| xb > xa && (yb - ya).abs() <= slope * (xb - xa) + STEP)
    }))
}
