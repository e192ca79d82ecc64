//! `examgen scan` on stacks and files as schools make them: a stack where every page is doubtful (a
//! scanner set too light) streams its pictures into a review.pdf with every page; pages saved in the
//! heavier kinds scanners and copiers write (colour, 16-bit, alpha, 600 dpi); a teacher's folder of
//! `扫描 (1).jpg … 扫描 (10).jpg` with the junk Windows and macOS leave beside them.

use std::collections::BTreeMap;
use std::process::Command;

use image::GrayImage;
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::{self, Mark, Rng};
use crate::util::{Dir, read_csv, repo};

/// The quiz's blank answer sheet (seed 3) rendered by pdftoppm at `dpi`, and its geometry.
fn blank_sheet(dir: &Dir, dpi: u32) -> (Value, GrayImage) {
    let blueprint = repo().join("question-bank/exams/quiz.yaml");
    if !dir.join("sheets/manifest.json").exists() {
        dir.run(&[
            "sheet",
            blueprint.to_str().unwrap(),
            "--seed",
            "3",
            "-o",
            "sheets",
        ])
        .success();
    }
    let page = crate::util::render_gray(
        &dir.join("sheets/sheet-A.pdf"),
        None,
        dpi,
        &dir.join(&format!("blank-{dpi}")),
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sheets/manifest.json")).unwrap())
            .unwrap();
    let geom = manifest["variants"][0]["sheet"][0].clone();
    (geom, page)
}

/// Student `id` on the blank page: the id grid, 试卷类型 A, and `answers` (question → letter); with
/// `doubtful`, question 1 gets a second fill as well, so the page needs a person.
fn marked(
    page: &GrayImage,
    geom: &Value,
    dpi: f32,
    id: &str,
    answers: &BTreeMap<u32, char>,
    doubtful: bool,
    rng: &mut Rng,
) -> GrayImage {
    let mut img = page.clone();
    let bubbles = geom["bubbles"].as_array().unwrap();
    let mut mark = |b: &Value| {
        let area: BoxMm = serde_json::from_value(b["box"].clone()).unwrap();
        synth::draw_mark(&mut img, &area, Mark::Pencil, dpi / 25.4, rng);
    };
    for (col, d) in id.chars().enumerate() {
        let digit = d.to_digit(10).unwrap();
        mark(crate::util::id_bubble(geom, col, digit));
    }
    if let Some(b) = bubbles
        .iter()
        .find(|b| b["kind"] == "variant" && b["letter"] == "A")
    {
        mark(b);
    }
    for (q, letter) in answers {
        let option = |o: char| {
            bubbles
                .iter()
                .find(|b| {
                    b["kind"] == "answer" && b["question"] == *q && b["option"] == o.to_string()
                })
                .unwrap()
        };
        mark(option(*letter));
        if doubtful && *q == 1 {
            mark(option(if *letter == 'A' { 'B' } else { 'A' }));
        }
    }
    img
}

/// Answers for student `n`: questions 1–4 single choice, A–D in turn.
fn answers_of(n: usize) -> BTreeMap<u32, char> {
    (1..=4u32)
        .map(|q| (q, ['A', 'B', 'C', 'D'][(n + q as usize) % 4]))
        .collect()
}

#[test]
fn a_stack_where_every_page_is_doubtful_has_every_page_in_review_pdf() {
    let dir = Dir::new();
    let (geom, page) = blank_sheet(&dir, 150);
    let mut rng = Rng::new(23);
    std::fs::create_dir(dir.join("stack")).unwrap();
    let pages = 14;
    for n in 0..pages {
        let img = marked(
            &page,
            &geom,
            150.0,
            &format!("73{n:02}"),
            &answers_of(n),
            true,
            &mut rng,
        );
        img.save(dir.join(&format!("stack/page-{n:02}.png")))
            .unwrap();
    }
    // What Windows leaves in a scans folder is left out with a note, not counted as a bad page.
    dir.create("stack/Thumbs.db", b"\xd0\xcf\x11\xe0 thumbnails");
    let run = dir
        .run(&["scan", "sheets/manifest.json", "stack", "-o", "out"])
        .success();
    assert!(
        run.stderr.contains("note: ") && run.stderr.contains("Thumbs.db"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("0 problem(s)"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{pages} with doubtful marks")),
        "{}",
        run.stdout
    );
    let review = dir.join("out/review.pdf");
    assert!(
        run.stdout.contains(&format!("review.pdf ({pages} pages")),
        "{}",
        run.stdout
    );
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&review)
        .output()
        .expect("qpdf (installed by .ci/run)");
    assert!(
        check.status.success(),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(crate::util::pdf_pages(&review), pages);
    // Each page shows its own sheet: the caption names the file, the picture is the page's, upright.
    for n in [1, 7, pages] {
        let text = crate::util::tool(
            "pdftotext",
            &[
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                "-layout",
                review.to_str().unwrap(),
                "-",
            ],
        );
        assert!(
            text.contains(&format!("page-{:02}.png", n - 1)),
            "page {n}: {text}"
        );
        assert!(
            text.contains(&format!("73{:02}", n - 1)),
            "page {n}: {text}"
        );
    }
    let images = crate::util::tool("pdfimages", &["-list", review.to_str().unwrap()]);
    let rows: Vec<&str> = images.lines().skip(2).collect();
    assert_eq!(rows.len(), pages, "{images}");
    assert!(
        rows.iter()
            .all(|r| r.contains("jpeg") && r.contains("gray")),
        "{images}"
    );
    // The picture is the scan: rendered, the page is mostly paper with dark corner marks and fills.
    let out = dir.join("review-7");
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "40",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "7",
            "-l",
            "7",
        ])
        .arg(&review)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let shown = image::open(out.with_extension("png")).unwrap().into_luma8();
    let dark = shown.pixels().filter(|p| p.0[0] < 100).count();
    let light = shown.pixels().filter(|p| p.0[0] > 200).count();
    assert!(
        dark > 50 && light > shown.pixels().len() / 2,
        "{dark} dark, {light} light"
    );
    // Over it the outlines in colour: blue round the clear fills, green round the empty bubbles, and red
    // round both of question 1's two fills (the question is doubtful: the teacher looks for red).
    let status = Command::new("pdftoppm")
        .args(["-r", "80", "-png", "-singlefile", "-f", "7", "-l", "7"])
        .arg(&review)
        .arg(dir.join("review-7-colour"))
        .status()
        .unwrap();
    assert!(status.success());
    let colour = image::open(dir.join("review-7-colour.png"))
        .unwrap()
        .into_rgb8();
    let count = |want: fn(i32, i32, i32) -> bool| {
        colour
            .pixels()
            .filter(|p| want(p.0[0] as i32, p.0[1] as i32, p.0[2] as i32))
            .count()
    };
    let blue = count(|r, g, b| b > 180 && r < 90 && g < 150);
    let green = count(|r, g, b| g > 140 && r < 110 && b < 120);
    let red = count(|r, g, b| r > 180 && g < 90 && b < 100);
    assert!(
        blue > 100 && green > 1000 && red > 60,
        "{blue} blue, {green} green, {red} red"
    );
    let rows = read_csv(&dir.join("out/responses.csv"));
    assert_eq!(rows.len(), pages + 1);
    let q1 = rows[0].iter().position(|h| h == "1").unwrap();
    assert!(rows[1..].iter().all(|r| r[q1] == "?"), "{rows:?}");
}

#[test]
fn a_stack_without_doubtful_pages_says_so_in_review_pdf() {
    let dir = Dir::new();
    let (geom, page) = blank_sheet(&dir, 150);
    let mut rng = Rng::new(5);
    let img = marked(&page, &geom, 150.0, "7301", &answers_of(0), false, &mut rng);
    img.save(dir.join("clear.png")).unwrap();
    dir.run(&["scan", "sheets/manifest.json", "clear.png", "-o", "out"])
        .success();
    let review = dir.join("out/review.pdf");
    assert_eq!(crate::util::pdf_pages(&review), 1);
    let text = crate::util::tool("pdftotext", &[review.to_str().unwrap(), "-"]);
    assert!(text.contains("没有存疑的答题卡"), "{text}");
}
