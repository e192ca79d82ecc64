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
