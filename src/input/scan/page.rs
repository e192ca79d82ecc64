//! The page image made ready for reading, once: a shrunk copy, the paper's own white around each point,
//! copier streaks and fold creases painted out, and what the corner-mark search found (kept here so a
//! multi-page sheet's second registration does not search again).

use image::GrayImage;

use super::shrunk::Small;

/// The image with what every later step needs: a shrunk copy and the local paper white.
pub(crate) struct Prepared<'a> {
    pub img: &'a GrayImage,
    pub small: Small,
    white: WhiteMap,
    /// The page with its copier streaks and fold creases painted out (see [`super::lines`]), when it has
    /// any: the bubbles are measured on it.
    clean: Option<GrayImage>,
    /// The lines painted out of `clean`.
    lines: Vec<super::lines::Line>,
    /// The corner marks found and refined, once: a page of a multi-page sheet looks for them first to cut
    /// out its QR code (`marks::corner_fits`), then again to register against the layout the code names.
    pub(crate) marks: std::cell::OnceCell<[Option<Found>; 4]>,
    /// The page's print measured against its own darkness, for a page the marks above do not place.
    pub(crate) faint: std::cell::OnceCell<FaintPrint>,
}

/// The paper's own brightness around each point, so darkness is measured against the paper beside a
/// bubble even when a phone photo is lit unevenly.
struct WhiteMap {
    cols: usize,
    rows: usize,
    /// Side of one cell in full-image pixels.
    cell: usize,
    vals: Vec<f32>,
    /// The cell column of each image column and the first value of each image row's cells: a page's
    /// bubble samples ask for the paper about a million times, and two 64-bit divisions a look-up cost
    /// more than the rest of a sample.
    col_of: Vec<u32>,
    row_start: Vec<u32>,
}

impl<'a> Prepared<'a> {
    pub fn new(img: &'a GrayImage) -> Prepared<'a> {
        let small = Small::of(img);
        let white = WhiteMap::of(&small, img.width() as usize, img.height() as usize);
        let lines = super::lines::find(img, &small);
        let clean = (!lines.is_empty()).then(|| super::lines::painted_out(img, &lines));
        Prepared {
            img,
            small,
            white,
            clean,
            lines,
            marks: std::cell::OnceCell::new(),
            faint: std::cell::OnceCell::new(),
        }
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

    /// The pixels the bubbles are measured on: the image, with any copier streak or fold crease painted
    /// out.
    #[inline]
    pub fn pixels(&self) -> &GrayImage {
        self.clean.as_ref().unwrap_or(self.img)
    }

    /// Whether a copier streak or a crease was painted out of the pixels anywhere in the image-space
    /// rectangle `[u0, u1] × [v0, v1]`: what print it crossed there is the painting's, not the sheet's.
    pub fn painted_in(&self, (u0, u1): (f32, f32), (v0, v1): (f32, f32)) -> bool {
        self.lines.iter().any(|l| {
            l.runs.iter().any(|&((a0, a1), (lo, hi))| {
                let ((x0, x1), (y0, y1)) = if l.down {
                    ((lo, hi), (a0, a1))
                } else {
                    ((a0, a1), (lo, hi))
                };
                (x0 as f32) <= u1 && u0 < x1 as f32 && (y0 as f32) <= v1 && v0 < y1 as f32
            })
        })
    }

    /// The paper's brightness around full-image pixel (x, y), for measuring darkness against it.
    #[inline]
    pub fn paper(&self, x: usize, y: usize) -> f32 {
        self.white.at(x, y)
    }

    /// The darkest of a few samples along the segment from (x0, y0) to (x1, y1): finds a thin printed line
    /// near where it is expected even when registration is off by a fraction of a millimetre.
    pub(crate) fn darkest_along(
        &self,
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        steps: usize,
    ) -> Option<f32> {
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

impl WhiteMap {
    fn of(small: &Small, width: usize, height: usize) -> WhiteMap {
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
                // The 90th percentile: the paper, not one bright speck of noise.
                let k = buf.len() * 9 / 10;
                block[r * cols + c] = if k < buf.len() {
                    kth_smallest(&buf, k) as f32
                } else {
                    255.0
                };
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
        let cell = B * small.factor;
        WhiteMap {
            cols,
            rows,
            cell,
            vals,
            col_of: (0..width)
                .map(|x| (x / cell).min(cols - 1) as u32)
                .collect(),
            row_start: (0..height)
                .map(|y| ((y / cell).min(rows - 1) * cols) as u32)
                .collect(),
        }
    }

    /// The paper at full-image pixel (x, y): the value of the cell it lies in (the nearest cell beyond
    /// the image's last whole cells).
    #[inline]
    fn at(&self, x: usize, y: usize) -> f32 {
        match (self.col_of.get(x), self.row_start.get(y)) {
            (Some(&c), Some(&r)) => self.vals[r as usize + c as usize],
            _ => {
                let c = (x / self.cell).min(self.cols - 1);
                let r = (y / self.cell).min(self.rows - 1);
                self.vals[r * self.cols + c]
            }
        }
    }
}

/// The `k`-th smallest of `values` (`k` < their count, at most 65,535 of them): counted by the high
/// four bits, then by the low four within the high bits' bucket it falls in. The value selecting would
/// give, in two passes over the values instead of a partitioning (a page has thousands of paper cells).
fn kth_smallest(values: &[u8], k: usize) -> u8 {
    let mut high = [0u16; 16];
    for &v in values {
        high[(v >> 4) as usize] += 1;
    }
    let (mut bucket, mut below) = (15usize, 0usize);
    for (b, &n) in high.iter().enumerate() {
        if below + n as usize > k {
            bucket = b;
            break;
        }
        below += n as usize;
    }
    let mut low = [0u16; 16];
    for &v in values {
        if (v >> 4) as usize == bucket {
            low[(v & 15) as usize] += 1;
        }
    }
    let mut rank = k - below;
    for (b, &n) in low.iter().enumerate() {
        if rank < n as usize {
            return (bucket << 4 | b) as u8;
        }
        rank -= n as usize;
    }
    255
}

/// A corner mark found in the image: its centre and area on the full image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    pub x: f64,
    pub y: f64,
    pub area: f64,
}

/// A page's print measured relative to its own darkness. A printer low on toner (or set to save it) lays
/// less toner everywhere, evenly or in bands down the page: black comes out grey 120–180, but the corner
/// squares stay squares of their printed size and the QR code and the bubble grid keep their geometry. So
/// the page's darkest print — its corner squares — is its black, and the marks are searched for again
/// halfway down to that black instead of to full-strength toner.
pub(crate) struct FaintPrint {
    /// Small-image pixels of print found at the lightest cut that is still print (0 on a blank page).
    pub ink: u64,
    /// The darkness of the page's corner squares against the paper (0 when there are none).
    pub black: f32,
    /// The corner marks found halfway down to `black`, when the print is faint but there.
    pub marks: Option<[Option<Found>; 4]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_picks_the_value_selecting_picks() {
        let mut seed = 7u32;
        for len in 1..=64usize {
            for spread in [1u32, 3, 40, 256] {
                let values: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        (200 + (seed >> 16) % spread) as u8
                    })
                    .collect();
                for k in 0..len {
                    let mut sorted = values.clone();
                    assert_eq!(kth_smallest(&values, k), *sorted.select_nth_unstable(k).1);
                }
            }
        }
    }

    #[test]
    fn the_paper_looked_up_by_table_is_the_cell_the_division_names() {
        // Sizes whose last cells are whole and cut short, shrunk by 1 and by several.
        for (w, h) in [(300, 220), (2480, 3508), (917, 1301), (40, 2000)] {
            let img = GrayImage::from_fn(w, h, |x, y| {
                image::Luma([(120 + (x * 31 + y * 17) % 130) as u8])
            });
            let page = Prepared::new(&img);
            let white = &page.white;
            let by_division = |x: usize, y: usize| {
                let c = (x / white.cell).min(white.cols - 1);
                let r = (y / white.cell).min(white.rows - 1);
                white.vals[r * white.cols + c]
            };
            let (w, h) = (w as usize, h as usize);
            for y in (0..h + 40).step_by(3) {
                for x in (0..w + 40).step_by(5) {
                    assert_eq!(
                        white.at(x, y).to_bits(),
                        by_division(x, y).to_bits(),
                        "({x}, {y})"
                    );
                }
            }
        }
    }
}
