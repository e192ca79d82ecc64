//! The reading core of `examgen scan`: page images in ([`input`]), corner marks and the sheet → image
//! transform ([`marks`]), the QR code ([`qr`]), bubbles measured for fills, strokes and
//! circles against the sheet's own pencil ([`bubbles`]), and a review picture of what was read ([`review`]).
//!
//! Everything here is pure: one page in, one [`PageReading`] out, nothing shared, so pages can be read
//! in parallel. Where the bubbles are comes from the [`SheetGeometry`] layout wrote, never from guessing.

mod arm_tip;
mod arms;
mod bend;
mod beside_fill;
mod bilevel;
pub mod bubbles;
mod checks;
mod chroma;
pub mod code;
mod crossed;
mod crossing;
mod erasure;
mod faint;
mod faint_writer;
mod gap_line;
pub mod geometry;
mod group_passes;
pub mod homography;
pub mod input;
mod light;
mod lines;
mod local_tint;
pub mod marks;
mod moire;
mod neighbours;
pub(crate) mod outline;
pub(crate) mod page;
mod pdf_file;
pub mod qr;
mod reading;
mod repeat;
pub mod review;
mod screen;
mod shrunk;
mod smear;
mod spectrum;
mod through;
mod tick_beside;
mod tide;
mod underline;

#[cfg(test)]
mod arm_tip_tests;
#[cfg(test)]
mod arms_tests;
#[cfg(test)]
mod bilevel_tests;
#[cfg(test)]
mod bow_tests;
#[cfg(test)]
mod cancel_tests;
#[cfg(test)]
mod chroma_tests;
#[cfg(test)]
mod coffee_tests;
#[cfg(test)]
mod corner_stamp_tests;
#[cfg(test)]
mod cost_tests;
#[cfg(test)]
mod crossed_bilevel_tests;
#[cfg(test)]
mod crossed_tests;
#[cfg(test)]
mod faded_tests;
#[cfg(test)]
mod flat_tests;
#[cfg(test)]
mod gap_line_tests;
#[cfg(test)]
mod lamp_tests;
#[cfg(test)]
mod lines_tests;
#[cfg(test)]
mod longarm_tests;
#[cfg(test)]
mod longcheck_tests;
#[cfg(test)]
mod loose_fill_tests;
#[cfg(test)]
mod marking_tests;
#[cfg(test)]
mod one_side_cancel_tests;
#[cfg(test)]
mod phone_tests;
#[cfg(test)]
mod repeat_tests;
#[cfg(test)]
mod retick_tests;
#[cfg(test)]
mod screen2_tests;
#[cfg(test)]
mod screen_tests;
#[cfg(test)]
mod screenfill_tests;
#[cfg(test)]
mod seal_tests;
#[cfg(test)]
mod shade_tests;
#[cfg(test)]
mod slash_tests;
#[cfg(test)]
mod smear_middle_tests;
#[cfg(test)]
mod smear_tests;
#[cfg(test)]
mod spectrum_tests;
#[cfg(test)]
mod spill_tests;
#[cfg(test)]
mod synth;
#[cfg(test)]
mod synth_damage;
#[cfg(test)]
mod tape_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_damage;
#[cfg(test)]
mod tests_inputs;
#[cfg(test)]
mod tick_tests;
#[cfg(test)]
mod tickout_tests;
#[cfg(test)]
mod underline_gap_tests;
#[cfg(test)]
mod underline_mid_tests;
#[cfg(test)]
mod underline_tests;
#[cfg(test)]
mod written_tests;
#[cfg(test)]
mod xout_tests;

use std::fmt;

use image::GrayImage;
use serde::Serialize;

pub use bubbles::{
    AnswerReading, BubbleReading, BubbleState, ChoiceReading, IdDigitReading, Levels, MarkShape,
};
pub use code::SheetCode;
pub use geometry::{
    BoxMm, Bubble, BubbleMeaning, ChoiceKind, Corner, CornerMark, QuestionSlot, SheetGeometry,
};
pub use homography::Homography;
pub use input::{
    Listing, PageImage, PageProblem, PageSource, list_pages, load_pages, page_sources,
};
pub use marks::Registration;
pub use review::{Outline, review_image, review_outlines};

/// Everything read from one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageReading {
    /// The QR code's text, `None` when it could not be read (also listed in `problems`).
    pub qr_text: Option<String>,
    /// The 准考证号 grid, one entry per column (empty when the sheet has none).
    pub id: Vec<IdDigitReading>,
    /// The 试卷类型 row, when the sheet has one.
    pub variant: Option<ChoiceReading>,
    /// Every choice question, in the geometry's order.
    pub answers: Vec<AnswerReading>,
    /// Every bubble's darkness and state, in the geometry's order (for the review picture).
    pub bubbles: Vec<BubbleReading>,
    /// The empty and filled levels fitted on this sheet.
    pub levels: Levels,
    /// How the sheet lies in the image.
    pub registration: Registration,
    /// What went wrong without stopping the reading (an unreadable QR code).
    pub problems: Vec<String>,
}

impl PageReading {
    /// The 准考证号 as read: the digit per column, `?` in every column a person must look at (no mark, two
    /// marks, a light one: never a guess); columns left blank at the end (an id shorter than the grid)
    /// are left out.
    pub fn id_text(&self) -> String {
        self.id[..self.id_used()]
            .iter()
            .map(|d| match d.digit {
                Some(b) if !d.doubtful => char::from(b'0' + b),
                _ => '?',
            })
            .collect()
    }

    /// The 准考证号's best reading: the darkest mark in each column, `?` where a column has none; for
    /// the teacher checking a doubtful id, never for identifying the sheet.
    pub fn id_best(&self) -> String {
        self.id[..self.id_used()]
            .iter()
            .map(|d| d.best.map_or('?', |b| char::from(b'0' + b)))
            .collect()
    }

    fn id_used(&self) -> usize {
        self.id
            .iter()
            .rposition(|d| d.best.is_some() || d.doubtful)
            .map_or(0, |i| i + 1)
    }

    /// Whether any id column needs a person.
    pub fn id_doubtful(&self) -> bool {
        self.id.iter().any(|d| d.doubtful)
    }

    /// Questions, id columns and the variant row that need a person.
    pub fn doubtful_count(&self) -> usize {
        self.answers.iter().filter(|a| a.reading.doubtful).count()
            + self.id.iter().filter(|d| d.doubtful).count()
            + self.variant.iter().filter(|v| v.doubtful).count()
    }

    /// The sheet lay upside down in the image (fed the wrong way round).
    pub fn upside_down(&self) -> bool {
        self.registration.quarter_turns == 2
    }
}

/// How a page with no print on it is named, first in its message, so the teacher sees at once that the
/// page was a back side and not a sheet lost.
pub const BLANK_PAGE: &str = "a blank page (a back side?)";

/// Why a page could not be read at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// The geometry handed in is unusable (a bug upstream, not the scan's fault).
    BadGeometry(String),
    TooSmall {
        width: u32,
        height: u32,
    },
    /// The four corner marks were not all found.
    CornerMarks {
        detail: String,
    },
    /// No print at all: a blank page (the back of a duplex scan), not an unreadable sheet.
    Blank,
    /// Print found, its corner squares the page's darkest print but faint (grey `grey` on white: toner
    /// running out), and the page could not be placed from them: `detail` says what was missing.
    FaintPrint {
        grey: u8,
        detail: String,
    },
    /// Marks were found but the printed bubbles are not where this sheet has them.
    NotThisSheet {
        contrast: f32,
    },
    /// Part of the answer area lies outside the image: what (questions, the id grid) is named.
    Cropped {
        missing: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::BadGeometry(m) => write!(f, "unusable sheet geometry: {m}"),
            ReadError::TooSmall { width, height } => {
                write!(
                    f,
                    "the image is too small to read ({width}×{height} pixels)"
                )
            }
            ReadError::CornerMarks { detail } => write!(f, "{detail}"),
            ReadError::Blank => {
                write!(f, "{BLANK_PAGE}: no print and no corner marks in the image")
            }
            ReadError::FaintPrint { grey, detail } => write!(
                f,
                "print found, but the corner marks are too faint (the darkest print is grey {grey}: toner \
                 running out?): {detail}; reprint or rescan it darker"
            ),
            ReadError::NotThisSheet { contrast } => write!(
                f,
                "the bubbles are not where this answer sheet has them (outline contrast {contrast:.3}): \
                 a page of another sheet layout, or not an answer sheet"
            ),
            ReadError::Cropped { missing } => write!(
                f,
                "{missing} lie(s) outside the image (the page cut off, torn or folded there?)"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// What the bubbles that could not be measured belong to: "questions 41–45 and the 准考证号 grid".
fn outside_parts(geom: &SheetGeometry, inside: &[bool]) -> String {
    let mut questions: Vec<u32> = Vec::new();
    let (mut id, mut variant) = (false, false);
    for (b, &m) in geom.bubbles.iter().zip(inside) {
        if m {
            continue;
        }
        match &b.meaning {
            BubbleMeaning::Answer { question, .. } => questions.push(*question),
            BubbleMeaning::IdDigit { .. } => id = true,
            BubbleMeaning::Variant { .. } => variant = true,
        }
    }
    questions.sort_unstable();
    questions.dedup();
    let mut parts = Vec::new();
    if !questions.is_empty() {
        let mut runs: Vec<String> = Vec::new();
        let mut i = 0;
        while i < questions.len() {
            let mut j = i;
            while j + 1 < questions.len() && questions[j + 1] == questions[j] + 1 {
                j += 1;
            }
            runs.push(if i == j {
                questions[i].to_string()
            } else {
                format!("{}–{}", questions[i], questions[j])
            });
            i = j + 1;
        }
        parts.push(format!("question(s) {}", runs.join(", ")));
    }
    if id {
        parts.push("the 准考证号 grid".to_string());
    }
    if variant {
        parts.push("the 试卷类型 row".to_string());
    }
    parts.join(" and ")
}

/// Reads one page image against the sheet geometry.
pub fn read_page(image: &GrayImage, geom: &SheetGeometry) -> Result<PageReading, ReadError> {
    read_prepared(&page::Prepared::new(image), geom, None)
}

/// The QR code's text read before the page's layout is known: cut out of each box in `qr_boxes` (where the
/// sheet's pages print it) under each way up the four corner marks allow, the marks where `geom` (any page
/// of the sheet: they sit alike on each) has them. `None` when a mark is missing or the code does not read
/// there; the page is then read layout by layout.
pub(crate) fn peek_qr(
    page: &page::Prepared,
    geom: &SheetGeometry,
    qr_boxes: &[BoxMm],
) -> Option<String> {
    marks::corner_fits(page, geom).iter().find_map(|h| {
        qr_boxes
            .iter()
            .find_map(|qr| qr::decode_region(page.img, qr, h))
    })
}

/// [`read_page`] on a page already prepared (read with several layouts, it is prepared once), with the
/// QR code's text when [`peek_qr`] has read it already.
pub(crate) fn read_prepared(
    page: &page::Prepared,
    geom: &SheetGeometry,
    qr_known: Option<String>,
) -> Result<PageReading, ReadError> {
    geom.validate().map_err(ReadError::BadGeometry)?;
    let image = page.img;
    let registration = marks::register(page, geom)?;
    let h = &registration.to_image;

    let measured = bubbles::measure(page, geom, h);
    if measured.iter().any(Option::is_none) {
        let inside: Vec<bool> = measured.iter().map(Option::is_some).collect();
        return Err(ReadError::Cropped {
            missing: outside_parts(geom, &inside),
        });
    }
    let patches: Vec<bubbles::Patch> = measured.into_iter().flatten().collect();
    // A screen photo: boxes read empty that hold a light mark's residue go to a person.
    let screen_photo = spectrum::is_screen_photo(image);
    let (mut readings, levels) = bubbles::classify(geom, &patches, screen_photo);
    let shades: Vec<f32> = patches.iter().map(bubbles::Patch::shade).collect();
    // A fill crossed out: a person decides whether the cross cancels it.
    crossed::flag_crossed_fills(page, geom, h, &mut readings, &levels, &shades);
    // A check's arm across the gap to the next box on a 1-bit page: a person decides.
    gap_line::flag_arms_across_gaps(page, geom, h, &mut readings);
    // A small check beside a box, its foot on the box's right edge and its arm in the gap: read or
    // flagged, never read as nothing or as the box on its right.
    tick_beside::read_checks_beside(page, geom, h, &mut readings, &levels);
    let blank = outline::blank_sides(page, geom, h);
    let mut covered: Vec<bool> = blank.iter().map(|&n| n >= outline::COVERED_SIDES).collect();
    // Where the printed lines themselves break up (a page cut to black and white drops thin lines at
    // its threshold), a blank side says nothing about tape: a class tapes over a few boxes a page, not
    // a tenth of them.
    let covered_count = covered.iter().filter(|&&c| c).count();
    if outline::black_and_white_only(page.pixels()) || covered_count * 10 > covered.len() {
        covered.fill(false);
    }
    for i in 0..readings.len() {
        let r = &mut readings[i];
        // A bowed page read through a bent map: a box whose printed outline is not where the map puts it
        // is measured beside its bubble, and a person reads it.
        let beside = h.bend.is_some() && blank[i] > 0;
        // A box whose printed outline is gone on three or four sides has something white over it:
        // correction tape (5 mm of film across the box) or fluid, the way a pen's mark is taken back. What
        // shows through the film, the film's own edge or the taken-back ink peeking out past it is no
        // mark to read: a person decides.
        let under_tape = covered[i] && r.state != BubbleState::Empty;
        if beside || under_tape {
            r.state = BubbleState::Doubtful;
        }
    }
    let found = bubbles::interpret(geom, &readings, &levels);

    let mut problems = Vec::new();
    let qr_text = qr_known
        .or_else(|| qr::decode_region(image, &geom.qr_code, h))
        .or_else(|| qr::decode_whole(image));
    if qr_text.is_none() {
        problems.push("the QR code cannot be read".to_string());
    }
    Ok(PageReading {
        qr_text,
        id: found.id,
        variant: found.variant,
        answers: found.answers,
        bubbles: readings,
        levels,
        registration,
        problems,
    })
}
