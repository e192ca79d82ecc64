//! A marked neighbour's ink in the contour round a bubble: a fill pressed past its box (an overrun of up
//! to a millimetre and more), a circle or a stroke's end reaching over. A line round a bubble that runs on
//! into the next bubble's box is that bubble's ink, not a circle round this one.

use super::geometry::BoxMm;

/// How close (mm) to a marked neighbour's box a run of ink must end to be joined to it: the neighbour's
/// printed outline reads as no ink (the print is taken away), and with the grid step either side of it
/// that gap is about 0.3 mm.
const JOINED: f32 = 0.35;

/// The samples across the contour round a bubble (`residual`, `depths` per station, `at(station, depth)`
/// their place in mm) with every run of ink joined to one of the `marked` neighbours' boxes left out
/// (NaN): a run of samples at least `ink` dark, broken by no more than a single lighter sample, whose
/// outer end lies within [`JOINED`] of such a box (or inside it).
///
/// A hand-drawn circle round this bubble runs between it and its neighbours with paper on either side,
/// and stays; a neighbour's overrun reaches from its box towards this one, and goes.
pub(crate) fn without_joined_ink(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    marked: &[&BoxMm],
) -> Vec<f32> {
    let mut out = residual.to_vec();
    if marked.is_empty() || depths == 0 {
        return out;
    }
    let joined = |x: f32, y: f32| marked.iter().any(|o| distance(o, x, y) <= JOINED);
    for station in 0..residual.len() / depths {
        let row = &residual[station * depths..(station + 1) * depths];
        let inked = |d: usize| row[d] >= ink;
        let mut d = 0;
        while d < depths {
            if !inked(d) {
                d += 1;
                continue;
            }
            // A run from `d`: on while the next sample, or the one after it, holds ink.
            let start = d;
            let mut end = d;
            while end + 1 < depths && (inked(end + 1) || (end + 2 < depths && inked(end + 2))) {
                end += if inked(end + 1) { 1 } else { 2 };
            }
            let (x, y) = at(station, end);
            // The sample past the run too: the neighbour's outline may begin right there.
            let next = (end + 1 < depths).then(|| at(station, end + 1));
            if joined(x, y) || next.is_some_and(|(x, y)| joined(x, y)) {
                for v in &mut out[station * depths + start..=station * depths + end] {
                    *v = f32::NAN;
                }
            }
            d = end + 1;
        }
    }
    out
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

    /// One station looking right from x = 0 along y = 0, a sample every 0.1 mm; the neighbour's box
    /// begins at x = 1.2.
    fn right_of(row: &[f32]) -> Vec<f32> {
        let next = BoxMm {
            x: 1.2,
            y: -1.0,
            w: 5.0,
            h: 2.0,
        };
        without_joined_ink(row, row.len(), |_, d| (d as f32 * 0.1, 0.0), 0.2, &[&next])
    }

    #[test]
    fn a_neighbours_overrun_reaching_over_is_left_out() {
        // Paper, then ink from 0.5 mm on up to 1.0 mm, then the neighbour's outline (no ink left once the
        // print is taken away) at 1.1 mm.
        let row = [
            0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.5, 0.6, 0.1, 0.6, 0.5, 0.0, 0.0, 0.7,
        ];
        let out = right_of(&row);
        assert!(out[5..=10].iter().all(|v| v.is_nan()), "{out:?}");
        assert!(
            out[13].is_nan(),
            "ink in the neighbour's box is its own: {out:?}"
        );
        assert_eq!(&out[..5], &row[..5]);
    }

    #[test]
    fn a_line_with_paper_either_side_stays() {
        // A circle's line at 0.3–0.5 mm, paper from 0.6 mm to the neighbour's box.
        let row = [0.0, 0.0, 0.0, 0.4, 0.6, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(right_of(&row), row.to_vec());
    }

    #[test]
    fn no_marked_neighbour_leaves_everything() {
        let row = [0.5; 12];
        let out = without_joined_ink(&row, 12, |_, d| (d as f32 * 0.1, 0.0), 0.2, &[]);
        assert_eq!(out, row.to_vec());
    }
}

/// Whole pages: a clean bubble hemmed in by fills pressed past their boxes.
#[cfg(test)]
mod page_tests {
    use super::super::synth::{self, Rng, Student};
    use super::super::*;
    use super::distance;

    const PPM: f32 = 8.0;

    /// A fill pressed about 0.9 mm past every side of its box (fieldcheck's `fill-overrun`): grainy 2B
    /// pencil over every point within 0.8–1.0 mm of the box.
    fn overrun_fill(img: &mut image::GrayImage, a: &BoxMm, rng: &mut Rng) {
        let grow = rng.range(0.8, 1.0);
        let (x0, y0) = (((a.x - grow) * PPM) as u32, ((a.y - grow) * PPM) as u32);
        let (x1, y1) = (
            ((a.x + a.w + grow) * PPM) as u32,
            ((a.y + a.h + grow) * PPM) as u32,
        );
        for y in y0..y1 {
            for x in x0..x1 {
                // Rounded round the corners, as a pencil's overrun is.
                let (mx, my) = ((x as f32 + 0.5) / PPM, (y as f32 + 0.5) / PPM);
                if distance(a, mx, my) > grow || rng.unit() < 0.1 {
                    continue;
                }
                let v = rng.range(70.0, 120.0) as u8;
                let p = img.get_pixel_mut(x, y);
                p.0[0] = p.0[0].min(v);
            }
        }
    }

    #[test]
    fn a_clean_bubble_between_overrun_fills_is_never_read_as_marked() {
        let geom = synth::mock_geometry();
        let near = |a: &BoxMm, o: &BoxMm| {
            let gap_x = (o.x - (a.x + a.w)).max(a.x - (o.x + o.w));
            let gap_y = (o.y - (a.y + a.h)).max(a.y - (o.y + o.h));
            let across_x = o.y < a.y + a.h && o.y + o.h > a.y;
            let across_y = o.x < a.x + a.w && o.x + o.w > a.x;
            (across_x && (0.0..=2.0).contains(&gap_x)) || (across_y && (0.0..=2.0).contains(&gap_y))
        };
        // The answer bubble with the most neighbours round it, every one of them filled.
        let (clean, hemmed) = geom
            .bubbles
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b.meaning, BubbleMeaning::Answer { .. }))
            .map(|(i, b)| {
                let round: Vec<usize> = (0..geom.bubbles.len())
                    .filter(|&j| j != i && near(&b.area, &geom.bubbles[j].area))
                    .collect();
                (i, round)
            })
            .max_by_key(|(_, round)| round.len())
            .expect("answer bubbles");
        assert!(hemmed.len() >= 2, "a bubble between two others");
        let student = Student::unmarked("2025000123", "A");
        let mut img = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 7);
        let mut rng = Rng::new(7);
        for &j in &hemmed {
            overrun_fill(&mut img, &geom.bubbles[j].area, &mut rng);
        }
        let reading = read_page(&img, &geom).expect("page reads");
        for &j in &hemmed {
            assert_eq!(reading.bubbles[j].state, BubbleState::Filled, "fill {j}");
        }
        // Never read as a circle round it: empty, or (the overrun lying all round it) to a person.
        let b = &reading.bubbles[clean];
        assert_ne!(
            b.state,
            BubbleState::Filled,
            "clean bubble {:?} between fills: {b:?}",
            geom.bubbles[clean].meaning
        );
    }
}
