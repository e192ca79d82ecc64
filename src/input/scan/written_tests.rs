//! A capital written by hand in the margin right of a row's last box (#23, the second field check's
//! `written`: the letter the student means, written rather than marked; truth, no letter): never read
//! as that row's last letter, while a small check beside the last box (its short stroke inside the box,
//! crossing its right side) still reads.

use super::synth::{self, Expect, PPM, Rng, Tally};
use super::*;

/// A capital's strokes in a unit box, y down (as the second field check writes them).
fn strokes(letter: char) -> Vec<Vec<(f32, f32)>> {
    let c: Vec<(f32, f32)> = (0..14)
        .map(|k| {
            let t = -0.8 + (-2.0 * std::f32::consts::PI + 1.6) * k as f32 / 13.0;
            (0.55 + 0.48 * t.cos(), 0.5 + 0.5 * t.sin())
        })
        .collect();
    match letter {
        'A' => vec![
            vec![(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)],
            vec![(0.22, 0.62), (0.78, 0.62)],
        ],
        'B' => vec![
            vec![(0.0, 0.0), (0.0, 1.0)],
            vec![
                (0.0, 0.0),
                (0.6, 0.0),
                (0.82, 0.12),
                (0.82, 0.35),
                (0.6, 0.48),
                (0.0, 0.48),
            ],
            vec![
                (0.0, 0.48),
                (0.7, 0.48),
                (0.95, 0.62),
                (0.95, 0.86),
                (0.7, 1.0),
                (0.0, 1.0),
            ],
        ],
        'C' => vec![c],
        'D' => vec![
            vec![(0.0, 0.0), (0.0, 1.0)],
            vec![
                (0.0, 0.0),
                (0.5, 0.0),
                (0.88, 0.22),
                (0.96, 0.5),
                (0.88, 0.78),
                (0.5, 1.0),
                (0.0, 1.0),
            ],
        ],
        _ => vec![
            vec![(0.9, 0.0), (0.0, 0.0), (0.0, 1.0), (0.9, 1.0)],
            vec![(0.0, 0.5), (0.7, 0.5)],
        ],
    }
}

/// A capital 2.4–3.2 mm tall, slanted, its top-left corner 0.4–1 mm right of box `a` and up to 0.5 mm
/// above its top, as the second field check writes it.
fn write_letter(
    page: &mut GrayImage,
    a: &BoxMm,
    letter: char,
    width: f32,
    grey: f32,
    rng: &mut Rng,
) {
    let at = (a.x + a.w + rng.range(0.4, 1.0), a.y - rng.range(0.0, 0.5));
    let hgt = rng.range(2.4, 3.2);
    let wid = hgt * rng.range(0.6, 0.8);
    let shear = rng.range(0.05, 0.25);
    for s in strokes(letter) {
        let pts: Vec<(f32, f32)> = s
            .iter()
            .map(|&(u, v)| {
                (
                    at.0 + (u + shear * (1.0 - v)) * wid + rng.range(-0.08, 0.08),
                    at.1 + v * hgt + rng.range(-0.08, 0.08),
                )
            })
            .collect();
        synth::polyline(page, &pts, width * 0.8, grey, PPM, rng);
    }
}

/// Pages of students who answer most questions with fills and leave some blank, writing a letter in the
/// margin right of the row's last box instead (a 2B pencil, an HB one, a ballpoint), read at `scale`.
fn pages_of_written_letters(seed_base: u64, scale: f32) -> Tally {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed_base + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let mut written = Vec::new();
        for q in &geom.questions {
            let options = synth::options_of(&geom, q.number);
            if options.len() < 4 || rng.unit() >= 0.35 {
                continue;
            }
            let letter = options[rng.below(options.len())]
                .chars()
                .next()
                .unwrap_or('A');
            let Some(last) = synth::answer_bubble(&geom, q.number, options[options.len() - 1])
            else {
                continue;
            };
            written.push((q.number, last, letter));
        }
        for &(q, _, _) in &written {
            student.marks.retain(|(i, _)| {
                !matches!(&geom.bubbles[*i].meaning,
                    BubbleMeaning::Answer { question: n, .. } if *n == q)
            });
            for (n, a) in student.answers.iter_mut() {
                if *n == q {
                    a.clear();
                }
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &(_, last, letter) in &written {
            let (width, grey) = match rng.below(3) {
                0 => (rng.range(0.45, 0.6), rng.range(50.0, 90.0)),
                1 => (rng.range(0.3, 0.42), rng.range(100.0, 130.0)),
                _ => (rng.range(0.2, 0.3), rng.range(40.0, 90.0)),
            };
            write_letter(
                &mut page,
                &geom.bubbles[last].area,
                letter,
                width,
                grey,
                &mut rng,
            );
        }
        let expect: Vec<Expect> = geom
            .questions
            .iter()
            .map(|q| {
                let answer = student.answer(q.number).to_string();
                if written.iter().any(|w| w.0 == q.number) {
                    Expect::RightOrFlag(answer)
                } else {
                    Expect::Clear(answer)
                }
            })
            .collect();
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), scale, (0.0, 0.0));
        let img = synth::distort(&page, &d, seed + 1);
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("written {scale} page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// A letter written right of a row's last box, the question left blank: never read as the last letter
/// (before, the letter's rising stroke was taken for a check's arm beside the box and read silently).
#[test]
fn a_letter_written_beside_the_last_box_is_not_read_as_it() {
    for (base, scale) in [(9700, 1.0), (9800, 1.2)] {
        let tally = pages_of_written_letters(base, scale);
        tally.assert_wrong_at_most(0, |_| true);
    }
}
