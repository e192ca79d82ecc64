//! A coffee ring's tide line through a box: no mark. A drying drop carries its solids out to its rim (the
//! coffee-ring effect), so the dried ring is darkest at its outer edge, which is sharp (paper just
//! outside), and fades inward over a millimetre or more; its arc (a cup's, tens of millimetres across)
//! is straight across a box and runs on past it through the gaps. A pencil or pen line has two sharp
//! edges; a fill, a tick, a dot leave ink the straight profile does not explain. Only a box whose whole
//! ink is one such edge-and-ramp profile, running on outside the box, is taken for a tide line.

/// Orientations tried for the line, over half a turn.
const ANGLES: usize = 36;
/// Width (mm) of the bands across the line the profile is taken in: the grid's step.
const BIN: f32 = 0.25;
/// A band holds at least this many samples to count in the profile.
const BIN_MIN: usize = 3;
/// The profile's level (share of its peak) the widths on either side are measured at.
const LEVEL: f32 = 0.4;
/// The ramp runs at least this far (mm) inward before falling to [`LEVEL`]: wider than the half width
/// of any pencil or pen stroke (a ring's ramp fades over 1–6 mm, measured on field check seed 21).
const RAMP_MIN: f32 = 0.6;
/// ... and no further than this (mm): the rings of field check seed 21 reach 0.4 of their rim within
/// 1.0-1.5 mm, where a fill graded across a box, or a light dot on the ramp, stays dark further.
const RAMP_MAX: f32 = 1.75;
/// Halfway down the ramp the profile is at most this share of the peak (an exponential ramp: 0.6); a
/// band of pencil or a fill's edge stays flat there.
const MID: f32 = 0.8;
/// The sharp side falls to [`LEVEL`] within this (mm): the rim's outer edge, two of the grid's steps.
const SHARP_MAX: f32 = 0.5;
/// Contour samples this far (mm) past the outline and further join the profile (the printed outline
/// itself left out).
const PROFILE_OUT: f32 = 0.15;
/// ... and at least this many times as far as the sharp side falls to [`LEVEL`]: an exponential ramp
/// (to 0.4 in 0.9 of its scale) against the rim's outer edge (0.35 of it); a stroke falls alike on both
/// sides.
const ASYMMETRY: f32 = 2.0;
/// Past the sharp edge the paper shows: every band there at most this share of the peak.
const PAPER: f32 = 0.25;
/// The ramp falls inward: no band more than this share of the peak darker than the band before it
/// (the paper's grain and the scanner's noise move a band by a little); past [`LEVEL`] it stays below
/// this share too (no second line of ink).
const RISE: f32 = 0.15;
const BEYOND: f32 = 0.5;
/// Inside the box no sample lies more than this share of the peak above the profile where it lies
/// (the rim's own unevenness along a box: up to 0.2 of its peak on field check seed 21), nor more than
/// the sheet's low cut: a stroke of the student's own, however light, crosses the line's bands.
const EXCESS: f32 = 0.35;
/// ... and on average no more than this above its own band's level (the rim's edge falling between
/// bands: up to 0.037 on field check seed 21): a light dot or fill on the rim adds its darkness over an
/// area.
const MEAN_EXCESS: f32 = 0.04;
/// How far (mm) along the contour's normal past the outline the ring is looked for where its line
/// leaves the box, and how close (mm, across the line) to the line's peak a contour sample lies to
/// count.
const OUT_FROM: f32 = 0.3;
const ON_LINE: f32 = 0.35;

/// What the inside of a box and the contour round it hold, as the scanner sampled them.
pub(super) struct Box<'a> {
    /// Residual darkness inside (print taken away; NaN where not measured) on an `nx` × `ny` grid spread
    /// evenly over the box, `w` × `h` mm.
    pub r: &'a [f32],
    pub nx: usize,
    pub ny: usize,
    pub w: f32,
    pub h: f32,
    /// Contour samples: where each lies (mm from the box's centre, and how far past the outline,
    /// negative inside) and its residual darkness.
    pub around: Vec<(f32, f32, f32, f32)>,
}

/// The line found: the widths (mm) it falls to [`LEVEL`] on its sharp and its ramp
/// side, whether all of the box's ink is on it, and whether it runs on past the outline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tide {
    pub sharp: f32,
    pub ramp: f32,
    pub explained: bool,
    pub runs_on: bool,
    pub paper: bool,
    pub falls: bool,
    /// The ramp's level halfway down, as a share of the peak.
    pub mid: f32,
}

impl Tide {
    pub(super) fn is_tide(&self) -> bool {
        #[cfg(test)]
        if OFF.with(|c| c.get()) {
            return false;
        }
        self.explained
            && self.runs_on
            && self.paper
            && self.falls
            && self.sharp <= SHARP_MAX
            && (RAMP_MIN..=RAMP_MAX).contains(&self.ramp)
            && self.ramp >= ASYMMETRY * self.sharp
            && self.mid <= MID
    }
}

/// The straight profile that best explains box `b`'s ink, `ink` the darkness (above the profile) of
/// ink of its own (the sheet's low cut); `None` when the box holds too little to judge.
pub(super) fn line_in(b: &Box, ink: f32) -> Option<Tide> {
    let (sx, sy) = (b.w / b.nx as f32, b.h / b.ny as f32);
    // The inside's samples (true) and the contour's past the outline (false): the line is followed out
    // of the box, where it runs on and the paper beyond its sharp edge shows.
    let mut pts: Vec<(f32, f32, f32, bool)> =
        b.r.iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(|(k, &v)| {
                (
                    sx * ((k % b.nx) as f32 + 0.5) - b.w / 2.0,
                    sy * ((k / b.nx) as f32 + 0.5) - b.h / 2.0,
                    v,
                    true,
                )
            })
            .collect();
    if pts.len() < 20 {
        return None;
    }
    pts.extend(
        b.around
            .iter()
            .filter(|(_, _, out, v)| *out >= PROFILE_OUT && !v.is_nan())
            .map(|&(x, y, _, v)| (x, y, v, false)),
    );
    let reach = 0.5 * (b.w * b.w + b.h * b.h).sqrt() + 2.0;
    let nbins = (2.0 * reach / BIN) as usize + 2;
    let bin_of = |t: f32| (((t + reach) / BIN) as usize).min(nbins - 1);
    // The line is found and its profile taken outside the box only, where it runs on past the outline:
    // the inside must be what that line predicts, so ink of the student's own in the box (a dot on the
    // rim) cannot shape the profile it is judged against.
    // The orientation whose bands leave the least spread within them.
    let mut best: Option<(f32, f32, f32)> = None;
    for a in 0..ANGLES {
        let th = std::f32::consts::PI * a as f32 / ANGLES as f32;
        let (c, s) = (th.cos(), th.sin());
        let mut sum = vec![0.0f32; nbins];
        let mut sq = vec![0.0f32; nbins];
        let mut n = vec![0u32; nbins];
        for &(x, y, v, _) in pts.iter().filter(|p| !p.3) {
            let k = bin_of(x * c + y * s);
            sum[k] += v;
            sq[k] += v * v;
            n[k] += 1;
        }
        let within: f32 = (0..nbins)
            .filter(|&k| n[k] > 0)
            .map(|k| sq[k] - sum[k] * sum[k] / n[k] as f32)
            .sum();
        if best.is_none_or(|(w, _, _)| within < w) {
            best = Some((within, c, s));
        }
    }
    let (_, c, s) = best?;
    let mut bands: Vec<Vec<f32>> = vec![Vec::new(); nbins];
    for &(x, y, v, _) in pts.iter().filter(|p| !p.3) {
        bands[bin_of(x * c + y * s)].push(v);
    }
    let profile: Vec<Option<f32>> = bands
        .iter_mut()
        .map(|v| {
            (v.len() >= BIN_MIN).then(|| {
                v.sort_by(f32::total_cmp);
                v[v.len() / 2]
            })
        })
        .collect();
    let (kp, peak) = profile
        .iter()
        .enumerate()
        .filter_map(|(k, p)| p.map(|p| (k, p)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if peak <= 0.0 {
        return None;
    }
    // Every sample inside within `excess` of the profile near it: nothing but the line in the box.
    let near_max = |k: usize| {
        (k.saturating_sub(1)..=(k + 1).min(nbins - 1))
            .filter_map(|j| profile[j])
            .fold(f32::NEG_INFINITY, f32::max)
    };
    let excess = ink.min(EXCESS * peak);
    let (mut over, mut n) = (0.0f32, 0u32);
    let explained = pts.iter().filter(|p| p.3).all(|&(x, y, v, _)| {
        let k = bin_of(x * c + y * s);
        let m = near_max(k);
        if let Some(own) = profile[k] {
            over += (v - own).max(0.0);
            n += 1;
        }
        m.is_finite() && v <= m + excess
    }) && n > 0
        && over / n as f32 <= MEAN_EXCESS;
    // Width to LEVEL on each side, and what lies past it.
    let side = |dir: i64| -> (Option<f32>, Vec<f32>, Vec<f32>) {
        let mut width = None;
        let (mut past, mut down) = (Vec::new(), Vec::new());
        let mut prev = peak;
        let mut rising = false;
        let mut k = kp as i64 + dir;
        while k >= 0 && (k as usize) < nbins {
            if let Some(p) = profile[k as usize] {
                let d = (k - kp as i64).unsigned_abs() as f32 * BIN;
                if width.is_none() {
                    down.push(p);
                    if p <= LEVEL * peak {
                        width = Some(d);
                    } else if p > prev + RISE * peak {
                        rising = true;
                    }
                    prev = p;
                } else {
                    past.push(p);
                }
            }
            k += dir;
        }
        (if rising { None } else { width }, past, down)
    };
    let (lo, hi) = (side(-1), side(1));
    // The sharp side is the narrower; its far side must be seen to fall too.
    let ((sharp, sharp_past, _), (ramp, ramp_past, down)) = match (lo.0, hi.0) {
        (Some(a), Some(b)) if a <= b => ((a, lo.1, lo.2), (b, hi.1, hi.2)),
        (Some(a), Some(b)) => ((b, hi.1, hi.2), (a, lo.1, lo.2)),
        _ => return None,
    };
    let paper = !sharp_past.is_empty() && sharp_past.iter().all(|&p| p <= PAPER * peak);
    let falls = ramp_past.iter().all(|&p| p <= BEYOND * peak);
    let mid = down
        .get((down.len() / 2).saturating_sub(1))
        .map_or(1.0, |&p| p / peak);
    // The peak line's place across the box (mm from the centre) and which way the ramp lies.
    let t_peak = (kp as f32 + 0.5) * BIN - reach;
    // It runs on past the outline at both ends: contour samples outside the box, on the line, as dark
    // as its ramp's level at least, on either side of the box along the line (a pencil stroke ending
    // in the box, a tick's vertex, leaves paper at one end).
    let along = |&(x, y, _, v): &(f32, f32, f32, f32)| -> Option<f32> {
        (!v.is_nan() && v >= LEVEL * peak && ((x * c + y * s) - t_peak).abs() <= ON_LINE)
            .then_some(y * c - x * s)
    };
    let ends: Vec<f32> = b
        .around
        .iter()
        .filter(|p| p.2 >= OUT_FROM)
        .filter_map(along)
        .collect();
    let runs_on = ends.iter().any(|&u| u < 0.0) && ends.iter().any(|&u| u > 0.0);
    Some(Tide {
        sharp,
        ramp,
        explained,
        runs_on,
        paper,
        falls,
        mid,
    })
}

#[cfg(test)]
thread_local! {
    /// Tests read a page as before tide lines were told from strokes.
    pub(super) static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
