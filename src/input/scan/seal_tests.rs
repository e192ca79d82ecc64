//! A teacher's 已阅 stamp pressed over an answer block (#23, the field check's red stamp whose ring
//! crossed a blank box and read as that question's answer): a blank question under the ring's arc
//! is never read as a letter.

use super::synth::{self, Rng, Tally};
use super::*;

use super::synth::PPM;
use image::GrayImage;

/// Presses a stamp's ring (centre and radius in mm, `width` mm wide) into the page: the pad's ink lies
/// over paper and print alike (multiplied), unevenly inked round the ring as a pad is.
fn press_ring(img: &mut GrayImage, centre: (f32, f32), radius: f32, width: f32, rng: &mut Rng) {
    let (cx, cy) = (centre.0 * PPM, centre.1 * PPM);
    let (r, half) = (radius * PPM, width * PPM / 2.0);
    let phase = rng.range(0.0, std::f32::consts::TAU);
    // A red pad's ink reads 80–140 grey on a black-and-white scan.
    let level = rng.range(0.32, 0.55);
    let reach = (r + half + 2.0) as i64;
    for y in (cy as i64 - reach).max(0)..(cy as i64 + reach).min(img.height() as i64) {
        for x in (cx as i64 - reach).max(0)..(cx as i64 + reach).min(img.width() as i64) {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let edge = ((dx * dx + dy * dy).sqrt() - r).abs() - half;
            if edge >= 1.0 {
                continue;
            }
            let cover = (1.0 - edge).clamp(0.0, 1.0);
            let uneven = 0.85 + 0.15 * (3.0 * dy.atan2(dx) + phase).sin();
            let ink = 1.0 - cover * (1.0 - level) * uneven;
            let p = img.get_pixel_mut(x as u32, y as u32);
            p.0[0] = (p.0[0] as f32 * ink).round() as u8;
        }
    }
}

/// On each page a stamp's ring 16–22 mm across is pressed over the answer block, its centre near an
/// answer box's corner, and every question whose boxes its arc comes near is left blank: none of them
/// may read as a letter (a person may be asked). Before a line passing through a box was told from a
/// stroke drawn in it (see [`super::through`]), 9 of these questions read as a letter, 5 of them an
/// arc crossing a box. 4 still do, where the arc runs along a box's side without crossing it: under
/// the box it reads as a line drawn under the letter (a student's underline runs 0.6 mm past the box;
/// the contour's samples do not reach far enough to see the arc run on).
#[test]
fn a_stamps_ring_through_blank_boxes_is_not_an_answer() {
    let mut tally = Tally::default();
    let mut crossed = 0;
    for seed in 0..12u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(8100 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let answers: Vec<usize> = (0..geom.bubbles.len())
            .filter(|&i| matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. }))
            .collect();
        let corner = &geom.bubbles[answers[rng.below(answers.len())]].area;
        let centre = (
            corner.x + rng.range(-6.0, 6.0),
            corner.y + rng.range(-6.0, 6.0),
        );
        let (radius, width) = (rng.range(8.0, 11.0), rng.range(0.7, 1.1));
        // The questions whose boxes the ring's band comes near are left blank.
        let under: Vec<u32> = answers
            .iter()
            .filter_map(|&i| {
                let a = &geom.bubbles[i].area;
                let near = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.5, 0.5)]
                    .iter()
                    .map(|(u, v)| {
                        let (x, y) = (a.x + u * a.w - centre.0, a.y + v * a.h - centre.1);
                        (x * x + y * y).sqrt()
                    })
                    .fold((f32::MAX, f32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
                let meets = near.0 <= radius + width && near.1 >= radius - width;
                match &geom.bubbles[i].meaning {
                    BubbleMeaning::Answer { question, .. } if meets => Some(*question),
                    _ => None,
                }
            })
            .collect();
        student.marks.retain(|(i, _)| {
            !matches!(&geom.bubbles[*i].meaning,
                BubbleMeaning::Answer { question, .. } if under.contains(question))
        });
        for (q, letters) in student.answers.iter_mut() {
            if under.contains(q) {
                letters.clear();
                crossed += 1;
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        press_ring(&mut page, centre, radius, width, &mut rng);
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let reading = synth::read_turned(&page, &geom, seed, rng.range(-1.0, 1.0), 1.0);
        tally.add(
            &format!("stamp page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    assert!(crossed >= 40, "{crossed} questions under the rings");
    tally.assert_wrong_at_most(4, |_| true);
}
