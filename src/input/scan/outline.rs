//! Where the printed bubble outlines lie in the image: anchor bubbles spread over the sheet, how far each
//! one's outline sits from where a fit puts it, and how much the outlines stand out under a fit. Both the
//! registration (`marks`) and its bend for bowed pages (`bend`) judge a fit by these.

use super::geometry::{BoxMm, SheetGeometry};
use super::homography::Homography;
use super::page::Prepared;

/// Bubbles spread over the sheet whose printed outlines pin a rough fit down: the one nearest the middle
/// of each cell of a 6 × 8 grid over the page.
pub(crate) fn grid_anchors(geom: &SheetGeometry) -> Vec<usize> {
    grid_anchors_of(geom, 6, 8)
}

/// The bubble nearest the middle of each cell of a `cols` × `rows` grid over the page.
pub(crate) fn grid_anchors_of(geom: &SheetGeometry, cols: usize, rows: usize) -> Vec<usize> {
    let (cw, ch) = (
        geom.page_width_mm / cols as f32,
        geom.page_height_mm / rows as f32,
    );
    let mut best: Vec<Option<(f32, usize)>> = vec![None; cols * rows];
    for (i, b) in geom.bubbles.iter().enumerate() {
        let (x, y) = b.area.centre();
        let (c, r) = (
            ((x / cw) as usize).min(cols - 1),
            ((y / ch) as usize).min(rows - 1),
        );
        let (mx, my) = ((c as f32 + 0.5) * cw, (r as f32 + 0.5) * ch);
        let d = (x - mx).hypot(y - my);
        let cell = &mut best[r * cols + c];
        if cell.is_none_or(|(bd, _)| d < bd) {
            *cell = Some((d, i));
        }
    }
    best.into_iter().flatten().map(|(_, i)| i).collect()
}

/// For each anchor bubble whose outline stands out near where `h` puts it (within `range` mm), the
/// shift (mm on the sheet) that lines it up best.
pub(crate) fn anchor_offsets(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    range: f32,
) -> Vec<(usize, f32, f32)> {
    anchor_offsets_of(page, geom, h, range, &grid_anchors(geom))
}

/// [`anchor_offsets`] for the bubbles `anchors`.
pub(crate) fn anchor_offsets_of(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    range: f32,
    anchors: &[usize],
) -> Vec<(usize, f32, f32)> {
    let steps = (range / 0.5).round() as i32;
    let mut out = Vec::new();
    for &i in anchors {
        let area = &geom.bubbles[i].area;
        let score = |dx: f32, dy: f32| bubble_outline(page, area, h, dx, dy).unwrap_or(f32::MIN);
        // Coarse, then fine around the best.
        let mut best = (f32::MIN, 0.0f32, 0.0f32);
        for j in -steps..=steps {
            for k in -steps..=steps {
                let (dx, dy) = (j as f32 * 0.5, k as f32 * 0.5);
                let s = score(dx, dy);
                if s > best.0 {
                    best = (s, dx, dy);
                }
            }
        }
        let (_, cx, cy) = best;
        for j in -2..=2 {
            for k in -2..=2 {
                let (dx, dy) = (cx + j as f32 * 0.125, cy + k as f32 * 0.125);
                let s = score(dx, dy);
                if s > best.0 {
                    best = (s, dx, dy);
                }
            }
        }
        if best.0 >= 0.12 {
            out.push((i, best.1, best.2));
        }
    }
    out
}

/// How much darker a bubble's printed outline is than the paper just outside it, with the box moved by
/// (dx, dy) mm before `h` maps it.
fn bubble_outline(page: &Prepared, a: &BoxMm, h: &Homography, dx: f32, dy: f32) -> Option<f32> {
    const SLACK: f32 = 0.15;
    const BESIDE: f32 = 0.6;
    let (x0, y0) = (a.x + dx, a.y + dy);
    let mut probes: Vec<(f32, f32, f32, f32)> = Vec::with_capacity(10);
    for i in 1..=3 {
        let t = i as f32 / 4.0;
        probes.push((x0 + a.w * t, y0, 0.0, -1.0));
        probes.push((x0 + a.w * t, y0 + a.h, 0.0, 1.0));
    }
    for i in 1..=2 {
        let t = i as f32 / 3.0;
        probes.push((x0, y0 + a.h * t, -1.0, 0.0));
        probes.push((x0 + a.w, y0 + a.h * t, 1.0, 0.0));
    }
    let (mut on, mut off, mut n) = (0.0f32, 0.0f32, 0u32);
    for (x, y, nx, ny) in probes {
        let at = |d: f32| h.map_f32(x + nx * d, y + ny * d);
        let (ax, ay) = at(-SLACK);
        let (bx, by) = at(SLACK);
        let (cx, cy) = at(BESIDE - SLACK);
        let (ex, ey) = at(BESIDE + SLACK);
        on += page.darkest_along(ax, ay, bx, by, 3)?;
        off += page.darkest_along(cx, cy, ex, ey, 3)?;
        n += 1;
    }
    Some((on - off) / n as f32)
}

/// Below this the printed bubble outlines are not where the sheet geometry puts them.
pub(crate) const MIN_OUTLINE_CONTRAST: f32 = 0.06;

/// Mean darkness on the bubbles' printed outlines minus that just outside them, where `h` puts them.
pub(crate) fn outline_contrast(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> f32 {
    let stride = (geom.bubbles.len() / 150).max(1);
    let (mut on, mut off, mut n) = (0.0f32, 0.0f32, 0u32);
    // Half-widths of the search across a line, and how far outside the box "beside" is (mm).
    const SLACK: f32 = 0.3;
    const BESIDE: f32 = 0.6;
    for b in geom.bubbles.iter().step_by(stride) {
        let a = &b.area;
        // Points on the four sides, each with its outward normal.
        let mut probes: Vec<(f32, f32, f32, f32)> = Vec::with_capacity(16);
        for i in 1..=3 {
            let t = i as f32 / 4.0;
            probes.push((a.x + a.w * t, a.y, 0.0, -1.0));
            probes.push((a.x + a.w * t, a.y + a.h, 0.0, 1.0));
        }
        for i in 1..=2 {
            let t = i as f32 / 3.0;
            probes.push((a.x, a.y + a.h * t, -1.0, 0.0));
            probes.push((a.x + a.w, a.y + a.h * t, 1.0, 0.0));
        }
        for (x, y, nx, ny) in probes {
            let at = |d: f32| h.map_f32(x + nx * d, y + ny * d);
            let (ax, ay) = at(-SLACK);
            let (bx, by) = at(SLACK);
            let (cx, cy) = at(BESIDE - SLACK);
            let (dx, dy) = at(BESIDE + SLACK);
            if let (Some(l), Some(o)) = (
                page.darkest_along(ax, ay, bx, by, 6),
                page.darkest_along(cx, cy, dx, dy, 6),
            ) {
                on += l;
                off += o;
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (on - off) / n as f32 }
}

/// Where a side's printed line is looked for across it (mm either side of where the map puts it).
const GUARD_SLACK: f32 = 0.2;

/// A side whose line is lighter than this share of the page's typical printed line is blank paper.
const BLANK_SIDE: f32 = 0.35;

/// A box with this many of its four sides blank has something white over it, not a fit beside it: a
/// fit a few tenths off leaves at most the two sides it moved away from blank, while correction tape (a
/// film 5 mm wide laid across the box and past both its ends) hides all four.
pub(crate) const COVERED_SIDES: u8 = 3;

/// For each box, how many of its four sides show blank paper where `h` puts its printed line. Ink only
/// darkens paper, so a mark never hides a printed line: a blank side means either the box as measured
/// lies beside its bubble (a fit that does not follow the page there) or something white lies over the
/// line (correction tape, correction fluid, a torn-off scrap).
pub(crate) fn blank_sides(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> Vec<u8> {
    // Per box, the darkness across each side's line at a few points along it: top, bottom, left, right.
    let sides: Vec<Option<[f32; 4]>> = geom
        .bubbles
        .iter()
        .map(|b| {
            let a = &b.area;
            let across = |x: f32, y: f32, nx: f32, ny: f32| {
                let (x0, y0) = h.map_f32(x - nx * GUARD_SLACK, y - ny * GUARD_SLACK);
                let (x1, y1) = h.map_f32(x + nx * GUARD_SLACK, y + ny * GUARD_SLACK);
                page.darkest_along(x0, y0, x1, y1, 4)
            };
            let mut out = [0.0f32; 4];
            for k in 1..=3 {
                let t = k as f32 / 4.0;
                out[0] += across(a.x + a.w * t, a.y, 0.0, 1.0)? / 3.0;
                out[1] += across(a.x + a.w * t, a.y + a.h, 0.0, 1.0)? / 3.0;
            }
            for k in 1..=2 {
                let t = k as f32 / 3.0;
                out[2] += across(a.x, a.y + a.h * t, 1.0, 0.0)? / 2.0;
                out[3] += across(a.x + a.w, a.y + a.h * t, 1.0, 0.0)? / 2.0;
            }
            Some(out)
        })
        .collect();
    let mut all: Vec<f32> = sides.iter().flatten().flatten().copied().collect();
    if all.is_empty() {
        return vec![0; geom.bubbles.len()];
    }
    let mid = all.len() / 2;
    let typical = *all.select_nth_unstable_by(mid, f32::total_cmp).1;
    sides
        .iter()
        .map(|s| {
            s.map_or(0, |s| {
                s.iter().filter(|&&d| d < BLANK_SIDE * typical).count() as u8
            })
        })
        .collect()
}

/// Whether an image holds black and white only (a copier's 1-bit page, however it was stored): fewer
/// than one in two hundred of a sparse sample of its pixels is grey.
pub(crate) fn black_and_white_only(img: &image::GrayImage) -> bool {
    let raw = img.as_raw();
    let (mut grey, mut seen) = (0usize, 0usize);
    for &v in raw.iter().step_by(7) {
        seen += 1;
        grey += usize::from((32..=223).contains(&v));
    }
    grey * 200 < seen
}
