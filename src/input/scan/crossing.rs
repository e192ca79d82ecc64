//! A light fill crossed out on a copier's 1-bit page, where only the ×'s crossing survives the threshold.
//!
//! Physically: a light pencil (an HB pressed lightly) lays one thin layer of graphite; a copier's 1-bit
//! threshold at 200 dpi cuts it all away, the fill and the ×'s arms alike, but where the two strokes of
//! the × cross the graphite lies twice over and stays black: a compact blob a few tenths of a
//! millimetre across at the box's middle (a × drawn to cancel runs corner to corner, so its strokes cross
//! there), with the rest of the box as clean as print. What is left of the fill (the printed letter and
//! outline, thickened a little where the fill's grey added to theirs) still reads as a light fill, and
//! the box was read as the letter (second field check, seeds 21–26: 9 of 12 silent errors on 1-bit
//! pages). A clear light fill leaves no such blob: its single layer is cut away evenly, or survives as
//! grains spread over the box. A dash through the middle is a line: its black runs on across the box
//! along the row, more than [`MAX_SPAN`] wide; a dark fill or a scribble covers the rest of the box.
//!
//! Measured against the print: per label and box size, the share of the page's boxes read empty that
//! are black at each point (the letter and outline as this page's copy shows them), and where most of
//! the label's other light marks are black too, the letter as a fill thickens it (see
//! [`UNDER_FILL`]). On the second field check's 1-bit pages (seeds 21–26) all 9 cancels read as the
//! letter go to a person; of the clear fills none is flagged, of the other marks one zigzag (a left-hander's,
//! on a page whose fills thicken every letter).

use super::geometry::{BoxMm, BubbleMeaning, SheetGeometry};
use super::homography::Homography;
use super::page::Prepared;
use super::reading::{BubbleReading, BubbleState, MarkShape};

/// Spacing of the samples over a box (mm): under half a 200 dpi pixel (0.127 mm), so a blob of two
/// or three pixels covers a window.
const STEP: f32 = 0.05;
/// How far in from the outline (mm) the box is looked at: clear of the printed outline, thickened by
/// the copier's threshold and the fill's grey.
const INSET: (f32, f32) = (0.5, 0.45);
/// The blob's window: this many samples square (0.35 mm, a crossing of two 0.3 mm strokes).
const WINDOW: usize = 7;
/// Where the blob's window may lie: within this ellipse round the box's middle (half axes, mm), where
/// a × drawn corner to corner by eye crosses.
const NEAR_MIDDLE: (f32, f32) = (0.8, 0.6);
/// The least mean excess of black over the print in the blob's window (1: black where print never is).
const BLOB: f32 = 0.75;
/// The most mean excess of black over the print in the box outside this ellipse round its middle
/// (half axes, mm): a fill, a scribble or a tick that survived the cut lies there too.
const REST: (f32, f32) = (1.0, 0.8);
const CLEAN: f32 = 0.1;
/// The widest (mm) the black off the print may spread along the row through the box's middle band
/// (within [`BAND`] of the middle): a crossing is compact, a dash runs 2–4 mm.
const MAX_SPAN: f32 = 1.8;
const BAND: f32 = 0.6;
/// The fewest boxes read empty a label's print is judged from.
const MIN_EMPTY: usize = 5;
/// The most share of grey pixels (neither pure black nor white) in a label's empty boxes on a page
/// cut to black and white (none there; a grey scan's print edges are grey in every box).
const GREY_SHARE: f32 = 0.001;

/// Whether each pixel is black, sampled over box `a`'s inside (see [`INSET`]) every [`STEP`], row by
/// row, and how many of the pixels were grey (neither pure black nor pure white); `None` when a corner
/// of the box lies off the image. The box is mapped by its corners (bilinear): over 5 mm a page's
/// perspective bends nothing.
fn sample(page: &Prepared, h: &Homography, a: &BoxMm) -> Option<(Vec<bool>, usize, usize, usize)> {
    let img = page.pixels();
    let (iw, ih) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let c = [
        h.map_f32(a.x, a.y),
        h.map_f32(a.x + a.w, a.y),
        h.map_f32(a.x + a.w, a.y + a.h),
        h.map_f32(a.x, a.y + a.h),
    ];
    if c.iter()
        .any(|&(u, v)| !u.is_finite() || !v.is_finite() || u < 0.0 || v < 0.0)
        || c.iter().any(|&(u, v)| u >= iw as f32 || v >= ih as f32)
    {
        return None;
    }
    let nx = ((a.w - 2.0 * INSET.0) / STEP).floor().max(0.0) as usize;
    let ny = ((a.h - 2.0 * INSET.1) / STEP).floor().max(0.0) as usize;
    if nx < WINDOW || ny < WINDOW {
        return None;
    }
    let mut out = Vec::with_capacity(nx * ny);
    let mut grey = 0usize;
    for j in 0..ny {
        let t = (INSET.1 + (j as f32 + 0.5) * STEP) / a.h;
        for i in 0..nx {
            let s = (INSET.0 + (i as f32 + 0.5) * STEP) / a.w;
            let u = (1.0 - s) * (1.0 - t) * c[0].0
                + s * (1.0 - t) * c[1].0
                + s * t * c[2].0
                + (1.0 - s) * t * c[3].0;
            let v = (1.0 - s) * (1.0 - t) * c[0].1
                + s * (1.0 - t) * c[1].1
                + s * t * c[2].1
                + (1.0 - s) * t * c[3].1;
            let (x, y) = (
                (u.round() as i64).clamp(0, iw - 1),
                (v.round() as i64).clamp(0, ih - 1),
            );
            let p = raw[(y * iw + x) as usize];
            grey += (p != 0 && p != u8::MAX) as usize;
            out.push(p < 128);
        }
    }
    Some((out, nx, ny, grey))
}

/// The mean excess of black over the print `t` in box `a`'s samples `g` outside the ellipse [`REST`]
/// round its middle.
fn rest_excess(a: &BoxMm, g: &[bool], t: &[f32], nx: usize, ny: usize) -> f32 {
    let (mut rest, mut n) = (0.0f32, 0usize);
    for j in 0..ny {
        for i in 0..nx {
            let (x, y) = at(a, i, j);
            if (x / REST.0).powi(2) + (y / REST.1).powi(2) > 1.0 {
                let k = j * nx + i;
                rest += (g[k] as u8 as f32 - t[k]).max(0.0);
                n += 1;
            }
        }
    }
    if n == 0 {
        f32::INFINITY
    } else {
        rest / n as f32
    }
}

/// Where sample (i, j) of box `a` lies from the box's middle (mm).
fn at(a: &BoxMm, i: usize, j: usize) -> (f32, f32) {
    (
        INSET.0 + (i as f32 + 0.5) * STEP - a.w / 2.0,
        INSET.1 + (j as f32 + 0.5) * STEP - a.h / 2.0,
    )
}

/// Whether box `a`'s samples `g` hold a crossing's blob against the label's print `t` (see the
/// module's doc).
fn blob_at_middle(a: &BoxMm, g: &[bool], t: &[f32], nx: usize, ny: usize) -> bool {
    if rest_excess(a, g, t, nx, ny) > CLEAN {
        return false;
    }
    let excess: Vec<f32> = g
        .iter()
        .zip(t)
        .map(|(&b, &p)| (b as u8 as f32 - p).max(0.0))
        .collect();
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for j in 0..ny {
        for i in 0..nx {
            let (x, y) = at(a, i, j);
            let k = j * nx + i;
            if y.abs() < BAND && g[k] && t[k] < 0.5 {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    if hi > lo && hi - lo > MAX_SPAN {
        return false;
    }
    let half = WINDOW / 2;
    for j in half..ny - half {
        for i in half..nx - half {
            let (x, y) = at(a, i, j);
            if (x / NEAR_MIDDLE.0).powi(2) + (y / NEAR_MIDDLE.1).powi(2) > 1.0 {
                continue;
            }
            let mut sum = 0.0f32;
            for jj in j - half..=j + half {
                sum += excess[jj * nx + i - half..=jj * nx + i + half]
                    .iter()
                    .sum::<f32>();
            }
            if sum / (WINDOW * WINDOW) as f32 >= BLOB {
                return true;
            }
        }
    }
    false
}

/// One label's print on this page (boxes of one size): the share of its boxes read empty black at
/// each sample, and the samples of its boxes read as light marks (black off that print only near the
/// middle, see [`CLEAN`]).
struct Print {
    dims: (usize, usize),
    empty: Vec<f32>,
    marked: Vec<(usize, Vec<bool>)>,
}

/// A label's print under a light fill: where at least [`UNDER_FILL`] of the page's other light marks of
/// the label (at least [`MIN_MARKED`] of them) are black, the print is taken to be. The fill's grey
/// closes a letter's small counter (an "A"'s apex) and thickens its junctions the same way in every
/// box the letter is filled in, and that stands as a blob at the middle; a × crossing lies where the
/// hand put it, and a student who cancels answers cancels a few, not most, of one letter's marks.
const UNDER_FILL: f32 = 0.75;
const MIN_MARKED: usize = 4;

fn print_under_fill(p: &Print, except: usize) -> Vec<f32> {
    let others: Vec<&Vec<bool>> = p
        .marked
        .iter()
        .filter(|(j, _)| *j != except)
        .map(|(_, g)| g)
        .collect();
    if others.len() < MIN_MARKED {
        return p.empty.clone();
    }
    p.empty
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let share = others.iter().filter(|g| g[k]).count() as f32 / others.len() as f32;
            if share >= UNDER_FILL { t.max(share) } else { t }
        })
        .collect()
}

/// The answer boxes `candidates` (read as marks, on a 1-bit page) whose black off the print is only a
/// crossing's blob at the middle (see the module's doc), turned into smudges a person decides.
pub(super) fn flag_crossings(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    readings: &mut [BubbleReading],
    candidates: &[usize],
) {
    let n = geom.bubbles.len().min(readings.len());
    let label = |i: usize| match &geom.bubbles[i].meaning {
        BubbleMeaning::Answer { option, .. } => Some(option.as_str()),
        _ => None,
    };
    let alike = |i: usize, j: usize| {
        let (a, b) = (&geom.bubbles[i].area, &geom.bubbles[j].area);
        label(i).is_some()
            && label(i) == label(j)
            && (a.w - b.w).abs() < 0.05
            && (a.h - b.h).abs() < 0.05
    };
    // Per group, the first box seen of it and its print (`None`: too few empty boxes to tell).
    let mut prints: Vec<(usize, Option<Print>)> = Vec::new();
    let mut hits = Vec::new();
    for &i in candidates {
        if i >= n || label(i).is_none() {
            continue;
        }
        let k = match prints.iter().position(|(j, _)| alike(i, *j)) {
            Some(k) => k,
            None => {
                let mut sum: Vec<f32> = Vec::new();
                let mut count = 0usize;
                let mut dims = (0, 0);
                let mut filled = Vec::new();
                let (mut grey, mut seen) = (0usize, 0usize);
                for j in 0..n {
                    if !alike(i, j) {
                        continue;
                    }
                    let state = readings[j].state;
                    if state != BubbleState::Empty && state != BubbleState::Filled {
                        continue;
                    }
                    let Some((g, nx, ny, gr)) = sample(page, h, &geom.bubbles[j].area) else {
                        continue;
                    };
                    if dims == (0, 0) {
                        dims = (nx, ny);
                        sum = vec![0.0; g.len()];
                    }
                    if (nx, ny) != dims {
                        continue;
                    }
                    if state == BubbleState::Filled {
                        filled.push((j, g));
                        continue;
                    }
                    grey += gr;
                    seen += g.len();
                    for (s, &b) in sum.iter_mut().zip(&g) {
                        *s += b as u8 as f32;
                    }
                    count += 1;
                }
                // Only on a page cut to black and white: a grey scan's print has soft edges, and a
                // clean render's boxes may be black and white only round a mark (a pen's dot drawn as
                // the answer is such a blob, and reads).
                let one_bit = seen > 0 && (grey as f32) <= GREY_SHARE * seen as f32;
                let print = (count >= MIN_EMPTY && one_bit).then(|| {
                    let empty: Vec<f32> = sum.iter().map(|s| s / count as f32).collect();
                    let marked = filled
                        .into_iter()
                        .filter(|(j, g)| {
                            rest_excess(&geom.bubbles[*j].area, g, &empty, dims.0, dims.1) <= CLEAN
                        })
                        .collect();
                    Print {
                        dims,
                        empty,
                        marked,
                    }
                });
                prints.push((i, print));
                prints.len() - 1
            }
        };
        let Some(p) = &prints[k].1 else {
            continue;
        };
        let a = &geom.bubbles[i].area;
        if let Some((g, nx, ny, _)) = sample(page, h, a) {
            if (nx, ny) == p.dims && blob_at_middle(a, &g, &print_under_fill(p, i), nx, ny) {
                hits.push(i);
            }
        }
    }
    for i in hits {
        readings[i].shape = MarkShape::Smudge;
        readings[i].state = BubbleState::Doubtful;
    }
}
