//! Long checks in a broad pencil on multiple-choice rows (#23, the second field check's `check-long`
//! by a hasty 2B hand): the box holding the vertex reads as a fill, the arm runs on through the box on
//! its right (and past a row's last box into the margin). The box the arm crosses is never read as a
//! letter of its own: it reads empty or goes to a person.

use super::synth::{self, Expect, Rng, Tally};
use super::*;

use super::synth::PPM;

/// A broad pencil's check drawn in one motion on box `a`, left to right: the pen comes down into the
/// box's left part, turns at the vertex low in the box, and leaves with a long arm 7–10 mm long rising
/// 6–14° to the right, through the next box. A 2B pressed hard: a line 0.6–0.8 mm wide, dark grey.
fn broad_long_check(page: &mut image::GrayImage, a: &BoxMm, rng: &mut Rng) {
    let sx = a.x + rng.range(0.1, 0.35) * a.w;
    let sy = a.y + a.h / 2.0 + rng.range(-0.4, 0.2);
    let v = (sx + rng.range(0.6, 1.2), a.y + a.h * rng.range(0.65, 0.9));
    let (len, rise) = (rng.range(7.0, 10.0), rng.range(6.0f32, 14.0).to_radians());
    let end = (v.0 + len * rise.cos(), v.1 - len * rise.sin());
    let mid = (
        v.0 + 0.5 * len * rise.cos(),
        v.1 - 0.5 * len * rise.sin() - rng.range(0.0, 0.4),
    );
    let (grey, width) = (rng.range(70.0, 110.0), rng.range(0.6, 0.8));
    synth::polyline(
        page,
        &[(sx, sy), (sx + 0.2, v.1), v, mid, end],
        width,
        grey,
        PPM,
        rng,
    );
}

/// Pages of multiple-choice rows, each question meant as one or two letters (never two side by side)
/// whose boxes hold a broad long check, the box right of each checked box left blank (a row's last box
/// checked now and then, its arm out into the margin): every question read right or sent to a person.
/// The single-choice questions keep their clear pencil fills. Seeds `seed_base`..`seed_base + pages`.
fn pages_of_broad_checks(seed_base: u64, pages: u64) -> Tally {
    let mut tally = Tally::default();
    for seed in seed_base..seed_base + pages {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let mut checked = Vec::new();
        for q in geom.questions.iter() {
            if q.kind != ChoiceKind::Multiple {
                continue;
            }
            // One or two letters, apart: A and C, B and D, one of A–D, or now and then E alone.
            let meant: &str = match rng.below(8) {
                0 => "AC",
                1 => "BD",
                2 => "AD",
                3 => "A",
                4 => "B",
                5 => "C",
                6 => "D",
                _ => "E",
            };
            student.marks.retain(|(i, _)| {
                !matches!(&geom.bubbles[*i].meaning,
                    BubbleMeaning::Answer { question, .. } if *question == q.number)
            });
            for (n, a) in student.answers.iter_mut() {
                if *n == q.number {
                    *a = meant.to_string();
                }
            }
            for o in meant.chars() {
                let b = synth::answer_bubble(&geom, q.number, &o.to_string())
                    .expect("every option has a bubble");
                checked.push(b);
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &checked {
            broad_long_check(&mut page, &geom.bubbles[b].area, &mut rng);
        }
        let mut expect = synth::right_or_flag_everywhere(&geom, &student);
        for (q, e) in geom.questions.iter().zip(expect.iter_mut()) {
            if q.kind != ChoiceKind::Multiple {
                *e = Expect::Clear(student.answer(q.number).to_string());
            }
        }
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
        let reading = synth::read_distorted(&page, &geom, &d, seed);
        tally.add(
            &format!("broad checks page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// Reads the pages with this branch's rules off (as main read them before) when `off`.
fn with_rules(off: bool, f: impl FnOnce() -> Tally) -> Tally {
    super::checks::LONGARM_OFF.with(|c| c.set(off));
    super::tick_beside::LEFT_OFF.with(|c| c.set(off));
    let t = f();
    super::checks::LONGARM_OFF.with(|c| c.set(false));
    super::tick_beside::LEFT_OFF.with(|c| c.set(false));
    t
}

/// The box a broad check's arm crosses is read as no letter: where the vertex box reads as a fill (the
/// arm then joins a fill, no stroke, and was not looked at), where the box crossed reads as a fill or
/// a ring (the arm over its printed letter, or along its outline), and beside a row's last box, where
/// the arm running on into the margin stood as a small check drawn beside it. The clear fills of the
/// single-choice questions on the same pages stay unflagged.
#[test]
fn a_broad_long_checks_arm_never_reads_as_the_box_it_crosses() {
    let before = with_rules(true, || pages_of_broad_checks(9100, 4));
    before.report("broad long checks, before");
    let after = with_rules(false, || pages_of_broad_checks(9100, 4));
    after.report("broad long checks, after");
    assert!(
        after.wrong.len() < before.wrong.len(),
        "before {} silently wrong, after {}",
        before.wrong.len(),
        after.wrong.len()
    );
    after.check_clear(0, 3);
}
