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
mod frame;
mod handout;
mod key;
mod math;
mod package;
mod paper;
mod review;
mod style;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::paper::PaperData;
use crate::render::fonts::FontSet;
use crate::render::kind::DocKind;
use crate::render::layout::{Metrics, PageSetup};
use crate::render::markup::Document;
use crate::render::pictures::Pictures;
use crate::render::typeset::Typesetter;

/// The Word backend of a run: the typesetter's page set-up and font metrics, so choices such as options per
/// line are the PDF's, and the run's pictures, shared with the PDF writer.
pub struct WordWriter<'a> {
    setup: PageSetup,
    fonts: &'a FontSet,
    pictures: Arc<Pictures>,
}

impl<'a> WordWriter<'a> {
    pub fn new(typeset: &Typesetter<'a>) -> WordWriter<'a> {
        WordWriter {
            setup: *typeset.setup(),
            fonts: typeset.fonts(),
            pictures: typeset.pictures().clone(),
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx::new(&self.setup, self.fonts, &self.pictures)
    }

    /// The .docx of one document of a paper (the teacher's edition when its data shows the answers), in
    /// the words and order of `template`: the page markup its template made of the same data for the PDF.
    pub fn paper(&self, kind: DocKind, data: &PaperData, template: &Document) -> Result<Vec<u8>> {
        let cx = self.ctx();
        let docx = match kind {
            DocKind::Paper | DocKind::Teacher => paper::paper(data, template, &cx),
            DocKind::Key => key::key(data, template, &cx),
            DocKind::Review => review::review(data, template, &cx),
            DocKind::AnswerSheet => {
                return Err(Error::internal(
                    "an answer sheet has no Word version: it is printed as a PDF form",
                ));
            }
        };
        cx.pack(docx)
    }

    /// The .docx of one student's 错题本 (review-book).
    pub fn book(&self, data: &crate::model::review_book::BookData) -> Result<Vec<u8>> {
        let cx = self.ctx();
        let docx = book::book(data, &cx);
        cx.pack(docx)
    }

    /// The .docx of a study handout, or of its cloze key when `key`.
    pub fn handout(&self, data: &crate::model::handout::HandoutData, key: bool) -> Result<Vec<u8>> {
        let cx = self.ctx();
        let docx = if key {
            handout::handout_key(data, &cx)
        } else {
            handout::handout(data, &cx)
        };
        cx.pack(docx)
    }
}

/// What the writers measure with and lay out on: the PDF's page set-up and font metrics, so choices such as
/// options per line are the PDF's; the run's pictures, and the ones this document embeds.
pub struct Ctx<'a> {
    setup: &'a PageSetup,
    metrics: &'a dyn Metrics,
    pictures: &'a Pictures,
    figures: std::cell::RefCell<figure::Embedded>,
}

impl<'a> Ctx<'a> {
    fn new(setup: &'a PageSetup, metrics: &'a dyn Metrics, pictures: &'a Pictures) -> Ctx<'a> {
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
