//! Correction tape over a pen's mark is no answer read: a box whose printed outline is gone on three or
//! four sides has white film over it, and what shows through the film (or the film's shadowed edge) goes
//! to a person instead of being read as the letter the student took back.

use image::GrayImage;

use super::synth::{self, Rng, Student};
use super::synth_damage as damage;
use super::*;

/// A clear-fill sheet with correction tape over the marked box of `taped` questions of one letter each;
/// those questions are now meant blank.
fn taped_sheet(
    seed: u64,
    taped: usize,
    ink: Option<synth::Mark>,
) -> (SheetGeometry, Student, GrayImage, Vec<u32>) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let mut student = synth::random_student(&geom, &mut rng);
    let mut upright = synth::draw(&geom, &student, seed);
    let mut covered = Vec::new();
    for (q, answer) in student.answers.iter_mut() {
        if covered.len() == taped || answer.len() != 1 || rng.unit() < 0.5 {
            continue;
        }
        let Some(i) = synth::answer_bubble(&geom, *q, answer) else {
            continue;
        };
        let a = geom.bubbles[i].area;
        match ink {
            Some(mark) => synth::draw_mark(&mut upright, &a, mark, synth::PPM, &mut rng),
            None => felt_fill(&mut upright, &a, &mut rng),
        }
        damage::correction_tape(&mut upright, &geom.bubbles[i].area, synth::PPM, &mut rng);
        answer.clear();
        covered.push(*q);
    }
    (geom, student, upright, covered)
}

/// A felt-tip pen's fill: the box inked nearly black, run over its bottom edge by up to 1.4 mm the way a
/// marker's broad tip does, so a sliver of the ink can lie past the tape's edge.
fn felt_fill(img: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let px = |mm: f32| (mm * synth::PPM).round().max(0.0) as u32;
    let inset = rng.range(0.15, 0.4);
    let (top, bottom) = (a.y + inset, a.y + a.h + rng.range(0.0, 1.4));
    for y in px(top)..px(bottom).min(img.height()) {
        for x in px(a.x + inset)..px(a.x + a.w - inset) {
            let v = rng.range(18.0, 40.0) as u8;
            let p = img.get_pixel_mut(x, y);
            p.0[0] = p.0[0].min(v);
        }
    }
}

/// Each taped question read blank or sent to a person, never as the letter under the tape; every other
/// answer as meant or sent to a person, and at most one of them sent.
fn reads_taped_as_taken_back(reading: &PageReading, student: &Student, taped: &[u32], what: &str) {
    let mut silently_read = Vec::new();
    let mut other_flags = 0;
    for a in &reading.answers {
        let meant = student.answer(a.question);
        if taped.contains(&a.question) {
            if !a.reading.doubtful && !a.reading.letters.is_empty() {
                silently_read.push(format!("{}: {}", a.question, a.reading.letters));
            }
        } else if a.reading.doubtful {
            other_flags += 1;
        } else {
            assert_eq!(a.reading.letters, meant, "{what}: question {}", a.question);
        }
    }
    assert!(
        silently_read.is_empty(),
        "{what}: taped-over marks read as letters: {silently_read:?}"
    );
    assert!(
        other_flags <= 1,
        "{what}: {other_flags} clear fills sent to a person"
    );
}

#[test]
fn a_mark_under_correction_tape_is_never_read_as_its_letter() {
    for (seed, ink) in [
        (2401u64, None),
        (2402, Some(synth::Mark::PenFill)),
        (2403, None),
        (2404, Some(synth::Mark::PenFill)),
        (2405, None),
        (2406, None),
    ] {
        let (geom, student, upright, taped) = taped_sheet(seed, 12, ink);
        assert!(taped.len() >= 8, "seed {seed}: {} taped", taped.len());
        let copier = damage::copier(&upright, 0.8, (0.0, 0.0), seed);
        let coarse = synth::jpeg_round_trip(&copier, 30);
        let mut small = synth::Distortion::turned(-0.5, 0.8, (0.0, 0.0));
        small.jpeg = Some(40);
        let small = synth::distort(&upright, &small, seed);
        for (page, how) in [
            (copier, "copier"),
            (coarse, "JPEG 30"),
            (small, "0.8 scale, JPEG 40"),
        ] {
            let what = format!("seed {seed}, {how}");
            let reading = read_page(&page, &geom).unwrap_or_else(|e| panic!("{what}: {e}"));
            reads_taped_as_taken_back(&reading, &student, &taped, &what);
        }
    }
}
