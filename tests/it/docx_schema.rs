//! Every kind of .docx examgen writes, checked against ECMA-376 (transitional) by an independent validator,
//! openxml-audit (Python, pinned in .ci/run): paper, key and review on A4, A3 and B4, the teacher's edition,
//! figures and tables, handouts and their cloze keys, a class batch — no `[schema]` error. And the run
//! properties that carry meaning (the teacher's red, bold headings, East Asian fonts) in schema order, which
//! is what makes Word apply them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::figures::figure_bank;
use crate::util::{Dir, repo};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Validates the files named on the command line and prints one line per finding:
/// `path<TAB>type<TAB>part:path: description`.
const VALIDATE: &str = r#"
import sys
from openxml_audit import OpenXmlValidator
validator = OpenXmlValidator(max_errors=0)
for path in sys.argv[1:]:
    for e in validator.validate(path).errors:
        print(f"{path}\t{e.error_type.value}\t{e.part_uri}:{e.path}: {e.description}")
"#;

/// python3 with openxml_audit importable, or None when it is missing and the test may skip (CI sets
/// EXAMGEN_REQUIRE_DOCX_VALIDATOR).
fn validator() -> Option<&'static str> {
    let found = Command::new("python3")
        .args(["-c", "import openxml_audit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("EXAMGEN_REQUIRE_DOCX_VALIDATOR").is_none(),
            "EXAMGEN_REQUIRE_DOCX_VALIDATOR is set but python3 cannot import openxml_audit \
             (pip install openxml-audit, as .ci/run does)"
        );
        eprintln!("skipped: the .docx validator is not installed (pip install openxml-audit)");
        return None;
    }
    Some("python3")
}

/// Every .docx under `dir`, sorted.
fn docx_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "docx") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Writes one of every document kind into `dir` (shipped bank and the figure bank).
fn every_kind(dir: &Dir) -> Vec<PathBuf> {
    let repo_run = |args: &[&str]| crate::util::run_repo(args).success();
    let out = |sub: &str| dir.join(sub).to_str().unwrap().to_string();
    // A4 paper, key and review of the real exam's shape; the teacher's edition.
    repo_run(&["paper", "--seed", "7", "--format", "docx", "-o", &out("a4")]);
    repo_run(&[
        "paper",
        "--seed",
        "7",
        "--edition",
        "teacher",
        "--format",
        "docx",
        "-o",
        &out("a4"),
    ]);
    // Formal two-column papers: A3 with the seal line and score boxes (paper, key, review, teacher), B4.
    let a3 = "question-bank/exams/mock-a3.yaml";
    repo_run(&[
        "paper",
        a3,
        "--seed",
        "3",
        "--format",
        "docx",
        "-o",
        &out("a3"),
    ]);
    repo_run(&[
        "paper",
        a3,
        "--seed",
        "3",
        "--edition",
        "teacher",
        "--format",
        "docx",
        "-o",
        &out("a3"),
    ]);
    repo_run(&[
        "paper",
        "question-bank/exams/quiz.yaml",
        "--seed",
        "5",
        "--layout",
        "b4-2col",
        "--format",
        "docx",
        "-o",
        &out("b4"),
    ]);
    // Formulas as native equations (the maths and physics example bank): paper and key.
    repo_run(&[
        "paper",
        "question-bank/examples/maths-physics/exams/paper.yaml",
        "--seed",
        "1",
        "--format",
        "docx",
        "-o",
        &out("maths"),
    ]);
    // Handouts: summary with contents, cloze with its key.
    repo_run(&[
        "handout",
        "--toc",
        "--format",
        "docx",
        "-o",
        &out("handout"),
    ]);
    repo_run(&[
        "handout",
        "--mode",
        "cloze",
        "--seed",
        "3",
        "--format",
        "docx",
        "-o",
        &out("cloze"),
    ]);
    // A class batch: named papers and a key per variant.
    let roster = repo().join("tests/fixtures/rosters/class-bom.csv");
    repo_run(&[
        "batch",
        "question-bank/exams/quiz.yaml",
        "--roster",
        roster.to_str().unwrap(),
        "--seed",
        "5",
        "--format",
        "docx",
        "-o",
        &out("batch"),
    ]);
    // Figures (PNG, JPEG photo, SVG, image options) and Markdown tables: paper, key, review, teacher's
    // edition, and the cloze handout with its figure.
    figure_bank(dir);
    dir.run(&[
        "paper",
        "bank/exams/figures.yaml",
        "--seed",
        "7",
        "--format",
        "docx",
        "-o",
        "fig",
    ])
    .success();
    dir.run(&[
        "paper",
        "bank/exams/figures.yaml",
        "--seed",
        "7",
        "--edition",
        "teacher",
        "--format",
        "docx",
        "-o",
        "fig",
    ])
    .success();
    dir.run(&[
        "handout",
        "bank",
        "--mode",
        "cloze",
        "--blank-ratio",
        "1",
        "--seed",
        "3",
        "--format",
        "docx",
        "-o",
        "fig-cloze",
    ])
    .success();
    docx_files(dir.path())
}

#[test]
fn every_kind_of_word_file_is_schema_valid_for_an_independent_validator() {
    let Some(python) = validator() else { return };
    let dir = Dir::new();
    let files = every_kind(&dir);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    for kind in [
        "a4/paper-A.docx",
        "a4/key-A.docx",
        "a4/review-A.docx",
        "a4/teacher-A.docx",
        "a3/paper-A.docx",
        "a3/teacher-A.docx",
        "b4/paper-A.docx",
        "handout/handout.docx",
        "cloze/handout-key.docx",
        "batch/key-B.docx",
        "fig/teacher-A.docx",
        "fig-cloze/handout-key.docx",
        "maths/paper-A.docx",
        "maths/key-A.docx",
    ] {
        assert!(names.iter().any(|n| n == kind), "{kind} is among {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("batch/papers/")));

    let output = Command::new(python)
        .arg("-c")
        .arg(VALIDATE)
        .args(&files)
        .output()
        .expect("run the validator");
    assert!(
        output.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stdout);
    let findings: Vec<&str> = report.lines().filter(|l| !l.trim().is_empty()).collect();
    let schema: Vec<&&str> = findings
        .iter()
        .filter(|l| l.split('\t').nth(1) == Some("schema"))
        .collect();
    assert!(
        schema.is_empty(),
        "{} schema errors in {} files; the first:\n{}",
        schema.len(),
        files.len(),
        schema
            .iter()
            .take(30)
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Nor anything else the validator finds (packaging, relationships, semantics).
    assert!(
        findings.is_empty(),
        "{} findings; the first:\n{}",
        findings.len(),
        findings
            .iter()
            .take(30)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Where each of `names` sits among the children of `props`, by its name in the WordprocessingML namespace.
fn positions(props: roxmltree::Node, names: &[&str]) -> Vec<Option<usize>> {
    let children: Vec<roxmltree::Node> = props.children().filter(|c| c.is_element()).collect();
    names
        .iter()
        .map(|n| children.iter().position(|c| c.has_tag_name((W, *n))))
        .collect()
}

#[test]
fn the_teachers_red_bold_headings_and_east_asian_fonts_sit_in_schema_order_in_every_run() {
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    crate::util::run_repo(&[
        "paper",
        "question-bank/exams/quiz.yaml",
        "--seed",
        "7",
        "--edition",
        "teacher",
        "--format",
        "docx",
        "-o",
        &out,
    ])
    .success();
    let file = std::fs::File::open(dir.join("teacher-A.docx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // EG_RPrBase: rFonts, b, …, color, …, sz, szCs, …, u.
    let sequence = ["rFonts", "b", "color", "sz", "u"];
    let mut red_answers = 0;
    let mut bold_headings = 0;
    for run in doc.descendants().filter(|n| n.has_tag_name((W, "r"))) {
        let Some(rpr) = run.children().find(|c| c.is_element()) else {
            continue;
        };
        if !rpr.has_tag_name((W, "rPr")) {
            continue;
        }
        let at: Vec<usize> = positions(rpr, &sequence).into_iter().flatten().collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "run properties out of schema order: {}",
            &xml[rpr.range()]
        );
        let text: String = run
            .children()
            .filter(|c| c.has_tag_name((W, "t")))
            .filter_map(|t| t.text())
            .collect();
        let color = rpr
            .children()
            .find(|c| c.has_tag_name((W, "color")))
            .and_then(|c| c.attribute((W, "val")));
        if text == "【答案】" && color == Some("C71414") {
            red_answers += 1;
            // The heading face: bold, 黑体-style for East Asian text, before the colour.
            let [fonts, bold, color, ..] = positions(rpr, &sequence)[..] else {
                unreachable!()
            };
            assert!(fonts < bold && bold < color, "{}", &xml[rpr.range()]);
            let east_asia = rpr
                .children()
                .find(|c| c.has_tag_name((W, "rFonts")))
                .and_then(|f| f.attribute((W, "eastAsia")));
            assert_eq!(east_asia, Some("Noto Sans CJK SC"));
            bold_headings += 1;
        }
    }
    assert!(
        red_answers >= 10,
        "every question's 【答案】 is red: {red_answers}"
    );
    assert_eq!(bold_headings, red_answers);
    // The paragraph properties: the paragraph mark's run properties come last.
    for ppr in doc.descendants().filter(|n| n.has_tag_name((W, "pPr"))) {
        let last = ppr.children().rfind(|c| c.is_element());
        if let Some(rpr) = ppr.children().find(|c| c.has_tag_name((W, "rPr"))) {
            assert_eq!(Some(rpr), last, "{}", &xml[ppr.range()]);
        }
    }
}

#[test]
fn every_part_of_a_word_package_is_referenced_and_every_reference_and_content_type_names_a_part() {
    let dir = Dir::new();
    let out = dir.path().to_str().unwrap().to_string();
    // Two columns with the seal line (headers and footers of their own), and the figure bank (media).
    crate::util::run_repo(&[
        "paper",
        "question-bank/exams/quiz.yaml",
        "--seed",
        "7",
        "--layout",
        "a3-2col",
        "--format",
        "docx",
        "-o",
        &out,
    ])
    .success();
    figure_bank(&dir);
    dir.run(&[
        "paper",
        "bank/exams/figures.yaml",
        "--seed",
        "7",
        "--format",
        "docx",
        "-o",
        "fig",
    ])
    .success();
    for docx in [
        "paper-A.docx",
        "key-A.docx",
        "fig/paper-A.docx",
        "fig/key-A.docx",
    ] {
        let parts = crate::util::docx_parts(&dir.join(docx));
        let names: Vec<&String> = parts.keys().collect();
        for orphan in [
            "word/comments.xml",
            "word/commentsExtended.xml",
            "word/footnotes.xml",
            "word/numbering.xml",
        ] {
            assert!(
                !parts.contains_key(orphan),
                "{docx}: {orphan} is packaged for nothing"
            );
        }
        // Follow the relationships from the package's own: every part is reached, every target exists.
        let mut reached = vec!["[Content_Types].xml".to_string(), "_rels/.rels".to_string()];
        let mut todo = vec![String::new()];
        while let Some(source) = todo.pop() {
            let (folder, file) = source.rsplit_once('/').unwrap_or(("", source.as_str()));
            let rels = if folder.is_empty() {
                format!("_rels/{file}.rels")
            } else {
                format!("{folder}/_rels/{file}.rels")
            };
            let Some(xml) = parts.get(&rels) else {
                continue;
            };
            reached.push(rels.clone());
            let xml = String::from_utf8(xml.clone()).unwrap();
            let doc = roxmltree::Document::parse(&xml).unwrap();
            for target in doc
                .root_element()
                .children()
                .filter_map(|r| r.attribute("Target"))
            {
                let part = if folder.is_empty() {
                    target.to_string()
                } else {
                    format!("{folder}/{target}")
                };
                assert!(
                    parts.contains_key(&part),
                    "{docx}: {rels} points at a missing {part}"
                );
                if !reached.contains(&part) {
                    reached.push(part.clone());
                    todo.push(part);
                }
            }
        }
        for name in &names {
            assert!(
                reached.contains(name),
                "{docx}: {name} is referenced by nothing"
            );
        }
        assert!(
            parts.contains_key("word/theme/theme1.xml"),
            "{docx}: a theme"
        );
        let types = String::from_utf8(parts["[Content_Types].xml"].clone()).unwrap();
        let types = roxmltree::Document::parse(&types).unwrap();
        for part in types
            .root_element()
            .children()
            .filter_map(|o| o.attribute("PartName"))
        {
            assert!(
                parts.contains_key(part.trim_start_matches('/')),
                "{docx}: a content type for a missing {part}"
            );
        }
    }
}
