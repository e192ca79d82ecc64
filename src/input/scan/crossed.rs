//! A fill crossed out: a box read as filled over which the student has drawn an × to cancel it. Whether a
//! cross over a fill cancels it is the teacher's rule, not the scanner's, so such a box goes to a person.
//!
//! What tells it from a fill, physically: a fill stays in its box. A hand filling a box turns its strokes
//! round at the outline (or a little past it), and what runs over is a short smear along the edge: past
//! the box its ink lies as a band along the side, a few tenths of a millimetre deep, widest where the edge
//! is and thinning outward. A cross drawn to cancel a fill is drawn with straight, fast strokes longer
//! than the box's diagonal, corner to corner: each arm leaves the box near a corner and runs on, as a line
//! of one stroke's width, out over the paper, away from the box and slanting (neither along the sheet's
//! rows nor its columns, as the box is wider than it is tall and the stroke joins its corners). So round
//! the box, on lines at fixed distances out past its outline, an arm crosses each line once near a corner,
//! as a short run of ink no wider than a stroke seen aslant, and the crossings at increasing distances lie
//! on one straight slanting line leading out from the corner. A fill's overrun, where it reaches as far,
//! runs along the edge (a long run, not a narrow one), and the tips of its strokes stop before the
//! furthest line. Two corners with such an arm — two directions — make a crossed-out fill.
//!
//! Measured per bubble, only on boxes read as fills: a few hundred samples each, on three lines round
//! the box. Print: the box's own outline lies inside the nearest line; the next bubbles' outlines lie
//! further out than the furthest line across the 1.2–1.4 mm gaps of the answer grid (samples within
//! [`CLEAR_OF_BOXES`] of another box are left out, as in the tighter id grid), and a block's frame lies
//! past 1 mm. A page's copier streaks and creases are painted out before ([`super::lines`]), and run
//! along the sheet's axes anyway.
//!
//! On a copier's 1-bit page a light pencil fill falls under the threshold, and so do the ×'s arms past
//! the box, where its pencil lies on paper alone; inside the box, over the fill, the × stays black. Such
//! a box reads as strokes: there the × is told by its ink along both diagonals, corner to corner, with
//! the middles of the box's sides clear (see [`diagonals_crossed`]). Where the fill stays black under
//! the × instead, a broad pencil's arm covers the lines' whole quarter circle round the corner and the
//! middles of its runs there lie along the sides, not on a slanting line: its reach past the corner is
//! followed along rays from the box's middle instead (see [`arms_reach_past_overrun`]).
//!
//! Where a neighbour is filled, its overrun meets this fill's across the gap and hides the arms on that
//! side, or they end near a neighbour's box, where nothing is judged: only the two arms past one side's
//! corners are left. Two corners of one side also hold a ring drawn round the box (or the next one) and
//! a zigzag fill's first and last turns, so there the arms must also start at the outline and aim back
//! through the box's middle, and the side between them must be paper (see [`crossed_one_side`]).

use super::geometry::{BoxMm, BubbleMeaning, SheetGeometry};
use super::homography::Homography;
use super::page::Prepared;
use super::reading::{BubbleReading, BubbleState, Levels, MarkShape};

/// The distances past the outline (mm) of the lines the ink is looked for on: clear of the box's own
/// outline and of a fill's strokes turning round at it, and short of where a cross's arms end (the
/// field checks' cancelling crosses reach 0.6–1.3 mm past a corner, a stroke's half-width more). An arm
/// is three crossings on three of them, the outermost at least [`REACH`] out (see [`arms`]).
pub(super) const DISTANCES: [f32; 4] = [0.45, 0.65, 0.85, 1.05];
/// How far out (mm) an arm must reach at least: a fill's strokes, however hastily carried past the box
/// (a hand turning its stroke round at the outline overshoots it by a few tenths, a broad 2B's half
/// width more), end short of it; a stroke drawn to cross the box out runs on past it. The lines inside
/// it are for the broad soft pencil: its cross's arm, a millimetre wide, merges where it leaves the box
/// with the fill's overrun round the outline (and a left hand's smear dragged out to the right), so the
/// innermost line finds no narrow run there, but the arm runs on well past the furthest line.
const REACH: f32 = 0.85;
/// Spacing of the samples along each line (mm): a stroke 0.3 mm wide covers at least two.
const STEP: f32 = 0.1;
/// The longest run of ink along a line that is still a stroke crossing it near a corner (mm): a 2B point
/// a millimetre wide crosses a line round the corner at a slant in up to about 1.6 mm; an overrun along
/// an edge lines all of it (3–5 mm).
const MAX_RUN: f32 = 1.8;
/// How far along a side from its corner (mm) a run still counts as the corner's: an arm drawn a little
/// off the corner leaves the box by the side next to it.
const NEAR_CORNER: f32 = 0.8;
/// How far the middle crossing may lie off the straight line through the inner and outer ones (mm):
/// a stroke drawn fast is straight over a millimetre.
const STRAIGHT: f32 = 0.3;
/// The slant of an arm (degrees from the sheet's rows, outward both ways): a stroke from corner to
/// corner of a 5 × 3.2 mm box runs at about 33°, a cross drawn square over it at 45°; a smear dragged
/// sideways by the hand, a streak or a crease runs along a row or a column, and a scribbled fill's
/// strokes turn at the box's corners steeply, at 70–80° (a zigzag of a stroke's width at a time down
/// the box, its turns a little past the outline).
const SLANT: (f32, f32) = (12.0, 62.0);
/// Samples this close to another bubble's box (mm) are left out: its outline, and its own marks.
const CLEAR_OF_BOXES: f32 = 0.3;

/// The boxes read as fills that are crossed out (see the module's doc) turned into smudges, which a
/// person decides.
pub(crate) fn flag_crossed_fills(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    readings: &mut [BubbleReading],
    levels: &Levels,
    shades: &[f32],
) {
    let ink = (0.35 * levels.pencil).max(0.12);
    // Each fill's lines and whether it is read as cut by a 1-bit page's ×, first for all of them: the
    // page's moiré is judged over all its fills before any one's arms are (see [`TEXTURE_RUNS`]).
    let mut judged: Vec<(usize, Vec<Vec<Sample>>, bool, bool)> = Vec::new();
    for i in 0..readings.len().min(geom.bubbles.len()) {
        let shape = readings[i].shape;
        if readings[i].state != BubbleState::Filled
            || matches!(shape, MarkShape::None | MarkShape::Smudge)
        {
            continue;
        }
        let a = &geom.bubbles[i].area;
        let others: Vec<&BoxMm> = geom
            .bubbles
            .iter()
            .enumerate()
            .filter(|&(j, o)| j != i && near(a, &o.area))
            .map(|(_, o)| &o.area)
            .collect();
        let sampled: Vec<(Vec<Sample>, bool)> = DISTANCES
            .iter()
            .map(|&e| {
                sample_line(
                    page,
                    h,
                    a,
                    e,
                    &others,
                    shades.get(i).copied().unwrap_or(0.0),
                )
            })
            .collect();
        let bilevel = sampled.iter().all(|(_, b)| *b);
        let lines: Vec<Vec<Sample>> = sampled
            .into_iter()
            .map(|(mut line, _)| {
                if bilevel {
                    for s in &mut line {
                        s.dark = s.near;
                    }
                }
                line
            })
            .collect();
        let cut_cross = bilevel
            && matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. })
            && if shape == MarkShape::Fill {
                arms_reach_past_overrun(page, h, a, &others)
            } else {
                diagonals_crossed(page, h, a)
            };
        judged.push((i, lines, cut_cross, bilevel));
    }
    let textures: Vec<(usize, f32)> = judged
        .iter()
        .filter(|(i, _, _, bilevel)| readings[*i].shape == MarkShape::Fill && !bilevel)
        .map(|(_, lines, _, _)| side_texture(lines, ink))
        .collect();
    let moire = textured(&textures.iter().map(|t| t.0).collect::<Vec<usize>>());
    let mut on_bilevel = Vec::new();
    for (i, lines, cut_cross, bilevel) in judged {
        let cut = arms_cut(&lines, ink, moire && !bilevel);
        let a = &geom.bubbles[i].area;
        let fine = || {
            let (cx, cy) = a.centre();
            h.local_scale(cx as f64, cy as f64) as f32 >= FINE_ENOUGH_TO_AIM
        };
        if (readings[i].shape == MarkShape::Fill
            && (crossed(&arms(&lines, cut))
                || (!bilevel && fine() && crossed_one_side(&lines, cut, a))))
            || cut_cross
        {
            readings[i].shape = MarkShape::Smudge;
            readings[i].state = BubbleState::Doubtful;
        } else if bilevel && matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. }) {
            on_bilevel.push(i);
        }
    }
    // A light fill whose × only shows where its strokes cross (see [`super::crossing`]).
    if !on_bilevel.is_empty() {
        super::crossing::flag_crossings(page, geom, h, readings, &on_bilevel);
    }
}

/// A page photographed off a screen has a moiré over its paper (its dark swing 0.2–0.45 of white against
/// the pencil cut's 0.12, about a millimetre a period): on the lines round a fill it makes a narrow run
/// every millimetre or so, along the middles of the box's sides as at its corners, and two of them at
/// opposite corners in line with the box's outline by chance read as a cross's arms (tuning seeds
/// 21–26, screen photos: 35 clear fills and 3 id digits flagged so, one page not read at all). A
/// cross's arms leave by the corners only; the middles of the sides hold a fill's overrun (a long run,
/// not a narrow one) or a neighbour's stroke now and then. So the page is judged by its fills' side
/// middles: where their median holds at least this many narrow runs (screen photos 11–20 a box,
/// copier and camera pages of the second field check's seed 21 at most 13 in any box and 0 in two
/// thirds of them), the paper itself is textured, and a box's arms are looked for above the darkest
/// narrow run along its own side middles (see [`ABOVE_TEXTURE`]). Not on a copier's 1-bit page: no
/// moiré survives its threshold, and every run there is black, the arms' too.
pub(super) const TEXTURE_RUNS: usize = 6;
/// The fewest fills a page's texture is judged over: every sheet's id grid holds eight.
pub(super) const TEXTURE_FILLS: usize = 5;
/// How far above the darkest of the moiré's narrow runs along a box's side middles (of white) its arms
/// are looked for: a cross pressed hard to cancel a fill is as dark as the pen, well above the swing.
pub(super) const ABOVE_TEXTURE: f32 = 0.03;

/// The cut a box's arms are looked for at: the pencil's (`ink`), or on a page whose paper is textured
/// (`moire`) above the darkest narrow run along the box's own side middles.
pub(super) fn arms_cut(lines: &[Vec<Sample>], ink: f32, moire: bool) -> f32 {
    if moire {
        ink.max(side_texture(lines, ink).1 + ABOVE_TEXTURE)
    } else {
        ink
    }
}

/// Whether a page's paper is textured (a moiré), from its fills' counts of narrow runs along their side
/// middles (see [`TEXTURE_RUNS`]).
pub(super) fn textured(counts: &[usize]) -> bool {
    if counts.len() < TEXTURE_FILLS {
        return false;
    }
    let mut c = counts.to_vec();
    let mid = c.len() / 2;
    *c.select_nth_unstable(mid).1 >= TEXTURE_RUNS
}

/// The narrow runs (as [`narrow_runs`] finds them) along the middles of a box's sides, away from its
/// corners, on all its lines: how many, and the darkest sample among them (0 when none).
pub(super) fn side_texture(lines: &[Vec<Sample>], ink: f32) -> (usize, f32) {
    let (mut count, mut peak) = (0usize, 0.0f32);
    for line in lines {
        for (first, last) in run_spans(line, ink) {
            let n = line.len();
            if line[((first + last) / 2) % n].corner.is_none() {
                count += 1;
                peak = (first..=last)
                    .map(|k| line[k % n].dark)
                    .filter(|d| d.is_finite())
                    .fold(peak, f32::max);
            }
        }
    }
    (count, peak)
}

/// Whether box `o` comes within reach of the lines round box `a`.
fn near(a: &BoxMm, o: &BoxMm) -> bool {
    let reach = DISTANCES[DISTANCES.len() - 1] + CLEAR_OF_BOXES + 0.1;
    o.x < a.x + a.w + reach
        && o.x + o.w > a.x - reach
        && o.y < a.y + a.h + reach
        && o.y + o.h > a.y - reach
}

/// One sample on a line round a box: where it is (mm), which corner it counts for (0 top left, 1 top
/// right, 2 bottom right, 3 bottom left; `None` along the middle of a side), how dark it is (NaN where
/// it is not judged), and how dark the darkest pixel within one pixel of it is (see [`sample_line`]).
#[derive(Clone, Copy)]
pub(super) struct Sample {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) corner: Option<usize>,
    pub(super) dark: f32,
    pub(super) near: f32,
}

/// The line `e` mm out past box `a` all round (straight along the sides, quarter circles round the
/// corners), clockwise from the top left, sampled every [`STEP`].
pub(super) fn line_points(a: &BoxMm, e: f32) -> Vec<(f32, f32, Option<usize>)> {
    use std::f32::consts::{FRAC_PI_2, PI};
    let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
    let mut pts = Vec::new();
    // Along a side of length `len` from the corner `from` to the corner `to`.
    let side = |pts: &mut Vec<(f32, f32, Option<usize>)>,
                (sx, sy): (f32, f32),
                (dx, dy): (f32, f32),
                len: f32,
                from: usize,
                to: usize| {
        let n = (len / STEP).round().max(1.0) as usize;
        for k in 0..n {
            let t = (k as f32 + 0.5) * len / n as f32;
            let corner = if t <= NEAR_CORNER {
                Some(from)
            } else if len - t <= NEAR_CORNER {
                Some(to)
            } else {
                None
            };
            pts.push((sx + dx * t, sy + dy * t, corner));
        }
    };
    let arc = |pts: &mut Vec<(f32, f32, Option<usize>)>,
               (cx, cy): (f32, f32),
               start: f32,
               corner: usize| {
        let n = ((FRAC_PI_2 * e) / STEP).round().max(1.0) as usize;
        for k in 0..n {
            let t = start + (k as f32 + 0.5) / n as f32 * FRAC_PI_2;
            pts.push((cx + e * t.cos(), cy + e * t.sin(), Some(corner)));
        }
    };
    side(&mut pts, (x0, y0 - e), (1.0, 0.0), a.w, 0, 1);
    arc(&mut pts, (x1, y0), -FRAC_PI_2, 1);
    side(&mut pts, (x1 + e, y0), (0.0, 1.0), a.h, 1, 2);
    arc(&mut pts, (x1, y1), 0.0, 2);
    side(&mut pts, (x1, y1 + e), (-1.0, 0.0), a.w, 2, 3);
    arc(&mut pts, (x0, y1), FRAC_PI_2, 3);
    side(&mut pts, (x0 - e, y1), (0.0, -1.0), a.h, 3, 0);
    arc(&mut pts, (x0, y0), PI, 0);
    pts
}

/// The line `e` mm out past box `a`, sampled on the page: each sample the mean darkness of the pixels
/// round it (a block about a step wide) against the paper there, as the box itself was measured (its
/// `shade`: see [`super::light`]); NaN off the image and near the boxes `others`. With it, whether every pixel looked at is pure black or white: a copier's 1-bit page.
///
/// A 1-bit copier page has no grey: a thin line whose ink lies near the copier's threshold (a blue
/// ballpoint, a pencil's lighter edge, the fading tip of a fast stroke) comes out as a chain of dots and
/// dashes a pixel or two wide (200 dpi: 0.13 mm a pixel), which a sample of one pixel every 0.1 mm hits
/// once or misses where the line crosses. There each sample also takes the darkest pixel within one
/// pixel of its block: a dot then covers the two or three samples a stroke's width does on a grey scan,
/// and a one-pixel gap in the chain no longer breaks it. On a grey page a line is as wide as the pen
/// and shades off at its edges; there the mean of the block is used alone, as before.
fn sample_line(
    page: &Prepared,
    h: &Homography,
    a: &BoxMm,
    e: f32,
    others: &[&BoxMm],
    shade: f32,
) -> (Vec<Sample>, bool) {
    let img = page.pixels();
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let (cx, cy) = a.centre();
    let ppm = h.local_scale(cx as f64, cy as f64) as f32;
    let block = ((ppm * STEP).round() as i64).clamp(1, 3);
    let mut bilevel = true;
    let samples = line_points(a, e)
        .into_iter()
        .map(|(x, y, corner)| {
            let clear = others
                .iter()
                .all(|o| box_distance(o, x, y) > CLEAR_OF_BOXES);
            let (mut dark, mut near) = (f32::NAN, f32::NAN);
            if clear {
                let (u, v) = h.map_f32(x, y);
                let (u0, v0) = (
                    (u - block as f32 / 2.0).round() as i64,
                    (v - block as f32 / 2.0).round() as i64,
                );
                if u0 >= 1 && v0 >= 1 && u0 + block < iw && v0 + block < ih {
                    let (mut sum, mut least) = (0u32, u8::MAX);
                    for yy in v0 - 1..v0 + block + 1 {
                        let row = (yy * iw) as usize;
                        for xx in u0 - 1..u0 + block + 1 {
                            let p = raw[row + xx as usize];
                            bilevel &= p == 0 || p == u8::MAX;
                            least = least.min(p);
                            if (v0..v0 + block).contains(&yy) && (u0..u0 + block).contains(&xx) {
                                sum += p as u32;
                            }
                        }
                    }
                    let mean = sum as f32 / (block * block) as f32;
                    let paper = page.paper(u0 as usize, v0 as usize);
                    dark = super::light::relit((1.0 - mean / paper).clamp(0.0, 1.0), shade);
                    near = super::light::relit((1.0 - least as f32 / paper).clamp(0.0, 1.0), shade);
                }
            }
            Sample {
                x,
                y,
                corner,
                dark,
                near,
            }
        })
        .collect();
    (samples, bilevel)
}

/// Distance (mm) from a point to a box, 0 inside it.
fn box_distance(o: &BoxMm, x: f32, y: f32) -> f32 {
    let dx = (o.x - x).max(x - o.x - o.w).max(0.0);
    let dy = (o.y - y).max(y - o.y - o.h).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

/// The narrow runs of ink along one closed line, as the corner each counts for and the point at its
/// middle: at least two samples at `ink` or darker (one lighter sample inside a run, pencil grain, does not
/// break it), at most [`MAX_RUN`] long, with paper (not an unjudged sample) at both ends.
fn narrow_runs(line: &[Sample], ink: f32) -> Vec<(usize, (f32, f32))> {
    let n = line.len();
    run_spans(line, ink)
        .into_iter()
        .filter_map(|(first, last)| {
            let mid = line[((first + last) / 2) % n];
            mid.corner.map(|c| (c, (mid.x, mid.y)))
        })
        .collect()
}

/// The narrow runs of ink along one closed line as (first, last) sample indices (taken modulo the
/// line's length): see [`narrow_runs`].
fn run_spans(line: &[Sample], ink: f32) -> Vec<(usize, usize)> {
    let n = line.len();
    let on = |k: usize| line[k % n].dark >= ink;
    let judged = |k: usize| !line[k % n].dark.is_nan();
    // Start at a judged sample of paper: no run goes round past it.
    let Some(start) = (0..n).find(|&k| judged(k) && !on(k)) else {
        return Vec::new();
    };
    let (end, mut out, mut k) = (start + n, Vec::new(), start + 1);
    while k < end {
        if !on(k) {
            k += 1;
            continue;
        }
        let (first, mut last, mut j) = (k, k, k + 1);
        // On over single light samples (pencil grain); a second light one, or an unjudged one, ends it.
        while j < end {
            if on(j) {
                last = j;
            } else if !(judged(j) && j + 1 < end && on(j + 1)) {
                break;
            }
            j += 1;
        }
        let bounded = judged(first - 1) && judged(last + 1);
        let len = (last - first + 1) as f32 * STEP;
        if bounded && last > first && len <= MAX_RUN {
            out.push((first, last));
        }
        k = last + 1;
    }
    out
}

/// Whether the arms found make a cross: a stroke drawn corner to corner over the box leaves it at both
/// ends, so two opposite corners hold an arm. Arms at two corners of one side are a neighbour's circle or
/// a stroke passing by the box's edge, not a line through it.
pub(super) fn crossed(arms: &[bool; 4]) -> bool {
    (arms[0] && arms[2]) || (arms[1] && arms[3])
}

/// The corners of a box an arm leaves by (clockwise from the top left): per corner, a narrow run on
/// three of the lines (see [`narrow_runs`]), the outermost of them at least [`REACH`] out, such that the
/// three lie on one straight line (the middle within [`STRAIGHT`] of the line through the other two),
/// slanting outward from the corner (between the [`SLANT`] angles).
pub(super) fn arms(lines: &[Vec<Sample>], ink: f32) -> [bool; 4] {
    arm_aims(lines, ink, None).map(|aim| aim.is_some())
}

/// Per corner, the arm leaving it as [`arms`] finds it, as how far (mm) the straight line through its
/// crossings, carried on inward, passes from `middle` (0 when no middle is given); `None`: no arm.
fn arm_aims(lines: &[Vec<Sample>], ink: f32, middle: Option<(f32, f32)>) -> [Option<f32>; 4] {
    let runs: Vec<Vec<(usize, (f32, f32))>> = lines.iter().map(|l| narrow_runs(l, ink)).collect();
    let n = lines.len().min(DISTANCES.len());
    // Aimed arms are looked for from the innermost line out (see [`crossed_one_side`]).
    let from_outline = middle.is_some();
    let triples: Vec<(usize, usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).flat_map(move |j| (j + 1..n).map(move |k| (i, j, k))))
        .filter(|&(i, _, k)| DISTANCES[k] >= REACH && (!from_outline || i == 0))
        .collect();
    std::array::from_fn(|c| {
        triples
            .iter()
            .filter_map(|&(i, j, k)| arm_on(&runs[i], &runs[j], &runs[k], c, middle))
            .reduce(f32::min)
    })
}

/// Whether narrow runs on three lines (inner, middle, outer) make an arm leaving corner `c`: one on
/// each, counted for that corner, on one straight slanting line; if so, the least distance (mm) from
/// `middle` to such a line (0 without a middle).
fn arm_on(
    inner: &[(usize, (f32, f32))],
    middle: &[(usize, (f32, f32))],
    outer: &[(usize, (f32, f32))],
    c: usize,
    aimed_at: Option<(f32, f32)>,
) -> Option<f32> {
    // Outward from each corner: (x, y) signs, clockwise from the top left.
    let out = [(-1.0f32, -1.0f32), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let (sx, sy) = out[c];
    let at = |runs: &[(usize, (f32, f32))]| -> Vec<(f32, f32)> {
        runs.iter().filter(|r| r.0 == c).map(|r| r.1).collect()
    };
    let (inner, middle, outer) = (at(inner), at(middle), at(outer));
    let mut best: Option<f32> = None;
    for p1 in &inner {
        for p3 in &outer {
            let (dx, dy) = (p3.0 - p1.0, p3.1 - p1.1);
            let len = dx.hypot(dy);
            if len < 1e-3 {
                continue;
            }
            let slant = (dy * sy).atan2(dx * sx).to_degrees();
            let straight = middle
                .iter()
                .any(|p2| ((p2.0 - p1.0) * dy - (p2.1 - p1.1) * dx).abs() / len <= STRAIGHT);
            if (SLANT.0..=SLANT.1).contains(&slant) && straight {
                let miss =
                    aimed_at.map_or(0.0, |m| ((m.0 - p1.0) * dy - (m.1 - p1.1) * dx).abs() / len);
                best = Some(best.map_or(miss, |b: f32| b.min(miss)));
            }
        }
    }
    best
}

/// How far (mm) the line of an arm, carried on inward, may pass from the box's middle for the arm to
/// be a cancelling stroke's: a × drawn by eye corner to corner runs through the middle within a few
/// tenths, but three crossings 0.2–0.4 mm apart fix its direction within about 0.3 rad only, a
/// millimetre over the half diagonal (the second field check's one-sided cancels: 0.04–0.93 mm).
const AIM: f32 = 1.2;
/// The most narrow runs along the middle of the side both arms leave by, on all the lines together: a
/// cancelling × leaves that side's middle to paper (or to the fill's overrun, a long run), while a
/// zigzag fill turns a stroke round along the side every stroke width or so (5–9 narrow runs there on
/// the second field check), its first and last turns at the corners, on the diagonal too.
const SIDE_TURNS: usize = 2;
/// The line (index into [`DISTANCES`]: 0.65 mm out) along whose side middle paper is required, and the
/// most share of it that may be ink: past a fill's own overrun, short of a block's printed frame (past
/// 1 mm) and of a filled neighbour's overrun reaching across the 1.2–1.4 mm gap. A ring drawn round the
/// box or round the next one runs along the side there between the two corners it passes; an ×'s arms
/// leave the side's middle empty.
const SIDE_LINE: usize = 1;
const SIDE_INKED: f32 = 0.25;
/// The fewest samples of that side's middle the line must have judged (not near another box) for its
/// paper to be known.
const SIDE_JUDGED: usize = 6;
/// The least scale (pixels per mm) an arm's aim is judged at: the crossings on lines 0.2 mm apart must
/// be placed to a tenth of a millimetre, and under about 180 dpi a pixel is wider than that, a fill's
/// ragged overrun then passing for two aimed arms (the first field check's 150 dpi scans).
const FINE_ENOUGH_TO_AIM: f32 = 7.0;

/// Which side (0 top, 1 right, 2 bottom, 3 left) of box `a` a sample along a side's middle lies on.
fn side_of(a: &BoxMm, s: &Sample) -> usize {
    if s.y < a.y {
        0
    } else if s.x > a.x + a.w {
        1
    } else if s.y > a.y + a.h {
        2
    } else {
        3
    }
}

/// A fill crossed out whose × shows two arms leaving the two corners of one side only (the arms on the
/// other side lost where they run into a filled neighbour's overrun, or past the lines only near a
/// neighbour's box, where nothing is judged; see [`crossed`]). A cancelling stroke runs out from inside
/// the box, so each arm is found from the innermost line out, aimed back through the box's middle
/// ([`AIM`]); that side's middle holds no more than [`SIDE_TURNS`] narrow runs (a zigzag fill turns
/// there) and paper along it on the [`SIDE_LINE`] (a ring round this box or the next runs there). Only
/// on grey pages, at [`FINE_ENOUGH_TO_AIM`] (see [`flag_crossed_fills`]).
pub(super) fn crossed_one_side(lines: &[Vec<Sample>], ink: f32, a: &BoxMm) -> bool {
    let aims = arm_aims(lines, ink, Some(a.centre()));
    let aimed = |c: usize| aims[c].is_some_and(|m| m <= AIM);
    // Each side with the corners at its ends, clockwise from the top.
    let sides = [(0usize, 0usize, 1usize), (1, 1, 2), (2, 2, 3), (3, 3, 0)];
    sides.iter().any(|&(side, c1, c2)| {
        if !(aimed(c1) && aimed(c2)) {
            return false;
        }
        let on_side_middle = |s: &Sample| s.corner.is_none() && side_of(a, s) == side;
        let turns: usize = lines
            .iter()
            .map(|line| {
                let n = line.len();
                run_spans(line, ink)
                    .into_iter()
                    .filter(|&(f, l)| on_side_middle(&line[((f + l) / 2) % n]))
                    .count()
            })
            .sum();
        if turns > SIDE_TURNS {
            return false;
        }
        let Some(line) = lines.get(SIDE_LINE) else {
            return false;
        };
        let judged: Vec<f32> = line
            .iter()
            .filter(|s| on_side_middle(s))
            .map(|s| s.dark)
            .filter(|d| d.is_finite())
            .collect();
        let inked = judged.iter().filter(|&&d| d >= ink).count();
        judged.len() >= SIDE_JUDGED && inked as f32 <= SIDE_INKED * judged.len() as f32
    })
}

/// How far from a corner along the box's diagonal (mm) the ink of a cross is looked for inside the box:
/// clear of the printed outline (thickened by a copier's threshold) at the corner, and short of the
/// printed letter in the middle.
const DIAGONAL_SPAN: (f32, f32) = (0.7, 1.7);
/// How far a cancelling stroke may turn off the box's diagonal about its middle (radians), and lie off
/// the middle (mm): a fast stroke from corner to corner, drawn by eye.
const TURN: f32 = 0.2;
const SHIFT: f32 = 0.2;
/// The least share of the samples along each end of both diagonals that must be ink (see
/// [`diagonals_crossed`]), and the most share of the box's side middles that may be.
const ON_DIAGONAL: f32 = 0.9;
const OFF_DIAGONAL: f32 = 0.12;

/// Whether a black pixel lies at or right beside page mm (x, y), or `None` off the image.
fn black_near(page: &Prepared, h: &Homography, x: f32, y: f32, reach: i64) -> Option<bool> {
    let img = page.pixels();
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let (u, v) = h.map_f32(x, y);
    let (u, v) = (u.round() as i64, v.round() as i64);
    if u < reach || v < reach || u + reach >= iw || v + reach >= ih {
        return None;
    }
    let raw = img.as_raw();
    Some(
        (v - reach..=v + reach)
            .any(|yy| (u - reach..=u + reach).any(|xx| raw[(yy * iw + xx) as usize] < 128)),
    )
}

/// The ink of a cross inside box `a` on a 1-bit page: per diagonal, the best straight line near it (see
/// [`TURN`], [`SHIFT`]) scored by the lesser share of ink along its two ends (each from
/// [`DIAGONAL_SPAN`]'s near to far end out from the corner); the lesser of the two diagonals' scores;
/// and the share of ink in the middles of the box's left and right sides, between the diagonals' ends.
fn diagonal_ink(page: &Prepared, h: &Homography, a: &BoxMm) -> (f32, f32) {
    let (cx, cy) = a.centre();
    let half = 0.5 * a.w.hypot(a.h);
    let base = a.h.atan2(a.w);
    let steps = ((DIAGONAL_SPAN.1 - DIAGONAL_SPAN.0) / STEP).round() as usize + 1;
    let mut least = f32::INFINITY;
    for sign in [1.0f32, -1.0] {
        let mut best = 0.0f32;
        for t in 0..=8 {
            let ang = sign * base + TURN * (t as f32 / 4.0 - 1.0);
            let (dx, dy) = (ang.cos(), ang.sin());
            for s in [-SHIFT, 0.0, SHIFT] {
                let (ox, oy) = (cx - dy * s, cy + dx * s);
                let end = |dir: f32| -> f32 {
                    let (mut on, mut seen) = (0u32, 0u32);
                    for k in 0..steps {
                        let r = half - DIAGONAL_SPAN.0 - k as f32 * STEP;
                        if let Some(b) =
                            black_near(page, h, ox + dir * dx * r, oy + dir * dy * r, 1)
                        {
                            seen += 1;
                            on += b as u32;
                        }
                    }
                    if seen == 0 {
                        0.0
                    } else {
                        on as f32 / seen as f32
                    }
                };
                best = best.max(end(1.0).min(end(-1.0)));
            }
        }
        least = least.min(best);
    }
    let (mut on, mut seen) = (0u32, 0u32);
    for side in [a.x + 0.3, a.x + a.w - 0.8] {
        for i in 0..6 {
            for j in 0..9 {
                let (x, y) = (side + i as f32 * 0.1, cy - 0.4 + j as f32 * 0.1);
                if let Some(b) = black_near(page, h, x, y, 0) {
                    seen += 1;
                    on += b as u32;
                }
            }
        }
    }
    let off = if seen == 0 {
        1.0
    } else {
        on as f32 / seen as f32
    };
    (least, off)
}

/// A fill crossed out on a copier's 1-bit page, its cross's arms cut off at the outline: a light pencil
/// fill falls under the copier's threshold but the × pressed over it (harder, to cancel) stays, and
/// the box reads as strokes. Such a cross runs corner to corner: both diagonals are inked at both ends
/// inside the box, and the middles of its left and right sides, between the diagonals' ends, stay
/// clear. A tick has one arm from one corner; a cross drawn as the answer, square and smaller, crosses
/// near the middle and leaves the corners; a fill's or a scribble's strokes line the side middles too.
/// A × drawn as the answer corner to corner looks the same once the page is cut to 1-bit (the fill
/// under a cancelling cross may be gone): it goes to a person too, never read as the letter silently.
/// (On a grey page the fill under a cancelling cross still shows, and [`arms`] are looked for only round
/// fills: a × answer's arms past the corners are no cancelling.)
fn diagonals_crossed(page: &Prepared, h: &Homography, a: &BoxMm) -> bool {
    let (on, off) = diagonal_ink(page, h, a);
    on >= ON_DIAGONAL && off <= OFF_DIAGONAL
}

/// How far past the outline (mm) the ink along a ray is followed at most: past a cancelling cross's
/// longest arm, short of the boxes round (a ray stops [`CLEAR_OF_BOXES`] short of another box anyway).
const RAY_MAX: f32 = 1.6;
/// Spacing of the pixels looked at along a ray (mm), and the longest run of white (mm) that does not
/// end the ink: a pencil's grain, cut to black and white, leaves a pixel or two of paper in a stroke.
const RAY_STEP: f32 = 0.05;
const RAY_GAP: f32 = 0.15;
/// How far the rays near each corner turn off the box's diagonal (radians): a × drawn fast through
/// the middle of the box, by eye, leaves it up to a few tenths of a millimetre off the corner.
const RAY_TURN: f32 = 0.25;
/// The least reach (mm) past the outline of an arm at a corner, and how much further than the fill's
/// overrun across the two sides beside that corner it must reach (see [`arms_reach_past_overrun`]).
const ARM_PAST: f32 = 0.9;
const ARM_BEYOND_OVERRUN: f32 = 0.55;

/// How far (mm) unbroken ink runs on from `from` along the unit direction `dir` on a 1-bit page:
/// followed in [`RAY_STEP`]s over white runs up to [`RAY_GAP`], to [`RAY_MAX`] at most, stopping short
/// of the boxes `others` and at the image's edge.
fn ink_reach(
    page: &Prepared,
    h: &Homography,
    others: &[&BoxMm],
    from: (f32, f32),
    dir: (f32, f32),
) -> f32 {
    let (mut last, mut gap) = (0.0f32, 0.0f32);
    let steps = (RAY_MAX / RAY_STEP).round() as usize;
    for k in 0..=steps {
        let r = k as f32 * RAY_STEP;
        let (x, y) = (from.0 + dir.0 * r, from.1 + dir.1 * r);
        if others
            .iter()
            .any(|o| box_distance(o, x, y) <= CLEAR_OF_BOXES)
        {
            break;
        }
        match black_near(page, h, x, y, 0) {
            None => break,
            Some(true) => {
                last = r;
                gap = 0.0;
            }
            Some(false) => {
                gap += RAY_STEP;
                if gap > RAY_GAP + 1e-4 {
                    break;
                }
            }
        }
    }
    last
}

/// A fill crossed out on a 1-bit page, the × as black as the fill under it: its arms run on from the
/// fill past two opposite corners. On a page cut to black and white a broad pencil's arm (a millimetre
/// wide) covers the whole of the lines' quarter circles round the corner, where it merges with the
/// fill's overrun, and the middles of its runs there no longer lie on a slanting line (see [`arms`]):
/// it is followed instead along rays from the box's middle near the diagonal, out past the outline.
/// A fill's ink runs over the outline as a band along the sides, reaching past a corner about as far
/// as across the sides beside it (a left hand's smear dragged right lies along the whole right side);
/// an arm reaches [`ARM_PAST`] out and [`ARM_BEYOND_OVERRUN`] further than that band. Measured on the
/// second field check's 1-bit pages (seeds 21–26): cancelling arms reach 0.8–1.55 mm, at least 0.55 mm
/// past the band at both corners of a diagonal, bar three crosses drawn off the corner; clear fills
/// 0.1–0.8 mm, never more than 0.3 mm past the band at both corners of a diagonal.
fn arms_reach_past_overrun(page: &Prepared, h: &Homography, a: &BoxMm, others: &[&BoxMm]) -> bool {
    let (cx, cy) = a.centre();
    // The overrun across each side (top, right, bottom, left): the furthest of three rays straight out.
    let side = |from: (f32, f32), dir: (f32, f32)| ink_reach(page, h, others, from, dir);
    let across = |s: usize| -> f32 {
        [0.3f32, 0.5, 0.7]
            .iter()
            .map(|&f| match s {
                0 => side((a.x + a.w * f, a.y), (0.0, -1.0)),
                1 => side((a.x + a.w, a.y + a.h * f), (1.0, 0.0)),
                2 => side((a.x + a.w * f, a.y + a.h), (0.0, 1.0)),
                _ => side((a.x, a.y + a.h * f), (-1.0, 0.0)),
            })
            .fold(0.0, f32::max)
    };
    let sides: [f32; 4] = std::array::from_fn(across);
    let base = a.h.atan2(a.w);
    let out = [(-1.0f32, -1.0f32), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    // The sides beside each corner, clockwise from the top left.
    let beside = [(0, 3), (0, 1), (2, 1), (2, 3)];
    let arm: [bool; 4] = std::array::from_fn(|c| {
        let (sx, sy) = out[c];
        let reach = (0..=10)
            .map(|t| {
                let phi = base + RAY_TURN * (t as f32 / 5.0 - 1.0);
                let (dx, dy) = (sx * phi.cos(), sy * phi.sin());
                let r0 = (0.5 * a.w / dx.abs().max(1e-3)).min(0.5 * a.h / dy.abs().max(1e-3));
                ink_reach(page, h, others, (cx + dx * r0, cy + dy * r0), (dx, dy))
            })
            .fold(0.0, f32::max);
        let band = sides[beside[c].0].max(sides[beside[c].1]);
        reach >= ARM_PAST && reach >= band + ARM_BEYOND_OVERRUN
    });
    crossed(&arm)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples of a line round a 5 × 3.2 mm box, dark where `ink` says.
    fn drawn(a: &BoxMm, e: f32, ink: impl Fn(f32, f32) -> bool) -> Vec<Sample> {
        line_points(a, e)
            .into_iter()
            .map(|(x, y, corner)| Sample {
                x,
                y,
                corner,
                dark: if ink(x, y) { 0.6 } else { 0.0 },
                near: f32::NAN,
            })
            .collect()
    }

    fn to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
    }

    #[test]
    fn an_x_corner_to_corner_has_four_arms_an_overrun_none() {
        let a = BoxMm {
            x: 10.0,
            y: 10.0,
            w: 5.0,
            h: 3.2,
        };
        // An × corner to corner, 1 mm past each corner, 0.5 mm wide.
        let (d, ux, uy) = (1.0, 5.0 / 5.94, 3.2 / 5.94);
        let cross = |x: f32, y: f32| {
            let s1 = (
                (10.0 - d * ux, 10.0 - d * uy),
                (15.0 + d * ux, 13.2 + d * uy),
            );
            let s2 = (
                (15.0 + d * ux, 10.0 - d * uy),
                (10.0 - d * ux, 13.2 + d * uy),
            );
            to_segment((x, y), s1.0, s1.1) <= 0.25 || to_segment((x, y), s2.0, s2.1) <= 0.25
        };
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, cross)).collect();
        assert_eq!(arms(&lines, 0.3), [true; 4]);
        // A fill run over by 0.9 mm all round (its edge wavy): long runs along the sides, no arm.
        let over = |x: f32, y: f32| box_distance(&a, x, y) <= 0.9 + 0.05 * (x * 7.0).sin();
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, over)).collect();
        assert_eq!(arms(&lines, 0.3), [false; 4]);
        // A line straight across the box along its row (a crease), and one down its column: no slant.
        let along = |x: f32, y: f32| (y - 11.6).abs() <= 0.25 || (x - 14.8).abs() <= 0.2;
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, along)).collect();
        assert_eq!(arms(&lines, 0.3), [false; 4]);
    }

    #[test]
    fn a_broad_arm_lost_in_the_overrun_near_the_box_still_counts_further_out() {
        let a = BoxMm {
            x: 10.0,
            y: 10.0,
            w: 5.0,
            h: 3.2,
        };
        let (ux, uy) = (5.0 / 5.94, 3.2 / 5.94);
        // A soft pencil's × arm, 1 mm wide, `reach` mm out past the top-left and bottom-right corners.
        let arm = |x: f32, y: f32, reach: f32, half: f32| {
            to_segment((x, y), (10.0, 10.0), (10.0 - reach * ux, 10.0 - reach * uy)) <= half
                || to_segment((x, y), (15.0, 13.2), (15.0 + reach * ux, 13.2 + reach * uy)) <= half
        };
        // The fill's overrun lines the box all round out to 0.5 mm: the innermost line is dark all round.
        let over = |x: f32, y: f32| box_distance(&a, x, y) <= 0.5;
        let ink = |x: f32, y: f32| over(x, y) || arm(x, y, 1.4, 0.5);
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, ink)).collect();
        assert!(crossed(&arms(&lines, 0.3)));
        // The overrun alone, and a fill's thin stroke carried 0.55 mm past the corners: no arm.
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, over)).collect();
        assert_eq!(arms(&lines, 0.3), [false; 4]);
        let short = |x: f32, y: f32| arm(x, y, 0.55, 0.15);
        let lines: Vec<Vec<Sample>> = DISTANCES.iter().map(|&e| drawn(&a, e, short)).collect();
        assert_eq!(arms(&lines, 0.3), [false; 4]);
    }

    #[test]
    fn arms_at_opposite_corners_cross_arms_along_one_side_do_not() {
        assert!(crossed(&[true, false, true, false]));
        assert!(crossed(&[false, true, false, true]));
        assert!(crossed(&[true; 4]));
        // A loose circle round the box to the right passes both right-hand corners.
        assert!(!crossed(&[false, true, true, false]));
        assert!(!crossed(&[true, true, false, false]));
    }
}
