//! Editable Word (.docx) papers, keys and review handouts, written from the same paper model the PDF
//! templates see, so the draw, numbering, option order and answers are the PDF's.
//!
//! docx-rs builds the document; [`package`] only adds what it cannot express (the East Asian font table)
//! and zips the parts with fixed dates so the same paper gives the same bytes.

mod handout;
mod key;
mod package;
mod paper;
mod review;
mod style;

use crate::error::{Error, Result};
use crate::model::paper::PaperData;
use crate::render::layout::{Metrics, PageSetup};

/// What the writers measure with and lay out on: the PDF's page set-up and font metrics, so choices such as
/// options per line are the PDF's.
pub struct Ctx<'a> {
    pub setup: &'a PageSetup,
    pub metrics: &'a dyn Metrics,
}

/// The .docx of one document of a paper: `paper` (the teacher's edition when `data.teacher`), `key` or
/// `review`, the names the PDF templates have.
pub fn render(
    name: &str,
    data: &PaperData,
    setup: &PageSetup,
    metrics: &dyn Metrics,
) -> Result<Vec<u8>> {
    let cx = Ctx { setup, metrics };
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
    package::pack(docx)
}

/// The .docx of a study handout, or of its cloze key when `key`.
pub fn render_handout(
    data: &crate::model::handout::HandoutData,
    key: bool,
    setup: &PageSetup,
    metrics: &dyn Metrics,
) -> Result<Vec<u8>> {
    let cx = Ctx { setup, metrics };
    package::pack(if key {
        handout::handout_key(data, &cx)
    } else {
        handout::handout(data, &cx)
    })
}
