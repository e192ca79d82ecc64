//! Every way a pencil meets a bubble (issue #23), over many fabricated pages with a ground truth: fills
//! dark and light, scribbles, ticks, crosses, circles, a faint writer's whole sheet, half fills, erasures,
//! double marks and a tick beside a fill. Clear marks must read right (at most 3 % of them flagged) and no
//! mark with ink may be read silently as empty or as another letter.

use super::synth::{self, Distortion, Expect, Rng, Student, Tally};
use super::*;

/// Pixels per mm the upright sheets are drawn at (8 ≈ 203 dpi); distortions scale them.
const PPM: f32 = 8.0;

fn qr_text_for(student: &Student) -> String {
    format!(
        "examgen:1:3f9a0c2d71e4b8a6:{}:1:{}",
        student.variant, student.id
    )
}

fn styled_page(
    seed: u64,
    faint: bool,
    d: &Distortion,
) -> (SheetGeometry, Student, Vec<Expect>, PageReading) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let (student, expect) = synth::styled_student(&geom, &mut rng, faint);
    let upright = synth::render(&geom, &student, &qr_text_for(&student), PPM, seed);
    let img = synth::distort(&upright, d, seed + 1);
    let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
    (geom, student, expect, reading)
}

/// Copier pages at 150 to 300 dpi, a little turned, noisy and JPEG-compressed, each marked in every style.
#[test]
fn every_way_of_marking_reads_right_or_goes_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..10u64 {
        let mut rng = Rng::new(1000 + seed);
        let scale = [0.75, 1.0, 1.0, 1.45][seed as usize % 4];
        let d = Distortion::turned(rng.range(-2.5, 2.5), scale, (rng.range(-0.01, 0.01), 0.0));
        let (geom, student, expect, reading) = styled_page(100 + seed, false, &d);
        tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
    }
    tally.check(0, 3);
}

/// A faint writer: every mark light grey, the sheet's own split between filled and empty still reads them.
#[test]
fn a_whole_sheet_in_faint_pencil_reads() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let d = Distortion::turned(
            [-1.5, 0.8, 2.0, -0.4][seed as usize],
            [1.0, 0.75, 1.45, 1.0][seed as usize],
            (0.0, 0.0),
        );
        let (geom, student, expect, reading) = styled_page(200 + seed, true, &d);
        assert!(reading.levels.pencil < 0.35, "{:?}", reading.levels);
        tally.add(
            &format!("faint page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.check(0, 3);
}

/// A student underlining the letters, the line drawn in the gap under each box (0.2–0.6 mm below it,
/// broad pencil or ballpoint: its ink reaches about 1 mm down, 0.4 mm short of the next row). Before the
/// line's end was looked for up to the box below (it was cut off at 1.1 mm, inside a broad line's blur)
/// and the bubble below stopped claiming a gap its mark cannot reach, these six pages read 128
/// questions silently wrong; now 105. Not yet met (#23): the rest, not yet traced, are underlines read
/// short of a letter or empty on these heavier fabricated lines (the field check gains less); the
/// bound guards what was won.
#[test]
fn lines_drawn_under_the_boxes_read_or_go_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(700 + seed);
        let (mut student, expect) =
            synth::styled_student_with(&geom, &mut rng, &[synth::Mark::UnderlineBelow]);
        // The id grid and the variant row filled as usual: the underlines are the answers'.
        for (i, m) in student.marks.iter_mut() {
            if !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }) {
                *m = synth::Mark::Pencil;
            }
        }
        let upright = synth::render(&geom, &student, &qr_text_for(&student), PPM, seed);
        let d = Distortion::turned(
            rng.range(-1.5, 1.5),
            [1.0, 1.45, 0.75][seed as usize % 3],
            (0.0, 0.0),
        );
        let img = synth::distort(&upright, &d, seed + 1);
        let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        tally.add(
            &format!("underlined page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("");
    assert!(
        tally.wrong.len() <= 105,
        "{} silently wrong:\n{}",
        tally.wrong.len(),
        tally.wrong.join("\n")
    );
}
