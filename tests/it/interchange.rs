//! Bring your own bank: import from CSV (UTF-8, GBK) and xlsx with located errors, export to Moodle XML
//! and GIFT checked by parsing them back, a CSV round trip of the whole shipped bank, and `init DIR`.

use crate::util::{Dir, fixtures, repo};
use examgen::input::bank::{Answer, Bank};

fn import(dir: &Dir, file: &str) -> Bank {
    let src = fixtures().join("import").join(file).display().to_string();
    let out = dir.join(&format!("bank-{file}")).display().to_string();
    let run = dir.run(&["import", &src, "-o", &out]).success();
    assert!(
        run.stdout.contains("5 questions in 2 section file(s)"),
        "{}",
        run.stdout
    );
    Bank::load(std::path::Path::new(&out)).unwrap()
}

#[test]
fn csv_gbk_and_xlsx_imports_give_the_same_bank() {
    let dir = Dir::new();
    let banks: Vec<Bank> = ["questions.csv", "questions-gbk.csv", "questions.xlsx"]
        .iter()
        .map(|f| import(&dir, f))
        .collect();
    let first = &banks[0];
    assert_eq!(
        first
            .sections
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        ["社区工作", "志愿服务"]
    );
    let q = &first.questions;
    assert_eq!(q[0].answer, Answer::Single(2));
    assert_eq!(q[0].options, ["12", "15", "18", "20"]);
    assert_eq!(q[0].tags, ["队伍建设"]);
    assert_eq!(q[1].answer, Answer::Multiple(vec![0, 1, 2]));
    assert_eq!(q[2].answer, Answer::Judge(true));
    assert_eq!(
        q[3].answer,
        Answer::Blank(vec![
            vec!["2035".into()],
            vec!["明显提升".into(), "显著提升".into()]
        ])
    );
    assert_eq!(q[4].difficulty, 3);
    for other in &banks[1..] {
        let ids = |b: &Bank| {
            b.questions
                .iter()
                .map(|q| (q.id.clone(), q.stem.clone(), q.answer.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(other),
            ids(first),
            "every encoding imports the same questions with the same ids"
        );
    }
}

#[test]
fn bad_rows_are_reported_at_their_cells() {
    let dir = Dir::new();
    let src = fixtures().join("import/bad.csv").display().to_string();
    let run = dir.run(&["import", &src, "-o", "out"]).failure(1);
    assert!(
        run.stderr
            .contains("bad.csv:2:7: error: row 2: answer `E` of question"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bad.csv:3:1: error: row 3: `quiz` is not a question type"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bad.csv:4:7: error: row 4: every option of multiple-choice question"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn the_shipped_bank_survives_a_csv_round_trip() {
    let dir = Dir::new();
    let bank = repo().join("question-bank").display().to_string();
    dir.run(&["export", &bank, "--format", "csv", "-o", "bank.csv"])
        .success();
    dir.run(&["import", "bank.csv", "-o", "again"]).success();
    let original = Bank::load(&repo().join("question-bank")).unwrap();
    let again = Bank::load(&dir.join("again")).unwrap();
    assert_eq!(again.questions.len(), original.questions.len());
    assert_eq!(
        again
            .sections
            .iter()
            .map(|s| (&s.id, &s.title))
            .collect::<Vec<_>>(),
        original
            .sections
            .iter()
            .map(|s| (&s.id, &s.title))
            .collect::<Vec<_>>()
    );
    for (a, b) in original.questions.iter().zip(&again.questions) {
        assert_eq!(
            (&a.id, a.kind, &a.stem, &a.options, &a.answer),
            (&b.id, b.kind, &b.stem, &b.options, &b.answer)
        );
        assert_eq!(
            (a.difficulty, &a.explanation, &a.tags, &a.group, a.points),
            (b.difficulty, &b.explanation, &b.tags, &b.group, b.points),
            "{}",
            a.id
        );
        assert_eq!((a.note, &a.quote), (b.note, &b.quote), "{}", a.id);
    }
    // The notes come along as rows of type 考点, so every question's note and quote still check.
    let notes = |bank: &Bank| {
        bank.notes
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    n.title.clone(),
                    n.text.clone(),
                    n.tags.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(notes(&again), notes(&original));
}

#[test]
fn moodle_xml_parses_back_with_the_structure_moodle_documents() {
    let dir = Dir::new();
    let bank_dir = repo().join("question-bank");
    dir.run(&[
        "export",
        &bank_dir.display().to_string(),
        "--format",
        "moodle-xml",
        "-o",
        "bank.xml",
    ])
    .success();
    let xml = std::fs::read_to_string(dir.join("bank.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let quiz = doc.root_element();
    assert_eq!(quiz.tag_name().name(), "quiz");
    let bank = Bank::load(&bank_dir).unwrap();
    let questions: Vec<_> = quiz
        .children()
        .filter(|n| n.has_tag_name("question"))
        .collect();
    let by_type = |t: &str| {
        questions
            .iter()
            .filter(|q| q.attribute("type") == Some(t))
            .count()
    };
    assert_eq!(by_type("category"), bank.sections.len());
    let count = |k: examgen::input::bank::QuestionType| {
        bank.questions.iter().filter(|q| q.kind == k).count()
    };
    use examgen::input::bank::QuestionType::*;
    assert_eq!(by_type("multichoice"), count(Single) + count(Multiple));
    assert_eq!(by_type("truefalse"), count(Judge));
    assert_eq!(
        by_type("shortanswer") + by_type("multianswer"),
        count(Blank)
    );
    assert_eq!(by_type("essay"), count(Short));
    for q in &questions {
        let child = |name: &str| q.children().find(|c| c.has_tag_name(name));
        match q.attribute("type") {
            Some("category") => assert!(child("category").is_some()),
            Some(kind) => {
                assert!(
                    child("name")
                        .and_then(|n| n.children().find(|c| c.has_tag_name("text")))
                        .is_some(),
                    "{kind} without a name"
                );
                assert!(child("questiontext").is_some(), "{kind} without text");
                let answers: Vec<f64> = q
                    .children()
                    .filter(|c| c.has_tag_name("answer"))
                    .map(|a| a.attribute("fraction").unwrap().parse().unwrap())
                    .collect();
                match kind {
                    "multichoice" => {
                        let positive: f64 = answers.iter().filter(|f| **f > 0.0).sum();
                        assert!(
                            (positive - 100.0).abs() < 0.01,
                            "fractions of correct options sum to {positive}"
                        );
                        let single = child("single").unwrap().text().unwrap();
                        assert!(single == "true" || single == "false");
                    }
                    "truefalse" => assert_eq!(answers.iter().filter(|f| **f == 100.0).count(), 1),
                    "shortanswer" => {
                        assert!(!answers.is_empty() && answers.iter().all(|f| *f == 100.0))
                    }
                    "multianswer" => assert!(
                        child("questiontext")
                            .unwrap()
                            .children()
                            .any(|t| t.text().unwrap_or("").contains("{1:SHORTANSWER:="))
                    ),
                    "essay" => assert!(child("graderinfo").is_some()),
                    other => panic!("unexpected question type {other}"),
                }
            }
            None => panic!("question without type"),
        }
    }
}

#[test]
fn gift_has_a_category_per_section_and_every_question() {
    let dir = Dir::new();
    let bank_dir = repo().join("question-bank");
    let run = dir
        .run(&[
            "export",
            &bank_dir.display().to_string(),
            "--format",
            "gift",
        ])
        .success();
    let bank = Bank::load(&bank_dir).unwrap();
    assert_eq!(
        run.stdout.matches("$CATEGORY: ").count(),
        bank.sections.len()
    );
    // Several blanks have no GIFT form (GIFT has no Cloze): left out, and named on stderr.
    let cloze: Vec<&str> = bank
        .questions
        .iter()
        .filter(|q| matches!(&q.answer, Answer::Blank(b) if b.len() > 1))
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("::")).count(),
        bank.questions.len() - cloze.len()
    );
    for id in &cloze {
        assert!(run.stderr.contains(id), "{id}: {}", run.stderr);
    }
    assert!(
        run.stdout.contains("{TRUE")
            && run.stdout.contains("{FALSE")
            && run.stdout.contains("~%-100%")
    );
}

#[test]
fn init_makes_a_subject_that_checks_and_prints() {
    let dir = Dir::new();
    let run = dir
        .run(&["init", "subject", "--templates", "subject/templates"])
        .success();
    assert!(
        run.stdout.contains("subject/example.yaml") && run.stdout.contains("paper.hbs"),
        "{}",
        run.stdout
    );
    dir.run(&["check", "subject", "--deny-warnings"]).success();
    dir.run(&[
        "paper",
        "subject/exams/paper.yaml",
        "--seed",
        "1",
        "-o",
        "out",
        "--templates",
        "subject/templates",
    ])
    .success();
    assert!(dir.join("out/paper-A.pdf").is_file());
    let again = dir.run(&["init", "subject"]).success();
    assert!(
        again.stdout.contains("nothing was overwritten"),
        "{}",
        again.stdout
    );
    dir.run(&["init"]).failure(2);
}

#[test]
fn a_quiz_site_export_is_read_by_its_own_headings() {
    let dir = Dir::new();
    let csv = dir.create(
        "题库导出.csv",
        "题目类型,试题内容,选项 A,B选项,选项C,选项D,正确答案,答案解析：\n\
         单选题,社会工作的本质是（ ）,助人自助,慈善,救济,管理,A,略\n\
         多选题,社会工作的价值观包括（ ）,尊重,接纳,个别化,控制,ABC,\n\
         判断题,社会工作者可以替服务对象做决定。,,,,,错,\n",
    );
    let out = dir.join("bank").display().to_string();
    let run = dir
        .run(&["import", &csv.display().to_string(), "-o", &out])
        .success();
    assert!(
        run.stdout.contains("3 questions in 1 section file(s)"),
        "{}",
        run.stdout
    );
    let bank = Bank::load(std::path::Path::new(&out)).unwrap();
    let answers: Vec<_> = bank.questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(
        answers,
        [
            Answer::Single(0),
            Answer::Multiple(vec![0, 1, 2]),
            Answer::Judge(false)
        ]
    );
    assert_eq!(bank.questions[0].options[1], "慈善");
    assert_eq!(
        bank.questions[0].explanation.as_ref().map(|e| e.source()),
        Some("略")
    );
}
