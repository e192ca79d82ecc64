//! Formal paper formats: A3 two columns (both used, nothing across the gutter or in the seal area, the
//! rotated seal text extractable), column page numbering, score boxes, B5/16开 sizes, the teacher's edition.

use std::process::Command;

use crate::util::{Dir, pdf_pages, repo};
use examgen::render::layout::{MM, PageSetup};

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .expect("poppler tools (installed by .ci/run)");
    assert!(out.status.success(), "{name} {args:?}");
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// (page, xMin, xMax, word) of every word, from pdftotext -bbox.
fn words(pdf: &str) -> Vec<(usize, f32, f32, String)> {
    let mut out = Vec::new();
    let mut page = 0;
    for line in tool("pdftotext", &["-bbox", pdf, "-"]).lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        if let Some(rest) = line.strip_prefix("<word ") {
            let attr = |name: &str| -> f32 {
                let start = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                rest[start..].split('"').next().unwrap().parse().unwrap()
            };
            let text = rest
                .split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap_or("")
                .to_string();
            out.push((page, attr("xMin"), attr("xMax"), text));
        }
    }
    out
}

/// The words of one page left of the text area (the binding margin), joined without spacing.
fn margin_text(words: &[(usize, f32, f32, String)], page: usize, left: f32) -> String {
    words
        .iter()
        .filter(|w| w.0 == page && w.2 < left - 0.5)
        .flat_map(|w| w.3.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_seal_and_score_box_words_are_the_templates() {
    let dir = Dir::new();
    dir.run(&["init", "--templates", "tpl"]).success();
    let paper = dir.join("tpl/paper.hbs");
    let text = std::fs::read_to_string(&paper).unwrap();
    let text = text
        .replace("密封线内不要答题", "装订线内请勿作答")
        .replace("考号:36 姓名:26 班级:22 学校:32", "座位号:20 姓名:26")
        .replace("得分|评卷人", "得分|复核人|阅卷人");
    std::fs::write(&paper, text).unwrap();
    let blueprint = repo()
        .join("question-bank/exams/mock-a3.yaml")
        .display()
        .to_string();
    dir.run(&[
        "paper",
        &blueprint,
        "--seed",
        "3",
        "-o",
        "out",
        "--templates",
        "tpl",
    ])
    .success();
    let pdf = dir.join("out/paper-A.pdf").display().to_string();
    let setup = PageSetup::named("a3-2col").unwrap();
    let margin = margin_text(&words(&pdf), 1, setup.left);
    assert!(
        margin.contains("座位号：") && "装订线内请勿作答".chars().all(|c| margin.contains(c)),
        "{margin}"
    );
    assert!(
        !margin.contains("学校") && !margin.contains("密封线"),
        "{margin}"
    );
    let text = tool("pdftotext", &["-f", "1", "-l", "1", &pdf, "-"]);
    assert!(text.contains("复核人") && text.contains("阅卷人"), "{text}");
}

#[test]
fn a3_two_columns_respect_the_gutter_and_the_seal() {
    let dir = Dir::new();
    let blueprint = repo()
        .join("question-bank/exams/mock-a3.yaml")
        .display()
        .to_string();
    let out = dir.join("out").display().to_string();
    dir.run(&["paper", &blueprint, "--seed", "3", "-o", &out])
        .success();
    let pdf = dir.join("out/paper-A.pdf").display().to_string();
    let info = tool("pdfinfo", &[&pdf]);
    assert!(
        info.contains("1190.55 x 841.89 pts (A3)"),
        "A3 landscape: {info}"
    );
    let setup = PageSetup::named("a3-2col").unwrap();
    let gutter = (setup.column_x(0) + setup.column_width(), setup.column_x(1));
    let all = words(&pdf);
    let pages = pdf_pages(std::path::Path::new(&pdf));
    for page in 1..=pages {
        let on_page: Vec<_> = all.iter().filter(|w| w.0 == page).collect();
        assert!(
            on_page.iter().any(|w| w.2 < gutter.0),
            "page {page}: left column empty"
        );
        assert!(
            on_page.iter().any(|w| w.1 > gutter.1),
            "page {page}: right column empty"
        );
        for w in &on_page {
            assert!(
                !(w.1 < gutter.0 - 0.5 && w.2 > gutter.1 + 0.5),
                "page {page}: {} crosses the gutter",
                w.3
            );
            // Every word lies wholly in one column: ending before the gutter or starting after it.
            assert!(
                w.2 <= gutter.0 + 0.5 || w.1 >= gutter.1 - 0.5,
                "page {page}: {} inside the gutter",
                w.3
            );
            // Left of the text area only the seal line's words, and only on odd pages.
            if w.2 < setup.left - 0.5 {
                assert!(
                    page % 2 == 1,
                    "page {page}: {} in the binding margin of an even side",
                    w.3
                );
                assert!(w.1 < setup.left - 5.0 * MM, "{} too close to the text", w.3);
            }
        }
    }
    // The seal's words are read from the binding margin itself: the header's 姓名 elsewhere on the page
    // must not stand in for them.
    let margin = margin_text(&all, 1, setup.left);
    for label in ["学校：", "班级：", "姓名：", "考号："] {
        assert!(
            margin.contains(label),
            "seal field {label} is not in the binding margin: {margin}"
        );
    }
    // pdftotext orders turned words by position, not reading order: look for each character.
    assert!(
        "密封线内不要答题".chars().all(|c| margin.contains(c)),
        "the seal warning is not in the binding margin: {margin}"
    );
    assert_eq!(
        margin_text(&all, 2, setup.left),
        "",
        "even sides have no seal"
    );
    let text = tool("pdftotext", &["-f", "1", "-l", "1", &pdf, "-"]);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        squeezed.contains("得分") && squeezed.contains("评卷人"),
        "score boxes"
    );
    // Each column counts as a page: two footers per side.
    assert!(
        squeezed.contains(&format!("第1页共{}页", pages * 2))
            && squeezed.contains(&format!("第2页共{}页", pages * 2)),
        "{squeezed}"
    );
}

#[test]
fn page_sizes_for_handouts() {
    let dir = Dir::new();
    let bank = repo().join("question-bank").display().to_string();
    for (layout, size) in [("b5", "498.898 x 708.662"), ("16k", "521.575 x 737.008")] {
        let out = dir.join(layout).display().to_string();
        dir.run(&[
            "handout",
            &bank,
            "--sections",
            "xi-sw",
            "--layout",
            layout,
            "-o",
            &out,
        ])
        .success();
        let info = tool(
            "pdfinfo",
            &[&dir
                .join(&format!("{layout}/handout.pdf"))
                .display()
                .to_string()],
        );
        assert!(info.contains(&format!("{size} pts")), "{layout}: {info}");
    }
    dir.run(&["handout", &bank, "--layout", "a5"]).failure(2);
}

#[test]
fn the_teachers_edition_carries_every_answer() {
    let dir = Dir::new();
    let out = dir.join("out").display().to_string();
    crate::util::run_repo(&["paper", "--seed", "6", "--edition", "teacher", "-o", &out]).success();
    assert!(
        !dir.join("out/paper-A.pdf").exists(),
        "the students' paper is not overwritten by the teacher's edition"
    );
    let text: String = tool(
        "pdftotext",
        &[&dir.join("out/teacher-A.pdf").display().to_string(), "-"],
    )
    .chars()
    .filter(|c| !c.is_whitespace())
    .collect();
    assert!(text.contains("教师版"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    for q in manifest["variants"][0]["questions"].as_array().unwrap() {
        let answer = q["answer"].as_str().unwrap();
        assert!(
            text.contains(&format!("【答案】{answer}")),
            "question {}: answer {answer} missing",
            q["number"]
        );
    }
    // The red is real: the uncompressed content streams set the accent colour.
    let plain = dir.join("plain.pdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(dir.join("out/teacher-A.pdf"))
        .arg(&plain)
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&plain).unwrap();
    let red = b"0.78 0.08 0.08 rg";
    assert!(
        bytes.windows(red.len()).any(|w| w == red),
        "no red text in the teacher's edition"
    );
}
