//! Registration: finds the four corner marks in a page image, decides which way up the sheet lies, and fits
//! the projective transform from sheet millimetres to image pixels.
//!
//! Marks are looked for on a copy shrunk to about 900 pixels on its longer side, so the cost does not grow
//! with the scanner's resolution; their centres are then refined on the full image.

use image::GrayImage;

use super::ReadError;
use super::geometry::{Corner, SheetGeometry};
use super::homography::Homography;

/// Longer side of the shrunk copy the marks are searched on.
const WORKING_SIDE: usize = 900;

/// The image with what every later step needs: a shrunk copy and the local paper white.
pub(crate) struct Prepared<'a> {
    pub img: &'a GrayImage,
    pub small: Small,
    white: WhiteMap,
}

/// A box-averaged copy of the image, `factor` times smaller on each side.
pub(crate) struct Small {
    pub w: usize,
    pub h: usize,
    pub factor: usize,
    pub px: Vec<u8>,
}

/// The paper's own brightness around each point, so darkness is measured against the paper beside a
/// bubble even when a phone photo is lit unevenly.
struct WhiteMap {
    cols: usize,
    rows: usize,
    /// Side of one cell in full-image pixels.
    cell: usize,
    vals: Vec<f32>,
}

impl<'a> Prepared<'a> {
    pub fn new(img: &'a GrayImage) -> Prepared<'a> {
        let small = Small::of(img);
        let white = WhiteMap::of(&small);
        Prepared { img, small, white }
    }

    /// Darkness of the pixel nearest (x, y) relative to the paper around it: 0 paper white, 1 black;
    /// `None` outside the image.
    #[inline]
    pub fn darkness(&self, x: f32, y: f32) -> Option<f32> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let (xi, yi) = (x as u32, y as u32);
        if xi >= self.img.width() || yi >= self.img.height() {
            return None;
        }
        let v = self.img.as_raw()[yi as usize * self.img.width() as usize + xi as usize] as f32;
        let white = self.white.at(xi as usize, yi as usize);
        Some((1.0 - v / white).clamp(0.0, 1.0))
    }

    /// The darkest of a few samples along the segment from (x0, y0) to (x1, y1): finds a thin printed line
    /// near where it is expected even when registration is off by a fraction of a millimetre.
    fn darkest_along(&self, x0: f32, y0: f32, x1: f32, y1: f32, steps: usize) -> Option<f32> {
        let mut best: Option<f32> = None;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            if let Some(d) = self.darkness(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) {
                best = Some(best.map_or(d, |b| b.max(d)));
            }
        }
        best
    }
}

impl Small {
    fn of(img: &GrayImage) -> Small {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let factor = w.max(h).div_ceil(WORKING_SIDE);
        let factor = factor.max(1);
        let (sw, sh) = (w / factor, h / factor);
        let raw = img.as_raw();
        let mut px = vec![0u8; sw * sh];
        let mut sums = vec![0u32; sw];
        let area = (factor * factor) as u32;
        for sy in 0..sh {
            sums.iter_mut().for_each(|s| *s = 0);
            for y in sy * factor..(sy + 1) * factor {
                let row = &raw[y * w..y * w + sw * factor];
                for (sx, chunk) in row.chunks_exact(factor).enumerate() {
                    sums[sx] += chunk.iter().map(|&v| v as u32).sum::<u32>();
                }
            }
            for sx in 0..sw {
                px[sy * sw + sx] = (sums[sx] / area) as u8;
            }
        }
        Small {
            w: sw,
            h: sh,
            factor,
            px,
        }
    }
}

impl WhiteMap {
    fn of(small: &Small) -> WhiteMap {
        const B: usize = 8;
        let cols = small.w.div_ceil(B).max(1);
        let rows = small.h.div_ceil(B).max(1);
        let mut block = vec![0.0f32; cols * rows];
        let mut buf = Vec::with_capacity(B * B);
        for r in 0..rows {
            for c in 0..cols {
                buf.clear();
                for y in r * B..((r + 1) * B).min(small.h) {
                    for x in c * B..((c + 1) * B).min(small.w) {
                        buf.push(small.px[y * small.w + x]);
                    }
                }
                buf.sort_unstable();
                // The 90th percentile: the paper, not one bright speck of noise.
                block[r * cols + c] = buf.get(buf.len() * 9 / 10).copied().unwrap_or(255) as f32;
            }
        }
        // Cells covered by a mark or a filled bubble take the paper of their neighbours.
        let mut vals = vec![0.0f32; cols * rows];
        for r in 0..rows {
            for c in 0..cols {
                let mut m = 0.0f32;
                for rr in r.saturating_sub(2)..(r + 3).min(rows) {
                    for cc in c.saturating_sub(2)..(c + 3).min(cols) {
                        m = m.max(block[rr * cols + cc]);
                    }
                }
                vals[r * cols + c] = m.max(32.0);
            }
        }
        WhiteMap {
            cols,
            rows,
            cell: B * small.factor,
            vals,
        }
    }

    #[inline]
    fn at(&self, x: usize, y: usize) -> f32 {
        let c = (x / self.cell).min(self.cols - 1);
        let r = (y / self.cell).min(self.rows - 1);
        self.vals[r * self.cols + c]
    }
}

/// How a page lies in its image.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// Sheet mm → image pixels.
    pub to_image: Homography,
    /// Quarter turns clockwise the sheet is rotated by in the image: 0 upright, 2 upside down.
    pub quarter_turns: u8,
    /// How much darker the printed bubble outlines are than the paper beside them, where the transform
    /// puts them (0–1): low means the marks found are not this sheet's.
    pub outline_contrast: f32,
    /// Image pixels per sheet millimetre around the page centre.
    pub pixels_per_mm: f32,
}

/// A dark connected region of the shrunk image.
#[derive(Debug, Clone, Copy)]
struct Blob {
    area: u32,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    cx: f64,
    cy: f64,
}

impl Blob {
    fn bw(&self) -> usize {
        self.x1 - self.x0 + 1
    }
    fn bh(&self) -> usize {
        self.y1 - self.y0 + 1
    }
    fn fill(&self) -> f64 {
        self.area as f64 / (self.bw() * self.bh()) as f64
    }
    fn aspect(&self) -> f64 {
        self.bw() as f64 / self.bh() as f64
    }
}

/// The image's four corners clockwise from the top left, as the directions marks are searched towards.
const IMAGE_CORNERS: [&str; 4] = ["top-left", "top-right", "bottom-right", "bottom-left"];

/// Finds the corner marks and fits the sheet → image transform.
pub(crate) fn register(page: &Prepared, geom: &SheetGeometry) -> Result<Registration, ReadError> {
    let small = &page.small;
    if small.w < 40 || small.h < 40 {
        return Err(ReadError::TooSmall {
            width: page.img.width(),
            height: page.img.height(),
        });
    }
    let blobs = dark_blobs(small);
    let picks = pick_corner_blobs(&blobs, small)?;

    // Centres on the full image, to a fraction of a pixel.
    let mut points = [(0.0f64, 0.0f64); 4];
    let mut areas = [0.0f64; 4];
    for (i, b) in picks.iter().enumerate() {
        let (x, y, area) = refine(page.img, b, small.factor);
        points[i] = (x, y);
        areas[i] = area;
    }

    let sheet: Vec<(f64, f64)> = Corner::CLOCKWISE
        .iter()
        .map(|&c| {
            let m = geom.mark(c).expect("validated geometry has every corner");
            (m.centre_x as f64, m.centre_y as f64)
        })
        .collect();
    let sheet = [sheet[0], sheet[1], sheet[2], sheet[3]];

    // Which image corner holds the sheet's top-left mark: the turn whose bubble outlines line up best.
    let mut best: Option<Registration> = None;
    for turns in 0..4u8 {
        let to = [0, 1, 2, 3].map(|j| points[(j + turns as usize) % 4]);
        let Some(h) = Homography::from_points(sheet, to) else {
            continue;
        };
        let contrast = outline_contrast(page, geom, &h);
        if best.is_none_or(|b| contrast > b.outline_contrast) {
            let (cx, cy) = (
                geom.page_width_mm as f64 / 2.0,
                geom.page_height_mm as f64 / 2.0,
            );
            best = Some(Registration {
                to_image: h,
                quarter_turns: turns,
                outline_contrast: contrast,
                pixels_per_mm: h.local_scale(cx, cy) as f32,
            });
        }
    }
    let reg = best.ok_or(ReadError::CornerMarks {
        detail: "the four marks found lie on one line".into(),
    })?;

    // Each mark must be as large as the transform says a printed mark is there: a bubble or a speck
    // standing in for a cut-off mark fails this.
    let mut wrong = Vec::new();
    for (j, &corner) in Corner::CLOCKWISE.iter().enumerate() {
        let m = geom.mark(corner).expect("validated");
        let s = m.size as f64 / 2.0;
        let (cx, cy) = (m.centre_x as f64, m.centre_y as f64);
        let q =
            [(-s, -s), (s, -s), (s, s), (-s, s)].map(|(dx, dy)| reg.to_image.map(cx + dx, cy + dy));
        let predicted = polygon_area(&q);
        let i = (j + reg.quarter_turns as usize) % 4;
        let ratio = areas[i] / predicted.max(1.0);
        if !(0.45..=1.9).contains(&ratio) {
            wrong.push(IMAGE_CORNERS[i]);
        }
    }
    if !wrong.is_empty() {
        return Err(ReadError::CornerMarks {
            detail: format!(
                "no corner mark of the right size near the image's {} corner (cut off, covered or not this sheet?)",
                wrong.join(" and ")
            ),
        });
    }
    if reg.outline_contrast < MIN_OUTLINE_CONTRAST {
        return Err(ReadError::NotThisSheet {
            contrast: reg.outline_contrast,
        });
    }
    Ok(reg)
}

/// Below this the printed bubble outlines are not where the sheet geometry puts them.
pub(crate) const MIN_OUTLINE_CONTRAST: f32 = 0.06;

fn polygon_area(q: &[(f64, f64); 4]) -> f64 {
    let mut a = 0.0;
    for i in 0..4 {
        let (x0, y0) = q[i];
        let (x1, y1) = q[(i + 1) % 4];
        a += x0 * y1 - x1 * y0;
    }
    a.abs() / 2.0
}

/// Dark regions of the shrunk image, dark meaning well below the local mean brightness, so uneven
/// lighting does not merge a phone photo's shadowed corner into one blob.
fn dark_blobs(small: &Small) -> Vec<Blob> {
    let (w, h) = (small.w, small.h);
    // Integral image for local means.
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += small.px[y * w + x] as u32;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = (w.max(h) / 40).max(4);
    let mut dark = vec![false; w * h];
    for y in 0..h {
        let (ya, yb) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (xa, xb) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = integral[yb * (w + 1) + xb] + integral[ya * (w + 1) + xa]
                - integral[ya * (w + 1) + xb]
                - integral[yb * (w + 1) + xa];
            let n = ((yb - ya) * (xb - xa)) as u32;
            // Darker than 60 % of the neighbourhood's mean.
            dark[y * w + x] = (small.px[y * w + x] as u32) * 100 * n < sum * 60;
        }
    }
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut blobs = Vec::new();
    for start in 0..w * h {
        if !dark[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut b = Blob {
            area: 0,
            x0: usize::MAX,
            y0: usize::MAX,
            x1: 0,
            y1: 0,
            cx: 0.0,
            cy: 0.0,
        };
        let mut touches_edge = false;
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            b.area += 1;
            b.x0 = b.x0.min(x);
            b.x1 = b.x1.max(x);
            b.y0 = b.y0.min(y);
            b.y1 = b.y1.max(y);
            b.cx += x as f64;
            b.cy += y as f64;
            if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
                touches_edge = true;
            }
            let mut visit = |q: usize| {
                if dark[q] && !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < w {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - w);
            }
            if y + 1 < h {
                visit(p + w);
            }
        }
        // A mark cut by the image's edge is not a mark: its centre would be wrong.
        if touches_edge {
            continue;
        }
        b.cx /= b.area as f64;
        b.cy /= b.area as f64;
        blobs.push(b);
    }
    blobs
}

/// One solid square-ish blob per image corner: the one furthest towards that corner among blobs of
/// about the marks' size.
fn pick_corner_blobs(blobs: &[Blob], small: &Small) -> Result<[Blob; 4], ReadError> {
    let squares: Vec<&Blob> = blobs
        .iter()
        .filter(|b| {
            b.area >= 12
                && b.bw() >= 3
                && b.bh() >= 3
                && (0.6..=1.67).contains(&b.aspect())
                && b.fill() >= 0.65
        })
        .collect();
    if squares.is_empty() {
        return Err(ReadError::CornerMarks {
            detail: "no solid square marks in the image (a blank or unreadable page?)".into(),
        });
    }
    // The marks' expected area: the largest clearly square blobs.
    let mut very: Vec<u32> = squares
        .iter()
        .filter(|b| (0.75..=1.33).contains(&b.aspect()) && b.fill() >= 0.8)
        .map(|b| b.area)
        .collect();
    very.sort_unstable_by(|a, b| b.cmp(a));
    very.truncate(4);
    let mut reference = median_u32(&very).unwrap_or_else(|| squares[0].area) as f64;

    let dirs: [(f64, f64); 4] = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let mut picks: [Option<Blob>; 4] = [None; 4];
    for _ in 0..3 {
        for (k, (dx, dy)) in dirs.iter().enumerate() {
            picks[k] = squares
                .iter()
                .filter(|b| {
                    let a = b.area as f64;
                    a >= 0.4 * reference && a <= 2.5 * reference
                })
                .max_by(|a, b| (a.cx * dx + a.cy * dy).total_cmp(&(b.cx * dx + b.cy * dy)))
                .map(|b| **b);
        }
        let areas: Vec<u32> = picks.iter().flatten().map(|b| b.area).collect();
        match median_u32(&areas) {
            Some(m) if (m as f64 - reference).abs() > 0.05 * reference => reference = m as f64,
            _ => break,
        }
    }

    // Each corner's pick must be its own and lie in its own quarter of the image.
    let mut missing = Vec::new();
    for k in 0..4 {
        let ok = picks[k].is_some_and(|b| {
            let left = b.cx < small.w as f64 / 2.0;
            let top = b.cy < small.h as f64 / 2.0;
            let quarter = match k {
                0 => left && top,
                1 => !left && top,
                2 => !left && !top,
                _ => left && !top,
            };
            let unique = (0..4).all(|j| {
                j == k || picks[j].is_none_or(|o| o.cx != b.cx || o.cy != b.cy || o.area != b.area)
            });
            quarter && unique
        });
        if !ok {
            missing.push(IMAGE_CORNERS[k]);
        }
    }
    if !missing.is_empty() {
        return Err(ReadError::CornerMarks {
            detail: format!(
                "no corner mark near the image's {} corner (cut off or covered?)",
                missing.join(" and ")
            ),
        });
    }
    Ok(picks.map(|p| p.expect("checked above")))
}

fn median_u32(v: &[u32]) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    Some(s[s.len() / 2])
}

/// The mark's centre and area on the full image: the centroid of the pixels darker than halfway between
/// the paper and the mark, in a window a little larger than the blob.
fn refine(img: &GrayImage, b: &Blob, factor: usize) -> (f64, f64, f64) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let pad_x = b.bw() / 2 + 1;
    let pad_y = b.bh() / 2 + 1;
    let x0 = b.x0.saturating_sub(pad_x) * factor;
    let y0 = b.y0.saturating_sub(pad_y) * factor;
    let x1 = ((b.x1 + 1 + pad_x) * factor).min(w);
    let y1 = ((b.y1 + 1 + pad_y) * factor).min(h);
    let raw = img.as_raw();
    let mut hist = [0u32; 256];
    for y in y0..y1 {
        for &v in &raw[y * w + x0..y * w + x1] {
            hist[v as usize] += 1;
        }
    }
    let total: u32 = hist.iter().sum();
    let pct = |p: f64| {
        let target = (total as f64 * p) as u32;
        let mut acc = 0;
        for (v, &n) in hist.iter().enumerate() {
            acc += n;
            if acc > target {
                return v as u32;
            }
        }
        255
    };
    let (black, white) = (pct(0.05), pct(0.95));
    let mid = (black + white) / 2;
    let (mut sx, mut sy, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in y0..y1 {
        for (i, &v) in raw[y * w + x0..y * w + x1].iter().enumerate() {
            if (v as u32) < mid {
                sx += (x0 + i) as f64;
                sy += y as f64;
                n += 1.0;
            }
        }
    }
    if n == 0.0 {
        let f = factor as f64;
        return ((b.cx + 0.5) * f, (b.cy + 0.5) * f, b.area as f64 * f * f);
    }
    // Pixel centres sit half a pixel in from their corners.
    (sx / n + 0.5, sy / n + 0.5, n)
}

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
