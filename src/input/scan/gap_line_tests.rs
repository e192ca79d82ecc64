//! A long check's arm across the gap between two boxes on a 1-bit page (#23, the second field check's
//! `check-long` on `bilevel200` pages): the threshold breaks a thin arm into dashes, which the contour
//! round a box may miss; the box the arm crosses is not read silently as the answer.

use super::synth::{self, Rng};
use super::*;

use super::synth::PPM;

/// A ballpoint check drawn in one motion on box `a` (as in `longcheck_tests.rs`), its line skipping:
/// a short dip low in the box, then a flat arm 7–14 mm long rising 6–18° across the next box or two,
/// broken every 0.4–0.9 mm by a skip of 0.2–0.35 mm (a ballpoint losing the paper, or a copier's
/// cut where the line is lighter).
fn skipping_long_check(page: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let (x0, y1) = (a.x, a.y + a.h);
    let vx = x0 + rng.range(0.25, 0.5) * a.w;
    let vy = y1 - rng.range(0.2, 0.7);
    let dip = rng.range(1.0, 1.6);
    let start = (vx - 0.5 * dip, vy - dip);
    let (grey, width) = (rng.range(30.0, 90.0), rng.range(0.2, 0.3));
    synth::polyline(page, &[start, (vx, vy)], width, grey, PPM, rng);
    let (len, rise) = (rng.range(7.0, 14.0), rng.range(6.0f32, 18.0).to_radians());
    let (dx, dy) = (rise.cos(), -rise.sin());
    let mut t = 0.0;
    while t < len {
        let dash = rng.range(0.4, 0.9).min(len - t);
        let p0 = (vx + t * dx, vy + t * dy);
        let p1 = (vx + (t + dash) * dx, vy + (t + dash) * dy);
        synth::polyline(page, &[p0, p1], width, grey, PPM, rng);
        t += dash + rng.range(0.2, 0.35);
    }
}

/// Single-choice questions checked with skipping long arms, the page cut to 1-bit at 115–160: the box
/// the arm crosses is never read as the answer. Before the gap between two boxes was read pixel by
/// pixel, 102 questions were silently wrong (the box the arm crosses read as the answer, the contour's
/// rays round a box missing a thin line running along them, or the meant box read empty); 97 now (the
/// bound: arms whose dashes break just where they cross the gap, checks in the last box of a row, dips
/// the threshold wiped).
#[test]
fn a_skipping_long_check_on_a_bilevel_page_is_not_read_as_the_box_its_arm_crosses() {
    let tally = super::longcheck_tests::one_bit_pages_of_checks(
        9700,
        "skipping checks",
        skipping_long_check,
    );
    tally.report("skipping long checks, 1-bit");
    tally.assert_wrong_at_most(97, |_| true);
}
