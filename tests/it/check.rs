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
        "cw.yaml:10:11: error: `questions[0].type`: unknown variant `singel`, expected one of `single`, `multiple`, `judge`, `blank`, `short` (or 单选, 多选, 判断, 填空, 简答)",
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

/// A bank whose keys disagree with their explanations in each way the lint reads, and one that agrees.
const CONFLICTS: &str = r#"section: {id: cw, title: 社区工作者}
questions:
  - id: cw-080
    type: multiple
    stem: 社区工作者原则上依法签订劳动合同，按国家有关规定（　）。
    options: ["参加社会保险", "缴存住房公积金", "参加职业年金", "获得适当工作补助", "建立企业年金"]
    answer: [B, D]
    explanation: 原文为“按国家有关规定参加社会保险、缴存住房公积金”。职业年金、企业年金意见没有规定。
  - id: cw-001
    type: single
    stem: 各地按照每万城镇常住人口拥有社区工作者（　）人的标准配备。
    options: ["12", "15", "18", "20"]
    answer: A
    explanation: 原文为每万城镇常住人口18人，故选C。
  - id: cw-002
    type: single
    stem: 社区工作者队伍建设的首要原则是（　）。
    options: ["坚持党的领导", "坚持人民至上", "坚持问题导向", "坚持系统观念"]
    answer: A
    explanation: A项错误，B项说法正确。
  - id: cw-003
    type: judge
    stem: 加强社区工作者队伍建设不需要坚持党的全面领导。
    answer: false
    explanation: 该表述与意见原文一致，正确。
  - id: cw-004
    type: single
    stem: 社区专职工作人员由（　）统一组织招聘。
    options: ["省级", "市地级或县级", "街道", "社区"]
    answer: B
    explanation: 原文为“社区专职工作人员由市地级或县级统一组织招聘”，故选B。省级不负责招聘，A项错误。
"#;

#[test]
fn keys_that_contradict_their_explanation_are_errors_at_the_answer() {
    let dir = Dir::new();
    dir.create("bank/cw.yaml", CONFLICTS);
    let run = dir.run(&["check", "bank"]).failure(1);
    for want in [
        "bank/cw.yaml:7:13: error: the key of question `cw-080` is BD but its explanation gives AB: “按国家有关规定参加社会保险、缴存住房公积金”",
        "bank/cw.yaml:13:13: error: the key of question `cw-001` is A but its explanation gives C:",
        "bank/cw.yaml:19:13: error: the key of question `cw-002` is A but its explanation rejects A",
        "bank/cw.yaml:24:13: error: the key of question `cw-003` is × but its explanation gives √:",
    ] {
        assert!(
            run.stderr.contains(want),
            "missing\n{want}\nin\n{}",
            run.stderr
        );
    }
    // cw-004 names its key (故选B), rejects a wrong option (A项错误) and quotes the source at its slot.
    assert!(!run.stderr.contains("`cw-004`"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("4 question(s) whose key contradicts its explanation"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("= help: correct `answer:`"),
        "{}",
        run.stderr
    );
}

#[test]
fn stats_show_the_share_of_notes_with_key_phrases_and_of_tested_facts_that_are_key_phrases() {
    let dir = Dir::new();
    dir.create(
        "bank/cw.yaml",
        r#"section: {id: cw, title: 社区工作者}
notes:
  - id: cw-ratio
    title: 配备标准
    text: 各地按照每万城镇常住人口拥有社区工作者**18 人**的标准配备，市地级或县级层面实行总量控制。
  - id: cw-recruit
    title: 招聘
    text: 社区专职工作人员由市地级或县级统一组织招聘，**街道（乡镇）集中管理**。
  - id: cw-plain
    title: 背景
    text: 加强社区工作者队伍建设，事关保障人民安居乐业。
questions:
  - id: cw-001
    type: single
    stem: 各地按照每万城镇常住人口拥有社区工作者（　）人的标准配备。
    options: ["12", "15", "18", "20"]
    answer: C
    note: cw-ratio
  - id: cw-002
    type: blank
    stem: 社区工作者实行______控制。
    answer: ["总量"]
    note: cw-ratio
  - id: cw-003
    type: blank
    stem: 社区专职工作人员由______统一组织招聘，街道（乡镇）集中管理。
    answer: ["市地级或县级"]
    note: cw-recruit
  - id: cw-004
    type: single
    stem: 社区专职工作人员由街道（　）。
    options: ["分散管理", "集中管理", "统一招聘", "统筹使用"]
    answer: B
    note: cw-recruit
  - id: cw-005
    type: single
    stem: 加强社区工作者队伍建设事关（　）。
    options: ["国家富强", "保障人民安居乐业的根本", "民族复兴", "社会和谐"]
    answer: B
    note: cw-plain
  - id: cw-006
    type: judge
    stem: 社区工作者实行总量控制。
    answer: true
    note: cw-ratio
"#,
    );
    // Facts in their notes: 18 (in **18 人**), 总量, 市地级或县级, 集中管理 (in **街道（乡镇）集中管理**);
    // cw-005's key is not printed in its note and a judgement keys no text.
    let text = dir.run(&["stats", "bank"]).success().stdout;
    assert!(
        text.contains("notes with key phrases: 2 of 3 (66.7%)"),
        "{text}"
    );
    assert!(
        text.contains("tested facts that are key phrases (single-choice keys and blank answers printed in their note): 2 of 4 (50.0%)"),
        "{text}"
    );
    let json = dir
        .run(&["stats", "bank", "--format", "json"])
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"]["notes_with_key_phrases"], 2);
    assert_eq!(v["total"]["notes_with_key_phrases_share"], 0.667);
    assert_eq!(v["total"]["tested_facts"], 4);
    assert_eq!(v["total"]["tested_facts_key_phrases"], 2);
    assert_eq!(v["total"]["tested_facts_key_phrases_share"], 0.5);
    assert_eq!(v["sections"][0]["tested_facts"], 4);
}
