//! Screen photos read blind (see `moire`): a light stroke standing out of the moiré's narrow band of
//! empty-box scores goes to a person, and a ring the moiré alone may have drawn round an empty box is
//! no circle read as a mark.

use super::faint::standing_out;
use super::moire::{faint_standing_out, moire_ring};

/// A blind page's 200 empty boxes score in a narrow band (0.08–0.12, a deviation of 0.01 below the
/// median); a tick-out's light strokes score 0.18, 8 deviations out: under the sheet-wide cut (about
/// 10 deviations on a page this size), over the blind page's.
#[test]
fn a_light_stroke_stands_out_of_a_blind_page_s_band() {
    let mut scores: Vec<f32> = (0..200).map(|k| 0.08 + 0.04 * k as f32 / 199.0).collect();
    scores.push(0.18);
    scores.push(f32::NAN);
    assert!(!standing_out(&scores)[200]);
    let out = faint_standing_out(&scores);
    assert!(out[200]);
    assert_eq!(out.iter().filter(|&&o| o).count(), 1);
    assert!(!out[201]);
}

/// Too few boxes judged, or none spread: no page level to go by, nothing stands out.
#[test]
fn too_few_or_unspread_scores_stand_out_nowhere() {
    let few = [0.1f32, 0.1, 0.5];
    assert!(faint_standing_out(&few).iter().all(|&o| !o));
    let mut flat = vec![0.1f32; 40];
    flat.push(0.5);
    assert!(faint_standing_out(&flat).iter().all(|&o| !o));
}

/// A ring joined from a few dark arcs round an empty box (4 of 40 stations, nothing inside) is the
/// moiré's; a hand's circle lines half the contour, a highlighter leaves its tint inside.
#[test]
fn a_ring_of_a_few_arcs_round_an_empty_box_is_the_moire_s() {
    assert!(moire_ring(4, 40, 0.005));
    assert!(!moire_ring(18, 40, 0.005));
    assert!(!moire_ring(4, 40, 0.03));
    assert!(!moire_ring(0, 0, 0.0));
}

// ---- Whole sheets photographed off a screen ----

use super::synth::{self, Mark, Rng, Tally};
use super::synth_damage as damage;

/// The sheets of `screen_tests::light_strokes_on_a_screen_photo_are_read_or_flagged` (a faint hand's
/// slashes, ticks and crosses, a faint fill, slashes; seeds 2411–2413), read again: before the blind
/// page's own cut for light strokes and the moiré's rings, 56 of their 285 marks were silently wrong
/// (152 clear marks flagged); after, 47 (161 flagged).
#[test]
fn light_strokes_on_screen_photos_stand_out_of_the_moire() {
    let styles = [
        Mark::FaintSlash,
        Mark::FaintTick,
        Mark::FaintCross,
        Mark::Light,
        Mark::Slash,
    ];
    let mut tally = Tally::default();
    for seed in [2411u64, 2412, 2413] {
        let geom = synth::mock_geometry();
        let mut rng = Rng::new(seed);
        let (mut student, expect) = synth::styled_student_with(&geom, &mut rng, &[Mark::Pencil]);
        for (i, m) in student.marks.iter_mut() {
            if *m == Mark::Pencil
                && matches!(
                    geom.bubbles[*i].meaning,
                    super::BubbleMeaning::Answer { .. }
                )
            {
                *m = styles[rng.below(styles.len())];
            }
        }
        let upright = synth::render(
            &geom,
            &student,
            &synth::qr_text_for(&student),
            synth::PPM,
            seed,
        );
        let photo = damage::screen_photo(&upright, &mut Rng::new(seed ^ 0x5C4E));
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
    tally.assert_wrong_at_most(47, |_| true);
}
