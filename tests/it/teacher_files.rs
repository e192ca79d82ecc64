//! Issue #25, teachers' files as they are: phone photos whose pixels lie sideways with an EXIF Orientation
//! tag (made here as a phone makes them: pixels turned, the tag written into an APP1 segment), Windows copy
//! names with spaces and parentheses, `\|` in table cells, options such as `C:\Windows` — printed upright
//! and as typed in the PDF (read back with lopdf and pdftotext), in Word and in Moodle XML, and the
//! refusals that remain located at file:line:col.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::util::Dir;

/// The upright picture a phone saw: 300×450 (portrait), its quadrants red, green, blue and white from the
/// top left, so a turned or mirrored print is told from an upright one by its corners.
fn upright_scene() -> image::RgbImage {
    image::RgbImage::from_fn(300, 450, |x, y| {
        let colour = match (x < 150, y < 225) {
            (true, true) => [220, 20, 20],
            (false, true) => [20, 200, 20],
            (true, false) => [20, 20, 220],
            (false, false) => [250, 250, 250],
        };
        image::Rgb(colour)
    })
}

/// The pixels a phone stores for `scene` with EXIF `orientation`: turned so that applying the tag gives
/// the scene back (2, 3, 4, 5 and 7 are their own inverses; 6 and 8 are each other's).
fn stored_pixels(scene: &image::RgbImage, orientation: u8) -> image::RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate90, rotate180, rotate270};
    match orientation {
        1 => scene.clone(),
        2 => flip_horizontal(scene),
        3 => rotate180(scene),
        4 => flip_vertical(scene),
        5 => flip_horizontal(&rotate90(scene)),
        6 => rotate270(scene),
        7 => flip_horizontal(&rotate270(scene)),
        8 => rotate90(scene),
        _ => unreachable!(),
    }
}

/// An APP1 Exif segment holding one IFD entry, Orientation (tag 0x0112, SHORT), big-endian as many
/// phones write it.
fn exif_segment(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a");
    tiff.extend_from_slice(&8u32.to_be_bytes()); // the IFD follows the header
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&[0, orientation, 0, 0]); // the value, left-justified in four bytes
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

/// A phone photo of `scene`: its pixels stored turned, encoded as JPEG, the Exif segment right after SOI.
pub(crate) fn phone_jpeg(scene: &image::RgbImage, orientation: u8) -> Vec<u8> {
    let stored = stored_pixels(scene, orientation);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode(
            stored.as_raw(),
            stored.width(),
            stored.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_segment(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Whether decoded pixels show the scene upright: each quadrant's centre in its colour.
#[track_caller]
fn assert_upright(img: &image::RgbImage, what: &str) {
    let (w, h) = (img.width(), img.height());
    assert!(h > w, "{what}: {w}×{h} is not portrait");
    let near = |p: [u8; 3], q: [u8; 3]| p.iter().zip(q).all(|(a, b)| a.abs_diff(b) < 40);
    for (fx, fy, colour) in [
        (0.25, 0.25, [220, 20, 20]),
        (0.75, 0.25, [20, 200, 20]),
        (0.25, 0.75, [20, 20, 220]),
        (0.75, 0.75, [250, 250, 250]),
    ] {
        let p = img
            .get_pixel((w as f32 * fx) as u32, (h as f32 * fy) as u32)
            .0;
        assert!(
            near(p, colour),
            "{what}: at ({fx}, {fy}) {p:?}, expected {colour:?}"
        );
    }
}

const SECTION: &str = r#"section:
  id: files
  title: 教师的文件
questions:
  - id: photo-1
    type: judge
    stem: |
      正着拍的照片：
      ![照片1](img/phone-1.jpg){width=30mm}
      照片正放。
    answer: true
  - id: photo-3
    type: judge
    stem: |
      倒着拍的照片：
      ![照片3](img/phone-3.jpg){width=30mm}
      照片正放。
    answer: true
  - id: photo-6
    type: judge
    stem: |
      竖着拍的照片：
      ![照片6](img/phone-6.jpg){width=30mm}
      照片正放。
    answer: true
  - id: photo-8
    type: judge
    stem: |
      反着竖拍的照片：
      ![照片8](img/phone-8.jpg){width=30mm}
      照片正放。
    answer: true
  - id: copy-001
    type: judge
    stem: |
      Windows 复制出的文件：
      ![副本](img/我的 图片 (1).png){width=2cm}
      ![副本](<img/我的 图片 (1).png>){width=20mm}
      文件名带空格和括号。
    answer: true
  - id: pipe-001
    type: judge
    stem: |
      下表中的竖线：
      | 写法 | 读作 |
      |---|---|
      | a\|b | P(A\|B) |
      表格里可以写竖线。
    answer: true
  - id: path-001
    type: single
    stem: Windows 系统文件夹的路径是（　）。
    options:
      - 'C:\Windows'
      - 'D:\Data'
      - 'E:\Temp'
      - 'C:\d #2'
    answer: A
  - id: label-001
    type: single
    stem: 社区服务的内容不包括（　）。
    options: ["社区养老", "社区助残", "社区托幼", "C: 工厂生产"]
    answer: D
"#;

const BLUEPRINT: &str = "title: 教师文件测试卷\nduration: 20\nbank: ..\nparts:\n  - title: 单项选择题\n    type: single\n    count: 2\n    points: 2\n  - title: 判断题\n    type: judge\n    count: 6\n    points: 1\n";

/// The bank of the issue: four phone photos (orientations 1, 3, 6, 8), a Windows copy name, a table with
/// `\|`, and options that look like labels but are content.
fn teacher_bank(dir: &Dir) -> PathBuf {
    let scene = upright_scene();
    for o in [1, 3, 6, 8] {
        dir.create(&format!("bank/img/phone-{o}.jpg"), phone_jpeg(&scene, o));
    }
    let mut copy = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        240,
        120,
        image::Rgb([30, 90, 160]),
    ))
    .write_to(
        &mut std::io::Cursor::new(&mut copy),
        image::ImageFormat::Png,
    )
    .unwrap();
    dir.create("bank/img/我的 图片 (1).png", copy);
    dir.create("bank/files.yaml", SECTION);
    dir.create("bank/exams/all.yaml", BLUEPRINT);
    dir.join("bank")
}

/// An affine matrix [a b c d e f] as PDF's `cm` takes it.
type Matrix = [f64; 6];

fn concat(m: Matrix, ctm: Matrix) -> Matrix {
    [
        m[0] * ctm[0] + m[1] * ctm[2],
        m[0] * ctm[1] + m[1] * ctm[3],
        m[2] * ctm[0] + m[3] * ctm[2],
        m[2] * ctm[1] + m[3] * ctm[3],
        m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
        m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
    ]
}

/// Every image a PDF draws: the matrix it is drawn with (its printed box), and its stream's dictionary
/// values and bytes.
struct Drawn {
    matrix: Matrix,
    width: i64,
    height: i64,
    filter: String,
    bytes: Vec<u8>,
}

fn drawn_images(pdf: &Path) -> Vec<Drawn> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut out = Vec::new();
    for (_, page) in doc.get_pages() {
        // Resources inline in the page or referenced (from it or a parent): the first with XObjects.
        let (inline, referenced) = doc.get_page_resources(page).unwrap();
        let Some(xobjects) = inline
            .into_iter()
            .chain(
                referenced
                    .iter()
                    .filter_map(|id| doc.get_dictionary(*id).ok()),
            )
            .find_map(|r| match r.get(b"XObject").ok()? {
                lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok(),
                lopdf::Object::Dictionary(d) => Some(d),
                _ => None,
            })
        else {
            continue;
        };
        let content = doc.get_and_decode_page_content(page).unwrap();
        let mut ctm: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let mut stack = Vec::new();
        for op in content.operations {
            match op.operator.as_str() {
                "q" => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(ctm),
                "cm" => {
                    let m: Vec<f64> = op
                        .operands
                        .iter()
                        .map(|o| o.as_float().map(f64::from).unwrap())
                        .collect();
                    ctm = concat([m[0], m[1], m[2], m[3], m[4], m[5]], ctm);
                }
                "Do" => {
                    let name = op.operands[0].as_name().unwrap();
                    let id = xobjects.get(name).unwrap().as_reference().unwrap();
                    let stream = doc.get_object(id).unwrap().as_stream().unwrap();
                    if stream.dict.get(b"Subtype").unwrap().as_name().unwrap() != b"Image" {
                        continue;
                    }
                    let filter = stream
                        .dict
                        .get(b"Filter")
                        .ok()
                        .and_then(|f| f.as_name().ok())
                        .map(|f| String::from_utf8_lossy(f).to_string())
                        .unwrap_or_default();
                    out.push(Drawn {
                        matrix: ctm,
                        width: stream.dict.get(b"Width").unwrap().as_i64().unwrap(),
                        height: stream.dict.get(b"Height").unwrap().as_i64().unwrap(),
                        bytes: if filter == "DCTDecode" {
                            stream.content.clone()
                        } else {
                            stream.decompressed_content().unwrap_or_default()
                        },
                        filter,
                    });
                }
                _ => {}
            }
        }
    }
    out
}

/// Every file of a .docx package by name.

/// Each Word drawing's extent (cx, cy in EMU) and the media file it shows.
fn word_drawings(docx: &Path) -> Vec<(u64, u64, Vec<u8>)> {
    let parts = crate::util::docx_parts(docx);
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let rels = String::from_utf8(parts["word/_rels/document.xml.rels"].clone()).unwrap();
    let rels = roxmltree::Document::parse(&rels).unwrap();
    let target = |id: &str| -> String {
        rels.descendants()
            .find(|n| n.attribute("Id") == Some(id))
            .and_then(|n| n.attribute("Target"))
            .unwrap()
            .to_string()
    };
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "inline")
        .map(|inline| {
            let extent = inline
                .children()
                .find(|c| c.tag_name().name() == "extent")
                .unwrap();
            let blip = inline
                .descendants()
                .find(|c| c.tag_name().name() == "blip")
                .unwrap();
            let id = blip
                .attributes()
                .find(|a| a.name() == "embed")
                .unwrap()
                .value();
            let media = format!("word/{}", target(id));
            (
                extent.attribute("cx").unwrap().parse().unwrap(),
                extent.attribute("cy").unwrap().parse().unwrap(),
                parts[&media].clone(),
            )
        })
        .collect()
}

#[test]
fn every_exif_orientation_reads_upright_at_its_turned_size() {
    let dir = Dir::new();
    let scene = upright_scene();
    let images = examgen::input::images::Images::new();
    for o in 1..=8u8 {
        let path = dir.create(&format!("p{o}.jpg"), phone_jpeg(&scene, o));
        let picture = images.get(&path).unwrap();
        assert_eq!(picture.orientation, o);
        assert_eq!(
            (picture.width, picture.height),
            (300.0, 450.0),
            "orientation {o}"
        );
        assert_upright(
            &picture.upright().unwrap().to_rgb8(),
            &format!("orientation {o}"),
        );
        let packaged = image::load_from_memory(&picture.upright_bytes().unwrap()).unwrap();
        assert_upright(&packaged.to_rgb8(), &format!("packaged orientation {o}"));
        // Only a turned file is encoded again; an upright one is packaged as it is.
        let same = picture.upright_bytes().unwrap().as_ref() == std::fs::read(&path).unwrap();
        assert_eq!(same, o == 1, "orientation {o}");
    }
    assert_eq!(images.turned().len(), 7);
}

#[test]
fn a_teachers_files_check_clean_and_print_upright_as_typed_in_pdf_and_word() {
    let dir = Dir::new();
    teacher_bank(&dir);
    // No refusal and no warning: paths with spaces and parentheses are found, `\|` is a pipe, and
    // options that merely start like a label are content.
    let run = dir.run(&["check", "bank"]).success();
    assert!(
        run.stdout.contains("no errors, 0 warnings"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("EXIF"), "{}", run.stderr);
    // Under --verbose check says which photos it turned, and how.
    let run = dir.run(&["check", "bank", "--verbose"]).success();
    for (o, how) in [
        (3, "turned 180°"),
        (6, "turned 90° clockwise"),
        (8, "turned 90° anticlockwise"),
    ] {
        assert!(
            run.stderr
                .contains(&format!("phone-{o}.jpg: EXIF orientation {o}, {how} to print upright (300×450 pixels as printed)")),
            "{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("phone-1.jpg"), "{}", run.stderr);

    dir.run(&[
        "paper",
        "bank/exams/all.yaml",
        "--seed",
        "7",
        "-o",
        "out",
        "--format",
        "pdf,docx",
    ])
    .success();

    // PDF: each photo drawn upright — a portrait box (the image matrix 30 mm wide, 45 mm high, not
    // turned or mirrored) around portrait pixels whose corners are the scene's.
    let pdf = dir.join("out/paper-A.pdf");
    let drawn = drawn_images(&pdf);
    let photos: Vec<&Drawn> = drawn.iter().filter(|d| d.filter == "DCTDecode").collect();
    assert_eq!(photos.len(), 4, "the four photos as JPEG images");
    let mm = 72.0 / 25.4;
    for (i, photo) in photos.iter().enumerate() {
        let [a, b, c, d, _, _] = photo.matrix;
        assert!(
            b.abs() < 1e-3 && c.abs() < 1e-3,
            "photo {i} drawn turned: {:?}",
            photo.matrix
        );
        assert!((a - 30.0 * mm).abs() < 0.5, "photo {i}: {:?}", photo.matrix);
        assert!((d - 45.0 * mm).abs() < 0.5, "photo {i}: {:?}", photo.matrix);
        assert_eq!((photo.width, photo.height), (300, 450));
        let pixels = image::load_from_memory(&photo.bytes).unwrap().to_rgb8();
        assert_upright(&pixels, &format!("PDF photo {i}"));
    }
    // The Windows copy is found in both spellings (one picture, drawn twice) at 20 mm (its 240 pixels
    // downsampled to 300 dpi of that).
    let copies: Vec<&Drawn> = drawn
        .iter()
        .filter(|d| d.filter != "DCTDecode" && (d.width - 2 * d.height).abs() <= 1)
        .collect();
    let sizes: Vec<(i64, i64)> = drawn.iter().map(|d| (d.width, d.height)).collect();
    assert_eq!(copies.len(), 2, "{sizes:?}");
    for copy in copies {
        assert!(
            (copy.matrix[0] - 20.0 * mm).abs() < 0.5 && (copy.matrix[3] - 10.0 * mm).abs() < 0.5
        );
    }
    let text = crate::util::tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for typed in ["a|b", "P(A|B)", r"C:\Windows", r"C:\d #2", "C: 工厂生产"] {
        assert!(text.contains(typed), "{typed} not printed:\n{text}");
    }
    assert!(!text.contains(r"\|"), "{text}");

    // Word: the same pictures, their drawings 30 × 45 mm (cx < cy: turned to portrait for 6 and 8, as
    // the PDF prints them), the media upright; an upright photo goes in as its own file.
    let docx = dir.join("out/paper-A.docx");
    let drawings = word_drawings(&docx);
    let emu = |mm: f64| mm * 36_000.0;
    let photos: Vec<_> = drawings
        .iter()
        .filter(|(_, _, media)| media.starts_with(&[0xFF, 0xD8]))
        .collect();
    assert_eq!(photos.len(), 4);
    let phone_1 = std::fs::read(dir.join("bank/img/phone-1.jpg")).unwrap();
    assert_eq!(
        photos
            .iter()
            .filter(|(_, _, media)| *media == phone_1)
            .count(),
        1,
        "the upright photo is embedded byte for byte"
    );
    for (cx, cy, media) in photos {
        assert!((*cx as f64 - emu(30.0)).abs() < 2_000.0, "{cx}");
        assert!((*cy as f64 - emu(45.0)).abs() < 2_000.0, "{cy}");
        assert_upright(
            &image::load_from_memory(media).unwrap().to_rgb8(),
            "Word photo",
        );
    }
    let xml =
        String::from_utf8(crate::util::docx_parts(&docx)["word/document.xml"].clone()).unwrap();
    for typed in [">a|b<", ">P(A|B)<", r"C:\Windows", r"C:\d #2"] {
        assert!(xml.contains(typed), "{typed} not in the Word document");
    }
}

#[test]
fn moodle_carries_photos_upright_and_pipes_in_cells_and_the_csv_round_trip_keeps_them() {
    let dir = Dir::new();
    teacher_bank(&dir);
    let xml = dir
        .run(&["export", "bank", "--format", "moodle-xml"])
        .success()
        .stdout;
    let file = |name: &str| -> Vec<u8> {
        let open = format!("<file name=\"{name}\" path=\"/\" encoding=\"base64\">");
        let at = xml
            .find(&open)
            .unwrap_or_else(|| panic!("{name} not embedded"))
            + open.len();
        let end = at + xml[at..].find("</file>").unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(&xml[at..end])
            .unwrap()
    };
    for o in [3, 6, 8] {
        let bytes = file(&format!("phone-{o}.jpg"));
        assert_upright(
            &image::load_from_memory(&bytes).unwrap().to_rgb8(),
            "Moodle photo",
        );
    }
    assert_eq!(
        file("phone-1.jpg"),
        std::fs::read(dir.join("bank/img/phone-1.jpg")).unwrap()
    );
    assert_eq!(
        file("我的 图片 (1).png"),
        std::fs::read(dir.join("bank/img/我的 图片 (1).png")).unwrap()
    );
    assert!(
        xml.contains("&lt;td&gt;a|b&lt;/td&gt;&lt;td&gt;P(A|B)&lt;/td&gt;"),
        "{xml}"
    );

    // Exported beside the section files, whose image paths the spreadsheet then names as they are.
    dir.run(&["export", "bank", "--format", "csv", "-o", "bank/bank.csv"])
        .success();
    dir.run(&["import", "bank/bank.csv", "-o", "again"])
        .success();
    dir.run(&["check", "again"]).success();
    let back = examgen::input::bank::Bank::load(&dir.join("again")).unwrap();
    let copy = back.question("copy-001").unwrap();
    assert!(
        copy.stem.source().contains(
            "![副本](img/我的 图片 (1).png){width=2cm}\n![副本](img/我的 图片 (1).png){width=20mm}"
        ),
        "{}",
        copy.stem
    );
    let pipe = back.question("pipe-001").unwrap();
    assert!(
        pipe.stem.source().contains(r"| a\|b | P(A\|B) |"),
        "{}",
        pipe.stem
    );
    let path = back.question("path-001").unwrap();
    assert_eq!(path.options[0], r"C:\Windows");
    assert_eq!(path.options[3], r"C:\d #2");
}

#[test]
fn what_still_cannot_print_is_refused_or_warned_at_its_line_and_column() {
    let dir = Dir::new();
    let mut icon = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(10, 10))
        .write_to(
            &mut std::io::Cursor::new(&mut icon),
            image::ImageFormat::Png,
        )
        .unwrap();
    dir.create("bank/img/icon.png", icon);
    // A tall strip at the full width prints only as wide as the page's height allows: sharp, no warning.
    let mut strip = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(300, 3000))
        .write_to(
            &mut std::io::Cursor::new(&mut strip),
            image::ImageFormat::Png,
        )
        .unwrap();
    dir.create("bank/img/strip.png", strip);
    dir.create(
        "bank/img/linked.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20"><rect width="40" height="20" fill="none" stroke="black"/><image width="10" height="10" xlink:href="data:image/png;base64,iVBORw0KGgo="/><image x="20" width="10" height="10" href="photo.png"/></svg>"#,
    );
    dir.create(
        "bank/s.yaml",
        "section:\n  id: s\n  title: 测试\nquestions:\n  - id: q1\n    type: judge\n    stem: |\n      图标：\n      ![图标](img/icon.png){width=100%}\n      示意：\n      ![示意](img/linked.svg){width=5cm}\n      ![示意](img\\linked.svg){width=300px}\n      说法正确。\n    answer: true\n  - id: q2\n    type: single\n    stem: 路径是（　）。\n    options: ['A：甲', 'B：乙', 'C：丙', 'C:\\d #2']\n    answer: D\n  - id: q3\n    type: judge\n    stem: \"长条 ![长条](img/strip.png){width=100%}\"\n    answer: true\n",
    );
    let run = dir.run(&["check", "bank"]).success();
    let err = &run.stderr;
    assert!(
        err.contains("s.yaml:9:7: warning: img/icon.png is 10×10 pixels and prints 170 mm wide (1 dpi): it will print blurred"),
        "{err}"
    );
    assert!(
        err.contains("s.yaml:11:7: warning: the SVG img/linked.svg shows a bitmap embedded as a data: URI, which will not print"),
        "{err}"
    );
    assert!(
        err.contains("shows the linked file photo.png, which will not print"),
        "{err}"
    );
    assert!(
        err.contains("s.yaml:12:7: warning: the image path uses `\\` between folders; it was read as img/linked.svg"),
        "{err}"
    );
    // Three options that start like labels beside one that does not: printed as typed, with a warning.
    assert!(
        err.contains(
            "s.yaml:18:15: warning: options A, B, C of question `q2` start like typed labels"
        ),
        "{err}"
    );
    assert!(!err.contains("starts with the label"), "{err}");
    // The SVG is shown twice (lines 11 and 12): each showing is warned about where it is typed.
    assert!(
        run.stdout.contains("no errors, 7 warnings"),
        "{}",
        run.stdout
    );

    // A web address or a data: URI is refused where it is typed; `C:\d #2` as option D is not.
    dir.create(
        "bank/s.yaml",
        "section:\n  id: s\n  title: 测试\nquestions:\n  - id: q1\n    type: judge\n    stem: |\n      网上的图：\n      ![图](https://example.com/a.png)\n      内嵌的图 ![图](data:image/png;base64,iVBORw0KGgo=)\n    answer: true\n  - id: q2\n    type: single\n    stem: 路径是（　）。\n    options: ['A：甲', 'B：乙', 'C：丙', 'C:\\d #2']\n    answer: D\n",
    );
    let run = dir.run(&["check", "bank"]).failure(1);
    let err = &run.stderr;
    // (Warnings wait until the errors are fixed; `C:\d #2` as option D is no error.)
    assert!(
        err.contains("s.yaml:9:7: error: the image is the web address https://example.com/a.png: examgen prints local files only"),
        "{err}"
    );
    assert!(
        err.contains(
            "s.yaml:10:12: error: the image is a data: URI: examgen prints local files only"
        ),
        "{err}"
    );
    assert!(err.contains("2 errors"), "{err}");
    assert!(!err.contains("starts with the label"), "{err}");

    // In a spreadsheet being imported, at its cell.
    dir.create(
        "q.csv",
        "题型,题干,选项A,选项B,答案\n单选,看图 ![](https://example.com/a.png)（　）,甲,乙,A\n",
    );
    let run = dir.run(&["import", "q.csv", "-o", "imported"]).failure(1);
    assert!(
        run.stderr.contains("q.csv:2:2: error: row 2: the image is the web address https://example.com/a.png: examgen prints local files only"),
        "{}",
        run.stderr
    );
}

/// A bank written on Windows names `图 (1).PNG` for the file `图 (1).png` and `Img/` for `img/`: Windows
/// opens it, so examgen does too, with a warning; a name typed with the Chinese input method's brackets
/// (`图（1）.png`) is refused with the file that is there suggested.
#[test]
fn image_names_in_another_case_print_and_near_misses_are_suggested() {
    let dir = Dir::new();
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        300,
        150,
        image::Rgb([200, 30, 30]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    dir.create("bank/img/图 (1).png", png);
    let section = |path: &str| {
        format!(
            "section:\n  id: s\n  title: 测试\nquestions:\n  - id: q1\n    type: judge\n    stem: \"看图 ![图]({path}) 说法正确。\"\n    answer: true\n"
        )
    };
    dir.create("bank/s.yaml", section("Img/图 (1).PNG"));
    dir.create(
        "bank/exams/t.yaml",
        "title: 测试\nbank: ..\nparts:\n  - title: 判断题\n    type: judge\n    count: 1\n    points: 1\n",
    );
    let run = dir.run(&["check", "bank"]).success();
    assert!(
        run.stderr.contains(
            "s.yaml:7:15: warning: the image is written `Img/图 (1).PNG` but the file is named `img/图 (1).png`"
        ),
        "{}",
        run.stderr
    );
    dir.run(&[
        "paper",
        "bank/exams/t.yaml",
        "-o",
        "out",
        "--format",
        "pdf,docx",
    ])
    .success();
    let pdf = std::fs::read(dir.join("out/paper-A.pdf")).unwrap();
    assert!(
        pdf.windows(b"/Subtype /Image".len())
            .any(|w| w == b"/Subtype /Image")
            || pdf
                .windows(b"/Subtype/Image".len())
                .any(|w| w == b"/Subtype/Image"),
        "the picture is drawn"
    );

    dir.create("bank/s.yaml", section("img/图（1）.png"));
    let run = dir.run(&["check", "bank"]).failure(1);
    assert!(
        run.stderr.contains("s.yaml:7:15: error: the image file")
            && run
                .stderr
                .contains("does not exist; did you mean `图 (1).png`, in the same folder?"),
        "{}",
        run.stderr
    );
}
