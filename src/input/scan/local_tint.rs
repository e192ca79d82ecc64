//! An even tint over one box that the empty boxes round it do not share: a highlighter drawn over the
//! box (its dye barely darkens the grey the scanner reads: a yellow one absorbs the blue a lamp's warm
//! light hardly has) is visible ink, never nothing.
//!
//! The page's own level for "visible" is its empty boxes' median plus six of their deviations. Under a
//! desk lamp the empty boxes themselves grow darker across the page (the lamp's fall-off and the lens's
//! vignetting are not all taken away by the paper's white map): field check seed 26 p035, 0.000 at the
//! top left to 0.040 at the bottom right, so "visible" rose to 0.094 and three yellow highlights (0.044
//! to 0.069 above the paper) read empty. Against the empty boxes within [`REACH`] of it, each stands
//! out by 0.044-0.066, where of 8,229 unmarked boxes read empty on the tuning seeds' phone photos none
//! without an eraser's haze stands out by more than 0.032 (an eraser's haze up to 0.064: those go to a
//! person as well).

/// How far (mm, each way) the boxes compared with lie: a block of questions and the next one, where
/// the light changes little.
pub(super) const REACH: f32 = 10.0;
/// The fewest empty boxes within reach to go by.
pub(super) const MIN_NEIGHBOURS: usize = 4;
/// How much darker (mean darkness over the inside) than the empty boxes round it a box must be to hold
/// ink a person sees.
pub(super) const STANDS_OUT: f32 = 0.04;

/// Where the empty boxes round box `at` lie lighter than the page's empty boxes do over all by at
/// least this much (mean darkness), the page's level for visible ink lies too high there: set by the
/// darker part of a page under a lamp (tuning phone photos: up to 0.018; a flat scan's boxes barely
/// differ). Only there is a tint judged against the boxes round it.
pub(super) const LIGHTER: f32 = 0.01;

/// The median mean darkness inside the boxes within [`REACH`] of box `at` (centres `centres`, mm) that
/// `empty` marks as read empty; `None` with fewer than [`MIN_NEIGHBOURS`] of them.
pub(super) fn level_round(
    at: usize,
    centres: &[(f32, f32)],
    fills: &[f32],
    empty: &[bool],
) -> Option<f32> {
    let &(x, y) = centres.get(at)?;
    let mut near: Vec<f32> = centres
        .iter()
        .zip(fills)
        .zip(empty)
        .enumerate()
        .filter(|&(j, (((cx, cy), f), &e))| {
            j != at && e && f.is_finite() && (cx - x).abs() <= REACH && (cy - y).abs() <= REACH
        })
        .map(|(_, ((_, f), _))| *f)
        .collect();
    if near.len() < MIN_NEIGHBOURS {
        return None;
    }
    near.sort_by(f32::total_cmp);
    let n = near.len();
    Some(if n % 2 == 1 {
        near[n / 2]
    } else {
        (near[n / 2 - 1] + near[n / 2]) / 2.0
    })
}

/// Whether a box of mean darkness `fill`, among empty boxes of level `round` (see [`level_round`]) on a
/// page whose empty boxes' level is `page_empty`, holds a tint a person sees: its surroundings lighter
/// than the page's by [`LIGHTER`], itself darker than them by [`STANDS_OUT`].
pub(super) fn stands_out(fill: f32, round: f32, page_empty: f32) -> bool {
    page_empty - round >= LIGHTER && fill - round >= STANDS_OUT
}
