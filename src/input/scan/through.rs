//! A line passing through a box rather than drawn in it: a teacher's red 已阅 stamp pressed over the
//! answer block's corner leaves a ring 16–22 mm across, 0.7–1.1 mm wide, whose arc crosses the boxes
//! in its way. A box the arc crosses holds one curved stroke, read alone as that question's answer.
//!
//! What tells it from a student's stroke: a student draws a slash, a bar or a tick for the box, and
//! it ends near it (a slash or a highlighter's bar overshoots the outline by up to 0.7 mm, a tick's
//! vertex dips about 0.6 mm under); the arc enters on one side and leaves on another, running on
//! past the contour's reach (1.5 mm) where it leaves. Such a box goes to a person: whose ink it is
//! cannot be told from the line alone (a hasty student's long slash does this too).

/// How far (mm) past the outline ink must run where it leaves the box to count as leaving: past a
/// student's overshoot.
pub(super) const LEAVES: f32 = 0.75;
/// How far (mm) past the outline the ink must run on at one of the places it leaves: to the end of
/// the contour's reach, further than any stroke drawn for the box.
pub(super) const RUNS_ON: f32 = 1.4;
/// Outside samples this near the outline (mm) may be print (the outline itself, taken away) and do
/// not break the line.
const NEAR_OUTLINE: f32 = 0.2;
/// Lighter samples a line may have along one station's ray (pencil grain, a stamp pad's uneven ink).
const BREAKS: usize = 2;
/// Stations this close round the contour (about 0.4 mm apart) belong to one place where ink leaves.
const SAME_PLACE: usize = 2;

/// Whether the ink round a box (`residual`: `depths` samples per station, inside out, the print
/// taken away; `outside(station, depth)`: how far in mm the sample lies outside the box, 0 inside)
/// leaves it at two separate places past [`LEAVES`], running on to [`RUNS_ON`] at one of them.
pub(super) fn passes_through(
    residual: &[f32],
    depths: usize,
    ink: f32,
    outside: impl Fn(usize, usize) -> f32,
) -> bool {
    if depths == 0 {
        return false;
    }
    let stations = residual.len() / depths;
    let reach: Vec<f32> = (0..stations)
        .map(|k| {
            let ray = &residual[k * depths..(k + 1) * depths];
            let (mut reach, mut breaks) = (0.0f32, 0);
            for (d, &v) in ray.iter().enumerate() {
                let out = outside(k, d);
                if out <= 0.0 {
                    continue;
                }
                if v >= ink {
                    reach = out;
                } else if out > NEAR_OUTLINE {
                    breaks += 1;
                    if breaks > BREAKS {
                        break;
                    }
                }
            }
            reach
        })
        .collect();
    // Places where ink leaves: runs of stations past `LEAVES`, round the closed contour.
    let leaving: Vec<usize> = (0..stations).filter(|&k| reach[k] >= LEAVES).collect();
    let Some(&last) = leaving.last() else {
        return false;
    };
    let mut places: Vec<f32> = Vec::new();
    let mut prev: Option<usize> = None;
    for &k in &leaving {
        match prev {
            Some(p) if k - p <= SAME_PLACE => {
                let m = places.last_mut().expect("a place was begun");
                *m = m.max(reach[k]);
            }
            _ => places.push(reach[k]),
        }
        prev = Some(k);
    }
    // The contour is closed: a place across its start is one.
    if places.len() > 1 && leaving[0] + stations - last <= SAME_PLACE {
        let first = places.remove(0);
        let m = places.last_mut().expect("two places");
        *m = m.max(first);
    }
    places.len() >= 2 && places.iter().any(|&r| r >= RUNS_ON)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contour of `n` stations, `d` depths, each sample `step` mm apart starting at the outline.
    fn rays(n: usize, d: usize, inked: &[(usize, usize)]) -> Vec<f32> {
        let mut r = vec![0.0; n * d];
        for &(k, upto) in inked {
            for depth in 0..upto.min(d) {
                r[k * d + depth] = 1.0;
            }
        }
        r
    }

    fn through(r: &[f32], d: usize) -> bool {
        passes_through(r, d, 0.5, |_, depth| depth as f32 * 0.1)
    }

    #[test]
    fn an_arc_leaving_on_two_sides_and_running_on_passes_through() {
        let r = rays(40, 16, &[(8, 9), (33, 16), (34, 16)]);
        assert!(through(&r, 16));
    }

    #[test]
    fn a_stroke_ending_near_the_box_or_leaving_once_does_not() {
        // A slash overshooting 0.5 mm at both ends.
        assert!(!through(&rays(40, 16, &[(5, 6), (25, 6)]), 16));
        // A tick's long arm running on, its vertex dipping 0.6 mm.
        assert!(!through(&rays(40, 16, &[(12, 16), (13, 16), (27, 7)]), 16));
        // One place only, however far it runs, across the contour's start too.
        assert!(!through(&rays(40, 16, &[(39, 16), (0, 16), (1, 12)]), 16));
    }

    #[test]
    fn ink_broken_more_than_twice_along_a_ray_ends_there() {
        let mut r = rays(40, 16, &[(8, 16), (30, 16)]);
        for depth in [4, 6, 8] {
            r[30 * 16 + depth] = 0.0;
        }
        assert!(!through(&r, 16));
    }
}
