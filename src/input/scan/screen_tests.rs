//! A scan photographed off a screen: its moiré masks every box's inside as print, and a light stroke
//! is then judged against the page's own inside level (see `moire`), not left out with the rest.

use super::faint::{segment_excess, standing_out};
use super::moire::{BLIND_SHARE, masked_share, residuals_on_blind_page};

const PRINT: f32 = 0.12;
const NX: usize = 20;
const NY: usize = 13;

/// A box's samples under a moiré of about a millimetre (4 samples) in both directions, 0.1 deep, over
/// a paper the white map takes for 0.15 dark; a letter's two strokes down the middle at 0.6; `bar`
/// adds a light horizontal pencil stroke (0.25) two samples wide across the box.
fn moire_box(phase: (f32, f32), bar: bool) -> Vec<f32> {
    let mut d = vec![0.0f32; NX * NY];
    for j in 0..NY {
        for i in 0..NX {
            let wave = 0.1
                * ((i as f32 * std::f32::consts::TAU / 4.3 + phase.0).sin()
                    + (j as f32 * std::f32::consts::TAU / 3.7 + phase.1).sin())
                / 2.0;
            let mut v = 0.15 + wave;
            if i == 9 || i == 10 {
                v = 0.6;
            }
            if bar && (j == 6 || j == 7) {
                v += 0.25;
            }
            d[j * NX + i] = v.min(1.0);
        }
    }
    d
}

fn inner() -> Vec<bool> {
    (0..NX * NY)
        .map(|k| {
            let (i, j) = ((k % NX) as f32 - 9.5, (k / NX) as f32 - 6.0);
            (i / 9.0).powi(2) + (j / 5.5).powi(2) <= 1.0
        })
        .collect()
}

/// The template and mask the unmarked boxes give: their 25th and 75th percentile per point, as
/// `print_templates` takes them, widened by a step (here the moiré's lower and upper reach).
fn template_and_mask() -> (Vec<f32>, Vec<f32>) {
    let t: Vec<f32> = moire_box((0.0, 0.0), false)
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            if (9..=10).contains(&(k % NX)) {
                v
            } else {
                0.17
            }
        })
        .collect();
    let m: Vec<f32> = t.iter().map(|&v| v.max(0.27)).collect();
    (t, m)
}

#[test]
fn a_moire_page_is_blind_to_the_print_mask_a_copier_page_is_not() {
    let (t, m) = template_and_mask();
    let inner = inner();
    assert!(masked_share([(&t[..], &m[..], &inner[..])].into_iter(), PRINT) >= BLIND_SHARE);
    // A copier page: paper at 0, the letter's strokes alone reach the cut.
    let copier: Vec<f32> = t.iter().map(|&v| if v > 0.5 { v } else { 0.0 }).collect();
    assert!(masked_share([(&copier[..], &copier[..], &inner[..])].into_iter(), PRINT) < 0.5);
}

#[test]
fn a_light_bar_under_a_moire_stands_out_from_the_page_s_empty_boxes() {
    let (t, _) = template_and_mask();
    let inner = inner();
    let step = (0.25, 0.25);
    let mut scores: Vec<f32> = (0..60)
        .map(|k| {
            let d = moire_box((k as f32 * 0.77, k as f32 * 1.31), false);
            segment_excess(
                &residuals_on_blind_page(&d, &t, &inner, PRINT),
                (NX, NY),
                step,
            )
        })
        .collect();
    let d = moire_box((0.4, 2.0), true);
    let r = residuals_on_blind_page(&d, &t, &inner, PRINT);
    // The letter's strokes are left out, the bar is not.
    assert!(r[6 * NX + 9].is_nan());
    assert!(r[6 * NX + 4] > 0.15);
    scores.push(segment_excess(&r, (NX, NY), step));
    assert_eq!(standing_out(&scores).iter().filter(|&&s| s).count(), 1);
    assert!(standing_out(&scores)[60]);
}

// ---- Whole sheets photographed off a screen ----

use super::synth::{self, Expect, Mark, Rng, Student, Tally};
use super::synth_damage as damage;

/// A student whose id and variant are plain fills and whose answers are drawn from `styles` (with
/// the few marks a person must see that [`synth::styled_student_with`] adds), photographed off a
/// screen.
fn screen_sheet(
    seed: u64,
    styles: &[Mark],
) -> (super::SheetGeometry, Student, Vec<Expect>, image::GrayImage) {
    let (geom, student, expect, upright) = super::spectrum_tests::sheet(seed, styles);
    let photo = damage::screen_photo(&upright, &mut Rng::new(seed ^ 0x5C4E));
    (geom, student, expect, photo)
}

fn tally_of(sheets: &[(u64, &[Mark])]) -> Tally {
    let mut tally = Tally::default();
    for &(seed, styles) in sheets {
        let (geom, student, expect, photo) = screen_sheet(seed, styles);
        let reading =
            super::read_page(&photo, &geom).unwrap_or_else(|e| panic!("screen photo {seed}: {e}"));
        tally.add(
            &format!("screen {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// Light strokes (a faint hand's slashes, ticks and crosses, a faint fill) photographed off a screen:
/// read or sent to a person far more often than when every box read empty inside. Of the 285 marks,
/// 140 were silently wrong before the boxes were measured against the page's own paper and noise, 56
/// after, and 47 once a light stroke standing out of the blind page's own band of empty-box scores and
/// a ring the moiré alone drew went to a person (see `moire::faint_standing_out`, `moire::moire_ring`;
/// clear marks flagged 152 → 161): most of those left are the faint hand's strokes (grey 165–185 on
/// paper 246), under the moiré's swing in all but a few samples; the goal of none is not met
/// yet.
#[test]
fn light_strokes_on_a_screen_photo_are_read_or_flagged() {
    let styles = [
        Mark::FaintSlash,
        Mark::FaintTick,
        Mark::FaintCross,
        Mark::Light,
        Mark::Slash,
    ];
    let tally = tally_of(&[(2411, &styles), (2412, &styles), (2413, &styles)]);
    tally.assert_wrong_at_most(47, |_| true);
}

/// Dots (`mark`) on the printed letter of one answer box in six, the other answer boxes left blank, on
/// a sheet photographed off a screen: how many dotted boxes read as empty, and how many blank answer
/// boxes went to a person, over `seeds`.
fn dots_on_screen_photo(seeds: &[u64], mark: Mark, sigma: f32) -> (usize, usize, usize, usize) {
    let (mut dotted, mut empty, mut blank, mut flagged) = (0, 0, 0, 0);
    for &seed in seeds {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let (mut student, _) = synth::styled_student_with(&geom, &mut rng, &[Mark::Pencil]);
        let is_answer =
            |i: usize| matches!(geom.bubbles[i].meaning, super::BubbleMeaning::Answer { .. });
        student.marks.retain(|(i, _)| !is_answer(*i));
        for i in (0..geom.bubbles.len()).filter(|&i| is_answer(i)) {
            if rng.below(6) == 0 {
                student.marks.push((i, mark));
            }
        }
        let upright = synth::render(
            &geom,
            &student,
            &synth::qr_text_for(&student),
            synth::PPM,
            seed,
        );
        let mut photo = damage::screen_photo(&upright, &mut Rng::new(seed ^ 0x5C4E));
        if sigma > 0.0 {
            photo = synth::jpeg_round_trip(&image::imageops::blur(&photo, sigma), 85);
        }
        let reading =
            super::read_page(&photo, &geom).unwrap_or_else(|e| panic!("screen photo {seed}: {e}"));
        for i in (0..geom.bubbles.len()).filter(|&i| is_answer(i)) {
            let state = reading.bubbles[i].state;
            if student.marks.iter().any(|(b, _)| *b == i) {
                dotted += 1;
                empty += (state == super::BubbleState::Empty) as usize;
            } else {
                blank += 1;
                flagged += (state != super::BubbleState::Empty) as usize;
            }
        }
    }
    (dotted, empty, blank, flagged)
}

/// Dots (grey 55–115, 0.35–0.7 mm, within half a millimetre of the box's middle) made on the printed
/// letter of a sheet photographed off a screen: the print hides them from the residuals and the moiré
/// from the page-wide comparison of the letter. Seeds 2421–2424: 102 of 226 read empty before a letter
/// darker than its own box's paper and than the page's boxes of the same letter went to a person (see
/// `screen::dot_on_letter`), 98 after; blank boxes flagged 377 → 378 of 1,174 (the fabricated moiré is
/// far heavier than the tuning seeds' screen photos, where no blank box went to a person for it). Most
/// dots left lie off the letter or under the moiré's swing.
#[test]
fn dots_on_the_letter_of_a_screen_photo_go_to_a_person() {
    let (dotted, empty, blank, flagged) =
        dots_on_screen_photo(&[2421, 2422, 2423, 2424], Mark::Dot, 0.0);
    eprintln!("dots: {empty} of {dotted} read empty; {flagged} of {blank} blank boxes flagged");
    assert!(empty <= 98, "{empty} of {dotted} dots read empty");
    assert!(flagged <= 378, "{flagged} of {blank} blank boxes flagged");
}
