//! A line drawn under a letter over a box marked on the next row (issue #23, first field check): the
//! lower box's mark reaches up into the gap between the rows and claims the line, and the underline must
//! not be silently read as nothing.

use super::synth::{self, Expect, Rng, Tally};
use super::*;

/// The student's page drawn, a little turned at `scale`, and read.
fn read_turned(
    geom: &SheetGeometry,
    student: &synth::Student,
    seed: u64,
    turn: f32,
    scale: f32,
) -> PageReading {
    synth::read_turned(&synth::draw(geom, student, seed), geom, seed, turn, scale)
}

/// Pages whose single-choice rows come in pairs: the first row's letter underlined, the same letter on
/// the row below marked with `lower`; every other answer filled. Returns the tally and the paired
/// questions' labels.
fn underline_over(lower: &[synth::Mark], seeds: std::ops::Range<u64>) -> (Tally, Vec<String>) {
    let mut tally = Tally::default();
    let mut paired = Vec::new();
    for seed in seeds {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(820 + seed);
        let (mut student, mut expect) =
            synth::styled_student_with(&geom, &mut rng, &[synth::Mark::Pencil]);
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
            student.marks.push((down, lower[rng.below(lower.len())]));
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
            [1.0, 1.45, 0.75][seed as usize % 3],
        );
        tally.add(
            &format!("underline over a marked box, page {seed}"),
            &geom,
            &student,
            &expect,
            &reading,
        );
    }
    (tally, paired)
}

/// A letter underlined over the same letter half filled on the next row (first field check: the half
/// fill's ink, read as a smudge, reaches up into the gap and was given the line, and the underline read
/// as nothing). The smudge below does not need the line: a person decides. Before this rule 42 of these
/// underlines read silently as nothing; one still does (page 1, q43; not looked into).
#[test]
fn an_underline_over_a_half_fill_on_the_next_row_goes_to_a_person() {
    let (tally, paired) = underline_over(&[synth::Mark::Half], 0..3);
    tally.assert_wrong_at_most(1, |w| paired.iter().any(|p| w.contains(p.as_str())));
}

#[test]
fn a_ring_round_the_box_passes_under_it_and_one_through_a_line_above_does_not() {
    // A ring of half-height 3 round a box centred at y = 0: crossings all round it, a line at each.
    let round: Vec<(f32, f32, bool)> = (0..24)
        .map(|k| {
            let t = k as f32 / 24.0 * std::f32::consts::TAU;
            (4.0 * t.cos(), 3.0 * t.sin(), true)
        })
        .collect();
    assert!(underline::ring_passes_under(&round, 0.0, 3.0));
    // The same ring with no line on its lower arc (a line drawn under the box above, and the box's
    // sides): nothing passes under the box.
    let above: Vec<(f32, f32, bool)> = round.iter().map(|&(x, y, _)| (x, y, y < 1.0)).collect();
    assert!(!underline::ring_passes_under(&above, 0.0, 3.0));
    // Its lower arc hidden by print (no crossing judged there): nothing says it passes under.
    let hidden: Vec<(f32, f32, bool)> =
        round.iter().copied().filter(|&(_, y, _)| y < 2.0).collect();
    assert!(!underline::ring_passes_under(&hidden, 0.0, 3.0));
}

#[test]
fn lines_across_a_quarter_of_the_bottom_pass_under_the_box() {
    // Eight stations along the bottom (sides 2), two down the left side (sides 4).
    let mut stations = vec![(2u8, 0.35f32); 8];
    stations.extend([(4u8, 0.35f32); 2]);
    let lined = |bottom: usize| -> Vec<bool> { (0..10).map(|k| k < bottom || k >= 8).collect() };
    assert!(!underline::lined_under(&stations, &lined(0)));
    assert!(!underline::lined_under(&stations, &lined(1)));
    assert!(underline::lined_under(&stations, &lined(2)));
    assert!(underline::lined_under(&stations, &lined(8)));
}

/// A letter underlined over the same letter circled on the next row (#23, first field check): the
/// circle's top runs along the gap under the underlined box and the line there is given to the ring, so
/// the underline reads as nothing. Not yet met: 61 of the paired underlines read silently as nothing
/// (the bound guards against worse; 94 before `underline::two_strokes_in_gap`, which sends the line
/// to a person where paper shows between it and the circle's arc, see underline_gap_tests.rs: what is
/// left is mostly a line merged with the arc all along; 64 before `underline::gap_holds_two_strokes`,
/// which sends a line merged with the arc into one band over twice as wide and heavy as the circle's
/// own stroke to a person, see below). A rule that sends a line the ring below does not explain to a
/// person (branch `parked/underline-ring`: the ring's own line seen round its box, every line in the
/// gap on its top arc, no more ink in the gap than 1.6 × the ring's own) took this to 26, but flagged
/// 32 of 679 clear circles on the integration test's pages of circles (bound 20), 22 when a ring too
/// broken to fit counted as no evidence: taken back out.
#[test]
fn an_underline_over_a_circle_on_the_next_row_is_bounded() {
    use synth::Mark;
    let circles = [
        Mark::Circle,
        Mark::CircleLarge,
        Mark::CircleOffCentre,
        Mark::CircleTight,
    ];
    let (tally, paired) = underline_over(&circles, 0..4);
    tally.assert_wrong_at_most(61, |w| paired.iter().any(|p| w.contains(p.as_str())));
}

/// Ten stations round a box: eight along its bottom edge (sides 2), samples every 0.08 mm from 0.35 mm
/// inside it, and two down its left side (sides 4, nothing there); `profile(o)` gives the residual at
/// offset `o` mm below the box's bottom edge.
fn bottom_band(profile: impl Fn(f32) -> f32) -> (Vec<f32>, Vec<(u8, f32)>) {
    let mut stations = vec![(2u8, 0.35f32); 8];
    stations.extend([(4u8, 0.35f32); 2]);
    let r = stations
        .iter()
        .flat_map(|&(sides, from)| {
            let profile = &profile;
            (0..24).map(move |d| {
                if sides == 2 {
                    profile(-from + d as f32 * 0.08)
                } else {
                    0.0
                }
            })
        })
        .collect();
    (r, stations)
}

/// A pencil stroke `width` mm wide centred `at` mm out, of darkness `v`, its edges blurred.
fn pencil(o: f32, at: f32, width: f32, v: f32) -> f32 {
    let t = (o - at).abs() - width / 2.0;
    if t <= 0.0 {
        v
    } else if t < 0.12 {
        v * 0.4
    } else {
        0.0
    }
}

/// Whether the gap under the upper box (1.4 mm to the box below) holds two strokes, with `gap` its
/// profile and `ring` the profile under the box below, round which a circle is drawn.
fn two_in_gap(gap: impl Fn(f32) -> f32, ring: impl Fn(f32) -> f32) -> bool {
    let (a, sa) = bottom_band(gap);
    let (b, sb) = bottom_band(ring);
    underline::gap_holds_two_strokes((&a, &sa), (&b, &sb, 0.15), (24, 0.08), 1.4)
}

/// The first field check (tuning seeds 21-24): a line under a letter, the same letter circled on the
/// next row 1.4 mm below, and the circle's top arc running along the line. The ring fitted round the
/// box below takes the line in as its top, and the underline read as nothing (5 silent misreadings).
/// Merged, the line and the arc make a band across the gap as wide as both strokes and as heavy as
/// both: more than the circle's own stroke, as it crosses the stations under its box, can be.
#[test]
fn a_line_merged_with_the_arc_of_a_circle_below_is_two_strokes() {
    let ring = |o: f32| pencil(o, 0.7, 0.3, 0.5);
    // A line 0.4 mm wide 0.33 mm under the box, the arc 0.45 mm lower: one band 0.8 mm wide.
    let merged = |o: f32| pencil(o, 0.33, 0.4, 0.6).max(pencil(o, 0.78, 0.3, 0.5));
    assert!(two_in_gap(merged, ring));
    // The arc alone, as the circle's stroke under its box: one stroke.
    assert!(!two_in_gap(|o| pencil(o, 0.9, 0.3, 0.5), ring));
    // The circle's two ends overlapping along its top: darker, but no wider than its stroke.
    assert!(!two_in_gap(|o| pencil(o, 0.9, 0.3, 0.95), ring));
    // The circle's stroke hidden under the box below (its bottom lost with the print): nothing to
    // measure the band against.
    assert!(!two_in_gap(merged, |_| 0.0));
}
