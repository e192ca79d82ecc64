//! A faint stroke through a box (a tick, a slash, a cross or a dot by a light hand, or a thin pen line on
//! a photographed page) that no fill cut reaches: found as a short straight segment of ink darker than
//! the rest of the box, scored against what the same measure gives on this sheet's empty boxes (their
//! grain, noise and print edges), so that a noisy phone photo needs a clearer stroke than a clean scan.
//! Such a box goes to a person: visible ink is never read silently as nothing (#23).

use super::geometry::BoxMm;

/// Angles tried for the segment (over half a turn): 15° apart, so a stroke is at most 7.5° off one, and
/// drifts 0.16 mm across the segment's length.
const ANGLES: usize = 12;
/// The segment looked for: `WIDE` bins of a grid step across (0.5 mm: a pencil line's width), `LONG`
/// along (1.25 mm: a tick's short arm, a dot), with at least `MIN_SAMPLES` samples not hidden by print.
const WIDE: usize = 2;
const LONG: usize = 5;
const MIN_SAMPLES: u32 = 6;
/// A box's segment score stands out when it is above the sheet's median by more than its empty boxes'
/// noise reaches (see [`standing_out`]) and at least `FLOOR`. Field check, seeds 21–26: empty boxes
/// score 0–0.007 (median), 0.022–0.029 at the 99th percentile on every damage; faint writers' ticks,
/// slashes and crosses read as nothing 0.02–0.16, most over 0.05. Above 0.04 the boxes left are mostly
/// a neighbour's circle run on into the box (left out: see `bubbles::classify`) and a tick's arm from
/// the next box.
const FLOOR: f32 = 0.04;
/// The upper tail of empty boxes' scores, in the sheet's median deviations (measured below the median,
/// where noise alone lies; on empty boxes as wide as the two-sided one): a score is the darkest of
/// many windows, so it is no bell curve but falls off exponentially, by a factor e every `TAIL`
/// deviations (the share above median + t deviations about 0.6·e^(−t/TAIL); field check seeds 21–26 and
/// the noisy 150 dpi scans of the tests alike). A page's most extreme empty box therefore lies further
/// out the more boxes it has: on 300 boxes of a noisy scan, 8 deviations (a fixed cut) are passed on
/// about one page in eight, sending a clean question to a person.
const TAIL: f32 = 1.1;
/// How many empty boxes, per sheet, may stand out by noise alone: one sheet in a hundred.
const NOISE_BOXES: f32 = 0.01;

/// The darkest short segment inside a box, above the box's own typical level: for each angle, the
/// samples (`r`, residual darkness on an `nx` × `ny` grid of step `sx` × `sy` mm, NaN where not
/// measured) are binned across and along the direction, and the darkest `WIDE` × `LONG` window's mean is
/// taken; less the median of all samples, so an even haze (an erasure, a tint, a grey photo) scores
/// nothing. 0 when too few samples are measured.
pub(crate) fn segment_excess(r: &[f32], (nx, ny): (usize, usize), (sx, sy): (f32, f32)) -> f32 {
    let mut pts: Vec<(f32, f32, f32)> = Vec::with_capacity(r.len());
    for (k, &v) in r.iter().enumerate() {
        if !v.is_nan() {
            let (x, y) = (((k % nx) as f32 + 0.5) * sx, ((k / nx) as f32 + 0.5) * sy);
            pts.push((x, y, v));
        }
    }
    if pts.len() < 2 * MIN_SAMPLES as usize {
        return 0.0;
    }
    let mut values: Vec<f32> = pts.iter().map(|p| p.2).collect();
    let mid = values.len() / 2;
    let background = *values.select_nth_unstable_by(mid, f32::total_cmp).1;
    let step = sx.min(sy).max(1e-3);
    let reach = (nx as f32 * sx).hypot(ny as f32 * sy);
    let bins = (2.0 * reach / step) as usize + 2;
    let (cx, cy) = (nx as f32 * sx / 2.0, ny as f32 * sy / 2.0);
    let mut sum = vec![0.0f32; bins * bins];
    let mut count = vec![0u32; bins * bins];
    let mut best = 0.0f32;
    for a in 0..ANGLES {
        let angle = a as f32 * std::f32::consts::PI / ANGLES as f32;
        let (c, s) = (angle.cos(), angle.sin());
        sum.iter_mut().for_each(|v| *v = 0.0);
        count.iter_mut().for_each(|v| *v = 0);
        let half = bins as f32 / 2.0;
        for &(x, y, v) in &pts {
            let (dx, dy) = (x - cx, y - cy);
            let along = ((c * dx + s * dy) / step + half) as usize;
            let across = ((-s * dx + c * dy) / step + half) as usize;
            let at = across.min(bins - 1) * bins + along.min(bins - 1);
            sum[at] += v;
            count[at] += 1;
        }
        for t in 0..bins.saturating_sub(WIDE - 1) {
            // Sums over the window's rows, then a running window along.
            let (mut ws, mut wn) = (0.0f32, 0u32);
            let column = |u: usize| -> (f32, u32) {
                (0..WIDE).fold((0.0, 0), |(s0, n0), w| {
                    let at = (t + w) * bins + u;
                    (s0 + sum[at], n0 + count[at])
                })
            };
            for u in 0..bins {
                let (s1, n1) = column(u);
                ws += s1;
                wn += n1;
                if u >= LONG {
                    let (s0, n0) = column(u - LONG);
                    ws -= s0;
                    wn -= n0;
                }
                if wn >= MIN_SAMPLES {
                    best = best.max(ws / wn as f32 - background);
                }
            }
        }
    }
    best
}

/// Which boxes' segment scores (`scores`, NaN for boxes not judged) stand out from this sheet's: above
/// the point where its `n` judged boxes expect [`NOISE_BOXES`] of their own noise (the tail, see
/// [`TAIL`]: median + TAIL · ln(0.6 · n / NOISE_BOXES) deviations, 10.8 on a full page of 300), and
/// [`FLOOR`]; none when fewer than 20 boxes are judged (no sheet level to go by).
pub(crate) fn standing_out(scores: &[f32]) -> Vec<bool> {
    let Some((median, spread, judged)) = page_level(scores) else {
        return vec![false; scores.len()];
    };
    let spreads = TAIL * (0.6 * judged as f32 / NOISE_BOXES).ln();
    let cut = (median + spreads * spread).max(FLOOR);
    scores.iter().map(|&s| s >= cut).collect()
}

/// A sheet's level of box scores (`scores`, NaN for boxes not judged): their median, their deviation
/// below it (the median distance of the scores under the median), and how many were judged; `None` when
/// fewer than 20 are (no sheet level to go by). The deviation below the median only: the marks
/// themselves all lie above it, and on a page where every answer is a faint stroke they would widen a
/// two-sided deviation and hide each other.
pub(crate) fn page_level(scores: &[f32]) -> Option<(f32, f32, usize)> {
    let mut v: Vec<f32> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    if v.len() < 20 {
        return None;
    }
    let mid = v.len() / 2;
    let median = *v.select_nth_unstable_by(mid, f32::total_cmp).1;
    let mut dev: Vec<f32> = v
        .iter()
        .filter(|&&x| x <= median)
        .map(|x| median - x)
        .collect();
    let low = dev.len() / 2;
    let spread = *dev.select_nth_unstable_by(low, f32::total_cmp).1;
    Some((median, spread, v.len()))
}

/// Whether boxes `a` and `o` lie within `reach` mm of each other, edge to edge.
pub(crate) fn beside(a: &BoxMm, o: &BoxMm, reach: f32) -> bool {
    let dx = (o.x - (a.x + a.w)).max(a.x - (o.x + o.w)).max(0.0);
    let dy = (o.y - (a.y + a.h)).max(a.y - (o.y + o.h)).max(0.0);
    dx.hypot(dy) <= reach
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faint_line_scores_its_darkness_an_even_haze_nothing() {
        let (nx, ny) = (20, 13);
        let mut line = vec![0.0f32; nx * ny];
        let mut haze = vec![0.05f32; nx * ny];
        for i in 3..17 {
            // A slash from lower left to upper right, a grid step wide.
            let j = 10 - (i * 8) / 14;
            line[j * nx + i] = 0.1;
            line[(j + 1) * nx + i] = 0.1;
            haze[j * nx + i] = 0.05;
        }
        let s = segment_excess(&line, (nx, ny), (0.25, 0.25));
        assert!(s > 0.05, "{s}");
        assert!(segment_excess(&haze, (nx, ny), (0.25, 0.25)) < 0.01);
        let none = vec![f32::NAN; nx * ny];
        assert_eq!(segment_excess(&none, (nx, ny), (0.25, 0.25)), 0.0);
    }

    #[test]
    fn a_score_stands_out_above_the_sheet_s_own_and_the_floor() {
        // A quiet sheet: the floor decides.
        let mut scores = vec![0.002f32; 40];
        scores[3] = 0.05;
        scores[4] = 0.03;
        scores[5] = f32::NAN;
        let out = standing_out(&scores);
        assert!(out[3] && !out[4] && !out[5] && !out[0]);
        // A noisy one: the sheet's spread raises the cut over the floor.
        let mut scores: Vec<f32> = (0..40).map(|k| 0.02 + 0.01 * (k % 3) as f32).collect();
        scores[0] = 0.08;
        assert!(!standing_out(&scores)[0]);
        scores[0] = 0.2;
        assert!(standing_out(&scores)[0]);
        // Too few boxes judged: nothing.
        assert!(!standing_out(&[0.5; 10]).iter().any(|&b| b));
    }

    /// A box as a noisy 150 dpi scan leaves it once the print is taken away: rectified grain (`sigma`
    /// dark) on the inside left and right of the letter, which hides the middle, and the outline.
    fn noisy_box(rng: &mut super::super::synth::Rng, sigma: f32) -> Vec<f32> {
        let (nx, ny) = (20, 13);
        (0..nx * ny)
            .map(|k| {
                let (x, y) = (k % nx, k / nx);
                if !(2..=10).contains(&y) || !(2..=17).contains(&x) || (6..=13).contains(&x) {
                    return f32::NAN;
                }
                // Box–Muller: a normal deviate.
                let (u, v) = (rng.unit().max(1e-6), rng.unit());
                let n = (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos();
                (sigma * n).max(0.0)
            })
            .collect()
    }

    #[test]
    fn a_noisy_scan_s_empty_boxes_do_not_stand_out_a_faint_line_does() {
        // Twenty full pages of empty boxes on a grainy scan: the darkest window of each box is the most
        // extreme of many, and over 300 boxes some lie far out in the tail (on such noise a fixed 8
        // deviations are passed on about one page in twelve: a clean question sent to a person).
        let mut rng = super::super::synth::Rng::new(0x5ca9);
        for page in 0..20 {
            let scores: Vec<f32> = (0..300)
                .map(|_| segment_excess(&noisy_box(&mut rng, 0.03), (20, 13), (0.25, 0.246)))
                .collect();
            let out = standing_out(&scores);
            assert!(!out.iter().any(|&b| b), "page {page}: {scores:?}");
        }
        // A faint stroke on the same grain, down the left of the letter, stands out still.
        let mut scores: Vec<f32> = (0..300)
            .map(|_| segment_excess(&noisy_box(&mut rng, 0.03), (20, 13), (0.25, 0.246)))
            .collect();
        let mut stroke = noisy_box(&mut rng, 0.03);
        for y in 3..10 {
            stroke[y * 20 + 4] += 0.12;
            stroke[y * 20 + 5] += 0.12;
        }
        scores[7] = segment_excess(&stroke, (20, 13), (0.25, 0.246));
        let out = standing_out(&scores);
        assert!(out[7], "{}", scores[7]);
        assert_eq!(out.iter().filter(|&&b| b).count(), 1);
    }

    #[test]
    fn boxes_beside_each_other_within_reach() {
        let a = BoxMm {
            x: 0.0,
            y: 0.0,
            w: 5.0,
            h: 3.2,
        };
        let right = BoxMm { x: 6.2, ..a };
        let far = BoxMm { x: 9.0, ..a };
        let diagonal = BoxMm {
            x: 6.2,
            y: 4.6,
            ..a
        };
        assert!(beside(&a, &right, 2.0));
        assert!(!beside(&a, &far, 2.0));
        assert!(beside(&a, &diagonal, 2.0));
        assert!(!beside(&a, &diagonal, 1.5));
    }
}
