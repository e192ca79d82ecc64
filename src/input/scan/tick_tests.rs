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
