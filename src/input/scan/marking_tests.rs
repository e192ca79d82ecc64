//! Every way a pencil meets a bubble (issue #23), over many fabricated pages with a ground truth: fills
//! dark and light, scribbles, ticks, crosses, circles, a faint writer's whole sheet, half fills, erasures,
//! double marks and a tick beside a fill. Clear marks must read right (at most 3 % of them flagged) and no
//! mark with ink may be read silently as empty or as another letter.

use super::synth::{self, Distortion, Expect, PPM, Rng, Student, Tally};
use super::*;

fn styled_page(
    seed: u64,
    faint: bool,
    d: &Distortion,
) -> (SheetGeometry, Student, Vec<Expect>, PageReading) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let (student, expect) = synth::styled_student(&geom, &mut rng, faint);
    let reading = synth::read_distorted(&synth::draw(&geom, &student, seed), &geom, d, seed);
    (geom, student, expect, reading)
}

/// A student whose answers are all marked in `styles`, the id grid and the variant row filled as usual:
/// the styles are the answers'.
fn answers_styled(
    geom: &SheetGeometry,
    rng: &mut Rng,
    styles: &[synth::Mark],
) -> (Student, Vec<Expect>) {
    let (mut student, expect) = synth::styled_student_with(geom, rng, styles);
    for (i, m) in student.marks.iter_mut() {
        if !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }) {
            *m = synth::Mark::Pencil;
        }
    }
    (student, expect)
}

/// The student's page drawn, turned by `turn` degrees at `scale`, and read.
fn read_turned(
    geom: &SheetGeometry,
    student: &Student,
    seed: u64,
    turn: f32,
    scale: f32,
) -> PageReading {
    synth::read_turned(&synth::draw(geom, student, seed), geom, seed, turn, scale)
}

/// Copier pages at 150 to 300 dpi, a little turned, noisy and JPEG-compressed, each marked in every style.
#[test]
fn every_way_of_marking_reads_right_or_goes_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..10u64 {
        let mut rng = Rng::new(1000 + seed);
        let scale = [0.75, 1.0, 1.0, 1.45][seed as usize % 4];
        let d = Distortion::turned(rng.range(-2.5, 2.5), scale, (rng.range(-0.01, 0.01), 0.0));
        let (geom, student, expect, reading) = styled_page(100 + seed, false, &d);
        tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
    }
    tally.check(0, 3);
}

/// Ticks drawn up one side of the box, the other half bare as a half fill leaves it: the only ink in
/// their question, they read, and no more of them go to a person than of any clear mark (before strokes
/// in part of a box were told from half fills, 161 of 534 did).
///
/// Known, bounded here (10): a thin tick drawn alike on the E boxes or the × boxes, the labels with the
/// fewest boxes, darkens each box's mean too little to be kept out of the label's print template, and
/// shows in the quarter of the group the template's mask keeps as print: it is hidden in every box and
/// read silently as nothing. Two tries to keep such strokes out of the template (a second look against
/// the label's typical print; the mask kept to a step from it) broke pages cut to black and white, whose
/// jagged print varies as much from box to box.
#[test]
fn a_tick_in_one_part_of_the_box_reads() {
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(4100 + seed);
        let (student, expect) = answers_styled(&geom, &mut rng, &[synth::Mark::TickAside]);
        let scale = [1.0, 1.45][seed as usize % 2];
        let reading = read_turned(&geom, &student, 4200 + seed, rng.range(-2.0, 2.0), scale);
        tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
    }
    tally.check_clear(10, 3);
}

/// A faint writer: every mark light grey, the sheet's own split between filled and empty still reads them.
#[test]
fn a_whole_sheet_in_faint_pencil_reads() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let d = Distortion::turned(
            [-1.5, 0.8, 2.0, -0.4][seed as usize],
            [1.0, 0.75, 1.45, 1.0][seed as usize],
            (0.0, 0.0),
        );
        let (geom, student, expect, reading) = styled_page(200 + seed, true, &d);
        assert!(reading.levels.pencil < 0.35, "{:?}", reading.levels);
        tally.add(
            &format!("faint page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.check(0, 3);
}

/// A student underlining the letters, the line drawn in the gap under each box (0.2–0.6 mm below it,
/// broad pencil or ballpoint: its ink reaches about 1 mm down, 0.4 mm short of the next row). Before the
/// line's end was looked for up to the box below (it was cut off at 1.1 mm, inside a broad line's blur)
/// and the bubble below stopped claiming a gap its mark cannot reach, these six pages read 128
/// questions silently wrong; then 105, most of them the same letter underlined on rows one under
/// another: the middle box, a line over its top (the row above's underline) and one under its bottom
/// (its own), was read as circled, and its circle hid the gap's underline from the box above. Read as
/// two lines, not a circle, now 22. Not yet met (#23): the rest, not all traced, are underlines read
/// short of a letter or empty on these heavier fabricated lines (the field check gains less); the
/// bound guards what was won.
#[test]
fn lines_drawn_under_the_boxes_read_or_go_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(700 + seed);
        let (student, expect) = answers_styled(&geom, &mut rng, &[synth::Mark::UnderlineBelow]);
        let turn = rng.range(-1.5, 1.5);
        let reading = read_turned(
            &geom,
            &student,
            seed,
            turn,
            [1.0, 1.45, 0.75][seed as usize % 3],
        );
        tally.add(
            &format!("underlined page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(22, |_| true);
}

/// A tick whose long arm runs up across the gap into the box above, as in the field check (a blank
/// question read as the letter above a tick, a letter added to a question answered elsewhere): the box
/// the arm reaches is read as nothing or goes to a person, never as a mark of its own. Not yet the
/// field's case: these arms clip only the lower corner of the box above, and the page reads without
/// silent errors with the arm rule of `arms.rs` switched off too (checked); the field's arms crossed
/// the box further. A guard that no letter is added or lost here.
#[test]
fn a_tick_s_long_arm_in_the_box_above_is_no_mark_of_that_box() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(900 + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        // The first and third row of each block of five left blank, the row under each ticked.
        let ticked = synth::paired_rows(&geom, &mut student, &mut rng, |_| false);
        let mut page = synth::draw(&geom, &student, seed);
        for &(down, up) in &ticked {
            // The tick drawn over a box reaching 2.5 mm up from this one: its vertex under this box, its
            // long arm up across the gap and through the lower corner of the box above.
            let (a, u) = (&geom.bubbles[down].area, &geom.bubbles[up].area);
            assert!((a.y - u.y - 4.6).abs() < 0.01 && a.x == u.x);
            let tall = BoxMm {
                x: a.x,
                y: a.y - 2.5,
                w: a.w,
                h: a.h + 2.5,
            };
            synth::draw_mark(&mut page, &tall, synth::Mark::Tick, PPM, &mut rng);
            student.marks.push((down, synth::Mark::Tick));
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let turn = rng.range(-1.5, 1.5);
        let reading = synth::read_turned(
            &page,
            &geom,
            seed,
            turn,
            [1.0, 1.45, 0.75, 1.0][seed as usize],
        );
        tally.add(
            &format!("long ticks page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(0, |_| true);
}

/// A light hand's ticks, slashes, crosses and dots (#23): thin strokes of light grey that darken their
/// box far less than any fill, on a faint writer's sheet (every answer so) and on a firm writer's (some
/// answers filled, so the sheet's pencil level is fitted dark and the strokes lie under its cuts). Such a
/// mark is read or goes to a person. Before faint strokes were looked for (see `faint.rs`), 35 ticks,
/// slashes and crosses on these six pages read silently wrong (31 slashes); now 17 (15 slashes), 20
/// questions (19 with a fixed cut of 8 deviations, which a noisy 150 dpi page's empty boxes passed: see
/// `faint::standing_out`; the cut that grows with the boxes judged misses one stroke here). Not yet met (#23): the rest, not all traced; slashes over the judge questions' printed √
/// and ×, which hide a faint line, are among them, and boxes beside a circle or a smudge are not judged
/// (a circle's line runs on there). Dots are not held to it: a faint dot on the printed letter is hidden
/// by it (the field check counts such dots as too faint). The bound guards what was won. Raised from 20
/// to 26 when light strokes alone in their question were read against the sheet's own pencil (see
/// `faint_writer.rs`): faint crosses and ticks now read (crosses read 21 → 46, ticks 18 → 55, slashes
/// silently wrong 15 → 14), and the questions that hold such a stroke and a hidden faint dot beside it
/// (a multiple choice, `BC` with the dot on B) now read as the stroke's letter alone where the stroke's
/// `?` had covered the dot. The dot was missed before as well.
#[test]
fn a_light_hand_s_strokes_read_or_go_to_a_person() {
    use synth::Mark;
    let faint = [
        Mark::FaintTick,
        Mark::FaintSlash,
        Mark::FaintCross,
        Mark::FaintDot,
    ];
    let mixed = [
        Mark::Pencil,
        Mark::Pencil,
        Mark::FaintTick,
        Mark::FaintSlash,
        Mark::FaintCross,
        Mark::FaintDot,
    ];
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(900 + seed);
        let styles: &[Mark] = if seed % 2 == 0 { &faint } else { &mixed };
        let (student, expect) = answers_styled(&geom, &mut rng, styles);
        let turn = rng.range(-2.0, 2.0);
        let reading = read_turned(
            &geom,
            &student,
            seed,
            turn,
            [1.0, 0.75, 1.45][seed as usize % 3],
        );
        tally.add(
            &format!("light-hand page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(26, |w| {
        ["FaintTick", "FaintSlash", "FaintCross"]
            .iter()
            .any(|m| w.contains(m))
    });
}

/// The same letter underlined on question after question of a block (a student who answers "C" four
/// times running): each box but the first has the underline of the box above over its top and its own
/// under its bottom. Before those were told from a circle, the middle boxes read as circled, and their
/// circles hid the gap's underline from each box above: 95 of these questions read silently wrong (43
/// flagged); now 13 (17 flagged). Not yet met (#23): each question must read right or go to a person;
/// the rest not yet traced. The bound guards what was won.
#[test]
fn the_same_letter_underlined_row_after_row_reads() {
    let mut tally = Tally::default();
    for seed in 0..3u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(760 + seed);
        let (mut student, mut expect) =
            answers_styled(&geom, &mut rng, &[synth::Mark::UnderlineBelow]);
        // The single-choice questions, five rows to a block: one letter on the first four rows of the
        // block, another on the fifth.
        for (k, q) in geom.questions.iter().enumerate() {
            let options = synth::options_of(&geom, q.number);
            if options.len() != 4 || q.number > 60 {
                continue;
            }
            let block = (q.number as usize - 1) / 5;
            let shift = if (q.number - 1) % 5 == 4 { 2 } else { 0 };
            let letter = options[(block + shift + seed as usize) % 4].to_string();
            let Some(at) = synth::answer_bubble(&geom, q.number, &letter) else {
                continue;
            };
            student.marks.retain(|(i, _)| {
                !matches!(&geom.bubbles[*i].meaning,
                    BubbleMeaning::Answer { question, .. } if *question == q.number)
            });
            student.marks.push((at, synth::Mark::UnderlineBelow));
            for (n, a) in student.answers.iter_mut() {
                if *n == q.number {
                    *a = letter.clone();
                }
            }
            expect[k] = Expect::Clear(letter);
        }
        let turn = rng.range(-1.0, 1.0);
        let reading = read_turned(
            &geom,
            &student,
            seed,
            turn,
            [1.0, 1.45, 0.75][seed as usize],
        );
        tally.add(
            &format!("underlined row after row, page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(13, |_| true);
}

/// A light hand's slash drawn steeply through the printed letter, from under the box to over it (#23,
/// field check: faint slashes and ticks on phone photos and 150 dpi scans read as nothing). The letter
/// hides most of such a stroke from the box's samples and what is left beside it is too light for any
/// cut, so only the letter's area, darker than the label prints, and the stroke's crossings of the
/// outline show it. One such question in three here, the rest filled, the letters printed smoothly as
/// on a real sheet: before the letter's area was taken as evidence of a faint stroke, 70 of these
/// questions read silently wrong (the slash read as nothing); now 53. Not yet met (#23): the rest darken the letter's area by
/// less than the cut or cross no outline of their own (these slashes are lighter than the field
/// check's: grey 165–185 over the whole stroke). The bound guards what was won.
#[test]
fn a_faint_slash_through_the_letter_goes_to_a_person() {
    let mut tally = Tally::default();
    for seed in 0..4u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(950 + seed);
        let (mut student, mut expect) = answers_styled(&geom, &mut rng, &[synth::Mark::Pencil]);
        let mut slashed = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            if k % 3 != 1 {
                continue;
            }
            let Some((at, o)) =
                synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, true)
            else {
                continue;
            };
            expect[k] = Expect::RightOrFlag(o);
            slashed.push(at);
        }
        let mut page = synth::draw(&geom, &student, seed);
        print_letters_smoothly(&mut page, &geom);
        for &at in &slashed {
            // A narrow frame round the letter, from 0.8 mm under the box to 0.8 mm over it: the slash
            // drawn corner to corner of it is steep, through the letter and out across the outline.
            let a = &geom.bubbles[at].area;
            let (cx, _) = a.centre();
            let steep = BoxMm {
                x: cx - 0.7,
                y: a.y - 0.8,
                w: 1.4,
                h: a.h + 1.6,
            };
            synth::draw_mark(&mut page, &steep, synth::Mark::FaintSlash, PPM, &mut rng);
            student.marks.push((at, synth::Mark::FaintSlash));
        }
        let turn = rng.range(-1.5, 1.5);
        let reading = synth::read_turned(
            &page,
            &geom,
            seed,
            turn,
            [0.75, 1.0, 0.75, 1.45][seed as usize],
        );
        tally.add(
            &format!("slashed letters page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(53, |_| true);
}

/// Prints every bubble's label again as a smooth renderer (pdftoppm) does: each pixel as grey as the share
/// of it the glyph covers. `synth::render` snaps the glyph's strokes to whole pixels, so the letter's
/// area differs from box to box by more than a faint stroke darkens it; a real sheet's does not.
fn print_letters_smoothly(page: &mut image::GrayImage, geom: &SheetGeometry) {
    const SUB: usize = 8;
    let (paper, ink) = (246.0f32, 70.0f32);
    for b in &geom.bubbles {
        let (cx, cy) = b.area.centre();
        let glyph = [
            (cx - 0.6, cy - 1.0, cx - 0.4, cy + 1.0),
            (cx - 0.6, cy - 0.1, cx + 0.6, cy + 0.1),
            (cx + 0.4, cy - 1.0, cx + 0.6, cy + 1.0),
        ];
        let inside = |x: f32, y: f32| {
            glyph
                .iter()
                .any(|&(x0, y0, x1, y1)| (x0..x1).contains(&x) && (y0..y1).contains(&y))
        };
        let (px0, py0) = (((cx - 0.9) * PPM) as u32, ((cy - 1.3) * PPM) as u32);
        let (px1, py1) = (((cx + 0.9) * PPM) as u32 + 1, ((cy + 1.3) * PPM) as u32 + 1);
        for py in py0..py1.min(page.height()) {
            for px in px0..px1.min(page.width()) {
                let mut covered = 0;
                for sy in 0..SUB {
                    for sx in 0..SUB {
                        let x = (px as f32 + (sx as f32 + 0.5) / SUB as f32) / PPM;
                        let y = (py as f32 + (sy as f32 + 0.5) / SUB as f32) / PPM;
                        covered += inside(x, y) as usize;
                    }
                }
                let share = covered as f32 / (SUB * SUB) as f32;
                page.put_pixel(px, py, image::Luma([(paper - (paper - ink) * share) as u8]));
            }
        }
    }
}

/// A thumb pressed on a blank question after touching graphite: an even grey haze over a box and round
/// it, with rings of darker ridges (#23, field check: such a smear read as a circle round the box, the
/// letter added). A box read as circled but evenly hazed inside goes to a person; the question is read
/// blank or flagged, never as the letter. Not yet the field's case: these smears read as a smudge or
/// nothing without the rule (`HAZE_INSIDE` in bubbles.rs) too (checked); the field's thumb prints,
/// ridged rings round the box, were fitted as a circle. A guard that no letter is added here.
#[test]
fn a_thumb_s_smear_over_a_blank_box_is_no_circle() {
    let mut tally = Tally::default();
    for seed in 0..3u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(980 + seed);
        let (mut student, mut expect) = answers_styled(&geom, &mut rng, &[synth::Mark::Pencil]);
        let mut smeared = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            if k % 4 != 2 {
                continue;
            }
            let Some((at, _)) =
                synth::one_bubble_instead(&geom, &mut student, q.number, &mut rng, false)
            else {
                continue;
            };
            expect[k] = Expect::RightOrFlag(String::new());
            smeared.push(at);
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &at in &smeared {
            // The print of a thumb 8 mm by 6 mm: a haze fading out from the middle, ridges 0.5 mm apart.
            let (cx, cy) = geom.bubbles[at].area.centre();
            let (rx, ry) = (4.0f32, 3.0f32);
            let (x0, y0) = (((cx - rx) * PPM) as u32, ((cy - ry) * PPM) as u32);
            let (x1, y1) = (((cx + rx) * PPM) as u32, ((cy + ry) * PPM) as u32);
            for py in y0..y1.min(page.height()) {
                for px in x0..x1.min(page.width()) {
                    let (x, y) = ((px as f32 + 0.5) / PPM - cx, (py as f32 + 0.5) / PPM - cy);
                    let r = ((x / rx).powi(2) + (y / ry).powi(2)).sqrt();
                    if r >= 1.0 {
                        continue;
                    }
                    let ridge = 0.5 + 0.5 * (std::f32::consts::TAU * r * ry / 0.5).cos();
                    let dark = (1.0 - r * r) * (0.05 + 0.07 * ridge);
                    let p = page.get_pixel_mut(px, py);
                    p.0[0] = (p.0[0] as f32 * (1.0 - dark)) as u8;
                }
            }
        }
        let turn = rng.range(-1.5, 1.5);
        let reading =
            synth::read_turned(&page, &geom, seed, turn, [1.0, 0.75, 1.45][seed as usize]);
        tally.add(
            &format!("thumb-smeared page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(0, |_| true);
}

/// A letter underlined on one row and the same letter filled on the row below with a fill spilling out
/// of its box (up to 0.9 mm over its top): the fill's overshoot covers the gap up to the underline, so
/// the line never ends, paper again, before the box below, and the underline read as nothing. Ink that
/// begins against the underlined box's outline all along its bottom and runs on into the fill below is
/// now a person's decision (see `underline::ink_against_bottom`). Before, 32 of the 144 paired questions read
/// silently as nothing; now none. The fills read right or go to a person.
#[test]
fn an_underline_run_into_the_fill_below_goes_to_a_person() {
    let mut tally = Tally::default();
    let mut paired = Vec::new();
    for seed in 0..3u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(780 + seed);
        let (mut student, mut expect) =
            answers_styled(&geom, &mut rng, &[synth::Mark::UnderlineBelow]);
        // Single-choice rows in pairs: the first underlined, the second filled with a spill, on the
        // same letter.
        for (k, q) in geom.questions.iter().enumerate() {
            let options = synth::options_of(&geom, q.number);
            if options.len() != 4 || q.number > 60 || (q.number - 1) % 5 > 3 || q.number % 2 == 0 {
                continue;
            }
            let letter = options[rng.below(4)].to_string();
            let (Some(up), Some(down)) = (
                synth::answer_bubble(&geom, q.number, &letter),
                synth::answer_bubble(&geom, q.number + 1, &letter),
            ) else {
                continue;
            };
            student.marks.retain(|(i, _)| {
                !matches!(&geom.bubbles[*i].meaning,
                    BubbleMeaning::Answer { question, .. } if *question == q.number || *question == q.number + 1)
            });
            student.marks.push((up, synth::Mark::UnderlineBelow));
            student.marks.push((down, synth::Mark::Spill));
            for (n, a) in student.answers.iter_mut() {
                if *n == q.number || *n == q.number + 1 {
                    *a = letter.clone();
                }
            }
            expect[k] = Expect::RightOrFlag(letter.clone());
            expect[k + 1] = Expect::RightOrFlag(letter);
            for n in [q.number, q.number + 1] {
                paired.push(format!("page {seed} q{n}:"));
            }
        }
        let turn = rng.range(-1.0, 1.0);
        let reading = read_turned(
            &geom,
            &student,
            seed,
            turn,
            [1.0, 1.45, 0.75][seed as usize],
        );
        tally.add(
            &format!("underline over a spilled fill, page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    // The other questions are underlined as usual (their errors are bounded elsewhere).
    tally.assert_wrong_at_most(0, |w| paired.iter().any(|p| w.contains(p.as_str())));
}
