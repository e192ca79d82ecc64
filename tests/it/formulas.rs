//! Formulas (`$…$`) end to end on the shipped example bank question-bank/examples/maths-physics: `check`
//! accepts it and points at bad formulas; the paper and key PDFs draw formulas as vector paths (no images,
//! no raw LaTeX in their text); the Word files hold native equations that LibreOffice draws; Moodle XML
//! and GIFT carry MathJax delimiters.

use crate::util::{Dir, copy_tree, repo, run_in, run_repo, tool};

const BANK: &str = "question-bank/examples/maths-physics";
const BLUEPRINT: &str = "question-bank/examples/maths-physics/exams/paper.yaml";

#[test]
fn the_example_bank_has_twenty_formula_questions_and_checks_clean() {
    let out = run_repo(&["check", BANK]).success();
    assert!(out.stdout.contains("no errors"), "{}", out.stdout);
    let bank = examgen::input::bank::Bank::load(&repo().join(BANK)).unwrap();
    let with_formulas = bank
        .questions
        .iter()
        .filter(|q| {
            q.stem.source().contains('$') || q.options.iter().any(|o| o.source().contains('$'))
        })
        .count();
    assert!(
        with_formulas >= 20,
        "{with_formulas} questions with formulas"
    );
    for section in ["maths", "physics"] {
        assert!(bank.sections.iter().any(|s| s.id == section));
    }
}

#[test]
fn check_points_at_a_bad_formula_with_the_formula_shown() {
    let dir = Dir::new();
    copy_tree(&repo().join(BANK), &dir.join("bank"));
    let file = dir.join("bank/01-maths.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text
        .replacen("$x^2-5x+6=0$", "$x^2-5x+\\fracc{6}=0$", 1)
        .replacen("原价 \\$200", "原价 $200", 1);
    assert_ne!(broken, text);
    std::fs::write(&file, &broken).unwrap();
    let out = run_in(dir.path(), &["check", "bank"]).failure(1);
    let line = broken.lines().position(|l| l.contains("\\fracc")).unwrap() + 1;
    let column = broken.lines().nth(line - 1).unwrap()[..]
        .split("\\fracc")
        .next()
        .unwrap()
        .chars()
        .count()
        + 1;
    assert!(
        out.stderr.contains(&format!(
            "01-maths.yaml:{line}:{column}: error: formula: unknown command \\fracc"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`$x^2-5x+\\fracc{6}=0$`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("never closed"), "{}", out.stderr);
    // Nothing prints from a bank with a bad formula.
    let paper = run_in(dir.path(), &["paper", "bank/exams/paper.yaml", "-o", "out"]).failure(1);
    assert!(!dir.join("out").exists(), "{}", paper.stderr);
}

#[test]
fn papers_draw_formulas_as_vector_paths_with_searchable_text_and_no_raw_latex() {
    let dir = Dir::new();
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    run_repo(&["paper", BLUEPRINT, "--seed", "1", "-o", out]).success();
    for (doc, copied) in [
        ("paper-A.pdf", "x²−5x+6=0"),
        ("key-A.pdf", "x_1+x_2=−b/a=5"),
    ] {
        let pdf = dir.join("out").join(doc);
        let pdf = pdf.to_str().unwrap();
        let text = tool("pdftotext", &[pdf, "-"]);
        assert!(
            !text.contains("\\frac") && !text.contains('\\'),
            "{doc}: {text}"
        );
        // The only dollars are prices written `\$200`.
        for (i, _) in text.match_indices('$') {
            assert!(
                text[i + 1..].starts_with(|c: char| c.is_ascii_digit()),
                "{doc}: a `$` not before an amount: {}",
                &text[i..(i + 20).min(text.len())]
            );
        }
        // Formulas are copyable as plain Unicode.
        assert!(text.contains(copied), "{doc}: {text}");
        // No pictures: formulas are paths (and only the two CJK faces are fonts).
        let images = tool("pdfimages", &["-list", pdf]);
        assert_eq!(images.lines().count(), 2, "{doc}: {images}");
        let fonts = tool("pdffonts", &[pdf]);
        assert_eq!(fonts.lines().count(), 4, "{doc}: {fonts}");
    }
    let raw = std::fs::read(dir.join("out/paper-A.pdf")).unwrap();
    let doc = lopdf::Document::load_mem(&raw).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = doc.get_page_content(page);
    let ops = lopdf::content::Content::decode(&content)
        .unwrap()
        .operations;
    let curves = ops.iter().filter(|o| o.operator == "c").count();
    assert!(curves > 200, "formula glyphs are filled curves: {curves}");
}

#[test]
fn word_files_hold_native_equations_that_libreoffice_draws() {
    let dir = Dir::new();
    let out = dir.join("out");
    run_repo(&[
        "paper",
        BLUEPRINT,
        "--seed",
        "1",
        "--format",
        "docx",
        "-o",
        out.to_str().unwrap(),
    ])
    .success();
    let parts = crate::util::docx_parts(&out.join("paper-A.docx"));
    let document = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    assert!(document.matches("<m:oMath>").count() >= 30);
    assert!(document.contains("<m:f><m:num>") && document.contains("<m:rad>"));
    assert!(!document.contains("\\frac") && !document.contains('\u{F0E0}'));
    roxmltree::Document::parse(&document).expect("well-formed");
    let key = crate::util::docx_parts(&out.join("key-A.docx"));
    let key = String::from_utf8(key["word/document.xml"].clone()).unwrap();
    assert!(
        key.contains("<m:oMathPara>"),
        "display formulas of the explanations"
    );

    let Some(soffice) = crate::docx::soffice() else {
        return;
    };
    let pdf = crate::docx::convert(&soffice, &out.join("paper-A.docx"), &out);
    let text = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(!text.contains("\\frac") && !text.contains("$x"), "{text}");
    // LibreOffice draws the equations: the matrix question's `det A`, the sum's operator.
    assert!(text.contains("det"), "{text}");
    assert!(text.contains('∑'), "{text}");
}

#[test]
fn moodle_and_gift_exports_carry_mathjax_delimiters() {
    let xml = run_repo(&["export", BANK, "--format", "moodle-xml"])
        .success()
        .stdout;
    roxmltree::Document::parse(&xml).expect("well-formed Moodle XML");
    assert!(xml.contains(r"方程 \(x^2-5x+6=0\) 的两根之和为"), "{xml}");
    assert!(xml.contains(r"\[\int_0^1 x^2\,dx\]"), "{xml}");
    assert!(!xml.contains("$x"));
    let gift = run_repo(&["export", BANK, "--format", "gift"])
        .success()
        .stdout;
    assert!(gift.contains(r"\\(x^2-5x+6\=0\\)"), "{gift}");
    assert!(gift.contains(r"\\frac\{5\}\{2\}"), "{gift}");
    let csv = run_repo(&["export", BANK, "--format", "csv"])
        .success()
        .stdout;
    assert!(csv.contains("$x^2-5x+6=0$"), "CSV keeps the LaTeX as typed");
}
