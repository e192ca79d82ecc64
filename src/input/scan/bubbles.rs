//! Reading the bubbles: every bubble and the ring round it sampled on a fine grid, the sheet's own print
//! (the printed letter, the outline, neighbours) taken away, then what the pencil left measured three
//! ways — how much of the box is covered, whether the ink is a stroke (a tick √ or a cross ×) or an area
//! (a fill, a half fill), and whether a line runs round the bubble (a circle) — against this sheet's own
//! pencil darkness, fitted per sheet and per region. Then what the marks say per question, id column and
//! variant row.

use serde::{Deserialize, Serialize};

use super::geometry::{BoxMm, BubbleMeaning, ChoiceKind, SheetGeometry};
use super::homography::Homography;
use super::marks::Prepared;

/// What one bubble was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BubbleState {
    Empty,
    /// A mark: a fill, light or dark, or a tick, cross or circle (see [`MarkShape`]).
    Filled,
    /// Ink that is no clear mark: a light smudge, an erasure, a half fill, a partial circle. A person
    /// decides.
    Doubtful,
}

/// What the ink in and round a bubble looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkShape {
    /// No ink beyond the print.
    None,
    /// The box covered: a fill, light or dark, or a scribble.
    Fill,
    /// Thin strokes across the box: a tick or a cross.
    Stroke,
    /// A line round the box.
    Circle,
    /// Ink that is none of these: faint, rubbed out, half a fill.
    Smudge,
}

/// One bubble's measurement, in the order of [`SheetGeometry::bubbles`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BubbleReading {
    /// Mean darkness the pencil added inside the box (print taken away): 0 none, 1 black.
    pub darkness: f32,
    /// Share of the inside covered by ink at least about a third as dark as this sheet's pencil.
    pub cover: f32,
    /// The sides a line runs beside (bit 0 right, 1 below, 2 left, 3 above: a circle round the bubble
    /// has all four), and how many of them.
    pub ring: u8,
    pub sides: u8,
    pub shape: MarkShape,
    pub state: BubbleState,
}

/// This sheet's pencil and the cuts derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Mean darkness of an unmarked bubble once the print is taken away (near 0).
    pub empty: f32,
    /// Typical darkness of the filled bubbles; `None` when nothing on the sheet is a fill.
    pub filled: Option<f32>,
    /// Typical darkness of this sheet's pencil where it touches the paper (faint writers: 0.2,
    /// dark ones: 0.6–0.8).
    pub pencil: f32,
    /// Mean darkness above which a bubble holds visible ink.
    pub visible: f32,
}

/// Spacing of the sampling grid (mm): fine enough to see a 0.35 mm pencil stroke.
const STEP: f32 = 0.25;
/// The inside measured is the ellipse in the box moved in this far from the printed outline (mm, each
/// side): the shape a pencil fill takes.
const INSET_X: f32 = 0.4;
const INSET_Y: f32 = 0.35;
/// Where a circle drawn round a bubble runs: this far outside the outline (mm). The next bubble's outline
/// is 1.2 mm away, a block's frame 1.1 mm.
const RING_OUT: f32 = 0.95;
/// The band beside each side a circle drawn round the bubble runs through: this far out from the printed
/// outline (mm; the outline and its blur end before it, the next bubble's box after it), over the middle
/// share of the side's length.
const BAND_FROM: f32 = 0.3;
const BAND_TO: f32 = 0.9;
const BAND_ALONG: f32 = 0.4;
/// Share of the positions along a side where the band must hold pencil for a line to run there.
const LINED: f32 = 0.5;
/// How far round a neighbouring bubble its own ink is taken as its own, not a line round this one (mm).
const NEIGHBOUR_MARGIN: f32 = 0.35;
/// The four sides round a bubble (right, below, left, above) a circle passes.
const SECTORS: usize = 4;
/// Below this the pencil is not told apart from paper grain and print (darkness).
const MIN_PENCIL: f32 = 0.16;
/// Samples darker than this above the print are candidates for this sheet's pencil level.
const PENCIL_CANDIDATE: f32 = 0.12;
/// Where the unmarked print is at least this dark (a label, an outline, a frame), the grid point is left
/// out: a thin printed line reads darker or lighter with where it falls between pixels, which no template
/// takes away exactly.
const PRINT: f32 = 0.12;

/// One bubble sampled on a grid covering its box and the ring round it.
pub(crate) struct Patch {
    nx: usize,
    ny: usize,
    /// Darkness per grid point, row by row.
    d: Vec<f32>,
    /// What each grid point is: inside the box, on the ring (with its sector), or neither.
    kind: Vec<Cell>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Inner,
    /// In the band a circle round the bubble runs through, beside the middle of one side (right, below,
    /// left, above), at `along` grid steps along that side.
    Band {
        side: u8,
        along: u8,
    },
    Skip,
}

/// Samples every bubble; `None` for a bubble part of which lies outside the image.
pub(crate) fn measure(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> Vec<Option<Patch>> {
    let reach = RING_OUT + NEIGHBOUR_MARGIN;
    geom.bubbles
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let a = &b.area;
            let neighbours: Vec<BoxMm> = geom
                .bubbles
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    let o = &o.area;
                    *j != i
                        && o.x < a.x + a.w + reach
                        && o.x + o.w > a.x - reach
                        && o.y < a.y + a.h + reach
                        && o.y + o.h > a.y - reach
                })
                .map(|(_, o)| o.area.shrunk(-NEIGHBOUR_MARGIN, -NEIGHBOUR_MARGIN))
                .collect();
            sample_patch(page, a, &neighbours, h)
        })
        .collect()
}

fn sample_patch(page: &Prepared, a: &BoxMm, neighbours: &[BoxMm], h: &Homography) -> Option<Patch> {
    let (cx, cy) = a.centre();
    let ppm = h.local_scale(cx as f64, cy as f64) as f32;
    // Each sample averages a block of pixels about a grid step wide, at most 3 × 3: measured at the
    // resolution a pencil stroke needs, whatever the scanner's.
    let block = ((ppm * STEP) as usize).clamp(1, 3);
    let (w, hh) = (a.w + 2.0 * RING_OUT, a.h + 2.0 * RING_OUT);
    let nx = ((w / STEP).round() as usize).max(4);
    let ny = ((hh / STEP).round() as usize).max(4);
    let (sx, sy) = (w / nx as f32, hh / ny as f32);
    let inner = a.shrunk(INSET_X, INSET_Y);
    let (img, iw, ih) = (
        page.img.as_raw(),
        page.img.width() as i64,
        page.img.height() as i64,
    );
    let mut d = Vec::with_capacity(nx * ny);
    let mut kind = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        let y = a.y - RING_OUT + sy * (j as f32 + 0.5);
        for i in 0..nx {
            let x = a.x - RING_OUT + sx * (i as f32 + 0.5);
            let out_x = (a.x - x).max(x - a.x - a.w);
            let out_y = (a.y - y).max(y - a.y - a.h);
            let (ex, ey) = (
                (x - cx) / (inner.w / 2.0).max(STEP),
                (y - cy) / (inner.h / 2.0).max(STEP),
            );
            let cell = if ex * ex + ey * ey <= 1.0 {
                Cell::Inner
            } else if neighbours
                .iter()
                .any(|o| x >= o.x && x <= o.x + o.w && y >= o.y && y <= o.y + o.h)
            {
                // On a neighbour's box: its own fill spilling over is not a line round this one.
                Cell::Skip
            } else if (BAND_FROM..=BAND_TO).contains(&out_x)
                && (y - cy).abs() <= BAND_ALONG * a.h / 2.0
            {
                // Beside the middle of the left or right side, clear of the printed outline and of the
                // corners (a circle drawn round a rectangle may cut them, a neighbour's frame is near).
                Cell::Band {
                    side: if x > cx { 0 } else { 2 },
                    along: j.min(63) as u8,
                }
            } else if (BAND_FROM..=BAND_TO).contains(&out_y)
                && (x - cx).abs() <= BAND_ALONG * a.w / 2.0
            {
                Cell::Band {
                    side: if y > cy { 1 } else { 3 },
                    along: i.min(63) as u8,
                }
            } else {
                Cell::Skip
            };
            let (u, v) = h.map_f32(x, y);
            let (x0, y0) = (
                (u - block as f32 / 2.0).round() as i64,
                (v - block as f32 / 2.0).round() as i64,
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
    Some(Patch { nx, ny, d, kind })
}

// The median and percentiles select their element instead of sorting the whole slice: the same value
// (the k-th in the same total order), in linear time; the slice is left in some order, not sorted.
fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = v.len() / 2;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

fn percentile(v: &mut [f32], p: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() - 1) as f32 * p) as usize;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
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
fn print_templates(geom: &SheetGeometry, patches: &[Patch]) -> Vec<(Vec<f32>, Vec<f32>)> {
    use std::collections::HashMap;
    let mut by_size: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (i, p) in patches.iter().enumerate() {
        by_size.entry((p.nx, p.ny)).or_default().push(i);
    }
    let build = |members: &[usize], pct: f32| -> Vec<f32> {
        let p0 = &patches[members[0]];
        let mut t = vec![0.0f32; p0.d.len()];
        let mut buf = Vec::with_capacity(members.len());
        for (k, v) in t.iter_mut().enumerate() {
            buf.clear();
            buf.extend(members.iter().map(|&m| patches[m].d[k]));
            *v = percentile(&mut buf, pct);
        }
        let (nx, ny) = (p0.nx, p0.ny);
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
    };
    // First pass: against every bubble of the size, which bubbles plainly carry a mark inside.
    let size_templates: HashMap<(usize, usize), Vec<f32>> =
        by_size.iter().map(|(k, m)| (*k, build(m, 0.25))).collect();
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
    let mut by_label: HashMap<(String, usize, usize), Vec<usize>> = HashMap::new();
    for (i, (b, p)) in geom.bubbles.iter().zip(patches).enumerate() {
        if inside[i] < typical + 0.06 {
            by_label
                .entry((label(&b.meaning), p.nx, p.ny))
                .or_default()
                .push(i);
        }
    }
    let label_templates: HashMap<(String, usize, usize), Vec<f32>> = by_label
        .iter()
        .map(|(k, m)| (k.clone(), build(m, 0.25)))
        .collect();
    // Only unmarked bubbles are left in these groups, so a high percentile is safe for telling where the
    // print is: print that shows on a quarter of them (a thin line cut to black and white) counts.
    let label_masks: HashMap<(String, usize, usize), Vec<f32>> = by_label
        .iter()
        .map(|(k, m)| (k.clone(), build(m, 0.75)))
        .collect();
    geom.bubbles
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
    /// Sides (bit 0 right, 1 below, 2 left, 3 above) a line runs beside, and how many.
    ring: u8,
    sides: u8,
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
    // Per side, the darkest pencil across the band at each position along the side (-1: no sample).
    let mut band = [[-1.0f32; 64]; SECTORS];
    let mut ink_sum = 0.0f32;
    for (k, c) in p.kind.iter().enumerate() {
        let v = r[k];
        if v.is_nan() {
            continue;
        }
        match *c {
            Cell::Inner => {
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
            Cell::Band { side, along } => {
                let m = &mut band[side as usize][along as usize];
                *m = m.max(v);
            }
            Cell::Skip => {}
        }
    }
    let share = |(a, b): (u32, u32)| if b == 0 { 0.0 } else { a as f32 / b as f32 };
    let hs = halves.map(share);
    // A line runs beside a side when the band holds pencil at most positions along it, wherever across
    // the band (a hand-drawn line wanders): a neighbour's fill or a stray stroke touches a few.
    let mut ring = 0u8;
    for (k, positions) in band.iter().enumerate() {
        let sampled = positions.iter().filter(|&&m| m >= 0.0).count();
        let inked = positions.iter().filter(|&&m| m >= low).count();
        if sampled >= 4 && inked as f32 >= LINED * sampled as f32 {
            ring |= 1 << k;
        }
    }
    let sides = ring.count_ones() as u8;
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
        ring,
        sides,
    }
}

/// Whether a line beside side `side` (0 right, 1 below, 2 left, 3 above) of bubble `i` may be its
/// neighbour's there (within the reach of the band a circle runs through): a filled neighbour's, or a
/// neighbour's with lines on more sides than this one.
fn explained(geom: &SheetGeometry, filled: &[bool], sides: &[u8], i: usize, side: u8) -> bool {
    let a = &geom.bubbles[i].area;
    let reach = BAND_TO + 1.0;
    geom.bubbles.iter().enumerate().any(|(j, o)| {
        let o = &o.area;
        if j == i || !(filled[j] || sides[j] > sides[i]) {
            return false;
        }
        let across_x = o.y < a.y + a.h && o.y + o.h > a.y;
        let across_y = o.x < a.x + a.w && o.x + o.w > a.x;
        match side {
            0 => across_x && o.x >= a.x + a.w && o.x - (a.x + a.w) <= reach,
            2 => across_x && o.x + o.w <= a.x && a.x - (o.x + o.w) <= reach,
            1 => across_y && o.y >= a.y + a.h && o.y - (a.y + a.h) <= reach,
            _ => across_y && o.y + o.h <= a.y && a.y - (o.y + o.h) <= reach,
        }
    })
}

/// Reads every bubble of one sheet: the print taken away, this sheet's pencil level fitted (per region
/// where a region has enough pencil of its own), then each bubble's ink judged as a fill, a stroke, a
/// circle, a smudge or nothing.
pub(crate) fn classify(geom: &SheetGeometry, patches: &[Patch]) -> (Vec<BubbleReading>, Levels) {
    let templates = print_templates(geom, patches);
    let residuals: Vec<Vec<f32>> = patches
        .iter()
        .zip(&templates)
        .map(|(p, (t, mask))| {
            p.d.iter()
                .zip(t)
                .zip(&p.kind)
                .zip(mask)
                .map(|(((d, t), c), m)| {
                    if *c == Cell::Inner && *m >= PRINT {
                        f32::NAN
                    } else if *t < PRINT {
                        (d - t).max(0.0)
                    } else if *c == Cell::Inner {
                        // Inside, the label's small strokes are left out altogether.
                        f32::NAN
                    } else {
                        // Round the box, on an outline: a thin printed line reads darker or lighter
                        // with where it falls between pixels, so pencil there must add at least as
                        // much darkness as the print has.
                        let r = d - t;
                        if r >= *t { r } else { 0.0 }
                    }
                })
                .collect()
        })
        .collect();

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

    let feats: Vec<Features> = geom
        .bubbles
        .iter()
        .zip(patches)
        .zip(&residuals)
        .map(|((b, p), r)| features(p, r, pencil_of[&region(b)]))
        .collect();
    let mut fills: Vec<f32> = feats.iter().map(|f| f.fill).collect();
    let empty = median(&mut fills);
    let mut dev: Vec<f32> = feats.iter().map(|f| (f.fill - empty).abs()).collect();
    let spread = median(&mut dev);
    let visible = empty + (6.0 * spread).max(0.025);

    // A line beside a side facing a filled neighbour may be its scribble reaching over, and one facing a
    // neighbour with lines on more sides than this bubble may be that neighbour's circle: no evidence of
    // a circle round this one. (A tick or a cross stays near its own bubble.)
    let filled_like: Vec<bool> = feats.iter().map(|f| f.cover >= 0.6).collect();
    let sides: Vec<u8> = feats.iter().map(|f| f.sides).collect();
    let readings: Vec<BubbleReading> = geom
        .bubbles
        .iter()
        .enumerate()
        .zip(&feats)
        .map(|((i, b), f)| {
            let pencil = pencil_of[&region(b)];
            // The share of the inside a few dark specks cover without being a mark: more on a page cut
            // to black and white (pencil level near 1), where print edges break into black pixels.
            let speck = 0.04 + 0.12 * (pencil - 0.6).max(0.0);
            // On such a page a label's jagged print alone darkens a bubble by about a speck: a smudge
            // there must darken it by more.
            let clean_lined = (0..SECTORS as u8)
                .filter(|&s| f.ring & (1 << s) != 0 && !explained(geom, &filled_like, &sides, i, s))
                .count();
            let shape = if f.cover >= 0.7 && f.fill >= 0.45 * pencil {
                MarkShape::Fill
            } else if f.cover < 0.3 && (clean_lined >= 3 || (f.sides == 4 && clean_lined >= 2)) {
                MarkShape::Circle
            } else if (0.1..0.7).contains(&f.cover)
                && f.half_max < 0.75
                && f.half_min >= 0.04
                && f.ink_mean >= (0.4 * pencil).max(0.2)
            {
                // Thin strokes across both halves each way, as dark as this sheet's pencil: a tick or a
                // cross. A half fill leaves one half bare; an erasure's haze is too light.
                MarkShape::Stroke
            } else if f.fill >= visible + speck - if pencil > 0.85 { -0.01 } else { 0.04 }
                || f.dark >= speck
                || (f.sides >= 3 && clean_lined >= 2)
            {
                // Ink that is none of these, or most of a circle: a person decides.
                MarkShape::Smudge
            } else {
                MarkShape::None
            };
            let state = match shape {
                MarkShape::None => BubbleState::Empty,
                MarkShape::Smudge => BubbleState::Doubtful,
                _ => BubbleState::Filled,
            };
            BubbleReading {
                darkness: f.fill,
                cover: f.cover,
                ring: f.ring,
                sides: f.sides,
                shape,
                state,
            }
        })
        .collect();
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
