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
