//! The draw: picks each paper's questions from the bank by a blueprint, seeded and section-balanced,
//! then orders them and shuffles options per variant.
//!
//! Selection is a bipartite b-matching between *cells* (a part's quota in one section) and *groups* (a
//! `group:` of the bank, or a lone question), since a paper may hold at most one question per group. A
//! seeded greedy pass fills the cells, steering toward the difficulty targets; augmenting paths then
//! complete any cell the greedy pass left short. Augmenting paths reach a maximum matching, so if any
//! draw satisfies the counts, quotas, tags, types and groups, this finds one. See docs/blueprint-format.md.

pub mod record;

use std::collections::{HashMap, HashSet, VecDeque};

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::exam::dice::Dice;
use crate::input::bank::{Answer, Bank, Question};
use crate::input::blueprint::{Blueprint, Part, Spread, describe_mix, difficulty_targets};

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
    let mut sets = Vec::new();
    let set_count = if options.distinct { variants } else { 1 };
    for v in 0..set_count {
        let mut select_dice = dice.fork();
        let chosen = select_avoiding(
            bank,
            blueprint,
            &mut select_dice,
            &avoid,
            &mut warnings,
            v,
            set_count,
        )?;
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
    let mut out = Vec::new();
    for v in 0..variants {
        let set = &sets[if options.distinct { v } else { 0 }];
        let mut order_dice = dice.fork();
        out.push(arrange(
            bank,
            blueprint,
            set,
            variant_label(v),
            &mut order_dice,
        ));
    }
    Ok(Draw {
        seed: options.seed,
        distinct: options.distinct,
        variants: out,
        warnings,
    })
}

/// Selects one question set, keeping `avoid` out if the bank allows, else letting the fewest back in.
fn select_avoiding(
    bank: &Bank,
    blueprint: &Blueprint,
    dice: &mut Dice,
    avoid: &HashSet<usize>,
    warnings: &mut Vec<String>,
    set: usize,
    sets: usize,
) -> Result<Vec<Vec<usize>>> {
    if !avoid.is_empty() {
        let mut strict = dice.fork();
        let mut local = Vec::new();
        if let Ok(chosen) = select_relaxing(bank, blueprint, &mut strict, avoid, true, &mut local) {
            warnings.extend(local);
            return Ok(chosen);
        }
    }
    let mut local = Vec::new();
    let chosen = select_relaxing(bank, blueprint, dice, avoid, false, &mut local)?;
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
struct Cell {
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
fn select_relaxing(
    bank: &Bank,
    blueprint: &Blueprint,
    dice: &mut Dice,
    avoid: &HashSet<usize>,
    strict: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Vec<usize>>> {
    let mut relaxed_dice = dice.fork();
    match select(bank, blueprint, dice, avoid, strict, false, warnings) {
        Ok(chosen) => Ok(chosen),
        Err(first) => {
            let soft = blueprint
                .parts
                .iter()
                .any(|p| !matches!(p.spread, Spread::Quotas(_)));
            if !soft {
                return Err(first);
            }
            let chosen = select(
                bank,
                blueprint,
                &mut relaxed_dice,
                avoid,
                strict,
                true,
                warnings,
            )
            .map_err(|_| first)?;
            warnings.push("the questions could not be spread over the sections as asked (groups or other parts compete for them); counts and quotas are met".into());
            Ok(chosen)
        }
    }
}

/// Selects the questions of every part: per part, bank question indices. With `relax_soft`, parts without
/// hard quotas take their count from any section.
fn select(
    bank: &Bank,
    blueprint: &Blueprint,
    dice: &mut Dice,
    avoid: &HashSet<usize>,
    strict: bool,
    relax_soft: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<Vec<usize>>> {
    // Group of every question: its `group:` name, or itself alone.
    let mut group_ids: HashMap<&str, usize> = HashMap::new();
    let group_of: Vec<usize> = bank
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| match &q.group {
            Some(g) => {
                let next = bank.questions.len() + group_ids.len();
                *group_ids.entry(g.as_str()).or_insert(next)
            }
            None => i,
        })
        .collect();

    let mut cells: Vec<Cell> = Vec::new();
    let mut part_targets: Vec<Option<[usize; 5]>> = Vec::new();
    for (pi, part) in blueprint.parts.iter().enumerate() {
        let eligible_in = |s: usize| -> Vec<usize> {
            bank.questions
                .iter()
                .enumerate()
                .filter(|(i, q)| {
                    q.section == s && eligible(q, part) && !(strict && avoid.contains(i))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let per_section: Vec<Vec<usize>> = (0..bank.sections.len()).map(eligible_in).collect();
        let capacity: Vec<usize> = per_section
            .iter()
            .map(|qs| {
                qs.iter()
                    .map(|q| group_of[*q])
                    .collect::<HashSet<_>>()
                    .len()
            })
            .collect();
        let (targets, hard) = section_targets(bank, part, pi, &capacity, dice)?;
        part_targets.push(
            part.difficulty
                .map(|shares| difficulty_targets(&shares, part.count)),
        );
        let first_cell = cells.len();
        for (s, target) in targets.iter().enumerate() {
            if (*target == 0 && hard) || (relax_soft && !hard) {
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
            let target = if relax_soft { part.count } else { 0 };
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
        if let Some(target) = part_targets[pi] {
            let members: Vec<usize> = (first_cell..cells.len())
                .filter(|c| cells[*c].target > 0)
                .collect();
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
            for (c, levels) in members
                .iter()
                .zip(allocate_levels(&wants, &supply, &target))
            {
                cells[*c].levels = Some(levels);
            }
        }
    }

    // Which cell holds each group, and through which question.
    let mut holder: HashMap<usize, (usize, usize)> = HashMap::new();
    greedy_fill(bank, &mut cells, &group_of, &part_targets, &mut holder);

    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by_key(|c| (!cells[*c].hard, cells[*c].section.is_none()));
    for c in order {
        while cells[c].chosen.len() < cells[c].target {
            if augment(&mut cells, c, &group_of, &mut holder) {
                continue;
            }
            if cells[c].hard || cells[c].section.is_none() {
                return Err(shortage(bank, blueprint, &cells[c], &group_of));
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
    Ok(chosen)
}

fn eligible(q: &Question, part: &Part) -> bool {
    q.kind == part.kind && (part.tags.is_empty() || q.tags.iter().any(|t| part.tags.contains(t)))
}

/// Shuffles `list`, then moves avoided questions to the end (stable), so they are drawn only when needed.
fn prefer(list: &mut [usize], avoid: &HashSet<usize>, dice: &mut Dice) {
    dice.shuffle(list);
    if !avoid.is_empty() {
        list.sort_by_key(|q| avoid.contains(q));
    }
}

/// The per-section counts of a part, and whether they are hard quotas.
fn section_targets(
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
                let Some(s) = bank.section_index(id) else {
                    let ids: Vec<&str> = bank.sections.iter().map(|s| s.id.as_str()).collect();
                    let hint = crate::input::yaml::closest(id, &ids).map_or_else(
                        || format!("the bank's sections are: {}", ids.join(", ")),
                        |b| format!("did you mean `{b}`?"),
                    );
                    return Err(Error::input(format!(
                        "part {} ({}) has a quota for section `{id}`, which the bank {} does not have",
                        part_index + 1,
                        part.title,
                        bank.root.display()
                    ))
                    .because(hint));
                };
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
    }
}

fn tag_clause(part: &Part) -> String {
    if part.tags.is_empty() {
        String::new()
    } else {
        format!(" tagged {}", part.tags.join("/"))
    }
}

fn per_section_supply(bank: &Bank, capacity: &[usize]) -> String {
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
fn greedy_fill(
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

/// Splits each cell's count over the difficulty levels so that the part's level targets are met as closely
/// as the supply allows: a min-cost flow from cells to levels, where a question beyond a level's target
/// costs 1. `supply[c][l]` is how many groups of level `l` cell `c` offers.
pub fn allocate_levels(
    wants: &[usize],
    supply: &[[usize; 5]],
    targets: &[usize; 5],
) -> Vec<[usize; 5]> {
    // Nodes: 0 source, 1..=C cells, C+1..=C+5 levels, C+6 sink.
    let c = wants.len();
    let sink = c + 6;
    let mut graph = MinCostFlow::new(c + 7);
    for (i, want) in wants.iter().enumerate() {
        graph.edge(0, 1 + i, *want as i64, 0);
        for l in 0..5 {
            graph.edge(1 + i, c + 1 + l, supply[i][l] as i64, 0);
        }
    }
    for (l, target) in targets.iter().enumerate() {
        graph.edge(c + 1 + l, sink, *target as i64, 0);
        graph.edge(c + 1 + l, sink, i64::MAX / 4, 1);
    }
    graph.run(0, sink);
    (0..c)
        .map(|i| {
            let mut levels = [0usize; 5];
            for e in &graph.edges {
                if e.from == 1 + i && e.to > c && e.to <= c + 5 && e.cap_original > 0 {
                    levels[e.to - c - 1] += (e.cap_original - e.cap) as usize;
                }
            }
            levels
        })
        .collect()
}

struct FlowEdge {
    from: usize,
    to: usize,
    cap: i64,
    cap_original: i64,
    cost: i64,
}

/// Successive shortest paths with Bellman–Ford; the graphs here have a few dozen nodes.
struct MinCostFlow {
    edges: Vec<FlowEdge>,
    adjacent: Vec<Vec<usize>>,
}

impl MinCostFlow {
    fn new(nodes: usize) -> MinCostFlow {
        MinCostFlow {
            edges: Vec::new(),
            adjacent: vec![Vec::new(); nodes],
        }
    }

    fn edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) {
        self.adjacent[from].push(self.edges.len());
        self.edges.push(FlowEdge {
            from,
            to,
            cap,
            cap_original: cap,
            cost,
        });
        self.adjacent[to].push(self.edges.len());
        self.edges.push(FlowEdge {
            from: to,
            to: from,
            cap: 0,
            cap_original: 0,
            cost: -cost,
        });
    }

    fn run(&mut self, source: usize, sink: usize) {
        let n = self.adjacent.len();
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut via = vec![usize::MAX; n];
            dist[source] = 0;
            for _ in 0..n {
                let mut changed = false;
                for (i, e) in self.edges.iter().enumerate() {
                    if e.cap > 0 && dist[e.from] != i64::MAX && dist[e.from] + e.cost < dist[e.to] {
                        dist[e.to] = dist[e.from] + e.cost;
                        via[e.to] = i;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] == i64::MAX {
                return;
            }
            let mut push = i64::MAX;
            let mut v = sink;
            while v != source {
                let e = &self.edges[via[v]];
                push = push.min(e.cap);
                v = e.from;
            }
            let mut v = sink;
            while v != source {
                let i = via[v];
                self.edges[i].cap -= push;
                self.edges[i ^ 1].cap += push;
                v = self.edges[i].from;
            }
        }
    }
}

/// Finds an augmenting path from cell `start` and applies it: `start` gains one question, no cell loses one.
fn augment(
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

fn shortage(bank: &Bank, blueprint: &Blueprint, cell: &Cell, group_of: &[usize]) -> Error {
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

/// Orders one variant: questions shuffled within each part, options shuffled, answers remapped.
fn arrange(
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
fn shuffle_options(q: &Question, dice: &mut Dice) -> Vec<usize> {
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
