//! A tick's long arm reaching into the next box: a √ drawn on one bubble often runs its long arm up
//! across the gap into the bubble above (or beside) it, where it reads as a stroke or a small mark of
//! that bubble's own. Ink that crosses the gap as one unbroken line from a bubble holding more strokes
//! is that bubble's; the bubble it reaches goes to a person instead of being read.

use super::geometry::BoxMm;

/// How close (mm) to a box a run of ink must come to touch it: the printed outline reads as no ink
/// once the print is taken away, and with the grid step either side of it that gap is about 0.3 mm.
const TOUCH: f32 = 0.4;

/// Whether a line of ink runs unbroken across the contour round a bubble (`residual`, `depths` samples
/// per station inside out, `at(station, depth)` their place in mm) from its own box `own` to the box
/// `other`: a connected run of samples at least `ink` dark (stations next to each other and depths
/// next to each other, diagonals too, so a slanted line stays one) outside `own`, from within
/// [`TOUCH`] of it to within [`TOUCH`] of `other` (or inside it). Samples `explained` (another mark's
/// reach) are left out.
pub(super) fn line_joins(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
    other: &BoxMm,
) -> bool {
    if depths == 0 {
        return false;
    }
    let stations = residual.len() / depths;
    let n = stations * depths;
    let mut seen = vec![false; n];
    let inked = |k: usize| residual[k] >= ink;
    // Samples outside `own`'s box only: its inside holds its own ink, which would join any two lines.
    let outside = |k: usize| {
        let (x, y) = at(k / depths, k % depths);
        distance(own, x, y) > 0.0
    };
    for startk in 0..n {
        if seen[startk] || !inked(startk) || !outside(startk) {
            continue;
        }
        let (x, y) = at(startk / depths, startk % depths);
        if distance(own, x, y) > TOUCH {
            continue;
        }
        // Every sample joined to this one.
        let mut stack = vec![startk];
        seen[startk] = true;
        while let Some(k) = stack.pop() {
            let (x, y) = at(k / depths, k % depths);
            if distance(other, x, y) <= TOUCH {
                return true;
            }
            let (s, d) = ((k / depths) as i64, (k % depths) as i64);
            for ds in -1..=1i64 {
                for dd in -1..=1i64 {
                    let (s2, d2) = ((s + ds).rem_euclid(stations as i64), d + dd);
                    if d2 < 0 || d2 >= depths as i64 {
                        continue;
                    }
                    let k2 = s2 as usize * depths + d2 as usize;
                    if !seen[k2] && inked(k2) && outside(k2) {
                        seen[k2] = true;
                        stack.push(k2);
                    }
                }
            }
        }
    }
    false
}

/// Distance (mm) from a point to a box, 0 inside it.
fn distance(o: &BoxMm, x: f32, y: f32) -> f32 {
    let dx = (o.x - x).max(x - o.x - o.w).max(0.0);
    let dy = (o.y - y).max(y - o.y - o.h).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bubble's bottom side as 20 stations 0.2 mm apart along x (0–4 mm), looking down from y = 3
    /// (its box 0–4 × 0–3), a sample every 0.1 mm from 0.3 mm inside to 1.5 mm out; the box below
    /// begins at y = 4.3.
    const DEPTHS: usize = 19;
    fn at(s: usize, d: usize) -> (f32, f32) {
        (0.1 + 0.2 * s as f32, 2.7 + 0.1 * d as f32)
    }
    fn own() -> BoxMm {
        BoxMm {
            x: 0.0,
            y: 0.0,
            w: 4.0,
            h: 3.0,
        }
    }
    fn below() -> BoxMm {
        BoxMm {
            x: 0.0,
            y: 4.3,
            w: 4.0,
            h: 3.0,
        }
    }
    /// The samples on the segment from `(x0, y0)` to `(x1, y1)` (mm), 0.4 mm wide, at `dark`.
    fn line(x0: f32, y0: f32, x1: f32, y1: f32, dark: f32) -> Vec<f32> {
        let mut r = vec![0.0f32; 20 * DEPTHS];
        for (k, v) in r.iter_mut().enumerate() {
            let (x, y) = at(k / DEPTHS, k % DEPTHS);
            let (dx, dy) = (x1 - x0, y1 - y0);
            let t = (((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            let (px, py) = (x0 + t * dx - x, y0 + t * dy - y);
            if (px * px + py * py).sqrt() <= 0.2 {
                *v = dark;
            }
        }
        r
    }

    #[test]
    fn a_slanted_line_across_the_gap_joins_the_boxes() {
        // A tick's arm from the box below, up and to the right, into this one.
        let r = line(1.0, 5.0, 2.0, 2.5, 0.5);
        assert!(line_joins(&r, DEPTHS, at, 0.2, &own(), &below()));
        // Too light for this sheet's ink: no line.
        assert!(!line_joins(&r, DEPTHS, at, 0.6, &own(), &below()));
    }

    #[test]
    fn a_line_that_stops_short_in_the_gap_joins_nothing() {
        // A tick's vertex dipping 0.5 mm below this box, paper under it.
        let r = line(1.0, 2.5, 1.3, 3.5, 0.5);
        assert!(!line_joins(&r, DEPTHS, at, 0.2, &own(), &below()));
        // An overrun of the box below reaching up 0.6 mm, paper above it.
        let r = line(0.5, 3.7, 3.5, 3.7, 0.5);
        assert!(!line_joins(&r, DEPTHS, at, 0.2, &own(), &below()));
        assert!(!line_joins(
            &[0.0; 20 * DEPTHS],
            DEPTHS,
            at,
            0.2,
            &own(),
            &below()
        ));
    }
}
