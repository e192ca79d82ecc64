//! Export read back the way the real clients read it: GIFT through a parser that follows Moodle's own
//! (question/format/gift/format.php), Moodle XML through roxmltree plus the rules of Moodle's multianswer
//! (Cloze) parser, and CSV through `examgen import`, on a bank typed with every character those formats
//! treat specially.

use crate::util::Dir;
use examgen::input::bank::{Answer, Bank};

/// A teacher's section with GIFT's and Cloze's special characters in stems, options, answers and notes.
const SECTION: &str = r##"section:
  id: law
  title: 法规/政策
notes:
  - id: law-note
    title: 适用范围
    text: |
      第一段：适用于**城乡社区**。

      第二段：a\b 与 {1} 不是公式。
    tags: [法规]
questions:
  - id: law-001
    type: single
    stem: "第一行 x=1 {注意}\n\n第二行：a\\b #号 ~波浪"
    options: ["= 等号", "~ 波浪", "#1 井号", "{A} 括号"]
    answer: B
    explanation: '解析：见 {规定} 第3条 #2'
    note: law-note
    quote: 适用于城乡社区
    tags: [法规, 适用]
  - id: law-002
    type: multiple
    stem: 下列正确的有（　）。
    options: ["-1", "+5", "=SUM(A1)", "@人"]
    answer: [A, B]
    group: g1
    points: 2.5
  - id: law-003
    type: judge
    stem: 这是对的：是吗？
    answer: true
  - id: law-004
    type: blank
    stem: 比例是______。
    answer: ["1:2|1：2"]
  - id: law-005
    type: blank
    stem: 第一空______，第二空______。
    answer: ['a~b|a}b', 'c\d#e&f']
  - id: law-006
    type: short
    stem: 简述适用范围。
    answer: 城乡社区。
"##;

fn nasty_bank() -> (Dir, Bank) {
    let dir = Dir::new();
    dir.create("bank/law.yaml", SECTION);
    let bank = Bank::load(&dir.join("bank")).unwrap();
    assert_eq!(bank.questions.len(), 6);
    (dir, bank)
}

/// One GIFT question as Moodle's `readquestion` sees it.
#[derive(Debug, PartialEq)]
struct GiftQuestion {
    name: String,
    text: String,
    /// (weight in percent, answer text)
    answers: Vec<(f64, String)>,
    feedback: String,
}

/// Moodle's `escapedchar_pre`: `\\` first, then the escaped specials become placeholders.
fn gift_pre(text: &str) -> String {
    text.replace("\\\\", "\u{E000}")
        .replace("\\:", "\u{E001}")
        .replace("\\#", "\u{E002}")
        .replace("\\=", "\u{E003}")
        .replace("\\{", "\u{E004}")
        .replace("\\}", "\u{E005}")
        .replace("\\~", "\u{E006}")
        .replace("\\n", "\u{E007}")
        .replace('\u{E000}', "\\")
}

/// Moodle's `escapedchar_post`.
fn gift_post(text: &str) -> String {
    text.replace('\u{E001}', ":")
        .replace('\u{E002}', "#")
        .replace('\u{E003}', "=")
        .replace('\u{E004}', "{")
        .replace('\u{E005}', "}")
        .replace('\u{E006}', "~")
        .replace('\u{E007}', "\n")
        .trim()
        .to_string()
}

/// Reads a GIFT file as Moodle does: questions are separated by blank lines, `//` lines are comments,
/// the answer block runs from the first `{` to the first `}`. Returns the categories and the questions.
fn parse_gift(file: &str) -> (Vec<String>, Vec<GiftQuestion>) {
    let mut categories = Vec::new();
    let mut questions = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    for line in file.lines().chain(std::iter::once("")) {
        if !line.trim().is_empty() {
            block.push(line);
            continue;
        }
        let lines: Vec<&str> = block
            .drain(..)
            .map(|l| if l.trim().starts_with("//") { " " } else { l })
            .collect();
        let text = gift_pre(lines.join("\n").trim());
        if text.is_empty() {
            continue;
        }
        if let Some(category) = text.strip_prefix("$CATEGORY:") {
            categories.push(category.trim().to_string());
            continue;
        }
        let rest = text.strip_prefix("::").expect("every question is named");
        let (name, rest) = rest.split_once("::").expect("name ends with ::");
        let start = rest.find('{').expect("an answer block");
        let end = rest.find('}').expect("the answer block closes");
        assert!(start < end, "{rest}");
        let mut answer_text = rest[start + 1..end].trim().to_string();
        let question_text = format!("{}{}", &rest[..start], &rest[end + 1..]);
        let mut feedback = String::new();
        if let Some(at) = answer_text.rfind("####") {
            feedback = gift_post(&answer_text[at + 4..]);
            answer_text = answer_text[..at].trim().to_string();
        }
        let answers = if answer_text.contains('~') {
            answer_text
                .replace('=', "~=")
                .split('~')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    if let Some(right) = a.strip_prefix('=') {
                        (100.0, gift_post(right))
                    } else if let Some(weighted) = a.strip_prefix('%') {
                        let (w, text) = weighted.split_once('%').unwrap();
                        (w.parse().unwrap(), gift_post(text))
                    } else {
                        (0.0, gift_post(a))
                    }
                })
                .collect()
        } else {
            answer_text
                .split('=')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| (100.0, gift_post(a)))
                .collect()
        };
        questions.push(GiftQuestion {
            name: gift_post(name),
            text: gift_post(&question_text),
            answers,
            feedback,
        });
    }
    (categories, questions)
}

#[test]
fn gift_reads_back_through_moodles_rules_and_leaves_out_cloze() {
    let (dir, bank) = nasty_bank();
    let run = dir.run(&["export", "bank", "--format", "gift"]).success();
    assert!(
        run.stderr
            .contains("1 question(s) with several blanks left out")
            && run.stderr.contains("law-005"),
        "{}",
        run.stderr
    );
    let (categories, questions) = parse_gift(&run.stdout);
    // The category line is written as is: Moodle does not unescape it; `/` in a name is doubled.
    assert_eq!(categories, ["examgen/法规//政策"]);
    let names: Vec<&str> = questions.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        ["law-001", "law-002", "law-003", "law-004", "law-006"]
    );
    let q1 = &questions[0];
    assert_eq!(
        q1.text,
        bank.questions[0].stem.source(),
        "line breaks and specials survive"
    );
    assert!(q1.text.contains("\n\n第二行"), "{:?}", q1.text);
    assert_eq!(
        q1.answers,
        [
            (0.0, "= 等号".to_string()),
            (100.0, "~ 波浪".into()),
            (0.0, "#1 井号".into()),
            (0.0, "{A} 括号".into())
        ]
    );
    assert_eq!(q1.feedback, "解析：见 {规定} 第3条 #2");
    let q2 = &questions[1];
    assert_eq!(
        q2.answers,
        [
            (50.0, "-1".to_string()),
            (50.0, "+5".into()),
            (-100.0, "=SUM(A1)".into()),
            (-100.0, "@人".into())
        ]
    );
    assert_eq!(questions[2].answers, [(100.0, "TRUE".to_string())]);
    assert_eq!(
        questions[3].answers,
        [(100.0, "1:2".to_string()), (100.0, "1：2".into())]
    );
    assert!(questions[4].answers.is_empty(), "an essay");
}

/// The answers of every `{n:SHORTANSWER:…}` in a Cloze text, read as `qtype_multianswer_extract_question`
/// does: an answer ends at `~`, `#` or `}` not preceded by `\` or `&`; then character references are
/// decoded and `\}`, `\#` unescaped.
fn cloze_answers(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("{1:SHORTANSWER:") {
        let body: Vec<char> = rest[at + "{1:SHORTANSWER:".len()..].chars().collect();
        let mut alts = Vec::new();
        let mut i = 0;
        loop {
            assert_eq!(body[i], '=', "every alternative is right");
            i += 1;
            let start = i;
            // An answer runs on over a delimiter escaped by `\` or opening an entity (`&#…;`).
            while !matches!(body[i], '~' | '#' | '}') || matches!(body[i - 1], '\\' | '&') {
                i += 1;
            }
            let raw: String = body[start..i].iter().collect();
            let decoded = raw
                .replace("&#126;", "~")
                .replace("&#92;", "\\")
                .replace("&#38;", "&")
                .replace("\\}", "}")
                .replace("\\#", "#");
            alts.push(decoded);
            if body[i] == '}' {
                break;
            }
            assert_eq!(body[i], '~', "no feedback is written");
            i += 1;
        }
        out.push(alts);
        let consumed: usize = body[..=i].iter().map(|c| c.len_utf8()).sum();
        rest = &rest[at + "{1:SHORTANSWER:".len() + consumed..];
    }
    out
}

#[test]
fn moodle_xml_has_ids_tags_categories_and_cloze_answers_moodle_reads_back() {
    let (dir, bank) = nasty_bank();
    dir.run(&["export", "bank", "--format", "moodle-xml", "-o", "bank.xml"])
        .success();
    let xml = std::fs::read_to_string(dir.join("bank.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let text_of = |n: roxmltree::Node, tag: &str| -> String {
        n.children()
            .find(|c| c.has_tag_name(tag))
            .and_then(|c| c.children().find(|t| t.has_tag_name("text")))
            .and_then(|t| t.text())
            .unwrap_or("")
            .to_string()
    };
    let questions: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("question"))
        .collect();
    assert_eq!(
        text_of(questions[0], "category"),
        "$course$/examgen/法规//政策"
    );
    for (node, q) in questions[1..].iter().zip(&bank.questions) {
        let idnumber = node
            .children()
            .find(|c| c.has_tag_name("idnumber"))
            .and_then(|c| c.text());
        assert_eq!(idnumber, Some(q.id.as_str()));
        let tags: Vec<String> = node
            .children()
            .find(|c| c.has_tag_name("tags"))
            .map(|t| {
                t.children()
                    .filter(|c| c.has_tag_name("tag"))
                    .map(|c| {
                        c.children()
                            .find(|x| x.has_tag_name("text"))
                            .and_then(|x| x.text())
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(tags, q.tags, "{}", q.id);
    }
    let cloze = questions
        .iter()
        .find(|n| n.attribute("type") == Some("multianswer"))
        .unwrap();
    let text = text_of(*cloze, "questiontext");
    let Answer::Blank(want) = &bank.questions[4].answer else {
        panic!()
    };
    assert_eq!(&cloze_answers(&text), want, "{text}");
    assert!(text.starts_with("第一空{1:SHORTANSWER:="), "{text}");
}

#[test]
fn csv_round_trip_keeps_notes_quotes_and_numbers_with_chinese_or_english_headers() {
    let (dir, bank) = nasty_bank();
    for (headers, first) in [
        (None, "章节,章节名称,编号,题型,题干,选项A"),
        (Some("en"), "section,section_title,id,type,stem,A"),
    ] {
        let mut args = vec!["export", "bank", "--format", "csv", "-o", "bank.csv"];
        if let Some(h) = headers {
            args.extend(["--headers", h]);
        }
        dir.run(&args).success();
        let csv = std::fs::read_to_string(dir.join("bank.csv")).unwrap();
        assert!(
            csv.trim_start_matches('\u{FEFF}').starts_with(first),
            "{csv}"
        );
        // Numbers are not formulas: -1 and +5 are written as they are, =SUM(A1) is guarded.
        assert!(csv.contains(",-1,+5,'=SUM(A1),@人") || csv.contains(",-1,+5,'=SUM(A1),'@人"));
        let again = format!("again-{}", headers.unwrap_or("zh"));
        dir.run(&["import", "bank.csv", "-o", &again]).success();
        let back = Bank::load(&dir.join(&again)).unwrap();
        assert_eq!(back.notes.len(), 1);
        let (a, b) = (&bank.notes[0], &back.notes[0]);
        assert_eq!(
            (&a.id, &a.title, &a.text, &a.tags),
            (&b.id, &b.title, &b.text, &b.tags)
        );
        assert_eq!(back.questions.len(), bank.questions.len());
        for (a, b) in bank.questions.iter().zip(&back.questions) {
            assert_eq!(
                (&a.id, a.kind, &a.stem, &a.options, &a.answer, &a.tags),
                (&b.id, b.kind, &b.stem, &b.options, &b.answer, &b.tags)
            );
            assert_eq!(
                (&a.group, a.points, a.note, &a.quote, &a.explanation),
                (&b.group, b.points, b.note, &b.quote, &b.explanation),
                "{}",
                a.id
            );
        }
        std::fs::remove_file(dir.join("bank.csv")).unwrap();
    }
    let run = dir
        .run(&["export", "bank", "--format", "gift", "--headers", "en"])
        .failure(2);
    assert!(
        run.stderr.contains("--headers is for --format csv"),
        "{}",
        run.stderr
    );
}
