//! The light on each bubble, from the bubble's own surroundings: where a shadow's or a fold's edge makes
//! the page's paper-white map (cells of about 2.7 mm, each given the brightest paper within two cells)
//! brighter than the paper a box actually lies on, the box is measured against its own paper instead.
//!
//! A shadow over a phone photo, or the shade along a fold, takes away a share of the light falling on the
//! sheet: paper, print and graphite under it all return that share less (pencil graphite reflects a
//! fraction of the light it gets, as paper and toner do). So a box lit by a fraction `f` of what the white
//! map assumes reads every sample as `1 − f·r` instead of `1 − r` (darkness against the map, `r` the
//! reflectance): the paper round it reads `1 − f`, and the whole box — paper, outline, letter, pencil —
//! is brought back by `(v − (1 − f)) / f`. A mark is no shade: it darkens the paper it covers, not the
//! printed outline beside it, and graphite over black toner adds almost nothing; so the shade taken away
//! is never more than what the box's own outline shows as well, and a loose circle, a smear or a
//! neighbour's overrun round a box (dark paper, an outline as dark as anywhere) takes nothing away.

use super::geometry::BoxMm;
use super::homography::Homography;
use super::marks::Prepared;

/// The paper is judged this far out past the printed outline (mm) and beyond: clear of the outline's
/// own blur, short of the next box's (1.0–1.4 mm away) for some of the samples at least.
const PAPER_FROM: f32 = 0.3;
/// The outline is measured as the mean darkness across this distance (mm) either side of where it is
/// printed: the whole printed line whatever a fraction of a millimetre of registration, and the same
/// whatever phase of the pixel grid it falls on (the darkest single sample is not).
const OUTLINE_REACH: f32 = 0.35;
/// Of the stations along the box's sides, the share of lighter ones the paper level is taken at (their
/// lower quartile): a circle or a smear past one side, or a fill's overrun, darkens some stations, not
/// three quarters of them.
const PAPER_QUANTILE: f32 = 0.25;
/// A shade smaller than this (a share of the light) is paper grain, a photo's uneven light within a
/// white-map cell, or noise; it is left alone, so a page lit evenly reads exactly as before.
pub(super) const MIN_SHADE: f32 = 0.03;
/// The page's print must return at least this share of the light for its outlines to say anything: a
/// page cut to black and white (or printed solid black and scanned sharp) has outlines at 0 whatever
/// the light.
const MIN_OUTLINE_LIGHT: f32 = 0.15;

/// What the samples across a box's contour say about the light there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Surround {
    /// Darkness of the paper just outside the box against the white map (its lighter stations).
    pub paper: f32,
    /// Darkness of the box's printed outline against the white map (the median over its side stations).
    pub outline: f32,
}

/// One station of the contour round a box: its samples from inside out, `step` mm apart, the first at
/// `first` mm from the outline (negative: inside the box); only stations along a side (not round a
/// corner, where the outline is not crossed square) are given.
pub(super) struct Station<'a> {
    pub samples: &'a [f32],
    pub first: f32,
    pub step: f32,
}

/// The paper and outline levels round one box; `None` when too few stations hold samples.
pub(super) fn surround<'a>(stations: impl Iterator<Item = Station<'a>>) -> Option<Surround> {
    let mut papers: Vec<f32> = Vec::with_capacity(32);
    let mut outlines: Vec<f32> = Vec::with_capacity(32);
    let mut outside: Vec<f32> = Vec::with_capacity(24);
    for s in stations {
        outside.clear();
        let (mut line, mut line_n) = (0.0f32, 0u32);
        for (k, &v) in s.samples.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let at = s.first + k as f32 * s.step;
            if at >= PAPER_FROM {
                outside.push(v);
            }
            if at.abs() <= OUTLINE_REACH {
                line += v;
                line_n += 1;
            }
        }
        // The three lightest samples outside: paper between this outline and the next box's, whatever
        // a line drawn across part of that reach.
        if outside.len() >= 3 {
            outside.sort_unstable_by(f32::total_cmp);
            papers.push((outside[0] + outside[1] + outside[2]) / 3.0);
        }
        if line_n > 0 {
            outlines.push(line / line_n as f32);
        }
    }
    if papers.len() < 8 || outlines.len() < 8 {
        return None;
    }
    let at = |v: &mut Vec<f32>, q: f32| -> f32 {
        let k = ((v.len() - 1) as f32 * q) as usize;
        *v.select_nth_unstable_by(k, f32::total_cmp).1
    };
    Some(Surround {
        paper: at(&mut papers, PAPER_QUANTILE),
        outline: at(&mut outlines, 0.5),
    })
}

/// The page's typical outline darkness: the median over its boxes whose paper reads as white as the
/// map says (all of them when too few do); a box's pencil darkens its own outline only, and most boxes
/// hold none.
pub(super) fn typical_outline(surrounds: &[Option<Surround>]) -> Option<f32> {
    let mut v: Vec<f32> = surrounds
        .iter()
        .flatten()
        .filter(|s| s.paper < MIN_SHADE)
        .map(|s| s.outline)
        .collect();
    if v.len() < 20 {
        v = surrounds.iter().flatten().map(|s| s.outline).collect();
    }
    if v.is_empty() {
        return None;
    }
    let k = v.len() / 2;
    Some(*v.select_nth_unstable_by(k, f32::total_cmp).1)
}

/// The share of the light the white map assumes that a box does not get (0 none): what the paper round
/// it shows, as far as its printed outline shows it too; 0 below [`MIN_SHADE`].
pub(super) fn shade(s: &Surround, typical_outline: f32) -> f32 {
    let typical_light = 1.0 - typical_outline;
    if typical_light < MIN_OUTLINE_LIGHT {
        return 0.0;
    }
    let by_outline = 1.0 - (1.0 - s.outline) / typical_light;
    let shade = s.paper.min(by_outline).min(0.9);
    if shade < MIN_SHADE { 0.0 } else { shade }
}

/// A darkness measured against the white map, measured instead against the box's own paper (`shade`
/// from [`shade`]): `(v − shade) / (1 − shade)`, not below 0; NaN stays NaN.
#[inline]
pub(super) fn relit(v: f32, shade: f32) -> f32 {
    if shade <= 0.0 || v.is_nan() {
        v
    } else {
        ((v - shade) / (1.0 - shade)).max(0.0)
    }
}

/// The white map's cells change from one paper level to another within `reach` mm of box `a` (its
/// contour and a little more) by more than [`MIN_SHADE`]: the box is measured
/// against the lightest of them, everywhere; `None` where the map is even there (the box is measured
/// against each sample's own cell, as always).
///
/// Why: a shadow takes away a share of the light, and paper, print and graphite under it return that
/// share less alike — brightness is light times reflectance. The white map follows the paper's light
/// cell by cell (2.7 mm cells, each given the lightest paper within two cells), so where a shadow's
/// sharp edge, or a fold's crease with its shade on one side, runs within a couple of cells of a box,
/// part of the box is measured against lit paper and part against shaded paper: the same paper reads
/// 0 on one side of a cell border and 0.4 on the other, and no one level taken away afterwards brings
/// both back. Measured against one paper level throughout, the box's samples keep their true
/// proportions (each its reflectance times the light where it lies), and the box's own surroundings
/// then give the one level its light is taken back by (see [`shade`]).
pub(super) fn one_paper(page: &Prepared, a: &BoxMm, h: &Homography, reach: f32) -> Option<f32> {
    #[cfg(test)]
    if WHITE_MAP_ONLY.with(|c| c.get()) {
        return None;
    }
    let (mut u0, mut v0, mut u1, mut v1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in [
        (a.x - reach, a.y - reach),
        (a.x + a.w + reach, a.y - reach),
        (a.x - reach, a.y + a.h + reach),
        (a.x + a.w + reach, a.y + a.h + reach),
    ] {
        let (u, v) = h.map_f32(x, y);
        u0 = u0.min(u);
        v0 = v0.min(v);
        u1 = u1.max(u);
        v1 = v1.max(v);
    }
    if !(u0.is_finite() && v0.is_finite() && u1.is_finite() && v1.is_finite()) {
        return None;
    }
    let (lo, hi) = page.paper_range(u0, v0, u1, v1);
    (lo < hi * (1.0 - MIN_SHADE)).then_some(hi)
}

#[cfg(test)]
thread_local! {
    /// Tests measure a page the way it was read before [`one_paper`] too, to show what it changes.
    pub(super) static WHITE_MAP_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
