//! A check √ drawn with a long flat arm: the pen comes down into the meant box, turns at the vertex
//! (the lowest point of the stroke) and leaves with a long exit stroke rising to the right, through
//! the next box on the row (or two). The box the arm crosses holds a straight line as a tick does, and
//! often more of it than the meant box, whose short dip may hide under the printed letter; on a 1-bit
//! copier page the thin arm also breaks into dashes, and no grey tells a light line from paper.
//!
//! What decides whose the ink is: a check is written in one motion from the left, so its exit stroke
//! enters a box from the left (or from below on the left, rising); and the vertex, where the pen
//! turns, is the lowest point of the stroke, so the box holding the vertex holds ink lower than
//! anything the rising arm leaves in the boxes it crosses.

use super::geometry::BoxMm;

/// How close (mm) to a box a run of ink must come to touch it (as in [`super::arms`]): the printed
/// outline reads as no ink once the print is taken away.
const TOUCH: f32 = 0.4;
/// The longest break (mm) a line may have and still be one line: a ballpoint skips where it loses
/// the paper for a moment, and a copier's 1-bit threshold breaks a thin line lying near it into dashes
/// (a 200 dpi pixel is 0.13 mm; breaks of two or three pixels are common). Two marks on either side
/// of the 1.2 mm gap between boxes are further apart than this.
const BREAK: f32 = 0.45;
/// How much lower (mm) than the arm's ink in the box it crosses the vertex box's lowest ink must lie
/// for the vertex to be there: an arm rising at 6° has climbed about 0.4 mm by the next box's edge.
pub(super) const DIP_BELOW_ARM: f32 = 0.3;
/// How far (mm) under a box's bottom outline its vertex may dip and still be its own: a check's
/// vertex overshoots the outline a little, less than half the 1.4 mm gap to the row below.
pub(super) const DIP_UNDER: f32 = 0.6;
/// How much lower (mm) than where the arm leaves the box on the right its vertex lies at least: a
/// vertex a quarter to a half of the way along a 5 mm box, the arm rising 6° from it, climbs 0.26 mm
/// by the box's side.
pub(super) const DIP_BELOW_EXIT: f32 = 0.2;

/// Whether box `from` lies where a check's exit stroke into box `a` comes from: beside it on the left
/// on the same row, or below it on the left (the arm rises to the right), with at most `near` mm of
/// paper between the boxes.
pub(super) fn arm_comes_from(a: &BoxMm, from: &BoxMm, near: f32) -> bool {
    let gap_x = a.x - (from.x + from.w);
    if !(-0.1..=near).contains(&gap_x) {
        return false;
    }
    let same_row = from.y < a.y + a.h && from.y + from.h > a.y;
    let gap_y = from.y - (a.y + a.h);
    same_row || (-0.1..=near).contains(&gap_y)
}

/// Whether a line of ink runs from box `own` across the contour round it (`residual`, `depths`
/// samples per station inside out, `at(station, depth)` their place in mm) to box `other`: ink
/// samples at least `ink` dark outside `own`, from within [`TOUCH`] of it to within [`TOUCH`] of
/// `other`, each within [`BREAK`] of the next (a dashed or skipping line stays one).
pub(super) fn line_reaches(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
    other: &BoxMm,
) -> bool {
    if depths == 0 {
        return false;
    }
    let points = ink_outside(residual, depths, at, ink, own);
    let mut seen = vec![false; points.len()];
    let mut stack: Vec<usize> = (0..points.len())
        .filter(|&k| distance(own, points[k].0, points[k].1) <= TOUCH)
        .collect();
    for &k in &stack {
        seen[k] = true;
    }
    while let Some(k) = stack.pop() {
        let (x, y) = points[k];
        if distance(other, x, y) <= TOUCH {
            return true;
        }
        for (m, &(x2, y2)) in points.iter().enumerate() {
            if !seen[m] && (x2 - x).powi(2) + (y2 - y).powi(2) <= BREAK * BREAK {
                seen[m] = true;
                stack.push(m);
            }
        }
    }
    false
}

/// The places (mm) of the contour's samples (`residual`, `depths` per station, `at(station, depth)`)
/// at least `ink` dark and outside box `own`: its inside holds its own ink, which would join any two
/// lines.
fn ink_outside(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
) -> Vec<(f32, f32)> {
    residual
        .iter()
        .enumerate()
        .filter(|(_, v)| **v >= ink)
        .map(|(k, _)| at(k / depths, k % depths))
        .filter(|&(x, y)| distance(own, x, y) > 0.0)
        .collect()
}

#[cfg(test)]
thread_local! {
    /// Set by a test to read its pages as before the broad checks' rules (a vertex box or a crossed box
    /// read as a fill, a crossed box read as a ring), on the test's thread only.
    pub(super) static LONGARM_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// See [`LONGARM_OFF`]: never outside the tests.
pub(super) fn longarm_off() -> bool {
    #[cfg(test)]
    return LONGARM_OFF.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// The tallest (mm, up and down the page) a check's arm stands in the gap between two boxes on a row:
/// a broad pencil's line 0.5–0.7 mm wide rising at most 18° across the 1.2 mm gap spans about 1 mm; a
/// fill pressed out past its box's side spans most of the side's 3.2 mm.
pub(super) const THIN_ARM: f32 = 1.6;

/// Whether a thin line (see [`THIN_ARM`]) runs from box `own` to box `other` beside it on the left: as
/// [`line_reaches`], one line of samples each within [`BREAK`] of the next, of which the samples in the
/// gap between the two boxes stand no taller than [`THIN_ARM`]. A broad pencil's check reads as a fill
/// in the box holding its vertex (or in the box its arm crosses, where it crosses the printed letter),
/// and a fill's own overrun reaches over to the next box too: the arm is told from it by its height in
/// the gap.
pub(super) fn thin_line_reaches(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
    other: &BoxMm,
) -> bool {
    if depths == 0 {
        return false;
    }
    let points = ink_outside(residual, depths, at, ink, own);
    let (gap0, gap1) = (other.x + other.w, own.x);
    let mut seen = vec![false; points.len()];
    for start in 0..points.len() {
        if seen[start] || distance(own, points[start].0, points[start].1) > TOUCH {
            continue;
        }
        // One line: every sample joined to this one.
        seen[start] = true;
        let mut stack = vec![start];
        let (mut reaches, mut top, mut bottom) = (false, f32::MAX, f32::MIN);
        while let Some(k) = stack.pop() {
            let (x, y) = points[k];
            reaches |= distance(other, x, y) <= TOUCH;
            if x > gap0 && x < gap1 {
                top = top.min(y);
                bottom = bottom.max(y);
            }
            for (m, &(x2, y2)) in points.iter().enumerate() {
                if !seen[m] && (x2 - x).powi(2) + (y2 - y).powi(2) <= BREAK * BREAK {
                    seen[m] = true;
                    stack.push(m);
                }
            }
        }
        if reaches && top <= bottom && bottom - top <= THIN_ARM {
            return true;
        }
    }
    false
}

/// Distance (mm) from a point to a box, 0 inside it.
fn distance(o: &BoxMm, x: f32, y: f32) -> f32 {
    let dx = (o.x - x).max(x - o.x - o.w).max(0.0);
    let dy = (o.y - y).max(y - o.y - o.h).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: f32, y: f32) -> BoxMm {
        BoxMm {
            x,
            y,
            w: 5.0,
            h: 3.2,
        }
    }

    #[test]
    fn the_arm_comes_from_the_left_or_below_left() {
        let a = b(10.0, 10.0);
        assert!(arm_comes_from(&a, &b(3.8, 10.0), 2.0));
        assert!(arm_comes_from(&a, &b(3.8, 14.6), 2.0));
        assert!(!arm_comes_from(&a, &b(16.2, 10.0), 2.0), "right");
        assert!(!arm_comes_from(&a, &b(3.8, 5.4), 2.0), "above left");
        assert!(!arm_comes_from(&a, &b(10.0, 14.6), 2.0), "below");
    }

    /// A contour seen as one station per 0.1 mm along x from 5.0 to 10.2 mm at y = 11 (the gap left of
    /// box (10.2, 10)), one depth: a dashed line across the gap.
    #[test]
    fn a_dashed_line_across_the_gap_is_one_line() {
        let own = b(10.2, 10.0);
        let other = b(3.0, 10.0);
        let at = |s: usize, _d: usize| (5.0 + 0.1 * s as f32, 11.0);
        let mut r = vec![0.0f32; 53];
        for (s, v) in r.iter_mut().enumerate() {
            // Dashes 0.3 mm long with 0.3 mm breaks.
            if (s / 3) % 2 == 0 {
                *v = 1.0;
            }
        }
        assert!(line_reaches(&r, 1, at, 0.35, &own, &other));
        // A break of a millimetre: two marks.
        for v in &mut r[38..46] {
            *v = 0.0;
        }
        assert!(!line_reaches(&r, 1, at, 0.35, &own, &other));
    }
}
