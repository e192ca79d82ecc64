//! The draw: property tests over random banks and blueprints (counts, quotas, groups, answer remapping,
//! infeasibility, reproducibility), exactness against brute force on tiny banks, and a golden draw.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use examgen::exam::draw::{DrawOptions, draw};
use examgen::input::bank::{Answer, Bank, Origin, Question, QuestionType, Section, leak_pairs};
use examgen::input::blueprint::{Blueprint, Part, Scoring, Spread};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn origin() -> Origin {
    Origin {
        file: PathBuf::from("mem.yaml"),
        path: String::new(),
    }
}

/// (section, type, difficulty, group) per question; options and answers are made up to fit the type.
type Spec = (usize, QuestionType, u8, Option<u8>);

fn make_bank(sections: usize, specs: &[Spec]) -> Bank {
    let questions = specs
        .iter()
        .enumerate()
        .map(|(i, (s, kind, d, g))| {
            let (options, answer) = match kind {
                QuestionType::Single => (
                    vec!["甲".into(), "乙".into(), "丙".into(), "丁".into()],
                    Answer::Single(i % 4),
                ),
                QuestionType::Multiple => (
                    vec![
                        "甲".into(),
                        "乙".into(),
                        "丙".into(),
                        "丁".into(),
                        "戊".into(),
                    ],
                    Answer::Multiple(
                        vec![i % 5, (i + 2) % 5]
                            .into_iter()
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .collect(),
                    ),
                ),
                QuestionType::Judge => (vec![], Answer::Judge(i % 2 == 0)),
                QuestionType::Blank => (vec![], Answer::Blank(vec![vec!["答".into()]])),
                QuestionType::Short => (vec![], Answer::Short("要点".into())),
            };
            Question {
                id: format!("q{i}"),
                section: *s,
                kind: *kind,
                stem: format!("题{i}").into(),
                options,
                answer,
                difficulty: *d,
                tags: if i % 3 == 0 { vec!["t".into()] } else { vec![] },
                note: None,
                quote: None,
                explanation: None,
                shuffle: i % 4 != 0,
                keep_last: usize::from(i % 5 == 0 && kind.has_options()),
                group: g.map(|g| format!("g{g}")),
                points: None,
                lines: 5,
                origin: origin(),
            }
        })
        .collect();
    Bank {
        root: PathBuf::from("mem"),
        sections: (0..sections)
            .map(|s| Section {
                id: format!("s{s}"),
                title: format!("S{s}"),
                order: None,
                weight: None,
                origin: origin(),
            })
            .collect(),
        notes: vec![],
        questions,
        digest: "test".into(),
        images: Default::default(),
        warnings: vec![],
        leaks: vec![],
    }
}

fn part(kind: QuestionType, count: usize, spread: Spread) -> Part {
    Part {
        title: kind.chinese_name().into(),
        kind,
        count,
        points: Decimal::ONE,
        instructions: None,
        spread,
        difficulty: None,
        tags: vec![],
        scoring: Scoring::AllOrNothing,
        target_facility: None,
    }
}

fn blueprint(parts: Vec<Part>) -> Blueprint {
    Blueprint {
        path: PathBuf::from("mem-blueprint.yaml"),
        digest: "test".into(),
        title: "T".into(),
        subtitle: None,
        duration: None,
        bank: PathBuf::from("mem"),
        layout: "a4".into(),
        notice: None,
        fonts: None,
        templates: None,
        duplex: false,
        score_boxes: false,
        density: None,
        autospace: true,
        target_facility: None,
        parts,
    }
}

fn kinds() -> impl Strategy<Value = QuestionType> {
    prop_oneof![
        Just(QuestionType::Single),
        Just(QuestionType::Multiple),
        Just(QuestionType::Judge)
    ]
}

fn specs(sections: usize, max: usize) -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(
        (
            0..sections,
            kinds(),
            1u8..=5,
            proptest::option::weighted(0.3, 0u8..6),
        ),
        1..max,
    )
}

/// One variant, no exclusions: what most tests draw.
fn draw_once(
    bank: &Bank,
    bp: &Blueprint,
    seed: u64,
) -> examgen::error::Result<examgen::exam::draw::Draw> {
    draw(
        bank,
        bp,
        &DrawOptions {
            seed,
            variants: 1,
            ..DrawOptions::default()
        },
    )
}

/// Every invariant a successful draw must satisfy.
fn check_draw(
    bank: &Bank,
    bp: &Blueprint,
    d: &examgen::exam::draw::Draw,
) -> Result<(), TestCaseError> {
    for v in &d.variants {
        let mut seen = HashSet::new();
        let mut groups = HashSet::new();
        let mut number = 0;
        for dp in &v.parts {
            let part = &bp.parts[dp.part];
            prop_assert_eq!(dp.questions.len(), part.count);
            if let Spread::Quotas(quotas) = &part.spread {
                for (id, n) in quotas {
                    let got = dp
                        .questions
                        .iter()
                        .filter(|q| bank.sections[bank.questions[q.question].section].id == *id)
                        .count();
                    prop_assert_eq!(got, *n, "quota of {}", id);
                }
            }
            for dq in &dp.questions {
                number += 1;
                prop_assert_eq!(dq.number, number);
                let q = &bank.questions[dq.question];
                prop_assert_eq!(q.kind, part.kind);
                prop_assert!(seen.insert(dq.question), "question drawn twice");
                if let Some(g) = &q.group {
                    prop_assert!(groups.insert(g.clone()), "group {} twice in one paper", g);
                }
                // The printed answer maps back to the original correct options.
                let mut order = dq.option_order.clone();
                order.sort_unstable();
                prop_assert_eq!(order, (0..q.options.len()).collect::<Vec<_>>());
                match (&q.answer, &dq.answer) {
                    (Answer::Single(orig), Answer::Single(printed)) => {
                        prop_assert_eq!(dq.option_order[*printed], *orig)
                    }
                    (Answer::Multiple(orig), Answer::Multiple(printed)) => {
                        let mut back: Vec<usize> =
                            printed.iter().map(|p| dq.option_order[*p]).collect();
                        back.sort_unstable();
                        prop_assert_eq!(&back, orig);
                    }
                    (a, b) => prop_assert_eq!(a, b),
                }
                if !q.shuffle {
                    prop_assert_eq!(
                        dq.option_order.clone(),
                        (0..q.options.len()).collect::<Vec<_>>()
                    );
                }
                if q.keep_last > 0 {
                    let n = q.options.len();
                    prop_assert_eq!(dq.option_order[n - 1], n - 1, "keep_last option moved");
                }
            }
        }
    }
    // Variants without --distinct hold the same questions.
    if !d.distinct {
        let set = |v: &examgen::exam::draw::Variant| {
            v.questions().map(|q| q.question).collect::<HashSet<_>>()
        };
        for v in &d.variants[1..] {
            prop_assert_eq!(set(v), set(&d.variants[0]));
        }
    }
    Ok(())
}

/// Brute force: is there a choice of questions meeting every part's count and quotas, with at most one
/// question per group? Only for tiny banks.
fn feasible(bank: &Bank, bp: &Blueprint) -> bool {
    // Cells: (part, Some(section)) for quotas, (part, None) for the whole part otherwise.
    let mut cells: Vec<(usize, Option<usize>, usize)> = Vec::new();
    for (pi, p) in bp.parts.iter().enumerate() {
        match &p.spread {
            Spread::Quotas(q) => {
                for (id, n) in q {
                    let Some(s) = bank.section_index(id) else {
                        return false;
                    };
                    cells.push((pi, Some(s), *n));
                }
            }
            _ => cells.push((pi, None, p.count)),
        }
    }
    let group = |i: usize| {
        bank.questions[i]
            .group
            .clone()
            .unwrap_or_else(|| format!("#{i}"))
    };
    fn go(
        bank: &Bank,
        bp: &Blueprint,
        cells: &[(usize, Option<usize>, usize)],
        c: usize,
        need: usize,
        start: usize,
        used: &mut HashSet<String>,
        group: &dyn Fn(usize) -> String,
    ) -> bool {
        if c == cells.len() {
            return true;
        }
        let (pi, s, n) = cells[c];
        if need == n {
            return go(bank, bp, cells, c + 1, 0, 0, used, group);
        }
        for i in start..bank.questions.len() {
            let q = &bank.questions[i];
            if q.kind != bp.parts[pi].kind
                || s.is_some_and(|s| q.section != s)
                || used.contains(&group(i))
            {
                continue;
            }
            used.insert(group(i));
            if go(bank, bp, cells, c, need + 1, i + 1, used, group) {
                return true;
            }
            used.remove(&group(i));
        }
        false
    }
    go(bank, bp, &cells, 0, 0, 0, &mut HashSet::new(), &group)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn feasible_blueprints_are_drawn_with_every_constraint(
        specs in specs(4, 60),
        seed in any::<u64>(),
        variants in 1usize..4,
        spread_kind in 0u8..3,
        share in 1usize..100,
    ) {
        let bank = make_bank(4, &specs);
        // A hidden solution makes the blueprint feasible by construction: one question per group, per type.
        let mut taken = HashSet::new();
        let mut parts = Vec::new();
        for kind in [QuestionType::Single, QuestionType::Multiple, QuestionType::Judge] {
            let mut per_section: HashMap<String, usize> = HashMap::new();
            let mut count = 0;
            for (i, q) in bank.questions.iter().enumerate() {
                let g = q.group.clone().unwrap_or_else(|| format!("#{i}"));
                if q.kind == kind && (i * 37 + share) % 100 < share.max(30) && taken.insert(g) {
                    *per_section.entry(bank.sections[q.section].id.clone()).or_default() += 1;
                    count += 1;
                }
            }
            if count == 0 { continue; }
            let spread = match spread_kind {
                0 => Spread::Quotas(per_section.into_iter().collect()),
                1 => Spread::Even,
                _ => Spread::Proportional,
            };
            parts.push(part(kind, count, spread));
        }
        prop_assume!(!parts.is_empty());
        let bp = blueprint(parts);
        let options = DrawOptions { seed, variants, ..DrawOptions::default() };
        let d = draw(&bank, &bp, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        check_draw(&bank, &bp, &d)?;
        // The same seed draws the same papers.
        let again = draw(&bank, &bp, &options).unwrap();
        prop_assert_eq!(&d.variants, &again.variants);
    }

    #[test]
    fn the_draw_succeeds_exactly_when_a_draw_exists(
        specs in specs(3, 12),
        seed in any::<u64>(),
        counts in proptest::collection::vec((0usize..3, 0usize..3), 3),
        quotas in any::<bool>(),
    ) {
        let bank = make_bank(3, &specs);
        let kinds = [QuestionType::Single, QuestionType::Multiple, QuestionType::Judge];
        let parts: Vec<Part> = counts
            .iter()
            .enumerate()
            .filter(|(_, (a, b))| a + b > 0)
            .map(|(k, (a, b))| {
                let spread = if quotas { Spread::Quotas(vec![("s0".into(), *a), ("s1".into(), *b)]) } else { Spread::Even };
                part(kinds[k], a + b, spread)
            })
            .collect();
        prop_assume!(!parts.is_empty());
        let bp = blueprint(parts);
        let result = draw_once(&bank, &bp, seed);
        let exists = feasible(&bank, &bp);
        match &result {
            Ok(d) => {
                prop_assert!(exists, "drew a paper where none can exist");
                check_draw(&bank, &bp, d)?;
            }
            Err(e) => {
                prop_assert!(!exists, "a draw exists but the draw failed: {}", e.render());
                prop_assert!(e.message.contains("part "), "the error names the part: {}", e.message);
                prop_assert_eq!(e.exit_code(), 1);
            }
        }
    }

    #[test]
    fn distinct_variants_reuse_nothing_while_the_bank_allows(specs in specs(3, 80), seed in any::<u64>()) {
        let bank = make_bank(3, &specs);
        let singles = bank.questions.iter().filter(|q| q.kind == QuestionType::Single && q.group.is_none()).count();
        prop_assume!(singles >= 4);
        let bp = blueprint(vec![part(QuestionType::Single, singles / 2, Spread::Even)]);
        let d = draw(&bank, &bp, &DrawOptions { seed, variants: 2, distinct: true, ..DrawOptions::default() }).unwrap();
        check_draw(&bank, &bp, &d)?;
        let a: HashSet<usize> = d.variants[0].questions().map(|q| q.question).collect();
        let b: HashSet<usize> = d.variants[1].questions().map(|q| q.question).collect();
        prop_assert!(a.is_disjoint(&b), "variants share questions although the bank has enough");
    }
}

#[test]
fn exclude_used_keeps_questions_out_while_possible_and_warns_when_not() {
    let specs: Vec<Spec> = (0..10)
        .map(|i| (i % 2, QuestionType::Single, 3, None))
        .collect();
    let bank = make_bank(2, &specs);
    let bp = blueprint(vec![part(QuestionType::Single, 4, Spread::Even)]);
    let exclude: HashSet<String> = (0..6).map(|i| format!("q{i}")).collect();
    let d = draw(
        &bank,
        &bp,
        &DrawOptions {
            seed: 3,
            variants: 1,
            exclude: exclude.clone(),
            ..DrawOptions::default()
        },
    )
    .unwrap();
    assert!(
        d.variants[0]
            .questions()
            .all(|q| !exclude.contains(&bank.questions[q.question].id))
    );
    assert!(d.warnings.is_empty());
    let exclude: HashSet<String> = (0..8).map(|i| format!("q{i}")).collect();
    let d = draw(
        &bank,
        &bp,
        &DrawOptions {
            seed: 3,
            variants: 1,
            exclude,
            ..DrawOptions::default()
        },
    )
    .unwrap();
    assert_eq!(d.variants[0].questions().count(), 4);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("2 question(s) used before")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn a_short_section_is_named_with_what_the_bank_has() {
    let specs: Vec<Spec> = (0..6)
        .map(|i| (i % 2, QuestionType::Single, 3, None))
        .collect();
    let bank = make_bank(2, &specs);
    let bp = blueprint(vec![part(
        QuestionType::Single,
        5,
        Spread::Quotas(vec![("s0".into(), 5)]),
    )]);
    let err = draw_once(&bank, &bp, 1).unwrap_err();
    assert!(
        err.message
            .contains("section `s0` needs 5 single questions, 2 short"),
        "{}",
        err.message
    );
    assert!(
        err.causes[0].contains("the bank has 3 single questions in `s0`"),
        "{:?}",
        err.causes
    );
    let bp = blueprint(vec![part(QuestionType::Judge, 1, Spread::Even)]);
    let err = draw_once(&bank, &bp, 1).unwrap_err();
    assert!(
        err.message
            .contains("needs 1 judge questions, but the bank has only 0"),
        "{}",
        err.message
    );
}

#[test]
fn difficulty_mix_is_met_when_the_bank_allows_and_reported_when_not() {
    let specs: Vec<Spec> = (0..50)
        .map(|i| (i % 5, QuestionType::Single, (i % 5) as u8 + 1, None))
        .collect();
    let bank = make_bank(5, &specs);
    let mut p = part(QuestionType::Single, 10, Spread::Proportional);
    p.difficulty = Some([5, 5, 0, 0, 0].map(|x| Decimal::from(x) / Decimal::from(10)));
    // Section s0 holds only level 1, s1 only level 2: an even spread of 10 cannot be half level 1.
    let bp = blueprint(vec![p.clone()]);
    let d = draw_once(&bank, &bp, 9).unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("difficulty mix 1: 5, 2: 5, 3: 0, 4: 0, 5: 0 was the target")),
        "{:?}",
        d.warnings
    );
    p.spread = Spread::Quotas(vec![("s0".into(), 5), ("s1".into(), 5)]);
    let d = draw(
        &bank,
        &blueprint(vec![p]),
        &DrawOptions {
            seed: 9,
            variants: 1,
            ..DrawOptions::default()
        },
    )
    .unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

/// Pins the algorithm: if this changes, old seeds no longer reproduce old papers.
#[test]
fn golden_draw_of_the_fixture_bank() {
    let run = crate::util::run_in(
        &crate::util::fixtures(),
        &[
            "draw",
            "banks/good/exams/small.yaml",
            "--seed",
            "2025",
            "--variants",
            "2",
        ],
    )
    .success();
    let ids: Vec<String> = run
        .stdout
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            (cells.len() >= 5 && cells[0].parse::<usize>().is_ok())
                .then(|| format!("{}:{}", cells[1], cells[4]))
        })
        .collect();
    assert_eq!(
        ids.join(" "),
        "cw-001:C vs-006:A cw-006:A vs-002:CD cw-002:ABD vs-003:√ cw-003:× vs-004:志愿服务体系 vs-005:体系更加完善，参与率明显提升。 \
         cw-006:B cw-001:C vs-006:A cw-002:ADE vs-002:BD vs-003:√ cw-003:× vs-004:志愿服务体系 vs-005:体系更加完善，参与率明显提升。"
    );
}

#[test]
fn draw_json_is_the_manifest_and_bad_blueprints_are_located() {
    let run = crate::util::run_in(
        &crate::util::fixtures(),
        &[
            "draw",
            "banks/good/exams/small.yaml",
            "--seed",
            "5",
            "--format",
            "json",
        ],
    )
    .success();
    let m: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(m["format"], "examgen-manifest/1");
    assert_eq!(m["seed"], 5);
    assert_eq!(m["total_points"], "16.5");
    assert_eq!(m["bank"]["path"], "banks/good");
    assert_eq!(m["variants"][0]["questions"].as_array().unwrap().len(), 9);
    assert_eq!(m["parts"][1]["partial"], "0.5");

    let dir = crate::util::Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create("bank/exams/bad.yaml", "title: T\nbank: ..\nparts:\n  - type: single\n    count: 2\n    pionts: 1\n  - type: single\n    count: 2\n    sections: {cw: 1, vs: 2}\n");
    let run = dir
        .run(&["draw", "bank/exams/bad.yaml", "--seed", "1"])
        .failure(1);
    assert!(
        run.stderr
            .contains("bank/exams/bad.yaml:6:5: error: unknown key `pionts` in a blueprint part"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "bank/exams/bad.yaml:9:15: error: the section quotas add up to 3, but count is 2"
        ),
        "{}",
        run.stderr
    );
    dir.create(
        "bank/exams/short.yaml",
        "title: T\nbank: ..\nparts:\n  - type: judge\n    count: 2\n    sections: {cw: 2}\n",
    );
    let run = dir
        .run(&["draw", "bank/exams/short.yaml", "--seed", "1"])
        .failure(1);
    assert!(
        run.stderr
            .contains("section `cw` needs 2 judge questions, 1 short"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_seed_one_is_chosen_printed_and_recorded() {
    let run = crate::util::run_in(
        &crate::util::fixtures(),
        &["draw", "banks/good/exams/small.yaml", "--format", "json"],
    )
    .success();
    let seed_line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("seed: "))
        .expect("seed printed");
    let m: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        seed_line.starts_with(&format!("seed: {} ", m["seed"])),
        "{seed_line}"
    );
}

#[test]
fn a_reachable_difficulty_mix_is_met_on_every_seed() {
    // Section s0 holds a level-1 and a level-2 question, s1 only a level-1 one: the even spread takes one
    // from each, and 50/50 is reachable only if s0 gives its level-2 question.
    let specs: Vec<Spec> = vec![
        (0, QuestionType::Single, 1, None),
        (0, QuestionType::Single, 2, None),
        (1, QuestionType::Single, 1, None),
    ];
    let bank = make_bank(2, &specs);
    let mut p = part(QuestionType::Single, 2, Spread::Even);
    p.difficulty = Some([1, 1, 0, 0, 0].map(|x| Decimal::from(x) / Decimal::from(2)));
    let bp = blueprint(vec![p]);
    for seed in 0..20 {
        let d = draw_once(&bank, &bp, seed).unwrap();
        assert!(d.warnings.is_empty(), "seed {seed}: {:?}", d.warnings);
        let mut levels: Vec<u8> = d.variants[0]
            .questions()
            .map(|q| bank.questions[q.question].difficulty)
            .collect();
        levels.sort_unstable();
        assert_eq!(levels, vec![1, 2]);
    }
}

#[test]
fn distinct_variants_avoid_whole_groups() {
    // Four groups of two near-duplicates: two variants of two questions each can avoid sharing a group.
    let specs: Vec<Spec> = (0..8)
        .map(|i| (0, QuestionType::Single, 3, Some((i / 2) as u8)))
        .collect();
    let bank = make_bank(1, &specs);
    let bp = blueprint(vec![part(QuestionType::Single, 2, Spread::Even)]);
    for seed in 0..10 {
        let d = draw(
            &bank,
            &bp,
            &DrawOptions {
                seed,
                variants: 2,
                distinct: true,
                ..DrawOptions::default()
            },
        )
        .unwrap();
        let groups = |v: &examgen::exam::draw::Variant| -> HashSet<String> {
            v.questions()
                .filter_map(|q| bank.questions[q.question].group.clone())
                .collect()
        };
        assert!(
            groups(&d.variants[0]).is_disjoint(&groups(&d.variants[1])),
            "seed {seed}: variants share a group"
        );
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Questions whose stems print another's answer in its words are found by the leak detector, and no
    /// drawn paper holds both of a detected pair.
    #[test]
    fn no_drawn_paper_holds_a_detected_leak_pair(
        specs in specs(3, 40),
        links in proptest::collection::vec((0usize..40, 0usize..40), 1..15),
        seed in any::<u64>(),
        singles in 1usize..10,
        multiples in 0usize..5,
    ) {
        let mut bank = make_bank(3, &specs);
        let n = bank.questions.len();
        // Every choice question asks 规定配备（　）人员。 and its options are its own (甲3号, 乙3号, ...).
        for (i, q) in bank.questions.iter_mut().enumerate() {
            if q.kind.has_options() {
                q.stem = format!("第{i}题规定配备（　）人员。").into();
                for o in &mut q.options {
                    *o = format!("{o}{i}号").into();
                }
            }
        }
        let mut expected = Vec::new();
        for (a, b) in links {
            let (q, r) = (a % n, b % n);
            let correct = match &bank.questions[q].answer {
                Answer::Single(k) => *k,
                Answer::Multiple(v) => v[0],
                _ => continue,
            };
            if q == r {
                continue;
            }
            // r states q's answer after q's own words: a leak.
            let told = format!("另规定配备{}。", bank.questions[q].options[correct]);
            bank.questions[r].stem = format!("{}{told}", bank.questions[r].stem).into();
            expected.push((q, r));
        }
        bank.leaks = leak_pairs(&bank.questions);
        for pair in &expected {
            let (q, r) = *pair;
            if bank.questions[q].group.is_none() || bank.questions[q].group != bank.questions[r].group {
                prop_assert!(bank.leaks.contains(pair), "{:?} not detected", pair);
            }
        }
        let mut parts = vec![part(QuestionType::Single, singles, Spread::Even)];
        if multiples > 0 {
            parts.push(part(QuestionType::Multiple, multiples, Spread::Proportional));
        }
        let bp = blueprint(parts);
        let options = DrawOptions { seed, variants: 2, distinct: true, ..DrawOptions::default() };
        let Ok(d) = draw(&bank, &bp, &options) else {
            // Too few questions once pairs count as groups: the draw says so instead of printing a leak.
            return Ok(());
        };
        check_draw(&bank, &bp, &d)?;
        for v in &d.variants {
            let on_paper: HashSet<usize> = v.questions().map(|q| q.question).collect();
            for (q, r) in &bank.leaks {
                prop_assert!(
                    !(on_paper.contains(q) && on_paper.contains(r)),
                    "{} and {} on one paper", bank.questions[*q].id, bank.questions[*r].id
                );
            }
        }
    }
}
