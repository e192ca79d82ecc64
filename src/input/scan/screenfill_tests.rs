//! A clear fill on a page photographed off a screen: the moiré's narrow dark runs round the box are
//! no cross's arms, while a cross drawn over a fill there still is one (see `crossed::TEXTURE_RUNS`).

use super::crossed::{
    DISTANCES, Sample, arms, arms_cut, crossed, line_points, side_texture, textured,
};
use super::geometry::BoxMm;

const BOX: BoxMm = BoxMm {
    x: 10.0,
    y: 10.0,
    w: 5.0,
    h: 3.2,
};

/// The pencil cut a fill's lines are judged at on these pages (0.35 of a light pencil, at least 0.12).
const INK: f32 = 0.12;

/// A screen's moiré as the lines round a box see it: dark stripes 0.2 of white and 0.3 mm wide, a
/// millimetre apart, slanting as the box's diagonal does (a screen's grid beating with the camera's
/// makes such stripes), paper between.
fn moire(x: f32, y: f32) -> f32 {
    let len = BOX.w.hypot(BOX.h);
    // Across the stripes, from the box's top left corner.
    let across = (x - BOX.x) * (-BOX.h / len) + (y - BOX.y) * (BOX.w / len);
    if (across - across.round()).abs() < 0.15 {
        0.2
    } else {
        0.03
    }
}

/// An × corner to corner over the box, 1 mm past each corner, 0.5 mm wide, as dark as a pen (0.6).
fn cross(x: f32, y: f32) -> f32 {
    let (a, d) = (&BOX, 1.0);
    let len = a.w.hypot(a.h);
    let (ux, uy) = (a.w / len, a.h / len);
    let seg = |p: (f32, f32), q: (f32, f32)| {
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let t = (((x - p.0) * dx + (y - p.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        (x - p.0 - t * dx).hypot(y - p.1 - t * dy)
    };
    let s1 = seg(
        (a.x - d * ux, a.y - d * uy),
        (a.x + a.w + d * ux, a.y + a.h + d * uy),
    );
    let s2 = seg(
        (a.x + a.w + d * ux, a.y - d * uy),
        (a.x - d * ux, a.y + a.h + d * uy),
    );
    if s1.min(s2) <= 0.25 { 0.6 } else { 0.0 }
}

fn lines(ink: impl Fn(f32, f32) -> f32) -> Vec<Vec<Sample>> {
    DISTANCES
        .iter()
        .map(|&e| {
            line_points(&BOX, e)
                .into_iter()
                .map(|(x, y, corner)| Sample {
                    x,
                    y,
                    corner,
                    dark: ink(x, y),
                    near: f32::NAN,
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_fill_under_a_screen_s_moire_is_not_crossed_out() {
    let l = lines(moire);
    // At the pencil's cut the moiré's spots line up into arms at opposite corners: the fill was sent
    // to a person as crossed out (what the field checks' screen photos showed before).
    assert!(crossed(&arms(&l, INK)));
    // Its side middles hold narrow runs as its corners do: a page of such fills is textured.
    let (runs, peak) = side_texture(&l, INK);
    assert!(runs >= 6, "{runs} narrow runs along the side middles");
    assert!(peak >= 0.19);
    assert!(textured(&[runs; 8]));
    // Above the moiré's own darkest run, no arm is left.
    assert!(!crossed(&arms(&l, arms_cut(&l, INK, true))));
}

#[test]
fn a_cross_over_a_fill_under_a_screen_s_moire_is_still_crossed_out() {
    let l = lines(|x, y| moire(x, y).max(cross(x, y)));
    assert!(crossed(&arms(&l, arms_cut(&l, INK, true))));
}

#[test]
fn a_page_without_a_moire_is_judged_at_the_pencil_s_cut() {
    // Copier and camera pages: most fills' side middles hold no narrow run, a few a neighbour's stroke.
    assert!(!textured(&[0, 0, 1, 0, 3, 0, 8, 0, 2]));
    // Too few fills to judge the paper by.
    assert!(!textured(&[9, 9, 9]));
    let l = lines(cross);
    assert_eq!(arms_cut(&l, INK, false), INK);
    assert!(crossed(&arms(&l, arms_cut(&l, INK, false))));
}
