//! Reading the bubbles: every bubble and the ring round it sampled on a fine grid, the sheet's own print
//! (the printed letter, the outline, neighbours) taken away, then what the pencil left measured three
//! ways — how much of the box is covered, whether the ink is a stroke (a tick √ or a cross ×) or an area
//! (a fill, a half fill), and whether a line runs round the bubble (a circle) — against this sheet's own
//! pencil darkness, fitted per sheet and per region. Then what the marks say per question, id column and
//! variant row.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::arm_tip;
use super::arms;
use super::beside_fill;
use super::bilevel;
use super::checks;
use super::erasure;
use super::faint;
use super::faint_writer;
use super::geometry::{BoxMm, BubbleMeaning, ChoiceKind, SheetGeometry};
use super::group_passes::{
    checks_alone_read, light_strokes_alone, small_marks_alone_read, tints_beside_fills_read_empty,
};
use super::homography::Homography;
use super::light;
use super::local_tint;
use super::moire;
use super::neighbours::without_joined_ink;
use super::page::Prepared;
use super::repeat;
use super::screen;
use super::smear;
use super::through;
use super::tide;
use super::underline;

pub use super::reading::{BubbleReading, BubbleState, Levels, MarkShape};

/// Spacing of the sampling grid (mm): fine enough to see a 0.35 mm pencil stroke.
const STEP: f32 = 0.25;
/// The inside measured is the ellipse in the box moved in this far from the printed outline (mm, each
/// side): the shape a pencil fill takes.
const INSET_X: f32 = 0.4;
const INSET_Y: f32 = 0.35;
/// A circle drawn round a bubble is looked for across a rounded rectangle laid round the printed box (its
/// corners cut, as a hand-drawn ellipse cuts them, by this radius in mm), at this many stations spaced
/// evenly round it: at each, samples every `AROUND_STEP` mm along the outward normal, from `AROUND_IN`
/// inside to `AROUND_OUT` outside. The outline, the next bubble's box (1.0–1.4 mm away) and a block's
/// frame (1.0–1.4 mm) lie in that reach too: the print is taken away with templates of the same place
/// round bubbles with the same neighbours, and a circle drawn large, over the next box, still shows.
const AROUND_CORNER: f32 = 1.0;
const AROUND_STATIONS: usize = 40;
const AROUND_IN: f32 = 0.35;
const AROUND_OUT: f32 = 1.5;
const AROUND_STEP: f32 = 0.08;
const AROUND_DEPTHS: usize = ((AROUND_IN + AROUND_OUT) / AROUND_STEP) as usize + 1;
/// Round the corners the samples start further in (and end as much sooner): a circle drawn tight against
/// the box runs over its outline along the sides but cuts its corners well inside, clear of the print and
/// the label, and a neighbour's circle never comes there.
const AROUND_IN_CORNER: f32 = 0.7;
/// Bubbles this close (mm, box to box) are neighbours: their print is in each other's reach, and a mark
/// of theirs can reach over.
const NEAR: f32 = 2.0;
/// Share of the stations round a bubble with a line for a circle, and for ink a person must see (most of
/// a circle, an open one); fewer is a neighbour's mark reaching over, a tick's or a cross's arms.
const CIRCLE_AROUND: f32 = 0.55;
const PART_AROUND: f32 = 0.4;
/// Stations with a line of its own, all but none of what its marked neighbours leave to judge, that make
/// a circle seen all round a bubble its own.
const OWN_LINE_LEFT: usize = 4;
/// How far from a circled neighbour's box (mm) its circle may run inside this box: a large one drawn
/// out over the next box.
const CIRCLE_INTO: f32 = 1.9;
/// How far round a marked neighbour's box its own ink reaches (mm), by what it was read as: a fill's
/// overshoot, a tick's long arm, a circle drawn round it (up to over the next box).
const FILL_REACH: f32 = 0.7;
const STROKE_REACH: f32 = 1.5;
/// How far (mm) from a filled neighbour's box a fill's spill reaches into the next box: the gap between
/// rows (1.4 mm) and a blot or a fill drawn too high running a millimetre and more past it.
const SPILL_DEPTH: f32 = 3.0;
/// Stations round a box (about 0.4 mm apart) where a neighbour's fill spilling into it bridges the gap:
/// a fill's edge runs on for millimetres, a pencil line (a tick's arm touching a fill's overrun) is
/// 0.3–0.7 mm wide.
const SPILL_FRONT: usize = 4;
const CIRCLE_REACH: f32 = 1.6;
/// A fill covers at least half the box at the low cut and this much of each half of it (left, right, top,
/// bottom): a scribble whose strokes leave gaps still reaches into every half, a half fill pressed hard and
/// blurred over the middle leaves one half all but bare (seed sweep: half fills 0.00–0.04 at up to 71 %
/// cover, scribbles and fills 0.46 and up).
const FILL_HALVES: f32 = 0.3;
const FILL_COVER: f32 = 0.5;
/// The middle of the box measured for ink on the letter: a square this wide (mm), at most up to 0.4 mm
/// from the outline.
const LETTER_AREA: f32 = 2.4;
/// The least the letter's area must darken for a mark made on it (mean darkness; a dot 1 mm across
/// darkens it by about 0.08).
const ON_LETTER: f32 = 0.035;
/// A stroke drawn across the letter by a light hand, or blurred thin on a 150 dpi or JPEG page, may
/// leave too little ink beside the letter for any cut inside the box: the letter's area is darkened by
/// at least this much (mean darkness; four of the label's deviations if more) and the stroke, going on
/// past the box, crosses its outline at this many stations round it at least. Field check, seeds
/// 21–26: such strokes darken the letter's area by 0.026–0.034 and cross 2–5 stations; of 51,000
/// boxes with no ink of their own, 18 reach 0.024 and 4 of them with a line at 3 stations or more
/// (print noise on phone photos, a neighbour's mark's end).
const LETTER_FAINT: f32 = 0.024;
const LETTER_CROSSINGS: usize = 2;
/// A thumb's smear over a bubble can read as a circle round it: its ridges make rings of grey round the
/// box. A circle drawn round a bubble leaves the box inside paper (drawn tight, it may smear a little
/// graphite in); a thumb lays an even haze over the inside too, none of it as dark as a stroke. A box
/// read as circled whose inside is this dark on average (mean darkness), with no sample at the stroke
/// cut, goes to a person. Field check, seeds 21–26: thumb smears read as circles 0.042–0.058; of 3,300
/// circles with no stroke inside, 99 % under 0.025, a few drawn tight 0.043–0.050 (those now flagged).
const HAZE_INSIDE: f32 = 0.042;
/// A small mark covers less of the inside than this; half a fill covers about half of it.
const SMALL_COVER: f32 = 0.3;
/// A tick or cross in one part of the box covers less than this of its most covered half (left, right,
/// top or bottom) at the low cut; half a fill covers its half whole. Field check seeds 21–24: ticks and
/// crosses drawn there 0.16–0.71 at 300 dpi (up to 0.75 on the coarser samples of a 200 dpi page), half
/// fills 0.96–1.00.
const PART_STROKE_HALF: f32 = 0.85;
/// The darkness an eraser's haze can leave in a box: a fill, however faint, is darker.
const ERASED_HAZE: f32 = 0.13;
/// Below this the pencil is not told apart from paper grain and print (darkness).
const MIN_PENCIL: f32 = 0.16;
/// Samples darker than this above the print are candidates for this sheet's pencil level.
const PENCIL_CANDIDATE: f32 = 0.12;
/// Where the unmarked print is at least this dark (a label, an outline, a frame), the grid point is left
/// out: a thin printed line reads darker or lighter with where it falls between pixels, which no template
/// takes away exactly.
const PRINT: f32 = 0.12;

/// One bubble sampled: its box on a grid, and across the contour round it.
pub(crate) struct Patch {
    nx: usize,
    ny: usize,
    /// Darkness per grid point, row by row.
    d: Vec<f32>,
    /// What each grid point is: inside the box's ellipse or not.
    kind: Vec<Cell>,
    /// Darkness across the contour: `AROUND_DEPTHS` samples per station, station by station, inside
    /// out (NaN off the image).
    around: Vec<f32>,
    /// Mean darkness over the middle of the box, where the letter prints, integrated at a pixel's step
    /// (samples interpolated between pixels): the same for every bubble of a label wherever its print
    /// falls between pixels (on a page rendered smoothly), and darker by the ink of a dot or a dash made
    /// on the letter.
    centre: f32,
    /// The share of the light the page's white map assumes that this box does not get (see [`light`]):
    /// its samples above are measured against its own paper already.
    shade: f32,
    /// A copier streak or a crease was painted out across the box (see [`super::lines`]): the print
    /// under it is the painting's, lighter than the label's elsewhere.
    painted: bool,
}

impl Patch {
    /// See the field: for measuring more of the page round this box against the same paper.
    pub(crate) fn shade(&self) -> f32 {
        self.shade
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Inner,
    Skip,
}

/// One place on the contour round a bubble: where it is (mm), which way is out, and which sides of the
/// box (bit 0 right, 1 below, 2 left, 3 above) it faces.
#[derive(Debug, Clone, Copy)]
struct Station {
    x: f32,
    y: f32,
    nx: f32,
    ny: f32,
    sides: u8,
}

impl Station {
    /// The sheet point `depth` samples out along the normal.
    fn at(&self, depth: usize) -> (f32, f32) {
        let from = if self.sides.count_ones() == 2 {
            AROUND_IN_CORNER
        } else {
            AROUND_IN
        };
        let o = -from + depth as f32 * AROUND_STEP;
        (self.x + self.nx * o, self.y + self.ny * o)
    }
}

/// The stations round box `a`, evenly spaced along a rectangle with rounded corners, clockwise from the
/// top left.
fn stations(a: &BoxMm) -> Vec<Station> {
    use std::f32::consts::FRAC_PI_2;
    let r = AROUND_CORNER.min(a.w / 2.0).min(a.h / 2.0);
    let (sw, sh, arc) = (a.w - 2.0 * r, a.h - 2.0 * r, FRAC_PI_2 * r);
    let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
    // Straight runs (start, direction, normal, sides) and corner arcs (centre, start angle, sides), in order.
    enum Piece {
        Run((f32, f32), (f32, f32), (f32, f32), u8, f32),
        Arc((f32, f32), f32, u8),
    }
    let pieces = [
        Piece::Run((x0 + r, y0), (1.0, 0.0), (0.0, -1.0), 8, sw),
        Piece::Arc((x1 - r, y0 + r), -FRAC_PI_2, 8 | 1),
        Piece::Run((x1, y0 + r), (0.0, 1.0), (1.0, 0.0), 1, sh),
        Piece::Arc((x1 - r, y1 - r), 0.0, 1 | 2),
        Piece::Run((x1 - r, y1), (-1.0, 0.0), (0.0, 1.0), 2, sw),
        Piece::Arc((x0 + r, y1 - r), FRAC_PI_2, 2 | 4),
        Piece::Run((x0, y1 - r), (0.0, -1.0), (-1.0, 0.0), 4, sh),
        Piece::Arc((x0 + r, y0 + r), 2.0 * FRAC_PI_2, 4 | 8),
    ];
    let total = 2.0 * (sw + sh) + 4.0 * arc;
    (0..AROUND_STATIONS)
        .map(|k| {
            let mut t = (k as f32 + 0.5) / AROUND_STATIONS as f32 * total;
            for piece in &pieces {
                match *piece {
                    Piece::Run((sx, sy), (dx, dy), (nx, ny), sides, len) => {
                        if t <= len {
                            return Station {
                                x: sx + dx * t,
                                y: sy + dy * t,
                                nx,
                                ny,
                                sides,
                            };
                        }
                        t -= len;
                    }
                    Piece::Arc((cx, cy), from, sides) => {
                        if t <= arc || r <= 0.0 {
                            let angle = from + t / r.max(1e-3);
                            let (nx, ny) = (angle.cos(), angle.sin());
                            return Station {
                                x: cx + r * nx,
                                y: cy + r * ny,
                                nx,
                                ny,
                                sides,
                            };
                        }
                        t -= arc;
                    }
                }
            }
            Station {
                x: x0,
                y: y0,
                nx: -1.0,
                ny: 0.0,
                sides: 4 | 8,
            }
        })
        .collect()
}

/// Samples every bubble; `None` for a bubble part of which lies outside the image.
pub(crate) fn measure(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> Vec<Option<Patch>> {
    let mut patches: Vec<Option<Patch>> = geom
        .bubbles
        .iter()
        .map(|b| sample_patch(page, &b.area, h))
        .collect();
    against_own_paper(geom, &mut patches);
    patches
}

/// Each bubble measured against the paper it lies on where a shadow's or a fold's edge leaves the page's
/// white map brighter there (see [`light`]): every sample of the box and its contour brought back by the
/// shade its paper and its outline both show.
fn against_own_paper(geom: &SheetGeometry, patches: &mut [Option<Patch>]) {
    let surrounds: Vec<Option<light::Surround>> = geom
        .bubbles
        .iter()
        .zip(patches.iter())
        .map(|(b, p)| {
            let p = p.as_ref()?;
            let st = stations(&b.area);
            light::surround(st.iter().enumerate().filter_map(|(k, s)| {
                (s.sides.count_ones() == 1).then(|| light::Station {
                    samples: &p.around[k * AROUND_DEPTHS..(k + 1) * AROUND_DEPTHS],
                    first: -AROUND_IN,
                    step: AROUND_STEP,
                })
            }))
        })
        .collect();
    let Some(typical) = light::typical_outline(&surrounds) else {
        return;
    };
    for (p, s) in patches.iter_mut().zip(&surrounds) {
        let (Some(p), Some(s)) = (p.as_mut(), s) else {
            continue;
        };
        let shade = light::shade(s, typical);
        if shade <= 0.0 {
            continue;
        }
        for v in p.d.iter_mut().chain(p.around.iter_mut()) {
            *v = light::relit(*v, shade);
        }
        p.centre = light::relit(p.centre, shade);
        p.shade = shade;
    }
}

/// Darkness at image points (u, v) (pixel units, pixel centres at half-integers), interpolated between the
/// four nearest pixels, against the paper round the pixel at the top left; `None` off the image. A page's
/// bubbles take most of a million of these: the paper level of the last pixel is kept (neighbouring samples
/// fall on the same pixel), and the floor of a coordinate already known not to be negative is its
/// truncation, so no library call is made; the values are the same to the bit.
struct Sampler<'p, 'i> {
    page: &'p Prepared<'i>,
    raw: &'p [u8],
    width: usize,
    /// Where a sample's top-left pixel must start before (a column and a row spare to interpolate).
    right: f32,
    bottom: f32,
    at: (usize, usize),
    paper: f32,
}

impl<'p, 'i> Sampler<'p, 'i> {
    fn new(page: &'p Prepared<'i>) -> Self {
        let (w, h) = (page.img.width() as usize, page.img.height() as usize);
        Sampler {
            page,
            raw: page.pixels().as_raw(),
            width: w,
            right: w.saturating_sub(1) as f32,
            bottom: h.saturating_sub(1) as f32,
            at: (usize::MAX, usize::MAX),
            paper: 0.0,
        }
    }

    // Inlined into the sampling loops (it was a call per sample): the same arithmetic.
    #[inline(always)]
    fn darkness(&mut self, u: f32, v: f32) -> Option<f32> {
        let (x, y) = (u - 0.5, v - 0.5);
        // floor(x) in 0..=width-2 is x in [0, width-1); NaN fails every comparison.
        if !(x >= 0.0 && y >= 0.0 && x < self.right && y < self.bottom) {
            return None;
        }
        let (ix, iy) = (x as usize, y as usize);
        let (tx, ty) = (x - ix as f32, y - iy as f32);
        let w = self.width;
        let at = |x: usize, y: usize| self.raw[y * w + x] as f32;
        let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
        let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
        let value = top * (1.0 - ty) + bottom * ty;
        if self.at != (ix, iy) {
            self.at = (ix, iy);
            self.paper = self.page.paper(ix, iy);
        }
        Some((1.0 - value / self.paper).clamp(0.0, 1.0))
    }
}

/// `x.round() as i64` (half away from zero) without the library call: exact below 2^23, where the
/// fraction `x - trunc(x)` is exact; the library's beyond.
#[inline]
fn round_to_i64(x: f32) -> i64 {
    if x.is_nan() || x.abs() >= 8_388_608.0 {
        return x.round() as i64;
    }
    let t = x as i64;
    let f = x - t as f32;
    if f >= 0.5 {
        t + 1
    } else if f <= -0.5 {
        t - 1
    } else {
        t
    }
}

#[cfg(test)]
mod sampler_tests {
    use super::*;

    /// What `Sampler::darkness` replaced: floor and bounds in i64, the paper looked up every time.
    fn darkness_at(page: &Prepared, u: f32, v: f32) -> Option<f32> {
        let (w, h) = (page.img.width() as i64, page.img.height() as i64);
        let (x, y) = (u - 0.5, v - 0.5);
        let (fx, fy) = (x.floor(), y.floor());
        let (ix, iy) = (fx as i64, fy as i64);
        if !(x.is_finite() && y.is_finite()) || ix < 0 || iy < 0 || ix + 1 >= w || iy + 1 >= h {
            return None;
        }
        let (tx, ty) = (x - fx, y - fy);
        let raw = page.img.as_raw();
        let at = |x: i64, y: i64| raw[(y * w + x) as usize] as f32;
        let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
        let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
        let value = top * (1.0 - ty) + bottom * ty;
        Some((1.0 - value / page.paper(ix as usize, iy as usize)).clamp(0.0, 1.0))
    }

    #[test]
    fn the_sampler_reads_what_the_plain_interpolation_reads_to_the_bit() {
        // Paper lit unevenly, grain, and dark strokes (so some samples clamp at 0 and some are ink).
        let img = image::GrayImage::from_fn(300, 220, |x, y| {
            let grain = ((x * 7919 + y * 104_729) % 23) as i32 - 11;
            let stroke = if (x / 9 + y / 13) % 5 == 0 { -150 } else { 0 };
            image::Luma([(200 + (x / 10) as i32 + grain + stroke).clamp(0, 255) as u8])
        });
        let page = Prepared::new(&img);
        let mut sampler = Sampler::new(&page);
        let mut points = vec![
            (0.5, 0.5),
            (0.49, 3.0),
            (299.5, 10.0),
            (299.49, 10.0),
            (10.0, 219.5),
            (10.0, 219.49),
            (-0.2, 4.0),
            (f32::NAN, 3.0),
            (3.0, f32::INFINITY),
        ];
        // Half-pixel steps along slanted rows, as the bubbles are sampled, and the rows again backwards.
        for j in 0..400 {
            for i in 0..700 {
                points.push((
                    0.43 * i as f32 - 2.0 + 0.011 * j as f32,
                    0.57 * j as f32 - 1.5,
                ));
            }
        }
        let back: Vec<(f32, f32)> = points.iter().rev().copied().collect();
        for (u, v) in points.into_iter().chain(back) {
            let (got, want) = (sampler.darkness(u, v), darkness_at(&page, u, v));
            assert_eq!(
                got.map(f32::to_bits),
                want.map(f32::to_bits),
                "at ({u}, {v})"
            );
        }
    }

    #[test]
    fn selections_over_order_keys_are_the_float_selections() {
        // Darkness samples (ties, zeros of both signs, a few negatives to be sure of the sign flip) in
        // lengths from empty to a page's worth of bubbles.
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for n in 0..300usize {
            let v: Vec<f32> = (0..n)
                .map(|_| match next() % 10 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => -((next() % 1000) as f32) / 997.0,
                    3 => 0.25,
                    _ => (next() % 100_000) as f32 / 99_991.0,
                })
                .collect();
            let keys: Vec<i32> = v.iter().map(|&x| key_of(x)).collect();
            for &x in &v {
                assert_eq!(value_of(key_of(x)).to_bits(), x.to_bits());
            }
            let (mut a, mut b) = (v.clone(), keys.clone());
            assert_eq!(
                median(&mut a).to_bits(),
                median_key(&mut b).to_bits(),
                "median of {n}"
            );
            for (below, p) in [(0.75, 0.95), (0.25, 0.75), (0.5, 0.5)] {
                let (mut a, mut b) = (v.clone(), keys.clone());
                assert_eq!(
                    percentile(&mut a, below).to_bits(),
                    percentile_key(&mut b, below).to_bits()
                );
                assert_eq!(
                    percentile_above(&mut a, below, p).to_bits(),
                    percentile_above_key(&mut b, below, p).to_bits(),
                    "{p} above {below} of {n}"
                );
            }
        }
    }

    /// What `surroundings` replaced: every pair of bubbles compared.
    fn surroundings_pair_by_pair(geom: &SheetGeometry) -> Vec<(u8, u8)> {
        let mut g = geom.clone();
        // A coordinate that is not a number sends `surroundings` pair by pair.
        g.bubbles.push(g.bubbles[0].clone());
        g.bubbles.last_mut().unwrap().area.x = f32::NAN;
        let mut all = surroundings(&g);
        all.pop();
        all
    }

    #[test]
    fn neighbours_found_by_reach_are_those_found_pair_by_pair() {
        let mock = super::super::synth::mock_geometry();
        let mut moved = mock.clone();
        // Bubbles shifted off the grid too, some into touching and overlapping their neighbours.
        for (k, b) in moved.bubbles.iter_mut().enumerate() {
            b.area.x += (k % 7) as f32 * 0.37 - 1.0;
            b.area.y += (k % 5) as f32 * 0.41 - 0.8;
            b.area.w += (k % 3) as f32 * 0.9;
        }
        for geom in [mock, moved] {
            let near = surroundings(&geom);
            assert!(near.iter().filter(|n| n.1 != 0).count() > geom.bubbles.len() / 2);
            let mut without_last = surroundings_pair_by_pair(&geom);
            // The NaN bubble is near nothing, and nothing is near it: the rest is unchanged.
            without_last.truncate(geom.bubbles.len());
            assert_eq!(near, without_last);
        }
    }

    #[test]
    fn rounding_without_the_library_call_is_the_library_s() {
        for k in -200_000..200_000 {
            for x in [
                k as f32 / 8.0,
                k as f32 * 0.0737,
                k as f32 / 8.0 + 0.49999997,
            ] {
                assert_eq!(round_to_i64(x), x.round() as i64, "round({x})");
            }
        }
        for x in [f32::NAN, f32::INFINITY, -1e12, 8_388_608.5, -8_388_607.5] {
            assert_eq!(round_to_i64(x), x.round() as i64, "round({x})");
        }
    }
}

fn sample_patch(page: &Prepared, a: &BoxMm, h: &Homography) -> Option<Patch> {
    let (cx, cy) = a.centre();
    let ppm = h.local_scale(cx as f64, cy as f64) as f32;
    // Each sample averages a block of pixels about a grid step wide, at most 3 × 3: measured at the
    // resolution a pencil stroke needs, whatever the scanner's.
    let block = ((ppm * STEP) as usize).clamp(1, 3);
    let (w, hh) = (a.w, a.h);
    let nx = ((w / STEP).round() as usize).max(4);
    let ny = ((hh / STEP).round() as usize).max(4);
    let (sx, sy) = (w / nx as f32, hh / ny as f32);
    let inner = a.shrunk(INSET_X, INSET_Y);
    let (img, iw, ih) = (
        page.pixels().as_raw(),
        page.img.width() as i64,
        page.img.height() as i64,
    );
    let mut d = Vec::with_capacity(nx * ny);
    let mut kind = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        let y = a.y + sy * (j as f32 + 0.5);
        for i in 0..nx {
            let x = a.x + sx * (i as f32 + 0.5);
            let (ex, ey) = (
                (x - cx) / (inner.w / 2.0).max(STEP),
                (y - cy) / (inner.h / 2.0).max(STEP),
            );
            let cell = if ex * ex + ey * ey <= 1.0 {
                Cell::Inner
            } else {
                Cell::Skip
            };
            let (u, v) = h.map_f32(x, y);
            let (x0, y0) = (
                round_to_i64(u - block as f32 / 2.0),
                round_to_i64(v - block as f32 / 2.0),
            );
            let b = block as i64;
            let value = if x0 < 0 || y0 < 0 || x0 + b > iw || y0 + b > ih {
                if cell == Cell::Inner {
                    return None;
                }
                0.0
            } else {
                let mut sum = 0u32;
                for yy in y0..y0 + b {
                    let row = (yy * iw) as usize;
                    for xx in x0..x0 + b {
                        sum += img[row + xx as usize] as u32;
                    }
                }
                let mean = sum as f32 / (b * b) as f32;
                let paper = page.paper(x0 as usize, y0 as usize);
                (1.0 - mean / paper).clamp(0.0, 1.0)
            };
            d.push(value);
            kind.push(cell);
        }
    }
    let mut sampler = Sampler::new(page);
    let mut around = Vec::with_capacity(AROUND_STATIONS * AROUND_DEPTHS);
    for s in stations(a) {
        for depth in 0..AROUND_DEPTHS {
            let (x, y) = s.at(depth);
            let (u, v) = h.map_f32(x, y);
            around.push(sampler.darkness(u, v).unwrap_or(f32::NAN));
        }
    }
    let (half_w, half_h) = (
        (LETTER_AREA / 2.0).min(a.w / 2.0 - 0.4),
        (LETTER_AREA / 2.0).min(a.h / 2.0 - 0.4),
    );
    // One sample a pixel: over the pixels' straight-line interpolation, samples a whole pixel apart add up
    // to the same whatever the phase of the pixel grid under them (each pixel's kink falls once between
    // two samples; what the kinks add telescopes to the slope at the area's two ends, paper there), as
    // half-pixel steps did at four times the cost: the centre took most of a page's bubble sampling.
    let fine = (1.0 / ppm).max(0.04);
    let (mx, my) = (
        (2.0 * half_w / fine) as usize,
        (2.0 * half_h / fine) as usize,
    );
    let (mut sum, mut n) = (0.0f32, 0u32);
    for j in 0..my {
        for i in 0..mx {
            let x = cx - half_w + (i as f32 + 0.5) * fine;
            let y = cy - half_h + (j as f32 + 0.5) * fine;
            let (u, v) = h.map_f32(x, y);
            if let Some(d) = sampler.darkness(u, v) {
                sum += d;
                n += 1;
            }
        }
    }
    let centre = if n == 0 { f32::NAN } else { sum / n as f32 };
    let corners = [
        (a.x, a.y),
        (a.x + w, a.y),
        (a.x, a.y + hh),
        (a.x + w, a.y + hh),
    ]
    .map(|(x, y)| h.map_f32(x, y));
    let span = |f: fn(&(f32, f32)) -> f32| {
        corners
            .iter()
            .map(f)
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let painted = page.painted_in(span(|c| c.0), span(|c| c.1));
    Some(Patch {
        centre,
        shade: 0.0,
        painted,
        nx,
        ny,
        d,
        kind,
        around,
    })
}

// The median and percentiles select their element instead of sorting the whole slice: the same value
// (the k-th in the same total order), in linear time; the slice is left in some order, not sorted.
// Written once over any element and order: f32 values by `total_cmp`, or their order keys (below).
fn median_by<T: Copy>(v: &mut [T], order: impl FnMut(&T, &T) -> Ordering) -> Option<T> {
    let k = v.len() / 2;
    (!v.is_empty()).then(|| *v.select_nth_unstable_by(k, order).1)
}

/// The index the `p` percentile selects among `len` values.
fn rank(len: usize, p: f32) -> usize {
    ((len - 1) as f32 * p) as usize
}

fn percentile_by<T: Copy>(v: &mut [T], p: f32, order: impl FnMut(&T, &T) -> Ordering) -> Option<T> {
    (!v.is_empty()).then(|| *v.select_nth_unstable_by(rank(v.len(), p), order).1)
}

/// `percentile_by(v, p)` on a slice that `percentile_by(v, below)` has just left partitioned (`below` ≤
/// `p`): the element lies among those after the one selected then, so only they are searched. The same
/// value.
fn percentile_above_by<T: Copy>(
    v: &mut [T],
    below: f32,
    p: f32,
    order: impl FnMut(&T, &T) -> Ordering,
) -> Option<T> {
    if v.is_empty() {
        return None;
    }
    let (k0, k) = (rank(v.len(), below), rank(v.len(), p));
    if k <= k0 {
        return percentile_by(v, p, order);
    }
    Some(*v[k0 + 1..].select_nth_unstable_by(k - k0 - 1, order).1)
}

fn median(v: &mut [f32]) -> f32 {
    median_by(v, f32::total_cmp).unwrap_or(0.0)
}

fn percentile(v: &mut [f32], p: f32) -> f32 {
    percentile_by(v, p, f32::total_cmp).unwrap_or(0.0)
}

fn percentile_above(v: &mut [f32], below: f32, p: f32) -> f32 {
    percentile_above_by(v, below, p, f32::total_cmp).unwrap_or(0.0)
}

/// The printed label of a bubble: bubbles with the same label print the same, whatever they mean.
fn label(meaning: &BubbleMeaning) -> String {
    match meaning {
        BubbleMeaning::Answer { option, .. } => option.clone(),
        BubbleMeaning::IdDigit { digit, .. } => digit.to_string(),
        BubbleMeaning::Variant { letter } => letter.clone(),
    }
}

/// The region a bubble's pencil level is fitted in: the id grid, the variant row, and the answer area in
/// bands of blocks (a student may fill the id dark and the answers faint).
fn region(b: &super::geometry::Bubble) -> (u8, i32) {
    match b.meaning {
        BubbleMeaning::IdDigit { .. } => (0, 0),
        BubbleMeaning::Variant { .. } => (1, 0),
        BubbleMeaning::Answer { .. } => (2, (b.area.y / 40.0) as i32),
    }
}

/// What the print of each bubble looks like unmarked, and where it is: per grid point, percentiles over the unmarked
/// bubbles printed alike (the same label and grid), widened by one grid step so a fraction of a millimetre
/// of misregistration leaves no print behind. "Unmarked" is judged first against all bubbles of the size,
/// so a label this student marks on most questions does not hide its own marks.
/// Also says which bubbles are unmarked inside.
#[allow(clippy::type_complexity)]
fn print_templates(
    geom: &SheetGeometry,
    patches: &[Patch],
    screen_photo: bool,
) -> (Vec<(Vec<f32>, Vec<f32>)>, Vec<bool>) {
    use std::collections::HashMap;
    let mut by_size: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (i, p) in patches.iter().enumerate() {
        by_size.entry((p.nx, p.ny)).or_default().push(i);
    }
    // Per grid point, the percentiles `pcts` (ascending) over `members`, each widened. The members' samples
    // are laid out point by point first (one pass over each patch), and each percentile after the first
    // is selected among the samples above the one before.
    let build = |members: &[usize], pcts: &[f32]| -> Vec<Vec<f32>> {
        let p0 = &patches[members[0]];
        let (points, n) = (p0.d.len(), members.len());
        let mut by_point = vec![0.0f32; points * n];
        for (at, &m) in members.iter().enumerate() {
            for (k, &v) in patches[m].d.iter().enumerate() {
                by_point[k * n + at] = v;
            }
        }
        let mut t = vec![vec![0.0f32; points]; pcts.len()];
        for (k, buf) in by_point.chunks_exact_mut(n.max(1)).enumerate().take(points) {
            for (q, &pct) in pcts.iter().enumerate() {
                t[q][k] = if q == 0 {
                    percentile(buf, pct)
                } else {
                    percentile_above(buf, pcts[q - 1], pct)
                };
            }
        }
        let (nx, ny) = (p0.nx, p0.ny);
        t.into_iter()
            .map(|t| {
                let mut wide = t.clone();
                for j in 0..ny {
                    for i in 0..nx {
                        let mut m = 0.0f32;
                        for jj in j.saturating_sub(1)..(j + 2).min(ny) {
                            for ii in i.saturating_sub(1)..(i + 2).min(nx) {
                                m = m.max(t[jj * nx + ii]);
                            }
                        }
                        wide[j * nx + i] = m;
                    }
                }
                wide
            })
            .collect()
    };
    // First pass: against every bubble of the size, which bubbles plainly carry a mark inside.
    let size_templates: HashMap<(usize, usize), Vec<f32>> = by_size
        .iter()
        .map(|(k, m)| (*k, build(m, &[0.25]).swap_remove(0)))
        .collect();
    let inside: Vec<f32> = patches
        .iter()
        .map(|p| {
            let t = &size_templates[&(p.nx, p.ny)];
            let (mut sum, mut n) = (0.0f32, 0u32);
            for ((d, t), c) in p.d.iter().zip(t).zip(&p.kind) {
                if *c == Cell::Inner {
                    sum += (d - t).max(0.0);
                    n += 1;
                }
            }
            sum / n.max(1) as f32
        })
        .collect();
    let mut sorted = inside.clone();
    let typical = median(&mut sorted);
    let unmarked: Vec<bool> = inside.iter().map(|&v| v < typical + 0.06).collect();
    let mut by_label: HashMap<(String, usize, usize), Vec<usize>> = HashMap::new();
    for (i, (b, p)) in geom.bubbles.iter().zip(patches).enumerate() {
        if unmarked[i] {
            by_label
                .entry((label(&b.meaning), p.nx, p.ny))
                .or_default()
                .push(i);
        }
    }
    // Only unmarked bubbles are left in these groups, so a high percentile is safe for telling where the
    // print is (the mask): print that shows on a quarter of them (a thin line cut to black and white)
    // counts.
    // But a hand that ticks one letter on many questions, always in the same place, leaves a tick light
    // enough to pass as unmarked on each: on a quarter or more of the label's boxes it would be taken
    // for the label's print and masked away on every one. Print is the same on every box of a label,
    // give or take where its lines fall between pixels; a tick adds its ink. So each box's ink off the
    // print beyond the label's own template is weighed first (see [`repeat`]), and the print learnt from
    // the boxes that carry no more of it than the label's cleanest quarter, give or take how much the
    // page's boxes of one label differ among themselves.
    // (A box a copier streak was painted out of has the painting's print, not the label's: the
    // template the others are weighed against is learnt without it, where others are left.)
    let first: HashMap<(String, usize, usize), Vec<f32>> = by_label
        .iter()
        .map(|(k, m)| {
            let unpainted: Vec<usize> =
                m.iter().copied().filter(|&i| !patches[i].painted).collect();
            let from = if unpainted.is_empty() { m } else { &unpainted };
            (k.clone(), build(from, &[0.25]).swap_remove(0))
        })
        .collect();
    let excess: HashMap<(String, usize, usize), Vec<f32>> = by_label
        .iter()
        .map(|(k, m)| {
            let t = &first[k];
            let e = m
                .iter()
                .map(|&i| {
                    repeat::off_print(
                        &patches[i].d,
                        t,
                        patches[i].kind.iter().map(|c| *c == Cell::Inner),
                        PRINT,
                    )
                })
                .collect();
            (k.clone(), e)
        })
        .collect();
    let margin = repeat::margin(excess.values().map(|v| v.as_slice()));
    let mut label_templates: HashMap<(String, usize, usize), Vec<f32>> = HashMap::new();
    let mut label_masks: HashMap<(String, usize, usize), Vec<f32>> = HashMap::new();
    for (k, m) in &by_label {
        // On a photo of a screen the moiré's beat darkens each box by its own amount, slowly across the
        // page: a box's ink above its label's cleanest quarter is not the student's alone there.
        let clean = if screen_photo {
            m.clone()
        } else {
            repeat::clean(
                m,
                &excess[k],
                &m.iter().map(|&i| patches[i].painted).collect::<Vec<_>>(),
                margin,
            )
        };
        let [template, mask]: [Vec<f32>; 2] = build(&clean, &[0.25, 0.75])
            .try_into()
            .expect("two percentiles");
        label_templates.insert(k.clone(), template);
        label_masks.insert(k.clone(), mask);
    }
    let templates = geom
        .bubbles
        .iter()
        .zip(patches)
        .map(|(b, p)| {
            let key = (label(&b.meaning), p.nx, p.ny);
            let size = &size_templates[&(p.nx, p.ny)];
            (
                label_templates.get(&key).unwrap_or(size).clone(),
                label_masks.get(&key).unwrap_or(size).clone(),
            )
        })
        .collect();
    (templates, unmarked)
}

/// Per bubble, how much darker the middle of the box, where its letter prints (and the print hides the
/// samples), is than in the unmarked bubbles of the same label, and how much those differ among
/// themselves (their median deviation); `None` where the label has too few unmarked bubbles to go by.
/// Ink over the letter's strokes does not show, but the paper between and round them darkens: the
/// area's mean moves, wherever the letter falls between pixels. A mark on the letter darkens it clearly
/// more than they differ: by six deviations and [`ON_LETTER`].
///
/// The label's typical middle is the median over every bubble of the label that is unmarked inside,
/// however its print came out. A label printed without smoothing (a 1-bit copier page, the unit tests'
/// own sheet) prints a pixel thicker or thinner with where it falls, which moves the middle's mean by
/// up to about 0.02, under [`ON_LETTER`]; leaving such bubbles out of the label's group (as a first
/// attempt did, for their print "ink") made the group's median that of a few odd ones, and blank
/// bubbles read as dots.
fn on_letter(
    geom: &SheetGeometry,
    patches: &[Patch],
    unmarked: &[bool],
) -> Vec<Option<(f32, f32)>> {
    use std::collections::HashMap;
    let means: Vec<f32> = patches.iter().map(|p| p.centre).collect();
    let key = |i: usize| {
        (
            label(&geom.bubbles[i].meaning),
            patches[i].nx,
            patches[i].ny,
        )
    };
    let mut groups: HashMap<(String, usize, usize), Vec<f32>> = HashMap::new();
    for (i, m) in means.iter().enumerate() {
        if unmarked[i] && m.is_finite() {
            groups.entry(key(i)).or_default().push(*m);
        }
    }
    let typical: HashMap<(String, usize, usize), (f32, f32)> = groups
        .into_iter()
        .filter(|(_, v)| v.len() >= 8)
        .map(|(k, mut v)| {
            let mid = median(&mut v);
            let mut dev: Vec<f32> = v.iter().map(|x| (x - mid).abs()).collect();
            (k, (mid, median(&mut dev)))
        })
        .collect();
    means
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (mid, spread) = typical.get(&key(i))?;
            let excess = m - mid;
            excess.is_finite().then_some((excess, *spread))
        })
        .collect()
}

/// Features of one bubble once the print is taken away.
#[derive(Debug, Clone, Copy)]
struct Features {
    fill: f32,
    /// Inside covered at the low cut (a third of the pencil level).
    cover: f32,
    /// The most and least covered half (left, right, top, bottom) at the low cut.
    half_max: f32,
    half_min: f32,
    /// Inside covered at the stroke cut (60 % of the pencil level).
    dark: f32,
    /// Mean pencil of the covered samples: a stroke's is its pencil's, an erasure's haze is light.
    ink_mean: f32,
    /// The printed letter's own area is darker than it prints, by clearly more than the rest of the box
    /// is: a dot, a dash or a small tick made on the letter, where the print hides it from the samples.
    on_letter: bool,
}

fn features(p: &Patch, r: &[f32], pencil: f32) -> Features {
    let low = 0.35 * pencil;
    let high = 0.6 * pencil;
    let (mut n, mut sum, mut covered, mut dark) = (0u32, 0.0f32, 0u32, 0u32);
    // Columns and rows spanned by the inside, for the halves.
    let (mut i0, mut i1, mut j0, mut j1) = (usize::MAX, 0, usize::MAX, 0);
    for (k, c) in p.kind.iter().enumerate() {
        if *c == Cell::Inner {
            let (i, j) = (k % p.nx, k / p.nx);
            i0 = i0.min(i);
            i1 = i1.max(i);
            j0 = j0.min(j);
            j1 = j1.max(j);
        }
    }
    let (mi, mj) = ((i0 + i1) as f32 / 2.0, (j0 + j1) as f32 / 2.0);
    // left, right, top, bottom: (covered, total)
    let mut halves = [(0u32, 0u32); 4];
    let mut ink_sum = 0.0f32;
    for (k, c) in p.kind.iter().enumerate() {
        let v = r[k];
        if v.is_nan() || *c != Cell::Inner {
            continue;
        }
        n += 1;
        sum += v;
        let ink = v >= low;
        covered += ink as u32;
        if ink {
            ink_sum += v;
        }
        dark += (v >= high) as u32;
        let (i, j) = ((k % p.nx) as f32, (k / p.nx) as f32);
        for (h, inside) in [i < mi, i > mi, j < mj, j > mj].into_iter().enumerate() {
            if inside {
                halves[h].0 += ink as u32;
                halves[h].1 += 1;
            }
        }
    }
    let share = |(a, b): (u32, u32)| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    let hs = halves.map(share);
    let n = n.max(1) as f32;
    Features {
        fill: sum / n,
        cover: covered as f32 / n,
        half_max: hs.iter().copied().fold(0.0, f32::max),
        half_min: hs.iter().copied().fold(1.0, f32::min),
        dark: dark as f32 / n,
        ink_mean: if covered == 0 {
            0.0
        } else {
            ink_sum / covered as f32
        },
        on_letter: false,
    }
}

/// How a bubble sits among the others: which kind of bubble it is (its print round it differs: the id
/// grid's frame, a block's frame), and on which sides (bit 0 right, 1 below, 2 left, 3 above) another
/// bubble is near.
///
/// Only bubbles whose left side lies within reach across (from a box's width plus [`NEAR`] to its left
/// to [`NEAR`] past its right side, a millimetre spare each way) can be near: they are found among the
/// bubbles ordered by their left side, not among all of them (a page's 440 bubbles made 190,000 pairs).
/// The same bits either way; a sheet with a coordinate that is not a number is compared pair by pair.
fn surroundings(geom: &SheetGeometry) -> Vec<(u8, u8)> {
    let bubbles = &geom.bubbles;
    let finite = bubbles.iter().all(|b| {
        let a = &b.area;
        a.x.is_finite() && a.y.is_finite() && a.w.is_finite() && a.h.is_finite()
    });
    let mut by_x: Vec<usize> = (0..bubbles.len()).collect();
    by_x.sort_by(|&i, &j| bubbles[i].area.x.total_cmp(&bubbles[j].area.x));
    let xs: Vec<f32> = by_x.iter().map(|&j| bubbles[j].area.x).collect();
    let widest = bubbles.iter().map(|b| b.area.w).fold(0.0f32, f32::max);
    bubbles
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let a = &b.area;
            let (from, to) = if finite {
                let (lo, hi) = (a.x - widest - NEAR - 1.0, a.x + a.w + NEAR + 1.0);
                let from = xs.partition_point(|&x| x < lo);
                (from, from + xs[from..].partition_point(|&x| x <= hi))
            } else {
                (0, by_x.len())
            };
            let mut beside = 0u8;
            for &j in &by_x[from..to] {
                let o = &bubbles[j].area;
                if j == i {
                    continue;
                }
                let across_x = o.y < a.y + a.h && o.y + o.h > a.y;
                let across_y = o.x < a.x + a.w && o.x + o.w > a.x;
                let (right, left) = (o.x - (a.x + a.w), a.x - (o.x + o.w));
                let (below, above) = (o.y - (a.y + a.h), a.y - (o.y + o.h));
                for (bit, gap, across) in [
                    (0, right, across_x),
                    (1, below, across_y),
                    (2, left, across_x),
                    (3, above, across_y),
                ] {
                    if across && (0.0..=NEAR).contains(&gap) {
                        beside |= 1 << bit;
                    }
                }
            }
            let kind = match b.meaning {
                BubbleMeaning::Answer { .. } => 0,
                BubbleMeaning::IdDigit { .. } => 1,
                BubbleMeaning::Variant { .. } => 2,
            };
            (kind, beside)
        })
        .collect()
}

/// Distance (mm) from a point to a box, 0 inside it.
fn box_distance(o: &BoxMm, x: f32, y: f32) -> f32 {
    let dx = (o.x - x).max(x - o.x - o.w).max(0.0);
    let dy = (o.y - y).max(y - o.y - o.h).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

/// The ink across the contour round every bubble, the print taken away: per bubble, per station, per
/// depth, how much darker than the print of that place round unmarked bubbles alike (same kind, same
/// neighbours on the sides the station faces) it is; NaN where the print itself is (an outline, a
/// frame: a thin printed line reads darker or lighter with where it falls between pixels, and pencil
/// over black print does not show).
///
/// Also hands back the print templates it built, with how many bubbles each was built from: the second
/// pass (`lined`: leaving out, station by station, the bubbles a pencil line runs past) takes over from
/// `earlier` every template that lost none of them (its bubbles are then the same, so is the template)
/// and builds only the others.
fn around_residuals(
    geom: &SheetGeometry,
    patches: &[Patch],
    unmarked: &[bool],
    lined: Option<&[Vec<bool>]>,
    earlier: Option<&AroundPrint>,
) -> (Vec<Vec<f32>>, AroundPrint) {
    // A bubble lends its print at a station only where no pencil line was seen there before.
    let clear_at = |j: usize, station: usize| lined.is_none_or(|l| !l[j][station]);
    // Lines only past bubbles marked inside change nothing: those lend no print anyway, so every
    // template, and so every residual, is the earlier pass's (a page of fills is most pages).
    if let (Some(l), Some(prev)) = (lined, earlier)
        && !(0..patches.len()).any(|j| unmarked[j] && l[j].iter().any(|&on| on))
    {
        return (
            prev.residuals.clone(),
            AroundPrint {
                near: prev.near.clone(),
                ..AroundPrint::default()
            },
        );
    }
    let near = earlier.map_or_else(|| surroundings(geom), |e| e.near.clone());
    let station_sides: Vec<u8> = geom
        .bubbles
        .first()
        .map(|b| stations(&b.area).iter().map(|s| s.sides).collect())
        .unwrap_or_default();
    let crossed: Vec<u8> = geom
        .bubbles
        .first()
        .map(|b| {
            stations(&b.area)
                .iter()
                .map(|s| side_crossed(&b.area, s))
                .collect()
        })
        .unwrap_or_default();
    let mut print = AroundPrint {
        near,
        ..AroundPrint::default()
    };
    let near = &print.near;
    // (station, kind, neighbour bits on the station's sides) → the darkest the print there reads, per
    // depth, and how many bubbles it was built from before the fallbacks.
    let mut cache: AnyTemplates = FastMap::default();
    // (station, kind, neighbour bits, the line of the sheet its samples cross) → the median print of
    // the bubbles on that line, when enough of them are clear there, and how many are.
    let mut same_cache: SameTemplates = FastMap::default();
    let mut on_edge: FastMap<i32, Vec<usize>> = FastMap::default();
    for (j, b) in geom.bubbles.iter().enumerate() {
        for side in [1, 2, 4, 8] {
            if let Some(e) = edge_of(&b.area, side) {
                on_edge.entry(e).or_default().push(j);
            }
        }
    }
    let mut columns = Columns::default();
    let mut out: Vec<Vec<f32>> = patches
        .iter()
        .map(|p| Vec::with_capacity(p.around.len()))
        .collect();
    for (i, out) in out.iter_mut().enumerate() {
        let (kind, beside) = near[i];
        let p = &patches[i];
        for (station, &sides) in station_sides.iter().enumerate() {
            let bits = beside & sides;
            let same = edge_of(&geom.bubbles[i].area, crossed[station]).and_then(|e| {
                same_cache
                    .entry((station, kind, bits, e))
                    .or_insert_with(|| {
                        let members: Vec<usize> = on_edge[&e]
                            .iter()
                            .copied()
                            .filter(|&j| {
                                unmarked[j]
                                    && clear_at(j, station)
                                    && near[j].0 == kind
                                    && near[j].1 & sides == bits
                            })
                            .collect();
                        if let Some((n, t)) =
                            earlier.and_then(|prev| prev.same.get(&(station, kind, bits, e)))
                            && *n == members.len()
                        {
                            return (*n, t.clone());
                        }
                        let t = (members.len() >= SAME_EDGE_MEMBERS)
                            .then(|| columns.build(patches, station, &members, true));
                        (members.len(), t)
                    })
                    .1
                    .as_ref()
            });
            let alike_print: &Template = &cache
                .entry((station, kind, bits))
                .or_insert_with(|| {
                    // Unmarked bubbles alike here, clear of pencil lines at this station; a kind
                    // with too few of them (a variant row of two) borrows from every kind, lines
                    // or not.
                    let alike = |any_kind: bool| -> Vec<usize> {
                        (0..patches.len())
                            .filter(|&j| {
                                unmarked[j]
                                    && (any_kind || clear_at(j, station) && near[j].0 == kind)
                                    && near[j].1 & sides == bits
                            })
                            .collect()
                    };
                    let mut members = alike(false);
                    let clear = members.len();
                    if let Some((n, t)) =
                        earlier.and_then(|prev| prev.any.get(&(station, kind, bits)))
                        && *n == clear
                    {
                        return (clear, t.clone());
                    }
                    if members.len() < 4 {
                        members = alike(true);
                    }
                    if members.len() < 4 {
                        members = (0..patches.len()).filter(|&j| unmarked[j]).collect();
                    }
                    if members.is_empty() {
                        members = (0..patches.len()).collect();
                    }
                    (clear, columns.build(patches, station, &members, false))
                })
                .1;
            let row = &p.around[station * AROUND_DEPTHS..(station + 1) * AROUND_DEPTHS];
            for (depth, d) in row.iter().enumerate() {
                let alike = alike_print[depth];
                // Where the bubbles alike read as paper here, the median of this bubble's line is
                // no darker: a grey band smeared along half the line's bubbles (a ruler's shadow
                // over two questions side by side) is ink on the line, not its print.
                let t = match same {
                    Some(line) if alike < PRINT => line[depth].min(alike),
                    Some(line) => line[depth],
                    None => alike,
                };
                out.push(if d.is_nan() {
                    f32::NAN
                } else {
                    (d - t).max(0.0)
                });
            }
        }
    }
    print.same = same_cache;
    print.any = cache;
    if lined.is_none() {
        print.residuals = out.clone();
    }
    (out, print)
}

/// The print round unmarked bubbles, per depth across a station.
type Template = Vec<f32>;

/// A pass of [`around_residuals`]: how each bubble sits among the others, and the templates built, with
/// how many bubbles (clear of pencil lines there) each was built from.
#[derive(Default)]
struct AroundPrint {
    near: Vec<(u8, u8)>,
    same: SameTemplates,
    any: AnyTemplates,
    /// The first pass's residuals, handed on when the second would find every template unchanged.
    residuals: Vec<Vec<f32>>,
}

/// (station, kind, neighbour bits, the line of the sheet) → (bubbles clear there, their median print).
type SameTemplates = FastMap<(usize, u8, u8, i32), (usize, Option<Template>)>;
/// (station, kind, neighbour bits) → (bubbles alike and clear there, the print they allow).
type AnyTemplates = FastMap<(usize, u8, u8), (usize, Template)>;

/// The samples of many bubbles at one station gathered depth by depth, to take a median or percentiles
/// of each depth (kept between templates so its buffers are allocated once). Each sample is kept as the
/// integer whose order is `f32::total_cmp`'s ([`order_key`]): the selections pick the same element as
/// over the floats, comparing one integer instead of two converted floats (the page's templates select
/// among every unmarked bubble at each depth of each station).
#[derive(Default)]
struct Columns {
    depth: Vec<Vec<i32>>,
}

/// `v`'s place in `f32::total_cmp`'s order as an `i32` (the conversion `total_cmp` makes); its own inverse.
#[inline]
fn order_key(v: i32) -> i32 {
    v ^ (((v >> 31) as u32) >> 1) as i32
}

fn key_of(v: f32) -> i32 {
    order_key(v.to_bits() as i32)
}

fn value_of(key: i32) -> f32 {
    f32::from_bits(order_key(key) as u32)
}

/// [`median`], [`percentile`] and [`percentile_above`] over order keys: the same index selected, so the
/// same value.
fn median_key(v: &mut [i32]) -> f32 {
    median_by(v, i32::cmp).map_or(0.0, value_of)
}

fn percentile_key(v: &mut [i32], p: f32) -> f32 {
    percentile_by(v, p, i32::cmp).map_or(0.0, value_of)
}

fn percentile_above_key(v: &mut [i32], below: f32, p: f32) -> f32 {
    percentile_above_by(v, below, p, i32::cmp).map_or(0.0, value_of)
}

impl Columns {
    /// The print at `station` over the bubbles `members`: their median at each depth when they lie on the
    /// same line of the sheet (`same_print`), else how dark the print there can read (the 75th
    /// percentile, the 95th where that is print); then widened by a sample each way.
    fn build(
        &mut self,
        patches: &[Patch],
        station: usize,
        members: &[usize],
        same_print: bool,
    ) -> Template {
        self.depth.resize_with(AROUND_DEPTHS, Vec::new);
        for column in &mut self.depth {
            column.clear();
        }
        for &m in members {
            let row = &patches[m].around[station * AROUND_DEPTHS..(station + 1) * AROUND_DEPTHS];
            for (column, &v) in self.depth.iter_mut().zip(row) {
                if !v.is_nan() {
                    column.push(key_of(v));
                }
            }
        }
        let mut upper = [0.0f32; AROUND_DEPTHS];
        for (up, buf) in upper.iter_mut().zip(&mut self.depth) {
            // Where print is (an outline, a frame), how dark it can read here: a thin line reads darker
            // or lighter with where it falls between pixels, and pencil must be darker than its darkest.
            if same_print {
                *up = median_key(buf);
                continue;
            }
            *up = percentile_key(buf, 0.75);
            if *up >= PRINT {
                *up = percentile_above_key(buf, 0.75, 0.95);
            }
        }
        // Widened by a sample each way: the print of this bubble may sit a fraction of a millimetre
        // off, and a thin line reads darker or lighter with where it falls between pixels.
        let widen = |depth: usize| {
            upper[depth.saturating_sub(1)..(depth + 2).min(AROUND_DEPTHS)]
                .iter()
                .copied()
                .fold(0.0f32, f32::max)
        };
        (0..AROUND_DEPTHS).map(widen).collect()
    }
}

/// A hash map keyed by small integers with a multiply-and-rotate hash (FxHash's): the print caches are
/// looked up once per bubble and station, where the standard hasher's cost showed. Nothing iterates
/// these maps, so the order of their entries never reaches a reading.
type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(v as u64);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u64(v as u32 as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Bubbles whose side lies on the same line of the sheet (a row's tops and bottoms, a column's left and
/// right sides) print that side alike: the printer and the scanner place the same line at the same
/// fraction of a pixel. Their median is the print to take away there, once this many of them are unmarked.
const SAME_EDGE_MEMBERS: usize = 5;

/// The line of the sheet (hundredths of a mm) the side a station faces lies on; `None` round a corner.
fn edge_of(a: &BoxMm, sides: u8) -> Option<i32> {
    let at = match sides {
        8 => a.y,
        2 => a.y + a.h,
        1 => a.x + a.w,
        4 => a.x,
        _ => return None,
    };
    Some((at * 100.0).round() as i32 + 1_000_000 * sides as i32)
}

/// The side of box `a` (one bit, as in [`Station::sides`]) whose outline the samples across station `s`
/// cross: its own side, or round a corner whichever of the two the outward ray meets first.
fn side_crossed(a: &BoxMm, s: &Station) -> u8 {
    if s.sides.count_ones() != 2 {
        return s.sides;
    }
    let x_side = if s.sides & 1 != 0 { 1 } else { 4 };
    let y_side = if s.sides & 2 != 0 { 2 } else { 8 };
    let to_x = if x_side == 1 {
        a.x + a.w - s.x
    } else {
        a.x - s.x
    };
    let to_y = if y_side == 2 {
        a.y + a.h - s.y
    } else {
        a.y - s.y
    };
    let tx = if s.nx.abs() > 1e-6 {
        to_x / s.nx
    } else {
        f32::INFINITY
    };
    let ty = if s.ny.abs() > 1e-6 {
        to_y / s.ny
    } else {
        f32::INFINITY
    };
    if tx <= ty { x_side } else { y_side }
}

/// Per station round box `a`: whether a pencil line crosses it (two samples in a row at least `ink`
/// darker than the print).
fn station_lines(a: &BoxMm, residual: &[f32], ink: f32) -> Vec<bool> {
    (0..stations(a).len())
        .map(|station| {
            let mut run = 0;
            residual[station * AROUND_DEPTHS..(station + 1) * AROUND_DEPTHS]
                .iter()
                .any(|&v| {
                    run = if v >= ink { run + 1 } else { 0 };
                    run >= 2
                })
        })
        .collect()
}

/// How much of the contour round bubble `a` a pencil line runs along: (stations with a line, stations
/// judged, corners with a line through at least two of their stations). A station has a line where two samples in a row across it hold pencil; samples `claimed`
/// (a marked neighbour's own ink may be there) are left out, and a station is judged only when it has
/// a line, or four samples and none of them claimed.
fn around_share(
    a: &BoxMm,
    residual: &[f32],
    ink: f32,
    claimed: impl Fn(f32, f32) -> bool,
) -> (usize, usize, usize) {
    let (mut lined, mut judged) = (0, 0);
    // Lined stations per corner (indexed by its two side bits).
    let mut corner_lines = [0u8; 16];
    for (station, s) in stations(a).iter().enumerate() {
        let (mut known, mut run, mut line, mut hidden) = (0, 0, false, false);
        for depth in 0..AROUND_DEPTHS {
            let v = residual[station * AROUND_DEPTHS + depth];
            let (x, y) = s.at(depth);
            if v.is_nan() {
                run = 0;
                continue;
            }
            if claimed(x, y) {
                hidden = true;
                run = 0;
                continue;
            }
            known += 1;
            run = if v >= ink { run + 1 } else { 0 };
            line |= run >= 2;
        }
        // Where part of the station is a neighbour's, only a line in the rest of it says anything.
        if line || (known >= 4 && !hidden) {
            judged += 1;
            lined += line as usize;
        }
        if line && s.sides.count_ones() == 2 {
            corner_lines[s.sides as usize] += 1;
        }
    }
    let corners = corner_lines.iter().filter(|&&n| n >= 2).count();
    (lined, judged, corners)
}

/// Ink along the bottom of box `a` and its top, as stations with a line out of those along each side:
/// a grey band along the lower edge lines most of the bottom and none of the top (a circle, a tick, a
/// fill's overshoot run over the top too).
fn bottom_and_top_lines(a: &BoxMm, residual: &[f32], ink: f32) -> (f32, f32) {
    let (mut bottom, mut along_bottom, mut top, mut along_top) = (0, 0, 0, 0);
    for (s, line) in stations(a).iter().zip(station_lines(a, residual, ink)) {
        match s.sides {
            2 => (bottom, along_bottom) = (bottom + line as usize, along_bottom + 1),
            8 => (top, along_top) = (top + line as usize, along_top + 1),
            _ => {}
        }
    }
    let share = |n: usize, of: usize| n as f32 / of.max(1) as f32;
    (share(bottom, along_bottom), share(top, along_top))
}

/// A band is looked for at this share of the ink level (a grey band blurred at 150 dpi reads about half
/// as dark as a pencil line), along at least this share of a bubble's bottom edge and at most this
/// share of its top.
const BAND_INK: f32 = 0.6;
const BAND_BOTTOM: f32 = 0.75;
const BAND_TOP: f32 = 0.25;

/// The bubbles of the rows (a question's options, the variant row) a grey band runs along: at least two
/// bubbles of the row with no fill or stroke show it, and every other bubble of the row carries ink of its own (which may hide
/// the band under it). A band along the row above reaches down over this row's top edge: once that row
/// is found banded, lines over the top of the bubbles below it are its band's.
fn smeared_rows(
    geom: &SheetGeometry,
    around: &[Vec<f32>],
    first: &[MarkShape],
    ink_of: impl Fn(usize) -> f32,
) -> Vec<bool> {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<(u8, u32, i32), Vec<usize>> = BTreeMap::new();
    for (i, b) in geom.bubbles.iter().enumerate() {
        let group = match &b.meaning {
            BubbleMeaning::Answer { question, .. } => (0, *question),
            BubbleMeaning::Variant { .. } => (1, 0),
            BubbleMeaning::IdDigit { .. } => continue,
        };
        let line = (b.area.y * 10.0).round() as i32;
        rows.entry((group.0, group.1, line)).or_default().push(i);
    }
    let lines: Vec<(f32, f32)> = (0..geom.bubbles.len())
        .map(|i| {
            let ink = (BAND_INK * ink_of(i)).max(0.08);
            bottom_and_top_lines(&geom.bubbles[i].area, &around[i], ink)
        })
        .collect();
    // Whether a banded bubble lies just above bubble `i`.
    let under_band = |i: usize, banded: &[bool]| {
        let a = &geom.bubbles[i].area;
        geom.bubbles.iter().enumerate().any(|(j, o)| {
            let o = &o.area;
            banded[j]
                && o.x < a.x + a.w
                && o.x + o.w > a.x
                && (0.0..=NEAR).contains(&(a.y - (o.y + o.h)))
        })
    };
    // Only where enough bubbles share a row's bottom line is the print below it taken away exactly
    // enough to tell a band from print (a variant row of two borrows its print from bubbles printed
    // elsewhere, and on a page cut to black and white its outline alone reads as a line).
    let mut on_line: BTreeMap<Option<i32>, usize> = BTreeMap::new();
    for b in &geom.bubbles {
        *on_line.entry(edge_of(&b.area, 2)).or_default() += 1;
    }
    let exact = |i: usize| on_line[&edge_of(&geom.bubbles[i].area, 2)] >= SAME_EDGE_MEMBERS;
    let mut banded = vec![false; geom.bubbles.len()];
    for _ in 0..3 {
        let mut changed = false;
        for row in rows.values() {
            if banded[row[0]] || row.len() < 2 || !exact(row[0]) {
                continue;
            }
            let along: Vec<bool> = row
                .iter()
                .map(|&i| {
                    // A fill's overshoot or a tick's point can line the bottom alone: the band is
                    // looked for where the bubble holds no mark of its own.
                    let (bottom, top) = lines[i];
                    !matches!(first[i], MarkShape::Fill | MarkShape::Stroke)
                        && bottom >= BAND_BOTTOM
                        && (top <= BAND_TOP || under_band(i, &banded))
                })
                .collect();
            let with_band = along.iter().filter(|&&b| b).count();
            let rest_inked = row
                .iter()
                .zip(&along)
                .all(|(&i, &band)| band || first[i] != MarkShape::None);
            if with_band >= 2 && rest_inked {
                for &i in row {
                    banded[i] = true;
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    banded
}

/// A hand-drawn circle round a bubble found as one closed curve: an axis-aligned ellipse (mm) fitted to
/// the lines across the stations round the box, and how the stations bear it out.
#[derive(Debug, Clone, PartialEq)]
struct Ring {
    cx: f32,
    cy: f32,
    rx: f32,
    ry: f32,
    /// Where the ellipse crosses each station it is judged at (mm), and whether a line runs there
    /// (stations where it crosses print dark enough to hide a line, or beyond the samples, are left out).
    crossings: Vec<(f32, f32, bool)>,
    /// The box's sides (bits as [`Station::sides`]) along whose straight runs a line lies on the ring.
    sides_on: u8,
    /// The sides along whose straight runs the ring lies within [`RING_OWN_OUTLINE`] of the box's own
    /// outline, where its print hides whether a line runs.
    sides_on_outline: u8,
}

impl Ring {
    /// How far (mm, about) a point lies off the ellipse.
    fn off_by(&self, x: f32, y: f32) -> f32 {
        let (u, v) = ((x - self.cx) / self.rx, (y - self.cy) / self.ry);
        ((u * u + v * v).sqrt() - 1.0).abs() * self.rx.min(self.ry)
    }

    /// Stations with a line on the ring and stations without, leaving out the crossings `explained`
    /// (where a marked neighbour's own ink runs).
    fn support(&self, explained: impl Fn(f32, f32) -> bool) -> (usize, usize) {
        let (mut on, mut off) = (0, 0);
        for &(x, y, line) in &self.crossings {
            if explained(x, y) {
                continue;
            }
            if line {
                on += 1;
            } else {
                off += 1;
            }
        }
        (on, off)
    }
}

/// Ring fitting: a line at a station is `RING_LOW` of the ink level along at least two samples (a thin
/// ballpoint line, blurred at 150 dpi, reads about half a pencil line's darkness: the ellipse's shape
/// confirms it); it lies on the ellipse within `RING_TOL` mm; print at least `RING_PRINT` dark where the
/// ellipse crosses a station can hide the line (pencil over an outline does not show).
const RING_LOW: f32 = 0.45;
const RING_TOL: f32 = 0.35;
const RING_PRINT: f32 = 0.3;
/// A ring round the bubble: stations on it at least this many, and this share of those judged.
const RING_ON: usize = 16;
const RING_SHARE: f32 = 0.85;
/// Stations on the ring that no neighbour's mark explains, at least.
const RING_LEFT: usize = 8;
/// How near (mm) a neighbour's ring a crossing may lie and be that neighbour's line.
const RING_EXPLAINS: f32 = 0.4;

/// Whether the ray of one station round box `own` (`ray`, its samples inside out, `at(depth)` their
/// place in mm) runs through ink from `own`'s outline all the way across the gap, from [`JOIN_TOUCH`]
/// past `own` to within it of box `other`: at least `ink` dark, broken by no more than one lighter
/// sample (the printed outlines read as no ink once the print is taken away).
fn bridged(
    ray: &[f32],
    at: impl Fn(usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
    other: &BoxMm,
) -> bool {
    let mut light_run = 0;
    for (d, &v) in ray.iter().enumerate() {
        let (x, y) = at(d);
        if box_distance(own, x, y) <= JOIN_TOUCH {
            continue;
        }
        if box_distance(other, x, y) <= JOIN_TOUCH {
            return true;
        }
        light_run = if v >= ink { 0 } else { light_run + 1 };
        if light_run >= 2 {
            return false;
        }
    }
    false
}

/// How close (mm) to a box a run of ink must come to touch it: its printed outline reads as no ink once
/// the print is taken away, and with the grid step either side that gap is about 0.3 mm.
const JOIN_TOUCH: f32 = 0.4;

/// The offset (mm, along the normal from the station's point) where the ellipse crosses the station's
/// ray; `None` when it does not.
fn ring_cross(s: &Station, cx: f32, cy: f32, rx: f32, ry: f32) -> Option<f32> {
    let (px, py) = ((s.x - cx) / rx, (s.y - cy) / ry);
    let (qx, qy) = (s.nx / rx, s.ny / ry);
    let a = qx * qx + qy * qy;
    let b = 2.0 * (px * qx + py * qy);
    let c = px * px + py * py - 1.0;
    let disc = b * b - 4.0 * a * c;
    (disc >= 0.0).then(|| (-b + disc.sqrt()) / (2.0 * a))
}

/// Fits the ring round box `a` from the residual ink across its stations (`raw`: the darkness before
/// the print was taken away, to see where print may hide a line); `None` when no plausible ellipse fits.
fn ring_round(a: &BoxMm, residual: &[f32], raw: &[f32], ink: f32) -> Option<Ring> {
    let (low, tol) = (RING_LOW * ink, RING_TOL);
    let st = stations(a);
    let offset = |s: &Station, depth: f32| {
        let from = if s.sides.count_ones() == 2 {
            AROUND_IN_CORNER
        } else {
            AROUND_IN
        };
        -from + depth * AROUND_STEP
    };
    // Candidate lines per station: the residual-weighted middle of each run of two samples or more.
    let mut cands: Vec<Vec<f32>> = Vec::with_capacity(st.len());
    let mut with_line = 0;
    for (k, s) in st.iter().enumerate() {
        let row = &residual[k * AROUND_DEPTHS..(k + 1) * AROUND_DEPTHS];
        let mut found = Vec::new();
        let (mut start, mut w, mut wd) = (None, 0.0f32, 0.0f32);
        for d in 0..=AROUND_DEPTHS {
            let v = row.get(d).copied().unwrap_or(0.0);
            if v >= low {
                start.get_or_insert(d);
                w += v;
                wd += v * d as f32;
            } else if let Some(s0) = start.take() {
                if d - s0 >= 2 {
                    found.push(offset(s, wd / w));
                }
                (w, wd) = (0.0, 0.0);
            }
        }
        with_line += !found.is_empty() as usize;
        cands.push(found);
    }
    if with_line < RING_ON {
        return None;
    }
    let (bx, by) = a.centre();
    let (mut cx, mut cy, mut rx, mut ry) = (bx, by, a.w / 2.0 + 0.6, a.h / 2.0 + 0.55);
    for round in 0..4 {
        let keep = if round == 0 { 0.6 } else { tol };
        // Least squares for A x² + B y² + C x + D y = 1 (x, y from the box's centre) over the candidate
        // on each station nearest the current ellipse.
        let mut m = [[0.0f64; 4]; 4];
        let mut v = [0.0f64; 4];
        let mut n = 0;
        for (s, found) in st.iter().zip(&cands) {
            let Some(o) = ring_cross(s, cx, cy, rx, ry) else {
                continue;
            };
            let Some(best) = found
                .iter()
                .copied()
                .min_by(|p, q| (p - o).abs().total_cmp(&(q - o).abs()))
            else {
                continue;
            };
            if (best - o).abs() > keep {
                continue;
            }
            let (x, y) = (
                (s.x + s.nx * best - bx) as f64,
                (s.y + s.ny * best - by) as f64,
            );
            let row = [x * x, y * y, x, y];
            for r in 0..4 {
                for c in 0..4 {
                    m[r][c] += row[r] * row[c];
                }
                v[r] += row[r];
            }
            n += 1;
        }
        if n < 8 {
            return None;
        }
        let [pa, pb, pc, pd] = solve4(m, v)?;
        if pa <= 0.0 || pb <= 0.0 {
            return None;
        }
        let (x0, y0) = (-pc / (2.0 * pa), -pd / (2.0 * pb));
        let g = 1.0 + pa * x0 * x0 + pb * y0 * y0;
        if g <= 0.0 {
            return None;
        }
        (cx, cy) = (bx + x0 as f32, by + y0 as f32);
        (rx, ry) = ((g / pa).sqrt() as f32, (g / pb).sqrt() as f32);
        // Only an ellipse round this bubble: about its centre, neither inside the box nor out round
        // the next one.
        if (cx - bx).abs() > 1.0
            || (cy - by).abs() > 0.8
            || !(a.w / 2.0 - 0.4..=a.w / 2.0 + 2.0).contains(&rx)
            || !(a.h / 2.0 - 0.4..=a.h / 2.0 + 1.8).contains(&ry)
        {
            return None;
        }
    }
    let mut crossings = Vec::with_capacity(st.len());
    let mut sides_on = 0u8;
    let mut sides_on_outline = 0u8;
    for (k, (s, found)) in st.iter().zip(&cands).enumerate() {
        let Some(o) = ring_cross(s, cx, cy, rx, ry) else {
            continue;
        };
        let (x, y) = (s.x + s.nx * o, s.y + s.ny * o);
        if found.iter().any(|&p| (p - o).abs() <= tol) {
            crossings.push((x, y, true));
            if s.sides.count_ones() == 1 {
                sides_on |= s.sides;
            }
            continue;
        }
        let from = if s.sides.count_ones() == 2 {
            AROUND_IN_CORNER
        } else {
            AROUND_IN
        };
        let at = (o + from) / AROUND_STEP;
        if at < 0.0 || at > (AROUND_DEPTHS - 1) as f32 {
            continue;
        }
        let reach = (tol / AROUND_STEP).ceil() as usize;
        let (lo, hi) = (
            (at.round() as usize).saturating_sub(reach),
            (at.round() as usize + reach).min(AROUND_DEPTHS - 1),
        );
        let row = &raw[k * AROUND_DEPTHS..(k + 1) * AROUND_DEPTHS];
        if row[lo..=hi].iter().any(|&d| d.is_nan() || d >= RING_PRINT) {
            if s.sides.count_ones() == 1 && o < RING_OWN_OUTLINE {
                sides_on_outline |= s.sides;
            }
            continue;
        }
        crossings.push((x, y, false));
    }
    Some(Ring {
        cx,
        cy,
        rx,
        ry,
        crossings,
        sides_on,
        sides_on_outline,
    })
}

/// Sides of the box a ring seen along fewer of them (of four) must not be taken on trust along its own
/// outline: a hand's circle closes round the box, so its line crosses the samples off at least three of
/// its sides (one may be left open).
const RING_SIDES: u32 = 3;
/// How far out (mm) from a box's outline a ring's crossing may be hidden by that outline's own print:
/// the print is searched [`RING_TOL`] either side of the crossing, and the outline's stroke is a few
/// tenths of a millimetre wide.
const RING_OWN_OUTLINE: f32 = 0.6;

/// Whether the ring may be a circle drawn round the box: seen along [`RING_SIDES`] of its sides, or, seen
/// along fewer (a loose circle passes beyond the samples or over the next box's print), hidden by the
/// box's own outline along none of the sides it is not seen along. An ellipse fitted through lines seen
/// along two sides that would run on over the box's own outline along the others is lines of other marks
/// pieced together: a line drawn under the box above and the faint edge of a block's frame below, or a
/// filled neighbour's overrun on one side and a line over the top (phone photos, first field check seeds
/// 22 and 23: blanks read as letters).
fn ring_all_round(r: &Ring) -> bool {
    r.sides_on.count_ones() >= RING_SIDES || r.sides_on_outline & !r.sides_on == 0
}

/// Whether the ring is a circle drawn round the bubble: a line on it at most stations it crosses that
/// no neighbour's mark explains, and at `min_on` of them at least.
fn ring_is_circle(r: &Ring, min_on: usize, explained: impl Fn(f32, f32) -> bool) -> bool {
    let (on, off) = r.support(explained);
    on >= min_on && on as f32 >= RING_SHARE * (on + off) as f32
}

/// Solves the 4 × 4 system `m x = v` (Gaussian elimination with partial pivoting); `None` if singular.
fn solve4(mut m: [[f64; 4]; 4], mut v: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|&p, &q| m[p][col].abs().total_cmp(&m[q][col].abs()))?;
        if m[pivot][col].abs() < 1e-9 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        for r in col + 1..4 {
            let f = m[r][col] / m[col][col];
            for c in col..4 {
                m[r][c] -= f * m[col][c];
            }
            v[r] -= f * v[col];
        }
    }
    let mut x = [0.0f64; 4];
    for r in (0..4).rev() {
        let s: f64 = (r + 1..4).map(|c| m[r][c] * x[c]).sum();
        x[r] = (v[r] - s) / m[r][r];
    }
    Some(x)
}

/// What the line round a bubble says.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Around {
    /// A circle drawn round it.
    Circle,
    /// Part of one, or lines a person must see.
    Part,
    /// No line round it beyond its neighbours' own.
    Clear,
}

/// Judges the line round a bubble from the stations with a line and the stations judged: their share
/// when enough of the contour is left to judge (its neighbours' marks hide the rest), else the count of
/// lines of its own (a quarter of the contour is a circle; a few, most of what is left, go to a person);
/// lines through the corners inside the box before either.
fn around_verdict(lined: usize, judged: usize, corners: usize) -> Around {
    let share = lined as f32 / judged.max(1) as f32;
    let enough = judged * 10 >= AROUND_STATIONS * 3;
    let by_share = if enough {
        if share >= CIRCLE_AROUND {
            Around::Circle
        } else if share >= PART_AROUND {
            Around::Part
        } else {
            Around::Clear
        }
    } else if lined * 4 >= AROUND_STATIONS {
        Around::Circle
    } else if lined * 20 >= AROUND_STATIONS * 3 || (lined >= 3 && share >= PART_AROUND) {
        Around::Part
    } else {
        Around::Clear
    };
    // A line through all four corners is a circle drawn round this box, however tight: along the sides
    // it may run over the outline. Through three, most of one.
    match (corners, by_share) {
        (4, _) => Around::Circle,
        (3, Around::Clear) => Around::Part,
        _ => by_share,
    }
}

/// A stroke across the printed letter too faint for any cut inside the box (`letter`: the letter area's
/// excess darkness and its label's deviation, see [`on_letter`]; `lined`: stations round the box with a
/// line of its own, counted only when needed): the letter's area darkened as by a mark on it, whatever the rest of the box holds (an even
/// haze over all of it is ink a person sees too), or by [`LETTER_FAINT`] with a line crossing the
/// outline where the stroke goes on past the box.
fn faint_on_letter(letter: Option<(f32, f32)>, lined: impl FnOnce() -> usize) -> bool {
    letter.is_some_and(|(excess, spread)| {
        excess >= (6.0 * spread).max(ON_LETTER)
            || (excess >= (4.0 * spread).max(LETTER_FAINT) && lined() >= LETTER_CROSSINGS)
    })
}

/// What the ink in and round a bubble is, from its features and the line round it.
/// `floor`: the least mean darkness of strokes and small marks on this sheet (see
/// [`faint_writer::stroke_floor`]).
fn shape_of(
    f: &Features,
    around: Around,
    pencil: f32,
    visible: f32,
    floor: f32,
    print_noise: f32,
) -> MarkShape {
    // The share of the inside a few dark specks cover without being a mark: more on a page cut to black
    // and white (pencil level near 1), where print edges break into black pixels, as far as this
    // page's boxes show such pixels (see [`bilevel`]).
    let speck = bilevel::speck(pencil, print_noise);
    // A fill is darker than the haze an eraser leaves (at most about 0.12 above the paper), however faint
    // this writer's pencil.
    // Every half of it covered too: a half fill pressed hard, blurred out over the middle, can cover 70 %
    // of the box, but leaves one half bare; a scribble with gaps between its strokes covers less of the
    // box, but every half of it.
    if f.cover >= FILL_COVER
        && f.half_min >= FILL_HALVES
        && f.fill >= (0.45 * pencil).max(ERASED_HAZE)
    {
        return MarkShape::Fill;
    }
    if f.cover < 0.3 && around == Around::Circle {
        return MarkShape::Circle;
    }
    if (0.1..0.7).contains(&f.cover)
        && f.half_max < 0.75
        && f.half_min >= 0.04
        && f.ink_mean >= 0.4 * pencil
        && faint_writer::dark_enough(f.ink_mean, f.dark, f.cover, floor)
    {
        // Thin strokes across both halves each way, as dark as this sheet's pencil: a tick or a cross.
        // A half fill leaves one half bare; an erasure's haze is too light.
        return MarkShape::Stroke;
    }
    // A tick or cross drawn in one part of the box (its vertex low, its arms leaving by one side) leaves
    // the other half bare, as half a fill does; but a fill is pressed back and forth until its half is
    // covered whole, while strokes leave paper between them over most of any half (see
    // [`PART_STROKE_HALF`]). Its ink is as dark as this sheet's pencil, past the stroke cut in places,
    // where an eraser's haze is not.
    if (SMALL_COVER..0.7).contains(&f.cover)
        && f.half_max < PART_STROKE_HALF
        && f.dark >= speck
        && f.ink_mean >= 0.4 * pencil
        && faint_writer::dark_enough(f.ink_mean, f.dark, f.cover, floor)
    {
        return MarkShape::Stroke;
    }
    // A small dark mark of its own (a dot, a dash, a small tick, a line under the letter): the ink as
    // dark as this sheet's pencil, too little of the box covered to be half a fill; an eraser's haze is
    // lighter.
    if f.cover < SMALL_COVER
        && around == Around::Clear
        && (((f.dark >= speck || f.cover >= speck)
            && f.ink_mean >= 0.5 * pencil
            && faint_writer::dark_enough(f.ink_mean, f.dark, f.cover, floor))
            || f.on_letter)
    {
        return MarkShape::Small;
    }
    // On a page cut to black and white a label's jagged print alone darkens a bubble by about a speck: a
    // smudge there must darken it by more.
    if f.fill >= visible + speck - if pencil > 0.85 { -0.01 } else { 0.04 }
        || f.dark >= speck
        || around != Around::Clear
    {
        // Ink that is none of these, or most of a circle, or a line round it that the neighbours' marks
        // may hide: a person decides.
        return MarkShape::Smudge;
    }
    MarkShape::None
}

/// Reads every bubble of one sheet: the print taken away, this sheet's pencil level fitted (per region
/// where a region has enough pencil of its own), then each bubble's ink judged as a fill, a stroke, a
/// circle, a smudge or nothing. `screen_photo`: the page is a photo of a screen (see [`super::spectrum`]),
/// where a box read empty that holds a light stroke's or a dot's residue goes to a person (see
/// [`screen`]).
pub(crate) fn classify(
    geom: &SheetGeometry,
    patches: &[Patch],
    screen_photo: bool,
) -> (Vec<BubbleReading>, Levels) {
    let (templates, unmarked) = print_templates(geom, patches, screen_photo);
    let residuals: Vec<Vec<f32>> = patches
        .iter()
        .zip(&templates)
        .map(|(p, (t, mask))| {
            p.d.iter()
                .zip(t)
                .zip(&p.kind)
                .zip(mask)
                .map(|(((d, t), c), m)| {
                    // Inside, the label's small strokes are left out altogether.
                    if *c != Cell::Inner || *m >= PRINT || *t >= PRINT {
                        f32::NAN
                    } else {
                        (d - t).max(0.0)
                    }
                })
                .collect()
        })
        .collect();
    // A page whose boxes' insides are all masked as print (a screen photo's moiré) leaves no sample in
    // the residuals above: there the boxes are measured against the page's own inside level, less the
    // moiré's noise measured on the same page (see [`moire`]).
    let inners: Vec<Vec<bool>> = patches
        .iter()
        .map(|p| p.kind.iter().map(|c| *c == Cell::Inner).collect())
        .collect();
    let is_answer = |i: usize| matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. });
    let blind = moire::masked_share(
        (0..patches.len()).filter(|&i| is_answer(i)).map(|i| {
            (
                templates[i].0.as_slice(),
                templates[i].1.as_slice(),
                inners[i].as_slice(),
            )
        }),
        PRINT,
    ) >= moire::BLIND_SHARE;
    let blind_residuals: Vec<Vec<f32>> = if blind {
        (0..patches.len())
            .map(|i| {
                moire::residuals_on_blind_page(&patches[i].d, &templates[i].0, &inners[i], PRINT)
            })
            .collect()
    } else {
        Vec::new()
    };
    // `lift`: the noise taken away, given back where a darkness is compared as a share of another
    // (an eraser's haze against the writer's fills), which is a share of the whole darkness (no
    // verdict changed with it on the tuning seeds' screen photos nor on the fabricated ones).
    let (residuals, lift) = if blind {
        let smooth: Vec<Vec<f32>> = (0..patches.len())
            .map(|i| moire::smoothed(&blind_residuals[i], patches[i].nx, patches[i].ny))
            .collect();
        let noise = moire::noise_level(
            (0..patches.len())
                .filter(|&i| is_answer(i))
                .map(|i| smooth[i].as_slice()),
        );
        let above = smooth
            .iter()
            .map(|r| moire::above_noise(r, noise))
            .collect();
        (above, noise)
    } else {
        (residuals, 0.0)
    };

    // The sheet's pencil: the typical darkness of the ink samples inside the boxes, over the sheet and
    // per region.
    use std::collections::HashMap;
    let mut candidates: HashMap<(u8, i32), Vec<f32>> = HashMap::new();
    let mut all = Vec::new();
    for ((b, p), r) in geom.bubbles.iter().zip(patches).zip(&residuals) {
        let found = candidates.entry(region(b)).or_default();
        for (c, &v) in p.kind.iter().zip(r) {
            if *c == Cell::Inner && v >= PENCIL_CANDIDATE {
                found.push(v);
                all.push(v);
            }
        }
    }
    let sheet_pencil = if all.len() >= 30 {
        median(&mut all).max(MIN_PENCIL)
    } else {
        // No pencil on the sheet: a typical pencil, so grain and print read as nothing.
        0.5
    };
    // This hand's firm pencil over the answer boxes: a faint writer's strokes are judged against it
    // (see [`faint_writer`]).
    let mut answer_samples: Vec<f32> = candidates
        .iter()
        .filter(|(k, _)| k.0 == 2)
        .flat_map(|(_, v)| v.iter().copied())
        .collect();
    let floor = faint_writer::stroke_floor(faint_writer::firm_pencil(&mut answer_samples));
    let pencil_of: HashMap<(u8, i32), f32> = candidates
        .into_iter()
        .map(|(k, mut v)| {
            let p = if v.len() >= 150 {
                median(&mut v).max(MIN_PENCIL)
            } else {
                sheet_pencil
            };
            (k, p)
        })
        .collect();

    // The print round the bubbles is judged twice: first from every bubble unmarked inside, then leaving
    // out, station by station, the bubbles a pencil line runs past there (their own circle, or a
    // neighbour's reaching over): on a sheet where most answers are circled, those lines would otherwise
    // be taken for print.
    let (first_around, first_print) = around_residuals(geom, patches, &unmarked, None, None);
    // On a blind page the moiré darkens the contour round every box too: a line round a box must be
    // darker than it leaves the contours of the page's boxes in all but a few samples.
    let contour_noise = if blind {
        moire::contour_noise(
            (0..patches.len())
                .filter(|&i| is_answer(i))
                .map(|i| first_around[i].as_slice()),
        )
    } else {
        0.0
    };
    let first_lines: Vec<Vec<bool>> = (0..patches.len())
        .map(|i| {
            let ink = (0.35 * pencil_of[&region(&geom.bubbles[i])])
                .max(0.12)
                .max(contour_noise);
            station_lines(&geom.bubbles[i].area, &first_around[i], ink)
        })
        .collect();
    let (around, _) = around_residuals(
        geom,
        patches,
        &unmarked,
        Some(&first_lines),
        Some(&first_print),
    );
    let feats: Vec<Features> = geom
        .bubbles
        .iter()
        .zip(patches)
        .zip(&residuals)
        .map(|((b, p), r)| features(p, r, pencil_of[&region(b)]))
        .collect();
    let mut feats = feats;
    let letter = on_letter(geom, patches, &unmarked);
    for (f, on) in feats.iter_mut().zip(&letter) {
        // More than twice what the rest of the box gained: not an eraser's haze laid over all of it.
        f.on_letter = on.is_some_and(|(excess, spread)| {
            excess >= (6.0 * spread).max(ON_LETTER) && excess >= 2.0 * f.fill + 0.02
        });
    }
    let mut fills: Vec<f32> = feats.iter().map(|f| f.fill).collect();
    let empty = median(&mut fills);
    let mut dev: Vec<f32> = feats.iter().map(|f| (f.fill - empty).abs()).collect();
    let spread = median(&mut dev);
    let visible = empty + (6.0 * spread).max(0.025);
    // What the print leaves in this page's boxes at the stroke cut, per label (see [`bilevel`]).
    let print_noise = bilevel::print_noise(
        &(0..patches.len())
            .map(|i| {
                (
                    label(&geom.bubbles[i].meaning),
                    patches[i].nx,
                    patches[i].ny,
                )
            })
            .collect::<Vec<_>>(),
        &feats.iter().map(|f| f.dark).collect::<Vec<f32>>(),
    );

    // A line round a bubble, first judged all round it.
    let ink_of = |i: usize| {
        (0.35 * pencil_of[&region(&geom.bubbles[i])])
            .max(0.12)
            .max(contour_noise)
    };
    let raw_around: Vec<(usize, usize, usize)> = (0..patches.len())
        .map(|i| around_share(&geom.bubbles[i].area, &around[i], ink_of(i), |_, _| false))
        .collect();
    // A closed line round a bubble, fitted as one ellipse: a circle drawn round it even where print hides
    // part of the line or neighbours' marks crowd the contour.
    let rings: Vec<Option<Ring>> = (0..patches.len())
        .map(|i| {
            ring_round(
                &geom.bubbles[i].area,
                &around[i],
                &patches[i].around,
                ink_of(i),
            )
        })
        .collect();
    let ringed0: Vec<bool> = rings
        .iter()
        .map(|r| {
            r.as_ref()
                .is_some_and(|r| ring_is_circle(r, RING_ON, |_, _| false) && ring_all_round(r))
        })
        .collect();
    // A ring round a bubble made of the circle round the bubble below and nothing over or under this
    // one (see [`underline::arc_lent_from_below`]): that circle's, not this bubble's.
    let lent: Vec<bool> = (0..patches.len())
        .map(|i| {
            let (Some(r), true) = (&rings[i], ringed0[i]) else {
                return false;
            };
            let a = &geom.bubbles[i].area;
            geom.bubbles.iter().enumerate().any(|(j, o)| {
                let o = &o.area;
                let gap = o.y - (a.y + a.h);
                let below = j != i
                    && o.x < a.x + a.w
                    && o.x + o.w > a.x
                    && (0.0..=AROUND_OUT).contains(&gap);
                below
                    && ringed0[j]
                    && rings[j].as_ref().is_some_and(|rj| {
                        underline::arc_lent_from_below(&r.crossings, r.cy, r.ry, |x, y| {
                            rj.off_by(x, y) <= RING_EXPLAINS
                        })
                    })
            })
        })
        .collect();
    let ringed0: Vec<bool> = ringed0
        .iter()
        .zip(&lent)
        .map(|(&ringed, &lent)| ringed && !lent)
        .collect();
    // The sides each station round a bubble faces, and where its samples begin (mm, along the normal).
    let station_list: Vec<Vec<(u8, f32)>> = geom
        .bubbles
        .iter()
        .map(|b| {
            stations(&b.area)
                .iter()
                .map(|s| {
                    let from = if s.sides.count_ones() == 2 {
                        AROUND_IN_CORNER
                    } else {
                        AROUND_IN
                    };
                    (s.sides, from)
                })
                .collect()
        })
        .collect();
    // Only a straight line over the top of bubble `i` and one under its bottom (see
    // [`underline::two_lines_only`]): the underline of the box above and its own, read as lines, not
    // as a circle (which would hide the gap's underline from the box above too).
    let two_lines = |i: usize| -> bool {
        let st = stations(&geom.bubbles[i].area);
        underline::two_lines_only(
            &around[i],
            AROUND_DEPTHS,
            &station_list[i],
            |k, d| st[k].at(d),
            ink_of(i),
        )
    };
    let mut first: Vec<MarkShape> = (0..patches.len())
        .map(|i| {
            let pencil = pencil_of[&region(&geom.bubbles[i])];
            let (lined, judged, corners) = raw_around[i];
            let mut verdict = if ringed0[i] {
                Around::Circle
            } else {
                around_verdict(lined, judged, corners)
            };
            if verdict == Around::Circle && two_lines(i) {
                verdict = Around::Clear;
            }
            shape_of(&feats[i], verdict, pencil, visible, floor, print_noise[i])
        })
        .collect();
    // A grey band along a row's lower edges (a ruler's shadow, a smeared hand): ink the whole row
    // shares, no mark of one bubble. Every bubble it runs under is a smudge (its neighbours then leave
    // out where it reaches, as round any smudge); a fill on the row still reads, the row goes to a person.
    let banded = smeared_rows(geom, &around, &first, ink_of);
    for (shape, &smeared) in first.iter_mut().zip(&banded) {
        if smeared && *shape != MarkShape::Fill {
            *shape = MarkShape::Smudge;
        }
    }
    // A coffee ring's tide line through an answer box, and no other ink there (see [`tide`]): no mark.
    let tide_lines: Vec<bool> = (0..patches.len())
        .map(|i| {
            let b = &geom.bubbles[i];
            if !matches!(b.meaning, BubbleMeaning::Answer { .. })
                || matches!(first[i], MarkShape::None | MarkShape::Circle)
            {
                return false;
            }
            let (a, p) = (&b.area, &patches[i]);
            let (cx, cy) = a.centre();
            let st = stations(a);
            let (ar, sl) = (&around[i], &station_list[i]);
            let around_at: Vec<(f32, f32, f32, f32)> = st
                .iter()
                .enumerate()
                .flat_map(|(k, s)| {
                    let from = sl[k].1;
                    (0..AROUND_DEPTHS).map(move |d| {
                        let (x, y) = s.at(d);
                        (
                            x - cx,
                            y - cy,
                            d as f32 * AROUND_STEP - from,
                            ar[k * AROUND_DEPTHS + d],
                        )
                    })
                })
                .collect();
            let found = tide::line_in(
                &tide::Box {
                    r: &residuals[i],
                    nx: p.nx,
                    ny: p.ny,
                    w: a.w,
                    h: a.h,
                    around: around_at,
                },
                ink_of(i),
            );
            found.is_some_and(|t| t.is_tide())
        })
        .collect();
    for (shape, &t) in first.iter_mut().zip(&tide_lines) {
        if t {
            *shape = MarkShape::None;
        }
    }
    // This writer's own fills, to tell what an eraser left of one from a fill: in the answer area, and
    // in the id grid and variant row (written apart, often more firmly) when they hold enough fills.
    let answer_area = |i: usize| matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. });
    let fills_where = |answers: bool| -> Vec<f32> {
        (0..patches.len())
            .filter(|&i| first[i] == MarkShape::Fill && answer_area(i) == answers)
            .map(|i| feats[i].fill)
            .collect()
    };
    let levels_answers = erasure::fill_levels(&fills_where(true));
    let levels_rest = erasure::fill_levels(&fills_where(false)).or(levels_answers);
    let levels_of = |i: usize| {
        if answer_area(i) {
            levels_answers
        } else {
            levels_rest
        }
    };
    let writer_of = |i: usize| levels_of(i).map(|l| l.writer);
    let firm_of = |i: usize| levels_of(i).map(|l| l.firm);
    // Then again without the places a marked neighbour's own ink may reach: a circle round the next
    // bubble, a fill's overshoot or a tick's arm is no line round this one. What is left of the contour
    // (its other sides, and the corners a hand-drawn circle cuts inside the box) still shows a circle of
    // its own.
    // How many bubbles share each bubble's bottom line: only there is the print below a box taken away
    // with the median of its own line, exactly enough to tell a line under the letter from print (a
    // variant row of two borrows its print from bubbles printed elsewhere).
    let mut bottom_lines: HashMap<Option<i32>, usize> = HashMap::new();
    for b in &geom.bubbles {
        *bottom_lines.entry(edge_of(&b.area, 2)).or_default() += 1;
    }
    // A line under bubble `i`'s letter (see [`underline`]): `Small` when it is one, `Smudge` when the
    // bubble below may have put it there (a fill spilling up, a circle round it), `None` otherwise.
    // The bubble below claims the gap only where its mark can reach up into it: a line under this box
    // ends, paper again, before that box (an overrun or a stroke from it runs on to it), and a line
    // that goes on down its sides is its circle.
    // The bubbles right below bubble `i`, across a gap narrower than the samples reach, and the gap.
    let below_of = |i: usize| -> Vec<(usize, f32)> {
        let a = &geom.bubbles[i].area;
        geom.bubbles
            .iter()
            .enumerate()
            .filter_map(|(j, o)| {
                let o = &o.area;
                let gap = o.y - (a.y + a.h);
                (j != i && o.x < a.x + a.w && o.x + o.w > a.x && (0.0..=AROUND_OUT).contains(&gap))
                    .then_some((j, gap))
            })
            .collect()
    };
    // A line under bubble `i` as [`underline::under_line`] sees it with every neighbour's mark left in:
    // a straight stroke that ends, paper again, before the box below.
    let line_under_seen = |i: usize, gap_below: Option<f32>| -> bool {
        let st = stations(&geom.bubbles[i].area);
        underline::under_line(
            &around[i],
            (AROUND_DEPTHS, AROUND_STEP),
            &station_list[i],
            |k, d| st[k].at(d),
            ink_of(i),
            gap_below,
            |_, _| false,
        )
    };
    // Whether bubble `j`'s ring is a circle still without what lies above its top, in the gap under
    // the box above: a circle drawn round it runs down its sides and under it too; a ring fitted
    // through a line drawn under the box above, with a neighbour's overrun or a smear along the sides,
    // has little left.
    let ring_without_gap = |j: usize| -> bool {
        let top = geom.bubbles[j].area.y;
        rings[j]
            .as_ref()
            .is_some_and(|r| ring_is_circle(r, RING_LEFT, |_, y| y < top))
    };
    // Whether bubble `j`'s ring, or the lines across its bottom stations, pass under it (see
    // [`underline::ring_passes_under`], [`underline::lined_under`]).
    let ring_under = |j: usize| -> bool {
        rings[j]
            .as_ref()
            .is_some_and(|r| underline::ring_passes_under(&r.crossings, r.cy, r.ry))
    };
    let lines_under = |j: usize| -> bool {
        let st = stations(&geom.bubbles[j].area);
        underline::lined_under(
            &station_list[j],
            &underline::unclaimed_lines(
                &around[j],
                AROUND_DEPTHS,
                |k, d| st[k].at(d),
                ink_of(j),
                |_, _| false,
            ),
        )
    };
    // The line under bubble `i` climbs to the right, and a box on the row below, to its left, holds
    // ink: a check's exit stroke from there may end under it (see [`arm_tip`]).
    let arm_from_below_left = |i: usize| -> bool {
        let a = &geom.bubbles[i].area;
        let st = stations(a);
        arm_tip::climbs_to_the_right(
            &around[i],
            AROUND_DEPTHS,
            &station_list[i],
            |k, d| st[k].at(d),
            ink_of(i),
        ) && (0..geom.bubbles.len()).any(|j| {
            let o = &geom.bubbles[j].area;
            j != i
                && first[j] != MarkShape::None
                && o.y > a.y + a.h
                && o.x + o.w / 2.0 < a.x
                && box_distance(o, a.x, a.y + a.h) < 14.0
        })
    };
    let underline_of = |i: usize| -> Option<MarkShape> {
        let a = &geom.bubbles[i].area;
        let below = below_of(i);
        // The bubble below reaches up into the gap with a fill's overrun or a circle's arc; an
        // underline of its own, the line under this box seen from below, or strokes do not reach
        // there without running on to its box (the line must end before it).
        let reaches_up = |j: usize| match first[j] {
            MarkShape::Fill | MarkShape::Circle => true,
            // Its sides' lines, leaving out where its marked neighbours' own ink may lie: a fill in the
            // next box along the row reaches into the samples off its side, and is no circle round it.
            MarkShape::Smudge => {
                let aj = &geom.bubbles[j].area;
                let (cx, cy) = (aj.x + aj.w / 2.0, aj.y + aj.h / 2.0);
                let near: Vec<(&BoxMm, f32)> = (0..geom.bubbles.len())
                    .filter(|&k| {
                        k != i && k != j && box_distance(&geom.bubbles[k].area, cx, cy) < 8.0
                    })
                    .filter_map(|k| {
                        let reach = match first[k] {
                            MarkShape::None | MarkShape::Smudge => return None,
                            MarkShape::Fill | MarkShape::Small => FILL_REACH,
                            MarkShape::Stroke => STROKE_REACH,
                            MarkShape::Circle => CIRCLE_REACH,
                        };
                        Some((&geom.bubbles[k].area, reach))
                    })
                    .collect();
                let st = stations(aj);
                underline::lined_down_a_side(
                    &station_list[j],
                    &underline::unclaimed_lines(
                        &around[j],
                        AROUND_DEPTHS,
                        |k, d| st[k].at(d),
                        ink_of(j),
                        |x, y| {
                            near.iter()
                                .any(|(o, reach)| box_distance(o, x, y) <= *reach)
                        },
                    ),
                )
            }
            _ => false,
        };
        let claims: Vec<(&BoxMm, f32)> = (0..geom.bubbles.len())
            .filter(|&j| {
                j != i
                    && (!below.iter().any(|&(k, _)| k == j) || reaches_up(j))
                    && box_distance(&geom.bubbles[j].area, a.x + a.w / 2.0, a.y + a.h / 2.0) < 8.0
            })
            .filter_map(|j| {
                let reach = match first[j] {
                    MarkShape::None => return None,
                    MarkShape::Fill | MarkShape::Small => FILL_REACH,
                    MarkShape::Stroke => STROKE_REACH,
                    MarkShape::Circle | MarkShape::Smudge => CIRCLE_REACH,
                };
                Some((&geom.bubbles[j].area, reach))
            })
            .collect();
        let st = stations(a);
        let gap_below = below.iter().map(|&(_, g)| g).reduce(f32::min);
        let lined = underline::under_line(
            &around[i],
            (AROUND_DEPTHS, AROUND_STEP),
            &station_list[i],
            |k, d| st[k].at(d),
            ink_of(i),
            gap_below,
            |x, y| {
                claims
                    .iter()
                    .any(|(o, reach)| box_distance(o, x, y) <= *reach)
            },
        );
        if !lined {
            // The mark below whose ink the gap over it may hold: a circle's arc, a smudge's rings.
            let claims_gap = |j: usize| match first[j] {
                MarkShape::Circle => true,
                MarkShape::Smudge => reaches_up(j),
                _ => false,
            };
            // A line seen under this box, ending before the box below, that the mark read below would
            // claim but does not need: a smudge's, or a circle's that is no circle without it. The
            // line is this box's own, or both marks are that box's: a person decides.
            // Neither when the mark below is a circle drawn round that box, passing under it as well
            // as above it (a smudge that fits as a ring, or a circle whose ring or lines run under
            // it): its line above the box is what is seen under this one.
            let rests_on_line = below.iter().any(|&(j, _)| match first[j] {
                MarkShape::Smudge => reaches_up(j) && !ring_under(j),
                MarkShape::Circle => !ring_without_gap(j) && !ring_under(j) && !lines_under(j),
                _ => false,
            });
            if rests_on_line && line_under_seen(i, gap_below) {
                return Some(MarkShape::Smudge);
            }
            // Two strokes in the gap over a circle (or a smudge's rings) round the box below: its
            // arc and a line drawn under this box (see [`underline::two_strokes_in_gap`]). A person
            // decides.
            if below.iter().any(|&(j, g)| {
                claims_gap(j)
                    && underline::two_strokes_in_gap(
                        &around[i],
                        (AROUND_DEPTHS, AROUND_STEP),
                        &station_list[i],
                        ink_of(i),
                        g,
                    )
            }) {
                return Some(MarkShape::Smudge);
            }
            // Two crests in the gap over a circle round the box below, the upper one against this
            // box, while that circle passes under its own box as one stroke (see
            // [`underline::two_crests_in_gap`]): a line drawn under this box merged with the
            // circle's arc. A person decides.
            if below.iter().any(|&(j, g)| {
                first[j] == MarkShape::Circle
                    && underline::two_crests_in_gap(
                        (&around[i], &station_list[i], ink_of(i)),
                        (&around[j], &station_list[j], ink_of(j)),
                        (AROUND_DEPTHS, AROUND_STEP),
                        g,
                    )
            }) {
                return Some(MarkShape::Smudge);
            }
            // A line seen under this box, in a band twice as wide and as heavy as the stroke of the
            // circle round the box below (see [`underline::gap_holds_two_strokes`]): that circle's top
            // arc and a line drawn under this box, merged. A person decides.
            if line_under_seen(i, gap_below)
                && below.iter().any(|&(j, g)| {
                    first[j] == MarkShape::Circle
                        && underline::gap_holds_two_strokes(
                            (&around[i], &station_list[i]),
                            (&around[j], &station_list[j], ink_of(j)),
                            (AROUND_DEPTHS, AROUND_STEP),
                            g,
                        )
                })
            {
                return Some(MarkShape::Smudge);
            }
            // A line seen under this box several times darker than the stroke of the circle (or a
            // smudge's rings) round the box below (see [`underline::gap_darker_than_ring`]): no arc
            // of that mark, a line of its own. A person decides.
            if line_under_seen(i, gap_below)
                && below.iter().any(|&(j, g)| {
                    claims_gap(j)
                        && underline::gap_darker_than_ring(
                            (&around[i], &station_list[i]),
                            (&around[j], &station_list[j], ink_of(j)),
                            (AROUND_DEPTHS, AROUND_STEP),
                            g,
                        )
                })
            {
                return Some(MarkShape::Smudge);
            }
            // Ink running up from a fill below without a break, but lying against this box all along
            // its bottom: an underline hidden in the fill's overshoot, or an overshoot that reached
            // this box. A person decides.
            let against = below.iter().any(|&(j, g)| {
                first[j] == MarkShape::Fill && g >= underline::TOUCH + underline::OVERSHOOT
            }) && underline::ink_against_bottom(
                &around[i],
                (AROUND_DEPTHS, AROUND_STEP),
                &station_list[i],
                |k, d| st[k].at(d),
                ink_of(i),
                |x, y| {
                    claims.iter().any(|(o, reach)| {
                        !below
                            .iter()
                            .any(|&(j, _)| std::ptr::eq(*o, &geom.bubbles[j].area))
                            && box_distance(o, x, y) <= *reach
                    })
                },
            );
            return against.then_some(MarkShape::Smudge);
        }
        let below_marked = below.iter().any(|&(j, _)| reaches_up(j));
        Some(if below_marked || arm_from_below_left(i) {
            MarkShape::Smudge
        } else {
            MarkShape::Small
        })
    };
    // The filled neighbours of bubble `i` (within the reach of any mark's ink), whose overrun may line
    // the contour round it (see [`beside_fill`]).
    let filled_near = |i: usize| -> Vec<&BoxMm> {
        let (cx, cy) = geom.bubbles[i].area.centre();
        (0..geom.bubbles.len())
            .filter(|&j| {
                j != i
                    && first[j] == MarkShape::Fill
                    && box_distance(&geom.bubbles[j].area, cx, cy) < 8.0
            })
            .map(|j| &geom.bubbles[j].area)
            .collect()
    };
    // Lines round bubble `i` once its filled neighbours' overrun is left out.
    let lines_past_overrun = |i: usize, filled: &[&BoxMm]| -> (usize, usize, usize) {
        let (a, st) = (&geom.bubbles[i].area, stations(&geom.bubbles[i].area));
        let left = beside_fill::without_overrun(
            &around[i],
            AROUND_DEPTHS,
            |k, d| st[k].at(d),
            ink_of(i),
            a,
            filled,
        );
        around_share(a, &left, ink_of(i), |_, _| false)
    };
    // How dark it lies just outside bubble `i`, away from its neighbours' marks (a smudge's ink is not
    // left out: a tint lies over the neighbours too).
    let level_outside = |i: usize| -> Option<f32> {
        let (a, st) = (&geom.bubbles[i].area, stations(&geom.bubbles[i].area));
        let (cx, cy) = a.centre();
        let marks: Vec<(&BoxMm, f32)> = (0..geom.bubbles.len())
            .filter(|&j| j != i && box_distance(&geom.bubbles[j].area, cx, cy) < 8.0)
            .filter_map(|j| {
                let reach = match first[j] {
                    MarkShape::None | MarkShape::Smudge => return None,
                    MarkShape::Fill => beside_fill::OVERRUN_REACH,
                    MarkShape::Small => FILL_REACH,
                    MarkShape::Stroke => STROKE_REACH,
                    MarkShape::Circle => CIRCLE_REACH,
                };
                Some((&geom.bubbles[j].area, reach))
            })
            .collect();
        beside_fill::level_outside(
            &around[i],
            AROUND_DEPTHS,
            |k, d| st[k].at(d),
            a,
            |x, y| {
                marks
                    .iter()
                    .any(|(o, reach)| box_distance(o, x, y) <= *reach)
            },
        )
    };
    // Strokes in bubble `i` joined by an unbroken line across the gap to a neighbour holding more
    // strokes: that neighbour's tick reaching over with its long arm (see [`arms`]). Or to a neighbour
    // below holding strokes, however few: a tick √ is written vertex down, its long arm rising from it,
    // and the arm of a tick whose vertex lies low in its box, or under it, runs further through the box
    // above than the tick does through its own (up to 5 mm of a 5.5 mm tick is the long arm), so the
    // ink's share does not tell whose the line is; a box's own tick does not reach down into the box
    // below that way (its vertex, the lowest of it, stays in or just under its box). A person decides.
    // A neighbour read as doubtful (a tick whose own arms reach into other boxes, too) holds strokes
    // as well.
    let arm_of_neighbour = |i: usize| -> bool {
        let (a, st) = (&geom.bubbles[i].area, stations(&geom.bubbles[i].area));
        let (cx, cy) = a.centre();
        (0..geom.bubbles.len()).any(|j| {
            let o = &geom.bubbles[j].area;
            j != i
                && matches!(
                    first[j],
                    MarkShape::Stroke | MarkShape::Small | MarkShape::Smudge
                )
                && (feats[j].cover > feats[i].cover || o.y > a.y + a.h)
                && box_distance(o, cx, cy) < 8.0
                && arms::line_joins(
                    &around[i],
                    AROUND_DEPTHS,
                    |k, d| st[k].at(d),
                    ink_of(i),
                    a,
                    o,
                )
        })
    };
    // Ink in bubble `i` running on across the gap into a neighbour read as a fill: the fill pressed
    // past its box or shifted half out of it (a felt pen's blot, a fill drawn a row too high) reaching
    // into this box, where its end reads as a small mark or a stroke of this box's own, and as the
    // question's answer when nothing else is marked there. Only where all of this box's ink
    // lies in its half towards the fill's box and within [`SPILL_DEPTH`] of it (a tick or a slash of
    // its own spans the box), and where the ink bridges the gap over a front of [`SPILL_FRONT`] stations
    // (a fill's edge is broad; a tick's arm touching a fill's overrun crosses in one or two). Whose ink it
    // is cannot be told from the line: a person decides.
    let spill_of_fill = |i: usize| -> bool {
        let (a, st) = (&geom.bubbles[i].area, stations(&geom.bubbles[i].area));
        let (cx, cy) = a.centre();
        let (p, r) = (&patches[i], &residuals[i]);
        let (sx, sy) = (a.w / p.nx as f32, a.h / p.ny as f32);
        let inked: Vec<(f32, f32)> = (0..p.nx * p.ny)
            .filter(|&k| p.kind[k] == Cell::Inner && r[k] >= ink_of(i))
            .map(|k| {
                let (gx, gy) = ((k % p.nx) as f32 + 0.5, (k / p.nx) as f32 + 0.5);
                (a.x + sx * gx, a.y + sy * gy)
            })
            .collect();
        !inked.is_empty()
            && (0..geom.bubbles.len()).any(|j| {
                let o = &geom.bubbles[j].area;
                j != i
                    && first[j] == MarkShape::Fill
                    && box_distance(o, cx, cy) < 8.0
                    && inked.iter().all(|&(x, y)| {
                        box_distance(o, x, y) <= SPILL_DEPTH.min(box_distance(o, cx, cy))
                    })
                    && (0..st.len())
                        .filter(|&k| {
                            bridged(
                                &around[i][k * AROUND_DEPTHS..(k + 1) * AROUND_DEPTHS],
                                |d| st[k].at(d),
                                ink_of(i),
                                a,
                                o,
                            )
                        })
                        .count()
                        >= SPILL_FRONT
            })
    };
    // A line passing through bubble `i`, leaving it at two places and running on past the contour
    // at one: a stamp's ring, not a stroke drawn for the box (see [`through`]).
    let line_through = |i: usize| -> bool {
        let (a, st) = (&geom.bubbles[i].area, stations(&geom.bubbles[i].area));
        through::passes_through(&around[i], AROUND_DEPTHS, ink_of(i), |k, d| {
            let (x, y) = st[k].at(d);
            box_distance(a, x, y)
        })
    };
    // Long checks (see [`checks`]): pairs (vertex side, arm side) of boxes joined by a line that
    // enters the arm side from the left or from below on the left, as a check's exit stroke does.
    // Boxes read as a fill or a circle are left out: a fill's overrun and a circle's line reach over
    // to the next box too, and are read by their own rules.
    // A broad pencil's check (a hasty 2B) reads as a fill in the box holding its vertex: its arm is
    // told from a fill's overrun by standing thin in the gap (see [`checks::thin_line_reaches`]), on the
    // same row. Boxes read as a fill that such a thin line reaches from a box on their left holding
    // strokes: a broad arm over the printed letter reads as a fill too (`crossed_fills`).
    let same_row = |a: &BoxMm, o: &BoxMm| o.y < a.y + a.h && o.y + o.h > a.y;
    let mut arm_pairs: Vec<(usize, usize)> = Vec::new();
    let mut crossed_fills: Vec<usize> = Vec::new();
    for i in 0..patches.len() {
        if first[i] == MarkShape::Circle {
            continue;
        }
        let a = &geom.bubbles[i].area;
        let mut st = None;
        for j in 0..patches.len() {
            let o = &geom.bubbles[j].area;
            if j == i || first[j] == MarkShape::Circle || !checks::arm_comes_from(a, o, NEAR) {
                continue;
            }
            let thin_only = first[i] == MarkShape::Fill || first[j] == MarkShape::Fill;
            if thin_only
                && (checks::longarm_off()
                    || !same_row(a, o)
                    || (first[i] == MarkShape::Fill
                        && !matches!(first[j], MarkShape::Stroke | MarkShape::Small)))
            {
                continue;
            }
            let st = st.get_or_insert_with(|| stations(a));
            let at = |k: usize, d: usize| st[k].at(d);
            if !thin_only {
                if checks::line_reaches(&around[i], AROUND_DEPTHS, at, ink_of(i), a, o) {
                    arm_pairs.push((j, i));
                }
            } else if checks::thin_line_reaches(&around[i], AROUND_DEPTHS, at, ink_of(i), a, o) {
                if first[i] == MarkShape::Fill {
                    crossed_fills.push(i);
                } else {
                    arm_pairs.push((j, i));
                }
            }
        }
    }
    // The lowest ink (sheet mm, y down) in bubble `i` and under its bottom outline as far as the
    // contour reaches: the inside samples, and the contour's over the box's width.
    let lowest_ink = |i: usize| -> Option<f32> {
        let (a, p) = (&geom.bubbles[i].area, &patches[i]);
        let sy = a.h / p.ny as f32;
        let ink = ink_of(i);
        let inside = residuals[i]
            .iter()
            .enumerate()
            .filter(|(_, v)| **v >= ink)
            .map(|(k, _)| a.y + sy * ((k / p.nx) as f32 + 0.5));
        let st = stations(a);
        let contour = around[i]
            .iter()
            .enumerate()
            .filter(|(_, v)| **v >= ink)
            .map(|(k, _)| st[k / AROUND_DEPTHS].at(k % AROUND_DEPTHS))
            .filter(|&(x, _)| x >= a.x && x <= a.x + a.w)
            .map(|(_, y)| y);
        inside.chain(contour).reduce(f32::max)
    };
    // The lowest ink just outside bubble `i`'s right side (sheet mm): where a check's arm leaves it.
    let exit_ink = |i: usize| -> Option<f32> {
        let a = &geom.bubbles[i].area;
        let ink = ink_of(i);
        let st = stations(a);
        around[i]
            .iter()
            .enumerate()
            .filter(|(k, v)| **v >= ink && st[k / AROUND_DEPTHS].sides == 1)
            .map(|(k, _)| st[k / AROUND_DEPTHS].at(k % AROUND_DEPTHS))
            .filter(|&(x, _)| x > a.x + a.w)
            .map(|(_, y)| y)
            .reduce(f32::max)
    };
    // Faint strokes no cut reaches (see [`faint`]): looked for in the answer boxes read as nothing so
    // far, except beside a circle or a smudge, whose line runs on into the next box, and on a page cut
    // to black and white (pencil level near 1: no grey strokes there, and print edges break into black
    // pixels a segment finds).
    // On a page whose boxes are all masked as print (a moiré), the faint strokes are looked for in the
    // residuals against the page's own inside level instead (see [`moire`]).
    let faint_input: Vec<&[f32]> = (0..patches.len())
        .map(|i| {
            if blind {
                blind_residuals[i].as_slice()
            } else {
                residuals[i].as_slice()
            }
        })
        .collect();
    let faint_scores: Vec<f32> = (0..patches.len())
        .map(|i| {
            let (p, a) = (&patches[i], &geom.bubbles[i].area);
            let judged = answer_area(i)
                && first[i] == MarkShape::None
                && pencil_of[&region(&geom.bubbles[i])] <= 0.85
                && !(0..patches.len()).any(|j| {
                    matches!(first[j], MarkShape::Circle | MarkShape::Smudge)
                        && j != i
                        && faint::beside(a, &geom.bubbles[j].area, NEAR)
                });
            if judged {
                faint::segment_excess(
                    &faint_input[i],
                    (p.nx, p.ny),
                    (a.w / p.nx as f32, a.h / p.ny as f32),
                )
            } else {
                f32::NAN
            }
        })
        .collect::<Vec<f32>>();
    let mut faint_marks = faint::standing_out(&faint_scores);
    // On a blind page the empty boxes' scores lie in a narrow band of the moiré's own making: a light
    // stroke stands out of it by fewer deviations than of a scanner's grain (see
    // [`moire::FAINT_DEVIATIONS`]).
    if blind {
        for (m, b) in faint_marks
            .iter_mut()
            .zip(moire::faint_standing_out(&faint_scores))
        {
            *m |= b;
        }
    }
    // Graphite dragged into a box out of the fill beside it by the writing hand (see [`smear`]): no
    // mark of that box.
    let smeared_from_fill = |i: usize, dark: f32| -> bool {
        let (b, p) = (&geom.bubbles[i], &patches[i]);
        let inside = smear::Inside {
            r: &residuals[i],
            nx: p.nx,
            ny: p.ny,
            area: &b.area,
        };
        let st = stations(&b.area);
        (0..patches.len()).any(|j| {
            j != i
                && first[j] == MarkShape::Fill
                && smear::dragged_from_fill(
                    &inside,
                    dark,
                    &around[i],
                    AROUND_DEPTHS,
                    |k, d| st[k].at(d),
                    &geom.bubbles[j].area,
                    feats[j].fill,
                )
                && {
                    // A crossed-out fill is no smear's source (see [`smear::struck_through`]).
                    let sj = stations(&geom.bubbles[j].area);
                    !smear::struck_through(
                        &around[j],
                        AROUND_DEPTHS,
                        |k, d| sj[k].at(d),
                        |k| sj[k].sides,
                        &geom.bubbles[j].area,
                        0.5 * pencil_of[&region(&geom.bubbles[j])],
                    )
                }
        })
    };
    // The answer boxes read as nothing so far, where they lie and how dark inside: a tint over one box
    // is judged against them where a lamp left them lighter than the page's level (see [`local_tint`]).
    let centres: Vec<(f32, f32)> = geom.bubbles.iter().map(|b| b.area.centre()).collect();
    let fills_now: Vec<f32> = feats.iter().map(|f| f.fill).collect();
    let empty_now: Vec<bool> = (0..patches.len())
        .map(|i| answer_area(i) && first[i] == MarkShape::None)
        .collect();
    // The answer boxes holding nothing or an even tint only: a stain's, a fold's or a shadow's grey
    // lies over them as over a box beside a fill (see [`beside_fill::tint_shared`]).
    let quiet_now: Vec<bool> = (0..patches.len())
        .map(|i| {
            answer_area(i)
                && (first[i] == MarkShape::None
                    || (first[i] == MarkShape::Smudge
                        && !feats[i].on_letter
                        && beside_fill::even_inside(feats[i].cover, feats[i].dark)))
        })
        .collect();
    type Tint = Option<(f32, Option<f32>, Option<f32>)>;
    let (readings, tints): (Vec<(BubbleReading, bool)>, Vec<Tint>) = (0..patches.len())
        .map(|i| {
            let b = &geom.bubbles[i];
            let pencil = pencil_of[&region(b)];
            // A large circle round a neighbour reaches into this box along the side facing it: a
            // little ink there, and nothing else inside, is the neighbour's.
            let masked;
            let f = match first[i] {
                // A small mark too: the end of a large circle round the next bubble is one.
                MarkShape::Smudge | MarkShape::Stroke | MarkShape::Small => {
                    let circled: Vec<&BoxMm> = geom
                        .bubbles
                        .iter()
                        .enumerate()
                        .filter(|&(j, o)| {
                            j != i
                                && first[j] == MarkShape::Circle
                                && box_distance(
                                    &o.area,
                                    b.area.x + b.area.w / 2.0,
                                    b.area.y + b.area.h / 2.0,
                                ) < 8.0
                        })
                        .map(|(_, o)| &o.area)
                        .collect();
                    if circled.is_empty() {
                        &feats[i]
                    } else {
                        let p = &patches[i];
                        let (sx, sy) = (b.area.w / p.nx as f32, b.area.h / p.ny as f32);
                        let r: Vec<f32> = residuals[i]
                            .iter()
                            .enumerate()
                            .map(|(k, &v)| {
                                let x = b.area.x + sx * ((k % p.nx) as f32 + 0.5);
                                let y = b.area.y + sy * ((k / p.nx) as f32 + 0.5);
                                if circled.iter().any(|o| box_distance(o, x, y) <= CIRCLE_INTO) {
                                    f32::NAN
                                } else {
                                    v
                                }
                            })
                            .collect();
                        masked = Features {
                            on_letter: feats[i].on_letter,
                            ..features(p, &r, pencil)
                        };
                        &masked
                    }
                }
                _ => &feats[i],
            };
            let (mut lined, mut judged, mut corners) = raw_around[i];
            let a = &b.area;
            let claims_of = || -> Vec<(&BoxMm, f32)> {
                geom.bubbles
                    .iter()
                    .enumerate()
                    .filter(|&(j, o)| {
                        j != i && box_distance(&o.area, a.x + a.w / 2.0, a.y + a.h / 2.0) < 8.0
                    })
                    .filter_map(|(j, o)| {
                        let reach = match first[j] {
                            MarkShape::None => return None,
                            MarkShape::Fill | MarkShape::Small => FILL_REACH,
                            MarkShape::Stroke => STROKE_REACH,
                            MarkShape::Circle | MarkShape::Smudge => CIRCLE_REACH,
                        };
                        Some((&o.area, reach))
                    })
                    .collect()
            };
            // Lines left that do not run on into a marked neighbour's box (a fill's overrun does).
            let mut own_lined = usize::MAX;
            if lined * 5 >= judged {
                let claims = claims_of();
                if !claims.is_empty() {
                    let claimed = |x: f32, y: f32| {
                        claims
                            .iter()
                            .any(|(o, reach)| box_distance(o, x, y) <= *reach)
                    };
                    (lined, judged, corners) = around_share(a, &around[i], ink_of(i), claimed);
                    let (st, boxes) = (stations(a), claims.iter().map(|c| c.0).collect::<Vec<_>>());
                    let own = without_joined_ink(
                        &around[i],
                        AROUND_DEPTHS,
                        |k, d| st[k].at(d),
                        ink_of(i),
                        &boxes,
                    );
                    own_lined = around_share(a, &own, ink_of(i), claimed).0;
                }
            }
            let raw = raw_around[i];
            let mut verdict = around_verdict(lined, judged, corners);
            // Lined all round only by ink run on from the marked neighbours' boxes: a person decides.
            if verdict == Around::Circle && own_lined < OWN_LINE_LEFT {
                verdict = Around::Part;
            }
            // Where the neighbours' marks hide too much of the contour to judge, a line round this bubble
            // seen before they were left out may be its own circle: a person decides.
            if verdict == Around::Clear
                && judged * 20 < AROUND_STATIONS * 3
                && around_verdict(raw.0, raw.1, raw.2) == Around::Circle
            {
                verdict = Around::Part;
            }
            // A circle seen all round, of which what the neighbours leave is lined all along: its own.
            if verdict == Around::Part
                && around_verdict(raw.0, raw.1, raw.2) == Around::Circle
                && lined.min(own_lined) >= OWN_LINE_LEFT
                && lined * 10 >= judged * 9
            {
                verdict = Around::Circle;
            }
            // Every line round it a filled neighbour's overrun, short of its own outline: no line of its
            // own (a single line left may be a tick's arm from the next row: a person decides).
            if verdict != Around::Clear {
                let filled = filled_near(i);
                if !filled.is_empty() {
                    let (left, judged, corners) = lines_past_overrun(i, &filled);
                    if left == 0 {
                        verdict = Around::Clear;
                    } else if verdict == Around::Circle
                        && around_verdict(left, judged, corners) != Around::Circle
                    {
                        // Lined all round only with the filled neighbours' overrun: what is left (a
                        // line above from the next row's underline, a tick's arm) is no circle of its
                        // own. A person decides.
                        verdict = Around::Part;
                    }
                }
            }
            // The ring again, leaving out where a marked neighbour's own ink runs: on a neighbour's own
            // ring, or round its fill or strokes.
            if ringed0[i] {
                let a = &b.area;
                let ring = rings[i].as_ref().expect("ringed");
                let near: Vec<usize> = (0..patches.len())
                    .filter(|&j| {
                        j != i
                            && first[j] != MarkShape::None
                            && box_distance(&geom.bubbles[j].area, a.x + a.w / 2.0, a.y + a.h / 2.0)
                                < 8.0
                    })
                    .collect();
                let explained = |x: f32, y: f32| {
                    near.iter().any(|&j| {
                        let o = &geom.bubbles[j].area;
                        match (first[j], &rings[j]) {
                            (MarkShape::Circle, Some(r)) if ringed0[j] => {
                                r.off_by(x, y) <= RING_EXPLAINS
                            }
                            (MarkShape::Circle | MarkShape::Smudge, _) => {
                                box_distance(o, x, y) <= CIRCLE_REACH
                            }
                            _ => box_distance(o, x, y) <= STROKE_REACH,
                        }
                    })
                };
                if ring_is_circle(ring, RING_LEFT, explained) {
                    verdict = Around::Circle;
                }
            }
            if verdict == Around::Circle && two_lines(i) {
                verdict = Around::Clear;
            }
            let mut shape = shape_of(f, verdict, pencil, visible, floor, print_noise[i]);
            // Strokes only this sheet's light pencil lets through (see [`faint_writer`]).
            let light_only = floor < faint_writer::HAZE_CEILING
                && matches!(shape, MarkShape::Stroke | MarkShape::Small)
                && !matches!(
                    shape_of(
                        f,
                        verdict,
                        pencil,
                        visible,
                        faint_writer::HAZE_CEILING,
                        print_noise[i]
                    ),
                    MarkShape::Stroke | MarkShape::Small
                );
            // Read as a fill, strokes or a circle, but an even haze a fraction as dark as this writer's
            // fills: what an eraser left. Or read as a fill by a writer whose fills are mostly light, as
            // light as a rubbed-out firm one and smeared out past the outline: what an eraser left too.
            // A person decides.
            let rubbed = matches!(
                shape,
                MarkShape::Fill | MarkShape::Stroke | MarkShape::Circle
            ) && erasure::rubbed_out(
                &residuals[i].iter().map(|v| v + lift).collect::<Vec<f32>>(),
                f.fill + lift,
                visible + lift / 2.0,
                writer_of(i).unwrap_or(pencil) + lift,
            );
            let smeared = shape == MarkShape::Fill
                && erasure::smeared_light(
                    f.fill + lift,
                    visible + lift / 2.0,
                    firm_of(i).unwrap_or(pencil) + lift,
                    erasure::haze_past_outline(
                        &around[i],
                        AROUND_DEPTHS,
                        |k, d| d as f32 * AROUND_STEP - station_list[i][k].1,
                        f.fill,
                    ),
                );
            if rubbed || smeared {
                shape = MarkShape::Smudge;
            }
            // Rings of grey round a box evenly hazed inside: a thumb's smear more likely than a circle
            // (see [`HAZE_INSIDE`]). A person decides.
            if shape == MarkShape::Circle && f.dark == 0.0 && f.fill >= HAZE_INSIDE {
                shape = MarkShape::Smudge;
            }
            // Ink too light and even for a mark, no line round it: a tint, if it lies round the box
            // too and the question holds a firm fill (see below).
            let even = shape == MarkShape::Smudge
                && verdict == Around::Clear
                && !f.on_letter
                && beside_fill::even_inside(f.cover, f.dark);
            if matches!(shape, MarkShape::None | MarkShape::Smudge)
                && f.cover < SMALL_COVER
                && verdict != Around::Circle
                && bottom_lines[&edge_of(&b.area, 2)] >= SAME_EDGE_MEMBERS
            {
                // A line under the letter, low in the box or just below it: a small mark of its own
                // unless a marked neighbour's ink may be what lies there.
                if let Some(under) = underline_of(i) {
                    shape = under;
                }
            }
            if matches!(shape, MarkShape::Stroke | MarkShape::Small)
                && (arm_of_neighbour(i) || spill_of_fill(i) || line_through(i))
            {
                shape = MarkShape::Smudge;
            }
            // A check's exit stroke entering from the left: its vertex, and the mark, lie in the box
            // it comes from (see [`checks`]). A person decides, unless the check is read below.
            if matches!(shape, MarkShape::Stroke | MarkShape::Small)
                && arm_pairs.iter().any(|&(_, k)| k == i)
            {
                shape = MarkShape::Smudge;
            }
            // The arm's line along the box's top or bottom, and the outline's, read as a ring round a
            // box first read as no circle; a broad arm across the printed letter read as a fill: a
            // person decides.
            if !checks::longarm_off()
                && ((shape == MarkShape::Circle
                    && first[i] != MarkShape::Circle
                    && arm_pairs.iter().any(|&(_, k)| k == i))
                    || (shape == MarkShape::Fill && crossed_fills.contains(&i)))
            {
                shape = MarkShape::Smudge;
            }
            // The box a check's arm leaves to the right holds its vertex: never read empty (on a 1-bit
            // page the thin arm may read as nothing in the box it crosses too, and the dip hide under
            // the printed letter: the line between the boxes is what is left to see).
            if shape == MarkShape::None && arm_pairs.iter().any(|&(v, _)| v == i) {
                shape = MarkShape::Smudge;
            }
            // A faint stroke of its own: visible ink, a person decides. Across the letter too, where
            // the print hides it from the samples (not on a page cut to black and white, whose jagged
            // print moves the letter's area by about as much).
            // The stroke's own crossings only: a marked neighbour's ink (a fill's overrun, a circle)
            // lines the contour too.
            let own_crossings = || {
                let claims = claims_of();
                let unclaimed = around_share(a, &around[i], ink_of(i), |x, y| {
                    claims
                        .iter()
                        .any(|(o, reach)| box_distance(o, x, y) <= *reach)
                })
                .0;
                let filled = filled_near(i);
                if filled.is_empty() {
                    unclaimed
                } else {
                    unclaimed.min(lines_past_overrun(i, &filled).0)
                }
            };
            if shape == MarkShape::None
                && (faint_marks[i]
                    || answer_area(i)
                        && pencil <= 0.85
                        && faint_on_letter(letter[i], own_crossings))
            {
                shape = MarkShape::Smudge;
            }
            // An even tint over this box that the empty boxes round it, lighter than the page's, do
            // not share: a highlighter's dye, visible ink (see [`local_tint`]). A person decides. Not on
            // a page cut to black and white (pencil level near 1): no tint is left there, a box's
            // darkness is a share of black pixels.
            if shape == MarkShape::None
                && answer_area(i)
                && pencil <= 0.85
                && f.fill >= local_tint::STANDS_OUT
                && local_tint::level_round(i, &centres, &fills_now, &empty_now)
                    .is_some_and(|round| local_tint::stands_out(f.fill, round, empty))
            {
                shape = MarkShape::Smudge;
            }
            // A ring the moiré alone may have drawn round an empty box: a person decides.
            if blind
                && shape == MarkShape::Circle
                && moire::moire_ring(raw_around[i].0, raw_around[i].1, f.fill)
            {
                shape = MarkShape::Smudge;
            }
            if banded[i] && shape != MarkShape::Fill {
                shape = MarkShape::Smudge;
            }
            // A tide line and nothing else: no mark, unless a line runs round the box or ink lies on
            // the letter, where the print hides it from the samples the line was judged on.
            if tide_lines[i] && verdict != Around::Circle && !f.on_letter {
                shape = MarkShape::None;
            }
            // Not where ink lies on the printed letter: the print hides it from the samples the
            // smear is judged on (a dot made on the letter under the smear).
            let dragged = shape == MarkShape::Smudge
                && verdict != Around::Circle
                && !banded[i]
                && !f.on_letter
                && smeared_from_fill(i, f.dark);
            if dragged {
                shape = MarkShape::None;
            }
            let share = lined as f32 / judged.max(1) as f32;
            let state = match shape {
                MarkShape::None => BubbleState::Empty,
                MarkShape::Smudge | MarkShape::Small => BubbleState::Doubtful,
                _ => BubbleState::Filled,
            };
            let tint = (even && shape == MarkShape::Smudge && !banded[i]).then(|| {
                // The level the quiet boxes share round it, or along its row or column.
                let round = [
                    local_tint::level_round(i, &centres, &fills_now, &quiet_now),
                    beside_fill::level_along(i, &centres, &fills_now, &quiet_now),
                ]
                .into_iter()
                .flatten()
                .reduce(f32::max);
                (f.fill, level_outside(i), round)
            });
            let reading = BubbleReading {
                darkness: f.fill,
                cover: f.cover,
                around: share,
                shape,
                state,
            };
            (
                (
                    reading,
                    light_only && matches!(shape, MarkShape::Stroke | MarkShape::Small),
                ),
                tint,
            )
        })
        .unzip();
    let (readings, light_only): (Vec<BubbleReading>, Vec<bool>) = readings.into_iter().unzip();
    let readings = tints_beside_fills_read_empty(geom, readings, &tints);
    let readings = small_marks_alone_read(geom, readings);
    // A box first read as a smudge (a haze, a thumb print) or a fill holds no line the pen turned in.
    let turnless: Vec<bool> = first
        .iter()
        .map(|s| matches!(s, MarkShape::Smudge | MarkShape::Fill))
        .collect();
    let readings = checks_alone_read(geom, readings, &arm_pairs, &turnless, lowest_ink, exit_ink);
    let mut readings = light_strokes_alone(geom, readings, &light_only);
    // On a photo of a screen the moiré hides light strokes and dots on the letter from the cuts made
    // for a scanner's grain: a box read empty that holds what one leaves goes to a person (see
    // [`screen`]).
    if screen_photo {
        let labels: Vec<String> = geom.bubbles.iter().map(|b| label(&b.meaning)).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let strokes = if blind {
            screen::strokes_by_label(&faint_scores, &labels)
        } else {
            vec![false; patches.len()]
        };
        let own: Vec<f32> = (0..patches.len())
            .map(|i| {
                screen::middle_over_paper(
                    patches[i].centre,
                    &patches[i].d,
                    &templates[i].0,
                    &inners[i],
                )
            })
            .collect();
        let counted: Vec<bool> = (0..patches.len())
            .map(|i| unmarked[i] && answer_area(i))
            .collect();
        let own_dev = screen::deviations_by_label(&own, &labels, &counted);
        let centres: Vec<f32> = patches.iter().map(|p| p.centre).collect();
        let at: Vec<(f32, f32)> = geom
            .bubbles
            .iter()
            .map(|b| (b.area.x + b.area.w / 2.0, b.area.y + b.area.h / 2.0))
            .collect();
        let near_dev = screen::deviations_from_nearest(&centres, &labels, &at, &counted);
        let edges: Vec<f32> = (0..patches.len())
            .map(|i| screen::letter_edge_excess(&patches[i].d, &templates[i].0, &inners[i]))
            .collect();
        let edge_page = screen::deviations_by_label(&edges, &labels, &counted);
        let edge_near = screen::deviations_from_nearest(&edges, &labels, &at, &counted);
        for i in 0..readings.len() {
            let on_page = letter[i].map_or(f32::NAN, |(excess, spread)| excess / spread.max(1e-6));
            let r = &mut readings[i];
            if answer_area(i)
                && r.state == BubbleState::Empty
                && (strokes[i]
                    || screen::dot_on_letter(on_page, own_dev[i])
                    || screen::darker_than_near(on_page, near_dev[i])
                    || screen::edges_inked(edge_page[i], edge_near[i]))
            {
                r.shape = MarkShape::Smudge;
                r.state = BubbleState::Doubtful;
            }
        }
    }
    let mut filled: Vec<f32> = readings
        .iter()
        .filter(|r| r.shape == MarkShape::Fill)
        .map(|r| r.darkness)
        .collect();
    let levels = Levels {
        empty,
        filled: (!filled.is_empty()).then(|| median(&mut filled)),
        pencil: sheet_pencil,
        visible,
    };
    (readings, levels)
}

/// What a group of bubbles (a question, the variant row) was read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceReading {
    /// The options read as clearly filled, in printed order ("" = none).
    pub letters: String,
    /// A person must look: a doubtful mark, or two marks where one is allowed.
    pub doubtful: bool,
    /// The most likely answer: `letters` when not doubtful, else the reader's best guess.
    pub best: String,
}

/// One question's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerReading {
    pub question: u32,
    pub kind: ChoiceKind,
    #[serde(flatten)]
    pub reading: ChoiceReading,
}

/// One 准考证号 column's reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDigitReading {
    pub column: u32,
    /// The digit read when exactly one is clearly filled.
    pub digit: Option<u8>,
    /// No mark, two marks or a doubtful one.
    pub doubtful: bool,
    /// The darkest mark in the column, if any bubble in it is not empty.
    pub best: Option<u8>,
}

/// Bubbles of one group: option label, darkness, state.
type Group<'a> = Vec<(&'a str, f32, BubbleState)>;

/// Reads a group where one mark is allowed (single choice, judge, variant row, an id column); the best
/// guess at a doubtful group is its darkest mark.
fn read_one(group: &Group) -> ChoiceReading {
    let filled: Vec<&(&str, f32, BubbleState)> = group
        .iter()
        .filter(|b| b.2 == BubbleState::Filled)
        .collect();
    let doubtful = group.iter().any(|b| b.2 == BubbleState::Doubtful) || filled.len() > 1;
    let letters: String = filled.iter().map(|b| b.0).collect();
    let best = if doubtful {
        group
            .iter()
            .filter(|b| b.2 != BubbleState::Empty)
            // A clear mark (a fill, a tick) before a smudge, then the darker.
            .max_by(|a, b| {
                (a.2 == BubbleState::Filled)
                    .cmp(&(b.2 == BubbleState::Filled))
                    .then(a.1.total_cmp(&b.1))
            })
            .map(|b| b.0.to_string())
            .unwrap_or_default()
    } else {
        letters.clone()
    };
    ChoiceReading {
        letters,
        doubtful,
        best,
    }
}

/// Reads a multiple-choice group: any number of marks; any doubtful one makes the question doubtful.
fn read_many(group: &Group, levels: &Levels) -> ChoiceReading {
    let letters: String = group
        .iter()
        .filter(|b| b.2 == BubbleState::Filled)
        .map(|b| b.0)
        .collect();
    let doubtful = group.iter().any(|b| b.2 == BubbleState::Doubtful);
    let best = if doubtful {
        group
            .iter()
            .filter(|b| b.2 == BubbleState::Filled || b.1 >= 0.35 * levels.pencil)
            .map(|b| b.0)
            .collect()
    } else {
        letters.clone()
    };
    ChoiceReading {
        letters,
        doubtful,
        best,
    }
}

/// Everything the bubbles say, grouped.
pub(crate) struct Interpretation {
    pub answers: Vec<AnswerReading>,
    pub id: Vec<IdDigitReading>,
    pub variant: Option<ChoiceReading>,
}

pub(crate) fn interpret(
    geom: &SheetGeometry,
    readings: &[BubbleReading],
    levels: &Levels,
) -> Interpretation {
    let answers = geom
        .questions
        .iter()
        .map(|q| {
            let group: Group = geom
                .bubbles
                .iter()
                .zip(readings)
                .filter_map(|(b, r)| match &b.meaning {
                    BubbleMeaning::Answer { question, option } if *question == q.number => {
                        Some((option.as_str(), r.darkness, r.state))
                    }
                    _ => None,
                })
                .collect();
            let reading = match q.kind {
                ChoiceKind::Multiple => read_many(&group, levels),
                ChoiceKind::Single | ChoiceKind::Judge => read_one(&group),
            };
            AnswerReading {
                question: q.number,
                kind: q.kind,
                reading,
            }
        })
        .collect();

    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut id: Vec<IdDigitReading> = (0..geom.id_columns() as u32)
        .map(|column| {
            let group: Group = geom
                .bubbles
                .iter()
                .zip(readings)
                .filter_map(|(b, r)| match b.meaning {
                    BubbleMeaning::IdDigit { column: c, digit } if c == column && digit < 10 => {
                        Some((DIGITS[digit as usize], r.darkness, r.state))
                    }
                    _ => None,
                })
                .collect();
            let r = read_one(&group);
            let blank = group.iter().all(|b| b.2 == BubbleState::Empty);
            IdDigitReading {
                column,
                digit: if r.doubtful || blank {
                    None
                } else {
                    r.letters.parse().ok()
                },
                // A column with no mark is doubtful too: the student skipped a digit.
                doubtful: r.doubtful || blank,
                best: r.best.parse().ok(),
            }
        })
        .collect();
    // Ids shorter than the grid leave its last columns blank; only those are not doubtful, and a grid
    // left blank altogether (a personalised sheet) reads as no id at all.
    for d in id.iter_mut().rev() {
        let blank = d.digit.is_none() && d.best.is_none();
        if !blank {
            break;
        }
        d.doubtful = false;
    }

    let variant_group: Group = geom
        .bubbles
        .iter()
        .zip(readings)
        .filter_map(|(b, r)| match &b.meaning {
            BubbleMeaning::Variant { letter } => Some((letter.as_str(), r.darkness, r.state)),
            _ => None,
        })
        .collect();
    let variant = (!variant_group.is_empty()).then(|| read_one(&variant_group));
    Interpretation {
        answers,
        id,
        variant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group<'a>(v: &[(&'a str, BubbleState)]) -> Group<'a> {
        v.iter()
            .map(|&(l, s)| {
                let d = match s {
                    BubbleState::Empty => 0.05,
                    BubbleState::Doubtful => 0.3,
                    BubbleState::Filled => 0.6,
                };
                (l, d, s)
            })
            .collect()
    }

    #[test]
    fn stations_ring_the_box_evenly_and_cut_its_corners() {
        let a = BoxMm {
            x: 10.0,
            y: 20.0,
            w: 5.0,
            h: 3.2,
        };
        let st = stations(&a);
        assert_eq!(st.len(), AROUND_STATIONS);
        let mut seen = std::collections::BTreeSet::new();
        for s in &st {
            seen.insert(s.sides);
            assert!((s.nx * s.nx + s.ny * s.ny - 1.0).abs() < 1e-4, "{s:?}");
            // On the box's edge, or inside it where a corner is cut: never outside.
            assert!(box_distance(&a, s.x, s.y) < 1e-4, "{s:?}");
            // The normal points out: a step along it moves away from the centre.
            let (cx, cy) = a.centre();
            let (ox, oy) = (s.x + 0.1 * s.nx, s.y + 0.1 * s.ny);
            assert!(
                (ox - cx).hypot(oy - cy) > (s.x - cx).hypot(s.y - cy),
                "{s:?}"
            );
        }
        // Every side and every corner between two sides.
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 6, 8, 9, 12]
        );
        // Stations follow one another round the box at about the same spacing.
        let gaps: Vec<f32> = (0..st.len())
            .map(|k| {
                let (p, q) = (st[k], st[(k + 1) % st.len()]);
                (p.x - q.x).hypot(p.y - q.y)
            })
            .collect();
        let (lo, hi) = gaps
            .iter()
            .fold((f32::MAX, 0.0f32), |(l, h), &g| (l.min(g), h.max(g)));
        assert!(lo > 0.3 && hi < 0.45, "{gaps:?}");
        // The first and last samples across the contour reach inside the box and well beyond it.
        let top = st[2];
        assert!((top.at(0).1 - (a.y + AROUND_IN)).abs() < 1e-4);
        assert!(top.at(AROUND_DEPTHS - 1).1 < a.y - 1.4);
    }

    #[test]
    fn a_line_round_most_of_what_is_left_to_judge_is_a_circle() {
        let n = AROUND_STATIONS;
        // All round it, or most of it.
        assert_eq!(around_verdict(n, n, 0), Around::Circle);
        assert_eq!(around_verdict(n * 6 / 10, n, 0), Around::Circle);
        // Half of it: an open circle, or a neighbour's circle and a fill's overshoot on two sides.
        assert_eq!(around_verdict(n / 2, n, 0), Around::Part);
        // A neighbour's circle on one side, a tick's arms.
        assert_eq!(around_verdict(n / 4, n, 0), Around::Clear);
        assert_eq!(around_verdict(0, n, 0), Around::Clear);
        // Marked neighbours hide most of the contour: what is left decides, by how much of it is lined.
        assert_eq!(around_verdict(n / 4, n / 4, 0), Around::Circle);
        assert_eq!(around_verdict(5, 6, 0), Around::Part);
        assert_eq!(around_verdict(1, 6, 0), Around::Clear);
        assert_eq!(around_verdict(0, 0, 0), Around::Clear);
        // Lines through every corner inside the box: a circle drawn tight, over the outline elsewhere.
        assert_eq!(around_verdict(12, n, 4), Around::Circle);
        assert_eq!(around_verdict(9, n, 3), Around::Part);
    }

    /// Residuals across the stations round `a` with a pencil line wherever `line(x, y)` says, at
    /// darkness 0.5, two samples wide on either side of the ellipse (centre, radii).
    fn drawn_ring(a: &BoxMm, e: (f32, f32, f32, f32), line: impl Fn(f32, f32) -> bool) -> Vec<f32> {
        let mut r = vec![0.0f32; AROUND_STATIONS * AROUND_DEPTHS];
        for (k, s) in stations(a).iter().enumerate() {
            let Some(o) = ring_cross(s, e.0, e.1, e.2, e.3) else {
                continue;
            };
            for depth in 0..AROUND_DEPTHS {
                let (x, y) = s.at(depth);
                let (ox, oy) = (s.x + s.nx * o, s.y + s.ny * o);
                if (x - ox).hypot(y - oy) <= 0.17 && line(x, y) {
                    r[k * AROUND_DEPTHS + depth] = 0.5;
                }
            }
        }
        r
    }

    /// Residual ink round box `a` where straight horizontal lines (`(y, from x, to x)`, mm) 0.5 mm
    /// broad cross its stations.
    fn drawn_lines(a: &BoxMm, lines: &[(f32, f32, f32)]) -> Vec<f32> {
        let mut r = vec![0.0f32; AROUND_STATIONS * AROUND_DEPTHS];
        for (k, s) in stations(a).iter().enumerate() {
            for depth in 0..AROUND_DEPTHS {
                let (x, y) = s.at(depth);
                if lines
                    .iter()
                    .any(|&(ly, x0, x1)| (y - ly).abs() <= 0.25 && (x0..=x1).contains(&x))
                {
                    r[k * AROUND_DEPTHS + depth] = 0.5;
                }
            }
        }
        r
    }

    fn only_two_lines(a: &BoxMm, r: &[f32]) -> bool {
        let st = stations(a);
        let sides: Vec<(u8, f32)> = st.iter().map(|s| (s.sides, 0.0)).collect();
        underline::two_lines_only(r, AROUND_DEPTHS, &sides, |k, d| st[k].at(d), 0.2)
    }

    #[test]
    fn a_line_over_the_top_and_one_under_the_bottom_are_no_circle() {
        // The same letter underlined on three rows: the middle box has the underline of the row above
        // 1.0 mm over its top and its own 0.4 mm under its bottom, both running on 0.5 mm past its
        // sides. Station by station that lines the contour as a circle does (top, bottom and the
        // corners); it is two lines.
        let a = BoxMm {
            x: 10.0,
            y: 20.0,
            w: 5.0,
            h: 3.2,
        };
        let (x0, x1) = (a.x - 0.5, a.x + a.w + 0.5);
        let lines = drawn_lines(&a, &[(a.y - 1.0, x0, x1), (a.y + a.h + 0.4, x0 + 0.3, x1)]);
        let (lined, judged, corners) = around_share(&a, &lines, 0.2, |_, _| false);
        assert_eq!(
            around_verdict(lined, judged, corners),
            Around::Circle,
            "{lined} of {judged}, {corners} corners"
        );
        assert!(only_two_lines(&a, &lines));
        // Drawn a little aslant, as a hand draws: still two lines.
        let mut aslant = vec![0.0f32; AROUND_STATIONS * AROUND_DEPTHS];
        for (k, s) in stations(&a).iter().enumerate() {
            for depth in 0..AROUND_DEPTHS {
                let (x, y) = s.at(depth);
                let tilt = 0.05 * (x - a.x - a.w / 2.0);
                let on = |ly: f32| (y - ly - tilt).abs() <= 0.25 && (x0..=x1).contains(&x);
                if on(a.y - 1.0) || on(a.y + a.h + 0.4) {
                    aslant[k * AROUND_DEPTHS + depth] = 0.5;
                }
            }
        }
        assert!(only_two_lines(&a, &aslant));
        // Only one of them: nothing to say (the other rules judge it).
        assert!(!only_two_lines(
            &a,
            &drawn_lines(&a, &[(a.y - 1.0, x0, x1)])
        ));
        // A circle drawn round the box, tight or loose, with or without the underline of the row
        // above over it: more than two lines.
        let (cx, cy) = a.centre();
        for (rx, ry) in [
            (a.w / 2.0 + 0.3, a.h / 2.0 + 0.3),
            (a.w / 2.0 + 1.0, a.h / 2.0 + 0.8),
        ] {
            let ring = drawn_ring(&a, (cx, cy, rx, ry), |_, _| true);
            assert!(!only_two_lines(&a, &ring), "{rx} {ry}");
            let above = drawn_lines(&a, &[(a.y - 1.0, x0, x1)]);
            let both: Vec<f32> = ring.iter().zip(&above).map(|(p, q)| p.max(*q)).collect();
            assert!(!only_two_lines(&a, &both), "{rx} {ry}");
        }
    }

    #[test]
    fn a_closed_line_round_the_box_is_fitted_as_one_ring() {
        let a = BoxMm {
            x: 10.0,
            y: 20.0,
            w: 5.0,
            h: 3.2,
        };
        let (cx, cy) = a.centre();
        // Off-centre and large, as a hand draws it: found, its centre and radii within a tenth of a mm.
        let e = (cx + 0.4, cy - 0.2, a.w / 2.0 + 1.0, a.h / 2.0 + 0.8);
        let r = drawn_ring(&a, e, |_, _| true);
        let ring = ring_round(&a, &r, &r, 0.2).expect("a ring");
        for (got, want) in [
            (ring.cx, e.0),
            (ring.cy, e.1),
            (ring.rx, e.2),
            (ring.ry, e.3),
        ] {
            assert!((got - want).abs() < 0.1, "{ring:?} vs {e:?}");
        }
        assert!(ring_is_circle(&ring, RING_ON, |_, _| false));
        // Where a neighbour's circle explains the line (the right half), the rest still makes it one.
        assert!(ring_is_circle(&ring, RING_LEFT, |x, _| x > cx));
        // A line over the print of its outline left out: the rest of the ring still holds.
        let hidden: Vec<f32> = r
            .iter()
            .enumerate()
            .map(|(k, &v)| if (k / AROUND_DEPTHS) % 5 == 0 { 0.8 } else { v })
            .collect();
        let gaps: Vec<f32> = r
            .iter()
            .enumerate()
            .map(|(k, &v)| if (k / AROUND_DEPTHS) % 5 == 0 { 0.0 } else { v })
            .collect();
        let ring = ring_round(&a, &gaps, &hidden, 0.2).expect("a ring");
        assert!(ring_is_circle(&ring, RING_ON, |_, _| false));
        // Neighbours' circles beside it, left and right, and nothing above or below: no ring of its own.
        let (l, rr) = (a.x - 0.5, a.x + a.w + 0.5);
        let sides = drawn_ring(&a, e, |x, _| x < l || x > rr);
        assert!(
            ring_round(&a, &sides, &sides, 0.2).is_none_or(|ring| !ring_is_circle(
                &ring,
                RING_ON,
                |_, _| false
            ))
        );
        // Nothing at all.
        let blank = vec![0.0f32; AROUND_STATIONS * AROUND_DEPTHS];
        assert!(ring_round(&a, &blank, &blank, 0.2).is_none());
    }

    #[test]
    fn question_rules() {
        use BubbleState::*;
        let l = Levels {
            empty: 0.0,
            filled: Some(0.6),
            pencil: 0.6,
            visible: 0.04,
        };
        let one = read_one(&group(&[("A", Empty), ("B", Filled), ("C", Empty)]));
        assert_eq!(
            (one.letters.as_str(), one.doubtful, one.best.as_str()),
            ("B", false, "B")
        );
        let two = read_one(&group(&[("A", Filled), ("B", Filled)]));
        assert!(two.doubtful);
        let blank = read_one(&group(&[("A", Empty), ("B", Empty)]));
        assert_eq!((blank.letters.as_str(), blank.doubtful), ("", false));
        let erased = read_one(&group(&[("A", Doubtful), ("B", Filled)]));
        assert!(erased.doubtful);
        assert_eq!(erased.best, "B");
        let many = read_many(&group(&[("A", Filled), ("B", Empty), ("C", Filled)]), &l);
        assert_eq!((many.letters.as_str(), many.doubtful), ("AC", false));
        let unsure = read_many(&group(&[("A", Filled), ("B", Doubtful)]), &l);
        assert!(unsure.doubtful);
        assert_eq!(unsure.letters, "A");
    }
}
