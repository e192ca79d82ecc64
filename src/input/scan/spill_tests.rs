//! A fill pressed or shifted up out of its box into the blank question above (#23, the field check's
//! felt-pen blot on 3 C read as 2 C, a phone photo's fill spilling up into 44 D): the spill's end in the
//! box above is never read as that question's answer.

use super::synth::{self, Rng, Tally};
use super::*;

use super::synth::PPM;

/// Questions in pairs, the upper one blank, the lower one filled with a fill that runs up past its box
/// across the gap and 0.4–1.0 mm into the same letter's box above (a felt pen's blot, a fill drawn a
/// little too high): the upper question reads as nothing or goes to a person, the fill reads as its
/// letter or goes to a person. Before such spill was told from a mark of the box's own (ink joined to a
/// fill below across a broad front), the spill's end read as a small mark, the upper question's answer:
/// 13 upper questions read as a letter. Two still do: the zigzag's strokes cross the gap with paper
/// between them at too many of the contour's stations to make the front (a felt blot's is solid).
#[test]
fn a_fill_spilling_into_the_blank_box_above_is_not_its_answer() {
    let mut tally = Tally::default();
    let mut spills = 0;
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(7300 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let pairs = synth::paired_rows(&geom, &mut student, &mut rng, |_| false);
        let mut page = synth::draw(&geom, &student, seed);
        for &(down, up) in &pairs {
            let (a, above) = (geom.bubbles[down].area, geom.bubbles[up].area);
            let gap = a.y - (above.y + above.h);
            let reach = gap + rng.range(0.4, 1.0);
            let grown = BoxMm {
                y: a.y - reach,
                h: a.h + reach,
                ..a
            };
            synth::draw_mark(&mut page, &grown, synth::Mark::Scribble, PPM, &mut rng);
            student.marks.push((down, synth::Mark::Scribble));
            spills += 1;
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let reading = synth::read_turned(&page, &geom, seed, rng.range(-1.0, 1.0), 1.0);
        tally.add(
            &format!("spill page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    assert!(spills >= 40, "{spills} spills drawn");
    tally.assert_wrong_at_most(2, |_| true);
}
