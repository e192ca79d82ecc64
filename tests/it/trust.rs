//! Issue 14 (trust), papers and input: banks, spreadsheets and rosters typed the way Chinese teachers
//! type them either print the paper the teacher meant or stop with a located error.

use std::path::Path;

use crate::util::Dir;
use examgen::input::bank::Bank;
use examgen::render::fonts::FontSet;
use examgen::render::layout::{Item, PageSetup};
use examgen::render::{Template, Typesetter};

/// A one-section bank folder holding `questions` (YAML list items, indented by two spaces).
fn bank(dir: &Dir, questions: &str) -> std::path::PathBuf {
    dir.create(
        "bank/cw.yaml",
        format!(
            "section:\n  id: cw\n  title: 社区工作\nnotes:\n  - id: cw-n\n    title: 培训\n    text: 每年至少培训一次。\nquestions:\n{questions}"
        ),
    );
    dir.join("bank")
}

/// Every text item of variant A's paper, one string per printed line, for `parts` of the blueprint.
fn printed_lines(dir: &Dir, parts: &str, seed: u64) -> Vec<String> {
    let bp_path = dir.create(
        "bank/exams/t.yaml",
        format!("title: 测验\nduration: 30\nbank: ..\nparts:\n{parts}"),
    );
    let (_bank, data) = crate::util::variant_a(&bp_path, seed);
    let fonts = FontSet::builtin();
    let renderer = Typesetter::new(&fonts, None, PageSetup::a4()).unwrap();
    let layout = renderer.layout(Template::Paper, &data).unwrap();
    layout_lines(&layout)
}

/// The text of each printed line: text items on one baseline of a page joined left to right (layout
/// splits a line into several runs where spacing rules move glyphs).
fn layout_lines(layout: &examgen::render::layout::Layout) -> Vec<String> {
    let mut lines = Vec::new();
    for page in &layout.pages {
        let mut runs: Vec<(f32, f32, &str)> = page
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Text { x, y, text, .. } => Some((*y, *x, &**text)),
                _ => None,
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut current: Option<(f32, String)> = None;
        for (y, _, text) in runs {
            match &mut current {
                Some((line_y, line)) if (*line_y - y).abs() < 0.5 => line.push_str(text),
                _ => {
                    if let Some((_, line)) = current.take() {
                        lines.push(line);
                    }
                    current = Some((y, text.to_string()));
                }
            }
        }
        if let Some((_, line)) = current {
            lines.push(line);
        }
    }
    lines
}

/// The manifest `draw --format json` prints for `blueprint` with seed 1.
fn drawn_manifest(dir: &Dir, blueprint: &str) -> serde_json::Value {
    let run = dir
        .run(&["draw", blueprint, "--seed", "1", "--format", "json"])
        .success();
    serde_json::from_str(&run.stdout).unwrap()
}

/// The run's stderr says `what`.
fn assert_said(run: &crate::util::Run, what: &str) {
    assert!(run.stderr.contains(what), "{what} not in:\n{}", run.stderr);
}

fn check(dir: &Dir, bank: &Path) -> crate::util::Run {
    dir.run(&["check", bank.to_str().unwrap()])
}

#[test]
fn answer_slots_typed_any_way_print_once() {
    let dir = Dir::new();
    // cw-001 does not ask 每年至少培训（　）次 (cw-003 would answer it: an answer leak, never on one paper).
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者每年参加培训的最少次数为（　　）。
    options: ["一", "二", "三"]
    answer: A
  - id: cw-002
    type: single
    stem: 培训由(    )组织
    options: ["县级", "市级", "省级"]
    answer: A
  - id: cw-003
    type: judge
    stem: 社区工作者每年至少培训一次。（ ）
    answer: true
  - id: cw-004
    type: judge
    stem: 社区工作者每年至少培训两次【　】。
    answer: false
"#,
    );
    let lines = printed_lines(
        &dir,
        "  - {title: 单选, type: single, count: 2, points: 1}\n  - {title: 判断, type: judge, count: 2, points: 1}\n",
        1,
    );
    let stems: Vec<&String> = lines.iter().filter(|l| l.contains("培训")).collect();
    assert_eq!(stems.len(), 4, "{lines:#?}");
    for s in stems {
        assert_eq!(s.matches("（\u{3000}\u{3000}）").count(), 1, "{s}");
        for typed in ["(", "【", "（ ）", "（）"] {
            assert!(!s.contains(typed), "{s}");
        }
    }
    check(&dir, &b).success();
}

#[test]
fn check_warns_about_a_stem_with_two_slots() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        "  - id: cw-001\n    type: judge\n    stem: 社区工作者（　）每年培训一次（　）\n    answer: true\n",
    );
    let run = check(&dir, &b).success();
    assert!(
        run.stderr
            .contains("cw.yaml:11:11: warning: question `cw-001` has 2 answer slots"),
        "{}",
        run.stderr
    );
}

#[test]
fn typed_option_labels_are_stripped_or_refused() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者每年至少培训（　）次。
    options: ["A. 一", "B、二", "（C）三", "Ｄ．四"]
    answer: A
"#,
    );
    let run = check(&dir, &b).success();
    assert!(
        run.stderr.contains(
            "cw.yaml:12:15: warning: the options of question `cw-001` start with typed labels"
        ),
        "{}",
        run.stderr
    );
    let lines = printed_lines(
        &dir,
        "  - {title: 单选, type: single, count: 1, points: 1}\n",
        7,
    );
    // Each option once, behind a printed label and nothing typed: 「B．一」, never 「B．A. 一」.
    for text in ["一", "二", "三", "四"] {
        let labelled = |l: &&String| {
            ["A", "B", "C", "D"]
                .iter()
                .filter(|letter| l.contains(&format!("{letter}．{text}")))
                .count()
        };
        assert_eq!(
            lines.iter().map(|l| labelled(&l)).sum::<usize>(),
            1,
            "{lines:#?}"
        );
    }
    assert!(!lines.iter().any(|l| l.contains("A.") || l.contains("、二")));

    // A label naming another position would print one answer and mark another: refused at the option.
    bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者每年至少培训（　）次。
    options: ["A. 一", "C. 三", "B. 二"]
    answer: A
"#,
    );
    let run = check(&dir, &b).failure(1);
    assert!(
        run.stderr.contains(
            "cw.yaml:12:23: error: option B of question `cw-001` starts with the label C"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn all_of_the_above_stays_last_and_options_naming_others_stay_put() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者的培训包括（　）。
    options: ["初任培训", "在职培训", "专项培训", "以上都对"]
    answer: D
  - id: cw-002
    type: single
    stem: 社区工作者的职责是（　）。
    options: ["服务居民", "协助政府", "A和B", "都不对"]
    answer: C
"#,
    );
    let run = check(&dir, &b).success();
    assert!(
        run.stderr
            .contains("option C of question `cw-002` names other options"),
        "{}",
        run.stderr
    );
    for seed in 0..12 {
        let lines = printed_lines(
            &dir,
            "  - {title: 单选, type: single, count: 2, points: 1}\n",
            seed,
        );
        assert!(
            lines.iter().any(|l| l.ends_with("D．以上都对")),
            "seed {seed}: {lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("C．A和B")),
            "seed {seed}: {lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("A．服务居民")),
            "seed {seed}: {lines:#?}"
        );
    }
}

#[test]
fn multi_line_stems_keep_their_lines_and_paragraphs() {
    let dir = Dir::new();
    bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: |
      阅读材料：
      （1）社区工作者每年至少培训一次；
      （2）培训由县级组织。

      根据以上材料，下列说法正确的是（　）。
    options: ["每年一次", "每年两次", "不需培训"]
    answer: A
"#,
    );
    let lines = printed_lines(
        &dir,
        "  - {title: 单选, type: single, count: 1, points: 1}\n",
        3,
    );
    let at = |text: &str| {
        lines
            .iter()
            .position(|l| l.ends_with(text))
            .unwrap_or_else(|| panic!("no line ends with {text}: {lines:#?}"))
    };
    let first = at("阅读材料：");
    assert_eq!(at("（1）社区工作者每年至少培训一次；"), first + 1);
    assert_eq!(at("（2）培训由县级组织。"), first + 2);
    // The blank line is a paragraph break: the last paragraph starts on a line of its own.
    assert_eq!(
        at("根据以上材料，下列说法正确的是（\u{3000}\u{3000}）。"),
        first + 3
    );
}

#[test]
fn a_key_phrase_across_a_blank_line_is_refused_and_wrapped_chinese_joins_without_space() {
    let dir = Dir::new();
    let b = dir.join("bank");
    dir.create(
        "bank/cw.yaml",
        "section:\n  id: cw\n  title: 社区工作\nnotes:\n  - id: cw-n\n    title: 培训\n    text: |\n      每年至少**培训一次。\n\n      由县级**组织。\nquestions: []\n",
    );
    let run = check(&dir, &b).failure(1);
    assert!(
        run.stderr.contains(
            "cw.yaml:8:7: error: note `cw-n` has a `**` key phrase that spans a blank line"
        ),
        "{}",
        run.stderr
    );
    let paragraphs = examgen::model::rich::note_paragraphs(
        &examgen::input::bank::Rich::note("社区工作者\n队伍建设\n\n第二段"),
        std::path::Path::new("x.yaml"),
    );
    assert_eq!(paragraphs[0][0].text, "社区工作者队伍建设");
}

#[test]
fn characters_no_font_has_are_found_by_check_at_their_place() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        "  - id: cw-001\n    type: single\n    stem: 社区工作者😀每年至少培训（　）次。\n    options: [\"一\", \"二𠀀\", \"三\"]\n    answer: A\n    explanation: 姓名䶮与㐀。\n",
    );
    let run = check(&dir, &b).failure(1);
    for want in [
        "cw.yaml:11:16: error: `😀` (U+1F600) is not in the font",
        "cw.yaml:12:22: error: `𠀀` (U+20000) is not in the font",
        "cw.yaml:14:20: error: `䶮` (U+4DAE) is not in the font",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
}

#[test]
fn roster_names_the_fonts_cannot_print_are_refused_by_row_all_at_once() {
    let dir = Dir::new();
    let roster = dir.create(
        "class.csv",
        "学号,姓名\n2025001,张喆\n2025002,王䶮𠀀\n2025003,李堃\n",
    );
    let quiz = crate::util::repo().join("question-bank/exams/quiz.yaml");
    let run = dir
        .run(&[
            "batch",
            quiz.to_str().unwrap(),
            "--roster",
            roster.to_str().unwrap(),
            "--seed",
            "1",
            "-o",
            "out",
        ])
        .failure(1);
    assert!(
        run.stderr.contains(
            "class.csv:3:1: error: row 3: the name of 王䶮𠀀 has `䶮` (U+4DAE), `𠀀` (U+20000) that the fonts"
        ),
        "{}",
        run.stderr
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn seal_line_fields_stay_on_the_sheet_with_a_narrow_margin() {
    let (_bank, data) = crate::util::variant_a(
        &crate::util::fixtures().join("banks/good/exams/small.yaml"),
        5,
    );
    let fonts = FontSet::builtin();
    let mm = 72.0 / 25.4;
    for name in ["a3-2col", "b4-2col"] {
        for margin in [5.0, 8.0] {
            let setup = PageSetup::named(name).unwrap().with_margin(margin);
            let (w, h) = (setup.width, setup.height);
            let renderer = Typesetter::new(&fonts, None, setup).unwrap();
            let layout = renderer.layout(Template::Paper, &data).unwrap();
            let mut turned = 0;
            for item in &layout.pages[0].items {
                if let Item::Turned {
                    x, y, size, text, ..
                } = item
                {
                    turned += 1;
                    // Turned text reaches about 0.9 of its size to the left of x, and runs up from y.
                    let width = fonts.body.width_em(text) * size;
                    assert!(
                        x - size * 0.9 >= 3.0 * mm && *x <= w && y - width >= 0.0 && *y <= h,
                        "{name} --margin {margin}: `{text}` at ({x:.1}, {y:.1}) leaves the sheet"
                    );
                }
                if let Item::Line { x1, x2, .. } = item {
                    assert!(
                        x1.min(*x2) >= 3.0 * mm,
                        "{name} --margin {margin}: a line at x {x1:.1}"
                    );
                }
            }
            assert!(
                turned >= 5,
                "{name}: the seal warning and four fields are printed"
            );
        }
    }
}

#[test]
fn a_part_of_one_question_is_numbered_once_on_the_answer_sheet() {
    let dir = Dir::new();
    bank(
        &dir,
        "  - id: cw-001\n    type: judge\n    stem: 社区工作者每年至少培训一次。\n    answer: true\n  - id: cw-002\n    type: short\n    stem: 简述社区工作者培训的要求。\n    answer: 每年至少一次。\n",
    );
    let (_bank, data) = crate::util::variant_a(&dir.create(
        "bank/exams/t.yaml",
        "title: 测验\nduration: 30\nbank: ..\nparts:\n  - {title: 判断, type: judge, count: 1, points: 1}\n  - {title: 简答, type: short, count: 1, points: 5}\n",
    ), 1);
    let fonts = FontSet::builtin();
    let renderer = Typesetter::new(&fonts, None, PageSetup::a4()).unwrap();
    let layout = renderer.layout(Template::AnswerSheet, &data).unwrap();
    let texts = layout_lines(&layout);
    assert!(
        texts.iter().any(|t| t == "第2题请在试卷上作答。"),
        "{texts:#?}"
    );
    assert!(!texts.iter().any(|t| t.contains("～")), "{texts:#?}");
}

#[test]
fn handout_sections_may_be_listed_with_spaces_or_chinese_commas() {
    let dir = Dir::new();
    let bank = crate::util::fixtures().join("banks/good");
    for list in ["cw, vs", "cw，vs"] {
        let run = dir
            .run(&[
                "handout",
                bank.to_str().unwrap(),
                "--sections",
                list,
                "-o",
                "out",
            ])
            .success();
        assert!(run.stdout.contains("handout.pdf"), "{list}: {}", run.stdout);
    }
}

#[test]
fn full_width_answer_letters_mean_the_same_options() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者多久至少培训一次？（　）
    options: ["每年", "每两年", "每三年", "每五年"]
    answer: Ａ
  - id: cw-002
    type: multiple
    stem: 社区工作者培训包括（　）。
    options: ["初任培训", "在职培训", "出国考察", "专项培训", "休假"]
    answer: ＡｂＤ
"#,
    );
    check(&dir, &b).success();
    let bank = Bank::load(&b).unwrap();
    assert_eq!(bank.questions[0].answer_text(), "A");
    assert_eq!(bank.questions[1].answer_text(), "ABD");
}

#[test]
fn counts_minutes_points_and_difficulty_typed_with_units_or_words_mean_the_number() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: 单选题
    stem: 社区工作者多久至少培训一次？（　）
    options: ["每年", "每两年", "每三年", "每五年"]
    answer: A
    difficulty: 较易
  - id: cw-002
    type: single
    stem: 社区工作者由谁管理？（　）
    options: ["街道", "区县", "市级", "省级"]
    answer: B
    difficulty: 难
    points: 2分
  - id: cw-003
    type: 判断
    stem: 社区工作者每年至少培训一次。
    answer: 对
    difficulty: ３
"#,
    );
    check(&dir, &b).success();
    let loaded = Bank::load(&b).unwrap();
    let levels: Vec<u8> = loaded.questions.iter().map(|q| q.difficulty).collect();
    assert_eq!(levels, [2, 5, 3]);
    dir.create(
        "bank/exams/t.yaml",
        "title: 测验\nduration: 45分钟\nparts:\n  - {type: 单选, count: 2题, points: 1分, difficulty: {较易: 50%, 难: 50%}}\n  - {type: 判断, count: 1道, points: 0.5 分}\n",
    );
    let manifest = drawn_manifest(&dir, "bank/exams/t.yaml");
    assert_eq!(manifest["total_points"], "3.5", "{manifest}");

    // A unit that does not belong to the key, or a word that names no level, stays a located error.
    dir.create(
        "bank/exams/bad.yaml",
        "title: 测验\nduration: 2小时\nparts:\n  - {type: 单选, count: 2分}\n",
    );
    let run = dir.run(&["draw", "bank/exams/bad.yaml"]).failure(1);
    assert_said(&run, "`2小时` is not a whole number");
    let b2 = bank(
        &dir,
        "  - id: cw-001\n    type: judge\n    stem: 培训每年一次。\n    answer: true\n    difficulty: 中上\n",
    );
    let run = check(&dir, &b2).failure(1);
    assert_said(&run, "cw.yaml:13:17");
    assert_said(&run, "`中上` is not a difficulty level");
    assert_said(&run, "易, 较易, 中, 较难, 难");
}

#[test]
fn blueprint_sections_may_be_named_by_their_titles() {
    let dir = Dir::new();
    let one = |id: &str, title: &str, n: usize| {
        let questions: String = (1..=n)
            .map(|i| {
                format!("  - id: {id}-{i}\n    type: single\n    stem: 第{i}题题干（　）。\n    options: [甲, 乙, 丙, 丁]\n    answer: A\n")
            })
            .collect();
        dir.create(
            &format!("bank/{id}.yaml"),
            format!(
                "section:\n  id: {id}\n  title: {title}\nnotes:\n  - id: {id}-n\n    title: {id}要点\n    text: {id}的要点内容。\nquestions:\n{questions}"
            ),
        );
    };
    one("intro", "第一章 社会工作概述", 4);
    one("case", "第二章 个案工作", 4);
    one("group", "第三章　小组工作", 4);
    dir.create(
        "bank/exams/t.yaml",
        "title: 测验\nparts:\n  - type: single\n    count: 6\n    sections: {第一章 社会工作概述: 1, 个案工作: 2, 第三章: 3}\n",
    );
    let manifest = drawn_manifest(&dir, "bank/exams/t.yaml");
    let sections: Vec<&str> = manifest["variants"][0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["section"].as_str().unwrap())
        .collect();
    for (id, n) in [("intro", 1), ("case", 2), ("group", 3)] {
        assert_eq!(
            sections.iter().filter(|s| **s == id).count(),
            n,
            "{sections:?}"
        );
    }
    // `平均` is `even`; a name that is no id, title or unique start of a title lists the sections.
    dir.create(
        "bank/exams/even.yaml",
        "title: 测验\nparts:\n  - {type: single, count: 3, sections: 平均}\n",
    );
    dir.run(&["draw", "bank/exams/even.yaml", "--seed", "1"])
        .success();
    dir.create(
        "bank/exams/bad.yaml",
        "title: 测验\nparts:\n  - {type: single, count: 2, sections: {第: 1, 第四章: 1}}\n",
    );
    let run = dir.run(&["draw", "bank/exams/bad.yaml"]).failure(1);
    assert_said(&run, "section `第`");
    assert_said(&run, "case（第二章 个案工作）");
    // The handout takes titles too.
    dir.run(&["handout", "bank", "--sections", "第二章", "-o", "h"])
        .success();
    let pdf = std::fs::read_dir(dir.join("h"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let text = crate::util::tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("第二章 个案工作"), "{text}");
    assert!(!text.contains("第一章"), "{text}");
}

#[test]
fn options_written_by_their_letters_and_judge_answers_in_words_are_read() {
    let dir = Dir::new();
    let b = bank(
        &dir,
        r#"  - id: cw-001
    type: single
    stem: 社区工作者多久至少培训一次？（　）
    options:
      A: 每年
      B: 每两年
      Ｃ: 每三年
      d: 每五年
    answer: B
  - id: cw-002
    type: judge
    stem: 社区工作者每年至少培训一次。
    answer: 是
  - id: cw-003
    type: judge
    stem: 社区工作者无需培训。
    answer: 否
"#,
    );
    check(&dir, &b).success();
    let loaded = Bank::load(&b).unwrap();
    assert_eq!(
        loaded.questions[0].options,
        ["每年", "每两年", "每三年", "每五年"]
    );
    let answers: Vec<String> = loaded.questions.iter().map(|q| q.answer_text()).collect();
    assert_eq!(answers, ["B", "√", "×"]);
    // Letters with a gap are no list of options: refused at the options.
    let b = bank(
        &dir,
        "  - id: cw-001\n    type: single\n    stem: 问（　）\n    options: {A: 甲, B: 乙, D: 丁}\n    answer: A\n",
    );
    let run = check(&dir, &b).failure(1);
    assert_said(&run, "cw.yaml:12:14");
    assert_said(&run, "needs a list of 2 to 8 options");
}
