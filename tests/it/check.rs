//! Integration tests of `examgen check` and `examgen stats`: the good fixture bank, one bad fixture per
//! error kind (message and line:column asserted), and the CLI's exit codes.

use crate::util::{Dir, fixtures, run_in, run_repo};

#[test]
fn good_fixture_bank_passes_with_a_summary() {
    let run = run_in(&fixtures(), &["check", "banks/good"]).success();
    assert_eq!(
        run.stdout.trim(),
        "banks/good: 2 sections, 3 notes, 12 questions (4 single, 2 multiple, 2 judge, 2 blank, 2 short); no errors, 0 warnings"
    );
}

/// (fixture folder, the `file:line:col: error: message` line expected on stderr)
const BAD: &[(&str, &str)] = &[
    (
        "unknown-key",
        "cw.yaml:13:5: error: unknown key `anwser` in a question",
    ),
    (
        "bad-type",
        "cw.yaml:10:11: error: `questions[0].type`: unknown variant `singel`, expected one of `single`, `multiple`, `judge`, `blank`, `short`",
    ),
    (
        "answer-out-of-range",
        "cw.yaml:13:13: error: answer `E` of question `cw-001` is not an option letter",
    ),
    (
        "multiple-all-correct",
        "cw.yaml:13:13: error: every option of multiple-choice question `cw-001` is correct",
    ),
    (
        "empty-stem",
        "cw.yaml:11:11: error: question `cw-001` has an empty stem",
    ),
    (
        "empty-option",
        "cw.yaml:12:21: error: option B of question `cw-001` is empty",
    ),
    (
        "duplicate-option",
        "cw.yaml:12:27: error: options B and C of question `cw-001` are the same text",
    ),
    (
        "unknown-note",
        "cw.yaml:13:11: error: note `cw-ratoi` does not exist",
    ),
    (
        "quote-not-in-note",
        "cw.yaml:14:12: error: the quote of question `cw-001` does not occur in note `cw-ratio`",
    ),
    (
        "blank-count",
        "cw.yaml:12:13: error: question `cw-001` has 2 blank(s) in its stem but 1 answer(s)",
    ),
    (
        "difficulty-range",
        "cw.yaml:13:17: error: difficulty 7 is out of range",
    ),
    (
        "judge-with-options",
        "cw.yaml:12:14: error: judge questions take no options",
    ),
    (
        "syntax-error",
        "cw.yaml:12:11: error: YAML syntax error: did not find expected ',' or ']'",
    ),
    ("empty-file", "cw.yaml:1:1: error: the file is empty"),
    (
        "not-utf8",
        "cw.yaml:3:10: error: the file is not UTF-8 text (bytes C9 E7 cannot be decoded)",
    ),
    (
        "duplicate-id",
        "b.yaml:9:5: error: id `cw-001` is used twice",
    ),
];

#[test]
fn each_bad_fixture_fails_with_exit_1_and_a_located_message() {
    for (fixture, expected) in BAD {
        let run = run_in(&fixtures(), &["check", &format!("bad/{fixture}")]).failure(1);
        let want = format!("bad/{fixture}/{expected}");
        assert!(
            run.stderr.lines().any(|l| l == want),
            "{fixture}: expected line\n{want}\nin stderr:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("nothing was generated"),
            "{fixture}: {}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "{fixture}: nothing on stdout on failure"
        );
    }
}

#[test]
fn diagnostics_show_the_offending_line_and_a_fix() {
    let run = run_in(&fixtures(), &["check", "bad/unknown-key"]).failure(1);
    assert!(
        run.stderr.contains("13 |     anwser: C\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("   |     ^^^^^^\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("= help: did you mean `answer`?"),
        "{}",
        run.stderr
    );
    let run = run_in(&fixtures(), &["check", "bad/not-utf8"]).failure(1);
    assert!(
        run.stderr.contains("re-save the file as UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_problem_in_every_file_is_reported_in_one_run() {
    let dir = Dir::new();
    let bad =
        |name: &str| std::fs::read(fixtures().join("bad").join(name).join("cw.yaml")).unwrap();
    // Three broken files with distinct section ids, plus a stray key in a fourth.
    dir.create("bank/a.yaml", bad("answer-out-of-range"));
    dir.create(
        "bank/b.yaml",
        String::from_utf8(bad("empty-stem"))
            .unwrap()
            .replace("id: cw\n", "id: cw2\n")
            .replace("cw-", "cw2-"),
    );
    dir.create("bank/c.yaml", "section:\n  id: c\n  title: C\n  oder: 3\n");
    dir.create(
        "bank/d.yaml",
        String::from_utf8(bad("difficulty-range"))
            .unwrap()
            .replace("id: cw\n", "id: cw4\n")
            .replace("cw-", "cw4-"),
    );
    let run = dir.run(&["check", "bank"]).failure(1);
    for want in [
        "bank/a.yaml:13:13: error",
        "bank/b.yaml:11:11: error",
        "bank/c.yaml:4:3: error: unknown key `oder` in the section header",
        "bank/d.yaml:13:17: error",
    ] {
        assert!(
            run.stderr.contains(want),
            "missing {want} in\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("has 4 errors"), "{}", run.stderr);
}

#[test]
fn warnings_name_untested_notes_without_failing_and_a_bank_may_lack_types() {
    let dir = Dir::new();
    dir.create(
        "bank/s.yaml",
        "section: {id: s, title: S}\nnotes:\n  - {id: n1, title: T, text: 一段**要点**}\nquestions:\n  - {id: q1, type: judge, stem: 对吗, answer: true}\n",
    );
    let run = dir.run(&["check", "bank"]).success();
    assert!(
        run.stderr
            .contains("bank/s.yaml:3:5: warning: note `n1` is not tested by any question"),
        "{}",
        run.stderr
    );
    // A section of one question type is normal (a bank of choice questions only): no warning for it.
    assert!(!run.stderr.contains("has no"), "{}", run.stderr);
    assert!(
        run.stdout.contains("no errors, 1 warning"),
        "{}",
        run.stdout
    );
    dir.run(&["check", "bank", "--deny-warnings"]).failure(1);
}

#[test]
fn missing_bank_folder_is_an_input_error_and_bad_flags_a_usage_error() {
    let dir = Dir::new();
    let run = dir.run(&["check", "no-such-bank"]).failure(1);
    assert!(
        run.stderr
            .contains("the bank folder no-such-bank does not exist"),
        "{}",
        run.stderr
    );
    dir.run(&["check", "--no-such-flag"]).failure(2);
    dir.run(&["frobnicate"]).failure(2);
}

#[test]
fn help_carries_examples_and_completions_are_printed() {
    let run = run_repo(&["--help"]).success();
    assert!(
        run.stdout.contains("Examples:") && run.stdout.contains("Exit codes"),
        "{}",
        run.stdout
    );
    for sub in ["check", "stats", "completions"] {
        let run = run_repo(&[sub, "--help"]).success();
        assert!(
            run.stdout.contains("Examples:\n  examgen "),
            "{sub}: {}",
            run.stdout
        );
    }
    for shell in ["bash", "zsh", "fish"] {
        let run = run_repo(&["completions", shell]).success();
        assert!(
            run.stdout.contains("check") && run.stdout.contains("stats"),
            "{shell}"
        );
    }
}

#[test]
fn stats_counts_by_section_type_and_difficulty() {
    let run = run_in(&fixtures(), &["stats", "banks/good", "--format", "json"]).success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("stats JSON parses");
    assert_eq!(json["format"], "examgen-stats/1");
    let sections = json["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0]["id"], "cw");
    assert_eq!(sections[0]["questions"], 6);
    assert_eq!(sections[0]["notes"], 2);
    assert_eq!(sections[0]["by_type"]["single"], 2);
    assert_eq!(sections[0]["by_type"]["short"], 1);
    assert_eq!(sections[0]["by_difficulty"]["2"], 1);
    assert_eq!(sections[0]["by_difficulty"]["3"], 3);
    assert_eq!(sections[0]["by_type_difficulty"]["single"]["4"], 1);
    assert_eq!(sections[1]["by_difficulty"]["5"], 1);
    assert_eq!(json["total"]["questions"], 12);
    assert_eq!(json["total"]["by_type"]["judge"], 2);

    let text = run_in(&fixtures(), &["stats", "banks/good"])
        .success()
        .stdout;
    let total = text
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .expect("TOTAL row");
    let cells: Vec<&str> = total.split_whitespace().collect();
    assert_eq!(cells[1..7], ["4", "2", "2", "2", "2", "12"]);
}
