//! Rubbed-out marks told from real ones: an eraser lifts most of a fill's graphite and smears the rest
//! over the box and out past its outline, so what it leaves is an even haze a fraction as dark as this
//! writer's own fills; a fill, even a light 2B one, a tick or a circle is darker somewhere.

/// The darkest an erasure's haze gets, as a share of this writer's firm fills: an eraser leaves a tenth
/// to about a third of the graphite, smeared, and its streaks and grains darken a few places by half as
/// much again (the field check's erasures, seeds 1 and 3: all but one under 0.42 of the writer's fills
/// at their darkest 5 %, one streaked at 29 % left reached 0.47); a pencil stroke (a tick, a cross, a
/// circle) or a light 2B fill is darker somewhere in the box (2B-light fills: above 0.52). A very
/// light pencil mark (a fifth to a third of the writer's pressure) is as light as an erasure: it goes
/// to a person too.
const ERASED_SHARE: f32 = 0.42;
/// The share of the inside's samples at the top of which its darkest ink is measured: a few grains or
/// a print edge left over do not count, a stroke crossing the box does.
const DARKEST: f32 = 0.95;
/// Fills a sheet needs for its writer's level: the second darkest sets it, so one black scribble does
/// not.
const WRITER_FILLS: usize = 2;

/// The writer's level of [`fill_levels`] alone (the unit tests' view of it).
#[cfg(test)]
fn writer_fill_level(fills: &[f32]) -> Option<f32> {
    fill_levels(fills).map(|l| l.writer)
}

/// A writer's two fill levels, from one sort of the fills.
#[derive(Clone, Copy)]
pub(super) struct FillLevels {
    /// The second darkest fill: their firm fill even when most of their fills are light.
    pub firm: f32,
    /// The level this writer fills at, from the mean darkness of every bubble first read as a
    /// fill: the second darkest (a writer whose answers are mostly light still fills some firmly). But no
    /// student rubs out most of their answers: when most of the sheet's fills are as light as an erasure
    /// beside that, the writer is faint (a few marks pressed hard, a double mark in another pencil) and
    /// their typical fill, the median, is the level.
    pub writer: f32,
}

/// [`FillLevels`] of these fills; `None` below two fills.
pub(super) fn fill_levels(fills: &[f32]) -> Option<FillLevels> {
    if fills.len() < WRITER_FILLS {
        return None;
    }
    let mut v = fills.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    let (firm, typical) = (v[WRITER_FILLS - 1], v[v.len() / 2]);
    let writer = if typical < ERASED_SHARE * firm {
        typical
    } else {
        firm
    };
    Some(FillLevels { firm, writer })
}

/// Whether the ink in a box is what an eraser left: haze over the inside (its mean darkness `fill` at
/// least twice this sheet's `visible` cut, so more than grain and print), and nowhere in the box (its
/// residual samples `inside`, NaN where print is) as dark as `ERASED_SHARE` of the writer's firm fills.
/// Read as a fill, a stroke or a circle (the haze runs out over the outline all round), it goes to a
/// person instead.
pub(super) fn rubbed_out(inside: &[f32], fill: f32, visible: f32, writer: f32) -> bool {
    if fill < 2.0 * visible {
        return false;
    }
    let mut v: Vec<f32> = inside.iter().copied().filter(|v| !v.is_nan()).collect();
    if v.is_empty() {
        return false;
    }
    let k = ((v.len() - 1) as f32 * DARKEST) as usize;
    let darkest = *v.select_nth_unstable_by(k, f32::total_cmp).1;
    darkest < ERASED_SHARE * writer
}

/// How far out past the outline (mm, along each station's normal) an eraser's haze is looked for: past
/// where a pencil fill's own strokes end (a stroke stops within its half-width, about 0.3 mm, of where the
/// hand turned at the outline) and short of the next box. An eraser is wider than a box and is rubbed
/// across its outline, so it drags what it lifts half a millimetre and more out over the paper on every
/// side; a fill, even a light one, leaves the paper there clean but where the hand overshot.
const SMEAR_FROM: f32 = 0.45;
const SMEAR_TO: f32 = 0.9;
/// The haze past the outline (the middle station's, so one side a neighbour's overrun reaches does not
/// count), as a share of the ink inside, above which the ink was smeared out over the outline: the field
/// check's erasures (seeds 21–26, 20–30 % left) 0.028 at their lower quartile, median 0.047; very light
/// pencil fills (18–30 % pressure) 0.004 at their median, 0.019 at nine in ten.
const SMEARED_OUT: f32 = 0.025;

/// The haze past a box's outline as a share of its inside's mean darkness `fill`: per station round the
/// box, the mean of its samples `around` (`depths` a station, NaN where print is) between
/// [`SMEAR_FROM`] and [`SMEAR_TO`] mm out (`offset(station, depth)`: how far out a sample lies), and the
/// middle of these over the stations. `None` where too few stations can be judged.
pub(super) fn haze_past_outline(
    around: &[f32],
    depths: usize,
    offset: impl Fn(usize, usize) -> f32,
    fill: f32,
) -> Option<f32> {
    if fill <= 0.0 || depths == 0 {
        return None;
    }
    let mut per: Vec<f32> = around
        .chunks(depths)
        .enumerate()
        .filter_map(|(k, st)| {
            let (mut sum, mut n) = (0.0, 0u32);
            for (d, v) in st.iter().enumerate() {
                let o = offset(k, d);
                if o > SMEAR_FROM && o < SMEAR_TO && !v.is_nan() {
                    sum += v;
                    n += 1;
                }
            }
            (n > 0).then(|| sum / n as f32)
        })
        .collect();
    if per.len() < 8 {
        return None;
    }
    let mid = per.len() / 2;
    Some(*per.select_nth_unstable_by(mid, f32::total_cmp).1 / fill)
}

/// Whether ink read as a mark is what an eraser left though this writer marks lightly too: a writer who
/// habitually fills lightly (their typical fill, [`FillLevels::writer`], a light one) leaves fills as
/// light as a rubbed-out firm one, so [`rubbed_out`] cannot tell them by darkness. What still tells is
/// the smear: ink lighter than [`ERASED_SHARE`] of the writer's firm fills (`firm`, the second darkest)
/// over an inside more than grain and print (`fill` at least twice the `visible` cut), that runs out past
/// the outline on most sides (`haze`, [`haze_past_outline`], at least [`SMEARED_OUT`]). A person decides.
/// Only fills: a tick's arms and a circle's line run out past the outline by themselves. Not caught: a
/// fill kept well inside its box and rubbed out without dragging it past the outline, on such a
/// writer's sheet (it is as light and as clean round the box as their own marks). Field check, seeds
/// 100–103, never tuned on: erasures read as a letter 14 → 2, flags +1 %, clear fills flagged the same.
pub(super) fn smeared_light(fill: f32, visible: f32, firm: f32, haze: Option<f32>) -> bool {
    fill >= 2.0 * visible && fill < ERASED_SHARE * firm && haze.is_some_and(|h| h >= SMEARED_OUT)
}

#[cfg(test)]
mod tests {
    use image::GrayImage;

    use super::super::geometry::{BoxMm, BubbleMeaning, ChoiceKind, SheetGeometry};
    use super::super::synth::{self, Distortion, Expect, Mark, Rng, Student, Tally};
    use super::super::{PageReading, read_page};
    use super::*;

    /// Pixels per mm the upright sheets are drawn at (8 ≈ 203 dpi); distortions scale them.
    const PPM: f32 = 8.0;

    #[test]
    fn the_writer_s_level_is_set_by_firm_fills_and_haze_is_told_from_strokes() {
        // Ten light 2B fills, a dozen firm ones and a black scribble: the second darkest.
        let mut fills: Vec<f32> = (0..10).map(|k| 0.35 + 0.007 * k as f32).collect();
        fills.extend((0..12).map(|k| 0.5 + 0.01 * k as f32));
        fills.extend([0.64, 0.9]);
        assert_eq!(writer_fill_level(&fills), Some(0.64));
        // A faint writer's thirty fills and two pressed hard: the faint ones.
        let mut faint: Vec<f32> = (0..31).map(|k| 0.2 + 0.001 * k as f32).collect();
        faint.extend([0.6, 0.62]);
        let level = writer_fill_level(&faint).unwrap();
        assert!((0.2..0.231).contains(&level), "{level}");
        assert_eq!(writer_fill_level(&[0.6]), None);
        // Haze at 0.15-0.2 over a box (print left out): rubbed out beside fills of 0.6; a tick's
        // stroke at 0.5 across the same haze is not; a clean box with a speck is not.
        let haze: Vec<f32> = (0..200)
            .map(|k| {
                if k % 17 == 0 {
                    f32::NAN
                } else {
                    0.15 + 0.05 * ((k * 7) % 10) as f32 / 10.0
                }
            })
            .collect();
        assert!(rubbed_out(&haze, 0.17, 0.03, 0.6));
        let mut stroke = haze.clone();
        stroke[20..40].fill(0.5);
        assert!(!rubbed_out(&stroke, 0.2, 0.03, 0.6));
        let mut clean = vec![0.0f32; 200];
        clean[5] = 0.2;
        assert!(!rubbed_out(&clean, 0.001, 0.03, 0.6));
    }

    /// Each bubble of `rubbed` marked with `mark` and rubbed out to `residue` (the share of its
    /// darkness left, drawn at random in that range) on `page`, recorded as erased for the tally.
    fn rub_out_fills(
        page: &mut GrayImage,
        geom: &SheetGeometry,
        rubbed: &[usize],
        mark: Mark,
        residue: (f32, f32),
        rng: &mut Rng,
        student: &mut Student,
    ) {
        for &i in rubbed {
            let before = page.clone();
            let mut after = page.clone();
            synth::draw_mark(&mut after, &geom.bubbles[i].area, mark, PPM, rng);
            let left = rng.range(residue.0, residue.1);
            rub_out(page, &before, &after, &geom.bubbles[i].area, left, rng);
            // Recorded for the tally (its table names the style); drawn here.
            student.marks.push((i, Mark::Erased));
        }
    }

    /// What an eraser leaves of the mark drawn between `before` and `after` over box `a` (mm): `residue`
    /// of its darkness, smeared about 0.3 mm wider (the eraser drags the graphite), banded across the
    /// eraser's strokes (a random direction; each band 0.3–0.5 mm wide lifts more or less) and speckled
    /// (paper tooth keeps some grains). Written over `before` in `out`.
    fn rub_out(
        out: &mut GrayImage,
        before: &GrayImage,
        after: &GrayImage,
        a: &BoxMm,
        residue: f32,
        rng: &mut Rng,
    ) {
        let (w, h) = (before.width() as i64, before.height() as i64);
        let px = |mm: f32| (mm * PPM).round() as i64;
        let (x0, y0) = (px(a.x - 1.2).max(0), px(a.y - 1.2).max(0));
        let (x1, y1) = (px(a.x + a.w + 1.2).min(w), px(a.y + a.h + 1.2).min(h));
        let (rw, rh) = ((x1 - x0) as usize, (y1 - y0) as usize);
        let dark: Vec<f32> = (0..rw * rh)
            .map(|k| {
                let (x, y) = ((x0 + (k % rw) as i64) as u32, (y0 + (k / rw) as i64) as u32);
                let (b, m) = (
                    before.get_pixel(x, y).0[0] as f32,
                    after.get_pixel(x, y).0[0] as f32,
                );
                (1.0 - m / b.max(1.0)).max(0.0)
            })
            .collect();
        let r = px(0.3).max(1);
        let smear = |x: i64, y: i64| {
            let (mut sum, mut n) = (0.0, 0.0);
            for yy in (y - r).max(0)..(y + r + 1).min(rh as i64) {
                for xx in (x - r).max(0)..(x + r + 1).min(rw as i64) {
                    sum += dark[yy as usize * rw + xx as usize];
                    n += 1.0;
                }
            }
            sum / n
        };
        let angle = rng.range(0.0, std::f32::consts::PI);
        let (across_x, across_y) = (-angle.sin(), angle.cos());
        let band = rng.range(0.3, 0.5);
        let bands: Vec<f32> = (0..64).map(|_| rng.range(0.6, 1.4)).collect();
        for y in 0..rh as i64 {
            for x in 0..rw as i64 {
                let t = (x as f32 * across_x + y as f32 * across_y) / PPM / band;
                let streak = bands[(t.floor() as i64).rem_euclid(64) as usize];
                let left = (smear(x, y) * residue * streak * rng.range(0.75, 1.25)).clamp(0.0, 1.0);
                let (ux, uy) = ((x0 + x) as u32, (y0 + y) as u32);
                let b = before.get_pixel(ux, uy).0[0] as f32;
                out.get_pixel_mut(ux, uy).0[0] = (b * (1.0 - left)).round() as u8;
            }
        }
    }

    /// A student who fills firmly, now and then in light 2B pencil or past the box, and on some
    /// single-choice questions
    /// fills a bubble and rubs it out (`residue` of the graphite left): the question left blank, or
    /// another bubble filled instead. The page as the copier sees it, with what each question must read.
    fn page_with_erasures(
        seed: u64,
        residue: (f32, f32),
        d: &Distortion,
    ) -> (SheetGeometry, Student, Vec<Expect>, PageReading) {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let bubble = |q: u32, o: &str| {
            geom.bubbles
                .iter()
                .position(|b| {
                    b.meaning
                        == BubbleMeaning::Answer {
                            question: q,
                            option: o.to_string(),
                        }
                })
                .expect("the question's option")
        };
        let mut expect = Vec::new();
        let mut rubbed = Vec::new();
        let mut overrun = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            let answer = student.answer(q.number).to_string();
            let options = synth::options_of(&geom, q.number);
            let single = q.kind != ChoiceKind::Multiple && !answer.is_empty();
            match k % 4 {
                0 if single => {
                    // Filled, then rubbed out and left blank: nothing, or a person looks.
                    let i = bubble(q.number, &answer);
                    student.marks.retain(|(j, _)| *j != i);
                    rubbed.push(i);
                    expect.push(Expect::RightOrFlag(String::new()));
                    let at = student.answers.iter().position(|(n, _)| *n == q.number);
                    student.answers[at.expect("answered")].1.clear();
                }
                1 if single => {
                    // Another bubble filled, rubbed out, then the answer filled: the answer, or a person.
                    let others: Vec<&&str> = options.iter().filter(|o| **o != answer).collect();
                    rubbed.push(bubble(q.number, others[rng.below(others.len())]));
                    expect.push(Expect::RightOrFlag(answer));
                }
                2 => {
                    // A light 2B fill among the firm ones: a clear mark.
                    for m in student.marks.iter_mut() {
                        if options
                            .iter()
                            .any(|o| answer.contains(o) && bubble(q.number, o) == m.0)
                        {
                            m.1 = Mark::LightFill;
                        }
                    }
                    expect.push(Expect::Clear(answer));
                }
                3 => {
                    // Filled past the box by up to 0.8 mm (into the gap, not into the next box).
                    student.marks.retain(|(j, _)| {
                        let mine = options
                            .iter()
                            .any(|o| answer.contains(o) && bubble(q.number, o) == *j);
                        if mine {
                            overrun.push(*j);
                        }
                        !mine
                    });
                    expect.push(Expect::Clear(answer));
                }
                _ => expect.push(Expect::Clear(answer)),
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        for &i in &overrun {
            let a = &geom.bubbles[i].area;
            let (l, r, t, b) = (
                rng.range(0.1, 0.8),
                rng.range(0.1, 0.8),
                rng.range(0.1, 0.6),
                rng.range(0.1, 0.6),
            );
            let grown = BoxMm {
                x: a.x - l,
                y: a.y - t,
                w: a.w + l + r,
                h: a.h + t + b,
            };
            synth::draw_mark(&mut page, &grown, Mark::Pencil, PPM, &mut rng);
            student.marks.push((i, Mark::Pencil));
        }
        rub_out_fills(
            &mut page,
            &geom,
            &rubbed,
            Mark::Pencil,
            residue,
            &mut rng,
            &mut student,
        );
        let img = synth::distort(&page, d, seed + 1);
        let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        (geom, student, expect, reading)
    }

    /// A light hand: most answers filled in a faint grey, one question in six filled firmly, and on
    /// others a hard back-and-forth fill run out over the outline, rubbed out (`residue` of its graphite
    /// left, dragged a little wider) and the question left blank. The page as the copier sees it, with
    /// what each question must read.
    fn light_hand_with_erasures(
        seed: u64,
        residue: (f32, f32),
        d: &Distortion,
    ) -> (SheetGeometry, Student, Vec<Expect>, PageReading) {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let mut student = synth::random_student(&geom, &mut rng);
        let question_of = |i: usize| match &geom.bubbles[i].meaning {
            BubbleMeaning::Answer { question, .. } => Some(*question),
            _ => None,
        };
        let mut expect = Vec::new();
        let mut rubbed = Vec::new();
        for (k, q) in geom.questions.iter().enumerate() {
            let at = student
                .answers
                .iter()
                .position(|(n, _)| *n == q.number)
                .expect("every question answered or blank");
            let answer = student.answers[at].1.clone();
            let single = q.kind != ChoiceKind::Multiple && !answer.is_empty();
            let style = if k % 6 == 3 {
                Mark::Pencil
            } else {
                Mark::Faint
            };
            for m in student.marks.iter_mut() {
                if question_of(m.0) == Some(q.number) {
                    m.1 = style;
                }
            }
            if k % 6 == 0 && single {
                // Filled firmly, then rubbed out and left blank: nothing, or a person looks.
                let mine: Vec<usize> = student
                    .marks
                    .iter()
                    .filter(|(j, _)| question_of(*j) == Some(q.number))
                    .map(|(j, _)| *j)
                    .collect();
                student.marks.retain(|(j, _)| !mine.contains(j));
                rubbed.extend(mine);
                student.answers[at].1.clear();
                expect.push(Expect::RightOrFlag(String::new()));
            } else if style == Mark::Pencil {
                expect.push(Expect::Clear(answer));
            } else {
                // A very light fill: read, or a person looks.
                expect.push(Expect::RightOrFlag(answer));
            }
        }
        let mut page = synth::draw(&geom, &student, seed);
        rub_out_fills(
            &mut page,
            &geom,
            &rubbed,
            Mark::Scribble,
            residue,
            &mut rng,
            &mut student,
        );
        let img = synth::distort(&page, d, seed + 1);
        let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        (geom, student, expect, reading)
    }

    /// A writer whose answers are mostly very light fills sets the erasure cut at their light level, so
    /// a fill rubbed out to a sixth or a quarter is as dark as their own marks (the field check's
    /// erasures read as the letter on the light habit's pages, #23): the graphite it leaves out past the
    /// outline sends it to a person. The firm fills read, at most 3 % flagged; the light ones read or go
    /// to a person. (A fill kept inside its box and rubbed out leaves no haze out there: on such a page
    /// it is still read, see the rule's doc.)
    #[test]
    fn a_light_hand_s_rubbed_out_fill_is_never_read_as_the_letter() {
        let mut tally = Tally::default();
        for seed in 0..6u64 {
            let mut rng = Rng::new(3100 + seed);
            let scale = [1.0, 0.75, 1.45][seed as usize % 3];
            let d = Distortion::turned(rng.range(-2.0, 2.0), scale, (rng.range(-0.01, 0.01), 0.0));
            let (geom, student, expect, reading) =
                light_hand_with_erasures(400 + seed, (0.16, 0.26), &d);
            tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
        }
        tally.check_clear(0, 3);
    }

    /// Fills rubbed out leaving 16–30 % of their graphite (a sixth of the field check's erasures were
    /// read as the letter, #23): read as nothing or sent to a person, never as the letter; beside the
    /// real answer, the answer or `?`; the firm, light 2B and overrun fills around them read, at most
    /// 3 % flagged.
    #[test]
    fn a_rubbed_out_fill_is_never_read_as_the_letter() {
        let mut tally = Tally::default();
        for seed in 0..6u64 {
            let mut rng = Rng::new(3000 + seed);
            let scale = [1.0, 0.75, 1.45][seed as usize % 3];
            let d = Distortion::turned(rng.range(-2.0, 2.0), scale, (rng.range(-0.01, 0.01), 0.0));
            let (geom, student, expect, reading) = page_with_erasures(300 + seed, (0.16, 0.3), &d);
            tally.add(&format!("page {seed}"), &geom, &student, &expect, &reading);
        }
        tally.check_clear(0, 3);
    }
}
