//! `examgen scan` end to end on fabricated scans of examgen's own sheets: sheets rendered with pdftoppm,
//! bubbles marked the way students mark them (textured pencil ellipses, heavy scribbles, a few light marks
//! and erasures), pages turned, scaled, shifted, blurred, noised, JPEG-compressed, one upside down and one
//! warped like a phone photo, packed into a PDF as a copier does — then `scan` → `grade` must give the
//! scores the known answers give.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use image::GrayImage;
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::{self, Mark, Rng};
use crate::scan_synth::synth_damage::{self as damage, PdfImage};
use crate::util::{Dir, repo};

/// A sheet page rendered by pdftoppm at `dpi`, grayscale.
fn render(pdf: &Path, dpi: u32, out: &Path) -> GrayImage {
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftoppm (installed by .ci/run)");
    assert!(status.success());
    image::open(out.with_extension("png")).unwrap().into_luma8()
}

/// Marks bubble `b` (a manifest bubble) on a page rendered at `dpi`, with the shared fabricator's pencil.
fn mark(img: &mut GrayImage, b: &Value, dpi: f32, how: Mark, rng: &mut Rng) {
    let area: BoxMm = serde_json::from_value(b["box"].clone()).unwrap();
    synth::draw_mark(img, &area, how, dpi / 25.4, rng);
}

/// One fabricated student: id, variant index, the answer per question number (letters, "" = blank), and
/// the questions marked lightly or with an erasure (read right or flagged, never wrong).
struct Student {
    id: String,
    variant: usize,
    answers: BTreeMap<u32, String>,
    unsure: Vec<u32>,
}

/// Fills one sheet like a student: id digits, variant, answers; returns the marked page.
fn fill(
    page: &GrayImage,
    geom: &Value,
    s: &Student,
    label: &str,
    dpi: f32,
    rng: &mut Rng,
) -> GrayImage {
    let mut img = page.clone();
    let bubbles = geom["bubbles"].as_array().unwrap();
    for (col, d) in s.id.chars().enumerate() {
        let digit = d.to_digit(10).unwrap();
        let b = crate::util::id_bubble(geom, col, digit);
        mark(&mut img, b, dpi, Mark::Pencil, rng);
    }
    if let Some(b) = bubbles
        .iter()
        .find(|b| b["kind"] == "variant" && b["letter"] == label)
    {
        mark(&mut img, b, dpi, Mark::Pencil, rng);
    }
    for (q, letters) in &s.answers {
        let opts = crate::util::answer_bubbles(geom, *q);
        let unsure = s.unsure.contains(q);
        for (option, b) in &opts {
            let chosen = letters.contains(option.as_str());
            if chosen {
                let how = if unsure {
                    Mark::Light
                } else if rng.below(6) == 0 {
                    Mark::Scribble
                } else {
                    Mark::Pencil
                };
                mark(&mut img, b, dpi, how, rng);
            }
        }
        if unsure && letters.len() == 1 {
            // A changed mind: the first choice rubbed out beside the light final one.
            if let Some((_, b)) = opts.iter().find(|(o, _)| !letters.contains(o.as_str())) {
                mark(&mut img, b, dpi, Mark::Erased, rng);
            }
        }
    }
    img
}

/// The fabricator's seed: `default`, or `EXAMGEN_SCAN_SEED` to draw other pages (a seed sweep, e.g.
/// `for s in $(seq 1 50); do EXAMGEN_SCAN_SEED=$s cargo test --release --test it forty; done`).
fn fabricator_seed(default: u64) -> u64 {
    std::env::var("EXAMGEN_SCAN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn forty_fabricated_scans_read_back_and_grade_as_the_known_answers() {
    let dir = Dir::new();
    let blueprint = repo().join("question-bank/exams/mock.yaml");
    dir.run(&[
        "sheet",
        blueprint.to_str().unwrap(),
        "--seed",
        "11",
        "--variants",
        "2",
        "-o",
        "sheets",
    ])
    .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sheets/manifest.json")).unwrap())
            .unwrap();
    let variants = manifest["variants"].as_array().unwrap();
    let mut rng = Rng::new(fabricator_seed(0x5eed_1234_abcd));
    let dpi = 150.0;
    let pages: Vec<GrayImage> = ["A", "B"]
        .iter()
        .map(|l| {
            render(
                &dir.join(&format!("sheets/sheet-{l}.pdf")),
                dpi as u32,
                &dir.join(&format!("page-{l}")),
            )
        })
        .collect();

    // 40 students: ids 2025001…, variants alternating, random answers, some blanks; every 5th student has
    // one light mark or erasure.
    let mut students = Vec::new();
    for n in 0..40 {
        let v = n % 2;
        let geom = &variants[v]["sheet"][0];
        let mut answers = BTreeMap::new();
        for q in geom["questions"].as_array().unwrap() {
            let number = q["number"].as_u64().unwrap() as u32;
            let opts: Vec<String> = crate::util::answer_bubbles(geom, number)
                .into_iter()
                .map(|o| o.0)
                .collect();
            let given = match q["kind"].as_str().unwrap() {
                _ if rng.below(25) == 0 => String::new(),
                "multiple" => {
                    let mut s: String = opts
                        .iter()
                        .filter(|_| rng.below(2) == 0)
                        .map(String::as_str)
                        .collect();
                    if s.is_empty() {
                        s = opts[0].clone();
                    }
                    s
                }
                _ => opts[rng.below(opts.len())].clone(),
            };
            answers.insert(number, given);
        }
        let unsure = if n % 5 == 2 {
            vec![1 + rng.below(60) as u32]
        } else {
            Vec::new()
        };
        if let Some(q) = unsure.first() {
            // The light mark is on a single-choice question that has an answer.
            let opts: Vec<String> = crate::util::answer_bubbles(geom, *q)
                .into_iter()
                .map(|o| o.0)
                .collect();
            answers.insert(*q, opts[rng.below(opts.len())].clone());
        }
        students.push(Student {
            id: format!("2025{:03}", n + 1),
            variant: v,
            answers,
            unsure,
        });
    }

    // The known answers, as a teacher would type them, for the reference grading.
    let numbers: Vec<u64> = variants[0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["number"].as_u64().unwrap())
        .collect();
    let mut known = format!(
        "id,variant,{}\n",
        numbers
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    for s in &students {
        let cells: Vec<String> = numbers
            .iter()
            .map(|n| s.answers.get(&(*n as u32)).cloned().unwrap_or_default())
            .collect();
        known += &format!("{},{},{}\n", s.id, ["A", "B"][s.variant], cells.join(","));
    }
    dir.create("known.csv", known);

    // Fabricate: most pages into one copier PDF; one at 300 dpi, one upside down, one phone photo as
    // files of their own.
    let mut copier = Vec::new();
    for (n, s) in students.iter().enumerate() {
        let label = ["A", "B"][s.variant];
        let geom = &variants[s.variant]["sheet"][0];
        let filled = fill(&pages[s.variant], geom, s, label, dpi, &mut rng);
        let filled = damage::on_bed(&filled, 250);
        let mut scanned = match n {
            7 => damage::quarter_turns(&filled, 2),
            13 => damage::phone_perspective(&filled, 60),
            _ => damage::turned(
                &filled,
                rng.range(-3.0, 3.0),
                rng.range(0.97, 1.03),
                (rng.range(-25.0, 25.0), rng.range(-25.0, 25.0)),
                250,
            ),
        };
        damage::noise_and_blur(&mut scanned, &mut rng, n % 3 == 0);
        let quality = 60 + rng.below(26) as u8;
        if n == 13 {
            std::fs::write(dir.join("phone.jpg"), synth::jpeg_bytes(&scanned, quality)).unwrap();
        } else {
            copier.push(damage::whole_page(PdfImage::jpeg(&scanned, quality)));
        }
    }
    std::fs::write(dir.join("copier.pdf"), damage::pdf(&copier)).unwrap();
    if let Ok(keep) = std::env::var("EXAMGEN_KEEP_SCANS") {
        // To look at the fabricated pages when this test fails.
        crate::util::copy_tree(dir.path(), Path::new(&keep));
    }

    let run = dir
        .run(&[
            "scan",
            "sheets/manifest.json",
            "copier.pdf",
            "phone.jpg",
            "-o",
            "scanned",
        ])
        .success();
    assert!(
        run.stdout
            .contains("read 40 answer sheet(s) from 40 page(s)"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains("fed upside down"),
        "the upside-down page is read and said: {}",
        run.stderr
    );

    // Every clear mark exactly; light and erased marks right or `?`; ids and variants all match.
    let rows = read_csv(&dir.join("scanned/responses.csv"));
    let header = &rows[0];
    assert_eq!(header[0], "id");
    assert_eq!(header.last().unwrap(), "note");
    assert_eq!(rows.len(), 41);
    let mut flagged = 0;
    for row in &rows[1..] {
        let s = students
            .iter()
            .find(|s| s.id == row[0])
            .unwrap_or_else(|| panic!("an id nobody has: {row:?}"));
        assert_eq!(row[1], ["A", "B"][s.variant], "variant of {}", s.id);
        for (c, h) in header.iter().enumerate().skip(2) {
            let Ok(q) = h.parse::<u32>() else { continue };
            let want = s.answers.get(&q).cloned().unwrap_or_default();
            if s.unsure.contains(&q) {
                assert!(
                    row[c] == want || row[c] == "?",
                    "{} question {q}: light mark read as {:?}, marked {want:?}",
                    s.id,
                    row[c]
                );
                flagged += usize::from(row[c] == "?");
            } else {
                assert_eq!(row[c], want, "{} question {q}", s.id);
            }
        }
    }

    // scan → grade reproduces the known scores; doubtful cells first stop grading.
    let graded_known = dir.run(&[
        "grade",
        "sheets/manifest.json",
        "known.csv",
        "-o",
        "g-known",
    ]);
    graded_known.success();
    let args = [
        "grade",
        "sheets/manifest.json",
        "scanned/responses.csv",
        "-o",
        "g-scan",
    ];
    if flagged > 0 {
        dir.run(&args).failure(1);
        // The teacher looks at review.pdf and types the answers in.
        let mut rows = rows.clone();
        for row in rows.iter_mut().skip(1) {
            let s = students.iter().find(|s| s.id == row[0]).unwrap();
            for (c, h) in header.iter().enumerate().skip(2) {
                if row[c] == "?" {
                    row[c] = s.answers[&h.parse::<u32>().unwrap()].clone();
                }
            }
        }
        let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        dir.create("scanned/responses.csv", text);
    }
    dir.run(&args).success();
    // The same lines; the phone photo was handed in last, so its row is last.
    let scores = |p: &str| {
        let mut lines: Vec<String> = std::fs::read_to_string(dir.join(p))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(scores("g-scan/scores.csv"), scores("g-known/scores.csv"));
    assert!(crate::util::pdf_pages(&dir.join("scanned/review.pdf")) >= 1);
}

#[test]
fn bad_pages_are_reported_one_by_one_and_the_rest_still_read() {
    let dir = Dir::new();
    let blueprint = repo().join("question-bank/exams/quiz.yaml");
    let bp = blueprint.to_str().unwrap();
    dir.run(&["sheet", bp, "--seed", "3", "-o", "mine"])
        .success();
    dir.run(&["sheet", bp, "--seed", "4", "-o", "theirs"])
        .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("mine/manifest.json")).unwrap())
            .unwrap();
    let geom = &manifest["variants"][0]["sheet"][0];
    let mut rng = Rng::new(99);
    let page = render(&dir.join("mine/sheet-A.pdf"), 150, &dir.join("mine-page"));
    let s = Student {
        id: "7301".into(),
        variant: 0,
        answers: BTreeMap::from([(1, "B".to_string()), (2, "C".to_string())]),
        unsure: Vec::new(),
    };
    let good = fill(&page, geom, &s, "A", 150.0, &mut rng);
    good.save(dir.join("good.png")).unwrap();
    // A corner cut off: the bottom-right quarter torn away.
    let mut torn = good.clone();
    let (w, h) = torn.dimensions();
    damage::blacken(&mut torn, w * 3 / 4, h * 3 / 4, w, h, &mut rng);
    torn.save(dir.join("torn.png")).unwrap();
    let other = render(
        &dir.join("theirs/sheet-A.pdf"),
        150,
        &dir.join("theirs-page"),
    );
    other.save(dir.join("other-exam.png")).unwrap();
    dir.create("notes.txt", "这不是扫描件");
    // A PDF with no images: examgen's own sheet, vector only.
    std::fs::copy(dir.join("mine/sheet-A.pdf"), dir.join("vector.pdf")).unwrap();

    let run = dir
        .run(&[
            "scan",
            "mine/manifest.json",
            "torn.png",
            "other-exam.png",
            "notes.txt",
            "vector.pdf",
            "good.png",
            "-o",
            "out",
        ])
        .success();
    let err = &run.stderr;
    // The torn page still reads (three corner marks place it): the same student twice.
    assert!(
        err.contains("torn.png") && err.contains("duplicate id 7301"),
        "{err}"
    );
    assert!(
        err.contains("other-exam.png") && err.contains("a sheet of another exam"),
        "{err}"
    );
    assert!(err.contains("notes.txt"), "{err}");
    assert!(err.contains("vector.pdf"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let rows = read_csv(&dir.join("out/responses.csv"));
    assert_eq!(rows.len(), 3, "the torn and the good page: {rows:?}");
    let col = |q: &str| rows[0].iter().position(|h| h == q).unwrap();
    for row in &rows[1..] {
        assert_eq!(row[0], "7301");
        assert_eq!((row[col("1")].as_str(), row[col("2")].as_str()), ("B", "C"));
    }
    let report = read_csv(&dir.join("out/scan-report.csv"));
    assert_eq!(
        report[0],
        ["file", "page", "id", "variant", "doubtful", "problems"]
    );
    assert!(report.len() >= 6, "a row per page: {report:?}");

    // Nothing readable at all is an error, and nothing is written.
    dir.run(&["scan", "mine/manifest.json", "notes.txt", "-o", "none"])
        .failure(1);
    assert!(!dir.join("none").exists());
}

#[test]
fn ticks_crosses_circles_and_light_fills_read_and_unclear_marks_go_to_a_person() {
    let dir = Dir::new();
    let blueprint = repo().join("question-bank/exams/mock.yaml");
    dir.run(&[
        "sheet",
        blueprint.to_str().unwrap(),
        "--seed",
        "11",
        "-o",
        "sheets",
    ])
    .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sheets/manifest.json")).unwrap())
            .unwrap();
    let geom = &manifest["variants"][0]["sheet"][0];
    let dpi = 200.0;
    let page = render(
        &dir.join("sheets/sheet-A.pdf"),
        dpi as u32,
        &dir.join("page"),
    );
    let mut rng = Rng::new(fabricator_seed(0xc0ffee));
    // Every question answered with a plain pencil fill but for the ones marked otherwise below.
    let s = Student {
        id: "20250042".into(),
        variant: 0,
        answers: (1..=60)
            .filter(|q| !(21..=32).contains(q))
            .map(|q| (q, ["A", "B", "C", "D"][q as usize % 4].to_string()))
            .collect(),
        unsure: Vec::new(),
    };
    let mut img = fill(&page, geom, &s, "A", dpi, &mut rng);
    let bubble = |q: u32, o: &str| {
        crate::util::answer_bubbles(geom, q)
            .into_iter()
            .find(|(x, _)| x == o)
            .map(|(_, b)| b)
            .unwrap()
    };
    // Read as marks: the only ink in their question.
    mark(&mut img, &bubble(21, "B"), dpi, Mark::Tick, &mut rng);
    mark(&mut img, &bubble(22, "C"), dpi, Mark::Cross, &mut rng);
    mark(&mut img, &bubble(23, "D"), dpi, Mark::Circle, &mut rng);
    mark(&mut img, &bubble(24, "A"), dpi, Mark::Tick, &mut rng);
    mark(&mut img, &bubble(25, "B"), dpi, Mark::Circle, &mut rng);
    mark(&mut img, &bubble(26, "A"), dpi, Mark::Cross, &mut rng);
    // A light 2B fill is a fill.
    mark(&mut img, &bubble(27, "C"), dpi, Mark::LightFill, &mut rng);
    // For a person: half a fill, a mark rubbed out and nothing else, two fills, a tick beside a fill.
    mark(&mut img, &bubble(28, "D"), dpi, Mark::Half, &mut rng);
    mark(&mut img, &bubble(29, "A"), dpi, Mark::Erased, &mut rng);
    mark(&mut img, &bubble(30, "B"), dpi, Mark::Pencil, &mut rng);
    mark(&mut img, &bubble(30, "C"), dpi, Mark::Pencil, &mut rng);
    mark(&mut img, &bubble(31, "A"), dpi, Mark::Pencil, &mut rng);
    mark(&mut img, &bubble(31, "C"), dpi, Mark::Tick, &mut rng);
    let mut scanned = damage::turned(&damage::on_bed(&img, 250), 1.2, 1.0, (6.0, -4.0), 250);
    damage::noise_and_blur(&mut scanned, &mut rng, true);
    std::fs::write(dir.join("scan.jpg"), synth::jpeg_bytes(&scanned, 80)).unwrap();

    dir.run(&["scan", "sheets/manifest.json", "scan.jpg", "-o", "out"])
        .success();
    let rows = read_csv(&dir.join("out/responses.csv"));
    let cell = |q: u32| {
        let c = rows[0].iter().position(|h| *h == q.to_string()).unwrap();
        rows[1][c].clone()
    };
    for (q, want) in [
        (21, "B"),
        (22, "C"),
        (23, "D"),
        (24, "A"),
        (25, "B"),
        (26, "A"),
        (27, "C"),
        (28, "?"),
        (29, "?"),
        (30, "?"),
        (31, "?"),
        (32, ""),
    ] {
        assert_eq!(cell(q), want, "question {q}: {:?}", rows[1].last());
    }
    for q in (1..=20).chain(33..=60) {
        assert_eq!(cell(q), s.answers[&q], "question {q}");
    }
    assert_eq!(rows[1][0], "20250042");
    assert!(crate::util::pdf_pages(&dir.join("out/review.pdf")) >= 1);
}
