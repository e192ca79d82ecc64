//! A stain's tint (a coffee drop's, a copier's grey) lies over many boxes alike: a brown tint dries
//! smooth over millimetres to centimetres, so the boxes round a tinted box are tinted about as much,
//! while a light mark a student makes is one box's own and leaves the boxes round it paper. The tint's
//! level just outside a box's outline can fall short of its level inside where the tint fades across
//! the box (a drop's tint darkens towards its rim), so the boxes round it are asked too.

/// How far (mm, from the box's centre to another box) the boxes asked lie: the rows above and below
/// and the next boxes along them, never more than a few millimetres of tint away.
pub(super) const NEAR: f32 = 8.0;
/// The boxes round it count only where they are this dark at least (mean darkness): a stain's tint.
/// Unstained paper leaves blank boxes at 0.00–0.01 (the fabricated light-hand sheets; the field
/// check's seed 26 punch-staple page: 0.001–0.002), where a faint slash of the student's own darkens
/// its box by only 0.02 and must not be taken for a tint it shares with them (two such slashes beside
/// a fill read empty in `marking_tests` without this).
const TINTED: f32 = 0.02;
/// At least this many boxes round it, of other questions and with no ink of their own at the low cut,
/// give the level; fewer (a box at the sheet's edge of the answer area) give none.
const MIN_BOXES: usize = 3;

/// The tint round a box: the median mean darkness of the `around` boxes (of other questions, near it,
/// each evenly tinted: no ink at the stroke cut and next to none at the low cut), or 0 when too few or
/// when they are no darker than unstained paper.
pub(super) fn level_of_boxes_round(mut around: Vec<f32>) -> f32 {
    #[cfg(test)]
    if OFF.with(|c| c.get()) {
        return 0.0;
    }
    around.retain(|v| v.is_finite());
    if around.len() < MIN_BOXES {
        return 0.0;
    }
    let k = around.len() / 2;
    let level = *around.select_nth_unstable_by(k, f32::total_cmp).1;
    if level >= TINTED { level } else { 0.0 }
}

#[cfg(test)]
thread_local! {
    /// Tests read a page as before the boxes round a tinted box were asked.
    pub(super) static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
