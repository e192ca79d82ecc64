//! Damaged sheets still read: fabricated scans with a corner torn off, folded or blackened, a stained QR
//! code, a skew that clips corner marks on an exactly A4 scan, quarter turns, a phone photo stored
//! sideways with an EXIF orientation, a PDF page made of image strips — each read against the answers
//! the fabricated student meant, and the review picture upright.

use image::GrayImage;

use super::synth::{self, Distortion, Rng, Student};
use super::synth_damage as damage;
use super::*;

/// Pixels per mm the upright sheets are drawn at (8 ≈ 203 dpi).
const PPM: f32 = 8.0;

fn qr_text(student: &Student) -> String {
    format!(
        "EXAMGEN1|3f9a0c2d71e4b8a6|{}|1|{}",
        student.variant, student.id
    )
}

/// A marked sheet, upright, and who marked it.
fn sheet(seed: u64) -> (SheetGeometry, Student, GrayImage) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let student = synth::random_student(&geom, &mut rng);
    let upright = synth::render(&geom, &student, &qr_text(&student), PPM, seed);
    (geom, student, upright)
}

/// Through a copier: a small turn, noise, blur and JPEG.
fn copier(img: &GrayImage, degrees: f32, seed: u64) -> GrayImage {
    damage::copier(img, degrees, (0.0, 0.0), seed)
}

/// Every answer, the id and the variant exactly as the student meant, nothing doubtful.
fn reads_as_meant(reading: &PageReading, student: &Student, what: &str) {
    for a in &reading.answers {
        let meant = student.answer(a.question);
        assert_eq!(
            (a.reading.letters.as_str(), a.reading.doubtful),
            (meant, false),
            "{what}: question {} read {:?}, levels {:?}",
            a.question,
            a.reading,
            reading.levels
        );
    }
    assert_eq!(reading.id_text(), student.id, "{what}: {:?}", reading.id);
    let v = reading.variant.as_ref().unwrap();
    assert_eq!(
        (v.letters.as_str(), v.doubtful),
        (student.variant.as_str(), false),
        "{what}"
    );
    assert_eq!(reading.doubtful_count(), 0, "{what}");
}

#[test]
fn a_corner_torn_off_reads_from_the_other_three_marks() {
    for corner in 0..4 {
        let (geom, student, mut upright) = sheet(100 + corner as u64);
        let mut rng = Rng::new(7 + corner as u64);
        // 30 mm in along both edges: the mark (8–13 mm in) is gone, white or black lid behind it.
        let lid = if corner % 2 == 0 { 250 } else { 20 };
        damage::tear_corner(&mut upright, corner, 30.0 * PPM, lid, &mut rng);
        let img = copier(&upright, 1.2, 200 + corner as u64);
        let reading =
            read_page(&img, &geom).unwrap_or_else(|e| panic!("corner {corner} torn: {e}"));
        assert_eq!(reading.registration.marks_used, 3, "corner {corner}");
        reads_as_meant(&reading, &student, &format!("corner {corner} torn"));
        assert_eq!(reading.qr_text.as_deref(), Some(qr_text(&student).as_str()));
    }
}

#[test]
fn a_folded_or_blackened_corner_reads() {
    let (geom, student, mut upright) = sheet(110);
    damage::fold_corner(&mut upright, 3, 28.0 * PPM);
    let reading = read_page(&copier(&upright, -1.0, 111), &geom).unwrap();
    assert_eq!(reading.registration.marks_used, 3);
    reads_as_meant(&reading, &student, "folded bottom-left corner");

    // A black blot over the top-left mark and well past it: no "another sheet layout".
    let (geom, student, mut upright) = sheet(112);
    let mut rng = Rng::new(113);
    let side = (26.0 * PPM) as u32;
    damage::blacken(&mut upright, 0, 0, side, side, &mut rng);
    let reading = read_page(&copier(&upright, 0.7, 114), &geom)
        .unwrap_or_else(|e| panic!("blackened corner: {e}"));
    assert_eq!(reading.registration.marks_used, 3);
    reads_as_meant(&reading, &student, "blackened top-left corner");
}

#[test]
fn a_skew_that_clips_corner_marks_on_an_exactly_a4_scan_reads() {
    // Turned about the centre on a bed the page's own size, 3.5–5° clips the marks of two opposite
    // corners; the other two, checked against the bubbles and pinned by the QR code, place the page.
    for (k, degrees) in [3.5f32, 5.0, -4.2].into_iter().enumerate() {
        let (geom, student, upright) = sheet(120 + k as u64);
        let skewed = damage::skew_on_exact_bed(&upright, degrees, 250);
        let img = damage::in_place(&skewed, 130 + k as u64);
        let reading = read_page(&img, &geom).unwrap_or_else(|e| panic!("skewed {degrees}°: {e}"));
        assert!(
            reading.registration.marks_used < 4,
            "{degrees}°: a mark should be clipped"
        );
        reads_as_meant(&reading, &student, &format!("skewed {degrees}°"));
    }
}

#[test]
fn a_stained_qr_code_leaves_the_answers_read() {
    let (geom, student, mut upright) = sheet(140);
    let mut rng = Rng::new(141);
    damage::stain_qr(&mut upright, &geom.qr_code, PPM, &mut rng);
    let reading = read_page(&copier(&upright, 1.0, 142), &geom).unwrap();
    assert_eq!(reading.qr_text, None);
    assert!(
        reading.problems.iter().any(|p| p.contains("QR code")),
        "{:?}",
        reading.problems
    );
    reads_as_meant(&reading, &student, "stained QR code");
}

#[test]
fn quarter_turns_read_and_review_upright() {
    let (geom, student, upright) = sheet(150);
    let scanned = copier(&upright, 0.8, 151);
    let review_ppm = 4.0;
    for quarters in 0..4u8 {
        let img = damage::quarter_turns(&scanned, quarters);
        let reading =
            read_page(&img, &geom).unwrap_or_else(|e| panic!("{quarters} quarter turns: {e}"));
        assert_eq!(reading.registration.quarter_turns, quarters);
        reads_as_meant(&reading, &student, &format!("{quarters} quarter turns"));
        let review = review_image(&img, &geom, &reading, review_ppm);
        // Upright: portrait, the QR code dark at the top right, the same spot turned round is paper.
        assert_eq!(review.dimensions(), (840, 1188), "{quarters}");
        let mean = |b: &BoxMm| {
            let (mut sum, mut n) = (0u64, 0u64);
            for y in (b.y * review_ppm) as u32..((b.y + b.h) * review_ppm) as u32 {
                for x in (b.x * review_ppm) as u32..((b.x + b.w) * review_ppm) as u32 {
                    sum += review.get_pixel(x, y).0[0] as u64;
                    n += 1;
                }
            }
            sum / n
        };
        let qr = geom.qr_code;
        let turned = BoxMm {
            x: geom.page_width_mm - qr.x - qr.w,
            y: geom.page_height_mm - qr.y - qr.h,
            ..qr
        };
        assert!(
            mean(&qr) < 170 && mean(&turned) > 200,
            "{quarters}: QR spot {} / opposite {}",
            mean(&qr),
            mean(&turned)
        );
    }
}

#[test]
fn a_phone_photo_stored_turned_with_exif_orientation_reads_upright() {
    let (geom, student, upright) = sheet(160);
    let mut d = Distortion::turned(0.0, 1.0, (0.0, 0.0));
    d.corners = [(0.12, 0.06), (0.86, 0.04), (0.95, 0.96), (0.04, 0.93)];
    d.background = 70;
    d.shade = 0.25;
    d.jpeg = None;
    let photo = synth::distort(&upright, &d, 161);
    let dir = tempfile::tempdir().unwrap();
    // 6: held upright, the sensor landscape; 3: upside down; 8: the other way; 5: a mirrored front camera.
    for orientation in [6u8, 3, 8, 5] {
        let stored = damage::stored_for_orientation(&photo, orientation);
        let path = dir.path().join(format!("IMG_000{orientation}.jpg"));
        let jpeg = damage::jpeg_with_exif_orientation(&stored, 85, orientation as u16);
        std::fs::write(&path, jpeg).unwrap();
        let pages = load_pages(&path);
        let page = pages[0].as_ref().unwrap();
        // Shown as the phone showed it: portrait, the way it was held.
        assert_eq!(page.image.dimensions(), photo.dimensions(), "{orientation}");
        let reading = read_page(&page.image, &geom).unwrap();
        assert_eq!(reading.registration.quarter_turns, 0, "{orientation}");
        reads_as_meant(
            &reading,
            &student,
            &format!("phone photo, EXIF orientation {orientation}"),
        );
    }
}

#[test]
fn a_pdf_page_made_of_image_strips_is_put_back_together() {
    let (geom, student, upright) = sheet(170);
    let scanned = copier(&upright, -1.5, 171);
    let dir = tempfile::tempdir().unwrap();
    for (n, jpeg) in [(3u32, false), (7, true)] {
        let path = dir.path().join(format!("strips-{n}.pdf"));
        let code = |band: &GrayImage| {
            if jpeg {
                damage::PdfImage::jpeg(band, 85)
            } else {
                damage::PdfImage::raw(band)
            }
        };
        std::fs::write(&path, damage::pdf(&[damage::strip_page(&scanned, n, code)])).unwrap();
        let pages = load_pages(&path);
        assert_eq!(pages.len(), 1);
        let page = pages[0]
            .as_ref()
            .unwrap_or_else(|e| panic!("{n} strips: {e}"));
        // The page's points and the scan's pixels need not divide evenly: a pixel either way.
        let (pw, ph) = page.image.dimensions();
        assert!(
            pw.abs_diff(scanned.width()) <= 1 && ph.abs_diff(scanned.height()) <= 1,
            "{n} strips: {:?}",
            page.image.dimensions()
        );
        let reading = read_page(&page.image, &geom).unwrap_or_else(|e| panic!("{n} strips: {e}"));
        reads_as_meant(&reading, &student, &format!("{n} strips"));
    }
}

#[test]
fn an_answer_area_cut_off_is_named_not_guessed() {
    let (geom, _, upright) = sheet(180);
    let scanned = copier(&upright, 0.5, 181);
    // The bottom 40 % of the page torn away with both bottom marks and the last blocks of questions.
    let keep = scanned.height() * 60 / 100;
    let cut = image::imageops::crop_imm(&scanned, 0, 0, scanned.width(), keep).to_image();
    let err = read_page(&cut, &geom).unwrap_err().to_string();
    assert!(
        err.contains("question(s)") && err.contains("outside the image"),
        "{err}"
    );
    // A blank page says there is nothing to place.
    let blank = GrayImage::from_pixel(1700, 2400, image::Luma([240]));
    let err = read_page(&blank, &geom).unwrap_err().to_string();
    assert!(err.starts_with(BLANK_PAGE), "{err}");
}

#[test]
fn a_jbig2_copier_page_reads() {
    use lopdf::{Document, Object};
    let (geom, student, upright) = sheet(190);
    let scanned = copier(&upright, 1.1, 191);
    let dir = tempfile::tempdir().unwrap();
    // MMR (G4) coded, and arithmetic coded as most copiers write it.
    type Coder = fn(&GrayImage, u8) -> damage::PdfImage;
    let codings: [(&str, Coder); 2] = [
        ("MMR", damage::PdfImage::jbig2),
        ("arithmetic", damage::PdfImage::jbig2_arithmetic),
    ];
    let path = dir.path().join("jbig2.pdf");
    for (coding, code) in codings {
        std::fs::write(
            &path,
            damage::pdf(&[damage::whole_page(code(&scanned, 170))]),
        )
        .unwrap();
        let pages = load_pages(&path);
        let page = pages[0]
            .as_ref()
            .unwrap_or_else(|e| panic!("{coding}: {e}"));
        assert_eq!(page.image.dimensions(), scanned.dimensions(), "{coding}");
        // Black exactly where the scan was dark, white elsewhere.
        let wrong = page
            .image
            .pixels()
            .zip(scanned.pixels())
            .filter(|(got, was)| (got.0[0] == 0) != (was.0[0] < 170))
            .count();
        assert_eq!(wrong, 0, "{coding}: pixels decoded wrong");
        let reading = read_page(&page.image, &geom).unwrap();
        reads_as_meant(&reading, &student, &format!("JBIG2 page, {coding}"));
    }

    // A damaged stream names the page's image and what to do.
    let broken = b"\x00\x00\x00\x00\xff\xff\xff\xffnot a JBIG2 stream".to_vec();
    let mut doc2 = Document::load(&path).unwrap();
    for (_, obj) in doc2.objects.iter_mut() {
        if let Object::Stream(s) = obj
            && s.dict.get(b"Filter").is_ok()
        {
            s.set_content(broken.clone());
        }
    }
    let bad = dir.path().join("broken.pdf");
    doc2.save(&bad).unwrap();
    let err = load_pages(&bad)[0].as_ref().unwrap_err().to_string();
    assert!(err.contains("page 1") && err.contains("JBIG2"), "{err}");
}

#[test]
fn a_phone_photo_with_a_corner_cut_off_reads_right_or_is_refused_never_wrong() {
    // Perspective (the far edge smaller) and the top corners outside the picture: two marks left, which
    // cannot see the perspective. Either the bubble grid straightens it, or the page is refused, named.
    let (geom, student, upright) = sheet(200);
    let mut d = Distortion::turned(0.0, 1.0, (0.0, 0.0));
    d.corners = [(-0.08, -0.05), (1.08, -0.05), (0.96, 1.0), (0.04, 1.0)];
    d.background = 60;
    let img = synth::distort(&upright, &d, 201);
    match read_page(&img, &geom) {
        Ok(reading) => reads_as_meant(&reading, &student, "perspective with two marks"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("cannot be")
                    && text.contains("corner mark")
                    && !text.contains("another sheet layout"),
                "{text}"
            );
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn jpeg_2000_pages_of_another_tool_decode_as_its_reference_decoder_does() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan");
    let dir = tempfile::tempdir().unwrap();

    // Lossless JPEG 2000 of a piece of the answer sheet: exactly the pixels that went in.
    let jp2 = std::fs::read(fixtures.join("sheet-crop.jp2")).unwrap();
    let pdf = damage::pdf(&[damage::whole_page(damage::PdfImage::jpx(
        400,
        300,
        jp2.clone(),
    ))]);
    let path = dir.path().join("jpx.pdf");
    std::fs::write(&path, pdf).unwrap();
    let page = load_pages(&path).remove(0).unwrap();
    assert_eq!(page.image.dimensions(), (400, 300));
    assert_eq!(
        sha256_hex(page.image.as_raw()),
        "f32f9fe38004e5c12534a8a7150b441c06f8f1c86ab3a414f415d720feee41c2"
    );

    // A damaged JPEG 2000 stream: the page named, and what to do.
    let pdf = damage::pdf(&[damage::whole_page(damage::PdfImage::jpx(
        400,
        300,
        jp2[..40].to_vec(),
    ))]);
    let path = dir.path().join("broken-jpx.pdf");
    std::fs::write(&path, pdf).unwrap();
    let err = load_pages(&path).remove(0).unwrap_err().to_string();
    assert!(err.contains("page 1") && err.contains("JPEG 2000"), "{err}");
}
