//! A copier streak down one letter's column of boxes, through a quarter of that letter's boxes, painted
//! out: the painting takes the letter's stroke away under it in each of those boxes, which must not
//! make them the label's print and the stroke a mark on every other box of the letter (#23).

use image::GrayImage;

use super::synth::{self, Rng, Student};
use super::synth_damage as damage;
use super::*;

use super::synth::PPM;

fn render(geom: &SheetGeometry, s: &Student, seed: u64) -> GrayImage {
    let qr = format!("EXAMGEN1|3f9a0c2d71e4b8a6|{}|1|{}", s.variant, s.id);
    synth::render(geom, s, &qr, PPM, seed)
}

/// The questions whose `D` box sheet x `at` (mm) crosses, and how many `D` boxes the sheet has.
fn crossed(geom: &SheetGeometry, at: f32) -> (Vec<u32>, usize) {
    let mut all = 0;
    let mut hit = Vec::new();
    for b in &geom.bubbles {
        if let BubbleMeaning::Answer { question, option } = &b.meaning
            && option == "D"
        {
            all += 1;
            if b.area.x <= at && at <= b.area.x + b.area.w {
                hit.push(*question);
            }
        }
    }
    (hit, all)
}

/// A streak `width` pixels wide passing `factor` of the light, straight down the image at sheet x `at`
/// through the first column of `D` boxes (20 of the sheet's 80: a quarter) and over the right stem of
/// each one's printed letter, which the mock sheet prints 0.4–0.6 mm right of the box's middle. Half
/// the questions are blank, and no `D` is marked where the streak runs (so its boxes are more than a
/// quarter of the letter's unmarked ones): no blank question reads a letter, no answer reads another,
/// and at most one question the streak crosses is flagged. Before the painted boxes were left out of
/// the repeat weighing (`repeat::clean`), they were the `D`s' cleanest quarter, every other `D` box
/// carried the stem above them, and the print was learnt from the painted boxes alone: blank questions
/// read `D`.
#[test]
fn a_streak_painted_out_of_a_quarter_of_one_letters_boxes_is_no_repeated_mark() {
    let geom = synth::mock_geometry();
    for (k, (at, width, factor)) in [
        (48.6f32, 3u32, 0.3f32),
        (48.6, 2, 0.45),
        (48.55, 4, 0.2),
        (48.65, 3, 0.5),
    ]
    .into_iter()
    .enumerate()
    {
        let (hit, all) = crossed(&geom, at);
        assert_eq!(4 * hit.len(), all, "{hit:?}");
        let seed = 910 + k as u64;
        let mut rng = Rng::new(seed);
        let mut s = synth::random_student(&geom, &mut rng);
        for (n, (q, answer)) in s.answers.iter_mut().enumerate() {
            if n % 2 == 1 {
                answer.clear();
            } else if hit.contains(q) && answer.contains('D') {
                answer.retain(|c| c != 'D');
                if answer.is_empty() {
                    answer.push('A');
                }
            }
        }
        s.marks = synth::clear_marks(&geom, &s, &mut rng);
        let scan = render(&geom, &s, seed);
        let x = {
            let r = read_page(&scan, &geom).expect("the undamaged scan reads");
            r.registration.to_image.map(at as f64, 150.0).0
        };
        let mut streaked = scan.clone();
        damage::copier_streak(&mut streaked, x.round() as u32, width, factor);
        let reading = read_page(&streaked, &geom).unwrap();
        let what = format!("streak {width} px ×{factor} at x {at} mm");
        let mut flagged = 0;
        for a in &reading.answers {
            if a.reading.doubtful {
                flagged += hit.contains(&a.question) as usize;
                continue;
            }
            assert_eq!(
                a.reading.letters,
                s.answer(a.question),
                "{what}: question {} read {:?}",
                a.question,
                a.reading
            );
        }
        assert!(
            flagged <= 1,
            "{what}: {flagged} questions the streak crosses flagged"
        );
    }
}
