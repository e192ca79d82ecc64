//! Exam integrity (issue #16): answer leaks found by `check` and kept apart by the draw, section weights,
//! numeric options in natural order, and the share of stems ending with their slot.

use std::collections::{HashMap, HashSet};

use examgen::exam::draw::{DrawOptions, draw, spread_weighted};
use examgen::input::bank::Bank;
use examgen::input::blueprint::{Blueprint, Spread};
use rust_decimal::Decimal;

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
        err.contains("bank/jcz.yaml:5:5: warning: the answer of question `jcz-005` is printed in question `jcz-058` (bank/jcz.yaml:12)"),
        "{err}"
    );
    assert!(err.contains("give both the same `group:`"), "{err}");
    // jcz-058's blank sits between quotation marks, which a reader skips: jcz-005 prints 首次提出“创新社会
    // 治理体制”, so it leaks the other way too, reported at jcz-005's stem.
    assert!(
        err.contains("bank/jcz.yaml:10:5: warning: the answer of question `jcz-058` is printed in question `jcz-005` (bank/jcz.yaml:7)"),
        "{err}"
    );
    assert!(
        err.contains("bank/jcz.yaml:7:11: warning: question `jcz-005` gives away the answer of question `jcz-058` (bank/jcz.yaml:10): its stem prints the answer with the words beside its slot `次提出创新社会治理体制`"),
        "{err}"
    );
    // And jcz-005's at jcz-058's stem, the line that prints it.
    assert!(
        err.contains("bank/jcz.yaml:12:11: warning: question `jcz-058` gives away the answer of question `jcz-005` (bank/jcz.yaml:5)"),
        "{err}"
    );
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
    // jcz-030 prints the answer 社会管理到社会治理 but after 推动从 and before `，`: neither context matches,
    // and inside the clause 推动从社会管理到社会治理 it is no statement of its own.
    let err = check(&dir);
    assert!(!err.contains("is printed in"), "{err}");
    let bank = Bank::load(&dir.join("bank")).unwrap();
    assert!(bank.leaks.is_empty());
}

/// The source's parts by length, as `mock.yaml` is to follow them.
const SOURCE_SHARES: [(&str, f64); 6] = [
    ("cpc20", 24.0),
    ("xi-sw", 4.0),
    ("cswc", 4.0),
    ("jcz", 9.0),
    ("cw", 28.0),
    ("vs", 31.0),
];

#[test]
fn mock_papers_follow_the_source_shares_within_five_points_with_every_section_in_every_part() {
    let repo = crate::util::repo();
    let bp = Blueprint::load(&repo.join("question-bank/exams/mock.yaml")).unwrap();
    let bank = Bank::load(&bp.bank).unwrap();
    let mut per_section: HashMap<&str, usize> = HashMap::new();
    let mut total = 0;
    for seed in 0..40 {
        let d = draw(
            &bank,
            &bp,
            &DrawOptions {
                seed,
                variants: 1,
                ..DrawOptions::default()
            },
        )
        .unwrap();
        for dp in &d.variants[0].parts {
            let sections: HashSet<usize> = dp
                .questions
                .iter()
                .map(|q| bank.questions[q.question].section)
                .collect();
            assert_eq!(
                sections.len(),
                6,
                "seed {seed}: part {} misses a section",
                dp.part + 1
            );
        }
        for q in d.variants[0].questions() {
            *per_section
                .entry(
                    bank.sections[bank.questions[q.question].section]
                        .id
                        .as_str(),
                )
                .or_default() += 1;
            total += 1;
        }
    }
    for (id, share) in SOURCE_SHARES {
        let got = 100.0 * per_section[id] as f64 / total as f64;
        assert!(
            (got - share).abs() <= 5.0,
            "{id}: {got:.1}% of the questions, the source has {share}%"
        );
    }
}

#[test]
fn explicit_shares_in_a_blueprint_spread_a_part_and_must_add_up_to_100() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    let blueprint = |sections: &str| {
        format!(
            "title: 测验\nbank: ../bank\nparts:\n  - type: single\n    count: 2\n    sections: {sections}\n"
        )
    };
    dir.create("exams/w.yaml", blueprint("{cw: 75%, vs: 25%}"));
    let bp = Blueprint::load(&dir.join("exams/w.yaml")).unwrap();
    assert_eq!(
        bp.parts[0].spread,
        Spread::Weighted(Some(vec![
            ("cw".into(), Decimal::from(75)),
            ("vs".into(), Decimal::from(25))
        ]))
    );
    dir.create("exams/bad.yaml", blueprint("{cw: 75%, vs: 20%}"));
    let run = dir.run(&["draw", "exams/bad.yaml"]).failure(1);
    assert!(
        run.stderr
            .contains("exams/bad.yaml:6:15: error: the section shares add up to 95%"),
        "{}",
        run.stderr
    );
    // `weighted` without a `weight:` in the section files says which sections lack one.
    dir.create("exams/declared.yaml", blueprint("weighted"));
    let run = dir.run(&["draw", "exams/declared.yaml"]).failure(1);
    assert!(
        run.stderr
            .contains("section(s) cw, vs declare no `weight:`"),
        "{}",
        run.stderr
    );
}

#[test]
fn weights_keep_one_question_per_section_and_respect_capacity() {
    let pct = |v: &[i64]| v.iter().map(|w| Decimal::from(*w)).collect::<Vec<_>>();
    // 20 multiple-choice questions over the mock's shares: the 4% parts still get one each.
    assert_eq!(
        spread_weighted(20, &pct(&[24, 4, 4, 9, 28, 31]), &[21, 8, 7, 10, 28, 25]),
        vec![5, 1, 1, 2, 5, 6]
    );
    assert_eq!(
        spread_weighted(60, &pct(&[24, 4, 4, 9, 28, 31]), &[70, 22, 27, 39, 68, 70]),
        vec![15, 2, 2, 5, 17, 19]
    );
    // A section that cannot supply its share gives the rest to the others; weight 0 gets nothing.
    assert_eq!(
        spread_weighted(10, &pct(&[50, 50, 0]), &[2, 20, 20]),
        vec![2, 8, 0]
    );
    // Fewer questions than sections: no minimum, the largest shares first.
    assert_eq!(
        spread_weighted(2, &pct(&[10, 60, 30]), &[5, 5, 5]),
        vec![0, 1, 1]
    );
}

#[test]
fn numeric_options_print_ascending_with_the_key_following_them() {
    let dir = Dir::new();
    dir.create(
        "bank/cw.yaml",
        r#"section:
  id: cw
  title: 关于加强社区工作者队伍建设的意见
questions:
  - id: cw-001
    type: single
    stem: 各地按照每万城镇常住人口拥有社区工作者（　）人的标准配备社区工作者。
    options: ["18", "15", "12", "20"]
    answer: A
  - id: cw-002
    type: multiple
    stem: 下列年份中，意见提出目标的有（　）。
    options: ["2035年", "2025年", "2050年", "2030年", "2027年"]
    answer: [A, D]
  - id: cw-003
    type: single
    stem: 社区工作者队伍建设的首要原则是（　）。
    options: ["坚持党的领导", "坚持人民至上", "坚持问题导向", "坚持系统观念"]
    answer: A
"#,
    );
    dir.create(
        "exams/q.yaml",
        "title: 测验\nbank: ../bank\nparts:\n  - type: single\n    count: 2\n  - type: multiple\n    count: 1\n",
    );
    let bp = Blueprint::load(&dir.join("exams/q.yaml")).unwrap();
    let bank = Bank::load(&bp.bank).unwrap();
    let mut word_orders = HashSet::new();
    for seed in 0..12 {
        let d = draw(
            &bank,
            &bp,
            &DrawOptions {
                seed,
                variants: 2,
                ..DrawOptions::default()
            },
        )
        .unwrap();
        for v in &d.variants {
            let data = examgen::model::paper::build(&bank, &bp, v, 1, false);
            for q in data.parts.iter().flat_map(|p| &p.questions) {
                let texts: Vec<&str> = q.options.iter().map(|o| o.text.as_str()).collect();
                let correct: String = q
                    .options
                    .iter()
                    .filter(|o| o.correct)
                    .map(|o| o.label.as_str())
                    .collect();
                match q.id.as_str() {
                    "cw-001" => {
                        assert_eq!(texts, ["12", "15", "18", "20"]);
                        assert_eq!((q.answer.as_str(), correct.as_str()), ("C", "C"));
                    }
                    "cw-002" => {
                        assert_eq!(texts, ["2025年", "2027年", "2030年", "2035年", "2050年"]);
                        assert_eq!((q.answer.as_str(), correct.as_str()), ("CD", "CD"));
                    }
                    _ => {
                        word_orders.insert(texts.join(" "));
                    }
                }
            }
        }
    }
    // Options in words are still shuffled.
    assert!(word_orders.len() > 3, "{word_orders:?}");
}

#[test]
fn stats_show_how_many_single_choice_stems_end_with_the_slot() {
    let fixtures = crate::util::fixtures();
    let text = crate::util::run_in(&fixtures, &["stats", "banks/good"])
        .success()
        .stdout;
    // cw-006 and vs-006 end `……是（　）。`; cw-001 (`（　）人。`) and vs-001 (`（　）年，`) do not.
    assert!(
        text.contains("single-choice stems ending with the slot (……的是（　）。): 2 of 4 (50.0%)"),
        "{text}"
    );
    let json = crate::util::run_in(&fixtures, &["stats", "banks/good", "--format", "json"])
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"]["single_slot_at_end"], 2);
    assert_eq!(v["total"]["single_slot_at_end_share"], 0.5);
    assert_eq!(v["sections"][0]["single_slot_at_end"], 1);
    // The shipped bank is in the real exam's style: at least 40% of its single-choice stems end with the slot.
    let json = crate::util::run_repo(&["stats", "--format", "json"])
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["total"]["single_slot_at_end_share"].as_f64().unwrap() >= 0.4,
        "{}",
        v["total"]
    );
}

/// Every blank of a cloze handout of `bank` at ratio 1, with its note, checked for giveaways, punctuation
/// edges and length; returns (blanks, key phrases kept as text).
fn cloze_audit(bank: &Bank) -> (usize, usize) {
    use examgen::model::handout::{Mode, Selection, build, key_phrase_count, select_notes};
    let notes = select_notes(bank, &Selection::default()).unwrap();
    let all: HashSet<usize> = (0..key_phrase_count(bank, &notes)).collect();
    let data = build(
        bank,
        &notes,
        "讲义",
        Mode::Cloze,
        &all,
        Default::default(),
        false,
        false,
    );
    let answers: Vec<&examgen::model::handout::KeyAnswer> =
        data.key.iter().flat_map(|k| &k.answers).collect();
    assert_eq!(answers.len(), data.blank_count);
    let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let mut kept = 0;
    for note in data.sections.iter().flat_map(|s| &s.notes) {
        let visible: String = note
            .paragraphs
            .iter()
            .flatten()
            .map(|r| squeeze(&r.text))
            .collect();
        for run in note.paragraphs.iter().flatten() {
            if !run.blank {
                kept += usize::from(run.key);
                continue;
            }
            // The key lists the blanks in order, one number each.
            let answer = &answers[run.number - 1];
            assert_eq!(answer.number, run.number);
            let text = squeeze(&answer.text);
            assert!(
                !squeeze(&note.title).contains(&text),
                "{}: the title {} prints blank {text}",
                note.id,
                note.title
            );
            assert!(
                !visible.contains(&text),
                "{}: the note prints blank {text}",
                note.id
            );
            let edges = [text.chars().next().unwrap(), text.chars().last().unwrap()];
            assert!(
                edges.iter().all(|c| c.is_alphanumeric()),
                "{}: blank `{text}` has punctuation at an edge",
                note.id
            );
            assert!(
                text.chars().count() <= 20,
                "{}: blank `{text}` is over 20 characters",
                note.id
            );
        }
    }
    (data.blank_count, kept)
}

#[test]
fn shipped_cloze_handout_has_no_giveaways_no_punctuation_edged_and_no_long_blanks() {
    let bank = Bank::load(&crate::util::repo().join("question-bank")).unwrap();
    let (blanks, _) = cloze_audit(&bank);
    assert!(blanks >= 100, "{blanks} blanks");
}

#[test]
fn cloze_handouts_keep_giveaways_and_long_phrases_as_text_and_trim_punctuation() {
    let dir = Dir::new();
    dir.create(
        "bank/cpc20.yaml",
        r#"section:
  id: cpc20
  title: 党的二十大和二十届二中、三中全会精神
notes:
  - id: cpc20-security
    title: 健全社会保障体系
    text: |
      **健全社会保障体系**。**组建中央社会工作部：**统筹指导人民信访工作。

      **在城乡社区普遍建立党组织领导的基层群众自治机制和服务体系，**推进“**创新社会治理体制**”。
  - id: cpc20-volunteer
    title: 志愿服务
    text: 完善**志愿服务制度**，志愿服务制度覆盖城乡。**“枫桥经验”**
questions:
  - id: cpc20-001
    type: judge
    stem: 党的二十届三中全会提出健全社会保障体系。
    answer: true
    note: cpc20-security
  - id: cpc20-002
    type: judge
    stem: 志愿服务制度覆盖城乡。
    answer: true
    note: cpc20-volunteer
"#,
    );
    let bank = Bank::load(&dir.join("bank")).unwrap();
    // Blanked: 组建中央社会工作部, 创新社会治理体制, 枫桥经验. Kept: the title's phrase, the 28-character
    // sentence and the phrase the note prints again.
    assert_eq!(cloze_audit(&bank), (3, 3));
    let run = dir
        .run(&[
            "handout", "bank", "--mode", "cloze", "--seed", "1", "-o", "out",
        ])
        .success();
    assert!(
        run.stdout
            .contains("6 key phrases (3 can be blanked), 3 blanked, seed 1"),
        "{}",
        run.stdout
    );
}

#[test]
fn vary_needs_a_blank_ratio_below_one() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.create("class.csv", "姓名,学号\n张三,1\n李四,2\n");
    let run = dir
        .run(&[
            "handout",
            "bank",
            "--mode",
            "cloze",
            "--roster",
            "class.csv",
            "--vary",
        ])
        .failure(2);
    assert!(
        run.stderr.contains(
            "--vary varies which key phrases are blanked, so it needs --blank-ratio below 1"
        ),
        "{}",
        run.stderr
    );
}

/// One small section per way a paper gives an answer away (issue #26): `(file, yaml, q, r, what r prints
/// as read, words of the line where r prints it)`.
/// Each file holds the question whose answer leaks (`q`), the one that prints it (`r`) and, where it
/// matters, a question that must stay clear.
const READER_LEAKS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "quote.yaml",
        r#"section: {id: quote, title: 引号}
questions:
  - id: quote-q
    type: single
    stem: 要坚持和发展新时代“（　）”，推动社区工作者用心用情做好矛盾纠纷化解工作。
    options: ["千万工程", "浦江经验", "枫桥经验", "社区工作法"]
    answer: C
  - id: quote-r
    type: single
    stem: 党的二十大报告提出在社会基层坚持和发展新时代“枫桥经验”，要完善的基层治理平台的特征是（　）。
    options: ["社会化、法治化", "网格化管理、精细化服务、信息化支撑", "常态化、便利化", "多主体供给、多渠道保障"]
    answer: B
"#,
        "quote-q",
        "quote-r",
        "新时代枫桥经验",
        "在社会基层坚持",
    ),
    (
        "key.yaml",
        r#"section: {id: key, title: 答案本身}
questions:
  - id: key-q
    type: single
    stem: 党的二十届三中全会部署的社会工作任务中，居于统领地位的是（　）。
    options: ["健全社会工作体制机制", "健全社会治理体系", "健全基层民主制度", "完善社会治理体系"]
    answer: A
  - id: key-r
    type: multiple
    stem: 党的二十届三中全会提出，健全社会工作体制机制，要（　）。
    options: ["加强党建引领基层治理", "加强社会工作者队伍建设", "深化行业协会商会改革", "推动志愿服务体系建设"]
    answer: [A, B, D]
"#,
        "key-q",
        "key-r",
        "健全社会工作体制机制",
        "要（　）",
    ),
    (
        "year.yaml",
        r#"section: {id: year, title: 年份}
questions:
  - id: year-q
    type: single
    stem: 根据意见确定的主要目标，到（　）年，基本形成系统完备、科学规范、协同高效的志愿服务制度和工作体系。
    options: ["2025", "2027", "2030", "2035"]
    answer: D
  - id: year-r
    type: single
    stem: 根据意见，按照主要目标，到2035年志愿服务要成为（　）。
    options: ["社会文明进步的重要标志", "社会主义文化强国的重要标志", "中国式现代化的重要标志", "社会治理现代化的重要标志"]
    answer: B
  - id: year-clear
    type: judge
    stem: 展望2035年远景目标，志愿服务要更加普及。
    answer: true
"#,
        "year-q",
        "year-r",
        "目标到2035",
        "到2035年志愿",
    ),
    (
        "set.yaml",
        r#"section: {id: set, title: 多选组合}
questions:
  - id: set-q
    type: multiple
    stem: 党的二十大报告提出，推动（　）省级统筹。
    options: ["基本医疗保险", "基本养老保险", "失业保险", "生育保险", "工伤保险"]
    answer: [A, C, E]
  - id: set-r
    type: single
    stem: 党的二十大报告提出，扩大社会保险覆盖面，推动基本医疗保险、失业保险、工伤保险（　）。
    options: ["全国统筹", "省级统筹", "市地级统筹", "城乡统筹"]
    answer: B
"#,
        "set-q",
        "set-r",
        "基本医疗保险失业保险工伤保险",
        "扩大社会保险",
    ),
    (
        "partial.yaml",
        r#"section: {id: partial, title: 部分语境}
questions:
  - id: partial-q
    type: single
    stem: 根据意见，实施（　）培训。
    options: ["分层分类", "分级分类", "全员全程", "线上线下"]
    answer: A
  - id: partial-r
    type: single
    stem: 下列关于培训的表述中，符合意见的是（　）。
    options: ["市地级负责骨干培训", "坚持先培训再上岗", "实施分层分类培训", "健全培训体系"]
    answer: D
"#,
        "partial-q",
        "partial-r",
        "实施分层分类培训",
        "市地级负责",
    ),
    (
        "judge.yaml",
        r#"section: {id: judge, title: 判断}
questions:
  - id: judge-q
    type: single
    stem: 党的二十大报告提出，坚持房子是用来住的、不是用来炒的定位，加快建立（　）的住房制度。
    options: ["覆盖全民、统筹城乡", "多层次、多支柱", "网格化管理、精细化服务", "多主体供给、多渠道保障、租购并举"]
    answer: D
  - id: judge-r
    type: judge
    stem: 党的二十大报告提出，加快建立多主体供给、多渠道保障、以租为主的住房制度。
    answer: false
"#,
        "judge-q",
        "judge-r",
        "加快建立多主体供给多渠道保障以租为主的住房制",
        "以租为主",
    ),
];

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    1 + text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the fixture"))
}

#[test]
fn leaks_as_a_reader_sees_them_are_found_at_both_questions_lines() {
    let dir = Dir::new();
    for (file, yaml, ..) in READER_LEAKS {
        dir.create(&format!("bank/{file}"), yaml);
    }
    let err = check(&dir);
    for (file, yaml, q, r, printed, r_where) in READER_LEAKS {
        let q_line = line_of(yaml, &format!("id: {q}"));
        let r_line = line_of(yaml, r_where);
        let at_q = format!(
            "bank/{file}:{q_line}:5: warning: the answer of question `{q}` is printed in question `{r}` (bank/{file}:{r_line})"
        );
        let at_r = format!("bank/{file}:{r_line}:");
        assert!(err.contains(&at_q), "{file}: missing\n{at_q}\nin\n{err}");
        assert!(
            err.lines().any(|l| l.starts_with(&at_r)
                && l.contains(&format!("warning: question `{r}` gives away the answer of question `{q}` (bank/{file}:{q_line})"))
                && l.contains(&format!("`{printed}`"))),
            "{file}: no warning at {at_r} for `{printed}` in\n{err}"
        );
    }
    // Nothing else: the year printed in other words, and no pair the other way round.
    let bank = Bank::load(&dir.join("bank")).unwrap();
    let mut pairs: Vec<(&str, &str)> = bank
        .leaks
        .iter()
        .map(|(q, r)| {
            (
                bank.questions[*q].id.as_str(),
                bank.questions[*r].id.as_str(),
            )
        })
        .collect();
    pairs.sort_unstable();
    let mut want: Vec<(&str, &str)> = READER_LEAKS
        .iter()
        .map(|(_, _, q, r, ..)| (*q, *r))
        .collect();
    want.sort_unstable();
    assert_eq!(pairs, want);
}

#[test]
fn a_drawn_paper_keeps_a_reader_leak_pair_apart() {
    let dir = Dir::new();
    let (_, yaml, ..) = READER_LEAKS.iter().find(|l| l.0 == "judge.yaml").unwrap();
    dir.create("bank/judge.yaml", yaml);
    dir.create(
        "exams/q.yaml",
        "title: 测验\nbank: ../bank\nparts:\n  - type: single\n    count: 1\n  - type: judge\n    count: 1\n",
    );
    // One single and one judge are all the bank has, and they answer each other: no paper can hold both.
    let run = dir.run(&["draw", "exams/q.yaml", "--seed", "3"]).failure(1);
    assert!(run.stderr.contains("judge"), "{}", run.stderr);
}

#[test]
fn twenty_seeded_mock_papers_of_the_shipped_bank_print_no_leaking_pair() {
    let repo = crate::util::repo();
    let bp = Blueprint::load(&repo.join("question-bank/exams/mock.yaml")).unwrap();
    let bank = Bank::load(&bp.bank).unwrap();
    // Pairs as a reader finds them, with `group:` ignored: a pair the bank groups must be kept apart by
    // the draw, a reworded one must be no pair at all.
    let mut ungrouped = bank.questions.clone();
    for q in &mut ungrouped {
        q.group = None;
    }
    let pairs = examgen::input::bank::find_leaks(&ungrouped);
    for seed in 0..20 {
        let d = draw(
            &bank,
            &bp,
            &DrawOptions {
                seed,
                variants: 1,
                ..DrawOptions::default()
            },
        )
        .unwrap();
        let on_paper: HashSet<usize> = d.variants[0].questions().map(|q| q.question).collect();
        assert_eq!(on_paper.len(), 80, "seed {seed}");
        for l in &pairs {
            assert!(
                !(on_paper.contains(&l.q) && on_paper.contains(&l.r)),
                "seed {seed}: {} and {} on one paper ({:?} `{}`)",
                bank.questions[l.q].id,
                bank.questions[l.r].id,
                l.kind,
                l.printed
            );
        }
    }
}
