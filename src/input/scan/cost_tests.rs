//! Clear fills under a shadow's, a stain's or a fold's grey over a stretch of the page are not sent to a
//! person for the even tint it leaves in the blank boxes beside them, which the quiet boxes round them
//! share, while an eraser's haze left in one box beside a fill, its neighbours clean, still is.

use super::synth::{self, Expect, Mark, Rng, Student, Tally};
use super::synth_damage::shadow;
use super::*;

use super::synth::PPM;

/// The answer area's extent (mm): left, top, right, bottom.
fn answer_area(geom: &SheetGeometry) -> (f32, f32, f32, f32) {
    geom.bubbles
        .iter()
        .filter(|b| matches!(b.meaning, BubbleMeaning::Answer { .. }))
        .fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(x0, y0, x1, y1), b| {
                (
                    x0.min(b.area.x),
                    y0.min(b.area.y),
                    x1.max(b.area.x + b.area.w),
                    y1.max(b.area.y + b.area.h),
                )
            },
        )
}

/// A student who fills one letter of every question firmly (2B), the id and the variant too.
fn firm_student(geom: &SheetGeometry, rng: &mut Rng) -> Student {
    let mut s = synth::random_student(geom, rng);
    s.marks = synth::clear_marks(geom, &s, rng)
        .into_iter()
        .map(|(i, _)| (i, Mark::Pencil))
        .collect();
    s
}

/// An eraser's haze left in one box beside a firm fill, the boxes round it clean: a mark of its own
/// the tint of the boxes round it does not explain, still sent to a person (a stain over another part
/// of the page changes nothing there).
#[test]
fn an_eraser_s_haze_beside_a_fill_still_goes_to_a_person() {
    let geom = synth::mock_geometry();
    let mut hazes = 0;
    let mut flagged = 0;
    for seed in 0..6u64 {
        let mut rng = Rng::new(9400 + seed);
        let mut student = firm_student(&geom, &mut rng);
        // A haze beside the fill in every fifth single-choice question.
        let mut hazed = Vec::new();
        for q in geom
            .questions
            .iter()
            .filter(|q| q.kind != ChoiceKind::Multiple)
        {
            if q.number % 5 != seed as u32 % 5 {
                continue;
            }
            let answer = student.answer(q.number).to_string();
            if answer.is_empty() {
                continue;
            }
            let options = synth::options_of(&geom, q.number);
            if options.len() < 4 {
                continue;
            }
            let Some(other) = options.into_iter().find(|o| *o != answer) else {
                continue;
            };
            if let Some(j) = synth::answer_bubble(&geom, q.number, other) {
                student.marks.push((j, Mark::Erased));
                hazed.push(q.number);
            }
        }
        let img = synth::draw(&geom, &student, 9400 + seed);
        let reading = synth::read_or_fail(&img, &geom, seed);
        for q in &hazed {
            let a = reading.answers.iter().find(|a| a.question == *q).unwrap();
            hazes += 1;
            if a.reading.doubtful {
                flagged += 1;
            } else {
                eprintln!("seed {seed} q{q}: {:?}", a.reading);
            }
        }
    }
    assert!(hazes >= 40, "only {hazes} hazes");
    assert_eq!(
        flagged, hazes,
        "{flagged} of {hazes} hazes beside a fill sent to a person"
    );
}

/// Sheets of clear fills photographed with a shadow's edge across the answer area: the even tint the
/// shadow leaves in blank boxes beside a fill, shared by the quiet boxes round them, is no mark. Before
/// the tint was judged against the quiet boxes round it, 97 of 768 clear marks went to a person, 90
/// after; not yet met (#23: at most 3 %): most of the rest are lines the shadow's edge draws round and
/// through the boxes it crosses. The bound guards what was won.
#[test]
fn a_shadow_s_tint_shared_by_the_boxes_round_a_fill_is_no_mark() {
    let geom = synth::mock_geometry();
    let mut tally = Tally::default();
    for seed in 0..8u64 {
        let mut rng = Rng::new(9700 + seed);
        let student = firm_student(&geom, &mut rng);
        let mut img = synth::draw(&geom, &student, 9500 + seed);
        let (x0, y0, x1, y1) = answer_area(&geom);
        let at = (rng.range(x0, x1) * PPM, rng.range(y0, y1) * PPM);
        let angle = rng.range(0.0, std::f32::consts::TAU);
        let depth = rng.range(0.3, 0.5);
        shadow(&mut img, at, angle, depth, rng.range(3.0, 10.0) * PPM);
        let expect: Vec<Expect> = geom
            .questions
            .iter()
            .map(|q| Expect::Clear(student.answer(q.number).to_string()))
            .collect();
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("shadow {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.check_clear(0, 12);
}
