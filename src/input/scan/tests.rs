//! End-to-end tests of the reading core on fabricated scans: marked sheets put through rotation, scale,
//! perspective, noise, blur and JPEG, packed into PDFs as copiers write them, and bad input.

use std::path::Path;

use image::GrayImage;

use super::synth::{self, Distortion, Mark, Rng, Student};
use super::*;

/// Pixels per mm the upright sheets are drawn at (8 ≈ 203 dpi).
const PPM: f32 = 8.0;

/// Every clearly marked answer, the id, the variant and the QR text read exactly, nothing doubtful.
fn assert_reads_exactly(reading: &PageReading, student: &Student) {
    for a in &reading.answers {
        assert_eq!(
            (a.reading.letters.as_str(), a.reading.doubtful),
            (student.answer(a.question), false),
            "question {}: {:?}, levels {:?}",
            a.question,
            a.reading,
            reading.levels
        );
    }
    assert_eq!(reading.id_text(), student.id, "{:?}", reading.id);
    assert!(!reading.id_doubtful());
    let v = reading.variant.as_ref().unwrap();
    assert_eq!(
        (v.letters.as_str(), v.doubtful),
        (student.variant.as_str(), false)
    );
    assert_eq!(
        reading.qr_text.as_deref(),
        Some(synth::qr_text_for(student).as_str())
    );
    assert_eq!(reading.doubtful_count(), 0);
    assert!(reading.problems.is_empty(), "{:?}", reading.problems);
}

/// A fabricated scan of the mock sheet: its geometry, the student marked, the page.
pub(super) fn scan(seed: u64, d: &Distortion) -> (SheetGeometry, Student, GrayImage) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let student = synth::random_student(&geom, &mut rng);
    let upright = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, seed);
    let img = synth::distort(&upright, d, seed + 1);
    (geom, student, img)
}

#[test]
fn turned_plus_3_degrees_shifted_noisy_jpeg() {
    let (geom, student, img) = scan(1, &Distortion::turned(3.0, 1.25, (0.01, -0.008)));
    let reading = read_page(&img, &geom).unwrap();
    assert_eq!(reading.registration.quarter_turns, 0);
    assert_reads_exactly(&reading, &student);
}

#[test]
fn turned_minus_3_degrees_at_150_dpi() {
    // 8 px/mm × 0.75 = 6 px/mm ≈ 152 dpi, the lowest a copier is set to.
    let (geom, student, img) = scan(2, &Distortion::turned(-3.0, 0.75, (-0.01, 0.012)));
    let reading = read_page(&img, &geom).unwrap();
    assert_reads_exactly(&reading, &student);
}

#[test]
fn fed_upside_down() {
    let (geom, student, img) = scan(3, &Distortion::turned(181.5, 1.0, (0.0, 0.0)));
    let reading = read_page(&img, &geom).unwrap();
    assert!(reading.upside_down());
    assert_reads_exactly(&reading, &student);
}

#[test]
fn phone_photo_in_perspective_unevenly_lit_on_a_dark_desk() {
    let mut d = Distortion::turned(0.0, 1.1, (0.0, 0.0));
    // The top edge further from the camera than the bottom: a trapezoid, a little turned.
    d.corners = [(0.14, 0.07), (0.84, 0.05), (0.96, 0.95), (0.03, 0.93)];
    d.background = 60;
    d.jpeg = Some(80);
    // Lit from the top left: the far corner a third darker.
    d.shade = 0.35;
    let (geom, student, img) = scan(4, &d);
    let reading = read_page(&img, &geom).unwrap();
    assert_reads_exactly(&reading, &student);
}

#[test]
fn light_marks_and_erasures_are_read_right_or_flagged() {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(5);
    let mut student = synth::random_student(&geom, &mut rng);
    let bubble_of = |q: u32, option: &str| {
        geom.bubbles
            .iter()
            .position(|b| {
                b.meaning
                    == BubbleMeaning::Answer {
                        question: q,
                        option: option.into(),
                    }
            })
            .unwrap()
    };
    // Questions 1–8: the only mark is light. 9–16: a rubbed-out first choice beside the real one.
    // 61–64 (multiple): one of the letters rubbed out.
    let mut erased = Vec::new();
    for q in 1..=16u32 {
        let answer = student.answer(q).to_string();
        if answer.is_empty() {
            continue;
        }
        let i = bubble_of(q, &answer);
        if q <= 8 {
            student.marks.retain(|m| m.0 != i);
            student.marks.push((i, Mark::Light));
        } else {
            let other = ["A", "B", "C", "D"]
                .into_iter()
                .find(|o| *o != answer)
                .unwrap();
            student.marks.push((bubble_of(q, other), Mark::Erased));
            erased.push(q);
        }
    }
    for q in 61..=64u32 {
        let answer = student.answer(q).to_string();
        if let Some(o) = ["A", "B", "C", "D", "E"]
            .into_iter()
            .find(|o| !answer.contains(o))
        {
            student.marks.push((bubble_of(q, o), Mark::Erased));
            erased.push(q);
        }
    }
    let upright = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 5);
    let img = synth::distort(&upright, &Distortion::turned(1.5, 1.0, (0.0, 0.0)), 6);
    let reading = read_page(&img, &geom).unwrap();
    let mut flagged = 0;
    for a in &reading.answers {
        let m = student.answer(a.question);
        let touched = a.question <= 8 || erased.contains(&a.question);
        if touched {
            // Right, or left for a person — never silently wrong.
            assert!(
                a.reading.doubtful || a.reading.letters == m,
                "question {}: {:?} meant {m}",
                a.question,
                a.reading
            );
            flagged += a.reading.doubtful as usize;
        } else {
            assert_eq!(
                (a.reading.letters.as_str(), a.reading.doubtful),
                (m, false),
                "question {}",
                a.question
            );
        }
    }
    // Light marks are far enough from both populations to need a person.
    assert!(flagged >= 4, "only {flagged} flagged");
    assert_eq!(reading.id_text(), student.id);
}

#[test]
fn double_marks_and_id_columns_without_a_mark_are_doubtful() {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(7);
    let mut student = synth::random_student(&geom, &mut rng);
    // Question 2 gets a second pencil mark; id column 3 loses its mark, column 5 gets a second one.
    let second = geom
        .bubbles
        .iter()
        .position(|b| {
            matches!(&b.meaning, BubbleMeaning::Answer { question: 2, option }
                if !student.answer(2).contains(option.as_str()))
        })
        .unwrap();
    student.marks.push((second, Mark::Pencil));
    student.marks.retain(|&(i, _)| {
        !matches!(
            geom.bubbles[i].meaning,
            BubbleMeaning::IdDigit { column: 3, .. }
        )
    });
    let digit5 = student.id.as_bytes()[5] - b'0';
    let extra = geom
        .bubbles
        .iter()
        .position(|b| {
            b.meaning
                == BubbleMeaning::IdDigit {
                    column: 5,
                    digit: (digit5 + 1) % 10,
                }
        })
        .unwrap();
    student.marks.push((extra, Mark::Pencil));
    let upright = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 7);
    let img = synth::distort(&upright, &Distortion::turned(-1.0, 1.0, (0.0, 0.0)), 8);
    let reading = read_page(&img, &geom).unwrap();
    let q2 = &reading.answers[1];
    assert!(
        q2.reading.doubtful && q2.reading.letters.len() == 2,
        "{q2:?}"
    );
    assert!(reading.id[3].doubtful && reading.id[3].best.is_none());
    assert!(reading.id[5].doubtful);
    assert!(reading.id_doubtful());
    assert_eq!(reading.id_text().as_bytes()[3], b'?');
    assert_eq!(reading.doubtful_count(), 3);
}

#[test]
fn an_unmarked_sheet_reads_blank_and_not_doubtful() {
    let geom = synth::mock_geometry();
    let student = Student {
        id: String::new(),
        variant: String::new(),
        answers: Vec::new(),
        marks: Vec::new(),
    };
    let upright = synth::render(&geom, &student, "examgen:blank", PPM, 9);
    let img = synth::distort(&upright, &Distortion::turned(0.5, 1.0, (0.0, 0.0)), 10);
    let reading = read_page(&img, &geom).unwrap();
    assert!(
        reading
            .answers
            .iter()
            .all(|a| a.reading.letters.is_empty() && !a.reading.doubtful)
    );
    assert_eq!(reading.id_text(), "");
    assert_eq!(reading.doubtful_count(), 0);
    assert_eq!(reading.levels.filled, None);
    assert_eq!(reading.qr_text.as_deref(), Some("examgen:blank"));
}

#[test]
fn a_corner_cut_off_is_named() {
    let (geom, student, img) = scan(11, &Distortion::turned(0.0, 1.0, (0.0, 0.0)));
    // 20 mm cut off the right: both right marks gone, the bubbles all there — the left marks and the QR
    // code place the page.
    let (w, h) = (img.width(), img.height());
    let cut = image::imageops::crop_imm(&img, 0, 0, w - (20.0 * PPM) as u32, h).to_image();
    let reading = read_page(&cut, &geom).unwrap();
    assert_eq!(reading.registration.marks_used, 2);
    assert_eq!(reading.id_text(), student.id);
    // 60 mm cut off: questions are gone too, and are named.
    let cut = image::imageops::crop_imm(&img, 0, 0, w - (60.0 * PPM) as u32, h).to_image();
    let err = read_page(&cut, &geom).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ReadError::Cropped { .. }), "{text}");
    assert!(text.contains("question(s)"), "{text}");
}

#[test]
fn a_blank_page_and_another_layout_are_refused() {
    let blank = GrayImage::from_pixel(1700, 2400, image::Luma([240]));
    let geom = synth::mock_geometry();
    assert_eq!(read_page(&blank, &geom).unwrap_err(), ReadError::Blank);
    // The same marks, but the bubbles 4 mm lower than this sheet has them.
    let (geom, _, img) = scan(12, &Distortion::turned(0.0, 1.0, (0.0, 0.0)));
    let mut other = geom.clone();
    for b in &mut other.bubbles {
        b.area.y += 2.3;
        b.area.x += 3.1;
    }
    let err = read_page(&img, &other).unwrap_err();
    assert!(matches!(err, ReadError::NotThisSheet { .. }), "{err}");
}

#[test]
fn review_image_outlines_bubbles_by_state() {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(13);
    let mut student = synth::random_student(&geom, &mut rng);
    let light = geom
        .bubbles
        .iter()
        .position(|b| {
            matches!(&b.meaning, BubbleMeaning::Answer { question: 1, option }
                if !student.answer(1).contains(option.as_str()))
        })
        .unwrap();
    student.marks.push((light, Mark::Light));
    let meant_fill = geom
        .bubbles
        .iter()
        .position(|b| {
            matches!(&b.meaning, BubbleMeaning::Answer { question: 1, option }
                if student.answer(1).contains(option.as_str()))
        })
        .unwrap();
    let upright = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 13);
    let img = synth::distort(&upright, &Distortion::turned(2.0, 1.0, (0.0, 0.0)), 14);
    let reading = read_page(&img, &geom).unwrap();
    let picture = review_image(&img, &geom, &reading, 6.0);
    // Upright at 6 px/mm, whatever the scan's turn.
    assert_eq!(picture.dimensions(), (1260, 1782));
    // Each bubble's printed outline is dark in the picture: its top edge's middle.
    for (i, b) in geom.bubbles.iter().enumerate() {
        let (cx, _) = b.area.centre();
        let (x, y) = (cx * 6.0, b.area.y * 6.0);
        let darkest = (-3i32..=3)
            .map(|dy| picture.get_pixel(x as u32, (y as i32 + dy) as u32).0[0])
            .min()
            .unwrap();
        assert!(darkest < 200, "bubble {i}: outline {darkest}");
    }
    let outlines = review_outlines(&geom, &reading);
    assert_eq!(outlines.len(), geom.bubbles.len());
    // Question 1 is doubtful (a light mark beside its fill): its clear fill is outlined red as well.
    assert!(reading.answers[0].reading.doubtful);
    assert_eq!(reading.bubbles[meant_fill].state, BubbleState::Filled);
    assert_eq!(outlines[meant_fill].colour, review::DOUBTFUL_COLOUR);
    // The colour each bubble should have, from what the student marked (not from the reader's rule):
    // question 1's fill and its light mark red, every other mark blue, unmarked bubbles green.
    for (i, (b, o)) in geom.bubbles.iter().zip(&outlines).enumerate() {
        let marked = match &b.meaning {
            BubbleMeaning::Answer { question, option } => {
                student.answer(*question).contains(option.as_str())
            }
            BubbleMeaning::IdDigit { column, digit } => {
                student.id.as_bytes()[*column as usize] == b'0' + digit
            }
            BubbleMeaning::Variant { letter } => *letter == student.variant,
        };
        let in_question_1 = matches!(&b.meaning, BubbleMeaning::Answer { question: 1, .. });
        let colour = if i == light || (marked && in_question_1) {
            review::DOUBTFUL_COLOUR
        } else if marked {
            review::FILLED_COLOUR
        } else {
            review::EMPTY_COLOUR
        };
        assert_eq!(o.colour, colour, "bubble {i}");
        // Drawn outside the printed outline, so the mark itself stays visible.
        let inner = o.area.shrunk(o.width_mm / 2.0, o.width_mm / 2.0);
        assert!(
            inner.x < b.area.x
                && inner.y < b.area.y
                && inner.x + inner.w > b.area.x + b.area.w
                && inner.y + inner.h > b.area.y + b.area.h,
            "bubble {i}: {o:?} inside {:?}",
            b.area
        );
    }
    assert!(
        reading
            .bubbles
            .iter()
            .any(|b| b.state == BubbleState::Doubtful)
    );
}

// ---- PDF and file input ----

/// A PDF with one image XObject per page, as a copier or img2pdf writes it.
fn pdf_with_images(images: Vec<Option<lopdf::Stream>>) -> Vec<u8> {
    synth_damage::pdf_of_streams(images.into_iter().map(|img| {
        img.map(|stream| (stream, [0.0, 0.0, 595.0, 842.0]))
            .into_iter()
            .collect()
    }))
}

fn image_stream(img: &GrayImage, filter: Option<&str>, bits: i64, data: Vec<u8>) -> lopdf::Stream {
    use lopdf::{Object, dictionary};
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => img.width() as i64,
        "Height" => img.height() as i64,
        "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => bits,
    };
    if let Some(f) = filter {
        dict.set("Filter", Object::Name(f.as_bytes().to_vec()));
    }
    lopdf::Stream::new(dict, data).with_compression(false)
}

/// 1-bit rows packed MSB first, 1 = white (DeviceGray), dark below `cut`.
fn pack_bits(img: &GrayImage, cut: u8) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let row = w.div_ceil(8);
    let mut out = vec![0u8; row * h];
    for y in 0..h {
        for x in 0..w {
            if img.get_pixel(x as u32, y as u32).0[0] >= cut {
                out[y * row + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

fn g4_encode(img: &GrayImage, cut: u8) -> Vec<u8> {
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..img.height() {
        let row = (0..img.width()).map(|x| {
            if img.get_pixel(x, y).0[0] < cut {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        enc.encode_line(row, img.width() as u16).unwrap();
    }
    enc.finish().unwrap().finish()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn copier_pdf_jpeg_g4_and_flate_pages_read_back() {
    let d = Distortion {
        jpeg: None,
        ..Distortion::turned(-2.0, 1.0, (0.0, 0.0))
    };
    let (geom, s1, img1) = scan(21, &d);
    let (_, s2, img2) = scan(22, &d);
    let (_, s3, img3) = scan(23, &d);
    let (_, s4, img4) = scan(24, &d);
    // Bilevel copiers threshold the page; pencil at gray ~95 stays black at 150.
    let cut = 150;
    let mut g4_dict = image_stream(&img2, Some("CCITTFaxDecode"), 1, g4_encode(&img2, cut));
    g4_dict.dict.set(
        "DecodeParms",
        lopdf::dictionary! { "K" => -1, "Columns" => img2.width() as i64, "Rows" => img2.height() as i64 },
    );
    // img2pdf keeps a PNG's rows as they are: Flate with PNG predictors (here "Up" on every row).
    let w4 = img4.width() as usize;
    let mut rows = Vec::with_capacity(img4.as_raw().len() + img4.height() as usize);
    for (y, row) in img4.as_raw().chunks(w4).enumerate() {
        rows.push(2u8);
        for (x, &v) in row.iter().enumerate() {
            let above = if y == 0 {
                0
            } else {
                img4.as_raw()[(y - 1) * w4 + x]
            };
            rows.push(v.wrapping_sub(above));
        }
    }
    let mut flate_gray = image_stream(&img4, Some("FlateDecode"), 8, deflate(&rows));
    flate_gray.dict.set(
        "DecodeParms",
        lopdf::dictionary! { "Predictor" => 15, "Colors" => 1, "BitsPerComponent" => 8, "Columns" => w4 as i64 },
    );
    let pdf = pdf_with_images(vec![
        Some(image_stream(
            &img1,
            Some("DCTDecode"),
            8,
            synth::jpeg_bytes(&img1, 75),
        )),
        Some(g4_dict),
        Some(image_stream(
            &img3,
            Some("FlateDecode"),
            1,
            deflate(&pack_bits(&img3, cut)),
        )),
        Some(flate_gray),
        None,
        Some(image_stream(
            &img1,
            Some("DCTDecode"),
            8,
            b"not a jpeg at all".to_vec(),
        )),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.pdf");
    std::fs::write(&path, pdf).unwrap();
    let pages = load_pages(&path);
    assert_eq!(pages.len(), 6);
    for (k, student) in [(0, &s1), (1, &s2), (2, &s3), (3, &s4)] {
        let page = pages[k].as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.page, k + 1);
        let reading =
            read_page(&page.image, &geom).unwrap_or_else(|e| panic!("page {}: {e}", k + 1));
        assert_reads_exactly(&reading, student);
    }
    let no_image = pages[4].as_ref().unwrap_err();
    assert_eq!(no_image.page, Some(5));
    assert!(no_image.message.contains("no scanned image"), "{no_image}");
    let corrupt = pages[5].as_ref().unwrap_err();
    assert_eq!(corrupt.page, Some(6));
    assert!(
        corrupt
            .to_string()
            .contains("page 6: the page's JPEG image cannot be decoded"),
        "{corrupt}"
    );
}

#[test]
fn image_files_folders_and_text_files() {
    let dir = tempfile::tempdir().unwrap();
    let (geom, student, img) = scan(31, &Distortion::turned(1.0, 1.0, (0.0, 0.0)));
    img.save(dir.path().join("b-page.png")).unwrap();
    std::fs::write(dir.path().join("a-page.jpg"), synth::jpeg_bytes(&img, 85)).unwrap();
    std::fs::write(dir.path().join("c-notes.txt"), "not a scan").unwrap();
    std::fs::write(dir.path().join(".hidden"), "skipped").unwrap();
    let pages = load_pages(dir.path());
    // The text file is no scan: left out with a note, not a page.
    assert_eq!(pages.len(), 2);
    let listing = list_pages(dir.path());
    assert_eq!(listing.skipped.len(), 1);
    assert!(
        listing.skipped[0].contains("c-notes.txt"),
        "{:?}",
        listing.skipped
    );
    let names: Vec<String> = pages
        .iter()
        .map(|p| match p {
            Ok(p) => p.source.file_name().unwrap().to_string_lossy().into_owned(),
            Err(e) => e.source.file_name().unwrap().to_string_lossy().into_owned(),
        })
        .collect();
    assert_eq!(names, ["a-page.jpg", "b-page.png"]);
    for p in &pages[..2] {
        let reading = read_page(&p.as_ref().unwrap().image, &geom).unwrap();
        assert_reads_exactly(&reading, &student);
    }
    // Named on its own, it is reported.
    let txt = dir.path().join("c-notes.txt");
    let text = load_pages(&txt);
    assert_eq!(text.len(), 1);
    let text = text[0].as_ref().unwrap_err();
    assert!(text.message.contains("neither a PDF nor"), "{text}");
    let missing = load_pages(Path::new("/nonexistent/scan.pdf"));
    assert!(
        missing[0]
            .as_ref()
            .unwrap_err()
            .message
            .contains("cannot read")
    );
    let broken = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.4\n garbage").unwrap();
    let broken = load_pages(&broken);
    assert_eq!(broken.len(), 1);
    assert!(broken[0].as_ref().unwrap_err().message.contains("PDF"));
}

#[test]
fn qr_code_is_found_in_the_whole_image_too() {
    let (_, student, img) = scan(41, &Distortion::turned(-2.5, 1.0, (0.0, 0.0)));
    assert_eq!(qr::decode_whole(&img), Some(synth::qr_text_for(&student)));
    let blank = GrayImage::from_pixel(400, 500, image::Luma([240]));
    assert_eq!(qr::decode_whole(&blank), None);
}

#[test]
fn tiny_or_empty_images_are_refused_without_panicking() {
    let geom = synth::mock_geometry();
    for (w, h) in [(0, 0), (1, 1), (30, 5000), (200, 280)] {
        let img = GrayImage::from_pixel(w, h, image::Luma([250]));
        assert!(read_page(&img, &geom).is_err(), "{w}×{h}");
    }
}

#[test]
fn readings_and_pages_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PageReading>();
    send_sync::<PageImage>();
    send_sync::<PageSource>();
    send_sync::<PageProblem>();
    send_sync::<SheetGeometry>();
}

#[test]
fn a_multi_page_tiff_gives_every_page() {
    let (geom, s1, img1) = scan(51, &Distortion::turned(1.0, 1.0, (0.0, 0.0)));
    let (_, s2, img2) = scan(52, &Distortion::turned(181.0, 1.0, (0.0, 0.0)));
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut enc = tiff::encoder::TiffEncoder::new(&mut bytes).unwrap();
        for img in [&img1, &img2] {
            enc.write_image::<tiff::encoder::colortype::Gray8>(
                img.width(),
                img.height(),
                img.as_raw(),
            )
            .unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.tif");
    std::fs::write(&path, bytes.into_inner()).unwrap();
    let pages = load_pages(&path);
    assert_eq!(pages.len(), 2);
    for (k, student) in [(0, &s1), (1, &s2)] {
        let page = pages[k].as_ref().unwrap();
        assert_eq!(page.page, k + 1);
        assert_reads_exactly(&read_page(&page.image, &geom).unwrap(), student);
    }
}

#[test]
fn five_degrees_with_skew_and_an_id_shorter_than_the_grid() {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(61);
    let mut student = synth::random_student(&geom, &mut rng);
    // An 8-digit id on the 10-column grid: the last two columns stay blank and are not doubtful.
    student.id.truncate(8);
    student.marks = synth::clear_marks(&geom, &student, &mut rng);
    let upright = synth::render(&geom, &student, &synth::qr_text_for(&student), PPM, 61);
    let mut d = Distortion::turned(5.0, 1.0, (0.0, 0.0));
    // Sheared as a sheet dragged sideways through the feeder: the bottom edge 2 % further right.
    for c in &mut d.corners[2..] {
        c.0 += 0.02;
    }
    let img = synth::distort(&upright, &d, 62);
    let reading = read_page(&img, &geom).unwrap();
    assert_eq!(reading.id.len(), 10);
    assert!(
        reading.id[8..]
            .iter()
            .all(|c| !c.doubtful && c.digit.is_none())
    );
    assert_reads_exactly(&reading, &student);
}

#[test]
fn the_qr_code_is_read_before_the_layout_any_way_up_and_only_where_a_page_prints_it() {
    let (geom, student, img) = scan(61, &Distortion::turned(1.5, 1.0, (0.01, -0.01)));
    let want = synth::qr_text_for(&student);
    // Where a later page prints the code (higher up, below a shorter header): not where this page does.
    let elsewhere = BoxMm {
        y: geom.qr_code.y - 30.0,
        ..geom.qr_code
    };
    for quarters in 0..4u8 {
        let turned = super::synth_damage::quarter_turns(&img, quarters);
        let page = page::Prepared::new(&turned);
        assert_eq!(
            peek_qr(&page, &geom, &[elsewhere, geom.qr_code]).as_deref(),
            Some(want.as_str()),
            "{quarters} quarter turns"
        );
        assert_eq!(peek_qr(&page, &geom, &[elsewhere]), None, "{quarters}");
    }
    // A page without its corner marks is left to be read layout by layout.
    let blank = GrayImage::from_pixel(img.width(), img.height(), image::Luma([250]));
    assert_eq!(
        peek_qr(&page::Prepared::new(&blank), &geom, &[geom.qr_code]),
        None
    );
}
