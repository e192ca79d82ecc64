//! Selection: which questions a paper holds — section quotas, a greedy seeded pass toward the difficulty
//! mix, then augmenting paths that complete any cell the greedy pass left short.

use std::collections::{HashMap, HashSet, VecDeque};

use rust_decimal::Decimal;

use super::*;
use crate::error::{Error, Result};
use crate::exam::dice::Dice;
use crate::input::bank::{Bank, Question};
use crate::input::blueprint::{Blueprint, Part, Spread, describe_mix, difficulty_targets};

/// What every selection pass of a draw reads: the bank, the blueprint, and the questions to keep off the
/// paper while the bank allows (used before, or on another variant's paper).
pub(super) struct DrawPool<'a> {
    pub bank: &'a Bank,
    pub blueprint: &'a Blueprint,
    pub avoid: &'a HashSet<usize>,
}

/// Selects question set `set` of `sets`, keeping `avoid` out if the bank allows, else letting the fewest
/// back in.
pub(super) fn select_avoiding(
    pool: &DrawPool,
    dice: &mut Dice,
    warnings: &mut Vec<String>,
    set: usize,
    sets: usize,
) -> Result<Vec<Vec<usize>>> {
    let avoid = pool.avoid;
    if !avoid.is_empty() {
        let mut strict = dice.fork();
        let mut local = Vec::new();
        if let Ok(chosen) = select_relaxing(pool, &mut strict, true, &mut local) {
            warnings.extend(local);
            return Ok(chosen);
        }
    }
    let mut local = Vec::new();
    let chosen = select_relaxing(pool, dice, false, &mut local)?;
    warnings.extend(local);
    let reused = chosen
        .iter()
        .flatten()
        .filter(|q| avoid.contains(q))
        .count();
    if reused > 0 {
        let which = if sets > 1 {
            format!("variant {}: ", variant_label(set))
        } else {
            String::new()
        };
        warnings.push(format!(
            "{which}{reused} question(s) used before had to be drawn again: the bank has too few others for this blueprint"
        ));
    }
    Ok(chosen)
}

/// A part's quota in one section (or, for `overflow`, anywhere in the part's sections).
pub(super) struct Cell {
    part: usize,
    section: Option<usize>,
    target: usize,
    /// Eligible questions in draw-preference order (shuffled; avoided ones last).
    eligible: Vec<usize>,
    chosen: Vec<usize>,
    hard: bool,
    /// How many questions of each difficulty level this cell should supply (from `allocate_levels`).
    levels: Option<[usize; 5]>,
}

/// Selects with the even/proportional spread; if groups shared across sections make that spread impossible,
/// selects again with only the counts and hard quotas, which is then exact.
pub(super) fn select_relaxing(
    pool: &DrawPool,
    dice: &mut Dice,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Vec<usize>>> {
    let mut relaxed_dice = dice.fork();
    let pass = |relax_soft| Pass {
        pool,
        strict,
        relax_soft,
        group_of: groups(pool.bank),
    };
    match pass(false).select(dice, warnings) {
        Ok(chosen) => Ok(chosen),
        Err(first) => {
            let soft = pool
                .blueprint
                .parts
                .iter()
                .any(|p| !matches!(p.spread, Spread::Quotas(_)));
            if !soft {
                return Err(first);
            }
            let chosen = pass(true)
                .select(&mut relaxed_dice, warnings)
                .map_err(|_| first)?;
            warnings.push("the questions could not be spread over the sections as asked (groups or other parts compete for them); counts and quotas are met".into());
            Ok(chosen)
        }
    }
}

/// One selection pass over a pool.
struct Pass<'a> {
    pool: &'a DrawPool<'a>,
    /// Avoided questions are out altogether, not merely drawn last.
    strict: bool,
    /// Parts without hard quotas take their count from any section.
    relax_soft: bool,
    /// Every question's group (see [`groups`]).
    group_of: Vec<usize>,
}

impl Pass<'_> {
    /// Selects the questions of every part: per part, bank question indices.
    fn select(&self, dice: &mut Dice, warnings: &mut Vec<String>) -> Result<Vec<Vec<usize>>> {
        let (bank, blueprint) = (self.pool.bank, self.pool.blueprint);
        let mut cells: Vec<Cell> = Vec::new();
        let mut part_targets: Vec<Option<[usize; 5]>> = Vec::new();
        for (pi, part) in blueprint.parts.iter().enumerate() {
            let first_cell = cells.len();
            cells.extend(self.part_cells(pi, dice)?);
            let target = part
                .difficulty
                .map(|shares| difficulty_targets(&shares, part.count));
            if let Some(target) = &target {
                share_levels(bank, &self.group_of, &mut cells[first_cell..], target);
            }
            part_targets.push(target);
        }
        self.fill(&mut cells, &part_targets)?;

        let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); blueprint.parts.len()];
        for cell in &cells {
            chosen[cell.part].extend(&cell.chosen);
        }
        for (pi, part) in blueprint.parts.iter().enumerate() {
            if let Some(target) = part_targets[pi] {
                let mut got = [0usize; 5];
                for q in &chosen[pi] {
                    got[bank.questions[*q].difficulty as usize - 1] += 1;
                }
                if got != target {
                    warnings.push(format!(
                        "part {} ({}): difficulty mix {} was the target; the draw achieved {} (the bank has too few questions of some levels in the sections drawn)",
                        pi + 1,
                        part.title,
                        describe_mix(&target),
                        describe_mix(&got)
                    ));
                }
            }
        }
        let kept = leak_kept(bank, blueprint, &chosen);
        if kept > 0 {
            warnings.push(format!(
                "{kept} question(s) were kept off this paper because a drawn question answers them or they answer it (answer leaks; `examgen check` lists the pairs)"
            ));
        }
        Ok(chosen)
    }

    /// Part `pi`'s cells: one per section with a target (or, for hard quotas, every quota), and for a part
    /// without hard quotas an overflow cell over all its sections.
    fn part_cells(&self, pi: usize, dice: &mut Dice) -> Result<Vec<Cell>> {
        let DrawPool {
            bank,
            blueprint,
            avoid,
        } = *self.pool;
        let part = &blueprint.parts[pi];
        let eligible_in = |s: usize| -> Vec<usize> {
            bank.questions
                .iter()
                .enumerate()
                .filter(|(i, q)| {
                    q.section == s && eligible(q, part) && !(self.strict && avoid.contains(i))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let per_section: Vec<Vec<usize>> = (0..bank.sections.len()).map(eligible_in).collect();
        let capacity: Vec<usize> = per_section
            .iter()
            .map(|qs| {
                qs.iter()
                    .map(|q| self.group_of[*q])
                    .collect::<HashSet<_>>()
                    .len()
            })
            .collect();
        let (targets, hard) = section_targets(bank, part, pi, &capacity, dice)?;
        let mut cells = Vec::new();
        for (s, target) in targets.iter().enumerate() {
            if (*target == 0 && hard) || (self.relax_soft && !hard) {
                continue;
            }
            let mut list = per_section[s].clone();
            prefer(&mut list, avoid, dice);
            cells.push(Cell {
                part: pi,
                section: Some(s),
                target: *target,
                eligible: list,
                chosen: Vec::new(),
                hard,
                levels: None,
            });
        }
        if !hard {
            let mut all: Vec<usize> = per_section.concat();
            prefer(&mut all, avoid, dice);
            let target = if self.relax_soft { part.count } else { 0 };
            cells.push(Cell {
                part: pi,
                section: None,
                target,
                eligible: all,
                chosen: Vec::new(),
                hard: false,
                levels: None,
            });
        }
        Ok(cells)
    }

    /// Fills every cell: the seeded greedy pass, then augmenting paths for any cell left short. A soft cell
    /// that cannot be filled hands its shortfall to its part's overflow cell; a hard one is an error.
    fn fill(&self, cells: &mut [Cell], part_targets: &[Option<[usize; 5]>]) -> Result<()> {
        let group_of = &self.group_of;
        // Which cell holds each group, and through which question.
        let mut holder: HashMap<usize, (usize, usize)> = HashMap::new();
        greedy_fill(self.pool.bank, cells, group_of, part_targets, &mut holder);

        let mut order: Vec<usize> = (0..cells.len()).collect();
        order.sort_by_key(|c| (!cells[*c].hard, cells[*c].section.is_none()));
        for c in order {
            while cells[c].chosen.len() < cells[c].target {
                if augment(cells, c, group_of, &mut holder) {
                    continue;
                }
                if cells[c].hard || cells[c].section.is_none() {
                    return Err(shortage(
                        self.pool.bank,
                        self.pool.blueprint,
                        &cells[c],
                        group_of,
                    ));
                }
                // A soft cell that cannot be filled hands its shortfall to the part's overflow cell.
                cells[c].target -= 1;
                let overflow = cells
                    .iter()
                    .position(|x| x.part == cells[c].part && x.section.is_none())
                    .expect("soft parts have an overflow cell");
                cells[overflow].target += 1;
                // Overflow cells sort after every section cell, so the loop reaches this one later.
            }
        }
        Ok(())
    }
}

/// Shares a part's difficulty `target` among its cells with a count, by what each cell's groups can supply
/// of every level (`allocate_levels`).
fn share_levels(bank: &Bank, group_of: &[usize], cells: &mut [Cell], target: &[usize; 5]) {
    let members: Vec<usize> = (0..cells.len()).filter(|c| cells[*c].target > 0).collect();
    let supply: Vec<[usize; 5]> = members
        .iter()
        .map(|c| {
            let mut groups: [HashSet<usize>; 5] = Default::default();
            for q in &cells[*c].eligible {
                groups[bank.questions[*q].difficulty as usize - 1].insert(group_of[*q]);
            }
            groups.map(|g| g.len())
        })
        .collect();
    let wants: Vec<usize> = members.iter().map(|c| cells[*c].target).collect();
    for (c, levels) in members.iter().zip(allocate_levels(&wants, &supply, target)) {
        cells[*c].levels = Some(levels);
    }
}

/// The group of every question: its `group:` name, or itself alone, with the two questions of an answer
/// leak (`Bank::leaks`) joined into one group so no paper holds both.
pub(super) fn groups(bank: &Bank) -> Vec<usize> {
    let n = bank.questions.len();
    let mut named: HashMap<&str, usize> = HashMap::new();
    // Union-find over questions; a group is named by its smallest question index.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    fn union(parent: &mut [usize], a: usize, b: usize) {
        let (ra, rb) = (find(parent, a), find(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    for (i, q) in bank.questions.iter().enumerate() {
        if let Some(g) = &q.group {
            let first = *named.entry(g.as_str()).or_insert(i);
            union(&mut parent, first, i);
        }
    }
    for &(q, r) in &bank.leaks {
        union(&mut parent, q, r);
    }
    (0..n).map(|i| find(&mut parent, i)).collect()
}

/// How many questions eligible for this paper stayed off it only because a drawn question leaks into them
/// or they into it.
fn leak_kept(bank: &Bank, blueprint: &Blueprint, chosen: &[Vec<usize>]) -> usize {
    let on_paper: HashSet<usize> = chosen.iter().flatten().copied().collect();
    let kept: HashSet<usize> = on_paper
        .iter()
        .flat_map(|&q| bank.leak_partners(q))
        .filter(|r| {
            !on_paper.contains(r)
                && blueprint
                    .parts
                    .iter()
                    .any(|p| eligible(&bank.questions[*r], p))
        })
        .collect();
    kept.len()
}

pub(super) fn eligible(q: &Question, part: &Part) -> bool {
    q.kind == part.kind && (part.tags.is_empty() || q.tags.iter().any(|t| part.tags.contains(t)))
}

/// Shuffles `list`, then moves avoided questions to the end (stable), so they are drawn only when needed.
pub(super) fn prefer(list: &mut [usize], avoid: &HashSet<usize>, dice: &mut Dice) {
    dice.shuffle(list);
    if !avoid.is_empty() {
        list.sort_by_key(|q| avoid.contains(q));
    }
}

/// The per-section counts of a part, and whether they are hard quotas.
pub(super) fn section_targets(
    bank: &Bank,
    part: &Part,
    part_index: usize,
    capacity: &[usize],
    dice: &mut Dice,
) -> Result<(Vec<usize>, bool)> {
    let sections = bank.sections.len();
    let supply: usize = capacity.iter().sum();
    match &part.spread {
        Spread::Quotas(quotas) => {
            let mut targets = vec![0; sections];
            for (id, n) in quotas {
                let s = section_named(bank, part, part_index, id, "a quota")?;
                targets[s] += n;
            }
            Ok((targets, true))
        }
        _ if supply < part.count => Err(Error::input(format!(
            "part {} ({}) needs {} {} questions{}, but the bank has only {supply}{}",
            part_index + 1,
            part.title,
            part.count,
            part.kind,
            tag_clause(part),
            if supply < bank.questions.iter().filter(|q| eligible(q, part)).count() {
                " once groups are counted (one question per group per paper)"
            } else {
                ""
            },
        ))
        .because(per_section_supply(bank, capacity))),
        Spread::Even => Ok((spread_even(part.count, capacity, dice), false)),
        Spread::Proportional => Ok((spread_proportional(part.count, capacity), false)),
        Spread::Weighted(shares) => {
            let mut weights = vec![Decimal::ZERO; sections];
            match shares {
                Some(shares) => {
                    for (id, w) in shares {
                        weights[section_named(bank, part, part_index, id, "a share")?] += *w;
                    }
                }
                None => {
                    let missing: Vec<&str> = bank
                        .sections
                        .iter()
                        .filter(|s| s.weight.is_none())
                        .map(|s| s.id.as_str())
                        .collect();
                    if !missing.is_empty() {
                        return Err(Error::input(format!(
                            "part {} ({}) is spread `weighted`, but section(s) {} declare no `weight:`",
                            part_index + 1,
                            part.title,
                            missing.join(", ")
                        ))
                        .because("add `weight: 10%` (the section's share of the source) under `section:` in each file, or give the shares in the blueprint: `sections: {a: 60%, b: 40%}`"));
                    }
                    for (w, s) in weights.iter_mut().zip(&bank.sections) {
                        *w = s.weight.unwrap_or_default();
                    }
                }
            }
            Ok((spread_weighted(part.count, &weights, capacity), false))
        }
    }
}

/// The index of section `id`, named in a part's `sections:`; an id the bank lacks is an error with a hint.
fn section_named(
    bank: &Bank,
    part: &Part,
    part_index: usize,
    id: &str,
    what: &str,
) -> Result<usize> {
    bank.section_named(id).ok_or_else(|| {
        let ids: Vec<&str> = bank.sections.iter().map(|s| s.id.as_str()).collect();
        let hint = crate::input::yaml::closest(id, &ids).map_or_else(
            || {
                format!(
                    "name a section by its id or its title; the bank's sections are: {}",
                    bank.section_list()
                )
            },
            |b| format!("did you mean `{b}`?"),
        );
        Error::input(format!(
            "part {} ({}) has {what} for section `{id}`, which the bank {} does not have",
            part_index + 1,
            part.title,
            bank.root.display()
        ))
        .because(hint)
    })
}

/// In proportion to weight, but at least one question for every weighted section that has any (when the
/// count allows one each) and at most each section's capacity; rounded by largest remainder (ties to the
/// earlier section). What weighted sections cannot supply goes to the others in bank order.
pub fn spread_weighted(count: usize, weights: &[Decimal], capacity: &[usize]) -> Vec<usize> {
    let n = capacity.len();
    let count = count.min(capacity.iter().sum());
    // Sections whose target is settled: unweighted or empty ones at 0, small ones at 1, full ones at capacity.
    let mut fixed: Vec<Option<usize>> = (0..n)
        .map(|s| (weights[s] <= Decimal::ZERO || capacity[s] == 0).then_some(0))
        .collect();
    let active = fixed.iter().filter(|f| f.is_none()).count();
    let mut targets = vec![0; n];
    loop {
        let free: Vec<usize> = (0..n).filter(|s| fixed[*s].is_none()).collect();
        let left = count.saturating_sub(fixed.iter().flatten().sum());
        let total: Decimal = free.iter().map(|s| weights[*s]).sum();
        if free.is_empty() || total.is_zero() {
            break;
        }
        let ideal = |s: usize| weights[s] * Decimal::from(left) / total;
        let mut changed = false;
        for &s in &free {
            if ideal(s) > Decimal::from(capacity[s]) {
                fixed[s] = Some(capacity[s]);
                changed = true;
            } else if ideal(s) < Decimal::ONE && count >= active {
                fixed[s] = Some(1);
                changed = true;
            }
        }
        if changed {
            continue;
        }
        let exact: Vec<(usize, Decimal)> = free.iter().map(|s| (*s, ideal(*s))).collect();
        for (s, e) in &exact {
            targets[*s] = e.floor().try_into().unwrap_or(0);
        }
        let mut rest = left - free.iter().map(|s| targets[*s]).sum::<usize>();
        let mut order = exact.clone();
        order.sort_by(|a, b| {
            (b.1 - b.1.floor())
                .cmp(&(a.1 - a.1.floor()))
                .then(a.0.cmp(&b.0))
        });
        for (s, _) in order {
            if rest > 0 && targets[s] < capacity[s] {
                targets[s] += 1;
                rest -= 1;
            }
        }
        break;
    }
    for (s, f) in fixed.iter().enumerate() {
        if let Some(f) = f {
            targets[s] = *f;
        }
    }
    let mut rest = count - targets.iter().sum::<usize>().min(count);
    for s in 0..n {
        let add = rest.min(capacity[s] - targets[s]);
        targets[s] += add;
        rest -= add;
    }
    targets
}

pub(super) fn tag_clause(part: &Part) -> String {
    if part.tags.is_empty() {
        String::new()
    } else {
        format!(" tagged {}", part.tags.join("/"))
    }
}

pub(super) fn per_section_supply(bank: &Bank, capacity: &[usize]) -> String {
    let cells: Vec<String> = bank
        .sections
        .iter()
        .zip(capacity)
        .map(|(s, c)| format!("{} {c}", s.id))
        .collect();
    format!("available per section: {}", cells.join(", "))
}

/// As evenly as possible, capped by each section's capacity; the remainder goes to sections chosen by the seed.
pub fn spread_even(count: usize, capacity: &[usize], dice: &mut Dice) -> Vec<usize> {
    let mut targets = vec![0; capacity.len()];
    let mut remaining = count.min(capacity.iter().sum());
    while remaining > 0 {
        let mut open: Vec<usize> = (0..capacity.len())
            .filter(|s| targets[*s] < capacity[*s])
            .collect();
        let base = remaining / open.len();
        if base == 0 {
            dice.shuffle(&mut open);
            for s in open.into_iter().take(remaining) {
                targets[s] += 1;
            }
            break;
        }
        for s in open {
            let add = base.min(capacity[s] - targets[s]);
            targets[s] += add;
            remaining -= add;
        }
    }
    targets
}

/// In proportion to capacity, by largest remainder (ties to the earlier section).
pub fn spread_proportional(count: usize, capacity: &[usize]) -> Vec<usize> {
    let supply: usize = capacity.iter().sum();
    if supply == 0 {
        return vec![0; capacity.len()];
    }
    let count = count.min(supply);
    let mut targets: Vec<usize> = capacity.iter().map(|c| c * count / supply).collect();
    let mut order: Vec<usize> = (0..capacity.len()).collect();
    // Remainder of c*count/supply, compared exactly as integers.
    order.sort_by_key(|s| (std::cmp::Reverse(capacity[*s] * count % supply), *s));
    let mut left = count - targets.iter().sum::<usize>();
    for s in order {
        if left == 0 {
            break;
        }
        if targets[s] < capacity[s] {
            targets[s] += 1;
            left -= 1;
        }
    }
    targets
}

/// Fills cells round-robin within each part, choosing each pick's difficulty by the part's largest deficit.
pub(super) fn greedy_fill(
    bank: &Bank,
    cells: &mut [Cell],
    group_of: &[usize],
    part_targets: &[Option<[usize; 5]>],
    holder: &mut HashMap<usize, (usize, usize)>,
) {
    // Hard quotas first: they have no freedom, while soft cells can still move aside.
    let mut parts: Vec<usize> = (0..part_targets.len()).collect();
    parts.sort_by_key(|p| !cells.iter().any(|c| c.part == *p && c.hard));
    for p in parts {
        let members: Vec<usize> = (0..cells.len()).filter(|c| cells[*c].part == p).collect();
        let mut have = [0usize; 5];
        let mut cursor: HashMap<usize, usize> = HashMap::new();
        loop {
            let mut progressed = false;
            for &c in &members {
                if cells[c].chosen.len() >= cells[c].target {
                    continue;
                }
                let free = |q: &usize| !holder.contains_key(&group_of[*q]);
                let pick = match (cells[c].levels, part_targets[p]) {
                    (Some(alloc), _) => {
                        // The cell's own allocation first; then whatever level the part still lacks most.
                        let mut own = [0usize; 5];
                        for q in &cells[c].chosen {
                            own[bank.questions[*q].difficulty as usize - 1] += 1;
                        }
                        let mut levels: Vec<usize> = (0..5).collect();
                        levels.sort_by_key(|l| {
                            (
                                std::cmp::Reverse(alloc[*l] as i64 - own[*l] as i64),
                                std::cmp::Reverse(alloc[*l]),
                                *l,
                            )
                        });
                        levels.iter().find_map(|l| {
                            cells[c].eligible.iter().copied().find(|q| {
                                bank.questions[*q].difficulty as usize - 1 == *l && free(q)
                            })
                        })
                    }
                    (None, Some(target)) => {
                        // Levels by remaining deficit, largest first; take the first free question of the best level.
                        let mut levels: Vec<usize> = (0..5).collect();
                        levels.sort_by_key(|l| {
                            (
                                std::cmp::Reverse(target[*l] as i64 - have[*l] as i64),
                                std::cmp::Reverse(target[*l]),
                                *l,
                            )
                        });
                        levels.iter().find_map(|l| {
                            cells[c].eligible.iter().copied().find(|q| {
                                bank.questions[*q].difficulty as usize - 1 == *l && free(q)
                            })
                        })
                    }
                    (None, None) => {
                        let start = cursor.entry(c).or_insert(0);
                        let list = &cells[c].eligible;
                        while *start < list.len() && !free(&list[*start]) {
                            *start += 1;
                        }
                        list.get(*start).copied()
                    }
                };
                if let Some(q) = pick {
                    holder.insert(group_of[q], (c, q));
                    cells[c].chosen.push(q);
                    have[bank.questions[q].difficulty as usize - 1] += 1;
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
    }
}

/// Finds an augmenting path from cell `start` and applies it: `start` gains one question, no cell loses one.
pub(super) fn augment(
    cells: &mut [Cell],
    start: usize,
    group_of: &[usize],
    holder: &mut HashMap<usize, (usize, usize)>,
) -> bool {
    // parent[cell] = (previous cell, question that previous cell takes, group of it)
    let mut parent: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut seen_groups: HashSet<usize> = HashSet::new();
    let mut seen_cells: HashSet<usize> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(c) = queue.pop_front() {
        for &q in &cells[c].eligible {
            let g = group_of[q];
            if !seen_groups.insert(g) {
                continue;
            }
            match holder.get(&g).copied() {
                None => {
                    // Walk back: each cell on the path takes the question that frees the next one's group.
                    let (mut cell, mut question) = (c, q);
                    loop {
                        let group = group_of[question];
                        if let Some((_, old)) = holder.get(&group).copied() {
                            // `cell` takes over `group` from its holder (which is the next cell down the path).
                            let (prev_holder, _) = holder[&group];
                            cells[prev_holder].chosen.retain(|x| *x != old);
                        }
                        holder.insert(group, (cell, question));
                        cells[cell].chosen.push(question);
                        match parent.get(&cell) {
                            Some(&(prev, prev_question)) => {
                                cell = prev;
                                question = prev_question;
                            }
                            None => return true,
                        }
                    }
                }
                Some((owner, _)) => {
                    if owner != c && seen_cells.insert(owner) {
                        parent.insert(owner, (c, q));
                        queue.push_back(owner);
                    }
                }
            }
        }
    }
    false
}

pub(super) fn shortage(
    bank: &Bank,
    blueprint: &Blueprint,
    cell: &Cell,
    group_of: &[usize],
) -> Error {
    let part = &blueprint.parts[cell.part];
    let groups = |qs: &[usize]| {
        qs.iter()
            .map(|q| group_of[*q])
            .collect::<HashSet<_>>()
            .len()
    };
    match cell.section {
        Some(s) => {
            let in_section = bank.questions.iter().filter(|q| q.section == s && q.kind == part.kind).count();
            Error::input(format!(
                "part {} ({}) cannot be drawn: section `{}` needs {} {} questions{}, {} short",
                cell.part + 1,
                part.title,
                bank.sections[s].id,
                cell.target,
                part.kind,
                tag_clause(part),
                cell.target - cell.chosen.len()
            ))
            .because({
                let distinct = groups(&cell.eligible);
                let competition = if distinct >= cell.target {
                    ", and other parts or groups of this paper already use some of them"
                } else {
                    ""
                };
                format!(
                    "the bank has {in_section} {} questions in `{}`, {} eligible ({distinct} distinct groups){competition}",
                    part.kind,
                    bank.sections[s].id,
                    cell.eligible.len(),
                )
            })
        }
        None => Error::input(format!(
            "part {} ({}) cannot be drawn: it needs {} {} questions{}, {} short once other parts and groups are served",
            cell.part + 1,
            part.title,
            part.count,
            part.kind,
            tag_clause(part),
            cell.target - cell.chosen.len()
        ))
        .because(format!("the bank has {} eligible questions in {} distinct groups", cell.eligible.len(), groups(&cell.eligible))),
    }
}
