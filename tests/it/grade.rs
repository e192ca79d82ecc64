//! Grading: a full round trip (batch for 40 → synthetic answers with known scores → grade), the total
//! never above the blueprint total and always the exact sum of the parts (property test), bad cells,
//! encodings, CSV formula injection, and --explain.

use std::io::Write;

use crate::util::{Dir, fixtures, key_letters, repo};
use examgen::exam::draw::{DrawOptions, draw};
use examgen::exam::grade::{Options, grade};
use examgen::input::bank::{Bank, QuestionType};
use examgen::input::blueprint::Blueprint;
use examgen::input::manifest::Manifest;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A wrong single-choice letter for a question with `options` options and key `key`.
fn wrong(key: &str, options: usize) -> String {
    (0..options)
        .map(|i| ((b'A' + i as u8) as char).to_string())
        .find(|l| l != key)
        .unwrap()
}

#[test]
fn a_batch_round_trip_reproduces_known_scores() {
    let dir = Dir::new();
    let mut roster = String::from("学号,姓名,座位号\n");
    for i in 0..40 {
        roster.push_str(&format!("S{:03},学生{},{}\n", i + 1, i + 1, i + 1));
    }
    dir.create("class.csv", roster);
    let mock = repo()
        .join("question-bank/exams/mock.yaml")
        .display()
        .to_string();
    dir.run(&[
        "batch",
        &mock,
        "--roster",
        "class.csv",
        "--seed",
        "8",
        "-o",
        "out",
    ])
    .success();
    let m = Manifest::read(&dir.join("out/manifest.json")).unwrap();

    // Student i gets the first i single-choice questions right (1 point each) and the rest wrong; on
    // multiple choice, question j is answered fully when j < i/2, by its first correct letter only
    // (0.5) when j is odd, and with a wrong letter otherwise.
    let mut csv = String::from("id");
    for q in &m.variants[0].questions {
        csv.push_str(&format!(",{}", q.number));
    }
    csv.push('\n');
    let mut expected = Vec::new();
    for (i, s) in m.students.iter().enumerate() {
        let v = m.variants.iter().find(|v| v.label == s.variant).unwrap();
        let mut total = Decimal::ZERO;
        csv.push_str(&s.id);
        let (mut singles, mut multiples) = (0, 0);
        for q in &v.questions {
            let key = key_letters(&q);
            let cell = if q.kind() == QuestionType::Single {
                singles += 1;
                if singles <= i {
                    total += Decimal::ONE;
                    key.clone()
                } else {
                    wrong(&key, q.option_order.len())
                }
            } else {
                multiples += 1;
                let j = multiples - 1;
                if j < i / 2 {
                    total += Decimal::TWO;
                    key.to_lowercase().chars().rev().collect::<String>()
                } else if j % 2 == 1 {
                    total += Decimal::new(5, 1);
                    key[..1].to_string()
                } else {
                    let bad = (0..5)
                        .map(|k| ((b'A' + k) as char).to_string())
                        .find(|l| !key.contains(l.as_str()))
                        .unwrap();
                    format!("{}{bad}", &key[..1])
                }
            };
            csv.push_str(&format!(",{cell}"));
        }
        csv.push('\n');
        expected.push((s.id.clone(), total));
    }
    dir.create("answers.csv", csv);
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "grades"])
        .success();
    assert!(run.stdout.contains("40 students"), "{}", run.stdout);
    let scores = std::fs::read_to_string(dir.join("grades/scores.csv")).unwrap();
    assert!(scores.starts_with('\u{FEFF}'), "UTF-8 with BOM for Excel");
    for (id, total) in &expected {
        let line = scores
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("{id} missing"));
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[5], total.normalize().to_string(), "{id}: {line}");
    }
    // The best student ranks first; the report and item analysis exist.
    let best = expected.iter().max_by_key(|(_, t)| *t).unwrap();
    assert!(
        scores
            .lines()
            .any(|l| l.starts_with(&format!("{},", best.0)) && l.contains(",1,")),
        "{scores}"
    );
    let items = std::fs::read_to_string(dir.join("grades/items.csv")).unwrap();
    assert!(
        items.lines().count() > 80,
        "one row per bank question across both variants"
    );
    let text = std::process::Command::new("pdftotext")
        .arg(dir.join("grades/report.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("成绩分析报告") && text.contains("分数分布") && text.contains("成绩排名"),
        "{text}"
    );

    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "answers.csv",
            "--explain",
            "S011",
        ])
        .success();
    assert!(run.stdout.starts_with("S011 学生11"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("total {} of 100", expected[10].1.normalize())),
        "{}",
        run.stdout
    );
}

/// A manifest from the fixture bank (all five types), drawn in memory.
fn fixture_manifest() -> Manifest {
    let bp = Blueprint::load(&fixtures().join("banks/good/exams/small.yaml")).unwrap();
    let bank = Bank::load(&bp.bank).unwrap();
    let d = draw(
        &bank,
        &bp,
        &DrawOptions {
            seed: 5,
            variants: 2,
            ..DrawOptions::default()
        },
    )
    .unwrap();
    examgen::exam::draw::record::manifest(&bank, &bp, &d)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn totals_never_exceed_the_paper_and_are_the_exact_sum_of_parts(
        cells in proptest::collection::vec(proptest::collection::vec(prop_oneof![
            Just(String::new()), Just("A".to_string()), Just("B".to_string()), Just("AB".to_string()),
            Just("ACD".to_string()), Just("T".to_string()), Just("错".to_string()), Just("18".to_string()),
            Just("志愿服务体系".to_string()), Just("xyz".to_string()),
        ], 9), 1..12),
    ) {
        let m = fixture_manifest();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let numbers: Vec<String> = m.variants[0].questions.iter().map(|q| q.number.to_string()).collect();
        writeln!(file, "id,variant,{}", numbers.join(",")).unwrap();
        for (i, row) in cells.iter().enumerate() {
            writeln!(file, "s{i},{},{}", if i % 2 == 0 { "A" } else { "B" }, row.join(",")).unwrap();
        }
        file.flush().unwrap();
        let graded = grade(&m, file.path(), None, &Options { lenient: true }).unwrap();
        for s in &graded.students {
            prop_assert!(s.total <= m.total_points, "{} > {}", s.total, m.total_points);
            prop_assert!(s.total >= Decimal::ZERO);
            prop_assert_eq!(s.total, s.parts.iter().sum::<Decimal>());
        }
    }
}

#[test]
fn bad_cells_stop_the_run_unless_lenient() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "2", "-o", "out"])
        .success();
    // 1–3 single choice, 4–5 multiple, 6–7 judge, 8 blank, 9 short.
    dir.create(
        "answers.csv",
        "id,1,2,3,4,5,6,7,8,9\ns1,AB,A,A,AC,AC,T,F,18,\ns2,A,A,A,AZ,AC,maybe,F,18,\n",
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .failure(1);
    assert!(
        run.stderr.contains(
            "answers.csv:2:2: error: row 2, question 1: 2 letters for a single-choice question"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("answers.csv:3:5: error: row 3, question 4: Z is beyond the last option (E)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("answers.csv:3:7: error: row 3, question 6: `maybe` is not a judge answer"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("g").exists(), "nothing written");
    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "answers.csv",
            "-o",
            "g",
            "--lenient",
        ])
        .success();
    assert!(
        run.stderr.contains("warning: row 2, question 1"),
        "{}",
        run.stderr
    );
    assert!(dir.join("g/scores.csv").is_file());
    // The short answer left for the teacher: a manual.csv to fill in, merged on a second run.
    let manual = std::fs::read_to_string(dir.join("g/manual.csv")).unwrap();
    assert!(manual.lines().next().unwrap().ends_with(",9"), "{manual}");
    dir.create("marks.csv", "id,9\ns1,4\ns2,7\n");
    dir.run(&[
        "grade",
        "out/manifest.json",
        "answers.csv",
        "-o",
        "g2",
        "--lenient",
        "--manual",
        "marks.csv",
    ])
    .success();
    let with = std::fs::read_to_string(dir.join("g2/scores.csv")).unwrap();
    let without = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    let total = |text: &str, id: &str| -> Decimal {
        text.lines()
            .find(|l| l.starts_with(id))
            .unwrap()
            .split(',')
            .rev()
            .nth(2)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(total(&with, "s1") - total(&without, "s1"), Decimal::from(4));
    // Marks above the question's points are capped at its 5 points.
    assert_eq!(total(&with, "s2") - total(&without, "s2"), Decimal::from(5));
}

#[test]
fn gbk_responses_and_formula_injection() {
    let dir = Dir::new();
    dir.create(
        "class.csv",
        "学号,姓名,座位号\n1,=HYPERLINK(\"x\"),1\n2,@cmd,2\n",
    );
    dir.copy_fixture("banks/good", "bank");
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "1",
        "-o",
        "out",
    ])
    .success();
    let (gbk, _, _) =
        encoding_rs::GBK.encode("学号,第1题,第2题,3,4,5,6,7,8,9\n1,A,B,,,,,,,\n2,C,,,,,,,,\n");
    dir.create("answers.csv", gbk.as_ref());
    dir.run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .success();
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert!(scores.contains("'=HYPERLINK"), "{scores}");
    assert!(scores.contains("'@cmd"), "{scores}");
    assert!(
        !scores.lines().any(|l| l
            .split(',')
            .any(|c| c.starts_with('=') || c.starts_with('@'))),
        "{scores}"
    );
}

#[test]
fn the_report_honours_templates_from_the_command_line_and_the_blueprint() {
    let dir = Dir::new();
    dir.create("class.csv", "学号,姓名,座位号\n1,甲,1\n2,乙,2\n");
    dir.copy_fixture("banks/good", "bank");
    dir.run(&["init", "--templates", "bank/exams/tpl"])
        .success();
    let report = dir.join("bank/exams/tpl/report.hbs");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, text.replace("成绩分析", "阶段测验讲评单")).unwrap();
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "1",
        "-o",
        "out",
    ])
    .success();
    dir.create(
        "answers.csv",
        "学号,1,2,3,4,5,6,7,8,9\n1,A,B,,,,,,,\n2,C,,,,,,,,\n",
    );
    let pdf_text = |folder: &str| {
        let out = std::process::Command::new("pdftotext")
            .arg(dir.join(&format!("{folder}/report.pdf")))
            .arg("-")
            .output()
            .expect("pdftotext");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    dir.run(&["grade", "out/manifest.json", "answers.csv", "-o", "g1"])
        .success();
    assert!(pdf_text("g1").contains("成绩分析"));
    dir.run(&[
        "grade",
        "out/manifest.json",
        "answers.csv",
        "-o",
        "g2",
        "--templates",
        "bank/exams/tpl",
    ])
    .success();
    assert!(pdf_text("g2").contains("阶段测验讲评单"));
    // A report that cannot be made (a broken template) fails the run after graded.json and the CSVs were
    // written into the staging folder: the grades folder keeps the last run's files, a new one is not made.
    dir.run(&["init", "--templates", "broken"]).success();
    std::fs::write(dir.join("broken/report.hbs"), "{{#if count}}never closed").unwrap();
    dir.create(
        "answers2.csv",
        "学号,1,2,3,4,5,6,7,8,9\n1,B,B,,,,,,,\n2,B,,,,,,,,\n",
    );
    let kept = |folder: &str| {
        ["graded.json", "scores.csv", "report.pdf"]
            .map(|f| std::fs::read(dir.join(&format!("{folder}/{f}"))).unwrap())
    };
    let before = kept("g2");
    for folder in ["g2", "g4"] {
        dir.run(&[
            "grade",
            "out/manifest.json",
            "answers2.csv",
            "-o",
            folder,
            "--templates",
            "broken",
        ])
        .failure(1);
    }
    assert!(
        kept("g2") == before,
        "the failed run changed the grades folder"
    );
    assert!(!dir.join("g4").exists());
    let staging: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(
        staging.is_empty(),
        "staging folders left behind: {staging:?}"
    );
    // A blueprint that names the templates folder gives the report the same look without the flag.
    let small = dir.join("bank/exams/small.yaml");
    let blueprint = std::fs::read_to_string(&small).unwrap();
    std::fs::write(&small, format!("templates: tpl\n{blueprint}")).unwrap();
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "1",
        "-o",
        "out2",
    ])
    .success();
    dir.run(&["grade", "out2/manifest.json", "answers.csv", "-o", "g3"])
        .success();
    assert!(pdf_text("g3").contains("阶段测验讲评单"));
}

#[test]
fn doubtful_scanned_cells_stop_the_run_unless_lenient() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "2", "-o", "out"])
        .success();
    // As examgen scan writes it: `?` where a person must look, the best reading in the note column; a
    // blank question's `?` is the student's text, not a doubt.
    dir.create(
        "responses.csv",
        "id,variant,1,2,3,4,5,6,7,8,9,note\ns1,A,?,A,A,AC,？,T,F,?,,\"1: B?; 5: AC?\"\ns2,A,A,A,A,AC,AC,T,F,18,,\n",
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "responses.csv", "-o", "g"])
        .failure(1);
    assert!(
        run.stderr
            .contains("responses.csv:2:3: error: row 2, question 1: `?` — a doubtful mark"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("row 2, question 5: `?`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("question 8"),
        "a blank's ? is text: {}",
        run.stderr
    );
    assert!(!dir.join("g").exists(), "nothing written");
    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "responses.csv",
            "-o",
            "g",
            "--lenient",
        ])
        .success();
    assert!(
        run.stderr.contains("warning: row 2, question 1: `?`"),
        "{}",
        run.stderr
    );
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    let total = |id: &str| -> Decimal {
        let line = scores.lines().find(|l| l.starts_with(id)).unwrap();
        line.split(',').rev().nth(2).unwrap().parse().unwrap()
    };
    // s1 answered like s2 except the two doubtful cells, which count as unanswered.
    assert!(total("s1") < total("s2"), "{scores}");
}
