//! Word output (`--format docx`): the package read back with zip and roxmltree (East Asian fonts, keep-with-next,
//! footer fields, every question in order, byte-identical reruns), and the documents opened by a real word
//! processor: LibreOffice converts them to PDF, checked with pdftotext, pdfinfo and pdffonts.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{Dir, pdf_pages, repo};
use examgen::model::paper::PaperData;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// The paper model of variant A, as `examgen paper BLUEPRINT --seed SEED` builds it.
fn paper_data(blueprint: &str, seed: u64) -> PaperData {
    crate::util::variant_a(&repo().join(blueprint), seed).1
}

/// Runs `examgen paper` into a new folder.
fn make(args: &[&str]) -> Dir {
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    let mut all = vec!["paper", "-o", &out];
    all.extend_from_slice(args);
    crate::util::run_repo(&all).success();
    dir
}

/// One part of a .docx package, as text.
fn part(docx: &Path, name: &str) -> String {
    let file = std::fs::File::open(docx).unwrap_or_else(|e| panic!("{}: {e}", docx.display()));
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", docx.display()))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn parts_named(docx: &Path, prefix: &str) -> Vec<String> {
    let file = std::fs::File::open(docx).unwrap();
    let zip = zip::ZipArchive::new(file).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.to_string()))
        .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
        .collect();
    names.sort();
    names
}

fn w<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children().find(|c| c.has_tag_name((W, name)))
}

fn attr<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

/// A paragraph's text, tabs as spaces.
fn para_text(p: roxmltree::Node) -> String {
    p.descendants()
        .filter_map(|n| {
            if n.has_tag_name((W, "t")) {
                n.text().map(str::to_string)
            } else if n.has_tag_name((W, "tab"))
                && n.parent().is_some_and(|r| r.has_tag_name((W, "r")))
            {
                Some(" ".to_string())
            } else {
                None
            }
        })
        .collect()
}

fn keeps_next(p: roxmltree::Node) -> bool {
    w(p, "pPr")
        .and_then(|ppr| w(ppr, "keepNext"))
        .is_some_and(|k| attr(k, "val").is_none_or(|v| v != "false" && v != "0"))
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every stem and option text of the paper, in printed order (what must appear in the document, in order).
fn expected_texts(data: &PaperData) -> Vec<String> {
    let mut out = Vec::new();
    for part in &data.parts {
        for q in &part.questions {
            out.push(format!("{}．", q.number));
            out.extend(q.stem.iter().filter(|r| !r.blank).map(|r| r.text.clone()));
            out.extend(q.options.iter().map(|o| format!("{}．{}", o.label, o.text)));
        }
    }
    out
}

/// Asserts that `texts` occur in `haystack` in this order (whitespace ignored).
#[track_caller]
fn assert_in_order(haystack: &str, texts: &[String], what: &str) {
    let hay = squeeze(haystack);
    let mut from = 0;
    for t in texts {
        let t = squeeze(t);
        match hay[from..].find(&t) {
            Some(at) => from += at + t.len(),
            None => panic!(
                "{what}: `{t}` is missing or out of order; the text from there on:\n{}",
                hay[from..].chars().take(300).collect::<String>()
            ),
        }
    }
}

#[test]
fn the_docx_package_declares_east_asian_fonts_keeps_questions_whole_and_numbers_pages() {
    let data = paper_data("question-bank/exams/quiz.yaml", 7);
    let dir = make(&[
        "question-bank/exams/quiz.yaml",
        "--seed",
        "7",
        "--format",
        "docx",
    ]);
    let docx = dir.join("paper-A.docx");
    assert!(
        !dir.join("paper-A.pdf").exists(),
        "--format docx alone writes no PDF"
    );
    for name in ["key-A.docx", "review-A.docx", "manifest.json"] {
        assert!(dir.join(name).exists(), "{name} is written");
    }

    // Fonts: 宋体-style body by default, 黑体-style headings, both declared for East Asian text, and the font
    // table naming 宋体/黑体 as the fallbacks.
    let styles = part(&docx, "word/styles.xml");
    let styles = roxmltree::Document::parse(&styles).unwrap();
    let default_fonts = styles
        .descendants()
        .find(|n| n.has_tag_name((W, "rPrDefault")))
        .and_then(|d| d.descendants().find(|n| n.has_tag_name((W, "rFonts"))))
        .expect("default run fonts");
    assert_eq!(attr(default_fonts, "eastAsia"), Some("Noto Serif CJK SC"));
    let default_size = styles
        .descendants()
        .find(|n| n.has_tag_name((W, "rPrDefault")))
        .and_then(|d| d.descendants().find(|n| n.has_tag_name((W, "sz"))))
        .and_then(|s| attr(s, "val"));
    assert_eq!(default_size, Some("21"), "五号 (10.5 pt) body");
    let fonts = part(&docx, "word/fontTable.xml");
    let fonts = roxmltree::Document::parse(&fonts).unwrap();
    let alt = |name: &str| {
        fonts
            .descendants()
            .find(|n| n.has_tag_name((W, "font")) && attr(*n, "name") == Some(name))
            .and_then(|f| w(f, "altName"))
            .and_then(|a| attr(a, "val"))
            .map(str::to_string)
    };
    assert_eq!(alt("Noto Serif CJK SC").as_deref(), Some("宋体"));
    assert_eq!(alt("Noto Sans CJK SC").as_deref(), Some("黑体"));
    assert_eq!(alt("宋体").as_deref(), Some("SimSun"));
    assert_eq!(alt("黑体").as_deref(), Some("SimHei"));

    let xml = part(&docx, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "body")))
        .unwrap();
    let headings_in_sans = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "rFonts")))
        .any(|f| attr(f, "eastAsia") == Some("Noto Sans CJK SC"));
    assert!(
        headings_in_sans,
        "headings declare the 黑体-style East Asian font"
    );

    // Every question: its first paragraph starts with the PDF's number, every paragraph of it but the last is
    // kept with the next (the options stay with the stem), and the part heading is kept with its first question.
    let paras: Vec<roxmltree::Node> = body
        .children()
        .filter(|n| n.has_tag_name((W, "p")))
        .collect();
    let texts: Vec<String> = paras.iter().map(|p| para_text(*p)).collect();
    for part in &data.parts {
        let h = texts
            .iter()
            .position(|t| t.starts_with(&part.heading))
            .unwrap_or_else(|| panic!("heading {} is missing", part.heading));
        assert!(
            keeps_next(paras[h]),
            "{} is kept with its first question",
            part.heading
        );
        for q in &part.questions {
            let number = format!("{}．", q.number);
            let start = texts
                .iter()
                .position(|t| t.starts_with(&number))
                .unwrap_or_else(|| panic!("question {number} is missing"));
            assert_eq!(
                keeps_next(paras[start]),
                !q.options.is_empty(),
                "question {number}: the stem is kept with its options (and a lone stem ends the glue)"
            );
            // The paragraphs holding this question's options, up to the last, all keep with the next.
            let mut k = start + 1;
            for o in &q.options {
                while !squeeze(&texts[k]).contains(&squeeze(&format!("{}．{}", o.label, o.text))) {
                    assert!(
                        keeps_next(paras[k]),
                        "question {number}: paragraph {k} keeps with the next"
                    );
                    k += 1;
                }
            }
            if !q.options.is_empty() {
                assert!(
                    !keeps_next(paras[k]),
                    "question {number}: its last paragraph ends the glue"
                );
            }
            let ppr = w(paras[start], "pPr").unwrap();
            let ind = w(ppr, "ind").expect("hanging indent");
            assert!(attr(ind, "hanging").is_some_and(|h| h.parse::<i32>().unwrap() > 0));
        }
    }
    let all: String = texts.join("\n");
    assert_in_order(&all, &expected_texts(&data), "paper-A.docx");
    assert!(all.contains("姓名：") && all.contains("准考证号："));

    // Score table: 题号 一 二 三 总分 / 得分, as a Word table.
    let table = body
        .children()
        .find(|n| n.has_tag_name((W, "tbl")))
        .expect("score table");
    let cells: Vec<String> = table
        .descendants()
        .filter(|n| n.has_tag_name((W, "tc")))
        .map(para_text)
        .collect();
    assert_eq!(&cells[..5], ["题号", "一", "二", "三", "总分"]);
    assert_eq!(cells[5], "得分");

    // Footer: 第 PAGE 页 共 NUMPAGES 页 as fields.
    let footers = parts_named(&docx, "word/footer");
    assert!(!footers.is_empty(), "a footer part");
    let footer = part(&docx, &footers[0]);
    let footer = roxmltree::Document::parse(&footer).unwrap();
    let instr: Vec<String> = footer
        .descendants()
        .filter(|n| n.has_tag_name((W, "instrText")))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    assert_eq!(instr, ["PAGE", "NUMPAGES"]);
    let text: String = footer
        .descendants()
        .filter(|n| n.has_tag_name((W, "t")))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(
        squeeze(&text),
        "第1页共1页",
        "the footer's words around the two field results"
    );
}

#[test]
fn the_key_has_an_answer_grid_and_every_answer_and_the_review_every_tested_note() {
    let data = paper_data("question-bank/exams/quiz.yaml", 7);
    let dir = make(&[
        "question-bank/exams/quiz.yaml",
        "--seed",
        "7",
        "--format",
        "pdf,docx",
    ]);
    assert!(dir.join("paper-A.pdf").exists() && dir.join("paper-A.docx").exists());
    let xml = part(&dir.join("key-A.docx"), "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let tables: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .collect();
    assert_eq!(tables.len(), data.parts.len(), "one answer grid per part");
    for (table, part) in tables.iter().zip(&data.parts) {
        // Every row has a cell per column: a short last row ends in blank cells, not one stretched cell.
        let rows: Vec<usize> = table
            .children()
            .filter(|n| n.has_tag_name((W, "tr")))
            .map(|tr| tr.children().filter(|c| c.has_tag_name((W, "tc"))).count())
            .collect();
        assert!(
            rows.iter().all(|&n| n == rows[0]),
            "{}: {rows:?}",
            part.heading
        );
        assert!(
            !xml.contains("gridAfter"),
            "no row is cut short with gridAfter"
        );
        let cells: Vec<String> = table
            .descendants()
            .filter(|n| n.has_tag_name((W, "tc")))
            .map(para_text)
            .filter(|t| !t.is_empty())
            .collect();
        let answers: Vec<&String> = part.grid.iter().flat_map(|r| r.answers.iter()).collect();
        let grid: Vec<String> = part
            .grid
            .iter()
            .flat_map(|r| {
                std::iter::once("题号".to_string())
                    .chain(r.numbers.iter().cloned())
                    .chain(std::iter::once("答案".to_string()))
                    .chain(r.answers.iter().cloned())
            })
            .collect();
        assert_eq!(cells, grid, "{}: the grid", part.heading);
        assert!(!answers.is_empty());
    }
    let text: String = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(para_text)
        .collect::<Vec<_>>()
        .join("\n");
    let mut expected = Vec::new();
    for part in &data.parts {
        for q in &part.questions {
            expected.push(format!(
                "{}．【答案】{}（{}分）",
                q.number, q.answer, q.points
            ));
            if let Some(e) = &q.explanation {
                expected.push(format!("【解析】{e}"));
            }
        }
    }
    assert_in_order(&text, &expected, "key-A.docx");

    let xml = part(&dir.join("review-A.docx"), "word/document.xml");
    let expected: Vec<String> = data
        .review
        .iter()
        .flat_map(|s| {
            std::iter::once(s.title.clone()).chain(
                s.notes
                    .iter()
                    .map(|n| format!("{}【第{}题】", n.title, n.numbers)),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let text: String = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(para_text)
        .collect::<Vec<_>>()
        .join("\n");
    assert_in_order(&text, &expected, "review-A.docx");
}

#[test]
fn the_teachers_edition_marks_answers_in_red_and_a3_papers_get_two_columns_and_a_seal_line() {
    let dir = make(&[
        "question-bank/exams/mock-a3.yaml",
        "--seed",
        "3",
        "--edition",
        "teacher",
        "--format",
        "docx",
    ]);
    let docx = dir.join("teacher-A.docx");
    assert!(
        !dir.join("paper-A.docx").exists(),
        "the teacher's edition never overwrites the paper"
    );
    let xml = part(&docx, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let red: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "r")))
        .filter(|r| {
            r.descendants()
                .any(|c| c.has_tag_name((W, "color")) && attr(c, "val") == Some("C71414"))
        })
        .map(para_text)
        .collect();
    assert!(red.iter().any(|t| t == "【答案】"), "answers are red");
    assert!(
        red.iter().any(|t| t.ends_with('√')),
        "correct options are marked in red"
    );
    let sect = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "sectPr")))
        .unwrap();
    assert_eq!(w(sect, "cols").and_then(|c| attr(c, "num")), Some("2"));
    let size = w(sect, "pgSz").unwrap();
    assert_eq!(attr(size, "orient"), Some("landscape"));
    let width: i32 = attr(size, "w").unwrap().parse().unwrap();
    assert!(
        (width - 23811).abs() <= 2,
        "A3 landscape is 420 mm wide: {width}"
    );
    // The seal line: a floating table in the odd pages' header, text turned to read from the bottom, its
    // dashed edge the line; even pages have a header of their own without it.
    let settings = part(&docx, "word/settings.xml");
    assert!(settings.contains("evenAndOddHeaders"));
    let headers: Vec<String> = parts_named(&docx, "word/header")
        .iter()
        .map(|n| part(&docx, n))
        .collect();
    let seal: Vec<&String> = headers.iter().filter(|h| h.contains("密")).collect();
    assert_eq!(seal.len(), 1, "one header carries the seal line");
    let header = roxmltree::Document::parse(seal[0]).unwrap();
    assert!(header.descendants().any(|n| n.has_tag_name((W, "tblpPr"))));
    assert!(
        header
            .descendants()
            .any(|n| n.has_tag_name((W, "textDirection")) && attr(n, "val") == Some("btLr"))
    );
    assert!(
        header
            .descendants()
            .any(|n| n.has_tag_name((W, "right")) && attr(n, "val") == Some("dashed"))
    );
    let text: String = header
        .descendants()
        .filter(|n| n.has_tag_name((W, "t")))
        .filter_map(|n| n.text())
        .collect();
    for label in ["学校：", "班级：", "姓名：", "考号：", "密"] {
        assert!(text.contains(label), "the seal line has {label}");
    }
    // Part headings sit beside a 得分 | 评卷人 box.
    assert!(xml.contains("评卷人"));
}

#[test]
fn the_same_inputs_and_seed_give_byte_identical_docx() {
    let args = [
        "question-bank/exams/quiz.yaml",
        "--seed",
        "11",
        "--format",
        "docx",
    ];
    let a = make(&args);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let b = make(&args);
    for name in ["paper-A.docx", "key-A.docx", "review-A.docx"] {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
    // And a different seed gives a different paper.
    let c = make(&[
        "question-bank/exams/quiz.yaml",
        "--seed",
        "12",
        "--format",
        "docx",
    ]);
    assert_ne!(
        std::fs::read(a.join("paper-A.docx")).unwrap(),
        std::fs::read(c.join("paper-A.docx")).unwrap()
    );
}

/// LibreOffice's `soffice`, or None when it is missing and the tests may skip (CI sets EXAMGEN_REQUIRE_SOFFICE).
pub(crate) fn soffice() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("soffice"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("EXAMGEN_REQUIRE_SOFFICE").is_none(),
            "EXAMGEN_REQUIRE_SOFFICE is set but soffice (LibreOffice) is not on PATH"
        );
        eprintln!("skipped: soffice (LibreOffice) is not installed");
    }
    found
}

/// Converts `docx` to PDF with LibreOffice, in a profile of its own (tests may run at once).
pub(crate) fn convert(soffice: &Path, docx: &Path, out: &Path) -> PathBuf {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .arg(docx)
        .output()
        .expect("run soffice");
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = out.join(docx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.exists(), "soffice wrote no {}", pdf.display());
    pdf
}

#[test]
fn libreoffice_opens_the_paper_key_and_review_with_every_question_numbered_pages_and_cjk_fonts() {
    let Some(soffice) = soffice() else { return };
    let data = paper_data("question-bank/exams/mock.yaml", 7);
    let dir = make(&["--seed", "7", "--format", "pdf,docx"]);
    let converted = dir.join("converted");
    std::fs::create_dir_all(&converted).unwrap();
    for name in ["paper-A", "key-A", "review-A"] {
        let pdf = convert(&soffice, &dir.join(&format!("{name}.docx")), &converted);
        let pages = pdf_pages(&pdf);
        let ours = pdf_pages(&dir.join(&format!("{name}.pdf")));
        assert!(
            pages.abs_diff(ours) <= 1,
            "{name}: LibreOffice makes {pages} pages of the .docx, examgen's PDF has {ours}"
        );
        let path = pdf.to_str().unwrap();
        let text = crate::util::tool("pdftotext", &["-layout", path, "-"]);
        // The footer numbers every page: 第1页 共N页 … 第N页 共N页, in order.
        let footers: Vec<String> = (1..=pages).map(|n| format!("第{n}页共{pages}页")).collect();
        assert_in_order(&text, &footers, &format!("{name} footers"));
        let fonts = crate::util::tool("pdffonts", &[path]);
        assert!(
            fonts.lines().any(|l| l.contains("CJK")),
            "{name}: a CJK font is used for the Chinese text:\n{fonts}"
        );
        if name == "paper-A" {
            assert_in_order(&text, &expected_texts(&data), "paper-A.docx in LibreOffice");
        }
    }
}

/// Every paragraph's text of a .docx body, one per line.
fn document_text(docx: &Path) -> String {
    let xml = part(docx, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "p")))
        .map(para_text)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cloze_handouts_and_their_keys_come_as_docx_with_numbered_blanks_and_a_contents_of_page_fields() {
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    crate::util::run_repo(&[
        "handout",
        "--mode",
        "cloze",
        "--seed",
        "3",
        "--toc",
        "--sections",
        "cw,vs",
        "--format",
        "docx",
        "-o",
        &out,
    ])
    .success();
    assert!(
        !dir.join("handout.pdf").exists(),
        "--format docx alone writes no PDF"
    );
    let text = document_text(&dir.join("handout.docx"));
    let key = document_text(&dir.join("handout-key.docx"));
    let blanks = key.lines().filter(|l| l.starts_with('（')).count();
    assert!(blanks > 5, "the key lists the blanks: {key}");
    let numbers: Vec<String> = (1..=blanks).map(|n| format!("（{n}）")).collect();
    assert_in_order(&text, &numbers, "handout.docx blanks");
    assert_in_order(&key, &numbers, "handout-key.docx answers");
    // The contents: one PAGEREF field per section, to a bookmark on that section's heading.
    let xml = part(&dir.join("handout.docx"), "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let refs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "instrText")))
        .filter_map(|n| n.text())
        .filter_map(|t| {
            t.trim()
                .strip_prefix("PAGEREF ")
                .map(|r| r.split_whitespace().next().unwrap().to_string())
        })
        .collect();
    let marks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "bookmarkStart")))
        .filter_map(|n| attr(n, "name"))
        .collect();
    assert_eq!(refs.len(), 2, "two sections, two entries");
    assert_eq!(
        refs, marks,
        "every entry points at a section heading's bookmark"
    );
}

#[test]
fn libreoffice_lays_a_handout_out_on_as_many_pages_as_the_pdf() {
    let Some(soffice) = soffice() else { return };
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    crate::util::run_repo(&["handout", "--format", "pdf,docx", "-o", &out]).success();
    let pdf = convert(&soffice, &dir.join("handout.docx"), &dir.join("converted"));
    let (pages, ours) = (pdf_pages(&pdf), pdf_pages(&dir.join("handout.pdf")));
    assert!(
        pages.abs_diff(ours) <= 1,
        "LibreOffice: {pages} pages, examgen's PDF: {ours}"
    );
    let text = crate::util::tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert_in_order(
        &text,
        &[
            format!("第1页共{pages}页"),
            format!("第{pages}页共{pages}页"),
        ],
        "handout footers",
    );
}

#[test]
fn a_class_batch_gets_named_word_papers_in_each_students_variant_and_a_word_key_per_variant() {
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    let roster = repo().join("tests/fixtures/rosters/class-bom.csv");
    crate::util::run_repo(&[
        "batch",
        "question-bank/exams/quiz.yaml",
        "--roster",
        roster.to_str().unwrap(),
        "--seed",
        "5",
        "--format",
        "docx",
        "-o",
        &out,
    ])
    .success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let students = manifest["students"].as_array().unwrap();
    assert!(students.len() >= 2);
    for s in students {
        let (id, name, variant) = (
            s["id"].as_str().unwrap(),
            s["name"].as_str().unwrap(),
            s["variant"].as_str().unwrap(),
        );
        let text = document_text(&dir.join(&format!("papers/{id}-{name}.docx")));
        assert!(
            text.contains(&format!("姓名：{name}")),
            "{name}'s paper carries the name"
        );
        assert!(
            text.contains(&format!("（{variant}卷）")),
            "{name} sits variant {variant}"
        );
        assert!(
            !dir.join(&format!("papers/{id}-{name}.pdf")).exists(),
            "no PDF papers with --format docx"
        );
        assert!(
            dir.join(&format!("sheets/{id}-{name}.pdf")).exists(),
            "answer sheets stay PDF"
        );
    }
    for v in ["A", "B"] {
        let key = document_text(&dir.join(&format!("key-{v}.docx")));
        assert!(key.contains(&format!("答案与解析（{v}卷）")));
    }
}

/// A school's edited templates change the Word files as they change the PDFs: the words a template prints
/// (title lines, the box title, the write-on fields, the footer) and the order of its blocks.
#[test]
fn word_follows_a_schools_edited_templates() {
    let dir = Dir::new();
    dir.copy_fixture("banks/good", "bank");
    dir.run(&["init", "--templates", "tpl"]).success();
    let paper = std::fs::read_to_string(dir.join("tpl/paper.hbs")).unwrap();
    // The notice box moved above the fields, its title and the fields' words changed, a line added.
    let fields_start = paper.find("  <fields").unwrap();
    let box_start = paper.find("  <box").unwrap();
    let box_end = paper.find("</box>").unwrap() + "</box>\n".len();
    let edited = format!(
        "{}{}{}{}",
        &paper[..fields_start],
        &paper[box_start..box_end],
        &paper[fields_start..box_start],
        &paper[box_end..]
    )
    .replace("绝密★启用前", "校内模拟 仅供练习")
    .replace("title=\"考生须知\"", "title=\"答题要求\"")
    .replace("label=\"准考证号\"", "label=\"学号\"")
    .replace(
        "footer=\"第{page}页 共{pages}页\"",
        "footer=\"试卷 {page}/{pages}\"",
    );
    std::fs::write(dir.join("tpl/paper.hbs"), edited).unwrap();
    let key = std::fs::read_to_string(dir.join("tpl/key.hbs")).unwrap();
    std::fs::write(
        dir.join("tpl/key.hbs"),
        key.replace("答案与解析{{#if", "参考答案{{#if"),
    )
    .unwrap();
    let args = ["paper", "bank/exams/small.yaml", "--seed", "1", "-o"];
    let with = |out: &str, extra: &[&str]| {
        let mut all = args.to_vec();
        all.push(out);
        all.extend_from_slice(extra);
        all.extend_from_slice(&["--format", "pdf,docx"]);
        dir.run(&all).success();
    };
    with("school", &["--templates", "tpl"]);
    with("builtin", &[]);

    let body = document_text(&dir.join("school/paper-A.docx"));
    for words in ["校内模拟 仅供练习", "答题要求", "学号："] {
        assert!(
            body.contains(words),
            "{words} missing from the Word paper:\n{body}"
        );
    }
    // (The notice's own first line still asks for the 准考证号: that is the blueprint's text.)
    assert!(!body.contains("绝密") && !body.contains("考生须知") && !body.contains("准考证号："));
    // The box now comes before the fields, as in the school's PDF.
    let pdf = crate::util::tool(
        "pdftotext",
        &[&dir.join("school/paper-A.pdf").display().to_string(), "-"],
    );
    for text in [&body, &pdf] {
        let (notice, fields) = (text.find("答题要求").unwrap(), text.find("学号：").unwrap());
        assert!(notice < fields, "the box should come first:\n{text}");
    }
    let footer = parts_named(&dir.join("school/paper-A.docx"), "word/footer")
        .iter()
        .map(|p| part(&dir.join("school/paper-A.docx"), p))
        .collect::<String>();
    assert!(
        footer.contains("试卷 ") && footer.contains(">/<") && !footer.contains("共"),
        "{footer}"
    );
    assert!(document_text(&dir.join("school/key-A.docx")).contains("参考答案"));
    // The built-in templates still give the built-in words.
    let builtin = document_text(&dir.join("builtin/paper-A.docx"));
    assert!(builtin.contains("绝密★启用前") && builtin.contains("考生须知"));
    assert!(builtin.find("准考证号：").unwrap() < builtin.find("考生须知").unwrap());
}
