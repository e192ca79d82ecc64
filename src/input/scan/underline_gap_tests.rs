//! A line drawn under a letter over a circle drawn round the same letter on the next row (issue #23,
//! first field check): two strokes lie one over the other in the gap between the rows, the line and
//! the circle's arc, and the line must not be given to the circle and read as nothing.

use super::underline;

/// Eight stations along a box's bottom edge (sides 2), samples every 0.08 mm from 0.35 mm inside the
/// box, and two stations round its corner (sides 2 | 4); `profile(k, o)` gives the residual at
/// station `k`, offset `o` mm below the box (corners: nothing).
fn gap(profile: impl Fn(usize, f32) -> f32) -> bool {
    let depths = 24;
    let mut stations = vec![(2u8, 0.35f32); 8];
    stations.extend([(6u8, 0.7f32); 2]);
    let mut r = Vec::new();
    for (k, &(sides, from)) in stations.iter().enumerate() {
        for d in 0..depths {
            let o = -from + d as f32 * 0.08;
            r.push(if sides == 2 { profile(k, o) } else { 0.0 });
        }
    }
    underline::two_strokes_in_gap(&r, (depths, 0.08), &stations, 0.15, 1.4)
}

/// A stroke `width` mm wide centred `at` mm below the box, of darkness `v`, blurred at its edges.
fn stroke(o: f32, at: f32, width: f32, v: f32) -> f32 {
    let t = (o - at).abs() - width / 2.0;
    if t <= 0.0 {
        v
    } else if t < 0.1 {
        v * 0.4
    } else {
        0.0
    }
}

/// The top arc of a circle round the box below, at station `k` (x = -1.4 .. 1.4 mm from the middle):
/// bowed up over the box's middle by `ry / (2 rx²) x²`, its top `top` mm below this box.
fn arc(k: usize, top: f32) -> f32 {
    let x = -1.4 + 0.4 * k as f32;
    top + 2.4 / (2.0 * 3.6 * 3.6) * x * x
}

#[test]
fn a_circle_s_arc_alone_in_the_gap_is_one_stroke() {
    for top in [0.1, 0.4, 0.8, 1.1] {
        assert!(!gap(|k, o| stroke(o, arc(k, top), 0.4, 0.5)), "top {top}");
    }
    // Where the pen came round and overlapped its start: two strokes a line's width apart.
    assert!(!gap(|k, o| stroke(o, arc(k, 0.6), 0.4, 0.5).max(stroke(
        o,
        arc(k, 0.6) + 0.25,
        0.4,
        0.5
    ))));
}

#[test]
fn a_line_under_the_box_over_the_circle_s_arc_is_two_strokes() {
    // Paper between them all along, and only under the box's ends (where the arc falls away).
    assert!(gap(|k, o| stroke(o, 0.3, 0.4, 0.6).max(stroke(
        o,
        arc(k, 1.0),
        0.3,
        0.5
    ))));
    assert!(gap(|k, o| {
        let line = stroke(o, 0.25, 0.35, 0.6);
        let ring = stroke(
            o,
            arc(k, 0.55) + if k == 0 || k == 7 { 0.35 } else { 0.0 },
            0.4,
            0.5,
        );
        line.max(ring)
    }));
    // Merged into one band all along: nothing tells the two apart here.
    assert!(!gap(|k, o| stroke(o, 0.3, 0.4, 0.6).max(stroke(
        o,
        arc(k, 0.5),
        0.4,
        0.5
    ))));
}
