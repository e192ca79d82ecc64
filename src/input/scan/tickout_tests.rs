//! A small check beside its box with ink under the box (#23, the third field check's `tick-out` on
//! screen photos, whose moiré darkens the paper under the boxes as a stroke would): the box is never
//! read as nothing; it goes to a person (see `tick_beside.rs`).

use super::synth::{self, Rng, Tally};
use super::*;

use super::synth::PPM;

/// A small check √ beside box `a` (its foot on the right edge, 60–80 % of the way down, its arm `s`
/// mm tall rising into the gap and leaning right), and a short upright dash under the box's right
/// part, 0.4–0.85 mm below it: what a screen's moiré band or a stroke from the row below leaves there.
fn check_beside_with_ink_under(page: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let s = rng.range(1.8, 2.6);
    let (width, grey) = (rng.range(0.3, 0.45), rng.range(50.0, 90.0));
    let (vx, vy) = (
        a.x + a.w + rng.range(-0.1, 0.15),
        a.y + a.h * rng.range(0.6, 0.8),
    );
    let tip = (vx + 0.45 * s * rng.range(0.6, 0.9), vy - s);
    let pts = [
        (vx - 0.4 * s, vy - 0.35 * s),
        (vx - 0.1 * s, vy - 0.05 * s),
        (vx, vy),
        ((vx + tip.0) / 2.0, (vy + tip.1) / 2.0 + 0.05),
        tip,
    ];
    synth::polyline(page, &pts, width, grey, PPM, rng);
    let x = a.x + a.w * rng.range(0.65, 0.8);
    let dash = [(x, a.y + a.h + 0.4), (x, a.y + a.h + 0.85)];
    synth::polyline(page, &dash, 0.3, rng.range(60.0, 90.0), PPM, rng);
}

/// Pages where the single-choice questions of four letters are answered by such a check beside one of
/// the first three boxes, every other question left blank.
fn pages_of_checks_with_ink_under() -> Tally {
    let mut tally = Tally::default();
    for seed in 0..2u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9700 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        student
            .marks
            .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
        let mut checked = Vec::new();
        for q in &geom.questions {
            let options = synth::options_of(&geom, q.number);
            let answer = if q.kind == ChoiceKind::Single && options.len() == 4 {
                options[rng.below(3)].to_string()
            } else {
                String::new()
            };
            if !answer.is_empty() {
                checked.push(synth::answer_bubble(&geom, q.number, &answer).expect("option"));
            }
            for (n, a) in student.answers.iter_mut() {
                if *n == q.number {
                    *a = answer.clone();
                }
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &checked {
            check_beside_with_ink_under(&mut page, &geom.bubbles[b].area, &mut rng);
            student.marks.push((b, synth::Mark::Tick));
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let reading = synth::read_turned(&page, &geom, seed, rng.range(-0.5, 0.5), 1.0);
        tally.add(
            &format!("check beside, ink under, page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// Every such check is read or goes to a person: none read as nothing, none given to another box.
#[test]
fn a_check_beside_a_box_with_ink_under_it_is_read_or_flagged() {
    pages_of_checks_with_ink_under().assert_wrong_at_most(0, |_| true);
}

/// Without the rule sending such boxes to a person, the same checks are read as nothing: the test
/// above can fail.
#[test]
fn without_the_rule_checks_with_ink_under_are_lost() {
    super::tick_beside::DOUBT_OFF.with(|o| o.set(true));
    let tally = pages_of_checks_with_ink_under();
    super::tick_beside::DOUBT_OFF.with(|o| o.set(false));
    tally.report("without the rule: ");
    assert!(!tally.wrong.is_empty(), "no check lost without the rule");
}
