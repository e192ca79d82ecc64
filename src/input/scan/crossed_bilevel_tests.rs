//! Fills crossed out on a copier's 1-bit page and in a blue ballpoint (#23, the second field check's
//! `cancel` on `bilevel200` pages and by a ballpoint writer): the × drawn over a fill to cancel it is
//! never read as the crossed letter. On a 1-bit page the threshold cuts a thin arm's faint tip away and
//! breaks it where the pen skipped; a blue ballpoint's line is thin and light once a grey scan reads it.

use super::synth::{self, Expect, Mark, Rng, Tally};
use super::*;

use super::synth::PPM;

/// Which tool crosses the fill out.
#[derive(Clone, Copy)]
enum Tool {
    /// A ballpoint, black or blue as a grey scan shows it: a thin line (0.28–0.4 mm) that skips.
    Ballpoint,
    /// A pencil pressed hard: 0.5–0.8 mm, grey 40–110.
    Pencil,
}

/// An × over box `a`, as a hand cancels a fill: two fast straight strokes, each through the box from
/// near one corner to near the opposite one (a few tenths off the corner), running on past it by
/// 0.6–1.3 mm at each end.
fn cross_out(page: &mut image::GrayImage, a: &BoxMm, tool: Tool, rng: &mut Rng) {
    let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
    let (width, grey) = match tool {
        Tool::Ballpoint => (
            rng.range(0.28, 0.4),
            if rng.unit() < 0.5 {
                rng.range(30.0, 70.0)
            } else {
                rng.range(95.0, 135.0)
            },
        ),
        Tool::Pencil => (rng.range(0.5, 0.8), rng.range(40.0, 110.0)),
    };
    let diagonal = a.w.hypot(a.h);
    let (ux, uy) = (a.w / diagonal, a.h / diagonal);
    for (from, to) in [((x0, y0), (x1, y1)), ((x1, y0), (x0, y1))] {
        let (sx, sy) = ((to.0 - from.0).signum() * ux, (to.1 - from.1).signum() * uy);
        let (before, after) = (rng.range(0.6, 1.3), rng.range(0.6, 1.3));
        let off = (rng.range(-0.2, 0.2), rng.range(-0.15, 0.15));
        let p0 = (from.0 - sx * before + off.0, from.1 - sy * before + off.1);
        let p1 = (to.0 + sx * after - off.0, to.1 + sy * after - off.1);
        synth::polyline(page, &[p0, p1], width, grey, PPM, rng);
        if let Tool::Ballpoint = tool {
            // Where the ball skipped: a gap or two along the stroke.
            for _ in 0..rng.below(3) {
                let t = rng.range(0.1, 0.9);
                let c = (p0.0 + t * (p1.0 - p0.0), p0.1 + t * (p1.1 - p0.1));
                synth::polyline(page, &[c, (c.0 + 0.05, c.1)], 0.2, 255.0, PPM, rng);
            }
        }
    }
}

/// A student who fills every answer and on a third of the single-choice questions has filled one
/// letter and crossed it out with `tool` (the question left unanswered or another letter filled beside
/// it); the page turned a little, and cut to 1-bit at 115–160 when `cut`. Each crossed-out question must
/// reach a person; every other question is clear.
fn crossed_page(seed: u64, tool: Tool, fills: &[Mark], cut: bool, tally: &mut Tally) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let mut student = synth::random_student(&geom, &mut rng);
    student
        .marks
        .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
    let mut expect = Vec::new();
    let mut crossed = Vec::new();
    for (k, q) in geom.questions.iter().enumerate() {
        let options = synth::options_of(&geom, q.number);
        let at = |o: &str| synth::answer_bubble(&geom, q.number, o).expect("the question's option");
        let n = student
            .answers
            .iter()
            .position(|(n, _)| *n == q.number)
            .expect("every question");
        let answer = student.answers[n].1.clone();
        if q.kind == ChoiceKind::Single && k % 3 == 0 {
            let o = options[rng.below(options.len())];
            student.marks.push((at(o), fills[rng.below(fills.len())]));
            crossed.push(at(o));
            student.answers[n].1.clear();
            if rng.unit() < 0.5 {
                let others: Vec<&&str> = options.iter().filter(|p| **p != o).collect();
                let refill = others[rng.below(others.len())].to_string();
                student
                    .marks
                    .push((at(&refill), fills[rng.below(fills.len())]));
                student.answers[n].1 = refill;
            }
            expect.push(Expect::Flag);
            continue;
        }
        for o in &options {
            if answer.contains(o) {
                student.marks.push((at(o), fills[rng.below(fills.len())]));
            }
        }
        expect.push(Expect::Clear(answer));
    }
    let mut page = synth::draw(&geom, &student, seed);
    for &b in &crossed {
        cross_out(&mut page, &geom.bubbles[b].area, tool, &mut rng);
    }
    let d = synth::Distortion::turned(rng.range(-1.0, 1.0), 1.0, (0.0, 0.0));
    let mut img = synth::distort(&page, &d, seed + 1);
    if cut {
        super::synth_damage::one_bit(&mut img, rng.range(115.0, 160.0) as u8);
    }
    let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
    tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
}

/// Pencil and ballpoint fills crossed out on 1-bit pages: the threshold leaves a thin arm's tip short
/// of where a grey scan shows it, and breaks it into dashes. Before each sample on a 1-bit page took the
/// darkest pixel beside it (and an arm could be found on the outer three lines), 25 of the 80 crossed
/// fills were read as the letter; 16 still were: arms whose tips the threshold cut short of the line
/// 0.85 mm out, or scribbled fills whose dark overrun swallows the arms. Followed along rays past the
/// corners beside the fill's overrun (`arms_reach_past_overrun`), 10 still are (the bound). The clear fills
/// flagged are bounded too: 40 of 304 before, 39 of them on page 9100, whose cut leaves grains beside
/// every fill that read as smudges (no cross there); 42 after, two scribbled fills whose turning strokes
/// now look like arms.
#[test]
fn a_crossed_out_fill_on_a_bilevel_page_is_never_read_as_the_letter() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let tool = if seed % 2 == 0 {
            Tool::Ballpoint
        } else {
            Tool::Pencil
        };
        crossed_page(
            9100 + seed,
            tool,
            &[Mark::Pencil, Mark::Scribble, Mark::PenFill],
            true,
            &mut tally,
        );
    }
    tally.report("crossed, 1-bit");
    tally.assert_wrong_at_most(10, |_| true);
    assert!(tally.flagged + 10 >= tally.must_flag);
    // Raised 42 -> 48 at the merge with the per-label speck allowance on 1-bit pages (`bilevel.rs`):
    // specks the threshold leaves beside these turned pages' fills now count as small marks in the
    // next box, and such a question goes to a person. The field check's 1-bit clear fills flagged did
    // not move (2 of 109, 1 of 97, 0 of 97, 2 of 162 on its seeds 1-3 and 21).
    // Raised 48 -> 49 with the crossing's blob (`crossing.rs`): one more clear fill, a light one whose
    // print the threshold leaves with a blob at the middle, goes to a person.
    assert!(
        tally.clear_flagged <= 49,
        "{} clear marks flagged",
        tally.clear_flagged
    );
}

/// Ballpoint fills crossed out in ballpoint on grey scans: a thin line, light when blue (all go to a
/// person, before and after: a guard that no clear ballpoint fill is flagged more).
#[test]
fn a_fill_crossed_out_in_ballpoint_is_never_read_as_the_letter() {
    let mut tally = Tally::default();
    for seed in 0..3u64 {
        crossed_page(
            9200 + seed,
            Tool::Ballpoint,
            &[Mark::PenFill],
            false,
            &mut tally,
        );
    }
    tally.report("crossed, ballpoint");
    tally.check(0, 3);
}
