//! Grading answer files as teachers really make them: headers like 第1题/Q1/1.0, a 姓名 column, students
//! of a batch without a row or on the wrong variant, full-width answers, a manual.csv filled in between
//! runs, ids Excel stripped of zeros, and --pass as the help shows it. Never a silent 0.

use clap::Parser;
use examgen::cli::{Cli, Command};
use examgen::input::bank::Answer;
use examgen::input::manifest::Manifest;
use examgen::workflow::grade::pass_mark;
use rust_decimal::Decimal;

use crate::util::{Dir, key_letters};

/// ASCII letters and digits as a Chinese input method types them: `A` → `Ａ`, `18` → `１８`.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

/// A paper of the fixture bank (seed 2: 1–3 single, 4–5 multiple, 6–7 judge, 8 blank, 9 short).
fn paper() -> (Dir, Manifest) {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.run(&["paper", "bank/exams/small.yaml", "--seed", "2", "-o", "out"])
        .success();
    let m = Manifest::read(&dir.join("out/manifest.json")).unwrap();
    (dir, m)
}

/// Every key of variant A, written the way a teacher types: full-width letters, 对/错, blanks joined by `，`.
fn keys_typed(m: &Manifest) -> Vec<String> {
    m.variants[0]
        .questions
        .iter()
        .map(|q| match &q.answer {
            Answer::Single(_) | Answer::Multiple(_) => full_width(&key_letters(&q)),
            Answer::Judge(right) => if *right { "对" } else { "错" }.into(),
            Answer::Blank(blanks) => blanks
                .iter()
                .map(|alternatives| full_width(&alternatives[0]) + " ")
                .collect::<Vec<_>>()
                .join("，"),
            Answer::Short(_) => String::new(),
        })
        .collect()
}

/// scores.csv of grading `answers` against the paper, which must pass without a word on stderr.
fn graded_quietly(dir: &Dir, answers: &str) -> String {
    let run = dir
        .run(&["grade", "out/manifest.json", answers, "-o", "g"])
        .success();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    std::fs::read_to_string(dir.join("g/scores.csv")).unwrap()
}

fn total_of(scores: &str, id: &str) -> Decimal {
    let line = scores
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap_or_else(|| panic!("{id} not in {scores}"));
    line.split(',').rev().nth(2).unwrap().parse().unwrap()
}

#[test]
fn question_headers_as_teachers_write_them_and_the_name_column() {
    let (dir, m) = paper();
    let keys = keys_typed(&m).join(",");
    // Excel's number-formatted header gives 4.0; 题2, Q3 and 第1题 are how teachers head columns.
    dir.create(
        "answers.csv",
        format!("学号,姓名,班级,第1题,题2,Q3,4.0,5,6,7,8,9\n2025001,张三,高三1班,{keys}\n"),
    );
    let scores = graded_quietly(&dir, "answers.csv");
    // Everything right but the hand-marked short answer: 16.5 − 5.
    assert_eq!(
        total_of(&scores, "2025001"),
        Decimal::new(115, 1),
        "{scores}"
    );
    assert!(
        scores.contains("2025001,张三,A"),
        "name from 姓名: {scores}"
    );
}

#[test]
fn title_rows_above_the_header_of_an_answers_table_are_skipped() {
    let (dir, m) = paper();
    let keys = keys_typed(&m).join(",");
    dir.create(
        "answers.csv",
        format!(
            "2025年秋季模拟考试答题录入表,,,,\n录入人：王老师,2025-11-02,,,\n学号,姓名,1,2,3,4,5,6,7,8,9\n2025001,张三,{keys}\n"
        ),
    );
    let scores = graded_quietly(&dir, "answers.csv");
    assert_eq!(
        total_of(&scores, "2025001"),
        Decimal::new(115, 1),
        "{scores}"
    );
    // A first row of three filled cells is no title: it is the header, and says what is wrong with it.
    dir.create(
        "answers2.csv",
        format!("成绩表,秋季,第一次\n学号,姓名,1,2,3,4,5,6,7,8,9\n2025001,张三,{keys}\n"),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers2.csv", "-o", "g2"])
        .failure(1);
    assert!(run.stderr.contains("answers2.csv:1:"), "{}", run.stderr);
}

#[test]
fn a_column_that_is_no_question_a_duplicate_or_a_missing_question_stops_the_run() {
    let (dir, m) = paper();
    let keys = keys_typed(&m);
    let row = |cells: &[String]| cells.join(",");
    // A 12th question the paper does not have, question 3 twice, question 9 without a column.
    dir.create(
        "answers.csv",
        format!(
            "学号,1,2,3,第3题,4,5,6,7,8,第12题\n2025001,{},{},{}\n",
            row(&keys[..3]),
            keys[2],
            row(&keys[3..8])
        ) + "\n",
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .failure(1);
    for needle in [
        "answers.csv:1:11: error: column `第12题` is question 12, but the paper has questions 1–9",
        "answers.csv:1:5: error: column `第3题` is question 3 again (first in column 4)",
        "no column for question(s) 9",
    ] {
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.stderr);
    }
    assert!(!dir.join("g").exists(), "nothing graded, nothing written");
    // --lenient grades anyway and says what it ignored.
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
        run.stderr.contains("warning: column `第12题`"),
        "{}",
        run.stderr
    );
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert_eq!(
        total_of(&scores, "2025001"),
        Decimal::new(115, 1),
        "{scores}"
    );
    // A header nobody can read as a question is named too, never scored as a class of zeros.
    dir.create("typo.csv", "学号,1,2,3,4,5,6,7,8,9,题目十\n2025001,A\n");
    let run = dir
        .run(&["grade", "out/manifest.json", "typo.csv", "-o", "g2"])
        .failure(1);
    assert!(
        run.stderr
            .contains("typo.csv:1:11: error: column `题目十` is not a question of the paper"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_batch_reports_absent_students_and_rows_on_the_wrong_variant() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    // Ids as the school prints them, with leading zeros; Excel will strip them in the answers file.
    dir.create(
        "class.csv",
        "学号,姓名,座位号\n0012,张三,1\n0013,李四,2\n0014,王五,3\n",
    );
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "5",
        "-o",
        "out",
    ])
    .success();
    let m = Manifest::read(&dir.join("out/manifest.json")).unwrap();
    let variant = |id: &str| {
        m.students
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .variant
            .clone()
    };
    let other = |v: &str| if v == "A" { "B" } else { "A" };
    let header = "学号,试卷类型,1,2,3,4,5,6,7,8,9";
    // 李四 typed the other variant on the sheet; 王五 was absent.
    dir.create(
        "answers.csv",
        format!(
            "{header}\n12,{},A,,,,,,,,\n0013,{},B,,,,,,,,\n",
            variant("0012"),
            other(&variant("0013"))
        ),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .failure(1);
    assert!(
        run.stderr.contains(&format!(
            "answers.csv:3:2: error: row 3: 0013 李四 sat variant {} by the batch manifest, but the row says {}",
            variant("0013"),
            other(&variant("0013"))
        )),
        "{}",
        run.stderr
    );
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
        run.stderr
            .contains("1 student(s) of the class have no answer row: 0014 王五"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("row 2: id 12 read as student 0012 (Excel drops leading zeros)"),
        "{}",
        run.stderr
    );
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert!(
        scores.contains(&format!("0013,李四,{}", variant("0013"))),
        "graded on the manifest's variant: {scores}"
    );
    // An id that is no student of the class is an error naming it.
    dir.create(
        "stranger.csv",
        format!("{header}\n0099,A,A,,,,,,,,\n0012,,A,,,,,,,,\n"),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "stranger.csv", "-o", "g3"])
        .failure(1);
    assert!(
        run.stderr
            .contains("row 2: 0099 is not a student of the class batch (3 students"),
        "{}",
        run.stderr
    );
}

#[test]
fn blanks_and_choices_typed_full_width_score_like_ascii() {
    let (dir, m) = paper();
    let ascii: Vec<String> = m.variants[0]
        .questions
        .iter()
        .map(|q| match &q.answer {
            Answer::Judge(right) => if *right { "T" } else { "F" }.into(),
            Answer::Blank(blanks) => blanks
                .iter()
                .map(|alternatives| alternatives[0].clone())
                .collect::<Vec<_>>()
                .join(";"),
            Answer::Short(_) => String::new(),
            Answer::Single(_) | Answer::Multiple(_) => key_letters(&q),
        })
        .collect();
    dir.create(
        "answers.csv",
        format!(
            "id,1,2,3,4,5,6,7,8,9\nascii,{}\nwide,{}\n",
            ascii.join(","),
            keys_typed(&m).join(",")
        ),
    );
    dir.run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .success();
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert_eq!(total_of(&scores, "wide"), total_of(&scores, "ascii"));
    assert_eq!(total_of(&scores, "wide"), Decimal::new(115, 1));
}

#[test]
fn a_filled_in_manual_csv_is_read_on_the_next_run_never_overwritten() {
    let (dir, m) = paper();
    let keys = keys_typed(&m).join(",");
    dir.create(
        "answers.csv",
        format!("学号,1,2,3,4,5,6,7,8,9\n0012,{keys}\n0345,{keys}\n"),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .success();
    assert!(run.stdout.contains("fill in"), "{}", run.stdout);
    let template = std::fs::read_to_string(dir.join("g/manual.csv")).unwrap();
    assert!(template.contains("0012,"), "{template}");
    // The teacher marks question 9 in the template and simply runs the same command again.
    let filled = "\u{FEFF}id,9\n0012,4\n0345,3.5\n";
    std::fs::write(dir.join("g/manual.csv"), filled).unwrap();
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .success();
    assert!(
        run.stderr.contains("read the hand marks in g/manual.csv"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("g/manual.csv")).unwrap(),
        filled,
        "the teacher's marks survive the rerun"
    );
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert_eq!(total_of(&scores, "0012"), Decimal::new(155, 1));
    assert_eq!(total_of(&scores, "0345"), Decimal::new(150, 1));

    // Excel stripped the zeros of one id and a typo made another: the first is matched, the second named.
    dir.create("marks.csv", "id,9\n12,5\n0346,2\n");
    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "answers.csv",
            "-o",
            "g2",
            "--manual",
            "marks.csv",
        ])
        .failure(1);
    assert!(
        run.stderr
            .contains("1 id(s) match no student in the answers: 0346 (row 3)"),
        "{}",
        run.stderr
    );
    dir.create("marks.csv", "id,9\n12,5\n");
    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "answers.csv",
            "-o",
            "g2",
            "--manual",
            "marks.csv",
        ])
        .success();
    assert!(
        run.stderr
            .contains("marks.csv:2:1: warning: row 2: id 12 read as student 0012"),
        "{}",
        run.stderr
    );
    let scores = std::fs::read_to_string(dir.join("g2/scores.csv")).unwrap();
    assert_eq!(total_of(&scores, "0012"), Decimal::new(165, 1));
}

#[test]
fn the_pass_mark_as_documented_and_never_above_the_total() {
    let hundred = Decimal::from(100);
    assert_eq!(pass_mark(Some("60%"), hundred).unwrap(), Decimal::from(60));
    assert_eq!(pass_mark(Some("60"), hundred).unwrap(), Decimal::from(60));
    assert_eq!(
        pass_mark(Some("６０％"), hundred).unwrap(),
        Decimal::from(60)
    );
    assert_eq!(
        pass_mark(Some("60%"), Decimal::new(165, 1)).unwrap(),
        Decimal::new(99, 1)
    );
    let err = pass_mark(Some("72"), Decimal::new(165, 1)).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.message.contains("only 16.5 points"), "{err}");
    assert!(pass_mark(Some("120%"), hundred).is_err());

    // Every example in `grade --help` parses, and its --pass is accepted, exactly as pasted.
    let (dir, _) = paper();
    let help = dir.run(&["grade", "--help"]).success().stdout;
    let examples: Vec<&str> = help
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("examgen grade "))
        .collect();
    assert!(examples.len() >= 3, "{help}");
    for line in examples {
        // The description after two spaces is not part of the command.
        let command = line.split("  ").next().unwrap();
        let cli = Cli::try_parse_from(command.split_whitespace())
            .unwrap_or_else(|e| panic!("{command}: {e}"));
        let Command::Grade { pass, .. } = cli.command else {
            panic!("{command}")
        };
        pass_mark(pass.as_deref(), hundred).unwrap_or_else(|e| panic!("{command}: {e}"));
    }
    let run = dir
        .run(&[
            "grade",
            "out/manifest.json",
            "answers.csv",
            "--pass",
            "20",
            "-o",
            "g",
        ])
        .failure(2);
    assert!(run.stderr.contains("only 16.5 points"), "{}", run.stderr);
}

#[test]
fn a_bad_cell_in_the_middle_of_a_big_table_is_named_at_its_line_and_column() {
    let (dir, m) = paper();
    let keys = keys_typed(&m).join(",");
    // 4,000 rows (over 200 KB: several of the reader's blocks), names in Chinese so that blocks end
    // inside characters; row 2,001 (line 2,002) has a single-choice cell with two letters.
    let mut text = String::from("学号,姓名,1,2,3,4,5,6,7,8,9\n");
    for s in 1..=4_000 {
        let answers = if s == 2_001 {
            keys.replacen(|c: char| c.is_alphabetic(), "AB", 1)
        } else {
            keys.clone()
        };
        text.push_str(&format!("2025{s:05},学生{s}号,{answers}\n"));
    }
    dir.create("answers.csv", &text);
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .failure(1);
    assert!(
        run.stderr.contains(
            "answers.csv:2002:3: error: row 2002, question 1: 2 letters for a single-choice question"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 bad cell(s) or row(s)"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("g").exists(), "nothing written");
    // Under --lenient every other row is graded, the last one included.
    dir.run(&[
        "grade",
        "out/manifest.json",
        "answers.csv",
        "-o",
        "g",
        "--lenient",
    ])
    .success();
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert_eq!(scores.lines().count(), 1 + 4_000, "a row per student");
    assert_eq!(total_of(&scores, "202504000"), Decimal::new(115, 1));
    assert!(scores.contains("202504000,学生4000号,A"), "name from 姓名");
}

#[test]
fn ids_excel_showed_in_scientific_notation_are_restored_or_refused_with_their_place() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    // 12-digit 准考证号: Excel's General format shows them as 2.02500000012E+11, and the answers CSV keeps that.
    dir.create(
        "class.csv",
        "学号,姓名,座位号\n202500000012,张三,1\n202500000013,李四,2\n",
    );
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "5",
        "-o",
        "out",
    ])
    .success();
    let m = Manifest::read(&dir.join("out/manifest.json")).unwrap();
    let variant = |id: &str| {
        m.students
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .variant
            .clone()
    };
    // 张三's id still holds every digit; 李四's was rounded to four digits, which no one can undo.
    dir.create(
        "answers.csv",
        format!(
            "学号,试卷类型,1,2,3,4,5,6,7,8,9\n2.02500000012E+11,{},A,,,,,,,,\n2.025E+11,{},B,,,,,,,,\n",
            variant("202500000012"),
            variant("202500000013"),
        ),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .failure(1);
    assert!(
        run.stderr.contains(
            "answers.csv:3:1: error: row 3: the id `2.025E+11` is a number Excel shortened to scientific notation; its last digits are lost"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("format the id column as 文本"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("g/scores.csv").exists(), "nothing graded");
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
        run.stderr.contains(
            "row 2: id 2.02500000012E+11 read as student 202500000012 (Excel showed it in scientific notation)"
        ),
        "{}",
        run.stderr
    );
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert!(scores.contains("202500000012,张三"), "{scores}");
    assert!(
        !scores.contains("李四"),
        "the rounded id is left out: {scores}"
    );
}

#[test]
fn a_variant_typed_full_width_or_lower_case_is_that_variant() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create("class.csv", "学号,姓名\n0012,张三\n0013,李四\n");
    dir.run(&[
        "batch",
        "bank/exams/small.yaml",
        "--roster",
        "class.csv",
        "--seed",
        "5",
        "-o",
        "out",
    ])
    .success();
    let m = Manifest::read(&dir.join("out/manifest.json")).unwrap();
    let variant = |id: &str| {
        let v = &m.students.iter().find(|s| s.id == id).unwrap().variant;
        v.chars().next().unwrap()
    };
    // A Chinese input method types `Ａ` (U+FF21) for A; another teacher types lower case.
    let full_width = char::from_u32(variant("0012") as u32 - 'A' as u32 + 0xFF21).unwrap();
    let lower = variant("0013").to_ascii_lowercase();
    dir.create(
        "answers.csv",
        format!(
            "学号,试卷类型,1,2,3,4,5,6,7,8,9\n0012,{full_width},A,,,,,,,,\n0013,{lower},B,,,,,,,,\n"
        ),
    );
    let run = dir
        .run(&["grade", "out/manifest.json", "answers.csv", "-o", "g"])
        .success();
    assert!(!run.stderr.contains("but the row says"), "{}", run.stderr);
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert!(
        scores.contains(&format!("0012,张三,{}", variant("0012"))),
        "{scores}"
    );
}
