//! A writing hand's smear beside a fill (#23, the second field check's left-hander: a third of that
//! writer's clear fills went to a person): graphite dragged out of a fresh fill across the gap into the
//! next box is no mark of that box, while a light mark of the box's own beside the same smear still goes
//! to a person.

use super::geometry::{BubbleMeaning, ChoiceKind};
use super::synth::{self, Mark, Rng, Student};
use super::*;

/// Pixels per mm the sheets are drawn at (about 300 dpi, as schools scan).
const PPM: f32 = 11.8;

/// The side of a hand dragged left to right over the fill in box `a`: a little of its graphite carried
/// on past the box's right side, darkest against the fill and thinning out over the next millimetres
/// (`share` of the paper's light taken at the fill's edge, falling by e every `fade` mm), down the whole
/// height of the fill, with soft upper and lower edges.
fn smear_right(img: &mut image::GrayImage, a: &BoxMm, share: f32, fade: f32) {
    let edge = a.x + a.w - 0.3;
    let (x0, x1) = (((edge) * PPM) as u32, ((edge + 6.0 * fade) * PPM) as u32);
    let (y0, y1) = (((a.y - 0.4) * PPM) as u32, ((a.y + a.h + 0.4) * PPM) as u32);
    for y in y0..y1.min(img.height()) {
        let my = (y as f32 + 0.5) / PPM;
        // Soft upper and lower edges: the hand's side is rounded.
        let soft = ((my - (a.y - 0.4)).min(a.y + a.h + 0.4 - my) / 0.5).clamp(0.0, 1.0);
        for x in x0..x1.min(img.width()) {
            let mx = (x as f32 + 0.5) / PPM;
            let dark = share * soft * (-(mx - edge) / fade).exp();
            let p = img.get_pixel_mut(x, y);
            p.0[0] = (p.0[0] as f32 * (1.0 - dark)).round() as u8;
        }
    }
}

/// Every single-choice question of the mock sheet with at least two options: its first two bubbles.
fn pairs(geom: &SheetGeometry) -> Vec<(u32, usize, usize)> {
    geom.questions
        .iter()
        .filter(|q| q.kind == ChoiceKind::Single)
        .filter_map(|q| {
            let of_q: Vec<usize> = (0..geom.bubbles.len())
                .filter(|&i| matches!(&geom.bubbles[i].meaning, BubbleMeaning::Answer { question, .. } if *question == q.number))
                .collect();
            (of_q.len() >= 2).then(|| (q.number, of_q[0], of_q[1]))
        })
        .collect()
}

/// A sheet whose single-choice questions each hold a firm fill in their first box, smeared into the
/// second by the hand (unless `smeared` is false), and in the second box of every third question `own`
/// (a mark of the student's own), returned as the questions that hold it; read. Only every third: a mark
/// drawn alike in the same letter's box of nearly every question is learned as that letter's print (the
/// known limit in `a_tick_in_one_part_of_the_box_reads`), smear or not.
fn smeared_sheet(
    seed: u64,
    own: Option<Mark>,
    smeared: bool,
) -> (Vec<(u32, ChoiceReading)>, Vec<u32>) {
    let geom = synth::mock_geometry();
    let student = Student::unmarked("2025000123", "A");
    let mut img = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, seed);
    let mut rng = Rng::new(seed);
    let pairs = pairs(&geom);
    let mut owned = Vec::new();
    for (k, &(q, fill, beside)) in pairs.iter().enumerate() {
        synth::draw_mark(
            &mut img,
            &geom.bubbles[fill].area,
            Mark::Pencil,
            PPM,
            &mut rng,
        );
        if let Some(mark) = own.filter(|_| k % 3 == 0) {
            synth::draw_mark(&mut img, &geom.bubbles[beside].area, mark, PPM, &mut rng);
            owned.push(q);
        }
        // Field smears: 4-12 % of the paper's light at the fill's edge, gone within 2-5 mm.
        let (share, fade) = (rng.range(0.05, 0.12), rng.range(0.5, 1.0));
        if smeared {
            smear_right(&mut img, &geom.bubbles[fill].area, share, fade);
        }
    }
    let reading = read_page(&img, &geom).expect("page reads");
    let read = pairs
        .iter()
        .map(|&(q, _, _)| {
            let r = reading
                .answers
                .iter()
                .find(|a| a.question == q)
                .expect("question read");
            (q, r.reading.clone())
        })
        .collect();
    (read, owned)
}

/// The fill reads, unflagged, however its graphite was dragged into the next box. Before the smear was
/// told from a mark (a haze darkest against the fill and fading away from it, over the gap too), most of
/// these went to a person: the haze's edge against the fill stood out as a faint stroke.
#[test]
fn a_fill_smeared_into_the_next_box_reads_unflagged() {
    let (mut flagged, mut total) = (0, 0);
    for seed in [71u64, 72] {
        let (read, _) = smeared_sheet(seed, None, true);
        total += read.len();
        for (q, r) in read {
            assert!(
                r.letters == "A" || r.doubtful,
                "q{q}: the smear read as a mark: {r:?}"
            );
            flagged += r.doubtful as usize;
        }
    }
    assert!(
        flagged * 100 <= total * 3,
        "{flagged} of {total} smeared fills flagged"
    );
}

/// A light mark of the box's own under the same smear (a light fill, a slash, a tick)
/// is never read silently as the fill alone: it goes to a person or reads as a mark.
#[test]
fn a_light_mark_under_a_smear_still_goes_to_a_person() {
    for (k, mark) in [Mark::Light, Mark::Slash, Mark::Tick]
        .into_iter()
        .enumerate()
    {
        let (read, owned) = smeared_sheet(80 + k as u64, Some(mark), true);
        assert!(owned.len() >= 15);
        let silent: Vec<u32> = read
            .iter()
            .filter(|(q, r)| owned.contains(q) && r.letters == "A" && !r.doubtful)
            .map(|(q, _)| *q)
            .collect();
        assert!(silent.is_empty(), "{mark:?}: read A alone at {silent:?}");
    }
}

/// A dot in the smeared box, on the printed letter: read as the fill alone, and so it is with no smear
/// at all (compared below, #23): a dot on the printed letter beside a fill is hidden by the letter's
/// print, the known limit of dots (the field check counts such dots as too faint), not the smear rule's
/// doing. Open.
#[test]
#[ignore]
fn a_dot_under_a_smear_still_goes_to_a_person() {
    let silent = |smeared: bool| -> Vec<u32> {
        let (read, owned) = smeared_sheet(81, Some(Mark::Dot), smeared);
        read.iter()
            .filter(|(q, r)| owned.contains(q) && r.letters == "A" && !r.doubtful)
            .map(|(q, _)| *q)
            .collect()
    };
    let (with, without) = (silent(true), silent(false));
    assert!(
        with.is_empty(),
        "read A alone at {with:?} (without the smear: {without:?})"
    );
}
