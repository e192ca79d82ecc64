//! Editable Word (.docx) papers, keys and review handouts, written from the same paper model the PDF
//! templates see, so the draw, numbering, option order and answers are the PDF's.
//!
//! docx-rs builds the document; [`package`] adds what it cannot express (the East Asian font table, a theme,
//! pictures' ids and alt text, JPEG media), puts every part in ECMA-376's element order ([`canon`]) and
//! leaves out the parts nothing refers to, and zips the parts with fixed dates so the same paper gives the
//! same bytes. [`figure`] draws the bank's figures and tables as Word pictures and tables.

mod book;
mod canon;
mod figure;
mod handout;
mod key;
mod math;
mod package;
mod paper;
mod review;
mod style;

use crate::error::{Error, Result};
use crate::model::paper::PaperData;
use crate::render::layout::{Metrics, PageSetup};
use crate::render::pictures::PictureCache;

/// What the writers measure with and lay out on: the PDF's page set-up and font metrics, so choices such as
/// options per line are the PDF's; the run's pictures, and the ones this document embeds.
pub struct Ctx<'a> {
    pub setup: &'a PageSetup,
    pub metrics: &'a dyn Metrics,
    pub pictures: &'a PictureCache,
    figures: std::cell::RefCell<figure::Embedded>,
}

impl<'a> Ctx<'a> {
    fn new(setup: &'a PageSetup, metrics: &'a dyn Metrics, pictures: &'a PictureCache) -> Ctx<'a> {
        Ctx {
            setup,
            metrics,
            pictures,
            figures: Default::default(),
        }
    }

    /// The document packed, or the first picture that could not be made.
    fn pack(self, docx: docx_rs::Docx) -> Result<Vec<u8>> {
        let figures = self.figures.into_inner();
        if let Some(e) = figures.error {
            return Err(e);
        }
        package::pack(docx, &figures.alts())
    }
}

/// The .docx of one document of a paper: `paper` (the teacher's edition when `data.teacher`), `key` or
/// `review`, the names the PDF templates have.
pub fn render(
    name: &str,
    data: &PaperData,
    setup: &PageSetup,
    metrics: &dyn Metrics,
    pictures: &PictureCache,
) -> Result<Vec<u8>> {
    let cx = Ctx::new(setup, metrics, pictures);
    let docx = match name {
        "paper" => paper::paper(data, &cx),
        "key" => key::key(data, &cx),
        "review" => review::review(data, &cx),
        other => {
            return Err(Error::internal(format!(
                "no Word version of the `{other}` document"
            )));
        }
    };
    cx.pack(docx)
}

/// The .docx of one student's 错题本 (review-book).
pub fn render_book(
    data: &crate::model::review_book::BookData,
    setup: &PageSetup,
    metrics: &dyn Metrics,
    pictures: &PictureCache,
) -> Result<Vec<u8>> {
    let cx = Ctx::new(setup, metrics, pictures);
    let docx = book::book(data, &cx);
    cx.pack(docx)
}

/// The .docx of a study handout, or of its cloze key when `key`.
pub fn render_handout(
    data: &crate::model::handout::HandoutData,
    key: bool,
    setup: &PageSetup,
    metrics: &dyn Metrics,
    pictures: &PictureCache,
) -> Result<Vec<u8>> {
    let cx = Ctx::new(setup, metrics, pictures);
    let docx = if key {
        handout::handout_key(data, &cx)
    } else {
        handout::handout(data, &cx)
    };
    cx.pack(docx)
}
