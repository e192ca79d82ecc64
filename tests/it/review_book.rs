//! review-book end to end: a class batch → answers with known misses → grade → review-book. Each book holds
//! exactly the student's missed questions, as printed on their paper, with their answers; practice questions
//! come from the missed notes (or their tags) and never from the student's paper; same seed, same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::util::{Dir, key_letters, repo};
use examgen::input::bank::{Answer, Bank, QuestionType};
use examgen::input::manifest::{Manifest, QuestionRecord};
use examgen::workflow::review_book::{PreparedBooks, ReviewBookRequest, prepare};

const STUDENTS: usize = 8;

/// What student `k` answers to question `q`: the key, a wrong answer, nothing, or (multiple choice) one
/// correct letter only — a partial miss. `None` in the second place: full marks.
fn answer(k: usize, q: &QuestionRecord) -> (String, bool) {
    let pick = (q.number * 7 + k * 3) % 6;
    match q.answer {
        Answer::Judge(right) => {
            if pick == 0 {
                ((if right { "F" } else { "T" }).into(), true)
            } else {
                ((if right { "T" } else { "F" }).into(), false)
            }
        }
        _ => {
            let key = key_letters(q);
            match pick {
                0 => {
                    // The class's favourite wrong option: the first letter not in the key.
                    let wrong = (0..q.option_order.len())
                        .map(|i| ((b'A' + i as u8) as char).to_string())
                        .find(|l| !key.contains(l.as_str()))
                        .unwrap();
                    (wrong, true)
                }
                1 => (String::new(), true),
                2 if q.kind() == QuestionType::Multiple => (key[..1].to_string(), true),
                _ => (key, false),
            }
        }
    }
}

struct Class {
    dir: Dir,
    manifest: Manifest,
    /// Per student id: missed question number → the answer written.
    misses: HashMap<String, BTreeMap<usize, String>>,
}

fn graded_class() -> Class {
    let dir = Dir::new();
    let mut roster = String::from("学号,姓名,班级,座位号\n");
    for i in 0..STUDENTS {
        roster.push_str(&format!("S{:03},学生{},社工一班,{}\n", i + 1, i + 1, i + 1));
    }
    dir.create("class.csv", roster);
    let quiz = repo().join("question-bank/exams/quiz.yaml");
    dir.run(&[
        "batch",
        &quiz.display().to_string(),
        "--roster",
        "class.csv",
        "--seed",
        "21",
        "-o",
        "out",
    ])
    .success();
    let manifest = Manifest::read(&dir.join("out/manifest.json")).unwrap();
    let mut csv = String::from("id");
    for q in &manifest.variants[0].questions {
        csv.push_str(&format!(",{}", q.number));
    }
    csv.push('\n');
    let mut misses = HashMap::new();
    for (k, s) in manifest.students.iter().enumerate() {
        let v = manifest
            .variants
            .iter()
            .find(|v| v.label == s.variant)
            .unwrap();
        csv.push_str(&s.id);
        let mut missed = BTreeMap::new();
        for q in &v.questions {
            let (cell, miss) = answer(k, &q);
            if miss {
                missed.insert(q.number, cell.clone());
            }
            csv.push_str(&format!(",{cell}"));
        }
        csv.push('\n');
        misses.insert(s.id.clone(), missed);
    }
    dir.create("answers.csv", csv);
    dir.run(&["grade", "out/manifest.json", "answers.csv", "-o", "grades"])
        .success();
    Class {
        dir,
        manifest,
        misses,
    }
}

fn books(grades: &Path, practice: usize, seed: u64) -> PreparedBooks {
    prepare(
        &ReviewBookRequest {
            grades,
            manifest: None,
            out: Path::new("unused"),
            practice,
            rank: false,
            seed: Some(seed),
            templates: None,
            font_dir: None,
            pdf: true,
            docx: false,
        },
        &mut Vec::new(),
    )
    .unwrap()
}

#[test]
fn each_book_holds_exactly_the_students_misses_as_printed_with_practice_off_their_paper() {
    let class = graded_class();
    let prepared = books(&class.dir.join("grades"), 2, 5);
    let bank = Bank::load(&repo().join("question-bank")).unwrap();
    assert_eq!(prepared.books.len(), STUDENTS);
    let mut any_practice = 0;
    for (book, paper_ids) in prepared.books.iter().zip(&prepared.on_paper) {
        let id = &book.student.id;
        let student = class
            .manifest
            .students
            .iter()
            .find(|s| &s.id == id)
            .unwrap();
        assert_eq!(book.student.class, "社工一班");
        let variant = class
            .manifest
            .variants
            .iter()
            .find(|v| v.label == student.variant)
            .unwrap();
        let expected = &class.misses[id];
        // Exactly the misses, each once, with the answer written.
        let listed: Vec<usize> = book
            .groups
            .iter()
            .flat_map(|g| g.missed.iter().map(|m| m.question.number))
            .collect();
        assert_eq!(
            listed.iter().copied().collect::<BTreeSet<_>>(),
            expected.keys().copied().collect::<BTreeSet<_>>(),
            "{id}"
        );
        assert_eq!(listed.len(), expected.len(), "{id}: a question twice");
        assert_eq!(book.missed_count, expected.len());
        // In printed order: ascending within a group, groups by their first question.
        for g in &book.groups {
            let numbers: Vec<usize> = g.missed.iter().map(|m| m.question.number).collect();
            assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{id}: {numbers:?}");
        }
        let firsts: Vec<usize> = book
            .groups
            .iter()
            .map(|g| g.missed[0].question.number)
            .collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{id}: {firsts:?}");
        for g in &book.groups {
            for m in &g.missed {
                let record = variant
                    .questions
                    .iter()
                    .find(|q| q.number == m.question.number)
                    .unwrap();
                assert_eq!(m.question.id, record.id);
                // The student's answer and the key, in the letters of their paper.
                let written = &expected[&m.question.number];
                let shown = match written.as_str() {
                    "" => "未作答".to_string(),
                    "T" => "√".into(),
                    "F" => "×".into(),
                    w => w.into(),
                };
                assert_eq!(m.given, shown, "{id} question {}", m.question.number);
                let key = match record.answer {
                    Answer::Judge(true) => "√".to_string(),
                    Answer::Judge(false) => "×".to_string(),
                    _ => key_letters(&record),
                };
                assert_eq!(m.question.answer, key);
                assert_eq!(
                    m.partly,
                    record.kind() == QuestionType::Multiple
                        && written.len() == 1
                        && key.contains(written.as_str())
                );
                // The options in the order of the student's paper.
                let q = bank.question(&record.id).unwrap();
                let texts: Vec<&str> = m.question.options.iter().map(|o| o.text.as_str()).collect();
                let printed: Vec<&str> = record
                    .option_order
                    .iter()
                    .map(|o| q.options[*o].source())
                    .collect();
                assert_eq!(texts, printed, "{id} question {}", m.question.number);
                // Grouped by the question's note.
                let note = q.note.map(|n| bank.notes[n].id.clone());
                assert_eq!(g.note, note);
            }
            // Practice: from the note (or a shared tag), never on the paper, at most 2.
            assert!(g.practice.len() <= 2);
            let missed_tags: BTreeSet<&str> = g
                .missed
                .iter()
                .flat_map(|m| bank.question(&m.question.id).unwrap().tags.iter())
                .map(String::as_str)
                .collect();
            for p in &g.practice {
                any_practice += 1;
                assert!(
                    !paper_ids.contains(&p.id),
                    "{id}: practice {} is on the paper",
                    p.id
                );
                let q = bank.question(&p.id).unwrap();
                let same_note =
                    g.note.is_some() && q.note.map(|n| bank.notes[n].id.clone()) == g.note;
                let note_tags: Vec<&str> = g
                    .note
                    .as_ref()
                    .and_then(|n| bank.notes.iter().find(|x| &x.id == n))
                    .map(|n| n.tags.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                let shares_tag = q
                    .tags
                    .iter()
                    .any(|t| missed_tags.contains(t.as_str()) || note_tags.contains(&t.as_str()));
                assert!(
                    same_note || shares_tag,
                    "{id}: practice {} is off topic",
                    p.id
                );
            }
        }
        let practice_ids: Vec<&str> = book
            .groups
            .iter()
            .flat_map(|g| g.practice.iter().map(|p| p.id.as_str()))
            .collect();
        let distinct: BTreeSet<&&str> = practice_ids.iter().collect();
        assert_eq!(
            distinct.len(),
            practice_ids.len(),
            "{id}: a practice question twice"
        );
        assert_eq!(book.practice_key.len(), practice_ids.len());
    }
    assert!(any_practice > STUDENTS, "the bank has practice to give");

    // The class edition: the hardest first, the trap option with its count.
    let items = &prepared.class.items;
    assert!(!items.is_empty());
    for item in items {
        let counted: usize = item.options.iter().map(|o| o.count).sum();
        if !item.options.is_empty() {
            assert!(counted > 0 || item.missed > 0, "{}", item.id);
        }
        if item.question.kind == examgen::input::bank::QuestionType::Judge {
            // Every student marked √ or ×: the two counts add up to the students who had it.
            let labels: Vec<&str> = item.options.iter().map(|o| o.label.as_str()).collect();
            assert_eq!(labels, ["√", "×"]);
            assert_eq!(counted, item.n, "{}", item.id);
        }
        if let Some(trap) = item.options.iter().find(|o| o.trap) {
            assert!(!trap.correct);
            assert_eq!(item.trap, format!("{}（{}人）", trap.label, trap.count));
            assert!(
                item.options
                    .iter()
                    .filter(|o| !o.correct)
                    .all(|o| o.count <= trap.count)
            );
        }
    }
}

#[test]
fn books_are_byte_identical_for_a_seed_and_the_practice_follows_it() {
    let class = graded_class();
    let dir = &class.dir;
    let run = dir
        .run(&[
            "review-book",
            "grades",
            "--practice",
            "2",
            "--seed",
            "9",
            "-o",
            "one",
        ])
        .success();
    assert!(run.stdout.contains("print-books.pdf"), "{}", run.stdout);
    dir.run(&[
        "review-book",
        "grades",
        "--practice",
        "2",
        "--seed",
        "9",
        "-o",
        "two",
    ])
    .success();
    let mut names = Vec::new();
    for entry in walk(&dir.join("one")) {
        let rel = entry.strip_prefix(dir.join("one")).unwrap().to_path_buf();
        let a = std::fs::read(&entry).unwrap();
        let b = std::fs::read(dir.join("two").join(&rel)).unwrap();
        assert!(a == b, "{} differs between two runs", rel.display());
        names.push(rel.display().to_string());
    }
    // A book per student, named by id; the print file and the class edition.
    for s in &class.manifest.students {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("books/") && n.contains(&s.id)),
            "{names:?}"
        );
    }
    assert!(names.contains(&"print-books.pdf".to_string()), "{names:?}");
    assert!(names.contains(&"class.pdf".to_string()), "{names:?}");

    // Another seed draws other practice questions for somebody.
    let grades = dir.join("grades");
    let practice = |seed| -> Vec<Vec<String>> {
        books(&grades, 2, seed)
            .books
            .iter()
            .map(|b| {
                b.groups
                    .iter()
                    .flat_map(|g| g.practice.iter().map(|p| p.id.clone()))
                    .collect()
            })
            .collect()
    };
    assert_eq!(practice(9), practice(9));
    assert_ne!(practice(9), practice(10));

    // What a student reads: their name, band, a missed question's 解析 and the bold note.
    let first = &class.manifest.students[0];
    let book = walk(&dir.join("one/books"))
        .into_iter()
        .find(|p| p.display().to_string().contains(&first.id))
        .unwrap();
    // Without the quarter-em spaces autospace puts around digits.
    let text: String = pdftotext(&book)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("错题本") && text.contains(&first.name),
        "{text}"
    );
    assert!(
        ["前25%", "25%～50%", "50%～75%", "后25%"]
            .iter()
            .any(|b| text.contains(b)),
        "{text}"
    );
    assert!(
        text.contains("你的答案") && text.contains("正确答案"),
        "{text}"
    );
    assert!(text.contains("巩固练习答案"), "{text}");
    let ranked = dir
        .run(&["review-book", "grades", "--rank", "-o", "ranked"])
        .success();
    assert!(
        ranked.stdout.contains("seed 21"),
        "the manifest's seed: {}",
        ranked.stdout
    );
    // The book's template is overridable like the others.
    dir.create(
        "tpl/review-book.hbs",
        "<document title=\"t\"><p>自制错题本 {{student.id}} {{missed_count}}</p></document>",
    );
    dir.run(&["review-book", "grades", "--templates", "tpl", "-o", "own"])
        .success();
    let own: String = pdftotext(&dir.join("own/print-books.pdf"))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let misses = class.misses[&first.id].len();
    assert!(
        own.contains(&format!("自制错题本{}{misses}", first.id)),
        "{own}"
    );
    let class_text: String = pdftotext(&dir.join("one/class.pdf"))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        class_text.contains("错题讲评") && class_text.contains("最多误选"),
        "{class_text}"
    );
}

#[test]
fn books_in_word_hold_the_same_questions_and_answers() {
    use std::io::Read;
    let class = graded_class();
    let dir = &class.dir;
    dir.run(&[
        "review-book",
        "grades",
        "--format",
        "docx",
        "--seed",
        "3",
        "-o",
        "word",
    ])
    .success();
    let prepared = books(&dir.join("grades"), 2, 3);
    for book in &prepared.books {
        let stem = format!("{}-{}", book.student.id, book.student.name);
        assert!(
            !dir.join(&format!("word/books/{stem}.pdf")).exists(),
            "docx only"
        );
        let file = std::fs::File::open(dir.join(&format!("word/books/{stem}.docx"))).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let text: String = roxmltree::Document::parse(&xml)
            .unwrap()
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(text.contains("错题本") && text.contains(&book.student.name));
        // Every missed question, numbered as on the paper, with the student's answer and the key, in order.
        let mut from = 0;
        for g in &book.groups {
            for m in &g.missed {
                let line = format!("你的答案：{}　正确答案：{}", m.given, m.question.answer);
                let at = text[from..]
                    .find(&line)
                    .unwrap_or_else(|| panic!("{stem}: {line} missing after {from}"));
                from += at + line.len();
            }
        }
        for k in &book.practice_key {
            assert!(text.contains(&format!("练{}．", k.number)), "{stem}");
        }
    }
    // Schema-valid for the independent validator the other Word files are checked with (when installed).
    let validator = std::process::Command::new("python3")
        .args(["-c", "import openxml_audit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if validator {
        let first = &prepared.books[0].student;
        let path = dir.join(&format!("word/books/{}-{}.docx", first.id, first.name));
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys\nfrom openxml_audit import OpenXmlValidator\nfor e in OpenXmlValidator(max_errors=0).validate(sys.argv[1]).errors: print(e.error_type.value, e.part_uri, e.path, e.description)",
            ])
            .arg(&path)
            .output()
            .unwrap();
        let findings = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && findings.trim().is_empty(),
            "{findings}"
        );
    }
    // The print file and the class edition stay PDF.
    assert!(dir.join("word/print-books.pdf").is_file() && dir.join("word/class.pdf").is_file());
}

#[test]
fn a_folder_without_a_grading_record_is_named_in_the_error() {
    let dir = Dir::new();
    dir.create("grades/scores.csv", "id,total\n");
    let run = dir.run(&["review-book", "grades"]).failure(1);
    assert!(run.stderr.contains("graded.json"), "{}", run.stderr);
    let run = dir.run(&["review-book", "missing"]).failure(1);
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn pdftotext(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).to_string()
}
