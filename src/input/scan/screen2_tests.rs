//! Screen photos read blind (see `moire`): a light stroke standing out of the moiré's narrow band of
//! empty-box scores goes to a person, and a ring the moiré alone may have drawn round an empty box is
//! no circle read as a mark. The whole sheets these rules were measured on are read in
//! `screen_tests::light_strokes_on_a_screen_photo_are_read_or_flagged`.

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
