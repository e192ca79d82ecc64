//! A firm line drawn under a letter, merged in the gap with the faint arc of a circle (or a smear's
//! rings) round the box below (issue #23, first field check: read as that circle's arc, the line was
//! silently nothing). Several times darker than that mark's stroke under its own box, it goes to a
//! person.

use super::underline;

const DEPTHS: usize = 24;
const STEP: f32 = 0.08;

/// Eight stations along a box's bottom edge (sides 2), samples every 0.08 mm from 0.35 mm inside the
/// box, and one on its left side; `profile(o)` gives the residual `o` mm below the box.
fn bottom(profile: impl Fn(f32) -> f32) -> (Vec<f32>, Vec<(u8, f32)>) {
    let mut stations = vec![(2u8, 0.35f32); 8];
    stations.push((4, 0.35));
    let mut r = Vec::new();
    for k in 0..stations.len() {
        for d in 0..DEPTHS {
            let o = -0.35 + d as f32 * STEP;
            r.push(if k < 8 { profile(o) } else { 0.0 });
        }
    }
    (r, stations)
}

/// A stroke `width` mm wide centred `at` mm below the box, of darkness `v`, its edges blurred.
fn stroke(o: f32, at: f32, width: f32, v: f32) -> f32 {
    let t = (o - at).abs() - width / 2.0;
    if t <= 0.0 {
        v
    } else if t < 0.12 {
        v * 0.5
    } else {
        0.0
    }
}

/// The gap under a box holding `gap_ink(o)`, over a box below whose mark crosses its bottom stations
/// as `below_ink(o)`.
fn darker(gap_ink: impl Fn(f32) -> f32, below_ink: impl Fn(f32) -> f32) -> bool {
    let (a, sa) = bottom(gap_ink);
    let (b, sb) = bottom(below_ink);
    underline::gap_darker_than_ring((&a, &sa), (&b, &sb, 0.12), (DEPTHS, STEP), 1.4)
}

#[test]
fn a_firm_line_over_a_faint_circle_s_arc_is_darker_than_that_circle() {
    // A firm line 0.3 mm wide centred 0.6 mm below the box, merged with the faint top arc of the
    // circle round the box below (1.0 mm down), whose stroke crosses its own bottom at 0.17.
    let circle = |o: f32| stroke(o, 0.5, 0.35, 0.17);
    assert!(darker(
        |o| stroke(o, 0.6, 0.3, 0.6).max(stroke(o, 1.0, 0.35, 0.17)),
        circle
    ));
}

#[test]
fn a_circle_s_own_arc_in_the_gap_is_no_darker_line() {
    let circle = |o: f32| stroke(o, 0.5, 0.35, 0.2);
    // Its top arc alone, as dark as its stroke under its box.
    assert!(!darker(|o| stroke(o, 0.8, 0.35, 0.2), circle));
    // Its two ends overlapping there: twice as dark.
    assert!(!darker(|o| stroke(o, 0.8, 0.4, 0.4), circle));
    // A stroke under the box below too faint to be seen there: nothing is known of it.
    assert!(!darker(
        |o| stroke(o, 0.6, 0.3, 0.6),
        |o| stroke(o, 0.5, 0.35, 0.08)
    ));
}
