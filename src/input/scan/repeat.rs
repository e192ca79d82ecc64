//! A mark repeated on many boxes of one letter, in the same place on each (a hand that ticks `E` in
//! the same corner on most questions), told from the letter's print, so the print mask learnt from the
//! label's boxes does not take it for print.
//!
//! Print is the same on every box of a label, give or take where its lines fall between pixels (the
//! label's template, widened by a grid step, takes that away); a pencil mark adds its ink. So each
//! box's ink off the print, beyond the label's cleanest quarter (its 0.25 percentile, which a mark
//! on fewer than three quarters of the boxes does not reach), tells the boxes that carry a mark from
//! those that carry print alone: a small tick adds 0.02–0.05 (mean darkness over the inside), the same
//! label's blank boxes differ by well under 0.01 on a grey page. A 1-bit copy, whose thin lines print
//! or drop out box by box, differs more among its blank boxes on every label: the margin is measured
//! on the page.

/// Ink a box may carry beyond its label's cleanest quarter and still be taken for print: at least this
/// (mean darkness over the inside)...
const MIN_EXCESS: f32 = 0.006;
/// ...and this many times the page's own spread among one label's boxes (see [`margin`]).
const SPREADS: f32 = 4.0;
/// A label's group keeps at least this many boxes to learn its print from.
const MIN_CLEAN: usize = 4;
/// Groups of fewer boxes than this tell nothing of the page's spread.
const MIN_GROUP: usize = 8;

fn select(v: &mut [f32], p: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() - 1) as f32 * p) as usize;
    *v.select_nth_unstable_by(k, f32::total_cmp).1
}

/// Darkness over the template that paper grain and a scan's noise reach in a blank box (a pencil
/// stroke's core is several times darker): left out of [`off_print`], so blank boxes weigh next to
/// nothing and a mark's ink stands out.
const GRAIN: f32 = 0.05;

/// A box's ink (`d`, darkness per grid point) beyond its label's template `t` (the label's 0.25
/// percentile, widened), over its inside (`inner`) where the template shows no print (under `print`):
/// the mean over all the inside's points, so boxes of one label compare.
pub(super) fn off_print(
    d: &[f32],
    t: &[f32],
    inner: impl IntoIterator<Item = bool>,
    print: f32,
) -> f32 {
    let (mut sum, mut n) = (0.0f32, 0u32);
    for ((&d, &t), inner) in d.iter().zip(t).zip(inner) {
        if !inner {
            continue;
        }
        n += 1;
        if t < print && d - t >= GRAIN {
            sum += d - t;
        }
    }
    sum / n.max(1) as f32
}

/// How far above its label's cleanest quarter a box's ink off the print may lie and still be taken for
/// print alone, from every label's group (`groups`: each box's [`off_print`]): the spread of each
/// group's lower half (median less tenth percentile), the median over the groups of at least
/// [`MIN_GROUP`] boxes, times [`SPREADS`], at least [`MIN_EXCESS`]. Most groups are mostly blank boxes
/// (a student answers one letter of four or five, one digit of ten), so the median group's spread is
/// the print's. Infinite when no group is large enough to tell.
pub(super) fn margin<'a>(groups: impl Iterator<Item = &'a [f32]>) -> f32 {
    let mut spreads: Vec<f32> = groups
        .filter(|g| g.len() >= MIN_GROUP)
        .map(|g| {
            let mut v: Vec<f32> = g.iter().copied().filter(|x| x.is_finite()).collect();
            select(&mut v, 0.5) - select(&mut v, 0.1)
        })
        .collect();
    if spreads.is_empty() {
        return f32::INFINITY;
    }
    (select(&mut spreads, 0.5) * SPREADS).max(MIN_EXCESS)
}

/// The members of one label's group (`members`, with their [`off_print`] in `excess`) that carry no
/// more ink off the print than the group's cleanest quarter (its 0.25 percentile) and a margin: the
/// page's (`margin`), or [`SPREADS`] times how far the group's cleanest quarter itself spreads (0.25
/// less 0.1 percentile) where that is wider (a label whose print breaks into more steps on a 1-bit
/// copy, a curved letter's); all of them when fewer than [`MIN_CLEAN`] would be left, or when fewer
/// than a quarter of them carry more.
///
/// The boxes a copier streak or a crease was painted out of (`painted`) are weighed by none of this and
/// always kept, as every box was before. The painting puts the paper beside the streak over what lay
/// under it, the letter's stroke too: a streak down one column of boxes, through a quarter of a
/// label's boxes, leaves that quarter with less print than the rest where it crossed the letter. Those
/// would be the cleanest quarter, every other box of the label would carry the letter's stroke above
/// it as if marked, and the print learnt from the painted boxes alone would leave that stroke unmasked
/// on every other box, read as the letter on blank questions (a field check's streak page: blank
/// questions read `D`, most answers flagged).
pub(super) fn clean(
    members: &[usize],
    excess: &[f32],
    painted: &[bool],
    margin: f32,
) -> Vec<usize> {
    let painted = |k: usize| painted.get(k).copied().unwrap_or(false);
    let mut v: Vec<f32> = excess
        .iter()
        .enumerate()
        .filter(|&(k, x)| !painted(k) && x.is_finite())
        .map(|(_, &x)| x)
        .collect();
    let weighed = v.len();
    let low = select(&mut v, 0.25);
    let margin = margin.max(SPREADS * (low - select(&mut v, 0.1)));
    let kept: Vec<usize> = members
        .iter()
        .zip(excess)
        .enumerate()
        .filter(|&(k, (_, &e))| painted(k) || e <= low + margin)
        .map(|(_, (&i, _))| i)
        .collect();
    // Ink on fewer than a quarter of the boxes cannot reach the mask's 0.75 percentile: the group is
    // left whole then, as it was learnt before (a neighbour's stroke reaching into a box or two is no
    // repeated mark).
    let carry = members.len() - kept.len();
    let repeated = 4 * carry >= weighed.max(1);
    if repeated && kept.len() - (members.len() - weighed).min(kept.len()) >= MIN_CLEAN {
        kept
    } else {
        members.to_vec()
    }
}
