//! Exam integrity (issue #16): answer leaks found by `check` and kept apart by the draw, section weights,
//! numeric options in natural order, and the share of stems ending with their slot.

use examgen::input::bank::Bank;

use crate::util::Dir;

/// A section file of teacher-style questions around one provision; `extra` is appended to the list.
fn section(extra: &str) -> String {
    format!(
        r#"section:
  id: jcz
  title: 习近平关于基层治理论述摘编
questions:
  - id: jcz-005
    type: single
    stem: 党的十八届三中全会首次提出“创新社会治理体制”，实现了从（　）的重要转变。
    options: ["社会管控到社会服务", "管理型政府到服务型政府", "社会管理到社会治理", "单向管理到协同治理"]
    answer: C
{extra}"#
    )
}

fn check(dir: &Dir) -> String {
    dir.run(&["check", "bank"]).success().stderr
}

#[test]
fn a_stem_that_prints_another_questions_answer_is_a_leak_at_both_lines() {
    let dir = Dir::new();
    dir.create(
        "bank/jcz.yaml",
        section(
            r#"  - id: jcz-058
    type: blank
    stem: 2013年，党的十八届三中全会首次提出“______”，实现了从社会管理到社会治理的重要转变。
    answer: ["创新社会治理体制"]
"#,
        ),
    );
    let err = check(&dir);
    assert!(
        err.contains("bank/jcz.yaml:5:5: warning: the answer of question `jcz-005` is printed in question `jcz-058` (bank/jcz.yaml:10)"),
        "{err}"
    );
    assert!(err.contains("give both the same `group:`"), "{err}");
    // jcz-058's blank sits between quotation marks: no context, so it is no leak the other way.
    assert!(!err.contains("question `jcz-058` is printed"), "{err}");
}

#[test]
fn an_option_that_holds_the_answer_with_its_right_context_is_a_leak() {
    let dir = Dir::new();
    dir.create(
        "bank/jcz.yaml",
        section(
            r#"  - id: jcz-020
    type: multiple
    stem: 下列表述正确的有（　）。
    options: ["实现了从社会管理到 社会治理的重要转变", "基层治理以村为单位", "社区是基层治理的末梢", "治理重心向上移"]
    answer: [A, C]
"#,
        ),
    );
    let err = check(&dir);
    // 社会管理到社会治理 + 的重要 (the three characters after the slot), spaces ignored.
    assert!(
        err.contains("question `jcz-005` is printed in question `jcz-020`"),
        "{err}"
    );
}

#[test]
fn a_grouped_pair_is_no_leak() {
    let dir = Dir::new();
    dir.create(
        "bank/jcz.yaml",
        section(
            r#"    group: jcz-2013
  - id: jcz-058
    type: blank
    stem: 2013年，党的十八届三中全会首次提出“______”，实现了从社会管理到社会治理的重要转变。
    answer: ["创新社会治理体制"]
    group: jcz-2013
"#,
        ),
    );
    let err = check(&dir);
    assert!(!err.contains("is printed in"), "{err}");
}

#[test]
fn the_answer_with_other_words_around_it_is_no_leak() {
    let dir = Dir::new();
    dir.create(
        "bank/jcz.yaml",
        section(
            r#"  - id: jcz-030
    type: single
    stem: 推动从社会管理到社会治理，关键在于（　）。
    options: ["加强党的领导", "扩大政府规模", "减少群众参与", "弱化基层组织"]
    answer: A
"#,
        ),
    );
    // jcz-030 prints the answer 社会管理到社会治理 but after 推动从 and before `，`: neither context matches.
    let err = check(&dir);
    assert!(!err.contains("is printed in"), "{err}");
    let bank = Bank::load(&dir.join("bank")).unwrap();
    assert!(bank.leaks.is_empty());
}
