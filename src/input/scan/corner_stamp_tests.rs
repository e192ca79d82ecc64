//! A red 已阅 stamp pressed over a corner mark (#23, the field check's stamped page whose blank boxes read
//! as letters): the characters' strokes that touch the mark are no part of it, and the page is placed
//! as if the stamp were not there.

use super::synth::{self, PPM, Rng};
use super::*;

use image::GrayImage;

/// A stamp's characters over the bottom-right mark (5 mm square centred at (199.5, 286.5) mm): strokes
/// 0.7–1 mm wide running across the square and 1.5–3 mm on past its sides, as 阅's frame and hook did on
/// the field check's page, and a ring round it all. A red pad reads 80–140 grey on a scan; its ink lies
/// once over paper and print alike (black toner stays black under it).
fn stamp_over_mark(img: &mut GrayImage, rng: &mut Rng) {
    let (mx, my) = (199.5f32, 286.5f32);
    let level = rng.range(0.4, 0.55);
    let w = rng.range(0.7, 1.0);
    let right = mx + rng.range(1.0, 2.0);
    let foot = my + rng.range(1.5, 2.5);
    // 阅's frame (its right side and its foot, running on past the mark), and strokes inside it.
    let mut bars = vec![
        (right, my - 4.0, right + w, my + 5.5),
        (mx - 4.0, foot, right + w, foot + w),
    ];
    for k in 0..3 {
        let y = my - 2.0 + k as f32 * 1.6 + rng.range(-0.2, 0.2);
        bars.push((mx - 3.0, y, right, y + w * 0.8));
    }
    // The ring, 16–20 mm across, about the characters (only its arc on the page).
    let (cx, cy, r) = (
        mx - rng.range(2.0, 4.0),
        my - rng.range(0.0, 2.0),
        rng.range(8.0, 10.0),
    );
    let inked = |x: f32, y: f32| {
        bars.iter()
            .any(|&(x0, y0, x1, y1)| (x0..x1).contains(&x) && (y0..y1).contains(&y))
            || ((x - cx).hypot(y - cy) - r).abs() <= w / 2.0
    };
    for py in ((my - 14.0) * PPM) as u32..img.height() {
        for px in ((mx - 14.0) * PPM) as u32..img.width() {
            if inked((px as f32 + 0.5) / PPM, (py as f32 + 0.5) / PPM) {
                let p = img.get_pixel_mut(px, py);
                p.0[0] = (p.0[0] as f32 * level).round() as u8;
            }
        }
    }
}

/// How far (mm) the fit puts the furthest answer box's centre from where it is drawn.
fn worst_offset(img: &GrayImage, geom: &SheetGeometry) -> f32 {
    let page = page::Prepared::new(img);
    let reg = marks::register(&page, geom).expect("the stamped page is placed");
    geom.bubbles
        .iter()
        .map(|b| {
            let (x, y) = b.area.centre();
            let (u, v) = reg.to_image.map(x as f64, y as f64);
            ((u as f32 / PPM - x).hypot(v as f32 / PPM - y)) as f32
        })
        .fold(0.0, f32::max)
}

/// The fit from the four marks puts every box within 0.1 mm of where it is drawn with the stamp pressed
/// over the bottom-right mark, as without it. Before the mark was re-centred on its square, the strokes
/// pulled its centre 0.4–0.6 mm towards them and the boxes near it stood 0.25–0.45 mm off (the
/// field page's blank boxes read their own outlines as rings at 0.3 mm).
#[test]
fn a_stamp_over_a_corner_mark_does_not_move_the_page() {
    let geom = synth::mock_geometry();
    for seed in 0..6u64 {
        let mut rng = Rng::new(8300 + seed);
        let student = synth::random_student(&geom, &mut rng);
        let mut img = synth::draw(&geom, &student, 8300 + seed);
        let clean = worst_offset(&img, &geom);
        assert!(
            clean < 0.1,
            "seed {seed}: the unstamped page is off by {clean:.2} mm"
        );
        stamp_over_mark(&mut img, &mut rng);
        let stamped = worst_offset(&img, &geom);
        assert!(
            stamped < 0.1,
            "seed {seed}: with the stamp over the mark the boxes stand {stamped:.2} mm off (unstamped {clean:.2})"
        );
    }
}

/// And the answers read as drawn: every clear mark right (at most 3 % sent to a person), no blank
/// box read as a letter.
#[test]
fn a_stamped_corner_mark_reads_every_answer() {
    let geom = synth::mock_geometry();
    let mut tally = synth::Tally::default();
    for seed in 0..4u64 {
        let mut rng = Rng::new(8400 + seed);
        let student = synth::random_student(&geom, &mut rng);
        let mut img = synth::draw(&geom, &student, 8400 + seed);
        stamp_over_mark(&mut img, &mut rng);
        let expect: Vec<synth::Expect> = geom
            .questions
            .iter()
            .map(|q| synth::Expect::Clear(student.answer(q.number).to_string()))
            .collect();
        let reading = synth::read_or_fail(&img, &geom, 8400 + seed);
        tally.add(
            &format!("stamped corner {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.check_clear(0, 3);
}
