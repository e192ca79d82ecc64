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
/// the underline reads as nothing. Not yet met: 59 of the paired underlines read silently as nothing
/// (the bound guards against worse; 94 before `underline::two_strokes_in_gap`, which sends the line
/// to a person where paper shows between it and the circle's arc, see underline_gap_tests.rs: what is
/// left is mostly a line merged with the arc all along; 64 before `underline::gap_holds_two_strokes`,
/// which sends a line merged with the arc into one band over twice as wide and heavy as the circle's
/// own stroke to a person, see below; 61 before `underline::two_crests_in_gap`, which sends a line whose
/// band over the arc shows two crests, the upper against the box, to a person, and
/// `underline::arc_lent_from_below`, which stops a ring fitted through the arc below from reading the
/// box above as circled; not told apart). A rule that sends a line the ring below does not explain to a
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
    tally.assert_wrong_at_most(59, |w| paired.iter().any(|p| w.contains(p.as_str())));
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
/// First field check, tuning seed 22, 扫描 (39) q53: the gap under `A` (underlined), over `A` circled
/// on the next row, across its eight bottom stations (samples every 0.08 mm from 0.35 mm inside).
const LINE_OVER_ARC: [[f32; 24]; 8] = [
    [
        0.01, 0.00, 0.00, 0.00, 0.14, 0.10, 0.00, 0.23, 0.46, 0.58, 0.69, 0.77, 0.76, 0.70, 0.55,
        0.34, 0.15, 0.04, 0.01, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.11, 0.04, 0.00, 0.15, 0.43, 0.57, 0.64, 0.72, 0.73, 0.67, 0.54,
        0.34, 0.15, 0.04, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.05, 0.00, 0.00, 0.20, 0.46, 0.56, 0.61, 0.71, 0.74, 0.68, 0.55,
        0.37, 0.17, 0.05, 0.03, 0.00, 0.00, 0.00, 0.04, 0.01,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.21, 0.48, 0.57, 0.59, 0.63, 0.64, 0.61, 0.51,
        0.33, 0.15, 0.04, 0.00, 0.00, 0.00, 0.00, 0.07, 0.07,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.19, 0.42, 0.46, 0.46, 0.44, 0.39, 0.32, 0.25,
        0.17, 0.10, 0.03, 0.01, 0.00, 0.00, 0.00, 0.11, 0.11,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.27, 0.54, 0.53, 0.42, 0.35, 0.37, 0.45, 0.51,
        0.48, 0.32, 0.16, 0.05, 0.00, 0.00, 0.00, 0.13, 0.04,
    ],
    [
        0.02, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.19, 0.43, 0.46, 0.41, 0.33, 0.28, 0.32, 0.41,
        0.47, 0.41, 0.30, 0.15, 0.01, 0.00, 0.00, 0.12, 0.00,
    ],
    [
        0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.24, 0.50, 0.56, 0.50, 0.38, 0.27, 0.24, 0.33,
        0.43, 0.45, 0.34, 0.18, 0.02, 0.00, 0.00, 0.05, 0.00,
    ],
];
/// The same page, q54: the circle's stroke across the stations under its own box `A`.
const CIRCLE_UNDER: [[f32; 24]; 8] = [
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.03, 0.00, 0.00, 0.00, 0.04, 0.16, 0.33, 0.49, 0.58, 0.44,
        0.26, 0.11, 0.03, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.03, 0.00, 0.00, 0.00, 0.00, 0.09, 0.24, 0.45, 0.55, 0.49,
        0.32, 0.15, 0.04, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.01, 0.07, 0.20, 0.41, 0.53, 0.54,
        0.43, 0.27, 0.12, 0.01, 0.00, 0.00, 0.00, 0.01, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.06, 0.23, 0.42, 0.55, 0.57,
        0.46, 0.28, 0.11, 0.02, 0.00, 0.00, 0.00, 0.02, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.01, 0.09, 0.21, 0.41, 0.55, 0.55,
        0.43, 0.25, 0.09, 0.01, 0.00, 0.00, 0.00, 0.02, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.09, 0.23, 0.41, 0.45, 0.35,
        0.20, 0.08, 0.03, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.06, 0.18, 0.38, 0.48, 0.40, 0.23,
        0.07, 0.03, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.05, 0.25, 0.47, 0.54, 0.44, 0.24,
        0.08, 0.04, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
];
/// Seed 21, 扫描 (14) q63: the gap under `E` (blank), over `E` circled on the next row (its pen's
/// two ends overlapping along the top).
const ARC_ALONE: [[f32; 24]; 8] = [
    [
        0.00, 0.00, 0.00, 0.00, 0.11, 0.03, 0.00, 0.00, 0.05, 0.11, 0.21, 0.31, 0.41, 0.47, 0.49,
        0.49, 0.47, 0.41, 0.30, 0.18, 0.00, 0.00, 0.10, 0.01,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.13, 0.05, 0.00, 0.00, 0.13, 0.27, 0.37, 0.43, 0.47, 0.45, 0.40,
        0.36, 0.29, 0.19, 0.09, 0.03, 0.00, 0.00, 0.11, 0.02,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.15, 0.06, 0.00, 0.00, 0.20, 0.35, 0.46, 0.48, 0.49, 0.54, 0.54,
        0.42, 0.29, 0.18, 0.08, 0.03, 0.00, 0.00, 0.12, 0.03,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.14, 0.06, 0.00, 0.00, 0.14, 0.27, 0.43, 0.53, 0.55, 0.54, 0.51,
        0.43, 0.31, 0.18, 0.08, 0.03, 0.00, 0.00, 0.13, 0.05,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.14, 0.07, 0.00, 0.00, 0.22, 0.38, 0.51, 0.57, 0.59, 0.56, 0.51,
        0.44, 0.33, 0.20, 0.08, 0.02, 0.00, 0.00, 0.13, 0.07,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.13, 0.08, 0.00, 0.00, 0.16, 0.25, 0.32, 0.42, 0.49, 0.53, 0.53,
        0.46, 0.32, 0.17, 0.07, 0.02, 0.00, 0.00, 0.13, 0.08,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.14, 0.10, 0.00, 0.00, 0.10, 0.22, 0.36, 0.48, 0.56, 0.59, 0.57,
        0.45, 0.28, 0.15, 0.07, 0.03, 0.00, 0.00, 0.13, 0.08,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.14, 0.10, 0.00, 0.00, 0.06, 0.13, 0.21, 0.34, 0.48, 0.53, 0.53,
        0.55, 0.50, 0.34, 0.19, 0.09, 0.00, 0.00, 0.12, 0.07,
    ],
];
/// The same page, q64: that circle's stroke under its own box.
const ARC_ALONE_UNDER: [[f32; 24]; 8] = [
    [
        0.01, 0.01, 0.00, 0.00, 0.03, 0.00, 0.00, 0.26, 0.44, 0.48, 0.46, 0.42, 0.31, 0.23, 0.14,
        0.07, 0.03, 0.01, 0.00, 0.00, 0.00, 0.00, 0.01, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.02, 0.00, 0.00, 0.11, 0.40, 0.50, 0.54, 0.46, 0.34, 0.32, 0.27,
        0.17, 0.09, 0.04, 0.01, 0.00, 0.00, 0.00, 0.02, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.03, 0.00, 0.00, 0.05, 0.33, 0.42, 0.48, 0.44, 0.43, 0.43, 0.39,
        0.30, 0.18, 0.09, 0.03, 0.01, 0.00, 0.00, 0.02, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.03, 0.00, 0.00, 0.00, 0.21, 0.28, 0.36, 0.54, 0.62, 0.61, 0.52,
        0.39, 0.25, 0.12, 0.04, 0.01, 0.00, 0.00, 0.03, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.04, 0.00, 0.00, 0.00, 0.14, 0.22, 0.30, 0.46, 0.56, 0.58, 0.48,
        0.32, 0.21, 0.12, 0.05, 0.02, 0.00, 0.00, 0.04, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.04, 0.00, 0.00, 0.00, 0.09, 0.16, 0.28, 0.48, 0.58, 0.52, 0.47,
        0.39, 0.26, 0.15, 0.07, 0.03, 0.00, 0.00, 0.04, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.05, 0.00, 0.00, 0.00, 0.18, 0.33, 0.44, 0.49, 0.51, 0.49, 0.41,
        0.28, 0.15, 0.08, 0.04, 0.02, 0.00, 0.00, 0.05, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.05, 0.00, 0.00, 0.02, 0.20, 0.35, 0.50, 0.64, 0.61, 0.51, 0.36,
        0.20, 0.10, 0.05, 0.02, 0.00, 0.00, 0.00, 0.04, 0.00,
    ],
];
/// Second field check, seed 24, p030 q1: the gap under `A` (blank), over loops drawn round `A` on the
/// next row (2B pencil, scrubbed).
const LOOPS_OVER: [[f32; 24]; 8] = [
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.02, 0.03, 0.17, 0.34, 0.42, 0.42, 0.39, 0.37,
        0.34, 0.32, 0.32, 0.29, 0.00, 0.00, 0.00, 0.00, 0.40,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.07, 0.30, 0.44, 0.45, 0.46, 0.48, 0.49, 0.50,
        0.50, 0.49, 0.52, 0.40, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.17, 0.41, 0.50, 0.49, 0.48, 0.49, 0.50, 0.48,
        0.50, 0.50, 0.47, 0.35, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.26, 0.35, 0.34, 0.26, 0.26, 0.38, 0.48, 0.49,
        0.48, 0.46, 0.44, 0.28, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.22, 0.12, 0.02, 0.04, 0.15, 0.28, 0.34, 0.37,
        0.43, 0.46, 0.45, 0.21, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.35, 0.46, 0.48, 0.48, 0.50, 0.50, 0.45, 0.36,
        0.30, 0.35, 0.38, 0.27, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.09, 0.32, 0.43, 0.40, 0.30, 0.21, 0.20, 0.26,
        0.37, 0.42, 0.37, 0.11, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.09, 0.32, 0.47, 0.48, 0.49, 0.50, 0.46, 0.38,
        0.30, 0.32, 0.41, 0.34, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
];
/// The same page, q2: the loops across the stations under their own box.
const LOOPS_UNDER: [[f32; 24]; 8] = [
    [
        0.50, 0.11, 0.00, 0.00, 0.00, 0.00, 0.41, 0.37, 0.35, 0.38, 0.46, 0.49, 0.48, 0.43, 0.28,
        0.08, 0.00, 0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.16, 0.00, 0.00, 0.00, 0.00, 0.00, 0.50, 0.49, 0.47, 0.40, 0.34, 0.34, 0.39, 0.41, 0.39,
        0.22, 0.05, 0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.49, 0.50, 0.50, 0.49, 0.49, 0.50, 0.50, 0.43, 0.31,
        0.26, 0.15, 0.05, 0.00, 0.00, 0.00, 0.00, 0.00, 0.01,
    ],
    [
        0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.50, 0.49, 0.50, 0.48, 0.48, 0.44, 0.43, 0.46, 0.48,
        0.48, 0.36, 0.12, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.37, 0.46, 0.46, 0.42, 0.32, 0.13, 0.04, 0.19, 0.40,
        0.49, 0.47, 0.25, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.34, 0.47, 0.47, 0.49, 0.49, 0.48, 0.40, 0.26, 0.21,
        0.30, 0.34, 0.15, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.42, 0.41, 0.46, 0.48, 0.49, 0.50, 0.50, 0.52, 0.49,
        0.49, 0.37, 0.12, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
    [
        0.01, 0.00, 0.00, 0.00, 0.00, 0.00, 0.47, 0.48, 0.46, 0.46, 0.50, 0.51, 0.49, 0.49, 0.51,
        0.46, 0.25, 0.06, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    ],
];

/// Eight bottom stations (sides 2, samples from 0.35 mm inside) holding `rows`, and two down the left
/// side (sides 4, nothing there).
fn measured(rows: &[[f32; 24]; 8]) -> (Vec<f32>, Vec<(u8, f32)>) {
    let mut stations = vec![(2u8, 0.35f32); 8];
    stations.extend([(4u8, 0.35f32); 2]);
    let mut r: Vec<f32> = rows.iter().flatten().copied().collect();
    r.extend([0.0; 48]);
    (r, stations)
}

fn crests(gap: &[[f32; 24]; 8], under_below: &[[f32; 24]; 8]) -> bool {
    let (a, sa) = measured(gap);
    let (b, sb) = measured(under_below);
    underline::two_crests_in_gap((&a, &sa, 0.16), (&b, &sb, 0.16), (24, 0.08), 1.4)
}

/// A line drawn under a letter merged with the top arc of the circle round the same letter on the next
/// row (first field check, seed 22, 扫描 (39) q53: read silently as nothing). The band is 1.88 × as wide
/// and 1.90 × as heavy as the circle's own stroke, under the cut of
/// [`underline::gap_holds_two_strokes`], and no paper shows between the two strokes; but across half
/// the stations the band has two crests, the upper against the box, with a trough between them.
#[test]
fn a_line_against_the_box_over_a_circle_s_arc_shows_two_crests() {
    assert!(crests(&LINE_OVER_ARC, &CIRCLE_UNDER));
    // The arc alone, its two ends overlapping: one crest, or two lower down.
    assert!(!crests(&ARC_ALONE, &ARC_ALONE_UNDER));
}

/// Loops drawn round the box below, several turns of a soft pencil (second field check, seed 24, p030
/// q1, blank over loops round `A`): the gap shows their turns as crests, and so do the stations under
/// their own box. The same gap over a circle drawn once would be two strokes.
#[test]
fn loops_round_the_box_below_lay_their_turns_under_it_too() {
    assert!(crests(&LOOPS_OVER, &CIRCLE_UNDER));
    assert!(!crests(&LOOPS_OVER, &LOOPS_UNDER));
}

/// Second field check, seed 26, p021 (a phone photo in a lamp's shadow, HB pencil): 71 C is empty, and
/// loops are drawn round 72 C on the next row. The ring fitted round 71 C (centre 0.19 mm above the
/// box's, half-height 2.86 mm) runs through the top arc of those loops under it and along the residue
/// of its own printed sides; its top lies beyond the samples, and 71 C read as circled (`CE` for `E`).
/// Crossings (mm from 71 C's centre, line or not) as measured; the ring round 72 C centred 4.71 mm
/// below it, half-axes 3.11 and 2.30 mm.
#[test]
fn a_ring_made_of_the_circle_below_and_the_box_s_sides_is_lent() {
    let lent: [(f32, f32, bool); 18] = [
        (2.6, -1.0, true),
        (2.6, 0.5, true),
        (2.3, 1.2, true),
        (1.3, 2.3, true),
        (0.9, 2.5, true),
        (0.6, 2.6, true),
        (0.2, 2.7, true),
        (-0.2, 2.7, true),
        (-0.5, 2.6, true),
        (-0.9, 2.5, true),
        (-1.3, 2.3, true),
        (-2.4, 0.9, true),
        (-2.5, 0.6, true),
        (-2.6, 0.2, true),
        (-2.6, -0.2, true),
        (-2.6, -0.5, true),
        (-2.5, -0.9, true),
        (-2.4, -1.3, true),
    ];
    let on_below = |x: f32, y: f32| {
        let (u, v) = ((x - 0.01) / 3.11, (y - 4.71) / 2.30);
        ((u * u + v * v).sqrt() - 1.0).abs() * 2.30 <= 0.4
    };
    assert!(underline::arc_lent_from_below(&lent, -0.19, 2.86, on_below));
    // A circle drawn round 71 C itself: its line crosses the stations over the box too.
    let mut own = lent.to_vec();
    own.extend([(-0.6, -2.9, true), (0.6, -2.9, true)]);
    assert!(!underline::arc_lent_from_below(&own, -0.19, 2.86, on_below));
    // Its lower arc off the circle below (drawn round 71 C, lower than that circle's top).
    let low: Vec<(f32, f32, bool)> = lent
        .iter()
        .map(|&(x, y, l)| (x, if y > 2.0 { y - 0.8 } else { y }, l))
        .collect();
    assert!(!underline::arc_lent_from_below(&low, -0.19, 2.86, on_below));
    // Nothing under the box at all: nothing lent.
    let sides: Vec<(f32, f32, bool)> = lent.iter().copied().filter(|p| p.1 < 2.0).collect();
    assert!(!underline::arc_lent_from_below(
        &sides, -0.19, 2.86, on_below
    ));
}
