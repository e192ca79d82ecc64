//! A fill crossed out whose × shows its arms past one side's corners only (#23, the second field check's
//! `cancel` and `cancel-refill` on grey pages read as the letter): the arms on the other side run into a
//! filled neighbour's overrun, or end near a neighbour's box where nothing is judged. Such a box goes to a
//! person; a zigzag fill turning along a side and a large circle round the next row's box, which also
//! put ink past two corners of one side, do not.

use super::crossed::{DISTANCES, Sample, arms, crossed, crossed_one_side, line_points};
use super::geometry::BoxMm;

const BOX: BoxMm = BoxMm {
    x: 10.0,
    y: 10.0,
    w: 5.0,
    h: 3.2,
};

/// The box of the row below, across a 1.3 mm gap.
const BELOW: BoxMm = BoxMm {
    x: 10.0,
    y: 14.5,
    w: 5.0,
    h: 3.2,
};

/// The lines round [`BOX`], dark (0.6) where `ink` says, unjudged within 0.3 mm of [`BELOW`] (as on a
/// page).
fn lines(ink: impl Fn(f32, f32) -> bool) -> Vec<Vec<Sample>> {
    DISTANCES
        .iter()
        .map(|&e| {
            line_points(&BOX, e)
                .into_iter()
                .map(|(x, y, corner)| {
                    let dx = (BELOW.x - x).max(x - BELOW.x - BELOW.w).max(0.0);
                    let dy = (BELOW.y - y).max(y - BELOW.y - BELOW.h).max(0.0);
                    let dark = if dx.hypot(dy) <= 0.3 {
                        f32::NAN
                    } else if ink(x, y) {
                        0.6
                    } else {
                        0.0
                    };
                    Sample {
                        x,
                        y,
                        corner,
                        dark,
                        near: f32::NAN,
                    }
                })
                .collect()
        })
        .collect()
}

fn to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// Whether (x, y) lies on a stroke from the box's middle out past corner `c` (clockwise from the top
/// left) by `reach` mm along the diagonal, turned `turn` rad, `width` mm wide.
fn arm(x: f32, y: f32, c: usize, reach: f32, turn: f32, width: f32) -> bool {
    let out = [(-1.0f32, -1.0f32), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let (cx, cy) = BOX.centre();
    let base = BOX.h.atan2(BOX.w) + turn;
    let len = 0.5 * BOX.w.hypot(BOX.h) + reach;
    let end = (
        cx + out[c].0 * len * base.cos(),
        cy + out[c].1 * len * base.sin(),
    );
    to_segment((x, y), (cx, cy), end) <= width / 2.0
}

/// The fill's own overrun, a band 0.3 mm deep round the box.
fn overrun(x: f32, y: f32) -> bool {
    let dx = (BOX.x - x).max(x - BOX.x - BOX.w).max(0.0);
    let dy = (BOX.y - y).max(y - BOX.y - BOX.h).max(0.0);
    dx.hypot(dy) <= 0.3
}

#[test]
fn a_cancel_with_arms_past_one_sides_corners_only_goes_to_a_person() {
    // The × over the fill, its right arms 1.1 and 1.3 mm past the corners, a little off the diagonal;
    // on the left a filled neighbour's overrun meets the fill's across the gap: every line dark there.
    let ink = |x: f32, y: f32| {
        overrun(x, y)
            || arm(x, y, 1, 1.1, 0.05, 0.45)
            || arm(x, y, 2, 1.3, -0.08, 0.45)
            || x < BOX.x
    };
    let l = lines(ink);
    assert!(!crossed(&arms(&l, 0.3)), "the two-corner rule misses it");
    assert!(crossed_one_side(&l, 0.3, &BOX));
    // The same along the bottom side: the top arms lost under the row above's fill.
    let ink = |x: f32, y: f32| {
        overrun(x, y) || arm(x, y, 2, 1.1, 0.0, 0.45) || arm(x, y, 3, 1.1, 0.0, 0.45) || y < BOX.y
    };
    let l = lines(ink);
    assert!(!crossed(&arms(&l, 0.3)));
    assert!(crossed_one_side(&l, 0.3, &BOX));
}

#[test]
fn a_zigzag_turning_along_a_side_is_no_cancel() {
    // Strokes along the row, down the box a stroke width at a time, each turned round 0.55 mm past the
    // right side (its first and last turns at the corners, carried out along the diagonal).
    let ink = |x: f32, y: f32| {
        let turns = (0..7).any(|k| {
            let ty = BOX.y + 0.2 + k as f32 * 0.47;
            to_segment(
                (x, y),
                (BOX.x + BOX.w - 0.5, ty),
                (BOX.x + BOX.w + 0.55, ty),
            ) <= 0.13
        });
        overrun(x, y)
            || turns
            || arm(x, y, 1, 1.0, 0.0, 0.4)
            || arm(x, y, 2, 1.0, 0.0, 0.4)
            || x < BOX.x
    };
    assert!(!crossed_one_side(&lines(ink), 0.3, &BOX));
}

#[test]
fn a_large_circle_round_the_next_rows_box_is_no_cancel() {
    // A large circle round the box below: its top runs along the gap between the rows, 0.55 mm under
    // this box, and bends down past both its bottom corners, clear of the box below's corners.
    let (cx, cy) = BELOW.centre();
    let (rx, ry) = (3.8f32, 0.5 * BELOW.h + 0.75);
    let circle = |x: f32, y: f32| {
        let r = ((x - cx) / rx).hypot((y - cy) / ry);
        (r - 1.0).abs() * ry <= 0.2
    };
    let ink = |x: f32, y: f32| overrun(x, y) || circle(x, y);
    assert!(!crossed_one_side(&lines(ink), 0.3, &BOX));
}
