//! Phone photos under a desk lamp (#23, the third field check's `phone-lamp`): a highlighter's tint over
//! one box, in the part of the page the lamp left lighter, goes to a person, not read as nothing.

use image::GrayImage;

use super::geometry::{BubbleMeaning, SheetGeometry};
use super::synth::{self, Student};

/// The student's id and variant marked, no answer.
fn id_only(geom: &SheetGeometry) -> Student {
    let mut student = Student::unmarked("2025000123", "A");
    for (column, d) in student.id.clone().bytes().enumerate() {
        let i = geom.bubbles.iter().position(|b| {
            b.meaning
                == BubbleMeaning::IdDigit {
                    column: column as u32,
                    digit: d - b'0',
                }
        });
        student.marks.extend(i.map(|i| (i, synth::Mark::Pencil)));
    }
    if let Some(i) = geom
        .bubbles
        .iter()
        .position(|b| b.meaning == BubbleMeaning::Variant { letter: "A".into() })
    {
        student.marks.push((i, synth::Mark::Pencil));
    }
    student
}

/// Darkens the inside of bubble `i` (0.5 mm in from its outline) by `t` of what the paper reflects.
fn tint(img: &mut GrayImage, geom: &SheetGeometry, i: usize, t: f32) {
    let a = &geom.bubbles[i].area;
    let ppm = synth::PPM;
    let (x0, y0) = (((a.x + 0.5) * ppm) as u32, ((a.y + 0.5) * ppm) as u32);
    let (x1, y1) = (
        ((a.x + a.w - 0.5) * ppm) as u32,
        ((a.y + a.h - 0.5) * ppm) as u32,
    );
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (p.0[0] as f32 * (1.0 - t)).round() as u8;
        }
    }
}

/// Under a lamp the empty boxes themselves grow darker across the page (its fall-off and the lens's
/// vignetting, not all taken away with the paper's white; field check seed 26 p035: 0.00 at the top
/// left to 0.04 at the bottom right), which lifts the page's level for visible ink above a yellow
/// highlighter's tint (0.04-0.07 in grey: its dye takes the blue a warm lamp hardly has). Three such
/// highlights in the lighter top part read as nothing. Here the answer boxes are darkened from none at
/// the top to 0.16 at the bottom, and one box at the top is tinted 0.10 all over: the question goes to
/// a person (before the tint was judged against the boxes round it, it read blank).
#[test]
fn a_highlighter_tint_where_a_lamp_left_the_page_lighter_goes_to_a_person() {
    let geom = synth::mock_geometry();
    let seed = 2631u64;
    let student = id_only(&geom);
    let mut img = synth::draw(&geom, &student, seed);
    let answers: Vec<usize> = (0..geom.bubbles.len())
        .filter(|&i| matches!(geom.bubbles[i].meaning, BubbleMeaning::Answer { .. }))
        .collect();
    let ys: Vec<f32> = answers.iter().map(|&i| geom.bubbles[i].area.y).collect();
    let (top, bottom) = (
        ys.iter().copied().fold(f32::INFINITY, f32::min),
        ys.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    );
    for &i in &answers {
        let t = 0.16 * (geom.bubbles[i].area.y - top) / (bottom - top).max(1.0);
        tint(&mut img, &geom, i, t);
    }
    // The highlighted box: the top left answer box.
    let &lit = answers
        .iter()
        .min_by(|&&i, &&j| {
            let (a, b) = (&geom.bubbles[i].area, &geom.bubbles[j].area);
            (a.y + a.x).total_cmp(&(b.y + b.x))
        })
        .expect("answer boxes");
    tint(&mut img, &geom, lit, 0.1);
    let BubbleMeaning::Answer { question, .. } = &geom.bubbles[lit].meaning else {
        unreachable!("an answer box")
    };
    let reading = synth::read_or_fail(&img, &geom, seed);
    let answer = reading
        .answers
        .iter()
        .find(|a| a.question == *question)
        .expect("the question is read");
    assert!(
        answer.reading.doubtful,
        "question {question}: the highlighted box must go to a person, read {:?}",
        answer.reading
    );
    // The other questions at the top, their boxes as light as the page leaves them, still read blank.
    let blank_top = reading
        .answers
        .iter()
        .filter(|a| {
            a.question != *question && geom.bubbles.iter().any(|b| {
                matches!(&b.meaning, BubbleMeaning::Answer { question: q, .. } if *q == a.question)
                    && b.area.y - top < 10.0
            })
        })
        .filter(|a| a.reading.doubtful || !a.reading.letters.is_empty())
        .count();
    assert_eq!(blank_top, 0, "blank questions at the top read as marked");
}

/// Index of the answer box of question `q`, option `o`.
fn answer_box(geom: &SheetGeometry, q: u32, o: &str) -> usize {
    geom.bubbles
        .iter()
        .position(|b| {
            matches!(&b.meaning, BubbleMeaning::Answer { question, option }
                if *question == q && option == o)
        })
        .expect("the answer box")
}

/// Darkens by `t` every pixel within half of `width` mm of the ellipse (centre, radii in mm) where
/// `keep(x, y)` holds.
fn ellipse_arcs(
    img: &mut GrayImage,
    (cx, cy, rx, ry): (f32, f32, f32, f32),
    width: f32,
    t: f32,
    keep: impl Fn(f32, f32) -> bool,
) {
    let ppm = synth::PPM;
    let (x0, x1) = (
        ((cx - rx - 1.0) * ppm) as u32,
        ((cx + rx + 1.0) * ppm) as u32,
    );
    let (y0, y1) = (
        ((cy - ry - 1.0) * ppm) as u32,
        ((cy + ry + 1.0) * ppm) as u32,
    );
    for py in y0..y1.min(img.height()) {
        for px in x0..x1.min(img.width()) {
            let (x, y) = ((px as f32 + 0.5) / ppm, (py as f32 + 0.5) / ppm);
            let (u, v) = ((x - cx) / rx, (y - cy) / ry);
            let off = ((u * u + v * v).sqrt() - 1.0).abs() * rx.min(ry);
            if off <= width / 2.0 && keep(x, y) {
                let p = img.get_pixel_mut(px, py);
                p.0[0] = (p.0[0] as f32 * (1.0 - t)).round() as u8;
            }
        }
    }
}

/// Blank boxes with a ring's arcs seen along two of their sides only (a line drawn under the box above
/// and a neighbour's overrun or circle beside it, bowed as a hand draws them), the ring's other two sides
/// hugging the box's printed outline, where the print hides whether a line runs. Fitted as one ring,
/// such arcs read as a circle round the blank box and as its letter (first field check, phone photos:
/// seed 22 q75 read AC for A, the line under q74 C's box over it; seed 23 q75 read ABCD for ABC, C's
/// overrun on the left and a line over the top). A circle closes round its box, crossing the samples off
/// three sides at least: the blank boxes are not read as their letter (before the rule, the arcs over
/// the top and left of q7 B and under the bottom and right of q22 C read as B and C). Arcs in the gaps
/// over and under q2 C, and a circle drawn all round another box, which still reads, are kept as well.
#[test]
fn arcs_along_two_sides_of_a_blank_box_are_no_circle_round_it() {
    let geom = synth::mock_geometry();
    let seed = 2233u64;
    let mut student = id_only(&geom);
    let circled = answer_box(&geom, 12, "B");
    student.marks.push((circled, synth::Mark::Circle));
    let mut img = synth::draw(&geom, &student, seed);
    let arcs: [(u32, &str); 3] = [(2, "C"), (7, "B"), (22, "C")];
    for (k, &(q, o)) in arcs.iter().enumerate() {
        let a = geom.bubbles[answer_box(&geom, q, o)].area;
        let (cx, cy) = a.centre();
        let (l, r, t, b) = (a.x, a.x + a.w, a.y, a.y + a.h);
        match k {
            // Only the two arcs in the gaps, half a millimetre and more off the box's top and bottom.
            0 => ellipse_arcs(
                &mut img,
                (cx, cy, a.w / 2.0 + 0.15, a.h / 2.0 + 1.0),
                0.5,
                0.55,
                |_, y| (y - cy).abs() >= a.h / 2.0 + 0.5,
            ),
            // Over the top and the left side; the right and bottom hug the outline.
            1 => ellipse_arcs(
                &mut img,
                (cx - 0.35, cy - 0.425, a.w / 2.0 + 0.5, a.h / 2.0 + 0.575),
                0.5,
                0.55,
                |x, y| x < l - 0.4 || y < t - 0.4,
            ),
            // Under the bottom and the right side; the left and top hug the outline.
            _ => ellipse_arcs(
                &mut img,
                (cx + 0.35, cy + 0.425, a.w / 2.0 + 0.5, a.h / 2.0 + 0.575),
                0.5,
                0.55,
                |x, y| x > r + 0.4 || y > b + 0.4,
            ),
        }
    }
    let reading = synth::read_or_fail(&img, &geom, seed);
    let of = |q: u32| {
        &reading
            .answers
            .iter()
            .find(|r| r.question == q)
            .expect("the question is read")
            .reading
    };
    for &(q, o) in &arcs {
        let blank = of(q);
        assert!(
            !blank.letters.contains(o) || blank.doubtful,
            "question {q}: the blank box inside the arcs read as {o}: {blank:?}"
        );
    }
    let circle = of(12);
    assert_eq!(
        circle.letters, "B",
        "question 12: the circle round B: {circle:?}"
    );
}
