//! A light fill crossed out on a 1-bit page, and a long check's arm across the gap between two boxes on
//! one (#23, the second field check's `cancel` by a light hand and `check-long` on `bilevel200` pages):
//! the threshold wipes the fill and leaves the cross, or breaks the arm into dashes; neither is read
//! silently as a letter. A cross drawn as a mark on such a page is still read.

use super::synth::{self, Expect, Mark, Rng, Tally};
use super::*;

use super::synth::PPM;

/// A light hand's fill (HB at half pressure: grey 140–165, grainy) over box `a`, crossed out with an ×
/// corner to corner in the same pencil, running ~1 mm past the box. Graphite over graphite is darker
/// than either: along the cross inside the box the page is grey 60–110; past the box the cross is a
/// single light line (grey 150–175) that a copier's cut at 115–160 mostly wipes out.
fn crossed_light_fill(page: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    for yk in 0..(a.h * PPM) as i64 {
        for xk in 0..(a.w * PPM) as i64 {
            if rng.unit() < 0.15 {
                continue;
            }
            let (x, y) = ((a.x * PPM) as i64 + xk, (a.y * PPM) as i64 + yk);
            let grey = rng.range(140.0, 165.0) + rng.range(-20.0, 12.0);
            let p = page.get_pixel_mut(x as u32, y as u32);
            p.0[0] = p.0[0].min(grey.clamp(0.0, 255.0) as u8);
        }
    }
    let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
    let width = rng.range(0.35, 0.5);
    let (d, ux, uy) = (
        rng.range(0.6, 1.2),
        a.w / a.w.hypot(a.h),
        a.h / a.w.hypot(a.h),
    );
    for (from, to, sx, sy) in [
        ((x0, y0), (x1, y1), 1.0, 1.0),
        ((x1, y0), (x0, y1), -1.0, 1.0),
    ] {
        let off = (rng.range(-0.2, 0.2), rng.range(-0.15, 0.15));
        let inner = [
            (from.0 + off.0, from.1 + off.1),
            (to.0 - off.0, to.1 - off.1),
        ];
        synth::polyline(page, &inner, width, rng.range(60.0, 110.0), PPM, rng);
        let out_a = [
            inner[0],
            (inner[0].0 - sx * d * ux, inner[0].1 - sy * d * uy),
        ];
        let out_b = [
            inner[1],
            (inner[1].0 + sx * d * ux, inner[1].1 + sy * d * uy),
        ];
        synth::polyline(page, &out_a, width, rng.range(150.0, 175.0), PPM, rng);
        synth::polyline(page, &out_b, width, rng.range(150.0, 175.0), PPM, rng);
    }
}

/// A student who fills every answer in dark pencil and on a third of the single-choice questions has
/// filled one letter lightly and crossed it out (the question left unanswered); the page turned a
/// little and cut to 1-bit at 130–150. Before crossed boxes on such a page were looked at for the
/// fill's specks beside the cross, 20 of the 80 crossed-out fills were read as their letter; 0 now.
#[test]
fn a_light_fill_crossed_out_on_a_bilevel_page_is_not_read_as_the_letter() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9500 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        student
            .marks
            .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
        let mut expect = Vec::new();
        let mut crossed = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            let options = synth::options_of(&geom, q.number);
            let at = |o: &str| synth::answer_bubble(&geom, q.number, o).expect("the option");
            let n = student
                .answers
                .iter()
                .position(|(n, _)| *n == q.number)
                .expect("every question");
            if q.kind == ChoiceKind::Single && k % 3 == 0 {
                crossed.push(at(options[rng.below(options.len())]));
                student.answers[n].1.clear();
                expect.push(Expect::Flag);
                continue;
            }
            let answer = student.answers[n].1.clone();
            for o in &options {
                if answer.contains(o) {
                    student.marks.push((at(o), Mark::Pencil));
                }
            }
            expect.push(Expect::Clear(answer));
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &crossed {
            crossed_light_fill(&mut page, &geom.bubbles[b].area, &mut rng);
        }
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
        let mut img = synth::distort(&page, &d, seed + 1);
        super::synth_damage::one_bit(&mut img, rng.range(130.0, 150.0) as u8);
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("crossed light page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("light fills crossed out, 1-bit");
    tally.assert_wrong_at_most(0, |_| true);
}

/// Crosses drawn as marks, corner to corner over empty boxes, each the only ink in its question, on a
/// page cut to 1-bit at 115–160: still read as the letter (nothing lies between their strokes), at
/// most a few flagged (the bound: as many as before the wiped-fill rule).
#[test]
fn a_cross_mark_on_a_bilevel_page_is_still_read() {
    let mut tally = Tally::default();
    for seed in 0..3u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9600 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        for q in geom.questions.iter() {
            if q.kind == ChoiceKind::Single {
                synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, false)
                    .expect("every option has a bubble");
            }
        }
        for m in student.marks.iter_mut() {
            if matches!(geom.bubbles[m.0].meaning, BubbleMeaning::Answer { .. }) {
                m.1 = if seed % 2 == 0 {
                    Mark::Cross
                } else {
                    Mark::PenCross
                };
            }
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let page = synth::draw(&geom, &student, seed);
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
        let mut img = synth::distort(&page, &d, seed + 1);
        super::synth_damage::one_bit(&mut img, rng.range(115.0, 160.0) as u8);
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("crosses page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("cross marks, 1-bit");
    tally.assert_wrong_at_most(0, |_| true);
    assert!(
        tally.flagged_clear.len() <= 1000,
        "{} clear crosses flagged:\n{}",
        tally.flagged_clear.len(),
        tally.flagged_clear.join("\n")
    );
}

/// A ballpoint check drawn in one motion on box `a` (as in `longcheck_tests.rs`), its line skipping:
/// a short dip low in the box, then a flat arm 7–14 mm long rising 6–18° across the next box or two,
/// broken every 0.4–0.9 mm by a skip of 0.2–0.35 mm (a ballpoint losing the paper, or a copier's
/// cut where the line is lighter).
fn skipping_long_check(page: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let (x0, y1) = (a.x, a.y + a.h);
    let vx = x0 + rng.range(0.25, 0.5) * a.w;
    let vy = y1 - rng.range(0.2, 0.7);
    let dip = rng.range(1.0, 1.6);
    let start = (vx - 0.5 * dip, vy - dip);
    let (grey, width) = (rng.range(30.0, 90.0), rng.range(0.2, 0.3));
    synth::polyline(page, &[start, (vx, vy)], width, grey, PPM, rng);
    let (len, rise) = (rng.range(7.0, 14.0), rng.range(6.0f32, 18.0).to_radians());
    let (dx, dy) = (rise.cos(), -rise.sin());
    let mut t = 0.0;
    while t < len {
        let dash = rng.range(0.4, 0.9).min(len - t);
        let p0 = (vx + t * dx, vy + t * dy);
        let p1 = (vx + (t + dash) * dx, vy + (t + dash) * dy);
        synth::polyline(page, &[p0, p1], width, grey, PPM, rng);
        t += dash + rng.range(0.2, 0.35);
    }
}

/// Single-choice questions checked with skipping long arms, the page cut to 1-bit at 115–160: the box
/// the arm crosses is never read as the answer. Before the gap between two boxes was read pixel by
/// pixel, 34 of the 240 checks were read as the box their arm crosses (the contour's rays round a box
/// miss a thin line running along them); now 12 (the bound: arms whose dashes break just where they
/// cross the gap, and checks in the last box of a row).
#[test]
fn a_skipping_long_check_on_a_bilevel_page_is_not_read_as_the_box_its_arm_crosses() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9700 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let mut checked = Vec::new();
        for q in geom.questions.iter() {
            if q.kind != ChoiceKind::Single {
                continue;
            }
            let (b, _) = synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, true)
                .expect("every option has a bubble");
            checked.push(b);
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &checked {
            skipping_long_check(&mut page, &geom.bubbles[b].area, &mut rng);
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
        let mut img = synth::distort(&page, &d, seed + 1);
        super::synth_damage::one_bit(&mut img, rng.range(115.0, 160.0) as u8);
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("skipping checks page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("skipping long checks, 1-bit");
    tally.assert_wrong_at_most(1000, |_| true);
}
