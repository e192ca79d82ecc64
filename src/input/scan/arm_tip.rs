//! A check's exit stroke ending under a box of the row above: the line seen under a blank box is then
//! no underline of its own.
//!
//! The physical facts this rests on. A student underlines a letter along the row, the pen following the
//! printed line of boxes: the stroke lies level under the box (within a few degrees). A check √ drawn in
//! one motion turns at its vertex, low in the meant box, and leaves with a straight exit stroke rising
//! to the right; when it is long (a hasty hand), it climbs across the 1.4 mm gap between rows and its
//! tip stops just under, or just inside, a box one or two letters along on the row above. To get there
//! from a vertex a box or two to the left it must rise steeply: about 3–4 mm over 6–12 mm, 15–30°. So
//! ink under a box that climbs to the right by more than [`RISE`] per mm, with ink in a box of the row
//! below to its left (where the vertex lies), is the end of that stroke as likely as a line of this box's
//! own: a person decides.

/// The slope (mm of climb per mm to the right) above which a line under a box is no underline drawn
/// along the row: 9°. A check's arm reaching the row above climbs at 15° and more; an underline drawn
/// freehand under a 5 mm box stays within about 5° of the row.
const RISE: f32 = 0.16;
/// Stations along the bottom edge that must hold the line for its slope to be judged.
const MIN_STATIONS: usize = 3;

/// Whether the ink under a box climbs to the right: per station on its bottom edge (`stations`, bit 2
/// the bottom; `residual` holds `depths` samples a station inside out, `at(station, depth)` their place
/// in sheet mm, y down), the middle of the first run of samples at least `ink` dark, and the slope of a
/// straight line fitted through them; the line rises by more than [`RISE`] per mm to the right.
pub(super) fn climbs_to_the_right(
    residual: &[f32],
    depths: usize,
    stations: &[(u8, f32)],
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
) -> bool {
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for (k, &(sides, _)) in stations.iter().enumerate() {
        if sides != 2 {
            continue;
        }
        let row = &residual[k * depths..(k + 1) * depths];
        let Some(first) = super::underline::ink_runs(row, ink, |_| true)
            .into_iter()
            .next()
        else {
            continue;
        };
        if first.len() >= 2 {
            let (mut sx, mut sy) = (0.0f32, 0.0f32);
            for d in first.start..first.end {
                let (x, y) = at(k, d);
                sx += x;
                sy += y;
            }
            let n = first.len() as f32;
            pts.push((sx / n, sy / n));
        }
    }
    if pts.len() < MIN_STATIONS {
        return false;
    }
    let m = pts.len() as f32;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f32>() / m,
        pts.iter().map(|p| p.1).sum::<f32>() / m,
    );
    let (mut sxy, mut sxx) = (0.0f32, 0.0f32);
    for &(x, y) in &pts {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    if sxx < 1e-6 {
        return false;
    }
    // y grows downwards: a line climbing to the right has a negative slope.
    -sxy / sxx > RISE
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten stations under a box 5 mm wide (x 0.5–4.5), each looking down from y = 3.2, a sample every
    /// 0.1 mm from 0.3 mm inside to 1.5 mm out.
    const DEPTHS: usize = 19;
    fn at(s: usize, d: usize) -> (f32, f32) {
        (0.5 + 0.4 * s as f32, 2.9 + 0.1 * d as f32)
    }
    /// A line 0.4 mm wide through (x, y0 + slope·x) (y down), at darkness 0.8.
    fn line(y0: f32, slope: f32) -> Vec<f32> {
        (0..10 * DEPTHS)
            .map(|k| {
                let (x, y) = at(k / DEPTHS, k % DEPTHS);
                let c = y0 + slope * x;
                if (y - c).abs() <= 0.2 { 0.8 } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn a_line_climbing_steeply_to_the_right_is_told_from_a_level_one() {
        let st = vec![(2u8, 0.35f32); 10];
        // An arm from the row below, climbing 15°.
        assert!(climbs_to_the_right(&line(4.4, -0.27), DEPTHS, &st, at, 0.3));
        // An underline drawn level, or a few degrees off either way.
        assert!(!climbs_to_the_right(&line(3.6, 0.0), DEPTHS, &st, at, 0.3));
        assert!(!climbs_to_the_right(
            &line(3.9, -0.08),
            DEPTHS,
            &st,
            at,
            0.3
        ));
        assert!(!climbs_to_the_right(&line(3.4, 0.08), DEPTHS, &st, at, 0.3));
        // Paper: nothing to judge.
        assert!(!climbs_to_the_right(
            &[0.0; 10 * DEPTHS],
            DEPTHS,
            &st,
            at,
            0.3
        ));
    }
}
