//! Ticks whose long arm reaches the box above as far as the tick runs through its own (#23, the field
//! check's ticks read as a letter of the question above): the box the arm reaches is never read as a
//! mark of its own.

use super::synth::{self, Rng, Tally};
use super::*;

use super::synth::PPM;

/// A tick √ drawn the way a hand writes it on bubble `a`: its vertex low in the box (or just under
/// it), a short arm up to the left, and the long arm rising 4–5 mm up and a little to the right, across
/// the gap into the box above, through as much of that box as of its own.
fn long_tick(page: &mut image::GrayImage, a: &BoxMm, rng: &mut Rng) {
    let (cx, cy) = a.centre();
    let (vx, vy) = (cx + rng.range(-0.6, 0.0), cy + rng.range(0.3, 1.6));
    let size = rng.range(5.0, 5.6);
    let lean = rng.range(0.25, 0.45);
    let short = (vx - 0.3 * size, vy - 0.3 * size);
    let long = (vx + 0.85 * size * lean, vy - 0.85 * size);
    let (grey, width) = (rng.range(60.0, 110.0), rng.range(0.4, 0.6));
    synth::polyline(page, &[short, (vx, vy), long], width, grey, PPM, rng);
}

/// Questions in pairs, the upper one blank or answered elsewhere, the one under it ticked with a long
/// arm reaching into the same letter's box above: the arm's box reads as nothing or goes to a person.
/// Before ticks were told apart by which way their arm runs (a tick's arm rises from its vertex, so a
/// line from a box below is that box's arm even where it leaves more ink above than below), such a box
/// was read as a letter of the question above (page 2, q18: the arm's box covered 0.19, the tick's own
/// 0.10).
#[test]
fn a_long_arm_from_the_tick_below_is_no_letter_of_the_question_above() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(4200 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        // The upper question left blank, or answered with a fill on another letter.
        let ticked = synth::paired_rows(&geom, &mut student, &mut rng, |rng| rng.below(2) == 0);
        let mut page = synth::draw(&geom, &student, seed);
        for &(down, _) in &ticked {
            long_tick(&mut page, &geom.bubbles[down].area, &mut rng);
            student.marks.push((down, synth::Mark::Tick));
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let turn = rng.range(-1.5, 1.5);
        let reading = synth::read_turned(
            &page,
            &geom,
            seed,
            turn,
            [1.0, 1.45, 0.75, 1.0][seed as usize],
        );
        tally.add(
            &format!("long arms page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(0, |_| true);
}
