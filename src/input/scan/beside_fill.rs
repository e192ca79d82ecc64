//! Ink beside a firm fill that is no mark of its own, so that a clear fill is not sent to a person for
//! it: a filled neighbour's overrun lining the contour round the next bubble like part of a circle, and
//! an even tint (a thumb's smear, an eraser's haze) lying over the boxes round a firm fill. A light mark
//! of the student's own (pencil in this box, paper round it) and any line that is not a fill's overrun
//! still go to a person.

use super::geometry::BoxMm;
use super::neighbours::without_joined_ink;

/// How far past its box (mm) a fill's overrun is taken to reach: a student pressing past the outline
/// overshoots it by up to about a millimetre, plus half the pencil stroke, so the gap to the next box
/// (1.2 mm across, 1.4 mm between rows) fills up to its last few tenths.
pub(super) const OVERRUN_REACH: f32 = 1.1;

/// An even tint: less than this share of the inside holds ink at the low cut (a third of this sheet's
/// pencil), and none of it at the stroke cut.
const TINT_COVER: f32 = 0.05;
/// The tint's mean darkness is at most this share of the firm fill's in its question (thumb smears and
/// erasers' hazes beside a fill: up to 0.38 in the field check).
const TINT_SHARE: f32 = 0.45;
/// Outside the box, between these distances from its outline (mm, clear of the printed outline and short
/// of the next box), the tint goes on at least this share of its darkness inside: a smear or a haze
/// lies over the box and round it alike, where a light mark made in the box leaves paper round it.
const TINT_OUT_FROM: f32 = 0.3;
const TINT_OUT_TO: f32 = 1.0;
const TINT_OUT: f32 = 0.5;
/// Stations round the box that must each give the tint's level outside from this many samples; with fewer
/// the box is judged not to be tinted.
const TINT_STATIONS: usize = 10;
const TINT_SAMPLES: usize = 3;

/// Distance (mm) from a point to a box, 0 inside it.
fn distance(o: &BoxMm, x: f32, y: f32) -> f32 {
    let dx = (o.x - x).max(x - o.x - o.w).max(0.0);
    let dy = (o.y - y).max(y - o.y - o.h).max(0.0);
    (dx * dx + dy * dy).sqrt()
}

/// Ink this close (mm) to a bubble's own outline is never taken for a neighbour's overrun: a line under
/// its letter or a circle drawn tight round it can run into the overrun of the fill below or beside it,
/// and a person must see it (field check: an underline merged with the overrun of the fill below).
const OWN_EDGE: f32 = 0.3;

/// The samples across the contour round bubble `own` (`residual`, `depths` per station, `at(station,
/// depth)` their place in mm) with the overrun of the `filled` neighbours' fills left out (NaN): every
/// sample within [`OVERRUN_REACH`] of a filled box, and every run of ink joined to one (see
/// [`without_joined_ink`]), but none within [`OWN_EDGE`] of `own`. What lines are left are this
/// bubble's own, or another mark's.
pub(super) fn without_overrun(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    ink: f32,
    own: &BoxMm,
    filled: &[&BoxMm],
) -> Vec<f32> {
    let mut out = without_joined_ink(residual, depths, &at, ink, filled);
    if filled.is_empty() || depths == 0 {
        return out;
    }
    for (k, v) in out.iter_mut().enumerate() {
        let (x, y) = at(k / depths, k % depths);
        if distance(own, x, y) < OWN_EDGE {
            *v = residual[k];
        } else if filled.iter().any(|o| distance(o, x, y) <= OVERRUN_REACH) {
            *v = f32::NAN;
        }
    }
    out
}

/// Whether the ink inside a bubble is even enough for a tint: `cover` and `dark` the shares of the
/// inside at the low and the stroke cut.
pub(super) fn even_inside(cover: f32, dark: f32) -> bool {
    cover < TINT_COVER && dark == 0.0
}

/// The darkness round box `a` just outside its outline: per station, the mean of the samples between
/// [`TINT_OUT_FROM`] and [`TINT_OUT_TO`] from the box that are not NaN and not `claimed` (where a marked
/// neighbour's own ink may lie), then the median over the stations with [`TINT_SAMPLES`] of them;
/// `None` with fewer than [`TINT_STATIONS`] such stations.
pub(super) fn level_outside(
    residual: &[f32],
    depths: usize,
    at: impl Fn(usize, usize) -> (f32, f32),
    a: &BoxMm,
    claimed: impl Fn(f32, f32) -> bool,
) -> Option<f32> {
    if depths == 0 {
        return None;
    }
    let mut levels: Vec<f32> = residual
        .chunks_exact(depths)
        .enumerate()
        .filter_map(|(station, row)| {
            let (mut sum, mut n) = (0.0f32, 0usize);
            for (depth, &v) in row.iter().enumerate() {
                let (x, y) = at(station, depth);
                let d = distance(a, x, y);
                if v.is_nan() || !(TINT_OUT_FROM..=TINT_OUT_TO).contains(&d) || claimed(x, y) {
                    continue;
                }
                sum += v;
                n += 1;
            }
            (n >= TINT_SAMPLES).then(|| sum / n as f32)
        })
        .collect();
    if levels.len() < TINT_STATIONS {
        return None;
    }
    let k = levels.len() / 2;
    Some(*levels.select_nth_unstable_by(k, f32::total_cmp).1)
}

/// Whether a bubble of mean darkness `fill` inside and `outside` round it (see [`level_outside`]), in a
/// question whose firmest fill has mean darkness `firm`, is an even tint over the boxes beside that fill.
pub(super) fn tint_beside(fill: f32, outside: f32, firm: f32) -> bool {
    fill <= TINT_SHARE * firm && outside >= TINT_OUT * fill
}

/// Whether an even tint of mean darkness `fill`, in a question whose firm fill is `firm` dark, is the
/// tint the quiet boxes round it share (`round`: their median mean darkness inside, round it or along
/// its row or column, whichever is darker: see [`super::local_tint::level_round`], [`level_along`]): a
/// coffee stain's, a fold's or a shadow's grey lies over a stretch of the page, the boxes round this one
/// as much as this one, where an eraser's haze or a light mark made in the box leaves its neighbours
/// clean (tuning seeds: no verdict moved but questions sent to a person read right).
pub(super) fn tint_shared(fill: f32, round: f32, firm: f32) -> bool {
    fill <= TINT_SHARE * firm && round >= TINT_SHARED * fill
}

/// The quiet boxes round a box carry at least this share of its tint for it to be theirs.
const TINT_SHARED: f32 = 0.5;
/// Boxes whose centres lie within this (mm) of a box's row (or column) lie along it: a fold's or a
/// crease's line across the page greys the row it runs along, not the rows above and below.
const ALONG_WITHIN: f32 = 1.0;
/// How far (mm) along the row or the column the boxes compared lie: the question's own boxes and the
/// next block's.
const ALONG_REACH: f32 = 20.0;
/// The fewest quiet boxes along the row or the column to go by.
const ALONG_MIN: usize = 3;

/// The median mean darkness inside the boxes `quiet` marks along the row of box `at` or along its
/// column (centres `centres`, mm), whichever is darker; `None` with fewer than [`ALONG_MIN`] of them
/// either way.
pub(super) fn level_along(
    at: usize,
    centres: &[(f32, f32)],
    fills: &[f32],
    quiet: &[bool],
) -> Option<f32> {
    let &(x, y) = centres.get(at)?;
    let median_where = |keep: &dyn Fn(f32, f32) -> bool| -> Option<f32> {
        let mut v: Vec<f32> = centres
            .iter()
            .zip(fills)
            .zip(quiet)
            .enumerate()
            .filter(|&(j, (((cx, cy), f), &q))| j != at && q && f.is_finite() && keep(*cx, *cy))
            .map(|(_, ((_, f), _))| *f)
            .collect();
        if v.len() < ALONG_MIN {
            return None;
        }
        v.sort_by(f32::total_cmp);
        let n = v.len();
        Some(if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        })
    };
    let row =
        median_where(&|cx, cy| (cy - y).abs() <= ALONG_WITHIN && (cx - x).abs() <= ALONG_REACH);
    let column =
        median_where(&|cx, cy| (cx - x).abs() <= ALONG_WITHIN && (cy - y).abs() <= ALONG_REACH);
    match (row, column) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTHS: usize = 24;

    /// Stations round a 5 × 3.2 mm box at the origin, crudely: one per 0.5 mm along each side, looking
    /// straight out, a sample every 0.08 mm from 0.35 mm inside.
    fn ring_of(a: &BoxMm) -> Vec<(f32, f32, f32, f32)> {
        let mut st = Vec::new();
        let mut x = a.x + 0.25;
        while x < a.x + a.w {
            st.push((x, a.y, 0.0, -1.0));
            st.push((x, a.y + a.h, 0.0, 1.0));
            x += 0.5;
        }
        let mut y = a.y + 0.25;
        while y < a.y + a.h {
            st.push((a.x, y, -1.0, 0.0));
            st.push((a.x + a.w, y, 1.0, 0.0));
            y += 0.5;
        }
        st
    }

    fn place(st: &[(f32, f32, f32, f32)], k: usize, d: usize) -> (f32, f32) {
        let (x, y, nx, ny) = st[k];
        let o = -0.35 + d as f32 * 0.08;
        (x + nx * o, y + ny * o)
    }

    const BOX: BoxMm = BoxMm {
        x: 0.0,
        y: 0.0,
        w: 5.0,
        h: 3.2,
    };

    #[test]
    fn a_tint_goes_on_outside_the_box_and_a_light_mark_does_not() {
        let st = ring_of(&BOX);
        // A smear over everything: 0.06 dark inside and out.
        let smear = vec![0.06f32; st.len() * DEPTHS];
        let out = level_outside(&smear, DEPTHS, |k, d| place(&st, k, d), &BOX, |_, _| false)
            .expect("stations");
        assert!((out - 0.06).abs() < 1e-6);
        assert!(tint_beside(0.06, out, 0.6));
        // A light mark inside, paper round it.
        let mark: Vec<f32> = (0..st.len() * DEPTHS)
            .map(|k| {
                let (x, y) = place(&st, k / DEPTHS, k % DEPTHS);
                if distance(&BOX, x, y) == 0.0 {
                    0.06
                } else {
                    0.0
                }
            })
            .collect();
        let out = level_outside(&mark, DEPTHS, |k, d| place(&st, k, d), &BOX, |_, _| false)
            .expect("stations");
        assert!(!tint_beside(0.06, out, 0.6));
        // A smear nearly as dark as the fill: a mark of its own.
        assert!(!tint_beside(0.3, 0.3, 0.6));
        // Round a box whose outside is all claimed by marked neighbours, nothing is known.
        assert_eq!(
            level_outside(&smear, DEPTHS, |k, d| place(&st, k, d), &BOX, |_, _| true),
            None
        );
        assert!(even_inside(0.0, 0.0));
        assert!(!even_inside(0.2, 0.0));
    }

    #[test]
    fn a_filled_neighbour_s_overrun_is_left_out_and_a_line_of_this_box_s_own_stays() {
        let st = ring_of(&BOX);
        // The neighbour on the right, 1.2 mm away, filled; its overrun reaches 1.0 mm towards this box.
        let right = BoxMm {
            x: 6.2,
            y: 0.0,
            w: 5.0,
            h: 3.2,
        };
        let mut r = vec![0.0f32; st.len() * DEPTHS];
        for (k, v) in r.iter_mut().enumerate() {
            let (x, y) = place(&st, k / DEPTHS, k % DEPTHS);
            // The overrun: from the neighbour's box to 1.0 mm left of it.
            if distance(&right, x, y) <= 1.0 && x < right.x {
                *v = 0.5;
            }
            // A line of this box's own along its top, 0.5 mm above it.
            if (y + 0.5).abs() < 0.1 && x < 4.0 {
                *v = 0.5;
            }
        }
        let left = without_overrun(&r, DEPTHS, |k, d| place(&st, k, d), 0.2, &BOX, &[&right]);
        for (k, &v) in left.iter().enumerate() {
            let (x, y) = place(&st, k / DEPTHS, k % DEPTHS);
            if distance(&right, x, y) <= 1.0 && x < right.x && distance(&BOX, x, y) >= OWN_EDGE {
                assert!(v.is_nan(), "overrun at ({x}, {y}) left in");
            }
            if (y + 0.5).abs() < 0.1 && x < 4.0 {
                assert_eq!(v, 0.5, "own line at ({x}, {y}) taken out");
            }
        }
        // No filled neighbour: nothing left out.
        assert_eq!(
            without_overrun(&r, DEPTHS, |k, d| place(&st, k, d), 0.2, &BOX, &[]),
            r
        );
    }
}

/// Whole pages: a firm fill with an even smear over the box beside it, and with a light mark of the
/// student's own in that box instead.
#[cfg(test)]
mod page_tests {
    use super::super::geometry::{BubbleMeaning, ChoiceKind};
    use super::super::synth::{self, Mark, Rng, Student};
    use super::super::*;
    use super::distance;

    const PPM: f32 = 8.0;

    /// A single-choice question's first two bubbles on the mock sheet, and the question's number.
    fn first_pair(geom: &SheetGeometry) -> (u32, usize, usize) {
        let q = geom
            .questions
            .iter()
            .find(|q| q.kind == ChoiceKind::Single)
            .expect("a single choice")
            .number;
        let of_q: Vec<usize> = (0..geom.bubbles.len())
            .filter(|&i| matches!(&geom.bubbles[i].meaning, BubbleMeaning::Answer { question, .. } if *question == q))
            .collect();
        (q, of_q[0], of_q[1])
    }

    /// Darkens every pixel within `reach` mm of box `a` (0: inside it only) by `share` of its light.
    fn tint(img: &mut image::GrayImage, a: &BoxMm, reach: f32, share: f32) {
        for y in 0..img.height() {
            for x in 0..img.width() {
                let (mx, my) = ((x as f32 + 0.5) / PPM, (y as f32 + 0.5) / PPM);
                let inside = if reach > 0.0 {
                    distance(a, mx, my) <= reach
                } else {
                    let (cx, cy) = a.centre();
                    let (ex, ey) = ((mx - cx) / (a.w / 2.0 - 0.3), (my - cy) / (a.h / 2.0 - 0.3));
                    ex * ex + ey * ey <= 1.0
                };
                if inside {
                    let p = img.get_pixel_mut(x, y);
                    p.0[0] = (p.0[0] as f32 * (1.0 - share)).round() as u8;
                }
            }
        }
    }

    fn page(smear_reach: f32) -> (PageReading, u32) {
        let geom = synth::mock_geometry();
        let (q, fill, beside) = first_pair(&geom);
        let student = Student::unmarked("2025000123", "A");
        let mut img = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 11);
        let mut rng = Rng::new(11);
        synth::draw_mark(
            &mut img,
            &geom.bubbles[fill].area,
            Mark::Pencil,
            PPM,
            &mut rng,
        );
        // The rest of the sheet answered firmly, as a class's sheets are: the sheet's pencil level is
        // fitted from real fills, not from the smear.
        let others: Vec<usize> = (0..geom.bubbles.len())
            .filter(|&i| {
                matches!(&geom.bubbles[i].meaning,
                    BubbleMeaning::Answer { question, option } if *question != q && option == "C")
            })
            .take(30)
            .collect();
        for i in others {
            synth::draw_mark(&mut img, &geom.bubbles[i].area, Mark::Pencil, PPM, &mut rng);
        }
        // Field tints measure 0.03–0.07 of the paper's light.
        tint(&mut img, &geom.bubbles[beside].area, smear_reach, 0.06);
        (read_page(&img, &geom).expect("page reads"), q)
    }

    #[test]
    fn an_even_smear_beside_a_firm_fill_reads_empty() {
        // A smear (a thumb, an eraser's haze) over the next box and 1.5 mm round it.
        let (reading, q) = page(1.5);
        let r = &reading
            .answers
            .iter()
            .find(|a| a.question == q)
            .unwrap()
            .reading;
        assert_eq!((r.letters.as_str(), r.doubtful), ("A", false), "{r:?}");
    }

    #[test]
    fn a_light_mark_of_its_own_beside_a_firm_fill_still_goes_to_a_person() {
        // As light, but made in the box only: paper round it.
        let (reading, q) = page(0.0);
        let r = &reading
            .answers
            .iter()
            .find(|a| a.question == q)
            .unwrap()
            .reading;
        assert!(r.doubtful, "{r:?}");
    }
}
