//! The draw: picks each paper's questions from the bank by a blueprint, seeded and section-balanced,
//! then orders them and shuffles options per variant.
//!
//! Selection is a bipartite b-matching between *cells* (a part's quota in one section) and *groups* (a
//! `group:` of the bank, or a lone question), since a paper may hold at most one question per group. A
//! seeded greedy pass fills the cells, steering toward the difficulty targets; augmenting paths then
//! complete any cell the greedy pass left short. Augmenting paths reach a maximum matching, so if any
//! draw satisfies the counts, quotas, tags, types and groups, this finds one. See docs/blueprint-format.md.

mod arrange;
pub mod facility;
mod flow;
pub mod record;
mod select;

use arrange::arrange;
pub use arrange::remap;
pub use flow::allocate_levels;
use select::{DrawPool, select_avoiding};
pub use select::{spread_even, spread_proportional, spread_weighted};

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::error::Result;
use crate::exam::dice::Dice;
use crate::input::bank::{Answer, Bank};
use crate::input::blueprint::Blueprint;

#[derive(Debug, Clone, Default)]
pub struct DrawOptions {
    pub seed: u64,
    /// How many variants (A, B, C, ...); at least 1.
    pub variants: usize,
    /// Each variant gets its own question set instead of a reordering of one set.
    pub distinct: bool,
    /// Bank question ids to keep out while the bank allows (questions used in earlier papers).
    pub exclude: HashSet<String>,
}

/// One question as it stands on one variant's paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnQuestion {
    /// 1-based, continuous across parts.
    pub number: usize,
    /// Index into `Bank::questions`.
    pub question: usize,
    pub points: Decimal,
    /// Printed position → original option index.
    pub option_order: Vec<usize>,
    /// The answer in printed terms (letters after shuffling).
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnPart {
    /// Index into `Blueprint::parts`.
    pub part: usize,
    pub questions: Vec<DrawnQuestion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// "A", "B", ...
    pub label: String,
    pub parts: Vec<DrawnPart>,
}

impl Variant {
    pub fn total_points(&self) -> Decimal {
        self.parts
            .iter()
            .flat_map(|p| &p.questions)
            .map(|q| q.points)
            .sum()
    }

    pub fn questions(&self) -> impl Iterator<Item = &DrawnQuestion> {
        self.parts.iter().flat_map(|p| &p.questions)
    }
}

#[derive(Debug, Clone)]
pub struct Draw {
    pub seed: u64,
    pub distinct: bool,
    pub variants: Vec<Variant>,
    /// Targets the bank could not meet (difficulty mix, avoided questions reused).
    pub warnings: Vec<String>,
}

/// Variant labels: A..Z, then AA, AB, ...
pub fn variant_label(index: usize) -> String {
    let mut n = index;
    let mut label = String::new();
    loop {
        label.insert(0, (b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    label
}

pub fn draw(bank: &Bank, blueprint: &Blueprint, options: &DrawOptions) -> Result<Draw> {
    let plan = plan(bank, blueprint, options)?;
    let variants = (0..plan.variants())
        .map(|v| plan.arrange(bank, blueprint, v))
        .collect();
    Ok(Draw {
        seed: plan.seed,
        distinct: plan.distinct,
        variants,
        warnings: plan.warnings,
    })
}

/// A draw decided but not yet arranged: the question sets and the seed each variant's order is shuffled
/// from. A variant arranged from it is the variant [`draw`] makes; a batch with a variant per student
/// arranges each when it is needed instead of holding ten thousand of them.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub distinct: bool,
    /// Per question set (one, or one per variant when distinct), per part, the chosen bank questions.
    sets: Vec<Vec<Vec<usize>>>,
    /// Per variant, the seed of the dice that orders its questions and options.
    order_seeds: Vec<u64>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// How many variants the draw has.
    pub fn variants(&self) -> usize {
        self.order_seeds.len()
    }

    /// Variant `v` as [`draw`] arranges it.
    pub fn arrange(&self, bank: &Bank, blueprint: &Blueprint, v: usize) -> Variant {
        let set = &self.sets[if self.distinct { v } else { 0 }];
        arrange(
            bank,
            blueprint,
            set,
            variant_label(v),
            &mut Dice::new(self.order_seeds[v]),
        )
    }
}

/// Chooses the questions of every variant's set and the seeds their orders are shuffled from.
pub fn plan(bank: &Bank, blueprint: &Blueprint, options: &DrawOptions) -> Result<Plan> {
    let variants = options.variants.max(1);
    let mut dice = Dice::new(options.seed);
    let mut warnings = Vec::new();
    let mut avoid: HashSet<usize> = bank
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| options.exclude.contains(&q.id))
        .map(|(i, _)| i)
        .collect();
    // Only a blueprint that asks for a facility reads the calibration: others draw exactly as before.
    let facilities = if blueprint.target_facility.is_some()
        || blueprint.parts.iter().any(|p| p.target_facility.is_some())
    {
        let calibration =
            crate::input::calibration::Calibration::read(&bank.root)?.unwrap_or_default();
        Some(facility::expected_facilities(bank, &calibration))
    } else {
        None
    };
    let mut sets = Vec::new();
    let set_count = if options.distinct { variants } else { 1 };
    for v in 0..set_count {
        let mut select_dice = dice.fork();
        let pool = DrawPool {
            bank,
            blueprint,
            avoid: &avoid,
        };
        let mut chosen = select_avoiding(&pool, &mut select_dice, &mut warnings, v, set_count)?;
        if let Some(p) = &facilities {
            facility::steer(&pool, &mut chosen, p, &mut select_dice, &mut warnings);
        }
        if options.distinct {
            // A group holds near-duplicates: once one of them is on a paper, its siblings count as used too.
            let groups: HashSet<&str> = chosen
                .iter()
                .flatten()
                .filter_map(|q| bank.questions[*q].group.as_deref())
                .collect();
            avoid.extend(chosen.iter().flatten());
            avoid.extend(
                bank.questions
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.group.as_deref().is_some_and(|g| groups.contains(g)))
                    .map(|(i, _)| i),
            );
        }
        sets.push(chosen);
    }
    // Each variant's order dice is forked from the main dice in turn, as when they were arranged here.
    let order_seeds = (0..variants).map(|_| dice.next_u64()).collect();
    Ok(Plan {
        seed: options.seed,
        distinct: options.distinct,
        sets,
        order_seeds,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_run_a_to_z_then_aa() {
        assert_eq!(variant_label(0), "A");
        assert_eq!(variant_label(25), "Z");
        assert_eq!(variant_label(26), "AA");
        assert_eq!(variant_label(27), "AB");
    }

    #[test]
    fn even_spread_caps_and_respreads() {
        let mut dice = Dice::new(1);
        assert_eq!(spread_even(10, &[5, 5], &mut dice), vec![5, 5]);
        assert_eq!(spread_even(10, &[2, 20, 20], &mut dice), vec![2, 4, 4]);
        let t = spread_even(7, &[10, 10, 10], &mut dice);
        assert_eq!(t.iter().sum::<usize>(), 7);
        assert!(t.iter().all(|n| *n == 2 || *n == 3));
        // A section with nothing gets nothing.
        assert_eq!(spread_even(4, &[0, 9, 9, 0], &mut dice), vec![0, 2, 2, 0]);
    }

    #[test]
    fn even_spread_remainder_depends_on_the_seed() {
        let picks: HashSet<Vec<usize>> = (0..20)
            .map(|s| spread_even(1, &[5, 5, 5, 5], &mut Dice::new(s)))
            .collect();
        assert!(picks.len() > 1);
    }

    #[test]
    fn proportional_spread_follows_supply() {
        assert_eq!(spread_proportional(10, &[10, 30, 60]), vec![1, 3, 6]);
        assert_eq!(spread_proportional(4, &[1, 1, 1]), vec![1, 1, 1]);
        assert_eq!(spread_proportional(5, &[3, 3, 3]).iter().sum::<usize>(), 5);
    }

    #[test]
    fn levels_are_allocated_where_the_supply_is() {
        // Section a has one level-1 and one level-2 question, b only a level-1 one: a must give its level 2.
        let got = allocate_levels(
            &[1, 1],
            &[[1, 1, 0, 0, 0], [1, 0, 0, 0, 0]],
            &[1, 1, 0, 0, 0],
        );
        assert_eq!(got, vec![[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]]);
        // Unreachable targets: every cell still gets its count, with the least deviation.
        let got = allocate_levels(&[3], &[[1, 1, 5, 0, 0]], &[2, 1, 0, 0, 0]);
        assert_eq!(got, vec![[1, 1, 1, 0, 0]]);
    }

    #[test]
    fn remap_follows_the_printed_order() {
        // Printed A is original C, B is A, C is D, D is B.
        let order = vec![2, 0, 3, 1];
        assert_eq!(remap(&Answer::Single(2), &order), Answer::Single(0));
        assert_eq!(
            remap(&Answer::Multiple(vec![0, 1]), &order),
            Answer::Multiple(vec![1, 3])
        );
    }
}
