//! A hand's smear beside a fill: graphite dragged out of a fresh fill by the side of the writing hand (a
//! left-hander's hand trails the pencil across the row) lies as a low, smooth grey over the gap and into
//! the next box, darkest against the fill and fading away from it. It is no mark of that box: a light
//! mark of the student's own (pencil in this box) leaves paper between it and the fill, or is as dark
//! across the box as where it starts, or has stroke edges; those still go to a person.

use super::geometry::BoxMm;

/// Width (mm) of the bands across the box, counted from the side facing the fill, that the smear's
/// profile is measured in: a pencil stroke's width, so a faint stroke of the student's own shows as a
/// band darker than the band before it.
const BAND: f32 = 0.5;
/// The smear is light: its darkest band is at most this share of its source fill's mean darkness. The
/// side of a hand carries off a little of the graphite it passes over (a tenth to a fifth of the fill's
/// darkness, spread over a few millimetres), never a layer as dark as the fill; a light fill of the
/// student's own is at least about half as dark as the firm ones.
const SHARE: f32 = 0.3;
/// It fades away from its source: every band at most this much (of the darkest band) darker than the
/// band before it (the paper's tooth and the scanner's noise move a band's mean by a little), ...
const RISE: f32 = 0.25;
/// ... and the far half of the box at most this share of the darkest band: dragged graphite thins out
/// within a few millimetres, where a light mark of the box's own covers it all alike.
const FAR: f32 = 0.5;
/// It runs on from the fill: the gap between the two boxes is at least this share as dark as the box's
/// band nearest the fill (paper in the gap is a mark made in this box, not dragged into it).
const GAP: f32 = 0.7;
/// The side of the hand is wider than the box is tall: down the band nearest the fill, every row holds
/// at least this share of the band's mean (a faint stroke, a tick's arm, runs across a few rows only).
const ROW_EVEN: f32 = 0.3;
/// The samples this close (mm) to a printed outline are left out of the gap: the print's edge.
const CLEAR_OF_PRINT: f32 = 0.15;

/// The box's inside, as sampled: residual darkness (print taken away, NaN where not measured) on an
/// `nx` × `ny` grid evenly spread over `area`.
pub(super) struct Inside<'a> {
    pub r: &'a [f32],
    pub nx: usize,
    pub ny: usize,
    pub area: &'a BoxMm,
}

/// Whether the ink in box `inside` is graphite dragged out of the fill in `source`, the box to its left
/// on the same row (the hand moves left to right along a row, the way the row is written), of mean
/// darkness `source_fill`: light (see [`SHARE`]), no sample at the stroke cut (`dark`, the share of the
/// inside at 60 % of the sheet's pencil: smooth grey has no stroke edges), darkest against the fill and
/// fading away from it (see [`RISE`], [`FAR`]), even down its near side (see [`ROW_EVEN`]) and running
/// on over the gap from the fill (the contour samples `around`, `depths` per station, at `at(station,
/// depth)` in mm; see [`GAP`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn dragged_from_fill(
    inside: &Inside,
    dark: f32,
    around: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    source: &BoxMm,
    source_fill: f32,
) -> bool {
    let a = inside.area;
    // The source lies to the left, on the same row, the gap between them short.
    let (sy, ay) = (source.y + source.h / 2.0, a.y + a.h / 2.0);
    let gap_x0 = source.x + source.w;
    if (sy - ay).abs() > a.h / 2.0 || gap_x0 > a.x || a.x - gap_x0 > 2.0 {
        return false;
    }
    if inside.nx == 0 || inside.ny == 0 {
        return false;
    }
    let sx = a.w / inside.nx as f32;
    // Distances from the side facing the fill are counted from the first column sampled (the inside is
    // an ellipse moved in from the outline).
    let first = inside
        .r
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(k, _)| k % inside.nx)
        .min();
    let Some(first) = first else {
        return false;
    };
    let from_near = |i: usize| sx * (i - first) as f32;
    let bands = (a.w / BAND).ceil() as usize;
    let (mut sum, mut n) = (vec![0.0f32; bands], vec![0u32; bands]);
    for (k, &v) in inside.r.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let b = ((from_near(k % inside.nx) / BAND) as usize).min(bands - 1);
        sum[b] += v;
        n[b] += 1;
    }
    let profile: Vec<f32> = sum
        .iter()
        .zip(&n)
        .filter(|(_, n)| **n >= 2)
        .map(|(s, &n)| s / n as f32)
        .collect();
    if profile.len() < 4 {
        return false;
    }
    let peak = profile.iter().cloned().fold(0.0f32, f32::max);
    if dark > 0.0 || peak <= 0.0 || peak > SHARE * source_fill {
        return false;
    }
    // Darkest against the fill, fading away from it.
    if profile[0] < peak * (1.0 - RISE) {
        return false;
    }
    if profile.windows(2).any(|w| w[1] > w[0] + RISE * peak) {
        return false;
    }
    let far = &profile[profile.len() / 2..];
    if far.iter().sum::<f32>() / far.len() as f32 > FAR * peak {
        return false;
    }
    // Even down the near side: the rows of its first two bands.
    let near_rows: Vec<f32> = (0..inside.ny)
        .filter_map(|j| {
            let row = &inside.r[j * inside.nx..(j + 1) * inside.nx];
            let (mut s, mut m) = (0.0f32, 0u32);
            for (i, &v) in row.iter().enumerate() {
                if !v.is_nan() && from_near(i) < 2.0 * BAND {
                    s += v;
                    m += 1;
                }
            }
            (m > 0).then(|| s / m as f32)
        })
        .collect();
    if near_rows.len() < 3 {
        return false;
    }
    // The inside is an ellipse: its top and bottom rows begin further from the fill than the rest,
    // where the dragged graphite has already thinned out, so they are left out of the evenness (a
    // stroke across a few rows still leaves the middle rows uneven).
    #[cfg(test)]
    let all_rows = ALL_ROWS.with(|c| c.get());
    #[cfg(not(test))]
    let all_rows = false;
    let near_rows = if near_rows.len() >= 5 && !all_rows {
        &near_rows[1..near_rows.len() - 1]
    } else {
        &near_rows[..]
    };
    let near_mean = near_rows.iter().sum::<f32>() / near_rows.len() as f32;
    if near_rows.iter().any(|&v| v < ROW_EVEN * near_mean) {
        return false;
    }
    // The gap between the two boxes, clear of both outlines, along the box's height.
    let (mut gs, mut gn) = (0.0f32, 0u32);
    for (k, &v) in around.iter().enumerate() {
        if v.is_nan() || depths == 0 {
            continue;
        }
        let (x, y) = at(k / depths, k % depths);
        if x > gap_x0 + CLEAR_OF_PRINT
            && x < a.x - CLEAR_OF_PRINT
            && y > a.y + CLEAR_OF_PRINT
            && y < a.y + a.h - CLEAR_OF_PRINT
        {
            gs += v;
            gn += 1;
        }
    }
    gn >= 3 && gs / gn as f32 >= GAP * profile[0]
}

#[cfg(test)]
thread_local! {
    /// Tests judge the evenness over every row too, as before the end rows were left out.
    pub(super) static ALL_ROWS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Past a box's corner, at least this far (mm), a fill's own overrun seldom reaches: a hand filling a
/// box presses round its corners, not out past them.
const PAST_CORNER: f32 = 0.45;
/// Corners (of four) with a line running out past them that make a fill a crossed-out one.
const CROSSED_CORNERS: u32 = 3;

/// Whether the fill in box `a` is struck through: an × drawn corner to corner over it runs on out past
/// at least [`CROSSED_CORNERS`] of its corners, as dark as `ink` (the contour samples `around`, `depths`
/// per station, at `at(station, depth)` in mm, round corner `corner(station)`: bit 0 right, 1 below, 2
/// left, 3 above, two bits at a corner). Such a fill is a cancelled mark, not the source of a smear that
/// clears the box beside it: the box beside stays as it was read.
pub(super) fn struck_through(
    around: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    corner: impl Fn(usize) -> u8,
    a: &BoxMm,
    ink: f32,
) -> bool {
    if depths == 0 {
        return false;
    }
    let mut seen = 0u16;
    for (k, &v) in around.iter().enumerate() {
        let (station, depth) = (k / depths, k % depths);
        let sides = corner(station);
        if v.is_nan() || v < ink || sides.count_ones() != 2 {
            continue;
        }
        let (x, y) = at(station, depth);
        let dx = (a.x - x).max(x - a.x - a.w).max(0.0);
        let dy = (a.y - y).max(y - a.y - a.h).max(0.0);
        // Out past the corner itself, beyond both sides' lines.
        if dx > 0.0 && dy > 0.0 && dx.hypot(dy) >= PAST_CORNER {
            seen |= 1 << sides;
        }
    }
    seen.count_ones() >= CROSSED_CORNERS
}
