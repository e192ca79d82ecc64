//! Marks on a 1-bit copier page copied square (#23, the second field check's `bilevel200`: a 200 dpi
//! black-and-white scan, every pixel black or white): what the threshold keeps of a thin dash is as
//! black as the print, and no more than a sliver of the box.

use super::synth::{self, Rng, Tally};
use super::*;

use super::synth::PPM;

/// A short dash across the box with a 0.5 mm mechanical pencil or a ballpoint, through or beside the
/// printed letter: 1.6–3 mm long, about a pixel or two wide once cut to black and white.
fn thin_dash(page: &mut image::GrayImage, a: &BoxMm, rng: &mut Rng) {
    let (cx, cy) = a.centre();
    let (cx, cy) = (cx + rng.range(-0.6, 0.6), cy + rng.range(-0.5, 0.5));
    let half = rng.range(0.8, 1.5);
    let tilt = rng.range(-0.12, 0.12);
    let (grey, width) = (rng.range(40.0, 90.0), rng.range(0.25, 0.35));
    synth::polyline(
        page,
        &[(cx - half, cy - half * tilt), (cx + half, cy + half * tilt)],
        width,
        grey,
        PPM,
        rng,
    );
}

/// Single-choice questions each answered with a thin dash, the page copied square to black and white
/// at 115–160: every dash reads, or goes to a person. The page's boxes hold no print left over (it
/// falls on the pixel grid alike in every box of a label), so a dash covering 5–9 % of the inside
/// is no speck; with the allowance made for a page skewed against the grid (up to 9 % of the box) it
/// was read as nothing (15 of 60 silently empty before). Still silently empty (the bound): dashes
/// lying mostly on the printed letter, 2–4 % of the inside left beside it.
#[test]
fn a_thin_dash_on_a_square_bilevel_page_is_read() {
    let mut tally = Tally::default();
    for seed in 0..2u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9100 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let mut dashed = Vec::new();
        for q in geom.questions.iter() {
            if q.kind != ChoiceKind::Single || q.number % 2 == 0 {
                continue;
            }
            let (b, _) = synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, true)
                .expect("every option has a bubble");
            dashed.push(b);
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &dashed {
            thin_dash(&mut page, &geom.bubbles[b].area, &mut rng);
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        super::synth_damage::one_bit(&mut page, rng.range(115.0, 160.0) as u8);
        let reading = read_page(&page, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        tally.add(
            &format!("thin dashes page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("thin dashes, 1-bit, square");
    tally.assert_wrong_at_most(9, |_| true);
}

/// A broad soft pencil's fill pressed black, run over its outline by a band `over` mm deep all round
/// (a firm hand's overrun, a left hand's smear): strokes 0.5 mm wide every 0.3 mm down the box.
fn broad_fill(page: &mut image::GrayImage, a: &BoxMm, over: f32, rng: &mut Rng) {
    let (x0, x1) = (a.x - over, a.x + a.w + over);
    let mut y = a.y - over + 0.2;
    while y <= a.y + a.h + over - 0.2 {
        let grey = rng.range(30.0, 60.0);
        synth::polyline(page, &[(x0 + 0.2, y), (x1 - 0.2, y)], 0.5, grey, PPM, rng);
        y += 0.3;
    }
}

/// An × pressed over a fill with the same broad pencil, to cancel it: two strokes about a millimetre
/// wide, each through the middle of the box from corner to corner, running on 0.8–1.3 mm past both.
fn broad_cross(page: &mut image::GrayImage, a: &BoxMm, rng: &mut Rng) {
    let (x0, y0, x1, y1) = (a.x, a.y, a.x + a.w, a.y + a.h);
    let diagonal = a.w.hypot(a.h);
    let (ux, uy) = (a.w / diagonal, a.h / diagonal);
    for (from, to) in [((x0, y0), (x1, y1)), ((x1, y0), (x0, y1))] {
        let (sx, sy) = ((to.0 - from.0).signum() * ux, (to.1 - from.1).signum() * uy);
        let (before, after) = (rng.range(0.8, 1.3), rng.range(0.8, 1.3));
        let p0 = (from.0 - sx * before, from.1 - sy * before);
        let p1 = (to.0 + sx * after, to.1 + sy * after);
        let (width, grey) = (rng.range(0.9, 1.1), rng.range(30.0, 60.0));
        synth::polyline(page, &[p0, p1], width, grey, PPM, rng);
    }
}

/// Black fills on a 1-bit page copied square, each run over its outline by 0.2–0.45 mm, a third of them
/// crossed out with a broad pencil's × (the second field check's left-handed and hasty writers,
/// `cancel` on `bilevel200`: tuning seed 24 p035 q12 and q55, seed 25 p014 q65). On the lines round
/// such a box the arm covers the whole quarter circle at the corner and merges with the overrun, and
/// the lines' arms were not found: 54 of the 58 crossed fills here were read as the letter before the
/// rays past the corners (`crossed::arms_reach_past_overrun`). Every crossed fill goes to a person; no
/// clear fill with the same overrun is flagged.
#[test]
fn a_fill_crossed_out_with_a_broad_pencil_on_a_bilevel_page_goes_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..2u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(9300 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        student
            .marks
            .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
        let mut filled = Vec::new();
        let mut crossed = Vec::new();
        let mut expect = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            let options = synth::options_of(&geom, q.number);
            let o = options[rng.below(options.len())].to_string();
            let b = synth::answer_bubble(&geom, q.number, &o).expect("the question's option");
            let n = student
                .answers
                .iter()
                .position(|(n, _)| *n == q.number)
                .expect("every question");
            filled.push(b);
            if k % 3 == 0 {
                crossed.push(b);
                student.answers[n].1.clear();
                expect.push(synth::Expect::Flag);
            } else {
                student.answers[n].1 = o.clone();
                expect.push(synth::Expect::Clear(o));
            }
        }
        let mut page = synth::draw(&geom, &student, 9300 + seed);
        for &b in &filled {
            let over = rng.range(0.2, 0.45);
            broad_fill(&mut page, &geom.bubbles[b].area, over, &mut rng);
        }
        for &b in &crossed {
            broad_cross(&mut page, &geom.bubbles[b].area, &mut rng);
        }
        super::synth_damage::one_bit(&mut page, rng.range(115.0, 160.0) as u8);
        let reading = read_page(&page, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        tally.add(
            &format!("broad crosses page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.report("fills crossed out with a broad pencil, 1-bit");
    tally.assert_wrong_at_most(0, |_| true);
    assert_eq!(tally.flagged, tally.must_flag, "crossed fills not flagged");
    assert_eq!(tally.clear_flagged, 0, "clear fills flagged");
}
