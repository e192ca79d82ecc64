//! `examgen review-book`: a 错题本 per graded student, the print file of all books and the class edition.

use std::io::Write;

use super::write_failed;
use crate::cli::{Command, OutputFormat};
use crate::error::Result;
use crate::workflow::review_book::{ReviewBookRequest, review_books};

pub fn run(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let Command::ReviewBook {
        grades,
        practice,
        out: dir,
        rank,
        seed,
        manifest,
        templates,
        font_dir,
        format,
    } = command
    else {
        unreachable!("dispatched on Command::ReviewBook")
    };
    crate::util::fs::check_output_folder(&dir)?;
    let books = review_books(
        &ReviewBookRequest {
            grades: &grades,
            manifest: manifest.as_deref(),
            out: &dir,
            practice,
            rank,
            seed,
            templates: templates.as_deref(),
            font_dir: font_dir.as_deref(),
            pdf: format.contains(&OutputFormat::Pdf),
            docx: format.contains(&OutputFormat::Docx),
        },
        err,
    )?;
    crate::workflow::write_files(&dir, &books.files)?;
    let pages: usize = books.files.iter().filter_map(|f| f.pages).sum();
    writeln!(
        out,
        "wrote {} files ({pages} pages) in {}: books/ ({} students), print-books.pdf, class.pdf",
        books.files.len(),
        dir.display(),
        books.students
    )
    .map_err(write_failed)?;
    writeln!(
        out,
        "{} missed question(s), {} practice question(s), seed {}",
        books.missed, books.practice, books.seed
    )
    .map_err(write_failed)
}
