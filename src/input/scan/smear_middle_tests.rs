//! A left-hander's smear over the middle of the box beside a fill (see [`super::smear`]): the inside's
//! end rows hold almost none of it and are left out of its evenness. (The branch's other change, one
//! paper level a box under a shadow's sharp edge, is parked with its test: it read a blank box as a
//! letter under a 1.5 mm edge.)

use image::GrayImage;

use super::synth::{self, Mark, Student};
use super::*;

use super::synth::PPM;

/// The side of a hand dragged left to right over the fill in box `a`, touching it over its middle only
/// (the side of a hand is rounded: pressed on the fill's middle, it lifts off before the box's top and
/// bottom edges): graphite carried on past the box's right side, `share` of the light at the fill's
/// edge, falling by e every `fade` mm, over `a`'s height less `inset` mm at the top and the bottom.
fn smear_middle(img: &mut GrayImage, a: &BoxMm, share: f32, fade: f32, inset: f32) {
    let edge = a.x + a.w - 0.3;
    let (top, bottom) = (a.y + inset, a.y + a.h - inset);
    let (x0, x1) = ((edge * PPM) as u32, ((edge + 6.0 * fade) * PPM) as u32);
    let (y0, y1) = (((top - 0.4) * PPM) as u32, ((bottom + 0.4) * PPM) as u32);
    for y in y0..y1.min(img.height()) {
        let my = (y as f32 + 0.5) / PPM;
        let soft = ((my - (top - 0.4)).min(bottom + 0.4 - my) / 0.5).clamp(0.0, 1.0);
        for x in x0..x1.min(img.width()) {
            let mx = (x as f32 + 0.5) / PPM;
            let dark = share * soft * (-(mx - edge) / fade).exp();
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (p.0[0] as f32 * (1.0 - dark)).round() as u8;
        }
    }
}

/// A left-hander's hand smears each fill into the next box over the fill's middle only: the inside's
/// top and bottom rows (the inside is an ellipse, so they begin further from the fill) hold almost none
/// of it. The fill reads unflagged. A guard only: this fabrication reads unflagged with every row judged
/// as well (the field check's smears on folded pages did not; their end rows read 0.000-0.005).
#[test]
fn a_smear_over_the_middle_of_the_next_box_reads_unflagged() {
    use super::geometry::ChoiceKind;
    let geom = synth::mock_geometry();
    let student = Student::unmarked("2025000123", "A");
    let (mut flagged, mut total, mut flagged_before) = (0, 0, 0);
    for seed in [91u64, 92] {
        let mut img = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, seed);
        let mut rng = synth::Rng::new(seed);
        let mut questions = Vec::new();
        for q in geom
            .questions
            .iter()
            .filter(|q| q.kind == ChoiceKind::Single)
        {
            let of_q: Vec<usize> = (0..geom.bubbles.len())
                .filter(|&i| matches!(&geom.bubbles[i].meaning, BubbleMeaning::Answer { question, .. } if *question == q.number))
                .collect();
            if of_q.len() < 2 {
                continue;
            }
            let a = &geom.bubbles[of_q[0]].area;
            synth::draw_mark(&mut img, a, Mark::Pencil, PPM, &mut rng);
            let (share, fade, inset) = (
                rng.range(0.06, 0.12),
                rng.range(0.5, 1.0),
                rng.range(0.7, 1.0),
            );
            smear_middle(&mut img, a, share, fade, inset);
            questions.push(q.number);
        }
        let reading = read_page(&img, &geom).expect("page reads");
        super::smear::ALL_ROWS.with(|c| c.set(true));
        let before = read_page(&img, &geom).expect("page reads");
        super::smear::ALL_ROWS.with(|c| c.set(false));
        flagged_before += before
            .answers
            .iter()
            .filter(|a| questions.contains(&a.question) && a.reading.doubtful)
            .count();
        for q in questions {
            let r = &reading
                .answers
                .iter()
                .find(|a| a.question == q)
                .expect("question read")
                .reading;
            assert!(
                r.letters == "A" || r.doubtful,
                "q{q}: the smear read as a mark: {r:?}"
            );
            total += 1;
            flagged += r.doubtful as usize;
        }
    }
    assert!(
        flagged * 100 <= total * 3,
        "{flagged} of {total} smeared fills flagged (every row judged: {flagged_before})"
    );
    eprintln!("{flagged} of {total} smeared fills flagged (every row judged: {flagged_before})");
}
