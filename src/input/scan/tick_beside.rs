//! A small check drawn beside its box (#23, the third field check's `tick-out`): the check's foot (its
//! lowest point, where the short stroke turns into the long one) sits on the box's right edge, its short
//! stroke in the box's right part, its arm rising in the 1.2 mm gap to the next box. Little of it lies
//! in the part of the box the bubble is measured on, and where many boxes of one letter carry such a
//! check (a student marking the row's last box this way all down the page) the print templates, taken
//! over the boxes of a label that look unmarked inside, take in the check itself: the box reads as
//! nothing. Measured on the third field check's seed 24 p014 (a felt pen, eight of twenty E boxes so
//! checked): the E label's print mask covered 83 of a box's 132 inside samples where a blank sheet's
//! covers 63, and every dark sample of the checks' short strokes inside their E boxes was masked as
//! print; the A boxes, rarely so checked, kept the same strokes and read them.
//!
//! What is seen, physically, and read here from the gap's pixels: the check's arm in the gap is a
//! stroke that starts low, at the box's edge (the foot), and rises steeply leaning right (an arm rises
//! `s` while it leans 0.3–0.4 `s` right). Nothing is printed in the gap between two boxes, nor between
//! a row's last box and the block's frame, but a blurred capture (a shaken phone, a screen, a 240 dpi
//! scan, a lamp-lit photo) spreads the boxes' outlines into it, alike beside every box: the gap is
//! measured against its own print, each sample's lower quartile over the page's gaps of its shape. Where
//! the fit leaves a box's outline a fraction of a millimetre off, the outline stands in the gap's
//! first or last columns as a line down the box's height, or (broken up by moiré or glare) as short
//! upright pieces: those columns are cleared, and an arm must reach on past them. What else crosses
//! such a gap leans otherwise: a long check's flat arm or a bar runs along the row, a slash's or a
//! cross's end leans 1.5 mm right per mm up and comes from the next box, a circle's side curves round
//! the next box, a fill shifted out of its box floods the gap. A box with no neighbour on its right
//! owns all the ink in the gap to its right; the box on the right sees the arm only at its left edge,
//! coming from the left.
//!
//! A box read as nothing with such a check beside it is read as the mark where the check is its
//! question's only ink (or, where several letters may be meant, every other mark is a stroke or a small
//! mark too, none in the box on its right), and goes to a person otherwise. Right of a row's last box
//! lies the margin, where a student writes the letter meant: a capital written there starts 0.4 mm and
//! more right of the box, its first stroke rising as an arm does, but no ink of it lies inside the box.
//! Beside a row's last box the check is read only where ink lies in the box's right part, where the
//! check's short stroke comes to its foot; otherwise the box goes to a person. A row's last box read as
//! nothing with any stroke wider than an outline rising from its edge in the gap on its right (a felt
//! pen's check fills the gap, leaning no way) goes to a person. A box read as a small mark with a
//! check's arm on its left (the arm's tip at its edge, read as its own) goes to a person.

use std::collections::HashMap;

use super::geometry::{BoxMm, BubbleMeaning, SheetGeometry};
use super::homography::Homography;
use super::page::Prepared;
use super::reading::{BubbleReading, BubbleState, Levels, MarkShape};

/// How far (mm) from a box's side the gap is looked at: clear of the printed outline (about 0.2 mm
/// thick, centred on the side) and of a fraction of a millimetre of misregistration.
const CLEAR: f32 = 0.2;
/// How far (mm) right of a row's last box the gap is looked at: the block's frame runs about 1.2 mm
/// right of it.
const LAST_REACH: f32 = 0.85;
/// The widest gap (mm) between two boxes side by side on a row (the answer grid's are 1.2 mm).
const MAX_GAP: f32 = 2.0;
/// Above the box's top (mm) the gap is looked at: a check 1.8–2.6 mm tall whose foot lies 60–80 % of
/// the way down a 3.2 mm box ends up to 0.7 mm above it; the box above (1.4 mm up) and a block's frame
/// over the first row (1.1 mm up) stay out.
const ABOVE: f32 = 1.0;
/// Below the box's bottom (mm): a foot may overshoot it a little. A stroke reaching the samples' top or
/// bottom row runs on past the check's reach (a line down the page, a screen's moiré, a slash from the
/// next row): no check.
const BELOW: f32 = 0.3;
/// Spacing of the samples (mm): under a 300 dpi pixel's width, so a 0.2 mm ballpoint line is seen.
const STEP: f32 = 0.07;
/// Samples a stroke in the gap takes at least (0.06 mm² of ink: a ballpoint line 0.2 mm wide and
/// 0.3 mm long), and at most this share of the gap (a fill shifted out of its box floods it).
const MIN_SAMPLES: usize = 12;
const MAX_SHARE: f32 = 0.4;
/// The stroke holds at least this share of the gap's dark samples: the check is all the ink there,
/// where grain, JPEG blocks or a screen's moiré scatter specks over the whole gap.
const ALONE: f32 = 0.6;
/// The arm's foot: its lowest point in the gap lies within this much (mm) of where the gap is looked at
/// from (the arm rises from the box's edge; a slash's end from the next box stops 0.3 mm and more short
/// of it), and at least this share of the box's height down from its top (the foot is
/// 60–80 % of the way down; where the foot lies on the outline the gap holds the arm from about 30 %).
const FOOT_NEAR: f32 = 0.21;
const FOOT_LOW: f32 = 0.25;
/// How far (mm) the stroke in the gap rises at least: an arm 1.8 mm tall leaning 0.4 of its height
/// crosses 0.7 mm of the gap in about 0.8 mm of rise; a cross's or slash's end crossing the same gap
/// rises 0.4 mm.
const MIN_RISE: f32 = 0.6;
/// The lean (mm right per mm up) of the line fitted through the stroke's samples: a check's arm
/// 0.27–0.4 (its bow and its foot up to about 0.6), a slash or a cross across a 5 × 3.2 mm box 1.5, a
/// long check's flat arm 3 and more, the outline or a circle's side round the next box 0 or leaning
/// back.
const LEAN: (f32, f32) = (0.08, 0.9);

#[cfg(test)]
thread_local! {
    /// Set by a test to read its pages without this rule, as they were read before it (the test's
    /// thread only).
    pub(super) static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set by a test to read as the first attempt at this rule did (parked/tick-beside): the gap
    /// measured against the paper, no outline's columns cleared, any stroke rising beside a row's last
    /// box its ink.
    pub(super) static FIRST_ATTEMPT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set by a test to read as before a check's arm with ink under its box, or a circle's tip on the
    /// left side of the box on its right, sent the boxes to a person (the test's thread only).
    pub(super) static DOUBT_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set by a test to read as before an arm rising from a row's last box past the gap's samples
    /// was looked at (the test's thread only).
    pub(super) static TALL_ARM_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set by a test to read as before a line across the gap on a box's left stopped the check beside
    /// it being read (the test's thread only).
    pub(super) static LEFT_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// See [`DOUBT_OFF`]: never outside the tests.
fn doubt_off() -> bool {
    #[cfg(test)]
    return DOUBT_OFF.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// See [`TALL_ARM_OFF`]: never outside the tests.
fn tall_arm_off() -> bool {
    #[cfg(test)]
    return TALL_ARM_OFF.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// See [`FIRST_ATTEMPT`]: never outside the tests.
fn first_attempt() -> bool {
    #[cfg(test)]
    return FIRST_ATTEMPT.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// Boxes read as nothing with a small check beside them (see the module's doc) read as the mark or go
/// to a person; boxes read as a small mark with the arm of the check in the gap on their left go to a
/// person.
pub(crate) fn read_checks_beside(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    readings: &mut [BubbleReading],
    levels: &Levels,
) {
    #[cfg(test)]
    if OFF.with(std::cell::Cell::get) {
        return;
    }
    let n = readings.len().min(geom.bubbles.len());
    let ink = (0.35 * levels.pencil).max(0.12);
    let question = |i: usize| match geom.bubbles[i].meaning {
        BubbleMeaning::Answer { question, .. } => Some(question),
        _ => None,
    };
    // The box to the right of each answer box on its row: Some(Some(j)) beside box j, Some(None) the
    // row's last box.
    let right_of = |i: usize| -> Option<usize> {
        let a = &geom.bubbles[i].area;
        (0..n).find(|&j| {
            let o = &geom.bubbles[j].area;
            let gap = o.x - (a.x + a.w);
            j != i && o.y < a.y + a.h && o.y + o.h > a.y && (-0.1..=MAX_GAP).contains(&gap)
        })
    };
    // The gap right of each answer box (sheet mm, x from and to), and its samples' darkness.
    let gap_of = |i: usize, j: Option<usize>| -> (f32, f32) {
        let a = &geom.bubbles[i].area;
        let x1 = match j {
            Some(j) => geom.bubbles[j].area.x - CLEAR,
            None => a.x + a.w + LAST_REACH,
        };
        (a.x + a.w + CLEAR, x1)
    };
    let rights: Vec<Option<Option<usize>>> =
        (0..n).map(|i| question(i).map(|_| right_of(i))).collect();
    let samples: Vec<Option<Gap>> = (0..n)
        .map(|i| {
            let j = rights[i]?;
            let (x0, x1) = gap_of(i, j);
            Gap::sample(page, h, &geom.bubbles[i].area, x0, x1)
        })
        .collect();
    // What the page prints (or its blur smears) in such a gap: per sample, its lower quartile over
    // every gap of the same shape on the page (between two boxes, or after a row's last box). A
    // capture's blur spreads the boxes' outlines into the gap alike beside every box; checks are in
    // some.
    let prints = gap_prints(&samples, &rights);
    // A box read as a stroke or a small mark that a line reaches across the whole gap from a marked box
    // on its left: a long check's arm from there, drawn left to right, crossing it (a thin flat arm
    // slips between the contour's rays, 0.4 mm apart, that the first reading looked for it along). A
    // person decides.
    for i in 0..n {
        let marked_left = rights
            .iter()
            .position(|r| *r == Some(Some(i)))
            .is_some_and(|l| readings[l].shape != MarkShape::None);
        let r = &readings[i];
        if marked_left
            && matches!(r.shape, MarkShape::Stroke | MarkShape::Small)
            && r.state == BubbleState::Filled
            && crossed_from_left(i, &samples, &rights, &prints, ink)
        {
            readings[i].shape = MarkShape::Smudge;
            readings[i].state = BubbleState::Doubtful;
        }
    }
    // Boxes read as nothing with a check's arm beside them (and the box on their right, if any), the
    // boxes a check's arm reaches on their left, and last boxes with ink beside them.
    let mut beside: Vec<(usize, Option<usize>)> = Vec::new();
    let mut arm_left_of: Vec<usize> = Vec::new();
    let mut doubtful: Vec<usize> = Vec::new();
    for i in 0..n {
        if question(i).is_none() {
            continue;
        }
        let r = &readings[i];
        let j = rights[i].flatten();
        let right_marked_small = j.is_some_and(|j| {
            readings[j].shape == MarkShape::Small && readings[j].state == BubbleState::Filled
        });
        // A box on the right read as a circle: where a check's arm rises in the gap its tip may lie on
        // that box's left side, the one piece of a ring the contour round the box found (the rest is
        // the box's own outline). Whose the ink is, a person decides.
        let right_circle = j.is_some_and(|j| {
            readings[j].shape == MarkShape::Circle
                && readings[j].state == BubbleState::Filled
                && readings[j].around < PART_AROUND
        }) && !doubt_off();
        // A box read as marked owns the stroke in its gap (a check drawn up its side, its arm out
        // past the corner): only a box read as nothing is looked at.
        let looked = r.shape == MarkShape::None
            && !j.is_some_and(|j| {
                readings[j].shape == MarkShape::Fill
                    || (readings[j].shape == MarkShape::Circle && !right_circle)
            });
        if !looked {
            continue;
        }
        let a = &geom.bubbles[i].area;
        let Some(gap) = &samples[i] else { continue };
        let print = prints.get(&(gap.cols, gap.rows, j.is_none()));
        let in_gap = arm_in_gap(gap, print.map(Vec::as_slice), a, ink);
        // A stroke that runs on below the box, under its own span, came up from the row below (a
        // check's long arm from the box under it, crossing this box and out by its side): no check
        // beside this box to read. But a screen's moiré or a lamp's shadow darkens the paper under a
        // box as much as a stroke does, where the check beside the box is all its question holds: a
        // box read as nothing with a check's arm beside it goes to a person either way.
        if !first_attempt() && runs_on_below(page, h, a, ink) {
            // Only where nothing else in the question is marked: beside a mark of its own, the
            // question is read by that mark (a band under a row makes such arms beside many boxes).
            let question_bare = (0..n)
                .filter(|&k| k != i && question(k) == question(i))
                .all(|k| readings[k].shape == MarkShape::None);
            if in_gap == InGap::Arm && question_bare && !doubt_off() {
                doubtful.push(i);
            }
            continue;
        }
        match in_gap {
            InGap::Arm => {
                if r.shape == MarkShape::None {
                    beside.push((i, j));
                }
                if right_marked_small || right_circle {
                    arm_left_of.extend(j);
                }
            }
            // A row's last box owns all the ink in the gap on its right: never read as nothing.
            InGap::Ink if j.is_none() && r.shape == MarkShape::None => doubtful.push(i),
            _ => {}
        }
    }
    for &i in &doubtful {
        readings[i].shape = MarkShape::Smudge;
        readings[i].state = BubbleState::Doubtful;
    }
    if beside.is_empty() && arm_left_of.is_empty() {
        return;
    }
    let multiple = geom.multiple_choice_questions();
    let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
    for i in 0..n {
        if let Some(q) = question(i) {
            members.entry(q).or_default().push(i);
        }
    }
    for &j in &arm_left_of {
        readings[j].shape = MarkShape::Smudge;
        readings[j].state = BubbleState::Doubtful;
    }
    // Right of a row's last box lies the margin, where students write the letter they mean: a written
    // capital's stroke rising in the gap is no check unless ink crosses the box's right side.
    let crossing = crossing_right_sides(page, geom, h, &beside, &rights, ink);
    let mut read = Vec::new();
    for &(i, j) in &beside {
        let Some(q) = question(i) else { continue };
        let others = members[&q].iter().filter(|&&k| k != i);
        let alone = (if multiple.contains(&q) {
            others.clone().all(|&k| {
                matches!(
                    readings[k].shape,
                    MarkShape::None | MarkShape::Stroke | MarkShape::Small
                ) && readings[k].state != BubbleState::Doubtful
            })
        } else {
            others.clone().all(|&k| readings[k].shape == MarkShape::None)
        }) && !others.clone().any(|k| arm_left_of.contains(k))
            // The box on the right marked too: its mark's end may be what lies in the gap.
            && j.is_none_or(|j| readings[j].shape == MarkShape::None)
            // A line across the whole gap on the left: a long check's arm from the box on the left
            // runs on through this box and out past it (see [`crossed_from_left`]).
            && !crossed_from_left(i, &samples, &rights, &prints, ink)
            && (j.is_some() || crossing.contains(&i));
        read.push((i, alone));
    }
    for (i, alone) in read {
        if doubtful.contains(&i) {
            continue;
        }
        let r = &mut readings[i];
        if alone {
            r.shape = MarkShape::Stroke;
            r.state = BubbleState::Filled;
        } else {
            r.shape = MarkShape::Smudge;
            r.state = BubbleState::Doubtful;
        }
    }
}

/// Whether ink crosses the whole gap left of box `i` (from the box on its left, whose gap on the right
/// it is), at the height of the box: every column of the gap's samples over the box's height holds a
/// sample at least `ink` darker than what the page prints there, and that ink stands no taller than
/// [`FLAT_ARM`]. A check drawn beside a box leaves nothing left of it; a long check's arm from the box
/// on the left (drawn left to right, its vertex in that box) crosses that gap as one line, runs on
/// through this box and out into the gap on its right, where it stands as a check's arm would. A line down the page, the printed outline off the fit or a
/// speck darkens a column or two, not all of them.
fn crossed_from_left(
    i: usize,
    samples: &[Option<Gap>],
    rights: &[Option<Option<usize>>],
    prints: &HashMap<(usize, usize, bool), Vec<f32>>,
    ink: f32,
) -> bool {
    #[cfg(test)]
    if LEFT_OFF.with(std::cell::Cell::get) {
        return false;
    }
    let Some(l) = rights.iter().position(|r| *r == Some(Some(i))) else {
        return false;
    };
    let Some(g) = samples.get(l).and_then(Option::as_ref) else {
        return false;
    };
    let print = prints.get(&(g.cols, g.rows, false));
    // The box's own rows: the gap's samples reach ABOVE over it and BELOW under it.
    let rows = (ABOVE / STEP).ceil() as usize..g.rows.saturating_sub((BELOW / STEP) as usize);
    let dark = |r: usize, c: usize| {
        let k = r * g.cols + c;
        g.d[k] - print.map_or(0.0, |p| p[k].max(0.0)) >= ink
    };
    if !(0..g.cols).all(|c| rows.clone().any(|r| dark(r, c))) {
        return false;
    }
    // Flat: a long check's arm rises 6–18° (0.1–0.3 mm across the gap) and is a pencil's width; a small
    // check's arm beside the box on the left rises steeply across the gap, 2 mm and more.
    let lit: Vec<usize> = rows
        .clone()
        .filter(|&r| (0..g.cols).any(|c| dark(r, c)))
        .collect();
    match (lit.first(), lit.last()) {
        (Some(&top), Some(&bottom)) => (bottom - top) as f32 * STEP <= FLAT_ARM,
        _ => false,
    }
}

/// The tallest (mm) the ink crossing a gap stands for a long check's flat arm: a broad pencil's line
/// 0.7 mm wide rising 18° across the gap spans under 1 mm; a small check's arm rises 1.8–2.6 mm.
const FLAT_ARM: f32 = 1.4;

/// The strip (mm in from a box's right side, from and to) where a check drawn beside the box has its
/// short stroke: the foot lies 0.15 mm in to 0.2 mm out, the short stroke comes from 0.7–1 mm left of
/// it, so crosses the strip. The printed outline (0.2 mm thick, centred on the side, spread by a
/// blurred capture's 0.1 mm) stays out of it, and the printed letter, in the box's middle, too. A
/// capital written in the margin starts 0.4 mm and more right of the side: none of it lies here.
const INSIDE: (f32, f32) = (0.6, 0.25);
/// Of the box's height, the strip is looked at from and to: the short stroke lies 30–80 % of the way
/// down; the top and bottom outlines (a fit 0.1 mm off spreads them 0.35 mm into the box) stay out.
const INSIDE_ROWS: (f32, f32) = (0.15, 0.85);
/// Dark samples in the strip that make the ink crossing the box's right side: a ballpoint line 0.2 mm
/// wide crossing the 0.35 mm strip takes about 10; grain and JPEG specks one or two.
const INSIDE_SAMPLES: usize = 4;

/// Of the boxes in `beside` that are a row's last (no box on their right), those with ink in their
/// right part crossing the right side (see [`INSIDE`]), measured against what the page prints there
/// (each sample's lower quartile over the page's last boxes).
fn crossing_right_sides(
    page: &Prepared,
    geom: &SheetGeometry,
    h: &Homography,
    beside: &[(usize, Option<usize>)],
    rights: &[Option<Option<usize>>],
    ink: f32,
) -> Vec<usize> {
    if beside.iter().all(|&(_, j)| j.is_some()) {
        return Vec::new();
    }
    let strips: Vec<Option<Gap>> = rights
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if *r != Some(None) {
                return None;
            }
            let a = &geom.bubbles[i].area;
            let right = a.x + a.w;
            Gap::sample(page, h, a, right - INSIDE.0, right - INSIDE.1)
        })
        .collect();
    let prints = gap_prints(&strips, rights);
    beside
        .iter()
        .filter(|&&(_, j)| j.is_none())
        .filter_map(|&(i, _)| {
            let g = strips.get(i)?.as_ref()?;
            let a = &geom.bubbles[i].area;
            let print = prints.get(&(g.cols, g.rows, true));
            let (top, bottom) = (a.y + INSIDE_ROWS.0 * a.h, a.y + INSIDE_ROWS.1 * a.h);
            let dark = (0..g.rows)
                .filter(|&r| {
                    let y = g.y0 + r as f32 * STEP;
                    y >= top && y <= bottom
                })
                .flat_map(|r| (0..g.cols).map(move |c| r * g.cols + c))
                .filter(|&k| g.d[k] - print.map_or(0.0, |p| p[k].max(0.0)) >= ink)
                .count();
            (dark >= INSIDE_SAMPLES).then_some(i)
        })
        .collect()
}

/// Below a box (mm past its bottom edge: clear of its outline and of blur, short of the row under it,
/// 1.4 mm down), where a check beside the box never reaches (its foot lies 60–80 % of the way down).
const UNDER: (f32, f32) = (0.4, 0.9);

/// Whether ink lies under box `a`'s span (its left three tenths to its right edge) at two depths or
/// more of [`UNDER`]: a stroke crossing from the row below.
fn runs_on_below(page: &Prepared, h: &Homography, a: &BoxMm, ink: f32) -> bool {
    let mut depths = 0;
    let mut y = a.y + a.h + UNDER.0;
    while y <= a.y + a.h + UNDER.1 {
        let mut x = a.x + 0.3 * a.w;
        let mut dark = false;
        while x <= a.x + a.w - 0.1 && !dark {
            let (u, v) = h.map_f32(x, y);
            dark = page.darkness(u, v).is_some_and(|d| d >= ink);
            x += STEP;
        }
        depths += usize::from(dark);
        y += 2.0 * STEP;
    }
    depths >= 2
}

/// What the gap right of a box holds (see [`arm_in_gap`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum InGap {
    /// Nothing that rises from the box's edge.
    Nothing,
    /// A stroke rising from a foot low at the box's edge, of any lean, wider than an outline (a felt
    /// pen's check is a blob filling the gap): beside a row's last box, that box's ink.
    Ink,
    /// A check's arm: a stroke rising from the foot, leaning right by [`LEAN`], reaching
    /// [`ARM_REACH`] into the gap, not flooding it.
    Arm,
}

/// Of the contour round a box, the share with a line of its own above which a circle read there is a
/// ring seen round the box (see `bubbles.rs`), not the tip of a check's arm on one side of it.
const PART_AROUND: f32 = 0.4;

/// The darkness of the samples in the gap right of a box (see [`arm_in_gap`]), row by row.
struct Gap {
    x0: f32,
    y0: f32,
    cols: usize,
    rows: usize,
    d: Vec<f32>,
}

impl Gap {
    /// The gap right of box `a`, from `x0` to `x1` (sheet mm): `None` when it is too narrow to hold a
    /// stroke or runs off the image.
    fn sample(page: &Prepared, h: &Homography, a: &BoxMm, x0: f32, x1: f32) -> Option<Gap> {
        if x1 - x0 < 2.0 * STEP {
            return None;
        }
        let img = page.pixels();
        let (iw, ih) = (img.width() as i64, img.height() as i64);
        let raw = img.as_raw();
        let (y0, y1) = (a.y - ABOVE, a.y + a.h + BELOW);
        let cols = ((x1 - x0) / STEP).floor() as usize + 1;
        let rows = ((y1 - y0) / STEP).floor() as usize + 1;
        let mut d = Vec::with_capacity(cols * rows);
        for r in 0..rows {
            let y = y0 + r as f32 * STEP;
            for c in 0..cols {
                let x = x0 + c as f32 * STEP;
                let (u, v) = h.map_f32(x, y);
                if !(u.is_finite() && v.is_finite()) {
                    return None;
                }
                let (u, v) = (u as i64, v as i64);
                if u < 0 || v < 0 || u >= iw || v >= ih {
                    return None;
                }
                let p = raw[(v * iw + u) as usize] as f32;
                let paper = page.paper(u as usize, v as usize).max(1.0);
                d.push(1.0 - p / paper);
            }
        }
        Some(Gap {
            x0,
            y0,
            cols,
            rows,
            d,
        })
    }
}

/// A column of the gap dark over at least this share of the box's height is a printed outline's (see
/// [`arm_in_gap`]); such columns are looked for this far (mm) from either end of the gap: an outline
/// 0.2 mm thick off the fit by up to 0.2 mm and spread by a blurred capture's 0.1–0.2 mm.
const OUTLINE_SHARE: f32 = 0.6;
/// The column past an outline is dark over less than this share of the box's height.
const PAST_OUTLINE: f32 = 0.33;
const OUTLINE_REACH: f32 = 0.4;

/// The least width (mm) of the ink beside a row's last box that sends it to a person: wider than a
/// printed outline (0.2 mm, spread by blur) that sits off the fit.
const INK_WIDTH: f32 = 0.35;

/// How far (mm) an arm reaches into the gap at least, past where its foot is looked for: a check's arm
/// leans 0.27–0.4 of its 1.8–2.6 mm rise, its tip 0.5–1 mm right of its foot; a piece of a printed
/// outline off the fit (a screen's moiré or a lamp's glare breaks it up) stands in the gap's first
/// column or two, its fitted lean a short piece's noise.
const ARM_REACH: f32 = 0.2;

/// Gaps a print is taken over at least: fewer, and checks in several of them could be taken for it.
const MIN_GAPS: usize = 8;

/// Per shape of gap (its columns, its rows, after a row's last box or not), the darkness of each sample
/// that a quarter of the page's gaps of that shape fall under: the blur's spread outline is in every
/// gap, a student's checks (one who checks the row's last box on most questions) in fewer than three
/// quarters of them.
fn gap_prints(
    samples: &[Option<Gap>],
    rights: &[Option<Option<usize>>],
) -> HashMap<(usize, usize, bool), Vec<f32>> {
    let mut groups: HashMap<(usize, usize, bool), Vec<&Gap>> = HashMap::new();
    for (g, r) in samples.iter().zip(rights) {
        if let (Some(g), Some(r)) = (g, r) {
            groups
                .entry((g.cols, g.rows, r.is_none()))
                .or_default()
                .push(g);
        }
    }
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    for (key, gaps) in groups {
        if gaps.len() < MIN_GAPS {
            continue;
        }
        let print: Vec<f32> = (0..key.0 * key.1)
            .map(|k| {
                buf.clear();
                buf.extend(gaps.iter().map(|g| g.d[k]));
                let k = buf.len() / 4;
                *buf.select_nth_unstable_by(k, f32::total_cmp).1
            })
            .collect();
        out.insert(key, print);
    }
    out
}

/// What `gap` right of box `a` holds (see the module's doc): strokes of samples at least `ink` darker
/// than the gap's `print` (the paper where there is none), joined across breaks of a sample, that hold
/// most of the gap's ink and stay inside the samples' top and bottom rows, whose lowest point lies near
/// the box and low, rising at least [`MIN_RISE`]; an arm leans right by [`LEAN`] too.
fn arm_in_gap(gap: &Gap, print: Option<&[f32]>, a: &BoxMm, ink: f32) -> InGap {
    let mut found = InGap::Nothing;
    let (x0, y0, cols, rows) = (gap.x0, gap.y0, gap.cols, gap.rows);
    let first_attempt = first_attempt();
    let mut dark = vec![false; cols * rows];
    for (k, &d) in gap.d.iter().enumerate() {
        let p = if first_attempt {
            0.0
        } else {
            print.map_or(0.0, |p| p[k].max(0.0))
        };
        dark[k] = d - p >= ink;
    }
    // A printed outline where this box's sits off the fit (a fraction of a millimetre here and there on
    // a photo, more of it spread by blur) lies in the gap's first or last columns: a line down most of
    // the box's height. A check's arm leans, crossing a column in a fraction of it. Such columns at
    // either end are no ink of the student's, and the gap begins (for the arm's foot) after them.
    let box_rows: Vec<usize> = (0..rows)
        .filter(|&r| {
            let y = y0 + r as f32 * STEP;
            y >= a.y && y <= a.y + a.h
        })
        .collect();
    let share = |c: usize| {
        let n = box_rows.iter().filter(|&&r| dark[r * cols + c]).count();
        n as f32 / box_rows.len().max(1) as f32
    };
    // The outline is a thin line: the column past it is mostly paper (a felt pen's check, dark down
    // several columns beside the box, is no outline).
    let edge = ((OUTLINE_REACH / STEP) as usize).min(cols / 2);
    let edge = if first_attempt { 0 } else { edge };
    let first = (0..edge)
        .rev()
        .find(|&c| share(c) >= OUTLINE_SHARE)
        .filter(|&c| share(c + 1) < PAST_OUTLINE)
        .map_or(0, |c| c + 1);
    let last = (cols - edge..cols)
        .find(|&c| share(c) >= OUTLINE_SHARE)
        .filter(|&c| c == 0 || share(c - 1) < PAST_OUTLINE)
        .unwrap_or(cols);
    for r in 0..rows {
        for c in (0..first).chain(last..cols) {
            dark[r * cols + c] = false;
        }
    }
    let foot_x0 = x0 + first as f32 * STEP;
    let count = dark.iter().filter(|&&d| d).count();
    if count < MIN_SAMPLES {
        return found;
    }
    let mut seen = vec![false; cols * rows];
    for start in 0..cols * rows {
        if !dark[start] || seen[start] {
            continue;
        }
        // One stroke: dark samples joined across a break of one sample (a skipping ballpoint, a thin
        // line cut to black and white).
        let mut stroke = Vec::new();
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(k) = stack.pop() {
            stroke.push(k);
            let (r, c) = ((k / cols) as i64, (k % cols) as i64);
            for dr in -2..=2i64 {
                for dc in -2..=2i64 {
                    let (r2, c2) = (r + dr, c + dc);
                    if r2 < 0 || c2 < 0 || r2 >= rows as i64 || c2 >= cols as i64 {
                        continue;
                    }
                    let k2 = r2 as usize * cols + c2 as usize;
                    if dark[k2] && !seen[k2] {
                        seen[k2] = true;
                        stack.push(k2);
                    }
                }
            }
        }
        if stroke.len() < MIN_SAMPLES
            || (stroke.len() as f32) < ALONE * count as f32
            || stroke.iter().any(|&k| k / cols == rows - 1)
        {
            continue;
        }
        // A stroke out of the samples' top: a line that runs on up past a check's reach, or a check
        // taller than [`ABOVE`] allows for (3.5 mm and more), its arm rising from the box's foot.
        let runs_on_up = stroke.iter().any(|&k| k / cols == 0);
        if runs_on_up && (first_attempt || tall_arm_off()) {
            continue;
        }
        let flood = stroke.len() as f32 > MAX_SHARE * (cols * rows) as f32;
        let at = |k: usize| (x0 + (k % cols) as f32 * STEP, y0 + (k / cols) as f32 * STEP);
        // The lowest point (the largest y; the leftmost of the lowest row) and the highest.
        let (mut low, mut top) = (at(stroke[0]), at(stroke[0]));
        let (mut sx, mut sy, mut sxy, mut syy) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let (mut left, mut right) = (f32::MAX, f32::MIN);
        for &k in &stroke {
            let (x, y) = at(k);
            left = left.min(x);
            right = right.max(x);
            if y > low.1 || (y == low.1 && x < low.0) {
                low = (x, y);
            }
            if y < top.1 {
                top = (x, y);
            }
            sx += x;
            sy += y;
            sxy += x * y;
            syy += y * y;
        }
        let m = stroke.len() as f32;
        let (mx, my) = (sx / m, sy / m);
        let var_y = syy / m - my * my;
        if var_y < 1e-6 {
            continue;
        }
        // dx/dy: a stroke leaning right as it rises (y down) has a negative one.
        let lean = -(sxy / m - mx * my) / var_y;
        if low.0 - foot_x0 <= FOOT_NEAR
            && low.1 >= a.y + FOOT_LOW * a.h
            && low.1 - top.1 >= MIN_RISE
        {
            if runs_on_up {
                // Not read as a check (what it is cannot be seen whole here: a tall check's arm
                // crosses the narrow gap right of a row's last box, filling much of it), but rising
                // from the box's foot, leaning as an arm, wider than an outline: beside a row's last
                // box, that box's ink.
                if (LEAN.0..=LEAN.1).contains(&lean) && right - left >= INK_WIDTH {
                    found = found.max(InGap::Ink);
                }
            } else if !flood
                && (LEAN.0..=LEAN.1).contains(&lean)
                && (first_attempt || right - foot_x0 >= ARM_REACH)
            {
                found = found.max(InGap::Arm);
            } else if first_attempt || right - left >= INK_WIDTH {
                // A stroke as narrow as an outline, straight up beside the box: a piece of the printed
                // outline off the fit, no ink of the student's.
                found = found.max(InGap::Ink);
            }
        }
    }
    found
}
