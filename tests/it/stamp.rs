//! A variant laid out once for a class: each student's paper and answer sheet stamped into it carry the
//! student's name, id and QR code (read back with the scanner's QR reader) and exactly the variant's
//! questions — the very layout a fresh layout of the student's own document gives, and the same text
//! and pages once drawn (only the font subsets differ) — and a batch written twice is the same bytes.

use std::path::Path;
use std::process::Command;

use examgen::input::roster::Student;
use examgen::input::scan::SheetCode;
use examgen::render::layout::{Layout, PageSetup};
use examgen::render::{DocKind, PdfWriter, Typesetter};
use examgen::workflow::drawn::{DrawRequest, Drawn};
use examgen::workflow::jobs::{Backends, Format, PaperSet, Plan};

use crate::util::{Dir, repo};

fn student(id: &str, name: &str, class: &str) -> Student {
    Student {
        id: id.into(),
        name: name.into(),
        class: class.into(),
        seat: String::new(),
        row: 1,
    }
}

/// The PDF's text (pdftotext -layout) and page count.
fn drawn_text(dir: &Dir, name: &str, bytes: &[u8]) -> (String, usize) {
    let path = dir.create(name, bytes);
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success(), "pdftotext failed on {name}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

/// The QR code on page 1 of a PDF, read from a 200 dpi rendering with the scanner's reader.
fn qr_text(dir: &Dir, name: &str, bytes: &[u8]) -> String {
    let pdf = dir.create(&format!("{name}.pdf"), bytes);
    let stem = dir.join(name);
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "200",
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let image = image::open(stem.with_extension("png"))
        .expect("the rendered page")
        .to_luma8();
    examgen::input::scan::qr::decode_whole(&image).expect("a QR code on the sheet")
}

/// All text items of a layout, in order.
fn texts(layout: &Layout) -> Vec<String> {
    (0..layout.pages.len())
        .map(|p| layout.page_text(p))
        .collect()
}

#[test]
fn each_stamped_students_paper_and_sheet_is_their_own_fresh_document_with_their_qr_code() {
    let dir = Dir::new();
    let drawn = Drawn::load(
        &DrawRequest {
            blueprint: repo().join("question-bank/exams/mock.yaml"),
            seed: Some(11),
            variants: 2,
            distinct: false,
            exclude_used: Vec::new(),
        },
        &mut std::io::sink(),
    )
    .unwrap();
    let fonts = examgen::render::fonts::FontSet::builtin();
    let students = [
        student("20250001", "张喆", "社工一班"),
        student("20250002", "欧阳翀堃", ""),
        student("7", "Li Wei", "二班"),
    ];
    // Students 0 and 2 share variant A, so the second of them is stamped into A's prepared documents.
    let assignment = [0, 1, 0];
    let set = PaperSet::new(&drawn, &students, false);
    let jobs = Plan {
        dir: Path::new("out"),
        formats: &[Format::Pdf],
    }
    .class(&students, &assignment, &set.labels());
    let typeset = Typesetter::new(&fonts, None, PageSetup::a4())
        .unwrap()
        .with_images(drawn.bank.images.clone());
    let backends = Backends::new(typeset, &jobs).unwrap();
    let fresh_writer = PdfWriter::new(&fonts, backends.typeset().pictures().clone()).unwrap();
    let mut papers = Vec::new();
    for job in jobs.iter().filter(|j| j.student.is_some()) {
        let s = &students[job.student.unwrap()];
        let made = backends.render_one(&set, job).unwrap();
        let stamped = made.layout.expect("a PDF's layout");
        let fresh = backends
            .typeset()
            .layout(job.kind.template(), &set.data(job))
            .unwrap();
        // The same items in the same places, to the last bit.
        assert_eq!(stamped, fresh, "{} of {}", job.path.display(), s.name);
        assert!(!stamped.is_prepared());
        // Drawn, the same text and pages as the fresh document's own PDF; only the font subsets differ
        // (the stamped copy's cover the whole class's names).
        let fresh_pdf = fresh_writer.write(&fresh).unwrap();
        assert!(made.file.bytes != fresh_pdf, "stamped, not laid out afresh");
        let name = format!("{}-{:?}", s.id, job.kind);
        let (text, pages) = drawn_text(&dir, &format!("{name}.pdf"), &made.file.bytes);
        let (fresh_text, fresh_pages) = drawn_text(&dir, &format!("{name}-fresh.pdf"), &fresh_pdf);
        assert_eq!(text, fresh_text, "{name}");
        assert_eq!(pages, fresh_pages);
        assert_eq!(made.file.pages, Some(pages));
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains(&s.name.replace(' ', "")), "{name}");
        assert!(compact.contains(&s.id), "{name}");
        assert!(compact.contains(&s.class), "{name}");
        let variant = &drawn.draw.variants[job.variant].label;
        match job.kind {
            DocKind::AnswerSheet => {
                let code = SheetCode::parse(&qr_text(&dir, &name, &made.file.bytes)).unwrap();
                assert_eq!(code.student.as_deref(), Some(s.id.as_str()));
                assert_eq!(&code.variant, variant);
                assert!(compact.contains(&format!("答题卡（{variant}卷）")));
            }
            _ => {
                assert!(compact.contains(&format!("（{variant}卷）")));
                papers.push((job.variant, texts(&stamped)));
            }
        }
    }
    // Exactly the variant's questions: the two students of A print the same paper but for their
    // names, and B's student another.
    let strip = |pages: &[String], who: &[&Student]| -> Vec<String> {
        pages
            .iter()
            .map(|p| {
                who.iter().fold(p.clone(), |p, s| {
                    p.replace(&s.name, "")
                        .replace(&s.id, "")
                        .replace(&s.class, "")
                })
            })
            .collect()
    };
    let everyone: Vec<&Student> = students.iter().collect();
    assert_eq!(papers.len(), 3);
    assert_eq!(
        strip(&papers[0].1, &everyone),
        strip(&papers[2].1, &everyone)
    );
    assert_ne!(
        strip(&papers[0].1, &everyone)[1..],
        strip(&papers[1].1, &everyone)[1..]
    );
}

#[test]
fn a_class_batch_written_twice_is_the_same_bytes() {
    let dir = Dir::new();
    let mut csv = String::from("学号,姓名,班级,座位号\n");
    for (i, name) in ["张喆", "李堃", "王赟", "陈昇", "赵玥"].iter().enumerate() {
        csv.push_str(&format!("2025{:04},{name},社工一班,{}\n", i + 1, 5 - i));
    }
    let roster = dir.create("class.csv", csv).display().to_string();
    let bp = repo().join("question-bank/exams/quiz.yaml");
    let bp = bp.to_str().unwrap();
    for out in ["one", "two"] {
        dir.run(&["batch", bp, "--roster", &roster, "--seed", "4", "-o", out])
            .success();
    }
    let files = |out: &str| {
        let mut files = Vec::new();
        let mut stack = vec![dir.join(out)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir.join(out)).unwrap().to_path_buf();
                    files.push((rel, std::fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    };
    let (one, two) = (files("one"), files("two"));
    assert_eq!(
        one.len(),
        5 * 2 + 2 + 2 + 1,
        "papers, sheets, keys, print files, manifest"
    );
    for ((path, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{} differs between two runs", path.display());
    }
}

#[test]
fn a_template_printing_the_student_where_no_box_is_reserved_lays_each_student_out_afresh() {
    let dir = Dir::new();
    let paper = std::fs::read_to_string(repo().join("templates/paper.hbs")).unwrap();
    let named = paper.replacen(
        r#"title="{{title}}"#,
        r#"title="{{student.name}} {{title}}"#,
        1,
    );
    assert_ne!(named, paper);
    dir.create("templates/paper.hbs", named);
    let drawn = Drawn::load(
        &DrawRequest {
            blueprint: repo().join("question-bank/exams/quiz.yaml"),
            seed: Some(3),
            variants: 1,
            distinct: false,
            exclude_used: Vec::new(),
        },
        &mut std::io::sink(),
    )
    .unwrap();
    let fonts = examgen::render::fonts::FontSet::builtin();
    let students = [student("1", "张喆", ""), student("2", "李堃", "")];
    let set = PaperSet::new(&drawn, &students, false);
    let jobs = Plan {
        dir: Path::new("out"),
        formats: &[Format::Pdf],
    }
    .class(&students, &[0, 0], &set.labels());
    let typeset = Typesetter::new(&fonts, Some(&dir.join("templates")), PageSetup::a4()).unwrap();
    let backends = Backends::new(typeset, &jobs).unwrap();
    for job in jobs.iter().filter(|j| j.kind == DocKind::Paper) {
        let s = &students[job.student.unwrap()];
        let layout = backends.render_one(&set, job).unwrap().layout.unwrap();
        assert!(layout.title.starts_with(&s.name), "{}", layout.title);
        let fresh = backends
            .typeset()
            .layout(job.kind.template(), &set.data(job))
            .unwrap();
        assert_eq!(layout, fresh);
    }
}
