//! A projective transform of the plane (3×3 matrix), fitted exactly from four point pairs: it carries sheet
//! millimetres to image pixels through rotation, scale, skew and a phone camera's perspective alike.

use serde::{Deserialize, Serialize};

/// Maps (x, y) to ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)); `m` holds
/// a…h and the constant 1, row by row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Homography {
    pub m: [f64; 9],
}

impl Homography {
    /// The transform taking each `from[i]` to `to[i]`; `None` when three of the points are (nearly) on one
    /// line, which no real page produces.
    pub fn from_points(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Homography> {
        // Eight equations in the eight unknowns a..h (the direct linear transform with h33 = 1).
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let (x, y) = from[i];
            let (u, v) = to[i];
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        let h = solve8(a)?;
        let m = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0];
        if m.iter().all(|v| v.is_finite()) {
            Some(Homography { m })
        } else {
            None
        }
    }

    pub fn map(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.m;
        let w = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }

    pub fn map_f32(&self, x: f32, y: f32) -> (f32, f32) {
        let (u, v) = self.map(x as f64, y as f64);
        (u as f32, v as f32)
    }

    /// How many image units one source unit spans around (x, y): the square root of the local area scale.
    pub fn local_scale(&self, x: f64, y: f64) -> f64 {
        let (x0, y0) = self.map(x, y);
        let (x1, y1) = self.map(x + 1.0, y);
        let (x2, y2) = self.map(x, y + 1.0);
        ((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)).abs().sqrt()
    }

    pub fn inverse(&self) -> Option<Homography> {
        let m = &self.m;
        let inv = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let det = m[0] * inv[0] + m[1] * inv[3] + m[2] * inv[6];
        if det.abs() < 1e-12 || inv[8].abs() < 1e-12 {
            return None;
        }
        let s = inv[8];
        Some(Homography {
            m: inv.map(|v| v / s),
        })
    }
}

/// Gaussian elimination with partial pivoting on an 8×8 system given as an augmented matrix.
fn solve8(mut a: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = a[row][col] / a[col][col];
                if f != 0.0 {
                    let pivot = a[col];
                    for (v, p) in a[row].iter_mut().zip(pivot).skip(col) {
                        *v -= f * p;
                    }
                }
            }
        }
    }
    let mut x = [0.0; 8];
    for i in 0..8 {
        x[i] = a[i][8] / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_points_fit_exactly_and_invert() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 150.0), (0.0, 150.0)];
        let to = [(12.0, 30.0), (830.0, 55.0), (790.0, 1310.0), (-4.0, 1200.0)];
        let h = Homography::from_points(from, to).unwrap();
        for (p, q) in from.iter().zip(&to) {
            let (u, v) = h.map(p.0, p.1);
            assert!(
                (u - q.0).abs() < 1e-6 && (v - q.1).abs() < 1e-6,
                "{u},{v} vs {q:?}"
            );
        }
        let inv = h.inverse().unwrap();
        let (x, y) = inv.map(h.map(37.0, 91.0).0, h.map(37.0, 91.0).1);
        assert!((x - 37.0).abs() < 1e-6 && (y - 91.0).abs() < 1e-6);
        assert!(h.local_scale(50.0, 75.0) > 5.0);
    }

    #[test]
    fn points_on_a_line_have_no_transform() {
        let from = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert!(Homography::from_points(from, from).is_none());
    }
}
