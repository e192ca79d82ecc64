//! A light hand's pencil ticks and crosses (#23): the only ink in their question, they read without a
//! `?`, judged against this sheet's own pencil (see `faint_writer.rs`); an eraser's haze and a thumb's
//! smear on the same sheet still never read as a mark.

use super::synth::{self, Expect, Mark, Rng, Student, Tally};
use super::*;

use super::synth::PPM;

/// A tick √ by a light hand (two fifths of an ordinary pressure: graphite about 0.15–0.2 dark, where an
/// ordinary pencil leaves 0.5–0.7) over box `a`: a short arm down into the vertex, low in the box, and
/// a long one up and out past its top right, each hand's a little larger or smaller, turned a little.
fn light_tick(img: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let grey = rng.range(194.0, 206.0);
    let width = rng.range(0.35, 0.5);
    let k = rng.range(0.85, 1.15);
    let (cx, cy) = a.centre();
    let turn = rng.range(-0.2, 0.2);
    let (c, s) = (turn.cos(), turn.sin());
    let mut p = |x: f32, y: f32| {
        let (dx, dy) = ((x - cx) * k, (y - cy) * k);
        (
            cx + c * dx - s * dy + rng.range(-0.2, 0.2),
            cy + s * dx + c * dy + rng.range(-0.2, 0.2),
        )
    };
    let pts = [
        p(a.x + 0.15 * a.w, a.y + 0.45 * a.h),
        p(a.x + 0.4 * a.w, a.y + a.h + 0.1),
        p(a.x + a.w + 0.4, a.y - 0.8),
    ];
    synth::polyline(img, &pts, width, grey, PPM, rng);
}

/// A cross × by the same light hand: two strokes corner to corner, a little past the box.
fn light_cross(img: &mut GrayImage, a: &BoxMm, rng: &mut Rng) {
    let grey = rng.range(194.0, 206.0);
    let width = rng.range(0.35, 0.5);
    let o = rng.range(0.0, 0.5);
    let mut j = |r: f32| rng.range(-r, r);
    let one = [
        (a.x - o + j(0.25), a.y - o / 2.0 + j(0.2)),
        (a.x + a.w + o + j(0.25), a.y + a.h + o / 2.0 + j(0.2)),
    ];
    let two = [
        (a.x + a.w + o + j(0.25), a.y - o / 2.0 + j(0.2)),
        (a.x - o + j(0.25), a.y + a.h + o / 2.0 + j(0.2)),
    ];
    synth::polyline(img, &one, width, grey, PPM, rng);
    synth::polyline(img, &two, width, grey, PPM, rng);
}

/// A light writer's sheet: every answer ticked (now and then crossed) by the light hand, the id grid
/// and the variant row filled, firmly (as a student fills them apart, with care) or in the same light
/// grey. Questions in `blank_with` get instead, on one box, what `haze` draws there, and no answer.
/// Returns the page drawn upright, the student and what each question must read.
fn light_hand_sheet(
    geom: &SheetGeometry,
    seed: u64,
    firm_id: bool,
    haze: Option<&dyn Fn(&mut GrayImage, &BoxMm, &mut Rng)>,
) -> (GrayImage, Student, Vec<Expect>) {
    let mut rng = Rng::new(seed);
    let mut student = synth::random_student(geom, &mut rng);
    // The id grid and the variant row as `random_student` marks them; the answers drawn below.
    student
        .marks
        .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
    if !firm_id {
        for (_, m) in student.marks.iter_mut() {
            *m = Mark::Faint;
        }
    }
    // Ticks on the single-choice questions of four letters; the judge questions (whose printed √ and ×
    // hide a light line) and the multiple choices (whose E boxes, few on the sheet, share one print
    // template that the same tick on most of them hides) are left blank: other causes, other tests.
    // One question in eight left blank too: with haze over one box when asked.
    let mut hazed = Vec::new();
    for (q, answer) in student.answers.iter_mut() {
        let four = synth::options_of(geom, *q).len() == 4
            && geom
                .questions
                .iter()
                .any(|x| x.number == *q && x.kind == ChoiceKind::Single);
        if !four {
            answer.clear();
        } else if rng.unit() < 0.125 {
            answer.clear();
            if haze.is_some() {
                let options = synth::options_of(geom, *q);
                let o = options[rng.below(options.len())];
                hazed.extend(synth::answer_bubble(geom, *q, o));
            }
        }
    }
    let mut page = synth::draw(geom, &student, seed);
    let mut expect = Vec::new();
    for q in &geom.questions {
        let answer = student.answer(q.number).to_string();
        for o in synth::options_of(geom, q.number) {
            if answer.contains(o) {
                let at = synth::answer_bubble(geom, q.number, o).expect("option");
                let area = geom.bubbles[at].area;
                let mark = if rng.unit() < 0.2 {
                    light_cross(&mut page, &area, &mut rng);
                    Mark::FaintCross
                } else {
                    light_tick(&mut page, &area, &mut rng);
                    Mark::FaintTick
                };
                student.marks.push((at, mark));
            }
        }
        expect.push(Expect::Clear(answer));
    }
    if let Some(haze) = haze {
        for &at in &hazed {
            haze(&mut page, &geom.bubbles[at].area, &mut rng);
            student.marks.push((at, Mark::Erased));
            let q = geom
                .questions
                .iter()
                .position(|q| {
                    matches!(&geom.bubbles[at].meaning,
                        BubbleMeaning::Answer { question, .. } if *question == q.number)
                })
                .expect("question");
            // Nothing read, or a person decides: never a letter.
            expect[q] = Expect::RightOrFlag(String::new());
        }
    }
    (page, student, expect)
}

/// The page turned a little and scaled (0.75: a 150 dpi scan), and read.
fn read_turned(page: &GrayImage, geom: &SheetGeometry, seed: u64, rng: &mut Rng) -> PageReading {
    let scale = [1.0, 0.75, 1.45][seed as usize % 3];
    synth::read_turned(page, geom, seed, rng.range(-2.0, 2.0), scale)
}

/// Every answer of a light writer's sheet a tick or a cross at about 0.15–0.2 dark, the only ink in its
/// question: each must read, none go to a person. Before the strokes were judged against the sheet's own
/// pencil (a fixed 0.2 floor under every stroke's darkness), most of them went to a person (the field
/// check's faint writers: 204 of 237 pencil ticks flagged on seeds 21–23, 50 after). Not yet met (#23):
/// on these pages 161 of 576 questions still go to a person and 2 ticks too light for any cut read as
/// nothing (not yet traced: the lightest strokes, thinned further on the 150 dpi pages). The bounds
/// guard what was won.
#[test]
fn a_light_hand_s_ticks_alone_in_their_questions_read() {
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let (page, student, expect) = light_hand_sheet(&geom, 3100 + seed, seed % 2 == 0, None);
        let mut rng = Rng::new(3200 + seed);
        let reading = read_turned(&page, &geom, seed, &mut rng);
        tally.add(
            &format!("light ticks page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(2, |_| true);
    assert!(
        tally.clear_flagged * 100 <= 30 * tally.clear,
        "{} of {} clear questions flagged",
        tally.clear_flagged,
        tally.clear
    );
}

/// The same sheets with an eraser's haze (what is left of a fill rubbed out, about 0.1 dark, even, with
/// gaps) or a thumb's grey smear over one box of a blank question: its darkness is that of the light
/// hand's strokes, but spread evenly, with no line in it. It never reads as a letter. (The light ticks
/// on the same pages are bounded as in the test above: 2 too light for any cut read as nothing.)
#[test]
fn haze_on_a_light_hand_s_sheet_is_no_mark() {
    // What an eraser leaves of the light hand's own fill (a tenth to a third of about 0.2): a grey
    // haze about 0.05–0.1 dark over the box, with gaps.
    let eraser = |img: &mut GrayImage, a: &BoxMm, rng: &mut Rng| {
        film(img, a, rng.range(222.0, 234.0), 0.35, rng);
    };
    // A thumb's graphite: a patchy grey film over the box and a little past it, lighter than the
    // light hand's strokes, grainy.
    let thumb = |img: &mut GrayImage, a: &BoxMm, rng: &mut Rng| {
        film(img, a, rng.range(212.0, 224.0), 0.4, rng);
    };
    fn film(img: &mut GrayImage, a: &BoxMm, grey: f32, gaps: f32, rng: &mut Rng) {
        let (cx, cy) = a.centre();
        let (rx, ry) = (a.w / 2.0 + 0.3, a.h / 2.0 + 0.2);
        let (x0, x1) = (((cx - rx) * PPM) as i64, ((cx + rx) * PPM) as i64 + 1);
        let (y0, y1) = (((cy - ry) * PPM) as i64, ((cy + ry) * PPM) as i64 + 1);
        for y in y0..y1 {
            for x in x0..x1 {
                let dx = (x as f32 / PPM - cx) / rx;
                let dy = (y as f32 / PPM - cy) / ry;
                if dx * dx + dy * dy > 1.0 || rng.unit() < gaps {
                    continue;
                }
                let v = (grey + rng.range(-12.0, 12.0)).clamp(0.0, 255.0) as u8;
                let p = img.get_pixel_mut(x as u32, y as u32);
                p.0[0] = p.0[0].min(v);
            }
        }
    }
    let mut tally = Tally::default();
    for seed in 0..6u64 {
        let geom = synth::mock_geometry();
        let haze: &dyn Fn(&mut GrayImage, &BoxMm, &mut Rng) =
            if seed % 2 == 0 { &eraser } else { &thumb };
        let (page, student, expect) =
            light_hand_sheet(&geom, 3300 + seed, seed % 3 == 0, Some(haze));
        let mut rng = Rng::new(3400 + seed);
        let reading = read_turned(&page, &geom, seed, &mut rng);
        tally.add(
            &format!("hazed light page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally.assert_wrong_at_most(0, |w| w.contains("Erased"));
    tally.assert_wrong_at_most(2, |_| true);
}

// Small checks drawn beside the box (#23, the third field check's `tick-out`): the check's foot (its
// lowest point, where the short stroke turns into the long one) sits on the box's right edge, its short
// stroke in the box's right part and its arm rising in the 1.2 mm gap to the next box. Such a check is
// never read as nothing, nor given to the box on its right: read as its box, or flagged (see
// `tick_beside.rs`).

/// A small check √ beside box `a`, as the third field check draws it: `s` mm tall (1.8–2.6 there), its
/// foot on the right edge (0.15 mm in to 0.2 mm out), 60–80 % of the way down the box; the short stroke
/// comes from 0.4 `s` to the left, the arm rises `s` into the gap, 0.27–0.4 `s` to the right.
fn tick_out(page: &mut image::GrayImage, a: &BoxMm, s: f32, width: f32, grey: f32, rng: &mut Rng) {
    let (vx, vy) = (
        a.x + a.w + rng.range(-0.15, 0.2),
        a.y + a.h * rng.range(0.6, 0.8),
    );
    let start = (vx - 0.4 * s, vy - 0.35 * s);
    let tip = (vx + 0.45 * s * rng.range(0.6, 0.9), vy - s);
    let pts = [
        start,
        (vx - 0.1 * s, vy - 0.05 * s),
        (vx, vy),
        ((vx + tip.0) / 2.0, (vy + tip.1) / 2.0 + 0.05),
        tip,
    ];
    synth::polyline(page, &pts, width, grey, PPM, rng);
}

/// Pages of students who answer every question with such checks: the single-choice questions one
/// letter (the row's last box, D, one time in three), the multiple-choice ones one to three letters
/// (E, the row's last box, often among them), each check its own size (`sizes`), pencil or pen. The
/// page is turned a little and read at `scale` (1.0 ≈ 200 dpi, 1.2 ≈ 240 dpi), cut to black and white
/// when `one_bit`. Every question must read its letters or go to a person.
fn pages_of_tick_outs(seed_base: u64, scale: f32, one_bit: bool, sizes: (f32, f32)) -> Tally {
    let mut tally = Tally::default();
    for seed in 0..3u64 {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed_base + seed);
        let mut student = synth::random_student(&geom, &mut rng);
        // Answers written with checks only: the fills `random_student` put in the answer boxes go.
        student
            .marks
            .retain(|(i, _)| !matches!(geom.bubbles[*i].meaning, BubbleMeaning::Answer { .. }));
        let mut checked = Vec::new();
        for q in &geom.questions {
            let options = synth::options_of(&geom, q.number);
            let last = options.len() - 1;
            let answer: String = match q.kind {
                ChoiceKind::Multiple => {
                    let mut s = String::new();
                    while s.is_empty() || s.len() > 3 {
                        s.clear();
                        for (k, o) in options.iter().enumerate() {
                            if rng.unit() < if k == last { 0.6 } else { 0.35 } {
                                s.push_str(o);
                            }
                        }
                    }
                    s
                }
                ChoiceKind::Single if options.len() == 4 => {
                    if rng.unit() < 0.33 {
                        options[last].to_string()
                    } else {
                        options[rng.below(last)].to_string()
                    }
                }
                // The judge questions' printed √ and × are another cause: left blank.
                _ => String::new(),
            };
            for o in options.iter().filter(|o| answer.contains(**o)) {
                checked.push(synth::answer_bubble(&geom, q.number, o).expect("option"));
            }
            for (n, a) in student.answers.iter_mut() {
                if *n == q.number {
                    *a = answer.clone();
                }
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &b in &checked {
            let s = rng.range(sizes.0, sizes.1);
            // A 2B pencil (0.45–0.6 mm), an HB one lighter and thinner, a ballpoint (0.2–0.3 mm). A
            // copier's 1-bit cut leaves an HB line at 100–130 grey in broken specks, no stroke: those
            // pages are written with the 2B pencil or the ballpoint.
            let tool = if one_bit {
                2 * rng.below(2)
            } else {
                rng.below(3)
            };
            let (width, grey) = match tool {
                0 => (rng.range(0.45, 0.6), rng.range(50.0, 90.0)),
                1 => (rng.range(0.3, 0.42), rng.range(100.0, 130.0)),
                _ => (rng.range(0.2, 0.3), rng.range(40.0, 90.0)),
            };
            tick_out(&mut page, &geom.bubbles[b].area, s, width, grey, &mut rng);
            student.marks.push((b, synth::Mark::Tick));
        }
        let expect = synth::right_or_flag_everywhere(&geom, &student);
        let d = synth::Distortion::turned(rng.range(-1.0, 1.0), scale, (0.0, 0.0));
        let mut img = synth::distort(&page, &d, seed + 1);
        if one_bit {
            super::synth_damage::one_bit(&mut img, rng.range(130.0, 160.0) as u8);
        }
        let reading = synth::read_or_fail(&img, &geom, seed);
        tally.add(
            &format!("tick-out {scale} one-bit {one_bit} page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// Small checks (1.8–2.6 mm, as the field check draws them) on a grey page at about 200 and 240 dpi:
/// none read as nothing, none given to the box on the right.
#[test]
fn a_small_check_beside_the_box_is_read_or_flagged_on_grey_pages() {
    for (base, scale) in [(9100, 1.0), (9200, 1.2)] {
        let tally = pages_of_tick_outs(base, scale, false, (1.8, 2.6));
        tally.assert_wrong_at_most(0, |_| true);
    }
}

/// Smaller and larger checks (1.5–3.2 mm) on the same kind of page.
#[test]
fn small_and_large_checks_beside_the_box_are_read_or_flagged() {
    let tally = pages_of_tick_outs(9300, 1.0, false, (1.5, 3.2));
    tally.assert_wrong_at_most(0, |_| true);
}

/// The same checks on a copier's 1-bit page (a 2B pencil or a ballpoint: what survives the cut).
#[test]
#[ignore = "not yet met: on these 200 dpi 1-bit pages 54 questions still read silently wrong (11 blank boxes read as letters, the rest checks lost); the gap rule does not yet read them"]
fn a_small_check_beside_the_box_is_read_or_flagged_on_one_bit_pages() {
    let tally = pages_of_tick_outs(9400, 1.0, true, (1.8, 2.6));
    tally.assert_wrong_at_most(0, |_| true);
}

/// Without the rule (as before it), the same pages lose checks silently: the test above can fail.
#[test]
fn without_the_rule_small_checks_beside_the_box_are_lost() {
    super::tick_beside::OFF.with(|o| o.set(true));
    let mut wrong = 0;
    for (base, scale, one_bit, sizes) in [
        (9100, 1.0, false, (1.8, 2.6)),
        (9200, 1.2, false, (1.8, 2.6)),
        (9300, 1.0, false, (1.5, 3.2)),
        (9400, 1.0, true, (1.8, 2.6)),
    ] {
        let tally = pages_of_tick_outs(base, scale, one_bit, sizes);
        tally.report(&format!("without the rule {base}: "));
        wrong += tally.wrong.len();
    }
    super::tick_beside::OFF.with(|o| o.set(false));
    assert!(wrong > 0, "no check lost without the rule");
}

/// A page of clear fills photographed by a shaking hand (a box filter 3–4 px long, about 0.4–0.5 mm,
/// across the rows or slanting): the blur spreads every box's printed outline into the gaps beside the
/// boxes, and the photo's fit leaves some outlines a fraction of a millimetre off. Neither is a check
/// beside a row's last box: no clear fill goes to a person over it.
fn shaken_pages_of_fills() -> Tally {
    let mut tally = Tally::default();
    for (seed, length, degrees) in [
        (9501u64, 3u32, 0.0f32),
        (9502, 4, 0.0),
        (9503, 4, 20.0),
        (9504, 3, 160.0),
    ] {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let student = synth::random_student(&geom, &mut rng);
        let text = synth::qr_text_for(&student);
        let upright = synth::render(&geom, &student, &text, PPM, seed);
        let photo = super::synth_damage::phone_perspective(&upright, 95);
        let mut photo = super::synth_damage::motion_blur(&photo, length, degrees);
        super::synth_damage::noise_and_blur(&mut photo, &mut rng, true);
        let photo = synth::jpeg_round_trip(&photo, 85);
        let reading = synth::read_or_fail(&photo, &geom, seed);
        let expect: Vec<Expect> = geom
            .questions
            .iter()
            .map(|q| Expect::Clear(student.answer(q.number).to_string()))
            .collect();
        tally.add(
            &format!("shaken {length} px at {degrees}° seed {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    tally
}

/// The shaken photos of clear fills: none read wrong, at most the 3 % sent to a person.
#[test]
fn a_shaken_photo_s_outlines_beside_the_boxes_are_no_checks() {
    shaken_pages_of_fills().check_clear(0, 3);
}

/// As the first attempt at the rule read them (parked/tick-beside: the gap measured against the paper,
/// any stroke rising beside a row's last box its ink), the same photos send clear fills to a person: the
/// test above can fail.
#[test]
fn read_as_the_first_attempt_shaken_outlines_send_fills_to_a_person() {
    super::tick_beside::FIRST_ATTEMPT.with(|o| o.set(true));
    let tally = shaken_pages_of_fills();
    super::tick_beside::FIRST_ATTEMPT.with(|o| o.set(false));
    tally.report("first attempt: ");
    assert!(
        tally.clear_flagged > 0,
        "no clear fill flagged as the first attempt read"
    );
}

/// Tall checks (3.2–4.6 mm, a hand that writes large) beside the boxes: beside a row's last box the
/// arm rises past the gap's samples and fills much of its narrow width, and was dismissed as a line
/// running on (these six pages: 13 questions read without their last letter). Such an arm rising from
/// the last box's foot now sends the box to a person. Not yet met: one check (page 1 of the second set,
/// q77's E) still reads as nothing, its gap holding too little ink to be looked at (not yet traced).
#[test]
fn a_tall_check_beside_a_row_s_last_box_is_read_or_flagged() {
    let mut wrong = 0;
    for (base, sizes) in [(9500, (3.2, 4.0)), (9600, (3.8, 4.6))] {
        let tally = pages_of_tick_outs(base, 1.0, false, sizes);
        tally.report(&format!("tall checks {base}: "));
        wrong += tally.wrong.len();
    }
    assert!(wrong <= 1, "{wrong} tall checks read silently wrong");
}

/// Without the rule, the same pages read tall checks beside the last box as nothing: the test above can
/// fail.
#[test]
fn without_the_rule_tall_checks_beside_the_last_box_are_lost() {
    super::tick_beside::TALL_ARM_OFF.with(|o| o.set(true));
    let mut wrong = 0;
    for (base, sizes) in [(9500, (3.2, 4.0)), (9600, (3.8, 4.6))] {
        wrong += pages_of_tick_outs(base, 1.0, false, sizes).wrong.len();
    }
    super::tick_beside::TALL_ARM_OFF.with(|o| o.set(false));
    assert!(
        wrong >= 10,
        "only {wrong} tall checks lost without the rule"
    );
}
