//! Bowed phone photos still read: examgen-shaped sheets marked with clear fills, photographed in
//! perspective through a lens with 2–4 % barrel distortion, read as meant with at most 3 % sent to a
//! person (the registration bent to the printed outlines); a flat copier scan read through the projective
//! fit alone, as before, with nothing sent to a person.

use image::GrayImage;

use super::synth::{self, Rng, Student};
use super::synth_damage as damage;
use super::*;

/// Pixels per mm the upright sheets are drawn at (8 ≈ 203 dpi).
const PPM: f32 = 8.0;

/// A sheet marked with clear fills by a random student, upright.
pub(super) fn sheet(seed: u64) -> (SheetGeometry, Student, GrayImage) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let student = synth::random_student(&geom, &mut rng);
    let text = synth::qr_text_for(&student);
    let upright = synth::render(&geom, &student, &text, PPM, seed);
    (geom, student, upright)
}

/// Every answer read as meant or sent to a person, never silently wrong; at most 3 % of the answers sent
/// to a person (the bar for clear marks); the id as meant.
pub(super) fn answers_and_id_as_meant(reading: &PageReading, student: &Student, what: &str) {
    let wrong: Vec<String> = reading
        .answers
        .iter()
        .filter(|a| !a.reading.doubtful && a.reading.letters != student.answer(a.question))
        .map(|a| {
            format!(
                "{}: {} (meant {})",
                a.question,
                a.reading.letters,
                student.answer(a.question)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{what}: silently wrong {wrong:?}");
    let flagged = reading
        .answers
        .iter()
        .filter(|a| a.reading.doubtful)
        .count();
    assert!(
        flagged * 100 <= 3 * reading.answers.len(),
        "{what}: {flagged} of {} clear fills sent to a person",
        reading.answers.len()
    );
    assert_eq!(reading.id_text(), student.id, "{what}: {:?}", reading.id);
}

/// [`answers_and_id_as_meant`], and the variant as meant.
fn reads_as_meant(reading: &PageReading, student: &Student, what: &str) {
    answers_and_id_as_meant(reading, student, what);
    let v = reading.variant.as_ref().expect("a variant row");
    assert_eq!(
        (v.letters.as_str(), v.doubtful),
        (student.variant.as_str(), false),
        "{what}"
    );
}

/// A phone photo in perspective on a desk through a lens bowing the page by `k`, noisy and JPEG'd.
fn bowed_photo(upright: &GrayImage, k: f32, seed: u64) -> GrayImage {
    let photo = damage::phone_perspective(upright, 95);
    let mut photo = damage::barrel(&photo, k, 20);
    damage::noise_and_blur(&mut photo, &mut Rng::new(seed), true);
    synth::jpeg_round_trip(&photo, 85)
}

#[test]
fn a_phone_photo_bowed_by_its_lens_reads_as_meant() {
    for (seed, k) in [
        (2301u64, 0.025f32),
        (2302, 0.03),
        (2303, 0.04),
        (2304, 0.04),
    ] {
        let (geom, student, upright) = sheet(seed);
        let photo = bowed_photo(&upright, k, seed);
        let what = format!("seed {seed}, barrel {k}");
        let reading = read_page(&photo, &geom).unwrap_or_else(|e| panic!("{what}: {e}"));
        reads_as_meant(&reading, &student, &what);
    }
}

#[test]
fn a_flat_scan_reads_through_the_projective_fit_alone() {
    for (seed, degrees) in [(2311u64, 0.0f32), (2312, 1.5), (2313, -2.5)] {
        let (geom, student, upright) = sheet(seed);
        let scan = damage::copier(&upright, degrees, (0.0, 0.0), seed);
        let what = format!("seed {seed}, turned {degrees}°");
        let reading = read_page(&scan, &geom).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(reading.registration.to_image.bend.is_none(), "{what}");
        reads_as_meant(&reading, &student, &what);
        assert_eq!(reading.doubtful_count(), 0, "{what}");
    }
}

/// A shaken phone photo is no bowed one: its blurred outlines can pull the anchors' search a few tenths
/// of a millimetre along the blur, and a bend fitted to that put boxes beside their printed lines that the
/// plain fit had on them (the third field check's `phone-shake`: a page whose fills read right went to a
/// person whole). The plain fit is kept: a mild shake reads as meant; a hard one (1.5 mm across, seed 2332,
/// which bent without the check that the bend puts more boxes on their lines: 96 boxes doubtful against
/// 67) sends boxes to a person but reads none wrong.
#[test]
fn a_shaken_phone_photo_keeps_its_plain_fit() {
    for (seed, length, degrees) in [
        (2321u64, 5u32, 20.0f32),
        (2322, 7, 70.0),
        (2323, 9, 135.0),
        (2332, 12, 0.0),
    ] {
        let (geom, student, upright) = sheet(seed);
        let photo = damage::phone_perspective(&upright, 95);
        let mut photo = damage::motion_blur(&photo, length, degrees);
        damage::noise_and_blur(&mut photo, &mut Rng::new(seed), false);
        let photo = synth::jpeg_round_trip(&photo, 85);
        let what = format!("seed {seed}, shaken {length} px at {degrees}°");
        let reading = read_page(&photo, &geom).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(reading.registration.to_image.bend.is_none(), "{what}: bent");
        if length <= 9 {
            reads_as_meant(&reading, &student, &what);
        } else {
            let wrong = reading
                .answers
                .iter()
                .filter(|a| !a.reading.doubtful && a.reading.letters != student.answer(a.question))
                .count();
            assert_eq!(wrong, 0, "{what}");
        }
    }
}
