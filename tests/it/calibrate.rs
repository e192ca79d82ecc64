//! calibrate end to end: two classes graded on a copy of the shipped bank pool into `.calibration.yaml` with
//! exactly the p and discrimination `grade` reported (p by counts, discrimination weighted by n); a planted
//! miskeyed question heads the report; the section files are untouched and the bank still checks.

use std::collections::BTreeMap;

use crate::util::{Dir, copy_tree, key_letters, repo};
use examgen::input::bank::Answer;
use examgen::input::calibration::Calibration;
use examgen::input::manifest::{Manifest, QuestionRecord};

/// Student `k` (higher k: abler) answers question `q` right when the pattern says so; the planted
/// question is answered wrongly by the abler half and rightly by the rest.
fn cell(k: usize, students: usize, q: &QuestionRecord, planted: &str) -> String {
    let right = if q.id == planted {
        k < students / 2
    } else {
        (q.number * 13 + k * 7) % 10 < k
    };
    match q.answer {
        Answer::Judge(key) => (if key == right { "T" } else { "F" }).into(),
        _ => {
            let key = key_letters(q);
            if right {
                key
            } else {
                (0..q.option_order.len())
                    .map(|i| ((b'A' + i as u8) as char).to_string())
                    .find(|l| !key.contains(l.as_str()))
                    .unwrap()
            }
        }
    }
}

/// Batches and grades a class of `students` on the bank copy; returns the manifest.
fn graded(dir: &Dir, name: &str, students: usize, planted: Option<&str>) -> Manifest {
    let mut roster = String::from("学号,姓名,座位号\n");
    for i in 0..students {
        roster.push_str(&format!("{name}{:02},学生{i},{}\n", i + 1, i + 1));
    }
    dir.create(&format!("{name}.csv"), roster);
    dir.run(&[
        "batch",
        "bank/exams/quiz.yaml",
        "--roster",
        &format!("{name}.csv"),
        "--seed",
        "4",
        "-o",
        &format!("{name}-papers"),
    ])
    .success();
    let m = Manifest::read(&dir.join(&format!("{name}-papers/manifest.json"))).unwrap();
    let planted = planted
        .map(str::to_string)
        .unwrap_or_else(|| m.variants[0].questions.get(0).unwrap().id);
    let mut csv = String::from("id");
    for q in &m.variants[0].questions {
        csv.push_str(&format!(",{}", q.number));
    }
    csv.push('\n');
    for (k, s) in m.students.iter().enumerate() {
        let v = m.variants.iter().find(|v| v.label == s.variant).unwrap();
        csv.push_str(&s.id);
        for q in &v.questions {
            csv.push_str(&format!(",{}", cell(k, students, &q, &planted)));
        }
        csv.push('\n');
    }
    dir.create(&format!("{name}-answers.csv"), csv);
    dir.run(&[
        "grade",
        &format!("{name}-papers/manifest.json"),
        &format!("{name}-answers.csv"),
        "-o",
        &format!("{name}-grades"),
    ])
    .success();
    m
}

/// items.csv as id → (n, facility, discrimination).
fn items(dir: &Dir, name: &str) -> BTreeMap<String, (usize, f64, f64)> {
    let text = std::fs::read_to_string(dir.join(&format!("{name}-grades/items.csv"))).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (
                c[0].to_string(),
                (
                    c[3].parse().unwrap(),
                    c[4].parse().unwrap(),
                    c[6].parse().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn two_classes_pool_into_the_grade_figures_and_the_miskeyed_question_comes_first() {
    let dir = Dir::new();
    copy_tree(&repo().join("question-bank"), &dir.join("bank"));
    let sections_before: Vec<(String, Vec<u8>)> = section_files(&dir);
    let first = graded(&dir, "a", 12, None);
    let planted = first.variants[0].questions.get(0).unwrap().id;
    graded(&dir, "b", 10, Some(&planted));

    let run = dir.run(&["calibrate", "a-grades", "b-grades"]).success();
    let c = Calibration::read(&dir.join("bank"))
        .unwrap()
        .expect("written");
    let (a, b) = (items(&dir, "a"), items(&dir, "b"));
    assert!(!c.questions.is_empty());
    for (id, m) in &c.questions {
        let parts: Vec<&(usize, f64, f64)> = [a.get(id), b.get(id)].into_iter().flatten().collect();
        let n: usize = parts.iter().map(|p| p.0).sum();
        let full: f64 = parts.iter().map(|p| (p.1 * p.0 as f64).round()).sum();
        let d: f64 = parts.iter().map(|p| p.2 * p.0 as f64).sum::<f64>() / n as f64;
        assert_eq!(m.n, n, "{id}");
        assert!(
            (m.p - full / n as f64).abs() < 0.0015,
            "{id}: p {} vs {}",
            m.p,
            full / n as f64
        );
        assert!(
            (m.discrimination - d).abs() < 0.002,
            "{id}: D {} vs {d}",
            m.discrimination
        );
    }
    // Both classes sat the same draw, so every question pooled 22 students.
    assert_eq!(c.questions[&planted].n, 22);
    assert!(c.questions[&planted].discrimination < -0.5);

    // The report: the planted question heads the negative list.
    let negative = run
        .stdout
        .split("negative discrimination")
        .nth(1)
        .expect("a negative section");
    let first_listed = negative
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap();
    assert_eq!(first_listed, planted, "{}", run.stdout);
    assert!(
        run.stdout.contains("far from the labelled difficulty"),
        "{}",
        run.stdout
    );

    // The teacher's files are untouched, the bank still checks, and the same pooling writes the same bytes.
    assert_eq!(section_files(&dir), sections_before);
    dir.run(&["check", "bank"]).success();
    let bytes = std::fs::read(dir.join("bank/.calibration.yaml")).unwrap();
    dir.run(&["calibrate", "a-grades", "b-grades", "--bank", "bank"])
        .success();
    assert_eq!(
        std::fs::read(dir.join("bank/.calibration.yaml")).unwrap(),
        bytes
    );
}

#[test]
fn a_folder_that_is_no_grading_is_named() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let run = dir.run(&["calibrate", "empty"]).failure(1);
    assert!(
        run.stderr.contains("empty") && run.stderr.contains("graded.json"),
        "{}",
        run.stderr
    );
}

fn section_files(dir: &Dir) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("bank"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// The expected facility of variant A of a drawn paper, computed here from the manifest: measured p where
/// the calibration has n ≥ 30, else the label's prior.
fn expected_facility(
    bank: &examgen::input::bank::Bank,
    m: &Manifest,
    c: &Calibration,
    part: Option<usize>,
) -> f64 {
    use examgen::input::calibration::prior_facility;
    let (mut earned, mut total) = (0.0, 0.0);
    for q in m.variants[0]
        .questions
        .iter()
        .filter(|q| part.is_none_or(|p| q.part == p))
    {
        let w: f64 = q.points.to_string().parse().unwrap();
        let p = match c.questions.get(&q.id) {
            Some(x) if x.n >= 30 => x.p,
            _ => prior_facility(bank.question(&q.id).unwrap().difficulty),
        };
        earned += w * p;
        total += w;
    }
    earned / total
}

#[test]
fn target_facility_draws_within_the_tolerance_over_20_seeds() {
    use examgen::exam::draw::{DrawOptions, draw, record::manifest};
    use examgen::input::bank::Bank;
    use examgen::input::blueprint::Blueprint;

    let dir = Dir::new();
    copy_tree(&repo().join("question-bank"), &dir.join("bank"));
    let quiz = std::fs::read_to_string(dir.join("bank/exams/quiz.yaml")).unwrap();
    // The whole paper on the labels' priors, and a part of its own.
    let paper = quiz.replace("bank: ..", "bank: ..\ntarget_facility: 0.55 ± 0.03");
    assert_ne!(paper, quiz);
    dir.create("bank/exams/target.yaml", &paper);
    let part = quiz.replacen(
        "    points: 2\n",
        "    points: 2\n    target_facility: 0.8 +- 0.04\n",
        1,
    );
    dir.create("bank/exams/part.yaml", &part);
    let bank = Bank::load(&dir.join("bank")).unwrap();
    let none = Calibration::default();
    let draw_with = |blueprint: &str, seed: u64| {
        let bp = Blueprint::load(&dir.join(blueprint)).unwrap();
        let bank = Bank::load(&bp.bank).unwrap();
        let d = draw(
            &bank,
            &bp,
            &DrawOptions {
                seed,
                variants: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(
            d.warnings.iter().all(|w| !w.contains("target_facility")),
            "{:?}",
            d.warnings
        );
        manifest(&bank, &bp, &d)
    };
    let mut untargeted = Vec::new();
    for seed in 0..20 {
        let f = expected_facility(
            &bank,
            &draw_with("bank/exams/target.yaml", seed),
            &none,
            None,
        );
        assert!((f - 0.55).abs() <= 0.03 + 1e-9, "seed {seed}: {f}");
        let f = expected_facility(
            &bank,
            &draw_with("bank/exams/part.yaml", seed),
            &none,
            Some(1),
        );
        assert!((f - 0.8).abs() <= 0.04 + 1e-9, "seed {seed}: part 1 {f}");
        untargeted.push(expected_facility(
            &bank,
            &draw_with("bank/exams/quiz.yaml", seed),
            &none,
            None,
        ));
    }
    // The target does something: untargeted papers of this bank sit elsewhere.
    assert!(
        untargeted.iter().any(|f| (f - 0.55).abs() > 0.03),
        "{untargeted:?}"
    );

    // Measured p where n ≥ 30: a calibration that makes every question of one section hard.
    let mut cal = String::from("format: examgen-calibration/1\nsources: []\nquestions:\n");
    for (i, q) in bank.questions.iter().enumerate() {
        let n = if i % 7 == 0 { 12 } else { 40 };
        cal.push_str(&format!(
            "  \"{}\": {{n: {n}, p: {:.3}, discrimination: 0.3}}\n",
            q.id,
            0.2 + (i * 37 % 70) as f64 / 100.0
        ));
    }
    dir.create("bank/.calibration.yaml", &cal);
    let measured = Calibration::read(&dir.join("bank")).unwrap().unwrap();
    for seed in 0..20 {
        let m = draw_with("bank/exams/target.yaml", seed);
        let f = expected_facility(&bank, &m, &measured, None);
        assert!((f - 0.55).abs() <= 0.03 + 1e-9, "seed {seed}: measured {f}");
    }
    // `draw` prints the expected mean score.
    let run = dir
        .run(&["draw", "bank/exams/target.yaml", "--seed", "3"])
        .success();
    assert!(run.stdout.contains("expected mean score"), "{}", run.stdout);
}

#[test]
fn blueprints_without_a_target_draw_as_before_even_with_a_calibration() {
    let dir = Dir::new();
    copy_tree(&repo().join("question-bank"), &dir.join("bank"));
    let before = dir
        .run(&[
            "draw",
            "bank/exams/quiz.yaml",
            "--seed",
            "5",
            "--format",
            "json",
        ])
        .success()
        .stdout;
    let text_before = dir
        .run(&["draw", "bank/exams/quiz.yaml", "--seed", "5"])
        .success()
        .stdout;
    assert!(!text_before.contains("expected mean score"));
    dir.create(
        "bank/.calibration.yaml",
        "format: examgen-calibration/1\nsources: []\nquestions: {}\n",
    );
    let after = dir
        .run(&[
            "draw",
            "bank/exams/quiz.yaml",
            "--seed",
            "5",
            "--format",
            "json",
        ])
        .success()
        .stdout;
    assert_eq!(before, after, "the same questions, the same bank digest");
    let bad = dir.create(
        "bank/exams/bad.yaml",
        "title: t\nbank: ..\ntarget_facility: 65%\nparts:\n  - {type: single, count: 2}\n",
    );
    let run = dir.run(&["draw", &bad.display().to_string()]).failure(1);
    assert!(
        run.stderr.contains("bad.yaml:3:") && run.stderr.contains("target_facility"),
        "{}",
        run.stderr
    );
}
