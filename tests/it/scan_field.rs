//! `examgen scan` and `grade` on sheets as they come back from a class: examgen's own sheets rendered with
//! pdftoppm, filled with known answers, then damaged by the shared fabricator (`synth_damage`): a corner
//! torn off, folded or blackened, a stained QR code, a skew clipping corner marks on an exactly A4 scan,
//! fed sideways or upside down, a phone photo in perspective stored turned with an EXIF orientation, a PDF
//! page of image strips, a JBIG2 and a JPEG 2000 copier page — every one must read as marked, and a page
//! whose answer area is torn away must be refused naming what is missing. And identity: the same student
//! twice, a doubtful id, an id not in the batch, and blank sheets scanned with a batch's manifest: reported
//! per page, refused by `grade`, `--lenient` doing what it says.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use image::GrayImage;
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::{self, Rng};
use crate::scan_synth::synth_damage::{self as damage, PdfImage, Placed};
use crate::util::{Dir, read_csv, repo};

const DPI: f32 = 150.0;

/// Pixels a mm on the rendered pages.
const PPM: f32 = DPI / 25.4;

/// A 2B pencil fill of one bubble (the shared fabricator's, its grain seeded by where the bubble is).
fn pencil(img: &mut GrayImage, b: &Value) {
    crate::util::pencil(img, b, PPM);
}

/// A rendered page of a one-page PDF.
fn render(pdf: &Path, out: &Path) -> GrayImage {
    crate::util::render_gray(pdf, None, DPI as u32, out)
}

fn bubbles(geom: &Value) -> &Vec<Value> {
    geom["bubbles"].as_array().unwrap()
}

/// Random answers to every choice question of a sheet: question number → letters.
fn answers(geom: &Value, rng: &mut Rng) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    for q in geom["questions"].as_array().unwrap() {
        let n = q["number"].as_u64().unwrap() as u32;
        let opts: Vec<&str> = bubbles(geom)
            .iter()
            .filter(|b| b["kind"] == "answer" && b["question"] == n)
            .map(|b| b["option"].as_str().unwrap())
            .collect();
        let given = if q["kind"] == "multiple" {
            let s: String = opts.iter().filter(|_| rng.below(2) == 0).copied().collect();
            if s.is_empty() { opts[0].to_string() } else { s }
        } else {
            opts[rng.below(opts.len())].to_string()
        };
        out.insert(n, given);
    }
    out
}

/// Marks a sheet: the id digits, the 试卷类型 letter, the answers.
fn fill(
    page: &GrayImage,
    geom: &Value,
    id: Option<&str>,
    variant: Option<&str>,
    given: &HashMap<u32, String>,
) -> GrayImage {
    crate::util::fill_sheet(page, geom, id, variant, given, PPM)
}

/// A whole page as a copier's JPEG.
fn jpeg_page(img: &GrayImage) -> Vec<Placed> {
    damage::whole_page(PdfImage::jpeg(img, 82))
}

/// The page as OpenJPEG's encoder writes it (lossy, 1:12), read back by nothing but examgen.
fn jpeg_2000(img: &GrayImage, dir: &Dir, name: &str) -> PdfImage {
    let (w, h) = img.dimensions();
    let mut pgm = format!("P5\n{w} {h}\n255\n").into_bytes();
    pgm.extend_from_slice(img.as_raw());
    let (src, out) = (
        dir.join(&format!("{name}.pgm")),
        dir.join(&format!("{name}.jp2")),
    );
    std::fs::write(&src, pgm).unwrap();
    let status = Command::new("opj_compress")
        .arg("-i")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .args(["-r", "12"])
        .output()
        .expect("opj_compress (libopenjp2-tools, installed by .ci/run)");
    assert!(status.status.success(), "{status:?}");
    PdfImage::jpx(w, h, std::fs::read(out).unwrap())
}

fn roster(dir: &Dir, n: usize) -> Vec<String> {
    let mut csv = String::from("学号,姓名,班级,座位号\n");
    let ids: Vec<String> = (0..n).map(|i| format!("2025{:04}", i + 1)).collect();
    for (i, id) in ids.iter().enumerate() {
        csv += &format!("{id},学生{},社工一班,{}\n", i + 1, i + 1);
    }
    dir.create("class.csv", csv);
    ids
}

fn student_variant(manifest: &Value, id: &str) -> String {
    manifest["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["variant"]
        .as_str()
        .unwrap()
        .to_string()
}

fn sheet_geometry<'m>(manifest: &'m Value, variant: &str) -> &'m Value {
    &crate::util::sheet_pages(manifest, variant)[0]
}

#[test]
fn identity_is_never_guessed_and_blank_sheets_read_their_own_grid_with_a_batch_manifest() {
    let dir = Dir::new();
    let quiz = repo().join("question-bank/exams/quiz.yaml");
    let quiz = quiz.to_str().unwrap();
    let ids = roster(&dir, 6);
    for (cmd, out) in [("batch", "class"), ("sheet", "blank")] {
        let mut args = vec![cmd, quiz, "--seed", "8", "--variants", "2", "-o", out];
        if cmd == "batch" {
            args.extend(["--roster", "class.csv"]);
        }
        dir.run(&args).success();
    }
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("class/manifest.json")).unwrap())
            .unwrap();
    let blank: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("blank/manifest.json")).unwrap())
            .unwrap();
    let mut rng = Rng::new(0x1d_5eed);
    let blank_page = |variant: &str| {
        render(
            &dir.join(&format!("blank/sheet-{variant}.pdf")),
            &dir.join(&format!("b-{variant}")),
        )
    };
    let personal_page = |id: &str| {
        let p = std::fs::read_dir(dir.join("class/sheets"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(id))
            .unwrap();
        render(&p, &dir.join(&format!("p-{id}")))
    };
    // 1: ids[2] on a blank sheet of the batch's variant for them, id and 试卷类型 marked.
    let v2 = student_variant(&batch, &ids[2]);
    let g_blank = sheet_geometry(&blank, &v2);
    let given2 = answers(g_blank, &mut rng);
    let p1 = fill(&blank_page(&v2), g_blank, Some(&ids[2]), Some(&v2), &given2);
    // 2: the same student's own batch sheet, scanned too (a duplicate).
    let g_personal = sheet_geometry(&batch, &v2);
    let given2b = answers(g_personal, &mut rng);
    let p2 = fill(&personal_page(&ids[2]), g_personal, None, None, &given2b);
    // 3: a blank sheet whose id has a column with two marks.
    let v3 = student_variant(&batch, &ids[3]);
    let g3 = sheet_geometry(&blank, &v3);
    let given3 = answers(g3, &mut rng);
    let mut p3 = fill(&blank_page(&v3), g3, Some(&ids[3]), Some(&v3), &given3);
    let second = bubbles(g3)
        .iter()
        .find(|b| b["kind"] == "id-digit" && b["column"] == 5 && b["digit"] == 9)
        .unwrap();
    pencil(&mut p3, second);
    // 4: a blank sheet with an id nobody in the class has.
    let g4 = sheet_geometry(&blank, "A");
    let given4 = answers(g4, &mut rng);
    let p4 = fill(&blank_page("A"), g4, Some("20259999"), Some("A"), &given4);
    // 5: a plain good sheet.
    let v5 = student_variant(&batch, &ids[5]);
    let g5 = sheet_geometry(&batch, &v5);
    let given5 = answers(g5, &mut rng);
    let p5 = fill(&personal_page(&ids[5]), g5, None, None, &given5);
    // 6: a blank sheet with its QR code stained: its 试卷类型 row names the variant, its grid the student.
    let v6 = student_variant(&batch, &ids[4]);
    let g6 = sheet_geometry(&blank, &v6);
    let given6 = answers(g6, &mut rng);
    let mut p6 = fill(&blank_page(&v6), g6, Some(&ids[4]), Some(&v6), &given6);
    let qr6: BoxMm = serde_json::from_value(g6["qr_code"].clone()).unwrap();
    damage::stain_qr(&mut p6, &qr6, PPM, &mut rng);
    // 7: the same, but no 试卷类型 marked: which of the two variants it is cannot be told.
    let g7 = sheet_geometry(&blank, "A");
    let given7 = answers(g7, &mut rng);
    let mut p7 = fill(&blank_page("A"), g7, Some(&ids[1]), None, &given7);
    damage::stain_qr(&mut p7, &qr6, PPM, &mut rng);
    let pages: Vec<_> = [p1, p2, p3, p4, p5, p6, p7].iter().map(jpeg_page).collect();
    std::fs::write(dir.join("stack.pdf"), damage::pdf(&pages)).unwrap();

    let run = dir
        .run(&["scan", "class/manifest.json", "stack.pdf", "-o", "scanned"])
        .success();
    let err = &run.stderr;
    let rows = read_csv(&dir.join("scanned/responses.csv"));
    let header = rows[0].clone();
    let col = |q: u32| header.iter().position(|h| *h == q.to_string()).unwrap();
    // The blank sheet read its own 10-column grid and 试卷类型 row, not the batch's narrower grid.
    assert_eq!(
        (rows[1][0].as_str(), rows[1][1].as_str()),
        (ids[2].as_str(), v2.as_str()),
        "{err}"
    );
    for (q, a) in &given2 {
        assert_eq!(rows[1][col(*q)], *a, "blank sheet question {q}");
    }
    assert!(err.contains(&format!("duplicate id {}", ids[2])), "{err}");
    assert!(err.contains("准考证号 doubtful"), "{err}");
    assert!(
        rows[3][0].contains('?'),
        "a doubtful id is `?`, never a guess: {:?}",
        rows[3]
    );
    assert!(err.contains("20259999 is no student of the batch"), "{err}");
    // The stained blank sheet: identified by its own marks, and said so; the one without a 试卷类型 is left
    // to a person, never guessed.
    assert!(
        err.contains(&format!(
            "read as a blank sheet of variant {v6} by its 试卷类型 row"
        )),
        "{err}"
    );
    let row6 = rows
        .iter()
        .find(|r| r[0] == ids[4])
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(row6[1], v6);
    for (q, a) in &given6 {
        assert_eq!(row6[col(*q)], *a, "stained blank sheet, question {q}");
    }
    assert!(
        err.contains("no single 试卷类型 is marked") && err.contains("enter this sheet by hand"),
        "{err}"
    );
    assert!(!rows.iter().any(|r| r[0] == ids[1]), "{rows:?}");
    let report = read_csv(&dir.join("scanned/scan-report.csv"));
    let problems_of =
        |page: usize| report.iter().find(|r| r[1] == page.to_string()).unwrap()[5].clone();
    assert!(problems_of(1).contains("duplicate id") && problems_of(2).contains("duplicate id"));
    assert!(problems_of(3).contains("准考证号 doubtful"));
    assert!(!problems_of(3).contains("no student of the batch"), "{err}");
    assert!(problems_of(4).contains("no student of the batch"));

    // grade refuses every identity problem, naming the flag that settles it.
    let graded = dir
        .run(&[
            "grade",
            "class/manifest.json",
            "scanned/responses.csv",
            "-o",
            "g",
        ])
        .failure(1);
    let e = &graded.stderr;
    assert!(e.contains("already has answers in row 2"), "{e}");
    assert!(e.contains("is doubtful"), "{e}");
    assert!(e.contains("20259999 is not a student"), "{e}");
    assert!(e.contains("--lenient grades the later row"), "{e}");
    assert!(!dir.join("g").exists());

    // --lenient does what it says: the later page of the duplicate is graded, and named.
    let lenient = dir
        .run(&[
            "grade",
            "class/manifest.json",
            "scanned/responses.csv",
            "-o",
            "g",
            "--lenient",
        ])
        .success();
    // Each warning says what was done, not what the flag would do.
    for done in [
        "graded from row 3, the later one; row 2 left out",
        "left out of the grading: look at the sheet",
        "graded anyway, as the variant its row names",
    ] {
        assert!(lenient.stderr.contains(done), "{done}: {}", lenient.stderr);
    }
    assert!(!lenient.stderr.contains("--lenient"), "{}", lenient.stderr);
    let scores = std::fs::read_to_string(dir.join("g/scores.csv")).unwrap();
    assert_eq!(
        scores.lines().filter(|l| l.starts_with(&ids[2])).count(),
        1,
        "{scores}"
    );
    assert!(
        !scores.contains('?'),
        "the doubtful id is left out: {scores}"
    );
    // The id not in the batch names its variant (its 试卷类型 row), so `--lenient` grades it, as it says.
    assert!(
        scores.lines().any(|l| l.starts_with("20259999,")),
        "{scores}"
    );
    // And the duplicate's grade is the later row's, exactly as if that row were the only one.
    let mut only_later = rows[0].join(",") + "\n";
    only_later += &rows[2].join(",");
    dir.create("later.csv", only_later + "\n");
    dir.run(&["grade", "class/manifest.json", "later.csv", "-o", "g-later"])
        .success();
    let line_of = |file: &str| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let header: Vec<String> = text
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        let rank = header.iter().position(|h| h == "rank").unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&ids[2]))
            .unwrap()
            .to_string();
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        cells.remove(rank);
        cells
    };
    assert_eq!(line_of("g/scores.csv"), line_of("g-later/scores.csv"));

    // The same blank sheet scanned with its own manifest reads the same.
    let own = dir
        .run(&[
            "scan",
            "blank/manifest.json",
            "stack.pdf",
            "-o",
            "scanned-own",
        ])
        .success();
    let rows_own = read_csv(&dir.join("scanned-own/responses.csv"));
    assert_eq!(rows_own[1][..2], rows[1][..2], "{}", own.stderr);

    // And with the manifest of the papers alone, which records no sheet: the blank layout is made anew.
    dir.run(&[
        "paper",
        quiz,
        "--seed",
        "8",
        "--variants",
        "2",
        "-o",
        "paper",
    ])
    .success();
    let with_paper = dir
        .run(&[
            "scan",
            "paper/manifest.json",
            "stack.pdf",
            "-o",
            "scanned-paper",
        ])
        .success();
    let rows_paper = read_csv(&dir.join("scanned-paper/responses.csv"));
    assert_eq!(rows_paper[1], rows[1], "{}", with_paper.stderr);
}

/// The ways a sheet comes back damaged, one student each, in this order.
const DAMAGE: &[&str] = &[
    "corner torn off, white lid",
    "corner torn off, black lid",
    "corner mark blackened",
    "corner folded over",
    "5° skew clipping marks on an exactly A4 scan",
    "-3.5° skew clipping marks on an exactly A4 scan",
    "QR code stained",
    "QR code stained and a corner torn off",
    "fed sideways (90°), PNG",
    "fed sideways (270°), JPEG",
    "fed upside down (180°), PDF",
    "phone photo in perspective, EXIF orientation 6",
    "phone photo in perspective, EXIF orientation 3",
    "phone photo in perspective, EXIF orientation 8",
    "PDF page of 5 JPEG strips",
    "PDF page of 3 raw strips",
    "JBIG2 copier page (arithmetic coded)",
    "JPEG 2000 copier page",
    "answer area torn away",
];

/// Pages that get one doubtful mark (two fills on a single choice), so their sheet goes into review.pdf:
/// the turned ones, to see them upright there.
fn doubtful_on_purpose(kind: &str) -> bool {
    kind.starts_with("fed ") || kind.starts_with("phone")
}

/// The mean gray of a box of a sheet, in mm, on a rendered review.pdf page: the picture fills the width
/// between 12 mm margins 20 mm from the top (scan_review.rs).
fn review_mean(page: &GrayImage, geom: &Value, b: &BoxMm) -> f32 {
    let ppm = page.width() as f32 / 210.0;
    let scale = 186.0 / geom["page_width_mm"].as_f64().unwrap() as f32;
    let (x0, y0) = ((12.0 + b.x * scale) * ppm, (20.0 + b.y * scale) * ppm);
    let (x1, y1) = (x0 + b.w * scale * ppm, y0 + b.h * scale * ppm);
    let (mut sum, mut n) = (0f32, 0f32);
    for y in y0 as u32..y1 as u32 {
        for x in x0 as u32..x1 as u32 {
            sum += page.get_pixel(x, y).0[0] as f32;
            n += 1.0;
        }
    }
    sum / n
}

#[test]
fn damaged_sheets_of_a_class_batch_read_as_marked() {
    let dir = Dir::new();
    let quiz = repo().join("question-bank/exams/quiz.yaml");
    let ids = roster(&dir, DAMAGE.len());
    dir.run(&[
        "batch",
        quiz.to_str().unwrap(),
        "--roster",
        "class.csv",
        "--seed",
        "5",
        "--variants",
        "2",
        "-o",
        "class",
    ])
    .success();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("class/manifest.json")).unwrap())
            .unwrap();
    let mut rng = Rng::new(0x0da3_a9e5);
    // What each student meant: `?` where they made a mark a person must look at.
    let mut truth: HashMap<String, (&str, HashMap<u32, String>)> = HashMap::new();
    let mut copier_pages = Vec::new();
    let mut files = Vec::new();
    for (id, &kind) in ids.iter().zip(DAMAGE) {
        let variant = student_variant(&manifest, id);
        let geom = sheet_geometry(&manifest, &variant);
        let pdf_path = std::fs::read_dir(dir.join("class/sheets"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(id.as_str())
            })
            .unwrap();
        let page = render(&pdf_path, &dir.join(&format!("blank-{id}")));
        let mut given = answers(geom, &mut rng);
        // Students mark their id on batch sheets too: what identifies a sheet whose QR code is stained.
        let mut img = fill(&page, geom, Some(id), None, &given);
        if doubtful_on_purpose(kind) {
            let (q, b) = bubbles(geom)
                .iter()
                .filter(|b| b["kind"] == "answer")
                .map(|b| (b["question"].as_u64().unwrap() as u32, b))
                .find(|(q, b)| {
                    let single = geom["questions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|x| x["number"] == *q && x["kind"] == "single");
                    single && !given[q].contains(b["option"].as_str().unwrap())
                })
                .unwrap();
            pencil(&mut img, b);
            given.insert(q, "?".into());
        }
        truth.insert(id.clone(), (kind, given));
        let (w, h) = img.dimensions();
        let mm = PPM;
        let qr: BoxMm = serde_json::from_value(geom["qr_code"].clone()).unwrap();
        match kind {
            "corner torn off, white lid" => {
                damage::tear_corner(&mut img, 0, 28.0 * mm, 250, &mut rng)
            }
            "corner torn off, black lid" => {
                damage::tear_corner(&mut img, 2, 30.0 * mm, 18, &mut rng)
            }
            "corner mark blackened" => {
                let side = (24.0 * mm) as u32;
                damage::blacken(&mut img, w - side, 0, w, side, &mut rng)
            }
            "corner folded over" => damage::fold_corner(&mut img, 3, 26.0 * mm),
            "QR code stained" => damage::stain_qr(&mut img, &qr, mm, &mut rng),
            "QR code stained and a corner torn off" => {
                damage::stain_qr(&mut img, &qr, mm, &mut rng);
                damage::tear_corner(&mut img, 3, 28.0 * mm, 250, &mut rng);
            }
            "answer area torn away" => {
                // The bottom third gone, both bottom corner marks with it.
                let keep = h * 2 / 3;
                img = image::imageops::crop_imm(&img, 0, 0, w, keep).to_image();
            }
            _ => {}
        }
        let mut file = |name: String, bytes: Vec<u8>| {
            std::fs::write(dir.join(&name), bytes).unwrap();
            files.push(name);
        };
        match kind {
            "5° skew clipping marks on an exactly A4 scan" => {
                copier_pages.push(jpeg_page(&damage::skew_on_exact_bed(&img, 5.0, 250)))
            }
            "-3.5° skew clipping marks on an exactly A4 scan" => {
                copier_pages.push(jpeg_page(&damage::skew_on_exact_bed(&img, -3.5, 250)))
            }
            "fed sideways (90°), PNG" => {
                let path = dir.join(&format!("sideways-{id}.png"));
                damage::quarter_turns(&img, 1).save(&path).unwrap();
                files.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
            "fed sideways (270°), JPEG" => file(
                format!("sideways-{id}.jpg"),
                synth::jpeg_bytes(&damage::quarter_turns(&img, 3), 82),
            ),
            "fed upside down (180°), PDF" => {
                copier_pages.push(jpeg_page(&damage::quarter_turns(&img, 2)))
            }
            k if k.starts_with("phone photo") => {
                let orientation: u8 = k[k.len() - 1..].parse().unwrap();
                let photo = damage::phone_perspective(&img, 60);
                let stored = damage::stored_for_orientation(&photo, orientation);
                file(
                    format!("IMG_{id}.jpg"),
                    damage::jpeg_with_exif_orientation(&stored, 85, orientation as u16),
                )
            }
            "PDF page of 5 JPEG strips" => {
                copier_pages.push(damage::strip_page(&img, 5, |b| PdfImage::jpeg(b, 82)))
            }
            "PDF page of 3 raw strips" => {
                copier_pages.push(damage::strip_page(&img, 3, PdfImage::raw))
            }
            "JBIG2 copier page (arithmetic coded)" => {
                copier_pages.push(damage::whole_page(PdfImage::jbig2_arithmetic(&img, 128)))
            }
            "JPEG 2000 copier page" => {
                copier_pages.push(damage::whole_page(jpeg_2000(&img, &dir, id)))
            }
            _ => copier_pages.push(jpeg_page(&img)),
        }
    }
    std::fs::write(dir.join("copier.pdf"), damage::pdf(&copier_pages)).unwrap();
    if let Ok(keep) = std::env::var("EXAMGEN_KEEP_SCANS") {
        crate::util::copy_tree(dir.path(), Path::new(&keep));
    }
    let mut args = vec!["scan", "class/manifest.json", "copier.pdf"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["-o", "scanned"]);
    let run = dir.run(&args).success();
    let (out, err) = (&run.stdout, &run.stderr);
    let pages = DAMAGE.len();
    assert!(
        out.contains(&format!(
            "read {} answer sheet(s) from {pages} page(s)",
            pages - 1
        )),
        "{out}\n{err}"
    );
    for (id, kind) in ids.iter().zip(DAMAGE) {
        if kind.starts_with("QR code stained") {
            assert!(
                err.contains(&format!("identified by the marked 准考证号 as {id}")),
                "{kind}: {err}"
            );
        }
    }
    assert!(err.contains("the QR code cannot be read"), "{err}");
    // The torn-away page is refused, naming the questions that are not in the image.
    let torn_away = err
        .lines()
        .find(|l| l.contains("outside the image"))
        .unwrap_or_else(|| panic!("the torn-away page is named: {err}"));
    assert!(
        torn_away.contains("question(s)") && !torn_away.contains("another sheet layout"),
        "{torn_away}"
    );

    // Every page read (but the torn-away one) has every clear mark as meant or, rarely, flagged `?` for a
    // person — never another letter, never empty; the doubtful mark made on purpose is `?`. Per kind of
    // damage: pages read, clear marks right, clear marks flagged.
    let rows = read_csv(&dir.join("scanned/responses.csv"));
    let header = &rows[0];
    let mut tally: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for row in &rows[1..] {
        let (kind, given) = truth
            .get(&row[0])
            .unwrap_or_else(|| panic!("an id nobody has: {row:?}"));
        assert_eq!(row[1], student_variant(&manifest, &row[0]), "{}", row[0]);
        let t = tally.entry(kind).or_default();
        t[0] += 1;
        for (c, h) in header.iter().enumerate() {
            let Ok(q) = h.parse::<u32>() else { continue };
            let want = given.get(&q).cloned().unwrap_or_default();
            if want == "?" {
                assert_eq!(row[c], "?", "{kind}: the two marks of question {q}");
                continue;
            }
            t[1] += 1;
            t[2] += usize::from(row[c] == want);
            t[3] += usize::from(row[c] == "?");
            assert!(
                row[c] == want || row[c] == "?",
                "{kind} ({}): question {q} read {:?}, marked {want:?}",
                row[0],
                row[c]
            );
        }
    }
    let mut all = [0usize; 4];
    for kind in DAMAGE {
        let t = tally.get(kind).copied().unwrap_or_default();
        eprintln!(
            "{kind:<48} read {}/1 page, clear marks right {}/{}, flagged {}",
            t[0], t[2], t[1], t[3]
        );
        for (a, b) in all.iter_mut().zip(t) {
            *a += b;
        }
    }
    assert_eq!(tally.len(), DAMAGE.len() - 1);
    assert!(!tally.contains_key("answer area torn away"));
    assert!(
        all[3] * 100 <= all[1] * 3,
        "{} of {} clear marks flagged",
        all[3],
        all[1]
    );

    // review.pdf: the sheets with a doubtful mark (the turned ones among them), each upright — its QR
    // code dark at the top right, the same spot turned round is paper.
    let doubtful = rows[1..]
        .iter()
        .filter(|r| r.iter().any(|c| c == "?"))
        .count();
    assert!(doubtful >= DAMAGE.iter().filter(|k| doubtful_on_purpose(k)).count());
    // review.pdf holds every page with a doubtful mark anywhere, the 准考证号 grid included (a strip seam
    // across an id bubble is doubtful there while the QR code names the student): one per such report row.
    let report = read_csv(&dir.join("scanned/scan-report.csv"));
    let doubtful_col = report[0].iter().position(|h| h == "doubtful").unwrap();
    let reviewed = report[1..]
        .iter()
        .filter(|r| r[doubtful_col].parse::<usize>().is_ok_and(|n| n > 0))
        .count();
    assert!(reviewed >= doubtful);
    let review = dir.join("scanned/review.pdf");
    assert_eq!(crate::util::pdf_pages(&review), reviewed);
    let status = Command::new("pdftoppm")
        .args(["-r", "80", "-gray", "-png"])
        .arg(&review)
        .arg(dir.join("review"))
        .status()
        .unwrap();
    assert!(status.success());
    let geom = sheet_geometry(&manifest, "A");
    let qr: BoxMm = serde_json::from_value(geom["qr_code"].clone()).unwrap();
    let (pw, ph) = (
        geom["page_width_mm"].as_f64().unwrap() as f32,
        geom["page_height_mm"].as_f64().unwrap() as f32,
    );
    let turned = BoxMm {
        x: pw - qr.x - qr.w,
        y: ph - qr.y - qr.h,
        ..qr
    };
    let digits = reviewed.to_string().len();
    for k in 1..=reviewed {
        let png = dir.join(&format!("review-{k:0digits$}.png"));
        let page = image::open(&png).unwrap().into_luma8();
        let (at_qr, opposite) = (
            review_mean(&page, geom, &qr),
            review_mean(&page, geom, &turned),
        );
        assert!(
            at_qr < 180.0 && opposite > 215.0,
            "review page {k} not upright: QR spot {at_qr}, the opposite {opposite}"
        );
    }

    // scan → grade: the doubtful cells stop it (each named), then `--lenient` grades every student read.
    let graded = dir
        .run(&[
            "grade",
            "class/manifest.json",
            "scanned/responses.csv",
            "-o",
            "grades",
        ])
        .failure(1);
    assert!(graded.stderr.contains("--lenient"), "{}", graded.stderr);
    dir.run(&[
        "grade",
        "class/manifest.json",
        "scanned/responses.csv",
        "-o",
        "grades",
        "--lenient",
    ])
    .success();
}
