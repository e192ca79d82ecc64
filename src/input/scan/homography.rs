//! A projective transform of the plane (3×3 matrix), fitted exactly from four point pairs: it carries sheet
//! millimetres to image pixels through rotation, scale, skew and a phone camera's perspective alike.

use serde::{Deserialize, Serialize};

pub use super::bend::Bend;

/// Maps (x, y) to ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)); `m` holds
/// a…h and the constant 1, row by row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Homography {
    pub m: [f64; 9],
    /// A smooth shift of the sheet (mm) applied before the projective map, when the page is bowed: a
    /// phone lens's barrel distortion or a curling sheet moves the far boxes by a millimetre, which no
    /// projective transform follows (see [`Bend`]). `None` on a flat page; fits, `compose` and `inverse`
    /// are of the projective part only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bend: Option<Bend>,
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
            Some(Homography { m, bend: None })
        } else {
            None
        }
    }

    /// The affine transform (no perspective) taking three points to three: what three corner marks fix
    /// when the fourth is torn off or covered. `None` when the three lie on one line.
    pub fn affine_from_points(from: [(f64, f64); 3], to: [(f64, f64); 3]) -> Option<Homography> {
        let det = |p: [(f64, f64); 3]| {
            (p[1].0 - p[0].0) * (p[2].1 - p[0].1) - (p[2].0 - p[0].0) * (p[1].1 - p[0].1)
        };
        let d = det(from);
        if d.abs() < 1e-9 {
            return None;
        }
        // Solve [x y 1]·(a b c) = u and the same for v by Cramer's rule.
        let solve = |vals: [f64; 3]| {
            let col = |k: usize| -> [f64; 3] {
                [0, 1, 2].map(|i| match k {
                    0 => from[i].0,
                    1 => from[i].1,
                    _ => 1.0,
                })
            };
            let det3 = |c: [[f64; 3]; 3]| {
                c[0][0] * (c[1][1] * c[2][2] - c[2][1] * c[1][2])
                    - c[1][0] * (c[0][1] * c[2][2] - c[2][1] * c[0][2])
                    + c[2][0] * (c[0][1] * c[1][2] - c[1][1] * c[0][2])
            };
            let full = [col(0), col(1), col(2)];
            let whole = det3(full);
            [0, 1, 2].map(|k| {
                let mut c = full;
                c[k] = vals;
                det3(c) / whole
            })
        };
        let [a, b, c] = solve(to.map(|p| p.0));
        let [d2, e, f] = solve(to.map(|p| p.1));
        let m = [a, b, c, d2, e, f, 0.0, 0.0, 1.0];
        m.iter()
            .all(|v| v.is_finite())
            .then_some(Homography { m, bend: None })
    }

    /// The rotation, uniform scale and shift taking two points to two: what two corner marks fix on a
    /// copier's scan, which neither shears nor stretches the page.
    pub fn similarity_from_points(
        from: [(f64, f64); 2],
        to: [(f64, f64); 2],
    ) -> Option<Homography> {
        let (fx, fy) = (from[1].0 - from[0].0, from[1].1 - from[0].1);
        let (tx, ty) = (to[1].0 - to[0].0, to[1].1 - to[0].1);
        let n = fx * fx + fy * fy;
        if n < 1e-9 {
            return None;
        }
        // (a, b) is the complex ratio t / f: scale times rotation.
        let a = (tx * fx + ty * fy) / n;
        let b = (ty * fx - tx * fy) / n;
        let c = to[0].0 - (a * from[0].0 - b * from[0].1);
        let f = to[0].1 - (b * from[0].0 + a * from[0].1);
        let m = [a, -b, c, b, a, f, 0.0, 0.0, 1.0];
        m.iter()
            .all(|v| v.is_finite())
            .then_some(Homography { m, bend: None })
    }

    /// The projective transform that best carries `from[i]` to `to[i]` over four or more pairs (least
    /// squares on the direct linear transform, both sides normalised first so millimetres and thousands
    /// of pixels weigh alike).
    pub fn fit(from: &[(f64, f64)], to: &[(f64, f64)]) -> Option<Homography> {
        if from.len() != to.len() || from.len() < 4 {
            return None;
        }
        let (nf, _) = normaliser(from)?;
        let (nt, t_back) = normaliser(to)?;
        let mut ata = [[0.0f64; 9]; 8];
        for (p, q) in from.iter().zip(to) {
            let (x, y) = nf.map(p.0, p.1);
            let (u, v) = nt.map(q.0, q.1);
            for row in [
                [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u],
                [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v],
            ] {
                for i in 0..8 {
                    for j in 0..9 {
                        ata[i][j] += row[i] * row[j];
                    }
                }
            }
        }
        let h = solve8(ata)?;
        let hn = Homography {
            m: [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0],
            bend: None,
        };
        // sheet → normalised sheet → normalised image → image.
        let m = t_back.compose(&hn).compose(&nf);
        let s = m.m[8];
        if s.abs() < 1e-12 {
            return None;
        }
        let m = m.m.map(|v| v / s);
        m.iter()
            .all(|v| v.is_finite())
            .then_some(Homography { m, bend: None })
    }

    /// The rotation, uniform scale and shift that best carries `from[i]` to `to[i]` (least squares, two
    /// or more pairs): a page placed by a few points close together (the QR code's corners and a mark)
    /// cannot fix perspective, and should not try.
    pub fn fit_similarity(from: &[(f64, f64)], to: &[(f64, f64)]) -> Option<Homography> {
        if from.len() != to.len() || from.len() < 2 {
            return None;
        }
        let n = from.len() as f64;
        let (fx, fy) = (
            from.iter().map(|p| p.0).sum::<f64>() / n,
            from.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let (tx, ty) = (
            to.iter().map(|p| p.0).sum::<f64>() / n,
            to.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let (mut sa, mut sb, mut ss) = (0.0, 0.0, 0.0);
        for (p, q) in from.iter().zip(to) {
            let (x, y) = (p.0 - fx, p.1 - fy);
            let (u, v) = (q.0 - tx, q.1 - ty);
            sa += x * u + y * v;
            sb += x * v - y * u;
            ss += x * x + y * y;
        }
        if ss < 1e-9 {
            return None;
        }
        let (a, b) = (sa / ss, sb / ss);
        let c = tx - (a * fx - b * fy);
        let f = ty - (b * fx + a * fy);
        let m = [a, -b, c, b, a, f, 0.0, 0.0, 1.0];
        m.iter()
            .all(|v| v.is_finite())
            .then_some(Homography { m, bend: None })
    }

    /// `self` after `first`: the transform mapping p to self(first(p)).
    pub fn compose(&self, first: &Homography) -> Homography {
        let (a, b) = (&self.m, &first.m);
        let mut m = [0.0f64; 9];
        for r in 0..3 {
            for c in 0..3 {
                m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
            }
        }
        Homography { m, bend: None }
    }

    #[inline]
    pub fn map(&self, x: f64, y: f64) -> (f64, f64) {
        let (x, y) = match &self.bend {
            Some(b) => b.apply(x, y),
            None => (x, y),
        };
        let m = &self.m;
        let w = m[6] * x + m[7] * y + m[8];
        (
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        )
    }

    #[inline]
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

    /// The projective part alone, without any bend.
    pub fn plain(&self) -> Homography {
        Homography {
            m: self.m,
            bend: None,
        }
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
            bend: None,
        })
    }
}

/// The shift and scale that put `points`' centroid at the origin at a mean distance of √2, and its inverse.
fn normaliser(points: &[(f64, f64)]) -> Option<(Homography, Homography)> {
    let n = points.len() as f64;
    let cx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let cy = points.iter().map(|p| p.1).sum::<f64>() / n;
    let mean = points
        .iter()
        .map(|p| ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    if mean < 1e-9 {
        return None;
    }
    let s = std::f64::consts::SQRT_2 / mean;
    let there = Homography {
        m: [s, 0.0, -s * cx, 0.0, s, -s * cy, 0.0, 0.0, 1.0],
        bend: None,
    };
    let back = Homography {
        m: [1.0 / s, 0.0, cx, 0.0, 1.0 / s, cy, 0.0, 0.0, 1.0],
        bend: None,
    };
    Some((there, back))
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
    fn three_two_and_many_points() {
        let h = Homography::from_points(
            [(0.0, 0.0), (210.0, 0.0), (210.0, 297.0), (0.0, 297.0)],
            [
                (40.0, 20.0),
                (1690.0, 95.0),
                (1600.0, 2430.0),
                (-30.0, 2350.0),
            ],
        )
        .unwrap();
        let pts: Vec<(f64, f64)> = (0..12)
            .map(|i| ((i * 37 % 210) as f64, (i * 91 % 297) as f64))
            .collect();
        let images: Vec<(f64, f64)> = pts.iter().map(|p| h.map(p.0, p.1)).collect();
        let fitted = Homography::fit(&pts, &images).unwrap();
        for (p, q) in pts.iter().zip(&images) {
            let (u, v) = fitted.map(p.0, p.1);
            assert!((u - q.0).abs() < 1e-6 && (v - q.1).abs() < 1e-6);
        }
        // A turn by 4° and a scale of 8 px/mm: three points and two points give it back exactly.
        let (c, s) = (4f64.to_radians().cos() * 8.0, 4f64.to_radians().sin() * 8.0);
        let turn = |p: (f64, f64)| (c * p.0 - s * p.1 + 50.0, s * p.0 + c * p.1 - 20.0);
        let three = [(10.0, 10.0), (200.0, 10.0), (10.0, 287.0)];
        let a = Homography::affine_from_points(three, three.map(turn)).unwrap();
        let two = Homography::similarity_from_points(
            [three[0], three[1]],
            [turn(three[0]), turn(three[1])],
        )
        .unwrap();
        for t in [a, two] {
            let (u, v) = t.map(150.0, 250.0);
            let (x, y) = turn((150.0, 250.0));
            assert!(
                (u - x).abs() < 1e-6 && (v - y).abs() < 1e-6,
                "{u},{v} vs {x},{y}"
            );
        }
        assert!(
            Homography::affine_from_points([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)], three).is_none()
        );
    }

    #[test]
    fn points_on_a_line_have_no_transform() {
        let from = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert!(Homography::from_points(from, from).is_none());
    }
}
