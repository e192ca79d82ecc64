//! A check's long arm ending in a blank question's box on the row above (#23, the second field check's
//! `check-long` blanks read as a letter): the hand comes down into the meant box, turns, and its exit
//! stroke rises to the right across the gap, its tip stopping just under a box one or two letters
//! along on the row above. That question was left blank: its box must never read as the
//! letter the tip lies in.

use super::geometry::{BoxMm, BubbleMeaning, ChoiceKind, SheetGeometry};
use super::synth::{self, Mark, Rng, Tally};

use super::synth::PPM;

fn question_of(geom: &SheetGeometry, i: usize) -> Option<u32> {
    match &geom.bubbles[i].meaning {
        BubbleMeaning::Answer { question, .. } => Some(*question),
        _ => None,
    }
}

/// A box on the row just above box `a`, one or two letters to its right, of a question not in `used`.
fn box_above_right(geom: &SheetGeometry, a: &BoxMm, used: &[u32], rng: &mut Rng) -> Option<usize> {
    let found: Vec<usize> = (0..geom.bubbles.len())
        .filter(|&j| {
            let t = &geom.bubbles[j].area;
            let gap = a.y - (t.y + t.h);
            question_of(geom, j).is_some_and(|q| !used.contains(&q))
                && (0.5..2.5).contains(&gap)
                && t.x >= a.x + a.w + 0.5
                && t.x <= a.x + 2.0 * 6.2 + 0.5
        })
        .collect();
    (!found.is_empty()).then(|| found[rng.below(found.len())])
}

/// A check drawn in one motion on box `a`: the hand comes down 1–1.6 mm into its lower half, turns at
/// the vertex (low in the box) and leaves with a straight exit stroke rising to `tip`. A ballpoint's
/// thin dark line or a pencil's broader grey one.
fn rising_check(page: &mut image::GrayImage, a: &BoxMm, tip: (f32, f32), rng: &mut Rng) {
    let (x0, y1) = (a.x, a.y + a.h);
    let vx = x0 + rng.range(0.25, 0.5) * a.w;
    let vy = y1 - rng.range(0.2, 0.7);
    let dip = rng.range(1.0, 1.6);
    let start = (vx - 0.5 * dip, vy - dip);
    let (grey, width) = if rng.below(2) == 0 {
        (rng.range(30.0, 90.0), rng.range(0.3, 0.45))
    } else {
        (rng.range(90.0, 130.0), rng.range(0.45, 0.6))
    };
    synth::polyline(page, &[start, (vx, vy), tip], width, grey, PPM, rng);
}

/// Single-choice questions checked with a long arm whose tip ends just under a box on the row above
/// (on its outline or in the gap under it, as the field check's hasty hands' did), one or two letters along; that question left blank. Every question reads its letter or
/// goes to a person: the tip, a line rising across the gap from the row below, is not an underline of
/// the blank box.
#[test]
fn a_check_s_arm_ending_in_the_box_above_is_never_read_as_that_letter() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9400 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let mut used: Vec<u32> = Vec::new();
        let mut checks = Vec::new();
        let mut blanks: Vec<u32> = Vec::new();
        // From the last question up, so the question above each checked one is still free.
        for q in geom.questions.iter().rev() {
            if q.kind != ChoiceKind::Single || used.contains(&q.number) {
                continue;
            }
            let Some((b, _)) =
                synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, true)
            else {
                continue;
            };
            used.push(q.number);
            let a = geom.bubbles[b].area;
            let Some(t) = box_above_right(&geom, &a, &used, &mut rng) else {
                // No box there: filled as usual.
                student.marks.push((b, Mark::Pencil));
                continue;
            };
            let above = question_of(&geom, t).expect("an answer box");
            used.push(above);
            blanks.push(above);
            // The question above left blank.
            synth::one_bubble_instead(&geom, &mut student, above, &mut rng, false);
            let tb = geom.bubbles[t].area;
            let tip = (
                tb.x + rng.range(1.0, tb.w - 0.8),
                tb.y + tb.h + rng.range(0.0, 0.4),
            );
            checks.push((a, tip));
        }
        let mut page = synth::draw(&geom, &student, seed);
        for (a, tip) in &checks {
            rising_check(&mut page, a, *tip, &mut rng);
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
        let img = synth::distort(&page, &d, seed + 1);
        let reading = synth::read_or_fail(&img, &geom, seed);
        // What each blank question under a tip read as (flagged, or nothing).
        for &q in &blanks {
            let a = reading
                .answers
                .iter()
                .find(|a| a.question == q)
                .expect("read");
            eprintln!("page {seed} blank q{q}: {:?}", a.reading);
        }
        tally.add(
            &format!("arm tips page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("arm tips");
    tally.assert_wrong_at_most(0, |w| w.contains("want RightOrFlag(\"\")"));
}
