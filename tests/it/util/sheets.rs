//! Fixture helpers for the scan tests: examgen's own sheets rendered by pdftoppm, filled in 2B pencil by
//! the shared fabricator, and the CSV files `scan` writes read back.

use std::path::Path;
use std::process::Command;

use image::GrayImage;
use serde_json::Value;

use examgen::input::scan::BoxMm;

use crate::scan_synth::synth::{self, Mark, Rng};

/// A PDF page rendered by pdftoppm in gray at `dpi` (`page` 1-based, `None` for a one-page PDF), saved as
/// `out` with `.png` added.
pub fn render_gray(pdf: &Path, page: Option<usize>, dpi: u32, out: &Path) -> GrayImage {
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"]);
    if let Some(k) = page {
        cmd.args(["-f", &k.to_string(), "-l", &k.to_string()]);
    }
    let status = cmd
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftoppm (installed by .ci/run)");
    assert!(status.success(), "pdftoppm {}", pdf.display());
    image::open(out.with_extension("png")).unwrap().into_luma8()
}

/// A CSV file `scan` wrote (responses.csv, scan-report.csv), row by row, its byte-order mark dropped.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A 2B pencil fill of one bubble (manifest JSON) on a page of `ppm` pixels a mm, its grain seeded by
/// where the bubble is, so the same bubble is filled alike on every page.
pub fn pencil(img: &mut GrayImage, bubble: &Value, ppm: f32) {
    let area: BoxMm = serde_json::from_value(bubble["box"].clone()).unwrap();
    let mut rng = Rng::new((area.x * 1000.0) as u64 ^ ((area.y * 1000.0) as u64) << 20);
    synth::draw_mark(img, &area, Mark::Pencil, ppm, &mut rng);
}

/// A sheet page (`geom`, manifest JSON) filled in pencil: `id`'s digits in the 准考证号 grid, the
/// 试卷类型 letter `variant`, and every answer bubble whose letter is in `answers[question]` (each of the
/// page's questions must be there; an empty answer leaves it blank).
pub fn fill_sheet<A>(
    page: &GrayImage,
    geom: &Value,
    id: Option<&str>,
    variant: Option<&str>,
    answers: &A,
    ppm: f32,
) -> GrayImage
where
    A: for<'q> std::ops::Index<&'q u32, Output = String>,
{
    let mut img = page.clone();
    for b in geom["bubbles"]
        .as_array()
        .expect("a sheet page has bubbles")
    {
        let on = match b["kind"].as_str().unwrap() {
            "id-digit" => id.is_some_and(|id| {
                let col = b["column"].as_u64().unwrap() as usize;
                id.as_bytes().get(col).map(|c| (c - b'0') as u64) == b["digit"].as_u64()
            }),
            "variant" => variant == b["letter"].as_str(),
            _ => {
                let q = b["question"].as_u64().unwrap() as u32;
                answers[&q].contains(b["option"].as_str().unwrap())
            }
        };
        if on {
            pencil(&mut img, b, ppm);
        }
    }
    img
}
