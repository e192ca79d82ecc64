//! `examgen scan` and `grade` on sheets as they come back from a class: examgen's own sheets rendered with
//! pdftoppm, filled with known answers, then damaged (a corner torn off, folded or blackened, a stained QR
//! code, a skew clipping corner marks on an exactly A4 scan, fed sideways or upside down, a phone photo
//! stored sideways with an EXIF orientation, a PDF page of image strips) — every one must read as marked.
//! And identity: the same student twice, a doubtful id, an id not in the batch, and blank sheets scanned
//! with a batch's manifest: reported per page, refused by `grade`, `--lenient` doing what it says.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use image::{GrayImage, Luma};
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::{self, Mark, Rng};
use crate::util::{Dir, repo};

const DPI: f32 = 150.0;

fn render(pdf: &Path, out: &Path) -> GrayImage {
    let status = Command::new("pdftoppm")
        .args(["-r", &DPI.to_string(), "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftoppm (installed by .ci/run)");
    assert!(status.success());
    image::open(out.with_extension("png")).unwrap().into_luma8()
}

fn px(mm: f64) -> f32 {
    mm as f32 * DPI / 25.4
}

/// A 2B pencil fill of one bubble, drawn by the shared fabricator (its grain seeded by where the bubble is).
fn pencil(img: &mut GrayImage, b: &Value) {
    let area: BoxMm = serde_json::from_value(b["box"].clone()).unwrap();
    let mut rng = Rng::new((area.x * 1000.0) as u64 ^ ((area.y * 1000.0) as u64) << 20);
    synth::draw_mark(img, &area, Mark::Pencil, DPI / 25.4, &mut rng);
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
    let mut img = page.clone();
    for b in bubbles(geom) {
        let on = match b["kind"].as_str().unwrap() {
            "id-digit" => id.is_some_and(|id| {
                let col = b["column"].as_u64().unwrap() as usize;
                id.as_bytes().get(col).map(|c| (c - b'0') as u64) == b["digit"].as_u64()
            }),
            "variant" => variant == b["letter"].as_str(),
            _ => {
                let q = b["question"].as_u64().unwrap() as u32;
                given[&q].contains(b["option"].as_str().unwrap())
            }
        };
        if on {
            pencil(&mut img, b);
        }
    }
    img
}

fn jpeg(img: &GrayImage) -> Vec<u8> {
    synth::jpeg_bytes(img, 82)
}

/// A PDF of one page per entry, each page the given images placed by their own `cm` (x, y, w, h in
/// points), JPEG-coded.
fn pdf(pages: &[Vec<(GrayImage, [f64; 4])>]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for images in pages {
        let mut xobjects = lopdf::Dictionary::new();
        let mut content = String::new();
        for (k, (img, [x, y, w, h])) in images.iter().enumerate() {
            let id = doc.add_object(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => img.width() as i64,
                    "Height" => img.height() as i64, "ColorSpace" => "DeviceGray",
                    "BitsPerComponent" => 8, "Filter" => "DCTDecode",
                },
                jpeg(img),
            ));
            xobjects.set(format!("Im{k}").into_bytes(), id);
            content += &format!("q {w:.3} 0 0 {h:.3} {x:.3} {y:.3} cm /Im{k} Do Q\n");
        }
        let content = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => xobjects },
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn whole_page(img: GrayImage) -> Vec<(GrayImage, [f64; 4])> {
    vec![(img, [0.0, 0.0, 595.0, 842.0])]
}

/// Bilinear sample, `bed` outside the image.
fn sample(src: &GrayImage, u: f32, v: f32, bed: f32) -> u8 {
    let (w, h) = (src.width() as i64, src.height() as i64);
    let (fx, fy) = ((u - 0.5).floor(), (v - 0.5).floor());
    let (tx, ty) = (u - 0.5 - fx, v - 0.5 - fy);
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w || y >= h {
            bed
        } else {
            src.get_pixel(x as u32, y as u32).0[0] as f32
        }
    };
    let (ix, iy) = (fx as i64, fy as i64);
    let top = at(ix, iy) * (1.0 - tx) + at(ix + 1, iy) * tx;
    let bottom = at(ix, iy + 1) * (1.0 - tx) + at(ix + 1, iy + 1) * tx;
    (top * (1.0 - ty) + bottom * ty).round() as u8
}

/// Turned about the centre on a scan area exactly the page's size: corners that leave it are lost.
fn skew_exact(src: &GrayImage, deg: f32) -> GrayImage {
    let (c, s) = (deg.to_radians().cos(), deg.to_radians().sin());
    let (mx, my) = (src.width() as f32 / 2.0, src.height() as f32 / 2.0);
    GrayImage::from_fn(src.width(), src.height(), |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - mx, y as f32 + 0.5 - my);
        Luma([sample(
            src,
            mx + c * dx + s * dy,
            my - s * dx + c * dy,
            250.0,
        )])
    })
}

/// A phone photo in perspective on a dark desk, the far edge smaller.
fn phone(src: &GrayImage) -> GrayImage {
    let (mx, my) = (src.width() / 12, src.height() / 16);
    let mut desk = GrayImage::from_pixel(src.width() + 2 * mx, src.height() + 2 * my, Luma([60]));
    image::imageops::replace(&mut desk, src, mx as i64, my as i64);
    let src = &desk;
    let (w, h) = (src.width() as f32, src.height() as f32);
    GrayImage::from_fn(src.width(), src.height(), |x, y| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        let d = 1.0 - 0.1 * y / h;
        Luma([sample(
            src,
            0.92 * (x - w / 2.0) / d + w / 2.0,
            0.9 * y / d,
            60.0,
        )])
    })
}

/// A JPEG as a phone stores a portrait photo: the pixels turned a quarter counter-clockwise, EXIF
/// orientation 6 saying to turn them back for display.
fn phone_jpeg(upright: &GrayImage) -> Vec<u8> {
    let stored = image::imageops::rotate270(upright);
    let body = jpeg(&stored);
    let mut tiff: Vec<u8> = vec![
        b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
    ];
    tiff.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = body[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&body[2..]);
    out
}

fn paint(img: &mut GrayImage, x0: f32, y0: f32, x1: f32, y1: f32, v: impl Fn(u32, u32) -> u8) {
    for y in (y0.max(0.0) as u32)..(y1 as u32).min(img.height()) {
        for x in (x0.max(0.0) as u32)..(x1 as u32).min(img.width()) {
            img.put_pixel(x, y, Luma([v(x, y)]));
        }
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
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
    let v = manifest["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["label"] == variant)
        .unwrap();
    &v["sheet"][0]
}

/// Paints the triangle within `depth` pixels (along both edges) of image corner `corner` (0 top-left,
/// clockwise): a torn-off or folded-over corner.
fn corner_triangle(img: &mut GrayImage, corner: usize, depth: f32, v: impl Fn(u32, u32) -> u8) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy) = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)][corner];
    for y in 0..img.height() {
        for x in 0..img.width() {
            if (x as f32 + 0.5 - cx).abs() + (y as f32 + 0.5 - cy).abs() < depth {
                img.put_pixel(x, y, Luma([v(x, y)]));
            }
        }
    }
}

#[test]
fn damaged_sheets_of_a_class_batch_read_as_marked() {
    let dir = Dir::new();
    let quiz = repo().join("question-bank/exams/quiz.yaml");
    let ids = roster(&dir, 11);
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
    let mut truth: HashMap<String, HashMap<u32, String>> = HashMap::new();
    let mut copier_pages = Vec::new();
    let mut files = Vec::new();
    for (n, id) in ids.iter().enumerate() {
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
        let given = answers(geom, &mut rng);
        // Students mark their id on batch sheets too: what identifies a sheet whose QR code is stained.
        let mut img = fill(&page, geom, Some(id), None, &given);
        truth.insert(id.clone(), given);
        let (w, h) = (img.width() as f32, img.height() as f32);
        let mm = px(1.0);
        let qr = &geom["qr_code"];
        let q = |k: &str| px(qr[k].as_f64().unwrap());
        match n {
            // Torn off at the top left (white lid behind) and at the bottom right (black lid).
            0 => corner_triangle(&mut img, 0, 28.0 * mm, |_, _| 250),
            1 => corner_triangle(&mut img, 2, 30.0 * mm, |_, _| 18),
            // A black blot over the top-right mark; a corner folded over at the bottom left.
            2 => paint(&mut img, w - 24.0 * mm, 0.0, w, 24.0 * mm, |_, _| 15),
            3 => corner_triangle(&mut img, 3, 26.0 * mm, |_, _| 238),
            // The QR code stained: washed gray and blotted.
            6 => paint(
                &mut img,
                q("x"),
                q("y"),
                q("x") + q("w"),
                q("y") + q("h"),
                |x, y| {
                    if (x + y) % 9 < 4 { 40 } else { 130 }
                },
            ),
            _ => {}
        }
        let _ = h;
        match n {
            4 => copier_pages.push(whole_page(skew_exact(&img, 5.0))),
            5 => copier_pages.push(whole_page(skew_exact(&img, -3.5))),
            7 => {
                let name = format!("sideways-{id}.png");
                image::imageops::rotate90(&img)
                    .save(dir.join(&name))
                    .unwrap();
                files.push(name);
            }
            8 => {
                let name = format!("sideways-{id}.jpg");
                std::fs::write(dir.join(&name), jpeg(&image::imageops::rotate270(&img))).unwrap();
                files.push(name);
            }
            9 => copier_pages.push(whole_page(image::imageops::rotate180(&img))),
            10 => {
                let name = format!("IMG_{id}.jpg");
                std::fs::write(dir.join(&name), phone_jpeg(&phone(&img))).unwrap();
                files.push(name);
            }
            _ if n % 2 == 1 => {
                // An office scanner's page: five bands, each its own image.
                let bands = 5;
                let mut strips = Vec::new();
                for k in 0..bands {
                    let (y0, y1) = (img.height() * k / bands, img.height() * (k + 1) / bands);
                    let band =
                        image::imageops::crop_imm(&img, 0, y0, img.width(), y1 - y0).to_image();
                    let top = 842.0 * y0 as f64 / img.height() as f64;
                    let bh = 842.0 * (y1 - y0) as f64 / img.height() as f64;
                    strips.push((band, [0.0, 842.0 - top - bh, 595.0, bh]));
                }
                copier_pages.push(strips);
            }
            _ => copier_pages.push(whole_page(img)),
        }
    }
    std::fs::write(dir.join("copier.pdf"), pdf(&copier_pages)).unwrap();
    if let Ok(keep) = std::env::var("EXAMGEN_KEEP_SCANS") {
        crate::util::copy_tree(dir.path(), Path::new(&keep));
    }
    let mut args = vec!["scan", "class/manifest.json", "copier.pdf"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["-o", "scanned"]);
    let run = dir.run(&args).success();
    assert!(
        run.stdout
            .contains("read 11 answer sheet(s) from 11 page(s)"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stderr.contains("the QR code cannot be read")
            && run
                .stderr
                .contains(&format!("identified by the marked 准考证号 as {}", ids[6])),
        "{}",
        run.stderr
    );
    let rows = read_csv(&dir.join("scanned/responses.csv"));
    assert_eq!(rows.len(), 12, "{rows:?}");
    let header = &rows[0];
    for row in &rows[1..] {
        let given = truth
            .get(&row[0])
            .unwrap_or_else(|| panic!("an id nobody has: {row:?}"));
        assert_eq!(row[1], student_variant(&manifest, &row[0]), "{}", row[0]);
        for (c, h) in header.iter().enumerate() {
            let Ok(q) = h.parse::<u32>() else { continue };
            assert_eq!(
                row[c],
                given.get(&q).cloned().unwrap_or_default(),
                "{} question {q}",
                row[0]
            );
        }
    }
    dir.run(&[
        "grade",
        "class/manifest.json",
        "scanned/responses.csv",
        "-o",
        "grades",
    ])
    .success();
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
    let pages: Vec<_> = [p1, p2, p3, p4, p5].into_iter().map(whole_page).collect();
    std::fs::write(dir.join("stack.pdf"), pdf(&pages)).unwrap();

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
    let report = read_csv(&dir.join("scanned/scan-report.csv"));
    let problems_of =
        |page: usize| report.iter().find(|r| r[1] == page.to_string()).unwrap()[5].clone();
    assert!(problems_of(1).contains("duplicate id") && problems_of(2).contains("duplicate id"));
    assert!(problems_of(3).contains("准考证号 doubtful"));
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
    assert!(
        lenient
            .stderr
            .contains("graded from row 3, the later one; row 2 left out"),
        "{}",
        lenient.stderr
    );
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
