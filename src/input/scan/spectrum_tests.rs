//! Screen photos told by the beat their pixel grid leaves on blank paper (see `spectrum`), whether
//! their moiré is heavy enough to mask every box's inside or light enough to leave it readable.

use super::spectrum::{SCREEN_PEAK, beat_peak, is_screen_photo};
use super::synth::{self, Expect, Mark, Rng, Student};
use super::synth_damage as damage;

/// A sheet whose answers are drawn from `styles`, rendered upright.
pub(super) fn sheet(
    seed: u64,
    styles: &[Mark],
) -> (super::SheetGeometry, Student, Vec<Expect>, image::GrayImage) {
    let geom = synth::mock_geometry();
    let mut rng = Rng::new(seed);
    let (mut student, expect) = synth::styled_student_with(&geom, &mut rng, &[Mark::Pencil]);
    for (i, m) in student.marks.iter_mut() {
        if *m == Mark::Pencil
            && matches!(
                geom.bubbles[*i].meaning,
                super::BubbleMeaning::Answer { .. }
            )
        {
            *m = styles[rng.below(styles.len())];
        }
    }
    let upright = synth::render(
        &geom,
        &student,
        &synth::qr_text_for(&student),
        synth::PPM,
        seed,
    );
    (geom, student, expect, upright)
}

/// A screen photo whose lens blurred the panel's stripes more (`sigma` px more on the photo): the
/// moiré left is lighter.
fn light_screen_photo(upright: &image::GrayImage, seed: u64, sigma: f32) -> image::GrayImage {
    let photo = damage::screen_photo(upright, &mut Rng::new(seed ^ 0x5C4E));
    if sigma > 0.0 {
        synth::jpeg_round_trip(&image::imageops::blur(&photo, sigma), 85)
    } else {
        photo
    }
}

/// A blank paper of `w` × `h` at grey 230 with a scanner's grain (± `grain`), and a beat of `period`
/// px and `depth` grey levels running at 30° (none where `depth` is 0).
fn paper(w: u32, h: u32, period: f32, depth: f32, grain: f32, seed: u64) -> image::GrayImage {
    let mut rng = Rng::new(seed);
    let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
    image::GrayImage::from_fn(w, h, |x, y| {
        let phase = (x as f32 * c + y as f32 * s) / period * std::f32::consts::TAU;
        let v = 230.0 + depth * phase.sin() + rng.range(-grain, grain);
        image::Luma([v.round().clamp(0.0, 255.0) as u8])
    })
}

/// A beat of 10 px four grey levels deep under a grain three times as strong is a screen's; the grain
/// alone has no peak, and a page too small or without any grain scores 0.
#[test]
fn a_beat_stands_out_of_paper_grain() {
    let beat = paper(600, 800, 10.0, 4.0, 12.0, 7);
    assert!(beat_peak(&beat) >= SCREEN_PEAK);
    assert!(is_screen_photo(&beat));
    assert!(beat_peak(&paper(600, 800, 10.0, 0.0, 12.0, 7)) < SCREEN_PEAK / 4.0);
    assert!(!is_screen_photo(&paper(600, 800, 10.0, 0.0, 12.0, 7)));
    assert_eq!(beat_peak(&paper(100, 100, 10.0, 4.0, 12.0, 7)), 0.0);
    let white = image::GrayImage::from_pixel(600, 800, image::Luma([255]));
    assert_eq!(beat_peak(&white), 0.0);
    assert!(!is_screen_photo(&white));
}

/// A beat under a grey level deep on paper with hardly any grain stands far over the ring's median
/// (as a resampled page drawn without grain does), yet is too faint for a screen's moiré.
#[test]
fn a_faint_beat_on_smooth_paper_is_no_screen() {
    let faint = paper(600, 800, 10.0, 0.8, 0.6, 7);
    assert!(beat_peak(&faint) >= SCREEN_PEAK);
    assert!(!is_screen_photo(&faint));
}

/// Whole sheets: photographed off a screen, with the moiré as the fabricated screen photos leave it
/// (every box's inside masked as print) or lighter (the lens blurring 1.4 px more: 81 % masked on
/// sheet 2411, under `moire::BLIND_SHARE`, as on 5 of the tuning seeds' 18 screen photos), the page is
/// a screen photo; the same sheet printed and scanned (grain and blur), copied, as a JPEG of quality
/// 30 or cut to black and white is not.
#[test]
fn screen_photos_beat_and_other_pages_do_not() {
    for seed in [2411u64, 2413] {
        let (_, _, _, upright) = sheet(seed, &LIGHT);
        for sigma in [0.0f32, 1.4] {
            let photo = light_screen_photo(&upright, seed, sigma);
            assert!(is_screen_photo(&photo), "sheet {seed} blurred {sigma}");
        }
        let mut scanned = upright.clone();
        damage::noise_and_blur(&mut scanned, &mut Rng::new(seed), true);
        let copied = damage::copier(&upright, 0.7, (0.01, -0.01), seed);
        let jpeg30 = synth::jpeg_round_trip(&scanned, 30);
        let mut bilevel = scanned.clone();
        damage::one_bit(&mut bilevel, 160);
        for (name, page) in [
            ("upright", &upright),
            ("scanned", &scanned),
            ("copied", &copied),
            ("jpeg30", &jpeg30),
            ("1-bit", &bilevel),
        ] {
            assert!(
                !is_screen_photo(page),
                "sheet {seed} {name}: {}",
                beat_peak(page)
            );
        }
    }
}

const LIGHT: [Mark; 5] = [
    Mark::FaintSlash,
    Mark::FaintTick,
    Mark::FaintCross,
    Mark::Light,
    Mark::Slash,
];
