//! Arranging a selected set into one variant: question order within parts, numbering and option shuffles.

use super::*;
use crate::exam::dice::Dice;
use crate::input::bank::{Answer, Bank, Question};
use crate::input::blueprint::Blueprint;

/// Orders one variant: questions shuffled within each part, options shuffled, answers remapped.
pub(super) fn arrange(
    bank: &Bank,
    blueprint: &Blueprint,
    set: &[Vec<usize>],
    label: String,
    dice: &mut Dice,
) -> Variant {
    let mut number = 0;
    let mut parts = Vec::new();
    for (pi, chosen) in set.iter().enumerate() {
        let part = &blueprint.parts[pi];
        let mut order = chosen.clone();
        // Start from bank order so the shuffle depends only on the set, not on how it was found.
        order.sort_unstable();
        dice.shuffle(&mut order);
        let questions = order
            .into_iter()
            .map(|qi| {
                number += 1;
                let q = &bank.questions[qi];
                let option_order = shuffle_options(q, dice);
                DrawnQuestion {
                    number,
                    question: qi,
                    points: q.points.unwrap_or(part.points),
                    answer: remap(&q.answer, &option_order),
                    option_order,
                }
            })
            .collect();
        parts.push(DrawnPart {
            part: pi,
            questions,
        });
    }
    Variant { label, parts }
}

/// Printed position → original index; the last `keep_last` options (以上都对) keep their place.
pub(super) fn shuffle_options(q: &Question, dice: &mut Dice) -> Vec<usize> {
    let mut order: Vec<usize> = (0..q.options.len()).collect();
    if q.shuffle && q.options.len() > 1 {
        let movable = q.options.len() - q.keep_last.min(q.options.len());
        dice.shuffle(&mut order[..movable]);
    }
    order
}

/// The answer in printed letters for an option order.
pub fn remap(answer: &Answer, option_order: &[usize]) -> Answer {
    let printed = |orig: usize| {
        option_order
            .iter()
            .position(|o| *o == orig)
            .expect("option order is a permutation")
    };
    match answer {
        Answer::Single(i) => Answer::Single(printed(*i)),
        Answer::Multiple(v) => {
            let mut p: Vec<usize> = v.iter().map(|i| printed(*i)).collect();
            p.sort_unstable();
            Answer::Multiple(p)
        }
        other => other.clone(),
    }
}
