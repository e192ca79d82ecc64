//! A faint writer's ticks, crosses and small marks told from an eraser's or a thumb's haze by this
//! sheet's own pencil, not by one darkness for every sheet (#23).
//!
//! A hand presses about alike on every mark of one sheet, so the darkest of its pencil in the answer
//! boxes (the cores of its strokes and fills) says how dark a stroke of this writer is: a light hand
//! pressing at two fifths of an ordinary one leaves every stroke at about 0.2–0.3 of black, where an
//! ordinary HB or 2B pencil leaves 0.5–0.7. A fixed darkness below which ink counts as haze (what an
//! eraser leaves of a fill, a thumb's graphite) is right for the ordinary hand and throws out every
//! stroke of the light one. What tells a stroke from haze on the light hand's sheet is first its
//! darkness against that hand's own pencil, then its profile: a pencil line lays graphite across its
//! whole width at the hand's pressure, so most of what it covers is near the line's full darkness, with
//! short edges; an eraser or a thumb spreads what it moves into an even film that grades off, most of
//! it at the low cut and little at a stroke's darkness.

/// The darkness (0 paper, 1 black) above which ink in a box is dark enough for a stroke whatever the
/// sheet: the darkest an eraser's haze or a thumb's smear reaches on an ordinary writer's sheet.
pub(super) const HAZE_CEILING: f32 = 0.2;
/// The share of the sheet's firm pencil (see [`firm_pencil`]) a stroke's covered samples reach on
/// average. An eraser leaves a tenth to a third of a fill's graphite (the darkest grains about 0.42 of
/// it, see `erasure`), so a stroke's mean at two fifths of the hand's firm pencil is darker than its
/// haze's; a pencil line's covered samples (from a third of the pencil level up: the line's core and
/// its edges) average 0.5–0.9 of its core.
const FIRM_SHARE: f32 = 0.4;
/// The share of a box's covered samples (at the low cut) that must lie at the stroke cut too (60 % of the
/// sheet's pencil level) for ink lighter than [`HAZE_CEILING`] to be strokes: a line's core is most of
/// its width; a haze's film has few samples that dark.
const PROFILE: f32 = 0.5;
/// The share of the answer boxes' pencil samples darker than the firm pencil: the cores of strokes and
/// fills are the darkest tenth of what a hand leaves (their edges, light marks, rubbed-out haze lie
/// below).
const FIRM_QUANTILE: f32 = 0.9;
/// Pencil samples the firm level needs: a handful of marks (a tick leaves 30–60 samples), so one mark
/// or a stray smudge does not set it.
const FIRM_SAMPLES: usize = 150;

/// The sheet's firm pencil: the darkest tenth of the pencil samples in its answer boxes (samples at
/// least as dark as a pencil candidate, print taken away); `None` with too few of them.
pub(super) fn firm_pencil(samples: &mut [f32]) -> Option<f32> {
    if samples.len() < FIRM_SAMPLES {
        return None;
    }
    let k = ((samples.len() - 1) as f32 * FIRM_QUANTILE) as usize;
    Some(*samples.select_nth_unstable_by(k, f32::total_cmp).1)
}

/// The least mean darkness of a box's covered samples for strokes and small marks on this sheet: the
/// fixed [`HAZE_CEILING`], or less on a sheet whose firm pencil is light (a faint writer's), down to
/// [`FIRM_SHARE`] of it.
pub(super) fn stroke_floor(firm: Option<f32>) -> f32 {
    firm.map_or(HAZE_CEILING, |f| (FIRM_SHARE * f).min(HAZE_CEILING))
}

/// Whether ink whose covered samples average `ink_mean` is dark enough for a stroke or a small mark:
/// above [`HAZE_CEILING`], or above this sheet's `floor` ([`stroke_floor`]) with the profile of a line
/// (`dark`, the share of the inside at the stroke cut, at least [`PROFILE`] of `cover`, the share at
/// the low cut).
pub(super) fn dark_enough(ink_mean: f32, dark: f32, cover: f32, floor: f32) -> bool {
    ink_mean >= HAZE_CEILING || (ink_mean >= floor && dark >= PROFILE * cover && cover > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_light_hand_s_sheet_lowers_the_floor_an_ordinary_one_does_not() {
        // An ordinary hand: the fixed ceiling.
        let mut ordinary: Vec<f32> = (0..400).map(|k| 0.12 + 0.6 * k as f32 / 400.0).collect();
        let firm = firm_pencil(&mut ordinary);
        assert!(firm.unwrap() > 0.6);
        assert_eq!(stroke_floor(firm), HAZE_CEILING);
        // A light one: two fifths of its firm pencil.
        let mut light: Vec<f32> = (0..400).map(|k| 0.12 + 0.2 * k as f32 / 400.0).collect();
        let floor = stroke_floor(firm_pencil(&mut light));
        assert!((0.11..0.13).contains(&floor), "{floor}");
        // Too few samples: the ceiling.
        let mut few = vec![0.2f32; 40];
        assert_eq!(stroke_floor(firm_pencil(&mut few)), HAZE_CEILING);
    }

    #[test]
    fn a_line_s_profile_passes_a_film_s_does_not() {
        // A faint tick: a fifth of the box covered, most of it at the stroke cut.
        assert!(dark_enough(0.15, 0.16, 0.2, 0.12));
        // A smear as dark on average, spread evenly: few samples at the stroke cut.
        assert!(!dark_enough(0.15, 0.05, 0.3, 0.12));
        // Lighter than this sheet's floor.
        assert!(!dark_enough(0.1, 0.2, 0.2, 0.12));
        // Darker than the ceiling: as before.
        assert!(dark_enough(0.25, 0.0, 0.3, 0.2));
    }
}
