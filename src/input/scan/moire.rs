//! A page whose print mask covers every box's inside (a scan shown on a screen and photographed: the
//! screen's pixel grid beats with the camera's into a moiré of about a millimetre) is read blind by the
//! masked residuals; its boxes are measured against the page's own paper instead, with cuts above the
//! moiré's noise measured on the same page.
//!
//! The moiré darkens and lightens the paper by a tenth of white or more, a different phase in every
//! box, so the 75th percentile of the unmarked boxes (the print mask) and even their 25th (the
//! template) lie above the print cut at every point of the inside: each sample of each box is taken
//! for print and left out, and a light pencil stroke is no sample at all (third field check, seed 21,
//! screen photo: 132 of 132 inside samples masked in every box; 50–60 % on a copier page, the letter).
//! There only the letter's strokes, darker than the page's own inside level by the print cut, are
//! print; what is left is the box's ink with the moiré's noise on it, which the faint-stroke score
//! ([`super::faint`]) already judges against the same page's empty boxes. Fills, strokes and the
//! sheet's pencil level are judged on the same residuals, smoothed over 0.75 mm and less the page's
//! noise ([`noise_level`]), and a line round a box must be darker than the moiré leaves the contours
//! ([`contour_noise`]): without these every box read empty inside (a fill only by the ink round it,
//! and then often as a circle or a smudge).

/// A page is blind where at least this share of its answer boxes' inside samples is masked as print:
/// the letter and the outline's blur cover half of the inside (copier pages 0.45–0.65), a moiré
/// all of it.
pub(super) const BLIND_SHARE: f32 = 0.9;

/// The share of inside samples (`inner`) whose template `t` or mask `m` reach `print`, over the boxes
/// given as (t, m, inner) triples.
pub(super) fn masked_share<'a>(
    boxes: impl Iterator<Item = (&'a [f32], &'a [f32], &'a [bool])>,
    print: f32,
) -> f32 {
    let (mut masked, mut n) = (0u64, 0u64);
    for (t, m, inner) in boxes {
        for ((t, m), &i) in t.iter().zip(m).zip(inner) {
            if i {
                n += 1;
                masked += (*t >= print || *m >= print) as u64;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        masked as f32 / n as f32
    }
}

/// A box's residuals against its template on a blind page: the samples of the inside (`inner`) whose
/// template is darker than the box's own typical inside template (its median: the paper, the letter
/// covering less than half) by less than `print`, as `d − t` (not below 0); the letter's strokes and
/// everything outside NaN.
pub(super) fn residuals_on_blind_page(
    d: &[f32],
    t: &[f32],
    inner: &[bool],
    print: f32,
) -> Vec<f32> {
    let mut inside: Vec<f32> = t
        .iter()
        .zip(inner)
        .filter(|(_, i)| **i)
        .map(|(t, _)| *t)
        .collect();
    if inside.is_empty() {
        return vec![f32::NAN; d.len()];
    }
    let mid = inside.len() / 2;
    let paper = *inside.select_nth_unstable_by(mid, f32::total_cmp).1;
    d.iter()
        .zip(t)
        .zip(inner)
        .map(|((d, t), &i)| {
            if i && *t < paper + print {
                (d - t).max(0.0)
            } else {
                f32::NAN
            }
        })
        .collect()
}

/// The quantile of each box's smoothed residuals on a blind page taken for its moiré and taken away: an
/// empty box's residuals there are the moiré's swing above the template (unsmoothed p90 about 0.10,
/// p98 about 0.17 of white, third field check, seed 21; smoothed, its upper quarter 0.05–0.09); a fill
/// darkens paper by 0.3–0.6 and keeps most of it. Tuning seeds 21–26, screen photos: 0.75, 0.85 and 0.95
/// left 25, 26 and 28 marks silently wrong (44 before), clear fills flagged 27, 29 and 29 of 90 (35).
pub(super) const NOISE_QUANTILE: f32 = 0.75;

/// The page's moiré noise: over the boxes' residuals on a blind page (`residuals`, NaN where left out),
/// each box's [`NOISE_QUANTILE`], and the median of those over the boxes: most boxes of a page hold no
/// mark, and a marked box's own quantile is ink.
pub(super) fn noise_level<'a>(residuals: impl Iterator<Item = &'a [f32]>) -> f32 {
    quantile_over_boxes(residuals, NOISE_QUANTILE)
}

/// The quantile of the contour's residuals round a box on a blind page taken for its moiré: a line
/// round a box crosses each station in 2–3 of its 24 samples, a tenth of them. Without this cut, the
/// moiré lined the contour of half the empty boxes of a fabricated screen photo (read as smudges or
/// circles); tuning seeds 21–26: 0.97, 0.98, 0.99 left 25, 27, 29 marks silently wrong (0.97 one blank
/// box read as a circle where 0.99 reads it empty; 0.99 four light dots and slashes empty).
pub(super) const CONTOUR_QUANTILE: f32 = 0.97;

/// The moiré's darkest swing on the contours round the boxes of a blind page (`around`: each box's
/// contour residuals): each box's [`CONTOUR_QUANTILE`], the median over the boxes.
pub(super) fn contour_noise<'a>(around: impl Iterator<Item = &'a [f32]>) -> f32 {
    quantile_over_boxes(around, CONTOUR_QUANTILE)
}

/// The median over the boxes of each box's `q` quantile of its finite values.
fn quantile_over_boxes<'a>(residuals: impl Iterator<Item = &'a [f32]>, q: f32) -> f32 {
    let mut per_box: Vec<f32> = residuals
        .filter_map(|r| {
            let mut v: Vec<f32> = r.iter().copied().filter(|v| v.is_finite()).collect();
            if v.is_empty() {
                return None;
            }
            let k = ((v.len() - 1) as f32 * q).round() as usize;
            Some(*v.select_nth_unstable_by(k, f32::total_cmp).1)
        })
        .collect();
    if per_box.is_empty() {
        return 0.0;
    }
    let mid = per_box.len() / 2;
    *per_box.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Residuals less the page's moiré noise (not below 0; NaN kept): what is left is ink darker than the
/// moiré makes paper in all but a few samples of an empty box, judged then as on any page (the sheet's
/// pencil level, fills, strokes).
pub(super) fn above_noise(r: &[f32], noise: f32) -> Vec<f32> {
    r.iter().map(|v| (v - noise).max(0.0)).collect()
}

/// A box's residuals (`nx` × `ny`, NaN where left out) each the mean of the finite ones among it and
/// its eight neighbours (0.75 mm across): the moiré's swing, about 4 samples a period, falls to a third
/// or less, a fill keeps its level and a stroke two samples wide two thirds of it.
pub(super) fn smoothed(r: &[f32], nx: usize, ny: usize) -> Vec<f32> {
    (0..r.len())
        .map(|k| {
            if !r[k].is_finite() || nx == 0 {
                return f32::NAN;
            }
            let (i, j) = (k % nx, k / nx);
            let (mut sum, mut n) = (0.0f32, 0u32);
            for jj in j.saturating_sub(1)..(j + 2).min(ny) {
                for ii in i.saturating_sub(1)..(i + 2).min(nx) {
                    let v = r[jj * nx + ii];
                    if v.is_finite() {
                        sum += v;
                        n += 1;
                    }
                }
            }
            sum / n.max(1) as f32
        })
        .collect()
}

/// How far a box's faint-stroke score must stand above a blind page's median, in the page's own
/// deviations below it, to go to a person. The moiré's swing is no scanner's grain: it beats in every
/// box alike, so a blind page's empty boxes score in a narrow band (tuning seeds 21–26, 13 blind screen
/// photos, about 2,700 judged boxes: none over 5.4 deviations without ink in it), while a light tick-out,
/// slash or bar a hand drew there scores 6–11 and was read as empty under the sheet-wide cut of about 10
/// (a page of 200–250 boxes, see [`super::faint::standing_out`]). 6 deviations sent 7 silently empty
/// marks to a person there, and 4 boxes an eraser or a neighbour's shifted mark had left ink in.
pub(super) const FAINT_DEVIATIONS: f32 = 6.0;

/// Which boxes' faint-stroke scores (`scores`, NaN where not judged) stand out on a blind page: above
/// its median by [`FAINT_DEVIATIONS`] of its deviation below the median; none when fewer than 20 boxes
/// are judged or they do not spread at all.
pub(super) fn faint_standing_out(scores: &[f32]) -> Vec<bool> {
    let level = super::faint::page_level(scores).filter(|&(_, spread, _)| spread > 0.0);
    let Some((median, spread, _)) = level else {
        return vec![false; scores.len()];
    };
    let cut = median + FAINT_DEVIATIONS * spread;
    scores.iter().map(|&s| s.is_finite() && s >= cut).collect()
}

/// On a blind page a ring fitted round a box whose contour is lined in less than this share of its
/// judged stations, and whose inside holds less than [`MOIRE_RING_FILL`], may be the moiré's own dark
/// swing round an empty box: the ring fit joins a few dark arcs into an ellipse (tuning seeds 21–26: 7
/// empty boxes read as circles with 2–9 of 40 stations lined and 0.001–0.006 inside, one read as a
/// second letter beside a clear fill; boxes a hand marked and read as circles 13–27 of 40, or 4–9 with
/// a highlighter's 0.025 or more inside).
pub(super) const MOIRE_RING_LINED: f32 = 0.25;
/// See [`MOIRE_RING_LINED`].
pub(super) const MOIRE_RING_FILL: f32 = 0.012;

/// Whether a circle read round a box on a blind page rests on too little to be read as a mark:
/// `lined` of `judged` stations lined and `fill` inside. Such a box goes to a person, since a light
/// circle drawn round it by hand leaves as little inside.
pub(super) fn moire_ring(lined: usize, judged: usize, fill: f32) -> bool {
    judged > 0 && (lined as f32) < MOIRE_RING_LINED * judged as f32 && fill < MOIRE_RING_FILL
}
