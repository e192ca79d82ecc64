//! Answer sheets of two and three pages end to end: a class batch's and blank sheets filled, fabricated as
//! scans, shuffled (students' pages interleaved, a page 2 before its page 1, one page upside down), then
//! `scan` joins each student's pages into one row and `grade` gives the known scores; a page that never
//! reached the scanner is named with its questions and `grade` refuses the row.

use std::collections::BTreeMap;
use std::path::Path;

use image::GrayImage;
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::Rng;
use crate::scan_synth::synth_damage::{self as damage, PdfImage};
use crate::util::{Dir, Run, fill_sheet, read_csv, render_gray, repo};

const DPI: u32 = 150;
/// Pixels a mm on the rendered pages.
const PPM: f32 = DPI as f32 / 25.4;

/// A blueprint of `singles` single-choice, `multiples` multiple-choice and `judges` judge questions from
/// the shipped bank: over 100 choice questions do not fit one A4 sheet.
fn blueprint(dir: &Dir, singles: usize, multiples: usize, judges: usize) -> String {
    let bank = repo().join("question-bank");
    let mut yaml = format!(
        "title: 长卷测验\nbank: {}\nparts:\n  - {{title: 单项选择题, type: single, count: {singles}, points: 1, sections: weighted}}\n",
        bank.display()
    );
    if multiples > 0 {
        yaml += &format!(
            "  - {{title: 多项选择题, type: multiple, count: {multiples}, points: 2, sections: weighted, scoring: {{partial: 0.5}}}}\n"
        );
    }
    if judges > 0 {
        yaml += &format!(
            "  - {{title: 判断题, type: judge, count: {judges}, points: 1, sections: weighted}}\n"
        );
    }
    dir.create("long.yaml", yaml).display().to_string()
}

fn manifest(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One student's answer per question number, chosen from the options printed on the sheet.
fn answers_for(pages: &[Value], rng: &mut Rng) -> BTreeMap<u32, String> {
    let mut answers = BTreeMap::new();
    for geom in pages {
        for q in geom["questions"].as_array().unwrap() {
            let number = q["number"].as_u64().unwrap() as u32;
            let opts = crate::util::answer_bubbles(geom, number);
            let given = match q["kind"].as_str().unwrap() {
                _ if rng.below(20) == 0 => String::new(),
                "multiple" => {
                    let s: String = opts
                        .iter()
                        .filter(|_| rng.below(2) == 0)
                        .map(|(o, _)| o.as_str())
                        .collect();
                    if s.is_empty() { opts[0].0.clone() } else { s }
                }
                _ => opts[rng.below(opts.len())].0.clone(),
            };
            answers.insert(number, given);
        }
    }
    answers
}

/// A filled page as a copier scans it: slightly turned and shifted, noisy; upside down when `flip`.
fn scanned(filled: &GrayImage, flip: bool, rng: &mut Rng) -> PdfImage {
    let on_bed = damage::on_bed(filled, 250);
    let mut page = if flip {
        damage::quarter_turns(&on_bed, 2)
    } else {
        damage::turned(
            &on_bed,
            rng.range(-2.0, 2.0),
            rng.range(0.98, 1.02),
            (rng.range(-15.0, 15.0), rng.range(-15.0, 15.0)),
            250,
        )
    };
    damage::noise_and_blur(&mut page, rng, false);
    PdfImage::jpeg(&page, 80)
}

/// The known answers as a teacher would type them: one row per student, every question.
fn known_csv(numbers: &[u64], rows: &[(String, String, BTreeMap<u32, String>)]) -> String {
    let mut out = format!(
        "id,variant,{}\n",
        numbers
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    for (id, variant, answers) in rows {
        let cells: Vec<String> = numbers
            .iter()
            .map(|n| answers.get(&(*n as u32)).cloned().unwrap_or_default())
            .collect();
        out += &format!("{id},{variant},{}\n", cells.join(","));
    }
    out
}

fn sorted_lines(path: &Path) -> Vec<String> {
    let mut lines: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Every cell of the scanned rows is the student's answer.
fn assert_rows_match(rows: &[Vec<String>], known: &[(String, String, BTreeMap<u32, String>)]) {
    let header = &rows[0];
    assert_eq!(rows.len(), known.len() + 1, "one row per student: {rows:?}");
    for row in &rows[1..] {
        let (_, variant, answers) = known
            .iter()
            .find(|k| k.0 == row[0])
            .unwrap_or_else(|| panic!("an id nobody has: {row:?}"));
        assert_eq!(&row[1], variant, "variant of {}", row[0]);
        for (c, h) in header.iter().enumerate().skip(2) {
            let Ok(q) = h.parse::<u32>() else { continue };
            assert_eq!(
                row[c],
                answers[&q],
                "{} question {q}: {}",
                row[0],
                row.last().unwrap()
            );
        }
        assert_eq!(row.last().unwrap(), "", "no note for {}", row[0]);
    }
}

/// `scan` of `input` with `manifest` into the folder `out`: `(sheets, pages)` read, every row the
/// student's known answers, and `grade` scoring the scanned rows exactly as the known answers were scored
/// into g-known/.
fn scan_grades_as_known(
    dir: &Dir,
    manifest: &str,
    input: &str,
    out: &str,
    (sheets, pages): (usize, usize),
    known: &[(String, String, BTreeMap<u32, String>)],
) -> Run {
    let run = dir.run(&["scan", manifest, input, "-o", out]).success();
    assert!(
        run.stdout.contains(&format!(
            "read {sheets} answer sheet(s) from {pages} page(s)"
        )),
        "{manifest}: {}\n{}",
        run.stdout,
        run.stderr
    );
    assert_rows_match(&read_csv(&dir.join(&format!("{out}/responses.csv"))), known);
    let graded = format!("g-{out}");
    dir.run(&[
        "grade",
        manifest,
        &format!("{out}/responses.csv"),
        "-o",
        &graded,
    ])
    .success();
    assert_eq!(
        sorted_lines(&dir.join(&format!("{graded}/scores.csv"))),
        sorted_lines(&dir.join("g-known/scores.csv")),
        "{manifest}"
    );
    run
}

#[test]
fn a_class_batch_of_two_page_sheets_scanned_shuffled_joins_and_grades_and_a_missing_page_is_refused()
 {
    let dir = Dir::new();
    let bp = blueprint(&dir, 150, 10, 0);
    dir.create(
        "class.csv",
        "学号,姓名,班级\n2025001,张喆,一班\n2025002,李堃,一班\n2025003,王赟,一班\n",
    );
    dir.run(&[
        "batch",
        &bp,
        "--roster",
        "class.csv",
        "--seed",
        "21",
        "--variants",
        "2",
        "-o",
        "class",
    ])
    .success();
    let m = manifest(&dir.join("class/manifest.json"));
    let mut rng = Rng::new(0x2a9e5);
    let mut known = Vec::new();
    let mut pages: Vec<(String, usize, GrayImage)> = Vec::new();
    for st in m["students"].as_array().unwrap() {
        let id = st["id"].as_str().unwrap().to_string();
        let label = st["variant"].as_str().unwrap().to_string();
        let geoms = crate::util::sheet_pages(&m, &label).as_array().unwrap();
        assert_eq!(geoms.len(), 2, "150 + 10 questions take two pages");
        let name = st["name"].as_str().unwrap();
        let pdf = dir.join(&format!("class/sheets/{id}-{name}.pdf"));
        assert_eq!(crate::util::pdf_pages(&pdf), 2);
        let answers = answers_for(geoms, &mut rng);
        for (k, geom) in geoms.iter().enumerate() {
            let blank = render_gray(&pdf, Some(k + 1), DPI, &dir.join(&format!("{id}-{k}")));
            pages.push((
                id.clone(),
                k + 1,
                fill_sheet(&blank, geom, None, None, &answers, PPM),
            ));
        }
        known.push((id, label, answers));
    }
    // Page 2 of the first student first, the students' pages interleaved, one page upside down.
    let order = [1, 2, 4, 0, 5, 3];
    let stack = |leave_out: Option<(&str, usize)>, rng: &mut Rng| {
        let placed: Vec<_> = order
            .iter()
            .map(|&i| &pages[i])
            .filter(|(id, k, _)| leave_out != Some((id.as_str(), *k)))
            .enumerate()
            .map(|(n, (_, _, img))| damage::whole_page(scanned(img, n == 2, rng)))
            .collect();
        damage::pdf(&placed)
    };
    std::fs::write(dir.join("all.pdf"), stack(None, &mut rng)).unwrap();
    // A batch's manifest records questions compactly: read through the library.
    let numbers: Vec<u64> =
        examgen::input::manifest::Manifest::read(&dir.join("class/manifest.json"))
            .unwrap()
            .variants[0]
            .questions
            .iter()
            .map(|q| q.number as u64)
            .collect();
    dir.create("known.csv", known_csv(&numbers, &known));

    dir.run(&["grade", "class/manifest.json", "known.csv", "-o", "g-known"])
        .success();
    let run = scan_grades_as_known(
        &dir,
        "class/manifest.json",
        "all.pdf",
        "scanned",
        (3, 6),
        &known,
    );
    assert!(run.stderr.contains("fed upside down"), "{}", run.stderr);

    // 李堃's page 2 never reached the scanner: named with its questions, and grade refuses the row.
    let page2 = &crate::util::sheet_pages(&m, &known[1].1)[1];
    let qs: Vec<u64> = page2["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["number"].as_u64().unwrap())
        .collect();
    let range = format!("{}–{}", qs[0], qs[qs.len() - 1]);
    std::fs::write(dir.join("short.pdf"), stack(Some(("2025002", 2)), &mut rng)).unwrap();
    let run = dir
        .run(&["scan", "class/manifest.json", "short.pdf", "-o", "short"])
        .success();
    let want =
        format!("2025002 李堃: page 2 of 2 of the answer sheet not scanned (questions {range})");
    assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
    let report = std::fs::read_to_string(dir.join("short/scan-report.csv")).unwrap();
    assert!(report.contains(&want), "{report}");
    let rows = read_csv(&dir.join("short/responses.csv"));
    assert_eq!(rows.len(), 4);
    let row = rows.iter().find(|r| r[0] == "2025002").unwrap();
    let col = rows[0]
        .iter()
        .position(|h| *h == qs[0].to_string())
        .unwrap();
    assert_eq!(row[col], "缺页");
    assert!(row.last().unwrap().contains("page 2 of 2 not scanned"));
    let refused = dir
        .run(&[
            "grade",
            "class/manifest.json",
            "short/responses.csv",
            "-o",
            "g-short",
        ])
        .failure(1);
    assert!(
        refused.stderr.contains(&format!(
            "questions {range} are `缺页` — their page of the answer sheet was not scanned"
        )) && refused
            .stderr
            .contains("--lenient scores them as unanswered"),
        "{}",
        refused.stderr
    );
    // --lenient grades the page as unanswered, and says so.
    let lenient = dir
        .run(&[
            "grade",
            "class/manifest.json",
            "short/responses.csv",
            "--lenient",
            "-o",
            "g-lenient",
        ])
        .success();
    assert!(lenient.stderr.contains("缺页"), "{}", lenient.stderr);
}

#[test]
fn blank_three_page_sheets_join_by_their_marked_ids_with_the_sheets_manifest_and_a_papers() {
    let dir = Dir::new();
    let bp = blueprint(&dir, 200, 60, 20);
    dir.run(&["sheet", &bp, "--seed", "8", "-o", "sheets"])
        .success();
    // The same draw's paper: its manifest records no sheet, so scan makes the blank layout anew.
    dir.run(&["paper", &bp, "--seed", "8", "-o", "paper"])
        .success();
    let m = manifest(&dir.join("sheets/manifest.json"));
    let geoms = m["variants"][0]["sheet"].as_array().unwrap().clone();
    assert_eq!(geoms.len(), 3, "280 questions take three pages");
    let blanks: Vec<GrayImage> = (0..3)
        .map(|k| {
            render_gray(
                &dir.join("sheets/sheet-A.pdf"),
                Some(k + 1),
                DPI,
                &dir.join(&format!("p{k}")),
            )
        })
        .collect();
    let mut rng = Rng::new(0x39a6e);
    let mut known = Vec::new();
    let mut pages: Vec<GrayImage> = Vec::new();
    for id in ["7301", "7302"] {
        let answers = answers_for(&geoms, &mut rng);
        for (k, geom) in geoms.iter().enumerate() {
            pages.push(fill_sheet(&blanks[k], geom, Some(id), None, &answers, PPM));
        }
        known.push((id.to_string(), "A".to_string(), answers));
    }
    // 7302's page 2 with its QR code stained: told from pages 1 and 3 by its layout.
    let qr: BoxMm = serde_json::from_value(geoms[1]["qr_code"].clone()).unwrap();
    damage::stain_qr(&mut pages[4], &qr, PPM, &mut Rng::new(77));
    // 7302's page 3, then 7301's page 2 upside down, and so on.
    let order = [5, 1, 3, 0, 4, 2];
    let placed: Vec<_> = order
        .iter()
        .enumerate()
        .map(|(n, &i)| damage::whole_page(scanned(&pages[i], n == 1, &mut rng)))
        .collect();
    std::fs::write(dir.join("blank.pdf"), damage::pdf(&placed)).unwrap();
    let numbers: Vec<u64> = m["variants"][0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["number"].as_u64().unwrap())
        .collect();
    dir.create("known.csv", known_csv(&numbers, &known));
    dir.run(&[
        "grade",
        "sheets/manifest.json",
        "known.csv",
        "-o",
        "g-known",
    ])
    .success();
    for manifest in ["sheets/manifest.json", "paper/manifest.json"] {
        let out = format!("scan-{}", manifest.split('/').next().unwrap());
        let run = scan_grades_as_known(&dir, manifest, "blank.pdf", &out, (2, 6), &known);
        assert!(
            run.stderr.contains("the QR code cannot be read"),
            "{manifest}: {}",
            run.stderr
        );
    }
}
