//! Steering a drawn question set toward a blueprint's `target_facility`: the paper's (or a part's) expected
//! facility — the share of its points an average student earns, Σ points × p ÷ Σ points — is moved into
//! the tolerance by swapping questions for others of the same section that the part also accepts, one swap
//! at a time, each the one that brings it closest. p is the measured facility where `.calibration.yaml` has
//! at least `MIN_SAMPLE` students for the question, else the prior of its labelled difficulty.

use std::collections::HashSet;

use rust_decimal::prelude::ToPrimitive;

use super::select::{DrawPool, eligible, groups};
use crate::exam::dice::Dice;
use crate::input::bank::Bank;
use crate::input::blueprint::{Blueprint, FacilityTarget};
use crate::input::calibration::Calibration;

/// Swaps allowed per target; a paper that needs more is as close as the bank lets it get.
const MAX_SWAPS: usize = 200;

/// The p the draw expects of every bank question.
pub fn expected_facilities(bank: &Bank, calibration: &Calibration) -> Vec<f64> {
    bank.questions
        .iter()
        .map(|q| calibration.expected(&q.id, q.difficulty))
        .collect()
}

fn points(bank: &Bank, blueprint: &Blueprint, part: usize, q: usize) -> f64 {
    bank.questions[q]
        .points
        .unwrap_or(blueprint.parts[part].points)
        .to_f64()
        .unwrap_or(1.0)
}

/// Σ points × p ÷ Σ points over the chosen questions of `parts`.
fn facility_of(
    bank: &Bank,
    blueprint: &Blueprint,
    chosen: &[Vec<usize>],
    parts: &[usize],
    p: &[f64],
) -> f64 {
    let (mut earned, mut total) = (0.0, 0.0);
    for &part in parts {
        for &q in &chosen[part] {
            let w = points(bank, blueprint, part, q);
            earned += w * p[q];
            total += w;
        }
    }
    if total > 0.0 { earned / total } else { 0.0 }
}

/// Moves the chosen set toward every target: each part's own, then the paper's over the parts without one.
/// A target the bank cannot reach leaves a warning.
pub(super) fn steer(
    pool: &DrawPool,
    chosen: &mut [Vec<usize>],
    p: &[f64],
    dice: &mut Dice,
    warnings: &mut Vec<String>,
) {
    let DrawPool {
        bank,
        blueprint,
        avoid,
    } = *pool;
    let group = groups(bank);
    let mut targets: Vec<(String, Vec<usize>, FacilityTarget)> = blueprint
        .parts
        .iter()
        .enumerate()
        .filter_map(|(i, part)| {
            part.target_facility
                .map(|t| (format!("part {} ({})", i + 1, part.title), vec![i], t))
        })
        .collect();
    if let Some(t) = blueprint.target_facility {
        let free: Vec<usize> = (0..blueprint.parts.len())
            .filter(|i| blueprint.parts[*i].target_facility.is_none())
            .collect();
        let parts = if free.is_empty() {
            (0..blueprint.parts.len()).collect()
        } else {
            free
        };
        targets.push(("the paper".into(), parts, t));
    }
    for (name, parts, target) in targets {
        let mut swaps = 0;
        loop {
            let (mut earned, mut total) = (0.0, 0.0);
            for &part in &parts {
                for &q in &chosen[part] {
                    let w = points(bank, blueprint, part, q);
                    earned += w * p[q];
                    total += w;
                }
            }
            let now = if total > 0.0 { earned / total } else { 0.0 };
            if (now - target.value).abs() <= target.tolerance || swaps == MAX_SWAPS {
                break;
            }
            let on_paper: HashSet<usize> = chosen.iter().flatten().copied().collect();
            let used_groups: HashSet<usize> = chosen.iter().flatten().map(|q| group[*q]).collect();
            let mut candidates: Vec<usize> = (0..bank.questions.len())
                .filter(|r| !on_paper.contains(r) && !avoid.contains(r))
                .collect();
            // Seeded order, so among equally good swaps the seed decides.
            dice.shuffle(&mut candidates);
            let mut best: Option<(f64, usize, usize, usize)> = None;
            for &part in &parts {
                for (slot, &q) in chosen[part].iter().enumerate() {
                    let (bq, wq) = (&bank.questions[q], points(bank, blueprint, part, q));
                    for &r in &candidates {
                        let br = &bank.questions[r];
                        if br.section != bq.section || !eligible(br, &blueprint.parts[part]) {
                            continue;
                        }
                        // At most one question of a group (and of a leaking pair) on a paper.
                        if group[r] != group[q] && used_groups.contains(&group[r]) {
                            continue;
                        }
                        let wr = points(bank, blueprint, part, r);
                        let after = (earned - wq * p[q] + wr * p[r]) / (total - wq + wr);
                        let gap = (after - target.value).abs();
                        if best.is_none_or(|(g, ..)| gap < g) {
                            best = Some((gap, part, slot, r));
                        }
                    }
                }
            }
            match best {
                Some((gap, part, slot, r)) if gap < (now - target.value).abs() - 1e-12 => {
                    chosen[part][slot] = r;
                    swaps += 1;
                }
                _ => break,
            }
        }
        let now = facility_of(bank, blueprint, chosen, &parts, p);
        if (now - target.value).abs() > target.tolerance + 1e-9 {
            warnings.push(format!(
                "{name}: target_facility {:.2} ± {:.2}, but the bank allowed {:.3} at best",
                target.value, target.tolerance, now
            ));
        }
    }
}

/// The expected mean score of a drawn paper: Σ points × p, with the same p as the draw.
pub fn expected_mean(variant: &super::Variant, p: &[f64]) -> f64 {
    variant
        .questions()
        .map(|dq| dq.points.to_f64().unwrap_or(0.0) * p[dq.question])
        .sum()
}
