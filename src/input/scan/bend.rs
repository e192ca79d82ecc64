//! A bowed page's registration: a phone lens's barrel distortion or a curling sheet moves the printed boxes
//! by up to a couple of millimetres from where any one projective transform puts them, most at the page's
//! edges and least in its middle. The printed bubble outlines say where they really are, so the sheet → image
//! map is bent by a smooth shift of the sheet, fitted to where the outlines are found.
//!
//! The shift is a cubic in the sheet's coordinates: a lens bends straight lines by the cube of the distance
//! from its axis (r' = r (1 + k r²)), and what is left of that after the best projective transform is a
//! cubic polynomial over the page to a few hundredths of a millimetre; a sheet curling over a desk bends as
//! smoothly. Ten numbers a coordinate need dozens of anchors, not hundreds, and outliers (a mark or a label
//! pulling an anchor's search) are dropped before the fit is kept.

use serde::{Deserialize, Serialize};

use super::geometry::SheetGeometry;
use super::homography::Homography;
use super::outline::{anchor_offsets_of, blank_sides, grid_anchors_of, outline_contrast};
use super::page::Prepared;

/// The cubic's terms: 1, u, v, u², uv, v², u³, u²v, uv², v³.
const TERMS: usize = 10;

/// A smooth shift of the sheet (mm), applied before the projective map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bend {
    /// The centre (mm) of the sheet area the shift was measured over.
    pub centre: [f64; 2],
    /// Half the area's width and height (mm): a point outside it is shifted as the nearest point of its
    /// edge is, so the cubic is never carried beyond what the outlines measured.
    pub half: [f64; 2],
    /// The cubic's coefficients for the shift across and down.
    pub dx: [f64; TERMS],
    pub dy: [f64; TERMS],
}

impl Bend {
    /// Sheet point (x, y) mm moved by the shift.
    #[inline]
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let (sx, sy) = self.shift(x, y);
        (x + sx, y + sy)
    }

    /// The shift (mm) at sheet point (x, y).
    #[inline]
    pub fn shift(&self, x: f64, y: f64) -> (f64, f64) {
        let u = ((x - self.centre[0]) / self.half[0]).clamp(-1.0, 1.0);
        let v = ((y - self.centre[1]) / self.half[1]).clamp(-1.0, 1.0);
        let t = terms(u, v);
        let (mut sx, mut sy) = (0.0, 0.0);
        for k in 0..TERMS {
            sx += self.dx[k] * t[k];
            sy += self.dy[k] * t[k];
        }
        (sx, sy)
    }
}

#[inline]
fn terms(u: f64, v: f64) -> [f64; TERMS] {
    [
        1.0,
        u,
        v,
        u * u,
        u * v,
        v * v,
        u * u * u,
        u * u * v,
        u * v * v,
        v * v * v,
    ]
}

/// How far (mm) the first search for each anchor's outline reaches: a 4 % barrel distortion under a corner
/// mark fit leaves the boxes up to 2 mm off and more at the page's foot; the boxes' own pitch (4.2 mm down
/// an id column) is more than twice it, so no search lands on a neighbour. An anchor whose best lies at the
/// edge of the search may lie beyond it: it waits for the next search, through the bent map.
const FIRST_RANGE: f32 = 2.0;

/// How far the searches through the bent map reach.
const SECOND_RANGE: f32 = 1.0;
const THIRD_RANGE: f32 = 0.5;

/// A page whose outlines lie within this (mm) of the projective fit at four anchors in five is flat: it is
/// read through the fit alone, exactly as before (a copier's scan, a phone photo without a bow, a scan
/// whose corner mark a staple or a punched hole pulls a little, which leaves the boxes within 0.35 mm and
/// reads as it always has). A lens bowing the page by 2 % leaves them 0.6 mm off and more.
const FLAT: f32 = 0.45;

/// A camera's photo is flat only when its outlines lie within this (mm) of the fit at four anchors in
/// five. The anchor search steps by 1/8 mm and an outline's darkest line is taken within 0.15 mm either
/// side, so a page the fit frames exactly measures up to 0.28 mm (a quarter and an eighth across); beyond
/// that the boxes are off. On a lamp-lit phone photo with a mild lens (the third field check's seed 21
/// p027, 0.28-0.4 mm off) the printed outline then lies inside the samples round each box, and blank
/// boxes read as circled: `ABCDE`. A bend kept must still put fewer boxes off their lines than the plain
/// fit (a shaken photo's blur keeps its plain fit).
const FLAT_PHOTO: f32 = 0.3;

/// A copier's glass holds the page flat and its head sweeps it at one speed, so its map is affine: the
/// scale is the same all over the page (within 0.4 % across the bubbles on the field checks' scans, a
/// staple or a stamp pulling one corner mark). A camera held over a sheet sees its far edge smaller (3-9 %
/// on the field checks' photos), and only a camera has a lens to bow the page: a page whose scale changes
/// by more than this share across the bubbles is a photo, judged flat by [`FLAT_PHOTO`]; a scan keeps
/// [`FLAT`], and with it exactly its plain fit.
const CAMERA: f64 = 0.01;

/// An anchor whose outline lies further than this (mm) from the fitted shift, and further than three
/// times the anchors' median miss, is taken as misled (a mark or a label beside it).
const OUTLIER: f64 = 0.3;

/// However the anchors scatter, one missing the fitted shift by more than this (mm) is not following it.
const NEVER_WITHIN: f64 = 0.6;

/// Fewest anchors a fit of ten coefficients a coordinate rests on.
const MIN_ANCHORS: usize = 16;

/// `h` bent to where the printed bubble outlines are, when the page is bowed, with how much the outlines
/// stand out under it: `None` on a flat page, or when too few outlines stand out, most do not follow one
/// smooth shift (not this sheet's layout, or the sheet the wrong way up), or the bent map frames the
/// bubbles no better than `h`.
pub(crate) fn bowed(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
) -> Option<(Homography, f32)> {
    let plain = h.plain();
    let (lo, hi) = bubble_extent(geom)?;
    let centre = [(lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0];
    let half = [
        ((hi.0 - lo.0) / 2.0).max(1.0),
        ((hi.1 - lo.1) / 2.0).max(1.0),
    ];
    // Flat or not, from anchors a few centimetres apart: the only cost a flat page pays.
    let coarse = anchor_offsets_of(
        page,
        geom,
        &plain,
        FIRST_RANGE,
        &grid_anchors_of(geom, 6, 8),
    );
    if coarse.len() < 8 {
        return None;
    }
    let mut size: Vec<f32> = coarse.iter().map(|&(_, dx, dy)| dx.hypot(dy)).collect();
    size.sort_by(f32::total_cmp);
    let flat = if perspective(&plain, lo, hi) > CAMERA {
        FLAT_PHOTO
    } else {
        FLAT
    };
    if size[size.len() * 4 / 5] <= flat {
        return None;
    }
    // The shift from anchors closer together, those at the edge of the search left for later.
    let medium = grid_anchors_of(geom, 9, 12);
    let first: Vec<Point> = anchor_offsets_of(page, geom, &plain, FIRST_RANGE, &medium)
        .into_iter()
        .filter(|&(_, dx, dy)| dx.abs().max(dy.abs()) < FIRST_RANGE - 0.2)
        .map(|(i, dx, dy)| point(geom, i, dx, dy, (0.0, 0.0)))
        .collect();
    let (bend, kept) = robust_fit(&first, centre, half)?;
    if kept * 2 < first.len() {
        return None;
    }
    // Again through the bent map, then on anchors twice as dense, close to where the bend puts them: the
    // shift pinned down where the first anchors were sparse or out of reach (the page's edges, where a
    // lens bends most).
    let mut bend = bend;
    for (range, cols, rows, share) in [(SECOND_RANGE, 9, 12, 7), (THIRD_RANGE, 12, 16, 7)] {
        let bent = Homography {
            m: plain.m,
            bend: Some(bend),
        };
        let anchors = grid_anchors_of(geom, cols, rows);
        let points: Vec<Point> = anchor_offsets_of(page, geom, &bent, range, &anchors)
            .into_iter()
            .map(|(i, dx, dy)| {
                let (x, y) = geom.bubbles[i].area.centre();
                point(geom, i, dx, dy, bend.shift(x as f64, y as f64))
            })
            .collect();
        match robust_fit(&points, centre, half) {
            Some((b, kept)) if kept * 10 >= points.len() * share => {
                bend = b;
            }
            _ => {
                if range == SECOND_RANGE {
                    return None;
                }
            }
        }
    }
    let bent = Homography {
        m: plain.m,
        bend: Some(bend),
    };
    let contrast = outline_contrast(page, geom, &bent);
    let before = outline_contrast(page, geom, &plain);
    if contrast <= before {
        return None;
    }
    // The bend must also put more boxes on their printed lines than the plain fit does: a shaken photo's
    // blurred outlines can pull the anchors' search a few tenths of a millimetre along the blur, and a
    // bend fitted to that leaves boxes beside their lines that the plain fit had on them.
    let off = |h: &Homography| {
        blank_sides(page, geom, h)
            .iter()
            .filter(|&&n| n > 0)
            .count()
    };
    (off(&bent) < off(&plain)).then_some((bent, contrast))
}

/// How much the map's scale changes across the bubbles' extent `lo`..`hi` (mm): the largest local scale
/// at its corners over the smallest, less one; 0 for an affine map.
fn perspective(h: &Homography, lo: (f64, f64), hi: (f64, f64)) -> f64 {
    let scales =
        [(lo.0, lo.1), (hi.0, lo.1), (lo.0, hi.1), (hi.0, hi.1)].map(|(x, y)| h.local_scale(x, y));
    let most = scales.iter().copied().fold(f64::MIN, f64::max);
    let least = scales.iter().copied().fold(f64::MAX, f64::min);
    if least > 0.0 && most.is_finite() {
        most / least - 1.0
    } else {
        0.0
    }
}

/// An anchor: its bubble's centre on the sheet (mm) and the shift that lines its outline up.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: f64,
    y: f64,
    dx: f64,
    dy: f64,
}

fn point(geom: &SheetGeometry, i: usize, dx: f32, dy: f32, before: (f64, f64)) -> Point {
    let (x, y) = geom.bubbles[i].area.centre();
    Point {
        x: x as f64,
        y: y as f64,
        dx: dx as f64 + before.0,
        dy: dy as f64 + before.1,
    }
}

/// The smallest and largest bubble centre on the sheet (mm).
fn bubble_extent(geom: &SheetGeometry) -> Option<((f64, f64), (f64, f64))> {
    let mut lo = (f64::MAX, f64::MAX);
    let mut hi = (f64::MIN, f64::MIN);
    for b in &geom.bubbles {
        let (x, y) = b.area.centre();
        let (x, y) = (x as f64, y as f64);
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    (lo.0 <= hi.0).then_some((lo, hi))
}

/// The cubic shift fitted to `points`, the anchors it misses by far dropped and the rest fitted again; with
/// how many anchors it rests on.
fn robust_fit(points: &[Point], centre: [f64; 2], half: [f64; 2]) -> Option<(Bend, usize)> {
    let mut keep: Vec<Point> = points.to_vec();
    let mut bend = fit(&keep, centre, half)?;
    for _ in 0..3 {
        let miss = |p: &Point| {
            let (sx, sy) = bend.shift(p.x, p.y);
            (sx - p.dx).hypot(sy - p.dy)
        };
        let mut misses: Vec<f64> = keep.iter().map(miss).collect();
        misses.sort_by(f64::total_cmp);
        let limit = (3.0 * misses[misses.len() / 2]).clamp(OUTLIER, NEVER_WITHIN);
        let kept: Vec<Point> = keep.iter().copied().filter(|p| miss(p) <= limit).collect();
        if kept.len() == keep.len() {
            break;
        }
        keep = kept;
        bend = fit(&keep, centre, half)?;
    }
    Some((bend, keep.len()))
}

/// Least squares of the cubic through `points`; `None` with too few of them or when they do not spread
/// over the page enough to fix it.
fn fit(points: &[Point], centre: [f64; 2], half: [f64; 2]) -> Option<Bend> {
    if points.len() < MIN_ANCHORS {
        return None;
    }
    let mut ata = [[0.0f64; TERMS]; TERMS];
    let mut atx = [0.0f64; TERMS];
    let mut aty = [0.0f64; TERMS];
    for p in points {
        let u = ((p.x - centre[0]) / half[0]).clamp(-1.0, 1.0);
        let v = ((p.y - centre[1]) / half[1]).clamp(-1.0, 1.0);
        let t = terms(u, v);
        for i in 0..TERMS {
            for j in 0..TERMS {
                ata[i][j] += t[i] * t[j];
            }
            atx[i] += t[i] * p.dx;
            aty[i] += t[i] * p.dy;
        }
    }
    // A whisper of ridge keeps a row of anchors along one line from blowing the cubic up across it.
    for (i, row) in ata.iter_mut().enumerate() {
        row[i] += 1e-3;
    }
    let dx = solve(ata, atx)?;
    let dy = solve(ata, aty)?;
    Some(Bend {
        centre,
        half,
        dx,
        dy,
    })
}

/// Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; TERMS]; TERMS], mut b: [f64; TERMS]) -> Option<[f64; TERMS]> {
    for col in 0..TERMS {
        let pivot = (col..TERMS).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for r in col + 1..TERMS {
            let f = a[r][col] / a[col][col];
            if f != 0.0 {
                for c in col..TERMS {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let mut x = [0.0f64; TERMS];
    for r in (0..TERMS).rev() {
        let s: f64 = (r + 1..TERMS).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}
