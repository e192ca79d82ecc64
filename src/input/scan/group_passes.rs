//! What the marks of one group say together: the passes that read a question's (an id column's, the
//! variant row's) boxes side by side once each box has been read alone — a tint beside a fill, small
//! marks and light strokes read when they are a group's only ink, a long check read at its turning box.

use super::beside_fill;
use super::checks;
use super::geometry::{BubbleMeaning, ChoiceKind, SheetGeometry};
use super::reading::{BubbleReading, BubbleState, MarkShape};

/// An even tint over a bubble of a question that holds a firm fill (a thumb's smear, an eraser's haze
/// round the answer, a stain's or a shadow's tint; `tints[i]`: its mean darkness, the level just
/// outside it and the level inside the quiet boxes round it, see [`beside_fill`]) reads empty when it is
/// a fraction of the fill's darkness and goes on outside the box, or over the boxes round it: no mark of
/// its own.
pub(super) fn tints_beside_fills_read_empty(
    geom: &SheetGeometry,
    mut readings: Vec<BubbleReading>,
    tints: &[Option<(f32, Option<f32>, Option<f32>)>],
) -> Vec<BubbleReading> {
    use std::collections::HashMap;
    let question = |i: usize| match geom.bubbles[i].meaning {
        BubbleMeaning::Answer { question, .. } => Some(question),
        _ => None,
    };
    let mut firm: HashMap<u32, f32> = HashMap::new();
    for (i, r) in readings.iter().enumerate() {
        if let Some(q) = question(i)
            && r.shape == MarkShape::Fill
        {
            let f = firm.entry(q).or_insert(0.0);
            *f = f.max(r.darkness);
        }
    }
    for (i, tint) in tints.iter().enumerate() {
        if let (Some((fill, out, round)), Some(firm)) =
            (tint, question(i).and_then(|q| firm.get(&q)))
            && (out.is_some_and(|out| beside_fill::tint_beside(*fill, out, *firm))
                || round.is_some_and(|round| beside_fill::tint_shared(*fill, round, *firm)))
        {
            readings[i].shape = MarkShape::None;
            readings[i].state = BubbleState::Empty;
        }
    }
    readings
}

/// Small marks (dots, dashes, small ticks, underlines) read where they are the only ink of their group:
/// the one mark in a single-choice question, id column or variant row; in a multiple-choice question,
/// when every other mark is small or a stroke too (a student marking with dashes or slashes: some come
/// out as strokes, some as small marks). Beside a fill, a circle or a smudge they stay doubtful: a
/// person decides.
pub(super) fn small_marks_alone_read(
    geom: &SheetGeometry,
    mut readings: Vec<BubbleReading>,
) -> Vec<BubbleReading> {
    use std::collections::HashMap;
    // Group → (bubbles with ink, of them small or strokes, of them small, one mark allowed, bubbles).
    type Group = (Vec<usize>, usize, usize, bool, usize);
    let mut groups: HashMap<(u8, u32), Group> = HashMap::new();
    let kinds: HashMap<u32, ChoiceKind> =
        geom.questions.iter().map(|q| (q.number, q.kind)).collect();
    for (i, (b, r)) in geom.bubbles.iter().zip(&readings).enumerate() {
        let (key, one) = match &b.meaning {
            BubbleMeaning::Answer { question, .. } => (
                (0, *question),
                kinds.get(question) != Some(&ChoiceKind::Multiple),
            ),
            BubbleMeaning::IdDigit { column, .. } => ((1, *column), true),
            BubbleMeaning::Variant { .. } => ((2, 0), true),
        };
        let g = groups
            .entry(key)
            .or_insert_with(|| (Vec::new(), 0, 0, one, 0));
        g.4 += 1;
        if r.shape != MarkShape::None {
            g.0.push(i);
            g.1 += matches!(r.shape, MarkShape::Small | MarkShape::Stroke) as usize;
            g.2 += (r.shape == MarkShape::Small) as usize;
        }
    }
    for (inked, light, small, one, bubbles) in groups.values() {
        // A small mark on every bubble of a row of three or more is a smear along it (a ruler's grey
        // band along the lower edges) more likely than an answer: a person decides.
        let smeared = *bubbles >= 3 && *small == *bubbles;
        if *light == inked.len() && (!*one || inked.len() == 1) && !smeared {
            for &i in inked {
                readings[i].state = BubbleState::Filled;
            }
        }
    }
    readings
}

#[cfg(test)]
thread_local! {
    /// Tests read a page as before a light hand's loose fills were told from one line.
    pub(super) static LOOSE_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
fn loose_fills_off() -> bool {
    #[cfg(test)]
    if LOOSE_OFF.with(|c| c.get()) {
        return true;
    }
    false
}

/// The share of a box's inside (at the low cut) one pencil line through it covers at most: a line
/// 0.8 mm wide at the low cut along the 5 × 3.2 mm box's diagonal covers about 0.3 of it, and another
/// mark's end (a check's flat arm, a loose circle's side) lies flatter or along a side and covers
/// less (one slash through the box read as strokes: 0.10–0.28 on field check pages of seeds 21–26). A
/// light hand's loose fill-spiral, several turns round the box, covers 0.37–0.65 (seed 26's HB-light
/// sheet: 11 clear fills sent to a person, each a spiral read as light strokes beside another).
pub(super) const LOOSE_FILL_COVER: f32 = 0.36;
/// ... and is at least this share as dark (mean darkness) as the sheet's fills: a loose spiral lays
/// its hand's graphite over the box with paper between the turns (seed 26's sheet: spirals read as
/// strokes 0.076–0.121 beside its own fills at 0.134–0.180), where a firm hand's faint tick or cross
/// is a fraction of its fills (the fabricated light-hand sheets: 0.05–0.11 beside fills at 0.56) and
/// stays doubtful beside other ink, which may hide a faint dot lost in the question.
const LOOSE_FILL_SHARE: f32 = 0.4;

/// Strokes and small marks read only because this sheet's pencil is light (`light_only`, per bubble)
/// read when they are the only ink of their group (question, id column, variant row); beside other ink
/// a person decides. A light line is as likely the end of another mark (a long check's flat arm running
/// on over the next box, a loose circle's side) as a mark of its own, and at a light hand's darkness
/// nothing in the box tells them apart; alone in its question it is what the student meant (#23: a tick
/// read when it is the only ink in its question, flagged when it competes with another).
/// Not a light mark that covers more of its box than one line can ([`LOOSE_FILL_COVER`]), about as
/// dark as the sheet's fills ([`LOOSE_FILL_SHARE`]): a light hand's loose fill (a spiral with paper
/// between its turns) is read as strokes, and is the student's own mark wherever else the question
/// holds ink.
pub(super) fn light_strokes_alone(
    geom: &SheetGeometry,
    mut readings: Vec<BubbleReading>,
    light_only: &[bool],
) -> Vec<BubbleReading> {
    use std::collections::HashMap;
    let group = |m: &BubbleMeaning| match m {
        BubbleMeaning::Answer { question, .. } => (0u8, *question),
        BubbleMeaning::IdDigit { column, .. } => (1, *column),
        BubbleMeaning::Variant { .. } => (2, 0),
    };
    let mut inked: HashMap<(u8, u32), usize> = HashMap::new();
    for (b, r) in geom.bubbles.iter().zip(&readings) {
        if r.shape != MarkShape::None {
            *inked.entry(group(&b.meaning)).or_default() += 1;
        }
    }
    // This sheet's fills, how dark they lie (median).
    let mut fills: Vec<f32> = readings
        .iter()
        .filter(|r| r.shape == MarkShape::Fill)
        .map(|r| r.darkness)
        .collect();
    let fill_level = (!fills.is_empty()).then(|| {
        let k = fills.len() / 2;
        *fills.select_nth_unstable_by(k, f32::total_cmp).1
    });
    let loose_fill = |r: &BubbleReading| {
        !loose_fills_off()
            && r.cover >= LOOSE_FILL_COVER
            && fill_level.is_some_and(|f| r.darkness >= LOOSE_FILL_SHARE * f)
    };
    for (i, b) in geom.bubbles.iter().enumerate() {
        if light_only[i]
            && readings[i].state == BubbleState::Filled
            && !loose_fill(&readings[i])
            && inked.get(&group(&b.meaning)).copied().unwrap_or(0) > 1
        {
            readings[i].state = BubbleState::Doubtful;
        }
    }
    readings
}

/// A check with a long arm, the only ink in its single-choice question, is read as the box holding its vertex (#23:
/// a tick is read as a mark when it is the only ink in that question): one box of the question has a
/// line leaving it to the right and none entering, the question's inked boxes all lie on the chain of
/// `arm_pairs` (vertex side, arm side) from it, and that box's
/// lowest ink (`lowest_ink`, the vertex: a check turns at its lowest point) lies at least
/// [`checks::DIP_BELOW_ARM`] below all the ink in the boxes its arm crosses (a check of their own would
/// dip as low), and below where the arm leaves the box by [`checks::DIP_BELOW_EXIT`] (the pen turned
/// inside it: a stray line touching the box's corner does not), and that box was first read as no
/// smudge and no fill (`turnless`: a thumb print's haze reaches from box to box as a line does, but is
/// no stroke; a filled box's lowest ink is its bottom edge, however a line leaves it, and a fill with a
/// line on into the next box is two marks, not a check). The boxes crossed read empty.
pub(super) fn checks_alone_read(
    geom: &SheetGeometry,
    mut readings: Vec<BubbleReading>,
    arm_pairs: &[(usize, usize)],
    turnless: &[bool],
    lowest_ink: impl Fn(usize) -> Option<f32>,
    exit_ink: impl Fn(usize) -> Option<f32>,
) -> Vec<BubbleReading> {
    if arm_pairs.is_empty() {
        return readings;
    }
    use std::collections::BTreeMap;
    // Where several letters may be meant, a box the arm crosses may hold a check of its own whose
    // vertex lies as high as this one's (hands vary by half a millimetre): a person decides there.
    let multiple = geom.multiple_choice_questions();
    let mut questions: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, b) in geom.bubbles.iter().enumerate() {
        if let BubbleMeaning::Answer { question, .. } = &b.meaning
            && !multiple.contains(question)
        {
            questions.entry(*question).or_default().push(i);
        }
    }
    let entered = |k: usize| arm_pairs.iter().any(|&(_, a)| a == k);
    for members in questions.values() {
        let inked: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| readings[i].shape != MarkShape::None)
            .collect();
        let starts: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&k| !entered(k) && arm_pairs.iter().any(|&(v, _)| v == k))
            .collect();
        if starts.len() != 1 {
            continue;
        }
        let mut chain = vec![starts[0]];
        while let Some(&(_, next)) = arm_pairs.iter().find(|&&(from, to)| {
            from == *chain.last().unwrap() && members.contains(&to) && !chain.contains(&to)
        }) {
            chain.push(next);
        }
        if chain.len() < 2 || turnless[chain[0]] || !inked.iter().all(|k| chain.contains(k)) {
            continue;
        }
        let Some(vertex) = lowest_ink(chain[0]) else {
            continue;
        };
        // Ink running on down out of the box (a tick's arm from the box below): the pen turned lower.
        let own = &geom.bubbles[chain[0]].area;
        if vertex > own.y + own.h + checks::DIP_UNDER {
            continue;
        }
        // The pen turned inside the box: its ink dips below where the arm leaves it.
        if exit_ink(chain[0]).is_none_or(|y| y > vertex - checks::DIP_BELOW_EXIT) {
            continue;
        }
        if chain[1..]
            .iter()
            .all(|&k| lowest_ink(k).is_none_or(|y| y <= vertex - checks::DIP_BELOW_ARM))
        {
            let v = &mut readings[chain[0]];
            v.shape = MarkShape::Stroke;
            v.state = BubbleState::Filled;
            for &k in &chain[1..] {
                readings[k].state = BubbleState::Empty;
            }
        }
    }
    readings
}
