//! A shadow with a sharp edge (a hand or the phone close over the sheet, or a lamp's hard light) across
//! the answers of a phone photo: the white map's cells change from lit to shaded paper within one box's
//! reach, and each box is measured against one paper level (see [`super::light::one_paper`]), so clear
//! fills under the edge are read, not flagged, and blank boxes there are not read as marks.

use image::GrayImage;

use super::synth::{self, Mark, Student};
use super::synth_damage as damage;
use super::*;

use super::synth::PPM;

fn render(geom: &SheetGeometry, s: &Student, seed: u64) -> GrayImage {
    let qr = format!("EXAMGEN1|3f9a0c2d71e4b8a6|{}|1|{}", s.variant, s.id);
    synth::render(geom, s, &qr, PPM, seed)
}

/// Answers read as letters the student did not mean (no `?`), and answers flagged.
fn wrong_and_flagged(reading: &PageReading, s: &Student) -> (Vec<String>, usize) {
    let mut wrong = Vec::new();
    let mut flagged = 0;
    for a in &reading.answers {
        let m = s.answer(a.question);
        if a.reading.doubtful {
            flagged += 1;
        } else if a.reading.letters != m {
            wrong.push(format!("q{} {m:?} -> {:?}", a.question, a.reading.letters));
        }
    }
    (wrong, flagged)
}

/// The middle of the answer area (sheet mm).
fn answers_middle(geom: &SheetGeometry) -> (f32, f32) {
    let answers: Vec<&BoxMm> = geom
        .bubbles
        .iter()
        .filter(|b| matches!(b.meaning, BubbleMeaning::Answer { .. }))
        .map(|b| &b.area)
        .collect();
    let (cx, cy) = answers.iter().fold((0.0, 0.0), |(x, y), a| {
        (x + a.x + a.w / 2.0, y + a.y + a.h / 2.0)
    });
    let n = answers.len() as f32;
    (cx / n, cy / n)
}

/// Reads `img`, with each box measured against one paper level where the white map changes within its
/// reach (`one_paper`), or against each sample's own cell of the map as before (`!one_paper`).
fn read(img: &GrayImage, geom: &SheetGeometry, one_paper: bool) -> PageReading {
    super::light::WHITE_MAP_ONLY.with(|c| c.set(!one_paper));
    let r = read_page(img, geom).expect("the photo reads");
    super::light::WHITE_MAP_ONLY.with(|c| c.set(false));
    r
}

/// Fills by a firm and by a light hand, every other question blank, a shadow 40–55 % deep whose edge is
/// sharp (1.5–3 mm from lit to shaded) running through the middle of the answers at a slant. Nothing is
/// read silently wrong, and the edge sends few more answers to a person than the evenly lit photo.
/// Measured against each cell's own paper the boxes the edge passes near were flagged by the dozen.
#[test]
fn a_sharp_shadow_edge_across_the_answers_is_read_through() {
    let geom = synth::mock_geometry();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (k, (mark, angle, depth, soft)) in [
        (Mark::Pencil, 0.35f32, 0.5f32, 1.5f32),
        (Mark::Pencil, 1.9, 0.45, 2.0),
        (Mark::LightFill, -0.6, 0.55, 2.5),
        (Mark::LightFill, 1.2, 0.4, 3.0),
    ]
    .into_iter()
    .enumerate()
    {
        let seed = 700 + k as u64;
        let s = synth::every_other_blank(&geom, seed, mark);
        let photo = damage::phone_perspective(&render(&geom, &s, seed), 90);
        let (mx, my) = answers_middle(&geom);
        let lit_reading = read_page(&photo, &geom).expect("the undamaged photo reads");
        let (u, v) = lit_reading.registration.to_image.map(mx as f64, my as f64);
        let mut shaded = photo.clone();
        damage::shadow(&mut shaded, (u as f32, v as f32), angle, depth, soft * PPM);
        let mut lit = photo;
        for img in [&mut lit, &mut shaded] {
            let mut rng = synth::Rng::new(seed);
            damage::noise_and_blur(img, &mut rng, true);
        }
        let what = format!("{mark:?} writer, shadow {depth} at {angle} rad, edge {soft} mm");
        let (_, flagged_lit) = wrong_and_flagged(&read(&lit, &geom, true), &s);
        let (wrong_old, flagged_old) = wrong_and_flagged(&read(&shaded, &geom, false), &s);
        let (wrong, flagged) = wrong_and_flagged(&read(&shaded, &geom, true), &s);
        eprintln!(
            "{what}: lit {flagged_lit} flagged; shaded, each cell's paper: {flagged_old} flagged, \
             wrong {wrong_old:?}; one paper a box: {flagged} flagged, wrong {wrong:?}"
        );
        assert!(wrong.is_empty(), "{what}: read silently as {wrong:?}");
        before.push((what.clone(), flagged_lit, flagged_old, wrong_old.len()));
        after.push((what, flagged_lit, flagged));
    }
    assert!(
        after.iter().all(|(_, lit, shaded)| *shaded <= lit + 6),
        "answers flagged (lit evenly, shaded): {after:?} (each cell's own paper: {before:?})"
    );
}

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
/// of it. The fill reads unflagged. Before those end rows were left out of the smear's evenness down its
/// near side, they read as a mark across a few rows only, and the question went to a person.
#[test]
fn a_smear_over_the_middle_of_the_next_box_reads_unflagged() {
    use super::geometry::ChoiceKind;
    let geom = synth::mock_geometry();
    let student = Student {
        id: "2025000123".into(),
        variant: "A".into(),
        answers: Vec::new(),
        marks: Vec::new(),
    };
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
