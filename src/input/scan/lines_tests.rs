//! Damage to the page that is no student's mark is never read as one: a copier streak down a column of
//! boxes, a fold's crease along a row.

use image::GrayImage;

use super::synth::{self, Mark, Student};
use super::synth_damage as damage;
use super::*;

use super::synth::PPM;

fn render(geom: &SheetGeometry, s: &Student, seed: u64) -> GrayImage {
    let qr = format!("EXAMGEN1|3f9a0c2d71e4b8a6|{}|1|{}", s.variant, s.id);
    synth::render(geom, s, &qr, PPM, seed)
}

fn meant<'a>(s: &'a Student, q: u32) -> &'a str {
    s.answer(q)
}

/// No answer read as a letter the student did not mean: a `?` (a person looks) is allowed, a silent
/// wrong letter is not. Returns the answers flagged.
fn no_letter_added(reading: &PageReading, s: &Student, what: &str) -> usize {
    let mut flagged = 0;
    for a in &reading.answers {
        let m = meant(s, a.question);
        if a.reading.doubtful {
            flagged += 1;
        } else {
            assert_eq!(
                a.reading.letters, m,
                "{what}: question {} read {:?}, levels {:?}",
                a.question, a.reading, reading.levels
            );
        }
    }
    flagged
}

/// Where sheet point (x, y) mm lies in `img`, as its own registration finds it.
fn in_image(img: &GrayImage, geom: &SheetGeometry, x: f32, y: f32) -> (f32, f32) {
    let reading = read_page(img, geom).expect("the undamaged scan reads");
    let (u, v) = reading.registration.to_image.map(x as f64, y as f64);
    (u as f32, v as f32)
}

/// The boxes of option `o` (answer bubbles), in the geometry's order.
fn column_of(geom: &SheetGeometry, o: &str) -> Vec<(u32, BoxMm)> {
    geom.bubbles
        .iter()
        .filter_map(|b| match &b.meaning {
            BubbleMeaning::Answer { question, option } if option == o => Some((*question, b.area)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_copier_streak_down_a_column_of_boxes_is_no_mark() {
    let geom = synth::mock_geometry();
    for (k, (width, factor, option)) in [(3u32, 0.5f32, "C"), (2, 0.35, "B"), (1, 0.3, "D")]
        .into_iter()
        .enumerate()
    {
        let seed = 300 + k as u64;
        let s = synth::every_other_blank(&geom, seed, Mark::Pencil);
        let scan = damage::copier(&render(&geom, &s, seed), 0.4, (0.0, 0.0), seed);
        // Through the middle of the first box of the column, straight down the image.
        let (q0, b) = column_of(&geom, option)[0];
        let (x, _) = in_image(&scan, &geom, b.x + b.w * 0.55, b.y + b.h / 2.0);
        let mut streaked = scan.clone();
        damage::copier_streak(&mut streaked, x as u32, width, factor);
        let reading = read_page(&streaked, &geom).unwrap();
        let what = format!("streak {width} px ×{factor} through {option} (question {q0})");
        // Through blank boxes all the way down: none read as marked, at most one flagged.
        let crossed: Vec<u32> = column_of(&geom, option)
            .iter()
            .filter(|(q, a)| {
                meant(&s, *q).is_empty() && (a.x + a.w * 0.55 - (b.x + b.w * 0.55)).abs() < 1.0
            })
            .map(|(q, _)| *q)
            .collect();
        assert!(crossed.len() >= 2, "{what}: crosses {crossed:?}");
        no_letter_added(&reading, &s, &what);
        let doubtful = reading
            .answers
            .iter()
            .filter(|a| crossed.contains(&a.question) && a.reading.doubtful)
            .count();
        assert!(doubtful <= 1, "{what}: {doubtful} blank questions flagged");
    }
}

/// The questions whose boxes the row at sheet height `y` (mm) runs through.
fn row_at(geom: &SheetGeometry, y: f32) -> Vec<u32> {
    let mut qs: Vec<u32> = geom
        .bubbles
        .iter()
        .filter_map(|b| match &b.meaning {
            BubbleMeaning::Answer { question, .. }
                if b.area.y - 0.3 <= y && y <= b.area.y + b.area.h + 0.3 =>
            {
                Some(*question)
            }
            _ => None,
        })
        .collect();
    qs.dedup();
    qs
}

#[test]
fn a_fold_crease_along_a_row_of_boxes_is_no_mark() {
    let geom = synth::mock_geometry();
    for (k, (mark, at, shade)) in [
        (Mark::Faint, 0.5f32, 0.16f32),
        (Mark::LightFill, 0.3, 0.12),
        (Mark::Pencil, 0.7, 0.16),
    ]
    .into_iter()
    .enumerate()
    {
        let seed = 320 + k as u64;
        let s = synth::every_other_blank(&geom, seed, mark);
        let scan = damage::copier(&render(&geom, &s, seed), 0.0, (0.0, 0.0), seed);
        // Across the first answer row that holds a blank question, at `at` of its boxes' height.
        let (q0, b) = column_of(&geom, "A")
            .into_iter()
            .find(|(q, _)| meant(&s, *q).is_empty())
            .unwrap();
        let y_mm = b.y + b.h * at;
        let (_, y) = in_image(&scan, &geom, b.x, y_mm);
        let mut folded = scan.clone();
        damage::fold_crease(&mut folded, y as u32, shade, 5.0 * PPM);
        let reading = read_page(&folded, &geom).unwrap();
        let what = format!("{mark:?} writer, crease through question {q0}'s row");
        let crossed = row_at(&geom, y_mm);
        assert!(crossed.contains(&q0), "{what}: {crossed:?}");
        no_letter_added(&reading, &s, &what);
    }
}

/// A streak beside a printed stroke that runs down most of a column (a letter's stem, a box's side, in
/// box after box): only the streak is painted out. The stroke stays, and the paper between the two is
/// not painted over by a blend from the stroke (a dark band through every box, read as marks: a copier
/// streak 1 mm left of the printed `E`s of a sheet read three blank questions as `E`).
#[test]
fn a_copier_streak_beside_a_printed_stroke_is_painted_out_alone() {
    let (w, h, paper, x) = (600u32, 3508u32, 245u8, 300u32);
    // The stroke 3-7 px aside at 300 dpi: inside the next pixel of the copy shrunk four times, which the
    // line's path steps onto. (Further aside, the stroke darkens the shrunk pixels the finder compares
    // the line with, and a line beside a stroke this long and dense is not found: nothing is painted.)
    for d in 3..=7u32 {
        let mut img = GrayImage::from_pixel(w, h, image::Luma([paper]));
        for y in 0..h {
            img.put_pixel(x, y, image::Luma([74]));
            // Box after box below the top margin: the stem in 70 of every 100 rows.
            if (200..3300).contains(&y) && y % 100 < 70 {
                for s in x + d..x + d + 3 {
                    img.put_pixel(s, y, image::Luma([30]));
                }
            }
        }
        let small = super::shrunk::Small::of(&img);
        let lines = super::lines::find(&img, &small);
        assert_eq!(lines.len(), 1, "stem {d} px aside: {lines:?}");
        let out = super::lines::painted_out(&img, &lines);
        let at = |x: u32, y: u32| out.get_pixel(x, y).0[0];
        assert!(
            at(x, 50) >= 200,
            "stem {d} px aside: the streak stays ({})",
            at(x, 50)
        );
        for y in [250, 1234, 3210] {
            assert!(
                at(x, y) >= 200,
                "stem {d} px aside, row {y}: streak stays ({})",
                at(x, y)
            );
            assert!(
                at(x + d + 1, y) <= 60,
                "stem {d} px aside, row {y}: the stem painted out"
            );
            for between in x + 2..x + d {
                let v = at(between, y);
                assert!(
                    v >= 200,
                    "stem {d} px aside, row {y}: paper at +{} painted {v}",
                    between - x
                );
            }
        }
    }
}
