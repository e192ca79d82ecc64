//! Registration: finds the four corner marks in a page image, decides which way up the sheet lies, and fits
//! the projective transform from sheet millimetres to image pixels.
//!
//! Marks are looked for on a copy shrunk to about 900 pixels on its longer side, so the cost does not grow
//! with the scanner's resolution; their centres are then refined on the full image.

use image::GrayImage;

use super::ReadError;
use super::geometry::{Corner, SheetGeometry};
use super::homography::Homography;
use super::outline::{MIN_OUTLINE_CONTRAST, anchor_offsets, outline_contrast};
use super::page::{FaintPrint, Found, Prepared};
use super::shrunk::Small;

/// The mark found towards each image corner (clockwise from the top left), its centre and area on
/// the full image to a fraction of a pixel; found on the first call, kept for the next.
fn corner_marks<'p>(page: &'p Prepared) -> &'p [Option<Found>; 4] {
    page.marks.get_or_init(|| {
        let small = &page.small;
        found_on_full_image(
            page,
            pick_corner_blobs(&dark_blobs(small, STANDARD_CUT), small),
        )
    })
}

/// The picked blobs' centres and areas measured on the full image; a mark larger than the others
/// re-centred on the solid square in it (see [`ATTACHED_INK`]).
fn found_on_full_image(page: &Prepared, picks: [Option<Blob>; 4]) -> [Option<Found>; 4] {
    let refined = picks.map(|p| p.map(|b| refine(page.img, &b, page.small.factor)));
    let mut areas: Vec<f64> = refined.iter().flatten().map(|r| r.area).collect();
    areas.sort_by(f64::total_cmp);
    let typical = (areas.len() >= 3).then(|| areas[areas.len() / 2]);
    refined.map(|r| {
        r.map(|r| {
            let (x, y) = match typical {
                Some(t) if r.area > ATTACHED_INK * t => {
                    recentred(page.img, (r.x, r.y), t.sqrt(), r.core_cut)
                }
                _ => (r.x, r.y),
            };
            Found { x, y, area: r.area }
        })
    })
}

/// A corner mark this much larger (area) than the page's typical mark holds ink that is not its own.
/// The marks are printed alike, and a flat scan keeps their areas within a few hundredths of each other
/// (a phone's perspective more, but a window inside a solid square does not move). Ink touching a mark
/// (a red 已阅 stamp pressed over the page's corner, its characters' strokes running into the square; a
/// pen line through it) joins the mark's blob and pulls its centroid: on the field check's stamped page
/// it moved the bottom-right mark 0.7 mm, which skewed the fit over the lower page until the printed
/// outline of blank boxes stood off their expected place and read as rings round them.
const ATTACHED_INK: f64 = 1.1;

/// The centre of the solid square of side `side` (pixels) near `start`: a window of that size moved to
/// the centroid of the pixels darker than `cut` that it covers, until it settles. Over the square every
/// pixel is dark, over the strokes joined to it few are, so each step pulls the window back onto the
/// square; once it covers the square exactly it holds no other ink and stays. `cut` lies a quarter of
/// the way from the mark's black to the paper: toner is black under a stamp's ink, the ink alone (a red
/// pad reads 80–140 grey) is lighter, so a stroke running along a side of the square does not make it
/// look taller.
fn recentred(img: &GrayImage, start: (f64, f64), side: f64, cut: u32) -> (f64, f64) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let half = side / 2.0;
    let (mut cx, mut cy) = start;
    for _ in 0..RECENTRE_STEPS {
        let (x0, x1) = (
            (cx - half).round().max(0.0) as usize,
            ((cx + half).round().max(0.0) as usize).min(w),
        );
        let (y0, y1) = (
            (cy - half).round().max(0.0) as usize,
            ((cy + half).round().max(0.0) as usize).min(h),
        );
        let (mut sx, mut sy, mut n) = (0.0f64, 0.0f64, 0.0f64);
        for y in y0..y1 {
            for (i, &v) in raw[y * w + x0..y * w + x1.max(x0)].iter().enumerate() {
                if (v as u32) < cut {
                    sx += (x0 + i) as f64 + 0.5;
                    sy += y as f64 + 0.5;
                    n += 1.0;
                }
            }
        }
        if n == 0.0 {
            return start;
        }
        let (nx, ny) = (sx / n, sy / n);
        let moved = (nx - cx).hypot(ny - cy);
        (cx, cy) = (nx, ny);
        if moved < 0.05 {
            break;
        }
    }
    (cx, cy)
}

/// Enough steps for a window to come back from a centroid pulled a fifth of a mark's side away.
const RECENTRE_STEPS: usize = 20;

/// A mark measured on the full image: its centre and area, and a cut (grey level) only its toner's
/// core is darker than (see [`recentred`]).
struct Refined {
    x: f64,
    y: f64,
    area: f64,
    core_cut: u32,
}

/// The page's print measured against its own black (see [`FaintPrint`]), once.
fn faint_print<'p>(page: &'p Prepared) -> &'p FaintPrint {
    page.faint.get_or_init(|| {
        let small = &page.small;
        let blobs = dark_blobs(small, FLOOR_CUT);
        // Specks of noise or dust are no print; a stroke of text or an outline is.
        let ink: u64 = blobs
            .iter()
            .filter(|b| b.area >= 3)
            .map(|b| b.area as u64)
            .sum();
        let picks = pick_corner_blobs(&blobs, small);
        let mut blacks: Vec<f32> = picks
            .iter()
            .flatten()
            .map(|b| blob_darkness(page, b))
            .collect();
        blacks.sort_by(f32::total_cmp);
        let black = blacks.get(blacks.len() / 2).copied().unwrap_or(0.0);
        let marks = (FAINT_BLACK..FULL_BLACK).contains(&black).then(|| {
            // Halfway between the paper and the page's own black, as the standard cut is for
            // full-strength toner.
            let cut = 1.0 - black / 2.0;
            found_on_full_image(page, pick_corner_blobs(&dark_blobs(small, cut), small))
        });
        FaintPrint { ink, black, marks }
    })
}

/// How dark a blob of the shrunk image is against the paper around it (0 paper, 1 black): the mean of
/// the middle of its box, where a solid mark has no edge pixels.
fn blob_darkness(page: &Prepared, b: &Blob) -> f32 {
    let small = &page.small;
    let (mx, my) = (b.bw() / 3, b.bh() / 3);
    let (mut sum, mut n) = (0.0f32, 0u32);
    for y in b.y0 + my..=b.y1 - my {
        for x in b.x0 + mx..=b.x1 - mx {
            let white = page.paper(x * small.factor, y * small.factor);
            sum += (1.0 - small.px[y * small.w + x] as f32 / white).clamp(0.0, 1.0);
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { sum / n as f32 }
}

/// How a page lies in its image.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// Sheet mm → image pixels.
    pub to_image: Homography,
    /// Quarter turns clockwise the sheet is rotated by in the image: 0 upright, 2 upside down.
    pub quarter_turns: u8,
    /// How much darker the printed bubble outlines are than the paper beside them, where the transform
    /// puts them (0–1): low means the marks found are not this sheet's.
    pub outline_contrast: f32,
    /// Image pixels per sheet millimetre around the page centre.
    pub pixels_per_mm: f32,
    /// How many corner marks the transform rests on: 4, or 3 or 2 on a sheet with a corner torn off,
    /// folded, blackened or clipped by the scanner (the QR code's corners then help when it reads).
    #[serde(default = "four")]
    pub marks_used: u8,
}

fn four() -> u8 {
    4
}

/// A dark connected region of the shrunk image.
#[derive(Debug, Clone, Copy)]
struct Blob {
    area: u32,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    cx: f64,
    cy: f64,
}

impl Blob {
    fn bw(&self) -> usize {
        self.x1 - self.x0 + 1
    }
    fn bh(&self) -> usize {
        self.y1 - self.y0 + 1
    }
    fn fill(&self) -> f64 {
        self.area as f64 / (self.bw() * self.bh()) as f64
    }
    fn aspect(&self) -> f64 {
        self.bw() as f64 / self.bh() as f64
    }
}

/// A pixel of the shrunk image is dark, for the corner marks, below this fraction of its neighbourhood's
/// mean brightness: halfway down to full-strength toner.
const STANDARD_CUT: f32 = 0.6;

/// The lightest a pixel can be and still count as print at all: 15 % darker than its neighbourhood. Paper
/// grain, scanner noise and the front of a duplex sheet showing through its blank back (a few per cent
/// through 70–80 g/m² paper) stay well above it; faded toner (a quarter to half of its darkness left) does
/// not.
const FLOOR_CUT: f32 = 0.85;

/// A page's darkest print (its corner marks) at least this dark against the paper is printed: toner
/// starved to a fifth of its darkness still leaves squares a person sees plainly, and a blank back's
/// show-through stays under a tenth.
const FAINT_BLACK: f32 = 0.2;

/// Print at least this dark is found by the standard cut already: no second search is needed.
const FULL_BLACK: f32 = 0.55;

/// Small-image pixels of print (not specks) a page must hold to be more than a blank page: a few mm² of
/// text; a printed answer sheet holds tens of thousands.
const PRINT_PIXELS: u64 = 300;

/// The image's four corners clockwise from the top left, as the directions marks are searched towards.
const IMAGE_CORNERS: [&str; 4] = ["top-left", "top-right", "bottom-right", "bottom-left"];

/// One way the sheet could lie: the transform and what it rests on.
struct Hypothesis {
    h: Homography,
    turns: u8,
    /// Image corners (0–3 clockwise) whose marks the transform uses.
    used: Vec<usize>,
}

/// Finds the page and fits the sheet → image transform: from the four corner marks when they are all
/// there; else from three (affine: a scan neither bends nor tilts the page), else from two (rotation,
/// scale and shift), the QR code's corners added when it reads; the printed bubble outlines decide
/// between the ways the sheet could lie and refuse a fit that puts them on blank paper.
pub(crate) fn register(page: &Prepared, geom: &SheetGeometry) -> Result<Registration, ReadError> {
    let small = &page.small;
    if small.w < 40 || small.h < 40 {
        return Err(ReadError::TooSmall {
            width: page.img.width(),
            height: page.img.height(),
        });
    }
    let found: [Option<Found>; 4] = *corner_marks(page);
    let standard = if found.iter().all(Option::is_none) {
        None
    } else {
        match register_with(page, geom, found) {
            Ok(reg) if reg.marks_used == 4 => return Ok(reg),
            other => Some(other),
        }
    };
    // The marks not all found, or not placing the page, at full-strength toner's darkness: the page may
    // be printed faint (then its own marks, found against its own black, place it better than fewer
    // marks or the QR code alone), or blank.
    let faint = faint_print(page);
    if let Some(marks) = faint.marks {
        match (register_with(page, geom, marks), standard) {
            (Ok(reg), Some(Ok(before))) => {
                return Ok(if reg.marks_used > before.marks_used {
                    reg
                } else {
                    before
                });
            }
            (Ok(reg), _) => return Ok(reg),
            (Err(_), Some(Ok(before))) => return Ok(before),
            (Err(ReadError::CornerMarks { detail }), _) => {
                return Err(ReadError::FaintPrint {
                    grey: faint_grey(faint.black),
                    detail,
                });
            }
            (Err(e), _) => return Err(e),
        }
    }
    if faint.ink < PRINT_PIXELS {
        return Err(ReadError::Blank);
    }
    match standard {
        Some(r) => r,
        // Print, but no solid square anywhere: the QR code alone may still place the page.
        None => register_with(page, geom, [None; 4]).map_err(|e| match e {
            ReadError::CornerMarks { .. } => ReadError::CornerMarks {
                detail: "print found, but no corner mark (no solid square near any corner of the image: \
                         too faint, covered or cut off?) and the QR code cannot be read to place the page; \
                         reprint or rescan it darker"
                    .into(),
            },
            e => e,
        }),
    }
}

/// The grey (0–255 on white paper) a print of `darkness` looks: what the message names.
fn faint_grey(darkness: f32) -> u8 {
    (255.0 * (1.0 - darkness)).round().clamp(0.0, 255.0) as u8
}

/// [`register`] from the corner marks `found` towards each image corner.
fn register_with(
    page: &Prepared,
    geom: &SheetGeometry,
    found: [Option<Found>; 4],
) -> Result<Registration, ReadError> {
    let sheet: [(f64, f64); 4] = Corner::CLOCKWISE.map(|c| {
        let m = geom.mark(c).expect("validated geometry has every corner");
        (m.centre_x as f64, m.centre_y as f64)
    });
    let present: Vec<usize> = (0..4).filter(|&i| found[i].is_some()).collect();
    let point = |i: usize| {
        let f = found[i].expect("present");
        (f.x, f.y)
    };
    // The sheet corner whose mark image corner `i` holds, with the sheet turned `turns` quarters.
    let sheet_of = |i: usize, turns: u8| sheet[(i + 4 - turns as usize) % 4];

    // Four marks: a full projective fit, which a phone photo's perspective needs.
    let mut four_failed: Option<ReadError> = None;
    if present.len() == 4 {
        let hyps: Vec<Hypothesis> = (0..4u8)
            .filter_map(|turns| {
                let from = [0, 1, 2, 3].map(|j| sheet[j]);
                let to = [0, 1, 2, 3].map(|j| point((j + turns as usize) % 4));
                Homography::from_points(from, to).map(|h| Hypothesis {
                    h,
                    turns,
                    used: vec![0, 1, 2, 3],
                })
            })
            .collect();
        // The way up whose outlines stand out most first; on a page bowed by a phone's lens the outlines
        // stand out little under any of them, so each is bent to the printed outlines in turn.
        // A way that turns the sheet a quarter onto marks framing it upright stretches it by the ratio of
        // its sides squared (about 2 on A4): no photo's perspective does that, however few outlines a lens
        // leaves where the marks' fit puts them for the right way up.
        let mut ways: Vec<(Registration, Vec<usize>)> = hyps
            .into_iter()
            .filter(|hy| plausible(&hy.h, geom))
            .map(|hy| {
                let contrast = outline_contrast(page, geom, &hy.h);
                let wrong = wrong_size(geom, &found, &hy);
                (
                    registration(geom, hy.h, hy.turns, contrast, hy.used.len()),
                    wrong,
                )
            })
            .collect();
        ways.sort_by(|a, b| b.0.outline_contrast.total_cmp(&a.0.outline_contrast));
        for (k, (reg, wrong)) in ways.into_iter().enumerate() {
            if !wrong.is_empty() {
                if k == 0 {
                    break;
                }
                continue;
            }
            let reg = unbowed(page, geom, reg);
            if reg.outline_contrast >= MIN_OUTLINE_CONTRAST
                && (k == 0 || reg.to_image.bend.is_some())
            {
                return Ok(reg);
            }
            if k == 0 {
                four_failed = Some(ReadError::NotThisSheet {
                    contrast: reg.outline_contrast,
                });
            }
        }
    }
    // Three marks: any three of those found, each way round.
    let mut hyps = Vec::new();
    for drop in 0..4 {
        let three: Vec<usize> = (0..4).filter(|&i| i != drop).collect();
        if !three.iter().all(|&i| found[i].is_some()) {
            continue;
        }
        for turns in 0..4u8 {
            let from = [0, 1, 2].map(|k| sheet_of(three[k], turns));
            let to = [0, 1, 2].map(|k| point(three[k]));
            if let Some(h) = Homography::affine_from_points(from, to).filter(|h| plausible(h, geom))
            {
                hyps.push(Hypothesis {
                    h,
                    turns,
                    used: three.clone(),
                });
            }
        }
    }
    // A fit that frames the bubbles on average but not everywhere is kept only to name the failure.
    let mut imprecise: Option<u8> = None;
    if let Some(reg) = accept(page, geom, &found, hyps) {
        let reg = unbowed(page, geom, refined(page, geom, reg));
        if locally_true(page, geom, &reg.to_image) {
            return Ok(reg);
        }
        imprecise = Some(reg.marks_used);
    }
    // Two marks: a copier turns, scales and shifts the page, which two points fix.
    let mut hyps = Vec::new();
    for (k, &a) in present.iter().enumerate() {
        for &b in &present[k + 1..] {
            for turns in 0..4u8 {
                let from = [sheet_of(a, turns), sheet_of(b, turns)];
                if let Some(h) = Homography::similarity_from_points(from, [point(a), point(b)])
                    .filter(|h| plausible(h, geom))
                {
                    hyps.push(Hypothesis {
                        h,
                        turns,
                        used: vec![a, b],
                    });
                }
            }
        }
    }
    if let Some(reg) = accept(page, geom, &found, hyps) {
        // The QR code's corners, where it reads, pin the page down further.
        let reg = with_qr_corners(page, geom, &found, reg, &sheet_of).unwrap_or(reg);
        let reg = unbowed(page, geom, refined(page, geom, reg));
        if locally_true(page, geom, &reg.to_image) {
            return Ok(reg);
        }
        imprecise = Some(reg.marks_used);
    }
    // Fewer marks: the QR code alone places the page, the marks that agree with it added.
    if let Some(reg) = from_qr_code(page, geom, &found, &sheet_of) {
        let reg = unbowed(page, geom, reg);
        if locally_true(page, geom, &reg.to_image) {
            return Ok(reg);
        }
        imprecise = Some(reg.marks_used);
    }
    if let Some(e) = four_failed {
        return Err(e);
    }
    // Corners without a mark, or whose blob is not the size of the others (a bubble or a speck picked
    // where the mark is gone).
    let mut areas: Vec<f64> = found.iter().flatten().map(|f| f.area).collect();
    areas.sort_by(f64::total_cmp);
    let typical = areas.get(areas.len() / 2).copied().unwrap_or(0.0);
    let missing: Vec<&str> = (0..4)
        .filter(|&i| found[i].is_none_or(|f| !(0.75..=1.33).contains(&(f.area / typical.max(1.0)))))
        .map(|i| IMAGE_CORNERS[i])
        .collect();
    if let Some(used) = imprecise {
        return Err(ReadError::CornerMarks {
            detail: format!(
                "the answer area cannot be placed precisely: only {used} of the 4 corner marks are usable \
                 (the others torn, folded, covered or cut off?), and from them the bubbles do not line up \
                 all over the page (bent, or photographed at an angle?); scan it flat, or enter this sheet \
                 by hand"
            ),
        });
    }
    let detail = if missing.is_empty() {
        "the answer area cannot be located: the corner marks found do not frame this sheet's bubbles \
         (some torn, folded, covered or cut off?), and the QR code \
         cannot be read to place the page"
            .to_string()
    } else {
        format!(
            "the answer area cannot be located: no corner mark near the image's {} corner (cut off, torn, \
             folded or covered?), the other marks do not frame the bubbles, and the QR code cannot be read \
             to place the page",
            missing.join(" and ")
        )
    };
    Err(ReadError::CornerMarks { detail })
}

/// The sheet → image fits the four corner marks allow, one for each way up the sheet may lie (upright and
/// upside down first), without asking the printed bubbles which is right: enough to cut the QR code out
/// before the page's own layout is known, since the marks and the code sit alike on every page of a sheet.
/// Empty when a mark is missing.
pub(crate) fn corner_fits(page: &Prepared, geom: &SheetGeometry) -> Vec<Homography> {
    let small = &page.small;
    if small.w < 40 || small.h < 40 {
        return Vec::new();
    }
    let all_four = |marks: &[Option<Found>; 4]| {
        marks
            .iter()
            .map(|p| p.map(|f| (f.x, f.y, f.area)))
            .collect::<Option<Vec<_>>>()
    };
    // A page printed faint has its marks found against its own black.
    let Some(points) = all_four(corner_marks(page))
        .or_else(|| faint_print(page).marks.as_ref().and_then(all_four))
    else {
        return Vec::new();
    };
    let Some(sheet) = Corner::CLOCKWISE
        .iter()
        .map(|&c| geom.mark(c).map(|m| (m.centre_x as f64, m.centre_y as f64)))
        .collect::<Option<Vec<_>>>()
    else {
        return Vec::new();
    };
    [0usize, 2, 1, 3]
        .into_iter()
        .filter_map(|turns| {
            let from = [0, 1, 2, 3].map(|j| sheet[j]);
            let to = [0, 1, 2, 3].map(|j| {
                let (x, y, _) = points[(j + turns) % 4];
                (x, y)
            });
            Homography::from_points(from, to)
        })
        .collect()
}

/// `reg` corrected by the printed bubble grid where that frames the bubbles better: a fit from fewer
/// than four marks cannot see a phone's perspective or a scanner's stretch.
fn refined(page: &Prepared, geom: &SheetGeometry, reg: Registration) -> Registration {
    match refine_by_grid(page, geom, &reg.to_image) {
        Some(h) => {
            let contrast = outline_contrast(page, geom, &h);
            registration(
                geom,
                h,
                reg.quarter_turns,
                contrast,
                reg.marks_used as usize,
            )
        }
        None => reg,
    }
}

/// `reg` bent to where the printed outlines are when the page is bowed (see [`super::bend`]); a flat
/// page's registration is kept exactly.
fn unbowed(page: &Prepared, geom: &SheetGeometry, reg: Registration) -> Registration {
    match super::bend::bowed(page, geom, &reg.to_image) {
        Some((h, contrast)) => registration(
            geom,
            h,
            reg.quarter_turns,
            contrast,
            reg.marks_used as usize,
        ),
        None => reg,
    }
}

/// A fit resting on fewer than four marks must put the printed outlines where they are all over the page,
/// not just on average: more than one anchor bubble in five whose outline lies over half a millimetre from
/// where the fit puts it (a page bent, or photographed at an angle with a corner missing) is refused, so
/// no mark is read from beside its bubble.
fn locally_true(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> bool {
    let offsets = anchor_offsets(page, geom, h, 1.0);
    if offsets.len() < 8 {
        return true;
    }
    let off = offsets
        .iter()
        .filter(|(_, dx, dy)| dx.hypot(*dy) > 0.5)
        .count();
    off * 5 <= offsets.len()
}

/// The best of `hyps` if it frames the bubbles well enough and every mark it uses has the printed size.
fn accept(
    page: &Prepared,
    geom: &SheetGeometry,
    found: &[Option<Found>; 4],
    hyps: Vec<Hypothesis>,
) -> Option<Registration> {
    let hyps: Vec<Hypothesis> = hyps
        .into_iter()
        .filter(|hy| wrong_size(geom, found, hy).is_empty())
        .collect();
    best_of(page, geom, found, hyps)
        .map(|(reg, _)| reg)
        .filter(|reg| reg.outline_contrast >= MIN_OUTLINE_CONTRAST)
}

/// The hypothesis whose bubble outlines stand out most, as a registration, with the image corners
/// whose marks are not the printed size under it.
fn best_of(
    page: &Prepared,
    geom: &SheetGeometry,
    found: &[Option<Found>; 4],
    hyps: Vec<Hypothesis>,
) -> Option<(Registration, Vec<usize>)> {
    let mut best: Option<(Registration, Vec<usize>)> = None;
    for hy in hyps {
        let contrast = outline_contrast(page, geom, &hy.h);
        if best
            .as_ref()
            .is_none_or(|(b, _)| contrast > b.outline_contrast)
        {
            let wrong = wrong_size(geom, found, &hy);
            best = Some((
                registration(geom, hy.h, hy.turns, contrast, hy.used.len()),
                wrong,
            ));
        }
    }
    best
}

fn registration(
    geom: &SheetGeometry,
    h: Homography,
    turns: u8,
    contrast: f32,
    marks: usize,
) -> Registration {
    let (cx, cy) = (
        geom.page_width_mm as f64 / 2.0,
        geom.page_height_mm as f64 / 2.0,
    );
    Registration {
        to_image: h,
        quarter_turns: turns,
        outline_contrast: contrast,
        pixels_per_mm: h.local_scale(cx, cy) as f32,
        marks_used: marks as u8,
    }
}

/// The image corners among those `hy` uses whose mark is not as large as a printed mark is there: a
/// bubble or a speck standing in for a cut-off mark fails this.
fn wrong_size(geom: &SheetGeometry, found: &[Option<Found>; 4], hy: &Hypothesis) -> Vec<usize> {
    let mut wrong = Vec::new();
    for &i in &hy.used {
        let Some(f) = found[i] else { continue };
        let corner = Corner::CLOCKWISE[(i + 4 - hy.turns as usize) % 4];
        let m = geom.mark(corner).expect("validated");
        let s = m.size as f64 / 2.0;
        let (cx, cy) = (m.centre_x as f64, m.centre_y as f64);
        let q = [(-s, -s), (s, -s), (s, s), (-s, s)].map(|(dx, dy)| hy.h.map(cx + dx, cy + dy));
        let ratio = f.area / polygon_area(&q).max(1.0);
        if !(0.45..=1.9).contains(&ratio) {
            wrong.push(i);
        }
    }
    wrong
}

/// A transform fitted to fewer than four marks must look like a page: about as many pixels per mm
/// across as down, its axes about square to each other.
fn plausible(h: &Homography, geom: &SheetGeometry) -> bool {
    let (cx, cy) = (
        geom.page_width_mm as f64 / 2.0,
        geom.page_height_mm as f64 / 2.0,
    );
    let (x0, y0) = h.map(cx, cy);
    let (x1, y1) = h.map(cx + 1.0, cy);
    let (x2, y2) = h.map(cx, cy + 1.0);
    let (ax, ay) = (x1 - x0, y1 - y0);
    let (bx, by) = (x2 - x0, y2 - y0);
    let (la, lb) = ((ax * ax + ay * ay).sqrt(), (bx * bx + by * by).sqrt());
    if la < 0.5 || lb < 0.5 {
        return false;
    }
    let cos = (ax * bx + ay * by) / (la * lb);
    // The y axis a quarter turn clockwise of the x axis (a mirror image is no page).
    let clockwise = ax * by - ay * bx > 0.0;
    (0.75..=1.33).contains(&(la / lb)) && cos.abs() < 0.17 && clockwise
}

/// The two-mark fit improved by the QR code's corners, when the code reads where the fit puts it.
fn with_qr_corners(
    page: &Prepared,
    geom: &SheetGeometry,
    found: &[Option<Found>; 4],
    reg: Registration,
    sheet_of: &dyn Fn(usize, u8) -> (f64, f64),
) -> Option<Registration> {
    let corners = super::qr::locate_region(page.img, &geom.qr_code, &reg.to_image)?;
    let mut from: Vec<(f64, f64)> = corners.iter().map(|c| c.0).collect();
    let mut to: Vec<(f64, f64)> = corners.iter().map(|c| c.1).collect();
    for (i, f) in found.iter().enumerate() {
        if let Some(f) = f {
            let s = sheet_of(i, reg.quarter_turns);
            let want = reg.to_image.map(s.0, s.1);
            if (want.0 - f.x).hypot(want.1 - f.y) < 2.0 * reg.pixels_per_mm as f64 {
                from.push(sheet_of(i, reg.quarter_turns));
                to.push((f.x, f.y));
            }
        }
    }
    let h = Homography::fit(&from, &to).filter(|h| plausible(h, geom))?;
    let contrast = outline_contrast(page, geom, &h);
    (contrast >= reg.outline_contrast).then(|| {
        registration(
            geom,
            h,
            reg.quarter_turns,
            contrast,
            reg.marks_used as usize,
        )
    })
}

/// The page placed by the QR code found anywhere in the image, and the corner marks that agree with it.
fn from_qr_code(
    page: &Prepared,
    geom: &SheetGeometry,
    found: &[Option<Found>; 4],
    sheet_of: &dyn Fn(usize, u8) -> (f64, f64),
) -> Option<Registration> {
    let corners = super::qr::locate_whole(page.img, &geom.qr_code)?;
    let from: [(f64, f64); 4] = [0, 1, 2, 3].map(|k| corners[k].0);
    let to: [(f64, f64); 4] = [0, 1, 2, 3].map(|k| corners[k].1);
    let rough = Homography::from_points(from, to)?;
    // The page's own turn: where its x axis points in the image.
    let (x0, y0) = rough.map(0.0, 0.0);
    let (x1, y1) = rough.map(1.0, 0.0);
    let angle = (y1 - y0).atan2(x1 - x0).to_degrees();
    let turns = ((angle.rem_euclid(360.0) + 45.0) / 90.0) as u8 % 4;
    let ppm = rough.local_scale(from[0].0, from[0].1);
    let (mut f, mut t): (Vec<_>, Vec<_>) = (from.to_vec(), to.to_vec());
    let mut used = 0;
    for (i, m) in found.iter().enumerate() {
        if let Some(m) = m {
            let s = sheet_of(i, turns);
            let want = rough.map(s.0, s.1);
            // The QR code is small, so its fit is rough far from it: agree within 8 mm.
            if (want.0 - m.x).hypot(want.1 - m.y) < 8.0 * ppm {
                f.push(s);
                t.push((m.x, m.y));
                used += 1;
            }
        }
    }
    // Points close together fix no perspective: turn, scale and shift only, then the bubble grid.
    let h = Homography::fit_similarity(&f, &t)?;
    let h = refine_by_grid(page, geom, &h).unwrap_or(h);
    let contrast = outline_contrast(page, geom, &h);
    (plausible(&h, geom) && contrast >= MIN_OUTLINE_CONTRAST)
        .then(|| registration(geom, h, turns, contrast, used))
}

/// A fit corrected by the printed bubbles: each anchor bubble's outline is looked for within 1.5 mm of
/// where `h` puts it, and a projective transform fitted to where the outlines are (outliers dropped).
/// `None` when too few outlines stand out or the result frames the bubbles no better.
fn refine_by_grid(page: &Prepared, geom: &SheetGeometry, h: &Homography) -> Option<Homography> {
    let mut from = Vec::new();
    let mut to = Vec::new();
    for (i, dx, dy) in anchor_offsets(page, geom, h, 1.5) {
        let (x, y) = geom.bubbles[i].area.centre();
        from.push((x as f64, y as f64));
        to.push(h.map((x + dx) as f64, (y + dy) as f64));
    }
    if from.len() < 8 {
        return None;
    }
    let mut fitted = Homography::fit(&from, &to)?;
    // Drop outlines matched to a neighbour's (a mark or a label confusing the search), then fit again.
    let ppm = h.local_scale(
        geom.page_width_mm as f64 / 2.0,
        geom.page_height_mm as f64 / 2.0,
    );
    let residual = |f: &Homography, k: usize| {
        let (u, v) = f.map(from[k].0, from[k].1);
        (u - to[k].0).hypot(v - to[k].1) / ppm
    };
    let mut res: Vec<f64> = (0..from.len()).map(|k| residual(&fitted, k)).collect();
    let mut sorted = res.clone();
    sorted.sort_by(f64::total_cmp);
    let limit = (3.0 * sorted[sorted.len() / 2]).max(0.3);
    let keep: Vec<usize> = (0..from.len()).filter(|&k| res[k] <= limit).collect();
    if keep.len() >= 8 && keep.len() < from.len() {
        let f: Vec<_> = keep.iter().map(|&k| from[k]).collect();
        let t: Vec<_> = keep.iter().map(|&k| to[k]).collect();
        fitted = Homography::fit(&f, &t)?;
        res.clear();
    }
    if !plausible(&fitted, geom) {
        return None;
    }
    (outline_contrast(page, geom, &fitted) >= outline_contrast(page, geom, h)).then_some(fitted)
}

fn polygon_area(q: &[(f64, f64); 4]) -> f64 {
    let mut a = 0.0;
    for i in 0..4 {
        let (x0, y0) = q[i];
        let (x1, y1) = q[(i + 1) % 4];
        a += x0 * y1 - x1 * y0;
    }
    a.abs() / 2.0
}

/// Dark regions of the shrunk image, dark meaning below `cut` times the local mean brightness, so uneven
/// lighting does not merge a phone photo's shadowed corner into one blob.
fn dark_blobs(small: &Small, cut: f32) -> Vec<Blob> {
    let cut = (cut * 100.0).round() as u32;
    let (w, h) = (small.w, small.h);
    // Integral image for local means.
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += small.px[y * w + x] as u32;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = (w.max(h) / 40).max(4);
    let mut dark = vec![false; w * h];
    for y in 0..h {
        let (ya, yb) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (xa, xb) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = integral[yb * (w + 1) + xb] + integral[ya * (w + 1) + xa]
                - integral[ya * (w + 1) + xb]
                - integral[yb * (w + 1) + xa];
            let n = ((yb - ya) * (xb - xa)) as u32;
            // Darker than `cut` (60 % for full-strength toner) of the neighbourhood's mean.
            dark[y * w + x] = (small.px[y * w + x] as u32) * 100 * n < sum * cut;
        }
    }
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut blobs = Vec::new();
    for start in 0..w * h {
        if !dark[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut b = Blob {
            area: 0,
            x0: usize::MAX,
            y0: usize::MAX,
            x1: 0,
            y1: 0,
            cx: 0.0,
            cy: 0.0,
        };
        let mut touches_edge = false;
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            b.area += 1;
            b.x0 = b.x0.min(x);
            b.x1 = b.x1.max(x);
            b.y0 = b.y0.min(y);
            b.y1 = b.y1.max(y);
            b.cx += x as f64;
            b.cy += y as f64;
            if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
                touches_edge = true;
            }
            let mut visit = |q: usize| {
                if dark[q] && !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < w {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - w);
            }
            if y + 1 < h {
                visit(p + w);
            }
        }
        // A mark cut by the image's edge is not a mark: its centre would be wrong.
        if touches_edge {
            continue;
        }
        b.cx /= b.area as f64;
        b.cy /= b.area as f64;
        blobs.push(b);
    }
    blobs
}

/// One solid square-ish blob per image corner, or none: the one furthest towards that corner, in that
/// quarter of the image, among blobs of about the marks' size.
fn pick_corner_blobs(blobs: &[Blob], small: &Small) -> [Option<Blob>; 4] {
    let squares: Vec<&Blob> = blobs
        .iter()
        .filter(|b| {
            b.area >= 12
                && b.bw() >= 3
                && b.bh() >= 3
                && (0.6..=1.67).contains(&b.aspect())
                && b.fill() >= 0.65
        })
        .collect();
    if squares.is_empty() {
        return [None; 4];
    }
    // The marks' expected area: the largest clearly square blobs.
    let mut very: Vec<u32> = squares
        .iter()
        .filter(|b| (0.75..=1.33).contains(&b.aspect()) && b.fill() >= 0.8)
        .map(|b| b.area)
        .collect();
    very.sort_unstable_by(|a, b| b.cmp(a));
    very.truncate(4);
    let mut reference = median_u32(&very).unwrap_or_else(|| squares[0].area) as f64;

    let in_quarter = |b: &Blob, k: usize| {
        let left = b.cx < small.w as f64 / 2.0;
        let top = b.cy < small.h as f64 / 2.0;
        match k {
            0 => left && top,
            1 => !left && top,
            2 => !left && !top,
            _ => left && !top,
        }
    };
    let dirs: [(f64, f64); 4] = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let mut picks: [Option<Blob>; 4] = [None; 4];
    for _ in 0..3 {
        for (k, (dx, dy)) in dirs.iter().enumerate() {
            picks[k] = squares
                .iter()
                .filter(|b| {
                    let a = b.area as f64;
                    a >= 0.4 * reference && a <= 2.5 * reference && in_quarter(b, k)
                })
                .max_by(|a, b| (a.cx * dx + a.cy * dy).total_cmp(&(b.cx * dx + b.cy * dy)))
                .map(|b| **b);
        }
        let areas: Vec<u32> = picks.iter().flatten().map(|b| b.area).collect();
        match median_u32(&areas) {
            Some(m) if (m as f64 - reference).abs() > 0.05 * reference => reference = m as f64,
            _ => break,
        }
    }
    picks
}

fn median_u32(v: &[u32]) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    Some(s[s.len() / 2])
}

/// The mark's centre and area on the full image: the centroid of the pixels darker than halfway between
/// the paper and the mark, in a window a little larger than the blob.
fn refine(img: &GrayImage, b: &Blob, factor: usize) -> Refined {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let pad_x = b.bw() / 2 + 1;
    let pad_y = b.bh() / 2 + 1;
    let x0 = b.x0.saturating_sub(pad_x) * factor;
    let y0 = b.y0.saturating_sub(pad_y) * factor;
    let x1 = ((b.x1 + 1 + pad_x) * factor).min(w);
    let y1 = ((b.y1 + 1 + pad_y) * factor).min(h);
    let raw = img.as_raw();
    let mut hist = [0u32; 256];
    for y in y0..y1 {
        for &v in &raw[y * w + x0..y * w + x1] {
            hist[v as usize] += 1;
        }
    }
    let total: u32 = hist.iter().sum();
    let pct = |p: f64| {
        let target = (total as f64 * p) as u32;
        let mut acc = 0;
        for (v, &n) in hist.iter().enumerate() {
            acc += n;
            if acc > target {
                return v as u32;
            }
        }
        255
    };
    let (black, white) = (pct(0.05), pct(0.95));
    let mid = (black + white) / 2;
    let core_cut = black + (white.saturating_sub(black)) / 4;
    let (mut sx, mut sy, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in y0..y1 {
        for (i, &v) in raw[y * w + x0..y * w + x1].iter().enumerate() {
            if (v as u32) < mid {
                sx += (x0 + i) as f64;
                sy += y as f64;
                n += 1.0;
            }
        }
    }
    if n == 0.0 {
        let f = factor as f64;
        return Refined {
            x: (b.cx + 0.5) * f,
            y: (b.cy + 0.5) * f,
            area: b.area as f64 * f * f,
            core_cut,
        };
    }
    // Pixel centres sit half a pixel in from their corners.
    Refined {
        x: sx / n + 0.5,
        y: sy / n + 0.5,
        area: n,
        core_cut,
    }
}
