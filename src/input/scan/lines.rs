//! Long straight lines no pen draws: a copier streak (dirt on the glass) or a fold's crease, found on the
//! shrunk copy and painted out of a copy of the page before the bubbles are measured.
//!
//! The physical facts this rests on. Dirt on a copier's or a sheet feeder's glass sits under one sensor
//! element while the page moves past, so it darkens one thin run of image columns (or rows) from one end of
//! the image to the other, through the margins, the printed text, the gaps between boxes, the same all
//! along. A fold leaves a thin grey crease straight across the whole sheet. A pencil or pen mark stays
//! within a millimetre or two of its box: no student's mark is a line as thin as a hair running the page's
//! whole length. So a thin line darker than the paper on both its sides, found in nearly every stretch of
//! the page's length, is the copier's or the paper's, and the pixels it covers are replaced by what lies
//! just beside it on both sides (a pencil fill under it is there too; paper is paper).

use image::GrayImage;

use super::shrunk::Small;

/// Length of one stretch of a line (pixels of the shrunk copy, about 16 mm on an A4 page): the line is
/// looked for stretch by stretch, so a line a degree off the image's axes is followed too.
const STRETCH: usize = 48;
/// How much darker than the paper on both its sides (darkness, on the shrunk copy) a line must lie in a
/// row (column) of a stretch to count there: a 1-pixel streak at 300 dpi, shrunk four times, still darkens
/// its column by 0.1 or more, a fold's crease (a fifth darker over a pixel or two, beside its shade) by
/// 0.02–0.05; paper grain and JPEG noise stay under 0.01 once shrunk.
const CONTRAST: f32 = 0.02;
/// Share of a stretch's rows (columns) where the line must show: it crosses fills, print and solid black,
/// where it does not.
const IN_STRETCH: f32 = 0.6;
/// Share of the image's stretches the line must run through, the first and the last among them (the
/// margins, where nothing is printed): printed rules and box outlines stop short of the margins and
/// between blocks; a streak or a crease does not.
const ALONG: f32 = 0.85;
/// Widest line (pixels of the shrunk copy): broader dark bands (a ruler's shadow, a thick rule) are no
/// streak or crease.
const WIDEST: usize = 4;
/// Darkness a full-resolution column (row) must keep along the stretch (median) to be painted out.
const FULL_CONTRAST: f32 = 0.05;

/// One line found: per stretch along it, the full-resolution columns (rows) it covers, `[lo, hi)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// `true`: runs down the image (columns), `false`: across (rows).
    pub down: bool,
    /// Per stretch: the range along the line (full pixels) and the covered range across it.
    pub runs: Vec<((usize, usize), (usize, usize))>,
}

/// The lines found in `img` (its shrunk copy `small`).
pub(crate) fn find(img: &GrayImage, small: &Small) -> Vec<Line> {
    let mut out = Vec::new();
    for down in [true, false] {
        // Along / across sizes on the shrunk copy, and its pixel at (along, across).
        let (len, wide) = if down {
            (small.h, small.w)
        } else {
            (small.w, small.h)
        };
        if len < 4 * STRETCH || wide < 8 {
            continue;
        }
        let at = |a: usize, c: usize| -> f32 {
            if down {
                small.px[a * small.w + c] as f32
            } else {
                small.px[c * small.w + a] as f32
            }
        };
        let stretches = len / STRETCH;
        // Per stretch: the across positions where a thin line shows.
        let mut marked: Vec<Vec<bool>> = Vec::with_capacity(stretches);
        for s in 0..stretches {
            let mut count = vec![0u16; wide];
            for a in s * STRETCH..(s + 1) * STRETCH {
                for (c, n) in count.iter_mut().enumerate().take(wide - 2).skip(2) {
                    let v = at(a, c);
                    // Darker than the paper on both sides, two pixels off (a line up to three wide).
                    let side = at(a, c - 2).min(at(a, c + 2));
                    if side > 0.0 && v <= side * (1.0 - CONTRAST) {
                        *n += 1;
                    }
                }
            }
            let need = (IN_STRETCH * STRETCH as f32) as u16;
            let mut row: Vec<bool> = count.iter().map(|&n| n >= need).collect();
            // Runs wider than a thin line are no streak.
            let mut c = 0;
            while c < wide {
                if row[c] {
                    let start = c;
                    while c < wide && row[c] {
                        c += 1;
                    }
                    if c - start > WIDEST {
                        row[start..c].iter_mut().for_each(|v| *v = false);
                    }
                } else {
                    c += 1;
                }
            }
            marked.push(row);
        }
        // Follow each line from stretch to stretch, a pixel aside at most per stretch (about 1.2°).
        let mut used = vec![vec![false; wide]; stretches];
        {
            let s0 = 0;
            for c0 in 0..wide {
                if !marked[s0][c0] || used[s0][c0] {
                    continue;
                }
                let mut path: Vec<(usize, usize)> = vec![(s0, c0)];
                let mut c = c0;
                let mut misses = 0;
                for (s, row) in marked.iter().enumerate().skip(s0 + 1) {
                    let next = [c, c.saturating_sub(1), (c + 1).min(wide - 1)]
                        .into_iter()
                        .find(|&k| row[k] && !used[s][k]);
                    match next {
                        Some(k) => {
                            c = k;
                            path.push((s, k));
                            misses = 0;
                        }
                        None => {
                            misses += 1;
                            if misses > 2 {
                                break;
                            }
                        }
                    }
                }
                if (path.len() as f32) < ALONG * stretches as f32
                    || path.last().map(|p| p.0) != Some(stretches - 1)
                {
                    continue;
                }
                // A line two pixels wide is followed once, not once per pixel.
                for &(s, k) in &path {
                    for j in k.saturating_sub(1)..(k + 2).min(wide) {
                        used[s][j] = true;
                    }
                }
                let mut runs = Vec::new();
                let f = small.factor;
                let (full_len, full_wide) = if down {
                    (img.height() as usize, img.width() as usize)
                } else {
                    (img.width() as usize, img.height() as usize)
                };
                // Stretches the line skipped take the position of the stretch before.
                let mut k = 0;
                for s in 0..stretches {
                    while k + 1 < path.len() && path[k + 1].0 <= s {
                        k += 1;
                    }
                    let c = path[k].1;
                    let along = (
                        s * STRETCH * f,
                        if s + 1 == stretches {
                            full_len
                        } else {
                            (s + 1) * STRETCH * f
                        },
                    );
                    // The columns (rows) of the shrunk pixels round it, two shrunk pixels each side
                    // (a line up to four wide, followed by one of its pixels).
                    let lo = c.saturating_sub(2) * f;
                    let hi = ((c + 3) * f).min(full_wide);
                    // Where the line lies: where it was covered in the stretch before (a straight
                    // line moves a pixel or so per stretch), else the shrunk pixel it was followed by.
                    // Not the shrunk pixel alone: beside a printed stroke the shrunk copy's darkest
                    // pixel can be the stroke's, and the path steps onto it for a stretch.
                    let line_at = runs
                        .last()
                        .map(|r: &(_, (usize, usize))| r.1)
                        .unwrap_or(((c * f).min(full_wide), ((c + 1) * f).min(full_wide)));
                    if let Some(cover) = refine(img, down, along, (lo, hi), line_at) {
                        runs.push((along, cover));
                    }
                }
                out.push(Line { down, runs });
            }
        }
    }
    out
}

/// The full-resolution columns (rows) of `span` the line darkens along `along`: each compared, row by
/// row, with the paper just outside the span on both sides (the median of the rows: print and marks
/// crossing it are few), widened by a pixel each side for the scanner's blur.
///
/// Only the unbroken run of dark columns that holds the line is covered: the run with the most columns
/// in `line_at` (where the line lies, as far as is known), else the nearest to it. A
/// printed stroke a few pixels aside can be dark in over half a stretch's rows too (a box's side or a
/// letter's stem in a column of boxes: 16 mm of boxes are mostly letters and sides), and a cover reaching
/// from the line to it is painted by blending across from the stroke: a dark band through every box.
fn refine(
    img: &GrayImage,
    down: bool,
    along: (usize, usize),
    span: (usize, usize),
    line_at: (usize, usize),
) -> Option<(usize, usize)> {
    let (w, raw) = (img.width() as usize, img.as_raw());
    let full_wide = if down {
        img.width() as usize
    } else {
        img.height() as usize
    };
    let px = |a: usize, c: usize| -> f32 {
        if down {
            raw[a * w + c] as f32
        } else {
            raw[c * w + a] as f32
        }
    };
    let (left, right) = (span.0.checked_sub(2)?, span.1 + 1);
    if right >= full_wide {
        return None;
    }
    let rows: Vec<usize> = (along.0..along.1).step_by(2).collect();
    let mut ratios = Vec::with_capacity(rows.len());
    // Per column of the span: its median darkness against the paper outside (None: no paper there).
    let darkness: Vec<Option<f32>> = (span.0..span.1)
        .map(|c| {
            ratios.clear();
            for &a in &rows {
                let side = px(a, left).max(px(a, right));
                if side > 0.0 {
                    ratios.push(1.0 - px(a, c) / side);
                }
            }
            if ratios.is_empty() {
                return None;
            }
            let k = ratios.len() / 2;
            Some(*ratios.select_nth_unstable_by(k, f32::total_cmp).1)
        })
        .collect();
    let dark = |i: usize| darkness[i].is_some_and(|m| m >= FULL_CONTRAST);
    // The runs of dark columns, as [first, last] offsets into the span.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in (0..darkness.len()).filter(|&i| dark(i)) {
        match runs.last_mut() {
            Some(run) if run.1 + 1 == i => run.1 = i,
            _ => runs.push((i, i)),
        }
    }
    let (at0, at1) = (
        line_at.0.saturating_sub(span.0),
        line_at.1.saturating_sub(span.0),
    );
    // Columns of the run inside `line_at` (more is better), then its distance from it (less is better).
    let inside = |r: &(usize, usize)| (r.1 + 1).min(at1).saturating_sub(r.0.max(at0));
    let apart = |r: &(usize, usize)| at0.saturating_sub(r.1).max(r.0.saturating_sub(at1));
    let (first, last) = runs
        .iter()
        .copied()
        .max_by_key(|r| (inside(r), std::cmp::Reverse(apart(r))))?;
    let (lo, hi) = (span.0 + first, span.0 + last);
    Some((lo.saturating_sub(1).max(left + 1), (hi + 2).min(right)))
}

/// `img` with every line's pixels replaced, row by row (column by column), by the straight blend of the
/// pixels just outside it on both sides.
pub(crate) fn painted_out(img: &GrayImage, lines: &[Line]) -> GrayImage {
    let mut out = img.clone();
    let w = img.width() as usize;
    // Read from the copy as it is painted: where two lines cross, the second blends the first's paint.
    let dst: &mut [u8] = &mut out;
    for line in lines {
        for &((a0, a1), (lo, hi)) in &line.runs {
            let (before, after) = (lo - 1, hi);
            let span = (after - before) as f32;
            for a in a0..a1 {
                let idx = |c: usize| if line.down { a * w + c } else { c * w + a };
                let (p, q) = (dst[idx(before)] as f32, dst[idx(after)] as f32);
                for c in lo..hi {
                    let t = (c - before) as f32 / span;
                    dst[idx(c)] = (p + (q - p) * t).round() as u8;
                }
            }
        }
    }
    out
}
