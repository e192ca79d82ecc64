//! Rendering: [`typeset`] lays a template's page markup out on pages; two sibling backends write the
//! documents — [`pdf`] draws layouts, [`docx`] writes editable Word files from the same data on the same
//! page set-up — sharing the run's [`fonts`] and [`pictures`].

pub mod docx;
pub mod fonts;
pub mod kind;
pub mod layout;
pub mod markup;
pub mod pdf;
pub mod pictures;
pub mod template;
pub mod typeset;

pub use kind::DocKind;
pub use pdf::PdfWriter;
pub use template::Template;
pub use typeset::Typesetter;

/// One document from template to PDF bytes, for a run that makes just one: laid out by `typeset`, drawn by
/// a PDF writer made for it.
pub fn single_pdf<T: serde::Serialize>(
    typeset: &Typesetter,
    template: Template,
    data: &T,
) -> crate::error::Result<(layout::Layout, Vec<u8>)> {
    let layout = typeset.layout(template, data)?;
    let bytes = PdfWriter::new(typeset.fonts(), typeset.pictures().clone())?.write(&layout)?;
    Ok((layout, bytes))
}
